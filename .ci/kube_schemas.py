"""Runs .ci/check-manifests.mjs (npm kubernetes-models, installed under
tests/tools by .ci/run) on Kubernetes manifests, for check-helm.py (what
`helm template` renders) and check-terraform.py (what a `terraform_data`
applies)."""
import json, os, subprocess, tempfile
from pathlib import Path

SCRIPT = Path(__file__).with_name("check-manifests.mjs")
NODE_MODULES = Path(__file__).resolve().parent.parent / "tests" / "tools" / "node_modules" / "kubernetes-models"


def installed():
    """Whether the schemas are there to check against."""
    return NODE_MODULES.is_dir()


def check(manifests):
    """Checks `manifests` ([{"source": ..., "doc": {...}}]), printing one
    PASS/FAIL line per manifest; (whether all passed, the end of stderr)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
        json.dump(manifests, out)
    try:
        run = subprocess.run(["node", str(SCRIPT), out.name], capture_output=True, text=True)
    finally:
        os.unlink(out.name)
    lines = run.stdout.splitlines()
    for line in lines:
        print(line)
    return run.returncode == 0 and bool(lines), run.stderr.strip()[-400:]
