//! Archived packages at the hub after archiving: the 四性 check of any package or batch against
//! the hub's own records of who may sign, the fixity audit of every stored package (长期保存,
//! each result kept in the archive log with the hub-signed report), the transfer batch of a
//! township's year for the county archives (移交, checked as the archives will), and the list
//! of packages whose retention period has run out (nothing is deleted here).

use super::Hub;
use super::archiving::{china_now, rfc3339};
use crate::archive_db::{ArchiveEvent, ArchiveRow};
use crate::db::HubDb;
use crate::error::{HubError, HubResult};
use serde::Serialize;
use std::path::Path;
use tongban_archive::{Outcome, Report, Stage};
use tongban_domain::archival::Retention;
use tongban_domain::text;

/// The townships whose packages are at `path`: from each bag's External-Identifier (a case
/// number begins with its township's code).
fn townships_at(path: &Path) -> Vec<String> {
    let bags = if path.join("bagit.txt").is_file() {
        vec![path.to_path_buf()]
    } else {
        tongban_archive::packages_in(path)
    };
    let mut townships: Vec<String> = bags
        .iter()
        .filter_map(|bag| std::fs::read_to_string(bag.join("bag-info.txt")).ok())
        .filter_map(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("External-Identifier:"))
                .and_then(|id| id.trim().split('-').next().map(str::to_string))
        })
        .collect();
    townships.sort();
    townships.dedup();
    townships
}

/// One package's fixity audit.
#[derive(Debug, Clone, Serialize)]
pub struct FixityResult {
    pub case_number: String,
    pub code: String,
    pub passed: bool,
    /// What failed, naming the file; empty when it passed.
    pub detail: String,
}

fn failures(report: &Report) -> String {
    report
        .rows
        .iter()
        .filter(|r| r.outcome == Outcome::Fail)
        .map(|r| format!("{} {}", r.code, r.detail))
        .collect::<Vec<_>>()
        .join("; ")
}

impl<D: HubDb> Hub<D> {
    pub async fn check_archive(&self, path: &Path, stage: Stage) -> HubResult<Report> {
        let trust = self.archive_trust(&townships_at(path), None).await?;
        let report = tongban_archive::check_path(path, stage, &trust, &rfc3339(china_now()?)?)
            .map_err(|e| HubError::BadRequest(tongban_domain::Localized::text(&e)))?;
        Ok(self.audit.sign_archive_report(report))
    }

    pub async fn archive_log(&self, case_prefix: &str) -> HubResult<Vec<ArchiveEvent>> {
        self.db.archive_events(case_prefix).await
    }

    pub async fn archived(&self, township: Option<&str>) -> HubResult<Vec<ArchiveRow>> {
        self.db.archive_rows(township.unwrap_or("")).await
    }

    /// Re-reads every stored package (its seal, its digests, its record, its proofs: the
    /// 长期保存 check) and keeps each result in the archive log.
    pub async fn fixity_audit(&self) -> HubResult<Vec<FixityResult>> {
        let mut results = Vec::new();
        for row in self.db.archive_rows("").await? {
            let work = tempfile::tempdir().map_err(HubError::storage)?;
            let (passed, detail, report) = match self
                .fetch_package(&row.township, &row.object, work.path())
                .await
            {
                Err(e) => (
                    false,
                    format!("the stored package does not open: {e}"),
                    None,
                ),
                Ok(()) => {
                    let trust = self
                        .archive_trust(std::slice::from_ref(&row.township), None)
                        .await?;
                    let bag = work.path().join(&row.case_number);
                    let rows = tongban_archive::check_package(&bag, Stage::Bc, &trust);
                    let report = self.audit.sign_archive_report(Report::new(
                        row.code.clone(),
                        Stage::Bc,
                        rfc3339(china_now()?)?,
                        rows,
                    ));
                    let json = serde_json::to_string(&report).map_err(HubError::internal)?;
                    (report.passes(), failures(&report), Some(json))
                }
            };
            if !passed {
                tracing::warn!(case = %row.case_number, code = %row.code, %detail,
                    "archived package fails its fixity audit");
            }
            self.record_archive_event(&row.case_number, "fixity", passed, &detail, report)
                .await?;
            results.push(FixityResult {
                case_number: row.case_number,
                code: row.code,
                passed,
                detail,
            });
        }
        Ok(results)
    }

    /// Writes the packages of `township` archived for `year` into `out` with their transfer list,
    /// and checks the batch as the receiving archives will (移交与接收).
    pub async fn transfer(&self, township: &str, year: i32, out: &Path) -> HubResult<Report> {
        let rows: Vec<ArchiveRow> = self
            .db
            .archive_rows(township)
            .await?
            .into_iter()
            .filter(|r| r.township == township && r.year == year)
            .collect();
        if rows.is_empty() {
            return Err(HubError::NotFound(text!(
                "no package of township {township} is archived for {year}",
                "乡镇{township}在{year}年度没有已归档的档案包"
            )));
        }
        if out.exists()
            && std::fs::read_dir(out)
                .map_err(HubError::storage)?
                .next()
                .is_some()
        {
            let shown = out.display();
            return Err(HubError::BadRequest(text!(
                "{shown} is not empty; a transfer batch is written into an empty folder",
                "{shown}不是空文件夹，移交批次只能写入空文件夹"
            )));
        }
        std::fs::create_dir_all(out).map_err(HubError::storage)?;
        for row in &rows {
            self.fetch_package(&row.township, &row.object, out).await?;
        }
        let now = rfc3339(china_now()?)?;
        let list = tongban_archive::transfer_list(out, township, year, &now)
            .map_err(|e| HubError::Storage(e.to_string()))?;
        let json = serde_json::to_vec_pretty(&list).map_err(HubError::internal)?;
        std::fs::write(out.join(tongban_archive::TRANSFER_LIST), json)
            .map_err(HubError::storage)?;
        let trust = self.archive_trust(&[township.to_string()], None).await?;
        let rows_checked = tongban_archive::check_batch(out, Stage::Yj, &trust);
        let report = self.audit.sign_archive_report(Report::new(
            format!("{township}-{year}"),
            Stage::Yj,
            now,
            rows_checked,
        ));
        let json = serde_json::to_string(&report).map_err(HubError::internal)?;
        for row in &rows {
            self.record_archive_event(
                &row.case_number,
                "transfer",
                report.passes(),
                &failures(&report),
                Some(json.clone()),
            )
            .await?;
        }
        Ok(report)
    }

    /// Packages whose retention period has run out by `on` (kept from the year after the one
    /// archived), for appraisal; permanent ones never are.
    pub async fn due(&self, on: time::Date) -> HubResult<Vec<ArchiveRow>> {
        Ok(self
            .db
            .archive_rows("")
            .await?
            .into_iter()
            .filter(|row| {
                Retention::parse(&row.retention)
                    .and_then(Retention::years)
                    .is_some_and(|years| row.year + i32::from(years) < on.year())
            })
            .collect())
    }
}
