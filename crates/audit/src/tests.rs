use crate::chain::*;
use crate::log::*;
use ed25519_dalek::SigningKey;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn trail(key: &SigningKey, n: u64) -> Vec<SignedEvent> {
    let mut head = None;
    let mut out = Vec::new();
    for i in 0..n {
        let mut event = next_event(head, "desk-1", 1_700_000_000_000 + i as i64);
        event.user = "李明".into();
        event.action = if i % 3 == 0 {
            AuditAction::View
        } else {
            AuditAction::Edit
        };
        event.object = format!("450721-20261121-01-{i:04}");
        event.digest = format!("{i:064x}");
        let signed = event.sign(key);
        head = Some(Head {
            seq: i,
            hash: signed.hash(),
        });
        out.push(signed);
    }
    out
}

fn head_of(events: &[SignedEvent]) -> Head {
    let last = events.last().unwrap();
    Head {
        seq: last.event().unwrap().seq,
        hash: last.hash(),
    }
}

#[test]
fn an_untouched_trail_verifies_and_a_foreign_key_does_not() {
    let key = key(7);
    let events = trail(&key, 40);
    let head = head_of(&events);
    let got = verify_chain("desk-1", &key.verifying_key(), None, &events, Some(head)).unwrap();
    assert_eq!(got, Some(head));
    let other = self::key(8).verifying_key();
    let err = verify_chain("desk-1", &other, None, &events, None).unwrap_err();
    assert_eq!(err.position, 0);
    assert_eq!(err.problem, ChainProblem::BadSignature);
    // A later part of the trail verifies from its anchor.
    let anchor = head_of(&events[..10]);
    verify_chain(
        "desk-1",
        &key.verifying_key(),
        Some(anchor),
        &events[10..],
        Some(head),
    )
    .unwrap();
}

#[derive(Debug, Clone, Copy)]
enum Mutation {
    Delete(usize),
    Swap(usize, usize),
    Move(usize, usize),
    EditField(usize),
    FlipByte(usize, usize),
    ReplaceSignature(usize),
}

/// Applies a mutation and returns the first position that must be reported.
fn mutate(events: &mut Vec<SignedEvent>, m: Mutation, forger: &SigningKey) -> u64 {
    match m {
        Mutation::Delete(i) => {
            events.remove(i);
            i as u64
        }
        Mutation::Swap(i, j) => {
            events.swap(i, j);
            i.min(j) as u64
        }
        Mutation::Move(from, to) => {
            let e = events.remove(from);
            events.insert(to, e);
            from.min(to) as u64
        }
        Mutation::EditField(i) => {
            let mut event = events[i].event().unwrap();
            event.object = "450721-20261121-01-9999".into();
            let mut bytes = Vec::new();
            ciborium::into_writer(&event, &mut bytes).unwrap();
            events[i].bytes = bytes;
            i as u64
        }
        Mutation::FlipByte(i, at) => {
            let len = events[i].bytes.len();
            events[i].bytes[at % len] ^= 0x20;
            i as u64
        }
        Mutation::ReplaceSignature(i) => {
            // Re-signed by someone without the device's key.
            let event = events[i].event().unwrap();
            events[i] = event.sign(forger);
            i as u64
        }
    }
}

#[test]
fn a_thousand_random_mutations_are_each_caught_at_the_first_bad_position() {
    let key = key(1);
    let forger = self::key(2);
    let original = trail(&key, 60);
    let head = head_of(&original);
    let mut rng = StdRng::seed_from_u64(6962);
    let n = original.len();
    for round in 0..1_000 {
        let i = rng.random_range(0..n);
        let mut j = rng.random_range(0..n);
        while j == i {
            j = rng.random_range(0..n);
        }
        let m = match rng.random_range(0..6) {
            0 => Mutation::Delete(i),
            1 => Mutation::Swap(i, j),
            2 => Mutation::Move(i, j),
            3 => Mutation::EditField(i),
            4 => Mutation::FlipByte(i, rng.random_range(0..4096)),
            _ => Mutation::ReplaceSignature(i),
        };
        let mut events = original.clone();
        let expected = mutate(&mut events, m, &forger);
        let err = verify_chain("desk-1", &key.verifying_key(), None, &events, Some(head))
            .expect_err(&format!("round {round}: {m:?} went unnoticed"));
        assert_eq!(err.position, expected, "round {round}: {m:?}: {err}");
    }
}

#[test]
fn cutting_the_end_off_is_caught_only_against_a_head_kept_elsewhere() {
    let key = key(3);
    let events = trail(&key, 12);
    let head = head_of(&events);
    let cut = &events[..9];
    assert!(verify_chain("desk-1", &key.verifying_key(), None, cut, None).is_ok());
    let err = verify_chain("desk-1", &key.verifying_key(), None, cut, Some(head)).unwrap_err();
    assert_eq!(err.position, 9);
    assert_eq!(err.problem, ChainProblem::Truncated { expected: 12 });
    assert!(err.to_string().contains("position 9"), "{err}");
}

fn leaf(i: u64) -> Leaf {
    event_hash(&i.to_be_bytes())
}

/// RFC 6962 §2.1 written out directly, to check the tree against.
fn reference_root(leaves: &[Leaf]) -> Leaf {
    use sha2::{Digest, Sha256};
    match leaves.len() {
        0 => Sha256::digest(b"").into(),
        1 => Sha256::new_with_prefix([0u8])
            .chain_update(leaves[0])
            .finalize()
            .into(),
        n => {
            let k = (n - 1).next_power_of_two() / if (n - 1).is_power_of_two() { 1 } else { 2 };
            let k = if k >= n { k / 2 } else { k };
            Sha256::new_with_prefix([1u8])
                .chain_update(reference_root(&leaves[..k]))
                .chain_update(reference_root(&leaves[k..]))
                .finalize()
                .into()
        }
    }
}

#[test]
fn inclusion_and_consistency_proofs_verify_for_every_size_up_to_2000() {
    const MAX: u64 = 2_000;
    let mut log = MerkleLog::new();
    let mut roots = vec![log.root()];
    let leaves: Vec<Leaf> = (0..MAX).map(leaf).collect();
    for n in 1..=MAX {
        log.push(leaves[n as usize - 1]);
        let root = log.root();
        roots.push(root);
        if n <= 70 || n % 97 == 0 {
            assert_eq!(root, reference_root(&leaves[..n as usize]), "size {n}");
        }
        for old in 0..=n {
            let proof = log.prove_consistency(old).unwrap();
            verify_consistency((old, &roots[old as usize]), (n, &root), &proof)
                .unwrap_or_else(|e| panic!("{old} -> {n}: {e}"));
        }
        for index in 0..n {
            let proof = log.prove_inclusion(index).unwrap();
            verify_inclusion(n, &root, &leaves[index as usize], index, &proof)
                .unwrap_or_else(|e| panic!("leaf {index} of {n}: {e}"));
        }
        assert!(log.prove_inclusion(n).is_none());
    }
    // Proofs do not verify against the wrong root, leaf or position.
    let proof = log.prove_inclusion(5).unwrap();
    assert!(verify_inclusion(MAX, &roots[1999], &leaves[5], 5, &proof).is_err());
    assert!(verify_inclusion(MAX, &roots[2000], &leaves[6], 5, &proof).is_err());
    assert!(verify_inclusion(MAX, &roots[2000], &leaves[5], 6, &proof).is_err());
    let proof = log.prove_consistency(1000).unwrap();
    assert!(verify_consistency((1000, &roots[999]), (MAX, &roots[2000]), &proof).is_err());
    assert!(matches!(
        verify_consistency((MAX, &roots[2000]), (1000, &roots[1000]), &[]),
        Err(LogError::Shrunk { .. })
    ));
}

#[test]
fn a_forked_or_rewritten_log_is_flagged() {
    let hub = key(9);
    let checkpoint = |log: &MerkleLog| {
        Checkpoint {
            township: "450721".into(),
            size: log.len(),
            root: hex::encode(log.root()),
            at_ms: 0,
        }
        .sign(&hub)
    };
    let mut honest = MerkleLog::new();
    let mut forked = MerkleLog::new();
    for i in 0..300 {
        honest.push(leaf(i));
        // One event at position 120 rewritten in the forked copy.
        forked.push(if i == 120 { leaf(10_000) } else { leaf(i) });
    }
    let seen = checkpoint(&honest);
    seen.verify(&hub.verifying_key(), "450721").unwrap();
    assert!(matches!(
        seen.verify(&hub.verifying_key(), "450722"),
        Err(LogError::WrongTownship { .. })
    ));
    assert!(matches!(
        seen.verify(&key(10).verifying_key(), "450721"),
        Err(LogError::BadCheckpointSignature)
    ));
    // Same size, different root: two signed views of one log.
    let fork = checkpoint(&forked);
    assert!(matches!(
        seen.check_extended_by(&fork, &[]),
        Err(LogError::Fork { size: 300 })
    ));
    // The forked log grows on; its proof from 300 cannot bridge to what this desk saw.
    for i in 300..350 {
        forked.push(leaf(i));
    }
    let grown = checkpoint(&forked);
    let proof = forked.prove_consistency(300).unwrap();
    assert!(matches!(
        seen.check_extended_by(&grown, &proof),
        Err(LogError::Inconsistent { old: 300, new: 350 })
    ));
    // The honest log grows on and is accepted.
    for i in 300..350 {
        honest.push(leaf(i));
    }
    let next = checkpoint(&honest);
    seen.check_extended_by(&next, &honest.prove_consistency(300).unwrap())
        .unwrap();
    // A tampered signature is refused.
    let mut tampered = next.clone();
    tampered.checkpoint.size = 349;
    assert!(tampered.verify(&hub.verifying_key(), "450721").is_err());
}
