//! A desk's profile: the SQLCipher case store, its keys (OS keyring plus recovery passphrase)
//! and what the desk remembers about syncing with the hub.
#![forbid(unsafe_code)]

mod cases;
mod error;
pub mod keys;
mod profile;
mod store;
mod sync_state;

pub use cases::{CaseFilter, now_ms};
pub use error::StoreError;
pub use profile::Profile;
pub use store::{Enrollment, Store};
pub use tongban_domain::desk::CaseSummary;

/// Hashes a user's password for storage (Argon2id, PHC string with its own salt and parameters).
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| StoreError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Random(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Random(e.to_string()))
}

/// Checks a password against its stored Argon2id hash.
pub fn verify_password(hash: &str, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Case dates follow China Standard Time wherever the desk's clock is set.
pub fn china_now() -> time::OffsetDateTime {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::now_utc().to_offset(offset)
}
