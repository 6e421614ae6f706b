//! Decimal numbers in text (CSV, XES and JSON event measures, path values,
//! Mermaid scores),
//! read by the crate's one float reader, serde_json's exact one: Rust's
//! `str::parse` would bring a second, with its tables (14 KB of the npm
//! package's WebAssembly, gzipped, with the csv crate's writer that used it).

/// The finite number `text` spells in Rust's float syntax (an optional
/// sign, digits with an optional point, an optional exponent; `.5`, `5.`,
/// `+5`, `007` included), rounded exactly as `str::parse::<f64>` rounds it;
/// `None` for anything else, infinities and NaN included.
pub(crate) fn finite_f64(text: &str) -> Option<f64> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.find('.') {
        Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
        None => (mantissa, ""),
    };
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    // The same number as JSON: one leading zero at most, a digit on each
    // side of the point, the exponent's sign and digits as they are.
    let mut json = String::with_capacity(text.len() + 2);
    if negative {
        json.push('-');
    }
    let whole = whole.trim_start_matches('0');
    json.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        json.push('.');
        json.push_str(fraction);
    }
    if let Some(exponent) = exponent {
        let unsigned = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if unsigned.is_empty() || !digits(unsigned) {
            return None;
        }
        json.push('e');
        json.push_str(exponent);
    }
    serde_json::from_str::<f64>(&json)
        .ok()
        .filter(|number| number.is_finite())
}

#[cfg(test)]
mod tests {
    use super::finite_f64;
    use proptest::prelude::*;

    fn standard(text: &str) -> Option<f64> {
        text.parse::<f64>().ok().filter(|number| number.is_finite())
    }

    #[test]
    fn reads_what_rust_reads_and_refuses_the_rest() {
        for text in [
            "0",
            "-0",
            "+1",
            "007",
            ".5",
            "5.",
            "-.5e-3",
            "1E5",
            "2.5e+10",
            "1e400",
            "1e-400",
            "0.1",
            "123456789012345678901234567890",
            "4.9e-324",
            "1.7976931348623157e308",
        ] {
            let ours = finite_f64(text);
            assert_eq!(
                ours.map(f64::to_bits),
                standard(text).map(f64::to_bits),
                "{text}"
            );
        }
        for text in [
            "", "+", "-", ".", "e5", "1e", "1e+", "1.2.3", "1,5", " 1", "1 ", "inf", "NaN",
            "infinity", "0x10", "1_000", "--1",
        ] {
            assert_eq!(finite_f64(text), None, "{text}");
        }
    }

    proptest! {
        #[test]
        fn agrees_with_the_standard_parse(
            sign in "[+-]?", whole in "[0-9]{0,20}", point in "[.]?", fraction in "[0-9]{0,20}",
            exponent in "([eE][+-]?[0-9]{1,3})?",
        ) {
            let text = format!("{sign}{whole}{point}{fraction}{exponent}");
            prop_assert_eq!(finite_f64(&text).map(f64::to_bits), standard(&text).map(f64::to_bits), "{}", text);
        }

        #[test]
        fn agrees_on_any_text(text in "[-+.eE0-9a-z ]{0,12}") {
            prop_assert_eq!(finite_f64(&text).map(f64::to_bits), standard(&text).map(f64::to_bits), "{}", text);
        }

        #[test]
        fn reads_every_written_float_back(number in any::<f64>().prop_filter("finite", |n| n.is_finite())) {
            for text in [format!("{number}"), format!("{number:e}"), format!("{number:?}")] {
                prop_assert_eq!(finite_f64(&text).map(f64::to_bits), Some(number.to_bits()), "{}", text);
            }
        }
    }
}
