//! One-time codes as a second factor (TOTP, RFC 6238): the hub creates the secret, desks check
//! the codes offline.

use totp_rs::{Algorithm, Secret, TOTP};

fn totp(secret: &str, user: &str) -> Result<TOTP, String> {
    let bytes = Secret::Encoded(secret.to_string())
        .to_bytes()
        .map_err(|e| format!("TOTP secret: {e:?}"))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Tongban".to_string()),
        user.to_string(),
    )
    .map_err(|e| e.to_string())
}

/// A fresh random secret, base32 as authenticator apps expect it.
pub fn new_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

/// The otpauth:// address that enrols `user` in an authenticator app.
pub fn url(secret: &str, user: &str) -> Result<String, String> {
    Ok(totp(secret, user)?.get_url())
}

/// Whether `code` is valid at `now_secs`, allowing one 30-second step of clock drift.
pub fn check(secret: &str, code: &str, now_secs: u64) -> bool {
    totp(secret, "user").is_ok_and(|t| t.check(code.trim(), now_secs))
}

/// The code for `now_secs`; what an authenticator app would show.
pub fn code_at(secret: &str, now_secs: u64) -> Result<String, String> {
    Ok(totp(secret, "user")?.generate(now_secs))
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_verify_within_one_step_only() {
        let secret = super::new_secret();
        let code = super::code_at(&secret, 1_800_000_000).unwrap();
        assert!(super::check(&secret, &code, 1_800_000_010));
        assert!(super::check(&secret, &code, 1_800_000_030));
        assert!(!super::check(&secret, &code, 1_800_000_120));
        assert!(
            super::url(&secret, "李明")
                .unwrap()
                .starts_with("otpauth://totp/Tongban:")
        );
    }
}
