"""Checks the generated Helm charts of the examples (run by .ci/validate-artifacts
with the validators' Python, which has PyYAML and jsonschema).

For the values of every service under examples/*/deploy/helm/<service>/ (or
the values.yaml files a glob given after the root names), with the chart they
are for (a Chart.yaml beside them, or the project's deploy/charts/<name>/):
  1. values.schema.json is a valid draft-7 JSON Schema (its metaschema);
  2. values.yaml (over the shared chart's own values.yaml), and every
     values-<env>.yaml merged over it the way Helm merges (maps key by key, null
     deletes), read as YAML 1.1 (PyYAML, as Helm's Go library reads it),
     validate against the schema;
  3. Helm's own lint (the Helm v4 library, PyPI helm-sdkpy) passes on the chart
     as written, on the chart rendered with each environment's merged values, and
     on each overlay given to Helm as a parent chart's values for the chart
     (Helm's parsing, coalescing and schema check of the overlay itself).
Prints one PASS/FAIL line per check; exits 1 when one fails.
"""
import json, os, shutil, subprocess, sys, tempfile
from pathlib import Path

import jsonschema
import yaml

HELM_PY = Path(os.environ.get("DVCC_VALIDATORS", "/opt/dvcc-validators")) / "helm" / "bin" / "python"
LINT = r"""
import asyncio, json, sys
from helm_sdkpy import Configuration
from helm_sdkpy.chart import Lint
print(json.dumps(asyncio.run(Lint(Configuration()).run(sys.argv[1]))))
"""
failed = False


def report(ok, what, where, why=""):
    global failed
    failed |= not ok
    print(f"{'PASS' if ok else 'FAIL'} {what} {where}" + (f"  -- {why}" if why and not ok else ""))


def coalesce(base, over):
    if not isinstance(base, dict) or not isinstance(over, dict):
        return over
    out = dict(base)
    for k, v in over.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = coalesce(out[k], v)
        else:
            out[k] = v
    return out


def helm_lint(chart):
    """Error-level messages of Helm's lint (paths only: the library drops the text)."""
    out = subprocess.run([str(HELM_PY), "-c", LINT, str(chart)], capture_output=True, text=True,
                         env={**os.environ, "KUBECONFIG": os.devnull})
    if out.returncode != 0:
        return [f"lint crashed: {out.stderr.strip()[-300:]}"]
    res = json.loads(out.stdout)
    return [m.get("Path") or "(chart)" for m in res.get("Messages") or [] if m.get("Severity", 0) >= 2]


def chart_of(service_dir):
    """The chart a service's values are for: its own (a Chart.yaml beside them,
    `chart = own`) or its project's shared chart, deploy/charts/<name>/."""
    if (service_dir / "Chart.yaml").exists():
        return service_dir
    shared = sorted((service_dir.parent.parent / "charts").glob("*/Chart.yaml"))
    return shared[0].parent if len(shared) == 1 else None


def main(root, pattern="examples/*/deploy/helm/*/values.yaml"):
    services = sorted(p.parent for p in Path(root).glob(pattern))
    if not services:
        print("no generated values found")
        return 1
    have_helm = HELM_PY.exists()
    checked = set()
    for service in services:
        chart = chart_of(service)
        if chart is None:
            report(False, "chart", service, "no Chart.yaml beside the values and not exactly one under deploy/charts/")
            continue
        schema = json.loads((chart / "values.schema.json").read_text())
        if chart not in checked:
            checked.add(chart)
            try:
                jsonschema.Draft7Validator.check_schema(schema)
                report(True, "schema-metaschema", chart)
            except jsonschema.SchemaError as e:
                report(False, "schema-metaschema", chart, e.message)
        validator = jsonschema.Draft7Validator(schema)
        base = yaml.safe_load((service / "values.yaml").read_text()) or {}
        if chart != service:
            # The shared chart's own values are the defaults the service's change.
            base = coalesce(yaml.safe_load((chart / "values.yaml").read_text()) or {}, base)
        files = [service / "values.yaml"] + sorted(service.glob("values-*.yaml"))
        for f in files:
            merged = base if f.name == "values.yaml" else coalesce(base, yaml.safe_load(f.read_text()) or {})
            errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(merged)]
            report(not errors, "helm-schema (YAML 1.1, merged)", f, "; ".join(errors[:4]))
            if not have_helm:
                continue
            with tempfile.TemporaryDirectory(prefix="dvcc-helm-") as tmp:
                copy = Path(tmp) / chart.name
                shutil.copytree(chart, copy)
                (copy / "values.yaml").write_text(json.dumps(merged))
                errs = helm_lint(copy)
                report(not errs, "helm-lint (templates rendered with these values)", f, ", ".join(errs))
                if f.name != "values.yaml":
                    parent = Path(tmp) / "parent"
                    (parent / "charts").mkdir(parents=True)
                    (parent / "templates").mkdir()
                    shutil.copytree(chart, parent / "charts" / chart.name)
                    # The subchart's defaults are the service's values over the chart's.
                    (parent / "charts" / chart.name / "values.yaml").write_text(json.dumps(base))
                    meta = yaml.safe_load((chart / "Chart.yaml").read_text())
                    (parent / "Chart.yaml").write_text(
                        "apiVersion: v2\nname: parent\nversion: 0.0.0\ndependencies:\n"
                        f"  - name: {meta['name']}\n    version: \"{meta['version']}\"\n")
                    body = "".join("  " + l if l.strip() else l for l in f.read_text().splitlines(True))
                    (parent / "values.yaml").write_text(f"{json.dumps(meta['name'])}:\n{body}\n")
                    errs = helm_lint(parent)
                    report(not errs, "helm-lint (overlay coalesced by Helm)", f, ", ".join(errs))
    if not have_helm:
        report(os.environ.get("CI") is None, "helm-lint", "(all charts)", "helm-sdkpy is not installed")
    return 1 if failed else 0


if __name__ == "__main__":
    # ROOT [GLOB of services' values.yaml files under it]
    sys.exit(main(*(sys.argv[1:3] or ["."])))
