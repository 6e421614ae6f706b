//! Journeys as pictures: the journey map as SVG ([`render_svg`]), the stage
//! flow beside it ([`render_stage_flow`]) and the touchpoint graph as
//! Graphviz DOT ([`to_dot`]). Mermaid text is in
//! [`crate::mermaid`].
//!
//! Output is deterministic: the same journey and options give the same bytes.

mod dot;
mod flow;
mod svg;

pub use dot::{DotOptions, EdgeLabels, to_dot};
pub use flow::{FlowOptions, render_stage_flow};
pub use svg::{CUSTOM_PROPERTIES, Lanes, Row, SvgOptions, Theme, render_svg};
