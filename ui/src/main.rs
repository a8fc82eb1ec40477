//! The clerk's window, compiled to wasm32 and served by the desktop shell.
#![forbid(unsafe_code)]

mod api;
mod app;
mod archive;
mod audit;
mod cases;
mod casework;
mod dashboard;
mod enrol;
mod i18n;
mod intake;
mod scans;
mod sentences;
mod settings;

use wasm_bindgen::prelude::wasm_bindgen;

/// Runs when the module is initialised by main.js.
#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(app::App);
}

// The entry point is `start`; a binary target still needs a `main`.
fn main() {}
