//! What Mermaid's reading of a diagram takes from JavaScript: its idea of
//! whitespace (`\s`, `String.prototype.trim`), of a word character (`\w`)
//! and of a number (`Number(text)`).

/// JavaScript's `\s`: the white space and line terminators of ECMAScript
/// (not U+0085, which Rust's `char::is_whitespace` counts; U+FEFF, which it
/// does not).
pub(super) fn is_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// JavaScript's `\w`: ASCII letters, digits and `_`.
pub(super) fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// A line terminator, where `.` and `[^\n]`-less patterns stop and `^`
/// starts again in a multi-line JavaScript pattern.
pub(super) fn is_line_end(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// `String.prototype.trim`.
pub(super) fn trim(text: &str) -> &str {
    text.trim_matches(is_space)
}

/// `Number(text)`: white space around, decimal (with `.`, an exponent, a
/// sign), `0x`/`0o`/`0b` integers, `Infinity`; the empty text is 0;
/// anything else is NaN.
pub(super) fn number(text: &str) -> f64 {
    let text = trim(text);
    if text.is_empty() {
        return 0.0;
    }
    let bytes = text.as_bytes();
    if bytes.len() > 2 && bytes[0] == b'0' {
        let radix = match bytes[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 0,
        };
        if radix != 0 {
            let mut value = 0.0f64;
            for c in text[2..].chars() {
                match c.to_digit(radix) {
                    Some(d) => value = value * f64::from(radix) + f64::from(d),
                    None => return f64::NAN,
                }
            }
            return value;
        }
    }
    let (sign, unsigned) = match bytes[0] {
        b'+' => (1.0, &text[1..]),
        b'-' => (-1.0, &text[1..]),
        _ => (1.0, text),
    };
    if unsigned == "Infinity" {
        return sign * f64::INFINITY;
    }
    // digits [. digits] or . digits, then an optional exponent: checked
    // here, since Rust's parser also takes `inf`, `nan` and `infinity`.
    let b = unsigned.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return f64::NAN;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return f64::NAN;
        }
    }
    if i != b.len() {
        return f64::NAN;
    }
    crate::number::finite_f64(unsigned).map_or(f64::NAN, |v| sign * v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_javascript_reads_them() {
        for (text, value) in [
            ("5", 5.0),
            (" 4.5 ", 4.5),
            ("", 0.0),
            ("  ", 0.0),
            ("+3", 3.0),
            ("-1", -1.0),
            (".5", 0.5),
            ("5.", 5.0),
            ("1e1", 10.0),
            ("0x10", 16.0),
            ("0b11", 3.0),
            ("0o17", 15.0),
            ("Infinity", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
            ("\u{a0}2\u{feff}", 2.0),
        ] {
            assert_eq!(number(text), value, "{text:?}");
        }
        for text in [
            "2rem", "inf", "nan", "infinity", "1_000", ".", "e5", "1e", "0x", "-0x5", "five",
        ] {
            assert!(number(text).is_nan(), "{text:?}");
        }
    }

    #[test]
    fn javascript_whitespace() {
        assert_eq!(trim("\u{feff}\u{a0} a b\u{3000}"), "a b");
        assert_eq!(trim("\u{85}a"), "\u{85}a");
        assert!(!is_space('\u{200b}'));
    }
}
