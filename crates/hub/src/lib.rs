//! The hub: stores every township's case documents, enrols desks and syncs with them over TLS.
#![forbid(unsafe_code)]

pub mod account_db;
pub mod archive_db;
pub mod audit_db;
pub mod audit_log;
pub mod backup;
pub mod db;
pub mod error;
pub mod facts_db;
pub mod keys;
mod migrations;
pub mod objects;
pub mod postgres;
mod postgres_accounts;
mod postgres_archives;
mod postgres_audit;
mod postgres_facts;
mod postgres_sessions;
mod postgres_sharing;
mod postgres_tls;
mod postgres_uploads;
mod review;
pub mod sealing;
pub mod server;
pub mod service;
pub mod session_db;
pub mod sharing_db;
pub mod sqlite;
mod sqlite_accounts;
mod sqlite_archives;
mod sqlite_audit;
mod sqlite_facts;
mod sqlite_sessions;
mod sqlite_sharing;
mod sqlite_uploads;
pub mod upload_db;

#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod review_tests;

pub use db::HubDb;
pub use error::{HubError, HubResult};
pub use objects::{PageStore, S3Config};
pub use postgres::PgDb;
pub use service::Hub;
pub use sqlite::SqliteDb;
