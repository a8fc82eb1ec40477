//! Sentences that carry a number (a count with its plural, a size), through Project Fluent:
//! each language's plural rules come from the library, the words from `ui/locales/*.ftl`. The
//! fixed labels stay in the catalogue of `i18n.rs`.

use crate::i18n::Lang;
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

const ZH: &str = include_str!("../locales/zh-CN.ftl");
const EN: &str = include_str!("../locales/en.ftl");

thread_local! {
    static BUNDLES: [FluentBundle<FluentResource>; 2] = [bundle("zh-CN", ZH), bundle("en", EN)];
}

/// A language's bundle. The files ship with the window and a test reads them whole, so a
/// message that fails to parse is left out rather than taking the window down.
fn bundle(lang: &str, source: &str) -> FluentBundle<FluentResource> {
    let id = lang.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![id]);
    // The window shows plain text: no Unicode isolation marks around the numbers.
    bundle.set_use_isolating(false);
    let resource =
        FluentResource::try_new(source.to_owned()).unwrap_or_else(|(partial, _)| partial);
    let _ = bundle.add_resource(resource);
    bundle
}

/// The message `id` in `lang` with its numbers; the id itself when the message is missing.
pub fn say(lang: Lang, id: &str, numbers: &[(&'static str, f64)]) -> String {
    BUNDLES.with(|bundles| {
        let bundle = &bundles[usize::from(lang == Lang::En)];
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut args = FluentArgs::new();
        for (name, n) in numbers {
            args.set(*name, FluentValue::from(*n));
        }
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&args), &mut errors)
            .into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_each_languages_plural() {
        assert_eq!(
            say(Lang::En, "cases-total", &[("count", 1.0)]),
            "Total 1 case"
        );
        assert_eq!(
            say(Lang::En, "cases-total", &[("count", 2.0)]),
            "Total 2 cases"
        );
        assert_eq!(
            say(Lang::En, "cases-total", &[("count", 0.0)]),
            "Total 0 cases"
        );
        assert_eq!(say(Lang::Zh, "cases-total", &[("count", 1.0)]), "共 1 件");
    }

    #[test]
    fn every_message_parses_in_both_languages() {
        for source in [ZH, EN] {
            let resource = FluentResource::try_new(source.to_owned());
            assert!(resource.is_ok(), "{:?}", resource.err().map(|(_, e)| e));
        }
    }
}
