//! One side of Automerge's sync protocol for one document, without I/O. Desks and the hub both
//! use these; each keeps a `State` per (peer, document).

use automerge::AutoCommit;
use automerge::sync::{BloomFilter, Capability, Have, Message, State, SyncDoc};

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum PeerError {
    Message(String),
    Apply(#[from] automerge::AutomergeError),
}

impl tongban_domain::l10n::Localized for PeerError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Message(detail) => text!(
                "sync message is malformed: {detail}",
                "同步消息格式错误：{detail}"
            ),
            Self::Apply(detail) => text!(
                "sync message could not be applied: {detail}",
                "同步消息无法应用：{detail}"
            ),
        }
    }
}

pub fn generate(doc: &mut AutoCommit, state: &mut State) -> Option<Vec<u8>> {
    doc.sync().generate_sync_message(state).map(Message::encode)
}

pub fn receive(doc: &mut AutoCommit, state: &mut State, message: &[u8]) -> Result<(), PeerError> {
    let message = Message::decode(message).map_err(|e| PeerError::Message(e.to_string()))?;
    doc.sync().receive_sync_message(state, message)?;
    Ok(())
}

/// The durable part of a sync state. Dropping what was in flight means a lost or repeated round
/// trip can never leave one side waiting for an answer that will not come.
pub fn persistable(state: &State) -> Vec<u8> {
    state.encode()
}

pub fn restore(bytes: Option<&[u8]>) -> State {
    bytes
        .and_then(|b| State::decode(b).ok())
        .unwrap_or_default()
}

/// The opening state of the side that starts a conversation (a desk): the durable part of the
/// last state, plus the presumption that the other side still holds what both held then. The
/// first message can then carry this side's changes since, instead of spending a round trip to
/// learn what the other side has. A wrong presumption (the hub restored from an old backup)
/// costs what the protocol would have spent anyway: the other side answers with what it needs.
pub fn resume(bytes: Option<&[u8]>) -> State {
    let mut state = restore(bytes);
    state.their_have = Some(vec![Have {
        last_sync: state.shared_heads.clone(),
        bloom: BloomFilter::default(),
    }]);
    state.their_need = Some(Vec::new());
    // Desks and hub run this crate's Automerge, which reads whole-document (v2) messages: a new
    // case then travels as one compressed save rather than change by change.
    state.their_capabilities = Some(vec![
        Capability::MessageV1,
        Capability::MessageV2,
        Capability::SyncReset,
    ]);
    state
}

/// The next message of a conversation this side started, or `None` when nothing is left to
/// say. A document the other side has confirmed is left out: its acknowledgement would cost a
/// round trip and tell the other side nothing it needs.
pub fn next(doc: &mut AutoCommit, state: &mut State) -> Option<Vec<u8>> {
    if in_sync(doc, state) {
        return None;
    }
    generate(doc, state)
}

/// True when the other side last told us it holds exactly our heads.
pub fn in_sync(doc: &mut AutoCommit, state: &State) -> bool {
    let mut ours = doc.get_heads();
    ours.sort();
    let theirs = state.their_heads.clone().map(|mut heads| {
        heads.sort();
        heads
    });
    theirs == Some(ours)
}

/// Whether an encoded message carries changes (rather than only heads and a bloom filter).
pub fn carries_changes(message: &[u8]) -> bool {
    Message::decode(message).is_ok_and(|m| !m.changes.is_empty())
}
