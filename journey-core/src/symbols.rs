//! Interning of strings into dense numbers, with a small cache of recent
//! strings and short strings compared inline: the one interner of every
//! reader (an event log's customers, names, channels and measure keys; an
//! attribution path table's touchpoints; a tracker's names).

use crate::bytes::same;

/// Distinct strings stored once, each named by a dense number given in order
/// of first appearance (so the numbering never depends on hashing).
#[derive(Clone)]
pub(crate) struct Symbols {
    /// The strings one after the other; string `id` ends at `ends[id]`.
    text: String,
    ends: Vec<usize>,
    /// The hash of each string, so growing the table reads no strings.
    hashes: Vec<u64>,
    /// The last string interned: logs tend to repeat it (a customer's
    /// events in a row), which then costs one comparison, not a hash.
    last: u32,
    /// Strings met lately, by a cheap fingerprint (`NO_SYMBOL` where
    /// none): names and channels of a log are few and recur, and are then
    /// found without hashing them.
    recent: [u32; RECENT],
    table: hashbrown::HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
}

impl std::fmt::Debug for Symbols {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl Default for Symbols {
    fn default() -> Self {
        Symbols {
            text: String::new(),
            ends: Vec::new(),
            hashes: Vec::new(),
            last: NO_SYMBOL,
            recent: [NO_SYMBOL; RECENT],
            table: hashbrown::HashTable::new(),
            hasher: hashbrown::DefaultHashBuilder::default(),
        }
    }
}

/// Slots of [`Symbols`]' recent strings.
const RECENT: usize = 64;

/// No string (in [`Symbols`]' recent slots).
const NO_SYMBOL: u32 = u32::MAX;

/// A cheap fingerprint of a string: its length and first and last bytes.
#[inline]
fn recent_slot(bytes: &[u8]) -> usize {
    let (first, last) = match bytes {
        [] => (0, 0),
        [first, .., last] => (*first, *last),
        [only] => (*only, *only),
    };
    let mix = (bytes.len() as u32)
        .wrapping_mul(0x9e37_79b9)
        .wrapping_add(u32::from(first) << 8 | u32::from(last))
        .wrapping_mul(0x85eb_ca6b);
    (mix >> 26) as usize % RECENT
}

impl Symbols {
    /// The number of `name`, given it if new; `None` when 2³² − 1 distinct
    /// strings are already stored.
    pub(crate) fn intern(&mut self, name: &str) -> Option<u32> {
        use std::hash::BuildHasher;
        let name_bytes = name.as_bytes();
        if self.last != NO_SYMBOL && same(self.bytes(self.last), name_bytes) {
            return Some(self.last);
        }
        let slot = recent_slot(name_bytes);
        let recent = self.recent[slot];
        if recent != NO_SYMBOL && same(self.bytes(recent), name_bytes) {
            self.last = recent;
            return Some(recent);
        }
        let hash = self.hasher.hash_one(name);
        if let Some(&id) = self
            .table
            .find(hash, |&id| same(self.bytes(id), name_bytes))
        {
            self.last = id;
            self.recent[slot] = id;
            return Some(id);
        }
        let id = u32::try_from(self.ends.len())
            .ok()
            .filter(|&id| id < u32::MAX)?;
        self.text.push_str(name);
        self.ends.push(self.text.len());
        self.hashes.push(hash);
        let hashes = &self.hashes;
        self.table
            .insert_unique(hash, id, |&id| hashes[id as usize]);
        self.last = id;
        self.recent[slot] = id;
        Some(id)
    }

    /// The number of `name` if it is stored (the recent-string caches are
    /// read, not updated: this takes `&self`).
    #[inline]
    pub(crate) fn find(&self, name: &str) -> Option<u32> {
        use std::hash::BuildHasher;
        let name_bytes = name.as_bytes();
        let recent = self.recent[recent_slot(name_bytes)];
        if recent != NO_SYMBOL && same(self.bytes(recent), name_bytes) {
            return Some(recent);
        }
        let hash = self.hasher.hash_one(name);
        self.table
            .find(hash, |&id| same(self.bytes(id), name_bytes))
            .copied()
    }

    /// The strings in order of their numbers.
    pub(crate) fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        (0..self.len() as u32).map(|id| self.name(id))
    }

    /// The string numbered `id`.
    #[inline]
    pub(crate) fn name(&self, id: u32) -> &str {
        &self.text[self.range(id)]
    }

    /// Its bytes (compared without the checks of slicing a `str`).
    fn bytes(&self, id: u32) -> &[u8] {
        &self.text.as_bytes()[self.range(id)]
    }

    fn range(&self, id: u32) -> std::ops::Range<usize> {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] };
        start..self.ends[id]
    }

    /// How many distinct strings.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

/// The number of `name` in `symbols`, and in `names` (which lists the same
/// strings, borrowed, in the same order): appended to both when new.
pub(crate) fn intern_into<'a>(
    symbols: &mut Symbols,
    names: &mut Vec<&'a str>,
    name: &'a str,
) -> (u32, bool) {
    // Never more distinct strings than the u32-indexed items they come from.
    let index = symbols.intern(name).unwrap_or_default();
    let new = index as usize == names.len();
    if new {
        names.push(name);
    }
    (index, new)
}
