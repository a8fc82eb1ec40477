//! Account history in PostgreSQL.

use crate::account_db::{AccountChange, AccountDb, ChangeKind};
use crate::db::{HubError, HubResult};
use crate::postgres::PgDb;

impl AccountDb for PgDb {
    async fn change_account(&self, township: &str, change: AccountChange) -> HubResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (name, at) = (&change.name, change.at_ms);
        let found = match change.kind {
            ChangeKind::Added => 1,
            ChangeKind::Role => {
                tx.execute(
                    "UPDATE users SET role = $3 WHERE township = $1 AND name = $2",
                    &[&township, name, &change.role],
                )
                .await?
            }
            ChangeKind::Disabled => {
                tx.execute(
                    "UPDATE users SET disabled_at = $3 WHERE township = $1 AND name = $2",
                    &[&township, name, &at],
                )
                .await?
            }
            ChangeKind::Enabled => {
                tx.execute(
                    "UPDATE users SET disabled_at = NULL WHERE township = $1 AND name = $2",
                    &[&township, name],
                )
                .await?
            }
        };
        if found != 1 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO account_changes (township, name, at, change, role, operator)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &township,
                name,
                &at,
                &change.kind.as_str(),
                &change.role,
                &change.operator,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn account_changes(&self, township: &str) -> HubResult<Vec<AccountChange>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name, at, change, role, operator FROM account_changes
                 WHERE township = $1 ORDER BY at",
                &[&township],
            )
            .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.get(2);
                Ok(AccountChange {
                    name: r.get(0),
                    at_ms: r.get(1),
                    kind: ChangeKind::parse(&kind)
                        .ok_or_else(|| HubError::internal(format!("account change {kind:?}")))?,
                    role: r.get(3),
                    operator: r.get(4),
                })
            })
            .collect()
    }
}
