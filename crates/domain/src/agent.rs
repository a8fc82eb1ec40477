//! Someone applying for another (代办): a guardian for a child or a person without capacity,
//! a family member, the village committee for a household, or a person the applicant entrusted
//! in writing. The case records who acted and in what capacity.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentRelation {
    /// 监护人.
    Guardian,
    /// 近亲属.
    Family,
    /// 村（居）委会, applying for a household.
    Committee,
    /// 受托人: acts on a signed power of attorney (授权委托书), which the window scans.
    Entrusted,
}

impl AgentRelation {
    pub const ALL: [AgentRelation; 4] = [
        Self::Guardian,
        Self::Family,
        Self::Committee,
        Self::Entrusted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Guardian => "guardian",
            Self::Family => "family",
            Self::Committee => "committee",
            Self::Entrusted => "entrusted",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Guardian => "监护人",
            Self::Family => "近亲属",
            Self::Committee => "村（居）委会",
            Self::Entrusted => "受托人",
        }
    }

    /// Whether the agent acts on a written power of attorney the window must hold.
    pub fn needs_power_of_attorney(self) -> bool {
        self == Self::Entrusted
    }
}

impl std::str::FromStr for AgentRelation {
    type Err = crate::l10n::Text;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                crate::text!(
                    "unknown relation {s:?}; use guardian, family, committee or entrusted",
                    "未知的代办关系“{s}”，可用 guardian（监护人）、family（近亲属）、committee（村（居）委会）、entrusted（受托人）"
                )
            })
    }
}

/// The person who applied for the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub name: String,
    pub id: crate::ApplicantId,
    pub relation: AgentRelation,
}
