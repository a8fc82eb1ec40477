//! The supervision figures of the cases this desk holds (its township's; on a county desk, those
//! reported up), for supervisors and county officers: computed by the domain from each case's
//! facts, which are kept beside its listing whenever its document is written.

use crate::cases::CaseFilter;
use crate::{Store, StoreError};
use time::OffsetDateTime;
use tongban_domain::desk::CaseSummary;
use tongban_domain::figures::{self, CaseFacts, Measure, Query, Report};
use tongban_domain::session::Session;
use tongban_domain::warnings::{Warning, warning_of};
use tongban_domain::{Action, Case, Denied};

/// The facts column of a case's listing.
pub(crate) fn facts_json(case: &Case) -> Result<String, StoreError> {
    serde_json::to_string(&CaseFacts::of(case)).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    fn may_read_figures(&self, session: &Session, now: OffsetDateTime) -> Result<(), StoreError> {
        if session.role.may(Action::ReadFigures) {
            return Ok(());
        }
        let denied = Denied::Role(session.role, Action::ReadFigures);
        self.refuse(session, Action::ReadFigures, None, &denied, now)?;
        Err(denied.into())
    }

    pub fn report(
        &mut self,
        session: &Session,
        query: &Query,
        now: OffsetDateTime,
    ) -> Result<Report, StoreError> {
        self.may_read_figures(session, now)?;
        let facts = self.all_facts()?;
        Ok(Report::of(&facts, &*self.calendar()?, query))
    }

    /// The cases behind one figure of a report (in the group `key`, when grouped), listed as
    /// the work queues list them.
    pub fn cases_behind(
        &mut self,
        session: &Session,
        query: &Query,
        key: Option<&str>,
        measure: Measure,
        now: OffsetDateTime,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        self.may_read_figures(session, now)?;
        let facts = self.all_facts()?;
        let numbers = figures::cases_behind(&facts, &*self.calendar()?, query, key, measure);
        self.list(&CaseFilter {
            numbers: Some(numbers),
            today: Some(now.date()),
            ..CaseFilter::default()
        })
    }

    /// The 电子监察 warnings of the person signed in: their own open cases and those waiting for
    /// their decision, most urgent first.
    pub fn warnings(
        &self,
        session: &Session,
        today: time::Date,
    ) -> Result<Vec<Warning>, StoreError> {
        use tongban_domain::{CaseStatus::*, Role, workflow};
        let open: Vec<_> = tongban_domain::CaseStatus::ALL
            .into_iter()
            .filter(|s| !workflow::is_final(*s))
            .collect();
        let mut cases = match session.role {
            Role::Admin => return Ok(Vec::new()),
            _ => self.list(&CaseFilter {
                own: Some(session.user.clone()),
                statuses: open,
                today: Some(today),
                ..CaseFilter::default()
            })?,
        };
        let awaiting = match session.role {
            Role::Supervisor => vec![Accepted, UnderReview],
            Role::County => vec![Forwarded],
            _ => Vec::new(),
        };
        if !awaiting.is_empty() {
            cases.extend(self.list(&CaseFilter {
                statuses: awaiting,
                today: Some(today),
                ..CaseFilter::default()
            })?);
        }
        let calendar = self.calendar()?;
        let mut warnings: Vec<Warning> = cases
            .iter()
            .filter_map(|c| warning_of(c, &calendar, today))
            .collect();
        warnings.sort_by(|a, b| (b.level, &a.due, &a.number).cmp(&(a.level, &b.due, &b.number)));
        warnings.dedup_by(|a, b| a.number == b.number);
        Ok(warnings)
    }

    /// Every listed case's facts; those listed before facts were kept are read from their
    /// documents now, and kept.
    fn all_facts(&mut self) -> Result<Vec<CaseFacts>, StoreError> {
        let rows: Vec<(String, Option<String>)> = self
            .conn
            .prepare_cached("SELECT number, facts FROM cases")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut facts = Vec::with_capacity(rows.len());
        let mut missing = Vec::new();
        for (number, text) in rows {
            match text.map(|t| serde_json::from_str::<CaseFacts>(&t)) {
                Some(Ok(kept)) => facts.push(kept),
                // Unreadable (written by a newer desk) or never kept: read from the document.
                _ => missing.push(number),
            }
        }
        if !missing.is_empty() {
            let read: Vec<Case> = missing
                .iter()
                .map(|number| self.case(number))
                .collect::<Result<_, _>>()?;
            let tx = self.conn.transaction()?;
            for case in &read {
                tx.prepare_cached("UPDATE cases SET facts = ?1 WHERE number = ?2")?
                    .execute(rusqlite::params![facts_json(case)?, case.number.as_str()])?;
            }
            tx.commit()?;
            facts.extend(read.iter().map(CaseFacts::of));
        }
        Ok(facts)
    }
}
