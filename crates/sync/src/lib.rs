//! Case documents as Automerge CRDTs, the hub's endpoints, wire protocol and request signing. No I/O:
//! the desk's store and HTTP client and the hub's handlers are thin layers around this crate.
#![forbid(unsafe_code)]

pub mod auth;
pub mod case_doc;
pub mod decision;
pub mod endpoint;
pub mod peer;
pub mod person;
pub mod totp;
pub mod wire;

pub use automerge;
pub use ed25519_dalek;

#[cfg(test)]
mod convergence;
