//! The embedded store: one SQLite file in the data directory, nothing to install.

use crate::db::{
    DbError, DbResult, Device, DocWrite, HubDb, HubUser, NewDevice, StoredDoc, SyncedDoc, Township,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use tongban_sync::wire::DocDigest;

const MIGRATIONS: &[M<'static>] = &[
    M::up(
    "CREATE TABLE townships (code TEXT PRIMARY KEY, name TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0);
     CREATE TABLE enroll_codes (
         code_hash TEXT PRIMARY KEY, township TEXT NOT NULL REFERENCES townships (code),
         expires_at INTEGER NOT NULL, used_by TEXT);
     CREATE TABLE devices (
         id TEXT PRIMARY KEY, township TEXT NOT NULL REFERENCES townships (code),
         serial INTEGER NOT NULL, public_key TEXT NOT NULL UNIQUE, user_name TEXT NOT NULL,
         label TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, enrolled_at INTEGER NOT NULL,
         UNIQUE (township, serial));
     CREATE TABLE nonces (
         device_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL,
         PRIMARY KEY (device_id, nonce));
     CREATE INDEX nonces_by_expiry ON nonces (expires_at);
     CREATE TABLE docs (
         township TEXT NOT NULL, doc_id TEXT NOT NULL, bytes BLOB NOT NULL, digest TEXT NOT NULL,
         version INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (township, doc_id));
     CREATE INDEX docs_by_seq ON docs (township, seq);
     CREATE TABLE sync_states (
         device_id TEXT NOT NULL, doc_id TEXT NOT NULL, state BLOB NOT NULL,
         PRIMARY KEY (device_id, doc_id));",
    ),
    M::up(
        "CREATE TABLE users (
             township TEXT NOT NULL REFERENCES townships (code), name TEXT NOT NULL,
             role TEXT NOT NULL, password_hash TEXT NOT NULL, totp_secret TEXT,
             created_at INTEGER NOT NULL, PRIMARY KEY (township, name));
         CREATE TABLE settings (
             scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
             PRIMARY KEY (scope, key));",
    ),
    M::up(crate::sqlite_audit::MIGRATION),
];

#[derive(Clone)]
pub struct SqliteDb {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteDb {
    pub fn open(path: &Path) -> DbResult<Self> {
        let mut conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )?;
        Migrations::from_slice(MIGRATIONS)
            .to_latest(&mut conn)
            .map_err(|e| DbError::Task(format!("schema migration: {e}")))?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs blocking SQLite work off the async executor, one request at a time: SQLite has one
    /// writer anyway, and this makes every read-check-write below atomic.
    pub(crate) async fn call<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> DbResult<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| DbError::Task("SQLite connection poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| DbError::Task(e.to_string()))?
    }
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
    async fn ping(&self) -> DbResult<()> {
        self.call(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn add_township(&self, code: &str, name: &str) -> DbResult<()> {
        let (code, name) = (code.to_string(), name.to_string());
        self.call(move |c| {
            let added = c.execute(
                "INSERT INTO townships (code, name) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![code, name],
            )?;
            if added == 0 {
                return Err(DbError::TownshipExists(code));
            }
            Ok(())
        })
        .await
    }

    async fn township(&self, code: &str) -> DbResult<Option<Township>> {
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
    ) -> DbResult<()> {
        let (township, code_hash) = (township.to_string(), code_hash.to_string());
        self.call(move |c| {
            let exists: bool = c.query_row(
                "SELECT count(*) > 0 FROM townships WHERE code = ?1",
                [&township],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(DbError::NoTownship(township));
            }
            c.execute(
                "INSERT INTO enroll_codes (code_hash, township, expires_at) VALUES (?1, ?2, ?3)",
                params![code_hash, township, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    async fn redeem_enroll_code(
        &self,
        code_hash: &str,
        now: i64,
        device: NewDevice,
    ) -> DbResult<Option<Device>> {
        let code_hash = code_hash.to_string();
        self.call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let township: Option<String> = tx
                .query_row(
                    "SELECT township FROM enroll_codes
                     WHERE code_hash = ?1 AND used_by IS NULL AND expires_at > ?2",
                    params![code_hash, now],
                    |r| r.get(0),
                )
                .optional()?;
            let Some(township) = township else {
                return Ok(None);
            };
            let serial: u32 = tx.query_row(
                "SELECT coalesce(max(serial), 0) + 1 FROM devices WHERE township = ?1",
                [&township],
                |r| r.get(0),
            )?;
            if serial > tongban_domain::case::MAX_DEVICE_SERIAL {
                return Err(DbError::SerialsExhausted(township));
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
            Ok(Some(Device {
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

    async fn enroll_code_township(&self, code_hash: &str, now: i64) -> DbResult<Option<String>> {
        let code_hash = code_hash.to_string();
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT township FROM enroll_codes
                 WHERE code_hash = ?1 AND used_by IS NULL AND expires_at > ?2",
                params![code_hash, now],
                |r| r.get(0),
            )
            .optional()?)
        })
        .await
    }

    async fn add_user(&self, township: &str, user: HubUser) -> DbResult<()> {
        let township = township.to_string();
        self.call(move |c| {
            let exists: bool = c.query_row(
                "SELECT count(*) > 0 FROM townships WHERE code = ?1",
                [&township],
                |r| r.get(0),
            )?;
            if !exists {
                return Err(DbError::NoTownship(township));
            }
            let added = c.execute(
                "INSERT INTO users (township, name, role, password_hash, totp_secret, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                params![
                    township,
                    user.name,
                    user.role,
                    user.password_hash,
                    user.totp_secret,
                    user.created_at
                ],
            )?;
            if added == 0 {
                return Err(DbError::UserExists(township, user.name));
            }
            Ok(())
        })
        .await
    }

    async fn users(&self, township: &str) -> DbResult<Vec<HubUser>> {
        let township = township.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT name, role, password_hash, totp_secret, created_at FROM users
                 WHERE township = ?1 ORDER BY name",
            )?;
            let rows = stmt.query_map([township], |r| {
                Ok(HubUser {
                    name: r.get(0)?,
                    role: r.get(1)?,
                    password_hash: r.get(2)?,
                    totp_secret: r.get(3)?,
                    created_at: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn setting(&self, scope: &str, key: &str) -> DbResult<Option<String>> {
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

    async fn put_setting(&self, scope: &str, key: &str, value: &str) -> DbResult<()> {
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

    async fn device(&self, id: &str) -> DbResult<Option<Device>> {
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

    async fn devices(&self, township: &str) -> DbResult<Vec<Device>> {
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

    async fn revoke_device(&self, id: &str) -> DbResult<bool> {
        let id = id.to_string();
        self.call(move |c| Ok(c.execute("UPDATE devices SET revoked = 1 WHERE id = ?1", [id])? > 0))
            .await
    }

    async fn remember_nonce(
        &self,
        device: &str,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> DbResult<bool> {
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

    async fn doc(&self, township: &str, doc_id: &str) -> DbResult<Option<StoredDoc>> {
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

    async fn digests(
        &self,
        township: &str,
        doc_ids: &[String],
    ) -> DbResult<HashMap<String, String>> {
        let (township, doc_ids) = (township.to_string(), doc_ids.to_vec());
        self.call(move |c| {
            let mut stmt =
                c.prepare_cached("SELECT digest FROM docs WHERE township = ?1 AND doc_id = ?2")?;
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

    async fn changed_since(&self, township: &str, cursor: u64) -> DbResult<(Vec<DocDigest>, u64)> {
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
            // A cursor beyond the feed means the hub was restored from an older copy: start over.
            let from = if cursor > head as u64 {
                0
            } else {
                cursor as i64
            };
            let docs = {
                let mut stmt = tx.prepare(
                    "SELECT doc_id, digest FROM docs WHERE township = ?1 AND seq > ?2 ORDER BY seq",
                )?;
                let rows = stmt.query_map(params![township, from], |r| {
                    Ok(DocDigest {
                        doc_id: r.get(0)?,
                        digest: r.get(1)?,
                    })
                })?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            Ok((docs, head as u64))
        })
        .await
    }

    async fn sync_state(&self, device: &str, doc_id: &str) -> DbResult<Option<Vec<u8>>> {
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

    async fn put_synced(
        &self,
        township: &str,
        device: &str,
        docs: Vec<SyncedDoc>,
    ) -> DbResult<Vec<String>> {
        let (township, device) = (township.to_string(), device.to_string());
        self.call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut moved = Vec::new();
            for doc in &docs {
                if let Some(write) = &doc.write
                    && !store_doc(&tx, &township, &doc.doc_id, write)?
                {
                    moved.push(doc.doc_id.clone());
                    continue;
                }
                store_sync_state(&tx, &device, &doc.doc_id, &doc.state)?;
            }
            tx.commit()?;
            Ok(moved)
        })
        .await
    }
}

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
    Ok(true)
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
