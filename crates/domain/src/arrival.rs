//! What a case must be when it arrives from another replica (the hub checks every desk's): a
//! new case matches the catalogue it claims (item, name, promised days, materials), and every
//! case keeps its strings, lists and times within bounds, whatever a dishonest desk wrote.

use crate::case::{validate_address, validate_name};
use crate::page::{MAX_PAGES_PER_MATERIAL, PageRef};
use crate::session::check_user_name;
use crate::{Case, Catalogue, Localized};

/// More events than any real case gathers (registration, moves, corrections, attachments).
pub const MAX_EVENTS: usize = 2_000;
/// The longest free text an event carries (a detail, a reason).
pub const MAX_EVENT_TEXT_CHARS: usize = 2_000;
/// How far ahead of the checker's clock a time may lie (desks' clocks drift).
pub const MAX_CLOCK_AHEAD_MS: i64 = 5 * 60 * 1000;
/// No case of this product was written before 2024.
pub const EARLIEST_MS: i64 = 1_704_067_200_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum ArrivalError {
    UnknownItem(String),
    ItemMismatch(String),
    Material {
        item: String,
        material: String,
    },
    Applicant(crate::l10n::Text),
    UserName(String),
    TooManyEvents,
    TextTooLong,
    Time,
    Page(String),
    TooManyPages(String),
    QueryHash,
    /// The case names a township other than its number's.
    Township {
        named: String,
        numbered: String,
    },
}

impl crate::l10n::Localized for ArrivalError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Township { named, numbered } => text!(
                "the case names township {named} but its number is township {numbered}'s",
                "办件所属乡镇{named}与其编号的乡镇{numbered}不符"
            ),
            Self::QueryHash => text!(
                "the query code's hash is not a SHA-256",
                "查询码摘要格式不正确"
            ),
            Self::UnknownItem(item) => text!(
                "item {item} is not in the catalogue",
                "事项{item}不在事项目录中"
            ),
            Self::ItemMismatch(item) => text!(
                "item {item}'s name or promised days differ from the catalogue",
                "事项{item}的名称或承诺时限与目录不符"
            ),
            Self::Material { item, material } => text!(
                "material {material} does not belong to item {item} as the catalogue has it",
                "材料{material}与事项{item}的目录不符"
            ),
            Self::Applicant(why) => why.clone(),
            Self::UserName(name) => text!(
                "clerk or user name {name:?} is not a valid account name",
                "经办人名称无效"
            ),
            Self::TooManyEvents => text!(
                "the case has more than {MAX_EVENTS} events",
                "办件记录超过{MAX_EVENTS}条"
            ),
            Self::TextTooLong => text!(
                "an event's text is longer than {MAX_EVENT_TEXT_CHARS} characters",
                "记录文字超过{MAX_EVENT_TEXT_CHARS}个字符"
            ),
            Self::Time => text!(
                "a time in the case lies outside 2024 to now",
                "办件中的时间超出合理范围"
            ),
            Self::Page(detail) => text!("a page reference is invalid: {detail}", "页面引用无效"),
            Self::TooManyPages(material) => text!(
                "material {material} has more than {MAX_PAGES_PER_MATERIAL} pages",
                "材料{material}页数超过上限"
            ),
        }
    }
}

/// A newly arriving case against the catalogue it was registered under.
pub fn check_new(case: &Case, catalogue: &Catalogue) -> Result<(), ArrivalError> {
    let item = catalogue
        .items
        .iter()
        .find(|i| i.code == case.item_code)
        .ok_or_else(|| ArrivalError::UnknownItem(case.item_code.clone()))?;
    if item.name != case.item_name || item.promised_days != case.promised_days {
        return Err(ArrivalError::ItemMismatch(case.item_code.clone()));
    }
    let mut seen = std::collections::HashSet::new();
    for material in &case.materials {
        let known = item
            .material(&material.code)
            .is_some_and(|spec| spec.name == material.name);
        if !known || !seen.insert(material.code.as_str()) {
            return Err(ArrivalError::Material {
                item: item.code.clone(),
                material: material.code.clone(),
            });
        }
    }
    Ok(())
}

/// Bounds every arriving case keeps, new or changed.
pub fn check_bounds(case: &Case, now_ms: i64) -> Result<(), ArrivalError> {
    // A case is counted (and shared, and supervised) as its number's township's.
    if case.township.as_str() != case.number.township() {
        return Err(ArrivalError::Township {
            named: case.township.to_string(),
            numbered: case.number.township().to_string(),
        });
    }
    let name =
        validate_name(&case.applicant.name).map_err(|e| ArrivalError::Applicant(e.text()))?;
    if name != case.applicant.name {
        return Err(ArrivalError::Applicant(crate::text!(
            "the applicant's name has spaces around it",
            "申请人姓名前后有空格"
        )));
    }
    if let Some(agent) = &case.applicant.agent {
        let name = validate_name(&agent.name).map_err(|e| ArrivalError::Applicant(e.text()))?;
        if name != agent.name {
            return Err(ArrivalError::Applicant(crate::text!(
                "the agent's name has spaces around it",
                "代办人姓名前后有空格"
            )));
        }
    }
    if let Some(address) = &case.applicant.address {
        validate_address(address).map_err(|e| ArrivalError::Applicant(e.text()))?;
    }
    check_user_name(&case.clerk).map_err(|_| ArrivalError::UserName(case.clerk.clone()))?;
    if let Some(hash) = &case.query_hash
        && !(hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
    {
        return Err(ArrivalError::QueryHash);
    }
    let latest = now_ms.saturating_add(MAX_CLOCK_AHEAD_MS);
    let in_time = |at: i64| (EARLIEST_MS..=latest).contains(&at);
    if !in_time(case.created_at_ms) {
        return Err(ArrivalError::Time);
    }
    if case.events.len() > MAX_EVENTS {
        return Err(ArrivalError::TooManyEvents);
    }
    for event in &case.events {
        if !in_time(event.at_ms) {
            return Err(ArrivalError::Time);
        }
        check_user_name(&event.by).map_err(|_| ArrivalError::UserName(event.by.clone()))?;
        let long = |text: &str| text.chars().count() > MAX_EVENT_TEXT_CHARS;
        if long(&event.detail)
            || event.reason.as_deref().is_some_and(long)
            || event.device.len() > 64
            || event.missing.len() > 100
            || event.resolves.len() > 100
            || event.due.as_deref().is_some_and(|d| d.len() > 10)
        {
            return Err(ArrivalError::TextTooLong);
        }
    }
    for material in &case.materials {
        if material.pages.len() > MAX_PAGES_PER_MATERIAL {
            return Err(ArrivalError::TooManyPages(material.code.clone()));
        }
        material
            .pages
            .iter()
            .try_for_each(PageRef::check)
            .map_err(|e| ArrivalError::Page(e.to_string()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::{CaseNumber, Desk, Registration, TownshipCode};

    const NOW: i64 = 1_795_000_000_000;

    fn case() -> Case {
        let township = TownshipCode::parse("450721101").unwrap();
        let today = time::macros::date!(2026 - 11 - 20);
        let number = CaseNumber::new(&township, today, 1, 1).unwrap();
        Registration {
            item: "DB01".into(),
            name: "覃秀梅".into(),
            id_number: "450721198806152311".into(),
            id_type: crate::IdType::Resident,
            agent: None,
            phone: None,
            address: None,
            received: vec!["ID_CARD".into()],
        }
        .into_case(
            Catalogue::builtin(),
            number,
            &Desk {
                township: &township,
                clerk: "李明",
                device: "d1",
                now_ms: NOW - 1000,
                today,
            },
        )
        .unwrap()
    }

    #[test]
    fn a_registered_case_passes_and_each_departure_is_named() {
        let good = case();
        assert_eq!(check_new(&good, Catalogue::builtin()), Ok(()));
        assert_eq!(check_bounds(&good, NOW), Ok(()));

        let mut unknown = good.clone();
        unknown.item_code = "XX99".into();
        assert!(matches!(
            check_new(&unknown, Catalogue::builtin()),
            Err(ArrivalError::UnknownItem(_))
        ));
        let mut days = good.clone();
        days.promised_days += 30;
        assert!(matches!(
            check_new(&days, Catalogue::builtin()),
            Err(ArrivalError::ItemMismatch(_))
        ));
        // A desk filing its case under another township (another's figures, another's county).
        let mut elsewhere = good.clone();
        elsewhere.township = TownshipCode::parse("450722101").unwrap();
        assert!(matches!(
            check_bounds(&elsewhere, NOW),
            Err(ArrivalError::Township { .. })
        ));
        let mut foreign = good.clone();
        foreign.materials[0].code = "PASSPORT".into();
        assert!(matches!(
            check_new(&foreign, Catalogue::builtin()),
            Err(ArrivalError::Material { .. })
        ));
        let mut twice = good.clone();
        twice.materials.push(twice.materials[0].clone());
        assert!(matches!(
            check_new(&twice, Catalogue::builtin()),
            Err(ArrivalError::Material { .. })
        ));

        let mut long = good.clone();
        long.applicant.name = "秀".repeat(51);
        assert!(matches!(
            check_bounds(&long, NOW),
            Err(ArrivalError::Applicant(_))
        ));
        let mut future = good.clone();
        future.events[0].at_ms = NOW + MAX_CLOCK_AHEAD_MS + 1;
        assert_eq!(check_bounds(&future, NOW), Err(ArrivalError::Time));
        let mut ancient = good.clone();
        ancient.created_at_ms = 0;
        assert_eq!(check_bounds(&ancient, NOW), Err(ArrivalError::Time));
        let mut chatty = good.clone();
        chatty.events[0].detail = "x".repeat(MAX_EVENT_TEXT_CHARS + 1);
        assert_eq!(check_bounds(&chatty, NOW), Err(ArrivalError::TextTooLong));
        let mut many = good.clone();
        many.events = vec![many.events[0].clone(); MAX_EVENTS + 1];
        assert_eq!(check_bounds(&many, NOW), Err(ArrivalError::TooManyEvents));
        let mut hashed = good.clone();
        hashed.query_hash = Some("0".repeat(64));
        assert_eq!(check_bounds(&hashed, NOW), Ok(()));
        for bad in ["7KQ2-M9XD".to_string(), "A".repeat(64), "0".repeat(65)] {
            hashed.query_hash = Some(bad);
            assert_eq!(check_bounds(&hashed, NOW), Err(ArrivalError::QueryHash));
        }
        let mut nameless = good;
        nameless.events[0].by = String::new();
        assert!(matches!(
            check_bounds(&nameless, NOW),
            Err(ArrivalError::UserName(_))
        ));
    }
}
