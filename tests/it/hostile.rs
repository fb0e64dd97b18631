//! Hostile input: huge files and lines, deep nesting, thousands of errors.
//! These assert behaviour (no panic, the right diagnostics, capped output),
//! never timings; speed is measured by `benches/`.

use dvcc::Loaded;
use dvcc::diag::MAX_KEPT;
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
fn past_the_cap_diagnostics_are_counted_not_kept() {
    // 20,000 syntax errors and 15,000 unknown names: the first MAX_KEPT by
    // position are kept, every one is counted, and every format says so.
    let mut text = "@ oops\n".repeat(20_000);
    text.push_str("project p { repo = \"a/b\" }\n");
    for i in 0..15_000 {
        text.push_str(&format!("environment e{i} {{ extends = nowhere{i} }}\n"));
    }
    let loaded = Loaded::from_bytes("errors.dvc", text.into_bytes());
    assert_eq!(loaded.syntax_omitted().errors, 20_000 - MAX_KEPT);
    // The analysis keeps at most MAX_KEPT too, from the first one made.
    let meaning = dvcc::meaning(&loaded, 0);
    assert_eq!(meaning.diagnostics.len(), MAX_KEPT);
    assert_eq!(meaning.omitted.errors, 15_000 - MAX_KEPT);
    let linted = dvcc::driver::lint_projects(&loaded);
    assert_eq!(linted.diagnostics.len(), MAX_KEPT);
    assert!(linted.diagnostics.iter().all(|d| d.code.as_str() == "DVC0101"));
    assert_eq!(linted.counts().errors, 35_000);
    assert_eq!(linted.omitted.errors, 25_000);

    let render = |format| {
        render::render_all(
            &loaded.db,
            &linted.diagnostics,
            &[],
            linted.omitted,
            format,
            HumanStyle::default(),
            100,
        )
    };
    let human = render(Format::Human);
    assert!(
        human.contains("… and 34900 more not shown (34900 errors, 0 warnings); only the first 10000 are kept"),
        "{}",
        &human[human.len().saturating_sub(300)..]
    );
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json)).expect("valid JSON");
    assert_eq!(json["errors"], 35_000);
    assert_eq!(json["omitted"]["errors"], 25_000);
    assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(MAX_KEPT));
    let sarif: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).expect("valid JSON");
    let note = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"];
    assert!(
        note.as_str().is_some_and(|t| t.starts_with("25000 more diagnostics")),
        "{note}"
    );
    assert!(
        render(Format::Github)
            .ends_with("25000 more diagnostics (25000 errors, 0 warnings) were counted but not kept\n")
    );
}

#[test]
fn a_run_of_stray_braces_is_one_problem_and_one_item() {
    for text in ["}".repeat(100_000), "}\n".repeat(100_000), "} } }\n}".to_string()] {
        let (loaded, diags) = syntax_bytes("braces.dvc", text.clone().into_bytes());
        assert_eq!(codes(&diags), ["DVC0105"], "{}", &text[..10]);
        let ast = loaded.ast(loaded.files[0]).expect("parsed");
        assert_eq!(ast.items.len(), 1);
        let out = render::render(&loaded.db, &diags, Format::Human, HumanStyle::default(), 10);
        assert!(out.len() < 5_000, "the report is {} bytes", out.len());
        let n = text.matches('}').count();
        assert!(out.contains(&format!("these {n} `}}` close nothing")), "{out}");
    }
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
