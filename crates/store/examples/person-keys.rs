//! What person keys cost a desk: signing in now opens the person's sealed key (Argon2id at the
//! sealing cost), against today's password check (Argon2id at the library's default cost); and
//! every case save now carries the person's Ed25519 signature, measured alone on the same
//! events beside whole saves (a correction of one applicant field, its own transaction,
//! document, audit event) in a real profile (SQLCipher, key in the keyring). Prints rows for
//! `scripts/bench`.
//!
//! Run: `scripts/with-keyring cargo run --release -p tongban-store --example person-keys`
#![allow(clippy::unwrap_used)] // a measuring tool: a panic is the report

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::time::{Duration, Instant};
use tongban_domain::session::Session;
use tongban_domain::{
    CaseEvent, CaseField, EventKind, FieldEdit, Registration, Role, Secret, SecurityPolicy,
    TownshipCode,
};
use tongban_store::keys::SecretKey;
use tongban_store::{Enrollment, Profile, Store};
use tongban_sync::automerge::ChangeHash;
use tongban_sync::person;
use tongban_sync::wire::{Directory, DirectoryUser};

const PASSWORD: &str = "window-pass-2026";
const SIGN_INS: usize = 7;
const SAVES: usize = 2_000;

fn desk(dir: &std::path::Path, key: &Secret) -> Store {
    let mut store = Profile::at(dir)
        .create("bench recovery passphrase 2026")
        .unwrap();
    let signing = person::signing_key(key);
    let sealed = person::seal(&signing, "450721101", "李明", PASSWORD).unwrap();
    let directory = Directory {
        users: vec![DirectoryUser {
            name: "李明".into(),
            role: Role::Clerk,
            public_key: Some(hex::encode(signing.verifying_key().to_bytes())),
            sealed_key: Some(sealed.to_text()),
            totp_secret: None,
            must_change: false,
        }],
        devices: Vec::new(),
        policy: SecurityPolicy::default(),
        calendar: None,
        catalogues: Vec::new(),
    };
    let enrollment = Enrollment {
        hub_url: "http://127.0.0.1:1".into(),
        device_id: "0d0e0f".into(),
        device_serial: 1,
        township: TownshipCode::parse("450721101").unwrap(),
        township_name: "檀圩镇".into(),
        user: "李明".into(),
        hub_audit_key: hex::encode([0u8; 32]),
        hub_key: "TEST".into(),
        hub_certificate: Vec::new(),
    };
    store
        .record_enrollment(&enrollment, &SecretKey::random().unwrap(), &directory)
        .unwrap();
    store
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(values: &mut [Duration], p: f64) -> Duration {
    values.sort();
    values[((values.len() - 1) as f64 * p) as usize]
}

fn main() {
    let dir = tempfile::tempdir_in(std::env::current_dir().unwrap()).unwrap();
    let key = Secret::new([7; 32]);
    let mut store = desk(dir.path(), &key);

    // Sign-in: the person's sealed key opened with the password, against today's check.
    let mut opened = Vec::new();
    for _ in 0..SIGN_INS {
        let started = Instant::now();
        store.sign_in("李明", PASSWORD, None, 1).unwrap();
        opened.push(started.elapsed());
    }
    let salt = SaltString::encode_b64(&[3; 16]).unwrap();
    let hash = argon2::Argon2::default()
        .hash_password(PASSWORD.as_bytes(), &salt)
        .unwrap()
        .to_string();
    let mut checked = Vec::new();
    for _ in 0..SIGN_INS {
        let started = Instant::now();
        let parsed = PasswordHash::new(&hash).unwrap();
        argon2::Argon2::default()
            .verify_password(PASSWORD.as_bytes(), &parsed)
            .unwrap();
        checked.push(started.elapsed());
    }
    let (new, old) = (
        ms(percentile(&mut opened, 0.5)),
        ms(percentile(&mut checked, 0.5)),
    );

    // Saves: ten corrections to each of 200 cases, as a window's day brings them; and the
    // signature alone on the same events.
    let session = Session {
        user: "李明".into(),
        role: Role::Clerk,
        last_use_ms: 0,
        key: key.clone(),
    };
    let now = tongban_store::china_now();
    let numbers: Vec<String> = (0..SAVES / 10)
        .map(|_| {
            let registration = Registration {
                item: "YL01".into(),
                name: "覃秀梅".into(),
                id_number: "450721198806152311".into(),
                id_type: Default::default(),
                agent: None,
                phone: None,
                address: None,
                received: vec!["ID_CARD".into()],
            };
            let case = store.register(registration, &session, now).unwrap();
            case.number.as_str().to_string()
        })
        .collect();
    let mut saves = Vec::new();
    let mut signatures = Vec::new();
    let heads = [ChangeHash([5; 32])];
    for i in 0..SAVES {
        let number = &numbers[i % numbers.len()];
        let edit = FieldEdit::new(CaseField::Phone, &format!("139{:08}", i)).unwrap();
        let started = Instant::now();
        store.set_field(number, &edit, &session, now).unwrap();
        saves.push(started.elapsed());
        let event = CaseEvent {
            at_ms: 1_800_000_000_000 + i as i64,
            kind: EventKind::FieldChanged,
            by: "李明".into(),
            device: "0d0e0f".into(),
            detail: "changed phone".into(),
            ..CaseEvent::default()
        };
        let started = Instant::now();
        std::hint::black_box(person::sign_act(&key, number, &event, &heads, None));
        signatures.push(started.elapsed());
    }
    println!("| measure | today | with person keys |");
    println!("|---|---|---|");
    println!("| sign-in, median of {SIGN_INS} (ms) | {old:.0} | {new:.0} |");
    for (name, p) in [("p50", 0.5), ("p99", 0.99)] {
        let save = ms(percentile(&mut saves, p));
        let signature = ms(percentile(&mut signatures, p));
        println!(
            "| case save {name} (ms), of which the signature {signature:.3} | {:.2} | {save:.2} |",
            save - signature
        );
        println!(
            "row\tcase save {name} (ms), {SAVES} corrections\tthe same save less its person signature (measured alone)\t{:.3}\t{save:.3}\t{:.3}\t",
            save - signature,
            save / (save - signature)
        );
    }
    println!(
        "row\tsign-in (ms)\ttoday's password check (Argon2id, default cost)\t{old:.0}\t{new:.0}\t{:.1}\t≥ 250 ms per guess ({})",
        new / old,
        if new >= 250.0 { "met" } else { "not met" }
    );
}
