//! Pages and printed documents against a real SQLCipher store.
#![allow(clippy::unwrap_used)]

use crate::test_desk::{desk, session};
use crate::{DocKind, StoreError};
use time::OffsetDateTime;
use time::macros::datetime;
use tongban_domain::{CaseStatus, Move, Registration, SecurityPolicy};
use tongban_pages::{ImportOptions, Page, PageLimits};

const NOW: OffsetDateTime = datetime!(2026-11-16 10:00 +8);

pub(crate) fn page(seed: u8) -> Page {
    let image = image_bytes(seed);
    tongban_pages::import_bytes(
        "scan.png",
        &image,
        ImportOptions::default(),
        &PageLimits::default(),
    )
    .unwrap()
}

/// A one-page PDF that differs by seed: the store keeps PDFs byte for byte.
fn image_bytes(seed: u8) -> Vec<u8> {
    let mut pdf = Vec::new();
    pdf.extend_from_slice(b"%PDF-1.4\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Seed {seed} >>"),
    ];
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn registered(store: &mut crate::Store) -> String {
    let registration = Registration {
        item: "YL01".into(),
        name: "覃秀梅".into(),
        id_number: "450721198806152311".into(),
        received: vec!["ID_CARD".into()],
        ..Default::default()
    };
    store
        .register(registration, &session("李明"), NOW)
        .unwrap()
        .number
        .to_string()
}

#[test]
fn pages_attach_to_a_material_once_per_content_and_come_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    let number = registered(&mut store);
    let (a, b) = (page(1), page(2));
    assert_ne!(a.sha256, b.sha256);
    let case = store
        .attach_pages(
            &number,
            "ID_CARD",
            &[a.clone(), b.clone()],
            &session("李明"),
            NOW,
        )
        .unwrap();
    let id_card = case.materials.iter().find(|m| m.code == "ID_CARD").unwrap();
    assert_eq!(id_card.pages.len(), 2);
    // The same scan filed under a second material is stored once.
    let other = case
        .materials
        .iter()
        .find(|m| m.code != "ID_CARD")
        .unwrap()
        .code
        .clone();
    store
        .attach_pages(
            &number,
            &other,
            std::slice::from_ref(&a),
            &session("李明"),
            NOW,
        )
        .unwrap();
    let blobs: i64 = store
        .conn
        .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(blobs, 2);
    let pages = store.case_pages(&number).unwrap();
    assert_eq!(pages.len(), 3);
    assert!(pages.iter().all(|p| p.present));
    assert_eq!(store.page_bytes(&a.sha256).unwrap().unwrap(), a.bytes);
    assert_eq!(store.pages_to_upload().unwrap().len(), 2);
    let last = case.events.last().unwrap();
    assert_eq!(last.kind, tongban_domain::EventKind::PagesAttached);
    assert_eq!(last.missing, vec!["ID_CARD".to_string()]);

    // A flipped byte in a stored page is an error, never data.
    store
        .conn
        .execute(
            "UPDATE blobs SET bytes = CAST(replace(CAST(bytes AS TEXT), 'Seed 2', 'Seed 3') AS BLOB) WHERE sha256 = ?1",
            [&b.sha256],
        )
        .unwrap();
    assert!(matches!(
        store.page_bytes(&b.sha256),
        Err(StoreError::Corrupt(_))
    ));
}

#[test]
fn attaching_follows_the_roles_and_names_unknown_materials() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    let number = registered(&mut store);
    let err = store
        .attach_pages(&number, "ID_CARD", &[page(1)], &session("张华"), NOW)
        .unwrap_err();
    assert!(matches!(err, StoreError::Denied(_)), "{err}");
    let err = store
        .attach_pages(&number, "NOPE", &[page(1)], &session("李明"), NOW)
        .unwrap_err();
    assert!(
        err.to_string().contains("NOPE") && err.to_string().contains("ID_CARD"),
        "{err}"
    );
    assert!(store.case_pages(&number).unwrap().is_empty());
    let blobs: i64 = store
        .conn
        .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(blobs, 0, "a refused attachment stored nothing");
}

#[test]
fn documents_print_only_when_the_case_has_what_they_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), SecurityPolicy::default());
    let number = registered(&mut store);
    let clerk = session("李明");
    let receipt = store
        .print_document(&clerk, &number, DocKind::Intake, NOW)
        .unwrap();
    assert!(receipt.starts_with(b"%PDF-") && receipt.len() < 200 * 1024);
    let err = store
        .print_document(&clerk, &number, DocKind::Notice, NOW)
        .unwrap_err();
    assert!(err.to_string().contains("一次性告知书"), "{err}");
    let err = store
        .print_document(&clerk, &number, DocKind::Decision, NOW)
        .unwrap_err();
    assert!(err.to_string().contains("尚未作出决定"), "{err}");

    store
        .act(
            &clerk,
            &number,
            &Move::Return {
                missing: Vec::new(),
                due: None,
                reason: None,
            },
            NOW,
        )
        .unwrap();
    let notice = store
        .print_document(&clerk, &number, DocKind::Notice, NOW)
        .unwrap();
    assert!(notice.starts_with(b"%PDF-"));

    let supervisor = session("张华");
    store
        .act(
            &clerk,
            &number,
            &Move::Supplement {
                brought: Vec::new(),
                reason: None,
            },
            NOW,
        )
        .unwrap();
    store
        .act(
            &supervisor,
            &number,
            &Move::Accept {
                deferred: Vec::new(),
                commitment: None,
                due: None,
            },
            NOW,
        )
        .unwrap();
    let approve = Move::Approve {
        reason: Some("符合条件".into()),
    };
    let case = store.act(&supervisor, &number, &approve, NOW).unwrap();
    assert_eq!(case.status, CaseStatus::Approved);
    let decision = store
        .print_document(&clerk, &number, DocKind::Decision, NOW)
        .unwrap();
    assert!(decision.starts_with(b"%PDF-"));
    // Administrators see no cases, so they print none.
    assert!(
        store
            .print_document(&session("周敏"), &number, DocKind::Intake, NOW)
            .is_err()
    );
}

#[test]
fn an_export_name_stays_in_its_folder_whatever_the_document_says() {
    let hostile = crate::CasePage {
        material: "../../etc/cron.d/x".into(),
        position: 0,
        page: tongban_domain::PageRef {
            sha256: "/../../../../tmp/evil".into(),
            bytes: 1,
            mime: "image/jpeg".into(),
            width: 1,
            height: 1,
        },
        present: true,
    };
    let name = hostile.export_name();
    assert_eq!(name, "etccrondx-01-e.jpg");
    assert!(!name.contains('/') && !name.contains(".."));
    let empty = crate::CasePage {
        material: "../".into(),
        ..hostile
    };
    assert_eq!(empty.export_name(), "page-01-e.jpg");
}
