//! The grounds on which an application is refused at intake (不予受理).

use serde::{Deserialize, Serialize};

/// Why an application is refused at intake (《行政许可法》第三十二条第一款第一、二项): the
/// refusal letter states it, and for a matter of another organ names that organ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalGround {
    /// 申请事项依法不需要取得行政许可或办理本事项.
    NotRequired,
    /// 申请事项依法不属于本机关职权范围: the applicant is referred to the competent organ.
    OutOfScope,
    /// 申请人不符合申请条件, stated in the reason.
    NotEligible,
}

impl RefusalGround {
    pub const ALL: [RefusalGround; 3] = [Self::NotRequired, Self::OutOfScope, Self::NotEligible];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotRequired => "not_required",
            Self::OutOfScope => "out_of_scope",
            Self::NotEligible => "not_eligible",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::NotRequired => "申请事项依法不需要办理",
            Self::OutOfScope => "申请事项不属于本机关职权范围",
            Self::NotEligible => "申请人不符合申请条件",
        }
    }
}

impl std::str::FromStr for RefusalGround {
    type Err = crate::l10n::Text;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == s.trim())
            .ok_or_else(|| {
                crate::text!(
                    "unknown ground {s:?}; use not_required, out_of_scope or not_eligible",
                    "未知的不予受理理由类别“{s}”，可用 not_required、out_of_scope、not_eligible"
                )
            })
    }
}
