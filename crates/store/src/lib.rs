//! A desk's profile: the SQLCipher case store, its keys (OS keyring plus recovery passphrase)
//! and what the desk remembers about syncing with the hub.
#![forbid(unsafe_code)]

mod accounts;
pub mod archive;
pub mod audit;
#[cfg(test)]
mod audit_tests;
mod backup;
mod cases;
mod casework;
#[cfg(test)]
mod casework_tests;
mod checkpoint;
mod documents;
mod error;
mod figures;
pub mod keys;
mod pages;
#[cfg(test)]
mod pages_tests;
pub mod profile;
mod rejoin;
mod retention;
#[cfg(test)]
mod retention_tests;
mod search;
mod store;
mod sync_state;
#[cfg(test)]
mod test_desk;
mod witness;
#[cfg(test)]
mod witness_tests;

pub use accounts::Refusal;
pub use audit::{Access, TrailReport};
pub use backup::BackupReport;
pub use cases::{CaseFilter, now_ms};
pub use documents::DocKind;
pub use error::StoreError;
pub use pages::{CasePage, PendingBlob};
pub use profile::Profile;
pub use retention::{RETENTION_DAYS, RetentionError};
pub use search::Found;
pub use store::{Enrollment, NextHubKey, Store};
pub use tongban_domain::desk::CaseSummary;

fn china_offset() -> time::UtcOffset {
    time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC)
}

/// Case dates follow China Standard Time wherever the desk's clock is set.
pub fn china_now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc().to_offset(china_offset())
}

/// Parses `YYYY-MM-DD` and returns that day's bounds in Unix milliseconds, China Standard Time.
pub fn day_bounds_ms(text: &str) -> Result<(i64, i64), tongban_domain::Text> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(text.trim(), &format).map_err(|_| {
        tongban_domain::text!(
            "expected a date like 2026-11-21, found {text:?}",
            "日期格式应为 2026-11-21（收到“{text}”）"
        )
    })?;
    let start = |d: time::Date| d.midnight().assume_offset(china_offset()).unix_timestamp() * 1000;
    let end = day.next_day().map_or(i64::MAX, start);
    Ok((start(day), end))
}
