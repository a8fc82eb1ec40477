//! Sharing a case with other departments (政务信息资源共享): the county's sharing catalogue says,
//! per service item and per resource (the archival package, a material, a field), whether it is
//! shared without condition (无条件共享) with the departments named, on condition (有条件共享:
//! a township supervisor's grant) or never (不予共享), and on what legal basis. A request names
//! who asks, for what purpose and on what basis; [`decide`] answers it. Whatever is not in the
//! catalogue is not shared: the rule fails closed.

use crate::l10n::Text;
use crate::text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The shipped catalogue; a county replaces it at its hub.
pub const SHIPPED: &str = include_str!("../../../assets/sharing.json");

/// What a department may ask for of a case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Resource {
    /// The whole archival package.
    Package,
    /// A material's scanned pages, by its code in the service catalogue.
    Material(String),
    /// One of the case's fields ([`FIELDS`]).
    Field(String),
}

/// The fields a department may be given, each under its own rule.
pub const FIELDS: [&str; 5] = ["name", "id_number", "phone", "address", "status"];

impl Resource {
    pub fn parse(text: &str) -> Result<Self, SharingError> {
        let bad = || SharingError::Resource(text.chars().take(64).collect());
        let code_like = |s: &str| {
            !s.is_empty()
                && s.len() <= 32
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        };
        match text.split_once(':') {
            None if text == "package" => Ok(Self::Package),
            Some(("material", code)) if code_like(code) => Ok(Self::Material(code.to_owned())),
            Some(("field", name)) if FIELDS.contains(&name) => Ok(Self::Field(name.to_owned())),
            _ => Err(bad()),
        }
    }

    pub fn label_zh(&self) -> String {
        match self {
            Self::Package => "档案包".to_owned(),
            Self::Material(code) => format!("材料{code}"),
            Self::Field(name) => match name.as_str() {
                "name" => "姓名".to_owned(),
                "id_number" => "身份证件号码".to_owned(),
                "phone" => "联系电话".to_owned(),
                "address" => "住址".to_owned(),
                "status" => "办理状态".to_owned(),
                other => format!("字段{other}"),
            },
        }
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Package => f.write_str("package"),
            Self::Material(code) => write!(f, "material:{code}"),
            Self::Field(name) => write!(f, "field:{name}"),
        }
    }
}

impl TryFrom<String> for Resource {
    type Error = SharingError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Resource> for String {
    fn from(r: Resource) -> Self {
        r.to_string()
    }
}

/// 政务信息资源共享管理暂行办法's three classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareClass {
    Unconditional,
    Conditional,
    Never,
}

/// One resource's rule for one service item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareRule {
    pub resource: Resource,
    pub class: ShareClass,
    /// The kinds of department it may go to (`RS` 人社, `MZ` 民政, `YB` 医保, `CL` 残联, `GA` 公安,
    /// `CZ` 财政); none for 不予共享.
    #[serde(default)]
    pub departments: Vec<String>,
    /// The law or rule it is shared under.
    pub basis: String,
}

/// The county's sharing catalogue: rules per service item code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingCatalogue {
    pub version: u32,
    pub items: BTreeMap<String, Vec<ShareRule>>,
}

/// The kinds of department a hub registers.
pub const DEPARTMENT_KINDS: [(&str, &str); 6] = [
    ("RS", "人力资源和社会保障"),
    ("MZ", "民政"),
    ("YB", "医疗保障"),
    ("CL", "残疾人联合会"),
    ("GA", "公安"),
    ("CZ", "财政"),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum SharingError {
    Resource(String),
    Catalogue(String),
    Kind(String),
}

impl crate::l10n::Localized for SharingError {
    fn text(&self) -> Text {
        match self {
            Self::Resource(what) => text!(
                "unknown resource {what:?}: ask for package, material:CODE or field:name|id_number|phone|address|status",
                "无法识别的共享资源“{what}”：应为 package、material:材料编码 或 field:字段名"
            ),
            Self::Catalogue(why) => text!("sharing catalogue: {why}", "共享目录有误：{why}"),
            Self::Kind(kind) => text!(
                "unknown department kind {kind:?}: one of RS, MZ, YB, CL, GA, CZ",
                "无法识别的部门类别“{kind}”：应为 RS、MZ、YB、CL、GA、CZ 之一"
            ),
        }
    }
}

pub fn check_kind(kind: &str) -> Result<(), SharingError> {
    if DEPARTMENT_KINDS.iter().any(|(k, _)| *k == kind) {
        Ok(())
    } else {
        Err(SharingError::Kind(kind.chars().take(16).collect()))
    }
}

impl SharingCatalogue {
    pub fn from_json(json: &str) -> Result<Self, SharingError> {
        let catalogue: Self =
            serde_json::from_str(json).map_err(|e| SharingError::Catalogue(e.to_string()))?;
        for (item, rules) in &catalogue.items {
            for rule in rules {
                for kind in &rule.departments {
                    check_kind(kind)?;
                }
                let named = !rule.departments.is_empty();
                if (rule.class == ShareClass::Never) == named {
                    return Err(SharingError::Catalogue(format!(
                        "{item} {}: name departments for a shared resource, none for 不予共享",
                        rule.resource
                    )));
                }
                if rule.basis.trim().is_empty() {
                    return Err(SharingError::Catalogue(format!(
                        "{item} {}: a legal basis is required",
                        rule.resource
                    )));
                }
            }
        }
        Ok(catalogue)
    }

    pub fn shipped() -> Self {
        // Checked by a test: the shipped file always reads.
        Self::from_json(SHIPPED).unwrap_or(Self {
            version: 0,
            items: BTreeMap::new(),
        })
    }

    pub fn rule(&self, item: &str, resource: &Resource) -> Option<&ShareRule> {
        self.items
            .get(item)?
            .iter()
            .find(|r| &r.resource == resource)
    }
}

/// A grant's terms as a supervisor writes them on the case (有条件共享): one department, the
/// resources, the last day it holds (China time) and how many releases it allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantTerms {
    pub department: String,
    pub resources: Vec<Resource>,
    /// YYYY-MM-DD, the last day included.
    pub until: String,
    pub uses: u32,
}

/// At most this many uses per grant, and this many days ahead.
pub const MAX_GRANT_USES: u32 = 100;
pub const MAX_GRANT_DAYS: i64 = 366;

impl GrantTerms {
    /// The terms if they hold on `today` (the day the grant is written): a department code,
    /// 1 to 16 distinct resources, a last day from today to a year on, 1 to 100 uses.
    pub fn checked(&self, today: time::Date) -> Result<Self, crate::Denied> {
        let code_ok = (2..=16).contains(&self.department.len())
            && self
                .department
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let mut resources = self.resources.clone();
        resources.sort();
        resources.dedup();
        let until = crate::calendar::parse_date(&self.until).ok_or(crate::Denied::GrantTerms)?;
        let days = (until - today).whole_days();
        let fits = code_ok
            && !resources.is_empty()
            && resources.len() == self.resources.len()
            && resources.len() <= MAX_SCOPE
            && (0..=MAX_GRANT_DAYS).contains(&days)
            && (1..=MAX_GRANT_USES).contains(&self.uses);
        if fits {
            Ok(self.clone())
        } else {
            Err(crate::Denied::GrantTerms)
        }
    }

    /// The first instant after its last day, China time.
    pub fn ends_ms(&self) -> Option<i64> {
        let until = crate::calendar::parse_date(&self.until)?;
        let next = until.next_day()?;
        let midnight = next
            .with_hms(0, 0, 0)
            .ok()?
            .assume_offset(time::macros::offset!(+8));
        i64::try_from(midnight.unix_timestamp_nanos() / 1_000_000).ok()
    }
}

/// The grants a case holds, from its supervisors' grant events.
pub fn grants_of(case: &crate::Case) -> Vec<Grant> {
    case.events
        .iter()
        .filter(|e| e.kind == crate::EventKind::SharingGranted)
        .filter_map(|e| {
            let terms = e.grant.as_ref()?;
            Some(Grant {
                id: e.id.clone(),
                department: terms.department.clone(),
                resources: terms.resources.clone(),
                // Before the first instant after the last day.
                until_ms: terms.ends_ms()? - 1,
                uses: terms.uses,
            })
        })
        .collect()
}

/// A township supervisor's grant (有条件共享), as the case records it: to one department, for
/// these resources, until a time, for so many uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The event that made it: what uses are counted against.
    pub id: String,
    pub department: String,
    pub resources: Vec<Resource>,
    pub until_ms: i64,
    pub uses: u32,
}

/// Who asks, why and for what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ask {
    pub department: String,
    pub kind: String,
    pub person: String,
    pub purpose: String,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub consent: String,
    pub scope: Vec<Resource>,
}

/// The answer to a request: released under these rules (and the grant used, if any), or
/// refused with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Release {
        basis: Vec<String>,
        grant: Option<String>,
    },
    Refuse(Text),
}

/// At most this many resources in one request, and this long a purpose or basis.
pub const MAX_SCOPE: usize = 16;
pub const MAX_TEXT: usize = 500;

/// Decides a request for a case of `item`. All of the scope is released or none of it: a
/// department learns nothing from a partial answer, and the log says one thing.
/// `uses` counts the releases already made under a grant; `now_ms` is the hub's clock.
pub fn decide(
    catalogue: &SharingCatalogue,
    item: &str,
    ask: &Ask,
    grants: &[Grant],
    uses: impl Fn(&str) -> u32,
    now_ms: i64,
) -> Decision {
    let refuse = Decision::Refuse;
    if ask.purpose.trim().is_empty() {
        return refuse(text!(
            "a request must state its purpose",
            "请求未说明用途，不予提供"
        ));
    }
    if ask.person.trim().is_empty() {
        return refuse(text!(
            "a request must name the person asking",
            "请求未注明经办人，不予提供"
        ));
    }
    if ask.legal_basis.trim().is_empty() && ask.consent.trim().is_empty() {
        return refuse(text!(
            "a request must give its legal basis or the applicant's consent",
            "请求未注明法律依据或申请人授权，不予提供"
        ));
    }
    if ask.scope.is_empty() || ask.scope.len() > MAX_SCOPE {
        return refuse(text!(
            "ask for 1 to {MAX_SCOPE} resources",
            "每次请求应包含1至{MAX_SCOPE}项资源"
        ));
    }
    let mut basis = Vec::new();
    let mut conditional = Vec::new();
    for resource in &ask.scope {
        let label = resource.label_zh();
        let Some(rule) = catalogue.rule(item, resource) else {
            return refuse(text!(
                "{resource} of {item} is not in the sharing catalogue, so it is not shared",
                "{label}未列入共享目录，不予共享"
            ));
        };
        if rule.class == ShareClass::Never {
            return refuse(text!(
                "{resource} of {item} is never shared",
                "{label}属于不予共享资源"
            ));
        }
        if !rule.departments.contains(&ask.kind) {
            let kind = &ask.kind;
            return refuse(text!(
                "{resource} of {item} is not shared with {kind} departments",
                "{label}不向该类部门共享"
            ));
        }
        if rule.class == ShareClass::Conditional {
            conditional.push(resource);
        }
        basis.push(rule.basis.clone());
    }
    basis.dedup();
    if conditional.is_empty() {
        return Decision::Release { basis, grant: None };
    }
    // One grant covers everything conditional: one use of it is counted.
    let live = grants.iter().find(|g| {
        g.department == ask.department
            && conditional.iter().all(|r| g.resources.contains(r))
            && g.until_ms >= now_ms
            && uses(&g.id) < g.uses
    });
    match live {
        Some(grant) => Decision::Release {
            basis,
            grant: Some(grant.id.clone()),
        },
        None => refuse(text!(
            "shared on condition only: no live grant from the township covers this department and scope (none made, expired or used up)",
            "所请求资源为有条件共享，乡镇未向该部门授权，或授权已过期、次数已用完"
        )),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ask(kind: &str, scope: &[&str]) -> Ask {
        Ask {
            department: format!("{kind}01"),
            kind: kind.into(),
            person: "黄丽".into(),
            purpose: "医疗救助对象核定".into(),
            legal_basis: "《社会救助暂行办法》第二十八条".into(),
            consent: String::new(),
            scope: scope.iter().map(|s| Resource::parse(s).unwrap()).collect(),
        }
    }

    fn refused(d: &Decision) -> bool {
        matches!(d, Decision::Refuse(_))
    }

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn the_shipped_catalogue_reads() {
        let c = SharingCatalogue::from_json(SHIPPED).unwrap();
        assert!(c.rule("DB01", &Resource::Package).is_some());
        assert_eq!(SharingCatalogue::shipped(), c);
    }

    #[test]
    fn resources_read_back_and_odd_ones_are_refused() {
        for text in ["package", "material:ID_CARD", "field:id_number"] {
            assert_eq!(Resource::parse(text).unwrap().to_string(), text);
        }
        for text in [
            "",
            "packages",
            "material:",
            "material:../x",
            "field:password",
            "x:y",
        ] {
            assert!(Resource::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn each_class_is_decided_by_its_rule() {
        let c = SharingCatalogue::shipped();
        let none = |_: &str| 0;
        // 无条件: to the departments named, not to others.
        let d = decide(&c, "DB01", &ask("MZ", &["package"]), &[], none, NOW);
        assert!(matches!(d, Decision::Release { grant: None, .. }), "{d:?}");
        assert!(refused(&decide(
            &c,
            "DB01",
            &ask("GA", &["package"]),
            &[],
            none,
            NOW
        )));
        // 不予共享, and anything not listed, never; one refused resource refuses the request.
        let never = ask("MZ", &["field:status", "material:APPLICATION"]);
        assert!(refused(&decide(&c, "DB01", &never, &[], none, NOW)));
        assert!(refused(&decide(
            &c,
            "DB01",
            &ask("MZ", &["material:PHOTO"]),
            &[],
            none,
            NOW
        )));
        assert!(refused(&decide(
            &c,
            "XX99",
            &ask("MZ", &["package"]),
            &[],
            none,
            NOW
        )));
        // No purpose, no person, no basis: refused whatever the class.
        for blank in [
            Ask {
                purpose: " ".into(),
                ..ask("MZ", &["package"])
            },
            Ask {
                person: String::new(),
                ..ask("MZ", &["package"])
            },
            Ask {
                legal_basis: String::new(),
                ..ask("MZ", &["package"])
            },
        ] {
            assert!(refused(&decide(&c, "DB01", &blank, &[], none, NOW)));
        }
    }

    #[test]
    fn a_conditional_resource_needs_a_live_grant_with_uses_left() {
        let c = SharingCatalogue::shipped();
        let a = ask("YB", &["material:INCOME_STATEMENT", "field:status"]);
        let grant = Grant {
            id: "7@dev".into(),
            department: "YB01".into(),
            resources: vec![Resource::parse("material:INCOME_STATEMENT").unwrap()],
            until_ms: NOW + 1000,
            uses: 2,
        };
        assert!(refused(&decide(&c, "DB01", &a, &[], |_| 0, NOW)));
        let d = decide(&c, "DB01", &a, std::slice::from_ref(&grant), |_| 1, NOW);
        assert_eq!(
            d,
            Decision::Release {
                basis: vec![
                    "《社会救助暂行办法》第五十九条".into(),
                    "《社会救助暂行办法》第六十条".into()
                ],
                grant: Some("7@dev".into())
            }
        );
        // Used up, expired, or made out to another department.
        assert!(refused(&decide(
            &c,
            "DB01",
            &a,
            std::slice::from_ref(&grant),
            |_| 2,
            NOW
        )));
        assert!(refused(&decide(
            &c,
            "DB01",
            &a,
            std::slice::from_ref(&grant),
            |_| 0,
            NOW + 1001
        )));
        let other = Grant {
            department: "YB02".into(),
            ..grant
        };
        assert!(refused(&decide(&c, "DB01", &a, &[other], |_| 0, NOW)));
    }
}

#[cfg(test)]
mod grant_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::role::{Action, Role};
    use crate::workflow::{Request, check_event, plan};
    use crate::workflow_tests::{act, case, rules};

    fn terms(until: &str, uses: u32) -> GrantTerms {
        GrantTerms {
            department: "MZ01".into(),
            resources: vec![Resource::parse("material:ID_CARD").unwrap()],
            until: until.into(),
            uses,
        }
    }

    fn asked(t: GrantTerms) -> Request {
        Request {
            grant: Some(t),
            reason: Some("申请人书面同意".into()),
            ..Request::default()
        }
    }

    #[test]
    fn a_supervisor_grants_and_the_case_holds_it_to_the_end_of_its_day() {
        let mut c = case("YL01", &["ID_CARD"]);
        act(
            &mut c,
            "张华",
            Role::Supervisor,
            Action::Grant,
            asked(terms("2026-11-30", 2)),
        )
        .unwrap();
        let grants = grants_of(&c);
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].department, "MZ01");
        assert_eq!(grants[0].uses, 2);
        // 2026-11-30 23:59:59.999 China time is its last instant.
        assert_eq!(grants[0].until_ms, 1_796_054_400_000 - 1);
        // The grant moves nothing.
        assert_eq!(c.status, crate::CaseStatus::Registered);
    }

    #[test]
    fn clerks_and_bad_terms_are_refused_here_and_at_the_hub() {
        let c = case("YL01", &["ID_CARD"]);
        let r = rules(1);
        let clerk = plan(
            &c,
            "李明",
            Role::Clerk,
            Action::Grant,
            &asked(terms("2026-11-30", 2)),
            &r,
        );
        assert!(matches!(clerk, Err(crate::Denied::Role(..))));
        // rules(1) is dated 2026-11-18: a last day before it, a year past it, no uses, too many
        // uses, a lower-case code, the same resource twice.
        let mut twice = terms("2026-11-30", 1);
        twice.resources.push(twice.resources[0].clone());
        for bad in [
            terms("2026-11-17", 1),
            terms("2027-11-20", 1),
            terms("2026-11-30", 0),
            terms("2026-11-30", 101),
            GrantTerms {
                department: "mz01".into(),
                ..terms("2026-11-30", 1)
            },
            twice,
        ] {
            let outcome = plan(&c, "张华", Role::Supervisor, Action::Grant, &asked(bad), &r);
            assert_eq!(outcome, Err(crate::Denied::GrantTerms));
        }
        // At the hub: an event by a clerk, one without its terms, or terms on another kind of
        // event are refused (the terms themselves are covered by the person's signature).
        let planned = plan(
            &c,
            "张华",
            Role::Supervisor,
            Action::Grant,
            &asked(terms("2026-11-30", 2)),
            &r,
        )
        .unwrap();
        let event = planned.into_event(crate::workflow_tests::MONDAY_MS, "张华", "dev");
        assert!(check_event(&c, &event, Role::Supervisor, &r).is_ok());
        assert!(check_event(&c, &event, Role::Clerk, &r).is_err());
        let mut bare = event.clone();
        bare.grant = None;
        assert!(check_event(&c, &bare, Role::Supervisor, &r).is_err());
        let mut other = event;
        other.kind = crate::EventKind::Extended;
        assert!(check_event(&c, &other, Role::Supervisor, &r).is_err());
    }
}
