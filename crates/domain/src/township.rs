//! Townships (乡镇) are the tenants of the hub; each is named by its 9-digit statistical code.

use crate::identity::is_province_code;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum TownshipCodeError {
    Format(String),
    Province(u8),
}

impl crate::l10n::Localized for TownshipCodeError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Format(found) => text!(
                "township code must be 9 digits, found {found:?}",
                "乡镇代码应为9位数字，实际为“{found}”"
            ),
            Self::Province(code) => text!(
                "township code must start with a province code, {code:02} is none",
                "乡镇代码前两位须为省级行政区划代码，{code:02}不是"
            ),
        }
    }
}

/// A 9-digit township code: 6-digit county code plus a 3-digit township part.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TownshipCode(String);

impl TownshipCode {
    pub fn parse(input: &str) -> Result<Self, TownshipCodeError> {
        let text = input.trim();
        if text.len() != 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TownshipCodeError::Format(text.to_string()));
        }
        let bytes = text.as_bytes();
        let province = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        if !is_province_code(province) {
            return Err(TownshipCodeError::Province(province));
        }
        Ok(Self(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The county's own unit: its accounts and desks, kept like a township's under the county's
    /// code with the township part 000 (which names the county itself, never a township).
    pub fn county_unit(&self) -> TownshipCode {
        Self(format!("{}000", &self.0[..6]))
    }

    pub fn is_county_unit(&self) -> bool {
        self.0.ends_with("000")
    }

    /// Whether `other` lies in this code's county.
    pub fn same_county(&self, other: &TownshipCode) -> bool {
        self.0[..6] == other.0[..6]
    }
}

impl TryFrom<String> for TownshipCode {
    type Error = TownshipCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TownshipCode> for String {
    fn from(code: TownshipCode) -> Self {
        code.0
    }
}

impl fmt::Display for TownshipCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert!(TownshipCode::parse("450721101").is_ok());
        assert_eq!(
            TownshipCode::parse("45072110"),
            Err(TownshipCodeError::Format("45072110".into()))
        );
        assert_eq!(
            TownshipCode::parse("990721101"),
            Err(TownshipCodeError::Province(99))
        );
        let town = TownshipCode::parse("450721101").unwrap();
        let county = town.county_unit();
        assert_eq!(county.as_str(), "450721000");
        assert!(county.is_county_unit() && !town.is_county_unit());
        assert!(town.same_county(&county));
        assert!(!town.same_county(&TownshipCode::parse("450722101").unwrap()));
    }
}
