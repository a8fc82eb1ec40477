//! Finding cases for a signed-in user: the one place that decides who may search, narrows field
//! staff to their own cases, and records a search by a whole identity number (looking someone
//! up by their ID is a use of their data the citizen may see).

use crate::{Access, CaseFilter, Store, StoreError};
use time::OffsetDateTime;
use tongban_audit::AuditAction;
use tongban_domain::desk::CaseSummary;
use tongban_domain::identity::ResidentId;
use tongban_domain::session::Session;
use tongban_domain::{Action, Denied};

/// One page of a search and how many cases match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub cases: Vec<CaseSummary>,
    pub total: u64,
}

impl Store {
    /// 一证通办: whether this person may look an applicant up across the county's townships (who
    /// may see whole ID numbers, with a purpose), recorded in this desk's trail with the number
    /// masked; refusals are recorded too. The lookup itself is the hub's, or a search here.
    pub fn allow_lookup(
        &mut self,
        session: &Session,
        id_number: &str,
        purpose: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        if !session.role.may(Action::Unmask) {
            let denied = Denied::Role(session.role, Action::Unmask);
            self.refuse(session, Action::Unmask, None, &denied, now)?;
            return Err(denied.into());
        }
        if purpose.trim().is_empty() {
            return Err(StoreError::Invalid(tongban_domain::text!(
                "a lookup must state its purpose (--purpose)",
                "查询须说明用途（--purpose）"
            )));
        }
        let today = tongban_domain::calendar::china_date(crate::now_ms(now));
        let id = ResidentId::parse(id_number.trim(), today)
            .map_err(|e| StoreError::Invalid(tongban_domain::Localized::text(&e)))?;
        let purpose: String = purpose.trim().chars().take(200).collect();
        let detail = format!(
            "lookup across townships by identity number {}: {purpose}",
            id.masked()
        );
        let access = Access {
            detail: &detail,
            ..Access::done(&session.user, AuditAction::View, "")
        };
        self.audit(&access, crate::now_ms(now))
    }

    pub fn search(
        &mut self,
        session: &Session,
        mut filter: CaseFilter,
        now: OffsetDateTime,
    ) -> Result<Found, StoreError> {
        if !session.role.may(Action::View) {
            let denied = Denied::Role(session.role, Action::View);
            self.refuse(session, Action::View, None, &denied, now)?;
            return Err(denied.into());
        }
        filter.own = session.role.own_cases_only().then(|| session.user.clone());
        if let Some(masked) = filter.query.as_deref().and_then(whole_identity) {
            // The number itself stays out of the trail, which travels to the hub.
            let detail = format!("search by identity number {masked}");
            let access = Access {
                detail: &detail,
                ..Access::done(&session.user, AuditAction::View, "")
            };
            self.audit(&access, crate::now_ms(now))?;
        }
        Ok(Found {
            total: self.count(&filter)?,
            cases: self.list(&filter)?,
        })
    }
}

/// A query that is a whole resident ID, masked for the record. (A credit code names an
/// organisation, not a person, and is shown whole everywhere.)
fn whole_identity(query: &str) -> Option<String> {
    ResidentId::try_from(query.trim().to_ascii_uppercase())
        .ok()
        .map(|id| id.masked())
}
