//! Accounts on a desk: the township directory from the hub, signing in with lockout and an
//! optional one-time code, and the record of refused attempts.

use crate::Access;
use crate::{Store, StoreError};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use std::borrow::Cow;
use tongban_audit::{AuditAction, Outcome};
use tongban_domain::calendar::CalendarData;
use tongban_domain::session::{Attempts, Session};
use tongban_domain::{Role, SecurityPolicy, SignInError, WorkCalendar};
use tongban_sync::ed25519_dalek::SigningKey;
use tongban_sync::wire::Directory;

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
            "INSERT INTO users (name, password_hash, created_at_ms, role, totp_secret)
             VALUES (?1, ?2, 0, ?3, ?4)
             ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash,
                 role = excluded.role, totp_secret = excluded.totp_secret",
            params![
                user.name,
                user.password_hash,
                user.role.as_str(),
                user.totp_secret
            ],
        )?;
    }
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
    Store::put_setting(tx, "directory_digest", directory.digest().as_bytes())?;
    Ok(())
}

impl Store {
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
        // This desk's own key is known before the hub lists the device back to it.
        if self.enrollment()?.device_id == device {
            let key = SigningKey::from_bytes(self.device_key()?.expose());
            return Ok(Some(hex::encode(key.verifying_key().to_bytes())));
        }
        Ok(None)
    }

    /// Signs a user in with their password (and one-time code when their account has one): the
    /// second factor is this enrolled device, whose key opened the store. Every refusal is
    /// recorded; repeated failures lock the account on this desk.
    pub fn sign_in(
        &mut self,
        user: &str,
        password: &str,
        code: Option<&str>,
        now_ms: i64,
    ) -> Result<Session, StoreError> {
        let user = user.trim();
        let policy = self.policy()?;
        type Row = (String, String, Option<String>, u32, Option<i64>);
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT password_hash, role, totp_secret, failures, locked_until_ms
                 FROM users WHERE name = ?1",
                [user],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((hash, role, totp_secret, failures, locked_until_ms)) = row else {
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
        let password_ok = crate::verify_password(&hash, password);
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
        if !(password_ok && code_ok) {
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
        }
        self.conn.execute(
            "UPDATE users SET failures = 0, locked_until_ms = NULL WHERE name = ?1",
            [user],
        )?;
        self.audit(&Access::done(user, AuditAction::SignIn, ""), now_ms)?;
        Ok(Session {
            user: user.to_string(),
            role: role.parse().map_err(StoreError::Corrupt)?,
            last_use_ms: now_ms,
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
