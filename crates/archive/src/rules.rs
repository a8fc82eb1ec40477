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
use tongban_domain::l10n::Text;
use tongban_domain::text;

const RECORD: &str = "data/metadata.xml";

/// `bag-info.txt` names what the issue and GB/T 42727 ask of the package's description.
pub(crate) fn bag_info(bag: &Path) -> Vec<Text> {
    let Ok(info) = std::fs::read_to_string(bag.join("bag-info.txt")) else {
        return vec![text!(
            "bag-info.txt is missing or not UTF-8",
            "bag-info.txt缺失或不是UTF-8编码"
        )];
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
            problems.push(text!(
                "bag-info.txt has no {field}",
                "bag-info.txt缺少{field}"
            ));
        }
    }
    problems
}

/// The payload holds the record, the extract, the case's JSON, PDFs under `documents/` and
/// scans under `scans/`, with plain names.
pub(crate) fn layout(content: &[String]) -> Vec<Text> {
    let mut problems = Vec::new();
    for file in content {
        let plain = file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
        let placed = file == "case.json"
            || (file.starts_with("documents/") && file.ends_with(".pdf"))
            || file.starts_with("scans/");
        if !plain || !placed || file.matches('/').count() > 1 {
            problems.push(text!(
                "data/{file} is not where a package keeps its files",
                "data/{file}不在档案包规定的位置"
            ));
        }
    }
    problems
}

/// Payload-Oxum's count and bytes against the payload.
pub(crate) fn oxum(bag: &Path, fixity: &Fixity) -> (Vec<Text>, Vec<Text>) {
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
        let missing = || {
            text!(
                "bag-info.txt has no readable Payload-Oxum",
                "bag-info.txt缺少可读的Payload-Oxum"
            )
        };
        return (vec![missing()], vec![missing()]);
    };
    let actual: u64 = payload.iter().sum();
    let held = payload.len();
    let count_problems = (count != held).then(|| {
        text!(
            "bag-info.txt says {count} files; data/ holds {held}",
            "bag-info.txt记载{count}个文件，data/实有{held}个"
        )
    });
    let byte_problems = (bytes != actual).then(|| {
        text!(
            "bag-info.txt says {bytes} bytes; data/ holds {actual}",
            "bag-info.txt记载{bytes}字节，data/实有{actual}字节"
        )
    });
    (
        count_problems.into_iter().collect(),
        byte_problems.into_iter().collect(),
    )
}

/// The extract's events, once its checkpoint is the trusted hub's and each is proven in it.
pub(crate) fn audit_proofs(
    bag: &Path,
    trust: &Trust,
) -> Result<Vec<(u64, tongban_audit::AuditEvent)>, Text> {
    let path = bag.join("data").join(AUDIT);
    let bytes =
        crate::content::read_capped(&path, crate::content::TEXT_CAP).map_err(
            |size| match size {
                Some(size) => text!(
                    "data/{AUDIT} is {size} bytes, too large for an audit extract",
                    "data/{AUDIT}有{size}字节，远超审计摘录应有的大小"
                ),
                None => text!("data/{AUDIT} is missing", "缺少data/{AUDIT}"),
            },
        )?;
    let extract: tongban_audit::Extract = serde_json::from_slice(&bytes).map_err(|e| {
        text!(
            "data/{AUDIT} cannot be read: {e}",
            "data/{AUDIT}无法读取：{e}"
        )
    })?;
    let hub = trust.hub.ok_or_else(|| {
        text!(
            "data/{AUDIT}: no hub key to check the checkpoint against",
            "data/{AUDIT}：本机没有中心的公钥，无法核验检查点"
        )
    })?;
    let township = extract.checkpoint.checkpoint.township.clone();
    extract.verify(&hub, &township).map_err(|e| {
        text!(
            "data/{AUDIT}: {e}",
            "data/{AUDIT}的包含证明或检查点不成立：{e}"
        )
    })
}

/// Every position the signed record names is in the extract, about this case; every business
/// entity says when, what, who and the state it left.
pub(crate) fn audit_complete(
    record: &ReadRecord,
    events: &[(u64, tongban_audit::AuditEvent)],
) -> Vec<Text> {
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
        problems.push(text!(
            "{RECORD}: the audit log named ({township}) is not the case's township",
            "{RECORD}：所记审计日志（{township}）不是本办件所属乡镇的"
        ));
    }
    for position in &named {
        match events.iter().find(|(p, _)| p == position) {
            None => problems.push(text!(
                "data/{AUDIT}: logged event {position} named in the record is missing",
                "data/{AUDIT}：缺少元数据所列的第{position}条审计事件"
            )),
            Some((_, event)) if event.object != case => {
                let other = &event.object;
                problems.push(text!(
                    "data/{AUDIT}: logged event {position} is about {other}, not {case}",
                    "data/{AUDIT}：第{position}条审计事件属于{other}，不属于{case}"
                ))
            }
            Some(_) => {}
        }
    }
    for (position, _) in events {
        if !named.contains(position) {
            problems.push(text!(
                "data/{AUDIT}: logged event {position} is not named in the record",
                "data/{AUDIT}：第{position}条审计事件未列入元数据"
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
                let n = i + 1;
                problems.push(text!(
                    "{RECORD}: 业务实体 {n} has no {field}",
                    "{RECORD}：第{n}个业务实体缺少{field}"
                ));
            }
        }
    }
    problems
}

/// The record is a 电子文件封装包 with its signed object, its entities and its signature block.
pub(crate) fn structure(record: &ReadRecord) -> Vec<Text> {
    let mut problems = Vec::new();
    if record.root != "电子文件封装包" {
        let root = &record.root;
        problems.push(text!(
            "{RECORD}: the root is {root}, not 电子文件封装包",
            "{RECORD}：根元素为{root}，不是电子文件封装包"
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
            problems.push(text!("{RECORD} has no {path}", "{RECORD}缺少{path}"));
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

pub(crate) fn required(record: &ReadRecord) -> Vec<Text> {
    REQUIRED
        .iter()
        .filter(|f| record.file_value(f).is_none_or(str::is_empty))
        .map(|f| text!("{RECORD}: {f} is empty", "{RECORD}：{f}为空"))
        .collect()
}

pub(crate) fn lengths(record: &ReadRecord) -> Vec<Text> {
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
            let (path, count, max) = (&l.path, l.text.chars().count(), limit(&l.path));
            text!(
                "{RECORD}: {path} is {count} characters, over {max}",
                "{RECORD}：{path}长{count}字，超过{max}字"
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

pub(crate) fn types(record: &ReadRecord) -> Vec<Text> {
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
            let (path, value) = (&leaf.path, &leaf.text);
            problems.push(text!(
                "{RECORD}: {path} {value:?} is not well formed",
                "{RECORD}：{path}的值“{value}”格式不正确"
            ));
        }
    }
    problems
}

/// The formats an archived file may have (GB/T 42727: PDF/A for documents, JPEG or PNG for
/// scans, JSON and XML for data).
/// A scan the applicant brought as a PDF is kept as it came (the original, not a rendition).
pub const FORMATS: [&str; 7] = ["PDF/A-2b", "PDF/A-3b", "PDF", "JPEG", "PNG", "JSON", "XML"];

pub(crate) fn domains(record: &ReadRecord) -> Vec<Text> {
    let mut problems = Vec::new();
    let mut check = |path: &str, allowed: &[&str]| {
        for leaf in record.all(path) {
            if !allowed.contains(&leaf.text.as_str()) {
                let (path, value, allowed) = (&leaf.path, &leaf.text, allowed.join("、"));
                problems.push(text!(
                    "{RECORD}: {path} is {value:?}, not one of {allowed}",
                    "{RECORD}：{path}为“{value}”，不在{allowed}之列"
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

pub(crate) fn reasonable(record: &ReadRecord, this_year: i32) -> Vec<Text> {
    let mut problems = Vec::new();
    if let Some(year) = record
        .file_value("档号/年度")
        .and_then(|y| y.parse::<i32>().ok())
        && !(2000..=this_year).contains(&year)
    {
        problems.push(text!(
            "{RECORD}: 年度 {year} is not between 2000 and {this_year}",
            "{RECORD}：年度{year}不在2000至{this_year}之间"
        ));
    }
    let created = record
        .value("被签名对象/封装包创建时间")
        .and_then(|t| t.get(..10))
        .map(|d| d.replace('-', ""));
    if let (Some(day), Some(created)) = (record.file_value("内容描述/日期"), created)
        && day > created.as_str()
    {
        problems.push(text!(
            "{RECORD}: 日期 {day} is after the package was made",
            "{RECORD}：日期{day}晚于封装时间"
        ));
    }
    let described = record.files().len();
    if record.file_value("形式特征/件数") != Some(described.to_string().as_str()) {
        let said = record.file_value("形式特征/件数").unwrap_or_default();
        problems.push(text!(
            "{RECORD}: 件数 is {said:?}, but {described} files are described",
            "{RECORD}：件数为“{said}”，但著录了{described}个文件"
        ));
    }
    problems
}

/// Control characters, the replacement character and private-use characters do not belong in
/// a record meant to be read in decades.
pub(crate) fn characters(record: &ReadRecord) -> Vec<Text> {
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
        .map(|l| {
            let path = &l.path;
            text!(
                "{RECORD}: {path} holds a special character",
                "{RECORD}：{path}含有特殊字符"
            )
        })
        .collect()
}

pub(crate) fn archival_code(record: &ReadRecord) -> Vec<Text> {
    let text = record.file_value("档号/档号全文").unwrap_or_default();
    let code = match ArchivalCode::parse(text) {
        Ok(code) => code,
        Err(e) => {
            return vec![tongban_domain::Localized::text(&e).within(text!("{RECORD}", "{RECORD}"))];
        }
    };
    let parts = [
        ("全宗号", code.fonds.clone()),
        ("年度", code.year.to_string()),
        ("保管期限", code.retention.label_zh().to_string()),
        ("机构或问题", code.class.clone()),
        ("件号", format!("{:04}", code.item)),
    ];
    let mut problems: Vec<Text> = parts
        .iter()
        .filter(|(field, value)| record.file_value(&format!("档号/{field}")) != Some(value))
        .map(|(field, value)| {
            text!(
                "{RECORD}: {field} does not match the 档号's {value}",
                "{RECORD}：{field}与档号中的{value}不一致"
            )
        })
        .collect();
    if code.item == 0 {
        problems.push(text!(
            "{RECORD}: 件号 starts at 0001",
            "{RECORD}：件号从0001起"
        ));
    }
    debug_assert!(Retention::parse(code.retention.code()).is_some());
    problems
}

/// The described files that are present have the size and the plain name the record gives.
pub(crate) fn attributes(record: &ReadRecord, sizes: &BTreeMap<String, u64>) -> Vec<Text> {
    let mut problems = Vec::new();
    for file in record.files() {
        let name = format!("data/{}", file.path);
        if let Some(size) = sizes.get(&name)
            && *size != file.bytes
        {
            let said = file.bytes;
            problems.push(text!(
                "{name} is {size} bytes; the record says {said}",
                "{name}实为{size}字节，元数据记载{said}字节"
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
) -> Vec<Text> {
    let files = record.files();
    let described: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let mut problems: Vec<Text> = content
        .iter()
        .filter(|f| !described.contains(f.as_str()))
        .map(|f| {
            text!(
                "data/{f} is not described in {RECORD}",
                "data/{f}未在{RECORD}中著录"
            )
        })
        .collect();
    for file in &files {
        let name = format!("data/{}", file.path);
        if let Some(digest) = listed.get(&name)
            && *digest != file.sha256
        {
            problems.push(text!(
                "{name} is not the file {RECORD} describes (SHA-256)",
                "{name}与{RECORD}著录的文件不符（SHA-256）"
            ));
        }
    }
    problems
}

/// A package is made of a finished case (办结, 撤回, 不予受理, 终止…).
pub(crate) fn scope(record: &ReadRecord) -> Vec<Text> {
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
        Some(state) => vec![text!(
            "{RECORD}: the case is {state}, not finished",
            "{RECORD}：办件状态为{state}，尚未办结"
        )],
        None => vec![text!("{RECORD} records no event", "{RECORD}没有业务实体")],
    }
}

pub(crate) fn present(record: &ReadRecord, files: &BTreeSet<String>) -> Vec<Text> {
    record
        .files()
        .iter()
        .map(|f| format!("data/{}", f.path))
        .filter(|name| !files.contains(name))
        .map(|name| {
            text!(
                "{name} is described in {RECORD} but missing",
                "{RECORD}著录了{name}，但文件缺失"
            )
        })
        .collect()
}

/// `clamscan -r --no-summary --infected BAG`: exit 1 names the infected files.
pub(crate) fn virus_scan(scanner: &Path, bag: &Path) -> Vec<Text> {
    let out = std::process::Command::new(scanner)
        .args(["-r", "--no-summary", "--infected"])
        .arg(bag)
        .output();
    match out {
        Ok(out) if out.status.code() == Some(0) => Vec::new(),
        Ok(out) if out.status.code() == Some(1) => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| Text::untranslated(l.replace(&format!("{}/", bag.display()), "")))
            .collect(),
        Ok(out) => {
            let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
            vec![text!("the scanner failed: {said}", "病毒扫描失败：{said}")]
        }
        Err(e) => vec![text!(
            "the scanner cannot run: {e}",
            "病毒扫描程序无法运行：{e}"
        )],
    }
}
