//! The legal clock of a case. The promised working days run from acceptance; but an
//! application the window neither accepted nor answered with a one-time notice within five
//! working days counts as accepted on the day it was received (《行政许可法》第三十二条第一款第
//! 四项), and its clock runs from then, whatever the window does later.

use crate::calendar::{WorkCalendar, china_date};
use crate::case::{Case, CaseEvent, CaseStatus, EventKind};
use time::Date;

/// What the legal clock reads of a case: the whole case on a desk, or the facts a report keeps
/// of it ([`crate::figures::CaseFacts`]), so both count the same days.
pub trait Clocked {
    fn created_at_ms(&self) -> i64;
    fn accepted_at_ms(&self) -> Option<i64>;
    fn status(&self) -> CaseStatus;
    fn promised_days(&self) -> u16;
    fn events(&self) -> &[CaseEvent];
}

impl Clocked for Case {
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

/// The legal limit for the one-time notice, in working days from registration.
pub const NOTICE_WORKING_DAYS: u16 = 5;

/// The last day a one-time notice may be given for `case`.
pub fn notice_due(case: &impl Clocked, calendar: &WorkCalendar) -> Date {
    notice_due_after(case.created_at_ms(), calendar)
}

pub(crate) fn notice_due_after(created_at_ms: i64, calendar: &WorkCalendar) -> Date {
    calendar.add_working_days(china_date(created_at_ms), NOTICE_WORKING_DAYS)
}

fn noticed(case: &impl Clocked) -> bool {
    case.events().iter().any(|e| e.kind == EventKind::Returned)
}

/// Whether the law counts `case` as accepted on its registration day, as seen on `today`: no
/// notice was given, and the limit passed before an acceptance (or with none yet).
pub fn deemed_accepted(case: &impl Clocked, calendar: &WorkCalendar, today: Date) -> bool {
    if noticed(case) {
        return false;
    }
    let due = notice_due(case, calendar);
    match case.accepted_at_ms() {
        Some(accepted) => china_date(accepted) > due,
        None => case.status() == CaseStatus::Registered && today > due,
    }
}

/// The promised completion date: working days from acceptance, or from registration for an
/// acceptance that came after the notice limit. A case still registered without a notice gets
/// the date it will have once deemed accepted (the list's order and flags rest on it).
pub fn deadline(case: &impl Clocked, calendar: &WorkCalendar) -> Option<Date> {
    let start = clock_start(case, calendar)?;
    Some(calendar.add_working_days(start, counted_days(case, case.promised_days(), calendar)))
}

/// The day the promise counts from: the acceptance, or the registration when the law deems
/// the case accepted then.
pub fn clock_start(case: &impl Clocked, calendar: &WorkCalendar) -> Option<Date> {
    let registered = china_date(case.created_at_ms());
    match case.accepted_at_ms().map(china_date) {
        Some(accepted) if noticed(case) || accepted <= notice_due(case, calendar) => Some(accepted),
        Some(_) => Some(registered),
        None if case.status() == CaseStatus::Registered => Some(registered),
        None => None,
    }
}

/// `days` of promise with the extension (once, by law) and the days suspended added.
fn counted_days(case: &impl Clocked, days: u16, calendar: &WorkCalendar) -> u16 {
    let extended = case
        .events()
        .iter()
        .find(|e| e.kind == EventKind::Extended)
        .and_then(|e| e.days)
        .unwrap_or(0);
    days.saturating_add(extended)
        .saturating_add(suspended_days(case, calendar))
}

/// The working days the case stood suspended (《行政许可法》第四十五条: a hearing, a test, an
/// assessment or a 公示 is not counted in the limit): those after each suspension's day up to
/// and including its resumption's. A suspension not yet ended counts nothing until it ends.
pub fn suspended_days(case: &impl Clocked, calendar: &WorkCalendar) -> u16 {
    let mut days: i64 = 0;
    let mut since = None;
    for event in case.events() {
        match event.kind {
            EventKind::Suspended => since = Some(china_date(event.at_ms)),
            EventKind::Resumed => {
                if let Some(from) = since.take() {
                    days += calendar.working_days_between(from, china_date(event.at_ms));
                }
            }
            _ => {}
        }
    }
    u16::try_from(days).unwrap_or(u16::MAX)
}

/// Where a case stands on `today`: its promised date once it runs, how close that is, and
/// whether the law deemed it accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub deadline: Option<Date>,
    pub flag: Option<crate::DeadlineFlag>,
    pub deemed_accepted: bool,
    /// Once decided and until delivered: the last day to deliver the result.
    pub delivery_due: Option<Date>,
    /// The deadline counts days in a year whose holiday schedule is not yet published: it rests
    /// on the statutory holidays alone and may move when the schedule comes.
    pub provisional: bool,
}

pub fn standing(case: &Case, calendar: &WorkCalendar, today: Date) -> Standing {
    let deemed_accepted = deemed_accepted(case, calendar, today);
    // A registered case within the notice limit has no promise yet: it may still be returned.
    let deadline = deadline(case, calendar)
        .filter(|_| case.status != CaseStatus::Registered || deemed_accepted);
    let running = clock_running(case.status) && deadline.is_some();
    Standing {
        deadline,
        flag: deadline
            .filter(|_| running)
            .map(|d| calendar.flag(today, d)),
        deemed_accepted,
        delivery_due: delivery_due(case, calendar),
        provisional: provisional(case, calendar),
    }
}

/// Whether `case`'s promised date rests on a year without a published holiday schedule.
pub fn provisional(case: &impl Clocked, calendar: &WorkCalendar) -> bool {
    match (clock_start(case, calendar), deadline(case, calendar)) {
        (Some(start), Some(deadline)) => calendar.provisional(start, deadline),
        _ => false,
    }
}

/// Working days from acceptance within which the organ checks what a commitment (告知承诺)
/// stood in for.
pub const COMMITMENT_CHECK_WORKING_DAYS: u16 = 20;

/// The last day to check the commitments a case was accepted on; `None` when none is left to
/// check.
pub fn commitment_check_due(case: &Case, calendar: &WorkCalendar) -> Option<Date> {
    let committed = case
        .materials
        .iter()
        .any(|m| m.status == crate::MaterialStatus::Committed);
    // An application ended without a decision leaves nothing to check.
    let ended = matches!(
        case.status,
        CaseStatus::Withdrawn | CaseStatus::Terminated | CaseStatus::IntakeRefused
    );
    case.accepted_at_ms?;
    let accepted = clock_start(case, calendar)?;
    (committed && !ended)
        .then(|| calendar.add_working_days(accepted, COMMITMENT_CHECK_WORKING_DAYS))
}

/// The last day the township may report a case up, when the item splits its promise between
/// the levels: the promised date less the county's share, counted like the promise (from the
/// acceptance, with suspensions added); `None` once reported, or for an item with no split.
pub fn forward_due(
    case: &Case,
    item: Option<&crate::ServiceItem>,
    calendar: &WorkCalendar,
) -> Option<Date> {
    let county_days = item?.county_days?;
    // At the township: accepted or under review, or suspended there (a case sent back is the
    // township's again).
    let at_township = match case.status {
        CaseStatus::Accepted | CaseStatus::UnderReview => true,
        CaseStatus::Suspended => {
            crate::workflow::fold(&case.events).resumes_to != Some(CaseStatus::Forwarded)
        }
        _ => false,
    };
    if !at_township {
        return None;
    }
    let start = clock_start(case, calendar)?;
    let share = case.promised_days.saturating_sub(county_days);
    Some(calendar.add_working_days(start, counted_days(case, share, calendar)))
}

/// The last day a decided case's result may reach the applicant (《行政许可法》第四十四条:
/// within ten working days of the decision); `None` before a decision and once delivered.
pub fn delivery_due(case: &Case, calendar: &WorkCalendar) -> Option<Date> {
    use CaseStatus::*;
    let decided =
        |s: Option<CaseStatus>| matches!(s, Some(Approved | Rejected | IntakeRefused | Terminated));
    if case.delivered().is_some() || !decided(Some(case.status)) && case.status != Completed {
        return None;
    }
    let decision = case.events.iter().rev().find(|e| decided(e.to))?;
    Some(calendar.add_working_days(
        china_date(decision.at_ms),
        crate::delivery::DELIVERY_WORKING_DAYS,
    ))
}

/// The flag of a case in a list, from what the list keeps of it: a registered case is flagged
/// only once the law deems it accepted (a returned one is never listed as registered again).
pub fn listed_flag(
    status: CaseStatus,
    created_at_ms: i64,
    deadline: Date,
    calendar: &WorkCalendar,
    today: Date,
) -> Option<crate::DeadlineFlag> {
    let deemed =
        status != CaseStatus::Registered || today > notice_due_after(created_at_ms, calendar);
    (clock_running(status) && deemed).then(|| calendar.flag(today, deadline))
}

/// Whether the clock can run in this state: from acceptance (or registration, once deemed
/// accepted) until the decision; never while the applicant supplies materials.
pub fn clock_running(status: CaseStatus) -> bool {
    matches!(
        status,
        CaseStatus::Registered
            | CaseStatus::Accepted
            | CaseStatus::UnderReview
            | CaseStatus::Forwarded
    )
}
