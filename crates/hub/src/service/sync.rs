//! A desk's sync: the township's directory, the manifest of what differs, and batches of
//! Automerge messages. Every message is checked before anything is stored, so a bad batch
//! changes nothing; documents are written with optimistic concurrency so two desks syncing one
//! case at once both keep their changes.

use super::{Hub, doc_context, now_secs};
use crate::db::{Device, DocWrite, HubDb, HubError, HubResult, StoredDoc, SyncedDoc};
use crate::review::{self, Person, Township};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use tongban_domain::Localized;
use tongban_domain::calendar::WorkCalendar;
use tongban_domain::l10n::Text;
use tongban_domain::text;
use tongban_domain::{CaseNumber, EventKind, Role, TownshipCode};
use tongban_sync::automerge::AutoCommit;
use tongban_sync::automerge::sync::State;
use tongban_sync::case_doc;
use tongban_sync::peer;
use tongban_sync::wire::{
    Directory, DirectoryDevice, DirectoryRequest, DirectoryResponse, DirectoryUser, DocMessage,
    MAX_VERSION_CHARS, ManifestRequest, ManifestResponse, Statement, StatementKind, SyncBatch,
};

/// How often a document write is retried when another request stored the same case first.
const MAX_WRITE_ATTEMPTS: usize = 8;
/// A desk lists at most this many changed documents in one manifest.
const MAX_MANIFEST_DOCS: usize = 100_000;
/// The largest case document the hub keeps (far above any real case's).
const MAX_DOC_BYTES: usize = 4 * 1024 * 1024;

/// Every document named in a request must be a case of the township the request is for, or,
/// from a county desk, of one of the county's townships (whether it was reported up is checked
/// against what the hub stores). Returns the case's township.
pub(crate) fn check_doc_id(doc_id: &str, unit: &str) -> HubResult<String> {
    let number = CaseNumber::parse(doc_id).map_err(|e| HubError::BadRequest(e.text()))?;
    let own = number.township() == unit;
    let county = TownshipCode::parse(unit).is_ok_and(|unit| {
        TownshipCode::parse(number.township())
            .is_ok_and(|t| unit.is_county_unit() && !t.is_county_unit() && unit.same_county(&t))
    });
    if !own && !county {
        return Err(HubError::Forbidden(text!(
            "case {doc_id} belongs to another township",
            "办件{doc_id}属于其他乡镇"
        )));
    }
    Ok(number.township().to_string())
}

/// A county desk sees only the cases reported up to its county: each one it names must be
/// shared with it already (a county never registers a case).
fn not_reported(doc_id: &str) -> HubError {
    HubError::Forbidden(text!(
        "case {doc_id} was not reported up to the county",
        "办件{doc_id}未上报县级部门"
    ))
}

struct Applied {
    doc: AutoCommit,
    state: State,
    changed: bool,
    version: Option<i64>,
    pages: Vec<String>,
    /// Whether the case was ever reported up, so the county shares in its changes.
    reported: bool,
    /// The township the case belongs to.
    township: String,
}

impl<D: HubDb> Hub<D> {
    /// What one desk of a township needs beyond cases: the accounts assigned to it (and to no
    /// other desk is anything of them given), every device's public key, the rules, the calendar.
    pub async fn directory(&self, township: &str, device: &str) -> HubResult<Directory> {
        let here: HashSet<String> = self
            .db
            .assignments(township)
            .await?
            .into_iter()
            .filter(|a| a.device == device && a.until_ms.is_none())
            .map(|a| a.name)
            .collect();
        let users = self
            .users(township)
            .await?
            .into_iter()
            // A disabled account is dropped: desks refuse it once they have this directory.
            .filter(|u| u.disabled_at.is_none() && here.contains(&u.name))
            .filter_map(|u| match u.role.parse::<Role>() {
                Ok(role) => Some(DirectoryUser {
                    name: u.name,
                    role,
                    public_key: u.public_key,
                    sealed_key: u.sealed_key,
                    totp_secret: u.totp_secret,
                    must_change: u.must_change,
                }),
                Err(_) => {
                    tracing::warn!(township, role = %u.role, "user with an unknown role left out");
                    None
                }
            })
            .collect();
        // A township's desks know the county's desks too, and a county's desks its townships',
        // so each can check the seal of a decision the other level made.
        let mut units = vec![township.to_string()];
        if let Ok(code) = TownshipCode::parse(township) {
            if code.is_county_unit() {
                units.extend(self.county_townships(&code).await?);
            } else {
                units.push(code.county_unit().to_string());
            }
        }
        let mut devices = Vec::new();
        for unit in &units {
            devices.extend(self.db.devices(unit).await?);
        }
        let devices = devices
            .into_iter()
            .map(|d| DirectoryDevice {
                id: d.id,
                serial: d.serial,
                public_key: d.public_key,
                revoked: d.revoked,
            })
            .collect();
        Ok(Directory {
            users,
            devices,
            policy: self.policy(township).await?,
            calendar: self.calendar().await?,
            catalogues: self
                .published_catalogues()
                .await?
                .into_iter()
                .map(|p| p.catalogue)
                .collect(),
        })
    }

    /// The townships the hub keeps in `county`'s county.
    pub(crate) async fn county_townships(&self, county: &TownshipCode) -> HubResult<Vec<String>> {
        Ok(self
            .db
            .township_codes()
            .await?
            .into_iter()
            .filter(|t| {
                TownshipCode::parse(t).is_ok_and(|t| !t.is_county_unit() && t.same_county(county))
            })
            .collect())
    }

    /// Who may write into a township's cases: its own accounts and its county's officers (a
    /// name both hold is the township's, so an officer's event under it is refused).
    async fn people(&self, township: &str) -> HubResult<HashMap<String, Person>> {
        let mut people = self.unit_people(township).await?;
        if let Ok(code) = TownshipCode::parse(township)
            && !code.is_county_unit()
        {
            for (name, person) in self.unit_people(code.county_unit().as_str()).await? {
                if person.role_now.is_county() {
                    people.entry(name).or_insert(person);
                }
            }
        }
        Ok(people)
    }

    /// The unit's accounts with their role history, keys and desks, as events are judged by
    /// them. An account with a role this hub cannot read has none.
    async fn unit_people(&self, township: &str) -> HubResult<HashMap<String, Person>> {
        let mut people: HashMap<String, Person> = self
            .db
            .users(township)
            .await?
            .into_iter()
            .filter_map(|u| {
                let person = Person {
                    roles: Vec::new(),
                    role_now: u.role.parse().ok()?,
                    disabled_at: u.disabled_at,
                    keys: Vec::new(),
                    desks: Vec::new(),
                };
                Some((u.name, person))
            })
            .collect();
        for change in self.db.account_changes(township).await? {
            let role = change.role.as_deref().and_then(|r| r.parse::<Role>().ok());
            if let (Some(person), Some(role)) = (people.get_mut(&change.name), role) {
                person.roles.push((change.at_ms, role));
            }
        }
        for key in self.db.person_keys(township).await? {
            let public = tongban_sync::auth::parse_public_key(&key.public_key);
            if let (Some(person), Ok(public)) = (people.get_mut(&key.name), public) {
                person.keys.push((key.from_ms, public));
            }
        }
        for a in self.db.assignments(township).await? {
            if let Some(person) = people.get_mut(&a.name) {
                person.desks.push((a.device, a.from_ms, a.until_ms));
            }
        }
        Ok(people)
    }

    /// What a township's cases are judged by: its people (with the county's officers), the
    /// calendar, the catalogues, and the hub's clock.
    async fn township_rules(&self, township: &str) -> HubResult<Township> {
        Ok(Township {
            code: township.to_string(),
            people: self.people(township).await?,
            calendar: match self.calendar().await? {
                Some(data) => Cow::Owned(
                    WorkCalendar::from_data(data)
                        .map_err(|e| HubError::internal(format!("stored calendar: {e}")))?,
                ),
                None => Cow::Borrowed(WorkCalendar::builtin()),
            },
            catalogues: self.catalogues().await?,
            now_ms: now_secs().saturating_mul(1000),
        })
    }

    /// The directory unless the desk's copy is current, and the statements for this desk.
    pub async fn directory_for(
        &self,
        device: &Device,
        req: DirectoryRequest,
    ) -> HubResult<DirectoryResponse> {
        if let Some(version) = req.version.as_deref() {
            // What a desk says of itself is shown to operators only as text it could be.
            let plain = version.len() <= MAX_VERSION_CHARS
                && version
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
            if !plain {
                return Err(HubError::BadRequest(text!(
                    "a desk's version is like 0.1.0 (letters, digits, . - +; at most {MAX_VERSION_CHARS})",
                    "设备版本号格式错误（如0.1.0，不超过{MAX_VERSION_CHARS}个字符）"
                )));
            }
            self.db
                .note_desk_version(&device.id, version, super::now_ms())
                .await?;
        }
        let directory = self.directory(&device.township, &device.id).await?;
        let current = req.digest.as_deref() == Some(directory.digest().as_str());
        let mut statements = Vec::new();
        if let Some((fingerprint, certificate)) = &self.identity.next {
            statements.push(self.identity.sign(&Statement {
                kind: StatementKind::NextHubKey {
                    fingerprint: fingerprint.to_string(),
                    certificate: certificate.clone(),
                },
                device: device.id.clone(),
                township: device.township.clone(),
                issued_at: now_secs(),
                answers_nonce: None,
            })?);
        }
        Ok(DirectoryResponse {
            directory: (!current).then_some(directory),
            statements,
        })
    }

    pub async fn manifest(
        &self,
        device: &Device,
        req: ManifestRequest,
    ) -> HubResult<ManifestResponse> {
        let township = device.township.as_str();
        if req.docs.len() > MAX_MANIFEST_DOCS {
            return Err(HubError::BadRequest(text!(
                "manifest lists more than {MAX_MANIFEST_DOCS} documents",
                "清单文档数超过{MAX_MANIFEST_DOCS}"
            )));
        }
        for doc in &req.docs {
            check_doc_id(&doc.doc_id, township)?;
        }
        let ids: Vec<String> = req.docs.iter().map(|d| d.doc_id.clone()).collect();
        let hub = self.db.digests(township, &ids).await?;
        if let Some(hidden) = ids
            .iter()
            .find(|id| is_county(township) && !hub.contains_key(*id))
        {
            return Err(not_reported(hidden));
        }
        let differing: Vec<String> = req
            .docs
            .iter()
            .filter(|d| hub.get(&d.doc_id) != Some(&d.digest))
            .map(|d| d.doc_id.clone())
            .collect();
        let listed: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let (mut changed, mut cursor) = self.db.changed_since(township, req.cursor).await?;
        if req.cursor > cursor {
            // A cursor beyond the feed: the hub was restored from an older copy. Start over.
            (changed, cursor) = self.db.changed_since(township, 0).await?;
        }
        let changed = changed
            .into_iter()
            .filter(|d| !listed.contains(d.doc_id.as_str()))
            .collect();
        tracing::info!(device = %device.id, listed = ids.len(), differing = differing.len(), "manifest");
        Ok(ManifestResponse {
            cursor,
            differing,
            changed,
        })
    }

    pub async fn apply_batch(&self, device: &Device, batch: SyncBatch) -> HubResult<SyncBatch> {
        let unit = device.township.as_str();
        batch
            .check_size()
            .map_err(|e| HubError::BadRequest(e.text()))?;
        let mut directories: HashMap<String, Township> = HashMap::new();
        for msg in &batch.messages {
            let township = check_doc_id(&msg.doc_id, unit)?;
            if let std::collections::hash_map::Entry::Vacant(entry) = directories.entry(township) {
                let rules = self.township_rules(entry.key()).await?;
                entry.insert(rules);
            }
        }
        if is_county(unit) {
            let ids: Vec<String> = batch.messages.iter().map(|m| m.doc_id.clone()).collect();
            let seen = self.db.digests(unit, &ids).await?;
            if let Some(hidden) = ids.iter().find(|id| !seen.contains_key(*id)) {
                return Err(not_reported(hidden));
            }
        }
        let directory_of = |doc_id: &str| {
            CaseNumber::parse(doc_id)
                .ok()
                .and_then(|n| directories.get(n.township()))
                .ok_or_else(|| HubError::internal("a checked case lost its township"))
        };
        // First pass: everything must apply cleanly before anything is written.
        let mut applied = Vec::with_capacity(batch.messages.len());
        for msg in &batch.messages {
            let directory = directory_of(&msg.doc_id)?;
            applied.push(self.load_and_apply(device, directory, msg).await?);
        }
        // Second pass: every write of the request in one transaction.
        let mut synced = Vec::with_capacity(applied.len());
        let mut replies = Vec::new();
        for (msg, result) in batch.messages.iter().zip(applied) {
            let (doc, reply) = self.outcome(msg, result).await?;
            synced.push(doc);
            replies.extend(reply);
        }
        let moved = self.db.put_synced(&device.id, synced).await?;
        // A case another desk's request stored meanwhile is applied again on top of that, alone.
        replies.retain(|r| !moved.contains(&r.doc_id));
        for msg in batch.messages.iter().filter(|m| moved.contains(&m.doc_id)) {
            tracing::info!(device = %device.id, doc = %msg.doc_id, "case stored by another request first; applying again");
            if let Some(reply) = self
                .apply_alone(device, directory_of(&msg.doc_id)?, msg)
                .await?
            {
                replies.push(reply);
            }
        }
        tracing::info!(device = %device.id, received = batch.messages.len(), replies = replies.len(), "sync batch");
        Ok(SyncBatch { messages: replies })
    }

    async fn load_and_apply(
        &self,
        device: &Device,
        directory: &Township,
        msg: &DocMessage,
    ) -> HubResult<Applied> {
        // The directory is the case's own township's, chosen once its number was checked.
        let township = directory.code.as_str();
        let stored = match self.db.doc(township, &msg.doc_id).await? {
            Some(s) => Some(StoredDoc {
                bytes: self
                    .sealer
                    .open(&doc_context(township, &msg.doc_id), &s.bytes)?,
                version: s.version,
            }),
            None => None,
        };
        let state = self.db.sync_state(&device.id, &msg.doc_id).await?;
        apply(stored, state, msg, device, directory)
    }

    /// What one applied message leaves to write, and the hub's answer to it.
    async fn outcome(
        &self,
        msg: &DocMessage,
        mut result: Applied,
    ) -> HubResult<(SyncedDoc, Option<DocMessage>)> {
        let township = result.township.clone();
        let township = township.as_str();
        let shared_with = if result.reported && result.changed {
            self.shared_unit(township).await?
        } else {
            None
        };
        let write = if result.changed {
            let case = case_doc::read(&result.doc).ok();
            Some(self.sealed_write(
                township,
                &msg.doc_id,
                &mut result.doc,
                case.as_ref(),
                result.version,
                result.pages,
            )?)
        } else {
            None
        };
        let reply = peer::generate(&mut result.doc, &mut result.state).map(|message| DocMessage {
            doc_id: msg.doc_id.clone(),
            message,
        });
        let doc = SyncedDoc {
            township: township.to_string(),
            doc_id: msg.doc_id.clone(),
            shared_with,
            write,
            state: Some(peer::persistable(&result.state)),
        };
        Ok((doc, reply))
    }

    /// The county unit a township's reported case is shared with, made ready for its feed.
    pub(super) async fn shared_unit(&self, township: &str) -> HubResult<Option<String>> {
        match TownshipCode::parse(township) {
            Ok(code) => {
                let unit = code.county_unit();
                self.county_unit(&unit).await?;
                Ok(Some(unit.to_string()))
            }
            Err(_) => Ok(None),
        }
    }

    /// A changed document as the hub stores it: sealed, under its heads' digest, with what is
    /// kept beside it read from `case` once (its facts, its applicant's tag). A document grown
    /// beyond any real case's size is refused.
    pub(super) fn sealed_write(
        &self,
        township: &str,
        doc_id: &str,
        doc: &mut AutoCommit,
        case: Option<&tongban_domain::Case>,
        expected: Option<i64>,
        pages: Vec<String>,
    ) -> HubResult<DocWrite> {
        let bytes = doc.save();
        if bytes.len() > MAX_DOC_BYTES {
            return Err(HubError::BadRequest(Text::new(
                format!("case {doc_id} would grow beyond {MAX_DOC_BYTES} bytes"),
                format!("办件{doc_id}过大"),
            )));
        }
        Ok(DocWrite {
            bytes: self.sealer.seal(&doc_context(township, doc_id), &bytes)?,
            digest: case_doc::heads_digest(&doc.get_heads()),
            expected,
            pages,
            facts: case.and_then(super::figures::facts_of_case),
            applicant: case.map(|case| self.sealer.applicant_tag(case.applicant.id.as_str())),
        })
    }

    /// One document of a request whose first write lost a race: loaded, applied and written again
    /// until the write goes through.
    async fn apply_alone(
        &self,
        device: &Device,
        directory: &Township,
        msg: &DocMessage,
    ) -> HubResult<Option<DocMessage>> {
        for _ in 0..MAX_WRITE_ATTEMPTS {
            let applied = self.load_and_apply(device, directory, msg).await?;
            let (doc, reply) = self.outcome(msg, applied).await?;
            if self.db.put_synced(&device.id, vec![doc]).await?.is_empty() {
                return Ok(reply);
            }
        }
        Err(HubError::internal(format!(
            "document {} kept changing",
            msg.doc_id
        )))
    }
}

fn apply(
    stored: Option<StoredDoc>,
    state: Option<Vec<u8>>,
    msg: &DocMessage,
    sender: &Device,
    township: &Township,
) -> HubResult<Applied> {
    let stored_damaged = |e: &dyn std::fmt::Display| {
        HubError::internal(format!("stored document {}: {e}", msg.doc_id))
    };
    let (mut doc, version) = match stored {
        Some(s) => (
            AutoCommit::load(&s.bytes).map_err(|e| stored_damaged(&e))?,
            Some(s.version),
        ),
        None => (AutoCommit::new(), None),
    };
    let mut state = peer::restore(state.as_deref());
    let before = doc.get_heads();
    peer::receive(&mut doc, &mut state, &msg.message).map_err(|e| {
        let doc = &msg.doc_id;
        HubError::BadRequest(e.text().within(text!("document {doc}", "文档{doc}")))
    })?;
    let changed = doc.get_heads() != before;
    let mut pages = Vec::new();
    let mut reported = false;
    if changed {
        let case = case_doc::read(&doc).map_err(|e| {
            let doc = &msg.doc_id;
            HubError::BadRequest(e.text().within(text!(
                "document {doc} is not a valid case",
                "文档{doc}不是有效的办件"
            )))
        })?;
        if case.number.as_str() != msg.doc_id {
            let (doc, number) = (&msg.doc_id, &case.number);
            return Err(HubError::BadRequest(text!(
                "document {doc} holds case {number}",
                "文档{doc}中是办件{number}，编号不符"
            )));
        }
        let before_case = if before.is_empty() {
            None
        } else {
            let old = doc.fork_at(&before).map_err(|e| stored_damaged(&e))?;
            Some(case_doc::read(&old).map_err(|e| stored_damaged(&e))?)
        };
        review::check_change(
            before_case.as_ref(),
            &case,
            &mut doc,
            &before,
            sender,
            township,
        )
        .map_err(|reason| {
            tracing::warn!(device = %sender.id, doc = %msg.doc_id, %reason, "change refused");
            HubError::Forbidden(reason)
        })?;
        pages = case.all_pages().map(|(_, _, p)| p.sha256.clone()).collect();
        reported = case.events.iter().any(|e| e.kind == EventKind::Forwarded);
    }
    Ok(Applied {
        doc,
        state,
        changed,
        version,
        pages,
        reported,
        township: township.code.clone(),
    })
}

fn is_county(unit: &str) -> bool {
    TownshipCode::parse(unit).is_ok_and(|u| u.is_county_unit())
}
