//! First run (enrol this desk) and sign-in, with recovery when the keyring entry is lost.

use crate::api;
use crate::app::Desk;
use crate::i18n::{Key, Tr};
use leptos::prelude::*;
use leptos::task::spawn_local;
use tongban_domain::desk::{EnrollForm, ErrorCode, UiError};

/// A labelled input bound to a signal.
/// The "differ" message under a second entry that does not match the first.
fn mismatch(a: RwSignal<String>, b: RwSignal<String>) -> Signal<Option<String>> {
    Signal::derive(move || {
        (!b.get().is_empty() && a.get() != b.get())
            .then(|| Tr::get().now(Key::Mismatch).to_string())
    })
}

#[component]
pub fn Field(
    id: &'static str,
    label: Key,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] error: Option<Signal<Option<String>>>,
    #[prop(optional)] help: Option<Key>,
) -> impl IntoView {
    let tr = Tr::get();
    let error_id = format!("error-{id}");
    let failing = move || error.and_then(|e| e.get()).is_some_and(|e| !e.is_empty());
    // The error is tied to its field for screen readers, and announced when it appears.
    let described = error_id.clone();
    view! {
        <label class="field">
            <span class="label">{tr.t(label)}</span>
            <input id=id type=kind prop:value=move || value.get()
                aria-invalid=move || if failing() { "true" } else { "false" }
                aria-describedby=move || failing().then(|| described.clone())
                on:input=move |ev| value.set(event_target_value(&ev)) />
            {help.map(|h| view! { <span class="help">{tr.t(h)}</span> })}
            <span class="error" id=error_id role="alert" aria-live="polite">
                {move || error.and_then(|e| e.get()).unwrap_or_default()}
            </span>
        </label>
    }
}

#[component]
pub fn Enrol() -> impl IntoView {
    let tr = Tr::get();
    let desk = expect_context::<Desk>();
    let suggested = desk.0.get_untracked().unwrap_or_default();
    let hub = RwSignal::new(
        suggested
            .suggested_hub_url
            .unwrap_or_else(|| String::from("http://127.0.0.1:8470")),
    );
    let code = RwSignal::new(suggested.suggested_code.unwrap_or_default());
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let password2 = RwSignal::new(String::new());
    let passphrase = RwSignal::new(String::new());
    let passphrase2 = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<UiError>);
    let busy = RwSignal::new(false);
    let password_mismatch = mismatch(password, password2);
    let passphrase_mismatch = mismatch(passphrase, passphrase2);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if password.get() != password2.get() || passphrase.get() != passphrase2.get() {
            return;
        }
        busy.set(true);
        let form = EnrollForm {
            hub_url: hub.get(),
            code: code.get(),
            user: user.get(),
            password: password.get(),
            recovery_passphrase: passphrase.get(),
        };
        spawn_local(async move {
            match api::enroll(form).await {
                Ok(status) => desk.0.set(Some(status)),
                Err(e) => failure.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card narrow" id="enrol-form" on:submit=submit>
            <h1>{tr.t(Key::EnrolTitle)}</h1>
            <p class="intro">{tr.t(Key::EnrolIntro)}</p>
            <p class="form-error" id="problem">{move || desk.0.get().and_then(|s| s.problem).map(|e| tr.error(&e)).unwrap_or_default()}</p>
            <Field id="enrol-hub" label=Key::HubUrl value=hub/>
            <Field id="enrol-code" label=Key::EnrolCode value=code help=Key::EnrolCodeHelp/>
            <Field id="enrol-user" label=Key::UserName value=user/>
            <Field id="enrol-password" label=Key::Password value=password kind="password"/>
            <Field id="enrol-password2" label=Key::PasswordAgain value=password2 kind="password" error=password_mismatch/>
            <Field id="enrol-passphrase" label=Key::Passphrase value=passphrase kind="password" help=Key::PassphraseHelp/>
            <Field id="enrol-passphrase2" label=Key::PassphraseAgain value=passphrase2 kind="password" error=passphrase_mismatch/>
            <p class="form-error" id="form-error">{move || failure.get().map(|e| tr.error(&e)).unwrap_or_default()}</p>
            <button id="enrol-submit" type="submit" class="primary" disabled=move || busy.get()>
                {move || if busy.get() { tr.now(Key::Working) } else { tr.now(Key::EnrolSubmit) }}
            </button>
        </form>
    }
}

#[component]
pub fn SignIn() -> impl IntoView {
    let tr = Tr::get();
    let desk = expect_context::<Desk>();
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let passphrase = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<UiError>);
    let busy = RwSignal::new(false);
    // Asked for, or required after the county reset the password.
    let changing = RwSignal::new(false);
    let new = RwSignal::new(String::new());
    let new2 = RwSignal::new(String::new());
    let new_mismatch = mismatch(new, new2);
    let problem = move || desk.0.get().and_then(|s| s.problem);
    let needs_recovery = move || {
        problem().is_some_and(|p| {
            matches!(
                p.code,
                ErrorCode::KeyringMissing | ErrorCode::KeyringMismatch
            )
        })
    };
    let sign_in = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let (u, p, c) = (user.get(), password.get(), code.get());
        let c = (!c.trim().is_empty()).then_some(c);
        let wanted = changing.get().then(|| new.get());
        if wanted.is_some() && new.get() != new2.get() {
            busy.set(false);
            return;
        }
        spawn_local(async move {
            let answer = match wanted {
                Some(n) => api::change_password(u, p, c, n).await,
                None => api::sign_in(u, p, c).await,
            };
            match answer {
                Ok(status) => desk.0.set(Some(status)),
                Err(e) => {
                    if e.code == ErrorCode::MustChange {
                        changing.set(true);
                    }
                    failure.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    let recover = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let p = passphrase.get();
        spawn_local(async move {
            match api::recover(p).await {
                Ok(status) => {
                    failure.set(None);
                    desk.0.set(Some(status));
                }
                Err(e) => failure.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="card narrow">
            <h1>{tr.t(Key::SignInTitle)}</h1>
            <p class="form-error" id="problem">{move || problem().map(|e| tr.error(&e)).unwrap_or_default()}</p>
            <Show when=needs_recovery fallback=move || view! {
                <form id="signin-form" on:submit=sign_in>
                    <Field id="signin-user" label=Key::UserName value=user/>
                    <Field id="signin-password" label=Key::Password value=password kind="password"/>
                    <Field id="signin-code" label=Key::OneTimeCode value=code/>
                    <Show when=move || changing.get() fallback=move || view! {
                        <button id="signin-change" type="button" class="link" on:click=move |_| changing.set(true)>{tr.t(Key::ChangePassword)}</button>
                    }>
                        <Field id="signin-new" label=Key::NewPassword value=new kind="password" help=Key::ChangePasswordHelp/>
                        <Field id="signin-new2" label=Key::NewPasswordAgain value=new2 kind="password" error=new_mismatch/>
                    </Show>
                    <button id="signin-submit" type="submit" class="primary" disabled=move || busy.get()>
                        {move || if changing.get() { tr.now(Key::ChangePasswordSubmit) } else { tr.now(Key::SignInSubmit) }}
                    </button>
                </form>
            }>
                <form id="recover-form" on:submit=recover>
                    <h2>{tr.t(Key::RecoverTitle)}</h2>
                    <Field id="recover-passphrase" label=Key::Passphrase value=passphrase kind="password"/>
                    <button id="recover-submit" type="submit" class="primary" disabled=move || busy.get()>{tr.t(Key::RecoverSubmit)}</button>
                </form>
            </Show>
            <p class="form-error" id="form-error">{move || failure.get().map(|e| tr.error(&e)).unwrap_or_default()}</p>
        </div>
    }
}
