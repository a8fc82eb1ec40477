//! The embedded store: one SQLCipher file in the data directory, nothing to install. Its key
//! comes from the hub's storage key, which lives outside the data folder.

use crate::db::{
    Device, DocWrite, EnrollCode, HubDb, HubError, HubResult, HubUser, NewDevice, Redeemed,
    StoredDoc, SyncedDoc, Township,
};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tongban_sync::wire::DocDigest;
use zeroize::Zeroizing;

#[derive(Clone)]
pub struct SqliteDb {
    conn: Arc<Mutex<Connection>>,
}

/// The statement that keys a connection with a raw 32-byte key.
fn key_pragma(key: &[u8; 32]) -> Zeroizing<String> {
    Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", hex::encode(key)))
}

const PLAIN_SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

impl SqliteDb {
    /// Opens (or creates) the database at `path` under `key`. A database from before the hub
    /// encrypted its data is encrypted in place first.
    pub fn open(path: &Path, key: &[u8; 32]) -> HubResult<Self> {
        if is_plain_sqlite(path) {
            encrypt_in_place(path, key)?;
        }
        let mut conn = Self::keyed(path, key)?;
        // The key is checked on the first read: a wrong one fails here, not later.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(|_| {
                HubError::Keys(format!(
                    "{} does not open with this hub's storage key; put back the key folder that belongs to it / 数据库{}无法用本中心的存储密钥打开",
                    path.display(),
                    path.display()
                ))
            })?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// A database that does not exist yet, or one written before the hub encrypted its data,
    /// takes a new storage key; any other needs the one it was made with.
    pub fn needs_new_key(path: &Path) -> bool {
        !path.exists() || is_plain_sqlite(path)
    }

    fn keyed(path: &Path, key: &[u8; 32]) -> HubResult<Connection> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        conn.execute_batch(&key_pragma(key))?;
        Ok(conn)
    }

    /// Copies the open database into a new encrypted file under the same key, through SQLite's
    /// online backup: consistent while the hub keeps writing.
    pub async fn backup_to(&self, dest: &Path, key: &[u8; 32]) -> HubResult<()> {
        let (dest, key) = (dest.to_path_buf(), *key);
        self.call(move |c| {
            let mut copy = Self::keyed(&dest, &key)?;
            {
                let backup = rusqlite::backup::Backup::new(c, &mut copy)?;
                backup.run_to_completion(256, std::time::Duration::ZERO, None)?;
            }
            let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if check != "ok" {
                return Err(HubError::internal(format!("backup copy: {check}")));
            }
            Ok(())
        })
        .await
    }

    /// Runs blocking SQLite work off the async executor, one request at a time: SQLite has one
    /// writer anyway, and this makes every read-check-write below atomic.
    pub(crate) async fn call<T, F>(&self, f: F) -> HubResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> HubResult<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| HubError::internal("SQLite connection poisoned"))?;
            f(&mut guard)
        })
        .await
        .map_err(HubError::internal)?
    }
}

fn is_plain_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok_and(|()| &header == PLAIN_SQLITE_HEADER)
}

/// Encrypts a database written before the hub encrypted its data: exported into a keyed copy,
/// which then replaces the plain file.
fn encrypt_in_place(path: &Path, key: &[u8; 32]) -> HubResult<()> {
    let encrypted = path.with_extension("db.encrypting");
    let _ = std::fs::remove_file(&encrypted);
    {
        let plain = Connection::open(path)?;
        plain.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        plain.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            params![
                encrypted.to_string_lossy(),
                format!("x'{}'", hex::encode(key))
            ],
        )?;
        plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        // The export leaves the schema version behind; the migrations need it.
        let version: i32 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        plain.execute_batch(&format!("PRAGMA encrypted.user_version = {version};"))?;
        plain.execute_batch("DETACH DATABASE encrypted;")?;
    }
    std::fs::rename(&encrypted, path).map_err(HubError::internal)?;
    for stale in ["db-wal", "db-shm"] {
        let _ = std::fs::remove_file(path.with_extension(stale));
    }
    tracing::info!(database = %path.display(), "encrypted the hub database in place");
    Ok(())
}

/// Applies the migration files not yet applied, in one transaction. Databases migrated by the
/// earlier runner (SQLite's `user_version`) are taken up where it stopped.
fn migrate(conn: &mut Connection) -> HubResult<()> {
    use crate::migrations::{APPLIED, LEDGER, SQLITE, pending};
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let fresh_ledger: bool = tx.query_row(
        "SELECT count(*) = 0 FROM sqlite_master WHERE name = 'schema_migrations'",
        [],
        |r| r.get(0),
    )?;
    tx.execute_batch(LEDGER)?;
    if fresh_ledger {
        let earlier: i32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for version in 1..=earlier {
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES (?1)",
                [version],
            )?;
        }
    }
    let applied: i32 = tx.query_row(APPLIED, [], |r| r.get(0))?;
    for step in pending(SQLITE, applied) {
        tx.execute_batch(step.sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES (?1)",
            [step.version],
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn device_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: r.get(0)?,
        township: r.get(1)?,
        serial: r.get(2)?,
        public_key: r.get(3)?,
        user: r.get(4)?,
        label: r.get(5)?,
        revoked: r.get(6)?,
        enrolled_at: r.get(7)?,
    })
}

const DEVICE_COLUMNS: &str =
    "id, township, serial, public_key, user_name, label, revoked, enrolled_at";

impl HubDb for SqliteDb {
    async fn ping(&self) -> HubResult<()> {
        self.call(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn database_bytes(&self) -> HubResult<u64> {
        self.call(|c| {
            let bytes: i64 = c.query_row(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                [],
                |r| r.get(0),
            )?;
            Ok(u64::try_from(bytes).unwrap_or(0))
        })
        .await
    }

    async fn add_township(&self, code: &str, name: &str) -> HubResult<bool> {
        let (code, name) = (code.to_string(), name.to_string());
        self.call(move |c| {
            Ok(c.execute(
                "INSERT INTO townships (code, name) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![code, name],
            )? == 1)
        })
        .await
    }

    async fn township(&self, code: &str) -> HubResult<Option<Township>> {
        let code = code.to_string();
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT code, name FROM townships WHERE code = ?1",
                [code],
                |r| {
                    Ok(Township {
                        code: r.get(0)?,
                        name: r.get(1)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    async fn add_enroll_code(
        &self,
        township: &str,
        code_hash: &str,
        expires_at: i64,
    ) -> HubResult<()> {
        let (township, code_hash) = (township.to_string(), code_hash.to_string());
        self.call(move |c| {
            c.execute(
                "INSERT INTO enroll_codes (code_hash, township, expires_at) VALUES (?1, ?2, ?3)",
                params![code_hash, township, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn enroll_code(&self, code_hash: &str) -> HubResult<Option<EnrollCode>> {
        let code_hash = code_hash.to_string();
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT township, expires_at, used_by IS NOT NULL, failures FROM enroll_codes
                 WHERE code_hash = ?1",
                [code_hash],
                |r| {
                    Ok(EnrollCode {
                        township: r.get(0)?,
                        expires_at: r.get(1)?,
                        used: r.get(2)?,
                        failures: r.get(3)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    async fn count_code_failure(&self, code_hash: &str) -> HubResult<u32> {
        let code_hash = code_hash.to_string();
        self.call(move |c| {
            Ok(c.query_row(
                "UPDATE enroll_codes SET failures = failures + 1 WHERE code_hash = ?1
                 RETURNING failures",
                [code_hash],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
        })
        .await
    }

    async fn burn_enroll_code(&self, code_hash: &str) -> HubResult<()> {
        let code_hash = code_hash.to_string();
        self.call(move |c| {
            c.execute(
                "UPDATE enroll_codes SET used_by = 'burned' WHERE code_hash = ?1 AND used_by IS NULL",
                [code_hash],
            )?;
            Ok(())
        })
        .await
    }

    async fn redeem_enroll_code(
        &self,
        code_hash: &str,
        device: NewDevice,
        max_serial: u32,
    ) -> HubResult<Redeemed> {
        let code_hash = code_hash.to_string();
        self.call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let township: Option<String> = tx
                .query_row(
                    "SELECT township FROM enroll_codes WHERE code_hash = ?1 AND used_by IS NULL",
                    [&code_hash],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(township) = township else {
                return Ok(Redeemed::CodeGone);
            };
            let serial: u32 = tx.query_row(
                "SELECT coalesce(max(serial), 0) + 1 FROM devices WHERE township = ?1",
                [&township],
                |r| r.get(0),
            )?;
            if serial > max_serial {
                return Ok(Redeemed::NoSerial);
            }
            tx.execute(
                "INSERT INTO devices (id, township, serial, public_key, user_name, label, enrolled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![device.id, township, serial, device.public_key, device.user, device.label, device.enrolled_at],
            )?;
            tx.execute(
                "UPDATE enroll_codes SET used_by = ?1 WHERE code_hash = ?2",
                params![device.id, code_hash],
            )?;
            tx.commit()?;
            Ok(Redeemed::Enrolled(Device {
                id: device.id,
                township,
                serial,
                public_key: device.public_key,
                user: device.user,
                label: device.label,
                revoked: false,
                enrolled_at: device.enrolled_at,
            }))
        })
        .await
    }

    async fn add_user(&self, township: &str, user: HubUser) -> HubResult<bool> {
        let township = township.to_string();
        self.call(move |c| {
            Ok(c.execute(
                "INSERT INTO users (township, name, role, public_key, sealed_key, must_change,
                     totp_secret, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
                params![
                    township,
                    user.name,
                    user.role,
                    user.public_key,
                    user.sealed_key,
                    user.must_change,
                    user.totp_secret,
                    user.created_at
                ],
            )? == 1)
        })
        .await
    }

    async fn users(&self, township: &str) -> HubResult<Vec<HubUser>> {
        let township = township.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT name, role, public_key, sealed_key, must_change, totp_secret, created_at,
                     disabled_at
                 FROM users WHERE township = ?1 ORDER BY name",
            )?;
            let rows = stmt.query_map([township], |r| {
                Ok(HubUser {
                    name: r.get(0)?,
                    role: r.get(1)?,
                    public_key: r.get(2)?,
                    sealed_key: r.get(3)?,
                    must_change: r.get(4)?,
                    totp_secret: r.get(5)?,
                    created_at: r.get(6)?,
                    disabled_at: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn set_totp_secret(
        &self,
        township: &str,
        name: &str,
        secret: Option<&str>,
    ) -> HubResult<()> {
        let (township, name, secret) = (
            township.to_string(),
            name.to_string(),
            secret.map(str::to_string),
        );
        self.call(move |c| {
            c.execute(
                "UPDATE users SET totp_secret = ?3 WHERE township = ?1 AND name = ?2",
                params![township, name, secret],
            )?;
            Ok(())
        })
        .await
    }

    async fn setting(&self, scope: &str, key: &str) -> HubResult<Option<String>> {
        let (scope, key) = (scope.to_string(), key.to_string());
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT value FROM settings WHERE scope = ?1 AND key = ?2",
                params![scope, key],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    async fn put_setting(&self, scope: &str, key: &str, value: &str) -> HubResult<()> {
        let (scope, key, value) = (scope.to_string(), key.to_string(), value.to_string());
        self.call(move |c| {
            c.execute(
                "INSERT INTO settings (scope, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value",
                params![scope, key, value],
            )?;
            Ok(())
        })
        .await
    }

    async fn delete_setting(&self, scope: &str, key: &str) -> HubResult<()> {
        let (scope, key) = (scope.to_string(), key.to_string());
        self.call(move |c| {
            c.execute(
                "DELETE FROM settings WHERE scope = ?1 AND key = ?2",
                params![scope, key],
            )?;
            Ok(())
        })
        .await
    }

    async fn device(&self, id: &str) -> HubResult<Option<Device>> {
        let id = id.to_string();
        self.call(move |c| {
            Ok(c.query_row(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1"),
                [id],
                device_from_row,
            )
            .optional()?)
        })
        .await
    }

    async fn devices(&self, township: &str) -> HubResult<Vec<Device>> {
        let township = township.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {DEVICE_COLUMNS} FROM devices WHERE township = ?1 ORDER BY serial"
            ))?;
            let rows = stmt.query_map([township], device_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn revoke_device(&self, id: &str) -> HubResult<bool> {
        let id = id.to_string();
        self.call(move |c| Ok(c.execute("UPDATE devices SET revoked = 1 WHERE id = ?1", [id])? > 0))
            .await
    }

    async fn note_desk_version(&self, device: &str, version: &str, at_ms: i64) -> HubResult<()> {
        let (device, version) = (device.to_string(), version.to_string());
        self.call(move |c| {
            c.execute(
                "INSERT INTO desk_versions (device_id, version, seen_at_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device_id) DO UPDATE SET
                   version = excluded.version, seen_at_ms = excluded.seen_at_ms",
                params![device, version, at_ms],
            )?;
            Ok(())
        })
        .await
    }

    async fn desk_versions(&self, township: &str) -> HubResult<HashMap<String, (String, i64)>> {
        let township = township.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT v.device_id, v.version, v.seen_at_ms FROM desk_versions v
                 JOIN devices d ON d.id = v.device_id WHERE d.township = ?1",
            )?;
            let rows = stmt.query_map([township], |r| {
                Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?)))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn remember_nonce(
        &self,
        device: &str,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> HubResult<bool> {
        let (device, nonce) = (device.to_string(), nonce.to_string());
        self.call(move |c| {
            c.execute("DELETE FROM nonces WHERE expires_at < ?1", [now])?;
            let added = c.execute(
                "INSERT INTO nonces (device_id, nonce, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
                params![device, nonce, expires_at],
            )?;
            Ok(added == 1)
        })
        .await
    }

    async fn doc(&self, township: &str, doc_id: &str) -> HubResult<Option<StoredDoc>> {
        let (township, doc_id) = (township.to_string(), doc_id.to_string());
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT bytes, version FROM docs WHERE township = ?1 AND doc_id = ?2",
                [township, doc_id],
                |r| {
                    Ok(StoredDoc {
                        bytes: r.get(0)?,
                        version: r.get(1)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    async fn doc_keys(&self) -> HubResult<Vec<(String, String)>> {
        self.call(|c| {
            let mut stmt =
                c.prepare("SELECT township, doc_id FROM docs ORDER BY township, doc_id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn reseal_doc(&self, township: &str, doc_id: &str, bytes: Vec<u8>) -> HubResult<()> {
        let (township, doc_id) = (township.to_string(), doc_id.to_string());
        self.call(move |c| {
            c.execute(
                "UPDATE docs SET bytes = ?3 WHERE township = ?1 AND doc_id = ?2",
                params![township, doc_id, bytes],
            )?;
            Ok(())
        })
        .await
    }

    async fn digests(
        &self,
        township: &str,
        doc_ids: &[String],
    ) -> HubResult<HashMap<String, String>> {
        let (township, doc_ids) = (township.to_string(), doc_ids.to_vec());
        self.call(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT digest FROM docs WHERE doc_id = ?2 AND {SEEN_BY_UNIT}"
            ))?;
            let mut out = HashMap::new();
            for id in doc_ids {
                if let Some(d) = stmt
                    .query_row([&township, &id], |r| r.get::<_, String>(0))
                    .optional()?
                {
                    out.insert(id, d);
                }
            }
            Ok(out)
        })
        .await
    }

    async fn changed_since(&self, township: &str, from: u64) -> HubResult<(Vec<DocDigest>, u64)> {
        let township = township.to_string();
        self.call(move |c| {
            let tx = c.transaction()?;
            let head: i64 = tx
                .query_row(
                    "SELECT seq FROM townships WHERE code = ?1",
                    [&township],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0);
            let docs = {
                let mut stmt = tx.prepare(
                    "SELECT doc_id, digest, seq FROM docs WHERE township = ?1 AND seq > ?2
                     UNION ALL
                     SELECT s.doc_id, d.digest, s.seq FROM shared_docs s
                     JOIN docs d ON d.township = s.township AND d.doc_id = s.doc_id
                     WHERE s.unit = ?1 AND s.seq > ?2
                     ORDER BY 3",
                )?;
                let rows = stmt.query_map(
                    params![township, i64::try_from(from).unwrap_or(i64::MAX)],
                    |r| {
                        Ok(DocDigest {
                            doc_id: r.get(0)?,
                            digest: r.get(1)?,
                        })
                    },
                )?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            Ok((docs, head as u64))
        })
        .await
    }

    async fn sync_state(&self, device: &str, doc_id: &str) -> HubResult<Option<Vec<u8>>> {
        let (device, doc_id) = (device.to_string(), doc_id.to_string());
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT state FROM sync_states WHERE device_id = ?1 AND doc_id = ?2",
                [device, doc_id],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    async fn put_synced(&self, device: &str, docs: Vec<SyncedDoc>) -> HubResult<Vec<String>> {
        let device = device.to_string();
        self.call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut moved = Vec::new();
            for doc in &docs {
                if let Some(write) = &doc.write {
                    if !store_doc(&tx, &doc.township, &doc.doc_id, write)? {
                        moved.push(doc.doc_id.clone());
                        continue;
                    }
                    if let Some(unit) = &doc.shared_with {
                        share_doc(&tx, unit, &doc.township, &doc.doc_id, &write.pages)?;
                    }
                }
                if let Some(state) = &doc.state {
                    store_sync_state(&tx, &device, &doc.doc_id, state)?;
                }
            }
            tx.commit()?;
            Ok(moved)
        })
        .await
    }
}

/// Whether the unit `?1` sees a row of `docs`: its own township's, or shared with it.
const SEEN_BY_UNIT: &str = "(township = ?1 OR EXISTS (SELECT 1 FROM shared_docs s
    WHERE s.unit = ?1 AND s.township = docs.township AND s.doc_id = docs.doc_id))";

/// Stores a document if its version is still the one expected and moves the township's change
/// feed on; `false` when another request stored it first. Inside the caller's transaction.
fn store_doc(
    tx: &rusqlite::Transaction<'_>,
    township: &str,
    doc_id: &str,
    write: &DocWrite,
) -> rusqlite::Result<bool> {
    let current: Option<i64> = tx
        .query_row(
            "SELECT version FROM docs WHERE township = ?1 AND doc_id = ?2",
            [township, doc_id],
            |r| r.get(0),
        )
        .optional()?;
    if current != write.expected {
        return Ok(false);
    }
    let seq: i64 = tx.query_row(
        "UPDATE townships SET seq = seq + 1 WHERE code = ?1 RETURNING seq",
        [township],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO docs (township, doc_id, bytes, digest, version, seq)
         VALUES (?1, ?2, ?3, ?4, 1, ?5)
         ON CONFLICT (township, doc_id) DO UPDATE SET
           bytes = excluded.bytes, digest = excluded.digest,
           version = docs.version + 1, seq = excluded.seq",
        params![township, doc_id, write.bytes, write.digest, seq],
    )?;
    for sha256 in &write.pages {
        tx.execute(
            "INSERT INTO case_pages (township, sha256) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            [township, sha256.as_str()],
        )?;
    }
    crate::sqlite_facts::put(tx, township, doc_id, write.facts.as_deref())?;
    crate::sqlite_sharing::put_applicant(tx, township, doc_id, write.applicant.as_deref())?;
    Ok(true)
}

/// Moves the unit's feed on for a change of a case shared with it, and lets the unit read the
/// scans the case references (as its own township's are noted).
fn share_doc(
    tx: &rusqlite::Transaction<'_>,
    unit: &str,
    township: &str,
    doc_id: &str,
    pages: &[String],
) -> rusqlite::Result<()> {
    for sha256 in pages {
        tx.execute(
            "INSERT INTO case_pages (township, sha256) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            [unit, sha256.as_str()],
        )?;
    }
    let seq: i64 = tx.query_row(
        "UPDATE townships SET seq = seq + 1 WHERE code = ?1 RETURNING seq",
        [unit],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO shared_docs (unit, township, doc_id, seq) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (unit, doc_id) DO UPDATE SET seq = excluded.seq",
        params![unit, township, doc_id, seq],
    )?;
    Ok(())
}

fn store_sync_state(
    c: &Connection,
    device: &str,
    doc_id: &str,
    state: &[u8],
) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO sync_states (device_id, doc_id, state) VALUES (?1, ?2, ?3)
         ON CONFLICT (device_id, doc_id) DO UPDATE SET state = excluded.state",
        params![device, doc_id, state],
    )?;
    Ok(())
}
