//! Sorting and ordered collections with one copy of the code for every
//! element type.
//!
//! The standard sorts are generic, so each element type sorted gets its own
//! copy of them (about 4 KB of WebAssembly each), and collecting into a
//! `BTreeMap` or `BTreeSet` sorts too. Here one routine sorts positions and
//! the elements are then moved into place; maps and sets are filled by
//! insertion. For the lists of results, of a journey's parts and of the
//! matrices' index lists (`sort_usizes` sorts those in place); the event
//! log's time order and variant keys keep the standard sorts.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` by `compare`, stably (equal items keep their order).
pub(crate) fn sort_by<T>(items: &mut [T], mut compare: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    sort_positions(&mut order, &mut |a, b| compare(&items[a], &items[b]));
    permute(items, &mut order);
}

/// Sorts `items` by `key`, stably.
pub(crate) fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts positions (or any `usize`s) in increasing order, by the same
/// routine (no second copy for the matrices' index lists).
pub(crate) fn sort_usizes(values: &mut [usize]) {
    sort_positions(values, &mut |a, b| a.cmp(&b));
}

/// The one sorting routine: positions by what they point at, ties by
/// position, which makes the unstable sort stable.
#[inline(never)]
fn sort_positions(order: &mut [usize], compare: &mut dyn FnMut(usize, usize) -> Ordering) {
    order.sort_unstable_by(|&a, &b| compare(a, b).then(a.cmp(&b)));
}

/// Moves `items[order[k]]` to position `k` (`order` is used up). Only the
/// swapping is generic: the swaps are found once for every element type.
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    for (a, b) in swaps(order) {
        items.swap(a, b);
    }
}

/// The swaps, in order, that move the item at `order[k]` to position `k`,
/// cycle by cycle (`order` is used up).
#[inline(never)]
fn swaps(order: &mut [usize]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for start in 0..order.len() {
        let mut at = start;
        while order[at] != usize::MAX {
            let from = order[at];
            order[at] = usize::MAX;
            if from == start {
                break;
            }
            out.push((at, from));
            at = from;
        }
    }
    out
}

/// A map of `pairs` (a later pair wins over an earlier one with its key).
pub(crate) fn map<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(pairs);
    map
}

/// A set of `items`.
pub(crate) fn set<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    set.extend(items);
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn sorts_as_the_standard_stable_sort(items in prop::collection::vec((0u8..6, any::<u16>()), 0..200)) {
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            let mut standard = items.clone();
            standard.sort_by_key(|a| a.0);
            prop_assert_eq!(&ours, &standard);
            let mut by_key = items.clone();
            sort_by_key(&mut by_key, |item| std::cmp::Reverse(item.1));
            let mut standard = items;
            standard.sort_by_key(|item| std::cmp::Reverse(item.1));
            prop_assert_eq!(by_key, standard);
        }

        #[test]
        fn maps_and_sets_hold_what_collecting_holds(pairs in prop::collection::vec((0u8..20, any::<u8>()), 0..60)) {
            prop_assert_eq!(map(pairs.clone()), pairs.iter().copied().collect::<BTreeMap<_, _>>());
            prop_assert_eq!(set(pairs.clone()), pairs.into_iter().collect::<BTreeSet<_>>());
        }
    }

    #[test]
    fn positions_sort_in_increasing_order() {
        let mut values = vec![5, 1, 4, 1, 0, 9];
        sort_usizes(&mut values);
        assert_eq!(values, [0, 1, 1, 4, 5, 9]);
    }

    #[test]
    fn equal_items_keep_their_order() {
        let mut items = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd'), (0, 'e')];
        sort_by_key(&mut items, |item| item.0);
        assert_eq!(items, [(0, 'e'), (1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
    }
}
