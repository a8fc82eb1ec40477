//! 好差评 (国办发〔2019〕51号; GB/T 39734-2020): once a case is decided its applicant rates the
//! service on five levels, once. A 差评 (不满意 or 非常不满意) names a reason from the standard
//! list and opens a rectification the township must close within so many working days, and only
//! with a recorded follow-up (回访) and what was done (整改措施).
//!
//! The rating is an event the hub writes into the case (its device is the hub's, its author the
//! applicant), so it reaches every desk with the case and every figure reads it from the same
//! timeline. No desk can write one: the hub refuses an event of this kind from a desk.

use crate::calendar::{WorkCalendar, china_date, date_text};
use crate::case::{Case, CaseEvent, EventKind};
use crate::l10n::{Localized, Text};
use crate::text;
use serde::{Deserialize, Serialize};
use time::Date;

/// Working days a township has to rectify a 差评, unless the hub is set otherwise.
pub const DEFAULT_RECTIFY_DAYS: u16 = 5;
/// The longest a hub may allow for rectifying.
pub const MAX_RECTIFY_DAYS: u16 = 30;
/// The most characters an applicant's comment may have.
pub const MAX_COMMENT_CHARS: usize = 200;
/// The most characters of a follow-up or of what was done.
pub const MAX_RECTIFICATION_CHARS: usize = 500;
/// Who a rating's event names as its author: the applicant, through the query page.
pub const APPLICANT: &str = "applicant";

/// The five levels, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    VerySatisfied,
    Satisfied,
    Basic,
    Dissatisfied,
    VeryDissatisfied,
}

impl Satisfaction {
    pub const ALL: [Self; 5] = [
        Self::VerySatisfied,
        Self::Satisfied,
        Self::Basic,
        Self::Dissatisfied,
        Self::VeryDissatisfied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerySatisfied => "very_satisfied",
            Self::Satisfied => "satisfied",
            Self::Basic => "basic",
            Self::Dissatisfied => "dissatisfied",
            Self::VeryDissatisfied => "very_dissatisfied",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::VerySatisfied => "非常满意",
            Self::Satisfied => "满意",
            Self::Basic => "基本满意",
            Self::Dissatisfied => "不满意",
            Self::VeryDissatisfied => "非常不满意",
        }
    }

    /// 差评: the two lowest levels. The three others count as 好评.
    pub fn is_bad(self) -> bool {
        matches!(self, Self::Dissatisfied | Self::VeryDissatisfied)
    }
}

/// Why a service was rated badly: the standard list the rating page offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BadReason {
    GuideUnclear,
    RepeatedVisits,
    RepeatedMaterials,
    TooSlow,
    NotToldAtOnce,
    Attitude,
    Fees,
    System,
    Other,
}

impl BadReason {
    pub const ALL: [Self; 9] = [
        Self::GuideUnclear,
        Self::RepeatedVisits,
        Self::RepeatedMaterials,
        Self::TooSlow,
        Self::NotToldAtOnce,
        Self::Attitude,
        Self::Fees,
        Self::System,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GuideUnclear => "guide_unclear",
            Self::RepeatedVisits => "repeated_visits",
            Self::RepeatedMaterials => "repeated_materials",
            Self::TooSlow => "too_slow",
            Self::NotToldAtOnce => "not_told_at_once",
            Self::Attitude => "attitude",
            Self::Fees => "fees",
            Self::System => "system",
            Self::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text.trim())
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::GuideUnclear => "办事指南不清楚、不准确",
            Self::RepeatedVisits => "多次跑动",
            Self::RepeatedMaterials => "重复提交材料",
            Self::TooSlow => "办理时间过长",
            Self::NotToldAtOnce => "未一次性告知",
            Self::Attitude => "服务态度不好",
            Self::Fees => "收费不规范",
            Self::System => "系统不好用",
            Self::Other => "其他",
        }
    }
}

/// What the applicant said of the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub level: Satisfaction,
    /// Required for a 差评, absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<BadReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// What closes a 差评's rectification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rectification {
    /// 回访: how the applicant was contacted again and what they said.
    pub follow_up: String,
    /// 整改措施: what the township did about it.
    pub action: String,
}

/// Why a rating cannot be taken as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum RatingRefused {
    NotDecided,
    AlreadyRated,
    ReasonRequired,
    ReasonOnGood,
    CommentRequired,
    CommentTooLong,
}

impl Localized for RatingRefused {
    fn text(&self) -> Text {
        match self {
            Self::NotDecided => text!(
                "the service can be rated once the case is decided",
                "办件作出决定后才能评价"
            ),
            Self::AlreadyRated => text!(
                "this case has been rated already: one rating per case",
                "本办件已评价过，每件只能评价一次"
            ),
            Self::ReasonRequired => text!(
                "a rating of dissatisfied needs a reason from the list",
                "选择“不满意”或“非常不满意”时，请选择原因"
            ),
            Self::ReasonOnGood => text!(
                "only a dissatisfied rating takes a reason",
                "只有“不满意”或“非常不满意”需要选择原因"
            ),
            Self::CommentRequired => text!(
                "the reason \"other\" needs a few words saying what went wrong",
                "原因选择“其他”时，请写明具体问题"
            ),
            Self::CommentTooLong => text!(
                "a comment has at most {MAX_COMMENT_CHARS} characters",
                "意见不能超过{MAX_COMMENT_CHARS}个字"
            ),
        }
    }
}

/// Text typed by a person, trimmed, with control characters (but line breaks) dropped.
pub(crate) fn clean_text(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect()
}

impl Rating {
    /// The rating as the page gave it, or why it cannot be taken.
    pub fn checked(
        level: Satisfaction,
        reason: Option<BadReason>,
        comment: Option<&str>,
    ) -> Result<Self, RatingRefused> {
        let comment = comment.map(clean_text).filter(|c| !c.is_empty());
        if comment
            .as_ref()
            .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
        {
            return Err(RatingRefused::CommentTooLong);
        }
        match (level.is_bad(), reason) {
            (true, None) => return Err(RatingRefused::ReasonRequired),
            (false, Some(_)) => return Err(RatingRefused::ReasonOnGood),
            _ => {}
        }
        if reason == Some(BadReason::Other) && comment.is_none() {
            return Err(RatingRefused::CommentRequired);
        }
        Ok(Self {
            level,
            reason,
            comment,
        })
    }
}

impl Rectification {
    /// Both parts given, neither too long; `None` when one is missing.
    pub fn checked(&self) -> Option<Self> {
        let follow_up = clean_text(&self.follow_up);
        let action = clean_text(&self.action);
        let fits = |t: &str| !t.is_empty() && t.chars().count() <= MAX_RECTIFICATION_CHARS;
        (fits(&follow_up) && fits(&action)).then_some(Self { follow_up, action })
    }
}

/// A case's rating and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation<'a> {
    pub rated_at_ms: i64,
    pub rating: &'a Rating,
    /// For a 差评: the last day to rectify.
    pub due: Option<Date>,
    /// For a 差评 rectified: when, and how.
    pub rectified: Option<(i64, &'a Rectification)>,
}

impl Evaluation<'_> {
    /// A 差评 not rectified yet.
    pub fn open(&self) -> bool {
        self.rating.level.is_bad() && self.rectified.is_none()
    }

    /// Rectified on or before its last day.
    pub fn rectified_on_time(&self) -> bool {
        match (self.due, self.rectified) {
            (Some(due), Some((at, _))) => china_date(at) <= due,
            _ => false,
        }
    }
}

/// The rating the hub recorded on a case, if any (the first, should a replica hold two), and
/// the first rectification after it.
pub fn evaluation(case: &Case) -> Option<Evaluation<'_>> {
    let rated = case
        .events
        .iter()
        .find(|e| e.kind == EventKind::Rated && e.rating.is_some())?;
    let rating = rated.rating.as_ref()?;
    let rectified = case
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Rectified)
        .find_map(|e| Some((e.at_ms, e.rectification.as_ref()?)));
    Some(Evaluation {
        rated_at_ms: rated.at_ms,
        rating,
        due: rated.due.as_deref().and_then(crate::calendar::parse_date),
        rectified: rectified.filter(|_| rating.level.is_bad()),
    })
}

/// Whether the case reached its end at the window (准予, 不予, 办结 or 终止): then its applicant
/// may rate the service.
pub fn decided(case: &Case) -> bool {
    use crate::CaseStatus::*;
    matches!(case.status, Approved | Rejected | Completed | Terminated)
}

/// The event the hub writes for `rating`, given on `at_ms` through the page, with the last day
/// to rectify a 差评 `days` working days on; or why the case cannot take it.
pub fn plan_rating(
    case: &Case,
    rating: Rating,
    at_ms: i64,
    hub_device: &str,
    calendar: &WorkCalendar,
    days: u16,
) -> Result<CaseEvent, RatingRefused> {
    if !decided(case) {
        return Err(RatingRefused::NotDecided);
    }
    if case.events.iter().any(|e| e.kind == EventKind::Rated) {
        return Err(RatingRefused::AlreadyRated);
    }
    let days = days.clamp(1, MAX_RECTIFY_DAYS);
    let due = rating
        .level
        .is_bad()
        .then(|| date_text(calendar.add_working_days(china_date(at_ms), days)));
    // What the desks' timelines show: the level, the reason, the applicant's words, the day due.
    let mut detail = rating.level.label_zh().to_owned();
    if let Some(reason) = rating.reason {
        detail.push_str(&format!("：{}", reason.label_zh()));
    }
    if let Some(comment) = &rating.comment {
        detail.push_str(&format!("（{comment}）"));
    }
    if let Some(due) = &due {
        detail.push_str(&format!("，整改期限{due}"));
    }
    Ok(CaseEvent {
        at_ms,
        kind: EventKind::Rated,
        by: APPLICANT.to_owned(),
        device: hub_device.to_owned(),
        detail,
        due,
        rating: Some(rating),
        ..CaseEvent::default()
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::role::{Action, Role};
    use crate::workflow_tests::{case, step};

    fn approved_case() -> Case {
        let mut c = case("YL01", &["ID_CARD", "HOUSEHOLD_REGISTER", "ENROL_FORM"]);
        step(&mut c, "张华", Role::Supervisor, Action::Accept);
        step(&mut c, "张华", Role::Supervisor, Action::Approve);
        c
    }

    fn bad(reason: BadReason, comment: Option<&str>) -> Result<Rating, RatingRefused> {
        Rating::checked(Satisfaction::Dissatisfied, Some(reason), comment)
    }

    #[test]
    fn a_bad_rating_needs_its_reason_and_a_good_one_takes_none() {
        assert_eq!(
            Rating::checked(Satisfaction::VeryDissatisfied, None, None),
            Err(RatingRefused::ReasonRequired)
        );
        assert_eq!(
            Rating::checked(Satisfaction::Basic, Some(BadReason::TooSlow), None),
            Err(RatingRefused::ReasonOnGood)
        );
        assert_eq!(
            bad(BadReason::Other, Some("  ")),
            Err(RatingRefused::CommentRequired)
        );
        assert_eq!(
            bad(BadReason::Other, Some(&"长".repeat(MAX_COMMENT_CHARS + 1))),
            Err(RatingRefused::CommentTooLong)
        );
        let taken = bad(BadReason::Other, Some(" 窗口无人\u{7}  ")).unwrap();
        assert_eq!(taken.comment.as_deref(), Some("窗口无人"));
        assert!(Satisfaction::Basic < Satisfaction::Dissatisfied);
        assert_eq!(Satisfaction::parse("basic"), Some(Satisfaction::Basic));
        assert_eq!(BadReason::parse("fees"), Some(BadReason::Fees));
        assert_eq!(BadReason::parse("nonsense"), None);
    }

    #[test]
    fn a_case_is_rated_once_after_its_decision_and_a_bad_rating_is_due_in_working_days() {
        let calendar = WorkCalendar::builtin();
        let mut case = approved_case();
        // Friday 2026-12-04, noon in China: five working days on is Friday 2026-12-11.
        let at = 1_796_356_800_000;
        assert_eq!(date_text(china_date(at)), "2026-12-04");
        let event = plan_rating(
            &case,
            bad(BadReason::TooSlow, None).unwrap(),
            at,
            "hub-450721101",
            calendar,
            DEFAULT_RECTIFY_DAYS,
        )
        .unwrap();
        assert_eq!(event.due.as_deref(), Some("2026-12-11"));
        assert_eq!(event.from, None);
        case.events.push(event);
        let evaluation = evaluation(&case).unwrap();
        assert!(evaluation.open());
        let again = Rating::checked(Satisfaction::Satisfied, None, None).unwrap();
        assert_eq!(
            plan_rating(&case, again.clone(), at, "hub", calendar, 5),
            Err(RatingRefused::AlreadyRated)
        );
        let mut undecided = approved_case();
        undecided.events.pop();
        undecided.refold();
        assert_eq!(
            plan_rating(&undecided, again, at, "hub", calendar, 5),
            Err(RatingRefused::NotDecided)
        );
    }

    #[test]
    fn a_supervisor_closes_a_bad_rating_with_the_follow_up_and_what_was_done() {
        use crate::workflow::{Denied, Request, check_event, plan};
        use crate::workflow_tests::{act, rules};
        let calendar = WorkCalendar::builtin();
        let mut case = approved_case();
        let done = Rectification {
            follow_up: "12月8日电话回访，申请人认可".into(),
            action: "窗口增设导办员".into(),
        };
        let asking = |r: Option<Rectification>| Request {
            rectification: r,
            ..Request::default()
        };
        let planned = |case: &Case, user: &str, role: Role, done: &Rectification| {
            plan(
                case,
                user,
                role,
                Action::Rectify,
                &asking(Some(done.clone())),
                &rules(1),
            )
        };
        // Nothing to rectify before a 差评.
        assert_eq!(
            planned(&case, "张华", Role::Supervisor, &done),
            Err(Denied::NothingToRectify)
        );
        let at = case.events.last().unwrap().at_ms + 60_000;
        let rating = bad(BadReason::Attitude, None).unwrap();
        let event = plan_rating(&case, rating, at, "hub-450721101", calendar, 5).unwrap();
        // No desk writes a rating: the hub refuses it whoever signs it.
        assert!(check_event(&case, &event, Role::Supervisor, &rules(1)).is_err());
        case.events.push(event);
        assert_eq!(
            planned(&case, "李明", Role::Clerk, &done),
            Err(Denied::Role(Role::Clerk, Action::Rectify))
        );
        let half = Rectification {
            follow_up: " ".into(),
            ..done.clone()
        };
        assert_eq!(
            planned(&case, "张华", Role::Supervisor, &half),
            Err(Denied::RectificationRequired)
        );
        let planned = act(
            &mut case,
            "张华",
            Role::Supervisor,
            Action::Rectify,
            asking(Some(done.clone())),
        )
        .unwrap();
        assert_eq!(planned.rectification.as_ref(), Some(&done));
        assert_eq!((planned.from, planned.to), (None, None));
        let closed = evaluation(&case).unwrap();
        assert!(!closed.open());
        assert_eq!(closed.rectified.map(|(_, r)| r), Some(&done));
        assert_eq!(
            act(
                &mut case,
                "张华",
                Role::Supervisor,
                Action::Rectify,
                asking(Some(done))
            ),
            Err(Denied::NothingToRectify)
        );
        // A rectification rides on no other event.
        let mut forged = case.events.last().unwrap().clone();
        forged.kind = EventKind::FieldChanged;
        assert!(check_event(&case, &forged, Role::Supervisor, &rules(1)).is_err());
    }
}
