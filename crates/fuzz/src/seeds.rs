//! Well-formed inputs for every target, made with the product's own code, so the fuzzers start
//! from messages, documents, scans and proofs that get past the first check.

use std::io::Cursor;
use std::sync::OnceLock;
use time::macros::date;
use tongban_audit::{AuditAction, Head, MerkleLog, SignedEvent, event_hash, next_event};
use tongban_domain::case::{CaseNumber, Desk, Registration};
use tongban_domain::{Case, Catalogue, TownshipCode};
use tongban_sync::automerge::AutoCommit;
use tongban_sync::automerge::sync::State;
use tongban_sync::wire::{
    self, AuditPush, DocDigest, DocMessage, ManifestRequest, ManifestResponse, SyncBatch,
};
use tongban_sync::{case_doc, peer};

/// The seeds of the target named `target` (the names of `crate::TARGETS`).
pub fn for_target(target: &str) -> Vec<Vec<u8>> {
    match target {
        "sync_request" => sync_requests(),
        "case_document" => vec![case_document().save()],
        "page_import" => pages(),
        "audit_event" => audit_events(),
        "audit_checkpoint" => checkpoints(),
        _ => Vec::new(),
    }
}

fn case() -> Case {
    let township = TownshipCode::parse("450721101").expect("a valid township code");
    let number = CaseNumber::new(&township, date!(2026 - 11 - 21), 1, 1).expect("a valid number");
    let desk = Desk {
        township: &township,
        clerk: "李明",
        device: "dev-1",
        now_ms: 1_763_700_000_000,
        today: date!(2026 - 11 - 21),
    };
    Registration {
        item: "YL01".into(),
        name: "王秀英".into(),
        id_number: "450721198806152311".into(),
        id_type: Default::default(),
        agent: None,
        phone: Some("13800138000".into()),
        address: Some("檀圩镇檀圩村".into()),
        received: vec!["ID_CARD".into()],
    }
    .into_case(Catalogue::builtin(), number, &desk)
    .expect("a valid registration")
}

/// A document holding one registered case, as a desk creates it.
pub fn case_document() -> AutoCommit {
    static SAVED: OnceLock<Vec<u8>> = OnceLock::new();
    let saved = SAVED.get_or_init(|| {
        case_doc::create(&case(), "dev-1", &tongban_domain::Secret::new([1; 32]))
            .expect("a document for a valid case")
            .save()
    });
    AutoCommit::load(saved).expect("the seed document loads")
}

/// The messages a desk sends an empty hub until the hub holds the case.
fn desk_messages() -> Vec<Vec<u8>> {
    let mut desk = case_document();
    let mut hub = AutoCommit::new();
    let (mut desk_state, mut hub_state) = (State::new(), State::new());
    let mut sent = Vec::new();
    for _ in 0..4 {
        if let Some(m) = peer::generate(&mut desk, &mut desk_state) {
            peer::receive(&mut hub, &mut hub_state, &m).expect("the hub takes the desk's message");
            sent.push(m);
        }
        if let Some(m) = peer::generate(&mut hub, &mut hub_state) {
            peer::receive(&mut desk, &mut desk_state, &m)
                .expect("the desk takes the hub's message");
        }
    }
    sent
}

fn cbor<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = Vec::new();
    ciborium::into_writer(value, &mut bytes).expect("encoding into memory");
    bytes
}

/// Each message twice: as a body (even mode byte) and as CBOR for the harness to compress.
fn both_ways<T: serde::Serialize>(kind: u8, value: &T) -> [Vec<u8>; 2] {
    [
        [&[kind << 1][..], &wire::encode(value)].concat(),
        [&[kind << 1 | 1][..], &cbor(value)].concat(),
    ]
}

fn sync_requests() -> Vec<Vec<u8>> {
    let doc_id = case().number.as_str().to_string();
    let batch = SyncBatch {
        messages: desk_messages()
            .into_iter()
            .map(|message| DocMessage {
                doc_id: doc_id.clone(),
                message,
            })
            .collect(),
    };
    let digest = DocDigest {
        doc_id: doc_id.clone(),
        digest: case_doc::heads_digest(&case_document().get_heads()),
    };
    let manifest = ManifestRequest {
        cursor: 3,
        docs: vec![digest.clone()],
    };
    let answer = ManifestResponse {
        cursor: 4,
        differing: vec![doc_id],
        changed: vec![digest],
    };
    let push = AuditPush {
        known_size: 0,
        local_count: 3,
        events: trail(3),
        rejoin: false,
        witnessed: None,
    };
    [
        both_ways(0, &batch),
        both_ways(1, &manifest),
        both_ways(2, &push),
        both_ways(3, &answer),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A trail of `n` events signed with the harness's key.
fn trail(n: u64) -> Vec<SignedEvent> {
    let key = crate::signing_key();
    let mut head: Option<Head> = None;
    (0..n)
        .map(|i| {
            let mut event = next_event(head, crate::DEVICE, 1_763_700_000_000 + i as i64);
            event.user = "李明".into();
            event.action = AuditAction::Register;
            event.object = "450721101-20261121-01-0001".into();
            let signed = event.sign(&key);
            head = Some(Head {
                seq: event.seq,
                hash: signed.hash(),
            });
            signed
        })
        .collect()
}

fn audit_events() -> Vec<Vec<u8>> {
    let events = trail(3);
    vec![events[0].bytes.clone(), cbor(&events)]
}

fn checkpoints() -> Vec<Vec<u8>> {
    let mut log = MerkleLog::new();
    (0..7u64).for_each(|i| log.push(event_hash(&i.to_le_bytes())));
    let checkpoint = tongban_audit::Checkpoint {
        township: "450721101".into(),
        size: log.len(),
        root: hex::encode(log.root()),
        at_ms: 1_763_700_000_000,
    }
    .sign(&crate::signing_key());
    let encoded = cbor(&checkpoint);
    let len = u16::try_from(encoded.len()).expect("a small checkpoint");
    let seed = [
        &len.to_le_bytes()[..],
        &encoded,
        &[7, 3, 0xff, 0, 7, 2, 0xff, 0],
    ]
    .concat();
    vec![seed, vec![0xff; 64]]
}

fn pages() -> Vec<Vec<u8>> {
    let scan = image::RgbImage::from_fn(48, 64, |x, y| {
        image::Rgb([(x * 5) as u8, (y * 4) as u8, ((x + y) * 2) as u8])
    });
    let encoded = |format| {
        let mut out = Cursor::new(Vec::new());
        scan.write_to(&mut out, format)
            .expect("encoding into memory");
        out.into_inner()
    };
    let jpeg = encoded(image::ImageFormat::Jpeg);
    let png = encoded(image::ImageFormat::Png);
    let tiff = encoded(image::ImageFormat::Tiff);
    vec![
        [&[0u8][..], &jpeg].concat(),
        [&[2u8][..], &png].concat(),
        [&[0u8][..], &tiff].concat(),
        [&[1u8][..], &pdf()].concat(),
    ]
}

fn pdf() -> Vec<u8> {
    use lopdf::{Document, Object, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![Object::from(page)],
            "Count" => 1,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("writing into memory");
    out
}
