//! The stage flow: a Sankey-style picture of where customers go from stage
//! to stage and where they leave, beside the journey map.
//!
//! Each stage is a bar as tall as the flow through it; bands from bar to
//! bar are as wide as the flow between the stages (forward to the right;
//! back-jumps as dashed arcs under the bars), and each stage's drop-off and
//! goal completions leave it as stubs. Analysed (the default), the flows are
//! the expected ones of the journey's Markov chain, per customer who starts:
//! a touchpoint's expected visits times each next step's probability, summed
//! by pair of stages; the journey must be valid. Observed, they are the
//! transitions' counts summed by pair of stages, and a stage's end is what
//! comes in and does not go on.
//!
//! The root is `<svg class="journey-flow" data-theme>`; inside,
//! `g.stage-node[data-id]` (with `text.stage-name`, `text.stage-value`),
//! `path.stage-link[data-from][data-to]` (also `.forward` or `.back`) and
//! `path.stage-exit[data-from]` (also `.drop-off` or `.goal`), each with a
//! `<title>`. Deterministic, like the map.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::svg::{FONT, MARGIN, n, percent, wrap, xml};
use super::{CUSTOM_PROPERTIES, Theme};
use crate::Document;
use crate::analysis::Options as AnalysisOptions;
use crate::error::Error;
use crate::graph::JourneyGraph;
use crate::model::Status;

/// Options of [`render_stage_flow`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct FlowOptions {
    /// Draw the transitions' observed counts instead of the analysis'
    /// expected flows. Default: false.
    pub observed: bool,
    /// The picture's width in pixels (at least 140 a stage). Default: 180 a
    /// stage.
    pub width: Option<f64>,
    /// The colours. Default: light.
    pub theme: Theme,
    /// The heading. Default: the journey's name, then "stage flow".
    pub title: Option<String>,
}

/// The stage flow of one journey of the document as an SVG document.
///
/// ```
/// use journey_core::Document;
/// use journey_core::render::{render_stage_flow, FlowOptions};
///
/// let document = Document::from_json(&std::fs::read_to_string("../examples/data/gym.json")?)?;
/// let svg = render_stage_flow(&document, "gym", &FlowOptions::default())?;
/// assert!(svg.contains(r#"class="stage-link forward" data-from="awareness" data-to="consideration""#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`Error::NotFound`] for an unknown journey; analysed, the errors of
/// [`Document::analyze`] (an invalid journey).
pub fn render_stage_flow(
    document: &Document,
    journey: &str,
    options: &FlowOptions,
) -> Result<String, Error> {
    let main = document.require_journey(journey)?;
    let stages = main.stages.len();
    let position = main.stage_positions();
    // Looked up by id in the loops below: once, not a search of the list
    // per transition (the first of a repeated id, as `Journey::touchpoint`).
    let by_id = main.touchpoint_positions();
    let touchpoint = |id: &str| by_id.get(id).map(|&k| &main.touchpoints[k]);
    let stage_of = |id: &str| touchpoint(id).and_then(|t| position.get(t.stage.as_str()).copied());
    // Moves between stages, (from, to, amount), from ≠ to: as many as the
    // transitions at most (a matrix of stages × stages would take memory
    // in the square of the stages). Per stage: in from the start, drop-off,
    // goals.
    let mut moves: Vec<(usize, usize, f64)> = Vec::new();
    let (mut starts, mut drops, mut goals) =
        (vec![0.0; stages], vec![0.0; stages], vec![0.0; stages]);
    // What each bar is labelled with: analysed, the stage's reach (the share
    // of customers who ever enter it; loops make the flow through it more).
    let mut reach: Vec<Option<f64>> = vec![None; stages];
    if options.observed {
        for t in &main.transitions {
            if let (Some(a), Some(b), Some(count)) = (stage_of(&t.from), stage_of(&t.to), t.count) {
                moves.push((a, b, count as f64));
            }
        }
    } else {
        let analysis = document.analyze(journey, &AnalysisOptions::default())?;
        let graph = JourneyGraph::new(main);
        // Where customers start: the entries of present touchpoints, as
        // shares of their weights (as the analysis reads them).
        let entries: Vec<(usize, f64)> = main
            .entries
            .iter()
            .filter(|e| touchpoint(&e.touchpoint).is_some_and(|t| t.status == Status::Present))
            .filter_map(|e| Some((stage_of(&e.touchpoint)?, e.weight.max(0.0))))
            .collect();
        let total: f64 = entries.iter().map(|&(_, weight)| weight).sum();
        for (s, weight) in entries {
            if total > 0.0 {
                starts[s] += weight / total;
            }
        }
        for stats in &analysis.touchpoints {
            let Some(a) = stage_of(&stats.touchpoint) else {
                continue;
            };
            drops[a] += stats.drop_off;
            if let Some((steps, _)) = graph.next_steps(&stats.touchpoint) {
                for step in steps {
                    if let Some(b) = stage_of(&step.touchpoint) {
                        moves.push((a, b, stats.expected_visits * step.probability));
                    }
                }
            }
        }
        for stage in &analysis.funnel {
            if let Some(&s) = position.get(stage.stage.as_str()) {
                reach[s] = Some(stage.reach);
            }
        }
        for goal in &analysis.goals {
            if let Some(s) = stage_of(&goal.touchpoint) {
                goals[s] += goal.probability;
            }
        }
    }
    // One flow per pair of stages (within a stage is not a move between
    // stages), in the order of the pairs; each pair's amounts added in the
    // order they came (the sort is stable).
    crate::order::sort_by(&mut moves, |x, y| (x.0, x.1).cmp(&(y.0, y.1)));
    let mut flows: Vec<(usize, usize, f64)> = Vec::with_capacity(moves.len());
    for (a, b, f) in moves.into_iter().filter(|&(a, b, _)| a != b) {
        match flows.last_mut() {
            Some(last) if (last.0, last.1) == (a, b) => last.2 += f,
            _ => flows.push((a, b, f)),
        }
    }
    let (mut inflow, mut outflow) = (vec![0.0; stages], vec![0.0; stages]);
    for &(a, b, f) in &flows {
        outflow[a] += f;
        inflow[b] += f;
    }
    if options.observed {
        for s in 0..stages {
            // What comes in and does not go on ended here; a stage with more
            // going out than in had customers start there.
            drops[s] = (inflow[s] - outflow[s]).max(0.0);
            starts[s] = (outflow[s] - inflow[s]).max(0.0);
        }
    }
    let through: Vec<f64> = (0..stages).map(|s| starts[s] + inflow[s]).collect();
    let outs: Vec<f64> = (0..stages)
        .map(|s| drops[s] + goals[s] + outflow[s])
        .collect();
    let most = (0..stages)
        .map(|s| through[s].max(outs[s]))
        .fold(0.0, f64::max);

    let dark = options.theme == Theme::Dark;
    let colour = |name: &str| {
        CUSTOM_PROPERTIES
            .iter()
            .find(|(property, _, _)| *property == name)
            .map_or(
                "#888888",
                |&(_, light, night)| if dark { night } else { light },
            )
    };
    let column = match options.width.filter(|w| w.is_finite()) {
        Some(w) => ((w - 2.0 * MARGIN) / stages.max(1) as f64).max(140.0),
        None => 180.0,
    };
    let width = (2.0 * MARGIN + column * stages.max(1) as f64).ceil();
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| format!("{}: stage flow", main.name));
    let scale = if most > 0.0 { 240.0 / most } else { 0.0 };
    let bar = 14.0;
    let mut body = String::new();
    let mut y = MARGIN;
    for line in wrap(&title, 18.0, width - 2.0 * MARGIN, usize::MAX).0 {
        y += 22.0;
        let _ = write!(
            body,
            r#"<text class="title" x="{MARGIN}" y="{}" font-size="18" font-weight="700" fill="{}">{}</text>"#,
            n(y),
            colour("--journey-heading"),
            xml(&line)
        );
    }
    // Stage names and values above the bars, as tall as the longest name.
    let names: Vec<Vec<String>> = main
        .stages
        .iter()
        .map(|s| wrap(&s.name, 13.0, column - 16.0, 3).0)
        .collect();
    let name_lines = names.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let top = y + 20.0 + name_lines * 17.0 + 24.0;
    let x_of = |s: usize| MARGIN + column * (s as f64 + 0.5) - bar / 2.0;
    let value = |v: f64| {
        if options.observed {
            format!("{}", v.round() as u64)
        } else {
            percent(v)
        }
    };
    // The bands first, under the bars: each stage's outgoing flows stacked
    // from the bar's top (forward by target, back by target, then goals
    // and drop-off), incoming ones from the top too (starts, then by source).
    let mut out_at: Vec<f64> = vec![top; stages];
    let mut in_at: Vec<f64> = (0..stages).map(|s| top + starts[s] * scale).collect();
    let _ = write!(body, r#"<g class="stage-links" fill="none">"#);
    let bottom = top + most * scale;
    for back in [false, true] {
        for &(a, b, f) in &flows {
            if f <= 0.0 || (b < a) != back {
                continue;
            }
            let thick = f * scale;
            let (sy, ty) = (out_at[a] + thick / 2.0, in_at[b] + thick / 2.0);
            out_at[a] += thick;
            in_at[b] += thick;
            let (sx, tx) = (x_of(a) + bar, x_of(b));
            let d = if back {
                let low = bottom + 24.0 + (a - b) as f64 * 10.0;
                format!(
                    "M{},{}C{},{} {},{} {},{}S{},{} {},{}",
                    n(sx),
                    n(sy),
                    n(sx + 40.0),
                    n(sy),
                    n(sx + 20.0),
                    n(low),
                    n((sx + tx) / 2.0),
                    n(low),
                    n(tx - 40.0),
                    n(ty),
                    n(tx),
                    n(ty)
                )
            } else {
                let mid = (sx + tx) / 2.0;
                format!(
                    "M{},{}C{},{} {},{} {},{}",
                    n(sx),
                    n(sy),
                    n(mid),
                    n(sy),
                    n(mid),
                    n(ty),
                    n(tx),
                    n(ty)
                )
            };
            let (class, paint, dash) = if back {
                (
                    "back",
                    colour("--journey-flow-back"),
                    r#" stroke-dasharray="6 3""#,
                )
            } else {
                ("forward", colour("--journey-flow"), "")
            };
            let _ = write!(
                body,
                r#"<path class="stage-link {class}" data-from="{}" data-to="{}" d="{d}" stroke="{paint}" stroke-width="{}" stroke-opacity="0.45"{dash}><title>{} → {}: {}</title></path>"#,
                xml(&main.stages[a].id),
                xml(&main.stages[b].id),
                n(thick.max(1.0)),
                xml(&main.stages[a].name),
                xml(&main.stages[b].name),
                value(f)
            );
        }
    }
    for s in 0..stages {
        // Exit labels at least a line apart, however thin their stubs.
        let mut next_label = f64::NEG_INFINITY;
        for (amount, class, paint, label) in [
            (goals[s], "goal", colour("--journey-met"), "goal"),
            (drops[s], "drop-off", colour("--journey-missed"), "leave"),
        ] {
            if amount <= 0.0 {
                continue;
            }
            let thick = amount * scale;
            let (sx, sy) = (x_of(s) + bar, out_at[s] + thick / 2.0);
            out_at[s] += thick;
            let label_y = (sy + 4.0).max(next_label);
            next_label = label_y + 14.0;
            let _ = write!(
                body,
                r#"<path class="stage-exit {class}" data-from="{}" d="M{},{}h22" stroke="{paint}" stroke-width="{}" stroke-opacity="0.6"><title>{}: {label} {}</title></path><text class="exit-value" x="{}" y="{}" font-size="11" fill="{paint}">{label} {}</text>"#,
                xml(&main.stages[s].id),
                n(sx),
                n(sy),
                n(thick.max(1.0)),
                xml(&main.stages[s].name),
                value(amount),
                n(sx + 26.0),
                n(label_y),
                value(amount)
            );
        }
    }
    let _ = write!(body, "</g>");
    // The bars and their names.
    for (s, stage) in main.stages.iter().enumerate() {
        let x = x_of(s);
        let height = (through[s].max(outs[s]) * scale).max(2.0);
        let _ = write!(
            body,
            r#"<g class="stage-node" data-id="{}"><title>{}: {} through it</title><rect x="{}" y="{}" width="{bar}" height="{}" rx="3" fill="{}"/>"#,
            xml(&stage.id),
            xml(&stage.name),
            value(through[s]),
            n(x),
            n(top),
            n(height),
            colour("--journey-card-border")
        );
        let center = x + bar / 2.0;
        let mut baseline = y + 24.0;
        for line in &names[s] {
            let _ = write!(
                body,
                r#"<text class="stage-name" x="{}" y="{}" text-anchor="middle" font-size="13" font-weight="700" fill="{}">{}</text>"#,
                n(center),
                n(baseline),
                colour("--journey-stage-text"),
                xml(line)
            );
            baseline += 17.0;
        }
        let _ = write!(
            body,
            r#"<text class="stage-value" x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{}</text></g>"#,
            n(center),
            n(top - 10.0),
            colour("--journey-text-muted"),
            match reach[s] {
                Some(r) => format!("reach {}", percent(r)),
                None => value(through[s]),
            }
        );
    }
    let backs = flows.iter().any(|&(a, b, f)| b < a && f > 0.0);
    let height = (bottom
        + if backs {
            40.0 + stages as f64 * 10.0
        } else {
            0.0
        }
        + MARGIN
        + 16.0)
        .ceil();
    let mut out = String::with_capacity(body.len() + 512);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="journey-flow" data-theme="{}" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{}" font-family="{FONT}"><rect class="background" width="{w}" height="{h}" fill="{}"/>{body}</svg>"#,
        if dark { "dark" } else { "light" },
        xml(&title),
        colour("--journey-background"),
        w = n(width),
        h = n(height),
    );
    out.push('\n');
    Ok(out)
}
