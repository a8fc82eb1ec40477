//! Statements signed with the hub's TLS key: whatever makes a desk delete data or trust another
//! key. The signature is made through the TLS library's own signer, so any key a county's
//! certificate may have (ECDSA, RSA, Ed25519) works, and checked against the certificate the
//! desk pinned. A fixed label in the signed bytes keeps statements and TLS handshakes apart.

use crate::provider;
use rustls::SignatureScheme;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::SigningKey;
use std::sync::Arc;
use tongban_sync::wire::{SignedStatement, Statement};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum StatementError {
    BadSignature,
    Malformed,
    OtherDevice,
    Key(String),
}

impl tongban_domain::l10n::Localized for StatementError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::BadSignature => text!(
                "the hub's statement is not signed by the hub's pinned key",
                "该声明并非由中心已固定的密钥签署"
            ),
            Self::Malformed => text!("the hub's statement cannot be read", "中心的声明无法读取"),
            Self::OtherDevice => text!(
                "the hub's statement is for another device",
                "该声明针对的是其他设备"
            ),
            Self::Key(detail) => text!(
                "the hub's key cannot sign: {detail}",
                "中心密钥无法签名：{detail}"
            ),
        }
    }
}

/// The hub's side: signs statements with its TLS key.
pub struct StatementSigner {
    key: Arc<dyn SigningKey>,
}

impl StatementSigner {
    pub fn new(key: PrivateKeyDer<'static>) -> Result<Self, StatementError> {
        let key = provider()
            .key_provider
            .load_private_key(key)
            .map_err(|e| StatementError::Key(e.to_string()))?;
        Ok(Self { key })
    }

    pub fn sign(&self, statement: &Statement) -> Result<SignedStatement, StatementError> {
        let schemes = provider()
            .signature_verification_algorithms
            .supported_schemes();
        let signer = self
            .key
            .choose_scheme(&schemes)
            .ok_or_else(|| StatementError::Key("no signature scheme fits the key".into()))?;
        let bytes = statement.to_bytes();
        let signature = signer
            .sign(&Statement::signed_bytes(&bytes))
            .map_err(|e| StatementError::Key(e.to_string()))?;
        Ok(SignedStatement {
            statement: bytes,
            scheme: u16::from(signer.scheme()),
            signature,
        })
    }
}

/// The desk's side: the statement, if the pinned certificate's key signed it and it names this
/// device.
pub fn verify_statement(
    certificate: &[u8],
    signed: &SignedStatement,
    device: &str,
) -> Result<Statement, StatementError> {
    let cert = CertificateDer::from(certificate);
    let cert = webpki::EndEntityCert::try_from(&cert).map_err(|_| StatementError::Malformed)?;
    let scheme = SignatureScheme::from(signed.scheme);
    let provider = provider();
    let algorithms = provider
        .signature_verification_algorithms
        .mapping
        .iter()
        .find(|(s, _)| *s == scheme)
        .map(|(_, algs)| *algs)
        .ok_or(StatementError::BadSignature)?;
    let message = Statement::signed_bytes(&signed.statement);
    // ECDSA schemes map to several algorithms (one per curve encoding): any one verifying is
    // the key's signature.
    if !algorithms.iter().any(|alg| {
        cert.verify_signature(*alg, &message, &signed.signature)
            .is_ok()
    }) {
        return Err(StatementError::BadSignature);
    }
    let statement =
        Statement::from_bytes(&signed.statement).map_err(|_| StatementError::Malformed)?;
    if statement.device != device {
        return Err(StatementError::OtherDevice);
    }
    Ok(statement)
}
