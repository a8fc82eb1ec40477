//! The PostgreSQL store, for a county hub that outgrows one machine. Same contract as the
//! SQLite store; concurrency is handled with row locks on the township. Two hub processes may
//! share one database: everything they must agree on (nonces, request counts, uploads) lives
//! here.

use crate::db::{
    Device, EnrollCode, HubDb, HubError, HubResult, HubUser, NewDevice, Redeemed, StoredDoc,
    SyncedDoc, Township,
};
use crate::postgres_tls::{self, PgTransport};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::collections::HashMap;
use tokio_postgres::{NoTls, Row};
use tongban_sync::wire::DocDigest;

const MIGRATION_LOCK: i64 = 0x7467_6268_7562; // "tgbhub"

#[derive(Clone)]
pub struct PgDb {
    pool: Pool,
}

fn pool_error(e: impl std::fmt::Display) -> HubError {
    HubError::Pool(e.to_string())
}

impl PgDb {
    /// Connects (TLS verified, or plain to this machine only) and brings the schema up to date.
    pub async fn connect(url: &str) -> HubResult<Self> {
        let (config, transport) = postgres_tls::parse(url)?;
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match transport {
            PgTransport::Local => Manager::from_config(config, NoTls, manager_config),
            PgTransport::VerifyFull { root } => {
                Manager::from_config(config, postgres_tls::connector(&root)?, manager_config)
            }
        };
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(pool_error)?;
        let db = Self { pool };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> HubResult<()> {
        use crate::migrations::{APPLIED, LEDGER, POSTGRES, pending};
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.batch_execute(LEDGER).await?;
        let applied: i32 = tx.query_one(APPLIED, &[]).await?.get(0);
        for step in pending(POSTGRES, applied) {
            tx.batch_execute(step.sql).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&step.version],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn client(&self) -> HubResult<deadpool_postgres::Client> {
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
    async fn ping(&self) -> HubResult<()> {
        self.client().await?.query_one("SELECT 1", &[]).await?;
        Ok(())
    }

    async fn database_bytes(&self) -> HubResult<u64> {
        let bytes: i64 = self
            .client()
            .await?
            .query_one("SELECT pg_database_size(current_database())", &[])
            .await?
            .get(0);
        Ok(u64::try_from(bytes).unwrap_or(0))
    }

    async fn add_township(&self, code: &str, name: &str) -> HubResult<bool> {
        Ok(self
            .client()
            .await?
            .execute(
                "INSERT INTO townships (code, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&code, &name],
            )
            .await?
            == 1)
    }

    async fn township(&self, code: &str) -> HubResult<Option<Township>> {
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
    ) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO enroll_codes (code_hash, township, expires_at) VALUES ($1, $2, $3)",
                &[&code_hash, &township, &expires_at],
            )
            .await?;
        Ok(())
    }

    async fn enroll_code(&self, code_hash: &str) -> HubResult<Option<EnrollCode>> {
        let row = self
            .client()
            .await?
            .query_opt(
                "SELECT township, expires_at, used_by IS NOT NULL, failures FROM enroll_codes
                 WHERE code_hash = $1",
                &[&code_hash],
            )
            .await?;
        Ok(row.map(|r| EnrollCode {
            township: r.get(0),
            expires_at: r.get(1),
            used: r.get(2),
            failures: r.get::<_, i32>(3).max(0) as u32,
        }))
    }

    async fn count_code_failure(&self, code_hash: &str) -> HubResult<u32> {
        let row = self
            .client()
            .await?
            .query_opt(
                "UPDATE enroll_codes SET failures = failures + 1 WHERE code_hash = $1
                 RETURNING failures",
                &[&code_hash],
            )
            .await?;
        Ok(row.map_or(0, |r| r.get::<_, i32>(0).max(0) as u32))
    }

    async fn burn_enroll_code(&self, code_hash: &str) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "UPDATE enroll_codes SET used_by = 'burned' WHERE code_hash = $1 AND used_by IS NULL",
                &[&code_hash],
            )
            .await?;
        Ok(())
    }

    async fn redeem_enroll_code(
        &self,
        code_hash: &str,
        device: NewDevice,
        max_serial: u32,
    ) -> HubResult<Redeemed> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let Some(row) = tx
            .query_opt(
                "SELECT township FROM enroll_codes
                 WHERE code_hash = $1 AND used_by IS NULL FOR UPDATE",
                &[&code_hash],
            )
            .await?
        else {
            return Ok(Redeemed::CodeGone);
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
        if serial as u32 > max_serial {
            return Ok(Redeemed::NoSerial);
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
        Ok(Redeemed::Enrolled(Device {
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

    async fn add_user(&self, township: &str, user: HubUser) -> HubResult<bool> {
        Ok(self
            .client()
            .await?
            .execute(
                "INSERT INTO users (township, name, role, public_key, sealed_key, must_change,
                     totp_secret, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                &[
                    &township,
                    &user.name,
                    &user.role,
                    &user.public_key,
                    &user.sealed_key,
                    &user.must_change,
                    &user.totp_secret,
                    &user.created_at,
                ],
            )
            .await?
            == 1)
    }

    async fn set_totp_secret(
        &self,
        township: &str,
        name: &str,
        secret: Option<&str>,
    ) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "UPDATE users SET totp_secret = $3 WHERE township = $1 AND name = $2",
                &[&township, &name, &secret],
            )
            .await?;
        Ok(())
    }

    async fn users(&self, township: &str) -> HubResult<Vec<HubUser>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name, role, public_key, sealed_key, must_change, totp_secret, created_at,
                     disabled_at
                 FROM users WHERE township = $1 ORDER BY name",
                &[&township],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| HubUser {
                name: r.get(0),
                role: r.get(1),
                public_key: r.get(2),
                sealed_key: r.get(3),
                must_change: r.get(4),
                totp_secret: r.get(5),
                created_at: r.get(6),
                disabled_at: r.get(7),
            })
            .collect())
    }

    async fn setting(&self, scope: &str, key: &str) -> HubResult<Option<String>> {
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

    async fn put_setting(&self, scope: &str, key: &str, value: &str) -> HubResult<()> {
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

    async fn delete_setting(&self, scope: &str, key: &str) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "DELETE FROM settings WHERE scope = $1 AND key = $2",
                &[&scope, &key],
            )
            .await?;
        Ok(())
    }

    async fn device(&self, id: &str) -> HubResult<Option<Device>> {
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

    async fn devices(&self, township: &str) -> HubResult<Vec<Device>> {
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

    async fn note_desk_version(&self, device: &str, version: &str, at_ms: i64) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO desk_versions (device_id, version, seen_at_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (device_id) DO UPDATE SET
                   version = excluded.version, seen_at_ms = excluded.seen_at_ms",
                &[&device, &version, &at_ms],
            )
            .await?;
        Ok(())
    }

    async fn desk_versions(&self, township: &str) -> HubResult<HashMap<String, (String, i64)>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT v.device_id, v.version, v.seen_at_ms FROM desk_versions v
                 JOIN devices d ON d.id = v.device_id WHERE d.township = $1",
                &[&township],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), (r.get(1), r.get(2))))
            .collect())
    }

    async fn revoke_device(&self, id: &str) -> HubResult<bool> {
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
    ) -> HubResult<bool> {
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

    async fn doc(&self, township: &str, doc_id: &str) -> HubResult<Option<StoredDoc>> {
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

    async fn doc_keys(&self) -> HubResult<Vec<(String, String)>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT township, doc_id FROM docs ORDER BY township, doc_id",
                &[],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn reseal_doc(&self, township: &str, doc_id: &str, bytes: Vec<u8>) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "UPDATE docs SET bytes = $3 WHERE township = $1 AND doc_id = $2",
                &[&township, &doc_id, &bytes],
            )
            .await?;
        Ok(())
    }

    async fn digests(
        &self,
        township: &str,
        doc_ids: &[String],
    ) -> HubResult<HashMap<String, String>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT doc_id, digest FROM docs WHERE doc_id = ANY($2)
                 AND (township = $1 OR EXISTS (SELECT 1 FROM shared_docs s
                   WHERE s.unit = $1 AND s.township = docs.township AND s.doc_id = docs.doc_id))",
                &[&township, &doc_ids],
            )
            .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    async fn changed_since(&self, township: &str, from: u64) -> HubResult<(Vec<DocDigest>, u64)> {
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
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let rows = tx
            .query(
                "SELECT doc_id, digest, seq FROM docs WHERE township = $1 AND seq > $2
                 UNION ALL
                 SELECT s.doc_id, d.digest, s.seq FROM shared_docs s
                 JOIN docs d ON d.township = s.township AND d.doc_id = s.doc_id
                 WHERE s.unit = $1 AND s.seq > $2
                 ORDER BY 3",
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

    async fn sync_state(&self, device: &str, doc_id: &str) -> HubResult<Option<Vec<u8>>> {
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

    async fn put_synced(&self, device: &str, docs: Vec<SyncedDoc>) -> HubResult<Vec<String>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let writes: Vec<&SyncedDoc> = docs.iter().filter(|d| d.write.is_some()).collect();
        // Only a batch that changes documents takes the feeds' locks.
        let moved = if writes.is_empty() {
            Vec::new()
        } else {
            store_docs(&tx, &writes).await?
        };
        for doc in docs.iter().filter(|d| !moved.contains(&d.doc_id)) {
            let Some(state) = &doc.state else { continue };
            tx.execute(
                "INSERT INTO sync_states (device_id, doc_id, state) VALUES ($1, $2, $3)
                 ON CONFLICT (device_id, doc_id) DO UPDATE SET state = excluded.state",
                &[&device, &doc.doc_id, state],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(moved)
    }
}

/// Stores each document whose version is still the one expected, moving its township's change
/// feed on (and the feed of the unit it is shared with); returns those another request stored
/// first. Locking the feeds' rows orders feed positions by commit, so a desk reading a feed can
/// never skip a change that commits late; they are locked in code order, so two requests
/// spanning several townships never wait on each other crosswise.
async fn store_docs(
    tx: &tokio_postgres::Transaction<'_>,
    docs: &[&SyncedDoc],
) -> HubResult<Vec<String>> {
    let codes: std::collections::BTreeSet<&str> = docs
        .iter()
        .flat_map(|d| std::iter::once(d.township.as_str()).chain(d.shared_with.as_deref()))
        .collect();
    let codes: Vec<&str> = codes.into_iter().collect();
    let mut heads: HashMap<String, i64> = tx
        .query(
            "SELECT code, seq FROM townships WHERE code = ANY($1) ORDER BY code FOR UPDATE",
            &[&codes],
        )
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut next = |code: &str| -> HubResult<i64> {
        let seq = heads
            .get_mut(code)
            .ok_or_else(|| HubError::internal(format!("no feed for {code}")))?;
        *seq += 1;
        Ok(*seq)
    };
    let mut moved = Vec::new();
    for doc in docs {
        let (Some(write), township, doc_id) = (&doc.write, &doc.township, &doc.doc_id) else {
            continue;
        };
        let current: Option<i64> = tx
            .query_opt(
                "SELECT version FROM docs WHERE township = $1 AND doc_id = $2",
                &[township, doc_id],
            )
            .await?
            .map(|r| r.get(0));
        if current != write.expected {
            moved.push(doc_id.clone());
            continue;
        }
        let seq = next(township)?;
        tx.execute(
            "INSERT INTO docs (township, doc_id, bytes, digest, version, seq)
             VALUES ($1, $2, $3, $4, 1, $5)
             ON CONFLICT (township, doc_id) DO UPDATE SET
               bytes = excluded.bytes, digest = excluded.digest,
               version = docs.version + 1, seq = excluded.seq",
            &[township, doc_id, &write.bytes, &write.digest, &seq],
        )
        .await?;
        for sha256 in &write.pages {
            tx.execute(
                "INSERT INTO case_pages (township, sha256) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[township, sha256],
            )
            .await?;
        }
        crate::postgres_facts::put(tx, township, doc_id, write.facts.as_deref()).await?;
        crate::postgres_sharing::put_applicant(tx, township, doc_id, write.applicant.as_deref())
            .await?;
        if let Some(unit) = &doc.shared_with {
            // The unit may read the scans of a case shared with it, as a township its own.
            for sha256 in &write.pages {
                tx.execute(
                    "INSERT INTO case_pages (township, sha256) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[unit, sha256],
                )
                .await?;
            }
            let seq = next(unit)?;
            tx.execute(
                "INSERT INTO shared_docs (unit, township, doc_id, seq) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (unit, doc_id) DO UPDATE SET seq = excluded.seq",
                &[unit, township, doc_id, &seq],
            )
            .await?;
        }
    }
    for (code, seq) in &heads {
        tx.execute(
            "UPDATE townships SET seq = $2 WHERE code = $1",
            &[code, seq],
        )
        .await?;
    }
    Ok(moved)
}
