//! Accounts on a desk: the township directory from the hub, signing in with lockout and an
//! optional one-time code, and the record of refused attempts.

use crate::Access;
use crate::{Store, StoreError};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use std::borrow::Cow;
use tongban_audit::{AuditAction, Outcome};
use tongban_domain::calendar::CalendarData;
use tongban_domain::session::{Attempts, Session};
use tongban_domain::text;
use tongban_domain::{Catalogue, Catalogues, Role, SecurityPolicy, SignInError, WorkCalendar};
use tongban_sync::ed25519_dalek::SigningKey;
use tongban_sync::person::{self, PersonKeyError, Rekey, SealedKey};
use tongban_sync::wire::Directory;

/// A person whose password opened their key.
struct Opened {
    name: String,
    role: Role,
    key: tongban_domain::Secret,
    must_change: bool,
}

/// One refused attempt, kept on the desk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Refusal {
    pub at_ms: i64,
    pub user: String,
    pub action: String,
    pub case_number: Option<String>,
    pub reason: String,
}

/// Replaces the accounts, devices, policy and (if newer) calendar with the hub's. Failed-attempt
/// counters survive: a directory refresh must not lift a lockout.
pub(crate) fn write_directory(
    tx: &Transaction<'_>,
    directory: &Directory,
) -> Result<(), StoreError> {
    let names: Vec<&str> = directory.users.iter().map(|u| u.name.as_str()).collect();
    let mut stmt = tx.prepare("SELECT name FROM users")?;
    let stale: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|n| !names.contains(&n.as_str()))
        .collect();
    for name in stale {
        tx.execute("DELETE FROM users WHERE name = ?1", [name])?;
    }
    for user in &directory.users {
        tx.execute(
            "INSERT INTO users (name, password_hash, created_at_ms, role, totp_secret, public_key,
                 sealed_key, must_change)
             VALUES (?1, '', 0, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (name) DO UPDATE SET role = excluded.role,
                 totp_secret = excluded.totp_secret, public_key = excluded.public_key,
                 sealed_key = excluded.sealed_key, must_change = excluded.must_change",
            params![
                user.name,
                user.role.as_str(),
                user.totp_secret,
                user.public_key,
                user.sealed_key,
                user.must_change
            ],
        )?;
    }
    // A password changed here that the hub has not taken yet stays: the directory still holds
    // the key sealed under the old one.
    tx.execute(
        "UPDATE users SET sealed_key = (SELECT json_extract(rekey, '$.sealed_key') FROM rekeys
             WHERE rekeys.name = users.name), must_change = 0
         WHERE name IN (SELECT name FROM rekeys)",
        [],
    )?;
    tx.execute("DELETE FROM devices", [])?;
    for device in &directory.devices {
        tx.execute(
            "INSERT INTO devices (id, serial, public_key, revoked) VALUES (?1, ?2, ?3, ?4)",
            params![device.id, device.serial, device.public_key, device.revoked],
        )?;
    }
    let policy =
        serde_json::to_vec(&directory.policy).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Store::put_setting(tx, "policy", &policy)?;
    if let Some(calendar) = &directory.calendar
        && calendar.version > WorkCalendar::builtin().version()
    {
        let text = serde_json::to_vec(calendar).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Store::put_setting(tx, "calendar", &text)?;
    }
    if !directory.catalogues.is_empty() {
        // Versions are only ever added: a case keeps being read by the one it was registered under.
        let mut kept = stored_catalogues(tx)?;
        for c in &directory.catalogues {
            if let Err(e) = c.check() {
                // Kept out rather than trusted: cases keep to the versions this desk can read.
                tracing::warn!(version = c.version, error = %e, "a catalogue from the hub was refused");
                continue;
            }
            if Catalogues::shipped().version(c.version).is_none()
                && !kept.iter().any(|k| k.version == c.version)
            {
                kept.push(c.clone());
            }
        }
        let text = serde_json::to_vec(&kept).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Store::put_setting(tx, "catalogues", &text)?;
    }
    Store::put_setting(tx, "directory_digest", directory.digest().as_bytes())?;
    Ok(())
}

/// The catalogue versions the hub published, as this desk received them.
fn stored_catalogues(conn: &rusqlite::Connection) -> Result<Vec<Catalogue>, StoreError> {
    match Store::setting_in(conn, "catalogues")? {
        Some(bytes) => {
            serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
        }
        None => Ok(Vec::new()),
    }
}

impl Store {
    /// Every catalogue version this desk knows: shipped, and published by the hub. Read on use,
    /// like the calendar.
    pub fn catalogues(&self) -> Result<Catalogues, StoreError> {
        Ok(Catalogues::with(stored_catalogues(&self.conn)?))
    }

    /// The organ that decides `case`, as the catalogue it was registered under says; `None`
    /// while this desk has not received that catalogue.
    /// The organ in whose name the case is decided and its papers issued; the township's
    /// government for an item no catalogue this desk holds names.
    pub fn deciding_organ(&self, case: &tongban_domain::Case) -> Result<String, StoreError> {
        let township = self.enrollment()?.township_name;
        Ok(self.catalogues()?.item_of(case).map_or_else(
            || format!("{township}人民政府"),
            |item| item.deciding_organ(&township),
        ))
    }

    pub fn replace_directory(&mut self, directory: &Directory) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        write_directory(&tx, directory)?;
        tx.commit()?;
        Ok(())
    }

    pub fn directory_digest(&self) -> Result<Option<String>, StoreError> {
        self.setting_text("directory_digest")
    }

    /// The working-day calendar deadlines are counted on: the shipped one, or a newer one from
    /// the hub. Read on use, not kept: another connection (the desktop's sync worker) may have
    /// stored a newer one since this store was opened.
    pub fn calendar(&self) -> Result<Cow<'static, WorkCalendar>, StoreError> {
        let Some(bytes) = self.setting("calendar")? else {
            return Ok(Cow::Borrowed(WorkCalendar::builtin()));
        };
        let data: CalendarData =
            serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        WorkCalendar::from_data(data)
            .map(Cow::Owned)
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    pub fn policy(&self) -> Result<SecurityPolicy, StoreError> {
        match self.setting("policy")? {
            Some(bytes) => {
                serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
            }
            None => Ok(SecurityPolicy::default()),
        }
    }

    pub fn role_of(&self, user: &str) -> Result<Option<Role>, StoreError> {
        let role: Option<String> = self
            .conn
            .query_row("SELECT role FROM users WHERE name = ?1", [user], |r| {
                r.get(0)
            })
            .optional()?;
        role.map(|r| r.parse().map_err(StoreError::Corrupt))
            .transpose()
    }

    /// The public key of a township device, to check the seals on its decisions.
    pub fn device_public_key(&self, device: &str) -> Result<Option<String>, StoreError> {
        let listed = self
            .conn
            .query_row(
                "SELECT public_key FROM devices WHERE id = ?1",
                [device],
                |r| r.get(0),
            )
            .optional()?;
        if listed.is_some() {
            return Ok(listed);
        }
        // The hub's own entries in the township log are signed with its audit key.
        let enrollment = self.enrollment()?;
        if tongban_audit::hub_device(enrollment.township.as_str()) == device {
            return Ok(Some(enrollment.hub_audit_key));
        }
        // This desk's own key is known before the hub lists the device back to it.
        if enrollment.device_id == device {
            let key = SigningKey::from_bytes(self.device_key()?.expose());
            return Ok(Some(hex::encode(key.verifying_key().to_bytes())));
        }
        Ok(None)
    }

    /// Signs a user in with their password (and one-time code when their account has one): the
    /// password opens the person's own key, which signs everything they do; the second factor
    /// is this enrolled device, whose key opened the store. Every refusal is recorded; repeated
    /// failures lock the account on this desk. A password the county set in a reset opens
    /// nothing but [`Store::change_password`].
    pub fn sign_in(
        &mut self,
        user: &str,
        password: &str,
        code: Option<&str>,
        now_ms: i64,
    ) -> Result<Session, StoreError> {
        let opened = self.open_person_key(user, password, code, now_ms)?;
        if opened.must_change {
            return Err(SignInError::MustChange.into());
        }
        self.audit(&Access::done(&opened.name, AuditAction::SignIn, ""), now_ms)?;
        Ok(Session {
            user: opened.name,
            role: opened.role,
            last_use_ms: now_ms,
            key: opened.key,
        })
    }

    /// Changes a person's password on this desk: the current one (and code) must open their
    /// key, the new one must pass the township's rules; the key is sealed again under it and the
    /// hub is told at the next sync, which hands the new sealing to the person's other desks.
    pub fn change_password(
        &mut self,
        user: &str,
        current: &str,
        code: Option<&str>,
        new: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let opened = self.open_person_key(user, current, code, now_ms)?;
        self.policy()?.check_password(&opened.name, new)?;
        if new == current {
            return Err(StoreError::Invalid(text!(
                "the new password must differ from the current one",
                "新密码不能与当前密码相同"
            )));
        }
        let township = self.enrollment()?.township;
        let key = tongban_sync::person::signing_key(&opened.key);
        let sealed = tongban_sync::person::seal(&key, township.as_str(), &opened.name, new)?;
        let rekey = Rekey::new(
            &opened.key,
            township.as_str(),
            &opened.name,
            &sealed,
            now_ms,
        );
        let text = serde_json::to_string(&rekey).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE users SET sealed_key = ?1, must_change = 0 WHERE name = ?2",
            params![rekey.sealed_key, opened.name],
        )?;
        tx.execute(
            "INSERT INTO rekeys (name, rekey) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET rekey = excluded.rekey",
            params![opened.name, text],
        )?;
        let access = Access {
            detail: "password changed",
            ..Access::done(&opened.name, AuditAction::Key, "")
        };
        crate::audit::append(&tx, &access, now_ms)?;
        crate::witness::commit(tx, self.witness.as_ref())
    }

    /// Password changes made here that the hub has not taken yet.
    pub fn pending_rekeys(&self) -> Result<Vec<Rekey>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT rekey FROM rekeys ORDER BY name")?;
        let texts = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        texts
            .iter()
            .map(|t| serde_json::from_str(t).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect()
    }

    /// The hub took (or refused for good) a password change; either way it is no longer
    /// pending. A refused one is undone by the next directory, which holds the hub's sealing.
    pub fn settle_rekey(&self, rekey: &Rekey) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM rekeys WHERE name = ?1 AND json_extract(rekey, '$.at_ms') = ?2",
            params![rekey.name, rekey.at_ms],
        )?;
        Ok(())
    }

    /// Checks a person's password (opening their key) and one-time code, with the lockout
    /// rules; every refusal is recorded.
    fn open_person_key(
        &mut self,
        user: &str,
        password: &str,
        code: Option<&str>,
        now_ms: i64,
    ) -> Result<Opened, StoreError> {
        let user = user.trim();
        let policy = self.policy()?;
        type Row = (
            Option<String>,
            Option<String>,
            String,
            Option<String>,
            u32,
            Option<i64>,
            bool,
        );
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT public_key, sealed_key, role, totp_secret, failures, locked_until_ms,
                     must_change
                 FROM users WHERE name = ?1",
                [user],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((
            public_key,
            sealed_key,
            role,
            totp_secret,
            failures,
            locked_until_ms,
            must_change,
        )) = row
        else {
            self.record_refusal(
                now_ms,
                user,
                "sign_in",
                AuditAction::SignIn,
                None,
                "unknown user",
            )?;
            return Err(SignInError::Wrong(policy.max_failures).into());
        };
        let attempts = Attempts {
            failures,
            locked_until_ms,
        };
        if let Err(locked) = attempts.check(now_ms) {
            self.record_refusal(now_ms, user, "sign_in", AuditAction::SignIn, None, "locked")?;
            return Err(locked.into());
        }
        let (Some(public_key), Some(sealed_key)) = (public_key, sealed_key) else {
            self.record_refusal(now_ms, user, "sign_in", AuditAction::SignIn, None, "no key")?;
            return Err(SignInError::NoPersonKey.into());
        };
        let township = self.enrollment()?.township;
        let sealed = SealedKey::parse(&sealed_key)?;
        let key = match person::open(&sealed, township.as_str(), user, &public_key, password) {
            Ok(key) => Some(key),
            Err(PersonKeyError::WrongPassword) => None,
            Err(other) => return Err(other.into()),
        };
        let password_ok = key.is_some();
        let code_ok = match (&totp_secret, code.map(str::trim).filter(|c| !c.is_empty())) {
            (None, _) => true,
            (Some(_), None) if password_ok => {
                return Err(SignInError::CodeRequired.into());
            }
            (Some(_), None) => false,
            (Some(secret), Some(code)) => {
                tongban_sync::totp::check(secret, code, (now_ms / 1000).max(0) as u64)
            }
        };
        let (Some(key), true) = (key, code_ok) else {
            let (next, error) = attempts.failed(&policy, now_ms);
            self.conn.execute(
                "UPDATE users SET failures = ?1, locked_until_ms = ?2 WHERE name = ?3",
                params![next.failures, next.locked_until_ms, user],
            )?;
            let why = if password_ok {
                "wrong code"
            } else {
                "wrong password"
            };
            self.record_refusal(now_ms, user, "sign_in", AuditAction::SignIn, None, why)?;
            return Err(if password_ok {
                SignInError::WrongCode.into()
            } else {
                error.into()
            });
        };
        self.conn.execute(
            "UPDATE users SET failures = 0, locked_until_ms = NULL WHERE name = ?1",
            [user],
        )?;
        Ok(Opened {
            name: user.to_string(),
            role: role.parse().map_err(StoreError::Corrupt)?,
            key,
            must_change,
        })
    }

    /// Keeps a refused attempt, in the refusals list and the audit trail together.
    pub(crate) fn record_refusal(
        &self,
        at_ms: i64,
        user: &str,
        action: &str,
        audited: AuditAction,
        case_number: Option<&str>,
        reason: &str,
    ) -> Result<(), StoreError> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO refusals (at_ms, user, action, case_number, reason)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![at_ms, user, action, case_number, reason],
        )?;
        let access = Access {
            outcome: Outcome::Refused,
            detail: reason,
            ..Access::done(user, audited, case_number.unwrap_or_default())
        };
        crate::audit::append(&tx, &access, at_ms)?;
        crate::witness::commit(tx, self.witness.as_ref())
    }

    pub fn refusals(&self) -> Result<Vec<Refusal>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT at_ms, user, action, case_number, reason FROM refusals ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Refusal {
                at_ms: r.get(0)?,
                user: r.get(1)?,
                action: r.get(2)?,
                case_number: r.get(3)?,
                reason: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
