//! What travels between desks and the hub. Bodies are CBOR compressed with zstd; decoding is
//! bounded so a hostile body cannot make either side allocate without limit.

use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::io::Read;

/// The largest compressed body either side accepts (each endpoint has its own, smaller or equal,
/// cap on requests: `endpoint`).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// The largest decompressed body either side accepts.
pub const MAX_DECODED_BYTES: usize = 64 * 1024 * 1024;
/// How many documents one sync request carries at most; larger sets go in several requests.
pub const MAX_DOCS_PER_BATCH: usize = 200;
pub const CONTENT_TYPE: &str = "application/vnd.tongban.sync+cbor+zstd";

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum WireError {
    TooLarge,
    Compression(std::io::Error),
    Decode(String),
    TooManyDocs(usize),
}

impl tongban_domain::l10n::Localized for WireError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::TooLarge => text!(
                "body is larger than {MAX_DECODED_BYTES} bytes once decompressed",
                "请求解压后超过{MAX_DECODED_BYTES}字节"
            ),
            Self::Compression(detail) => text!(
                "body is not valid zstd: {detail}",
                "请求不是有效的zstd压缩数据：{detail}"
            ),
            Self::Decode(detail) => text!(
                "body is not a valid sync message: {detail}",
                "请求不是有效的同步消息：{detail}"
            ),
            Self::TooManyDocs(count) => text!(
                "too many documents in one request ({count} > {MAX_DOCS_PER_BATCH})",
                "单次请求文档过多（{count}个）"
            ),
        }
    }
}

/// One document's identity and state, as a digest of its heads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocDigest {
    pub doc_id: String,
    pub digest: String,
}

/// A desk's opening move: the documents it changed since the last agreed sync, and how far it
/// has read the hub's change feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestRequest {
    pub cursor: u64,
    pub docs: Vec<DocDigest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestResponse {
    /// Where the desk's feed position moves once this sync completes.
    pub cursor: u64,
    /// Documents the desk listed whose digest differs at the hub (or that the hub lacks).
    pub differing: Vec<String>,
    /// Documents changed at the hub since the desk's cursor, with the hub's digest.
    pub changed: Vec<DocDigest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocMessage {
    pub doc_id: String,
    #[serde(with = "serde_bytes")]
    pub message: Vec<u8>,
}

/// Automerge sync messages for many documents in one round trip.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncBatch {
    pub messages: Vec<DocMessage>,
}

impl SyncBatch {
    pub fn check_size(&self) -> Result<(), WireError> {
        if self.messages.len() > MAX_DOCS_PER_BATCH {
            return Err(WireError::TooManyDocs(self.messages.len()));
        }
        Ok(())
    }
}

/// Enrolment is authorised by the one-time code and an account of the code's township; the
/// signature proves the desk holds its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    pub code: String,
    pub public_key: String,
    pub user: String,
    /// Checked against the account before the code is spent; never stored by the hub.
    pub password: String,
    pub label: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    pub device_id: String,
    pub device_serial: u32,
    pub township_code: String,
    pub township_name: String,
    pub directory: Directory,
    /// The hub's key for signing audit checkpoints (hex Ed25519).
    pub audit_key: String,
    /// The hub's TLS certificate (DER). The desk checks it against the fingerprint its
    /// enrolment code carried and verifies the hub's statements with its key.
    #[serde(with = "serde_bytes")]
    pub hub_certificate: Vec<u8>,
}

/// What the hub states to one device, signed with the hub's key: the only way a desk is made to
/// delete its data or to trust another key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatementKind {
    /// The device was revoked: it must delete its profile.
    Revoked,
    /// The hub will present this key from some time on; desks add it to their pins now.
    NextHubKey {
        fingerprint: String,
        #[serde(with = "serde_bytes")]
        certificate: Vec<u8>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub kind: StatementKind,
    /// The device the statement is for; any other device ignores it.
    pub device: String,
    pub township: String,
    pub issued_at: i64,
    /// The nonce of the request this statement answers, where it answers one (a revocation),
    /// so an old statement cannot be played back as a new answer.
    pub answers_nonce: Option<String>,
}

/// A statement as CBOR bytes, with the hub key's signature over them (a rustls signature
/// scheme code and the signature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedStatement {
    #[serde(with = "serde_bytes")]
    pub statement: Vec<u8>,
    pub scheme: u16,
    #[serde(with = "serde_bytes")]
    pub signature: Vec<u8>,
}

impl Statement {
    /// The bytes that are signed: a fixed label, so no other signature of the hub's key (a TLS
    /// handshake's included) can pass for a statement.
    pub fn signed_bytes(statement: &[u8]) -> Vec<u8> {
        [b"tongban-hub-statement-v1\0".as_slice(), statement].concat()
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut cbor = Vec::new();
        // Writing CBOR into a Vec cannot fail for these plain data types.
        let _ = ciborium::into_writer(self, &mut cbor);
        cbor
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WireError> {
        ciborium::from_reader(bytes).map_err(|e| WireError::Decode(e.to_string()))
    }
}

/// A township account as the desks it is assigned to need it to sign its person in offline:
/// their key sealed under their password (which also checks the password), never in the clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryUser {
    pub name: String,
    pub role: tongban_domain::Role,
    /// Hex Ed25519 public key; `None` for an account made before person keys, which needs a
    /// password reset before it can sign in.
    pub public_key: Option<String>,
    /// [`crate::person::SealedKey`] as text.
    pub sealed_key: Option<String>,
    pub totp_secret: Option<String>,
    /// Set by a reset: the person must choose a new password before anything else.
    pub must_change: bool,
}

/// A person's new password, sealed and signed on their desk (see [`crate::person::Rekey`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RekeyRequest {
    pub rekey: crate::person::Rekey,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RekeyResponse {
    pub accepted: bool,
}

/// A device of the township, so desks can check the seals on each other's decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryDevice {
    pub id: String,
    pub serial: u32,
    pub public_key: String,
    pub revoked: bool,
}

/// What a township's desks share beyond cases: accounts, devices, sign-in rules and the
/// working-day calendar when the hub has a newer one than the desks shipped with, and the
/// catalogue versions the county published since the desks' program was built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub users: Vec<DirectoryUser>,
    pub devices: Vec<DirectoryDevice>,
    pub policy: tongban_domain::SecurityPolicy,
    pub calendar: Option<tongban_domain::calendar::CalendarData>,
    #[serde(default)]
    pub catalogues: Vec<tongban_domain::Catalogue>,
}

impl Directory {
    /// Identifies a directory's content, so an unchanged one is not sent again.
    pub fn digest(&self) -> String {
        use sha2::Digest;
        let mut cbor = Vec::new();
        let _ = ciborium::into_writer(self, &mut cbor);
        hex::encode(&sha2::Sha256::digest(&cbor)[..16])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryRequest {
    /// The digest of the directory the desk holds, if any.
    pub digest: Option<String>,
    /// The version the desk runs (its package version), said at every sync.
    #[serde(default)]
    pub version: Option<String>,
}

/// The longest version a desk may say it runs.
pub const MAX_VERSION_CHARS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryResponse {
    /// `None` when the desk's copy is current.
    pub directory: Option<Directory>,
    /// The hub's statements for this desk (a coming key).
    #[serde(default)]
    pub statements: Vec<SignedStatement>,
}

/// Pages travel in chunks of this size: a cut link costs at most one chunk, and a chunk takes
/// about eight seconds at 256 kbit/s.
pub const PAGE_CHUNK_BYTES: u64 = 256 * 1024;

/// How many chunks a page of `size` bytes travels in.
pub fn page_chunks(size: u64) -> u32 {
    u32::try_from(size.div_ceil(PAGE_CHUNK_BYTES)).unwrap_or(u32::MAX)
}

/// The exact length chunk `index` of a page of `size` bytes must have.
pub fn page_chunk_len(size: u64, index: u32) -> u64 {
    let start = u64::from(index) * PAGE_CHUNK_BYTES;
    size.saturating_sub(start).min(PAGE_CHUNK_BYTES)
}

/// "Which of these pages do you have, and which chunks of the ones still arriving?"
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageStatusRequest {
    pub pages: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageStatus {
    pub sha256: String,
    pub complete: bool,
    /// Chunks already received of an upload not yet complete.
    pub chunks: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageStatusResponse {
    pub pages: Vec<PageStatus>,
}

/// One chunk of a page upload. Sending it twice is harmless.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageChunk {
    pub sha256: String,
    pub size: u64,
    pub index: u32,
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageChunkAck {
    /// The whole page is at the hub and matched its digest.
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFetch {
    pub sha256: String,
    pub index: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFetchResponse {
    pub size: u64,
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
}

/// One chunk of an archived case's package, as the hub stores it (a tar of the bag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveFetch {
    pub case: String,
    pub index: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveFetchResponse {
    /// The case's 档号.
    pub code: String,
    /// The SHA-256 of the whole tar, which the desk checks once it has every chunk.
    pub sha256: String,
    pub size: u64,
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
}

/// 一证通办: a desk's lookup of every case of one applicant across its county's townships, by
/// the person signed in, for a stated purpose. Each case found records the lookup as a use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupRequest {
    pub id_number: String,
    pub purpose: String,
    pub user: String,
    /// The person's signature ([`crate::person::sign_lookup`]) over the other fields and the
    /// sending device.
    pub signature: String,
}

/// A case found, as much as the window needs to find it again: no applicant data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookedUp {
    pub number: String,
    pub township: String,
    pub township_name: String,
    pub item_name: String,
    pub status_zh: String,
    pub registered_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupResponse {
    pub cases: Vec<LookedUp>,
}

/// A department's request for a case (共享申请), signed with its system's key: who asks, for
/// what purpose, on what legal basis or with what consent, and for which resources
/// (`package`, `material:CODE`, `field:NAME`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeRequest {
    pub case: String,
    pub person: String,
    pub purpose: String,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub consent: String,
    pub scope: Vec<String>,
}

/// A file released to a department, fetched in chunks with [`ExchangeFetch`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReleasedFile {
    /// `package.tar`, or `material/CODE/N` for a material's pages.
    pub name: String,
    pub sha256: String,
    pub size: u64,
}

/// What was released: the fields' values and the files, whose hash the log entry carries.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Released {
    pub fields: std::collections::BTreeMap<String, String>,
    pub files: Vec<ReleasedFile>,
}

impl Released {
    /// What the log entry's digest is: SHA-256 over this, as JSON with its keys in order.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(json))
    }
}

/// The hub's answer, released or refused alike: its entry in the case's township log, signed
/// with the hub's audit key, with a checkpoint signed now and the entry's inclusion proof, so
/// the department can prove what it was given, and when, and on what terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeAnswer {
    pub released: bool,
    /// Why not, when refused.
    pub reason: Option<tongban_domain::l10n::Text>,
    pub entry: tongban_audit::SignedEvent,
    pub position: u64,
    pub checkpoint: tongban_audit::SignedCheckpoint,
    #[serde(with = "serde_bytes")]
    pub inclusion: Vec<u8>,
    pub given: Released,
}

/// One chunk of a released file: for the department that was given it, within an hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeFetch {
    pub case: String,
    /// The release's position in the township log.
    pub position: u64,
    pub file: String,
    pub index: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeChunk {
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
    /// Whether this was the file's last chunk.
    pub last: bool,
}

/// A desk's audit events not yet acknowledged, in order, and the size of the last checkpoint
/// it verified, so the hub can prove its log has only grown since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPush {
    pub known_size: u64,
    /// How many events the desk's trail holds in all: fewer than the hub holds of it means the
    /// desk's database is an older copy.
    pub local_count: u64,
    pub events: Vec<tongban_audit::SignedEvent>,
    /// A desk restored from a backup asks, sending no events, for a checkpoint to read its
    /// later events back against; its trail is then shorter than the hub's record by design.
    #[serde(default)]
    pub rejoin: bool,
    /// The last checkpoint this desk verified, handed back so the hub keeps a witness of every
    /// size its log has had: a log shortened later, checkpoints and all, no longer matches.
    #[serde(default)]
    pub witnessed: Option<tongban_audit::SignedCheckpoint>,
}

/// How many audit events one push carries at most.
pub const MAX_AUDIT_EVENTS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPushResponse {
    pub checkpoint: tongban_audit::SignedCheckpoint,
    /// From `known_size` to the checkpoint's size.
    #[serde(with = "serde_bytes")]
    pub consistency: Vec<u8>,
    /// Each pushed event's position in the township log, and its inclusion proof there.
    pub positions: Vec<u64>,
    pub inclusion: Vec<serde_bytes::ByteBuf>,
}

/// Reading the township's log from position `from` on, so supervisors see every desk's
/// events; the desk checks them against the checkpoint it verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRead {
    pub from: u64,
}

/// How many log entries one read returns at most.
pub const MAX_AUDIT_READ: u32 = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditReadResponse {
    /// Entries from `from` on, in log order.
    pub entries: Vec<tongban_audit::SignedEvent>,
}

/// What kind of refusal, as desks and operators' scripts read it (`ErrorBody::error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Revoked,
    TooLarge,
    RateLimited,
    TimedOut,
    /// A page damaged at rest at the hub: it stays so until an operator mends it.
    Damaged,
    Conflict,
    Internal,
    /// A refusal a newer hub knows and this desk does not.
    #[serde(other)]
    Other,
}

impl Refusal {
    /// The name scripts and the hub's metrics use, as it travels in `ErrorBody::error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Revoked => "revoked",
            Self::TooLarge => "too_large",
            Self::RateLimited => "rate_limited",
            Self::TimedOut => "timed_out",
            Self::Damaged => "damaged",
            Self::Conflict => "conflict",
            Self::Internal => "internal",
            Self::Other => "other",
        }
    }
}

/// Every refusal from the hub carries a stable code and its sentence in English and Chinese
/// (`en`, `zh`), plus both on one line (`message`) for people reading the raw answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: Refusal,
    pub message: String,
    #[serde(flatten)]
    pub text: tongban_domain::l10n::Text,
    /// A revocation's signed statement (base64 of its CBOR), without which a desk deletes
    /// nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

/// CBOR without compression, for values carried inside other formats (a statement in an error
/// body).
pub fn encode_plain<T: Serialize>(value: &T) -> Vec<u8> {
    let mut cbor = Vec::new();
    // Writing CBOR into a Vec cannot fail for these plain data types.
    let _ = ciborium::into_writer(value, &mut cbor);
    cbor
}

pub fn decode_plain<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    ciborium::from_reader(bytes).map_err(|e| WireError::Decode(e.to_string()))
}

pub fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    let mut cbor = Vec::new();
    // Writing CBOR into a Vec cannot fail for these plain data types.
    let _ = ciborium::into_writer(value, &mut cbor);
    zstd::bulk::compress(&cbor, 3).unwrap_or_default()
}

pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, WireError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(WireError::TooLarge);
    }
    let decoder = zstd::stream::read::Decoder::new(body).map_err(WireError::Compression)?;
    let mut cbor = Vec::new();
    decoder
        .take(MAX_DECODED_BYTES as u64 + 1)
        .read_to_end(&mut cbor)
        .map_err(WireError::Compression)?;
    if cbor.len() > MAX_DECODED_BYTES {
        return Err(WireError::TooLarge);
    }
    ciborium::from_reader(cbor.as_slice()).map_err(|e| WireError::Decode(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let batch = SyncBatch {
            messages: vec![DocMessage {
                doc_id: "x".into(),
                message: vec![1, 2, 3],
            }],
        };
        assert_eq!(decode::<SyncBatch>(&encode(&batch)).unwrap(), batch);
        assert!(matches!(
            decode::<SyncBatch>(b"not zstd"),
            Err(WireError::Compression(_))
        ));
        let garbage = zstd::bulk::compress(b"\xff\xff\xff", 3).unwrap();
        assert!(matches!(
            decode::<SyncBatch>(&garbage),
            Err(WireError::Decode(_))
        ));
        let bomb = zstd::bulk::compress(&vec![0u8; MAX_DECODED_BYTES + 10], 19).unwrap();
        assert!(bomb.len() < MAX_BODY_BYTES);
        assert!(matches!(
            decode::<SyncBatch>(&bomb),
            Err(WireError::TooLarge)
        ));
    }
}
