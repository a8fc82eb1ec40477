//! A case: one citizen's application for one service item, from registration onwards.

use crate::catalogue::ApplicantKind;
use crate::identity::{Mobile, ResidentId, Uscc};
use crate::township::TownshipCode;
use crate::travel_id::{ForeignPr, HmtPermit, IdType, Passport};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::Date;

pub use crate::registration::{
    AgentForm, ApplicantError, CaseField, Desk, FieldEdit, Registration, RegistrationError,
    validate_address, validate_name, validate_phone,
};

/// Registration sequence numbers per device and day; four digits keep numbers short on receipts.
pub const MAX_DAILY_SEQUENCE: u32 = 9999;
/// Device serials are handed out by the hub per township.
pub const MAX_DEVICE_SERIAL: u32 = 999;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum CaseNumberError {
    Format(String),
    DeviceSerial(u32),
    SequenceExhausted,
}

impl crate::l10n::Localized for CaseNumberError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Format(found) => text!(
                "case number must look like 450721101-20261121-001-0001, found {found:?}",
                "办件编号格式应为 450721101-20261121-001-0001，实际为“{found}”"
            ),
            Self::DeviceSerial(serial) => text!(
                "device serial {serial} is out of range 1-999",
                "设备序号{serial}超出1至999的范围"
            ),
            Self::SequenceExhausted => text!(
                "this desk has used all {MAX_DAILY_SEQUENCE} case numbers for today",
                "本设备今日办件编号已用完（{MAX_DAILY_SEQUENCE}个）"
            ),
        }
    }
}

/// Township code + registration date + the desk's hub-assigned serial + the desk's daily sequence.
/// Unique without any network because no two desks of a township share a serial.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseNumber(String);

impl CaseNumber {
    pub fn new(
        township: &TownshipCode,
        date: Date,
        device_serial: u32,
        sequence: u32,
    ) -> Result<Self, CaseNumberError> {
        if device_serial == 0 || device_serial > MAX_DEVICE_SERIAL {
            return Err(CaseNumberError::DeviceSerial(device_serial));
        }
        if sequence == 0 || sequence > MAX_DAILY_SEQUENCE {
            return Err(CaseNumberError::SequenceExhausted);
        }
        Ok(Self(format!(
            "{township}-{:04}{:02}{:02}-{device_serial:03}-{sequence:04}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )))
    }

    pub fn parse(input: &str) -> Result<Self, CaseNumberError> {
        let text = input.trim();
        let parts: Vec<&str> = text.split('-').collect();
        let shape_ok = parts.len() == 4
            && [9, 8, 3, 4]
                .iter()
                .zip(&parts)
                .all(|(len, p)| p.len() == *len && p.bytes().all(|b| b.is_ascii_digit()));
        if !shape_ok || TownshipCode::parse(parts[0]).is_err() {
            return Err(CaseNumberError::Format(text.to_string()));
        }
        Ok(Self(text.to_string()))
    }

    /// The township code the number starts with (the parser guarantees its shape).
    pub fn township(&self) -> &str {
        &self.0[..9]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A document's number (文号): the issuing organ, the document's mark (决, 不受, 中, 延),
    /// the year in 〔〕 and the case number, which no other desk can have issued, so desks
    /// number documents offline without a shared counter.
    pub fn document_number(&self, organ: &str, mark: &str, year: i32) -> String {
        format!("{organ}{mark}〔{year}〕{}号", self.0)
    }
}

impl TryFrom<String> for CaseNumber {
    type Error = CaseNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CaseNumber> for String {
    fn from(n: CaseNumber) -> Self {
        n.0
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "number", rename_all = "snake_case")]
pub enum ApplicantId {
    Resident(ResidentId),
    Organisation(Uscc),
    /// 港澳台居民's permit, a passport, or a foreigner's permanent residence card.
    Hmt(HmtPermit),
    Passport(Passport),
    ForeignPr(ForeignPr),
}

impl ApplicantId {
    /// The number typed at the window, checked by the rule of the document it is on: an
    /// organisation's credit code, or the person's document of `id_type`.
    pub fn parse(
        applicant: ApplicantKind,
        id_type: IdType,
        number: &str,
        today: Date,
    ) -> Result<Self, ApplicantError> {
        Ok(match (applicant, id_type) {
            (ApplicantKind::Person, IdType::Resident) => {
                Self::Resident(ResidentId::parse(number, today)?)
            }
            (ApplicantKind::Person, IdType::Hmt) => Self::Hmt(HmtPermit::parse(number, today)?),
            (ApplicantKind::Person, IdType::Passport) => Self::Passport(Passport::parse(number)?),
            (ApplicantKind::Person, IdType::ForeignPr) => {
                Self::ForeignPr(ForeignPr::parse(number, today)?)
            }
            (ApplicantKind::Organisation, IdType::Resident) => {
                Self::Organisation(Uscc::parse(number)?)
            }
            (ApplicantKind::Organisation, other) => {
                return Err(ApplicantError::OrganisationIdType(other));
            }
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Resident(id) => id.as_str(),
            Self::Organisation(code) => code.as_str(),
            Self::Hmt(id) => id.as_str(),
            Self::Passport(id) => id.as_str(),
            Self::ForeignPr(id) => id.as_str(),
        }
    }

    /// The document's kind as the window names it; an organisation's code has none.
    pub fn id_type(&self) -> Option<IdType> {
        match self {
            Self::Resident(_) => Some(IdType::Resident),
            Self::Organisation(_) => None,
            Self::Hmt(_) => Some(IdType::Hmt),
            Self::Passport(_) => Some(IdType::Passport),
            Self::ForeignPr(_) => Some(IdType::ForeignPr),
        }
    }

    /// What the number is called on paper and screen.
    pub fn label_zh(&self) -> &'static str {
        self.id_type().map_or("统一社会信用代码", IdType::label_zh)
    }

    /// A resident's number masked; an organisation's code is public and shown whole.
    pub fn masked(&self) -> String {
        match self {
            Self::Resident(id) => id.masked(),
            Self::Organisation(code) => code.as_str().to_string(),
            // Permits and passports as lists show them: one rule for every screen.
            other => crate::identity::masked_id_text(other.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub name: String,
    pub id: ApplicantId,
    pub phone: Option<Mobile>,
    pub address: Option<String>,
    /// Who applied for them, if someone did (代办); left out when no one did, so what was
    /// registered before agents existed reads and signs the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<crate::agent::Agent>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialStatus {
    Received,
    Missing,
    /// Still missing, but the case was accepted on the applicant's recorded commitment to bring
    /// it by a deadline (容缺受理); no approval until it arrives.
    Deferred,
    /// Not brought: the applicant's signed commitment stands in for it (告知承诺制), and the
    /// organ checks it after acceptance.
    Committed,
    /// Still not in hand, but the organ's check found the commitment true.
    Verified,
}

impl MaterialStatus {
    /// Whether the material holds up the decision: missing or deferred; a commitment (checked
    /// or not) stands in for it.
    pub fn outstanding(self) -> bool {
        matches!(self, Self::Missing | Self::Deferred)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialState {
    pub code: String,
    pub name: String,
    pub status: MaterialStatus,
    /// Scanned pages proving it, in the order they were attached.
    #[serde(default)]
    pub pages: Vec<crate::PageRef>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    #[default]
    Registered,
    SupplementRequested,
    Supplemented,
    Accepted,
    UnderReview,
    Approved,
    Rejected,
    Completed,
    Withdrawn,
    /// 不予受理: the application was refused at intake (《行政许可法》第三十二条).
    IntakeRefused,
    /// 中止: a site check, an assessment or a 公示 is under way; the clock stands still
    /// (《行政许可法》第四十五条).
    Suspended,
    /// 终止办理: the organ ended the procedure, with its reason.
    Terminated,
    /// 上报: with the county organ that decides it; the clock runs on.
    Forwarded,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 13] = [
        Self::Registered,
        Self::SupplementRequested,
        Self::Supplemented,
        Self::Accepted,
        Self::UnderReview,
        Self::Approved,
        Self::Rejected,
        Self::Completed,
        Self::Withdrawn,
        Self::IntakeRefused,
        Self::Suspended,
        Self::Terminated,
        Self::Forwarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::SupplementRequested => "supplement_requested",
            Self::Supplemented => "supplemented",
            Self::Accepted => "accepted",
            Self::UnderReview => "under_review",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Completed => "completed",
            Self::Withdrawn => "withdrawn",
            Self::IntakeRefused => "intake_refused",
            Self::Suspended => "suspended",
            Self::Terminated => "terminated",
            Self::Forwarded => "forwarded",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Registered => "已登记",
            Self::SupplementRequested => "待补正",
            Self::Supplemented => "已补正",
            Self::Accepted => "已受理",
            Self::UnderReview => "审核中",
            Self::Approved => "已批准",
            Self::Rejected => "不予批准",
            Self::Completed => "已办结",
            Self::Withdrawn => "已撤回",
            Self::IntakeRefused => "不予受理",
            Self::Suspended => "中止办理",
            Self::Terminated => "终止办理",
            Self::Forwarded => "已上报县级",
        }
    }
}

impl FromStr for CaseStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        serde_json::from_value(serde_json::Value::String(s.to_string()))
            .map_err(|_| format!("unknown case status {s:?} / 未知的办件状态“{s}”"))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Registered,
    FieldChanged,
    Returned,
    Supplemented,
    Accepted,
    HandedOver,
    Approved,
    Rejected,
    Completed,
    Withdrawn,
    Reassigned,
    Resolved,
    IntakeRefused,
    /// A supervisor's correction (更正) of an applicant fact after acceptance, with its reason.
    Corrected,
    /// The time limit extended once (延期), by `days`, with the reason told to the applicant.
    Extended,
    /// 中止 and its end: the clock stops for a site check, an assessment or a 公示.
    Suspended,
    Resumed,
    /// 终止办理 by the organ, with its reason.
    Terminated,
    /// 送达: the decision reached the applicant (method, recipient, proof in `delivery`).
    Delivered,
    /// 上报: the township reported the case up to the county organ, and the county's sending
    /// it back.
    Forwarded,
    SentBack,
    /// 告知承诺: the applicant's signed commitment stands in for the materials named, and its
    /// later check found them as committed.
    Committed,
    CommitmentChecked,
    /// The check found the commitment untrue: the material is missing again.
    CommitmentBroken,
    /// A step of the assistance procedure (`step`, with the 公示's details in `publicity`).
    StepRecorded,
    /// Scanned pages attached to a material (named in `missing`).
    PagesAttached,
    /// 有条件共享: a supervisor's grant of named resources to one department (`grant`).
    SharingGranted,
    /// 好差评: the applicant's rating, written by the hub from the query page (`rating`; for a
    /// 差评, `due` is the last day to rectify).
    Rated,
    /// A supervisor closed a 差评's rectification (`rectification`).
    Rectified,
    /// Written by a newer version of the desk; kept and shown, never dropped.
    #[serde(other)]
    #[default]
    Other,
}

impl EventKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::FieldChanged => "field_changed",
            Self::Returned => "returned",
            Self::Supplemented => "supplemented",
            Self::Accepted => "accepted",
            Self::HandedOver => "handed_over",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Completed => "completed",
            Self::Withdrawn => "withdrawn",
            Self::Reassigned => "reassigned",
            Self::Resolved => "resolved",
            Self::IntakeRefused => "intake_refused",
            Self::Corrected => "corrected",
            Self::Extended => "extended",
            Self::Suspended => "suspended",
            Self::Resumed => "resumed",
            Self::Terminated => "terminated",
            Self::Delivered => "delivered",
            Self::Forwarded => "forwarded",
            Self::SentBack => "sent_back",
            Self::Committed => "committed",
            Self::CommitmentChecked => "commitment_checked",
            Self::CommitmentBroken => "commitment_broken",
            Self::StepRecorded => "step_recorded",
            Self::PagesAttached => "pages_attached",
            Self::SharingGranted => "sharing_granted",
            Self::Rated => "rated",
            Self::Rectified => "rectified",
            Self::Other => "other",
        }
    }
}

/// A decision's seal: the document heads it was taken on, signed with the device key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionSeal {
    pub heads: Vec<String>,
    pub signature: String,
}

/// One line of a case's timeline. Carries no personal data: which field changed, not its value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// The same on every replica (the document's id for the event); empty before it is stored.
    #[serde(default)]
    pub id: String,
    pub at_ms: i64,
    pub kind: EventKind,
    pub by: String,
    pub device: String,
    pub detail: String,
    /// For workflow moves: the state the author saw and the state the move leads to.
    #[serde(default)]
    pub from: Option<CaseStatus>,
    #[serde(default)]
    pub to: Option<CaseStatus>,
    #[serde(default)]
    pub reason: Option<String>,
    /// Materials named in a one-time notice, brought in with a supplement, or given pages.
    #[serde(default)]
    pub missing: Vec<String>,
    #[serde(default)]
    pub assignee: Option<String>,
    /// Conflict options a resolution settles.
    #[serde(default)]
    pub resolves: Vec<String>,
    /// For an acceptance with deferred materials: the date (YYYY-MM-DD) the applicant committed
    /// to bring them by.
    #[serde(default)]
    pub due: Option<String>,
    /// For a refusal at intake: its ground ([`crate::workflow::RefusalGround`]) and the organ
    /// the applicant is referred to.
    #[serde(default)]
    pub ground: Option<crate::workflow::RefusalGround>,
    #[serde(default)]
    pub refer_to: Option<String>,
    /// For an extension: the working days it adds to the promised date.
    #[serde(default)]
    pub days: Option<u16>,
    /// For a delivery: how, to whom, with which tracking number or address.
    #[serde(default)]
    pub delivery: Option<crate::delivery::Delivery>,
    /// For pages attached to a paper rather than a material: which paper.
    #[serde(default)]
    pub paper: Option<crate::paper::PaperKind>,
    /// For a step of the assistance procedure: which, and for a 公示 what it posts.
    #[serde(default)]
    pub step: Option<crate::assistance::StepKind>,
    #[serde(default)]
    pub publicity: Option<crate::assistance::Publicity>,
    /// For a home visit: the household's members it found.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<crate::assistance::Member>,
    /// For a grant to a department: to whom, what, until when, how many times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<crate::sharing::GrantTerms>,
    /// For a rating (好差评): the level, and a 差评's reason and comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<crate::rating::Rating>,
    /// For a 差评's rectification: the follow-up and what was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectification: Option<crate::rating::Rectification>,
    #[serde(default)]
    pub seal: Option<DecisionSeal>,
    /// The author's own signature (their person key) over the event and the case state it was
    /// written on: the device's seal says which desk, this says which person.
    #[serde(default)]
    pub person_signature: Option<String>,
}

impl CaseEvent {
    /// What this event makes of the materials it names: a supplement brings them, a 容缺
    /// acceptance defers them. Nothing else changes a material's status.
    pub fn material_effect(&self) -> Option<MaterialStatus> {
        match self.kind {
            _ if self.missing.is_empty() => None,
            EventKind::Supplemented => Some(MaterialStatus::Received),
            EventKind::Accepted => Some(MaterialStatus::Deferred),
            EventKind::Committed => Some(MaterialStatus::Committed),
            EventKind::CommitmentChecked => Some(MaterialStatus::Verified),
            EventKind::CommitmentBroken => Some(MaterialStatus::Missing),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub number: CaseNumber,
    pub township: TownshipCode,
    pub item_code: String,
    pub item_name: String,
    pub promised_days: u16,
    /// The catalogue version the case was registered under; its rules and documents follow it.
    #[serde(default = "first_catalogue")]
    pub catalogue_version: u32,
    /// The hash of the citizen's query code ([`crate::query::QueryCode::hash`]); the code itself
    /// stays on the registering desk. `None` for cases registered before codes were random.
    #[serde(default)]
    pub query_hash: Option<String>,
    pub applicant: Applicant,
    pub materials: Vec<MaterialState>,
    /// Signed papers scanned during the procedure (a withdrawal request, a delivery receipt).
    #[serde(default)]
    pub papers: Vec<crate::paper::Paper>,
    /// Folded from the events; never stored on its own.
    pub status: CaseStatus,
    pub clerk: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub events: Vec<CaseEvent>,
    /// Folded from the events: who the case was last reassigned to.
    #[serde(default)]
    pub assignee: Option<String>,
    /// Folded from the events: competing moves waiting for a supervisor.
    #[serde(default)]
    pub conflict: Option<crate::workflow::Conflict>,
    /// Folded from the events: when the acceptance that counts was made; deadlines run from it.
    #[serde(default)]
    pub accepted_at_ms: Option<i64>,
    /// Folded: while materials are deferred, the date the applicant committed to bring them by.
    #[serde(default)]
    pub materials_due: Option<String>,
}

/// Cases registered before catalogues carried versions were registered under the first.
pub const fn first_catalogue() -> u32 {
    1
}

impl Case {
    /// The registering user or the current assignee: whose case it is.
    pub fn belongs_to(&self, user: &str) -> bool {
        self.clerk == user || self.assignee.as_deref() == Some(user)
    }

    /// The scanned pages of one paper.
    pub fn paper(&self, kind: crate::paper::PaperKind) -> &[crate::PageRef] {
        self.papers
            .iter()
            .find(|p| p.kind == kind)
            .map_or(&[], |p| p.pages.as_slice())
    }

    /// Every page the case refers to, materials then papers: (the material or paper's code,
    /// its place in that order, the page).
    pub fn all_pages(&self) -> impl Iterator<Item = (&str, usize, &crate::PageRef)> {
        let materials = self
            .materials
            .iter()
            .map(|m| (m.code.as_str(), m.pages.as_slice()));
        let papers = self
            .papers
            .iter()
            .map(|p| (p.kind.as_str(), p.pages.as_slice()));
        materials
            .chain(papers)
            .enumerate()
            .flat_map(|(i, (code, pages))| pages.iter().map(move |p| (code, i, p)))
    }

    /// How the result reached the applicant, and when: the delivery on the timeline, if any.
    pub fn delivered(&self) -> Option<(i64, &crate::delivery::Delivery)> {
        self.events
            .iter()
            .filter(|e| e.kind == EventKind::Delivered)
            .find_map(|e| Some((e.at_ms, e.delivery.as_ref()?)))
    }

    /// Recomputes the folded fields after the events changed.
    pub fn refold(&mut self) {
        let progress = crate::workflow::fold(&self.events);
        self.status = progress.status;
        self.assignee = progress.assignee;
        self.conflict = progress.conflict;
        self.accepted_at_ms = progress.accepted_at_ms;
        self.materials_due = progress.materials_due.filter(|_| {
            self.materials
                .iter()
                .any(|m| m.status == MaterialStatus::Deferred)
        });
    }
}
