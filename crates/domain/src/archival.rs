//! The archival reference number (档号, DA/T 13) every archived case gets, and its retention
//! period (保管期限). The scheme is 全宗号-年度-保管期限代码-机构或问题代码-件号, e.g.
//! `Z109-2026-D30-MZ-0007`: the fonds of the organ that decided, the year the case was finished,
//! Y (永久), D30 (30年) or D10 (10年), the class (the department's code), and the item number
//! within that batch, from 0001 without gaps.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// How long a case's package is kept before it is appraised (nothing is deleted unasked).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
pub enum Retention {
    #[serde(rename = "Y")]
    Permanent,
    #[default]
    #[serde(rename = "D30")]
    Years30,
    #[serde(rename = "D10")]
    Years10,
}

impl Retention {
    pub fn code(self) -> &'static str {
        match self {
            Self::Permanent => "Y",
            Self::Years30 => "D30",
            Self::Years10 => "D10",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Permanent => "永久",
            Self::Years30 => "30年",
            Self::Years10 => "10年",
        }
    }

    /// Years kept; none for permanent.
    pub fn years(self) -> Option<u16> {
        match self {
            Self::Permanent => None,
            Self::Years30 => Some(30),
            Self::Years10 => Some(10),
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Permanent, Self::Years30, Self::Years10]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArchivalCode {
    /// 全宗号: one to eight capital letters and digits.
    pub fonds: String,
    pub year: i32,
    pub retention: Retention,
    /// 机构或问题代码: one to ten capital letters and digits.
    pub class: String,
    /// 件号: 1 to 9999.
    pub item: u16,
}

impl fmt::Display for ArchivalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:04}-{}-{}-{:04}",
            self.fonds,
            self.year,
            self.retention.code(),
            self.class,
            self.item
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub struct ArchivalCodeError(pub String);

impl crate::l10n::Localized for ArchivalCodeError {
    fn text(&self) -> crate::l10n::Text {
        let code = &self.0;
        crate::text!(
            "archival reference {code:?} is not like Z109-2026-D30-MZ-0007 (fonds-year-Y|D30|D10-class-item)",
            "档号“{code}”格式错误，应如Z109-2026-D30-MZ-0007（全宗号-年度-保管期限-机构或问题-件号）"
        )
    }
}

fn capitals(text: &str, max: usize) -> bool {
    (1..=max).contains(&text.len())
        && text
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

impl ArchivalCode {
    pub fn parse(text: &str) -> Result<Self, ArchivalCodeError> {
        let bad = || ArchivalCodeError(text.to_string());
        let parts: Vec<&str> = text.split('-').collect();
        let [fonds, year, retention, class, item] = parts[..] else {
            return Err(bad());
        };
        let digits = |s: &str, n: usize| s.len() == n && s.chars().all(|c| c.is_ascii_digit());
        if !capitals(fonds, 8) || !capitals(class, 10) || !digits(year, 4) || !digits(item, 4) {
            return Err(bad());
        }
        let code = Self {
            fonds: fonds.to_string(),
            year: year.parse().map_err(|_| bad())?,
            retention: Retention::parse(retention).ok_or_else(bad)?,
            class: class.to_string(),
            item: item.parse().map_err(|_| bad())?,
        };
        if code.item == 0 || !(1900..=2999).contains(&code.year) {
            return Err(bad());
        }
        Ok(code)
    }

    /// The batch a code numbers within: everything but the item number.
    fn batch(&self) -> (String, i32, Retention, String) {
        (
            self.fonds.clone(),
            self.year,
            self.retention,
            self.class.clone(),
        )
    }
}

/// The 机构或问题 code of a department (the catalogue's line of work): the pinyin initials the
/// county's archives use, `ZH` (综合) for any other.
pub fn class_of(department: &str) -> &'static str {
    match department {
        "人力资源和社会保障" => "RS",
        "民政" => "MZ",
        "医疗保障" => "YB",
        "残疾人联合会" => "CL",
        "卫生健康" => "WJ",
        "农业农村" => "NY",
        _ => "ZH",
    }
}

/// The 机构或问题 code a township's packages are numbered under: the department's code and the
/// township's own three digits (so each township's year is a batch of its own, transferred
/// whole), and for a package a desk built itself, `D` and the desk's serial (the hub's 件号
/// never collide with a desk's).
pub fn class_for(department: &str, township: &str, desk: Option<u32>) -> String {
    let own = township
        .get(township.len().saturating_sub(3)..)
        .unwrap_or("");
    match desk {
        Some(serial) => format!("{}{own}D{serial:03}", class_of(department)),
        None => format!("{}{own}", class_of(department)),
    }
}

/// The fonds (全宗号) of a county's service records: `Z` and the county's six-digit code, taken
/// from a township code (its first six digits).
pub fn fonds_of(township: &str) -> String {
    format!("Z{}", township.get(..6).unwrap_or(township))
}

/// What is wrong with a batch's numbering: codes given twice, and item numbers missing from
/// 1 up to the highest given, per batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Numbering {
    pub duplicates: Vec<String>,
    pub gaps: Vec<String>,
}

pub fn numbering(codes: &[ArchivalCode]) -> Numbering {
    let mut seen = BTreeSet::new();
    let mut duplicates = BTreeSet::new();
    let mut batches: BTreeMap<_, BTreeSet<u16>> = BTreeMap::new();
    for code in codes {
        if !seen.insert(code) {
            duplicates.insert(code.to_string());
        }
        batches.entry(code.batch()).or_default().insert(code.item);
    }
    let mut gaps = Vec::new();
    for ((fonds, year, retention, class), items) in batches {
        let highest = items.iter().max().copied().unwrap_or(0);
        for item in (1..=highest).filter(|i| !items.contains(i)) {
            gaps.push(
                ArchivalCode {
                    fonds: fonds.clone(),
                    year,
                    retention,
                    class: class.clone(),
                    item,
                }
                .to_string(),
            );
        }
    }
    Numbering {
        duplicates: duplicates.into_iter().collect(),
        gaps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonds_and_classes_make_codes_that_parse() {
        let code = format!(
            "{}-2026-D30-{}-0001",
            fonds_of("450721101"),
            class_of("民政")
        );
        assert_eq!(code, "Z450721-2026-D30-MZ-0001");
        assert!(ArchivalCode::parse(&code).is_ok());
        assert_eq!(class_of("不知道"), "ZH");
        assert_eq!(class_for("民政", "450721101", None), "MZ101");
        assert_eq!(class_for("民政", "450721101", Some(2)), "MZ101D002");
        assert!(ArchivalCode::parse("Z450721-2026-D30-MZ101D002-0001").is_ok());
    }

    #[test]
    fn codes_read_back_as_written() {
        let code = ArchivalCode::parse("Z109-2026-D30-MZ-0007").unwrap();
        assert_eq!(code.retention, Retention::Years30);
        assert_eq!(code.item, 7);
        assert_eq!(code.to_string(), "Z109-2026-D30-MZ-0007");
        assert_eq!(Retention::parse("Y"), Some(Retention::Permanent));
        assert_eq!(Retention::Years10.years(), Some(10));
        assert_eq!(Retention::Permanent.label_zh(), "永久");
        assert_eq!(
            serde_json::to_string(&Retention::Years10).unwrap(),
            "\"D10\""
        );
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in [
            "",
            "Z109-2026-D30-MZ",
            "z109-2026-D30-MZ-0007",
            "Z109-26-D30-MZ-0007",
            "Z109-2026-D20-MZ-0007",
            "Z109-2026-D30-MZ-0000",
            "Z109-2026-D30-MZ-7",
            "Z109-2026-D30-民政-0007",
            "Z109-2026-D30-MZ-0007-1",
            "Z1090000X-2026-D30-MZ-0007",
        ] {
            let err = ArchivalCode::parse(bad).unwrap_err();
            assert!(err.to_string().contains("Z109-2026-D30-MZ-0007"), "{bad}");
        }
    }

    #[test]
    fn a_batch_without_gaps_or_twins_passes_and_each_fault_is_named() {
        let codes = |items: &[(&str, u16)]| -> Vec<ArchivalCode> {
            items
                .iter()
                .map(|(class, item)| ArchivalCode {
                    fonds: "Z109".into(),
                    year: 2026,
                    retention: Retention::Years30,
                    class: (*class).into(),
                    item: *item,
                })
                .collect()
        };
        assert_eq!(
            numbering(&codes(&[("MZ", 1), ("MZ", 2), ("RS", 1)])),
            Numbering::default()
        );
        let faults = numbering(&codes(&[("MZ", 1), ("MZ", 3), ("MZ", 3), ("RS", 2)]));
        assert_eq!(faults.duplicates, ["Z109-2026-D30-MZ-0003"]);
        assert_eq!(
            faults.gaps,
            ["Z109-2026-D30-MZ-0002", "Z109-2026-D30-RS-0001"]
        );
    }
}
