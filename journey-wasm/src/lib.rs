//! journey for JavaScript: the WebAssembly binding of `journey-core`.
//!
//! It converts and delegates: arguments come in as strings or plain JS
//! objects, results go out as plain JS objects shaped exactly like the Rust
//! serialization, and errors are thrown as `JourneyError`s carrying the core
//! error's stable `code`. No logic lives here.

#![deny(missing_docs)]

mod convert;
mod error;
mod event_log;
mod model;
mod prelude;
mod tracker;
mod zones;

pub use zones::set_zones;

pub use convert::{
    AnalysisOptionsArg, AttributionOptionsArg, CsvOptionsArg, DotOptionsArg, EventArg,
    FitOptionsArg, FlowOptionsArg, HistoryFilterArg, JsonOptionsArg, MappingArg, PathCsvOptionsArg,
    SvgOptionsArg, TrackerOptionsArg, XesOptionsArg,
};
pub use error::*;
pub use event_log::*;
pub use model::*;
pub use tracker::*;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("../types.d.ts");

/// The library's version, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
