//! The PostgreSQL store, for a county hub that outgrows one machine. Same contract as the
//! SQLite store; concurrency is handled with row locks on the township.

use crate::db::{
    DbError, DbResult, Device, DocWrite, HubDb, HubUser, NewDevice, StoredDoc, SyncedDoc, Township,
};
use deadpool_postgres::{Config, Pool, Runtime};
use std::collections::HashMap;
use tokio_postgres::{NoTls, Row};
use tongban_sync::wire::DocDigest;

/// Applied in order, each once, under an advisory lock so two hubs starting together agree.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE townships (code TEXT PRIMARY KEY, name TEXT NOT NULL, seq BIGINT NOT NULL DEFAULT 0);
    CREATE TABLE enroll_codes (
        code_hash TEXT PRIMARY KEY, township TEXT NOT NULL REFERENCES townships (code),
        expires_at BIGINT NOT NULL, used_by TEXT);
    CREATE TABLE devices (
        id TEXT PRIMARY KEY, township TEXT NOT NULL REFERENCES townships (code),
        serial INTEGER NOT NULL, public_key TEXT NOT NULL UNIQUE, user_name TEXT NOT NULL,
        label TEXT NOT NULL, revoked BOOLEAN NOT NULL DEFAULT FALSE, enrolled_at BIGINT NOT NULL,
        UNIQUE (township, serial));
    CREATE TABLE nonces (
        device_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL,
        PRIMARY KEY (device_id, nonce));
    CREATE INDEX nonces_by_expiry ON nonces (expires_at);
    CREATE TABLE docs (
        township TEXT NOT NULL, doc_id TEXT NOT NULL, bytes BYTEA NOT NULL, digest TEXT NOT NULL,
        version BIGINT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (township, doc_id));
    CREATE INDEX docs_by_seq ON docs (township, seq);
    CREATE TABLE sync_states (
        device_id TEXT NOT NULL, doc_id TEXT NOT NULL, state BYTEA NOT NULL,
        PRIMARY KEY (device_id, doc_id));
", "
    CREATE TABLE users (
        township TEXT NOT NULL REFERENCES townships (code), name TEXT NOT NULL,
        role TEXT NOT NULL, password_hash TEXT NOT NULL, totp_secret TEXT,
        created_at BIGINT NOT NULL, PRIMARY KEY (township, name));
    CREATE TABLE settings (
        scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (scope, key));
", crate::postgres_audit::MIGRATION];
const MIGRATION_LOCK: i64 = 0x7467_6268_7562; // "tgbhub"

#[derive(Clone)]
pub struct PgDb {
    pool: Pool,
}

fn pool_error(e: impl std::fmt::Display) -> DbError {
    DbError::Pool(e.to_string())
}

impl PgDb {
    pub async fn connect(url: &str) -> DbResult<Self> {
        let mut config = Config::new();
        config.url = Some(url.to_string());
        let pool = config
            .create_pool(Some(Runtime::Tokio1), NoTls)
            .map_err(pool_error)?;
        let db = Self { pool };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> DbResult<()> {
        let mut client = self.pool.get().await.map_err(pool_error)?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)",
        )
        .await?;
        let applied: i32 = tx
            .query_one(
                "SELECT coalesce(max(version), 0) FROM schema_migrations",
                &[],
            )
            .await?
            .get(0);
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
            tx.batch_execute(sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&(i as i32 + 1)],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn client(&self) -> DbResult<deadpool_postgres::Client> {
        self.pool.get().await.map_err(pool_error)
    }
}

const DEVICE_COLUMNS: &str =
    "id, township, serial, public_key, user_name, label, revoked, enrolled_at";

fn device_from_row(r: &Row) -> Device {
    Device {
        id: r.get(0),
        township: r.get(1),
        serial: r.get::<_, i32>(2) as u32,
        public_key: r.get(3),
        user: r.get(4),
        label: r.get(5),
        revoked: r.get(6),
        enrolled_at: r.get(7),
    }
}

impl HubDb for PgDb {
    async fn ping(&self) -> DbResult<()> {
        self.client().await?.query_one("SELECT 1", &[]).await?;
        Ok(())
    }

    async fn add_township(&self, code: &str, name: &str) -> DbResult<()> {
        let added = self
            .client()
            .await?
            .execute(
                "INSERT INTO townships (code, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&code, &name],
            )
            .await?;
        if added == 0 {
            return Err(DbError::TownshipExists(code.to_string()));
        }
        Ok(())
    }

    async fn township(&self, code: &str) -> DbResult<Option<Township>> {
        let row = self
            .client()
            .await?
            .query_opt("SELECT code, name FROM townships WHERE code = $1", &[&code])
            .await?;
        Ok(row.map(|r| Township {
            code: r.get(0),
            name: r.get(1),
        }))
    }

    async fn add_enroll_code(
        &self,
        township: &str,
        code_hash: &str,
        expires_at: i64,
    ) -> DbResult<()> {
        let client = self.client().await?;
        if client
            .query_opt("SELECT 1 FROM townships WHERE code = $1", &[&township])
            .await?
            .is_none()
        {
            return Err(DbError::NoTownship(township.to_string()));
        }
        client
            .execute(
                "INSERT INTO enroll_codes (code_hash, township, expires_at) VALUES ($1, $2, $3)",
                &[&code_hash, &township, &expires_at],
            )
            .await?;
        Ok(())
    }

    async fn redeem_enroll_code(
        &self,
        code_hash: &str,
        now: i64,
        device: NewDevice,
    ) -> DbResult<Option<Device>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let Some(row) = tx
            .query_opt(
                "SELECT township FROM enroll_codes
                 WHERE code_hash = $1 AND used_by IS NULL AND expires_at > $2 FOR UPDATE",
                &[&code_hash, &now],
            )
            .await?
        else {
            return Ok(None);
        };
        let township: String = row.get(0);
        // Serialises serial assignment within the township.
        tx.execute(
            "SELECT 1 FROM townships WHERE code = $1 FOR UPDATE",
            &[&township],
        )
        .await?;
        let serial: i32 = tx
            .query_one(
                "SELECT coalesce(max(serial), 0) + 1 FROM devices WHERE township = $1",
                &[&township],
            )
            .await?
            .get(0);
        if serial as u32 > tongban_domain::case::MAX_DEVICE_SERIAL {
            return Err(DbError::SerialsExhausted(township));
        }
        tx.execute(
            "INSERT INTO devices (id, township, serial, public_key, user_name, label, enrolled_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &device.id,
                &township,
                &serial,
                &device.public_key,
                &device.user,
                &device.label,
                &device.enrolled_at,
            ],
        )
        .await?;
        tx.execute(
            "UPDATE enroll_codes SET used_by = $1 WHERE code_hash = $2",
            &[&device.id, &code_hash],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(Device {
            id: device.id,
            township,
            serial: serial as u32,
            public_key: device.public_key,
            user: device.user,
            label: device.label,
            revoked: false,
            enrolled_at: device.enrolled_at,
        }))
    }

    async fn enroll_code_township(&self, code_hash: &str, now: i64) -> DbResult<Option<String>> {
        Ok(self
            .client()
            .await?
            .query_opt(
                "SELECT township FROM enroll_codes
                 WHERE code_hash = $1 AND used_by IS NULL AND expires_at > $2",
                &[&code_hash, &now],
            )
            .await?
            .map(|r| r.get(0)))
    }

    async fn add_user(&self, township: &str, user: HubUser) -> DbResult<()> {
        let client = self.client().await?;
        if client
            .query_opt("SELECT 1 FROM townships WHERE code = $1", &[&township])
            .await?
            .is_none()
        {
            return Err(DbError::NoTownship(township.to_string()));
        }
        let added = client
            .execute(
                "INSERT INTO users (township, name, role, password_hash, totp_secret, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                &[
                    &township,
                    &user.name,
                    &user.role,
                    &user.password_hash,
                    &user.totp_secret,
                    &user.created_at,
                ],
            )
            .await?;
        if added == 0 {
            return Err(DbError::UserExists(township.to_string(), user.name));
        }
        Ok(())
    }

    async fn users(&self, township: &str) -> DbResult<Vec<HubUser>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name, role, password_hash, totp_secret, created_at FROM users
                 WHERE township = $1 ORDER BY name",
                &[&township],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| HubUser {
                name: r.get(0),
                role: r.get(1),
                password_hash: r.get(2),
                totp_secret: r.get(3),
                created_at: r.get(4),
            })
            .collect())
    }

    async fn setting(&self, scope: &str, key: &str) -> DbResult<Option<String>> {
        Ok(self
            .client()
            .await?
            .query_opt(
                "SELECT value FROM settings WHERE scope = $1 AND key = $2",
                &[&scope, &key],
            )
            .await?
            .map(|r| r.get(0)))
    }

    async fn put_setting(&self, scope: &str, key: &str, value: &str) -> DbResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO settings (scope, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value",
                &[&scope, &key, &value],
            )
            .await?;
        Ok(())
    }

    async fn device(&self, id: &str) -> DbResult<Option<Device>> {
        let row = self
            .client()
            .await?
            .query_opt(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1"),
                &[&id],
            )
            .await?;
        Ok(row.as_ref().map(device_from_row))
    }

    async fn devices(&self, township: &str) -> DbResult<Vec<Device>> {
        let rows = self
            .client()
            .await?
            .query(
                &format!(
                    "SELECT {DEVICE_COLUMNS} FROM devices WHERE township = $1 ORDER BY serial"
                ),
                &[&township],
            )
            .await?;
        Ok(rows.iter().map(device_from_row).collect())
    }

    async fn revoke_device(&self, id: &str) -> DbResult<bool> {
        let n = self
            .client()
            .await?
            .execute("UPDATE devices SET revoked = TRUE WHERE id = $1", &[&id])
            .await?;
        Ok(n > 0)
    }

    async fn remember_nonce(
        &self,
        device: &str,
        nonce: &str,
        expires_at: i64,
        now: i64,
    ) -> DbResult<bool> {
        let client = self.client().await?;
        client
            .execute("DELETE FROM nonces WHERE expires_at < $1", &[&now])
            .await?;
        let added = client
            .execute(
                "INSERT INTO nonces (device_id, nonce, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT DO NOTHING",
                &[&device, &nonce, &expires_at],
            )
            .await?;
        Ok(added == 1)
    }

    async fn doc(&self, township: &str, doc_id: &str) -> DbResult<Option<StoredDoc>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT bytes, version FROM docs WHERE township = $1 AND doc_id = $2",
                &[&township, &doc_id],
            )
            .await?;
        Ok(row.map(|r| StoredDoc {
            bytes: r.get(0),
            version: r.get(1),
        }))
    }

    async fn digests(
        &self,
        township: &str,
        doc_ids: &[String],
    ) -> DbResult<HashMap<String, String>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT doc_id, digest FROM docs WHERE township = $1 AND doc_id = ANY($2)",
                &[&township, &doc_ids],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn changed_since(&self, township: &str, cursor: u64) -> DbResult<(Vec<DocDigest>, u64)> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .start()
            .await?;
        let head: i64 = tx
            .query_opt("SELECT seq FROM townships WHERE code = $1", &[&township])
            .await?
            .map_or(0, |r| r.get(0));
        let from = if cursor > head as u64 {
            0
        } else {
            cursor as i64
        };
        let rows = tx
            .query(
                "SELECT doc_id, digest FROM docs WHERE township = $1 AND seq > $2 ORDER BY seq",
                &[&township, &from],
            )
            .await?;
        tx.commit().await?;
        let docs = rows
            .iter()
            .map(|r| DocDigest {
                doc_id: r.get(0),
                digest: r.get(1),
            })
            .collect();
        Ok((docs, head as u64))
    }

    async fn sync_state(&self, device: &str, doc_id: &str) -> DbResult<Option<Vec<u8>>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT state FROM sync_states WHERE device_id = $1 AND doc_id = $2",
                &[&device, &doc_id],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn put_synced(
        &self,
        township: &str,
        device: &str,
        docs: Vec<SyncedDoc>,
    ) -> DbResult<Vec<String>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let writes: Vec<(&str, &DocWrite)> = docs
            .iter()
            .filter_map(|d| Some((d.doc_id.as_str(), d.write.as_ref()?)))
            .collect();
        // Only a batch that changes documents takes the township's lock.
        let mut moved = Vec::new();
        if !writes.is_empty() {
            let stored = store_docs(&tx, township, &writes).await?;
            for ((doc_id, _), stored) in writes.iter().zip(stored) {
                if !stored {
                    moved.push(doc_id.to_string());
                }
            }
        }
        for doc in docs.iter().filter(|d| !moved.contains(&d.doc_id)) {
            tx.execute(
                "INSERT INTO sync_states (device_id, doc_id, state) VALUES ($1, $2, $3)
                 ON CONFLICT (device_id, doc_id) DO UPDATE SET state = excluded.state",
                &[&device, &doc.doc_id, &doc.state],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(moved)
    }
}

/// Stores each document whose version is still the one expected, moving the township's change
/// feed on for each; says which were stored. Locking the township row orders feed positions by
/// commit, so a desk reading the feed can never skip a change that commits late.
async fn store_docs(
    tx: &tokio_postgres::Transaction<'_>,
    township: &str,
    docs: &[(&str, &DocWrite)],
) -> DbResult<Vec<bool>> {
    let first: i64 = tx
        .query_one(
            "SELECT seq FROM townships WHERE code = $1 FOR UPDATE",
            &[&township],
        )
        .await?
        .get(0);
    let mut seq = first;
    let mut stored = Vec::with_capacity(docs.len());
    for &(doc_id, write) in docs {
        let current: Option<i64> = tx
            .query_opt(
                "SELECT version FROM docs WHERE township = $1 AND doc_id = $2",
                &[&township, &doc_id],
            )
            .await?
            .map(|r| r.get(0));
        if current != write.expected {
            stored.push(false);
            continue;
        }
        seq += 1;
        tx.execute(
            "INSERT INTO docs (township, doc_id, bytes, digest, version, seq)
             VALUES ($1, $2, $3, $4, 1, $5)
             ON CONFLICT (township, doc_id) DO UPDATE SET
               bytes = excluded.bytes, digest = excluded.digest,
               version = docs.version + 1, seq = excluded.seq",
            &[&township, &doc_id, &write.bytes, &write.digest, &seq],
        )
        .await?;
        stored.push(true);
    }
    if seq != first {
        tx.execute(
            "UPDATE townships SET seq = $2 WHERE code = $1",
            &[&township, &seq],
        )
        .await?;
    }
    Ok(stored)
}
