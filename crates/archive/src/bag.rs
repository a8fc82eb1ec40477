//! Writing a bag: the payload under `data/`, then its manifests, then the tag files and their
//! manifests, all sorted so the same case always gives the same bytes.

use crate::{Algorithm, ArchiveError};
use std::path::Path;

/// The bag's declaration, exactly as RFC 8493 §2.1.1 has it.
pub(crate) const DECLARATION: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// What `bag-info.txt` says of the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BagInfo {
    /// The organ the record comes from (立档单位).
    pub source_organization: String,
    /// The case number.
    pub external_identifier: String,
    /// The batch the package belongs to (a township's year, say).
    pub group_identifier: String,
    /// YYYY-MM-DD.
    pub bagging_date: String,
}

/// One file of the payload: its path under `data/` (plain names joined by `/`) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A path under `data/` a reader anywhere can take at its word: names of letters, digits, `-`,
/// `_` and `.`, none hidden, none `..`.
pub(crate) fn plain(path: &str) -> bool {
    !path.is_empty()
        && path.split('/').all(|name| {
            !name.is_empty()
                && !name.starts_with('.')
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
}

fn manifest(algorithm: Algorithm, files: &[(String, &[u8])]) -> String {
    let mut lines: Vec<String> = files
        .iter()
        .map(|(path, bytes)| format!("{}  {path}\n", algorithm.hex(bytes)))
        .collect();
    lines.sort();
    lines.concat()
}

/// Writes the bag into `dir`, which must be empty or not yet exist.
pub fn write_bag(dir: &Path, info: &BagInfo, payload: &[Payload]) -> Result<(), ArchiveError> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(ArchiveError::NotEmpty(dir.to_path_buf()));
    }
    if let Some(bad) = payload.iter().find(|p| !plain(&p.path)) {
        return Err(ArchiveError::Path(bad.path.clone()));
    }
    std::fs::create_dir_all(dir.join("data"))?;
    let mut files: Vec<(String, &[u8])> = Vec::with_capacity(payload.len());
    for p in payload {
        let path = dir.join("data").join(&p.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &p.bytes)?;
        files.push((format!("data/{}", p.path), &p.bytes));
    }
    let bytes: usize = payload.iter().map(|p| p.bytes.len()).sum();
    let bag_info = format!(
        "Source-Organization: {}\nExternal-Identifier: {}\nBag-Group-Identifier: {}\nBagging-Date: {}\nPayload-Oxum: {bytes}.{}\n",
        info.source_organization,
        info.external_identifier,
        info.group_identifier,
        info.bagging_date,
        payload.len()
    );
    let mut tags: Vec<(String, Vec<u8>)> = vec![
        ("bagit.txt".into(), DECLARATION.as_bytes().to_vec()),
        ("bag-info.txt".into(), bag_info.into_bytes()),
    ];
    for algorithm in Algorithm::ALL {
        tags.push((
            format!("manifest-{}.txt", algorithm.bagit_name()),
            manifest(algorithm, &files).into_bytes(),
        ));
    }
    let tag_files: Vec<(String, &[u8])> = tags
        .iter()
        .map(|(name, bytes)| (name.clone(), bytes.as_slice()))
        .collect();
    let tag_manifests: Vec<(String, String)> = Algorithm::ALL
        .iter()
        .map(|a| {
            (
                format!("tagmanifest-{}.txt", a.bagit_name()),
                manifest(*a, &tag_files),
            )
        })
        .collect();
    for (name, bytes) in &tags {
        std::fs::write(dir.join(name), bytes)?;
    }
    for (name, text) in tag_manifests {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}
