//! Sharing cases with departments (一网通办): the departments the operator registers, the
//! county's sharing catalogue, and each request decided by the domain's rule, written into the
//! case's township log whatever the outcome, and answered with that signed entry. Released
//! files are fetched in chunks by the department given them, for an hour.

use super::{Hub, now_ms};
use crate::audit_log::OwnEntry;
use crate::db::{HubDb, HubError, HubResult};
use crate::sharing_db::{CaseAccess, Department};
use serde::{Deserialize, Serialize};
use tongban_audit::{AuditAction, AuditEvent, Outcome};
use tongban_domain::case::CaseNumber;
use tongban_domain::l10n::Text;
use tongban_domain::sharing::{self, Ask, Decision, Resource, SharingCatalogue};
use tongban_domain::{Case, Localized, text};
use tongban_sync::wire::{
    ExchangeAnswer, ExchangeChunk, ExchangeFetch, ExchangeRequest, PAGE_CHUNK_BYTES, Released,
    ReleasedFile, page_chunks,
};

const SHARING_KEY: &str = "sharing_catalogue";
/// A release's files may be fetched for this long.
const FETCH_WINDOW_MS: i64 = 3600 * 1000;
pub const PACKAGE_FILE: &str = "package.tar";

/// What a sharing entry's `detail` holds: the request's terms and the files released (names and
/// digests; values of fields never enter the log).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareDetail {
    pub department: String,
    pub department_name: String,
    pub purpose: String,
    pub legal_basis: String,
    pub consent: String,
    pub scope: Vec<String>,
    /// The SHA-256 of the request body as the department signed it.
    pub request: String,
    /// The catalogue's bases the release was made under.
    #[serde(default)]
    pub basis: Vec<String>,
    #[serde(default)]
    pub grant: Option<String>,
    #[serde(default)]
    pub reason_zh: String,
    #[serde(default)]
    pub files: Vec<(String, String)>,
}

/// Text a department sends is cut to this many characters before it is logged.
fn clip(text: &str) -> String {
    text.trim().chars().take(sharing::MAX_TEXT).collect()
}

impl<D: HubDb> Hub<D> {
    /// Registers a department with its system's public key (hex Ed25519).
    pub async fn add_department(
        &self,
        code: &str,
        name: &str,
        kind: &str,
        public_key: &str,
    ) -> HubResult<Department> {
        let code_ok = (2..=16).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !code_ok {
            return Err(HubError::BadRequest(text!(
                "a department code is 2 to 16 capital letters and digits, like MZ01",
                "部门编码应为2至16位大写字母和数字，例如 MZ01"
            )));
        }
        if name.trim().is_empty() || name.chars().count() > 64 {
            return Err(HubError::BadRequest(text!(
                "a department's name is 1 to 64 characters",
                "部门名称应为1至64个字"
            )));
        }
        sharing::check_kind(kind).map_err(|e| HubError::BadRequest(e.text()))?;
        tongban_sync::auth::parse_public_key(public_key.trim()).map_err(|_| {
            HubError::BadRequest(text!(
                "the department's key must be 64 hex digits (an Ed25519 public key)",
                "部门密钥应为64位十六进制（Ed25519公钥）"
            ))
        })?;
        let department = Department {
            code: code.to_owned(),
            name: name.trim().to_owned(),
            kind: kind.to_owned(),
            public_key: public_key.trim().to_lowercase(),
            added_at_ms: now_ms(),
            disabled_at_ms: None,
        };
        if !self.db.add_department(&department).await? {
            return Err(HubError::BadRequest(text!(
                "department {code} exists already",
                "部门{code}已存在"
            )));
        }
        Ok(department)
    }

    pub async fn disable_department(&self, code: &str) -> HubResult<()> {
        if self.db.disable_department(code, now_ms()).await? {
            Ok(())
        } else {
            Err(HubError::NotFound(text!(
                "no department {code}",
                "没有部门{code}"
            )))
        }
    }

    /// Replaces the sharing catalogue; it applies to the next request.
    pub async fn set_sharing_catalogue(&self, json: &str) -> HubResult<SharingCatalogue> {
        let catalogue =
            SharingCatalogue::from_json(json).map_err(|e| HubError::BadRequest(e.text()))?;
        let text = serde_json::to_string(&catalogue).map_err(HubError::internal)?;
        self.db
            .put_setting(super::admin::HUB_SCOPE, SHARING_KEY, &text)
            .await?;
        Ok(catalogue)
    }

    /// The catalogue in force: the county's, or the shipped one.
    pub async fn sharing_catalogue(&self) -> HubResult<SharingCatalogue> {
        match self
            .db
            .setting(super::admin::HUB_SCOPE, SHARING_KEY)
            .await?
        {
            Some(text) => SharingCatalogue::from_json(&text)
                .map_err(|e| HubError::internal(format!("stored sharing catalogue: {e}"))),
            None => Ok(SharingCatalogue::shipped()),
        }
    }

    /// Decides a department's request, logs it and answers with the signed entry. Only a
    /// request that names no case of a known township goes unlogged: it has no log to go in.
    pub async fn exchange(
        &self,
        department: &Department,
        request: ExchangeRequest,
        request_sha256: &str,
    ) -> HubResult<ExchangeAnswer> {
        let number =
            CaseNumber::parse(request.case.trim()).map_err(|e| HubError::BadRequest(e.text()))?;
        let township = number.township().to_owned();
        if self.db.township(&township).await?.is_none() {
            return Err(HubError::NotFound(text!(
                "no township {township} at this hub",
                "中心没有乡镇{township}"
            )));
        }
        // One decision at a time, so two requests cannot both spend a grant's last use.
        let _one = self.sharing.lock().await;
        let mut detail = ShareDetail {
            department: department.code.clone(),
            department_name: department.name.clone(),
            purpose: clip(&request.purpose),
            legal_basis: clip(&request.legal_basis),
            consent: clip(&request.consent),
            scope: request
                .scope
                .iter()
                .take(sharing::MAX_SCOPE + 1)
                .map(|s| clip(s))
                .collect(),
            request: request_sha256.to_owned(),
            basis: Vec::new(),
            grant: None,
            reason_zh: String::new(),
            files: Vec::new(),
        };
        let outcome = self.release(department, &request, &number).await;
        let (given, reason) = match outcome {
            Ok((given, basis, grant)) => {
                detail.basis = basis;
                detail.grant = grant;
                detail.files = given
                    .files
                    .iter()
                    .map(|f| (f.name.clone(), f.sha256.clone()))
                    .collect();
                (Some(given), None)
            }
            Err(reason) => {
                detail.reason_zh = reason.zh.clone();
                (None, Some(reason))
            }
        };
        let event = AuditEvent {
            at_ms: now_ms(),
            user: clip(&format!("{}:{}", department.code, request.person))
                .chars()
                .take(64)
                .collect(),
            action: AuditAction::Share,
            object: number.as_str().to_owned(),
            outcome: if given.is_some() {
                Outcome::Done
            } else {
                Outcome::Refused
            },
            detail: serde_json::to_string(&detail).map_err(HubError::internal)?,
            digest: given.as_ref().map(Released::digest).unwrap_or_default(),
            ..tongban_audit::next_event(None, "", 0)
        };
        let OwnEntry {
            position,
            entry,
            checkpoint,
            inclusion,
        } = self.audit.log_own(&self.db, &township, event).await?;
        self.db
            .add_case_access(&CaseAccess {
                case_number: number.as_str().to_owned(),
                township,
                position,
                grant_id: detail.grant.clone(),
                released: given.is_some(),
            })
            .await?;
        tracing::info!(department = %department.code, case = %number, position, released = given.is_some(), "exchange request");
        Ok(ExchangeAnswer {
            released: given.is_some(),
            reason,
            entry,
            position,
            checkpoint,
            inclusion,
            given: given.unwrap_or_default(),
        })
    }

    /// What the catalogue lets this department have of the case, or why not.
    async fn release(
        &self,
        department: &Department,
        request: &ExchangeRequest,
        number: &CaseNumber,
    ) -> Result<(Released, Vec<String>, Option<String>), Text> {
        let internal = |e: HubError| e.text();
        let scope = request
            .scope
            .iter()
            .map(|s| Resource::parse(s.trim()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.text())?;
        let Some(case) = self.case_by_number(number).await.map_err(internal)? else {
            return Err(text!(
                "the hub holds no case {number}",
                "中心没有办件{number}"
            ));
        };
        let ask = Ask {
            department: department.code.clone(),
            kind: department.kind.clone(),
            person: request.person.clone(),
            purpose: request.purpose.clone(),
            legal_basis: request.legal_basis.clone(),
            consent: request.consent.clone(),
            scope: scope.clone(),
        };
        let max = sharing::MAX_TEXT;
        if [&ask.person, &ask.purpose, &ask.legal_basis, &ask.consent]
            .iter()
            .any(|t| t.chars().count() > max)
        {
            return Err(text!(
                "the person, purpose, basis and consent are at most {max} characters each",
                "经办人、用途、依据和授权每项最多{max}字"
            ));
        }
        let catalogue = self.sharing_catalogue().await.map_err(internal)?;
        // Grants are supervisors' events on the case, checked by this hub when they arrived.
        let grants = sharing::grants_of(&case);
        let mut uses = std::collections::HashMap::new();
        for grant in &grants {
            let used = self.db.grant_uses(&grant.id).await.map_err(internal)?;
            uses.insert(grant.id.clone(), used);
        }
        let decision = sharing::decide(
            &catalogue,
            &case.item_code,
            &ask,
            &grants,
            |id| uses.get(id).copied().unwrap_or(u32::MAX),
            now_ms(),
        );
        let (basis, grant) = match decision {
            Decision::Refuse(reason) => return Err(reason),
            Decision::Release { basis, grant } => (basis, grant),
        };
        let mut given = Released::default();
        for resource in &scope {
            self.give(&case, resource, &mut given).await?;
        }
        Ok((given, basis, grant))
    }

    async fn give(
        &self,
        case: &Case,
        resource: &Resource,
        given: &mut Released,
    ) -> Result<(), Text> {
        let number = case.number.as_str();
        match resource {
            Resource::Package => {
                let row = self
                    .db
                    .archive_row(number)
                    .await
                    .map_err(|e| e.text())?
                    .ok_or_else(|| {
                        text!(
                            "case {number} has no archival package yet",
                            "办件{number}尚未归档，暂无档案包"
                        )
                    })?;
                given.files.push(ReleasedFile {
                    name: PACKAGE_FILE.to_owned(),
                    sha256: row.object,
                    size: row.bytes,
                });
            }
            Resource::Material(code) => {
                let pages = case
                    .materials
                    .iter()
                    .find(|m| &m.code == code)
                    .map(|m| m.pages.as_slice())
                    .unwrap_or_default();
                if pages.is_empty() {
                    return Err(text!(
                        "material {code} of case {number} has no scanned pages",
                        "办件{number}的材料{code}没有扫描件"
                    ));
                }
                for (i, page) in pages.iter().enumerate() {
                    given.files.push(ReleasedFile {
                        name: format!("material/{code}/{}", i + 1),
                        sha256: page.sha256.clone(),
                        size: page.bytes,
                    });
                }
            }
            Resource::Field(name) => {
                let a = &case.applicant;
                let value = match name.as_str() {
                    "name" => Some(a.name.clone()),
                    "id_number" => Some(a.id.as_str().to_owned()),
                    "phone" => a.phone.as_ref().map(|p| p.as_str().to_owned()),
                    "address" => a.address.clone(),
                    "status" => Some(case.status.label_zh().to_owned()),
                    _ => None,
                };
                given.fields.insert(name.clone(), value.unwrap_or_default());
            }
        }
        Ok(())
    }

    /// A chunk of a file released to this department within the last hour, as its log entry
    /// names it; anything else is not found.
    pub async fn exchange_chunk(
        &self,
        department: &Department,
        fetch: ExchangeFetch,
    ) -> HubResult<ExchangeChunk> {
        let not_found = || {
            HubError::NotFound(text!(
                "no such file released to this department, or its hour has passed",
                "没有向本部门提供该文件，或已超过一小时的获取期限"
            ))
        };
        let number =
            CaseNumber::parse(fetch.case.trim()).map_err(|e| HubError::BadRequest(e.text()))?;
        let township = number.township();
        let entries = self.db.case_accesses(number.as_str()).await?;
        if !entries
            .iter()
            .any(|a| a.position == fetch.position && a.released)
        {
            return Err(not_found());
        }
        let (_, event) = self
            .audit
            .own_entries(&self.db, township, &[fetch.position])
            .await?
            .pop()
            .ok_or_else(not_found)?;
        let detail: ShareDetail = serde_json::from_str(&event.detail).map_err(|_| not_found())?;
        let fresh = now_ms() - event.at_ms <= FETCH_WINDOW_MS;
        if event.object != number.as_str() || detail.department != department.code || !fresh {
            return Err(not_found());
        }
        let (_, sha256) = detail
            .files
            .iter()
            .find(|(name, _)| name == &fetch.file)
            .ok_or_else(not_found)?;
        let space = if fetch.file == PACKAGE_FILE {
            format!("{township}/archives")
        } else {
            township.to_owned()
        };
        let size = self
            .pages
            .size(&space, sha256)
            .await?
            .ok_or_else(not_found)?;
        if fetch.index >= page_chunks(size) {
            return Err(not_found());
        }
        let chunk = self
            .pages
            .chunk(&space, sha256, fetch.index)
            .await?
            .ok_or_else(|| HubError::Storage(format!("{sha256} is cut short")))?;
        let data = self
            .sealer
            .open_page_chunk(&space, sha256, size, fetch.index, &chunk.sealed)?;
        let last = u64::from(fetch.index + 1) * PAGE_CHUNK_BYTES >= size;
        Ok(ExchangeChunk { data, last })
    }
}
