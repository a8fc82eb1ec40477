//! A case's audit trail for supervisors: who saw or changed it, refusals included. Read on
//! request, since reading it is itself an audited access.

use crate::api;
use crate::app::local_time;
use crate::i18n::{Key, Tr};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tongban_domain::desk::{AuditRow, UiError};

#[component]
pub fn AuditTrail(number: String) -> impl IntoView {
    let tr = Tr::get();
    let rows = RwSignal::new(None::<Vec<AuditRow>>);
    let failure = RwSignal::new(None::<UiError>);
    let load = move |_| {
        let number = number.clone();
        spawn_local(async move {
            match api::case_audit(number).await {
                Ok(r) => rows.set(Some(r)),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <h2>{tr.t(Key::AuditTrail)}</h2>
        <button class="link" id="show-audit" on:click=load>{tr.t(Key::ShowAudit)}</button>
        <p class="form-error">{move || failure.get().map(|e| tr.error(&e)).unwrap_or_default()}</p>
        <ol class="timeline" id="audit-rows">
            {move || rows.get().map(|rows| rows.into_iter().map(|r| {
                let user = r.user.clone();
                view! {
                <li class="audit-row" data-action=r.action data-user=user>
                    <span class="when">{local_time(r.at_ms)}</span>
                    <span>{r.user}</span>
                    <span class="kind">{r.action_zh}{r.refused.then(|| tr.t(Key::RefusedMark))}</span>
                    <span class="detail mono">{r.device.chars().take(8).collect::<String>()}</span>
                    <span class="detail">{detail(tr, &r.detail)}</span>
                </li>
            }}).collect_view())}
        </ol>
    }
}

/// A workflow step named in an event, in the window's language; other details as recorded.
fn detail(tr: Tr, text: &str) -> String {
    use tongban_domain::Action;
    match text.parse::<Action>() {
        Ok(Action::ReadAudit) => tr.now(Key::AuditTrail).to_string(),
        Ok(Action::Unmask) => String::new(),
        Ok(action) if Key::action(action) != Key::EventOther => {
            tr.now(Key::action(action)).to_string()
        }
        _ => text.to_string(),
    }
}
