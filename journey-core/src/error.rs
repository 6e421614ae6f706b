//! The crate's error type.
//!
//! Every fallible function of journey-core returns [`Error`]. Each variant
//! carries what a person needs to fix the input: a position in the text, the
//! offending value, the limit that was exceeded, or the full validation report.

use crate::validate::Report;

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
        /// The option's name.
        option: &'static str,
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
    /// A short stable name for the kind of error, the same in every binding.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Json { .. } | Error::Mermaid { .. } => "parse_error",
            Error::MissingSchema { .. } | Error::UnsupportedSchema { .. } => "unsupported_schema",
            Error::LimitExceeded { .. } => "limit_exceeded",
            Error::NonFinite { .. } => "non_finite_number",
            Error::Invalid { .. } => "validation_error",
            Error::NotFound { .. } => "not_found",
            Error::Csv { .. } => "csv_error",
            Error::InvalidOption { .. } => "invalid_option",
        }
    }

    pub(crate) fn from_json(error: &serde_json::Error) -> Error {
        let full = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
        Error::Json {
            line: error.line(),
            column: error.column(),
            message,
        }
    }
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
}
