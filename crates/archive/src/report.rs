//! The check's report: its rows, what was checked and when, signed by whoever ran the check (a
//! desk's device key, the hub's key), so a report handed on says who vouches for it.

use crate::check::Outcome;
use crate::inspect::Row;
use crate::items::Stage;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The package's folder name and its 档号 when the record gives one.
    pub package: String,
    pub stage: Stage,
    /// RFC 3339.
    pub checked_at: String,
    pub rows: Vec<Row>,
    pub passed: usize,
    pub failed: usize,
    pub not_applicable: usize,
    /// Who signed, the hex Ed25519 public key and the hex signature over `signed_text`; none
    /// when the checker has no key (an unenrolled machine).
    pub signer: Option<String>,
    pub public_key: Option<String>,
    pub signature: Option<String>,
}

impl Report {
    pub fn new(package: String, stage: Stage, checked_at: String, rows: Vec<Row>) -> Self {
        let count = |o: Outcome| rows.iter().filter(|r| r.outcome == o).count();
        Self {
            package,
            stage,
            checked_at,
            passed: count(Outcome::Pass),
            failed: count(Outcome::Fail),
            not_applicable: count(Outcome::Na),
            rows,
            signer: None,
            public_key: None,
            signature: None,
        }
    }

    /// The bytes signed: the report without its signature fields, as compact JSON.
    pub fn signed_text(&self) -> String {
        let unsigned = Self {
            signer: None,
            public_key: None,
            signature: None,
            ..self.clone()
        };
        serde_json::to_string(&unsigned).unwrap_or_default()
    }

    pub fn sign(mut self, signer: &str, key: &SigningKey) -> Self {
        let signature = key.sign(self.signed_text().as_bytes());
        self.signer = Some(signer.to_string());
        self.public_key = Some(hex::encode(key.verifying_key().to_bytes()));
        self.signature = Some(hex::encode(signature.to_bytes()));
        self
    }

    /// Whether the report is signed, unaltered, by `key`.
    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        let Some(signature) = self
            .signature
            .as_deref()
            .and_then(|s| hex::decode(s).ok())
            .and_then(|b| Signature::from_slice(&b).ok())
        else {
            return false;
        };
        self.public_key.as_deref() == Some(hex::encode(key.to_bytes()).as_str())
            && key
                .verify(self.signed_text().as_bytes(), &signature)
                .is_ok()
    }

    pub fn passes(&self) -> bool {
        self.failed == 0
    }

    /// What a command says when its check failed: how many rows; none when it passed.
    pub fn failure(&self) -> Option<tongban_domain::l10n::Text> {
        let failed = self.failed;
        (failed > 0)
            .then(|| tongban_domain::text!("{failed} check(s) failed", "{failed}项检测不合格"))
    }

    /// The report as a table, one row per line: code, outcome, item, check, detail.
    pub fn text(&self) -> String {
        let mut out = format!(
            "{} · {} ({}) · {}\n",
            self.package,
            self.stage.prefix(),
            self.stage.label_zh(),
            self.checked_at
        );
        for row in &self.rows {
            let outcome = match row.outcome {
                Outcome::Pass => "PASS",
                Outcome::Fail => "FAIL",
                Outcome::Na => "NA  ",
            };
            let check = if row.check_zh.is_empty() {
                String::new()
            } else {
                format!("（{}）", row.check_zh)
            };
            out.push_str(&format!("{:<8} {outcome} {}{check}", row.code, row.item_zh));
            if !row.detail.is_empty() {
                let said = tongban_domain::l10n::Text::new(&row.detail, &row.detail_zh);
                out.push_str(&format!(" — {said}"));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "{} PASS, {} FAIL, {} NA / 合格{}项，不合格{}项，不适用{}项\n",
            self.passed,
            self.failed,
            self.not_applicable,
            self.passed,
            self.failed,
            self.not_applicable
        ));
        match &self.signer {
            Some(signer) => out.push_str(&format!("signed by / 签名：{signer}\n")),
            None => out.push_str("not signed: no key on this machine / 未签名：本机无签名密钥\n"),
        }
        out
    }
}

/// Checks what is at `path`: one package (a folder with `bagit.txt`) or a batch of them (a
/// folder of packages, with its transfer list).
pub fn check_path(
    path: &std::path::Path,
    stage: Stage,
    trust: &crate::Trust,
    checked_at: &str,
) -> Result<Report, crate::ArchiveError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| path.display().to_string());
    let rows = if path.join("bagit.txt").is_file() {
        crate::check_package(path, stage, trust)
    } else if path.is_dir() && !crate::packages_in(path).is_empty() {
        crate::check_batch(path, stage, trust)
    } else {
        return Err(crate::ArchiveError::NotAPackage(path.to_path_buf()));
    };
    Ok(Report::new(name, stage, checked_at.to_string(), rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_report_holds_until_a_row_is_changed() {
        let dir = tempfile::tempdir().unwrap();
        let bag = crate::inspect::tests::package(dir.path());
        let rows = crate::check_package(&bag, Stage::Gd, &crate::inspect::tests::trust());
        let key = SigningKey::from_bytes(&[8; 32]);
        let report = Report::new(
            "package".into(),
            Stage::Gd,
            "2026-12-07T10:00:00+08:00".into(),
            rows,
        )
        .sign("desk 450721101-001", &key);
        assert!(report.passes() && report.signed_by(&key.verifying_key()));
        assert!(report.text().contains("GD-1-1   PASS 固化信息有效性检测"));
        let mut altered = report.clone();
        altered.rows[0].outcome = Outcome::Fail;
        assert!(!altered.signed_by(&key.verifying_key()));
        let stranger = SigningKey::from_bytes(&[9; 32]).verifying_key();
        assert!(!report.signed_by(&stranger));
    }
}
