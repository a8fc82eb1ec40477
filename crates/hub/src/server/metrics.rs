//! What an operator's Prometheus scrapes from `/metrics` (answered to this machine only):
//! requests and refusals by reason, each endpoint's latency, bytes each way, open connections
//! and the database's size.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

type Labels = Vec<(&'static str, String)>;

pub struct Metrics {
    registry: Registry,
    requests: Family<Labels, Counter>,
    refusals: Family<Labels, Counter>,
    latency: Family<Labels, Histogram, fn() -> Histogram>,
    bytes: Family<Labels, Counter>,
    pub connections: Gauge,
    database_bytes: Gauge<u64, AtomicU64>,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("tongban_hub");
        let requests = Family::<Labels, Counter>::default();
        let refusals = Family::<Labels, Counter>::default();
        let latency =
            Family::<Labels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let bytes = Family::<Labels, Counter>::default();
        let connections = Gauge::default();
        let database_bytes = Gauge::<u64, AtomicU64>::default();
        registry.register(
            "requests",
            "Requests answered, by route and status",
            requests.clone(),
        );
        registry.register("refusals", "Requests refused, by reason", refusals.clone());
        registry.register(
            "request_seconds",
            "Time to answer a request, by route",
            latency.clone(),
        );
        registry.register("bytes", "Body bytes, by direction", bytes.clone());
        registry.register("connections", "Connections open now", connections.clone());
        registry.register(
            "database_bytes",
            "Size of the hub's database",
            database_bytes.clone(),
        );
        Self {
            registry,
            requests,
            refusals,
            latency,
            bytes,
            connections,
            database_bytes,
        }
    }
}

impl Metrics {
    pub fn observe(&self, route: &str, status: u16, seconds: f64, up: u64, down: u64) {
        self.requests
            .get_or_create(&vec![
                ("route", route.to_string()),
                ("status", status.to_string()),
            ])
            .inc();
        self.latency
            .get_or_create(&vec![("route", route.to_string())])
            .observe(seconds);
        self.bytes
            .get_or_create(&vec![("direction", "in".to_string())])
            .inc_by(up);
        self.bytes
            .get_or_create(&vec![("direction", "out".to_string())])
            .inc_by(down);
    }

    pub fn refused(&self, reason: &str) {
        self.refusals
            .get_or_create(&vec![("reason", reason.to_string())])
            .inc();
    }

    pub fn render(&self, database_bytes: u64) -> String {
        self.database_bytes.set(database_bytes);
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scrape_names_each_counter() {
        let metrics = Metrics::default();
        metrics.observe("/v1/townships/{code}/sync", 200, 0.02, 100, 50);
        metrics.refused("unauthorized");
        let text = metrics.render(4096);
        for expected in [
            "tongban_hub_requests_total{route=\"/v1/townships/{code}/sync\",status=\"200\"} 1",
            "tongban_hub_refusals_total{reason=\"unauthorized\"} 1",
            "tongban_hub_bytes_total{direction=\"in\"} 100",
            "tongban_hub_database_bytes 4096",
            "tongban_hub_request_seconds_bucket",
        ] {
            assert!(text.contains(expected), "{expected} missing from\n{text}");
        }
    }
}
