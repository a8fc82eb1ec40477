//! The supervision report (监察报表) as a PDF to file or print, and as an .xlsx workbook with the
//! same numbers for further work; both from the domain's [`Report`].

use crate::sheet::{MARGIN, PrintError, Sheet};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use tongban_domain::calendar::{official_date, parse_date};
use tongban_domain::figures::{Figures, GroupBy, Report};

/// A rate as a percentage with two decimals; a dash where there is nothing to divide.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_string(), |r| format!("{:.2}%", r * 100.0))
}

fn official(text: &str) -> String {
    parse_date(text).map_or_else(|| text.to_string(), official_date)
}

pub fn group_title(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Item => "服务事项",
        GroupBy::Clerk => "收件人",
        GroupBy::Township => "乡镇",
        GroupBy::Month => "月份",
    }
}

/// The report's heading line: its period and the day its states are read on.
pub fn period_line(report: &Report) -> String {
    format!(
        "统计期间：{}至{}（办件状态截至{}）",
        official(&report.from),
        official(&report.to),
        official(&report.as_of)
    )
}

/// The report as the command lines print it: a tab-separated table, the total first, then the
/// groups (worst 超期率 first when `ranked`).
pub fn report_text(report: &Report, ranked: bool) -> String {
    let mut text = format!(
        "{}\ngroup / 分组\treceived 收件\taccepted 受理\tdecided 办结\t办结率\t按时办结率\toverdue 超期\t超期率\t一次办结率\tdays 用时(平均/中位/P90)\t好评率\t差评率\t差评按期整改率\n",
        period_line(report)
    );
    let groups: Vec<&tongban_domain::figures::Group> = if ranked {
        report.ranked_by_overdue()
    } else {
        report.groups.iter().collect()
    };
    let lines = std::iter::once(("total / 合计", &report.total))
        .chain(groups.iter().map(|g| (g.label.as_str(), &g.figures)));
    for (label, f) in lines {
        let days = f.processing_days.map_or_else(
            || "—".to_string(),
            |s| format!("{:.2}/{}/{}", s.mean, s.median, s.p90),
        );
        text.push_str(&format!(
            "{label}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{days}\t{}\t{}\t{}\n",
            f.received,
            f.accepted,
            f.decided,
            percent(f.completion_rate),
            percent(f.on_time_rate),
            f.overdue,
            percent(f.overdue_rate),
            percent(f.first_time_rate),
            percent(f.good_rate),
            percent(f.bad_rate),
            percent(f.rectified_on_time_rate),
        ));
    }
    text
}

pub fn report_pdf(report: &Report, unit: &str) -> Result<Vec<u8>, PrintError> {
    let mut sheet = Sheet::new(&format!("{unit}政务服务监察报表"))?;
    sheet.centered(16.0, &format!("{unit}政务服务监察报表"));
    sheet.gap(2.0);
    sheet.centered(10.0, &period_line(report));
    sheet.gap(2.0);
    sheet.rule();
    let f = &report.total;
    sheet.field("收件", &format!("{}件", f.received));
    sheet.field(
        "受理",
        &format!("{}件（不予受理{}件）", f.accepted, f.intake_refused),
    );
    sheet.field(
        "办结",
        &format!("{}件，办结率{}", f.decided, percent(f.completion_rate)),
    );
    sheet.field(
        "按时办结",
        &format!(
            "{}件，按时办结率{}",
            f.decided_on_time,
            percent(f.on_time_rate)
        ),
    );
    sheet.field(
        "超期",
        &format!(
            "{}件（其中在办超期{}件），超期率{}",
            f.overdue,
            f.overdue_open,
            percent(f.overdue_rate)
        ),
    );
    sheet.field(
        "一次办结",
        &format!(
            "{}件，一次办结率{}",
            f.first_time,
            percent(f.first_time_rate)
        ),
    );
    sheet.field("即办件", &format!("{}件", f.on_the_spot));
    sheet.field(
        "补正、撤回、终止",
        &format!("{}件、{}件、{}件", f.returned, f.withdrawn, f.terminated),
    );
    sheet.field("办理用时", &spread_text(f));
    sheet.field(
        "好差评",
        &format!(
            "评价{}件，好评率{}；差评{}件，差评率{}，差评按期整改率{}",
            f.rated,
            percent(f.good_rate),
            f.bad,
            percent(f.bad_rate),
            percent(f.rectified_on_time_rate)
        ),
    );
    if let Some(by) = report.by {
        sheet.gap(4.0);
        group_table(&mut sheet, report, by);
    }
    sheet.gap(6.0);
    sheet.paragraph(
        9.0,
        0.0,
        "口径：办件按收件日期归入统计期间；办理用时为收件至作出决定的工作日数，扣除补正和中止时间；超期含已过承诺期限仍在办理的办件；好评含非常满意、满意、基本满意，差评为不满意、非常不满意，差评按期整改率为期限内整改的差评占已到期或已整改差评的比例。数据取自各办件经签名的事件记录。",
    );
    sheet.finish().pdf()
}

fn spread_text(f: &Figures) -> String {
    match &f.processing_days {
        Some(s) => format!(
            "平均{:.2}个工作日，中位数{}，第90百分位{}",
            s.mean, s.median, s.p90
        ),
        None => "—".into(),
    }
}

/// Columns of the group table: (heading, x in mm from the left margin).
const COLUMNS: [(&str, f32); 8] = [
    ("收件", 62.0),
    ("受理", 78.0),
    ("办结", 94.0),
    ("办结率", 108.0),
    ("超期", 127.0),
    ("超期率", 141.0),
    ("一次办结率", 158.0),
    ("好评率", 177.0),
];

fn group_table(sheet: &mut Sheet, report: &Report, by: GroupBy) {
    const SIZE: f32 = 9.0;
    let header = |sheet: &mut Sheet| {
        sheet.gap(6.0);
        let y = sheet.y();
        sheet.text_at(MARGIN, y, SIZE, group_title(by));
        for (title, x) in COLUMNS {
            sheet.text_at(MARGIN + x - 20.0, y, SIZE, title);
        }
        sheet.rule();
    };
    header(sheet);
    for group in &report.groups {
        if sheet.room() < 12.0 {
            sheet.next_page();
            header(sheet);
        }
        sheet.gap(5.0);
        let y = sheet.y();
        let f = &group.figures;
        let label: String = group.label.chars().take(14).collect();
        sheet.text_at(MARGIN, y, SIZE, &label);
        let values = [
            f.received.to_string(),
            f.accepted.to_string(),
            f.decided.to_string(),
            percent(f.completion_rate),
            f.overdue.to_string(),
            percent(f.overdue_rate),
            percent(f.first_time_rate),
            percent(f.good_rate),
        ];
        for ((_, x), value) in COLUMNS.iter().zip(values) {
            sheet.text_at(MARGIN + x - 20.0, y, SIZE, &value);
        }
    }
}

fn workbook_error(e: XlsxError) -> PrintError {
    PrintError::Workbook(e.to_string())
}

/// The headings of the workbook's columns, in the order `row` writes them.
pub const HEADINGS: [&str; 27] = [
    "收件",
    "受理",
    "办结",
    "按时办结",
    "超期",
    "在办超期",
    "一次办结",
    "即办件",
    "补正",
    "撤回",
    "终止",
    "不予受理",
    "评价",
    "好评",
    "差评",
    "差评应整改",
    "差评按期整改",
    "办结率",
    "按时办结率",
    "超期率",
    "一次办结率",
    "好评率",
    "差评率",
    "差评按期整改率",
    "平均用时（工作日）",
    "用时中位数",
    "用时第90百分位",
];

fn row(
    sheet: &mut Worksheet,
    r: u32,
    first: u16,
    f: &Figures,
    pct: &Format,
) -> Result<(), XlsxError> {
    let counts = [
        f.received,
        f.accepted,
        f.decided,
        f.decided_on_time,
        f.overdue,
        f.overdue_open,
        f.first_time,
        f.on_the_spot,
        f.returned,
        f.withdrawn,
        f.terminated,
        f.intake_refused,
        f.rated,
        f.good,
        f.bad,
        f.rectification_due,
        f.rectified_on_time,
    ];
    let mut c = first;
    for n in counts {
        sheet.write_number(r, c, n as f64)?;
        c += 1;
    }
    for rate in [
        f.completion_rate,
        f.on_time_rate,
        f.overdue_rate,
        f.first_time_rate,
        f.good_rate,
        f.bad_rate,
        f.rectified_on_time_rate,
    ] {
        if let Some(rate) = rate {
            sheet.write_number_with_format(r, c, rate, pct)?;
        }
        c += 1;
    }
    if let Some(s) = &f.processing_days {
        sheet.write_number(r, c, s.mean)?;
        sheet.write_number(r, c + 1, s.median)?;
        sheet.write_number(r, c + 2, s.p90 as f64)?;
    }
    Ok(())
}

/// Sheet 汇总 holds the total on row 4 (row 3 its headings); sheet 分组 one row per group under
/// its headings, the group's key and label first.
pub fn report_xlsx(report: &Report, unit: &str) -> Result<Vec<u8>, PrintError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.00%");
    let total = workbook.add_worksheet();
    total.set_name("汇总").map_err(workbook_error)?;
    total
        .write_string_with_format(0, 0, format!("{unit}政务服务监察报表"), &bold)
        .map_err(workbook_error)?;
    total
        .write_string(1, 0, period_line(report))
        .map_err(workbook_error)?;
    for (c, heading) in HEADINGS.iter().enumerate() {
        total
            .write_string_with_format(2, c as u16, *heading, &bold)
            .map_err(workbook_error)?;
    }
    row(total, 3, 0, &report.total, &pct).map_err(workbook_error)?;
    if let Some(by) = report.by {
        let groups = workbook.add_worksheet();
        groups.set_name("分组").map_err(workbook_error)?;
        groups
            .write_string_with_format(0, 0, "代码", &bold)
            .map_err(workbook_error)?;
        groups
            .write_string_with_format(0, 1, group_title(by), &bold)
            .map_err(workbook_error)?;
        for (c, heading) in HEADINGS.iter().enumerate() {
            groups
                .write_string_with_format(0, c as u16 + 2, *heading, &bold)
                .map_err(workbook_error)?;
        }
        for (i, group) in report.groups.iter().enumerate() {
            let r = i as u32 + 1;
            groups
                .write_string(r, 0, &group.key)
                .map_err(workbook_error)?;
            groups
                .write_string(r, 1, &group.label)
                .map_err(workbook_error)?;
            row(groups, r, 2, &group.figures, &pct).map_err(workbook_error)?;
        }
    }
    workbook.save_to_buffer().map_err(workbook_error)
}
