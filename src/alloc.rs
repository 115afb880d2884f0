//! The global allocator: mimalloc, called the way the system allocator is.
//!
//! The `mimalloc` crate sends every request through `mi_malloc_aligned`, whose path checks the
//! alignment before it reaches the heap; nearly every request here wants an alignment of 16 or
//! less, which mimalloc's plain `mi_malloc` already gives (as `malloc` does). Linting allocates
//! hundreds of thousands of small strings and vectors per run, so the shorter path is measurable
//! (see `bench/README.md`).

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};

/// mimalloc's blocks of at least 16 bytes are 16-aligned, and smaller ones are aligned to their
/// size rounded up to a power of two (its size classes): the rule the system allocator applies
/// to `malloc` (`align <= MIN_ALIGN && align <= size`).
const PLAIN_ALIGN: usize = 16;

fn plain(layout: Layout) -> bool {
    layout.align() <= PLAIN_ALIGN && layout.align() <= layout.size()
}

pub struct MiMalloc;

// SAFETY: every method forwards to mimalloc, which returns null or a block of at least `size`
// bytes with the requested alignment; `plain` sends only requests mimalloc's unaligned calls
// satisfy to them. Blocks from either kind of call are freed with `mi_free`.
unsafe impl GlobalAlloc for MiMalloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if plain(layout) {
                mi_malloc(layout.size()).cast()
            } else {
                mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if plain(layout) {
                mi_zalloc(layout.size()).cast()
            } else {
                mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator (the caller's contract).
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; the new block keeps its
        // alignment by the same rule as `alloc`.
        unsafe {
            if layout.align() <= PLAIN_ALIGN && layout.align() <= new_size {
                mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every size and alignment a program may ask for comes back aligned, holds its bytes,
    /// and keeps them through `realloc` to a larger and to a smaller size.
    #[test]
    fn blocks_are_aligned_and_keep_their_bytes() {
        let a = MiMalloc;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..=300).chain([1000, 4095, 4096, 70_000, 1 << 20]) {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero sizes; each block is used within its size and freed once,
                // with the layout it has.
                unsafe {
                    let zeroed = a.alloc_zeroed(layout);
                    assert!(!zeroed.is_null());
                    assert_eq!(zeroed as usize % align, 0, "zeroed {size} {align}");
                    assert!((0..size).all(|i| *zeroed.add(i) == 0));
                    a.dealloc(zeroed, layout);

                    for new in [size * 3 + 5, size.div_ceil(2)] {
                        let p = a.alloc(layout);
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "alloc {size} {align}");
                        for i in 0..size {
                            *p.add(i) = i as u8;
                        }
                        let q = a.realloc(p, layout, new);
                        assert!(!q.is_null());
                        assert_eq!(q as usize % align, 0, "realloc {size}→{new} {align}");
                        assert!(
                            (0..size.min(new)).all(|i| *q.add(i) == i as u8),
                            "{size}→{new}"
                        );
                        a.dealloc(q, Layout::from_size_align(new, align).unwrap());
                    }
                }
            }
        }
    }
}
