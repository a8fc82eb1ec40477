//! The hub's township log: every accepted event's hash is a leaf of an RFC 6962 Merkle tree
//! (leaf prefix 0x00, node prefix 0x01, via `ct-merkle`). The hub signs checkpoints (size and
//! root); a desk that kept an earlier checkpoint asks for a consistency proof, so a hub that
//! drops or rewrites history cannot show it a checkpoint that verifies.

use ct_merkle::mem_backed_tree::MemoryBackedTree;
use ct_merkle::{ConsistencyProof, InclusionProof, RootHash};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub type Leaf = [u8; 32];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum LogError {
    BadCheckpointSignature,
    Shrunk { old: u64, new: u64 },
    Fork { size: u64 },
    Inconsistent { old: u64, new: u64 },
    NotIncluded { index: u64 },
    WrongTownship { expected: String, found: String },
    Malformed,
}

impl tongban_domain::l10n::Localized for LogError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::BadCheckpointSignature => text!(
                "the hub's checkpoint signature does not verify",
                "中心检查点的签名无效"
            ),
            Self::Shrunk { old, new } => text!(
                "the hub's log shrank from {old} to {new} entries: history was removed",
                "中心日志由{old}条减少到{new}条：历史记录被删除"
            ),
            Self::Fork { size } => text!(
                "the hub shows two different logs of {size} entries (a forked checkpoint)",
                "中心对同一长度{size}给出了两个不同的日志（检查点分叉）"
            ),
            Self::Inconsistent { old, new } => text!(
                "the hub's log of {new} entries does not extend the one of {old} this desk saw: history was rewritten",
                "中心的{new}条日志不是本机所见{old}条日志的延续：历史被改写"
            ),
            Self::NotIncluded { index } => text!(
                "entry {index} is not in the hub's log as its checkpoint claims",
                "第{index}条不在中心检查点所证明的日志中"
            ),
            Self::WrongTownship { expected, found } => text!(
                "the checkpoint is for township {found}, not {expected}",
                "检查点属于乡镇{found}，而非{expected}"
            ),
            Self::Malformed => text!("malformed checkpoint or proof", "检查点或证明格式错误"),
        }
    }
}

/// An append-only tree of leaves, held in memory (96 bytes a leaf).
#[derive(Default)]
pub struct MerkleLog {
    tree: MemoryBackedTree<Sha256, Leaf>,
}

impl MerkleLog {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, leaf: Leaf) {
        self.tree.push(leaf);
    }

    pub fn len(&self) -> u64 {
        self.tree.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    pub fn root(&self) -> Leaf {
        (*self.tree.root().as_bytes()).into()
    }

    /// The proof that leaf `index` is in the tree as it stands; `None` past the end.
    pub fn prove_inclusion(&self, index: u64) -> Option<Vec<u8>> {
        let idx = usize::try_from(index).ok()?;
        (index < self.len()).then(|| self.tree.prove_inclusion(idx).as_bytes().to_vec())
    }

    /// The proof that the tree as it stands extends its first `old_size` leaves; empty for an
    /// empty old tree (anything extends it), `None` when `old_size` is larger than the tree.
    pub fn prove_consistency(&self, old_size: u64) -> Option<Vec<u8>> {
        if old_size > self.len() {
            return None;
        }
        if old_size == 0 {
            return Some(Vec::new());
        }
        let additions = usize::try_from(self.len() - old_size).ok()?;
        Some(self.tree.prove_consistency(additions).as_bytes().to_vec())
    }
}

fn root_hash(size: u64, root: &Leaf) -> RootHash<Sha256> {
    RootHash::new((*root).into(), size)
}

pub fn verify_inclusion(
    size: u64,
    root: &Leaf,
    leaf: &Leaf,
    index: u64,
    proof: &[u8],
) -> Result<(), LogError> {
    let proof = InclusionProof::<Sha256>::try_from_bytes(proof.to_vec())
        .map_err(|_| LogError::NotIncluded { index })?;
    root_hash(size, root)
        .verify_inclusion(leaf, index, &proof)
        .map_err(|_| LogError::NotIncluded { index })
}

/// Checks that the tree (`new_size`, `new_root`) extends (`old_size`, `old_root`).
pub fn verify_consistency(
    (old_size, old_root): (u64, &Leaf),
    (new_size, new_root): (u64, &Leaf),
    proof: &[u8],
) -> Result<(), LogError> {
    if new_size < old_size {
        return Err(LogError::Shrunk {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == 0 {
        return Ok(());
    }
    if old_size == new_size {
        return if old_root == new_root && proof.is_empty() {
            Ok(())
        } else {
            Err(LogError::Fork { size: old_size })
        };
    }
    let inconsistent = LogError::Inconsistent {
        old: old_size,
        new: new_size,
    };
    let proof = ConsistencyProof::<Sha256>::try_from_bytes(proof.to_vec())
        .map_err(|_| inconsistent.clone())?;
    root_hash(new_size, new_root)
        .verify_consistency(&root_hash(old_size, old_root), &proof)
        .map_err(|_| inconsistent)
}

/// What the hub vouches for: its township log had `size` entries with this root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub township: String,
    pub size: u64,
    /// Hex of the RFC 6962 root hash.
    pub root: String,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    /// Hex Ed25519 signature by the hub over `Checkpoint::signed_text`.
    pub signature: String,
}

impl Checkpoint {
    /// A plain-text body, so a checkpoint can be read and checked by hand.
    pub fn signed_text(&self) -> String {
        format!(
            "tongban audit checkpoint v1\n{}\n{}\n{}\n{}\n",
            self.township, self.size, self.root, self.at_ms
        )
    }

    pub fn root_bytes(&self) -> Result<Leaf, LogError> {
        hex::decode(&self.root)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(LogError::Malformed)
    }

    pub fn sign(self, key: &SigningKey) -> SignedCheckpoint {
        let signature = hex::encode(key.sign(self.signed_text().as_bytes()).to_bytes());
        SignedCheckpoint {
            checkpoint: self,
            signature,
        }
    }
}

impl SignedCheckpoint {
    pub fn verify(&self, key: &VerifyingKey, township: &str) -> Result<(), LogError> {
        if self.checkpoint.township != township {
            return Err(LogError::WrongTownship {
                expected: township.to_string(),
                found: self.checkpoint.township.clone(),
            });
        }
        let bytes = hex::decode(&self.signature).map_err(|_| LogError::BadCheckpointSignature)?;
        let signature =
            Signature::from_slice(&bytes).map_err(|_| LogError::BadCheckpointSignature)?;
        key.verify(self.checkpoint.signed_text().as_bytes(), &signature)
            .map_err(|_| LogError::BadCheckpointSignature)?;
        self.checkpoint.root_bytes().map(|_| ())
    }

    /// Two checkpoints of one log signed by the same hub must agree on every size they share:
    /// checks that `newer` extends `self`, given the consistency proof between them.
    pub fn check_extended_by(
        &self,
        newer: &SignedCheckpoint,
        proof: &[u8],
    ) -> Result<(), LogError> {
        verify_consistency(
            (self.checkpoint.size, &self.checkpoint.root_bytes()?),
            (newer.checkpoint.size, &newer.checkpoint.root_bytes()?),
            proof,
        )
    }
}
