//! Checking a whole township log as the hub stores it: every entry at its position with its
//! hash, signed by its device and chained to that device's previous event, and the tree
//! rebuilt from the entries matching every checkpoint the hub signed.

use crate::chain::{ChainProblem, Head, SignedEvent, verify_chain};
use crate::log::{MerkleLog, SignedCheckpoint};
use ed25519_dalek::VerifyingKey;
use std::collections::HashMap;

/// One entry of a township log as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedEvent {
    pub position: u64,
    /// The leaf as stored beside the event.
    pub hash: Vec<u8>,
    pub event: SignedEvent,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum LogProblem {
    Position {
        expected: u64,
        found: u64,
    },
    Hash,
    UnknownDevice(String),
    #[error(transparent)]
    Chain(#[from] ChainProblem),
    Root {
        size: u64,
    },
    Short {
        size: u64,
        signed: u64,
    },
    Checkpoint,
}

impl tongban_domain::l10n::Localized for LogProblem {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Position { expected, found } => text!(
                "expected log position {expected}, found {found}",
                "日志位置应为{expected}，实为{found}"
            ),
            Self::Hash => text!(
                "the stored hash is not the event's hash",
                "存储的哈希与事件不符"
            ),
            Self::UnknownDevice(device) => {
                text!(
                    "device {device} is not known to the hub",
                    "中心不认识设备{device}"
                )
            }
            Self::Chain(e) => e.text(),
            Self::Root { size } => text!(
                "the entries up to here do not give the root the hub signed for {size} entries",
                "到此为止的条目与中心签署的{size}条检查点根哈希不符"
            ),
            Self::Short { size, signed } => text!(
                "the log ends at {size} entries but the hub signed a checkpoint for {signed} (entries were removed)",
                "日志只有{size}条，但中心曾签署{signed}条的检查点（条目被删除）"
            ),
            Self::Checkpoint => text!("a checkpoint's signature does not verify", "检查点签名无效"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub struct LogBreak {
    pub township: String,
    pub position: u64,
    pub problem: LogProblem,
}

impl tongban_domain::l10n::Localized for LogBreak {
    fn text(&self) -> tongban_domain::l10n::Text {
        let Self {
            township, position, ..
        } = self;
        self.problem.text().within(tongban_domain::text!(
            "township {township} log position {position}",
            "乡镇{township}日志第{position}条"
        ))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LogReport {
    pub entries: u64,
    pub devices: u64,
    pub checkpoints: u64,
}

/// Checks a township's entries in log order against the hub's key and its checkpoints. A
/// root that does not match is reported at the first entry after the last checkpoint that did.
pub fn verify_log(
    township: &str,
    entries: impl IntoIterator<Item = LoggedEvent>,
    device_key: impl Fn(&str) -> Option<VerifyingKey>,
    hub_key: &VerifyingKey,
    checkpoints: &[SignedCheckpoint],
) -> Result<LogReport, LogBreak> {
    let fail = |position, problem| LogBreak {
        township: township.to_string(),
        position,
        problem,
    };
    // An empty log needs no checkpoint; the hub signs none.
    let mut checkpoints: Vec<&SignedCheckpoint> = checkpoints
        .iter()
        .filter(|c| c.checkpoint.size > 0)
        .collect();
    checkpoints.sort_by_key(|c| c.checkpoint.size);
    for c in &checkpoints {
        c.verify(hub_key, township)
            .map_err(|_| fail(c.checkpoint.size, LogProblem::Checkpoint))?;
    }
    let mut pending = checkpoints.iter().peekable();
    let mut tree = MerkleLog::new();
    let mut heads: HashMap<String, Option<Head>> = HashMap::new();
    let mut keys: HashMap<String, VerifyingKey> = HashMap::new();
    let mut last_good = 0;
    for (index, entry) in entries.into_iter().enumerate() {
        let index = index as u64;
        if entry.position != index {
            return Err(fail(
                index,
                LogProblem::Position {
                    expected: index,
                    found: entry.position,
                },
            ));
        }
        let hash = entry.event.hash();
        if entry.hash != hash {
            return Err(fail(index, LogProblem::Hash));
        }
        let event = entry
            .event
            .event()
            .map_err(|p| fail(index, LogProblem::Chain(p)))?;
        let key = match keys.get(&event.device) {
            Some(key) => *key,
            None => {
                let key = device_key(&event.device)
                    .ok_or_else(|| fail(index, LogProblem::UnknownDevice(event.device.clone())))?;
                keys.insert(event.device.clone(), key);
                key
            }
        };
        let head = heads.entry(event.device.clone()).or_default();
        *head = verify_chain(
            &event.device,
            &key,
            *head,
            std::slice::from_ref(&entry.event),
            None,
        )
        .map_err(|b| fail(index, LogProblem::Chain(b.problem)))?;
        tree.push(hash);
        while let Some(c) = pending.next_if(|c| c.checkpoint.size <= tree.len()) {
            if c.checkpoint.root_bytes().ok() != Some(tree.root()) {
                return Err(fail(
                    last_good,
                    LogProblem::Root {
                        size: c.checkpoint.size,
                    },
                ));
            }
            last_good = tree.len();
        }
    }
    if let Some(c) = pending.next() {
        return Err(fail(
            tree.len(),
            LogProblem::Short {
                size: tree.len(),
                signed: c.checkpoint.size,
            },
        ));
    }
    Ok(LogReport {
        entries: tree.len(),
        devices: heads.len() as u64,
        checkpoints: checkpoints.len() as u64,
    })
}
