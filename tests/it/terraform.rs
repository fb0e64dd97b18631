//! Terraform at the depth of the upstream examples: tags, network layout,
//! node groups and add-ons, RDS and S3 knobs, variables and outputs, the
//! deploy role's extra subjects; and `terraform validate` against the real
//! modules' interfaces and the real AWS provider where the machine has it
//! (the deploy role's access to its namespace: `access.rs`).

use serde_json::{Value, json};

use crate::support::root;
use crate::yaml::required;

const PROJECT: &str = r#"
project shop {
  repo = "acme/shop"
}

environment production {
  region   = "eu-west-1"
  approval = required
}

infra production {
  tags    { cost-center = "shop"  "example.com/owner" = "payments" }
  network { cidr = "172.20.0.0/18"  zones = 4  single_nat = true }
  cluster main {
    kind     = eks
    version  = "1.31"
    nodes    = 2..6
    capacity = spot
    disk     = 80Gi
    addons   = ["coredns", "vpc-cni"]
  }
  bucket assets {
    transition_after = 30d
    archive_after    = 120d
    expire_after     = 400d
    access_logs      = "logs"
  }
  bucket logs { lock = 30d }
  database main {
    engine             = postgres
    version            = "16"
    multi_az           = false
    maintenance_window = "Sat:22:00-Sun:01:00"
    backup_window      = "02:00-03:00"
    monitoring         = 0s
    parameters         { max_connections = "250"  log_statement = "all" }
  }
  variable alert_email {
    type      = string
    default   = "oncall@example.com"
    sensitive = true
  }
  variable zones_wanted { type = number }
  alias use1 { region = "us-east-1" }
  resource aws_acm_certificate cdn {
    provider          = "aws.use1"
    domain_name       = "cdn.example.com"
    validation_method = "DNS"
  }
  resource aws_sns_topic alerts { name = "shop-alerts" }
  resource aws_sns_topic_subscription oncall {
    topic_arn = "${aws_sns_topic.alerts.arn}"
    protocol  = "email"
    endpoint  = "${var.alert_email}"
  }
  output topic { value = "${aws_sns_topic.alerts.arn}"  description = "alerts"  sensitive = true }
  output first_subnet { value = terraform("module.vpc.private_subnets[0]") }
  deploy_role { branches = ["main", "release/*"]  tags = ["v*"]  pull_request = true }
}
"#;

fn document() -> Value {
    let loaded = dvcc::Loaded::from_files(&[("main.dvc", PROJECT.as_bytes().to_vec())]);
    let analysis = dvcc::analyze(&loaded, 0);
    assert!(analysis.diagnostics.is_empty(), "{:#?}", analysis.diagnostics);
    let infra = analysis.model.infra("production").expect("infra");
    dvcc::backend::terraform::module(&analysis.model, infra, "")
}

#[test]
fn tags_and_network_layout() {
    let doc = document();
    assert_eq!(
        doc["provider"]["aws"][0]["default_tags"]["tags"],
        json!({ "project": "shop", "environment": "production", "managed-by": "dvcc", "cost-center": "shop", "example.com/owner": "payments" })
    );
    let vpc = &doc["module"]["vpc"];
    assert_eq!(vpc["cidr"], "172.20.0.0/18");
    assert_eq!(
        vpc["azs"],
        "${slice(data.aws_availability_zones.available.names, 0, 4)}"
    );
    // Four zones: private /22s, public /24s and database /26s, disjoint.
    assert_eq!(
        vpc["private_subnets"],
        json!(["172.20.0.0/22", "172.20.4.0/22", "172.20.8.0/22", "172.20.12.0/22"])
    );
    assert_eq!(vpc["public_subnets"][0], "172.20.24.0/24");
    assert_eq!(vpc["database_subnets"][3], "172.20.32.192/26");
    // Protected, yet one NAT gateway, as written.
    assert_eq!(vpc["single_nat_gateway"], true);
}

/// An alias is another AWS provider (its region, the same default tags)
/// that raw resources name; an alias not declared is reported.
#[test]
fn provider_aliases() {
    let doc = document();
    let providers = doc["provider"]["aws"].as_array().expect("providers");
    assert_eq!(providers.len(), 2);
    assert_eq!(providers[1]["alias"], "use1");
    assert_eq!(providers[1]["region"], "us-east-1");
    assert_eq!(providers[1]["default_tags"], providers[0]["default_tags"]);
    assert_eq!(doc["resource"]["aws_acm_certificate"]["cdn"]["provider"], "aws.use1");
    let wrong = PROJECT.replace("provider          = \"aws.use1\"", "provider          = \"aws.use2\"");
    let (_, diags) = crate::support::lint_bytes("main.dvc", wrong.into_bytes());
    assert_eq!(crate::support::codes(&diags), ["DVC0519"]);
}

#[test]
fn node_groups_and_add_ons() {
    let eks = &document()["module"]["eks_main"];
    let group = &eks["eks_managed_node_groups"]["default"];
    assert_eq!(group["capacity_type"], "SPOT");
    assert_eq!(group["block_device_mappings"]["xvda"]["ebs"]["volume_size"], 80);
    assert_eq!(
        eks["cluster_addons"],
        json!({ "coredns": { "most_recent": true }, "vpc-cni": { "most_recent": true } })
    );
}

#[test]
fn database_and_bucket_knobs() {
    let doc = document();
    let r = &doc["resource"];
    let db = &r["aws_db_instance"]["main"];
    assert_eq!(db["multi_az"], false, "as written, though approval is required");
    assert_eq!(db["maintenance_window"], "Sat:22:00-Sun:01:00");
    assert_eq!(db["backup_window"], "02:00-03:00");
    assert_eq!(db["monitoring_interval"], 0);
    assert!(db.get("monitoring_role_arn").is_none(), "no role without monitoring");
    let params = r["aws_db_parameter_group"]["main"]["parameter"]
        .as_array()
        .expect("parameters");
    let get = |n: &str| params.iter().find(|p| p["name"] == n).map(|p| p["value"].clone());
    assert_eq!(get("rds.force_ssl"), Some(json!("1")));
    assert_eq!(get("max_connections"), Some(json!("250")));
    // A parameter of dvcc's name is replaced, not doubled.
    assert_eq!(get("log_statement"), Some(json!("all")));
    assert_eq!(params.iter().filter(|p| p["name"] == "log_statement").count(), 1);

    let rule = &r["aws_s3_bucket_lifecycle_configuration"]["assets"]["rule"][0];
    assert_eq!(
        rule["transition"],
        json!([{ "days": 30, "storage_class": "STANDARD_IA" }, { "days": 120, "storage_class": "GLACIER" }])
    );
    assert_eq!(rule["expiration"], json!([{ "days": 400 }]));
    assert_eq!(
        r["aws_s3_bucket_logging"]["assets"]["target_bucket"],
        "${aws_s3_bucket.logs.id}"
    );
    assert_eq!(r["aws_s3_bucket"]["logs"]["object_lock_enabled"], true);
    assert_eq!(
        r["aws_s3_bucket_object_lock_configuration"]["logs"]["rule"][0]["default_retention"][0],
        json!({ "mode": "GOVERNANCE", "days": 30 })
    );
    // The log bucket lets S3's logging service write, from this account.
    let policy: Value = serde_json::from_str(r["aws_s3_bucket_policy"]["logs"]["policy"].as_str().expect("policy"))
        .expect("JSON policy");
    let allow = &policy["Statement"][1];
    assert_eq!(allow["Principal"]["Service"], "logging.s3.amazonaws.com");
    // Only for the buckets that log here.
    assert_eq!(
        allow["Condition"]["ArnLike"]["aws:SourceArn"],
        json!(["${aws_s3_bucket.assets.arn}"])
    );
    assert_eq!(doc["data"]["aws_caller_identity"]["current"], json!({}));
}

#[test]
fn variables_outputs_and_the_deploy_role_s_subjects() {
    let doc = document();
    assert_eq!(
        doc["variable"]["alert_email"],
        json!({ "type": "string", "default": "oncall@example.com", "sensitive": true })
    );
    assert_eq!(doc["variable"]["zones_wanted"], json!({ "type": "number" }));
    assert_eq!(
        doc["resource"]["aws_sns_topic_subscription"]["oncall"]["endpoint"],
        "${var.alert_email}"
    );
    assert_eq!(
        doc["output"]["topic"],
        json!({ "value": "${aws_sns_topic.alerts.arn}", "description": "alerts", "sensitive": true })
    );
    assert_eq!(
        doc["output"]["first_subnet"]["value"],
        "${module.vpc.private_subnets[0]}"
    );
    let trust: Value = serde_json::from_str(
        doc["resource"]["aws_iam_role"]["deploy"]["assume_role_policy"]
            .as_str()
            .expect("policy"),
    )
    .expect("JSON policy");
    let condition = &trust["Statement"][0]["Condition"];
    assert_eq!(
        condition["StringLike"]["token.actions.githubusercontent.com:sub"],
        json!([
            "repo:acme/shop:environment:production",
            "repo:acme/shop:ref:refs/heads/main",
            "repo:acme/shop:ref:refs/heads/release/*",
            "repo:acme/shop:ref:refs/tags/v*",
            "repo:acme/shop:pull_request"
        ])
    );
    assert_eq!(
        condition["StringEquals"]["token.actions.githubusercontent.com:aud"],
        "sts.amazonaws.com"
    );
}

/// The generated document passes `terraform validate` with the real
/// modules' interfaces (and the real AWS provider where the machine has
/// its mirror); an argument the pinned VPC module does not declare fails.
#[test]
fn terraform_validate_with_the_real_module_interfaces() {
    let py =
        std::path::PathBuf::from(std::env::var("DVCC_VALIDATORS").unwrap_or_else(|_| "/opt/dvcc-validators".into()))
            .join("tools/bin/python");
    let terraform = std::process::Command::new("terraform").arg("version").output().is_ok();
    if !py.exists() || !terraform {
        assert!(!required(), "CI must have the validators and terraform");
        eprintln!("skipped: no validators or terraform");
        return;
    }
    let dir = std::env::temp_dir().join(format!("dvcc-tf-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut doc = document();
    for (name, patch) in [("good", None), ("bad", Some("single_nat_gateways"))] {
        let d = dir.join(name);
        std::fs::create_dir_all(&d).expect("mkdir");
        if let Some(arg) = patch {
            doc["module"]["vpc"][arg] = json!(true);
            // And a Role rule without verbs, which Kubernetes rejects.
            let role = &mut doc["resource"]["terraform_data"]["deploy_access"]["triggers_replace"]["items"][0];
            assert_eq!(role["kind"], "Role");
            role["rules"][0].as_object_mut().expect("a rule").remove("verbs");
        }
        std::fs::write(
            d.join("main.tf.json"),
            serde_json::to_string_pretty(&doc).expect("JSON"),
        )
        .expect("write");
    }
    let run = |name: &str| {
        let out = std::process::Command::new(&py)
            .arg(root().join(".ci/check-terraform.py"))
            .arg(&dir)
            .arg(format!("{name}/main.tf.json"))
            .arg("--no-checkov")
            .output()
            .expect("python runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let good = run("good");
    assert!(good.contains("PASS terraform-validate"), "{good}");
    let bad = run("bad");
    assert!(
        bad.contains("FAIL terraform-validate") && bad.contains("single_nat_gateways"),
        "{bad}"
    );
    // The namespace's Role and RoleBinding Terraform applies, against the
    // Kubernetes schemas (where node and the schemas are installed).
    if good.contains("applied manifests") || required() {
        assert!(good.contains("PASS applied manifests"), "{good}");
        assert!(good.contains("PASS RoleBinding/dvcc-deploy"), "{good}");
        assert!(
            bad.contains("FAIL Role/dvcc-deploy") && bad.contains("FAIL applied manifests"),
            "{bad}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
