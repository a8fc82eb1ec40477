//! The HTTP edge: TLS and connection limits (`listener`), one extractor that checks a signed
//! request from its headers before reading its body (`signed`), the routes (`api`) and the
//! operator's view of them (`metrics`, the access log). Handlers only parse, call and encode.

pub mod api;
pub mod listener;
pub mod metrics;
pub mod signed;

pub use api::{AppState, Timeouts, router};
pub use listener::{ConnectionLimits, serve};
pub use metrics::Metrics;
