//! Accepting connections: TLS (or plain HTTP on loopback when asked), within a cap on open
//! connections and on connections from one peer, with time limits on the handshake and on the
//! request headers. Connections over a cap are closed at once, before any byte is read.

use super::metrics::Metrics;
use axum::Router;
use axum::extract::{ConnectInfo, Request};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use tower_service::Service;

#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub max_per_peer: usize,
    pub handshake_timeout: Duration,
    pub header_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            max_per_peer: 64,
            handshake_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(30),
        }
    }
}

/// Open connections per peer address; a slot is given back when its guard drops.
#[derive(Default)]
struct PeerCounts(Mutex<HashMap<IpAddr, usize>>);

struct PeerSlot {
    counts: Arc<PeerCounts>,
    ip: IpAddr,
}

impl PeerCounts {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<PeerSlot> {
        let mut counts = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = counts.entry(ip).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(PeerSlot {
            counts: Arc::clone(self),
            ip,
        })
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut counts = self
            .counts
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.ip);
            }
        }
    }
}

/// Serves `app` until `shutdown` completes, then lets open requests finish (30 s at most).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsAcceptor>,
    limits: ConnectionLimits,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let peers = Arc::new(PeerCounts::default());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, addr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers go out whole at once: with TLS a response is several records, and Nagle's
        // algorithm would hold the last until the desk's delayed acknowledgement (40 ms).
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(peer = %addr, error = %e, "TCP_NODELAY refused");
        }
        let Ok(permit) = Arc::clone(&open).try_acquire_owned() else {
            tracing::warn!(peer = %addr, "connection refused: the hub is at its connection limit");
            metrics.refused("connection_limit");
            continue;
        };
        let Some(slot) = peers.take(addr.ip(), limits.max_per_peer) else {
            tracing::warn!(peer = %addr, "connection refused: too many connections from this peer");
            metrics.refused("peer_connection_limit");
            continue;
        };
        let (app, tls, watcher, limits, metrics) = (
            app.clone(),
            tls.clone(),
            graceful.watcher(),
            limits.clone(),
            Arc::clone(&metrics),
        );
        tokio::spawn(async move {
            let _held = (permit, slot);
            metrics.connections.inc();
            let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(addr));
                app.clone().call(request)
            });
            let mut http = http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout);
            let served = match tls {
                Some(acceptor) => {
                    match tokio::time::timeout(limits.handshake_timeout, acceptor.accept(tcp)).await
                    {
                        Ok(Ok(stream)) => {
                            watcher
                                .watch(http.serve_connection(TokioIo::new(stream), service))
                                .await
                        }
                        Ok(Err(e)) => {
                            tracing::info!(peer = %addr, error = %e, "TLS handshake failed");
                            metrics.connections.dec();
                            return;
                        }
                        Err(_) => {
                            tracing::info!(peer = %addr, "TLS handshake timed out");
                            metrics.connections.dec();
                            return;
                        }
                    }
                }
                None => {
                    watcher
                        .watch(http.serve_connection(TokioIo::new(tcp), service))
                        .await
                }
            };
            if let Err(e) = served {
                tracing::debug!(peer = %addr, error = %e, "connection ended");
            }
            metrics.connections.dec();
        });
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still open after 30 s; stopping anyway");
    }
}
