//! The case list (filters, search, paging) and one case's detail with corrections.

use crate::api;
use crate::app::{Screen, local_time};
use crate::casework::{ActionPanel, Standing};
use crate::enrol::Field;
use crate::i18n::{Key, Tr};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tongban_domain::desk::{CasePage, CaseQuery, CaseView, ShownCase, UiError, Unmasked};
use tongban_domain::{CaseField, CaseStatus, MaterialStatus};

const PAGE: u32 = 50;
/// The list asks again this long after the last key typed in the search, not at every key.
const TYPING_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

#[component]
pub fn CaseList() -> impl IntoView {
    let tr = Tr::get();
    let screen = expect_context::<RwSignal<Screen>>();
    let search_focus = expect_context::<RwSignal<u32>>();
    // What the search field shows, and what the list was last asked for.
    let typed = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let status = RwSignal::new(String::new());
    let item = RwSignal::new(String::new());
    let date = RwSignal::new(String::new());
    let offset = RwSignal::new(0u32);
    let page = RwSignal::new(CasePage::default());
    let failure = RwSignal::new(None::<UiError>);
    let catalogue = RwSignal::new(Vec::new());
    let search_ref = NodeRef::<leptos::html::Input>::new();
    spawn_local(async move {
        if let Ok(c) = api::catalog().await {
            catalogue.set(c.items);
        }
    });
    Effect::new(move |_| {
        search_focus.get();
        if let Some(el) = search_ref.get() {
            let _ = el.focus();
        }
    });
    // A resource keeps only the answer to the latest question: an older, slower answer that
    // arrives after it is dropped, never shown over it.
    let answer = LocalResource::new(move || {
        let query = CaseQuery {
            status: status.get().parse().ok(),
            item: Some(item.get()).filter(|i| !i.is_empty()),
            text: Some(text.get()).filter(|t| !t.trim().is_empty()),
            date: Some(date.get()).filter(|d| !d.is_empty()),
            offset: offset.get(),
            limit: PAGE,
        };
        api::list_cases(query)
    });
    Effect::new(move |_| match answer.get() {
        Some(Ok(p)) => {
            failure.set(None);
            page.set(p);
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let search = move |value: String| {
        typed.set(value.clone());
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let asked = set_timeout_with_handle(
            move || {
                text.set(value);
                offset.set(0);
            },
            TYPING_PAUSE,
        );
        pending.set_value(asked.ok());
    };
    let reset = move || offset.set(0);
    view! {
        <div class="card cases">
            <div class="filters">
                <input id="case-search" node_ref=search_ref placeholder=move || tr.now(Key::SearchCases)
                    prop:value=move || typed.get()
                    on:input=move |ev| search(event_target_value(&ev)) />
                <select id="status-filter" on:change=move |ev| { status.set(event_target_value(&ev)); reset(); }>
                    <option value="">{tr.t(Key::AllStatuses)}</option>
                    {CaseStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{tr.t(Key::status(*s))}</option> }).collect_view()}
                </select>
                <select id="item-filter" on:change=move |ev| { item.set(event_target_value(&ev)); reset(); }>
                    <option value="">{tr.t(Key::AllItems)}</option>
                    {move || catalogue.get().into_iter().map(|i| view! { <option value=i.code.clone()>{i.name}</option> }).collect_view()}
                </select>
                <label class="date">{tr.t(Key::Date)}
                    <input id="date-filter" type="date" on:change=move |ev| { date.set(event_target_value(&ev)); reset(); } />
                </label>
            </div>
            <p class="form-error">{move || failure.get().map(|e| tr.error(&e)).unwrap_or_default()}</p>
            <table>
                <thead><tr>
                    <th>{tr.t(Key::CaseNumber)}</th><th>{tr.t(Key::Status)}</th>
                    <th>{tr.t(Key::ServiceItem)}</th><th>{tr.t(Key::Applicant)}</th><th>{tr.t(Key::RegisteredAt)}</th>
                </tr></thead>
                <tbody>
                    <For each=move || page.get().items key=|c| (c.number.clone(), c.updated_at_ms)
                        children=move |c| {
                            let number = c.number.clone();
                            let status = c.status.clone();
                            let status_label = move || status.parse::<CaseStatus>().map(|s| tr.now(Key::status(s)).to_string()).unwrap_or(status.clone());
                            view! {
                                <tr id=format!("case-row-{}", c.number) class="row" tabindex="0"
                                    on:click={let n = number.clone(); move |_| screen.set(Screen::Detail(n.clone()))}
                                    on:keydown=move |ev| if ev.key() == "Enter" { screen.set(Screen::Detail(number.clone())) }>
                                    <td class="mono">{c.number.clone()}</td><td>{status_label}</td>
                                    <td>{c.item_name.clone()}</td><td>{c.applicant_name.clone()}</td>
                                    <td>{local_time(c.created_at_ms)}</td>
                                </tr>
                            }
                        } />
                </tbody>
            </table>
            <Show when=move || page.get().items.is_empty()>
                <p class="empty">{tr.t(Key::NoCases)}</p>
            </Show>
            <div class="pager">
                <span id="cases-total">{move || tr.say("cases-total", &[("count", page.get().total as f64)])}</span>
                <button disabled=move || offset.get() == 0 on:click=move |_| offset.update(|o| *o = o.saturating_sub(PAGE))>{tr.t(Key::Previous)}</button>
                <button disabled=move || { u64::from(offset.get() + PAGE) >= page.get().total } on:click=move |_| offset.update(|o| *o += PAGE)>{tr.t(Key::Next)}</button>
            </div>
        </div>
    }
}

#[component]
pub fn CaseDetail(number: String) -> impl IntoView {
    let tr = Tr::get();
    let screen = expect_context::<RwSignal<Screen>>();
    let view_state = RwSignal::new(None::<CaseView>);
    let case = Memo::new(move |_| view_state.get().map(|v| v.case));
    let failure = RwSignal::new(None::<UiError>);
    let editing = RwSignal::new(None::<CaseField>);
    // The whole ID and phone, once asked for (each request audited at the desk).
    let unmasked = RwSignal::new(None::<Unmasked>);
    let value = RwSignal::new(String::new());
    let load = {
        let number = number.clone();
        move || {
            let number = number.clone();
            spawn_local(async move {
                match api::case_detail(number).await {
                    Ok(v) => view_state.set(Some(v)),
                    Err(e) => failure.set(Some(e)),
                }
            });
        }
    };
    load();
    let start_edit = move |field: CaseField| {
        let current = case.get_untracked().map(|c| match field {
            CaseField::Name => c.applicant.name,
            // A masked phone is never put into the field; the whole one only once shown.
            CaseField::Phone => unmasked
                .get_untracked()
                .and_then(|u| u.phone)
                .unwrap_or_default(),
            CaseField::Address => c.applicant.address.unwrap_or_default(),
        });
        value.set(current.unwrap_or_default());
        editing.set(Some(field));
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(field), Some(c)) = (editing.get_untracked(), case.get_untracked()) else {
            return;
        };
        let v = value.get_untracked();
        spawn_local(async move {
            match api::set_field(c.number.to_string(), field, v).await {
                Ok(updated) => {
                    failure.set(None);
                    editing.set(None);
                    view_state.update(|v| {
                        if let Some(v) = v {
                            v.case = updated;
                        }
                    });
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    let row = move |label: Key, field: Option<CaseField>, text: Signal<String>| {
        view! {
            <div class="detail-row">
                <span class="label">{tr.t(label)}</span>
                <span class="value">{move || text.get()}</span>
                // A fact of an accepted case is corrected by a supervisor, not edited here.
                {field.map(|f| view! {
                    <Show when=move || view_state.get().is_some_and(|v| v.may_edit && !(f.is_fact()
                        && (tongban_domain::workflow::facts_locked(v.case.status) || v.deemed_accepted)))>
                        <button class="link" id=format!("edit-{}", f.as_str()) on:click=move |_| start_edit(f)>{tr.t(Key::Edit)}</button>
                    </Show>
                })}
            </div>
        }
    };
    let get = move |f: fn(&ShownCase) -> String| {
        Signal::derive(move || case.get().map(|c| f(&c)).unwrap_or_default())
    };
    view! {
        <div class="card detail">
            <button class="link" id="back" on:click=move |_| screen.set(Screen::Cases)>{tr.t(Key::Back)}</button>
            <h1 class="mono" id="detail-number">{number.clone()}</h1>
            <p class="form-error" id="form-error">{move || failure.get().map(|e| tr.error(&e)).unwrap_or_default()}</p>
            {row(Key::ServiceItem, None, get(|c| format!("{} {}", c.item_code, c.item_name)))}
            <div class="detail-row">
                <span class="label">{tr.t(Key::Status)}</span>
                <span class="value" id="detail-status" data-status=move || case.get().map(|c| c.status.as_str()).unwrap_or("")>
                    {move || case.get().map(|c| tr.now(Key::status(c.status)).to_string()).unwrap_or_default()}
                </span>
            </div>
            <Standing view=view_state/>
            {row(Key::ApplicantName, Some(CaseField::Name), get(|c| c.applicant.name.clone()))}
            {move || case.get().and_then(|c| c.applicant.agent).map(|a| view! {
                <div class="detail-row">
                    <span class="label">{tr.t(Key::Agent)}</span>
                    <span class="value" id="detail-agent">
                        {format!("{}（{}）{}", a.name, tr.now(Key::relation(a.relation)), a.id_masked)}
                    </span>
                </div>
            })}
            <div class="detail-row">
                <span class="label">{tr.t(Key::IdNumber)}</span>
                <span class="value" id="detail-id">{move || match unmasked.get() {
                    Some(u) => u.id,
                    None => view_state.get().map(|v| v.case.applicant.id_masked).unwrap_or_default(),
                }}</span>
                <Show when=move || view_state.get().is_some_and(|v| v.may_unmask) && unmasked.get().is_none()>
                    <button class="link" id="unmask" on:click=move |_| {
                        let Some(c) = case.get_untracked() else { return };
                        spawn_local(async move {
                            match api::unmask(c.number.to_string()).await {
                                Ok(u) => unmasked.set(Some(u)),
                                Err(e) => failure.set(Some(e)),
                            }
                        });
                    }>{tr.t(Key::ShowWhole)}</button>
                </Show>
            </div>
            {row(Key::Phone, Some(CaseField::Phone), Signal::derive(move || match unmasked.get() {
                Some(u) => u.phone.unwrap_or_default(),
                None => view_state.get().and_then(|v| v.case.applicant.phone_masked).unwrap_or_default(),
            }))}
            {row(Key::Address, Some(CaseField::Address), get(|c| c.applicant.address.clone().unwrap_or_default()))}
            {row(Key::Clerk, None, get(|c| c.clerk.clone()))}
            {row(Key::RegisteredAt, None, get(|c| local_time(c.created_at_ms)))}
            <Show when=move || editing.get().is_some()>
                <form class="edit" id="edit-form" on:submit=save>
                    <Field id="edit-value" label=Key::Edit value=value/>
                    <button type="submit" class="primary" id="edit-save">{tr.t(Key::SaveSettings)}</button>
                    <button type="button" class="link" on:click=move |_| editing.set(None)>{tr.t(Key::Cancel)}</button>
                </form>
            </Show>
            <h2>{tr.t(Key::MaterialsStatus)}</h2>
            <ul class="materials" id="materials">
                {move || case.get().map(|c| c.materials.into_iter().map(|m| {
                    let mark = match m.status { MaterialStatus::Received => Key::Received, MaterialStatus::Missing => Key::Missing, MaterialStatus::Deferred => Key::Deferred, MaterialStatus::Committed => Key::Committed, MaterialStatus::Verified => Key::Verified };
                    // A commitment stands in for the material: it holds nothing up.
                    let shown = if m.status.outstanding() { "missing" } else { "received" };
                    view! { <li class=shown data-status=format!("{:?}", m.status).to_lowercase()>
                        <span class="mark">{tr.t(mark)}</span>{m.name}
                    </li> }
                }).collect_view())}
            </ul>
            <crate::scans::Scans view=view_state/>
            <ActionPanel view=view_state/>
            <h2>{tr.t(Key::Timeline)}</h2>
            <ol class="timeline" id="timeline">
                {move || case.get().map(|c| c.events.into_iter().map(|e| view! {
                    <li><span class="when">{local_time(e.at_ms)}</span><span>{author(tr, &e.by)}</span><span class="kind">{tr.t(Key::event(&e.kind))}</span><span class="detail">{e.detail}</span><span class="detail">{e.reason.unwrap_or_default()}</span>
                        // What a refusal or an extension carries beside its reasons.
                        <span class="detail">
                            {e.days.map(|d| format!("{}{d}", tr.now(Key::DaysAdded)))}
                            {e.refer_to.map(|o| format!("{}{o}", tr.now(Key::ReferredTo)))}
                            {e.due.clone().filter(|_| e.kind == tongban_domain::EventKind::Returned)
                                .map(|d| format!("{}{d}", tr.now(Key::BringBy)))}
                            {e.delivery.map(|d| format!("{} {} {}{}", tr.now(Key::method(d.method)),
                                d.tracking.unwrap_or_default(), tr.now(Key::DeliveredTo), d.recipient))}
                            {e.step.map(|s| tr.now(Key::step(s)))}
                            {e.rectification.map(|r| format!("{}：{} {}：{}",
                                tr.now(Key::RectifyFollowUp), r.follow_up,
                                tr.now(Key::RectifyAction), r.action))}
                            {(!e.members.is_empty()).then(|| format!(" {}{}", tr.now(Key::Members),
                                e.members.iter().map(|m| format!("{}（{}）", m.name, m.relation))
                                    .collect::<Vec<_>>().join("、")))}
                            {e.publicity.map(|p| format!(" {} {} · {} {} · {} {}",
                                tr.now(Key::PublicityFrom), p.from, tr.now(Key::PublicityHousehold),
                                p.household, tr.now(Key::PublicityAmount), p.monthly_yuan))}
                        </span></li>
                }).collect_view())}
            </ol>
            <Show when=move || view_state.get().is_some_and(|v| v.may_read_audit)>
                <crate::audit::AuditTrail number=number.clone()/>
            </Show>
        </div>
    }
}

/// Who an event names: an account, or the applicant (a rating the hub wrote from the page).
fn author(tr: Tr, by: &str) -> String {
    if by == tongban_domain::rating::APPLICANT {
        tr.now(Key::Applicant).to_string()
    } else {
        by.to_string()
    }
}
