//! The hub's key as desks know it. An enrolment code carries the fingerprint of the hub's TLS
//! key (SHA-256 of its SubjectPublicKeyInfo), so a desk trusts that key from its first byte on
//! an attackable path, not whatever answers first. Afterwards the desk accepts that key alone (or
//! the next one the hub announced, signed by the current one), and obeys only statements signed
//! with it: revocations and new keys.
#![forbid(unsafe_code)]

mod pin;
mod statement;

pub use pin::{PinMismatch, Pins, client_config, pin_mismatch};
pub use statement::{StatementError, StatementSigner, verify_statement};

use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;

pub use rustls;

/// The one crypto provider of the product's TLS, named explicitly: the default is chosen from
/// crate features and would panic should two providers ever be compiled in.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// How many bytes of the SHA-256 a fingerprint keeps: 160 bits, 32 characters to read aloud.
const FINGERPRINT_BYTES: usize = 20;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum TrustError {
    BadFingerprint(String),
    NoFingerprint,
    Certificate(String),
}

impl tongban_domain::l10n::Localized for TrustError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::BadFingerprint(text) => text!(
                "{text:?} is not a hub key fingerprint (32 letters and digits, as printed with the enrolment code)",
                "“{text}”不是中心密钥指纹"
            ),
            Self::NoFingerprint => text!(
                "the enrolment code must end with @ and the hub's key fingerprint, as `tongban-hub enroll-code` prints it",
                "登记码须以@加中心密钥指纹结尾，请按 tongban-hub enroll-code 的输出原样输入"
            ),
            Self::Certificate(detail) => text!(
                "the hub's certificate cannot be read: {detail}",
                "无法读取中心证书：{detail}"
            ),
        }
    }
}

/// A hub key's fingerprint: Crockford base32 in groups of four, e.g. `7K3M-Q2XN-…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; FINGERPRINT_BYTES]);

impl Fingerprint {
    pub fn of_spki(spki_der: &[u8]) -> Self {
        let digest = Sha256::digest(spki_der);
        let mut bytes = [0u8; FINGERPRINT_BYTES];
        bytes.copy_from_slice(&digest[..FINGERPRINT_BYTES]);
        Self(bytes)
    }

    /// The fingerprint of a certificate's key (DER).
    pub fn of_certificate(der: &[u8]) -> Result<Self, TrustError> {
        let cert = rustls::pki_types::CertificateDer::from(der);
        let parsed = rustls::server::ParsedCertificate::try_from(&cert)
            .map_err(|e| TrustError::Certificate(e.to_string()))?;
        Ok(Self::of_spki(parsed.subject_public_key_info().as_ref()))
    }

    /// The whole SHA-256 of a certificate's key (DER), as browsers pin a key
    /// (`--ignore-certificate-errors-spki-list` takes it in base64).
    pub fn spki_sha256(der: &[u8]) -> Result<[u8; 32], TrustError> {
        let cert = rustls::pki_types::CertificateDer::from(der);
        let parsed = rustls::server::ParsedCertificate::try_from(&cert)
            .map_err(|e| TrustError::Certificate(e.to_string()))?;
        Ok(Sha256::digest(parsed.subject_public_key_info().as_ref()).into())
    }

    /// Reads a fingerprint as printed, forgiving case, dashes, spaces and Crockford's look-alikes.
    pub fn parse(text: &str) -> Result<Self, TrustError> {
        let bad = || TrustError::BadFingerprint(text.to_string());
        let compact: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.len() != 32 || !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad());
        }
        let bytes = base32::decode(base32::Alphabet::Crockford, &compact).ok_or_else(bad)?;
        Ok(Self(bytes.try_into().map_err(|_| bad())?))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = base32::encode(base32::Alphabet::Crockford, &self.0);
        let groups: Vec<&str> = text
            .as_bytes()
            .chunks(4)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        f.write_str(&groups.join("-"))
    }
}

/// What `tongban-hub enroll-code` prints: the one-time code, `@`, the hub key's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentCode {
    pub code: String,
    pub hub_key: Fingerprint,
}

impl EnrolmentCode {
    pub fn parse(text: &str) -> Result<Self, TrustError> {
        let (code, key) = text
            .trim()
            .split_once('@')
            .ok_or(TrustError::NoFingerprint)?;
        Ok(Self {
            code: code.trim().to_string(),
            hub_key: Fingerprint::parse(key)?,
        })
    }
}

impl fmt::Display for EnrolmentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.code, self.hub_key)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fingerprints_read_back_as_printed_and_forgive_typing() {
        let fp = Fingerprint::of_spki(b"some key");
        let text = fp.to_string();
        assert_eq!(text.len(), 39, "{text}");
        assert_eq!(Fingerprint::parse(&text).unwrap(), fp);
        assert_eq!(Fingerprint::parse(&text.to_lowercase()).unwrap(), fp);
        assert_eq!(Fingerprint::parse(&text.replace('-', " ")).unwrap(), fp);
        assert!(Fingerprint::parse(&text[..30]).is_err());
        assert!(Fingerprint::parse(&format!("{text}0")).is_err());
        assert!(Fingerprint::parse("ÄÄÄÄ").is_err());
        let code = EnrolmentCode::parse(&format!(" ABCD-EFGH-JKMN@{text} ")).unwrap();
        assert_eq!(code.code, "ABCD-EFGH-JKMN");
        assert_eq!(code.hub_key, fp);
        assert_eq!(code.to_string(), format!("ABCD-EFGH-JKMN@{text}"));
        assert_eq!(
            EnrolmentCode::parse("ABCD-EFGH-JKMN"),
            Err(TrustError::NoFingerprint)
        );
    }
}

#[cfg(test)]
mod handshake_tests;
