//! A profile folder: `profile.json` (the wrapped data key, no secret in the clear) beside
//! `cases.db` (SQLCipher). Opening never creates; only enrolment creates, and only in an empty
//! place.

use crate::keys::{self, KeyringSlot, RecoveryWrap, SecretKey, WrappedKey};
use crate::witness::Witness;
use crate::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const KEY_FILE: &str = "profile.json";
const DATABASE: &str = "cases.db";
/// Where the desktop writes printed documents, in the profile folder.
pub const PRINTS: &str = "prints";
/// Where scanners drop files unless configured elsewhere.
pub const SCANNER_INBOX: &str = "scanner-inbox";
/// Where earlier versions moved filed scans; a wipe still clears it.
pub const FILED_SCANS: &str = "attached";
/// A printed document is left for the viewer this long, then removed.
pub const PRINT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// The files a profile is made of; a wipe removes these and nothing else of the folder.
const OWN_FILES: [&str; 6] = [
    KEY_FILE,
    "profile.json.tmp",
    DATABASE,
    "cases.db-wal",
    "cases.db-shm",
    "cases.db-journal",
];
pub(crate) const FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFile {
    pub format: u32,
    pub profile_id: String,
    pub keyring_account: String,
    pub wrapped_by_keyring: WrappedKey,
    pub wrapped_by_recovery: RecoveryWrap,
}

pub struct Profile {
    dir: PathBuf,
}

impl Profile {
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The desk's profile for the command line and the window alike: `explicit` (a flag or
    /// `TONGBAN_PROFILE`), else the user's data folder.
    pub fn locate(explicit: Option<PathBuf>) -> Result<Self, StoreError> {
        explicit
            .or_else(|| {
                directories::ProjectDirs::from("cn", "Tongban", "tongban")
                    .map(|d| d.data_dir().join("profile"))
            })
            .map(Self::at)
            .ok_or(StoreError::NoHome)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn database_path(&self) -> PathBuf {
        self.dir.join(DATABASE)
    }

    fn key_file_path(&self) -> PathBuf {
        self.dir.join(KEY_FILE)
    }

    pub fn exists(&self) -> bool {
        self.key_file_path().exists() || self.database_path().exists()
    }

    /// A new profile goes only where nothing is: no profile, and no one else's files that a
    /// later wipe could be asked to touch.
    pub fn check_creatable(&self) -> Result<(), StoreError> {
        if self.exists() {
            return Err(StoreError::ProfileExists(self.dir.clone()));
        }
        match fs::read_dir(&self.dir).map(|mut entries| entries.next().is_some()) {
            Ok(true) => Err(StoreError::FolderNotEmpty(self.dir.clone())),
            Ok(false) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates a new profile: a fresh data key, wrapped in the keyring and by the passphrase.
    pub fn create(&self, recovery_passphrase: &str) -> Result<Store, StoreError> {
        keys::check_passphrase(recovery_passphrase)?;
        self.check_creatable()?;
        private_dir(&self.dir)?;
        let profile_id = hex::encode(SecretKey::random()?.expose().get(..16).unwrap_or_default());
        let data_key = SecretKey::random()?;
        let wrapped_by_recovery =
            keys::wrap_for_recovery(recovery_passphrase, &data_key, &profile_id)?;
        let (keyring_account, wrapped_by_keyring) = Self::seal_in_keyring(&profile_id, &data_key)?;
        let key_file = KeyFile {
            format: FORMAT,
            wrapped_by_keyring,
            wrapped_by_recovery,
            keyring_account,
            profile_id,
        };
        // The key file lands before the database so no database ever exists without its key.
        self.write_key_file(&key_file)?;
        // SQLite gives the write-ahead log and its index the main file's permissions.
        private_file(&self.database_path())?;
        let mut store = Store::create(&self.database_path(), &data_key)?;
        store.checkpoint_in_background(&self.database_path(), &data_key)?;
        let witness = Witness::for_profile(&key_file.profile_id)?;
        witness.delete()?;
        store.witness = Some(witness);
        Ok(store)
    }

    pub fn open(&self) -> Result<Store, StoreError> {
        let key_file = self.read_key_file()?;
        let data_key = self.data_key_from_keyring(&key_file)?;
        self.open_database(&key_file, &data_key)
    }

    /// Puts a fresh key-encryption key for the profile into this machine's keyring and returns
    /// the keyring account with the data key wrapped under it.
    pub(crate) fn seal_in_keyring(
        profile_id: &str,
        data_key: &SecretKey,
    ) -> Result<(String, WrappedKey), StoreError> {
        let kek = SecretKey::random()?;
        let slot = KeyringSlot::for_profile(profile_id)?;
        let wrapped = keys::wrap(&kek, data_key, profile_id)?;
        slot.store(&kek)?;
        Ok((slot.account().to_string(), wrapped))
    }

    pub(crate) fn data_key_from_keyring(
        &self,
        key_file: &KeyFile,
    ) -> Result<SecretKey, StoreError> {
        let kek = KeyringSlot::for_profile(&key_file.profile_id)?.load()?;
        keys::unwrap(&kek, &key_file.wrapped_by_keyring, &key_file.profile_id)
            .ok_or(StoreError::KeyringMismatch)
    }

    /// Regains access with the recovery passphrase and puts a fresh key into the keyring.
    pub fn recover(&self, recovery_passphrase: &str) -> Result<Store, StoreError> {
        let mut key_file = self.read_key_file()?;
        let data_key = keys::unwrap_with_passphrase(
            recovery_passphrase,
            &key_file.wrapped_by_recovery,
            &key_file.profile_id,
        )?;
        let store = self.open_database(&key_file, &data_key)?;
        (key_file.keyring_account, key_file.wrapped_by_keyring) =
            Self::seal_in_keyring(&key_file.profile_id, &data_key)?;
        self.write_key_file(&key_file)?;
        let user = store.enrollment().map(|e| e.user).unwrap_or_default();
        let access = crate::Access {
            detail: "recovered with the recovery passphrase",
            ..crate::Access::done(&user, tongban_audit::AuditAction::Key, "")
        };
        store.audit(&access, crate::now_ms(time::OffsetDateTime::now_utc()))?;
        Ok(store)
    }

    /// Deletes what this profile made on this machine: the keyring entries, the database, the
    /// key file, the printed documents and the scans it filed; then the folders, if nothing
    /// else is in them. Anything else in or above the folder stays. For a device the hub
    /// revoked, on the hub's signed word.
    pub fn wipe(&self) -> Result<(), StoreError> {
        if let Ok(key_file) = self.read_key_file() {
            KeyringSlot::for_profile(&key_file.profile_id)?.delete()?;
            Witness::for_profile(&key_file.profile_id)?.delete()?;
        }
        let gone = |result: std::io::Result<()>| match result {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
        // Database last: a wipe cut short leaves a profile that still refuses to open.
        for name in OWN_FILES.iter().rev() {
            gone(fs::remove_file(self.dir.join(name)))?;
        }
        let prints = self.dir.join(PRINTS);
        remove_matching(&prints, is_printed_document)?;
        let filed = self.dir.join(SCANNER_INBOX).join(FILED_SCANS);
        remove_matching(&filed, |_| true)?;
        for dir in [
            filed,
            self.dir.join(SCANNER_INBOX),
            prints,
            self.dir.clone(),
        ] {
            // Only an empty folder goes: whatever someone else put there is kept.
            match fs::remove_dir(&dir) {
                Err(e) if e.kind() == std::io::ErrorKind::DirectoryNotEmpty => {}
                other => gone(other)?,
            }
        }
        Ok(())
    }

    /// Removes this profile's keyring entry (as when a keyring is reset or the desk moves).
    pub fn forget_keyring_entry(&self) -> Result<(), StoreError> {
        let key_file = self.read_key_file()?;
        KeyringSlot::for_profile(&key_file.profile_id)?.delete()
    }

    /// Opens the database once it is at least as new as this machine's record of its trail.
    pub(crate) fn open_database(
        &self,
        key_file: &KeyFile,
        data_key: &SecretKey,
    ) -> Result<Store, StoreError> {
        let path = self.database_path();
        if !path.exists() {
            return Err(StoreError::DatabaseMissing);
        }
        let mut store = Store::open(&path, data_key)?;
        let witness = Witness::for_profile(&key_file.profile_id)?;
        witness.check(&store.conn)?;
        store.checkpoint_in_background(&path, data_key)?;
        store.witness = Some(witness);
        Ok(store)
    }

    pub(crate) fn read_key_file(&self) -> Result<KeyFile, StoreError> {
        let path = self.key_file_path();
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(if self.database_path().exists() {
                    StoreError::KeyFileMissing
                } else {
                    StoreError::NoProfile(self.dir.clone())
                });
            }
            Err(e) => return Err(e.into()),
        };
        let key_file: KeyFile = serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("{KEY_FILE}: {e}")))?;
        if key_file.format != FORMAT {
            return Err(StoreError::Corrupt(format!(
                "{KEY_FILE} has format {}, expected {FORMAT}",
                key_file.format
            )));
        }
        Ok(key_file)
    }

    /// Write-then-rename with fsyncs, so a crash leaves either the old or the new key file.
    pub(crate) fn write_key_file(&self, key_file: &KeyFile) -> Result<(), StoreError> {
        let text = serde_json::to_string_pretty(key_file)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tmp = self.dir.join(format!("{KEY_FILE}.tmp"));
        let mut file = private_writer(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        fs::rename(&tmp, self.key_file_path())?;
        fs::File::open(&self.dir)?.sync_all()?;
        Ok(())
    }
}

/// Writes a printed document, readable by this user only, into the profile's `prints` folder
/// for the viewer; documents printed more than [`PRINT_LIFETIME`] ago go first.
pub fn write_print(profile: &Path, name: &str, pdf: &[u8]) -> Result<PathBuf, StoreError> {
    let dir = profile.join(PRINTS);
    private_dir(&dir)?;
    sweep_prints(profile, SystemTime::now())?;
    let path = dir.join(name);
    private_writer(&path)?.write_all(pdf)?;
    Ok(path)
}

/// Removes printed documents last written before `now` less [`PRINT_LIFETIME`].
pub fn sweep_prints(profile: &Path, now: SystemTime) -> Result<(), StoreError> {
    let dir = profile.join(PRINTS);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    for entry in entries {
        let entry = entry?;
        let stale = entry
            .metadata()?
            .modified()
            .is_ok_and(|at| at + PRINT_LIFETIME < now);
        let name = entry.file_name();
        if stale && name.to_str().is_some_and(is_printed_document) {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// A folder only its owner may list or enter (created if missing).
fn private_dir(dir: &Path) -> std::io::Result<()> {
    match fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// A file only its owner may read, new (`create_new`) or replaced.
fn owner_only(create_new: bool) -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.write(true).mode(0o600);
    if create_new {
        options.create_new(true);
    } else {
        options.create(true).truncate(true);
    }
    options
}

fn private_writer(path: &Path) -> std::io::Result<fs::File> {
    owner_only(false).open(path)
}

/// An empty file only its owner may read, made before anything else opens it.
fn private_file(path: &Path) -> std::io::Result<()> {
    owner_only(true).open(path).map(drop)
}

/// A document the desk printed: `<case number>-<kind>.pdf`.
fn is_printed_document(name: &str) -> bool {
    name.strip_suffix(".pdf")
        .and_then(|stem| stem.rsplit_once('-'))
        .is_some_and(|(number, _)| tongban_domain::CaseNumber::parse(number).is_ok())
}

/// Removes the plain files of `dir` whose names are `mine` (nothing if `dir` is absent).
fn remove_matching(dir: &Path, mine: impl Fn(&str) -> bool) -> std::io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        if entry.file_type()?.is_file() && name.to_str().is_some_and(&mine) {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn prints_are_private_and_gone_after_a_day_and_nothing_else_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        let name = "450721101-20261202-001-0001-receipt.pdf";
        let path = write_print(dir.path(), name, b"%PDF-1.7").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join(PRINTS)), 0o700);
        let someone_elses = dir.path().join(PRINTS).join("notes.pdf");
        fs::write(&someone_elses, b"not ours").unwrap();

        sweep_prints(dir.path(), SystemTime::now()).unwrap();
        assert!(path.exists(), "a fresh print waits for the viewer");
        let tomorrow = SystemTime::now() + PRINT_LIFETIME + Duration::from_secs(60);
        sweep_prints(dir.path(), tomorrow).unwrap();
        assert!(!path.exists(), "a day-old print is removed");
        assert!(
            someone_elses.exists(),
            "a file the desk did not print stays"
        );
    }
}
