//! Account history, keys and assignments in the embedded store.

use crate::account_db::{AccountChange, AccountDb, Assignment, ChangeKind, NewSecret, PersonKey};
use crate::db::{HubError, HubResult};
use crate::sqlite::SqliteDb;
use rusqlite::{Transaction, params};

/// Applies one change to the account's row (and keys or assignments); the number of rows it
/// found to change.
fn apply(tx: &Transaction<'_>, township: &str, change: &AccountChange) -> rusqlite::Result<usize> {
    let (name, at) = (&change.name, change.at_ms);
    let key = match &change.secret {
        Some(NewSecret::Key {
            public_key,
            sealed_key,
        }) => Some((public_key, sealed_key)),
        _ => None,
    };
    Ok(match (change.kind, key, &change.secret) {
        (ChangeKind::Added, Some((public_key, _)), _) => tx.execute(
            "INSERT INTO person_keys (township, name, public_key, from_at) VALUES (?1, ?2, ?3, ?4)",
            params![township, name, public_key, at],
        )?,
        (ChangeKind::Added, None, _) => 1,
        (ChangeKind::Role, ..) => tx.execute(
            "UPDATE users SET role = ?3 WHERE township = ?1 AND name = ?2",
            params![township, name, change.role],
        )?,
        (ChangeKind::Disabled, ..) => tx.execute(
            "UPDATE users SET disabled_at = ?3 WHERE township = ?1 AND name = ?2",
            params![township, name, at],
        )?,
        (ChangeKind::Enabled, ..) => tx.execute(
            "UPDATE users SET disabled_at = NULL WHERE township = ?1 AND name = ?2",
            params![township, name],
        )?,
        (ChangeKind::PasswordReset, Some((public_key, sealed_key)), _) => {
            tx.execute(
                "INSERT INTO person_keys (township, name, public_key, from_at)
                 SELECT ?1, ?2, ?3, ?4 WHERE EXISTS
                     (SELECT 1 FROM users WHERE township = ?1 AND name = ?2)",
                params![township, name, public_key, at],
            )?;
            tx.execute(
                "UPDATE users SET public_key = ?3, sealed_key = ?4, sealed_at = ?5,
                     must_change = 1
                 WHERE township = ?1 AND name = ?2",
                params![township, name, public_key, sealed_key, at],
            )?
        }
        // Only a newer sealing of the account's current key replaces the kept one.
        (ChangeKind::PasswordChanged, Some((public_key, sealed_key)), _) => tx.execute(
            "UPDATE users SET sealed_key = ?4, sealed_at = ?5, must_change = 0
             WHERE township = ?1 AND name = ?2 AND public_key = ?3 AND sealed_at < ?5",
            params![township, name, public_key, sealed_key, at],
        )?,
        (ChangeKind::TotpReset, _, Some(NewSecret::Totp(sealed))) => tx.execute(
            "UPDATE users SET totp_secret = ?3 WHERE township = ?1 AND name = ?2",
            params![township, name, sealed],
        )?,
        (ChangeKind::Assigned, ..) => tx.execute(
            "INSERT INTO assignments (township, name, device_id, from_at, until_at)
             SELECT ?1, ?2, ?3, ?4, NULL WHERE EXISTS
                 (SELECT 1 FROM users WHERE township = ?1 AND name = ?2)",
            params![township, name, change.device, at],
        )?,
        (ChangeKind::Unassigned, ..) => tx.execute(
            "UPDATE assignments SET until_at = ?4
             WHERE township = ?1 AND name = ?2 AND device_id = ?3 AND until_at IS NULL",
            params![township, name, change.device, at],
        )?,
        _ => 0,
    })
}

impl AccountDb for SqliteDb {
    async fn change_account(&self, township: &str, change: AccountChange) -> HubResult<bool> {
        let township = township.to_string();
        self.call(move |c| {
            let tx = c.transaction()?;
            if apply(&tx, &township, &change)? == 0 {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO account_changes (township, name, at, change, role, operator, device)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    township,
                    change.name,
                    change.at_ms,
                    change.kind.as_str(),
                    change.role,
                    change.operator,
                    change.device
                ],
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn account_changes(&self, township: &str) -> HubResult<Vec<AccountChange>> {
        let township = township.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT name, at, change, role, operator, device FROM account_changes
                 WHERE township = ?1 ORDER BY at, rowid",
            )?;
            let rows = stmt.query_map([township], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                ))
            })?;
            rows.map(|row| {
                let (name, at_ms, kind, role, operator, device) = row?;
                let kind = ChangeKind::parse(&kind)
                    .ok_or_else(|| HubError::internal(format!("account change {kind:?}")))?;
                Ok(AccountChange {
                    name,
                    at_ms,
                    kind,
                    role,
                    operator,
                    device,
                    secret: None,
                })
            })
            .collect()
        })
        .await
    }

    async fn assignments(&self, township: &str) -> HubResult<Vec<Assignment>> {
        let township = township.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT name, device_id, from_at, until_at FROM assignments
                 WHERE township = ?1 ORDER BY from_at, rowid",
            )?;
            let rows = stmt.query_map([township], |r| {
                Ok(Assignment {
                    name: r.get(0)?,
                    device: r.get(1)?,
                    from_ms: r.get(2)?,
                    until_ms: r.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn person_keys(&self, township: &str) -> HubResult<Vec<PersonKey>> {
        let township = township.to_string();
        self.call(move |c| {
            let mut stmt = c.prepare(
                "SELECT name, public_key, from_at FROM person_keys
                 WHERE township = ?1 ORDER BY from_at",
            )?;
            let rows = stmt.query_map([township], |r| {
                Ok(PersonKey {
                    name: r.get(0)?,
                    public_key: r.get(1)?,
                    from_ms: r.get(2)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
