//! Lowering a large file's top level on every core. Lowering the top level
//! carries state from one item to the next (comments waiting for the next
//! item, a comment trailing the last one, a run of stray `}`, error text
//! merged into the error before it); the file is cut only before an item
//! that starts where none of that state is live, so each part lowered on its
//! own gives what lowering the whole file in turn gives, joined in order.

use std::collections::HashMap;

use super::{File, Lower};
use crate::diag::Capped;
use crate::source::FileId;
use crate::syntax::ast::{Comment, Item};
use crate::syntax::cst::{Elem, Kind, Node};
use crate::syntax::relocate;

/// Files smaller than this are lowered on one thread.
pub const PARALLEL_BYTES: usize = 64 * 1024;

/// Where the top level of a file (`children`) may be cut: indices of
/// blocks, attributes and imports preceded, since the item before them,
/// by nothing but white space and newlines. (After an item nothing waits
/// for the next: its comments were taken, a stray run ended. Nothing
/// before such an item changes how it is lowered, and it does not merge
/// into the item before it as error text would.)
pub fn cut_points(children: &[Elem]) -> Vec<usize> {
    let mut out = Vec::new();
    // Whether everything since the last item is white space.
    let mut clean = false;
    for (i, elem) in children.iter().enumerate() {
        match elem {
            Elem::Node(n) if matches!(n.kind, Kind::Block | Kind::Attribute | Kind::Import) => {
                if clean {
                    out.push(i);
                }
                clean = true;
            }
            Elem::Token(t) if matches!(t.kind, Kind::Whitespace | Kind::Newline) => {}
            _ => clean = false,
        }
    }
    out
}

/// The parts of `len` children cut at `cuts` (increasing), as ranges.
fn parts(cuts: &[usize], len: usize) -> Vec<(usize, usize)> {
    let mut bounds = Vec::with_capacity(cuts.len() + 2);
    bounds.push(0);
    bounds.extend_from_slice(cuts);
    bounds.push(len);
    bounds.windows(2).map(|w| (w[0], w[1])).collect()
}

/// The top level of `file`'s CST lowered in parts cut at `cuts` (each one
/// of [`cut_points`]), on every core: the same file and diagnostics as one
/// [`Lower::file`].
pub fn file_in_parts(lower: &mut Lower<'_>, node: &Node, cuts: &[usize]) -> File {
    let ranges = parts(cuts, node.children.len());
    let (file, text, swallowed) = (lower.file, lower.text, lower.swallowed_to_eof);
    let parts = crate::par::map(&ranges, |&(from, to)| {
        let mut part = Lower::new(file, text);
        part.swallowed_to_eof = swallowed;
        let lowered = part.items(&node.children[from..to]);
        (lowered, part.diags)
    });
    let mut items = Vec::with_capacity(parts.iter().map(|((items, _), _)| items.len()).sum());
    let mut dangling = Vec::new();
    let mut diags = Capped::default();
    for ((part_items, part_dangling), part_diags) in parts {
        items.extend(part_items);
        // (Only the last part can end with comments: the others end
        // before an item with white space only since the one before.)
        dangling = part_dangling;
        diags.append(part_diags);
    }
    lower.diags.append(diags);
    File {
        span: lower.span(node.start, node.end),
        items,
        dangling,
    }
}

/// One part of a file's top level as lowered (the items between two cut
/// points), kept by its text for the next parse of the file (an editor's
/// keystrokes; see [`file_reusing`]).
#[derive(Debug)]
struct Segment {
    /// Where its text started, in which file, when it was lowered.
    start: u32,
    file: FileId,
    items: Vec<Item>,
    dangling: Vec<Comment>,
}

/// A part of the last parse that lowered without a finding, not copied
/// yet: its items are the file's `items` (and, for the last part, its
/// dangling comments).
#[derive(Debug)]
struct Pending {
    text: String,
    start: u32,
    file: FileId,
    items: std::ops::Range<usize>,
    last: bool,
}

/// The lowered parts of a file's last parse, by their text.
///
/// A parse takes the parts it reuses out of the cache (moved into its
/// tree, not copied) and notes which of its parts can be kept; copying
/// them back out of the tree ([`Segments::settle`]) is left for later,
/// when nobody waits (the language server does it once its answer is out).
#[derive(Debug, Default)]
pub struct Segments {
    /// (Hashed with foldhash, randomly seeded: every part's text is hashed
    /// on each parse.)
    kept: HashMap<String, Segment, foldhash::fast::RandomState>,
    pending: Vec<Pending>,
}

impl Segments {
    /// Copies the parts of the last parse out of `file`, its tree, for
    /// the next parse to reuse (nothing when they were copied already).
    pub fn settle(&mut self, file: &File) {
        for p in self.pending.drain(..) {
            let Some(items) = file.items.get(p.items) else { continue };
            self.kept.entry(p.text).or_insert_with(|| Segment {
                start: p.start,
                file: p.file,
                items: items.to_vec(),
                dangling: if p.last { file.dangling.clone() } else { Vec::new() },
            });
        }
    }

    pub fn clear(&mut self) {
        self.kept.clear();
        self.pending.clear();
    }
}

/// [`file_in_parts`] cut at every cut point, on this thread, where a part
/// whose text `kept` holds (settled from the last parse) is not lowered
/// again but taken from there and moved to where it now starts. Notes in
/// `kept` the parts of this file that lowered without a finding (a
/// finding carries the file's offsets), to settle. The same file and
/// diagnostics as [`Lower::file`].
pub fn file_reusing(lower: &mut Lower<'_>, node: &Node, kept: &mut Segments) -> File {
    let ranges = parts(&cut_points(&node.children), node.children.len());
    let mut pending = Vec::with_capacity(ranges.len());
    let mut items = Vec::with_capacity(node.children.len());
    let mut dangling = Vec::new();
    for (n, &(from, to)) in ranges.iter().enumerate() {
        let elems = &node.children[from..to];
        let (Some(first), Some(last)) = (elems.first(), elems.last()) else {
            continue;
        };
        let (start, end) = (first.range().0, last.range().1);
        let text = &lower.text[start as usize..end as usize];
        // A chunk left unparsed (too deep: how deep counts from an unclosed
        // chunk before it) is not a function of the part's text alone: such
        // a part is neither reused nor kept.
        let unparsed = elems.iter().any(|e| e.kind() == Kind::Unparsed);
        let reused = if unparsed { None } else { kept.kept.remove_entry(text) };
        let (mut part_items, part_dangling, key) = match reused {
            Some((key, segment)) => {
                let Segment {
                    items: mut part_items,
                    dangling: mut part_dangling,
                    ..
                } = segment;
                if segment.start != start || segment.file != lower.file {
                    relocate::items(&mut part_items, &mut part_dangling, lower.file, segment.start, start);
                }
                (part_items, part_dangling, Some(key))
            }
            None => {
                let mut part = Lower::new(lower.file, lower.text);
                part.swallowed_to_eof = lower.swallowed_to_eof;
                let (part_items, part_dangling) = part.items(elems);
                let clean = part.diags.is_empty() && !unparsed;
                lower.diags.append(part.diags);
                (part_items, part_dangling, clean.then(|| text.to_string()))
            }
        };
        if let Some(text) = key {
            pending.push(Pending {
                text,
                start,
                file: lower.file,
                items: items.len()..items.len() + part_items.len(),
                last: n + 1 == ranges.len(),
            });
        }
        items.append(&mut part_items);
        // (Only the last part can end with comments.)
        dangling = part_dangling;
    }
    // What was not reused is the text of the last parse only.
    kept.kept.clear();
    kept.pending = pending;
    File {
        span: lower.span(node.start, node.end),
        items,
        dangling,
    }
}

/// [`file_in_parts`] with about one part per core, where the file is large
/// enough to be worth it; else [`Lower::file`].
pub fn file(lower: &mut Lower<'_>, node: &Node) -> File {
    let threads = crate::par::threads();
    if lower.text.len() < PARALLEL_BYTES || threads < 2 {
        return lower.file(node);
    }
    let points = cut_points(&node.children);
    // Cuts spread evenly by position among the points.
    let parts = threads.min(points.len() + 1);
    // (Distinct and increasing: there are at least `parts - 1` points.)
    let cuts: Vec<usize> = (1..parts).map(|k| points[k * points.len() / parts]).collect();
    file_in_parts(lower, node, &cuts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::syntax::cst::Node;

    /// The file's CST, as the parser makes it.
    fn cst(text: &str) -> Node {
        crate::syntax::parse_text(FileId(0), text).cst.expect("kept")
    }

    /// Lowered in turn, and cut at every point: the same.
    fn same_when_cut(text: &str) {
        let node = cst(text);
        let mut whole = Lower::new(FileId(0), text);
        let expected = whole.file(&node);
        let cuts = cut_points(&node.children);
        let mut parts = Lower::new(FileId(0), text);
        let got = file_in_parts(&mut parts, &node, &cuts);
        assert_eq!(format!("{expected:?}"), format!("{got:?}"), "{text}");
        assert_eq!(format!("{:?}", whole.diags), format!("{:?}", parts.diags), "{text}");
    }

    /// A part holding a chunk too deep to parse in one text and parsed in
    /// the next (the same part, an unclosed block before it or not) is
    /// lowered in each, never taken from the other.
    #[test]
    fn a_part_too_deep_in_one_text_is_not_reused_in_another() {
        use crate::syntax::{ChunkCache, parse_text, parse_text_with};
        let deep = "[".repeat(crate::syntax::scan::MAX_DEPTH - 1) + &"]".repeat(crate::syntax::scan::MAX_DEPTH - 1);
        // (The comment keeps `c` from starting a part of its own when it
        // is parsed, as an unparsed chunk never does.)
        let part = format!("b {{\n}}\n# about c\nc {{\n  x = {deep}\n}}\n");
        let unclosed = format!("a {{\n\n{part}");
        let closed = format!("a {{}}\n\n{part}");
        let too_deep = |text: &str| {
            let p = parse_text(FileId(0), text);
            p.diagnostics
                .iter()
                .any(|d| d.code == crate::diag::Code::NestingTooDeep)
        };
        assert!(too_deep(&unclosed) && !too_deep(&closed));
        for texts in [[&unclosed, &closed], [&closed, &unclosed]] {
            let mut cache = ChunkCache::default();
            for (n, text) in texts.iter().chain(texts.iter()).enumerate() {
                let cached = parse_text_with(FileId(0), text, &mut cache);
                cache.settle(&cached.ast);
                let fresh = parse_text(FileId(0), text);
                assert_eq!(cached.ast, fresh.ast, "parse {n}: {text:?}");
                assert_eq!(format!("{:?}", cached.diagnostics), format!("{:?}", fresh.diagnostics));
            }
        }
    }

    #[test]
    fn cut_everywhere_it_may_be_lowering_gives_the_same_file() {
        let texts = [
            "a = 1\nb = 2\n",
            "# leading\nservice api { port = 1 } # trailing\n\n# next\nservice web {}\n",
            "service api {}\n}}\n} }\nservice web {}\n",
            "service api {} ) ( garbage\nmore garbage\nservice web {}\n# dangling\n",
            "import \"std/docker\"\n\nproject p { repo = \"a/b\" }\n\n\n",
            "service api {\n  port = \n}\nservice web { port = 2 }\n# one\n# two\n",
            "x = 1 y = 2\nz = 3\n/* block\ncomment */\nw = 4\n",
            "service api {} = = =\nservice web {}\n\"stray string\"\nservice db {}\n",
        ];
        for t in texts {
            same_when_cut(t);
        }
        // Items nested too deep to parse, one after another: one error.
        let deep = format!(
            "{}{}",
            "a { ".repeat(crate::syntax::scan::MAX_DEPTH + 1),
            "}".repeat(crate::syntax::scan::MAX_DEPTH + 1)
        );
        same_when_cut(&format!("x = 1\n{deep}\n{deep}\n\n{deep}\ny = 2\n"));
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![root.join("tests/cases"), root.join("examples"), root.join("stdlib")];
        let mut seen = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|e| e == "dvc") {
                    same_when_cut(&std::fs::read_to_string(&p).unwrap_or_default());
                    seen += 1;
                }
            }
        }
        assert!(seen > 100, "{seen} files");
    }

    #[test]
    fn cuts_only_before_items_with_white_space_since_the_last() {
        let node = cst("a = 1\n# c\nb = 2\nc = 3\n} d = 4\n\ne = 5 f = 6\n");
        let names: Vec<usize> = cut_points(&node.children);
        // `b` follows a comment, `d` a stray `}`: not cut before.
        let kinds: Vec<String> = names
            .iter()
            .map(|&i| match &node.children[i] {
                Elem::Node(n) => format!(
                    "{:?}",
                    &"a = 1\n# c\nb = 2\nc = 3\n} d = 4\n\ne = 5 f = 6\n"[n.start as usize..n.start as usize + 1]
                ),
                Elem::Token(_) => "token".to_string(),
            })
            .collect();
        assert_eq!(kinds, ["\"c\"", "\"e\"", "\"f\""]);
    }
}
