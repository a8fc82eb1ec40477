//! The service workflow. A case's status is never stored: it is folded from the timeline, so
//! the only way to move a case is to add an event, and every event can be checked on its own
//! (who, from which state, to which state). Two desks moving the same case apart offline leave
//! two events starting from the same state; the fold turns that into a visible conflict instead
//! of letting one silently win.

use crate::assistance::{Publicity, StepKind};
use crate::calendar::WorkCalendar;
use crate::case::{Case, CaseEvent, CaseStatus, EventKind, MaterialStatus};
use crate::catalogue::ServiceItem;
pub use crate::clock::{
    NOTICE_WORKING_DAYS, Standing, clock_running, deadline, standing, suspended_days,
};
use crate::delivery::Delivery;
pub use crate::denied::Denied;
use crate::materials;
use crate::paper::PaperKind;
pub use crate::refusal::RefusalGround;
use crate::role::{Action, Role};
use serde::{Deserialize, Serialize};
use time::Date;

/// The longest an applicant may be given to bring deferred materials, in calendar days.
pub const MAX_DEFERRAL_DAYS: i64 = 30;
pub(crate) const MAX_REASON_CHARS: usize = 500;
/// The most working days one extension adds (《行政许可法》第四十二条).
pub const MAX_EXTENSION_DAYS: u16 = 10;

/// One side of a conflict, as shown to the supervisor who settles it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictOption {
    pub event: String,
    pub outcome: CaseStatus,
    pub by: String,
    pub device: String,
    pub at_ms: i64,
    pub reason: Option<String>,
}

/// Two or more transitions made from the same state without seeing each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub from: CaseStatus,
    pub options: Vec<ConflictOption>,
}

/// What the timeline says about where a case stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Progress {
    pub status: CaseStatus,
    pub conflict: Option<Conflict>,
    pub accepted_at_ms: Option<i64>,
    pub assignee: Option<String>,
    /// Users who approved since the case entered review (multi-level items).
    pub approvals: Vec<String>,
    /// The deadline the acceptance that counts gave for deferred materials.
    pub materials_due: Option<String>,
    /// While suspended: the state the case resumes to.
    pub resumes_to: Option<CaseStatus>,
}

/// The action that writes events of this kind.
pub fn action_of(kind: &EventKind) -> Option<Action> {
    Some(match kind {
        EventKind::Registered => Action::Register,
        EventKind::FieldChanged | EventKind::PagesAttached => Action::Edit,
        EventKind::Returned => Action::Return,
        EventKind::Supplemented => Action::Supplement,
        EventKind::Accepted => Action::Accept,
        EventKind::HandedOver => Action::HandOver,
        EventKind::Approved => Action::Approve,
        EventKind::Rejected => Action::Reject,
        EventKind::Completed => Action::Complete,
        EventKind::Withdrawn => Action::Withdraw,
        EventKind::Reassigned => Action::Reassign,
        EventKind::Resolved => Action::Resolve,
        EventKind::IntakeRefused => Action::RefuseIntake,
        EventKind::Corrected => Action::Correct,
        EventKind::Extended => Action::Extend,
        EventKind::Suspended => Action::Suspend,
        EventKind::Resumed => Action::Resume,
        EventKind::Terminated => Action::Terminate,
        EventKind::Delivered => Action::Deliver,
        EventKind::Forwarded => Action::Forward,
        EventKind::StepRecorded => Action::RecordStep,
        EventKind::Committed => Action::Commit,
        EventKind::CommitmentChecked => Action::CheckCommitment,
        EventKind::CommitmentBroken => Action::BreakCommitment,
        EventKind::SentBack => Action::SendBack,
        EventKind::SharingGranted => Action::Grant,
        EventKind::Rectified => Action::Rectify,
        // Written by the hub alone, from the applicant's page: no desk's action writes it.
        EventKind::Rated | EventKind::Other => return None,
    })
}

pub fn kind_of(action: Action) -> Option<EventKind> {
    Some(match action {
        Action::Register => EventKind::Registered,
        Action::Edit => EventKind::FieldChanged,
        Action::Return => EventKind::Returned,
        Action::Supplement => EventKind::Supplemented,
        Action::Accept => EventKind::Accepted,
        Action::HandOver => EventKind::HandedOver,
        Action::Approve => EventKind::Approved,
        Action::Reject => EventKind::Rejected,
        Action::Complete => EventKind::Completed,
        Action::Withdraw => EventKind::Withdrawn,
        Action::Reassign => EventKind::Reassigned,
        Action::Resolve => EventKind::Resolved,
        Action::RefuseIntake => EventKind::IntakeRefused,
        Action::Correct => EventKind::Corrected,
        Action::Extend => EventKind::Extended,
        Action::Suspend => EventKind::Suspended,
        Action::Resume => EventKind::Resumed,
        Action::Terminate => EventKind::Terminated,
        Action::Deliver => EventKind::Delivered,
        Action::Forward => EventKind::Forwarded,
        Action::RecordStep => EventKind::StepRecorded,
        Action::Commit => EventKind::Committed,
        Action::CheckCommitment => EventKind::CommitmentChecked,
        Action::BreakCommitment => EventKind::CommitmentBroken,
        Action::SendBack => EventKind::SentBack,
        Action::Grant => EventKind::SharingGranted,
        Action::Rectify => EventKind::Rectified,
        Action::View
        | Action::ManageUsers
        | Action::ReadAudit
        | Action::Unmask
        | Action::PruneAudit
        | Action::ConfigureDesk
        | Action::Backup
        | Action::ReadFigures => return None,
    })
}

/// Whether the applicant's facts are fixed: from acceptance on, what was accepted is what is
/// decided, and a change is a supervisor's recorded correction.
pub fn facts_locked(status: CaseStatus) -> bool {
    use CaseStatus::*;
    matches!(
        status,
        Accepted | UnderReview | Forwarded | Suspended | Approved | Rejected | Completed
    )
}

/// Whether the applicant's facts are fixed for `case` on `today`: accepted, or deemed accepted
/// by law because no notice came within five working days (it is then decided as received).
pub fn facts_fixed(case: &Case, calendar: &WorkCalendar, today: Date) -> bool {
    facts_locked(case.status) || crate::clock::deemed_accepted(case, calendar, today)
}

pub fn is_final(status: CaseStatus) -> bool {
    matches!(
        status,
        CaseStatus::Completed
            | CaseStatus::Withdrawn
            | CaseStatus::IntakeRefused
            | CaseStatus::Terminated
    )
}

/// The states an action may start from. Approve and reject also take an accepted case directly,
/// so a supervisor at the window does not need a hand-over to themself. A return starts only from
/// a freshly registered case, and no move leads back there: the one-time notice is given once.
pub fn starts_from(action: Action, status: CaseStatus) -> bool {
    use CaseStatus::*;
    match action {
        Action::Return => status == Registered,
        // After a 容缺 acceptance the deferred materials are recorded as they arrive.
        Action::Supplement => matches!(
            status,
            SupplementRequested | Accepted | UnderReview | Forwarded
        ),
        Action::Accept => matches!(status, Registered | Supplemented),
        // Before acceptance only: an accepted application is decided, not refused at intake.
        Action::RefuseIntake => matches!(status, Registered | SupplementRequested | Supplemented),
        Action::HandOver => status == Accepted,
        // The township's opinion goes up once its own review is done; the county decides there.
        Action::Forward => matches!(status, Accepted | UnderReview),
        // The township investigates what it accepted, before it reports up.
        Action::RecordStep => matches!(status, Accepted | UnderReview),
        // A commitment is taken with the application; it is checked once the case is accepted,
        // before or after the decision.
        Action::Commit => matches!(status, Registered | Supplemented),
        Action::CheckCommitment | Action::BreakCommitment => facts_locked(status),
        Action::SendBack => status == Forwarded,
        Action::Approve | Action::Reject => matches!(status, Accepted | UnderReview | Forwarded),
        Action::Complete => matches!(status, Approved | Rejected),
        Action::Withdraw | Action::Terminate => matches!(
            status,
            Registered
                | SupplementRequested
                | Supplemented
                | Accepted
                | UnderReview
                | Forwarded
                | Suspended
        ),
        Action::Suspend => matches!(status, Accepted | UnderReview | Forwarded),
        Action::Resume => status == Suspended,
        // The result, whatever it was, reaches the applicant once.
        Action::Deliver => matches!(
            status,
            Approved | Rejected | Completed | IntakeRefused | Terminated
        ),
        Action::Edit | Action::Reassign => !is_final(status),
        Action::Correct => facts_locked(status),
        // While the clock runs: an extension moves a promise not yet due.
        Action::Extend => matches!(status, Accepted | UnderReview | Forwarded),
        Action::View | Action::ReadAudit | Action::Unmask => true,
        // A department may need a case's materials whatever became of it.
        Action::Grant => true,
        // A rating comes once the case is decided; its rectification follows whatever came next.
        Action::Rectify => true,
        Action::Register
        | Action::Resolve
        | Action::ManageUsers
        | Action::PruneAudit
        | Action::ConfigureDesk
        | Action::Backup
        | Action::ReadFigures => false,
    }
}

/// Where an action leads; approval stays under review until the item's last level approves.
pub fn target(action: Action, from: CaseStatus, levels: u8, approvals: usize) -> CaseStatus {
    use CaseStatus::*;
    match action {
        Action::Return => SupplementRequested,
        Action::Supplement if matches!(from, Accepted | UnderReview | Forwarded) => from,
        Action::Supplement => Supplemented,
        Action::Accept => Accepted,
        Action::HandOver => UnderReview,
        Action::Forward => Forwarded,
        // Back to the township's window, accepted as before: it mends and reports again, or ends.
        Action::SendBack => Accepted,
        // A county's levels approve in turn while the case stays with the county.
        Action::Approve if approvals + 1 < usize::from(levels.max(1)) && from == Forwarded => {
            Forwarded
        }
        Action::Approve if approvals + 1 < usize::from(levels.max(1)) => UnderReview,
        Action::Approve => Approved,
        Action::Reject => Rejected,
        Action::Complete => Completed,
        Action::Withdraw => Withdrawn,
        Action::RefuseIntake => IntakeRefused,
        Action::Suspend => Suspended,
        Action::Terminate => Terminated,
        _ => from,
    }
}

/// Folds the timeline, in its (replica-independent) list order, into the case's standing.
pub fn fold(events: &[CaseEvent]) -> Progress {
    // Transitions that currently count, with the state each started from.
    let mut effective: Vec<&CaseEvent> = Vec::new();
    let mut status = CaseStatus::Registered;
    let mut conflict: Option<Conflict> = None;
    let mut assignee = None;
    let option = |e: &CaseEvent| ConflictOption {
        event: e.id.clone(),
        outcome: e.to.unwrap_or(CaseStatus::Registered),
        by: e.by.clone(),
        device: e.device.clone(),
        at_ms: e.at_ms,
        reason: e.reason.clone(),
    };
    for event in events {
        match event.kind {
            EventKind::Registered
            | EventKind::FieldChanged
            | EventKind::PagesAttached
            | EventKind::Other => continue,
            EventKind::Reassigned => {
                assignee = event.assignee.clone();
                continue;
            }
            _ => {}
        }
        let (Some(from), Some(to)) = (event.from, event.to) else {
            continue;
        };
        if let Some(open) = &mut conflict {
            if event.kind == EventKind::Resolved && from == open.from {
                conflict = None;
                status = to;
                effective.push(event);
            } else if from == open.from {
                open.options.push(option(event));
            }
            continue;
        }
        if event.kind == EventKind::Resolved {
            continue;
        }
        if from == status {
            status = to;
            effective.push(event);
        } else if to == status {
            // The same move made twice without seeing each other: nothing to settle.
        } else if let Some(pos) = effective.iter().rposition(|e| e.from == Some(from)) {
            // A move from a state this case already left: the two branches collide. Whatever
            // was built on the first branch waits for the supervisor's resolution.
            conflict = Some(Conflict {
                from,
                options: vec![option(effective[pos]), option(event)],
            });
            status = from;
            effective.truncate(pos);
        }
    }
    let acceptance = effective
        .iter()
        .rev()
        // Only a move into "accepted" from where an acceptance starts is one: not a supplement,
        // a resumption, the county's sending back, nor a resolution between later moves.
        .find(|e| {
            e.to == Some(CaseStatus::Accepted)
                && matches!(
                    e.from,
                    Some(CaseStatus::Registered | CaseStatus::Supplemented)
                )
        });
    let accepted_at_ms = acceptance.map(|e| e.at_ms);
    let materials_due = acceptance.and_then(|e| e.due.clone());
    // Review runs on through deferred materials arriving and through a suspension.
    let review_start = effective
        .iter()
        .rposition(|e| {
            !matches!(
                e.kind,
                EventKind::Approved
                    | EventKind::Supplemented
                    | EventKind::Suspended
                    | EventKind::Resumed
            )
        })
        .map_or(0, |p| p + 1);
    // A resolution that settles on a suspension resumes where the conflicting moves started.
    let resumes_to = effective
        .last()
        .filter(|e| e.to == Some(CaseStatus::Suspended))
        .filter(|e| matches!(e.kind, EventKind::Suspended | EventKind::Resolved))
        .and_then(|e| e.from);
    let approvals = effective[review_start..]
        .iter()
        .filter(|e| e.kind == EventKind::Approved)
        .map(|e| e.by.clone())
        .collect();
    Progress {
        status,
        conflict,
        accepted_at_ms,
        assignee,
        approvals,
        materials_due,
        resumes_to,
    }
}

/// What a user asks for, before the rules have looked at it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    pub reason: Option<String>,
    /// Material codes for a return; empty means every material still missing.
    pub missing: Vec<String>,
    pub assignee: Option<String>,
    /// For a resolution: the outcome of one of the conflicting moves.
    pub outcome: Option<CaseStatus>,
    /// For an acceptance under 容缺: the missing materials the applicant will bring later (the
    /// commitment goes in `reason`) and the date they committed to.
    pub deferred: Vec<String>,
    pub due: Option<Date>,
    /// For a refusal at intake: why, and where the applicant should turn instead.
    pub ground: Option<RefusalGround>,
    pub refer_to: Option<String>,
    /// For an extension: the working days added.
    pub days: Option<u16>,
    /// For a delivery: how and to whom (the applicant when no recipient is named).
    pub delivery: Option<Delivery>,
    /// For a step of the assistance procedure: which, what a 公示 posts, and the household a
    /// home visit found.
    pub step: Option<StepKind>,
    pub publicity: Option<Publicity>,
    pub members: Vec<crate::assistance::Member>,
    /// For a grant to a department (有条件共享): its terms.
    pub grant: Option<crate::sharing::GrantTerms>,
    /// For closing a 差评's rectification: the follow-up and what was done.
    pub rectification: Option<crate::rating::Rectification>,
}

/// The event to record, once the rules allowed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub kind: EventKind,
    /// The move, for actions that move the case (not corrections or reassignments).
    pub from: Option<CaseStatus>,
    pub to: Option<CaseStatus>,
    pub reason: Option<String>,
    pub missing: Vec<String>,
    pub assignee: Option<String>,
    pub resolves: Vec<String>,
    pub due: Option<String>,
    pub ground: Option<RefusalGround>,
    pub refer_to: Option<String>,
    pub days: Option<u16>,
    pub delivery: Option<Delivery>,
    pub step: Option<StepKind>,
    pub publicity: Option<Publicity>,
    pub members: Vec<crate::assistance::Member>,
    pub grant: Option<crate::sharing::GrantTerms>,
    /// For closing a 差评's rectification: the follow-up and what was done.
    pub rectification: Option<crate::rating::Rectification>,
}

impl Planned {
    /// The timeline line this plan records, as `by` writes it on `device` at `at_ms`.
    pub fn into_event(self, at_ms: i64, by: &str, device: &str) -> CaseEvent {
        CaseEvent {
            at_ms,
            kind: self.kind,
            by: by.to_string(),
            device: device.to_string(),
            from: self.from,
            to: self.to,
            reason: self.reason,
            missing: self.missing,
            assignee: self.assignee,
            resolves: self.resolves,
            due: self.due,
            ground: self.ground,
            refer_to: self.refer_to,
            days: self.days,
            delivery: self.delivery,
            step: self.step,
            publicity: self.publicity,
            members: self.members,
            grant: self.grant,
            rectification: self.rectification,
            ..CaseEvent::default()
        }
    }
}

/// Whether `user` in `role` may take `action` on `case` at all (before state rules).
pub fn permit(case: &Case, user: &str, role: Role, action: Action) -> Result<(), Denied> {
    if !role.may(action) {
        return Err(Denied::Role(role, action));
    }
    if role.own_cases_only() && !case.belongs_to(user) {
        return Err(Denied::NotOwnCase);
    }
    Ok(())
}

fn clean_reason(reason: Option<&str>) -> Result<Option<String>, Denied> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(Denied::ReasonTooLong);
    }
    Ok(reason.map(str::to_string))
}

/// The facts beyond the case that the rules need.
pub struct Rules<'a> {
    /// The item's number of approval levels.
    pub levels: u8,
    /// The item as the catalogue lists it, for which materials may be deferred.
    pub item: Option<&'a ServiceItem>,
    /// Dates the one-time notice limit.
    pub today: Date,
    pub calendar: &'a WorkCalendar,
}

/// Decides whether `user`, holding `role`, may take `action` now and what it records.
pub fn plan(
    case: &Case,
    user: &str,
    role: Role,
    action: Action,
    request: &Request,
    rules: &Rules<'_>,
) -> Result<Planned, Denied> {
    let Rules {
        levels,
        today,
        calendar,
        ..
    } = *rules;
    permit(case, user, role, action)?;
    let progress = fold(&case.events);
    let reason = clean_reason(request.reason.as_deref())?;
    let mut planned = Planned {
        kind: kind_of(action).ok_or(Denied::State(action, progress.status))?,
        from: None,
        to: None,
        reason,
        missing: Vec::new(),
        assignee: None,
        resolves: Vec::new(),
        due: None,
        ground: None,
        refer_to: None,
        days: None,
        delivery: None,
        step: None,
        publicity: None,
        members: Vec::new(),
        grant: None,
        rectification: None,
    };
    if action == Action::Resolve {
        let conflict = progress.conflict.ok_or(Denied::NoConflict)?;
        // A conflict that reaches the county's level (moves at the county, or a report up
        // against a township's move) is the county's to settle: otherwise a township desk's
        // move on an old state would undo the county's decision and its own supervisor pick.
        let county_conflict = conflict.from == CaseStatus::Forwarded
            || conflict
                .options
                .iter()
                .any(|o| o.outcome == CaseStatus::Forwarded);
        match (county_conflict, role.is_county()) {
            (true, false) => return Err(Denied::AtCounty),
            (false, true) => return Err(Denied::NotAtCounty),
            _ => {}
        }
        // Any two moves can collide (a return and an acceptance too), so the supervisor settles
        // on one of the outcomes actually in conflict.
        let outcome = request
            .outcome
            .filter(|o| conflict.options.iter().any(|c| c.outcome == *o))
            .ok_or_else(|| {
                let choices: Vec<&str> = conflict
                    .options
                    .iter()
                    .map(|o| o.outcome.as_str())
                    .collect();
                Denied::NoOutcome(choices.join(", "))
            })?;
        if planned.reason.is_none() {
            return Err(Denied::ReasonRequired(action));
        }
        planned.from = Some(conflict.from);
        planned.to = Some(outcome);
        planned.resolves = conflict.options.into_iter().map(|o| o.event).collect();
        return Ok(planned);
    }
    if progress.conflict.is_some() && action != Action::View {
        return Err(Denied::Conflict);
    }
    check_level(role, action, &progress, rules)?;
    // A case the law deems accepted is corrected like an accepted one.
    let deemed_correction = action == Action::Correct && facts_fixed(case, calendar, today);
    if !starts_from(action, progress.status) && !deemed_correction {
        return Err(Denied::State(action, progress.status));
    }
    // Where a move leads when the state it started from does not decide it alone.
    let mut leads_to = None;
    match action {
        Action::Return => materials::plan_return(case, request, rules, &mut planned)?,
        Action::Supplement => {
            leads_to = materials::plan_supplement(case, progress.status, request, &mut planned)?;
        }
        Action::Accept => materials::plan_acceptance(case, request, rules, &mut planned)?,
        Action::Approve if progress.approvals.iter().any(|u| u == user) => {
            return Err(Denied::SameApprover(user.to_string()));
        }
        Action::Approve if materials::outstanding(case, rules).next().is_some() => {
            let names: Vec<&str> = materials::outstanding(case, rules)
                .map(|m| m.name.as_str())
                .collect();
            return Err(Denied::MaterialsOutstanding(names.join("、")));
        }
        // A case is closed only once every commitment it was accepted on has been checked.
        Action::Complete
            if case
                .materials
                .iter()
                .any(|m| m.status == MaterialStatus::Committed) =>
        {
            return Err(Denied::CommitmentUnchecked);
        }
        Action::Reject | Action::SendBack if planned.reason.is_none() => {
            return Err(Denied::ReasonRequired(action));
        }
        Action::Forward if materials::outstanding(case, rules).next().is_some() => {
            let names: Vec<&str> = materials::outstanding(case, rules)
                .map(|m| m.name.as_str())
                .collect();
            return Err(Denied::MaterialsOutstanding(names.join("、")));
        }
        Action::Forward => crate::assistance::check_ready(case, rules)?,
        Action::Commit => planned.missing = materials::plan_commitment(case, request, rules)?,
        Action::CheckCommitment | Action::BreakCommitment => {
            planned.missing = materials::plan_commitment_check(case, request)?;
            if planned.reason.is_none() {
                return Err(Denied::ReasonRequired(action));
            }
        }
        Action::RecordStep => {
            let (step, publicity) = crate::assistance::plan_step(case, request, rules)?;
            if planned.reason.is_none() {
                return Err(Denied::StepRequired);
            }
            planned.step = Some(step);
            planned.publicity = publicity;
            planned.members = request.members.clone();
        }
        Action::Extend => {
            // 《行政许可法》第四十二条: once, by at most ten working days, with the reasons told.
            if case.events.iter().any(|e| e.kind == EventKind::Extended) {
                return Err(Denied::AlreadyExtended);
            }
            let days = request
                .days
                .filter(|d| (1..=MAX_EXTENSION_DAYS).contains(d))
                .ok_or(Denied::ExtensionOutOfRange)?;
            if planned.reason.is_none() {
                return Err(Denied::ReasonRequired(action));
            }
            planned.days = Some(days);
        }
        Action::Suspend | Action::Terminate if planned.reason.is_none() => {
            return Err(Denied::ReasonRequired(action));
        }
        // The applicant withdraws in writing; the window keeps the scanned request.
        Action::Withdraw if case.paper(PaperKind::WithdrawalRequest).is_empty() => {
            return Err(Denied::PaperMissing(PaperKind::WithdrawalRequest));
        }
        Action::Deliver => planned.delivery = Some(materials::plan_delivery(case, request)?),
        Action::RefuseIntake => {
            let ground = request.ground.ok_or(Denied::GroundRequired)?;
            if planned.reason.is_none() {
                return Err(Denied::ReasonRequired(action));
            }
            let refer_to = clean_reason(request.refer_to.as_deref())?;
            if ground == RefusalGround::OutOfScope && refer_to.is_none() {
                return Err(Denied::ReferralRequired);
            }
            planned.ground = Some(ground);
            planned.refer_to = refer_to;
        }
        Action::Grant => {
            let terms = request.grant.as_ref().ok_or(Denied::GrantTerms)?;
            planned.grant = Some(terms.checked(today)?);
        }
        Action::Rectify => {
            if !crate::rating::evaluation(case).is_some_and(|e| e.open()) {
                return Err(Denied::NothingToRectify);
            }
            let done = request.rectification.as_ref().and_then(|r| r.checked());
            planned.rectification = Some(done.ok_or(Denied::RectificationRequired)?);
        }
        Action::Reassign => {
            let to = request
                .assignee
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .ok_or(Denied::NoAssignee)?;
            planned.assignee = Some(to.to_string());
        }
        _ => {}
    }
    if action == Action::Correct && planned.reason.is_none() {
        return Err(Denied::ReasonRequired(action));
    }
    if !matches!(
        action,
        Action::Edit
            | Action::Reassign
            | Action::Correct
            | Action::Extend
            | Action::Deliver
            | Action::RecordStep
            | Action::Commit
            | Action::CheckCommitment
            | Action::BreakCommitment
            | Action::Grant
            | Action::Rectify
    ) {
        planned.from = Some(progress.status);
        planned.to = Some(match action {
            // Back to where the suspension found it.
            Action::Resume => progress
                .resumes_to
                .ok_or(Denied::State(action, progress.status))?,
            _ => leads_to.unwrap_or_else(|| {
                target(action, progress.status, levels, progress.approvals.len())
            }),
        });
    }
    Ok(planned)
}

/// Which level a case is at decides who acts on it: an item the county decides is reported up
/// (上报) and decided by a county account only; while it is with the county the township waits
/// (a withdrawal the applicant asks for, a correction of a fact or deferred materials arriving
/// still go through the window); a county account touches nothing else.
fn check_level(
    role: Role,
    action: Action,
    progress: &Progress,
    rules: &Rules<'_>,
) -> Result<(), Denied> {
    use crate::catalogue::DecidingLevel;
    let at_county = progress.status == CaseStatus::Forwarded
        || (progress.status == CaseStatus::Suspended
            && progress.resumes_to == Some(CaseStatus::Forwarded));
    let looks = matches!(action, Action::View | Action::ReadAudit | Action::Unmask);
    if role.is_county() {
        return if at_county || looks {
            Ok(())
        } else {
            Err(Denied::NotAtCounty)
        };
    }
    let county_moves = matches!(
        action,
        Action::Approve
            | Action::Reject
            | Action::SendBack
            | Action::Extend
            | Action::Suspend
            | Action::Resume
            | Action::Terminate
    );
    if at_county && county_moves {
        return Err(Denied::AtCounty);
    }
    let county_item = rules
        .item
        .filter(|item| item.decided_by == DecidingLevel::County);
    match (action, county_item) {
        (Action::Approve | Action::Reject, Some(item)) => {
            Err(Denied::CountyDecides(item.competent_organ.clone()))
        }
        (Action::Forward, None) => Err(Denied::NotCountyItem),
        _ => Ok(()),
    }
}

/// The hub's check of one event it has not seen before: `seen` is the case exactly as its
/// author saw it (the document at the heads the event was written on). The same planner the desk
/// runs must allow the action there and plan exactly what the event records, so every rule the
/// desk obeys (roles, approval levels by different supervisors, the notice limit, the order of
/// moves) also binds a desk that does not obey it. Whether the move still applies after what
/// others did meanwhile is the fold's business: concurrent offline moves become a conflict.
pub fn check_event(
    seen: &Case,
    event: &CaseEvent,
    role: Role,
    rules: &Rules<'_>,
) -> Result<(), Denied> {
    let bad = || {
        Denied::BadMove(
            event.kind.as_str().to_string(),
            event.from.map(|s| s.as_str()).unwrap_or("-").to_string(),
            event.to.map(|s| s.as_str()).unwrap_or("-").to_string(),
        )
    };
    let action = action_of(&event.kind).ok_or_else(bad)?;
    // What only a refusal, an extension or a delivery records stays off every other event,
    // where the timeline would show it (a phone edit claiming a delivery).
    let carries_other = |kind: EventKind| {
        (event.ground.is_some() || event.refer_to.is_some()) && kind != EventKind::IntakeRefused
            || event.days.is_some() && kind != EventKind::Extended
            || event.delivery.is_some() && kind != EventKind::Delivered
            || event.grant.is_some() && kind != EventKind::SharingGranted
            || event.rating.is_some()
            || event.rectification.is_some() && kind != EventKind::Rectified
            || (event.step.is_some() || event.publicity.is_some() || !event.members.is_empty())
                && kind != EventKind::StepRecorded
    };
    if carries_other(event.kind.clone()) {
        return Err(bad());
    }
    if action == Action::Register {
        permit(seen, &event.by, role, action)?;
        return match (event.from, event.to) {
            (None, None) => Ok(()),
            _ => Err(bad()),
        };
    }
    // A signed paper is scanned at any point, even after the case ended (the receipt of its
    // result): the role decides, not the state.
    if event.kind == EventKind::PagesAttached && event.paper.is_some() {
        permit(seen, &event.by, role, Action::Edit)?;
        // Only the paper: a material of a case that ended takes no pages this way.
        return match (event.from, event.to, event.missing.is_empty()) {
            (None, None, true) => Ok(()),
            _ => Err(bad()),
        };
    }
    // An acceptance's materials are the ones it defers; any other event's are its own.
    let (missing, deferred) = if action == Action::Accept {
        (Vec::new(), event.missing.clone())
    } else {
        (event.missing.clone(), Vec::new())
    };
    let request = Request {
        reason: event.reason.clone(),
        missing,
        assignee: event.assignee.clone(),
        outcome: event.to.filter(|_| action == Action::Resolve),
        deferred,
        due: event.due.as_deref().and_then(crate::calendar::parse_date),
        ground: event.ground,
        refer_to: event.refer_to.clone(),
        days: event.days,
        delivery: event.delivery.clone(),
        step: event.step,
        publicity: event.publicity.clone(),
        members: event.members.clone(),
        grant: event.grant.clone(),
        rectification: event.rectification.clone(),
    };
    let planned = plan(seen, &event.by, role, action, &request, rules)?;
    let same_kind = planned.kind == event.kind
        || (action == Action::Edit && event.kind == EventKind::PagesAttached);
    let same_materials = match action {
        Action::Return
        | Action::Supplement
        | Action::Accept
        | Action::Commit
        | Action::CheckCommitment
        | Action::BreakCommitment => planned.missing == event.missing && planned.due == event.due,
        _ => event.due.is_none(),
    };
    let same_resolves = {
        let mut planned = planned.resolves.clone();
        let mut claimed = event.resolves.clone();
        planned.sort();
        claimed.sort();
        planned == claimed
    };
    let same_reason = action == Action::Edit
        || (planned.reason == event.reason
            && planned.ground == event.ground
            && planned.days == event.days
            && planned.delivery == event.delivery
            && planned.step == event.step
            && planned.publicity == event.publicity
            && planned.members == event.members
            && planned.grant == event.grant
            && planned.rectification == event.rectification
            && planned.refer_to == event.refer_to);
    if same_kind
        && same_materials
        && same_resolves
        && same_reason
        && planned.from == event.from
        && planned.to == event.to
        && planned.assignee == event.assignee
    {
        Ok(())
    } else {
        Err(bad())
    }
}
