//! The crate's error type.
//!
//! Every fallible function of journey-core returns [`Error`]. Each variant
//! carries what a person needs to fix the input: a position in the text, the
//! offending value, the limit that was exceeded, or the full validation report.

use crate::validate::report::Report;

impl Report {
    /// `Ok(self)` when valid, else [`Error::Invalid`] carrying the report.
    pub fn into_result(self) -> Result<Report, Error> {
        if self.is_valid() {
            Ok(self)
        } else {
            Err(Error::Invalid { report: self })
        }
    }
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text is not JSON, or not JSON of the document's shape.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line of the problem (0 when the problem has no position).
        line: usize,
        /// 1-based column of the problem (0 when the problem has no position).
        column: usize,
        /// What the parser found.
        message: String,
    },
    /// The document has no `"schema"` field.
    #[error("missing \"schema\": a journey document declares \"schema\": \"{expected}\"")]
    MissingSchema {
        /// The schema this version writes.
        expected: &'static str,
    },
    /// The document declares a schema this version cannot read (another
    /// format, or a newer major version).
    #[error("unsupported schema {found:?}: this version of journey reads {supported:?}")]
    UnsupportedSchema {
        /// The schema the document declares.
        found: String,
        /// The schema this version reads.
        supported: &'static str,
    },
    /// The input is larger than a configured limit (see [`crate::Limits`]).
    #[error("{what} is {actual}, above the limit of {limit}")]
    LimitExceeded {
        /// What was counted, e.g. "touchpoints in journey \"gym\"".
        what: String,
        /// The limit in force.
        limit: usize,
        /// What the input has.
        actual: usize,
    },
    /// A number that JSON cannot represent (NaN or infinite) is in the model.
    #[error("non-finite number at {path}")]
    NonFinite {
        /// Where the number is, e.g. `journeys[gym].touchpoints[tour].emotion`.
        path: String,
    },
    /// The model has validation errors; the report lists every finding.
    #[error("invalid model: {}", summarize(.report))]
    Invalid {
        /// Every finding, errors and warnings.
        report: Report,
    },
    /// A CSV event log could not be read (a missing column, an unreadable
    /// file, or a bad row under `OnError::Fail`).
    #[error("CSV row {row}: {message}")]
    Csv {
        /// The 1-based line (the header is line 1).
        row: u64,
        /// What is wrong.
        message: String,
    },
    /// An XES or JSON event log could not be read (text that is not XML,
    /// an unreadable file, a read that kept no event, or a bad event under
    /// `OnError::Fail`).
    #[error("{place} {row}: {message}")]
    Log {
        /// What `row` counts: `"XES line"`, `"JSON event"` (the line of a
        /// JSON Lines record, or the position in an array).
        place: &'static str,
        /// The 1-based line or position.
        row: u64,
        /// What is wrong.
        message: String,
    },
    /// Mermaid `journey` text that cannot be read.
    #[error("Mermaid line {line}: {message}")]
    Mermaid {
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An option is out of its range.
    #[error("invalid option {option}: {message}")]
    InvalidOption {
        /// The option's name (for a nested value, its path: `counts.tour`).
        option: String,
        /// What is wrong with it.
        message: String,
    },
    /// An id that names nothing.
    #[error("no {kind} with id {id:?}")]
    NotFound {
        /// What was looked for: "journey", "touchpoint", "stage", …
        kind: &'static str,
        /// The id that was asked for.
        id: String,
    },
    /// An argument that is not an option is unusable: an empty customer key,
    /// path data with no way to end a journey, a NULL pointer in C.
    #[error("invalid {argument}: {message}")]
    InvalidArgument {
        /// The argument's name.
        argument: String,
        /// What is wrong with it.
        message: String,
    },
    /// Tracker snapshot bytes that cannot be restored: damaged, of another
    /// journey, or inconsistent with themselves.
    #[error("invalid snapshot: {message}")]
    InvalidSnapshot {
        /// What is wrong.
        message: String,
    },
    /// A bug in the library. Please report it.
    #[error("internal error: {message}; please report this")]
    Internal {
        /// What happened.
        message: String,
    },
}

/// The kind of an [`Error`]: a closed list, the same in every front.
///
/// C returns it as `JourneyStatus` (`JOURNEY_STATUS_` and the code in capitals)
/// and JavaScript throws it as `JourneyError.code` (the code as written here).
/// The list is not `non_exhaustive` on purpose: a front that matches it must
/// name every kind, so a new kind fails to build until every front maps it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Text that cannot be read: malformed JSON, unreadable Mermaid.
    ParseError,
    /// A document without a schema, or of a schema this version cannot read.
    UnsupportedSchema,
    /// Input larger than a configured limit.
    LimitExceeded,
    /// NaN or an infinity where the model needs a finite number.
    NonFiniteNumber,
    /// A model with validation errors; the report lists every finding.
    ValidationError,
    /// An id that names nothing.
    NotFound,
    /// An event log (CSV or XES), or a row or event of one, that cannot be read.
    CsvError,
    /// An option that is unknown, of the wrong type or out of its range.
    InvalidOption,
    /// An unusable argument that is not an option.
    InvalidArgument,
    /// Tracker snapshot bytes that cannot be restored.
    InvalidSnapshot,
    /// A bug in the library.
    Internal,
}

impl ErrorKind {
    /// Every kind.
    pub const ALL: [ErrorKind; 11] = [
        ErrorKind::InvalidArgument,
        ErrorKind::ParseError,
        ErrorKind::ValidationError,
        ErrorKind::NotFound,
        ErrorKind::LimitExceeded,
        ErrorKind::UnsupportedSchema,
        ErrorKind::Internal,
        ErrorKind::CsvError,
        ErrorKind::NonFiniteNumber,
        ErrorKind::InvalidOption,
        ErrorKind::InvalidSnapshot,
    ];

    /// The kind's stable name, e.g. `"not_found"`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::ParseError => "parse_error",
            ErrorKind::UnsupportedSchema => "unsupported_schema",
            ErrorKind::LimitExceeded => "limit_exceeded",
            ErrorKind::NonFiniteNumber => "non_finite_number",
            ErrorKind::ValidationError => "validation_error",
            ErrorKind::NotFound => "not_found",
            ErrorKind::CsvError => "csv_error",
            ErrorKind::InvalidOption => "invalid_option",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::InvalidSnapshot => "invalid_snapshot",
            ErrorKind::Internal => "internal",
        }
    }

    /// The kind named by `code`, if any.
    pub fn from_code(code: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|kind| kind.code() == code)
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

fn summarize(report: &Report) -> String {
    let errors = report.errors().count();
    match report.errors().next() {
        Some(first) => format!(
            "{errors} error{}; first: {} at {}: {}",
            if errors == 1 { "" } else { "s" },
            first.code,
            first.path,
            first.message
        ),
        None => "no errors".to_owned(),
    }
}

impl Error {
    /// The kind of error, the same in every front.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Json { .. } | Error::Mermaid { .. } => ErrorKind::ParseError,
            Error::MissingSchema { .. } | Error::UnsupportedSchema { .. } => {
                ErrorKind::UnsupportedSchema
            }
            Error::LimitExceeded { .. } => ErrorKind::LimitExceeded,
            Error::NonFinite { .. } => ErrorKind::NonFiniteNumber,
            Error::Invalid { .. } => ErrorKind::ValidationError,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Csv { .. } | Error::Log { .. } => ErrorKind::CsvError,
            Error::InvalidOption { .. } => ErrorKind::InvalidOption,
            Error::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            Error::InvalidSnapshot { .. } => ErrorKind::InvalidSnapshot,
            Error::Internal { .. } => ErrorKind::Internal,
        }
    }

    /// A short stable name for the kind of error, the same in every front:
    /// `self.kind().code()`.
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// An [`Error::InvalidOption`] for `option`.
    pub(crate) fn option(option: impl Into<String>, message: impl Into<String>) -> Error {
        Error::InvalidOption {
            option: option.into(),
            message: message.into(),
        }
    }

    /// An [`Error::InvalidArgument`] for `argument`.
    pub fn argument(argument: impl Into<String>, message: impl Into<String>) -> Error {
        Error::InvalidArgument {
            argument: argument.into(),
            message: message.into(),
        }
    }

    pub(crate) fn from_json(error: &serde_json::Error) -> Error {
        Error::Json {
            line: error.line(),
            column: error.column(),
            message: json_message(error),
        }
    }
}

/// serde_json's message without the " at line L column C" it ends with
/// (the error's fields, or the option's key, say where).
pub(crate) fn json_message(error: &serde_json::Error) -> String {
    let full = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_carry_position_without_repeating_it() {
        let parse_error = serde_json::from_str::<serde_json::Value>("{\n  \"a\" 1\n}").unwrap_err();
        let error = Error::from_json(&parse_error);
        let Error::Json {
            line,
            column,
            message,
        } = &error
        else {
            panic!("expected Json, got {error:?}");
        };
        assert_eq!((*line, *column), (2, 7));
        assert!(!message.contains("line"), "{message}");
        assert_eq!(
            error.to_string(),
            format!("malformed JSON at line 2, column 7: {message}")
        );
    }

    #[test]
    fn codes_are_stable() {
        let not_found = Error::NotFound {
            kind: "touchpoint",
            id: "x".into(),
        };
        assert_eq!(not_found.code(), "not_found");
        assert_eq!(not_found.to_string(), "no touchpoint with id \"x\"");
        let limit = Error::LimitExceeded {
            what: "personas".into(),
            limit: 1,
            actual: 2,
        };
        assert_eq!(limit.code(), "limit_exceeded");
    }

    #[test]
    fn kinds_are_listed_once_with_distinct_codes() {
        let mut codes: Vec<&str> = ErrorKind::ALL.iter().map(|kind| kind.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::from(kind.code())
            );
        }
        assert_eq!(ErrorKind::from_code("nope"), None);
    }
}
