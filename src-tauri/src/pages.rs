//! Scans into the window and documents out of it: files waiting to be attached (scanner inbox
//! folder, dropped on the window, picked in the file dialog, or scanned with SANE), their
//! import with progress, thumbnails, and printing to PDF in the system viewer.

use crate::commands::{Answer, blocking, view};
use crate::desk::{Desk, lock, message, store_error};
use base64::Engine;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;
use tongban_domain::Text;
use tongban_domain::desk::{
    AttachForm, CaseView, ErrorCode, PageThumb, PendingFile, PendingFiles, Transfer,
};
use tongban_pages::{ImportOptions, PageLimits};
use tongban_store::DocKind;

const SCAN_EXTENSIONS: [&str; 6] = ["jpg", "jpeg", "png", "tif", "tiff", "pdf"];

/// Where network scanners drop files: TONGBAN_SCANNER_INBOX, or `scanner-inbox` in the profile.
pub fn inbox_dir(desk: &Desk) -> PathBuf {
    std::env::var_os("TONGBAN_SCANNER_INBOX")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            desk.profile
                .dir()
                .join(tongban_store::profile::SCANNER_INBOX)
        })
}

fn is_scan(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SCAN_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn pending_file(path: &Path, source: &str) -> Option<PendingFile> {
    let meta = std::fs::metadata(path).ok()?;
    meta.is_file().then(|| PendingFile {
        path: path.display().to_string(),
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes: meta.len(),
        source: source.to_string(),
    })
}

fn scanner_installed() -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| dir.join("scanimage").is_file())
    })
}

/// Files dropped on the window wait with the others until they are attached.
pub fn dropped(desk: &Desk, paths: Vec<PathBuf>) {
    let mut waiting = lock(&desk.waiting);
    for path in paths.into_iter().filter(|p| is_scan(p)) {
        if !waiting.iter().any(|(p, _)| p == &path) {
            waiting.push((path, "dropped"));
        }
    }
}

#[tauri::command]
pub async fn pending_files(desk: State<'_, Arc<Desk>>) -> Answer<PendingFiles> {
    blocking(&desk, |d| {
        d.watching_session()?;
        let dir = inbox_dir(d);
        // Created on first look so scanners have somewhere to write.
        let _ = std::fs::create_dir_all(&dir);
        let mut files: Vec<PendingFile> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| is_scan(p))
                    .filter_map(|p| pending_file(&p, "inbox"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort_by(|a, b| a.name.cmp(&b.name));
        files.extend(
            lock(&d.waiting)
                .iter()
                .filter_map(|(path, source)| pending_file(path, source)),
        );
        Ok(PendingFiles {
            inbox_dir: dir.display().to_string(),
            scanner: scanner_installed(),
            files,
        })
    })
    .await
}

#[tauri::command]
pub async fn pick_files(app: AppHandle, desk: State<'_, Arc<Desk>>) -> Answer<()> {
    desk.session()?;
    let picked = app
        .dialog()
        .file()
        .add_filter("扫描件 / Scans", &SCAN_EXTENSIONS)
        .blocking_pick_files()
        .unwrap_or_default();
    let mut waiting = lock(&desk.waiting);
    for path in picked.into_iter().filter_map(|p| p.into_path().ok()) {
        if !waiting.iter().any(|(p, _)| p == &path) {
            waiting.push((path, "picked"));
        }
    }
    Ok(())
}

/// Runs SANE's `scanimage` into the inbox; the page then waits there like any other scan.
#[tauri::command]
pub async fn scan_page(desk: State<'_, Arc<Desk>>) -> Answer<()> {
    blocking(&desk, |d| {
        d.session()?;
        let dir = inbox_dir(d);
        let _ = std::fs::create_dir_all(&dir);
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let out = dir.join(format!("scan-{stamp}.png"));
        let status = std::process::Command::new("scanimage")
            .args([
                "--format=png",
                "--resolution",
                "300",
                "--mode",
                "Gray",
                "-o",
            ])
            .arg(&out)
            .status()
            .map_err(|e| {
                message(
                    ErrorCode::Scanner,
                    &e.to_string(),
                    "无法启动扫描仪程序 scanimage",
                )
            })?;
        if !status.success() {
            return Err(message(
                ErrorCode::Scanner,
                "the scanner reported an error",
                "扫描失败，请检查扫描仪是否连接并放好纸张",
            ));
        }
        Ok(())
    })
    .await
}

fn set_progress(desk: &Desk, transfer: Option<Transfer>) {
    desk.set_sync(|st| st.pages = transfer);
}

/// Imports every chosen file (all must pass before any is stored), then attaches them.
#[tauri::command]
pub async fn attach_pages(desk: State<'_, Arc<Desk>>, form: AttachForm) -> Answer<CaseView> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        if form.paths.is_empty() {
            return Err(message(
                ErrorCode::Invalid,
                "no files chosen",
                "请先勾选要附加的文件",
            ));
        }
        let limits = PageLimits::default();
        let total = form.paths.len() as u64;
        let mut pages = Vec::with_capacity(form.paths.len());
        let mut progress = Transfer {
            direction: "import".into(),
            total,
            ..Transfer::default()
        };
        for path in &form.paths {
            set_progress(d, Some(progress.clone()));
            let imported = tongban_pages::import_file(
                Path::new(path),
                ImportOptions {
                    greyscale: form.greyscale,
                },
                &limits,
            );
            match imported {
                Ok(page) => {
                    progress.bytes_done += page.bytes.len() as u64;
                    pages.push(page);
                }
                Err(e) => {
                    set_progress(d, None);
                    return Err(tongban_domain::desk::UiError::of(ErrorCode::Page, &e));
                }
            }
            progress.done += 1;
        }
        set_progress(d, None);
        let view = d.with_store(|s| {
            // The select names a signed paper by its kind, a material by its code.
            let now = tongban_store::china_now();
            let case = match form.material.parse::<tongban_domain::PaperKind>() {
                Ok(kind) => s.attach_paper(&form.number, kind, &pages, &session, now),
                Err(_) => s.attach_pages(&form.number, &form.material, &pages, &session, now),
            }
            .map_err(store_error)?;
            view(s, &session, case).map_err(store_error)
        })?;
        settle(d, &form.paths);
        let _ = d.sync_now.send(());
        Ok(view)
    })
    .await
}

/// Attached files leave the waiting list; files from the scanner's folder are deleted, since
/// the encrypted database now holds them and a plain copy would outlive every other safeguard.
/// A file picked from elsewhere belongs to whoever put it there and stays.
fn settle(desk: &Desk, paths: &[String]) {
    let inbox = inbox_dir(desk);
    for path in paths.iter().map(PathBuf::from) {
        if path.parent() == Some(inbox.as_path())
            && let Err(e) = std::fs::remove_file(&path)
        {
            tracing::warn!(path = %path.display(), error = %e, "an imported scan could not be removed");
        }
    }
    lock(&desk.waiting).retain(|(p, _)| !paths.iter().any(|done| Path::new(done) == p));
}

#[tauri::command]
pub async fn case_pages(desk: State<'_, Arc<Desk>>, number: String) -> Answer<Vec<PageThumb>> {
    blocking(&desk, move |d| {
        let session = d.session()?;
        d.with_store(|s| {
            s.view(&session, &number, tongban_store::china_now())
                .map_err(store_error)?;
            let pages = s.case_pages(&number).map_err(store_error)?;
            pages
                .into_iter()
                .map(|p| {
                    let thumbnail =
                        s.page_thumbnail(&p.page.sha256)
                            .map_err(store_error)?
                            .map(|jpeg| {
                                format!(
                                    "data:image/jpeg;base64,{}",
                                    base64::engine::general_purpose::STANDARD.encode(jpeg)
                                )
                            });
                    Ok(PageThumb {
                        material: p.material,
                        position: p.position,
                        sha256: p.page.sha256,
                        mime: p.page.mime,
                        present: p.present,
                        thumbnail,
                    })
                })
                .collect()
        })
    })
    .await
}

/// Writes the document to the profile's `prints` folder and opens it in the system viewer,
/// where the clerk prints it (TONGBAN_NO_VIEWER=1 leaves it unopened).
#[tauri::command]
pub async fn print_document(
    app: AppHandle,
    desk: State<'_, Arc<Desk>>,
    number: String,
    kind: String,
) -> Answer<String> {
    let path = blocking(&desk, move |d| {
        let session = d.session()?;
        let kind: DocKind = kind
            .parse()
            .map_err(|e: Text| tongban_domain::desk::UiError::of(ErrorCode::Invalid, &e))?;
        let pdf = d.with_store(|s| {
            s.print_document(&session, &number, kind, tongban_store::china_now())
                .map_err(store_error)
        })?;
        let name = format!("{number}-{}.pdf", kind.as_str());
        tongban_store::profile::write_print(d.profile.dir(), &name, &pdf)
            .map_err(|e| message(ErrorCode::Io, &e.to_string(), "无法写入文书"))
    })
    .await?;
    if std::env::var_os("TONGBAN_NO_VIEWER").is_none()
        && let Err(e) = app
            .opener()
            .open_path(path.display().to_string(), None::<&str>)
    {
        tracing::warn!(error = %e, "no PDF viewer could open the document");
    }
    Ok(path.display().to_string())
}
