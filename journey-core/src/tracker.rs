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
//! global; the LRU order is kept per shard: a new customer over capacity
//! evicts the least recently observed customer of its own shard.
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
use blocks::Blocks;

use crate::bytes::same;

/// The format written by [`Tracker::snapshot`].
pub const SNAPSHOT_FORMAT: &str = "journey-tracker/1";

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

/// A customer key: up to 22 bytes inline, longer ones on the heap.
#[derive(Clone)]
enum Key {
    Inline(u8, [u8; 22]),
    Heap(Box<str>),
}

impl Key {
    fn new(text: &str) -> Key {
        let bytes = text.as_bytes();
        let mut inline = [0u8; 22];
        match inline.get_mut(..bytes.len()) {
            Some(prefix) => {
                prefix.copy_from_slice(bytes);
                Key::Inline(bytes.len() as u8, inline)
            }
            None => Key::Heap(text.into()),
        }
    }

    /// Whether this is the key `text` (compared in place, by words: a copy
    /// of `text` laid out as a stored key would be read back right after
    /// its bytes were written, which stalls the processor).
    fn is(&self, text: &[u8]) -> bool {
        same(self.as_bytes(), text)
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            Key::Inline(len, bytes) => &bytes[..*len as usize],
            Key::Heap(text) => text.as_bytes(),
        }
    }

    fn to_text(&self) -> String {
        String::from_utf8_lossy(self.as_bytes()).into_owned()
    }
}

/// One customer's fixed-size record, one cache line. It lives in its
/// shard's table, followed by its ring of visits; its extra seen bits live
/// in the shard's `seen_more` at the same place.
#[derive(Clone)]
#[repr(align(64))]
struct Record {
    key: Key,
    touchpoint_since: i64,
    stage_since: i64,
    /// Touchpoints 0–63 seen (more in `Shard::seen_more`).
    seen: u64,
    /// The touchpoint of the latest visit (the ring's last, when `len > 0`),
    /// so that reading where a customer is does not touch the ring.
    last_touchpoint: u32,
    /// The customer's latest access (see `Shard::queue`).
    tick: u32,
    /// The ring: the oldest visit is at `head`, `len` visits in time order.
    head: u16,
    len: u16,
}

/// A place of a shard's table.
#[derive(Clone)]
enum Place {
    /// Unused since the table was last built: a search ends here.
    Empty,
    /// A customer was removed here: a search goes on past it.
    Removed,
    /// A customer.
    Live(Record),
}

/// The customers of one shard.
///
/// The records are the hash table itself (open addressing, two-choice
/// linear probing: a key's hash points at two places, and the key is in
/// the run of places from one of them), each followed by its ring of
/// visits in the same block of `table`. Finding a customer reads its
/// record directly, instead of a control byte, an index and then the
/// record, and the first two places of both runs (records and ring starts)
/// are asked for as soon as the hash is known, all at once: at a million
/// customers every line read is a cache miss, and each page a TLB miss.
/// With one run, 23% of the customers of a 3/4 full table sat further than
/// two places from its start and cost a second miss; with the nearer of
/// two runs, 8% do.
struct Shard {
    /// Each place's record, followed by its ring of visits (touchpoint,
    /// time), `history` per place: a record and a ring of 4 visits are two
    /// adjacent cache lines.
    table: Blocks<Place, (u32, i64)>,
    /// Places live or removed; kept at most 4/5 of the table.
    used: usize,
    /// Visits kept per customer.
    history: usize,
    /// Seen-bit words per customer beyond the record's 64 bits.
    extra_words: usize,
    /// Seen bits of touchpoints 64 and up, `extra_words` per place.
    seen_more: Vec<u64>,
    /// Accesses in order (place, tick), and (place, 0) where a customer
    /// was removed: an entry is current when the place holds a customer
    /// with that tick, so the first current entry is the least recently
    /// observed customer, and the latest entry of a place is current
    /// exactly when the place holds a customer. Stale entries are dropped
    /// as the queue is read, when it is compacted (it is kept at most twice
    /// the customers plus 64, by a walk that reads no record) and when the
    /// table is rebuilt.
    queue: std::collections::VecDeque<(u32, u32)>,
    tick: u32,
    /// Counters; `stats.customers` is the number of live records.
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
    lookup: hashbrown::HashMap<Name, u32>,
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
}

/// A touchpoint id or event name as the key of the name lookup, which an
/// event's name is compared with inline (see [`same`]): looking it up is
/// part of every event.
#[derive(Debug, PartialEq, Eq)]
struct Name(Box<str>);

impl std::hash::Hash for Name {
    /// As the text hashes, so that a `&str` finds it.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl hashbrown::Equivalent<Name> for str {
    fn equivalent(&self, key: &Name) -> bool {
        same(self.as_bytes(), key.0.as_bytes())
    }
}

/// Context paths (touchpoint numbers, oldest first) → next steps, most likely first.
type ContextIndex = hashbrown::HashMap<Box<[u32]>, Box<[(u32, f64)]>>;

/// The journey's context rows by touchpoint numbers, with their next steps
/// as probabilities (a row's leavers count in the total), and the longest
/// path. Rows naming touchpoints the journey lacks are left out.
fn context_index(
    journey: &Journey,
    lookup: &hashbrown::HashMap<Name, u32>,
) -> (ContextIndex, usize) {
    let mut index = hashbrown::HashMap::new();
    let mut depth = 0;
    for row in &journey.context {
        if row.path.len() < 2 || row.path.len() > crate::fit::MAX_CONTEXT_ORDER {
            continue;
        }
        let Some(path) = row
            .path
            .iter()
            .map(|id| lookup.get(id.as_str()).copied())
            .collect::<Option<Box<[u32]>>>()
        else {
            continue;
        };
        let total = row.next.values().sum::<u64>() + row.ends;
        if total == 0 {
            continue;
        }
        let mut steps: Vec<(u32, f64)> = row
            .next
            .iter()
            .filter_map(|(id, &n)| Some((*lookup.get(id.as_str())?, n as f64 / total as f64)))
            .collect();
        steps.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        depth = depth.max(path.len());
        index.insert(path, steps.into_boxed_slice());
    }
    (index, depth)
}

fn option_error(option: &'static str, message: impl Into<String>) -> Error {
    Error::option(option, message)
}

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
        let mut lookup = hashbrown::HashMap::new();
        let mut points = Vec::new();
        for touchpoint in &journey.touchpoints {
            if lookup.contains_key(touchpoint.id.as_str()) {
                continue; // a duplicated id: the first counts, as in analysis
            }
            let index = points.len() as u32;
            lookup.insert(Name(touchpoint.id.as_str().into()), index);
            let stage = journey
                .stages
                .iter()
                .position(|s| s.id == touchpoint.stage)
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
                            .map(|&i| (i, s.probability))
                    })
                    .collect();
            }
        }
        let (contexts, context_depth) = context_index(journey, &lookup);
        for (name, id) in &options.names {
            match lookup.get(id.as_str()) {
                Some(&index) => {
                    lookup.insert(Name(name.as_str().into()), index);
                }
                None => return Err(option_error("names", format!("no touchpoint {id:?}"))),
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

    /// Records that `customer` met touchpoint (or mapped event name) `name`
    /// at `timestamp` (epoch ms).
    pub fn observe(&self, customer: &str, name: &str, timestamp: i64) -> Result<Observed, Error> {
        if customer.is_empty() {
            return Err(Error::argument("customer", "must not be empty"));
        }
        let Some(&touchpoint) = self.lookup.get(name) else {
            lock(&self.shards[self.shard_index(customer)]).stats.unknown += 1;
            return Ok(Observed::Unknown);
        };
        let (mut shard, hash) = self.locate(customer);
        let slot = match shard.find_hashed(customer, hash) {
            Some(slot) => slot,
            None => {
                if self.customers.load(Ordering::Relaxed) >= self.options.max_customers
                    && shard.evict_oldest()
                {
                    self.customers.fetch_sub(1, Ordering::Relaxed);
                }
                let slot = shard.insert(customer, hash, &self.hasher)?;
                self.customers.fetch_add(1, Ordering::Relaxed);
                slot
            }
        };
        shard.touch(slot);
        Ok(shard.place(slot, touchpoint, timestamp, self))
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
        let &index = self.lookup.get(touchpoint)?;
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
        let mut total = TrackerStats::default();
        for shard in self.shards.iter() {
            let shard = lock(shard);
            total.customers += shard.stats.customers;
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
            let shard = lock(shard);
            let id = |t: u32| self.points[t as usize].id.clone();
            let customers = shard
                .by_recency()
                .map(|(slot, record)| SavedCustomer {
                    key: record.key.to_text(),
                    visits: shard.ring(slot).map(|(t, time)| (id(t), time)).collect(),
                    seen: (0..self.points.len() as u32)
                        .filter(|&t| shard.has_seen(slot, t))
                        .map(id)
                        .collect(),
                    touchpoint_since: record.touchpoint_since,
                    stage_since: record.stage_since,
                })
                .collect();
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
            return Err(snapshot_error(format!(
                "it was taken of journey {:?}, not {:?}",
                saved.journey, journey.id
            )));
        }
        let tracker = Tracker::new(journey, saved.options)?;
        if saved.shards.len() != tracker.shards.len() {
            return Err(snapshot_error(
                "its shards are not as many as its options ask for",
            ));
        }
        let index = |id: &str| -> Result<u32, Error> {
            tracker
                .lookup
                .get(id)
                .copied()
                .ok_or_else(|| Error::NotFound {
                    kind: "touchpoint",
                    id: id.to_owned(),
                })
        };
        for (number, (shard, saved)) in tracker.shards.iter().zip(saved.shards).enumerate() {
            let mut shard = lock(shard);
            for customer in saved.customers {
                let hash = tracker.hasher.hash_one(customer.key.as_bytes());
                if customer.key.is_empty()
                    || tracker.shard_index(&customer.key) != number
                    || shard.find_hashed(&customer.key, hash).is_some()
                    || customer.visits.len() > tracker.options.history
                    || tracker.customers.load(Ordering::Relaxed) >= tracker.options.max_customers
                {
                    return Err(snapshot_error(
                        "a customer is empty, in another shard, repeated, over its history or \
                         over capacity",
                    ));
                }
                let slot = shard.insert(&customer.key, hash, &tracker.hasher)?;
                tracker.customers.fetch_add(1, Ordering::Relaxed);
                shard.touch(slot);
                for (id, time) in &customer.visits {
                    shard.push_visit(slot, index(id)?, *time);
                }
                for id in &customer.seen {
                    shard.mark_seen(slot, index(id)?);
                }
                if let Some(record) = shard.record_mut(slot) {
                    record.touchpoint_since = customer.touchpoint_since;
                    record.stage_since = customer.stage_since;
                }
            }
            shard.stats = saved.stats;
        }
        Ok(tracker)
    }
}

/// A shard's lock; a panic while holding it cannot leave a record half
/// written in a way that matters more than losing the shard, so a poisoned
/// lock is used as is.
fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    shard
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
    seen: Vec<String>,
    touchpoint_since: i64,
    stage_since: i64,
}

/// A shard shows its counts, not its customers.
impl std::fmt::Debug for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shard")
            .field("places", &self.table.len())
            .field("used", &self.used)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// `index` (below twice `len`) wrapped into `0..len`: ring and probing
/// arithmetic without a division.
fn wrap(index: usize, len: usize) -> usize {
    if index >= len { index - len } else { index }
}

impl Shard {
    fn new(history: usize, extra_words: usize) -> Shard {
        Shard {
            table: Blocks::default(),
            used: 0,
            history,
            extra_words,
            seen_more: Vec::new(),
            queue: std::collections::VecDeque::new(),
            tick: 0,
            stats: TrackerStats::default(),
        }
    }

    /// Where a search for `hash` starts in a table of `len` places.
    fn home(hash: u64, len: usize) -> usize {
        ((u128::from(hash) * len as u128) >> 64) as usize
    }

    /// The two places a customer's runs start from (from the high and the
    /// low half of its key's hash): it is stored in the run, from either,
    /// where it lands nearer its start (two-choice linear probing).
    fn homes(hash: u64, len: usize) -> [usize; 2] {
        [
            Shard::home(hash, len),
            Shard::home(hash.rotate_left(32), len),
        ]
    }

    /// Asks for the first two places of both runs a search for `hash`
    /// reads (each record and the first line of its ring), where the
    /// customer nearly always is, so that all arrive at once.
    fn prefetch(&self, hash: u64) {
        if !self.table.is_empty() {
            for home in Shard::homes(hash, self.table.len()) {
                self.table.prefetch(home);
                self.table.prefetch(home + 1);
            }
        }
    }

    fn find_hashed(&self, key: &str, hash: u64) -> Option<u32> {
        let len = self.table.len();
        if len == 0 {
            return None;
        }
        let key = key.as_bytes();
        // Both runs are read a place at a time each, nearest first; a run
        // ends at an empty place. The table always has one, so this ends;
        // the count bounds it regardless.
        let mut runs = Shard::homes(hash, len).map(Some);
        for _ in 0..len {
            for run in &mut runs {
                let Some(at) = *run else { continue };
                match self.table.head(at) {
                    Place::Empty => *run = None,
                    Place::Live(record) if record.key.is(key) => return Some(at as u32),
                    _ => *run = Some(wrap(at + 1, len)),
                }
            }
            if runs == [None, None] {
                return None;
            }
        }
        None
    }

    fn record(&self, slot: u32) -> Option<&Record> {
        match self.table.get(slot as usize)? {
            Place::Live(record) => Some(record),
            _ => None,
        }
    }

    fn record_mut(&mut self, slot: u32) -> Option<&mut Record> {
        match self.table.get_mut(slot as usize)? {
            Place::Live(record) => Some(record),
            _ => None,
        }
    }

    /// Of the first places that are not live in `hash`'s two runs (there
    /// are: at most 4/5 of the places are used), the one nearer its run's
    /// start (the first run's on a tie). Choosing keeps nearly every
    /// customer within two places of a start: at 3/4 full, 92% against 77%
    /// with one run.
    fn vacancy(table: &Blocks<Place, (u32, i64)>, hash: u64) -> usize {
        let len = table.len();
        let [first, second] = Shard::homes(hash, len).map(|home| {
            let (mut at, mut distance) = (home, 0);
            while matches!(table.head(at), Place::Live(_)) {
                at = wrap(at + 1, len);
                distance += 1;
            }
            (distance, at)
        });
        if second.0 < first.0 {
            second.1
        } else {
            first.1
        }
    }

    /// Rebuilds the table at `len` places (more than the live records),
    /// moving each customer's ring and seen bits along (to the places
    /// `hasher`, the tracker's, gives their keys) and dropping removed
    /// places and stale queue entries.
    fn rebuild(&mut self, len: usize, hasher: &hashbrown::DefaultHashBuilder) -> Result<(), Error> {
        let (history, words) = (self.history, self.extra_words);
        let (Some(table), Some(seen_len)) = (
            Blocks::new(len, history, Place::Empty, (0, 0)),
            len.checked_mul(words),
        ) else {
            return Err(Error::LimitExceeded {
                what: "places in a tracker shard's table".into(),
                limit: len - 1,
                actual: len,
            });
        };
        let mut old = std::mem::replace(&mut self.table, table);
        let old_seen = std::mem::replace(&mut self.seen_more, vec![0; seen_len]);
        // Old place → new place, for the queue.
        let mut moved = vec![u32::MAX; old.len()];
        self.used = 0;
        for from in 0..old.len() {
            let (place, ring) = old.parts_mut(from);
            if let Place::Live(record) = std::mem::replace(place, Place::Empty) {
                let to = Shard::vacancy(&self.table, hasher.hash_one(record.key.as_bytes()));
                self.table.parts_mut(to).1.copy_from_slice(ring);
                self.seen_more[to * words..(to + 1) * words]
                    .copy_from_slice(&old_seen[from * words..(from + 1) * words]);
                *self.table.head_mut(to) = Place::Live(record);
                moved[from] = to as u32;
                self.used += 1;
            }
        }
        let mut queue = std::mem::take(&mut self.queue);
        queue.retain_mut(|(slot, tick)| {
            *slot = moved.get(*slot as usize).copied().unwrap_or(u32::MAX);
            self.current(*slot, *tick)
        });
        self.queue = queue;
        Ok(())
    }

    /// The live records with their places.
    fn live(&self) -> impl Iterator<Item = (u32, &Record)> {
        self.table
            .heads()
            .enumerate()
            .filter_map(|(slot, place)| match place {
                Place::Live(record) => Some((slot as u32, record)),
                _ => None,
            })
    }

    /// Whether the queue entry (`slot`, `tick`) is the record's latest access.
    fn current(&self, slot: u32, tick: u32) -> bool {
        self.record(slot).is_some_and(|record| record.tick == tick)
    }

    /// Drops the stale entries of the queue when it holds more than twice
    /// the customers plus 64: walking from the latest, an entry is kept
    /// when it is its place's latest and no removal, which needs no record
    /// read (see `queue`).
    fn compact(&mut self) {
        if self.queue.len() as u64 > 2 * self.stats.customers + 64 {
            self.compact_all();
        }
    }

    /// Drops every stale entry of the queue (see `compact`).
    fn compact_all(&mut self) {
        let mut met = vec![0u64; self.table.len().div_ceil(64)];
        let queue = self.queue.make_contiguous();
        // Kept entries are moved to the end, in order; `kept` is the first.
        let mut kept = queue.len();
        for at in (0..queue.len()).rev() {
            let (slot, tick) = queue[at];
            let (word, bit) = (slot as usize / 64, 1u64 << (slot % 64));
            if let Some(word) = met.get_mut(word)
                && *word & bit == 0
            {
                *word |= bit;
                if tick != 0 {
                    kept -= 1;
                    queue[kept] = (slot, tick);
                }
            }
        }
        self.queue.drain(..kept);
    }

    /// The live records from least to most recently observed.
    fn by_recency(&self) -> impl Iterator<Item = (u32, &Record)> {
        self.queue
            .iter()
            .filter(|&&(slot, tick)| self.current(slot, tick))
            .filter_map(|&(slot, _)| Some((slot, self.record(slot)?)))
    }

    /// Stores a new customer (not yet stored; `hash` is its key's by
    /// `hasher`) with an empty ring and nothing seen; its place. Fails only
    /// when the table cannot grow.
    fn insert(
        &mut self,
        key: &str,
        hash: u64,
        hasher: &hashbrown::DefaultHashBuilder,
    ) -> Result<u32, Error> {
        if (self.used + 1) * 5 > self.table.len() * 4 {
            // To a load of 9/16: the table grows by a bit over 1.4 times
            // between rebuilds, which keeps it between 56% and 80% full.
            // Tables of 2 MiB or more fill their last huge page.
            let live = self.stats.customers as usize + 1;
            let len = Blocks::<Place, (u32, i64)>::fitting(live * 16 / 9, self.history);
            self.rebuild(len.max(16), hasher)?;
        }
        let at = Shard::vacancy(&self.table, hash);
        if matches!(self.table.head(at), Place::Empty) {
            self.used += 1;
        }
        *self.table.head_mut(at) = Place::Live(Record {
            key: Key::new(key),
            touchpoint_since: 0,
            stage_since: 0,
            seen: 0,
            last_touchpoint: 0,
            tick: 0,
            head: 0,
            len: 0,
        });
        let words = self.extra_words;
        self.seen_more[at * words..(at + 1) * words].fill(0);
        self.stats.customers += 1;
        Ok(at as u32)
    }

    /// Makes `slot` the most recently observed.
    fn touch(&mut self, slot: u32) {
        // Ticks wrap around, skipping 0 (no customer).
        self.tick = self.tick.checked_add(1).unwrap_or(1);
        let tick = self.tick;
        let Some(record) = self.record_mut(slot) else {
            return;
        };
        record.tick = tick;
        self.queue.push_back((slot, tick));
        self.compact();
    }

    fn remove(&mut self, slot: u32) {
        let len = self.table.len();
        let at = slot as usize;
        if !matches!(self.table.get(at), Some(Place::Live(_))) {
            return;
        }
        *self.table.head_mut(at) = Place::Removed;
        self.queue.push_back((slot, 0));
        self.stats.customers -= 1;
        // A removed place followed by an empty one ends no search that
        // could go on: it and the removed places before it become empty.
        if matches!(self.table.head(wrap(at + 1, len)), Place::Empty) {
            let mut back = at;
            while matches!(self.table.head(back), Place::Removed) {
                *self.table.head_mut(back) = Place::Empty;
                self.used -= 1;
                back = if back == 0 { len - 1 } else { back - 1 };
            }
        }
        self.compact();
    }

    /// Evicts the least recently observed customer; whether there was one.
    fn evict_oldest(&mut self) -> bool {
        while let Some((slot, tick)) = self.queue.pop_front() {
            if self.current(slot, tick) {
                self.remove(slot);
                self.stats.evicted += 1;
                return true;
            }
        }
        false
    }

    /// The customer's visits in time order.
    fn ring(&self, slot: u32) -> impl DoubleEndedIterator<Item = (u32, i64)> + '_ {
        let (head, len, ring) = match self.table.get_parts(slot as usize) {
            Some((Place::Live(r), ring)) => (r.head as usize, r.len as usize, ring),
            _ => (0, 0, &[][..]),
        };
        (0..len).map(move |k| ring[wrap(head + k, ring.len())])
    }

    /// The latest visit.
    fn last_visit(&self, slot: u32) -> Option<(u32, i64)> {
        let (Place::Live(record), ring) = self.table.get_parts(slot as usize)? else {
            return None;
        };
        let last = (record.head as usize + record.len as usize).checked_sub(1)?;
        ring.get(wrap(last, ring.len())).copied()
    }

    /// The touchpoint of the latest visit, kept in the record: reading it
    /// touches no ring.
    fn last_touchpoint(&self, slot: u32) -> Option<u32> {
        let record = self.record(slot)?;
        (record.len > 0).then_some(record.last_touchpoint)
    }

    /// Appends a visit to the ring, dropping the oldest when full.
    fn push_visit(&mut self, slot: u32, touchpoint: u32, time: i64) {
        let history = self.history;
        let Some((Place::Live(record), ring)) = self.table.get_parts_mut(slot as usize) else {
            return;
        };
        let at = wrap(record.head as usize + record.len as usize, history);
        record.last_touchpoint = touchpoint;
        if (record.len as usize) < history {
            record.len += 1;
        } else {
            record.head = wrap(record.head as usize + 1, history) as u16;
        }
        ring[at] = (touchpoint, time);
    }

    /// The word of `seen_more` holding touchpoint `touchpoint` (64 or up) of
    /// the customer at `slot`.
    fn seen_word(&self, slot: u32, touchpoint: u32) -> usize {
        slot as usize * self.extra_words + (touchpoint as usize - 64) / 64
    }

    fn has_seen(&self, slot: u32, touchpoint: u32) -> bool {
        let Some(record) = self.record(slot) else {
            return false;
        };
        if touchpoint < 64 {
            record.seen & (1 << touchpoint) != 0
        } else {
            self.seen_more[self.seen_word(slot, touchpoint)] & (1 << (touchpoint % 64)) != 0
        }
    }

    fn mark_seen(&mut self, slot: u32, touchpoint: u32) {
        let Some(record) = self.record_mut(slot) else {
            return;
        };
        if touchpoint < 64 {
            record.seen |= 1 << touchpoint;
        } else {
            let word = self.seen_word(slot, touchpoint);
            self.seen_more[word] |= 1 << (touchpoint % 64);
        }
    }

    /// Places a visit in time order (after visits at the same time) and
    /// keeps the since-times of the current touchpoint and stage; a visit
    /// older than the reorder window before the latest is counted late and
    /// not used.
    fn place(&mut self, slot: u32, touchpoint: u32, timestamp: i64, tracker: &Tracker) -> Observed {
        let last = self.last_visit(slot);
        if let Some((_, latest)) = last
            && timestamp < latest.saturating_sub(tracker.options.reorder_window_ms)
        {
            self.stats.late += 1;
            return Observed::Late;
        }
        self.stats.placed += 1;
        self.mark_seen(slot, touchpoint);
        match last {
            Some((_, latest)) if timestamp < latest => {
                // Out of order: rebuild the ring with the visit in its place.
                let mut visits: Vec<(u32, i64)> = self.ring(slot).collect();
                let at = visits.partition_point(|&(_, t)| t <= timestamp);
                visits.insert(at, (touchpoint, timestamp));
                if visits.len() > self.history {
                    visits.remove(0);
                }
                if let Some(record) = self.record_mut(slot) {
                    record.head = 0;
                    record.len = 0;
                }
                for &(t, time) in &visits {
                    self.push_visit(slot, t, time);
                }
                self.recompute_since(slot, &visits, tracker);
            }
            _ => {
                self.push_visit(slot, touchpoint, timestamp);
                let stage_of = |t: u32| tracker.points[t as usize].stage;
                if let Some(record) = self.record_mut(slot) {
                    match last {
                        None => {
                            record.touchpoint_since = timestamp;
                            record.stage_since = timestamp;
                        }
                        Some((previous, _)) => {
                            if previous != touchpoint {
                                record.touchpoint_since = timestamp;
                            }
                            if stage_of(previous) != stage_of(touchpoint) {
                                record.stage_since = timestamp;
                            }
                        }
                    }
                }
            }
        }
        Observed::Placed
    }

    /// After a visit was placed before the latest one: the runs of the
    /// current touchpoint and stage, as far as the ring reaches back.
    fn recompute_since(&mut self, slot: u32, visits: &[(u32, i64)], tracker: &Tracker) {
        let Some(&(current, _)) = visits.last() else {
            return;
        };
        let Some(record) = self.record_mut(slot) else {
            return;
        };
        let stage = tracker.points[current as usize].stage;
        let run = |same: &dyn Fn(u32) -> bool, old: i64| -> i64 {
            let mut since = None;
            for &(t, time) in visits.iter().rev() {
                if !same(t) {
                    return since.unwrap_or(old);
                }
                since = Some(time);
            }
            // The run covers the whole ring: it may have begun before it.
            since.map_or(old, |s| s.min(old))
        };
        record.touchpoint_since = run(&|t| t == current, record.touchpoint_since);
        record.stage_since = run(
            &|t| tracker.points[t as usize].stage == stage,
            record.stage_since,
        );
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
