//! The hostile corpus (`tests/cases/hostile/`): the cases with diagnostics
//! are checked by `cases.rs`; the clean ones are built here, and what they
//! generate must be safe: every path inside the output directory, every
//! GitHub expression of a workflow one whose value no outsider chooses (a
//! literal `${{` escaped as GitHub's `${{ '${{' }}`), every header one
//! comment, no YAML line ending in white space. `.ci/validate-hostile` runs the real validators on the same
//! outputs.

use dvcc::check::expr;

use crate::support::{expected_codes, lint_case, rel, root};

/// The clean cases of the corpus and what they generate.
fn clean_outputs() -> Vec<(String, Vec<dvcc::backend::Artifact>)> {
    let mut out = Vec::new();
    let dir = root().join("tests/cases/hostile");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "dvc"))
        .collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path).expect("readable");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if expected_codes(&text).is_some_and(|c| !c.is_empty()) {
            continue;
        }
        let (loaded, diags) = lint_case(&path, bytes);
        assert!(diags.is_empty(), "{}: {diags:#?}", rel(&path));
        let model = dvcc::analyze(&loaded, 0).model;
        let ctx = dvcc::backend::Context::default();
        let (artifacts, _) = dvcc::driver::generate(&model, &[], &ctx);
        out.push((rel(&path), artifacts));
    }
    out
}

#[test]
fn clean_hostile_cases_generate_safe_outputs() {
    let outputs = clean_outputs();
    assert!(outputs.len() >= 2, "{} clean cases", outputs.len());
    let mut escaped = 0;
    for (case, artifacts) in outputs {
        for a in &artifacts {
            assert!(dvcc::emit::stays_inside(&a.path), "{case}: {}", a.path);
            assert!(
                dvcc::emit::is_generated(&a.contents),
                "{case}: {} has no header",
                a.path
            );
            if a.path.ends_with(".yml") || a.path.ends_with(".yaml") {
                let trailing = a.contents.lines().position(|l| l.ends_with([' ', '\t']));
                assert_eq!(trailing, None, "{case}: {} has a line ending in white space", a.path);
            }
            if !a.path.starts_with(".github/workflows/") {
                continue;
            }
            for script in run_scripts(&a.contents) {
                for (start, end, inner) in expr::expressions(&script) {
                    let whole = &script[start..end];
                    if whole == dvcc::target::gha::ESCAPED_OPEN {
                        escaped += 1;
                        continue;
                    }
                    let parsed = expr::parse(inner).unwrap_or_else(|| panic!("{case}: {whole} does not parse"));
                    assert_eq!(
                        expr::taint(&parsed, &expr::Inputs::none()),
                        None,
                        "{case}: {} runs untrusted {whole}",
                        a.path
                    );
                }
            }
        }
    }
    assert!(
        escaped >= 2,
        "the literal `${{{{` of the corpus are escaped ({escaped})"
    );
}

/// The `run:` scripts of a generated workflow, as written (a one-line value
/// or the lines of a block scalar).
fn run_scripts(yaml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lines: Vec<&str> = yaml.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start().trim_start_matches("- ");
        i += 1;
        let Some(value) = trimmed.strip_prefix("run: ") else {
            continue;
        };
        if value.starts_with('|') || value.starts_with('>') {
            let indent = line.len() - line.trim_start().len();
            let mut script = String::new();
            while i < lines.len()
                && (lines[i].trim().is_empty() || lines[i].len() - lines[i].trim_start().len() > indent)
            {
                script.push_str(lines[i]);
                script.push('\n');
                i += 1;
            }
            out.push(script);
        } else {
            out.push(value.to_string());
        }
    }
    out
}

/// Literal `${` and `%{` in raw Terraform stay text; expressions are the
/// explicit ones (see `tests/cases/hostile/raw_terraform_literals.dvc`).
#[test]
fn raw_terraform_literals_stay_text() {
    let outputs = clean_outputs();
    let (_, artifacts) = outputs
        .iter()
        .find(|(case, _)| case.ends_with("raw_terraform_literals.dvc"))
        .expect("the case is in the corpus");
    let tf = artifacts
        .iter()
        .find(|a| a.path.ends_with("main.tf.json"))
        .expect("Terraform is generated");
    let doc: serde_json::Value = serde_json::from_str(&tf.contents).expect("JSON");
    let banner = &doc["resource"]["aws_ssm_parameter"]["banner"];
    assert_eq!(
        banner["value"],
        "$${file(\"/etc/passwd\")} and %%{ if true }yes%%{ endif } and $${path.module}"
    );
    assert_eq!(banner["description"], "bucket ${aws_s3_bucket.assets.id}");
    assert_eq!(
        banner["tier"],
        "${length(aws_s3_bucket.assets.id) > 10 ? \"Advanced\" : \"Standard\"}"
    );
    let password = &doc["resource"]["aws_ssm_parameter"]["password"];
    assert_eq!(
        password["value"],
        "${data.aws_secretsmanager_secret_version.shop_db_password.secret_string}"
    );
    assert_eq!(
        doc["data"]["aws_secretsmanager_secret_version"]["shop_db_password"]["secret_id"],
        "shop/db-password"
    );
}

/// One reading of an image everywhere (see
/// `tests/cases/hostile/pinned_images.dvc`): an image without tag or digest
/// is built to its repository and deployed at the commit's SHA; a pinned one
/// is deployed as written, digest included.
#[test]
fn images_are_read_the_same_way_by_every_output() {
    let outputs = clean_outputs();
    let (_, artifacts) = outputs
        .iter()
        .find(|(case, _)| case.ends_with("pinned_images.dvc"))
        .expect("the case is in the corpus");
    let file = |path: &str| {
        artifacts
            .iter()
            .find(|a| a.path == path)
            .unwrap_or_else(|| panic!("{path}"))
            .contents
            .clone()
    };
    let workflow = file(".github/workflows/release.yml");
    // Each step's text, by its name.
    let step = |name: &str| {
        workflow
            .split("      - ")
            .find(|s| s.starts_with(&format!("name: {name}\n")))
            .unwrap_or_else(|| panic!("step {name}"))
            .to_string()
    };
    // Built from the commit: pushed as REPOSITORY:SHA, deployed at the SHA.
    assert!(
        workflow.contains("tags: ghcr.io/acme/api:${{ github.sha }}\n"),
        "{workflow}"
    );
    assert!(step("Deploy api").contains("IMAGE_TAG: ${{ github.sha }}"));
    assert!(step("Deploy api").contains("--set-string image.tag=\"$IMAGE_TAG\""));
    // Not pinned: the chart's default tag, replaced at deploy time.
    assert!(file("deploy/helm/api/values.yaml").contains("image:\n  repository: ghcr.io/acme/api\n"));
    assert!(!file("deploy/helm/api/values.yaml").contains("tag:"));
    assert!(file("deploy/charts/shop/values.yaml").contains("image:\n  tag: latest\n"));
    // Pinned: deployed as written.
    for svc in ["cache", "proxy"] {
        let text = step(&format!("Deploy {svc}"));
        assert!(!text.contains("IMAGE_TAG") && !text.contains("image.tag"), "{text}");
    }
    assert!(
        file("deploy/helm/cache/values.yaml").contains("  repository: docker.io/library/redis\n  tag: \"7.2.4\"\n")
    );
    assert!(
        file("deploy/helm/proxy/values.yaml")
            .contains("  digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")
    );
    // The chart (the project's, shared) runs the digest when there is one.
    assert!(step("Deploy proxy").contains("CHART: deploy/charts/shop\n"));
    assert!(
        file("deploy/charts/shop/templates/_helpers.tpl")
            .contains(r#"printf "%s@%s" .Values.image.repository .Values.image.digest"#)
    );
}
