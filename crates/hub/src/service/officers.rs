//! County officers signing in to the hub's supervision page with the same account and password
//! their desks use (and its one-time code, when the account has a second factor). A session is
//! a random token in an HttpOnly cookie; the hub keeps only its hash, and checks the account
//! again on every request, so a disabled officer or a changed role loses the page at once.

use super::{Hub, now_secs, totp_context};
use crate::db::{HubDb, HubError, HubResult};
use crate::session_db::WebSession;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use tongban_domain::{Role, text};
use tongban_sync::person;
use zeroize::Zeroizing;

/// How long a sign-in lasts: one working day.
pub const SESSION_SECS: i64 = 8 * 3600;
/// Sign-in attempts per minute from one address (each opens a sealed key: costly on purpose).
const SIGN_INS_PER_MINUTE: u32 = 10;

/// A signed-in county officer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    pub unit: String,
    pub name: String,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn refused() -> HubError {
    HubError::Unauthorized(text!(
        "no county account with this name and password (or the one-time code is wrong)",
        "县级账户名或密码错误（或动态口令错误）"
    ))
}

impl<D: HubDb> Hub<D> {
    /// Checks a county officer's name, password and one-time code; the new session's token.
    pub async fn sign_in_officer(
        &self,
        name: &str,
        password: Zeroizing<String>,
        code: Option<&str>,
        peer: IpAddr,
    ) -> HubResult<String> {
        self.limit_rate("web-sign-in", peer, SIGN_INS_PER_MINUTE)
            .await?;
        if name.chars().count() > 64 || password.len() > 1024 {
            return Err(refused());
        }
        let unit = self.county(None).await?.to_string();
        let account =
            self.db.users(&unit).await?.into_iter().find(|u| {
                u.name == name && u.disabled_at.is_none() && u.role == Role::County.as_str()
            });
        let known = account
            .as_ref()
            .and_then(|a| Some((a.public_key.clone()?, a.sealed_key.clone()?)));
        // An unknown name opens a decoy key, so it costs what a known one does.
        let (public_key, sealed_key) = match known.clone() {
            Some(known) => known,
            None => self.decoy().await?,
        };
        let (unit_for_key, name_for_key) = (unit.clone(), name.to_string());
        let _opening = self.openings.acquire().await.map_err(HubError::internal)?;
        let opened = tokio::task::spawn_blocking(move || {
            let sealed = person::SealedKey::parse(&sealed_key).ok()?;
            person::open(
                &sealed,
                &unit_for_key,
                &name_for_key,
                &public_key,
                &password,
            )
            .ok()
        })
        .await
        .map_err(HubError::internal)?;
        let (Some(account), Some(_), Some(_)) = (account, known, opened) else {
            tracing::warn!(%peer, "county page sign-in refused");
            return Err(refused());
        };
        if let Some(sealed) = &account.totp_secret {
            let secret = self
                .sealer
                .open_text(&totp_context(&unit, &account.name), sealed)?;
            let now = u64::try_from(now_secs()).unwrap_or(0);
            if !code.is_some_and(|c| tongban_sync::totp::check(&secret, c.trim(), now)) {
                return Err(refused());
            }
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(HubError::internal)?;
        let token = hex::encode(bytes);
        self.db
            .put_web_session(
                &token_hash(&token),
                WebSession {
                    unit,
                    name: account.name,
                    expires_at: now_secs() + SESSION_SECS,
                },
            )
            .await?;
        Ok(token)
    }

    /// The officer a session token belongs to, while the session lasts and the account is still
    /// an active county officer's.
    pub async fn officer(&self, token: &str) -> HubResult<Officer> {
        let expired = || {
            HubError::Unauthorized(text!(
                "sign in with a county account first",
                "请先用县级账户登录"
            ))
        };
        if token.len() != 64 {
            return Err(expired());
        }
        let session = self
            .db
            .web_session(&token_hash(token), now_secs())
            .await?
            .ok_or_else(expired)?;
        let active = self.db.users(&session.unit).await?.into_iter().any(|u| {
            u.name == session.name && u.disabled_at.is_none() && u.role == Role::County.as_str()
        });
        if !active {
            return Err(expired());
        }
        Ok(Officer {
            unit: session.unit,
            name: session.name,
        })
    }

    pub async fn sign_out_officer(&self, token: &str) -> HubResult<()> {
        self.db.drop_web_session(&token_hash(token)).await
    }
}
