//! Building a case's package: its files (printed documents, scans as stored, the case as JSON)
//! with their digests in the metadata record, the record signed, and all of it bagged.

use crate::bag::{BagInfo, Payload, write_bag};
use crate::metadata::{FileEntry, Record, package_xml, signed_object};
use crate::{Algorithm, ArchiveError};
use ed25519_dalek::SigningKey;
use std::path::Path;
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
    /// Who signs the record (the hub), with which key.
    pub signer: &'a str,
    pub key: &'a SigningKey,
}

/// Where the metadata record sits in the payload.
pub const METADATA: &str = "metadata.xml";

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
    let record = Record {
        case: contents.case,
        code: contents.code,
        organ: contents.organ,
        township_name: contents.township_name,
        legal_basis: contents.legal_basis,
        roles: contents.roles,
        files: &entries,
        created: contents.created,
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
        let case = crate::test_case::case("YL01");
        let code = ArchivalCode::parse("Z109-2026-D30-RS-0001").unwrap();
        let key = SigningKey::from_bytes(&[3; 32]);
        let files = (1..=6)
            .map(|n| PackageFile {
                path: format!("scans/page-{n}.jpg"),
                format: "JPEG".into(),
                bytes: vec![0xff, 0xd8, n as u8],
            })
            .chain(std::iter::once(PackageFile {
                path: "case.json".into(),
                format: "JSON".into(),
                bytes: b"{}".to_vec(),
            }))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let bag = dir.path().join("bag");
        build(
            &bag,
            Contents {
                case: &case,
                code: &code,
                organ: "灵山县人力资源和社会保障局",
                township_name: "檀圩镇",
                legal_basis: &[],
                roles: &[("李明".into(), Role::Clerk)],
                files,
                created: "2026-12-07T10:00:00+08:00",
                bagging_date: "2026-12-07",
                signer: "hub",
                key: &key,
            },
        )
        .unwrap();
        assert!(
            check_fixity(&bag)
                .iter()
                .all(|f| f.outcome == Outcome::Pass)
        );
        let xml = std::fs::read_to_string(bag.join("data").join(METADATA)).unwrap();
        assert_eq!(signature_holds(&xml, &[key.verifying_key()]), Ok(()));
        assert_eq!(xml.matches("<电子属性>").count(), 7);
        let info = std::fs::read_to_string(bag.join("bag-info.txt")).unwrap();
        assert!(info.contains("External-Identifier: 450721101-20261120-001-0007"));
        assert!(info.contains("Bag-Group-Identifier: 450721101-2026"));
    }
}
