//! The social-assistance procedure (低保, 特困) before the township reports a case up: the
//! check of the household's income and property, the home visit (入户调查, often on a field
//! laptop offline), an optional 民主评议, and a 7-day 公示 of the household in its village with
//! any objections recorded (《社会救助暂行办法》第十一条, 《最低生活保障审核确认办法》). Each
//! step is an event on the case's timeline; the catalogue says which steps an item needs before
//! 上报, and the planner holds the report back until they are there and the 公示 is over.

use crate::case::{Case, EventKind};
use serde::{Deserialize, Serialize};
use time::Date;

/// Calendar days a household's 公示 lasts.
pub const PUBLICITY_DAYS: i64 = 7;
/// The most people one household's 公示 may list, and the largest monthly amount (yuan).
pub const MAX_HOUSEHOLD: u8 = 30;
pub const MAX_MONTHLY_YUAN: u32 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// 家庭经济状况核对: income and property checked with the authorisation the household signed.
    IncomeCheck,
    /// 入户调查: two staff visit the household and record what they found.
    HomeVisit,
    /// 民主评议: the village's appraisal, where the township holds one.
    Appraisal,
    /// 公示: the household, its size and the proposed amount posted in the village for 7 days.
    Publicity,
    /// An objection raised during the 公示, and how it was looked into.
    Objection,
}

impl StepKind {
    pub const ALL: [StepKind; 5] = [
        Self::IncomeCheck,
        Self::HomeVisit,
        Self::Appraisal,
        Self::Publicity,
        Self::Objection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::IncomeCheck => "income_check",
            Self::HomeVisit => "home_visit",
            Self::Appraisal => "appraisal",
            Self::Publicity => "publicity",
            Self::Objection => "objection",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::IncomeCheck => "家庭经济状况核对",
            Self::HomeVisit => "入户调查",
            Self::Appraisal => "民主评议",
            Self::Publicity => "公示",
            Self::Objection => "公示异议",
        }
    }
}

impl std::fmt::Display for StepKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for StepKind {
    type Err = crate::l10n::Text;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                crate::text!(
                    "unknown step {s:?}; use income_check, home_visit, appraisal, publicity or objection",
                    "未知的核查步骤“{s}”，可用 income_check、home_visit、appraisal、publicity、objection"
                )
            })
    }
}

/// What a 公示 posts: from which day, how many people the household has and the monthly amount
/// proposed. Never an ID number: the list hangs on a village board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publicity {
    /// The first day of the 公示 (YYYY-MM-DD).
    pub from: String,
    pub household: u8,
    pub monthly_yuan: u32,
}

impl Publicity {
    pub fn first_day(&self) -> Option<Date> {
        crate::calendar::parse_date(&self.from)
    }

    /// The last day objections are taken.
    pub fn last_day(&self) -> Option<Date> {
        self.first_day()
            .map(|d| d + time::Duration::days(PUBLICITY_DAYS - 1))
    }
}

/// The steps recorded on the case so far, in timeline order.
pub fn recorded(case: &Case) -> impl Iterator<Item = (StepKind, &crate::CaseEvent)> {
    case.events
        .iter()
        .filter(|e| e.kind == EventKind::StepRecorded)
        .filter_map(|e| e.step.map(|s| (s, e)))
}

/// The 公示 that counts: the last one posted.
pub fn publicity(case: &Case) -> Option<&Publicity> {
    recorded(case)
        .filter_map(|(_, e)| e.publicity.as_ref())
        .last()
}

/// What a step records, once the rules allowed it: the item has an assistance procedure, a 公示
/// gives its first day (from registration to today), the household's size and the amount, and
/// an objection answers a 公示 posted before.
pub(crate) fn plan_step(
    case: &Case,
    request: &crate::Request,
    rules: &crate::workflow::Rules<'_>,
) -> Result<(StepKind, Option<Publicity>), crate::Denied> {
    use crate::Denied;
    if rules.item.is_none_or(|item| item.steps.is_empty()) {
        return Err(Denied::NoSteps);
    }
    let step = request.step.ok_or(Denied::StepRequired)?;
    let publicity = match (step, &request.publicity) {
        (StepKind::Publicity, Some(p)) => {
            let posted = p
                .first_day()
                .is_some_and(|d| earliest_publicity(case) <= d && d <= rules.today);
            let sized = (1..=MAX_HOUSEHOLD).contains(&p.household)
                && (1..=MAX_MONTHLY_YUAN).contains(&p.monthly_yuan);
            if !posted || !sized {
                return Err(Denied::PublicityDetails);
            }
            Some(p.clone())
        }
        (StepKind::Publicity, None) | (_, Some(_)) => return Err(Denied::PublicityDetails),
        (StepKind::Objection, None) if publicity(case).is_none() => {
            return Err(Denied::NoPublicity);
        }
        (_, None) => None,
    };
    // The household's members are what a home visit finds; no other step lists them.
    let members = &request.members;
    if !members.is_empty() && step != StepKind::HomeVisit
        || members.len() > usize::from(MAX_HOUSEHOLD)
    {
        return Err(Denied::MemberDetails);
    }
    for m in members {
        if Member::new(&m.name, &m.relation).as_ref() != Ok(m) {
            return Err(Denied::MemberDetails);
        }
    }
    Ok((step, publicity))
}

/// The first day a 公示 may have: it follows the acceptance, the investigation it publishes
/// and any 公示 before it (a later one never shortens it), so a first day typed in the past
/// cannot end it early.
fn earliest_publicity(case: &Case) -> Date {
    let day = crate::calendar::china_date;
    let accepted = day(case.accepted_at_ms.unwrap_or(case.created_at_ms));
    recorded(case)
        .filter(|(s, _)| *s != StepKind::Objection)
        .map(|(s, e)| match (s, &e.publicity) {
            (StepKind::Publicity, Some(p)) => p.first_day().unwrap_or(day(e.at_ms)),
            _ => day(e.at_ms),
        })
        .fold(accepted, Date::max)
}

/// Whether the case may go up: every step the item needs is recorded and the 公示 is over.
pub(crate) fn check_ready(
    case: &Case,
    rules: &crate::workflow::Rules<'_>,
) -> Result<(), crate::Denied> {
    let Some(item) = rules.item else {
        return Ok(());
    };
    let missing: Vec<&str> = item
        .steps
        .iter()
        .filter(|step| !recorded(case).any(|(s, _)| s == **step))
        .map(|s| s.label_zh())
        .collect();
    if !missing.is_empty() {
        return Err(crate::Denied::StepsMissing(missing.join("、")));
    }
    if !item.steps.contains(&StepKind::Publicity) {
        return Ok(());
    }
    // The 公示 that counts publishes what was found: a step recorded after it needs a new one.
    let posted = publicity(case).and_then(|p| Some((p.first_day()?, p.last_day()?)));
    let investigated = recorded(case)
        .filter(|(s, _)| !matches!(s, StepKind::Publicity | StepKind::Objection))
        .map(|(_, e)| crate::calendar::china_date(e.at_ms))
        .max();
    match posted {
        Some((first, _)) if investigated.is_some_and(|d| d > first) => Err(
            crate::Denied::StepsMissing(StepKind::Publicity.label_zh().to_string()),
        ),
        Some((_, last)) if rules.today <= last => Err(crate::Denied::PublicityRunning(
            crate::calendar::date_text(last),
        )),
        Some(_) => Ok(()),
        None => Err(crate::Denied::StepsMissing(
            StepKind::Publicity.label_zh().to_string(),
        )),
    }
}

/// The most characters of a member's relation to the applicant (配偶, 长子, 孙女…).
pub const MAX_RELATION_CHARS: usize = 10;

/// A member of the applicant's household as the home visit found it: who, and how related to
/// the applicant. No ID number: the household is checked by its register, not listed by it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub relation: String,
}

impl Member {
    /// `姓名:关系` as typed at the window or on the command line.
    pub fn parse(text: &str) -> Result<Self, crate::Denied> {
        let (name, relation) = text
            .split_once([':', '：'])
            .ok_or(crate::Denied::MemberDetails)?;
        Self::new(name, relation)
    }

    pub fn new(name: &str, relation: &str) -> Result<Self, crate::Denied> {
        let name =
            crate::registration::validate_name(name).map_err(|_| crate::Denied::MemberDetails)?;
        let relation = relation.trim();
        let count = relation.chars().count();
        if count == 0 || count > MAX_RELATION_CHARS || relation.chars().any(char::is_control) {
            return Err(crate::Denied::MemberDetails);
        }
        Ok(Self {
            name,
            relation: relation.to_string(),
        })
    }
}

/// The household as the last home visit that listed it found it.
pub fn household(case: &Case) -> &[Member] {
    recorded(case)
        .filter(|(s, e)| *s == StepKind::HomeVisit && !e.members.is_empty())
        .map(|(_, e)| e.members.as_slice())
        .last()
        .unwrap_or(&[])
}
