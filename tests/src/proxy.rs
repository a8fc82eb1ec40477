//! A TCP relay between desks and the hub that counts bytes each way and can cut every open
//! connection once a byte count is passed: a link that drops mid-transfer, on demand. It can
//! also keep every byte it relays (an eavesdropper's capture) and send new connections elsewhere
//! (a hostile party taking over the path).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

#[derive(Default)]
struct Counters {
    up: AtomicU64,
    down: AtomicU64,
    /// Cut every connection once `up` (or `down`) passes these; 0 means never.
    cut_up_at: AtomicU64,
    cut_down_at: AtomicU64,
    cuts: AtomicU64,
    open: Mutex<Vec<TcpStream>>,
    closed: AtomicBool,
    /// Where new connections go.
    target: Mutex<String>,
    /// Every byte relayed, both ways, when recording.
    capture: Option<Mutex<Vec<u8>>>,
}

pub struct Proxy {
    counters: Arc<Counters>,
    url: String,
}

impl Proxy {
    /// Relays `127.0.0.1:<free port>` to the hub at `target` (`https://host:port`); the relay's
    /// address keeps the target's scheme, since what it relays is the hub's TLS.
    pub fn start(target: &str) -> Self {
        Self::launch(target, false)
    }

    /// As `start`, keeping every byte relayed either way.
    pub fn recording(target: &str) -> Self {
        Self::launch(target, true)
    }

    fn launch(target: &str, record: bool) -> Self {
        let (scheme, address) = target.split_once("://").expect("a URL");
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy listens");
        let url = format!(
            "{scheme}://{}",
            listener.local_addr().expect("proxy address")
        );
        let counters = Arc::new(Counters {
            target: Mutex::new(address.to_string()),
            capture: record.then(|| Mutex::new(Vec::new())),
            ..Counters::default()
        });
        let shared = Arc::clone(&counters);
        thread::spawn(move || {
            for client in listener.incoming() {
                if shared.closed.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let target = shared.target.lock().expect("target").clone();
                let Ok(hub) = TcpStream::connect(&target) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                if let (Ok(a), Ok(b)) = (client.try_clone(), hub.try_clone())
                    && let Ok(mut open) = shared.open.lock()
                {
                    open.extend([a, b]);
                }
                pump(client.try_clone().ok(), hub.try_clone().ok(), &shared, true);
                pump(Some(hub), Some(client), &shared, false);
            }
        });
        Self { counters, url }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn bytes_up(&self) -> u64 {
        self.counters.up.load(Ordering::SeqCst)
    }

    pub fn bytes_down(&self) -> u64 {
        self.counters.down.load(Ordering::SeqCst)
    }

    pub fn cuts(&self) -> u64 {
        self.counters.cuts.load(Ordering::SeqCst)
    }

    /// Sends new connections to `target` (`scheme://host:port`) from now on.
    pub fn redirect(&self, target: &str) {
        let address = target.split_once("://").map_or(target, |(_, a)| a);
        *self.counters.target.lock().expect("target") = address.to_string();
    }

    /// Every byte relayed so far, both ways.
    pub fn capture(&self) -> Vec<u8> {
        self.counters
            .capture
            .as_ref()
            .map(|c| c.lock().expect("capture").clone())
            .unwrap_or_default()
    }

    /// Drops every connection once the desk has sent `bytes` in all through this proxy.
    pub fn cut_when_up_passes(&self, bytes: u64) {
        self.counters.cut_up_at.store(bytes, Ordering::SeqCst);
    }

    /// Drops every connection once the hub has sent `bytes` in all through this proxy.
    pub fn cut_when_down_passes(&self, bytes: u64) {
        self.counters.cut_down_at.store(bytes, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.counters.closed.store(true, Ordering::SeqCst);
        cut_all(&self.counters);
    }
}

fn cut_all(counters: &Counters) {
    if let Ok(mut open) = counters.open.lock() {
        for stream in open.drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }
}

fn pump(from: Option<TcpStream>, to: Option<TcpStream>, counters: &Arc<Counters>, up: bool) {
    let (Some(mut from), Some(mut to)) = (from, to) else {
        return;
    };
    let counters = Arc::clone(counters);
    thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if let Some(capture) = &counters.capture {
                capture
                    .lock()
                    .expect("capture")
                    .extend_from_slice(&buf[..n]);
            }
            if to.write_all(&buf[..n]).is_err() {
                break;
            }
            let (total, limit) = if up {
                (
                    counters.up.fetch_add(n as u64, Ordering::SeqCst) + n as u64,
                    &counters.cut_up_at,
                )
            } else {
                (
                    counters.down.fetch_add(n as u64, Ordering::SeqCst) + n as u64,
                    &counters.cut_down_at,
                )
            };
            let at = limit.load(Ordering::SeqCst);
            if at > 0
                && total >= at
                && limit
                    .compare_exchange(at, 0, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
            {
                counters.cuts.fetch_add(1, Ordering::SeqCst);
                cut_all(&counters);
                break;
            }
        }
        let _ = from.shutdown(Shutdown::Both);
        let _ = to.shutdown(Shutdown::Both);
    });
}
