//! Three to five replicas of one case, random edits and workflow moves, and a network that
//! drops, duplicates, reorders, truncates and replays sync messages: once everybody has talked
//! to everybody, all hold the same document (same heads) and agree on its status and any
//! conflict. `TONGBAN_CONVERGENCE_CASES` sets the number of runs (64 by default; the full run
//! uses 10,000).

use crate::case_doc::{self, tests::sample_case};
use crate::peer;
use automerge::AutoCommit;
use automerge::sync::State;
use proptest::prelude::*;
use tongban_domain::workflow::{self, Rules};
use tongban_domain::{
    Action, CaseEvent, CaseField, EventKind, FieldEdit, Request, Role, Secret, WorkCalendar,
};

/// What the network does to the oldest message in flight on a link.
#[derive(Debug, Clone, Copy)]
enum Fault {
    None,
    Drop,
    Duplicate,
    /// Delivers the newest message first.
    Reorder,
    Truncate,
    /// Delivers again a message this link carried before.
    Replay,
}

#[derive(Debug, Clone)]
enum Step {
    Edit {
        replica: usize,
        field: CaseField,
        value: u32,
    },
    Move {
        replica: usize,
        action: Action,
    },
    /// A replica puts its next message to a peer on the wire.
    Send {
        from: usize,
        to: usize,
    },
    Deliver {
        from: usize,
        to: usize,
        fault: Fault,
    },
}

const MAX_REPLICAS: usize = 5;

fn step() -> impl Strategy<Value = Step> {
    let replica = 0usize..MAX_REPLICAS;
    let link = (0usize..MAX_REPLICAS, 0usize..MAX_REPLICAS);
    prop_oneof![
        1 => (
            replica.clone(),
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
        1 => (
            replica,
            prop_oneof![
                Just(Action::Accept),
                Just(Action::Approve),
                Just(Action::Reject),
                Just(Action::Withdraw),
                Just(Action::Resolve),
            ]
        )
            .prop_map(|(replica, action)| Step::Move { replica, action }),
        3 => link.clone().prop_map(|(from, to)| Step::Send { from, to }),
        3 => (
            link,
            prop_oneof![
                6 => Just(Fault::None),
                1 => Just(Fault::Drop),
                1 => Just(Fault::Duplicate),
                1 => Just(Fault::Reorder),
                1 => Just(Fault::Truncate),
                1 => Just(Fault::Replay),
            ]
        )
            .prop_map(|((from, to), fault)| Step::Deliver { from, to, fault }),
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
    case_doc::apply_field_edit(
        doc,
        &FieldEdit::new(field, &text).unwrap(),
        &event,
        &Secret::new([1; 32]),
    )
    .unwrap();
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
        item: None,
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
    case_doc::apply_event(doc, &event, &Secret::new([1; 32])).unwrap();
}

/// Replicas, their sync states with each peer, and the messages on each link.
struct Network {
    docs: Vec<AutoCommit>,
    states: Vec<Vec<State>>,
    in_flight: Vec<Vec<Vec<Vec<u8>>>>,
    carried: Vec<Vec<Vec<Vec<u8>>>>,
}

impl Network {
    fn new(replicas: usize) -> Self {
        let bytes = case_doc::create(&sample_case(1), "dev-1", &Secret::new([1; 32]))
            .unwrap()
            .save();
        let grid = || (0..replicas).map(|_| Vec::new()).collect::<Vec<_>>();
        Self {
            docs: (0..replicas)
                .map(|_| AutoCommit::load(&bytes).unwrap())
                .collect(),
            states: (0..replicas)
                .map(|_| (0..replicas).map(|_| State::new()).collect())
                .collect(),
            in_flight: (0..replicas).map(|_| grid()).collect(),
            carried: (0..replicas).map(|_| grid()).collect(),
        }
    }

    fn send(&mut self, from: usize, to: usize) {
        if let Some(message) = peer::generate(&mut self.docs[from], &mut self.states[from][to]) {
            self.in_flight[from][to].push(message);
        }
    }

    /// A message that never arrives: the sender starts the conversation again from the durable
    /// part of its state, as desks do after a failed round trip (presuming the peer holds what
    /// both held then).
    fn lost(&mut self, from: usize, to: usize) {
        self.states[from][to] = peer::resume(Some(&peer::persistable(&self.states[from][to])));
    }

    fn receive(&mut self, from: usize, to: usize, message: &[u8]) -> Result<(), TestCaseError> {
        peer::receive(&mut self.docs[to], &mut self.states[to][from], message)
            .map_err(|e| TestCaseError::fail(format!("{from}->{to}: {e}")))?;
        self.carried[from][to].push(message.to_vec());
        Ok(())
    }

    fn deliver(&mut self, from: usize, to: usize, fault: Fault) -> Result<(), TestCaseError> {
        let queue = &mut self.in_flight[from][to];
        if queue.is_empty() {
            return Ok(());
        }
        let message = match fault {
            Fault::Reorder => queue.pop().unwrap_or_default(),
            _ => queue.remove(0),
        };
        match fault {
            Fault::None | Fault::Reorder => self.receive(from, to, &message),
            Fault::Drop => {
                self.lost(from, to);
                Ok(())
            }
            Fault::Duplicate => {
                self.receive(from, to, &message)?;
                self.receive(from, to, &message)
            }
            Fault::Truncate => {
                let heads = self.docs[to].get_heads();
                let cut = &message[..message.len() / 2];
                // A cut message is refused whole, or (when the cut falls on a boundary) read
                // as far as it goes; either way nothing half-applied stays.
                if peer::receive(&mut self.docs[to], &mut self.states[to][from], cut).is_err() {
                    prop_assert_eq!(self.docs[to].get_heads(), heads);
                }
                self.lost(from, to);
                Ok(())
            }
            Fault::Replay => {
                self.receive(from, to, &message)?;
                let old = self.carried[from][to].first().cloned().unwrap_or_default();
                if old.is_empty() {
                    Ok(())
                } else {
                    self.receive(from, to, &old)
                }
            }
        }
    }

    /// Everybody talks to everybody over a clean link until nothing is left to say.
    fn settle(&mut self) -> Result<(), TestCaseError> {
        let n = self.docs.len();
        for from in 0..n {
            for to in 0..n {
                // What is still on the wire is lost when the link comes back.
                if !self.in_flight[from][to].is_empty() {
                    self.in_flight[from][to].clear();
                    self.lost(from, to);
                }
            }
        }
        for round in 0.. {
            prop_assert!(round < 60, "sync did not settle");
            let mut any = false;
            for from in 0..n {
                for to in 0..n {
                    if from == to {
                        continue;
                    }
                    // `next` leaves out what the peer has confirmed, as desks do.
                    if let Some(message) =
                        peer::next(&mut self.docs[from], &mut self.states[from][to])
                    {
                        any = true;
                        self.receive(from, to, &message)?;
                    }
                }
            }
            if !any {
                break;
            }
        }
        Ok(())
    }
}

fn cases() -> u32 {
    std::env::var("TONGBAN_CONVERGENCE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]
    #[test]
    fn replicas_converge_through_a_faulty_network(
        replicas in 3usize..=MAX_REPLICAS,
        steps in proptest::collection::vec(step(), 1..80),
    ) {
        let mut net = Network::new(replicas);
        for step in steps {
            match step {
                Step::Edit { replica, field, value } => {
                    edit(&mut net.docs[replica % replicas], field, value, replica % replicas);
                }
                Step::Move { replica, action } => {
                    decide(&mut net.docs[replica % replicas], action, replica % replicas);
                }
                Step::Send { from, to } => {
                    let (from, to) = (from % replicas, to % replicas);
                    if from != to {
                        net.send(from, to);
                    }
                }
                Step::Deliver { from, to, fault } => {
                    let (from, to) = (from % replicas, to % replicas);
                    if from != to {
                        net.deliver(from, to, fault)?;
                    }
                }
            }
        }
        net.settle()?;
        let first = case_doc::read(&net.docs[0]).unwrap();
        let digest = case_doc::heads_digest(&net.docs[0].get_heads());
        for doc in net.docs.iter_mut().skip(1) {
            prop_assert_eq!(&case_doc::read(doc).unwrap(), &first);
            prop_assert_eq!(case_doc::heads_digest(&doc.get_heads()), digest.clone());
        }
    }
}
