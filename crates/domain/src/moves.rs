//! A move on a case, each with what it takes. The command line's subcommands, the window's
//! buttons and the store speak of moves in this one type; the planner reads a move as its
//! action and what was asked.

use crate::workflow::{RefusalGround, Request};
use crate::{Action, CaseStatus};
use time::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    /// The one-time notice: these materials (every missing one when empty) to bring by `due`
    /// (thirty days on when not given).
    Return {
        missing: Vec<String>,
        due: Option<Date>,
        reason: Option<String>,
    },
    /// Materials brought: those named, or every one still awaited when none is.
    Supplement {
        brought: Vec<String>,
        reason: Option<String>,
    },
    /// 不予受理: the ground, the reasons, and the organ to turn to for a matter of another.
    RefuseIntake {
        ground: Option<RefusalGround>,
        reason: Option<String>,
        refer_to: Option<String>,
    },
    /// Acceptance; under 容缺 with the deferred materials, the applicant's commitment and the
    /// date they will bring them by.
    Accept {
        deferred: Vec<String>,
        commitment: Option<String>,
        due: Option<Date>,
    },
    /// 延期: the working days added and the reason told to the applicant.
    Extend {
        days: Option<u16>,
        reason: Option<String>,
    },
    /// 中止: the clock stops, with the reason (a site check, an assessment, a 公示).
    Suspend {
        reason: Option<String>,
    },
    Resume {
        reason: Option<String>,
    },
    /// 终止办理 by the organ, with the reason.
    Terminate {
        reason: Option<String>,
    },
    /// 送达: how the result reached the applicant.
    Deliver(crate::Delivery),
    HandOver {
        reason: Option<String>,
    },
    /// 告知承诺: the applicant's signed commitment stands in for these materials (every missing
    /// one that allows it when none is named).
    Commit {
        materials: Vec<String>,
        reason: Option<String>,
    },
    /// The organ's check of a commitment (every committed material when none is named), with
    /// what it found.
    CheckCommitment {
        materials: Vec<String>,
        reason: Option<String>,
    },
    /// The check found the commitment untrue: the materials are missing again.
    BreakCommitment {
        materials: Vec<String>,
        reason: Option<String>,
    },
    /// A step of the assistance procedure, with what was found (a 公示 with what it posts).
    RecordStep {
        step: Option<crate::assistance::StepKind>,
        findings: Option<String>,
        publicity: Option<crate::assistance::Publicity>,
        members: Vec<crate::assistance::Member>,
    },
    /// 上报: to the county organ that decides the item, with the township's opinion.
    Forward {
        opinion: Option<String>,
    },
    /// The county's sending a reported case back, with the reason.
    SendBack {
        reason: Option<String>,
    },
    Approve {
        reason: Option<String>,
    },
    /// A refusal states its reasons; the planner refuses one without.
    Reject {
        reason: Option<String>,
    },
    Complete {
        reason: Option<String>,
    },
    Withdraw {
        reason: Option<String>,
    },
    Reassign {
        to: String,
        reason: Option<String>,
    },
    /// Settles conflicting moves on one of their outcomes.
    Resolve {
        outcome: Option<CaseStatus>,
        reason: Option<String>,
    },
    /// 有条件共享: a department may have these resources of the case, until a day, so many
    /// times; the reason says why (the applicant's written consent, the law asked under).
    Grant {
        terms: crate::sharing::GrantTerms,
        reason: Option<String>,
    },
    /// Closes a 差评's rectification: the follow-up with the applicant and what was done.
    Rectify(crate::rating::Rectification),
}

impl Move {
    /// The move a form asked for: `action` with the fields the form filled in; `None` when the
    /// action is not a move on a case.
    pub fn new(action: Action, request: Request) -> Option<Self> {
        let Request {
            reason,
            missing,
            assignee,
            outcome,
            deferred,
            due,
            ground,
            refer_to,
            days,
            delivery,
            step,
            publicity,
            members,
            grant,
            rectification,
        } = request;
        Some(match action {
            Action::Return => Self::Return {
                missing,
                due,
                reason,
            },
            Action::Supplement => Self::Supplement {
                brought: missing,
                reason,
            },
            Action::Accept => Self::Accept {
                deferred,
                commitment: reason,
                due,
            },
            Action::RefuseIntake => Self::RefuseIntake {
                ground,
                reason,
                refer_to,
            },
            Action::Extend => Self::Extend { days, reason },
            Action::Suspend => Self::Suspend { reason },
            Action::Resume => Self::Resume { reason },
            Action::Terminate => Self::Terminate { reason },
            Action::Deliver => Self::Deliver(delivery?),
            Action::HandOver => Self::HandOver { reason },
            Action::Forward => Self::Forward { opinion: reason },
            Action::Commit => Self::Commit {
                materials: missing,
                reason,
            },
            Action::CheckCommitment => Self::CheckCommitment {
                materials: missing,
                reason,
            },
            Action::BreakCommitment => Self::BreakCommitment {
                materials: missing,
                reason,
            },
            Action::RecordStep => Self::RecordStep {
                step,
                findings: reason,
                publicity,
                members,
            },
            Action::SendBack => Self::SendBack { reason },
            Action::Approve => Self::Approve { reason },
            Action::Reject => Self::Reject { reason },
            Action::Complete => Self::Complete { reason },
            Action::Withdraw => Self::Withdraw { reason },
            Action::Reassign => Self::Reassign {
                to: assignee.unwrap_or_default(),
                reason,
            },
            Action::Resolve => Self::Resolve { outcome, reason },
            Action::Grant => Self::Grant {
                terms: grant?,
                reason,
            },
            Action::Rectify => Self::Rectify(rectification?),
            _ => return None,
        })
    }

    pub fn action(&self) -> Action {
        match self {
            Self::Return { .. } => Action::Return,
            Self::Supplement { .. } => Action::Supplement,
            Self::Accept { .. } => Action::Accept,
            Self::RefuseIntake { .. } => Action::RefuseIntake,
            Self::Extend { .. } => Action::Extend,
            Self::Suspend { .. } => Action::Suspend,
            Self::Resume { .. } => Action::Resume,
            Self::Terminate { .. } => Action::Terminate,
            Self::Deliver(_) => Action::Deliver,
            Self::HandOver { .. } => Action::HandOver,
            Self::Forward { .. } => Action::Forward,
            Self::RecordStep { .. } => Action::RecordStep,
            Self::Commit { .. } => Action::Commit,
            Self::CheckCommitment { .. } => Action::CheckCommitment,
            Self::BreakCommitment { .. } => Action::BreakCommitment,
            Self::SendBack { .. } => Action::SendBack,
            Self::Approve { .. } => Action::Approve,
            Self::Reject { .. } => Action::Reject,
            Self::Complete { .. } => Action::Complete,
            Self::Withdraw { .. } => Action::Withdraw,
            Self::Reassign { .. } => Action::Reassign,
            Self::Resolve { .. } => Action::Resolve,
            Self::Grant { .. } => Action::Grant,
            Self::Rectify(_) => Action::Rectify,
        }
    }

    /// What the planner is asked, with nothing but this move's own arguments.
    pub fn request(&self) -> Request {
        let reason = |r: &Option<String>| Request {
            reason: r.clone(),
            ..Request::default()
        };
        match self {
            Self::Return {
                missing,
                due,
                reason: r,
            } => Request {
                missing: missing.clone(),
                due: *due,
                ..reason(r)
            },
            Self::Supplement { brought, reason: r }
            | Self::Commit {
                materials: brought,
                reason: r,
            }
            | Self::CheckCommitment {
                materials: brought,
                reason: r,
            }
            | Self::BreakCommitment {
                materials: brought,
                reason: r,
            } => Request {
                missing: brought.clone(),
                ..reason(r)
            },
            Self::Accept {
                deferred,
                commitment,
                due,
            } => Request {
                deferred: deferred.clone(),
                due: *due,
                ..reason(commitment)
            },
            Self::RefuseIntake {
                ground,
                reason: r,
                refer_to,
            } => Request {
                ground: *ground,
                refer_to: refer_to.clone(),
                ..reason(r)
            },
            Self::Extend { days, reason: r } => Request {
                days: *days,
                ..reason(r)
            },
            Self::Reassign { to, reason: r } => Request {
                assignee: Some(to.clone()),
                ..reason(r)
            },
            Self::Resolve { outcome, reason: r } => Request {
                outcome: *outcome,
                ..reason(r)
            },
            Self::RecordStep {
                step,
                findings,
                publicity,
                members,
            } => Request {
                step: *step,
                publicity: publicity.clone(),
                members: members.clone(),
                ..reason(findings)
            },
            Self::Deliver(delivery) => Request {
                delivery: Some(delivery.clone()),
                ..Request::default()
            },
            Self::Grant { terms, reason: r } => Request {
                grant: Some(terms.clone()),
                ..reason(r)
            },
            Self::Rectify(done) => Request {
                rectification: Some(done.clone()),
                ..Request::default()
            },
            Self::Suspend { reason: r }
            | Self::Resume { reason: r }
            | Self::Terminate { reason: r }
            | Self::HandOver { reason: r }
            | Self::Forward { opinion: r }
            | Self::SendBack { reason: r }
            | Self::Approve { reason: r }
            | Self::Reject { reason: r }
            | Self::Complete { reason: r }
            | Self::Withdraw { reason: r } => reason(r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::ACTIONS;

    #[test]
    fn every_move_is_one_action_and_keeps_only_its_own_arguments() {
        let asked = Request {
            reason: Some("理由".into()),
            missing: vec!["ID_CARD".into()],
            assignee: Some("张华".into()),
            outcome: Some(CaseStatus::Approved),
            deferred: vec!["HOUSEHOLD_REGISTER".into()],
            due: Some(time::macros::date!(2026 - 12 - 18)),
            ground: Some(RefusalGround::OutOfScope),
            refer_to: Some("灵山县民政局".into()),
            days: Some(5),
            delivery: Some(crate::Delivery {
                method: crate::DeliveryMethod::Post,
                recipient: String::new(),
                tracking: Some("EMS1234567".into()),
            }),
            step: Some(crate::assistance::StepKind::HomeVisit),
            publicity: Some(crate::assistance::Publicity {
                from: "2026-11-20".into(),
                household: 3,
                monthly_yuan: 450,
            }),
            members: vec![crate::assistance::Member {
                name: "韦小明".into(),
                relation: "长子".into(),
            }],
            grant: Some(crate::sharing::GrantTerms {
                department: "MZ01".into(),
                resources: vec![crate::sharing::Resource::Package],
                until: "2026-12-31".into(),
                uses: 2,
            }),
            rectification: Some(crate::rating::Rectification {
                follow_up: "电话回访，申请人表示认可".into(),
                action: "窗口增设引导员".into(),
            }),
        };
        let mut moves = 0;
        for action in ACTIONS {
            let Some(m) = Move::new(action, asked.clone()) else {
                // Registering, correcting and the rest are not moves on a case's workflow.
                assert!(
                    crate::workflow::kind_of(action).is_none()
                        || matches!(action, Action::Register | Action::Edit | Action::Correct),
                    "{action}"
                );
                continue;
            };
            moves += 1;
            assert_eq!(m.action(), action);
            let request = m.request();
            // A delivery records how, not why; a rectification what was done.
            assert_eq!(
                request.reason.as_deref(),
                (!matches!(action, Action::Deliver | Action::Rectify)).then_some("理由")
            );
            assert_eq!(request.delivery.is_some(), action == Action::Deliver);
            assert_eq!(
                !request.missing.is_empty(),
                matches!(
                    action,
                    Action::Return
                        | Action::Supplement
                        | Action::Commit
                        | Action::CheckCommitment
                        | Action::BreakCommitment
                )
            );
            assert_eq!(request.assignee.is_some(), action == Action::Reassign);
            assert_eq!(request.outcome.is_some(), action == Action::Resolve);
            assert_eq!(!request.deferred.is_empty(), action == Action::Accept);
            assert_eq!(
                request.due.is_some(),
                matches!(action, Action::Accept | Action::Return)
            );
            assert_eq!(request.ground.is_some(), action == Action::RefuseIntake);
            assert_eq!(request.refer_to.is_some(), action == Action::RefuseIntake);
            assert_eq!(request.days.is_some(), action == Action::Extend);
            assert_eq!(request.step.is_some(), action == Action::RecordStep);
            assert_eq!(request.publicity.is_some(), action == Action::RecordStep);
            assert_eq!(!request.members.is_empty(), action == Action::RecordStep);
            assert_eq!(request.grant.is_some(), action == Action::Grant);
            assert_eq!(request.rectification.is_some(), action == Action::Rectify);
        }
        assert_eq!(moves, 24);
    }
}
