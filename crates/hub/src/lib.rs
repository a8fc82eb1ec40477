//! The hub: stores every township's case documents, enrols desks and syncs with them over HTTP.
#![forbid(unsafe_code)]

pub mod api;
pub mod db;
pub mod directory;
pub mod pages;
pub mod postgres;
mod review;
pub mod sqlite;
mod sync_docs;

pub use api::{hash_enroll_code, router};
pub use db::{DbError, HubDb};
pub use pages::{PageStore, S3Config};
pub use postgres::PgDb;
pub use sqlite::SqliteDb;
