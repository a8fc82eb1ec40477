//! The citizen's query page (群众查询) as HTML: a form, and a case's progress once the number
//! and the query code match. Written for a phone's screen, readable without script or any
//! file from elsewhere; maud escapes every value.

use crate::service::citizen::CitizenView;
use maud::{DOCTYPE, Markup, html};
use time::Date;
use tongban_domain::citizen::EvaluationView;
use tongban_domain::rating::{BadReason, MAX_COMMENT_CHARS, Satisfaction};
use tongban_sync::endpoint::{QUERY_PATH, QUERY_PROOF_PATH, QUERY_RATE_PATH, QUERY_STYLE_PATH};

/// What the page says above the rating after one was sent.
pub enum Notice {
    Thanks,
    /// Why the rating was not taken, in Chinese.
    Refused(String),
}

pub const STYLE: &str = "
body { font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; font-size: 16px; }
header { background: #9f1d20; color: #fff; padding: 12px 16px; }
header h1 { font-size: 19px; margin: 0; }
main { padding: 12px; max-width: 640px; margin: 0 auto; }
section { background: #fff; border: 1px solid #d9e2ec; border-radius: 8px; padding: 12px 14px; margin-bottom: 12px; }
h2 { font-size: 17px; margin: 2px 0 10px; }
label { display: block; margin: 10px 0 4px; color: #52606d; }
input, select, textarea { width: 100%; padding: 10px; font-size: 16px; box-sizing: border-box; border: 1px solid #9aa5b1; border-radius: 6px; }
button { margin-top: 12px; width: 100%; padding: 12px; font-size: 17px; background: #9f1d20; color: #fff; border: 0; border-radius: 6px; }
dl { display: grid; grid-template-columns: 6em 1fr; gap: 6px 8px; margin: 0; }
dt { color: #52606d; }
dd { margin: 0; }
ol.steps { list-style: none; padding: 0; margin: 0; }
ol.steps li { padding: 8px 0 8px 28px; border-left: 3px solid #d9e2ec; margin-left: 8px; position: relative; color: #9aa5b1; }
ol.steps li::before { content: ''; position: absolute; left: -9px; top: 12px; width: 14px; height: 14px; border-radius: 50%; background: #d9e2ec; }
ol.steps li.done { color: #1f2933; border-left-color: #2f855a; }
ol.steps li.done::before { background: #2f855a; }
ol.steps .on { float: right; color: #52606d; }
.status { font-weight: bold; color: #9f1d20; }
.error { color: #b42318; font-weight: bold; }
.muted { color: #52606d; font-size: 14px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 6px 4px; text-align: left; vertical-align: top; }
button.secondary { background: #fff; color: #9f1d20; border: 1px solid #9f1d20; font-size: 15px; padding: 10px; }
td.refused { color: #b42318; }
td.released { color: #2f855a; }
fieldset { border: 0; padding: 0; margin: 0; }
fieldset label { display: inline-block; margin: 4px 12px 4px 0; color: #1f2933; }
fieldset input { width: auto; margin-right: 4px; }
.notice { color: #2f855a; font-weight: bold; }
.rectifying { color: #b45309; font-weight: bold; }
.rectified { color: #2f855a; font-weight: bold; }
footer { color: #52606d; font-size: 12px; text-align: center; padding: 8px 12px 24px; }
";

fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href=(QUERY_STYLE_PATH);
            }
            body {
                header { h1 { "通办 · 办件查询" } }
                main { (body) }
                footer { "凭受理回执上的办件编号和查询码查询。查询码请勿告诉他人。" }
            }
        }
    }
}

fn day(date: Option<Date>) -> String {
    date.map_or_else(String::new, |d| {
        format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
    })
}

/// The form, with what was typed (the code never: it goes back to no one) and why it failed.
pub fn form(number: &str, message: Option<&str>) -> Markup {
    page(
        "办件查询",
        html! {
            section {
                h2 { "查询办件进度" }
                @if let Some(message) = message {
                    p.error id="query-error" role="alert" { (message) }
                }
                form method="post" action=(QUERY_PATH) {
                    label for="case" { "办件编号" }
                    input id="case" name="case" required value=(number) autocomplete="off"
                        placeholder="如 450721101-20261207-3-0001";
                    label for="code" { "查询码" }
                    input id="code" name="code" required autocomplete="off"
                        autocapitalize="characters" placeholder="如 7KQ2-M9XD";
                    button id="query" type="submit" { "查询" }
                }
            }
        },
    )
}

/// The rating once given, with a 差评's rectification, or the form to give it.
fn evaluation(view: &CitizenView, code: &str, notice: Option<Notice>) -> Markup {
    let p = &view.progress;
    html! {
        section id="evaluation" {
            h2 { "服务评价（好差评）" }
            @match notice {
                Some(Notice::Thanks) => p.notice id="rate-notice" role="status" { "感谢您的评价！" },
                Some(Notice::Refused(why)) => p.error id="rate-error" role="alert" { (why) },
                None => {},
            }
            @if let Some(e) = &p.evaluation {
                (given(e))
            } @else if p.decided {
                form method="post" action=(QUERY_RATE_PATH) {
                    input type="hidden" name="case" value=(p.number);
                    input type="hidden" name="code" value=(code);
                    fieldset {
                        legend { "您对本次办事服务的评价" }
                        @for level in Satisfaction::ALL {
                            label {
                                input type="radio" name="level" value=(level.as_str()) required;
                                (level.label_zh())
                            }
                        }
                    }
                    label for="reason" { "不满意的原因（选择“不满意”或“非常不满意”时必选）" }
                    select id="reason" name="reason" {
                        option value="" { "——" }
                        @for reason in BadReason::ALL {
                            option value=(reason.as_str()) { (reason.label_zh()) }
                        }
                    }
                    label for="comment" { "意见和建议（选填）" }
                    textarea id="comment" name="comment" rows="3" maxlength=(MAX_COMMENT_CHARS) {}
                    button id="rate" type="submit" { "提交评价" }
                }
                p.muted { "每件只能评价一次。差评将转交乡镇限期整改，整改结果在本页公开。" }
            } @else {
                p.muted id="not-yet" { "办件作出决定后即可评价。" }
            }
        }
    }
}

fn given(e: &EvaluationView) -> Markup {
    html! {
        dl {
            dt { "您的评价" } dd id="rated" { (e.level_zh) span.muted { "（" (day(Some(e.rated_on))) "）" } }
            @if let Some(reason) = &e.reason_zh { dt { "原因" } dd id="rated-reason" { (reason) } }
            @if let Some(comment) = &e.comment { dt { "意见" } dd { (comment) } }
            @if let Some(due) = e.due {
                dt { "整改" }
                @match e.rectified_on {
                    Some(on) => dd.rectified id="rectification" {
                        "已整改（" (day(Some(on))) "）"
                        @if on > due { span.muted { "，超过整改期限" (day(Some(due))) } }
                    },
                    None => dd.rectifying id="rectification" { "整改中，期限" (day(Some(due))) },
                }
                @if let Some(action) = &e.action { dt { "整改措施" } dd id="rectify-action" { (action) } }
                @if let Some(follow_up) = &e.follow_up { dt { "回访情况" } dd id="follow-up" { (follow_up) } }
            }
        }
    }
}

/// `code` is the query code the citizen gave, written back only into the forms' bodies.
pub fn case(view: &CitizenView, code: &str, notice: Option<Notice>) -> Markup {
    let p = &view.progress;
    page(
        "办件进度",
        html! {
            section id="case" {
                h2 { (p.item_name) }
                dl {
                    dt { "办件编号" } dd id="case-number" { (p.number) }
                    dt { "申请人" } dd id="applicant" { (p.applicant) }
                    dt { "受理机构" } dd id="township" { (view.township) }
                    dt { "当前状态" } dd.status id="status" { (p.status_zh) }
                    @if p.promised.is_some() {
                        dt { "承诺办结" } dd id="promised" { (day(p.promised)) }
                    }
                }
            }
            section id="progress" {
                h2 { "办理进度" }
                ol.steps {
                    @for step in &p.steps {
                        li class=[step.on.map(|_| "done")] {
                            (step.label_zh)
                            @if step.on.is_some() { span.on { (day(step.on)) } }
                        }
                    }
                }
            }
            section id="uses" {
                h2 { "谁使用了我的档案" }
                @if view.uses.is_empty() {
                    p.muted id="no-uses" { "目前没有部门查阅或调取本办件的记录。" }
                } @else {
                    table {
                        thead { tr { th { "时间" } th { "部门" } th { "用途与依据" } th { "结果" } } }
                        tbody {
                            @for u in &view.uses {
                                tr.use {
                                    td { (u.at) }
                                    td { (u.department) }
                                    td {
                                        @if u.purpose.is_empty() { span.muted { "（未说明用途）" } } @else { (u.purpose) }
                                        br; span.muted { (u.basis) }
                                    }
                                    td class=(if u.released { "released" } else { "refused" }) { (u.outcome_zh) }
                                }
                            }
                        }
                    }
                }
                // The proof is asked for with the code in the body, never in an address.
                form method="post" action=(QUERY_PROOF_PATH) {
                    input type="hidden" name="case" value=(p.number);
                    input type="hidden" name="code" value=(code);
                    button.secondary id="proof" type="submit" { "下载记录的证明（含中心签名）" }
                }
                p.muted { "每一条记录都写入了不可篡改的审计日志。证明文件可交第三方核验。" }
            }
            (evaluation(view, code, notice))
            p { a href=(QUERY_PATH) { "查询其他办件" } }
        },
    )
}
