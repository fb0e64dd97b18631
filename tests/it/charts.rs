//! One chart, many values: the bundled chart is written once per project
//! (`deploy/charts/<project>/`), each service gets only its values, a
//! `chart = own` service gets its own copy, and deploy jobs install the
//! chart each service has. Switching a service between the two rewrites and
//! removes files as a build should.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use dvcc::backend::Backend as _;

/// A project of `n` services deployed to two environments; the services
/// listed in `own` ask for their own chart.
fn project(n: usize, own: &[usize]) -> String {
    let mut s = String::from(
        "project Shop_Front {\n  repo = \"acme/shop\"\n  registry = \"ghcr.io/acme\"\n}\n\
         environment staging { cluster = \"c\"  namespace = \"shop-staging\"  region = \"eu-west-1\" }\n\
         environment production { extends = staging  after = staging  namespace = \"shop\" }\n",
    );
    let mut names = Vec::new();
    for i in 0..n {
        let chart = if own.contains(&i) { "  chart = own\n" } else { "" };
        s.push_str(&format!(
            "service svc{i} {{\n  image = \"${{project.registry}}/svc{i}\"\n  port = 8080\n{chart}}}\n"
        ));
        names.push(format!("svc{i}"));
    }
    let list = names.join(", ");
    s.push_str(&format!(
        "pipeline ci {{\n  on push {{ branches = [\"main\"] }}\n  job test {{ run \"make test\" }}\n  \
         deploy staging {{ needs = [test]  services = [{list}] }}\n  \
         deploy production {{ needs = [staging]  services = [{list}] }}\n}}\n"
    ));
    s
}

/// The generated files of the Helm target, by path.
fn helm_files(src: &str) -> Vec<(String, String)> {
    let loaded = dvcc::Loaded::from_bytes("p.dvc", src.as_bytes().to_vec());
    let analysis = dvcc::analyze(&loaded, 0);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let ctx = dvcc::backend::Context::default();
    dvcc::backend::helm::Helm
        .generate(&analysis.model, &ctx)
        .into_iter()
        .map(|a| (a.path, a.contents))
        .collect()
}

fn under<'a>(files: &'a [(String, String)], dir: &str) -> BTreeSet<&'a str> {
    files
        .iter()
        .filter_map(|(p, _)| p.strip_prefix(dir).and_then(|r| r.strip_prefix('/')))
        .collect()
}

#[test]
fn the_chart_is_written_once_and_each_service_gets_only_its_values() {
    let files = helm_files(&project(3, &[]));
    let chart = under(&files, "deploy/charts/shop-front");
    assert!(
        chart.contains("Chart.yaml") && chart.contains("values.schema.json"),
        "{chart:?}"
    );
    assert!(chart.contains("templates/deployment.yaml") && chart.contains("templates/_helpers.tpl"));
    assert_eq!(
        chart.len(),
        dvcc::stdlib::CHART_TEMPLATES.len() + 3,
        "Chart.yaml, its values, the schema and every template: {chart:?}"
    );
    for i in 0..3 {
        let own = under(&files, &format!("deploy/helm/svc{i}"));
        assert_eq!(
            own,
            BTreeSet::from(["values.yaml", "values-staging.yaml", "values-production.yaml"]),
            "svc{i}"
        );
        let values = &files
            .iter()
            .find(|(p, _)| *p == format!("deploy/helm/svc{i}/values.yaml"))
            .expect("values")
            .1;
        // The values name the application, so the shared chart labels and
        // selects its pods as `svc<i>` (as a chart named after it did).
        assert!(values.contains(&format!("\nname: svc{i}\n")), "{values}");
    }
    let meta = &files
        .iter()
        .find(|(p, _)| p == "deploy/charts/shop-front/Chart.yaml")
        .expect("Chart.yaml")
        .1;
    assert!(meta.contains("\nname: shop-front\n"), "{meta}");
    // The chart's values are the defaults; a service's only what it changes.
    let text = |path: &str| &files.iter().find(|(p, _)| p == path).expect(path).1;
    let defaults = text("deploy/charts/shop-front/values.yaml");
    assert!(
        defaults.contains("\nreplicaCount: 1\n") && defaults.contains("runAsUser: 10001"),
        "{defaults}"
    );
    let own = text("deploy/helm/svc0/values.yaml");
    assert!(!own.contains("runAsUser") && !own.contains("pullPolicy"), "{own}");
}

#[test]
fn output_grows_with_services_by_their_values_only() {
    let one = helm_files(&project(1, &[]));
    let fifty = helm_files(&project(50, &[]));
    let bytes = |f: &[(String, String)]| f.iter().map(|(_, c)| c.len()).sum::<usize>();
    let values = |f: &[(String, String)]| {
        f.iter()
            .filter(|(p, _)| p.starts_with("deploy/helm/"))
            .map(|(_, c)| c.len())
            .sum::<usize>()
    };
    // Whatever the number of services, the chart costs the same bytes.
    assert_eq!(bytes(&one) - values(&one), bytes(&fifty) - values(&fifty));
    assert_eq!(
        fifty.len() - one.len(),
        49 * 3,
        "three values files per further service"
    );
}

#[test]
fn a_service_with_its_own_chart_gets_a_copy_named_after_it() {
    let files = helm_files(&project(3, &[1]));
    let own = under(&files, "deploy/helm/svc1");
    assert!(
        own.contains("Chart.yaml") && own.contains("templates/rollout.yaml"),
        "{own:?}"
    );
    assert!(own.contains("values.yaml") && own.contains("values-production.yaml"));
    let text = |path: &str| &files.iter().find(|(p, _)| p == path).expect(path).1;
    assert!(text("deploy/helm/svc1/Chart.yaml").contains("\nname: svc1\n"));
    // The templates are the shared chart's, byte for byte.
    assert_eq!(
        text("deploy/helm/svc1/templates/_helpers.tpl"),
        text("deploy/charts/shop-front/templates/_helpers.tpl")
    );
    // The others still share the project's chart.
    assert!(!under(&files, "deploy/helm/svc0").contains("Chart.yaml"));
    // Every service has its own chart: no shared one is written.
    let all_own = helm_files(&project(2, &[0, 1]));
    assert!(under(&all_own, "deploy/charts/shop-front").is_empty());
}

fn dvcc(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .args(args)
        .arg(dir)
        .output()
        .expect("dvcc runs")
}

#[test]
fn deploy_jobs_install_the_chart_each_service_has_and_switching_cleans_up() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("charts-switch");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("main.dvc"), project(2, &[1])).expect("write");
    let out = dvcc(&dir, &["build"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let workflow = std::fs::read_to_string(dir.join(".github/workflows/ci.yml")).expect("workflow");
    let chart_of = |svc: &str| {
        let step = workflow
            .split("      - ")
            .find(|s| s.starts_with(&format!("name: Deploy {svc}\n")))
            .unwrap_or_else(|| panic!("Deploy {svc}: {workflow}"));
        step.lines()
            .find_map(|l| l.trim().strip_prefix("CHART: "))
            .expect("CHART")
            .to_string()
    };
    assert_eq!(chart_of("svc0"), "deploy/charts/shop-front");
    assert_eq!(chart_of("svc1"), "deploy/helm/svc1");
    assert!(dir.join("deploy/helm/svc1/templates/deployment.yaml").exists());

    // svc1 goes back to the shared chart: its copy is removed, its values stay.
    std::fs::write(dir.join("main.dvc"), project(2, &[])).expect("write");
    let check = dvcc(&dir, &["build", "--check"]);
    assert!(!check.status.success(), "the committed files are stale now");
    let out = dvcc(&dir, &["build"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!dir.join("deploy/helm/svc1/templates").exists());
    assert!(!dir.join("deploy/helm/svc1/Chart.yaml").exists());
    assert!(dir.join("deploy/helm/svc1/values.yaml").exists());
    let workflow = std::fs::read_to_string(dir.join(".github/workflows/ci.yml")).expect("workflow");
    assert!(!workflow.contains("CHART: deploy/helm/"), "{workflow}");
    assert!(dvcc(&dir, &["build", "--check"]).status.success());
}

/// The steps of the `staging` deploy job of `src`'s `ci` workflow: name,
/// and the step's text.
fn staging_steps(src: &str) -> Vec<(String, String)> {
    let loaded = dvcc::Loaded::from_bytes("p.dvc", src.as_bytes().to_vec());
    let analysis = dvcc::analyze(&loaded, 0);
    assert!(analysis.diagnostics.is_empty(), "{:?}", analysis.diagnostics);
    let ctx = dvcc::backend::Context::default();
    let files = dvcc::backend::gha::GithubActions.generate(&analysis.model, &ctx);
    let workflow = &files
        .iter()
        .find(|a| a.path.ends_with("ci.yml"))
        .expect("ci.yml")
        .contents;
    let job = workflow.split("\n  staging:\n").nth(1).expect("the staging job");
    let job = job.split("\n  production:\n").next().expect("its end");
    job.split("\n      - ")
        .skip(1)
        .filter_map(|s| {
            let name = s.strip_prefix("name: ")?.lines().next()?.to_string();
            Some((name, s.to_string()))
        })
        .collect()
}

#[test]
fn many_services_in_a_row_are_deployed_by_one_step() {
    // 20 services; svc10 has its own chart: a run of 10, one alone, a
    // run of 9 (each run shares a chart).
    let steps = staging_steps(&project(20, &[10]));
    let names: Vec<&str> = steps.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names[names.len() - 3..],
        [
            "Deploy 10 services (svc0 to svc9)",
            "Deploy svc10",
            "Deploy 9 services (svc11 to svc19)"
        ],
        "{names:?}"
    );
    let (_, many) = &steps[steps.len() - 3];
    for want in [
        "SERVICES: svc0 svc1 svc2 svc3 svc4 svc5 svc6 svc7 svc8 svc9\n",
        "CHART: deploy/charts/shop-front\n",
        "ENVIRONMENT: staging\n",
        "for service in $SERVICES; do\n",
        "echo \"::group::Deploy $service\"\n",
        "helm upgrade --install \"$service\" \"$CHART\"",
        "--values \"deploy/helm/$service/values.yaml\" --values \"deploy/helm/$service/values-$ENVIRONMENT.yaml\"",
        "--set-string image.tag=\"$IMAGE_TAG\"",
    ] {
        assert!(many.contains(want), "{want}: {many}");
    }
    // A few services: a step each, as a reviewer reads them best.
    let steps = staging_steps(&project(7, &[]));
    let deploys = steps.iter().filter(|(n, _)| n.starts_with("Deploy ")).count();
    assert_eq!(deploys, 7);
}
