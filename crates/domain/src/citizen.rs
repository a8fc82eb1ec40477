//! What a citizen sees of their own case on the hub's query page (群众查询): where it stands,
//! step by step with dates, and the date promised. Read from the case alone, so a portal that
//! embeds the view and the page itself say the same. The name is masked and nothing else of
//! the applicant is shown: whoever holds a receipt can open this.

use crate::calendar::{WorkCalendar, china_date};
use crate::case::{Case, CaseStatus, EventKind};
use crate::clock;
use serde::{Deserialize, Serialize};
use time::Date;

/// One step of the procedure as the citizen follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub label_zh: String,
    pub label_en: String,
    /// The day it happened; none while it has not.
    pub on: Option<Date>,
}

/// A case as its applicant follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub number: String,
    pub item_name: String,
    /// The applicant's name with all but its first character hidden.
    pub applicant: String,
    pub status: CaseStatus,
    pub status_zh: String,
    pub steps: Vec<Step>,
    /// The promised completion date (承诺办结日期), once the clock runs.
    pub promised: Option<Date>,
    /// Whether the case reached a decision, so the applicant may rate the service.
    pub decided: bool,
    /// The applicant's rating (好差评) and what became of a 差评, once rated.
    pub evaluation: Option<EvaluationView>,
}

/// A rating as its applicant sees it again: what they said, and for a 差评 the township's
/// rectification, due and done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationView {
    pub level: crate::rating::Satisfaction,
    pub level_zh: String,
    pub rated_on: Date,
    pub reason_zh: Option<String>,
    pub comment: Option<String>,
    /// For a 差评: the last day to rectify.
    pub due: Option<Date>,
    /// For a 差评 rectified: the day, the follow-up, and what was done.
    pub rectified_on: Option<Date>,
    pub follow_up: Option<String>,
    pub action: Option<String>,
}

impl EvaluationView {
    fn of(case: &Case) -> Option<Self> {
        let e = crate::rating::evaluation(case)?;
        Some(Self {
            level: e.rating.level,
            level_zh: e.rating.level.label_zh().to_owned(),
            rated_on: china_date(e.rated_at_ms),
            reason_zh: e.rating.reason.map(|r| r.label_zh().to_owned()),
            comment: e.rating.comment.clone(),
            due: e.due,
            rectified_on: e.rectified.map(|(at, _)| china_date(at)),
            follow_up: e.rectified.map(|(_, r)| r.follow_up.clone()),
            action: e.rectified.map(|(_, r)| r.action.clone()),
        })
    }
}

fn step(label_zh: &str, label_en: &str, on: Option<Date>) -> Step {
    Step {
        label_zh: label_zh.to_owned(),
        label_en: label_en.to_owned(),
        on,
    }
}

/// A name as the page shows it: its first character, the rest as `*` (at least one, so a
/// one-character name is not shown whole).
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    let hidden = chars.count().max(1);
    format!("{first}{}", "*".repeat(hidden))
}

impl Progress {
    pub fn of(case: &Case, calendar: &WorkCalendar) -> Self {
        let first = |kinds: &[EventKind]| {
            case.events
                .iter()
                .filter(|e| kinds.contains(&e.kind))
                .map(|e| china_date(e.at_ms))
                .min()
        };
        let last = |kinds: &[EventKind]| {
            case.events
                .iter()
                .filter(|e| kinds.contains(&e.kind))
                .map(|e| china_date(e.at_ms))
                .max()
        };
        let accepted = case.accepted_at_ms.map(china_date);
        let decided = last(&[EventKind::Approved, EventKind::Rejected]);
        let mut steps = vec![
            step("收件", "received", Some(china_date(case.created_at_ms))),
            step("受理", "accepted", accepted),
            // Handed to the deciding supervisor, or reported up to the county organ; a decision
            // taken straight after acceptance was reviewed then.
            step(
                "审查",
                "under review",
                first(&[EventKind::HandedOver, EventKind::Forwarded]).or(decided.and(accepted)),
            ),
            step("决定", "decided", decided),
            step("办结", "completed", last(&[EventKind::Completed])),
        ];
        // A procedure that ended otherwise says how, in place of the steps it never reached.
        let ended = match case.status {
            CaseStatus::IntakeRefused => Some(("不予受理", "refused at intake")),
            CaseStatus::Withdrawn => Some(("已撤回", "withdrawn")),
            CaseStatus::Terminated => Some(("终止办理", "terminated")),
            _ => None,
        };
        if let Some((zh, en)) = ended {
            steps.retain(|s| s.on.is_some());
            let on = last(&[
                EventKind::IntakeRefused,
                EventKind::Withdrawn,
                EventKind::Terminated,
            ]);
            steps.push(step(zh, en, on));
        }
        let promised = match case.status {
            CaseStatus::IntakeRefused | CaseStatus::Withdrawn => None,
            _ => clock::deadline(case, calendar),
        };
        Self {
            number: case.number.as_str().to_owned(),
            item_name: case.item_name.clone(),
            applicant: mask_name(&case.applicant.name),
            status: case.status,
            status_zh: case.status.label_zh().to_owned(),
            steps,
            promised,
            decided: crate::rating::decided(case),
            evaluation: EvaluationView::of(case),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_keep_only_their_first_character() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李四"), "李*");
        assert_eq!(mask_name("王"), "王*");
        assert_eq!(mask_name(""), "*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
    }

    #[test]
    fn the_steps_follow_the_case_with_the_promised_date() {
        use crate::role::{Action, Role};
        use crate::workflow_tests::{case, step};
        let mut c = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
        let calendar = WorkCalendar::builtin();
        let received = Progress::of(&c, calendar);
        assert_eq!(received.applicant, "王**");
        assert_eq!(received.status_zh, "已登记");
        let done: Vec<_> = received.steps.iter().map(|s| s.on.is_some()).collect();
        assert_eq!(done, [true, false, false, false, false]);
        assert!(!received.decided);

        step(&mut c, "张华", Role::Supervisor, Action::Accept);
        step(&mut c, "李明", Role::Clerk, Action::HandOver);
        step(&mut c, "张华", Role::Supervisor, Action::Approve);
        let decided = Progress::of(&c, calendar);
        let labels: Vec<_> = decided.steps.iter().map(|s| s.label_zh.as_str()).collect();
        assert_eq!(labels, ["收件", "受理", "审查", "决定", "办结"]);
        assert_eq!(
            decided.steps[3].on,
            Some(time::macros::date!(2026 - 11 - 16))
        );
        assert_eq!(decided.steps[4].on, None);
        assert_eq!(decided.promised, Some(time::macros::date!(2026 - 11 - 23)));
        assert!(decided.decided);
    }

    #[test]
    fn a_withdrawn_case_shows_how_it_ended_and_promises_nothing() {
        use crate::case::CaseEvent;
        use crate::workflow_tests::{MONDAY_MS, case};
        let mut c = case("YL01", &["ID_CARD"]);
        // The applicant's signed request is the desk's business; here only its event counts.
        c.events.push(CaseEvent {
            id: "1@test".into(),
            at_ms: MONDAY_MS + 60_000,
            kind: EventKind::Withdrawn,
            from: Some(CaseStatus::Registered),
            to: Some(CaseStatus::Withdrawn),
            ..CaseEvent::default()
        });
        c.refold();
        let p = Progress::of(&c, WorkCalendar::builtin());
        let labels: Vec<_> = p.steps.iter().map(|s| s.label_zh.as_str()).collect();
        assert_eq!(labels, ["收件", "已撤回"]);
        assert_eq!(p.promised, None);
        assert!(!p.decided);
    }
}
