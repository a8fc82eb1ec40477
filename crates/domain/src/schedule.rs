//! A year's days off and adjusted working days as the calendar sees them, each with where it
//! comes from; and the holiday-cn JSON format (one file per year, `{year, papers, days: [{name,
//! date, isOffDay}]}`), which counties widely use to carry the State Council's schedule.

use crate::calendar::{
    CalendarData, CalendarError, HolidaySpec, WorkCalendar, date_text, parse_date,
};
use crate::holidays::{self, statutory_days_off};
use serde::{Deserialize, Serialize};

/// Where a day off or an adjusted working day comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DaySource {
    /// The State Council's published schedule.
    Published,
    /// The statutory rule alone (《全国年节及纪念日放假办法》): provisional.
    Statutory,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledDay {
    /// YYYY-MM-DD.
    pub date: String,
    pub name: String,
    pub source: DaySource,
    /// A statutory working day given in lieu of a holiday lost to a weekend (补假).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_lieu: bool,
}

/// What `tongban calendar show --year` lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearSchedule {
    pub year: i32,
    /// Whether the year's schedule is published; when not, every date counted in it is provisional.
    pub published: bool,
    /// The document the days rest on.
    pub basis: String,
    pub days_off: Vec<ScheduledDay>,
    pub extra_working_days: Vec<ScheduledDay>,
}

impl WorkCalendar {
    pub fn year_schedule(&self, year: i32) -> YearSchedule {
        if !self.publishes(year) {
            return YearSchedule {
                year,
                published: false,
                basis: holidays::RULE.to_owned(),
                days_off: statutory_days_off(year)
                    .iter()
                    .map(|d| ScheduledDay {
                        date: date_text(d.date),
                        name: d.name.to_owned(),
                        source: DaySource::Statutory,
                        in_lieu: d.in_lieu,
                    })
                    .collect(),
                extra_working_days: Vec::new(),
            };
        }
        let mut days_off = Vec::new();
        let mut extra_working_days = Vec::new();
        let day = |date, name: &str| ScheduledDay {
            date: date_text(date),
            name: name.to_owned(),
            source: DaySource::Published,
            in_lieu: false,
        };
        for spec in &self.data().holidays {
            let (Some(from), Some(to)) = (parse_date(&spec.from), parse_date(&spec.to)) else {
                continue; // checked when the calendar was built
            };
            let mut date = from;
            while date <= to {
                if date.year() == year {
                    days_off.push(day(date, &spec.name));
                }
                match date.next_day() {
                    Some(next) => date = next,
                    None => break,
                }
            }
            for work in spec.workdays.iter().filter_map(|w| parse_date(w)) {
                if work.year() == year {
                    extra_working_days.push(day(work, &spec.name));
                }
            }
        }
        days_off.sort_by(|a, b| a.date.cmp(&b.date));
        extra_working_days.sort_by(|a, b| a.date.cmp(&b.date));
        YearSchedule {
            year,
            published: true,
            basis: self.data().source.clone(),
            days_off,
            extra_working_days,
        }
    }
}

/// The listing both command lines print, in English and Chinese.
impl std::fmt::Display for YearSchedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.published {
            writeln!(
                f,
                "{}: published schedule / 已公布安排 — {}",
                self.year, self.basis
            )?;
        } else {
            writeln!(
                f,
                "{}: not published; statutory holidays only, dates are provisional / 尚未公布，按法定节假日推算（暂定）— {}",
                self.year, self.basis
            )?;
        }
        for (title, days) in [
            ("days off / 放假", &self.days_off),
            ("adjusted working days / 调休上班", &self.extra_working_days),
        ] {
            writeln!(f, "{title}:")?;
            for day in days {
                let source = match (day.source, day.in_lieu) {
                    (DaySource::Published, _) => "published / 公布",
                    (DaySource::Statutory, false) => "statutory / 法定",
                    (DaySource::Statutory, true) => "statutory, in lieu / 法定补假",
                };
                writeln!(f, "  {}\t{}\t{source}", day.date, day.name)?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HolidayCnDay {
    name: String,
    date: String,
    is_off_day: bool,
}

#[derive(Debug, Deserialize)]
struct HolidayCn {
    year: i32,
    #[serde(default)]
    papers: Vec<String>,
    days: Vec<HolidayCnDay>,
}

/// Reads a calendar in either format: this product's own (`holidays`), which replaces `current`,
/// or one year of holiday-cn (`days`), which replaces or extends that year of `current`. A year
/// must join the years already published, so coverage never has a hole in it.
pub fn read_calendar(text: &str, current: &CalendarData) -> Result<WorkCalendar, CalendarError> {
    let value: serde_json::Value = serde_json::from_str(text)?;
    if value.get("days").is_none() {
        return WorkCalendar::from_data(serde_json::from_value(value)?);
    }
    let file: HolidayCn = serde_json::from_value(value)?;
    let year = file.year;
    if year < current.first_year - 1 || year > current.last_year + 1 {
        return Err(CalendarError::Gap {
            year,
            first: current.first_year,
            last: current.last_year,
        });
    }
    let mut days: Vec<(time::Date, HolidayCnDay)> = Vec::with_capacity(file.days.len());
    for day in file.days {
        let date = parse_date(&day.date).ok_or_else(|| CalendarError::Date(day.date.clone()))?;
        days.push((date, day));
    }
    days.sort_by_key(|(date, _)| *date);
    let mut specs: Vec<HolidaySpec> = Vec::new();
    let mut last_off: Option<time::Date> = None;
    for (date, day) in days.iter().filter(|(_, d)| d.is_off_day) {
        let joins = specs.last().is_some_and(|s| s.name == day.name)
            && last_off.and_then(|d| d.next_day()) == Some(*date);
        match specs.last_mut() {
            Some(spec) if joins => spec.to = date_text(*date),
            _ => specs.push(HolidaySpec {
                name: day.name.clone(),
                from: date_text(*date),
                to: date_text(*date),
                workdays: Vec::new(),
            }),
        }
        last_off = Some(*date);
    }
    for (date, day) in days.iter().filter(|(_, d)| !d.is_off_day) {
        // An adjusted working day belongs to the holiday it makes up for: the nearest of its name.
        let spec = specs
            .iter_mut()
            .filter(|s| s.name == day.name)
            .min_by_key(|s| {
                parse_date(&s.from).map_or(i64::MAX, |from| (from - *date).whole_days().abs())
            })
            .ok_or_else(|| CalendarError::Unmatched(day.name.clone(), day.date.clone()))?;
        spec.workdays.push(date_text(*date));
    }
    let mut data = current.clone();
    data.holidays
        .retain(|h| parse_date(&h.from).is_none_or(|from| from.year() != year));
    data.holidays.extend(specs);
    data.holidays.sort_by(|a, b| a.from.cmp(&b.from));
    data.first_year = data.first_year.min(year);
    data.last_year = data.last_year.max(year);
    data.version = current.version + 1;
    let papers = if file.papers.is_empty() {
        String::new()
    } else {
        format!("（{}）", file.papers.join("，"))
    };
    let added = format!("；{year}年安排（holiday-cn）{papers}");
    if !data.source.contains(&added) {
        data.source.push_str(&added);
    }
    WorkCalendar::from_data(data)
}

#[cfg(test)]
#[path = "schedule_tests.rs"]
mod tests;
