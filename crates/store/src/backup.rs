//! Backups of a profile: the database copied through SQLite's online backup into a new
//! SQLCipher file under the same data key, and the data key's recovery wrapping beside it, so a
//! backup plus the recovery passphrase restores the desk on a new machine. A backup holds
//! nothing in the clear.

use crate::keys::{self, RecoveryWrap, SecretKey};
use crate::profile::KeyFile;
use crate::{Access, Profile, Store, StoreError};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use tongban_audit::AuditAction;
use tongban_domain::{Action, Denied};

const MAGIC: &[u8] = b"TONGBAN BACKUP 1\n";
/// The header is one JSON line; anything longer is not a backup of ours.
const MAX_HEADER: usize = 64 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    profile_id: String,
    recovery: RecoveryWrap,
    created_at_ms: i64,
    database_bytes: u64,
}

/// What a backup holds, as reported after writing or restoring it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupReport {
    pub cases: u64,
    pub bytes: u64,
}

fn temp_beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

impl Store {
    /// Copies the open database into `dest` through SQLite's backup, `dest` keyed with the same
    /// data key, page by page while the desk keeps working.
    fn copy_encrypted(&self, dest: &Path, key: &SecretKey) -> Result<(), StoreError> {
        let mut out = Connection::open(dest)?;
        out.execute_batch(&crate::store::key_pragma(key))?;
        let backup = rusqlite::backup::Backup::new(&self.conn, &mut out)?;
        backup.run_to_completion(256, std::time::Duration::ZERO, None)?;
        drop(backup);
        // The copy must open with the key and pass both checks before it counts as a backup.
        let check = Store::open(dest, key)?;
        let problems = check.integrity_problems()?;
        if !problems.is_empty() {
            return Err(StoreError::Corrupt(format!(
                "the backup copy failed its check: {}",
                problems.join("; ")
            )));
        }
        Ok(())
    }

    fn case_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))?;
        Ok(n as u64)
    }
}

impl Profile {
    /// Writes an encrypted backup of this profile to `out` (written aside and renamed). A backup
    /// holds every case of the desk, so only an administrator signed in with their password
    /// (and code) may take one; a refusal is recorded.
    pub fn backup(
        &self,
        out: &Path,
        user: &str,
        password: &str,
        code: Option<&str>,
    ) -> Result<BackupReport, StoreError> {
        let key_file = self.read_key_file()?;
        let data_key = self.data_key_from_keyring(&key_file)?;
        let mut store = self.open_database(&key_file, &data_key)?;
        let now = time::OffsetDateTime::now_utc();
        let session = store.sign_in(user, password, code, crate::now_ms(now))?;
        if !session.role.may(Action::Backup) {
            let denied = Denied::Role(session.role, Action::Backup);
            store.refuse(&session, Action::Backup, None, &denied, now)?;
            return Err(denied.into());
        }
        let access = Access {
            detail: "backup",
            ..Access::done(&session.user, AuditAction::Key, "")
        };
        store.audit(&access, crate::now_ms(time::OffsetDateTime::now_utc()))?;
        let copy = temp_beside(out, ".db.tmp");
        let _ = fs::remove_file(&copy);
        let result = (|| {
            store.copy_encrypted(&copy, &data_key)?;
            let database = fs::read(&copy)?;
            let header = Header {
                profile_id: key_file.profile_id.clone(),
                recovery: key_file.wrapped_by_recovery.clone(),
                created_at_ms: crate::now_ms(time::OffsetDateTime::now_utc()),
                database_bytes: database.len() as u64,
            };
            let mut line =
                serde_json::to_vec(&header).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            line.push(b'\n');
            let tmp = temp_beside(out, ".tmp");
            let mut file = fs::File::create(&tmp)?;
            file.write_all(MAGIC)?;
            file.write_all(&line)?;
            file.write_all(&database)?;
            file.sync_all()?;
            fs::rename(&tmp, out)?;
            Ok(BackupReport {
                cases: store.case_count()?,
                bytes: (MAGIC.len() + line.len() + database.len()) as u64,
            })
        })();
        let _ = fs::remove_file(&copy);
        result
    }

    /// Restores a backup into this (empty) profile folder with the recovery passphrase, and
    /// puts a fresh key into this machine's keyring.
    pub fn restore(&self, from: &Path, passphrase: &str) -> Result<Store, StoreError> {
        self.check_creatable()?;
        let mut file = fs::File::open(from)?;
        let not_ours = || StoreError::NotABackup(from.to_path_buf());
        let mut magic = vec![0u8; MAGIC.len()];
        file.read_exact(&mut magic).map_err(|_| not_ours())?;
        if magic != MAGIC {
            return Err(not_ours());
        }
        let mut rest = Vec::new();
        file.read_to_end(&mut rest)?;
        let end = rest
            .iter()
            .take(MAX_HEADER)
            .position(|b| *b == b'\n')
            .ok_or_else(not_ours)?;
        let header: Header = serde_json::from_slice(&rest[..end]).map_err(|_| not_ours())?;
        let database = &rest[end + 1..];
        if database.len() as u64 != header.database_bytes {
            return Err(StoreError::Corrupt(format!(
                "the backup {} is cut short ({} of {} database bytes) / 备份文件不完整",
                from.display(),
                database.len(),
                header.database_bytes
            )));
        }
        let data_key =
            keys::unwrap_with_passphrase(passphrase, &header.recovery, &header.profile_id)?;
        fs::create_dir_all(self.dir())?;
        let staged = temp_beside(&self.database_path(), ".restoring");
        fs::write(&staged, database)?;
        let checked = (|| {
            let store = Store::open(&staged, &data_key)?;
            let problems = store.integrity_problems()?;
            if problems.is_empty() {
                Ok(())
            } else {
                Err(StoreError::Corrupt(problems.join("; ")))
            }
        })();
        if let Err(e) = checked {
            let _ = fs::remove_file(&staged);
            return Err(e);
        }
        let (keyring_account, wrapped_by_keyring) =
            Profile::seal_in_keyring(&header.profile_id, &data_key)?;
        let key_file = KeyFile {
            format: crate::profile::FORMAT,
            wrapped_by_keyring,
            wrapped_by_recovery: header.recovery,
            keyring_account,
            profile_id: header.profile_id,
        };
        self.write_key_file(&key_file)?;
        fs::rename(&staged, self.database_path())?;
        // A restore is the one deliberate step back: this machine's record of the trail starts
        // again from the backup.
        crate::witness::Witness::for_profile(&key_file.profile_id)?.delete()?;
        let store = self.open_database(&key_file, &data_key)?;
        let events = crate::audit::head(&store.conn)?.map_or(0, |h| h.seq + 1);
        Store::mark_restored(&store.conn, events)?;
        let user = store.enrollment().map(|e| e.user).unwrap_or_default();
        let access = Access {
            detail: "restored from backup",
            ..Access::done(&user, AuditAction::Key, "")
        };
        store.audit(&access, crate::now_ms(time::OffsetDateTime::now_utc()))?;
        Ok(store)
    }
}
