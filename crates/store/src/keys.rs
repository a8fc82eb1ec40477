//! The profile's data key and the two ways it is kept: wrapped by a key-encryption key in the
//! OS keyring (every day), and wrapped by a key derived from the recovery passphrase (when the
//! keyring entry is lost). Secrets zeroize on drop and are never `Clone`.

use crate::StoreError;
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

pub const KEY_LEN: usize = 32;
pub(crate) const KEYRING_SERVICE: &str = "tongban";
/// Recovery is rare, so its key derivation can afford to be expensive for an attacker.
const RECOVERY_M_KIB: u32 = 64 * 1024;
const RECOVERY_T: u32 = 3;
const RECOVERY_P: u32 = 1;
pub const MIN_PASSPHRASE_CHARS: usize = 12;

/// A 32-byte secret that wipes itself.
pub struct SecretKey(Zeroizing<[u8; KEY_LEN]>);

impl SecretKey {
    pub fn random() -> Result<Self, StoreError> {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(bytes.as_mut()).map_err(|e| StoreError::Random(e.to_string()))?;
        Ok(Self(bytes))
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let array: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(Self(Zeroizing::new(array)))
    }

    pub fn expose(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// SQLCipher's raw-key form: the key is used as is, with no passphrase derivation per open.
    pub fn sqlcipher_pragma(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("x'{}'", hex::encode(self.0.as_ref())))
    }
}

/// A key sealed under another key; safe to store in the clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    pub nonce: String,
    pub ciphertext: String,
}

/// The recovery wrapping also records how its key was derived, so parameters can change later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryWrap {
    pub salt: String,
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
    pub wrapped: WrappedKey,
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(out)
}

pub fn wrap(kek: &SecretKey, key: &SecretKey, context: &str) -> Result<WrappedKey, StoreError> {
    let nonce = random_bytes::<24>()?;
    let cipher = XChaCha20Poly1305::new(kek.expose().into());
    let ciphertext = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: key.expose(),
                aad: context.as_bytes(),
            },
        )
        .map_err(|_| StoreError::Random("key wrapping failed".into()))?;
    Ok(WrappedKey {
        nonce: hex::encode(nonce),
        ciphertext: hex::encode(ciphertext),
    })
}

/// `None` when the wrapping key is not the one that sealed it.
pub fn unwrap(kek: &SecretKey, wrapped: &WrappedKey, context: &str) -> Option<SecretKey> {
    let nonce = hex::decode(&wrapped.nonce).ok().filter(|n| n.len() == 24)?;
    let ciphertext = hex::decode(&wrapped.ciphertext).ok()?;
    let cipher = XChaCha20Poly1305::new(kek.expose().into());
    let mut plain = cipher
        .decrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: &ciphertext,
                aad: context.as_bytes(),
            },
        )
        .ok()?;
    let key = SecretKey::from_slice(&plain);
    plain.zeroize();
    key
}

pub fn check_passphrase(passphrase: &str) -> Result<(), StoreError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(StoreError::WeakPassphrase);
    }
    Ok(tongban_domain::session::check_strength(passphrase, &[])?)
}

fn derive(
    passphrase: &str,
    salt: &[u8],
    m_kib: u32,
    t: u32,
    p: u32,
) -> Result<SecretKey, StoreError> {
    let params = Params::new(m_kib, t, p, Some(KEY_LEN))
        .map_err(|e| StoreError::Corrupt(format!("recovery parameters: {e}")))?;
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, out.as_mut())
        .map_err(|e| StoreError::Corrupt(format!("recovery derivation: {e}")))?;
    Ok(SecretKey(out))
}

pub fn wrap_for_recovery(
    passphrase: &str,
    key: &SecretKey,
    context: &str,
) -> Result<RecoveryWrap, StoreError> {
    check_passphrase(passphrase)?;
    let salt = random_bytes::<16>()?;
    let kek = derive(passphrase, &salt, RECOVERY_M_KIB, RECOVERY_T, RECOVERY_P)?;
    Ok(RecoveryWrap {
        salt: hex::encode(salt),
        m_kib: RECOVERY_M_KIB,
        t: RECOVERY_T,
        p: RECOVERY_P,
        wrapped: wrap(&kek, key, context)?,
    })
}

pub fn unwrap_with_passphrase(
    passphrase: &str,
    recovery: &RecoveryWrap,
    context: &str,
) -> Result<SecretKey, StoreError> {
    let salt =
        hex::decode(&recovery.salt).map_err(|_| StoreError::Corrupt("recovery salt".into()))?;
    let kek = derive(passphrase, &salt, recovery.m_kib, recovery.t, recovery.p)?;
    unwrap(&kek, &recovery.wrapped, context).ok_or(StoreError::WrongPassphrase)
}

/// The profile's key-encryption key in the OS keyring (Secret Service, Keychain, Credential
/// Manager). The keyring crate's mock store is never used: without a platform store the open
/// fails and says so.
pub struct KeyringSlot {
    entry: keyring::Entry,
    account: String,
}

impl KeyringSlot {
    pub fn for_profile(profile_id: &str) -> Result<Self, StoreError> {
        let account = format!("profile-{profile_id}");
        let entry = keyring::Entry::new(KEYRING_SERVICE, &account).map_err(keyring_error)?;
        Ok(Self { entry, account })
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    pub fn load(&self) -> Result<SecretKey, StoreError> {
        match self.entry.get_secret() {
            Ok(mut bytes) => {
                let key = SecretKey::from_slice(&bytes);
                bytes.zeroize();
                key.ok_or(StoreError::KeyringMismatch)
            }
            Err(keyring::Error::NoEntry) => Err(StoreError::KeyringEntryMissing),
            Err(e) => Err(keyring_error(e)),
        }
    }

    pub fn store(&self, key: &SecretKey) -> Result<(), StoreError> {
        self.entry.set_secret(key.expose()).map_err(keyring_error)
    }

    pub fn delete(&self) -> Result<(), StoreError> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

pub(crate) fn keyring_error(e: keyring::Error) -> StoreError {
    StoreError::KeyringUnavailable(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_needs_the_right_key_and_context() {
        let kek = SecretKey::random().unwrap();
        let key = SecretKey::random().unwrap();
        let wrapped = wrap(&kek, &key, "p1").unwrap();
        assert_eq!(unwrap(&kek, &wrapped, "p1").unwrap().expose(), key.expose());
        assert!(unwrap(&kek, &wrapped, "p2").is_none());
        assert!(unwrap(&SecretKey::random().unwrap(), &wrapped, "p1").is_none());
    }

    #[test]
    fn recovery_passphrase_round_trip() {
        let key = SecretKey::random().unwrap();
        assert!(matches!(
            wrap_for_recovery("short", &key, "p"),
            Err(StoreError::WeakPassphrase)
        ));
        let wrap = wrap_for_recovery("檀圩镇备用恢复口令-2026", &key, "p").unwrap();
        let back = unwrap_with_passphrase("檀圩镇备用恢复口令-2026", &wrap, "p").unwrap();
        assert_eq!(back.expose(), key.expose());
        assert!(matches!(
            unwrap_with_passphrase("wrong passphrase!!", &wrap, "p"),
            Err(StoreError::WrongPassphrase)
        ));
    }
}
