//! Hostile bytes against every parser that reads what another machine or a clerk's file hands
//! it. Each target's `check` panics only when an invariant breaks (or the parser itself
//! panics); refusing the input is the expected outcome for almost everything a fuzzer makes.

pub mod audit_checkpoint;
pub mod audit_event;
pub mod case_document;
pub mod page_import;
pub mod seeds;
pub mod sync_request;

/// A target's check: panics on a broken invariant.
pub type Check = fn(&[u8]);

/// Every target by the name cargo fuzz knows it by.
pub const TARGETS: &[(&str, Check)] = &[
    ("sync_request", sync_request::check),
    ("case_document", case_document::check),
    ("page_import", page_import::check),
    ("audit_event", audit_event::check),
    ("audit_checkpoint", audit_checkpoint::check),
];

/// The one key the harness signs with: nothing else can produce a signature it accepts.
pub fn signing_key() -> tongban_sync::ed25519_dalek::SigningKey {
    tongban_sync::ed25519_dalek::SigningKey::from_bytes(&[7; 32])
}

/// The device name on the harness's own audit events.
pub const DEVICE: &str = "fuzz-desk";
