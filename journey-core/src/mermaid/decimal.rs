//! A score is an emotion + 3: added and taken away on the decimal text,
//! not on binary floating point, so that an emotion written as a score
//! reads back as the same emotion (`0.000001` is `3.000001` and back).

/// `text − 3` as decimal text, for plain decimal text from 0 up
/// (`4.25`, `+1.`, `.5`); `None` for any other form.
pub(super) fn minus_three(text: &str) -> Option<String> {
    let text = text.strip_prefix('+').unwrap_or(text);
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int: u64 = match int.trim_start_matches('0') {
        "" => 0,
        digits if digits.len() <= 18 => digits.parse().ok()?,
        _ => return None,
    };
    let frac = frac.trim_end_matches('0');
    if int >= 3 {
        return Some(join(int - 3, frac, false));
    }
    if frac.is_empty() {
        return Some(join(3 - int, "", true));
    }
    // 3 − int.frac = (2 − int) + (1 − 0.frac).
    Some(join(2 - int, &complement(frac), true))
}

/// The shortest decimal digits that read back as `v` (finite), where the
/// point goes (`digits[..point]` is the whole part, a negative point means
/// zeros after the point first) and the sign: from serde_json's float
/// writer, the crate's one (Rust's `{}` for floats would bring a second).
fn shortest(v: f64) -> (bool, String, i32) {
    let text = serde_json::to_string(&v).unwrap_or_default();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits = format!("{whole}{fraction}");
    let mut point = whole.len() as i32 + exponent;
    // No leading or trailing zeros in the digits.
    let leading = digits.len() - digits.trim_start_matches('0').len();
    digits.drain(..leading);
    point -= leading as i32;
    let kept = digits.trim_end_matches('0').len();
    digits.truncate(kept);
    if digits.is_empty() {
        return (negative, "0".to_owned(), 1);
    }
    (negative, digits, point)
}

/// `v` as plain decimal text, no exponent (`0.0000001`).
pub(super) fn plain(v: f64) -> String {
    let (negative, digits, point) = shortest(v);
    let sign = if negative && digits != "0" { "-" } else { "" };
    let n = digits.len() as i32;
    if point <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-point) as usize))
    } else if point >= n {
        format!("{sign}{digits}{}", "0".repeat((point - n) as usize))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{sign}{a}.{b}")
    }
}

/// `String(v)` in JavaScript for a finite number: plain from 1e-7 to
/// 1e21, else `1.5e+21`, `1e-7`.
pub(super) fn javascript(v: f64) -> String {
    let magnitude = v.abs();
    if magnitude == 0.0 || (1e-7..1e21).contains(&magnitude) {
        return plain(v);
    }
    let (negative, digits, point) = shortest(v);
    let sign = if negative { "-" } else { "" };
    let exponent = point - 1;
    let (first, rest) = digits.split_at(1);
    let mantissa = if rest.is_empty() {
        first.to_owned()
    } else {
        format!("{first}.{rest}")
    };
    let exponent_sign = if exponent < 0 { "-" } else { "+" };
    format!("{sign}{mantissa}e{exponent_sign}{}", exponent.abs())
}

/// `text + 3` for the plain decimal text of an emotion from −2 to 2.
pub(super) fn plus_three(text: &str) -> String {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int: u64 = int.parse().unwrap_or(0);
    let frac = frac.trim_end_matches('0');
    if !negative {
        return join(int + 3, frac, false);
    }
    if frac.is_empty() {
        return join(3u64.saturating_sub(int), "", false);
    }
    // 3 − int.frac = (2 − int) + (1 − 0.frac).
    join(2u64.saturating_sub(int), &complement(frac), false)
}

/// The digits of 1 − 0.frac (frac not empty, not all zeros).
fn complement(frac: &str) -> String {
    let mut digits: Vec<u8> = frac.bytes().map(|b| b - b'0').collect();
    // 10^n − f: from the right, the first non-zero digit d becomes 10 − d,
    // the digits before it 9 − d.
    let last = digits.iter().rposition(|&d| d != 0).unwrap_or(0);
    for (i, d) in digits.iter_mut().enumerate().take(last + 1) {
        *d = if i == last { 10 - *d } else { 9 - *d };
    }
    let text: String = digits.iter().map(|&d| char::from(b'0' + d)).collect();
    text.trim_end_matches('0').to_owned()
}

fn join(int: u64, frac: &str, negative: bool) -> String {
    let sign = if negative && (int != 0 || !frac.is_empty()) {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_arithmetic() {
        for (score, emotion) in [
            ("5", "2"),
            ("3", "0"),
            ("1", "-2"),
            ("4.1234567", "1.1234567"),
            ("1.25", "-1.75"),
            ("2.999", "-0.001"),
            ("3.000001", "0.000001"),
            ("+1.", "-2"),
            (".5", "-2.5"),
            ("0003.50", "0.5"),
        ] {
            assert_eq!(minus_three(score).as_deref(), Some(emotion), "{score}");
        }
        for text in ["", ".", "1e1", "-1", "0x5", "5 5", "4,5"] {
            assert_eq!(minus_three(text), None, "{text}");
        }
        for (emotion, score) in [
            ("2", "5"),
            ("0", "3"),
            ("-0", "3"),
            ("-2", "1"),
            ("-1.75", "1.25"),
            ("0.000001", "3.000001"),
            ("-0.001", "2.999"),
            ("1.1234567", "4.1234567"),
        ] {
            assert_eq!(plus_three(emotion), score, "{emotion}");
        }
        for (v, text) in [
            (1e-7, "0.0000001"),
            (0.25, "0.25"),
            (-1.75, "-1.75"),
            (2.0, "2"),
            (120.0, "120"),
            (0.0, "0"),
        ] {
            assert_eq!(plain(v), text);
        }
        for (v, text) in [
            (1.5, "1.5"),
            (1e21, "1e+21"),
            (1.5e-8, "1.5e-8"),
            (31.0, "31"),
            (-2e22, "-2e+22"),
        ] {
            assert_eq!(javascript(v), text);
        }
    }
}
