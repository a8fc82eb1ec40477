//! Reading a bag back: its declaration, every manifest against the files, the payload's size and
//! count, and anything in it that should not be there. Each finding names the files concerned.

use crate::Algorithm;
use crate::bag::{DECLARATION, plain};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use tongban_domain::l10n::Text;
use tongban_domain::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Outcome {
    Pass,
    Fail,
    /// Not for software to decide here.
    Na,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Which check: `bag-declaration`, `manifest-sha256`, `tagmanifest-sm3`, `payload-oxum`,
    /// `stray-files`.
    pub check: String,
    pub name_zh: &'static str,
    pub outcome: Outcome,
    /// What failed, naming the files (or why it is not decided); empty when it passed.
    pub detail: String,
    /// The same in Chinese.
    pub detail_zh: String,
}

impl Finding {
    pub(crate) fn of(check: &str, name_zh: &'static str, problems: Vec<Text>) -> Finding {
        finding(check, name_zh, problems)
    }
}

fn finding(check: &str, name_zh: &'static str, problems: Vec<Text>) -> Finding {
    Finding {
        check: check.to_string(),
        name_zh,
        outcome: if problems.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail
        },
        detail: problems
            .iter()
            .map(|p| p.en.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        detail_zh: problems
            .iter()
            .map(|p| p.zh.as_str())
            .collect::<Vec<_>>()
            .join("；"),
    }
}

/// The bag's files, relative to it with `/`; hidden files, symbolic links and anything not a
/// plain file or folder are reported as found.
fn walk(root: &Path, dir: &Path, files: &mut BTreeMap<String, u64>, odd: &mut Vec<Text>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        let dir = dir.display();
        odd.push(text!("{dir} cannot be read", "{dir}无法读取"));
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        match entry.file_type() {
            Ok(t) if t.is_symlink() => {
                odd.push(text!("{rel} is a symbolic link", "{rel}是符号链接"))
            }
            Ok(t) if t.is_dir() => walk(root, &path, files, odd),
            Ok(t) if t.is_file() => {
                files.insert(rel, entry.metadata().map(|m| m.len()).unwrap_or(0));
            }
            _ => odd.push(text!("{rel} is not a plain file", "{rel}不是普通文件")),
        }
    }
}

/// `digest  path` lines; a malformed line is a problem of its own.
fn read_manifest(path: &Path) -> Result<Vec<(String, String)>, Text> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let bytes = std::fs::read(path).map_err(|_| text!("{name} is missing", "缺少{name}"))?;
    let lines = String::from_utf8(bytes)
        .map_err(|_| text!("{name} is not UTF-8", "{name}不是UTF-8编码"))?;
    lines
        .lines()
        .map(|line| {
            let (digest, file) = line.split_once(char::is_whitespace).ok_or_else(|| {
                text!(
                    "{name}: line {line:?} has no path",
                    "{name}中的一行“{line}”缺少文件路径"
                )
            })?;
            Ok((digest.to_ascii_lowercase(), file.trim_start().to_string()))
        })
        .collect()
}

/// The largest file a package's digests are computed over.
const FILE_CAP: u64 = 4 * 1024 * 1024 * 1024;

/// Every listed file is there with its digest, and every file `covered` is listed.
fn check_manifest(
    bag: &Path,
    manifest: &str,
    algorithm: Algorithm,
    covered: &BTreeSet<String>,
    damaged: &mut BTreeSet<String>,
    listed_digests: &mut BTreeMap<String, String>,
) -> Vec<Text> {
    let entries = match read_manifest(&bag.join(manifest)) {
        Ok(entries) => entries,
        Err(problem) => return vec![problem],
    };
    let mut problems = Vec::new();
    let mut listed = BTreeSet::new();
    for (digest, file) in entries {
        if !plain(file.strip_prefix("data/").unwrap_or(&file)) {
            problems.push(text!(
                "{manifest} lists {file:?}, not a plain path in the bag",
                "{manifest}列出的“{file}”不是包内的合规路径"
            ));
            continue;
        }
        // A case's file is megabytes; hashing a planted terabyte would only stall the checker.
        let size = std::fs::metadata(bag.join(&file)).map_or(0, |m| m.len());
        if size > FILE_CAP {
            damaged.insert(file.clone());
            problems.push(text!(
                "{file} is {size} bytes, too large to be a case's file",
                "{file}有{size}字节，不可能是办件文件"
            ));
            listed.insert(file);
            continue;
        }
        match algorithm.hex_file(&bag.join(&file)) {
            Ok(found) if found == digest => {}
            Ok(_) => {
                damaged.insert(file.clone());
                let name = algorithm.bagit_name();
                problems.push(text!(
                    "{file} does not match its {name} digest in {manifest}",
                    "{file}与{manifest}中的{name}摘要不符"
                ))
            }
            Err(_) => {
                damaged.insert(file.clone());
                problems.push(text!(
                    "{file} is listed in {manifest} but missing",
                    "{manifest}列有{file}，但文件缺失"
                ))
            }
        }
        listed_digests.insert(file.clone(), digest);
        listed.insert(file);
    }
    for file in covered.difference(&listed) {
        problems.push(text!(
            "{file} is not listed in {manifest}",
            "{file}未列入{manifest}"
        ));
    }
    problems
}

/// The tag files of a package: the declaration, its information, then the manifests.
const TAGS: [&str; 6] = [
    "bagit.txt",
    "bag-info.txt",
    "manifest-sha256.txt",
    "manifest-sm3.txt",
    "tagmanifest-sha256.txt",
    "tagmanifest-sm3.txt",
];

/// A bag's fixity, with what the package checks build on.
pub(crate) struct Fixity {
    pub findings: Vec<Finding>,
    /// Every file of the bag, relative to it, with its size.
    pub files: BTreeSet<String>,
    pub sizes: BTreeMap<String, u64>,
    /// Files whose digest in a manifest does not hold, or that are listed and missing.
    pub damaged: BTreeSet<String>,
    /// The payload's SHA-256 as `manifest-sha256.txt` lists it.
    pub sha256: BTreeMap<String, String>,
}

pub fn check_fixity(bag: &Path) -> Vec<Finding> {
    fixity(bag).findings
}

pub(crate) fn fixity(bag: &Path) -> Fixity {
    let mut damaged = BTreeSet::new();
    let mut sha256 = BTreeMap::new();
    let mut files = BTreeMap::new();
    let mut odd = Vec::new();
    walk(bag, bag, &mut files, &mut odd);
    let mut findings = Vec::new();

    let declaration = std::fs::read(bag.join("bagit.txt")).ok();
    findings.push(finding(
        "bag-declaration",
        "包声明",
        match declaration {
            Some(text) if text == DECLARATION.as_bytes() => Vec::new(),
            Some(_) => vec![text!(
                "bagit.txt is not a BagIt 1.0 declaration in UTF-8",
                "bagit.txt不是UTF-8编码的BagIt 1.0声明"
            )],
            None => vec![text!("bagit.txt is missing", "缺少bagit.txt")],
        },
    ));

    let payload: BTreeSet<String> = files
        .keys()
        .filter(|f| f.starts_with("data/"))
        .cloned()
        .collect();
    for algorithm in Algorithm::ALL {
        let name = format!("manifest-{}.txt", algorithm.bagit_name());
        let mut listed = BTreeMap::new();
        let problems = check_manifest(bag, &name, algorithm, &payload, &mut damaged, &mut listed);
        if algorithm == Algorithm::Sha256 {
            sha256 = listed;
        }
        findings.push(finding(
            &format!("manifest-{}", algorithm.bagit_name()),
            match algorithm {
                Algorithm::Sha256 => "内容SHA-256校验",
                Algorithm::Sm3 => "内容SM3校验",
            },
            problems,
        ));
    }
    // The tag files a package has (a stray one is the stray check's to report).
    let tag_files: BTreeSet<String> = TAGS[..4]
        .iter()
        .map(|t| t.to_string())
        .filter(|t| files.contains_key(t))
        .collect();
    for algorithm in Algorithm::ALL {
        let name = format!("tagmanifest-{}.txt", algorithm.bagit_name());
        let problems = check_manifest(
            bag,
            &name,
            algorithm,
            &tag_files,
            &mut BTreeSet::new(),
            &mut BTreeMap::new(),
        );
        findings.push(finding(
            &format!("tagmanifest-{}", algorithm.bagit_name()),
            match algorithm {
                Algorithm::Sha256 => "标签文件SHA-256校验",
                Algorithm::Sm3 => "标签文件SM3校验",
            },
            problems,
        ));
    }

    let bytes: u64 = payload.iter().filter_map(|f| files.get(f)).sum();
    let oxum = std::fs::read_to_string(bag.join("bag-info.txt"))
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("Payload-Oxum:")
                    .map(|v| v.trim().to_string())
            })
        });
    let actual = format!("{bytes}.{}", payload.len());
    findings.push(finding(
        "payload-oxum",
        "内容数量与字节数",
        match oxum {
            Some(declared) if declared == actual => Vec::new(),
            Some(declared) => vec![text!(
                "bag-info.txt says {declared}; data/ holds {actual}",
                "bag-info.txt记载为{declared}，data/实有{actual}"
            )],
            None => vec![text!(
                "bag-info.txt has no Payload-Oxum",
                "bag-info.txt缺少Payload-Oxum"
            )],
        },
    ));

    // Only the tag files a package has, and the payload; nothing hidden, no links.
    let mut stray = odd;
    for file in files.keys() {
        let hidden = file.split('/').any(|n| n.starts_with('.'));
        let known = TAGS.contains(&file.as_str()) || file.starts_with("data/");
        if hidden || !known {
            stray.push(text!(
                "{file} does not belong in a package",
                "{file}不属于档案包"
            ));
        }
    }
    findings.push(finding("stray-files", "多余或隐藏文件", stray));
    Fixity {
        findings,
        files: files.keys().cloned().collect(),
        sizes: files,
        damaged,
        sha256,
    }
}

#[cfg(test)]
#[path = "check_tests.rs"]
mod tests;
