//! The `dvcc` binary: a thin shell over the library's command line.

#[cfg(not(feature = "system-alloc"))]
mod allocator;

/// mimalloc: a compile is millions of small, short-lived allocations (tree
/// nodes, strings, maps), where it is markedly faster than the system
/// allocator (`cargo bench --bench lint`: a 5,000-line file lints 16%
/// faster).
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: allocator::Mimalloc = allocator::Mimalloc;

fn main() -> std::process::ExitCode {
    #[cfg(not(feature = "system-alloc"))]
    return dvcc::cli::run_with(allocator::give_back_promptly);
    #[cfg(feature = "system-alloc")]
    dvcc::cli::run()
}

#[cfg(all(test, not(feature = "system-alloc")))]
mod tests {
    use std::alloc::{GlobalAlloc, Layout};

    use crate::allocator::Mimalloc;

    /// Every size and alignment a program asks for comes back aligned,
    /// writable, and grows and shrinks with its contents kept.
    #[test]
    fn blocks_are_aligned_and_keep_their_contents() {
        let a = Mimalloc;
        let mut held = Vec::new();
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in (1..300).chain([1000, 1024, 4000, 70_000, 1 << 20]) {
                let size = size.max(align);
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; every block is freed below with its layout.
                unsafe {
                    let p = if size % 3 == 0 {
                        a.alloc_zeroed(layout)
                    } else {
                        a.alloc(layout)
                    };
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size}, align {align}");
                    if size % 3 == 0 {
                        assert!((0..size).all(|i| *p.add(i) == 0));
                    }
                    p.write_bytes(0xa5, size);
                    let grown = a.realloc(p, layout, size * 3);
                    assert_eq!(grown as usize % align, 0);
                    assert!((0..size).all(|i| *grown.add(i) == 0xa5));
                    held.push((grown, Layout::from_size_align(size * 3, align).unwrap()));
                }
            }
        }
        for (p, layout) in held {
            // SAFETY: allocated above with this layout.
            unsafe { a.dealloc(p, layout) }
        }
    }
}
