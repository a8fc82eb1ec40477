//! A golden fixture: a few hundred cases of thirteen kinds with outcomes worked out by hand on
//! the 2026 calendar (November 2026: Monday the 2nd to Monday the 30th, no holiday), and the
//! figures they must give; and a property: however the facts travel and in whatever order they
//! come, the figures are the same.

use super::*;
use crate::calendar::date_text;
use proptest::prelude::*;
use time::macros::date;

/// 09:00 China time on `day`.
fn at(day: Date) -> i64 {
    let midnight = day.midnight().assume_utc().unix_timestamp() * 1000;
    midnight + 3_600_000
}

fn event(kind: EventKind, day: Date, to: Option<CaseStatus>) -> CaseEvent {
    CaseEvent {
        id: format!("{}-{}", kind.as_str(), date_text(day)),
        at_ms: at(day),
        kind,
        by: "张华".into(),
        to,
        ..CaseEvent::default()
    }
}

/// One kind of case: what happens to it, and on which days.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// Accepted and approved on the day received: 即办件.
    OnTheSpot,
    /// Approved four working days after acceptance (promise: 5).
    OnTime,
    /// Approved seven working days after acceptance: late.
    Late,
    /// Returned for materials on the day, resubmitted and accepted on the 5th, approved the
    /// 10th: on time, not 一次办结, three days of 补正 left out.
    Returned,
    /// Suspended from the 3rd to the 5th (two working days), approved the 10th.
    Suspended,
    /// Accepted the 2nd, still open on the 30th: overdue while open.
    OpenOverdue,
    /// Received and accepted the 25th, promised 2 December: open, not overdue.
    OpenInTime,
    Withdrawn,
    IntakeRefused,
    /// Received the 20th, promised the 27th, approved 2 December: overdue while open as of
    /// November, decided late as of December.
    DecidedInDecember,
    /// No notice within five working days, accepted the 12th: the clock ran from receipt, so
    /// the approval on the 13th of a promise due the 9th is late.
    DeemedAccepted,
    /// Received in October: outside November's report.
    October,
    /// Refused (不予许可) two working days after acceptance.
    Rejected,
}

const KINDS: [(Kind, usize); 13] = [
    (Kind::OnTheSpot, 7),
    (Kind::OnTime, 23),
    (Kind::Late, 11),
    (Kind::Returned, 13),
    (Kind::Suspended, 5),
    (Kind::OpenOverdue, 3),
    (Kind::OpenInTime, 17),
    (Kind::Withdrawn, 2),
    (Kind::IntakeRefused, 4),
    (Kind::DecidedInDecember, 6),
    (Kind::DeemedAccepted, 9),
    (Kind::October, 50),
    (Kind::Rejected, 8),
];

fn facts(kind: Kind, n: usize) -> CaseFacts {
    use CaseStatus::*;
    use EventKind as E;
    let nov = |d: u8| Date::from_calendar_date(2026, time::Month::November, d).unwrap();
    let received = match kind {
        Kind::OpenInTime => nov(25),
        Kind::DecidedInDecember => nov(20),
        Kind::October => date!(2026 - 10 - 30),
        _ => nov(2),
    };
    let accept = |day| event(E::Accepted, day, Some(Accepted));
    let approve = |day| event(E::Approved, day, Some(Approved));
    let events = match kind {
        Kind::OnTheSpot => vec![accept(nov(2)), approve(nov(2))],
        Kind::OnTime => vec![accept(nov(2)), approve(nov(6))],
        Kind::Late => vec![accept(nov(2)), approve(nov(11))],
        Kind::Returned => vec![
            event(E::Returned, nov(2), Some(SupplementRequested)),
            event(E::Supplemented, nov(5), Some(Supplemented)),
            accept(nov(5)),
            approve(nov(10)),
        ],
        Kind::Suspended => vec![
            accept(nov(2)),
            event(E::Suspended, nov(3), Some(CaseStatus::Suspended)),
            event(E::Resumed, nov(5), Some(Accepted)),
            approve(nov(10)),
        ],
        Kind::OpenOverdue => vec![accept(nov(2))],
        Kind::OpenInTime => vec![accept(nov(25))],
        Kind::Withdrawn => vec![
            accept(nov(2)),
            event(E::Withdrawn, nov(3), Some(CaseStatus::Withdrawn)),
        ],
        Kind::IntakeRefused => vec![event(
            E::IntakeRefused,
            nov(3),
            Some(CaseStatus::IntakeRefused),
        )],
        Kind::DecidedInDecember => vec![accept(nov(20)), approve(date!(2026 - 12 - 02))],
        Kind::DeemedAccepted => vec![accept(nov(12)), approve(nov(13))],
        Kind::October => vec![accept(received), approve(date!(2026 - 11 - 03))],
        Kind::Rejected => vec![
            accept(nov(2)),
            event(E::Rejected, nov(4), Some(CaseStatus::Rejected)),
        ],
    };
    let accepted_at_ms = events
        .iter()
        .find(|e| e.kind == E::Accepted)
        .map(|e| e.at_ms);
    CaseFacts {
        number: format!("450721101-{:?}-{n:03}", kind),
        township: if n.is_multiple_of(3) {
            "450721102"
        } else {
            "450721101"
        }
        .into(),
        item_code: if matches!(kind, Kind::Late | Kind::OpenOverdue) {
            "YB01"
        } else {
            "YL01"
        }
        .into(),
        item_name: "参保登记".into(),
        clerk: if n.is_multiple_of(2) {
            "李明"
        } else {
            "王芳"
        }
        .into(),
        created_at_ms: at(received),
        accepted_at_ms,
        status: events.iter().rev().find_map(|e| e.to).unwrap_or(Registered),
        promised_days: 5,
        events,
    }
}

fn fixture() -> Vec<CaseFacts> {
    KINDS
        .iter()
        .flat_map(|&(kind, count)| (0..count).map(move |n| facts(kind, n)))
        .collect()
}

fn november(by: Option<&str>, today: Date) -> Query {
    Query::parse(Some("2026-11-01"), Some("2026-11-30"), by, today).unwrap()
}

#[test]
fn the_fixture_gives_the_figures_worked_out_by_hand() {
    let cases = fixture();
    assert_eq!(cases.len(), 158);
    let report = Report::of(
        &cases,
        WorkCalendar::builtin(),
        &november(None, date!(2026 - 12 - 07)),
    );
    assert_eq!(report.as_of, "2026-11-30");
    let f = &report.total;
    assert_eq!(f.received, 108, "October's 50 left out");
    assert_eq!(f.accepted, 104, "all but the 4 refused at intake");
    assert_eq!(f.decided, 76);
    assert_eq!(f.decided_on_time, 56);
    // Late: 11 plainly, 9 deemed accepted at receipt; open past the date: 3, and 6 decided
    // only in December.
    assert_eq!(f.overdue, 29);
    assert_eq!(f.overdue_open, 9);
    assert_eq!(f.first_time, 63);
    assert_eq!(f.on_the_spot, 7);
    assert_eq!(f.returned, 13);
    assert_eq!((f.withdrawn, f.terminated, f.intake_refused), (2, 0, 4));
    assert_eq!(f.completion_rate, Some(0.7308));
    assert_eq!(f.on_time_rate, Some(0.7368));
    assert_eq!(f.overdue_rate, Some(0.2788));
    assert_eq!(f.first_time_rate, Some(0.8289));
    // Days: 0×7, 2×8, 3×13 (six less three of 补正), 4×23, 4×5 (six less two suspended),
    // 7×11, 9×9 (from receipt, as deemed): 325 over 76; the 38th and 39th are 4, the 69th 9.
    assert_eq!(
        f.processing_days,
        Some(Spread {
            mean: 4.28,
            median: 4.0,
            p90: 9
        })
    );
}

#[test]
fn a_later_day_sees_what_happened_since() {
    let cases = fixture();
    let query = Query::parse(
        Some("2026-11-01"),
        Some("2026-12-02"),
        None,
        date!(2026 - 12 - 07),
    )
    .unwrap();
    assert_eq!(query.as_of, date!(2026 - 12 - 02));
    let f = Report::of(&cases, WorkCalendar::builtin(), &query).total;
    assert_eq!(f.decided, 82);
    assert_eq!(f.overdue, 29, "decided late now, overdue all the same");
    assert_eq!(f.overdue_open, 3);
    // By the 7th the OpenInTime cases' promise (2 December) has passed too.
    let later = Query::parse(Some("2026-11-01"), None, None, date!(2026 - 12 - 07)).unwrap();
    assert_eq!(later.as_of, date!(2026 - 12 - 07));
    let f = Report::of(&cases, WorkCalendar::builtin(), &later).total;
    assert_eq!((f.overdue, f.overdue_open), (29 + 17, 3 + 17));
}

#[test]
fn groups_add_up_and_the_cases_behind_a_figure_are_the_ones_counted() {
    let cases = fixture();
    let calendar = WorkCalendar::builtin();
    let query = november(Some("item"), date!(2026 - 12 - 07));
    let report = Report::of(&cases, calendar, &query);
    let keys: Vec<_> = report.groups.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["YB01", "YL01"]);
    assert_eq!(report.groups[0].figures.received, 14);
    assert_eq!(report.groups[0].figures.overdue, 14);
    assert_eq!(report.groups[0].figures.overdue_rate, Some(1.0));
    assert_eq!(report.ranked_by_overdue()[0].key, "YB01");
    for by in ["item", "clerk", "township", "month"] {
        let report = Report::of(&cases, calendar, &november(Some(by), date!(2026 - 12 - 07)));
        for measure in Measure::ALL {
            let sum: u64 = report.groups.iter().map(|g| g.figures.count(measure)).sum();
            assert_eq!(sum, report.total.count(measure), "{by} {measure:?}");
        }
    }
    let overdue = cases_behind(&cases, calendar, &query, Some("YL01"), Measure::Overdue);
    assert_eq!(overdue.len(), 15);
    assert!(
        overdue
            .iter()
            .all(|n| n.contains("DeemedAccepted") || n.contains("DecidedInDecember"))
    );
    let open = cases_behind(&cases, calendar, &query, None, Measure::OverdueOpen);
    assert_eq!(open.len(), 9);
}

#[test]
fn facts_keep_nothing_of_the_applicant_and_count_like_the_case() {
    use crate::role::{Action, Role};
    use crate::workflow_tests::{reported, step, subsistence};
    let mut case = subsistence();
    step(&mut case, "张华", Role::Supervisor, Action::Accept);
    reported(&mut case);
    let facts = CaseFacts::of(&case);
    let text = serde_json::to_string(&facts).unwrap();
    assert!(!text.contains(&case.applicant.name), "{text}");
    assert!(!text.contains(case.applicant.id.as_str()), "{text}");
    let calendar = WorkCalendar::builtin();
    assert!(clock::deadline(&facts, calendar).is_some());
    assert_eq!(
        clock::deadline(&facts, calendar),
        clock::deadline(&case, calendar)
    );
    assert_eq!(
        clock::suspended_days(&facts, calendar),
        clock::suspended_days(&case, calendar)
    );
    let query = Query::parse(
        Some("2026-11-01"),
        Some("2026-11-30"),
        None,
        date!(2026 - 12 - 07),
    )
    .unwrap();
    let f = Report::of([&facts], calendar, &query).total;
    assert_eq!((f.received, f.accepted, f.decided), (1, 1, 0));
}

#[test]
fn bad_report_words_are_refused_with_what_is_wrong() {
    let today = date!(2026 - 12 - 07);
    let err = Query::parse(Some("2026-11-31"), None, None, today).unwrap_err();
    assert!(matches!(err, ReportError::Date(_)), "{err}");
    let err = Query::parse(Some("2026-11-30"), Some("2026-11-01"), None, today).unwrap_err();
    assert!(matches!(err, ReportError::Range(..)), "{err}");
    let err = Query::parse(None, None, Some("street"), today).unwrap_err();
    assert!(err.to_string().contains("street"), "{err}");
    let month = Query::parse(None, None, None, today).unwrap();
    assert_eq!((month.from, month.to), (date!(2026 - 12 - 01), today));
}

fn any_case() -> impl Strategy<Value = CaseFacts> {
    (0..KINDS.len(), 0..1000usize, 0..40i64).prop_map(|(kind, n, shift)| {
        let mut facts = facts(KINDS[kind].0, n);
        // Move the whole case by up to 40 days, across the calendar's holidays.
        let by = shift * 86_400_000;
        facts.created_at_ms += by;
        facts.accepted_at_ms = facts.accepted_at_ms.map(|at| at + by);
        for event in &mut facts.events {
            event.at_ms += by;
        }
        facts.number = format!("{}-{shift}", facts.number);
        facts
    })
}

proptest! {
    /// The desk computes from its cases, the hub from the facts it kept as JSON, each in its own
    /// order: the figures are identical, and every grouping adds up to the total.
    #[test]
    fn desk_and_hub_compute_identical_figures(
        cases in prop::collection::vec(any_case(), 0..120),
        seed in any::<u64>(),
        by in prop::sample::select(vec!["item", "clerk", "township", "month"]),
    ) {
        let calendar = WorkCalendar::builtin();
        let query = Query::parse(Some("2026-10-15"), Some("2026-12-20"), Some(by), date!(2026 - 12 - 07)).unwrap();
        let desk = Report::of(&cases, calendar, &query);
        let mut kept: Vec<CaseFacts> = cases
            .iter()
            .map(|f| serde_json::from_str(&serde_json::to_string(f).unwrap()).unwrap())
            .collect();
        // A deterministic shuffle by the seed.
        kept.sort_by_key(|f| {
            let mut h = seed;
            for b in f.number.bytes() {
                h = h.rotate_left(5) ^ u64::from(b);
            }
            h
        });
        let hub = Report::of(&kept, calendar, &query);
        prop_assert_eq!(&desk, &hub);
        for measure in Measure::ALL {
            let sum: u64 = hub.groups.iter().map(|g| g.figures.count(measure)).sum();
            prop_assert_eq!(sum, hub.total.count(measure));
        }
    }
}

#[test]
fn the_red_list_holds_every_open_case_past_its_date_longest_first() {
    let cases = fixture();
    let calendar = WorkCalendar::builtin();
    // On 30 November: the three accepted on the 2nd (due the 9th, 15 working days past) and the
    // six received on the 20th (due the 27th, one day past).
    let red = red_cases(&cases, calendar, date!(2026 - 11 - 30));
    assert_eq!(red.len(), 9);
    assert!(
        red[..3]
            .iter()
            .all(|r| r.days_overdue == 15 && r.deadline == "2026-11-09")
    );
    assert!(
        red[3..]
            .iter()
            .all(|r| r.days_overdue == 1 && r.deadline == "2026-11-27")
    );
    // Decided on 2 December, they leave the list; the 2 December promises join it.
    let red = red_cases(&cases, calendar, date!(2026 - 12 - 07));
    assert_eq!(red.len(), 3 + 17);
    assert!(red.iter().all(|r| !r.number.contains("DecidedInDecember")));
}

/// A rating the hub wrote on `day`, a 差评 due `due`.
fn rated(level: crate::rating::Satisfaction, day: Date, due: Option<Date>) -> CaseEvent {
    CaseEvent {
        rating: Some(crate::rating::Rating {
            level,
            reason: level.is_bad().then_some(crate::rating::BadReason::TooSlow),
            comment: Some("窗口排队太久".into()),
        }),
        due: due.map(date_text),
        ..event(EventKind::Rated, day, None)
    }
}

#[test]
fn ratings_give_the_good_and_bad_rates_and_rectification_on_time() {
    use crate::rating::Satisfaction::*;
    let nov = |d: u8| Date::from_calendar_date(2026, time::Month::November, d).unwrap();
    let rectified = |day| event(EventKind::Rectified, day, None);
    let ratings = [
        vec![rated(Satisfied, nov(9), None)],
        // Rectified within its five working days, and after them.
        vec![
            rated(Dissatisfied, nov(9), Some(nov(16))),
            rectified(nov(13)),
        ],
        vec![
            rated(VeryDissatisfied, nov(9), Some(nov(16))),
            rectified(nov(20)),
        ],
        // Past its day on the 30th, not rectified; and not yet due.
        vec![rated(Dissatisfied, nov(20), Some(nov(27)))],
        vec![rated(Dissatisfied, nov(26), Some(date!(2026 - 12 - 03)))],
    ];
    let cases: Vec<CaseFacts> = ratings
        .into_iter()
        .enumerate()
        .map(|(n, extra)| {
            let mut f = facts(Kind::OnTime, n);
            f.events.extend(extra);
            // As the hub keeps them: the applicant's words never reach the facts.
            let kept = serde_json::to_string(&f).unwrap();
            assert!(!kept.contains("窗口排队"), "{kept}");
            serde_json::from_str(&kept).unwrap()
        })
        .collect();
    let calendar = WorkCalendar::builtin();
    let query = november(None, date!(2026 - 12 - 07));
    let f = Report::of(&cases, calendar, &query).total;
    assert_eq!((f.rated, f.good, f.bad), (5, 1, 4));
    assert_eq!((f.rectification_due, f.rectified_on_time), (3, 1));
    assert_eq!(f.good_rate, Some(0.2));
    assert_eq!(f.bad_rate, Some(0.8));
    assert_eq!(f.rectified_on_time_rate, Some(0.3333));
    let bad = cases_behind(&cases, calendar, &query, None, Measure::Bad);
    assert_eq!(bad.len(), 4);
    // Before the ratings, nothing was rated.
    let early = Query::parse(Some("2026-11-01"), Some("2026-11-08"), None, nov(30)).unwrap();
    let f = Report::of(&cases, calendar, &early).total;
    assert_eq!((f.rated, f.good_rate), (0, None));
}
