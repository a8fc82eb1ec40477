//! A person's own signing key. Every account has an Ed25519 key; its private half travels and
//! rests only sealed under a key derived from the person's password (Argon2id, costly enough that
//! each guess takes a quarter of a second or more), so a desk holding the sealed key still needs
//! the password to act as that person. Every event a person writes is signed with it over the
//! event and the case state it was written on; the hub checks that signature against the keys it
//! has given the account.

use crate::auth::parse_public_key;
use argon2::{Algorithm, Argon2, Params, Version};
use automerge::ChangeHash;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tongban_domain::{Case, CaseEvent, Secret};
use zeroize::Zeroizing;

/// Argon2id cost for sealing a person's key: 128 MiB, 4 passes, measured at 0.34-0.39 s per
/// derivation on the project's 2-core reference machine (3 passes took 0.27 s, too close to the
/// quarter second each guess must cost an attacker; BENCHMARKS.md, sign-in).
pub const SEAL_M_KIB: u32 = 128 * 1024;
pub const SEAL_T: u32 = 4;
pub const SEAL_P: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum PersonKeyError {
    WrongPassword,
    Malformed,
    TooWeak,
    Random(String),
}

impl tongban_domain::l10n::Localized for PersonKeyError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::WrongPassword => text!(
                "the password does not open this account's key",
                "密码无法解开该账户的密钥"
            ),
            Self::Malformed => text!(
                "this account's sealed key is malformed",
                "该账户的密钥封装格式错误"
            ),
            Self::TooWeak => text!(
                "this account's key is sealed with weaker settings than the hub allows",
                "该账户密钥的封装强度低于中心要求"
            ),
            Self::Random(detail) => text!(
                "no random numbers from the operating system: {detail}",
                "无法从操作系统取得随机数：{detail}"
            ),
        }
    }
}

/// A person's private key sealed under their password, as it is kept and sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedKey {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
    pub salt: String,
    pub nonce: String,
    pub ciphertext: String,
}

impl SealedKey {
    pub fn to_text(&self) -> String {
        // Plain strings and numbers always serialise.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parses a sealed key and refuses one sealed with less work than the hub requires (a desk
    /// may not lower the cost of guessing a password) or with so much that opening it would stall
    /// the person's other desks.
    pub fn parse(text: &str) -> Result<Self, PersonKeyError> {
        let sealed: Self = serde_json::from_str(text).map_err(|_| PersonKeyError::Malformed)?;
        if sealed.m_kib < SEAL_M_KIB || sealed.t < SEAL_T {
            return Err(PersonKeyError::TooWeak);
        }
        if sealed.m_kib > 4 * SEAL_M_KIB || sealed.t > 4 * SEAL_T || !(1..=4).contains(&sealed.p) {
            return Err(PersonKeyError::Malformed);
        }
        Ok(sealed)
    }
}

fn random<const N: usize>() -> Result<[u8; N], PersonKeyError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| PersonKeyError::Random(e.to_string()))?;
    Ok(out)
}

/// What the sealed key is bound to: sealing one account's key cannot be passed off as another's.
fn context(township: &str, name: &str, public_key: &VerifyingKey) -> Vec<u8> {
    format!(
        "tongban-person-key-v1\n{township}\n{name}\n{}",
        hex::encode(public_key.to_bytes())
    )
    .into_bytes()
}

fn derive(password: &str, salt: &[u8], m: u32, t: u32, p: u32) -> Result<Secret, PersonKeyError> {
    let params = Params::new(m, t, p, Some(32)).map_err(|_| PersonKeyError::Malformed)?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, out.as_mut())
        .map_err(|_| PersonKeyError::Malformed)?;
    Ok(Secret::new(*out))
}

/// A new key for an account, sealed under its first password.
pub fn new_key(
    township: &str,
    name: &str,
    password: &str,
) -> Result<(VerifyingKey, SealedKey), PersonKeyError> {
    let seed = Zeroizing::new(random::<32>()?);
    let key = SigningKey::from_bytes(&seed);
    Ok((key.verifying_key(), seal(&key, township, name, password)?))
}

/// Seals `key` under `password` (a new salt and nonce every time).
pub fn seal(
    key: &SigningKey,
    township: &str,
    name: &str,
    password: &str,
) -> Result<SealedKey, PersonKeyError> {
    let salt = random::<16>()?;
    let nonce = random::<24>()?;
    let kek = derive(password, &salt, SEAL_M_KIB, SEAL_T, SEAL_P)?;
    let cipher = XChaCha20Poly1305::new(kek.expose().into());
    let aad = context(township, name, &key.verifying_key());
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.as_bytes(),
                aad: &aad,
            },
        )
        .map_err(|_| PersonKeyError::Malformed)?;
    Ok(SealedKey {
        m_kib: SEAL_M_KIB,
        t: SEAL_T,
        p: SEAL_P,
        salt: hex::encode(salt),
        nonce: hex::encode(nonce),
        ciphertext: hex::encode(ciphertext),
    })
}

/// Opens a sealed key with the password; the key must be the account's public key's pair.
pub fn open(
    sealed: &SealedKey,
    township: &str,
    name: &str,
    public_key: &str,
    password: &str,
) -> Result<Secret, PersonKeyError> {
    let public = parse_public_key(public_key).map_err(|_| PersonKeyError::Malformed)?;
    let salt = hex::decode(&sealed.salt).map_err(|_| PersonKeyError::Malformed)?;
    let nonce = hex::decode(&sealed.nonce)
        .ok()
        .filter(|n| n.len() == 24)
        .ok_or(PersonKeyError::Malformed)?;
    let ciphertext = hex::decode(&sealed.ciphertext).map_err(|_| PersonKeyError::Malformed)?;
    let kek = derive(password, &salt, sealed.m_kib, sealed.t, sealed.p)?;
    let cipher = XChaCha20Poly1305::new(kek.expose().into());
    let plain = Zeroizing::new(
        cipher
            .decrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: &context(township, name, &public),
                },
            )
            .map_err(|_| PersonKeyError::WrongPassword)?,
    );
    let seed: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| PersonKeyError::Malformed)?;
    let seed = Secret::new(seed);
    if SigningKey::from_bytes(seed.expose()).verifying_key() != public {
        return Err(PersonKeyError::Malformed);
    }
    Ok(seed)
}

/// The signing key a session's secret stands for.
pub fn signing_key(seed: &Secret) -> SigningKey {
    SigningKey::from_bytes(seed.expose())
}

/// Exactly what a person signs for one event; field order is fixed by this struct, and a field
/// added to events later must not change what earlier events signed.
#[derive(Serialize)]
struct Act<'a> {
    case: &'a str,
    kind: &'static str,
    at_ms: i64,
    by: &'a str,
    device: &'a str,
    detail: &'a str,
    from: Option<tongban_domain::CaseStatus>,
    to: Option<tongban_domain::CaseStatus>,
    reason: Option<&'a str>,
    missing: &'a [String],
    assignee: Option<&'a str>,
    resolves: &'a [String],
    due: Option<&'a str>,
    /// A decision's device seal, so the person's signature also covers what the device sealed.
    decision_seal: Option<&'a str>,
    /// The case state the event was written on, sorted.
    heads: Vec<String>,
    /// For a registration, a digest of what was registered (the applicant and materials).
    registered: Option<String>,
    /// A refusal at intake's ground and referral; absent from other events' bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    ground: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refer_to: Option<&'a str>,
    /// An extension's working days; absent from other events' bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    days: Option<u16>,
    /// A delivery's method, recipient and proof; absent from other events' bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery: Option<&'a tongban_domain::Delivery>,
    /// The paper pages were attached to; absent from other events' bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    paper: Option<&'static str>,
    /// An assistance step and what a 公示 posts; absent from other events' bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publicity: Option<&'a tongban_domain::assistance::Publicity>,
    /// A home visit's household; absent from other events' bytes.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    members: &'a [tongban_domain::assistance::Member],
    #[serde(skip_serializing_if = "Option::is_none")]
    grant: Option<&'a tongban_domain::sharing::GrantTerms>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rectification: Option<&'a tongban_domain::rating::Rectification>,
}

fn is_first(version: &u32) -> bool {
    *version == tongban_domain::case::first_catalogue()
}

/// A digest of what a registration records, so a registration's signature covers the
/// applicant and the materials as well as its timeline line.
fn registration_digest(case: &Case) -> String {
    #[derive(Serialize)]
    struct Registered<'a> {
        number: &'a str,
        township: &'a str,
        item_code: &'a str,
        item_name: &'a str,
        promised_days: u16,
        /// Left out for the first version, so registrations signed before versions still verify.
        #[serde(skip_serializing_if = "is_first")]
        catalogue_version: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        query_hash: Option<&'a str>,
        applicant: &'a tongban_domain::Applicant,
        materials: &'a [tongban_domain::MaterialState],
        clerk: &'a str,
        created_at_ms: i64,
    }
    let registered = Registered {
        number: case.number.as_str(),
        township: case.township.as_str(),
        item_code: &case.item_code,
        item_name: &case.item_name,
        promised_days: case.promised_days,
        catalogue_version: case.catalogue_version,
        query_hash: case.query_hash.as_deref(),
        applicant: &case.applicant,
        materials: &case.materials,
        clerk: &case.clerk,
        created_at_ms: case.created_at_ms,
    };
    hex::encode(Sha256::digest(
        serde_json::to_vec(&registered).unwrap_or_default(),
    ))
}

fn act_bytes(
    case: &str,
    event: &CaseEvent,
    heads: &[ChangeHash],
    registered: Option<&Case>,
) -> Vec<u8> {
    let mut heads: Vec<String> = heads.iter().map(ToString::to_string).collect();
    heads.sort();
    let act = Act {
        case,
        kind: event.kind.as_str(),
        at_ms: event.at_ms,
        by: &event.by,
        device: &event.device,
        detail: &event.detail,
        from: event.from,
        to: event.to,
        reason: event.reason.as_deref(),
        missing: &event.missing,
        assignee: event.assignee.as_deref(),
        resolves: &event.resolves,
        due: event.due.as_deref(),
        decision_seal: event.seal.as_ref().map(|s| s.signature.as_str()),
        heads,
        registered: registered.map(registration_digest),
        ground: event.ground.map(|g| g.as_str()),
        refer_to: event.refer_to.as_deref(),
        days: event.days,
        delivery: event.delivery.as_ref(),
        paper: event.paper.map(|p| p.as_str()),
        step: event.step.map(|s| s.as_str()),
        publicity: event.publicity.as_ref(),
        members: &event.members,
        grant: event.grant.as_ref(),
        rectification: event.rectification.as_ref(),
    };
    let mut bytes = b"tongban-act-v1\n".to_vec();
    bytes.extend(serde_json::to_vec(&act).unwrap_or_default());
    bytes
}

/// Signs `event` as its author writes it on the document at `heads` (for a registration,
/// `registered` is the case it creates and `heads` is empty).
pub fn sign_act(
    seed: &Secret,
    case: &str,
    event: &CaseEvent,
    heads: &[ChangeHash],
    registered: Option<&Case>,
) -> String {
    let signature = signing_key(seed).sign(&act_bytes(case, event, heads, registered));
    B64.encode(signature.to_bytes())
}

/// Whether `event` carries its author's signature by `key` over the state it was written on.
pub fn verify_act(
    key: &VerifyingKey,
    case: &str,
    event: &CaseEvent,
    heads: &[ChangeHash],
    registered: Option<&Case>,
) -> bool {
    let Some(signature) = event
        .person_signature
        .as_deref()
        .and_then(|s| B64.decode(s).ok())
        .and_then(|b| Signature::from_slice(&b).ok())
    else {
        return false;
    };
    key.verify(&act_bytes(case, event, heads, registered), &signature)
        .is_ok()
}

/// What a person signs to look an applicant up (一证通办): bound to the desk that sends it, so a
/// desk cannot look up in another person's name, nor use a lookup another desk sent.
fn lookup_bytes(device: &str, user: &str, id_number: &str, purpose: &str) -> Vec<u8> {
    format!("tongban-lookup-v1\n{device}\n{user}\n{id_number}\n{purpose}").into_bytes()
}

pub fn sign_lookup(
    seed: &Secret,
    device: &str,
    user: &str,
    id_number: &str,
    purpose: &str,
) -> String {
    let signature = signing_key(seed).sign(&lookup_bytes(device, user, id_number, purpose));
    B64.encode(signature.to_bytes())
}

/// Whether `signature` is `key`'s over this lookup from `device`.
pub fn verify_lookup(
    key: &VerifyingKey,
    device: &str,
    user: &str,
    id_number: &str,
    purpose: &str,
    signature: &str,
) -> bool {
    B64.decode(signature)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok())
        .is_some_and(|s| {
            key.verify(&lookup_bytes(device, user, id_number, purpose), &s)
                .is_ok()
        })
}

/// A person's new password, as their desk tells the hub: the key sealed again, signed with the
/// key itself so only someone who could open it may replace it, and dated so an older sealing
/// cannot be sent again to bring back an old password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rekey {
    pub name: String,
    pub sealed_key: String,
    pub at_ms: i64,
    pub signature: String,
}

fn rekey_bytes(township: &str, name: &str, sealed_key: &str, at_ms: i64) -> Vec<u8> {
    format!("tongban-rekey-v1\n{township}\n{name}\n{at_ms}\n{sealed_key}").into_bytes()
}

impl Rekey {
    pub fn new(seed: &Secret, township: &str, name: &str, sealed: &SealedKey, at_ms: i64) -> Self {
        let sealed_key = sealed.to_text();
        let signature = signing_key(seed).sign(&rekey_bytes(township, name, &sealed_key, at_ms));
        Self {
            name: name.to_string(),
            sealed_key,
            at_ms,
            signature: B64.encode(signature.to_bytes()),
        }
    }

    pub fn verify(&self, township: &str, key: &VerifyingKey) -> bool {
        B64.decode(&self.signature)
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok())
            .is_some_and(|signature| {
                key.verify(
                    &rekey_bytes(township, &self.name, &self.sealed_key, self.at_ms),
                    &signature,
                )
                .is_ok()
            })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_sealed_key_opens_only_with_its_password_and_for_its_account() {
        let (public, sealed) = new_key("450721101", "张华", "Zh-approves-2026").unwrap();
        let public = hex::encode(public.to_bytes());
        let seed = open(&sealed, "450721101", "张华", &public, "Zh-approves-2026").unwrap();
        assert_eq!(
            hex::encode(signing_key(&seed).verifying_key().to_bytes()),
            public
        );
        let wrong = open(&sealed, "450721101", "张华", &public, "zh-approves-2026");
        assert_eq!(wrong.err(), Some(PersonKeyError::WrongPassword));
        // The same sealing presented as another person's key does not open.
        let other = open(&sealed, "450721101", "陈刚", &public, "Zh-approves-2026");
        assert_eq!(other.err(), Some(PersonKeyError::WrongPassword));
    }

    #[test]
    fn a_cheaper_sealing_is_refused() {
        let (_, sealed) = new_key("450721101", "张华", "Zh-approves-2026").unwrap();
        let sealed_text = sealed.to_text();
        assert!(SealedKey::parse(&sealed_text).is_ok());
        let cheap = SealedKey {
            m_kib: 1024,
            ..sealed
        };
        assert_eq!(
            SealedKey::parse(&cheap.to_text()),
            Err(PersonKeyError::TooWeak)
        );
        assert_eq!(SealedKey::parse("{"), Err(PersonKeyError::Malformed));
        let stalling = SealedKey {
            t: 64,
            ..SealedKey::parse(&sealed_text).unwrap()
        };
        assert_eq!(
            SealedKey::parse(&stalling.to_text()),
            Err(PersonKeyError::Malformed)
        );
    }

    #[test]
    fn an_act_verifies_only_unaltered_and_on_its_state() {
        let seed = Secret::new([9; 32]);
        let key = signing_key(&seed).verifying_key();
        let heads = [ChangeHash([1; 32])];
        let mut event = CaseEvent {
            at_ms: 5,
            kind: tongban_domain::EventKind::Approved,
            by: "张华".into(),
            ..CaseEvent::default()
        };
        event.person_signature = Some(sign_act(&seed, "C-1", &event, &heads, None));
        assert!(verify_act(&key, "C-1", &event, &heads, None));
        assert!(!verify_act(&key, "C-2", &event, &heads, None));
        assert!(!verify_act(
            &key,
            "C-1",
            &event,
            &[ChangeHash([2; 32])],
            None
        ));
        let mut altered = event.clone();
        altered.by = "陈刚".into();
        assert!(!verify_act(&key, "C-1", &altered, &heads, None));
        let other = signing_key(&Secret::new([8; 32])).verifying_key();
        assert!(!verify_act(&other, "C-1", &event, &heads, None));
    }

    #[test]
    fn a_rekey_is_bound_to_its_account_and_time() {
        let seed = Secret::new([9; 32]);
        let key = signing_key(&seed).verifying_key();
        let sealed = seal(
            &signing_key(&seed),
            "450721101",
            "张华",
            "New-pass-for-2027",
        )
        .unwrap();
        let rekey = Rekey::new(&seed, "450721101", "张华", &sealed, 77);
        assert!(rekey.verify("450721101", &key));
        assert!(!rekey.verify("450721102", &key));
        let later = Rekey {
            at_ms: 78,
            ..rekey.clone()
        };
        assert!(!later.verify("450721101", &key));
    }
}
