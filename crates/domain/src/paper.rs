//! Papers a case keeps beside its materials: what the applicant or the window signs during the
//! procedure, scanned. A withdrawal rests on the applicant's written request; a result handed
//! over at the window on the signed receipt (送达回证).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperKind {
    /// 撤回申请书: the applicant's written request to withdraw.
    WithdrawalRequest,
    /// 送达回证: the recipient's signed receipt of the result.
    DeliveryReceipt,
    /// 授权委托书: the applicant's signed power of attorney for an entrusted agent.
    PowerOfAttorney,
    /// 告知承诺书: the applicant's signed commitment standing in for materials.
    Commitment,
}

impl PaperKind {
    pub const ALL: [PaperKind; 4] = [
        Self::WithdrawalRequest,
        Self::DeliveryReceipt,
        Self::PowerOfAttorney,
        Self::Commitment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::WithdrawalRequest => "withdrawal_request",
            Self::DeliveryReceipt => "delivery_receipt",
            Self::PowerOfAttorney => "power_of_attorney",
            Self::Commitment => "commitment",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::WithdrawalRequest => "撤回申请书",
            Self::DeliveryReceipt => "送达回证",
            Self::PowerOfAttorney => "授权委托书",
            Self::Commitment => "告知承诺书",
        }
    }
}

impl std::str::FromStr for PaperKind {
    type Err = crate::l10n::Text;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                crate::text!(
                    "unknown paper {s:?}; use withdrawal_request, delivery_receipt, power_of_attorney or commitment",
                    "未知的文书类别“{s}”，可用 withdrawal_request（撤回申请书）、delivery_receipt（送达回证）、power_of_attorney（授权委托书）、commitment（告知承诺书）"
                )
            })
    }
}

/// One paper's scanned pages, in the order they were attached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paper {
    pub kind: PaperKind,
    #[serde(default)]
    pub pages: Vec<crate::PageRef>,
}

/// Every paper a case can hold, each with no pages: made with the case, so desks attaching
/// concurrently add to the same list instead of each making its own.
pub fn blank_papers() -> Vec<Paper> {
    PaperKind::ALL
        .into_iter()
        .map(|kind| Paper {
            kind,
            pages: Vec::new(),
        })
        .collect()
}
