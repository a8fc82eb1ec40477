//! Every string the window shows, in Chinese (default) and English. Screens name a `Key`;
//! nothing user-visible is written inline.

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

macro_rules! catalogue {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key { $($key),* }
        impl Key {
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Key::$key, Lang::Zh) => $zh, (Key::$key, Lang::En) => $en,)*
                }
            }
        }
    };
}

catalogue! {
    AppName => "通办受理台", "Tongban case desk";
    EnrolTitle => "登记本机", "Enrol this desk";
    EnrolIntro => "本机首次使用，请填写中心地址、管理员提供的一次性登记码，以及管理员为您开设的账户。", "This desk is new. Enter the hub address, the one-time code from your administrator and the account they created for you.";
    HubUrl => "中心地址", "Hub address";
    HubUrlByAdmin => "中心地址只能由系统管理员更改（并记入审计）", "Only an administrator changes the hub's address (and it is audited)";
    EnrolCode => "登记码", "Enrolment code";
    EnrolCodeHelp => "请照管理员给出的整行输入，包括@后面的中心密钥指纹：本机只信任带有该指纹的中心。", "Type the whole line the operator gave you, with the hub key's fingerprint after the @: this desk trusts only the hub holding that key.";
    UserName => "用户名", "User name";
    Password => "密码", "Password";
    PasswordAgain => "再次输入密码", "Password again";
    Passphrase => "恢复口令", "Recovery passphrase";
    PassphraseAgain => "再次输入恢复口令", "Recovery passphrase again";
    PassphraseHelp => "恢复口令用于在系统密钥环丢失或更换电脑时恢复本机数据。请抄写在纸上，存放在保险柜中；至少12个字符。", "The recovery passphrase restores this desk's data if the system keyring is lost. Write it on paper and keep it in the safe; at least 12 characters.";
    EnrolSubmit => "登记并开始使用", "Enrol and start";
    Mismatch => "两次输入不一致", "The two entries differ";
    SignInTitle => "登录", "Sign in";
    SignInSubmit => "登录", "Sign in";
    ChangePassword => "修改密码", "Change password";
    ChangePasswordHelp => "新密码至少10个字符，不能是常用密码或包含用户名；修改后在本机立即生效，下次同步后在您工作的其他设备上生效。", "At least 10 characters, not a common password and not containing your name; it works here at once and on your other desks after they sync.";
    NewPassword => "新密码", "New password";
    NewPasswordAgain => "再次输入新密码", "New password again";
    ChangePasswordSubmit => "修改密码并登录", "Change password and sign in";
    SignOut => "退出", "Sign out";
    RecoverTitle => "恢复访问", "Restore access";
    RecoverSubmit => "用恢复口令恢复", "Restore with passphrase";
    NavIntake => "受理登记", "Intake";
    NavCases => "办件查询", "Cases";
    NavSettings => "设置", "Settings";
    ServiceItem => "服务事项", "Service item";
    ItemSearchHint => "输入事项名称、编号或拼音首字母", "Type the item's name, code or pinyin initials";
    Applicant => "申请人", "Applicant";
    ApplicantName => "姓名/单位名称", "Name";
    IdNumber => "证件号码/信用代码", "ID number / credit code";
    IdType => "证件类型", "ID document";
    AgentSection => "代办人（他人代为申请时填写）", "Agent (when someone applies for the applicant)";
    AgentName => "代办人姓名", "Agent's name";
    AgentRelation => "代办关系", "Relation";
    AgentIdNumber => "代办人身份证号", "Agent's ID number";
    RelationGuardian => "监护人", "Guardian";
    RelationFamily => "近亲属", "Family member";
    RelationCommittee => "村（居）委会", "Village committee";
    RelationEntrusted => "受托人（须有授权委托书）", "Entrusted (with a power of attorney)";
    Agent => "代办人", "Agent";
    PaperPowerOfAttorney => "授权委托书（申请人签字）", "Power of attorney (signed)";
    PaperCommitment => "告知承诺书（申请人签字）", "Written commitment (signed)";
    IdResident => "居民身份证", "Resident ID card";
    IdHmt => "港澳台居民证件（通行证、居住证）", "Hong Kong, Macao or Taiwan permit";
    IdPassport => "护照", "Passport";
    IdForeignPr => "外国人永久居留身份证", "Foreigner's permanent residence card";
    Phone => "手机号码", "Mobile";
    Address => "地址", "Address";
    Materials => "材料清单（勾选已收材料）", "Materials (tick what was received)";
    MaterialsStatus => "材料", "Materials";
    Save => "保存（回车）", "Save (Enter)";
    Saved => "已登记，办件编号", "Registered. Case number";
    ChooseItem => "请先选择服务事项", "Choose a service item first";
    PromisedDays => "承诺办结时限（工作日）", "Promised working days";
    SearchCases => "按办件编号、身份证号或姓名查找", "Find by case number, ID number or name";
    AllStatuses => "全部状态", "All statuses";
    AllItems => "全部事项", "All items";
    Date => "登记日期", "Registered on";
    Previous => "上一页", "Previous";
    Next => "下一页", "Next";
    NoCases => "暂无办件", "No cases";
    CaseNumber => "办件编号", "Case number";
    Status => "状态", "Status";
    Clerk => "受理人", "Clerk";
    RegisteredAt => "登记时间", "Registered at";
    Timeline => "办理记录", "Timeline";
    ShowWhole => "显示完整号码", "Show in full";
    AuditTrail => "审计记录", "Audit trail";
    ShowAudit => "查看谁查看或修改了本件", "Show who saw or changed this case";
    RefusedMark => "（被拒绝）", " (refused)";
    Edit => "修改", "Edit";
    Cancel => "取消", "Cancel";
    Back => "返回列表", "Back to list";
    Received => "已收", "Received";
    Missing => "缺", "Missing";
    Deferred => "容缺", "Deferred";
    Committed => "承诺", "On commitment";
    Verified => "承诺已核实", "Commitment verified";
    Online => "已联网", "Online";
    Offline => "离线", "Offline";
    Unknown => "未连接", "Not yet connected";
    Syncing => "同步中", "Syncing";
    Waiting => "待上传", "Waiting";
    LastSync => "上次同步", "Last sync";
    Never => "从未", "never";
    SyncNow => "立即同步", "Sync now";
    Language => "语言", "Language";
    About => "关于", "About";
    Version => "版本", "Version";
    DataLocation => "数据位置", "Data location";
    HubFingerprint => "中心密钥指纹", "Hub key fingerprint";
    Township => "乡镇", "Township";
    SaveSettings => "保存", "Save";
    SettingsSaved => "已保存", "Saved";
    Shortcuts => "快捷键：Alt+N 新受理，Alt+L 办件查询，Ctrl+K 查找，Alt+S 同步", "Shortcuts: Alt+N new case, Alt+L cases, Ctrl+K find, Alt+S sync";
    Working => "请稍候…", "Please wait…";
    StatusRegistered => "已登记", "Registered";
    StatusSupplementRequested => "待补正", "Materials requested";
    StatusSupplemented => "已补正", "Materials supplied";
    StatusAccepted => "已受理", "Accepted";
    StatusUnderReview => "审核中", "Under review";
    StatusApproved => "已批准", "Approved";
    StatusRejected => "不予批准", "Rejected";
    StatusCompleted => "已办结", "Completed";
    StatusWithdrawn => "已撤回", "Withdrawn";
    StatusIntakeRefused => "不予受理", "Refused at intake";
    StatusSuspended => "中止办理", "Suspended";
    StatusTerminated => "终止办理", "Terminated";
    StatusForwarded => "已上报县级", "With the county";
    EventRegistered => "登记受理", "Registered";
    EventFieldChanged => "修改申请人信息", "Changed applicant details";
    EventOther => "其他", "Other";
    EventReturned => "一次性告知补正", "Returned for materials";
    EventSupplemented => "补正材料", "Materials supplied";
    EventAccepted => "受理", "Accepted";
    EventHandedOver => "提交审核", "Handed over for review";
    EventApproved => "批准", "Approved";
    EventRejected => "不予批准", "Rejected";
    EventCompleted => "办结", "Completed";
    EventWithdrawn => "撤回", "Withdrawn";
    EventIntakeRefused => "不予受理", "Refused at intake";
    EventCorrected => "更正", "Corrected";
    EventExtended => "延长办理期限", "Time limit extended";
    EventSuspended => "中止办理", "Suspended";
    EventResumed => "恢复办理", "Resumed";
    EventTerminated => "终止办理", "Terminated";
    EventForwarded => "上报县级部门", "Reported to the county";
    EventSentBack => "县级退回乡镇", "Sent back by the county";
    EventDelivered => "送达", "Delivered";
    EventReassigned => "改派", "Reassigned";
    EventResolved => "裁决冲突", "Conflict resolved";
    EventPagesAttached => "附加扫描件", "Pages attached";
    EventSharingGranted => "授权部门共享", "Sharing granted to a department";
    EventRated => "申请人评价", "Rated by the applicant";
    EventRectified => "差评整改", "Dissatisfied rating rectified";
    Scans => "扫描件", "Scanned pages";
    AttachTo => "附加到材料", "Attach to material";
    PickFiles => "选择文件…", "Choose files…";
    ScanPage => "扫描一页", "Scan a page";
    Greyscale => "灰度保存", "Store in greyscale";
    AttachPages => "附加所选文件", "Attach the ticked files";
    WaitingFiles => "待附加的文件（扫描仪收件夹、拖入或选择的文件）", "Files waiting (scanner inbox, dropped or chosen)";
    NoWaitingFiles => "暂无待附加的文件。可将文件拖入窗口，或放入扫描仪收件夹：", "No files waiting. Drop files on the window or into the scanner inbox:";
    NoPages => "尚无扫描件", "No pages yet";
    NotHereYet => "尚未同步到本机", "Not on this desk yet";
    PrintReceipt => "打印收件凭证", "Print receipt of materials";
    PrintAcceptance => "打印受理通知书", "Print acceptance notice";
    PrintNotice => "打印一次性告知书", "Print one-time notice";
    PrintDecision => "打印决定书", "Print decision";
    PrintPublicity => "打印公示", "Print the public notice";
    PrintRefusal => "打印不予受理决定书", "Print refusal at intake";
    PrintSuspension => "打印中止办理告知书", "Print suspension notice";
    PrintExtension => "打印延期告知书", "Print extension notice";
    Printed => "已生成并打开：", "Written and opened:";
    Importing => "正在导入扫描件", "Importing pages";
    Uploading => "正在上传扫描件", "Uploading pages";
    Downloading => "正在下载扫描件", "Downloading pages";
    ActReturn => "退回补正", "Return for materials";
    ActSupplement => "材料已补正", "Materials supplied";
    ActAccept => "受理", "Accept";
    ActHandOver => "提交审核", "Hand over for review";
    ActApprove => "批准", "Approve";
    ActReject => "不予批准", "Reject";
    ActComplete => "办结", "Complete";
    ActWithdraw => "撤回", "Withdraw";
    ActRefuseIntake => "不予受理", "Refuse at intake";
    ActExtend => "延长办理期限", "Extend the time limit";
    ActGrant => "授权部门共享", "Grant a department";
    ActRectify => "差评整改", "Rectify a dissatisfied rating";
    ActReassign => "改派", "Reassign";
    ReassignTo => "改派给（用户名）", "Reassign to (user name)";
    RectifyFollowUp => "回访情况", "Follow-up with the applicant";
    RectifyAction => "整改措施", "What was done";
    RectifyBy => "整改期限", "Rectify by";
    QueueRectify => "差评待整改", "Dissatisfied ratings to rectify";
    ActSuspend => "中止办理", "Suspend";
    ActResume => "恢复办理", "Resume";
    ActTerminate => "终止办理", "Terminate";
    ActForward => "上报县级部门", "Report to the county";
    ActRecordStep => "记录调查核实", "Record the step";
    ActCommit => "告知承诺代替材料", "Take a commitment instead";
    ActCheckCommitment => "核查承诺属实", "Commitment found true";
    ActBreakCommitment => "核查承诺不实", "Commitment found untrue";
    EventCommitmentBroken => "承诺不实", "Commitment found untrue";
    EventCommitted => "告知承诺", "Commitment taken";
    EventCommitmentChecked => "承诺已核查", "Commitment checked";
    CommitmentCheckDue => "承诺核查期限（受理之日起20个工作日内）", "Check the commitment by (20 working days from acceptance)";
    StepKindLegend => "调查核实步骤", "Step";
    StepIncomeCheck => "家庭经济状况核对", "Income and property check";
    StepHomeVisit => "入户调查", "Home visit";
    StepAppraisal => "民主评议", "Village appraisal";
    StepPublicity => "公示", "Public notice (7 days)";
    StepObjection => "公示异议", "Objection to the notice";
    PublicityFrom => "公示开始日期", "Notice posted on";
    VisitMembers => "家庭成员（姓名:关系，以逗号分隔）", "Household members (NAME:RELATION, comma-separated)";
    Members => "家庭成员：", "Household: ";
    PublicityHousehold => "家庭人口（人）", "People in the household";
    PublicityAmount => "拟保障金额（元/月）", "Proposed amount (yuan a month)";
    EventStepRecorded => "调查核实", "Investigation step";
    ActSendBack => "退回乡镇", "Send back to the township";
    ActDeliver => "登记送达", "Record delivery";
    DeliveryMethod => "送达方式", "Delivered by";
    MethodWindow => "窗口直接送达（受送达人签收送达回证）", "At the window (the recipient signs the receipt)";
    MethodPost => "邮寄送达", "By post";
    MethodElectronic => "电子送达（经申请人同意）", "Electronically (with the applicant's consent)";
    DeliveryTracking => "邮件单号或电子送达地址", "Tracking number or electronic address";
    DeliveryRecipient => "受送达人（默认为申请人）", "Recipient (the applicant if left empty)";
    PaperWithdrawalRequest => "撤回申请书（申请人签字）", "Written withdrawal request (signed)";
    PaperDeliveryReceipt => "送达回证（受送达人签收）", "Delivery receipt (signed)";
    ForwardDue => "乡镇上报期限（其余时限由县级部门办理）", "Report up by (the county keeps the rest)";
    DeliveryDue => "送达期限（决定之日起10个工作日内）", "Deliver by (10 working days from the decision)";
    DeliveredTo => "受送达人：", "Received by: ";
    DaysAdded => "延长工作日：", "Working days added: ";
    ReferredTo => "告知向其申请：", "Referred to: ";
    ExtendDays => "延长的工作日数（1至10日，只能延长一次）", "Working days to add (1 to 10, once)";
    RefusalGround => "不予受理理由类别", "Ground for refusing";
    GroundNotRequired => "申请事项依法不需要办理", "The matter needs no application";
    GroundOutOfScope => "不属于本机关职权范围", "Another organ's matter";
    GroundNotEligible => "申请人不符合申请条件", "The applicant is not eligible";
    ReferTo => "告知申请人向哪一机关申请", "The organ the applicant should turn to";
    DeemedAccepted => "逾期未告知补正，依法视为自登记之日起受理", "No notice within 5 working days: deemed accepted on registration";
    ActResolve => "裁决为：", "Resolve as: ";
    Reason => "理由/说明", "Reason / note";
    MissingToBring => "需补正的材料（一次性告知）", "Materials to bring (one-time notice)";
    DeferredMaterials => "容缺受理：以下材料由申请人承诺补交（承诺内容填在“理由”栏）", "Accept with deferred materials: the applicant commits to bring these (write the commitment under Reason)";
    DeferDue => "承诺补交期限", "Deadline to bring them";
    BringBy => "补正期限：", "Bring by: ";
    NoticeDue => "补正期限（不填则为30日后）", "Bring them by (30 days if left empty)";
    BroughtMaterials => "本次补正的材料（未勾选的继续等待补正）", "Materials brought now (the rest are still awaited)";
    MaterialsDue => "容缺材料补交期限", "Deferred materials due";
    Deadline => "承诺办结日期", "Promised by";
    FlagYellow => "临近期限", "Due soon";
    FlagRed => "已超期", "Overdue";
    Provisional => "（暂定）", " (provisional)";
    ProvisionalHint => "该年度节假日安排尚未公布，期限按法定节假日推算", "The year's holiday schedule is not published yet: the date counts the statutory holidays only";
    ConflictTitle => "两项离线决定相互冲突，须由审批人员裁决：", "Two offline decisions conflict; a supervisor must resolve them:";
    NavQueues => "工作台", "My work";
    NavFigures => "监察统计", "Supervision";
    NavArchive => "档案", "Archives";
    ArchiveTitle => "已办结办件与档案包", "Finished cases and their packages";
    ArchiveItem => "事项（申请人）", "Item (applicant)";
    ArchiveStatus => "办理结果", "Outcome";
    ArchiveCode => "档号", "Archival code";
    ArchiveExport => "导出档案包", "Export package";
    ArchiveExportedTo => "档案包已导出到", "Package written to";
    ArchiveCheckTitle => "档案包检测（四性检测）", "Check a package (DA/T 70)";
    ArchivePathHint => "档案包或批次所在文件夹", "Folder of a package or a batch";
    ArchivePick => "选择文件夹…", "Choose folder…";
    ArchiveCheck => "检测", "Check";
    StageGd => "归档环节", "Archiving (GD)";
    StageYj => "移交与接收环节", "Transfer (YJ)";
    StageBc => "长期保存环节", "Preservation (BC)";
    ArchivePassed => "合格", "pass";
    ArchiveFailed => "不合格", "fail";
    ArchiveNa => "不适用", "n/a";
    ArchiveSignedBy => "检测报告签名：", "Report signed by";
    ArchiveItemCode => "检测编号", "Item";
    ArchiveOutcome => "结果", "Result";
    ArchiveItemName => "检测项目", "Check";
    ArchiveDetail => "说明", "Detail";
    RateOnTime => "按时办结率", "On-time rate";
    WarningsBadge => "项电子监察提醒", "supervision warnings";
    FiguresFrom => "收件日期", "Received from";
    FiguresTo => "至", "to";
    FiguresBy => "分组", "Group by";
    FiguresByItem => "服务事项", "Item";
    FiguresByClerk => "收件人", "Clerk";
    FiguresByMonth => "月份", "Month";
    FiguresLoad => "统计", "Show";
    FiguresPdf => "导出PDF报表", "Report as PDF";
    FiguresXlsx => "导出Excel", "Export .xlsx";
    FiguresGroup => "分组", "Group";
    FiguresDays => "办理用时（工作日，平均/中位/第90百分位）", "Working days to decision (mean / median / 90th)";
    FiguresCompletionRate => "办结率", "Completion rate";
    FiguresOverdueRate => "超期率", "Overdue rate";
    FiguresFirstTimeRate => "一次办结率", "First-time rate";
    FiguresGoodRate => "好评率", "Satisfied rate";
    FiguresBadRate => "差评率", "Dissatisfied rate";
    FiguresRectifiedRate => "按期整改率", "Rectified on time";
    MeasureReceived => "收件", "Received";
    MeasureAccepted => "受理", "Accepted";
    MeasureDecided => "办结", "Decided";
    MeasureDecidedOnTime => "按时办结", "Decided on time";
    MeasureOverdue => "超期", "Overdue";
    MeasureOverdueOpen => "在办超期", "Open and overdue";
    MeasureFirstTime => "一次办结", "Decided first time";
    MeasureOnTheSpot => "即办件", "On the spot";
    MeasureReturned => "补正", "Returned for materials";
    MeasureWithdrawn => "撤回", "Withdrawn";
    MeasureTerminated => "终止", "Terminated";
    MeasureIntakeRefused => "不予受理", "Refused at intake";
    MeasureRated => "评价", "Rated";
    MeasureGood => "好评", "Satisfied";
    MeasureBad => "差评", "Dissatisfied";
    MeasureRectificationDue => "差评应整改", "Dissatisfied, due";
    MeasureRectifiedOnTime => "差评按期整改", "Rectified on time";
    QueueMine => "我的办件", "My cases";
    QueueAwaiting => "待我审批", "Awaiting my decision";
    QueueReturned => "待补正", "Returned for materials";
    QueueDue => "临近或超过期限", "Due soon or overdue";
    OneTimeCode => "动态验证码（如已开通）", "One-time code (if set up)";
    RoleClerk => "受理人员", "Clerk";
    RoleSupervisor => "审批人员", "Supervisor";
    RoleField => "外勤人员", "Field staff";
    RoleAdmin => "系统管理员", "Administrator";
    RoleCounty => "县级审批人员", "County officer";
}

impl Key {
    pub fn status(status: tongban_domain::CaseStatus) -> Self {
        use tongban_domain::CaseStatus as S;
        match status {
            S::Registered => Key::StatusRegistered,
            S::SupplementRequested => Key::StatusSupplementRequested,
            S::Supplemented => Key::StatusSupplemented,
            S::Accepted => Key::StatusAccepted,
            S::UnderReview => Key::StatusUnderReview,
            S::Approved => Key::StatusApproved,
            S::Rejected => Key::StatusRejected,
            S::Completed => Key::StatusCompleted,
            S::Withdrawn => Key::StatusWithdrawn,
            S::IntakeRefused => Key::StatusIntakeRefused,
            S::Suspended => Key::StatusSuspended,
            S::Terminated => Key::StatusTerminated,
            S::Forwarded => Key::StatusForwarded,
        }
    }

    pub fn event(kind: &tongban_domain::EventKind) -> Self {
        use tongban_domain::EventKind as E;
        match kind {
            E::Registered => Key::EventRegistered,
            E::FieldChanged => Key::EventFieldChanged,
            E::Returned => Key::EventReturned,
            E::Supplemented => Key::EventSupplemented,
            E::Accepted => Key::EventAccepted,
            E::HandedOver => Key::EventHandedOver,
            E::Approved => Key::EventApproved,
            E::Rejected => Key::EventRejected,
            E::Completed => Key::EventCompleted,
            E::Withdrawn => Key::EventWithdrawn,
            E::IntakeRefused => Key::EventIntakeRefused,
            E::Corrected => Key::EventCorrected,
            E::Extended => Key::EventExtended,
            E::Suspended => Key::EventSuspended,
            E::Resumed => Key::EventResumed,
            E::Terminated => Key::EventTerminated,
            E::Forwarded => Key::EventForwarded,
            E::SentBack => Key::EventSentBack,
            E::StepRecorded => Key::EventStepRecorded,
            E::Committed => Key::EventCommitted,
            E::CommitmentChecked => Key::EventCommitmentChecked,
            E::CommitmentBroken => Key::EventCommitmentBroken,
            E::Delivered => Key::EventDelivered,
            E::Reassigned => Key::EventReassigned,
            E::Resolved => Key::EventResolved,
            E::PagesAttached => Key::EventPagesAttached,
            E::SharingGranted => Key::EventSharingGranted,
            E::Rated => Key::EventRated,
            E::Rectified => Key::EventRectified,
            E::Other => Key::EventOther,
        }
    }

    pub fn ground(ground: tongban_domain::workflow::RefusalGround) -> Self {
        use tongban_domain::workflow::RefusalGround as G;
        match ground {
            G::NotRequired => Key::GroundNotRequired,
            G::OutOfScope => Key::GroundOutOfScope,
            G::NotEligible => Key::GroundNotEligible,
        }
    }

    pub fn paper(paper: tongban_domain::PaperKind) -> Self {
        use tongban_domain::PaperKind as P;
        match paper {
            P::WithdrawalRequest => Key::PaperWithdrawalRequest,
            P::DeliveryReceipt => Key::PaperDeliveryReceipt,
            P::PowerOfAttorney => Key::PaperPowerOfAttorney,
            P::Commitment => Key::PaperCommitment,
        }
    }

    pub fn relation(relation: tongban_domain::AgentRelation) -> Self {
        use tongban_domain::AgentRelation as R;
        match relation {
            R::Guardian => Key::RelationGuardian,
            R::Family => Key::RelationFamily,
            R::Committee => Key::RelationCommittee,
            R::Entrusted => Key::RelationEntrusted,
        }
    }

    pub fn method(method: tongban_domain::DeliveryMethod) -> Self {
        use tongban_domain::DeliveryMethod as M;
        match method {
            M::Window => Key::MethodWindow,
            M::Post => Key::MethodPost,
            M::Electronic => Key::MethodElectronic,
        }
    }

    pub fn id_type(id_type: tongban_domain::IdType) -> Self {
        use tongban_domain::IdType as T;
        match id_type {
            T::Resident => Key::IdResident,
            T::Hmt => Key::IdHmt,
            T::Passport => Key::IdPassport,
            T::ForeignPr => Key::IdForeignPr,
        }
    }

    pub fn measure(measure: tongban_domain::figures::Measure) -> Self {
        use tongban_domain::figures::Measure as M;
        match measure {
            M::Received => Key::MeasureReceived,
            M::Accepted => Key::MeasureAccepted,
            M::Decided => Key::MeasureDecided,
            M::DecidedOnTime => Key::MeasureDecidedOnTime,
            M::Overdue => Key::MeasureOverdue,
            M::OverdueOpen => Key::MeasureOverdueOpen,
            M::FirstTime => Key::MeasureFirstTime,
            M::OnTheSpot => Key::MeasureOnTheSpot,
            M::Returned => Key::MeasureReturned,
            M::Withdrawn => Key::MeasureWithdrawn,
            M::Terminated => Key::MeasureTerminated,
            M::IntakeRefused => Key::MeasureIntakeRefused,
            M::Rated => Key::MeasureRated,
            M::Good => Key::MeasureGood,
            M::Bad => Key::MeasureBad,
            M::RectificationDue => Key::MeasureRectificationDue,
            M::RectifiedOnTime => Key::MeasureRectifiedOnTime,
        }
    }

    pub fn role(role: tongban_domain::Role) -> Self {
        use tongban_domain::Role as R;
        match role {
            R::Clerk => Key::RoleClerk,
            R::Supervisor => Key::RoleSupervisor,
            R::Field => Key::RoleField,
            R::Admin => Key::RoleAdmin,
            R::County => Key::RoleCounty,
        }
    }

    pub fn step(step: tongban_domain::assistance::StepKind) -> Self {
        use tongban_domain::assistance::StepKind as S;
        match step {
            S::IncomeCheck => Key::StepIncomeCheck,
            S::HomeVisit => Key::StepHomeVisit,
            S::Appraisal => Key::StepAppraisal,
            S::Publicity => Key::StepPublicity,
            S::Objection => Key::StepObjection,
        }
    }

    /// The button for an action; resolutions get one button per outcome elsewhere.
    pub fn action(action: tongban_domain::Action) -> Self {
        use tongban_domain::Action as A;
        match action {
            A::Return => Key::ActReturn,
            A::Supplement => Key::ActSupplement,
            A::Accept => Key::ActAccept,
            A::HandOver => Key::ActHandOver,
            A::Approve => Key::ActApprove,
            A::Reject => Key::ActReject,
            A::Complete => Key::ActComplete,
            A::Withdraw => Key::ActWithdraw,
            A::RefuseIntake => Key::ActRefuseIntake,
            A::Extend => Key::ActExtend,
            A::Suspend => Key::ActSuspend,
            A::Resume => Key::ActResume,
            A::Terminate => Key::ActTerminate,
            A::Forward => Key::ActForward,
            A::RecordStep => Key::ActRecordStep,
            A::Commit => Key::ActCommit,
            A::CheckCommitment => Key::ActCheckCommitment,
            A::BreakCommitment => Key::ActBreakCommitment,
            A::SendBack => Key::ActSendBack,
            A::Deliver => Key::ActDeliver,
            A::Resolve => Key::ActResolve,
            A::Grant => Key::ActGrant,
            A::Rectify => Key::ActRectify,
            A::Reassign => Key::ActReassign,
            _ => Key::EventOther,
        }
    }
}

/// The current language, shared through context.
#[derive(Clone, Copy)]
pub struct Tr(pub RwSignal<Lang>);

impl Tr {
    pub fn get() -> Self {
        use_context::<Tr>().unwrap_or(Tr(RwSignal::new(Lang::Zh)))
    }

    pub fn t(self, key: Key) -> impl Fn() -> &'static str + Copy + 'static {
        move || key.text(self.0.get())
    }

    /// The text in the current language; inside a reactive closure it follows language changes.
    pub fn now(self, key: Key) -> &'static str {
        key.text(self.0.get())
    }

    /// A sentence with numbers in it, in the current language (`ui/locales`).
    pub fn say(self, id: &str, numbers: &[(&'static str, f64)]) -> String {
        crate::sentences::say(self.0.get(), id, numbers)
    }

    /// A sentence the shell sent in both languages: the one the clerk reads.
    pub fn pick(self, en: &str, zh: &str) -> String {
        match self.0.get() {
            Lang::Zh => zh.to_string(),
            Lang::En => en.to_string(),
        }
    }

    /// Error sentences arrive in both languages; show the one the clerk reads.
    pub fn error(self, e: &tongban_domain::desk::UiError) -> String {
        match self.0.get() {
            Lang::Zh => e.zh.clone(),
            Lang::En => e.en.clone(),
        }
    }
}
