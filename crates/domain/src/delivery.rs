//! 送达: how a decision reached the applicant. The law counts a decision from the day it is
//! delivered (《行政许可法》第四十四条: within ten working days of the decision), so the record
//! says how, to whom and with which proof.

use serde::{Deserialize, Serialize};

/// The longest tracking number, address or recipient's name kept.
pub const MAX_DELIVERY_CHARS: usize = 100;
/// Working days after the decision within which it is delivered (《行政许可法》第四十四条).
pub const DELIVERY_WORKING_DAYS: u16 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMethod {
    /// Handed over at the window; the recipient signs the 送达回证.
    Window,
    /// By post; the tracking number proves it.
    Post,
    /// Electronically, with the applicant's consent, to the address recorded.
    Electronic,
}

impl DeliveryMethod {
    pub const ALL: [DeliveryMethod; 3] = [Self::Window, Self::Post, Self::Electronic];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Window => "window",
            Self::Post => "post",
            Self::Electronic => "electronic",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Window => "窗口直接送达",
            Self::Post => "邮寄送达",
            Self::Electronic => "电子送达",
        }
    }

    /// What a delivery by this method must record beside the recipient: the tracking number
    /// of a letter, the address of an electronic delivery.
    pub fn needs_tracking(self) -> bool {
        self != Self::Window
    }
}

impl std::fmt::Display for DeliveryMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for DeliveryMethod {
    type Err = crate::l10n::Text;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s.trim())
            .ok_or_else(|| {
                crate::text!(
                    "unknown delivery method {s:?}; use window, post or electronic",
                    "未知的送达方式“{s}”，可用 window（窗口）、post（邮寄）、electronic（电子）"
                )
            })
    }
}

/// One delivery as recorded on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub method: DeliveryMethod,
    /// The person who received it (the applicant unless an agent or family member did).
    pub recipient: String,
    /// The letter's tracking number, or the address an electronic delivery went to.
    #[serde(default)]
    pub tracking: Option<String>,
}
