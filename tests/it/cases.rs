//! Case files under `tests/cases/`: each starts with `# expect: CODES` (or
//! `none`); the runner checks the codes exactly, then snapshots the source,
//! the human report and the JSON report under `snapshots/diagnostics/`.

use dvcc::diag::Code;

use crate::support::{codes, codes_in_cases, expected_codes, lint_bytes, lint_case, rel, report, syntax_bytes};

#[test]
fn case_files() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/diagnostics");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        insta::glob!("../cases", "**/*.dvc", |path| {
            let bytes = std::fs::read(path).expect("case files are readable");
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let expected = expected_codes(&text).unwrap_or_else(|| panic!("{} lacks `# expect:`", rel(path)));
            let (loaded, diags) = lint_case(path, bytes);
            assert_eq!(codes(&diags), expected, "{}: codes differ", rel(path));
            insta::assert_snapshot!("case", report(&text, &loaded.db, &diags));
        });
    });
}

/// Every code of the registry is triggered by some test: syntax codes by a
/// case file, I/O codes by `io.rs`.
#[test]
fn every_code_is_triggered() {
    let mut seen = codes_in_cases();
    seen.extend(crate::io::codes_triggered());
    seen.extend(crate::build::codes_triggered());
    seen.extend(crate::handbook::codes_triggered());
    for code in Code::ALL {
        assert!(seen.contains(code), "no test triggers {code}");
    }
}

/// The example of each explain page, when it is `.dvc` text, triggers
/// exactly its own code.
#[test]
fn explain_examples_trigger_their_code() {
    for code in Code::ALL {
        let doc = code.doc();
        let fence = format!("```dvc {}\n", code.as_str());
        let Some(start) = doc.find(&fence) else {
            assert!(doc.contains("```console"), "{code}: no ```dvc {code} example");
            continue;
        };
        let body = &doc[start + fence.len()..];
        let example = &body[..body.find("```").expect("the example block is closed")];
        let bytes = example.as_bytes().to_vec();
        let (_, diags) = if code.as_str().starts_with("DVC01") {
            syntax_bytes("example.dvc", bytes)
        } else {
            lint_bytes("example.dvc", bytes)
        };
        let got: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert!(
            !got.is_empty() && got.iter().all(|c| c == code),
            "{code}: the example gives {got:?}"
        );
    }
}

/// A cycle's report labels every member, whatever its length.
#[test]
fn a_cycle_labels_every_member() {
    for n in [2usize, 3, 5] {
        let mut src = String::from("project p { repo = \"a/b\" }\n");
        for i in 0..n {
            src.push_str(&format!(
                "environment e{i} {{ extends = e{}  cluster = \"c\" }}\n",
                (i + 1) % n
            ));
        }
        let (_, diags) = lint_bytes("cycle.dvc", src.into_bytes());
        assert_eq!(codes(&diags), ["DVC0401"], "{n}");
        let d = &diags[0];
        assert_eq!(1 + d.secondary.len(), n, "every edge of a {n}-cycle is labelled");
        for i in 0..n {
            assert!(d.message.contains(&format!("`e{i}`")), "{}", d.message);
        }
    }
}
