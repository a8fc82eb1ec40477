//! The power goes at any moment: `tongban` is killed with SIGKILL at random points while it
//! registers, edits, moves and decides cases and while a sync applies what the hub sends. After
//! every kill the database passes SQLite's and SQLCipher's integrity checks, and every change a
//! command acknowledged (it exited 0) is there, as it was read back right after.
//!
//! `TONGBAN_CRASH_POINTS` sets how many kills (the test command uses a few dozen; the full run
//! 1,000), `TONGBAN_CRASH_SEED` replays a run.
#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP, registration_args, text};

/// A small deterministic generator (xorshift64*), so a failing seed replays the same kills.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// How a command ended: acknowledged with its output and how long it took, refused, or killed
/// first.
enum Ending {
    Acknowledged(String, Duration),
    Refused(String),
    Killed,
}

/// Runs `args` on `desk` as `user`, killing it with SIGKILL after `after` unless it ends first.
fn run_killed(desk: &Desk, user: &str, args: &[&str], after: Duration) -> Ending {
    let mut child = desk
        .command(Some(user), args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let took = started.elapsed();
            let output = child.wait_with_output().unwrap();
            return if status.success() {
                Ending::Acknowledged(text(&output.stdout).trim().to_string(), took)
            } else {
                Ending::Refused(text(&output.stderr))
            };
        }
        if started.elapsed() >= after {
            child.kill().unwrap();
            child.wait().unwrap();
            return Ending::Killed;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// The part of a case only this desk changes in the harness: the clerk's applicant fields, the
/// supervisor's status. The other desk's changes arrive by sync and may change the rest.
#[derive(Clone, Copy)]
enum Part {
    Applicant,
    Status,
}

/// What a desk acknowledged: a case number and its part as read back right after, or `None`
/// when a later command on it was killed and may or may not have landed.
struct Acknowledged {
    part: Part,
    cases: BTreeMap<String, Option<serde_json::Value>>,
}

impl Acknowledged {
    fn new(part: Part) -> Self {
        Self {
            part,
            cases: BTreeMap::new(),
        }
    }

    fn read_back(&mut self, desk: &Desk, number: &str) {
        let value = self.part_of(desk, number);
        self.cases.insert(number.to_string(), Some(value));
    }

    fn part_of(&self, desk: &Desk, number: &str) -> serde_json::Value {
        let case = desk.show_whole(number);
        match self.part {
            Part::Applicant => case["applicant"].clone(),
            Part::Status => case["status"].clone(),
        }
    }

    fn pick(&self, dice: &mut Dice) -> String {
        let i = dice.below(self.cases.len() as u64) as usize;
        self.cases.keys().nth(i).unwrap().clone()
    }

    /// The database checks pass, every acknowledged case is listed, and `sample` of them (all
    /// when `None`) read back as acknowledged.
    fn assert_intact(&self, desk: &Desk, sample: Option<(&mut Dice, usize)>, after: &str) {
        assert_eq!(
            desk.ok(&["check"]),
            "ok",
            "{after}: the database check failed"
        );
        let listed = numbers(desk);
        for number in self.cases.keys() {
            assert!(
                listed.contains(number),
                "{after}: acknowledged case {number} is gone"
            );
        }
        let sampled: Vec<String> = match sample {
            None => self.cases.keys().cloned().collect(),
            Some((dice, n)) => (0..n).map(|_| self.pick(dice)).collect(),
        };
        for number in &sampled {
            if let Some(Some(expected)) = self.cases.get(number) {
                assert_eq!(
                    &self.part_of(desk, number),
                    expected,
                    "{after}: {number} changed"
                );
            }
        }
    }
}

#[test]
fn killed_at_random_points_a_desk_loses_nothing_it_acknowledged() {
    let points: usize = std::env::var("TONGBAN_CRASH_POINTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let seed = std::env::var("TONGBAN_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).unwrap();
            u64::from_le_bytes(bytes) | 1
        });
    eprintln!("crash harness: {points} kills, TONGBAN_CRASH_SEED={seed}");
    let mut dice = Dice(seed);

    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let mut clerk_cases = Acknowledged::new(Part::Applicant);
    let mut supervisor_cases = Acknowledged::new(Part::Status);

    let register = registration_args("覃秀梅", "450721198806152311", "13812345678");
    let first = clerk.ok(&register);
    clerk_cases.read_back(&clerk, &first);
    clerk.sync();
    supervisor.sync();
    supervisor_cases.read_back(&supervisor, &first);
    // How long each kind of command takes when left alone (the slowest of three runs, then as
    // last seen) sets where its kill falls: from a third of the way in to past its end, so most
    // kills land while it writes rather than while it starts and signs in, and some runs finish.
    let timed = |desk: &Desk, user: &str, args: &[&str]| {
        (0..3)
            .map(|_| {
                let started = Instant::now();
                let output = desk.command(Some(user), args).output().unwrap();
                assert!(output.status.success(), "{}", text(&output.stderr));
                started.elapsed()
            })
            .max()
            .unwrap()
    };
    let edit = [
        "case",
        "set",
        &first,
        "--field",
        "phone",
        "--value",
        "13900000000",
    ];
    let mut typical = [
        timed(&clerk, "李明", &register),
        timed(&clerk, "李明", &edit),
        timed(&supervisor, "张华", &["case", "show", &first]),
        timed(&supervisor, "张华", &["sync", "--json"]),
        timed(&supervisor, "张华", &["sync", "--json"]),
    ];
    for number in numbers(&clerk) {
        clerk_cases.read_back(&clerk, &number);
    }
    eprintln!("left alone: {typical:?}");

    let mut kills = 0;
    let mut round = 0;
    // Per kind of command: killed, acknowledged, refused.
    let mut tally = [[0u32; 3]; 5];
    while kills < points {
        round += 1;
        let kind = dice.below(5);
        let span = typical[kind as usize].as_micros() as u64;
        let after = Duration::from_micros(span / 3 + dice.below(span));
        let on_clerk = kind < 2;
        let (desk, user) = if on_clerk {
            (&clerk, "李明")
        } else {
            (&supervisor, "张华")
        };
        let args: Vec<String> = match kind {
            0 => to_strings(&register),
            1 => {
                let number = clerk_cases.pick(&mut dice);
                let phone = format!("139{:08}", dice.below(100_000_000));
                to_strings(&[
                    "case", "set", &number, "--field", "phone", "--value", &phone,
                ])
            }
            2 => {
                let number = supervisor_cases.pick(&mut dice);
                match dice.below(3) {
                    0 => to_strings(&["case", "accept", &number]),
                    1 => to_strings(&["case", "approve", &number]),
                    _ => to_strings(&[
                        "case",
                        "reject",
                        &number,
                        "--reason",
                        "材料不全，不符合条件",
                    ]),
                }
            }
            // Sync-apply: the supervisor's desk receives the clerk's cases and changes.
            _ => {
                if kind == 3 {
                    clerk.sync();
                }
                to_strings(&["sync", "--json"])
            }
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let cases = if on_clerk {
            &mut clerk_cases
        } else {
            &mut supervisor_cases
        };
        let touched = (args[0] == "case" && args[1] != "register").then(|| args[2].to_string());
        match run_killed(desk, user, &args, after) {
            Ending::Acknowledged(out, took) => {
                tally[kind as usize][1] += 1;
                // Commands slow down as cases accumulate; the kill range follows.
                typical[kind as usize] = took;
                if args[1] == "register" {
                    cases.read_back(desk, &out);
                } else if let Some(number) = &touched {
                    cases.read_back(desk, number);
                }
            }
            // Only a decision may be refused: the case is not in a state that allows it.
            Ending::Refused(why) => {
                tally[kind as usize][2] += 1;
                assert_eq!(kind, 2, "{args:?} failed on its own: {why}");
            }
            Ending::Killed => {
                tally[kind as usize][0] += 1;
                typical[kind as usize] = typical[kind as usize].max(after);
                kills += 1;
                if let Some(number) = touched {
                    cases.cases.insert(number, None);
                }
                let after = format!("kill {kills} (round {round}, {args:?} after {after:?})");
                cases.assert_intact(desk, Some((&mut dice, 3)), &after);
            }
        }
        // A case the supervisor's desk received is one it must keep.
        if args[0] == "sync" {
            for number in numbers(&supervisor) {
                supervisor_cases.cases.entry(number).or_insert(None);
            }
        }
    }
    for (name, [killed, acknowledged, refused]) in
        ["register", "edit", "decide", "sync after clerk", "sync"]
            .iter()
            .zip(tally)
    {
        eprintln!("{name}: {killed} killed, {acknowledged} acknowledged, {refused} refused");
    }
    clerk_cases.assert_intact(&clerk, None, "the end");
    supervisor_cases.assert_intact(&supervisor, None, "the end");
    // Both still sync and their trails still verify.
    clerk.sync();
    supervisor.sync();
    assert!(clerk.ok(&["audit", "verify"]).contains("consistent"));
    assert!(supervisor.ok(&["audit", "verify"]).contains("consistent"));
}

/// The numbers of every case the desk holds.
fn numbers(desk: &Desk) -> Vec<String> {
    desk.list()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_string())
        .collect()
}

fn to_strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}
