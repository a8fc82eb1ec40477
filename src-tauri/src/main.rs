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
    let desk = Arc::new(desk::Desk::new(profile, wake));
    let worker = Arc::clone(&desk);
    let dropped_on = Arc::clone(&desk);
    let outcome = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        // The worker raises notifications, so it starts once the app has a handle.
        .setup(move |app| {
            background::spawn(worker, woken, app.handle().clone());
            Ok(())
        })
        .on_window_event(move |_, event| {
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                pages::dropped(&dropped_on, paths.clone());
            }
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
