//! Applying a batch of Automerge sync messages at the hub. Every message is checked before
//! anything is stored, so a bad batch changes nothing; documents are written with optimistic
//! concurrency so two desks syncing one case at once both keep their changes.

use crate::api::{ApiError, check_doc_id};
use crate::db::{Device, DocWrite, HubDb, StoredDoc, SyncedDoc};
use crate::review::{self, Township};
use tongban_sync::automerge::AutoCommit;
use tongban_sync::automerge::sync::State;
use tongban_sync::case_doc;
use tongban_sync::peer;
use tongban_sync::wire::{DocMessage, SyncBatch};

/// How often a document write is retried when another request stored the same case first.
const MAX_WRITE_ATTEMPTS: usize = 8;

struct Applied {
    doc: AutoCommit,
    state: State,
    changed: bool,
    version: Option<i64>,
}

fn apply(
    stored: Option<StoredDoc>,
    state: Option<Vec<u8>>,
    msg: &DocMessage,
    sender: &Device,
    township: &Township,
) -> Result<Applied, ApiError> {
    let (mut doc, version) = match stored {
        Some(s) => (
            AutoCommit::load(&s.bytes)
                .map_err(|e| ApiError::Internal(format!("stored document {}: {e}", msg.doc_id)))?,
            Some(s.version),
        ),
        None => (AutoCommit::new(), None),
    };
    let mut state = peer::restore(state.as_deref());
    let before = doc.get_heads();
    peer::receive(&mut doc, &mut state, &msg.message)
        .map_err(|e| ApiError::BadRequest(format!("document {}: {e}", msg.doc_id)))?;
    let changed = doc.get_heads() != before;
    if changed {
        let case = case_doc::read(&doc).map_err(|e| {
            ApiError::BadRequest(format!(
                "document {} is not a valid case: {e} / 文档不是有效的办件",
                msg.doc_id
            ))
        })?;
        if case.number.as_str() != msg.doc_id {
            return Err(ApiError::BadRequest(format!(
                "document {} holds case {} / 文档编号与办件编号不符",
                msg.doc_id, case.number
            )));
        }
        let before =
            if before.is_empty() {
                None
            } else {
                let old = doc.fork_at(&before).map_err(|e| {
                    ApiError::Internal(format!("stored document {}: {e}", msg.doc_id))
                })?;
                Some(case_doc::read(&old).map_err(|e| {
                    ApiError::Internal(format!("stored document {}: {e}", msg.doc_id))
                })?)
            };
        review::check_change(before.as_ref(), &case, &mut doc, sender, township).map_err(
            |reason| {
                tracing::warn!(device = %sender.id, doc = %msg.doc_id, %reason, "change refused");
                ApiError::Forbidden(reason)
            },
        )?;
    }
    Ok(Applied {
        doc,
        state,
        changed,
        version,
    })
}

async fn load_and_apply<D: HubDb>(
    db: &D,
    device: &Device,
    township: &str,
    directory: &Township,
    msg: &DocMessage,
) -> Result<Applied, ApiError> {
    let stored = db.doc(township, &msg.doc_id).await?;
    let state = db.sync_state(&device.id, &msg.doc_id).await?;
    apply(stored, state, msg, device, directory)
}

pub async fn apply_batch<D: HubDb>(
    db: &D,
    device: &Device,
    township: &str,
    batch: SyncBatch,
) -> Result<SyncBatch, ApiError> {
    for msg in &batch.messages {
        check_doc_id(&msg.doc_id, township)?;
    }
    // Roles as the hub holds them now; an account with a role this hub cannot read has none.
    let directory = Township {
        roles: db
            .users(township)
            .await?
            .into_iter()
            .filter_map(|u| Some((u.name, u.role.parse().ok()?)))
            .collect(),
    };
    // First pass: everything must apply cleanly before anything is written.
    let mut applied = Vec::with_capacity(batch.messages.len());
    for msg in &batch.messages {
        applied.push(load_and_apply(db, device, township, &directory, msg).await?);
    }
    // Second pass: every write of the request in one transaction.
    let mut synced = Vec::with_capacity(applied.len());
    let mut replies = Vec::new();
    for (msg, result) in batch.messages.iter().zip(applied) {
        let (doc, reply) = outcome(msg, result);
        synced.push(doc);
        replies.extend(reply);
    }
    let moved = db.put_synced(township, &device.id, synced).await?;
    // A case another desk's request stored meanwhile is applied again on top of that, alone.
    replies.retain(|r| !moved.contains(&r.doc_id));
    for msg in batch.messages.iter().filter(|m| moved.contains(&m.doc_id)) {
        tracing::info!(device = %device.id, doc = %msg.doc_id, "case stored by another request first; applying again");
        if let Some(reply) = apply_alone(db, device, township, &directory, msg).await? {
            replies.push(reply);
        }
    }
    tracing::info!(device = %device.id, received = batch.messages.len(), replies = replies.len(), "sync batch");
    Ok(SyncBatch { messages: replies })
}

/// What one applied message leaves to write, and the hub's answer to it.
fn outcome(msg: &DocMessage, mut result: Applied) -> (SyncedDoc, Option<DocMessage>) {
    let write = result.changed.then(|| DocWrite {
        bytes: result.doc.save(),
        digest: case_doc::heads_digest(&result.doc.get_heads()),
        expected: result.version,
    });
    let reply = peer::generate(&mut result.doc, &mut result.state).map(|message| DocMessage {
        doc_id: msg.doc_id.clone(),
        message,
    });
    let doc = SyncedDoc {
        doc_id: msg.doc_id.clone(),
        write,
        state: peer::persistable(&result.state),
    };
    (doc, reply)
}

/// One document of a request whose first write lost a race: loaded, applied and written again
/// until the write goes through.
async fn apply_alone<D: HubDb>(
    db: &D,
    device: &Device,
    township: &str,
    directory: &Township,
    msg: &DocMessage,
) -> Result<Option<DocMessage>, ApiError> {
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let applied = load_and_apply(db, device, township, directory, msg).await?;
        let (doc, reply) = outcome(msg, applied);
        if db
            .put_synced(township, &device.id, vec![doc])
            .await?
            .is_empty()
        {
            return Ok(reply);
        }
    }
    Err(ApiError::Internal(format!(
        "document {} kept changing",
        msg.doc_id
    )))
}
