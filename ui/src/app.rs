//! The window's frame: which phase the desk is in (enrol, sign in, work), the navigation, the
//! always-visible sync status and the keyboard shortcuts.

use crate::api;
use crate::cases::{CaseDetail, CaseList};
use crate::casework::Queues;
use crate::enrol::{Enrol, SignIn};
use crate::i18n::{Key, Lang, Tr};
use crate::intake::Intake;
use crate::settings::Settings;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;
use tongban_domain::desk::{DeskStatus, ErrorCode, SyncStatus};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Loading,
    Enrol,
    SignIn,
    Work,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Queues,
    Intake,
    Cases,
    Detail(String),
    Settings,
    Figures,
    Archive,
}

/// The desk's status, shared so screens can refresh it after enrolling or signing in.
#[derive(Clone, Copy)]
pub struct Desk(pub RwSignal<Option<DeskStatus>>);

impl Desk {
    pub fn refresh(self) {
        spawn_local(async move {
            if let Ok(status) = api::desk_status().await {
                self.0.set(Some(status));
            }
        });
    }
}

fn saved_lang() -> Lang {
    let stored = web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item("tongban-lang").ok().flatten());
    match stored.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

pub use tongban_domain::desk::china_time_text as local_time;

/// A byte count as people read it: 512 B, 12.3 KiB, 4.0 MiB.
pub fn readable(bytes: u64) -> String {
    bytesize::ByteSize::b(bytes).display().iec().to_string()
}

#[component]
pub fn App() -> impl IntoView {
    let tr = Tr(RwSignal::new(saved_lang()));
    provide_context(tr);
    // Screen readers and fonts follow the page's language, so it follows the chosen one.
    Effect::new(move |_| {
        let lang = match tr.0.get() {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        };
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang);
        }
    });
    let desk = Desk(RwSignal::new(None));
    provide_context(desk);
    desk.refresh();
    let phase = Memo::new(move |_| match desk.0.get() {
        None => Phase::Loading,
        Some(s) if !s.enrolled => Phase::Enrol,
        Some(s) if !s.signed_in => Phase::SignIn,
        Some(_) => Phase::Work,
    });
    move || match phase.get() {
        Phase::Loading => view! { <p class="loading">{tr.t(Key::Working)}</p> }.into_any(),
        Phase::Enrol => view! { <Enrol/> }.into_any(),
        Phase::SignIn => view! { <SignIn/> }.into_any(),
        Phase::Work => view! { <Workspace/> }.into_any(),
    }
}

#[component]
fn Workspace() -> impl IntoView {
    let tr = Tr::get();
    let desk = expect_context::<Desk>();
    // A county officer (or an administrator) registers nothing: their desk opens on the queues.
    let registers = move || {
        desk.0
            .get()
            .and_then(|s| s.role)
            .is_none_or(|r| r.may(tongban_domain::Action::Register))
    };
    let first = if desk
        .0
        .get_untracked()
        .and_then(|s| s.role)
        .is_none_or(|r| r.may(tongban_domain::Action::Register))
    {
        Screen::Intake
    } else {
        Screen::Queues
    };
    let screen = RwSignal::new(first);
    provide_context(screen);
    let reads_figures = move || {
        desk.0
            .get()
            .and_then(|s| s.role)
            .is_some_and(|r| r.may(tongban_domain::Action::ReadFigures))
    };
    // The count of 电子监察 warnings beside the work queue, kept fresh as the shell's are.
    let warning_count = RwSignal::new(0usize);
    let count_warnings = move || {
        spawn_local(async move {
            if let Ok(w) = api::warnings().await {
                warning_count.set(w.len());
            }
        });
    };
    count_warnings();
    if let Ok(handle) = set_interval_with_handle(count_warnings, Duration::from_secs(5)) {
        on_cleanup(move || handle.clear());
    }
    let search_focus = RwSignal::new(0u32);
    provide_context(search_focus);

    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key().to_lowercase();
        if ev.alt_key() && key == "n" && registers() {
            ev.prevent_default();
            screen.set(Screen::Intake);
        } else if ev.alt_key() && key == "l" {
            ev.prevent_default();
            screen.set(Screen::Cases);
        } else if ev.alt_key() && key == "s" {
            ev.prevent_default();
            spawn_local(async move {
                let _ = api::sync_now().await;
            });
        } else if ev.ctrl_key() && key == "k" {
            ev.prevent_default();
            screen.set(Screen::Cases);
            search_focus.update(|n| *n += 1);
        }
    });
    on_cleanup(move || handle.remove());

    // Idle sign-out: the shell refuses an idle session anyway; this also clears the screen.
    let last_use = RwSignal::new(js_sys::Date::now());
    let keys = window_event_listener(leptos::ev::keydown, move |_| {
        last_use.set(js_sys::Date::now())
    });
    let clicks = window_event_listener(leptos::ev::pointerdown, move |_| {
        last_use.set(js_sys::Date::now())
    });
    on_cleanup(move || {
        keys.remove();
        clicks.remove();
    });
    let idle_check = move || {
        let minutes = desk
            .0
            .get_untracked()
            .and_then(|s| s.idle_minutes)
            .unwrap_or(10);
        if js_sys::Date::now() - last_use.get_untracked() > f64::from(minutes) * 60_000.0 {
            spawn_local(async move {
                let _ = api::sign_out().await;
                desk.refresh();
            });
        }
    };
    if let Ok(handle) = set_interval_with_handle(idle_check, Duration::from_secs(15)) {
        on_cleanup(move || handle.clear());
    }

    let township = move || {
        desk.0
            .get()
            .map(|s| {
                format!(
                    "{} {} {}",
                    s.township_name.unwrap_or_default(),
                    s.user.unwrap_or_default(),
                    s.role.map(|r| tr.now(Key::role(r))).unwrap_or_default()
                )
            })
            .unwrap_or_default()
    };
    let nav = move |target: Screen, id: &'static str, key: Key| {
        let active_target = target.clone();
        view! {
            <button id=id class="nav"
                class:active=move || {
                    let now = screen.get();
                    now == active_target || (active_target == Screen::Cases && matches!(now, Screen::Detail(_)))
                }
                on:click=move |_| screen.set(target.clone())>
                {tr.t(key)}
            </button>
        }
    };
    view! {
        <header class="topbar">
            <span class="brand">{tr.t(Key::AppName)}</span>
            <nav>
                {nav(Screen::Queues, "nav-queues", Key::NavQueues)}
                <span class="badge" id="warning-badge" title=move || tr.now(Key::WarningsBadge)
                    hidden=move || warning_count.get() == 0>{move || warning_count.get()}</span>
                <Show when=registers>{move || nav(Screen::Intake, "nav-intake", Key::NavIntake)}</Show>
                {nav(Screen::Cases, "nav-cases", Key::NavCases)}
                <Show when=reads_figures>{move || nav(Screen::Figures, "nav-figures", Key::NavFigures)}</Show>
                {nav(Screen::Archive, "nav-archive", Key::NavArchive)}
                {nav(Screen::Settings, "nav-settings", Key::NavSettings)}
            </nav>
            <SyncBar/>
            <span class="who">{township}</span>
            <button id="sign-out" class="link" on:click=move |_| {
                spawn_local(async move {
                    let _ = api::sign_out().await;
                    desk.refresh();
                });
            }>{tr.t(Key::SignOut)}</button>
        </header>
        <main>
            {move || match screen.get() {
                Screen::Queues => view! { <Queues/> }.into_any(),
                Screen::Intake => view! { <Intake/> }.into_any(),
                Screen::Cases => view! { <CaseList/> }.into_any(),
                Screen::Detail(number) => view! { <CaseDetail number=number/> }.into_any(),
                Screen::Settings => view! { <Settings/> }.into_any(),
                Screen::Figures => view! { <crate::dashboard::Dashboard/> }.into_any(),
                Screen::Archive => view! { <crate::archive::Archive/> }.into_any(),
            }}
        </main>
        <footer class="hint">{tr.t(Key::Shortcuts)}</footer>
    }
}

#[component]
fn SyncBar() -> impl IntoView {
    let tr = Tr::get();
    let desk = expect_context::<Desk>();
    let status = RwSignal::new(SyncStatus::default());
    let shown = move |s: SyncStatus| {
        // The hub revoked this desk and its data is gone: back to enrolment.
        if s.last_error
            .as_ref()
            .is_some_and(|e| e.code == ErrorCode::Revoked)
        {
            desk.refresh();
        }
        status.try_set(s);
    };
    // Asked once; from then on the desk says whenever it changes.
    let stop = StoredValue::new_local(None::<js_sys::Function>);
    spawn_local(async move {
        if let Ok(stopper) = api::on_sync_status(shown).await {
            stop.try_set_value(Some(stopper));
        }
        if let Ok(s) = api::sync_status().await {
            shown(s);
        }
    });
    on_cleanup(move || {
        if let Some(Some(stopper)) = stop.try_get_value() {
            let _ = stopper.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let state = move || {
        let s = status.get();
        if s.syncing {
            ("syncing", tr.now(Key::Syncing))
        } else {
            match s.online {
                Some(true) => ("online", tr.now(Key::Online)),
                Some(false) => ("offline", tr.now(Key::Offline)),
                None => ("unknown", tr.now(Key::Unknown)),
            }
        }
    };
    view! {
        <div class="syncbar" id="sync-state" data-state=move || state().0>
            <span class="dot"></span>
            <span>{move || state().1}</span>
            <span>{move || format!("{} {}", tr.now(Key::Waiting), status.get().waiting_docs)}</span>
            <span id="last-sync">{move || {
                let last = status.get().last_success_ms.map(local_time).unwrap_or_else(|| tr.now(Key::Never).to_string());
                format!("{} {last}", tr.now(Key::LastSync))
            }}</span>
            <span class="bytes">{move || {
                let s = status.get();
                format!("↑{} ↓{}", readable(s.bytes_up), readable(s.bytes_down))
            }}</span>
            {move || status.get().pages.map(|p| {
                let label = match p.direction.as_str() {
                    "import" => tr.now(Key::Importing),
                    "up" => tr.now(Key::Uploading),
                    _ => tr.now(Key::Downloading),
                };
                view! {
                    <span class="page-progress" id="page-progress">
                        {format!("{label} {}/{} ({}/{})", p.done, p.total, readable(p.bytes_done), readable(p.bytes_total))}
                        <progress max=p.total.max(1).to_string() value=p.done.to_string()></progress>
                    </span>
                }
            })}
            <button id="sync-now" on:click=move |_| {
                spawn_local(async move {
                    let _ = api::sync_now().await;
                });
            }>{tr.t(Key::SyncNow)}</button>
            <span class="sync-error">{move || status.get().last_error.map(|e| tr.error(&e)).unwrap_or_default()}</span>
        </div>
    }
}
