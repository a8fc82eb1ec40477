//! The papers of deciding: notices that the clock stopped or was extended, and the decision.

use crate::sheet::{Paper, PrintError};
use crate::{SEAL_NOTE, addressed, appeal_note, organ_footer, organ_sheet, seal_block};
use time::Date;
use tongban_domain::Case;
use tongban_domain::calendar::official_date;

/// What a 中止 or 延期 notice tells the applicant about the clock.
pub enum ClockChange {
    /// 中止告知书: the clock stands still from `date` for the reason given.
    Suspension,
    /// 延期告知书: the limit is extended by `days` working days with the head's approval.
    Extension { days: u16 },
}

/// 中止告知书 or 延期告知书, issued in the deciding organ's name.
pub struct ClockNotice<'a> {
    pub case: &'a Case,
    /// The document's number (文号).
    pub number: String,
    pub township: &'a str,
    pub organ: &'a str,
    pub change: ClockChange,
    pub reason: &'a str,
    /// The supervisor who suspended or approved the extension.
    pub by: &'a str,
    pub date: Date,
    /// The promised date as it stands after the change (none while suspended).
    pub deadline: Option<Date>,
    /// The provisions the change rests on.
    pub basis: Vec<String>,
    /// Printed before: the copy says 补打 (a reprint, not a second issue).
    pub reprint: bool,
}

pub struct Decision<'a> {
    /// The case as the decision's seal recorded it.
    pub case: &'a Case,
    pub township: &'a str,
    /// The organ in whose name the decision is made, and the document's number (文号).
    pub organ: &'a str,
    pub number: String,
    /// What kind of item it is: the wording follows it.
    pub kind: tongban_domain::ItemKind,
    /// The provisions the decision rests on.
    pub basis: Vec<String>,
    /// The reconsideration organ and the court, when the catalogue names them.
    pub appeal: Option<&'a tongban_domain::AppealOrgans>,
    pub approved: bool,
    pub reason: Option<String>,
    /// Everyone who approved or decided, in order.
    pub supervisors: Vec<String>,
    /// A benefit granted: the monthly amount (yuan) and the month payment starts from.
    pub benefit: Option<(u32, Date)>,
    /// The household the benefit covers, as the home visit found it (name and relation).
    pub household: &'a [tongban_domain::assistance::Member],
    pub date: Date,
    /// The fingerprint of the decision's seal (device signature over the case).
    pub fingerprint: String,
    /// Printed before: the copy says 补打 (a reprint, not a second issue).
    pub reprint: bool,
}

pub fn clock_notice(n: &ClockNotice<'_>) -> Result<Paper, PrintError> {
    let case = n.case;
    let title = match n.change {
        ClockChange::Suspension => "中止办理告知书",
        ClockChange::Extension { .. } => "延长办理期限告知书",
    };
    let mut sheet = organ_sheet(case, n.organ, title, &n.number, n.reprint)?;
    sheet.gap(4.0);
    let what = match n.change {
        ClockChange::Suspension => format!(
            "因{}，本机关决定自{}起中止办理。中止期间不计入办理期限；恢复办理时将另行告知，办理期限自恢复之日起接续计算。",
            n.reason,
            official_date(n.date)
        ),
        ClockChange::Extension { days } => format!(
            "因{}，不能在承诺期限内作出决定。经本机关负责人批准，办理期限延长{days}个工作日。",
            n.reason
        ),
    };
    sheet.paragraph(11.0, 0.0, &addressed(case, &what));
    if !n.basis.is_empty() {
        sheet.field("依据", &n.basis.join("；"));
    }
    if let Some(deadline) = n.deadline {
        sheet.field("办结期限", &format!("{}前", official_date(deadline)));
    }
    sheet.gap(6.0);
    let signer = match n.change {
        ClockChange::Suspension => "决定人",
        ClockChange::Extension { .. } => "批准人",
    };
    sheet.field(signer, n.by);
    seal_block(&mut sheet, n.organ, n.date);
    organ_footer(
        &mut sheet,
        n.organ,
        n.township,
        "本告知书一式两份，申请人与窗口各执一份",
    );
    Ok(sheet.finish())
}

pub fn decision(d: &Decision<'_>) -> Result<Paper, PrintError> {
    let case = d.case;
    let title = d.kind.decision_title(d.approved);
    let mut sheet = organ_sheet(case, d.organ, title, &d.number, d.reprint)?;
    let registered = tongban_domain::calendar::china_date(case.created_at_ms);
    sheet.field("申请日期", &official_date(registered));
    sheet.gap(4.0);
    // A case the township reported up was reviewed there first: the letter says so.
    let reported = case
        .events
        .iter()
        .any(|e| e.kind == tongban_domain::EventKind::Forwarded);
    let how = if reported {
        "经乡镇人民政府审核上报，本机关审查"
    } else {
        "经审查"
    };
    let what = format!("{how}，{}。", d.kind.decision_words(d.approved));
    sheet.paragraph(11.0, 0.0, &addressed(case, &what));
    if let Some(reason) = &d.reason {
        sheet.field("理由", reason);
    }
    if d.approved && d.benefit.is_some() && !d.household.is_empty() {
        let covered: Vec<String> = std::iter::once(format!("{}（申请人）", case.applicant.name))
            .chain(
                d.household
                    .iter()
                    .map(|m| format!("{}（{}）", m.name, m.relation)),
            )
            .collect();
        sheet.field("保障对象", &covered.join("、"));
    }
    if let Some((monthly, from)) = d.benefit.filter(|_| d.approved) {
        sheet.field(
            "保障金额",
            &format!(
                "每月{monthly}元，自{}年{}月起按月发放",
                from.year(),
                u8::from(from.month())
            ),
        );
    }
    if !d.basis.is_empty() {
        sheet.field("依据", &d.basis.join("；"));
    }
    // Every adverse decision states the appeal routes (《行政许可法》第三十八条).
    if !d.approved {
        sheet.gap(2.0);
        sheet.paragraph(10.0, 0.0, &appeal_note(d.appeal));
    }
    sheet.gap(6.0);
    sheet.field("审批人", &d.supervisors.join("、"));
    sheet.field("签章指纹", &d.fingerprint);
    seal_block(&mut sheet, d.organ, d.date);
    organ_footer(&mut sheet, d.organ, d.township, SEAL_NOTE);
    Ok(sheet.finish())
}
