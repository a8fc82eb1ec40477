//! The hub's signed checkpoints and the Merkle proofs a desk checks them with. Beyond not
//! crashing, the checks are soundness: nothing but the harness's key makes a checkpoint verify,
//! no proof places a leaf that is not in the log, and no proof makes a log extend a root it
//! does not start with. Honest proofs must always verify.

use arbitrary::{Result, Unstructured};
use tongban_audit::log::{verify_consistency, verify_inclusion};
use tongban_audit::{Leaf, MerkleLog, SignedCheckpoint, event_hash};

/// Logs up to this size cover every shape of proof (perfect and ragged trees, several levels).
const MAX_LOG: u64 = 40;

/// The input is a little-endian u16 length, that many bytes of CBOR checkpoint, then the
/// choices for the proofs.
pub fn check(data: &[u8]) {
    let (checkpoint, rest) = match data {
        [a, b, rest @ ..] => {
            rest.split_at(usize::from(u16::from_le_bytes([*a, *b])).min(rest.len()))
        }
        _ => (&[][..], data),
    };
    signed_checkpoint(checkpoint);
    let mut u = Unstructured::new(rest);
    let _ = inclusion(&mut u);
    let _ = consistency(&mut u);
}

fn leaf(index: u64) -> Leaf {
    event_hash(&index.to_le_bytes())
}

fn log_of(size: u64) -> MerkleLog {
    let mut log = MerkleLog::new();
    (0..size).for_each(|i| log.push(leaf(i)));
    log
}

/// An honest proof, left alone or damaged by the input, or bytes made up by the input.
fn proof(u: &mut Unstructured, honest: Option<Vec<u8>>) -> Result<(Vec<u8>, bool)> {
    let Some(mut proof) = honest.filter(|_| u.ratio(3, 4).unwrap_or(false)) else {
        return Ok((u.arbitrary()?, false));
    };
    let mut damaged = false;
    while !u.is_empty() && u.ratio(1, 2)? {
        match u.int_in_range(0..=2)? {
            0 if !proof.is_empty() => {
                let at = u.choose_index(proof.len())?;
                proof[at] ^= u.int_in_range(1..=255)?;
            }
            1 => {
                proof.truncate(u.choose_index(proof.len() + 1)?);
            }
            _ => proof.extend_from_slice(u.bytes(32.min(u.len()))?),
        }
        damaged = true;
    }
    Ok((proof, !damaged))
}

fn signed_checkpoint(bytes: &[u8]) {
    let Ok(signed) = ciborium::from_reader::<SignedCheckpoint, _>(bytes) else {
        return;
    };
    let key = crate::signing_key();
    if signed
        .verify(&key.verifying_key(), &signed.checkpoint.township)
        .is_ok()
    {
        // Ed25519 signatures are deterministic: a checkpoint that verifies carries the very
        // signature the key makes for it, or someone forged or bent one.
        let honest = signed.checkpoint.clone().sign(&key);
        assert!(
            honest.signature.eq_ignore_ascii_case(&signed.signature),
            "a checkpoint verified with a signature the hub's key did not make"
        );
    }
}

fn inclusion(u: &mut Unstructured) -> Result<()> {
    let size = u.int_in_range(0..=MAX_LOG)?;
    let log = log_of(size);
    let index = u.int_in_range(0..=size)?;
    let claimed = if u.ratio(3, 4)? {
        leaf(index)
    } else {
        u.arbitrary()?
    };
    let (proof, honest) = proof(u, log.prove_inclusion(index))?;
    let verdict = verify_inclusion(size, &log.root(), &claimed, index, &proof);
    if verdict.is_ok() {
        assert!(
            index < size && claimed == leaf(index),
            "a proof placed a leaf at {index} of a log of {size} that is not there"
        );
    } else {
        assert!(
            !(honest && index < size && claimed == leaf(index)),
            "an honest inclusion proof for {index} of {size} was refused"
        );
    }
    Ok(())
}

fn consistency(u: &mut Unstructured) -> Result<()> {
    let new_size = u.int_in_range(0..=MAX_LOG)?;
    let old_size = u.int_in_range(0..=MAX_LOG)?;
    let new_log = log_of(new_size);
    let real_old = log_of(old_size).root();
    let old_root = if u.ratio(3, 4)? {
        real_old
    } else {
        u.arbitrary()?
    };
    let (proof, honest) = proof(u, new_log.prove_consistency(old_size))?;
    let verdict = verify_consistency((old_size, &old_root), (new_size, &new_log.root()), &proof);
    if verdict.is_ok() {
        assert!(
            old_size <= new_size && (old_size == 0 || old_root == real_old),
            "a proof made a log of {new_size} extend a root it does not start with ({old_size})"
        );
    } else {
        assert!(
            !(honest && old_size <= new_size && old_root == real_old),
            "an honest consistency proof from {old_size} to {new_size} was refused"
        );
    }
    Ok(())
}
