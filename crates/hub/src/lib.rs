//! The hub: stores every township's case documents, enrols desks and syncs with them over HTTP.
#![forbid(unsafe_code)]

pub mod api;
pub mod audit_db;
pub mod audit_log;
pub mod db;
pub mod directory;
pub mod pages;
pub mod postgres;
mod postgres_audit;
mod review;
pub mod sqlite;
mod sqlite_audit;
mod sync_docs;

pub use api::{hash_enroll_code, router};
pub use db::{DbError, HubDb};
pub use pages::{PageStore, S3Config};
pub use postgres::PgDb;
pub use sqlite::SqliteDb;
