//! Semantic tokens and folding ranges, from the syntax tree (and the index,
//! which tells a reference's namespace from a bare enum word).

use lsp_types as lsp;

use super::world::Snapshot;
use crate::schema::Namespace;
use crate::sema::index::Index;
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::ast::{self, BlockLabel, Comment, Item, StrPart, Value, ValueKind};

/// The token types, in legend order.
const TYPES: [lsp::SemanticTokenType; 12] = [
    lsp::SemanticTokenType::KEYWORD,
    lsp::SemanticTokenType::PROPERTY,
    lsp::SemanticTokenType::STRING,
    lsp::SemanticTokenType::NUMBER,
    lsp::SemanticTokenType::COMMENT,
    lsp::SemanticTokenType::VARIABLE,
    lsp::SemanticTokenType::ENUM_MEMBER,
    lsp::SemanticTokenType::FUNCTION,
    lsp::SemanticTokenType::NAMESPACE,
    lsp::SemanticTokenType::CLASS,
    lsp::SemanticTokenType::MACRO,
    lsp::SemanticTokenType::TYPE,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum T {
    Keyword = 0,
    Property,
    Str,
    Number,
    Comment,
    Variable,
    EnumMember,
    Function,
    Namespace,
    Class,
    Macro,
    Type,
}

const DECLARATION: u32 = 1;

pub fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TYPES.to_vec(),
        token_modifiers: vec![lsp::SemanticTokenModifier::DECLARATION],
    }
}

fn of_namespace(ns: Namespace) -> T {
    match ns {
        Namespace::Environment => T::Namespace,
        Namespace::Service => T::Class,
        Namespace::Template => T::Macro,
        Namespace::Job | Namespace::Pipeline => T::Function,
        _ => T::Type,
    }
}

struct Collect<'a> {
    index: Option<&'a Index>,
    file: FileId,
    out: Vec<(u32, u32, T, u32)>,
}

impl Collect<'_> {
    fn add(&mut self, span: Span, t: T, modifiers: u32) {
        if span.end > span.start {
            self.out.push((span.start, span.end, t, modifiers));
        }
    }

    /// A name: its namespace's type when the index knows it.
    fn name(&mut self, span: Span, fallback: T) {
        let symbol = self.index.and_then(|i| {
            i.at(self.file, span.start)
                .into_iter()
                .next()
                .map(|s| (s.ns, i.definition(s).is_some_and(|d| d.span == span)))
        });
        match symbol {
            Some((ns, declared)) => self.add(span, of_namespace(ns), if declared { DECLARATION } else { 0 }),
            None => self.add(span, fallback, 0),
        }
    }

    fn comments(&mut self, comments: &[Comment]) {
        for c in comments {
            self.add(c.span, T::Comment, 0);
        }
    }

    fn items(&mut self, items: &[Item]) {
        for item in items {
            let c = item.comments();
            self.comments(&c.leading);
            self.comments(&c.inner);
            match item {
                Item::Block(b) => {
                    self.add(b.kind.span, T::Keyword, 0);
                    for l in &b.labels {
                        match l {
                            BlockLabel::Ident(i) => self.name(i.span, T::EnumMember),
                            BlockLabel::Str(s) => self.string(s),
                        }
                    }
                    if let Some(body) = &b.body {
                        self.items(&body.items);
                        self.comments(&body.dangling);
                    }
                }
                Item::Attribute(a) => {
                    self.add(a.name.span, T::Property, 0);
                    self.value(&a.value);
                }
                Item::Import(i) => {
                    let kw = Span::new(
                        i.span.file,
                        i.span.start as usize,
                        i.span.start as usize + "import".len(),
                    );
                    self.add(kw, T::Keyword, 0);
                    if let Some(p) = &i.path {
                        self.string(p);
                    }
                }
                Item::Error(_) => {}
            }
            if let Some(t) = &c.trailing {
                self.add(t.span, T::Comment, 0);
            }
        }
    }

    fn string(&mut self, s: &ast::StrLit) {
        // The string around its `${...}` parts, which are references.
        let mut at = s.span.start;
        for part in &s.parts {
            match part {
                StrPart::Interp { path, span } => {
                    self.add(Span::new(s.span.file, at as usize, span.start as usize), T::Str, 0);
                    for seg in &path.segments {
                        self.add(seg.span, T::Variable, 0);
                    }
                    at = span.end;
                }
                StrPart::Gha { span, .. } => {
                    self.add(Span::new(s.span.file, at as usize, span.start as usize), T::Str, 0);
                    self.add(*span, T::Macro, 0);
                    at = span.end;
                }
                StrPart::Text { .. } => {}
            }
        }
        self.add(Span::new(s.span.file, at as usize, s.span.end as usize), T::Str, 0);
    }

    fn value(&mut self, v: &Value) {
        match &v.kind {
            ValueKind::Str(s) => self.string(s),
            ValueKind::Number { .. } | ValueKind::Unit { .. } => self.add(v.span, T::Number, 0),
            ValueKind::Bool(_) => self.add(v.span, T::Keyword, 0),
            ValueKind::Range(a, b) => {
                self.value(a);
                self.value(b);
            }
            ValueKind::List(items) => items.iter().for_each(|i| self.value(i)),
            ValueKind::Ref(path) => {
                let fallback = if path.segments.len() == 1 {
                    T::EnumMember
                } else {
                    T::Variable
                };
                for seg in &path.segments {
                    self.name(seg.span, fallback);
                }
            }
            ValueKind::Call { name, args } => {
                self.add(name.span, T::Function, 0);
                args.iter().for_each(|a| self.value(a));
            }
            ValueKind::Error => {}
        }
    }
}

pub fn semantic(snapshot: &Snapshot, file: FileId) -> Option<lsp::SemanticTokensResult> {
    let ast = snapshot.ast(file)?;
    let mut c = Collect {
        index: snapshot.analysis().map(|a| a.index.get()),
        file,
        out: Vec::new(),
    };
    c.items(&ast.items);
    c.comments(&ast.dangling);
    let mut tokens = c.out;
    tokens.sort();
    let source = snapshot.loaded.db.get(file);
    Some(lsp::SemanticTokensResult::Tokens(lsp::SemanticTokens {
        result_id: None,
        data: encode(source, &tokens),
    }))
}

/// The protocol's relative encoding; tokens spanning lines are split per
/// line, overlapping ones dropped.
fn encode(source: &SourceFile, tokens: &[(u32, u32, T, u32)]) -> Vec<lsp::SemanticToken> {
    let mut data = Vec::new();
    let (mut prev_line, mut prev_char) = (0u32, 0u32);
    let mut done_to = 0u32;
    for &(start, end, t, modifiers) in tokens {
        if start < done_to {
            continue;
        }
        done_to = end;
        let mut from = start as usize;
        while from < end as usize {
            let line = source.lines.line_of(from);
            let line_end = if line + 1 < source.lines.line_count() {
                source.lines.line_start(line + 1)
            } else {
                source.text.len()
            };
            let to = (end as usize).min(line_end);
            let text = source.text.get(from..to).unwrap_or("");
            let trimmed = text.trim_end_matches(['\r', '\n']);
            if !trimmed.is_empty() {
                let p = source.position(from);
                let length: usize = trimmed.chars().map(char::len_utf16).sum();
                let delta_line = p.line - prev_line;
                let delta_start = if delta_line == 0 {
                    p.character - prev_char
                } else {
                    p.character
                };
                data.push(lsp::SemanticToken {
                    delta_line,
                    delta_start,
                    length: length as u32,
                    token_type: t as u32,
                    token_modifiers_bitset: modifiers,
                });
                (prev_line, prev_char) = (p.line, p.character);
            }
            if to <= from {
                break;
            }
            from = to;
        }
    }
    data
}

/// Folding: every block body and block string spanning lines, and runs of
/// two or more comment lines.
pub fn folding(snapshot: &Snapshot, file: FileId) -> Option<Vec<lsp::FoldingRange>> {
    let ast = snapshot.ast(file)?;
    let source = snapshot.loaded.db.get(file);
    let line = |o: u32| source.lines.line_of(o as usize) as u32;
    let mut out = Vec::new();
    let mut comments: Vec<Span> = Vec::new();
    fn walk(items: &[Item], line: &dyn Fn(u32) -> u32, out: &mut Vec<lsp::FoldingRange>, comments: &mut Vec<Span>) {
        for item in items {
            let c = item.comments();
            comments.extend(c.leading.iter().chain(&c.inner).chain(&c.trailing).map(|c| c.span));
            match item {
                Item::Block(b) => {
                    if let Some(body) = &b.body {
                        let end = body.close.map_or(b.span.end, |c| c.start);
                        let (s, e) = (line(body.open.start), line(end));
                        if e > s {
                            out.push(range(s, e.saturating_sub(1).max(s), None));
                        }
                        comments.extend(body.dangling.iter().map(|c| c.span));
                        walk(&body.items, line, out, comments);
                    }
                }
                Item::Attribute(a) => {
                    let (s, e) = (line(a.value.span.start), line(a.value.span.end));
                    if e > s {
                        out.push(range(s, e, None));
                    }
                }
                _ => {}
            }
        }
    }
    walk(&ast.items, &line, &mut out, &mut comments);
    comments.extend(ast.dangling.iter().map(|c| c.span));
    comments.sort();
    let mut run: Option<(u32, u32)> = None;
    for c in comments {
        let (s, e) = (line(c.start), line(c.end.saturating_sub(1).max(c.start)));
        run = match run {
            Some((rs, re)) if s == re + 1 => Some((rs, e)),
            Some((rs, re)) => {
                if re > rs {
                    out.push(range(rs, re, Some(lsp::FoldingRangeKind::Comment)));
                }
                Some((s, e))
            }
            None => Some((s, e)),
        };
    }
    if let Some((rs, re)) = run
        && re > rs
    {
        out.push(range(rs, re, Some(lsp::FoldingRangeKind::Comment)));
    }
    out.sort_by_key(|r| (r.start_line, r.end_line));
    Some(out)
}

fn range(start: u32, end: u32, kind: Option<lsp::FoldingRangeKind>) -> lsp::FoldingRange {
    lsp::FoldingRange {
        start_line: start,
        start_character: None,
        end_line: end,
        end_character: None,
        kind,
        collapsed_text: None,
    }
}
