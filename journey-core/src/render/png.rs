//! The journey map (or the stage flow, or any SVG) as PNG: rasterised by
//! resvg with fonts built into the library, so the same SVG gives the same
//! pixels on every machine, with or without fonts installed.
//!
//! The maps take their colours from CSS custom properties (see
//! [`CUSTOM_PROPERTIES`](super::CUSTOM_PROPERTIES)), which a page sets and a
//! rasteriser has no page for: each `var(--name, default)` is resolved here
//! to the value given in [`PngOptions::properties`], or else to its default
//! (the theme's colour). The text is set in DejaVu Sans (regular, bold and
//! oblique), whatever families the SVG asks for, the family
//! the map's text widths were measured with.
//!
//! Nothing outside the SVG text is read: images that name a file are not
//! loaded.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The most pixels a PNG may have (width × height after scaling): 100
/// million, 400 MB while drawn. A larger request is
/// [`Error::LimitExceeded`].
pub const MAX_PNG_PIXELS: u64 = 100_000_000;

/// The largest [`PngOptions::scale`].
pub const MAX_PNG_SCALE: f64 = 8.0;

/// Options of [`render_png`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PngOptions {
    /// Pixels per SVG unit: 2 for a sharp picture on a high-density screen
    /// or in print. Above 0, at most [`MAX_PNG_SCALE`]. Default: 1.
    pub scale: f64,
    /// Values of the CSS custom properties the map's colours come from, by
    /// name (`"--journey-card": "#fff7ed"`), as a page would set them.
    /// Default: none (each colour is the theme's).
    pub properties: BTreeMap<String, String>,
}

impl Default for PngOptions {
    fn default() -> Self {
        PngOptions {
            scale: 1.0,
            properties: BTreeMap::new(),
        }
    }
}

/// Rasterises an SVG document (a journey map from
/// [`render_svg`](super::render_svg), a stage flow from
/// [`render_stage_flow`](super::render_stage_flow), or your own) to PNG
/// bytes: `scale` × its width and height in pixels, RGBA.
///
/// ```
/// use journey_core::Document;
/// use journey_core::render::{PngOptions, SvgOptions, render_png, render_svg};
///
/// let document = Document::from_json(r#"{"schema": "journey/1", "journeys": [{
///   "id": "j", "name": "Sign-up",
///   "stages": [{"id": "s", "name": "Discover"}],
///   "touchpoints": [{"id": "ad", "name": "Social ad", "stage": "s", "channel": "ads"}]
/// }]}"#)?;
/// let svg = render_svg(&document, "j", &SvgOptions::default())?;
/// let png = render_png(&svg, &PngOptions { scale: 2.0, ..PngOptions::default() })?;
/// assert_eq!(&png[1..4], b"PNG");
/// # Ok::<(), journey_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidOption`] for a scale out of range or a property that is
/// not a `--name` with a plain value; [`Error::InvalidArgument`] for text
/// that is not an SVG document or has no size; [`Error::LimitExceeded`]
/// beyond [`MAX_PNG_PIXELS`].
pub fn render_png(svg: &str, options: &PngOptions) -> Result<Vec<u8>, Error> {
    let scale = options.scale;
    if !(scale.is_finite() && scale > 0.0 && scale <= MAX_PNG_SCALE) {
        return Err(option(
            "scale",
            format!("must be above 0 and at most {MAX_PNG_SCALE}, not {scale}"),
        ));
    }
    for (name, value) in &options.properties {
        check_property(name, value)?;
    }
    let text = resolve_properties(svg, &options.properties);
    let usvg_options = usvg::Options {
        font_family: FAMILY.to_owned(),
        fontdb: fonts(),
        // Only what the text holds: no file is read for an `<image>`.
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(|_, _| None),
        },
        ..usvg::Options::default()
    };
    // The parser and the rasteriser are another project's code reading the
    // caller's text: a panic in them is reported, not passed on.
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        usvg::Tree::from_str(&text, &usvg_options)
    }))
    .map_err(|_| Error::Internal {
        message: "the SVG parser panicked".to_owned(),
    })?;
    let tree = parsed.map_err(|e| Error::InvalidArgument {
        argument: "svg".to_owned(),
        message: e.to_string(),
    })?;
    let size = tree.size();
    let width = (f64::from(size.width()) * scale).ceil();
    let height = (f64::from(size.height()) * scale).ceil();
    // Both at least 1 (usvg refuses an empty size); the product is exact in
    // f64 far above the limit.
    let pixels = width * height;
    if pixels > MAX_PNG_PIXELS as f64 {
        return Err(Error::LimitExceeded {
            what: format!("pixels of the PNG ({width} × {height})"),
            limit: MAX_PNG_PIXELS as usize,
            actual: if pixels >= usize::MAX as f64 {
                usize::MAX
            } else {
                pixels as usize
            },
        });
    }
    // Within the limit, so each side fits in u32.
    let mut pixmap = Pixmap::new(width as u32, height as u32).ok_or_else(|| Error::Internal {
        message: format!("no {width} × {height} pixmap"),
    })?;
    let s = scale as f32;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        resvg::render(&tree, Transform::from_scale(s, s), &mut pixmap.as_mut());
    }))
    .map_err(|_| Error::Internal {
        message: "the SVG rasteriser panicked".to_owned(),
    })?;
    pixmap.encode_png().map_err(|e| Error::Internal {
        message: format!("PNG encoding: {e}"),
    })
}

/// The family every text is set in.
const FAMILY: &str = "DejaVu Sans";

/// The font database: DejaVu Sans in the three faces the maps use (bold oblique is drawn
/// from the nearest), loaded once, the family
/// of every generic name.
fn fonts() -> Arc<fontdb::Database> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            for face in [
                dejavu::sans::regular(),
                dejavu::sans::bold(),
                dejavu::sans::oblique(),
            ] {
                db.load_font_source(fontdb::Source::Binary(Arc::new(face)));
            }
            db.set_sans_serif_family(FAMILY);
            db.set_serif_family(FAMILY);
            db.set_monospace_family(FAMILY);
            db.set_cursive_family(FAMILY);
            db.set_fantasy_family(FAMILY);
            Arc::new(db)
        })
        .clone()
}

fn option(name: &str, message: String) -> Error {
    Error::InvalidOption {
        option: name.to_owned(),
        message,
    }
}

/// A custom property is `--` and a name of letters, digits, `-` and `_`;
/// its value a plain CSS value (a colour): none of the characters that
/// would end the declaration or the rule it is put in.
fn check_property(name: &str, value: &str) -> Result<(), Error> {
    let named = name.len() > 2
        && name.starts_with("--")
        && name[2..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !named {
        return Err(option(
            "properties",
            format!("{name:?} is not a custom property name (--journey-card)"),
        ));
    }
    if value.trim().is_empty() || value.contains([';', '{', '}', '<', '>', '"', '\'', '\\']) {
        return Err(option(
            &format!("properties.{name}"),
            format!("{value:?} is not a plain colour or value"),
        ));
    }
    Ok(())
}

/// The SVG text with every `var(--name, default)` replaced by the value
/// `properties` gives the name, or else by its default (a `var()` without
/// one is left for the renderer, which draws the property's initial value).
fn resolve_properties(svg: &str, properties: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(at) = rest.find("var(--") {
        out.push_str(&rest[..at]);
        let inner_start = at + 4;
        // The call ends at its closing parenthesis (defaults hold none).
        let Some(close) = rest[inner_start..].find(')') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let inner = &rest[inner_start..inner_start + close];
        let (name, default) = match inner.split_once(',') {
            Some((name, default)) => (name.trim(), Some(default.trim())),
            None => (inner.trim(), None),
        };
        match (properties.get(name), default) {
            (Some(value), _) => out.push_str(value.trim()),
            (None, Some(default)) => out.push_str(default),
            (None, None) => out.push_str(&rest[at..inner_start + close + 1]),
        }
        rest = &rest[inner_start + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_properties_resolve_to_the_given_value_or_the_default() {
        let properties = BTreeMap::from([("--a".to_owned(), "#010203".to_owned())]);
        assert_eq!(
            resolve_properties(
                ".x{fill:var(--a,#ffffff);stroke:var(--b, #000000)}.y{fill:var(--c)}",
                &properties
            ),
            ".x{fill:#010203;stroke:#000000}.y{fill:var(--c)}"
        );
        assert_eq!(resolve_properties("var(--open", &properties), "var(--open");
    }

    #[test]
    fn property_names_and_values_are_checked() {
        assert!(check_property("--journey-card", "#fff7ed").is_ok());
        assert!(check_property("--journey-card", "rgb(1, 2, 3)").is_ok());
        assert!(check_property("journey-card", "#fff").is_err());
        assert!(check_property("--", "#fff").is_err());
        assert!(check_property("--a", "red;}svg{display:none").is_err());
        assert!(check_property("--a", " ").is_err());
    }
}
