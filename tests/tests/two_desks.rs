//! Two desks of one township, offline edits on both, one hub on each backend.

use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP, postgres_database, two_desks_scenario};

#[test]
fn two_desks_converge_through_the_sqlite_hub() {
    two_desks_scenario(Backend::Sqlite);
}

#[test]
fn two_desks_converge_through_the_postgres_hub() {
    if let Some(url) = postgres_database() {
        two_desks_scenario(Backend::Postgres(url));
    }
}

/// A week of work at one desk (new cases, then corrections to them) reaches the hub in one sync
/// round: the desk's first message already carries its changes, and nothing is left to
/// acknowledge. The other desk gets every case, as corrected, in one round too.
#[test]
fn a_week_of_cases_and_corrections_travels_in_one_round() {
    let hub = Hub::start(Backend::Sqlite);
    let a = Desk::enroll(&hub, TOWNSHIP, "李明");
    let b = Desk::enroll(&hub, TOWNSHIP, "王芳");
    let made = a.ok(&[
        "demo-cases",
        "--count",
        "40",
        "--edits",
        "120",
        "--seed",
        "3",
    ]);
    assert!(made.contains("made 120 corrections"), "{made}");
    let cases = a.list();
    assert_eq!(cases.len(), 40);

    let rounds = || hub.log().matches("sync batch").count();
    let before = rounds();
    let up = a.sync();
    assert_eq!(
        (up["docs_up"].as_u64(), up["unsettled"].as_u64()),
        (Some(40), Some(0))
    );
    assert_eq!(rounds() - before, 1, "{}", hub.log());

    let before = rounds();
    let down = b.sync();
    assert_eq!(down["docs_down"], 40);
    assert_eq!(rounds() - before, 1, "{}", hub.log());
    let corrected: usize = cases
        .iter()
        .map(|c| {
            let number = c["number"].as_str().expect("number");
            let shown = b.show(number);
            let events = shown["events"].as_array().expect("events");
            events
                .iter()
                .filter(|e| e["kind"] == "field_changed")
                .count()
        })
        .sum();
    assert_eq!(corrected, 120, "every correction reached the other desk");
    for case in cases.iter().take(8) {
        let number = case["number"].as_str().expect("number");
        assert_eq!(b.show_whole(number), a.show_whole(number));
    }
    // Settled on both sides: nothing to move, no sync round at all.
    let before = rounds();
    let idle = a.sync();
    assert_eq!(
        (idle["docs_up"].as_u64(), idle["docs_down"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(rounds(), before);
}
