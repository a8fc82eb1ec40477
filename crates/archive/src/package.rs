//! Building a case's package: its files (printed documents, scans as stored, the case as JSON)
//! with their digests in the metadata record, the record signed, and all of it bagged.

use crate::bag::{BagInfo, Payload, write_bag};
use crate::metadata::{AuditRef, FileEntry, Record, package_xml, signed_object};
use crate::{Algorithm, ArchiveError};
use ed25519_dalek::SigningKey;
use std::path::Path;
use tongban_audit::Extract;
use tongban_domain::Role;
use tongban_domain::archival::ArchivalCode;

/// A file that goes into the package, as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    /// Its path under `data/`.
    pub path: String,
    /// e.g. `PDF`, `JPEG`, `JSON`.
    pub format: String,
    pub bytes: Vec<u8>,
}

impl PackageFile {
    /// A scanned page as stored, named for what it proves and its place there.
    pub fn scan(
        material: &str,
        position: u32,
        page: &tongban_domain::PageRef,
        bytes: Vec<u8>,
    ) -> Self {
        let format = match page.mime.as_str() {
            "application/pdf" => "PDF",
            "image/png" => "PNG",
            _ => "JPEG",
        };
        Self {
            path: format!(
                "scans/{}",
                tongban_domain::page::export_name(material, position, page)
            ),
            format: format.into(),
            bytes,
        }
    }
}

/// Everything a package is made of.
pub struct Contents<'a> {
    pub case: &'a tongban_domain::Case,
    pub code: &'a ArchivalCode,
    pub organ: &'a str,
    pub township_name: &'a str,
    pub legal_basis: &'a [String],
    pub roles: &'a [(String, Role)],
    pub files: Vec<PackageFile>,
    /// When it is made (RFC 3339), and the bagging day (YYYY-MM-DD).
    pub created: &'a str,
    pub bagging_date: &'a str,
    /// The case's events from the township's audit log, with their proofs.
    pub extract: &'a Extract,
    /// Who signs the record (the hub, or the desk that exports it), with which key.
    pub signer: &'a str,
    pub key: &'a SigningKey,
}

/// Where the metadata record sits in the payload.
pub const METADATA: &str = "metadata.xml";
/// Where the audit extract sits: evidence about the record, so not described in it.
pub const AUDIT: &str = "audit.json";

pub fn build(dir: &Path, contents: Contents<'_>) -> Result<(), ArchiveError> {
    let entries: Vec<FileEntry> = contents
        .files
        .iter()
        .map(|f| FileEntry {
            path: f.path.clone(),
            format: f.format.clone(),
            bytes: f.bytes.len() as u64,
            sha256: Algorithm::Sha256.hex(&f.bytes),
            sm3: Algorithm::Sm3.hex(&f.bytes),
        })
        .collect();
    let audit = AuditRef {
        township: contents.extract.checkpoint.checkpoint.township.clone(),
        size: contents.extract.checkpoint.checkpoint.size,
        positions: contents
            .extract
            .entries
            .iter()
            .map(|e| e.position)
            .collect(),
    };
    let extract = serde_json::to_vec_pretty(contents.extract)
        .map_err(|e| ArchiveError::Io(std::io::Error::other(e)))?;
    let record = Record {
        case: contents.case,
        code: contents.code,
        organ: contents.organ,
        township_name: contents.township_name,
        legal_basis: contents.legal_basis,
        roles: contents.roles,
        files: &entries,
        created: contents.created,
        audit: &audit,
    };
    let xml = signed_object(&record)
        .and_then(|signed| package_xml(&signed, contents.signer, contents.created, contents.key))?;
    let mut payload: Vec<Payload> = contents
        .files
        .into_iter()
        .map(|f| Payload {
            path: f.path,
            bytes: f.bytes,
        })
        .collect();
    payload.push(Payload {
        path: METADATA.into(),
        bytes: xml.into_bytes(),
    });
    payload.push(Payload {
        path: AUDIT.into(),
        bytes: extract,
    });
    let info = BagInfo {
        source_organization: contents.organ.to_string(),
        external_identifier: contents.case.number.as_str().to_string(),
        group_identifier: format!("{}-{}", contents.case.number.township(), contents.code.year),
        bagging_date: contents.bagging_date.to_string(),
    };
    write_bag(dir, &info, &payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Outcome, check_fixity, metadata::signature_holds};

    #[test]
    fn a_built_package_passes_its_checks_and_its_record_is_signed() {
        let dir = tempfile::tempdir().unwrap();
        let bag = crate::inspect::tests::package(dir.path());
        assert!(
            check_fixity(&bag)
                .iter()
                .all(|f| f.outcome == Outcome::Pass)
        );
        let xml = std::fs::read_to_string(bag.join("data").join(METADATA)).unwrap();
        let key = crate::inspect::tests::hub_key();
        assert_eq!(signature_holds(&xml, &[key.verifying_key()]), Ok(()));
        // The receipt, six scans and the case's JSON; the extract is evidence, not described.
        assert_eq!(xml.matches("<电子属性>").count(), 8);
        assert!(xml.contains("<条目位置>0 3 6 9</条目位置>"));
        let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
        assert!(info.contains("External-Identifier: 450721101-20261120-001-0007"));
        assert!(info.contains("Bag-Group-Identifier: 450721101-2026"));
        assert!(bag.join("data").join(AUDIT).exists());
    }
}
