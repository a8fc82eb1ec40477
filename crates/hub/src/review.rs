//! The hub's check of every change a desk sends: the change must be explained by new timeline
//! events, each written by the sending device for a user of the township assigned to it whose
//! role allows it, signed with that person's own key, with decisions also sealed by the device. Each event is planned again by the desk's own
//! planner on the case exactly as its author saw it (the document at the heads its change was
//! made on), so approval levels, the notice limit and the order of moves bind every desk.
//! Nothing a desk claims about roles is trusted; a new case must match the catalogue, and every
//! case stays within the domain's bounds.

use crate::db::Device;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::RangeInclusive;
use tongban_domain::PaperKind;
use tongban_domain::arrival;
use tongban_domain::calendar::{WorkCalendar, china_date};
use tongban_domain::page::MAX_PAGES_PER_MATERIAL;
use tongban_domain::workflow::{self, Rules, action_of};
use tongban_domain::{
    Case, CaseEvent, Catalogues, EventKind, Localized, MaterialStatus, Role, Text, text,
};
use tongban_sync::auth::MAX_SKEW_SECS;
use tongban_sync::automerge::{AutoCommit, Change, ChangeHash};
use tongban_sync::case_doc;
use tongban_sync::decision;
use tongban_sync::ed25519_dalek::VerifyingKey;
use tongban_sync::person;

/// What the township knows about its users, calendar and catalogues, loaded once per request,
/// and the hub's clock.
pub struct Township {
    /// The township's code: where its cases are kept and sealed.
    pub code: String,
    pub people: HashMap<String, Person>,
    pub calendar: Cow<'static, WorkCalendar>,
    pub catalogues: Catalogues,
    pub now_ms: i64,
}

/// A township's account as the hub judges events by it: the roles it held from when, its keys,
/// the desks it works at, and whether it is disabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// (from, role), oldest first; empty for accounts older than the history.
    pub roles: Vec<(i64, Role)>,
    pub role_now: Role,
    pub disabled_at: Option<i64>,
    /// (from, public key), oldest first.
    pub keys: Vec<(i64, VerifyingKey)>,
    /// (device, from, until) for each assignment.
    pub desks: Vec<(String, i64, Option<i64>)>,
}

impl Person {
    /// The role held at `at_ms`: an event is judged by the role its author had when they made
    /// it, so a later promotion does not bless earlier work, nor a demotion void it.
    pub fn role_at(&self, at_ms: i64) -> Role {
        self.roles
            .iter()
            .rev()
            .find(|(from, _)| *from <= at_ms)
            .or(self.roles.first())
            .map_or(self.role_now, |(_, role)| *role)
    }

    /// The key the account signed with at `at_ms`: a reset's new key replaces the old one from
    /// the reset on, so a stolen password stops working for events dated after it. An event
    /// dated before the account's first key (history typed in later) is judged by that key.
    pub fn key_at(&self, at_ms: i64) -> Option<&VerifyingKey> {
        self.keys
            .iter()
            .rev()
            .find(|(from, _)| *from <= at_ms)
            .or(self.keys.first())
            .map(|(_, key)| key)
    }

    /// Whether the person works at `device` now, or did when the event dated `at_ms` was
    /// made: work done offline before they were taken off a desk still counts, and work dated
    /// before a current assignment (a desk's clock behind the hub's, a week of history typed in
    /// at once) is theirs all the same, signed with their own key.
    pub fn assigned_to(&self, device: &str, at_ms: i64) -> bool {
        self.desks.iter().any(|(d, from, until)| {
            d == device
                && match until {
                    None => true,
                    Some(until) => *from <= at_ms && at_ms < *until,
                }
        })
    }

    /// Whether the account was disabled when an event dated `at_ms` was made.
    pub fn disabled_for(&self, at_ms: i64) -> bool {
        self.disabled_at.is_some_and(|from| at_ms >= from)
    }
}

/// The changes a request brought, to find the one that wrote each new event: each change's
/// actor (hex, as event ids name it), the operation counters it holds, and its dependencies.
struct Brought(Vec<(String, RangeInclusive<u64>, Vec<ChangeHash>, ChangeHash)>);

impl Brought {
    fn new(changes: Vec<Change>) -> Self {
        Self(
            changes
                .iter()
                .map(|c| {
                    let ops = c.start_op().get()..=c.max_op();
                    (
                        c.actor_id().to_hex_string(),
                        ops,
                        c.deps().to_vec(),
                        c.hash(),
                    )
                })
                .collect(),
        )
    }

    /// The change that wrote `event`: the heads it was made on (what its author saw) and its
    /// own hash.
    fn change_of(&self, event: &CaseEvent) -> Option<(&[ChangeHash], ChangeHash)> {
        let (counter, actor) = event.id.split_once('@')?;
        let counter: u64 = counter.parse().ok()?;
        self.0
            .iter()
            .find(|(by, ops, ..)| by == actor && ops.contains(&counter))
            .map(|(_, _, deps, hash)| (deps.as_slice(), *hash))
    }
}

fn same_heads(a: &[ChangeHash], b: &[String]) -> bool {
    let mut a: Vec<String> = a.iter().map(ToString::to_string).collect();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

/// How far two desks' clocks may be apart: each is within the request skew of the hub's.
const CLOCKS_APART_MS: i64 = 2 * MAX_SKEW_SECS * 1000;

/// Why a change was refused, in both languages, naming the case.
fn refuse(number: &str, en: &str, zh: &str) -> Text {
    Text::new(
        format!("case {number}: {en}"),
        format!("办件{number}：{zh}"),
    )
}

/// A rule's own refusal, naming the case.
fn refused(number: &str, why: &impl Localized) -> Text {
    why.text().within(text!("case {number}", "办件{number}"))
}

/// The case an event was written on, as the hub reads it.
enum Written {
    /// A registration: the case as its own change left it.
    Registration(Case),
    /// Any other event: the case at the heads its change was made on, and those heads.
    Move(Case, Vec<ChangeHash>),
}

fn unreadable(number: &str) -> Text {
    refuse(
        number,
        "an event was written on a state that is not a readable case",
        "记录所依据的办件版本无法读取",
    )
}

fn read_at(doc: &mut AutoCommit, heads: &[ChangeHash], number: &str) -> Result<Case, Text> {
    doc.fork_at(heads)
        .ok()
        .and_then(|d| case_doc::read(&d).ok())
        .ok_or_else(|| unreadable(number))
}

/// The event's author: a user of the township, active and working at the sending desk when the
/// event was made, who signed it with their own key over what they saw; returns the role they
/// held then. An assignee must be an active user too.
fn check_author(
    number: &str,
    event: &CaseEvent,
    sender: &Device,
    township: &Township,
    written: &Written,
) -> Result<Role, Text> {
    let Some(person) = township.people.get(&event.by) else {
        return Err(refuse(
            number,
            &format!("{} is not a user of this township", event.by),
            &format!("{}不是本乡镇的用户", event.by),
        ));
    };
    if person.disabled_for(event.at_ms) {
        return Err(refuse(
            number,
            &format!("{}'s account was disabled before this event", event.by),
            &format!("{}的账户在此记录之前已停用", event.by),
        ));
    }
    if !person.assigned_to(&sender.id, event.at_ms) {
        return Err(refuse(
            number,
            &format!(
                "{} does not work at the desk that sent this event",
                event.by
            ),
            &format!("{}未被分配到发送此记录的设备", event.by),
        ));
    }
    let signed = person.key_at(event.at_ms).is_some_and(|key| match written {
        Written::Registration(case) => person::verify_act(key, number, event, &[], Some(case)),
        Written::Move(_, heads) => person::verify_act(key, number, event, heads, None),
    });
    if !signed {
        return Err(refuse(
            number,
            &format!(
                "an event does not carry {}'s own signature over what it records",
                event.by
            ),
            &format!("记录没有{}本人对其内容的签名", event.by),
        ));
    }
    // A case is assigned within its township, never to a county officer.
    if let Some(assignee) = &event.assignee
        && township
            .people
            .get(assignee)
            .is_none_or(|p| p.disabled_for(event.at_ms) || p.role_now.is_county())
    {
        return Err(refuse(
            number,
            &format!("{assignee} is not an active user of this township"),
            &format!("{assignee}不是本乡镇的在用账户"),
        ));
    }
    Ok(person.role_at(event.at_ms))
}

pub fn check_change(
    before: Option<&Case>,
    after: &Case,
    doc: &mut AutoCommit,
    before_heads: &[ChangeHash],
    sender: &Device,
    township: &Township,
) -> Result<(), Text> {
    let number = after.number.as_str();
    arrival::check_bounds(after, township.now_ms).map_err(|e| refused(number, &e))?;
    // A case is judged by the catalogue it was registered under, which the hub must know.
    let Some(catalogue) = township.catalogues.version(after.catalogue_version) else {
        let version = after.catalogue_version;
        return Err(Text::new(
            format!("case {number}: catalogue version {version} is unknown to the hub"),
            format!("办件{number}：中心没有第{version}版事项目录"),
        ));
    };
    if before.is_none() {
        arrival::check_new(after, catalogue).map_err(|e| refused(number, &e))?;
    }
    let known: HashSet<&str> = before
        .map(|b| b.events.iter().map(|e| e.id.as_str()).collect())
        .unwrap_or_default();
    if before.is_none() {
        let serial = number
            .rsplit('-')
            .nth(1)
            .and_then(|s| s.parse::<u32>().ok());
        if serial != Some(sender.serial) {
            return Err(refuse(
                number,
                "a desk may only register cases under its own serial",
                "设备只能以本机序号登记办件",
            ));
        }
    }
    let fresh: Vec<_> = after
        .events
        .iter()
        .filter(|e| !known.contains(e.id.as_str()))
        .collect();
    let actor = hex::encode(case_doc::device_actor(&sender.id).to_bytes());
    let brought = Brought::new(doc.get_changes(before_heads));
    let item = catalogue.item(&after.item_code);
    let levels = item.map_or(1, |item| item.approval_levels);
    for event in &fresh {
        if case_doc::event_actor(event) != actor || event.device != sender.id {
            return Err(refuse(
                number,
                "an event names another device than the one that sent it",
                "记录所署设备与发送设备不符",
            ));
        }
        let (heads, hash) = brought.change_of(event).ok_or_else(|| {
            refuse(
                number,
                "an event was not written by a change of this request",
                "记录不属于本次提交的修改",
            )
        })?;
        // What the author saw: for a registration, the case its own change made; otherwise the
        // document at the heads its change was made on.
        let written = if event.kind == EventKind::Registered {
            if before.is_some() {
                return Err(refuse(number, "registered twice", "重复登记"));
            }
            Written::Registration(read_at(doc, &[hash], number)?)
        } else {
            // Automerge adds the author's own previous change to a change's dependencies even
            // when later changes already cover it: the document at them has the heads the
            // author saw.
            let mut seen_doc = doc.fork_at(heads).map_err(|_| unreadable(number))?;
            let seen_heads = seen_doc.get_heads();
            let seen = case_doc::read(&seen_doc).map_err(|_| unreadable(number))?;
            // No event is older than what its author had already seen, beyond the clocks'
            // allowed difference: backdating (to slip in before a disable or a role change, or
            // inside the notice limit) has to claim an older state too, which the fold shows
            // as a conflict.
            let latest_seen = seen.events.iter().map(|e| e.at_ms).max();
            if latest_seen.is_some_and(|t| event.at_ms < t.saturating_sub(CLOCKS_APART_MS)) {
                return Err(refuse(
                    number,
                    "an event is dated before the case state it was written on",
                    "记录时间早于其所依据的办件记录",
                ));
            }
            Written::Move(seen, seen_heads)
        };
        let role = check_author(number, event, sender, township, &written)?;
        let rules = Rules {
            levels,
            item,
            today: china_date(event.at_ms),
            calendar: &township.calendar,
        };
        let (seen, seen_heads) = match &written {
            Written::Registration(_) => {
                workflow::check_event(after, event, role, &rules)
                    .map_err(|e| refused(number, &e))?;
                continue;
            }
            Written::Move(seen, seen_heads) => (seen, seen_heads),
        };
        workflow::check_event(seen, event, role, &rules).map_err(|e| refused(number, &e))?;
        if action_of(&event.kind).is_some_and(|a| a.is_decision()) {
            decision::verify(doc, number, event, &sender.public_key)
                .map_err(|e| refused(number, &e))?;
            if !event
                .seal
                .as_ref()
                .is_some_and(|s| same_heads(seen_heads, &s.heads))
            {
                return Err(refuse(
                    number,
                    "a decision was sealed on another state than the one it was written on",
                    "决定的签名所依据的办件版本与其写入时的版本不符",
                ));
            }
        }
    }
    if let Some(before) = before {
        check_step(before, after, &fresh, township)?;
    }
    // Each change on its own as well: a change that brings no event cannot prepare a state a
    // later change of the request is judged on (pages, an agent, a material) and a third one
    // undo, which the request as a whole would not show.
    for (_, _, deps, hash) in &brought.0 {
        let made = read_at(doc, &[*hash], number)?;
        if deps.is_empty() {
            // The change that registered the case: as registered, nothing signed yet.
            arrival::check_new(&made, catalogue).map_err(|e| refused(number, &e))?;
            if made.papers.iter().any(|p| !p.pages.is_empty()) {
                return Err(refuse(
                    number,
                    "a new case has no signed papers yet",
                    "新登记的办件不应已附有签字文书",
                ));
            }
            continue;
        }
        let was = read_at(doc, deps, number)?;
        let known: HashSet<&str> = was.events.iter().map(|e| e.id.as_str()).collect();
        let brought: Vec<&CaseEvent> = made
            .events
            .iter()
            .filter(|e| !known.contains(e.id.as_str()))
            .collect();
        check_step(&was, &made, &brought, township)?;
    }
    Ok(())
}

/// What a step (the whole request, or one change of it) does to a case that existed before it:
/// the registration and the timeline stay, and every other difference is one the events it
/// brings explain.
fn check_step(
    before: &Case,
    after: &Case,
    fresh: &[&CaseEvent],
    township: &Township,
) -> Result<(), Text> {
    let number = after.number.as_str();
    let fixed = |c: &Case| {
        (
            c.township.clone(),
            c.item_code.clone(),
            c.item_name.clone(),
            c.promised_days,
            c.catalogue_version,
            c.query_hash.clone(),
            c.clerk.clone(),
            c.created_at_ms,
        )
    };
    if fixed(before) != fixed(after) {
        return Err(refuse(
            number,
            "registration facts cannot change",
            "登记信息不可更改",
        ));
    }
    let now: HashMap<&str, _> = after.events.iter().map(|e| (e.id.as_str(), e)).collect();
    if before
        .events
        .iter()
        .any(|e| now.get(e.id.as_str()) != Some(&e))
    {
        return Err(refuse(
            number,
            "timeline events cannot be changed or removed",
            "办件记录不可修改或删除",
        ));
    }
    // No edit or correction names the document or the agent: they stay as registered.
    let (b, a) = (&before.applicant, &after.applicant);
    if b.id != a.id || b.agent != a.agent {
        return Err(refuse(
            number,
            "the applicant's document and agent stay as registered",
            "申请人证件和代办人信息以登记为准，不可更改",
        ));
    }
    let brought = |kind: EventKind| fresh.iter().any(|e| e.kind == kind);
    let corrected = brought(EventKind::Corrected);
    if b != a && !brought(EventKind::FieldChanged) && !corrected {
        return Err(refuse(
            number,
            "applicant details changed without a recorded correction",
            "申请人信息被更改但没有更正记录",
        ));
    }
    // Once accepted, the name changes only by a supervisor's correction (whose author, role and
    // reason the planner checked). Judged on the hub's day, not the date a desk claims for the
    // edit: a backdated rename cannot slip in before the notice limit passed.
    let today = china_date(township.now_ms);
    let fixed = workflow::facts_fixed(before, &township.calendar, today);
    if b.name != a.name && fixed && !corrected {
        return Err(refuse(
            number,
            "the applicant's facts changed after acceptance without a supervisor's correction",
            "受理后申请人信息被更改，但没有审批人员的更正记录",
        ));
    }
    check_materials(before, after, fresh)?;
    check_papers(before, after, fresh)
}

/// A paper's pages only grow, and only with an attachment that names the paper.
fn check_papers(before: &Case, after: &Case, fresh: &[&CaseEvent]) -> Result<(), Text> {
    let number = after.number.as_str();
    for kind in PaperKind::ALL {
        let (b, a) = (before.paper(kind), after.paper(kind));
        if b == a {
            continue;
        }
        let named = fresh
            .iter()
            .any(|e| e.kind == EventKind::PagesAttached && e.paper == Some(kind));
        let (paper, paper_zh) = (kind.as_str(), kind.label_zh());
        if !b.iter().all(|p| a.contains(p)) || !named {
            return Err(refuse(
                number,
                &format!("pages of the {paper} changed without a recorded attachment"),
                &format!("{paper_zh}的页面被更改但没有附件记录"),
            ));
        }
        if a.len() > MAX_PAGES_PER_MATERIAL {
            return Err(refuse(
                number,
                &format!("the {paper} has more than {MAX_PAGES_PER_MATERIAL} pages"),
                &format!("{paper_zh}超过{MAX_PAGES_PER_MATERIAL}页"),
            ));
        }
    }
    Ok(())
}

/// A material's status changes only as a supplement (received) or a 容缺 acceptance (deferred)
/// that names it says; pages only grow, on materials an attachment names.
fn check_materials(before: &Case, after: &Case, fresh: &[&CaseEvent]) -> Result<(), Text> {
    let number = after.number.as_str();
    let explained = |code: &str, status: MaterialStatus| {
        fresh
            .iter()
            .filter(|e| e.material_effect() == Some(status))
            .any(|e| e.missing.iter().any(|m| m == code))
    };
    let attached: HashSet<&str> = fresh
        .iter()
        .filter(|e| e.kind == EventKind::PagesAttached)
        .flat_map(|e| e.missing.iter().map(String::as_str))
        .collect();
    let same_list = before.materials.len() == after.materials.len()
        && before
            .materials
            .iter()
            .zip(&after.materials)
            .all(|(b, a)| b.code == a.code && b.name == a.name);
    if !same_list {
        return Err(refuse(
            number,
            "the list of materials cannot change",
            "材料清单不可更改",
        ));
    }
    for (b, a) in before.materials.iter().zip(&after.materials) {
        if b.status != a.status && !explained(&a.code, a.status) {
            return Err(refuse(
                number,
                &format!(
                    "material {} changed status without a supplement or acceptance naming it",
                    a.code
                ),
                &format!("材料{}的状态被更改但没有相应的补正或容缺受理记录", a.code),
            ));
        }
        if b.pages == a.pages {
            continue;
        }
        let kept = b.pages.iter().all(|p| a.pages.contains(p));
        if !kept || !attached.contains(a.code.as_str()) {
            return Err(refuse(
                number,
                &format!(
                    "pages of material {} changed without a recorded attachment",
                    a.code
                ),
                &format!("材料{}的页面被更改但没有附件记录", a.code),
            ));
        }
        if a.pages.len() > MAX_PAGES_PER_MATERIAL {
            return Err(refuse(
                number,
                &format!(
                    "material {} has more than {MAX_PAGES_PER_MATERIAL} pages",
                    a.code
                ),
                &format!("材料{}超过{MAX_PAGES_PER_MATERIAL}页", a.code),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "review_material_tests.rs"]
mod tests;
