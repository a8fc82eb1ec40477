//! The papers of intake: the receipt of what was handed in, the one-time notice, and the
//! refusal at intake.

use crate::sheet::{MARGIN, PAGE_W, Paper, PrintError, Sheet};
use crate::{
    NOTICE_LAW, SEAL_NOTE, addressed, appeal_note, applicant_lines, footer, heading, organ_footer,
    organ_sheet, reprint_mark, seal_block,
};
use time::Date;
use tongban_domain::calendar::official_date;
use tongban_domain::{Case, MaterialStatus};

/// 收件凭证: what the window received, on the day; not an acceptance.
pub struct Receipt<'a> {
    pub case: &'a Case,
    pub township: &'a str,
    pub printed: Date,
    /// The citizen's query code as printed (`XXXX-XXXX`); only the registering desk holds it.
    pub query: Option<&'a str>,
    /// The hub's query page for this case and code ([`tongban_sync`'s `query_url`]): what the
    /// QR code carries when the desk knows its hub, so a phone opens the case's progress.
    pub query_url: Option<&'a str>,
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

pub struct Notice<'a> {
    pub case: &'a Case,
    pub township: &'a str,
    /// Name and requirement of every missing material.
    pub missing: Vec<(String, String)>,
    pub reason: Option<String>,
    pub clerk: String,
    pub date: Date,
    /// The date to bring them by.
    pub due: Option<Date>,
    /// A licence cites the licensing law's five-day rule; other items do not.
    pub licence: bool,
    /// Printed before: the copy says 补打 (a reprint, not a second issue).
    pub reprint: bool,
}

pub fn receipt(r: &Receipt<'_>) -> Result<Paper, PrintError> {
    let case = r.case;
    let mut sheet = Sheet::new(&format!("收件凭证 {}", case.number.as_str()))?;
    reprint_mark(&mut sheet, r.reprint);
    heading(&mut sheet, r.township, "收 件 凭 证");
    let top = sheet.y();
    const QR_SIDE: f32 = 32.0;
    let scanned = match (r.query, r.query_url) {
        (Some(_), Some(url)) => url.to_owned(),
        (Some(query), None) => format!("TONGBAN:{};Q:{query}", case.number.as_str()),
        (None, _) => format!("TONGBAN:{}", case.number.as_str()),
    };
    sheet.qr(PAGE_W - MARGIN - QR_SIDE, top + 3.0, QR_SIDE, &scanned)?;
    applicant_lines(&mut sheet, case);
    if let Some(phone) = &case.applicant.phone {
        sheet.field("联系电话", &phone.masked());
    }
    sheet.field("收件人员", &case.clerk);
    let registered = tongban_domain::calendar::china_date(case.created_at_ms);
    sheet.field("收件日期", &official_date(registered));
    sheet.field(
        "承诺时限",
        &format!("受理之日起{}个工作日内办结", case.promised_days),
    );
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
    // A commitment is not a material received: it says so, and that the organ checks it.
    let committed: Vec<&str> = case
        .materials
        .iter()
        .filter(|m| {
            matches!(
                m.status,
                MaterialStatus::Committed | MaterialStatus::Verified
            )
        })
        .map(|m| m.name.as_str())
        .collect();
    if !committed.is_empty() {
        sheet.gap(2.0);
        sheet.paragraph(
            11.0,
            0.0,
            &format!(
                "告知承诺：{}（申请人已签署告知承诺书，以承诺代替上述材料，本机关将予核查）",
                committed.join("、")
            ),
        );
    }
    sheet.gap(3.0);
    sheet.paragraph(10.0, 0.0, INTAKE_NOTE);
    sheet.gap(3.0);
    match r.query {
        Some(query) => {
            sheet.field("查询码", query);
            sheet.paragraph(
                10.0,
                0.0,
                "凭办件编号和查询码可到窗口或扫描二维码查询办理进度。请妥善保管本凭证。",
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
            official_date(r.printed)
        ),
    );
    Ok(sheet.finish())
}

/// The one-time notice's promise for an item that is not a licence: the same practice, without
/// citing the licensing law.
pub const NOTICE_NOTE: &str =
    "本告知书所列即为需要补正的全部材料；补齐后即予受理，不再要求提交本告知书以外的材料。";

/// What a receipt of materials is and is not (《行政许可法》第三十二条 sets the five days).
pub const INTAKE_NOTE: &str = "本凭证仅证明已收到上列申请材料，不表示已经受理。材料齐全、符合法定形式的，予以受理并出具受理通知书；需要补正的，自收件之日起五个工作日内一次性告知；逾期不告知的，自收到申请材料之日起即为受理。";

/// 受理通知书: issued in the deciding organ's name once the case is accepted (or deemed so).
pub struct Acceptance<'a> {
    pub case: &'a Case,
    pub township: &'a str,
    pub organ: &'a str,
    pub number: String,
    /// The day the acceptance counts from.
    pub accepted: Date,
    /// Accepted by law: no notice came within five working days of receipt.
    pub deemed: bool,
    /// The promised date as it stands.
    pub promised: Option<Date>,
    /// The promised date counts statutory holidays of a year not yet published.
    pub provisional: bool,
    pub reprint: bool,
}

/// Said under a promised date that counts the statutory holidays of an unpublished year.
pub const PROVISIONAL_NOTE: &str = "注：上述期限所跨年度的节假日安排尚未公布，暂按法定节假日推算；\
    国务院公布安排后，以公布的安排为准。";

pub fn acceptance(a: &Acceptance<'_>) -> Result<Paper, PrintError> {
    let case = a.case;
    let mut sheet = organ_sheet(case, a.organ, "受理通知书", &a.number, a.reprint)?;
    let registered = tongban_domain::calendar::china_date(case.created_at_ms);
    sheet.field("收件日期", &official_date(registered));
    sheet.gap(4.0);
    let how = if a.deemed {
        format!(
            "本机关未在收件之日起五个工作日内告知补正，依法自{}起即为受理",
            official_date(a.accepted)
        )
    } else {
        format!(
            "申请材料齐全、符合法定形式，本机关决定自{}起受理",
            official_date(a.accepted)
        )
    };
    sheet.paragraph(11.0, 0.0, &addressed(case, &format!("{how}。")));
    if let Some(promised) = a.promised {
        sheet.field(
            "办结期限",
            &format!(
                "{}前（{}个工作日）",
                official_date(promised),
                case.promised_days
            ),
        );
        if a.provisional {
            sheet.paragraph(10.0, 0.0, PROVISIONAL_NOTE);
        }
    }
    deferred_lines(&mut sheet, case);
    seal_block(&mut sheet, a.organ, a.accepted);
    organ_footer(
        &mut sheet,
        a.organ,
        a.township,
        "凭办件编号可到窗口或扫描收件凭证上的二维码查询办理进度",
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
    let due =
        tongban_domain::calendar::parse_date(due).map_or_else(|| due.to_string(), official_date);
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

pub fn intake_refusal(r: &IntakeRefusal<'_>) -> Result<Paper, PrintError> {
    let case = r.case;
    let mut sheet = organ_sheet(case, r.organ, "不予受理决定书", &r.number, r.reprint)?;
    let registered = tongban_domain::calendar::china_date(case.created_at_ms);
    sheet.field("申请日期", &official_date(registered));
    sheet.gap(4.0);
    let what = format!("经审查，{}，决定不予受理。", r.ground);
    sheet.paragraph(11.0, 0.0, &addressed(case, &what));
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
    organ_footer(&mut sheet, r.organ, r.township, SEAL_NOTE);
    Ok(sheet.finish())
}

pub fn notice(n: &Notice<'_>) -> Result<Paper, PrintError> {
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
    if let Some(due) = n.due {
        sheet.gap(2.0);
        sheet.paragraph(
            11.0,
            0.0,
            &format!(
                "请于{}前补正上列材料。逾期未补正又未说明理由的，视为撤回申请；补正后本机关即予受理。",
                official_date(due)
            ),
        );
    }
    sheet.gap(4.0);
    sheet.paragraph(10.0, 0.0, if n.licence { NOTICE_LAW } else { NOTICE_NOTE });
    sheet.gap(6.0);
    sheet.field("告知人", &n.clerk);
    sheet.field("告知日期", &official_date(n.date));
    sheet.gap(6.0);
    sheet.field("申请人签收", "____________________    日期：____________");
    footer(
        &mut sheet,
        &format!(
            "{}便民服务中心 · 本告知书一式两份，申请人与窗口各执一份",
            n.township
        ),
    );
    Ok(sheet.finish())
}
