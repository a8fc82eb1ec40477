//! The one localisation point for messages that are not screens: every error and refusal says
//! what it says in both languages here, side by side, as a [`Text`]. The command line prints
//! both ("English / 中文"); the window and the hub's pages pick the reader's language from the
//! two fields. Nothing downstream takes a sentence apart or compares one.
//!
//! An error type derives `thiserror::Error` with `#[error("{}", Localized::text(self))]` on the
//! enum and implements [`Localized`] with one `text!` per variant, so its `Display` (what the
//! command line and logs print) and what the window shows are the same words.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One message in English and Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// Words no one translates: another library's own message, a name, a number.
    pub fn untranslated(words: impl Into<String>) -> Self {
        let words = words.into();
        Self {
            en: words.clone(),
            zh: words,
        }
    }

    /// The message with `en`/`zh` put before each language: a cause under its context.
    pub fn within(self, context: Text) -> Self {
        Self {
            en: format!("{}: {}", context.en, self.en),
            zh: format!("{}：{}", context.zh, self.zh),
        }
    }
}

/// The command line's way: both languages on one line, English first.
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.en == self.zh {
            f.write_str(&self.en)
        } else {
            write!(f, "{} / {}", self.en, self.zh)
        }
    }
}

/// A reason given in words alone (a parser's refusal) is an error in its own right.
impl std::error::Error for Text {}

/// A message that knows its words in both languages. Errors implement it, and their `Display`
/// is its [`Text`], so the command line and the window say the same thing.
pub trait Localized {
    fn text(&self) -> Text;
}

impl Localized for Text {
    fn text(&self) -> Text {
        self.clone()
    }
}

/// Both languages of one message, with the same `{name}` captures in each:
/// `text!("no case {number}", "没有办件{number}")`.
#[macro_export]
macro_rules! text {
    ($en:literal, $zh:literal $(,)?) => {
        $crate::l10n::Text::new(format!($en), format!($zh))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_print_once_each() {
        let number = 7;
        let t = text!("no case {number}", "没有办件{number}");
        assert_eq!(t.en, "no case 7");
        assert_eq!(t.zh, "没有办件7");
        assert_eq!(t.to_string(), "no case 7 / 没有办件7");
        assert_eq!(Text::untranslated("x").to_string(), "x");
    }

    #[test]
    fn a_cause_reads_under_its_context() {
        let t = text!("bad page", "页面损坏").within(text!("import", "导入"));
        assert_eq!(t, Text::new("import: bad page", "导入：页面损坏"));
    }
}
