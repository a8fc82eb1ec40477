//! The service-item catalogue, kept as a county's implementation list (实施清单): what a window
//! can register, of what kind each item is, which organ decides it at which level and on what
//! legal basis, the statutory and promised limits, and what each material must be. Catalogues are
//! versioned; a case keeps the version it was registered under, and its rules and documents
//! follow that version even after the county publishes a newer one.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who may apply for an item; decides which identity number the applicant must present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    Person,
    Organisation,
}

/// The kind of government service, which decides how its decision is worded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 行政许可: a licence granted or refused.
    Licence,
    /// 行政确认: a status or fact confirmed (a disability certificate, an employment status).
    Confirmation,
    /// 行政给付: a benefit granted with its amount, or refused.
    Benefit,
    /// 公共服务: a registration or service rendered.
    #[default]
    PublicService,
}

impl ItemKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Licence => "行政许可",
            Self::Confirmation => "行政确认",
            Self::Benefit => "行政给付",
            Self::PublicService => "公共服务",
        }
    }

    /// The decision's title: a licence is granted or refused, a benefit given or not, a status
    /// confirmed or not, a service rendered or declined; never one wording for all.
    pub fn decision_title(self, granted: bool) -> &'static str {
        match (self, granted) {
            (Self::Licence, true) => "准予行政许可决定书",
            (Self::Licence, false) => "不予行政许可决定书",
            (Self::Confirmation, true) => "确认决定书",
            (Self::Confirmation, false) => "不予确认决定书",
            (Self::Benefit, true) => "给付决定书",
            (Self::Benefit, false) => "不予给付决定书",
            (Self::PublicService, true) => "办理结果告知书",
            (Self::PublicService, false) => "不予办理告知书",
        }
    }

    /// What the decision says it decided.
    pub fn decision_words(self, granted: bool) -> &'static str {
        match (self, granted) {
            (Self::Licence, true) => "符合法定条件、标准，决定准予行政许可",
            (Self::Licence, false) => "不符合法定条件、标准，决定不予行政许可",
            (Self::Confirmation, true) => "符合确认条件，决定予以确认",
            (Self::Confirmation, false) => "不符合确认条件，决定不予确认",
            (Self::Benefit, true) => "符合给付条件，决定予以给付",
            (Self::Benefit, false) => "不符合给付条件，决定不予给付",
            (Self::PublicService, true) => "符合办理条件，已予办理",
            (Self::PublicService, false) => "不符合办理条件，决定不予办理",
        }
    }
}

/// Who decides an item: the township itself, the county organ on the township's report (上报),
/// or the township in the county organ's name by delegation (委托).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidingLevel {
    #[default]
    Township,
    County,
    Delegated,
}

/// What the window must see of a material: the original shown, copies kept, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    #[default]
    Original,
    Copy,
    OriginalAndCopy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialSpec {
    pub code: String,
    pub name: String,
    pub requirement: String,
    #[serde(default)]
    pub form: MaterialForm,
    /// Copies the window keeps; 0 when only the original is seen.
    #[serde(default)]
    pub copies: u8,
    /// A material that is asked for only in some circumstances does not hold up acceptance.
    #[serde(default = "yes")]
    pub required: bool,
    /// Whether the case may be accepted before it arrives (容缺受理), on the applicant's
    /// recorded commitment to bring it by a deadline. Never for what the decision rests on.
    #[serde(default)]
    pub deferrable: bool,
    /// Whether the applicant's written commitment may stand in for it (告知承诺制), checked later.
    #[serde(default)]
    pub commitment: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub kind: ItemKind,
    /// The line of work, as the window groups items.
    pub department: String,
    /// The organ the law makes competent (主管部门), which decides unless the township does.
    #[serde(default)]
    pub competent_organ: String,
    #[serde(default)]
    pub decided_by: DecidingLevel,
    /// The provisions the decision rests on, as they are cited on documents.
    #[serde(default)]
    pub legal_basis: Vec<String>,
    pub applicant: ApplicantKind,
    /// The limit the law sets, in working days, where it sets one (法定时限).
    #[serde(default)]
    pub statutory_days: Option<u16>,
    /// The limit the county promises (承诺时限), never longer than the statutory one; 0 for an
    /// item handled on the spot (即办件).
    pub promised_days: u16,
    /// How many supervisors approve in turn; one unless the catalogue says more.
    #[serde(default = "one_level")]
    pub approval_levels: u8,
    /// The steps of the assistance procedure the township records before it reports the case
    /// up (低保, 特困); none for other items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<crate::assistance::StepKind>,
    /// Of the promised working days, those the county keeps to decide a reported case: the
    /// township reports it up within the rest (its share of the limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county_days: Option<u16>,
    /// How long an archived case of this item is kept (永久, 30年, 10年); 30 years unless the
    /// county's list says otherwise.
    #[serde(default)]
    pub retention: crate::archival::Retention,
    pub materials: Vec<MaterialSpec>,
}

fn one_level() -> u8 {
    1
}

fn yes() -> bool {
    true
}

impl ServiceItem {
    pub fn material(&self, code: &str) -> Option<&MaterialSpec> {
        self.materials.iter().find(|m| m.code == code)
    }

    /// Whether a material holds up acceptance and approval; one the item does not list does.
    pub fn requires(&self, code: &str) -> bool {
        self.material(code).is_none_or(|m| m.required)
    }

    /// The organ whose decision this is, in whose name documents are issued: the township's
    /// government for a township's own item, the competent organ otherwise (by delegation the
    /// township acts in that organ's name).
    pub fn deciding_organ(&self, township_name: &str) -> String {
        match self.decided_by {
            DecidingLevel::Township => format!("{township_name}人民政府"),
            DecidingLevel::County | DecidingLevel::Delegated => self.competent_organ.clone(),
        }
    }

    /// What a refusal at intake cites: the Administrative Licensing Law for a licence, and for
    /// every item its own basis (a benefit is not a licence, and its letter must not say so).
    pub fn intake_basis(&self) -> Vec<String> {
        let law = (self.kind == ItemKind::Licence)
            .then(|| "《中华人民共和国行政许可法》第三十二条第一款".to_string());
        law.into_iter()
            .chain(self.legal_basis.iter().cloned())
            .collect()
    }

    /// What a notice that the clock stopped or was extended cites: the licensing law's article
    /// for a licence (第四十五条 or 第四十二条), the item's own basis otherwise.
    pub fn clock_basis(&self, extension: bool) -> Vec<String> {
        let article = if extension {
            "第四十二条"
        } else {
            "第四十五条"
        };
        let law = (self.kind == ItemKind::Licence)
            .then(|| format!("《中华人民共和国行政许可法》{article}"));
        law.into_iter()
            .chain(self.legal_basis.iter().cloned())
            .collect()
    }

    /// Handled on the spot (即办件).
    pub fn same_day(&self) -> bool {
        self.promised_days == 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub version: u32,
    /// Where an applicant may contest the county's and its townships' decisions.
    #[serde(default)]
    pub county: Option<AppealOrgans>,
    pub items: Vec<ServiceItem>,
}

/// The organs an adverse decision names for its appeal routes: the people's government that
/// hears reconsideration of its departments' and townships' acts (《行政复议法》第二十四条, as
/// revised in force from 2024-01-01) and the court of first instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppealOrgans {
    pub government: String,
    pub court: String,
}

#[derive(Debug, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum CatalogueError {
    Json(#[from] serde_json::Error),
    DuplicateItem(String),
    NoMaterials(String),
    DuplicateMaterial(String, String),
    NoOrgan(String),
    PromiseBeyondLaw(String),
    /// The county's share of the promise is for an item the county decides, and less than it.
    CountyShare(String),
    NotNewer {
        version: u32,
        current: u32,
    },
}

impl crate::l10n::Localized for CatalogueError {
    fn text(&self) -> crate::l10n::Text {
        use crate::text;
        match self {
            Self::Json(detail) => text!(
                "catalogue is not valid JSON: {detail}",
                "事项目录不是有效的JSON：{detail}"
            ),
            Self::DuplicateItem(item) => {
                text!(
                    "catalogue lists item {item} twice",
                    "事项目录中事项{item}重复"
                )
            }
            Self::NoMaterials(item) => {
                text!("item {item} lists no materials", "事项{item}未列出所需材料")
            }
            Self::DuplicateMaterial(item, material) => text!(
                "item {item} lists material {material} twice",
                "事项{item}的材料{material}重复"
            ),
            Self::NoOrgan(item) => text!(
                "item {item} is decided by the county or by delegation but names no competent organ",
                "事项{item}由县级决定或委托办理，但未写明主管部门"
            ),
            Self::PromiseBeyondLaw(item) => text!(
                "item {item} promises more working days than the law allows",
                "事项{item}的承诺时限超过法定时限"
            ),
            Self::CountyShare(item) => text!(
                "item {item} keeps county days, but only an item the county decides does, and fewer than the promised days",
                "事项{item}设有县级办理时限，但只有县级决定的事项可以设置，且须少于承诺时限"
            ),
            Self::NotNewer { version, current } => text!(
                "catalogue version {version} is not newer than the current version {current}",
                "事项目录版本{version}不比现行版本{current}新"
            ),
        }
    }
}

/// The catalogues shipped with the program, oldest first: cases registered under an earlier
/// one keep being read by it.
const SHIPPED: [&str; 3] = [
    include_str!("../../../assets/catalog-v1.json"),
    include_str!("../../../assets/catalog-v2.json"),
    include_str!("../../../assets/catalog.json"),
];

impl Catalogue {
    pub fn from_json(text: &str) -> Result<Self, CatalogueError> {
        let catalogue: Catalogue = serde_json::from_str(text)?;
        catalogue.check()?;
        Ok(catalogue)
    }

    /// The rules an implementation list keeps, however it arrived (a file, the hub's directory).
    pub fn check(&self) -> Result<(), CatalogueError> {
        let mut seen = std::collections::HashSet::new();
        for item in &self.items {
            if !seen.insert(item.code.as_str()) {
                return Err(CatalogueError::DuplicateItem(item.code.clone()));
            }
            if item.materials.is_empty() {
                return Err(CatalogueError::NoMaterials(item.code.clone()));
            }
            let mut materials = std::collections::HashSet::new();
            for m in &item.materials {
                if !materials.insert(m.code.as_str()) {
                    return Err(CatalogueError::DuplicateMaterial(
                        item.code.clone(),
                        m.code.clone(),
                    ));
                }
            }
            if item.decided_by != DecidingLevel::Township && item.competent_organ.trim().is_empty()
            {
                return Err(CatalogueError::NoOrgan(item.code.clone()));
            }
            if item
                .statutory_days
                .is_some_and(|law| item.promised_days > law)
            {
                return Err(CatalogueError::PromiseBeyondLaw(item.code.clone()));
            }
            if item.county_days.is_some_and(|days| {
                item.decided_by != DecidingLevel::County || days >= item.promised_days
            }) {
                return Err(CatalogueError::CountyShare(item.code.clone()));
            }
        }
        Ok(())
    }

    /// The newest catalogue shipped in `assets/`, parsed once; this crate's tests check it.
    pub fn builtin() -> &'static Self {
        Catalogues::shipped().latest()
    }

    pub fn item(&self, code: &str) -> Option<&ServiceItem> {
        self.items
            .iter()
            .find(|i| i.code.eq_ignore_ascii_case(code))
    }
}

/// Every catalogue version known here: those shipped and those the hub published since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogues {
    versions: BTreeMap<u32, Catalogue>,
}

impl Catalogues {
    /// The versions shipped in `assets/`, parsed once.
    pub fn shipped() -> &'static Self {
        static SHIPPED_CATALOGUES: std::sync::LazyLock<Catalogues> =
            std::sync::LazyLock::new(|| {
                let parsed = SHIPPED
                    .iter()
                    .filter_map(|text| Catalogue::from_json(text).ok());
                Catalogues {
                    versions: parsed.map(|c| (c.version, c)).collect(),
                }
            });
        &SHIPPED_CATALOGUES
    }

    /// The shipped versions and `published` ones; a published version replaces nothing shipped.
    pub fn with(published: impl IntoIterator<Item = Catalogue>) -> Self {
        let mut all = Self::shipped().clone();
        for c in published {
            all.versions.entry(c.version).or_insert(c);
        }
        all
    }

    /// The version new cases are registered under.
    pub fn latest(&self) -> &Catalogue {
        static EMPTY: Catalogue = Catalogue {
            version: 0,
            county: None,
            items: Vec::new(),
        };
        self.versions.values().next_back().unwrap_or(&EMPTY)
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> impl Iterator<Item = &Catalogue> {
        self.versions.values()
    }

    pub fn version(&self, version: u32) -> Option<&Catalogue> {
        self.versions.get(&version)
    }

    /// The item a case was registered for, as its catalogue version describes it.
    pub fn item_of(&self, case: &crate::Case) -> Option<&ServiceItem> {
        self.version(case.catalogue_version)?.item(&case.item_code)
    }

    /// Those not shipped with this program: what the hub hands its desks.
    pub fn published(&self) -> impl Iterator<Item = &Catalogue> {
        let shipped = Self::shipped();
        self.versions
            .values()
            .filter(|c| shipped.version(c.version).is_none())
    }

    /// Checks that `catalogue` may be published after these: newer than every known version.
    pub fn admit(&self, catalogue: &Catalogue) -> Result<(), CatalogueError> {
        let current = self.latest().version;
        if catalogue.version <= current {
            return Err(CatalogueError::NotNewer {
                version: catalogue.version,
                current,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_parses_and_has_the_common_items() {
        let catalogue = Catalogue::from_json(SHIPPED[2]).unwrap();
        assert!(catalogue.items.len() >= 12);
        for name in [
            "城乡居民养老保险参保登记",
            "最低生活保障申请",
            "残疾人证申领",
            "城乡居民医保参保登记",
            "临时救助申请",
            "高龄津贴申领",
        ] {
            assert!(catalogue.items.iter().any(|i| i.name == name), "{name}");
        }
        assert!(catalogue.items.iter().all(|i| i.promised_days > 0));
        // An implementation list: every item says who decides it and on what basis.
        for item in &catalogue.items {
            assert!(!item.legal_basis.is_empty(), "{}", item.code);
            assert!(!item.competent_organ.is_empty(), "{}", item.code);
        }
        let disability = catalogue.item("CJ01").unwrap();
        assert_eq!(disability.decided_by, DecidingLevel::County);
        assert_eq!(disability.deciding_organ("檀圩镇"), "灵山县残疾人联合会");
        let birth = catalogue.item("SY01").unwrap();
        assert_eq!(birth.deciding_organ("檀圩镇"), "檀圩镇人民政府");
        assert_eq!(
            catalogue.item("yl01").unwrap().name,
            "城乡居民养老保险参保登记"
        );
    }

    #[test]
    fn duplicate_items_are_refused() {
        let text = r#"{"version":1,"items":[
            {"code":"A","name":"a","department":"d","applicant":"person","promised_days":1,
             "materials":[{"code":"M","name":"m","requirement":"r"}]},
            {"code":"A","name":"b","department":"d","applicant":"person","promised_days":1,
             "materials":[{"code":"M","name":"m","requirement":"r"}]}]}"#;
        assert!(matches!(
            Catalogue::from_json(text),
            Err(CatalogueError::DuplicateItem(code)) if code == "A"
        ));
    }

    #[test]
    fn every_shipped_version_stays_readable() {
        let shipped = Catalogues::shipped();
        assert_eq!(shipped.version(1).unwrap().items.len(), 14);
        assert_eq!(shipped.version(2).unwrap().items.len(), 14);
        assert_eq!(shipped.latest().version, 3);
        assert_eq!(Catalogue::builtin().version, 3);
        assert_eq!(shipped.published().count(), 0);
    }

    #[test]
    fn a_published_version_must_be_newer_and_never_replaces_a_shipped_one() {
        let mut next = Catalogue::builtin().clone();
        assert!(matches!(
            Catalogues::shipped().admit(&next),
            Err(CatalogueError::NotNewer {
                version: 3,
                current: 3
            })
        ));
        next.version = 4;
        next.items[0].promised_days = 3;
        Catalogues::shipped().admit(&next).unwrap();
        let mut forged_old = Catalogue::builtin().clone();
        forged_old.version = 1;
        forged_old.items.clear();
        let all = Catalogues::with([next, forged_old]);
        assert_eq!(all.latest().version, 4);
        assert_eq!(all.version(1).unwrap().items.len(), 14);
        assert_eq!(all.published().map(|c| c.version).collect::<Vec<_>>(), [4]);
    }

    #[test]
    fn an_implementation_list_is_checked_as_it_is_set() {
        let item = |extra: &str| {
            format!(
                r#"{{"version":3,"items":[{{"code":"A","name":"a","department":"d","applicant":"person",
                "promised_days":20,{extra}"materials":[{{"code":"M","name":"m","requirement":"r"}}]}}]}}"#
            )
        };
        assert!(matches!(
            Catalogue::from_json(&item(r#""decided_by":"county","#)),
            Err(CatalogueError::NoOrgan(code)) if code == "A"
        ));
        assert!(matches!(
            Catalogue::from_json(&item(r#""statutory_days":15,"#)),
            Err(CatalogueError::PromiseBeyondLaw(code)) if code == "A"
        ));
        let fine = Catalogue::from_json(&item(
            r#""decided_by":"county","competent_organ":"某县民政局","kind":"benefit","#,
        ))
        .unwrap();
        let a = &fine.items[0];
        assert_eq!(
            (a.kind, a.deciding_organ("某镇")),
            (ItemKind::Benefit, "某县民政局".into())
        );
        // A material is required unless the list says otherwise.
        assert!(a.requires("M") && a.materials[0].required);
    }
}
