//! The supervision page's HTML (maud escapes every value it writes), its chart drawn as SVG in
//! the page, and its style sheet.

use maud::{DOCTYPE, Markup, html};
use std::collections::HashMap;
use tongban_domain::figures::{Figures, Group, RedCase, Report};
use tongban_print::percent;
use tongban_sync::endpoint::{
    PAGE_STYLE_PATH, SIGN_IN_PATH, SIGN_OUT_PATH, SUPERVISION_EXPORT_PATH, SUPERVISION_PATH,
};

pub const STYLE: &str = "
body { font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
header { background: #9f1d20; color: #fff; padding: 12px 24px; display: flex; align-items: center; gap: 16px; }
header h1 { font-size: 20px; margin: 0; flex: 1; }
header form { margin: 0; }
main { padding: 16px 24px; max-width: 1100px; }
section { background: #fff; border: 1px solid #d9e2ec; border-radius: 6px; padding: 12px 16px; margin-bottom: 16px; }
h2 { font-size: 16px; margin: 4px 0 12px; }
.filter { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; }
.card { border: 1px solid #d9e2ec; border-radius: 6px; padding: 8px 12px; }
.card .label { color: #52606d; font-size: 13px; }
.card .value { font-size: 22px; font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 6px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.red { color: #b42318; font-weight: bold; }
#red-cases th, #red-cases td { text-align: left; }
#red-cases td.red, #red-cases th:last-child { text-align: right; }
.error { color: #b42318; }
.signin { max-width: 360px; margin: 80px auto; }
.signin label { display: block; margin: 10px 0 4px; }
.signin input { width: 100%; padding: 6px; box-sizing: border-box; }
button { padding: 6px 14px; }
footer { color: #52606d; font-size: 12px; padding: 0 24px 24px; }
";

fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                title { (title) }
                link rel="stylesheet" href=(PAGE_STYLE_PATH);
            }
            body { (body) }
        }
    }
}

pub fn sign_in(message: Option<&str>) -> Markup {
    page(
        "县级监察登录",
        html! {
            section.signin {
                h2 { "政务服务电子监察 · 县级账户登录" }
                @if let Some(message) = message {
                    p.error id="sign-in-error" { (message) }
                }
                form method="post" action=(SIGN_IN_PATH) {
                    label for="name" { "账户名" }
                    input id="name" name="name" required autocomplete="username";
                    label for="password" { "密码" }
                    input id="password" name="password" type="password" required autocomplete="current-password";
                    label for="code" { "动态口令（已开启时填写）" }
                    input id="code" name="code" inputmode="numeric" autocomplete="one-time-code";
                    p { button id="sign-in" type="submit" { "登录" } }
                }
            }
        },
    )
}

fn header(unit: &str, officer: &str) -> Markup {
    html! {
        header {
            h1 { (unit) "政务服务电子监察" }
            span id="officer" { (officer) }
            form method="post" action=(SIGN_OUT_PATH) {
                button id="sign-out" type="submit" { "退出" }
            }
        }
    }
}

pub fn refused_query(unit: &str, officer: &str, message: &str) -> Markup {
    page(
        "政务服务电子监察",
        html! {
            (header(unit, officer))
            main { section { p.error id="query-error" { (message) } a href=(SUPERVISION_PATH) { "返回本月" } } }
        },
    )
}

pub struct PageData<'a> {
    pub unit: &'a str,
    pub officer: &'a str,
    pub townships: &'a Report,
    pub items: &'a Report,
    pub red: &'a [RedCase],
    pub names: &'a HashMap<String, String>,
}

fn card(id: &str, label: &str, value: String) -> Markup {
    html! { div.card id=(id) { div.label { (label) } div.value { (value) } } }
}

fn cards(f: &Figures) -> Markup {
    let days = f
        .processing_days
        .map_or_else(|| "—".to_string(), |s| format!("{:.2}日", s.mean));
    html! {
        div.cards {
            (card("card-received", "收件", format!("{}件", f.received)))
            (card("card-accepted", "受理", format!("{}件", f.accepted)))
            (card("card-completion", "办结率", percent(f.completion_rate)))
            (card("card-on-time", "按时办结率", percent(f.on_time_rate)))
            (card("card-overdue", "超期率", percent(f.overdue_rate)))
            (card("card-overdue-open", "在办超期", format!("{}件", f.overdue_open)))
            (card("card-first-time", "一次办结率", percent(f.first_time_rate)))
            (card("card-days", "平均办理用时（工作日）", days))
            (card("card-good", "好评率", percent(f.good_rate)))
            (card("card-bad", "差评率", percent(f.bad_rate)))
            (card("card-rectified", "差评按期整改率", percent(f.rectified_on_time_rate)))
        }
    }
}

/// Horizontal bars of each group's 超期率, worst first.
fn chart(groups: &[&Group]) -> Markup {
    const ROW: usize = 26;
    const LABEL_W: usize = 160;
    const BAR_W: f64 = 420.0;
    let height = ROW * groups.len().max(1) + 10;
    html! {
        svg id="overdue-chart" xmlns="http://www.w3.org/2000/svg" width="680" height=(height)
            role="img" aria-label="各乡镇超期率" {
            @for (i, group) in groups.iter().enumerate() {
                @let y = i * ROW + 4;
                @let rate = group.figures.overdue_rate.unwrap_or(0.0);
                text x="0" y=(y + 15) font-size="13" fill="#1f2933" { (group.label) }
                rect x=(LABEL_W) y=(y) width=(format!("{:.1}", (rate * BAR_W).max(1.0))) height="18"
                    fill=(if rate > 0.0 { "#b42318" } else { "#9aa5b1" }) {}
                text x=(format!("{:.1}", LABEL_W as f64 + rate * BAR_W + 6.0)) y=(y + 14) font-size="12" fill="#1f2933" {
                    (percent(group.figures.overdue_rate))
                }
            }
        }
    }
}

fn ranking(id: &str, title: &str, groups: &[&Group]) -> Markup {
    html! {
        table id=(id) {
            thead { tr {
                th { (title) } th { "收件" } th { "受理" } th { "办结" } th { "办结率" }
                th { "按时办结率" } th { "超期" } th { "超期率" } th { "一次办结率" }
                th { "评价" } th { "好评率" } th { "差评" } th { "差评按期整改率" }
            } }
            tbody {
                @for group in groups {
                    @let f = &group.figures;
                    tr data-key=(group.key) {
                        td { (group.label) }
                        td { (f.received) } td { (f.accepted) } td { (f.decided) }
                        td { (percent(f.completion_rate)) } td { (percent(f.on_time_rate)) }
                        td.red[f.overdue > 0] { (f.overdue) }
                        td { (percent(f.overdue_rate)) } td { (percent(f.first_time_rate)) }
                        td { (f.rated) } td { (percent(f.good_rate)) }
                        td.red[f.bad > 0] { (f.bad) }
                        td { (percent(f.rectified_on_time_rate)) }
                    }
                }
            }
        }
    }
}

pub fn supervision(data: &PageData<'_>) -> Markup {
    let report = data.townships;
    let townships = report.ranked_by_overdue();
    let items = data.items.ranked_by_overdue();
    let export = format!(
        "{SUPERVISION_EXPORT_PATH}?from={}&to={}&by=township",
        report.from, report.to
    );
    page(
        &format!("{}政务服务电子监察", data.unit),
        html! {
            (header(data.unit, data.officer))
            main {
                section {
                    form.filter method="get" action=(SUPERVISION_PATH) {
                        label { "收件日期 " input name="from" type="date" value=(report.from); }
                        label { "至 " input name="to" type="date" value=(report.to); }
                        button id="query" type="submit" { "查询" }
                        a id="export" href=(export) { "导出Excel" }
                    }
                    p id="period" { (tongban_print::period_line(report)) }
                }
                section id="totals" { h2 { "全县合计" } (cards(&report.total)) }
                section {
                    h2 { "乡镇超期率排名" }
                    (chart(&townships))
                    (ranking("township-ranking", "乡镇", &townships))
                }
                section { h2 { "服务事项超期率排名" } (ranking("item-ranking", "服务事项", &items)) }
                section {
                    h2 { "红色预警：超期在办件（" (data.red.len()) "件）" }
                    table id="red-cases" {
                        thead { tr {
                            th { "办件编号" } th { "乡镇" } th { "服务事项" } th { "收件人" }
                            th { "承诺期限" } th { "已超期（工作日）" }
                        } }
                        tbody {
                            @for case in data.red {
                                tr {
                                    td { (case.number) }
                                    td { (data.names.get(&case.township).map_or(case.township.as_str(), String::as_str)) }
                                    td { (case.item_name) } td { (case.clerk) } td { (case.deadline) }
                                    td.red { (case.days_overdue) }
                                }
                            }
                        }
                    }
                }
            }
            footer {
                "口径：办件按收件日期归入统计期间；超期率＝超期件数÷受理件数，超期含已过承诺期限仍在办理的办件；办理用时扣除补正和中止时间；好评为非常满意、满意、基本满意，差评为不满意、非常不满意，差评按期整改率＝期限内整改的差评÷已到期或已整改的差评。数据取自各办件经签名的事件记录。"
            }
        },
    )
}
