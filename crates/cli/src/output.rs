//! What the CLI prints: stable JSON with `--json`, aligned text for people otherwise.

use anyhow::Result;
use tongban_client::SyncReport;
use tongban_domain::calendar::date_text;
use tongban_domain::desk::WorkQueues;
use tongban_domain::workflow;
use tongban_domain::{ApplicantId, Case, CaseStatus, Catalogue, DeadlineFlag, MaterialStatus};
use tongban_store::{CaseSummary, Store};

use tongban_domain::desk::china_time_text as local_time;

fn status_label(status: &str) -> String {
    status
        .parse::<CaseStatus>()
        .map(|s| s.label_zh().to_string())
        .unwrap_or_else(|_| status.to_string())
}

pub fn catalogue(catalogue: &Catalogue, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(&catalogue.items)?);
        return Ok(());
    }
    for item in &catalogue.items {
        println!(
            "{}\t{}\t{}个工作日\t{}",
            item.code, item.name, item.promised_days, item.department
        );
        for m in &item.materials {
            println!("\t{}\t{}（{}）", m.code, m.name, m.requirement);
        }
    }
    Ok(())
}

pub fn case_list(cases: &[CaseSummary], json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(cases)?);
        return Ok(());
    }
    for c in cases {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            c.number,
            status_label(&c.status),
            c.item_name,
            c.applicant_name,
            local_time(c.created_at_ms)
        );
    }
    if cases.is_empty() {
        println!("no cases / 暂无办件");
    }
    Ok(())
}

/// A case with what the desk works out about it: the promised date and how close it is.
/// The ID and phone are masked unless `whole` (the caller checked and audited the right).
pub fn case(store: &Store, case: &Case, today: time::Date, json: bool, whole: bool) -> Result<()> {
    let id = if whole {
        case.applicant.id.as_str().to_string()
    } else {
        case.applicant.id.masked()
    };
    let phone = case.applicant.phone.as_ref().map(|p| {
        if whole {
            p.as_str().to_string()
        } else {
            p.masked()
        }
    });
    let calendar = store.calendar()?;
    let workflow::Standing {
        deadline,
        flag,
        deemed_accepted,
        delivery_due,
        provisional,
    } = workflow::standing(case, &calendar, today);
    let organ = store.deciding_organ(case)?;
    if json {
        let mut value = serde_json::to_value(case)?;
        value["applicant"]["id"]["number"] = serde_json::json!(id);
        value["applicant"]["phone"] = serde_json::json!(phone);
        // The agent's number is masked like the applicant's: the JSON shows no one's whole.
        if let Some(agent) = &case.applicant.agent {
            value["applicant"]["agent"]["id"]["number"] = serde_json::json!(agent.id.masked());
        }
        value["deadline"] = serde_json::json!(deadline.map(date_text));
        value["provisional"] = serde_json::json!(provisional);
        value["flag"] = serde_json::json!(flag);
        value["deemed_accepted"] = serde_json::json!(deemed_accepted);
        value["delivery_due"] = serde_json::json!(delivery_due.map(date_text));
        // Where the applicant follows the case: the receipt's QR code (registering desk only).
        value["query_url"] = serde_json::json!(store.query_url(case)?);
        let catalogues = store.catalogues()?;
        let forward_due =
            tongban_domain::clock::forward_due(case, catalogues.item_of(case), &calendar);
        value["forward_due"] = serde_json::json!(forward_due.map(date_text));
        let check_due = tongban_domain::clock::commitment_check_due(case, &calendar);
        value["commitment_check_due"] = serde_json::json!(check_due.map(date_text));
        value["deciding_organ"] = serde_json::json!(organ);
        value["suspended_days"] = serde_json::json!(workflow::suspended_days(case, &calendar));
        value["delivered"] = match case.delivered() {
            Some((at_ms, delivery)) => serde_json::json!({
                "method": delivery.method,
                "recipient": delivery.recipient,
                "tracking": delivery.tracking,
                "date": date_text(tongban_domain::calendar::china_date(at_ms)),
            }),
            None => serde_json::Value::Null,
        };
        let mut seals = Vec::new();
        for event in case.events.iter().filter(|e| e.seal.is_some()) {
            seals.push(serde_json::json!({
                "event": event.id,
                "verified": store.seal_verified(case, event)?,
            }));
        }
        value["seals"] = serde_json::Value::Array(seals);
        println!("{value}");
        return Ok(());
    }
    let a = &case.applicant;
    let id_label = match a.id {
        ApplicantId::Resident(_) => "身份证号  ".to_string(),
        ApplicantId::Organisation(_) => "信用代码  ".to_string(),
        ref other => format!("{}  ", other.label_zh()),
    };
    println!("办件编号  {}", case.number);
    println!(
        "事项      {} {}（承诺{}个工作日）",
        case.item_code, case.item_name, case.promised_days
    );
    println!("状态      {}", case.status.label_zh());
    println!(
        "决定机关  {organ}（事项目录第{}版）",
        case.catalogue_version
    );
    if let Some(deadline) = deadline {
        let flag = flag.map_or("", |f| match f {
            DeadlineFlag::Green => "",
            DeadlineFlag::Yellow => "（临近期限）",
            DeadlineFlag::Red => "（已超期）",
        });
        println!("承诺期限  {}{flag}", date_text(deadline));
    }
    if let Some(due) = delivery_due {
        println!("送达期限  {}前", date_text(due));
    }
    if let Some((at_ms, d)) = case.delivered() {
        let tracking = d
            .tracking
            .as_deref()
            .map_or(String::new(), |t| format!("（{t}）"));
        println!(
            "送达      {} {}{tracking}，受送达人{}",
            local_time(at_ms),
            d.method.label_zh(),
            d.recipient
        );
    }
    if deemed_accepted {
        println!(
            "受理      逾期未告知补正，依法视为自登记之日起受理 / deemed accepted on registration"
        );
    }
    if let Some(conflict) = &case.conflict {
        println!("决定冲突  须由审批人员裁决 / conflicting decisions to resolve:");
        for o in &conflict.options {
            println!(
                "  {} {} {}",
                o.outcome.label_zh(),
                o.by,
                local_time(o.at_ms)
            );
        }
    }
    println!("申请人    {}", a.name);
    println!("{id_label}{id}");
    println!("电话      {}", phone.as_deref().unwrap_or(""));
    println!("地址      {}", a.address.as_deref().unwrap_or(""));
    println!("受理人    {}", case.clerk);
    println!("登记时间  {}", local_time(case.created_at_ms));
    println!("材料");
    for m in &case.materials {
        let mark = match m.status {
            MaterialStatus::Received => "已收",
            MaterialStatus::Missing => "缺",
            MaterialStatus::Deferred => "容缺",
            MaterialStatus::Committed => "承诺",
            MaterialStatus::Verified => "承诺已核实",
        };
        println!("  [{mark}] {} {}", m.code, m.name);
    }
    println!("记录");
    for e in &case.events {
        let reason = e.reason.as_deref().unwrap_or("");
        println!(
            "  {} {} {} {} {reason}",
            local_time(e.at_ms),
            e.by,
            e.kind.as_str(),
            e.detail
        );
    }
    Ok(())
}

pub fn queues(queues: &WorkQueues, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(queues)?);
        return Ok(());
    }
    for (title, cases) in [
        ("my cases / 我的办件", &queues.mine),
        ("awaiting my decision / 待我审批", &queues.awaiting_decision),
        ("returned for materials / 待补正", &queues.returned),
        ("due soon or overdue / 临近或超过期限", &queues.due),
        (
            "dissatisfied ratings to rectify / 差评待整改",
            &queues.rectification,
        ),
    ] {
        println!("{title}: {}", cases.len());
        for c in cases {
            // A rectification's own last day, not the case's.
            let day = c.rectify_by.as_deref().or(c.deadline.as_deref());
            println!(
                "  {}\t{}\t{}\t{}\t{}",
                c.number,
                status_label(&c.status),
                c.applicant_name,
                day.unwrap_or("-"),
                c.flag.map_or("", |f| f.as_str())
            );
        }
    }
    Ok(())
}

pub fn sync_report(report: &SyncReport, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(report)?);
        return Ok(());
    }
    println!(
        "sent {} documents ({} bytes), received {} documents ({} bytes) in {} requests / 上传{}件（{}字节），下载{}件（{}字节）",
        report.docs_up,
        report.bytes_up,
        report.docs_down,
        report.bytes_down,
        report.requests,
        report.docs_up,
        report.bytes_up,
        report.docs_down,
        report.bytes_down
    );
    if report.pages_up + report.pages_down + report.pages_pending > 0 {
        println!(
            "pages: sent {} ({} bytes), received {} ({} bytes), re-sent after cuts {} bytes, still to move {} / 页面：上传{}页（{}字节），下载{}页（{}字节），断线重传{}字节，待传{}页",
            report.pages_up,
            report.page_bytes_up,
            report.pages_down,
            report.page_bytes_down,
            report.page_bytes_resent,
            report.pages_pending,
            report.pages_up,
            report.page_bytes_up,
            report.pages_down,
            report.page_bytes_down,
            report.page_bytes_resent,
            report.pages_pending
        );
    }
    if report.audit_rejoined > 0 {
        println!(
            "restored from a backup: {} later audit events of this desk read back from the hub / 已从中心取回本机备份之后的审计事件{}条",
            report.audit_rejoined, report.audit_rejoined
        );
    }
    if report.unsettled > 0 {
        println!(
            "{} documents still differ; run sync again / 仍有{}件未同步完成，请再次同步",
            report.unsettled, report.unsettled
        );
    }
    Ok(())
}
