//! What the desktop window and its shell say to each other. The UI compiles this crate to
//! wasm32, so both sides share one definition of every message.

use crate::case::{CaseStatus, Registration};
use crate::l10n::{Localized, Text};
use serde::{Deserialize, Serialize};

/// What kind of error the window is told of: what its code acts on (back to enrolment, the
/// recovery form, the new-password fields), never the sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Internal,
    Invalid,
    Io,
    Scanner,
    Page,
    Store,
    Sync,
    Offline,
    Enroll,
    Revoked,
    SignedOut,
    Idle,
    KeyringMissing,
    KeyringMismatch,
    KeyringUnavailable,
    NoProfile,
    WrongPassphrase,
    NoSuchCase,
    Denied,
    CodeRequired,
    Locked,
    MustChange,
    WeakPassword,
    BadCredentials,
}

/// An error as a clerk reads it: a typed code and the sentence in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UiError {
    pub code: ErrorCode,
    pub en: String,
    pub zh: String,
}

impl UiError {
    /// The error's own words in both languages, under the code the window acts on.
    pub fn of(code: ErrorCode, why: &impl Localized) -> Self {
        let Text { en, zh } = why.text();
        Self { code, en, zh }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskStatus {
    pub enrolled: bool,
    pub signed_in: bool,
    pub user: Option<String>,
    /// The signed-in user's role, from the township directory.
    pub role: Option<crate::Role>,
    /// Minutes without use before the desk signs its user out.
    pub idle_minutes: Option<u32>,
    pub township: Option<String>,
    pub township_name: Option<String>,
    pub hub_url: Option<String>,
    /// The fingerprint of the hub's key this desk trusts, for comparing with the operator's.
    pub hub_key: Option<String>,
    pub profile_dir: String,
    pub version: String,
    /// Why the profile cannot be opened (e.g. the keyring entry is gone), if it cannot.
    pub problem: Option<UiError>,
    /// Pre-filled on the first-run screen when whoever started the desk knows them.
    pub suggested_hub_url: Option<String>,
    pub suggested_code: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// `None` until the first attempt.
    pub online: Option<bool>,
    pub syncing: bool,
    pub waiting_docs: u64,
    pub last_success_ms: Option<i64>,
    pub last_error: Option<UiError>,
    pub bytes_up: u64,
    pub bytes_down: u64,
    /// Scanned pages moving right now, for the progress bar.
    #[serde(default)]
    pub pages: Option<Transfer>,
}

/// How far a page transfer or an import is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// "up", "down" or "import".
    pub direction: String,
    pub done: u64,
    pub total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

/// A file waiting to be attached: from the scanner inbox, dropped on the window or picked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFile {
    pub path: String,
    pub name: String,
    pub bytes: u64,
    /// "inbox", "dropped" or "picked".
    pub source: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingFiles {
    pub inbox_dir: String,
    /// Whether a SANE scanner command is installed.
    pub scanner: bool,
    pub files: Vec<PendingFile>,
}

/// One page of a case as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageThumb {
    pub material: String,
    pub position: u32,
    pub sha256: String,
    pub mime: String,
    /// Whether the bytes are on this desk yet.
    pub present: bool,
    /// A `data:` URL of the thumbnail, when there is one.
    pub thumbnail: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachForm {
    pub number: String,
    pub material: String,
    pub paths: Vec<String>,
    pub greyscale: bool,
}

/// One audited access, as the supervisor's audit view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at_ms: i64,
    pub user: String,
    pub device: String,
    pub action: String,
    pub action_zh: String,
    /// A case number, or empty for a sign-in.
    pub object: String,
    pub refused: bool,
    pub detail: String,
}

/// One line of the case list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub number: String,
    pub item_code: String,
    pub item_name: String,
    pub applicant_name: String,
    pub id_number: String,
    pub status: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub clerk: String,
    pub assignee: Option<String>,
    /// Promised completion date (YYYY-MM-DD), once accepted.
    pub deadline: Option<String>,
    /// green, yellow or red while the deadline runs.
    pub flag: Option<crate::DeadlineFlag>,
    pub conflict: bool,
    /// While materials are deferred (容缺受理): the date the applicant committed to bring them.
    #[serde(default)]
    pub materials_due: Option<String>,
    /// A 差评 waiting for rectification: its last day (YYYY-MM-DD).
    #[serde(default)]
    pub rectify_by: Option<String>,
}

/// The applicant as the window receives them: the ID number and phone masked. The whole
/// numbers reach the window only through the audited unmask, for roles allowed it, so no
/// screen's source holds them otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownApplicant {
    pub name: String,
    pub id_masked: String,
    pub phone_masked: Option<String>,
    pub address: Option<String>,
    /// Who applied for them: name, relation and number masked.
    #[serde(default)]
    pub agent: Option<ShownAgent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownAgent {
    pub name: String,
    pub relation: crate::AgentRelation,
    pub id_masked: String,
}

/// A case as the window receives it: everything the screens show, the applicant masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownCase {
    pub number: crate::CaseNumber,
    pub item_code: String,
    pub item_name: String,
    pub applicant: ShownApplicant,
    pub materials: Vec<crate::MaterialState>,
    pub status: CaseStatus,
    pub clerk: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub events: Vec<crate::CaseEvent>,
    pub assignee: Option<String>,
    pub conflict: Option<crate::workflow::Conflict>,
    pub materials_due: Option<String>,
}

impl From<crate::Case> for ShownCase {
    fn from(case: crate::Case) -> Self {
        Self {
            applicant: ShownApplicant {
                id_masked: case.applicant.id.masked(),
                phone_masked: case.applicant.phone.as_ref().map(crate::Mobile::masked),
                agent: case.applicant.agent.map(|a| ShownAgent {
                    id_masked: a.id.masked(),
                    name: a.name,
                    relation: a.relation,
                }),
                name: case.applicant.name,
                address: case.applicant.address,
            },
            number: case.number,
            item_code: case.item_code,
            item_name: case.item_name,
            materials: case.materials,
            status: case.status,
            clerk: case.clerk,
            created_at_ms: case.created_at_ms,
            updated_at_ms: case.updated_at_ms,
            events: case.events,
            assignee: case.assignee,
            conflict: case.conflict,
            materials_due: case.materials_due,
        }
    }
}

/// A case as the detail screen shows it: with its promised date, how close it is, and which
/// actions the signed-in user may take now (the shell checks again when one is taken).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub case: ShownCase,
    pub deadline: Option<String>,
    pub flag: Option<crate::DeadlineFlag>,
    /// No notice within the limit: the law counts the case accepted on its registration day.
    #[serde(default)]
    pub deemed_accepted: bool,
    /// The deadline rests on the statutory holidays of a year not yet published.
    #[serde(default)]
    pub provisional: bool,
    /// Decided and not yet delivered: the last day to deliver (YYYY-MM-DD).
    #[serde(default)]
    pub delivery_due: Option<String>,
    /// An item the county decides, not yet reported up: the township's last day (YYYY-MM-DD).
    #[serde(default)]
    pub forward_due: Option<String>,
    /// Accepted on a commitment (告知承诺) not yet checked: the last day to check it.
    #[serde(default)]
    pub commitment_check_due: Option<String>,
    pub actions: Vec<crate::Action>,
    /// Whether the user may see them whole (each time audited) and read the case's audit trail.
    pub may_unmask: bool,
    pub may_read_audit: bool,
    /// Whether the user may edit the case's details and attach scans (not a county officer,
    /// nor field staff on another's case).
    #[serde(default)]
    pub may_edit: bool,
}

/// An applicant's whole ID and phone, shown on request to a user with the right.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmasked {
    pub id: String,
    pub phone: Option<String>,
}

/// A workflow action asked for in the window.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActForm {
    pub number: String,
    pub action: Option<crate::Action>,
    pub reason: Option<String>,
    pub missing: Vec<String>,
    pub assignee: Option<String>,
    pub outcome: Option<CaseStatus>,
    /// For an acceptance under 容缺: the materials deferred and the date (YYYY-MM-DD) promised.
    #[serde(default)]
    pub deferred: Vec<String>,
    #[serde(default)]
    pub due: Option<String>,
    /// For a refusal at intake: its ground and the organ the applicant is referred to.
    #[serde(default)]
    pub ground: Option<crate::workflow::RefusalGround>,
    #[serde(default)]
    pub refer_to: Option<String>,
    /// For an extension: the working days added.
    #[serde(default)]
    pub days: Option<u16>,
    /// For a delivery: how, to whom, with which tracking number or address.
    #[serde(default)]
    pub delivery: Option<crate::Delivery>,
    /// For a step of the assistance procedure: which, and what a 公示 posts.
    #[serde(default)]
    pub step: Option<crate::assistance::StepKind>,
    #[serde(default)]
    pub publicity: Option<crate::assistance::Publicity>,
    #[serde(default)]
    pub members: Vec<crate::assistance::Member>,
    /// For closing a 差评's rectification: the follow-up and what was done.
    #[serde(default)]
    pub rectification: Option<crate::rating::Rectification>,
}

/// The desk's work queues for the signed-in user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkQueues {
    /// Open cases the user registered or was assigned.
    pub mine: Vec<CaseSummary>,
    /// For supervisors: accepted or under review, or with conflicting decisions.
    pub awaiting_decision: Vec<CaseSummary>,
    /// Returned for missing materials.
    pub returned: Vec<CaseSummary>,
    /// Two working days or less left, or overdue.
    pub due: Vec<CaseSummary>,
    /// For supervisors: 差评 waiting for rectification, the first due first.
    #[serde(default)]
    pub rectification: Vec<CaseSummary>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseQuery {
    pub status: Option<CaseStatus>,
    pub item: Option<String>,
    pub text: Option<String>,
    /// YYYY-MM-DD, China Standard Time.
    pub date: Option<String>,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    pub total: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollForm {
    pub hub_url: String,
    pub code: String,
    pub user: String,
    pub password: String,
    pub recovery_passphrase: String,
}

/// An intake form in progress, kept so nothing typed is lost on a crash or restart.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeDraft {
    pub registration: Registration,
}

/// A moment as a clerk reads it, in China Standard Time: `2026-11-21 09:30`.
pub fn china_time_text(ms: i64) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| {
            let t = t.to_offset(offset);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_in_china_standard_time() {
        // 2026-11-21 01:30 UTC is 09:30 in Beijing.
        assert_eq!(china_time_text(1_795_224_600_000), "2026-11-21 09:30");
    }

    #[test]
    fn an_error_reaches_the_window_in_each_language_whole() {
        let e = UiError::of(
            ErrorCode::Denied,
            &crate::workflow::Denied::UnknownMaterial("A / B".into()),
        );
        // A slash inside the words no longer cuts the sentence in the wrong place.
        assert_eq!(e.en, r#"this case has no material "A / B""#);
        assert_eq!(e.zh, "本办件没有材料“A / B”");
        let bad =
            crate::ResidentId::parse("12345", time::macros::date!(2026 - 12 - 7)).unwrap_err();
        let e = UiError::of(ErrorCode::Invalid, &bad);
        assert!(!e.zh.is_empty() && !e.zh.contains(" / "), "{e:?}");
        assert!(
            !e.en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{e:?}"
        );
    }

    #[test]
    fn error_codes_cross_to_the_window_typed() {
        let e = UiError::of(ErrorCode::MustChange, &crate::SignInError::MustChange);
        let text = serde_json::to_string(&e).unwrap();
        assert!(text.contains(r#""code":"must_change""#), "{text}");
        let back: UiError = serde_json::from_str(&text).unwrap();
        assert_eq!(back.code, ErrorCode::MustChange);
        assert!(serde_json::from_str::<ErrorCode>(r#""no_such_code""#).is_err());
    }
}

/// A finished case as the window's archive screen lists it, with the 档号 this desk gave its
/// package, once exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedCase {
    pub case: CaseSummary,
    pub code: Option<String>,
}

/// One row of a package check (DA/T 70), as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageCheckRow {
    pub code: String,
    pub item_zh: String,
    pub check: String,
    pub check_zh: String,
    /// PASS, FAIL or NA.
    pub outcome: String,
    pub detail: String,
    pub detail_zh: String,
}

/// A package check's report, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageCheck {
    pub package: String,
    pub checked_at: String,
    pub rows: Vec<PackageCheckRow>,
    pub passed: usize,
    pub failed: usize,
    pub not_applicable: usize,
    pub signer: Option<String>,
}
