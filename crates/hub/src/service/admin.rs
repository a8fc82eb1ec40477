//! What operators do at the hub: townships, accounts, sign-in rules, the calendar, enrolment
//! codes and devices. The command line parses and prints around these.

use super::{Hub, now_secs, totp_context};
use crate::account_db::{AccountChange, ChangeKind, NewSecret};
use crate::db::{Device, HubDb, HubError, HubResult, HubUser};
use sha2::Digest;
use tongban_domain::Localized;
use tongban_domain::calendar::CalendarData;
use tongban_domain::session::check_user_name;
use tongban_domain::text;
use tongban_domain::{Role, SecurityPolicy, TownshipCode, WorkCalendar};
use tongban_trust::EnrolmentCode;

pub const POLICY_KEY: &str = "policy";
pub const CALENDAR_KEY: &str = "calendar";
/// Hub-wide settings use the empty scope.
pub const HUB_SCOPE: &str = "";

/// An account as an operator asks for it.
pub struct NewUser<'a> {
    pub township: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password: &'a str,
    pub totp: bool,
    /// Who adds it, for the account's history.
    pub operator: &'a str,
}

/// 12 characters of Crockford base32 (no I, L, O, U): easy to read aloud and type.
fn new_code() -> HubResult<String> {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(HubError::internal)?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// Codes are kept only as hashes; case, spaces and dashes do not matter when typed.
pub fn hash_enroll_code(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hex::encode(sha2::Sha256::digest(normal.as_bytes()))
}

impl<D: HubDb> Hub<D> {
    pub async fn add_township(&self, code: &str, name: &str) -> HubResult<TownshipCode> {
        let code = TownshipCode::parse(code).map_err(|e| HubError::BadRequest(e.text()))?;
        if code.is_county_unit() {
            return Err(HubError::BadRequest(text!(
                "{code} ends in 000, which names the county itself; county accounts are added with `tongban-hub user add --role county`",
                "{code}以000结尾，代表县级本身而非乡镇；县级账户用 tongban-hub user add --role county 添加"
            )));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 50 {
            return Err(HubError::BadRequest(text!(
                "a township name has 1 to 50 characters",
                "乡镇名称应为1至50个字符"
            )));
        }
        if !self.db.add_township(code.as_str(), name).await? {
            return Err(HubError::TownshipExists(code.to_string()));
        }
        Ok(code)
    }

    /// The county unit of `county` (6 digits, or any code in the county), or, when none is
    /// named, of the one county the hub's townships lie in. Made on first use.
    pub async fn county(&self, county: Option<&str>) -> HubResult<TownshipCode> {
        let unit = match county.map(str::trim) {
            Some(code) => {
                let code = if code.len() == 6 {
                    format!("{code}000")
                } else {
                    code.to_string()
                };
                TownshipCode::parse(&code)
                    .map_err(|e| HubError::BadRequest(e.text()))?
                    .county_unit()
            }
            None => {
                let mut units: Vec<TownshipCode> = self
                    .db
                    .township_codes()
                    .await?
                    .iter()
                    .filter_map(|t| TownshipCode::parse(t).ok())
                    .map(|t| t.county_unit())
                    .collect();
                units.sort();
                units.dedup();
                match units.as_slice() {
                    [one] => one.clone(),
                    _ => {
                        return Err(HubError::BadRequest(text!(
                            "name the county with --county (its 6-digit code): the hub's townships lie in no single county",
                            "请用 --county 指定县级行政区划代码（6位）：本中心的乡镇不属于同一个县"
                        )));
                    }
                }
            }
        };
        self.county_unit(&unit).await?;
        Ok(unit)
    }

    /// Where an account or a desk belongs: the township named, or with `county` (its code, or
    /// empty for the hub's one county) the county's unit.
    pub async fn unit(&self, township: Option<&str>, county: Option<&str>) -> HubResult<String> {
        match (township, county) {
            (None, Some(county)) => Ok(self
                .county(Some(county).filter(|c| !c.trim().is_empty()))
                .await?
                .to_string()),
            // The county's unit named by its code is the county, made on first use too.
            (Some(township), None)
                if TownshipCode::parse(township).is_ok_and(|t| t.is_county_unit()) =>
            {
                Ok(self.county(Some(township)).await?.to_string())
            }
            (Some(township), None) => self.existing_township(township).await,
            _ => Err(HubError::BadRequest(text!(
                "name either --township CODE or --county",
                "请指定 --township 乡镇代码 或 --county 二者之一"
            ))),
        }
    }

    /// Makes the county's unit if the hub does not keep it yet, named after the county's
    /// government in the newest catalogue.
    pub(crate) async fn county_unit(&self, unit: &TownshipCode) -> HubResult<()> {
        if self.db.township(unit.as_str()).await?.is_some() {
            return Ok(());
        }
        let catalogues = self.catalogues().await?;
        let name = catalogues
            .latest()
            .county
            .as_ref()
            .map(|c| c.government.trim_end_matches("人民政府").to_string())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "县级部门".to_string());
        self.db.add_township(unit.as_str(), &name).await?;
        Ok(())
    }

    /// A county officer's account lives in the county's unit and nothing else does; one name
    /// is one person across the county, so an event is never judged by the wrong account.
    async fn check_unit_role(&self, township: &str, name: &str, role: Role) -> HubResult<()> {
        let code = TownshipCode::parse(township).map_err(|e| HubError::BadRequest(e.text()))?;
        if code.is_county_unit() != role.is_county() {
            return Err(HubError::BadRequest(text!(
                "the county role belongs to county accounts only (user add --role county), and a county account has no other role",
                "县级审批人员角色只用于县级账户（user add --role county），县级账户也不能担任其他角色"
            )));
        }
        let others = if code.is_county_unit() {
            self.county_townships(&code).await?
        } else {
            vec![code.county_unit().to_string()]
        };
        for other in others {
            if self.db.users(&other).await?.iter().any(|u| u.name == name) {
                return Err(HubError::BadRequest(text!(
                    "{name} is already an account in {other} of the same county; choose another name",
                    "同一县内{other}已有账户{name}，请换一个用户名"
                )));
            }
        }
        Ok(())
    }

    pub(crate) async fn existing_township(&self, code: &str) -> HubResult<String> {
        let code = TownshipCode::parse(code).map_err(|e| HubError::BadRequest(e.text()))?;
        self.db
            .township(code.as_str())
            .await?
            .map(|t| t.code)
            .ok_or_else(|| HubError::NoTownship(code.to_string()))
    }

    /// A one-time code for enrolling one desk, with the hub key's fingerprint for the desk to pin.
    pub async fn new_enroll_code(
        &self,
        township: &str,
        ttl_hours: u32,
    ) -> HubResult<EnrolmentCode> {
        let township = self.existing_township(township).await?;
        let code = new_code()?;
        let expires = now_secs() + i64::from(ttl_hours) * 3600;
        self.db
            .add_enroll_code(&township, &hash_enroll_code(&code), expires)
            .await?;
        Ok(EnrolmentCode {
            code,
            hub_key: self.identity.fingerprint.clone(),
        })
    }

    /// Adds an account; returns the second factor's secret when one was asked for.
    pub async fn add_user(&self, user: NewUser<'_>) -> HubResult<Option<String>> {
        let township = self.existing_township(user.township).await?;
        let name = check_user_name(user.name)
            .map_err(|e| HubError::BadRequest(e.text()))?
            .to_string();
        self.policy(&township)
            .await?
            .check_password(&name, user.password)
            .map_err(|e| HubError::BadRequest(e.text()))?;
        self.check_unit_role(&township, &name, user.role).await?;
        let secret = user.totp.then(tongban_sync::totp::new_secret);
        let sealed = match &secret {
            Some(s) => Some(self.sealer.seal_text(&totp_context(&township, &name), s)?),
            None => None,
        };
        let key = super::people::new_person_key(&township, &name, user.password).await?;
        let NewSecret::Key {
            public_key,
            sealed_key,
        } = &key
        else {
            return Err(HubError::internal("a new person key"));
        };
        let row = HubUser {
            public_key: Some(public_key.clone()),
            sealed_key: Some(sealed_key.clone()),
            must_change: false,
            name: name.clone(),
            role: user.role.as_str().to_string(),
            totp_secret: sealed,
            created_at: now_secs(),
            disabled_at: None,
        };
        if !self.db.add_user(&township, row).await? {
            return Err(HubError::UserExists(township, name));
        }
        let added = AccountChange {
            role: Some(user.role.as_str().to_string()),
            secret: Some(key),
            ..AccountChange::new(&name, ChangeKind::Added, user.operator)
        };
        self.db.change_account(&township, added).await?;
        Ok(secret)
    }

    /// Every change to a township's accounts, oldest first.
    pub async fn account_history(&self, township: &str) -> HubResult<Vec<AccountChange>> {
        let township = self.existing_township(township).await?;
        self.db.account_changes(&township).await
    }

    /// Gives an account another role, disables or enables it; the change is kept with who made
    /// it. A disabled person's events dated after the change are refused, and desks drop the
    /// account from their directory at their next sync.
    pub async fn change_account(
        &self,
        township: &str,
        name: &str,
        kind: ChangeKind,
        role: Option<Role>,
        operator: &str,
    ) -> HubResult<()> {
        let township = self.existing_township(township).await?;
        if let Some(role) = role {
            let code =
                TownshipCode::parse(&township).map_err(|e| HubError::BadRequest(e.text()))?;
            if code.is_county_unit() != role.is_county() {
                return Err(HubError::BadRequest(text!(
                    "a township account cannot become a county officer, nor a county account take a township's role",
                    "乡镇账户不能改为县级审批人员，县级账户也不能改为乡镇角色"
                )));
            }
        }
        let change = AccountChange {
            role: role.map(|r| r.as_str().to_string()),
            ..AccountChange::new(name.trim(), kind, operator)
        };
        if !self.db.change_account(&township, change).await? {
            return Err(HubError::NotFound(text!(
                "no account {name} in township {township}",
                "乡镇{township}没有用户{name}"
            )));
        }
        Ok(())
    }

    /// A township's accounts, second-factor secrets opened (for the directory) .
    pub async fn users(&self, township: &str) -> HubResult<Vec<HubUser>> {
        let mut users = self.db.users(township).await?;
        for user in &mut users {
            if let Some(sealed) = &user.totp_secret {
                user.totp_secret = Some(
                    self.sealer
                        .open_text(&totp_context(township, &user.name), sealed)?,
                );
            }
        }
        Ok(users)
    }

    pub async fn policy(&self, township: &str) -> HubResult<SecurityPolicy> {
        Ok(match self.db.setting(township, POLICY_KEY).await? {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| HubError::internal(format!("stored policy of {township}: {e}")))?,
            None => SecurityPolicy::default(),
        })
    }

    pub async fn set_policy(&self, township: &str, policy: &SecurityPolicy) -> HubResult<()> {
        let township = self.existing_township(township).await?;
        let text = serde_json::to_string(policy).map_err(HubError::internal)?;
        self.db.put_setting(&township, POLICY_KEY, &text).await
    }

    /// Takes a whole calendar in this product's format, or one year in holiday-cn's, which
    /// joins the calendar in force.
    pub async fn set_calendar(&self, json: &str) -> HubResult<WorkCalendar> {
        let current = self.work_calendar().await?;
        let calendar = tongban_domain::schedule::read_calendar(json, current.data())
            .map_err(|e| HubError::BadRequest(e.text()))?;
        let text = serde_json::to_string(calendar.data()).map_err(HubError::internal)?;
        self.db.put_setting(HUB_SCOPE, CALENDAR_KEY, &text).await?;
        Ok(calendar)
    }

    /// The calendar in force: the one set here, or the one shipped.
    pub async fn work_calendar(&self) -> HubResult<WorkCalendar> {
        match self.calendar().await? {
            Some(data) => WorkCalendar::from_data(data)
                .map_err(|e| HubError::internal(format!("stored calendar: {e}"))),
            None => Ok(WorkCalendar::builtin().clone()),
        }
    }

    pub async fn calendar(&self) -> HubResult<Option<CalendarData>> {
        match self.db.setting(HUB_SCOPE, CALENDAR_KEY).await? {
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| HubError::internal(format!("stored calendar: {e}"))),
            None => Ok(None),
        }
    }

    pub async fn devices(&self, township: &str) -> HubResult<Vec<Device>> {
        let township = self.existing_township(township).await?;
        self.db.devices(&township).await
    }

    pub async fn revoke_device(&self, id: &str) -> HubResult<()> {
        if self.db.revoke_device(id).await? {
            Ok(())
        } else {
            Err(HubError::NotFound(text!("no device {id}", "没有设备{id}")))
        }
    }
}
