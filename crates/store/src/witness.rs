//! The head of the desk's audit trail, kept outside the database file in this machine's keyring
//! and moved forward after every committed event. An older copy of `cases.db` put in place ends
//! before it (or holds another event there), and is refused when the profile opens — offline,
//! before the hub's own check at the next sync.

use crate::StoreError;
use crate::keys::{KEYRING_SERVICE, keyring_error};
use rusqlite::{Connection, OptionalExtension, Transaction};
use tongban_audit::Head;

pub(crate) struct Witness {
    entry: keyring::Entry,
}

impl Witness {
    pub(crate) fn for_profile(profile_id: &str) -> Result<Self, StoreError> {
        let entry = keyring::Entry::new(KEYRING_SERVICE, &format!("profile-{profile_id}-trail"))
            .map_err(keyring_error)?;
        Ok(Self { entry })
    }

    pub(crate) fn load(&self) -> Result<Option<Head>, StoreError> {
        let text = match self.entry.get_password() {
            Ok(text) => text,
            Err(keyring::Error::NoEntry) => return Ok(None),
            Err(e) => return Err(keyring_error(e)),
        };
        let unreadable = || StoreError::Corrupt("the keyring's record of the audit trail".into());
        let (seq, hash) = text.split_once(':').ok_or_else(unreadable)?;
        let hash: [u8; 32] = hex::decode(hash)
            .ok()
            .and_then(|h| h.try_into().ok())
            .ok_or_else(unreadable)?;
        Ok(Some(Head {
            seq: seq.parse().map_err(|_| unreadable())?,
            hash,
        }))
    }

    pub(crate) fn store(&self, head: &Head) -> Result<(), StoreError> {
        self.entry
            .set_password(&format!("{}:{}", head.seq, hex::encode(head.hash)))
            .map_err(keyring_error)
    }

    pub(crate) fn delete(&self) -> Result<(), StoreError> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }

    /// Refuses a database whose trail does not reach the recorded head or holds another event
    /// there; records the head when none was recorded yet (a profile from before this record).
    pub(crate) fn check(&self, conn: &Connection) -> Result<(), StoreError> {
        let Some(recorded) = self.load()? else {
            if let Some(head) = crate::audit::head(conn)? {
                self.store(&head)?;
            }
            return Ok(());
        };
        let held: Option<Vec<u8>> = conn
            .query_row(
                "SELECT hash FROM audit_events WHERE seq = ?1",
                [recorded.seq as i64],
                |r| r.get(0),
            )
            .optional()?;
        let database = crate::audit::head(conn)?.map_or(0, |h| h.seq + 1);
        match held {
            Some(hash) if hash == recorded.hash => Ok(()),
            Some(_) => Err(StoreError::TrailForked(recorded.seq)),
            // Removed after its retention period, with later events kept.
            None if database > recorded.seq + 1 => Ok(()),
            None => Err(StoreError::RolledBack {
                database,
                recorded: recorded.seq + 1,
            }),
        }
    }
}

/// Commits a transaction that appended to the trail, then moves the recorded head forward. A
/// keyring that fails after the commit leaves the record behind, which only weakens the check
/// and never refuses a good database, so it is logged rather than reported as a failed change.
pub(crate) fn commit(tx: Transaction<'_>, witness: Option<&Witness>) -> Result<(), StoreError> {
    let head = match witness {
        Some(_) => crate::audit::head(&tx)?,
        None => None,
    };
    tx.commit()?;
    if let (Some(witness), Some(head)) = (witness, head)
        && let Err(e) = witness.store(&head)
    {
        tracing::warn!(error = %e, "the audit trail's head could not be recorded in the keyring");
    }
    Ok(())
}
