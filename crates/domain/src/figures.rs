//! Supervision figures (流程监控与评估: 办结率, 按时办结率, 超期率, 一次办结率, 即办件): each defined
//! once, here, and computed from the signed event record of each case, never from a counter
//! kept beside it, so the desk and the hub give the same numbers. The README's "Figures"
//! section says the same in words.
//!
//! A case belongs to a period by the day it was received (收件). Its state is read as of the
//! report's last day (or today, if earlier): later events are left out, so a month's report
//! says the same whenever it is made.

use crate::calendar::{WorkCalendar, china_date};
use crate::case::{Case, CaseEvent, CaseStatus, EventKind};
use crate::clock::{self, Clocked};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use time::Date;

/// What the figures read of one case: where it belongs, and its events stripped to kind, time,
/// author and move (no applicant, no reasons), so a hub can keep it beside the sealed document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub number: String,
    pub township: String,
    pub item_code: String,
    pub item_name: String,
    /// Who received the application (收件人).
    pub clerk: String,
    pub created_at_ms: i64,
    #[serde(default)]
    pub accepted_at_ms: Option<i64>,
    pub status: CaseStatus,
    pub promised_days: u16,
    /// Kept as what the figures read of each event: its time, kind, move and days.
    #[serde(with = "compact")]
    pub events: Vec<CaseEvent>,
}

/// A case's facts are read a million at a time at the hub: each event is kept as
/// `{"t": at_ms, "k": kind, "s": to, "d": days}`, a rating as its level `r` and last day to
/// rectify `u`, the rest of it left out.
mod compact {
    use crate::case::{CaseEvent, CaseStatus, EventKind};
    use crate::rating::{Rating, Satisfaction};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Event {
        t: i64,
        k: EventKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        s: Option<CaseStatus>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        d: Option<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        r: Option<Satisfaction>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        u: Option<String>,
    }

    pub fn serialize<S: Serializer>(events: &[CaseEvent], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(events.iter().map(|e| Event {
            t: e.at_ms,
            k: e.kind.clone(),
            s: e.to,
            d: e.days,
            r: e.rating.as_ref().map(|r| r.level),
            u: e.due.clone(),
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<CaseEvent>, D::Error> {
        Ok(Vec::<Event>::deserialize(d)?
            .into_iter()
            .map(|e| CaseEvent {
                at_ms: e.t,
                kind: e.k,
                to: e.s,
                days: e.d,
                rating: e.r.map(|level| Rating {
                    level,
                    reason: None,
                    comment: None,
                }),
                due: e.u,
                ..CaseEvent::default()
            })
            .collect())
    }
}

/// The events a figure or the legal clock reads.
fn counts(kind: &EventKind) -> bool {
    use EventKind::*;
    matches!(
        kind,
        Returned
            | Supplemented
            | Accepted
            | Approved
            | Rejected
            | Completed
            | Withdrawn
            | Terminated
            | IntakeRefused
            | Extended
            | Suspended
            | Resumed
            | Forwarded
            | SentBack
            | Rated
            | Rectified
    )
}

impl CaseFacts {
    pub fn of(case: &Case) -> Self {
        Self {
            number: case.number.as_str().to_owned(),
            // The number's township: the one the hub checked the case against.
            township: case.number.township().to_owned(),
            item_code: case.item_code.clone(),
            item_name: case.item_name.clone(),
            clerk: case.clerk.clone(),
            created_at_ms: case.created_at_ms,
            accepted_at_ms: case.accepted_at_ms,
            status: case.status,
            promised_days: case.promised_days,
            events: case
                .events
                .iter()
                .filter(|e| counts(&e.kind))
                .map(|e| CaseEvent {
                    at_ms: e.at_ms,
                    kind: e.kind.clone(),
                    to: e.to,
                    days: e.days,
                    // A rating's level and last day; never what the applicant wrote.
                    rating: e.rating.as_ref().map(|r| crate::rating::Rating {
                        level: r.level,
                        reason: None,
                        comment: None,
                    }),
                    due: e.due.clone().filter(|_| e.kind == EventKind::Rated),
                    ..CaseEvent::default()
                })
                .collect(),
        }
    }

    /// The case as it stood at the end of `day`: later events left out.
    pub fn as_of(&self, day: Date) -> Cow<'_, Self> {
        if self.events.iter().all(|e| china_date(e.at_ms) <= day) {
            return Cow::Borrowed(self);
        }
        let events: Vec<CaseEvent> = self
            .events
            .iter()
            .filter(|e| china_date(e.at_ms) <= day)
            .cloned()
            .collect();
        let status = events
            .iter()
            .rev()
            .find_map(|e| e.to)
            .unwrap_or(CaseStatus::Registered);
        Cow::Owned(Self {
            accepted_at_ms: self.accepted_at_ms.filter(|at| china_date(*at) <= day),
            status,
            events,
            ..self.clone()
        })
    }

    fn received(&self) -> Date {
        china_date(self.created_at_ms)
    }
}

impl Clocked for CaseFacts {
    fn created_at_ms(&self) -> i64 {
        self.created_at_ms
    }
    fn accepted_at_ms(&self) -> Option<i64> {
        self.accepted_at_ms
    }
    fn status(&self) -> CaseStatus {
        self.status
    }
    fn promised_days(&self) -> u16 {
        self.promised_days
    }
    fn events(&self) -> &[CaseEvent] {
        &self.events
    }
}

/// A figure a user can open to the cases behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// 收件: received in the period.
    Received,
    /// 受理: accepted, or accepted by law for want of a notice in time.
    Accepted,
    /// 办结: decided (准予 or 不予) by the report's day.
    Decided,
    /// 按时办结: decided on or before its promised date.
    DecidedOnTime,
    /// 超期: decided after its promised date, or still open with the date passed.
    Overdue,
    /// The open part of `Overdue`.
    OverdueOpen,
    /// 一次办结: decided without a one-time notice for materials.
    FirstTime,
    /// 即办件: decided on the day it was received.
    OnTheSpot,
    /// 补正: returned once for missing materials.
    Returned,
    Withdrawn,
    Terminated,
    IntakeRefused,
    /// 评价: rated by the applicant (好差评).
    Rated,
    /// 好评: rated 非常满意, 满意 or 基本满意.
    Good,
    /// 差评: rated 不满意 or 非常不满意.
    Bad,
    /// 差评 to have been rectified by the report's day: rectified, or past its last day.
    RectificationDue,
    /// 差评 rectified on or before its last day.
    RectifiedOnTime,
}

impl Measure {
    pub const ALL: [Measure; 17] = [
        Self::Received,
        Self::Accepted,
        Self::Decided,
        Self::DecidedOnTime,
        Self::Overdue,
        Self::OverdueOpen,
        Self::FirstTime,
        Self::OnTheSpot,
        Self::Returned,
        Self::Withdrawn,
        Self::Terminated,
        Self::IntakeRefused,
        Self::Rated,
        Self::Good,
        Self::Bad,
        Self::RectificationDue,
        Self::RectifiedOnTime,
    ];

    /// From its snake_case name, as the command lines and the window give it.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::from(text.trim())).ok()
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Received => "收件",
            Self::Accepted => "受理",
            Self::Decided => "办结",
            Self::DecidedOnTime => "按时办结",
            Self::Overdue => "超期",
            Self::OverdueOpen => "在办超期",
            Self::FirstTime => "一次办结",
            Self::OnTheSpot => "即办件",
            Self::Returned => "补正",
            Self::Withdrawn => "撤回",
            Self::Terminated => "终止",
            Self::IntakeRefused => "不予受理",
            Self::Rated => "评价",
            Self::Good => "好评",
            Self::Bad => "差评",
            Self::RectificationDue => "差评应整改",
            Self::RectifiedOnTime => "差评按期整改",
        }
    }
}

/// What one case contributes, as of a day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Outcome {
    accepted: bool,
    decided: bool,
    on_time: bool,
    overdue: bool,
    overdue_open: bool,
    first_time: bool,
    on_the_spot: bool,
    returned: bool,
    withdrawn: bool,
    terminated: bool,
    intake_refused: bool,
    rated: bool,
    good: bool,
    bad: bool,
    rectification_due: bool,
    rectified_on_time: bool,
    /// Working days from receipt to decision, less 补正 and 中止.
    processing_days: Option<i64>,
}

impl Outcome {
    fn has(&self, measure: Measure) -> bool {
        match measure {
            Measure::Received => true,
            Measure::Accepted => self.accepted,
            Measure::Decided => self.decided,
            Measure::DecidedOnTime => self.on_time,
            Measure::Overdue => self.overdue,
            Measure::OverdueOpen => self.overdue_open,
            Measure::FirstTime => self.first_time,
            Measure::OnTheSpot => self.on_the_spot,
            Measure::Returned => self.returned,
            Measure::Withdrawn => self.withdrawn,
            Measure::Terminated => self.terminated,
            Measure::IntakeRefused => self.intake_refused,
            Measure::Rated => self.rated,
            Measure::Good => self.good,
            Measure::Bad => self.bad,
            Measure::RectificationDue => self.rectification_due,
            Measure::RectifiedOnTime => self.rectified_on_time,
        }
    }
}

fn outcome(facts: &CaseFacts, calendar: &WorkCalendar, as_of: Date) -> Outcome {
    let facts = facts.as_of(as_of);
    let facts = facts.as_ref();
    let returned_at = facts
        .events
        .iter()
        .find(|e| e.kind == EventKind::Returned)
        .map(|e| china_date(e.at_ms));
    let decision = facts
        .events
        .iter()
        .find(|e| matches!(e.to, Some(CaseStatus::Approved | CaseStatus::Rejected)))
        .map(|e| china_date(e.at_ms));
    let accepted = facts.accepted_at_ms.is_some()
        || clock::deemed_accepted(facts, calendar, as_of)
        || decision.is_some();
    let deadline = clock::deadline(facts, calendar);
    let open_overdue = decision.is_none()
        && accepted
        && clock::clock_running(facts.status)
        && deadline.is_some_and(|d| d < as_of);
    let late = match (decision, deadline) {
        (Some(day), Some(deadline)) => day > deadline,
        _ => false,
    };
    let ended = |kind: EventKind| facts.events.iter().any(|e| e.kind == kind);
    let rated = facts
        .events
        .iter()
        .find(|e| e.kind == EventKind::Rated)
        .and_then(|e| Some((e.rating.as_ref()?.level, e.due.as_deref())));
    let bad = rated.is_some_and(|(level, _)| level.is_bad());
    let rectify_by = rated
        .and_then(|(_, due)| due)
        .and_then(crate::calendar::parse_date);
    let rectified = facts
        .events
        .iter()
        .find(|e| e.kind == EventKind::Rectified)
        .map(|e| china_date(e.at_ms));
    Outcome {
        accepted,
        decided: decision.is_some(),
        on_time: decision.is_some() && !late,
        overdue: late || open_overdue,
        overdue_open: open_overdue,
        first_time: decision.is_some() && returned_at.is_none(),
        on_the_spot: decision == Some(facts.received()),
        returned: returned_at.is_some(),
        withdrawn: ended(EventKind::Withdrawn),
        terminated: ended(EventKind::Terminated),
        intake_refused: ended(EventKind::IntakeRefused),
        rated: rated.is_some(),
        good: rated.is_some() && !bad,
        bad,
        rectification_due: bad && (rectified.is_some() || rectify_by.is_some_and(|d| d < as_of)),
        rectified_on_time: bad
            && matches!((rectified, rectify_by), (Some(on), Some(by)) if on <= by),
        processing_days: decision.map(|day| processing_days(facts, calendar, day)),
    }
}

/// Working days from receipt to `decided`, less the days the applicant spent supplying
/// materials after the one-time notice (to the resubmission, or the acceptance) and the days
/// suspended (中止).
fn processing_days(facts: &CaseFacts, calendar: &WorkCalendar, decided: Date) -> i64 {
    let total = calendar.working_days_between(facts.received(), decided);
    let mut supplying = 0;
    if let Some(notice) = facts.events.iter().find(|e| e.kind == EventKind::Returned) {
        let back = facts
            .events
            .iter()
            .filter(|e| e.at_ms >= notice.at_ms)
            .find(|e| matches!(e.kind, EventKind::Supplemented | EventKind::Accepted))
            .map_or(decided, |e| china_date(e.at_ms).min(decided));
        supplying = calendar.working_days_between(china_date(notice.at_ms), back);
    }
    let suspended = i64::from(clock::suspended_days(facts, calendar));
    (total - supplying - suspended).max(0)
}

/// Mean, median and 90th percentile (nearest rank) of working days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub mean: f64,
    pub median: f64,
    pub p90: i64,
}

/// The figures of one group of cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub received: u64,
    pub accepted: u64,
    pub decided: u64,
    pub decided_on_time: u64,
    pub overdue: u64,
    pub overdue_open: u64,
    pub first_time: u64,
    pub on_the_spot: u64,
    pub returned: u64,
    pub withdrawn: u64,
    pub terminated: u64,
    pub intake_refused: u64,
    #[serde(default)]
    pub rated: u64,
    #[serde(default)]
    pub good: u64,
    #[serde(default)]
    pub bad: u64,
    #[serde(default)]
    pub rectification_due: u64,
    #[serde(default)]
    pub rectified_on_time: u64,
    /// 办结率: decided ÷ accepted.
    pub completion_rate: Option<f64>,
    /// 按时办结率: decided on time ÷ decided.
    pub on_time_rate: Option<f64>,
    /// 超期率: overdue (decided late, or open past the date) ÷ accepted.
    pub overdue_rate: Option<f64>,
    /// 一次办结率: decided without a return for materials ÷ decided.
    pub first_time_rate: Option<f64>,
    /// 好评率: 好评 ÷ rated.
    #[serde(default)]
    pub good_rate: Option<f64>,
    /// 差评率: 差评 ÷ rated.
    #[serde(default)]
    pub bad_rate: Option<f64>,
    /// 差评按期整改率: rectified on time ÷ 差评 due by the report's day.
    #[serde(default)]
    pub rectified_on_time_rate: Option<f64>,
    /// Working days from receipt to decision, less 补正 and 中止, of the decided cases.
    pub processing_days: Option<Spread>,
}

impl Figures {
    pub fn count(&self, measure: Measure) -> u64 {
        match measure {
            Measure::Received => self.received,
            Measure::Accepted => self.accepted,
            Measure::Decided => self.decided,
            Measure::DecidedOnTime => self.decided_on_time,
            Measure::Overdue => self.overdue,
            Measure::OverdueOpen => self.overdue_open,
            Measure::FirstTime => self.first_time,
            Measure::OnTheSpot => self.on_the_spot,
            Measure::Returned => self.returned,
            Measure::Withdrawn => self.withdrawn,
            Measure::Terminated => self.terminated,
            Measure::IntakeRefused => self.intake_refused,
            Measure::Rated => self.rated,
            Measure::Good => self.good,
            Measure::Bad => self.bad,
            Measure::RectificationDue => self.rectification_due,
            Measure::RectifiedOnTime => self.rectified_on_time,
        }
    }
}

/// A ratio to four decimals; none of nothing.
fn rate(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 10_000.0 / whole as f64).round() / 10_000.0)
}

#[derive(Debug, Default)]
struct Tally {
    /// By measure, in the order of `Measure::ALL`.
    counts: [u64; Measure::ALL.len()],
    days: Vec<i64>,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        for measure in Measure::ALL {
            if outcome.has(measure) {
                self.counts[measure as usize] += 1;
            }
        }
        self.days.extend(outcome.processing_days);
    }

    fn figures(mut self) -> Figures {
        let n = |m: Measure| self.counts[m as usize];
        self.days.sort_unstable();
        let days = &self.days;
        let processing_days = (!days.is_empty()).then(|| {
            let len = days.len();
            let mean = days.iter().sum::<i64>() as f64 / len as f64;
            let median = if len % 2 == 1 {
                days[len / 2] as f64
            } else {
                (days[len / 2 - 1] + days[len / 2]) as f64 / 2.0
            };
            // Nearest rank: the smallest value with at least 90% of the cases at or below it.
            let rank = (len * 9).div_ceil(10).max(1);
            Spread {
                mean: (mean * 100.0).round() / 100.0,
                median,
                p90: days[rank - 1],
            }
        });
        Figures {
            received: n(Measure::Received),
            accepted: n(Measure::Accepted),
            decided: n(Measure::Decided),
            decided_on_time: n(Measure::DecidedOnTime),
            overdue: n(Measure::Overdue),
            overdue_open: n(Measure::OverdueOpen),
            first_time: n(Measure::FirstTime),
            on_the_spot: n(Measure::OnTheSpot),
            returned: n(Measure::Returned),
            withdrawn: n(Measure::Withdrawn),
            terminated: n(Measure::Terminated),
            intake_refused: n(Measure::IntakeRefused),
            rated: n(Measure::Rated),
            good: n(Measure::Good),
            bad: n(Measure::Bad),
            rectification_due: n(Measure::RectificationDue),
            rectified_on_time: n(Measure::RectifiedOnTime),
            completion_rate: rate(n(Measure::Decided), n(Measure::Accepted)),
            on_time_rate: rate(n(Measure::DecidedOnTime), n(Measure::Decided)),
            overdue_rate: rate(n(Measure::Overdue), n(Measure::Accepted)),
            first_time_rate: rate(n(Measure::FirstTime), n(Measure::Decided)),
            good_rate: rate(n(Measure::Good), n(Measure::Rated)),
            bad_rate: rate(n(Measure::Bad), n(Measure::Rated)),
            rectified_on_time_rate: rate(n(Measure::RectifiedOnTime), n(Measure::RectificationDue)),
            processing_days,
        }
    }
}

#[path = "figures_report.rs"]
mod report;
pub use report::{Group, GroupBy, Query, RedCase, Report, ReportError, cases_behind, red_cases};

#[cfg(test)]
#[path = "figures_tests.rs"]
mod tests;
