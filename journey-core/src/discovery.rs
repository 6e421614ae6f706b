//! What the traces show: the directly-follows graph with counts and
//! durations, start and end counts, touchpoint frequencies, variants, and
//! measure aggregates — as a mergeable state, so that a distributed engine can
//! compute it per partition of customers and [`Discovery::merge`] the parts
//! into exactly the result of one pass.
//!
//! Everything in the state is an integer count or sum (measure values are
//! summed in millionths), so merging is exactly commutative and associative.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::events::{Cutting, EventLog, Mapping, Trace, TraceSource, TraceSpan, TraceTable};
use crate::model::Journey;

/// Measure values are summed in units of 10⁻⁶ so sums merge exactly.
const MEASURE_SCALE: f64 = 1e6;

/// Durations of one directly-follows edge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EdgeState {
    /// How often `to` directly followed `from`.
    pub count: u64,
    /// Sum of the durations, in milliseconds.
    pub total_ms: i64,
    /// Shortest duration, in milliseconds.
    pub min_ms: i64,
    /// Longest duration, in milliseconds.
    pub max_ms: i64,
    /// Log-scale histogram of durations (bucket → count) for the median and
    /// p90 estimates: bucket `b` holds durations in `[1.05^(b-1), 1.05^b)` ms
    /// (bucket 0 holds 0 ms).
    pub histogram: BTreeMap<u32, u64>,
}

/// Aggregates of one measure at one touchpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MeasureState {
    /// Values seen.
    pub count: u64,
    /// Sum of the values, in millionths: exact while it stays within
    /// ±1.7 × 10³² (each value within ±1.7 × 10³² as well; beyond, it
    /// saturates at the bound, never wraps).
    pub sum_micros: i128,
    /// Values of 9 or more (NPS promoters).
    pub promoters: u64,
    /// Values of 6 or less (NPS detractors).
    pub detractors: u64,
    /// Values of 4 or more (satisfied, on a 1–5 CSAT scale).
    pub satisfied: u64,
}

/// The mergeable discovery state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Discovery {
    /// Traces seen.
    pub traces: u64,
    /// Steps seen.
    pub steps: u64,
    /// Occurrences of each touchpoint.
    pub frequencies: BTreeMap<String, u64>,
    /// Traces starting at each touchpoint.
    pub starts: BTreeMap<String, u64>,
    /// Traces ending at each touchpoint.
    pub ends: BTreeMap<String, u64>,
    /// Directly-follows edges: from → to → durations.
    pub edges: BTreeMap<String, BTreeMap<String, EdgeState>>,
    /// Variants: the touchpoint sequence of a trace as [`variant_key`]
    /// writes it (read back by [`variant_steps`]) → count.
    pub variants: BTreeMap<String, u64>,
    /// Measures: touchpoint → measure key → aggregates.
    pub measures: BTreeMap<String, BTreeMap<String, MeasureState>>,
}

/// Joins the steps of a variant key.
pub const VARIANT_SEPARATOR: char = '\u{1f}';

/// Precedes a [`VARIANT_SEPARATOR`] or a `VARIANT_ESCAPE` that is part of
/// a step's name in a variant key, so that any name is safe in a key.
pub const VARIANT_ESCAPE: char = '\u{1b}';

/// The key of a variant in [`Discovery::variants`]: its steps joined with
/// [`VARIANT_SEPARATOR`], each separator or [`VARIANT_ESCAPE`] within a
/// name escaped; distinct step lists have distinct keys.
pub fn variant_key<S: AsRef<str>>(steps: impl IntoIterator<Item = S>) -> String {
    let mut key = String::new();
    for (k, step) in steps.into_iter().enumerate() {
        if k > 0 {
            key.push(VARIANT_SEPARATOR);
        }
        push_escaped(&mut key, step.as_ref());
    }
    key
}

fn push_escaped(key: &mut String, name: &str) {
    if name.contains([VARIANT_SEPARATOR, VARIANT_ESCAPE]) {
        for c in name.chars() {
            if c == VARIANT_SEPARATOR || c == VARIANT_ESCAPE {
                key.push(VARIANT_ESCAPE);
            }
            key.push(c);
        }
    } else {
        key.push_str(name);
    }
}

/// The steps of a variant key written by [`variant_key`].
pub fn variant_steps(key: &str) -> Vec<String> {
    let mut steps = Vec::new();
    let mut step = String::new();
    let mut chars = key.chars();
    while let Some(c) = chars.next() {
        match c {
            VARIANT_ESCAPE => step.extend(chars.next()),
            VARIANT_SEPARATOR => steps.push(std::mem::take(&mut step)),
            c => step.push(c),
        }
    }
    steps.push(step);
    steps
}

/// Bucket boundaries `1.05^b`, by repeated multiplication: basic IEEE
/// operations round the same way on every platform (wasm included), unlike
/// `ln` and `powf`, so every front puts a duration in the same bucket.
fn boundaries() -> &'static [f64] {
    static TABLE: std::sync::OnceLock<Vec<f64>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![1.0];
        let mut value = 1.0f64;
        while value < i64::MAX as f64 {
            value *= 1.05;
            table.push(value);
        }
        table
    })
}

/// Each power of two `2^e` cut in 16 steps: for `v = 2^e · (16 + m) / 16`,
/// the index of the first boundary ≥ `v`, at `16 e + m`. Consecutive steps
/// are at most 17/16 apart, closer than two boundaries (1.05² apart), so at
/// most two boundaries lie between a step and the next.
fn first_at_step() -> &'static [u16; 1024] {
    static TABLE: std::sync::OnceLock<[u16; 1024]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let bounds = boundaries();
        std::array::from_fn(|i| {
            let (e, m) = (i / 16, i % 16);
            // Exact in f64: five significant bits times a power of two.
            let step = (16 + m) as f64 * 2f64.powi(e as i32) / 16.0;
            bounds.partition_point(|&bound| bound < step) as u16
        })
    })
}

fn bucket(ms: i64) -> u32 {
    if ms <= 0 {
        return 0;
    }
    // The number of boundaries ≤ ms: bucket b covers [1.05^(b-1), 1.05^b).
    // Those below the step of ms (its power of two and the next four bits)
    // are counted by the table; at most two lie between that step and ms.
    let bounds = boundaries();
    let power = 63 - ms.leading_zeros();
    let fraction = if power >= 4 {
        (ms >> (power - 4)) & 15
    } else {
        (ms << (4 - power)) & 15
    };
    let mut index = usize::from(first_at_step()[(power * 16) as usize + fraction as usize]);
    let ms = ms as f64;
    while index < bounds.len() && bounds[index] <= ms {
        index += 1;
    }
    index as u32
}

fn bucket_value(b: u32) -> f64 {
    match b {
        0 => 0.0,
        // Geometric middle of the bucket: 1.05^(b-1) · √1.05.
        b => boundaries()[b as usize - 1] * 1.05f64.sqrt(),
    }
}

/// Adds a non-empty (count, total, min, max) of durations to another.
fn combine(mine: (&mut u64, &mut i64, &mut i64, &mut i64), other: (u64, i64, i64, i64)) {
    let (count, total, min, max) = mine;
    if *count == 0 {
        (*min, *max) = (other.2, other.3);
    } else {
        (*min, *max) = ((*min).min(other.2), (*max).max(other.3));
    }
    *count += other.0;
    *total = total.saturating_add(other.1);
}

impl EdgeState {
    fn merge(&mut self, other: &EdgeState) {
        if other.count == 0 {
            return;
        }
        combine(
            (
                &mut self.count,
                &mut self.total_ms,
                &mut self.min_ms,
                &mut self.max_ms,
            ),
            (other.count, other.total_ms, other.min_ms, other.max_ms),
        );
        for (b, n) in &other.histogram {
            *self.histogram.entry(*b).or_default() += n;
        }
    }

    /// Estimated quantile `q` (0..1) of the durations, in milliseconds,
    /// within 5% of the true value and clamped to the observed range.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (b, n) in &self.histogram {
            seen += n;
            if seen >= rank {
                return bucket_value(*b).clamp(self.min_ms as f64, self.max_ms as f64);
            }
        }
        self.max_ms as f64
    }
}

impl MeasureState {
    fn add(&mut self, value: f64) {
        self.count += 1;
        self.sum_micros = self
            .sum_micros
            .saturating_add((value * MEASURE_SCALE).round() as i128);
        if value >= 9.0 {
            self.promoters += 1;
        }
        if value <= 6.0 {
            self.detractors += 1;
        }
        if value >= 4.0 {
            self.satisfied += 1;
        }
    }

    fn merge(&mut self, other: &MeasureState) {
        self.count += other.count;
        self.sum_micros = self.sum_micros.saturating_add(other.sum_micros);
        self.promoters += other.promoters;
        self.detractors += other.detractors;
        self.satisfied += other.satisfied;
    }

    /// The mean value.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum_micros as f64 / MEASURE_SCALE / self.count as f64
        }
    }

    /// Net Promoter Score from 0–10 answers: % promoters (9–10) − % detractors (0–6).
    pub fn nps(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            100.0 * (self.promoters as f64 - self.detractors as f64) / self.count as f64
        }
    }

    /// CSAT as the share of satisfied answers (4–5 on a 1–5 scale).
    pub fn csat_share(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.satisfied as f64 / self.count as f64
        }
    }
}

impl Discovery {
    /// An empty state.
    pub fn new() -> Discovery {
        Discovery::default()
    }

    /// The state of these traces. A million steps or more are tallied on
    /// several threads (scoped; never in WebAssembly), with the same result.
    pub fn from_traces(traces: &impl TraceSource) -> Discovery {
        Tally::of(&traces.table()).into_discovery()
    }

    /// The state of a log's traces, cut as [`EventLog::trace_table`] cuts
    /// them: the same result as `Discovery::from_traces(&log.trace_table(..))`
    /// without building the table (each customer's traces are tallied as
    /// they are cut), so faster and in less memory. A million events or more
    /// are tallied on several threads. WebAssembly builds go through the
    /// table (one thread there, and less code to ship).
    pub fn from_log(log: &EventLog, journey: Option<&Journey>, mapping: &Mapping) -> Discovery {
        if cfg!(target_arch = "wasm32") {
            // One thread there; through the table is less code to ship.
            return Discovery::from_traces(&log.trace_table(journey, mapping));
        }
        Discovery::from_log_in(
            log,
            journey,
            mapping,
            crate::parallel::parallelism(log.len()),
        )
    }

    /// [`Discovery::from_log`] in `parts` ranges of customers.
    pub(crate) fn from_log_in(
        log: &EventLog,
        journey: Option<&Journey>,
        mapping: &Mapping,
        parts: usize,
    ) -> Discovery {
        let (header, cutting) = log.cutting(journey, mapping);
        let new = || Tally::new(&header);
        let add = |tally: &mut Tally<'_, '_>, scratch: &TraceTable<'_>| {
            tally.add(scratch, &scratch.traces);
        };
        tally_log(log, cutting, mapping, parts, new, add, Tally::merge).into_discovery()
    }

    /// [`Discovery::from_log`] and [`data_funnel_from_log`] in one pass over
    /// the log (each customer's events cut once).
    pub fn with_funnel_from_log(
        log: &EventLog,
        journey: &Journey,
        mapping: &Mapping,
    ) -> (Discovery, Vec<DataFunnelStage>) {
        let parts = crate::parallel::parallelism(log.len());
        let (header, cutting) = log.cutting(Some(journey), mapping);
        let results = tally_log(
            log,
            cutting,
            mapping,
            parts,
            || (Tally::new(&header), FunnelTally::new(&header, journey)),
            |(tally, funnel), scratch| {
                tally.add(scratch, &scratch.traces);
                funnel.add(scratch);
            },
            |(tally, funnel), (other_tally, other_funnel)| {
                tally.merge(other_tally);
                funnel.merge(other_funnel);
            },
        );
        let (tally, funnel) = results;
        (tally.into_discovery(), funnel.finish(journey))
    }

    /// Adds one trace.
    pub fn add_trace(&mut self, trace: &Trace) {
        self.merge(&Tally::of(&TraceTable::of(std::slice::from_ref(trace))).into_discovery());
    }

    /// Adds another state, computed over other customers. Merging is
    /// commutative and associative: any split of the customers into parts,
    /// merged in any order, gives the state of the whole.
    pub fn merge(&mut self, other: &Discovery) {
        self.traces += other.traces;
        self.steps += other.steps;
        for (target, source) in [
            (&mut self.frequencies, &other.frequencies),
            (&mut self.starts, &other.starts),
            (&mut self.ends, &other.ends),
            (&mut self.variants, &other.variants),
        ] {
            for (key, count) in source {
                *target.entry(key.clone()).or_default() += count;
            }
        }
        for (from, targets) in &other.edges {
            let mine = self.edges.entry(from.clone()).or_default();
            for (to, edge) in targets {
                mine.entry(to.clone()).or_default().merge(edge);
            }
        }
        for (touchpoint, keys) in &other.measures {
            let mine = self.measures.entry(touchpoint.clone()).or_default();
            for (key, state) in keys {
                mine.entry(key.clone()).or_default().merge(state);
            }
        }
    }

    /// A readable summary: edges sorted by count, the top `top` variants.
    pub fn report(&self, top: usize) -> DiscoveryReport {
        let mut edges: Vec<DirectlyFollows> = self
            .edges
            .iter()
            .flat_map(|(from, targets)| {
                targets.iter().map(move |(to, edge)| DirectlyFollows {
                    from: from.clone(),
                    to: to.clone(),
                    count: edge.count,
                    mean_ms: edge.total_ms as f64 / edge.count.max(1) as f64,
                    min_ms: edge.min_ms,
                    max_ms: edge.max_ms,
                    median_ms: edge.quantile_ms(0.5),
                    p90_ms: edge.quantile_ms(0.9),
                })
            })
            .collect();
        crate::order::sort_by(&mut edges, |a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.from.cmp(&b.from))
                .then_with(|| a.to.cmp(&b.to))
        });
        // Sorted as keys, then only the top ones split into lists. Keys
        // compare as their lists do (touchpoint by touchpoint) when no
        // name holds a character below the separator (the escape among
        // them); else split.
        let mut keys: Vec<(&String, u64)> = self.variants.iter().map(|(k, c)| (k, *c)).collect();
        let plain = keys
            .iter()
            .all(|(key, _)| key.bytes().all(|b| b >= VARIANT_SEPARATOR as u8));
        crate::order::sort_by(&mut keys, |a, b| {
            b.1.cmp(&a.1).then_with(|| {
                if plain {
                    a.0.cmp(b.0)
                } else {
                    variant_steps(a.0).cmp(&variant_steps(b.0))
                }
            })
        });
        let variant_count = keys.len();
        let variants: Vec<Variant> = keys
            .into_iter()
            .take(top)
            .map(|(key, count)| Variant {
                touchpoints: variant_steps(key),
                count,
            })
            .collect();
        let measures = self
            .measures
            .iter()
            .flat_map(|(touchpoint, keys)| {
                keys.iter().map(move |(key, state)| MeasureSummary {
                    touchpoint: touchpoint.clone(),
                    measure: key.clone(),
                    count: state.count,
                    mean: state.mean(),
                    nps: (key == "nps").then(|| state.nps()),
                    csat_share: (key == "csat").then(|| state.csat_share()),
                })
            })
            .collect();
        DiscoveryReport {
            traces: self.traces,
            steps: self.steps,
            frequencies: self.frequencies.clone(),
            starts: self.starts.clone(),
            ends: self.ends.clone(),
            edges,
            variant_count,
            variants,
            measures,
        }
    }
}

/// One edge of the directly-follows graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DirectlyFollows {
    /// The earlier touchpoint.
    pub from: String,
    /// The touchpoint that directly followed it.
    pub to: String,
    /// How often.
    pub count: u64,
    /// Mean time between them, in milliseconds.
    pub mean_ms: f64,
    /// Shortest time, in milliseconds.
    pub min_ms: i64,
    /// Longest time, in milliseconds.
    pub max_ms: i64,
    /// Median estimate (within 5%), in milliseconds.
    pub median_ms: f64,
    /// 90th-percentile estimate (within 5%), in milliseconds.
    pub p90_ms: f64,
}

/// A distinct touchpoint sequence and how many traces follow it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Variant {
    /// The sequence.
    pub touchpoints: Vec<String>,
    /// Traces that follow it exactly.
    pub count: u64,
}

/// Aggregates of one measure at one touchpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeasureSummary {
    /// The touchpoint.
    pub touchpoint: String,
    /// The measure key.
    pub measure: String,
    /// Values seen.
    pub count: u64,
    /// Their mean (CES is reported this way).
    pub mean: f64,
    /// For `nps`: % promoters (9–10) − % detractors (0–6).
    pub nps: Option<f64>,
    /// For `csat`: the share of answers of 4–5 on a 1–5 scale.
    pub csat_share: Option<f64>,
}

/// Discovery over touchpoint and key numbers, turned into the string-keyed
/// [`Discovery`] once at the end.
struct Tally<'t, 'a> {
    table: &'t TraceTable<'a>,
    frequencies: Vec<u64>,
    starts: Vec<u64>,
    ends: Vec<u64>,
    /// Edges in order of first appearance, found through `edge_index`.
    edges: Vec<((u32, u32), EdgeTally)>,
    edge_index: EdgeIndex,
    variants: hashbrown::HashMap<Box<[u32]>, u64>,
    /// Per (touchpoint, measure key), by position in `measures`.
    measure_index: hashbrown::HashMap<(u32, u32), u32>,
    measures: Vec<((u32, u32), MeasureState)>,
}

/// An edge's durations, with a dense histogram (index = bucket; at most
/// about 900 buckets cover every i64 duration).
#[derive(Default)]
struct EdgeTally {
    count: u64,
    total_ms: i64,
    min_ms: i64,
    max_ms: i64,
    histogram: Vec<u64>,
}

/// Up to this many touchpoints, edges are found in an n × n table.
const DENSE_EDGES: usize = 256;

/// Where each (from, to) edge is in `Tally::edges`.
enum EdgeIndex {
    Dense(Vec<u32>, usize),
    Hashed(hashbrown::HashMap<(u32, u32), u32>),
}

impl<'t, 'a> Tally<'t, 'a> {
    /// The state of measure `key` at a touchpoint, added when new.
    fn measure(&mut self, key: (u32, u32)) -> &mut MeasureState {
        let measures = &mut self.measures;
        let at = *self.measure_index.entry(key).or_insert_with(|| {
            measures.push((key, MeasureState::default()));
            measures.len() as u32 - 1
        });
        &mut measures[at as usize].1
    }

    /// The index of edge `from → to`, added when new.
    fn edge(&mut self, from: u32, to: u32) -> usize {
        let next = self.edges.len() as u32;
        let index = match &mut self.edge_index {
            EdgeIndex::Dense(table, n) => {
                let cell = &mut table[from as usize * *n + to as usize];
                if *cell == u32::MAX {
                    *cell = next;
                }
                *cell
            }
            EdgeIndex::Hashed(map) => *map.entry((from, to)).or_insert(next),
        };
        if index == next {
            self.edges.push(((from, to), EdgeTally::default()));
        }
        index as usize
    }

    /// The tally of the whole table: parts of its traces on several threads
    /// for large tables, merged (integer counts and sums, so the result is
    /// the same as one pass).
    fn of(table: &'t TraceTable<'a>) -> Tally<'t, 'a> {
        Tally::in_parts(table, crate::parallel::parallelism(table.steps()))
    }

    /// The tally of the whole table in `parts` parts.
    fn in_parts(table: &'t TraceTable<'a>, parts: usize) -> Tally<'t, 'a> {
        if parts <= 1 {
            return Tally::over(table, &table.traces);
        }
        let size = table.traces.len().div_ceil(parts).max(1);
        let parts = table.traces.chunks(size).collect();
        let mut tallies =
            crate::parallel::fan_out(parts, |spans| Tally::over(table, spans)).into_iter();
        let Some(mut tally) = tallies.next() else {
            return Tally::over(table, &[]);
        };
        for other in tallies {
            tally.merge(other);
        }
        tally
    }

    /// Adds another tally of the same table.
    fn merge(&mut self, other: Tally<'t, 'a>) {
        for (mine, theirs) in [
            (&mut self.frequencies, &other.frequencies),
            (&mut self.starts, &other.starts),
            (&mut self.ends, &other.ends),
        ] {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
        for ((from, to), edge) in other.edges {
            let index = self.edge(from, to);
            self.edges[index].1.merge(edge);
        }
        for (variant, count) in other.variants {
            *self.variants.entry(variant).or_default() += count;
        }
        for (key, state) in other.measures {
            self.measure(key).merge(&state);
        }
    }

    /// The tally of these spans of the table.
    fn over(table: &'t TraceTable<'a>, spans: &[TraceSpan<'a>]) -> Tally<'t, 'a> {
        let mut tally = Tally::new(table);
        tally.add(table, spans);
        tally
    }

    /// An empty tally over the touchpoints and keys of `table`.
    fn new(table: &'t TraceTable<'a>) -> Tally<'t, 'a> {
        let n = table.touchpoints.len();
        Tally {
            table,
            frequencies: vec![0; n],
            starts: vec![0; n],
            ends: vec![0; n],
            edges: Vec::new(),
            edge_index: if n <= DENSE_EDGES {
                EdgeIndex::Dense(vec![u32::MAX; n * n], n)
            } else {
                EdgeIndex::Hashed(Default::default())
            },
            variants: Default::default(),
            measure_index: Default::default(),
            measures: Vec::new(),
        }
    }

    /// Adds these spans of `steps`, a table with the same touchpoints and keys.
    fn add(&mut self, table: &TraceTable<'_>, spans: &[TraceSpan<'_>]) {
        for span in spans {
            let (start, end) = (span.start as usize, span.end as usize);
            let touchpoints = &table.touchpoint[start..end];
            let (Some(&first), Some(&last)) = (touchpoints.first(), touchpoints.last()) else {
                continue;
            };
            self.starts[first as usize] += 1;
            self.ends[last as usize] += 1;
            for step in start..end {
                let touchpoint = table.touchpoint[step];
                self.frequencies[touchpoint as usize] += 1;
                for &(key, value) in &table.measures[table.measure_range(step)] {
                    self.measure((touchpoint, key)).add(value);
                }
                if step > start {
                    let from = table.touchpoint[step - 1];
                    let micros = table.time[step].saturating_sub(table.time[step - 1]);
                    let ms = micros.div_euclid(1000);
                    let edge = self.edge(from, touchpoint);
                    self.edges[edge].1.add(ms);
                }
            }
            match self.variants.get_mut(touchpoints) {
                Some(count) => *count += 1,
                None => {
                    self.variants.insert(touchpoints.into(), 1);
                }
            }
        }
    }

    fn into_discovery(self) -> Discovery {
        let names = &self.table.touchpoints;
        let name = |t: u32| names[t as usize].to_owned();
        let counts = |counts: &[u64]| -> BTreeMap<String, u64> {
            crate::order::map(
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(t, n)| (names[t].to_owned(), *n)),
            )
        };
        let mut discovery = Discovery {
            traces: self.starts.iter().sum(),
            steps: self.frequencies.iter().sum(),
            frequencies: counts(&self.frequencies),
            starts: counts(&self.starts),
            ends: counts(&self.ends),
            ..Discovery::default()
        };
        for ((from, to), edge) in self.edges {
            let histogram = crate::order::map(
                edge.histogram
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(b, n)| (b as u32, *n)),
            );
            let state = EdgeState {
                count: edge.count,
                total_ms: edge.total_ms,
                min_ms: edge.min_ms,
                max_ms: edge.max_ms,
                histogram,
            };
            discovery
                .edges
                .entry(name(from))
                .or_default()
                .insert(name(to), state);
        }
        discovery.variants =
            crate::order::map(self.variants.iter().map(|(touchpoints, &count)| {
                let length: usize = touchpoints
                    .iter()
                    .map(|&t| names[t as usize].len() + 1)
                    .sum();
                let mut key = String::with_capacity(length);
                for (k, &t) in touchpoints.iter().enumerate() {
                    if k > 0 {
                        key.push(VARIANT_SEPARATOR);
                    }
                    push_escaped(&mut key, names[t as usize]);
                }
                (key, count)
            }));
        for ((touchpoint, key), state) in self.measures {
            discovery
                .measures
                .entry(name(touchpoint))
                .or_default()
                .insert(self.table.keys[key as usize].to_owned(), state);
        }
        discovery
    }
}

impl EdgeTally {
    fn merge(&mut self, other: EdgeTally) {
        if other.count == 0 {
            return;
        }
        combine(
            (
                &mut self.count,
                &mut self.total_ms,
                &mut self.min_ms,
                &mut self.max_ms,
            ),
            (other.count, other.total_ms, other.min_ms, other.max_ms),
        );
        if other.histogram.len() > self.histogram.len() {
            self.histogram.resize(other.histogram.len(), 0);
        }
        for (mine, theirs) in self.histogram.iter_mut().zip(other.histogram) {
            *mine += theirs;
        }
    }

    fn add(&mut self, ms: i64) {
        combine(
            (
                &mut self.count,
                &mut self.total_ms,
                &mut self.min_ms,
                &mut self.max_ms,
            ),
            (1, ms, ms, ms),
        );
        let b = bucket(ms) as usize;
        if b >= self.histogram.len() {
            self.histogram.resize(b + 1, 0);
        }
        self.histogram[b] += 1;
    }
}

/// A readable summary of a [`Discovery`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DiscoveryReport {
    /// Traces seen.
    pub traces: u64,
    /// Steps seen.
    pub steps: u64,
    /// Occurrences of each touchpoint.
    pub frequencies: BTreeMap<String, u64>,
    /// Traces starting at each touchpoint.
    pub starts: BTreeMap<String, u64>,
    /// Traces ending at each touchpoint.
    pub ends: BTreeMap<String, u64>,
    /// The directly-follows graph, most frequent edge first.
    pub edges: Vec<DirectlyFollows>,
    /// Distinct variants in all.
    pub variant_count: usize,
    /// The most frequent variants.
    pub variants: Vec<Variant>,
    /// Measure aggregates per touchpoint.
    pub measures: Vec<MeasureSummary>,
}

/// One stage of the funnel measured on traces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DataFunnelStage {
    /// The stage id.
    pub stage: String,
    /// Traces that reach this stage or a later one.
    pub traces: u64,
    /// Share of those that go on to a later stage; `None` for the last stage
    /// or when none reach this one.
    pub conversion: Option<f64>,
    /// Median time from first reaching this stage (or later) to first
    /// reaching a later one, in milliseconds, over the traces that do.
    pub median_ms_to_next: Option<f64>,
}

/// The stage funnel measured on traces: how many reach each stage (or a later
/// one), stage-to-stage conversion, and the median time between stages.
/// Steps whose touchpoint is not in the journey are ignored.
pub fn data_funnel(traces: &impl TraceSource, journey: &Journey) -> Vec<DataFunnelStage> {
    let table = traces.table();
    let mut funnel = FunnelTally::new(&table, journey);
    funnel.add(&table);
    funnel.finish(journey)
}

/// [`data_funnel`] of a log's traces, cut as [`EventLog::trace_table`]
/// cuts them, without building the table (each customer's traces are
/// counted as they are cut): the same result, faster and in less memory.
pub fn data_funnel_from_log(
    log: &EventLog,
    journey: &Journey,
    mapping: &Mapping,
) -> Vec<DataFunnelStage> {
    data_funnel_from_log_in(
        log,
        journey,
        mapping,
        crate::parallel::parallelism(log.len()),
    )
}

fn data_funnel_from_log_in(
    log: &EventLog,
    journey: &Journey,
    mapping: &Mapping,
    parts: usize,
) -> Vec<DataFunnelStage> {
    let (header, cutting) = log.cutting(Some(journey), mapping);
    let new = || FunnelTally::new(&header, journey);
    tally_log(
        log,
        cutting,
        mapping,
        parts,
        new,
        FunnelTally::add,
        FunnelTally::merge,
    )
    .finish(journey)
}

/// Cuts the log's customers into traces in `parts` ranges (on as many
/// threads) and feeds each customer's traces, as a small table, to that
/// part's tally (made by `new`); the parts' tallies merged in customer
/// order.
fn tally_log<'a, T: Send>(
    log: &'a EventLog,
    cutting: Cutting,
    mapping: &'a Mapping,
    parts: usize,
    new: impl Fn() -> T + Sync,
    add: impl Fn(&mut T, &TraceTable<'a>) + Sync,
    merge: impl Fn(&mut T, T),
) -> T {
    let tallies = log
        .cut_in_parts(cutting, mapping, parts, |customers, cut| {
            let mut tally = new();
            let mut scratch = TraceTable::default();
            for customer in customers {
                cut(customer, &mut scratch);
                add(&mut tally, &scratch);
                scratch.clear_steps();
            }
            tally
        })
        .into_iter()
        .map(|(tally, _)| tally);
    let mut total = new();
    for tally in tallies {
        merge(&mut total, tally);
    }
    total
}

/// The data funnel's counts over some traces; parts merge.
struct FunnelTally {
    /// The stage position of each touchpoint of the table.
    stage_of: Vec<Option<usize>>,
    reached: Vec<u64>,
    /// Per stage, the times from reaching it to reaching the next.
    gaps: Vec<Vec<i64>>,
    /// `first[s]`: the first time the trace is at stage ≥ `s`.
    first: Vec<Option<i64>>,
}

impl FunnelTally {
    fn new(table: &TraceTable<'_>, journey: &Journey) -> FunnelTally {
        let stages = journey.touchpoint_stage_positions();
        let n = journey.stages.len();
        FunnelTally {
            stage_of: table
                .touchpoints
                .iter()
                .map(|touchpoint| {
                    let position = stages.get(touchpoint).copied();
                    position.filter(|&p| p != crate::model::NO_STAGE)
                })
                .collect(),
            reached: vec![0; n],
            gaps: vec![Vec::new(); n],
            first: vec![None; n],
        }
    }

    /// Adds the traces of `table` (with the touchpoints this tally was made for).
    fn add(&mut self, table: &TraceTable<'_>) {
        let n = self.reached.len();
        for span in &table.traces {
            self.first.iter_mut().for_each(|slot| *slot = None);
            for step in span.start as usize..span.end as usize {
                if let Some(s) = self.stage_of[table.touchpoint[step] as usize] {
                    for slot in self.first.iter_mut().take(s + 1) {
                        if slot.is_none() {
                            *slot = Some(table.time[step]);
                        }
                    }
                }
            }
            for s in 0..n {
                if let Some(at) = self.first[s] {
                    self.reached[s] += 1;
                    if let Some(Some(next)) = self.first.get(s + 1) {
                        self.gaps[s].push(next.saturating_sub(at).div_euclid(1000));
                    }
                }
            }
        }
    }

    fn merge(&mut self, other: FunnelTally) {
        for (mine, theirs) in self.reached.iter_mut().zip(other.reached) {
            *mine += theirs;
        }
        for (mine, theirs) in self.gaps.iter_mut().zip(other.gaps) {
            mine.extend(theirs);
        }
    }

    fn finish(mut self, journey: &Journey) -> Vec<DataFunnelStage> {
        let reached = &self.reached;
        journey
            .stages
            .iter()
            .enumerate()
            .map(|(s, stage)| {
                let mut times = std::mem::take(&mut self.gaps[s]);
                crate::order::sort_by(&mut times, Ord::cmp);
                let median = match times.len() {
                    0 => None,
                    len if len % 2 == 1 => Some(times[len / 2] as f64),
                    len => Some((times[len / 2 - 1] as f64 + times[len / 2] as f64) / 2.0),
                };
                DataFunnelStage {
                    stage: stage.id.clone(),
                    traces: reached[s],
                    conversion: match reached.get(s + 1) {
                        Some(&next) if reached[s] > 0 => Some(next as f64 / reached[s] as f64),
                        _ => None,
                    },
                    median_ms_to_next: median,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Event, EventLog, Mapping, UnknownEvents};

    fn log(rows: &[(&str, i64, &str)]) -> EventLog {
        let mut log = EventLog::new();
        for &(customer, time, name) in rows {
            log.push(&Event::new(customer, time, name)).unwrap();
        }
        log
    }

    #[test]
    fn variants_of_equal_count_are_ordered_touchpoint_by_touchpoint() {
        // With a name holding a character below the separator, joined keys
        // would order differently from the lists; the lists' order holds.
        for control in ["", "\u{1}"] {
            let second = format!("a{control}");
            let log = log(&[
                ("c1", 0, "a"),
                ("c1", 1, "z"),
                ("c2", 0, &second),
                ("c3", 0, "b"),
                ("c4", 0, "b"),
            ]);
            let report = Discovery::from_traces(&log.traces(None, &Mapping::default())).report(10);
            let order: Vec<Vec<String>> = report
                .variants
                .iter()
                .map(|v| v.touchpoints.clone())
                .collect();
            let mut expected = vec![vec!["a".to_owned(), "z".to_owned()], vec![second.clone()]];
            expected.sort();
            expected.insert(0, vec!["b".to_owned()]);
            assert_eq!(order, expected, "{control:?}");
        }
    }

    #[test]
    fn names_with_the_separator_or_the_escape_are_their_own_variants() {
        // "a␟b" as one step and "a", "b" as two: two variants, each counted.
        let sep = VARIANT_SEPARATOR;
        let esc = VARIANT_ESCAPE;
        let joined = format!("a{sep}b");
        let escaped = format!("a{esc}");
        let both = format!("{esc}{sep}{esc}{esc}");
        let log = log(&[
            ("c1", 0, &joined),
            ("c2", 0, "a"),
            ("c2", 1, "b"),
            ("c3", 0, "a"),
            ("c3", 1, "b"),
            ("c4", 0, &escaped),
            ("c4", 1, "b"),
            ("c5", 0, &both),
            ("c6", 0, "\u{0}\n\u{7f}"),
        ]);
        let discovery = Discovery::from_traces(&log.traces(None, &Mapping::default()));
        assert_eq!(discovery.variants.len(), 5);
        let report = discovery.report(10);
        let variants: Vec<(Vec<String>, u64)> = report
            .variants
            .iter()
            .map(|v| (v.touchpoints.clone(), v.count))
            .collect();
        let s = |list: &[&str]| list.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        assert_eq!(
            variants,
            [
                (s(&["a", "b"]), 2),
                (s(&["\u{0}\n\u{7f}"]), 1),
                (s(&[&both]), 1),
                (s(&[&escaped, "b"]), 1),
                (s(&[&joined]), 1),
            ]
        );
        for (steps, _) in &variants {
            assert_eq!(&variant_steps(&variant_key(steps)), steps);
        }
        // Merged with itself: every count doubles, none overwrites another.
        let mut twice = discovery.clone();
        twice.merge(&discovery);
        assert!(
            twice
                .variants
                .iter()
                .all(|(k, &c)| c == 2 * discovery.variants[k])
        );
        assert_eq!(variant_steps(""), [""]);
        assert_eq!(variant_key(Vec::<String>::new()), "");
    }

    #[test]
    fn directly_follows_starts_ends_and_variants() {
        let log = log(&[
            ("a", 0, "x"),
            ("a", 1000, "y"),
            ("a", 3000, "z"),
            ("b", 0, "x"),
            ("b", 4000, "y"),
            ("c", 0, "y"),
        ]);
        let discovery = Discovery::from_traces(&log.traces(None, &Mapping::default()));
        let report = discovery.report(10);
        assert_eq!((report.traces, report.steps), (3, 6));
        assert_eq!(report.starts, [("x".into(), 2), ("y".into(), 1)].into());
        assert_eq!(report.ends, [("y".into(), 2), ("z".into(), 1)].into());
        let xy = &report.edges[0];
        assert_eq!((xy.from.as_str(), xy.to.as_str(), xy.count), ("x", "y", 2));
        assert_eq!((xy.min_ms, xy.max_ms, xy.mean_ms), (1000, 4000, 2500.0));
        // The median estimate is within 5% of 1000 (the lower middle of two).
        assert!((xy.median_ms - 1000.0).abs() <= 50.0, "{}", xy.median_ms);
        assert!((xy.p90_ms - 4000.0).abs() <= 200.0, "{}", xy.p90_ms);
        assert_eq!(report.variant_count, 3);
        assert_eq!(report.variants[0].count, 1);
        assert_eq!(report.variants[0].touchpoints, ["x", "y"]);
    }

    #[test]
    fn buckets_agree_with_a_search_of_the_boundaries() {
        let search = |ms: i64| boundaries().partition_point(|&bound| bound <= ms as f64) as u32;
        let mut ms = 1i64;
        while ms < i64::MAX / 3 {
            for probe in [ms - 1, ms, ms + 1, ms * 2 - 1] {
                assert_eq!(
                    bucket(probe),
                    if probe <= 0 { 0 } else { search(probe) },
                    "{probe}"
                );
            }
            ms = ms * 3 / 2 + 1;
        }
        for bound in boundaries().iter().take(800) {
            let ms = *bound as i64;
            assert_eq!(bucket(ms), search(ms), "{ms}");
            assert_eq!(bucket(ms + 1), search(ms + 1), "{}", ms + 1);
        }
        assert_eq!(bucket(i64::MAX), search(i64::MAX));
    }

    #[test]
    fn tallies_in_parallel_parts_merge_to_the_one_pass_result() {
        let mut rows = Vec::new();
        for k in 0..3000i64 {
            let customer = format!("u{}", (k * 7919) % 97);
            rows.push((
                customer,
                (k * 37) % 5000,
                ["a", "b", "c", "d"][(k % 4) as usize],
            ));
        }
        let mut log = EventLog::new();
        for (customer, time, name) in &rows {
            log.push_parts(customer, *time, name, None, &[("csat", (time % 5) as f64)])
                .unwrap();
        }
        let mapping = Mapping::default();
        let table = log.trace_table(None, &mapping);
        let one = Tally::in_parts(&table, 1).into_discovery();
        for parts in [2, 3, 7] {
            assert_eq!(
                Tally::in_parts(&table, parts).into_discovery(),
                one,
                "{parts} parts"
            );
        }
        // Tallied as cut from the log, in any number of parts: the same.
        for parts in [1, 2, 3, 7] {
            assert_eq!(
                Discovery::from_log_in(&log, None, &mapping, parts),
                one,
                "{parts} parts"
            );
        }
    }

    #[test]
    fn discovery_and_funnel_from_a_log_are_those_of_its_trace_table() {
        // Out-of-order times, session gaps, an event mapped to another
        // touchpoint, events unknown to the journey (dropped or kept),
        // measures, and a customer whose events are all dropped.
        let document =
            crate::document::Document::from_json(include_str!("../../examples/data/gym.json"))
                .unwrap();
        let journey = document.journey("gym").unwrap();
        let ids: Vec<&str> = journey.touchpoints.iter().map(|t| t.id.as_str()).collect();
        let mut log = EventLog::new();
        for k in 0..4000i64 {
            let customer = format!("c{}", (k * 7919) % 211);
            let name = match k % 13 {
                0 => "page_view_unknown",
                1 => "old_name",
                n => ids[(n as usize * 3 + k as usize) % ids.len()],
            };
            let time = (k * 7_777_777) % 50_000_000;
            let measures = [("csat", (k % 5 + 1) as f64), ("nps", (k % 11) as f64)];
            log.push_parts(
                &customer,
                time,
                name,
                Some("web"),
                &measures[..(k % 3) as usize],
            )
            .unwrap();
        }
        log.push_parts("only-unknown", 5, "page_view_unknown", None, &[])
            .unwrap();
        for unknown in [UnknownEvents::Drop, UnknownEvents::Keep] {
            for gap in [None, Some(3_600_000)] {
                let mut mapping = Mapping {
                    unknown,
                    session_gap: gap,
                    ..Mapping::default()
                };
                mapping.names.insert("old_name".into(), ids[2].into());
                for journey in [None, Some(journey)] {
                    let expected = Discovery::from_traces(&log.trace_table(journey, &mapping));
                    assert!(expected.traces > 200);
                    for parts in [1, 2, 5] {
                        assert_eq!(
                            Discovery::from_log_in(&log, journey, &mapping, parts),
                            expected,
                            "{unknown:?} {gap:?} {parts}"
                        );
                    }
                    assert_eq!(Discovery::from_log(&log, journey, &mapping), expected);
                }
                let table = log.trace_table(Some(journey), &mapping);
                let funnel = data_funnel(&table, journey);
                assert!(funnel[0].traces > 100);
                assert!(funnel.iter().any(|s| s.median_ms_to_next.is_some()));
                assert_eq!(
                    Discovery::with_funnel_from_log(&log, journey, &mapping),
                    (Discovery::from_traces(&table), funnel.clone())
                );
                assert_eq!(data_funnel_from_log(&log, journey, &mapping), funnel);
                for parts in [1, 2, 5] {
                    assert_eq!(
                        data_funnel_from_log_in(&log, journey, &mapping, parts),
                        funnel,
                        "{unknown:?} {gap:?} {parts}"
                    );
                }
            }
        }
    }

    #[test]
    fn measure_formulas() {
        let mut state = MeasureState::default();
        for value in [10.0, 9.0, 8.0, 6.0, 0.0] {
            state.add(value);
        }
        assert_eq!(state.nps(), 0.0); // 2 promoters, 2 detractors of 5
        assert_eq!(state.mean(), 6.6);
        let mut csat = MeasureState::default();
        for value in [5.0, 4.0, 3.0, 1.0] {
            csat.add(value);
        }
        assert_eq!(csat.csat_share(), 0.5);
    }
}
