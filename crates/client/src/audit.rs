//! Sending the desk's audit trail to the hub and checking what the hub answers: a checkpoint
//! signed by the hub's key, that extends the last one this desk saw, and that includes every
//! event just sent. A hub that dropped or rewrote history fails here, and the desk keeps the
//! checkpoint it had. The desk also tells the hub how long its trail is, so a database older than
//! what the hub logged of it is refused there.

use crate::sync::{Session, SyncError};
use serde::Serialize;
use tongban_audit::LogError;
use tongban_audit::log::verify_inclusion;
use tongban_sync::endpoint::{AuditAppend, AuditLogRead};
use tongban_sync::wire::{AuditPush, AuditPushResponse, AuditRead, MAX_AUDIT_EVENTS};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditSync {
    /// Events the hub acknowledged in this sync.
    pub events_sent: u64,
    /// The size of the township log as last verified.
    pub log_size: u64,
    /// This desk's events read back from the hub after a restore from a backup.
    pub rejoined: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum AuditSyncError {
    Log(#[from] LogError),
    Answer(usize, usize),
    Read(String),
    Rejoin(String),
}

impl tongban_domain::l10n::Localized for AuditSyncError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Log(detail) => text!(
                "the hub's audit log does not check out: {detail}",
                "中心审计日志校验失败"
            ),
            Self::Answer(proofs, events) => text!(
                "the hub answered an audit push with {proofs} proofs for {events} events",
                "中心返回的证明数量不符"
            ),
            Self::Read(detail) => text!(
                "the township audit log read from the hub does not check out: {detail}",
                "从中心读取的乡镇审计日志校验失败"
            ),
            Self::Rejoin(detail) => text!(
                "this restored desk's trail cannot be joined with the hub's record of it: {detail}. Contact the operator",
                "恢复后的本机审计记录无法与中心记录衔接：{detail}，请联系管理员"
            ),
        }
    }
}

pub(crate) fn push(session: &mut Session<'_>) -> Result<AuditSync, SyncError> {
    let enrollment = session.store.enrollment()?;
    let hub_key = session.store.hub_audit_key()?;
    let mut outcome = AuditSync::default();
    if session.store.awaiting_rejoin()?.is_some() {
        outcome.rejoined = rejoin(session, &hub_key, enrollment.township.as_str())?;
    }
    loop {
        let first = session.store.first_unacknowledged_audit()?;
        let events = session.store.audit_events(first, MAX_AUDIT_EVENTS as u32)?;
        let known = session.store.audit_checkpoint()?;
        let request = AuditPush {
            known_size: known.as_ref().map_or(0, |c| c.checkpoint.size),
            local_count: session.store.audit_head()?.map_or(0, |h| h.seq + 1),
            events,
            rejoin: false,
            witnessed: known.clone(),
        };
        let answer = session.call::<AuditAppend>(&request)?;
        check(
            &request,
            &answer,
            known.as_ref(),
            &hub_key,
            enrollment.township.as_str(),
        )?;
        session
            .store
            .acknowledge_audit(first, &answer.positions, &answer.checkpoint)?;
        outcome.events_sent += request.events.len() as u64;
        outcome.log_size = answer.checkpoint.checkpoint.size;
        if request.events.len() < MAX_AUDIT_EVENTS {
            read_township_log(session, &answer.checkpoint)?;
            return Ok(outcome);
        }
    }
}

/// After a restore: gets a checkpoint without sending anything, reads the township log up to
/// it and joins this desk's later events from there onto the restored trail.
fn rejoin(
    session: &mut Session<'_>,
    hub_key: &tongban_audit::ed25519_dalek::VerifyingKey,
    township: &str,
) -> Result<u64, SyncError> {
    let known = session.store.audit_checkpoint()?;
    let request = AuditPush {
        known_size: known.as_ref().map_or(0, |c| c.checkpoint.size),
        local_count: 0,
        events: Vec::new(),
        rejoin: true,
        witnessed: known.clone(),
    };
    let answer = session.call::<AuditAppend>(&request)?;
    check(&request, &answer, known.as_ref(), hub_key, township)?;
    // No events were sent: only the checkpoint is kept.
    session
        .store
        .acknowledge_audit(0, &[], &answer.checkpoint)?;
    read_township_log(session, &answer.checkpoint)?;
    let read_back = session
        .store
        .rejoin_trail()?
        .map_err(AuditSyncError::Rejoin)?;
    Ok(read_back)
}

/// Brings the rest of the township log down, so supervisors see every desk's events offline;
/// kept only if it matches the checkpoint just verified.
fn read_township_log(
    session: &mut Session<'_>,
    checkpoint: &tongban_audit::SignedCheckpoint,
) -> Result<(), SyncError> {
    let mut entries = Vec::new();
    let from = session.store.township_audit_size()?;
    while from + (entries.len() as u64) < checkpoint.checkpoint.size {
        let read = session.call::<AuditLogRead>(&AuditRead {
            from: from + entries.len() as u64,
        })?;
        if read.entries.is_empty() {
            break;
        }
        entries.extend(read.entries);
    }
    entries.truncate((checkpoint.checkpoint.size.saturating_sub(from)) as usize);
    if entries.is_empty() {
        return Ok(());
    }
    session
        .store
        .add_township_audit(&entries, checkpoint)?
        .map_err(AuditSyncError::Read)?;
    Ok(())
}

fn check(
    request: &AuditPush,
    answer: &AuditPushResponse,
    known: Option<&tongban_audit::SignedCheckpoint>,
    hub_key: &tongban_audit::ed25519_dalek::VerifyingKey,
    township: &str,
) -> Result<(), AuditSyncError> {
    let checkpoint = &answer.checkpoint;
    checkpoint.verify(hub_key, township)?;
    if let Some(known) = known {
        known.check_extended_by(checkpoint, &answer.consistency)?;
    }
    let n = request.events.len();
    if answer.positions.len() != n || answer.inclusion.len() != n {
        return Err(AuditSyncError::Answer(answer.positions.len(), n));
    }
    let root = checkpoint.checkpoint.root_bytes()?;
    for ((event, position), proof) in request
        .events
        .iter()
        .zip(&answer.positions)
        .zip(&answer.inclusion)
    {
        verify_inclusion(
            checkpoint.checkpoint.size,
            &root,
            &event.hash(),
            *position,
            proof,
        )?;
    }
    Ok(())
}
