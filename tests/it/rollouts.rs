//! Rollouts that finish: a blue-green switch waits for its pre-promotion
//! analysis, so every such analysis ends (`count`); analysis tuning reaches
//! the chart; the deploy job waits as long as the rollout runs by itself,
//! and stops with a notice where it waits for promotion.

use serde_json::Value;

use crate::support::root;

fn model_of(example: &str) -> dvcc::model::Model {
    let loaded = dvcc::load_paths(&[root().join("examples").join(example)]);
    assert!(dvcc::lint(&loaded).is_empty());
    dvcc::analyze(&loaded, 0).model
}

/// Every blue-green analysis of the examples ends, so Argo switches the
/// active service once it succeeds; canary analyses run in the background.
#[test]
fn every_pre_promotion_analysis_terminates() {
    let mut blue_green = 0;
    for ex in ["shop", "platform"] {
        let model = model_of(ex);
        for svc in &model.services {
            for env in &model.environments {
                let v = serde_json::to_value(dvcc::backend::helm::values(&model, svc, Some(&env.name))).expect("JSON");
                let rollout = &v["rollout"];
                if rollout["enabled"] != Value::Bool(true) || rollout["analysis"]["enabled"] != Value::Bool(true) {
                    continue;
                }
                match rollout["strategy"].as_str() {
                    Some("blueGreen") => {
                        blue_green += 1;
                        let count = rollout["analysis"]["count"].as_u64().unwrap_or(0);
                        assert!(count >= 1, "{ex}: {} in {}: {rollout}", svc.name, env.name);
                    }
                    _ => assert!(rollout["analysis"]["count"].is_null(), "{rollout}"),
                }
            }
        }
    }
    assert!(blue_green >= 1, "the platform example's web_blue_green");
    // The template gives every metric the count.
    let template = std::fs::read_to_string(root().join("stdlib/helm/templates/analysistemplate.yaml")).expect("read");
    assert!(template.contains("count: {{ $analysis.count }}"), "{template}");
}

#[test]
fn analysis_tuning_reaches_the_chart() {
    let src = r#"project p { repo = "a/b" }
environment prod { cluster = "c"  namespace = "n"  region = "us-east-1"  prometheus = "http://prometheus:9090" }
service web { image = "ghcr.io/a/web"  port = 8080  replicas = 4 }
alert WebDown { service = web  expr = `up{job="web"} == 0` }
rollout web_bg {
  service = web
  blue_green { preview = true }
  abort_on = [WebDown]
  progress_deadline = 15m
  analysis { interval = 30s  count = 10  failure_limit = 2  initial_delay = 1m }
}
pipeline release {
  on push { branches = ["main"] }
  deploy prod { services = [web]  rollout = web_bg }
}
"#;
    let (loaded, diags) = crate::support::lint_bytes("p.dvc", src.as_bytes().to_vec());
    assert!(diags.is_empty(), "{diags:?}");
    let model = dvcc::analyze(&loaded, 0).model;
    let svc = model.service("web").expect("web");
    let v = serde_json::to_value(dvcc::backend::helm::values(&model, svc, Some("prod"))).expect("JSON");
    let a = &v["rollout"]["analysis"];
    assert_eq!(a["interval"], "30s");
    assert_eq!(a["count"], 10);
    assert_eq!(a["failureLimit"], 2);
    assert_eq!(a["initialDelay"], "1m");
    // A step that makes no progress for 15 minutes aborts the rollout.
    assert_eq!(v["rollout"]["progressDeadlineSeconds"], 900);
    let template = std::fs::read_to_string(root().join("stdlib/helm/templates/rollout.yaml")).expect("read");
    assert!(template.contains("progressDeadlineAbort: true"), "{template}");
    // The job waits for the analysis (1m + 10 × 30s) and a minute for
    // pods, then the margin; auto-promotion is off, so it stops at the
    // switch with a notice.
    let wfs = dvcc::backend::gha::intended_values(&model);
    let (_, wf) = wfs
        .iter()
        .find(|(n, _)| n.contains("release"))
        .expect("release workflow");
    let wait = wf["jobs"]
        .as_object()
        .expect("jobs")
        .values()
        .flat_map(|j| j["steps"].as_array().into_iter().flatten())
        .find(|s| s["name"].as_str().is_some_and(|n| n.starts_with("Wait for the web_bg")))
        .expect("the wait step");
    assert_eq!(wait["env"]["TIMEOUT_SECONDS"], ((60 + 300 + 60) + 900).to_string());
    assert_eq!(wait["env"]["MANUAL"], "blue-green");
    let script = wait["run"].as_str().expect("script");
    assert!(script.contains("kubectl argo rollouts promote"), "{script}");
    assert!(script.contains("Degraded"), "{script}");
}

/// The platform example's canary waits for promotion at its third step:
/// Argo's step index 6 (Istio's header route, then setWeight, pause,
/// setWeight, pause, setWeight, pause).
#[test]
fn a_manual_canary_pause_ends_the_wait_at_its_step() {
    let model = model_of("platform");
    let wfs = dvcc::backend::gha::intended_values(&model);
    let wait = wfs
        .iter()
        .flat_map(|(_, wf)| wf["jobs"].as_object().into_iter().flat_map(|j| j.values()))
        .flat_map(|j| j["steps"].as_array().into_iter().flatten())
        .find(|s| {
            s["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("Wait for the api_canary"))
        })
        .expect("the wait step");
    assert_eq!(wait["env"]["MANUAL"], "step:6");
    // 25% for 5m, 50% for 10m, a minute per step before the manual pause.
    assert_eq!(wait["env"]["TIMEOUT_SECONDS"], ((3 * 60 + 15 * 60) + 900).to_string());
}

/// A deploy job waits for every rollout of the services it ships: those it
/// names (`rollouts`) and those bound to its environment.
#[test]
fn several_rollouts_per_deploy_and_rollouts_bound_to_environments() {
    let path = root().join("tests/cases/helm/rollouts_bound.dvc");
    let loaded = dvcc::Loaded::from_bytes("shop.dvc", std::fs::read(&path).expect("case"));
    assert!(dvcc::lint(&loaded).is_empty());
    let model = dvcc::analyze(&loaded, 0).model;
    let wfs = dvcc::backend::gha::intended_values(&model);
    let (_, wf) = wfs.iter().find(|(n, _)| n.contains("release")).expect("release");
    let waits = |job: &str| -> Vec<String> {
        wf["jobs"][job]["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .filter_map(|s| s["name"].as_str())
            .filter(|n| n.starts_with("Wait for"))
            .map(String::from)
            .collect()
    };
    assert_eq!(waits("staging"), ["Wait for the web_bg rollout of web"]);
    assert_eq!(
        waits("production"),
        [
            "Wait for the api_canary rollout of api",
            "Wait for the web_bg rollout of web"
        ]
    );
    // The charts: a Rollout wherever a rollout applies.
    let strategy = |svc: &str, env: &str| -> Value {
        let s = model.service(svc).expect("service");
        serde_json::to_value(dvcc::backend::helm::values(&model, s, Some(env))).expect("JSON")["rollout"]["strategy"]
            .clone()
    };
    assert_eq!(strategy("web", "staging"), "blueGreen");
    assert_eq!(strategy("web", "production"), "blueGreen");
    assert_eq!(strategy("api", "production"), "canary");
    assert_eq!(strategy("api", "staging"), Value::Null);
}

/// Gates on queries become metrics whose success condition is the bound
/// (an empty or NaN result passes: no traffic); an SLO in `abort_on_slo`
/// becomes its error ratio over 5 minutes in budgets, below its policy's
/// page rate. No alert is emitted for them.
#[test]
fn gates_and_slos_become_analysis_metrics() {
    let path = root().join("tests/cases/helm/rollout_gates.dvc");
    let loaded = dvcc::Loaded::from_bytes("shop.dvc", std::fs::read(&path).expect("case"));
    assert!(dvcc::lint(&loaded).is_empty());
    let model = dvcc::analyze(&loaded, 0).model;
    assert!(model.alerts.is_empty(), "gates are not alerts");
    let svc = model.service("api").expect("api");
    let v = serde_json::to_value(dvcc::backend::helm::values(&model, svc, Some("production"))).expect("JSON");
    let metrics = v["rollout"]["analysis"]["alerts"].as_array().expect("metrics").clone();
    let by_name = |n: &str| metrics.iter().find(|m| m["name"] == n).cloned().expect(n);
    assert_eq!(
        by_name("gate-errors")["successCondition"],
        "len(result) == 0 || isNaN(result[0]) || (result[0] < 0.01)"
    );
    assert_eq!(
        by_name("gate-success")["successCondition"],
        "len(result) == 0 || isNaN(result[0]) || (result[0] > 0.95)"
    );
    let slo = by_name("slo-api_availability");
    assert_eq!(
        slo["query"],
        "((sum(rate(http_requests_total{job=\"api\", code=~\"5..\"}[5m]))) / (sum(rate(http_requests_total{job=\"api\"}[5m])))) / 0.001"
    );
    assert_eq!(
        slo["successCondition"],
        "len(result) == 0 || isNaN(result[0]) || (result[0] < 14.4)"
    );
    assert_eq!(v["rollout"]["analysis"]["enabled"], true);
    // The queries parse as PromQL.
    for m in &metrics {
        let q = m["query"].as_str().expect("query");
        assert!(promql_parser::parser::parse(q).is_ok(), "{q}");
    }
}

fn rollout_of(text: &str) -> (dvcc::model::Model, Vec<String>) {
    let (loaded, diags) = crate::support::lint_bytes("main.dvc", text.as_bytes().to_vec());
    let codes = crate::support::codes(&diags);
    (dvcc::analyze(&loaded, 0).model, codes)
}

const BASE: &str = r#"
project shop {
  repo       = "acme/shop"
  prometheus = "http://prometheus:9090"
}
environment production {
  cluster   = "prod"
  namespace = "shop"
  region    = "eu-west-1"
}
service api {
  image    = "ghcr.io/acme/api"
  port     = 8080
  replicas = 10
}
alert api_down {
  service = api
  expr    = `up{job="api"} == 0`
}
pipeline release {
  on push { branches = ["main"] }
  deploy production { services = [api] }
}
"#;

/// `step_weight` up to `max_weight` with a `pause` after each (Flagger's
/// habit) expands to the steps Argo runs, ending with the whole traffic.
#[test]
fn step_and_max_weight_shorthand() {
    let text = format!(
        "{BASE}rollout api_canary {{\n  service = api\n  environments = [production]\n  canary {{ step_weight = 10%  max_weight = 30%  pause = 2m }}\n}}\n"
    );
    let (model, codes) = rollout_of(&text);
    assert!(codes.is_empty(), "{codes:?}");
    let api = model.service("api").expect("api");
    let v = serde_json::to_value(dvcc::backend::helm::values(&model, api, Some("production"))).expect("JSON");
    assert_eq!(
        v["rollout"]["canary"]["steps"],
        serde_json::json!([
            { "setWeight": 10 }, { "pause": { "duration": "2m" } },
            { "setWeight": 20 }, { "pause": { "duration": "2m" } },
            { "setWeight": 30 }, { "pause": { "duration": "2m" } },
            { "setWeight": 100 }
        ])
    );
    // The deploy job waits for the pauses and a minute per step.
    let plan = dvcc::target::rollout::plan(&model.rollouts[0]);
    assert_eq!(plan.unattended.secs(), 3 * 120 + 4 * 60);
    // Both forms at once are refused.
    let both = text.replace("pause = 2m }", "pause = 2m\n    step { weight = 50% }\n  }");
    let (_, codes) = rollout_of(&both);
    assert!(codes.contains(&"DVC0207".to_string()), "{codes:?}");
}

/// A blue-green rollout may measure its analysis again after the switch
/// (Argo's post-promotion analysis), which terminates like the first.
#[test]
fn post_promotion_analysis() {
    let text = format!(
        "{BASE}rollout api_bg {{\n  service = api\n  environments = [production]\n  abort_on = [api_down]\n  analysis {{ interval = 1m  count = 3 }}\n  blue_green {{ auto_promote = true  post_promotion = true }}\n}}\n"
    );
    let (model, codes) = rollout_of(&text);
    assert!(codes.is_empty(), "{codes:?}");
    let api = model.service("api").expect("api");
    let v = serde_json::to_value(dvcc::backend::helm::values(&model, api, Some("production"))).expect("JSON");
    assert_eq!(v["rollout"]["blueGreen"]["postPromotionAnalysis"], true);
    assert_eq!(v["rollout"]["analysis"]["count"], 3);
    // Both analyses are waited for: 3 minutes each, and a minute for pods.
    assert_eq!(
        dvcc::target::rollout::plan(&model.rollouts[0]).unattended.secs(),
        60 + 2 * 180
    );
    let template = dvcc::stdlib::CHART_TEMPLATES
        .iter()
        .find(|(p, _)| *p == "templates/rollout.yaml")
        .expect("rollout template")
        .1;
    assert!(template.contains("postPromotionAnalysis:"));
}

/// A check runs a container as a step (a canary's, after `after_step`
/// steps) or beside the pre-promotion analysis (blue-green); the deploy
/// job waits for its timeout; a bad name or step is reported.
#[test]
fn checks_run_as_steps() {
    let text = format!(
        "{BASE}rollout api_canary {{\n  service = api\n  environments = [production]\n  canary {{\n    step {{ weight = 10%  pause = 1m }}\n    step {{ weight = 100% }}\n  }}\n  check load_test {{\n    image = \"grafana/k6:0.50.0\"\n    args = [\"run\", \"/scripts/load.js\"]\n    after_step = 1\n    timeout = 4m\n  }}\n  check smoke {{ image = \"ghcr.io/acme/smoke\" }}\n}}\n"
    );
    let (model, codes) = rollout_of(&text);
    assert!(codes.is_empty(), "{codes:?}");
    let api = model.service("api").expect("api");
    let v = serde_json::to_value(dvcc::backend::helm::values(&model, api, Some("production"))).expect("JSON");
    assert_eq!(
        v["rollout"]["canary"]["steps"],
        serde_json::json!([
            { "check": "smoke" },
            { "setWeight": 10 }, { "pause": { "duration": "1m" } },
            { "check": "load-test" },
            { "setWeight": 100 }
        ])
    );
    assert_eq!(
        v["rollout"]["checks"][0],
        serde_json::json!({ "name": "load-test", "image": "grafana/k6:0.50.0", "args": ["run", "/scripts/load.js"], "timeoutSeconds": 240 })
    );
    // Two steps, a pause, and each check's timeout (smoke's 10m default).
    assert_eq!(
        dvcc::target::rollout::plan(&model.rollouts[0]).unattended.secs(),
        2 * 60 + 60 + 240 + 600
    );
    let chart: std::collections::BTreeMap<&str, &str> = dvcc::stdlib::CHART_TEMPLATES.iter().copied().collect();
    assert!(chart["templates/analysistemplate.yaml"].contains("job:"));
    assert!(chart["templates/rollout.yaml"].contains("%s-check-%s"));
    // After a step the canary does not have; a blue-green check with a step.
    let (_, codes) = rollout_of(&text.replace("after_step = 1", "after_step = 3"));
    assert_eq!(codes, ["DVC0304"]);
    let blue_green = text.replace(
        "canary {\n    step { weight = 10%  pause = 1m }\n    step { weight = 100% }\n  }",
        "blue_green { }",
    );
    let (model, codes) = rollout_of(&blue_green);
    assert_eq!(codes, ["DVC0304"], "after_step on a blue-green check");
    let v = serde_json::to_value(dvcc::backend::helm::values(
        &model,
        model.service("api").expect("api"),
        Some("production"),
    ))
    .expect("JSON");
    assert_eq!(v["rollout"]["checks"].as_array().map(Vec::len), Some(2));
}
