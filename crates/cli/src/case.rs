//! `tongban case`: register, list, show and move cases, attach pages and print documents.

use crate::{now, output, pages, sign_in};
use anyhow::{Result, bail};
use clap::Subcommand;
use std::path::PathBuf;
use tongban_domain::assistance::{Member, Publicity, StepKind};
use tongban_domain::case::AgentForm;
use tongban_domain::rating::Rectification;
use tongban_domain::session::Session;
use tongban_domain::sharing::{GrantTerms, Resource};
use tongban_domain::workflow::RefusalGround;
use tongban_domain::{
    Action, AgentRelation, CaseField, CaseStatus, Delivery, DeliveryMethod, Denied, FieldEdit,
    IdType, Move, PaperKind, Registration, Request,
};
use tongban_store::{CaseFilter, Profile, Store};

#[derive(Subcommand)]
pub(crate) enum CaseCommand {
    /// Register a new case; prints its number.
    Register {
        #[arg(long)]
        item: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        id_number: String,
        /// The applicant's document: resident (default), hmt (港澳台), passport or foreign-pr.
        #[arg(long, default_value = "resident")]
        id_type: IdType,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        address: Option<String>,
        /// Material codes received at the window (repeat or separate with commas).
        #[arg(long, value_delimiter = ',')]
        received: Vec<String>,
        /// Someone applying for the applicant (代办): their name, document, and relation
        /// (guardian, family, committee, entrusted; an entrusted agent's power of attorney is
        /// scanned before acceptance with case attach --paper power_of_attorney).
        #[arg(long, requires_all = ["agent_id_number", "agent_relation"])]
        agent_name: Option<String>,
        #[arg(long, requires = "agent_name")]
        agent_id_number: Option<String>,
        #[arg(long, default_value = "resident")]
        agent_id_type: IdType,
        #[arg(long, requires = "agent_name")]
        agent_relation: Option<AgentRelation>,
        #[arg(long)]
        json: bool,
    },
    List {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        status: Option<CaseStatus>,
        #[arg(long)]
        item: Option<String>,
        /// A case number, an ID number or the start of a name.
        #[arg(long)]
        query: Option<String>,
        /// Registered on this day (YYYY-MM-DD, China Standard Time).
        #[arg(long, value_parser = tongban_store::day_bounds_ms)]
        date: Option<(i64, i64)>,
        #[arg(long)]
        limit: Option<u32>,
    },
    Show {
        number: String,
        #[arg(long)]
        json: bool,
        /// Show the applicant's ID and phone whole (clerks and supervisors; audited).
        #[arg(long)]
        unmask: bool,
    },
    /// Correct an applicant field.
    Set {
        number: String,
        #[arg(long)]
        field: CaseField,
        #[arg(long)]
        value: String,
    },
    /// Correct an accepted case's applicant field (更正, supervisors), with the reason.
    Correct {
        number: String,
        #[arg(long)]
        field: CaseField,
        #[arg(long)]
        value: String,
        #[arg(long)]
        reason: String,
    },
    /// Accept a case; the promised working days start counting.
    Accept(MoveArgs),
    /// Extend the time limit once (延期, supervisors) by --days working days, with --reason.
    Extend(MoveArgs),
    /// Stop the clock (中止, supervisors) for a site check, an assessment or a 公示, with --reason.
    Suspend(MoveArgs),
    /// Restart a suspended case's clock (恢复办理) where it stood.
    Resume(MoveArgs),
    /// End the procedure (终止办理, supervisors), with --reason.
    Terminate(MoveArgs),
    /// Record how the result reached the applicant (送达): --method window|post|electronic, with
    /// --tracking (a letter's number, an electronic address) and --recipient when not the
    /// applicant; at the window, the signed receipt scanned (--receipt FILE).
    Deliver(MoveArgs),
    /// Refuse the application at intake (不予受理) on a ground (--reason-code), with reasons
    /// (--reason) and, for a matter of another organ, that organ (--refer-to).
    RefuseIntake(MoveArgs),
    /// Return for missing materials with the one-time notice (all missing materials by default),
    /// to bring by --due (thirty days on by default).
    Return(MoveArgs),
    /// Record that the missing materials were brought.
    Supplement(MoveArgs),
    /// Hand an accepted case over for review.
    HandOver(MoveArgs),
    /// 告知承诺: the applicant's signed commitment (--request FILE, or attached before with case
    /// attach --paper commitment) stands in for missing materials the catalogue allows it for
    /// (--missing CODES, every such one by default).
    Commit(MoveArgs),
    /// The check of a commitment found it true (supervisors), with what was found (--reason).
    CheckCommitment(MoveArgs),
    /// The check of a commitment found it untrue: the material is missing again and holds the
    /// decision up (supervisors), with what was found (--reason).
    BreakCommitment(MoveArgs),
    /// Record a step of the assistance procedure (低保, 特困) with what was found (--reason):
    /// --step income_check|home_visit|appraisal|objection, or --step publicity with --from DATE
    /// --household N --amount YUAN.
    Step(MoveArgs),
    /// Report an accepted case up to the county organ that decides it (上报, supervisors), with
    /// the township's opinion (--reason).
    Forward(MoveArgs),
    /// Send a reported case back to its township (county officers), with --reason.
    SendBack(MoveArgs),
    Approve(MoveArgs),
    Reject(MoveArgs),
    Complete(MoveArgs),
    /// The applicant withdraws in writing: their signed request scanned (--request FILE, or
    /// attached before with case attach --paper withdrawal_request).
    Withdraw(MoveArgs),
    /// Hand a case to another user (--to).
    Reassign(MoveArgs),
    /// Settle conflicting moves on one of their outcomes (--outcome, --reason).
    Resolve(MoveArgs),
    /// 有条件共享 (supervisors): let a department (--department MZ01) have resources of the case
    /// (--scope package|material:CODE|field:NAME) until a day (--until YYYY-MM-DD) for so many
    /// requests (--uses), with --reason (the applicant's written consent, the law asked under).
    Grant(MoveArgs),
    /// Close a 差评's rectification (supervisors): the follow-up with the applicant
    /// (--follow-up) and what was done (--action).
    Rectify(MoveArgs),
    /// Attach scanned pages (JPEG, PNG, TIFF or PDF) to a material of the case (--material), or
    /// to a signed paper (--paper withdrawal_request|delivery_receipt).
    #[command(group = clap::ArgGroup::new("target").required(true).args(["material", "paper"]))]
    Attach {
        number: String,
        #[arg(long)]
        material: Option<String>,
        #[arg(long)]
        paper: Option<PaperKind>,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Store the pages in greyscale (smaller; for black-and-white paperwork).
        #[arg(long)]
        grey: bool,
    },
    /// List the case's pages; with --export, write the stored pages to a folder.
    Pages {
        number: String,
        #[arg(long)]
        export: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Print a document of the case to PDF: receipt, notice or decision.
    Print {
        number: String,
        #[arg(long)]
        doc: tongban_store::DocKind,
        #[arg(long)]
        out: PathBuf,
    },
}

/// What a move's subcommand takes; each move keeps only its own (see [`Move`]).
#[derive(clap::Args)]
pub(crate) struct MoveArgs {
    number: String,
    /// The reason; for an acceptance under 容缺, the applicant's commitment (`--commitment`).
    #[arg(long, alias = "commitment")]
    reason: Option<String>,
    /// Accept with these missing materials deferred (容缺受理; only those the catalogue allows).
    #[arg(long, value_delimiter = ',')]
    defer: Vec<String>,
    /// The date (YYYY-MM-DD) to bring deferred materials by, or those a notice lists.
    #[arg(long, value_parser = parse_due)]
    due: Option<time::Date>,
    /// Material codes: for a notice, those to bring; for a supplement (--brought), those brought
    /// when not all at once (repeat or separate with commas).
    #[arg(long, alias = "brought", value_delimiter = ',')]
    missing: Vec<String>,
    /// The user a case is reassigned to.
    #[arg(long)]
    to: Option<String>,
    /// Working days an extension adds (1 to 10).
    #[arg(long)]
    days: Option<u16>,
    /// A refusal at intake's ground: not_required, out_of_scope or not_eligible.
    #[arg(long = "reason-code")]
    reason_code: Option<RefusalGround>,
    /// The organ a refused applicant should turn to (required with out_of_scope).
    #[arg(long)]
    refer_to: Option<String>,
    /// How a result was delivered: window, post or electronic.
    #[arg(long)]
    method: Option<DeliveryMethod>,
    /// A posted result's tracking number, or the address an electronic one went to.
    #[arg(long)]
    tracking: Option<String>,
    /// Who received the result, when not the applicant.
    #[arg(long)]
    recipient: Option<String>,
    /// A step of the assistance procedure: income_check, home_visit, appraisal, publicity or
    /// objection.
    #[arg(long)]
    step: Option<StepKind>,
    /// A 公示's first day (YYYY-MM-DD), the household's size and the monthly amount (yuan).
    #[arg(long)]
    from: Option<String>,
    #[arg(long)]
    household: Option<u8>,
    #[arg(long)]
    amount: Option<u32>,
    /// A household member the home visit found, as NAME:RELATION (repeat for each).
    #[arg(long = "member", value_parser = parse_member)]
    members: Vec<Member>,
    /// A withdrawal's scanned written request, or a delivery's signed receipt (送达回证),
    /// attached before the move.
    #[arg(long, alias = "receipt")]
    request: Option<PathBuf>,
    /// The outcome a resolution settles on: approve, reject, or a status such as accepted.
    #[arg(long, value_parser = parse_outcome)]
    outcome: Option<CaseStatus>,
    /// A grant's department code, resources, last day (YYYY-MM-DD) and uses.
    #[arg(long)]
    department: Option<String>,
    #[arg(long, value_delimiter = ',', value_parser = parse_resource)]
    scope: Vec<Resource>,
    #[arg(long)]
    until: Option<String>,
    #[arg(long)]
    uses: Option<u32>,
    /// A rectification's follow-up with the applicant (回访) and what was done (整改措施).
    #[arg(long)]
    follow_up: Option<String>,
    #[arg(long)]
    action: Option<String>,
    #[arg(long)]
    json: bool,
}

pub(crate) fn case(profile: &Profile, user: Option<&str>, command: CaseCommand) -> Result<()> {
    let (mut store, session) = sign_in(profile, user)?;
    let store = &mut store;
    match command {
        CaseCommand::Register {
            item,
            name,
            id_number,
            id_type,
            phone,
            address,
            received,
            agent_name,
            agent_id_number,
            agent_id_type,
            agent_relation,
            json,
        } => {
            let agent = agent_name.map(|name| AgentForm {
                name,
                id_type: agent_id_type,
                id_number: agent_id_number.unwrap_or_default(),
                relation: agent_relation,
            });
            let registration = Registration {
                item,
                name,
                id_number,
                id_type,
                agent,
                phone,
                address,
                received: received
                    .into_iter()
                    .map(|c| c.trim().to_ascii_uppercase())
                    .collect(),
            };
            let case = store.register(registration, &session, now())?;
            if json {
                println!("{}", serde_json::to_string(&case)?);
            } else {
                println!("{}", case.number);
            }
        }
        CaseCommand::List {
            json,
            status,
            item,
            query,
            date,
            limit,
        } => {
            let filter = CaseFilter {
                status,
                item,
                query,
                created_from_ms: date.map(|(from, _)| from),
                created_before_ms: date.map(|(_, before)| before),
                today: Some(now().date()),
                limit,
                ..CaseFilter::default()
            };
            let found = store.search(&session, filter, now())?;
            output::case_list(&found.cases, json)?;
        }
        CaseCommand::Show {
            number,
            json,
            unmask,
        } => {
            let case = store.view(&session, number.trim(), now())?;
            if unmask {
                store.unmask(&session, number.trim(), now())?;
            }
            output::case(store, &case, now().date(), json, unmask)?;
        }
        CaseCommand::Set {
            number,
            field,
            value,
        } => {
            let edit = FieldEdit::new(field, &value)?;
            store.set_field(number.trim(), &edit, &session, now())?;
            println!("{} {}", number.trim(), field.as_str());
        }
        CaseCommand::Correct {
            number,
            field,
            value,
            reason,
        } => {
            let edit = FieldEdit::new(field, &value)?;
            store.correct_field(number.trim(), &edit, &reason, &session, now())?;
            println!("{} {} corrected / 已更正", number.trim(), field.as_str());
        }
        CaseCommand::Accept(m) => moved(store, &session, Action::Accept, &m)?,
        CaseCommand::Extend(m) => moved(store, &session, Action::Extend, &m)?,
        CaseCommand::Grant(m) => {
            if m.department.is_none() {
                bail!(Denied::GrantTerms);
            }
            moved(store, &session, Action::Grant, &m)?
        }
        CaseCommand::Rectify(m) => moved(store, &session, Action::Rectify, &m)?,
        CaseCommand::Suspend(m) => moved(store, &session, Action::Suspend, &m)?,
        CaseCommand::Resume(m) => moved(store, &session, Action::Resume, &m)?,
        CaseCommand::Terminate(m) => moved(store, &session, Action::Terminate, &m)?,
        CaseCommand::Deliver(m) => {
            if m.method.is_none() {
                bail!(Denied::MethodRequired);
            }
            signed_paper(store, &session, &m, PaperKind::DeliveryReceipt)?;
            moved(store, &session, Action::Deliver, &m)?
        }
        CaseCommand::RefuseIntake(m) => moved(store, &session, Action::RefuseIntake, &m)?,
        CaseCommand::Return(m) => moved(store, &session, Action::Return, &m)?,
        CaseCommand::Supplement(m) => moved(store, &session, Action::Supplement, &m)?,
        CaseCommand::HandOver(m) => moved(store, &session, Action::HandOver, &m)?,
        CaseCommand::Forward(m) => moved(store, &session, Action::Forward, &m)?,
        CaseCommand::Step(m) => moved(store, &session, Action::RecordStep, &m)?,
        CaseCommand::SendBack(m) => moved(store, &session, Action::SendBack, &m)?,
        CaseCommand::Approve(m) => moved(store, &session, Action::Approve, &m)?,
        CaseCommand::Reject(m) => moved(store, &session, Action::Reject, &m)?,
        CaseCommand::Complete(m) => moved(store, &session, Action::Complete, &m)?,
        CaseCommand::Withdraw(m) => {
            signed_paper(store, &session, &m, PaperKind::WithdrawalRequest)?;
            moved(store, &session, Action::Withdraw, &m)?
        }
        CaseCommand::Commit(m) => {
            signed_paper(store, &session, &m, PaperKind::Commitment)?;
            moved(store, &session, Action::Commit, &m)?
        }
        CaseCommand::CheckCommitment(m) => moved(store, &session, Action::CheckCommitment, &m)?,
        CaseCommand::BreakCommitment(m) => moved(store, &session, Action::BreakCommitment, &m)?,
        CaseCommand::Reassign(m) => moved(store, &session, Action::Reassign, &m)?,
        CaseCommand::Resolve(m) => moved(store, &session, Action::Resolve, &m)?,
        CaseCommand::Attach {
            number,
            material,
            paper,
            files,
            grey,
        } => {
            let target = match (material, paper) {
                (_, Some(kind)) => pages::Target::Paper(kind),
                (Some(code), None) => pages::Target::Material(code),
                (None, None) => bail!("name --material or --paper / 请指定 --material 或 --paper"),
            };
            pages::attach(store, &session, number.trim(), &target, &files, grey, now())?
        }
        CaseCommand::Pages {
            number,
            export,
            json,
        } => pages::pages(
            store,
            &session,
            number.trim(),
            export.as_deref(),
            json,
            now(),
        )?,
        CaseCommand::Print { number, doc, out } => {
            pages::print(store, &session, number.trim(), doc, &out, now())?
        }
    }
    Ok(())
}

fn parse_outcome(text: &str) -> Result<CaseStatus, String> {
    match text.trim() {
        "approve" => Ok(CaseStatus::Approved),
        "reject" => Ok(CaseStatus::Rejected),
        other => other.parse(),
    }
}

fn parse_member(text: &str) -> Result<Member, String> {
    Member::parse(text).map_err(|e| e.to_string())
}

fn parse_due(text: &str) -> Result<time::Date, String> {
    tongban_domain::calendar::parse_date(text.trim()).ok_or_else(|| {
        format!("{text:?} is not a date (YYYY-MM-DD) / “{text}”不是有效日期（年-月-日）")
    })
}

/// Attaches the scanned paper a move rests on, when the command names one.
fn signed_paper(store: &mut Store, session: &Session, m: &MoveArgs, kind: PaperKind) -> Result<()> {
    if let Some(file) = &m.request {
        let target = pages::Target::Paper(kind);
        pages::attach(
            store,
            session,
            m.number.trim(),
            &target,
            std::slice::from_ref(file),
            true,
            now(),
        )?;
    }
    Ok(())
}

impl MoveArgs {
    /// What was asked on the command line; the move keeps only its own part of it.
    fn request(&self) -> Request {
        Request {
            reason: self.reason.clone(),
            missing: self.missing.clone(),
            assignee: self.to.clone(),
            outcome: self.outcome,
            deferred: self.defer.clone(),
            due: self.due,
            ground: self.reason_code,
            refer_to: self.refer_to.clone(),
            days: self.days,
            delivery: self.method.map(|method| Delivery {
                method,
                recipient: self.recipient.clone().unwrap_or_default(),
                tracking: self.tracking.clone(),
            }),
            step: self.step,
            members: self.members.clone(),
            // Whatever of a 公示 is given goes to the rules, which name what is missing.
            publicity: (self.from.is_some() || self.household.is_some() || self.amount.is_some())
                .then(|| Publicity {
                    from: self.from.clone().unwrap_or_default(),
                    household: self.household.unwrap_or(0),
                    monthly_yuan: self.amount.unwrap_or(0),
                }),
            // Whatever of a grant is given goes to the rules, which say what does not hold.
            grant: self.department.as_ref().map(|department| GrantTerms {
                department: department.trim().to_owned(),
                resources: self.scope.clone(),
                until: self.until.clone().unwrap_or_default(),
                uses: self.uses.unwrap_or(0),
            }),
            // Both parts always go to the rules, which say what is missing.
            rectification: (self.follow_up.is_some() || self.action.is_some()).then(|| {
                Rectification {
                    follow_up: self.follow_up.clone().unwrap_or_default(),
                    action: self.action.clone().unwrap_or_default(),
                }
            }),
        }
    }
}

/// Takes `action` with what the command line gave for it.
fn moved(store: &mut Store, session: &Session, action: Action, m: &MoveArgs) -> Result<()> {
    let Some(the_move) = Move::new(action, m.request()) else {
        bail!(
            "{action} is not a move on a case / {}不是办件流转",
            action.label_zh()
        );
    };
    take(store, session, m, the_move)
}

fn take(store: &mut Store, session: &Session, m: &MoveArgs, the_move: Move) -> Result<()> {
    let case = store.act(session, m.number.trim(), &the_move, now())?;
    if m.json {
        output::case(store, &case, now().date(), true, false)?;
    } else {
        println!(
            "{} {} / {}",
            case.number,
            case.status.as_str(),
            case.status.label_zh()
        );
    }
    Ok(())
}

fn parse_resource(text: &str) -> Result<Resource, String> {
    Resource::parse(text.trim()).map_err(|e| e.to_string())
}
