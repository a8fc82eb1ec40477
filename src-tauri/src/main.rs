//! Tongban desktop: the clerk's window over the desk's encrypted store.
#![forbid(unsafe_code)]
// Release builds on Windows open no console window beside the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod archive;
mod background;
mod commands;
mod desk;
mod figures;
mod pages;

use std::path::PathBuf;
use std::sync::Arc;

/// What of the window is remembered: its size, its place, and whether it was maximised.
const WINDOW_STATE: tauri_plugin_window_state::StateFlags =
    tauri_plugin_window_state::StateFlags::SIZE
        .union(tauri_plugin_window_state::StateFlags::POSITION)
        .union(tauri_plugin_window_state::StateFlags::MAXIMIZED);

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TONGBAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let (wake, woken) = std::sync::mpsc::channel();
    // Without a home folder the window still opens, on a profile beside where it was started.
    let profile =
        tongban_store::Profile::locate(std::env::var_os("TONGBAN_PROFILE").map(PathBuf::from))
            .unwrap_or_else(|_| tongban_store::Profile::at("tongban-profile"));
    // Beside the profile folder, not in it: a desk enrols only into an empty folder.
    let window_state = PathBuf::from(format!("{}.window.json", profile.dir().display()));
    let desk = Arc::new(desk::Desk::new(profile, wake));
    let worker = Arc::clone(&desk);
    let dropped_on = Arc::clone(&desk);
    let outcome = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(WINDOW_STATE)
                // An absolute path: the plugin joins it to its folder, which it then replaces.
                .with_filename(window_state.to_string_lossy())
                .build(),
        )
        // The worker raises notifications, so it starts once the app has a handle.
        .setup(move |app| {
            let _ = worker.app.set(app.handle().clone());
            background::spawn(worker, woken, app.handle().clone());
            Ok(())
        })
        .on_window_event(move |window, event| match event {
            tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) => {
                pages::dropped(&dropped_on, paths.clone());
            }
            // Kept as soon as it changes, so a window that is killed rather than closed still
            // comes back as it was.
            tauri::WindowEvent::Resized(_) | tauri::WindowEvent::Moved(_) => {
                use tauri::Manager;
                use tauri_plugin_window_state::AppHandleExt;
                if let Err(e) = window.app_handle().save_window_state(WINDOW_STATE) {
                    tracing::warn!(error = %e, "window size and place not kept");
                }
            }
            _ => {}
        })
        .manage(desk)
        .invoke_handler(tauri::generate_handler![
            commands::desk_status,
            commands::catalog,
            commands::enroll,
            commands::recover,
            commands::change_password,
            commands::sign_in,
            commands::sign_out,
            commands::register,
            commands::list_cases,
            commands::case_detail,
            commands::unmask,
            commands::case_audit,
            commands::set_field,
            commands::act,
            commands::queues,
            commands::sync_status,
            commands::sync_now,
            commands::save_draft,
            commands::load_draft,
            commands::set_hub_url,
            pages::pending_files,
            pages::pick_files,
            pages::scan_page,
            pages::attach_pages,
            pages::case_pages,
            pages::print_document,
            figures::figures_report,
            figures::figures_cases,
            figures::figures_export,
            figures::warnings,
            archive::archived_cases,
            archive::archive_export,
            archive::archive_check,
            archive::pick_package,
            figures::notifications,
        ])
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = outcome {
        eprintln!("tongban-desktop: {e}");
        std::process::exit(1);
    }
}
