//! Three replicas of one case, random edits and workflow moves, random (and sometimes lost) sync
//! messages: once everybody has talked to everybody, all hold the same document and agree on its
//! status and any conflict.

use crate::case_doc::{self, tests::sample_case};
use crate::peer;
use automerge::AutoCommit;
use automerge::sync::State;
use proptest::prelude::*;
use tongban_domain::workflow::{self, Rules};
use tongban_domain::{
    Action, CaseEvent, CaseField, EventKind, FieldEdit, Request, Role, WorkCalendar,
};

#[derive(Debug, Clone)]
enum Step {
    Edit {
        replica: usize,
        field: CaseField,
        value: u32,
    },
    Send {
        from: usize,
        to: usize,
        lose: bool,
    },
    Move {
        replica: usize,
        action: Action,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (
            0usize..3,
            prop_oneof![
                Just(CaseField::Phone),
                Just(CaseField::Address),
                Just(CaseField::Name)
            ],
            0u32..1000
        )
            .prop_map(|(replica, field, value)| Step::Edit {
                replica,
                field,
                value
            }),
        (
            0usize..3,
            prop_oneof![
                Just(Action::Accept),
                Just(Action::Approve),
                Just(Action::Reject),
                Just(Action::Withdraw),
                Just(Action::Resolve),
            ]
        )
            .prop_map(|(replica, action)| Step::Move { replica, action }),
        (0usize..3, 0usize..3, proptest::bool::weighted(0.2))
            .prop_filter("distinct peers", |(a, b, _)| a != b)
            .prop_map(|(from, to, lose)| Step::Send { from, to, lose }),
    ]
}

fn edit(doc: &mut AutoCommit, field: CaseField, value: u32, replica: usize) {
    let text = match field {
        CaseField::Phone => format!("13{value:09}"),
        CaseField::Address => format!("檀圩镇{value}号"),
        CaseField::Name => format!("申请人{value}"),
    };
    let event = CaseEvent {
        at_ms: 1_763_700_000_000 + i64::from(value),
        kind: EventKind::FieldChanged,
        by: format!("clerk{replica}"),
        device: format!("dev{replica}"),
        detail: field.as_str().into(),
        ..CaseEvent::default()
    };
    case_doc::apply_field_edit(doc, &FieldEdit::new(field, &text).unwrap(), &event).unwrap();
}

/// A supervisor on `replica` takes `action` if the rules allow it there and then.
fn decide(doc: &mut AutoCommit, action: Action, replica: usize) {
    let case = case_doc::read(doc).unwrap();
    let request = Request {
        reason: Some("理由".into()),
        // A resolution settles on the last of the conflicting outcomes.
        outcome: case
            .conflict
            .as_ref()
            .and_then(|c| c.options.last())
            .map(|o| o.outcome),
        ..Request::default()
    };
    let rules = Rules {
        levels: 1,
        today: time::macros::date!(2026 - 11 - 21),
        calendar: WorkCalendar::builtin(),
    };
    let user = format!("supervisor{replica}");
    let Ok(planned) = workflow::plan(&case, &user, Role::Supervisor, action, &request, &rules)
    else {
        return;
    };
    let event = CaseEvent {
        at_ms: case.updated_at_ms + 1,
        kind: planned.kind,
        by: user,
        device: format!("dev{replica}"),
        from: planned.from,
        to: planned.to,
        reason: planned.reason,
        resolves: planned.resolves,
        ..CaseEvent::default()
    };
    case_doc::apply_event(doc, &event).unwrap();
}

/// Delivers one message; a lost message resets the sender's in-flight state, as desks do after
/// a failed round trip.
fn send(
    docs: &mut [AutoCommit],
    states: &mut [[State; 3]; 3],
    from: usize,
    to: usize,
    lose: bool,
) -> bool {
    let Some(message) = peer::generate(&mut docs[from], &mut states[from][to]) else {
        return false;
    };
    if lose {
        states[from][to] = peer::restore(Some(&peer::persistable(&states[from][to])));
        return true;
    }
    peer::receive(&mut docs[to], &mut states[to][from], &message).unwrap();
    true
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn three_replicas_converge(steps in proptest::collection::vec(step(), 1..60)) {
        let mut origin = case_doc::create(&sample_case(1), "dev-1").unwrap();
        let bytes = origin.save();
        let mut docs: Vec<AutoCommit> = (0..3).map(|_| AutoCommit::load(&bytes).unwrap()).collect();
        let mut states: [[State; 3]; 3] = Default::default();
        for step in steps {
            match step {
                Step::Edit { replica, field, value } => edit(&mut docs[replica], field, value, replica),
                Step::Send { from, to, lose } => { send(&mut docs, &mut states, from, to, lose); }
                Step::Move { replica, action } => decide(&mut docs[replica], action, replica),
            }
        }
        let mut rounds = 0;
        loop {
            let mut any = false;
            for from in 0..3 {
                for to in 0..3 {
                    if from != to {
                        any |= send(&mut docs, &mut states, from, to, false);
                    }
                }
            }
            rounds += 1;
            prop_assert!(rounds < 50, "sync did not settle");
            if !any { break; }
        }
        let first = case_doc::read(&docs[0]).unwrap();
        let digest = case_doc::heads_digest(&docs[0].get_heads());
        for doc in docs.iter_mut().skip(1) {
            prop_assert_eq!(&case_doc::read(doc).unwrap(), &first);
            prop_assert_eq!(case_doc::heads_digest(&doc.get_heads()), digest.clone());
        }
    }
}
