//! The alert corpus (`tests/alerts/`): over a hundred real-style alerts in
//! the forms kube-prometheus, node-exporter's mixin and the
//! awesome-prometheus-alerts collections use. Every one lints clean; every
//! one has a test (generated, or written in `.dvc` where DVC0532 says the
//! generator cannot drive it); promtool accepts the rules and passes every
//! test, and the tests fail once the alerts can no longer fire.

use std::path::{Path, PathBuf};

use crate::support::{promtool, promtool_run, root};

const PROJECTS: [&str; 4] = ["node", "kubernetes", "apps", "platform"];

struct Generated {
    name: &'static str,
    /// The rule file, as data.
    rules: serde_json::Value,
    dir: PathBuf,
    alerts: usize,
    tests: Vec<String>,
}

/// Lints a project of the corpus (it must be clean) and writes its rules
/// and tests to a fresh directory.
fn generate(name: &'static str) -> Generated {
    use dvcc::backend::Backend;
    let loaded = dvcc::load_paths(&[root().join("tests/alerts").join(name)]);
    let diags = dvcc::lint(&loaded);
    assert!(
        diags.is_empty(),
        "{name}: {:?}",
        diags
            .iter()
            .map(|d| (d.code.as_str(), d.message.clone()))
            .collect::<Vec<_>>()
    );
    let model = dvcc::analyze(&loaded, 0).model;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("alert-corpus-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let artifacts = dvcc::backend::prometheus::Prometheus.generate(&model, &dvcc::backend::Context::default());
    let mut tests = Vec::new();
    for a in &artifacts {
        let file = a.path.rsplit('/').next().expect("file name");
        std::fs::write(dir.join(file), &a.contents).expect("write");
        if file.ends_with(".rules.test.yml") {
            let file = dvcc::backend::prometheus::promtool::test_file(&model, "r.yml").expect("tests");
            let doc = serde_json::to_value(&file).expect("the tests are data");
            tests = doc["tests"]
                .as_array()
                .expect("tests")
                .iter()
                .map(|t| t["name"].as_str().unwrap_or_default().to_string())
                .collect();
        }
    }
    let rules = serde_json::to_value(dvcc::backend::prometheus::rule_file(&model)).expect("the rules are data");
    Generated {
        name,
        rules,
        dir,
        alerts: model.alerts.len(),
        tests,
    }
}

#[test]
fn every_corpus_alert_is_tested_and_every_test_passes() {
    let projects: Vec<Generated> = PROJECTS.iter().map(|p| generate(p)).collect();
    let alerts: usize = projects.iter().map(|p| p.alerts).sum();
    assert!(alerts >= 100, "the corpus holds {alerts} alerts");
    // Every alert has a test that it fires: generated, or written.
    for p in &projects {
        let loaded = dvcc::load_paths(&[root().join("tests/alerts").join(p.name)]);
        let model = dvcc::analyze(&loaded, 0).model;
        for a in &model.alerts {
            let tested = p.tests.iter().any(|t| {
                t.starts_with(&format!("{} fires when", a.alert_name)) || t.ends_with(&format!("({})", a.alert_name))
            });
            assert!(tested, "{}: alert {} has no test", p.name, a.name);
        }
    }
    if !promtool() {
        assert!(std::env::var_os("CI").is_none(), "CI must install promtool");
        eprintln!("skipped: no promtool");
        return;
    }
    // The projects in parallel: promtool evaluates every rule of a file at
    // every step of every test.
    std::thread::scope(|s| {
        for p in &projects {
            s.spawn(move || {
                let rules = format!("{}.rules.yml", p.name);
                let tests = format!("{}.rules.test.yml", p.name);
                let (ok, out) = promtool_run(&p.dir, &["check", "rules", &rules]);
                assert!(ok, "{}: promtool check rules: {out}", p.name);
                let (ok, out) = promtool_run(&p.dir, &["test", "rules", &tests]);
                assert!(ok, "{}: promtool test rules: {out}", p.name);
                // Alerts that can never fire: every test that they fire fails.
                let path = p.dir.join(&rules);
                let mut doc = p.rules.clone();
                for group in doc["groups"].as_array_mut().expect("groups") {
                    for rule in group["rules"].as_array_mut().expect("rules") {
                        if rule.get("alert").is_some() {
                            let expr = rule["expr"].as_str().expect("expr").to_string();
                            rule["expr"] = serde_json::Value::String(format!("({expr}) and on () vector(0) > 1"));
                        }
                    }
                }
                let broken = dvcc::backend::yaml::to_string(&doc);
                std::fs::write(&path, broken).expect("write");
                let (ok, out) = promtool_run(&p.dir, &["test", "rules", &tests]);
                assert!(!ok, "{}: the tests pass on alerts that never fire", p.name);
                // One failure per test that expects a firing alert.
                let expecting = p.tests.iter().filter(|t| !t.contains(" stays silent ")).count();
                let failed = out.matches("FAILED").count().max(out.matches("expr: ").count());
                assert!(
                    failed >= expecting,
                    "{}: {failed} failures reported for {expecting} tests expecting a firing alert:\n{out}",
                    p.name
                );
            });
        }
    });
}

/// Every alert expression of the corpus, the examples and the test cases.
fn corpus_expressions() -> Vec<String> {
    let mut out = Vec::new();
    for path in crate::support::repo_dvc_files() {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for line in text.lines() {
            let Some(rest) = line.trim_start().strip_prefix("expr") else {
                continue;
            };
            let Some(value) = rest.trim_start().strip_prefix('=') else {
                continue;
            };
            let value = value.trim();
            if let Some(inner) = value.strip_prefix('`').and_then(|v| v.strip_suffix('`')) {
                out.push(inner.to_string());
            } else if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                out.push(inner.replace("\\\"", "\"").replace("\\\\", "\\"));
            }
        }
    }
    out
}

/// dvcc's PromQL parse (once per shape, regex matchers compiled once per
/// pattern) gives exactly what promql-parser gives, tree or error: on every
/// expression of the corpus, on copies with other values and on mutations
/// of them around matchers, strings, comments and the rewritings' marks.
#[test]
fn promql_parses_with_shared_regexes_equal_the_parsers_own() {
    let exprs = corpus_expressions();
    assert!(
        exprs.iter().filter(|e| e.contains("=~")).count() > 20,
        "the corpus has regex matchers"
    );
    let same = |text: &str| {
        assert_eq!(
            dvcc::target::promql::parse(text),
            promql_parser::parser::parse(text),
            "{text:?}"
        );
    };
    const PIECES: &[&str] = &[
        "=~",
        "!~",
        "=",
        "!=",
        "\"",
        "'",
        "`",
        "\\",
        "#",
        "\n",
        "{",
        "}",
        "(",
        ")",
        ",",
        " or ",
        ".*",
        ".+",
        "x{",
        "\u{F8FF}",
        "\"\u{F8FF}~a\"",
        "\u{F8FE}",
        "\"\u{F8FE}0\u{F8FE}\"",
        "[5m]",
        " ",
    ];
    let mut rng = crate::support::Rng(0x3C6E_F372_FE94_F82B);
    for e in &exprs {
        same(e);
        // Copies of its shape: parsed once, values put back.
        for _ in 0..4 {
            same(&renamed_values(e, &mut rng));
        }
        for _ in 0..20 {
            let mut t = e.clone();
            for _ in 0..1 + rng.below(3) {
                let at = dvcc::source::floor_char_boundary(&t, rng.below(t.len() + 1));
                if rng.below(2) == 0 {
                    t.insert_str(at, PIECES[rng.below(PIECES.len())]);
                } else {
                    let end = dvcc::source::floor_char_boundary(&t, at + rng.below(6));
                    t.replace_range(at..end.max(at), "");
                }
            }
            same(&t);
        }
    }
}

/// `text` with the values of its equality matchers replaced, each kept or
/// swapped for one of the others': copies of an expression's shape.
fn renamed_values(text: &str, rng: &mut crate::support::Rng) -> String {
    // PromQL string bodies: a repeated value, strings the witness search
    // makes up, an empty one, ones that need escaping, the placeholders'
    // mark.
    const VALUES: &[&str] = &[
        "api",
        "web",
        "api",
        "dvcc",
        "dvcc-0",
        "dvcc-other",
        "x0",
        "",
        "a\\\"b\\\\c",
        "0.5",
        "+Inf",
        "é",
        "5..",
        "\u{F8FE}0\u{F8FE}",
    ];
    static EQUALITY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"([A-Za-z_][A-Za-z0-9_]*)(\s*)=(\s*)"((?:[^"\\]|\\.)*)""#).expect("compiles")
    });
    EQUALITY
        .replace_all(text, |c: &regex::Captures| {
            let value = if rng.below(3) == 0 {
                &c[4]
            } else {
                VALUES[rng.below(VALUES.len())]
            };
            format!("{}{}={}\"{value}\"", &c[1], &c[2], &c[3])
        })
        .into_owned()
}

/// The witness search shared by expressions of one shape (templated alerts
/// differing in their equality matchers' values) gives what a search of
/// each expression alone gives, witness or reason: on every expression of
/// the corpus and on copies with their values renamed, to each other's,
/// to strings the search itself makes up, to empty ones and to ones that
/// need escaping.
#[test]
fn witnesses_shared_by_shape_equal_each_expressions_own() {
    use dvcc::check::witness::{Timing, find, find_for};
    let timings = [
        Timing::default(),
        Timing {
            for_secs: 300,
            keep_secs: 60,
            min_eval: 0,
        },
    ];
    let mut rng = crate::support::Rng(0x9E37_79B9_7F4A_7C15);
    let mut checked = 0;
    let mut shared = 0;
    // Forms where renaming a value would change the search: a value the
    // search makes up, bucket bounds read as numbers, an order of groups.
    let forms = [
        r#"x{job="dvcc"} > 1 unless on (job) y > 0"#,
        r#"x{job="api"} > 1 and on (job) y{job="dvcc"} > 0"#,
        r#"histogram_quantile(0.9, x_bucket{le="1"} or x_bucket{le="+Inf"}) > 0.5"#,
        r#"topk(1, sum by (job) (x{job="b"} or x{job="a"})) and on (job) y{job="a"}"#,
        r#"bottomk(1, sum by (job) (x{job="a"} or x{job="b"})) and on (job) y{job="b"}"#,
        r#"x{job="api"} > 1 unless x{job=~"a.*"} > 5"#,
        r#"x{job="api"} > 1 unless x{job!="api"} > 5"#,
        r#"label_replace(x{job="api"}, "b", "$1", "job", "(a.*)") and on (b) y{b="api"}"#,
        r#"x{job='a"b'} > 1"#,
    ];
    for e in corpus_expressions().into_iter().chain(forms.map(String::from)) {
        let mut variants = vec![e.clone()];
        for _ in 0..6 {
            variants.push(renamed_values(&e, &mut rng));
        }
        for text in variants {
            let Ok(ast) = promql_parser::parser::parse(&text) else {
                continue;
            };
            let timing = timings[rng.below(timings.len())];
            assert_eq!(find_for(&text, timing), find(&ast, timing), "{text}");
            checked += 1;
            shared += usize::from(dvcc::target::promql::shapes::Shape::of(&text).is_some());
        }
    }
    assert!(
        checked > 500 && shared > 300,
        "{checked} expressions, {shared} with equality matchers"
    );
}
