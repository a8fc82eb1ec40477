//! Sessions of county officers signed in to the hub's web pages, kept in the database so every
//! hub process of a county honours them, and a disabled account's sessions end at once (the
//! account is checked again on every request).

use crate::error::HubResult;
use std::future::Future;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// The county unit the officer's account belongs to.
    pub unit: String,
    pub name: String,
    /// The account's public key at sign-in: a reset gives a new one, and ends the session.
    pub public_key: String,
    pub expires_at: i64,
}

pub trait SessionDb {
    fn put_web_session(
        &self,
        token_hash: &str,
        session: WebSession,
    ) -> impl Future<Output = HubResult<()>> + Send;
    /// The session of a token's hash, if not expired at `now` (seconds).
    fn web_session(
        &self,
        token_hash: &str,
        now: i64,
    ) -> impl Future<Output = HubResult<Option<WebSession>>> + Send;
    fn drop_web_session(&self, token_hash: &str) -> impl Future<Output = HubResult<()>> + Send;
    /// Forgets sessions expired before `now`.
    fn expire_web_sessions(&self, now: i64) -> impl Future<Output = HubResult<()>> + Send;
}
