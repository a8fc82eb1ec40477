//! A report: the figures of a period, in total and by item, clerk, township or month, and the
//! cases behind any one of them.

use super::{CaseFacts, Figures, Measure, Tally, outcome};
use crate::calendar::{WorkCalendar, date_text, parse_date};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Item,
    Clerk,
    Township,
    Month,
}

impl GroupBy {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "item" => Some(Self::Item),
            "clerk" => Some(Self::Clerk),
            "township" => Some(Self::Township),
            "month" => Some(Self::Month),
            _ => None,
        }
    }

    /// The group a case falls in: its key, and the label shown for it.
    fn key(self, facts: &CaseFacts) -> (String, String) {
        match self {
            Self::Item => (facts.item_code.clone(), facts.item_name.clone()),
            Self::Clerk => (facts.clerk.clone(), facts.clerk.clone()),
            Self::Township => (facts.township.clone(), facts.township.clone()),
            Self::Month => {
                let day = facts.received();
                (
                    format!("{:04}-{:02}", day.year(), u8::from(day.month())),
                    format!("{}年{}月", day.year(), u8::from(day.month())),
                )
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum ReportError {
    Date(String),
    Range(String, String),
    GroupBy(String),
}

impl crate::l10n::Localized for ReportError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Date(date) => text!(
                "report date {date:?} is not like 2026-11-30",
                "统计日期“{date}”格式错误，应如2026-11-30"
            ),
            Self::Range(from, to) => text!(
                "report period {from} to {to} ends before it starts",
                "统计期间{from}至{to}的结束日期早于开始日期"
            ),
            Self::GroupBy(by) => text!(
                "cannot group by {by:?}: use item, clerk, township or month",
                "不能按“{by}”分组：请用 item（事项）、clerk（收件人）、township（乡镇）或 month（月份）"
            ),
        }
    }
}

/// What a report covers: cases received from `from` to `to` (inclusive), as they stood at the
/// end of `as_of` (the last day, or today if earlier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    pub from: Date,
    pub to: Date,
    pub as_of: Date,
    pub by: Option<GroupBy>,
}

impl Query {
    /// From the command line's or a page's words: dates as YYYY-MM-DD, the period by default the
    /// current month up to today.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        by: Option<&str>,
        today: Date,
    ) -> Result<Self, ReportError> {
        let date = |text: &str| parse_date(text).ok_or_else(|| ReportError::Date(text.into()));
        let from = match from {
            Some(text) => date(text)?,
            None => today.replace_day(1).unwrap_or(today),
        };
        let to = match to {
            Some(text) => date(text)?,
            None => today,
        };
        if to < from {
            return Err(ReportError::Range(date_text(from), date_text(to)));
        }
        let by = match by {
            Some(text) => {
                Some(GroupBy::parse(text).ok_or_else(|| ReportError::GroupBy(text.into()))?)
            }
            None => None,
        };
        Ok(Self {
            from,
            to,
            as_of: to.min(today),
            by,
        })
    }

    fn covers(&self, facts: &CaseFacts) -> bool {
        (self.from..=self.to).contains(&facts.received())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub key: String,
    pub label: String,
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub from: String,
    pub to: String,
    pub as_of: String,
    pub by: Option<GroupBy>,
    pub total: Figures,
    pub groups: Vec<Group>,
}

impl Report {
    pub fn of<'a>(
        cases: impl IntoIterator<Item = &'a CaseFacts>,
        calendar: &WorkCalendar,
        query: &Query,
    ) -> Self {
        let mut total = Tally::default();
        let mut groups: BTreeMap<String, (String, Tally)> = BTreeMap::new();
        for facts in cases.into_iter().filter(|f| query.covers(f)) {
            let outcome = outcome(facts, calendar, query.as_of);
            total.add(&outcome);
            if let Some(by) = query.by {
                let (key, label) = by.key(facts);
                groups
                    .entry(key)
                    .or_insert_with(|| (label, Tally::default()))
                    .1
                    .add(&outcome);
            }
        }
        Self {
            from: date_text(query.from),
            to: date_text(query.to),
            as_of: date_text(query.as_of),
            by: query.by,
            total: total.figures(),
            groups: groups
                .into_iter()
                .map(|(key, (label, tally))| Group {
                    key,
                    label,
                    figures: tally.figures(),
                })
                .collect(),
        }
    }

    /// Groups worst first by 超期率, then by overdue cases: the county's ranking.
    pub fn ranked_by_overdue(&self) -> Vec<&Group> {
        let mut ranked: Vec<&Group> = self.groups.iter().collect();
        ranked.sort_by(|a, b| {
            let rate = |g: &Group| g.figures.overdue_rate.unwrap_or(0.0);
            rate(b)
                .total_cmp(&rate(a))
                .then(b.figures.overdue.cmp(&a.figures.overdue))
                .then(a.key.cmp(&b.key))
        });
        ranked
    }

    /// Names each group's label (a township's code becomes its name, say).
    pub fn relabel(&mut self, name: impl Fn(&str) -> Option<String>) {
        for group in &mut self.groups {
            if let Some(label) = name(&group.key) {
                group.label = label;
            }
        }
    }
}

/// The numbers of the cases behind one figure: in the whole report, or in the group `key`.
pub fn cases_behind<'a>(
    cases: impl IntoIterator<Item = &'a CaseFacts>,
    calendar: &WorkCalendar,
    query: &Query,
    key: Option<&str>,
    measure: Measure,
) -> Vec<String> {
    cases
        .into_iter()
        .filter(|f| query.covers(f))
        .filter(|f| match (key, query.by) {
            (Some(key), Some(by)) => by.key(f).0 == key,
            _ => true,
        })
        .filter(|f| outcome(f, calendar, query.as_of).has(measure))
        .map(|f| f.number.clone())
        .collect()
}

/// An open case past its promised date, as the county's supervision page warns of it (红色预警).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedCase {
    pub number: String,
    pub township: String,
    pub item_name: String,
    pub clerk: String,
    /// The promised date (YYYY-MM-DD).
    pub deadline: String,
    /// Working days past it.
    pub days_overdue: i64,
}

/// Every case still open on `today` with its promised date passed, longest overdue first.
pub fn red_cases<'a>(
    cases: impl IntoIterator<Item = &'a CaseFacts>,
    calendar: &WorkCalendar,
    today: Date,
) -> Vec<RedCase> {
    let mut red: Vec<RedCase> = cases
        .into_iter()
        .filter(|f| outcome(f, calendar, today).overdue_open)
        .filter_map(|f| {
            let deadline = crate::clock::deadline(f, calendar)?;
            Some(RedCase {
                number: f.number.clone(),
                township: f.township.clone(),
                item_name: f.item_name.clone(),
                clerk: f.clerk.clone(),
                deadline: date_text(deadline),
                days_overdue: calendar.working_days_between(deadline, today),
            })
        })
        .collect();
    red.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then_with(|| a.number.cmp(&b.number))
    });
    red
}
