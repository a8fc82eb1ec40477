//! A batch of packages (a township's year, handed to the county archives): every package checked,
//! then what only the batch can show: 档号 given twice, 件号 missing from a sequence, and the
//! transfer list (移交清单) against the packages (counts, bytes, each package's manifest digest).

use crate::Algorithm;
use crate::check::{Finding, Outcome};
use crate::inspect::{Row, Trust, check_package};
use crate::items::{ITEMS, Stage};
use crate::package::METADATA;
use crate::record::ReadRecord;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tongban_domain::archival::{ArchivalCode, numbering};
use tongban_domain::l10n::Text;
use tongban_domain::text;

/// The transfer list's file name in a batch folder.
pub const TRANSFER_LIST: &str = "transfer-list.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedPackage {
    pub folder: String,
    pub code: String,
    pub case: String,
    pub files: u64,
    pub bytes: u64,
    /// SHA-256 of the package's `manifest-sha256.txt`: one digest that pins all its files.
    pub manifest_sha256: String,
}

/// 移交清单: what the batch holds, as its sender lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferList {
    pub about: String,
    pub township: String,
    pub year: i32,
    pub created: String,
    pub packages: Vec<ListedPackage>,
    pub count: u64,
    pub bytes: u64,
}

/// The package folders of a batch, in name order.
pub fn packages_in(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.join("bagit.txt").is_file())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

fn folder_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

/// What the list says of a package folder, read from the package itself.
pub fn list_entry(bag: &Path) -> Result<ListedPackage, Text> {
    let name = folder_name(bag);
    let record =
        crate::content::read_capped(&bag.join("data").join(METADATA), crate::content::TEXT_CAP)
            .map_err(|_| {
                text!(
                    "{name}: data/{METADATA} is missing",
                    "{name}：缺少data/{METADATA}"
                )
            })
            .and_then(|b| ReadRecord::read(&b).map_err(|e| e.within(Text::untranslated(&name))))?;
    let info = std::fs::read_to_string(bag.join("bag-info.txt")).map_err(|_| {
        text!(
            "{name}: bag-info.txt is missing",
            "{name}：缺少bag-info.txt"
        )
    })?;
    let (bytes, files) = info
        .lines()
        .find_map(|l| l.strip_prefix("Payload-Oxum:"))
        .and_then(|o| o.trim().split_once('.'))
        .and_then(|(b, f)| Some((b.parse().ok()?, f.parse().ok()?)))
        .ok_or_else(|| {
            text!(
                "{name}: bag-info.txt has no Payload-Oxum",
                "{name}：bag-info.txt缺少Payload-Oxum"
            )
        })?;
    Ok(ListedPackage {
        folder: name.clone(),
        code: record
            .file_value("档号/档号全文")
            .unwrap_or_default()
            .to_string(),
        case: record
            .file_value("电子文件号")
            .unwrap_or_default()
            .to_string(),
        files,
        bytes,
        manifest_sha256: Algorithm::Sha256
            .hex_file(&bag.join("manifest-sha256.txt"))
            .map_err(|_| {
                text!(
                    "{name}: manifest-sha256.txt is missing",
                    "{name}：缺少manifest-sha256.txt"
                )
            })?,
    })
}

/// The transfer list of the packages in `dir`, as its sender writes it.
pub fn transfer_list(
    dir: &Path,
    township: &str,
    year: i32,
    created: &str,
) -> Result<TransferList, Text> {
    let packages = packages_in(dir)
        .iter()
        .map(|b| list_entry(b))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TransferList {
        about: "移交清单：本批次档案包的档号、办件编号、文件数、字节数及各包manifest-sha256.txt的SHA-256摘要".into(),
        township: township.to_string(),
        year,
        created: created.to_string(),
        count: packages.len() as u64,
        bytes: packages.iter().map(|p| p.bytes).sum(),
        packages,
    })
}

/// Checks every package of the batch at `dir` and the batch as a whole. Rows of the same item
/// and probe are merged: FAIL when any package fails it, each problem prefixed by its folder.
pub fn check_batch(dir: &Path, stage: Stage, trust: &Trust) -> Vec<Row> {
    let bags = packages_in(dir);
    let entries: Vec<Result<ListedPackage, Text>> = bags.iter().map(|b| list_entry(b)).collect();
    let codes: Vec<(String, ArchivalCode)> = entries
        .iter()
        .flatten()
        .filter_map(|e| Some((e.folder.clone(), ArchivalCode::parse(&e.code).ok()?)))
        .collect();
    let mut merged: Vec<Row> = Vec::new();
    for bag in &bags {
        let name = folder_name(bag);
        for row in check_package(bag, stage, trust) {
            let failed = row.outcome == Outcome::Fail && !row.detail.is_empty();
            let (detail, detail_zh) = if failed {
                (
                    format!("{name}/: {}", row.detail),
                    format!("{name}/：{}", row.detail_zh),
                )
            } else {
                (String::new(), String::new())
            };
            match merged
                .iter_mut()
                .find(|m| m.code == row.code && m.check == row.check)
            {
                Some(m) => {
                    if row.outcome == Outcome::Fail {
                        m.outcome = Outcome::Fail;
                        let join = |a: &str, b: &str, by: &str| {
                            [a, b]
                                .iter()
                                .filter(|d| !d.is_empty())
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(by)
                        };
                        m.detail = join(&m.detail, &detail, "; ");
                        m.detail_zh = join(&m.detail_zh, &detail_zh, "；");
                    } else if m.outcome == Outcome::Na && row.outcome == Outcome::Pass {
                        m.outcome = Outcome::Pass;
                        m.detail.clear();
                        m.detail_zh.clear();
                    }
                }
                None => merged.push(if failed {
                    Row {
                        detail,
                        detail_zh,
                        ..row
                    }
                } else {
                    row
                }),
            }
        }
    }

    let numbers = numbering(&codes.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>());
    let holders = |code: &str| {
        codes
            .iter()
            .filter(|(_, c)| c.to_string() == code)
            .map(|(f, _)| format!("{f}/data/{METADATA}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let duplicates: Vec<Text> = numbers
        .duplicates
        .iter()
        .map(|c| {
            let holders = holders(c);
            text!(
                "档号 {c} is given twice: {holders}",
                "档号{c}重复：{holders}"
            )
        })
        .collect();
    let gaps: Vec<Text> = numbers
        .gaps
        .iter()
        .map(|c| {
            text!(
                "件号 missing: no package has {c}",
                "件号不连续：没有档号为{c}的档案包"
            )
        })
        .collect();
    let list = list_problems(dir, &entries);
    let batch = [
        ("duplicate-code", "档号重复", "1-8", duplicates),
        ("numbering", "件号连续", "2-6", gaps),
        ("transfer-list-count", "移交清单件数", "2-1", list.0),
        ("transfer-list-bytes", "移交清单字节数", "2-2", list.1),
        ("transfer-list-digests", "移交清单摘要", "1-14", list.2),
    ];
    for (check, check_zh, number, problems) in batch {
        let Some(item) = ITEMS
            .iter()
            .find(|i| i.number == number && i.applies(stage))
        else {
            continue;
        };
        let finding = Finding::of(check, check_zh, problems);
        let row = Row {
            code: item.code(stage),
            item_zh: item.name_zh,
            check: check.to_string(),
            check_zh,
            outcome: finding.outcome,
            detail: finding.detail,
            detail_zh: finding.detail_zh,
        };
        match merged
            .iter_mut()
            .find(|m| m.code == row.code && m.check == check)
        {
            Some(m) => *m = row,
            None => {
                let at = merged
                    .iter()
                    .rposition(|m| m.code == row.code)
                    .map_or(merged.len(), |i| i + 1);
                merged.insert(at, row);
            }
        }
    }
    merged
}

/// The transfer list against the packages: (count, bytes, digests) problems.
fn list_problems(
    dir: &Path,
    entries: &[Result<ListedPackage, Text>],
) -> (Vec<Text>, Vec<Text>, Vec<Text>) {
    let list: TransferList =
        match crate::content::read_capped(&dir.join(TRANSFER_LIST), crate::content::TEXT_CAP)
            .map_err(|_| {
                text!(
                    "{TRANSFER_LIST} is missing",
                    "缺少{TRANSFER_LIST}（移交清单）"
                )
            })
            .and_then(|b| {
                serde_json::from_slice(&b).map_err(|e| {
                    text!(
                        "{TRANSFER_LIST} cannot be read: {e}",
                        "{TRANSFER_LIST}（移交清单）无法读取：{e}"
                    )
                })
            }) {
            Ok(list) => list,
            Err(e) => return (vec![e.clone()], vec![e.clone()], vec![e]),
        };
    let found: Vec<&ListedPackage> = entries.iter().flatten().collect();
    let mut count = Vec::new();
    let mut bytes = Vec::new();
    let mut digests: Vec<Text> = entries.iter().filter_map(|e| e.clone().err()).collect();
    if list.count != found.len() as u64 || list.packages.len() != found.len() {
        let (listed, held) = (list.count, found.len());
        count.push(text!(
            "{TRANSFER_LIST} lists {listed} packages; the batch holds {held}",
            "移交清单列有{listed}个档案包，批次中实有{held}个"
        ));
    }
    let total: u64 = found.iter().map(|p| p.bytes).sum();
    if list.bytes != total {
        let said = list.bytes;
        bytes.push(text!(
            "{TRANSFER_LIST} says {said} bytes; the packages hold {total}",
            "移交清单记载{said}字节，档案包实有{total}字节"
        ));
    }
    for listed in &list.packages {
        match found.iter().find(|p| p.folder == listed.folder) {
            None => {
                let folder = &listed.folder;
                count.push(text!(
                    "{folder}/ is listed in {TRANSFER_LIST} but missing",
                    "移交清单列有{folder}/，但批次中没有"
                ))
            }
            Some(p) if **p != *listed => {
                let folder = &listed.folder;
                digests.push(text!(
                    "{folder}/ is not the package {TRANSFER_LIST} lists",
                    "{folder}/与移交清单所列档案包不符"
                ))
            }
            Some(_) => {}
        }
    }
    (count, bytes, digests)
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
