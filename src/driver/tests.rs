//! The driver's tests: what runs on several cores gives what one core
//! gives, and the stdlib's shared parses.

use super::*;
use crate::testing::dvc_files;

/// Everything an analysis gives, written out to be compared.
fn analysed(files: &[(&str, Vec<u8>)]) -> String {
    let loaded = Loaded::from_files(files);
    let a = analyze(&loaded, 0);
    // (The model's lookup tables are hash maps, so it is compared as
    // the data it serializes to.)
    let model = serde_json::to_string(&a.model).expect("a model serializes");
    format!("{:?}\n{:?}\n{model}\n{:?}", a.diagnostics, a.omitted, a.index)
}

/// What runs on several cores gives what one core gives.
fn same_on_one_core(files: &[(&str, Vec<u8>)]) {
    let many = analysed(files);
    let one = crate::par::sequentially(|| analysed(files));
    if many != one {
        let at = many.bytes().zip(one.bytes()).take_while(|(a, b)| a == b).count();
        let from = at.saturating_sub(300);
        panic!(
            "{} differs on one core:\n{}\n---\n{}",
            files[0].0,
            &many[from..(at + 300).min(many.len())],
            &one[from..(at + 300).min(one.len())]
        );
    }
}

#[test]
fn every_case_and_example_is_analysed_alike_on_one_core() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    dvc_files(&root.join("tests/cases"), &mut paths);
    dvc_files(&root.join("examples"), &mut paths);
    assert!(paths.len() > 100, "{} files", paths.len());
    for p in paths {
        let name = p.to_string_lossy().into_owned();
        same_on_one_core(&[(name.as_str(), std::fs::read(&p).expect("readable"))]);
    }
}

#[test]
fn the_stdlib_is_parsed_once_per_process_as_a_fresh_parse_would() {
    let first = Loaded::from_bytes("a.dvc", b"project a { repo = \"acme/a\" }".to_vec());
    let second = Loaded::from_bytes("b.dvc", Vec::new());
    assert_eq!(first.stdlib.len(), crate::stdlib::MODULES.len());
    for &f in &first.stdlib {
        let (a, b) = (&first.parses[&f], &second.parses[&f]);
        assert!(Arc::ptr_eq(a, b), "parsed again");
        let fresh = syntax::parse(&first.db, f);
        assert_eq!(format!("{:?}", a.ast), format!("{:?}", fresh.ast));
        assert_eq!(format!("{:?}", a.diagnostics), format!("{:?}", fresh.diagnostics));
    }
}

const PROJECT: &str = "project shop { repo = \"acme/shop\" }\n";

/// `count` pipelines, each with a job using template `t`.
fn pipelines_using(template: &str, count: usize) -> String {
    let mut src = format!("{PROJECT}{template}\n");
    for i in 0..count {
        src += &format!("pipeline p{i} {{\n  on push {{ branches = [\"main\"] }}\n  job j {{ uses t }}\n}}\n");
    }
    src
}

#[test]
fn a_template_mistake_is_reported_once_however_the_work_is_split() {
    // Once where it is written (a template of the user's), or once at
    // the first `uses` (the stdlib's, which reads a registry the
    // project does not set).
    let service = "service api {\n  image = \"acme/api\"\n}\n";
    for template in [
        "template t {\n  run \"echo ${nothing}\"\n}",
        "template t {\n  uses docker_build { service = api }\n}",
    ] {
        let src = pipelines_using(&format!("{service}{template}"), 40);
        same_on_one_core(&[("m.dvc", src.clone().into_bytes())]);
        let loaded = Loaded::from_bytes("m.dvc", src.into_bytes());
        let undefined = analyze(&loaded, 0)
            .diagnostics
            .iter()
            .filter(|d| d.code == crate::diag::Code::UndefinedName)
            .count();
        assert_eq!(undefined, 1, "{template}");
    }
}

#[test]
fn the_project_template_budget_runs_out_where_it_does_on_one_core() {
    // Each `uses t` expands to 4^6 + ... steps: 25 jobs spend more than
    // the project's budget.
    let mut templates = String::from("template t0 {\n  run \"make\"\n}\n");
    for level in 1..=6 {
        let below = level - 1;
        templates +=
            &format!("template t{level} {{\n  uses t{below}\n  uses t{below}\n  uses t{below}\n  uses t{below}\n}}\n");
    }
    templates += "template t {\n  uses t6\n  uses t6\n}\n";
    let src = pipelines_using(&templates, 25);
    same_on_one_core(&[("m.dvc", src.clone().into_bytes())]);
    let loaded = Loaded::from_bytes("m.dvc", src.into_bytes());
    let codes: Vec<_> = analyze(&loaded, 0).diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&crate::diag::Code::TemplateTooLarge), "{codes:?}");
}

#[test]
fn diagnostics_past_the_cap_are_the_same_on_one_core() {
    // More mistakes than are kept, in each half of the declarations,
    // and at the end of each half a stdlib template's mistake that only
    // the first half's is reported.
    let mut src = format!("{PROJECT}service api {{\n  image = \"acme/api\"\n}}\n");
    let interpolations: String = (0..10).map(|k| format!("${{nothing{k}}}")).collect();
    for half in 0..2 {
        for i in 0..diag::MAX_KEPT / 8 {
            src += &format!(
                "alert a{half}x{i} {{\n  expr = `up == 0`\n  severity = critical\n  team = \"{interpolations}\"\n}}\n"
            );
        }
        for i in 0..20 {
            src += &format!(
                "pipeline p{half}x{i} {{\n  on push {{ branches = [\"main\"] }}\n  job j {{ uses docker_build {{ service = api }} }}\n}}\n"
            );
        }
    }
    same_on_one_core(&[("m.dvc", src.into_bytes())]);
}
