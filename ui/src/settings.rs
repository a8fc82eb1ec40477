//! Settings: language, the hub's address, and where this desk keeps its data.

use crate::api;
use crate::app::Desk;
use crate::enrol::Field;
use crate::i18n::{Key, Lang, Tr};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tongban_domain::desk::UiError;

#[component]
pub fn Settings() -> impl IntoView {
    let tr = Tr::get();
    let desk = expect_context::<Desk>();
    let status = move || desk.0.get().unwrap_or_default();
    let hub = RwSignal::new(status().hub_url.unwrap_or_default());
    let outcome = RwSignal::new(None::<Result<(), UiError>>);
    let may_configure = move || {
        status()
            .role
            .is_some_and(|r| r.may(tongban_domain::Action::ConfigureDesk))
    };
    let set_lang = move |lang: Lang| {
        tr.0.set(lang);
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.set_item("tongban-lang", if lang == Lang::En { "en" } else { "zh" });
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let url = hub.get_untracked();
        spawn_local(async move {
            match api::set_hub_url(url).await {
                Ok(s) => {
                    desk.0.set(Some(s));
                    outcome.set(Some(Ok(())));
                }
                Err(e) => outcome.set(Some(Err(e))),
            }
        });
    };
    view! {
        <div class="card narrow settings">
            <h2>{tr.t(Key::Language)}</h2>
            <div class="langs">
                <button id="lang-zh" class:active=move || tr.0.get() == Lang::Zh on:click=move |_| set_lang(Lang::Zh)>"中文"</button>
                <button id="lang-en" class:active=move || tr.0.get() == Lang::En on:click=move |_| set_lang(Lang::En)>"English"</button>
            </div>
            // Where the desk's data goes is an administrator's setting; others only read it.
            <Show when=may_configure fallback=move || view! {
                <dl>
                    <dt>{tr.t(Key::HubUrl)}</dt><dd id="about-hub">{move || status().hub_url.unwrap_or_default()}</dd>
                </dl>
                <p class="hint" id="settings-hub-admin">{tr.t(Key::HubUrlByAdmin)}</p>
            }>
                <form on:submit=save>
                    <Field id="settings-hub" label=Key::HubUrl value=hub/>
                    <button type="submit" class="primary" id="settings-save">{tr.t(Key::SaveSettings)}</button>
                    <span id="settings-outcome">{move || match outcome.get() {
                        Some(Ok(())) => tr.now(Key::SettingsSaved).to_string(),
                        Some(Err(e)) => tr.error(&e),
                        None => String::new(),
                    }}</span>
                </form>
            </Show>
            <h2>{tr.t(Key::About)}</h2>
            <dl>
                <dt>{tr.t(Key::Version)}</dt><dd id="about-version">{move || status().version}</dd>
                <dt>{tr.t(Key::Township)}</dt><dd>{move || format!("{} {}", status().township.unwrap_or_default(), status().township_name.unwrap_or_default())}</dd>
                <dt>{tr.t(Key::HubFingerprint)}</dt><dd id="about-hub-key">{move || status().hub_key.unwrap_or_default()}</dd>
                <dt>{tr.t(Key::DataLocation)}</dt><dd id="about-data">{move || status().profile_dir}</dd>
            </dl>
        </div>
    }
}
