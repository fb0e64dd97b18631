//! The front end: text → lossless CST → typed AST, with diagnostics.
//!
//! ```text
//!  text ──scan──▶ chunks ──descent (per chunk)──▶ CST ──lower──▶ AST
//!                  │ depth guard, unclosed-comment check            │ string cooking,
//!                  ▼                                                 ▼ comment attachment
//!               DVC0107, DVC0110                                  DVC01xx
//! ```
//!
//! **Invariant:** parsing never fails. Every input gives a tree, and every
//! problem is a diagnostic; callers decide what is fatal.

pub mod ast;
pub mod cst;
mod descent;
mod errors;
mod lower;
pub mod parser;
mod relocate;
pub mod scan;
pub mod suppress;

use pest::Parser as _;

use crate::diag::{Capped, Code, Counts, Diagnostic, Label};
use crate::source::{FileId, SourceDb, Span};
use cst::{Elem, Kind, Node, Token};
use parser::{DvcParser, Rule};

pub use lower::is_ident;

/// The result of parsing one file.
#[derive(Clone, Debug)]
pub struct Parse {
    /// The lossless tree, when asked for ([`parse_text`]: the formatter,
    /// tools, tests). The driver and the language server keep only the
    /// AST ([`parse`], [`parse_text_with`]): the tree is several times the
    /// size of the text, and nothing after lowering reads it.
    pub cst: Option<Node>,
    pub ast: ast::File,
    /// The first [`crate::diag::MAX_KEPT`] problems, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// Problems past the cap, counted.
    pub omitted: Counts,
    /// The file's `dvcc-allow` comments that can be applied (the others
    /// are among `diagnostics`).
    pub suppressions: Vec<suppress::Suppression>,
}

/// Parses one file of `db`, keeping its AST (not its CST).
pub fn parse(db: &SourceDb, file: FileId) -> Parse {
    parse_text_reusing(file, db.text(file), Tree::Drop)
}

/// Parses `text`, giving spans in `file`, keeping the CST too.
pub fn parse_text(file: FileId, text: &str) -> Parse {
    parse_text_reusing(file, text, Tree::Keep)
}

/// The syntax trees of a file's top-level chunks by their text, kept from
/// one parse of the file to the next (an editor's keystrokes): a chunk
/// whose text did not change is not parsed again, only moved to where it
/// now starts. Holds the chunks of the last parse only, each with the
/// offset it had there.
#[derive(Debug, Default)]
pub struct ChunkCache {
    /// (Hashed with foldhash, randomly seeded: every chunk's text is hashed
    /// on each parse.)
    chunks: std::collections::HashMap<String, (u32, Vec<Elem>), foldhash::fast::RandomState>,
    /// The lowered parts of the top level, by their text.
    segments: lower::parts::Segments,
    /// The last text parsed and its scan.
    scanned: Option<(String, scan::Scan)>,
}

impl ChunkCache {
    /// Copies the lowered parts of the last parse out of `ast`, that
    /// parse's tree, for the next parse to reuse: left for when nobody waits
    /// for the parse (without it, the next parse lowers the whole file);
    /// once done, again is nothing.
    pub fn settle(&mut self, ast: &ast::File) {
        self.segments.settle(ast);
    }

    /// How many chunks it holds.
    pub fn len(&self) -> usize {
        self.chunks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }
}

/// [`parse`] of `text`, reusing the unchanged chunks of `cache` (and
/// leaving in it those of this text). The result is the same as without
/// the cache.
pub fn parse_text_with(file: FileId, text: &str, cache: &mut ChunkCache) -> Parse {
    parse_text_reusing(file, text, Tree::Cache(cache))
}

/// What a parse does with its CST once the AST is lowered.
enum Tree<'a> {
    Keep,
    Drop,
    /// Its chunks go back to the cache (moved, not copied).
    Cache(&'a mut ChunkCache),
}

fn parse_text_reusing(file: FileId, text: &str, mut tree: Tree) -> Parse {
    let scanned = match &mut tree {
        Tree::Cache(cache) => {
            let scanned = match &cache.scanned {
                Some((old_text, old)) => scan::rescan(old_text, old, text),
                None => scan::scan(text),
            };
            cache.scanned = Some((text.to_string(), scanned.clone()));
            scanned
        }
        Tree::Keep | Tree::Drop => scan::scan(text),
    };
    let mut diagnostics = Capped::default();
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
    let (children, chunk_diags, placed) = match &mut tree {
        Tree::Cache(cache) => parse_chunks_cached(file, text, &scanned.chunks, cache),
        Tree::Keep | Tree::Drop => {
            let (children, diags) = parse_chunks(file, text, &scanned.chunks);
            (children, diags, Vec::new())
        }
    };
    diagnostics.append(chunk_diags);
    let cst = Node {
        kind: Kind::File,
        start: 0,
        end: u32::try_from(text.len()).unwrap_or(u32::MAX),
        children,
    };
    let mut lower = lower::Lower::new(file, text);
    lower.swallowed_to_eof = scanned.unterminated_comment.is_some();
    let ast = match &mut tree {
        // (A comment running to the end changes how what it swallowed is
        // lowered: nothing is kept.)
        Tree::Cache(cache) if !lower.swallowed_to_eof => {
            lower::parts::file_reusing(&mut lower, &cst, &mut cache.segments)
        }
        Tree::Cache(cache) => {
            cache.segments.clear();
            lower::parts::file(&mut lower, &cst)
        }
        Tree::Keep | Tree::Drop => lower::parts::file(&mut lower, &cst),
    };
    diagnostics.append(lower.diags);
    // `dvcc-allow` comments: those that cannot be applied are reported.
    let (suppressions, malformed) = suppress::suppressions(&ast, text);
    diagnostics.extend(malformed);
    let cst = match tree {
        Tree::Keep => Some(cst),
        Tree::Drop => None,
        Tree::Cache(cache) => {
            refill(cache, cst.children, placed);
            None
        }
    };
    Parse {
        cst,
        ast,
        diagnostics: diagnostics.kept,
        omitted: diagnostics.omitted,
        suppressions,
    }
}

/// Files larger than this are parsed on several threads (chunks are
/// independent; results are joined in order, so output does not change),
/// and lowered too (`lower::parts`).
const PARALLEL_BYTES: usize = lower::parts::PARALLEL_BYTES;

fn parse_chunks(file: FileId, text: &str, chunks: &[scan::Chunk]) -> (Vec<Elem>, Capped) {
    if text.len() < PARALLEL_BYTES {
        return parse_chunk_range(file, text, chunks);
    }
    // Groups of chunks, so that each task is worth a thread's time.
    let groups: Vec<&[scan::Chunk]> = chunks.chunks(chunks.len().div_ceil(16).max(1)).collect();
    let mut children = Vec::new();
    let mut diags = Capped::default();
    for (c, d) in crate::par::map(&groups, |g| parse_chunk_range(file, text, g)) {
        children.extend(c);
        diags.append(d);
    }
    (children, diags)
}

/// Where a chunk's elements were put among the file's children, to take
/// them back into the cache after lowering.
struct Placed {
    /// The chunk's text, when its elements may be cached (it parsed
    /// without a finding: findings carry the file's offsets).
    key: Option<String>,
    count: usize,
    start: u32,
}

/// [`parse_chunks`], taking the chunks whose text `cache` holds from it
/// (moved to where they now start), and parsing the others.
fn parse_chunks_cached(
    file: FileId,
    text: &str,
    chunks: &[scan::Chunk],
    cache: &mut ChunkCache,
) -> (Vec<Elem>, Capped, Vec<Placed>) {
    let mut children = Vec::new();
    let mut diagnostics = Capped::default();
    let mut placed = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        let piece = &text[chunk.start..chunk.end];
        let before = children.len();
        let start = u32::try_from(chunk.start).unwrap_or(u32::MAX);
        // (A chunk too deep to parse is reported even where its text was
        // cached: the depth of a piece of an unclosed chunk is counted from
        // where that chunk opened, before the piece.)
        let cached = chunk
            .too_deep
            .is_none()
            .then(|| cache.chunks.remove_entry(piece))
            .flatten();
        let key = match cached {
            Some((key, (was, mut elems))) => {
                cst::move_chunk(&mut elems, was, start);
                children.append(&mut elems);
                Some(key)
            }
            None => {
                let (elems, diags) = parse_chunk_range(file, text, std::slice::from_ref(chunk));
                let clean = diags.kept.is_empty() && diags.omitted.errors + diags.omitted.warnings == 0;
                children.extend(elems);
                diagnostics.append(diags);
                clean.then(|| piece.to_string())
            }
        };
        placed.push(Placed {
            key,
            count: children.len() - before,
            start,
        });
    }
    (children, diagnostics, placed)
}

/// Puts the chunks of `children` back into `cache` (its only content),
/// each with the offset it starts at.
fn refill(cache: &mut ChunkCache, children: Vec<Elem>, placed: Vec<Placed>) {
    let mut kept = std::collections::HashMap::with_capacity_and_hasher(placed.len(), Default::default());
    let mut elems = children.into_iter();
    for p in placed {
        let mine: Vec<Elem> = elems.by_ref().take(p.count).collect();
        if let Some(key) = p.key {
            kept.entry(key).or_insert((p.start, mine));
        }
    }
    cache.chunks = kept;
}

fn parse_chunk_range(file: FileId, text: &str, chunks: &[scan::Chunk]) -> (Vec<Elem>, Capped) {
    let mut children: Vec<Elem> = Vec::new();
    let mut diagnostics = Capped::default();
    for chunk in chunks {
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
        let mark = children.len();
        if descent::parse_chunk(piece, chunk.start, &mut children).is_err() {
            // The grammar accepts every input, so only the recursion limit
            // gets here.
            children.truncate(mark);
            diagnostics.push(
                Diagnostic::new(
                    Code::NestingTooDeep,
                    "this item is too complex to parse",
                    Label::new(Span::new(file, chunk.start, chunk.end), "nested too deeply to parse"),
                )
                .with_help("flatten the structure; this top-level item was skipped"),
            );
            children.push(unparsed(chunk.start, chunk.end));
        }
    }
    (children, diagnostics)
}

/// Where the hand-written parser and pest's parser of the grammar disagree
/// on `text`: the first chunk whose elements differ, with both trees. For
/// the differential tests and the fuzz target; `None` when they agree.
#[doc(hidden)]
pub fn differs_from_grammar(text: &str) -> Option<String> {
    for chunk in scan::scan(text).chunks {
        if chunk.too_deep.is_some() {
            continue;
        }
        let piece = &text[chunk.start..chunk.end];
        let mut ours = Vec::new();
        let ours = descent::parse_chunk(piece, chunk.start, &mut ours).map(|()| ours);
        let theirs = DvcParser::parse(Rule::chunk, piece).map(|mut pairs| {
            let mut out = Vec::new();
            if let Some(pair) = pairs.next() {
                cst::push_chunk(pair, piece, chunk.start, &mut out);
            }
            out
        });
        match (ours, theirs) {
            (Ok(a), Ok(b)) if a == b => {}
            // Both gave up: pest's stack guard and the recursion limit.
            (Err(_), Err(_)) => {}
            (a, b) => return Some(format!("chunk {piece:?}\nhand-written: {a:#?}\npest: {b:#?}")),
        }
    }
    None
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
