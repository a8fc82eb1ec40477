//! Moving cases through the workflow on a desk, and the work queues. Every move is planned by
//! the domain rules for the signed-in user's role (from the directory, never from the caller);
//! refusals change nothing and are recorded.

use crate::cases::{load_doc, may_edit, now_ms, save_doc};
use crate::{Access, CaseFilter, Store, StoreError};
use rusqlite::TransactionBehavior;
use time::{Date, OffsetDateTime};
use tongban_domain::desk::AuditRow;
use tongban_domain::desk::WorkQueues;
use tongban_domain::role::ACTIONS;
use tongban_domain::session::Session;
use tongban_domain::workflow::{self, Request, Rules};
use tongban_domain::{
    Action, Case, CaseEvent, CaseStatus, Catalogues, Denied, EventKind, FieldEdit, MaterialStatus,
    Move, Role, WorkCalendar,
};
use tongban_sync::case_doc;
use tongban_sync::decision;
use tongban_sync::ed25519_dalek::SigningKey;

/// The workflow's facts about this case's item, for today.
fn rules<'a>(
    case: &Case,
    today: Date,
    calendar: &'a WorkCalendar,
    catalogues: &'a Catalogues,
) -> Rules<'a> {
    let item = catalogues.item_of(case);
    Rules {
        levels: item.map_or(1, |item| item.approval_levels),
        item,
        today,
        calendar,
    }
}

/// How many cases each work queue shows at most.
const QUEUE_LIMIT: u32 = 200;

impl Store {
    pub fn set_field(
        &mut self,
        number: &str,
        edit: &FieldEdit,
        session: &Session,
        now: OffsetDateTime,
    ) -> Result<Case, StoreError> {
        let calendar = self.calendar()?;
        let today = tongban_domain::calendar::china_date(crate::now_ms(now));
        let gate = |current: &Case| {
            may_edit(current, session, Action::Edit)?;
            // What the application is about is fixed once accepted (or deemed accepted): a
            // correction changes it.
            if edit.field.is_fact() && workflow::facts_fixed(current, &calendar, today) {
                return Err(Denied::FactsLocked);
            }
            Ok(())
        };
        self.edit_case_as(
            number,
            session,
            now,
            Action::Edit,
            gate,
            |_, _, doc, mut event, ()| {
                event.kind = EventKind::FieldChanged;
                event.detail = format!("changed {}", edit.field.as_str());
                Ok(case_doc::apply_field_edit(doc, edit, &event, &session.key)?)
            },
        )
    }

    /// A supervisor's correction (更正) of an accepted case's applicant field, with the reason
    /// on the timeline; planned by the workflow as the hub will check it.
    pub fn correct_field(
        &mut self,
        number: &str,
        edit: &FieldEdit,
        reason: &str,
        session: &Session,
        now: OffsetDateTime,
    ) -> Result<Case, StoreError> {
        let calendar = self.calendar()?;
        let catalogues = self.catalogues()?;
        let request = Request {
            reason: Some(reason.to_string()),
            ..Request::default()
        };
        let gate = |current: &Case| {
            let rules = rules(current, now.date(), &calendar, &catalogues);
            workflow::plan(
                current,
                &session.user,
                session.role,
                Action::Correct,
                &request,
                &rules,
            )
        };
        self.edit_case_as(
            number,
            session,
            now,
            Action::Correct,
            gate,
            |_, _, doc, event, planned| {
                let mut event = planned.into_event(event.at_ms, &event.by, &event.device);
                event.detail = format!("corrected {}", edit.field.as_str());
                Ok(case_doc::apply_field_edit(doc, edit, &event, &session.key)?)
            },
        )
    }

    /// A case as `session` may see it: field staff only their own, administrators none.
    pub fn view(
        &self,
        session: &Session,
        number: &str,
        now: OffsetDateTime,
    ) -> Result<Case, StoreError> {
        self.permitted(session, number, Action::View, now)
    }

    /// The case, once `session` is found to hold `action` on it; the access is audited either
    /// way.
    fn permitted(
        &self,
        session: &Session,
        number: &str,
        action: Action,
        now: OffsetDateTime,
    ) -> Result<Case, StoreError> {
        let case = self.case(number)?;
        if let Err(denied) = workflow::permit(&case, &session.user, session.role, action) {
            self.refuse(session, action, Some(number), &denied, now)?;
            return Err(denied.into());
        }
        let digest = self.doc_digest(number)?.unwrap_or_default();
        let access = Access {
            detail: if action == Action::View {
                ""
            } else {
                action.as_str()
            },
            digest: &digest,
            ..Access::done(&session.user, crate::audit::audit_action(action), number)
        };
        self.audit(&access, now_ms(now))?;
        Ok(case)
    }

    /// Who saw or changed a case, newest first: for supervisors.
    pub fn case_audit(
        &self,
        session: &Session,
        number: &str,
        now: OffsetDateTime,
    ) -> Result<Vec<AuditRow>, StoreError> {
        self.permitted(session, number, Action::ReadAudit, now)?;
        self.audit_rows(Some(number), 500)
    }

    /// An applicant's whole ID and phone number, for a user with the right to see them; every
    /// call is audited.
    pub fn unmask(
        &self,
        session: &Session,
        number: &str,
        now: OffsetDateTime,
    ) -> Result<(String, Option<String>), StoreError> {
        let case = self.permitted(session, number, Action::Unmask, now)?;
        Ok((
            case.applicant.id.as_str().to_string(),
            case.applicant.phone.map(|p| p.as_str().to_string()),
        ))
    }

    /// Makes a move on a case: accept, return, approve, reject, complete, and the rest.
    /// Decisions are sealed with this device's key over the case as it stands; every move is
    /// signed with the person's own.
    pub fn act(
        &mut self,
        session: &Session,
        number: &str,
        the_move: &Move,
        now: OffsetDateTime,
    ) -> Result<Case, StoreError> {
        let (action, request) = (the_move.action(), &the_move.request());
        let enrollment = self.enrollment()?;
        if let Some(assignee) = request.assignee.as_deref().map(str::trim)
            && !assignee.is_empty()
            && self.role_of(assignee)?.is_none()
        {
            return Err(StoreError::UnknownUser(assignee.to_string()));
        }
        let calendar = self.calendar()?;
        let catalogues = self.catalogues()?;
        let key = if action.is_decision() {
            Some(SigningKey::from_bytes(self.device_key()?.expose()))
        } else {
            None
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut doc =
            load_doc(&tx, number)?.ok_or_else(|| StoreError::NoSuchCase(number.to_string()))?;
        doc.set_actor(case_doc::device_actor(&enrollment.device_id));
        let case = case_doc::read(&doc)?;
        if catalogues.version(case.catalogue_version).is_none() {
            return Err(StoreError::UnknownCatalogue(case.catalogue_version));
        }
        let rules = rules(&case, now.date(), &calendar, &catalogues);
        let planned =
            match workflow::plan(&case, &session.user, session.role, action, request, &rules) {
                Ok(planned) => planned,
                Err(denied) => {
                    drop(tx);
                    self.refuse(session, action, Some(number), &denied, now)?;
                    return Err(denied.into());
                }
            };
        let mut event = planned.into_event(now_ms(now), &session.user, &enrollment.device_id);
        if let Some(key) = &key {
            event.seal = Some(decision::seal(&mut doc, number, &event, key));
        }
        let before = doc.get_heads();
        case_doc::apply_event(&mut doc, &event, &session.key)?;
        let case = save_doc(&tx, &calendar, number, &mut doc, Some(&before))?.ok_or_else(|| {
            StoreError::Corrupt(format!("case {number} unreadable after {action}"))
        })?;
        let digest = case_doc::heads_digest(&doc.get_heads());
        let access = Access {
            detail: action.as_str(),
            digest: &digest,
            ..Access::done(&session.user, crate::audit::audit_action(action), number)
        };
        crate::audit::append(&tx, &access, now_ms(now))?;
        crate::witness::commit(tx, self.witness.as_ref())?;
        Ok(case)
    }

    /// The actions `session` may take on `case` today, for showing only the buttons that work.
    pub fn allowed_actions(
        &self,
        session: &Session,
        case: &Case,
        today: Date,
    ) -> Result<Vec<Action>, StoreError> {
        let calendar = self.calendar()?;
        let catalogues = self.catalogues()?;
        let rules = rules(case, today, &calendar, &catalogues);
        // Placeholders stand in for what the user has not typed yet (a reason, an outcome).
        let request = Request {
            reason: Some("-".into()),
            outcome: case
                .conflict
                .as_ref()
                .and_then(|c| c.options.first())
                .map(|o| o.outcome),
            assignee: Some(session.user.clone()),
            missing: Vec::new(),
            // An acceptance shows when every missing material could be deferred (容缺受理).
            deferred: case
                .materials
                .iter()
                .filter(|m| m.status == MaterialStatus::Missing)
                .map(|m| m.code.clone())
                .collect(),
            due: Some(today + time::Duration::days(7)),
            ground: Some(tongban_domain::workflow::RefusalGround::OutOfScope),
            refer_to: Some("-".into()),
            days: Some(1),
            // By post with a number: the method the window picks decides what else it needs.
            delivery: Some(tongban_domain::Delivery {
                method: tongban_domain::DeliveryMethod::Post,
                recipient: String::new(),
                tracking: Some("-".into()),
            }),
            // A step needing nothing beyond findings: the window asks for a 公示's details.
            step: Some(tongban_domain::assistance::StepKind::HomeVisit),
            publicity: None,
            members: Vec::new(),
            // Grants are made from the command line (`tongban case grant`); the window has no
            // form for one yet, so it shows no button.
            grant: None,
            // A rectification's texts are typed in its own fields; any will do to ask.
            rectification: Some(tongban_domain::rating::Rectification {
                follow_up: "-".into(),
                action: "-".into(),
            }),
        };
        // Corrections have their own controls; the rest are buttons (a reassignment's with the
        // field naming to whom).
        Ok(ACTIONS
            .into_iter()
            .filter(|a| {
                !matches!(
                    a,
                    Action::View
                        | Action::Register
                        | Action::Edit
                        | Action::Correct
                        | Action::ManageUsers
                        | Action::ReadAudit
                        | Action::Unmask
                        | Action::PruneAudit
                )
            })
            .filter(|a| {
                workflow::plan(case, &session.user, session.role, *a, &request, &rules).is_ok()
            })
            .collect())
    }

    /// Whether a decision's seal verifies against its device's key from the directory.
    pub fn seal_verified(&self, case: &Case, event: &CaseEvent) -> Result<bool, StoreError> {
        let Some(key) = self.device_public_key(&event.device)? else {
            return Ok(false);
        };
        let Some(mut doc) = self.load_doc(case.number.as_str())? else {
            return Ok(false);
        };
        Ok(decision::verify(&mut doc, case.number.as_str(), event, &key).is_ok())
    }

    pub fn queues(&self, session: &Session, today: Date) -> Result<WorkQueues, StoreError> {
        use CaseStatus::*;
        if session.role == Role::Admin {
            return Ok(WorkQueues::default());
        }
        let own = session.role.own_cases_only().then(|| session.user.clone());
        let base = CaseFilter {
            own: own.clone(),
            today: Some(today),
            limit: Some(QUEUE_LIMIT),
            ..CaseFilter::default()
        };
        let open = CaseStatus::ALL
            .into_iter()
            .filter(|s| !workflow::is_final(*s))
            .collect();
        // A township's supervisor decides what it accepted; a county officer what was reported up.
        let awaiting = match session.role {
            Role::Supervisor => self.list(&CaseFilter {
                statuses: vec![Accepted, UnderReview],
                or_conflict: true,
                ..base.clone()
            })?,
            Role::County => self.list(&CaseFilter {
                statuses: vec![Forwarded],
                ..base.clone()
            })?,
            _ => Vec::new(),
        };
        let mut rectification = if session.role == Role::Supervisor {
            self.list(&CaseFilter {
                rectifying: true,
                ..base.clone()
            })?
        } else {
            Vec::new()
        };
        rectification.sort_by(|a, b| a.rectify_by.cmp(&b.rectify_by));
        Ok(WorkQueues {
            rectification,
            mine: self.list(&CaseFilter {
                own: Some(session.user.clone()),
                statuses: open,
                ..base.clone()
            })?,
            awaiting_decision: awaiting,
            returned: self.list(&CaseFilter {
                status: Some(SupplementRequested),
                ..base.clone()
            })?,
            due: self.list(&CaseFilter {
                statuses: vec![Accepted, UnderReview, Forwarded],
                deadline_until: Some(self.calendar()?.yellow_until(today)),
                ..base
            })?,
        })
    }
}
