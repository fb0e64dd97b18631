//! Measures error recovery on the corpus: every top-level block of every
//! clean repository file is broken in turn (and all at once), and the
//! diagnostics must name exactly the injected mistakes, each inside its own
//! block. Prints the measured rate; requires 100%.

use dvcc::source::FileId;
use dvcc::syntax::ast::Item;
use dvcc::syntax::{self, scan};

use crate::support::{expected_codes, rel, repo_dvc_files};

/// The ways a block is broken, and the code each must produce.
const BREAKS: &[(&str, &str)] = &[
    ("a stray token on the first body line", "DVC0101"),
    ("a YAML-style attribute", "DVC0109"),
    ("a missing value", "DVC0106"),
    ("an unterminated string", "DVC0103"),
    ("a missing closing brace", "DVC0102"),
];

/// Top-level blocks with bodies: (start, `{` offset, closing `}` offset).
fn blocks(text: &str) -> Vec<(usize, usize, usize)> {
    let parse = syntax::parse_text(FileId(0), text);
    parse
        .ast
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Block(b) => {
                let body = b.body.as_ref()?;
                Some((
                    b.span.start as usize,
                    body.open.start as usize,
                    body.close?.start as usize,
                ))
            }
            _ => None,
        })
        .collect()
}

/// Breaks the block; `None` when the block has no room for that mistake.
fn inject(text: &str, block: (usize, usize, usize), how: usize) -> Option<String> {
    let (_, open, close) = block;
    let mut s = text.to_string();
    let first_line = text[open..].find('\n').map(|p| open + p + 1).filter(|&p| p < close)?;
    match how {
        0 => s.insert_str(first_line, "  @@\n"),
        1 => s.insert_str(first_line, "  broken: 1\n"),
        2 => s.insert_str(first_line, "  broken =\n"),
        3 => s.insert_str(first_line, "  broken = \"unterminated\n"),
        _ => {
            // Only when the block's `}` stands alone in column 0, as written.
            if !text[..close].ends_with('\n') || text.as_bytes().get(close + 1) != Some(&b'\n') {
                return None;
            }
            s.replace_range(close..close + 1, "");
        }
    }
    Some(s)
}

fn clean_files() -> Vec<(String, String)> {
    repo_dvc_files()
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            let clean = expected_codes(&text).is_none_or(|c| c.is_empty());
            (clean && scan::scan(&text).unterminated_comment.is_none()).then(|| (rel(&p), text))
        })
        .collect()
}

#[test]
fn each_broken_block_costs_only_itself() {
    let (mut tried, mut exact) = (0, 0);
    let mut failures = Vec::new();
    for (name, text) in clean_files() {
        for block in blocks(&text) {
            for (how, (what, code)) in BREAKS.iter().enumerate() {
                let Some(broken) = inject(&text, block, how) else {
                    continue;
                };
                tried += 1;
                let parse = syntax::parse_text(FileId(0), &broken);
                let codes: Vec<&str> = parse.diagnostics.iter().map(|d| d.code.as_str()).collect();
                if codes == [*code] {
                    exact += 1;
                } else {
                    failures.push(format!("{name} block at {}: {what} gave {codes:?}", block.0));
                }
            }
        }
    }
    eprintln!("recovery: {exact}/{tried} single injected mistakes reported exactly");
    assert!(tried >= 50, "too few injections ({tried}) to measure anything");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_block_broken_at_once_gives_one_report_per_block() {
    for (name, text) in clean_files() {
        let spans = blocks(&text);
        if spans.len() < 2 {
            continue;
        }
        // Break blocks from the end, so earlier offsets stay valid; rotate
        // through the kinds of mistake that stay inside a block.
        let mut broken = text.clone();
        let mut expected = Vec::new();
        for (i, block) in spans.iter().enumerate().rev() {
            let how = i % 4;
            if let Some(s) = inject(&broken, *block, how) {
                broken = s;
                expected.push(BREAKS[how].1);
            }
        }
        let parse = syntax::parse_text(FileId(0), &broken);
        let mut got: Vec<&str> = parse.diagnostics.iter().map(|d| d.code.as_str()).collect();
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{name}");
    }
}
