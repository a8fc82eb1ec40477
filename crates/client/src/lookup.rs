//! 一证通办 from a desk: the hub looks the applicant up across the county's townships; without a
//! link, the caller searches its own township instead.

use tongban_domain::session::Session;
use tongban_store::Store;
use tongban_sync::endpoint::Lookup;
use tongban_sync::wire::{LookupRequest, LookupResponse};

/// The hub's answer; `None` when the hub cannot be reached (the desk searches offline).
pub fn lookup_at_hub(
    store: &Store,
    session: &Session,
    id_number: &str,
    purpose: &str,
) -> Result<Option<LookupResponse>, tongban_domain::Text> {
    let Ok(hub) = crate::hub_client(store) else {
        return Ok(None);
    };
    let (id_number, purpose) = (id_number.trim(), purpose.trim());
    // Signed by the person signed in: the hub takes a lookup in no one else's name.
    let signature = tongban_sync::person::sign_lookup(
        &session.key,
        hub.device_id(),
        &session.user,
        id_number,
        purpose,
    );
    let ask = LookupRequest {
        id_number: id_number.to_owned(),
        purpose: purpose.to_owned(),
        user: session.user.clone(),
        signature,
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
