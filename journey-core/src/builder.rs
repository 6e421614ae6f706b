//! Builders for Rust users: assemble a journey or a document step by step
//! and get an error, never an invalid model.
//!
//! `build()` runs [`crate::validate`] and fails with [`Error::Invalid`] when
//! any finding is an error; warnings (a dead end, an empty stage) do not stop
//! a build, since maps in progress have them.

use crate::document::Document;
use crate::error::Error;
use crate::model::{
    Entry, Extra, Journey, JourneyKind, MeasureDefinition, Persona, Scope, Stage, Touchpoint,
    Transition,
};
use crate::validate;

/// Builds a [`Journey`]; start with [`Journey::builder`].
///
/// ```
/// use journey_core::{Channel, Journey, Touchpoint, Transition};
///
/// let journey = Journey::builder("signup", "Sign-up")
///     .stage("discover", "Discover")
///     .stage("buy", "Buy")
///     .touchpoint(Touchpoint::new("ad", "Social ad", "discover").channel(Channel::Ads))
///     .touchpoint(Touchpoint::new("checkout", "Checkout", "buy").emotion(1.0))
///     .transition(Transition::new("ad", "checkout").probability(0.1))
///     .entry("ad", 1.0)
///     .goal("checkout")
///     .build()?;
/// assert_eq!(journey.touchpoints.len(), 2);
///
/// // A transition to a touchpoint that does not exist is an error.
/// let broken = Journey::builder("x", "X")
///     .stage("s", "S")
///     .touchpoint(Touchpoint::new("a", "A", "s"))
///     .transition(Transition::new("a", "nowhere"))
///     .entry("a", 1.0)
///     .build();
/// assert!(broken.is_err());
/// # Ok::<(), journey_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct JourneyBuilder {
    journey: Journey,
}

impl JourneyBuilder {
    /// A builder for a current-state journey with this id and name.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        JourneyBuilder {
            journey: Journey {
                id: id.into(),
                name: name.into(),
                ..Journey::default()
            },
        }
    }

    /// Sets what the map depicts.
    pub fn kind(mut self, kind: JourneyKind) -> Self {
        self.journey.kind = kind;
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.journey.description = Some(description.into());
        self
    }

    /// Sets where the journey starts and ends.
    pub fn scope(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.journey.scope = Some(Scope {
            start: Some(start.into()),
            end: Some(end.into()),
            extra: Extra::new(),
        });
        self
    }

    /// Adds a persona the journey is for, by id.
    pub fn persona(mut self, persona: impl Into<String>) -> Self {
        self.journey.personas.push(persona.into());
        self
    }

    /// Appends a stage with this id and name.
    pub fn stage(self, id: impl Into<String>, name: impl Into<String>) -> Self {
        self.stage_with(Stage::new(id, name))
    }

    /// Appends a fully described stage.
    pub fn stage_with(mut self, stage: Stage) -> Self {
        self.journey.stages.push(stage);
        self
    }

    /// Adds a touchpoint.
    pub fn touchpoint(mut self, touchpoint: Touchpoint) -> Self {
        self.journey.touchpoints.push(touchpoint);
        self
    }

    /// Adds a transition.
    pub fn transition(mut self, transition: Transition) -> Self {
        self.journey.transitions.push(transition);
        self
    }

    /// Adds an entry touchpoint with its relative weight.
    pub fn entry(mut self, touchpoint: impl Into<String>, weight: f64) -> Self {
        self.journey.entries.push(Entry {
            touchpoint: touchpoint.into(),
            weight,
            extra: Extra::new(),
        });
        self
    }

    /// Adds a goal touchpoint.
    pub fn goal(mut self, touchpoint: impl Into<String>) -> Self {
        self.journey.goals.push(touchpoint.into());
        self
    }

    /// Validates the journey on its own and returns it, or
    /// [`Error::Invalid`] with every finding when any is an error.
    ///
    /// Persona and measure references are checked when the journey is added
    /// to a document with [`DocumentBuilder`].
    pub fn build(self) -> Result<Journey, Error> {
        validate::validate_journey(&self.journey).into_result()?;
        Ok(self.journey)
    }
}

/// Builds a [`Document`]; start with [`Document::builder`].
#[derive(Debug, Clone, Default)]
pub struct DocumentBuilder {
    personas: Vec<Persona>,
    measures: Vec<MeasureDefinition>,
    journeys: Vec<Journey>,
}

impl DocumentBuilder {
    /// Adds a persona.
    pub fn persona(mut self, persona: Persona) -> Self {
        self.personas.push(persona);
        self
    }

    /// Adds a measure definition.
    pub fn measure(mut self, measure: MeasureDefinition) -> Self {
        self.measures.push(measure);
        self
    }

    /// Adds a journey.
    pub fn journey(mut self, journey: Journey) -> Self {
        self.journeys.push(journey);
        self
    }

    /// Validates the whole document and returns it, or [`Error::Invalid`]
    /// with every finding when any is an error.
    pub fn build(self) -> Result<Document, Error> {
        let document = Document {
            personas: self.personas,
            measures: self.measures,
            journeys: self.journeys,
            ..Document::new()
        };
        validate::validate_document(&document).into_result()?;
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Code;

    fn two_steps() -> JourneyBuilder {
        Journey::builder("j", "J")
            .stage("s", "S")
            .touchpoint(Touchpoint::new("a", "A", "s"))
            .touchpoint(Touchpoint::new("b", "B", "s"))
            .transition(Transition::new("a", "b"))
            .entry("a", 1.0)
            .goal("b")
    }

    #[test]
    fn a_valid_journey_builds() {
        let journey = two_steps().kind(JourneyKind::FutureState).build().unwrap();
        assert_eq!(journey.kind, JourneyKind::FutureState);
        assert_eq!(journey.entries[0].touchpoint, "a");
        assert_eq!(journey.goals, ["b"]);
    }

    #[test]
    fn an_invalid_journey_is_refused_with_every_error() {
        let error = two_steps()
            .transition(Transition::new("b", "nowhere").probability(2.0))
            .touchpoint(Touchpoint::new("a", "again", "s"))
            .build()
            .unwrap_err();
        let Error::Invalid { report } = &error else {
            panic!("expected Invalid, got {error:?}");
        };
        let codes: Vec<Code> = report.errors().map(|f| f.code).collect();
        assert!(codes.contains(&Code::DuplicateId), "{codes:?}");
        assert!(codes.contains(&Code::DanglingReference), "{codes:?}");
        assert!(codes.contains(&Code::ProbabilityOutOfRange), "{codes:?}");
        assert_eq!(error.code(), "validation_error");
        assert!(
            error
                .to_string()
                .starts_with(&format!("invalid model: {} errors; first: ", codes.len())),
            "{error}"
        );
    }

    #[test]
    fn a_document_checks_references_between_its_parts() {
        let journey = two_steps().persona("nobody").build().unwrap();
        let error = Document::builder()
            .journey(journey.clone())
            .build()
            .unwrap_err();
        assert_eq!(error.code(), "validation_error");
        let document = Document::builder()
            .persona(Persona::new("nobody", "No one"))
            .journey(journey)
            .build()
            .unwrap();
        assert_eq!(document.personas.len(), 1);
    }
}
