//! Journeys as pictures: the journey map as SVG ([`render_svg`]), the stage
//! flow beside it ([`render_stage_flow`]) and the touchpoint graph as
//! Graphviz DOT ([`to_dot`]). Mermaid text is in
//! [`crate::mermaid`]. With the `png` feature, any of the SVG documents as
//! PNG (`render_png`, fonts built in).
//!
//! Output is deterministic: the same journey and options give the same bytes.

mod dot;
mod flow;
#[cfg(feature = "png")]
mod png;
mod svg;

pub use dot::{DotOptions, EdgeLabels, to_dot};
pub use flow::{FlowOptions, render_stage_flow};
#[cfg(feature = "png")]
pub use png::{MAX_PNG_PIXELS, MAX_PNG_SCALE, PngOptions, render_png};
pub use svg::{CUSTOM_PROPERTIES, Lanes, Row, SvgOptions, Theme, render_svg};
