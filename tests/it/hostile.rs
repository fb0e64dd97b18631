//! Hostile input: huge files and lines, deep nesting, thousands of errors.
//! These assert behaviour (no panic, the right diagnostics, capped output),
//! never timings; speed is measured by `benches/`.

use dvcc::diag::render::{self, Format, HumanStyle};
use dvcc::syntax::scan::MAX_DEPTH;

use crate::support::{codes, syntax_bytes};

#[test]
fn ten_megabyte_file() {
    let block = "service api {\n  image = \"${project.registry}/api\"\n  port = 8080\n  resources { cpu = 500m  memory = 512Mi }\n}\n";
    let text = block.repeat(10 * 1024 * 1024 / block.len() + 1);
    assert!(text.len() >= 10 * 1024 * 1024);
    let (_, diags) = syntax_bytes("big.dvc", text.into_bytes());
    assert!(diags.is_empty());
}

#[test]
fn five_megabyte_line() {
    let text = format!("x = \"{}\"\n", "a".repeat(5 * 1024 * 1024));
    let (_, diags) = syntax_bytes("line.dvc", text.into_bytes());
    assert!(diags.is_empty());
    // An error on such a line is shown without printing the whole line.
    let text = format!("x = \"{}\" @\n", "a".repeat(5 * 1024 * 1024));
    let (loaded, diags) = syntax_bytes("line.dvc", text.into_bytes());
    assert_eq!(codes(&diags), ["DVC0101"]);
    let out = render::render(&loaded.db, &diags, Format::Human, HumanStyle::default(), 10);
    assert!(out.len() < 10_000, "the report is {} bytes", out.len());
    assert!(out.contains("line.dvc:1:"), "{}", &out[..out.len().min(500)]);
}

#[test]
fn twenty_thousand_errors_are_all_reported_and_printing_is_capped() {
    let text = "@ oops\n".repeat(20_000);
    let (loaded, diags) = syntax_bytes("errors.dvc", text.into_bytes());
    assert_eq!(diags.len(), 20_000);
    let human = render::render(&loaded.db, &diags, Format::Human, HumanStyle::default(), 100);
    assert!(human.contains("… and 19900 more not shown (19900 errors, 0 warnings)"));
    let json = render::render(&loaded.db, &diags, Format::Json, HumanStyle::default(), 100);
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(v["errors"], 20_000);
}

#[test]
fn nesting_at_the_limit_parses() {
    let inner = format!("x = {}1{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    let (_, diags) = syntax_bytes("deep.dvc", inner.into_bytes());
    assert!(diags.is_empty(), "{diags:?}");
    let blocks = format!("{}x = 1\n{}", "a {\n".repeat(MAX_DEPTH), "}\n".repeat(MAX_DEPTH));
    let (_, diags) = syntax_bytes("deep.dvc", blocks.into_bytes());
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn nesting_past_the_limit_is_a_diagnostic_not_a_crash() {
    for (open, close) in [("[", "]"), ("a {\n", "}\n"), ("f(", ")")] {
        let text = format!(
            "{}1{}\nservice api {{ port = 1 }}\n",
            open.repeat(100_000),
            close.repeat(100_000)
        );
        let (_, diags) = syntax_bytes("deeper.dvc", text.into_bytes());
        assert_eq!(codes(&diags), ["DVC0107"], "{open}");
    }
    // Unclosed, too: a hundred thousand `{` and nothing else.
    let (_, diags) = syntax_bytes("open.dvc", "a {".repeat(100_000).into_bytes());
    assert!(codes(&diags).contains(&"DVC0107".to_string()));
}
