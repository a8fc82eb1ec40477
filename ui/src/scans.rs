//! The case's scanned pages and printed documents: files waiting to be filed (scanner inbox,
//! dropped on the window, chosen in the file dialog, scanned), attaching them to a material,
//! thumbnails, and printing the receipt, notice or decision.

use crate::api;
use crate::i18n::{Key, Tr};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeSet;
use std::time::Duration;
use tongban_domain::desk::{AttachForm, CaseView, PageThumb, PendingFiles, UiError};

#[component]
pub fn Scans(view: RwSignal<Option<CaseView>>) -> impl IntoView {
    let tr = Tr::get();
    let waiting = RwSignal::new(PendingFiles::default());
    let ticked = RwSignal::new(BTreeSet::<String>::new());
    let pages = RwSignal::new(Vec::<PageThumb>::new());
    let material = RwSignal::new(String::new());
    let greyscale = RwSignal::new(false);
    let failure = RwSignal::new(None::<UiError>);
    let printed = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let number = move || view.get_untracked().map(|v| v.case.number.to_string());

    let load_pages = move || {
        if let Some(n) = number() {
            spawn_local(async move {
                if let Ok(p) = api::case_pages(n).await {
                    pages.set(p);
                }
            });
        }
    };
    // Files may land in the inbox any time, so they are polled; pages are read with the case
    // (pages a sync brings show when the case is opened again, like its other fields).
    let poll = move || {
        spawn_local(async move {
            if let Ok(files) = api::pending_files().await {
                // New files start ticked; files gone from the list are forgotten.
                let paths: BTreeSet<String> = files.files.iter().map(|f| f.path.clone()).collect();
                let known: BTreeSet<String> = waiting
                    .get_untracked()
                    .files
                    .iter()
                    .map(|f| f.path.clone())
                    .collect();
                ticked.update(|t| {
                    t.retain(|p| paths.contains(p));
                    t.extend(paths.difference(&known).cloned());
                });
                if files != waiting.get_untracked() {
                    waiting.set(files);
                }
            }
        });
    };
    Effect::new(move |_| {
        if let Some(v) = view.get()
            && material.get_untracked().is_empty()
            && let Some(first) = v.case.materials.first()
        {
            material.set(first.code.clone());
        }
    });
    // Whenever the case is (re)loaded or changed here, its pages are read again.
    Effect::new(move |_| {
        if view.with(Option::is_some) {
            load_pages();
        }
    });
    poll();
    if let Ok(handle) = set_interval_with_handle(poll, Duration::from_secs(2)) {
        on_cleanup(move || handle.clear());
    }

    let attach = move |_| {
        let Some(n) = number() else { return };
        let form = AttachForm {
            number: n,
            material: material.get_untracked(),
            paths: ticked.get_untracked().into_iter().collect(),
            greyscale: greyscale.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match api::attach_pages(form).await {
                Ok(v) => {
                    failure.set(None);
                    view.set(Some(v));
                    poll();
                }
                Err(e) => failure.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let print = move |kind: &'static str| {
        let Some(n) = number() else { return };
        spawn_local(async move {
            match api::print_document(n, kind).await {
                Ok(path) => {
                    failure.set(None);
                    printed.set(path);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let has_event = move |kind: tongban_domain::EventKind| {
        view.get()
            .is_some_and(|v| v.case.events.iter().any(|e| e.kind == kind))
    };
    let material_name = move |code: &str| {
        if let Ok(paper) = code.parse::<tongban_domain::PaperKind>() {
            return tr.now(Key::paper(paper)).to_string();
        }
        view.get()
            .and_then(|v| v.case.materials.into_iter().find(|m| m.code == code))
            .map(|m| m.name)
            .unwrap_or_else(|| code.to_string())
    };

    view! {
        <h2>{tr.t(Key::Scans)}</h2>
        <p class="form-error" id="scan-error">{move || failure.get().map(|e| tr.error(&e)).unwrap_or_default()}</p>
        <div class="pages" id="pages">
            {move || {
                let list = pages.get();
                if list.is_empty() {
                    return view! { <p class="hint">{tr.t(Key::NoPages)}</p> }.into_any();
                }
                list.into_iter().map(|p| {
                    let label = format!("{} · {}", material_name(&p.material), p.position + 1);
                    view! {
                        <figure class="page-thumb" data-material=p.material.clone() data-present=p.present.to_string()>
                            {match (p.thumbnail, p.present) {
                                (Some(src), _) => view! { <img src=src alt=label.clone()/> }.into_any(),
                                (None, true) => view! { <div class="pdf">"PDF"</div> }.into_any(),
                                (None, false) => view! { <div class="absent">{tr.t(Key::NotHereYet)}</div> }.into_any(),
                            }}
                            <figcaption>{label}</figcaption>
                        </figure>
                    }
                }).collect_view().into_any()
            }}
        </div>
        <Show when=move || view.get().is_some_and(|v| v.may_edit)>
        <div class="attach">
            <h3>{tr.t(Key::WaitingFiles)}</h3>
            {move || {
                let w = waiting.get();
                if w.files.is_empty() {
                    return view! { <p class="hint" id="no-waiting">{tr.t(Key::NoWaitingFiles)}" "<span class="mono">{w.inbox_dir}</span></p> }.into_any();
                }
                view! {
                    <ul class="waiting" id="waiting">
                        {w.files.into_iter().map(|f| {
                            let path = f.path.clone();
                            let checked = Signal::derive({ let path = path.clone(); move || ticked.get().contains(&path) });
                            view! {
                                <li>
                                    <label>
                                        <input type="checkbox" class="waiting-file" data-name=f.name.clone()
                                            prop:checked=checked
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                let path = path.clone();
                                                ticked.update(|t| { if on { t.insert(path); } else { t.remove(&path); } });
                                            }/>
                                        {f.name}" "<span class="hint">{format!("{} · {}", crate::app::readable(f.bytes), f.source)}</span>
                                    </label>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <div class="attach-row">
                <label>{tr.t(Key::AttachTo)}" "
                    <select id="attach-material" on:change=move |ev| material.set(event_target_value(&ev))>
                        // The materials, then the signed papers, rendered together once the case is
                        // here: a paper option alone would show as chosen while the form holds the
                        // first material.
                        {move || view.get().map(|v| {
                            let materials = v.case.materials.into_iter().map(|m| {
                                let selected = m.code == material.get_untracked();
                                view! { <option value=m.code.clone() selected=selected>{m.name}</option> }
                            }).collect_view();
                            let papers = tongban_domain::PaperKind::ALL.into_iter().map(|k| {
                                let selected = k.as_str() == material.get_untracked();
                                view! { <option value=k.as_str() selected=selected>{tr.t(Key::paper(k))}</option> }
                            }).collect_view();
                            (materials, papers)
                        })}
                    </select>
                </label>
                <label><input type="checkbox" id="attach-grey" on:change=move |ev| greyscale.set(event_target_checked(&ev))/>{tr.t(Key::Greyscale)}</label>
                <button class="primary" id="attach-pages" disabled=move || busy.get() || ticked.get().is_empty() on:click=attach>{tr.t(Key::AttachPages)}</button>
                <button id="pick-files" on:click=move |_| spawn_local(async move {
                    if let Err(e) = api::pick_files().await { failure.set(Some(e)); }
                })>{tr.t(Key::PickFiles)}</button>
                <Show when=move || waiting.get().scanner>
                    <button id="scan-page" on:click=move |_| spawn_local(async move {
                        if let Err(e) = api::scan_page().await { failure.set(Some(e)); }
                    })>{tr.t(Key::ScanPage)}</button>
                </Show>
            </div>
        </div>
        </Show>
        <div class="print-row">
            <button id="print-receipt" on:click=move |_| print("intake")>{tr.t(Key::PrintReceipt)}</button>
            <Show when=move || view.get().is_some_and(|v| tongban_domain::workflow::facts_locked(v.case.status) || v.deemed_accepted)>
                <button id="print-acceptance" on:click=move |_| print("acceptance")>{tr.t(Key::PrintAcceptance)}</button>
            </Show>
            <button id="print-notice" on:click=move |_| print("notice")>{tr.t(Key::PrintNotice)}</button>
            <Show when=move || view.get().is_some_and(|v| v.case.status == tongban_domain::CaseStatus::IntakeRefused)
                fallback=move || view! {
                    <button id="print-decision" on:click=move |_| print("decision")>{tr.t(Key::PrintDecision)}</button>
                }>
                <button id="print-refusal" on:click=move |_| print("refusal")>{tr.t(Key::PrintRefusal)}</button>
            </Show>
            // The clock's notices, once the case has had the change they tell of.
            <Show when=move || has_event(tongban_domain::EventKind::Suspended)>
                <button id="print-suspension" on:click=move |_| print("suspension")>{tr.t(Key::PrintSuspension)}</button>
            </Show>
            <Show when=move || view.get().is_some_and(|v| v.case.events.iter().any(|e| e.publicity.is_some()))>
                <button id="print-publicity" on:click=move |_| print("publicity")>{tr.t(Key::PrintPublicity)}</button>
            </Show>
            <Show when=move || has_event(tongban_domain::EventKind::Extended)>
                <button id="print-extension" on:click=move |_| print("extension")>{tr.t(Key::PrintExtension)}</button>
            </Show>
            <span id="print-result">{move || {
                let p = printed.get();
                if p.is_empty() { String::new() } else { format!("{}{p}", tr.now(Key::Printed)) }
            }}</span>
        </div>
    }
}
