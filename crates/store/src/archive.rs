//! Archival packages as a desk sees them: what a package check here may trust (the hub's key
//! and its township's desks', as enrolment and sync gave them), and the report signed with this
//! desk's key.

use crate::{Access, DocKind, Store, StoreError};
use rusqlite::OptionalExtension;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;
use tongban_archive::{Contents, PackageFile};
use tongban_archive::{Report, Stage, Trust};
use tongban_audit::{AuditAction, Extract, MerkleLog, SignedEvent};
use tongban_domain::archival::{ArchivalCode, class_for, fonds_of};
use tongban_domain::calendar::china_date;
use tongban_domain::session::Session;
use tongban_domain::text;
use tongban_domain::{Case, Text};
use tongban_sync::ed25519_dalek::SigningKey;

/// To the second: a report or a package is dated, not timed.
fn rfc3339(now: OffsetDateTime) -> String {
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A check on a machine with no profile: nothing is trusted, so signatures and proofs fail.
pub fn check_untrusted(
    path: &Path,
    stage: Stage,
    now: OffsetDateTime,
) -> Result<Report, StoreError> {
    let trust = Trust {
        year: now.year(),
        scanner: tongban_archive::installed_scanner(),
        ..Trust::default()
    };
    tongban_archive::check_path(path, stage, &trust, &rfc3339(now))
        .map_err(|e| StoreError::Invalid(tongban_domain::Localized::text(&e)))
}

impl Store {
    pub fn archive_trust(&self, now: OffsetDateTime) -> Result<Trust, StoreError> {
        let hub = self.hub_audit_key()?;
        let mut signers = vec![hub];
        let mut stmt = self.conn.prepare("SELECT public_key FROM devices")?;
        for key in stmt.query_map([], |r| r.get::<_, String>(0))? {
            if let Ok(key) = tongban_sync::auth::parse_public_key(&key?) {
                signers.push(key);
            }
        }
        signers.push(SigningKey::from_bytes(self.device_key()?.expose()).verifying_key());
        Ok(Trust {
            signers,
            hub: Some(hub),
            other_codes: None,
            fonds: None,
            year: now.year(),
            scanner: tongban_archive::installed_scanner(),
        })
    }

    /// Checks the package (or batch) at `path` and signs the report with this desk's key.
    pub fn check_archive(
        &self,
        path: &Path,
        stage: Stage,
        now: OffsetDateTime,
    ) -> Result<Report, StoreError> {
        let trust = self.archive_trust(now)?;
        let report = tongban_archive::check_path(path, stage, &trust, &rfc3339(now))
            .map_err(|e| StoreError::Invalid(tongban_domain::Localized::text(&e)))?;
        let enrollment = self.enrollment()?;
        let key = SigningKey::from_bytes(self.device_key()?.expose());
        Ok(report.sign(
            &format!("{} {}", enrollment.township_name, enrollment.device_id),
            &key,
        ))
    }
}

/// A package this desk wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Exported {
    pub dir: PathBuf,
    pub code: String,
    pub files: usize,
    pub bytes: u64,
    /// `hub` for the package the hub archived, `desk` for one this desk built itself.
    pub built_by: &'static str,
}

impl Exported {
    /// The package written at `dir`, counted from its payload.
    fn of(dir: PathBuf, code: String, built_by: &'static str) -> Self {
        Self {
            files: count_files(&dir.join("data")),
            bytes: walk_bytes(&dir.join("data")),
            dir,
            code,
            built_by,
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    tongban_pages::sha256_hex(bytes)
}

fn invalid(text: tongban_domain::Text) -> StoreError {
    StoreError::Invalid(text)
}

impl Store {
    /// Builds the archival package of a finished case this desk holds into `out`/CASE_NUMBER:
    /// its papers as PDF/A, its scans as stored, its JSON, the record signed with this desk's
    /// key and the case's events from the township log with their proofs. The 档号 is this
    /// desk's (its class carries the desk's serial), given once and kept.
    ///
    /// `from_hub` is asked for the hub's package (档号 and tar) only once the person may see
    /// the case; when it has one, that is what is written.
    pub fn export_archive(
        &self,
        session: &Session,
        number: &str,
        out: &Path,
        now: OffsetDateTime,
        from_hub: impl FnOnce() -> Result<Option<(String, Vec<u8>)>, Text>,
    ) -> Result<Exported, StoreError> {
        let case = self.view(session, number, now)?;
        // The folder is named by the case's own, checked number, never by what was typed.
        let number = case.number.as_str();
        // The hub's copy may be ahead of this desk's: what it archived is finished.
        if let Some((code, tar)) = from_hub().map_err(StoreError::Invalid)? {
            return self.unpack_hub_package(session, number, &code, &tar, out, now);
        }
        if !tongban_domain::workflow::is_final(case.status) {
            let (status, status_zh) = (case.status.as_str(), case.status.label_zh());
            return Err(invalid(text!(
                "case {number} is {status}, not finished; only a finished case is archived",
                "办件{number}尚未办结（当前：{status_zh}），不能归档"
            )));
        }
        let extract = self.case_extract(number)?;
        let created = rfc3339(now);
        let mut files = Vec::new();
        for kind in DocKind::ALL {
            match self.paper(case.clone(), kind, false, true, now) {
                Ok(paper) => files.push(PackageFile {
                    path: format!("documents/{}.pdf", kind.as_str()),
                    format: "PDF/A-2b".into(),
                    bytes: paper
                        .pdf_a(now)
                        .map_err(|e| invalid(tongban_domain::Localized::text(&e)))?,
                }),
                // The case has no such paper.
                Err(StoreError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        for page in self.case_pages(number)? {
            let bytes = self.page_bytes(&page.page.sha256)?.ok_or_else(|| {
                invalid(text!(
                    "a page of case {number} has not reached this desk yet; sync, then export again",
                    "办件{number}有扫描页尚未同步到本机，请同步后再导出"
                ))
            })?;
            files.push(PackageFile::scan(
                &page.material,
                page.position,
                &page.page,
                bytes,
            ));
        }
        files.push(PackageFile {
            path: "case.json".into(),
            format: "JSON".into(),
            bytes: serde_json::to_vec_pretty(&case)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        });
        let catalogues = self.catalogues()?;
        let item = catalogues.item_of(&case);
        let code = self.archive_code(&case, item)?;
        let enrollment = self.enrollment()?;
        let mut roles = Vec::new();
        for event in &case.events {
            if let Some(role) = self.role_of(&event.by)?
                && !roles.iter().any(|(name, _)| *name == event.by)
            {
                roles.push((event.by.clone(), role));
            }
        }
        let dir = out.join(number);
        tongban_archive::build(
            &dir,
            Contents {
                case: &case,
                code: &code,
                organ: &self.deciding_organ(&case)?,
                township_name: &enrollment.township_name,
                legal_basis: &item.map(|i| i.legal_basis.clone()).unwrap_or_default(),
                roles: &roles,
                files,
                created: &created,
                bagging_date: created.get(..10).unwrap_or_default(),
                extract: &extract,
                signer: &format!("{} {}", enrollment.township_name, enrollment.device_id),
                key: &SigningKey::from_bytes(self.device_key()?.expose()),
            },
        )
        .map_err(|e| invalid(tongban_domain::Localized::text(&e)))?;
        let manifest = std::fs::read(dir.join("manifest-sha256.txt"))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let exported = Exported::of(dir, code.to_string(), "desk");
        self.audit_export(session, number, &sha256_hex(&manifest), now)?;
        Ok(exported)
    }

    /// The export goes into the trail with what identifies the package.
    fn audit_export(
        &self,
        session: &Session,
        number: &str,
        digest: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let access = Access {
            detail: "archive",
            digest,
            ..Access::done(&session.user, AuditAction::Export, number)
        };
        self.audit(&access, crate::now_ms(now))
    }

    /// Writes the package the hub archived (a tar of its bag) into `out`; the tar's entries
    /// cannot land outside `out`.
    fn unpack_hub_package(
        &self,
        session: &Session,
        number: &str,
        code: &str,
        tar: &[u8],
        out: &Path,
        now: OffsetDateTime,
    ) -> Result<Exported, StoreError> {
        let dir = out.join(number);
        if dir.exists() {
            let shown = dir.display();
            return Err(invalid(text!(
                "{shown} already exists; a package is written into a new folder",
                "{shown}已存在，档案包只能写入新的文件夹"
            )));
        }
        std::fs::create_dir_all(out).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tar::Archive::new(tar)
            .unpack(out)
            .map_err(|e| StoreError::Corrupt(format!("the hub's package does not unpack: {e}")))?;
        if !dir.join("bagit.txt").is_file() {
            return Err(StoreError::Corrupt(format!(
                "the hub's package of {number} holds no bag named after the case"
            )));
        }
        self.audit_export(session, number, &sha256_hex(tar), now)?;
        Ok(Exported::of(dir, code.to_string(), "hub"))
    }

    /// The case's events in this desk's copy of the township log, proven against the hub's
    /// checkpoint for exactly that copy.
    fn case_extract(&self, number: &str) -> Result<Extract, StoreError> {
        let sync_first = || {
            invalid(text!(
                "this desk's copy of the township's audit log is behind its checkpoint; sync, then export again",
                "本机的乡镇审计日志与检查点不一致，请同步后再导出"
            ))
        };
        let checkpoint = self.audit_checkpoint()?.ok_or_else(sync_first)?;
        let mut log = MerkleLog::new();
        let mut ours = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT position, hash, bytes, signature, object FROM township_audit ORDER BY position",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, Vec<u8>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (position, hash, bytes, signature, object) = row?;
            let hash: [u8; 32] = hash
                .try_into()
                .map_err(|_| StoreError::Corrupt("township audit hash".into()))?;
            log.push(hash);
            if object == number {
                ours.push((position as u64, SignedEvent { bytes, signature }));
            }
        }
        if ours.is_empty() {
            return Err(sync_first());
        }
        Extract::build(&log, checkpoint, &ours).ok_or_else(sync_first)
    }

    /// The case's 档号: the one this desk gave it before, or the next in its batch.
    fn archive_code(
        &self,
        case: &Case,
        item: Option<&tongban_domain::ServiceItem>,
    ) -> Result<ArchivalCode, StoreError> {
        let number = case.number.as_str();
        let given: Option<String> = self
            .conn
            .query_row(
                "SELECT code FROM archive_codes WHERE number = ?1",
                [number],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(code) = given {
            return ArchivalCode::parse(&code).map_err(|e| StoreError::Corrupt(e.to_string()));
        }
        let enrollment = self.enrollment()?;
        let finished = case.events.last().map_or(case.created_at_ms, |e| e.at_ms);
        let mut code = ArchivalCode {
            fonds: fonds_of(enrollment.township.as_str()),
            year: china_date(finished).year(),
            retention: item.map(|i| i.retention).unwrap_or_default(),
            class: class_for(
                item.map_or("", |i| i.department.as_str()),
                enrollment.township.as_str(),
                Some(enrollment.device_serial),
            ),
            item: 1,
        };
        let batch = format!(
            "{}-{}-{}-{}",
            code.fonds,
            code.year,
            code.retention.code(),
            code.class
        );
        let last: Option<i64> = self.conn.query_row(
            "SELECT max(item) FROM archive_codes WHERE batch = ?1",
            [&batch],
            |r| r.get(0),
        )?;
        code.item = u16::try_from(last.unwrap_or(0) + 1).map_err(|_| {
            invalid(text!(
                "batch {batch} has no 件号 left",
                "批次{batch}的件号已用完"
            ))
        })?;
        self.conn.execute(
            "INSERT INTO archive_codes (number, code, batch, item) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![number, code.to_string(), batch, code.item],
        )?;
        Ok(code)
    }
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => count_files(&e.path()),
                    _ => 1,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn walk_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => walk_bytes(&e.path()),
                    _ => e.metadata().map(|m| m.len()).unwrap_or(0),
                })
                .sum()
        })
        .unwrap_or(0)
}

impl Store {
    /// The finished cases this person may see, newest first, with the 档号 of their package
    /// where this desk exported one.
    pub fn archived_cases(
        &mut self,
        session: &Session,
        now: OffsetDateTime,
    ) -> Result<Vec<tongban_domain::desk::ArchivedCase>, StoreError> {
        let mut cases = Vec::new();
        for status in tongban_domain::CaseStatus::ALL
            .into_iter()
            .filter(|s| tongban_domain::workflow::is_final(*s))
        {
            let filter = crate::CaseFilter {
                status: Some(status),
                today: Some(now.date()),
                limit: Some(500),
                ..crate::CaseFilter::default()
            };
            cases.extend(self.search(session, filter, now)?.cases);
        }
        cases.sort_by_key(|c| std::cmp::Reverse(c.updated_at_ms));
        cases
            .into_iter()
            .map(|case| {
                let code = self
                    .conn
                    .query_row(
                        "SELECT code FROM archive_codes WHERE number = ?1",
                        [&case.number],
                        |r| r.get(0),
                    )
                    .optional()?;
                Ok(tongban_domain::desk::ArchivedCase { case, code })
            })
            .collect()
    }
}
