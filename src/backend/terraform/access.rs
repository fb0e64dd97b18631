//! The deploy role's access to the cluster its environment deploys to:
//! the environment's namespace and nothing else, unless `deploy_role {
//! cluster_admin = true }` asks for the whole cluster.
//!
//! EKS's own access policies name core Kubernetes resources only, not
//! custom ones (Rollouts, ServiceMonitors), so the access is Kubernetes
//! RBAC: the role's access entry puts it in [`names::DEPLOY_GROUP`], and a
//! Role in the namespace, bound to that group, allows what a deploy does.
//! Terraform's built-in `terraform_data` applies the namespace, the Role
//! and the RoleBinding with `kubectl`, as the identity that runs Terraform
//! (the cluster's creator, an administrator of it): no provider besides
//! `hashicorp/aws` is needed, and the manifests are data in the document,
//! applied again when they change.

use serde_json::{Value, json};

use crate::model::names;

/// Verbs on what the chart creates.
const MANAGE: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete"];
/// Verbs on what a deploy only watches.
const READ: &[&str] = &["get", "list", "watch"];

/// What a deploy does in its namespace, as RBAC rules (API group,
/// resources, verbs): Helm installs and upgrades the bundled chart (its
/// kinds; a release's state is a Secret of the namespace; `--wait` watches
/// pods and replica sets), and the deploy job follows each rollout and
/// `kubectl argo rollouts promote` resumes it (the `status` subresource).
/// ConfigMaps too: the chart's pods mount them (`volume` with
/// `config_map`), and a deploy may ship them (`kubectl_apply`). A test
/// holds it to the chart's templates.
const RULES: &[(&str, &[&str], &[&str])] = &[
    (
        "",
        &[
            "secrets",
            "configmaps",
            "services",
            "serviceaccounts",
            "persistentvolumeclaims",
        ],
        MANAGE,
    ),
    ("", &["pods", "events"], READ),
    ("apps", &["deployments"], MANAGE),
    ("apps", &["replicasets"], READ),
    ("autoscaling", &["horizontalpodautoscalers"], MANAGE),
    ("policy", &["poddisruptionbudgets"], MANAGE),
    ("networking.k8s.io", &["ingresses", "networkpolicies"], MANAGE),
    ("gateway.networking.k8s.io", &["httproutes"], MANAGE),
    ("networking.istio.io", &["virtualservices"], MANAGE),
    ("monitoring.coreos.com", &["servicemonitors"], MANAGE),
    ("external-secrets.io", &["externalsecrets"], MANAGE),
    (
        "argoproj.io",
        &["rollouts", "rollouts/status", "analysistemplates"],
        MANAGE,
    ),
    ("argoproj.io", &["analysisruns", "experiments"], READ),
];

/// Namespaces every cluster has: the deploy role gets its Role there, but
/// they are not created.
const BUILT_IN: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

/// The access entry that lets the deploy role into the cluster: in
/// [`names::DEPLOY_GROUP`], or as cluster administrator.
pub(super) fn entry(cluster_admin: bool) -> Value {
    if cluster_admin {
        return json!({
            "principal_arn": "${aws_iam_role.deploy.arn}",
            "policy_associations": { "cluster_admin": {
                "policy_arn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                "access_scope": { "type": "cluster" },
            }},
        });
    }
    json!({
        "principal_arn": "${aws_iam_role.deploy.arn}",
        "kubernetes_groups": [names::DEPLOY_GROUP],
    })
}

/// The namespace, the Role and the RoleBinding, as one `List`.
pub(super) fn manifests(namespace: &str, project: &str, env: &str) -> Value {
    // Label values are at most 63 letters, digits, `-`, `_` and `.`.
    let labels = json!({
        "app.kubernetes.io/managed-by": "dvcc",
        "app.kubernetes.io/part-of": names::dns_label_of(project),
        "dvcc.dev/environment": names::dns_label_of(env),
    });
    let meta = |name: &str| json!({ "name": name, "namespace": namespace, "labels": labels });
    let mut items = Vec::new();
    if !BUILT_IN.contains(&namespace) {
        items.push(json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": { "name": namespace, "labels": labels },
        }));
    }
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(group, resources, verbs)| json!({ "apiGroups": [group], "resources": resources, "verbs": verbs }))
        .collect();
    items.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": meta(names::DEPLOY_GROUP),
        "rules": rules,
    }));
    items.push(json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": meta(names::DEPLOY_GROUP),
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": names::DEPLOY_GROUP,
        },
        "subjects": [{
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Group",
            "name": names::DEPLOY_GROUP,
        }],
    }));
    json!({ "apiVersion": "v1", "kind": "List", "items": items })
}

/// Applies [`manifests`] to the cluster of module `module` with `kubectl`,
/// after the cluster and its access entries exist, and again whenever the
/// manifests change (`triggers_replace`). A temporary kubeconfig leaves
/// the user's alone.
pub(super) fn apply(module: &str, region: &str, manifests: Value) -> Value {
    json!({
        "triggers_replace": manifests,
        "depends_on": [format!("module.{module}")],
        "provisioner": [{ "local-exec": {
            "interpreter": ["/bin/bash", "-c"],
            "command": APPLY,
            "environment": {
                "CLUSTER": format!("${{module.{module}.cluster_name}}"),
                "REGION": region,
                "MANIFESTS": "${jsonencode(self.triggers_replace)}",
            },
        }}],
    })
}

/// The provisioner's script (`aws` and `kubectl` on the machine that runs
/// Terraform, as GitHub's runners have them).
const APPLY: &str = "set -euo pipefail
kubeconfig=$(mktemp)
trap 'rm -f \"$kubeconfig\"' EXIT
aws eks update-kubeconfig --name \"$CLUSTER\" --region \"$REGION\" --kubeconfig \"$kubeconfig\" >/dev/null
printf '%s' \"$MANIFESTS\" | kubectl --kubeconfig \"$kubeconfig\" apply --server-side --field-manager=dvcc -f -
";

#[cfg(test)]
mod tests {
    use super::*;

    /// Kubernetes' resource name of a kind (`Ingress` → `ingresses`).
    fn plural(kind: &str) -> String {
        let lower = kind.to_ascii_lowercase();
        if let Some(stem) = lower.strip_suffix('y') {
            format!("{stem}ies")
        } else if lower.ends_with('s') {
            format!("{lower}es")
        } else {
            format!("{lower}s")
        }
    }

    /// Every kind the bundled chart creates (the top-level `apiVersion`
    /// and `kind` of each template) may be managed by the deploy role.
    #[test]
    fn the_role_manages_every_kind_the_chart_creates() {
        let mut seen = 0;
        for (path, text) in crate::stdlib::CHART_TEMPLATES {
            let mut api = None;
            for line in text.lines() {
                if let Some(v) = line.strip_prefix("apiVersion: ") {
                    api = Some(v.trim());
                } else if let (Some(kind), Some(api)) = (line.strip_prefix("kind: "), api) {
                    let group = api.rsplit_once('/').map_or("", |(g, _)| g);
                    let resource = plural(kind.trim());
                    let allowed = RULES.iter().any(|(g, resources, verbs)| {
                        *g == group && resources.contains(&resource.as_str()) && *verbs == MANAGE
                    });
                    assert!(allowed, "{path}: the deploy role cannot manage {group}/{resource}");
                    seen += 1;
                }
            }
        }
        assert!(seen >= 13, "only {seen} kinds found in the chart's templates");
    }

    #[test]
    fn the_namespace_is_created_unless_kubernetes_has_it() {
        let kinds = |ns: &str| -> Vec<String> {
            manifests(ns, "shop", "production")["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["kind"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(kinds("shop"), ["Namespace", "Role", "RoleBinding"]);
        assert_eq!(kinds("default"), ["Role", "RoleBinding"]);
        let list = manifests("shop", "shop", "production");
        for item in list["items"].as_array().unwrap().iter().skip(1) {
            assert_eq!(item["metadata"]["namespace"], "shop");
        }
        // The binding's subject is the group the access entry puts the role in.
        assert_eq!(
            list["items"][2]["subjects"][0]["name"],
            entry(false)["kubernetes_groups"][0]
        );
        assert_eq!(
            list["items"][2]["roleRef"]["name"],
            list["items"][1]["metadata"]["name"]
        );
    }

    #[test]
    fn only_cluster_admin_gets_an_access_policy() {
        assert!(entry(false).get("policy_associations").is_none());
        assert_eq!(
            entry(true)["policy_associations"]["cluster_admin"]["access_scope"]["type"],
            "cluster"
        );
    }
}
