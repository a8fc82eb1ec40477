//! Enrolment: a desk joins a township with a one-time code and an account's password. Wrong
//! passwords burn the code after a few tries; an unknown account name costs the same time as a
//! known one, so names cannot be probed. (Attempts count against the peer's rate at the edge,
//! before the body is read.)

use super::admin::hash_enroll_code;
use super::{Hub, now_ms, now_secs};
use crate::account_db::{AccountChange, ChangeKind};
use crate::db::{HubDb, HubError, HubResult, NewDevice, Redeemed};
use std::net::IpAddr;
use tongban_domain::Localized;
use tongban_domain::session::check_user_name;
use tongban_domain::text;
use tongban_sync::wire::{EnrollRequest, EnrollResponse};
use tongban_sync::{auth, person};

/// Wrong passwords a code survives; the next one burns it.
pub const MAX_CODE_FAILURES: u32 = 5;

fn bad_code() -> HubError {
    HubError::Unauthorized(text!(
        "enrolment code is unknown, used or expired; ask the operator for a new one",
        "登记码无效、已使用或已过期，请向管理员索取新码"
    ))
}

impl<D: HubDb> Hub<D> {
    /// A sealed key no account has, opened in place of a missing account's.
    pub(super) async fn decoy(&self) -> HubResult<(String, String)> {
        self.decoy
            .get_or_try_init(|| async {
                tokio::task::spawn_blocking(|| {
                    person::new_key("", "", "no such account here")
                        .map(|(public, sealed)| (hex::encode(public.to_bytes()), sealed.to_text()))
                })
                .await
                .map_err(HubError::internal)?
                .map_err(HubError::internal)
            })
            .await
            .cloned()
    }

    pub async fn enrol(&self, req: EnrollRequest, peer: IpAddr) -> HubResult<EnrollResponse> {
        let user = check_user_name(&req.user)
            .map_err(|e| HubError::BadRequest(e.text()))?
            .to_string();
        if req.label.chars().count() > 100 || req.password.len() > 1024 || req.code.len() > 64 {
            return Err(HubError::BadRequest(text!(
                "the desk's label must have at most 100 characters",
                "设备名称不得超过100个字符"
            )));
        }
        auth::verify_enrollment(&req.code, &req.public_key, &req.user, &req.signature)
            .map_err(|e| HubError::Unauthorized(e.text()))?;
        let code_hash = hash_enroll_code(&req.code);
        let code = self
            .db
            .enroll_code(&code_hash)
            .await?
            .filter(|c| !c.used && c.expires_at > now_secs() && c.failures <= MAX_CODE_FAILURES)
            .ok_or_else(bad_code)?;
        // The account is checked before the code is spent, so a mistyped password costs one try.
        let account = self
            .db
            .users(&code.township)
            .await?
            .into_iter()
            .find(|u| u.name == user);
        let known = account
            .as_ref()
            .and_then(|a| Some((a.public_key.clone()?, a.sealed_key.clone()?)));
        let has_account = account.is_some();
        let (public_key, sealed_key) = match known.clone() {
            Some(known) => known,
            None => self.decoy().await?,
        };
        let (password, township, name) = (
            zeroize::Zeroizing::new(req.password.clone()),
            code.township.clone(),
            user.clone(),
        );
        let _opening = self.openings.acquire().await.map_err(HubError::internal)?;
        let opened = tokio::task::spawn_blocking(move || {
            let sealed = person::SealedKey::parse(&sealed_key).ok()?;
            person::open(&sealed, &township, &name, &public_key, &password).ok()
        })
        .await
        .map_err(HubError::internal)?;
        if has_account && known.is_none() {
            return Err(HubError::Unauthorized(
                tongban_domain::SignInError::NoPersonKey.text(),
            ));
        }
        let verified = opened.is_some() && known.is_some();
        if !verified {
            let failures = self.db.count_code_failure(&code_hash).await?;
            tracing::warn!(%peer, failures, "enrolment with wrong credentials");
            if failures > MAX_CODE_FAILURES {
                self.db.burn_enroll_code(&code_hash).await?;
                return Err(HubError::Unauthorized(text!(
                    "too many wrong passwords: the enrolment code is now spent; ask the operator for a new one",
                    "密码错误次数过多，登记码已作废，请向管理员索取新码（{failures}次）"
                )));
            }
            let left = MAX_CODE_FAILURES + 1 - failures;
            return Err(HubError::Unauthorized(text!(
                "no account {user} with this password in the code's township; the operator adds accounts with `tongban-hub user add` ({left} tries left on this code)",
                "该乡镇没有用户{user}或密码错误，账户由管理员用 tongban-hub user add 添加（此登记码还可再试{left}次）"
            )));
        }
        let mut id = [0u8; 16];
        getrandom::fill(&mut id).map_err(HubError::internal)?;
        let device = NewDevice {
            id: hex::encode(id),
            public_key: req.public_key,
            user,
            label: req.label,
            enrolled_at: now_secs(),
        };
        let device = match self
            .db
            .redeem_enroll_code(&code_hash, device, tongban_domain::case::MAX_DEVICE_SERIAL)
            .await?
        {
            Redeemed::Enrolled(device) => device,
            Redeemed::CodeGone => return Err(bad_code()),
            Redeemed::NoSerial => return Err(HubError::SerialsExhausted(code.township)),
        };
        // The person who enrolled the desk works on it.
        let assigned = AccountChange {
            name: device.user.clone(),
            at_ms: now_ms(),
            kind: ChangeKind::Assigned,
            role: None,
            operator: format!("enrolment:{}", device.id),
            device: Some(device.id.clone()),
            secret: None,
        };
        self.db.change_account(&device.township, assigned).await?;
        let township = self
            .db
            .township(&device.township)
            .await?
            .ok_or_else(|| HubError::internal("township vanished"))?;
        tracing::info!(device = %device.id, township = %device.township, serial = device.serial, %peer, "device enrolled");
        Ok(EnrollResponse {
            directory: self.directory(&township.code, &device.id).await?,
            device_id: device.id,
            device_serial: device.serial,
            township_code: township.code,
            township_name: township.name,
            audit_key: self.audit.public_key(),
            hub_certificate: self.identity.certificate.clone(),
        })
    }
}
