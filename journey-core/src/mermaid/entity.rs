//! Mermaid's entity codes: `#35;` (a character by its decimal number) and
//! `#quot;` (by its HTML name), which Mermaid swaps for placeholders
//! before it reads a diagram and the browser turns into characters when it
//! draws one. Here they are read into the characters they show.

/// The placeholders Mermaid writes for `#35;` and `#quot;`: `ﬂ°°35¶ß` and
/// `ﬂ°quot¶ß`.
pub(super) const OPEN_NUMBER: &str = "\u{fb02}\u{b0}\u{b0}";
pub(super) const OPEN_NAME: &str = "\u{fb02}\u{b0}";
pub(super) const CLOSE: &str = "\u{b6}\u{df}";

/// The HTML names read, with their characters: the markup characters, the
/// Latin-1 names, typographic punctuation and common symbols. A name not
/// listed shows as `&name;`, as a browser shows a name it does not know.
const NAMES: &[(&str, &str)] = &[
    ("quot", "\""),
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("apos", "'"),
    ("nbsp", "\u{a0}"),
    ("iexcl", "¡"),
    ("cent", "¢"),
    ("pound", "£"),
    ("curren", "¤"),
    ("yen", "¥"),
    ("brvbar", "¦"),
    ("sect", "§"),
    ("uml", "¨"),
    ("copy", "©"),
    ("ordf", "ª"),
    ("laquo", "«"),
    ("not", "¬"),
    ("shy", "\u{ad}"),
    ("reg", "®"),
    ("macr", "¯"),
    ("deg", "°"),
    ("plusmn", "±"),
    ("sup2", "²"),
    ("sup3", "³"),
    ("acute", "´"),
    ("micro", "µ"),
    ("para", "¶"),
    ("middot", "·"),
    ("cedil", "¸"),
    ("sup1", "¹"),
    ("ordm", "º"),
    ("raquo", "»"),
    ("frac14", "¼"),
    ("frac12", "½"),
    ("frac34", "¾"),
    ("iquest", "¿"),
    ("times", "×"),
    ("divide", "÷"),
    ("szlig", "ß"),
    ("ndash", "–"),
    ("mdash", "—"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("sbquo", "‚"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("bdquo", "„"),
    ("dagger", "†"),
    ("Dagger", "‡"),
    ("bull", "•"),
    ("hellip", "…"),
    ("permil", "‰"),
    ("prime", "′"),
    ("Prime", "″"),
    ("lsaquo", "‹"),
    ("rsaquo", "›"),
    ("euro", "€"),
    ("trade", "™"),
    ("larr", "←"),
    ("uarr", "↑"),
    ("rarr", "→"),
    ("darr", "↓"),
    ("harr", "↔"),
    ("minus", "−"),
    ("infin", "∞"),
    ("ne", "≠"),
    ("le", "≤"),
    ("ge", "≥"),
    ("hearts", "♥"),
    ("spades", "♠"),
    ("clubs", "♣"),
    ("diams", "♦"),
    ("check", "✓"),
    ("star", "☆"),
    ("ensp", "\u{2002}"),
    ("emsp", "\u{2003}"),
    ("thinsp", "\u{2009}"),
    ("zwnj", "\u{200c}"),
    ("zwj", "\u{200d}"),
    ("lrm", "\u{200e}"),
    ("rlm", "\u{200f}"),
    ("equals", "="),
    ("colon", ":"),
    ("semi", ";"),
    ("comma", ","),
    ("num", "#"),
    ("percnt", "%"),
    ("lbrace", "{"),
    ("rbrace", "}"),
    ("excl", "!"),
];

/// What HTML shows for `&#n;` with n from 0x80 to 0x9F (Windows-1252).
const C1: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The character of a decimal code, as HTML reads `&#n;`.
fn numbered(digits: &str) -> char {
    let value = digits.bytes().try_fold(0u32, |v, d| {
        v.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    });
    match value {
        Some(n @ 0x80..=0x9f) => C1[(n - 0x80) as usize],
        Some(0) | None => '\u{fffd}',
        Some(n) => char::from_u32(n).unwrap_or('\u{fffd}'),
    }
}

/// The character(s) an HTML name shows, if listed.
pub(super) fn named(name: &str) -> Option<&'static str> {
    NAMES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
}

/// `text` with Mermaid's placeholders replaced by the characters they
/// show.
pub(super) fn decode(text: &str) -> String {
    if !text.contains(OPEN_NAME) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(OPEN_NAME) {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let (numeric, body) = match after.strip_prefix(OPEN_NUMBER) {
            Some(body) => (true, body),
            None => (false, &after[OPEN_NAME.len()..]),
        };
        let end = body
            .char_indices()
            .find(|&(_, c)| !super::js::is_word(c))
            .map_or(body.len(), |(i, _)| i);
        let word = &body[..end];
        let closed = !word.is_empty()
            && body[end..].starts_with(CLOSE)
            && (!numeric || word.bytes().all(|b| b.is_ascii_digit()));
        if !closed {
            // Not a placeholder Mermaid wrote: the text as it is.
            out.push_str(&after[..OPEN_NAME.len()]);
            rest = &after[OPEN_NAME.len()..];
            continue;
        }
        if numeric {
            out.push(numbered(word));
        } else {
            match named(word) {
                Some(c) => out.push_str(c),
                None => {
                    out.push('&');
                    out.push_str(word);
                    out.push(';');
                }
            }
        }
        rest = &body[end + CLOSE.len()..];
    }
    out.push_str(rest);
    out
}

/// The placeholders back as the entity codes they were written as.
pub(super) fn rewrite(text: &str) -> String {
    text.replace(OPEN_NUMBER, "#")
        .replace(OPEN_NAME, "#")
        .replace(CLOSE, ";")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholder(code: &str) -> String {
        if code.bytes().all(|b| b.is_ascii_digit()) {
            format!("{OPEN_NUMBER}{code}{CLOSE}")
        } else {
            format!("{OPEN_NAME}{code}{CLOSE}")
        }
    }

    #[test]
    fn codes_show_their_characters() {
        let text = format!(
            "Tom {} Jerry {} {} {} {} {}",
            placeholder("38"),
            placeholder("quot"),
            placeholder("9829"),
            placeholder("150"),
            placeholder("0"),
            placeholder("unknown")
        );
        assert_eq!(decode(&text), "Tom & Jerry \" ♥ – \u{fffd} &unknown;");
        assert_eq!(decode("ﬂ°°x¶ß ﬂ°"), "ﬂ°°x¶ß ﬂ°");
        assert_eq!(rewrite(&placeholder("35")), "#35;");
        for (name, _) in NAMES {
            assert!(name.bytes().all(|b| b.is_ascii_alphanumeric()));
        }
    }
}
