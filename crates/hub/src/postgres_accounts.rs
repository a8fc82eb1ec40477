//! Account history, keys and assignments in PostgreSQL.

use crate::account_db::{AccountChange, AccountDb, Assignment, ChangeKind, NewSecret, PersonKey};
use crate::db::{HubError, HubResult};
use crate::postgres::PgDb;
use tokio_postgres::Transaction;

/// Applies one change to the account's row (and keys or assignments); the number of rows it
/// found to change.
async fn apply(
    tx: &Transaction<'_>,
    township: &str,
    change: &AccountChange,
) -> Result<u64, tokio_postgres::Error> {
    let (name, at) = (&change.name, change.at_ms);
    let key = match &change.secret {
        Some(NewSecret::Key {
            public_key,
            sealed_key,
        }) => Some((public_key, sealed_key)),
        _ => None,
    };
    Ok(match (change.kind, key, &change.secret) {
        (ChangeKind::Added, Some((public_key, _)), _) => {
            tx.execute(
                "INSERT INTO person_keys (township, name, public_key, from_at)
                 VALUES ($1, $2, $3, $4)",
                &[&township, name, public_key, &at],
            )
            .await?
        }
        (ChangeKind::Added, None, _) => 1,
        (ChangeKind::Role, ..) => {
            tx.execute(
                "UPDATE users SET role = $3 WHERE township = $1 AND name = $2",
                &[&township, name, &change.role],
            )
            .await?
        }
        (ChangeKind::Disabled, ..) => {
            tx.execute(
                "UPDATE users SET disabled_at = $3 WHERE township = $1 AND name = $2",
                &[&township, name, &at],
            )
            .await?
        }
        (ChangeKind::Enabled, ..) => {
            tx.execute(
                "UPDATE users SET disabled_at = NULL WHERE township = $1 AND name = $2",
                &[&township, name],
            )
            .await?
        }
        (ChangeKind::PasswordReset, Some((public_key, sealed_key)), _) => {
            tx.execute(
                "INSERT INTO person_keys (township, name, public_key, from_at)
                 SELECT $1, $2, $3, $4 WHERE EXISTS
                     (SELECT 1 FROM users WHERE township = $1 AND name = $2)",
                &[&township, name, public_key, &at],
            )
            .await?;
            tx.execute(
                "UPDATE users SET public_key = $3, sealed_key = $4, sealed_at = $5,
                     must_change = TRUE
                 WHERE township = $1 AND name = $2",
                &[&township, name, public_key, sealed_key, &at],
            )
            .await?
        }
        // Only a newer sealing of the account's current key replaces the kept one.
        (ChangeKind::PasswordChanged, Some((public_key, sealed_key)), _) => {
            tx.execute(
                "UPDATE users SET sealed_key = $4, sealed_at = $5, must_change = FALSE
                 WHERE township = $1 AND name = $2 AND public_key = $3 AND sealed_at < $5",
                &[&township, name, public_key, sealed_key, &at],
            )
            .await?
        }
        (ChangeKind::TotpReset, _, Some(NewSecret::Totp(sealed))) => {
            tx.execute(
                "UPDATE users SET totp_secret = $3 WHERE township = $1 AND name = $2",
                &[&township, name, sealed],
            )
            .await?
        }
        (ChangeKind::Assigned, ..) => {
            tx.execute(
                "INSERT INTO assignments (township, name, device_id, from_at, until_at)
                 SELECT $1, $2, $3, $4, NULL WHERE EXISTS
                     (SELECT 1 FROM users WHERE township = $1 AND name = $2)",
                &[&township, name, &change.device, &at],
            )
            .await?
        }
        (ChangeKind::Unassigned, ..) => {
            tx.execute(
                "UPDATE assignments SET until_at = $4
                 WHERE township = $1 AND name = $2 AND device_id = $3 AND until_at IS NULL",
                &[&township, name, &change.device, &at],
            )
            .await?
        }
        _ => 0,
    })
}

impl AccountDb for PgDb {
    async fn change_account(&self, township: &str, change: AccountChange) -> HubResult<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        if apply(&tx, township, &change).await? == 0 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO account_changes (township, name, at, change, role, operator, device)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &township,
                &change.name,
                &change.at_ms,
                &change.kind.as_str(),
                &change.role,
                &change.operator,
                &change.device,
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
                "SELECT name, at, change, role, operator, device FROM account_changes
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
                    device: r.get(5),
                    secret: None,
                })
            })
            .collect()
    }

    async fn assignments(&self, township: &str) -> HubResult<Vec<Assignment>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name, device_id, from_at, until_at FROM assignments
                 WHERE township = $1 ORDER BY from_at",
                &[&township],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| Assignment {
                name: r.get(0),
                device: r.get(1),
                from_ms: r.get(2),
                until_ms: r.get(3),
            })
            .collect())
    }

    async fn person_keys(&self, township: &str) -> HubResult<Vec<PersonKey>> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT name, public_key, from_at FROM person_keys
                 WHERE township = $1 ORDER BY from_at",
                &[&township],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| PersonKey {
                name: r.get(0),
                public_key: r.get(1),
                from_ms: r.get(2),
            })
            .collect())
    }
}
