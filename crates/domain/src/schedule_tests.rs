use super::*;
use time::macros::date;

fn dates(days: &[ScheduledDay]) -> Vec<&str> {
    days.iter().map(|d| d.date.as_str()).collect()
}

#[test]
fn a_published_year_lists_its_schedule() {
    let year = WorkCalendar::builtin().year_schedule(2026);
    assert!(year.published);
    assert!(year.basis.contains("2026年部分节假日安排"));
    assert_eq!(year.days_off.len(), 33);
    assert!(
        year.days_off
            .iter()
            .all(|d| d.source == DaySource::Published)
    );
    assert_eq!(
        dates(&year.extra_working_days),
        [
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10"
        ]
    );
    let value = serde_json::to_value(&year).unwrap();
    assert_eq!(value["days_off"][0]["date"], "2026-01-01");
    assert_eq!(value["days_off"][0]["source"], "published");
}

#[test]
fn an_unpublished_year_lists_the_statutory_days() {
    let year = WorkCalendar::builtin().year_schedule(2027);
    assert!(!year.published);
    assert!(year.basis.contains("2024年修订"));
    assert!(year.extra_working_days.is_empty());
    assert_eq!(
        dates(&year.days_off)[..7],
        [
            "2027-01-01",
            "2027-02-05",
            "2027-02-06",
            "2027-02-07",
            "2027-02-08",
            "2027-02-09",
            "2027-02-10"
        ]
    );
    assert!(year.days_off[5].in_lieu);
    assert!(
        year.days_off
            .iter()
            .all(|d| d.source == DaySource::Statutory)
    );
}

/// A 2027 schedule in holiday-cn's format, made up for the test: its days are not the State
/// Council's (not published when this was written).
const HOLIDAY_CN_2027: &str = r#"{
  "year": 2027,
  "papers": ["https://www.gov.cn/example"],
  "days": [
    {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
    {"name": "元旦", "date": "2027-01-02", "isOffDay": true},
    {"name": "元旦", "date": "2027-01-03", "isOffDay": true},
    {"name": "春节", "date": "2027-02-14", "isOffDay": false},
    {"name": "春节", "date": "2027-02-05", "isOffDay": true},
    {"name": "春节", "date": "2027-02-06", "isOffDay": true},
    {"name": "春节", "date": "2027-02-07", "isOffDay": true},
    {"name": "春节", "date": "2027-02-08", "isOffDay": true},
    {"name": "春节", "date": "2027-02-09", "isOffDay": true},
    {"name": "春节", "date": "2027-02-10", "isOffDay": true},
    {"name": "春节", "date": "2027-02-11", "isOffDay": true},
    {"name": "春节", "date": "2027-02-12", "isOffDay": true}
  ]
}"#;

#[test]
fn a_holiday_cn_year_extends_the_published_years() {
    let current = WorkCalendar::builtin().data();
    let calendar = read_calendar(HOLIDAY_CN_2027, current).unwrap();
    assert_eq!(calendar.data().last_year, 2027);
    assert_eq!(calendar.version(), current.version + 1);
    assert!(calendar.data().source.contains("holiday-cn"));
    // The published days replace the statutory ones: 12 February is off, 14 (Sunday) worked.
    assert!(!calendar.is_working_day(date!(2027 - 02 - 12)));
    assert!(calendar.is_working_day(date!(2027 - 02 - 14)));
    assert!(!calendar.provisional(date!(2027 - 01 - 04), date!(2027 - 03 - 01)));
    let year = calendar.year_schedule(2027);
    assert!(year.published);
    assert_eq!(dates(&year.extra_working_days), ["2027-02-14"]);
    assert_eq!(year.days_off.len(), 11);
    // The earlier years are kept as they were.
    let (kept, builtin) = (
        calendar.year_schedule(2026),
        WorkCalendar::builtin().year_schedule(2026),
    );
    assert_eq!(kept.days_off, builtin.days_off);
    assert_eq!(kept.extra_working_days, builtin.extra_working_days);
    // Read again, the year replaces itself rather than doubling.
    let again = read_calendar(HOLIDAY_CN_2027, calendar.data()).unwrap();
    assert_eq!(again.year_schedule(2027).days_off.len(), 11);
    assert_eq!(again.data().holidays.len(), calendar.data().holidays.len());
}

#[test]
fn a_holiday_cn_file_that_leaves_a_hole_or_names_nothing_is_refused() {
    let current = WorkCalendar::builtin().data();
    let far = HOLIDAY_CN_2027.replace("\"year\": 2027", "\"year\": 2029");
    assert!(matches!(
        read_calendar(&far, current),
        Err(CalendarError::Gap { year: 2029, .. })
    ));
    let stray = HOLIDAY_CN_2027.replace(
        r#"{"name": "春节", "date": "2027-02-14", "isOffDay": false}"#,
        r#"{"name": "国庆节", "date": "2027-09-26", "isOffDay": false}"#,
    );
    assert!(matches!(
        read_calendar(&stray, current),
        Err(CalendarError::Unmatched(..))
    ));
    let bad_date = HOLIDAY_CN_2027.replace("2027-01-02", "2027-13-02");
    assert!(matches!(
        read_calendar(&bad_date, current),
        Err(CalendarError::Date(_))
    ));
    assert!(matches!(
        read_calendar(r#"{"days": 3}"#, current),
        Err(CalendarError::Json(_))
    ));
}

#[test]
fn the_own_format_still_replaces_the_calendar() {
    let current = WorkCalendar::builtin().data();
    let text = serde_json::to_string(current).unwrap();
    assert_eq!(read_calendar(&text, current).unwrap().data(), current);
}
