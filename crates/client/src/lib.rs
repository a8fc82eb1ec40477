//! A desk's link to the hub: enrolment, and batched, signed, resumable sync of case documents.
#![forbid(unsafe_code)]

mod archive;
mod audit;
pub mod exchange;
mod hub;
mod lookup;
mod pages;
mod statements;
mod sync;

pub use archive::{HubPackage, fetch_archive, hub_package};
pub use audit::{AuditSync, AuditSyncError};
pub use hub::{Exchange, HubClient, HubError, HubKey, check_url, enroll};
pub use lookup::lookup_at_hub;
pub use pages::{PageDirection, PageProgress};
pub use sync::{Retry, SyncError, SyncReport, check_hub_log, sync, sync_with_progress};

/// What a desk says once the hub refused it as revoked and its data was wiped.
pub fn wiped_after_revocation() -> tongban_domain::Text {
    tongban_domain::text!(
        "this device was revoked at the hub; its local data has been wiped",
        "本设备已被中心吊销，本机数据已清除"
    )
}

use tongban_store::keys::SecretKey;
use tongban_store::{Enrollment, Profile, Store, StoreError};
use tongban_sync::ed25519_dalek::SigningKey;

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum EnrollError {
    NoPassword,
    #[error(transparent)]
    UserName(#[from] tongban_domain::session::UserNameError),
    #[error(transparent)]
    Hub(#[from] HubError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Code(#[from] tongban_trust::TrustError),
}

impl tongban_domain::l10n::Localized for EnrollError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::NoPassword => text!("enter the account's password", "请输入账户密码"),
            Self::UserName(e) => e.text(),
            Self::Hub(e) => e.text(),
            Self::Store(e) => e.text(),
            Self::Code(e) => e.text(),
        }
    }
}

pub struct EnrollRequest<'a> {
    pub hub_url: &'a str,
    pub code: &'a str,
    pub user: &'a str,
    pub label: &'a str,
    pub password: &'a str,
    pub recovery_passphrase: &'a str,
}

/// Enrols this desk for an account of the township: everything that can be checked locally is
/// checked before the one-time code is spent at the hub; the profile is created only after the
/// hub accepted the desk and the account.
pub fn enroll_desk(profile: &Profile, req: &EnrollRequest<'_>) -> Result<Enrollment, EnrollError> {
    let user = tongban_domain::session::check_user_name(req.user)?;
    if req.password.is_empty() {
        return Err(EnrollError::NoPassword);
    }
    tongban_store::keys::check_passphrase(req.recovery_passphrase)?;
    let code = tongban_trust::EnrolmentCode::parse(req.code)?;
    hub::check_url(req.hub_url)?;
    profile.check_creatable()?;
    let device_secret = SecretKey::random()?;
    let signing = SigningKey::from_bytes(device_secret.expose());
    let answer = hub::enroll(req.hub_url, &code, user, req.password, req.label, &signing)?;
    let township = tongban_domain::TownshipCode::parse(&answer.township_code)
        .map_err(|e| HubError::BadAnswer(e.to_string()))?;
    let enrollment = Enrollment {
        hub_url: req.hub_url.trim().trim_end_matches('/').to_string(),
        device_id: answer.device_id,
        device_serial: answer.device_serial,
        township,
        township_name: answer.township_name,
        user: user.to_string(),
        hub_audit_key: answer.audit_key,
        hub_key: code.hub_key.to_string(),
        hub_certificate: answer.hub_certificate,
    };
    let mut store = profile.create(req.recovery_passphrase)?;
    store.record_enrollment(&enrollment, &device_secret, &answer.directory)?;
    Ok(enrollment)
}

/// The signed connection for an enrolled desk, pinned to the hub's key (and the next key the
/// hub announced, if any).
pub fn hub_client(store: &Store) -> Result<HubClient, EnrollError> {
    let enrollment = store.enrollment()?;
    let key = SigningKey::from_bytes(store.device_key()?.expose());
    let next = store
        .next_hub_key()?
        .map(|n| tongban_trust::Fingerprint::parse(&n.fingerprint))
        .transpose()?;
    let pins = tongban_trust::Pins::new(
        tongban_trust::Fingerprint::parse(&enrollment.hub_key)?,
        next,
    );
    Ok(HubClient::new(
        &enrollment.hub_url,
        enrollment.township.as_str(),
        &enrollment.device_id,
        key,
        HubKey {
            pins,
            certificate: enrollment.hub_certificate,
        },
    )?)
}
