//! The tree is lossless: over every `.dvc` file of the repository, the CST
//! prints back to the exact text, its tokens tile the file, and every comment
//! is attached to exactly one AST node.

use dvcc::source::{FileId, SourceDb};
use dvcc::syntax::ast::*;
use dvcc::syntax::cst::Kind;
use dvcc::syntax::{self, Parse};

use crate::support::{rel, repo_dvc_files};

/// Checks the lossless-tree invariants of one text; used by the property
/// tests too.
pub fn check_lossless(text: &str, what: &str) -> Parse {
    let parse = syntax::parse_text(FileId(0), text);
    assert_eq!(
        parse.cst.as_ref().expect("parse_text keeps the CST").print(text),
        text,
        "{what}: the CST does not print back"
    );
    let tokens = parse.cst.as_ref().expect("parse_text keeps the CST").tokens();
    let mut at = 0;
    for t in &tokens {
        assert_eq!(t.start, at, "{what}: tokens must tile the text");
        assert!(t.end >= t.start);
        at = t.end;
    }
    assert_eq!(at as usize, text.len(), "{what}: tokens must cover the text");
    let mut in_tree = Vec::new();
    collect_comments(&parse.ast, &mut in_tree);
    in_tree.sort();
    let in_cst: Vec<(u32, u32)> = tokens
        .iter()
        .filter(|t| t.kind == Kind::Comment)
        .map(|t| (t.start, t.end))
        .collect();
    // A repaired error item (a `{` on the next line, a missing `=`) is
    // parsed again, and the comments inside it come from that parse: those
    // are the only ones the AST may hold beyond the CST's.
    let in_repairs: Vec<(u32, u32)> = in_tree
        .iter()
        .copied()
        .filter(|&(s, e)| {
            tokens
                .iter()
                .any(|t| t.kind == Kind::ErrorItem && t.start <= s && e <= t.end)
        })
        .collect();
    let mut expected = in_cst;
    expected.extend(&in_repairs);
    expected.sort();
    assert_eq!(in_tree, expected, "{what}: every comment is attached exactly once");
    for d in &parse.diagnostics {
        for l in std::iter::once(&d.primary).chain(&d.secondary) {
            assert!(l.span.end as usize <= text.len(), "{what}: span past the end");
            assert!(text.is_char_boundary(l.span.start as usize) && text.is_char_boundary(l.span.end as usize));
        }
    }
    parse
}

fn collect_comments(file: &File, out: &mut Vec<(u32, u32)>) {
    items(&file.items, out);
    out.extend(file.dangling.iter().map(|c| (c.span.start, c.span.end)));
}

fn items(list: &[Item], out: &mut Vec<(u32, u32)>) {
    for item in list {
        let c = item.comments();
        out.extend(
            c.leading
                .iter()
                .chain(c.trailing.iter())
                .chain(c.inner.iter())
                .map(|c| (c.span.start, c.span.end)),
        );
        if let Item::Block(b) = item
            && let Some(body) = &b.body
        {
            items(&body.items, out);
            out.extend(body.dangling.iter().map(|c| (c.span.start, c.span.end)));
        }
    }
}

#[test]
fn every_repository_file_round_trips() {
    let files = repo_dvc_files();
    assert!(
        files.len() >= 20,
        "expected the examples and cases, found {}",
        files.len()
    );
    for path in files {
        let bytes = std::fs::read(&path).expect("readable");
        let Ok(text) = String::from_utf8(bytes) else { continue };
        check_lossless(&text, &rel(&path));
    }
}

#[test]
fn comments_attach_to_the_items_they_describe() {
    let text = "# about api\nservice api { # header\n  # about port\n  port = 8080 # trailing\n  # dangling in body\n}\n# dangling at end\n";
    let parse = check_lossless(text, "inline");
    let Item::Block(api) = &parse.ast.items[0] else {
        panic!("a block")
    };
    let slice = |c: &Comment| &text[c.span.range()];
    assert_eq!(slice(&api.comments.leading[0]), "# about api");
    let body = api.body.as_ref().expect("a body");
    let port = &body.items[0];
    assert_eq!(slice(&port.comments().leading[1]), "# about port");
    assert_eq!(slice(&port.comments().leading[0]), "# header");
    assert_eq!(
        slice(port.comments().trailing.as_ref().expect("trailing")),
        "# trailing"
    );
    assert_eq!(slice(&body.dangling[0]), "# dangling in body");
    assert_eq!(slice(&parse.ast.dangling[0]), "# dangling at end");
}

/// A readable dump of the AST (no spans but the ones that matter).
fn dump(text: &str, file: &File) -> String {
    let mut out = String::new();
    for item in &file.items {
        dump_item(text, item, 0, &mut out);
    }
    out
}

fn dump_item(text: &str, item: &Item, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match item {
        Item::Block(b) => {
            let labels: Vec<String> = b
                .labels
                .iter()
                .map(|l| match l {
                    BlockLabel::Ident(i) => i.name.clone(),
                    BlockLabel::Str(s) => value(&Value {
                        kind: ValueKind::Str(s.clone()),
                        span: s.span,
                    }),
                })
                .collect();
            out.push_str(&format!("{pad}block {} {}\n", b.kind.name, labels.join(" ")));
            if let Some(body) = &b.body {
                for i in &body.items {
                    dump_item(text, i, depth + 1, out);
                }
            }
        }
        Item::Attribute(a) => out.push_str(&format!("{pad}{} = {}\n", a.name.name, value(&a.value))),
        Item::Import(i) => out.push_str(&format!(
            "{pad}import {:?}\n",
            i.path.as_ref().and_then(|p| p.as_plain())
        )),
        Item::Error(e) => out.push_str(&format!("{pad}error {:?}\n", &text[e.span.range()])),
    }
}

fn value(v: &Value) -> String {
    match &v.kind {
        ValueKind::Str(s) => {
            let parts: Vec<String> = s
                .parts
                .iter()
                .map(|p| match p {
                    StrPart::Text { text, .. } => format!("{text:?}"),
                    StrPart::Interp { path, .. } => format!("${{{}}}", path.dotted()),
                    StrPart::Gha { text, .. } => format!("gha({text})"),
                })
                .collect();
            format!("{:?}[{}]", s.style, parts.join(" + "))
        }
        ValueKind::Number { value, .. } => format!("number {value}"),
        ValueKind::Bool(b) => format!("bool {b}"),
        ValueKind::Unit { value, unit, .. } => format!("unit {value} {unit}"),
        ValueKind::Range(a, b) => format!("range {}..{}", value_inner(a), value_inner(b)),
        ValueKind::List(items) => format!("[{}]", items.iter().map(value).collect::<Vec<_>>().join(", ")),
        ValueKind::Ref(p) => format!("ref {}", p.dotted()),
        ValueKind::Call { name, args } => {
            format!(
                "call {}({})",
                name.name,
                args.iter().map(value).collect::<Vec<_>>().join(", ")
            )
        }
        ValueKind::Error => "<error>".to_string(),
    }
}

fn value_inner(v: &Value) -> String {
    value(v)
}

#[test]
fn ast_of_every_form() {
    let path = crate::support::root().join("tests/cases/syntax/every_form.dvc");
    let text = std::fs::read_to_string(path).expect("readable");
    let mut db = SourceDb::new();
    let id = db.add("every_form.dvc", text.clone(), dvcc::source::Origin::User);
    let parse = syntax::parse(&db, id);
    assert!(parse.cst.is_none(), "the driver's parse keeps no CST");
    assert!(parse.diagnostics.is_empty(), "{:?}", parse.diagnostics);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/syntax");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("ast_every_form", dump(&text, &parse.ast)));
}

#[test]
fn interpolation_segments_have_their_own_spans() {
    let text = "x = \"a ${project.registry} b\"";
    let parse = check_lossless(text, "interp");
    let Item::Attribute(a) = &parse.ast.items[0] else {
        panic!("an attribute")
    };
    let ValueKind::Str(s) = &a.value.kind else {
        panic!("a string")
    };
    let StrPart::Interp { path, span } = &s.parts[1] else {
        panic!("an interpolation")
    };
    assert_eq!(&text[span.range()], "${project.registry}");
    assert_eq!(&text[path.span.range()], "project.registry");
    assert_eq!(&text[path.segments[1].span.range()], "registry");
}

#[test]
fn block_strings_lose_common_indentation() {
    let text = "run = \"\"\"\n    a\n      b\n\n    c ${x}\n  \"\"\"\n";
    let parse = check_lossless(text, "dedent");
    let Item::Attribute(a) = &parse.ast.items[0] else {
        panic!("an attribute")
    };
    assert_eq!(value(&a.value), "Block[\"a\\n  b\\n\\nc \" + ${x} + \"\\n\"]");
    // Text right after the opening quotes is kept, and no final newline is
    // added when the closing quotes end the last line.
    let parse = check_lossless("run = \"\"\"one\n  two\"\"\"", "inline");
    let Item::Attribute(a) = &parse.ast.items[0] else {
        panic!("an attribute")
    };
    assert_eq!(value(&a.value), "Block[\"one\\n  two\"]");
}
