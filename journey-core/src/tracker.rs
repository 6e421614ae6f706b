//! Live tracking of customers for helpdesks: where each customer is, what
//! they already saw, what usually comes next, and who needs attention.
//!
//! A [`Tracker`] is built once from a journey (designed, or fitted from an
//! event log) and then fed every event as it happens with
//! [`Tracker::observe`]. Queries answer from the customer's state in
//! constant time (or time proportional to what they return).
//!
//! # Memory
//! Each customer keeps its last [`TrackerOptions::history`] visits (a ring)
//! and one entry per distinct touchpoint it has visited (for
//! [`Tracker::seen`]). At most [`TrackerOptions::max_customers`] customers
//! are kept: when a new customer would exceed it, the least recently
//! observed one is evicted (LRU); with [`TrackerOptions::idle_ttl_ms`],
//! [`Tracker::expire`] also evicts customers idle for longer. Evictions are
//! counted in [`TrackerStats`].
//!
//! # Concurrency
//! Every method takes `&self`; a `Tracker` is `Send + Sync` and can be
//! shared between threads (e.g. in an `Arc`). Customers are split over
//! [`TrackerOptions::shards`] shards by a hash of their key, each behind its
//! own lock: a call locks the one shard of its customer, so calls for
//! different customers mostly run in parallel, and calls for one customer are
//! applied one at a time in the order they take the lock. Capacity and LRU
//! order are kept per shard (each holds `max_customers / shards`, rounded up).
//!
//! # Durability
//! [`Tracker::snapshot`] writes the whole state (every customer, its ring,
//! what it saw, the LRU order and the counters) in a versioned format
//! ([`SNAPSHOT_FORMAT`]); [`Tracker::restore`] rebuilds a tracker from it and
//! the same journey, after which it answers exactly as the tracker that was
//! saved would have.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::{Journey, TouchpointKind};

/// The format written by [`Tracker::snapshot`].
pub const SNAPSHOT_FORMAT: &str = "journey-tracker/1";

/// How a tracker behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct TrackerOptions {
    /// Visits kept per customer for [`Tracker::history`]. Default: 32.
    pub history: usize,
    /// Customers kept; beyond, the least recently observed is evicted.
    /// Default: 1,000,000.
    pub max_customers: usize,
    /// [`Tracker::expire`] evicts customers whose last event is older than
    /// this, in milliseconds. Default: none.
    pub idle_ttl_ms: Option<i64>,
    /// An event up to this much older than the customer's latest one is
    /// placed in time order; an older one is counted as late and not used.
    /// Milliseconds. Default: 60,000.
    pub reorder_window_ms: i64,
    /// Event names that differ from touchpoint ids: name → touchpoint id.
    pub names: BTreeMap<String, String>,
    /// Longest expected stay per touchpoint id, in milliseconds, for
    /// [`Tracker::due`].
    pub touchpoint_limits: BTreeMap<String, i64>,
    /// Longest expected stay per stage id, in milliseconds, for
    /// [`Tracker::due`] (e.g. a free trial).
    pub stage_limits: BTreeMap<String, i64>,
    /// Score thresholds of the priority levels normal, high and urgent
    /// (the score is risk × importance; see [`Priority`]). Default: 0.25,
    /// 0.5, 0.75.
    pub priority_thresholds: [f64; 3],
    /// Independent locks customers are spread over. Default: 16.
    pub shards: usize,
}

impl Default for TrackerOptions {
    fn default() -> Self {
        TrackerOptions {
            history: 32,
            max_customers: 1_000_000,
            idle_ttl_ms: None,
            reorder_window_ms: 60_000,
            names: BTreeMap::new(),
            touchpoint_limits: BTreeMap::new(),
            stage_limits: BTreeMap::new(),
            priority_thresholds: [0.25, 0.5, 0.75],
            shards: 16,
        }
    }
}

/// What [`Tracker::observe`] did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Observed {
    /// Placed in the customer's history.
    Placed,
    /// Older than the reorder window allows: counted, not used.
    Late,
    /// The name is no touchpoint of the journey: counted, not used.
    Unknown,
}

/// Where a customer is.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Position<'a> {
    /// The touchpoint of the latest event.
    pub touchpoint: &'a str,
    /// Its stage.
    pub stage: &'a str,
    /// Since when the customer is at this touchpoint (epoch ms).
    pub touchpoint_since: i64,
    /// Since when the customer is in this stage (epoch ms).
    pub stage_since: i64,
    /// The time of the latest event (epoch ms).
    pub last_seen: i64,
    /// Time in the stage up to the latest event: `last_seen − stage_since`.
    pub time_in_stage_ms: i64,
}

/// One visit of a customer's history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct Visit<'a> {
    /// The touchpoint.
    pub touchpoint: &'a str,
    /// When (epoch ms).
    pub timestamp: i64,
}

/// Which visits [`Tracker::history`] returns.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct HistoryFilter {
    /// Only touchpoints on this channel (as written in documents, e.g.
    /// `"knowledge_base"`).
    pub channel: Option<String>,
    /// Only touchpoints of this kind.
    pub kind: Option<TouchpointKind>,
    /// Only touchpoints of this stage.
    pub stage: Option<String>,
}

/// Whether and when a customer saw a touchpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Seen {
    /// How many times.
    pub count: u32,
    /// First time (epoch ms).
    pub first: i64,
    /// Latest time (epoch ms).
    pub last: i64,
}

/// A likely next touchpoint.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct Likely<'a> {
    /// The touchpoint.
    pub touchpoint: &'a str,
    /// The probability of going there next.
    pub probability: f64,
}

/// How urgently a customer needs attention.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PriorityLevel {
    /// Below the first threshold.
    Low,
    /// At or above the first threshold.
    Normal,
    /// At or above the second.
    High,
    /// At or above the third.
    Urgent,
}

/// A customer's priority for routing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Priority {
    /// The level of `score` against the configured thresholds.
    pub level: PriorityLevel,
    /// `risk × importance`.
    pub score: f64,
    /// Probability of leaving without reaching a goal from here.
    pub risk: f64,
    /// The current touchpoint's importance (1 when the map gives none).
    pub importance: f64,
}

/// What exceeded its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DueReason {
    /// The stay at the current touchpoint.
    Touchpoint,
    /// The stay in the current stage.
    Stage,
}

/// A customer whose stay exceeded its limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Due {
    /// The customer key.
    pub customer: String,
    /// The current touchpoint.
    pub touchpoint: String,
    /// Its stage.
    pub stage: String,
    /// Which limit.
    pub reason: DueReason,
    /// How long past the limit, in milliseconds.
    pub overdue_ms: i64,
}

/// Counters since the tracker was made (kept by snapshots).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TrackerStats {
    /// Customers tracked now.
    pub customers: u64,
    /// Events placed.
    pub placed: u64,
    /// Events too late to place.
    pub late: u64,
    /// Events naming no touchpoint.
    pub unknown: u64,
    /// Customers evicted (capacity or idle).
    pub evicted: u64,
}

/// What the tracker knows of one touchpoint.
#[derive(Debug)]
struct Point {
    id: String,
    stage: u32,
    channel: String,
    kind: TouchpointKind,
    goal_probability: f64,
    importance: f64,
    /// Next touchpoints, most likely first.
    next: Vec<(u32, f64)>,
    limit: Option<i64>,
}

/// One customer.
#[derive(Debug, Clone, PartialEq)]
struct Customer {
    key: Box<str>,
    /// Visits in time order (equal times in arrival order), at most `history`.
    visits: VecDeque<(u32, i64)>,
    /// (touchpoint, count, first, last), one per distinct touchpoint.
    seen: Vec<(u32, u32, i64, i64)>,
    touchpoint_since: i64,
    stage_since: i64,
    /// Least-recently-used list neighbours (slot numbers; NONE at the ends).
    older: u32,
    newer: u32,
}

const NONE: u32 = u32::MAX;

#[derive(Debug, Default)]
struct Shard {
    slots: Vec<Option<Customer>>,
    free: Vec<u32>,
    table: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
    /// Least recently observed, and most recently.
    oldest: u32,
    newest: u32,
    len: usize,
    stats: TrackerStats,
}

/// Live state of many customers on one journey. See the [module
/// documentation](self).
#[derive(Debug)]
pub struct Tracker {
    journey: String,
    points: Vec<Point>,
    stages: Vec<(String, Option<i64>)>,
    /// Touchpoint id or mapped event name → touchpoint.
    lookup: hashbrown::HashMap<String, u32>,
    options: TrackerOptions,
    per_shard: usize,
    shards: Box<[Mutex<Shard>]>,
}

fn option_error(option: &'static str, message: impl Into<String>) -> Error {
    Error::InvalidOption {
        option,
        message: message.into(),
    }
}

impl Tracker {
    /// A tracker of `journey`'s touchpoints (which should be valid: see
    /// [`crate::validate`]). Fails on options out of range or limits naming
    /// no touchpoint or stage.
    pub fn new(journey: &Journey, options: TrackerOptions) -> Result<Tracker, Error> {
        if options.history == 0 || options.history > u16::MAX as usize {
            return Err(option_error("history", "must be 1 to 65535"));
        }
        if options.shards == 0 || options.shards > 1024 {
            return Err(option_error("shards", "must be 1 to 1024"));
        }
        if options.max_customers == 0 {
            return Err(option_error("max_customers", "must be at least 1"));
        }
        if options.reorder_window_ms < 0 {
            return Err(option_error("reorder_window_ms", "must not be negative"));
        }
        let t = &options.priority_thresholds;
        if !(t.iter().all(|v| v.is_finite()) && t[0] <= t[1] && t[1] <= t[2]) {
            return Err(option_error(
                "priority_thresholds",
                "must be three finite numbers in increasing order",
            ));
        }
        for id in options.touchpoint_limits.keys() {
            if journey.touchpoint(id).is_none() {
                return Err(option_error(
                    "touchpoint_limits",
                    format!("no touchpoint {id:?}"),
                ));
            }
        }
        for id in options.stage_limits.keys() {
            if !journey.stages.iter().any(|s| &s.id == id) {
                return Err(option_error("stage_limits", format!("no stage {id:?}")));
            }
        }
        let analysis = crate::analysis::analyze(
            journey,
            &crate::analysis::Options {
                top: 0,
                max_path_expansions: 0,
                ..Default::default()
            },
        )?;
        let graph = crate::graph::JourneyGraph::new(journey);
        let stages: Vec<(String, Option<i64>)> = journey
            .stages
            .iter()
            .map(|s| (s.id.clone(), options.stage_limits.get(&s.id).copied()))
            .collect();
        let mut lookup = hashbrown::HashMap::new();
        let mut points = Vec::new();
        for touchpoint in &journey.touchpoints {
            if lookup.contains_key(&touchpoint.id) {
                continue; // a duplicated id: the first counts, as in analysis
            }
            let index = points.len() as u32;
            lookup.insert(touchpoint.id.clone(), index);
            let stage = journey
                .stages
                .iter()
                .position(|s| s.id == touchpoint.stage)
                .unwrap_or(0) as u32;
            let goal_probability = analysis
                .touchpoints
                .iter()
                .find(|t| t.touchpoint == touchpoint.id)
                .map_or(0.0, |t| t.goal_probability);
            points.push(Point {
                id: touchpoint.id.clone(),
                stage,
                channel: touchpoint.channel.as_str().to_owned(),
                kind: touchpoint.kind,
                goal_probability,
                importance: touchpoint.importance.unwrap_or(1.0),
                next: Vec::new(),
                limit: options.touchpoint_limits.get(&touchpoint.id).copied(),
            });
        }
        if points.len() >= NONE as usize {
            return Err(Error::LimitExceeded {
                what: "touchpoints of a tracked journey".into(),
                limit: NONE as usize - 1,
                actual: points.len(),
            });
        }
        for point in &mut points {
            if let Some((steps, _)) = graph.next_steps(&point.id) {
                point.next = steps
                    .iter()
                    .filter_map(|s| lookup.get(&s.touchpoint).map(|&i| (i, s.probability)))
                    .collect();
            }
        }
        for (name, id) in &options.names {
            match lookup.get(id) {
                Some(&index) => {
                    lookup.insert(name.clone(), index);
                }
                None => return Err(option_error("names", format!("no touchpoint {id:?}"))),
            }
        }
        let per_shard = options.max_customers.div_ceil(options.shards);
        let shards = (0..options.shards)
            .map(|_| {
                Mutex::new(Shard {
                    oldest: NONE,
                    newest: NONE,
                    ..Shard::default()
                })
            })
            .collect();
        Ok(Tracker {
            journey: journey.id.clone(),
            points,
            stages,
            lookup,
            options,
            per_shard,
            shards,
        })
    }

    /// The options in force.
    pub fn options(&self) -> &TrackerOptions {
        &self.options
    }

    /// The shard of a customer: FNV-1a of the key (fixed, so a restored
    /// tracker puts every customer where it was).
    fn shard(&self, customer: &str) -> MutexGuard<'_, Shard> {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in customer.bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        let index = (hash % self.shards.len() as u64) as usize;
        // A panic while holding the lock cannot leave a shard half-updated
        // in a way that matters more than losing it, so a poisoned lock is
        // used as is.
        self.shards[index]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records that `customer` met touchpoint (or mapped event name) `name`
    /// at `timestamp` (epoch ms).
    pub fn observe(&self, customer: &str, name: &str, timestamp: i64) -> Result<Observed, Error> {
        if customer.is_empty() {
            return Err(option_error("customer", "must not be empty"));
        }
        let mut shard = self.shard(customer);
        let Some(&touchpoint) = self.lookup.get(name) else {
            shard.stats.unknown += 1;
            return Ok(Observed::Unknown);
        };
        let slot = match shard.find(customer) {
            Some(slot) => slot,
            None => {
                if shard.len >= self.per_shard {
                    shard.evict_oldest();
                }
                shard.insert(Customer {
                    key: customer.into(),
                    visits: VecDeque::new(),
                    seen: Vec::new(),
                    touchpoint_since: timestamp,
                    stage_since: timestamp,
                    older: NONE,
                    newer: NONE,
                })
            }
        };
        shard.touch(slot);
        let window = self.options.reorder_window_ms;
        let Some(state) = shard.slots[slot as usize].as_mut() else {
            return Ok(Observed::Unknown); // not reachable: the slot was just found or filled
        };
        if let Some(&(_, latest)) = state.visits.back()
            && timestamp < latest.saturating_sub(window)
        {
            shard.stats.late += 1;
            return Ok(Observed::Late);
        }
        self.place(state, touchpoint, timestamp);
        shard.stats.placed += 1;
        Ok(Observed::Placed)
    }

    fn place(&self, state: &mut Customer, touchpoint: u32, timestamp: i64) {
        let stage = self.points[touchpoint as usize].stage;
        match state.seen.iter_mut().find(|s| s.0 == touchpoint) {
            Some(seen) => {
                seen.1 = seen.1.saturating_add(1);
                seen.2 = seen.2.min(timestamp);
                seen.3 = seen.3.max(timestamp);
            }
            None => state.seen.push((touchpoint, 1, timestamp, timestamp)),
        }
        // After every visit at the same time or earlier: stable.
        let at = state.visits.partition_point(|&(_, t)| t <= timestamp);
        let appended = at == state.visits.len();
        match state.visits.back() {
            None => {
                state.touchpoint_since = timestamp;
                state.stage_since = timestamp;
            }
            Some(&(last, _)) if appended => {
                if last != touchpoint {
                    state.touchpoint_since = timestamp;
                }
                if self.points[last as usize].stage != stage {
                    state.stage_since = timestamp;
                }
            }
            Some(_) => {}
        }
        state.visits.insert(at, (touchpoint, timestamp));
        if state.visits.len() > self.options.history {
            state.visits.pop_front();
        }
        if !appended {
            self.recompute_since(state);
        }
    }

    /// After a visit was placed before the latest one: the runs of the
    /// current touchpoint and stage, as far as the ring reaches back.
    fn recompute_since(&self, state: &mut Customer) {
        let Some(&(current, _)) = state.visits.back() else {
            return;
        };
        let stage = self.points[current as usize].stage;
        let run = |same: &dyn Fn(u32) -> bool, old: i64| -> i64 {
            let mut since = None;
            for &(t, time) in state.visits.iter().rev() {
                if !same(t) {
                    return since.unwrap_or(old);
                }
                since = Some(time);
            }
            // The run covers the whole ring: it may have begun before it.
            since.map_or(old, |s| s.min(old))
        };
        state.touchpoint_since = run(&|t| t == current, state.touchpoint_since);
        state.stage_since = run(
            &|t| self.points[t as usize].stage == stage,
            state.stage_since,
        );
    }

    /// Reads one customer's state.
    fn with<T>(&self, customer: &str, read: impl FnOnce(&Customer) -> T) -> Option<T> {
        let shard = self.shard(customer);
        let slot = shard.find(customer)?;
        shard.slots[slot as usize].as_ref().map(read)
    }

    /// Where the customer is; `None` for a customer not tracked.
    pub fn position(&self, customer: &str) -> Option<Position<'_>> {
        self.with(customer, |state| {
            let &(touchpoint, last_seen) = state.visits.back()?;
            let point = &self.points[touchpoint as usize];
            Some(Position {
                touchpoint: &point.id,
                stage: &self.stages[point.stage as usize].0,
                touchpoint_since: state.touchpoint_since,
                stage_since: state.stage_since,
                last_seen,
                time_in_stage_ms: last_seen.saturating_sub(state.stage_since),
            })
        })
        .flatten()
    }

    /// The customer's last `n` visits that pass `filter`, latest first
    /// (within the kept history); empty for a customer not tracked.
    pub fn history(&self, customer: &str, n: usize, filter: &HistoryFilter) -> Vec<Visit<'_>> {
        self.with(customer, |state| {
            state
                .visits
                .iter()
                .rev()
                .filter(|&&(t, _)| {
                    let point = &self.points[t as usize];
                    filter.channel.as_ref().is_none_or(|c| *c == point.channel)
                        && filter.kind.is_none_or(|k| k == point.kind)
                        && filter
                            .stage
                            .as_ref()
                            .is_none_or(|s| *s == self.stages[point.stage as usize].0)
                })
                .take(n)
                .map(|&(t, timestamp)| Visit {
                    touchpoint: &self.points[t as usize].id,
                    timestamp,
                })
                .collect()
        })
        .unwrap_or_default()
    }

    /// Whether and when the customer saw a touchpoint (or mapped event
    /// name); `None` when never, or for a customer not tracked.
    pub fn seen(&self, customer: &str, touchpoint: &str) -> Option<Seen> {
        let &index = self.lookup.get(touchpoint)?;
        self.with(customer, |state| {
            state
                .seen
                .iter()
                .find(|s| s.0 == index)
                .map(|&(_, count, first, last)| Seen { count, first, last })
        })
        .flatten()
    }

    /// The `k` most likely next touchpoints from the customer's current
    /// one, most likely first; empty for a customer not tracked.
    pub fn next(&self, customer: &str, k: usize) -> Vec<Likely<'_>> {
        let mut out = Vec::with_capacity(k.min(16));
        self.next_into(customer, k, &mut out);
        out
    }

    /// [`Tracker::next`] into a caller's buffer (cleared first), for hot
    /// paths that reuse one.
    pub fn next_into<'s>(&'s self, customer: &str, k: usize, out: &mut Vec<Likely<'s>>) {
        out.clear();
        let current = self.with(customer, |state| state.visits.back().map(|v| v.0));
        if let Some(Some(current)) = current {
            out.extend(self.points[current as usize].next.iter().take(k).map(
                |&(t, probability)| Likely {
                    touchpoint: &self.points[t as usize].id,
                    probability,
                },
            ));
        }
    }

    /// Probability that the customer reaches a goal from where they are.
    pub fn goal_probability(&self, customer: &str) -> Option<f64> {
        self.with(customer, |state| {
            state
                .visits
                .back()
                .map(|v| self.points[v.0 as usize].goal_probability)
        })
        .flatten()
    }

    /// The customer's priority: risk (1 − goal probability) times the
    /// current touchpoint's importance, as a level.
    pub fn priority(&self, customer: &str) -> Option<Priority> {
        let current = self
            .with(customer, |state| state.visits.back().map(|v| v.0))
            .flatten()?;
        let point = &self.points[current as usize];
        let risk = (1.0 - point.goal_probability).clamp(0.0, 1.0);
        let score = risk * point.importance;
        let [normal, high, urgent] = self.options.priority_thresholds;
        let level = if score >= urgent {
            PriorityLevel::Urgent
        } else if score >= high {
            PriorityLevel::High
        } else if score >= normal {
            PriorityLevel::Normal
        } else {
            PriorityLevel::Low
        };
        Some(Priority {
            level,
            score,
            risk,
            importance: point.importance,
        })
    }

    /// Customers whose stay at their current touchpoint or in their current
    /// stage exceeds its limit at `now` (epoch ms), most overdue first (a
    /// customer over both limits is listed for each).
    pub fn due(&self, now: i64) -> Vec<Due> {
        let mut due = Vec::new();
        for shard in self.shards.iter() {
            let shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            for state in shard.slots.iter().flatten() {
                let Some(&(current, _)) = state.visits.back() else {
                    continue;
                };
                let point = &self.points[current as usize];
                let stage = &self.stages[point.stage as usize];
                for (reason, limit, since) in [
                    (DueReason::Touchpoint, point.limit, state.touchpoint_since),
                    (DueReason::Stage, stage.1, state.stage_since),
                ] {
                    if let Some(limit) = limit {
                        let over = now.saturating_sub(since).saturating_sub(limit);
                        if over > 0 {
                            due.push(Due {
                                customer: state.key.to_string(),
                                touchpoint: point.id.clone(),
                                stage: stage.0.clone(),
                                reason,
                                overdue_ms: over,
                            });
                        }
                    }
                }
            }
        }
        due.sort_by(|a, b| {
            b.overdue_ms
                .cmp(&a.overdue_ms)
                .then_with(|| a.customer.cmp(&b.customer))
                .then_with(|| a.reason.cmp_key().cmp(&b.reason.cmp_key()))
        });
        due
    }

    /// Evicts customers whose latest event is older than
    /// [`TrackerOptions::idle_ttl_ms`] before `now`; returns how many.
    pub fn expire(&self, now: i64) -> usize {
        let Some(ttl) = self.options.idle_ttl_ms else {
            return 0;
        };
        let mut evicted = 0;
        for shard in self.shards.iter() {
            let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            let idle: Vec<u32> = (0..shard.slots.len() as u32)
                .filter(|&slot| {
                    shard.slots[slot as usize].as_ref().is_some_and(|state| {
                        state
                            .visits
                            .back()
                            .is_none_or(|&(_, last)| now.saturating_sub(last) > ttl)
                    })
                })
                .collect();
            for slot in idle {
                shard.remove(slot);
                shard.stats.evicted += 1;
                evicted += 1;
            }
        }
        evicted
    }

    /// Forgets a customer; whether it was tracked.
    pub fn forget(&self, customer: &str) -> bool {
        let mut shard = self.shard(customer);
        match shard.find(customer) {
            Some(slot) => {
                shard.remove(slot);
                true
            }
            None => false,
        }
    }

    /// Counters over all shards.
    pub fn stats(&self) -> TrackerStats {
        let mut total = TrackerStats::default();
        for shard in self.shards.iter() {
            let shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            total.customers += shard.len as u64;
            total.placed += shard.stats.placed;
            total.late += shard.stats.late;
            total.unknown += shard.stats.unknown;
            total.evicted += shard.stats.evicted;
        }
        total
    }

    /// The whole state as bytes (JSON of the [`SNAPSHOT_FORMAT`] format):
    /// customers of each shard from least to most recently observed.
    pub fn snapshot(&self) -> Result<Vec<u8>, Error> {
        let mut shards = Vec::with_capacity(self.shards.len());
        for shard in self.shards.iter() {
            let shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            let mut customers = Vec::with_capacity(shard.len);
            let mut slot = shard.oldest;
            while slot != NONE {
                let Some(state) = shard.slots.get(slot as usize).and_then(Option::as_ref) else {
                    break;
                };
                let id = |t: u32| self.points[t as usize].id.clone();
                customers.push(SavedCustomer {
                    key: state.key.to_string(),
                    visits: state
                        .visits
                        .iter()
                        .map(|&(t, time)| (id(t), time))
                        .collect(),
                    seen: state
                        .seen
                        .iter()
                        .map(|&(t, count, first, last)| (id(t), count, first, last))
                        .collect(),
                    touchpoint_since: state.touchpoint_since,
                    stage_since: state.stage_since,
                });
                slot = state.newer;
            }
            shards.push(SavedShard {
                stats: shard.stats,
                customers,
            });
        }
        let saved = Saved {
            format: SNAPSHOT_FORMAT.to_owned(),
            journey: self.journey.clone(),
            options: self.options.clone(),
            shards,
        };
        serde_json::to_vec(&saved).map_err(|e| Error::Json {
            line: 0,
            column: 0,
            message: e.to_string(),
        })
    }

    /// A tracker of `journey` in the state a [`Tracker::snapshot`] saved
    /// (with the options saved with it). Fails on another format, another
    /// journey, or a touchpoint the journey no longer has.
    pub fn restore(journey: &Journey, snapshot: &[u8]) -> Result<Tracker, Error> {
        let saved: Saved = serde_json::from_slice(snapshot).map_err(|e| Error::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if saved.format != SNAPSHOT_FORMAT {
            return Err(Error::UnsupportedSchema {
                found: saved.format,
                supported: SNAPSHOT_FORMAT,
            });
        }
        if saved.journey != journey.id {
            return Err(Error::NotFound {
                kind: "journey",
                id: saved.journey,
            });
        }
        let tracker = Tracker::new(journey, saved.options)?;
        if saved.shards.len() != tracker.shards.len() {
            return Err(option_error("shards", "the snapshot's shards do not match"));
        }
        let index = |id: &str| -> Result<u32, Error> {
            tracker
                .points
                .iter()
                .position(|p| p.id == id)
                .map(|i| i as u32)
                .ok_or_else(|| Error::NotFound {
                    kind: "touchpoint",
                    id: id.to_owned(),
                })
        };
        for (shard, saved) in tracker.shards.iter().zip(saved.shards) {
            let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            shard.stats = saved.stats;
            for customer in saved.customers {
                if customer.key.is_empty() || shard.find(&customer.key).is_some() {
                    return Err(option_error(
                        "snapshot",
                        "a customer key is empty or repeated",
                    ));
                }
                let mut visits = VecDeque::with_capacity(customer.visits.len());
                for (id, time) in &customer.visits {
                    visits.push_back((index(id)?, *time));
                }
                let mut seen = Vec::with_capacity(customer.seen.len());
                for (id, count, first, last) in &customer.seen {
                    seen.push((index(id)?, *count, *first, *last));
                }
                let slot = shard.insert(Customer {
                    key: customer.key.into(),
                    visits,
                    seen,
                    touchpoint_since: customer.touchpoint_since,
                    stage_since: customer.stage_since,
                    older: NONE,
                    newer: NONE,
                });
                shard.touch(slot);
            }
        }
        Ok(tracker)
    }
}

impl DueReason {
    fn cmp_key(self) -> u8 {
        match self {
            DueReason::Touchpoint => 0,
            DueReason::Stage => 1,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Saved {
    format: String,
    journey: String,
    options: TrackerOptions,
    shards: Vec<SavedShard>,
}

#[derive(Serialize, Deserialize)]
struct SavedShard {
    stats: TrackerStats,
    customers: Vec<SavedCustomer>,
}

#[derive(Serialize, Deserialize)]
struct SavedCustomer {
    key: String,
    visits: Vec<(String, i64)>,
    seen: Vec<(String, u32, i64, i64)>,
    touchpoint_since: i64,
    stage_since: i64,
}

impl Shard {
    fn hash(&self, key: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(key)
    }

    fn find(&self, key: &str) -> Option<u32> {
        let slots = &self.slots;
        self.table
            .find(self.hash(key), |&slot| {
                slots[slot as usize]
                    .as_ref()
                    .is_some_and(|c| &*c.key == key)
            })
            .copied()
    }

    /// Stores a customer (not linked into the LRU list yet).
    fn insert(&mut self, customer: Customer) -> u32 {
        let hash = self.hash(&customer.key);
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(customer);
                slot
            }
            None => {
                self.slots.push(Some(customer));
                (self.slots.len() - 1) as u32
            }
        };
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.table.insert_unique(hash, slot, |&s| {
            use std::hash::BuildHasher;
            slots[s as usize]
                .as_ref()
                .map_or(0, |c| hasher.hash_one(&*c.key))
        });
        self.len += 1;
        self.stats.customers = self.len as u64;
        slot
    }

    fn unlink(&mut self, slot: u32) {
        let (older, newer) = match self.slots[slot as usize].as_ref() {
            Some(c) => (c.older, c.newer),
            None => return,
        };
        if older != NONE {
            if let Some(c) = self.slots[older as usize].as_mut() {
                c.newer = newer;
            }
        } else if self.oldest == slot {
            self.oldest = newer;
        }
        if newer != NONE {
            if let Some(c) = self.slots[newer as usize].as_mut() {
                c.older = older;
            }
        } else if self.newest == slot {
            self.newest = older;
        }
        if let Some(c) = self.slots[slot as usize].as_mut() {
            c.older = NONE;
            c.newer = NONE;
        }
    }

    /// Makes `slot` the most recently observed.
    fn touch(&mut self, slot: u32) {
        if self.newest == slot {
            return;
        }
        self.unlink(slot);
        let newest = self.newest;
        if let Some(c) = self.slots[slot as usize].as_mut() {
            c.older = newest;
        }
        if newest != NONE {
            if let Some(c) = self.slots[newest as usize].as_mut() {
                c.newer = slot;
            }
        } else {
            self.oldest = slot;
        }
        self.newest = slot;
    }

    fn remove(&mut self, slot: u32) {
        self.unlink(slot);
        let Some(customer) = self.slots[slot as usize].take() else {
            return;
        };
        let hash = self.hash(&customer.key);
        if let Ok(entry) = self.table.find_entry(hash, |&s| s == slot) {
            entry.remove();
        }
        self.free.push(slot);
        self.len -= 1;
        self.stats.customers = self.len as u64;
    }

    fn evict_oldest(&mut self) {
        if self.oldest != NONE {
            self.remove(self.oldest);
            self.stats.evicted += 1;
        }
    }
}
