//! The service-item catalogue: what a window can register, what each item needs, and how many
//! working days are promised.

use serde::{Deserialize, Serialize};

/// Who may apply for an item; decides which identity number the applicant must present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    Person,
    Organisation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaterialSpec {
    pub code: String,
    pub name: String,
    pub requirement: String,
    /// Whether the case may be accepted before it arrives (容缺受理), on the applicant's
    /// recorded commitment to bring it by a deadline. Never for what the decision rests on.
    #[serde(default)]
    pub deferrable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceItem {
    pub code: String,
    pub name: String,
    pub department: String,
    pub applicant: ApplicantKind,
    pub promised_days: u16,
    /// How many supervisors approve in turn; one unless the catalogue says more.
    #[serde(default = "one_level")]
    pub approval_levels: u8,
    pub materials: Vec<MaterialSpec>,
}

fn one_level() -> u8 {
    1
}

impl ServiceItem {
    pub fn material(&self, code: &str) -> Option<&MaterialSpec> {
        self.materials.iter().find(|m| m.code == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub version: u32,
    pub items: Vec<ServiceItem>,
}

#[derive(Debug, thiserror::Error)]
#[error("{}", crate::l10n::Localized::text(self))]
pub enum CatalogueError {
    Json(#[from] serde_json::Error),
    DuplicateItem(String),
    NoMaterials(String),
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
        }
    }
}

const BUILTIN: &str = include_str!("../../../assets/catalog.json");

impl Catalogue {
    pub fn from_json(text: &str) -> Result<Self, CatalogueError> {
        let catalogue: Catalogue = serde_json::from_str(text)?;
        let mut seen = std::collections::HashSet::new();
        for item in &catalogue.items {
            if !seen.insert(item.code.as_str()) {
                return Err(CatalogueError::DuplicateItem(item.code.clone()));
            }
            if item.materials.is_empty() {
                return Err(CatalogueError::NoMaterials(item.code.clone()));
            }
        }
        Ok(catalogue)
    }

    /// The catalogue shipped in `assets/catalog.json`, parsed once; this crate's tests check it.
    pub fn builtin() -> &'static Self {
        static BUILTIN_CATALOGUE: std::sync::LazyLock<Catalogue> = std::sync::LazyLock::new(|| {
            Catalogue::from_json(BUILTIN).unwrap_or(Catalogue {
                version: 0,
                items: Vec::new(),
            })
        });
        &BUILTIN_CATALOGUE
    }

    pub fn item(&self, code: &str) -> Option<&ServiceItem> {
        self.items
            .iter()
            .find(|i| i.code.eq_ignore_ascii_case(code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_parses_and_has_the_common_items() {
        let catalogue = Catalogue::from_json(BUILTIN).unwrap();
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
}
