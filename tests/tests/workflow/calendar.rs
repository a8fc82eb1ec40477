//! The working-day calendar through the hub and the desks: a promised date in a year without a
//! published schedule rests on the statutory holidays and says it is provisional, on the screen's
//! JSON and on the acceptance notice; the county's operator adds the year in holiday-cn's format
//! (a hole in the years is refused), and after a sync the desks count on it.

use super::procedure::printed;
use tongban_domain::WorkCalendar;
use tongban_domain::calendar::{date_text, parse_date};
use tongban_domain::schedule::{DaySource, YearSchedule, read_calendar};
use tongban_e2e::{Backend, Desk, Hub, TOWNSHIP};

/// One year in holiday-cn's format, made up for the test from the statutory days plus one
/// extra day off (the 4th of January) and one adjusted Sunday: not a real schedule.
fn holiday_cn(year: i32) -> String {
    let statutory = WorkCalendar::builtin().year_schedule(year);
    let mut days: Vec<serde_json::Value> = statutory
        .days_off
        .iter()
        .map(|d| serde_json::json!({"name": d.name, "date": d.date, "isOffDay": true}))
        .collect();
    let extra = format!("{year}-01-04");
    if !statutory.days_off.iter().any(|d| d.date == extra) {
        days.push(serde_json::json!({"name": "元旦", "date": extra, "isOffDay": true}));
    }
    let sunday = (1..=14)
        .map(|d| parse_date(&format!("{year}-01-{d:02}")).unwrap())
        .find(|d| d.weekday() == time::Weekday::Sunday)
        .unwrap();
    days.push(serde_json::json!({"name": "元旦", "date": date_text(sunday), "isOffDay": false}));
    serde_json::json!({"year": year, "papers": [], "days": days}).to_string()
}

fn schedule(show: &str) -> YearSchedule {
    serde_json::from_str(show).unwrap()
}

#[test]
fn a_date_in_an_unpublished_year_is_provisional_until_the_hub_publishes_the_year() {
    let hub = Hub::start(Backend::Sqlite);
    let clerk = Desk::enroll(&hub, TOWNSHIP, "李明");
    let supervisor = Desk::enroll_as(&hub, TOWNSHIP, "张华", "supervisor");
    let number = super::accepted_subsistence(&clerk, &supervisor);

    // 30 working days from today reach past 2026, the last year the shipped calendar publishes.
    let shown = supervisor.show(&number);
    let deadline = parse_date(shown["deadline"].as_str().unwrap()).unwrap();
    let today = tongban_domain::calendar::china_date(super::now_ms());
    assert_eq!(
        deadline,
        WorkCalendar::builtin().add_working_days(today, 30)
    );
    assert!(deadline.year() >= 2027);
    assert_eq!(shown["provisional"], true, "{shown}");
    let notice = printed(&supervisor, &number, "acceptance");
    assert!(notice.contains("暂按法定节假日推算"), "{notice}");

    let year = schedule(&supervisor.ok(&["calendar", "show", "--year", "2027", "--json"]));
    assert!(!year.published);
    assert_eq!(year.days_off[0].date, "2027-01-01");
    assert_eq!(year.days_off[0].source, DaySource::Statutory);
    assert_eq!(year.days_off[1].date, "2027-02-05", "除夕");

    // A year that leaves a hole after 2026 is refused, and nothing changes.
    let files = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let path = files.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let far = file("far.json", &holiday_cn(2029));
    let refused = hub.admin_output(&["calendar", "set", "--file", &far]);
    assert!(!refused.status.success());
    let message = tongban_e2e::text(&refused.stderr);
    assert!(
        message.contains("does not join") && message.contains("不相连"),
        "{message}"
    );
    let unchanged = schedule(&hub.admin(&["calendar", "show", "--year", "2029", "--json"]));
    assert!(!unchanged.published);

    // The operator adds each year up to the deadline's; the desks take the calendar at sync.
    let mut expected = WorkCalendar::builtin().clone();
    for year in 2027..=deadline.year() {
        let text = holiday_cn(year);
        let file = file(&format!("{year}.json"), &text);
        let said = hub.admin(&["calendar", "set", "--file", &file]);
        assert!(said.contains(&format!("-{year}")), "{said}");
        expected = read_calendar(&text, expected.data()).unwrap();
    }
    supervisor.sync();
    let year = schedule(&supervisor.ok(&["calendar", "show", "--year", "2027", "--json"]));
    assert!(year.published, "{year:?}");
    assert!(year.days_off.iter().any(|d| d.date == "2027-01-04"));
    assert_eq!(year.extra_working_days.len(), 1);
    assert!(
        year.days_off
            .iter()
            .all(|d| d.source == DaySource::Published)
    );
    let shown = supervisor.show(&number);
    assert_eq!(shown["provisional"], false, "{shown}");
    assert_eq!(
        shown["deadline"],
        date_text(expected.add_working_days(today, 30)).as_str()
    );
    let notice = printed(&supervisor, &number, "acceptance");
    assert!(!notice.contains("暂按法定节假日推算"), "{notice}");
}
