//! What a clerk types at intake, checked before a case number is spent on it: the applicant's
//! name, document and contacts, the materials received, and later corrections of a field.

use crate::agent::{Agent, AgentRelation};
use crate::case::{Applicant, ApplicantId, Case, CaseEvent, CaseNumber, CaseStatus, EventKind};
use crate::case::{MaterialState, MaterialStatus};
use crate::catalogue::Catalogue;
use crate::identity::{Mobile, MobileError, ResidentIdError, UsccError};
use crate::township::TownshipCode;
use crate::travel_id::{IdType, TravelIdError};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use time::Date;

const MAX_NAME_CHARS: usize = 50;
const MAX_ADDRESS_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum ApplicantError {
    EmptyName,
    NameTooLong,
    NameControl,
    AddressTooLong,
    AddressControl,
    #[error(transparent)]
    ResidentId(#[from] ResidentIdError),
    #[error(transparent)]
    Uscc(#[from] UsccError),
    #[error(transparent)]
    Mobile(#[from] MobileError),
    #[error(transparent)]
    TravelId(#[from] TravelIdError),
    /// An organisation is identified by its credit code, not a person's document.
    OrganisationIdType(IdType),
    /// What was wrong with the agent's details.
    Agent(Box<ApplicantError>),
    AgentRelationMissing,
}

impl crate::l10n::Localized for ApplicantError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::EmptyName => text!("applicant name must not be empty", "申请人姓名不能为空"),
            Self::NameTooLong => text!(
                "applicant name is longer than {MAX_NAME_CHARS} characters",
                "申请人姓名超过{MAX_NAME_CHARS}个字符"
            ),
            Self::NameControl => text!(
                "applicant name contains control characters",
                "申请人姓名含有控制字符"
            ),
            Self::AddressTooLong => text!(
                "address is longer than {MAX_ADDRESS_CHARS} characters",
                "地址超过{MAX_ADDRESS_CHARS}个字符"
            ),
            Self::AddressControl => {
                text!("address contains control characters", "地址含有控制字符")
            }
            Self::ResidentId(e) => e.text(),
            Self::Uscc(e) => e.text(),
            Self::Mobile(e) => e.text(),
            Self::TravelId(e) => e.text(),
            Self::Agent(inner) => {
                let inner = inner.text();
                let (en, zh) = (inner.en, inner.zh);
                text!("the agent: {en}", "代办人：{zh}")
            }
            Self::AgentRelationMissing => text!(
                "an agent applies as guardian, family, committee or entrusted (--agent-relation)",
                "代办人须写明代办关系：监护人、近亲属、村（居）委会或受托人"
            ),
            Self::OrganisationIdType(kind) => {
                let (kind_zh, kind) = (kind.label_zh(), kind.as_str());
                text!(
                    "this item is applied for by an organisation, identified by its credit code, not a {kind}",
                    "本事项由单位申请，应填写统一社会信用代码，而不是{kind_zh}"
                )
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum RegistrationError {
    UnknownItem(String),
    UnknownMaterial {
        item: String,
        material: String,
    },
    #[error(transparent)]
    Applicant(#[from] ApplicantError),
}

impl crate::l10n::Localized for RegistrationError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::UnknownItem(item) => text!(
                "unknown service item {item:?}; `tongban catalog` lists the items",
                "未知的服务事项“{item}”，可用 tongban catalog 查看事项目录"
            ),
            Self::UnknownMaterial { item, material } => text!(
                "item {item} has no material {material:?}",
                "事项{item}没有材料“{material}”"
            ),
            Self::Applicant(e) => e.text(),
        }
    }
}

pub fn validate_name(input: &str) -> Result<String, ApplicantError> {
    let name = input.trim();
    if name.is_empty() {
        return Err(ApplicantError::EmptyName);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ApplicantError::NameTooLong);
    }
    if name.chars().any(char::is_control) {
        return Err(ApplicantError::NameControl);
    }
    Ok(name.to_string())
}

pub fn validate_address(input: &str) -> Result<Option<String>, ApplicantError> {
    let address = input.trim();
    if address.chars().count() > MAX_ADDRESS_CHARS {
        return Err(ApplicantError::AddressTooLong);
    }
    if address.chars().any(char::is_control) {
        return Err(ApplicantError::AddressControl);
    }
    Ok((!address.is_empty()).then(|| address.to_string()))
}

pub fn validate_phone(input: &str) -> Result<Option<Mobile>, ApplicantError> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(Mobile::parse(input)?))
}

/// What a clerk types at intake.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub item: String,
    pub name: String,
    pub id_number: String,
    /// The document the person identifies with (a resident ID unless said otherwise).
    #[serde(default)]
    pub id_type: IdType,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// Material codes received at the window; the rest are recorded as missing.
    pub received: Vec<String>,
    /// Someone applying for the applicant (代办), if anyone is.
    #[serde(default)]
    pub agent: Option<AgentForm>,
}

/// The agent as the clerk types them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentForm {
    pub name: String,
    #[serde(default)]
    pub id_type: IdType,
    pub id_number: String,
    pub relation: Option<AgentRelation>,
}

impl AgentForm {
    /// The agent, each field by the applicant's own rules; a person, never an organisation.
    pub fn check(&self, today: Date) -> Result<Agent, ApplicantError> {
        let wrap = |e: ApplicantError| ApplicantError::Agent(Box::new(e));
        let name = validate_name(&self.name).map_err(wrap)?;
        let id = ApplicantId::parse(
            crate::ApplicantKind::Person,
            self.id_type,
            &self.id_number,
            today,
        )
        .map_err(wrap)?;
        let relation = self.relation.ok_or(ApplicantError::AgentRelationMissing)?;
        Ok(Agent { name, id, relation })
    }
}

/// Facts about the desk and the moment, supplied by the caller so the core stays pure.
pub struct Desk<'a> {
    pub township: &'a TownshipCode,
    pub clerk: &'a str,
    pub device: &'a str,
    pub now_ms: i64,
    pub today: Date,
}

impl Registration {
    /// Checks everything a clerk typed, before a case number is spent on it.
    pub fn validate(&self, catalogue: &Catalogue, today: Date) -> Result<(), RegistrationError> {
        self.build(catalogue, today).map(|_| ())
    }

    fn build<'c>(
        &self,
        catalogue: &'c Catalogue,
        today: Date,
    ) -> Result<(Applicant, Vec<MaterialState>, &'c crate::ServiceItem), RegistrationError> {
        let item = catalogue
            .item(&self.item)
            .ok_or_else(|| RegistrationError::UnknownItem(self.item.clone()))?;
        let name = validate_name(&self.name)?;
        let id = ApplicantId::parse(item.applicant, self.id_type, &self.id_number, today)?;
        let phone = validate_phone(self.phone.as_deref().unwrap_or(""))?;
        let address = validate_address(self.address.as_deref().unwrap_or(""))?;
        if let Some(unknown) = self.received.iter().find(|c| item.material(c).is_none()) {
            return Err(RegistrationError::UnknownMaterial {
                item: item.code.clone(),
                material: unknown.clone(),
            });
        }
        let materials = item
            .materials
            .iter()
            .map(|m| MaterialState {
                code: m.code.clone(),
                name: m.name.clone(),
                status: if self.received.contains(&m.code) {
                    MaterialStatus::Received
                } else {
                    MaterialStatus::Missing
                },
                pages: Vec::new(),
            })
            .collect();
        // A form left blank is no agent.
        let agent = match &self.agent {
            Some(form) if !form.name.trim().is_empty() || !form.id_number.trim().is_empty() => {
                Some(form.check(today)?)
            }
            _ => None,
        };
        let applicant = Applicant {
            name,
            id,
            phone,
            address,
            agent,
        };
        Ok((applicant, materials, item))
    }

    pub fn into_case(
        self,
        catalogue: &Catalogue,
        number: CaseNumber,
        desk: &Desk<'_>,
    ) -> Result<Case, RegistrationError> {
        let (applicant, materials, item) = self.build(catalogue, desk.today)?;
        Ok(Case {
            township: desk.township.clone(),
            item_code: item.code.clone(),
            item_name: item.name.clone(),
            promised_days: item.promised_days,
            catalogue_version: catalogue.version,
            query_hash: None,
            applicant,
            materials,
            papers: crate::paper::blank_papers(),
            status: CaseStatus::Registered,
            clerk: desk.clerk.to_string(),
            created_at_ms: desk.now_ms,
            updated_at_ms: desk.now_ms,
            events: vec![CaseEvent {
                at_ms: desk.now_ms,
                kind: EventKind::Registered,
                by: desk.clerk.to_string(),
                device: desk.device.to_string(),
                detail: format!("registered {number}"),
                ..CaseEvent::default()
            }],
            assignee: None,
            conflict: None,
            accepted_at_ms: None,
            materials_due: None,
            number,
        })
    }
}

/// The applicant fields a clerk may correct after registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseField {
    Phone,
    Address,
    Name,
}

impl CaseField {
    /// What the application is about (the applicant's name), as opposed to how to reach them:
    /// fixed once the case is accepted, then corrected only by a supervisor, on the record.
    pub fn is_fact(self) -> bool {
        self == Self::Name
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Phone => "phone",
            Self::Address => "address",
            Self::Name => "name",
        }
    }
}

impl FromStr for CaseField {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "phone" => Ok(Self::Phone),
            "address" => Ok(Self::Address),
            "name" => Ok(Self::Name),
            other => Err(format!(
                "unknown field {other:?}; use phone, address or name / 未知字段“{other}”，可用 phone、address、name"
            )),
        }
    }
}

/// A validated new value for one field; `None` clears an optional field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEdit {
    pub field: CaseField,
    pub value: Option<String>,
}

impl FieldEdit {
    pub fn new(field: CaseField, input: &str) -> Result<Self, ApplicantError> {
        let value = match field {
            CaseField::Phone => validate_phone(input)?.map(String::from),
            CaseField::Address => validate_address(input)?,
            CaseField::Name => Some(validate_name(input)?),
        };
        Ok(Self { field, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::*;
    use crate::catalogue::Catalogue;
    use time::macros::date;

    fn desk(township: &TownshipCode) -> Desk<'_> {
        Desk {
            township,
            clerk: "李明",
            device: "dev-1",
            now_ms: 1_763_700_000_000,
            today: date!(2026 - 11 - 21),
        }
    }

    #[test]
    fn case_numbers_round_trip_and_reject_bad_shapes() {
        let township = TownshipCode::parse("450721101").unwrap();
        let n = CaseNumber::new(&township, date!(2026 - 11 - 21), 7, 42).unwrap();
        assert_eq!(n.as_str(), "450721101-20261121-007-0042");
        assert_eq!(CaseNumber::parse(n.as_str()).unwrap(), n);
        assert_eq!(n.township(), township.as_str());
        assert!(CaseNumber::parse("450721101-2026112-007-0042").is_err());
        assert_eq!(
            CaseNumber::new(&township, date!(2026 - 11 - 21), 7, 10_000),
            Err(CaseNumberError::SequenceExhausted)
        );
        assert_eq!(
            CaseNumber::new(&township, date!(2026 - 11 - 21), 0, 1),
            Err(CaseNumberError::DeviceSerial(0))
        );
    }

    #[test]
    fn registration_builds_materials_and_rejects_bad_input() {
        let catalogue = Catalogue::builtin();
        let township = TownshipCode::parse("450721101").unwrap();
        let number = CaseNumber::new(&township, date!(2026 - 11 - 21), 1, 1).unwrap();
        let reg = Registration {
            item: "DB01".into(),
            name: " 王秀英 ".into(),
            id_number: "450721198806152311".into(),
            id_type: IdType::Resident,
            agent: None,
            phone: Some("13800138000".into()),
            address: None,
            received: vec!["ID_CARD".into()],
        };
        let case = reg
            .clone()
            .into_case(catalogue, number.clone(), &desk(&township))
            .unwrap();
        assert_eq!(case.applicant.name, "王秀英");
        assert_eq!(case.materials.len(), 5);
        assert_eq!(case.materials[0].status, MaterialStatus::Received);
        assert_eq!(case.materials[1].status, MaterialStatus::Missing);
        assert_eq!(case.events.len(), 1);

        let unknown = Registration {
            item: "XX99".into(),
            ..reg.clone()
        };
        assert_eq!(
            unknown.validate(catalogue, date!(2026 - 11 - 21)),
            Err(RegistrationError::UnknownItem("XX99".into()))
        );
        let bad_id = Registration {
            id_number: "450721198806152312".into(),
            ..reg.clone()
        };
        let message = bad_id
            .validate(catalogue, date!(2026 - 11 - 21))
            .unwrap_err()
            .to_string();
        assert!(message.contains("check character should be 1"), "{message}");
        assert!(message.contains("校验码"), "{message}");
        // A passport holder registers with the passport's rule; the resident rule does not
        // apply to it, nor the passport's to a resident ID.
        let passport = Registration {
            id_number: "e12345678".into(),
            id_type: IdType::Passport,
            ..reg.clone()
        };
        let case = passport
            .clone()
            .into_case(catalogue, number.clone(), &desk(&township))
            .unwrap();
        assert_eq!(case.applicant.id.as_str(), "E12345678");
        assert_eq!(case.applicant.id.id_type(), Some(IdType::Passport));
        assert_eq!(case.applicant.id.masked(), "E*******8");
        assert_eq!(case.applicant.id.label_zh(), "护照");
        let as_resident = Registration {
            id_type: IdType::Resident,
            ..passport
        };
        let message = as_resident
            .validate(catalogue, date!(2026 - 11 - 21))
            .unwrap_err()
            .to_string();
        assert!(message.contains("身份证号码应为18位"), "{message}");
        let organisation = Registration {
            item: "DW01".into(),
            id_number: "91350100M000100Y43".into(),
            received: vec![],
            ..reg
        };
        assert!(
            organisation
                .validate(catalogue, date!(2026 - 11 - 21))
                .is_ok()
        );
        let by_passport = Registration {
            id_type: IdType::Passport,
            ..organisation
        };
        assert_eq!(
            by_passport.validate(catalogue, date!(2026 - 11 - 21)),
            Err(RegistrationError::Applicant(
                ApplicantError::OrganisationIdType(IdType::Passport)
            ))
        );
    }

    #[test]
    fn field_edits_validate() {
        assert_eq!(FieldEdit::new(CaseField::Phone, "").unwrap().value, None);
        assert!(FieldEdit::new(CaseField::Phone, "123").is_err());
        assert!(FieldEdit::new(CaseField::Name, "  ").is_err());
        assert_eq!("address".parse::<CaseField>(), Ok(CaseField::Address));
        assert!("status".parse::<CaseField>().is_err());
    }
}
