//! What the CLI prints: stable JSON with `--json`, aligned text for people otherwise.

use anyhow::Result;
use tongban_client::SyncReport;
use tongban_domain::{ApplicantId, Case, CaseStatus, Catalogue, MaterialStatus};
use tongban_store::CaseSummary;

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

pub fn case(case: &Case, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(case)?);
        return Ok(());
    }
    let a = &case.applicant;
    let id_label = match a.id {
        ApplicantId::Resident(_) => "身份证号  ",
        ApplicantId::Organisation(_) => "信用代码  ",
    };
    println!("办件编号  {}", case.number);
    println!(
        "事项      {} {}（承诺{}个工作日）",
        case.item_code, case.item_name, case.promised_days
    );
    println!("状态      {}", case.status.label_zh());
    println!("申请人    {}", a.name);
    println!("{id_label}{}", a.id.as_str());
    println!("电话      {}", a.phone.as_ref().map_or("", |p| p.as_str()));
    println!("地址      {}", a.address.as_deref().unwrap_or(""));
    println!("受理人    {}", case.clerk);
    println!("登记时间  {}", local_time(case.created_at_ms));
    println!("材料");
    for m in &case.materials {
        let mark = match m.status {
            MaterialStatus::Received => "已收",
            MaterialStatus::Missing => "缺",
        };
        println!("  [{mark}] {} {}", m.code, m.name);
    }
    println!("记录");
    for e in &case.events {
        println!("  {} {} {}", local_time(e.at_ms), e.by, e.detail);
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
    if report.unsettled > 0 {
        println!(
            "{} documents still differ; run sync again / 仍有{}件未同步完成，请再次同步",
            report.unsettled, report.unsettled
        );
    }
    Ok(())
}
