//! `cargo bench --bench workload`: dvcc as users run it, on the workload of
//! `benches/common/workload.rs` (N services in teams of 100, three
//! environments, an alert per service, a pipeline per team), at N = 1,000,
//! 10,000 and 20,000 (`DVCC_WORKLOAD_N=1000,5000` for others).
//!
//! Each figure is the median of `DVCC_WORKLOAD_RUNS` (5) runs of the
//! release binary as a process, after a warm-up, writing to `/dev/shm`
//! when there is one (as the peers' figures are taken, so the disk's noise
//! stays out):
//! - `lint`: `dvcc lint`;
//! - `cold build`: `dvcc build --out` into an empty directory (every target);
//! - `rebuild`: the same again, nothing changed (answered from the build
//!   stamp, once the outputs are older than its 2 s racy window), and
//!   without the stamp (`DVCC_NO_CACHE=1`: everything compiled and
//!   compared);
//! - `check`: `dvcc build --check` (from the stamp);
//! - `peak`: the largest resident set of a cold build (from `wait4`);
//! - `output`: bytes and files written;
//! - `per service`: cold build and lint CPU time divided by N, and the
//!   user part of the build's (the system's part, writing files and the
//!   kernel zeroing fresh pages, varies most from run to run on a shared
//!   machine); this average includes what a run costs whatever N is
//!   (starting, the stdlib, the thread pool);
//! - `marginal per service`, between each size and the next: what the
//!   extra services cost, CPU time difference over N difference. Flat
//!   when the cost is linear in N, the fixed part left out.
//!
//! `benches/peers/run.sh` measures the same workload in jrsonnet and Pkl.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "common/workload.rs"]
mod workload;

/// What one run of a process took: wall time, CPU time (user + system,
/// and user alone), peak resident set in bytes; and whether it succeeded.
struct Run {
    wall: Duration,
    cpu: Duration,
    user: Duration,
    peak: u64,
    ok: bool,
}

fn run(args: &[&str], dir: &Path, out: &Path) -> Run {
    run_with(args, dir, out, false)
}

/// `no_stamps`: whether dvcc is kept from answering from its build stamp (kept under the
/// scratch directory, not the user's cache).
// wait4 reaps the child (and gives its resource usage): no zombie is left.
#[allow(clippy::zombie_processes)]
fn run_with(args: &[&str], dir: &Path, out: &Path, no_stamps: bool) -> Run {
    let start = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .env("DVCC_CACHE_DIR", scratch().join("cache"))
        .env("DVCC_NO_CACHE", if no_stamps { "1" } else { "" })
        .args(args)
        .arg(dir)
        .args(if args[0] == "build" {
            vec!["--out".as_ref(), out.as_os_str()]
        } else {
            vec![]
        })
        .arg("--quiet")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("dvcc starts");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; both pointers are
    // valid for the call. `child` is not waited for again.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid, "wait4");
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Run {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        user: time(usage.ru_utime),
        peak: usage.ru_maxrss as u64 * 1024,
        ok: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    }
}

fn median<T: Ord + Copy>(mut v: Vec<T>) -> T {
    v.sort();
    v[v.len() / 2]
}

/// Bytes and files under `dir`.
fn size(dir: &Path) -> (u64, usize) {
    let mut out = (0, 0);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.filter_map(Result::ok) {
        let Ok(meta) = e.metadata() else { continue };
        if meta.is_dir() {
            let (b, f) = size(&e.path());
            out = (out.0 + b, out.1 + f);
        } else {
            out = (out.0 + meta.len(), out.1 + 1);
        }
    }
    out
}

fn scratch() -> PathBuf {
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    base.join(format!("dvcc-workload-{}", std::process::id()))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Median CPU milliseconds of a size's cold builds and lints.
struct Cpu {
    n: usize,
    build: f64,
    lint: f64,
}

fn measure(n: usize, runs: usize, root: &Path) -> Cpu {
    let src = root.join(format!("src-{n}"));
    let out = root.join(format!("out-{n}"));
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).expect("mkdir");
    let files = workload::files(n);
    let source_bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    for (name, text) in &files {
        std::fs::write(src.join(name), text).expect("write the workload");
    }
    let cold = || {
        let _ = std::fs::remove_dir_all(&out);
        run(&["build"], &src, &out)
    };
    let series = |f: &dyn Fn() -> Run| -> Vec<Run> {
        let warm = f();
        assert!(warm.ok, "dvcc failed on the workload at N = {n}");
        (0..runs).map(|_| f()).collect()
    };
    let lint = series(&|| run(&["lint"], &src, &out));
    let builds = series(&cold);
    let (bytes, written) = size(&out);
    let full = series(&|| run_with(&["build"], &src, &out, true));
    // A stamp is not recorded for outputs written within the last 2 s (see
    // `stamp::RACY`): a user's rebuild comes later than a small fleet's
    // cold build does here.
    std::thread::sleep(Duration::from_millis(2100));
    let rebuilds = series(&|| run(&["build"], &src, &out));
    let checks = series(&|| run(&["build", "--check"], &src, &out));
    let wall = |v: &[Run]| ms(median(v.iter().map(|r| r.wall).collect()));
    let cpu = |v: &[Run]| ms(median(v.iter().map(|r| r.cpu).collect()));
    let user = |v: &[Run]| ms(median(v.iter().map(|r| r.user).collect()));
    let peak = median(builds.iter().map(|r| r.peak).collect::<Vec<_>>());
    println!(
        "N = {n:>6} ({:.1} MB of .dvc): lint {:>7.0} ms | cold build {:>7.0} ms | rebuild {:>5.0} ms (without stamp {:>6.0} ms) | check {:>5.0} ms | \
         peak {:>5.0} MB (lint {:>4.0} MB) | output {:>5.1} MB in {written} files | per service: build {:.3} ms CPU ({:.3} user), lint {:.3} ms CPU",
        source_bytes as f64 / 1e6,
        wall(&lint),
        wall(&builds),
        wall(&rebuilds),
        wall(&full),
        wall(&checks),
        peak as f64 / 1e6,
        median(lint.iter().map(|r| r.peak).collect::<Vec<_>>()) as f64 / 1e6,
        bytes as f64 / 1e6,
        cpu(&builds) / n as f64,
        user(&builds) / n as f64,
        cpu(&lint) / n as f64,
    );
    let _ = std::fs::remove_dir_all(&src);
    let _ = std::fs::remove_dir_all(&out);
    Cpu {
        n,
        build: cpu(&builds),
        lint: cpu(&lint),
    }
}

fn main() {
    // `-- --write N DIR`: only write the workload's `.dvc` files (for
    // `benches/peers/run.py`). Otherwise `cargo bench` passes `--bench`,
    // and nothing else is understood.
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--write") {
        let (Some(n), Some(dir)) = (args.get(at + 1).and_then(|n| n.parse().ok()), args.get(at + 2)) else {
            eprintln!("usage: cargo bench --bench workload -- --write N DIR");
            std::process::exit(2);
        };
        std::fs::create_dir_all(dir).expect("mkdir");
        for (name, text) in workload::files(n) {
            std::fs::write(Path::new(dir).join(name), text).expect("write the workload");
        }
        return;
    }
    let sizes: Vec<usize> = std::env::var("DVCC_WORKLOAD_N")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 20_000]);
    let runs = std::env::var("DVCC_WORKLOAD_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let root = scratch();
    println!(
        "workload: N services, 3 environments, N alerts, N/100 pipelines; medians of {runs} runs, output under {}",
        root.display()
    );
    let measured: Vec<Cpu> = sizes.into_iter().map(|n| measure(n, runs, &root)).collect();
    for pair in measured.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let extra = b.n as f64 - a.n as f64;
        if extra == 0.0 {
            continue;
        }
        println!(
            "N = {:>6} → {:>6}: marginal per service: build {:.3} ms CPU, lint {:.3} ms CPU",
            a.n,
            b.n,
            (b.build - a.build) / extra,
            (b.lint - a.lint) / extra,
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}
