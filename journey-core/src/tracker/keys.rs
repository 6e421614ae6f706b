//! Customer keys (inline up to 22 bytes) and touchpoint names, hashed and
//! compared without allocating.

use super::*;

/// A customer key: up to 22 bytes inline, longer ones on the heap.
#[derive(Clone)]
pub(super) enum Key {
    Inline(u8, [u8; 22]),
    Heap(Box<str>),
}

impl Key {
    pub(super) fn new(text: &str) -> Key {
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
    pub(super) fn is(&self, text: &[u8]) -> bool {
        same(self.as_bytes(), text)
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        match self {
            Key::Inline(len, bytes) => &bytes[..*len as usize],
            Key::Heap(text) => text.as_bytes(),
        }
    }

    pub(super) fn to_text(&self) -> String {
        String::from_utf8_lossy(self.as_bytes()).into_owned()
    }
}

/// Touchpoint ids and mapped event names → touchpoint numbers: names
/// interned once (an event's name is compared inline, see [`same`]: looking
/// it up is part of every event), each naming one touchpoint.
#[derive(Debug, Default)]
pub(super) struct Names {
    symbols: crate::symbols::Symbols,
    /// The touchpoint of each interned name.
    touchpoint: Vec<u32>,
}

impl Names {
    /// The touchpoint `name` names.
    #[inline]
    pub(super) fn get(&self, name: &str) -> Option<u32> {
        self.symbols
            .find(name)
            .map(|id| self.touchpoint[id as usize])
    }

    /// Makes `name` name `touchpoint` (in place of what it named before).
    pub(super) fn insert(&mut self, name: &str, touchpoint: u32) {
        // Never more names than the touchpoints (u32-numbered) and the
        // options' mapping hold: interning cannot run out of numbers.
        let id = self.symbols.intern(name).unwrap_or_default() as usize;
        match self.touchpoint.get_mut(id) {
            Some(slot) => *slot = touchpoint,
            None => self.touchpoint.push(touchpoint),
        }
    }
}
