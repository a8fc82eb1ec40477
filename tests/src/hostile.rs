//! Parties on the path that mean harm: a TLS server with a key of its own (a relay that would
//! read what desks send), and a plain HTTP server on this machine answering every request as it
//! likes (a forged "revoked", signed or not).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use tongban_sync::wire::{self, ErrorBody, Statement, StatementKind};
use tongban_trust::rustls;
use tongban_trust::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A self-signed certificate and its key, made here.
pub struct OwnKey {
    pub certificate: CertificateDer<'static>,
    pub key: PrivateKeyDer<'static>,
}

impl OwnKey {
    pub fn new() -> Self {
        let key = rcgen::KeyPair::generate().expect("key");
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".into()]).expect("params");
        let certificate = params.self_signed(&key).expect("certificate").der().clone();
        Self {
            certificate,
            key: PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        }
    }

    pub fn fingerprint(&self) -> String {
        tongban_trust::Fingerprint::of_certificate(self.certificate.as_ref())
            .expect("fingerprint")
            .to_string()
    }
}

impl Default for OwnKey {
    fn default() -> Self {
        Self::new()
    }
}

/// A TLS server presenting its own key, counting the application bytes clients send it.
pub struct Impostor {
    url: String,
    received: Arc<AtomicU64>,
    pub key: Arc<OwnKey>,
}

impl Impostor {
    pub fn start() -> Self {
        let key = Arc::new(OwnKey::new());
        let config = rustls::ServerConfig::builder_with_provider(tongban_trust::provider())
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(vec![key.certificate.clone()], key.key.clone_key())
            .expect("server config");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
        let url = format!("https://{}", listener.local_addr().expect("address"));
        let received = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&received);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (config, counted) = (Arc::clone(&config), Arc::clone(&counted));
                thread::spawn(move || {
                    let Ok(connection) = rustls::ServerConnection::new(config) else {
                        return;
                    };
                    let mut tls = rustls::StreamOwned::new(connection, stream);
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = tls.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        counted.fetch_add(n as u64, Ordering::SeqCst);
                    }
                });
            }
        });
        Self { url, received, key }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Application bytes that reached it through TLS (zero when clients refused its key).
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::SeqCst)
    }
}

/// How a fake hub answers "revoked".
#[derive(Clone, Copy)]
pub enum ForgedRevocation {
    /// No statement at all.
    Unsigned,
    /// A statement for the right device and request, signed with a key of the forger's own.
    OtherKey,
}

/// A plain HTTP server that answers every request with a forged revocation.
pub struct FakeHub {
    url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}

impl FakeHub {
    pub fn start(forged: ForgedRevocation, township: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let key = Arc::new(OwnKey::new());
        let township = township.to_string();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, key, township) = (Arc::clone(&seen), Arc::clone(&key), township.clone());
                thread::spawn(move || answer(stream, forged, &key, &township, &seen));
            }
        });
        Self { url, requests }
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

fn answer(
    stream: TcpStream,
    forged: ForgedRevocation,
    key: &OwnKey,
    township: &str,
    seen: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let length: usize = header(&head, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    seen.lock()
        .expect("requests")
        .push(head.lines().next().unwrap_or_default().to_string());
    let statement = match forged {
        ForgedRevocation::Unsigned => None,
        ForgedRevocation::OtherKey => {
            let statement = Statement {
                kind: StatementKind::Revoked,
                device: header(&head, tongban_sync::auth::HEADER_DEVICE).unwrap_or_default(),
                township: township.to_string(),
                issued_at: time::OffsetDateTime::now_utc().unix_timestamp(),
                answers_nonce: header(&head, tongban_sync::auth::HEADER_NONCE),
            };
            let signed = tongban_trust::StatementSigner::new(key.key.clone_key())
                .expect("signer")
                .sign(&statement)
                .expect("signature");
            use base64::Engine;
            Some(base64::engine::general_purpose::STANDARD.encode(wire::encode_plain(&signed)))
        }
    };
    let body = serde_json::to_vec(&ErrorBody {
        error: wire::Refusal::Revoked,
        message: "this device has been revoked".into(),
        text: tongban_domain::Text::untranslated("this device has been revoked"),
        statement,
    })
    .expect("JSON");
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(&body);
}
