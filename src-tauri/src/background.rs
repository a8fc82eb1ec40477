//! The sync worker: syncs whenever the hub answers, on a timer and on demand, on its own
//! thread with its own database connection, so typing never waits for the network.

use crate::desk::{Desk, message, store_error};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;
use tongban_client::{PageDirection, PageProgress, Retry, SyncError};
use tongban_domain::desk::{ErrorCode, Transfer, UiError};
use tongban_store::Store;

const INTERVAL: Duration = Duration::from_secs(20);

pub fn spawn(desk: Arc<Desk>, wake: Receiver<()>, app: tauri::AppHandle) {
    let worker = move || {
        let mut store: Option<Store> = None;
        loop {
            if let Err(RecvTimeoutError::Disconnected) = wake.recv_timeout(INTERVAL) {
                return;
            }
            if !desk.signed_in() {
                continue;
            }
            if store.is_none() {
                match desk.profile.open() {
                    Ok(s) => store = Some(s),
                    Err(e) => {
                        update(&desk, |st| st.last_error = Some(store_error(e)));
                        continue;
                    }
                }
            }
            let revoked = store.as_mut().is_some_and(|store| run_once(&desk, store));
            // Whatever the hub said, the person hears of what now warns (at sign-in too).
            if let (false, Some(store)) = (revoked, store.as_ref()) {
                crate::figures::check(&desk, store, &app);
            }
            if revoked {
                // This connection closes before the files go.
                store = None;
                desk.wipe_revoked();
            }
        }
    };
    if let Err(e) = std::thread::Builder::new()
        .name("sync".into())
        .spawn(worker)
    {
        tracing::error!(error = %e, "sync worker could not start");
    }
}

fn update(desk: &Desk, f: impl FnOnce(&mut tongban_domain::desk::SyncStatus)) {
    desk.set_sync(f);
}

fn sync_error(e: SyncError) -> UiError {
    match &e {
        SyncError::Hub(h) if h.is_transient() => UiError::of(ErrorCode::Offline, &e),
        _ => UiError::of(ErrorCode::Sync, &e),
    }
}

/// One sync; true when the hub refused this desk as revoked.
fn run_once(desk: &Desk, store: &mut Store) -> bool {
    update(desk, |st| st.syncing = true);
    let synced = tongban_client::hub_client(store)
        .map_err(|e| message(ErrorCode::Sync, &e.to_string(), "无法连接中心"))
        .map(|hub| {
            let retry = Retry {
                attempts: 2,
                ..Retry::default()
            };
            let mut progress = |p: PageProgress| {
                let transfer = Transfer {
                    direction: match p.direction {
                        PageDirection::Up => "up".into(),
                        PageDirection::Down => "down".into(),
                    },
                    done: p.pages_done,
                    total: p.pages_total,
                    bytes_done: p.bytes_done,
                    bytes_total: p.bytes_total,
                };
                let transfer = (p.pages_done < p.pages_total).then_some(transfer);
                update(desk, |st| st.pages = transfer);
            };
            tongban_client::sync_with_progress(store, &hub, retry, &mut progress)
        });
    if let Ok(Err(e)) = &synced
        && e.is_revoked()
    {
        return true;
    }
    let outcome = synced.and_then(|report| report.map_err(sync_error));
    let waiting = store.changed_docs().map(|d| d.len() as u64).unwrap_or(0);
    let now_ms = tongban_store::now_ms(time::OffsetDateTime::now_utc());
    update(desk, |st| {
        st.syncing = false;
        st.pages = None;
        st.waiting_docs = waiting;
        match outcome {
            Ok(report) => {
                st.online = Some(true);
                st.last_success_ms = Some(now_ms);
                st.last_error = None;
                st.bytes_up += report.bytes_up;
                st.bytes_down += report.bytes_down;
            }
            Err(e) => {
                // A refusal still means the hub answered.
                st.online = Some(e.code != ErrorCode::Offline);
                st.last_error = Some(e);
            }
        }
    });
    false
}
