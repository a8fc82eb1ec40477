//! What makes an account a person: their own key, sealed under their password; resets of the
//! password and the second factor by the county; the desks they work at; and a new password
//! chosen on a desk. Every change is kept in the account's history with who made it.

use super::{Hub, now_ms, totp_context};
use crate::account_db::{AccountChange, ChangeKind, NewSecret};
use crate::db::{Device, HubDb, HubError, HubResult, HubUser};
use tongban_domain::Localized;
use tongban_domain::l10n::Text;
use tongban_domain::text;
use tongban_sync::auth::{MAX_SKEW_SECS, parse_public_key};
use tongban_sync::person::{self, Rekey, SealedKey};

/// A fresh key for `name`, sealed under `password` (a third of a second and 128 MiB of work, so
/// off the async threads; only operators' commands make them).
pub(crate) async fn new_person_key(
    township: &str,
    name: &str,
    password: &str,
) -> HubResult<NewSecret> {
    let (township, name, password) = (
        township.to_string(),
        name.to_string(),
        zeroize::Zeroizing::new(password.to_string()),
    );
    let (public, sealed) =
        tokio::task::spawn_blocking(move || person::new_key(&township, &name, &password))
            .await
            .map_err(HubError::internal)?
            .map_err(HubError::internal)?;
    Ok(NewSecret::Key {
        public_key: hex::encode(public.to_bytes()),
        sealed_key: sealed.to_text(),
    })
}

fn no_account(township: &str, name: &str) -> HubError {
    HubError::NotFound(text!(
        "no account {name} in township {township}",
        "乡镇{township}没有用户{name}"
    ))
}

impl<D: HubDb> Hub<D> {
    async fn account(&self, township: &str, name: &str) -> HubResult<HubUser> {
        self.db
            .users(township)
            .await?
            .into_iter()
            .find(|u| u.name == name.trim())
            .ok_or_else(|| no_account(township, name))
    }

    async fn record(&self, township: &str, change: AccountChange) -> HubResult<()> {
        let name = change.name.clone();
        if !self.db.change_account(township, change).await? {
            return Err(no_account(township, &name));
        }
        Ok(())
    }

    /// Gives an account a new key sealed under a password the county chose: the person must
    /// choose their own at their next sign-in, and events signed with the old key after now are
    /// refused.
    pub async fn reset_password(
        &self,
        township: &str,
        name: &str,
        password: &str,
        operator: &str,
    ) -> HubResult<()> {
        let township = self.existing_township(township).await?;
        let account = self.account(&township, name).await?;
        self.policy(&township)
            .await?
            .check_password(&account.name, password)
            .map_err(|e| HubError::BadRequest(e.text()))?;
        let key = new_person_key(&township, &account.name, password).await?;
        self.record(
            &township,
            AccountChange {
                secret: Some(key),
                ..AccountChange::new(&account.name, ChangeKind::PasswordReset, operator)
            },
        )
        .await
    }

    /// Gives an account a new second-factor secret (returned once, to be shown to the person).
    pub async fn reset_totp(
        &self,
        township: &str,
        name: &str,
        operator: &str,
    ) -> HubResult<String> {
        let township = self.existing_township(township).await?;
        let account = self.account(&township, name).await?;
        let secret = tongban_sync::totp::new_secret();
        let sealed = self
            .sealer
            .seal_text(&totp_context(&township, &account.name), &secret)?;
        self.record(
            &township,
            AccountChange {
                secret: Some(NewSecret::Totp(sealed)),
                ..AccountChange::new(&account.name, ChangeKind::TotpReset, operator)
            },
        )
        .await?;
        Ok(secret)
    }

    /// The enrolled, unrevoked device an assignment names.
    async fn assignable_device(&self, device: &str) -> HubResult<Device> {
        let device = self.db.device(device.trim()).await?.ok_or_else(|| {
            HubError::NotFound(text!(
                "no device {device}; `tongban-hub device list --township CODE` lists them",
                "没有设备{device}"
            ))
        })?;
        if device.revoked {
            return Err(HubError::BadRequest(Text::new(
                format!("device {} is revoked", device.id),
                format!("设备{}已吊销", device.id),
            )));
        }
        Ok(device)
    }

    /// Lets a person work at a desk: the desk receives their account at its next sync. `false`
    /// when they already work there.
    pub async fn assign(&self, name: &str, device: &str, operator: &str) -> HubResult<bool> {
        let device = self.assignable_device(device).await?;
        let account = self.account(&device.township, name).await?;
        if self.works_at(&device, &account.name).await? {
            return Ok(false);
        }
        self.record(
            &device.township,
            AccountChange {
                device: Some(device.id.clone()),
                ..AccountChange::new(&account.name, ChangeKind::Assigned, operator)
            },
        )
        .await?;
        Ok(true)
    }

    /// Takes a person off a desk: the desk drops their account at its next sync, and the hub
    /// refuses events they date after now from it.
    pub async fn unassign(&self, name: &str, device: &str, operator: &str) -> HubResult<()> {
        let device =
            self.db.device(device.trim()).await?.ok_or_else(|| {
                HubError::NotFound(text!("no device {device}", "没有设备{device}"))
            })?;
        let account = self.account(&device.township, name).await?;
        let change = AccountChange {
            device: Some(device.id.clone()),
            ..AccountChange::new(&account.name, ChangeKind::Unassigned, operator)
        };
        if !self.db.change_account(&device.township, change).await? {
            return Err(HubError::BadRequest(Text::new(
                format!("{} does not work at device {}", account.name, device.id),
                format!("{}未被分配到设备{}", account.name, device.id),
            )));
        }
        Ok(())
    }

    async fn works_at(&self, device: &Device, name: &str) -> HubResult<bool> {
        Ok(self
            .db
            .assignments(&device.township)
            .await?
            .iter()
            .any(|a| a.name == name && a.device == device.id && a.until_ms.is_none()))
    }

    /// A new password a person chose on `device`: their key sealed again, signed with the key
    /// itself. Taken only from a desk the person works at, for their current key, sealed at
    /// least as expensively as the hub seals, and newer than the sealing the hub keeps.
    pub async fn rekey(&self, device: &Device, rekey: &Rekey) -> HubResult<()> {
        let township = device.township.as_str();
        let account = self.account(township, &rekey.name).await?;
        let refused = |en: &str, zh: &str| {
            HubError::Forbidden(Text::new(
                format!("the new password of {} is refused: {en}", account.name),
                format!("{}的新密码被拒绝：{zh}", account.name),
            ))
        };
        if account.disabled_at.is_some() || !self.works_at(device, &account.name).await? {
            return Err(refused(
                "the account is disabled or does not work at this desk",
                "账户已停用或未被分配到本设备",
            ));
        }
        SealedKey::parse(&rekey.sealed_key)
            .map_err(|e| refused(&e.to_string(), "密钥封装不合要求"))?;
        let public_key = account
            .public_key
            .clone()
            .ok_or_else(|| refused("the account has no key", "账户尚无个人密钥"))?;
        let key = parse_public_key(&public_key).map_err(HubError::internal)?;
        if !rekey.verify(township, &key) {
            return Err(refused(
                "it is not signed with the account's current key (was the password reset?)",
                "未使用账户当前密钥签名（密码是否已被重置？）",
            ));
        }
        if rekey.at_ms > now_ms() + MAX_SKEW_SECS * 1000 {
            return Err(refused("it is dated in the future", "时间晚于中心时钟"));
        }
        let change = AccountChange {
            at_ms: rekey.at_ms,
            secret: Some(NewSecret::Key {
                public_key,
                sealed_key: rekey.sealed_key.clone(),
            }),
            ..AccountChange::new(
                &account.name,
                ChangeKind::PasswordChanged,
                &format!("desk:{}", device.id),
            )
        };
        if !self.db.change_account(township, change).await? {
            return Err(refused(
                "a newer password is already in place",
                "已有更新的密码",
            ));
        }
        Ok(())
    }
}
