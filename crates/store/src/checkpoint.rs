//! Copies the write-ahead log back into the database on a thread of its own. Left to SQLite,
//! that copy runs inside whichever save pushes the log past 1,000 pages, and in a desk of a
//! million cases it writes pages scattered over a large file and syncs it: that one save
//! takes several times as long as the others. Here saves only append to the log and sync it,
//! and the copy happens beside them.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::StoreError;
use crate::keys::SecretKey;

/// How often the log is copied back while the desk is saving. A quarter of a second of saves
/// is at most a few hundred pages: the log stays small, and a checkpoint with nothing to copy
/// reads only the shared-memory index.
const EVERY: Duration = Duration::from_millis(250);

/// Where SQLite still checkpoints inside a save: only if this thread has stopped keeping up
/// (a 4 KiB page each, so the log stays under about 80 MiB).
pub(crate) const FALLBACK_PAGES: u32 = 20_000;

pub(crate) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Opens a second connection to the database at `path` and starts copying its log back.
    pub(crate) fn start(path: &Path, key: &SecretKey) -> Result<Self, StoreError> {
        let conn = crate::store::open_existing(path, key)?;
        // The copy syncs the log before and the database after, as a save would.
        conn.execute_batch("PRAGMA synchronous = FULL;")?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || {
                // A failure that lasts (a full disk) is logged once, not four times a second.
                let mut failing = None;
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    // PASSIVE never waits for the desk's own connection: pages a save is
                    // writing now are copied on a later turn.
                    let outcome = conn
                        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                        .err()
                        .map(|e| e.to_string());
                    if outcome != failing {
                        match &outcome {
                            Some(error) => tracing::warn!(
                                %error,
                                "copying the log back into the database failed; SQLite copies it inside a save once it is long"
                            ),
                            None => tracing::info!("copying the log back into the database again"),
                        }
                        failing = outcome;
                    }
                }
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    /// Waits for a copy under way, so the database is left to the desk's connection alone.
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use std::time::Instant;

    /// What the database file alone holds, read from a copy taken without its log.
    fn settings_in_file_alone(path: &Path, key: &SecretKey) -> Option<i64> {
        let copy = path.with_extension("copy");
        std::fs::copy(path, &copy).ok()?;
        let conn = crate::store::open_existing(&copy, key).ok()?;
        let found = conn
            .query_row(
                "SELECT count(*) FROM settings WHERE key LIKE 'saved %'",
                [],
                |r| r.get(0),
            )
            .ok();
        drop(conn);
        for leftover in ["copy", "copy-wal", "copy-shm"] {
            let _ = std::fs::remove_file(path.with_extension(leftover));
        }
        found
    }

    #[test]
    fn saves_reach_the_database_file_while_the_desk_stays_open() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("cases.db");
        let key = SecretKey::random().expect("key");
        let mut store = Store::create(&path, &key).expect("store");
        store.checkpoint_in_background(&path, &key).expect("start");
        // A few dozen pages: far below the 1,000 at which SQLite would copy them itself.
        for n in 0..20 {
            Store::put_setting(&store.conn, &format!("saved {n}"), b"x").expect("save");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = None;
        while Instant::now() < deadline && seen != Some(20) {
            std::thread::sleep(EVERY);
            seen = settings_in_file_alone(&path, &key);
        }
        assert_eq!(seen, Some(20), "the saves never left the log");
        drop(store);
        assert!(
            !path.with_extension("db-wal").exists(),
            "the log outlived the desk"
        );
    }
}
