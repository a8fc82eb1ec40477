//! Simulated devices: enrolled at a real hub like a desk, holding their cases as Automerge
//! documents in memory and running the desk's sync protocol (manifest, then rounds of batched
//! sync messages, every request signed) through `HubClient`, without a profile or keyring. For
//! loads and races no set of desk processes could make.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use tongban_client::{HubClient, HubKey};
use tongban_domain::case::Desk as CaseDesk;
use tongban_domain::{
    CaseEvent, CaseNumber, Catalogue, EventKind, FieldEdit, Registration, Secret,
};
use tongban_domain::{TownshipCode, identity::with_resident_check};
use tongban_sync::automerge::AutoCommit;
use tongban_sync::automerge::sync::State;
use tongban_sync::case_doc::{self, heads_digest};
use tongban_sync::ed25519_dalek::SigningKey;
use tongban_sync::endpoint::{Manifest, Sync};
use tongban_sync::peer;
use tongban_sync::person::{self, SealedKey};
use tongban_sync::wire::{
    Directory, DocDigest, DocMessage, MAX_DOCS_PER_BATCH, ManifestRequest, ManifestResponse,
    SyncBatch,
};

use crate::{Hub, PASSWORD};

/// `user`'s key from a directory, opened with the test password.
pub fn person_key(directory: &Directory, township: &str, user: &str) -> Secret {
    let account = directory
        .users
        .iter()
        .find(|u| u.name == user)
        .expect("the enrolling user is in the directory");
    let sealed = SealedKey::parse(account.sealed_key.as_deref().expect("a sealed key"))
        .expect("a sealed key");
    let public = account.public_key.as_deref().expect("a public key");
    person::open(&sealed, township, user, public, PASSWORD).expect("the password opens it")
}

/// A case document with this device's sync state for it.
pub type Replica = (AutoCommit, State);

pub struct SimDevice {
    pub client: HubClient,
    pub user: String,
    pub device_id: String,
    pub serial: u32,
    pub township: String,
    /// The user's own key, opened from the directory the hub gave at enrolment.
    pub person: Secret,
}

impl SimDevice {
    /// Enrols a clerk `user` (added to the township if missing) with a fresh key.
    pub fn enroll(hub: &Hub, township: &str, user: &str) -> Self {
        hub.add_user(township, user, "clerk");
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).expect("random key");
        let key = SigningKey::from_bytes(&seed);
        let code = tongban_trust::EnrolmentCode::parse(&hub.enroll_code(township))
            .expect("enrolment code");
        let answer = tongban_client::enroll(hub.url(), &code, user, PASSWORD, "simulated", &key)
            .expect("enrol a simulated device");
        let hub_key = HubKey {
            pins: tongban_trust::Pins::new(code.hub_key, None),
            certificate: answer.hub_certificate.clone(),
        };
        let person = person_key(&answer.directory, township, user);
        let client = HubClient::new(hub.url(), township, &answer.device_id, key, hub_key)
            .expect("hub client");
        Self {
            client,
            user: user.to_string(),
            device_id: answer.device_id,
            serial: answer.device_serial,
            township: township.to_string(),
            person,
        }
    }

    /// New cases registered today on this device under the daily sequence numbers `seqs`;
    /// `salt` keeps ID numbers apart between devices.
    pub fn register(&self, seqs: RangeInclusive<u32>, salt: u32) -> HashMap<String, Replica> {
        let township = TownshipCode::parse(&self.township).expect("township code");
        let now = time::OffsetDateTime::now_utc();
        let desk = CaseDesk {
            township: &township,
            clerk: &self.user,
            device: &self.device_id,
            now_ms: now.unix_timestamp() * 1000,
            today: now.date(),
        };
        let catalogue = Catalogue::builtin();
        seqs.map(|seq| {
            let number =
                CaseNumber::new(&township, desk.today, self.serial, seq).expect("case number");
            let i = salt * 10_000 + seq % 10_000;
            let case = Registration {
                item: "YL01".into(),
                name: format!("申请人{}", ["甲", "乙", "丙", "丁"][seq as usize % 4]),
                id_number: resident_id(i),
                id_type: Default::default(),
                agent: None,
                phone: Some(format!("139{i:08}")),
                address: Some(format!("檀圩镇檀圩村{}号", seq % 300 + 1)),
                received: vec!["ID_CARD".into()],
            }
            .into_case(catalogue, number, &desk)
            .expect("valid registration");
            let doc =
                case_doc::create(&case, &self.device_id, &self.person).expect("case document");
            (case.number.as_str().to_string(), (doc, State::new()))
        })
        .collect()
    }

    /// Asks the hub which of `docs` differ, as a desk does before syncing; with nothing held,
    /// every case of the township is listed as changed.
    pub fn manifest(&self, docs: &mut HashMap<String, Replica>) -> ManifestResponse {
        let digests: Vec<DocDigest> = docs
            .iter_mut()
            .map(|(id, (doc, _))| DocDigest {
                doc_id: id.clone(),
                digest: heads_digest(&doc.get_heads()),
            })
            .collect();
        self.client
            .call::<Manifest>(&ManifestRequest {
                cursor: 0,
                docs: digests,
            })
            .expect("manifest")
            .answer
    }

    /// Empty replicas of every case the hub has for the township, to be filled by [`settle`].
    pub fn fetch_list(&self) -> HashMap<String, Replica> {
        let manifest = self.manifest(&mut HashMap::new());
        manifest
            .changed
            .into_iter()
            .map(|d| {
                let mut doc = AutoCommit::new();
                doc.set_actor(case_doc::device_actor(&self.device_id));
                (d.doc_id, (doc, State::new()))
            })
            .collect()
    }

    /// Corrects one applicant field of a case as this device's clerk, as `Store::set_field`
    /// writes it.
    pub fn correct(&self, doc: &mut AutoCommit, edit: &FieldEdit, at_ms: i64) {
        doc.set_actor(case_doc::device_actor(&self.device_id));
        let event = CaseEvent {
            at_ms,
            kind: EventKind::FieldChanged,
            by: self.user.clone(),
            device: self.device_id.clone(),
            detail: format!("changed {}", edit.field.as_str()),
            ..CaseEvent::default()
        };
        case_doc::apply_field_edit(doc, edit, &event, &self.person).expect("field edit");
    }
}

fn resident_id(i: u32) -> String {
    with_resident_check(&format!(
        "4507211980{:02}{:02}{:03}",
        i / 28 % 12 + 1,
        i % 28 + 1,
        i % 1000
    ))
    .expect("17 digits")
}

/// Runs the sync rounds for every document, as `tongban_client::sync` does; returns how many
/// are in sync with the hub at the end.
pub fn settle(client: &HubClient, docs: &mut HashMap<String, Replica>) -> usize {
    // Each sync is a new conversation, as for a desk that keeps only the persisted part of its
    // state: the hub cannot tell a device of changes between requests, so it must be asked.
    for (_, state) in docs.values_mut() {
        *state = peer::resume(Some(&peer::persistable(state)));
    }
    let ids: Vec<String> = docs.keys().cloned().collect();
    for chunk in ids.chunks(MAX_DOCS_PER_BATCH) {
        for _ in 0..8 {
            let messages: Vec<DocMessage> = chunk
                .iter()
                .filter_map(|id| {
                    let (doc, state) = docs.get_mut(id)?;
                    peer::next(doc, state).map(|message| DocMessage {
                        doc_id: id.clone(),
                        message,
                    })
                })
                .collect();
            if messages.is_empty() {
                break;
            }
            let replies: SyncBatch = client
                .call::<Sync>(&SyncBatch { messages })
                .expect("sync request")
                .answer;
            for reply in replies.messages {
                let (doc, state) = docs.get_mut(&reply.doc_id).expect("a document asked for");
                peer::receive(doc, state, &reply.message).expect("hub's sync message");
            }
        }
    }
    docs.values_mut()
        .map(|(doc, state)| usize::from(peer::in_sync(doc, state)))
        .sum()
}
