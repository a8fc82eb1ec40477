//! Account history in the embedded store.

use crate::account_db::{AccountChange, AccountDb, ChangeKind};
use crate::db::{HubError, HubResult};
use crate::sqlite::SqliteDb;
use rusqlite::params;

impl AccountDb for SqliteDb {
    async fn change_account(&self, township: &str, change: AccountChange) -> HubResult<bool> {
        let township = township.to_string();
        self.call(move |c| {
            let tx = c.transaction()?;
            let (name, at) = (&change.name, change.at_ms);
            let found = match change.kind {
                ChangeKind::Added => 1,
                ChangeKind::Role => tx.execute(
                    "UPDATE users SET role = ?3 WHERE township = ?1 AND name = ?2",
                    params![township, name, change.role],
                )?,
                ChangeKind::Disabled => tx.execute(
                    "UPDATE users SET disabled_at = ?3 WHERE township = ?1 AND name = ?2",
                    params![township, name, at],
                )?,
                ChangeKind::Enabled => tx.execute(
                    "UPDATE users SET disabled_at = NULL WHERE township = ?1 AND name = ?2",
                    params![township, name],
                )?,
            };
            if found != 1 {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO account_changes (township, name, at, change, role, operator)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    township,
                    name,
                    at,
                    change.kind.as_str(),
                    change.role,
                    change.operator
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
                "SELECT name, at, change, role, operator FROM account_changes
                 WHERE township = ?1 ORDER BY at, rowid",
            )?;
            let rows = stmt.query_map([township], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?;
            rows.map(|row| {
                let (name, at_ms, kind, role, operator) = row?;
                let kind = ChangeKind::parse(&kind)
                    .ok_or_else(|| HubError::internal(format!("account change {kind:?}")))?;
                Ok(AccountChange {
                    name,
                    at_ms,
                    kind,
                    role,
                    operator,
                })
            })
            .collect()
        })
        .await
    }
}
