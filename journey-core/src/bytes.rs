//! Small byte-string helpers shared by the hot paths (interning event names,
//! finding a tracked customer).

/// Whether `a` and `b` hold the same bytes. Strings up to 24 bytes are
/// compared as two or three overlapping words (or a few bytes) inline,
/// without a call to the C library's `memcmp`, which costs more than the
/// comparison itself at these lengths.
#[inline]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    let word = |bytes: Option<&[u8; 8]>| bytes.map(|w| u64::from_ne_bytes(*w));
    let half = |bytes: Option<&[u8; 4]>| bytes.map(|w| u32::from_ne_bytes(*w));
    let middle = |bytes: &[u8]| word(bytes.get(8..).and_then(|rest| rest.first_chunk()));
    match (a.len() == b.len(), a.len()) {
        (false, _) => false,
        (true, 0) => true,
        // The first, the middle and the last byte cover them all.
        (true, 1..4) => {
            a.first() == b.first() && a[a.len() / 2] == b[a.len() / 2] && a.last() == b.last()
        }
        // The first and the last four (or eight) bytes, overlapping.
        (true, 4..8) => {
            half(a.first_chunk()) == half(b.first_chunk())
                && half(a.last_chunk()) == half(b.last_chunk())
        }
        (true, 8..=16) => {
            word(a.first_chunk()) == word(b.first_chunk())
                && word(a.last_chunk()) == word(b.last_chunk())
        }
        (true, 17..=24) => {
            word(a.first_chunk()) == word(b.first_chunk())
                && middle(a) == middle(b)
                && word(a.last_chunk()) == word(b.last_chunk())
        }
        (true, _) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn every_length_and_every_differing_byte_is_told_apart() {
        for len in 0..40usize {
            let a: Vec<u8> = (0..len as u8).map(|b| b.wrapping_mul(37)).collect();
            assert!(same(&a, &a.clone()), "length {len}");
            for at in 0..len {
                let mut b = a.clone();
                b[at] ^= 0x40;
                assert!(!same(&a, &b), "length {len}, byte {at}");
            }
            let mut longer = a.clone();
            longer.push(0);
            assert!(!same(&a, &longer) && !same(&longer, &a), "length {len}");
        }
    }
}
