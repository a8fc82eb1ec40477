//! Officers' web sessions in PostgreSQL.

use crate::db::HubResult;
use crate::postgres::PgDb;
use crate::session_db::{SessionDb, WebSession};

impl SessionDb for PgDb {
    async fn put_web_session(&self, token_hash: &str, session: WebSession) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "INSERT INTO web_sessions (token_hash, unit, name, public_key, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &token_hash,
                    &session.unit,
                    &session.name,
                    &session.public_key,
                    &session.expires_at,
                ],
            )
            .await?;
        Ok(())
    }

    async fn web_session(&self, token_hash: &str, now: i64) -> HubResult<Option<WebSession>> {
        Ok(self
            .client()
            .await?
            .query_opt(
                "SELECT unit, name, public_key, expires_at FROM web_sessions
                 WHERE token_hash = $1 AND expires_at > $2",
                &[&token_hash, &now],
            )
            .await?
            .map(|r| WebSession {
                unit: r.get(0),
                name: r.get(1),
                public_key: r.get(2),
                expires_at: r.get(3),
            }))
    }

    async fn drop_web_session(&self, token_hash: &str) -> HubResult<()> {
        self.client()
            .await?
            .execute(
                "DELETE FROM web_sessions WHERE token_hash = $1",
                &[&token_hash],
            )
            .await?;
        Ok(())
    }

    async fn expire_web_sessions(&self, now: i64) -> HubResult<()> {
        self.client()
            .await?
            .execute("DELETE FROM web_sessions WHERE expires_at <= $1", &[&now])
            .await?;
        Ok(())
    }
}
