//! The pinned verifier and statements against real keys and a real (in-memory) TLS handshake.
#![allow(clippy::unwrap_used)]

use crate::*;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tongban_sync::wire::{Statement, StatementKind};

struct Identity {
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

fn identity(algorithm: &'static rcgen::SignatureAlgorithm) -> Identity {
    let key = rcgen::KeyPair::generate_for(algorithm).unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".into()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    Identity {
        cert: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
    }
}

/// Runs a whole handshake between a pinned client and a server holding `server`.
fn handshake(pins: Pins, server: &Identity) -> Result<(), rustls::Error> {
    let server_config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![server.cert.clone()], server.key.clone_key())
        .unwrap();
    let mut server = rustls::ServerConnection::new(std::sync::Arc::new(server_config)).unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let mut client =
        rustls::ClientConnection::new(std::sync::Arc::new(client_config(pins).unwrap()), name)
            .unwrap();
    for _ in 0..10 {
        let mut wire = Vec::new();
        client.write_tls(&mut wire).unwrap();
        server.read_tls(&mut wire.as_slice()).unwrap();
        server.process_new_packets()?;
        let mut back = Vec::new();
        server.write_tls(&mut back).unwrap();
        client.read_tls(&mut back.as_slice()).unwrap();
        client.process_new_packets()?;
        if !client.is_handshaking() && !server.is_handshaking() {
            return Ok(());
        }
    }
    panic!("handshake did not finish");
}

fn fingerprint(id: &Identity) -> Fingerprint {
    Fingerprint::of_certificate(id.cert.as_ref()).unwrap()
}

#[test]
fn a_desk_talks_only_to_the_pinned_key_or_the_announced_next_one() {
    let hub = identity(&rcgen::PKCS_ECDSA_P256_SHA256);
    let next = identity(&rcgen::PKCS_ED25519);
    let relay = identity(&rcgen::PKCS_ECDSA_P256_SHA256);

    let pins = Pins::new(fingerprint(&hub), None);
    handshake(pins.clone(), &hub).unwrap();
    assert_eq!(pins.presented(), Some(fingerprint(&hub)));

    let refused = handshake(pins.clone(), &relay).unwrap_err();
    assert_eq!(
        pin_mismatch(&refused),
        Some(PinMismatch {
            pinned: fingerprint(&hub),
            presented: fingerprint(&relay),
        })
    );
    assert_eq!(pins.presented(), Some(fingerprint(&relay)));
    assert!(handshake(pins, &next).is_err());

    let moving = Pins::new(fingerprint(&hub), Some(fingerprint(&next)));
    handshake(moving.clone(), &next).unwrap();
    handshake(moving.clone(), &hub).unwrap();
    assert!(handshake(moving, &relay).is_err());
}

#[test]
fn statements_verify_against_the_signing_certificate_for_the_named_device_only() {
    for algorithm in [&rcgen::PKCS_ECDSA_P256_SHA256, &rcgen::PKCS_ED25519] {
        let hub = identity(algorithm);
        let other = identity(algorithm);
        let statement = Statement {
            kind: StatementKind::Revoked,
            device: "dev-1".into(),
            township: "450721101".into(),
            issued_at: 1_800_000_000,
            answers_nonce: Some("00112233445566778899aabbccddeeff".into()),
        };
        let signed = StatementSigner::new(hub.key.clone_key())
            .unwrap()
            .sign(&statement)
            .unwrap();
        assert_eq!(
            verify_statement(hub.cert.as_ref(), &signed, "dev-1"),
            Ok(statement.clone())
        );
        assert_eq!(
            verify_statement(hub.cert.as_ref(), &signed, "dev-2"),
            Err(StatementError::OtherDevice)
        );
        assert_eq!(
            verify_statement(other.cert.as_ref(), &signed, "dev-1"),
            Err(StatementError::BadSignature)
        );
        let mut edited = signed.clone();
        let forged = Statement {
            device: "dev-2".into(),
            ..statement.clone()
        };
        edited.statement = forged.to_bytes();
        assert_eq!(
            verify_statement(hub.cert.as_ref(), &edited, "dev-2"),
            Err(StatementError::BadSignature)
        );
        let mut unsigned = signed.clone();
        unsigned.signature.clear();
        assert!(verify_statement(hub.cert.as_ref(), &unsigned, "dev-1").is_err());
        let mut other_scheme = signed;
        other_scheme.scheme = 0xffff;
        assert!(verify_statement(hub.cert.as_ref(), &other_scheme, "dev-1").is_err());
    }
}
