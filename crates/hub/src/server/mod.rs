//! The HTTP edge: TLS and connection limits (`listener`), one extractor that checks a signed
//! request from its headers before reading its body (`signed`), the routes (`api`) and the
//! operator's view of them (`metrics`, the access log), the county's supervision page
//! (`county_page`, rendered by `county_html`) and the citizen's query page (`citizen_page`,
//! `citizen_html`). Handlers only parse, call and encode.

pub mod api;
mod citizen_html;
mod citizen_page;
mod county_html;
mod county_page;
pub mod listener;
pub mod metrics;
pub mod signed;

pub use api::{AppState, Timeouts, router};
pub use listener::{ConnectionLimits, serve};
pub use metrics::Metrics;
