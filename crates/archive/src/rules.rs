//! The rules a package's parts are held to, one function per probe; each returns its problems,
//! every one naming the file concerned. What the values may be follows DA/T 46-2009 where it
//! says, and the record this crate writes where it does not.

use crate::check::Fixity;
use crate::inspect::Trust;
use crate::package::AUDIT;
use crate::record::ReadRecord;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use tongban_domain::archival::{ArchivalCode, Retention};

const RECORD: &str = "data/metadata.xml";

/// `bag-info.txt` names what the issue and GB/T 42727 ask of the package's description.
pub(crate) fn bag_info(bag: &Path) -> Vec<String> {
    let Ok(info) = std::fs::read_to_string(bag.join("bag-info.txt")) else {
        return vec!["bag-info.txt is missing or not UTF-8".into()];
    };
    let mut problems = Vec::new();
    for field in [
        "Source-Organization",
        "External-Identifier",
        "Bag-Group-Identifier",
        "Bagging-Date",
        "Payload-Oxum",
    ] {
        let value = info
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .map(str::trim);
        if value.is_none_or(str::is_empty) {
            problems.push(format!("bag-info.txt has no {field}"));
        }
    }
    problems
}

/// The payload holds the record, the extract, the case's JSON, PDFs under `documents/` and
/// scans under `scans/`, with plain names.
pub(crate) fn layout(content: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    for file in content {
        let plain = file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
        let placed = file == "case.json"
            || (file.starts_with("documents/") && file.ends_with(".pdf"))
            || file.starts_with("scans/");
        if !plain || !placed || file.matches('/').count() > 1 {
            problems.push(format!(
                "data/{file} is not where a package keeps its files"
            ));
        }
    }
    problems
}

/// Payload-Oxum's count and bytes against the payload.
pub(crate) fn oxum(bag: &Path, fixity: &Fixity) -> (Vec<String>, Vec<String>) {
    let payload: Vec<u64> = fixity
        .sizes
        .iter()
        .filter(|(f, _)| f.starts_with("data/"))
        .map(|(_, size)| *size)
        .collect();
    let declared = std::fs::read_to_string(bag.join("bag-info.txt"))
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                let (bytes, count) = l.strip_prefix("Payload-Oxum:")?.trim().split_once('.')?;
                Some((bytes.parse::<u64>().ok()?, count.parse::<usize>().ok()?))
            })
        });
    let Some((bytes, count)) = declared else {
        let missing = "bag-info.txt has no readable Payload-Oxum".to_string();
        return (vec![missing.clone()], vec![missing]);
    };
    let actual: u64 = payload.iter().sum();
    let count_problems = (count != payload.len()).then(|| {
        format!(
            "bag-info.txt says {count} files; data/ holds {}",
            payload.len()
        )
    });
    let byte_problems =
        (bytes != actual).then(|| format!("bag-info.txt says {bytes} bytes; data/ holds {actual}"));
    (
        count_problems.into_iter().collect(),
        byte_problems.into_iter().collect(),
    )
}

/// The extract's events, once its checkpoint is the trusted hub's and each is proven in it.
pub(crate) fn audit_proofs(
    bag: &Path,
    trust: &Trust,
) -> Result<Vec<(u64, tongban_audit::AuditEvent)>, String> {
    let path = bag.join("data").join(AUDIT);
    let bytes = std::fs::read(&path).map_err(|_| format!("data/{AUDIT} is missing"))?;
    let extract: tongban_audit::Extract =
        serde_json::from_slice(&bytes).map_err(|e| format!("data/{AUDIT} cannot be read: {e}"))?;
    let hub = trust
        .hub
        .ok_or_else(|| format!("data/{AUDIT}: no hub key to check the checkpoint against"))?;
    let township = extract.checkpoint.checkpoint.township.clone();
    extract
        .verify(&hub, &township)
        .map_err(|e| format!("data/{AUDIT}: {e}"))
}

/// Every position the signed record names is in the extract, about this case; every business
/// entity says when, what, who and the state it left.
pub(crate) fn audit_complete(
    record: &ReadRecord,
    events: &[(u64, tongban_audit::AuditEvent)],
) -> Vec<String> {
    let mut problems = Vec::new();
    let case = record.file_value("电子文件号").unwrap_or_default();
    let named: Vec<u64> = record
        .value("被签名对象/审计日志/条目位置")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect();
    let township = record
        .value("被签名对象/审计日志/乡镇代码")
        .unwrap_or_default();
    if !case.starts_with(township) || township.is_empty() {
        problems.push(format!(
            "{RECORD}: the audit log named ({township}) is not the case's township"
        ));
    }
    for position in &named {
        match events.iter().find(|(p, _)| p == position) {
            None => problems.push(format!(
                "data/{AUDIT}: logged event {position} named in the record is missing"
            )),
            Some((_, event)) if event.object != case => problems.push(format!(
                "data/{AUDIT}: logged event {position} is about {}, not {case}",
                event.object
            )),
            Some(_) => {}
        }
    }
    for (position, _) in events {
        if !named.contains(position) {
            problems.push(format!(
                "data/{AUDIT}: logged event {position} is not named in the record"
            ));
        }
    }
    for (i, event) in record.events().iter().enumerate() {
        for field in [
            "业务标识",
            "机构人员标识",
            "业务状态",
            "业务行为",
            "行为时间",
        ] {
            if !event.iter().any(|(f, v)| *f == field && !v.is_empty()) {
                problems.push(format!("{RECORD}: 业务实体 {} has no {field}", i + 1));
            }
        }
    }
    problems
}

/// The record is a 电子文件封装包 with its signed object, its entities and its signature block.
pub(crate) fn structure(record: &ReadRecord) -> Vec<String> {
    let mut problems = Vec::new();
    if record.root != "电子文件封装包" {
        problems.push(format!(
            "{RECORD}: the root is {}, not 电子文件封装包",
            record.root
        ));
    }
    for path in [
        "封装包格式描述",
        "版本",
        "被签名对象/封装包类型",
        "被签名对象/封装包创建时间",
        "被签名对象/电子文件封装内容/文件实体块/文件实体",
        "被签名对象/电子文件封装内容/业务实体块",
        "被签名对象/电子文件封装内容/机构人员实体块",
        "被签名对象/审计日志",
        "电子签名块/电子签名/签名结果",
        "电子签名块/电子签名/证书块/证书",
        "电子签名块/电子签名/签名算法标识",
    ] {
        if record.value(path).is_none() {
            problems.push(format!("{RECORD} has no {path}"));
        }
    }
    problems
}

/// The 著录项目 DA/T 46 makes mandatory for a 件, filled in.
const REQUIRED: [&str; 9] = [
    "聚合层次",
    "来源/全宗名称",
    "来源/立档单位名称",
    "电子文件号",
    "档号/档号全文",
    "档号/保管期限",
    "内容描述/题名",
    "内容描述/责任者",
    "内容描述/日期",
];

pub(crate) fn required(record: &ReadRecord) -> Vec<String> {
    REQUIRED
        .iter()
        .filter(|f| record.file_value(f).is_none_or(str::is_empty))
        .map(|f| format!("{RECORD}: {f} is empty"))
        .collect()
}

pub(crate) fn lengths(record: &ReadRecord) -> Vec<String> {
    let limit = |path: &str| match path.rsplit('/').next().unwrap_or(path) {
        "题名" => 200,
        "电子文件号" | "档号全文" | "文件编号" | "机构人员标识" | "机构人员名称" => {
            64
        }
        "全宗名称" | "立档单位名称" | "受理单位名称" | "责任者" => 100,
        "计算机文件名" => 255,
        _ => 2000,
    };
    record
        .leaves
        .iter()
        .filter(|l| l.text.chars().count() > limit(&l.path))
        .map(|l| {
            format!(
                "{RECORD}: {} is {} characters, over {}",
                l.path,
                l.text.chars().count(),
                limit(&l.path)
            )
        })
        .collect()
}

fn rfc3339(text: &str) -> bool {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok()
}

fn digits(text: &str, n: usize) -> bool {
    text.len() == n && text.bytes().all(|b| b.is_ascii_digit())
}

pub(crate) fn types(record: &ReadRecord) -> Vec<String> {
    let mut problems = Vec::new();
    for leaf in &record.leaves {
        let name = leaf.path.rsplit('/').next().unwrap_or_default();
        let ok = match name {
            "日期" => {
                digits(&leaf.text, 8)
                    && time::Date::parse(
                        &leaf.text,
                        &time::macros::format_description!("[year][month][day]"),
                    )
                    .is_ok()
            }
            "行为时间" | "封装包创建时间" | "签名时间" => rfc3339(&leaf.text),
            "计算机文件大小" | "件数" | "日志长度" => {
                !leaf.text.is_empty() && leaf.text.bytes().all(|b| b.is_ascii_digit())
            }
            "年度" => digits(&leaf.text, 4),
            "件号" => digits(&leaf.text, 4),
            "数字摘要" => {
                leaf.text.len() == 64
                    && leaf
                        .text
                        .bytes()
                        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            }
            _ => true,
        };
        if !ok {
            problems.push(format!(
                "{RECORD}: {} {:?} is not well formed",
                leaf.path, leaf.text
            ));
        }
    }
    problems
}

/// The formats an archived file may have (GB/T 42727: PDF/A for documents, JPEG or PNG for
/// scans, JSON and XML for data).
/// A scan the applicant brought as a PDF is kept as it came (the original, not a rendition).
pub const FORMATS: [&str; 7] = ["PDF/A-2b", "PDF/A-3b", "PDF", "JPEG", "PNG", "JSON", "XML"];

pub(crate) fn domains(record: &ReadRecord) -> Vec<String> {
    let mut problems = Vec::new();
    let mut check = |path: &str, allowed: &[&str]| {
        for leaf in record.all(path) {
            if !allowed.contains(&leaf.text.as_str()) {
                problems.push(format!(
                    "{RECORD}: {} is {:?}, not one of {}",
                    leaf.path,
                    leaf.text,
                    allowed.join("、")
                ));
            }
        }
    };
    check("/聚合层次", &["件"]);
    check("档号/保管期限", &["永久", "30年", "10年"]);
    check("电子属性/格式信息", &FORMATS);
    check("机构人员实体/机构人员类型", &["个人", "机构"]);
    check("形式特征/文件组合类型", &["单件", "组合文件"]);
    check("被签名对象/封装包类型", &["原始型", "修改型"]);
    check("电子签名/签名算法标识", &["Ed25519", "SM2"]);
    problems
}

pub(crate) fn reasonable(record: &ReadRecord, this_year: i32) -> Vec<String> {
    let mut problems = Vec::new();
    if let Some(year) = record
        .file_value("档号/年度")
        .and_then(|y| y.parse::<i32>().ok())
        && !(2000..=this_year).contains(&year)
    {
        problems.push(format!(
            "{RECORD}: 年度 {year} is not between 2000 and {this_year}"
        ));
    }
    let created = record
        .value("被签名对象/封装包创建时间")
        .and_then(|t| t.get(..10))
        .map(|d| d.replace('-', ""));
    if let (Some(day), Some(created)) = (record.file_value("内容描述/日期"), created)
        && day > created.as_str()
    {
        problems.push(format!(
            "{RECORD}: 日期 {day} is after the package was made"
        ));
    }
    let described = record.files().len();
    if record.file_value("形式特征/件数") != Some(described.to_string().as_str()) {
        problems.push(format!(
            "{RECORD}: 件数 is {:?}, but {described} files are described",
            record.file_value("形式特征/件数").unwrap_or_default()
        ));
    }
    problems
}

/// Control characters, the replacement character and private-use characters do not belong in
/// a record meant to be read in decades.
pub(crate) fn characters(record: &ReadRecord) -> Vec<String> {
    record
        .leaves
        .iter()
        .filter(|l| {
            l.text.chars().any(|c| {
                (c.is_control() && !matches!(c, '\n' | '\t'))
                    || c == '\u{fffd}'
                    || ('\u{e000}'..='\u{f8ff}').contains(&c)
            })
        })
        .map(|l| format!("{RECORD}: {} holds a special character", l.path))
        .collect()
}

pub(crate) fn archival_code(record: &ReadRecord) -> Vec<String> {
    let text = record.file_value("档号/档号全文").unwrap_or_default();
    let code = match ArchivalCode::parse(text) {
        Ok(code) => code,
        Err(e) => return vec![format!("{RECORD}: {e}")],
    };
    let parts = [
        ("全宗号", code.fonds.clone()),
        ("年度", code.year.to_string()),
        ("保管期限", code.retention.label_zh().to_string()),
        ("机构或问题", code.class.clone()),
        ("件号", format!("{:04}", code.item)),
    ];
    let mut problems: Vec<String> = parts
        .iter()
        .filter(|(field, value)| record.file_value(&format!("档号/{field}")) != Some(value))
        .map(|(field, value)| format!("{RECORD}: {field} does not match the 档号's {value}"))
        .collect();
    if code.item == 0 {
        problems.push(format!("{RECORD}: 件号 starts at 0001"));
    }
    debug_assert!(Retention::parse(code.retention.code()).is_some());
    problems
}

/// The described files that are present have the size and the plain name the record gives.
pub(crate) fn attributes(record: &ReadRecord, sizes: &BTreeMap<String, u64>) -> Vec<String> {
    let mut problems = Vec::new();
    for file in record.files() {
        let name = format!("data/{}", file.path);
        if let Some(size) = sizes.get(&name)
            && *size != file.bytes
        {
            problems.push(format!(
                "{name} is {size} bytes; the record says {}",
                file.bytes
            ));
        }
    }
    problems
}

/// Every content file is described, and each described file present is the one the bag's
/// SHA-256 manifest lists.
pub(crate) fn linked(
    record: &ReadRecord,
    listed: &BTreeMap<String, String>,
    content: &[String],
) -> Vec<String> {
    let files = record.files();
    let described: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut problems: Vec<String> = content
        .iter()
        .filter(|f| !described.contains(f.as_str()))
        .map(|f| format!("data/{f} is not described in {RECORD}"))
        .collect();
    for file in &files {
        let name = format!("data/{}", file.path);
        if let Some(digest) = listed.get(&name)
            && *digest != file.sha256
        {
            problems.push(format!(
                "{name} is not the file {RECORD} describes (SHA-256)"
            ));
        }
    }
    problems
}

/// A package is made of a finished case (办结, 撤回, 不予受理, 终止…).
pub(crate) fn scope(record: &ReadRecord) -> Vec<String> {
    let finals: Vec<&str> = tongban_domain::CaseStatus::ALL
        .into_iter()
        .filter(|s| tongban_domain::workflow::is_final(*s))
        .map(|s| s.label_zh())
        .collect();
    let last = record.events().last().and_then(|e| {
        e.iter()
            .find(|(f, _)| *f == "业务状态")
            .map(|(_, v)| v.to_string())
    });
    match last {
        Some(state) if finals.contains(&state.as_str()) => Vec::new(),
        Some(state) => vec![format!("{RECORD}: the case is {state}, not finished")],
        None => vec![format!("{RECORD} records no event")],
    }
}

pub(crate) fn present(record: &ReadRecord, files: &BTreeSet<String>) -> Vec<String> {
    record
        .files()
        .iter()
        .map(|f| format!("data/{}", f.path))
        .filter(|name| !files.contains(name))
        .map(|name| format!("{name} is described in {RECORD} but missing"))
        .collect()
}

/// `clamscan -r --no-summary --infected BAG`: exit 1 names the infected files.
pub(crate) fn virus_scan(scanner: &Path, bag: &Path) -> Vec<String> {
    let out = std::process::Command::new(scanner)
        .args(["-r", "--no-summary", "--infected"])
        .arg(bag)
        .output();
    match out {
        Ok(out) if out.status.code() == Some(0) => Vec::new(),
        Ok(out) if out.status.code() == Some(1) => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.replace(&format!("{}/", bag.display()), ""))
            .collect(),
        Ok(out) => vec![format!(
            "the scanner failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )],
        Err(e) => vec![format!("the scanner cannot run: {e}")],
    }
}
