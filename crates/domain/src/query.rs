//! The query code a citizen takes home on the receipt to follow their case. It is random, made
//! when the case is registered: nothing about the person yields it. The case keeps only its
//! hash, so the hub and other desks can check a code without holding one; the registering desk
//! keeps the code itself, encrypted, to print the receipt again.

use crate::case::CaseNumber;
use sha2::{Digest, Sha256};

/// Crockford's base 32: no I, L, O or U to misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// 8 characters of 5 random bits each (2^40 codes), shown as `XXXX-XXXX`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub struct QueryCodeError;

impl crate::l10n::Localized for QueryCodeError {
    fn text(&self) -> crate::l10n::Text {
        crate::text!(
            "a query code has 8 letters and digits, like 7KQ2-M9XD",
            "查询码为8位字母和数字，例如 7KQ2-M9XD"
        )
    }
}

impl QueryCode {
    /// A code from 5 random bytes (the caller draws them; the domain has no randomness).
    pub fn from_random(bytes: [u8; 5]) -> Self {
        let bits = bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        let code = (0..8)
            .rev()
            .map(|i| char::from(ALPHABET[((bits >> (i * 5)) & 31) as usize]))
            .collect();
        Self(code)
    }

    /// A code as a person types it: any case, with or without the dash or spaces, and the
    /// letters people confuse with digits read as those digits.
    pub fn parse(text: &str) -> Result<Self, QueryCodeError> {
        let code: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            })
            .collect();
        if code.len() == 8 && code.bytes().all(|b| ALPHABET.contains(&b)) {
            Ok(Self(code))
        } else {
            Err(QueryCodeError)
        }
    }

    /// As printed: `XXXX-XXXX`.
    pub fn shown(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }

    /// What the case keeps: bound to its number, so a hash says nothing about another case.
    pub fn hash(&self, number: &CaseNumber) -> String {
        let digest = Sha256::digest(format!("tongban-query-v2\n{number}\n{}", self.0).as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TownshipCode;

    fn number(seq: u32) -> CaseNumber {
        let township = TownshipCode::parse("450721101").unwrap();
        CaseNumber::new(&township, time::macros::date!(2026 - 12 - 7), 3, seq).unwrap()
    }

    #[test]
    fn a_code_reads_back_however_it_is_typed() {
        let code = QueryCode::from_random([0x3a, 0x91, 0xff, 0x02, 0x7c]);
        let shown = code.shown();
        assert_eq!(shown.len(), 9);
        assert_eq!(QueryCode::parse(&shown.to_lowercase()).unwrap(), code);
        assert_eq!(QueryCode::parse(&shown.replace('-', " ")).unwrap(), code);
        assert_eq!(
            QueryCode::parse("oooo-iiii").unwrap(),
            QueryCode::parse("0000-1111").unwrap()
        );
        for bad in ["", "ABC", "ABCD-EFGU", "ABCD-EFGH-J", "中文中文中文中文"] {
            assert_eq!(QueryCode::parse(bad), Err(QueryCodeError), "{bad}");
        }
    }

    #[test]
    fn the_hash_binds_code_and_case() {
        let code = QueryCode::from_random([1, 2, 3, 4, 5]);
        let other = QueryCode::from_random([1, 2, 3, 4, 6]);
        assert_eq!(code.hash(&number(1)), code.hash(&number(1)));
        assert_ne!(code.hash(&number(1)), code.hash(&number(2)));
        assert_ne!(code.hash(&number(1)), other.hash(&number(1)));
        assert_eq!(code.hash(&number(1)).len(), 64);
    }
}
