//! Snapshots: the whole tracker as bytes, and back.
//!
//! A snapshot is one header line and a JSON body:
//!
//! ```text
//! journey-tracker/2 crc32c=5f0e3a1b bytes=1234
//! {"journey":"gym","options":{…},"shards":[…]}
//! ```
//!
//! The CRC-32C (Castagnoli) of the body finds every damage of up to three
//! bits and every burst of up to 32, which is what storage and transport
//! do to bytes; it is no defence against a forger, who can write a valid
//! one, so the body is also read strictly: every field present, none
//! unknown or repeated, written exactly as [`Tracker::snapshot`] writes it,
//! every count equal to what it counts, and the memory the restored tracker
//! will take bounded before anything is allocated ([`MAX_RESTORE_MEMORY`]).
//! A CRC rather than a cryptographic hash: the checksum is for accidents,
//! 1 KB of table where a hash is 10 KB of the npm package.

use super::*;

/// The checksum of a snapshot's body: by tables of 16 KB natively (several
/// GB/s), bit by bit in WebAssembly, where the package's size counts more.
#[cfg(not(target_arch = "wasm32"))]
const CRC32C: crc::Crc<u32, crc::Table<16>> =
    crc::Crc::<u32, crc::Table<16>>::new(&crc::CRC_32_ISCSI);
#[cfg(target_arch = "wasm32")]
const CRC32C: crc::Crc<u32, crc::NoTable> = crc::Crc::<u32, crc::NoTable>::new(&crc::CRC_32_ISCSI);

/// The memory a [`Tracker::restore`] may take for its tables: the larger of
/// 256 MiB and 1,024 bytes per byte of the snapshot. A tracker whose
/// options need more for the customers it holds (a long history in many
/// shards) is refused with [`Error::LimitExceeded`].
pub const MAX_RESTORE_MEMORY: (usize, usize) = (256 << 20, 1024);

impl Tracker {
    /// The whole state as bytes (the [`SNAPSHOT_FORMAT`] header line with
    /// the body's length and CRC-32C, then the JSON body): customers of
    /// each shard from least to most recently observed.
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
            journey: self.journey.clone(),
            options: self.options.clone(),
            shards,
        };
        let body = serde_json::to_vec(&saved).map_err(|e| Error::from_json(&e))?;
        let mut bytes = header(CRC32C.checksum(&body), body.len()).into_bytes();
        bytes.extend_from_slice(&body);
        Ok(bytes)
    }

    /// A tracker of `journey` in the state a [`Tracker::snapshot`] saved
    /// (with the options saved with it). A snapshot of another format is
    /// [`Error::UnsupportedSchema`]; a damaged one (its checksum or length
    /// wrong, a field unknown, missing or not as written, a count that
    /// disagrees), or one of another journey, [`Error::InvalidSnapshot`];
    /// one naming a touchpoint the journey no longer has,
    /// [`Error::NotFound`]; one whose tables would take more memory than
    /// [`MAX_RESTORE_MEMORY`] allows, [`Error::LimitExceeded`].
    pub fn restore(journey: &Journey, snapshot: &[u8]) -> Result<Tracker, Error> {
        let body = unframe(snapshot)?;
        // Read as text, by the one JSON reader the crate's documents and
        // options use (a byte reader would be a second copy of it).
        let text =
            std::str::from_utf8(body).map_err(|_| snapshot_error("its body is not UTF-8 text"))?;
        let saved: Saved = crate::json::from_str(text).map_err(|e| {
            snapshot_error(format!("its body cannot be read: {}", Error::from_json(&e)))
        })?;
        // Written exactly as a snapshot writes it: no repeated map key, no
        // other spelling of a number, nothing reordered (checked last, so
        // a forged body is refused for what is wrong in it first).
        let as_written = serde_json::to_vec(&saved).ok().as_deref() == Some(body);
        if saved.journey != journey.id {
            return Err(snapshot_error(format!(
                "it was taken of journey {:?}, not {:?}",
                saved.journey, journey.id
            )));
        }
        check_counts(&saved)?;
        check_memory(&saved, snapshot.len())?;
        let tracker = Tracker::new(journey, saved.options)?;
        if saved.shards.len() != tracker.shards.len() {
            return Err(snapshot_error(
                "its shards are not as many as its options ask for",
            ));
        }
        let index = |id: &str| -> Result<u32, Error> {
            tracker.lookup.get(id).ok_or_else(|| Error::NotFound {
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
        if !as_written {
            return Err(snapshot_error("its body is not as a snapshot writes it"));
        }
        Ok(tracker)
    }
}

/// The header line of a body of `length` bytes with checksum `crc`.
fn header(crc: u32, length: usize) -> String {
    format!("{SNAPSHOT_FORMAT} crc32c={crc:08x} bytes={length}\n")
}

fn damaged_header() -> Error {
    snapshot_error("it has no snapshot header line, or a damaged one")
}

/// The body of a snapshot whose header holds and whose body matches it.
fn unframe(snapshot: &[u8]) -> Result<&[u8], Error> {
    let family = "journey-tracker/";
    if snapshot.first() == Some(&b'{') {
        return Err(Error::UnsupportedSchema {
            found: "journey-tracker/1 (JSON without a header)".to_owned(),
            supported: SNAPSHOT_FORMAT,
        });
    }
    // A header is short; a longer first line is no header.
    let end = snapshot
        .iter()
        .take(96)
        .position(|&b| b == b'\n')
        .ok_or_else(damaged_header)?;
    let line = std::str::from_utf8(&snapshot[..end]).map_err(|_| damaged_header())?;
    let mut words = line.split(' ');
    let format = words.next().unwrap_or_default();
    if format != SNAPSHOT_FORMAT {
        if let Some(version) = format.strip_prefix(family)
            && !version.is_empty()
            && version.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::UnsupportedSchema {
                found: format.to_owned(),
                supported: SNAPSHOT_FORMAT,
            });
        }
        return Err(damaged_header());
    }
    let crc = words
        .next()
        .and_then(|w| w.strip_prefix("crc32c="))
        .and_then(|hex| u32::from_str_radix(hex, 16).ok());
    let length = words
        .next()
        .and_then(|w| w.strip_prefix("bytes="))
        .and_then(|n| n.parse::<usize>().ok());
    let (Some(crc), Some(length)) = (crc, length) else {
        return Err(damaged_header());
    };
    // Only the one spelling of each number (no "+", capitals or leading
    // zeros), so no damaged header reads as a good one.
    if header(crc, length).as_bytes() != &snapshot[..=end] {
        return Err(damaged_header());
    }
    let body = &snapshot[end + 1..];
    if body.len() != length {
        return Err(snapshot_error(
            "it is cut or padded: its body is not as long as its header says",
        ));
    }
    if CRC32C.checksum(body) != crc {
        return Err(snapshot_error("it is damaged: its checksum does not match"));
    }
    Ok(body)
}

/// Every count of a snapshot equal to what it counts.
fn check_counts(saved: &Saved) -> Result<(), Error> {
    let mut total = 0usize;
    for shard in &saved.shards {
        if shard.stats.customers != shard.customers.len() as u64 {
            return Err(snapshot_error(
                "a shard's count of customers is not the customers it holds",
            ));
        }
        total += shard.customers.len();
    }
    if total > saved.options.max_customers {
        return Err(snapshot_error(
            "it holds more customers than its options allow",
        ));
    }
    Ok(())
}

/// The memory the restored tables will take, within [`MAX_RESTORE_MEMORY`]
/// for a snapshot of `size` bytes.
fn check_memory(saved: &Saved, size: usize) -> Result<(), Error> {
    let (floor, per_byte) = MAX_RESTORE_MEMORY;
    let limit = floor.max(size.saturating_mul(per_byte));
    let history = saved.options.history;
    let mut total = 0usize;
    for shard in &saved.shards {
        // As inserting grows a table: to 16/9 of its customers, 16 places
        // at least.
        let places = (shard.customers.len() * 16 / 9 + 1).max(16);
        let bytes = Blocks::<Place, (u32, i64)>::bytes(places, history).unwrap_or(usize::MAX);
        total = total.saturating_add(bytes);
    }
    if total > limit {
        return Err(Error::LimitExceeded {
            what: "bytes of memory a snapshot's tracker takes".into(),
            limit,
            actual: total,
        });
    }
    Ok(())
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Saved {
    pub(super) journey: String,
    pub(super) options: TrackerOptions,
    pub(super) shards: Vec<SavedShard>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SavedShard {
    pub(super) stats: TrackerStats,
    pub(super) customers: Vec<SavedCustomer>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SavedCustomer {
    pub(super) key: String,
    pub(super) visits: Vec<(String, i64)>,
    pub(super) seen: Vec<String>,
    pub(super) touchpoint_since: i64,
    pub(super) stage_since: i64,
}
