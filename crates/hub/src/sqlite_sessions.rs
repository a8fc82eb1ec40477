//! Officers' web sessions in the embedded store.

use crate::db::HubResult;
use crate::session_db::{SessionDb, WebSession};
use crate::sqlite::SqliteDb;
use rusqlite::{OptionalExtension, params};

impl SessionDb for SqliteDb {
    async fn put_web_session(&self, token_hash: &str, session: WebSession) -> HubResult<()> {
        let hash = token_hash.to_string();
        self.call(move |c| {
            c.execute(
                "INSERT INTO web_sessions (token_hash, unit, name, public_key, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    hash,
                    session.unit,
                    session.name,
                    session.public_key,
                    session.expires_at
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn web_session(&self, token_hash: &str, now: i64) -> HubResult<Option<WebSession>> {
        let hash = token_hash.to_string();
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT unit, name, public_key, expires_at FROM web_sessions
                 WHERE token_hash = ?1 AND expires_at > ?2",
                params![hash, now],
                |r| {
                    Ok(WebSession {
                        unit: r.get(0)?,
                        name: r.get(1)?,
                        public_key: r.get(2)?,
                        expires_at: r.get(3)?,
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    async fn drop_web_session(&self, token_hash: &str) -> HubResult<()> {
        let hash = token_hash.to_string();
        self.call(move |c| {
            c.execute("DELETE FROM web_sessions WHERE token_hash = ?1", [hash])?;
            Ok(())
        })
        .await
    }

    async fn expire_web_sessions(&self, now: i64) -> HubResult<()> {
        self.call(move |c| {
            c.execute("DELETE FROM web_sessions WHERE expires_at <= ?1", [now])?;
            Ok(())
        })
        .await
    }
}
