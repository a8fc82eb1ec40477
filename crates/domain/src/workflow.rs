//! The service workflow. A case's status is never stored: it is folded from the timeline, so
//! the only way to move a case is to add an event, and every event can be checked on its own
//! (who, from which state, to which state). Two desks moving the same case apart offline leave
//! two events starting from the same state; the fold turns that into a visible conflict instead
//! of letting one silently win.

use crate::calendar::{WorkCalendar, date_text};
use crate::case::{Case, CaseEvent, CaseStatus, EventKind, MaterialStatus};
use crate::catalogue::ServiceItem;
pub use crate::clock::{NOTICE_WORKING_DAYS, Standing, clock_running, deadline, standing};
use crate::role::{Action, Role};
use serde::{Deserialize, Serialize};
use time::Date;

/// The longest an applicant may be given to bring deferred materials, in calendar days.
pub const MAX_DEFERRAL_DAYS: i64 = 30;
const MAX_REASON_CHARS: usize = 500;

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
        EventKind::Other => return None,
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
        Action::View
        | Action::ManageUsers
        | Action::ReadAudit
        | Action::Unmask
        | Action::PruneAudit
        | Action::ConfigureDesk
        | Action::Backup => return None,
    })
}

pub fn is_final(status: CaseStatus) -> bool {
    matches!(
        status,
        CaseStatus::Completed | CaseStatus::Withdrawn | CaseStatus::IntakeRefused
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
        Action::Supplement => matches!(status, SupplementRequested | Accepted | UnderReview),
        Action::Accept => matches!(status, Registered | Supplemented),
        // Before acceptance only: an accepted application is decided, not refused at intake.
        Action::RefuseIntake => matches!(status, Registered | SupplementRequested | Supplemented),
        Action::HandOver => status == Accepted,
        Action::Approve | Action::Reject => matches!(status, Accepted | UnderReview),
        Action::Complete => matches!(status, Approved | Rejected),
        Action::Withdraw => matches!(
            status,
            Registered | SupplementRequested | Supplemented | Accepted | UnderReview
        ),
        Action::Edit | Action::Reassign => !is_final(status),
        Action::View | Action::ReadAudit | Action::Unmask => true,
        Action::Register
        | Action::Resolve
        | Action::ManageUsers
        | Action::PruneAudit
        | Action::ConfigureDesk
        | Action::Backup => false,
    }
}

/// Where an action leads; approval stays under review until the item's last level approves.
pub fn target(action: Action, from: CaseStatus, levels: u8, approvals: usize) -> CaseStatus {
    use CaseStatus::*;
    match action {
        Action::Return => SupplementRequested,
        Action::Supplement if matches!(from, Accepted | UnderReview) => from,
        Action::Supplement => Supplemented,
        Action::Accept => Accepted,
        Action::HandOver => UnderReview,
        Action::Approve if approvals + 1 < usize::from(levels.max(1)) => UnderReview,
        Action::Approve => Approved,
        Action::Reject => Rejected,
        Action::Complete => Completed,
        Action::Withdraw => Withdrawn,
        Action::RefuseIntake => IntakeRefused,
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
        .find(|e| e.to == Some(CaseStatus::Accepted) && e.kind != EventKind::Supplemented);
    let accepted_at_ms = acceptance.map(|e| e.at_ms);
    let materials_due = acceptance.and_then(|e| e.due.clone());
    let review_start = effective
        .iter()
        .rposition(|e| !matches!(e.kind, EventKind::Approved | EventKind::Supplemented))
        .map_or(0, |p| p + 1);
    let approvals = effective[review_start..]
        .iter()
        .map(|e| e.by.clone())
        .collect();
    Progress {
        status,
        conflict,
        accepted_at_ms,
        assignee,
        approvals,
        materials_due,
    }
}

/// Why an action was refused. Every message names the rule, in English and Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum Denied {
    Role(Role, Action),
    NotOwnCase,
    State(Action, CaseStatus),
    Conflict,
    NoConflict,
    NoticeOverdue(String),
    NothingMissing,
    UnknownMaterial(String),
    ReasonRequired(Action),
    ReasonTooLong,
    SameApprover(String),
    GroundRequired,
    ReferralRequired,
    NoAssignee,
    NoOutcome(String),
    MaterialsMissing(String),
    MaterialsOutstanding(String),
    NotDeferrable(String),
    NotMissing(String),
    CommitmentRequired,
    DeadlineOutOfRange,
    BadMove(String, String, String),
}

impl crate::l10n::Localized for Denied {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Role(role, action) => {
                let (role_zh, action_zh) = (role.label_zh(), action.label_zh());
                text!(
                    "the role {role} may not {action}",
                    "{role_zh}无权{action_zh}"
                )
            }
            Self::NotOwnCase => text!(
                "field staff may act only on cases they registered or were assigned",
                "外勤人员只能处理本人登记或分派给本人的办件"
            ),
            Self::State(action, status) => {
                let (action_zh, status_zh, status) =
                    (action.label_zh(), status.label_zh(), status.as_str());
                text!(
                    "cannot {action} a case that is {status}",
                    "办件当前状态为“{status_zh}”，不能{action_zh}"
                )
            }
            Self::Conflict => text!(
                "this case has conflicting decisions; a supervisor must resolve the conflict first",
                "本办件存在相互冲突的决定，须先由审批人员裁决"
            ),
            Self::NoConflict => text!(
                "this case has no conflict to resolve",
                "本办件没有需要裁决的冲突"
            ),
            Self::NoticeOverdue(due) => text!(
                "the one-time notice was due by {due} (5 working days after registration); the application now counts as received in full",
                "一次性告知期限（登记后5个工作日，{due}）已过，视为材料齐全，应予受理"
            ),
            Self::NothingMissing => text!(
                "no material is missing; name the deficient ones with --missing",
                "没有缺少的材料，请用 --missing 指明需补正的材料"
            ),
            Self::UnknownMaterial(material) => {
                text!(
                    "this case has no material {material:?}",
                    "本办件没有材料“{material}”"
                )
            }
            Self::ReasonRequired(action) => {
                let action_zh = action.label_zh();
                text!("{action} needs a reason", "{action_zh}须填写理由")
            }
            Self::ReasonTooLong => text!(
                "the reason is longer than {MAX_REASON_CHARS} characters",
                "理由超过{MAX_REASON_CHARS}个字符"
            ),
            Self::SameApprover(user) => text!(
                "{user} already approved this case at an earlier level; another supervisor must approve the next level",
                "{user}已审批过上一级，下一级须由其他审批人员审批"
            ),
            Self::GroundRequired => text!(
                "a refusal at intake names its ground: not_required, out_of_scope or not_eligible",
                "不予受理须写明理由类别：not_required（依法不需要办理）、out_of_scope（不属于本机关职权范围）或 not_eligible（不符合申请条件）"
            ),
            Self::ReferralRequired => text!(
                "a matter of another organ is refused only with that organ named for the applicant",
                "不属于本机关职权范围的，须告知申请人向哪一机关申请"
            ),
            Self::NoAssignee => text!(
                "reassigning needs the user to hand the case to",
                "改派须指定接手的用户"
            ),
            Self::NoOutcome(outcomes) => text!(
                "resolving needs one of the conflicting outcomes: {outcomes}",
                "裁决须选定冲突双方之一的结果：{outcomes}"
            ),
            Self::MaterialsMissing(materials) => text!(
                "materials still missing: {materials}; accept once they are received, or defer those the catalogue allows with the applicant's commitment and a deadline",
                "尚缺材料：{materials}；材料齐全后方可受理，或对目录允许容缺的材料记录申请人承诺和补交期限后容缺受理"
            ),
            Self::MaterialsOutstanding(materials) => text!(
                "cannot approve while materials are outstanding: {materials}",
                "尚有材料未收到（{materials}），不能批准"
            ),
            Self::NotDeferrable(material) => text!(
                "material {material} may not be deferred: the catalogue does not allow 容缺 for it",
                "材料“{material}”不在事项目录允许容缺受理的范围内"
            ),
            Self::NotMissing(material) => text!(
                "material {material} is not missing",
                "材料“{material}”并未缺少"
            ),
            Self::CommitmentRequired => text!(
                "accepting with deferred materials needs the applicant's commitment (--commitment)",
                "容缺受理须记录申请人的承诺"
            ),
            Self::DeadlineOutOfRange => text!(
                "deferred materials need a deadline between tomorrow and {MAX_DEFERRAL_DAYS} days from today",
                "容缺材料的补交期限须在明天至{MAX_DEFERRAL_DAYS}天之内"
            ),
            Self::BadMove(kind, from, to) => text!(
                "an event of kind {kind} records a move from {from} to {to} that the rules do not give from the state its author saw",
                "{kind}事件记录的状态变化（{from}→{to}）与作者所见办件状态下规则给出的不符"
            ),
        }
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
}

/// Why an application is refused at intake (《行政许可法》第三十二条第一款第一、二项): the
/// refusal letter states it, and for a matter of another organ names that organ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalGround {
    /// 申请事项依法不需要取得行政许可或办理本事项.
    NotRequired,
    /// 申请事项依法不属于本机关职权范围: the applicant is referred to the competent organ.
    OutOfScope,
    /// 申请人不符合申请条件, stated in the reason.
    NotEligible,
}

impl RefusalGround {
    pub const ALL: [RefusalGround; 3] = [Self::NotRequired, Self::OutOfScope, Self::NotEligible];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotRequired => "not_required",
            Self::OutOfScope => "out_of_scope",
            Self::NotEligible => "not_eligible",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NotRequired => "申请事项依法不需要办理",
            Self::OutOfScope => "申请事项不属于本机关职权范围",
            Self::NotEligible => "申请人不符合申请条件",
        }
    }
}

impl std::str::FromStr for RefusalGround {
    type Err = crate::l10n::Text;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == s.trim())
            .ok_or_else(|| {
                crate::text!(
                    "unknown ground {s:?}; use not_required, out_of_scope or not_eligible",
                    "未知的不予受理理由类别“{s}”，可用 not_required、out_of_scope、not_eligible"
                )
            })
    }
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
    };
    if action == Action::Resolve {
        let conflict = progress.conflict.ok_or(Denied::NoConflict)?;
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
    if !starts_from(action, progress.status) {
        return Err(Denied::State(action, progress.status));
    }
    match action {
        Action::Return => {
            let due = crate::clock::notice_due(case, calendar);
            if today > due {
                return Err(Denied::NoticeOverdue(date_text(due)));
            }
            planned.missing = if request.missing.is_empty() {
                case.materials
                    .iter()
                    .filter(|m| m.status == MaterialStatus::Missing)
                    .map(|m| m.code.clone())
                    .collect()
            } else {
                let mut codes = Vec::new();
                for code in &request.missing {
                    let code = code.trim().to_ascii_uppercase();
                    if !case.materials.iter().any(|m| m.code == code) {
                        return Err(Denied::UnknownMaterial(code));
                    }
                    if !codes.contains(&code) {
                        codes.push(code);
                    }
                }
                codes
            };
            if planned.missing.is_empty() {
                return Err(Denied::NothingMissing);
            }
        }
        Action::Supplement if progress.status == CaseStatus::SupplementRequested => {
            planned.missing = case
                .events
                .iter()
                .rev()
                .find(|e| e.kind == EventKind::Returned)
                .map(|e| e.missing.clone())
                .unwrap_or_default();
        }
        Action::Supplement => {
            // After a 容缺 acceptance: the deferred materials arrive; the case stays where it is.
            planned.missing = codes_with(case, MaterialStatus::Deferred);
            if planned.missing.is_empty() {
                return Err(Denied::NothingMissing);
            }
        }
        Action::Accept => plan_acceptance(case, request, rules, &mut planned)?,
        Action::Approve if progress.approvals.iter().any(|u| u == user) => {
            return Err(Denied::SameApprover(user.to_string()));
        }
        Action::Approve if outstanding(case, rules).next().is_some() => {
            let names: Vec<&str> = outstanding(case, rules).map(|m| m.name.as_str()).collect();
            return Err(Denied::MaterialsOutstanding(names.join("、")));
        }
        Action::Reject if planned.reason.is_none() => {
            return Err(Denied::ReasonRequired(action));
        }
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
    if !matches!(action, Action::Edit | Action::Reassign) {
        planned.from = Some(progress.status);
        planned.to = Some(target(
            action,
            progress.status,
            levels,
            progress.approvals.len(),
        ));
    }
    Ok(planned)
}

/// Whether the catalogue makes a material hold up acceptance and approval; without the item at
/// hand every material does.
fn required(rules: &Rules<'_>, code: &str) -> bool {
    rules.item.is_none_or(|item| item.requires(code))
}

/// Required materials not yet in hand (missing, or deferred under 容缺).
fn outstanding<'c>(
    case: &'c Case,
    rules: &Rules<'_>,
) -> impl Iterator<Item = &'c crate::MaterialState> {
    case.materials
        .iter()
        .filter(move |m| m.status.outstanding() && required(rules, &m.code))
}

fn codes_with(case: &Case, status: MaterialStatus) -> Vec<String> {
    case.materials
        .iter()
        .filter(|m| m.status == status)
        .map(|m| m.code.clone())
        .collect()
}

/// The materials' names for a message, in the case's order.
fn names_of(case: &Case, codes: &[String]) -> String {
    case.materials
        .iter()
        .filter(|m| codes.contains(&m.code))
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// An acceptance needs every material, except those the catalogue lets the applicant bring
/// later on a recorded commitment and deadline (容缺受理, 《行政许可法》第三十二条 otherwise).
fn plan_acceptance(
    case: &Case,
    request: &Request,
    rules: &Rules<'_>,
    planned: &mut Planned,
) -> Result<(), Denied> {
    let missing = codes_with(case, MaterialStatus::Missing);
    let mut deferred = Vec::new();
    for code in &request.deferred {
        let code = code.trim().to_ascii_uppercase();
        if !case.materials.iter().any(|m| m.code == code) {
            return Err(Denied::UnknownMaterial(code));
        }
        if !missing.contains(&code) {
            return Err(Denied::NotMissing(names_of(case, &[code])));
        }
        let allowed = rules
            .item
            .and_then(|item| item.material(&code))
            .is_some_and(|spec| spec.deferrable);
        if !allowed {
            return Err(Denied::NotDeferrable(names_of(case, &[code])));
        }
        if !deferred.contains(&code) {
            deferred.push(code);
        }
    }
    let left: Vec<String> = missing
        .into_iter()
        .filter(|c| !deferred.contains(c) && required(rules, c))
        .collect();
    if !left.is_empty() {
        return Err(Denied::MaterialsMissing(names_of(case, &left)));
    }
    if deferred.is_empty() {
        return Ok(());
    }
    if planned.reason.is_none() {
        return Err(Denied::CommitmentRequired);
    }
    let due = request.due.ok_or(Denied::DeadlineOutOfRange)?;
    let days = (due - rules.today).whole_days();
    if !(1..=MAX_DEFERRAL_DAYS).contains(&days) {
        return Err(Denied::DeadlineOutOfRange);
    }
    planned.missing = deferred;
    planned.due = Some(date_text(due));
    Ok(())
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
            format!("{:?}", event.kind),
            event.from.map(|s| s.as_str()).unwrap_or("-").to_string(),
            event.to.map(|s| s.as_str()).unwrap_or("-").to_string(),
        )
    };
    let action = action_of(&event.kind).ok_or_else(bad)?;
    if action == Action::Register {
        permit(seen, &event.by, role, action)?;
        return match (event.from, event.to) {
            (None, None) => Ok(()),
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
    };
    let planned = plan(seen, &event.by, role, action, &request, rules)?;
    let same_kind = planned.kind == event.kind
        || (action == Action::Edit && event.kind == EventKind::PagesAttached);
    let same_materials = match action {
        Action::Return | Action::Supplement | Action::Accept => {
            planned.missing == event.missing && planned.due == event.due
        }
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
