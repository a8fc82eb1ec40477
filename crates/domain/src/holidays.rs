//! The statutory public holidays (《全国年节及纪念日放假办法》 as revised in 2024, in force from
//! 2025), computed for any year from the lunar calendar and the solar terms. They are the base a
//! deadline rests on until the State Council publishes the year's schedule, which then overrides
//! them: a date computed from the rule alone is provisional, and says so.
//!
//! The lunar dates and solar terms come from `tyme4rs` (the ShouXing astronomical algorithm,
//! the same as the 6tail lunar libraries), so no table is kept here.

use std::collections::BTreeMap;
use std::sync::LazyLock;
use time::{Date, Duration, Month, Weekday};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// The first year the 2024 revision governs; earlier years are all covered by published
/// schedules the calendar ships with.
pub const FIRST_YEAR: i32 = 2025;
/// The last year computed; the lunar and solar-term tables are checked to 2100.
pub const LAST_YEAR: i32 = 2100;

/// The rule a statutory day off comes from.
pub const RULE: &str = "全国年节及纪念日放假办法（2024年修订）";

/// One day off by the statutory rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatutoryDay {
    pub date: Date,
    pub name: &'static str,
    /// A working day given in lieu of a holiday that fell on a weekend or on another holiday
    /// (第六条: 全体公民放假的假日，如果适逢周六、周日，应当在工作日补假).
    pub in_lieu: bool,
}

/// The statutory days off of `year`, in date order; empty outside `FIRST_YEAR..=LAST_YEAR`.
pub fn statutory_days_off(year: i32) -> &'static [StatutoryDay] {
    static TABLE: LazyLock<BTreeMap<i32, Vec<StatutoryDay>>> = LazyLock::new(|| {
        (FIRST_YEAR..=LAST_YEAR)
            .map(|year| (year, compute(year)))
            .collect()
    });
    TABLE.get(&year).map(Vec::as_slice).unwrap_or(&[])
}

/// Whether `date` is a statutory day off (a holiday or a day in lieu).
pub fn is_day_off(date: Date) -> bool {
    statutory_days_off(date.year())
        .iter()
        .any(|d| d.date == date)
}

fn compute(year: i32) -> Vec<StatutoryDay> {
    let mut holidays: Vec<(Date, &'static str)> = Vec::new();
    let mut span = |first: Option<Date>, days: i64, name: &'static str| {
        if let Some(first) = first {
            holidays.extend((0..days).map(|n| (first + Duration::days(n), name)));
        }
    };
    span(solar(year, Month::January, 1), 1, "元旦");
    // 春节: 除夕 and the first three days of the first lunar month. 除夕 is the last day of the
    // twelfth month, the 29th or the 30th, so it is found from New Year's day.
    span(lunar(year, 1, 1).map(|d| d - Duration::days(1)), 4, "春节");
    span(solar_term(year, "清明"), 1, "清明节");
    span(solar(year, Month::May, 1), 2, "劳动节");
    span(lunar(year, 5, 5), 1, "端午节");
    span(lunar(year, 8, 15), 1, "中秋节");
    span(solar(year, Month::October, 1), 3, "国庆节");
    holidays.sort();

    // Each holiday day lost to a weekend, or to another holiday on the same date (中秋 in the
    // first days of October), is given back on the next working day after its holiday.
    let mut days: Vec<StatutoryDay> = Vec::new();
    for (i, &(date, name)) in holidays.iter().enumerate() {
        let doubled = i > 0 && holidays[i - 1].0 == date;
        if !doubled {
            days.push(StatutoryDay {
                date,
                name,
                in_lieu: false,
            });
        }
        if doubled || is_weekend(date) {
            let mut lieu = date;
            loop {
                lieu += Duration::days(1);
                let taken =
                    holidays.iter().any(|&(d, _)| d == lieu) || days.iter().any(|d| d.date == lieu);
                if !is_weekend(lieu) && !taken {
                    break;
                }
            }
            days.push(StatutoryDay {
                date: lieu,
                name,
                in_lieu: true,
            });
        }
    }
    days.sort_by_key(|d| d.date);
    // A day given in lieu of a late-December weekend may fall in January: it stays in the year
    // whose holiday it replaces, as the published schedules do.
    days
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn solar(year: i32, month: Month, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, month, day).ok()
}

fn from_tyme(day: SolarDay) -> Option<Date> {
    let month = Month::try_from(u8::try_from(day.get_month()).ok()?).ok()?;
    let year = i32::try_from(day.get_year()).ok()?;
    Date::from_calendar_date(year, month, u8::try_from(day.get_day()).ok()?).ok()
}

fn lunar(year: i32, month: isize, day: usize) -> Option<Date> {
    from_tyme(
        LunarDay::new(year as isize, month, day)
            .ok()?
            .get_solar_day(),
    )
}

fn solar_term(year: i32, name: &str) -> Option<Date> {
    let term = SolarTerm::new(year as isize, name).ok()?;
    from_tyme(term.get_julian_day().get_solar_day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn off(year: i32) -> Vec<(Date, &'static str, bool)> {
        statutory_days_off(year)
            .iter()
            .map(|d| (d.date, d.name, d.in_lieu))
            .collect()
    }

    #[test]
    fn spring_festival_2027_starts_on_its_new_years_eve() {
        let days = off(2027);
        let spring: Vec<_> = days.iter().filter(|d| d.1 == "春节").collect();
        // 除夕 is Friday 5 February 2027; Saturday and Sunday are two of the four days, so two
        // working days follow in lieu.
        assert_eq!(
            spring,
            [
                &(date!(2027 - 02 - 05), "春节", false),
                &(date!(2027 - 02 - 06), "春节", false),
                &(date!(2027 - 02 - 07), "春节", false),
                &(date!(2027 - 02 - 08), "春节", false),
                &(date!(2027 - 02 - 09), "春节", true),
                &(date!(2027 - 02 - 10), "春节", true),
            ]
        );
        assert!(days.contains(&(date!(2027 - 01 - 01), "元旦", false)));
    }

    #[test]
    fn qingming_falls_on_its_solar_term() {
        assert!(off(2027).contains(&(date!(2027 - 04 - 05), "清明节", false)));
        assert!(off(2028).contains(&(date!(2028 - 04 - 04), "清明节", false)));
        // 2030: 清明 on Friday 5 April.
        assert!(off(2030).contains(&(date!(2030 - 04 - 05), "清明节", false)));
    }

    #[test]
    fn the_lunar_holidays_of_2030() {
        let days = off(2030);
        // 除夕 2030 is Saturday 2 February: two weekend days, two working days in lieu.
        assert!(days.contains(&(date!(2030 - 02 - 02), "春节", false)));
        assert!(days.contains(&(date!(2030 - 02 - 05), "春节", false)));
        assert!(days.contains(&(date!(2030 - 02 - 06), "春节", true)));
        assert!(days.contains(&(date!(2030 - 02 - 07), "春节", true)));
        assert!(days.contains(&(date!(2030 - 06 - 05), "端午节", false)));
        assert!(days.contains(&(date!(2030 - 09 - 12), "中秋节", false)));
        // 国庆 2030: Tuesday to Thursday, nothing in lieu.
        let national: Vec<_> = days.iter().filter(|d| d.1 == "国庆节").collect();
        assert_eq!(national.len(), 3);
    }

    #[test]
    fn a_holiday_on_another_holiday_is_given_back() {
        // 中秋 2028 is Tuesday 3 October, the third day of 国庆, which starts on a Sunday: two
        // days in lieu, Wednesday and Thursday.
        let days = off(2028);
        assert!(days.contains(&(date!(2028 - 10 - 03), "中秋节", false)));
        assert!(days.contains(&(date!(2028 - 10 - 04), "国庆节", true)));
        assert!(days.contains(&(date!(2028 - 10 - 05), "国庆节", true)));
        assert_eq!(
            days.iter().filter(|d| d.0 == date!(2028 - 10 - 03)).count(),
            1
        );
    }

    #[test]
    fn every_year_in_range_has_its_thirteen_holiday_days() {
        for year in FIRST_YEAR..=LAST_YEAR {
            let days = statutory_days_off(year);
            // Thirteen holiday days a year, plus one in lieu of each that fell on a weekend (a
            // holiday lost to another holiday comes back in lieu too).
            let own = days.iter().filter(|d| !d.in_lieu);
            let weekend = own.clone().filter(|d| is_weekend(d.date)).count();
            assert_eq!(days.len(), 13 + weekend, "{year}");
            let mut dates: Vec<_> = days.iter().map(|d| d.date).collect();
            dates.dedup();
            assert_eq!(dates.len(), days.len(), "{year}: a date twice");
            assert!(days.iter().all(|d| !(d.in_lieu && is_weekend(d.date))));
        }
        assert!(statutory_days_off(LAST_YEAR + 1).is_empty());
    }
}
