//! What validation finds: a [`Report`] of [`Finding`]s, each with a
//! [`Severity`], a stable [`Code`], a message and a location path.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The model cannot be trusted for analysis until this is fixed.
    Error,
    /// Worth a look; analysis can proceed.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// The stable code of a finding, written in snake_case in reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// The code as written in reports, e.g. `dangling_reference`.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }
    };
}

codes! {
    /// An id is empty.
    EmptyId = "empty_id",
    /// Two items of the same list share an id.
    DuplicateId = "duplicate_id",
    /// A reference to a stage, persona, measure or touchpoint that does not exist.
    DanglingReference = "dangling_reference",
    /// A probability outside [0, 1].
    ProbabilityOutOfRange = "probability_out_of_range",
    /// A touchpoint's outgoing probabilities add up to more than 1.
    ProbabilitySumAboveOne = "probability_sum_above_one",
    /// A NaN or infinite number.
    NonFiniteNumber = "non_finite_number",
    /// An emotion outside −2..+2.
    EmotionOutOfRange = "emotion_out_of_range",
    /// A measure value outside its measure's scale.
    MeasureOutOfScale = "measure_out_of_scale",
    /// A score scale whose minimum is not below its maximum.
    InvalidScale = "invalid_scale",
    /// A weight, importance or duration below zero.
    NegativeValue = "negative_value",
    /// The journey has no entry touchpoint, or its entry weights add up to zero.
    NoEntry = "no_entry",
    /// No goal is defined (analysis can still compute reach and drop-off).
    NoGoal = "no_goal",
    /// A goal cannot be reached from the entries.
    GoalUnreachable = "goal_unreachable",
    /// A present touchpoint cannot be reached from the entries.
    UnreachableTouchpoint = "unreachable_touchpoint",
    /// A present, non-goal touchpoint with no way out: everyone drops off there.
    DeadEnd = "dead_end",
    /// Customers who reach these touchpoints can never leave them: no goal
    /// and no drop-off is reachable, so the journey never ends.
    Trap = "trap",
    /// A stage with no present touchpoint.
    EmptyStage = "empty_stage",
    /// An entry, goal or transition refers to a touchpoint marked missing.
    MissingTouchpointReferenced = "missing_touchpoint_referenced",
    /// A goal has outgoing transitions; goals absorb, so analysis ignores them.
    GoalHasTransitions = "goal_has_transitions",
    /// The same transition (from, to) appears more than once.
    DuplicateTransition = "duplicate_transition",
    /// A higher-order context row whose path has fewer than two touchpoints.
    InvalidContext = "invalid_context",
    /// A task imported from Mermaid with a score the emotion cannot hold
    /// (outside 1–5, or not a number): the emotion is clamped (or none) and
    /// the score as written is kept in `extra.mermaid_score`.
    MermaidScore = "mermaid_score",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// The stable code.
    pub code: Code,
    /// What is wrong, for a person.
    pub message: String,
    /// Where, e.g. `journeys[gym].touchpoints[tour].stage`.
    pub path: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} at {}: {}",
            self.severity, self.code, self.path, self.message
        )
    }
}

/// Every finding of a validation run, in document order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Report {
    /// The findings, errors and warnings, in the order of the document.
    pub findings: Vec<Finding>,
}

impl Report {
    /// The error findings.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|finding| finding.severity == Severity::Error)
    }

    /// The warning findings.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|finding| finding.severity == Severity::Warning)
    }

    /// Whether there is no error (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.errors().next().is_none()
    }

    pub(super) fn push(&mut self, severity: Severity, code: Code, path: String, message: String) {
        self.findings.push(Finding {
            severity,
            code,
            message,
            path,
        });
    }

    pub(super) fn error(&mut self, code: Code, path: String, message: String) {
        self.push(Severity::Error, code, path, message);
    }

    pub(super) fn warning(&mut self, code: Code, path: String, message: String) {
        self.push(Severity::Warning, code, path, message);
    }
}
