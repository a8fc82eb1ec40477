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

/// Every page of a case — its materials' in order, then its papers' — with what it proves (a
/// material code or a paper kind) and its place there.
pub fn case_pages(case: &crate::Case) -> Vec<(String, u32, PageRef)> {
    let materials = case.materials.iter().map(|m| (m.code.clone(), &m.pages));
    let papers = case
        .papers
        .iter()
        .map(|p| (p.kind.as_str().to_string(), &p.pages));
    materials
        .chain(papers)
        .flat_map(|(what, pages)| {
            pages
                .iter()
                .enumerate()
                .map(move |(i, page)| (what.clone(), i as u32, page.clone()))
        })
        .collect()
}

/// The file name a page is exported under: only letters, digits, `_` and `-` from the case
/// document go into it, so whatever a document says, an export stays in its folder.
pub fn export_name(material: &str, position: u32, page: &PageRef) -> String {
    let material: String = material
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(32)
        .collect();
    let digest: String = page
        .sha256
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    let extension = if page.is_pdf() { "pdf" } else { "jpg" };
    format!(
        "{}-{:02}-{digest}.{extension}",
        if material.is_empty() {
            "page"
        } else {
            &material
        },
        u64::from(position) + 1
    )
}
