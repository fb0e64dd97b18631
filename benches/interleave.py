#!/usr/bin/env python3
"""Two dvcc binaries on the same command, run in turn, N times each.

On a shared machine a figure moves up to 2x between minutes, so a version
is only compared with another measured on the same minutes: this runs A, B,
A, B, ... and prints, per binary, the minimum, first quartile and median
wall time, and the median user and system CPU time (from wait4).

    python3 benches/interleave.py [--runs N] OLD NEW -- build -q --out {out} DIR

`{out}` in the arguments is a fresh directory (under /dev/shm when there is
one), removed before each run, so every build is a cold one. Build the old
binary from a worktree, e.g.

    git worktree add /tmp/base HEAD~1
    (cd /tmp/base && CARGO_TARGET_DIR=/tmp/tgt-base cargo build --release)
    python3 benches/interleave.py /tmp/tgt-base/release/dvcc \\
        target/release/dvcc -- build -q --out {out} /dev/shm/w10k

(`cargo bench --bench workload -- --write 10000 /dev/shm/w10k` writes the
workload of `benches/workload.rs`.)
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(binary, args, out):
    shutil.rmtree(out, ignore_errors=True)
    argv = [binary] + [a.replace("{out}", out) for a in args]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{binary} exited with {code}: {' '.join(argv)}")
    return wall, usage.ru_utime, usage.ru_stime


def main():
    argv = sys.argv[1:]
    runs = 10
    if argv[:1] == ["--runs"]:
        runs = int(argv[1])
        argv = argv[2:]
    if "--" not in argv or argv.index("--") != 2:
        sys.exit(__doc__)
    binaries, args = argv[:2], argv[3:]
    scratch = tempfile.mkdtemp(prefix="dvcc-interleave-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    out = os.path.join(scratch, "out")
    times = {b: [] for b in binaries}
    try:
        for b in binaries:  # a warm-up each: the page cache, the binary
            run(b, args, out)
        for _ in range(runs):
            for b in binaries:
                times[b].append(run(b, args, out))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{runs} runs each, interleaved: {' '.join(args)}")
    for b in binaries:
        wall = sorted(t[0] for t in times[b])
        user = statistics.median(t[1] for t in times[b])
        system = statistics.median(t[2] for t in times[b])
        print(
            f"  {b}: wall min {wall[0]:.3f} s, first quartile {wall[len(wall) // 4]:.3f} s, "
            f"median {statistics.median(wall):.3f} s; user {user:.3f} s, system {system:.3f} s"
        )


if __name__ == "__main__":
    main()
