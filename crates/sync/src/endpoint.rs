//! Every endpoint of the hub, declared once: its path, what it takes and answers, and how large
//! a request body may be. The hub's router, the desk's client and the tests all take them from
//! here, so no path is written twice.

use crate::wire::{
    ArchiveFetch, ArchiveFetchResponse, AuditPush, AuditPushResponse, AuditRead, AuditReadResponse,
    DirectoryRequest, DirectoryResponse, EnrollRequest, EnrollResponse, ExchangeAnswer,
    ExchangeChunk, ExchangeFetch, ExchangeRequest, LookupRequest, LookupResponse, ManifestRequest,
    ManifestResponse, PageChunk, PageChunkAck, PageFetch, PageFetchResponse, PageStatusRequest,
    PageStatusResponse, RekeyRequest, RekeyResponse, SyncBatch,
};
use serde::{Serialize, de::DeserializeOwned};

/// The placeholder for the township code in a path, as the hub's router spells it.
pub const TOWNSHIP_PARAM: &str = "{code}";

pub trait Endpoint {
    /// The path, with [`TOWNSHIP_PARAM`] where the township code goes.
    const PATH: &'static str;
    /// Whether the request must carry a device's signature (all but enrolment).
    const SIGNED: bool = true;
    /// The largest compressed request body the hub reads; anything longer is refused before
    /// it is read whole.
    const MAX_BODY: usize;
    type Request: Serialize + DeserializeOwned + Send + 'static;
    type Response: Serialize + DeserializeOwned + Send + 'static;

    /// The path for one township.
    fn path(township: &str) -> String {
        Self::PATH.replace(TOWNSHIP_PARAM, township)
    }
}

macro_rules! endpoint {
    ($(#[$doc:meta])* $name:ident, $path:literal, $request:ty => $response:ty, max $max:expr) => {
        $(#[$doc])*
        pub struct $name;
        impl Endpoint for $name {
            const PATH: &'static str = $path;
            const MAX_BODY: usize = $max;
            type Request = $request;
            type Response = $response;
        }
    };
}

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// A desk joins a township with a one-time code and an account's password.
pub struct Enroll;
impl Endpoint for Enroll {
    const PATH: &'static str = "/v1/enroll";
    const SIGNED: bool = false;
    const MAX_BODY: usize = 16 * KIB;
    type Request = EnrollRequest;
    type Response = EnrollResponse;
}

endpoint!(
    /// Accounts, devices, sign-in rules, the calendar and the hub's statements for this desk.
    Directory, "/v1/townships/{code}/directory", DirectoryRequest => DirectoryResponse, max 4 * KIB
);
endpoint!(
    /// A person's key sealed under their new password, chosen on this desk.
    Rekey, "/v1/townships/{code}/rekey", RekeyRequest => RekeyResponse, max 4 * KIB
);
endpoint!(
    /// Which documents differ, and what changed at the hub since the desk's cursor.
    Manifest, "/v1/townships/{code}/manifest", ManifestRequest => ManifestResponse, max 8 * MIB
);
endpoint!(
    /// Automerge sync messages for up to `MAX_DOCS_PER_BATCH` documents.
    Sync, "/v1/townships/{code}/sync", SyncBatch => SyncBatch, max 8 * MIB
);
endpoint!(
    /// Which of these pages the hub holds, and which chunks of those still arriving.
    PageStatus, "/v1/townships/{code}/pages/status", PageStatusRequest => PageStatusResponse,
    max 256 * KIB
);
endpoint!(
    /// One chunk of a page upload.
    PagePut, "/v1/townships/{code}/pages/put", PageChunk => PageChunkAck, max 512 * KIB
);
endpoint!(
    /// One chunk of a page download.
    PageGet, "/v1/townships/{code}/pages/get", PageFetch => PageFetchResponse, max 4 * KIB
);
endpoint!(
    /// The desk's audit events; answered with a signed checkpoint and proofs.
    AuditAppend, "/v1/townships/{code}/audit", AuditPush => AuditPushResponse, max 8 * MIB
);
endpoint!(
    /// The township's audit log from a position on.
    AuditLogRead, "/v1/townships/{code}/audit/read", AuditRead => AuditReadResponse, max 4 * KIB
);

endpoint!(
    /// One chunk of an archived case's package, for a desk of its township.
    ArchiveGet, "/v1/townships/{code}/archives/get", ArchiveFetch => ArchiveFetchResponse,
    max 4 * KIB
);

endpoint!(
    /// 一证通办: every case of one applicant across the county, looked up by a desk's user.
    Lookup, "/v1/townships/{code}/lookup", LookupRequest => LookupResponse, max 4 * KIB
);
endpoint!(
    /// A department's request for a case, signed with its system's key (the device header
    /// carries the department's code); decided, logged and answered alike, released or not.
    Exchange, "/v1/exchange/request", ExchangeRequest => ExchangeAnswer, max 16 * KIB
);
endpoint!(
    /// One chunk of a file released to the department asking.
    ExchangeGet, "/v1/exchange/get", ExchangeFetch => ExchangeChunk, max 4 * KIB
);

/// Unsigned, for monitoring: answers `ok` when the hub can reach its database.
pub const HEALTH_PATH: &str = "/healthz";
/// The county's supervision page (电子监察), served to signed-in county officers: its sign-in and
/// sign-out, its export, and its style sheet (the page loads nothing from anywhere else).
pub const SUPERVISION_PATH: &str = "/county/supervision";
pub const SUPERVISION_EXPORT_PATH: &str = "/county/supervision.xlsx";
pub const SIGN_IN_PATH: &str = "/county/sign-in";
pub const SIGN_OUT_PATH: &str = "/county/sign-out";
pub const PAGE_STYLE_PATH: &str = "/county/style.css";
/// The citizen's query page (群众查询): a form, or with `case` and `code` the case's progress
/// (the receipt's QR code carries such an address, see [`query_url`]); its style sheet; and
/// the same view as JSON for a government portal that embeds it.
pub const QUERY_PATH: &str = "/query";
pub const QUERY_STYLE_PATH: &str = "/query/style.css";
/// The case's use entries with their inclusion proofs (JSON), for the same number and code.
pub const QUERY_PROOF_PATH: &str = "/query/proof";
pub const QUERY_API_PATH: &str = "/api/v1/query";
/// The applicant's rating (好差评): a form on the page, and its JSON for portals.
pub const QUERY_RATE_PATH: &str = "/query/rate";
pub const QUERY_RATE_API_PATH: &str = "/api/v1/query/rate";

/// The address a receipt's QR code carries: the hub's query page for this case and code. Both
/// are letters, digits and dashes, so they need no escaping.
pub fn query_url(hub: &str, case: &str, code: &str) -> String {
    format!(
        "{}{QUERY_PATH}?case={case}&code={code}",
        hub.trim_end_matches('/')
    )
}

/// Prometheus metrics, for peers on this machine only.
pub const METRICS_PATH: &str = "/metrics";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn paths_name_the_township_once() {
        assert_eq!(
            Manifest::path("450721101"),
            "/v1/townships/450721101/manifest"
        );
        assert_eq!(Enroll::path("450721101"), "/v1/enroll");
        assert_eq!(AuditLogRead::PATH, "/v1/townships/{code}/audit/read");
        assert_eq!(
            query_url(
                "https://hub.example:8443/",
                "450721101-20261207-3-0001",
                "7KQ2-M9XD"
            ),
            "https://hub.example:8443/query?case=450721101-20261207-3-0001&code=7KQ2-M9XD"
        );
    }
}
