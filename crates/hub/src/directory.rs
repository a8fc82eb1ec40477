//! A township's directory: the accounts, devices, sign-in rules and calendar its desks share.

use crate::api::ApiError;
use crate::db::HubDb;
use tongban_domain::calendar::CalendarData;
use tongban_domain::{Role, SecurityPolicy};
use tongban_sync::wire::{Directory, DirectoryDevice, DirectoryUser};

pub const POLICY_KEY: &str = "policy";
pub const CALENDAR_KEY: &str = "calendar";
/// Hub-wide settings use the empty scope.
pub const HUB_SCOPE: &str = "";

pub async fn policy<D: HubDb>(db: &D, township: &str) -> Result<SecurityPolicy, ApiError> {
    Ok(match db.setting(township, POLICY_KEY).await? {
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| ApiError::Internal(format!("stored policy of {township}: {e}")))?,
        None => SecurityPolicy::default(),
    })
}

pub async fn build<D: HubDb>(db: &D, township: &str) -> Result<Directory, ApiError> {
    let users = db
        .users(township)
        .await?
        .into_iter()
        .filter_map(|u| match u.role.parse::<Role>() {
            Ok(role) => Some(DirectoryUser {
                name: u.name,
                role,
                password_hash: u.password_hash,
                totp_secret: u.totp_secret,
            }),
            Err(_) => {
                tracing::warn!(township, role = %u.role, "user with an unknown role left out");
                None
            }
        })
        .collect();
    let devices = db
        .devices(township)
        .await?
        .into_iter()
        .map(|d| DirectoryDevice {
            id: d.id,
            serial: d.serial,
            public_key: d.public_key,
            revoked: d.revoked,
        })
        .collect();
    let calendar = match db.setting(HUB_SCOPE, CALENDAR_KEY).await? {
        Some(text) => Some(
            serde_json::from_str::<CalendarData>(&text)
                .map_err(|e| ApiError::Internal(format!("stored calendar: {e}")))?,
        ),
        None => None,
    };
    Ok(Directory {
        users,
        devices,
        policy: policy(db, township).await?,
        calendar,
    })
}
