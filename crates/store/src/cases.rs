//! Cases on the desk: the Automerge document is the truth, kept as a snapshot plus incremental
//! chunks; the `cases` table is a projection for listing and lookup, rewritten in the same
//! transaction as every change to the document.

use crate::{Access, Store, StoreError};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use time::{Date, OffsetDateTime};
use tongban_audit::AuditAction;
use tongban_domain::calendar::{date_text, parse_date};
use tongban_domain::clock::listed_flag;
use tongban_domain::desk::CaseSummary;
use tongban_domain::query::QueryCode;
use tongban_domain::session::Session;
use tongban_domain::workflow;
use tongban_domain::{
    Action, Case, CaseEvent, CaseNumber, CaseStatus, Denied, Desk, Registration, WorkCalendar,
};
use tongban_sync::automerge::{AutoCommit, ChangeHash};
use tongban_sync::case_doc;

/// After this many incremental chunks a document is rewritten as one compact snapshot.
const COMPACT_AFTER_CHUNKS: i64 = 32;

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    pub item: Option<String>,
    /// Matches a case number, an ID number or the start of a name.
    pub query: Option<String>,
    /// Registered at or after this instant (Unix milliseconds).
    pub created_from_ms: Option<i64>,
    /// Registered before this instant (Unix milliseconds).
    pub created_before_ms: Option<i64>,
    /// Only cases this user registered or was assigned (field staff see no others).
    pub own: Option<String>,
    /// Any of these statuses (in addition to `status`).
    pub statuses: Vec<CaseStatus>,
    /// Also cases with conflicting decisions, whatever their status.
    pub or_conflict: bool,
    /// Deadline on or before this date.
    pub deadline_until: Option<Date>,
    /// Flags are worked out for this day; none without it.
    pub today: Option<Date>,
    /// Only these cases (the ones behind a figure), when given.
    pub numbers: Option<Vec<String>>,
    /// Only cases with a 差评 waiting for rectification.
    pub rectifying: bool,
    pub limit: Option<u32>,
    pub offset: u32,
}

pub fn now_ms(now: OffsetDateTime) -> i64 {
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

impl Store {
    /// Registers a case: validates, spends the next case number and stores the document, all
    /// or nothing.
    /// Registers under the newest catalogue this desk knows.
    pub fn register(
        &mut self,
        registration: Registration,
        session: &Session,
        now: OffsetDateTime,
    ) -> Result<Case, StoreError> {
        let today = now.date();
        if !session.role.may(Action::Register) {
            let denied = Denied::Role(session.role, Action::Register);
            self.refuse(session, Action::Register, None, &denied, now)?;
            return Err(denied.into());
        }
        let catalogues = self.catalogues()?;
        let catalogue = catalogues.latest();
        // Validation first, so a rejected form never spends a number.
        registration.validate(catalogue, today)?;
        if self.awaiting_rejoin()?.is_some() {
            return Err(StoreError::AwaitingRejoin);
        }
        let enrollment = self.enrollment()?;
        let calendar = self.calendar()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let day = format!(
            "{:04}{:02}{:02}",
            today.year(),
            u8::from(today.month()),
            today.day()
        );
        let last: u32 = tx
            .prepare_cached("SELECT last FROM case_sequence WHERE day = ?1")?
            .query_row([&day], |r| r.get(0))
            .optional()?
            .unwrap_or(0);
        let last = last.max(last_given(
            &tx,
            &CaseNumber::new(&enrollment.township, today, enrollment.device_serial, 1)?,
        )?);
        let number = CaseNumber::new(
            &enrollment.township,
            today,
            enrollment.device_serial,
            last + 1,
        )?;
        tx.prepare_cached(
            "INSERT INTO case_sequence (day, last) VALUES (?1, ?2)
             ON CONFLICT (day) DO UPDATE SET last = excluded.last",
        )?
        .execute(params![day, last + 1])?;
        let desk = Desk {
            township: &enrollment.township,
            clerk: &session.user,
            device: &enrollment.device_id,
            now_ms: now_ms(now),
            today,
        };
        let mut case = registration.into_case(catalogue, number, &desk)?;
        // The citizen's query code: random, its hash in the case, the code kept here alone.
        let query = QueryCode::from_random(crate::keys::random_bytes()?);
        case.query_hash = Some(query.hash(&case.number));
        tx.prepare_cached("INSERT INTO query_codes (number, code) VALUES (?1, ?2)")?
            .execute(params![case.number.as_str(), query.shown()])?;
        let mut doc = case_doc::create(&case, &enrollment.device_id, &session.key)?;
        save_doc(&tx, &calendar, case.number.as_str(), &mut doc, None)?;
        let digest = case_doc::heads_digest(&doc.get_heads());
        let access = Access {
            digest: &digest,
            ..Access::done(&session.user, AuditAction::Register, case.number.as_str())
        };
        crate::audit::append(&tx, &access, now_ms(now))?;
        crate::witness::commit(tx, self.witness.as_ref())?;
        Ok(case)
    }

    /// The query code printed on `case`'s receipt, if this desk registered it (no other desk or
    /// the hub holds the code); checked against the case's hash before it is printed.
    pub fn query_code(&self, case: &Case) -> Result<Option<QueryCode>, StoreError> {
        let code: Option<String> = self
            .conn
            .prepare_cached("SELECT code FROM query_codes WHERE number = ?1")?
            .query_row([case.number.as_str()], |r| r.get(0))
            .optional()?;
        Ok(code
            .and_then(|c| QueryCode::parse(&c).ok())
            .filter(|c| case.query_hash.as_deref() == Some(c.hash(&case.number).as_str())))
    }

    /// The hub's page where the applicant follows `case` with its code: what the receipt's QR
    /// code carries. None where the code is not held here or the desk has no hub.
    pub fn query_url(&self, case: &Case) -> Result<Option<String>, StoreError> {
        let Some(code) = self.query_code(case)? else {
            return Ok(None);
        };
        let hub = match self.setting_text("hub_url")? {
            Some(hub) => hub,
            None => return Ok(None),
        };
        Ok(Some(tongban_sync::endpoint::query_url(
            &hub,
            case.number.as_str(),
            &code.shown(),
        )))
    }

    pub fn case(&self, number: &str) -> Result<Case, StoreError> {
        let doc = self
            .load_doc(number)?
            .ok_or_else(|| StoreError::NoSuchCase(number.to_string()))?;
        Ok(case_doc::read(&doc)?)
    }

    /// One edit of a case as one transaction: checked for `session` first (a refusal is
    /// recorded and changes nothing), then `apply` writes the change and its event (given with
    /// time, user and device filled in) into the document, which is saved and listed.
    pub(crate) fn edit_case(
        &mut self,
        number: &str,
        session: &Session,
        now: OffsetDateTime,
        apply: impl FnOnce(
            &Transaction<'_>,
            &Case,
            &mut AutoCommit,
            CaseEvent,
        ) -> Result<(), StoreError>,
    ) -> Result<Case, StoreError> {
        self.edit_case_as(
            number,
            session,
            now,
            Action::Edit,
            |current| may_edit(current, session, Action::Edit),
            |tx, current, doc, event, ()| apply(tx, current, doc, event),
        )
    }

    /// [`Self::edit_case`] for an edit that `action` stands for, allowed by `gate` on the case
    /// as the transaction reads it (a refusal is recorded under `action`); what the gate
    /// decided goes on to `apply`.
    pub(crate) fn edit_case_as<G>(
        &mut self,
        number: &str,
        session: &Session,
        now: OffsetDateTime,
        action: Action,
        gate: impl FnOnce(&Case) -> Result<G, Denied>,
        apply: impl FnOnce(
            &Transaction<'_>,
            &Case,
            &mut AutoCommit,
            CaseEvent,
            G,
        ) -> Result<(), StoreError>,
    ) -> Result<Case, StoreError> {
        let enrollment = self.enrollment()?;
        let calendar = self.calendar()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut doc =
            load_doc(&tx, number)?.ok_or_else(|| StoreError::NoSuchCase(number.to_string()))?;
        let current = case_doc::read(&doc)?;
        let allowed = match gate(&current) {
            Ok(allowed) => allowed,
            Err(denied) => {
                drop(tx);
                self.refuse(session, action, Some(number), &denied, now)?;
                return Err(denied.into());
            }
        };
        doc.set_actor(case_doc::device_actor(&enrollment.device_id));
        let before = doc.get_heads();
        let event = CaseEvent {
            at_ms: now_ms(now),
            by: session.user.clone(),
            device: enrollment.device_id,
            ..CaseEvent::default()
        };
        apply(&tx, &current, &mut doc, event, allowed)?;
        let case = save_doc(&tx, &calendar, number, &mut doc, Some(&before))?
            .ok_or_else(|| StoreError::Corrupt(format!("case {number} unreadable after edit")))?;
        let digest = case_doc::heads_digest(&doc.get_heads());
        let access = Access {
            digest: &digest,
            ..Access::done(&session.user, AuditAction::Edit, number)
        };
        crate::audit::append(&tx, &access, now_ms(now))?;
        crate::witness::commit(tx, self.witness.as_ref())?;
        Ok(case)
    }

    /// Keeps a refused attempt on record and says why it was refused.
    pub(crate) fn refuse(
        &self,
        session: &Session,
        action: Action,
        number: Option<&str>,
        denied: &Denied,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.record_refusal(
            now_ms(now),
            &session.user,
            action.as_str(),
            crate::audit::audit_action(action),
            number,
            &denied.to_string(),
        )
    }

    /// How many cases match, ignoring paging.
    pub fn count(&self, filter: &CaseFilter) -> Result<u64, StoreError> {
        let (clause, args) = where_clause(filter);
        let sql = format!("SELECT count(*) FROM cases WHERE {clause}");
        let n: i64 = self
            .conn
            .query_row(&sql, rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
        Ok(n as u64)
    }

    pub fn list(&self, filter: &CaseFilter) -> Result<Vec<CaseSummary>, StoreError> {
        let (clause, args) = where_clause(filter);
        let sql = format!(
            "SELECT number, item_code, item_name, applicant_name, id_number, status,
                    created_at_ms, updated_at_ms, clerk, assignee, deadline, conflict,
                    materials_due, rectify_by
             FROM cases WHERE {clause}
             ORDER BY created_at_ms DESC, number DESC LIMIT {} OFFSET {}",
            filter.limit.map_or(-1, i64::from),
            filter.offset
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok(CaseSummary {
                number: r.get(0)?,
                item_code: r.get(1)?,
                item_name: r.get(2)?,
                applicant_name: r.get(3)?,
                // Lists never show an ID whole; `unmask` does, audited.
                id_number: tongban_domain::identity::masked_id_text(&r.get::<_, String>(4)?),
                status: r.get(5)?,
                created_at_ms: r.get(6)?,
                updated_at_ms: r.get(7)?,
                clerk: r.get(8)?,
                assignee: r.get(9)?,
                deadline: r.get(10)?,
                flag: None,
                conflict: r.get(11)?,
                materials_due: r.get(12)?,
                rectify_by: r.get(13)?,
            })
        })?;
        let mut cases: Vec<CaseSummary> = rows.collect::<Result<_, _>>()?;
        if let Some(today) = filter.today {
            let calendar = self.calendar()?;
            for case in &mut cases {
                let status = case.status.parse::<CaseStatus>();
                let deadline = case.deadline.as_deref().and_then(parse_date);
                if let (Ok(status), Some(deadline)) = (status, deadline) {
                    case.flag = listed_flag(status, case.created_at_ms, deadline, &calendar, today);
                }
            }
        }
        Ok(cases)
    }

    pub fn load_doc(&self, doc_id: &str) -> Result<Option<AutoCommit>, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let doc = load_doc(&tx, doc_id)?;
        tx.finish()?;
        Ok(doc)
    }
}

/// The filter as SQL over the projection, with its bound arguments.
fn where_clause(filter: &CaseFilter) -> (String, Vec<String>) {
    let mut sql = String::from("1 = 1");
    let mut args: Vec<String> = Vec::new();
    if let Some(status) = filter.status {
        args.push(status.as_str().to_string());
        sql.push_str(&format!(" AND status = ?{}", args.len()));
    }
    if let Some(item) = &filter.item {
        args.push(item.to_ascii_uppercase());
        sql.push_str(&format!(" AND item_code = ?{}", args.len()));
    }
    if let Some(query) = filter
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        args.push(query.to_ascii_uppercase());
        let n = args.len();
        // GLOB, not LIKE: SQLite answers a GLOB prefix from the name index, while a LIKE
        // (case-insensitive) against that index reads every case.
        args.push(format!("{}*", query.replace(['*', '?', '['], "")));
        sql.push_str(&format!(
            " AND (number = ?{n} OR id_number = ?{n} OR applicant_name GLOB ?{})",
            n + 1
        ));
    }
    if let Some(from) = filter.created_from_ms {
        sql.push_str(&format!(" AND created_at_ms >= {from}"));
    }
    if let Some(before) = filter.created_before_ms {
        sql.push_str(&format!(" AND created_at_ms < {before}"));
    }
    if let Some(numbers) = &filter.numbers {
        args.push(serde_json::Value::from(numbers.clone()).to_string());
        sql.push_str(&format!(
            " AND number IN (SELECT value FROM json_each(?{}))",
            args.len()
        ));
    }
    if let Some(user) = &filter.own {
        args.push(user.clone());
        let n = args.len();
        sql.push_str(&format!(" AND (clerk = ?{n} OR assignee = ?{n})"));
    }
    if !filter.statuses.is_empty() {
        // Statuses are the enum's fixed snake_case names, safe to inline.
        let list: Vec<String> = filter
            .statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let conflict = if filter.or_conflict {
            " OR conflict = 1"
        } else {
            ""
        };
        sql.push_str(&format!(" AND (status IN ({}){conflict})", list.join(",")));
    }
    if filter.rectifying {
        sql.push_str(" AND rectify_by IS NOT NULL");
    }
    if let Some(until) = filter.deadline_until {
        args.push(date_text(until));
        sql.push_str(&format!(" AND deadline <= ?{}", args.len()));
    }
    (sql, args)
}

pub(crate) fn load_doc(
    tx: &Transaction<'_>,
    doc_id: &str,
) -> Result<Option<AutoCommit>, StoreError> {
    let mut stmt =
        tx.prepare_cached("SELECT bytes FROM doc_chunks WHERE doc_id = ?1 ORDER BY seq")?;
    let chunks = stmt
        .query_map([doc_id], |r| r.get::<_, Vec<u8>>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    if chunks.is_empty() {
        return Ok(None);
    }
    let bytes = chunks.concat();
    AutoCommit::load(&bytes)
        .map(Some)
        .map_err(|e| StoreError::Corrupt(format!("document {doc_id}: {e}")))
}

/// Appends what changed since `before` (everything when `None`), compacts long chunk chains and
/// rewrites the projection. Returns the case when the document reads as one.
/// Whether `session` may change `case` now: role and ownership, and a case not yet decided.
pub(crate) fn may_edit(case: &Case, session: &Session, action: Action) -> Result<(), Denied> {
    workflow::permit(case, &session.user, session.role, action)?;
    if workflow::starts_from(action, case.status) {
        Ok(())
    } else {
        Err(Denied::State(action, case.status))
    }
}

pub(crate) fn save_doc(
    tx: &Transaction<'_>,
    calendar: &WorkCalendar,
    doc_id: &str,
    doc: &mut AutoCommit,
    before: Option<&[ChangeHash]>,
) -> Result<Option<Case>, StoreError> {
    let (count, next): (i64, i64) = tx
        .prepare_cached(
            "SELECT count(*), coalesce(max(seq), -1) + 1 FROM doc_chunks WHERE doc_id = ?1",
        )?
        .query_row([doc_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    match before {
        Some(heads) if count > 0 && count < COMPACT_AFTER_CHUNKS => {
            let chunk = doc.save_after(heads);
            if !chunk.is_empty() {
                tx.prepare_cached(
                    "INSERT INTO doc_chunks (doc_id, seq, bytes) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![doc_id, next, chunk])?;
            }
        }
        _ => {
            tx.prepare_cached("INSERT INTO doc_chunks (doc_id, seq, bytes) VALUES (?1, ?2, ?3)")?
                .execute(params![doc_id, next, doc.save()])?;
            tx.prepare_cached("DELETE FROM doc_chunks WHERE doc_id = ?1 AND seq < ?2")?
                .execute(params![doc_id, next])?;
        }
    }
    let digest = case_doc::heads_digest(&doc.get_heads());
    let case = match case_doc::read(doc) {
        Ok(case) if case.number.as_str() == doc_id => case,
        Ok(case) => {
            tracing::warn!(doc_id, number = %case.number, "document names another case; not listed");
            return Ok(None);
        }
        Err(e) => {
            // A document still arriving in pieces, or from a newer desk: kept, not listed.
            tracing::warn!(doc_id, error = %e, "document stored but not readable as a case");
            return Ok(None);
        }
    };
    let deadline = workflow::deadline(&case, calendar).map(date_text);
    let rectify_by = tongban_domain::rating::evaluation(&case)
        .filter(|e| e.open())
        .and_then(|e| e.due)
        .map(date_text);
    tx.prepare_cached(
        "INSERT INTO cases (number, item_code, item_name, applicant_name, id_number, phone,
                            status, clerk, created_at_ms, updated_at_ms, digest,
                            assignee, deadline, conflict, materials_due, facts, rectify_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
         ON CONFLICT (number) DO UPDATE SET
            item_code = excluded.item_code, item_name = excluded.item_name,
            applicant_name = excluded.applicant_name, id_number = excluded.id_number,
            phone = excluded.phone, status = excluded.status, clerk = excluded.clerk,
            created_at_ms = excluded.created_at_ms, updated_at_ms = excluded.updated_at_ms,
            digest = excluded.digest, assignee = excluded.assignee,
            deadline = excluded.deadline, conflict = excluded.conflict,
            materials_due = excluded.materials_due, facts = excluded.facts,
            rectify_by = excluded.rectify_by",
    )?
    .execute(params![
        case.number.as_str(),
        case.item_code,
        case.item_name,
        case.applicant.name,
        case.applicant.id.as_str(),
        case.applicant
            .phone
            .as_ref()
            .map(|p| p.as_str().to_string()),
        case.status.as_str(),
        case.clerk,
        case.created_at_ms,
        case.updated_at_ms,
        digest,
        case.assignee,
        deadline,
        case.conflict.is_some(),
        case.materials_due,
        crate::figures::facts_json(&case)?,
        rectify_by,
    ])?;
    crate::pages::project_pages(tx, &case)?;
    Ok(Some(case))
}

/// The highest number this desk gave on `first`'s day among the cases it holds, synced back
/// ones included: a desk restored from an older backup must not give those numbers again.
fn last_given(tx: &rusqlite::Connection, first: &CaseNumber) -> Result<u32, StoreError> {
    let text = first.as_str();
    let prefix = text.rsplit_once('-').map_or(text, |(p, _)| p);
    // A range on the primary key ('.' follows '-'): one day of one desk. Sequences have four
    // digits, so the greatest text is the greatest number, found without reading the day.
    let last: Option<String> = tx
        .prepare_cached("SELECT max(number) FROM cases WHERE number >= ?1 AND number < ?2")?
        .query_row(params![format!("{prefix}-"), format!("{prefix}.")], |r| {
            r.get(0)
        })?;
    Ok(last
        .as_deref()
        .and_then(|number| number.strip_prefix(prefix))
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|n| n.parse::<u32>().ok())
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use tongban_domain::CaseField;

    #[test]
    fn a_desk_that_lost_its_counter_goes_on_after_the_highest_number_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::test_desk::desk(dir.path(), Default::default());
        let clerk = crate::test_desk::session("李明");
        let now = datetime!(2026-11-21 09:30 +8);
        let register = |store: &mut crate::Store, i: u32| {
            let registration = Registration {
                item: "YL01".into(),
                name: "覃秀梅".into(),
                id_number: tongban_domain::identity::with_resident_check(&format!(
                    "45072119880615{i:03}"
                ))
                .unwrap(),
                ..Default::default()
            };
            store.register(registration, &clerk, now).unwrap().number
        };
        for i in 0..12 {
            register(&mut store, i);
        }
        // As after restoring a backup taken before those cases, which came back by sync.
        store.conn.execute("DELETE FROM case_sequence", []).unwrap();
        let next = register(&mut store, 12);
        assert!(next.as_str().ends_with("-001-0013"), "{next}");
    }

    #[test]
    fn long_edit_chains_are_compacted_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::test_desk::desk(dir.path(), Default::default());
        let clerk = crate::test_desk::session("李明");
        let now = datetime!(2026-11-21 09:30 +8);
        let registration = Registration {
            item: "YL01".into(),
            name: "覃秀梅".into(),
            id_number: "450721198806152311".into(),
            ..Default::default()
        };
        let case = store.register(registration, &clerk, now).unwrap();
        let number = case.number.as_str();
        for i in 0..70 {
            let edit = tongban_domain::FieldEdit::new(CaseField::Address, &format!("檀圩镇{i}号"))
                .unwrap();
            store.set_field(number, &edit, &clerk, now).unwrap();
        }
        let chunks: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM doc_chunks WHERE doc_id = ?1",
                [number],
                |r| r.get(0),
            )
            .unwrap();
        assert!(chunks < COMPACT_AFTER_CHUNKS, "{chunks} chunks");
        let back = store.case(number).unwrap();
        assert_eq!(back.applicant.address.as_deref(), Some("檀圩镇69号"));
        assert_eq!(back.events.len(), 71);

        let day = |from: i64, before: i64| CaseFilter {
            created_from_ms: Some(from),
            created_before_ms: Some(before),
            ..Default::default()
        };
        let t = now_ms(now);
        assert_eq!(store.list(&day(t - 1000, t + 1000)).unwrap().len(), 1);
        assert!(store.list(&day(t + 1, t + 1000)).unwrap().is_empty());
    }
}
