//! The hub's checks of what a change does to a case's materials and papers.
#![allow(clippy::unwrap_used)]

use super::*;
use tongban_domain::{
    Applicant, ApplicantId, CaseNumber, CaseStatus, MaterialState, MaterialStatus, PageRef,
    ResidentId, TownshipCode,
};

fn page(n: u8) -> PageRef {
    PageRef {
        sha256: format!("{n:064x}"),
        bytes: 1000,
        mime: "image/jpeg".into(),
        width: 10,
        height: 10,
    }
}

fn case(pages: Vec<PageRef>) -> Case {
    let township = TownshipCode::parse("450721101").unwrap();
    let today = time::macros::date!(2026 - 11 - 20);
    Case {
        number: CaseNumber::new(&township, today, 1, 1).unwrap(),
        township,
        item_code: "YL01".into(),
        item_name: "城乡居民养老保险参保登记".into(),
        promised_days: 5,
        catalogue_version: 2,
        query_hash: None,
        applicant: Applicant {
            name: "覃秀梅".into(),
            id: ApplicantId::Resident(ResidentId::parse("11010519491231002X", today).unwrap()),
            agent: None,
            phone: None,
            address: None,
        },
        materials: vec![MaterialState {
            code: "ID_CARD".into(),
            name: "居民身份证".into(),
            status: MaterialStatus::Received,
            pages,
        }],
        papers: tongban_domain::paper::blank_papers(),
        status: CaseStatus::Registered,
        clerk: "李明".into(),
        created_at_ms: 0,
        updated_at_ms: 0,
        events: Vec::new(),
        assignee: None,
        conflict: None,
        accepted_at_ms: None,
        materials_due: None,
    }
}

fn attached(material: &str) -> CaseEvent {
    CaseEvent {
        kind: EventKind::PagesAttached,
        missing: vec![material.into()],
        ..CaseEvent::default()
    }
}

#[test]
fn pages_only_grow_and_only_with_an_attachment_naming_the_material() {
    let before = case(vec![page(1)]);
    let grown = case(vec![page(1), page(2)]);
    let event = attached("ID_CARD");
    assert!(check_materials(&before, &grown, &[&event]).is_ok());
    let err = check_materials(&before, &grown, &[]).unwrap_err();
    assert!(err.en.contains("without a recorded attachment"), "{err}");
    let other = attached("HOUSEHOLD_REGISTER");
    assert!(check_materials(&before, &grown, &[&other]).is_err());
    let swapped = case(vec![page(2)]);
    let err = check_materials(&before, &swapped, &[&event]).unwrap_err();
    assert!(err.zh.contains("页面被更改"), "{err}");
    let mut renamed = grown.clone();
    renamed.materials[0].name = "别的材料".into();
    let err = check_materials(&before, &renamed, &[&event]).unwrap_err();
    assert!(err.zh.contains("材料清单不可更改"), "{err}");
}

#[test]
fn a_papers_pages_only_grow_with_an_attachment_naming_it() {
    let before = case(vec![page(1)]);
    let mut signed = before.clone();
    signed.papers[0].pages.push(page(9));
    let material_attachment = attached("ID_CARD");
    let err = check_papers(&before, &signed, &[&material_attachment]).unwrap_err();
    assert!(err.zh.contains("撤回申请书的页面被更改"), "{err}");
    let wrong_paper = CaseEvent {
        kind: EventKind::PagesAttached,
        paper: Some(PaperKind::DeliveryReceipt),
        ..CaseEvent::default()
    };
    assert!(check_papers(&before, &signed, &[&wrong_paper]).is_err());
    let right = CaseEvent {
        paper: Some(PaperKind::WithdrawalRequest),
        ..wrong_paper
    };
    assert!(check_papers(&before, &signed, &[&right]).is_ok());
    assert!(
        check_papers(&signed, &before, &[&right]).is_err(),
        "pages never go"
    );
}
