//! Request signing. A desk signs method, path, time, a nonce and the body's hash with its
//! Ed25519 key; the hub checks the signature and the time window from the headers alone, before
//! it reads the body, then reads at most the endpoint's cap and checks the body against the
//! signed hash. It remembers nonces so a captured request cannot be replayed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

pub const HEADER_DEVICE: &str = "x-tongban-device";
pub const HEADER_TIMESTAMP: &str = "x-tongban-timestamp";
pub const HEADER_NONCE: &str = "x-tongban-nonce";
pub const HEADER_SIGNATURE: &str = "x-tongban-signature";
pub const HEADER_BODY_HASH: &str = "x-tongban-body-sha256";
/// How far a desk's clock may drift from the hub's before its requests are refused.
pub const MAX_SKEW_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum AuthError {
    Missing(&'static str),
    Malformed,
    BadSignature,
    Skew(i64),
    BodyMismatch,
}

impl tongban_domain::l10n::Localized for AuthError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Missing(what) => text!(
                "request is not signed (missing {what})",
                "请求未签名（缺少{what}）"
            ),
            Self::Malformed => text!("request signature is malformed", "请求签名格式错误"),
            Self::BadSignature => text!("request signature does not verify", "请求签名验证失败"),
            Self::Skew(seconds) => text!(
                "request time is {seconds} s away from the hub's clock; set this computer's clock",
                "请求时间与中心时钟相差{seconds}秒，请校准本机时间"
            ),
            Self::BodyMismatch => text!(
                "request body does not match its signed hash",
                "请求体与签名的摘要不符"
            ),
        }
    }
}

/// The headers a signed request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub device: String,
    pub timestamp: i64,
    pub nonce: String,
    pub signature: String,
    /// SHA-256 of the body, hex: signed with the rest, so the hub checks the signature before
    /// reading the body.
    pub body_sha256: String,
}

pub fn body_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

fn canonical(method: &str, path: &str, timestamp: i64, nonce: &str, body_hash: &str) -> Vec<u8> {
    format!("tongban-request-v1\n{method}\n{path}\n{timestamp}\n{nonce}\n{body_hash}").into_bytes()
}

pub fn sign_request(
    key: &SigningKey,
    device: &str,
    method: &str,
    path: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> SignedHeaders {
    let body_sha256 = body_hash(body);
    let signature = key.sign(&canonical(method, path, timestamp, nonce, &body_sha256));
    SignedHeaders {
        device: device.to_string(),
        timestamp,
        nonce: nonce.to_string(),
        signature: B64.encode(signature.to_bytes()),
        body_sha256,
    }
}

/// Checks the headers of a request: the time window, then the signature over method, path,
/// time, nonce and the announced body hash. The body itself is checked by [`check_body`] once
/// read.
pub fn verify_request(
    key: &VerifyingKey,
    headers: &SignedHeaders,
    method: &str,
    path: &str,
    now: i64,
) -> Result<(), AuthError> {
    // Any i64 may arrive in the header: compare without overflowing.
    if headers.timestamp.abs_diff(now) > MAX_SKEW_SECS.unsigned_abs() {
        return Err(AuthError::Skew(headers.timestamp.saturating_sub(now)));
    }
    if headers.nonce.len() < 16 || headers.nonce.len() > 64 {
        return Err(AuthError::Malformed);
    }
    if headers.body_sha256.len() != 64
        || !headers
            .body_sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(AuthError::Malformed);
    }
    let bytes = B64
        .decode(&headers.signature)
        .map_err(|_| AuthError::Malformed)?;
    let signature = Signature::from_slice(&bytes).map_err(|_| AuthError::Malformed)?;
    key.verify(
        &canonical(
            method,
            path,
            headers.timestamp,
            &headers.nonce,
            &headers.body_sha256,
        ),
        &signature,
    )
    .map_err(|_| AuthError::BadSignature)
}

/// The body read after the headers verified must be the one they signed.
pub fn check_body(headers: &SignedHeaders, body: &[u8]) -> Result<(), AuthError> {
    if body_hash(body) == headers.body_sha256 {
        Ok(())
    } else {
        Err(AuthError::BodyMismatch)
    }
}

fn enroll_payload(code: &str, public_key: &str, user: &str) -> Vec<u8> {
    format!("tongban-enroll-v1\n{code}\n{public_key}\n{user}").into_bytes()
}

pub fn sign_enrollment(key: &SigningKey, code: &str, user: &str) -> (String, String) {
    let public_key = hex::encode(key.verifying_key().to_bytes());
    let signature = key.sign(&enroll_payload(code, &public_key, user));
    (public_key, B64.encode(signature.to_bytes()))
}

/// Checks the proof of possession in an enrolment and returns the desk's public key.
pub fn verify_enrollment(
    code: &str,
    public_key: &str,
    user: &str,
    signature: &str,
) -> Result<VerifyingKey, AuthError> {
    let key = parse_public_key(public_key)?;
    let bytes = B64.decode(signature).map_err(|_| AuthError::Malformed)?;
    let signature = Signature::from_slice(&bytes).map_err(|_| AuthError::Malformed)?;
    key.verify(&enroll_payload(code, public_key, user), &signature)
        .map_err(|_| AuthError::BadSignature)?;
    Ok(key)
}

pub fn parse_public_key(hex_key: &str) -> Result<VerifyingKey, AuthError> {
    let bytes: [u8; 32] = hex::decode(hex_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(AuthError::Malformed)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| AuthError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_bind_every_part() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let public = key.verifying_key();
        let nonce = "00112233445566778899aabbccddeeff";
        let h = sign_request(&key, "dev", "POST", "/v1/x", 1000, nonce, b"body");
        assert_eq!(verify_request(&public, &h, "POST", "/v1/x", 1010), Ok(()));
        assert_eq!(check_body(&h, b"body"), Ok(()));
        assert_eq!(check_body(&h, b"bodY"), Err(AuthError::BodyMismatch));
        let mut other_body = h.clone();
        other_body.body_sha256 = body_hash(b"bodY");
        assert_eq!(
            verify_request(&public, &other_body, "POST", "/v1/x", 1010),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify_request(&public, &h, "POST", "/v1/y", 1010),
            Err(AuthError::BadSignature)
        );
        assert_eq!(
            verify_request(&public, &h, "POST", "/v1/x", 2000),
            Err(AuthError::Skew(-1000))
        );
        // Extreme times are refused as skew, never by overflowing.
        for (at, now) in [(i64::MIN, i64::MAX), (i64::MAX, i64::MIN), (i64::MIN, 0)] {
            let mut extreme = h.clone();
            extreme.timestamp = at;
            assert!(matches!(
                verify_request(&public, &extreme, "POST", "/v1/x", now),
                Err(AuthError::Skew(_))
            ));
        }
        let (pk, sig) = sign_enrollment(&key, "CODE", "李明");
        assert!(verify_enrollment("CODE", &pk, "李明", &sig).is_ok());
        assert!(verify_enrollment("CODE", &pk, "王五", &sig).is_err());
    }
}
