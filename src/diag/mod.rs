//! Diagnostics are plain data: a [`Code`], a severity, a message, a primary
//! [`Label`] (a span in any file), secondary labels, a help line and notes.
//! Stages build them with the constructors beside them; the renderers in
//! [`render`] turn the same data into miette's report, JSON, GitHub workflow
//! commands and SARIF.
//!
//! **Invariant:** every diagnostic has a primary span, even I/O errors (which
//! point at an empty stand-in file named after the path).

pub mod codes;
pub mod fix;
pub mod render;
pub mod suggest;

pub use codes::Code;
pub use fix::{Applicability, Edit, Fix};

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Every span of a diagnostic: its labels' and its fixes' edits.
impl crate::source::Spans for Diagnostic {
    fn spans(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let Diagnostic {
            code: _,
            severity: _,
            message: _,
            primary,
            secondary,
            help: _,
            notes: _,
            fixes,
        } = self;
        f(&mut primary.span);
        for l in secondary {
            f(&mut l.span);
        }
        for fix in fixes {
            for e in &mut fix.edits {
                f(&mut e.span);
            }
        }
    }
}

/// A span with a message ("this `{` is never closed").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub notes: Vec<String>,
    /// Suggested edits: `dvcc lint --fix` applies the machine-applicable
    /// ones, editors offer all of them as quick fixes.
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>, primary: Label) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn with_label(mut self, label: Label) -> Diagnostic {
        self.secondary.push(label);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// A suggested fix; its message becomes the help line when there is
    /// none.
    pub fn with_fix(mut self, fix: Fix) -> Diagnostic {
        if self.help.is_none() {
            self.help = Some(fix.message.clone());
        }
        self.fixes.push(fix);
        self
    }

    /// Replaces the text of `span` by `replacement`, the fix `help` says.
    pub fn with_replacement(self, span: Span, replacement: impl Into<String>, help: impl Into<String>) -> Diagnostic {
        self.with_fix(Fix::replace(span, replacement, help))
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    fn sort_key(&self) -> (Span, Code, &str) {
        (self.primary.span, self.code, &self.message)
    }
}

/// Sorts diagnostics by (file, position, code) and drops exact duplicates, so
/// that every renderer shows them in one stable order.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diags.dedup();
}

/// A diagnostic a `dvcc-allow` comment allowed, and the reason it gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowed {
    pub diagnostic: Diagnostic,
    pub reason: String,
    /// The `dvcc-allow` comment.
    pub directive: Span,
}

/// Counts of errors and warnings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
}

impl Counts {
    pub fn of(diags: &[Diagnostic]) -> Counts {
        let errors = diags.iter().filter(|d| d.is_error()).count();
        Counts {
            errors,
            warnings: diags.len() - errors,
        }
    }

    /// Counts one diagnostic of `severity`.
    pub fn count(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
    }

    pub fn plus(self, other: Counts) -> Counts {
        Counts {
            errors: self.errors + other.errors,
            warnings: self.warnings + other.warnings,
        }
    }

    pub fn total(self) -> usize {
        self.errors + self.warnings
    }

    pub fn is_empty(self) -> bool {
        self.total() == 0
    }
}

/// How many diagnostics one run keeps in memory. Past this they are
/// counted, not stored: hostile input (a file of stray `}`) costs a count,
/// not a report each. Far more than anyone reads; the renderers say how
/// many were left out.
pub const MAX_KEPT: usize = 10_000;

/// Diagnostics under the [`MAX_KEPT`] cap: the first ones kept, the rest
/// counted by severity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capped {
    pub kept: Vec<Diagnostic>,
    pub omitted: Counts,
}

impl Capped {
    pub fn push(&mut self, d: Diagnostic) {
        if self.kept.len() < MAX_KEPT {
            self.kept.push(d);
        } else {
            self.omitted.count(d.severity);
        }
    }

    pub fn extend(&mut self, diags: impl IntoIterator<Item = Diagnostic>) {
        for d in diags {
            self.push(d);
        }
    }

    /// Adds another capped set (its own omissions included).
    pub fn append(&mut self, other: Capped) {
        self.omitted = self.omitted.plus(other.omitted);
        self.extend(other.kept);
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.omitted.is_empty()
    }

    /// The kept diagnostics.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.kept.iter()
    }

    /// Whether a kept error lies inside `within` (a block whose own error
    /// explains what a later check would say about it).
    pub fn explains(&self, within: Span) -> bool {
        self.kept
            .iter()
            .any(|d| d.is_error() && within.contains(d.primary.span))
    }

    /// Whether a kept error's primary span holds `span` (the same value was
    /// already reported).
    pub fn covers(&self, span: Span) -> bool {
        self.kept.iter().any(|d| d.is_error() && d.primary.span.contains(span))
    }

    /// Errors and warnings, kept or not.
    pub fn counts(&self) -> Counts {
        Counts::of(&self.kept).plus(self.omitted)
    }
}

/// Keeps the first [`MAX_KEPT`] of `diags` (sort them first to keep the
/// first by position) and counts the rest.
pub fn cap(mut diags: Vec<Diagnostic>) -> Capped {
    let mut omitted = Counts::default();
    if diags.len() > MAX_KEPT {
        omitted = Counts::of(&diags[MAX_KEPT..]);
        diags.truncate(MAX_KEPT);
        diags.shrink_to_fit();
    }
    Capped { kept: diags, omitted }
}
