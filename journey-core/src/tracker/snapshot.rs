//! Snapshots: the whole tracker as versioned JSON bytes, and back.

use super::*;

impl Tracker {
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
        // Read as text, by the one JSON reader the crate's documents and
        // options use (a byte reader would be a second copy of it).
        let text = std::str::from_utf8(snapshot).map_err(|e| Error::Json {
            line: 0,
            column: 0,
            message: format!("a snapshot is UTF-8 JSON text: {e}"),
        })?;
        let saved: Saved = serde_json::from_str(text).map_err(|e| Error::from_json(&e))?;
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

#[derive(Serialize, Deserialize)]
pub(super) struct Saved {
    pub(super) format: String,
    pub(super) journey: String,
    pub(super) options: TrackerOptions,
    pub(super) shards: Vec<SavedShard>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct SavedShard {
    pub(super) stats: TrackerStats,
    pub(super) customers: Vec<SavedCustomer>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct SavedCustomer {
    pub(super) key: String,
    pub(super) visits: Vec<(String, i64)>,
    pub(super) seen: Vec<String>,
    pub(super) touchpoint_since: i64,
    pub(super) stage_since: i64,
}
