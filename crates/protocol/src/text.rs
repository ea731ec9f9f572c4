//! Text a merchant or a link supplies, made inert before anything stores or shows it.
//!
//! A 402 is written by whoever runs the site. Its words reach a terminal, a prompt and the
//! history: a control character there can move the cursor and draw a fake price over the real
//! one (`ESC [1A`), a bidi override can reverse what is read (U+202E), and an invisible format
//! character can make two different names look the same. [`clean`] keeps the visible
//! characters only, on one line, within a length bound; it is applied where the protocol parses
//! text meant for people (docs/protocol.md §3.1), never to bytes that are signed or compared.

use std::borrow::Cow;

/// Longest `resource.description` kept, in characters.
pub const MAX_DESCRIPTION: usize = 200;
/// Longest `extra.merchantName` kept, in characters (the bound §3 already sets for it).
pub const MAX_MERCHANT_NAME: usize = 128;
/// Longest `resource.mimeType` kept, in characters.
pub const MAX_MIME_TYPE: usize = 100;
/// Longest sentence a merchant gives with a refusal (`error`, `errorReason`), in characters.
pub const MAX_REASON: usize = 200;
/// Longest identifier a merchant names for people (a `transaction`), in characters.
pub const MAX_IDENTIFIER: usize = 128;

/// What stands for the characters cut off by a bound.
const ELLIPSIS: char = '…';

/// Unicode's format characters (General_Category Cf) and the other default-ignorable code
/// points (Unicode 15.1): drawn as nothing, yet able to reorder, join or hide what is around
/// them. Sorted, inclusive ranges.
const INVISIBLE: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),   // soft hyphen
    (0x034F, 0x034F),   // combining grapheme joiner
    (0x0600, 0x0605),   // Arabic number signs
    (0x061C, 0x061C),   // Arabic letter mark
    (0x06DD, 0x06DD),   // Arabic end of ayah
    (0x070F, 0x070F),   // Syriac abbreviation mark
    (0x0890, 0x0891),   // Arabic pound and piastre marks above
    (0x08E2, 0x08E2),   // Arabic disputed end of ayah
    (0x115F, 0x1160),   // Hangul fillers
    (0x17B4, 0x17B5),   // Khmer inherent vowels
    (0x180B, 0x180F),   // Mongolian variation selectors and vowel separator
    (0x200B, 0x200F),   // zero-width space, non-joiner, joiner; LRM, RLM
    (0x202A, 0x202E),   // bidi embeddings and overrides
    (0x2060, 0x206F),   // word joiner, invisible operators, bidi isolates, deprecated formats
    (0x3164, 0x3164),   // Hangul filler
    (0xFE00, 0xFE0F),   // variation selectors
    (0xFEFF, 0xFEFF),   // zero-width no-break space (BOM)
    (0xFFA0, 0xFFA0),   // halfwidth Hangul filler
    (0xFFF0, 0xFFFB),   // unassigned specials, interlinear annotation
    (0x110BD, 0x110BD), // Kaithi number sign
    (0x110CD, 0x110CD), // Kaithi number sign above
    (0x13430, 0x1343F), // Egyptian hieroglyph format controls
    (0x1BCA0, 0x1BCA3), // shorthand format controls
    (0x1D173, 0x1D17A), // musical symbol format controls
    (0xE0000, 0xE0FFF), // tags and variation selectors supplement
];

/// True for a character that changes how other text is drawn or read without being seen
/// itself: C0 and C1 controls (DEL included), bidi embeddings, overrides, isolates and marks,
/// zero-width and other format characters.
pub fn is_hidden(c: char) -> bool {
    if c.is_control() {
        return true;
    }
    let n = u32::from(c);
    INVISIBLE
        .binary_search_by(|&(lo, hi)| {
            if hi < n {
                std::cmp::Ordering::Less
            } else if lo > n {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// A character that ends a line or moves to a tab stop: shown as a space, so that words on
/// two lines stay two words on one.
fn is_break(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// The character as it may be shown on one line, or `None` to drop it.
fn visible(c: char) -> Option<char> {
    if is_break(c) {
        Some(' ')
    } else if is_hidden(c) {
        None
    } else {
        Some(c)
    }
}

/// `s` made inert: line breaks and tabs become spaces, every hidden character ([`is_hidden`])
/// is dropped, white space is trimmed at both ends, and at most `max` characters are kept (the
/// last one `…` when some were cut). Applying it twice gives the same text.
pub fn clean(s: &str, max: usize) -> String {
    let kept: String = s.chars().filter_map(visible).collect();
    let kept = kept.trim();
    if kept.chars().count() <= max {
        return kept.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = kept.chars().take(max - 1).collect();
    out.truncate(out.trim_end().len());
    out.push(ELLIPSIS);
    out
}

/// [`clean`] for an optional field; text with nothing visible in it is no text.
pub fn clean_opt(s: Option<&str>, max: usize) -> Option<String> {
    s.map(|s| clean(s, max)).filter(|s| !s.is_empty())
}

/// One line to show as it is, with no length bound: `s` unchanged when it has nothing hidden
/// or breaking in it, else with breaks as spaces and hidden characters dropped. For text read
/// back from storage written before [`clean`] existed, and anything else quoted on a terminal.
pub fn printable(s: &str) -> Cow<'_, str> {
    if s.chars().all(|c| visible(c) == Some(c)) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter_map(visible).collect())
    }
}

/// Like [`printable`] but keeping `\n`: for a whole message of several lines that the program
/// composed itself, which may quote a merchant.
pub fn printable_lines(s: &str) -> Cow<'_, str> {
    let keep = |c: char| if c == '\n' { Some(c) } else { visible(c) };
    if s.chars().all(|c| keep(c) == Some(c)) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter_map(keep).collect())
    }
}

/// `#[serde(deserialize_with)]` helpers: an optional text field cleaned as it is read.
pub(crate) mod de {
    use serde::{Deserialize, Deserializer};

    fn opt<'de, D: Deserializer<'de>>(d: D, max: usize) -> Result<Option<String>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        Ok(super::clean_opt(s.as_deref(), max))
    }

    pub fn description<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        opt(d, super::MAX_DESCRIPTION)
    }

    pub fn mime_type<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        opt(d, super::MAX_MIME_TYPE)
    }

    pub fn reason<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        opt(d, super::MAX_REASON)
    }

    pub fn identifier<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Ok(super::clean(&String::deserialize(d)?, super::MAX_IDENTIFIER))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_terminal_attack_of_the_security_review_is_inert() {
        let hostile = "Article\x1b[2K\x1b[1A\rPrice: 0.01 EUR\nreal\u{202E}RUE 05.0\u{202C}\u{200B}end";
        let c = clean(hostile, MAX_DESCRIPTION);
        assert_eq!(c, "Article[2K[1A Price: 0.01 EUR realRUE 05.0end");
        assert!(!c.chars().any(is_hidden));
    }

    #[test]
    fn every_named_character_is_hidden() {
        let named = "\0\x07\x1b\x7f\u{80}\u{9b}\u{9f}\u{200B}\u{200C}\u{200D}\u{200E}\u{200F}\u{061C}\u{202A}\u{202B}\
                     \u{202C}\u{202D}\u{202E}\u{2060}\u{2066}\u{2067}\u{2068}\u{2069}\u{FEFF}\u{00AD}\u{E0041}\u{FE0F}";
        for c in named.chars() {
            assert!(is_hidden(c), "U+{:04X} is not hidden", u32::from(c));
            assert_eq!(clean(&format!("a{c}b"), 10), "ab", "U+{:04X}", u32::from(c));
        }
        for c in ['a', 'é', 'а', '€', '…', ' ', '中', '😀', '\u{0301}'] {
            assert!(!is_hidden(c), "U+{:04X} is hidden", u32::from(c));
        }
    }

    #[test]
    fn the_ranges_are_sorted_and_disjoint() {
        for w in INVISIBLE.windows(2) {
            assert!(w[0].0 <= w[0].1 && w[0].1 < w[1].0, "{w:x?}");
        }
    }

    #[test]
    fn breaks_become_spaces_and_the_ends_are_trimmed() {
        assert_eq!(clean("  one\ntwo\tthree\r\n", 50), "one two three");
        assert_eq!(clean("a\u{2028}b\u{85}c", 50), "a b c");
        assert_eq!(clean_opt(Some(" \u{202E}\n "), 50), None);
        assert_eq!(clean_opt(Some("ok"), 50).as_deref(), Some("ok"));
    }

    #[test]
    fn a_long_text_is_cut_with_an_ellipsis() {
        let long = "word ".repeat(100);
        let c = clean(&long, 12);
        assert_eq!(c, "word word w…");
        assert_eq!(c.chars().count(), 12);
        assert_eq!(clean("word word  more", 11), "word word…");
        assert_eq!(clean("abc", 0), "");
        assert_eq!(clean("abc", 3), "abc");
    }

    #[test]
    fn printable_borrows_clean_text_and_fixes_the_rest() {
        assert!(matches!(printable("Plain text, été"), Cow::Borrowed(_)));
        assert_eq!(printable("a\x1b[1Ab\nc\u{202E}d"), "a[1Ab cd");
        assert_eq!(printable_lines("line 1\nline \x1b[2K2\u{2066}"), "line 1\nline [2K2");
        assert!(matches!(printable_lines("a\nb"), Cow::Borrowed(_)));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

        #[test]
        fn clean_text_is_visible_bounded_and_stable(s in any::<String>(), max in 0usize..300) {
            let c = clean(&s, max);
            prop_assert!(c.chars().count() <= max);
            prop_assert!(!c.chars().any(is_hidden));
            prop_assert!(!c.chars().any(is_break));
            prop_assert_eq!(c.trim(), c.as_str());
            prop_assert_eq!(clean(&c, max), c.clone());
            prop_assert_eq!(printable(&c), Cow::Borrowed(c.as_str()));
        }

        #[test]
        fn visible_text_within_the_bound_is_kept_as_it_is(s in "[ -~é€а中]{0,40}") {
            let t = s.trim();
            prop_assert_eq!(clean(&s, 40), t);
        }

        #[test]
        fn printed_text_has_nothing_hidden(s in any::<String>()) {
            let p = printable(&s);
            prop_assert!(!p.chars().any(|c| is_hidden(c) || is_break(c)));
            let l = printable_lines(&s);
            prop_assert!(!l.chars().any(|c| c != '\n' && (is_hidden(c) || is_break(c))));
        }

        #[test]
        fn hidden_characters_among_visible_ones_are_only_dropped(
            words in proptest::collection::vec("[a-z]{1,5}", 1..6),
            hidden in proptest::collection::vec(
                prop_oneof![Just('\x1b'), Just('\u{202E}'), Just('\u{200B}'), Just('\u{2066}'), Just('\u{FEFF}'), Just('\u{9b}')],
                1..6,
            ),
        ) {
            let plain = words.concat();
            let mut mixed = String::new();
            for (i, w) in words.iter().enumerate() {
                mixed.push_str(w);
                mixed.push(hidden[i % hidden.len()]);
            }
            prop_assert_eq!(clean(&mixed, 100), plain);
        }
    }
}
