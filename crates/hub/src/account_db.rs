//! The history of a township's accounts: added, given another role, disabled, enabled again.
//! Kept beside the accounts so the hub can ask what role a person held, and whether they were
//! disabled, when an event says it was made, and so an operator can read who did what.

use crate::error::HubResult;
use std::future::Future;

/// What happened to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Role,
    Disabled,
    Enabled,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Role => "role",
            Self::Disabled => "disabled",
            Self::Enabled => "enabled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Added, Self::Role, Self::Disabled, Self::Enabled]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// One change to one account, in milliseconds since the epoch like events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    pub name: String,
    pub at_ms: i64,
    pub kind: ChangeKind,
    /// The role from this change on (for `Added` and `Role`).
    pub role: Option<String>,
    /// Who made the change at the hub (the operating-system user running the command).
    pub operator: String,
}

pub trait AccountDb {
    /// Applies the change to the account and records it, in one transaction; `false` when the
    /// township has no such account.
    fn change_account(
        &self,
        township: &str,
        change: AccountChange,
    ) -> impl Future<Output = HubResult<bool>> + Send;
    /// Every change to the township's accounts, oldest first.
    fn account_changes(
        &self,
        township: &str,
    ) -> impl Future<Output = HubResult<Vec<AccountChange>>> + Send;
}
