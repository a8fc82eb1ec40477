//! A township's cases are its own: other townships' devices, unsigned, forged, replayed and
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report
//! revoked requests are all refused, and nothing leaks in the refusals.

use tongban_e2e::device::RawDevice;
use tongban_e2e::{Backend, Desk, Hub, OTHER_TOWNSHIP, TOWNSHIP, enroll_args};
use tongban_sync::wire::{
    self, DocDigest, DocMessage, ManifestRequest, ManifestResponse, SyncBatch,
};

fn manifest_body(cursor: u64, docs: Vec<DocDigest>) -> Vec<u8> {
    wire::encode(&ManifestRequest { cursor, docs })
}

#[test]
fn another_township_cannot_read_or_write_a_case() {
    let hub = Hub::start(Backend::Sqlite);
    let a = Desk::enroll(&hub, TOWNSHIP, "李明");
    let number = a.register("覃秀梅", "450721198806152311", "13812345678");
    a.sync();

    // A desk of the other township syncs and sees nothing of it.
    let other_desk = Desk::enroll(&hub, OTHER_TOWNSHIP, "黄强");
    assert_eq!(other_desk.sync()["docs_down"], 0);
    assert!(other_desk.list().is_empty());
    assert!(
        other_desk
            .fails(&["case", "show", &number])
            .contains("no case numbered")
    );

    let other = RawDevice::enroll(&hub, OTHER_TOWNSHIP);
    // Asking at the case's own township path: refused, nothing but the refusal comes back.
    let answer = other.post(TOWNSHIP, "manifest", manifest_body(0, vec![]));
    assert_eq!(answer.status, 403, "{}", answer.message());
    assert!(
        answer.message().contains("belongs to township 450721102"),
        "{}",
        answer.message()
    );
    assert!(!String::from_utf8_lossy(&answer.body).contains("覃秀梅"));
    let answer = other.post(TOWNSHIP, "sync", wire::encode(&SyncBatch::default()));
    assert_eq!(answer.status, 403);

    // Naming the case under its own township: refused as well.
    let probe = manifest_body(
        0,
        vec![DocDigest {
            doc_id: number.clone(),
            digest: "00".into(),
        }],
    );
    let answer = other.post(OTHER_TOWNSHIP, "manifest", probe);
    assert_eq!(answer.status, 403, "{}", answer.message());
    assert!(answer.message().contains("belongs to another township"));
    let write = SyncBatch {
        messages: vec![DocMessage {
            doc_id: number.clone(),
            message: vec![0x42, 1, 2],
        }],
    };
    let answer = other.post(OTHER_TOWNSHIP, "sync", wire::encode(&write));
    assert_eq!(answer.status, 403, "{}", answer.message());

    // Its own feed stays empty: the case never crossed over.
    let feed: ManifestResponse = other
        .post(OTHER_TOWNSHIP, "manifest", manifest_body(0, vec![]))
        .decode();
    assert!(feed.changed.is_empty() && feed.differing.is_empty());

    // The first desk still has the case, untouched.
    a.sync();
    assert_eq!(a.show(&number)["applicant"]["name"], "覃秀梅");
}

#[test]
fn unsigned_forged_replayed_and_revoked_requests_are_refused() {
    let hub = Hub::start(Backend::Sqlite);
    let device = RawDevice::enroll(&hub, TOWNSHIP);
    let body = manifest_body(0, vec![]);

    let path = format!("/v1/townships/{TOWNSHIP}/manifest");
    let answer = device.send(&path, body.clone(), None);
    assert_eq!(answer.status, 401);
    assert!(
        answer.message().contains("not signed"),
        "{}",
        answer.message()
    );

    let headers = device.sign(&path, &body);
    // Another body under the signed headers: caught when the body is read.
    let tampered = manifest_body(7, vec![]);
    let answer = device.send(&path, tampered.clone(), Some(&headers));
    assert_eq!(answer.status, 401);
    assert!(
        answer.message().contains("does not match its signed hash"),
        "{}",
        answer.message()
    );
    // Its hash put in the headers: the signature no longer holds, caught before the body.
    let mut rehashed = device.sign(&path, &body);
    rehashed.body_sha256 = tongban_sync::auth::body_hash(&tampered);
    let answer = device.send(&path, tampered, Some(&rehashed));
    assert_eq!(answer.status, 401);
    assert!(
        answer.message().contains("does not verify"),
        "{}",
        answer.message()
    );

    // The nonce of a refused body is spent too: it was checked before the body was read.
    let again = device.send(&path, body.clone(), Some(&headers));
    assert!(again.message().contains("replayed"), "{}", again.message());
    let headers = device.sign(&path, &body);
    let first = device.send(&path, body.clone(), Some(&headers));
    assert_eq!(first.status, 200, "{}", first.message());
    let replay = device.send(&path, body.clone(), Some(&headers));
    assert_eq!(replay.status, 401);
    assert!(
        replay.message().contains("replayed"),
        "{}",
        replay.message()
    );

    hub.admin(&["device", "revoke", "--device", &device.id]);
    let answer = device.post(TOWNSHIP, "manifest", body);
    assert_eq!(answer.status, 403);
    assert!(answer.message().contains("revoked"), "{}", answer.message());
}

#[test]
fn an_enrolment_code_works_once() {
    let hub = Hub::start(Backend::Sqlite);
    let code = hub.enroll_code(TOWNSHIP);
    hub.add_user(TOWNSHIP, "李明", "clerk");
    hub.add_user(TOWNSHIP, "王芳", "clerk");
    let (first, second) = (Desk::unenrolled(), Desk::unenrolled());
    first.ok(&enroll_args(&hub, &code, "李明"));
    let reason = second.fails(&enroll_args(&hub, &code, "王芳"));
    assert!(reason.contains("unknown, used or expired"), "{reason}");
    // Nothing was created for the refused desk.
    assert!(!second.path().exists());
}
