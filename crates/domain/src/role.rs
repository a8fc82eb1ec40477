//! Roles and what each may do. One table, consulted by the desk before acting and by the hub
//! for every change it receives: least privilege holds wherever a change comes from.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Window staff: intake, supplement requests, hand-over for review.
    Clerk,
    /// Accepts and returns, approves and rejects, reassigns, resolves conflicts.
    Supervisor,
    /// Field staff on laptops: register and correct their own cases, no decisions.
    Field,
    /// Users, devices and the catalogue; no access to cases.
    Admin,
    /// The county organ's staff: decide the cases townships report up (上报), or send them back.
    /// Their account belongs to the county, not to a township, and spans its townships.
    County,
}

pub const ROLES: [Role; 5] = [
    Role::Clerk,
    Role::Supervisor,
    Role::Field,
    Role::Admin,
    Role::County,
];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clerk => "clerk",
            Self::Supervisor => "supervisor",
            Self::Field => "field",
            Self::Admin => "admin",
            Self::County => "county",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Clerk => "受理人员",
            Self::Supervisor => "审批人员",
            Self::Field => "外勤人员",
            Self::Admin => "系统管理员",
            Self::County => "县级审批人员",
        }
    }

    /// Whether this role may take `action` at all; field staff are further limited to their
    /// own cases (see [`Action::own_cases_only`]).
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        match self {
            Self::Clerk => matches!(
                action,
                View | Register
                    | Edit
                    | RecordStep
                    | Commit
                    | Return
                    | Supplement
                    | HandOver
                    | Complete
                    | Deliver
                    | Withdraw
                    | Unmask
            ),
            Self::Supervisor => matches!(
                action,
                View | Return
                    | Accept
                    | RecordStep
                    | Commit
                    | CheckCommitment
                    | BreakCommitment
                    | Forward
                    | RefuseIntake
                    | Correct
                    | Extend
                    | Suspend
                    | Resume
                    | Terminate
                    | Approve
                    | Reject
                    | Complete
                    | Deliver
                    | Withdraw
                    | Reassign
                    | Resolve
                    | Grant
                    | Rectify
                    | ReadAudit
                    | ReadFigures
                    | Unmask
            ),
            // The home visit is recorded where it happens, on the field laptop.
            Self::Field => matches!(action, View | Register | Edit | Supplement | RecordStep),
            Self::Admin => matches!(action, ManageUsers | PruneAudit | ConfigureDesk | Backup),
            // Only on cases reported up to the county (the workflow checks where a case is).
            Self::County => matches!(
                action,
                View | Approve
                    | Reject
                    | SendBack
                    | Extend
                    | Suspend
                    | Resume
                    | Terminate
                    | Resolve
                    | ReadAudit
                    | ReadFigures
                    | Unmask
            ),
        }
    }

    /// Field staff see and change only the cases they registered or were assigned.
    pub fn own_cases_only(self) -> bool {
        self == Self::Field
    }

    /// Whether the account belongs to the county rather than to one township.
    pub fn is_county(self) -> bool {
        self == Self::County
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ROLES
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown role {s:?}; use clerk, supervisor, field, admin or county / 未知角色“{s}”，可用 clerk、supervisor、field、admin、county"
                )
            })
    }
}

/// Everything a user can ask of the system that the roles table decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    View,
    Register,
    /// Correct an applicant field.
    Edit,
    /// Return for missing materials, with the one-time notice (补正).
    Return,
    /// Record that the missing materials were brought.
    Supplement,
    Accept,
    /// 告知承诺: the applicant's signed commitment stands in for materials that allow it.
    Commit,
    /// The organ's later check of a commitment, finding it true, or untrue (the material is
    /// missing again and holds the decision up), with what it found.
    CheckCommitment,
    BreakCommitment,
    /// Record a step of the assistance procedure (核对, 入户调查, 民主评议, 公示, 异议).
    RecordStep,
    /// Report an accepted case up to the county organ that decides it (上报), with the
    /// township's opinion.
    Forward,
    /// The county sends a reported case back to the township, with the reason.
    SendBack,
    /// Refuse the application at intake (不予受理), on a stated ground.
    RefuseIntake,
    /// Correct an applicant fact after acceptance (更正), with the reason on the record.
    Correct,
    /// Extend the time limit once (延期), with the head's approval and a reason.
    Extend,
    /// Stop the clock (中止) for a site check, an assessment or a 公示, with the reason.
    Suspend,
    /// Restart it where it stopped.
    Resume,
    /// End the procedure (终止办理), with the reason.
    Terminate,
    /// Record how the result reached the applicant (送达).
    Deliver,
    /// Hand an accepted case over for review.
    HandOver,
    Approve,
    Reject,
    Complete,
    Withdraw,
    Reassign,
    /// Settle two conflicting offline decisions.
    Resolve,
    ManageUsers,
    /// See a case's audit trail: who saw or changed it.
    ReadAudit,
    /// See an applicant's whole ID and phone numbers (masked everywhere else).
    Unmask,
    /// Remove audit events past their retention period from this desk.
    PruneAudit,
    /// Change this desk's settings that decide where its data goes (the hub's address).
    ConfigureDesk,
    /// Write a copy of the whole desk (every case) to a backup file.
    Backup,
    /// See the supervision figures (办结率, 超期率 ...) and the cases behind them.
    ReadFigures,
    /// Grant a department a case's 有条件共享 resources, until a date, for so many uses.
    Grant,
    /// Close a 差评's rectification with the follow-up and what was done.
    Rectify,
}

pub const ACTIONS: [Action; 35] = [
    Action::View,
    Action::Register,
    Action::Edit,
    Action::Return,
    Action::Supplement,
    Action::Accept,
    Action::RecordStep,
    Action::Commit,
    Action::CheckCommitment,
    Action::BreakCommitment,
    Action::Forward,
    Action::SendBack,
    Action::RefuseIntake,
    Action::Correct,
    Action::Extend,
    Action::Suspend,
    Action::Resume,
    Action::Terminate,
    Action::Deliver,
    Action::HandOver,
    Action::Approve,
    Action::Reject,
    Action::Complete,
    Action::Withdraw,
    Action::Reassign,
    Action::Resolve,
    Action::ManageUsers,
    Action::ReadAudit,
    Action::Unmask,
    Action::PruneAudit,
    Action::ConfigureDesk,
    Action::Backup,
    Action::ReadFigures,
    Action::Grant,
    Action::Rectify,
];

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::View => "view",
            Self::Register => "register",
            Self::Edit => "edit",
            Self::Return => "return",
            Self::Supplement => "supplement",
            Self::Accept => "accept",
            Self::RecordStep => "record_step",
            Self::Commit => "commit",
            Self::CheckCommitment => "check_commitment",
            Self::BreakCommitment => "break_commitment",
            Self::Forward => "forward",
            Self::SendBack => "send_back",
            Self::RefuseIntake => "refuse_intake",
            Self::Correct => "correct",
            Self::Extend => "extend",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::Terminate => "terminate",
            Self::Deliver => "deliver",
            Self::HandOver => "hand_over",
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Complete => "complete",
            Self::Withdraw => "withdraw",
            Self::Reassign => "reassign",
            Self::Resolve => "resolve",
            Self::ManageUsers => "manage_users",
            Self::ReadAudit => "read_audit",
            Self::Unmask => "unmask",
            Self::PruneAudit => "prune_audit",
            Self::ConfigureDesk => "configure_desk",
            Self::Backup => "backup",
            Self::ReadFigures => "read_figures",
            Self::Grant => "grant",
            Self::Rectify => "rectify",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::View => "查看办件",
            Self::Register => "登记办件",
            Self::Edit => "更正申请人信息",
            Self::Return => "退回补正",
            Self::Supplement => "登记补正材料",
            Self::Accept => "受理",
            Self::RecordStep => "记录调查核实",
            Self::Commit => "告知承诺代替材料",
            Self::CheckCommitment => "核查承诺属实",
            Self::BreakCommitment => "核查承诺不实",
            Self::Forward => "上报县级部门",
            Self::SendBack => "退回乡镇",
            Self::RefuseIntake => "不予受理",
            Self::Correct => "更正申请人信息",
            Self::Extend => "延长办理期限",
            Self::Suspend => "中止办理",
            Self::Resume => "恢复办理",
            Self::Terminate => "终止办理",
            Self::Deliver => "送达",
            Self::HandOver => "提交审核",
            Self::Approve => "批准",
            Self::Reject => "不予批准",
            Self::Complete => "办结",
            Self::Withdraw => "撤回",
            Self::Reassign => "改派",
            Self::Resolve => "裁决冲突",
            Self::ManageUsers => "管理用户",
            Self::ReadAudit => "查看审计记录",
            Self::Unmask => "查看完整证件号码",
            Self::PruneAudit => "清理过期审计记录",
            Self::ConfigureDesk => "更改本机的中心地址",
            Self::Backup => "备份本机数据",
            Self::ReadFigures => "查看监察统计",
            Self::Grant => "授权部门共享",
            Self::Rectify => "差评整改",
        }
    }

    /// Decisions are signed with the device key and verified by the hub.
    pub fn is_decision(self) -> bool {
        matches!(
            self,
            Self::Approve | Self::Reject | Self::Resolve | Self::RefuseIntake | Self::Terminate
        )
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ACTIONS
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("unknown action {s:?} / 未知操作“{s}”"))
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_and_admins_never_touch_cases() {
        for role in ROLES {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().unwrap_err().contains("未知角色"));
        for action in ACTIONS {
            assert_eq!(
                Role::Admin.may(action),
                // A backup is the whole desk, encrypted: the administrator keeps it without
                // reading a case.
                matches!(
                    action,
                    Action::ManageUsers
                        | Action::PruneAudit
                        | Action::ConfigureDesk
                        | Action::Backup
                )
            );
            assert!(!Role::Field.may(action) || !action.is_decision());
        }
    }
}
