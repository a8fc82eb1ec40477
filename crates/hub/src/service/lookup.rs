//! 一证通办: a desk finds every case of one applicant across its county's townships by the
//! applicant's ID number. The hub finds them through a keyed index (no document unsealed in
//! vain), and each case found records the lookup in its own township's log as a use, which its
//! applicant sees on the query page. The lookup itself goes in the asking desk's log.

use super::sharing::ShareDetail;
use super::{Hub, now_ms};
use crate::db::{Device, HubDb, HubError, HubResult};
use crate::sharing_db::CaseAccess;
use sha2::{Digest, Sha256};
use tongban_audit::{AuditAction, AuditEvent, Outcome};
use tongban_domain::case::CaseNumber;
use tongban_domain::role::Role;
use tongban_domain::{Localized, text};
use tongban_sync::wire::{LookedUp, LookupRequest, LookupResponse};

/// Lookups one desk may make in a minute: a window serves people one at a time.
const LOOKUPS_PER_MINUTE: u32 = 20;
/// At most this many cases in one answer.
const MAX_FOUND: usize = 200;

impl<D: HubDb> Hub<D> {
    pub async fn lookup(&self, device: &Device, ask: LookupRequest) -> HubResult<LookupResponse> {
        self.limit(&format!("lookup:{}", device.id), LOOKUPS_PER_MINUTE)
            .await?;
        let purpose = ask.purpose.trim();
        if purpose.is_empty() || purpose.chars().count() > 200 {
            return Err(HubError::BadRequest(text!(
                "a lookup must state its purpose, in at most 200 characters",
                "查询须说明用途（不超过200字）"
            )));
        }
        let today = tongban_domain::calendar::china_date(now_ms());
        let id = tongban_domain::ResidentId::parse(ask.id_number.trim(), today)
            .map_err(|e| HubError::BadRequest(e.text()))?;
        // The person named must be one of the desk's township who may see whole ID numbers, and
        // must have signed this lookup from this desk.
        let user = ask.user.as_str();
        let account = self
            .db
            .users(&device.township)
            .await?
            .into_iter()
            .find(|u| u.name == user && u.disabled_at.is_none());
        let may = account
            .as_ref()
            .and_then(|a| a.role.parse::<Role>().ok())
            .is_some_and(|role| role.may(tongban_domain::Action::Unmask));
        let signed = account
            .as_ref()
            .and_then(|a| a.public_key.as_deref())
            .and_then(|k| tongban_sync::auth::parse_public_key(k).ok())
            .is_some_and(|key| {
                tongban_sync::person::verify_lookup(
                    &key,
                    &device.id,
                    user,
                    &ask.id_number,
                    &ask.purpose,
                    &ask.signature,
                )
            });
        if may && !signed {
            return Err(HubError::Forbidden(text!(
                "this lookup is not signed by {user} on this desk",
                "该查询不是{user}在本设备上签名提交的"
            )));
        }
        if !may {
            return Err(HubError::Forbidden(text!(
                "only an active clerk or supervisor of this township may look an applicant up",
                "只有本乡镇在岗的受理人员或审批人员可以查询申请人的办件"
            )));
        }
        let county = &device.township[..6.min(device.township.len())];
        let tag = self.sealer.applicant_tag(id.as_str());
        let purpose = purpose.to_owned();
        let from = self
            .db
            .township(&device.township)
            .await?
            .map_or_else(|| device.township.clone(), |t| t.name);
        let mut cases = Vec::new();
        for (township, doc_id) in self.db.cases_of_applicant(&tag).await? {
            if !township.starts_with(county) || cases.len() >= MAX_FOUND {
                continue;
            }
            let Ok(number) = CaseNumber::parse(&doc_id) else {
                continue;
            };
            // The index is a hint: the case itself must name this applicant.
            let Some(case) = self.case_by_number(&number).await? else {
                continue;
            };
            if case.applicant.id.as_str() != id.as_str() {
                continue;
            }
            self.log_lookup(device, user, &from, &purpose, &number)
                .await?;
            let township_name = self
                .db
                .township(&township)
                .await?
                .map_or_else(|| township.clone(), |t| t.name);
            cases.push(LookedUp {
                number: number.as_str().to_owned(),
                township,
                township_name,
                item_name: case.item_name.clone(),
                status_zh: case.status.label_zh().to_owned(),
                registered_ms: case.created_at_ms,
            });
        }
        tracing::info!(device = %device.id, %user, found = cases.len(), "一证通办 lookup");
        Ok(LookupResponse { cases })
    }

    /// The lookup as a use of one case, in that case's township log.
    async fn log_lookup(
        &self,
        device: &Device,
        user: &str,
        from: &str,
        purpose: &str,
        number: &CaseNumber,
    ) -> HubResult<()> {
        let detail = ShareDetail {
            department: device.township.clone(),
            department_name: format!("{from}便民服务中心（一证通办）"),
            purpose: purpose.to_owned(),
            legal_basis: "一证通办：凭身份证件跨乡镇查询".to_owned(),
            consent: String::new(),
            scope: vec!["lookup".to_owned()],
            request: hex::encode(Sha256::digest(format!("{}\n{user}\n{purpose}", device.id))),
            basis: Vec::new(),
            grant: None,
            reason_zh: String::new(),
            files: Vec::new(),
        };
        let event = AuditEvent {
            at_ms: now_ms(),
            user: format!("{}:{user}", device.township)
                .chars()
                .take(64)
                .collect(),
            action: AuditAction::View,
            object: number.as_str().to_owned(),
            outcome: Outcome::Done,
            detail: serde_json::to_string(&detail).map_err(HubError::internal)?,
            digest: String::new(),
            ..tongban_audit::next_event(None, "", 0)
        };
        let township = number.township().to_owned();
        let entry = self.audit.log_own(&self.db, &township, event).await?;
        self.db
            .add_case_access(&CaseAccess {
                case_number: number.as_str().to_owned(),
                township,
                position: entry.position,
                grant_id: None,
                released: true,
            })
            .await
    }
}
