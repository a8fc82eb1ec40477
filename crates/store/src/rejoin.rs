//! After a restore from a backup, the desk's trail ends where the backup ended, while the hub
//! may hold later events of this desk. The first sync reads them back from the township log
//! (checked against a signed checkpoint) and puts them after the backup's events; what the desk
//! recorded since the restore follows them, signed again in its new place. Until then no case is
//! registered, since the numbers this desk gave after the backup are not known here yet.

use crate::audit::{Access, append, hash_at};
use crate::{Store, StoreError};
use rusqlite::{Connection, Transaction, TransactionBehavior, params};
use tongban_audit::{AuditEvent, SignedEvent, verify_chain};
use tongban_sync::ed25519_dalek::SigningKey;

const REJOIN_FROM: &str = "audit_rejoin_from";

impl Store {
    /// Marks a restored database: its trail holds `events` events from the backup.
    pub(crate) fn mark_restored(conn: &Connection, events: u64) -> Result<(), StoreError> {
        Self::put_setting(conn, REJOIN_FROM, events.to_string().as_bytes())
    }

    /// Where the restored trail ends, while it waits to be joined with the hub's record.
    pub fn awaiting_rejoin(&self) -> Result<Option<u64>, StoreError> {
        self.setting(REJOIN_FROM)?
            .map(|v| {
                String::from_utf8(v)
                    .ok()
                    .and_then(|t| t.parse().ok())
                    .ok_or_else(|| StoreError::Corrupt(REJOIN_FROM.into()))
            })
            .transpose()
    }

    /// Joins the trail with this desk's events in the township log the desk holds (read up to a
    /// verified checkpoint just before). Returns how many events were read back, or why the
    /// hub's record cannot be joined (nothing is changed then).
    pub fn rejoin_trail(&mut self) -> Result<Result<u64, String>, StoreError> {
        let Some(from) = self.awaiting_rejoin()? else {
            return Ok(Ok(0));
        };
        let device = self.enrollment()?.device_id;
        let key = SigningKey::from_bytes(self.device_key()?.expose());
        let logged: Vec<(i64, i64, SignedEvent)> = {
            let mut stmt = self.conn.prepare(
                "SELECT position, seq, bytes, signature FROM township_audit
                 WHERE device = ?1 ORDER BY seq",
            )?;
            stmt.query_map([&device], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    SignedEvent {
                        bytes: r.get(2)?,
                        signature: r.get(3)?,
                    },
                ))
            })?
            .collect::<Result<_, _>>()?
        };
        let (before, after): (Vec<_>, Vec<_>) = logged
            .into_iter()
            .partition(|(_, seq, _)| (*seq as u64) < from);
        // The hub's copy of what the backup holds must be the backup's, event for event.
        for (_, seq, signed) in &before {
            // Events removed after their retention period were logged, so they match.
            let held = hash_at(&self.conn, *seq as u64)?;
            if held.is_some_and(|held| held != signed.hash()) {
                return Ok(Err(format!(
                    "the hub's event {seq} of this desk differs from the backup's"
                )));
            }
        }
        let anchor = match from {
            0 => None,
            n => match hash_at(&self.conn, n - 1)? {
                Some(hash) => Some(tongban_audit::Head { seq: n - 1, hash }),
                None => self.audit_anchor()?.filter(|a| a.seq == n - 1),
            },
        };
        let later: Vec<SignedEvent> = after.iter().map(|(_, _, s)| s.clone()).collect();
        if let Err(e) = verify_chain(&device, &key.verifying_key(), anchor, &later, None) {
            return Ok(Err(format!(
                "the hub's events of this desk after the backup do not follow it: {e}"
            )));
        }
        let decoded: Vec<AuditEvent> = later
            .iter()
            .map(|s| s.event())
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(format!("audit event: {e}")))?;
        let since_restore: Vec<AuditEvent> = self
            .audit_events(from, u32::MAX)?
            .iter()
            .map(|s| s.event())
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(format!("audit event: {e}")))?;
        // Should the keyring's record be written late, a missing record is taken afresh at the
        // next open, where a stale one would refuse this very database.
        if let Some(witness) = &self.witness {
            witness.delete()?;
        }
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        for (position, seq, _) in &before {
            tx.execute(
                "UPDATE audit_events SET hub_position = ?1 WHERE seq = ?2",
                params![position, seq],
            )?;
        }
        tx.execute("DELETE FROM audit_events WHERE seq >= ?1", [from as i64])?;
        for ((position, seq, signed), event) in after.iter().zip(&decoded) {
            tx.execute(
                "INSERT INTO audit_events (seq, bytes, signature, hash, at_ms, object, hub_position)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    seq,
                    signed.bytes,
                    signed.signature,
                    signed.hash().to_vec(),
                    event.at_ms,
                    event.object,
                    position
                ],
            )?;
        }
        for event in &since_restore {
            let access = Access {
                user: &event.user,
                action: event.action,
                object: &event.object,
                outcome: event.outcome,
                detail: &event.detail,
                digest: &event.digest,
            };
            append(&tx, &access, event.at_ms)?;
        }
        tx.execute("DELETE FROM settings WHERE key = ?1", [REJOIN_FROM])?;
        crate::witness::commit(tx, self.witness.as_ref())?;
        Ok(Ok(after.len() as u64))
    }
}
