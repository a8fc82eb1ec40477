//! The papers a citizen takes home: the receipt (受理回执), the one-time notice of missing
//! materials (一次性告知书), the refusal at intake (不予受理决定书) and the decision (决定书). One A4 page each, with the shipped CJK
//! font subset into the file so it prints the same on any machine.

#![forbid(unsafe_code)]

mod sheet;

pub use sheet::PrintError;
use sheet::{MARGIN, PAGE_W, Sheet};
use time::Date;
use tongban_domain::calendar::date_text;
use tongban_domain::{Case, MaterialStatus};

/// The legal basis of the one-time notice, printed on every notice.
pub const NOTICE_LAW: &str = "依据《中华人民共和国行政许可法》第三十二条，申请材料不齐全或者不符合法定形式的，应当当场或者在五日内一次告知申请人需要补正的全部内容。本告知书所列即为需要补正的全部材料；补齐后即予受理，不再要求提交本告知书以外的材料。";
/// Printed on a refusal: where the applicant may turn.
pub const APPEAL_NOTE: &str = "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者自收到之日起六个月内依法向人民法院提起行政诉讼。";

pub struct Receipt<'a> {
    pub case: &'a Case,
    pub township: &'a str,
    /// When the case is due; `None` until the working-day count can be made.
    pub promised: Option<Date>,
    pub printed: Date,
    /// The citizen's query code as printed (`XXXX-XXXX`); only the registering desk holds it.
    pub query: Option<&'a str>,
    /// Printed before: the copy says 补打 (a reprint, not a second issue).
    pub reprint: bool,
}

/// 不予受理决定书: issued in the deciding organ's name, with the ground, the reasons, where to
/// turn instead for a matter of another organ, and the appeal routes.
pub struct IntakeRefusal<'a> {
    pub case: &'a Case,
    /// The document's number (文号).
    pub number: String,
    pub township: &'a str,
    /// The organ in whose name the refusal is made (the item's deciding organ).
    pub organ: &'a str,
    pub ground: &'a str,
    pub reason: &'a str,
    pub refer_to: Option<&'a str>,
    /// The provisions the refusal rests on.
    pub basis: Vec<String>,
    /// The reconsideration organ and the court, when the catalogue names them.
    pub appeal: Option<&'a tongban_domain::AppealOrgans>,
    pub decided_by: &'a str,
    pub date: Date,
    pub fingerprint: String,
    /// Printed before: the copy says 补打 (a reprint, not a second issue).
    pub reprint: bool,
}

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

pub struct Notice<'a> {
    pub case: &'a Case,
    pub township: &'a str,
    /// Name and requirement of every missing material.
    pub missing: Vec<(String, String)>,
    pub reason: Option<String>,
    pub clerk: String,
    pub date: Date,
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
    pub date: Date,
    /// The fingerprint of the decision's seal (device signature over the case).
    pub fingerprint: String,
    /// Printed before: the copy says 补打 (a reprint, not a second issue).
    pub reprint: bool,
}

fn heading(sheet: &mut Sheet, township: &str, title: &str) {
    sheet.centered(13.0, &format!("{township}便民服务中心"));
    sheet.gap(2.0);
    sheet.centered(20.0, title);
    sheet.gap(4.0);
    sheet.rule();
}

fn applicant_lines(sheet: &mut Sheet, case: &Case) {
    sheet.field("办件编号", case.number.as_str());
    sheet.field(
        "服务事项",
        &format!("{}（{}）", case.item_name, case.item_code),
    );
    sheet.field("申请人", &case.applicant.name);
    sheet.field("证件号码", &case.applicant.id.masked());
}

/// The organ's heading, the title and the document's number, as official documents open.
fn organ_heading(sheet: &mut Sheet, organ: &str, title: &str, number: &str) {
    sheet.centered(13.0, organ);
    sheet.gap(2.0);
    sheet.centered(20.0, title);
    sheet.gap(2.0);
    sheet.centered(10.0, number);
    sheet.gap(3.0);
    sheet.rule();
}

/// Where the organ's seal goes: its name and the date, right of centre, with room above for
/// the stamp.
fn seal_block(sheet: &mut Sheet, organ: &str, date: Date) {
    sheet.gap(10.0);
    let x = PAGE_W / 2.0 + 10.0;
    let top = sheet.y();
    sheet.text_at(x, top, 11.0, &format!("{organ}（印章）"));
    sheet.text_at(x, top + 7.0, 11.0, &date_text(date));
    sheet.set_y(top + 14.0);
}

/// A reprint says so at the top right, where the original has nothing.
fn reprint_mark(sheet: &mut Sheet, reprint: bool) {
    if reprint {
        let top = sheet.y();
        sheet.text_at(PAGE_W - MARGIN - 14.0, MARGIN - 6.0, 12.0, "补打");
        sheet.set_y(top);
    }
}

fn footer(sheet: &mut Sheet, note: &str) {
    sheet.set_y(sheet::PAGE_H - MARGIN - 6.0);
    sheet.rule();
    sheet.paragraph(8.0, 0.0, note);
}

pub fn receipt(r: &Receipt<'_>) -> Result<Vec<u8>, PrintError> {
    let case = r.case;
    let mut sheet = Sheet::new(&format!("受理回执 {}", case.number.as_str()))?;
    reprint_mark(&mut sheet, r.reprint);
    heading(&mut sheet, r.township, "受 理 回 执");
    let top = sheet.y();
    const QR_SIDE: f32 = 32.0;
    let scanned = match r.query {
        Some(query) => format!("TONGBAN:{};Q:{query}", case.number.as_str()),
        None => format!("TONGBAN:{}", case.number.as_str()),
    };
    sheet.qr(PAGE_W - MARGIN - QR_SIDE, top + 3.0, QR_SIDE, &scanned)?;
    applicant_lines(&mut sheet, case);
    if let Some(phone) = &case.applicant.phone {
        sheet.field("联系电话", &phone.masked());
    }
    sheet.field("受理人员", &case.clerk);
    let registered = tongban_domain::calendar::china_date(case.created_at_ms);
    sheet.field("登记日期", &date_text(registered));
    let promised = match r.promised {
        Some(date) => format!("{}（{}个工作日）", date_text(date), case.promised_days),
        None => format!("受理之日起{}个工作日内", case.promised_days),
    };
    sheet.field("承诺办结", &promised);
    sheet.gap(3.0);
    sheet.paragraph(11.0, 0.0, "已收材料：");
    let mut any = false;
    for (i, m) in case
        .materials
        .iter()
        .filter(|m| m.status == MaterialStatus::Received)
        .enumerate()
    {
        any = true;
        let pages = if m.pages.is_empty() {
            String::new()
        } else {
            format!("（扫描{}份）", m.pages.len())
        };
        sheet.paragraph(11.0, 6.0, &format!("{}. {}{pages}", i + 1, m.name));
    }
    if !any {
        sheet.paragraph(11.0, 6.0, "（无）");
    }
    let missing: Vec<&str> = case
        .materials
        .iter()
        .filter(|m| m.status == MaterialStatus::Missing)
        .map(|m| m.name.as_str())
        .collect();
    if !missing.is_empty() {
        sheet.gap(2.0);
        sheet.paragraph(11.0, 0.0, &format!("尚缺材料：{}", missing.join("、")));
    }
    deferred_lines(&mut sheet, case);
    sheet.gap(4.0);
    match r.query {
        Some(query) => {
            sheet.field("查询码", query);
            sheet.paragraph(
                10.0,
                0.0,
                "凭办件编号和查询码可到窗口或扫描二维码查询办理进度。请妥善保管本回执。",
            );
        }
        // Reprinted at another desk: the code exists only where the case was registered.
        None => sheet.paragraph(
            10.0,
            0.0,
            "查询码仅在登记窗口打印，如遗失请到登记窗口补打。凭办件编号可到窗口查询办理进度。",
        ),
    }
    footer(
        &mut sheet,
        &format!(
            "{}便民服务中心 · 打印日期 {}",
            r.township,
            date_text(r.printed)
        ),
    );
    Ok(sheet.finish())
}

/// Materials accepted on the applicant's commitment (容缺受理): which, by when, and the
/// commitment as recorded, so the applicant takes home what they promised.
fn deferred_lines(sheet: &mut Sheet, case: &Case) {
    let deferred: Vec<&str> = case
        .materials
        .iter()
        .filter(|m| m.status == MaterialStatus::Deferred)
        .map(|m| m.name.as_str())
        .collect();
    let Some(due) = case
        .materials_due
        .as_deref()
        .filter(|_| !deferred.is_empty())
    else {
        return;
    };
    sheet.gap(2.0);
    sheet.paragraph(
        11.0,
        0.0,
        &format!(
            "容缺受理材料：{}，申请人承诺于{due}前补交。",
            deferred.join("、")
        ),
    );
    let commitment = case
        .events
        .iter()
        .rev()
        .find(|e| e.kind == tongban_domain::EventKind::Accepted && e.due.is_some())
        .and_then(|e| e.reason.as_deref());
    if let Some(commitment) = commitment {
        sheet.paragraph(10.0, 6.0, &format!("承诺内容：{commitment}"));
    }
}

/// The appeal routes an adverse decision states (行政许可法 §38): before the organs named when
/// the catalogue names them, in general terms otherwise.
fn appeal_note(appeal: Option<&tongban_domain::AppealOrgans>) -> String {
    match appeal {
        Some(a) => format!(
            "如不服本决定，可以自收到本决定书之日起六十日内向{}申请行政复议，或者自收到之日起六个月内向{}提起行政诉讼。",
            a.government, a.court
        ),
        None => APPEAL_NOTE.to_string(),
    }
}

pub fn intake_refusal(r: &IntakeRefusal<'_>) -> Result<Vec<u8>, PrintError> {
    let case = r.case;
    let mut sheet = Sheet::new(&format!("不予受理决定书 {}", case.number.as_str()))?;
    reprint_mark(&mut sheet, r.reprint);
    organ_heading(&mut sheet, r.organ, "不予受理决定书", &r.number);
    applicant_lines(&mut sheet, case);
    let registered = tongban_domain::calendar::china_date(case.created_at_ms);
    sheet.field("申请日期", &date_text(registered));
    sheet.gap(4.0);
    sheet.paragraph(
        11.0,
        0.0,
        &format!(
            "{}：你于{}提出的“{}”申请，经审查，{}，决定不予受理。",
            case.applicant.name,
            date_text(registered),
            case.item_name,
            r.ground
        ),
    );
    sheet.field("理由", r.reason);
    if let Some(organ) = r.refer_to {
        sheet.paragraph(11.0, 0.0, &format!("请向{organ}提出申请。"));
    }
    if !r.basis.is_empty() {
        sheet.field("依据", &r.basis.join("；"));
    }
    sheet.gap(2.0);
    sheet.paragraph(10.0, 0.0, &appeal_note(r.appeal));
    sheet.gap(6.0);
    sheet.field("决定人", r.decided_by);
    sheet.field("签章指纹", &r.fingerprint);
    seal_block(&mut sheet, r.organ, r.date);
    footer(
        &mut sheet,
        &format!(
            "{} · 经{}便民服务中心送达 · 签章指纹为决定设备的电子签名摘要，可在通办系统中核验",
            r.organ, r.township
        ),
    );
    Ok(sheet.finish())
}

pub fn clock_notice(n: &ClockNotice<'_>) -> Result<Vec<u8>, PrintError> {
    let case = n.case;
    let title = match n.change {
        ClockChange::Suspension => "中止办理告知书",
        ClockChange::Extension { .. } => "延长办理期限告知书",
    };
    let mut sheet = Sheet::new(&format!("{title} {}", case.number.as_str()))?;
    reprint_mark(&mut sheet, n.reprint);
    organ_heading(&mut sheet, n.organ, title, &n.number);
    applicant_lines(&mut sheet, case);
    sheet.gap(4.0);
    let registered = tongban_domain::calendar::china_date(case.created_at_ms);
    let body = match n.change {
        ClockChange::Suspension => format!(
            "{}：你于{}提出的“{}”申请，因{}，本机关决定自{}起中止办理。中止期间不计入办理期限；恢复办理时将另行告知，办理期限自恢复之日起接续计算。",
            case.applicant.name,
            date_text(registered),
            case.item_name,
            n.reason,
            date_text(n.date)
        ),
        ClockChange::Extension { days } => format!(
            "{}：你于{}提出的“{}”申请，因{}，不能在承诺期限内作出决定。经本机关负责人批准，办理期限延长{days}个工作日。",
            case.applicant.name,
            date_text(registered),
            case.item_name,
            n.reason
        ),
    };
    sheet.paragraph(11.0, 0.0, &body);
    if !n.basis.is_empty() {
        sheet.field("依据", &n.basis.join("；"));
    }
    if let Some(deadline) = n.deadline {
        sheet.field("办结期限", &format!("{}前", date_text(deadline)));
    }
    sheet.gap(6.0);
    let signer = match n.change {
        ClockChange::Suspension => "决定人",
        ClockChange::Extension { .. } => "批准人",
    };
    sheet.field(signer, n.by);
    seal_block(&mut sheet, n.organ, n.date);
    footer(
        &mut sheet,
        &format!(
            "{} · 经{}便民服务中心送达 · 本告知书一式两份，申请人与窗口各执一份",
            n.organ, n.township
        ),
    );
    Ok(sheet.finish())
}

pub fn notice(n: &Notice<'_>) -> Result<Vec<u8>, PrintError> {
    let case = n.case;
    let mut sheet = Sheet::new(&format!("一次性告知书 {}", case.number.as_str()))?;
    reprint_mark(&mut sheet, n.reprint);
    heading(&mut sheet, n.township, "一次性告知书");
    applicant_lines(&mut sheet, case);
    sheet.gap(4.0);
    sheet.paragraph(
        11.0,
        0.0,
        &format!(
            "{}：您申请办理的“{}”，经审查，申请材料不齐全或者不符合法定形式，请补正以下全部材料：",
            case.applicant.name, case.item_name
        ),
    );
    sheet.gap(2.0);
    for (i, (name, requirement)) in n.missing.iter().enumerate() {
        sheet.paragraph(11.0, 6.0, &format!("{}. {name}", i + 1));
        if !requirement.is_empty() {
            sheet.paragraph(10.0, 12.0, &format!("要求：{requirement}"));
        }
    }
    if let Some(reason) = &n.reason {
        sheet.gap(2.0);
        sheet.field("审查意见", reason);
    }
    sheet.gap(4.0);
    sheet.paragraph(10.0, 0.0, NOTICE_LAW);
    sheet.gap(6.0);
    sheet.field("告知人", &n.clerk);
    sheet.field("告知日期", &date_text(n.date));
    footer(
        &mut sheet,
        &format!(
            "{}便民服务中心 · 本告知书一式两份，申请人与窗口各执一份",
            n.township
        ),
    );
    Ok(sheet.finish())
}

pub fn decision(d: &Decision<'_>) -> Result<Vec<u8>, PrintError> {
    let case = d.case;
    let title = d.kind.decision_title(d.approved);
    let mut sheet = Sheet::new(&format!("{title} {}", case.number.as_str()))?;
    reprint_mark(&mut sheet, d.reprint);
    organ_heading(&mut sheet, d.organ, title, &d.number);
    applicant_lines(&mut sheet, case);
    let registered = tongban_domain::calendar::china_date(case.created_at_ms);
    sheet.field("申请日期", &date_text(registered));
    sheet.gap(4.0);
    sheet.paragraph(
        11.0,
        0.0,
        &format!(
            "{}：你于{}提出的“{}”申请，经审查，{}。",
            case.applicant.name,
            date_text(registered),
            case.item_name,
            d.kind.decision_words(d.approved)
        ),
    );
    if let Some(reason) = &d.reason {
        sheet.field("理由", reason);
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
    footer(
        &mut sheet,
        &format!(
            "{} · 经{}便民服务中心送达 · 签章指纹为决定设备对本决定的电子签名摘要，可在通办系统中核验",
            d.organ, d.township
        ),
    );
    Ok(sheet.finish())
}

#[cfg(test)]
mod tests;
