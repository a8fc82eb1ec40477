//! The archive screen's commands: finished cases with their 档号, a case's package exported
//! beside the printed documents, and the 四性 check of a package or batch chosen in the folder
//! dialog or typed in.

use crate::commands::{Answer, blocking};
use crate::desk::{Desk, message, store_error};
use std::sync::Arc;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tongban_domain::desk::{ArchivedCase, ErrorCode, PackageCheck, UiError};

#[tauri::command]
pub async fn archived_cases(desk: State<'_, Arc<Desk>>) -> Answer<Vec<ArchivedCase>> {
    blocking(&desk, |d| {
        let session = d.session()?;
        d.with_store(|s| {
            s.archived_cases(&session, tongban_store::china_now())
                .map_err(store_error)
        })
    })
    .await
}

/// Writes the case's package into the profile's `archives` folder (the hub's once it has
/// archived the case); returns where.
#[tauri::command]
pub async fn archive_export(desk: State<'_, Arc<Desk>>, number: String) -> Answer<String> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        // Checked before it names a folder: a new export replaces the last one, and nothing the
        // window sends may point that removal anywhere else.
        let number = tongban_domain::CaseNumber::parse(number.trim())
            .map_err(|e| UiError::of(ErrorCode::Invalid, &tongban_domain::Localized::text(&e)))?;
        let out = d.profile.dir().join("archives");
        std::fs::create_dir_all(&out)
            .map_err(|e| message(ErrorCode::Io, &e.to_string(), "无法创建档案包文件夹"))?;
        let dir = out.join(number.as_str());
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| message(ErrorCode::Io, &e.to_string(), "无法替换原有档案包"))?;
        }
        d.with_store(|s| {
            s.export_archive(
                &session,
                number.as_str(),
                &out,
                tongban_store::china_now(),
                || tongban_client::hub_package(s, number.as_str()),
            )
            .map(|e| e.dir.display().to_string())
            .map_err(store_error)
        })
    })
    .await
}

#[tauri::command]
pub async fn archive_check(
    desk: State<'_, Arc<Desk>>,
    path: String,
    stage: String,
) -> Answer<PackageCheck> {
    blocking(&desk, move |d| {
        d.session()?;
        let stage = tongban_archive::Stage::from_arg(&stage)
            .map_err(|e| UiError::of(ErrorCode::Invalid, &tongban_domain::Localized::text(&e)))?;
        let path = std::path::PathBuf::from(path.trim());
        let report = d.with_store(|s| {
            s.check_archive(&path, stage, tongban_store::china_now())
                .map_err(store_error)
        })?;
        serde_json::to_value(&report)
            .and_then(serde_json::from_value)
            .map_err(|e| message(ErrorCode::Io, &e.to_string(), "检测报告无法显示"))
    })
    .await
}

/// The folder dialog, for a package or a batch; `None` when nothing was chosen.
#[tauri::command]
pub async fn pick_package(app: AppHandle, desk: State<'_, Arc<Desk>>) -> Answer<Option<String>> {
    desk.session()?;
    Ok(app
        .dialog()
        .file()
        .blocking_pick_folder()
        .and_then(|p| p.into_path().ok())
        .map(|p| p.display().to_string()))
}
