//! Archiving at the hub (归档): every finished case the hub holds becomes a package built from
//! the hub's own copies — the sealed document, the pages desks uploaded, the township's log —
//! with its papers as PDF/A, a 档号 from the hub's register, the record signed with the hub's
//! key; the package must pass the 归档 (GD) check before it is registered and stored sealed.

use super::Hub;
use crate::archive_db::{ArchiveEvent, ArchiveRow};
use crate::db::HubDb;
use crate::error::{HubError, HubResult};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use tongban_archive::{Contents, Outcome, PackageFile, Report, Stage, Trust};
use tongban_domain::archival::{ArchivalCode, class_for, fonds_of};
use tongban_domain::calendar::china_date;
use tongban_domain::figures::CaseFacts;
use tongban_domain::{Case, Role};
use tongban_papers::{DocKind, PaperContext, PaperError};
use tongban_sync::automerge::AutoCommit;

/// What one archiving pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ArchiveRun {
    /// Case numbers archived now, with their 档号.
    pub archived: Vec<(String, String)>,
    /// Finished cases not archived yet, and why (pages still on a desk, a failed check).
    pub waiting: Vec<(String, String)>,
}

pub(crate) fn china_now() -> HubResult<time::OffsetDateTime> {
    let china = time::UtcOffset::from_hms(8, 0, 0).map_err(HubError::internal)?;
    let now = time::OffsetDateTime::now_utc().to_offset(china);
    Ok(now.replace_nanosecond(0).unwrap_or(now))
}

pub(crate) fn rfc3339(at: time::OffsetDateTime) -> HubResult<String> {
    at.format(&time::format_description::well_known::Rfc3339)
        .map_err(HubError::internal)
}

/// Why a case cannot be archived yet: said in the run's report, tried again next time.
struct NotYet(String);

impl From<HubError> for NotYet {
    fn from(e: HubError) -> Self {
        NotYet(e.to_string())
    }
}

impl<D: HubDb> Hub<D> {
    /// Archives every finished case not archived yet.
    pub async fn archive_finished(&self) -> HubResult<ArchiveRun> {
        let archived: HashSet<String> = self
            .db
            .archive_rows("")
            .await?
            .into_iter()
            .map(|r| r.case_number)
            .collect();
        let mut run = ArchiveRun::default();
        for facts in self.db.case_facts("").await? {
            let Ok(facts) = serde_json::from_str::<CaseFacts>(&facts) else {
                continue;
            };
            if !tongban_domain::workflow::is_final(facts.status) || archived.contains(&facts.number)
            {
                continue;
            }
            match self.archive_case(&facts.township, &facts.number).await {
                Ok(code) => run.archived.push((facts.number, code)),
                Err(NotYet(why)) => {
                    tracing::info!(case = %facts.number, %why, "not archived yet");
                    run.waiting.push((facts.number, why));
                }
            }
        }
        Ok(run)
    }

    /// Who the hub trusts to have signed a package of `township`: itself and the township's desks.
    pub(crate) async fn archive_trust(
        &self,
        townships: &[String],
        other_codes: Option<Vec<String>>,
    ) -> HubResult<Trust> {
        let hub = self.audit.verifying_key();
        let mut signers = vec![hub];
        for township in townships {
            for device in self.db.devices(township).await? {
                if let Ok(key) = tongban_sync::auth::parse_public_key(&device.public_key) {
                    signers.push(key);
                }
            }
        }
        Ok(Trust {
            signers,
            hub: Some(hub),
            other_codes,
            fonds: None,
            year: china_now()?.year(),
            scanner: tongban_archive::installed_scanner(),
        })
    }

    async fn archive_case(&self, township: &str, number: &str) -> Result<String, NotYet> {
        let (doc, case) = self
            .stored_case(township, number)
            .await?
            .ok_or_else(|| NotYet("the hub holds no readable case".into()))?;
        let now = china_now()?;
        let work = tempfile::tempdir().map_err(|e| NotYet(e.to_string()))?;
        let bag = work.path().join(number);
        let code = self.build_package(township, &case, doc, &bag, now).await?;

        // The hub's own check first: nothing that fails it is registered.
        let others: Vec<String> = self
            .db
            .archive_rows(township)
            .await?
            .into_iter()
            .map(|r| r.code)
            .collect();
        let trust = self
            .archive_trust(&[township.to_string()], Some(others))
            .await?;
        let rows = tongban_archive::check_package(&bag, Stage::Gd, &trust);
        let report = self.audit.sign_archive_report(Report::new(
            number.to_string(),
            Stage::Gd,
            rfc3339(now)?,
            rows,
        ));
        let report_json = serde_json::to_string(&report).map_err(HubError::internal)?;
        if !report.passes() {
            let failed: Vec<String> = report
                .rows
                .iter()
                .filter(|r| r.outcome == Outcome::Fail)
                .map(|r| format!("{} {}", r.code, r.detail))
                .collect();
            let detail = failed.join("; ");
            self.record_archive_event(number, "archived", false, &detail, Some(report_json))
                .await?;
            return Err(NotYet(format!("the package fails its check: {detail}")));
        }
        let (object, bytes) = self.put_package(township, &bag, number).await?;
        let registered = self
            .db
            .put_archive(ArchiveRow {
                case_number: number.to_string(),
                township: township.to_string(),
                code: code.to_string(),
                batch: batch_of(&code),
                item: code.item,
                year: code.year,
                retention: code.retention.code().to_string(),
                object,
                bytes,
                archived_at_ms: now.unix_timestamp() * 1000,
            })
            .await?;
        if !registered {
            return Err(NotYet(
                "another process archived it or took its 档号; tried again next time".into(),
            ));
        }
        self.record_archive_event(
            number,
            "archived",
            true,
            &code.to_string(),
            Some(report_json),
        )
        .await?;
        Ok(code.to_string())
    }

    pub(crate) async fn record_archive_event(
        &self,
        number: &str,
        kind: &str,
        passed: bool,
        detail: &str,
        report: Option<String>,
    ) -> HubResult<()> {
        self.db
            .add_archive_event(ArchiveEvent {
                case_number: number.to_string(),
                at_ms: super::now_ms(),
                kind: kind.to_string(),
                outcome: if passed { "pass" } else { "fail" }.to_string(),
                detail: detail.to_string(),
                report,
            })
            .await
    }

    /// Writes the case's package into `bag`; returns the 档号 it was given.
    async fn build_package(
        &self,
        township: &str,
        case: &Case,
        doc: AutoCommit,
        bag: &Path,
        now: time::OffsetDateTime,
    ) -> Result<ArchivalCode, NotYet> {
        let township_name = self
            .township_name(township)
            .await?
            .ok_or_else(|| NotYet("the township is not known".into()))?;
        let catalogues = self.catalogues().await?;
        let calendar = self.work_calendar().await?;
        let keys: HashMap<String, String> = self
            .db
            .devices(township)
            .await?
            .into_iter()
            .map(|d| (d.id, d.public_key))
            .collect();
        // The papers first, with no await while their context (the document) is held.
        let (mut files, organ) = {
            let device_key = |device: &str| keys.get(device).cloned();
            let mut ctx = PaperContext {
                township_name: &township_name,
                catalogues: &catalogues,
                calendar: &calendar,
                doc: Some(doc),
                device_key: &device_key,
                query: None,
                query_url: None,
            };
            let mut files = Vec::new();
            for kind in DocKind::ALL {
                match tongban_papers::paper(&mut ctx, case.clone(), kind, false, now.date()) {
                    Ok(paper) => files.push(PackageFile {
                        path: format!("documents/{}.pdf", kind.as_str()),
                        format: "PDF/A-2b".into(),
                        bytes: paper.pdf_a(now).map_err(|e| NotYet(e.to_string()))?,
                    }),
                    Err(PaperError::NotApplicable(_)) => {}
                    Err(e) => return Err(NotYet(e.to_string())),
                }
            }
            (files, tongban_papers::deciding_organ(&ctx, case))
        };
        for (material, position, page) in tongban_domain::page::case_pages(case) {
            let bytes = self.page_bytes(township, &page).await?.ok_or_else(|| {
                NotYet(format!("page {} has not reached the hub yet", page.sha256))
            })?;
            files.push(PackageFile::scan(&material, position, &page, bytes));
        }
        files.push(PackageFile {
            path: "case.json".into(),
            format: "JSON".into(),
            bytes: serde_json::to_vec_pretty(case).map_err(|e| NotYet(e.to_string()))?,
        });
        let item = catalogues.item_of(case);
        let finished = case.events.last().map_or(case.created_at_ms, |e| e.at_ms);
        let mut code = ArchivalCode {
            fonds: fonds_of(township),
            year: china_date(finished).year(),
            retention: item.map(|i| i.retention).unwrap_or_default(),
            class: class_for(item.map_or("", |i| i.department.as_str()), township, None),
            item: 1,
        };
        code.item = self
            .db
            .last_archive_item(&batch_of(&code))
            .await?
            .checked_add(1)
            .ok_or_else(|| NotYet(format!("batch {} has no 件号 left", batch_of(&code))))?;
        let roles: Vec<(String, Role)> = self
            .users(township)
            .await?
            .into_iter()
            .filter_map(|u| Some((u.name, u.role.parse().ok()?)))
            .collect();
        let extract = self
            .audit
            .case_extract(&self.db, township, case.number.as_str())
            .await?;
        let created = rfc3339(now)?;
        tongban_archive::build(
            bag,
            Contents {
                case,
                code: &code,
                organ: &organ,
                township_name: &township_name,
                legal_basis: &item.map(|i| i.legal_basis.clone()).unwrap_or_default(),
                roles: &roles,
                files,
                created: &created,
                bagging_date: created.get(..10).unwrap_or_default(),
                extract: &extract,
                signer: "tongban-hub",
                key: self.audit.signing_key(),
            },
        )
        .map_err(|e| NotYet(e.to_string()))?;
        Ok(code)
    }

    /// A page's bytes as a desk uploaded them, unsealed; none when the hub does not hold it.
    async fn page_bytes(
        &self,
        township: &str,
        page: &tongban_domain::PageRef,
    ) -> HubResult<Option<Vec<u8>>> {
        let Some(size) = self.pages.size(township, &page.sha256).await? else {
            return Ok(None);
        };
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        for index in 0..tongban_sync::wire::page_chunks(size) {
            let Some(chunk) = self.pages.chunk(township, &page.sha256, index).await? else {
                return Ok(None);
            };
            bytes.extend(self.sealer.open_page_chunk(
                township,
                &page.sha256,
                size,
                index,
                &chunk.sealed,
            )?);
        }
        Ok(Some(bytes))
    }
}

/// What 件号 count within: everything in the 档号 but the 件号.
pub(crate) fn batch_of(code: &ArchivalCode) -> String {
    format!(
        "{}-{}-{}-{}",
        code.fonds,
        code.year,
        code.retention.code(),
        code.class
    )
}
