//! The head of the desk's audit trail, kept outside the database file in this machine's keyring
//! and moved forward as events are committed: at most every few seconds while the profile is
//! open, since a keyring call takes tens of milliseconds, and when it closes. An older copy of
//! `cases.db` put in place ends before it (or holds another event there), and is refused when
//! the profile opens — offline, before the hub's own check at the next sync.

use crate::StoreError;
use crate::keys::{KEYRING_SERVICE, keyring_error};
use rusqlite::{Connection, Transaction};
use std::cell::Cell;
use std::time::{Duration, Instant};
use tongban_audit::Head;

/// How long a committed head may wait before it is written to the keyring.
const INTERVAL: Duration = Duration::from_secs(5);

pub(crate) struct Witness {
    entry: keyring::Entry,
    written_at: Cell<Instant>,
    pending: Cell<Option<Head>>,
}

impl Witness {
    pub(crate) fn for_profile(profile_id: &str) -> Result<Self, StoreError> {
        let entry = keyring::Entry::new(KEYRING_SERVICE, &format!("profile-{profile_id}-trail"))
            .map_err(keyring_error)?;
        Ok(Self {
            entry,
            written_at: Cell::new(Instant::now()),
            pending: Cell::new(None),
        })
    }

    /// Records `head` now, or keeps it for the next write when one was made moments ago.
    fn advance(&self, head: Head) {
        if self.written_at.get().elapsed() < INTERVAL {
            self.pending.set(Some(head));
            return;
        }
        self.pending.set(None);
        self.written_at.set(Instant::now());
        if let Err(e) = self.store(&head) {
            tracing::warn!(error = %e, "the audit trail's head could not be recorded in the keyring");
        }
    }

    pub(crate) fn load(&self) -> Result<Option<Head>, StoreError> {
        let text = match self.entry.get_password() {
            Ok(text) => text,
            Err(keyring::Error::NoEntry) => return Ok(None),
            Err(e) => return Err(keyring_error(e)),
        };
        crate::audit::parse_head(&text)
            .map(Some)
            .ok_or_else(|| StoreError::Corrupt("the keyring's record of the audit trail".into()))
    }

    pub(crate) fn store(&self, head: &Head) -> Result<(), StoreError> {
        self.entry
            .set_password(&crate::audit::head_text(head))
            .map_err(keyring_error)
    }

    pub(crate) fn delete(&self) -> Result<(), StoreError> {
        self.pending.set(None);
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
        let held = crate::audit::hash_at(conn, recorded.seq)?;
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

impl Witness {
    /// Writes a head that was waiting for its interval.
    pub(crate) fn flush(&self) {
        if let Some(head) = self.pending.take() {
            self.written_at.set(Instant::now());
            if let Err(e) = self.store(&head) {
                tracing::warn!(error = %e, "the audit trail's head could not be recorded in the keyring");
            }
        }
    }
}

impl Drop for Witness {
    fn drop(&mut self) {
        self.flush();
    }
}

/// Commits a transaction that appended to the trail, then moves the recorded head forward. A
/// record left behind (a keyring that fails after the commit, a process killed before its next
/// write) only weakens the check and never refuses a good database, so a failure is logged
/// rather than reported as a failed change.
pub(crate) fn commit(tx: Transaction<'_>, witness: Option<&Witness>) -> Result<(), StoreError> {
    let head = match witness {
        Some(_) => crate::audit::head(&tx)?,
        None => None,
    };
    tx.commit()?;
    if let (Some(witness), Some(head)) = (witness, head) {
        witness.advance(head);
    }
    Ok(())
}
