//! A desk for the store's own tests: a real SQLCipher file with a township directory of one user
//! per role (plus a second supervisor), all with the same password.

use crate::keys::SecretKey;
use crate::{Enrollment, Store};
use std::sync::OnceLock;
use tongban_domain::session::Session;
use tongban_domain::{Role, Secret, SecurityPolicy, TownshipCode};
use tongban_sync::person;
use tongban_sync::wire::{Directory, DirectoryUser};

pub const PASSWORD: &str = "window-pass-2026";
pub const USERS: [(&str, Role); 5] = [
    ("李明", Role::Clerk),
    ("张华", Role::Supervisor),
    ("陈刚", Role::Supervisor),
    ("黄勇", Role::Field),
    ("周敏", Role::Admin),
];

pub const TOWNSHIP: &str = "450721101";

/// Each test user's key, the same in every test: user `i` has the seed `[i + 1; 32]`.
pub fn person_key(user: &str) -> Secret {
    let i = USERS
        .iter()
        .position(|(name, _)| *name == user)
        .expect("a test user");
    Secret::new([u8::try_from(i + 1).expect("few users"); 32])
}

pub fn session(user: &str) -> Session {
    let role = USERS
        .iter()
        .find(|(name, _)| *name == user)
        .map(|(_, role)| *role)
        .expect("a test user");
    Session {
        user: user.into(),
        role,
        last_use_ms: 0,
        key: person_key(user),
    }
}

/// The test users sealed under [`PASSWORD`]; sealing costs a good fraction of a second per
/// key, so it is done once per test binary.
fn directory_users() -> &'static [DirectoryUser] {
    static USERS_SEALED: OnceLock<Vec<DirectoryUser>> = OnceLock::new();
    USERS_SEALED.get_or_init(|| {
        USERS
            .iter()
            .map(|(name, role)| {
                let key = person::signing_key(&person_key(name));
                let sealed = person::seal(&key, TOWNSHIP, name, PASSWORD).expect("seal");
                DirectoryUser {
                    name: (*name).into(),
                    role: *role,
                    public_key: Some(hex::encode(key.verifying_key().to_bytes())),
                    sealed_key: Some(sealed.to_text()),
                    totp_secret: None,
                    must_change: false,
                }
            })
            .collect()
    })
}

pub fn directory(policy: SecurityPolicy) -> Directory {
    Directory {
        users: directory_users().to_vec(),
        devices: Vec::new(),
        policy,
        calendar: None,
        catalogues: Vec::new(),
    }
}

pub fn desk(dir: &std::path::Path, policy: SecurityPolicy) -> Store {
    let mut store =
        Store::create(&dir.join("cases.db"), &SecretKey::random().expect("key")).expect("store");
    let enrollment = Enrollment {
        hub_url: "http://127.0.0.1:1".into(),
        device_id: "0d0e0f".into(),
        device_serial: 1,
        township: TownshipCode::parse(TOWNSHIP).expect("township"),
        township_name: "檀圩镇".into(),
        user: "李明".into(),
        hub_audit_key: hex::encode([0u8; 32]),
        hub_key: "TEST".into(),
        hub_certificate: Vec::new(),
    };
    store
        .record_enrollment(
            &enrollment,
            &SecretKey::random().expect("key"),
            &directory(policy),
        )
        .expect("enrol");
    store
}
