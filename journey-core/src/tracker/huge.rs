//! Fixed-length arrays for a shard's tables, placed so that the OS can back
//! them with huge pages.
//!
//! A shard's table and rings are read at random places: at a million
//! customers, with 4 KiB pages, finding the page (a TLB miss, a page walk)
//! costs about as much as reading the memory. An array of 2 MiB or more is
//! allocated at a 2 MiB boundary and, on Linux, advised to use transparent
//! huge pages before it is first written; where the OS gives none, it is an
//! ordinary array. Smaller arrays start at a cache line.

use std::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use std::ptr::NonNull;

/// The size of a huge page on the platforms that have them (x86-64, and
/// AArch64 with 4 KiB base pages).
const HUGE_PAGE: usize = 2 << 20;

/// `len` values of `T` in one allocation (see the [module](self)).
pub(super) struct HugeArray<T> {
    ptr: NonNull<T>,
    len: usize,
}

// SAFETY: a `HugeArray<T>` owns its values like a `Vec<T>` does.
unsafe impl<T: Send> Send for HugeArray<T> {}
// SAFETY: shared access only hands out `&[T]`.
unsafe impl<T: Sync> Sync for HugeArray<T> {}

impl<T> HugeArray<T> {
    /// The layout of `len` values: aligned at a huge page when it spans
    /// one, else at a cache line; `None` past the address space.
    fn layout(len: usize) -> Option<Layout> {
        let array = Layout::array::<T>(len).ok()?;
        let align = if array.size() >= HUGE_PAGE {
            HUGE_PAGE
        } else {
            64
        };
        array.align_to(align).ok()
    }

    /// `len` copies of `value`; `None` when that many cannot be addressed.
    pub(super) fn new(len: usize, value: T) -> Option<HugeArray<T>>
    where
        T: Clone,
    {
        let layout = HugeArray::<T>::layout(len)?;
        if layout.size() == 0 {
            return Some(HugeArray {
                ptr: NonNull::dangling(),
                len,
            });
        }
        // SAFETY: the layout has a non-zero size.
        let Some(ptr) = NonNull::new(unsafe { alloc(layout) }.cast::<T>()) else {
            handle_alloc_error(layout)
        };
        advise_huge_pages(ptr.as_ptr().cast(), layout.size());
        for i in 0..len {
            // SAFETY: `i < len`, inside the allocation, written once. A
            // panicking `clone` leaks the allocation, never reads it.
            unsafe { ptr.as_ptr().add(i).write(value.clone()) };
        }
        Some(HugeArray { ptr, len })
    }
}

impl<T> Default for HugeArray<T> {
    fn default() -> Self {
        HugeArray {
            ptr: NonNull::dangling(),
            len: 0,
        }
    }
}

impl<T> std::ops::Deref for HugeArray<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        // SAFETY: `len` initialized values (or a dangling, aligned pointer
        // and a size of zero).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> std::ops::DerefMut for HugeArray<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as for `deref`, and `&mut self` is unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> Drop for HugeArray<T> {
    fn drop(&mut self) {
        // SAFETY: the values are initialized and dropped once.
        unsafe {
            std::ptr::drop_in_place(std::ptr::slice_from_raw_parts_mut(
                self.ptr.as_ptr(),
                self.len,
            ));
        }
        // The layout it was made with (which existed for this length).
        if let Some(layout) = HugeArray::<T>::layout(self.len)
            && layout.size() != 0
        {
            // SAFETY: allocated in `new` with this layout, freed once.
            unsafe { dealloc(self.ptr.as_ptr().cast(), layout) };
        }
    }
}

/// Asks Linux to back the whole huge pages of `[start, start + bytes)` with
/// huge pages.
#[cfg(target_os = "linux")]
fn advise_huge_pages(start: *mut u8, bytes: usize) {
    let first = (start as usize).next_multiple_of(HUGE_PAGE);
    let end = (start as usize).saturating_add(bytes) / HUGE_PAGE * HUGE_PAGE;
    if end > first {
        // SAFETY: the range lies inside an allocation of ours; the advice
        // only changes how the kernel backs its pages, never their contents,
        // and failing (no huge pages here) changes nothing.
        unsafe {
            libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_start: *mut u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::HugeArray;

    #[test]
    fn arrays_hold_their_values_and_drop_them_once() {
        let value = std::rc::Rc::new(7u8);
        {
            let mut small = HugeArray::new(3, std::rc::Rc::clone(&value)).unwrap();
            assert_eq!(small.as_ptr() as usize % 64, 0);
            assert_eq!(std::rc::Rc::strong_count(&value), 4);
            small[1] = std::rc::Rc::new(9);
            assert_eq!((*small[0], *small[1], *small[2]), (7, 9, 7));
            assert_eq!(std::rc::Rc::strong_count(&value), 3);
        }
        assert_eq!(std::rc::Rc::strong_count(&value), 1);
        // Over 2 MiB: aligned at a huge page.
        let mut large = HugeArray::new(300_000, 5u64).unwrap();
        assert_eq!(large.as_ptr() as usize % (2 << 20), 0);
        large[299_999] = 6;
        assert_eq!(large.iter().sum::<u64>(), 300_000 * 5 + 1);
        let empty: HugeArray<String> = HugeArray::default();
        assert!(empty.is_empty());
        assert_eq!(HugeArray::new(0, String::new()).unwrap().len(), 0);
        assert!(HugeArray::new(usize::MAX / 2, 0u64).is_none());
    }
}
