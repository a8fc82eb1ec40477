//! Bad input is refused with a message naming what is wrong, and changes nothing.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use tongban_e2e::device::RawDevice;
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP};
use tongban_sync::wire::{
    self, DocMessage, MAX_BODY_BYTES, ManifestRequest, ManifestResponse, SyncBatch,
};

#[test]
fn invalid_applicants_and_items_are_refused_without_spending_a_number() {
    let hub = Hub::start(Backend::Sqlite);
    let desk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let register = |item: &str, id: &str| {
        desk.fails(&[
            "case",
            "register",
            "--item",
            item,
            "--name",
            "覃秀梅",
            "--id-number",
            id,
        ])
    };
    let cases = [
        ("DB01", "450721198806152312", "check character should be 1"),
        ("DB01", "45072119880615231", "must have 18 characters"),
        ("DB01", "990721198806152311", "province code"),
        ("DB01", "450721198802302311", "does not exist"),
        ("XX99", "450721198806152311", "unknown service item"),
        ("DW01", "91350100M000100Y4Z", "is not allowed"),
    ];
    for (item, id, expected) in cases {
        let reason = register(item, id);
        assert!(reason.contains(expected), "{item} {id}: {reason}");
        assert!(reason.contains('/'), "bilingual: {reason}");
    }
    let bad_phone = desk.fails(&[
        "case",
        "register",
        "--item",
        "DB01",
        "--name",
        "覃秀梅",
        "--id-number",
        "450721198806152311",
        "--phone",
        "1234",
    ]);
    assert!(bad_phone.contains("mobile number"), "{bad_phone}");
    assert!(desk.list().is_empty());

    let first = desk.register("覃秀梅", "450721198806152311", "13812345678");
    assert!(
        first.ends_with("-0001"),
        "rejections spent no numbers: {first}"
    );
    let bad_edit = desk.fails(&[
        "case", "set", &first, "--field", "phone", "--value", "12345",
    ]);
    assert!(bad_edit.contains("mobile number"), "{bad_edit}");
    assert_eq!(desk.show_whole(&first)["applicant"]["phone"], "13812345678");
    let unknown_field = desk.fails(&["case", "set", &first, "--field", "status", "--value", "x"]);
    assert!(unknown_field.contains("unknown field"), "{unknown_field}");
    let org = desk.ok(&[
        "case",
        "register",
        "--item",
        "DW01",
        "--name",
        "檀圩镇金鸡村种养专业合作社",
        "--id-number",
        "91350100M000100Y43",
    ]);
    assert!(org.ends_with("-0002"), "{org}");
}

fn hub_feed(device: &RawDevice) -> ManifestResponse {
    device
        .post(
            TOWNSHIP,
            "manifest",
            wire::encode(&ManifestRequest {
                cursor: 0,
                docs: vec![],
            }),
        )
        .decode()
}

#[test]
fn oversized_and_malformed_sync_requests_are_refused_and_store_nothing() {
    let hub = Hub::start(Backend::Sqlite);
    let device = RawDevice::enroll(&hub, TOWNSHIP);
    let number = format!("{TOWNSHIP}-20261121-001-0001");

    // Refused from its announced length, before the body is read: the hub answers and closes,
    // so the sender may see its write cut instead of the answer.
    let huge = vec![7u8; MAX_BODY_BYTES + 1];
    match device.try_post(TOWNSHIP, "sync", huge) {
        Ok(answer) => {
            assert_eq!(answer.status, 413, "{}", answer.message());
            assert!(
                answer.message().contains("larger than"),
                "{}",
                answer.message()
            );
        }
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    assert!(
        hub.log().contains("\"reason\":\"too_large\""),
        "{}",
        hub.log()
    );

    let answer = device.post(TOWNSHIP, "sync", b"definitely not zstd".to_vec());
    assert_eq!(answer.status, 400);
    assert!(
        answer.message().contains("not valid zstd"),
        "{}",
        answer.message()
    );

    let answer = device.post(
        TOWNSHIP,
        "manifest",
        zstd::bulk::compress(b"\x01\x02garbage", 3).unwrap(),
    );
    assert_eq!(answer.status, 400);
    assert!(
        answer.message().contains("not a valid sync message"),
        "{}",
        answer.message()
    );

    let broken = SyncBatch {
        messages: vec![DocMessage {
            doc_id: number.clone(),
            message: vec![0x42, 0xff, 0x00],
        }],
    };
    let answer = device.post(TOWNSHIP, "sync", wire::encode(&broken));
    assert_eq!(answer.status, 400);
    assert!(
        answer.message().contains("malformed"),
        "{}",
        answer.message()
    );

    let bad_id = SyncBatch {
        messages: vec![DocMessage {
            doc_id: "../../etc/passwd".into(),
            message: vec![],
        }],
    };
    let answer = device.post(TOWNSHIP, "sync", wire::encode(&bad_id));
    assert_eq!(answer.status, 400);
    assert!(
        answer.message().contains("case number must look like"),
        "{}",
        answer.message()
    );
    // Each language travels in its own field, under a typed kind: nothing to take apart.
    let refusal = answer.refusal();
    assert_eq!(refusal.error, wire::Refusal::BadRequest);
    assert!(
        refusal.text.en.contains("case number must look like") && !refusal.text.en.contains("办件"),
        "{refusal:?}"
    );
    assert!(
        refusal.text.zh.contains("办件编号格式") && !refusal.text.zh.contains("must look like"),
        "{refusal:?}"
    );

    let many = SyncBatch {
        messages: (0..=wire::MAX_DOCS_PER_BATCH)
            .map(|i| DocMessage {
                doc_id: format!("{TOWNSHIP}-20261121-001-{:04}", i + 1),
                message: vec![],
            })
            .collect(),
    };
    let answer = device.post(TOWNSHIP, "sync", wire::encode(&many));
    assert_eq!(answer.status, 400);
    assert!(
        answer.message().contains("too many documents"),
        "{}",
        answer.message()
    );

    // A well-formed Automerge change that is not a case: refused.
    let mut not_a_case = tongban_sync::automerge::AutoCommit::new();
    use tongban_sync::automerge::transaction::Transactable;
    not_a_case
        .put(tongban_sync::automerge::ROOT, "hello", "world")
        .unwrap();
    let mut state = tongban_sync::automerge::sync::State::new();
    let mut hub_state = tongban_sync::automerge::sync::State::new();
    let mut hub_side = tongban_sync::automerge::AutoCommit::new();
    // Walk the protocol in memory until the change itself is due, then send that to the hub.
    let mut message = tongban_sync::peer::generate(&mut not_a_case, &mut state).unwrap();
    while !tongban_sync::peer::carries_changes(&message) {
        tongban_sync::peer::receive(&mut hub_side, &mut hub_state, &message).unwrap();
        let reply = tongban_sync::peer::generate(&mut hub_side, &mut hub_state).unwrap();
        tongban_sync::peer::receive(&mut not_a_case, &mut state, &reply).unwrap();
        message = tongban_sync::peer::generate(&mut not_a_case, &mut state).unwrap();
    }
    let forged = SyncBatch {
        messages: vec![DocMessage {
            doc_id: number.clone(),
            message,
        }],
    };
    let answer = device.post(TOWNSHIP, "sync", wire::encode(&forged));
    assert_eq!(answer.status, 400);
    assert!(
        answer.message().contains("not a valid case"),
        "{}",
        answer.message()
    );

    let feed = hub_feed(&device);
    assert!(
        feed.changed.is_empty(),
        "nothing was stored: {:?}",
        feed.changed
    );
    assert_eq!(feed.cursor, 0);

    let health = device.get("/healthz");
    assert_eq!(health.status, 200);
}
