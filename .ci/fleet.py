#!/usr/bin/env python3
"""Writes a fleet project: N services deployed by one pipeline to two
environments, so that deploy jobs ship many services in one step (a loop),
split where a service has its own chart or a pinned image.

Usage: fleet.py DIR [N]   (N >= 20; the real validators then check what
`dvcc build DIR` generates: .ci/run)."""
import pathlib
import sys

out = pathlib.Path(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 20
out.mkdir(parents=True, exist_ok=True)
lines = [
    'project fleet {',
    '  repo     = "acme/fleet"',
    '  registry = "ghcr.io/acme"',
    '  owner    = "team-fleet"',
    '}',
    '',
    'environment staging {',
    '  cluster   = "staging-cluster"',
    '  namespace = "fleet-staging"',
    '  region    = "eu-west-1"',
    '}',
    '',
    'environment production {',
    '  extends   = staging',
    '  after     = staging',
    '  namespace = "fleet"',
    '  approval  = required',
    '  cluster   = "main"',
    '}',
    '',
    'infra production {',
    '  provider aws { region = "eu-west-1" }',
    '  backend s3 { bucket = "acme-tfstate"  key = "fleet/production.tfstate" }',
    '  cluster main { kind = eks  version = "1.30"  nodes = 3..10  instance = "t3.large" }',
    '}',
    '',
]
names = []
for i in range(n):
    name = f"svc{i:02d}"
    names.append(name)
    extra = ""
    if i == n // 2:
        extra = "\n  chart = own"
    if i == n // 2 + 1:
        image = f'"ghcr.io/acme/{name}:1.4.2"'
    else:
        image = '"${project.registry}/' + name + '"'
    lines += [
        f"service {name} {{",
        f"  image  = {image}",
        "  port   = 8080",
        f'  health = "/healthz"{extra}',
        "  in production { replicas = 3 }",
        "}",
        "",
    ]
services = ", ".join(names)
lines += [
    "alert FleetDown {",
    f"  service  = {names[0]}",
    f'  expr     = `up{{job="{names[0]}"}} == 0`',
    "  for      = 5m",
    "  severity = critical",
    f'  summary  = "{names[0]} is down"',
    "}",
    "",
    "pipeline release {",
    '  on push { branches = ["main"] }',
    '  job test { run "make test" }',
    f"  deploy staging {{ needs = [test]  services = [{services}] }}",
    f"  deploy production {{ needs = [staging]  services = [{services}] }}",
    "}",
]
(out / "fleet.dvc").write_text("\n".join(lines) + "\n")
