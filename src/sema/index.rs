//! The index of names: every declaration and every reference that resolved
//! to it, with their spans. Owned data, kept after the analysis: what an
//! editor needs for go-to-definition, find-references and rename.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use crate::schema::Namespace;
use crate::source::{FileId, Span};

/// A declared name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Symbol {
    pub ns: Namespace,
    /// For jobs, the pipeline they belong to (job names are per pipeline).
    pub scope: Option<String>,
    pub name: String,
}

/// Where a symbol is declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Definition {
    /// The name in its declaration (`api` in `service api { }`).
    pub span: Span,
    /// Declared by the bundled standard library.
    pub stdlib: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Index {
    definitions: BTreeMap<Symbol, Definition>,
    references: BTreeMap<Symbol, Vec<Span>>,
    /// Every symbol declared or referred to, once, in order.
    symbols: Vec<Symbol>,
    /// Every definition and reference, by span (for lookups by offset),
    /// with its symbol's position in `symbols`: one copy of a name per
    /// symbol, not one per site (a project's sites are mostly references
    /// to a few names).
    sites: Vec<(Span, u32)>,
}

impl Index {
    pub fn new(definitions: BTreeMap<Symbol, Definition>, mut references: BTreeMap<Symbol, Vec<Span>>) -> Index {
        for spans in references.values_mut() {
            spans.sort();
            spans.dedup();
        }
        // Both maps are in symbol order: walked together, each symbol is
        // met once, its definition (if any) and references side by side.
        let mut symbols: Vec<Symbol> = Vec::with_capacity(definitions.len());
        let mut sites: Vec<(Span, u32)> = Vec::with_capacity(definitions.len() + references.len());
        let mut add = |symbol: &Symbol, definition: Option<&Definition>, spans: &[Span]| {
            let at = u32::try_from(symbols.len()).unwrap_or(u32::MAX);
            symbols.push(symbol.clone());
            sites.extend(definition.map(|d| (d.span, at)));
            sites.extend(spans.iter().map(|span| (*span, at)));
        };
        let mut refs = references.iter().peekable();
        for (symbol, definition) in &definitions {
            while let Some((undeclared, spans)) = refs.next_if(|(r, _)| *r < symbol) {
                add(undeclared, None, spans);
            }
            let spans = refs
                .next_if(|(r, _)| *r == symbol)
                .map_or(&[][..], |(_, s)| s.as_slice());
            add(symbol, Some(definition), spans);
        }
        for (undeclared, spans) in refs {
            add(undeclared, None, spans);
        }
        sites.sort_unstable();
        sites.dedup();
        Index {
            definitions,
            references,
            symbols,
            sites,
        }
    }

    pub fn definition(&self, symbol: &Symbol) -> Option<&Definition> {
        self.definitions.get(symbol)
    }

    /// Where `symbol` is referred to, in (file, position) order.
    pub fn references(&self, symbol: &Symbol) -> &[Span] {
        self.references.get(symbol).map_or(&[], Vec::as_slice)
    }

    /// Where `symbol` is written: its declaration (if any), then its
    /// references.
    pub fn sites(&self, symbol: &Symbol) -> impl Iterator<Item = Span> + '_ {
        self.definition(symbol)
            .map(|d| d.span)
            .into_iter()
            .chain(self.references(symbol).iter().copied())
    }

    /// Every declared symbol, in order.
    pub fn symbols(&self) -> impl Iterator<Item = &Symbol> {
        self.definitions.keys()
    }

    /// The symbols declared or referred to at byte `offset` of `file` (a
    /// cursor just after a name is on it). A deploy job's label is both its
    /// job and a reference to its environment: such a site gives both.
    pub fn at(&self, file: FileId, offset: u32) -> Vec<&Symbol> {
        // Sites are names: they never overlap, except one name with two
        // roles (same span). The candidate is the last site starting at or
        // before `offset`.
        let to = self.sites.partition_point(|(s, _)| (s.file, s.start) <= (file, offset));
        let Some((last, _)) = to.checked_sub(1).and_then(|i| self.sites.get(i)) else {
            return Vec::new();
        };
        if last.file != file || last.end < offset {
            return Vec::new();
        }
        let mut out: Vec<&Symbol> = self.sites[..to]
            .iter()
            .rev()
            .take_while(|(s, _)| s == last)
            .filter_map(|(_, at)| self.symbols.get(*at as usize))
            .collect();
        out.reverse();
        out
    }
}

/// An index made when first read, from what the analysis collected: the
/// language server publishes an edit's diagnostics before anyone reads its
/// index (making it took a twelfth of an analysis), then makes it while
/// idle (`Snapshot::warm`); a request that comes first makes it itself.
/// Reads as the [`Index`] it makes.
pub struct LazyIndex {
    inputs: Mutex<Option<Inputs>>,
    index: OnceLock<Index>,
}

/// The declarations, and the resolved references where they are written.
type Inputs = (Vec<(Symbol, Definition)>, Vec<(Symbol, Span)>);

impl LazyIndex {
    /// The index of `definitions` and `references`, made when first read.
    pub fn new(definitions: Vec<(Symbol, Definition)>, references: Vec<(Symbol, Span)>) -> LazyIndex {
        LazyIndex {
            inputs: Mutex::new(Some((definitions, references))),
            index: OnceLock::new(),
        }
    }

    /// An index already made.
    pub fn made(index: Index) -> LazyIndex {
        LazyIndex {
            inputs: Mutex::new(None),
            index: OnceLock::from(index),
        }
    }

    /// The index, made now if it was not.
    pub fn get(&self) -> &Index {
        self.index.get_or_init(|| {
            let inputs = self
                .inputs
                .lock()
                .map(|mut i| i.take())
                .unwrap_or_else(|p| p.into_inner().take());
            match inputs {
                Some((definitions, references)) => {
                    let mut by_symbol: BTreeMap<Symbol, Vec<Span>> = BTreeMap::new();
                    for (symbol, span) in references {
                        by_symbol.entry(symbol).or_default().push(span);
                    }
                    Index::new(definitions.into_iter().collect(), by_symbol)
                }
                None => Index::default(),
            }
        })
    }
}

impl std::ops::Deref for LazyIndex {
    type Target = Index;

    fn deref(&self) -> &Index {
        self.get()
    }
}

impl Default for LazyIndex {
    fn default() -> LazyIndex {
        LazyIndex::made(Index::default())
    }
}

impl Clone for LazyIndex {
    fn clone(&self) -> LazyIndex {
        LazyIndex::made(self.get().clone())
    }
}

impl std::fmt::Debug for LazyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}
