//! A device speaking the hub's protocol directly (over TLS pinned to the hub's key, as a desk),
//! to send what a well-behaved desk never would: other townships' paths, forged, replayed,
//! oversized and malformed bodies.

use crate::Hub;
use reqwest::blocking::Client;
use tongban_sync::auth::{self, SignedHeaders};
use tongban_sync::automerge::AutoCommit;
use tongban_sync::automerge::sync::State;
use tongban_sync::case_doc;
use tongban_sync::ed25519_dalek::SigningKey;
use tongban_sync::peer;
use tongban_sync::wire::{self, DocMessage, EnrollResponse, SyncBatch};

pub struct RawDevice {
    pub id: String,
    pub serial: u32,
    pub township: String,
    /// The account it enrolled with, and that person's key (their password is the tests').
    pub user: String,
    pub person: tongban_domain::Secret,
    /// Keys of other people assigned to it since, opened with the tests' password.
    others: std::collections::HashMap<String, tongban_domain::Secret>,
    key: SigningKey,
    base: String,
    http: Client,
    /// How far the hub's clock is ahead of this process's (a test moved it): requests and
    /// forged events are dated by the hub's.
    pub ahead_secs: i64,
}

/// Status and body of an answer.
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn message(&self) -> String {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&self.body).into_owned())
    }

    /// The hub's refusal as a desk reads it: its typed kind and each language apart.
    pub fn refusal(&self) -> wire::ErrorBody {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not a refusal ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> T {
        assert_eq!(self.status, 200, "{}", self.message());
        wire::decode(&self.body).expect("hub answer decodes")
    }
}

/// An HTTP client that trusts the hub key `fingerprint` alone (plain for a loopback http URL).
pub fn pinned_client(url: &str, fingerprint: &str) -> Client {
    let builder = Client::builder();
    let builder = if url.starts_with("https://") {
        let pins = tongban_trust::Pins::new(
            tongban_trust::Fingerprint::parse(fingerprint).expect("fingerprint"),
            None,
        );
        builder.tls_backend_preconfigured(tongban_trust::client_config(pins).expect("TLS config"))
    } else {
        builder
    };
    builder.build().expect("HTTP client")
}

impl RawDevice {
    /// Enrols as a clerk account named "raw".
    pub fn enroll(hub: &Hub, township: &str) -> Self {
        Self::enroll_as(hub, township, "raw", "clerk")
    }

    pub fn enroll_as(hub: &Hub, township: &str, user: &str, role: &str) -> Self {
        hub.add_user(township, user, role);
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).expect("random");
        let key = SigningKey::from_bytes(&seed);
        let code = tongban_trust::EnrolmentCode::parse(&hub.enroll_code(township))
            .expect("enrolment code");
        let response: EnrollResponse =
            tongban_client::enroll(hub.url(), &code, user, crate::PASSWORD, "raw", &key)
                .expect("enrol");
        let http = pinned_client(hub.url(), &code.hub_key.to_string());
        Self {
            person: crate::sim::person_key(&response.directory, township, user),
            user: user.to_string(),
            others: std::collections::HashMap::new(),
            id: response.device_id,
            serial: response.device_serial,
            township: response.township_code,
            key,
            base: hub.url().to_string(),
            http,
            ahead_secs: 0,
        }
    }

    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// The key of `user` if this device holds it (it enrolled as them, or [`Self::also_as`]).
    pub fn person_key(&self, user: &str) -> Option<&tongban_domain::Secret> {
        if user == self.user {
            return Some(&self.person);
        }
        self.others.get(user)
    }

    /// The directory the hub gives this device now.
    pub fn directory(&self) -> wire::Directory {
        let request = wire::DirectoryRequest {
            digest: None,
            version: None,
        };
        let answer: wire::DirectoryResponse = self
            .post(&self.township, "directory", wire::encode(&request))
            .decode();
        answer.directory.expect("a directory")
    }

    /// Has the operator let `user` (added if missing) work at this device too, and opens their
    /// key from the directory with the tests' password.
    pub fn also_as(&mut self, hub: &Hub, user: &str, role: &str) {
        hub.add_user(&self.township, user, role);
        hub.admin(&["user", "assign", "--user", user, "--device", &self.id]);
        let key = crate::sim::person_key(&self.directory(), &self.township, user);
        self.others.insert(user.to_string(), key);
    }

    pub fn sign(&self, path: &str, body: &[u8]) -> SignedHeaders {
        let mut nonce = [0u8; 16];
        getrandom::fill(&mut nonce).expect("random");
        let now = time::OffsetDateTime::now_utc().unix_timestamp() + self.ahead_secs;
        auth::sign_request(
            &self.key,
            &self.id,
            "POST",
            path,
            now,
            &hex::encode(nonce),
            body,
        )
    }

    /// Sends raw bytes, signed with `headers` or (with `None`) not signed at all.
    pub fn send(&self, path: &str, body: Vec<u8>, headers: Option<&SignedHeaders>) -> Answer {
        self.try_send(path, body, headers).expect("hub answers")
    }

    /// As `send`, for a request the hub may cut off before reading it all.
    pub fn try_send(
        &self,
        path: &str,
        body: Vec<u8>,
        headers: Option<&SignedHeaders>,
    ) -> Result<Answer, reqwest::Error> {
        self.try_send_to(&self.base, path, body, headers)
    }

    /// As `send`, to another hub process of the same county (same key) at `base`.
    pub fn send_to(
        &self,
        base: &str,
        path: &str,
        body: Vec<u8>,
        headers: &SignedHeaders,
    ) -> Answer {
        self.try_send_to(base, path, body, Some(headers))
            .expect("hub answers")
    }

    fn try_send_to(
        &self,
        base: &str,
        path: &str,
        body: Vec<u8>,
        headers: Option<&SignedHeaders>,
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self.http.post(format!("{base}{path}")).body(body);
        if let Some(h) = headers {
            request = request
                .header(auth::HEADER_DEVICE, &h.device)
                .header(auth::HEADER_TIMESTAMP, h.timestamp.to_string())
                .header(auth::HEADER_NONCE, &h.nonce)
                .header(auth::HEADER_SIGNATURE, &h.signature)
                .header(auth::HEADER_BODY_HASH, &h.body_sha256);
        }
        let response = request.send()?;
        Ok(Answer {
            status: response.status().as_u16(),
            body: response.bytes()?.to_vec(),
        })
    }

    /// An unsigned GET, as monitoring sends.
    pub fn get(&self, path: &str) -> Answer {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .expect("hub answers");
        Answer {
            status: response.status().as_u16(),
            body: response.bytes().expect("body").to_vec(),
        }
    }

    /// A correctly signed POST of raw bytes to `/v1/townships/{township}/{endpoint}`.
    pub fn post(&self, township: &str, endpoint: &str, body: Vec<u8>) -> Answer {
        self.try_post(township, endpoint, body)
            .expect("hub answers")
    }

    pub fn try_post(
        &self,
        township: &str,
        endpoint: &str,
        body: Vec<u8>,
    ) -> Result<Answer, reqwest::Error> {
        let path = format!("/v1/townships/{township}/{endpoint}");
        let headers = self.sign(&path, &body);
        self.try_send(&path, body, Some(&headers))
    }
}

impl RawDevice {
    /// Exchanges sync messages for one case until the hub has nothing more to say; returns the
    /// last refusal if the hub refused a round.
    pub fn sync_doc(
        &self,
        doc_id: &str,
        doc: &mut AutoCommit,
        state: &mut State,
    ) -> Result<(), Answer> {
        for _ in 0..12 {
            let Some(message) = peer::generate(doc, state) else {
                return Ok(());
            };
            let batch = SyncBatch {
                messages: vec![DocMessage {
                    doc_id: doc_id.to_string(),
                    message,
                }],
            };
            let answer = self.post(&self.township, "sync", wire::encode(&batch));
            if answer.status != 200 {
                return Err(answer);
            }
            let replies: SyncBatch = answer.decode();
            for reply in replies.messages {
                peer::receive(doc, state, &reply.message).expect("hub reply applies");
            }
        }
        panic!("sync of {doc_id} did not settle");
    }

    /// The hub's copy of a case, fetched through the sync protocol like a desk would.
    pub fn pull(&self, doc_id: &str) -> (AutoCommit, State) {
        let mut doc = AutoCommit::new();
        doc.set_actor(case_doc::device_actor(&self.id));
        let mut state = State::new();
        if let Err(answer) = self.sync_doc(doc_id, &mut doc, &mut state) {
            panic!("pull {doc_id}: {} {}", answer.status, answer.message());
        }
        (doc, state)
    }
}
