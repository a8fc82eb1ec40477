//! Backups of the embedded store: the database copied through SQLite's online backup while the
//! hub serves (consistent, still encrypted under the storage key), with the sealed page files,
//! in one tar written aside and renamed. Nothing in it opens without the key folder, which is
//! backed up apart. A restore checks every file against the manifest, the database's pages and
//! structure, and every page's seal and digest before anything is put in place.

use crate::error::{HubError, HubResult};
use crate::sealing::{StorageKey, page_size_of_sealed, sealed_chunk_offset};
use crate::sqlite::SqliteDb;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use tongban_domain::l10n::Text;
use tongban_sync::wire::{page_chunk_len, page_chunks};

const MANIFEST: &str = "MANIFEST.json";
const DATABASE: &str = "hub.db";
const FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    created_at: i64,
    files: Vec<FileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    path: String,
    bytes: u64,
    sha256: String,
}

/// What a backup or restore held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupReport {
    pub pages: usize,
    pub bytes: u64,
}

fn io(what: &Path, e: impl std::fmt::Display) -> HubError {
    HubError::storage(format!("{}: {e}", what.display()))
}

fn file_digest(path: &Path) -> HubResult<(u64, String)> {
    let mut file = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher).map_err(|e| io(path, e))?;
    Ok((bytes, hex::encode(hasher.finalize())))
}

/// The page files under `pages`, as paths relative to the data folder.
fn page_files(data_dir: &Path) -> HubResult<Vec<String>> {
    let mut found = Vec::new();
    let root = data_dir.join("pages");
    if !root.exists() {
        return Ok(found);
    }
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| io(&dir, e))? {
            let path = entry.map_err(|e| io(&dir, e))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(data_dir) {
                let relative = relative.to_string_lossy().replace('\\', "/");
                if is_page_path(&relative) {
                    found.push(relative);
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `pages/<township>/<first two hex>/<sha256>`: the only page names a backup may carry.
fn is_page_path(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let hex = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    };
    matches!(parts.as_slice(), ["pages", township, prefix, sha]
        if township.len() == 9 && township.bytes().all(|b| b.is_ascii_digit())
            && hex(prefix, 2) && hex(sha, 64) && sha.starts_with(prefix))
}

/// Writes a backup of `db` (and of the pages in `data_dir`, when they are kept there) to `out`.
pub async fn write(
    db: &SqliteDb,
    storage: &StorageKey,
    data_dir: &Path,
    pages_on_disk: bool,
    out: &Path,
) -> HubResult<BackupReport> {
    let work = tempfile_in(out)?;
    let copy = work.join(DATABASE);
    db.backup_to(&copy, &storage.sqlcipher()).await?;
    let pages = if pages_on_disk {
        page_files(data_dir)?
    } else {
        Vec::new()
    };
    let mut files = Vec::new();
    let (bytes, sha256) = file_digest(&copy)?;
    files.push(FileEntry {
        path: DATABASE.into(),
        bytes,
        sha256,
    });
    for page in &pages {
        let (bytes, sha256) = file_digest(&data_dir.join(page))?;
        files.push(FileEntry {
            path: page.clone(),
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        format: FORMAT,
        created_at: crate::service::now_secs(),
        files,
    };
    let partial = out.with_extension("partial");
    let total = {
        let file = std::fs::File::create(&partial).map_err(|e| io(&partial, e))?;
        let mut tar = tar::Builder::new(std::io::BufWriter::new(file));
        let json = serde_json::to_vec_pretty(&manifest).map_err(HubError::internal)?;
        let mut header = tar::Header::new_gnu();
        header.set_size(json.len() as u64);
        header.set_mode(0o600);
        header.set_cksum();
        tar.append_data(&mut header, MANIFEST, json.as_slice())
            .map_err(|e| io(&partial, e))?;
        tar.append_path_with_name(&copy, DATABASE)
            .map_err(|e| io(&partial, e))?;
        for page in &pages {
            tar.append_path_with_name(data_dir.join(page), page)
                .map_err(|e| io(&partial, e))?;
        }
        let mut inner = tar.into_inner().map_err(|e| io(&partial, e))?;
        inner.flush().map_err(|e| io(&partial, e))?;
        let file = inner.into_inner().map_err(|e| io(&partial, e.error()))?;
        file.sync_all().map_err(|e| io(&partial, e))?;
        file.metadata().map_err(|e| io(&partial, e))?.len()
    };
    std::fs::rename(&partial, out).map_err(|e| io(out, e))?;
    let _ = std::fs::remove_dir_all(&work);
    Ok(BackupReport {
        pages: pages.len(),
        bytes: total,
    })
}

fn tempfile_in(near: &Path) -> HubResult<PathBuf> {
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).map_err(HubError::internal)?;
    let dir = near.with_extension(format!("work-{}", hex::encode(suffix)));
    std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
    Ok(dir)
}

/// Puts the backup `from` in place as `data_dir` (absent or empty), once every check passed.
pub fn restore(from: &Path, data_dir: &Path, storage: &StorageKey) -> HubResult<BackupReport> {
    if data_dir.exists()
        && std::fs::read_dir(data_dir)
            .map_err(|e| io(data_dir, e))?
            .next()
            .is_some()
    {
        return Err(HubError::BadRequest(Text::new(
            format!(
                "{} is not empty; restore into an empty folder",
                data_dir.display()
            ),
            format!("{}不是空目录，请恢复到空目录", data_dir.display()),
        )));
    }
    let staging = data_dir.with_extension("restoring");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| io(&staging, e))?;
    let outcome = unpack_and_check(from, &staging, storage);
    if outcome.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
        return outcome;
    }
    if data_dir.exists() {
        std::fs::remove_dir(data_dir).map_err(|e| io(data_dir, e))?;
    }
    std::fs::rename(&staging, data_dir).map_err(|e| io(data_dir, e))?;
    outcome
}

fn unpack_and_check(from: &Path, staging: &Path, storage: &StorageKey) -> HubResult<BackupReport> {
    let damaged = |why: String| {
        HubError::BadRequest(Text::new(
            format!("{} is not a usable hub backup: {why}", from.display()),
            format!("{}不是可用的中心备份", from.display()),
        ))
    };
    let file = std::fs::File::open(from).map_err(|e| io(from, e))?;
    let total = file.metadata().map_err(|e| io(from, e))?.len();
    let mut archive = tar::Archive::new(file);
    let mut manifest: Option<Manifest> = None;
    let mut written = Vec::new();
    for entry in archive.entries().map_err(|e| damaged(e.to_string()))? {
        let mut entry = entry.map_err(|e| damaged(e.to_string()))?;
        let name = entry
            .path()
            .map_err(|e| damaged(e.to_string()))?
            .to_string_lossy()
            .to_string();
        if !entry.header().entry_type().is_file() {
            return Err(damaged(format!("{name} is not a plain file")));
        }
        if name == MANIFEST {
            let mut text = Vec::new();
            entry
                .by_ref()
                .take(16 * 1024 * 1024)
                .read_to_end(&mut text)
                .map_err(|e| damaged(e.to_string()))?;
            manifest = Some(serde_json::from_slice(&text).map_err(|e| damaged(e.to_string()))?);
            continue;
        }
        // Only names a backup writes: nothing lands outside the folder being restored.
        if name != DATABASE && !is_page_path(&name) {
            return Err(damaged(format!("unexpected entry {name:?}")));
        }
        let target = staging.join(&name);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        let mut out = std::fs::File::create(&target).map_err(|e| io(&target, e))?;
        std::io::copy(&mut entry, &mut out).map_err(|e| io(&target, e))?;
        out.sync_all().map_err(|e| io(&target, e))?;
        written.push(name);
    }
    let manifest = manifest.ok_or_else(|| damaged("no manifest".into()))?;
    if manifest.format != FORMAT {
        return Err(damaged(format!("format {}", manifest.format)));
    }
    written.sort();
    let mut listed: Vec<String> = manifest.files.iter().map(|f| f.path.clone()).collect();
    listed.sort();
    if written != listed {
        return Err(damaged("the files differ from the manifest".into()));
    }
    for entry in &manifest.files {
        if file_digest(&staging.join(&entry.path))? != (entry.bytes, entry.sha256.clone()) {
            return Err(damaged(format!(
                "{} does not match the manifest",
                entry.path
            )));
        }
    }
    check_database(&staging.join(DATABASE), storage).map_err(|e| damaged(e.to_string()))?;
    let sealer = storage.sealer();
    let mut pages = 0;
    for entry in manifest.files.iter().filter(|f| f.path != DATABASE) {
        check_page(&staging.join(&entry.path), &entry.path, &sealer)
            .map_err(|e| damaged(e.to_string()))?;
        pages += 1;
    }
    Ok(BackupReport {
        pages,
        bytes: total,
    })
}

/// The database opens with the key and passes SQLCipher's page check and SQLite's own.
fn check_database(path: &Path, storage: &StorageKey) -> HubResult<()> {
    let conn = rusqlite::Connection::open(path)?;
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\";",
        hex::encode(*storage.sqlcipher())
    ))?;
    let problems: Vec<String> = conn
        .prepare("PRAGMA cipher_integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if !problems.is_empty() {
        return Err(HubError::Keys(format!(
            "database pages: {}",
            problems.join("; ")
        )));
    }
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(HubError::Keys(format!("database structure: {check}")));
    }
    Ok(())
}

/// Every chunk of a page opens under its seal and the whole matches the digest it is named by.
fn check_page(path: &Path, name: &str, sealer: &crate::sealing::Sealer) -> HubResult<()> {
    let parts: Vec<&str> = name.split('/').collect();
    let (township, sha256) = (parts[1], parts[3]);
    let sealed = std::fs::read(path).map_err(|e| io(path, e))?;
    let size =
        page_size_of_sealed(sealed.len() as u64).ok_or_else(|| HubError::Damaged(sha256.into()))?;
    let mut digest = Sha256::new();
    for index in 0..page_chunks(size) {
        let start = sealed_chunk_offset(index) as usize;
        let len = (page_chunk_len(size, index) + crate::sealing::TAG_BYTES) as usize;
        let chunk = sealed
            .get(start..start + len)
            .ok_or_else(|| HubError::Damaged(sha256.into()))?;
        digest.update(sealer.open_page_chunk(township, sha256, size, index, chunk)?);
    }
    if hex::encode(digest.finalize()) != sha256 {
        return Err(HubError::Damaged(sha256.into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_page_names_are_page_paths() {
        let sha = "ab".repeat(32);
        assert!(is_page_path(&format!("pages/450721101/ab/{sha}")));
        for bad in [
            format!("pages/450721101/cd/{sha}"),
            format!("pages/../ab/{sha}"),
            format!("/pages/450721101/ab/{sha}"),
            format!("pages/450721101/ab/{sha}/x"),
            format!("pages/45072110/ab/{sha}"),
            "hub.db".to_string(),
        ] {
            assert!(!is_page_path(&bad), "{bad}");
        }
    }
}
