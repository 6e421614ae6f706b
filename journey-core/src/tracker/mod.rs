//! Live tracking of customers for helpdesks: where each customer is, what
//! they already saw, what usually comes next, and who needs attention.
//!
//! A [`Tracker`] is built once from a journey (designed, or fitted from an
//! event log) and then fed every event as it happens with
//! [`Tracker::observe`]. Queries answer from the customer's state in
//! constant time (or time proportional to what they return).
//!
//! # Memory
//! Each customer takes a fixed record of one cache line (its key up to 22
//! bytes inline, the times it entered its touchpoint and stage, its latest
//! touchpoint and access, a bitset of the touchpoints it has seen) followed
//! by a ring of its last [`TrackerOptions::history`] visits (16 bytes
//! each): memory does not grow with a customer's activity. Records and
//! rings together are the shard's hash table itself (open addressing,
//! each key stored in the nearer of two runs of places), kept 56–80% full,
//! so that an event reads and writes one block: a record and a ring of 4
//! visits are two adjacent cache lines of one page. Tables
//! of 2 MiB or more are placed for huge pages (on Linux, advised as
//! transparent huge pages) and fill their last one. Empty places hold a
//! ring's memory too: a customer costs (64 + 16 × history, rounded up to a
//! multiple of 64) bytes divided by the load (0.56–0.8), 160–229 bytes
//! with 4 visits and 720–1,029 with the default 32, plus its access-queue
//! entries (8 bytes each, at most twice the customers plus 64).
//! At most [`TrackerOptions::max_customers`] customers are kept: when a new
//! customer would exceed it, the least recently observed one is
//! evicted (exact LRU, kept as a queue of accesses rather than a linked list,
//! so an event writes no other customer's record); with
//! [`TrackerOptions::idle_ttl_ms`], [`Tracker::expire`] also evicts customers
//! idle for longer. Evictions are counted in [`TrackerStats`].
//!
//! # Concurrency
//! Every method takes `&self`; a `Tracker` is `Send + Sync` and can be
//! shared between threads (e.g. in an `Arc`). Customers are split over
//! [`TrackerOptions::shards`] shards by a hash of their key, each behind its
//! own lock: a call locks the one shard of its customer, so calls for
//! different customers mostly run in parallel, and calls for one customer are
//! applied one at a time in the order they take the lock. The capacity is
//! global and exact however the customers fall into shards; the LRU order
//! is kept per shard: a new customer over capacity evicts the least
//! recently observed customer of its own shard, or, when its shard holds
//! nobody, of the next shard that holds anyone.
//!
//! # Durability
//! [`Tracker::snapshot`] writes the whole state (every customer, its ring,
//! what it saw, the LRU order and the counters) in a versioned format
//! ([`SNAPSHOT_FORMAT`]); [`Tracker::restore`] rebuilds a tracker from it and
//! the same journey, after which it answers exactly as the tracker that was
//! saved would have.

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::{Journey, TouchpointKind};

#[allow(unsafe_code)]
mod blocks;
mod context;
mod keys;
mod shard;
mod snapshot;

use blocks::Blocks;
use context::*;
use keys::*;
use shard::*;

use crate::bytes::same;

/// The longest [`TrackerOptions::history`].
pub const MAX_HISTORY: usize = 65_535;

/// The most [`TrackerOptions::shards`].
pub const MAX_SHARDS: usize = 1024;

pub use snapshot::MAX_RESTORE_MEMORY;

/// The format written by [`Tracker::snapshot`].
pub const SNAPSHOT_FORMAT: &str = "journey-tracker/2";

/// How a tracker behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
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
#[serde(default, deny_unknown_fields)]
pub struct HistoryFilter {
    /// Only touchpoints on this channel (as written in documents, e.g.
    /// `"knowledge_base"`).
    pub channel: Option<String>,
    /// Only touchpoints of this kind.
    pub kind: Option<TouchpointKind>,
    /// Only touchpoints of this stage.
    pub stage: Option<String>,
}

/// Whether and when a customer saw a touchpoint. Whether is exact for as
/// long as the customer is tracked; the times and the count cover the kept
/// history (the last [`TrackerOptions::history`] visits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Seen {
    /// Visits within the kept history (0 when all fell out of it).
    pub count: u32,
    /// The earliest visit within the kept history (epoch ms).
    pub first: Option<i64>,
    /// The latest visit within the kept history (epoch ms).
    pub last: Option<i64>,
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

/// How [`Tracker::observe`] made room for a new customer.
enum Room {
    /// Under capacity: counted in.
    Counted,
    /// At capacity: the shard's least recently observed customer evicted.
    Evicted,
    /// At capacity, and the shard holds nobody: evict in another.
    Elsewhere,
}

/// Live state of many customers on one journey. See the [module
/// documentation](self).
#[derive(Debug)]
pub struct Tracker {
    journey: String,
    points: Vec<Point>,
    stages: Vec<(String, Option<i64>)>,
    /// Touchpoint id or mapped event name → touchpoint.
    lookup: Names,
    options: TrackerOptions,
    /// Customers tracked, over all shards.
    customers: AtomicUsize,
    shards: Box<[Mutex<Shard>]>,
    /// Hashes customer keys for the shards' tables, before a shard is
    /// locked (and for a shard's rebuild).
    hasher: hashbrown::DefaultHashBuilder,
    /// Higher-order context: a path of touchpoints (oldest first) → next
    /// steps, most likely first.
    contexts: ContextIndex,
    /// The longest context path.
    context_depth: usize,
    /// The reader [`Tracker::observe_json`] built last, with its options:
    /// a helpdesk feeds every event with the same ones.
    json_reader: JsonReaderCache,
}

/// The last JSON event reader and the options it was built from.
type JsonReaderCache = Mutex<
    Option<(
        crate::events::JsonOptions,
        std::sync::Arc<crate::events::JsonReader<'static>>,
    )>,
>;

fn snapshot_error(message: impl Into<String>) -> Error {
    Error::InvalidSnapshot {
        message: message.into(),
    }
}

impl Tracker {
    /// A tracker of `journey`'s touchpoints (which should be valid: see
    /// [`crate::validate`]). Fails on options out of range or limits naming
    /// no touchpoint or stage.
    pub fn new(journey: &Journey, options: TrackerOptions) -> Result<Tracker, Error> {
        if options.history == 0 || options.history > MAX_HISTORY {
            return Err(Error::option("history", "must be 1 to 65535"));
        }
        if options.shards == 0 || options.shards > MAX_SHARDS {
            return Err(Error::option("shards", "must be 1 to 1024"));
        }
        if options.max_customers == 0 {
            return Err(Error::option("max_customers", "must be at least 1"));
        }
        if options.reorder_window_ms < 0 {
            return Err(Error::option("reorder_window_ms", "must not be negative"));
        }
        if options.idle_ttl_ms.is_some_and(|ttl| ttl < 0) {
            return Err(Error::option("idle_ttl_ms", "must not be negative"));
        }
        for (option, limits) in [
            ("touchpoint_limits", &options.touchpoint_limits),
            ("stage_limits", &options.stage_limits),
        ] {
            if let Some((id, _)) = limits.iter().find(|(_, limit)| **limit < 0) {
                return Err(Error::option(
                    option,
                    format!("{id:?} must not be negative"),
                ));
            }
        }
        let t = &options.priority_thresholds;
        if !(t.iter().all(|v| v.is_finite()) && t[0] <= t[1] && t[1] <= t[2]) {
            return Err(Error::option(
                "priority_thresholds",
                "must be three finite numbers in increasing order",
            ));
        }
        let touchpoint_ids: hashbrown::HashSet<&str> =
            journey.touchpoints.iter().map(|t| t.id.as_str()).collect();
        for id in options.touchpoint_limits.keys() {
            if !touchpoint_ids.contains(id.as_str()) {
                return Err(Error::option(
                    "touchpoint_limits",
                    format!("no touchpoint {id:?}"),
                ));
            }
        }
        let stage_ids: hashbrown::HashSet<&str> =
            journey.stages.iter().map(|s| s.id.as_str()).collect();
        for id in options.stage_limits.keys() {
            if !stage_ids.contains(id.as_str()) {
                return Err(Error::option("stage_limits", format!("no stage {id:?}")));
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
        let goal_probabilities: hashbrown::HashMap<&str, f64> = analysis
            .touchpoints
            .iter()
            .rev() // inserted last, so the first of a duplicated id wins
            .map(|t| (t.touchpoint.as_str(), t.goal_probability))
            .collect();
        let graph = crate::graph::JourneyGraph::new(journey);
        let stages: Vec<(String, Option<i64>)> = journey
            .stages
            .iter()
            .map(|s| (s.id.clone(), options.stage_limits.get(&s.id).copied()))
            .collect();
        let stage_positions = journey.stage_positions();
        let mut lookup = Names::default();
        let mut points = Vec::new();
        for touchpoint in &journey.touchpoints {
            if lookup.get(&touchpoint.id).is_some() {
                continue; // a duplicated id: the first counts, as in analysis
            }
            let index = points.len() as u32;
            lookup.insert(&touchpoint.id, index);
            let stage = stage_positions
                .get(touchpoint.stage.as_str())
                .copied()
                .unwrap_or(0) as u32;
            let goal_probability = goal_probabilities
                .get(touchpoint.id.as_str())
                .copied()
                .unwrap_or(0.0);
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
        if points.len() >= u32::MAX as usize {
            return Err(Error::LimitExceeded {
                what: "touchpoints of a tracked journey".into(),
                limit: u32::MAX as usize - 1,
                actual: points.len(),
            });
        }
        for point in &mut points {
            if let Some((steps, _)) = graph.next_steps(&point.id) {
                point.next = steps
                    .iter()
                    .filter_map(|s| {
                        lookup
                            .get(s.touchpoint.as_str())
                            .map(|i| (i, s.probability))
                    })
                    .collect();
            }
        }
        let (contexts, context_depth) = context_index(journey, &lookup);
        for (name, id) in &options.names {
            match lookup.get(id.as_str()) {
                Some(index) => lookup.insert(name, index),
                None => return Err(Error::option("names", format!("no touchpoint {id:?}"))),
            }
        }
        let extra_words = points.len().saturating_sub(64).div_ceil(64);
        let shards = (0..options.shards)
            .map(|_| Mutex::new(Shard::new(options.history, extra_words)))
            .collect();
        Ok(Tracker {
            journey: journey.id.clone(),
            points,
            stages,
            lookup,
            contexts,
            context_depth,
            options,
            customers: AtomicUsize::new(0),
            shards,
            hasher: hashbrown::DefaultHashBuilder::default(),
            json_reader: Mutex::new(None),
        })
    }

    /// The options in force.
    pub fn options(&self) -> &TrackerOptions {
        &self.options
    }

    /// The shard of a customer: FNV-1a of the key (fixed, so a restored
    /// tracker puts every customer where it was).
    fn shard_index(&self, customer: &str) -> usize {
        let mut fnv: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in customer.bytes() {
            fnv = (fnv ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        let shards = self.shards.len() as u64;
        // The same as `%`, without a division for a power of two.
        (if shards.is_power_of_two() {
            fnv & (shards - 1)
        } else {
            fnv % shards
        }) as usize
    }

    /// The shard of a customer, locked, and the key's hash in the shard's
    /// table (computed before the lock is taken); the memory where the
    /// customer usually is has been asked for.
    fn locate(&self, customer: &str) -> (MutexGuard<'_, Shard>, u64) {
        let hash = self.hasher.hash_one(customer.as_bytes());
        let shard = lock(&self.shards[self.shard_index(customer)]);
        shard.prefetch(hash);
        (shard, hash)
    }

    /// [`Tracker::observe`] of one event as its source system sends it in
    /// JSON (a Segment `track` call, a Zendesk or Intercom event, …), its
    /// fields found as [`crate::events::EventLog::read_json`] finds them.
    /// A payload without its customer, time or name, or whose time does not
    /// read, is refused with [`Error::InvalidArgument`].
    pub fn observe_json(
        &self,
        event: &str,
        options: &crate::events::JsonOptions,
    ) -> Result<Observed, Error> {
        let reader = {
            let mut cached = self
                .json_reader
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match &*cached {
                Some((built_for, reader)) if built_for == options => std::sync::Arc::clone(reader),
                _ => {
                    let reader = crate::events::JsonReader::new(options)?.into_owned();
                    let reader = std::sync::Arc::new(reader);
                    *cached = Some((options.clone(), std::sync::Arc::clone(&reader)));
                    reader
                }
            }
        };
        let value: serde_json::Value =
            crate::json::from_str(event).map_err(|e| Error::from_json(&e))?;
        let mut measures = Vec::new();
        let (customer, micros, name, _) = reader
            .event(&value, &mut measures)
            .map_err(|why| Error::argument("event", why))?;
        self.observe(&customer, &name, micros.div_euclid(1000))
    }

    /// Records that `customer` met touchpoint (or mapped event name) `name`
    /// at `timestamp` (epoch ms).
    pub fn observe(&self, customer: &str, name: &str, timestamp: i64) -> Result<Observed, Error> {
        if customer.is_empty() {
            return Err(Error::argument("customer", "must not be empty"));
        }
        let Some(touchpoint) = self.lookup.get(name) else {
            lock(&self.shards[self.shard_index(customer)]).stats.unknown += 1;
            return Ok(Observed::Unknown);
        };
        loop {
            let (mut shard, hash) = self.locate(customer);
            let slot = match shard.find_hashed(customer, hash) {
                Some(slot) => slot,
                None => match self.make_room(&mut shard) {
                    // Counted in, or in the place of the customer evicted.
                    Room::Counted | Room::Evicted => {
                        match shard.insert(customer, hash, &self.hasher) {
                            Ok(slot) => slot,
                            Err(error) => {
                                self.customers.fetch_sub(1, Ordering::Relaxed);
                                return Err(error);
                            }
                        }
                    }
                    Room::Elsewhere => {
                        // No lock is held while another is taken.
                        drop(shard);
                        self.evict_elsewhere(customer);
                        continue;
                    }
                },
            };
            shard.touch(slot);
            return Ok(shard.place(slot, touchpoint, timestamp, self));
        }
    }

    /// Room for one more customer in `shard`: counted in when under
    /// capacity (a compare-and-swap, so concurrent newcomers never exceed
    /// it), else by evicting the shard's least recently observed customer;
    /// [`Room::Elsewhere`] when the shard holds nobody to evict.
    fn make_room(&self, shard: &mut Shard) -> Room {
        let mut count = self.customers.load(Ordering::Relaxed);
        while count < self.options.max_customers {
            match self.customers.compare_exchange_weak(
                count,
                count + 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Room::Counted,
                Err(now) => count = now,
            }
        }
        if shard.evict_oldest() {
            Room::Evicted
        } else {
            Room::Elsewhere
        }
    }

    /// At capacity with the customer's own shard empty: evicts the least
    /// recently observed customer of the next shard holding any (each
    /// locked in turn, alone), so the capacity holds however few customers
    /// each shard has.
    fn evict_elsewhere(&self, customer: &str) {
        let own = self.shard_index(customer);
        let shards = self.shards.len();
        for step in 1..=shards {
            let mut shard = lock(&self.shards[(own + step) % shards]);
            if shard.evict_oldest() {
                self.customers.fetch_sub(1, Ordering::Relaxed);
                return;
            }
        }
        // Nobody anywhere yet: a newcomer counted in on another thread is
        // about to be stored (under its shard's lock). Let it.
        std::thread::yield_now();
    }

    /// Reads one customer's record under its shard's lock.
    fn with<T>(&self, customer: &str, read: impl FnOnce(&Shard, u32, &Record) -> T) -> Option<T> {
        let (shard, hash) = self.locate(customer);
        let slot = shard.find_hashed(customer, hash)?;
        let record = shard.record(slot)?;
        Some(read(&shard, slot, record))
    }

    /// Where the customer is; `None` for a customer not tracked.
    pub fn position(&self, customer: &str) -> Option<Position<'_>> {
        self.with(customer, |shard, slot, record| {
            let (touchpoint, last_seen) = shard.last_visit(slot)?;
            let point = &self.points[touchpoint as usize];
            Some(Position {
                touchpoint: &point.id,
                stage: &self.stages[point.stage as usize].0,
                touchpoint_since: record.touchpoint_since,
                stage_since: record.stage_since,
                last_seen,
                time_in_stage_ms: last_seen.saturating_sub(record.stage_since),
            })
        })
        .flatten()
    }

    /// The customer's last `n` visits that pass `filter`, latest first
    /// (within the kept history); empty for a customer not tracked.
    pub fn history(&self, customer: &str, n: usize, filter: &HistoryFilter) -> Vec<Visit<'_>> {
        self.with(customer, |shard, slot, _| {
            shard
                .ring(slot)
                .rev()
                .filter(|&(t, _)| {
                    let point = &self.points[t as usize];
                    filter.channel.as_ref().is_none_or(|c| *c == point.channel)
                        && filter.kind.is_none_or(|k| k == point.kind)
                        && filter
                            .stage
                            .as_ref()
                            .is_none_or(|s| *s == self.stages[point.stage as usize].0)
                })
                .take(n)
                .map(|(t, timestamp)| Visit {
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
        let index = self.lookup.get(touchpoint)?;
        self.with(customer, |shard, slot, _| {
            if !shard.has_seen(slot, index) {
                return None;
            }
            let mut seen = Seen {
                count: 0,
                first: None,
                last: None,
            };
            for (_, time) in shard.ring(slot).filter(|v| v.0 == index) {
                seen.count += 1;
                seen.first = Some(seen.first.map_or(time, |f: i64| f.min(time)));
                seen.last = Some(seen.last.map_or(time, |l: i64| l.max(time)));
            }
            Some(seen)
        })
        .flatten()
    }

    /// The `k` most likely next touchpoints from the customer's current
    /// one, most likely first; empty for a customer not tracked. When the
    /// journey has higher-order context (learnt by
    /// [`crate::fit::fit_traces`]), the longest context path that ends the
    /// customer's kept history decides; otherwise the current touchpoint's
    /// transitions do. Context needs a history of at least its order.
    pub fn next(&self, customer: &str, k: usize) -> Vec<Likely<'_>> {
        let mut out = Vec::with_capacity(k.min(16));
        self.next_into(customer, k, &mut out);
        out
    }

    /// [`Tracker::next`] into a caller's buffer (cleared first), for hot
    /// paths that reuse one.
    pub fn next_into<'s>(&'s self, customer: &str, k: usize, out: &mut Vec<Likely<'s>>) {
        out.clear();
        let steps = self
            .with(customer, |shard, slot, _| {
                let current = shard.last_touchpoint(slot)?;
                Some(
                    self.context_steps(shard, slot)
                        .unwrap_or(&self.points[current as usize].next),
                )
            })
            .flatten();
        if let Some(steps) = steps {
            out.extend(steps.iter().take(k).map(|&(t, probability)| Likely {
                touchpoint: &self.points[t as usize].id,
                probability,
            }));
        }
    }

    /// The next steps of the longest context path that ends the customer's
    /// history.
    fn context_steps(&self, shard: &Shard, slot: u32) -> Option<&[(u32, f64)]> {
        if self.context_depth < 2 {
            return None;
        }
        let mut recent = [0u32; crate::fit::MAX_CONTEXT_ORDER];
        let mut kept = 0;
        for ((touchpoint, _), place) in shard
            .ring(slot)
            .rev()
            .zip(recent.iter_mut())
            .take(self.context_depth)
        {
            *place = touchpoint;
            kept += 1;
        }
        // `recent` is latest first; paths are oldest first.
        let mut path = [0u32; crate::fit::MAX_CONTEXT_ORDER];
        for length in (2..=kept).rev() {
            for (i, place) in path[..length].iter_mut().enumerate() {
                *place = recent[length - 1 - i];
            }
            if let Some(steps) = self.contexts.get(&path[..length]) {
                return Some(steps);
            }
        }
        None
    }

    /// The customer's current touchpoint.
    fn current(&self, customer: &str) -> Option<u32> {
        self.with(customer, |shard, slot, _| shard.last_touchpoint(slot))
            .flatten()
    }

    /// Probability that the customer reaches a goal from where they are.
    pub fn goal_probability(&self, customer: &str) -> Option<f64> {
        self.current(customer)
            .map(|t| self.points[t as usize].goal_probability)
    }

    /// The customer's priority: risk (1 − goal probability) times the
    /// current touchpoint's importance, as a level.
    pub fn priority(&self, customer: &str) -> Option<Priority> {
        let point = &self.points[self.current(customer)? as usize];
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
            let shard = lock(shard);
            for (slot, record) in shard.live() {
                let Some((current, _)) = shard.last_visit(slot) else {
                    continue;
                };
                let point = &self.points[current as usize];
                let stage = &self.stages[point.stage as usize];
                for (reason, limit, since) in [
                    (DueReason::Touchpoint, point.limit, record.touchpoint_since),
                    (DueReason::Stage, stage.1, record.stage_since),
                ] {
                    if let Some(limit) = limit {
                        let over = now.saturating_sub(since).saturating_sub(limit);
                        if over > 0 {
                            due.push(Due {
                                customer: record.key.to_text(),
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
        crate::order::sort_by(&mut due, |a, b| {
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
            let mut shard = lock(shard);
            let idle: Vec<u32> = shard
                .live()
                .map(|(slot, _)| slot)
                .filter(|&slot| {
                    shard
                        .last_visit(slot)
                        .is_none_or(|(_, last)| now.saturating_sub(last) > ttl)
                })
                .collect();
            for slot in idle {
                shard.remove(slot);
                shard.stats.evicted += 1;
                self.customers.fetch_sub(1, Ordering::Relaxed);
                evicted += 1;
            }
        }
        evicted
    }

    /// Forgets a customer; whether it was tracked.
    pub fn forget(&self, customer: &str) -> bool {
        let (mut shard, hash) = self.locate(customer);
        match shard.find_hashed(customer, hash) {
            Some(slot) => {
                shard.remove(slot);
                self.customers.fetch_sub(1, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// Counters over all shards.
    pub fn stats(&self) -> TrackerStats {
        let mut total = TrackerStats {
            // The global count: summed shard by shard, customers moving
            // between shards meanwhile could be counted twice or not at all.
            customers: self.customers.load(Ordering::Relaxed) as u64,
            ..TrackerStats::default()
        };
        for shard in self.shards.iter() {
            let shard = lock(shard);
            total.placed += shard.stats.placed;
            total.late += shard.stats.late;
            total.unknown += shard.stats.unknown;
            total.evicted += shard.stats.evicted;
        }
        total
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

#[cfg(test)]
mod tests {
    use super::{Key, Place, Shard};
    use std::hash::BuildHasher;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_place_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<Place>(), 64);
        assert_eq!(std::mem::align_of::<Place>(), 64);
    }

    #[test]
    fn the_access_queue_stays_bounded_and_in_recency_order() {
        let mut shard = Shard::new(4, 0);
        let hasher = hashbrown::DefaultHashBuilder::default();
        let hash = |key: &str| hasher.hash_one(key.as_bytes());
        let keys: Vec<String> = (0..300).map(|n| format!("customer-{n}")).collect();
        for key in &keys {
            let slot = shard.insert(key, hash(key), &hasher).unwrap();
            shard.touch(slot);
        }
        // Places as they are once the table is grown.
        let slots: Vec<(&String, u32)> = keys
            .iter()
            .map(|key| (key, shard.find_hashed(key, hash(key)).unwrap()))
            .collect();
        // Touched again in reverse, then most of them removed.
        for (_, slot) in slots.iter().rev() {
            shard.touch(*slot);
        }
        for (_, slot) in &slots[..280] {
            shard.remove(*slot);
            assert!(shard.queue.len() as u64 <= 2 * shard.stats.customers + 64);
        }
        let order: Vec<&[u8]> = shard.by_recency().map(|(_, r)| r.key.as_bytes()).collect();
        let expected: Vec<&[u8]> = slots[280..]
            .iter()
            .rev()
            .map(|(k, _)| k.as_bytes())
            .collect();
        assert_eq!(order, expected);
        // Compacting keeps exactly the live customers' latest accesses.
        shard.compact_all();
        assert_eq!(shard.queue.len(), 20);
    }

    #[test]
    fn nearly_every_customer_is_in_the_first_two_places_of_a_run() {
        let mut shard = Shard::new(4, 0);
        let hasher = hashbrown::DefaultHashBuilder::default();
        let hash = |key: &str| hasher.hash_one(key.as_bytes());
        let keys: Vec<String> = (0..20_000).map(|n| format!("c{n:07}")).collect();
        for key in &keys {
            shard.insert(key, hash(key), &hasher).unwrap();
        }
        // Removing and adding customers reuses places.
        for key in &keys[..5_000] {
            let slot = shard.find_hashed(key, hash(key)).unwrap();
            shard.remove(slot);
        }
        for n in 20_000..25_000 {
            let key = format!("c{n:07}");
            shard.insert(&key, hash(&key), &hasher).unwrap();
        }
        let len = shard.table.len();
        let mut near = 0;
        for n in 5_000..25_000 {
            let key = format!("c{n:07}");
            let slot = shard.find_hashed(&key, hash(&key)).unwrap() as usize;
            let distance = Shard::homes(hash(&key), len).map(|home| (slot + len - home) % len);
            near += usize::from(distance.iter().any(|&d| d <= 1));
        }
        // At most 4/5 full: about 94% are near here with two runs, 77%
        // with one (the spread of a share of 20,000 is under 0.5%).
        let load = shard.stats.customers as f64 / len as f64;
        assert!((0.5..=0.8).contains(&load), "load {load}");
        assert!(near >= 18_000, "{near} of 20,000 within two places");
    }

    #[test]
    fn keys_compare_inline_and_on_the_heap() {
        let is = |key: &str, text: &str| Key::new(key).is(text.as_bytes());
        assert!(is("c0000042", "c0000042"));
        assert!(!is("c0000042", "c000004"));
        assert!(!is("c0000042", "c00000420"));
        assert!(!is("c0000042", &"c".repeat(40)));
        assert!(is("a-key-of-22-bytes-long", "a-key-of-22-bytes-long"));
        assert!(!is("a-key-of-22-bytes-long", "a-key-of-22-bytes-long!"));
        let long = "customer-with-a-long-key-000042";
        assert!(is(long, long));
        assert!(!is(long, "customer-with-a-long-key-00004"));
        assert!(!is("c0000042", long));
        assert!(is("", ""));
        assert!(!is("", "\0"));
    }
}
