//! The supervision dashboard's commands (figures, the cases behind one, the monthly report as
//! PDF or .xlsx), the warnings badge, and the 电子监察 notifications the shell raises.

use crate::commands::{Answer, blocking};
use crate::desk::{Desk, lock, message, store_error};
use std::collections::HashMap;
use std::sync::Arc;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;
use tongban_domain::Localized;
use tongban_domain::desk::{CaseSummary, ErrorCode, UiError};
use tongban_domain::figures::{Measure, Query, Report};
use tongban_domain::warnings::{Warning, WarningLevel, to_notify};
use tongban_store::Store;

fn query(from: Option<String>, to: Option<String>, by: Option<String>) -> Answer<Query> {
    let today = tongban_store::china_now().date();
    let blank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
    Query::parse(
        blank(from).as_deref(),
        blank(to).as_deref(),
        blank(by).as_deref(),
        today,
    )
    .map_err(|e| UiError::of(ErrorCode::Invalid, &e.text()))
}

#[tauri::command]
pub async fn figures_report(
    desk: State<'_, Arc<Desk>>,
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
) -> Answer<Report> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        let query = query(from, to, by)?;
        d.with_store(|s| {
            s.report(&session, &query, tongban_store::china_now())
                .map_err(store_error)
        })
    })
    .await
}

#[tauri::command]
pub async fn figures_cases(
    desk: State<'_, Arc<Desk>>,
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
    key: Option<String>,
    measure: Measure,
) -> Answer<Vec<CaseSummary>> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        let query = query(from, to, by)?;
        d.with_store(|s| {
            s.cases_behind(
                &session,
                &query,
                key.as_deref(),
                measure,
                tongban_store::china_now(),
            )
            .map_err(store_error)
        })
    })
    .await
}

/// Writes the report as `format` (pdf or xlsx) beside the printed documents and opens it.
#[tauri::command]
pub async fn figures_export(
    app: AppHandle,
    desk: State<'_, Arc<Desk>>,
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
    format: String,
) -> Answer<String> {
    let path = blocking(&desk, move |d| {
        let session = d.session()?;
        let query = query(from, to, by)?;
        let (report, unit) = d.with_store(|s| {
            let report = s
                .report(&session, &query, tongban_store::china_now())
                .map_err(store_error)?;
            let unit = s.enrollment().map_err(store_error)?.township_name;
            Ok((report, unit))
        })?;
        let printed = match format.as_str() {
            "pdf" => tongban_print::report_pdf(&report, &unit),
            "xlsx" => tongban_print::report_xlsx(&report, &unit),
            _ => {
                return Err(message(
                    ErrorCode::Invalid,
                    "export as pdf or xlsx",
                    "只能导出PDF或Excel",
                ));
            }
        }
        .map_err(|e| UiError::of(ErrorCode::Io, &e.text()))?;
        let name = format!("report-{}-{}.{format}", report.from, report.to);
        tongban_store::profile::write_print(d.profile.dir(), &name, &printed)
            .map_err(|e| message(ErrorCode::Io, &e.to_string(), "无法写入报表"))
    })
    .await?;
    if std::env::var_os("TONGBAN_NO_VIEWER").is_none()
        && let Err(e) = app
            .opener()
            .open_path(path.display().to_string(), None::<&str>)
    {
        tracing::warn!(error = %e, "no viewer could open the report");
    }
    Ok(path.display().to_string())
}

/// The signed-in person's warnings, for the navigation's badge (polling does not keep an idle
/// session alive).
#[tauri::command]
pub async fn warnings(desk: State<'_, Arc<Desk>>) -> Answer<Vec<Warning>> {
    blocking(&desk, |d| {
        let session = d.watching_session()?;
        let today = tongban_store::china_now().date();
        d.with_store(|s| s.warnings(&session, today).map_err(store_error))
    })
    .await
}

/// What the person was last told, by case; none until the first check after signing in, which
/// tells everything at once.
pub type Told = Option<HashMap<String, WarningLevel>>;

/// A notification the shell raised for the person signed in.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Raised {
    pub title: String,
    pub body: String,
}

/// The notifications raised since the person signed in, newest last: the window lists them (a
/// notification the system did not show, or that was dismissed, is still there).
#[tauri::command]
pub fn notifications(desk: State<'_, Arc<Desk>>) -> Answer<Vec<Raised>> {
    desk.watching_session()?;
    Ok(lock(&desk.raised).clone())
}

/// Checks the signed-in person's warnings on the worker's connection and raises a notification
/// for what is new or more urgent: one summary at sign-in, then one per case.
pub fn check(desk: &Desk, store: &Store, app: &AppHandle) {
    let Ok(session) = desk.watching_session() else {
        return;
    };
    let today = tongban_store::china_now().date();
    let warnings = match store.warnings(&session, today) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "warnings could not be read");
            return;
        }
    };
    let mut told = lock(&desk.told);
    match told.as_mut() {
        None => {
            let red = warnings
                .iter()
                .filter(|w| w.level == WarningLevel::Red)
                .count();
            let near = warnings.len() - red;
            if !warnings.is_empty() {
                notify(
                    desk,
                    app,
                    "电子监察提醒",
                    &format!("{}：{red}件已超期，{near}件即将到期", session.user),
                );
            }
        }
        Some(before) => {
            for w in to_notify(&warnings, before) {
                notify(
                    desk,
                    app,
                    &format!("电子监察：{}", w.level.label_zh()),
                    &format!("办件{}（{}）期限{}", w.number, w.item_name, w.due),
                );
            }
        }
    }
    *told = Some(
        warnings
            .iter()
            .map(|w| (w.number.clone(), w.level))
            .collect(),
    );
}

/// The shell's one notification call: kept for the window's list (which is also how the tests,
/// on a display with no notification daemon, see it), then shown by the system.
fn notify(desk: &Desk, app: &AppHandle, title: &str, body: &str) {
    use tauri_plugin_notification::NotificationExt;
    tracing::info!(target: "tongban::notification", title, body, "notification raised");
    lock(&desk.raised).push(Raised {
        title: title.to_string(),
        body: body.to_string(),
    });
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "the system showed no notification");
    }
}
