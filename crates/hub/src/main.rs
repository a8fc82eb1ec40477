//! `tongban-hub`: run the hub and administer townships, accounts, enrolment codes, devices, keys
//! and backups. Every flag can also come from the environment (`TONGBAN_HUB_*`) or from one TOML
//! file (`--config`), in that order of precedence after the command line.
#![forbid(unsafe_code)]

mod cli;

use anyhow::{Context, Result};

fn main() {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("tongban-hub: {e:#}");
            std::process::exit(2);
        }
    };
    // The server logs its requests; the one-shot admin commands only say what went wrong.
    let level = if cli.command.is_serve() {
        "info"
    } else {
        "warn"
    };
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TONGBAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .init();
    let outcome: Result<()> = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
        .and_then(|rt| rt.block_on(cli::dispatch(cli)));
    if let Err(e) = outcome {
        eprintln!("tongban-hub: {e:#}");
        std::process::exit(1);
    }
}
