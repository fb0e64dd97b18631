"""Writes issue 19's workload in Jsonnet and Pkl, as benches/common/workload.rs
writes it in .dvc: N services (declared one by one, teams of 100), three
environments (dev; staging extends dev; production extends staging with more
replicas, doubled CPU and memory, another log level), an alert per service
with its name interpolated into the expression. Evaluated, each writes a
values file per service and environment and one Prometheus rule file.

    python3 gen.py N DIR    -> DIR/jsonnet/main.jsonnet, DIR/pkl/main.pkl
"""
import os
import sys

TEAM = 100


def name(i):
    return f"t{i // TEAM}s{i % TEAM}"


JSONNET_HEAD = r"""
local envs = ['dev', 'staging', 'production'];
local environment = {
  dev: { cluster: 'dev-cluster', namespace: 'fleet-dev', region: 'us-east-1' },
  staging: self.dev { cluster: 'staging-cluster', namespace: 'fleet-staging' },
  production: self.staging { cluster: 'production-cluster', namespace: 'fleet' },
};
local service(s) = {
  image: 'ghcr.io/acme/' + s.name,
  port: 8080,
  health: '/healthz',
  replicas: 2,
  cpu: '250m',
  memory: '256Mi',
  env: { LOG_LEVEL: 'info', SERVICE_NAME: s.name },
} + s;
// Locals outside the objects: Jsonnet evaluates an object's locals again
// at every field that reads them.
local resolved(s, e) = local base = service(s); if e == 'production' then base + base.production else base;
local values(s, e) = local r = resolved(s, e); {
  image: { repository: r.image, tag: 'latest', pullPolicy: 'IfNotPresent' },
  replicaCount: r.replicas,
  port: r.port,
  probes: { readiness: { httpGet: { path: r.health, port: 'http' } }, liveness: { httpGet: { path: r.health, port: 'http' } } },
  resources: { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memory } },
  env: r.env,
  namespace: environment[e].namespace,
};
local alert(s) = {
  alert: s.name + '_errors',
  expr: 'sum(rate(http_requests_total{job="%s",code=~"5.."}[5m])) / sum(rate(http_requests_total{job="%s"}[5m])) > 0.05' % [s.name, s.name],
  'for': '5m',
  labels: { severity: 'critical', service: s.name },
  annotations: { summary: '%s answers more than 5%% of requests with errors' % s.name },
};
"""

JSONNET_TAIL = r"""
{
  ['helm/%s/values-%s.yaml' % [s.name, e]]: std.manifestYamlDoc(values(s, e))
  for s in services
  for e in envs
} + {
  'prometheus/fleet.rules.yml': std.manifestYamlDoc({ groups: [{ name: 'fleet', rules: [alert(s) for s in services] }] }),
}
"""

PKL_HEAD = r"""
local envs = List("dev", "staging", "production")

class Env { env: Mapping<String, String> = new {} }

class Service {
  name: String
  image: String = "ghcr.io/acme/\(name)"
  port: Int = 8080
  health: String = "/healthz"
  replicas: Int = 2
  cpu: String = "250m"
  memory: String = "256Mi"
  env: Mapping<String, String> = new { ["LOG_LEVEL"] = "info"; ["SERVICE_NAME"] = name }
  production: Service? = null
}

local namespaces = Map("dev", "fleet-dev", "staging", "fleet-staging", "production", "fleet")

local function resolved(s: Service, e: String): Service = if (e == "production" && s.production != null) s.production!! else s

local function values(s: Service, e: String) = let (r = resolved(s, e)) new Dynamic {
  image { repository = r.image; tag = "latest"; pullPolicy = "IfNotPresent" }
  replicaCount = r.replicas
  port = r.port
  probes {
    readiness { httpGet { path = r.health; port = "http" } }
    liveness { httpGet { path = r.health; port = "http" } }
  }
  resources { requests { cpu = r.cpu; memory = r.memory }; limits { memory = r.memory } }
  env = r.env
  namespace = namespaces[e]
}

local function alert(s: Service) = new Dynamic {
  alert = "\(s.name)_errors"
  expr = "sum(rate(http_requests_total{job=\"\(s.name)\",code=~\"5..\"}[5m])) / sum(rate(http_requests_total{job=\"\(s.name)\"}[5m])) > 0.05"
  `for` = "5m"
  labels { severity = "critical"; service = s.name }
  annotations { summary = "\(s.name) answers more than 5% of requests with errors" }
}
"""

PKL_TAIL = r"""
output {
  files {
    for (s in services) {
      for (e in envs) {
        ["helm/\(s.name)/values-\(e).yaml"] { value = values(s, e); renderer = new YamlRenderer {} }
      }
    }
    ["prometheus/fleet.rules.yml"] {
      value = new Dynamic { groups { new { name = "fleet"; rules = services.map((s) -> alert(s)) } } }
      renderer = new YamlRenderer {}
    }
  }
}
"""


def main(n, out):
    os.makedirs(f"{out}/jsonnet", exist_ok=True)
    os.makedirs(f"{out}/pkl", exist_ok=True)
    with open(f"{out}/jsonnet/main.jsonnet", "w") as f:
        f.write(JSONNET_HEAD + "local services = [\n")
        for i in range(n):
            s = name(i)
            f.write(f"  {{ name: '{s}', production: {{ replicas: 6, cpu: '500m', memory: '512Mi', env+: {{ LOG_LEVEL: 'warn' }} }} }},\n")
        f.write("];\n" + JSONNET_TAIL)
    with open(f"{out}/pkl/main.pkl", "w") as f:
        f.write(PKL_HEAD + "local services: List<Service> = List(\n")
        for i in range(n):
            s = name(i)
            sep = "," if i + 1 < n else ""
            f.write(
                f'  new Service {{ name = "{s}"; production = new Service {{ name = "{s}"; replicas = 6; cpu = "500m"; '
                f'memory = "512Mi"; env {{ ["LOG_LEVEL"] = "warn" }} }} }}{sep}\n'
            )
        f.write(")\n" + PKL_TAIL)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
