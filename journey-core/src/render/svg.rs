//! The journey map as SVG, drawn the way practitioners draw it: the
//! persona and the journey's scope on top, stages as columns, and lanes
//! (rows) chosen by the caller — the customer's actions, the touchpoints
//! (by channel, in order, or by service-blueprint layer), thoughts and
//! questions, the emotion curve with each point under its card, pain
//! points, opportunities, measures against their targets and stage KPIs —
//! with optional flows between the cards and overlays from the analysis
//! and from observed counts.
//!
//! Pure Rust and deterministic: text is measured with a fixed table of
//! character widths (no fonts are read), numbers are written with fixed
//! precision, and everything is emitted in document order. Text stays real
//! text (selectable, read by screen readers); lane text is wrapped to the
//! width of its stage and never cut; a card's name is wrapped, then cut
//! with `…`, and everything about the card is in its tooltip (`<title>`).
//!
//! # The DOM contract
//!
//! The root is `<svg class="journey-map" data-theme="light|dark">`. Inside:
//! - `g.persona[data-id]` (one per persona, with `text.persona-name`) and
//!   `g.scope` in the header;
//! - `g.stage[data-id][data-index]`, with `text.stage-name`;
//! - `g.row[data-row]` for each lane (`actions`, `touchpoints`, `thoughts`,
//!   `emotion`, `pain_points`, `opportunities`, `measures`, `kpis`), with a
//!   `g.row-label`; inside text lanes, `g.cell[data-stage]` holding
//!   `text.item` lines (`text.question` for thoughts ending in `?`,
//!   `text.met` / `text.missed` for measures against their targets);
//! - `g.lane[data-lane]` (a touchpoint sub-lane's label: its channel or
//!   layer);
//! - `g.touchpoint[data-id][data-stage]` (a card; also `.missing`,
//!   `.pain-point`, `.goal`), focusable (`tabindex="0"`) with an
//!   `aria-label`; its box is `rect.card-box`, `.card-missing` or
//!   `.card-goal`; its name `text.card-name`; its small lines
//!   `text.overlay`; `g.pain-marker`;
//! - `g.emotion[data-journey]` with `polyline.emotion-curve` and a
//!   `circle.emotion-point[data-id]` per touchpoint;
//! - `g.flows` with `path.flow[data-from][data-to]` (also `.forward`,
//!   `.back`, `.loop`) and `path.exit[data-from]` for drop-off;
//! - `g.legend`.
//!
//! Colours come from CSS custom properties with the theme's colours as
//! defaults (a `<style>` block whose rules are scoped to
//! `svg.journey-map[data-theme=…]`, so they reach journey maps only): set
//! e.g. `--journey-card`, `--journey-band` or `--journey-text` on the page to
//! restyle. Every coloured element also carries its colour as a
//! presentation attribute, so renderers without CSS draw the same picture.
//! The custom properties are listed in [`CUSTOM_PROPERTIES`].

use hashbrown::HashMap;
use std::collections::BTreeMap;
use std::fmt::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Document;
use crate::analysis::{Analysis, Options as AnalysisOptions, PainPoint, TouchpointStats};
use crate::error::Error;
use crate::model::{Channel, Direction, Journey, Layer, Persona, Stage, Status, Touchpoint};

/// How touchpoint cards are split into sub-lanes within the touchpoints
/// lane.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lanes {
    /// One sub-lane per channel, in order of first appearance. Default.
    #[default]
    Channel,
    /// One lane, cards in the order of the touchpoint list.
    Order,
    /// A service blueprint: frontstage, backstage and support processes,
    /// each card showing its owner.
    Layer,
}

/// A lane (row) of the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Row {
    /// What the customer does: the stage's actions, then its touchpoints'.
    Actions,
    /// The touchpoint cards, split as [`SvgOptions::lanes`] says.
    Touchpoints,
    /// What the customer thinks and asks: the stage's, then its
    /// touchpoints'.
    Thoughts,
    /// The emotion curve, each point under its card, with the compared
    /// journeys' curves.
    Emotion,
    /// The pain points' text (and, with the analysis, its findings).
    PainPoints,
    /// The touchpoints' opportunities.
    Opportunities,
    /// Each measure of the stage (the mean of its touchpoints' values,
    /// weighted by sample size) against its target: met or missed.
    Measures,
    /// The analysis' figures per stage: reach, drop-off, conversion.
    /// Needs [`SvgOptions::analysis`].
    Kpis,
}

impl Row {
    /// Every lane, in the default order.
    pub const ALL: [Row; 8] = [
        Row::Actions,
        Row::Touchpoints,
        Row::Thoughts,
        Row::Emotion,
        Row::PainPoints,
        Row::Opportunities,
        Row::Measures,
        Row::Kpis,
    ];

    fn label(self) -> &'static str {
        match self {
            Row::Actions => "Actions",
            Row::Touchpoints => "Touchpoints",
            Row::Thoughts => "Thoughts and questions",
            Row::Emotion => "Emotion",
            Row::PainPoints => "Pain points",
            Row::Opportunities => "Opportunities",
            Row::Measures => "Measures",
            Row::Kpis => "Stage KPIs",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Row::Actions => "actions",
            Row::Touchpoints => "touchpoints",
            Row::Thoughts => "thoughts",
            Row::Emotion => "emotion",
            Row::PainPoints => "pain_points",
            Row::Opportunities => "opportunities",
            Row::Measures => "measures",
            Row::Kpis => "kpis",
        }
    }
}

/// The colours the map is drawn with (each overridable by its custom
/// property).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// Dark text on white. Default.
    #[default]
    Light,
    /// Light text on a dark slate background.
    Dark,
}

/// Options of [`render_svg`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SvgOptions {
    /// The lanes, top to bottom, in the order given. Default (`None`): the
    /// lanes the journey has content for, in the order of [`Row`] (the
    /// touchpoints and the emotion curve always; stage KPIs with the
    /// analysis).
    pub rows: Option<Vec<Row>>,
    /// How cards are split in the touchpoints lane. Default: a sub-lane per
    /// channel.
    pub lanes: Lanes,
    /// The persona header: each persona's name, description, goals,
    /// motivations and frustrations, and the journey's scope. Default: true.
    pub persona: bool,
    /// Draw the transitions between cards: forward, back-jumps and loops as
    /// distinct arcs, wider for a higher probability (or observed count),
    /// and each card's drop-off. Default: false.
    pub flows: bool,
    /// Overlay the analysis: reach and drop-off on each card, the stage
    /// KPIs lane, and the analysis' pain points marked. The journey must
    /// then be valid. Default: false.
    pub analysis: bool,
    /// Observed counts per touchpoint id (e.g. discovery's touchpoint
    /// frequencies), shown on the cards. Default: none.
    pub counts: BTreeMap<String, u64>,
    /// Ids of other journeys of the document whose emotion curves are drawn
    /// with this one's: one line per persona's journey, or as-is against
    /// to-be. Their stages are matched by id, then by name; a touchpoint
    /// this map draws is placed under its card. Default: none.
    pub compare: Vec<String>,
    /// Draw missing touchpoints (dashed). Default: true.
    pub missing: bool,
    /// Small one-line cards. Default (`None`): compact beyond 100 drawn
    /// touchpoints or 15 stages.
    pub compact: Option<bool>,
    /// The map's width in pixels: columns share it and text wraps to what
    /// each column has. A map cannot be narrower than its columns' minimum
    /// (120 px a card, 72 px compact); then it is wider than asked. The SVG
    /// has a `viewBox`, so it also scales to any width in a page. Default:
    /// as wide as the cards need.
    pub width: Option<f64>,
    /// The colours. Default: light.
    pub theme: Theme,
    /// The heading. Default: the journey's name.
    pub title: Option<String>,
}

impl Default for SvgOptions {
    fn default() -> Self {
        SvgOptions {
            rows: None,
            lanes: Lanes::Channel,
            persona: true,
            flows: false,
            analysis: false,
            counts: BTreeMap::new(),
            compare: Vec::new(),
            missing: true,
            compact: None,
            width: None,
            theme: Theme::Light,
            title: None,
        }
    }
}

/// The custom properties the map's colours come from, with their light and
/// dark defaults: `(name, light, dark)`.
pub const CUSTOM_PROPERTIES: &[(&str, &str, &str)] = &[
    ("--journey-background", "#ffffff", "#0f172a"),
    ("--journey-heading", "#1a1a1a", "#f8fafc"),
    ("--journey-text-muted", "#444444", "#cbd5e1"),
    ("--journey-band", "#f6f8fb", "#131d2f"),
    ("--journey-band-alt", "#ffffff", "#0f172a"),
    ("--journey-stage", "#dfe7f1", "#1e3a5f"),
    ("--journey-stage-alt", "#e9eef5", "#243247"),
    ("--journey-stage-text", "#1e2a3a", "#e2e8f0"),
    ("--journey-label", "#4a5568", "#94a3b8"),
    ("--journey-rule", "#d5dbe3", "#334155"),
    ("--journey-card", "#ffffff", "#1e293b"),
    ("--journey-card-border", "#5b7fae", "#60a5fa"),
    ("--journey-missing", "#f4f5f7", "#273244"),
    ("--journey-missing-border", "#7b8494", "#94a3b8"),
    ("--journey-goal-border", "#166534", "#4ade80"),
    ("--journey-card-text", "#111827", "#f8fafc"),
    ("--journey-missing-text", "#4b5563", "#cbd5e1"),
    ("--journey-card-note", "#475569", "#a3b3c7"),
    ("--journey-pain", "#dc2626", "#f87171"),
    ("--journey-pain-text", "#ffffff", "#0f172a"),
    ("--journey-axis", "#94a3b8", "#64748b"),
    ("--journey-grid", "#e2e8f0", "#1e293b"),
    ("--journey-tick", "#64748b", "#94a3b8"),
    ("--journey-text", "#1f2937", "#e2e8f0"),
    ("--journey-bullet", "#94a3b8", "#64748b"),
    ("--journey-persona", "#f1f5f9", "#1e293b"),
    ("--journey-persona-border", "#cbd5e1", "#334155"),
    ("--journey-met", "#15803d", "#4ade80"),
    ("--journey-missed", "#b91c1c", "#f87171"),
    ("--journey-flow", "#5b7fae", "#60a5fa"),
    ("--journey-flow-back", "#c2410c", "#fb923c"),
    ("--journey-legend", "#334155", "#cbd5e1"),
    ("--journey-curve-1", "#1f5fa8", "#93c5fd"),
    ("--journey-curve-2", "#c2410c", "#fdba74"),
    ("--journey-curve-3", "#15803d", "#86efac"),
    ("--journey-curve-4", "#7e22ce", "#d8b4fe"),
    ("--journey-curve-5", "#a16207", "#fde047"),
];

/// Places in [`CUSTOM_PROPERTIES`].
mod colour {
    pub const BACKGROUND: u8 = 0;
    pub const HEADING: u8 = 1;
    pub const MUTED: u8 = 2;
    pub const BAND: u8 = 3;
    pub const BAND_ALT: u8 = 4;
    pub const STAGE: u8 = 5;
    pub const STAGE_ALT: u8 = 6;
    pub const STAGE_TEXT: u8 = 7;
    pub const LABEL: u8 = 8;
    pub const RULE: u8 = 9;
    pub const CARD: u8 = 10;
    pub const CARD_BORDER: u8 = 11;
    pub const MISSING: u8 = 12;
    pub const MISSING_BORDER: u8 = 13;
    pub const GOAL_BORDER: u8 = 14;
    pub const CARD_TEXT: u8 = 15;
    pub const MISSING_TEXT: u8 = 16;
    pub const CARD_NOTE: u8 = 17;
    pub const PAIN: u8 = 18;
    pub const PAIN_TEXT: u8 = 19;
    pub const AXIS: u8 = 20;
    pub const GRID: u8 = 21;
    pub const TICK: u8 = 22;
    pub const TEXT: u8 = 23;
    pub const BULLET: u8 = 24;
    pub const PERSONA: u8 = 25;
    pub const PERSONA_BORDER: u8 = 26;
    pub const MET: u8 = 27;
    pub const MISSED: u8 = 28;
    pub const FLOW: u8 = 29;
    pub const FLOW_BACK: u8 = 30;
    pub const LEGEND: u8 = 31;
    pub const CURVE: u8 = 32;
    /// No colour.
    pub const NONE: u8 = u8::MAX;
}

/// An element's paint: its class, and the colours of its fill and stroke.
#[derive(Clone, Copy)]
struct Paint(&'static str, u8, u8);

mod paint {
    use super::Paint;
    use super::colour::*;
    pub const BACKGROUND: Paint = Paint("background", super::colour::BACKGROUND, NONE);
    pub const TITLE: Paint = Paint("title", HEADING, NONE);
    pub const DESCRIPTION: Paint = Paint("description", MUTED, NONE);
    pub const BAND_EVEN: Paint = Paint("band", BAND, NONE);
    pub const BAND_ODD: Paint = Paint("band-alt", BAND_ALT, NONE);
    pub const STAGE_EVEN: Paint = Paint("stage-box", STAGE, NONE);
    pub const STAGE_ODD: Paint = Paint("stage-box-alt", STAGE_ALT, NONE);
    pub const STAGE_NAME: Paint = Paint("stage-name", STAGE_TEXT, NONE);
    pub const LABEL: Paint = Paint("label", super::colour::LABEL, NONE);
    pub const RULE: Paint = Paint("rule", NONE, super::colour::RULE);
    pub const CARD: Paint = Paint("card-box", super::colour::CARD, CARD_BORDER);
    pub const MISSING: Paint = Paint("card-missing", super::colour::MISSING, MISSING_BORDER);
    pub const GOAL: Paint = Paint("card-goal", super::colour::CARD, GOAL_BORDER);
    pub const CARD_NAME: Paint = Paint("card-name", CARD_TEXT, NONE);
    pub const MISSING_NAME: Paint = Paint("card-name missing-name", MISSING_TEXT, NONE);
    pub const OVERLAY: Paint = Paint("overlay", CARD_NOTE, NONE);
    pub const PAIN: Paint = Paint("pain-badge", super::colour::PAIN, NONE);
    pub const PAIN_MARK: Paint = Paint("pain-badge-text", PAIN_TEXT, NONE);
    pub const AXIS: Paint = Paint("axis", NONE, super::colour::AXIS);
    pub const GRID: Paint = Paint("grid", NONE, super::colour::GRID);
    pub const TICK: Paint = Paint("tick", super::colour::TICK, NONE);
    pub const ITEM: Paint = Paint("item", TEXT, NONE);
    pub const BULLET: Paint = Paint("bullet", super::colour::BULLET, NONE);
    pub const PERSONA: Paint = Paint("persona-box", super::colour::PERSONA, PERSONA_BORDER);
    pub const MET: Paint = Paint("item met", super::colour::MET, NONE);
    pub const MISSED: Paint = Paint("item missed", super::colour::MISSED, NONE);
    pub const FLOW: Paint = Paint("flow forward", NONE, super::colour::FLOW);
    pub const BACK: Paint = Paint("flow back", NONE, FLOW_BACK);
    pub const LOOP: Paint = Paint("flow loop", NONE, FLOW_BACK);
    pub const EXIT: Paint = Paint("exit", NONE, super::colour::MISSED);
    pub const ARROW: Paint = Paint("arrow", super::colour::FLOW, NONE);
    pub const ARROW_BACK: Paint = Paint("arrow-back", FLOW_BACK, NONE);
    pub const ARROW_EXIT: Paint = Paint("arrow-exit", super::colour::MISSED, NONE);
    pub const LEGEND: Paint = Paint("legend-text", super::colour::LEGEND, NONE);
    pub const PERSONA_NAME: Paint = Paint("persona-name", HEADING, NONE);
    pub const PERSONA_HEADING: Paint = Paint("persona-heading", super::colour::LABEL, NONE);
    pub const PERSONA_TEXT: Paint = Paint("persona-text", TEXT, NONE);
    pub const QUESTION: Paint = Paint("item question", TEXT, NONE);
    pub const POINT_STROKE: Paint = Paint("point", NONE, super::colour::BACKGROUND);
    /// Every paint with a rule of its own in the style block (`MET`,
    /// `MISSED` and `MISSING_NAME` are `.item` and `.card-name` with a
    /// second class; `QUESTION` is an item in the item's colour).
    pub const ALL: [Paint; 38] = [
        BACKGROUND,
        TITLE,
        DESCRIPTION,
        BAND_EVEN,
        BAND_ODD,
        STAGE_EVEN,
        STAGE_ODD,
        STAGE_NAME,
        LABEL,
        RULE,
        CARD,
        MISSING,
        GOAL,
        CARD_NAME,
        MISSING_NAME,
        OVERLAY,
        PAIN,
        PAIN_MARK,
        AXIS,
        GRID,
        TICK,
        ITEM,
        BULLET,
        PERSONA,
        MET,
        MISSED,
        FLOW,
        BACK,
        LOOP,
        EXIT,
        ARROW,
        ARROW_BACK,
        ARROW_EXIT,
        LEGEND,
        PERSONA_NAME,
        PERSONA_HEADING,
        PERSONA_TEXT,
        POINT_STROKE,
    ];
}

/// Sizes of one mode, in pixels.
struct Metrics {
    /// A card's slot: its width and the space beside it.
    slot: f64,
    /// The narrowest slot a width option may give.
    min_slot: f64,
    /// Cards side by side in a stage at most; more go below.
    slots: usize,
    card_height: f64,
    gap: f64,
    font: f64,
    line: f64,
    name_lines: usize,
    small: f64,
    emotion: f64,
    label: f64,
}

const NORMAL: Metrics = Metrics {
    slot: 184.0,
    min_slot: 120.0,
    slots: 3,
    card_height: 58.0,
    gap: 8.0,
    font: 12.0,
    line: 15.0,
    name_lines: 2,
    small: 10.0,
    emotion: 150.0,
    label: 112.0,
};

const COMPACT: Metrics = Metrics {
    slot: 112.0,
    min_slot: 72.0,
    slots: 4,
    card_height: 22.0,
    gap: 4.0,
    font: 10.0,
    line: 12.0,
    name_lines: 1,
    small: 9.0,
    emotion: 100.0,
    label: 84.0,
};

pub(super) const MARGIN: f64 = 24.0;
pub(super) const FONT: &str =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";
/// Dash patterns of the curves: told apart without colour too.
const DASHES: [&str; 5] = ["", "7 4", "2 3", "9 3 2 3", "4 2"];

/// The journey map of one journey of the document as an SVG document.
///
/// ```
/// # let document = journey_core::Document::from_json(include_str!("../../../examples/data/gym.json")).unwrap();
/// use journey_core::render::{render_svg, SvgOptions};
/// let svg = render_svg(&document, "gym", &SvgOptions::default())?;
/// assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
/// assert!(svg.contains(">Awareness</text>"));
/// assert!(svg.contains(">Jordan, the fitness beginner</text>"));
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

/// A touchpoint's card, where it goes, and what the analysis says of it.
struct Card<'a> {
    touchpoint: &'a Touchpoint,
    stage: usize,
    lane: usize,
    /// Its place in its cell (stage × lane), in reading order.
    place: usize,
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

    fn missing(&self) -> bool {
        self.touchpoint.status == Status::Missing
    }
}

/// A text lane's content in one stage: per item, its wrapped lines and its
/// paint.
type Cell = Vec<(Vec<String>, Paint)>;

struct Map<'a> {
    document: &'a Document,
    journey: &'a Journey,
    compared: &'a [&'a Journey],
    options: &'a SvgOptions,
    analysis: Option<&'a Analysis>,
    metrics: &'static Metrics,
    dark: bool,
    cards: Vec<Card<'a>>,
    /// Each drawn touchpoint's card, by id.
    index: HashMap<&'a str, usize>,
    /// Sub-lane labels and keys (none for order lanes).
    lanes: Vec<(String, &'a str)>,
    /// Rows of cards in each sub-lane.
    lane_rows: Vec<usize>,
    rows: Vec<Row>,
    /// Card slots side by side in each stage.
    slots: Vec<usize>,
    /// Left edge of each stage, and the right edge of the last.
    stage_x: Vec<f64>,
    slot: f64,
    card_width: f64,
    card_height: f64,
    width: f64,
    label_width: f64,
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
        let stage_index = journey.stage_positions();
        let mut listed: Vec<(usize, usize, &Touchpoint)> = journey
            .touchpoints
            .iter()
            .enumerate()
            .filter(|(_, t)| options.missing || t.status == Status::Present)
            .filter_map(|(i, t)| stage_index.get(t.stage.as_str()).map(|&s| (s, i, t)))
            .collect();
        // Cards in stage order, then in the order of the touchpoint list.
        crate::order::sort_by_key(&mut listed, |&(stage, position, _)| (stage, position));
        let compact = options
            .compact
            .unwrap_or(listed.len() > 100 || journey.stages.len() > 15);
        let m = if compact { &COMPACT } else { &NORMAL };
        // The analysis's rows by touchpoint, as places in its lists (one map
        // type for all: the npm package pays for each type of map).
        let (all_stats, all_pains) = analysis.map_or((&[][..], &[][..]), |a| {
            (&a.touchpoints[..], &a.pain_points[..])
        });
        let places = |ids: &mut dyn Iterator<Item = &'a str>| -> HashMap<&'a str, usize> {
            ids.enumerate().map(|(k, id)| (id, k)).collect()
        };
        let stats = places(&mut all_stats.iter().map(|t| t.touchpoint.as_str()));
        let pains = places(&mut all_pains.iter().map(|p| p.touchpoint.as_str()));
        let mut lanes: Vec<(String, &'a str)> = Vec::new();
        let mut channels: Vec<&Channel> = Vec::new();
        if options.lanes == Lanes::Layer {
            for (label, key) in [
                ("Frontstage", "frontstage"),
                ("Backstage", "backstage"),
                ("Support processes", "support"),
            ] {
                lanes.push((label.to_owned(), key));
            }
        }
        // Cards so far in each cell, by lane then stage.
        let mut per_cell: Vec<Vec<usize>> = Vec::new();
        let mut cards = Vec::with_capacity(listed.len());
        for (stage, _, touchpoint) in listed {
            let lane = match options.lanes {
                Lanes::Order => 0,
                Lanes::Layer => touchpoint.layer as usize,
                Lanes::Channel => match channels.iter().position(|c| **c == touchpoint.channel) {
                    Some(lane) => lane,
                    None => {
                        channels.push(&touchpoint.channel);
                        lanes.push((
                            channel_label(&touchpoint.channel),
                            touchpoint.channel.as_str(),
                        ));
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
            let place = &mut cells[stage];
            let missing = touchpoint.status == Status::Missing;
            cards.push(Card {
                touchpoint,
                stage,
                lane,
                place: *place,
                stats: stats
                    .get(touchpoint.id.as_str())
                    .map(|&k| &all_stats[k])
                    .filter(|_| !missing),
                pain: pains.get(touchpoint.id.as_str()).map(|&k| &all_pains[k]),
            });
            *place += 1;
        }
        // Blueprint layers no card is in are left out.
        if options.lanes == Lanes::Layer {
            let used: Vec<bool> = (0..3).map(|l| cards.iter().any(|c| c.lane == l)).collect();
            let renumber: Vec<usize> = used
                .iter()
                .scan(0, |next, &u| {
                    let this = *next;
                    *next += usize::from(u);
                    Some(this)
                })
                .collect();
            for card in &mut cards {
                card.lane = renumber[card.lane];
            }
            let mut keep = used.iter();
            lanes.retain(|_| *keep.next().unwrap_or(&false));
            per_cell.retain(|cells| !cells.is_empty());
        }
        let stages = journey.stages.len();
        let mut slots = vec![1usize; stages];
        for cells in &per_cell {
            for (stage, &count) in cells.iter().enumerate() {
                slots[stage] = slots[stage].max(count.min(m.slots));
            }
        }
        let mut lane_rows = vec![1usize; lanes.len().max(1)];
        for card in &cards {
            let rows = card.place / slots[card.stage] + 1;
            lane_rows[card.lane] = lane_rows[card.lane].max(rows);
        }
        let total_slots: usize = slots.iter().sum::<usize>().max(1);
        let label_width = m.label;
        let spare = m.slot - if compact { 104.0 } else { 168.0 };
        let slot = match options.width {
            Some(width) if width.is_finite() => {
                ((width - 2.0 * MARGIN - label_width) / total_slots as f64).max(m.min_slot)
            }
            _ => m.slot,
        };
        let left = MARGIN + label_width;
        let stage_x: Vec<f64> = std::iter::once(left)
            .chain(slots.iter().scan(left, |x, &s| {
                *x += s as f64 * slot;
                Some(*x)
            }))
            .collect();
        let requested = options.width.filter(|w| w.is_finite()).unwrap_or(560.0);
        let width = (stage_x[stages] + MARGIN).max(requested).max(560.0).ceil();
        // The small line at the bottom of a card is there when something goes
        // on it; analysis figures and counts each take a line of their own.
        let small_line = analysis.is_some()
            || !options.counts.is_empty()
            || options.lanes != Lanes::Channel
            || cards.iter().any(Card::missing);
        let two_lines = !compact && analysis.is_some() && !options.counts.is_empty();
        let card_height = match (compact, small_line, two_lines) {
            (true, _, _) => m.card_height,
            (false, _, true) => m.card_height + 13.0,
            (false, true, false) => m.card_height,
            (false, false, false) => m.card_height - 14.0,
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
        let index = places(&mut cards.iter().map(|c| c.touchpoint.id.as_str()));
        let mut map = Map {
            document,
            journey,
            compared,
            options,
            analysis,
            metrics: m,
            dark: options.theme == Theme::Dark,
            cards,
            index,
            lanes,
            lane_rows,
            rows: Vec::new(),
            slots,
            stage_x,
            slot,
            card_width: slot - spare,
            card_height,
            width,
            label_width,
            prefix: format!("journey-map-{prefix}"),
        };
        map.rows = match &options.rows {
            Some(rows) => {
                let mut seen = Vec::new();
                for &row in rows {
                    if !seen.contains(&row) {
                        seen.push(row);
                    }
                }
                seen
            }
            None => Row::ALL
                .into_iter()
                .filter(|&row| {
                    matches!(row, Row::Touchpoints | Row::Emotion)
                        || (0..stages).any(|stage| !map.items(row, stage).is_empty())
                })
                .collect(),
        };
        map
    }

    /// The presentation attributes of a paint: class, fill and stroke.
    fn paint(&self, p: Paint) -> Painted {
        Painted(p, self.dark)
    }

    /// The style block: every paint's colours from its custom properties,
    /// with the theme's as defaults, scoped to journey maps of this theme.
    fn style(&self) -> String {
        let theme = if self.dark { "dark" } else { "light" };
        let mut out = String::from("<style>");
        for p in paint::ALL {
            let _ = write!(
                out,
                "svg.journey-map[data-theme=\"{theme}\"] .{}{{",
                p.0.replace(' ', ".")
            );
            for (k, property) in [(p.1, "fill"), (p.2, "stroke")] {
                if k != colour::NONE {
                    let (name, light, dark) = CUSTOM_PROPERTIES[usize::from(k)];
                    let value = if self.dark { dark } else { light };
                    let _ = write!(out, "{property}:var({name},{value});");
                }
            }
            out.push('}');
        }
        for k in 0..DASHES.len() {
            let (name, light, dark) = CUSTOM_PROPERTIES[usize::from(colour::CURVE) + k];
            let value = if self.dark { dark } else { light };
            let _ = write!(
                out,
                "svg.journey-map[data-theme=\"{theme}\"] .curve-{k}{{stroke:var({name},{value})}}svg.journey-map[data-theme=\"{theme}\"] .point-{k}{{fill:var({name},{value})}}"
            );
        }
        out.push_str("</style>");
        out
    }

    /// A colour of the theme.
    fn colour(&self, k: u8) -> &'static str {
        let (_, light, dark) = CUSTOM_PROPERTIES[usize::from(k)];
        if self.dark { dark } else { light }
    }

    /// A curve's colour.
    fn curve_colour(&self, k: usize) -> &'static str {
        self.colour(colour::CURVE + (k % DASHES.len()) as u8)
    }

    /// The text items of a text lane in one stage, with their paints.
    fn items(&self, row: Row, stage: usize) -> Vec<(String, Paint)> {
        let mut out: Vec<(String, Paint)> = Vec::new();
        let Some(s) = self.journey.stages.get(stage) else {
            return out;
        };
        let cards = self.cards.iter().filter(|c| c.stage == stage);
        let plain = |items: &[String]| {
            items
                .iter()
                .map(|t| (t.clone(), paint::ITEM))
                .collect::<Vec<_>>()
        };
        match row {
            Row::Actions => {
                out.extend(plain(&s.actions));
                for c in cards {
                    out.extend(plain(&c.touchpoint.actions));
                }
            }
            Row::Thoughts => {
                let all = s
                    .thoughts
                    .iter()
                    .chain(cards.flat_map(|c| c.touchpoint.thoughts.iter()));
                for thought in all {
                    let p = if thought.trim_end().ends_with('?') {
                        paint::QUESTION
                    } else {
                        paint::ITEM
                    };
                    out.push((thought.clone(), p));
                }
            }
            Row::PainPoints => {
                for c in cards {
                    let t = c.touchpoint;
                    for p in &t.pain_points {
                        out.push((format!("{}: {p}", t.name), paint::ITEM));
                    }
                    if let Some(found) = c.pain {
                        // The analysis' findings, but for the map's own text.
                        let reasons: Vec<&str> = found
                            .reasons
                            .iter()
                            .filter(|r| !t.pain_points.contains(r))
                            .map(String::as_str)
                            .collect();
                        if !reasons.is_empty() {
                            out.push((format!("{}: {}", t.name, reasons.join("; ")), paint::ITEM));
                        }
                    }
                }
            }
            Row::Opportunities => {
                for c in cards {
                    out.extend(plain(&c.touchpoint.opportunities));
                }
            }
            Row::Measures => {
                for definition in &self.document.measures {
                    let (mut sum, mut weights) = (0.0, 0.0);
                    for c in self
                        .cards
                        .iter()
                        .filter(|c| c.stage == stage && !c.missing())
                    {
                        if let Some(v) = c.touchpoint.measures.get(&definition.key) {
                            let w = v.sample_size.map_or(1.0, |n| n as f64);
                            if v.value.is_finite() && w > 0.0 {
                                sum += v.value * w;
                                weights += w;
                            }
                        }
                    }
                    if weights > 0.0 {
                        out.push(measure_line(definition, sum / weights));
                    }
                }
            }
            Row::Kpis => {
                let funnel = self.analysis.and_then(|a| {
                    a.funnel
                        .get(stage)
                        .filter(|f| f.stage == s.id)
                        .or_else(|| a.funnel.iter().find(|f| f.stage == s.id))
                });
                if let Some(f) = funnel {
                    out.push((format!("reach {}", percent(f.reach)), paint::ITEM));
                    out.push((format!("drop-off {}", percent(f.drop_off)), paint::ITEM));
                    if let Some(c) = f.conversion {
                        out.push((format!("conversion {}", percent(c)), paint::ITEM));
                    }
                }
            }
            Row::Touchpoints | Row::Emotion => {}
        }
        out
    }

    /// The distance between the lines of a lane label: 1.3 times its size,
    /// so that no font's ascent and descent make two lines touch.
    fn label_line(&self) -> f64 {
        (self.metrics.small + 1.0) * 1.3
    }

    /// The distance between the lines of a stage's name (1.3 times its
    /// size).
    fn header_line(&self) -> f64 {
        (self.metrics.font + 1.0) * 1.3
    }

    /// A stage's width.
    fn stage_width(&self, stage: usize) -> f64 {
        self.stage_x[stage + 1] - self.stage_x[stage]
    }

    /// The size of lane text.
    fn item_size(&self) -> f64 {
        self.metrics.small + 1.0
    }

    /// A text lane's cells, wrapped to their stages' widths.
    fn cells(&self, row: Row) -> Vec<Cell> {
        (0..self.journey.stages.len())
            .map(|stage| {
                self.items(row, stage)
                    .into_iter()
                    .map(|(text, p)| {
                        let width = self.stage_width(stage) - 22.0;
                        (wrap(&text, self.item_size(), width, usize::MAX).0, p)
                    })
                    .collect()
            })
            .collect()
    }

    /// A card's box: left, top.
    fn card_box(&self, card: &Card<'_>, lanes_top: f64) -> (f64, f64) {
        let m = self.metrics;
        let slots = self.slots[card.stage];
        let lane_top: f64 = lanes_top
            + self.lane_rows[..card.lane]
                .iter()
                .map(|&r| self.lane_height(r))
                .sum::<f64>();
        let x = self.stage_x[card.stage]
            + (card.place % slots) as f64 * self.slot
            + (self.slot - self.card_width) / 2.0;
        let y = lane_top + m.gap + (card.place / slots) as f64 * (self.card_height + m.gap);
        (x, y)
    }

    fn lane_height(&self, rows: usize) -> f64 {
        rows as f64 * (self.card_height + self.metrics.gap) + self.metrics.gap
    }

    fn draw(&self) -> String {
        let m = self.metrics;
        let stages = self.journey.stages.len();
        let left = MARGIN + self.label_width;
        let right = self.stage_x[stages];
        let width = self.width;
        let title = self
            .options
            .title
            .clone()
            .unwrap_or_else(|| self.journey.name.clone());
        let mut body = String::new();
        let mut y = MARGIN;

        // Title and description, whole.
        for line in wrap(&title, 20.0, width - 2.0 * MARGIN, usize::MAX).0 {
            y += 24.0;
            let _ = writeln!(
                body,
                r#"<text {} x="{MARGIN}" y="{}" font-size="20" font-weight="700">{}</text>"#,
                self.paint(paint::TITLE),
                n(y),
                xml(&line)
            );
        }
        if let Some(description) = &self.journey.description {
            for line in wrap(description, 13.0, width - 2.0 * MARGIN, usize::MAX).0 {
                y += 18.0;
                let _ = writeln!(
                    body,
                    r#"<text {} x="{MARGIN}" y="{}" font-size="13">{}</text>"#,
                    self.paint(paint::DESCRIPTION),
                    n(y),
                    xml(&line)
                );
            }
        }
        y += 16.0;
        if self.options.persona {
            y = self.persona_header(&mut body, y);
        }

        // Stage headers: as tall as the longest name needs.
        let header_lines: Vec<Vec<String>> = self
            .journey
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| wrap(&s.name, m.font + 1.0, self.stage_width(i) - 14.0, 3).0)
            .collect();
        let most = header_lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let header_height = (most as f64 * self.header_line() + 16.0).max(if m.name_lines > 1 {
            44.0
        } else {
            32.0
        });
        let header_top = y;
        let rows_top = header_top + header_height + 6.0;

        // Row heights; text lanes wrapped once.
        let mut cells: Vec<Vec<Cell>> = Vec::with_capacity(self.rows.len());
        let mut heights = Vec::with_capacity(self.rows.len());
        let line = self.item_size() + 4.0;
        for &row in &self.rows {
            let (content, height) = match row {
                Row::Touchpoints => (
                    Vec::new(),
                    self.lane_rows.iter().map(|&r| self.lane_height(r)).sum(),
                ),
                Row::Emotion => (Vec::new(), m.emotion),
                _ => {
                    let content = self.cells(row);
                    let tallest = content
                        .iter()
                        .map(|cell| {
                            cell.iter()
                                .map(|(l, _)| l.len() as f64 * line + 4.0)
                                .sum::<f64>()
                        })
                        .fold(0.0, f64::max);
                    (content, (tallest + 12.0).max(32.0))
                }
            };
            // A lane label must fit beside its lane.
            let (label, _) = wrap(row.label(), m.small + 1.0, self.label_width - 10.0, 3);
            let label_height = label.len() as f64 * self.label_line() + 14.0;
            cells.push(content);
            heights.push(if matches!(row, Row::Touchpoints | Row::Emotion) {
                height
            } else {
                height.max(label_height)
            });
        }
        let rows_height: f64 = heights.iter().sum();
        for (i, lines) in header_lines.iter().enumerate() {
            let x = self.stage_x[i];
            let band = if i.is_multiple_of(2) {
                paint::BAND_EVEN
            } else {
                paint::BAND_ODD
            };
            let _ = writeln!(
                body,
                r#"<rect {} x="{}" y="{}" width="{}" height="{}"/>"#,
                self.paint(band),
                n(x),
                n(rows_top),
                n(self.stage_width(i)),
                n(rows_height)
            );
            self.stage_header(&mut body, i, lines, header_top, header_height);
        }

        let mut top = rows_top;
        for ((&row, height), content) in self.rows.iter().zip(heights).zip(&cells) {
            let _ = write!(
                body,
                r#"<g class="row" data-row="{}"><line {} x1="{MARGIN}" y1="{y}" x2="{}" y2="{y}" stroke-width="1"/>"#,
                row.key(),
                self.paint(paint::RULE),
                n(right),
                y = n(top)
            );
            let sub_lanes = row == Row::Touchpoints && !self.lanes.is_empty();
            if !sub_lanes {
                self.label(&mut body, "row-label", "", row.label(), top);
            }
            match row {
                Row::Touchpoints => self.touchpoints(&mut body, top),
                Row::Emotion => self.emotion(&mut body, left, top),
                _ => {
                    for (stage, cell) in content.iter().enumerate() {
                        let stage_id = &self.journey.stages[stage].id;
                        let _ = write!(body, r#"<g class="cell" data-stage="{}">"#, xml(stage_id));
                        let x = self.stage_x[stage] + 10.0;
                        let mut baseline = top + 8.0 + self.item_size();
                        for (lines, p) in cell {
                            let _ = write!(
                                body,
                                r#"<circle {} cx="{}" cy="{}" r="2"/>"#,
                                self.paint(paint::BULLET),
                                n(x + 1.0),
                                n(baseline - self.item_size() * 0.35)
                            );
                            for text in lines {
                                let italic = if p.0.ends_with("question") {
                                    r#" font-style="italic""#
                                } else {
                                    ""
                                };
                                let _ = write!(
                                    body,
                                    r#"<text {} x="{}" y="{}" font-size="{}"{italic}>{}</text>"#,
                                    self.paint(*p),
                                    n(x + 8.0),
                                    n(baseline),
                                    n(self.item_size()),
                                    xml(text)
                                );
                                baseline += line;
                            }
                            baseline += 4.0;
                        }
                        body.push_str("</g>");
                    }
                }
            }
            let _ = writeln!(body, "</g>");
            top += height;
        }

        // Legend.
        let legend_bottom = self.legend(&mut body, top + 22.0, width);
        let height = (legend_bottom + MARGIN).ceil();

        let mut out = String::with_capacity(body.len() + 4096);
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="journey-map" data-theme="{t}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="graphics-document" aria-roledescription="journey map" aria-labelledby="{p}-title {p}-desc" font-family="{FONT}">"#,
            t = if self.dark { "dark" } else { "light" },
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
        out.push_str(&self.style());
        if self.options.flows {
            let _ = write!(out, "<defs>");
            for (name, p) in [
                ("arrow", paint::ARROW),
                ("arrow-back", paint::ARROW_BACK),
                ("arrow-exit", paint::ARROW_EXIT),
            ] {
                let _ = write!(
                    out,
                    r#"<marker id="{}-{name}" viewBox="0 0 8 8" refX="7" refY="4" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path {} d="M0,0L8,4L0,8z"/></marker>"#,
                    self.prefix,
                    self.paint(p)
                );
            }
            let _ = writeln!(out, "</defs>");
        }
        let _ = writeln!(
            out,
            r#"<rect {} width="{}" height="{}"/>"#,
            self.paint(paint::BACKGROUND),
            n(width),
            n(height)
        );
        out.push_str(&body);
        out.push_str("</svg>\n");
        out
    }

    /// A label in the label column, wrapped to it.
    fn label(&self, body: &mut String, class: &str, key: &str, text: &str, top: f64) {
        let m = self.metrics;
        let (lines, cut) = wrap(text, m.small + 1.0, self.label_width - 10.0, 3);
        let _ = write!(body, r#"<g class="{class}"{key}>"#);
        if cut {
            let _ = write!(body, "<title>{}</title>", xml(text));
        }
        for (k, line) in lines.iter().enumerate() {
            let _ = write!(
                body,
                r#"<text {} x="{MARGIN}" y="{}" font-size="{}" font-weight="600">{}</text>"#,
                self.paint(paint::LABEL),
                n(top + 18.0 + k as f64 * self.label_line()),
                n(m.small + 1.0),
                xml(line)
            );
        }
        body.push_str("</g>");
    }

    /// The persona header and the journey's scope. Returns its bottom.
    fn persona_header(&self, body: &mut String, top: f64) -> f64 {
        let personas: Vec<&Persona> = self
            .journey
            .personas
            .iter()
            .filter_map(|id| self.document.persona(id))
            .collect();
        // Each block: its persona (none for the scope), and its parts: a
        // heading (empty for the description) with its items.
        type Parts = Vec<(String, Vec<String>)>;
        let mut blocks: Vec<(Option<&Persona>, Parts)> = Vec::new();
        for p in &personas {
            let mut parts = Vec::new();
            if let Some(d) = &p.description {
                parts.push((String::new(), vec![d.clone()]));
            }
            for (heading, items) in [
                ("Goals", &p.goals),
                ("Motivations", &p.motivations),
                ("Frustrations", &p.pain_points),
            ] {
                if !items.is_empty() {
                    parts.push((heading.to_owned(), items.clone()));
                }
            }
            blocks.push((Some(p), parts));
        }
        if let Some(scope) = &self.journey.scope {
            let mut parts = Vec::new();
            for (heading, end) in [("Starts", &scope.start), ("Ends", &scope.end)] {
                if let Some(text) = end {
                    parts.push((heading.to_owned(), vec![text.clone()]));
                }
            }
            if !parts.is_empty() {
                blocks.push((None, parts));
            }
        }
        if blocks.is_empty() {
            return top;
        }
        let inner = self.width - 2.0 * MARGIN;
        let per_row = ((inner + 16.0) / 276.0).floor().max(1.0) as usize;
        let per_row = per_row.min(blocks.len());
        let block_width = (inner - 16.0 * (per_row - 1) as f64) / per_row as f64;
        let text_width = block_width - 24.0;
        let mut y = top;
        for row in blocks.chunks(per_row) {
            // Lay each block out first, to give the row one height.
            let laid: Vec<Vec<(f64, Paint, bool, String)>> = row
                .iter()
                .map(|(persona, parts)| {
                    let mut lines = Vec::new();
                    let mut dy = 0.0;
                    let heading = persona.map_or("Scope", |p| p.name.as_str());
                    for l in wrap(heading, 14.0, text_width, usize::MAX).0 {
                        dy += 18.0;
                        lines.push((dy, paint::PERSONA_NAME, true, l));
                    }
                    for (heading, items) in parts {
                        dy += 4.0;
                        if !heading.is_empty() {
                            dy += 15.0;
                            lines.push((dy, paint::PERSONA_HEADING, true, heading.clone()));
                        }
                        for item in items {
                            let bullet = if heading.is_empty() || items.len() == 1 {
                                ""
                            } else {
                                "• "
                            };
                            for (k, l) in wrap(item, 12.0, text_width - 10.0, usize::MAX)
                                .0
                                .into_iter()
                                .enumerate()
                            {
                                dy += 16.0;
                                let text = if k == 0 { format!("{bullet}{l}") } else { l };
                                lines.push((dy, paint::PERSONA_TEXT, false, text));
                            }
                        }
                    }
                    lines
                })
                .collect();
            let height = laid
                .iter()
                .map(|l| l.last().map_or(0.0, |last| last.0))
                .fold(0.0, f64::max)
                + 16.0;
            for (k, ((persona, _), lines)) in row.iter().zip(&laid).enumerate() {
                let x = MARGIN + k as f64 * (block_width + 16.0);
                match persona {
                    Some(p) => {
                        let _ = write!(body, r#"<g class="persona" data-id="{}">"#, xml(&p.id));
                    }
                    None => body.push_str(r#"<g class="scope">"#),
                }
                let _ = write!(
                    body,
                    r#"<rect {} x="{}" y="{}" width="{}" height="{}" rx="6" stroke-width="1"/>"#,
                    self.paint(paint::PERSONA),
                    n(x),
                    n(y),
                    n(block_width),
                    n(height)
                );
                for (dy, p, bold, text) in lines {
                    let (size, weight) = match (bold, p.0) {
                        (true, "persona-name") => ("14", r#" font-weight="700""#),
                        (true, _) => ("11", r#" font-weight="700""#),
                        (false, _) => ("12", ""),
                    };
                    let _ = write!(
                        body,
                        r#"<text {} x="{}" y="{}" font-size="{}"{weight}>{}</text>"#,
                        self.paint(*p),
                        n(x + 12.0),
                        n(y + 4.0 + dy),
                        size,
                        xml(text)
                    );
                }
                let _ = writeln!(body, "</g>");
            }
            y += height + 12.0;
        }
        y + 8.0
    }

    fn stage_header(&self, body: &mut String, i: usize, lines: &[String], top: f64, height: f64) {
        let m = self.metrics;
        let stage: &Stage = &self.journey.stages[i];
        let x = self.stage_x[i];
        let width = self.stage_width(i);
        let p = if i.is_multiple_of(2) {
            paint::STAGE_EVEN
        } else {
            paint::STAGE_ODD
        };
        let _ = write!(
            body,
            r#"<g class="stage" data-id="{}" data-index="{i}">"#,
            xml(&stage.id)
        );
        let mut tooltip = stage.name.clone();
        if let Some(description) = &stage.description {
            tooltip.push_str(" — ");
            tooltip.push_str(description);
        }
        let reach = self
            .analysis
            .and_then(|a| a.funnel.iter().find(|f| f.stage == stage.id));
        if let Some(f) = reach {
            let _ = write!(
                tooltip,
                " · reach {} · drop-off {}",
                percent(f.reach),
                percent(f.drop_off)
            );
        }
        let cut = lines.last().is_some_and(|l| l.ends_with('…'));
        if cut || stage.description.is_some() || reach.is_some() {
            let _ = write!(body, "<title>{}</title>", xml(&tooltip));
        }
        let _ = write!(
            body,
            r#"<rect {} x="{}" y="{}" width="{}" height="{}" rx="4"/>"#,
            self.paint(p),
            n(x + 2.0),
            n(top),
            n(width - 4.0),
            n(height)
        );
        let text_height = lines.len() as f64 * self.header_line();
        let mut baseline = top + (height - text_height) / 2.0 + m.font;
        for line in lines {
            let _ = write!(
                body,
                r#"<text {} x="{}" y="{}" text-anchor="middle" font-size="{}" font-weight="700">{}</text>"#,
                self.paint(paint::STAGE_NAME),
                n(x + width / 2.0),
                n(baseline),
                n(m.font + 1.0),
                xml(line)
            );
            baseline += self.header_line();
        }
        let _ = writeln!(body, "</g>");
    }

    /// The touchpoints lane: sub-lane labels, flows, then the cards.
    fn touchpoints(&self, body: &mut String, top: f64) {
        let right = self.stage_x[self.journey.stages.len()];
        let mut lane_top = top;
        for (lane, (label, key)) in self.lanes.iter().enumerate() {
            if lane > 0 {
                let _ = write!(
                    body,
                    r#"<line {} x1="{MARGIN}" y1="{y}" x2="{}" y2="{y}" stroke-width="1"/>"#,
                    self.paint(paint::RULE),
                    n(right),
                    y = n(lane_top)
                );
            }
            self.label(
                body,
                "lane",
                &format!(r#" data-lane="{key}""#),
                label,
                lane_top,
            );
            lane_top += self.lane_height(self.lane_rows[lane]);
        }
        let boxes: Vec<(f64, f64)> = self.cards.iter().map(|c| self.card_box(c, top)).collect();
        if self.options.flows {
            self.flows(body, &boxes);
        }
        for (card, &(x, y)) in self.cards.iter().zip(&boxes) {
            self.card(body, card, x, y);
        }
    }

    /// The transitions between drawn cards, and each card's drop-off.
    fn flows(&self, body: &mut String, boxes: &[(f64, f64)]) {
        let (w, h) = (self.card_width, self.card_height);
        let transitions = &self.journey.transitions;
        let most = transitions
            .iter()
            .filter_map(|t| t.count)
            .max()
            .unwrap_or(0);
        let weight = |p: Option<f64>, count: Option<u64>| match (p, count) {
            (Some(p), _) if p.is_finite() => p.clamp(0.0, 1.0),
            (None, Some(c)) if most > 0 => c as f64 / most as f64,
            _ => 0.25,
        };
        let _ = write!(body, r#"<g class="flows" fill="none">"#);
        // Probability leaving each card, and whether every transition said.
        let mut leaving = vec![(0.0, true, false); self.cards.len()];
        for t in transitions {
            let Some(&a) = self.index.get(t.from.as_str()) else {
                continue;
            };
            leaving[a].2 = true;
            match t.probability {
                Some(p) if p.is_finite() => leaving[a].0 += p,
                _ => leaving[a].1 = false,
            }
            let Some(&b) = self.index.get(t.to.as_str()) else {
                continue;
            };
            let ((x1, y1), (x2, y2)) = (boxes[a], boxes[b]);
            // A cubic curve: start, two control points, end.
            let (p, marker, curve) = if a == b {
                let cx = x1 + w * 0.35;
                let top = y1 - 22.0;
                (
                    paint::LOOP,
                    "arrow-back",
                    [cx - 10.0, y1, cx - 14.0, top, cx + 14.0, top, cx + 10.0, y1],
                )
            } else if x2 > x1 + w * 0.5 {
                let (sx, sy, ex, ey) = (x1 + w, y1 + h / 2.0, x2, y2 + h / 2.0);
                let bend = ((ex - sx) / 2.0).max(16.0);
                (
                    paint::FLOW,
                    "arrow",
                    [sx, sy, sx + bend, sy, ex - bend, ey, ex, ey],
                )
            } else {
                // Back (or within one column): an arc over the cards.
                let (sx, ex) = (x1 + w * 0.5, x2 + w * 0.5);
                let peak = y1.min(y2) - 18.0 - (sx - ex).abs() * 0.08;
                (
                    paint::BACK,
                    "arrow-back",
                    [sx, y1, sx, peak, ex, peak, ex, y2],
                )
            };
            let mut d = String::new();
            for (k, pair) in curve.chunks(2).enumerate() {
                let _ = write!(
                    d,
                    "{}{},{}",
                    ["M", "C", " ", " "][k],
                    n(pair[0]),
                    n(pair[1])
                );
            }
            let width = 1.0 + 4.0 * weight(t.probability, t.count);
            let mut tooltip = format!(
                "{} → {}",
                self.cards[a].touchpoint.name, self.cards[b].touchpoint.name
            );
            if let Some(p) = t.probability {
                let _ = write!(tooltip, " · probability {}", percent(p));
            }
            if let Some(c) = t.count {
                let _ = write!(tooltip, " · observed {c}");
            }
            if let Some(l) = &t.label {
                let _ = write!(tooltip, " · {l}");
            }
            let dash = if p.0 == paint::BACK.0 {
                r#" stroke-dasharray="6 3""#
            } else {
                ""
            };
            let _ = write!(
                body,
                r#"<path {} data-from="{}" data-to="{}" d="{d}" stroke-width="{}" stroke-opacity="0.7"{dash} marker-end="url(#{}-{marker})"><title>{}</title></path>"#,
                self.paint(p),
                xml(&t.from),
                xml(&t.to),
                n(width),
                self.prefix,
                xml(&tooltip)
            );
        }
        for (k, (card, &(x, y))) in self.cards.iter().zip(boxes).enumerate() {
            let (out, known, any) = leaving[k];
            let goal = self.journey.goals.contains(&card.touchpoint.id);
            if card.missing() || goal || (any && !known) {
                continue;
            }
            let exit = if any { (1.0 - out).max(0.0) } else { 1.0 };
            if exit <= 1e-9 {
                continue;
            }
            let (sx, sy) = (x + w * 0.8, y + h);
            let _ = write!(
                body,
                r#"<path {} data-from="{}" d="M{},{}l6,{}" stroke-width="{}" stroke-opacity="0.7" marker-end="url(#{}-arrow-exit)"><title>{}: drop-off {}</title></path>"#,
                self.paint(paint::EXIT),
                xml(&card.touchpoint.id),
                n(sx),
                n(sy),
                n(self.metrics.gap.max(5.0) - 1.0),
                n(1.0 + 4.0 * exit),
                self.prefix,
                xml(&card.touchpoint.name),
                percent(exit)
            );
        }
        let _ = writeln!(body, "</g>");
    }

    fn card(&self, body: &mut String, card: &Card<'_>, x: f64, y: f64) {
        let m = self.metrics;
        let t = card.touchpoint;
        let missing = card.missing();
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
        let stage = &self.journey.stages[card.stage];
        let _ = write!(tooltip, "\n{} · {}", stage.name, channel_label(&t.channel));
        let label = format!("{}, {}, {}", t.name, stage.name, channel_label(&t.channel));
        if t.layer != Layer::Frontstage {
            tooltip.push_str(match t.layer {
                Layer::Backstage => " · backstage",
                _ => " · support process",
            });
        }
        if let Some(owner) = &t.owner {
            let _ = write!(tooltip, " · owner {owner}");
        }
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
        for (key, value) in &t.measures {
            match self.document.measure(key) {
                Some(definition) => {
                    let _ = write!(tooltip, "\n{}", measure_line(definition, value.value).0);
                }
                None => {
                    let _ = write!(tooltip, "\n{key} {}", short(value.value));
                }
            }
        }
        for (heading, items) in [
            ("does", &t.actions),
            ("thinks", &t.thoughts),
            ("pain point", &t.pain_points),
            ("opportunity", &t.opportunities),
        ] {
            for item in items {
                let _ = write!(tooltip, "\n{heading}: {item}");
            }
        }
        if let Some(p) = analysed_pain {
            for reason in p.reasons.iter().filter(|r| !t.pain_points.contains(r)) {
                let _ = write!(tooltip, "\npain point: {reason}");
            }
        }
        if let Some(d) = &t.description {
            let _ = write!(tooltip, "\n{d}");
        }

        let (p, dash) = match (missing, goal) {
            (true, _) => (
                paint::MISSING,
                r#" stroke-dasharray="6 4" stroke-width="1.5""#,
            ),
            (false, true) => (paint::GOAL, r#" stroke-width="3""#),
            (false, false) => (paint::CARD, r#" stroke-width="1.25""#),
        };
        let _ = write!(
            body,
            r#"<g class="{classes}" data-id="{}" data-stage="{}" tabindex="0" role="graphics-symbol" aria-label="{}"><title>{}</title><rect {} x="{}" y="{}" width="{}" height="{}" rx="6"{dash}/>"#,
            xml(&t.id),
            xml(&stage.id),
            xml(&label),
            xml(&tooltip),
            self.paint(p),
            n(x),
            n(y),
            n(self.card_width),
            n(self.card_height)
        );
        if let (Some(e), false) = (t.emotion, missing) {
            let _ = write!(
                body,
                r#"<rect class="emotion-strip" x="{}" y="{}" width="4" height="{}" rx="2" fill="{}"/>"#,
                n(x + 2.0),
                n(y + 4.0),
                n(self.card_height - 8.0),
                emotion_colour(e)
            );
        }
        let text_left = x + 10.0;
        let room = self.card_width - if pain { 32.0 } else { 16.0 };
        let (lines, _) = wrap(&t.name, m.font, room, m.name_lines);
        let (name_paint, style) = if missing {
            (paint::MISSING_NAME, r#" font-style="italic""#)
        } else {
            (paint::CARD_NAME, "")
        };
        for (k, line) in lines.iter().enumerate() {
            let _ = write!(
                body,
                r#"<text {} x="{}" y="{}" font-size="{}"{style}>{}</text>"#,
                self.paint(name_paint),
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
            if lines[0].is_empty() {
                match self.options.lanes {
                    Lanes::Order => lines[0] = channel_label(&t.channel),
                    Lanes::Layer => lines[0] = t.owner.clone().unwrap_or_default(),
                    Lanes::Channel => {}
                }
            }
            let lines: Vec<&String> = lines.iter().filter(|l| !l.is_empty()).collect();
            let bottom = y + self.card_height - 7.0;
            for (k, line) in lines.iter().enumerate() {
                let (fitted, _) = wrap(line, m.small, self.card_width - 16.0, 1);
                let _ = write!(
                    body,
                    r#"<text {} x="{}" y="{}" font-size="{}">{}</text>"#,
                    self.paint(paint::OVERLAY),
                    n(text_left),
                    n(bottom - (lines.len() - 1 - k) as f64 * (m.small + 3.0)),
                    n(m.small),
                    xml(fitted.first().map_or("", String::as_str))
                );
            }
        }
        if pain {
            let r = if m.name_lines > 1 { 8.0 } else { 6.0 };
            let cx = x + self.card_width - r - 4.0;
            let cy = y + r + 3.0;
            let _ = write!(
                body,
                r#"<g class="pain-marker"><circle {} cx="{}" cy="{}" r="{}"/><text {} x="{}" y="{}" text-anchor="middle" font-size="{}" font-weight="700">!</text></g>"#,
                self.paint(paint::PAIN),
                n(cx),
                n(cy),
                n(r),
                self.paint(paint::PAIN_MARK),
                n(cx),
                n(cy + r * 0.45),
                n(r * 1.4)
            );
        }
        let _ = writeln!(body, "</g>");
    }

    /// The emotion lane: axis from −2 to +2 and one curve per journey.
    fn emotion(&self, body: &mut String, left: f64, top: f64) {
        let m = self.metrics;
        let right = self.stage_x[self.journey.stages.len()];
        let y_of = |e: f64| top + 8.0 + (2.0 - e.clamp(-2.0, 2.0)) / 4.0 * (m.emotion - 16.0);
        let _ = write!(body, r#"<g class="emotion-axis">"#);
        for level in [2i32, 1, 0, -1, -2] {
            let y = y_of(f64::from(level));
            let (p, dash) = if level == 0 {
                (paint::AXIS, "")
            } else {
                (paint::GRID, r#" stroke-dasharray="3 3""#)
            };
            let _ = write!(
                body,
                r#"<line {} x1="{}" y1="{y}" x2="{}" y2="{y}" stroke-width="1"{dash}/>"#,
                self.paint(p),
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
                r#"<text {} x="{}" y="{}" text-anchor="end" font-size="{}">{label}</text>"#,
                self.paint(paint::TICK),
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
            let points = self.curve_points(journey, k == 0);
            if points.is_empty() {
                continue;
            }
            any = true;
            let dash = DASHES[k % DASHES.len()];
            let dash = if dash.is_empty() {
                String::new()
            } else {
                format!(r#" stroke-dasharray="{dash}""#)
            };
            let colour = self.curve_colour(k);
            let path: Vec<String> = points
                .iter()
                .map(|(x, e, _)| format!("{},{}", n(*x), n(y_of(*e))))
                .collect();
            let slot = k % DASHES.len();
            let _ = write!(
                body,
                r#"<g class="emotion" data-journey="{}"><title>{}</title><polyline class="emotion-curve curve-{slot}" points="{}" fill="none" stroke="{colour}" stroke-width="2.5" stroke-linejoin="round"{dash}/>"#,
                xml(&journey.id),
                xml(&self.curve_name(journey)),
                path.join(" ")
            );
            for (x, e, t) in &points {
                let _ = write!(
                    body,
                    r#"<circle class="emotion-point point point-{slot}" data-id="{}" cx="{}" cy="{}" r="{}" fill="{colour}" stroke="{}" stroke-width="1"><title>{} {}</title></circle>"#,
                    xml(&t.id),
                    n(*x),
                    n(y_of(*e)),
                    if m.name_lines > 1 { "4" } else { "3" },
                    self.colour(colour::BACKGROUND),
                    xml(&t.name),
                    signed(*e)
                );
            }
            let _ = writeln!(body, "</g>");
        }
        if !any {
            let _ = writeln!(
                body,
                r#"<text {} x="{}" y="{}" font-size="{}">No emotions recorded</text>"#,
                self.paint(paint::TICK),
                n(left + 8.0),
                n(y_of(0.0) - 6.0),
                n(m.small + 1.0)
            );
        }
    }

    /// (x, emotion, touchpoint) of a journey's present touchpoints with an
    /// emotion, sorted by x: under its card where this map draws it (always,
    /// for the map's own journey), else spread across its stage's column.
    fn curve_points<'j>(&self, journey: &'j Journey, own: bool) -> Vec<(f64, f64, &'j Touchpoint)> {
        let mut points = Vec::new();
        let columns = self.journey.stage_positions();
        let by_stage = journey.touchpoints_by_stage();
        let mut order = 0usize;
        for (stage, members) in journey.stages.iter().zip(&by_stage) {
            let column = columns.get(stage.id.as_str()).copied().or_else(|| {
                self.journey
                    .stages
                    .iter()
                    .position(|s| s.name.eq_ignore_ascii_case(&stage.name))
            });
            let Some(column) = column else { continue };
            let felt: Vec<(&Touchpoint, f64)> = members
                .iter()
                .filter(|t| t.status == Status::Present)
                .filter_map(|t| t.emotion.filter(|e| e.is_finite()).map(|e| (*t, e)))
                .collect();
            let (x0, width) = (self.stage_x[column], self.stage_width(column));
            for (j, (t, e)) in felt.iter().enumerate() {
                let card = self
                    .index
                    .get(t.id.as_str())
                    .filter(|&&c| own || self.cards[c].stage == column);
                let x = match card {
                    Some(&c) => {
                        let card = &self.cards[c];
                        let slots = self.slots[card.stage];
                        self.stage_x[card.stage]
                            + (card.place % slots) as f64 * self.slot
                            + self.slot / 2.0
                    }
                    None => x0 + width * (j as f64 + 1.0) / (felt.len() as f64 + 1.0),
                };
                points.push((x, *e, *t, order));
                order += 1;
            }
        }
        crate::order::sort_by_key(&mut points, |&(x, _, _, order)| {
            ((x * 10.0).round() as i64, order)
        });
        // Points of cards in one slot (other lanes, rows below) share its
        // centre: spread them across the card, in order, so that the curve
        // does not turn back on itself.
        let mut start = 0;
        while start < points.len() {
            let x = points[start].0;
            let end = start + points[start..].iter().take_while(|p| p.0 == x).count();
            let run = end - start;
            if run > 1 {
                let span = self.card_width * 0.8;
                for (k, point) in points[start..end].iter_mut().enumerate() {
                    point.0 = x - span / 2.0 + span * k as f64 / (run - 1) as f64;
                }
            }
            start = end;
        }
        points.into_iter().map(|(x, e, t, _)| (x, e, t)).collect()
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
            Card(Paint, &'static str),
            Pain,
            Line(Paint, &'static str),
            Curve(usize),
            Note,
        }
        let mut items: Vec<(Symbol, String)> = vec![(
            Symbol::Card(paint::CARD, r#" stroke-width="1.25""#),
            "Touchpoint".to_owned(),
        )];
        if self.cards.iter().any(Card::missing) {
            items.push((
                Symbol::Card(
                    paint::MISSING,
                    r#" stroke-dasharray="6 4" stroke-width="1.5""#,
                ),
                "Missing touchpoint".to_owned(),
            ));
        }
        if self
            .cards
            .iter()
            .any(|c| self.journey.goals.contains(&c.touchpoint.id))
        {
            items.push((
                Symbol::Card(paint::GOAL, r#" stroke-width="3""#),
                "Goal".to_owned(),
            ));
        }
        if self.rows.contains(&Row::Touchpoints) && self.cards.iter().any(Card::is_pain) {
            items.push((Symbol::Pain, "Pain point".to_owned()));
        }
        if self.options.flows && self.rows.contains(&Row::Touchpoints) {
            items.push((Symbol::Line(paint::FLOW, ""), "Transition".to_owned()));
            items.push((
                Symbol::Line(paint::BACK, r#" stroke-dasharray="6 3""#),
                "Back-jump or loop".to_owned(),
            ));
            items.push((Symbol::Line(paint::EXIT, ""), "Drop-off".to_owned()));
        }
        if self.rows.contains(&Row::Emotion) {
            for (k, journey) in std::iter::once(self.journey)
                .chain(self.compared.iter().copied())
                .enumerate()
            {
                items.push((
                    Symbol::Curve(k),
                    format!("Emotion: {}", self.curve_name(journey)),
                ));
            }
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
                Symbol::Card(p, extra) => {
                    let _ = write!(
                        body,
                        r#"<rect {} x="{}" y="{}" width="26" height="14" rx="3"{extra}/>"#,
                        self.paint(*p),
                        n(x),
                        n(y - 11.0)
                    );
                }
                Symbol::Pain => {
                    let _ = write!(
                        body,
                        r#"<circle {} cx="{}" cy="{}" r="7"/><text {} x="{}" y="{}" text-anchor="middle" font-size="10" font-weight="700">!</text>"#,
                        self.paint(paint::PAIN),
                        n(x + 13.0),
                        n(y - 4.0),
                        self.paint(paint::PAIN_MARK),
                        n(x + 13.0),
                        n(y - 0.5)
                    );
                }
                Symbol::Line(p, extra) => {
                    let _ = write!(
                        body,
                        r#"<line {} x1="{}" y1="{y}" x2="{}" y2="{y}" stroke-width="2.5"{extra}/>"#,
                        self.paint(*p),
                        n(x),
                        n(x + 26.0),
                        y = n(y - 4.0)
                    );
                }
                Symbol::Curve(k) => {
                    let dash = DASHES[k % DASHES.len()];
                    let dash = if dash.is_empty() {
                        String::new()
                    } else {
                        format!(r#" stroke-dasharray="{dash}""#)
                    };
                    let _ = write!(
                        body,
                        r#"<line class="curve-{}" x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="2.5"{dash}/>"#,
                        k % DASHES.len(),
                        n(x),
                        n(x + 26.0),
                        self.curve_colour(*k),
                        y = n(y - 4.0)
                    );
                }
            }
            let _ = write!(
                body,
                r#"<text {} x="{}" y="{}" font-size="11">{}</text>"#,
                self.paint(paint::LEGEND),
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
        let missing = self.cards.iter().filter(|c| c.missing()).count();
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
        let personas: Vec<&str> = journey
            .personas
            .iter()
            .filter_map(|id| self.document.persona(id))
            .map(|p| p.name.as_str())
            .collect();
        if !personas.is_empty() {
            let _ = write!(text, " Persona: {}.", personas.join(", "));
        }
        let pains: Vec<&str> = self
            .cards
            .iter()
            .filter(|c| c.is_pain())
            .map(|c| c.touchpoint.name.as_str())
            .collect();
        if !pains.is_empty() {
            let _ = write!(text, " Pain points: {}.", pains.join(", "));
        }
        let lanes: Vec<&str> = self.rows.iter().map(|r| r.label()).collect();
        let _ = write!(text, " Lanes: {}.", lanes.join(", "));
        if let Some(a) = self.analysis {
            let _ = write!(text, " Goal probability {}.", percent(a.goal_probability));
        }
        text
    }
}

/// A measure's line: its short name, value and target, met or missed.
fn measure_line(definition: &crate::model::MeasureDefinition, value: f64) -> (String, Paint) {
    let name = if definition.key.len() <= 4 && definition.key.is_ascii() {
        definition.key.to_ascii_uppercase()
    } else {
        definition.name.clone()
    };
    let mut text = format!("{name} {}", short(value));
    let mut p = paint::ITEM;
    if let Some(target) = definition.target {
        let met = match definition.direction {
            Direction::HigherIsBetter => value >= target,
            Direction::LowerIsBetter => value <= target,
        };
        let _ = write!(
            text,
            " / target {} {}",
            short(target),
            if met { "✓ met" } else { "✗ missed" }
        );
        p = if met { paint::MET } else { paint::MISSED };
    }
    (text, p)
}

/// A value with at most two decimals, trailing zeros dropped.
fn short(x: f64) -> String {
    let text = format!("{x:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
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
/// from integers: float formatting was a third of the rendering time. A
/// value written in place (no `String` per number).
pub(super) fn n(x: f64) -> N {
    N(x)
}

/// See [`n`].
#[derive(Clone, Copy)]
pub(super) struct N(f64);

impl std::fmt::Display for N {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round();
        if !tenths.is_finite() || tenths.abs() >= 1e15 {
            return f.write_str("0");
        }
        let tenths = tenths as i64;
        let (whole, decimal) = (tenths.abs() / 10, tenths.abs() % 10);
        if tenths < 0 {
            f.write_str("-")?;
        }
        write!(f, "{whole}")?;
        if decimal != 0 {
            write!(f, ".{decimal}")?;
        }
        Ok(())
    }
}

/// A paint's presentation attributes, written in place: class, then fill
/// and stroke in the theme's colours (`true`: dark).
#[derive(Clone, Copy)]
struct Painted(Paint, bool);

impl std::fmt::Display for Painted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Painted(Paint(class, fill, stroke), dark) = *self;
        write!(f, r#"class="{class}""#)?;
        for (k, attribute) in [(fill, " fill=\""), (stroke, " stroke=\"")] {
            if k != colour::NONE {
                let (_, light, night) = CUSTOM_PROPERTIES[usize::from(k)];
                f.write_str(attribute)?;
                f.write_str(if dark { night } else { light })?;
                f.write_str("\"")?;
            }
        }
        Ok(())
    }
}

pub(super) fn percent(p: f64) -> String {
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
/// cannot hold replaced by a space. Written in place.
pub(super) fn xml(text: &str) -> Xml<'_> {
    Xml(text)
}

/// See [`xml`].
#[derive(Clone, Copy)]
pub(super) struct Xml<'a>(&'a str);

impl std::fmt::Display for Xml<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(|c: char| {
            matches!(c, '&' | '<' | '>' | '"' | '\'')
                || (c.is_control() && c != '\n' && c != '\t')
                || c == '\u{fffe}'
                || c == '\u{ffff}'
        }) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or(' ');
            f.write_str(match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => " ",
            })?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
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
pub(super) fn wrap(text: &str, size: f64, width: f64, lines: usize) -> (Vec<String>, bool) {
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
        assert_eq!(n(3.0).to_string(), "3");
        assert_eq!(n(2.25).to_string(), "2.3");
        assert_eq!(n(-0.01).to_string(), "0");
        assert_eq!(n(-12.34).to_string(), "-12.3");
        assert_eq!(n(0.05).to_string(), "0.1");
        assert_eq!(n(f64::NAN).to_string(), "0");
        assert_eq!(
            xml("a<b & \"c\"\u{1}\u{85}é\n").to_string(),
            "a&lt;b &amp; &quot;c&quot;  é\n"
        );
        assert_eq!(emotion_colour(-2.0), "#dc2626");
        assert_eq!(emotion_colour(0.0), "#b4b4b4");
        assert_eq!(emotion_colour(2.0), "#16a34a");
        assert_eq!(channel_label(&Channel::ReviewSite), "Review site");
        assert_eq!(signed(-1.5), "−1.5");
    }
}
