//! The citizen's query (群众查询): with the case number and the query code from the receipt, a
//! case's progress. The hub keeps only each code's hash, inside the sealed case; it compares
//! in constant time, and answers a missing case and a wrong code alike. Wrong codes are
//! counted per peer and per case: past a few, the peer or the case is refused for a while,
//! even with the right code, so guessing gets nowhere.

use super::sharing::ShareDetail;
use super::{Hub, now_secs};
use crate::db::{HubDb, HubError, HubResult};
use std::net::IpAddr;
use subtle::ConstantTimeEq;
use tongban_audit::Outcome;
use tongban_domain::Case;
use tongban_domain::case::CaseNumber;
use tongban_domain::citizen::Progress;
use tongban_domain::query::QueryCode;
use tongban_domain::{Localized, text};

/// Wrong codes a peer, or guesses at a case, may make in one window before being refused.
pub const QUERY_MISSES: u32 = 5;
/// The window misses are counted in.
const MISS_WINDOW_SECS: i64 = 600;

/// What the citizen's page shows of one case.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CitizenView {
    pub township: String,
    pub progress: Progress,
    /// Who used the case's data, newest first (数据使用记录).
    pub uses: Vec<CaseUse>,
}

/// One use of the case's data, as its log entry records it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseUse {
    /// Its position in the township's log, which the downloadable proof names.
    pub position: u64,
    pub at_ms: i64,
    /// China time, as the page shows it.
    pub at: String,
    pub department: String,
    pub purpose: String,
    /// The request's legal basis, or the applicant's consent it cited.
    pub basis: String,
    pub released: bool,
    /// 已提供 or 已拒绝, with the reason.
    pub outcome_zh: String,
}

fn wrong() -> HubError {
    HubError::NotFound(text!(
        "no case matches this case number and query code",
        "办件编号或查询码不正确"
    ))
}

impl<D: HubDb> Hub<D> {
    /// A case's progress for whoever holds its number and query code.
    pub async fn citizen_view(
        &self,
        number: &str,
        code: &str,
        peer: IpAddr,
    ) -> HubResult<CitizenView> {
        let case = self.citizen_case(number, code, peer).await?;
        self.view_of(&case, &self.work_calendar().await?).await
    }

    /// What the page shows of a case the caller may see.
    pub(crate) async fn view_of(
        &self,
        case: &Case,
        calendar: &tongban_domain::WorkCalendar,
    ) -> HubResult<CitizenView> {
        let township = self
            .db
            .township(case.number.township())
            .await?
            .map_or_else(|| case.number.township().to_owned(), |t| t.name);
        Ok(CitizenView {
            township,
            progress: Progress::of(case, calendar),
            uses: self.case_uses(&case.number).await?,
        })
    }

    /// Every logged use of a case, newest first, each entry checked against the hub's key.
    pub async fn case_uses(&self, number: &CaseNumber) -> HubResult<Vec<CaseUse>> {
        let positions: Vec<u64> = self
            .db
            .case_accesses(number.as_str())
            .await?
            .iter()
            .map(|a| a.position)
            .collect();
        let entries = self
            .audit
            .own_entries(&self.db, number.township(), &positions)
            .await?;
        let mut uses = Vec::with_capacity(entries.len());
        for (position, event) in entries.into_iter().rev() {
            let detail: ShareDetail = serde_json::from_str(&event.detail)
                .map_err(|_| HubError::Damaged(format!("log entry {position}")))?;
            let released = event.outcome == Outcome::Done;
            let basis = match (detail.legal_basis.is_empty(), detail.consent.is_empty()) {
                (false, _) => detail.legal_basis,
                (true, false) => format!("申请人授权：{}", detail.consent),
                (true, true) => "未注明".to_owned(),
            };
            uses.push(CaseUse {
                position,
                at_ms: event.at_ms,
                at: tongban_domain::desk::china_time_text(event.at_ms),
                department: detail.department_name,
                purpose: detail.purpose,
                basis,
                released,
                outcome_zh: if detail.scope == ["lookup"] {
                    "已查询办件概况".to_owned()
                } else if released {
                    "已提供".to_owned()
                } else {
                    format!("已拒绝：{}", detail.reason_zh)
                },
            });
        }
        Ok(uses)
    }

    /// The case's use entries with inclusion proofs against a checkpoint signed now, for whoever
    /// holds its number and query code.
    pub async fn citizen_proof(
        &self,
        number: &str,
        code: &str,
        peer: IpAddr,
    ) -> HubResult<tongban_audit::Extract> {
        let case = self.citizen_case(number, code, peer).await?;
        let positions: Vec<u64> = self
            .db
            .case_accesses(case.number.as_str())
            .await?
            .iter()
            .map(|a| a.position)
            .collect();
        self.audit
            .own_extract(&self.db, case.number.township(), &positions)
            .await
    }

    /// The case behind a number and its query code, once the peer and the case may still guess.
    pub(crate) async fn citizen_case(
        &self,
        number: &str,
        code: &str,
        peer: IpAddr,
    ) -> HubResult<Case> {
        let number =
            CaseNumber::parse(number.trim()).map_err(|e| HubError::BadRequest(e.text()))?;
        let code = QueryCode::parse(code).map_err(|e| HubError::BadRequest(e.text()))?;
        let now = now_secs();
        let window = now - now.rem_euclid(MISS_WINDOW_SECS);
        let by_peer = format!("query-miss-peer:{peer}");
        let by_case = format!("query-miss-case:{number}");
        for key in [&by_peer, &by_case] {
            if self.db.request_count(key, window).await? >= QUERY_MISSES {
                tracing::warn!(%peer, case = %number, "query refused: too many wrong codes");
                return Err(HubError::QueryThrottled);
            }
        }
        let found = self.case_by_number(&number).await?;
        let expected = found.as_ref().and_then(|c| c.query_hash.clone());
        let given = code.hash(&number);
        // The same comparison whether or not the case exists, so its time says nothing either.
        let reference = expected.as_deref().unwrap_or("");
        let matches = reference.len() == given.len()
            && bool::from(reference.as_bytes().ct_eq(given.as_bytes()));
        match found {
            Some(case) if matches => Ok(case),
            _ => {
                self.db.count_request(&by_peer, window).await?;
                self.db.count_request(&by_case, window).await?;
                Err(wrong())
            }
        }
    }

    /// The hub's copy of a case, unsealed and read; none when it holds none.
    pub(crate) async fn case_by_number(&self, number: &CaseNumber) -> HubResult<Option<Case>> {
        Ok(self
            .stored_case(number.township(), number.as_str())
            .await?
            .map(|(_, case)| case))
    }
}
