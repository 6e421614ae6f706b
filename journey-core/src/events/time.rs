//! Timestamps: the shapes exports write them in (ISO 8601 / RFC 3339 and
//! their variants, naive local times with a stated zone, dates, epoch
//! numbers with fractions, or a pattern), parsed to epoch microseconds;
//! RFC 3339 written back.

use super::*;

/// How timestamps are written in an event log.
///
/// In JSON options: `"auto"`, `"rfc3339"`, `"epoch_seconds"`,
/// `"epoch_millis"`, `"epoch_micros"`, or `{"pattern": "%d/%m/%Y %H:%M"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimestampFormat {
    /// A date-time as in [`TimestampFormat::Rfc3339`], or a number: epoch
    /// seconds when its whole part is below 10¹¹, milliseconds below 10¹⁴,
    /// else microseconds.
    #[default]
    Auto,
    /// ISO 8601 as exports write it: `2026-03-01T09:30:00Z`, a space for
    /// the `T`, any fraction of a second, the offset as `Z`, `+01:00`,
    /// `+0100` or `+01` (a space may precede it); without an offset (a
    /// naive local time, or a date alone: its midnight) the log's time zone
    /// option says where it was.
    Rfc3339,
    /// Seconds since the Unix epoch, fractions allowed (`1318340740.276`).
    EpochSeconds,
    /// Milliseconds since the Unix epoch, fractions allowed.
    EpochMillis,
    /// Microseconds since the Unix epoch.
    EpochMicros,
    /// A strftime pattern, e.g. `%d/%m/%Y %H:%M:%S`: `%Y` `%y` (1969–2068)
    /// `%m` `%d` `%e` `%j` `%H` `%I` `%p` `%M` `%S` `%f` (a fraction's
    /// digits) `%.f` (an optional `.` and fraction) `%b`/`%B` (English
    /// month names) `%a`/`%A` (weekday names, not checked) `%z`/`%:z` (an
    /// offset) `%Z` (`UTC`, `GMT` or `Z`) `%s` (epoch seconds) `%F` `%T`
    /// `%D` `%R` `%%`; a space matches any spaces. Without an offset, the
    /// time zone option applies.
    Pattern(String),
}

/// A time zone for timestamps written without one: a fixed offset east of
/// UTC, in seconds, or a region's rules from the tz database.
#[derive(Clone)]
pub(crate) enum Zone {
    Fixed(i64),
    #[cfg(not(target_arch = "wasm32"))]
    Named(jiff::tz::TimeZone),
    /// Rules from the lookup a front set ([`set_zone_lookup`]).
    Rules(std::sync::Arc<dyn ZoneRules>),
}

/// A time zone's rules as a front's own tz database gives them (the
/// WebAssembly build has none: the JS engine's `Intl` has one).
pub trait ZoneRules: Send + Sync {
    /// The zone's offset east of UTC, in seconds, at the instant
    /// `epoch_seconds`; `None` when the database cannot say.
    fn offset_at(&self, epoch_seconds: i64) -> Option<i64>;
}

impl std::fmt::Debug for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Zone::Fixed(offset) => write!(f, "Fixed({offset})"),
            #[cfg(not(target_arch = "wasm32"))]
            Zone::Named(zone) => write!(f, "Named({:?})", zone.iana_name()),
            Zone::Rules(_) => f.write_str("Rules"),
        }
    }
}

/// Finds a zone's rules by its tz database name (`None`: no such zone).
pub type ZoneLookup = fn(&str) -> Option<std::sync::Arc<dyn ZoneRules>>;

static ZONE_LOOKUP: std::sync::OnceLock<ZoneLookup> = std::sync::OnceLock::new();

/// Sets where time-zone names are looked up when the build's own tz
/// database does not have them (native builds read the system's; the
/// WebAssembly build has none, and the npm package sets the JS engine's
/// here). Once per process: `false` if a lookup was already set.
pub fn set_zone_lookup(lookup: ZoneLookup) -> bool {
    ZONE_LOOKUP.set(lookup).is_ok()
}

/// A naive local time (seconds as if UTC) as an instant, by rules that
/// only tell an instant's offset: the offsets a day before and after are
/// the candidates (a zone changes at most once a day); one the local time
/// agrees with is taken, the larger (earlier instant) when both do, and
/// in a gap the one before it.
fn instant_by_rules(rules: &dyn ZoneRules, local: i64) -> Option<i64> {
    let before = rules.offset_at(local.checked_sub(86_400)?)?;
    let after = rules.offset_at(local.checked_add(86_400)?)?;
    let agrees = |offset: i64| {
        local
            .checked_sub(offset)
            .and_then(|instant| rules.offset_at(instant))
            == Some(offset)
    };
    Some(match (agrees(before), agrees(after)) {
        (true, true) => before.max(after),
        (false, true) => after,
        _ => before,
    })
}

impl Zone {
    /// Reads a time-zone option: `UTC`, `Z`, an offset `+hh:mm`, `+hhmm`,
    /// `+hh` (or `-`), or a name of the tz database (`Europe/Paris`), found
    /// in the system's copy (`/usr/share/zoneinfo`, or where `TZDIR` says).
    pub(crate) fn parse(text: &str) -> Result<Zone, Error> {
        if matches!(text, "UTC" | "utc" | "Z" | "z" | "Etc/UTC" | "GMT") {
            return Ok(Zone::Fixed(0));
        }
        if let Some(minutes) = offset_minutes(text.as_bytes()) {
            return Ok(Zone::Fixed(minutes * 60));
        }
        named(text).ok_or_else(|| {
            Error::option(
                "time_zone",
                format!(
                    "{text:?} is not a time zone {ZONE_NAMES}: give \"UTC\", an offset such as \
                     \"+02:00\" or a tz database name such as \"Europe/Paris\""
                ),
            )
        })
    }

    /// A naive local time (in microseconds as if it were UTC) as an instant
    /// in epoch microseconds. A local time that happens twice (the hour the
    /// clocks go back) is the earlier instant; one that never happens (the
    /// hour they skip) is read with the offset before the change, so it
    /// lands after the gap (as RFC 5545 and Temporal's "compatible" do).
    fn instant(&self, local: i64) -> Option<i64> {
        match self {
            Zone::Fixed(offset) => local.checked_sub(offset * 1_000_000),
            Zone::Rules(rules) => {
                let offset = instant_by_rules(rules.as_ref(), local.div_euclid(1_000_000))?;
                local.checked_sub(offset.checked_mul(1_000_000)?)
            }
            #[cfg(not(target_arch = "wasm32"))]
            Zone::Named(zone) => {
                let civil = jiff::tz::Offset::UTC
                    .to_datetime(jiff::Timestamp::from_microsecond(local).ok()?);
                let instant = zone.to_ambiguous_timestamp(civil).compatible().ok()?;
                Some(instant.as_microsecond())
            }
        }
    }
}

/// A zone by name: from the lookup a front set.
fn looked_up(text: &str) -> Option<Zone> {
    ZONE_LOOKUP
        .get()
        .and_then(|lookup| lookup(text))
        .map(Zone::Rules)
}

/// Where zone names are found, for the message refusing one.
#[cfg(not(target_arch = "wasm32"))]
const ZONE_NAMES: &str = "of this system's tz database (/usr/share/zoneinfo, or TZDIR)";
#[cfg(target_arch = "wasm32")]
const ZONE_NAMES: &str = "known to the JS engine (Intl)";

/// A zone by name: the system's tz database, then the lookup a front set.
#[cfg(not(target_arch = "wasm32"))]
fn named(text: &str) -> Option<Zone> {
    match jiff::tz::TimeZone::get(text) {
        Ok(zone) => Some(Zone::Named(zone)),
        Err(_) => looked_up(text),
    }
}

/// A zone by name: the lookup a front set.
#[cfg(target_arch = "wasm32")]
fn named(text: &str) -> Option<Zone> {
    looked_up(text)
}

/// Reads timestamps of one format, with the time zone of those written
/// without one.
#[derive(Debug, Clone)]
pub(crate) struct TimeReader<'a> {
    format: std::borrow::Cow<'a, TimestampFormat>,
    zone: Option<Zone>,
    /// The pattern's pieces, for [`TimestampFormat::Pattern`].
    pattern: Vec<Piece>,
}

/// Why a timestamp was not read.
const NO_ZONE: &str = "has no time zone: set the time_zone option to where it was written \
                       (\"UTC\", an offset such as \"+02:00\", or a name such as \"Europe/Paris\")";

impl<'a> TimeReader<'a> {
    /// A reader of `format`, with `time_zone` (checked here) for the
    /// timestamps written without an offset.
    pub(crate) fn new(
        format: &'a TimestampFormat,
        time_zone: Option<&str>,
    ) -> Result<TimeReader<'a>, Error> {
        let pattern = match format {
            TimestampFormat::Pattern(pattern) => pieces(pattern).map_err(|why| {
                Error::option(
                    "timestamp_format",
                    format!("{pattern:?} is not a strftime pattern: {why}"),
                )
            })?,
            _ => Vec::new(),
        };
        let zone = time_zone.map(Zone::parse).transpose()?;
        Ok(TimeReader {
            format: std::borrow::Cow::Borrowed(format),
            zone,
            pattern,
        })
    }

    /// The reader with its format copied, to be kept beyond the options.
    pub(crate) fn into_owned(self) -> TimeReader<'static> {
        TimeReader {
            format: std::borrow::Cow::Owned(self.format.into_owned()),
            zone: self.zone,
            pattern: self.pattern,
        }
    }

    /// `text` in epoch microseconds, or why not.
    pub(crate) fn read(&self, text: &str) -> Result<i64, String> {
        let date_time = |text: &str| match iso_micros(text.as_bytes()) {
            Some(Parsed::Utc(micros)) => Ok(micros),
            Some(Parsed::Naive(local)) => self.local(local, text),
            None => Err(self.not(text)),
        };
        match &*self.format {
            TimestampFormat::Auto => match epoch_micros(text.as_bytes(), None) {
                Some(micros) => micros.ok_or_else(|| self.not(text)),
                None => date_time(text),
            },
            TimestampFormat::Rfc3339 => date_time(text),
            TimestampFormat::EpochSeconds => self.epoch(text, 1_000_000),
            TimestampFormat::EpochMillis => self.epoch(text, 1000),
            TimestampFormat::EpochMicros => self.epoch(text, 1),
            TimestampFormat::Pattern(_) => match read_pattern(text, &self.pattern) {
                Some(Parsed::Utc(micros)) => Ok(micros),
                Some(Parsed::Naive(local)) => self.local(local, text),
                None => Err(self.not(text)),
            },
        }
    }

    fn epoch(&self, text: &str, unit: i64) -> Result<i64, String> {
        epoch_micros(text.as_bytes(), Some(unit))
            .flatten()
            .ok_or_else(|| self.not(text))
    }

    /// A naive local time (in microseconds as if it were UTC) in the zone.
    fn local(&self, local: i64, text: &str) -> Result<i64, String> {
        match &self.zone {
            Some(zone) => zone.instant(local).ok_or_else(|| self.not(text)),
            None => Err(format!("timestamp {text:?} {NO_ZONE}")),
        }
    }

    fn not(&self, text: &str) -> String {
        let what = match &*self.format {
            TimestampFormat::Auto => {
                "an ISO 8601 date-time or epoch seconds/milliseconds/microseconds"
            }
            TimestampFormat::Rfc3339 => "an ISO 8601 date-time",
            TimestampFormat::EpochSeconds => "epoch seconds",
            TimestampFormat::EpochMillis => "epoch milliseconds",
            TimestampFormat::EpochMicros => "epoch microseconds",
            TimestampFormat::Pattern(pattern) => {
                return format!("timestamp {text:?} does not match the pattern {pattern:?}");
            }
        };
        format!("timestamp {text:?} is not {what}")
    }
}

/// Parses a timestamp into epoch milliseconds (rounded down), as read by
/// the CSV reader with no time-zone option: `None` for text it refuses,
/// times without an offset among them.
pub fn parse_timestamp(text: &str, format: TimestampFormat) -> Option<i64> {
    let reader = TimeReader::new(&format, None).ok()?;
    reader.read(text).ok().map(|micros| micros.div_euclid(1000))
}

/// Epoch microseconds as RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SS[.fff[fff]]Z`
/// (milliseconds when there are some, microseconds when there are those);
/// `None` outside the years 0000–9999, which RFC 3339 cannot write.
pub(crate) fn rfc3339_utc(micros: i64) -> Option<String> {
    let days = micros.div_euclid(86_400_000_000);
    let in_day = micros.rem_euclid(86_400_000_000);
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
    let (seconds, fraction) = (in_day / 1_000_000, in_day % 1_000_000);
    let (hour, minute, second) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    if fraction % 1000 != 0 {
        text.push_str(&format!(".{fraction:06}"));
    } else if fraction != 0 {
        text.push_str(&format!(".{:03}", fraction / 1000));
    }
    text.push('Z');
    Some(text)
}

/// A piece of a timestamp pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece {
    /// This character.
    Literal(char),
    /// Any spaces, or none.
    Spaces,
    /// A field, by its strftime letter (`'.'` for `%.f`, `':'` for `%:z`).
    Field(char),
}

/// The pieces of a strftime pattern, or why it is not one.
fn pieces(pattern: &str) -> Result<Vec<Piece>, String> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(if c.is_whitespace() {
                Piece::Spaces
            } else {
                Piece::Literal(c)
            });
            continue;
        }
        let field = match chars.next() {
            Some('.') if chars.next() == Some('f') => '.',
            Some(':') if chars.next() == Some('z') => ':',
            Some('%') => {
                out.push(Piece::Literal('%'));
                continue;
            }
            Some(
                field @ ('Y' | 'y' | 'm' | 'd' | 'e' | 'j' | 'H' | 'I' | 'p' | 'P' | 'M' | 'S'
                | 'f' | 'b' | 'h' | 'B' | 'a' | 'A' | 'z' | 'Z' | 's'),
            ) => field,
            Some('F') => {
                out.extend(pieces("%Y-%m-%d")?);
                continue;
            }
            Some('T') => {
                out.extend(pieces("%H:%M:%S")?);
                continue;
            }
            Some('D') => {
                out.extend(pieces("%m/%d/%y")?);
                continue;
            }
            Some('R') => {
                out.extend(pieces("%H:%M")?);
                continue;
            }
            Some(other) => return Err(format!("%{other} is not a field this reader knows")),
            None => return Err("it ends with a lone %".into()),
        };
        out.push(Piece::Field(field));
    }
    if !out.iter().any(|p| matches!(p, Piece::Field(_))) {
        return Err("it has no field".into());
    }
    Ok(out)
}

/// English month names, for `%b` and `%B`.
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// English weekday names, for `%a` and `%A`.
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The index of the name (full, or its first three letters, in any case)
/// that `text` starts with, and the bytes it took.
fn name_at(text: &[u8], names: &[&str]) -> Option<(usize, usize)> {
    let starts = |name: &str, len: usize| {
        text.len() >= len && text[..len].eq_ignore_ascii_case(&name.as_bytes()[..len])
    };
    names.iter().enumerate().find_map(|(index, name)| {
        if starts(name, name.len()) {
            Some((index, name.len()))
        } else {
            starts(name, 3).then_some((index, 3))
        }
    })
}

/// From `min` to `max` digits at `at` (as many as there are): their value
/// and the position after them.
fn number_at(text: &[u8], at: usize, min: usize, max: usize) -> Option<(i64, usize)> {
    let mut end = at;
    let mut value = 0i64;
    while end < text.len() && end - at < max && text[end].is_ascii_digit() {
        value = value * 10 + i64::from(text[end] - b'0');
        end += 1;
    }
    (end - at >= min).then_some((value, end))
}

/// `text` read by a pattern's pieces.
fn read_pattern(text: &str, pieces: &[Piece]) -> Option<Parsed> {
    let bytes = text.as_bytes();
    let mut at = 0;
    let (mut year, mut month, mut day, mut ordinal) = (None, None, None, None);
    let (mut hour, mut minute, mut second, mut micros) = (0, 0, 0, 0);
    let (mut twelve, mut pm, mut offset, mut epoch) = (None, None, None, None);
    for piece in pieces {
        match *piece {
            Piece::Literal(c) => {
                let mut buffer = [0; 4];
                let literal = c.encode_utf8(&mut buffer).as_bytes();
                if !bytes[at..].starts_with(literal) {
                    return None;
                }
                at += literal.len();
            }
            Piece::Spaces => {
                while at < bytes.len() && bytes[at].is_ascii_whitespace() {
                    at += 1;
                }
            }
            Piece::Field(field) => {
                let (value, end) = match field {
                    'Y' => {
                        let negative = bytes.get(at) == Some(&b'-');
                        let (value, end) = number_at(bytes, at + usize::from(negative), 4, 4)?;
                        (if negative { -value } else { value }, end)
                    }
                    'y' => number_at(bytes, at, 2, 2)
                        .map(|(y, end)| (if y < 69 { 2000 + y } else { 1900 + y }, end))?,
                    'e' => {
                        let skip = usize::from(bytes.get(at) == Some(&b' '));
                        number_at(bytes, at + skip, 1, 2)?
                    }
                    'j' => number_at(bytes, at, 1, 3)?,
                    'm' | 'd' | 'H' | 'I' | 'M' | 'S' => number_at(bytes, at, 1, 2)?,
                    'f' | '.' => {
                        let start = if field == '.' && bytes.get(at) == Some(&b'.') {
                            at + 1
                        } else if field == '.' {
                            continue;
                        } else {
                            at
                        };
                        let (_, end) = number_at(bytes, start, 1, usize::MAX)?;
                        let mut fraction = 0;
                        for k in 0..6 {
                            let digit = bytes.get(start + k).filter(|_| start + k < end);
                            fraction = fraction * 10 + digit.map_or(0, |d| i64::from(d - b'0'));
                        }
                        (fraction, end)
                    }
                    'p' | 'P' => match bytes.get(at..at + 2).map(|b| b.to_ascii_lowercase()) {
                        Some(b) if b == b"am" => (0, at + 2),
                        Some(b) if b == b"pm" => (1, at + 2),
                        _ => return None,
                    },
                    'b' | 'h' | 'B' => {
                        let (index, len) = name_at(&bytes[at..], &MONTHS)?;
                        (index as i64 + 1, at + len)
                    }
                    'a' | 'A' => {
                        let (index, len) = name_at(&bytes[at..], &WEEKDAYS)?;
                        (index as i64, at + len)
                    }
                    'z' | ':' | 'Z' => {
                        let rest = &bytes[at..];
                        if let Some(zone) = [&b"UTC"[..], b"GMT", b"Z", b"z"]
                            .into_iter()
                            .find(|zone| rest.starts_with(zone))
                        {
                            (0, at + zone.len())
                        } else if field == 'Z' {
                            return None;
                        } else {
                            // The longest offset shape that reads.
                            let mut found = None;
                            for len in [6, 5, 3] {
                                if let Some(minutes) = rest.get(..len).and_then(offset_minutes) {
                                    found = Some((minutes, at + len));
                                    break;
                                }
                            }
                            found?
                        }
                    }
                    's' => {
                        let negative = bytes.get(at) == Some(&b'-');
                        let (value, end) = number_at(bytes, at + usize::from(negative), 1, 18)?;
                        (if negative { -value } else { value }, end)
                    }
                    _ => return None,
                };
                match field {
                    'Y' | 'y' => year = Some(value),
                    'm' | 'b' | 'h' | 'B' => month = Some(value),
                    'd' | 'e' => day = Some(value),
                    'j' => ordinal = Some(value),
                    'H' => hour = value,
                    'I' => twelve = Some(value),
                    'p' | 'P' => pm = Some(value == 1),
                    'M' => minute = value,
                    'S' => second = value,
                    'f' | '.' => micros = value,
                    'z' | ':' | 'Z' => offset = Some(value),
                    's' => epoch = Some(value),
                    _ => {} // (weekday names: not checked)
                }
                at = end;
            }
        }
    }
    if at != bytes.len() {
        return None;
    }
    if let Some(seconds) = epoch {
        return Some(Parsed::Utc(
            seconds.checked_mul(1_000_000)?.checked_add(micros)?,
        ));
    }
    match (twelve, pm) {
        (Some(h), Some(pm)) if (1..=12).contains(&h) => hour = h % 12 + if pm { 12 } else { 0 },
        (None, None) => {}
        _ => return None, // %I without %p, or the other way round
    }
    let year = year?;
    let days = match (month, day, ordinal) {
        (Some(month), Some(day), None) => date_days(year, month, day)?,
        (None, None, Some(ordinal)) => {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            if !(1..=365 + i64::from(leap)).contains(&ordinal) {
                return None;
            }
            days_from_civil(year, 1, 1) + ordinal - 1
        }
        _ => return None,
    };
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let local = days * 86_400_000_000 + (hour * 3600 + minute * 60 + second) * 1_000_000 + micros;
    Some(match offset {
        Some(minutes) => Parsed::Utc(local - minutes * 60_000_000),
        None => Parsed::Naive(local),
    })
}

/// What a date-time says: an instant, or a local time without a zone
/// (counted as if it were UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parsed {
    Utc(i64),
    Naive(i64),
}

/// `len` ASCII digits of `text` at `at`.
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

/// An offset `±hh:mm`, `±hhmm` or `±hh`, in minutes east of UTC.
fn offset_minutes(text: &[u8]) -> Option<i64> {
    let (sign, rest) = match text.split_first()? {
        (b'+', rest) => (1, rest),
        (b'-', rest) => (-1, rest),
        _ => return None,
    };
    let (hours, minutes) = match rest.len() {
        2 => (digits(rest, 0, 2)?, 0),
        4 => (digits(rest, 0, 2)?, digits(rest, 2, 2)?),
        5 if rest[2] == b':' => (digits(rest, 0, 2)?, digits(rest, 3, 2)?),
        _ => return None,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 60 + minutes))
}

/// Days since 1970-01-01 of a proleptic Gregorian date, `None` when the
/// date does not exist.
fn date_days(year: i64, month: i64, day: i64) -> Option<i64> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = [
        31,
        28 + i64::from(leap),
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
    if !(1..=12).contains(&month) || day < 1 || day > month_days[month as usize - 1] {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Days since 1970-01-01 of a valid proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let shifted = if month <= 2 { year - 1 } else { year };
    let era = shifted.div_euclid(400);
    let year_of_era = shifted - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// An ISO 8601 date-time as exports write it,
/// `YYYY-MM-DD[(T|t| )HH:MM[:SS[.fraction]]][ ][Z|±hh:mm|±hhmm|±hh]`:
/// with an offset, the instant; without, the local time as if it were
/// UTC. Digits of the fraction past the sixth are dropped; a leap second
/// (`:60`) is the next second's start. `None` for anything else.
pub(crate) fn iso_micros(text: &[u8]) -> Option<Parsed> {
    if text.len() < 10 || text[4] != b'-' || text[7] != b'-' {
        return None;
    }
    let (year, month, day) = (
        digits(text, 0, 4)?,
        digits(text, 5, 2)?,
        digits(text, 8, 2)?,
    );
    let mut micros = date_days(year, month, day)? * 86_400_000_000;
    let mut at = 10;
    if at < text.len() {
        if !matches!(text[at], b'T' | b't' | b' ') || text.len() < at + 6 || text[at + 3] != b':' {
            return None;
        }
        let (hour, minute) = (digits(text, at + 1, 2)?, digits(text, at + 4, 2)?);
        at += 6;
        let mut second = 0;
        if text.get(at) == Some(&b':') {
            second = digits(text, at + 1, 2)?;
            at += 3;
            if matches!(text.get(at), Some(b'.' | b',')) {
                let start = at + 1;
                at = start;
                let mut fraction = 0;
                while at < text.len() && text[at].is_ascii_digit() {
                    if at - start < 6 {
                        fraction = fraction * 10 + i64::from(text[at] - b'0');
                    }
                    at += 1;
                }
                if at == start {
                    return None;
                }
                for _ in (at - start)..6 {
                    fraction *= 10;
                }
                micros += fraction;
            }
        }
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        micros += (hour * 3600 + minute * 60 + second) * 1_000_000;
    }
    let mut rest = &text[at..];
    if let [b' ', tail @ ..] = rest
        && at > 10
    {
        rest = tail;
    }
    match rest {
        [] if at == text.len() => Some(Parsed::Naive(micros)),
        [b'Z' | b'z'] if at > 10 => Some(Parsed::Utc(micros)),
        _ if at > 10 => {
            let offset = offset_minutes(rest)?;
            Some(Parsed::Utc(micros - offset * 60_000_000))
        }
        _ => None,
    }
}

/// An epoch number, `[-]digits[.digits]`, in microseconds: of `unit`
/// microseconds, or (`None`) of the unit its whole part suggests (seconds
/// below 10¹¹, milliseconds below 10¹⁴, else microseconds); digits finer
/// than a microsecond are dropped. `None` when the text is no such number;
/// `Some(None)` when it is one out of range.
fn epoch_micros(text: &[u8], unit: Option<i64>) -> Option<Option<i64>> {
    let (negative, body) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, text),
    };
    let (whole, fraction) = match body.iter().position(|&b| b == b'.') {
        Some(dot) => (&body[..dot], Some(&body[dot + 1..])),
        None => (body, None),
    };
    if whole.is_empty()
        || !whole.iter().all(u8::is_ascii_digit)
        || fraction.is_some_and(|f| f.is_empty() || !f.iter().all(u8::is_ascii_digit))
    {
        return None;
    }
    Some((|| {
        // Accumulated with its sign (i64::MIN has no positive twin).
        let sign = if negative { -1 } else { 1 };
        let mut value: i64 = 0;
        for &byte in whole {
            value = value
                .checked_mul(10)?
                .checked_add(sign * i64::from(byte - b'0'))?;
        }
        let unit = unit.unwrap_or(match value.unsigned_abs() {
            v if v < 100_000_000_000 => 1_000_000,
            v if v < 100_000_000_000_000 => 1000,
            _ => 1,
        });
        let mut micros = value.checked_mul(unit)?;
        // The fraction, digit by digit: exact while it stays whole microseconds.
        let mut scale = unit;
        for &byte in fraction.unwrap_or_default() {
            if scale < 10 {
                break; // (finer than a microsecond: dropped, as for date-times)
            }
            scale /= 10;
            micros = micros.checked_add(sign * i64::from(byte - b'0') * scale)?;
        }
        Some(micros)
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2011-10-11T13:45:40Z in epoch microseconds.
    const AT: i64 = 1_318_340_740_000_000;
    const HOUR: i64 = 3_600_000_000;

    fn read(text: &str, format: TimestampFormat, zone: Option<&str>) -> Result<i64, String> {
        TimeReader::new(&format, zone).unwrap().read(text)
    }

    #[test]
    fn every_shape_exports_write_is_read() {
        use TimestampFormat::*;
        let utc = Some("UTC");
        let cases: [(&str, Option<&str>, i64); 22] = [
            ("2011-10-11T13:45:40Z", None, AT),
            ("2011-10-11T13:45:40z", None, AT),
            ("2011-10-11 13:45:40Z", None, AT),
            ("2011-10-11t13:45:40Z", None, AT),
            ("2011-10-11T15:45:40+02:00", None, AT),
            ("2011-10-11T15:45:40+0200", None, AT),
            ("2011-10-11T15:45:40+02", None, AT),
            ("2011-10-11 08:45:40-05", None, AT),
            ("2011-10-11 15:45:40.276+02", None, AT + 276_000),
            ("2011-10-11 15:45:40 +02:00", None, AT),
            ("2011-10-11T13:45Z", None, AT - 40_000_000),
            ("2011-10-11T13:45:40.276Z", None, AT + 276_000),
            ("2011-10-11T13:45:40,276Z", None, AT + 276_000),
            ("2011-10-11T13:45:40.276512Z", None, AT + 276_512),
            ("2011-10-11T13:45:40.2765129Z", None, AT + 276_512),
            ("2011-10-11T13:45:40.123456789Z", None, AT + 123_456),
            // Naive: where the time zone option says.
            ("2011-10-11 13:45:40", utc, AT),
            ("2011-10-11T13:45:40", utc, AT),
            ("2011-10-11T15:45:40", Some("+02:00"), AT),
            ("2011-10-11T08:45:40.5", Some("-0500"), AT + 500_000),
            // Date only: its midnight there.
            (
                "2011-10-11",
                utc,
                AT - (13 * HOUR + 45 * 60_000_000 + 40_000_000),
            ),
            (
                "2011-10-11",
                Some("+01"),
                AT - (14 * HOUR + 45 * 60_000_000 + 40_000_000),
            ),
        ];
        for (text, zone, expected) in cases {
            assert_eq!(read(text, Auto, zone), Ok(expected), "{text} (auto)");
            assert_eq!(read(text, Rfc3339, zone), Ok(expected), "{text}");
        }
        // A leap second is the next second's start.
        assert_eq!(
            read("2016-12-31T23:59:60Z", Rfc3339, None),
            read("2017-01-01T00:00:00Z", Rfc3339, None)
        );
    }

    #[test]
    fn epoch_numbers_with_fractions_are_exact() {
        use TimestampFormat::*;
        let cases: [(&str, TimestampFormat, i64); 14] = [
            ("1318340740", Auto, AT),
            ("1318340740.276", Auto, AT + 276_000),
            ("1318340740.276512", Auto, AT + 276_512),
            ("1318340740.2765129", Auto, AT + 276_512),
            ("1318340740276", Auto, AT + 276_000),
            ("1318340740276.5", Auto, AT + 276_500),
            ("1318340740276512", Auto, AT + 276_512),
            ("-1.5", Auto, -1_500_000),
            ("1318340740.276", EpochSeconds, AT + 276_000),
            ("1318340740276", EpochMillis, AT + 276_000),
            ("1318340740276.512", EpochMillis, AT + 276_512),
            ("1318340740276512", EpochMicros, AT + 276_512),
            ("1318340740276512.9", EpochMicros, AT + 276_512),
            ("+1318340740", EpochSeconds, AT),
        ];
        for (text, format, expected) in cases {
            assert_eq!(
                read(text, format.clone(), None),
                Ok(expected),
                "{text} {format:?}"
            );
        }
    }

    #[test]
    fn a_pattern_reads_anything_else() {
        let pattern = |p: &str| TimestampFormat::Pattern(p.to_owned());
        assert_eq!(
            read(
                "11/10/2011 15:45:40 +0200",
                pattern("%d/%m/%Y %H:%M:%S %z"),
                None
            ),
            Ok(AT)
        );
        assert_eq!(
            read(
                "11/10/2011 13:45:40",
                pattern("%d/%m/%Y %H:%M:%S"),
                Some("UTC")
            ),
            Ok(AT)
        );
        assert_eq!(
            read(
                "Oct 11 2011 13:45:40.276",
                pattern("%b %d %Y %H:%M:%S%.f"),
                Some("UTC")
            ),
            Ok(AT + 276_000)
        );
        assert_eq!(
            read("11.10.2011", pattern("%d.%m.%Y"), Some("UTC")),
            Ok(AT - (13 * HOUR + 45 * 60_000_000 + 40_000_000))
        );
        assert_eq!(
            read("11/10/2011 13:45:40", pattern("%d/%m/%Y %H:%M:%S"), None),
            Err(format!("timestamp \"11/10/2011 13:45:40\" {NO_ZONE}"))
        );
        assert_eq!(
            read("2011-10-11", pattern("%d/%m/%Y"), Some("UTC")),
            Err("timestamp \"2011-10-11\" does not match the pattern \"%d/%m/%Y\"".to_owned())
        );
        let utc = Some("UTC");
        let cases: [(&str, &str, i64); 14] = [
            ("10/11/11 1:45:40 PM", "%D %I:%M:%S %p", AT),
            ("10/11/11 1:45:40 am", "%D %I:%M:%S %p", AT - 12 * HOUR),
            (
                "12/31/99 12:00:00 AM",
                "%D %I:%M:%S %p",
                946_598_400_000_000,
            ),
            ("Tuesday, October 11, 2011 13:45:40", "%A, %B %e, %Y %T", AT),
            (
                "Tue 11 oct 2011 13:45:40.276",
                "%a %d %b %Y %T%.f",
                AT + 276_000,
            ),
            ("Tue 11 oct 2011 13:45:40", "%a %d %b %Y %T%.f", AT),
            ("2011-284 13:45:40", "%Y-%j %T", AT),
            ("2011-10-11T13:45:40.2765129", "%FT%T.%f", AT + 276_512),
            ("20111011134540", "%Y%m%d%H%M%S", AT),
            ("2011-10-11 13:45 UTC", "%F %R %Z", AT - 40_000_000),
            ("2011-10-11 15:45:40 +02:00", "%F %T %:z", AT),
            ("2011-10-11 08:45:40-0500", "%F %T%z", AT),
            ("1318340740", "%s", AT),
            (
                "100% 2011-10-11",
                "100%% %F",
                AT - (13 * HOUR + 45 * 60_000_000 + 40_000_000),
            ),
        ];
        for (text, p, expected) in cases {
            assert_eq!(read(text, pattern(p), utc), Ok(expected), "{text} by {p}");
        }
        for (text, p) in [
            ("13/11/11 1:45:40 PM", "%D %I:%M:%S %p"),
            ("10/11/11 13:45:40 PM", "%D %I:%M:%S %p"),
            ("10/11/11 1:45:40", "%D %I:%M:%S"),
            ("2011-02-30", "%F"),
            ("2011-366", "%Y-%j"),
            ("2011-10-11 extra", "%F"),
            ("2011-10", "%Y-%m"),
            ("Foo 11 2011", "%b %d %Y"),
        ] {
            assert!(read(text, pattern(p), utc).is_err(), "{text} by {p}");
        }
    }

    #[test]
    fn refused_shapes_say_why() {
        use TimestampFormat::*;
        let no_zone = |text: &str| Err(format!("timestamp {text:?} {NO_ZONE}"));
        for text in [
            "2011-10-11 13:45:40",
            "2011-10-11T13:45:40",
            "2011-10-11",
            "2011-10-11T13:45",
        ] {
            assert_eq!(read(text, Auto, None), no_zone(text));
            assert_eq!(read(text, Rfc3339, None), no_zone(text));
        }
        let auto = "an ISO 8601 date-time or epoch seconds/milliseconds/microseconds";
        for text in [
            "yesterday",
            "",
            "2011-13-11T13:45:40Z",
            "2011-02-29T13:45:40Z",
            "2011-10-11T24:00:00Z",
            "2011-10-11T13:45:40+24:00",
            "2011-10-11T13:45:40+2",
            "2011-10-11T13:45:40.Z",
            "2011-10-11T13:45:40ZZ",
            "2011-10-11X13:45:40Z",
            "2011-10-11 Z",
            "1318340740.",
            ".5",
            "1e9",
            " 1318340740",
            "2011-10-11T13:45:40Z ",
        ] {
            assert_eq!(
                read(text, Auto, None),
                Err(format!("timestamp {text:?} is not {auto}"))
            );
        }
        assert_eq!(
            read("9223372036854775807", EpochSeconds, None),
            Err("timestamp \"9223372036854775807\" is not epoch seconds".to_owned())
        );
        assert_eq!(
            read("2011-10-11T13:45:40Z", EpochMillis, None),
            Err("timestamp \"2011-10-11T13:45:40Z\" is not epoch milliseconds".to_owned())
        );
    }

    #[test]
    fn naive_times_in_a_named_zone_follow_its_rules() {
        let s = |seconds: i64| Ok(seconds * 1_000_000);
        let cases = [
            // Winter (+01:00) and summer (+02:00) in Paris; a date alone is
            // its midnight there.
            ("2026-01-15 10:00:00", "Europe/Paris", s(1_768_467_600)),
            ("2026-07-15", "Europe/Paris", s(1_784_066_400)),
            // 02:30 on the day clocks skip from 02:00 to 03:00: after the gap
            // (03:30 +02:00); on the day they go back, the first 02:30 (+02:00).
            ("2026-03-29T02:30:00", "Europe/Paris", s(1_774_747_800)),
            ("2026-10-25T02:30:00", "Europe/Paris", s(1_792_888_200)),
            ("2011-10-11 13:45:40", "America/New_York", s(1_318_355_140)),
        ];
        for (text, zone, expected) in cases {
            assert_eq!(
                read(text, TimestampFormat::Auto, Some(zone)),
                expected,
                "{text} {zone}"
            );
        }
        // An offset written in the timestamp wins over the zone.
        assert_eq!(
            read(
                "2026-07-15T10:00:00Z",
                TimestampFormat::Auto,
                Some("Europe/Paris")
            ),
            s(1_784_109_600)
        );
        let pattern = TimestampFormat::Pattern("%d/%m/%Y %H:%M".into());
        assert_eq!(
            read("15/01/2026 10:00", pattern, Some("Europe/Paris")),
            s(1_768_467_600)
        );
    }

    /// Paris in 2026 as rules that only tell an instant's offset.
    struct Paris2026;

    impl ZoneRules for Paris2026 {
        fn offset_at(&self, epoch_seconds: i64) -> Option<i64> {
            let summer = 1_774_746_000..1_792_890_000; // 03-29 01:00Z .. 10-25 01:00Z
            Some(if summer.contains(&epoch_seconds) {
                7200
            } else {
                3600
            })
        }
    }

    #[test]
    fn rules_that_only_tell_offsets_give_the_instants_the_tz_database_gives() {
        let rules = Zone::Rules(std::sync::Arc::new(Paris2026));
        let database = Zone::parse("Europe/Paris").unwrap();
        // Every 5 minutes of the days around both changes, and a year's noons.
        let days = [
            1_774_656_000_i64,
            1_774_742_400,
            1_792_800_000,
            1_792_886_400,
        ];
        let mut locals: Vec<i64> = days
            .iter()
            .flat_map(|day| (0..2 * 288).map(move |k| day + k * 300))
            .collect();
        locals.extend((0..365).map(|d| 1_767_268_800 + d * 86_400));
        for local in locals {
            let micros = local * 1_000_000 + 250_000;
            assert_eq!(
                rules.instant(micros),
                database.instant(micros),
                "local {local}"
            );
        }
        // The gap and the fold, by hand: 02:30 is 01:30Z (after the gap) and
        // 00:30Z (the first of the two).
        assert_eq!(
            rules.instant(1_774_751_400 * 1_000_000),
            Some(1_774_747_800 * 1_000_000)
        );
        assert_eq!(
            rules.instant(1_792_895_400 * 1_000_000),
            Some(1_792_888_200 * 1_000_000)
        );
    }

    #[test]
    fn time_zone_options_are_checked() {
        let auto = TimestampFormat::Auto;
        for zone in ["UTC", "Z", "+02:00", "-0530", "+02", "GMT", "Etc/UTC"] {
            assert!(TimeReader::new(&auto, Some(zone)).is_ok(), "{zone}");
        }
        let error = TimeReader::new(&auto, Some("Mars/Olympus")).err().unwrap();
        assert_eq!(error.kind(), crate::ErrorKind::InvalidOption);
        assert!(
            error
                .to_string()
                .contains("\"Mars/Olympus\" is not a time zone of this system's tz database"),
            "{error}"
        );
        let error = TimeReader::new(&auto, Some("+25:00")).err().unwrap();
        assert_eq!(
            error.to_string(),
            "invalid option time_zone: \"+25:00\" is not a time zone of this system's tz database \
             (/usr/share/zoneinfo, or TZDIR): give \"UTC\", an offset such as \"+02:00\" \
             or a tz database name such as \"Europe/Paris\""
        );
        for (pattern, why) in [
            ("%Q", "%Q is not a field this reader knows"),
            ("%Y-%", "it ends with a lone %"),
            ("date", "it has no field"),
            ("", "it has no field"),
        ] {
            let bad = TimestampFormat::Pattern(pattern.into());
            assert_eq!(
                TimeReader::new(&bad, None).unwrap_err().to_string(),
                format!(
                    "invalid option timestamp_format: {pattern:?} is not a strftime pattern: {why}"
                )
            );
        }
    }
}
