//! County officers signing in to the hub's supervision page with the same account and password
//! their desks use (and its one-time code, when the account has a second factor). A session is
//! a random token in an HttpOnly cookie; the hub keeps only its hash, and checks the account
//! again on every request, so a disabled officer or a changed role loses the page at once.

use super::{Hub, now_secs, totp_context};
use crate::db::{HubDb, HubError, HubResult, HubUser};
use crate::session_db::WebSession;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use tongban_domain::{Role, TownshipCode, text};
use tongban_sync::person;
use zeroize::Zeroizing;

/// How long a sign-in lasts: one working day.
pub const SESSION_SECS: i64 = 8 * 3600;
/// Sign-in attempts per minute from one address, and at one name (each opens a sealed key:
/// costly on purpose).
const SIGN_INS_PER_MINUTE: u32 = 10;
/// How long a sign-in waits for one of the hub's few key-opening slots.
const OPENING_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

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
    /// The active county officers of that name, in whichever county units the hub has (a name
    /// is one person within a county, not across counties).
    async fn officers_named(&self, name: &str) -> HubResult<Vec<(String, HubUser)>> {
        let mut found = Vec::new();
        for unit in self.db.township_codes().await? {
            if !TownshipCode::parse(&unit).is_ok_and(|t| t.is_county_unit()) {
                continue;
            }
            for user in self.db.users(&unit).await? {
                if user.name == name
                    && user.disabled_at.is_none()
                    && user.role == Role::County.as_str()
                {
                    found.push((unit.clone(), user));
                }
            }
        }
        Ok(found)
    }

    /// Checks a county officer's name, password and one-time code; the new session's token.
    /// Creates nothing before the check succeeds.
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
        // Guesses at one account are limited too, from however many addresses they come.
        self.limit(&format!("web-sign-in-name:{name}"), SIGN_INS_PER_MINUTE)
            .await?;
        let mut candidates: Vec<(String, HubUser, String, String)> = Vec::new();
        for (unit, user) in self.officers_named(name).await? {
            if let (Some(public), Some(sealed)) = (user.public_key.clone(), user.sealed_key.clone())
            {
                candidates.push((unit, user, public, sealed));
            }
        }
        let mut signed_in = None;
        if candidates.is_empty() {
            // An unknown name opens a decoy key, so it costs what a known one does.
            let (public, sealed) = self.decoy().await?;
            self.open_key(String::new(), name, public, sealed, &password)
                .await?;
        }
        for (unit, user, public, sealed) in candidates {
            if self
                .open_key(unit.clone(), name, public.clone(), sealed, &password)
                .await?
            {
                signed_in = Some((unit, user, public));
                break;
            }
        }
        let Some((unit, account, public_key)) = signed_in else {
            tracing::warn!(%peer, "county page sign-in refused");
            return Err(refused());
        };
        if let Some(sealed) = &account.totp_secret {
            let secret = self
                .sealer
                .open_text(&totp_context(&unit, &account.name), sealed)?;
            let now = u64::try_from(now_secs()).unwrap_or(0);
            let Some(code) = code.map(str::trim) else {
                return Err(refused());
            };
            if !tongban_sync::totp::check(&secret, code, now) {
                return Err(refused());
            }
            // A code is good once: the time step it belongs to is counted, by every hub process.
            let step = [now.saturating_sub(30), now, now + 30]
                .into_iter()
                .find(|t| tongban_sync::totp::code_at(&secret, *t).is_ok_and(|c| c == code))
                .map_or(now / 30, |t| t / 30);
            let used = format!("web-totp:{unit}:{}:{step}", account.name);
            let window = i64::try_from(step * 30).unwrap_or(i64::MAX);
            if self.db.count_request(&used, window).await? > 1 {
                tracing::warn!(%peer, "county page one-time code used again");
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
                    public_key,
                    expires_at: now_secs() + SESSION_SECS,
                },
            )
            .await?;
        Ok(token)
    }

    /// Whether `password` opens the sealed key; a slot for the costly opening is waited for a
    /// few seconds at most, so sign-ins cannot queue up behind a flood of them.
    async fn open_key(
        &self,
        unit: String,
        name: &str,
        public_key: String,
        sealed_key: String,
        password: &Zeroizing<String>,
    ) -> HubResult<bool> {
        let busy = || HubError::RateLimited("sign-in".into());
        let _opening = tokio::time::timeout(OPENING_WAIT, self.openings.acquire())
            .await
            .map_err(|_| busy())?
            .map_err(HubError::internal)?;
        let (name, password) = (name.to_string(), password.clone());
        tokio::task::spawn_blocking(move || {
            let Ok(sealed) = person::SealedKey::parse(&sealed_key) else {
                return false;
            };
            person::open(&sealed, &unit, &name, &public_key, &password).is_ok()
        })
        .await
        .map_err(HubError::internal)
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
        // Still an active county officer, with the key signed in with (a reset ends it).
        let active = self.db.users(&session.unit).await?.into_iter().any(|u| {
            u.name == session.name
                && u.disabled_at.is_none()
                && u.role == Role::County.as_str()
                && u.public_key.as_deref() == Some(session.public_key.as_str())
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
