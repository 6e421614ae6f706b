//! The journey map as PNG (the `png` feature): decoded again and checked
//! for its size, its colours and its text.

mod common;

use std::collections::BTreeMap;

use journey_core::render::{
    FlowOptions, MAX_PNG_PIXELS, PngOptions, SvgOptions, Theme, render_png, render_stage_flow,
    render_svg,
};
use journey_core::{Error, ErrorKind};
use proptest::prelude::*;

/// A decoded RGBA picture.
struct Picture {
    width: u32,
    height: u32,
    rgba: Vec<u8>,
}

impl Picture {
    fn decode(bytes: &[u8]) -> Picture {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut rgba = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut rgba).expect("one frame");
        assert_eq!(info.color_type, png::ColorType::Rgba);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        rgba.truncate(info.buffer_size());
        Picture {
            width: info.width,
            height: info.height,
            rgba,
        }
    }

    fn at(&self, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * self.width + x) * 4) as usize;
        self.rgba[i..i + 4].try_into().unwrap()
    }

    /// How many pixels of the box `x0..x1 × y0..y1` are exactly `colour`.
    fn count(&self, (x0, x1): (u32, u32), (y0, y1): (u32, u32), colour: [u8; 4]) -> usize {
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| self.at(x, y) == colour)
            .count()
    }
}

/// `#rrggbb` as opaque RGBA.
fn rgb(hex: &str) -> [u8; 4] {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
    [(v >> 16) as u8, (v >> 8) as u8, v as u8, 255]
}

/// The SVG's size attributes.
fn svg_size(svg: &str) -> (u32, u32) {
    let tree = roxmltree::Document::parse(svg).unwrap();
    let root = tree.root_element();
    let number = |name: &str| root.attribute(name).unwrap().parse::<u32>().unwrap();
    (number("width"), number("height"))
}

/// The top-left corner of the first stage header's box.
fn first_stage_box(svg: &str) -> (u32, u32) {
    let tree = roxmltree::Document::parse(svg).unwrap();
    let rect = tree
        .descendants()
        .find(|n| n.attribute("class") == Some("stage-box"))
        .expect("a stage box");
    let number = |name: &str| rect.attribute(name).unwrap().parse::<f64>().unwrap() as u32;
    (number("x"), number("y"))
}

fn gym_svg(options: &SvgOptions) -> String {
    render_svg(&common::example("gym.json"), "gym", options).unwrap()
}

#[test]
fn the_gym_map_as_png_has_the_maps_size_colours_and_text() {
    let svg = gym_svg(&SvgOptions::default());
    let bytes = render_png(&svg, &PngOptions::default()).unwrap();
    let picture = Picture::decode(&bytes);
    assert_eq!((picture.width, picture.height), svg_size(&svg));
    // The background, a stage header, in the light theme's colours.
    assert_eq!(picture.at(2, 2), rgb("#ffffff"));
    let (x, y) = first_stage_box(&svg);
    assert_eq!(picture.at(x + 6, y + 6), rgb("#dfe7f1"));
    // The heading "Joining a gym" (bold, 20 px, baseline at y = 48) is
    // drawn in the heading colour: fully covered pixels of its strokes.
    // Right of it, the same band is background.
    let ink = picture.count((24, 200), (30, 52), rgb("#1a1a1a"));
    assert!(ink > 150, "{ink} heading pixels");
    assert_eq!(
        picture.count((400, 900), (28, 52), rgb("#ffffff")),
        500 * 24
    );
    // Same SVG, same bytes.
    assert_eq!(render_png(&svg, &PngOptions::default()).unwrap(), bytes);
}

#[test]
fn scale_dark_theme_and_custom_properties() {
    let svg = gym_svg(&SvgOptions {
        theme: Theme::Dark,
        ..SvgOptions::default()
    });
    let (width, height) = svg_size(&svg);
    let (x, y) = first_stage_box(&svg);
    let twice = Picture::decode(
        &render_png(
            &svg,
            &PngOptions {
                scale: 2.0,
                ..PngOptions::default()
            },
        )
        .unwrap(),
    );
    assert_eq!((twice.width, twice.height), (2 * width, 2 * height));
    assert_eq!(twice.at(3, 3), rgb("#0f172a"));
    assert_eq!(twice.at(2 * x + 12, 2 * y + 12), rgb("#1e3a5f"));

    // A page's custom properties, given as options.
    let properties = BTreeMap::from([
        ("--journey-background".to_owned(), "#102030".to_owned()),
        ("--journey-stage".to_owned(), "rgb(255, 0, 0)".to_owned()),
    ]);
    let themed = Picture::decode(
        &render_png(
            &svg,
            &PngOptions {
                properties,
                ..PngOptions::default()
            },
        )
        .unwrap(),
    );
    assert_eq!(themed.at(2, 2), rgb("#102030"));
    assert_eq!(themed.at(x + 6, y + 6), rgb("#ff0000"));
}

#[test]
fn the_stage_flow_as_png() {
    let document = common::example("gym.json");
    let svg = render_stage_flow(&document, "gym", &FlowOptions::default()).unwrap();
    let picture = Picture::decode(&render_png(&svg, &PngOptions::default()).unwrap());
    assert_eq!((picture.width, picture.height), svg_size(&svg));
    assert_eq!(picture.at(1, 1), rgb("#ffffff"));
    // Bars, bands and labels: far from a blank picture.
    let blank = picture.count((0, picture.width), (0, picture.height), rgb("#ffffff"));
    assert!(blank < (picture.width * picture.height) as usize * 19 / 20);
}

#[test]
fn bad_requests_are_refused_with_their_reason() {
    let svg = gym_svg(&SvgOptions::default());
    for scale in [0.0, -1.0, 8.5, f64::NAN, f64::INFINITY] {
        let error = render_png(
            &svg,
            &PngOptions {
                scale,
                ..PngOptions::default()
            },
        )
        .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidOption { option, .. } if option == "scale"),
            "{error}"
        );
    }
    for (name, value) in [
        ("journey-card", "#fff"),
        ("--a", "red;}svg{fill:red"),
        ("--a", ""),
    ] {
        let options = PngOptions {
            properties: BTreeMap::from([(name.to_owned(), value.to_owned())]),
            ..PngOptions::default()
        };
        assert_eq!(
            render_png(&svg, &options).unwrap_err().kind(),
            ErrorKind::InvalidOption
        );
    }
    for text in ["", "not svg", "<svg", "<html/>"] {
        let error = render_png(text, &PngOptions::default()).unwrap_err();
        assert_eq!(
            error.kind(),
            ErrorKind::InvalidArgument,
            "{text:?}: {error}"
        );
    }
    // 20,000 × 10,000 is 200 million pixels: refused before any is drawn.
    let huge = r#"<svg xmlns="http://www.w3.org/2000/svg" width="20000" height="10000"/>"#;
    match render_png(huge, &PngOptions::default()).unwrap_err() {
        Error::LimitExceeded { limit, actual, .. } => {
            assert_eq!(limit as u64, MAX_PNG_PIXELS);
            assert_eq!(actual, 200_000_000);
        }
        other => panic!("{other}"),
    }
}

#[test]
fn no_file_named_by_the_svg_is_read() {
    // A red square in a file beside the test, named by an <image>: a
    // renderer that loaded files would draw it.
    let dir = std::env::temp_dir().join(format!("journey-png-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let red = dir.join("red.svg");
    std::fs::write(
        &red,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#ff0000"/></svg>"##,
    )
    .unwrap();
    let svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="{}" width="10" height="10"/></svg>"#,
        red.display()
    );
    let picture = Picture::decode(&render_png(&svg, &PngOptions::default()).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(picture.count((0, 10), (0, 10), [0, 0, 0, 0]), 100);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A map's SVG cut anywhere, or with a byte changed, is drawn or
    /// refused with an error: never a panic, never a bug report.
    #[test]
    fn damaged_svg_is_drawn_or_refused(cut in 0.0f64..1.0, at in 0.0f64..1.0, byte in any::<u8>()) {
        let document = common::example("gym.json");
        let svg = render_stage_flow(&document, "gym", &FlowOptions::default()).unwrap();
        let mut bytes = svg.into_bytes();
        let k = ((bytes.len() - 1) as f64 * at) as usize;
        bytes[k] = byte;
        bytes.truncate(((bytes.len() as f64) * cut) as usize);
        let text = String::from_utf8_lossy(&bytes);
        if let Err(error) = render_png(&text, &PngOptions::default()) {
            prop_assert_ne!(error.kind(), ErrorKind::Internal, "{}", error);
        }
    }
}
