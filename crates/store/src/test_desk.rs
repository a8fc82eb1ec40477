//! A desk for the store's own tests: a real SQLCipher file with a township directory of one user
//! per role (plus a second supervisor), all with the same password.

use crate::keys::SecretKey;
use crate::{Enrollment, Store};
use tongban_domain::session::Session;
use tongban_domain::{Role, SecurityPolicy, TownshipCode};
use tongban_sync::wire::{Directory, DirectoryUser};

pub const PASSWORD: &str = "window-pass-2026";
pub const USERS: [(&str, Role); 5] = [
    ("李明", Role::Clerk),
    ("张华", Role::Supervisor),
    ("陈刚", Role::Supervisor),
    ("黄勇", Role::Field),
    ("周敏", Role::Admin),
];

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
    }
}

pub fn directory(policy: SecurityPolicy) -> Directory {
    let hash = crate::hash_password(PASSWORD).expect("hash");
    Directory {
        users: USERS
            .iter()
            .map(|(name, role)| DirectoryUser {
                name: (*name).into(),
                role: *role,
                password_hash: hash.clone(),
                totp_secret: None,
            })
            .collect(),
        devices: Vec::new(),
        policy,
        calendar: None,
    }
}

pub fn desk(dir: &std::path::Path, policy: SecurityPolicy) -> Store {
    let mut store =
        Store::create(&dir.join("cases.db"), &SecretKey::random().expect("key")).expect("store");
    let enrollment = Enrollment {
        hub_url: "http://127.0.0.1:1".into(),
        device_id: "0d0e0f".into(),
        device_serial: 1,
        township: TownshipCode::parse("450721101").expect("township"),
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
