//! A document's journeys held against an event log: the compositions every
//! front calls, so Rust, C and JavaScript answer with one code path and one
//! set of defaults.
//!
//! Each method finds the journey by id ([`Error::NotFound`] otherwise), cuts
//! the log into traces mapped onto its touchpoints with the given
//! [`Mapping`], and answers: conformance, the measured funnel, a fitted
//! document, attribution of the journey's goals. Where the answer reads a
//! [`crate::events::TraceTable`] (the data funnel, fitting), the traces are
//! not copied into owned strings. ([`discovery::data_funnel_from_log`] and
//! [`discovery::Discovery::from_log`] skip even the table, for logs of
//! millions of events.)
//!
//! ```
//! use journey_core::{Document, events::{EventLog, Event, Mapping}};
//!
//! let document = Document::from_json(&std::fs::read_to_string("../examples/data/gym.json").unwrap())?;
//! let mut log = EventLog::new();
//! log.push(&Event::new("ann", 0, "online_reviews"))?;
//! log.push(&Event::new("ann", 60_000, "free_trial_popup"))?;
//! let check = document.conformance("gym", &log, &Mapping::default(), None)?;
//! assert_eq!(check.traces.len(), 1);
//! # Ok::<(), journey_core::Error>(())
//! ```

use crate::attribution::{self, Attribution, AttributionOptions};
use crate::conformance::{self, Conformance};
use crate::discovery::{self, DataFunnelStage};
use crate::document::Document;
use crate::error::Error;
use crate::events::{EventLog, Mapping, Traces};
use crate::fit::{self, FitOptions};

impl Document {
    /// The log's traces mapped onto a journey's touchpoints, with the event
    /// names the journey does not have.
    pub fn traces(
        &self,
        journey: &str,
        log: &EventLog,
        mapping: &Mapping,
    ) -> Result<Traces, Error> {
        Ok(log.traces(Some(self.require_journey(journey)?), mapping))
    }

    /// How well the log's traces follow a journey, with its `top` most
    /// frequent deviations (`None`: [`conformance::DEFAULT_TOP`]).
    pub fn conformance(
        &self,
        journey: &str,
        log: &EventLog,
        mapping: &Mapping,
        top: Option<usize>,
    ) -> Result<Conformance, Error> {
        let found = self.require_journey(journey)?;
        let traces = log.traces(Some(found), mapping);
        Ok(conformance::conformance(
            found,
            &traces,
            top.unwrap_or(conformance::DEFAULT_TOP),
        ))
    }

    /// A journey's stage funnel measured on the log.
    pub fn data_funnel(
        &self,
        journey: &str,
        log: &EventLog,
        mapping: &Mapping,
    ) -> Result<Vec<DataFunnelStage>, Error> {
        let found = self.require_journey(journey)?;
        Ok(discovery::data_funnel(
            &log.trace_table(Some(found), mapping),
            found,
        ))
    }

    /// A copy of the document in which the journey is fitted to the log
    /// (probabilities, counts, durations, entry weights, measure values; with
    /// `options.context_order`, higher-order context for the tracker).
    pub fn fit(
        &self,
        journey: &str,
        log: &EventLog,
        mapping: &Mapping,
        options: &FitOptions,
    ) -> Result<Document, Error> {
        let design = self.require_journey(journey)?;
        let table = log.trace_table(Some(design), mapping);
        let fitted = fit::fit_traces(Some(design), &table, options)?;
        Ok(self.with_journey(fitted))
    }

    /// Attribution of the log's conversions (traces reaching one of the
    /// journey's goals) to its touchpoints.
    pub fn attribution(
        &self,
        journey: &str,
        log: &EventLog,
        mapping: &Mapping,
        options: &AttributionOptions,
    ) -> Result<Attribution, Error> {
        let found = self.require_journey(journey)?;
        let traces = log.traces(Some(found), mapping);
        attribution::attribute_traces(&traces, &found.goals, &Default::default(), options)
    }
}
