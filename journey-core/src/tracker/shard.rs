//! A shard of the tracker: an open-addressing table of customers (two-choice
//! linear probing over `blocks`), each a record and a ring of visits, with
//! the LRU access queue, behind its lock.

use super::*;

/// One customer's fixed-size record, one cache line. It lives in its
/// shard's table, followed by its ring of visits; its extra seen bits live
/// in the shard's `seen_more` at the same place.
#[derive(Clone)]
#[repr(align(64))]
pub(super) struct Record {
    pub(super) key: Key,
    pub(super) touchpoint_since: i64,
    pub(super) stage_since: i64,
    /// Touchpoints 0–63 seen (more in `Shard::seen_more`).
    pub(super) seen: u64,
    /// The touchpoint of the latest visit (the ring's last, when `len > 0`),
    /// so that reading where a customer is does not touch the ring.
    pub(super) last_touchpoint: u32,
    /// The customer's latest access (see `Shard::queue`).
    pub(super) tick: u32,
    /// The ring: the oldest visit is at `head`, `len` visits in time order.
    pub(super) head: u16,
    pub(super) len: u16,
}

/// A place of a shard's table.
#[derive(Clone)]
pub(super) enum Place {
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
pub(super) struct Shard {
    /// Each place's record, followed by its ring of visits (touchpoint,
    /// time), `history` per place: a record and a ring of 4 visits are two
    /// adjacent cache lines.
    pub(super) table: Blocks<Place, (u32, i64)>,
    /// Places live or removed; kept at most 4/5 of the table.
    pub(super) used: usize,
    /// Visits kept per customer.
    pub(super) history: usize,
    /// Seen-bit words per customer beyond the record's 64 bits.
    pub(super) extra_words: usize,
    /// Seen bits of touchpoints 64 and up, `extra_words` per place.
    pub(super) seen_more: Vec<u64>,
    /// Accesses in order (place, tick), and (place, 0) where a customer
    /// was removed: an entry is current when the place holds a customer
    /// with that tick, so the first current entry is the least recently
    /// observed customer, and the latest entry of a place is current
    /// exactly when the place holds a customer. Stale entries are dropped
    /// as the queue is read, when it is compacted (it is kept at most twice
    /// the customers plus 64, by a walk that reads no record) and when the
    /// table is rebuilt.
    pub(super) queue: std::collections::VecDeque<(u32, u32)>,
    pub(super) tick: u32,
    /// Counters; `stats.customers` is the number of live records.
    pub(super) stats: TrackerStats,
}

/// A shard's lock; a panic while holding it cannot leave a record half
/// written in a way that matters more than losing the shard, so a poisoned
/// lock is used as is.
pub(super) fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    shard
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
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
pub(super) fn wrap(index: usize, len: usize) -> usize {
    if index >= len { index - len } else { index }
}

impl Shard {
    pub(super) fn new(history: usize, extra_words: usize) -> Shard {
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
    pub(super) fn home(hash: u64, len: usize) -> usize {
        ((u128::from(hash) * len as u128) >> 64) as usize
    }

    /// The two places a customer's runs start from (from the high and the
    /// low half of its key's hash): it is stored in the run, from either,
    /// where it lands nearer its start (two-choice linear probing).
    pub(super) fn homes(hash: u64, len: usize) -> [usize; 2] {
        [
            Shard::home(hash, len),
            Shard::home(hash.rotate_left(32), len),
        ]
    }

    /// Asks for the first two places of both runs a search for `hash`
    /// reads (each record and the first line of its ring), where the
    /// customer nearly always is, so that all arrive at once.
    pub(super) fn prefetch(&self, hash: u64) {
        if !self.table.is_empty() {
            for home in Shard::homes(hash, self.table.len()) {
                self.table.prefetch(home);
                self.table.prefetch(home + 1);
            }
        }
    }

    pub(super) fn find_hashed(&self, key: &str, hash: u64) -> Option<u32> {
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

    pub(super) fn record(&self, slot: u32) -> Option<&Record> {
        match self.table.get(slot as usize)? {
            Place::Live(record) => Some(record),
            _ => None,
        }
    }

    pub(super) fn record_mut(&mut self, slot: u32) -> Option<&mut Record> {
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
    pub(super) fn vacancy(table: &Blocks<Place, (u32, i64)>, hash: u64) -> usize {
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
    pub(super) fn rebuild(
        &mut self,
        len: usize,
        hasher: &hashbrown::DefaultHashBuilder,
    ) -> Result<(), Error> {
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
    pub(super) fn live(&self) -> impl Iterator<Item = (u32, &Record)> {
        self.table
            .heads()
            .enumerate()
            .filter_map(|(slot, place)| match place {
                Place::Live(record) => Some((slot as u32, record)),
                _ => None,
            })
    }

    /// Whether the queue entry (`slot`, `tick`) is the record's latest access.
    pub(super) fn current(&self, slot: u32, tick: u32) -> bool {
        self.record(slot).is_some_and(|record| record.tick == tick)
    }

    /// Drops the stale entries of the queue when it holds more than twice
    /// the customers plus 64: walking from the latest, an entry is kept
    /// when it is its place's latest and no removal, which needs no record
    /// read (see `queue`).
    pub(super) fn compact(&mut self) {
        if self.queue.len() as u64 > 2 * self.stats.customers + 64 {
            self.compact_all();
        }
    }

    /// Drops every stale entry of the queue (see `compact`).
    pub(super) fn compact_all(&mut self) {
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
    pub(super) fn by_recency(&self) -> impl Iterator<Item = (u32, &Record)> {
        self.queue
            .iter()
            .filter(|&&(slot, tick)| self.current(slot, tick))
            .filter_map(|&(slot, _)| Some((slot, self.record(slot)?)))
    }

    /// Stores a new customer (not yet stored; `hash` is its key's by
    /// `hasher`) with an empty ring and nothing seen; its place. Fails only
    /// when the table cannot grow.
    pub(super) fn insert(
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
    pub(super) fn touch(&mut self, slot: u32) {
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

    pub(super) fn remove(&mut self, slot: u32) {
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
    pub(super) fn evict_oldest(&mut self) -> bool {
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
    pub(super) fn ring(&self, slot: u32) -> impl DoubleEndedIterator<Item = (u32, i64)> + '_ {
        let (head, len, ring) = match self.table.get_parts(slot as usize) {
            Some((Place::Live(r), ring)) => (r.head as usize, r.len as usize, ring),
            _ => (0, 0, &[][..]),
        };
        (0..len).map(move |k| ring[wrap(head + k, ring.len())])
    }

    /// The latest visit.
    pub(super) fn last_visit(&self, slot: u32) -> Option<(u32, i64)> {
        let (Place::Live(record), ring) = self.table.get_parts(slot as usize)? else {
            return None;
        };
        let last = (record.head as usize + record.len as usize).checked_sub(1)?;
        ring.get(wrap(last, ring.len())).copied()
    }

    /// The touchpoint of the latest visit, kept in the record: reading it
    /// touches no ring.
    pub(super) fn last_touchpoint(&self, slot: u32) -> Option<u32> {
        let record = self.record(slot)?;
        (record.len > 0).then_some(record.last_touchpoint)
    }

    /// Appends a visit to the ring, dropping the oldest when full.
    pub(super) fn push_visit(&mut self, slot: u32, touchpoint: u32, time: i64) {
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
    pub(super) fn seen_word(&self, slot: u32, touchpoint: u32) -> usize {
        slot as usize * self.extra_words + (touchpoint as usize - 64) / 64
    }

    pub(super) fn has_seen(&self, slot: u32, touchpoint: u32) -> bool {
        let Some(record) = self.record(slot) else {
            return false;
        };
        if touchpoint < 64 {
            record.seen & (1 << touchpoint) != 0
        } else {
            self.seen_more[self.seen_word(slot, touchpoint)] & (1 << (touchpoint % 64)) != 0
        }
    }

    pub(super) fn mark_seen(&mut self, slot: u32, touchpoint: u32) {
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
    pub(super) fn place(
        &mut self,
        slot: u32,
        touchpoint: u32,
        timestamp: i64,
        tracker: &Tracker,
    ) -> Observed {
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
    pub(super) fn recompute_since(&mut self, slot: u32, visits: &[(u32, i64)], tracker: &Tracker) {
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
