//! A request body as the hub receives it (and a response as a desk does): zstd, then CBOR, then
//! for sync batches an Automerge sync message per document applied the way the hub applies it.
//!
//! The first byte of the input chooses the message type and whether the rest is taken as the
//! body itself (so the zstd layer is fuzzed) or as CBOR the harness compresses (so the fuzzer
//! is not stopped at the frame checksum).

use serde::{Serialize, de::DeserializeOwned};
use std::fmt::Debug;
use tongban_sync::automerge::AutoCommit;
use tongban_sync::automerge::sync::State;
use tongban_sync::wire::{self, AuditPush, ManifestRequest, ManifestResponse, SyncBatch};
use tongban_sync::{case_doc, peer};

/// How many messages of a batch are applied: the hub applies at most `MAX_DOCS_PER_BATCH`, and
/// more only repeat the same work.
const MESSAGES_APPLIED: usize = 8;

pub fn check(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let compressed;
    let body = if mode & 1 == 0 {
        rest
    } else {
        compressed = zstd::bulk::compress(rest, 1).expect("compressing into memory");
        &compressed
    };
    match (mode >> 1) % 4 {
        0 => sync_batch(body),
        1 => {
            round_trip::<ManifestRequest>(body);
        }
        2 => audit_push(body),
        _ => {
            round_trip::<ManifestResponse>(body);
        }
    }
}

/// A message that decodes encodes back to one that decodes to the same value.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(body: &[u8]) -> Option<T> {
    let value = wire::decode::<T>(body).ok()?;
    let again = wire::decode::<T>(&wire::encode(&value)).expect("a re-encoded message decodes");
    assert_eq!(again, value, "a message changed in a round trip");
    Some(value)
}

fn sync_batch(body: &[u8]) {
    let Some(batch) = round_trip::<SyncBatch>(body) else {
        return;
    };
    if batch.check_size().is_err() {
        return;
    }
    for message in batch.messages.iter().take(MESSAGES_APPLIED) {
        apply(AutoCommit::new(), &message.message);
        apply(crate::seeds::case_document(), &message.message);
    }
}

/// Applies one sync message to a document as the hub does, then reads the case if it changed.
fn apply(mut doc: AutoCommit, message: &[u8]) {
    let before = doc.get_heads();
    let mut state = State::new();
    if peer::receive(&mut doc, &mut state, message).is_err() || doc.get_heads() == before {
        return;
    }
    let Ok(case) = case_doc::read(&doc) else {
        return;
    };
    // The hub stores what it accepted; it must read back as the case it checked.
    let stored = AutoCommit::load(&doc.save()).expect("an applied document saves and loads");
    let reread = case_doc::read(&stored).expect("an accepted case reads back after a save");
    assert_eq!(reread, case, "the stored case differs from the one checked");
}

fn audit_push(body: &[u8]) {
    let Some(push) = round_trip::<AuditPush>(body) else {
        return;
    };
    crate::audit_event::check_trail(&push.events);
}
