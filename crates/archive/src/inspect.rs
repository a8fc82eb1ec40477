//! The 四性 check of one package at one stage of DA/T 70: every item of the stage gets rows,
//! PASS or FAIL from what software decides here, NA with the reason for the rest. Each row is
//! one of our probes; a fault is reported by the probe that owns it and no other (a file that
//! fails its digests is not also judged unreadable; a program is a security finding, not a
//! wrong format), so a report says what is wrong once.

use crate::check::{Finding, Outcome, fixity};
use crate::content::{
    CONTENT_CAP, Kind, TEXT_CAP, head, image_decodes, pdf_facts, read_capped, sniff,
};
use crate::items::{ITEMS, Stage};
use crate::package::{AUDIT, METADATA};
use crate::record::ReadRecord;
use crate::rules;
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use tongban_domain::l10n::Text;
use tongban_domain::text;

/// The virus scanner (`clamscan`) on the PATH, when one is installed.
pub fn installed_scanner() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("clamscan"))
            .find(|p| p.is_file())
    })
}

/// What a check may rely on beyond the package.
#[derive(Debug, Clone, Default)]
pub struct Trust {
    /// Keys whose signature on a record is accepted: the hub's, and its township's desks'.
    pub signers: Vec<VerifyingKey>,
    /// The hub's audit key, for the extract's checkpoint.
    pub hub: Option<VerifyingKey>,
    /// Archival codes held elsewhere (the hub's register, the rest of a batch); `None` when
    /// there is nothing to compare with.
    pub other_codes: Option<Vec<String>>,
    /// The fonds code the archives expect (移交 only).
    pub fonds: Option<String>,
    /// This year, for what dates may reasonably be.
    pub year: i32,
    /// The virus scanner to run (`clamscan`); `None` when none is installed.
    pub scanner: Option<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// e.g. `GD-1-1`.
    pub code: String,
    pub item_zh: &'static str,
    /// Our probe within the item, e.g. `record-signature`; empty for an item not decided here.
    pub check: String,
    pub check_zh: &'static str,
    pub outcome: Outcome,
    /// What failed, naming the files, or why the row is not decided.
    pub detail: String,
    pub detail_zh: String,
}

/// A probe's result before it is placed under its item.
struct Probe {
    check: &'static str,
    check_zh: &'static str,
    /// The item numbers it reports under, by preference: the first that the stage has.
    items: &'static [&'static str],
    finding: Finding,
}

fn probe(
    check: &'static str,
    check_zh: &'static str,
    items: &'static [&'static str],
    problems: Vec<Text>,
) -> Probe {
    Probe {
        check,
        check_zh,
        items,
        finding: Finding::of(check, check_zh, problems),
    }
}

fn na(
    check: &'static str,
    check_zh: &'static str,
    items: &'static [&'static str],
    why: Text,
) -> Probe {
    Probe {
        check,
        check_zh,
        items,
        finding: Finding {
            check: check.into(),
            name_zh: check_zh,
            outcome: Outcome::Na,
            detail: why.en,
            detail_zh: why.zh,
        },
    }
}

/// Places probes under the stage's items; items without one are NA with their reason.
fn rows(stage: Stage, probes: Vec<Probe>) -> Vec<Row> {
    let mut rows = Vec::new();
    for item in ITEMS.iter().filter(|i| i.applies(stage)) {
        let mine: Vec<&Probe> = probes
            .iter()
            .filter(|p| {
                p.items
                    .iter()
                    .find(|n| ITEMS.iter().any(|i| i.number == **n && i.applies(stage)))
                    == Some(&item.number)
            })
            .collect();
        if mine.is_empty() {
            let (en, zh) = item.not_decided.unwrap_or((
                "no software check applies at this stage",
                "本阶段无适用的软件检测",
            ));
            rows.push(Row {
                code: item.code(stage),
                item_zh: item.name_zh,
                check: String::new(),
                check_zh: "",
                outcome: Outcome::Na,
                detail: en.to_string(),
                detail_zh: zh.to_string(),
            });
        }
        for p in mine {
            rows.push(Row {
                code: item.code(stage),
                item_zh: item.name_zh,
                check: p.check.to_string(),
                check_zh: p.check_zh,
                outcome: p.finding.outcome,
                detail: p.finding.detail.clone(),
                detail_zh: p.finding.detail_zh.clone(),
            });
        }
    }
    rows
}

/// A content file of the payload (not the record, not the extract), by its path under `data/`.
fn content_files(files: &BTreeSet<String>) -> Vec<String> {
    files
        .iter()
        .filter_map(|f| f.strip_prefix("data/"))
        .filter(|f| *f != METADATA && *f != AUDIT)
        .map(str::to_string)
        .collect()
}

/// Checks the package at `bag` at `stage`.
pub fn check_package(bag: &Path, stage: Stage, trust: &Trust) -> Vec<Row> {
    let fixity = fixity(bag);
    let mut probes = Vec::new();
    let by = |check: &str| fixity.findings.iter().find(|f| f.check == check);
    let merged = |checks: [&str; 2]| {
        checks
            .iter()
            .filter_map(|c| by(c))
            .filter(|f| f.outcome == Outcome::Fail)
            .map(|f| Text::new(f.detail.clone(), f.detail_zh.clone()))
            .collect::<Vec<_>>()
    };
    probes.push(probe(
        "payload-digests",
        "内容数据SHA-256与SM3摘要",
        &["1-14"],
        merged(["manifest-sha256", "manifest-sm3"]),
    ));
    probes.push(probe(
        "tag-digests",
        "标签文件摘要",
        &["1-14"],
        merged(["tagmanifest-sha256", "tagmanifest-sm3"]),
    ));
    probes.push(probe(
        "bag-declaration",
        "包声明与包信息",
        &["1-12", "1-15"],
        rules::bag_info(bag),
    ));
    probes.push(probe(
        "stray-files",
        "多余或隐藏文件",
        &["4-3", "1-15"],
        by("stray-files")
            .filter(|f| f.outcome == Outcome::Fail)
            .map(|f| Text::new(f.detail.clone(), f.detail_zh.clone()))
            .into_iter()
            .collect(),
    ));
    probes.push(probe(
        "layout",
        "目录结构",
        &["1-13", "1-15"],
        rules::layout(&content_files(&fixity.files)),
    ));
    let (count, bytes) = rules::oxum(bag, &fixity);
    probes.push(probe("payload-count", "内容文件件数", &["2-1"], count));
    probes.push(probe("payload-bytes", "内容文件字节数", &["2-2"], bytes));

    let audit = rules::audit_proofs(bag, trust);
    probes.push(probe(
        "audit-proofs",
        "审计日志包含证明",
        &["1-1"],
        audit.as_ref().err().cloned().into_iter().collect(),
    ));

    let metadata = read_capped(&bag.join("data").join(METADATA), TEXT_CAP);
    let record = match &metadata {
        Ok(bytes) => ReadRecord::read(bytes),
        Err(Some(size)) => Err(text!(
            "data/metadata.xml is {size} bytes, too large for a record",
            "data/metadata.xml有{size}字节，远超元数据应有的大小"
        )),
        Err(None) => Err(text!(
            "data/metadata.xml is missing",
            "缺少data/metadata.xml"
        )),
    };
    probes.push(probe(
        "record-readable",
        "元数据可读",
        &["3-1"],
        record.as_ref().err().cloned().into_iter().collect(),
    ));
    match (&record, &metadata) {
        (Ok(record), Ok(bytes)) => {
            let xml = String::from_utf8_lossy(bytes);
            record_probes(&mut probes, record, &xml, &fixity, audit.ok(), trust);
        }
        _ => {
            for (check, zh, items) in RECORD_PROBES {
                let unread = text!(
                    "the record cannot be read (see 元数据可读)",
                    "元数据不可读，见“元数据可读”一行"
                );
                probes.push(na(check, zh, items, unread));
            }
        }
    }
    content_probes(&mut probes, bag, &fixity, record.as_ref().ok());
    scanner_probes(&mut probes, bag, trust);
    rows(stage, probes)
}

/// The probes that read the record, for when it cannot be read.
const RECORD_PROBES: [(&str, &str, &[&str]); 17] = [
    ("record-signature", "元数据电子签名", &["1-16", "1-1"]),
    ("audit-complete", "审计事件齐全", &["2-5", "1-1"]),
    ("record-structure", "封装包结构", &["2-3", "2-10"]),
    ("required-values", "必填著录项", &["2-4"]),
    ("lengths", "数据长度", &["1-2"]),
    ("types", "数据类型与格式", &["1-3"]),
    ("domains", "值域", &["1-4"]),
    ("reasonable", "数据值合理性", &["1-5"]),
    ("characters", "特殊字符", &["1-6"]),
    ("archival-code", "档号规范", &["1-7"]),
    ("duplicate-code", "档号重复", &["1-8"]),
    ("fonds", "全宗号一致", &["1-9"]),
    ("attributes", "电子属性一致", &["1-10"]),
    ("linked", "元数据关联内容", &["1-11"]),
    ("numbering", "件号连续", &["2-6"]),
    ("scope", "归档范围", &["2-9"]),
    ("present", "内容文件齐全", &["2-11"]),
];

fn record_probes(
    probes: &mut Vec<Probe>,
    record: &ReadRecord,
    xml: &str,
    fixity: &crate::check::Fixity,
    audit: Option<Vec<(u64, tongban_audit::AuditEvent)>>,
    trust: &Trust,
) {
    let results = [
        crate::metadata::signature_holds(xml, &trust.signers)
            .err()
            .into_iter()
            .map(|e| e.within(text!("data/metadata.xml", "data/metadata.xml")))
            .collect(),
        match audit {
            Some(events) => rules::audit_complete(record, &events),
            None => vec![text!(
                "the audit extract does not hold (see 审计日志包含证明)",
                "审计摘录不成立，见“审计日志包含证明”一行"
            )],
        },
        rules::structure(record),
        rules::required(record),
        rules::lengths(record),
        rules::types(record),
        rules::domains(record),
        rules::reasonable(record, trust.year),
        rules::characters(record),
        rules::archival_code(record),
        Vec::new(),
        Vec::new(),
        rules::attributes(record, &fixity.sizes),
        rules::linked(record, &fixity.sha256, &content_files(&fixity.files)),
        Vec::new(),
        rules::scope(record),
        rules::present(record, &fixity.files),
    ];
    for ((check, zh, items), problems) in RECORD_PROBES.into_iter().zip(results) {
        let code = record.file_value("档号/档号全文").unwrap_or_default();
        match check {
            "duplicate-code" => match &trust.other_codes {
                Some(others) => probes.push(probe(
                    check,
                    zh,
                    items,
                    others
                        .iter()
                        .filter(|c| *c == code)
                        .map(|c| {
                            text!(
                                "data/metadata.xml: 档号 {c} is held by another package",
                                "data/metadata.xml：档号{c}已被其他档案包使用"
                            )
                        })
                        .take(1)
                        .collect(),
                )),
                None => probes.push(na(
                    check,
                    zh,
                    items,
                    text!(
                        "no register of 档号 to compare with (checked in a batch or at the hub)",
                        "无可比对的档号登记（在批次或中心登记中检测）"
                    ),
                )),
            },
            "fonds" => {
                let fonds = record.file_value("档号/全宗号").unwrap_or_default();
                let mut problems = Vec::new();
                if !code.starts_with(&format!("{fonds}-")) {
                    problems.push(text!(
                        "data/metadata.xml: 全宗号 {fonds} is not the 档号's",
                        "data/metadata.xml：全宗号{fonds}与档号不一致"
                    ));
                }
                if let Some(expected) = &trust.fonds
                    && expected != fonds
                {
                    problems.push(text!(
                        "data/metadata.xml: 全宗号 {fonds}; the archives expect {expected}",
                        "data/metadata.xml：全宗号为{fonds}，档案馆要求{expected}"
                    ));
                }
                probes.push(probe(check, zh, items, problems));
            }
            "numbering" => probes.push(na(
                check,
                zh,
                items,
                text!(
                    "a single package has no run of 件号; checked in a batch",
                    "单个档案包无件号序列，在批次中检测"
                ),
            )),
            _ => probes.push(probe(check, zh, items, problems)),
        }
    }
}

/// Format, readability and format compliance of each content file whose digests hold; a
/// program is left to the security probe.
fn content_probes(
    probes: &mut Vec<Probe>,
    bag: &Path,
    fixity: &crate::check::Fixity,
    record: Option<&ReadRecord>,
) {
    let declared: Vec<crate::metadata::FileEntry> = record.map(|r| r.files()).unwrap_or_default();
    let (mut formats, mut readable, mut compliant, mut programs) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for file in content_files(&fixity.files) {
        let name = format!("data/{file}");
        if fixity.damaged.contains(&name) {
            continue;
        }
        let path = bag.join("data").join(&file);
        let kind = head(&path).map(|h| sniff(&h)).unwrap_or(Kind::Unknown);
        if kind == Kind::Executable {
            programs.push(text!(
                "{name} is an executable program",
                "{name}是可执行程序"
            ));
            continue;
        }
        let format = declared
            .iter()
            .find(|d| d.path == file)
            .map(|d| d.format.as_str());
        match format {
            Some(format) if kind.matches(format) => {}
            Some(format) => {
                let (is, is_zh) = (kind.name(), kind.name_zh());
                formats.push(text!(
                    "{name} is {is}, not {format}",
                    "{name}实为{is_zh}，不是{format}"
                ))
            }
            None if kind == Kind::Unknown => {
                formats.push(text!("{name} is of an unknown format", "{name}格式不明"))
            }
            None => {}
        }
        let bytes = match read_capped(&path, CONTENT_CAP) {
            Ok(bytes) => bytes,
            Err(Some(size)) => {
                readable.push(text!(
                    "{name} is {size} bytes, too large to open here",
                    "{name}有{size}字节，过大，无法在此打开检查"
                ));
                continue;
            }
            Err(None) => {
                readable.push(text!("{name} cannot be read", "{name}无法读取"));
                continue;
            }
        };
        match kind {
            Kind::Jpeg | Kind::Png => {
                if let Err(e) = image_decodes(&bytes) {
                    readable.push(text!("{name} does not decode: {e}", "{name}无法解码：{e}"));
                }
            }
            Kind::Json if serde_json::from_slice::<serde_json::Value>(&bytes).is_err() => {
                readable.push(text!("{name} is not valid JSON", "{name}不是有效的JSON"));
            }
            Kind::Pdf => match pdf_facts(&bytes) {
                Err(e) => readable.push(text!("{name} does not parse: {e}", "{name}无法解析：{e}")),
                Ok(facts) if facts.encrypted => {
                    compliant.push(text!("{name} is encrypted", "{name}已加密"));
                }
                Ok(facts) => {
                    if facts.pages == 0 {
                        readable.push(text!("{name} has no pages", "{name}没有页面"));
                    }
                    if !facts.fonts_embedded {
                        compliant.push(text!(
                            "{name} has a font that is not embedded",
                            "{name}有未嵌入的字体"
                        ));
                    }
                    let claims = format.and_then(|f| f.strip_prefix("PDF/A-"));
                    if let Some(claimed) = claims
                        && facts.pdfa.as_deref() != Some(&claimed.to_ascii_uppercase())
                    {
                        let said = facts.pdfa.as_deref().unwrap_or("-");
                        compliant.push(text!(
                            "{name} is recorded as PDF/A-{claimed} but its XMP says PDF/A part {said}",
                            "{name}记录为PDF/A-{claimed}，但其XMP标识为{said}"
                        ));
                    }
                }
            },
            _ => {}
        }
    }
    probes.push(probe("formats", "内容数据格式", &["3-3", "3-5"], formats));
    probes.push(probe("readable", "内容数据可打开", &["3-4"], readable));
    probes.push(probe(
        "format-compliance",
        "格式合规（无加密、字体嵌入、PDF/A）",
        &["3-8", "3-5"],
        compliant,
    ));
    probes.push(probe("executables", "可执行程序", &["4-2"], programs));
}

fn scanner_probes(probes: &mut Vec<Probe>, bag: &Path, trust: &Trust) {
    match &trust.scanner {
        None => {
            let why = || {
                text!(
                    "no virus scanner (clamscan) is installed on this machine",
                    "本机未安装病毒扫描程序（clamscan）"
                )
            };
            probes.push(na("scanner-installed", "杀毒软件", &["4-1"], why()));
            probes.push(na("virus-scan", "病毒扫描", &["4-2"], why()));
        }
        Some(scanner) => {
            probes.push(probe("scanner-installed", "杀毒软件", &["4-1"], Vec::new()));
            probes.push(probe(
                "virus-scan",
                "病毒扫描",
                &["4-2"],
                rules::virus_scan(scanner, bag),
            ));
        }
    }
}

#[cfg(test)]
#[path = "inspect_tests.rs"]
pub(crate) mod tests;
