//! The `dvcc` binary: a thin shell over the library's command line.

/// mimalloc: a compile is millions of small, short-lived allocations (tree
/// nodes, strings, maps), where it is markedly faster than the system
/// allocator (`cargo bench --bench lint`: a 5,000-line file lints 16%
/// faster).
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    #[cfg(not(feature = "system-alloc"))]
    return dvcc::cli::run_with(allocator::give_back_promptly);
    #[cfg(feature = "system-alloc")]
    dvcc::cli::run()
}

#[cfg(not(feature = "system-alloc"))]
mod allocator {
    use std::ffi::{c_int, c_long};

    unsafe extern "C" {
        /// mimalloc's `mi_option_set` (`mimalloc.h`), linked in by the
        /// `mimalloc` crate, which does not wrap it.
        fn mi_option_set(option: c_int, value: c_long);
    }

    /// `mi_option_purge_delay`: the same position in mimalloc 2 and 3's
    /// `mi_option_t`.
    const PURGE_DELAY: c_int = 15;

    /// Freed memory goes back to the system after 1 ms instead of 10
    /// (100 for whole arenas). A build frees its syntax trees and then
    /// generates on other threads, whose heaps cannot reuse those pages:
    /// held, they raised the peak by a tenth (`cargo bench --bench
    /// workload`, N = 10,000: 245 → 213 MB, time unchanged). Not for
    /// `lint`, which frees little and where the extra system calls showed.
    pub fn give_back_promptly() {
        // SAFETY: a documented mimalloc entry point taking plain integers;
        // called before the build starts any thread (the function is not
        // thread safe), with an option index valid in both mimalloc versions.
        unsafe { mi_option_set(PURGE_DELAY, 1) }
    }
}
