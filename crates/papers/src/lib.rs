//! The papers of a case — receipt, acceptance, one-time notice, refusal, clock notices, 公示 and
//! decision — assembled from the case and what surrounds it (the catalogue, the calendar, the
//! decisions' seals), checked against the case before anything is drawn. A desk prints them; the
//! hub and the desks render them as PDF/A for the archives. Storage is the caller's: it hands
//! over a [`PaperContext`].

#![forbid(unsafe_code)]

use automerge::AutoCommit;
use std::str::FromStr;
use time::Date;
use tongban_domain::calendar::china_date;
use tongban_domain::text;
use tongban_domain::workflow;
use tongban_domain::{Case, CaseEvent, CaseStatus, Catalogues, DecisionSeal, EventKind};
use tongban_domain::{Text, WorkCalendar};
use tongban_print::{Paper, PrintError};
use tongban_sync::decision;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// 收件凭证, printed at registration.
    Intake,
    /// 受理通知书, once accepted or deemed accepted.
    Acceptance,
    Notice,
    Refusal,
    Suspension,
    Extension,
    Decision,
    /// 公示: the household posted in its village (低保, 特困), without ID numbers.
    Publicity,
}

impl DocKind {
    pub const ALL: [DocKind; 8] = [
        Self::Intake,
        Self::Acceptance,
        Self::Notice,
        Self::Refusal,
        Self::Suspension,
        Self::Extension,
        Self::Publicity,
        Self::Decision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Intake => "intake",
            Self::Acceptance => "acceptance",
            Self::Notice => "notice",
            Self::Refusal => "refusal",
            Self::Suspension => "suspension",
            Self::Extension => "extension",
            Self::Decision => "decision",
            Self::Publicity => "publicity",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Intake => "收件凭证",
            Self::Acceptance => "受理通知书",
            Self::Notice => "一次性告知书",
            Self::Refusal => "不予受理决定书",
            Self::Suspension => "中止办理告知书",
            Self::Extension => "延长办理期限告知书",
            Self::Decision => "决定书",
            Self::Publicity => "公示",
        }
    }
}

impl FromStr for DocKind {
    type Err = Text;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            // The receipt's earlier name still prints it.
            "intake" | "receipt" => Ok(Self::Intake),
            "acceptance" => Ok(Self::Acceptance),
            "notice" => Ok(Self::Notice),
            "refusal" => Ok(Self::Refusal),
            "suspension" => Ok(Self::Suspension),
            "extension" => Ok(Self::Extension),
            "decision" => Ok(Self::Decision),
            "publicity" => Ok(Self::Publicity),
            other => Err(text!(
                "unknown document {other:?}: use intake, acceptance, notice, refusal, suspension, extension, decision or publicity",
                "未知的文书“{other}”：可选 intake（收件凭证）、acceptance（受理通知书）、notice（一次性告知书）、refusal（不予受理决定书）、suspension（中止办理告知书）、extension（延长办理期限告知书）、decision（决定书）、publicity（公示）"
            )),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum PaperError {
    /// The case has no such paper (never returned, not decided…).
    NotApplicable(Text),
    /// The state a decision was sealed on is not in the case's document.
    Corrupt(String),
    Print(#[from] PrintError),
}

impl tongban_domain::l10n::Localized for PaperError {
    fn text(&self) -> Text {
        match self {
            Self::NotApplicable(text) => text.clone(),
            Self::Corrupt(detail) => text!(
                "the case's document is damaged: {detail}",
                "办件文档已损坏：{detail}"
            ),
            Self::Print(e) => e.text(),
        }
    }
}

/// What a paper is assembled from besides the case.
pub struct PaperContext<'a> {
    pub township_name: &'a str,
    pub catalogues: &'a Catalogues,
    pub calendar: &'a WorkCalendar,
    /// The case's document: its decisions' seals are checked on it, and a decision prints the
    /// state it was sealed on.
    pub doc: Option<AutoCommit>,
    /// A device's public key (hex), to check the seals it made.
    pub device_key: &'a dyn Fn(&str) -> Option<String>,
    /// The query code printed on the receipt; none on a reprint elsewhere and in the archives.
    pub query: Option<String>,
    /// The hub's query page for that code, which the receipt's QR code carries.
    pub query_url: Option<String>,
}

impl PaperContext<'_> {
    fn seal_verified(&mut self, case: &Case, event: &CaseEvent) -> bool {
        let (Some(key), Some(doc)) = ((self.device_key)(&event.device), self.doc.as_mut()) else {
            return false;
        };
        decision::verify(doc, case.number.as_str(), event, &key).is_ok()
    }

    /// The case as its decision's seal recorded it: a decision prints what was decided, even
    /// after a later correction.
    fn sealed_case(&mut self, number: &str, seal: &DecisionSeal) -> Result<Case, PaperError> {
        self.doc
            .as_mut()
            .and_then(|doc| decision::sealed_case(doc, seal))
            .ok_or_else(|| {
                PaperError::Corrupt(format!(
                    "case {number}: the state its decision was sealed on is not in the document"
                ))
            })
    }
}

/// The organ a case's papers speak for: the item's deciding organ, or the township's government.
pub fn deciding_organ(ctx: &PaperContext<'_>, case: &Case) -> String {
    let township = ctx.township_name;
    ctx.catalogues.item_of(case).map_or_else(
        || format!("{township}人民政府"),
        |item| item.deciding_organ(township),
    )
}

/// Assembles `kind` of `case`, dated `today`; refused when the case has no such paper.
pub fn paper(
    ctx: &mut PaperContext<'_>,
    case: Case,
    kind: DocKind,
    reprint: bool,
    today: Date,
) -> Result<Paper, PaperError> {
    let number = case.number.as_str().to_string();
    let number = number.as_str();
    let township = ctx.township_name.to_string();
    let paper = match kind {
        DocKind::Intake => tongban_print::receipt(&tongban_print::Receipt {
            case: &case,
            township: &township,
            printed: today,
            // The archives keep no query code: it opens the case to whoever holds it.
            query: ctx.query.as_deref(),
            query_url: ctx.query_url.as_deref(),
            reprint,
        }),
        DocKind::Acceptance => {
            let calendar = ctx.calendar;
            let deemed = tongban_domain::clock::deemed_accepted(&case, calendar, today);
            let accepted = match case.accepted_at_ms {
                _ if deemed => Some(china_date(case.created_at_ms)),
                Some(at) => Some(china_date(at)),
                None => None,
            };
            let Some(accepted) = accepted else {
                let (status, status_zh) = (case.status.as_str(), case.status.label_zh());
                return Err(PaperError::NotApplicable(text!(
                    "case {number} is not accepted (it is {status}), so it has no acceptance notice",
                    "办件{number}尚未受理（当前：{status_zh}），没有受理通知书"
                )));
            };
            let organ = deciding_organ(ctx, &case);
            tongban_print::acceptance(&tongban_print::Acceptance {
                case: &case,
                township: &township,
                number: case.number.document_number(&organ, "受", accepted.year()),
                organ: &organ,
                accepted,
                deemed,
                promised: workflow::deadline(&case, calendar),
                provisional: tongban_domain::clock::provisional(&case, calendar),
                reprint,
            })
        }
        DocKind::Notice => {
            let notice = last_notice(&case)?;
            let item = ctx.catalogues.item_of(&case).cloned();
            let missing = notice
                .missing
                .iter()
                .map(|code| {
                    let spec = item.as_ref().and_then(|i| i.material(code).cloned());
                    let name = case
                        .materials
                        .iter()
                        .find(|m| &m.code == code)
                        .map_or_else(|| code.clone(), |m| m.name.clone());
                    (name, spec.map(|s| s.requirement).unwrap_or_default())
                })
                .collect();
            tongban_print::notice(&tongban_print::Notice {
                case: &case,
                township: &township,
                missing,
                reason: notice.reason.clone(),
                clerk: notice.by.clone(),
                date: china_date(notice.at_ms),
                due: notice
                    .due
                    .as_deref()
                    .and_then(tongban_domain::calendar::parse_date),
                licence: item
                    .as_ref()
                    .is_some_and(|i| i.kind == tongban_domain::ItemKind::Licence),
                reprint,
            })
        }
        DocKind::Refusal => {
            let event = case
                .events
                .iter()
                .rev()
                .find(|e| e.kind == EventKind::IntakeRefused)
                .filter(|e| e.seal.is_some() && ctx.seal_verified(&case, e));
            let (Some(event), Some(seal)) = (event, event.and_then(|e| e.seal.as_ref())) else {
                return Err(PaperError::NotApplicable(text!(
                    "case {number} was not refused at intake under a valid seal",
                    "办件{number}没有经有效签章的不予受理决定"
                )));
            };
            let catalogues = ctx.catalogues;
            let item = catalogues.item_of(&case);
            let organ = deciding_organ(ctx, &case);
            let sealed = ctx.sealed_case(number, seal)?;
            let year = china_date(event.at_ms).year();
            tongban_print::intake_refusal(&tongban_print::IntakeRefusal {
                case: &sealed,
                number: case.number.document_number(&organ, "不受", year),
                township: &township,
                organ: &organ,
                ground: event.ground.map_or("", |g| g.label_zh()),
                reason: event.reason.as_deref().unwrap_or(""),
                refer_to: event.refer_to.as_deref(),
                basis: item.map(|i| i.intake_basis()).unwrap_or_default(),
                appeal: catalogues
                    .version(case.catalogue_version)
                    .and_then(|c| c.county.as_ref()),
                decided_by: &event.by,
                date: china_date(event.at_ms),
                fingerprint: decision::fingerprint(seal),
                reprint,
            })
        }
        DocKind::Suspension | DocKind::Extension => {
            let wanted = if kind == DocKind::Suspension {
                EventKind::Suspended
            } else {
                EventKind::Extended
            };
            let Some(event) = case.events.iter().rev().find(|e| e.kind == wanted) else {
                let label_zh = kind.label_zh();
                let what = if kind == DocKind::Suspension {
                    "was never suspended, so it has no suspension notice"
                } else {
                    "was never extended, so it has no extension notice"
                };
                return Err(PaperError::NotApplicable(text!(
                    "case {number} {what}",
                    "办件{number}没有{label_zh}"
                )));
            };
            let change = match event.days {
                Some(days) if kind == DocKind::Extension => {
                    tongban_print::ClockChange::Extension { days }
                }
                _ => tongban_print::ClockChange::Suspension,
            };
            let catalogues = ctx.catalogues;
            let item = catalogues.item_of(&case);
            let organ = deciding_organ(ctx, &case);
            let extension = kind == DocKind::Extension;
            // While suspended the promise is not yet known: it moves with every day.
            let deadline = Some(workflow::deadline(&case, ctx.calendar))
                .flatten()
                .filter(|_| case.status != CaseStatus::Suspended);
            let mark = if extension { "延" } else { "中" };
            let year = china_date(event.at_ms).year();
            tongban_print::clock_notice(&tongban_print::ClockNotice {
                case: &case,
                number: case.number.document_number(&organ, mark, year),
                township: &township,
                organ: &organ,
                change,
                reason: event.reason.as_deref().unwrap_or(""),
                by: &event.by,
                date: china_date(event.at_ms),
                deadline,
                basis: item.map(|i| i.clock_basis(extension)).unwrap_or_default(),
                reprint,
            })
        }
        DocKind::Publicity => {
            let posted = tongban_domain::assistance::publicity(&case);
            let days = posted.and_then(|p| Some((p, p.first_day()?, p.last_day()?)));
            let Some((posted, first_day, last_day)) = days else {
                return Err(PaperError::NotApplicable(text!(
                    "case {number} has no 公示 recorded (tongban case step --step publicity)",
                    "办件{number}尚未记录公示"
                )));
            };
            tongban_print::publicity_list(&tongban_print::PublicityList {
                case: &case,
                township: &township,
                organ: &deciding_organ(ctx, &case),
                first_day,
                last_day,
                household: posted.household,
                monthly_yuan: posted.monthly_yuan,
                reprint,
            })
        }
        DocKind::Decision => {
            let (approved, event) = final_decision(&case)?;
            let seal = event.seal.as_ref().filter(|_| {
                // A decision whose seal does not verify is not printed as one.
                ctx.seal_verified(&case, event)
            });
            let Some(seal) = seal else {
                return Err(PaperError::NotApplicable(text!(
                    "the decision on case {number} carries no valid seal; it cannot be printed",
                    "办件{number}的决定没有有效签章，不能打印决定书"
                )));
            };
            let sealed = ctx.sealed_case(number, seal)?;
            let catalogues = ctx.catalogues;
            let item = catalogues.item_of(&case);
            let organ = deciding_organ(ctx, &case);
            let date = china_date(event.at_ms);
            tongban_print::decision(&tongban_print::Decision {
                case: &sealed,
                organ: &organ,
                number: case.number.document_number(&organ, "决", date.year()),
                kind: item.map(|i| i.kind).unwrap_or_default(),
                basis: item.map(|i| i.legal_basis.clone()).unwrap_or_default(),
                appeal: catalogues
                    .version(case.catalogue_version)
                    .and_then(|c| c.county.as_ref()),
                township: &township,
                approved,
                reason: event.reason.clone(),
                supervisors: deciders(&case, approved, event),
                // A benefit granted pays the amount its 公示 proposed from the next month.
                benefit: tongban_domain::assistance::publicity(&sealed)
                    .filter(|_| item.is_some_and(|i| i.kind == tongban_domain::ItemKind::Benefit))
                    .map(|p| (p.monthly_yuan, next_month(date))),
                household: tongban_domain::assistance::household(&sealed),
                date,
                fingerprint: decision::fingerprint(seal),
                reprint,
            })
        }
    };
    paper.map_err(PaperError::Print)
}

/// The first day of the month after `date`.
fn next_month(date: time::Date) -> time::Date {
    let (year, month) = match date.month() {
        time::Month::December => (date.year() + 1, time::Month::January),
        m => (date.year(), m.next()),
    };
    time::Date::from_calendar_date(year, month, 1).unwrap_or(date)
}

fn last_notice(case: &Case) -> Result<&CaseEvent, PaperError> {
    case.events
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::Returned)
        .ok_or_else(|| {
            let number = &case.number;
            PaperError::NotApplicable(text!(
                "case {number} was never returned for missing materials, so it has no one-time notice",
                "办件{number}未退回补正，没有一次性告知书"
            ))
        })
}

/// The outcome and the sealed event that settled it.
fn final_decision(case: &Case) -> Result<(bool, &CaseEvent), PaperError> {
    let outcome = match case.status {
        CaseStatus::Approved | CaseStatus::Rejected => Some(case.status),
        CaseStatus::Completed => case
            .events
            .iter()
            .rev()
            .filter_map(|e| e.to)
            .find(|s| matches!(s, CaseStatus::Approved | CaseStatus::Rejected)),
        _ => None,
    };
    let event = outcome.and_then(|outcome| {
        case.events
            .iter()
            .rev()
            .find(|e| e.to == Some(outcome) && e.seal.is_some())
    });
    match (outcome, event) {
        (Some(outcome), Some(event)) => Ok((outcome == CaseStatus::Approved, event)),
        _ => {
            let (number, status, status_zh) =
                (&case.number, case.status.as_str(), case.status.label_zh());
            Err(PaperError::NotApplicable(text!(
                "case {number} has no decision yet (it is {status})",
                "办件{number}尚未作出决定（当前：{status_zh}）"
            )))
        }
    }
}

/// Every supervisor who approved, in order, for an approval; the one who decided otherwise.
fn deciders(case: &Case, approved: bool, decisive: &CaseEvent) -> Vec<String> {
    if !approved {
        return vec![decisive.by.clone()];
    }
    let mut names: Vec<String> = Vec::new();
    for e in &case.events {
        let approving = e.kind == EventKind::Approved
            || (e.kind == EventKind::Resolved && e.to == Some(CaseStatus::Approved));
        if approving && !names.contains(&e.by) {
            names.push(e.by.clone());
        }
    }
    names
}
