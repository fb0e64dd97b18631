//! The resolved model: inheritance (`extends`, `in ENV`) over chains of three
//! environments, template expansion, and snapshots of the examples' models.

use dvcc::Loaded;
use dvcc::model::{Model, Step};

use crate::support::root;

fn model_of(src: &str) -> Model {
    let loaded = Loaded::from_bytes("m.dvc", src.as_bytes().to_vec());
    let analysis = dvcc::analyze(&loaded, 0);
    let errors: Vec<_> = analysis.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    analysis.model
}

const CHAIN: &str = r#"
project shop { repo = "acme/shop" }
environment dev        { cluster = "dev-cluster"  namespace = "shop-dev"  region = "us-east-1" }
environment staging    { extends = dev      namespace = "shop-staging" }
environment production { extends = staging  cluster = "prod-cluster"  approval = required  after = staging }
"#;

/// One row of the matrix: the overrides, then the expected replicas and max
/// per environment (dev, staging, production).
struct Row {
    overrides: &'static str,
    replicas: [u32; 3],
    max: [u32; 3],
}

#[test]
fn environment_attributes_follow_extends() {
    let m = model_of(CHAIN);
    let names: Vec<&str> = m.environments.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["dev", "staging", "production"]);
    let get = |n: &str| m.environment(n).expect("declared");
    assert_eq!(
        get("staging").cluster.as_deref(),
        Some("dev-cluster"),
        "inherited from dev"
    );
    assert_eq!(
        get("staging").namespace.as_deref(),
        Some("shop-staging"),
        "set on staging"
    );
    assert_eq!(
        get("production").cluster.as_deref(),
        Some("prod-cluster"),
        "set on production"
    );
    assert_eq!(
        get("production").namespace.as_deref(),
        Some("shop-staging"),
        "inherited from staging"
    );
    assert_eq!(
        get("production").region.as_deref(),
        Some("us-east-1"),
        "inherited through two levels"
    );
    assert!(get("production").approval && !get("staging").approval);
    assert_eq!(get("production").after.as_deref(), Some("staging"));
}

#[test]
fn service_overrides_follow_extends_matrix() {
    let rows = [
        Row {
            overrides: "",
            replicas: [2, 2, 2],
            max: [10, 10, 10],
        },
        Row {
            overrides: "in dev { replicas = 1 }",
            replicas: [1, 1, 1],
            max: [10, 10, 10],
        },
        Row {
            overrides: "in staging { replicas = 3 }",
            replicas: [2, 3, 3],
            max: [10, 10, 10],
        },
        Row {
            overrides: "in production { replicas = 5 }",
            replicas: [2, 2, 5],
            max: [10, 10, 10],
        },
        Row {
            overrides: "in dev { replicas = 1 }  in production { replicas = 5 }",
            replicas: [1, 1, 5],
            max: [10, 10, 10],
        },
        Row {
            overrides: "in dev { autoscale { max = 4 } }  in staging { replicas = 3 }",
            replicas: [2, 3, 3],
            max: [4, 4, 4],
        },
        Row {
            overrides: "in staging { autoscale { max = 20 } }  in production { autoscale { max = 30 } }",
            replicas: [2, 2, 2],
            max: [10, 20, 30],
        },
        Row {
            overrides: "in dev { replicas = 1  autoscale { max = 4 } }  in staging { replicas = 3 }  in production { autoscale { max = 30 } }",
            replicas: [1, 3, 3],
            max: [4, 4, 30],
        },
    ];
    for row in rows {
        let src = format!(
            "{CHAIN}\nservice api {{\n  image = \"ghcr.io/acme/api\"\n  replicas = 2\n  autoscale {{ min = 2  max = 10  cpu = 70% }}\n  {}\n}}\n",
            row.overrides
        );
        let m = model_of(&src);
        let api = m.service("api").expect("declared");
        for (i, env) in ["dev", "staging", "production"].iter().enumerate() {
            let cfg = &api.per_env[*env];
            assert_eq!(cfg.replicas, row.replicas[i], "{}: replicas in {env}", row.overrides);
            let auto = cfg.autoscale.as_ref().expect("autoscale");
            assert_eq!(auto.max, row.max[i], "{}: max in {env}", row.overrides);
            assert_eq!(
                (auto.min, auto.cpu),
                (2, Some(70.0)),
                "{}: untouched keys stay",
                row.overrides
            );
        }
        assert_eq!(api.base.replicas, 2);
    }
}

#[test]
fn maps_merge_per_key_along_the_chain() {
    let src = format!(
        "{CHAIN}\nservice api {{\n  image = \"x\"\n  env {{ A = \"base\"  B = \"base\" }}\n  in dev {{ env {{ A = \"dev\" }} }}\n  in production {{ env {{ B = \"prod\"  C = \"prod\" }} }}\n}}\n"
    );
    let m = model_of(&src);
    let api = m.service("api").expect("declared");
    let env = |e: &str| {
        api.per_env[e]
            .env
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(env("dev"), "A=dev B=base");
    assert_eq!(env("staging"), "A=dev B=base");
    assert_eq!(env("production"), "A=dev B=prod C=prod");
}

#[test]
fn templates_expand_with_their_arguments() {
    let src = r#"
project shop { repo = "acme/shop"  registry = "ghcr.io/acme" }
service api { image = "${project.registry}/api" }
template greet {
  param who { default = "world" }
  param times { type = number  default = 1 }
  run "echo hello ${who} x${times}"
}
template twice {
  param who
  uses greet { who = "${who}"  times = 2 }
  uses greet { who = "again" }
}
pipeline ci {
  on manual
  job build {
    uses checkout
    uses docker_build { service = api }
    uses twice { who = "you" }
  }
}
"#;
    let m = model_of(src);
    let job = &m.pipelines[0].jobs[0];
    let uses: Vec<String> = job
        .steps
        .iter()
        .map(|s| match s {
            Step::Run { script, .. } => format!("run {script}"),
            Step::Action { uses, version, .. } => format!(
                "{} {}",
                uses.split('@').next().unwrap_or(""),
                version.clone().unwrap_or_default()
            ),
        })
        .collect();
    assert_eq!(
        uses,
        [
            "actions/checkout v5.0.0",
            "docker/setup-buildx-action v3.11.1",
            "docker/login-action v3.5.0",
            "docker/build-push-action v6.18.0",
            "run echo hello you x2",
            "run echo hello again x1",
        ]
    );
    let Step::Action { with, .. } = &job.steps[3] else {
        panic!("an action")
    };
    assert_eq!(with["tags"], "ghcr.io/acme/api:${{ github.sha }}");
    assert_eq!(job.permissions.get("packages").map(String::as_str), Some("write"));
    let Step::Action { with, .. } = &job.steps[0] else {
        panic!("an action")
    };
    assert_eq!(with["persist-credentials"], "false");
    assert_eq!(with["fetch-depth"], "1");
}

#[test]
fn every_stdlib_template_is_clean_and_pinned() {
    let loaded = Loaded::from_bytes("empty.dvc", b"project p { repo = \"a/b\" }".to_vec());
    for id in &loaded.stdlib {
        let parse = &loaded.parses[id];
        assert!(
            parse.diagnostics.is_empty(),
            "{}: {:?}",
            loaded.db.get(*id).name,
            parse.diagnostics
        );
        let mut shape = dvcc::sema::shape::Shape::new(dvcc::schema::registry());
        let nodes = shape.file(&parse.ast.items);
        assert!(shape.diags.is_empty(), "{}: {:?}", loaded.db.get(*id).name, shape.diags);
        assert!(nodes.iter().all(|n| n.schema.id == dvcc::schema::BlockId::Template));
        for n in &nodes {
            assert!(
                n.get(dvcc::schema::Attr::Description).is_some(),
                "template {} has no description",
                n.label()
            );
        }
    }
    let text: String = dvcc::stdlib::MODULES.iter().map(|(_, s)| *s).collect();
    for line in text.lines().filter(|l| l.trim_start().starts_with("uses \"")) {
        let reference = line.split('"').nth(1).unwrap_or("");
        let sha = reference.rsplit('@').next().unwrap_or("");
        assert!(
            sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
            "not pinned: {reference}"
        );
    }
    for name in [
        "checkout",
        "setup_node",
        "setup_go",
        "setup_python",
        "docker_build",
        "trivy",
        "cache",
        "upload_artifact",
        "helm_deploy",
    ] {
        assert!(text.contains(&format!("template {name} {{")), "stdlib lacks {name}");
    }
}

fn snapshot_model(dir: &str) {
    let loaded = dvcc::load_paths(&[root().join(dir)]);
    let diags = dvcc::lint(&loaded);
    assert!(diags.is_empty(), "{dir} is not clean: {diags:#?}");
    let model = dvcc::analyze(&loaded, 0).model;
    let mut json = serde_json::to_value(&model).expect("the model serializes");
    // Absolute paths differ between machines.
    json["project"]["sources"] = serde_json::Value::Array(
        model
            .project
            .sources
            .iter()
            .map(|s| s.rsplit('/').next().unwrap_or(s).into())
            .collect(),
    );
    // Sources are absolute here (the test loads an absolute path).
    let text = serde_json::to_string_pretty(&json)
        .expect("JSON")
        .replace(&format!("{}/", root().display()), "");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/model");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    let name = dir.rsplit('/').next().unwrap_or(dir).to_string();
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn model_of_shop() {
    snapshot_model("examples/shop");
}

#[test]
fn model_of_platform() {
    snapshot_model("examples/platform");
}

#[test]
fn alert_team_comes_from_the_alert_the_service_or_the_project_owner() {
    let src = r#"
project shop { repo = "acme/shop"  owner = "team-owner" }
service api    { image = "x"  team = "team-api" }
service worker { image = "y" }
alert A { service = api     expr = `up == 0`  team = "team-alert" }
alert B { service = api     expr = `up == 0` }
alert C { service = worker  expr = `up == 0` }
"#;
    let m = model_of(src);
    let team = |n: &str| m.alert(n).and_then(|a| a.team.clone());
    assert_eq!(team("A").as_deref(), Some("team-alert"));
    assert_eq!(team("B").as_deref(), Some("team-api"));
    assert_eq!(team("C").as_deref(), Some("team-owner"));
}
