//! An emulated poor link between this machine and a hub in a network namespace of its own.
//!
//! Every IP packet between the two crosses a TUN device on each side and this process, which
//! sends it on no faster than the link's rate, holds it for the one-way delay, drops a share at
//! random and drops what overflows the link's queue, as a router in front of a slow line does.
//! Both ends run the kernel's own TCP, so retransmissions, congestion control and timeouts are
//! the real ones. The kernel here has no netem, hence the emulation in user space.
//!
//! Needs root: it makes a network namespace and two TUN devices.

use std::collections::VecDeque;
use std::io;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tun_rs::{DeviceBuilder, SyncDevice};

/// The desk's end of the link (this machine's namespace).
pub const DESK_IP: &str = "10.77.0.1";
/// The hub's end, inside the link's namespace.
pub const HUB_IP: &str = "10.77.0.2";

#[derive(Debug, Clone, Copy)]
pub struct LinkShape {
    pub rate_bits_per_second: u64,
    pub one_way_delay: Duration,
    /// Share of packets lost, each way, independently.
    pub loss: f64,
    /// What the line's queue holds before it drops new packets.
    pub queue_bytes: u64,
}

impl LinkShape {
    /// A township's link on a bad day: 256 kbit/s each way, 300 ms round trip, 2% loss, and a
    /// queue of about one second.
    pub fn township() -> Self {
        Self {
            rate_bits_per_second: 256_000,
            one_way_delay: Duration::from_millis(150),
            loss: 0.02,
            queue_bytes: 32 * 1024,
        }
    }

    pub fn bytes_per_second(&self) -> f64 {
        self.rate_bits_per_second as f64 / 8.0
    }
}

/// What crossed the link one way.
#[derive(Debug, Default)]
pub struct DirectionStats {
    pub packets: AtomicU64,
    pub bytes: AtomicU64,
    pub lost: AtomicU64,
    pub overflowed: AtomicU64,
}

pub struct PoorLink {
    netns: String,
    shape: LinkShape,
    stop: Arc<AtomicBool>,
    up: Arc<DirectionStats>,
    down: Arc<DirectionStats>,
}

impl PoorLink {
    /// Makes the namespace and both devices and starts forwarding; `seed` fixes which packets
    /// are lost.
    pub fn start(shape: LinkShape, seed: u64) -> io::Result<Self> {
        let id = std::process::id();
        let netns = format!("tb-link-{id}");
        let desk_name = format!("tbdesk{id}");
        let hub_name = format!("tbhub{id}");
        ip(&["netns", "add", &netns])?;
        let desk = Arc::new(DeviceBuilder::new().name(&desk_name).build_sync()?);
        // The hub's device is made here and then moved: this process keeps its end.
        let hub = Arc::new(DeviceBuilder::new().name(&hub_name).build_sync()?);
        ip(&["link", "set", &hub_name, "netns", &netns])?;
        ip(&["addr", "add", DESK_IP, "peer", HUB_IP, "dev", &desk_name])?;
        ip(&["link", "set", &desk_name, "up"])?;
        let inside = |args: &[&str]| {
            let mut all = vec!["netns", "exec", &netns, "ip"];
            all.extend_from_slice(args);
            ip(&all)
        };
        inside(&["addr", "add", HUB_IP, "peer", DESK_IP, "dev", &hub_name])?;
        inside(&["link", "set", &hub_name, "up"])?;
        inside(&["link", "set", "lo", "up"])?;

        let link = Self {
            netns,
            shape,
            stop: Arc::new(AtomicBool::new(false)),
            up: Arc::default(),
            down: Arc::default(),
        };
        link.forward(Arc::clone(&desk), Arc::clone(&hub), &link.up, seed);
        link.forward(hub, desk, &link.down, seed.wrapping_add(1));
        Ok(link)
    }

    /// The namespace the hub runs in (`ip netns exec <it> ...`).
    pub fn netns(&self) -> &str {
        &self.netns
    }

    /// Desk to hub.
    pub fn up(&self) -> &DirectionStats {
        &self.up
    }

    /// Hub to desk.
    pub fn down(&self) -> &DirectionStats {
        &self.down
    }

    /// One direction: a reader that decides each packet's fate and departure, and a sender
    /// that hands it to the far side when its time comes.
    fn forward(
        &self,
        from: Arc<SyncDevice>,
        to: Arc<SyncDevice>,
        stats: &Arc<DirectionStats>,
        seed: u64,
    ) {
        let shape = self.shape;
        let line = Arc::new((
            Mutex::new(VecDeque::<(Instant, Vec<u8>)>::new()),
            Condvar::new(),
        ));
        let (stop, stats_in) = (Arc::clone(&self.stop), Arc::clone(stats));
        let queue = Arc::clone(&line);
        thread::spawn(move || {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut buf = vec![0u8; 65_536];
            // When the line finishes sending what it already holds.
            let mut free_at = Instant::now();
            while !stop.load(Ordering::SeqCst) {
                let Ok(n) = from.recv(&mut buf) else { break };
                let now = Instant::now();
                if rng.random_bool(shape.loss) {
                    stats_in.lost.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let backlog =
                    free_at.saturating_duration_since(now).as_secs_f64() * shape.bytes_per_second();
                if backlog + n as f64 > shape.queue_bytes as f64 {
                    stats_in.overflowed.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                free_at =
                    free_at.max(now) + Duration::from_secs_f64(n as f64 / shape.bytes_per_second());
                stats_in.packets.fetch_add(1, Ordering::Relaxed);
                stats_in.bytes.fetch_add(n as u64, Ordering::Relaxed);
                let (packets, arrived) = &*queue;
                if let Ok(mut packets) = packets.lock() {
                    packets.push_back((free_at + shape.one_way_delay, buf[..n].to_vec()));
                    arrived.notify_one();
                }
            }
        });
        let stop = Arc::clone(&self.stop);
        thread::spawn(move || {
            let (packets, arrived) = &*line;
            let Ok(mut held) = packets.lock() else { return };
            while !stop.load(Ordering::SeqCst) {
                let now = Instant::now();
                match held.front() {
                    Some((due, _)) if *due <= now => {
                        if let Some((_, packet)) = held.pop_front() {
                            // A packet the far side will not take is lost, as on a real line.
                            let _ = to.send(&packet);
                        }
                    }
                    next => {
                        let wait = next.map_or(Duration::from_millis(100), |(due, _)| *due - now);
                        match arrived.wait_timeout(held, wait) {
                            Ok((guard, _)) => held = guard,
                            Err(_) => return,
                        }
                    }
                }
            }
        });
    }
}

impl Drop for PoorLink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Removing the namespace removes the hub's device; the desk's goes with this process.
        let _ = ip(&["netns", "del", &self.netns]);
    }
}

fn ip(args: &[&str]) -> io::Result<()> {
    let output = Command::new("ip").args(args).output()?;
    if output.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }
}
