//! What the rules ask of materials and papers: the one-time notice (补正) with its deadline,
//! supplements that may come in parts, acceptance with deferred materials (容缺), and the proof
//! a delivery records.

use crate::calendar::date_text;
use crate::case::{Case, CaseStatus, EventKind, MaterialStatus};
use crate::delivery::Delivery;
use crate::workflow::{Denied, Planned, Request, Rules};

/// Calendar days an applicant is given to bring what a one-time notice lists, unless the
/// window sets another date; and the longest it may set.
pub const SUPPLEMENT_DAYS: i64 = 30;
pub const MAX_SUPPLEMENT_DAYS: i64 = 60;
pub(crate) use crate::workflow::MAX_DEFERRAL_DAYS;

fn codes_named(case: &Case, asked: &[String]) -> Result<Vec<String>, Denied> {
    let mut codes = Vec::new();
    for code in asked {
        let code = code.trim().to_ascii_uppercase();
        if !case.materials.iter().any(|m| m.code == code) {
            return Err(Denied::UnknownMaterial(code));
        }
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// The one-time notice: within five working days of receipt, naming every material to bring
/// (every missing one unless the window names them) and the date to bring them by.
pub(crate) fn plan_return(
    case: &Case,
    request: &Request,
    rules: &Rules<'_>,
    planned: &mut Planned,
) -> Result<(), Denied> {
    let limit = crate::clock::notice_due(case, rules.calendar);
    if rules.today > limit {
        return Err(Denied::NoticeOverdue(date_text(limit)));
    }
    let missing = codes_with(case, MaterialStatus::Missing);
    planned.missing = if request.missing.is_empty() {
        missing
    } else {
        // Only what is missing: a notice cannot take back a commitment or a received material.
        let named = codes_named(case, &request.missing)?;
        if let Some(code) = named.iter().find(|c| !missing.contains(c)) {
            return Err(Denied::NotMissing(names_of(
                case,
                std::slice::from_ref(code),
            )));
        }
        named
    };
    if planned.missing.is_empty() {
        return Err(Denied::NothingMissing);
    }
    let due = request
        .due
        .unwrap_or(rules.today + time::Duration::days(SUPPLEMENT_DAYS));
    if !(1..=MAX_SUPPLEMENT_DAYS).contains(&(due - rules.today).whole_days()) {
        return Err(Denied::NoticeDeadlineOutOfRange);
    }
    planned.due = Some(date_text(due));
    Ok(())
}

/// What the last notice asked for and no supplement since has brought.
pub fn awaited(case: &Case) -> Vec<String> {
    awaited_in(&case.events)
}

/// [`awaited`] from a timeline alone (the window holds the case masked).
pub fn awaited_in(events: &[crate::CaseEvent]) -> Vec<String> {
    let Some(notice) = events.iter().rposition(|e| e.kind == EventKind::Returned) else {
        return Vec::new();
    };
    let brought: Vec<&String> = events[notice..]
        .iter()
        .filter(|e| e.kind == EventKind::Supplemented)
        .flat_map(|e| &e.missing)
        .collect();
    events[notice]
        .missing
        .iter()
        .filter(|code| !brought.contains(code))
        .cloned()
        .collect()
}

/// Materials brought after a notice, all of them or some (the case waits for the rest); or,
/// after a 容缺 acceptance, the deferred ones (the case stays where it is). Returns the state
/// a partial supplement leaves the case in.
pub(crate) fn plan_supplement(
    case: &Case,
    status: CaseStatus,
    request: &Request,
    planned: &mut Planned,
) -> Result<Option<CaseStatus>, Denied> {
    if status != CaseStatus::SupplementRequested {
        planned.missing = codes_with(case, MaterialStatus::Deferred);
        if planned.missing.is_empty() {
            return Err(Denied::NothingMissing);
        }
        return Ok(None);
    }
    let awaited = awaited(case);
    planned.missing = if request.missing.is_empty() {
        awaited.clone()
    } else {
        let named = codes_named(case, &request.missing)?;
        if let Some(code) = named.iter().find(|c| !awaited.contains(c)) {
            return Err(Denied::NotAwaited(names_of(
                case,
                std::slice::from_ref(code),
            )));
        }
        named
    };
    if planned.missing.is_empty() {
        return Err(Denied::NothingMissing);
    }
    let complete = awaited.iter().all(|c| planned.missing.contains(c));
    Ok((!complete).then_some(CaseStatus::SupplementRequested))
}

/// 告知承诺: the applicant's signed commitment, scanned first, stands in for the materials named
/// (every missing one the catalogue lets it stand in for, when none is named).
pub(crate) fn plan_commitment(
    case: &Case,
    request: &Request,
    rules: &Rules<'_>,
) -> Result<Vec<String>, Denied> {
    let allowed = |code: &str| {
        rules
            .item
            .and_then(|item| item.material(code))
            .is_some_and(|m| m.commitment)
    };
    let missing = codes_with(case, MaterialStatus::Missing);
    let named = if request.missing.is_empty() {
        let eligible: Vec<String> = missing.iter().filter(|c| allowed(c)).cloned().collect();
        if eligible.is_empty() {
            return Err(Denied::NotCommittable(names_of(case, &missing)));
        }
        eligible
    } else {
        let named = codes_named(case, &request.missing)?;
        if let Some(code) = named.iter().find(|c| !missing.contains(c) || !allowed(c)) {
            return Err(Denied::NotCommittable(names_of(
                case,
                std::slice::from_ref(code),
            )));
        }
        named
    };
    // Each commitment on its own signed letter: one scanned since the last commitment taken.
    let last_commit = case
        .events
        .iter()
        .rposition(|e| e.kind == EventKind::Committed)
        .map_or(0, |p| p + 1);
    let signed = case.events[last_commit..].iter().any(|e| {
        e.kind == EventKind::PagesAttached && e.paper == Some(crate::PaperKind::Commitment)
    });
    if case.paper(crate::PaperKind::Commitment).is_empty() || !signed {
        return Err(Denied::PaperMissing(crate::PaperKind::Commitment));
    }
    Ok(named)
}

/// The later check of a commitment: the materials named (every committed one when none is)
/// were found as the applicant committed.
pub(crate) fn plan_commitment_check(case: &Case, request: &Request) -> Result<Vec<String>, Denied> {
    let committed = codes_with(case, MaterialStatus::Committed);
    if request.missing.is_empty() {
        if committed.is_empty() {
            return Err(Denied::NoCommitment("—".into()));
        }
        return Ok(committed);
    }
    let named = codes_named(case, &request.missing)?;
    if let Some(code) = named.iter().find(|c| !committed.contains(c)) {
        return Err(Denied::NoCommitment(names_of(
            case,
            std::slice::from_ref(code),
        )));
    }
    Ok(named)
}

/// A delivery is recorded once, by a method that says how it can be proved: a letter's
/// tracking number, an electronic delivery's address; the recipient is the applicant unless
/// someone else was named.
pub(crate) fn plan_delivery(case: &Case, request: &Request) -> Result<Delivery, Denied> {
    if case.events.iter().any(|e| e.kind == EventKind::Delivered) {
        return Err(Denied::AlreadyDelivered);
    }
    let asked = request.delivery.as_ref().ok_or(Denied::MethodRequired)?;
    let short = |text: &Option<String>| -> Result<Option<String>, Denied> {
        let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        if text.is_some_and(|t| t.chars().count() > crate::delivery::MAX_DELIVERY_CHARS) {
            return Err(Denied::DeliveryTooLong);
        }
        Ok(text.map(str::to_string))
    };
    let tracking = short(&asked.tracking)?;
    if asked.method.needs_tracking() && tracking.is_none() {
        return Err(Denied::TrackingRequired(asked.method));
    }
    // Handed over at the window: the recipient's signed receipt is the proof, scanned first.
    if asked.method == crate::DeliveryMethod::Window
        && case.paper(crate::PaperKind::DeliveryReceipt).is_empty()
    {
        return Err(Denied::PaperMissing(crate::PaperKind::DeliveryReceipt));
    }
    let recipient =
        short(&Some(asked.recipient.clone()))?.unwrap_or_else(|| case.applicant.name.clone());
    Ok(Delivery {
        method: asked.method,
        recipient,
        tracking,
    })
}

/// Whether the catalogue makes a material hold up acceptance and approval; without the item at
/// hand every material does.
pub(crate) fn required(rules: &Rules<'_>, code: &str) -> bool {
    rules.item.is_none_or(|item| item.requires(code))
}

/// Required materials not yet in hand (missing, or deferred under 容缺).
pub(crate) fn outstanding<'c>(
    case: &'c Case,
    rules: &Rules<'_>,
) -> impl Iterator<Item = &'c crate::MaterialState> {
    case.materials
        .iter()
        .filter(move |m| m.status.outstanding() && required(rules, &m.code))
}

fn codes_with(case: &Case, status: MaterialStatus) -> Vec<String> {
    case.materials
        .iter()
        .filter(|m| m.status == status)
        .map(|m| m.code.clone())
        .collect()
}

/// The materials' names for a message, in the case's order.
fn names_of(case: &Case, codes: &[String]) -> String {
    case.materials
        .iter()
        .filter(|m| codes.contains(&m.code))
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// An acceptance needs every material, except those the catalogue lets the applicant bring
/// later on a recorded commitment and deadline (容缺受理, 《行政许可法》第三十二条 otherwise).
pub(crate) fn plan_acceptance(
    case: &Case,
    request: &Request,
    rules: &Rules<'_>,
    planned: &mut Planned,
) -> Result<(), Denied> {
    // One who applies for another on their behalf shows the signed power of attorney.
    let entrusted = case
        .applicant
        .agent
        .as_ref()
        .is_some_and(|a| a.relation.needs_power_of_attorney());
    if entrusted && case.paper(crate::PaperKind::PowerOfAttorney).is_empty() {
        return Err(Denied::PaperMissing(crate::PaperKind::PowerOfAttorney));
    }
    let missing = codes_with(case, MaterialStatus::Missing);
    let deferred = codes_named(case, &request.deferred)?;
    for code in &deferred {
        if !missing.contains(code) {
            return Err(Denied::NotMissing(names_of(
                case,
                std::slice::from_ref(code),
            )));
        }
        let allowed = rules
            .item
            .and_then(|item| item.material(code))
            .is_some_and(|spec| spec.deferrable);
        if !allowed {
            return Err(Denied::NotDeferrable(names_of(
                case,
                std::slice::from_ref(code),
            )));
        }
    }
    let left: Vec<String> = missing
        .into_iter()
        .filter(|c| !deferred.contains(c) && required(rules, c))
        .collect();
    if !left.is_empty() {
        return Err(Denied::MaterialsMissing(names_of(case, &left)));
    }
    if deferred.is_empty() {
        return Ok(());
    }
    if planned.reason.is_none() {
        return Err(Denied::CommitmentRequired);
    }
    let due = request.due.ok_or(Denied::DeadlineOutOfRange)?;
    let days = (due - rules.today).whole_days();
    if !(1..=MAX_DEFERRAL_DAYS).contains(&days) {
        return Err(Denied::DeadlineOutOfRange);
    }
    planned.missing = deferred;
    planned.due = Some(date_text(due));
    Ok(())
}
