//! 电子监察 warnings on the desk: which of a person's cases need them now. A case warns when
//! its promised date is near (yellow) or past (red), or when it sits registered with the
//! one-time-notice limit (five working days from receipt) a day or less away.

use crate::DeadlineFlag;
use crate::calendar::{WorkCalendar, china_date, date_text};
use crate::case::CaseStatus;
use crate::clock::notice_due_after;
use crate::desk::CaseSummary;
use serde::{Deserialize, Serialize};
use time::Date;

/// Working days or fewer left before the notice limit at which a registered case warns.
pub const NOTICE_WARNING_DAYS: i64 = 1;

/// How urgent a warning is; a case is notified again only when it grows more urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    /// The one-time-notice limit is near.
    NoticeDue,
    Yellow,
    Red,
}

impl WarningLevel {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NoticeDue => "一次性告知期限将至",
            Self::Yellow => "即将超期",
            Self::Red => "已超期",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub number: String,
    pub item_name: String,
    pub level: WarningLevel,
    /// The date the warning is about (YYYY-MM-DD): the promised date or the notice limit.
    pub due: String,
}

/// The warning a listed case gives on `today`, if any.
pub fn warning_of(case: &CaseSummary, calendar: &WorkCalendar, today: Date) -> Option<Warning> {
    let level_due = match case.flag {
        Some(DeadlineFlag::Red) => Some((WarningLevel::Red, case.deadline.clone()?)),
        Some(DeadlineFlag::Yellow) => Some((WarningLevel::Yellow, case.deadline.clone()?)),
        _ if case.status == CaseStatus::Registered.as_str() => {
            let due = notice_due_after(case.created_at_ms, calendar);
            let left = calendar.working_days_left(today, due);
            ((0..=NOTICE_WARNING_DAYS).contains(&left) && china_date(case.created_at_ms) <= today)
                .then(|| (WarningLevel::NoticeDue, date_text(due)))
        }
        _ => None,
    };
    let (level, due) = level_due?;
    Some(Warning {
        number: case.number.clone(),
        item_name: case.item_name.clone(),
        level,
        due,
    })
}

/// What to tell the person about `now`'s warnings, given what they were last told (`told`, by
/// case): the warnings that are new or more urgent than before.
pub fn to_notify<'a>(
    now: &'a [Warning],
    told: &std::collections::HashMap<String, WarningLevel>,
) -> Vec<&'a Warning> {
    now.iter()
        .filter(|w| told.get(&w.number).is_none_or(|before| w.level > *before))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn listed(status: &str, created: Date, flag: Option<DeadlineFlag>) -> CaseSummary {
        CaseSummary {
            number: "450721101-20261116-001-0001".into(),
            item_code: "YL01".into(),
            item_name: "参保登记".into(),
            status: status.into(),
            created_at_ms: created.midnight().assume_utc().unix_timestamp() * 1000 + 3_600_000,
            deadline: flag.map(|_| "2026-11-20".into()),
            flag,
            ..CaseSummary::default()
        }
    }

    #[test]
    fn cases_warn_by_their_flag_or_their_notice_limit() {
        let c = WorkCalendar::builtin();
        let today = date!(2026 - 11 - 20);
        let red = warning_of(
            &listed("accepted", today, Some(DeadlineFlag::Red)),
            c,
            today,
        );
        assert_eq!(red.map(|w| w.level), Some(WarningLevel::Red));
        let green = listed("accepted", today, Some(DeadlineFlag::Green));
        assert_eq!(warning_of(&green, c, today), None);
        // Received Monday 16 November: the notice is due Monday the 23rd, one working day
        // after Friday the 20th; received on the 20th it is four days off.
        let near =
            warning_of(&listed("registered", date!(2026 - 11 - 16), None), c, today).unwrap();
        assert_eq!(
            (near.level, near.due.as_str()),
            (WarningLevel::NoticeDue, "2026-11-23")
        );
        assert_eq!(
            warning_of(&listed("registered", today, None), c, today),
            None
        );
        // Returned with a notice: nothing more to warn of.
        let returned = listed("supplement_requested", date!(2026 - 11 - 16), None);
        assert_eq!(warning_of(&returned, c, today), None);
    }

    #[test]
    fn a_case_is_told_again_only_when_more_urgent() {
        let warn = |level| Warning {
            number: "n1".into(),
            item_name: String::new(),
            level,
            due: String::new(),
        };
        let mut told = std::collections::HashMap::new();
        let yellow = [warn(WarningLevel::Yellow)];
        assert_eq!(to_notify(&yellow, &told).len(), 1);
        told.insert("n1".to_string(), WarningLevel::Yellow);
        assert!(to_notify(&yellow, &told).is_empty());
        assert_eq!(to_notify(&[warn(WarningLevel::Red)], &told).len(), 1);
    }
}
