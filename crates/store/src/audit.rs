//! The desk's audit trail: every access appended as a signed, hash-chained event in the same
//! encrypted database (inside the transaction of the change it records, where there is one),
//! acknowledged by the hub with its position in the township's Merkle log.

use crate::{Store, StoreError};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
pub use tongban_audit::AuditAction;
use tongban_audit::{
    ChainBreak, Head, Outcome, SignedCheckpoint, SignedEvent, next_event, verify_chain,
};
use tongban_domain::Action;
use tongban_domain::desk::AuditRow;
use tongban_sync::ed25519_dalek::{SigningKey, VerifyingKey};

/// What is being recorded; the store adds device, time, sequence and link.
#[derive(Debug, Clone)]
pub struct Access<'a> {
    pub user: &'a str,
    pub action: AuditAction,
    pub object: &'a str,
    pub outcome: Outcome,
    pub detail: &'a str,
    pub digest: &'a str,
}

impl<'a> Access<'a> {
    pub fn done(user: &'a str, action: AuditAction, object: &'a str) -> Self {
        Self {
            user,
            action,
            object,
            outcome: Outcome::Done,
            detail: "",
            digest: "",
        }
    }
}

/// The audit action a workflow action is recorded under.
pub fn audit_action(action: Action) -> AuditAction {
    match action {
        Action::View | Action::ReadAudit | Action::ReadFigures => AuditAction::View,
        Action::Unmask => AuditAction::Unmask,
        Action::Register => AuditAction::Register,
        Action::Edit => AuditAction::Edit,
        Action::Approve | Action::Reject | Action::Resolve => AuditAction::Decision,
        Action::ManageUsers | Action::PruneAudit | Action::ConfigureDesk | Action::Backup => {
            AuditAction::Key
        }
        _ => AuditAction::Transition,
    }
}

pub(crate) fn head(conn: &Connection) -> Result<Option<Head>, StoreError> {
    let row: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(seq, hash)| {
        Ok(Head {
            seq: u64::try_from(seq).map_err(|_| StoreError::Corrupt("audit sequence".into()))?,
            hash: hash
                .try_into()
                .map_err(|_| StoreError::Corrupt("audit hash".into()))?,
        })
    })
    .transpose()
}

/// The hash of this desk's event `seq`, unless it was never recorded or has been removed.
pub(crate) fn hash_at(conn: &Connection, seq: u64) -> Result<Option<[u8; 32]>, StoreError> {
    let hash: Option<Vec<u8>> = conn
        .query_row(
            "SELECT hash FROM audit_events WHERE seq = ?1",
            [seq as i64],
            |r| r.get(0),
        )
        .optional()?;
    hash.map(|h| {
        h.try_into()
            .map_err(|_| StoreError::Corrupt("audit hash".into()))
    })
    .transpose()
}

/// A head as kept outside the trail (the keyring's record, the retention anchor).
pub(crate) fn head_text(head: &Head) -> String {
    format!("{}:{}", head.seq, hex::encode(head.hash))
}

pub(crate) fn parse_head(text: &str) -> Option<Head> {
    let (seq, hash) = text.split_once(':')?;
    Some(Head {
        seq: seq.parse().ok()?,
        hash: hex::decode(hash).ok()?.try_into().ok()?,
    })
}

/// Appends one event inside the caller's transaction. A desk not yet enrolled has no key and
/// nothing to audit.
pub(crate) fn append(tx: &Connection, access: &Access<'_>, at_ms: i64) -> Result<(), StoreError> {
    let setting = |key: &str| -> Result<Option<Vec<u8>>, StoreError> {
        Ok(tx
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    };
    let (Some(device), Some(key)) = (setting("device_id")?, setting("device_key")?) else {
        return Ok(());
    };
    let device = String::from_utf8(device).map_err(|_| StoreError::Corrupt("device id".into()))?;
    let key = zeroize::Zeroizing::new(key);
    let key: [u8; 32] = key
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::Corrupt("device key".into()))?;
    let key = SigningKey::from_bytes(&key);
    let mut event = next_event(head(tx)?, &device, at_ms);
    event.user = access.user.to_string();
    event.action = access.action;
    event.object = access.object.to_string();
    event.outcome = access.outcome;
    event.detail = access.detail.to_string();
    event.digest = access.digest.to_string();
    let signed = event.sign(&key);
    tx.prepare_cached(
        "INSERT INTO audit_events (seq, bytes, signature, hash, at_ms, object)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        event.seq as i64,
        signed.bytes,
        signed.signature,
        signed.hash().to_vec(),
        at_ms,
        event.object
    ])?;
    Ok(())
}

/// How the local trail stands after checking every event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TrailReport {
    pub events: u64,
    pub acknowledged: u64,
    pub checkpoint_size: Option<u64>,
}

impl Store {
    /// Records an access in its own transaction.
    pub fn audit(&self, access: &Access<'_>, at_ms: i64) -> Result<(), StoreError> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        append(&tx, access, at_ms)?;
        crate::witness::commit(tx, self.witness.as_ref())
    }

    /// Who saw or changed `object` (everything when `None`), newest first: every desk's events
    /// as read from the township log, and this desk's own not yet there.
    pub fn audit_rows(
        &self,
        object: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AuditRow>, StoreError> {
        // This desk's own events are in the township copy once it has read back past them.
        let mut stmt = self.conn.prepare(
            "SELECT bytes, signature FROM township_audit WHERE ?1 IS NULL OR object = ?1
             UNION ALL
             SELECT bytes, signature FROM audit_events WHERE (?1 IS NULL OR object = ?1)
                 AND (hub_position IS NULL
                      OR hub_position >= (SELECT count(*) FROM township_audit))",
        )?;
        let events = stmt
            .query_map(params![object], |r| {
                Ok(SignedEvent {
                    bytes: r.get(0)?,
                    signature: r.get(1)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut decoded = events
            .iter()
            .map(|signed| signed.event())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Corrupt(format!("audit event: {e}")))?;
        // Newest first; one device's events in their own order when the clock ties.
        decoded.sort_by(|a, b| (b.at_ms, &b.device, b.seq).cmp(&(a.at_ms, &a.device, a.seq)));
        let mut rows: Vec<AuditRow> = decoded
            .into_iter()
            .map(|event| AuditRow {
                at_ms: event.at_ms,
                user: event.user,
                device: event.device,
                action: event.action.as_str().to_string(),
                action_zh: event.action.label_zh().to_string(),
                object: event.object,
                refused: event.outcome == Outcome::Refused,
                detail: event.detail,
            })
            .collect();
        rows.truncate(limit as usize);
        Ok(rows)
    }

    /// How many entries of the township log this desk holds.
    pub fn township_audit_size(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM township_audit", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Adds entries read from the township log (from position `township_audit_size`), once each
    /// is signed by a device of the township and the whole log matches `checkpoint`'s root;
    /// otherwise nothing is stored.
    pub fn add_township_audit(
        &mut self,
        entries: &[SignedEvent],
        checkpoint: &SignedCheckpoint,
    ) -> Result<Result<(), String>, StoreError> {
        let from = self.township_audit_size()?;
        let mut tree = tongban_audit::MerkleLog::new();
        {
            let mut stmt = self
                .conn
                .prepare("SELECT hash FROM township_audit ORDER BY position")?;
            for hash in stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))? {
                let hash: [u8; 32] = hash?
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("township audit hash".into()))?;
                tree.push(hash);
            }
        }
        let mut rows = Vec::with_capacity(entries.len());
        for (i, signed) in entries.iter().enumerate() {
            let position = from + i as u64;
            let event = match signed.event() {
                Ok(event) => event,
                Err(e) => return Ok(Err(format!("log entry {position}: {e}"))),
            };
            let key = self
                .device_public_key(&event.device)?
                .and_then(|k| tongban_sync::auth::parse_public_key(&k).ok());
            let Some(key) = key else {
                return Ok(Err(format!(
                    "log entry {position}: unknown device {}",
                    event.device
                )));
            };
            if let Err(e) = signed.check_signature(&key) {
                return Ok(Err(format!("log entry {position}: {e}")));
            }
            tree.push(signed.hash());
            rows.push((position, event));
        }
        let root = checkpoint
            .checkpoint
            .root_bytes()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if tree.len() != checkpoint.checkpoint.size || tree.root() != root {
            return Ok(Err(format!(
                "the township log read from the hub ({} entries) does not match its checkpoint ({} entries)",
                tree.len(),
                checkpoint.checkpoint.size
            )));
        }
        let tx = self.conn.transaction()?;
        for ((position, event), signed) in rows.into_iter().zip(entries) {
            tx.execute(
                "INSERT INTO township_audit (position, device, seq, hash, bytes, signature, object)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    position as i64,
                    event.device,
                    event.seq as i64,
                    signed.hash().to_vec(),
                    signed.bytes,
                    signed.signature,
                    event.object
                ],
            )?;
        }
        tx.commit()?;
        Ok(Ok(()))
    }

    /// Events from sequence number `from` on, in order, at most `limit`.
    pub fn audit_events(&self, from: u64, limit: u32) -> Result<Vec<SignedEvent>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT bytes, signature FROM audit_events WHERE seq >= ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![from as i64, limit], |r| {
            Ok(SignedEvent {
                bytes: r.get(0)?,
                signature: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The first event the hub has not acknowledged yet.
    pub fn first_unacknowledged_audit(&self) -> Result<u64, StoreError> {
        let seq: Option<i64> = self.conn.query_row(
            "SELECT min(seq) FROM audit_events WHERE hub_position IS NULL",
            [],
            |r| r.get(0),
        )?;
        match seq {
            Some(seq) => Ok(seq as u64),
            None => Ok(self.audit_head()?.map_or(0, |h| h.seq + 1)),
        }
    }

    pub fn audit_head(&self) -> Result<Option<Head>, StoreError> {
        head(&self.conn)
    }

    /// Records the hub's acknowledgement of events `first..` at log positions `positions` and
    /// the checkpoint that proved them, together.
    pub fn acknowledge_audit(
        &mut self,
        first: u64,
        positions: &[u64],
        checkpoint: &SignedCheckpoint,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for (i, position) in positions.iter().enumerate() {
            tx.execute(
                "UPDATE audit_events SET hub_position = ?1 WHERE seq = ?2",
                params![*position as i64, (first + i as u64) as i64],
            )?;
        }
        let text =
            serde_json::to_vec(checkpoint).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Self::put_setting(&tx, "audit_checkpoint", &text)?;
        tx.commit()?;
        Ok(())
    }

    /// The last checkpoint of the township log this desk verified.
    pub fn audit_checkpoint(&self) -> Result<Option<SignedCheckpoint>, StoreError> {
        self.setting("audit_checkpoint")?
            .map(|b| serde_json::from_slice(&b).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    /// The hub's checkpoint-signing key, learnt at enrolment.
    pub fn hub_audit_key(&self) -> Result<VerifyingKey, StoreError> {
        tongban_sync::auth::parse_public_key(&self.enrollment()?.hub_audit_key)
            .map_err(|_| StoreError::Corrupt("hub audit key".into()))
    }

    /// Checks the whole local trail: every signature, sequence number and link, ending at
    /// `expected_end` when a head is known from outside the database.
    pub fn verify_trail(
        &self,
        expected_end: Option<Head>,
    ) -> Result<Result<TrailReport, ChainBreak>, StoreError> {
        let enrollment = self.enrollment()?;
        let key = SigningKey::from_bytes(self.device_key()?.expose()).verifying_key();
        let mut stmt = self
            .conn
            .prepare("SELECT bytes, signature FROM audit_events ORDER BY seq")?;
        let events = stmt
            .query_map([], |r| {
                Ok(SignedEvent {
                    bytes: r.get(0)?,
                    signature: r.get(1)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let anchor = self.audit_anchor()?;
        if let Err(e) = verify_chain(&enrollment.device_id, &key, anchor, &events, expected_end) {
            return Ok(Err(e));
        }
        let acknowledged: i64 = self.conn.query_row(
            "SELECT count(*) FROM audit_events WHERE hub_position IS NOT NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(Ok(TrailReport {
            events: events.len() as u64,
            acknowledged: acknowledged as u64,
            checkpoint_size: self.audit_checkpoint()?.map(|c| c.checkpoint.size),
        }))
    }
}
