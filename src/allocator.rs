//! The binary's allocator: mimalloc, called the way its small-object fast
//! path wants. Included by `src/main.rs` and the benches (`#[path]`), so
//! the library itself holds no `unsafe`.
//!
//! The `mimalloc` crate's `GlobalAlloc` passes every request to
//! `mi_malloc_aligned`. In mimalloc 3 that takes the plain path only while
//! the size class's current page has a free block; when the page runs
//! out, a block size that is not a power of two (24, 40, 48 ... bytes:
//! most of a syntax tree's nodes) goes to the over-allocating path, which
//! spends a larger block and marks the page as holding interior pointers,
//! which slows every later free on it. On a 5,000-line file's analysis
//! one allocation in seven went that way (callgrind: allocation 8.8% of
//! the instructions, at 65 per call). Here a request whose alignment is at
//! most 8 goes to plain `mi_malloc`: mimalloc's size classes are multiples
//! of 8 bytes and a page's first block is 16-aligned, so every block is
//! 8-aligned. Wider alignments keep the aligned entry points.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::{c_int, c_long, c_void};

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc, mi_zalloc_aligned,
};

/// Every mimalloc block is aligned to at least this many bytes.
const BLOCK_ALIGN: usize = 8;

/// mimalloc with plain calls where the alignment allows.
pub struct Mimalloc;

/// Whether a plain call satisfies `layout`'s alignment.
fn plain(align: usize) -> bool {
    align <= BLOCK_ALIGN
}

/// A block for `layout` from `plain_call` where its alignment allows, else
/// from `aligned_call`.
///
/// # Safety
/// As `GlobalAlloc::alloc`: `layout` has a non-zero size.
#[inline]
unsafe fn new_block(
    layout: Layout,
    plain_call: unsafe extern "C" fn(usize) -> *mut c_void,
    aligned_call: unsafe extern "C" fn(usize, usize) -> *mut c_void,
) -> *mut u8 {
    // SAFETY: both are mimalloc's allocation functions, given a size (and
    // a power-of-two alignment, as every `Layout`'s is).
    unsafe {
        if plain(layout.align()) {
            plain_call(layout.size()).cast()
        } else {
            aligned_call(layout.size(), layout.align()).cast()
        }
    }
}

// SAFETY: each method forwards to the mimalloc function with that contract
// (`mi_malloc` is `malloc`, `mi_free` frees what either family returned);
// a plain call is used only for alignments every mimalloc block has.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe { new_block(layout, mi_malloc, mi_malloc_aligned) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe { new_block(layout, mi_zalloc, mi_zalloc_aligned) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator.
        unsafe { mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`.
        unsafe {
            if plain(layout.align()) {
                mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

unsafe extern "C" {
    /// mimalloc's `mi_option_set` (`mimalloc.h`), linked in by
    /// `libmimalloc-sys`, which wraps it only with its `extended` feature.
    fn mi_option_set(option: c_int, value: c_long);
}

/// `mi_option_purge_delay`: the same position in mimalloc 2 and 3's
/// `mi_option_t`.
const PURGE_DELAY: c_int = 15;

/// Freed memory goes back to the system after 100 ms instead of
/// mimalloc 3's 1,000. A build frees its syntax trees and then generates on
/// other threads, whose heaps cannot reuse those pages: held for the whole
/// build, they raised its peak by a tenth and made it vary from run to run
/// (`cargo bench --bench workload`, N = 10,000: 222–242 MB). Given back too
/// soon, they cost more than they save: every page mimalloc takes again is
/// a fault and a page the kernel zeroes (12% of a build's CPU at 1 ms).
/// Interleaved runs at N = 10,000 (15 each, medians): 1 ms 0.87 s and
/// 213 MB, 10 ms 0.78 s and 220 MB, 100 ms 0.75 s and 226 MB, 1,000 ms
/// 0.74 s. Not for `lint`, which frees little.
#[allow(dead_code)] // the benches include this file without calling it
pub fn give_back_promptly() {
    // SAFETY: a documented mimalloc entry point taking plain integers;
    // called before the build starts any thread (the function is not
    // thread safe), with an option index valid in both mimalloc versions.
    unsafe { mi_option_set(PURGE_DELAY, 100) }
}
