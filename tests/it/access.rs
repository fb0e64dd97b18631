//! The deploy role's access to the cluster dvcc creates: the environment's
//! namespace (created by Terraform, with a Role for the role's Kubernetes
//! group) and nothing else, unless `deploy_role { cluster_admin = true }`;
//! and deploy jobs, built in or from the stdlib's templates, that work with
//! that access.

use serde_json::Value;

/// A project whose `infra production` creates two clusters; deploys to
/// production connect to `main`. `ADMIN` is replaced by the `deploy_role`
/// block, `DEPLOY` by how the deploy job deploys.
const PROJECT: &str = r#"
project shop {
  repo = "acme/shop"
}

environment production {
  region    = "eu-west-1"
  namespace = "shop"
  cluster   = "main"
}

service api {
  image = "ghcr.io/acme/api"
  port  = 8080
}

infra production {
  cluster main  { kind = eks  version = "1.31" }
  cluster batch { kind = eks  version = "1.31" }
  ADMIN
}

pipeline release {
  on push { branches = ["main"] }
  deploy production {
    services = [api]
    DEPLOY
  }
}
"#;

struct Built {
    terraform: Value,
    workflow: Value,
}

fn build(admin: &str, deploy: &str) -> Built {
    let text = PROJECT.replace("ADMIN", admin).replace("DEPLOY", deploy);
    let loaded = dvcc::Loaded::from_files(&[("main.dvc", text.into_bytes())]);
    let analysis = dvcc::analyze(&loaded, 0);
    assert!(analysis.diagnostics.is_empty(), "{:#?}", analysis.diagnostics);
    let model = &analysis.model;
    let infra = model.infra("production").expect("infra");
    let terraform = dvcc::backend::terraform::module(model, infra, "");
    let workflow = dvcc::backend::gha::intended_values(model)
        .into_iter()
        .next()
        .expect("a workflow")
        .1;
    Built { terraform, workflow }
}

/// The deploy job's steps, by name.
fn step<'a>(workflow: &'a Value, name: &str) -> &'a Value {
    let jobs = workflow["jobs"].as_object().expect("jobs");
    let job = jobs
        .values()
        .find(|j| j.get("environment").is_some())
        .expect("a deploy job");
    job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["name"].as_str().is_some_and(|n| n.starts_with(name)))
        .unwrap_or_else(|| panic!("no step {name}: {:#}", workflow["jobs"]))
}

fn policy(doc: &Value) -> Value {
    let text = doc["resource"]["aws_iam_role_policy"]["deploy"]["policy"]
        .as_str()
        .expect("a policy");
    serde_json::from_str(text).expect("JSON policy")
}

#[test]
fn the_deploy_role_deploys_into_its_namespace_only() {
    let Built { terraform, workflow } = build("", "");
    let main = &terraform["module"]["eks_main"];
    // In the group, with no EKS access policy (cluster admin before).
    assert_eq!(
        main["access_entries"]["deploy"],
        serde_json::json!({ "principal_arn": "${aws_iam_role.deploy.arn}", "kubernetes_groups": ["dvcc-deploy"] })
    );
    // The cluster nothing deploys to does not let the role in at all, nor
    // may the role describe it.
    assert!(terraform["module"]["eks_batch"].get("access_entries").is_none());
    assert_eq!(
        policy(&terraform)["Statement"][0]["Resource"],
        serde_json::json!(["${module.eks_main.cluster_arn}"])
    );

    let access = &terraform["resource"]["terraform_data"]["deploy_access"];
    assert_eq!(access["depends_on"], serde_json::json!(["module.eks_main"]));
    let exec = &access["provisioner"][0]["local-exec"];
    assert_eq!(exec["environment"]["CLUSTER"], "${module.eks_main.cluster_name}");
    assert_eq!(exec["environment"]["REGION"], "eu-west-1");
    assert_eq!(exec["environment"]["MANIFESTS"], "${jsonencode(self.triggers_replace)}");
    assert!(exec["command"].as_str().is_some_and(|c| c.contains("kubectl")));
    let items = access["triggers_replace"]["items"].as_array().expect("a List");
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().unwrap_or("")).collect();
    assert_eq!(kinds, ["Namespace", "Role", "RoleBinding"]);
    assert_eq!(items[0]["metadata"]["name"], "shop");
    assert_eq!(items[1]["metadata"]["namespace"], "shop");
    assert_eq!(items[2]["subjects"][0]["name"], "dvcc-deploy");
    // Nothing cluster-wide: every rule names resources of the namespace.
    for rule in items[1]["rules"].as_array().expect("rules") {
        for r in rule["resources"].as_array().expect("resources") {
            let r = r.as_str().unwrap_or("");
            assert!(!["namespaces", "nodes", "clusterroles", "*"].contains(&r), "{r}");
        }
        assert!(!rule["verbs"].as_array().expect("verbs").contains(&Value::from("*")));
    }

    // The deploy job does not try to create the namespace: it may not.
    let deploy = step(&workflow, "Deploy api")["run"].as_str().unwrap_or("");
    assert!(deploy.contains("helm upgrade --install"), "{deploy}");
    assert!(!deploy.contains("--create-namespace"), "{deploy}");
}

#[test]
fn cluster_admin_keeps_the_cluster_wide_access() {
    let Built { terraform, workflow } = build("deploy_role { cluster_admin = true }", "");
    let entry = &terraform["module"]["eks_main"]["access_entries"]["deploy"];
    assert_eq!(
        entry["policy_associations"]["cluster_admin"]["policy_arn"],
        "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
    );
    assert!(entry.get("kubernetes_groups").is_none());
    assert!(terraform["resource"].get("terraform_data").is_none());
    let deploy = step(&workflow, "Deploy api")["run"].as_str().unwrap_or("");
    assert!(deploy.contains("--create-namespace"), "{deploy}");
}

/// The stdlib's templates connect to the cluster Terraform creates (by its
/// full name), install from the chart the service uses (the project's
/// shared one, not its values directory) and leave the namespace to
/// Terraform where it creates it.
#[test]
fn the_stdlib_templates_deploy_where_the_built_in_job_does() {
    let templates = r#"uses eks_credentials { role = "arn:aws:iam::123456789012:role/shop-production-deploy" }
    uses helm_deploy"#;
    for (admin, create) in [("", "false"), ("deploy_role { cluster_admin = true }", "true")] {
        let Built { workflow, .. } = build(admin, templates);
        let connect = step(&workflow, "Connect to the cluster");
        assert_eq!(connect["env"]["CLUSTER"], "shop-production-main");
        let deploy = step(&workflow, "Deploy api");
        assert_eq!(deploy["env"]["CHART"], "deploy/charts/shop");
        assert_eq!(deploy["env"]["VALUES"], "deploy/helm/api");
        assert_eq!(deploy["env"]["CREATE_NAMESPACE"], create);
        assert_eq!(deploy["env"]["NAMESPACE"], "shop");
        let run = deploy["run"].as_str().unwrap_or("");
        assert!(run.contains("\"$VALUES/values-$ENVIRONMENT.yaml\""), "{run}");
        assert!(
            run.contains("--create-namespace") && run.contains("CREATE_NAMESPACE"),
            "{run}"
        );
    }
}
