//! Attribution: how much of the conversions each touchpoint (channel) earns.
//!
//! Input is path data — each distinct path of touchpoints with its number of
//! conversions, conversion value and non-conversions ("nulls") — either read
//! in the common `a > b > c` format or built from traces and goal touchpoints.
//!
//! Heuristic models: first touch, last touch, linear (credit shared
//! equally by the touchpoints of a converting path, repeats counted) and
//! position-based (first and last touch a share each, the touches between
//! the rest: 40/20/40 by default).
//!
//! Shapley value attribution, exact: the simplified Shapley value of Zhao,
//! Mahboobi and Bagheri (2018), as the large ad platforms use it. A path's
//! coalition is the set of distinct touchpoints it touched, and a
//! coalition's worth is the conversions of every path whose set lies within
//! it; the Shapley value of that game gives each touchpoint
//! `Σ R(S) / |S|` over the sets `S` containing it, `R(S)` the conversions of
//! the paths whose set is exactly `S` — summed in closed form, no coalition
//! enumerated. The ordered variant splits each touchpoint's share by the
//! position of its first touch among the path's distinct touchpoints.
//! Every model credits the conversion value the same way as the
//! conversions.
//!
//! Touchpoints seen by fewer customers than
//! [`AttributionOptions::min_customers`] are counted together as one
//! touchpoint ([`AttributionOptions::other`]) before any model runs.
//!
//! The Markov model of order `k` builds the chain whose states are the last
//! `k` touchpoints seen (fewer at the start of a path), with a start state and
//! two absorbing states, conversion and null, and transition probabilities
//! from the path counts. A touchpoint's removal effect is the relative drop
//! in conversion probability when every state containing it leads to null
//! instead. Conversions and value are shared in proportion to the removal
//! effects. Every number is computed exactly with sparse linear solves —
//! no simulation, so the same data gives the same credit on every run.

use std::collections::BTreeMap;
use std::io::Read;

use hashbrown::HashMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::events::{Header, OnError, RawRecord, ReadReport, Records, Traces};
use crate::linalg::Factor;
use crate::symbols::Symbols;

/// One distinct path and its outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PathData {
    /// The touchpoints (channels) of the path, in order.
    pub path: Vec<String>,
    /// Conversions that followed this path.
    pub conversions: f64,
    /// Their total value.
    pub value: f64,
    /// Journeys on this path that did not convert.
    pub nulls: f64,
}

/// Columns and separator of path data in CSV.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct PathCsvOptions {
    /// Column of the path. Default: `path`.
    pub path: String,
    /// Column of the conversions. Default: `total_conversions`.
    pub conversions: String,
    /// Column of the conversion value (optional). Default: `total_conversion_value`.
    pub value: String,
    /// Column of the non-conversions (optional). Default: `total_null`.
    pub nulls: String,
    /// Separator between touchpoints in a path. Default: `>`.
    pub separator: String,
    /// Skip-and-report or fail on a bad row. Default: skip.
    pub on_error: OnError,
}

impl Default for PathCsvOptions {
    fn default() -> Self {
        PathCsvOptions {
            path: "path".into(),
            conversions: "total_conversions".into(),
            value: "total_conversion_value".into(),
            nulls: "total_null".into(),
            separator: ">".into(),
            on_error: OnError::Skip,
        }
    }
}

/// Reads path data from CSV with a header row. The same as
/// [`PathTable::read_csv`] followed by [`PathTable::to_paths`]; read into a
/// [`PathTable`] when the data is large.
pub fn read_paths_csv(
    input: impl Read,
    options: &PathCsvOptions,
) -> Result<(Vec<PathData>, ReadReport), Error> {
    let (table, report) = PathTable::read_csv(input, options)?;
    Ok((table.to_paths(), report))
}

/// Path data held compactly: each touchpoint name stored once and each path
/// as indices into the names, so reading a large file allocates nothing per
/// step. [`attribute_table`] works on it directly; [`attribute`] builds one.
#[derive(Debug, Clone, Default)]
pub struct PathTable {
    /// Touchpoint names, numbered in order of first appearance.
    names: Symbols,
    /// Every path's steps, one after the other.
    steps: Vec<u32>,
    /// Where each path's steps end in `steps`.
    ends: Vec<usize>,
    /// Conversions, value and nulls of each path.
    outcomes: Vec<[f64; 3]>,
}

impl PathTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of paths.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are no paths.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The distinct touchpoint names, in order of first appearance.
    pub fn touchpoints(&self) -> impl Iterator<Item = &str> {
        self.names.names()
    }

    /// Adds one path (its steps in order) with its conversions, conversion
    /// value and nulls.
    pub fn push<S: AsRef<str>>(
        &mut self,
        path: impl IntoIterator<Item = S>,
        conversions: f64,
        value: f64,
        nulls: f64,
    ) {
        for step in path {
            let id = self.intern(step.as_ref());
            self.steps.push(id);
        }
        self.ends.push(self.steps.len());
        self.outcomes.push([conversions, value, nulls]);
    }

    fn intern(&mut self, name: &str) -> u32 {
        // Fewer names than rows, and rows are counted in u64: a table with
        // more than 2³² names would not fit in memory first.
        self.names.intern(name).unwrap_or(u32::MAX)
    }

    /// The steps of path `i` as indices into [`PathTable::touchpoints`].
    fn steps_of(&self, i: usize) -> &[u32] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.steps[start..self.ends[i]]
    }

    /// Path `i`, or `None` beyond the end.
    pub fn get(&self, i: usize) -> Option<PathData> {
        let [conversions, value, nulls] = *self.outcomes.get(i)?;
        Some(PathData {
            path: self
                .steps_of(i)
                .iter()
                .map(|&s| self.names.name(s).to_owned())
                .collect(),
            conversions,
            value,
            nulls,
        })
    }

    /// Every path as [`PathData`], in order.
    pub fn to_paths(&self) -> Vec<PathData> {
        (0..self.len()).filter_map(|i| self.get(i)).collect()
    }

    /// Reads path data from CSV with a header row: the path column split at
    /// the separator (steps trimmed), the numbers non-negative (empty or
    /// absent columns are 0). A row with an empty path or step or a bad
    /// number is reported with its line and skipped (or fails the read under
    /// [`OnError::Fail`]); it leaves nothing in the table.
    pub fn read_csv(
        input: impl Read,
        options: &PathCsvOptions,
    ) -> Result<(Self, ReadReport), Error> {
        let mut records = Records::new(input, b',', 1);
        let header = Header::read(&mut records)?;
        let columns = PathColumns {
            path: header.required(&options.path)?,
            conversions: header.required(&options.conversions)?,
            value: header.column(&options.value),
            nulls: header.column(&options.nulls),
        };
        let mut table = PathTable::new();
        let mut report = ReadReport::default();
        let mut record = RawRecord::default();
        // Each step of the row's path as a byte range of the path.
        let mut steps: Vec<(usize, usize)> = Vec::new();
        while let Some(line) = records.next(&mut record)? {
            let outcome = record
                .closed()
                .and_then(|()| parse_path_row(&record, &columns, options, &mut steps))
                .map(|(path, [conversions, value, nulls])| {
                    let steps = steps.iter().map(|&(start, end)| &path[start..end]);
                    table.push(steps, conversions, value, nulls);
                });
            steps.clear();
            report.tally(line, outcome, options.on_error)?;
        }
        Ok((table, report))
    }
}

impl From<&[PathData]> for PathTable {
    fn from(paths: &[PathData]) -> Self {
        let mut table = PathTable::new();
        for p in paths {
            table.push(&p.path, p.conversions, p.value, p.nulls);
        }
        table
    }
}

/// Where the path data's columns are.
struct PathColumns {
    path: usize,
    conversions: usize,
    value: Option<usize>,
    nulls: Option<usize>,
}

/// Checks one row and splits its path into `steps` (byte ranges of the
/// path); returns the path and the row's conversions, value and nulls.
fn parse_path_row<'r>(
    record: &'r RawRecord,
    columns: &PathColumns,
    options: &PathCsvOptions,
    steps: &mut Vec<(usize, usize)>,
) -> Result<(&'r str, [f64; 3]), String> {
    let text = |index: Option<usize>, name: &str| -> Result<&'r str, String> {
        match index.and_then(|i| record.get(i)) {
            None => Ok(""),
            Some(text) => text
                .map(str::trim)
                .map_err(|()| format!("{name} is not UTF-8 text")),
        }
    };
    let number = |index: Option<usize>, name: &str| -> Result<f64, String> {
        match text(index, name)? {
            "" => Ok(0.0),
            text => match crate::number::finite_f64(text) {
                Some(n) if n >= 0.0 => Ok(n),
                _ => Err(format!("{name} {text:?} is not a non-negative number")),
            },
        }
    };
    let path = text(Some(columns.path), &options.path)?;
    if path.is_empty() {
        return Err("the path is empty".to_owned());
    }
    let range = |step: &str| {
        let step = step.trim();
        let start = step.as_ptr() as usize - path.as_ptr() as usize;
        (start, start + step.len())
    };
    let mut separator = options.separator.chars();
    match (separator.next(), separator.next()) {
        // One character (the usual `>`): the faster search for a char.
        (Some(c), None) => steps.extend(path.split(c).map(range)),
        _ => steps.extend(path.split(options.separator.as_str()).map(range)),
    }
    if steps.iter().any(|(start, end)| start == end) {
        return Err(format!("the path {path:?} has an empty step"));
    }
    let outcome = [
        number(Some(columns.conversions), &options.conversions)?,
        number(columns.value, &options.value)?,
        number(columns.nulls, &options.nulls)?,
    ];
    Ok((path, outcome))
}

/// Writes path data as CSV in the common format
/// (`path,total_conversions,total_conversion_value,total_null`, steps joined
/// with ` > `).
pub fn write_paths_csv(paths: &[PathData], output: impl std::io::Write) -> Result<(), Error> {
    let failed = |e: std::io::Error| Error::Csv {
        row: 0,
        message: e.to_string(),
    };
    let mut writer = crate::events::CsvWriter::new(output);
    writer
        .record([
            "path",
            "total_conversions",
            "total_conversion_value",
            "total_null",
        ])
        .map_err(failed)?;
    for path in paths {
        let fields = [
            path.path.join(" > "),
            path.conversions.to_string(),
            path.value.to_string(),
            path.nulls.to_string(),
        ];
        writer
            .record(fields.iter().map(String::as_str))
            .map_err(failed)?;
    }
    writer.flush().map_err(failed)
}

/// Path data from traces: a trace converts when it reaches one of `goals`;
/// its path is the touchpoints before the first goal (or all of them), and
/// `values` gives the value of a conversion at each goal (1 when absent).
pub fn paths_from_traces(
    traces: &Traces,
    goals: &[String],
    values: &BTreeMap<String, f64>,
) -> Vec<PathData> {
    // Each distinct path once, by its key (every id prefixed by its length,
    // so no two paths share one) and its position in `grouped`.
    let mut positions: HashMap<String, usize> = HashMap::new();
    let mut grouped: Vec<PathData> = Vec::new();
    let mut key = String::new();
    for trace in &traces.traces {
        let goal_at = trace
            .steps
            .iter()
            .position(|s| goals.contains(&s.touchpoint));
        let end = goal_at.unwrap_or(trace.steps.len());
        if end == 0 {
            continue;
        }
        let steps = &trace.steps[..end];
        key.clear();
        for step in steps {
            use std::fmt::Write;
            // (Writing to a String cannot fail.)
            let _ = write!(key, "{}:{}", step.touchpoint.len(), step.touchpoint);
        }
        let at = match positions.get(key.as_str()) {
            Some(&at) => at,
            None => {
                positions.insert(key.clone(), grouped.len());
                grouped.push(PathData {
                    path: steps.iter().map(|s| s.touchpoint.clone()).collect(),
                    conversions: 0.0,
                    value: 0.0,
                    nulls: 0.0,
                });
                grouped.len() - 1
            }
        };
        let entry = &mut grouped[at];
        match goal_at {
            Some(g) => {
                entry.conversions += 1.0;
                entry.value += values
                    .get(&trace.steps[g].touchpoint)
                    .copied()
                    .unwrap_or(1.0);
            }
            None => entry.nulls += 1.0,
        }
    }
    // In path order (each path is there once: a total order).
    crate::order::sort_by(&mut grouped, |a, b| a.path.cmp(&b.path));
    grouped
}

/// Which models to compute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AttributionOptions {
    /// Markov orders to compute, each from 1 to 4. Default: `[1]`.
    pub orders: Vec<u8>,
    /// The most operations the removal effects of one order may take before
    /// the attribution is refused with `limit_exceeded` (estimated before
    /// the work starts). Default: 10,000,000,000, about 30 seconds of one core.
    pub max_work: u64,
    /// Position-based weights of the first touch, the touches between and
    /// the last touch, non-negative with a positive sum (normalized). A path
    /// of one touch gives it everything; of two, the first and last weights
    /// shared between them. Default: `[0.4, 0.2, 0.4]`.
    pub position_weights: [f64; 3],
    /// Touchpoints on the paths of fewer customers (conversions plus nulls)
    /// than this are counted together as [`AttributionOptions::other`].
    /// Default: 0 (every touchpoint kept).
    pub min_customers: f64,
    /// The name of the touchpoints grouped by `min_customers` (a touchpoint
    /// of that name already in the data is grouped with them). Default:
    /// `(other)`.
    pub other: String,
    /// Also choose the Markov order from the data: orders 1 to 4 are scored
    /// by the Bayesian information criterion of their chains (`-2 ln L +
    /// parameters · ln observations`, the usual test of a Markov chain's
    /// order; the lowest wins, ties to the lower order), the scores are in
    /// `order_choice`, and the chosen order's model is added to `markov`
    /// unless `orders` has it. Default: false.
    pub auto_order: bool,
    /// Sequences of touchpoints whose removal effects every Markov model
    /// also reports: the relative drop of the conversion probability when
    /// every journey is lost at the moment it completes the sequence (its
    /// touchpoints one right after the other). A sequence of one
    /// touchpoint is that touchpoint's removal; a sequence may be at most
    /// one longer than the order. Default: none.
    pub sequences: Vec<Vec<String>>,
    /// Time-decay attribution, from traces with timestamps
    /// (`Document::attribution`): each conversion shared by the touches
    /// before it, a touch `d` days before the conversion weighing
    /// `0.5^(d / half_life_days)`. Positive; path data has no times, so
    /// [`attribute`] refuses it. Default: none (no time-decay credit).
    pub half_life_days: Option<f64>,
}

impl Default for AttributionOptions {
    fn default() -> Self {
        AttributionOptions {
            orders: vec![1],
            max_work: MAX_WORK,
            position_weights: [0.4, 0.2, 0.4],
            min_customers: 0.0,
            other: "(other)".into(),
            auto_order: false,
            sequences: Vec::new(),
            half_life_days: None,
        }
    }
}

/// The Markov model of one order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MarkovModel {
    /// The order (1 to 4).
    pub order: u8,
    /// Number of transient states of the chain.
    pub states: usize,
    /// Number of transitions between them (the chain's size with `states`:
    /// what the removal effects' cost grows with).
    pub transitions: usize,
    /// Conversion probability from the start state.
    pub conversion_probability: f64,
    /// Per touchpoint, in touchpoint order.
    pub touchpoints: Vec<MarkovCredit>,
    /// The removal effect of each of [`AttributionOptions::sequences`], in
    /// their order.
    pub sequences: Vec<SequenceEffect>,
}

/// The removal effect of a sequence of touchpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SequenceEffect {
    /// The touchpoints, in order.
    pub sequence: Vec<String>,
    /// Relative drop of the conversion probability when journeys are lost
    /// as they complete the sequence, in [0, 1].
    pub removal_effect: f64,
}

/// How the Markov order was chosen ([`AttributionOptions::auto_order`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderChoice {
    /// The order with the lowest score.
    pub order: u8,
    /// Each order's fit, orders 1 to 4.
    pub scores: Vec<OrderScore>,
}

/// One Markov order's fit to the path data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OrderScore {
    /// The order.
    pub order: u8,
    /// Natural log-likelihood of the observed starts and steps (to a
    /// state, conversion or null) under the chain's probabilities.
    pub log_likelihood: f64,
    /// Free parameters: each state's observed outcomes and the observed
    /// starts, less one each.
    pub parameters: usize,
    /// Observations: customers starting, and leaving each state.
    pub observations: f64,
    /// `-2 · log_likelihood + parameters · ln(observations)`.
    pub bic: f64,
}

/// One touchpoint's Markov credit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MarkovCredit {
    /// The touchpoint.
    pub touchpoint: String,
    /// Relative drop of the conversion probability without it, in [0, 1].
    pub removal_effect: f64,
    /// Conversions attributed (shares of the total by removal effect).
    pub conversions: f64,
    /// Value attributed.
    pub value: f64,
}

/// One touchpoint's heuristic credit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HeuristicCredit {
    /// The touchpoint.
    pub touchpoint: String,
    /// Conversions credited to the first touchpoint of each path.
    pub first_touch: f64,
    /// Conversions credited to the last touchpoint.
    pub last_touch: f64,
    /// Conversions shared equally along each path.
    pub linear: f64,
    /// Value credited to the first touchpoint.
    pub first_touch_value: f64,
    /// Value credited to the last touchpoint.
    pub last_touch_value: f64,
    /// Value shared equally along each path.
    pub linear_value: f64,
    /// Conversions by position: the first and last touches a share each,
    /// the touches between the rest ([`AttributionOptions::position_weights`]).
    pub position_based: f64,
    /// Value by position.
    pub position_based_value: f64,
    /// Conversions by the simplified Shapley value: each converting path's
    /// conversions shared equally by its distinct touchpoints.
    pub shapley: f64,
    /// Value by the simplified Shapley value.
    pub shapley_value: f64,
    /// The ordered Shapley value: [`HeuristicCredit::shapley`] split by the
    /// position (from 0) of the touchpoint's first touch among each path's
    /// distinct touchpoints; as long as the longest such position.
    pub ordered_shapley: Vec<f64>,
    /// The ordered Shapley value of the conversion value.
    pub ordered_shapley_value: Vec<f64>,
    /// Customers (conversions plus nulls) on paths touching it.
    pub customers: f64,
    /// Conversions by time decay ([`AttributionOptions::half_life_days`]),
    /// when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_decay: Option<f64>,
    /// Value by time decay, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_decay_value: Option<f64>,
}

/// Attribution results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Attribution {
    /// Total conversions.
    pub conversions: f64,
    /// Total conversion value.
    pub value: f64,
    /// Total non-conversions.
    pub nulls: f64,
    /// Heuristic models, per touchpoint in id order.
    pub heuristics: Vec<HeuristicCredit>,
    /// One Markov model per requested order (and the chosen one).
    pub markov: Vec<MarkovModel>,
    /// The scores behind the chosen order, with
    /// [`AttributionOptions::auto_order`].
    pub order_choice: Option<OrderChoice>,
}

/// Computes first-touch, last-touch, linear and Markov attribution.
pub fn attribute(paths: &[PathData], options: &AttributionOptions) -> Result<Attribution, Error> {
    attribute_table(&PathTable::from(paths), options)
}

/// [`attribute`] on a [`PathTable`]: the same results, without first
/// building a `PathData` per path.
pub fn attribute_table(
    paths: &PathTable,
    options: &AttributionOptions,
) -> Result<Attribution, Error> {
    if options.half_life_days.is_some() {
        return Err(Error::option(
            "half_life_days",
            "time decay needs timestamps: path data has none (attribute the traces of an event log)",
        ));
    }
    attribute_paths(paths, options)
}

/// Every model on traces: path data from the traces (as
/// [`paths_from_traces`]), and with [`AttributionOptions::half_life_days`]
/// the time-decay credit from the touches' timestamps.
pub fn attribute_traces(
    traces: &Traces,
    goals: &[String],
    values: &BTreeMap<String, f64>,
    options: &AttributionOptions,
) -> Result<Attribution, Error> {
    let half_life = match options.half_life_days {
        None => None,
        Some(days) if days > 0.0 && days.is_finite() => Some(days * 86_400_000.0),
        Some(days) => {
            return Err(Error::option(
                "half_life_days",
                format!("{days} is not a positive number of days"),
            ));
        }
    };
    let paths = paths_from_traces(traces, goals, values);
    let mut result = attribute_paths(&PathTable::from(&paths[..]), options)?;
    let Some(half_life) = half_life else {
        return Ok(result);
    };
    let other = result
        .heuristics
        .iter()
        .position(|h| h.touchpoint == options.other);
    let mut credit = vec![[0.0; 2]; result.heuristics.len()];
    let mut weights: Vec<f64> = Vec::new();
    for trace in &traces.traces {
        let Some(goal) = trace
            .steps
            .iter()
            .position(|s| goals.contains(&s.touchpoint))
        else {
            continue;
        };
        if goal == 0 {
            continue;
        }
        let at =
            |step: &crate::events::Step| step.timestamp as f64 + f64::from(step.micros) / 1000.0;
        let converted = at(&trace.steps[goal]);
        let value = values
            .get(&trace.steps[goal].touchpoint)
            .copied()
            .unwrap_or(1.0);
        weights.clear();
        weights.extend(
            trace.steps[..goal]
                .iter()
                .map(|step| 0.5f64.powf((converted - at(step)).max(0.0) / half_life)),
        );
        let total: f64 = weights.iter().sum();
        for (step, w) in trace.steps[..goal].iter().zip(&weights) {
            // A touchpoint missing from the results was grouped into `other`.
            let index = result
                .heuristics
                .binary_search_by(|h| h.touchpoint.as_str().cmp(&step.touchpoint))
                .ok()
                .or(other);
            if let (Some(index), true) = (index, total > 0.0) {
                credit[index][0] += w / total;
                credit[index][1] += value * w / total;
            }
        }
    }
    for (h, [c, v]) in result.heuristics.iter_mut().zip(credit) {
        h.time_decay = Some(c);
        h.time_decay_value = Some(v);
    }
    Ok(result)
}

/// [`attribute_table`] without the check for times.
fn attribute_paths(paths: &PathTable, options: &AttributionOptions) -> Result<Attribution, Error> {
    for &order in &options.orders {
        if !(1..=4).contains(&order) {
            return Err(Error::option(
                "orders",
                format!("Markov order {order} is not between 1 and 4"),
            ));
        }
    }
    if !(options.min_customers >= 0.0 && options.min_customers.is_finite()) {
        return Err(Error::option(
            "min_customers",
            format!("{} is not a non-negative number", options.min_customers),
        ));
    }
    position_weights(options)?;
    let grouped = grouped(paths, options.min_customers, &options.other);
    let indexed = Indexed::new(grouped.as_ref().unwrap_or(paths));
    let names = &indexed.names;
    let (mut conversions, mut value, mut nulls) = (0.0, 0.0, 0.0);
    for (_, [c, v, n]) in indexed.paths() {
        conversions += c;
        value += v;
        nulls += n;
    }

    let mut heuristics: Vec<HeuristicCredit> = names
        .iter()
        .map(|n| HeuristicCredit {
            touchpoint: (*n).to_owned(),
            first_touch: 0.0,
            last_touch: 0.0,
            linear: 0.0,
            first_touch_value: 0.0,
            last_touch_value: 0.0,
            linear_value: 0.0,
            position_based: 0.0,
            position_based_value: 0.0,
            shapley: 0.0,
            shapley_value: 0.0,
            ordered_shapley: Vec::new(),
            ordered_shapley_value: Vec::new(),
            customers: 0.0,
            time_decay: None,
            time_decay_value: None,
        })
        .collect();
    let [first_weight, middle_weight, last_weight] = position_weights(options)?;
    // Each path's distinct touchpoints in order of first touch.
    let mut distinct: Vec<u32> = Vec::new();
    for (steps, [path_conversions, path_value, path_nulls]) in indexed.paths() {
        let (first, last) = (steps[0] as usize, steps[steps.len() - 1] as usize);
        heuristics[first].first_touch += path_conversions;
        heuristics[first].first_touch_value += path_value;
        heuristics[last].last_touch += path_conversions;
        heuristics[last].last_touch_value += path_value;
        let share = 1.0 / steps.len() as f64;
        for &s in steps {
            heuristics[s as usize].linear += path_conversions * share;
            heuristics[s as usize].linear_value += path_value * share;
        }
        let mut credit_position = |s: usize, weight: f64| {
            heuristics[s].position_based += path_conversions * weight;
            heuristics[s].position_based_value += path_value * weight;
        };
        match steps.len() {
            1 => credit_position(first, 1.0),
            2 => {
                let ends = first_weight + last_weight;
                let (a, b) = if ends > 0.0 {
                    (first_weight / ends, last_weight / ends)
                } else {
                    (0.5, 0.5)
                };
                credit_position(first, a);
                credit_position(last, b);
            }
            n => {
                credit_position(first, first_weight);
                credit_position(last, last_weight);
                let each = middle_weight / (n - 2) as f64;
                for &s in &steps[1..n - 1] {
                    credit_position(s as usize, each);
                }
            }
        }
        distinct.clear();
        for &s in steps {
            if !distinct.contains(&s) {
                distinct.push(s);
            }
        }
        let share = 1.0 / distinct.len() as f64;
        for (position, &s) in distinct.iter().enumerate() {
            let credit = &mut heuristics[s as usize];
            credit.customers += path_conversions + path_nulls;
            credit.shapley += path_conversions * share;
            credit.shapley_value += path_value * share;
            if credit.ordered_shapley.len() <= position {
                credit.ordered_shapley.resize(position + 1, 0.0);
                credit.ordered_shapley_value.resize(position + 1, 0.0);
            }
            credit.ordered_shapley[position] += path_conversions * share;
            credit.ordered_shapley_value[position] += path_value * share;
        }
    }
    let sequences: Vec<Vec<u32>> = options
        .sequences
        .iter()
        .map(|sequence| {
            if sequence.is_empty() {
                return Err(Error::option("sequences", "a sequence is empty"));
            }
            sequence
                .iter()
                .map(|name| {
                    names
                        .binary_search(&name.as_str())
                        .map(|i| i as u32)
                        .map_err(|_| {
                            Error::option(
                                "sequences",
                                format!("touchpoint {name:?} is not in the path data"),
                            )
                        })
                })
                .collect()
        })
        .collect::<Result<_, _>>()?;
    let mut orders: Vec<u8> = options.orders.clone();
    let order_choice = options.auto_order.then(|| choose_order(&indexed));
    if let Some(choice) = &order_choice
        && !orders.contains(&choice.order)
    {
        orders.push(choice.order);
    }
    let mut markov = Vec::with_capacity(orders.len());
    for &order in &orders {
        let mut model = markov_model(
            &indexed,
            usize::from(order),
            conversions,
            value,
            options.max_work,
            &sequences,
        )?;
        model.sequences = options
            .sequences
            .iter()
            .zip(model.sequences)
            .map(|(names, effect)| SequenceEffect {
                sequence: names.clone(),
                removal_effect: effect.removal_effect,
            })
            .collect();
        markov.push(model);
    }
    Ok(Attribution {
        conversions,
        value,
        nulls,
        heuristics,
        markov,
        order_choice,
    })
}

/// The position weights, checked and normalized to sum to 1.
fn position_weights(options: &AttributionOptions) -> Result<[f64; 3], Error> {
    let weights = options.position_weights;
    let total: f64 = weights.iter().sum();
    if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || !(total > 0.0 && total.is_finite()) {
        return Err(Error::option(
            "position_weights",
            format!("{weights:?} are not three non-negative numbers with a positive sum"),
        ));
    }
    Ok(weights.map(|w| w / total))
}

/// The table with every touchpoint seen by fewer than `min_customers`
/// customers renamed to `other` (`None` when none is).
fn grouped(paths: &PathTable, min_customers: f64, other: &str) -> Option<PathTable> {
    let mut customers = vec![0.0; paths.names.len()];
    let mut seen: Vec<u32> = Vec::new();
    for i in 0..paths.len() {
        let [c, _, n] = paths.outcomes[i];
        seen.clear();
        for &s in paths.steps_of(i) {
            if !seen.contains(&s) {
                seen.push(s);
                customers[s as usize] += c + n;
            }
        }
    }
    if customers.iter().all(|&c| c >= min_customers) {
        return None;
    }
    let mut table = PathTable::new();
    for i in 0..paths.len() {
        let [c, v, n] = paths.outcomes[i];
        let steps = paths.steps_of(i).iter().map(|&s| {
            if customers[s as usize] < min_customers {
                other
            } else {
                paths.names.name(s)
            }
        });
        table.push(steps, c, v, n);
    }
    Some(table)
}

/// A table's paths with touchpoints numbered in name order (the order of
/// the results).
struct Indexed<'a> {
    names: Vec<&'a str>,
    /// The table's steps, renumbered.
    steps: Vec<u32>,
    table: &'a PathTable,
}

impl<'a> Indexed<'a> {
    fn new(table: &'a PathTable) -> Self {
        let mut sorted: Vec<u32> = (0..table.names.len() as u32).collect();
        crate::order::sort_by(&mut sorted, |&a, &b| {
            table.names.name(a).cmp(table.names.name(b))
        });
        let mut renumber = vec![0; sorted.len()];
        for (position, &seen) in sorted.iter().enumerate() {
            renumber[seen as usize] = position as u32;
        }
        Indexed {
            names: sorted.iter().map(|&s| table.names.name(s)).collect(),
            steps: table.steps.iter().map(|&s| renumber[s as usize]).collect(),
            table,
        }
    }

    /// The non-empty paths: steps and (conversions, value, nulls).
    fn paths(&self) -> impl Iterator<Item = (&[u32], [f64; 3])> + '_ {
        let mut start = 0;
        self.table
            .ends
            .iter()
            .zip(&self.table.outcomes)
            .filter_map(move |(&end, &outcome)| {
                let steps = &self.steps[start..end];
                start = end;
                (!steps.is_empty()).then_some((steps, outcome))
            })
    }
}

/// A state of a chain of order `k`: the last `k` touchpoints (fewer at the
/// start of a path), padded with `NONE`.
type State = [u32; 4];

const NONE: u32 = u32::MAX;

/// The chain of one order: transient states, their transitions, and
/// one-step conversion probabilities.
struct Chain {
    /// The order `k`.
    order: usize,
    states: Vec<State>,
    /// `q[s]`: (next state, probability), by next state.
    q: Vec<Vec<(usize, f64)>>,
    /// One-step conversion probability of each state.
    convert: Vec<f64>,
    /// Start distribution over states.
    start: Vec<f64>,
    /// The customers leaving each state (to a state, conversion or null),
    /// and starting: the counts behind the probabilities.
    weights: Vec<f64>,
    start_total: f64,
}

/// Order-1 chains over at most this many touchpoints count their
/// transitions in a dense matrix instead of a hash map.
const DENSE_TOUCHPOINTS: usize = 1024;

fn build_chain(indexed: &Indexed<'_>, order: usize) -> Chain {
    let mut state_index: HashMap<State, u32> = HashMap::new();
    let mut states: Vec<State> = Vec::new();
    // Order 1: the state of each touchpoint, found by index (so at most
    // one state per touchpoint).
    let mut touchpoint_state = vec![NONE; if order == 1 { indexed.names.len() } else { 0 }];
    // Transition weights, summed in path order: a dense matrix by state
    // (order 1) or a map.
    let width = indexed.names.len();
    let dense = order == 1 && width <= DENSE_TOUCHPOINTS;
    let mut dense_counts = vec![0.0; if dense { width * width } else { 0 }];
    // Sparse counts: each edge once in `edges`, found by its position (the
    // index map type discovery uses too).
    let mut positions: HashMap<(u32, u32), u32> = HashMap::new();
    let mut edges: Vec<((u32, u32), f64)> = Vec::new();
    let mut conversions: Vec<f64> = Vec::new();
    let mut totals: Vec<f64> = Vec::new();
    // Start weights by state, summed in state order (deterministic).
    let mut start: Vec<f64> = Vec::new();
    for (steps, [path_conversions, _, path_nulls]) in indexed.paths() {
        let weight = path_conversions + path_nulls;
        if weight <= 0.0 {
            continue;
        }
        let mut previous: Option<u32> = None;
        for end in 1..=steps.len() {
            let touchpoint = steps[end - 1];
            let mut new_state = |key: State| {
                states.push(key);
                conversions.push(0.0);
                totals.push(0.0);
                (states.len() - 1) as u32
            };
            let s = if order == 1 {
                let slot = &mut touchpoint_state[touchpoint as usize];
                if *slot == NONE {
                    *slot = new_state([touchpoint, NONE, NONE, NONE]);
                }
                *slot
            } else {
                let mut key = [NONE; 4];
                let window = &steps[end.saturating_sub(order)..end];
                key[..window.len()].copy_from_slice(window);
                *state_index.entry(key).or_insert_with(|| new_state(key))
            };
            match previous {
                None => {
                    if start.len() <= s as usize {
                        start.resize(s as usize + 1, 0.0);
                    }
                    start[s as usize] += weight;
                }
                Some(p) => {
                    if dense {
                        dense_counts[p as usize * width + s as usize] += weight;
                    } else {
                        let at = *positions.entry((p, s)).or_insert_with(|| {
                            edges.push(((p, s), 0.0));
                            edges.len() as u32 - 1
                        });
                        edges[at as usize].1 += weight;
                    }
                    totals[p as usize] += weight;
                }
            }
            previous = Some(s);
        }
        if let Some(last) = previous {
            conversions[last as usize] += path_conversions;
            totals[last as usize] += weight;
        }
    }
    if dense {
        for (index, &count) in dense_counts.iter().enumerate() {
            if count != 0.0 {
                edges.push((((index / width) as u32, (index % width) as u32), count));
            }
        }
    }
    let start_total: f64 = start.iter().sum();
    let mut start_vector = vec![0.0; states.len()];
    for (s, w) in start.into_iter().enumerate() {
        start_vector[s] = w / start_total;
    }
    drop(positions);
    crate::order::sort_by_key(&mut edges, |&(edge, _)| edge);
    let mut q: Vec<Vec<(usize, f64)>> = vec![Vec::new(); states.len()];
    for ((from, to), count) in edges {
        q[from as usize].push((to as usize, count / totals[from as usize]));
    }
    let convert = conversions
        .iter()
        .zip(&totals)
        .map(|(c, t)| c / t)
        .collect();
    Chain {
        order,
        states,
        q,
        convert,
        start: start_vector,
        weights: totals,
        start_total,
    }
}

impl Chain {
    /// Number of transitions between transient states.
    fn transitions(&self) -> usize {
        self.q.iter().map(Vec::len).sum()
    }

    /// States and transitions: what a pass over the chain costs.
    fn size(&self) -> f64 {
        (self.states.len() + self.transitions()) as f64
    }

    /// The conversion probability from each state (`h = (I − Q)⁻¹ r`,
    /// with `I − Q` factorized) and from the start (`π·h`).
    fn converting(&self, factor: &Factor) -> (Vec<f64>, f64) {
        let mut h = self.convert.clone();
        factor.solve(&mut h);
        let from_start = self
            .start
            .iter()
            .zip(&h)
            .map(|(p, h)| p * h)
            .sum::<f64>()
            .clamp(0.0, 1.0);
        (h, from_start)
    }

    /// The touchpoints of a state, oldest first.
    fn window(&self, s: usize) -> &[u32] {
        let state = &self.states[s];
        let len = state.iter().position(|&t| t == NONE).unwrap_or(4);
        &state[..len.min(self.order)]
    }

    /// The log-likelihood of the counts under the chain's own
    /// probabilities, and its free parameters (each state's outcomes and
    /// the starts, less one each).
    fn fit(&self) -> (f64, usize, f64) {
        let term = |count: f64, p: f64| {
            if count > 0.0 && p > 0.0 {
                count * p.ln()
            } else {
                0.0
            }
        };
        let mut log_likelihood = 0.0;
        let mut parameters = 0usize;
        let mut observations = self.start_total;
        for s in 0..self.states.len() {
            let total = self.weights[s];
            observations += total;
            let mut outcomes = 0usize;
            let mut moved = 0.0;
            for &(_, p) in &self.q[s] {
                log_likelihood += term(total * p, p);
                moved += p;
                outcomes += 1;
            }
            let convert = self.convert[s];
            let null = (1.0 - moved - convert).max(0.0);
            for p in [convert, null] {
                // A share under 1e-12 is rounding, not an outcome.
                if p > 1e-12 {
                    log_likelihood += term(total * p, p);
                    outcomes += 1;
                }
            }
            parameters += outcomes.saturating_sub(1);
        }
        let mut starts = 0usize;
        for &p in &self.start {
            if p > 0.0 {
                log_likelihood += term(self.start_total * p, p);
                starts += 1;
            }
        }
        parameters += starts.saturating_sub(1);
        (log_likelihood, parameters, observations)
    }

    /// The chain where every transition (or start) completing `sequence`
    /// (its last touchpoints, with the new one, end with it) leads to null.
    fn without_sequence(&self, sequence: &[u32]) -> Chain {
        let completes = |window: &[u32], next: Option<u32>| {
            let mut tail: Vec<u32> = window.to_vec();
            tail.extend(next);
            tail.ends_with(sequence)
        };
        let q = self
            .q
            .iter()
            .enumerate()
            .map(|(s, row)| {
                row.iter()
                    .copied()
                    .filter(|&(t, _)| {
                        let new = self.window(t).last().copied();
                        !completes(self.window(s), new)
                    })
                    .collect()
            })
            .collect();
        let start = self
            .start
            .iter()
            .enumerate()
            .map(|(t, &p)| {
                if completes(self.window(t), None) {
                    0.0
                } else {
                    p
                }
            })
            .collect();
        Chain {
            order: self.order,
            states: self.states.clone(),
            q,
            convert: self.convert.clone(),
            start,
            weights: self.weights.clone(),
            start_total: self.start_total,
        }
    }
}

/// How a chain's conversion probabilities are computed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Method {
    /// Sparse factorization: journeys' graphs, and small chains.
    Direct,
    /// Summing the conversion mass step by step: chains whose factors would
    /// fill in — the states of higher orders over many channels, where every
    /// k-gram leads to k-grams of every channel.
    Propagate,
}

impl Method {
    /// Factorization unless it would cost more than this many flops per
    /// transition (summing costs about two per transition and step, and
    /// paths end within a few hundred steps), or a million in all.
    const FLOPS_PER_TRANSITION: f64 = 50.0;

    /// The method and, for factorization, its flop count.
    fn for_chain(chain: &Chain) -> (Method, f64) {
        let transitions = chain.transitions();
        let budget = (Self::FLOPS_PER_TRANSITION * transitions as f64).max(1e6);
        let cost = crate::linalg::factor_cost(&chain.q);
        if cost <= budget {
            (Method::Direct, cost)
        } else {
            (Method::Propagate, cost)
        }
    }
}

/// The default most operations the removal effects of one Markov order may
/// take ([`AttributionOptions::max_work`]; about 30 seconds of one core):
/// one conversion probability per touchpoint, each costing a factorization
/// or, for chains that would fill in, one pass over the chain per step
/// until the journeys have ended. Above it, [`attribute`] fails with
/// [`Error::LimitExceeded`] before doing the work: group pages into
/// channels, ask for a lower order, or allow more.
pub const MAX_WORK: u64 = 10_000_000_000;

/// The operations the removal effects will take: `touchpoints` solves on
/// the chain, each a factorization (`factor_cost` flops, plus ordering and
/// copying the chain: about 100 operations an entry, measured) or `steps`
/// passes over the chain (the base run's: removing states only makes
/// journeys end sooner).
fn removal_work(
    chain: &Chain,
    method: Method,
    factor_cost: f64,
    steps: usize,
    touchpoints: usize,
) -> f64 {
    let size = chain.size();
    match method {
        // One factorization shared by every touchpoint: order 1 reads the
        // effects off the inverse's diagonal (Takahashi's recurrences cost
        // about what the factorization does); higher orders solve again
        // only where the touchpoint's removal changes anything, at worst
        // the whole chain (walked, about 10 operations an entry) and a
        // factorization of its largest cycle (bounded by the chain's).
        Method::Direct if chain.order == 1 => 2.0 * factor_cost + 100.0 * size,
        Method::Direct => touchpoints as f64 * (factor_cost + 10.0 * size),
        Method::Propagate => steps as f64 * size * touchpoints as f64,
    }
}

/// The conversion probability by a sparse linear solve.
#[cfg(test)]
fn direct(chain: &Chain, removed: &[bool]) -> Result<f64, Error> {
    let kept: Vec<usize> = (0..chain.states.len()).filter(|&s| !removed[s]).collect();
    if kept.is_empty() {
        return Ok(0.0);
    }
    let mut local = vec![usize::MAX; chain.states.len()];
    for (k, &s) in kept.iter().enumerate() {
        local[s] = k;
    }
    let rows: Vec<Vec<(usize, f64)>> = kept
        .iter()
        .map(|&s| {
            chain.q[s]
                .iter()
                .filter(|(t, _)| local[*t] != usize::MAX)
                .map(|&(t, p)| (local[t], p))
                .collect()
        })
        .collect();
    let factor = Factor::new(&rows).map_err(|_| no_way_out())?;
    let mut absorbed: Vec<f64> = kept.iter().map(|&s| chain.convert[s]).collect();
    factor.solve(&mut absorbed);
    Ok(kept
        .iter()
        .zip(&absorbed)
        .map(|(&s, p)| chain.start[s] * p)
        .sum::<f64>()
        .clamp(0.0, 1.0))
}

fn no_way_out() -> Error {
    Error::argument("paths", "the path data leave no way to end a journey")
}

/// The conversion probability as the sum over steps of the mass converting
/// at each step, until less than 10⁻¹⁵ of the customers are still on their
/// way: the same number as the linear solve, to that precision, in a fixed
/// order of operations (so the same on every platform). Also returns the
/// steps taken.
fn propagate(chain: &Chain, removed: &[bool]) -> Result<(f64, usize), Error> {
    let n = chain.states.len();
    let mut mass: Vec<f64> = (0..n)
        .map(|s| if removed[s] { 0.0 } else { chain.start[s] })
        .collect();
    let mut next = vec![0.0; n];
    let mut converted = 0.0;
    for step in 1..=1_000_000 {
        let mut remaining = 0.0;
        for (s, &m) in mass.iter().enumerate() {
            if m == 0.0 {
                continue;
            }
            converted += m * chain.convert[s];
            for &(t, p) in &chain.q[s] {
                if !removed[t] {
                    next[t] += m * p;
                }
            }
        }
        for (m, n) in mass.iter_mut().zip(next.iter_mut()) {
            *m = *n;
            remaining += *n;
            *n = 0.0;
        }
        if remaining < 1e-15 {
            return Ok((converted.clamp(0.0, 1.0), step));
        }
    }
    Err(no_way_out())
}

/// What every touchpoint's removal shares on a chain that factorizes: the
/// factorization of `I − Q`, the conversion probability from each state
/// (`h = (I − Q)⁻¹ r`), and for order 1 the expected visits to each state
/// (`w = (I − Q)⁻ᵀ π`) and the inverse's diagonal.
struct Shared {
    /// Conversion probability from the start, `π·h`.
    probability: f64,
    /// Conversion probability from each state.
    h: Vec<f64>,
    /// Order 1: the expected visits to each state and `(I − Q)⁻¹`'s
    /// diagonal (the expected visits to a state from itself).
    visits: Option<(Vec<f64>, Vec<f64>)>,
}

impl Shared {
    fn new(chain: &Chain) -> Result<Shared, Error> {
        let factor = Factor::new(&chain.q).map_err(|_| no_way_out())?;
        let (h, probability) = chain.converting(&factor);
        let visits = (chain.order == 1).then(|| {
            let mut w = chain.start.clone();
            factor.solve_transpose(&mut w);
            (w, factor.inverse_diagonal())
        });
        Ok(Shared {
            probability,
            h,
            visits,
        })
    }
}

/// A touchpoint's removal on a chain that factorizes, solved again only
/// where it changes anything. Removing touchpoint `c` sends the states
/// `R` containing it to null; the conversion probability changes only at
/// `R` and at the states that can reach `R` (its ancestors `A`), so
///
/// * order 1 (`R` is one state `s`): by the Sherman–Morrison formula the
///   conversion probability drops by `w_s h_s / N_ss` — the chance of ever
///   reaching `s` times the conversion probability from there — with `N`
///   the fundamental matrix `(I − Q)⁻¹`: no solve per touchpoint at all;
/// * higher orders: the equations of `A` alone, with `h` kept outside `A`
///   and 0 at `R`, solved cycle by cycle (strongly connected components,
///   sinks first: a state off every cycle costs one sum, a cycle one small
///   factorization). The chains of higher orders over many touchpoints are
///   nearly acyclic and each touchpoint's ancestors few.
///
/// Both are the same linear algebra as solving the whole chain without
/// the touchpoint, on fewer unknowns (equal to 1e-12 relative, tested).
struct Removal {
    /// The states containing each touchpoint, in state order.
    containing: Vec<Vec<u32>>,
    /// Order ≥ 2: each state's predecessors, and its strongly connected
    /// component's rank (sinks first).
    predecessors: Vec<Vec<u32>>,
    rank: Vec<u32>,
}

impl Removal {
    fn new(chain: &Chain, shared: &Shared, touchpoints: usize) -> Removal {
        let n = chain.states.len();
        let mut containing: Vec<Vec<u32>> = vec![Vec::new(); touchpoints];
        for (s, state) in chain.states.iter().enumerate() {
            for (i, &t) in state.iter().enumerate() {
                // Each touchpoint once per state (a k-gram may repeat one).
                if t != NONE && !state[..i].contains(&t) {
                    containing[t as usize].push(s as u32);
                }
            }
        }
        if shared.visits.is_some() {
            return Removal {
                containing,
                predecessors: Vec::new(),
                rank: Vec::new(),
            };
        }
        let mut predecessors: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut graph = petgraph::graph::DiGraph::<(), (), u32>::with_capacity(n, 0);
        for _ in 0..n {
            graph.add_node(());
        }
        for (s, row) in chain.q.iter().enumerate() {
            for &(t, _) in row {
                if t != s {
                    predecessors[t].push(s as u32);
                    graph.add_edge((s as u32).into(), (t as u32).into(), ());
                }
            }
        }
        // Components in reverse topological order: sinks first.
        let mut rank = vec![0u32; n];
        for (r, component) in petgraph::algo::tarjan_scc(&graph).iter().enumerate() {
            for node in component {
                rank[node.index()] = r as u32;
            }
        }
        Removal {
            containing,
            predecessors,
            rank,
        }
    }

    /// The conversion probability lost without `touchpoint`.
    fn lost(&self, chain: &Chain, shared: &Shared, touchpoint: u32) -> Result<f64, Error> {
        let removed = &self.containing[touchpoint as usize];
        if let Some((w, diagonal)) = &shared.visits {
            return Ok(removed
                .iter()
                .map(|&s| {
                    let s = s as usize;
                    w[s] * shared.h[s] / diagonal[s]
                })
                .sum());
        }
        // The ancestors of the removed states, through kept states only.
        let mut place: HashMap<u32, u32> = HashMap::new();
        for (i, &s) in removed.iter().enumerate() {
            place.insert(s, i as u32);
        }
        let mut ancestors: Vec<u32> = Vec::new();
        let mut next = 0;
        let reach = |s: u32, place: &mut HashMap<u32, u32>, ancestors: &mut Vec<u32>| {
            for &p in &self.predecessors[s as usize] {
                if !place.contains_key(&p) {
                    place.insert(p, (removed.len() + ancestors.len()) as u32);
                    ancestors.push(p);
                }
            }
        };
        for &s in removed {
            reach(s, &mut place, &mut ancestors);
        }
        while next < ancestors.len() {
            let s = ancestors[next];
            next += 1;
            reach(s, &mut place, &mut ancestors);
        }
        // Sinks first; within a component, in state order.
        crate::order::sort_by_key(&mut ancestors, |&s| (self.rank[s as usize], s));
        for (i, &s) in ancestors.iter().enumerate() {
            place.insert(s, (removed.len() + i) as u32);
        }
        // New conversion probabilities: 0 at the removed states, then each
        // ancestor's, component by component.
        let mut y = vec![0.0; removed.len() + ancestors.len()];
        let value = |t: usize, y: &[f64], place: &HashMap<u32, u32>| match place.get(&(t as u32)) {
            Some(&i) => y[i as usize],
            None => shared.h[t],
        };
        let mut first = 0;
        while first < ancestors.len() {
            let component = self.rank[ancestors[first] as usize];
            let mut end = first + 1;
            while end < ancestors.len() && self.rank[ancestors[end] as usize] == component {
                end += 1;
            }
            let members = &ancestors[first..end];
            if members.len() == 1 {
                let s = members[0] as usize;
                let mut sum = chain.convert[s];
                let mut stay = 0.0;
                for &(t, p) in &chain.q[s] {
                    if t == s {
                        stay += p;
                    } else {
                        sum += p * value(t, &y, &place);
                    }
                }
                y[removed.len() + first] = sum / (1.0 - stay);
            } else {
                // One cycle's equations: its own transitions in the matrix,
                // the rest (known already) on the right-hand side.
                let local = |t: usize| {
                    let i = place.get(&(t as u32)).copied()? as usize;
                    (i >= removed.len() + first && i < removed.len() + end)
                        .then(|| i - removed.len() - first)
                };
                let mut rows: Vec<Vec<(usize, f64)>> = Vec::with_capacity(members.len());
                let mut right: Vec<f64> = Vec::with_capacity(members.len());
                for &s in members {
                    let s = s as usize;
                    let mut row = Vec::new();
                    let mut sum = chain.convert[s];
                    for &(t, p) in &chain.q[s] {
                        match local(t) {
                            Some(j) => row.push((j, p)),
                            None => sum += p * value(t, &y, &place),
                        }
                    }
                    rows.push(row);
                    right.push(sum);
                }
                let factor = Factor::new(&rows).map_err(|_| no_way_out())?;
                factor.solve(&mut right);
                y[removed.len() + first..removed.len() + end].copy_from_slice(&right);
            }
            first = end;
        }
        // What the start loses: at the removed states all of h, at the
        // ancestors the drop.
        let lost_removed: f64 = removed
            .iter()
            .map(|&s| chain.start[s as usize] * shared.h[s as usize])
            .sum();
        let lost_ancestors: f64 = ancestors
            .iter()
            .zip(&y[removed.len()..])
            .map(|(&s, &new)| chain.start[s as usize] * (shared.h[s as usize] - new))
            .sum();
        Ok(lost_removed + lost_ancestors)
    }
}

/// Scores orders 1 to 4 by the Bayesian information criterion of their
/// chains and picks the lowest (the lower order on a tie).
fn choose_order(indexed: &Indexed<'_>) -> OrderChoice {
    let scores: Vec<OrderScore> = (1..=4u8)
        .map(|order| {
            let chain = build_chain(indexed, usize::from(order));
            let (log_likelihood, parameters, observations) = chain.fit();
            let bic = -2.0 * log_likelihood + parameters as f64 * observations.max(1.0).ln();
            OrderScore {
                order,
                log_likelihood,
                parameters,
                observations,
                bic,
            }
        })
        .collect();
    let best = scores.iter().fold(
        &scores[0],
        |best, score| if score.bic < best.bic { score } else { best },
    );
    OrderChoice {
        order: best.order,
        scores: scores.clone(),
    }
}

/// The conversion probability of a chain, by its method.
fn probability(chain: &Chain, method: Method) -> Result<f64, Error> {
    match method {
        Method::Direct => {
            let factor = Factor::new(&chain.q).map_err(|_| no_way_out())?;
            Ok(chain.converting(&factor).1)
        }
        Method::Propagate => {
            let none = vec![false; chain.states.len()];
            propagate(chain, &none).map(|(p, _)| p)
        }
    }
}

fn markov_model(
    indexed: &Indexed<'_>,
    order: usize,
    conversions: f64,
    value: f64,
    max_work: u64,
    sequences: &[Vec<u32>],
) -> Result<MarkovModel, Error> {
    let names = &indexed.names;
    if let Some(long) = sequences.iter().find(|s| s.len() > order + 1) {
        return Err(Error::option(
            "sequences",
            format!(
                "a sequence of {} touchpoints needs a Markov order of at least {}, not {order}",
                long.len(),
                long.len() - 1
            ),
        ));
    }
    let chain = build_chain(indexed, order);
    let (method, factor_cost) = Method::for_chain(&chain);
    let (base, steps, shared) = match method {
        Method::Direct => {
            let shared = Shared::new(&chain)?;
            (shared.probability, 0, Some(shared))
        }
        Method::Propagate => {
            let none = vec![false; chain.states.len()];
            let (base, steps) = propagate(&chain, &none)?;
            (base, steps, None)
        }
    };
    let size = chain.size();
    let one_solve = match method {
        Method::Direct => factor_cost + 100.0 * size,
        Method::Propagate => steps as f64 * size,
    };
    let work = removal_work(&chain, method, factor_cost, steps, names.len())
        + sequences.len() as f64 * one_solve;
    if work > max_work as f64 {
        return Err(Error::LimitExceeded {
            what: format!(
                "the work of the order-{order} removal effects ({} touchpoints, {} states)",
                names.len(),
                chain.states.len()
            ),
            limit: usize::try_from(max_work).unwrap_or(usize::MAX),
            actual: work as usize,
        });
    }
    let removal = shared
        .as_ref()
        .map(|shared| Removal::new(&chain, shared, names.len()));
    let effect = |touchpoint: u32| -> Result<f64, Error> {
        if let (Some(shared), Some(removal)) = (&shared, &removal) {
            let lost = removal.lost(&chain, shared, touchpoint)?;
            return Ok(if base > 0.0 {
                (lost / base).clamp(0.0, 1.0)
            } else {
                0.0
            });
        }
        let removed: Vec<bool> = chain
            .states
            .iter()
            .map(|state| state.contains(&touchpoint))
            .collect();
        let (without, _) = propagate(&chain, &removed)?;
        Ok(if base > 0.0 {
            (1.0 - without / base).clamp(0.0, 1.0)
        } else {
            0.0
        })
    };
    // Each touchpoint's effect is computed alone, so splitting them over
    // threads (where there are any) changes no number.
    let touchpoints = names.len() as u32;
    let threads = if work > 1e8 {
        crate::parallel::threads().min(names.len())
    } else {
        1
    };
    let effects: Vec<f64> = if threads <= 1 {
        (0..touchpoints).map(effect).collect::<Result<_, _>>()?
    } else {
        let share = |k: usize| (u64::from(touchpoints) * k as u64 / threads as u64) as u32;
        let parts: Vec<std::ops::Range<u32>> =
            (0..threads).map(|k| share(k)..share(k + 1)).collect();
        let parts = crate::parallel::fan_out(parts, |range| {
            range.map(effect).collect::<Result<Vec<f64>, Error>>()
        });
        let mut effects = Vec::with_capacity(names.len());
        for part in parts {
            effects.extend(part?);
        }
        effects
    };
    let total: f64 = effects.iter().sum();
    let sequence_effects = sequences
        .iter()
        .map(|sequence| {
            let without = probability(&chain.without_sequence(sequence), method)?;
            Ok(SequenceEffect {
                sequence: Vec::new(),
                removal_effect: if base > 0.0 {
                    (1.0 - without / base).clamp(0.0, 1.0)
                } else {
                    0.0
                },
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(MarkovModel {
        order: order as u8,
        states: chain.states.len(),
        transitions: chain.transitions(),
        conversion_probability: base,
        touchpoints: names
            .iter()
            .zip(&effects)
            .map(|(name, &effect)| {
                let share = if total > 0.0 { effect / total } else { 0.0 };
                MarkovCredit {
                    touchpoint: (*name).to_owned(),
                    removal_effect: effect,
                    conversions: conversions * share,
                    value: value * share,
                }
            })
            .collect(),
        sequences: sequence_effects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(steps: &[&str], conversions: f64, value: f64, nulls: f64) -> PathData {
        PathData {
            path: steps.iter().map(|s| (*s).to_owned()).collect(),
            conversions,
            value,
            nulls,
        }
    }

    #[test]
    fn heuristics_and_first_order_markov_by_hand() {
        // c1 > c2 converts once (value 10); c1 fails once; c2 converts once (value 4).
        let paths = [
            path(&["c1", "c2"], 1.0, 10.0, 0.0),
            path(&["c1"], 0.0, 0.0, 1.0),
            path(&["c2"], 1.0, 4.0, 0.0),
        ];
        let result = attribute(&paths, &AttributionOptions::default()).unwrap();
        assert_eq!(
            (result.conversions, result.value, result.nulls),
            (2.0, 14.0, 1.0)
        );
        let h = &result.heuristics;
        assert_eq!(
            (h[0].first_touch, h[0].last_touch, h[0].linear),
            (1.0, 0.0, 0.5)
        );
        assert_eq!(
            (h[1].first_touch, h[1].last_touch, h[1].linear),
            (1.0, 2.0, 1.5)
        );
        assert_eq!(h[1].linear_value, 9.0);
        // Chain: start → c1 2/3, → c2 1/3; c1 → c2 1/2, → null 1/2; c2 → conv 1.
        // P(conv) = 2/3 · 1/2 + 1/3 = 2/3.
        // Without c1: 1/3 → effect 1/2. Without c2: 0 → effect 1.
        let m = &result.markov[0];
        assert!((m.conversion_probability - 2.0 / 3.0).abs() < 1e-15);
        assert!((m.touchpoints[0].removal_effect - 0.5).abs() < 1e-15);
        assert!((m.touchpoints[1].removal_effect - 1.0).abs() < 1e-15);
        assert!((m.touchpoints[0].conversions - 2.0 / 3.0).abs() < 1e-15);
        assert!((m.touchpoints[1].conversions - 4.0 / 3.0).abs() < 1e-15);
        assert!((m.touchpoints[1].value - 14.0 * 2.0 / 3.0).abs() < 1e-12);
    }

    /// The credits of each touchpoint under one model, in touchpoint order.
    fn credits(result: &Attribution, model: fn(&HeuristicCredit) -> f64) -> Vec<f64> {
        result.heuristics.iter().map(model).collect()
    }

    #[test]
    fn position_based_and_shapley_by_hand() {
        let paths = [
            path(&["a", "b", "c", "d"], 1.0, 10.0, 0.0),
            path(&["a", "b"], 1.0, 4.0, 0.0),
            path(&["c"], 2.0, 6.0, 0.0),
            path(&["b", "a", "b"], 0.0, 0.0, 3.0),
        ];
        // Weights 2:1:1, normalized to 1/2, 1/4, 1/4: exact in binary.
        let options = AttributionOptions {
            position_weights: [2.0, 1.0, 1.0],
            ..Default::default()
        };
        let result = attribute(&paths, &options).unwrap();
        // a b c d: 1/2, 1/8, 1/8, 1/4; a b: 2/3, 1/3 of the conversion
        // (first and last weights between them); c alone: all.
        let position = credits(&result, |h| h.position_based);
        let expected = [0.5 + 2.0 / 3.0, 0.125 + 1.0 / 3.0, 0.125 + 2.0, 0.25];
        for (got, want) in position.iter().zip(expected) {
            assert!((got - want).abs() < 1e-15, "{position:?}");
        }
        let value = credits(&result, |h| h.position_based_value);
        let expected = [5.0 + 8.0 / 3.0, 1.25 + 4.0 / 3.0, 1.25 + 6.0, 2.5];
        for (got, want) in value.iter().zip(expected) {
            assert!((got - want).abs() < 1e-14, "{value:?}");
        }
        // Shapley: a b c d shares its conversion in quarters, a b in
        // halves, c keeps its two; the null path earns nothing.
        assert_eq!(credits(&result, |h| h.shapley), [0.75, 0.75, 2.25, 0.25]);
        assert_eq!(credits(&result, |h| h.shapley_value), [4.5, 4.5, 8.5, 2.5]);
        // Ordered: by the position of the first touch among the path's
        // distinct touchpoints (b a b: b first, a second).
        let ordered: Vec<&[f64]> = result
            .heuristics
            .iter()
            .map(|h| h.ordered_shapley.as_slice())
            .collect();
        assert_eq!(
            ordered,
            [
                &[0.75, 0.0][..],
                &[0.0, 0.75],
                &[2.0, 0.0, 0.25],
                &[0.0, 0.0, 0.0, 0.25]
            ]
        );
        assert_eq!(result.heuristics[2].ordered_shapley_value, [6.0, 0.0, 2.5]);
        assert_eq!(credits(&result, |h| h.customers), [5.0, 5.0, 3.0, 1.0]);
        // Every model credits all conversions and all value.
        for model in [
            (|h: &HeuristicCredit| h.position_based) as fn(&HeuristicCredit) -> f64,
            |h| h.shapley,
            |h| h.linear,
        ] {
            let total: f64 = credits(&result, model).iter().sum();
            assert!((total - 4.0).abs() < 1e-14);
        }
        // The default 40/20/40: a b c d gives 0.4, 0.1, 0.1, 0.4.
        let result = attribute(&paths[..1], &AttributionOptions::default()).unwrap();
        let position = credits(&result, |h| h.position_based);
        for (got, want) in position.iter().zip([0.4, 0.1, 0.1, 0.4]) {
            assert!((got - want).abs() < 1e-15, "{position:?}");
        }
    }

    #[test]
    fn touchpoints_of_few_customers_are_counted_together() {
        let paths = [
            path(&["a", "b", "rare1"], 1.0, 10.0, 1.0),
            path(&["a", "rare2"], 1.0, 2.0, 0.0),
            path(&["b"], 1.0, 1.0, 3.0),
        ];
        let options = AttributionOptions {
            min_customers: 3.0,
            orders: vec![1, 2],
            ..Default::default()
        };
        let result = attribute(&paths, &options).unwrap();
        // rare1 (2 customers) and rare2 (1) become "(other)" (3 customers).
        let names: Vec<&str> = result
            .heuristics
            .iter()
            .map(|h| h.touchpoint.as_str())
            .collect();
        assert_eq!(names, ["(other)", "a", "b"]);
        assert_eq!(credits(&result, |h| h.customers), [3.0, 3.0, 6.0]);
        assert_eq!(credits(&result, |h| h.last_touch), [2.0, 0.0, 1.0]);
        let grouped = [
            path(&["a", "b", "(other)"], 1.0, 10.0, 1.0),
            path(&["a", "(other)"], 1.0, 2.0, 0.0),
            path(&["b"], 1.0, 1.0, 3.0),
        ];
        let plain = AttributionOptions {
            orders: vec![1, 2],
            ..Default::default()
        };
        assert_eq!(result, attribute(&grouped, &plain).unwrap());
        // Under the threshold of every touchpoint: all one touchpoint.
        let options = AttributionOptions {
            min_customers: 100.0,
            other: "rest".into(),
            ..Default::default()
        };
        let result = attribute(&paths, &options).unwrap();
        assert_eq!(result.heuristics.len(), 1);
        assert_eq!(result.heuristics[0].touchpoint, "rest");
        assert_eq!(result.heuristics[0].shapley, 3.0);
    }

    #[test]
    fn bad_model_options_are_refused() {
        let paths = [path(&["a"], 1.0, 1.0, 0.0)];
        for weights in [
            [-1.0, 1.0, 1.0],
            [0.0, 0.0, 0.0],
            [f64::NAN, 1.0, 1.0],
            [f64::INFINITY, 0.0, 0.0],
        ] {
            let options = AttributionOptions {
                position_weights: weights,
                ..Default::default()
            };
            let error = attribute(&paths, &options).unwrap_err();
            assert_eq!(error.code(), "invalid_option", "{weights:?}");
            assert!(error.to_string().contains("position_weights"));
        }
        for min in [-1.0, f64::NAN, f64::INFINITY] {
            let options = AttributionOptions {
                min_customers: min,
                ..Default::default()
            };
            assert_eq!(
                attribute(&paths, &options).unwrap_err().code(),
                "invalid_option"
            );
        }
    }

    /// The Shapley value by definition: every coalition of the touchpoints,
    /// a coalition worth the conversions (or value) of the paths whose
    /// touchpoints all lie in it.
    fn shapley_by_enumeration(paths: &[PathData], names: &[String]) -> Vec<[f64; 2]> {
        let n = names.len();
        let masks: Vec<(u32, f64, f64)> = paths
            .iter()
            .map(|p| {
                let mask = p.path.iter().fold(0u32, |m, step| {
                    m | 1 << names.iter().position(|name| name == step).unwrap()
                });
                (mask, p.conversions, p.value)
            })
            .collect();
        let worth = |coalition: u32| -> [f64; 2] {
            masks.iter().fold([0.0, 0.0], |[c, v], &(mask, pc, pv)| {
                if mask & !coalition == 0 {
                    [c + pc, v + pv]
                } else {
                    [c, v]
                }
            })
        };
        let factorial = |k: usize| (1..=k).map(|i| i as f64).product::<f64>();
        (0..n)
            .map(|j| {
                let mut phi = [0.0, 0.0];
                for coalition in 0u32..1 << n {
                    if coalition & 1 << j != 0 {
                        continue;
                    }
                    let size = coalition.count_ones() as usize;
                    let weight = factorial(size) * factorial(n - size - 1) / factorial(n);
                    let (with, without) = (worth(coalition | 1 << j), worth(coalition));
                    phi[0] += weight * (with[0] - without[0]);
                    phi[1] += weight * (with[1] - without[1]);
                }
                phi
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(100))]
        #[test]
        fn shapley_equals_the_enumeration_of_coalitions(
            raw in proptest::collection::vec(
                (proptest::collection::vec(0u8..7, 1..10), 0u8..4, 0u8..50, 0u8..3),
                1..25,
            ),
        ) {
            let paths: Vec<PathData> = raw
                .iter()
                .map(|(steps, c, v, n)| PathData {
                    path: steps.iter().map(|s| format!("t{s}")).collect(),
                    conversions: f64::from(*c),
                    value: f64::from(*v),
                    nulls: f64::from(*n),
                })
                .collect();
            let result = attribute(&paths, &AttributionOptions::default()).unwrap();
            let names: Vec<String> =
                result.heuristics.iter().map(|h| h.touchpoint.clone()).collect();
            let expected = shapley_by_enumeration(&paths, &names);
            for (h, [c, v]) in result.heuristics.iter().zip(expected) {
                proptest::prop_assert!((h.shapley - c).abs() < 1e-12, "{} {c}", h.shapley);
                proptest::prop_assert!((h.shapley_value - v).abs() < 1e-10, "{} {v}", h.shapley_value);
                let ordered: f64 = h.ordered_shapley.iter().sum();
                proptest::prop_assert!((ordered - h.shapley).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn removal_effects_of_sequences_by_hand() {
        let paths = [
            path(&["a", "b"], 1.0, 1.0, 0.0),
            path(&["b", "a"], 1.0, 1.0, 0.0),
        ];
        let with = |orders: Vec<u8>, sequences: &[&[&str]]| AttributionOptions {
            orders,
            sequences: sequences
                .iter()
                .map(|s| s.iter().map(|t| (*t).to_owned()).collect())
                .collect(),
            ..Default::default()
        };
        // Order 1: a and b each convert half the time and otherwise go to
        // the other; losing everyone at a → b leaves h_a = 1/2,
        // h_b = 1/2 + 1/4: P = 5/8 of 1.
        let result = attribute(
            &paths,
            &with(vec![1, 2], &[&["a", "b"], &["b", "a"], &["a"]]),
        )
        .unwrap();
        let effects = |m: &MarkovModel| -> Vec<f64> {
            m.sequences.iter().map(|s| s.removal_effect).collect()
        };
        assert_eq!(
            effects(&result.markov[0]),
            [0.375, 0.375, result.markov[0].touchpoints[0].removal_effect]
        );
        assert_eq!(result.markov[0].sequences[1].sequence, ["b", "a"]);
        // Order 2 follows the two paths: a → b loses the first.
        assert_eq!(effects(&result.markov[1])[..2], [0.5, 0.5]);
        let error = attribute(&paths, &with(vec![1], &[&["a", "b", "a"]])).unwrap_err();
        assert_eq!(error.code(), "invalid_option");
        assert!(
            error
                .to_string()
                .contains("needs a Markov order of at least 2, not 1"),
            "{error}"
        );
        let error = attribute(&paths, &with(vec![1], &[&["a", "z"]])).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("touchpoint \"z\" is not in the path data"),
            "{error}"
        );
        assert_eq!(
            attribute(&paths, &with(vec![1], &[&[]]))
                .unwrap_err()
                .code(),
            "invalid_option"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(60))]
        #[test]
        fn a_sequence_of_one_touchpoint_is_its_removal(
            raw in proptest::collection::vec(
                (proptest::collection::vec(0u8..5, 1..7), 0u8..4, 0u8..4),
                1..30,
            ),
            order in 1u8..=4,
        ) {
            let paths: Vec<PathData> = raw
                .iter()
                .filter(|(_, c, n)| c + n > 0)
                .map(|(steps, c, n)| PathData {
                    path: steps.iter().map(|s| format!("t{s}")).collect(),
                    conversions: f64::from(*c),
                    value: 0.0,
                    nulls: f64::from(*n),
                })
                .collect();
            proptest::prop_assume!(!paths.is_empty());
            let names: Vec<String> = attribute(&paths, &AttributionOptions::default())
                .unwrap()
                .heuristics
                .iter()
                .map(|h| h.touchpoint.clone())
                .collect();
            let options = AttributionOptions {
                orders: vec![order],
                sequences: names.iter().map(|n| vec![n.clone()]).collect(),
                ..Default::default()
            };
            let model = &attribute(&paths, &options).unwrap().markov[0];
            for (credit, sequence) in model.touchpoints.iter().zip(&model.sequences) {
                proptest::prop_assert!(
                    (credit.removal_effect - sequence.removal_effect).abs() < 1e-12,
                    "{} {}", credit.removal_effect, sequence.removal_effect
                );
            }
        }
    }

    #[test]
    fn the_markov_order_is_chosen_by_its_information_criterion() {
        let auto = AttributionOptions {
            orders: vec![],
            auto_order: true,
            ..Default::default()
        };
        // Whether c converts depends on the touchpoint before it: order 2.
        let paths = [
            path(&["a", "c"], 50.0, 50.0, 0.0),
            path(&["b", "c"], 0.0, 0.0, 50.0),
        ];
        let result = attribute(&paths, &auto).unwrap();
        let choice = result.order_choice.as_ref().unwrap();
        assert_eq!(choice.order, 2);
        assert_eq!(result.markov.len(), 1);
        assert_eq!(result.markov[0].order, 2);
        let ln_half = 0.5f64.ln();
        let [one, two, three, four] = &choice.scores[..] else {
            panic!("{:?}", choice.scores)
        };
        // Order 1: the starts and c's outcomes are coin flips (2 parameters).
        assert!((one.log_likelihood - 200.0 * ln_half).abs() < 1e-9);
        assert_eq!((one.parameters, one.observations), (2, 300.0));
        assert!((one.bic - (-400.0 * ln_half + 2.0 * 300f64.ln())).abs() < 1e-9);
        // Order 2: only the start is uncertain (1 parameter); 3 and 4 the same chain.
        assert!((two.log_likelihood - 100.0 * ln_half).abs() < 1e-9);
        assert_eq!((two.parameters, two.observations), (1, 300.0));
        assert_eq!((three.bic, four.bic), (two.bic, two.bic));
        // Whatever came before, c converts half the time: order 1 is enough.
        let paths = [
            path(&["a", "c"], 25.0, 25.0, 25.0),
            path(&["b", "c"], 25.0, 25.0, 25.0),
        ];
        let result = attribute(&paths, &auto).unwrap();
        assert_eq!(result.order_choice.unwrap().order, 1);
        // The chosen order is added to the requested ones, not repeated.
        let both = AttributionOptions {
            orders: vec![1, 3],
            auto_order: true,
            ..Default::default()
        };
        let orders: Vec<u8> = attribute(&paths, &both)
            .unwrap()
            .markov
            .iter()
            .map(|m| m.order)
            .collect();
        assert_eq!(orders, [1, 3]);
    }

    #[test]
    fn time_decay_from_the_touches_timestamps() {
        const DAY: i64 = 86_400_000;
        let trace = |customer: &str, steps: &[(&str, i64)]| crate::events::Trace {
            customer: customer.into(),
            session: 0,
            steps: steps
                .iter()
                .map(|&(touchpoint, timestamp)| crate::events::Step {
                    touchpoint: touchpoint.into(),
                    timestamp,
                    micros: 0,
                    channel: None,
                    known: true,
                    measures: BTreeMap::new(),
                })
                .collect(),
        };
        let traces = Traces {
            traces: vec![
                // Touches 2 days and 1 day before the goal: weights 1/4 and
                // 1/2, so a third and two thirds.
                trace("c1", &[("a", 0), ("b", DAY), ("goal", 2 * DAY)]),
                // One touch the same day: all of it.
                trace("c2", &[("b", 5 * DAY), ("goal", 5 * DAY)]),
                // No conversion: no credit.
                trace("c3", &[("a", 0), ("b", DAY)]),
            ],
            unknown_events: BTreeMap::new(),
        };
        let goals = ["goal".to_owned()];
        let values = BTreeMap::from([("goal".to_owned(), 30.0)]);
        let options = AttributionOptions {
            half_life_days: Some(1.0),
            ..Default::default()
        };
        let result = attribute_traces(&traces, &goals, &values, &options).unwrap();
        let decay: Vec<(&str, Option<f64>, Option<f64>)> = result
            .heuristics
            .iter()
            .map(|h| (h.touchpoint.as_str(), h.time_decay, h.time_decay_value))
            .collect();
        assert_eq!(
            decay,
            [
                ("a", Some(1.0 / 3.0), Some(10.0)),
                ("b", Some(1.0 + 2.0 / 3.0), Some(50.0))
            ]
        );
        // Without the option: no time-decay credit, and path data refuses it.
        let plain = attribute_traces(&traces, &goals, &values, &Default::default()).unwrap();
        assert_eq!(plain.heuristics[0].time_decay, None);
        let paths = paths_from_traces(&traces, &goals, &values);
        let error = attribute(&paths, &options).unwrap_err();
        assert_eq!(error.code(), "invalid_option");
        assert!(
            error.to_string().contains("time decay needs timestamps"),
            "{error}"
        );
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let options = AttributionOptions {
                half_life_days: Some(bad),
                ..Default::default()
            };
            let error = attribute_traces(&traces, &goals, &values, &options).unwrap_err();
            assert_eq!(error.code(), "invalid_option", "{bad}");
        }
    }

    #[test]
    fn loops_and_higher_orders() {
        let paths = [
            path(&["a", "b", "a", "c"], 3.0, 3.0, 1.0),
            path(&["a", "a"], 0.0, 0.0, 2.0),
            path(&["b", "c"], 2.0, 2.0, 2.0),
        ];
        for order in 1..=4u8 {
            let result = attribute(
                &paths,
                &AttributionOptions {
                    orders: vec![order],
                    ..Default::default()
                },
            )
            .unwrap();
            let m = &result.markov[0];
            // Higher orders reproduce the observed paths: P(conv) is the
            // observed conversion rate exactly once the order covers the paths.
            if order >= 3 {
                assert!(
                    (m.conversion_probability - 5.0 / 10.0).abs() < 1e-12,
                    "order {order}"
                );
            }
            let credited: f64 = m.touchpoints.iter().map(|t| t.conversions).sum();
            assert!((credited - 5.0).abs() < 1e-12);
            assert!(
                m.touchpoints
                    .iter()
                    .all(|t| (0.0..=1.0).contains(&t.removal_effect))
            );
        }
        let error = attribute(
            &paths,
            &AttributionOptions {
                orders: vec![5],
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(error.code(), "invalid_option");
    }

    /// Random paths of 1 to 8 steps over `touchpoints` pages.
    fn pages(paths: usize, touchpoints: u64) -> Vec<PathData> {
        let mut random = crate::synthetic::SplitMix(7);
        (0..paths)
            .map(|_| {
                let len = 1 + random.next() % 8;
                let steps: Vec<String> = (0..len)
                    .map(|_| format!("p{}", random.next() % touchpoints))
                    .collect();
                let converted = random.next().is_multiple_of(3);
                let refs: Vec<&str> = steps.iter().map(String::as_str).collect();
                path(
                    &refs,
                    f64::from(u8::from(converted)),
                    0.0,
                    f64::from(u8::from(!converted)),
                )
            })
            .collect()
    }

    /// Each touchpoint's removal effect the fast way (one factorization
    /// shared by all) against one whole solve per touchpoint.
    fn fast_against_one_solve_each(paths: &[PathData], order: usize) -> Result<(), String> {
        let table = PathTable::from(paths);
        let indexed = Indexed::new(&table);
        let chain = build_chain(&indexed, order);
        if chain.states.is_empty() {
            return Ok(());
        }
        let shared = Shared::new(&chain).map_err(|e| e.to_string())?;
        let removal = Removal::new(&chain, &shared, indexed.names.len());
        let none = vec![false; chain.states.len()];
        let base = direct(&chain, &none).map_err(|e| e.to_string())?;
        if (shared.probability - base).abs() > 1e-12 * base.max(1e-300) {
            return Err(format!("base {} against {base}", shared.probability));
        }
        for touchpoint in 0..indexed.names.len() as u32 {
            let removed: Vec<bool> = chain
                .states
                .iter()
                .map(|s| s.contains(&touchpoint))
                .collect();
            let without = direct(&chain, &removed).map_err(|e| e.to_string())?;
            let lost = removal
                .lost(&chain, &shared, touchpoint)
                .map_err(|e| e.to_string())?;
            // Relative to the conversion probability the effect divides.
            if (lost - (base - without)).abs() > 1e-12 * base {
                return Err(format!(
                    "order {order}, touchpoint {touchpoint}: lost {lost}, one solve {}",
                    base - without
                ));
            }
        }
        Ok(())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn removal_effects_the_fast_way_equal_one_solve_per_touchpoint(
            raw in proptest::collection::vec(
                (proptest::collection::vec(0u8..7, 1..9), 0u8..4, 0u8..4),
                1..40,
            ),
            order in 1usize..=4,
        ) {
            let paths: Vec<PathData> = raw
                .iter()
                .map(|(steps, c, n)| PathData {
                    path: steps.iter().map(|s| format!("t{s}")).collect(),
                    conversions: f64::from(*c),
                    value: 0.0,
                    nulls: f64::from(*n),
                })
                .collect();
            proptest::prop_assert_eq!(fast_against_one_solve_each(&paths, order), Ok(()));
        }
    }

    #[test]
    fn removal_effects_the_fast_way_on_the_hard_shapes() {
        // Many pages (nearly acyclic chains of higher orders), long paths
        // with repeats (cycles the size of the chain), and journeys.
        for order in 1..=4 {
            fast_against_one_solve_each(&pages(600, 150), order).unwrap();
            fast_against_one_solve_each(&crate::synthetic::paths(1_000, 6, 5), order).unwrap();
        }
    }

    #[test]
    fn removal_effects_past_the_work_limit_are_refused_before_the_work() {
        // 10,000 paths over 5,000 pages: orders 2 to 4 are nearly acyclic
        // and answered at once; order 1's chain fills in (every page leads
        // to pages everywhere) and would cost minutes.
        let paths = pages(10_000, 5_000);
        for order in 2..=4 {
            let options = AttributionOptions {
                orders: vec![order],
                ..Default::default()
            };
            let answered = attribute(&paths, &options).unwrap();
            assert_eq!(answered.markov[0].touchpoints.len(), 4999);
        }
        let options = AttributionOptions {
            orders: vec![1],
            ..Default::default()
        };
        let error = attribute(&paths, &options).unwrap_err();
        assert_eq!(error.code(), "limit_exceeded");
        let message = error.to_string();
        assert!(
            message.contains("order-1 removal effects (4999 touchpoints")
                && message.ends_with("above the limit of 10000000000"),
            "{message}"
        );
        // The limit is the caller's to set: a small input under a tiny one
        // is refused too, and answered under the default.
        let small = pages(50, 20);
        let tiny = AttributionOptions {
            max_work: 1_000,
            ..Default::default()
        };
        assert_eq!(
            attribute(&small, &tiny).unwrap_err().code(),
            "limit_exceeded"
        );
        let answered = attribute(&small, &AttributionOptions::default()).unwrap();
        assert!(answered.markov[0].conversion_probability > 0.0);
    }

    #[test]
    fn the_work_estimate_bounds_the_passes_made() {
        // For chains that are summed, the estimate counts the base run's
        // steps for every removal; removing states never takes more steps.
        let paths = PathTable::from(&crate::synthetic::paths(5_000, 12, 5)[..]);
        let indexed = Indexed::new(&paths);
        let chain = build_chain(&indexed, 3);
        let none = vec![false; chain.states.len()];
        let (_, base_steps) = propagate(&chain, &none).unwrap();
        for touchpoint in 0..indexed.names.len() as u32 {
            let removed: Vec<bool> = chain
                .states
                .iter()
                .map(|s| s.contains(&touchpoint))
                .collect();
            let (_, steps) = propagate(&chain, &removed).unwrap();
            assert!(steps <= base_steps, "{steps} > {base_steps}");
        }
    }

    #[test]
    fn summing_the_mass_agrees_with_the_linear_solve() {
        let paths = PathTable::from(&crate::synthetic::paths(20_000, 8, 3)[..]);
        let indexed = Indexed::new(&paths);
        for order in [1, 2] {
            let chain = build_chain(&indexed, order);
            for removed_channel in [None, Some(0), Some(3)] {
                let removed: Vec<bool> = chain
                    .states
                    .iter()
                    .map(|s| removed_channel.is_some_and(|c: u32| s.contains(&c)))
                    .collect();
                let a = direct(&chain, &removed).unwrap();
                let (b, _) = propagate(&chain, &removed).unwrap();
                assert!((a - b).abs() < 1e-13, "order {order}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn dense_chains_are_summed_and_journey_like_ones_factorized() {
        let paths = PathTable::from(&crate::synthetic::paths(20_000, 30, 3)[..]);
        let indexed = Indexed::new(&paths);
        // Order 1 over 30 channels: 30 states, factorized.
        assert_eq!(
            Method::for_chain(&build_chain(&indexed, 1)).0,
            Method::Direct
        );
        // Order 2: hundreds of states, each leading to most channels' states;
        // the factor would fill in completely.
        let chain = build_chain(&indexed, 2);
        assert!(chain.states.len() > 500, "{}", chain.states.len());
        assert_eq!(Method::for_chain(&chain).0, Method::Propagate);
        // A long journey with back jumps stays sparse: factorized.
        let steps: Vec<String> = (0..3000).map(|i| format!("t{i:04}")).collect();
        let mut table = PathTable::new();
        table.push(&steps, 1.0, 1.0, 0.0);
        table.push([&steps[10], &steps[5], &steps[11]], 0.0, 0.0, 1.0);
        let chain = build_chain(&Indexed::new(&table), 1);
        assert_eq!(chain.states.len(), 3000);
        assert_eq!(Method::for_chain(&chain).0, Method::Direct);
    }

    #[test]
    fn a_table_reads_what_path_data_holds_and_bad_rows_leave_nothing() {
        let text = "path,total_conversions,total_null\n\
                    a > b,1,2\n\
                    z > ,1,1\n\
                    y > a,-1,1\n\
                    b > a > b,0,4\n";
        let (table, report) =
            PathTable::read_csv(text.as_bytes(), &PathCsvOptions::default()).unwrap();
        assert_eq!((report.rows_used, report.rows_skipped), (2, 2));
        // The skipped rows' z and y were not kept as touchpoints.
        assert_eq!(table.touchpoints().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(table.len(), 2);
        let paths = table.to_paths();
        assert_eq!(
            paths,
            [
                path(&["a", "b"], 1.0, 0.0, 2.0),
                path(&["b", "a", "b"], 0.0, 0.0, 4.0)
            ]
        );
        assert_eq!(PathTable::from(&paths[..]).to_paths(), paths);
        assert_eq!(table.get(2), None);
        // A separator of several characters, and Unicode spaces trimmed.
        let options = PathCsvOptions {
            separator: "->".into(),
            ..PathCsvOptions::default()
        };
        let (table, _) = PathTable::read_csv(
            "path,total_conversions\n\u{a0}a -> b->c ,1\n".as_bytes(),
            &options,
        )
        .unwrap();
        assert_eq!(table.to_paths()[0].path, ["a", "b", "c"]);
        let options = AttributionOptions {
            orders: vec![1, 2, 3],
            ..Default::default()
        };
        assert_eq!(
            attribute_table(&table, &options).unwrap(),
            attribute(&table.to_paths(), &options).unwrap()
        );
    }

    #[test]
    fn path_csv_in_the_common_format() {
        let text = "path,total_conversions,total_conversion_value,total_null\n\
                    a > b > c,2,20.5,3\n\
                    b,0,,5\n\
                    a >  > c,1,1,1\n\
                    c,x,1,1\n";
        let (paths, report) = read_paths_csv(text.as_bytes(), &PathCsvOptions::default()).unwrap();
        assert_eq!(
            (report.rows_read, report.rows_used, report.rows_skipped),
            (4, 2, 2)
        );
        assert_eq!(paths[0].path, ["a", "b", "c"]);
        assert_eq!(
            (paths[0].conversions, paths[0].value, paths[0].nulls),
            (2.0, 20.5, 3.0)
        );
        assert_eq!(paths[1].value, 0.0);
        assert_eq!(report.problems[0].row, 4);
        assert!(report.problems[1].reason.contains("\"x\""));
    }
}
