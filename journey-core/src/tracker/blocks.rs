//! Fixed-length arrays of blocks for a shard's table, placed so that the OS
//! can back them with huge pages.
//!
//! A shard's table is read at random places: at a million customers, with
//! 4 KiB pages, finding the page (a TLB miss, a page walk) costs about as
//! much as reading the memory. Each block holds a head (a customer's
//! record) followed by a fixed number of values (its ring of visits), so
//! that one event's reads and writes fall in one block: one page and
//! adjacent cache lines. On Linux an array of 2 MiB or more is allocated at
//! a 2 MiB boundary (and sized by its user to fill its last huge page, see
//! [`Blocks::fitting`]) and advised to use transparent huge pages before it
//! is first written; where the OS gives none, it is an ordinary array.
//! Other arrays, and every array elsewhere, start at a cache line.
//!
//! This is the only module of the crate allowed `unsafe` (the crate denies
//! it elsewhere); each block states why it is sound, and the test script
//! runs these tests under Miri where the toolchain has it.

use std::alloc::{Layout, alloc, dealloc};
use std::marker::PhantomData;
use std::ptr::NonNull;

/// The size of a huge page on the platforms that have them (x86-64, and
/// AArch64 with 4 KiB base pages).
const HUGE_PAGE: usize = 2 << 20;

/// Whether arrays are placed for huge pages: where the OS can be asked for
/// them (Linux). Elsewhere (WebAssembly among them) aligning at 2 MiB and
/// filling the last one would only cost memory.
const PLACE_FOR_HUGE_PAGES: bool = cfg!(target_os = "linux");

/// Whether an array of `size` bytes is placed for huge pages: it spans one,
/// where they can be asked for.
fn on_huge_pages(size: usize) -> bool {
    PLACE_FOR_HUGE_PAGES && size >= HUGE_PAGE
}

/// `len` blocks, each a head `H` followed by `per` values of `T`, in one
/// allocation (see the [module](self)).
pub(super) struct Blocks<H, T: Copy> {
    ptr: NonNull<u8>,
    len: usize,
    per: usize,
    shape: Shape,
    _owns: PhantomData<(H, T)>,
}

// SAFETY: `Blocks` owns its heads and values like a `Vec<(H, Vec<T>)>`.
unsafe impl<H: Send, T: Copy + Send> Send for Blocks<H, T> {}
// SAFETY: shared access only hands out shared references.
unsafe impl<H: Sync, T: Copy + Sync> Sync for Blocks<H, T> {}

/// Where the parts of a block lie.
#[derive(Clone, Copy)]
struct Shape {
    /// Bytes from a block's start to its first value.
    values: usize,
    /// Bytes from one block's start to the next.
    stride: usize,
    /// The alignment a block needs.
    align: usize,
}

impl<H, T: Copy> Blocks<H, T> {
    /// The shape of one block of `per` values.
    fn shape(per: usize) -> Option<Shape> {
        let head = Layout::new::<H>();
        let (block, values) = head.extend(Layout::array::<T>(per).ok()?).ok()?;
        Some(Shape {
            values,
            stride: block.pad_to_align().size(),
            align: block.align(),
        })
    }

    /// The allocation of `len` blocks of `shape`: aligned at a huge page
    /// when placed for them, else at a cache line; `None` past the address
    /// space.
    fn layout(len: usize, shape: Shape) -> Option<Layout> {
        let size = shape.stride.checked_mul(len)?;
        let page = if on_huge_pages(size) { HUGE_PAGE } else { 64 };
        Layout::from_size_align(size, shape.align.max(page)).ok()
    }

    /// `len` blocks, each a copy of `head` and `per` copies of `value`;
    /// `None` when that many cannot be addressed or allocated.
    pub(super) fn new(len: usize, per: usize, head: H, value: T) -> Option<Blocks<H, T>>
    where
        H: Clone,
    {
        let shape = Blocks::<H, T>::shape(per)?;
        let layout = Blocks::<H, T>::layout(len, shape)?;
        if layout.size() == 0 {
            // Zero-sized heads and values: nothing to allocate or write.
            return Some(Blocks {
                ptr: NonNull::new(std::ptr::without_provenance_mut(layout.align()))?,
                len,
                per,
                shape,
                _owns: PhantomData,
            });
        }
        // A failed allocation is an error the caller reports, never an
        // abort of the host process.
        // SAFETY: the layout has a non-zero size.
        let ptr = NonNull::new(unsafe { alloc(layout) })?;
        advise_huge_pages(ptr.as_ptr(), layout.size());
        for i in 0..len {
            // SAFETY: block `i` lies inside the allocation; its head is
            // aligned (the stride and the allocation are multiples of its
            // alignment) and so are its values (`Layout::extend`); each is
            // written once. A panicking `clone` leaks the allocation, never
            // reads it.
            unsafe {
                let block = ptr.as_ptr().add(i * shape.stride);
                block.cast::<H>().write(head.clone());
                let values = block.add(shape.values).cast::<T>();
                for k in 0..per {
                    values.add(k).write(value);
                }
            }
        }
        Some(Blocks {
            ptr,
            len,
            per,
            shape,
            _owns: PhantomData,
        })
    }

    /// The number of blocks of `per` values, at least `len`, that fill the
    /// huge pages `len` of them reach into (`len` itself for less than a
    /// huge page, or where arrays are not placed for huge pages): the part
    /// of a last, partly used huge page would get none (the OS backs only
    /// whole ones), and every random read there would pay for a page walk.
    pub(super) fn fitting(len: usize, per: usize) -> usize {
        let Some(Shape { stride, .. }) = Blocks::<H, T>::shape(per) else {
            return len;
        };
        match stride.checked_mul(len) {
            Some(size) if stride > 0 && on_huge_pages(size) => {
                (size.div_ceil(HUGE_PAGE) * HUGE_PAGE / stride).max(len)
            }
            _ => len,
        }
    }

    /// The bytes `len` blocks of `per` values take (`None` past `usize`).
    pub(super) fn bytes(len: usize, per: usize) -> Option<usize> {
        Blocks::<H, T>::shape(per)?.stride.checked_mul(len)
    }

    /// The number of blocks.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no blocks.
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The start of block `i < len` and where its values begin.
    fn block(&self, i: usize) -> (*mut u8, usize) {
        assert!(i < self.len, "block {i} of {}", self.len);
        // SAFETY: `i < len`: inside the allocation.
        (
            unsafe { self.ptr.as_ptr().add(i * self.shape.stride) },
            self.shape.values,
        )
    }

    /// The head of block `i`; panics when `i` is out of bounds.
    pub(super) fn head(&self, i: usize) -> &H {
        // SAFETY: an initialized, aligned head, borrowed with `self`.
        unsafe { &*self.block(i).0.cast::<H>() }
    }

    /// The head of block `i`, if there is one.
    pub(super) fn get(&self, i: usize) -> Option<&H> {
        (i < self.len).then(|| self.head(i))
    }

    /// The values of block `i`; panics when `i` is out of bounds.
    pub(super) fn values(&self, i: usize) -> &[T] {
        let (block, values) = self.block(i);
        // SAFETY: `per` initialized, aligned values, borrowed with `self`.
        unsafe { std::slice::from_raw_parts(block.add(values).cast::<T>(), self.per) }
    }

    /// The head and the values of block `i`, to change; panics when `i` is
    /// out of bounds.
    pub(super) fn parts_mut(&mut self, i: usize) -> (&mut H, &mut [T]) {
        let (block, values) = self.block(i);
        // SAFETY: as in `head` and `values`; the two do not overlap and
        // `&mut self` is unique.
        unsafe {
            (
                &mut *block.cast::<H>(),
                std::slice::from_raw_parts_mut(block.add(values).cast::<T>(), self.per),
            )
        }
    }

    /// The head and the values of block `i`, if there is one.
    pub(super) fn get_parts(&self, i: usize) -> Option<(&H, &[T])> {
        (i < self.len).then(|| (self.head(i), self.values(i)))
    }

    /// The head and the values of block `i`, to change, if there is one.
    pub(super) fn get_parts_mut(&mut self, i: usize) -> Option<(&mut H, &mut [T])> {
        (i < self.len).then(|| self.parts_mut(i))
    }

    /// The head of block `i`, to change; panics when `i` is out of bounds.
    pub(super) fn head_mut(&mut self, i: usize) -> &mut H {
        self.parts_mut(i).0
    }

    /// The head of block `i`, to change, if there is one.
    pub(super) fn get_mut(&mut self, i: usize) -> Option<&mut H> {
        (i < self.len).then(|| self.head_mut(i))
    }

    /// The heads in order.
    pub(super) fn heads(&self) -> impl Iterator<Item = &H> {
        (0..self.len).map(|i| self.head(i))
    }

    /// Asks for the first two cache lines of block `i` (its head, and the
    /// start of its values when the head is one line) without waiting for
    /// them, so that they arrive while other work goes on. Nothing for an
    /// index out of bounds, or where the processor has no such hint.
    pub(super) fn prefetch(&self, i: usize) {
        if i < self.len {
            let start = self.block(i).0;
            prefetch(start);
            if self.shape.stride > 64 {
                prefetch(start.wrapping_add(64));
            }
        }
    }
}

/// Asks for the cache line at `address` (a hint: it reads nothing).
#[cfg(target_arch = "x86_64")]
fn prefetch(address: *const u8) {
    use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
    // SAFETY: a prefetch hint never faults and changes no memory; SSE is
    // part of x86-64.
    unsafe { _mm_prefetch::<_MM_HINT_T0>(address.cast()) };
}

#[cfg(not(target_arch = "x86_64"))]
fn prefetch(_address: *const u8) {}

impl<H, T: Copy> Default for Blocks<H, T> {
    fn default() -> Self {
        Blocks {
            ptr: NonNull::dangling(),
            len: 0,
            per: 0,
            shape: Shape {
                values: 0,
                stride: 0,
                align: 1,
            },
            _owns: PhantomData,
        }
    }
}

impl<H, T: Copy> Drop for Blocks<H, T> {
    fn drop(&mut self) {
        for i in 0..self.len {
            // SAFETY: each head is initialized and dropped once; values
            // are `Copy` and need no drop.
            unsafe { std::ptr::drop_in_place(self.block(i).0.cast::<H>()) };
        }
        // The layout it was made with (which existed for this length).
        if let Some(layout) = Blocks::<H, T>::layout(self.len, self.shape)
            && layout.size() != 0
        {
            // SAFETY: allocated in `new` with this layout, freed once.
            unsafe { dealloc(self.ptr.as_ptr(), layout) };
        }
    }
}

/// Asks Linux to back the whole huge pages of `[start, start + bytes)` with
/// huge pages.
#[cfg(all(target_os = "linux", not(miri)))]
fn advise_huge_pages(start: *mut u8, bytes: usize) {
    let address = start.addr();
    let first = address.next_multiple_of(HUGE_PAGE);
    let end = address.saturating_add(bytes) / HUGE_PAGE * HUGE_PAGE;
    if end > first {
        // SAFETY: the range lies inside an allocation of ours (the pointer
        // keeps its provenance); the advice only changes how the kernel backs
        // its pages, never their contents, and failing (no huge pages here)
        // changes nothing.
        unsafe {
            let at = start.wrapping_add(first - address).cast::<libc::c_void>();
            libc::madvise(at, end - first, libc::MADV_HUGEPAGE);
        }
    }
}

/// Elsewhere, and under Miri (which cannot call the OS), there is nothing
/// to ask.
#[cfg(not(all(target_os = "linux", not(miri))))]
fn advise_huge_pages(_start: *mut u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::Blocks;
    use std::rc::Rc;

    #[test]
    fn blocks_hold_their_heads_and_values_and_drop_heads_once() {
        let value = Rc::new(7u8);
        {
            let mut small: Blocks<Rc<u8>, (u32, i64)> =
                Blocks::new(3, 2, Rc::clone(&value), (1, 2)).unwrap();
            assert_eq!(small.head(0) as *const Rc<u8> as usize % 64, 0);
            assert_eq!(Rc::strong_count(&value), 4);
            let (head, values) = small.parts_mut(1);
            *head = Rc::new(9);
            values[1] = (3, 4);
            assert_eq!(
                (**small.head(0), **small.head(1), **small.head(2)),
                (7, 9, 7)
            );
            assert_eq!(small.values(1), &[(1, 2), (3, 4)]);
            assert_eq!(small.values(0), &[(1, 2), (1, 2)]);
            assert_eq!(small.values(2), &[(1, 2), (1, 2)]);
            assert_eq!(Rc::strong_count(&value), 3);
            assert!(small.get(3).is_none() && small.get_mut(3).is_none());
            assert_eq!(small.heads().count(), 3);
        }
        assert_eq!(Rc::strong_count(&value), 1);
        // A 64-byte head and four 16-byte values: 128 bytes a block; over
        // 2 MiB in all, aligned at a huge page (on Linux).
        #[derive(Clone)]
        #[repr(align(64))]
        struct Line(u64);
        let mut large: Blocks<Line, (u32, i64)> = Blocks::new(20_000, 4, Line(5), (0, 0)).unwrap();
        let align = if cfg!(target_os = "linux") {
            2 << 20
        } else {
            64
        };
        assert_eq!(large.head(0) as *const Line as usize % align, 0);
        assert_eq!(
            large.head(1) as *const Line as usize - large.head(0) as *const Line as usize,
            128
        );
        assert_eq!(
            large.values(0).as_ptr() as usize - large.head(0) as *const Line as usize,
            64
        );
        large.head_mut(19_999).0 = 6;
        large.parts_mut(19_999).1[3] = (1, 1);
        assert_eq!(
            large.heads().map(|line| line.0).sum::<u64>(),
            20_000 * 5 + 1
        );
        assert_eq!(large.values(19_999)[3], (1, 1));
        large.prefetch(0);
        large.prefetch(19_999);
        large.prefetch(20_000);
        let empty: Blocks<String, u8> = Blocks::default();
        assert!(empty.is_empty() && empty.get(0).is_none());
        assert_eq!(Blocks::new(0, 4, String::new(), 0u8).unwrap().len(), 0);
        assert!(Blocks::<u64, u64>::new(usize::MAX / 2, 1, 0, 0).is_none());
        // On Linux sizes fill their last huge page: 128-byte blocks, 16,384
        // a page; 576-byte blocks (a 64-byte head and 32 values), 3,640 in
        // 2 MiB and 7,281 in 4 MiB. Elsewhere they stay as asked.
        type Ring = Blocks<Line, (u32, i64)>;
        let linux = cfg!(target_os = "linux");
        assert_eq!(Ring::fitting(100, 4), 100);
        assert_eq!(Ring::fitting(16_383, 4), 16_383);
        assert_eq!(Ring::fitting(16_384, 4), 16_384);
        assert_eq!(
            Ring::fitting(16_385, 4),
            if linux { 32_768 } else { 16_385 }
        );
        assert_eq!(Ring::fitting(3_641, 32), if linux { 7_281 } else { 3_641 });
        assert_eq!(Ring::fitting(usize::MAX, 4), usize::MAX);
        // Zero-sized heads and values allocate nothing.
        let unit: Blocks<(), ()> = Blocks::new(5, 3, (), ()).unwrap();
        assert_eq!((unit.len(), unit.values(4).len()), (5, 3));
    }

    #[test]
    #[should_panic(expected = "block 3 of 3")]
    fn a_block_out_of_bounds_panics() {
        let blocks: Blocks<u8, u8> = Blocks::new(3, 1, 0, 0).unwrap();
        blocks.head(3);
    }
}
