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

/// A touchpoint id or event name as the key of the name lookup, which an
/// event's name is compared with inline (see [`same`]): looking it up is
/// part of every event.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Name(pub(super) Box<str>);

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
