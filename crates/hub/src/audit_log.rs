//! The hub's side of the audit trail: appending desks' verified events to their township's
//! Merkle log, signing checkpoints with proofs, and checking a whole store offline.

use crate::audit_db::NewLogEntry;
use crate::db::{Device, HubDb, HubError, HubResult};
use std::collections::HashMap;
use tokio::sync::Mutex;
use tongban_audit::ed25519_dalek::{SigningKey, VerifyingKey};
use tongban_audit::{
    Checkpoint, Head, LogBreak, LogReport, LoggedEvent, MerkleLog, SignedCheckpoint, SignedEvent,
    verify_chain, verify_log,
};
use tongban_domain::Localized;
use tongban_domain::l10n::Text;
use tongban_domain::text;
use tongban_sync::wire::{AuditPush, AuditPushResponse, MAX_AUDIT_EVENTS};

/// The hub's own log entry as written: where it stands in the township log and what proves it.
#[derive(Debug, Clone)]
pub struct OwnEntry {
    pub position: u64,
    pub entry: SignedEvent,
    pub checkpoint: SignedCheckpoint,
    pub inclusion: Vec<u8>,
}

/// The township trees, rebuilt from the store on first use and caught up before each push (a
/// second hub process on the same PostgreSQL may have appended meanwhile).
pub struct AuditLogs {
    key: SigningKey,
    trees: Mutex<HashMap<String, MerkleLog>>,
}

fn leaf(bytes: &[u8]) -> HubResult<[u8; 32]> {
    bytes
        .try_into()
        .map_err(|_| HubError::Internal("a stored audit hash is damaged".into()))
}

fn now_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}

impl AuditLogs {
    pub fn new(key: SigningKey) -> Self {
        Self {
            key,
            trees: Mutex::new(HashMap::new()),
        }
    }

    pub fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().to_bytes())
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The key the hub signs archival records with: the one its checkpoints are signed with, so
    /// whoever trusts the hub's log trusts its packages.
    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The township log's events about `case`, with their inclusion proofs against a
    /// checkpoint signed now for the log as it stands (kept like any other).
    pub async fn case_extract<D: HubDb>(
        &self,
        db: &D,
        township: &str,
        case: &str,
    ) -> HubResult<tongban_audit::Extract> {
        let mut trees = self.trees.lock().await;
        let (tree, checkpoint) = self.caught_up(db, &mut trees, township).await?;
        let mut ours = Vec::new();
        let mut from = 0;
        while from < checkpoint.checkpoint.size {
            let entries = db.audit_entries(township, from, 10_000).await?;
            let Some(last) = entries.last() else {
                break;
            };
            from = last.position + 1;
            for entry in entries {
                let signed = SignedEvent {
                    bytes: entry.bytes,
                    signature: entry.signature,
                };
                if signed.event().is_ok_and(|e| e.object == case) {
                    ours.push((entry.position, signed));
                }
            }
        }
        let text = serde_json::to_string(&checkpoint).map_err(HubError::internal)?;
        db.put_audit_checkpoint(township, checkpoint.checkpoint.size, &text)
            .await?;
        tongban_audit::Extract::build(tree, checkpoint, &ours)
            .ok_or_else(|| HubError::Internal("the audit tree does not match its log".into()))
    }

    /// Writes the hub's own entry into a township's log (its chain under
    /// [`tongban_audit::hub_device`]), and answers with where it stands, a checkpoint signed now
    /// and the entry's inclusion proof: together, what the hub can be held to.
    pub async fn log_own<D: HubDb>(
        &self,
        db: &D,
        township: &str,
        mut event: tongban_audit::AuditEvent,
    ) -> HubResult<OwnEntry> {
        let device = tongban_audit::hub_device(township);
        let mut trees = self.trees.lock().await;
        // Another hub process on the same PostgreSQL may append meanwhile: the store refuses a
        // stale head, and the entry is chained again on the new one.
        let mut attempts = 0;
        let (position, signed) = loop {
            let head = db.audit_head(&device).await?;
            let (seq, prev) = match &head {
                Some((count, hash)) => (*count, hex::encode(hash)),
                None => (0, hex::encode(tongban_audit::GENESIS)),
            };
            event.device = device.clone();
            event.seq = seq;
            event.prev = prev;
            let signed = event.sign(&self.key);
            let entry = NewLogEntry {
                seq,
                hash: signed.hash().to_vec(),
                bytes: signed.bytes.clone(),
                signature: signed.signature.clone(),
            };
            if let Some(positions) = db.append_audit(township, &device, seq, vec![entry]).await? {
                let position = positions
                    .first()
                    .copied()
                    .ok_or_else(|| HubError::internal("an appended entry has no position"))?;
                break (position, signed);
            }
            attempts += 1;
            if attempts >= 5 {
                return Err(HubError::internal("the hub's log chain kept moving"));
            }
        };
        let (tree, checkpoint) = self.caught_up(db, &mut trees, township).await?;
        let text = serde_json::to_string(&checkpoint).map_err(HubError::internal)?;
        db.put_audit_checkpoint(township, checkpoint.checkpoint.size, &text)
            .await?;
        let inclusion = tree
            .prove_inclusion(position)
            .ok_or_else(|| HubError::internal("the hub's entry is missing from its tree"))?;
        Ok(OwnEntry {
            position,
            entry: signed,
            checkpoint,
            inclusion,
        })
    }

    /// The hub's own entries at these positions with their inclusion proofs against a
    /// checkpoint signed now: what the citizen's page offers for download.
    pub async fn own_extract<D: HubDb>(
        &self,
        db: &D,
        township: &str,
        positions: &[u64],
    ) -> HubResult<tongban_audit::Extract> {
        let mut ours = Vec::with_capacity(positions.len());
        for (position, _, signed) in self.checked_entries(db, township, positions).await? {
            ours.push((position, signed));
        }
        let mut trees = self.trees.lock().await;
        let (tree, checkpoint) = self.caught_up(db, &mut trees, township).await?;
        tongban_audit::Extract::build(tree, checkpoint, &ours)
            .ok_or_else(|| HubError::Internal("the audit tree does not match its log".into()))
    }

    /// The log's entries at these positions, each checked against the hub's key: an entry
    /// edited in the database is refused here, as `audit verify` would refuse it.
    pub async fn own_entries<D: HubDb>(
        &self,
        db: &D,
        township: &str,
        positions: &[u64],
    ) -> HubResult<Vec<(u64, tongban_audit::AuditEvent)>> {
        Ok(self
            .checked_entries(db, township, positions)
            .await?
            .into_iter()
            .map(|(position, event, _)| (position, event))
            .collect())
    }

    async fn checked_entries<D: HubDb>(
        &self,
        db: &D,
        township: &str,
        positions: &[u64],
    ) -> HubResult<Vec<(u64, tongban_audit::AuditEvent, SignedEvent)>> {
        let key = self.key.verifying_key();
        let device = tongban_audit::hub_device(township);
        let mut out = Vec::with_capacity(positions.len());
        for &position in positions {
            let Some(entry) = db.audit_entries(township, position, 1).await?.pop() else {
                return Err(HubError::Damaged(format!(
                    "{township} log entry {position}"
                )));
            };
            let signed = SignedEvent {
                bytes: entry.bytes,
                signature: entry.signature,
            };
            let event = signed
                .check_signature(&key)
                .and_then(|()| signed.event())
                .ok()
                .filter(|e| e.device == device && entry.position == position)
                .ok_or_else(|| HubError::Damaged(format!("{township} log entry {position}")))?;
            out.push((position, event, signed));
        }
        Ok(out)
    }

    /// Catches a township's tree up with the store (another hub process on the same PostgreSQL
    /// may have appended), then signs a checkpoint for it as it stands.
    async fn caught_up<'t, D: HubDb>(
        &self,
        db: &D,
        trees: &'t mut HashMap<String, MerkleLog>,
        township: &str,
    ) -> HubResult<(&'t mut MerkleLog, SignedCheckpoint)> {
        let tree = trees.entry(township.to_string()).or_default();
        for hash in db.audit_leaves(township, tree.len()).await? {
            tree.push(leaf(&hash)?);
        }
        let checkpoint = Checkpoint {
            township: township.to_string(),
            size: tree.len(),
            root: hex::encode(tree.root()),
            at_ms: now_ms(),
        }
        .sign(&self.key);
        Ok((tree, checkpoint))
    }

    /// Signs a package check's report: the hub vouches with the key that signs its checkpoints.
    pub fn sign_archive_report(&self, report: tongban_archive::Report) -> tongban_archive::Report {
        report.sign("tongban-hub", &self.key)
    }

    /// Checks a desk's events against what the log holds of that desk, appends the new ones
    /// and answers with a signed checkpoint and the proofs the desk checks it by.
    pub async fn push<D: HubDb>(
        &self,
        db: &D,
        device: &Device,
        push: AuditPush,
    ) -> Result<AuditPushResponse, HubError> {
        if push.events.len() > MAX_AUDIT_EVENTS {
            return Err(HubError::BadRequest(text!(
                "at most {MAX_AUDIT_EVENTS} audit events per request",
                "每次最多提交{MAX_AUDIT_EVENTS}条审计事件"
            )));
        }
        let key = tongban_sync::auth::parse_public_key(&device.public_key)
            .map_err(|e| HubError::Internal(e.to_string()))?;
        if let Some(witnessed) = &push.witnessed {
            self.keep_witness(db, device, witnessed).await?;
        }
        // The store orders appends; the tree then catches up with whatever was appended, here or
        // by another hub process on the same PostgreSQL.
        // A rejoining desk sends nothing; what it reads back is checked on its side.
        let local_count = if push.rejoin && push.events.is_empty() {
            tracing::info!(device = %device.id, "desk restored from a backup reads its trail back");
            u64::MAX
        } else {
            push.local_count
        };
        let positions = self
            .append(db, device, &key, local_count, push.events)
            .await?;
        let mut trees = self.trees.lock().await;
        let (tree, checkpoint) = self.caught_up(db, &mut trees, &device.township).await?;
        if checkpoint.checkpoint.size > 0 {
            let text = serde_json::to_string(&checkpoint)
                .map_err(|e| HubError::Internal(e.to_string()))?;
            db.put_audit_checkpoint(&device.township, checkpoint.checkpoint.size, &text)
                .await?;
        }
        let inclusion = positions
            .iter()
            .map(|p| tree.prove_inclusion(*p).map(serde_bytes::ByteBuf::from))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| HubError::Internal("a logged event is missing from the tree".into()))?;
        Ok(AuditPushResponse {
            // A desk that saw more than the log holds gets no proof: it will say so.
            consistency: tree.prove_consistency(push.known_size).unwrap_or_default(),
            checkpoint,
            positions,
            inclusion,
        })
    }

    /// A checkpoint a desk verified, handed back: kept if this hub signed it, so the log can
    /// later be checked against sizes it is known to have had.
    async fn keep_witness<D: HubDb>(
        &self,
        db: &D,
        device: &Device,
        witnessed: &SignedCheckpoint,
    ) -> HubResult<()> {
        witnessed
            .verify(&self.key.verifying_key(), &device.township)
            .map_err(|e| {
                HubError::BadRequest(text!("witnessed checkpoint: {e}", "设备交回的检查点无效"))
            })?;
        let text = serde_json::to_string(witnessed).map_err(HubError::internal)?;
        db.put_witnessed(
            &device.township,
            &device.id,
            witnessed.checkpoint.size,
            &text,
        )
        .await
    }

    /// Positions of the pushed events, already logged ones included.
    async fn append<D: HubDb>(
        &self,
        db: &D,
        device: &Device,
        key: &VerifyingKey,
        local_count: u64,
        events: Vec<SignedEvent>,
    ) -> Result<Vec<u64>, HubError> {
        let head = db.audit_head(&device.id).await?;
        let held = head.as_ref().map_or(0, |(count, _)| *count);
        if held > local_count {
            tracing::warn!(device = %device.id, held, local_count, "desk database older than its logged trail");
            return Err(HubError::Forbidden(text!(
                "this desk's database is older than the hub's record of it: the hub holds {held} audit events from this desk, the database {local_count}. An older copy of the database was put in place; restore the latest backup or contact the operator",
                "本机数据库比中心记录的旧：中心有本机{held}条审计事件，数据库只有{local_count}条，可能被替换为旧副本；请恢复最新备份或联系管理员"
            )));
        }
        let mut positions = Vec::with_capacity(events.len());
        let mut fresh = Vec::new();
        for signed in events {
            let event = signed.event().map_err(|e| {
                HubError::BadRequest(e.text().within(text!("audit event", "审计事件")))
            })?;
            if event.seq < held {
                // Sent again after a cut link: it must be the very event the log holds.
                match db.audit_event_at(&device.id, event.seq).await? {
                    Some((position, hash)) if hash == signed.hash() => positions.push(position),
                    _ => {
                        return Err(HubError::Forbidden(Text::new(
                            format!(
                                "audit event {} differs from the one this hub logged for the device",
                                event.seq
                            ),
                            format!("审计事件{}与中心已记录的不符", event.seq),
                        )));
                    }
                }
            } else {
                fresh.push(signed);
            }
        }
        let anchor = match head {
            Some((count, hash)) => Some(Head {
                seq: count - 1,
                hash: leaf(&hash)?,
            }),
            None => None,
        };
        verify_chain(&device.id, key, anchor, &fresh, None).map_err(|e| {
            HubError::BadRequest(
                e.text()
                    .within(text!("audit trail refused", "审计记录被拒绝")),
            )
        })?;
        if fresh.is_empty() {
            return Ok(positions);
        }
        let entries = fresh
            .iter()
            .enumerate()
            .map(|(i, s)| NewLogEntry {
                seq: held + i as u64,
                hash: s.hash().to_vec(),
                bytes: s.bytes.clone(),
                signature: s.signature.clone(),
            })
            .collect::<Vec<_>>();
        let count = entries.len() as u64;
        let appended = db
            .append_audit(&device.township, &device.id, held, entries)
            .await?
            .ok_or_else(|| {
                HubError::BadRequest(text!(
                    "the device's audit trail moved on meanwhile; sync again",
                    "审计记录已被另一请求更新，请重新同步"
                ))
            })?;
        positions.extend(appended);
        tracing::info!(device = %device.id, events = count, "audit events logged");
        Ok(positions)
    }
}

/// What `tongban-hub audit verify` found for one township.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TownshipAudit {
    pub township: String,
    #[serde(flatten)]
    pub report: LogReport,
    /// Checkpoints desks handed back, among those checked.
    pub witnesses: usize,
}

/// Checks every township log in the store against device keys, the checkpoints this hub signed
/// and those desks handed back as verified (which outlive a shortened log's own checkpoints),
/// all under the audit key kept outside the database. The first failure stops the check.
pub async fn verify_store<D: HubDb>(
    db: &D,
    hub_key: &VerifyingKey,
) -> HubResult<Result<Vec<TownshipAudit>, LogBreak>> {
    let mut reports = Vec::new();
    for township in db.township_codes().await? {
        let mut keys: HashMap<String, VerifyingKey> = HashMap::new();
        keys.insert(tongban_audit::hub_device(&township), *hub_key);
        for device in db.devices(&township).await? {
            if let Ok(key) = tongban_sync::auth::parse_public_key(&device.public_key) {
                keys.insert(device.id, key);
            }
        }
        let mut checkpoints = Vec::new();
        let mut texts = db.audit_checkpoints(&township).await?;
        let witnessed = db.witnessed(&township).await?;
        let witnesses = witnessed.len();
        texts.extend(witnessed);
        for text in texts {
            let checkpoint: SignedCheckpoint = serde_json::from_str(&text)
                .map_err(|e| HubError::Internal(format!("stored checkpoint: {e}")))?;
            checkpoints.push(checkpoint);
        }
        let mut entries = Vec::new();
        loop {
            let batch = db
                .audit_entries(&township, entries.len() as u64, 10_000)
                .await?;
            let done = batch.len() < 10_000;
            entries.extend(batch.into_iter().map(|e| LoggedEvent {
                position: e.position,
                hash: e.hash,
                event: SignedEvent {
                    bytes: e.bytes,
                    signature: e.signature,
                },
            }));
            if done {
                break;
            }
        }
        match verify_log(
            &township,
            entries,
            |id| keys.get(id).copied(),
            hub_key,
            &checkpoints,
        ) {
            Ok(report) => reports.push(TownshipAudit {
                township,
                report,
                witnesses,
            }),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(reports))
}
