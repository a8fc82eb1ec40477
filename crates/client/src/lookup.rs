//! 一证通办 from a desk: the hub looks the applicant up across the county's townships; without a
//! link, the caller searches its own township instead.

use tongban_store::Store;
use tongban_sync::endpoint::Lookup;
use tongban_sync::wire::{LookupRequest, LookupResponse};

/// The hub's answer; `None` when the hub cannot be reached (the desk searches offline).
pub fn lookup_at_hub(
    store: &Store,
    user: &str,
    id_number: &str,
    purpose: &str,
) -> Result<Option<LookupResponse>, tongban_domain::Text> {
    let Ok(hub) = crate::hub_client(store) else {
        return Ok(None);
    };
    let ask = LookupRequest {
        id_number: id_number.trim().to_owned(),
        purpose: purpose.trim().to_owned(),
        user: user.to_owned(),
    };
    match hub.call::<Lookup>(&ask) {
        Ok(answer) => Ok(Some(answer.answer)),
        Err(e) if e.is_transient() => {
            tracing::warn!(error = %e, "hub unreachable: the lookup searches this township only");
            Ok(None)
        }
        Err(e) => Err(tongban_domain::Localized::text(&e)),
    }
}
