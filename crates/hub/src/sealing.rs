//! Encryption at rest above the stores: case documents and second-factor secrets are sealed
//! before any database sees them (SQLite or PostgreSQL alike), and scanned pages before any
//! object store does. Keys come from the hub's storage key, which lives outside the data.
//!
//! Pages are sealed chunk by chunk (`PAGE_CHUNK_BYTES` each), so a desk's ranged fetch of one
//! chunk decrypts that chunk alone. A page's content is fixed by its digest, so each chunk's
//! nonce is derived from (township, digest, index): the same chunk always seals the same way,
//! and no two different plaintexts ever share a nonce.

use crate::error::{HubError, HubResult};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use tongban_sync::wire::PAGE_CHUNK_BYTES;
use zeroize::Zeroizing;

/// Marks a sealed column value (and its format).
const COLUMN_MAGIC: &[u8; 4] = b"TBS1";
const NONCE_BYTES: usize = 24;
pub const TAG_BYTES: u64 = 16;

/// The root of the hub's encryption at rest; every purpose gets its own key from it.
pub struct StorageKey(Zeroizing<[u8; 32]>);

impl StorageKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    fn derive(&self, purpose: &str) -> Zeroizing<[u8; 32]> {
        let mut out = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's limit; expand cannot fail.
        let _ = Hkdf::<Sha256>::new(None, self.0.as_slice()).expand(
            format!("tongban-hub {purpose} v1").as_bytes(),
            out.as_mut_slice(),
        );
        out
    }

    /// The raw SQLCipher key of the embedded database.
    pub fn sqlcipher(&self) -> Zeroizing<[u8; 32]> {
        self.derive("sqlcipher")
    }

    pub fn sealer(&self) -> Sealer {
        Sealer {
            columns: XChaCha20Poly1305::new(self.derive("columns").as_slice().into()),
            pages: XChaCha20Poly1305::new(self.derive("pages").as_slice().into()),
            page_nonces: self.derive("page nonces"),
            applicants: self.derive("applicant index"),
        }
    }
}

/// Seals and opens values for the stores. Cheap to share behind an `Arc`.
pub struct Sealer {
    columns: XChaCha20Poly1305,
    pages: XChaCha20Poly1305,
    page_nonces: Zeroizing<[u8; 32]>,
    applicants: Zeroizing<[u8; 32]>,
}

fn damaged(what: &str) -> HubError {
    HubError::Keys(format!(
        "{what} does not open with this hub's storage key (damaged, or another key) / {what}无法用本中心的存储密钥解开（已损坏或密钥不符）"
    ))
}

impl Sealer {
    /// Seals `plain`, bound to `context` (which row it belongs to), so a value copied to
    /// another row does not open there.
    pub fn seal(&self, context: &str, plain: &[u8]) -> HubResult<Vec<u8>> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(HubError::internal)?;
        let sealed = self
            .columns
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| HubError::internal("sealing failed"))?;
        Ok([COLUMN_MAGIC.as_slice(), &nonce, &sealed].concat())
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> HubResult<Vec<u8>> {
        let body = sealed
            .strip_prefix(COLUMN_MAGIC.as_slice())
            .filter(|b| b.len() >= NONCE_BYTES)
            .ok_or_else(|| damaged(context))?;
        let (nonce, ciphertext) = body.split_at(NONCE_BYTES);
        self.columns
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| damaged(context))
    }

    /// Whether a column value is sealed (rows written before sealing existed are not).
    pub fn is_sealed(value: &[u8]) -> bool {
        value.starts_with(COLUMN_MAGIC)
    }

    pub fn seal_text(&self, context: &str, plain: &str) -> HubResult<String> {
        Ok(hex::encode(self.seal(context, plain.as_bytes())?))
    }

    pub fn open_text(&self, context: &str, sealed: &str) -> HubResult<String> {
        let bytes = hex::decode(sealed).map_err(|_| damaged(context))?;
        String::from_utf8(self.open(context, &bytes)?).map_err(|_| damaged(context))
    }

    /// The index tag of an applicant's ID number: a keyed hash, so the index says nothing to
    /// whoever reads the database without the key, and no one can test a guessed number there.
    pub fn applicant_tag(&self, id_number: &str) -> String {
        let mut tag = [0u8; 32];
        let normal = id_number.trim().to_uppercase();
        // HKDF-Expand is HMAC-SHA256 under the derived key: a PRF of the number.
        let _ = Hkdf::<Sha256>::from_prk(self.applicants.as_slice())
            .map(|prk| prk.expand(normal.as_bytes(), &mut tag));
        hex::encode(tag)
    }

    fn page_nonce(&self, aad: &[u8]) -> XNonce {
        let mut nonce = [0u8; NONCE_BYTES];
        // 24 bytes is far below HKDF-SHA256's limit; expand cannot fail.
        let _ = Hkdf::<Sha256>::from_prk(self.page_nonces.as_slice())
            .map(|prk| prk.expand(aad, &mut nonce));
        *XNonce::from_slice(&nonce)
    }

    /// Seals chunk `index` of a page of `size` bytes; the size is bound in, so a page cannot be
    /// cut short without notice.
    pub fn seal_page_chunk(
        &self,
        township: &str,
        sha256: &str,
        size: u64,
        index: u32,
        plain: &[u8],
    ) -> HubResult<Vec<u8>> {
        let aad = page_aad(township, sha256, size, index);
        self.pages
            .encrypt(
                &self.page_nonce(&aad),
                Payload {
                    msg: plain,
                    aad: &aad,
                },
            )
            .map_err(|_| HubError::internal("sealing failed"))
    }

    pub fn open_page_chunk(
        &self,
        township: &str,
        sha256: &str,
        size: u64,
        index: u32,
        sealed: &[u8],
    ) -> HubResult<Vec<u8>> {
        let aad = page_aad(township, sha256, size, index);
        self.pages
            .decrypt(
                &self.page_nonce(&aad),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| HubError::Damaged(sha256.to_string()))
    }
}

fn page_aad(township: &str, sha256: &str, size: u64, index: u32) -> Vec<u8> {
    format!("tongban-page\n{township}\n{sha256}\n{size}\n{index}").into_bytes()
}

/// Where chunk `index` of a sealed page starts in its object.
pub fn sealed_chunk_offset(index: u32) -> u64 {
    u64::from(index) * (PAGE_CHUNK_BYTES + TAG_BYTES)
}

/// The page's own size, from the size of its sealed object (`None` if no page seals to that).
pub fn page_size_of_sealed(sealed: u64) -> Option<u64> {
    let chunks = sealed.div_ceil(PAGE_CHUNK_BYTES + TAG_BYTES);
    let size = sealed.checked_sub(chunks * TAG_BYTES)?;
    (size > 0 && size.div_ceil(PAGE_CHUNK_BYTES) == chunks).then_some(size)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sealer() -> Sealer {
        StorageKey::from_bytes([9u8; 32]).sealer()
    }

    #[test]
    fn columns_open_only_in_their_own_row_and_with_their_own_key() {
        let s = sealer();
        let sealed = s.seal("docs/450721101/x", b"case bytes").unwrap();
        assert!(Sealer::is_sealed(&sealed));
        assert_eq!(s.open("docs/450721101/x", &sealed).unwrap(), b"case bytes");
        assert!(s.open("docs/450721101/y", &sealed).is_err());
        let other = StorageKey::from_bytes([8u8; 32]).sealer();
        assert!(other.open("docs/450721101/x", &sealed).is_err());
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(s.open("docs/450721101/x", &flipped).is_err());
        assert!(s.open("docs/450721101/x", b"plain").is_err());
        let text = s.seal_text("totp/a", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(!text.contains("JBSWY3DP"));
        assert_eq!(s.open_text("totp/a", &text).unwrap(), "JBSWY3DPEHPK3PXP");
    }

    #[test]
    fn page_chunks_are_bound_to_page_position_and_size() {
        let s = sealer();
        let sha = "ab".repeat(32);
        let sealed = s.seal_page_chunk("t", &sha, 10, 0, b"0123456789").unwrap();
        assert_eq!(sealed.len() as u64, 10 + TAG_BYTES);
        assert_eq!(
            s.seal_page_chunk("t", &sha, 10, 0, b"0123456789").unwrap(),
            sealed
        );
        assert_eq!(
            s.open_page_chunk("t", &sha, 10, 0, &sealed).unwrap(),
            b"0123456789"
        );
        assert!(s.open_page_chunk("t", &sha, 10, 1, &sealed).is_err());
        assert!(s.open_page_chunk("t", &sha, 11, 0, &sealed).is_err());
        assert!(s.open_page_chunk("u", &sha, 10, 0, &sealed).is_err());
    }

    #[test]
    fn a_sealed_size_gives_back_the_page_size() {
        let c = PAGE_CHUNK_BYTES;
        for size in [1, 100, c - 1, c, c + 1, 3 * c, 3 * c + 7] {
            let chunks = size.div_ceil(c);
            assert_eq!(page_size_of_sealed(size + chunks * TAG_BYTES), Some(size));
        }
        assert_eq!(page_size_of_sealed(0), None);
        assert_eq!(page_size_of_sealed(TAG_BYTES), None);
    }
}
