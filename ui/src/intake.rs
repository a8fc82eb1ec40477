//! Intake (受理登记): pick the service item by name, code or pinyin initials, type the
//! applicant with live checks that name the failed rule, tick the materials received, press
//! Enter. The form is kept as a draft in the encrypted store while it is being typed.

use crate::api;
use crate::enrol::Field;
use crate::i18n::{Key, Tr};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pinyin::ToPinyin;
use std::time::Duration;
use tongban_domain::Localized;
use tongban_domain::case::AgentForm;
use tongban_domain::case::{validate_address, validate_name, validate_phone};
use tongban_domain::desk::{ErrorCode, IntakeDraft, UiError};
use tongban_domain::{
    AgentRelation, ApplicantId, ApplicantKind, Catalogue, IdType, Registration, ServiceItem,
};

const DRAFT_KEY: &str = "intake";

/// Today in China Standard Time, from the browser clock.
fn today() -> time::Date {
    let ms = js_sys::Date::now() + 8.0 * 3600.0 * 1000.0;
    time::OffsetDateTime::from_unix_timestamp_nanos((ms as i128) * 1_000_000)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN)
}

fn initials(name: &str) -> String {
    name.to_pinyin()
        .flatten()
        .filter_map(|p| p.first_letter().chars().next())
        .collect()
}

fn matches(item: &ServiceItem, query: &str) -> bool {
    let q = query.trim().to_lowercase();
    q.is_empty()
        || item.name.contains(query.trim())
        || item.code.to_lowercase().starts_with(&q)
        || initials(&item.name).contains(&q)
}

fn message(e: impl Localized) -> String {
    Tr::get().error(&UiError::of(ErrorCode::Invalid, &e))
}

#[component]
pub fn Intake() -> impl IntoView {
    let tr = Tr::get();
    let catalogue = RwSignal::new(None::<Catalogue>);
    let query = RwSignal::new(String::new());
    let item = RwSignal::new(None::<ServiceItem>);
    let highlighted = RwSignal::new(0usize);
    let name = RwSignal::new(String::new());
    let id_number = RwSignal::new(String::new());
    let id_type = RwSignal::new(IdType::Resident);
    // Someone applying for the applicant (代办); blank means no one.
    let agent_name = RwSignal::new(String::new());
    let agent_id = RwSignal::new(String::new());
    let agent_relation = RwSignal::new(None::<AgentRelation>);
    let phone = RwSignal::new(String::new());
    let address = RwSignal::new(String::new());
    let received = RwSignal::new(Vec::<String>::new());
    let saved_number = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<UiError>);
    let draft_loaded = RwSignal::new(false);
    let search_ref = NodeRef::<leptos::html::Input>::new();

    spawn_local(async move {
        let cat = api::catalog().await.ok();
        if let Ok(Some(text)) = api::load_draft(DRAFT_KEY).await
            && let Ok(draft) = serde_json::from_str::<IntakeDraft>(&text)
        {
            let r = draft.registration;
            let chosen = cat.as_ref().and_then(|c| c.item(&r.item)).cloned();
            query.set(chosen.as_ref().map(|i| i.name.clone()).unwrap_or_default());
            item.set(chosen);
            name.set(r.name);
            id_number.set(r.id_number);
            id_type.set(r.id_type);
            phone.set(r.phone.unwrap_or_default());
            address.set(r.address.unwrap_or_default());
            received.set(r.received);
        }
        catalogue.set(cat);
        draft_loaded.set(true);
        if let Some(el) = search_ref.get_untracked() {
            let _ = el.focus();
        }
    });

    let registration = move || Registration {
        item: item.get().map(|i| i.code).unwrap_or_default(),
        name: name.get(),
        id_number: id_number.get(),
        id_type: id_type.get(),
        agent: (!agent_name.get().trim().is_empty() || !agent_id.get().trim().is_empty()).then(
            || AgentForm {
                name: agent_name.get(),
                id_type: IdType::Resident,
                id_number: agent_id.get(),
                relation: agent_relation.get(),
            },
        ),
        phone: Some(phone.get()).filter(|p| !p.trim().is_empty()),
        address: Some(address.get()).filter(|a| !a.trim().is_empty()),
        received: received.get(),
    };

    // Keep the draft: a few hundred milliseconds after the last keystroke.
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let draft = IntakeDraft {
            registration: registration(),
        };
        if !draft_loaded.get() {
            return;
        }
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        let text = if draft.registration == Registration::default() {
            String::new()
        } else {
            serde_json::to_string(&draft).unwrap_or_default()
        };
        set_timeout(
            move || {
                if generation.get_value() == mine {
                    spawn_local(async move {
                        let _ = api::save_draft(DRAFT_KEY, text).await;
                    });
                }
            },
            Duration::from_millis(300),
        );
    });

    let options = Memo::new(move |_| {
        let q = query.get();
        let chosen = item.get().map(|i| i.name);
        if chosen.as_deref() == Some(q.as_str()) {
            return Vec::new();
        }
        catalogue
            .get()
            .map(|c| {
                c.items
                    .into_iter()
                    .filter(|i| matches(i, &q))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let choose = move |chosen: ServiceItem| {
        query.set(chosen.name.clone());
        received.set(Vec::new());
        item.set(Some(chosen));
        highlighted.set(0);
    };
    let on_search_key = move |ev: leptos::ev::KeyboardEvent| {
        let list = options.get_untracked();
        match ev.key().as_str() {
            "ArrowDown" if !list.is_empty() => {
                ev.prevent_default();
                highlighted.update(|h| *h = (*h + 1).min(list.len() - 1));
            }
            "ArrowUp" => {
                ev.prevent_default();
                highlighted.update(|h| *h = h.saturating_sub(1));
            }
            "Enter" if !list.is_empty() => {
                ev.prevent_default();
                if let Some(chosen) = list.get(highlighted.get_untracked()).cloned() {
                    choose(chosen);
                }
            }
            _ => {}
        }
    };

    let name_error = Signal::derive(move || {
        let n = name.get();
        (!n.is_empty())
            .then(|| validate_name(&n).err().map(message))
            .flatten()
    });
    let id_error = Signal::derive(move || {
        let text = id_number.get();
        if text.trim().is_empty() {
            return None;
        }
        let applicant = item.get().map_or(ApplicantKind::Person, |i| i.applicant);
        ApplicantId::parse(applicant, id_type.get(), &text, today())
            .err()
            .map(message)
    });
    let phone_error = Signal::derive(move || validate_phone(&phone.get()).err().map(message));
    let address_error = Signal::derive(move || validate_address(&address.get()).err().map(message));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if item.get_untracked().is_none() {
            failure.set(Some(UiError {
                code: ErrorCode::Invalid,
                en: Key::ChooseItem.text(crate::i18n::Lang::En).into(),
                zh: Key::ChooseItem.text(crate::i18n::Lang::Zh).into(),
            }));
            return;
        }
        let reg = registration();
        spawn_local(async move {
            match api::register(reg).await {
                Ok(case) => {
                    failure.set(None);
                    saved_number.set(Some(case.number.to_string()));
                    draft_loaded.set(false);
                    agent_relation.set(None);
                    for s in [name, id_number, phone, address, query, agent_name, agent_id] {
                        s.set(String::new());
                    }
                    item.set(None);
                    id_type.set(IdType::Resident);
                    received.set(Vec::new());
                    draft_loaded.set(true);
                    if let Some(el) = search_ref.get_untracked() {
                        let _ = el.focus();
                    }
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };

    view! {
        <form class="card intake" id="intake-form" on:submit=submit>
            <Show when=move || saved_number.get().is_some()>
                <div class="saved" role="status">
                    <span>{tr.t(Key::Saved)}</span>
                    <strong id="new-case-number">{move || saved_number.get().unwrap_or_default()}</strong>
                </div>
            </Show>
            <section>
                <h2>{tr.t(Key::ServiceItem)}</h2>
                // A combobox as screen readers know one: the list it controls, whether it is open,
                // and which option the arrow keys are on.
                <input id="item-search" node_ref=search_ref autocomplete="off"
                    role="combobox" aria-autocomplete="list" aria-controls="item-options"
                    aria-label=move || tr.now(Key::ServiceItem)
                    aria-expanded=move || if options.get().is_empty() { "false" } else { "true" }
                    aria-activedescendant=move || {
                        options.get().get(highlighted.get()).map(|o| format!("item-option-{}", o.code))
                    }
                    placeholder=move || tr.now(Key::ItemSearchHint)
                    prop:value=move || query.get()
                    on:input=move |ev| { query.set(event_target_value(&ev)); highlighted.set(0); }
                    on:keydown=on_search_key />
                <ul class="options" id="item-options" role="listbox">
                    <For each=move || options.get()
                        key=|i| i.code.clone()
                        children=move |option| {
                            let id = format!("item-option-{}", option.code);
                            let label = format!("{} {}", option.code, option.name);
                            // Kept by its code: its place in the list changes as the search narrows.
                            let code = option.code.clone();
                            let current = move || {
                                options.with(|o| o.get(highlighted.get()).is_some_and(|o| o.code == code))
                            };
                            view! {
                                <li id=id role="option" class:highlighted=current.clone()
                                    aria-selected=move || if current() { "true" } else { "false" }
                                    on:mousedown=move |ev| { ev.prevent_default(); choose(option.clone()); }>
                                    {label}
                                </li>
                            }
                        } />
                </ul>
                <p class="promised">{move || item.get().map(|i| format!("{} {}：{}", i.code, tr.now(Key::PromisedDays), i.promised_days)).unwrap_or_default()}</p>
            </section>
            <section>
                <h2>{tr.t(Key::Applicant)}</h2>
                <Field id="name" label=Key::ApplicantName value=name error=name_error/>
                <Show when=move || item.get().is_none_or(|i| i.applicant == ApplicantKind::Person)>
                    <label class="field">
                        <span>{tr.t(Key::IdType)}</span>
                        <select id="id-type" on:change=move |ev| {
                            id_type.set(event_target_value(&ev).parse().unwrap_or_default())
                        }>
                            {IdType::ALL.into_iter().map(|t| view! {
                                <option value=t.as_str() selected=move || id_type.get() == t>{tr.t(Key::id_type(t))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </Show>
                <Field id="id-number" label=Key::IdNumber value=id_number error=id_error/>
                <details class="agent" id="agent">
                    <summary>{tr.t(Key::AgentSection)}</summary>
                    <Field id="agent-name" label=Key::AgentName value=agent_name/>
                    <label class="field">
                        <span>{tr.t(Key::AgentRelation)}</span>
                        <select id="agent-relation" on:change=move |ev| {
                            agent_relation.set(event_target_value(&ev).parse().ok())
                        }>
                            <option value="" selected=move || agent_relation.get().is_none()>"—"</option>
                            {AgentRelation::ALL.into_iter().map(|r| view! {
                                <option value=r.as_str() selected=move || agent_relation.get() == Some(r)>{tr.t(Key::relation(r))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <Field id="agent-id-number" label=Key::AgentIdNumber value=agent_id/>
                </details>
                <Field id="phone" label=Key::Phone value=phone error=phone_error/>
                <Field id="address" label=Key::Address value=address error=address_error/>
            </section>
            <section>
                <h2>{tr.t(Key::Materials)}</h2>
                <ul class="materials">
                    <For each=move || item.get().map(|i| i.materials).unwrap_or_default()
                        key=|m| m.code.clone()
                        children=move |m| {
                            let code = m.code.clone();
                            let toggle_code = m.code.clone();
                            let id = format!("material-{}", m.code);
                            view! {
                                <li><label>
                                    <input type="checkbox" id=id
                                        prop:checked=move || received.get().contains(&code)
                                        on:change=move |_| received.update(|r| {
                                            if let Some(at) = r.iter().position(|c| *c == toggle_code) { r.remove(at); } else { r.push(toggle_code.clone()); }
                                        }) />
                                    {format!("{}（{}）", m.name, m.requirement)}
                                </label></li>
                            }
                        } />
                </ul>
            </section>
            <p class="form-error" id="form-error">{move || failure.get().map(|e| tr.error(&e)).unwrap_or_default()}</p>
            <button id="save" type="submit" class="primary">{tr.t(Key::Save)}</button>
        </form>
    }
}
