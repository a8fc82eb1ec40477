//! The history of a township's accounts: added, given another role, disabled, enabled again,
//! a new key or second factor, assigned to desks and taken off them. Kept beside the accounts so
//! the hub can ask what role a person held, with which key, on which desks, and whether they
//! were disabled, when an event says it was made, and so an operator can read who did what.

use crate::error::HubResult;
use std::future::Future;

/// What happened to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Role,
    Disabled,
    Enabled,
    /// The county set a new password: a new key, sealed under it, to be changed at next sign-in.
    PasswordReset,
    /// The person chose a new password on a desk: the same key, sealed again.
    PasswordChanged,
    TotpReset,
    Assigned,
    Unassigned,
}

const KINDS: [ChangeKind; 9] = [
    ChangeKind::Added,
    ChangeKind::Role,
    ChangeKind::Disabled,
    ChangeKind::Enabled,
    ChangeKind::PasswordReset,
    ChangeKind::PasswordChanged,
    ChangeKind::TotpReset,
    ChangeKind::Assigned,
    ChangeKind::Unassigned,
];

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Role => "role",
            Self::Disabled => "disabled",
            Self::Enabled => "enabled",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::TotpReset => "totp_reset",
            Self::Assigned => "assigned",
            Self::Unassigned => "unassigned",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        KINDS.into_iter().find(|k| k.as_str() == text)
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
    /// Who made the change at the hub (the operating-system user running the command), or
    /// `desk:<id>` for a password changed on a desk.
    pub operator: String,
    /// The desk an assignment names.
    pub device: Option<String>,
    /// What the change stores but the history does not show: a key, a second factor.
    pub secret: Option<NewSecret>,
}

impl AccountChange {
    /// A change made now, with nothing but its kind.
    pub fn new(name: &str, kind: ChangeKind, operator: &str) -> Self {
        Self {
            name: name.to_string(),
            at_ms: crate::service::now_ms(),
            kind,
            role: None,
            operator: operator.to_string(),
            device: None,
            secret: None,
        }
    }
}

/// The secret part of a change, applied with it and never listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewSecret {
    /// A public key and the private key sealed under the password.
    Key {
        public_key: String,
        sealed_key: String,
    },
    /// A second factor's secret, sealed under the hub's key.
    Totp(String),
}

/// A person's assignment to a desk, from when to when (milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    pub device: String,
    pub from_ms: i64,
    pub until_ms: Option<i64>,
}

/// A key an account has had, from when (milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonKey {
    pub name: String,
    pub public_key: String,
    pub from_ms: i64,
}

pub trait AccountDb {
    /// Applies the change to the account and records it, in one transaction; `false` when the
    /// township has no such account, a new sealing is not newer than the kept one or not of the
    /// account's key, or an unassignment finds no assignment.
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
    /// Every assignment of the township's people to desks, past and current.
    fn assignments(
        &self,
        township: &str,
    ) -> impl Future<Output = HubResult<Vec<Assignment>>> + Send;
    /// Every key the township's accounts have had.
    fn person_keys(&self, township: &str)
    -> impl Future<Output = HubResult<Vec<PersonKey>>> + Send;
}
