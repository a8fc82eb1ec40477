//! References from a case to its scanned pages. The case document holds only these; the page
//! bytes live in the desk's encrypted store and the hub's blob store, addressed by SHA-256.

use serde::{Deserialize, Serialize};

/// No single stored page may be larger (a long PDF included).
pub const MAX_PAGE_BYTES: u64 = 80 * 1024 * 1024;
/// More pages than this for one material is a filing mistake, not a material.
pub const MAX_PAGES_PER_MATERIAL: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PageRef {
    /// Lower-case hex SHA-256 of the stored bytes.
    pub sha256: String,
    pub bytes: u64,
    pub mime: String,
    #[serde(default)]
    pub width: u32,
    #[serde(default)]
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum PageRefError {
    Digest(String),
    Mime(String),
    Size(u64),
}

impl crate::l10n::Localized for PageRefError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Digest(digest) => text!(
                "page digest {digest:?} is not a SHA-256",
                "页面摘要“{digest}”不是SHA-256"
            ),
            Self::Mime(mime) => text!("page type {mime:?} is not kept", "不支持的页面类型“{mime}”"),
            Self::Size(bytes) => text!(
                "page of {bytes} bytes is over the limit of {MAX_PAGE_BYTES}",
                "页面{bytes}字节，超过上限{MAX_PAGE_BYTES}字节"
            ),
        }
    }
}

pub const KEPT_MIMES: [&str; 2] = ["image/jpeg", "application/pdf"];

pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl PageRef {
    pub fn check(&self) -> Result<(), PageRefError> {
        if !is_sha256_hex(&self.sha256) {
            return Err(PageRefError::Digest(self.sha256.clone()));
        }
        if !KEPT_MIMES.contains(&self.mime.as_str()) {
            return Err(PageRefError::Mime(self.mime.clone()));
        }
        if self.bytes == 0 || self.bytes > MAX_PAGE_BYTES {
            return Err(PageRefError::Size(self.bytes));
        }
        Ok(())
    }

    pub fn is_pdf(&self) -> bool {
        self.mime == "application/pdf"
    }
}
