//! The papers a citizen takes home: the receipt of materials (收件凭证), the acceptance
//! (受理通知书), the one-time notice of missing
//! materials (一次性告知书), the refusal at intake (不予受理决定书) and the decision (决定书). One A4 page each, with the shipped CJK
//! font subset into the file so it prints the same on any machine.

#![forbid(unsafe_code)]

mod archival;
mod assistance;
mod decision;
mod intake;
mod report;
mod sheet;

pub use assistance::{PublicityList, publicity_list};
pub use decision::{ClockChange, ClockNotice, Decision, clock_notice, decision};
pub use intake::{
    Acceptance, INTAKE_NOTE, IntakeRefusal, NOTICE_NOTE, Notice, Receipt, acceptance,
    intake_refusal, notice, receipt,
};
pub use report::{
    HEADINGS, group_title, percent, period_line, report_pdf, report_text, report_xlsx,
};
use sheet::{MARGIN, PAGE_W, Sheet};
pub use sheet::{Paper, PrintError};
use time::Date;
use tongban_domain::Case;
use tongban_domain::calendar::official_date;

/// The legal basis of the one-time notice, printed on every notice.
pub const NOTICE_LAW: &str = "依据《中华人民共和国行政许可法》第三十二条，申请材料不齐全或者不符合法定形式的，应当当场或者在五日内一次告知申请人需要补正的全部内容。本告知书所列即为需要补正的全部材料；补齐后即予受理，不再要求提交本告知书以外的材料。";
/// The footer of a sealed decision: what its fingerprint is.
pub(crate) const SEAL_NOTE: &str = "签章指纹为决定设备对本决定的电子签名摘要，可在通办系统中核验";
/// Printed on a refusal: where the applicant may turn.
pub const APPEAL_NOTE: &str = "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者自收到之日起六个月内依法向人民法院提起行政诉讼。";

pub(crate) fn heading(sheet: &mut Sheet, township: &str, title: &str) {
    sheet.centered(13.0, &format!("{township}便民服务中心"));
    sheet.gap(2.0);
    sheet.centered(20.0, title);
    sheet.gap(4.0);
    sheet.rule();
}

pub(crate) fn applicant_lines(sheet: &mut Sheet, case: &Case) {
    sheet.field("办件编号", case.number.as_str());
    sheet.field(
        "服务事项",
        &format!("{}（{}）", case.item_name, case.item_code),
    );
    sheet.field("申请人", &case.applicant.name);
    sheet.field("证件号码", &case.applicant.id.masked());
    if let Some(agent) = &case.applicant.agent {
        sheet.field(
            "代办人",
            &format!(
                "{}（{}，证件号码{}）",
                agent.name,
                agent.relation.label_zh(),
                agent.id.masked()
            ),
        );
    }
}

/// The organ's heading, the title and the document's number, as official documents open.
pub(crate) fn organ_heading(sheet: &mut Sheet, organ: &str, title: &str, number: &str) {
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
pub(crate) fn seal_block(sheet: &mut Sheet, organ: &str, date: Date) {
    sheet.gap(10.0);
    let x = PAGE_W / 2.0 + 10.0;
    let top = sheet.y();
    sheet.text_at(x, top, 11.0, &format!("{organ}（印章）"));
    sheet.text_at(x, top + 7.0, 11.0, &official_date(date));
    sheet.set_y(top + 14.0);
}

/// A letter in an organ's name: its heading with title and number, the applicant's lines, and
/// 补打 when printed before.
pub(crate) fn organ_sheet(
    case: &Case,
    organ: &str,
    title: &str,
    number: &str,
    reprint: bool,
) -> Result<Sheet, PrintError> {
    let mut sheet = Sheet::new(&format!("{title} {}", case.number.as_str()))?;
    reprint_mark(&mut sheet, reprint);
    organ_heading(&mut sheet, organ, title, number);
    applicant_lines(&mut sheet, case);
    Ok(sheet)
}

/// How an organ's letter speaks to the applicant of their application, then says `what`.
pub(crate) fn addressed(case: &Case, what: &str) -> String {
    let registered = tongban_domain::calendar::china_date(case.created_at_ms);
    format!(
        "{}：你于{}提出的“{}”申请，{what}",
        case.applicant.name,
        official_date(registered),
        case.item_name
    )
}

/// The footer of a letter in an organ's name that the township's window hands over.
pub(crate) fn organ_footer(sheet: &mut Sheet, organ: &str, township: &str, note: &str) {
    footer(
        sheet,
        &format!("{organ} · 经{township}便民服务中心送达 · {note}"),
    );
}

/// A reprint says so at the top right, where the original has nothing.
pub(crate) fn reprint_mark(sheet: &mut Sheet, reprint: bool) {
    if reprint {
        let top = sheet.y();
        sheet.text_at(PAGE_W - MARGIN - 14.0, MARGIN - 6.0, 12.0, "补打");
        sheet.set_y(top);
    }
}

pub(crate) fn footer(sheet: &mut Sheet, note: &str) {
    sheet.set_y(sheet::PAGE_H - MARGIN - 6.0);
    sheet.rule();
    sheet.paragraph(8.0, 0.0, note);
}

/// The appeal routes an adverse decision states (行政许可法 §38): before the organs named when
/// the catalogue names them, in general terms otherwise.
pub(crate) fn appeal_note(appeal: Option<&tongban_domain::AppealOrgans>) -> String {
    match appeal {
        Some(a) => format!(
            "如不服本决定，可以自收到本决定书之日起六十日内向{}申请行政复议，或者自收到之日起六个月内向{}提起行政诉讼。",
            a.government, a.court
        ),
        None => APPEAL_NOTE.to_string(),
    }
}

#[cfg(test)]
mod tests;
