//! `tongban-hub serve`: TLS with the hub's key (or the county's certificate), plain HTTP only on
//! loopback and only when asked, limits on connections and uploads, housekeeping on a timer.

use super::StoreArgs;
use anyhow::{Context, Result, bail};
use clap::Args;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tongban_hub::server::{AppState, ConnectionLimits, Metrics, Timeouts, router, serve};
use tongban_hub::service::Limits;
use tongban_hub::{Hub, HubDb};

#[derive(Args)]
pub struct ServeArgs {
    #[arg(long, env = "TONGBAN_HUB_LISTEN", default_value = "127.0.0.1:8470")]
    listen: SocketAddr,
    /// Plain HTTP instead of TLS, allowed only on a loopback address (development and tests).
    #[arg(long, env = "TONGBAN_HUB_INSECURE_LOOPBACK")]
    insecure_loopback: bool,
    #[arg(long, env = "TONGBAN_HUB_MAX_CONNECTIONS", default_value_t = 1024)]
    max_connections: usize,
    /// Connections one peer address may hold open at once (a township's desks share an address
    /// behind its router).
    #[arg(
        long,
        env = "TONGBAN_HUB_MAX_CONNECTIONS_PER_PEER",
        default_value_t = 64
    )]
    max_connections_per_peer: usize,
    /// Seconds a client has to send a request's headers (and to finish the TLS handshake).
    #[arg(long, env = "TONGBAN_HUB_HEADER_TIMEOUT_SECS", default_value_t = 30)]
    header_timeout_secs: u64,
    /// Seconds a request body may take, plus one per 4 KiB of its length.
    #[arg(long, env = "TONGBAN_HUB_BODY_TIMEOUT_SECS", default_value_t = 30)]
    body_timeout_secs: u64,
    /// MiB of request bodies the hub holds at once; further requests wait their turn.
    #[arg(long, env = "TONGBAN_HUB_BODIES_IN_FLIGHT_MIB", default_value_t = 512)]
    bodies_in_flight_mib: u32,
    /// KiB of unfinished page uploads one desk may hold at the hub.
    #[arg(long, env = "TONGBAN_HUB_STAGING_QUOTA_KIB", default_value_t = 128 * 1024)]
    staging_quota_kib: u64,
    /// Hours after which an unfinished page upload is removed.
    #[arg(long, env = "TONGBAN_HUB_UPLOAD_EXPIRY_HOURS", default_value_t = 48)]
    upload_expiry_hours: u64,
    /// Enrolment attempts per peer address and minute.
    #[arg(long, env = "TONGBAN_HUB_ENROLMENTS_PER_MINUTE", default_value_t = 20)]
    enrolments_per_minute: u32,
    /// Requests per peer address and minute on the other unauthenticated routes (/healthz).
    #[arg(
        long,
        env = "TONGBAN_HUB_OPEN_REQUESTS_PER_MINUTE",
        default_value_t = 120
    )]
    open_requests_per_minute: u32,
}

impl ServeArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            staging_quota: self.staging_quota_kib.saturating_mul(1024),
            upload_expiry: Duration::from_secs(self.upload_expiry_hours.saturating_mul(3600)),
            enrolments_per_minute: self.enrolments_per_minute,
            open_requests_per_minute: self.open_requests_per_minute,
        }
    }
}

fn tls_acceptor(store: &StoreArgs) -> Result<tokio_rustls::TlsAcceptor> {
    let keys = store.keys()?;
    let given = store.tls_cert.as_deref().zip(store.tls_key.as_deref());
    let identity = keys.tls(given, true, &store.tls_names)?;
    let mut config = rustls::ServerConfig::builder_with_provider(tongban_trust::provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(identity.chain, identity.key)
        .context(
            "the hub's TLS certificate and key do not fit together / 中心的证书与密钥不匹配",
        )?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

pub async fn run<D: HubDb>(hub: Hub<D>, store: &StoreArgs, args: ServeArgs) -> Result<()> {
    let tls = if args.insecure_loopback {
        if !args.listen.ip().is_loopback() {
            bail!(
                "plain HTTP is allowed on a loopback address only; {} is not one. Drop --insecure-loopback to serve over TLS / 明文 HTTP 仅限本机回环地址",
                args.listen
            );
        }
        None
    } else {
        Some(tls_acceptor(store)?)
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} / 无法监听 {}",
                args.listen, args.listen
            )
        })?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    // Scripts and tests read the bound address (port 0 picks a free one) from this line.
    println!("listening on {scheme}://{addr}");
    std::io::stdout().flush()?;
    tracing::info!(%addr, scheme, pages = hub.pages.kind, key = %hub.identity.fingerprint, "hub listening");

    let housekeeping = {
        let hub = hub.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                if let Err(e) = hub.tidy().await {
                    tracing::warn!(error = %e, "housekeeping failed");
                }
            }
        })
    };
    // Finished cases are archived every ten minutes, and every stored package is audited once a
    // day (长期保存); both leave their results in the archive log.
    let archiving = {
        let hub = hub.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            let mut last_audit: Option<tokio::time::Instant> = None;
            loop {
                tick.tick().await;
                if let Err(e) = hub.archive_finished().await {
                    tracing::warn!(error = %e, "archiving pass failed");
                }
                if last_audit.is_none_or(|t| t.elapsed() >= Duration::from_secs(86_400)) {
                    match hub.fixity_audit().await {
                        Ok(results) => {
                            let failed = results.iter().filter(|r| !r.passed).count();
                            tracing::info!(packages = results.len(), failed, "fixity audit done");
                        }
                        Err(e) => tracing::warn!(error = %e, "fixity audit failed"),
                    }
                    last_audit = Some(tokio::time::Instant::now());
                }
            }
        })
    };
    let metrics = Arc::new(Metrics::default());
    let state = AppState::new(
        hub,
        Arc::clone(&metrics),
        Timeouts {
            body_base: Duration::from_secs(args.body_timeout_secs),
            bodies_in_flight_mib: args.bodies_in_flight_mib,
            ..Timeouts::default()
        },
    );
    let limits = ConnectionLimits {
        max_connections: args.max_connections,
        max_per_peer: args.max_connections_per_peer,
        handshake_timeout: Duration::from_secs(args.header_timeout_secs),
        header_timeout: Duration::from_secs(args.header_timeout_secs),
    };
    serve(listener, router(state), tls, limits, metrics, shutdown()).await;
    housekeeping.abort();
    archiving.abort();
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
