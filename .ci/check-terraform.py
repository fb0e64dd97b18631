"""Checks the generated Terraform JSON of the examples (run by
.ci/validate-artifacts with the validators' Python, which has python-hcl2).

For every examples/*/deploy/terraform/<env>/main.tf.json:
  1. it is JSON with an object at the top and no duplicate keys;
  2. every string holding `${...}` or `%{...}` parses as an HCL template
     (python-hcl2), as Terraform will parse it;
  3. `terraform validate` passes where a terraform binary is on PATH. The
     registry modules cannot be downloaded here, so each is replaced by a
     local stub that declares the real module's inputs (types included) and
     outputs at the pinned version (.ci/terraform-modules.json, read from
     the modules' own variables.tf and outputs.tf): an argument the module
     does not declare fails. Providers cannot be downloaded: with the
     filesystem mirror of the aws provider some machines have
     (/opt/tf-plugins, or $DVCC_TF_PLUGINS), the real provider checks every
     resource; without it, only the configuration's structure (block and
     argument names, required arguments) is checked. Without terraform,
     the check is skipped;
  4. checkov (--framework terraform_json --skip-download) reports no failed
     policy beyond those in .ci/checkov-accepted.json, each with its reason;
  5. the Kubernetes manifests a `terraform_data` applies (the deploy role's
     namespace, Role and RoleBinding) validate against their kinds' schemas
     (.ci/check-manifests.mjs, as check-helm.py does for charts).
Prints one PASS/FAIL/SKIP line per check; exits 1 when one fails.
"""
import json, os, re, shutil, subprocess, sys, tempfile
from pathlib import Path

import hcl2

import kube_schemas

PREFIX = Path(os.environ.get("DVCC_VALIDATORS", "/opt/dvcc-validators"))
CHECKOV = PREFIX / "checkov" / "bin" / "checkov"
# checkov 3.3's terraform_json parser fails on the `terraform` block: give it the rest.
CHECKOV_BLOCKS = ("resource", "data", "provider", "module", "variable", "locals", "output")
PLUGIN_DIAGS = ("Missing required provider", "Failed to load plugin schemas", "Could not load plugin")
MIRROR = Path(os.environ.get("DVCC_TF_PLUGINS", "/opt/tf-plugins"))
failed = False


def report(status, what, where, why=""):
    global failed
    failed |= status == "FAIL"
    print(f"{status} {what} {where}" + (f"  -- {why}" if why else ""))


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise ValueError(f"duplicate key(s) {sorted(dup)}")
    return dict(pairs)


def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield from strings(k)
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)


MODULES = json.loads((Path(__file__).parent / "terraform-modules.json").read_text())["modules"]


def stubbed(doc, tmp):
    """The module with each registry module replaced by a local stub that
    declares the real module's inputs (with their types; optional ones
    with a default) and outputs, from .ci/terraform-modules.json: an
    argument the pinned module does not declare, a missing required one or
    an output it does not have fails `terraform validate`. A module not in
    that file is an error."""
    doc = json.loads(json.dumps(doc))
    doc.get("terraform", {}).pop("backend", None)
    for name, m in doc.get("module", {}).items():
        key = f"{m.get('source')} {m.get('version')}"
        if key not in MODULES:
            raise KeyError(f"module {name}: {key} is not in .ci/terraform-modules.json")
        real = MODULES[key]
        d = tmp / f"stub_{name}"
        d.mkdir()
        variables = {}
        for v, facts in real["variables"].items():
            variables[v] = {"type": facts["type"]}
            if not facts["required"]:
                variables[v]["default"] = None
        (d / "main.tf.json").write_text(json.dumps({
            "variable": variables,
            "output": {o: {"value": None} for o in real["outputs"]},
        }))
        m["source"] = f"./stub_{name}"
        m.pop("version", None)
    return doc


def validate(f, doc):
    tf = shutil.which("terraform")
    if not tf:
        report("SKIP", "terraform-validate", f, "no terraform binary on PATH")
        return
    with tempfile.TemporaryDirectory(prefix="dvcc-tf-") as tmp:
        tmp = Path(tmp)
        try:
            (tmp / "main.tf.json").write_text(json.dumps(stubbed(doc, tmp)))
        except KeyError as e:
            report("FAIL", "terraform-validate", f, str(e))
            return
        mirrored = (MIRROR / "registry.terraform.io" / "hashicorp" / "aws").is_dir()
        rc = f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n' if mirrored else ""
        (tmp / "dvcc.tfrc").write_text(rc)
        env = {**os.environ, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_INPUT": "0",
               "TF_CLI_CONFIG_FILE": str(tmp / "dvcc.tfrc")}
        # Installs the stub modules; the provider download fails offline.
        subprocess.run([tf, "init", "-backend=false", "-input=false", "-no-color"], cwd=tmp, env=env,
                       capture_output=True, text=True, timeout=120)
        out = subprocess.run([tf, "validate", "-json", "-no-color"], cwd=tmp, env=env,
                             capture_output=True, text=True, timeout=120)
        version = subprocess.run([tf, "version", "-json"], capture_output=True, text=True, env=env)
    try:
        diags = json.loads(out.stdout).get("diagnostics", [])
        ver = json.loads(version.stdout).get("terraform_version", "?")
    except ValueError:
        report("FAIL", "terraform-validate", f, out.stderr.strip()[-300:])
        return
    real = [d for d in diags if d.get("summary") not in PLUGIN_DIAGS]
    errors = [f"{d.get('summary')}: {d.get('detail', '')[:160]}" for d in real if d.get("severity") == "error"]
    provider = any(d.get("summary") in PLUGIN_DIAGS for d in diags) is False and mirrored
    report("FAIL" if errors else "PASS", "terraform-validate", f,
           "; ".join(errors[:3]) if errors else
           f"terraform {ver}, " + ("with the aws provider from the mirror" if provider else "structure (no provider here)"))


def checkov(files, docs, accepted):
    if not CHECKOV.exists():
        report("FAIL" if os.environ.get("CI") else "SKIP", "checkov", "(all modules)", "checkov is not installed")
        return
    with tempfile.TemporaryDirectory(prefix="dvcc-checkov-") as tmp:
        for i, (f, doc) in enumerate(zip(files, docs)):
            part = {k: v for k, v in doc.items() if k in CHECKOV_BLOCKS}
            (Path(tmp) / f"m{i}.tf.json").write_text(json.dumps(part))
        out = subprocess.run([str(CHECKOV), "-d", tmp, "--framework", "terraform_json", "--skip-download",
                              "--quiet", "-o", "json"], capture_output=True, text=True,
                             env={**os.environ, "BC_SKIP_MAPPING": "TRUE"})
    try:
        res = json.loads(out.stdout)
    except ValueError:
        report("FAIL", "checkov", "(all modules)", (out.stderr or out.stdout).strip()[-300:])
        return
    res = res if isinstance(res, list) else [res]
    res = [r for r in res if r.get("check_type") == "terraform_json"]
    if not res:
        report("FAIL", "checkov", "(all modules)", "checkov read nothing")
        return
    summary = res[0].get("summary", {})
    if summary.get("parsing_errors"):
        report("FAIL", "checkov", "(all modules)", f"{summary['parsing_errors']} file(s) checkov could not parse")
    by_file = {}
    for c in res[0].get("results", {}).get("failed_checks", []):
        i = int(re.search(r"m(\d+)\.tf\.json", c["file_path"]).group(1))
        by_file.setdefault(i, []).append(c)
    for i, f in enumerate(files):
        bad = [f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in by_file.get(i, [])
               if c["check_id"] not in accepted]
        ok = len([c for c in by_file.get(i, []) if c["check_id"] in accepted])
        report("FAIL" if bad else "PASS", "checkov", f,
               "; ".join(bad[:4]) if bad else f"{summary.get('passed', 0)} passed overall; {ok} accepted finding(s) here")


def main(root, pattern="examples/*/deploy/terraform/*/main.tf.json", with_checkov=True):
    root = Path(root)
    files = sorted(root.glob(pattern))
    if not files:
        print("no generated Terraform found")
        return 1
    accepted = json.loads((Path(__file__).parent / "checkov-accepted.json").read_text())
    docs = []
    for f in files:
        rel = f.relative_to(root)
        try:
            doc = json.loads(f.read_text(), object_pairs_hook=no_duplicates)
            assert isinstance(doc, dict), "the top level must be an object"
            report("PASS", "json", rel)
        except (ValueError, AssertionError) as e:
            report("FAIL", "json", rel, str(e))
            continue
        templates = [s for s in strings(doc) if "${" in s or "%{" in s]
        bad = []
        for s in templates:
            try:
                hcl2.loads(f"a = {json.dumps(s)}\n")
            except Exception as e:  # python-hcl2 raises lark errors of several kinds
                bad.append(f"{s[:60]!r}: {type(e).__name__}")
        report("FAIL" if bad else "PASS", "hcl2-templates", rel,
               "; ".join(bad[:3]) if bad else f"{len(templates)} template string(s)")
        validate(rel, doc)
        docs.append((rel, doc))
    if with_checkov:
        checkov([r for r, _ in docs], [d for _, d in docs], accepted)
    manifests(docs)
    return 1 if failed else 0


def manifests(docs):
    """Step 5: every item of a `List` a `terraform_data` applies, through
    check-manifests.mjs."""
    found = []
    for rel, doc in docs:
        for name, body in doc.get("resource", {}).get("terraform_data", {}).items():
            applied = body.get("triggers_replace")
            if isinstance(applied, dict) and applied.get("kind") == "List":
                found += [{"source": f"{rel} terraform_data.{name}", "doc": d} for d in applied.get("items", [])]
    if not found:
        return
    if shutil.which("node") is None or not kube_schemas.installed():
        report("FAIL" if os.environ.get("CI") else "SKIP", "applied manifests", "(all)",
               "node or tests/tools/node_modules is not installed")
        return
    ok, why = kube_schemas.check(found)
    report("PASS" if ok else "FAIL", "applied manifests against their kinds' schemas", f"({len(found)} manifests)", why)


if __name__ == "__main__":
    # check-terraform.py [ROOT [GLOB]] [--no-checkov]
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sys.exit(main(*(args or ["."]), with_checkov="--no-checkov" not in sys.argv))
