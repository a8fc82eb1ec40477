//! The archive screen (档案): finished cases with the 档号 of their package and a button to
//! export it, and the 四性 check of a package or batch (chosen in the folder dialog or typed in)
//! with its result table, every failure saying which file.

use crate::api;
use crate::i18n::{Key, Tr};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tongban_domain::desk::{ArchivedCase, PackageCheck, UiError};

#[component]
pub fn Archive() -> impl IntoView {
    let tr = Tr::get();
    let cases = RwSignal::new(Vec::<ArchivedCase>::new());
    let failure = RwSignal::new(None::<UiError>);
    let exported = RwSignal::new(String::new());
    let path = RwSignal::new(String::new());
    let stage = RwSignal::new("gd".to_string());
    let report = RwSignal::new(None::<PackageCheck>);
    let checking = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            match api::archived_cases().await {
                Ok(list) => cases.set(list),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    load();
    let export = move |number: String| {
        spawn_local(async move {
            match api::archive_export(&number).await {
                Ok(dir) => {
                    failure.set(None);
                    path.set(dir.clone());
                    exported.set(dir);
                    load();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let check = move || {
        checking.set(true);
        spawn_local(async move {
            match api::archive_check(&path.get_untracked(), &stage.get_untracked()).await {
                Ok(r) => {
                    failure.set(None);
                    report.set(Some(r));
                }
                Err(e) => {
                    report.set(None);
                    failure.set(Some(e));
                }
            }
            checking.set(false);
        });
    };
    let pick = move |_| {
        spawn_local(async move {
            match api::pick_package().await {
                Ok(Some(chosen)) => path.set(chosen),
                Ok(None) => {}
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <div class="card archive">
            <h2>{tr.t(Key::ArchiveTitle)}</h2>
            <p class="form-error" id="archive-error">{move || failure.get().map(|e| tr.error(&e)).unwrap_or_default()}</p>
            <table class="archived" id="archived-cases">
                <thead><tr>
                    <th>{tr.t(Key::CaseNumber)}</th>
                    <th>{tr.t(Key::ArchiveItem)}</th>
                    <th>{tr.t(Key::ArchiveStatus)}</th>
                    <th>{tr.t(Key::ArchiveCode)}</th>
                    <th></th>
                </tr></thead>
                <tbody>
                    {move || cases.get().into_iter().map(|a| {
                        let number = a.case.number.clone();
                        let button = format!("archive-export-{number}");
                        let row = format!("archived-{number}");
                        let status = a.case.status.parse::<tongban_domain::CaseStatus>()
                            .map(|s| tr.now(Key::status(s)).to_string())
                            .unwrap_or_else(|_| a.case.status.clone());
                        view! {
                            <tr id=row>
                                <td>{a.case.number.clone()}</td>
                                <td>{format!("{}（{}）", a.case.item_name, a.case.applicant_name)}</td>
                                <td>{status}</td>
                                <td class="code">{a.code.clone().unwrap_or_else(|| "—".into())}</td>
                                <td><button class="link export" id=button on:click=move |_| export(number.clone())>{tr.t(Key::ArchiveExport)}</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="hint" id="archive-exported">{move || {
                let dir = exported.get();
                if dir.is_empty() { String::new() } else { format!("{} {dir}", tr.now(Key::ArchiveExportedTo)) }
            }}</p>

            <h3>{tr.t(Key::ArchiveCheckTitle)}</h3>
            <div class="filters">
                <input id="archive-path" class="path" placeholder=move || tr.now(Key::ArchivePathHint)
                    prop:value=path on:input=move |ev| path.set(event_target_value(&ev))/>
                <button id="archive-pick" on:click=pick>{tr.t(Key::ArchivePick)}</button>
                <select id="archive-stage" on:change=move |ev| stage.set(event_target_value(&ev))>
                    <option value="gd" selected>{tr.t(Key::StageGd)}</option>
                    <option value="yj">{tr.t(Key::StageYj)}</option>
                    <option value="bc">{tr.t(Key::StageBc)}</option>
                </select>
                <button id="archive-check" disabled=move || checking.get() || path.get().trim().is_empty()
                    on:click=move |_| check()>{tr.t(Key::ArchiveCheck)}</button>
            </div>
            {move || report.get().map(|r| view! { <CheckTable report=r/> })}
        </div>
    }
}

#[component]
fn CheckTable(report: PackageCheck) -> impl IntoView {
    let tr = Tr::get();
    let verdict = if report.failed == 0 { "pass" } else { "fail" };
    let summary = format!(
        "{} · {} {} · {} {} · {} {}",
        report.package,
        tr.now(Key::ArchivePassed),
        report.passed,
        tr.now(Key::ArchiveFailed),
        report.failed,
        tr.now(Key::ArchiveNa),
        report.not_applicable
    );
    let signed = report
        .signer
        .clone()
        .map(|s| {
            format!(
                "{} {s} · {}",
                tr.now(Key::ArchiveSignedBy),
                report.checked_at
            )
        })
        .unwrap_or_default();
    view! {
        <p id="archive-summary" class=format!("summary {verdict}")>{summary}</p>
        <p class="hint" id="archive-signed">{signed}</p>
        <table class="checks" id="archive-report">
            <thead><tr>
                <th>{tr.t(Key::ArchiveItemCode)}</th>
                <th>{tr.t(Key::ArchiveOutcome)}</th>
                <th>{tr.t(Key::ArchiveItemName)}</th>
                <th>{tr.t(Key::ArchiveDetail)}</th>
            </tr></thead>
            <tbody>
                {report.rows.into_iter().map(|row| {
                    let outcome = row.outcome.to_lowercase();
                    let name = if row.check_zh.is_empty() {
                        row.item_zh.clone()
                    } else {
                        format!("{}（{}）", row.item_zh, row.check_zh)
                    };
                    view! {
                        <tr class=outcome.clone() data-check=row.check.clone()>
                            <td>{row.code}</td>
                            <td class="outcome">{row.outcome}</td>
                            <td>{name}</td>
                            <td class="detail">{tr.pick(&row.detail, &row.detail_zh)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
