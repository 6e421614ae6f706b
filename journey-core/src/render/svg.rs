//! The journey map as SVG: stages as columns, touchpoints as cards in lanes,
//! the emotion curve underneath, a legend, and optional overlays from the
//! analysis and from observed counts.
//!
//! Pure Rust and deterministic: text is measured with a fixed table of
//! character widths (no fonts are read), numbers are written with fixed
//! precision, and everything is emitted in document order. Text stays real
//! text (selectable, read by screen readers); what does not fit its box is
//! wrapped, then cut with `…`, and the full text is in the card's tooltip
//! (`<title>`). The map carries presentation attributes only (no `<style>`
//! block), so it can be inlined into any page without leaking styles.

use hashbrown::HashMap;
use std::collections::BTreeMap;
use std::fmt::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Document;
use crate::analysis::{Analysis, Options as AnalysisOptions, PainPoint, TouchpointStats};
use crate::error::Error;
use crate::model::{Channel, Journey, Stage, Status, Touchpoint};

/// How touchpoints are placed within a stage's column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lanes {
    /// One lane (row) per channel, in order of first appearance. Default.
    #[default]
    Channel,
    /// One column of cards per stage, in the order of the touchpoint list.
    Order,
}

/// Options of [`render_svg`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SvgOptions {
    /// How cards are placed in a stage. Default: a lane per channel.
    pub lanes: Lanes,
    /// Overlay the analysis: reach and drop-off on each card, reach per
    /// stage, and the analysis' pain points marked. The journey must then be
    /// valid. Default: false.
    pub analysis: bool,
    /// Observed counts per touchpoint id (e.g. discovery's touchpoint
    /// frequencies), shown on the cards. Default: none.
    pub counts: BTreeMap<String, u64>,
    /// Ids of other journeys of the document whose emotion curves are drawn
    /// with this one's: one line per persona's journey, or as-is against
    /// to-be. Their stages are matched by id, then by name. Default: none.
    pub compare: Vec<String>,
    /// Draw missing touchpoints (dashed). Default: true.
    pub missing: bool,
    /// Small one-line cards. Default (`None`): compact beyond 100 drawn
    /// touchpoints or 15 stages.
    pub compact: Option<bool>,
    /// The heading. Default: the journey's name.
    pub title: Option<String>,
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions {
            lanes: Lanes::Channel,
            analysis: false,
            counts: BTreeMap::new(),
            compare: Vec::new(),
            missing: true,
            compact: None,
            title: None,
        }
    }
}

/// Sizes of one mode, in pixels.
struct Metrics {
    column: f64,
    card_width: f64,
    card_height: f64,
    gap: f64,
    font: f64,
    line: f64,
    name_lines: usize,
    small: f64,
    header: f64,
    emotion: f64,
}

const NORMAL: Metrics = Metrics {
    column: 184.0,
    card_width: 168.0,
    card_height: 58.0,
    gap: 8.0,
    font: 12.0,
    line: 15.0,
    name_lines: 2,
    small: 10.0,
    header: 56.0,
    emotion: 150.0,
};

const COMPACT: Metrics = Metrics {
    column: 112.0,
    card_width: 104.0,
    card_height: 22.0,
    gap: 4.0,
    font: 10.0,
    line: 12.0,
    name_lines: 1,
    small: 9.0,
    header: 44.0,
    emotion: 100.0,
};

const MARGIN: f64 = 24.0;
const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
/// Curve colours and dash patterns: told apart without colour too.
const CURVES: [(&str, &str); 5] = [
    ("#1f5fa8", ""),
    ("#c2410c", "7 4"),
    ("#15803d", "2 3"),
    ("#7e22ce", "9 3 2 3"),
    ("#a16207", "4 2"),
];

/// The journey map of one journey of the document as an SVG document.
///
/// ```
/// # let document = journey_core::Document::from_json(include_str!("../../../examples/data/gym.json")).unwrap();
/// use journey_core::render::{render_svg, SvgOptions};
/// let svg = render_svg(&document, "gym", &SvgOptions::default())?;
/// assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
/// assert!(svg.contains(">Awareness</text>"));
/// # Ok::<(), journey_core::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::NotFound`] for an unknown journey (or compared journey);
/// with `analysis`, the errors of [`Document::analyze`] (an invalid journey).
pub fn render_svg(
    document: &Document,
    journey: &str,
    options: &SvgOptions,
) -> Result<String, Error> {
    let find = |id: &str| document.require_journey(id);
    let main = find(journey)?;
    let compared = options
        .compare
        .iter()
        .map(|id| find(id))
        .collect::<Result<Vec<_>, _>>()?;
    let analysis = if options.analysis {
        Some(document.analyze(journey, &AnalysisOptions::default())?)
    } else {
        None
    };
    let map = Map::new(document, main, &compared, options, analysis.as_ref());
    Ok(map.draw())
}

/// How a card is drawn.
#[derive(Clone, Copy)]
enum Look {
    Present,
    Missing,
    Goal,
}

impl Look {
    /// Stroke colour, stroke width, dash attribute and fill.
    fn style(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Look::Present => ("#5b7fae", "1.25", "", "#ffffff"),
            Look::Missing => ("#7b8494", "1.5", r#" stroke-dasharray="6 4""#, "#f4f5f7"),
            Look::Goal => ("#166534", "3", "", "#ffffff"),
        }
    }
}

/// A touchpoint's card, where it goes, and what the analysis says of it.
struct Card<'a> {
    touchpoint: &'a Touchpoint,
    stage: usize,
    lane: usize,
    /// Its place in its cell (stage × lane), from the top.
    row: usize,
    /// The analysis' figures (none for a missing touchpoint: analysis
    /// treats it as absent).
    stats: Option<&'a TouchpointStats>,
    /// The analysis' pain point here.
    pain: Option<&'a PainPoint>,
}

impl Card<'_> {
    /// Whether the card is marked as a pain point: the map says so, or the
    /// analysis does.
    fn is_pain(&self) -> bool {
        !self.touchpoint.pain_points.is_empty() || self.pain.is_some()
    }
}

struct Map<'a> {
    document: &'a Document,
    journey: &'a Journey,
    compared: &'a [&'a Journey],
    options: &'a SvgOptions,
    analysis: Option<&'a Analysis>,
    metrics: &'static Metrics,
    cards: Vec<Card<'a>>,
    /// Lane labels (empty for order lanes).
    lanes: Vec<String>,
    /// Height of each lane.
    lane_heights: Vec<f64>,
    label_width: f64,
    /// Card height: taller when two overlay lines are shown.
    card_height: f64,
    prefix: String,
}

impl<'a> Map<'a> {
    fn new(
        document: &'a Document,
        journey: &'a Journey,
        compared: &'a [&'a Journey],
        options: &'a SvgOptions,
        analysis: Option<&'a Analysis>,
    ) -> Self {
        let stage_index: HashMap<&str, usize> = journey
            .stages
            .iter()
            .enumerate()
            .rev()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let mut listed: Vec<(usize, usize, &Touchpoint)> = journey
            .touchpoints
            .iter()
            .enumerate()
            .filter(|(_, t)| options.missing || t.status == Status::Present)
            .filter_map(|(i, t)| stage_index.get(t.stage.as_str()).map(|&s| (s, i, t)))
            .collect();
        // Cards in stage order, then in the order of the touchpoint list.
        crate::order::sort_by_key(&mut listed, |&(stage, position, _)| (stage, position));
        let drawn: Vec<(&Touchpoint, usize)> = listed.into_iter().map(|(s, _, t)| (t, s)).collect();
        let compact = options
            .compact
            .unwrap_or(drawn.len() > 100 || journey.stages.len() > 15);
        let metrics = if compact { &COMPACT } else { &NORMAL };
        // The analysis's rows by touchpoint, as places in its lists (one map
        // type for both: the npm package pays for each type of map).
        let (all_stats, all_pains) = analysis.map_or((&[][..], &[][..]), |a| {
            (&a.touchpoints[..], &a.pain_points[..])
        });
        let stats: HashMap<&str, usize> = all_stats
            .iter()
            .enumerate()
            .map(|(k, t)| (t.touchpoint.as_str(), k))
            .collect();
        let pains: HashMap<&str, usize> = all_pains
            .iter()
            .enumerate()
            .map(|(k, p)| (p.touchpoint.as_str(), k))
            .collect();
        let mut lanes: Vec<String> = Vec::new();
        let mut channels: Vec<&Channel> = Vec::new();
        // Cards so far in each cell, by lane then stage.
        let mut per_cell: Vec<Vec<usize>> = Vec::new();
        let mut cards = Vec::with_capacity(drawn.len());
        for (touchpoint, stage) in drawn {
            let lane = match options.lanes {
                Lanes::Order => 0,
                Lanes::Channel => match channels.iter().position(|c| **c == touchpoint.channel) {
                    Some(lane) => lane,
                    None => {
                        channels.push(&touchpoint.channel);
                        lanes.push(channel_label(&touchpoint.channel));
                        channels.len() - 1
                    }
                },
            };
            if per_cell.len() <= lane {
                per_cell.resize(lane + 1, Vec::new());
            }
            let cells = &mut per_cell[lane];
            if cells.len() <= stage {
                cells.resize(stage + 1, 0);
            }
            let row = &mut cells[stage];
            let missing = touchpoint.status == Status::Missing;
            cards.push(Card {
                touchpoint,
                stage,
                lane,
                row: *row,
                stats: stats
                    .get(touchpoint.id.as_str())
                    .map(|&k| &all_stats[k])
                    .filter(|_| !missing),
                pain: pains.get(touchpoint.id.as_str()).map(|&k| &all_pains[k]),
            });
            *row += 1;
        }
        let mut deepest = vec![1usize; lanes.len().max(1)];
        for card in &cards {
            deepest[card.lane] = deepest[card.lane].max(card.row + 1);
        }
        // The small line at the bottom of a card is there when something goes
        // on it; analysis figures and counts each take a line of their own.
        let small_line = analysis.is_some()
            || !options.counts.is_empty()
            || options.lanes == Lanes::Order
            || cards
                .iter()
                .any(|c: &Card<'_>| c.touchpoint.status == Status::Missing);
        let two_lines = !compact && analysis.is_some() && !options.counts.is_empty();
        let card_height = match (compact, small_line, two_lines) {
            (true, _, _) => metrics.card_height,
            (false, _, true) => metrics.card_height + 13.0,
            (false, true, false) => metrics.card_height,
            (false, false, false) => metrics.card_height - 14.0,
        };
        let lane_heights = deepest
            .iter()
            .map(|&n| n as f64 * (card_height + metrics.gap) + metrics.gap)
            .collect();
        let label_width = match options.lanes {
            Lanes::Channel if compact => 84.0,
            Lanes::Channel => 112.0,
            Lanes::Order => 60.0,
        };
        let prefix: String = journey
            .id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Map {
            document,
            journey,
            compared,
            options,
            analysis,
            metrics,
            cards,
            lanes,
            lane_heights,
            label_width,
            card_height,
            prefix: format!("journey-map-{prefix}"),
        }
    }

    fn draw(&self) -> String {
        let m = self.metrics;
        let stages = self.journey.stages.len();
        let left = MARGIN + self.label_width;
        let width = (left + stages as f64 * m.column + MARGIN).max(560.0).ceil();
        let title = self
            .options
            .title
            .clone()
            .unwrap_or_else(|| self.journey.name.clone());
        let mut body = String::new();
        let mut y = MARGIN;

        // Title and description.
        let (title_lines, _) = wrap(&title, 20.0, width - 2.0 * MARGIN, 2);
        for line in &title_lines {
            y += 24.0;
            let _ = writeln!(
                body,
                r##"<text class="title" x="{MARGIN}" y="{}" font-size="20" font-weight="700" fill="#1a1a1a">{}</text>"##,
                n(y),
                xml(line)
            );
        }
        if let Some(description) = &self.journey.description {
            let (lines, _) = wrap(description, 13.0, width - 2.0 * MARGIN, 2);
            for line in &lines {
                y += 18.0;
                let _ = writeln!(
                    body,
                    r##"<text class="description" x="{MARGIN}" y="{}" font-size="13" fill="#444444">{}</text>"##,
                    n(y),
                    xml(line)
                );
            }
        }
        y += 16.0;

        // Stage headers.
        let header_top = y;
        let lanes_top = header_top + m.header + 6.0;
        let lanes_height: f64 = self.lane_heights.iter().sum();
        let emotion_top = lanes_top + lanes_height + 12.0;
        let emotion_bottom = emotion_top + m.emotion;
        for (i, stage) in self.journey.stages.iter().enumerate() {
            let x = left + i as f64 * m.column;
            // A faint band behind the column, across the lanes.
            let band = if i.is_multiple_of(2) {
                "#f6f8fb"
            } else {
                "#ffffff"
            };
            let _ = writeln!(
                body,
                r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{band}"/>"#,
                n(x),
                n(lanes_top),
                n(m.column),
                n(lanes_height)
            );
            self.stage_header(&mut body, stage, i, x, header_top);
        }

        // Lanes.
        let lane_tops: Vec<f64> = self
            .lane_heights
            .iter()
            .scan(lanes_top, |top, h| {
                let this = *top;
                *top += h;
                Some(this)
            })
            .collect();
        for (lane, &lane_y) in lane_tops.iter().enumerate() {
            let _ = writeln!(
                body,
                r##"<line x1="{MARGIN}" y1="{y}" x2="{}" y2="{y}" stroke="#d5dbe3" stroke-width="1"/>"##,
                n(left + stages as f64 * m.column),
                y = n(lane_y)
            );
            if let Some(label) = self.lanes.get(lane) {
                let (lines, cut) = wrap(label, m.small + 1.0, self.label_width - 10.0, 2);
                let _ = write!(body, r#"<g class="lane">"#);
                if cut {
                    let _ = write!(body, "<title>{}</title>", xml(label));
                }
                for (k, line) in lines.iter().enumerate() {
                    let _ = write!(
                        body,
                        r##"<text x="{MARGIN}" y="{}" font-size="{}" font-weight="600" fill="#4a5568">{}</text>"##,
                        n(lane_y + 18.0 + k as f64 * (m.small + 3.0)),
                        n(m.small + 1.0),
                        xml(line)
                    );
                }
                let _ = writeln!(body, "</g>");
            }
        }
        for card in &self.cards {
            let x = left + card.stage as f64 * m.column + (m.column - m.card_width) / 2.0;
            let y = lane_tops[card.lane] + m.gap + card.row as f64 * (self.card_height + m.gap);
            self.card(&mut body, card, x, y);
        }

        // Emotion curves.
        self.emotion(&mut body, left, emotion_top);

        // Legend.
        let legend_top = emotion_bottom + 22.0;
        let legend_bottom = self.legend(&mut body, legend_top, width);
        let height = (legend_bottom + MARGIN).ceil();

        let mut out = String::with_capacity(body.len() + 1024);
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="journey-map" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{p}-title {p}-desc" font-family="{FONT}">"#,
            w = n(width),
            h = n(height),
            p = self.prefix
        );
        let _ = writeln!(
            out,
            r#"<title id="{}-title">{}</title>"#,
            self.prefix,
            xml(&title)
        );
        let _ = writeln!(
            out,
            r#"<desc id="{}-desc">{}</desc>"#,
            self.prefix,
            xml(&self.summary())
        );
        let _ = writeln!(
            out,
            r##"<rect class="background" width="{}" height="{}" fill="#ffffff"/>"##,
            n(width),
            n(height)
        );
        out.push_str(&body);
        out.push_str("</svg>\n");
        out
    }

    fn stage_header(&self, body: &mut String, stage: &Stage, i: usize, x: f64, top: f64) {
        let m = self.metrics;
        let fill = if i.is_multiple_of(2) {
            "#dfe7f1"
        } else {
            "#e9eef5"
        };
        let center = x + m.column / 2.0;
        // The funnel lists the journey's stages in order: found at its
        // place unless a stage id repeats.
        let reach = self.analysis.and_then(|a| {
            a.funnel
                .get(i)
                .filter(|f| f.stage == stage.id)
                .or_else(|| a.funnel.iter().find(|f| f.stage == stage.id))
        });
        let name_lines = if m.name_lines == 1 || reach.is_some() {
            2
        } else {
            3
        };
        let (lines, cut) = wrap(&stage.name, m.font + 1.0, m.column - 14.0, name_lines);
        let _ = write!(body, r#"<g class="stage" data-id="{}">"#, xml(&stage.id));
        let mut tooltip = stage.name.clone();
        if let Some(description) = &stage.description {
            tooltip.push_str(" — ");
            tooltip.push_str(description);
        }
        if let Some(f) = reach {
            let _ = write!(
                tooltip,
                " · reach {} · drop-off {}",
                percent(f.reach),
                percent(f.drop_off)
            );
        }
        if cut || stage.description.is_some() || reach.is_some() {
            let _ = write!(body, "<title>{}</title>", xml(&tooltip));
        }
        let _ = write!(
            body,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="{fill}"/>"#,
            n(x + 2.0),
            n(top),
            n(m.column - 4.0),
            n(m.header)
        );
        let text_height =
            lines.len() as f64 * (m.font + 3.0) + if reach.is_some() { m.small + 4.0 } else { 0.0 };
        let mut baseline = top + (m.header - text_height) / 2.0 + m.font;
        for line in &lines {
            let _ = write!(
                body,
                r##"<text class="stage-name" x="{}" y="{}" text-anchor="middle" font-size="{}" font-weight="700" fill="#1e2a3a">{}</text>"##,
                n(center),
                n(baseline),
                n(m.font + 1.0),
                xml(line)
            );
            baseline += m.font + 3.0;
        }
        if let Some(f) = reach {
            let _ = write!(
                body,
                r##"<text class="overlay" x="{}" y="{}" text-anchor="middle" font-size="{}" fill="#334155">reach {} · lost {}</text>"##,
                n(center),
                n(baseline + 1.0),
                n(m.small),
                percent(f.reach),
                percent(f.drop_off)
            );
        }
        let _ = writeln!(body, "</g>");
    }

    fn card(&self, body: &mut String, card: &Card<'_>, x: f64, y: f64) {
        let m = self.metrics;
        let t = card.touchpoint;
        let missing = t.status == Status::Missing;
        let goal = self.journey.goals.contains(&t.id);
        let (stats, analysed_pain, pain) = (card.stats, card.pain, card.is_pain());
        let count = self.options.counts.get(&t.id);

        let mut classes = String::from("touchpoint");
        for (on, class) in [
            (missing, " missing"),
            (pain, " pain-point"),
            (goal, " goal"),
        ] {
            if on {
                classes.push_str(class);
            }
        }
        // The tooltip: everything the card may not have room for.
        let mut tooltip = t.name.clone();
        let stage_name = self
            .journey
            .stages
            .get(card.stage)
            .map_or("", |s| s.name.as_str());
        let _ = write!(tooltip, "\n{stage_name} · {}", channel_label(&t.channel));
        if missing {
            tooltip.push_str(" · missing");
        }
        if goal {
            tooltip.push_str(" · goal");
        }
        if let Some(e) = t.emotion {
            let _ = write!(tooltip, "\nemotion {}", signed(e));
        }
        if let Some(s) = stats {
            let _ = write!(
                tooltip,
                "\nreach {} · drop-off {}",
                percent(s.reach),
                percent(s.drop_off)
            );
        }
        if let Some(c) = count {
            let _ = write!(tooltip, "\nobserved {c}");
        }
        for p in &t.pain_points {
            let _ = write!(tooltip, "\npain point: {p}");
        }
        if let Some(p) = analysed_pain {
            for reason in &p.reasons {
                let _ = write!(tooltip, "\npain point: {reason}");
            }
        }
        if let Some(d) = &t.description {
            let _ = write!(tooltip, "\n{d}");
        }

        let look = match (missing, goal) {
            (true, _) => Look::Missing,
            (false, true) => Look::Goal,
            (false, false) => Look::Present,
        };
        let (stroke, stroke_width, dash, fill) = look.style();
        let _ = write!(
            body,
            r#"<g class="{classes}" data-id="{}"><title>{}</title><rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"{dash}/>"#,
            xml(&t.id),
            xml(&tooltip),
            n(x),
            n(y),
            n(m.card_width),
            n(self.card_height)
        );
        if let (Some(e), false) = (t.emotion, missing) {
            let _ = write!(
                body,
                r#"<rect x="{}" y="{}" width="4" height="{}" rx="2" fill="{}"/>"#,
                n(x + 2.0),
                n(y + 4.0),
                n(self.card_height - 8.0),
                emotion_colour(e)
            );
        }
        let text_left = x + 10.0;
        let room = m.card_width - if pain { 32.0 } else { 16.0 };
        let (lines, _) = wrap(&t.name, m.font, room, m.name_lines);
        let colour = if missing { "#4b5563" } else { "#111827" };
        let style = if missing {
            r#" font-style="italic""#
        } else {
            ""
        };
        for (k, line) in lines.iter().enumerate() {
            let _ = write!(
                body,
                r#"<text x="{}" y="{}" font-size="{}" fill="{colour}"{style}>{}</text>"#,
                n(text_left),
                n(y + m.font + 4.0 + k as f64 * m.line),
                n(m.font),
                xml(line)
            );
        }
        if m.name_lines > 1 {
            // Up to two small lines at the bottom: state and analysis, then counts.
            let mut first = Vec::new();
            if missing {
                first.push("missing".to_owned());
            }
            if let Some(s) = stats {
                first.push(format!(
                    "reach {} · drop {}",
                    percent(s.reach),
                    percent(s.drop_off)
                ));
            }
            let mut lines = vec![first.join(" · ")];
            if let Some(c) = count {
                let text = format!("n {c}");
                if lines[0].is_empty() {
                    lines[0] = text;
                } else if self.card_height > m.card_height {
                    lines.push(text);
                } else {
                    lines[0] = format!("{} · {text}", lines[0]);
                }
            }
            if lines[0].is_empty() && self.options.lanes == Lanes::Order {
                lines[0] = channel_label(&t.channel);
            }
            let lines: Vec<&String> = lines.iter().filter(|l| !l.is_empty()).collect();
            let bottom = y + self.card_height - 7.0;
            for (k, line) in lines.iter().enumerate() {
                let (fitted, _) = wrap(line, m.small, m.card_width - 16.0, 1);
                let _ = write!(
                    body,
                    r##"<text class="overlay" x="{}" y="{}" font-size="{}" fill="#475569">{}</text>"##,
                    n(text_left),
                    n(bottom - (lines.len() - 1 - k) as f64 * (m.small + 3.0)),
                    n(m.small),
                    xml(fitted.first().map_or("", String::as_str))
                );
            }
        }
        if pain {
            let r = if m.name_lines > 1 { 8.0 } else { 6.0 };
            let cx = x + m.card_width - r - 4.0;
            let cy = y + r + 3.0;
            let _ = write!(
                body,
                r##"<g class="pain-marker"><circle cx="{}" cy="{}" r="{}" fill="#dc2626"/><text x="{}" y="{}" text-anchor="middle" font-size="{}" font-weight="700" fill="#ffffff">!</text></g>"##,
                n(cx),
                n(cy),
                n(r),
                n(cx),
                n(cy + r * 0.45),
                n(r * 1.4)
            );
        }
        let _ = writeln!(body, "</g>");
    }

    /// The emotion band: axis from −2 to +2 and one curve per journey.
    fn emotion(&self, body: &mut String, left: f64, top: f64) {
        let m = self.metrics;
        let right = left + self.journey.stages.len() as f64 * m.column;
        let y_of = |e: f64| top + 8.0 + (2.0 - e.clamp(-2.0, 2.0)) / 4.0 * (m.emotion - 16.0);
        let _ = write!(body, r#"<g class="emotion-axis">"#);
        let _ = write!(
            body,
            r##"<text x="{MARGIN}" y="{}" font-size="{}" font-weight="600" fill="#4a5568">Emotion</text>"##,
            n(top + 8.0 + m.small),
            n(m.small + 1.0)
        );
        for level in [2i32, 1, 0, -1, -2] {
            let y = y_of(f64::from(level));
            let (stroke, dash) = if level == 0 {
                ("#94a3b8", "")
            } else {
                ("#e2e8f0", r#" stroke-dasharray="3 3""#)
            };
            let _ = write!(
                body,
                r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{stroke}" stroke-width="1"{dash}/>"#,
                n(left),
                n(right),
                y = n(y)
            );
            let label = match level {
                0 => "0".to_owned(),
                l if l > 0 => format!("+{l}"),
                l => format!("−{}", -l),
            };
            let _ = write!(
                body,
                r##"<text x="{}" y="{}" text-anchor="end" font-size="{}" fill="#64748b">{label}</text>"##,
                n(left - 6.0),
                n(y + 3.5),
                n(m.small)
            );
        }
        let _ = writeln!(body, "</g>");
        let mut any = false;
        for (k, journey) in std::iter::once(self.journey)
            .chain(self.compared.iter().copied())
            .enumerate()
        {
            let points = self.curve_points(journey, left);
            if points.is_empty() {
                continue;
            }
            any = true;
            let (colour, dash) = CURVES[k % CURVES.len()];
            let dash = if dash.is_empty() {
                String::new()
            } else {
                format!(r#" stroke-dasharray="{dash}""#)
            };
            let path: Vec<String> = points
                .iter()
                .map(|(x, e, _)| format!("{},{}", n(*x), n(y_of(*e))))
                .collect();
            let _ = write!(
                body,
                r#"<g class="emotion" data-journey="{}"><title>{}</title><polyline class="emotion-curve" points="{}" fill="none" stroke="{colour}" stroke-width="2.5" stroke-linejoin="round"{dash}/>"#,
                xml(&journey.id),
                xml(&self.curve_name(journey)),
                path.join(" ")
            );
            for (x, e, name) in &points {
                let _ = write!(
                    body,
                    r##"<circle cx="{}" cy="{}" r="{}" fill="{colour}" stroke="#ffffff" stroke-width="1"><title>{} {}</title></circle>"##,
                    n(*x),
                    n(y_of(*e)),
                    if m.name_lines > 1 { "4" } else { "3" },
                    xml(name),
                    signed(*e)
                );
            }
            let _ = writeln!(body, "</g>");
        }
        if !any {
            let _ = writeln!(
                body,
                r##"<text x="{}" y="{}" font-size="{}" fill="#64748b">No emotions recorded</text>"##,
                n(left + 8.0),
                n(y_of(0.0) - 6.0),
                n(m.small + 1.0)
            );
        }
    }

    /// (x, emotion, touchpoint name) of a journey's present touchpoints with
    /// an emotion, spread evenly across the column of their stage.
    fn curve_points<'j>(&self, journey: &'j Journey, left: f64) -> Vec<(f64, f64, &'j str)> {
        let m = self.metrics;
        let mut points = Vec::new();
        let columns = self.journey.stage_positions();
        let by_stage = journey.touchpoints_by_stage();
        for (stage, members) in journey.stages.iter().zip(&by_stage) {
            let column = columns.get(stage.id.as_str()).copied().or_else(|| {
                self.journey
                    .stages
                    .iter()
                    .position(|s| s.name.eq_ignore_ascii_case(&stage.name))
            });
            let Some(column) = column else { continue };
            let felt: Vec<(&str, f64)> = members
                .iter()
                .filter(|t| t.status == Status::Present)
                .filter_map(|t| {
                    t.emotion
                        .filter(|e| e.is_finite())
                        .map(|e| (t.name.as_str(), e))
                })
                .collect();
            let x0 = left + column as f64 * m.column;
            for (j, (name, e)) in felt.iter().enumerate() {
                let x = x0 + m.column * (j as f64 + 1.0) / (felt.len() as f64 + 1.0);
                points.push((x, *e, *name));
            }
        }
        points
    }

    /// A curve's name: the journey's, with its personas.
    fn curve_name(&self, journey: &Journey) -> String {
        let personas: Vec<&str> = journey
            .personas
            .iter()
            .map(|id| {
                self.document
                    .persona(id)
                    .map_or(id.as_str(), |p| p.name.as_str())
            })
            .collect();
        if personas.is_empty() {
            journey.name.clone()
        } else {
            format!("{} ({})", journey.name, personas.join(", "))
        }
    }

    /// The legend, in rows that fit the width. Returns its bottom.
    fn legend(&self, body: &mut String, top: f64, width: f64) -> f64 {
        enum Symbol {
            Card(Look),
            Pain,
            Curve(usize),
            Note,
        }
        let mut items: Vec<(Symbol, String)> =
            vec![(Symbol::Card(Look::Present), "Touchpoint".to_owned())];
        if self
            .cards
            .iter()
            .any(|c| c.touchpoint.status == Status::Missing)
        {
            items.push((Symbol::Card(Look::Missing), "Missing touchpoint".to_owned()));
        }
        if self
            .cards
            .iter()
            .any(|c| self.journey.goals.contains(&c.touchpoint.id))
        {
            items.push((Symbol::Card(Look::Goal), "Goal".to_owned()));
        }
        if self.cards.iter().any(Card::is_pain) {
            items.push((Symbol::Pain, "Pain point".to_owned()));
        }
        for (k, journey) in std::iter::once(self.journey)
            .chain(self.compared.iter().copied())
            .enumerate()
        {
            items.push((
                Symbol::Curve(k),
                format!("Emotion: {}", self.curve_name(journey)),
            ));
        }
        if self.analysis.is_some() {
            items.push((
                Symbol::Note,
                "reach · drop: share of customers reaching, leaving here".to_owned(),
            ));
        }
        if !self.options.counts.is_empty() {
            items.push((Symbol::Note, "n: observed count".to_owned()));
        }
        let _ = write!(body, r#"<g class="legend">"#);
        let mut x = MARGIN;
        let mut y = top;
        for (symbol, label) in &items {
            let (label, _) = wrap(label, 11.0, width - 2.0 * MARGIN - 40.0, 1);
            let label = label.first().cloned().unwrap_or_default();
            let item_width = 34.0 + text_width(&label, 11.0) + 18.0;
            if x > MARGIN && x + item_width > width - MARGIN {
                x = MARGIN;
                y += 22.0;
            }
            match symbol {
                Symbol::Note => {}
                Symbol::Card(look) => {
                    let (stroke, width, dash, fill) = look.style();
                    let _ = write!(
                        body,
                        r#"<rect x="{}" y="{}" width="26" height="14" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>"#,
                        n(x),
                        n(y - 11.0)
                    );
                }
                Symbol::Pain => {
                    let _ = write!(
                        body,
                        r##"<circle cx="{}" cy="{}" r="7" fill="#dc2626"/><text x="{}" y="{}" text-anchor="middle" font-size="10" font-weight="700" fill="#ffffff">!</text>"##,
                        n(x + 13.0),
                        n(y - 4.0),
                        n(x + 13.0),
                        n(y - 0.5)
                    );
                }
                Symbol::Curve(k) => {
                    let (colour, dash) = CURVES[k % CURVES.len()];
                    let dash = if dash.is_empty() {
                        String::new()
                    } else {
                        format!(r#" stroke-dasharray="{dash}""#)
                    };
                    let _ = write!(
                        body,
                        r#"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{colour}" stroke-width="2.5"{dash}/>"#,
                        n(x),
                        n(x + 26.0),
                        y = n(y - 4.0)
                    );
                }
            }
            let _ = write!(
                body,
                r##"<text x="{}" y="{}" font-size="11" fill="#334155">{}</text>"##,
                n(x + 34.0),
                n(y),
                xml(&label)
            );
            x += item_width;
        }
        let _ = writeln!(body, "</g>");
        y + 8.0
    }

    /// The `<desc>`: the map in words for screen readers.
    fn summary(&self) -> String {
        let journey = self.journey;
        let stages: Vec<&str> = journey.stages.iter().map(|s| s.name.as_str()).collect();
        let missing = self
            .cards
            .iter()
            .filter(|c| c.touchpoint.status == Status::Missing)
            .count();
        let mut text = format!(
            "Journey map of {}: {} stage{} ({}), {} touchpoint{}",
            journey.name,
            stages.len(),
            if stages.len() == 1 { "" } else { "s" },
            stages.join(", "),
            self.cards.len(),
            if self.cards.len() == 1 { "" } else { "s" },
        );
        if missing > 0 {
            let _ = write!(text, ", {missing} of them missing");
        }
        text.push('.');
        let pains: Vec<&str> = self
            .cards
            .iter()
            .filter(|c| c.is_pain())
            .map(|c| c.touchpoint.name.as_str())
            .collect();
        if !pains.is_empty() {
            let _ = write!(text, " Pain points: {}.", pains.join(", "));
        }
        let curves = 1 + self.compared.len();
        let _ = write!(
            text,
            " The emotion curve{} below run{} from −2 to +2 across the stages.",
            if curves == 1 { "" } else { "s" },
            if curves == 1 { "s" } else { "" }
        );
        if let Some(a) = self.analysis {
            let _ = write!(text, " Goal probability {}.", percent(a.goal_probability));
        }
        text
    }
}

/// A channel's name for people: `review_site` → `Review site` (an ASCII
/// first letter capitalised; other text as written, which spares the npm
/// package Unicode's case tables); `sms` → `SMS`.
fn channel_label(channel: &Channel) -> String {
    if *channel == Channel::Sms {
        return "SMS".to_owned();
    }
    let mut name = channel.as_str().replace('_', " ");
    if let Some(first) = name.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    name
}

/// A number with at most one decimal (rounded half away from zero), written
/// from integers: float formatting was a third of the rendering time.
fn n(x: f64) -> String {
    let tenths = (x * 10.0).round();
    if !tenths.is_finite() || tenths.abs() >= 1e15 {
        return "0".to_owned();
    }
    let tenths = tenths as i64;
    let (whole, decimal) = (tenths.abs() / 10, tenths.abs() % 10);
    let sign = if tenths < 0 { "-" } else { "" };
    if decimal == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{decimal}")
    }
}

fn percent(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

fn signed(e: f64) -> String {
    if e > 0.0 {
        format!("+{e:.1}")
    } else if e < 0.0 {
        format!("−{:.1}", -e)
    } else {
        "0".to_owned()
    }
}

/// Red through grey to green for −2..+2.
fn emotion_colour(e: f64) -> String {
    let t = (e.clamp(-2.0, 2.0) + 2.0) / 4.0;
    let (from, to, t) = if t < 0.5 {
        ((220.0, 38.0, 38.0), (180.0, 180.0, 180.0), t * 2.0)
    } else {
        ((180.0, 180.0, 180.0), (22.0, 163.0, 74.0), (t - 0.5) * 2.0)
    };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(from.0, to.0),
        mix(from.1, to.1),
        mix(from.2, to.2)
    )
}

/// Text for XML: the five special characters escaped, characters XML 1.0
/// cannot hold replaced by a space.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The width of text in a sans-serif face, in pixels: a fixed table per
/// character class, on the generous side so text fits in real fonts.
fn text_width(text: &str, size: f64) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            ' ' => 0.28,
            'i' | 'j' | 'l' | '!' | '.' | ',' | ':' | ';' | '\'' | '|' | 'I' => 0.27,
            'f' | 't' | 'r' | '(' | ')' | '-' | '[' | ']' => 0.37,
            'm' | 'w' => 0.85,
            'M' | 'W' | '@' | '%' => 0.95,
            '…' | '·' => 0.6,
            c if c.is_ascii_uppercase() => 0.7,
            c if c.is_ascii_digit() => 0.57,
            c if c.is_ascii_lowercase() => 0.56,
            c if c >= '\u{2e80}' => 1.0,
            _ => 0.62,
        })
        .sum();
    em * size * 1.12
}

/// Wraps text into at most `lines` lines of `width` pixels; the last line
/// is cut with `…` when the text does not fit. Returns the lines and whether
/// anything was cut.
fn wrap(text: &str, size: f64, width: f64, lines: usize) -> (Vec<String>, bool) {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut cut = false;
    let fits = |s: &str| text_width(s, size) <= width;
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if fits(&candidate) {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        // A word longer than a line is broken between characters.
        for c in word.chars() {
            current.push(c);
            if !fits(&current) && current.chars().count() > 1 {
                current.pop();
                out.push(std::mem::take(&mut current));
                current.push(c);
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    if out.len() > lines {
        out.truncate(lines.max(1));
        cut = true;
    }
    if cut && let Some(last) = out.last_mut() {
        while !last.is_empty() && !fits(&format!("{last}…")) {
            last.pop();
        }
        let trimmed = last.trim_end().to_owned();
        *last = format!("{trimmed}…");
    }
    (out, cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_and_cutting() {
        let (lines, cut) = wrap("Free trial ending email", 12.0, 90.0, 2);
        assert!(!cut);
        assert_eq!(lines, ["Free trial", "ending email"]);
        let (lines, cut) = wrap("one two three four five six seven", 12.0, 60.0, 2);
        assert!(cut);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        assert!(lines.iter().all(|l| text_width(l, 12.0) <= 60.0));
        let (lines, _) = wrap("Supercalifragilistic", 12.0, 50.0, 4);
        assert!(lines.len() > 1 && lines.iter().all(|l| text_width(l, 12.0) <= 50.0));
        assert_eq!(wrap("", 12.0, 50.0, 2), (vec![], false));
    }

    #[test]
    fn numbers_text_and_colours() {
        assert_eq!(n(3.0), "3");
        assert_eq!(n(2.25), "2.3");
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(-12.34), "-12.3");
        assert_eq!(n(0.05), "0.1");
        assert_eq!(n(f64::NAN), "0");
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot; ");
        assert_eq!(emotion_colour(-2.0), "#dc2626");
        assert_eq!(emotion_colour(0.0), "#b4b4b4");
        assert_eq!(emotion_colour(2.0), "#16a34a");
        assert_eq!(channel_label(&Channel::ReviewSite), "Review site");
        assert_eq!(signed(-1.5), "−1.5");
    }
}
