//! Timestamps: the formats a CSV file may write them in, parsed to epoch
//! milliseconds, and RFC 3339 written back.

use super::*;

/// How timestamps are written in a CSV file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimestampFormat {
    /// RFC 3339 text, or an integer: epoch seconds below 10¹¹, else epoch milliseconds.
    #[default]
    Auto,
    /// RFC 3339, e.g. `2026-03-01T09:30:00Z`.
    Rfc3339,
    /// Integer seconds since the Unix epoch.
    EpochSeconds,
    /// Integer milliseconds since the Unix epoch.
    EpochMillis,
}

pub(super) fn describe(format: TimestampFormat) -> &'static str {
    match format {
        TimestampFormat::Auto => "RFC 3339 or epoch seconds/milliseconds",
        TimestampFormat::Rfc3339 => "RFC 3339",
        TimestampFormat::EpochSeconds => "epoch seconds",
        TimestampFormat::EpochMillis => "epoch milliseconds",
    }
}

/// Parses a timestamp into epoch milliseconds.
pub fn parse_timestamp(text: &str, format: TimestampFormat) -> Option<i64> {
    let rfc3339 = |text: &str| {
        rfc3339_millis(text.as_bytes()).or_else(|| {
            chrono::DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.timestamp_millis())
        })
    };
    match format {
        TimestampFormat::Rfc3339 => rfc3339(text),
        TimestampFormat::EpochSeconds => text.parse::<i64>().ok()?.checked_mul(1000),
        TimestampFormat::EpochMillis => text.parse::<i64>().ok(),
        TimestampFormat::Auto => match text.parse::<i64>() {
            Ok(n) if n.unsigned_abs() < 100_000_000_000 => n.checked_mul(1000),
            Ok(n) => Some(n),
            Err(_) => rfc3339(text),
        },
    }
}

/// Epoch milliseconds as RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SS[.mmm]Z`
/// (milliseconds only when there are some); `None` outside the years
/// 0000–9999, which RFC 3339 cannot write.
pub(super) fn rfc3339_utc(millis: i64) -> Option<String> {
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000);
    // The proleptic Gregorian date of a day count (days from civil, inverted).
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // March = 0
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    if !(0..=9999).contains(&year) {
        return None;
    }
    let (seconds, fraction) = (in_day / 1000, in_day % 1000);
    let (hour, minute, second) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    if fraction != 0 {
        text.push_str(&format!(".{fraction:03}"));
    }
    text.push('Z');
    Some(text)
}

/// The common shape of RFC 3339, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`,
/// read directly (a log holds millions of timestamps); `None` for anything
/// else, which is then left to chrono's full parser (leap seconds among it).
/// Agrees with chrono wherever it answers (a property test checks).
pub(super) fn rfc3339_millis(text: &[u8]) -> Option<i64> {
    fn digits(text: &[u8], at: usize, len: usize) -> Option<i64> {
        let mut value = 0i64;
        for &byte in text.get(at..at + len)? {
            if !byte.is_ascii_digit() {
                return None;
            }
            value = value * 10 + i64::from(byte - b'0');
        }
        Some(value)
    }
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if text.len() < 20
        || separators.iter().any(|&(at, byte)| text[at] != byte)
        || !matches!(text[10], b'T' | b't' | b' ')
    {
        return None;
    }
    let (year, month, day) = (
        digits(text, 0, 4)?,
        digits(text, 5, 2)?,
        digits(text, 8, 2)?,
    );
    let (hour, minute, second) = (
        digits(text, 11, 2)?,
        digits(text, 14, 2)?,
        digits(text, 17, 2)?,
    );
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month)
        || day < 1
        || day > month_days[month as usize - 1]
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut at = 19;
    let mut millis = 0;
    if text[at] == b'.' {
        let start = at + 1;
        at = start;
        while at < text.len() && text[at].is_ascii_digit() && at - start < 9 {
            if at - start < 3 {
                millis = millis * 10 + i64::from(text[at] - b'0');
            }
            at += 1;
        }
        if at == start || text.get(at).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        for _ in (at - start)..3 {
            millis *= 10;
        }
    }
    let offset_minutes = match text.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] if rest.len() == 5 && rest[2] == b':' => {
            let (hours, minutes) = (digits(rest, 0, 2)?, digits(rest, 3, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = hours * 60 + minutes;
            if *sign == b'-' { -offset } else { offset }
        }
        _ => return None,
    };
    // Days since 1970-01-01 of a proleptic Gregorian date (civil-from-days inverted).
    let shifted = if month <= 2 { year - 1 } else { year };
    let era = shifted.div_euclid(400);
    let year_of_era = shifted - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1000 + millis)
}
