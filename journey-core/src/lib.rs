//! # journey-core
//!
//! A computable model of customer journeys: personas, journeys as graphs of
//! stages and touchpoints with transitions and experience measures, a
//! versioned JSON document, and validation strict enough that exact analytics
//! can trust the model.
//!
//! Real journeys are not linear. Customers loop, jump back, skip ahead and
//! drop out; a [`Journey`] is therefore a directed graph of [`Touchpoint`]s
//! joined by [`Transition`]s, with [`Stage`]s as the ordered columns the
//! touchpoints belong to.
//!
//! ## Quick start
//!
//! ```
//! use journey_core::{Document, Severity};
//!
//! let text = r#"{
//!   "schema": "journey/1",
//!   "journeys": [{
//!     "id": "signup", "name": "Sign-up",
//!     "stages": [{"id": "discover", "name": "Discover"}, {"id": "buy", "name": "Buy"}],
//!     "touchpoints": [
//!       {"id": "ad", "name": "Social ad", "stage": "discover", "channel": "ads", "emotion": 0.5},
//!       {"id": "checkout", "name": "Checkout", "stage": "buy", "channel": "web"}
//!     ],
//!     "transitions": [{"from": "ad", "to": "checkout", "probability": 0.2}],
//!     "entries": [{"touchpoint": "ad"}],
//!     "goals": ["checkout"]
//!   }]
//! }"#;
//! let document = Document::from_json(text)?;
//! let report = document.validate();
//! assert!(report.is_valid());
//! assert_eq!(document.journeys[0].touchpoints_in("buy").count(), 1);
//! // Same model, same bytes.
//! assert_eq!(Document::from_json(&document.to_json()?)?, document);
//! # Ok::<(), journey_core::Error>(())
//! ```
//!
//! ## Modules
//!
//! - [`model`]: the domain types: personas, journeys, stages, touchpoints,
//!   transitions, measures.
//! - [`document`]: the versioned JSON document, with limits.
//! - [`validate`]: every problem at once, with codes and locations.
//! - [`graph`]: the petgraph view of a journey and its stage graph.
//! - [`builder`]: builders that refuse to produce an invalid journey.
//! - [`analysis`]: exact analytics: reach, funnel, drop-off, likely paths,
//!   experience by stage, pain points, touchpoint impact, comparisons.
//! - [`events`]: event logs (CSV in and out), traces mapped onto a journey.
//! - [`discovery`]: the mergeable directly-follows state of a log, variants,
//!   the measured funnel.
//! - [`conformance`]: how well traces follow a journey.
//! - [`fit`]: a journey fitted to what customers did, with higher-order context.
//! - [`attribution`]: heuristic and exact Markov attribution of conversions.
//! - [`replay`]: a document's journeys against an event log, in one call each.
//! - [`tracker`]: live per-customer state for helpdesks, with snapshots.
//! - [`render`]: the journey map as SVG (persona, lanes, flows, themes), the
//!   touchpoint graph as Graphviz DOT.
//! - [`mermaid`]: Mermaid `journey` diagrams in and out.
//! - [`synthetic`]: generated journeys of any size, for benchmarks and demos.
//! - [`options`]: options read strictly, the same in every front.
//! - [`json`]: JSON text read into the crate's types, every struct from an
//!   object; the one JSON reader of the crate and its fronts.
//! - [`error`]: the error type and its kinds.

#![deny(missing_docs)]
// `unsafe` lives in one module, the tracker's block storage
// (`tracker/blocks.rs`), and every block of it says why it is sound.
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod analysis;
pub mod attribution;
pub mod builder;
mod bytes;
pub mod conformance;
pub mod discovery;
pub mod document;
pub mod error;
pub mod events;
pub mod fit;
pub mod graph;
pub mod json;
mod linalg;
pub mod mermaid;
pub mod model;
mod number;
pub mod options;
mod order;
mod parallel;
pub mod render;
pub mod replay;
mod symbols;
pub mod synthetic;
pub mod tracker;
pub mod validate;

pub use analysis::{Analysis, Comparison, Options, analyze, analyze_with_measures, compare};
pub use builder::{DocumentBuilder, JourneyBuilder};
pub use document::{Document, Limits, MAX_NESTING, SCHEMA, SCHEMA_MAJOR};
pub use error::{Error, ErrorKind};
pub use graph::{JourneyGraph, NextStep, StageEdge, StageStep};
pub use model::{
    Channel, Context, Direction, Entry, Extra, Journey, JourneyKind, Layer, MeasureDefinition,
    MeasureValue, Persona, Scale, Scope, Stage, Status, Touchpoint, TouchpointKind, Transition,
};
pub use validate::{Code, Finding, Report, Severity};

/// A result whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
