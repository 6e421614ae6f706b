//! Traces: a log cut into per-customer sequences of touchpoints, as owned
//! `Traces` or as the borrowing `TraceTable`, optionally in parallel parts.

use super::*;

/// What to do with events whose names map to no touchpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnknownEvents {
    /// Keep them in traces under their own name. Default.
    #[default]
    Keep,
    /// Leave them out of traces (still counted and listed).
    Drop,
}

/// Maps event names to touchpoint ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Mapping {
    /// Explicit names: event name → touchpoint id. Names not listed map to
    /// themselves (identity).
    pub names: BTreeMap<String, String>,
    /// Policy for events that map to no touchpoint of the journey.
    pub unknown: UnknownEvents,
    /// Split a customer's events into separate traces after this much
    /// inactivity, in milliseconds. Default: never. Must not be negative
    /// (refused when read; set in code, a negative gap counts as 0).
    #[serde(deserialize_with = "non_negative_gap")]
    #[schemars(range(min = 0))]
    pub session_gap: Option<i64>,
}

/// Reads a session gap, refusing a negative one.
fn non_negative_gap<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    match Option::<i64>::deserialize(deserializer)? {
        Some(gap) if gap < 0 => Err(serde::de::Error::custom("must not be negative")),
        gap => Ok(gap),
    }
}

/// One step of a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Step {
    /// The touchpoint id (or the event name, for an unknown event kept).
    pub touchpoint: String,
    /// When, in epoch milliseconds.
    pub timestamp: i64,
    /// The microseconds past `timestamp`'s millisecond (0–999).
    #[serde(default, skip_serializing_if = "is_zero")]
    #[schemars(range(max = 999))]
    pub micros: u16,
    /// The channel, when the log says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Whether the touchpoint is in the journey.
    pub known: bool,
    /// Measure values recorded with the event.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub measures: BTreeMap<String, f64>,
}

/// One customer's journey as observed (or one session of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Trace {
    /// The customer key.
    pub customer: String,
    /// 0 for the first session, then 1, 2, … when a session gap is set.
    pub session: u32,
    /// The steps in time order (input order for equal timestamps).
    pub steps: Vec<Step>,
}

/// Traces and the unknown event names met while building them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Traces {
    /// The traces, ordered by customer key, then session.
    pub traces: Vec<Trace>,
    /// Event names that map to no touchpoint, with their counts: candidate
    /// touchpoints the map is missing.
    pub unknown_events: BTreeMap<String, u64>,
}

impl EventLog {
    /// Cuts the log into per-customer traces, mapping event names onto the
    /// journey's touchpoints (any name is "known" when `journey` is `None`).
    pub fn traces(&self, journey: Option<&Journey>, mapping: &Mapping) -> Traces {
        self.trace_table(journey, mapping).to_traces()
    }

    /// The same traces as [`EventLog::traces`], as a table of numbers that
    /// borrows its strings from the log: what discovery and the data funnel
    /// read, without a string copied per step.
    ///
    /// Logs of a million events or more are cut on several threads (scoped:
    /// all have ended when this returns; never in WebAssembly); the table is
    /// the same as one thread's.
    pub fn trace_table<'a>(
        &'a self,
        journey: Option<&Journey>,
        mapping: &'a Mapping,
    ) -> TraceTable<'a> {
        self.trace_table_in(journey, mapping, parallelism(self.len()))
    }

    /// [`EventLog::trace_table`] cut in `parts` ranges of customers, on as
    /// many threads when more than one.
    pub(crate) fn trace_table_in<'a>(
        &'a self,
        journey: Option<&Journey>,
        mapping: &'a Mapping,
        parts: usize,
    ) -> TraceTable<'a> {
        let (mut table, cutting) = self.cutting(journey, mapping);
        let results = self.cut_in_parts(cutting, mapping, parts, |customers, cut| {
            let mut part = TraceTable::default();
            for customer in customers {
                cut(customer, &mut part);
            }
            part
        });
        let mut unknown_count = vec![0u64; self.names.len()];
        for (part, counts) in results {
            table.append(part);
            for (total, count) in unknown_count.iter_mut().zip(counts) {
                *total += count;
            }
        }
        for (id, &count) in unknown_count.iter().enumerate() {
            if count > 0 {
                table
                    .unknown_events
                    .insert(self.names.name(id as u32).to_owned(), count);
            }
        }
        table
    }

    /// What cutting the log into traces needs: the touchpoint and key
    /// tables (a [`TraceTable`] without traces, which the traces cut will
    /// index), and what each event name maps to with the events grouped by
    /// customer.
    pub(crate) fn cutting<'a>(
        &'a self,
        journey: Option<&Journey>,
        mapping: &'a Mapping,
    ) -> (TraceTable<'a>, Cutting) {
        let known_ids: Option<hashbrown::HashSet<&str>> =
            journey.map(|j| j.touchpoints.iter().map(|t| t.id.as_str()).collect());
        // Each distinct event name is mapped once.
        let mut header = TraceTable::default();
        let mut touchpoints: Symbols = Symbols::default();
        let mut of_name: Vec<Option<u32>> = Vec::with_capacity(self.names.len());
        let mut is_unknown = vec![false; self.names.len()];
        for id in 0..self.names.len() as u32 {
            let name = self.names.name(id);
            let touchpoint = mapping.names.get(name).map_or(name, String::as_str);
            let known = known_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(touchpoint));
            let keep = known || mapping.unknown == UnknownEvents::Keep;
            of_name.push(keep.then(|| {
                let (index, new) =
                    intern_into(&mut touchpoints, &mut header.touchpoints, touchpoint);
                if new {
                    header.known.push(known);
                }
                index
            }));
            is_unknown[id as usize] = !known;
        }
        for id in 0..self.measure_keys.len() as u32 {
            header.keys.push(self.measure_keys.name(id));
        }
        // Group the events by customer (counting sort, input order kept).
        let customers = self.customers.len();
        let mut start = vec![0u32; customers + 1];
        for &c in &self.customer {
            start[c as usize + 1] += 1;
        }
        for c in 0..customers {
            start[c + 1] += start[c];
        }
        let mut order = vec![0u32; self.len()];
        let mut next = start.clone();
        for (index, &c) in self.customer.iter().enumerate() {
            order[next[c as usize] as usize] = index as u32;
            next[c as usize] += 1;
        }
        let cutting = Cutting {
            of_name,
            is_unknown,
            start,
            order,
        };
        (header, cutting)
    }

    /// Runs `work` on `parts` contiguous ranges of customers, on as many
    /// threads when more than one, and returns each part's result with its
    /// counts of unknown events by name, in customer order. `work` gets its
    /// customers and a function that cuts one customer's events into traces
    /// appended to a table.
    pub(crate) fn cut_in_parts<'a, R: Send>(
        &'a self,
        cutting: Cutting,
        mapping: &'a Mapping,
        parts: usize,
        work: impl Fn(std::ops::Range<usize>, &mut dyn FnMut(usize, &mut TraceTable<'a>)) -> R + Sync,
    ) -> Vec<(R, Vec<u64>)> {
        let customers = self.customers.len();
        // Customers in contiguous ranges, one per thread on large logs; the
        // parts are joined in customer order, so the result does not depend
        // on how many there are.
        let parts = parts.clamp(1, customers.max(1));
        let bounds: Vec<usize> = (0..=parts).map(|p| customers * p / parts).collect();
        let Cutting {
            of_name,
            is_unknown,
            start,
            mut order,
        } = cutting;
        let mut chunks: Vec<(std::ops::Range<usize>, &mut [u32])> = Vec::with_capacity(parts);
        let mut rest: &mut [u32] = &mut order;
        for p in 0..parts {
            let (range, len) = (
                bounds[p]..bounds[p + 1],
                (start[bounds[p + 1]] - start[bounds[p]]) as usize,
            );
            let (chunk, tail) = rest.split_at_mut(len);
            chunks.push((range, chunk));
            rest = tail;
        }
        let run = |(range, events): (std::ops::Range<usize>, &mut [u32])| {
            let mut unknown_count = vec![0u64; is_unknown.len()];
            let first = start[range.start] as usize;
            let mut cut = |c: usize, table: &mut TraceTable<'a>| {
                let events = &mut events[start[c] as usize - first..start[c + 1] as usize - first];
                self.cut_customer(
                    c,
                    events,
                    mapping,
                    &of_name,
                    &is_unknown,
                    &mut unknown_count,
                    table,
                );
            };
            let result = work(range, &mut cut);
            (result, unknown_count)
        };
        crate::parallel::fan_out(chunks, run)
    }
}

/// See [`EventLog::cutting`].
pub(crate) struct Cutting {
    pub(super) of_name: Vec<Option<u32>>,
    pub(super) is_unknown: Vec<bool>,
    /// Where each customer's events start in `order`.
    pub(super) start: Vec<u32>,
    /// Event indices grouped by customer.
    pub(super) order: Vec<u32>,
}

impl EventLog {
    /// Cuts one customer's events (sorted here by time, stably) into traces
    /// appended to `table`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn cut_customer<'a>(
        &'a self,
        customer: usize,
        events: &mut [u32],
        mapping: &Mapping,
        of_name: &[Option<u32>],
        is_unknown: &[bool],
        unknown_count: &mut [u64],
        table: &mut TraceTable<'a>,
    ) {
        if !events.is_sorted_by_key(|&e| self.timestamp[e as usize]) {
            crate::order::sort_by_key(events, |&e| self.timestamp[e as usize]);
        }
        let customer = self.customers.name(customer as u32);
        let mut session = 0;
        let mut trace_start = table.touchpoint.len();
        let mut last_time: Option<i64> = None;
        for &e in events.iter() {
            let e = e as usize;
            let time = self.timestamp[e];
            let gap = mapping.session_gap.map(|g| g.max(0).saturating_mul(1000));
            if let (Some(gap), Some(last)) = (gap, last_time)
                && time.saturating_sub(last) > gap
                && table.touchpoint.len() > trace_start
            {
                table.close(customer, session, trace_start);
                trace_start = table.touchpoint.len();
                session += 1;
            }
            last_time = Some(time);
            let name = self.name[e] as usize;
            if is_unknown[name] {
                unknown_count[name] += 1;
            }
            let Some(touchpoint) = of_name[name] else {
                continue;
            };
            table.touchpoint.push(touchpoint);
            table.time.push(time);
            table.channel.push(self.channel_of(e));
            let measures = self.measure_range(e);
            if !measures.is_empty() {
                // (Most events have none: no copy call for them.)
                table.measures.extend_from_slice(&self.measures[measures]);
            }
            table.measure_end.push(table.measures.len() as u32);
        }
        if table.touchpoint.len() > trace_start {
            table.close(customer, session, trace_start);
        }
    }
}

/// Traces as a table of numbers: touchpoints, measure keys and customers are
/// strings borrowed from the log (or from [`Traces`]) and named by index.
///
/// Built by [`EventLog::trace_table`] or from [`Traces`]; read by
/// [`crate::discovery::Discovery::from_traces`] and
/// [`crate::discovery::data_funnel`]. Its traces are in the order customers
/// first appear in the log; [`TraceTable::to_traces`] orders them by key.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraceTable<'a> {
    /// Touchpoint ids (and unknown event names kept), by index.
    pub(crate) touchpoints: Vec<&'a str>,
    /// Whether each touchpoint is in the journey.
    pub(crate) known: Vec<bool>,
    /// Measure keys, by index.
    pub(crate) keys: Vec<&'a str>,
    /// The traces: customer, session and the end of its steps.
    pub(crate) traces: Vec<TraceSpan<'a>>,
    /// Per step: touchpoint index, time, channel and measure values.
    pub(crate) touchpoint: Vec<u32>,
    pub(crate) time: Vec<i64>,
    pub(crate) channel: Vec<Option<&'a str>>,
    pub(crate) measure_end: Vec<u32>,
    pub(crate) measures: Vec<(u32, f64)>,
    /// Event names that map to no touchpoint, with their counts.
    pub(crate) unknown_events: BTreeMap<String, u64>,
}

/// Traces that discovery and the data funnel read: [`Traces`], or a
/// [`TraceTable`] (cheaper: nothing to convert).
pub trait TraceSource {
    /// The traces as a table.
    fn table(&self) -> Cow<'_, TraceTable<'_>>;
}

impl TraceSource for Traces {
    fn table(&self) -> Cow<'_, TraceTable<'_>> {
        Cow::Owned(TraceTable::from_traces(self))
    }
}

impl TraceSource for TraceTable<'_> {
    fn table(&self) -> Cow<'_, TraceTable<'_>> {
        Cow::Borrowed(self)
    }
}

/// One trace of a [`TraceTable`]: its steps are `start..end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TraceSpan<'a> {
    pub(crate) customer: &'a str,
    pub(crate) session: u32,
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl<'a> TraceTable<'a> {
    /// Empties the traces and steps, keeping the touchpoint and key tables
    /// (and the memory).
    pub(crate) fn clear_steps(&mut self) {
        self.traces.clear();
        self.touchpoint.clear();
        self.time.clear();
        self.channel.clear();
        self.measure_end.clear();
        self.measures.clear();
    }

    pub(super) fn close(&mut self, customer: &'a str, session: u32, start: usize) {
        self.traces.push(TraceSpan {
            customer,
            session,
            start: start as u32,
            end: self.touchpoint.len() as u32,
        });
    }

    /// Appends the traces and steps of a part cut with the same touchpoint
    /// and key tables.
    pub(super) fn append(&mut self, part: TraceTable<'a>) {
        if self.touchpoint.is_empty() && self.traces.is_empty() {
            self.traces = part.traces;
            self.touchpoint = part.touchpoint;
            self.time = part.time;
            self.channel = part.channel;
            self.measure_end = part.measure_end;
            self.measures = part.measures;
            return;
        }
        let steps = self.touchpoint.len() as u32;
        let measures = self.measures.len() as u32;
        self.traces
            .extend(part.traces.into_iter().map(|span| TraceSpan {
                start: span.start + steps,
                end: span.end + steps,
                ..span
            }));
        self.touchpoint.extend(part.touchpoint);
        self.time.extend(part.time);
        self.channel.extend(part.channel);
        self.measure_end
            .extend(part.measure_end.into_iter().map(|end| end + measures));
        self.measures.extend(part.measures);
    }

    /// Number of traces.
    pub fn len(&self) -> usize {
        self.traces.len()
    }

    /// Whether there is no trace.
    pub fn is_empty(&self) -> bool {
        self.traces.is_empty()
    }

    /// Number of steps in all traces.
    pub fn steps(&self) -> usize {
        self.touchpoint.len()
    }

    /// Event names that map to no touchpoint, with their counts.
    pub fn unknown_events(&self) -> &BTreeMap<String, u64> {
        &self.unknown_events
    }

    pub(crate) fn measure_range(&self, step: usize) -> std::ops::Range<usize> {
        range_at(&self.measure_end, step)
    }

    /// The traces with their strings, ordered by customer key, then session.
    pub fn to_traces(&self) -> Traces {
        let mut spans: Vec<&TraceSpan<'a>> = self.traces.iter().collect();
        crate::order::sort_by(&mut spans, |a, b| {
            a.customer.cmp(b.customer).then(a.session.cmp(&b.session))
        });
        let traces =
            spans
                .into_iter()
                .map(|span| Trace {
                    customer: span.customer.to_owned(),
                    session: span.session,
                    steps: (span.start as usize..span.end as usize)
                        .map(|s| {
                            let touchpoint = self.touchpoint[s] as usize;
                            let (timestamp, micros) = split_micros(self.time[s]);
                            Step {
                                touchpoint: self.touchpoints[touchpoint].to_owned(),
                                timestamp,
                                micros,
                                channel: self.channel[s].map(str::to_owned),
                                known: self.known[touchpoint],
                                measures: crate::order::map(
                                    self.measures[self.measure_range(s)].iter().map(
                                        |&(key, value)| (self.keys[key as usize].to_owned(), value),
                                    ),
                                ),
                            }
                        })
                        .collect(),
                })
                .collect();
        Traces {
            traces,
            unknown_events: self.unknown_events.clone(),
        }
    }

    /// The table of traces already cut (their order is kept).
    pub fn from_traces(traces: &'a Traces) -> TraceTable<'a> {
        let mut table = TraceTable::of(&traces.traces);
        table.unknown_events = traces.unknown_events.clone();
        table
    }

    /// The table of these traces.
    pub(crate) fn of(traces: &'a [Trace]) -> TraceTable<'a> {
        let mut table = TraceTable::default();
        let mut touchpoints = Symbols::default();
        let mut keys = Symbols::default();
        for trace in traces {
            let start = table.touchpoint.len();
            for step in &trace.steps {
                let (index, new) =
                    intern_into(&mut touchpoints, &mut table.touchpoints, &step.touchpoint);
                if new {
                    table.known.push(step.known);
                }
                table.touchpoint.push(index);
                // (Past the log's range: the nearest time it holds.)
                let micros = join_micros(step.timestamp, step.micros.min(999)).unwrap_or(
                    if step.timestamp < 0 {
                        i64::MIN
                    } else {
                        i64::MAX
                    },
                );
                table.time.push(micros);
                table.channel.push(step.channel.as_deref());
                for (key, value) in &step.measures {
                    let (k, _) = intern_into(&mut keys, &mut table.keys, key);
                    table.measures.push((k, *value));
                }
                table.measure_end.push(table.measures.len() as u32);
            }
            if table.touchpoint.len() > start {
                table.close(&trace.customer, trace.session, start);
            }
        }
        table
    }
}
