//! The whole pipeline on arbitrary bytes: the hand-written parser against
//! pest's parser of the grammar, dvcc's PromQL parse (and its test-series
//! search shared by shape) against promql-parser's (and the search on the
//! expression alone), then load (one or more in-memory
//! files, split at `\0file\0` markers so imports between them are
//! exercised), parse, analyse, every renderer, the editor seams, and, when
//! the project has no error, every backend to memory. Nothing may panic,
//! hang or exhaust memory.

#![no_main]

use dvcc::Loaded;
use dvcc::diag::render::{self, Format, HumanStyle};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let files: Vec<(String, Vec<u8>)> = data
        .split(|&b| b == 0xFF)
        .take(4)
        .enumerate()
        .map(|(i, bytes)| (format!("f{i}.dvc"), bytes.to_vec()))
        .collect();
    // The hand-written parser is the grammar's (`grammar/dvc.pest`), and
    // dvcc's PromQL parse (shared regexes and shapes) is promql-parser's,
    // on any text.
    for (_, bytes) in &files {
        if let Ok(text) = std::str::from_utf8(bytes) {
            if let Some(diff) = dvcc::syntax::differs_from_grammar(text) {
                panic!("{diff}");
            }
            let own = promql_parser::parser::parse(text);
            assert_eq!(dvcc::target::promql::parse(text), own, "{text:?}");
            // The test-series search shared by shape is the expression's own.
            if let Ok(e) = &own
                && dvcc::target::promql::shapes::Shape::of(text).is_some()
            {
                let timing = dvcc::check::witness::Timing::default();
                assert_eq!(
                    dvcc::check::witness::find_for(text, timing),
                    dvcc::check::witness::find(e, timing),
                    "{text:?}"
                );
            }
        }
    }
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let loaded = Loaded::from_files(&refs);
    let linted = dvcc::driver::lint_projects(&loaded);
    for format in [Format::Human, Format::Json, Format::Github, Format::Sarif] {
        let _ = render::render_all(
            &loaded.db,
            &linted.diagnostics,
            &linted.allowed,
            linted.omitted,
            format,
            HumanStyle::default(),
            20,
        );
    }
    // The editor seams: positions and the symbol index at a few offsets.
    if let Some(analysis) = linted.projects.first() {
        for &f in &loaded.files {
            let file = loaded.db.get(f);
            for offset in [0, file.text.len() / 2, file.text.len()] {
                let p = file.position(offset);
                let _ = file.offset(p);
                let _ = analysis.index.at(f, offset as u32);
            }
        }
        if linted.counts().errors == 0 {
            let ctx = dvcc::backend::Context::default();
            let _ = dvcc::driver::generate(&analysis.model, &[], &ctx);
        }
    }
});
