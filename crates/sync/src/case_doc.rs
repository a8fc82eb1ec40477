//! A case as an Automerge document. Every applicant field is its own map key so that two desks
//! editing different fields offline both keep their edit after a merge; timeline events are list
//! items so concurrent additions are all kept.

use crate::person;
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value,
};
use sha2::{Digest, Sha256};
use tongban_domain::assistance::Publicity;
use tongban_domain::{
    Agent, Applicant, ApplicantId, Case, CaseEvent, CaseNumber, CaseStatus, DecisionSeal, Delivery,
    EventKind, FieldEdit, ForeignPr, HmtPermit, MaterialState, MaterialStatus, Mobile, PageRef,
    Paper, PaperKind, Passport, ResidentId, Secret, TownshipCode, Uscc,
};

/// Bumped when the document layout changes incompatibly; readers refuse newer layouts.
pub const SCHEMA: u64 = 1;

#[derive(Debug, thiserror::Error)]
#[error("{}", tongban_domain::l10n::Localized::text(self))]
pub enum CaseDocError {
    Automerge(#[from] automerge::AutomergeError),
    Missing(&'static str),
    Invalid(&'static str),
    NewerSchema(u64),
}

impl tongban_domain::l10n::Localized for CaseDocError {
    fn text(&self) -> tongban_domain::l10n::Text {
        use tongban_domain::text;
        match self {
            Self::Automerge(detail) => text!(
                "case document is damaged: {detail}",
                "办件文档已损坏：{detail}"
            ),
            Self::Missing(field) => text!(
                "case document lacks field {field}",
                "办件文档缺少字段{field}"
            ),
            Self::Invalid(field) => text!(
                "case document field {field} holds an invalid value",
                "办件文档字段{field}的值无效"
            ),
            Self::NewerSchema(layout) => text!(
                "case document uses layout {layout}, newer than this desk understands; update Tongban",
                "办件文档格式版本{layout}高于本机程序，请升级通办"
            ),
        }
    }
}

type Result<T> = std::result::Result<T, CaseDocError>;

/// A digest of a document's heads: equal digests mean equal documents.
pub fn heads_digest(heads: &[ChangeHash]) -> String {
    let mut sorted: Vec<&ChangeHash> = heads.iter().collect();
    sorted.sort();
    let mut hasher = Sha256::new();
    for head in sorted {
        hasher.update(head.0);
    }
    hex::encode(&hasher.finalize()[..16])
}

/// The Automerge actor of a device: every change a desk makes carries its device id, so the hub
/// can tell which device wrote which event.
pub fn device_actor(device_id: &str) -> ActorId {
    match hex::decode(device_id) {
        Ok(bytes) if !bytes.is_empty() => ActorId::from(bytes),
        _ => ActorId::from(device_id.as_bytes()),
    }
}

/// The device that created an event, as its actor in hex (the part of the event id after `@`).
pub fn event_actor(event: &CaseEvent) -> &str {
    event.id.rsplit_once('@').map_or("", |(_, actor)| actor)
}

/// Creates the document for a newly registered case, in one commit, authored by `device_id`;
/// its registration is signed with the clerk's `key` over what it registers.
pub fn create(case: &Case, device_id: &str, key: &Secret) -> Result<AutoCommit> {
    let mut doc = AutoCommit::new();
    doc.set_actor(device_actor(device_id));
    doc.put(ROOT, "schema", SCHEMA)?;
    doc.put(ROOT, "number", case.number.as_str())?;
    doc.put(ROOT, "township", case.township.as_str())?;
    doc.put(ROOT, "item_code", case.item_code.as_str())?;
    doc.put(ROOT, "item_name", case.item_name.as_str())?;
    doc.put(ROOT, "promised_days", u64::from(case.promised_days))?;
    doc.put(ROOT, "catalogue_version", u64::from(case.catalogue_version))?;
    if let Some(hash) = &case.query_hash {
        doc.put(ROOT, "query_hash", hash.as_str())?;
    }
    doc.put(ROOT, "clerk", case.clerk.as_str())?;
    doc.put(ROOT, "created_at_ms", case.created_at_ms)?;
    doc.put(ROOT, "updated_at_ms", case.updated_at_ms)?;

    let applicant = doc.put_object(ROOT, "applicant", ObjType::Map)?;
    let a = &case.applicant;
    doc.put(&applicant, "name", a.name.as_str())?;
    let (kind, number) = id_parts(&a.id);
    doc.put(&applicant, "id_kind", kind)?;
    doc.put(&applicant, "id_number", number)?;
    if let Some(agent) = &a.agent {
        let map = doc.put_object(&applicant, "agent", ObjType::Map)?;
        let (kind, number) = id_parts(&agent.id);
        doc.put(&map, "name", agent.name.as_str())?;
        doc.put(&map, "relation", agent.relation.as_str())?;
        doc.put(&map, "id_kind", kind)?;
        doc.put(&map, "id_number", number)?;
    }
    if let Some(phone) = &a.phone {
        doc.put(&applicant, "phone", phone.as_str())?;
    }
    if let Some(address) = &a.address {
        doc.put(&applicant, "address", address.as_str())?;
    }

    let materials = doc.put_object(ROOT, "materials", ObjType::List)?;
    for (i, m) in case.materials.iter().enumerate() {
        let item = doc.insert_object(&materials, i, ObjType::Map)?;
        doc.put(&item, "code", m.code.as_str())?;
        doc.put(&item, "name", m.name.as_str())?;
        doc.put(&item, "status", material_status(m.status))?;
        // Made here, once: two desks creating the list concurrently would each make their own
        // and one desk's pages would be hidden by the other's.
        let pages = doc.put_object(&item, "pages", ObjType::List)?;
        for page in &m.pages {
            push_page(&mut doc, &pages, page)?;
        }
    }
    // Every paper's list made here too, for the same reason.
    let papers = doc.put_object(ROOT, "papers", ObjType::Map)?;
    for paper in &case.papers {
        let pages = doc.put_object(&papers, paper.kind.as_str(), ObjType::List)?;
        for page in &paper.pages {
            push_page(&mut doc, &pages, page)?;
        }
    }
    doc.put_object(ROOT, "events", ObjType::List)?;
    for event in &case.events {
        let mut event = event.clone();
        event.person_signature = Some(person::sign_act(
            key,
            case.number.as_str(),
            &event,
            &[],
            Some(case),
        ));
        push_event(&mut doc, &event)?;
    }
    commit(&mut doc, "register", case.created_at_ms);
    Ok(doc)
}

/// `event` signed by its author's `key` over the document's state before the change: done
/// before any operation, since reading the heads closes the change being built.
fn signed(doc: &mut AutoCommit, event: &CaseEvent, key: &Secret) -> Result<CaseEvent> {
    let heads = doc.get_heads();
    let number = read_str(doc, &ROOT, "number")?;
    let mut event = event.clone();
    event.person_signature = Some(person::sign_act(key, &number, &event, &heads, None));
    Ok(event)
}

/// Applies one validated field edit and records it in the timeline, as one commit.
pub fn apply_field_edit(
    doc: &mut AutoCommit,
    edit: &FieldEdit,
    event: &CaseEvent,
    key: &Secret,
) -> Result<()> {
    let event = &signed(doc, event, key)?;
    let applicant = object(doc, &ROOT, "applicant")?;
    let key = edit.field.as_str();
    match &edit.value {
        Some(value) => doc.put(&applicant, key, value.as_str())?,
        None => doc.delete(&applicant, key)?,
    }
    let updated = read_i64(doc, &ROOT, "updated_at_ms")?;
    doc.put(ROOT, "updated_at_ms", updated.max(event.at_ms))?;
    push_event(doc, event)?;
    commit(doc, &format!("set {key}"), event.at_ms);
    Ok(())
}

/// Records a workflow event and what it does to the materials, as one commit.
pub fn apply_event(doc: &mut AutoCommit, event: &CaseEvent, key: &Secret) -> Result<()> {
    let event = &signed(doc, event, key)?;
    if let Some(status) = event.material_effect() {
        let materials = object(doc, &ROOT, "materials")?;
        for i in 0..doc.length(&materials) {
            let m = list_object(doc, &materials, i)?;
            if event.missing.contains(&read_str(doc, &m, "code")?) {
                doc.put(&m, "status", material_status(status))?;
            }
        }
    }
    let updated = read_i64(doc, &ROOT, "updated_at_ms")?;
    doc.put(ROOT, "updated_at_ms", updated.max(event.at_ms))?;
    push_event(doc, event)?;
    commit(doc, event.kind.as_str(), event.at_ms);
    Ok(())
}

/// Records an event the hub writes itself (the applicant's rating from the query page), as one
/// commit by the hub's own actor: no person signs it, and no desk can write one (the hub
/// refuses an event of its kind from a desk).
pub fn record_hub_event(doc: &mut AutoCommit, hub_device: &str, event: &CaseEvent) -> Result<()> {
    doc.set_actor(device_actor(hub_device));
    let updated = read_i64(doc, &ROOT, "updated_at_ms")?;
    doc.put(ROOT, "updated_at_ms", updated.max(event.at_ms))?;
    push_event(doc, event)?;
    commit(doc, event.kind.as_str(), event.at_ms);
    Ok(())
}

/// Adds page references to one material and records the attachment, as one commit.
pub fn attach_pages(
    doc: &mut AutoCommit,
    material: &str,
    pages: &[PageRef],
    event: &CaseEvent,
    key: &Secret,
) -> Result<()> {
    let event = &signed(doc, event, key)?;
    let materials = object(doc, &ROOT, "materials")?;
    let mut target = None;
    for i in 0..doc.length(&materials) {
        let m = list_object(doc, &materials, i)?;
        if read_str(doc, &m, "code")? == material {
            target = Some(m);
        }
    }
    let m = target.ok_or(CaseDocError::Invalid("materials.code"))?;
    let list = object_or_new(doc, &m, "pages", ObjType::List, "materials.pages")?;
    add_pages(doc, &list, pages, event)
}

/// Adds page references to one paper and records the attachment, as one commit. A case made
/// before papers existed gets the list now.
pub fn attach_paper(
    doc: &mut AutoCommit,
    kind: PaperKind,
    pages: &[PageRef],
    event: &CaseEvent,
    key: &Secret,
) -> Result<()> {
    let event = &signed(doc, event, key)?;
    let papers = object_or_new(doc, &ROOT, "papers", ObjType::Map, "papers")?;
    let list = object_or_new(doc, &papers, kind.as_str(), ObjType::List, "papers")?;
    add_pages(doc, &list, pages, event)
}

/// The object of `kind` under `key`, made when it is not there yet; anything else there is a
/// damaged document (`what` names the place).
fn object_or_new(
    doc: &mut AutoCommit,
    parent: &ObjId,
    key: &str,
    kind: ObjType,
    what: &'static str,
) -> Result<ObjId> {
    match doc.get(parent, key)? {
        Some((Value::Object(found), id)) if found == kind => Ok(id),
        Some(_) => Err(CaseDocError::Invalid(what)),
        None => Ok(doc.put_object(parent, key, kind)?),
    }
}

/// Appends pages to `list` and records the attachment, as one commit.
fn add_pages(
    doc: &mut AutoCommit,
    list: &ObjId,
    pages: &[PageRef],
    event: &CaseEvent,
) -> Result<()> {
    for page in pages {
        push_page(doc, list, page)?;
    }
    let updated = read_i64(doc, &ROOT, "updated_at_ms")?;
    doc.put(ROOT, "updated_at_ms", updated.max(event.at_ms))?;
    push_event(doc, event)?;
    commit(doc, event.kind.as_str(), event.at_ms);
    Ok(())
}

fn read_papers(doc: &AutoCommit) -> Result<Vec<Paper>> {
    let papers = match doc.get(&ROOT, "papers")? {
        Some((Value::Object(ObjType::Map), id)) => id,
        Some(_) => return Err(CaseDocError::Invalid("papers")),
        None => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    for kind in PaperKind::ALL {
        if doc.get(&papers, kind.as_str())?.is_some() {
            out.push(Paper {
                kind,
                pages: read_pages(doc, &papers, kind.as_str())?,
            });
        }
    }
    Ok(out)
}

fn id_parts(id: &ApplicantId) -> (&'static str, &str) {
    match id {
        ApplicantId::Resident(id) => ("resident", id.as_str()),
        ApplicantId::Organisation(code) => ("organisation", code.as_str()),
        ApplicantId::Hmt(id) => ("hmt", id.as_str()),
        ApplicantId::Passport(id) => ("passport", id.as_str()),
        ApplicantId::ForeignPr(id) => ("foreign_pr", id.as_str()),
    }
}

/// A stored document number, checked by the rules of its kind that do not depend on the date.
fn read_id(kind: &str, id_number: String) -> Result<ApplicantId> {
    Ok(match kind {
        "resident" => ApplicantId::Resident(
            ResidentId::try_from(id_number).map_err(|_| CaseDocError::Invalid("id_number"))?,
        ),
        "organisation" => ApplicantId::Organisation(
            Uscc::try_from(id_number).map_err(|_| CaseDocError::Invalid("id_number"))?,
        ),
        "hmt" => ApplicantId::Hmt(
            HmtPermit::try_from(id_number).map_err(|_| CaseDocError::Invalid("id_number"))?,
        ),
        "passport" => ApplicantId::Passport(
            Passport::try_from(id_number).map_err(|_| CaseDocError::Invalid("id_number"))?,
        ),
        "foreign_pr" => ApplicantId::ForeignPr(
            ForeignPr::try_from(id_number).map_err(|_| CaseDocError::Invalid("id_number"))?,
        ),
        _ => return Err(CaseDocError::Invalid("id_kind")),
    })
}

fn push_page(doc: &mut AutoCommit, list: &ObjId, page: &PageRef) -> Result<()> {
    let at = doc.length(list);
    let item = doc.insert_object(list, at, ObjType::Map)?;
    doc.put(&item, "sha256", page.sha256.as_str())?;
    doc.put(&item, "bytes", page.bytes)?;
    doc.put(&item, "mime", page.mime.as_str())?;
    doc.put(&item, "width", u64::from(page.width))?;
    doc.put(&item, "height", u64::from(page.height))?;
    Ok(())
}

fn read_pages(doc: &AutoCommit, owner: &ObjId, key: &str) -> Result<Vec<PageRef>> {
    let list = match doc.get(owner, key)? {
        Some((Value::Object(ObjType::List), id)) => id,
        Some(_) => return Err(CaseDocError::Invalid("materials.pages")),
        None => return Ok(Vec::new()),
    };
    let mut pages = Vec::new();
    for i in 0..doc.length(&list) {
        let p = list_object(doc, &list, i)?;
        let side = |key: &'static str| -> Result<u32> {
            u32::try_from(read_u64(doc, &p, key)?).map_err(|_| CaseDocError::Invalid(key))
        };
        let page = PageRef {
            sha256: read_str(doc, &p, "sha256")?,
            bytes: read_u64(doc, &p, "bytes")?,
            mime: read_str(doc, &p, "mime")?,
            width: side("width")?,
            height: side("height")?,
        };
        page.check()
            .map_err(|_| CaseDocError::Invalid("materials.pages"))?;
        pages.push(page);
    }
    Ok(pages)
}

fn push_event(doc: &mut AutoCommit, event: &CaseEvent) -> Result<()> {
    let events = object(doc, &ROOT, "events")?;
    let at = doc.length(&events);
    let item = doc.insert_object(&events, at, ObjType::Map)?;
    doc.put(&item, "at_ms", event.at_ms)?;
    doc.put(&item, "kind", event.kind.as_str())?;
    doc.put(&item, "by", event.by.as_str())?;
    doc.put(&item, "device", event.device.as_str())?;
    doc.put(&item, "detail", event.detail.as_str())?;
    if let Some(from) = event.from {
        doc.put(&item, "from", from.as_str())?;
    }
    if let Some(to) = event.to {
        doc.put(&item, "to", to.as_str())?;
    }
    if let Some(reason) = &event.reason {
        doc.put(&item, "reason", reason.as_str())?;
    }
    if !event.missing.is_empty() {
        doc.put(&item, "missing", event.missing.join(","))?;
    }
    if let Some(assignee) = &event.assignee {
        doc.put(&item, "assignee", assignee.as_str())?;
    }
    if !event.resolves.is_empty() {
        doc.put(&item, "resolves", event.resolves.join(","))?;
    }
    if let Some(due) = &event.due {
        doc.put(&item, "due", due.as_str())?;
    }
    if let Some(ground) = event.ground {
        doc.put(&item, "ground", ground.as_str())?;
    }
    if let Some(refer_to) = &event.refer_to {
        doc.put(&item, "refer_to", refer_to.as_str())?;
    }
    if let Some(days) = event.days {
        doc.put(&item, "days", u64::from(days))?;
    }
    if let Some(delivery) = &event.delivery {
        doc.put(&item, "delivery_method", delivery.method.as_str())?;
        doc.put(&item, "recipient", delivery.recipient.as_str())?;
        if let Some(tracking) = &delivery.tracking {
            doc.put(&item, "tracking", tracking.as_str())?;
        }
    }
    if let Some(paper) = event.paper {
        doc.put(&item, "paper", paper.as_str())?;
    }
    if let Some(step) = event.step {
        doc.put(&item, "step", step.as_str())?;
    }
    if !event.members.is_empty() {
        // One value, written once with the event: a household as the visit found it.
        let members =
            serde_json::to_string(&event.members).map_err(|_| CaseDocError::Invalid("members"))?;
        doc.put(&item, "members", members)?;
    }
    if let Some(grant) = &event.grant {
        // One value, written once with the event, like a household.
        let grant = serde_json::to_string(grant).map_err(|_| CaseDocError::Invalid("grant"))?;
        doc.put(&item, "grant", grant)?;
    }
    if let Some(rating) = &event.rating {
        let rating = serde_json::to_string(rating).map_err(|_| CaseDocError::Invalid("rating"))?;
        doc.put(&item, "rating", rating)?;
    }
    if let Some(done) = &event.rectification {
        let done =
            serde_json::to_string(done).map_err(|_| CaseDocError::Invalid("rectification"))?;
        doc.put(&item, "rectification", done)?;
    }
    if let Some(p) = &event.publicity {
        doc.put(&item, "publicity_from", p.from.as_str())?;
        doc.put(&item, "household", u64::from(p.household))?;
        doc.put(&item, "monthly_yuan", u64::from(p.monthly_yuan))?;
    }
    if let Some(seal) = &event.seal {
        doc.put(&item, "heads", seal.heads.join(","))?;
        doc.put(&item, "signature", seal.signature.as_str())?;
    }
    if let Some(signature) = &event.person_signature {
        doc.put(&item, "person_signature", signature.as_str())?;
    }
    Ok(())
}

fn commit(doc: &mut AutoCommit, message: &str, at_ms: i64) {
    doc.commit_with(
        CommitOptions::default()
            .with_message(message.to_string())
            .with_time(at_ms / 1000),
    );
}

/// Reads the case back out of its document.
pub fn read(doc: &AutoCommit) -> Result<Case> {
    let schema = read_u64(doc, &ROOT, "schema")?;
    if schema > SCHEMA {
        return Err(CaseDocError::NewerSchema(schema));
    }
    let applicant_obj = object(doc, &ROOT, "applicant")?;
    let id_number = read_str(doc, &applicant_obj, "id_number")?;
    let id = read_id(&read_str(doc, &applicant_obj, "id_kind")?, id_number)?;
    let agent = match doc.get(&applicant_obj, "agent")? {
        Some((Value::Object(ObjType::Map), map)) => Some(Agent {
            name: read_str(doc, &map, "name")?,
            relation: read_str(doc, &map, "relation")?
                .parse()
                .map_err(|_| CaseDocError::Invalid("agent.relation"))?,
            id: read_id(
                &read_str(doc, &map, "id_kind")?,
                read_str(doc, &map, "id_number")?,
            )?,
        }),
        Some(_) => return Err(CaseDocError::Invalid("agent")),
        None => None,
    };
    let phone = read_opt_str(doc, &applicant_obj, "phone")?
        .map(|p| Mobile::parse(&p).map_err(|_| CaseDocError::Invalid("phone")))
        .transpose()?;
    let applicant = Applicant {
        name: read_str(doc, &applicant_obj, "name")?,
        id,
        phone,
        address: read_opt_str(doc, &applicant_obj, "address")?,
        agent,
    };

    let materials_obj = object(doc, &ROOT, "materials")?;
    let mut materials = Vec::new();
    for i in 0..doc.length(&materials_obj) {
        let m = list_object(doc, &materials_obj, i)?;
        let status = match read_str(doc, &m, "status")?.as_str() {
            "received" => MaterialStatus::Received,
            "missing" => MaterialStatus::Missing,
            "deferred" => MaterialStatus::Deferred,
            "committed" => MaterialStatus::Committed,
            "verified" => MaterialStatus::Verified,
            _ => return Err(CaseDocError::Invalid("materials.status")),
        };
        materials.push(MaterialState {
            code: read_str(doc, &m, "code")?,
            name: read_str(doc, &m, "name")?,
            status,
            pages: read_pages(doc, &m, "pages")?,
        });
    }

    let events_obj = object(doc, &ROOT, "events")?;
    let mut events = Vec::new();
    for i in 0..doc.length(&events_obj) {
        let e = list_object(doc, &events_obj, i)?;
        let kind: EventKind =
            serde_json::from_value(serde_json::Value::String(read_str(doc, &e, "kind")?))
                .unwrap_or(EventKind::Other);
        let status = |key: &'static str| -> Result<Option<CaseStatus>> {
            read_opt_str(doc, &e, key)?
                .map(|s| s.parse().map_err(|_| CaseDocError::Invalid(key)))
                .transpose()
        };
        let list = |key: &'static str| -> Result<Vec<String>> {
            Ok(read_opt_str(doc, &e, key)?
                .map(|s| s.split(',').map(str::to_string).collect())
                .unwrap_or_default())
        };
        let seal = match read_opt_str(doc, &e, "signature")? {
            Some(signature) => Some(DecisionSeal {
                heads: list("heads")?,
                signature,
            }),
            None => None,
        };
        events.push(CaseEvent {
            id: e.to_string(),
            at_ms: read_i64(doc, &e, "at_ms")?,
            kind,
            by: read_str(doc, &e, "by")?,
            device: read_str(doc, &e, "device")?,
            detail: read_str(doc, &e, "detail")?,
            from: status("from")?,
            to: status("to")?,
            reason: read_opt_str(doc, &e, "reason")?,
            missing: list("missing")?,
            assignee: read_opt_str(doc, &e, "assignee")?,
            resolves: list("resolves")?,
            due: read_opt_str(doc, &e, "due")?,
            ground: read_opt_str(doc, &e, "ground")?
                .map(|g| g.parse().map_err(|_| CaseDocError::Invalid("ground")))
                .transpose()?,
            refer_to: read_opt_str(doc, &e, "refer_to")?,
            days: read_opt_u64(doc, &e, "days")?
                .map(|d| u16::try_from(d).map_err(|_| CaseDocError::Invalid("days")))
                .transpose()?,
            delivery: match read_opt_str(doc, &e, "delivery_method")? {
                Some(method) => Some(Delivery {
                    method: method
                        .parse()
                        .map_err(|_| CaseDocError::Invalid("delivery_method"))?,
                    recipient: read_str(doc, &e, "recipient")?,
                    tracking: read_opt_str(doc, &e, "tracking")?,
                }),
                None => None,
            },
            paper: read_opt_str(doc, &e, "paper")?
                .map(|p| p.parse().map_err(|_| CaseDocError::Invalid("paper")))
                .transpose()?,
            step: read_opt_str(doc, &e, "step")?
                .map(|s| s.parse().map_err(|_| CaseDocError::Invalid("step")))
                .transpose()?,
            members: match read_opt_str(doc, &e, "members")? {
                Some(text) => {
                    serde_json::from_str(&text).map_err(|_| CaseDocError::Invalid("members"))?
                }
                None => Vec::new(),
            },
            publicity: match read_opt_str(doc, &e, "publicity_from")? {
                Some(from) => Some(Publicity {
                    from,
                    household: u8::try_from(read_u64(doc, &e, "household")?)
                        .map_err(|_| CaseDocError::Invalid("household"))?,
                    monthly_yuan: u32::try_from(read_u64(doc, &e, "monthly_yuan")?)
                        .map_err(|_| CaseDocError::Invalid("monthly_yuan"))?,
                }),
                None => None,
            },
            grant: match read_opt_str(doc, &e, "grant")? {
                Some(text) => {
                    Some(serde_json::from_str(&text).map_err(|_| CaseDocError::Invalid("grant"))?)
                }
                None => None,
            },
            rating: match read_opt_str(doc, &e, "rating")? {
                Some(text) => {
                    Some(serde_json::from_str(&text).map_err(|_| CaseDocError::Invalid("rating"))?)
                }
                None => None,
            },
            rectification: match read_opt_str(doc, &e, "rectification")? {
                Some(text) => Some(
                    serde_json::from_str(&text)
                        .map_err(|_| CaseDocError::Invalid("rectification"))?,
                ),
                None => None,
            },
            seal,
            person_signature: read_opt_str(doc, &e, "person_signature")?,
        });
    }

    let mut case = Case {
        number: CaseNumber::parse(&read_str(doc, &ROOT, "number")?)
            .map_err(|_| CaseDocError::Invalid("number"))?,
        township: TownshipCode::parse(&read_str(doc, &ROOT, "township")?)
            .map_err(|_| CaseDocError::Invalid("township"))?,
        item_code: read_str(doc, &ROOT, "item_code")?,
        item_name: read_str(doc, &ROOT, "item_name")?,
        promised_days: u16::try_from(read_u64(doc, &ROOT, "promised_days")?)
            .map_err(|_| CaseDocError::Invalid("promised_days"))?,
        catalogue_version: read_opt_u64(doc, &ROOT, "catalogue_version")?
            .map_or(Ok(tongban_domain::case::first_catalogue()), u32::try_from)
            .map_err(|_| CaseDocError::Invalid("catalogue_version"))?,
        query_hash: read_opt_str(doc, &ROOT, "query_hash")?,
        applicant,
        materials,
        papers: read_papers(doc)?,
        status: CaseStatus::Registered,
        clerk: read_str(doc, &ROOT, "clerk")?,
        created_at_ms: read_i64(doc, &ROOT, "created_at_ms")?,
        updated_at_ms: read_i64(doc, &ROOT, "updated_at_ms")?,
        events,
        assignee: None,
        conflict: None,
        accepted_at_ms: None,
        materials_due: None,
    };
    case.refold();
    Ok(case)
}

fn material_status(status: MaterialStatus) -> &'static str {
    match status {
        MaterialStatus::Received => "received",
        MaterialStatus::Missing => "missing",
        MaterialStatus::Deferred => "deferred",
        MaterialStatus::Committed => "committed",
        MaterialStatus::Verified => "verified",
    }
}

fn scalar(doc: &AutoCommit, obj: &ObjId, key: &'static str) -> Result<Option<ScalarValue>> {
    match doc.get(obj, key)? {
        Some((Value::Scalar(s), _)) => Ok(Some(s.into_owned())),
        Some(_) => Err(CaseDocError::Invalid(key)),
        None => Ok(None),
    }
}

fn read_opt_str(doc: &AutoCommit, obj: &ObjId, key: &'static str) -> Result<Option<String>> {
    match scalar(doc, obj, key)? {
        Some(ScalarValue::Str(s)) => Ok(Some(s.to_string())),
        Some(_) => Err(CaseDocError::Invalid(key)),
        None => Ok(None),
    }
}

fn read_str(doc: &AutoCommit, obj: &ObjId, key: &'static str) -> Result<String> {
    read_opt_str(doc, obj, key)?.ok_or(CaseDocError::Missing(key))
}

fn read_i64(doc: &AutoCommit, obj: &ObjId, key: &'static str) -> Result<i64> {
    match scalar(doc, obj, key)? {
        Some(ScalarValue::Int(v)) => Ok(v),
        Some(ScalarValue::Uint(v)) => i64::try_from(v).map_err(|_| CaseDocError::Invalid(key)),
        Some(_) => Err(CaseDocError::Invalid(key)),
        None => Err(CaseDocError::Missing(key)),
    }
}

fn read_u64(doc: &AutoCommit, obj: &ObjId, key: &'static str) -> Result<u64> {
    read_opt_u64(doc, obj, key)?.ok_or(CaseDocError::Missing(key))
}

fn read_opt_u64(doc: &AutoCommit, obj: &ObjId, key: &'static str) -> Result<Option<u64>> {
    match scalar(doc, obj, key)? {
        Some(ScalarValue::Uint(v)) => Ok(Some(v)),
        Some(ScalarValue::Int(v)) => u64::try_from(v)
            .map(Some)
            .map_err(|_| CaseDocError::Invalid(key)),
        Some(_) => Err(CaseDocError::Invalid(key)),
        None => Ok(None),
    }
}

fn object(doc: &AutoCommit, obj: &ObjId, key: &'static str) -> Result<ObjId> {
    match doc.get(obj, key)? {
        Some((Value::Object(_), id)) => Ok(id),
        Some(_) => Err(CaseDocError::Invalid(key)),
        None => Err(CaseDocError::Missing(key)),
    }
}

fn list_object(doc: &AutoCommit, list: &ObjId, index: usize) -> Result<ObjId> {
    match doc.get(list, index)? {
        Some((Value::Object(_), id)) => Ok(id),
        _ => Err(CaseDocError::Invalid("list item")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::date;
    use tongban_domain::{CaseField, Catalogue, Desk, Registration};

    pub fn sample_case(seq: u32) -> Case {
        let township = TownshipCode::parse("450721101").unwrap();
        let number = CaseNumber::new(&township, date!(2026 - 11 - 21), 1, seq).unwrap();
        let desk = Desk {
            township: &township,
            clerk: "李明",
            device: "dev-1",
            now_ms: 1_763_700_000_000,
            today: date!(2026 - 11 - 21),
        };
        Registration {
            item: "YL01".into(),
            name: "王秀英".into(),
            id_number: "450721198806152311".into(),
            id_type: Default::default(),
            agent: None,
            phone: Some("13800138000".into()),
            address: Some("檀圩镇檀圩村".into()),
            received: vec!["ID_CARD".into()],
        }
        .into_case(Catalogue::builtin(), number, &desk)
        .unwrap()
    }

    #[test]
    fn round_trips_and_merges_concurrent_field_edits() {
        let case = sample_case(1);
        let mut a = create(&case, "dev-1", &Secret::new([1; 32])).unwrap();
        let mut back = read(&a).unwrap();
        // The registration carries the clerk's signature over what it registered.
        let clerk = person::signing_key(&Secret::new([1; 32])).verifying_key();
        let registered = back.clone();
        for event in &mut back.events {
            assert_eq!(event_actor(event), hex::encode("dev-1"));
            assert!(person::verify_act(
                &clerk,
                case.number.as_str(),
                event,
                &[],
                Some(&registered)
            ));
            let mut altered = registered.clone();
            altered.applicant.name = "别人".into();
            assert!(!person::verify_act(
                &clerk,
                case.number.as_str(),
                event,
                &[],
                Some(&altered)
            ));
            event.id.clear();
            event.person_signature = None;
        }
        assert_eq!(back, case);

        let mut b = AutoCommit::load(&a.save()).unwrap();
        let event = |field: &str| CaseEvent {
            at_ms: case.created_at_ms + 1000,
            kind: EventKind::FieldChanged,
            by: "李明".into(),
            device: "dev".into(),
            detail: field.into(),
            ..CaseEvent::default()
        };
        let phone = FieldEdit::new(CaseField::Phone, "13900139000").unwrap();
        let address = FieldEdit::new(CaseField::Address, "檀圩镇新村").unwrap();
        apply_field_edit(&mut a, &phone, &event("phone"), &Secret::new([1; 32])).unwrap();
        apply_field_edit(&mut b, &address, &event("address"), &Secret::new([1; 32])).unwrap();
        a.merge(&mut b).unwrap();
        b.merge(&mut a).unwrap();
        let merged = read(&a).unwrap();
        assert_eq!(merged, read(&b).unwrap());
        assert_eq!(merged.applicant.phone.unwrap().as_str(), "13900139000");
        assert_eq!(merged.applicant.address.as_deref(), Some("檀圩镇新村"));
        assert_eq!(merged.events.len(), 3);
        assert_eq!(heads_digest(&a.get_heads()), heads_digest(&b.get_heads()));
    }

    #[test]
    fn decisions_are_sealed_and_forgeries_refused() {
        use crate::decision;
        use tongban_sync_test_keys::key;
        let case = sample_case(3);
        let device = "0a0b0c0d0e0f";
        let mut doc = create(&case, device, &Secret::new([1; 32])).unwrap();
        let signing = key(7);
        let public = hex::encode(signing.verifying_key().to_bytes());
        let mut event = CaseEvent {
            at_ms: case.created_at_ms + 1,
            kind: EventKind::Accepted,
            by: "张华".into(),
            device: device.into(),
            from: Some(CaseStatus::Registered),
            to: Some(CaseStatus::Accepted),
            ..CaseEvent::default()
        };
        apply_event(&mut doc, &event, &Secret::new([1; 32])).unwrap();
        event.kind = EventKind::Approved;
        event.from = Some(CaseStatus::Accepted);
        event.to = Some(CaseStatus::Approved);
        event.seal = Some(decision::seal(
            &mut doc,
            case.number.as_str(),
            &event,
            &signing,
        ));
        apply_event(&mut doc, &event, &Secret::new([1; 32])).unwrap();
        let stored = read(&doc).unwrap();
        assert_eq!(stored.status, CaseStatus::Approved);
        let approval = stored.events.last().unwrap().clone();
        assert_eq!(event_actor(&approval), device);
        decision::verify(&mut doc, case.number.as_str(), &approval, &public).unwrap();

        let mut forged = approval.clone();
        forged.to = Some(CaseStatus::Rejected);
        assert!(matches!(
            decision::verify(&mut doc, case.number.as_str(), &forged, &public),
            Err(decision::SealError::BadSignature(_))
        ));
        let other = hex::encode(key(8).verifying_key().to_bytes());
        assert!(decision::verify(&mut doc, case.number.as_str(), &approval, &other).is_err());
        let mut unsealed = approval;
        unsealed.seal = None;
        assert!(matches!(
            decision::verify(&mut doc, case.number.as_str(), &unsealed, &public),
            Err(decision::SealError::Unsealed(_))
        ));
    }

    mod tongban_sync_test_keys {
        pub fn key(seed: u8) -> ed25519_dalek::SigningKey {
            ed25519_dalek::SigningKey::from_bytes(&[seed; 32])
        }
    }

    #[test]
    fn newer_layouts_are_refused() {
        let mut doc = create(&sample_case(2), "dev-1", &Secret::new([1; 32])).unwrap();
        doc.put(ROOT, "schema", SCHEMA + 1).unwrap();
        assert!(matches!(read(&doc), Err(CaseDocError::NewerSchema(2))));
    }
}
