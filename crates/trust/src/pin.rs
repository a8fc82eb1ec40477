//! TLS for desks, pinned to the hub's key: no certificate authority, host name or date decides
//! whom a desk talks to, only the key fingerprint its enrolment code carried (or the next key the
//! hub announced under that one). The handshake's signatures are still checked, so only the
//! holder of the pinned key gets through.

use crate::{Fingerprint, provider};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, Error, OtherError, SignatureScheme};
use std::sync::{Arc, Mutex};

/// The keys a desk accepts from its hub, and the one the hub presented last.
#[derive(Debug, Clone)]
pub struct Pins {
    pub current: Fingerprint,
    /// Announced by the hub under the current key; accepted as well until it takes over.
    pub next: Option<Fingerprint>,
    presented: Arc<Mutex<Option<Fingerprint>>>,
}

impl Pins {
    pub fn new(current: Fingerprint, next: Option<Fingerprint>) -> Self {
        Self {
            current,
            next,
            presented: Arc::new(Mutex::new(None)),
        }
    }

    /// The key the hub presented in the last handshake, whether accepted or not.
    pub fn presented(&self) -> Option<Fingerprint> {
        self.presented
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// The hub presented a key this desk did not pin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinMismatch {
    pub pinned: Fingerprint,
    pub presented: Fingerprint,
}

impl std::fmt::Display for PinMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the hub presented key {} but this desk trusts only {}",
            self.presented, self.pinned
        )
    }
}

impl std::error::Error for PinMismatch {}

#[derive(Debug)]
struct PinnedVerifier {
    pins: Pins,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        let presented = Fingerprint::of_spki(parsed.subject_public_key_info().as_ref());
        *self
            .pins
            .presented
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(presented.clone());
        if presented == self.pins.current || self.pins.next.as_ref() == Some(&presented) {
            return Ok(ServerCertVerified::assertion());
        }
        Err(Error::InvalidCertificate(CertificateError::Other(
            OtherError(Arc::new(PinMismatch {
                pinned: self.pins.current.clone(),
                presented,
            })),
        )))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// A TLS client configuration that accepts the pinned keys only.
pub fn client_config(pins: Pins) -> Result<rustls::ClientConfig, Error> {
    let provider = provider();
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedVerifier { pins, provider }))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The pin mismatch behind a failed request, wherever the HTTP stack wrapped it: I/O errors hide
/// their inner error from `source()`, so they are opened with `get_ref()`.
pub fn pin_mismatch(error: &(dyn std::error::Error + 'static)) -> Option<PinMismatch> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(Error::InvalidCertificate(CertificateError::Other(other))) =
            e.downcast_ref::<Error>()
        {
            return other.0.downcast_ref::<PinMismatch>().cloned();
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            current = Some(inner);
            continue;
        }
        current = e.source();
    }
    None
}
