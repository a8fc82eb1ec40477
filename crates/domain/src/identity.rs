//! Applicant identity numbers: resident ID (GB 11643-1999), Unified Social Credit Code
//! (GB 32100-2015) and mainland mobile numbers. Every rejection names the rule that failed.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Date, Month};

/// Province-level administrative codes (GB/T 2260) that may open a resident ID or township code.
pub const PROVINCE_CODES: [u8; 32] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71,
];

/// Hong Kong, Macao and Taiwan residence permits use these leading digits.
const RESIDENCE_PERMIT_CODES: [u8; 3] = [81, 82, 83];

/// The oldest birth date a living applicant can plausibly have.
const MAX_AGE_YEARS: i32 = 130;

pub fn is_province_code(code: u8) -> bool {
    PROVINCE_CODES.contains(&code)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum ResidentIdError {
    Length(usize),
    NotDigit(usize),
    Province(u8),
    BirthDate(String),
    BirthInFuture(String),
    BirthTooOld(String),
    CheckCharacter { expected: char, found: char },
}

impl crate::l10n::Localized for ResidentIdError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Length(found) => text!(
                "ID number must have 18 characters, found {found}",
                "身份证号码应为18位，实际为{found}位"
            ),
            Self::NotDigit(position) => text!(
                "ID number characters 1-17 must be digits (position {position} is not)",
                "身份证号码前17位须为数字（第{position}位不是）"
            ),
            Self::Province(code) => text!(
                "ID number must start with a province code, {code:02} is none",
                "身份证号码前两位须为省级行政区划代码，{code:02}不是"
            ),
            Self::BirthDate(date) => text!(
                "birth date {date} in the ID number does not exist",
                "身份证号码中的出生日期{date}不存在"
            ),
            Self::BirthInFuture(date) => text!(
                "birth date {date} in the ID number is in the future",
                "身份证号码中的出生日期{date}晚于今天"
            ),
            Self::BirthTooOld(date) => text!(
                "birth date {date} in the ID number is more than 130 years ago",
                "身份证号码中的出生日期{date}早于130年前"
            ),
            Self::CheckCharacter { expected, found } => text!(
                "ID number check character should be {expected}, found {found} (ISO 7064 MOD 11-2)",
                "身份证号码校验码应为{expected}，实际为{found}"
            ),
        }
    }
}

/// A validated 18-character resident ID: mainland, foreigner permanent residence (leading 9) or a
/// Hong Kong / Macao / Taiwan residence permit (81/82/83).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

impl ResidentId {
    /// Validates against `today`, which the caller supplies so the core stays clock-free.
    pub fn parse(input: &str, today: Date) -> Result<Self, ResidentIdError> {
        let (text, birth) = Self::structure(input)?;
        let birth_text = text[6..14].to_string();
        if birth > today {
            return Err(ResidentIdError::BirthInFuture(birth_text));
        }
        let oldest = today
            .replace_year(today.year() - MAX_AGE_YEARS)
            .unwrap_or_else(|_| today.saturating_sub(time::Duration::days(365 * 130 + 32)));
        if birth < oldest {
            return Err(ResidentIdError::BirthTooOld(birth_text));
        }
        Ok(Self(text))
    }

    /// Every rule that does not depend on today's date.
    fn structure(input: &str) -> Result<(String, Date), ResidentIdError> {
        let text: String = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = text.chars().collect();
        if chars.len() != 18 {
            return Err(ResidentIdError::Length(chars.len()));
        }
        let mut digits = [0u8; 17];
        for (i, c) in chars[..17].iter().enumerate() {
            digits[i] = c
                .to_digit(10)
                .ok_or(ResidentIdError::NotDigit(i + 1))
                .map(|d| d as u8)?;
        }
        let lead = digits[0] * 10 + digits[1];
        let province_ok = if digits[0] == 9 {
            // Foreigner permanent residence IDs: 9 followed by the issuing province's code.
            is_province_code(digits[1] * 10 + digits[2])
        } else {
            is_province_code(lead) || RESIDENCE_PERMIT_CODES.contains(&lead)
        };
        if !province_ok {
            return Err(ResidentIdError::Province(lead));
        }
        let birth = parse_yyyymmdd(&digits[6..14])
            .ok_or_else(|| ResidentIdError::BirthDate(text[6..14].to_string()))?;
        let expected = resident_check_character(&digits);
        if chars[17] != expected {
            return Err(ResidentIdError::CheckCharacter {
                expected,
                found: chars[17],
            });
        }
        Ok((text, birth))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Region and last four kept, birth date hidden: enough to tell applicants apart at the
    /// window without printing the whole number.
    pub fn masked(&self) -> String {
        mask_middle(self.as_str(), 6, 4)
    }

    /// The birth date encoded at positions 7-14; always valid once parsed.
    pub fn birth_date(&self) -> Option<Date> {
        let digits: Vec<u8> = self.0.bytes().take(14).map(|b| b - b'0').collect();
        parse_yyyymmdd(&digits[6..14])
    }
}

impl TryFrom<String> for ResidentId {
    type Error = ResidentIdError;
    /// Stored documents were validated when written; only the date-free rules are re-checked on
    /// read, so a case registered years ago never becomes unreadable because the clock moved.
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::structure(&value).map(|(text, _)| Self(text))
    }
}

impl From<ResidentId> for String {
    fn from(id: ResidentId) -> Self {
        id.0
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// ISO 7064 MOD 11-2 over the first 17 digits.
pub fn resident_check_character(digits: &[u8; 17]) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const MAP: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    MAP[(sum % 11) as usize]
}

/// A whole resident ID from its first 17 digits: the digits and their check character. `None`
/// unless `body` is exactly 17 ASCII digits. For demo and measuring data, made up but valid.
pub fn with_resident_check(body: &str) -> Option<String> {
    let digits: [u8; 17] = body
        .bytes()
        .map(|b| b.is_ascii_digit().then(|| b - b'0'))
        .collect::<Option<Vec<u8>>>()?
        .try_into()
        .ok()?;
    Some(format!("{body}{}", resident_check_character(&digits)))
}

fn parse_yyyymmdd(d: &[u8]) -> Option<Date> {
    let num = |s: &[u8]| s.iter().fold(0i32, |acc, x| acc * 10 + i32::from(*x));
    let month = Month::try_from(u8::try_from(num(&d[4..6])).ok()?).ok()?;
    let day = u8::try_from(num(&d[6..8])).ok()?;
    Date::from_calendar_date(num(&d[0..4]), month, day).ok()
}

/// GB 32100-2015 alphabet: digits and capitals without I, O, S, V, Z.
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum UsccError {
    Length(usize),
    Alphabet { position: usize, found: char },
    Region,
    CheckCharacter { expected: char, found: char },
}

impl crate::l10n::Localized for UsccError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Length(found) => text!(
                "Unified Social Credit Code must have 18 characters, found {found}",
                "统一社会信用代码应为18位，实际为{found}位"
            ),
            Self::Alphabet { position, found } => text!(
                "character '{found}' at position {position} is not allowed in a Unified Social Credit Code (I, O, S, V, Z never appear)",
                "统一社会信用代码第{position}位的“{found}”不是合法字符（不使用I、O、S、V、Z）"
            ),
            Self::Region => text!(
                "characters 3-8 of a Unified Social Credit Code are the region code and must be digits",
                "统一社会信用代码第3-8位为登记管理机关行政区划码，须为数字"
            ),
            Self::CheckCharacter { expected, found } => text!(
                "Unified Social Credit Code check character should be {expected}, found {found}",
                "统一社会信用代码校验码应为{expected}，实际为{found}"
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

impl Uscc {
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let text = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = text.chars().collect();
        if chars.len() != 18 {
            return Err(UsccError::Length(chars.len()));
        }
        let mut values = [0u32; 18];
        for (i, c) in chars.iter().enumerate() {
            values[i] = USCC_ALPHABET
                .find(*c)
                .ok_or(UsccError::Alphabet {
                    position: i + 1,
                    found: *c,
                })
                .map(|v| v as u32)?;
        }
        if !chars[2..8].iter().all(char::is_ascii_digit) {
            return Err(UsccError::Region);
        }
        let mut first17 = [0u32; 17];
        first17.copy_from_slice(&values[..17]);
        let expected = uscc_check_character(&first17);
        if chars[17] != expected {
            return Err(UsccError::CheckCharacter {
                expected,
                found: chars[17],
            });
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check character for the first 17 values (indices into the GB 32100 alphabet).
pub fn uscc_check_character(values: &[u32; 17]) -> char {
    let sum: u32 = values.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    USCC_ALPHABET.chars().nth(check as usize).unwrap_or('0')
}

/// Alphabet used by the code, for generators and tests.
pub fn uscc_alphabet() -> &'static str {
    USCC_ALPHABET
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Uscc> for String {
    fn from(id: Uscc) -> Self {
        id.0
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum MobileError {
    Length(usize),
    NotDigit,
    Prefix(String),
}

impl crate::l10n::Localized for MobileError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Length(found) => text!(
                "mobile number must have 11 digits, found {found}",
                "手机号码应为11位数字，实际为{found}位"
            ),
            Self::NotDigit => text!(
                "mobile number may contain only digits",
                "手机号码只能包含数字"
            ),
            Self::Prefix(found) => text!(
                "mobile number must start with 13-19, found {found}",
                "手机号码须以13至19开头，实际为{found}"
            ),
        }
    }
}

/// A mainland mobile number, normalised to 11 digits (spaces, dashes and +86 are dropped).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile(String);

impl Mobile {
    pub fn parse(input: &str) -> Result<Self, MobileError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let digits = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .unwrap_or(&compact);
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(MobileError::NotDigit);
        }
        if digits.len() != 11 {
            return Err(MobileError::Length(digits.len()));
        }
        let prefix = &digits[..2];
        if !matches!(prefix, "13" | "14" | "15" | "16" | "17" | "18" | "19") {
            return Err(MobileError::Prefix(prefix.to_string()));
        }
        Ok(Self(digits.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        mask_middle(self.as_str(), 3, 4)
    }
}

impl TryFrom<String> for Mobile {
    type Error = MobileError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Mobile> for String {
    fn from(m: Mobile) -> Self {
        m.0
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ID number as lists and screens show it: an organisation's credit code is public and
/// shown whole (unless it also reads as a resident ID); an 18-character number keeps its region and last four; a shorter permit or
/// passport keeps at most a fifth of its characters at each end (one of 9, two of 15), so most
/// of it is hidden whatever its length.
pub fn masked_id_text(text: &str) -> String {
    let len = text.chars().count();
    // A resident ID can happen to pass the credit code's check as well (about one in 31): it is
    // judged a person's first, so no one's number is ever shown whole by chance.
    let personal = ResidentId::try_from(text.to_string()).is_ok();
    if !personal && Uscc::parse(text).is_ok() {
        text.to_string()
    } else if len == 18 {
        mask_middle(text, 6, 4)
    } else {
        let keep = (len / 5).min(2);
        mask_middle(text, keep, keep)
    }
}

pub(crate) fn mask_middle(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 21);

    fn with_check(body: &str) -> String {
        with_resident_check(body).unwrap()
    }

    #[test]
    fn a_check_character_is_added_only_to_seventeen_digits() {
        let id = with_resident_check("11010519491231002").unwrap();
        assert_eq!(id, "11010519491231002X");
        assert!(ResidentId::parse(&id, TODAY).is_ok());
        for bad in [
            "1101051949123100",
            "110105194912310021",
            "1101051949123100a",
            "１1010519491231002",
        ] {
            assert_eq!(with_resident_check(bad), None, "{bad}");
        }
    }

    #[test]
    fn required_vectors_hold() {
        assert!(ResidentId::parse("11010519491231002X", TODAY).is_ok());
        assert!(ResidentId::parse("11010519491231002x", TODAY).is_ok());
        assert!(ResidentId::parse("450721198806152311", TODAY).is_ok());
        assert!(Uscc::parse("91350100M000100Y43").is_ok());
        assert_eq!(
            Uscc::parse("91350100M000100Y4Z"),
            Err(UsccError::Alphabet {
                position: 18,
                found: 'Z'
            })
        );
    }

    #[test]
    fn each_resident_rule_is_named() {
        use ResidentIdError::*;
        let cases = [
            ("1101051949123100", Length(16)),
            ("11010519491231A02X", NotDigit(15)),
            ("99010519491231002X", Province(99)),
            ("10010519491231002X", Province(10)),
            ("110105194902300021", BirthDate("19490230".into())),
            (
                &with_check("11010520300101002"),
                BirthInFuture("20300101".into()),
            ),
            (
                &with_check("11010518800101002"),
                BirthTooOld("18800101".into()),
            ),
            (
                "110105194912310021",
                CheckCharacter {
                    expected: 'X',
                    found: '1',
                },
            ),
        ];
        for (input, expected) in cases {
            let input: &str = input;
            assert_eq!(ResidentId::parse(input, TODAY), Err(expected), "{input}");
        }
    }

    #[test]
    fn permits_and_foreigner_ids_are_accepted() {
        for prefix in ["810000", "820000", "830000", "932156"] {
            let id = with_check(&format!("{prefix}19900101123"));
            assert!(ResidentId::parse(&id, TODAY).is_ok(), "{id}");
        }
        // 9 followed by a code that is no province is refused.
        assert!(matches!(
            ResidentId::parse(&with_check("99915619900101123"), TODAY),
            Err(ResidentIdError::Province(99))
        ));
    }

    #[test]
    fn mobile_rules() {
        assert_eq!(
            Mobile::parse("+86 138-0013-8000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(Mobile::parse("1380013800"), Err(MobileError::Length(10)));
        assert_eq!(
            Mobile::parse("12800138000"),
            Err(MobileError::Prefix("12".into()))
        );
        assert_eq!(Mobile::parse("1380013800a"), Err(MobileError::NotDigit));
    }

    #[test]
    fn stored_ids_stay_readable_after_years() {
        let id: ResidentId = serde_json::from_str("\"11010519491231002X\"").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert!(serde_json::from_str::<ResidentId>("\"11010519491231002Y\"").is_err());
    }

    proptest! {
        #[test]
        fn resident_check_character_is_the_only_valid_one(
            province in proptest::sample::select(PROVINCE_CODES.to_vec()),
            area in 0u32..10_000,
            days in 0i64..40_000,
            seq in 0u32..1000,
            wrong in proptest::sample::select(vec!['0','1','2','3','4','5','6','7','8','9','X']),
        ) {
            let birth = TODAY - time::Duration::days(days);
            let body = format!(
                "{province:02}{area:04}{:04}{:02}{:02}{seq:03}",
                birth.year(), u8::from(birth.month()), birth.day()
            );
            let digits: [u8; 17] = body.bytes().map(|b| b - b'0').collect::<Vec<_>>().try_into().unwrap();
            let check = resident_check_character(&digits);
            let valid = format!("{body}{check}");
            prop_assert!(ResidentId::parse(&valid, TODAY).is_ok(), "{}", valid);
            if wrong != check {
                let is_check_error = matches!(
                    ResidentId::parse(&format!("{body}{wrong}"), TODAY),
                    Err(ResidentIdError::CheckCharacter { .. })
                );
                prop_assert!(is_check_error);
            }
        }

        #[test]
        fn uscc_check_character_is_the_only_valid_one(
            head in proptest::collection::vec(0usize..31, 2),
            region in 0u32..1_000_000,
            tail in proptest::collection::vec(0usize..31, 9),
            wrong in 0usize..31,
        ) {
            let alphabet: Vec<char> = uscc_alphabet().chars().collect();
            let body: String = head.iter().map(|i| alphabet[*i])
                .chain(format!("{region:06}").chars())
                .chain(tail.iter().map(|i| alphabet[*i]))
                .collect();
            let values: [u32; 17] = body.chars()
                .map(|c| uscc_alphabet().find(c).unwrap() as u32)
                .collect::<Vec<_>>().try_into().unwrap();
            let check = uscc_check_character(&values);
            let valid = format!("{body}{check}");
            prop_assert!(Uscc::parse(&valid).is_ok(), "{}", valid);
            if alphabet[wrong] != check {
                let is_check_error = matches!(
                    Uscc::parse(&format!("{body}{}", alphabet[wrong])),
                    Err(UsccError::CheckCharacter { .. })
                );
                prop_assert!(is_check_error);
            }
        }
    }

    #[test]
    fn masking_keeps_region_and_last_four() {
        let id = ResidentId::parse("11010519491231002X", TODAY).unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(masked_id_text("11010519491231002X"), "110105********002X");
        assert_eq!(masked_id_text("91350100M000100Y43"), "91350100M000100Y43");
        assert_eq!(
            Mobile::parse("13812345678").unwrap().masked(),
            "138****5678"
        );
        assert_eq!(mask_middle("abc", 6, 4), "***");
    }
}
