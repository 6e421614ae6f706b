//! Journeys as pictures: the journey map as SVG ([`render_svg`]) and the
//! touchpoint graph as Graphviz DOT ([`to_dot`]). Mermaid text is in
//! [`crate::mermaid`].
//!
//! Output is deterministic: the same journey and options give the same bytes.

mod dot;
mod svg;

pub use dot::{DotOptions, EdgeLabels, to_dot};
pub use svg::{CUSTOM_PROPERTIES, Lanes, Row, SvgOptions, Theme, render_svg};
