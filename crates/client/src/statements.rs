//! The hub's statements about whom this desk trusts: a next key, announced under the current
//! one, is pinned beside it; once the hub presents it, it becomes the only one. A statement
//! that does not verify under the pinned key is logged and ignored.

use crate::hub::HubClient;
use crate::sync::SyncError;
use tongban_store::{NextHubKey, Store};
use tongban_sync::wire::{SignedStatement, StatementKind};
use tongban_trust::Fingerprint;

pub(crate) fn take_in(
    store: &mut Store,
    hub: &HubClient,
    statements: &[SignedStatement],
) -> Result<(), SyncError> {
    for signed in statements {
        let statement = match tongban_trust::verify_statement(
            &hub.hub_key().certificate,
            signed,
            hub.device_id(),
        ) {
            Ok(statement) => statement,
            Err(e) => {
                tracing::warn!(error = %e, "a statement not signed by the hub's pinned key was ignored");
                continue;
            }
        };
        match statement.kind {
            StatementKind::NextHubKey {
                fingerprint,
                certificate,
            } => {
                // The certificate must be the key it is announced as.
                let named = Fingerprint::parse(&fingerprint).ok();
                let actual = Fingerprint::of_certificate(&certificate).ok();
                if named.is_none() || named != actual {
                    tracing::warn!("an announced hub key does not match its certificate; ignored");
                    continue;
                }
                if store.next_hub_key()?.map(|n| n.fingerprint) != Some(fingerprint.clone()) {
                    tracing::info!(next = %fingerprint, "the hub announced its next key");
                    store.set_next_hub_key(&NextHubKey {
                        fingerprint,
                        certificate,
                    })?;
                }
            }
            other => tracing::warn!(kind = ?other, "a statement out of place here was ignored"),
        }
    }
    Ok(())
}

/// After a sync: if the hub presented the key it had announced, that key is now the pinned one.
pub(crate) fn settle_key(store: &mut Store, hub: &HubClient) -> Result<(), SyncError> {
    let (Some(presented), Some(next)) = (hub.presented_key(), store.next_hub_key()?) else {
        return Ok(());
    };
    if Fingerprint::parse(&next.fingerprint).ok() == Some(presented) {
        store.promote_next_hub_key()?;
        tracing::info!(key = %next.fingerprint, "the hub now presents its announced key; pinned");
    }
    Ok(())
}
