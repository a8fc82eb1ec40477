//! Identity documents beside the resident ID: Hong Kong, Macao and Taiwan residents' permits,
//! passports and the foreigner's permanent residence card. Each has its own rule, and a
//! rejection names it.

use crate::identity::ResidentId;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// The kind of document an applicant identifies with at the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdType {
    /// 居民身份证 (existing rules: GB 11643).
    #[default]
    Resident,
    /// 港澳台居民: 港澳居民来往内地通行证, 台湾居民来往大陆通行证 or 港澳台居民居住证.
    Hmt,
    /// 护照.
    Passport,
    /// 外国人永久居留身份证.
    ForeignPr,
}

impl IdType {
    pub const ALL: [IdType; 4] = [Self::Resident, Self::Hmt, Self::Passport, Self::ForeignPr];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resident => "resident",
            Self::Hmt => "hmt",
            Self::Passport => "passport",
            Self::ForeignPr => "foreign-pr",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Resident => "居民身份证",
            Self::Hmt => "港澳台居民证件",
            Self::Passport => "护照",
            Self::ForeignPr => "外国人永久居留身份证",
        }
    }
}

impl std::str::FromStr for IdType {
    type Err = crate::l10n::Text;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim())
            .ok_or_else(|| {
                crate::text!(
                    "unknown ID type {s:?}; use resident, hmt, passport or foreign-pr",
                    "未知的证件类型“{s}”，可用 resident（居民身份证）、hmt（港澳台居民证件）、passport（护照）、foreign-pr（外国人永久居留身份证）"
                )
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum TravelIdError {
    Hmt(String),
    Passport(String),
    ForeignPr(String),
    /// The 18-character form of a permit or card broke a resident-ID rule.
    Coded(IdType, crate::l10n::Text),
}

impl crate::l10n::Localized for TravelIdError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Hmt(found) => text!(
                "a Hong Kong, Macao or Taiwan resident's number is H or M and 8 or 10 digits (exit-entry permit), 8 digits (Taiwan permit) or an 18-character residence permit starting 81, 82 or 83; found {found:?}",
                "港澳台居民证件号码应为：港澳居民来往内地通行证H或M加8位或10位数字，台湾居民来往大陆通行证8位数字，或以81、82、83开头的18位居住证号码；实际为“{found}”"
            ),
            Self::Passport(found) => text!(
                "a passport number is 5 to 17 letters and digits with at least one digit; found {found:?}",
                "护照号码应为5至17位字母和数字，且至少含一位数字；实际为“{found}”"
            ),
            Self::ForeignPr(found) => text!(
                "a foreigner's permanent residence card number is 18 characters starting with 9 (2023 card) or 3 letters and 12 digits (earlier card); found {found:?}",
                "外国人永久居留身份证号码应为以9开头的18位号码（2023版）或3位字母加12位数字（旧版）；实际为“{found}”"
            ),
            Self::Coded(kind, rule) => {
                let (kind_zh, kind) = (kind.label_zh(), kind.as_str());
                let (en, zh) = (&rule.en, &rule.zh);
                text!("{kind} number: {en}", "{kind_zh}号码：{zh}")
            }
        }
    }
}

fn normalised(input: &str) -> String {
    input.trim().to_ascii_uppercase()
}

fn all_digits(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_digit())
}

/// An 18-character permit or card number checked by the resident ID's rules (GB 11643), with
/// the leading code the document must have.
fn coded(
    kind: IdType,
    text: &str,
    lead: &[&str],
    today: Option<Date>,
) -> Result<(), TravelIdError> {
    if !lead.iter().any(|l| text.starts_with(l)) {
        return Err(match kind {
            IdType::ForeignPr => TravelIdError::ForeignPr(text.to_string()),
            _ => TravelIdError::Hmt(text.to_string()),
        });
    }
    let checked = match today {
        Some(today) => ResidentId::parse(text, today).map(|_| ()),
        None => ResidentId::try_from(text.to_string()).map(|_| ()),
    };
    checked.map_err(|e| TravelIdError::Coded(kind, crate::l10n::Localized::text(&e)))
}

macro_rules! document {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TravelIdError;
            /// Stored documents were checked against the date when written; reading them back
            /// checks only the date-free rules.
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::check(&value, None)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

document!(
    /// 港澳居民来往内地通行证 (H/M + 8 or 10 digits), 台湾居民来往大陆通行证 (8 digits) or
    /// 港澳台居民居住证 (18 characters, 81/82/83).
    HmtPermit
);
document!(
    /// A passport number as ICAO 9303 allows it: letters and digits.
    Passport
);
document!(
    /// 外国人永久居留身份证: the 2023 card's 18 characters (9 + province code, GB 11643 check)
    /// or the earlier card's 3-letter nationality code and 12 digits.
    ForeignPr
);

impl HmtPermit {
    pub fn parse(input: &str, today: Date) -> Result<Self, TravelIdError> {
        Self::check(input, Some(today))
    }

    fn check(input: &str, today: Option<Date>) -> Result<Self, TravelIdError> {
        let text = normalised(input);
        let exit_entry = matches!(text.as_bytes().first(), Some(b'H' | b'M'))
            && matches!(text.len(), 9 | 11)
            && all_digits(&text[1..]);
        let taiwan = text.len() == 8 && all_digits(&text);
        if exit_entry || taiwan {
            return Ok(Self(text));
        }
        if text.len() == 18 {
            coded(IdType::Hmt, &text, &["81", "82", "83"], today)?;
            return Ok(Self(text));
        }
        Err(TravelIdError::Hmt(text))
    }
}

impl Passport {
    pub fn parse(input: &str) -> Result<Self, TravelIdError> {
        Self::check(input, None)
    }

    fn check(input: &str, _today: Option<Date>) -> Result<Self, TravelIdError> {
        let text = normalised(input);
        let shaped = (5..=17).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_alphanumeric())
            && text.bytes().any(|b| b.is_ascii_digit());
        if shaped {
            Ok(Self(text))
        } else {
            Err(TravelIdError::Passport(text))
        }
    }
}

impl ForeignPr {
    pub fn parse(input: &str, today: Date) -> Result<Self, TravelIdError> {
        Self::check(input, Some(today))
    }

    fn check(input: &str, today: Option<Date>) -> Result<Self, TravelIdError> {
        let text = normalised(input);
        let earlier = text.len() == 15
            && text.bytes().take(3).all(|b| b.is_ascii_uppercase())
            && all_digits(&text[3..]);
        if earlier {
            return Ok(Self(text));
        }
        if text.len() == 18 {
            coded(IdType::ForeignPr, &text, &["9"], today)?;
            return Ok(Self(text));
        }
        Err(TravelIdError::ForeignPr(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 12 - 07);

    #[test]
    fn each_document_has_its_own_rule_and_names_it() {
        for ok in ["H12345678", "m1234567890", " 12345678 "] {
            assert!(HmtPermit::parse(ok, TODAY).is_ok(), "{ok}");
        }
        let permit = crate::identity::with_resident_check("81000019900101001").unwrap();
        assert_eq!(HmtPermit::parse(&permit, TODAY).unwrap().as_str(), permit);
        let mut wrong = permit.clone();
        wrong.replace_range(17.., if permit.ends_with('0') { "1" } else { "0" });
        let err = HmtPermit::parse(&wrong, TODAY).unwrap_err();
        assert!(err.to_string().contains("校验码"), "{err}");
        let mainland = crate::identity::with_resident_check("45072119880615231").unwrap();
        assert!(matches!(
            HmtPermit::parse(&mainland, TODAY),
            Err(TravelIdError::Hmt(_))
        ));
        for bad in ["X12345678", "H1234567", "1234567", "H12345678X"] {
            assert!(
                HmtPermit::parse(bad, TODAY)
                    .unwrap_err()
                    .to_string()
                    .contains("港澳台居民证件号码"),
                "{bad}"
            );
        }

        assert_eq!(
            Passport::parse(" e12345678 ").unwrap().as_str(),
            "E12345678"
        );
        for bad in ["E123", "ABCDEFGHI", "E1234-5678", "E123456789012345678"] {
            assert!(
                Passport::parse(bad)
                    .unwrap_err()
                    .to_string()
                    .contains("护照号码"),
                "{bad}"
            );
        }

        assert!(ForeignPr::parse("USA110012345678", TODAY).is_ok());
        let card = crate::identity::with_resident_check("93310019850312001").unwrap();
        assert!(ForeignPr::parse(&card, TODAY).is_ok());
        assert!(ForeignPr::parse(&mainland, TODAY).is_err());
        assert!(
            ForeignPr::parse("US1100123456789", TODAY)
                .unwrap_err()
                .to_string()
                .contains("外国人永久居留身份证")
        );
        // A card issued to someone born tomorrow is refused as a resident ID would be.
        let unborn = crate::identity::with_resident_check("93310020261208001").unwrap();
        assert!(
            ForeignPr::parse(&unborn, TODAY)
                .unwrap_err()
                .to_string()
                .contains("晚于今天")
        );
    }

    #[test]
    fn short_documents_are_masked_as_much_as_long_ones() {
        use crate::identity::masked_id_text;
        assert_eq!(masked_id_text("E1234"), "E***4");
        assert_eq!(masked_id_text("12345678"), "1******8");
        assert_eq!(masked_id_text("H1234567890"), "H1*******90");
        assert_eq!(masked_id_text("USA110012345678"), "US***********78");
        assert_eq!(masked_id_text("1234"), "****");
        // This resident ID also passes the credit code's check: still masked.
        assert_eq!(masked_id_text("450721198806152311"), "450721********2311");
    }

    #[test]
    fn id_types_parse_from_the_command_lines_words() {
        for kind in IdType::ALL {
            assert_eq!(kind.as_str().parse::<IdType>(), Ok(kind));
        }
        assert!(
            "visa"
                .parse::<IdType>()
                .unwrap_err()
                .zh
                .contains("未知的证件类型")
        );
    }
}
