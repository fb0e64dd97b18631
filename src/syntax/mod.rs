//! The front end: text → lossless CST → typed AST, with diagnostics.
//!
//! ```text
//!  text ──scan──▶ chunks ──pest (per chunk)──▶ pairs ──cst──▶ CST ──lower──▶ AST
//!                  │ depth guard, unclosed-comment check            │ string cooking,
//!                  ▼                                                 ▼ comment attachment
//!               DVC0107, DVC0110                                  DVC01xx
//! ```
//!
//! **Invariant:** parsing never fails. Every input gives a tree, and every
//! problem is a diagnostic; callers decide what is fatal.

pub mod ast;
pub mod cst;
mod errors;
mod lower;
pub mod parser;
pub mod scan;

use pest::Parser;

use crate::diag::{Code, Diagnostic, Label};
use crate::source::{FileId, SourceDb, Span};
use cst::{Elem, Kind, Node, Token};
use parser::{DvcParser, Rule};

pub use lower::is_ident;

/// The result of parsing one file.
#[derive(Clone, Debug)]
pub struct Parse {
    pub cst: Node,
    pub ast: ast::File,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one file of `db`.
pub fn parse(db: &SourceDb, file: FileId) -> Parse {
    parse_text(file, db.text(file))
}

/// Parses `text`, giving spans in `file`.
pub fn parse_text(file: FileId, text: &str) -> Parse {
    let scanned = scan::scan(text);
    let mut diagnostics = Vec::new();
    if let Some(at) = scanned.unterminated_comment {
        diagnostics.push(
            Diagnostic::new(
                Code::UnterminatedComment,
                "this `/*` comment is never closed",
                Label::new(
                    Span::new(file, at, at + 2),
                    "the comment starts here and runs to the end of the file",
                ),
            )
            .with_help("add `*/` where the comment should end, or use `#` comments"),
        );
    }
    let mut children: Vec<Elem> = Vec::new();
    for chunk in &scanned.chunks {
        let piece = &text[chunk.start..chunk.end];
        if let Some(at) = chunk.too_deep {
            diagnostics.push(
                Diagnostic::new(
                    Code::NestingTooDeep,
                    format!("nesting deeper than {} levels", scan::MAX_DEPTH),
                    Label::new(
                        Span::new(file, at, at + 1),
                        format!("level {} opens here", scan::MAX_DEPTH + 1),
                    ),
                )
                .with_help("flatten the structure; this top-level item was skipped"),
            );
            children.push(unparsed(chunk.start, chunk.end));
            continue;
        }
        match DvcParser::parse(Rule::chunk, piece) {
            Ok(mut pairs) => {
                if let Some(pair) = pairs.next() {
                    cst::push_chunk(pair, piece, chunk.start, &mut children);
                }
            }
            Err(e) => {
                // The grammar accepts every input, so only a resource limit
                // (pest's stack guard) gets here.
                diagnostics.push(
                    Diagnostic::new(
                        Code::NestingTooDeep,
                        "this item is too complex to parse",
                        Label::new(
                            Span::new(file, chunk.start, chunk.end),
                            e.variant.message().into_owned(),
                        ),
                    )
                    .with_help("flatten the structure; this top-level item was skipped"),
                );
                children.push(unparsed(chunk.start, chunk.end));
            }
        }
    }
    let cst = Node {
        kind: Kind::File,
        start: 0,
        end: u32::try_from(text.len()).unwrap_or(u32::MAX),
        children,
    };
    let mut lower = lower::Lower::new(file, text);
    lower.swallowed_to_eof = scanned.unterminated_comment.is_some();
    let ast = lower.file(&cst);
    diagnostics.extend(lower.diags);
    Parse { cst, ast, diagnostics }
}

fn unparsed(start: usize, end: usize) -> Elem {
    let (start, end) = (
        u32::try_from(start).unwrap_or(u32::MAX),
        u32::try_from(end).unwrap_or(u32::MAX),
    );
    Elem::Node(Node {
        kind: Kind::Unparsed,
        start,
        end,
        children: vec![Elem::Token(Token {
            kind: Kind::ErrorItem,
            start,
            end,
        })],
    })
}
