//! The `dvcc` binary: a thin shell over the library's command line.

/// mimalloc: a compile is millions of small, short-lived allocations (tree
/// nodes, strings, maps), where it is markedly faster than the system
/// allocator (`cargo bench --bench lint`: a 5,000-line file lints 16%
/// faster).
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    dvcc::cli::run()
}
