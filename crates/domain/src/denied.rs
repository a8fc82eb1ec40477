//! Why the workflow refuses an action: every refusal names its rule, in both languages.

use crate::case::CaseStatus;
use crate::delivery::MAX_DELIVERY_CHARS;
use crate::materials::MAX_SUPPLEMENT_DAYS;
use crate::role::{Action, Role};
use crate::workflow::{MAX_DEFERRAL_DAYS, MAX_EXTENSION_DAYS, MAX_REASON_CHARS};

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
    FactsLocked,
    AlreadyExtended,
    ExtensionOutOfRange,
    /// A grant names one registered department's code, 1 to 16 resources, a last day within a
    /// year and 1 to 100 uses.
    GrantTerms,
    /// No 差评 of the case waits for rectification.
    NothingToRectify,
    /// A rectification records the follow-up (回访) and what was done, each 1 to 500 characters.
    RectificationRequired,
    ReferralRequired,
    AlreadyDelivered,
    MethodRequired,
    TrackingRequired(crate::delivery::DeliveryMethod),
    DeliveryTooLong,
    NoAssignee,
    NoOutcome(String),
    MaterialsMissing(String),
    MaterialsOutstanding(String),
    NotDeferrable(String),
    NotMissing(String),
    CommitmentRequired,
    DeadlineOutOfRange,
    NoticeDeadlineOutOfRange,
    NotAwaited(String),
    PaperMissing(crate::paper::PaperKind),
    /// The item is decided by this county organ: the township reports it up.
    CountyDecides(String),
    /// The material is not missing, or the catalogue does not let a commitment stand in for it.
    NotCommittable(String),
    /// Nothing (or not this material) stands on a commitment to be checked.
    NoCommitment(String),
    /// A commitment the case was accepted on is not checked yet.
    CommitmentUnchecked,
    /// The item has no assistance procedure to record steps of.
    NoSteps,
    StepRequired,
    /// A 公示 posts its first day (from registration to today), the household's size and the
    /// monthly amount proposed; nothing else carries them.
    PublicityDetails,
    /// A household member is a name and a relation, listed by a home visit only.
    MemberDetails,
    /// An objection answers a 公示 posted before.
    NoPublicity,
    /// The steps the item needs before 上报, still missing.
    StepsMissing(String),
    /// The 公示 runs until this day: the report waits for it to end.
    PublicityRunning(String),
    /// Only an item the county decides is reported up.
    NotCountyItem,
    /// The case is with the county: the township waits for its decision.
    AtCounty,
    /// A county account acts only on cases reported up to it.
    NotAtCounty,
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
            Self::AlreadyExtended => text!(
                "the time limit of this case was already extended; the law allows it once",
                "本办件已延长过办理期限，依法只能延长一次"
            ),
            Self::ExtensionOutOfRange => text!(
                "an extension adds between 1 and {MAX_EXTENSION_DAYS} working days",
                "延长期限须为1至{MAX_EXTENSION_DAYS}个工作日"
            ),
            Self::GrantTerms => text!(
                "a grant names the department's code (--department MZ01), the resources (--scope package|material:CODE|field:NAME, 1 to 16), the last day it holds (--until YYYY-MM-DD, within a year of today) and the uses allowed (--uses 1 to 100)",
                "授权须写明部门编码（--department）、共享资源（--scope，1至16项）、有效期至（--until，一年以内）和可用次数（--uses，1至100次）"
            ),
            Self::NothingToRectify => text!(
                "no dissatisfied rating of this case waits for rectification",
                "本办件没有待整改的差评"
            ),
            Self::RectificationRequired => text!(
                "a rectification records the follow-up with the applicant (--follow-up) and what was done (--action), each up to 500 characters",
                "整改须写明回访情况和整改措施，各不超过500字"
            ),
            Self::FactsLocked => text!(
                "the applicant's name is fixed once the case is accepted; a supervisor corrects it with the reason: tongban case correct",
                "办件受理后申请人姓名不可直接修改，须由审批人员说明理由予以更正（tongban case correct）"
            ),
            Self::GroundRequired => text!(
                "a refusal at intake names its ground: not_required, out_of_scope or not_eligible",
                "不予受理须写明理由类别：not_required（依法不需要办理）、out_of_scope（不属于本机关职权范围）或 not_eligible（不符合申请条件）"
            ),
            Self::ReferralRequired => text!(
                "a matter of another organ is refused only with that organ named for the applicant",
                "不属于本机关职权范围的，须告知申请人向哪一机关申请"
            ),
            Self::AlreadyDelivered => text!(
                "the result of this case was already delivered",
                "本办件的结果已送达"
            ),
            Self::MethodRequired => text!(
                "a delivery names its method: window, post or electronic",
                "送达须写明方式：window（窗口）、post（邮寄）或 electronic（电子）"
            ),
            Self::TrackingRequired(method) => {
                let method_zh = method.label_zh();
                let (en, zh) = if *method == crate::delivery::DeliveryMethod::Post {
                    ("the tracking number (--tracking)", "邮件单号")
                } else {
                    (
                        "the address it was sent to, with the applicant's consent (--tracking)",
                        "经申请人同意的送达地址",
                    )
                };
                text!("delivery by {method} needs {en}", "{method_zh}须记录{zh}")
            }
            Self::DeliveryTooLong => text!(
                "a recipient, tracking number or address is at most {MAX_DELIVERY_CHARS} characters",
                "受送达人、邮件单号或送达地址不得超过{MAX_DELIVERY_CHARS}个字符"
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
            Self::NoticeDeadlineOutOfRange => text!(
                "the date to bring the materials by is between tomorrow and {MAX_SUPPLEMENT_DAYS} days from today",
                "补正期限须在明天至{MAX_SUPPLEMENT_DAYS}天之内"
            ),
            Self::NotAwaited(material) => text!(
                "material {material} is not among those the one-time notice still waits for",
                "材料“{material}”不在一次性告知书尚待补正的材料之中"
            ),
            Self::PaperMissing(paper) => {
                let (paper_zh, paper) = (paper.label_zh(), paper.as_str());
                text!(
                    "scan the signed {paper} first (tongban case attach --paper {paper})",
                    "请先扫描附上经签字的{paper_zh}"
                )
            }
            Self::CountyDecides(organ) => text!(
                "this item is decided by {organ}: report the case up (tongban case forward) instead of deciding it here",
                "本事项由{organ}决定，乡镇不能作出决定，请上报县级部门"
            ),
            Self::NotCommittable(material) => text!(
                "a commitment cannot stand in for {material}: it is not missing, or the catalogue does not allow it (告知承诺制)",
                "材料“{material}”不能以告知承诺代替：该材料并未缺少，或事项目录不允许"
            ),
            Self::NoCommitment(material) => text!(
                "no commitment stands in for {material} to be checked",
                "材料“{material}”没有待核查的告知承诺"
            ),
            Self::CommitmentUnchecked => text!(
                "check the commitments this case was accepted on before closing it (tongban case check-commitment)",
                "办件据以受理的告知承诺尚未核查，核查后方可办结"
            ),
            Self::NoSteps => text!(
                "this item has no investigation steps to record",
                "本事项没有需要记录的调查核实步骤"
            ),
            Self::StepRequired => text!(
                "name the step (--step income_check|home_visit|appraisal|publicity|objection) and what was found (--reason)",
                "请选择调查核实步骤并填写核查情况"
            ),
            Self::PublicityDetails => {
                let (most, max) = (
                    crate::assistance::MAX_HOUSEHOLD,
                    crate::assistance::MAX_MONTHLY_YUAN,
                );
                text!(
                    "a 公示 gives its first day (from registration to today), the household's size (1 to {most}) and the monthly amount (1 to {max} yuan); other steps give none of these",
                    "公示须填写开始日期（登记日至今天）、家庭人口（1至{most}人）和拟保障金额（每月1至{max}元），其他步骤不填这些"
                )
            }
            Self::MemberDetails => {
                let (most, chars) = (
                    crate::assistance::MAX_HOUSEHOLD,
                    crate::assistance::MAX_RELATION_CHARS,
                );
                text!(
                    "a household member is given as NAME:RELATION (a relation of at most {chars} characters), at most {most} of them, with the home visit only",
                    "家庭成员按“姓名:关系”填写（关系不超过{chars}个字），最多{most}人，仅在入户调查时记录"
                )
            }
            Self::NoPublicity => text!(
                "an objection answers a 公示: record the 公示 first",
                "公示异议须在公示之后记录，请先记录公示"
            ),
            Self::StepsMissing(steps) => text!(
                "before reporting up, record: {steps}",
                "上报前尚须完成：{steps}"
            ),
            Self::PublicityRunning(until) => text!(
                "the 公示 runs until {until}; report the case up after it ends",
                "公示期至{until}，期满后方可上报"
            ),
            Self::NotCountyItem => text!(
                "this item is decided at the township, so it is not reported up to the county",
                "本事项由乡镇决定，无需上报县级部门"
            ),
            Self::AtCounty => text!(
                "the case is with the county organ, which decides it or sends it back",
                "办件已上报县级部门，由县级部门决定或退回"
            ),
            Self::NotAtCounty => text!(
                "a county account acts only on cases a township reported up",
                "县级账户只能办理乡镇上报的办件"
            ),
            Self::BadMove(kind, from, to) => text!(
                "an event of kind {kind} records a move from {from} to {to} that the rules do not give from the state its author saw",
                "{kind}事件记录的状态变化（{from}→{to}）与作者所见办件状态下规则给出的不符"
            ),
        }
    }
}
