//! The working-day calendar: weekends, public holidays and the adjusted working days (调休) the
//! State Council announces each year. Promised service times count working days on it.

use crate::holidays::is_day_off as statutory_off;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::LazyLock;
use time::{Date, Weekday};

/// Working days left at or under which a case turns yellow.
pub const YELLOW_WORKING_DAYS: i64 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidaySpec {
    pub name: String,
    pub from: String,
    pub to: String,
    /// Weekend days that are working days to make up for the holiday.
    pub workdays: Vec<String>,
}

/// The calendar as shipped in `assets/calendar.json` and as the hub hands out updates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarData {
    /// Larger is newer; a desk keeps whichever of its own and the hub's is newer.
    pub version: u64,
    pub source: String,
    pub first_year: i32,
    pub last_year: i32,
    pub holidays: Vec<HolidaySpec>,
}

#[derive(Debug, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum CalendarError {
    Json(#[from] serde_json::Error),
    Date(String),
    Range(String),
    Years(i32, i32),
    Gap { year: i32, first: i32, last: i32 },
    Unmatched(String, String),
}

impl crate::l10n::Localized for CalendarError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Json(detail) => text!(
                "calendar is not valid JSON: {detail}",
                "工作日历不是有效的JSON：{detail}"
            ),
            Self::Date(date) => text!(
                "calendar date {date:?} is not like 2026-10-01",
                "工作日历日期“{date}”格式错误"
            ),
            Self::Range(holiday) => text!(
                "holiday {holiday} ends before it starts",
                "节假日{holiday}的结束日期早于开始日期"
            ),
            Self::Years(from, to) => text!(
                "calendar years {from}-{to} are not a range",
                "工作日历年份范围{from}-{to}无效"
            ),
            Self::Gap { year, first, last } => text!(
                "the schedule for {year} does not join the published years {first}-{last}; set the years between first",
                "{year}年的节假日安排与已公布的{first}-{last}年不相连，请先导入中间的年份"
            ),
            Self::Unmatched(name, date) => text!(
                "adjusted working day {date} names {name}, which has no day off in the file",
                "调休上班日{date}所属的“{name}”在文件中没有放假日期"
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    data: CalendarData,
    holidays: BTreeSet<Date>,
    workdays: BTreeSet<Date>,
}

/// How close a case is to its promised completion date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineFlag {
    Green,
    Yellow,
    Red,
}

impl DeadlineFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "green",
            Self::Yellow => "yellow",
            Self::Red => "red",
        }
    }
}

pub fn parse_date(text: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format).ok()
}

/// A date as official documents print it (《党政机关公文格式》: 2026年12月18日, no leading zeros).
pub fn official_date(date: Date) -> String {
    format!(
        "{}年{}月{}日",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

pub fn date_text(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The day an instant falls on in China Standard Time, where every township keeps its dates.
pub fn china_date(ms: i64) -> Date {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| t.to_offset(offset).date())
        .unwrap_or(Date::MIN)
}

const BUILTIN: &str = include_str!("../../../assets/calendar.json");

impl WorkCalendar {
    pub fn from_json(text: &str) -> Result<Self, CalendarError> {
        Self::from_data(serde_json::from_str(text)?)
    }

    pub fn from_data(data: CalendarData) -> Result<Self, CalendarError> {
        if data.first_year > data.last_year {
            return Err(CalendarError::Years(data.first_year, data.last_year));
        }
        let date =
            |text: &String| parse_date(text).ok_or_else(|| CalendarError::Date(text.clone()));
        let mut holidays = BTreeSet::new();
        let mut workdays = BTreeSet::new();
        for spec in &data.holidays {
            let (from, to) = (date(&spec.from)?, date(&spec.to)?);
            if to < from {
                return Err(CalendarError::Range(spec.name.clone()));
            }
            let mut day = from;
            while day <= to {
                holidays.insert(day);
                day = day
                    .next_day()
                    .ok_or_else(|| CalendarError::Date(spec.to.clone()))?;
            }
            for text in &spec.workdays {
                workdays.insert(date(text)?);
            }
        }
        Ok(Self {
            data,
            holidays,
            workdays,
        })
    }

    /// The calendar shipped in `assets/calendar.json`, parsed once; this crate's tests check it.
    pub fn builtin() -> &'static WorkCalendar {
        static CALENDAR: LazyLock<WorkCalendar> = LazyLock::new(|| {
            WorkCalendar::from_json(BUILTIN).unwrap_or_else(|_| WorkCalendar {
                data: CalendarData {
                    version: 0,
                    source: String::new(),
                    first_year: 0,
                    last_year: 0,
                    holidays: Vec::new(),
                },
                holidays: BTreeSet::new(),
                workdays: BTreeSet::new(),
            })
        });
        &CALENDAR
    }

    pub fn data(&self) -> &CalendarData {
        &self.data
    }

    pub fn version(&self) -> u64 {
        self.data.version
    }

    /// Whether the State Council's schedule for `date`'s year is known; outside it the statutory
    /// rule decides, and a date computed on it is provisional.
    pub fn covers(&self, date: Date) -> bool {
        self.publishes(date.year())
    }

    pub fn publishes(&self, year: i32) -> bool {
        (self.data.first_year..=self.data.last_year).contains(&year)
    }

    /// Whether a date counted from `from` to `to` rests on a year without a published schedule.
    pub fn provisional(&self, from: Date, to: Date) -> bool {
        (from.year()..=to.year()).any(|year| !self.publishes(year))
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        if self.covers(date) {
            if self.workdays.contains(&date) {
                return true;
            }
            if self.holidays.contains(&date) {
                return false;
            }
        } else if statutory_off(date) {
            return false;
        }
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The `days`-th working day after `start`; the day of acceptance itself is not counted.
    pub fn add_working_days(&self, start: Date, days: u16) -> Date {
        let mut day = start;
        let mut left = days;
        while left > 0 {
            let Some(next) = day.next_day() else {
                return day;
            };
            day = next;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days in `(from, to]`: after `from`, up to and including `to`.
    pub fn working_days_between(&self, from: Date, to: Date) -> i64 {
        let mut n = 0;
        let mut day = from;
        while day < to {
            let Some(next) = day.next_day() else { break };
            day = next;
            if self.is_working_day(day) {
                n += 1;
            }
        }
        n
    }

    /// Working days after `today` up to and including `deadline`; negative when overdue.
    pub fn working_days_left(&self, today: Date, deadline: Date) -> i64 {
        if deadline < today {
            -self.working_days_between(deadline, today).max(1)
        } else {
            self.working_days_between(today, deadline)
        }
    }

    pub fn flag(&self, today: Date, deadline: Date) -> DeadlineFlag {
        match self.working_days_left(today, deadline) {
            n if n < 0 => DeadlineFlag::Red,
            n if n <= YELLOW_WORKING_DAYS => DeadlineFlag::Yellow,
            _ => DeadlineFlag::Green,
        }
    }

    /// The latest deadline that is yellow (or red) seen from `today`: used to query work queues.
    pub fn yellow_until(&self, today: Date) -> Date {
        self.add_working_days(today, YELLOW_WORKING_DAYS as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_shipped_calendar_parses_and_knows_its_years() {
        let calendar = WorkCalendar::from_json(BUILTIN).unwrap();
        assert!(calendar.covers(date!(2026 - 10 - 01)));
        assert!(!calendar.covers(date!(2027 - 01 - 04)));
        assert_eq!(WorkCalendar::builtin().version(), calendar.version());
    }

    #[test]
    fn spring_festival_2026_with_its_adjusted_saturdays() {
        let c = WorkCalendar::builtin();
        // Saturday 14 February and Saturday 28 February are working days; 15-23 are holidays.
        assert!(c.is_working_day(date!(2026 - 02 - 14)));
        assert!(!c.is_working_day(date!(2026 - 02 - 16)));
        assert!(!c.is_working_day(date!(2026 - 02 - 23)));
        assert!(c.is_working_day(date!(2026 - 02 - 28)));
        // Accepted Thursday 12 February, 5 working days: 13 (Fri), 14 (Sat, adjusted),
        // 24, 25, 26 after the holiday.
        assert_eq!(
            c.add_working_days(date!(2026 - 02 - 12), 5),
            date!(2026 - 02 - 26)
        );
        // 10 working days: ... 26, 27, 28 (Sat, adjusted), 2, 3, 4 March.
        assert_eq!(
            c.add_working_days(date!(2026 - 02 - 12), 10),
            date!(2026 - 03 - 04)
        );
        // Seen from the last day before the holiday, the deadline on 25 February is 2 working
        // days away: yellow. Seen from the 26th it is overdue.
        assert_eq!(
            c.working_days_left(date!(2026 - 02 - 14), date!(2026 - 02 - 25)),
            2
        );
        assert_eq!(
            c.flag(date!(2026 - 02 - 14), date!(2026 - 02 - 25)),
            DeadlineFlag::Yellow
        );
        assert_eq!(
            c.flag(date!(2026 - 02 - 13), date!(2026 - 02 - 25)),
            DeadlineFlag::Green
        );
        assert_eq!(
            c.flag(date!(2026 - 02 - 26), date!(2026 - 02 - 25)),
            DeadlineFlag::Red
        );
    }

    #[test]
    fn national_day_2026_with_its_adjusted_weekend_days() {
        let c = WorkCalendar::builtin();
        assert!(c.is_working_day(date!(2026 - 09 - 20))); // Sunday, adjusted
        assert!(!c.is_working_day(date!(2026 - 09 - 25))); // Mid-Autumn Festival
        assert!(!c.is_working_day(date!(2026 - 10 - 05)));
        assert!(c.is_working_day(date!(2026 - 10 - 10))); // Saturday, adjusted
        assert!(!c.is_working_day(date!(2026 - 10 - 11))); // an ordinary Sunday
        // Accepted Friday 18 September, 5 working days: 20 (Sun), 21, 22, 23, 24.
        assert_eq!(
            c.add_working_days(date!(2026 - 09 - 18), 5),
            date!(2026 - 09 - 24)
        );
        // Accepted Wednesday 30 September, 3 working days: 8, 9, 10 October.
        assert_eq!(
            c.add_working_days(date!(2026 - 09 - 30), 3),
            date!(2026 - 10 - 10)
        );
        // Accepted Thursday 24 September, 30 working days spans Mid-Autumn and National Day.
        assert_eq!(
            c.add_working_days(date!(2026 - 09 - 24), 30),
            date!(2026 - 11 - 12)
        );
        assert_eq!(c.yellow_until(date!(2026 - 09 - 30)), date!(2026 - 10 - 09));
    }

    #[test]
    fn years_without_a_published_schedule_keep_the_statutory_holidays() {
        let c = WorkCalendar::builtin();
        // 国庆 2027 runs Friday to Sunday: Monday and Tuesday are given in lieu.
        assert!(!c.is_working_day(date!(2027 - 10 - 01)));
        assert!(!c.is_working_day(date!(2027 - 10 - 05)));
        assert!(c.is_working_day(date!(2027 - 10 - 06)));
        // Accepted Wednesday 30 December 2026, 2 working days: the 31st, then New Year's Day is
        // a holiday, so Monday 4 January 2027; that date rests on the statutory rule alone.
        let deadline = c.add_working_days(date!(2026 - 12 - 30), 2);
        assert_eq!(deadline, date!(2027 - 01 - 04));
        assert!(c.provisional(date!(2026 - 12 - 30), deadline));
        assert!(!c.provisional(date!(2026 - 12 - 01), date!(2026 - 12 - 31)));
        // Spring Festival 2027 from 除夕, 5 February, with two days in lieu.
        assert_eq!(
            c.add_working_days(date!(2027 - 02 - 04), 1),
            date!(2027 - 02 - 11)
        );
    }

    #[test]
    fn official_documents_write_dates_without_leading_zeros() {
        assert_eq!(official_date(date!(2026 - 12 - 18)), "2026年12月18日");
        assert_eq!(official_date(date!(2027 - 02 - 05)), "2027年2月5日");
        assert_eq!(date_text(date!(2027 - 02 - 05)), "2027-02-05");
    }

    #[test]
    fn bad_calendars_are_refused() {
        assert!(matches!(
            WorkCalendar::from_json("{"),
            Err(CalendarError::Json(_))
        ));
        let mut data = WorkCalendar::builtin().data().clone();
        data.holidays[0].to = "2024-12-31".into();
        assert!(matches!(
            WorkCalendar::from_data(data.clone()),
            Err(CalendarError::Range(_))
        ));
        data.holidays[0].to = "31/12/2025".into();
        assert!(matches!(
            WorkCalendar::from_data(data),
            Err(CalendarError::Date(_))
        ));
    }
}
