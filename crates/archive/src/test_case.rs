//! One registered case for the crate's tests.

use tongban_domain::{Case, CaseNumber, Catalogue, Desk, Registration, TownshipCode};

/// 覃秀梅's application for `item`, registered at 檀圩镇 on 20 November 2026 as its 7th case.
pub(crate) fn case(item: &str) -> Case {
    let township = TownshipCode::parse("450721101").unwrap();
    let today = time::macros::date!(2026 - 11 - 20);
    let number = CaseNumber::new(&township, today, 1, 7).unwrap();
    Registration {
        item: item.into(),
        name: "覃秀梅".into(),
        id_number: "450721198806152311".into(),
        received: vec!["ID_CARD".into()],
        ..Default::default()
    }
    .into_case(
        Catalogue::builtin(),
        number,
        &Desk {
            township: &township,
            clerk: "李明",
            device: "d1",
            now_ms: 1_795_000_000_000,
            today,
        },
    )
    .unwrap()
}

/// The case decided and finished: accepted by 李明, approved by 张华, completed.
pub(crate) fn finished_case() -> Case {
    use tongban_domain::{CaseEvent, CaseStatus, EventKind};
    let mut case = case("YL01");
    // Stored events carry their document ids.
    case.events[0].id = "e1".into();
    for (i, (kind, by, from, to)) in [
        (
            EventKind::Accepted,
            "李明",
            CaseStatus::Registered,
            CaseStatus::Accepted,
        ),
        (
            EventKind::Approved,
            "张华",
            CaseStatus::Accepted,
            CaseStatus::Approved,
        ),
        (
            EventKind::Completed,
            "李明",
            CaseStatus::Approved,
            CaseStatus::Completed,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        case.events.push(CaseEvent {
            id: format!("e{}", i + 2),
            at_ms: 1_795_000_000_000 + (i as i64 + 1) * 86_400_000,
            kind,
            by: by.into(),
            device: "d1".into(),
            from: Some(from),
            to: Some(to),
            ..CaseEvent::default()
        });
    }
    case.status = CaseStatus::Completed;
    case
}
