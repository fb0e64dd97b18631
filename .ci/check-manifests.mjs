// Validates Kubernetes manifests (what `helm template` rendered from a
// generated chart) against the schemas of their kinds, as kubeconform does:
// the Kubernetes API's (npm kubernetes-models) and, for custom resources,
// their CRDs' (Argo Rollouts, the Prometheus operator, the Gateway API,
// Istio, External Secrets: @kubernetes-models/*, generated from each
// project's CRD schemas). A kind without a schema here fails: nothing
// passes unchecked.
//
//   node .ci/check-manifests.mjs FILE
//
// FILE is JSON: [{"source": "where it came from", "doc": {manifest}}, ...].
// Prints one PASS/FAIL line per manifest; exits 1 when one fails.
import { existsSync, readFileSync } from "node:fs";

// The packages are installed under tests/tools (by .ci/run); they are ES
// modules, one file per kind.
const modules = new URL("../tests/tools/node_modules/", import.meta.url);

// API groups whose schemas come from a custom resource's own package.
const CRDS = {
  "argoproj.io": "@kubernetes-models/argo-rollouts",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
  "gateway.networking.k8s.io": "@kubernetes-models/gateway-api",
  "networking.istio.io": "@kubernetes-models/istio",
  "external-secrets.io": "@kubernetes-models/external-secrets",
};

/** The model class of `apiVersion`/`kind`, or an error saying why none. */
async function model(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    throw new Error("no apiVersion and kind");
  }
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const module = group === ""
    ? `kubernetes-models/${version}/${kind}`
    : `${CRDS[group] ?? "kubernetes-models"}/${group}/${version}/${kind}`;
  const file = new URL(`${module}.js`, modules);
  if (!/^[A-Za-z0-9.\/@-]+$/.test(module) || !existsSync(file)) {
    throw new Error(`no schema for ${apiVersion} ${kind} (${module})`);
  }
  const exports = await import(file.href);
  const Model = exports[kind] ?? exports.default;
  if (typeof Model !== "function") {
    throw new Error(`${module} exports no ${kind}`);
  }
  return Model;
}

const manifests = JSON.parse(readFileSync(process.argv[2], "utf8"));
let failed = false;
for (const { source, doc } of manifests) {
  const what = `${doc?.kind ?? "?"}/${doc?.metadata?.name ?? "?"} (${source})`;
  try {
    const Model = await model(doc?.apiVersion, doc?.kind);
    new Model(doc).validate();
    console.log(`PASS ${what}`);
  } catch (e) {
    failed = true;
    console.log(`FAIL ${what}  -- ${String(e.message ?? e).split("\n").slice(0, 4).join("; ")}`);
  }
}
if (manifests.length === 0) {
  console.log("FAIL no manifests given");
  failed = true;
}
process.exit(failed ? 1 : 0);
