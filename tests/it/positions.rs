//! The editor seams of the front end: the position index (byte offsets ↔
//! UTF-16 line/character, as the language server protocol counts) and the
//! lookup of the syntax tree at an offset, on every `.dvc` file of the
//! repository, non-ASCII and CRLF files included.

use dvcc::source::{LineIndex, Origin, Position, SourceDb, addressable};
use dvcc::syntax;

use crate::support::{rel, repo_dvc_files};

/// Every file as dvcc loads it (a BOM removed).
fn files() -> Vec<(String, String)> {
    repo_dvc_files()
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("readable");
            let mut db = SourceDb::new();
            let id = db.add(rel(&p), String::from_utf8_lossy(&bytes).into_owned(), Origin::User);
            (rel(&p), db.text(id).to_string())
        })
        .collect()
}

/// The position of `offset` counted the slow, obvious way: lines end at
/// `\n`, `\r\n` or `\r`; characters are counted in UTF-16 units.
fn naive(text: &str, offset: usize) -> Position {
    let (mut line, mut character) = (0u32, 0u32);
    let mut chars = text[..offset].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                line += 1;
                character = 0;
            }
            c => character += c.len_utf16() as u32,
        }
    }
    Position { line, character }
}

#[test]
fn the_position_index_round_trips_every_offset_of_every_file() {
    let files = files();
    let has = |f: &dyn Fn(&str) -> bool| files.iter().any(|(_, t)| f(t));
    assert!(has(&|t| t.contains("\r\n")), "no CRLF file");
    assert!(
        has(&|t| t.chars().any(|c| c.len_utf16() == 2)),
        "no file with characters beyond the BMP"
    );
    assert!(
        has(&|t| t.chars().any(|c| c.len_utf8() > 1 && c.len_utf16() == 1)),
        "no non-ASCII file"
    );
    let mut checked = 0usize;
    for (name, text) in &files {
        let index = LineIndex::new(text);
        for offset in 0..=text.len() {
            let position = index.position(text, offset);
            let at = addressable(text, offset);
            assert_eq!(position, naive(text, at), "{name}: position of byte {offset}");
            assert_eq!(
                index.offset(text, position),
                at,
                "{name}: byte {offset} did not round-trip"
            );
            checked += 1;
        }
        // Positions an editor may send past a line's end or the last line.
        for line in 0..index.line_count() as u32 + 2 {
            let end = index.offset(
                text,
                Position {
                    line,
                    character: u32::MAX,
                },
            );
            assert!(end <= text.len() && text.is_char_boundary(end), "{name}: line {line}");
        }
    }
    assert!(checked > 40_000, "only {checked} offsets");
}

#[test]
fn the_syntax_tree_is_found_at_every_offset_of_every_file() {
    for (name, text) in files() {
        let parse = syntax::parse_text(dvcc::source::FileId(0), &text);
        let cst = parse.cst.as_ref().expect("parse_text keeps the CST");
        let end = text.len() as u32;
        for offset in 0..=end {
            let Some(token) = cst.token_at(offset) else {
                assert_eq!(end, 0, "{name}: no token at {offset}");
                continue;
            };
            if offset < end {
                assert!(
                    token.start <= offset && offset < token.end,
                    "{name}: {token:?} at {offset}"
                );
            } else {
                assert_eq!(token.end, end, "{name}: the last token at the end");
            }
            let path = cst.path_at(offset);
            assert_eq!(path[0].kind, syntax::cst::Kind::File);
            for node in &path {
                assert!(
                    node.start <= offset && offset <= node.end,
                    "{name}: {:?} at {offset}",
                    node.kind
                );
            }
            // The token is a child of the innermost node of the path.
            let innermost = path.last().expect("the file is on every path");
            assert!(
                innermost
                    .children
                    .iter()
                    .any(|c| matches!(c, syntax::cst::Elem::Token(t) if t == token)),
                "{name}: token at {offset} not under the path's last node"
            );
        }
    }
}
