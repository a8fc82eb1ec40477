//! The SQLCipher connection, its schema and the desk's own settings.

use crate::StoreError;
use crate::keys::SecretKey;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use std::path::Path;
use tongban_domain::TownshipCode;
use tongban_sync::wire::Directory;
use zeroize::Zeroizing;

const MIGRATIONS: &[M<'static>] = &[
    M::up(
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value BLOB NOT NULL);
     CREATE TABLE doc_chunks (
         doc_id TEXT NOT NULL, seq INTEGER NOT NULL, bytes BLOB NOT NULL,
         PRIMARY KEY (doc_id, seq));
     CREATE TABLE cases (
         number TEXT PRIMARY KEY, item_code TEXT NOT NULL, item_name TEXT NOT NULL,
         applicant_name TEXT NOT NULL, id_number TEXT NOT NULL, phone TEXT,
         status TEXT NOT NULL, clerk TEXT NOT NULL,
         created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,
         digest TEXT NOT NULL);
     CREATE INDEX cases_by_id_number ON cases (id_number);
     CREATE INDEX cases_by_name ON cases (applicant_name);
     CREATE INDEX cases_by_status ON cases (status, created_at_ms);
     CREATE INDEX cases_by_item ON cases (item_code, created_at_ms);
     CREATE INDEX cases_by_created ON cases (created_at_ms);
     CREATE TABLE case_sequence (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
     CREATE TABLE sync_docs (
         doc_id TEXT PRIMARY KEY, synced_digest TEXT, state BLOB);
     CREATE TABLE users (
         name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at_ms INTEGER NOT NULL);",
    ),
    M::up("CREATE TABLE drafts (key TEXT PRIMARY KEY, value TEXT NOT NULL);"),
    M::up(
        "ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'clerk';
     ALTER TABLE users ADD COLUMN totp_secret TEXT;
     ALTER TABLE users ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE users ADD COLUMN locked_until_ms INTEGER;
     CREATE TABLE devices (
         id TEXT PRIMARY KEY, serial INTEGER NOT NULL, public_key TEXT NOT NULL,
         revoked INTEGER NOT NULL);
     CREATE TABLE refusals (
         at_ms INTEGER NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL, case_number TEXT,
         reason TEXT NOT NULL);
     ALTER TABLE cases ADD COLUMN assignee TEXT;
     ALTER TABLE cases ADD COLUMN deadline TEXT;
     ALTER TABLE cases ADD COLUMN conflict INTEGER NOT NULL DEFAULT 0;
     CREATE INDEX cases_by_deadline ON cases (deadline) WHERE deadline IS NOT NULL;
     CREATE INDEX cases_by_clerk ON cases (clerk);
     CREATE INDEX cases_by_assignee ON cases (assignee) WHERE assignee IS NOT NULL;",
    ),
    M::up(
        "CREATE TABLE blobs (
         sha256 TEXT PRIMARY KEY, mime TEXT NOT NULL, bytes BLOB NOT NULL, size INTEGER NOT NULL,
         thumbnail BLOB, uploaded INTEGER NOT NULL, created_at_ms INTEGER NOT NULL);
     CREATE INDEX blobs_to_upload ON blobs (created_at_ms) WHERE uploaded = 0;
     CREATE TABLE blob_parts (
         sha256 TEXT NOT NULL, idx INTEGER NOT NULL, bytes BLOB NOT NULL,
         PRIMARY KEY (sha256, idx));
     CREATE TABLE page_refs (
         case_number TEXT NOT NULL, material TEXT NOT NULL, material_index INTEGER NOT NULL,
         position INTEGER NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
         mime TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL,
         PRIMARY KEY (case_number, material, position));
     CREATE INDEX page_refs_by_sha ON page_refs (sha256);
     CREATE TABLE page_attempts (
         sha256 TEXT NOT NULL, idx INTEGER NOT NULL, direction TEXT NOT NULL,
         PRIMARY KEY (sha256, idx, direction));",
    ),
    M::up(
        "CREATE TABLE audit_events (
         seq INTEGER PRIMARY KEY, bytes BLOB NOT NULL, signature BLOB NOT NULL,
         hash BLOB NOT NULL, at_ms INTEGER NOT NULL, object TEXT NOT NULL,
         hub_position INTEGER);
     CREATE INDEX audit_by_object ON audit_events (object, seq);
     CREATE INDEX audit_unacknowledged ON audit_events (seq) WHERE hub_position IS NULL;
     CREATE TABLE township_audit (
         position INTEGER PRIMARY KEY, device TEXT NOT NULL, seq INTEGER NOT NULL,
         hash BLOB NOT NULL, bytes BLOB NOT NULL, signature BLOB NOT NULL,
         object TEXT NOT NULL);
     CREATE INDEX township_audit_by_object ON township_audit (object, position);",
    ),
    // Deferred materials' deadline (容缺受理), for the queues.
    M::up("ALTER TABLE cases ADD COLUMN materials_due TEXT;"),
    // Person keys: each account's key sealed under its password replaces the password hash;
    // a password changed here waits in rekeys until the hub takes it.
    M::up(
        "ALTER TABLE users ADD COLUMN public_key TEXT;
     ALTER TABLE users ADD COLUMN sealed_key TEXT;
     ALTER TABLE users ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;
     UPDATE users SET password_hash = '';
     CREATE TABLE rekeys (name TEXT PRIMARY KEY, rekey TEXT NOT NULL);",
    ),
    // A form in progress belongs to the person who typed it; earlier drafts go to the person
    // who enrolled the desk.
    M::up(
        "CREATE TABLE user_drafts (
         user TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (user, key));
     INSERT INTO user_drafts (user, key, value)
         SELECT CAST(s.value AS TEXT), d.key, d.value FROM drafts d
         JOIN settings s ON s.key = 'user';
     DROP TABLE drafts;",
    ),
    // The query code a citizen gets on the receipt: random per case; the case document holds
    // its hash, this table the code, so the registering desk can print the receipt again.
    M::up("CREATE TABLE query_codes (number TEXT PRIMARY KEY, code TEXT NOT NULL);"),
    // What the supervision figures read of each case (its events, no applicant), kept with its
    // listing; cases listed before are read from their documents once, at the first report.
    M::up("ALTER TABLE cases ADD COLUMN facts TEXT;"),
    // The 档号 this desk gave the packages it built, numbered without gaps in its own batches
    // (the class carries the desk's serial, so no other desk or the hub numbers in them).
    M::up(
        "CREATE TABLE archive_codes (number TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, batch TEXT NOT NULL, item INTEGER NOT NULL);",
    ),
    // A 差评 waiting for rectification: its last day, so the supervisors' queue is one range
    // read (no case rated before this version was listed).
    M::up(
        "ALTER TABLE cases ADD COLUMN rectify_by TEXT;
     CREATE INDEX cases_by_rectify ON cases (rectify_by) WHERE rectify_by IS NOT NULL;",
    ),
];

/// What the hub told this desk when it enrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    pub hub_url: String,
    pub device_id: String,
    pub device_serial: u32,
    pub township: TownshipCode,
    pub township_name: String,
    pub user: String,
    /// The hub's key for audit checkpoints (hex Ed25519).
    pub hub_audit_key: String,
    /// The fingerprint of the hub's TLS key, pinned at enrolment from the enrolment code.
    pub hub_key: String,
    /// The hub's certificate (DER): its key signs the hub's statements to this desk.
    pub hub_certificate: Vec<u8>,
}

/// A key the hub announced, under its current one, as the key it will present next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextHubKey {
    pub fingerprint: String,
    pub certificate: Vec<u8>,
}

/// The statement that keys a SQLCipher connection. It takes the raw key as a blob literal in
/// double quotes; rusqlite's pragma_update would quote it as a passphrase instead.
pub(crate) fn key_pragma(key: &SecretKey) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "PRAGMA key = \"{}\";",
        key.sqlcipher_pragma().as_str()
    ))
}

/// A keyed connection to a database file that must already exist: a missing file must not
/// become an empty database. The key is checked on the first read, not here.
pub(crate) fn open_existing(path: &Path, key: &SecretKey) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    keyed(&conn, key)?;
    Ok(conn)
}

fn keyed(conn: &Connection, key: &SecretKey) -> Result<(), StoreError> {
    // A wrong key is reported as StoreError::Undecryptable; SQLCipher's own log would only add
    // noise on the clerk's terminal.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&key_pragma(key))?;
    Ok(())
}

pub struct Store {
    /// Stopped before the desk's connection closes, which then copies back what is left.
    checkpointer: Option<crate::checkpoint::Checkpointer>,
    pub(crate) conn: Connection,
    /// Set when opened as a profile on this machine; a bare database file has none.
    pub(crate) witness: Option<crate::witness::Witness>,
}

impl Store {
    pub(crate) fn create(path: &Path, key: &SecretKey) -> Result<Self, StoreError> {
        let conn = Connection::open(path)?;
        keyed(&conn, key)?;
        Self::configure(conn)
    }

    pub(crate) fn open(path: &Path, key: &SecretKey) -> Result<Self, StoreError> {
        Self::configure(open_existing(path, key)?)
    }

    fn configure(mut conn: Connection) -> Result<Self, StoreError> {
        // SQLCipher checks the key only on first read: read now so a wrong key fails here.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                StoreError::Undecryptable
            }
            other => StoreError::Sqlite(other),
        })?;
        conn.execute_batch(
            // A page cache of 32 MiB keeps lookups from decrypting the same pages again.
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA cache_size = -32768;
             PRAGMA temp_store = MEMORY;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;",
        )?;
        // Room for every statement a save runs, so none is parsed again for the next one.
        conn.set_prepared_statement_cache_capacity(64);
        Migrations::from_slice(MIGRATIONS)
            .to_latest(&mut conn)
            .map_err(|e| StoreError::Corrupt(format!("schema migration: {e}")))?;
        Ok(Self {
            checkpointer: None,
            conn,
            witness: None,
        })
    }

    /// Takes copying the log back into the database out of the desk's saves (see
    /// `checkpoint`). Only a profile's own database: a file opened to check a backup is
    /// closed again at once.
    pub(crate) fn checkpoint_in_background(
        &mut self,
        path: &Path,
        key: &SecretKey,
    ) -> Result<(), StoreError> {
        self.checkpointer = Some(crate::checkpoint::Checkpointer::start(path, key)?);
        self.conn.pragma_update(
            None,
            "wal_autocheckpoint",
            crate::checkpoint::FALLBACK_PAGES,
        )?;
        Ok(())
    }

    /// Leaves copying the log back to SQLite again, inside whichever save crosses 1,000 pages:
    /// the baseline the million-case benchmark measures the background copy against.
    #[doc(hidden)]
    pub fn checkpoint_inside_saves(&mut self) -> Result<(), StoreError> {
        self.checkpointer = None;
        self.conn.pragma_update(None, "wal_autocheckpoint", 1_000)?;
        Ok(())
    }

    pub fn setting(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Self::setting_in(&self.conn, key)
    }

    /// A setting as `conn` (or a transaction on it) sees it.
    pub(crate) fn setting_in(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(conn
            .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    pub(crate) fn setting_text(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.setting(key)?
            .map(|v| {
                String::from_utf8(v).map_err(|_| StoreError::Corrupt(format!("setting {key}")))
            })
            .transpose()
    }

    pub(crate) fn put_setting(
        conn: &Connection,
        key: &str,
        value: &[u8],
    ) -> Result<(), StoreError> {
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Records the enrolment, the device's signing key and the township's directory, in one
    /// transaction.
    pub fn record_enrollment(
        &mut self,
        enrollment: &Enrollment,
        device_key: &SecretKey,
        directory: &Directory,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        for (key, value) in [
            ("hub_url", enrollment.hub_url.as_bytes()),
            ("device_id", enrollment.device_id.as_bytes()),
            ("township", enrollment.township.as_str().as_bytes()),
            ("township_name", enrollment.township_name.as_bytes()),
            ("user", enrollment.user.as_bytes()),
            ("hub_audit_key", enrollment.hub_audit_key.as_bytes()),
            ("hub_key", enrollment.hub_key.as_bytes()),
            ("hub_certificate", &enrollment.hub_certificate),
            ("device_key", device_key.expose()),
        ] {
            Self::put_setting(&tx, key, value)?;
        }
        Self::put_setting(
            &tx,
            "device_serial",
            enrollment.device_serial.to_string().as_bytes(),
        )?;
        crate::accounts::write_directory(&tx, directory)?;
        let access = crate::Access {
            detail: "enrolled",
            ..crate::Access::done(&enrollment.user, tongban_audit::AuditAction::Key, "")
        };
        crate::audit::append(&tx, &access, crate::now_ms(time::OffsetDateTime::now_utc()))?;
        crate::witness::commit(tx, self.witness.as_ref())
    }

    pub fn enrollment(&self) -> Result<Enrollment, StoreError> {
        let text = |key: &str| -> Result<String, StoreError> {
            self.setting_text(key)?.ok_or(StoreError::NotEnrolled)
        };
        let township = TownshipCode::parse(&text("township")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Enrollment {
            hub_url: text("hub_url")?,
            device_id: text("device_id")?,
            device_serial: text("device_serial")?
                .parse()
                .map_err(|_| StoreError::Corrupt("device serial".into()))?,
            township,
            township_name: text("township_name")?,
            user: text("user")?,
            hub_audit_key: text("hub_audit_key")?,
            // Desks enrolled before the hub's key was pinned must enrol again.
            hub_key: self.setting_text("hub_key")?.ok_or(StoreError::NoHubKey)?,
            hub_certificate: self
                .setting("hub_certificate")?
                .ok_or(StoreError::NoHubKey)?,
        })
    }

    /// Remembers the key the hub announced as its next one (accepted from now on as well).
    pub fn set_next_hub_key(&mut self, next: &NextHubKey) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        Self::put_setting(&tx, "hub_next_key", next.fingerprint.as_bytes())?;
        Self::put_setting(&tx, "hub_next_certificate", &next.certificate)?;
        tx.commit()?;
        Ok(())
    }

    pub fn next_hub_key(&self) -> Result<Option<NextHubKey>, StoreError> {
        Ok(
            match (
                self.setting_text("hub_next_key")?,
                self.setting("hub_next_certificate")?,
            ) {
                (Some(fingerprint), Some(certificate)) => Some(NextHubKey {
                    fingerprint,
                    certificate,
                }),
                _ => None,
            },
        )
    }

    /// The hub now presents the announced key: it becomes the one pinned, the old one goes.
    pub fn promote_next_hub_key(&mut self) -> Result<(), StoreError> {
        let Some(next) = self.next_hub_key()? else {
            return Ok(());
        };
        let tx = self.conn.transaction()?;
        Self::put_setting(&tx, "hub_key", next.fingerprint.as_bytes())?;
        Self::put_setting(&tx, "hub_certificate", &next.certificate)?;
        tx.execute(
            "DELETE FROM settings WHERE key IN ('hub_next_key', 'hub_next_certificate')",
            [],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Points the desk at another address of its hub: an administrator's act, recorded. The
    /// pinned key still decides whom the desk talks to there.
    pub fn change_hub_url(
        &mut self,
        session: &tongban_domain::session::Session,
        url: &str,
        now: time::OffsetDateTime,
    ) -> Result<(), StoreError> {
        use tongban_domain::{Action, Denied};
        if !session.role.may(Action::ConfigureDesk) {
            let denied = Denied::Role(session.role, Action::ConfigureDesk);
            self.refuse(session, Action::ConfigureDesk, None, &denied, now)?;
            return Err(denied.into());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        Self::put_setting(&tx, "hub_url", url.as_bytes())?;
        let detail = format!("hub_url {url}");
        let access = crate::Access {
            detail: &detail,
            ..crate::Access::done(&session.user, tongban_audit::AuditAction::Key, "")
        };
        crate::audit::append(&tx, &access, crate::now_ms(now))?;
        crate::witness::commit(tx, self.witness.as_ref())?;
        Ok(())
    }

    pub fn device_key(&self) -> Result<SecretKey, StoreError> {
        let bytes = Zeroizing::new(self.setting("device_key")?.ok_or(StoreError::NotEnrolled)?);
        SecretKey::from_slice(&bytes).ok_or_else(|| StoreError::Corrupt("device key".into()))
    }

    /// Keeps a form in progress (encrypted like everything else) so a crash loses nothing; it
    /// is the signed-in person's own, and nobody else signing in at this desk sees it.
    pub fn save_draft(
        &self,
        session: &tongban_domain::session::Session,
        key: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        if value.is_empty() {
            self.conn.execute(
                "DELETE FROM user_drafts WHERE user = ?1 AND key = ?2",
                params![session.user, key],
            )?;
        } else {
            self.conn.execute(
                "INSERT INTO user_drafts (user, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (user, key) DO UPDATE SET value = excluded.value",
                params![session.user, key, value],
            )?;
        }
        Ok(())
    }

    pub fn draft(
        &self,
        session: &tongban_domain::session::Session,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM user_drafts WHERE user = ?1 AND key = ?2",
                params![session.user, key],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Both SQLCipher's per-page HMAC check and SQLite's b-tree check; empty when all is well.
    pub fn integrity_problems(&self) -> Result<Vec<String>, StoreError> {
        let mut problems = Vec::new();
        for pragma in ["PRAGMA cipher_integrity_check", "PRAGMA integrity_check"] {
            let mut stmt = self.conn.prepare(pragma)?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for row in rows {
                let row = row?;
                if row != "ok" {
                    problems.push(row);
                }
            }
        }
        Ok(problems)
    }
}
