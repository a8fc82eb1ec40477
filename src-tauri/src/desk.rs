//! The desk behind the window: the profile, who is signed in, and the sync worker's status.
//! Every rule lives in the core crates; this only holds state and translates errors.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};
use tauri::Emitter;
use tongban_domain::desk::{DeskStatus, ErrorCode, SyncStatus, UiError};
use tongban_domain::session::Session;
use tongban_store::{Profile, Store, StoreError};

pub struct Desk {
    pub profile: Profile,
    store: Mutex<Option<Store>>,
    session: Mutex<Option<Session>>,
    sync: Mutex<SyncStatus>,
    /// The app, once it runs: every change of the sync status is pushed to the window.
    pub app: OnceLock<tauri::AppHandle>,
    /// Wakes the sync worker for "sync now".
    pub sync_now: std::sync::mpsc::Sender<()>,
    /// Files dropped on the window or picked, with where they came from, until attached.
    pub waiting: Mutex<Vec<(PathBuf, &'static str)>>,
    /// Why the profile is gone, when the hub revoked this desk; shown on the enrolment screen.
    wiped: Mutex<Option<UiError>>,
    /// The warnings the signed-in person was last notified of (none yet since signing in).
    pub told: Mutex<crate::figures::Told>,
    /// The notifications raised since the person signed in.
    pub raised: Mutex<Vec<crate::figures::Raised>>,
}

pub fn store_error(e: StoreError) -> UiError {
    let code = match &e {
        StoreError::KeyringEntryMissing => ErrorCode::KeyringMissing,
        StoreError::KeyringMismatch => ErrorCode::KeyringMismatch,
        StoreError::KeyringUnavailable(_) => ErrorCode::KeyringUnavailable,
        StoreError::NoProfile(_) => ErrorCode::NoProfile,
        StoreError::WrongPassphrase => ErrorCode::WrongPassphrase,
        StoreError::Registration(_) | StoreError::Applicant(_) => ErrorCode::Invalid,
        StoreError::NoSuchCase(_) => ErrorCode::NoSuchCase,
        StoreError::Denied(_) => ErrorCode::Denied,
        StoreError::SignIn(tongban_domain::SignInError::CodeRequired) => ErrorCode::CodeRequired,
        StoreError::SignIn(tongban_domain::SignInError::Locked(_)) => ErrorCode::Locked,
        StoreError::SignIn(tongban_domain::SignInError::MustChange) => ErrorCode::MustChange,
        StoreError::Password(_) => ErrorCode::WeakPassword,
        StoreError::SignIn(_) => ErrorCode::BadCredentials,
        _ => ErrorCode::Store,
    };
    UiError::of(code, &e)
}

pub fn message(code: ErrorCode, en: &str, zh: &str) -> UiError {
    UiError {
        code,
        en: en.to_string(),
        zh: zh.to_string(),
    }
}

/// The event the window listens to for the sync status.
pub const SYNC_STATUS_EVENT: &str = "sync-status";

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not lock the clerk out; the data behind is still consistent.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Desk {
    pub fn new(profile: Profile, sync_now: std::sync::mpsc::Sender<()>) -> Self {
        // Documents printed in an earlier run that the viewer had a day to show.
        let swept =
            tongban_store::profile::sweep_prints(profile.dir(), std::time::SystemTime::now());
        if let Err(e) = swept {
            tracing::warn!(error = %e, "old printed documents could not be removed");
        }
        Self {
            profile,
            store: Mutex::new(None),
            session: Mutex::new(None),
            sync: Mutex::new(SyncStatus::default()),
            app: OnceLock::new(),
            sync_now,
            waiting: Mutex::new(Vec::new()),
            wiped: Mutex::new(None),
            told: Mutex::new(None),
            raised: Mutex::new(Vec::new()),
        }
    }

    pub fn status(&self) -> DeskStatus {
        // One read of the session: two guards in one statement would deadlock.
        let session = lock(&self.session).clone();
        let mut status = DeskStatus {
            enrolled: self.profile.exists(),
            signed_in: session.is_some(),
            user: session.as_ref().map(|s| s.user.clone()),
            role: session.as_ref().map(|s| s.role),
            profile_dir: self.profile.dir().display().to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            ..DeskStatus::default()
        };
        if !status.enrolled {
            status.suggested_hub_url = std::env::var("TONGBAN_HUB_URL").ok();
            status.suggested_code = std::env::var("TONGBAN_ENROL_CODE").ok();
            status.problem = lock(&self.wiped).clone();
            return status;
        }
        match self.with_store(|store| store.enrollment().map_err(store_error)) {
            Ok(e) => {
                status.idle_minutes = self
                    .with_store(|s| s.policy().map_err(store_error))
                    .ok()
                    .map(|p| p.idle_minutes);
                status.township = Some(e.township.to_string());
                status.township_name = Some(e.township_name);
                status.hub_url = Some(e.hub_url);
                status.hub_key = Some(e.hub_key);
            }
            Err(problem) => status.problem = Some(problem),
        }
        status
    }

    /// Runs `f` on the open store, opening it (through the keyring) on first use.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, UiError>,
    ) -> Result<T, UiError> {
        let mut guard = lock(&self.store);
        if guard.is_none() {
            *guard = Some(self.profile.open().map_err(store_error)?);
        }
        match guard.as_mut() {
            Some(store) => f(store),
            None => Err(message(ErrorCode::Store, "profile not open", "档案未打开")),
        }
    }

    pub fn adopt_store(&self, store: Store) {
        *lock(&self.store) = Some(store);
    }

    /// The signed-in user's session, marked as used now; ends it when it sat idle too long.
    pub fn session(&self) -> Result<Session, UiError> {
        self.current_session(true)
    }

    /// The session for the window's own polling, which must not keep an idle desk signed in.
    pub fn watching_session(&self) -> Result<Session, UiError> {
        self.current_session(false)
    }

    fn current_session(&self, used: bool) -> Result<Session, UiError> {
        let policy = self.with_store(|s| s.policy().map_err(store_error))?;
        let now = tongban_store::now_ms(time::OffsetDateTime::now_utc());
        let mut guard = lock(&self.session);
        let Some(session) = guard.as_mut() else {
            return Err(message(
                ErrorCode::SignedOut,
                "please sign in first",
                "请先登录",
            ));
        };
        let fresh = if used {
            session.touch(&policy, now)
        } else {
            session.check_idle(&policy, now)
        };
        if let Err(idle) = fresh {
            *guard = None;
            return Err(UiError::of(ErrorCode::Idle, &idle));
        }
        Ok(session.clone())
    }

    pub fn sign_in(&self, user: &str, password: &str, code: Option<&str>) -> Result<(), UiError> {
        let now = tongban_store::now_ms(time::OffsetDateTime::now_utc());
        let session =
            self.with_store(|s| s.sign_in(user, password, code, now).map_err(store_error))?;
        *lock(&self.session) = Some(session);
        // The next check tells the new person everything that warns, at once.
        *lock(&self.told) = None;
        lock(&self.raised).clear();
        let _ = self.sync_now.send(());
        Ok(())
    }

    /// Whether someone is signed in, without counting this as use of the session.
    pub fn signed_in(&self) -> bool {
        lock(&self.session).is_some()
    }

    pub fn sign_out(&self) {
        *lock(&self.session) = None;
        *lock(&self.told) = None;
        lock(&self.raised).clear();
    }

    /// The hub revoked this desk: sign out, close the window's connection and delete the
    /// profile from this machine; the window returns to enrolment and says why.
    pub fn wipe_revoked(&self) {
        self.sign_out();
        *lock(&self.store) = None;
        let said = match self.profile.wipe() {
            Ok(()) => UiError::of(
                ErrorCode::Revoked,
                &tongban_client::wiped_after_revocation(),
            ),
            Err(e) => {
                tracing::error!(error = %e, "a revoked desk's profile could not be wiped");
                store_error(e)
            }
        };
        *lock(&self.wiped) = Some(said.clone());
        self.set_sync(|sync| {
            *sync = SyncStatus {
                last_error: Some(said),
                ..SyncStatus::default()
            }
        });
    }

    pub fn sync_status(&self) -> SyncStatus {
        lock(&self.sync).clone()
    }

    /// Changes the sync status and tells the window (the `sync-status` event), so it never has
    /// to ask.
    pub fn set_sync(&self, change: impl FnOnce(&mut SyncStatus)) {
        let now = {
            let mut sync = lock(&self.sync);
            change(&mut sync);
            sync.clone()
        };
        if let Some(app) = self.app.get()
            && let Err(e) = app.emit(SYNC_STATUS_EVENT, now)
        {
            tracing::warn!(error = %e, "the window was not told the sync status");
        }
    }
}
