//! Fixes as data: a diagnostic may carry suggested edits (a span and its
//! replacement). `dvcc lint --fix` applies the machine-applicable ones;
//! editors offer every one as a quick fix; JSON and SARIF carry them.
//!
//! **Invariant:** a machine-applicable fix, applied alone, removes the
//! diagnostic that carries it and introduces no other (tested over the
//! newcomer corpus and by a property test).

use crate::source::{FileId, Span};

/// Whether a fix can be applied without a person looking at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Applicability {
    /// The fix is what was meant: `--fix` applies it.
    MachineApplicable,
    /// Likely what was meant, but a person should confirm (an editor offers
    /// it; `--fix` leaves it).
    MaybeIncorrect,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::MachineApplicable => "machine-applicable",
            Applicability::MaybeIncorrect => "maybe-incorrect",
        }
    }
}

/// Replace the text of `span` by `replacement` (an insertion has an empty
/// span, a deletion an empty replacement).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// One suggested change: its edits are applied together or not at all.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    /// What the fix does, as a help line ("write a percentage: `50%`").
    pub message: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    /// A machine-applicable replacement of one span.
    pub fn replace(span: Span, replacement: impl Into<String>, message: impl Into<String>) -> Fix {
        Fix {
            message: message.into(),
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
            applicability: Applicability::MachineApplicable,
        }
    }

    /// Several edits applied together.
    pub fn edits(edits: Vec<Edit>, message: impl Into<String>) -> Fix {
        Fix {
            message: message.into(),
            edits,
            applicability: Applicability::MachineApplicable,
        }
    }

    /// The same fix, to be confirmed by a person.
    pub fn maybe(mut self) -> Fix {
        self.applicability = Applicability::MaybeIncorrect;
        self
    }

    pub fn is_machine_applicable(&self) -> bool {
        self.applicability == Applicability::MachineApplicable
    }
}

/// The outcome of [`apply`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    /// Fixes applied.
    pub fixes: usize,
}

/// Applies the machine-applicable fixes of `diags` that edit `file` to its
/// `text`. A fix is applied whole or not at all: one with an edit outside
/// `file` or the text, off a character boundary, or overlapping an edit
/// already taken is left out (a later run may take it once the text has
/// changed). Edits are taken in the diagnostics' order.
pub fn apply<'a>(text: &str, file: FileId, diags: impl IntoIterator<Item = &'a super::Diagnostic>) -> Applied {
    let mut taken: Vec<(usize, usize, &str)> = Vec::new();
    let mut fixes = 0;
    for d in diags {
        let Some(fix) = d.fixes.iter().find(|f| f.is_machine_applicable()) else {
            continue;
        };
        let edits: Option<Vec<(usize, usize, &str)>> = fix
            .edits
            .iter()
            .map(|e| {
                let (lo, hi) = (e.span.start as usize, e.span.end as usize);
                let fits = e.span.file == file
                    && lo <= hi
                    && hi <= text.len()
                    && text.is_char_boundary(lo)
                    && text.is_char_boundary(hi);
                fits.then(|| {
                    let (lo, hi) = if e.replacement.is_empty() {
                        whole_line(text, lo, hi)
                    } else {
                        (lo, hi)
                    };
                    (lo, hi, e.replacement.as_str())
                })
            })
            .collect();
        let Some(edits) = edits else { continue };
        if edits.is_empty() {
            continue;
        }
        let overlaps = |a: &(usize, usize, &str), b: &(usize, usize, &str)| {
            // Two insertions at one point, or ranges sharing a character.
            a.0 < b.1 && b.0 < a.1 || a.0 == b.0
        };
        let clash = edits
            .iter()
            .enumerate()
            .any(|(i, e)| taken.iter().any(|t| overlaps(e, t)) || edits[..i].iter().any(|o| overlaps(e, o)));
        if clash {
            continue;
        }
        taken.extend(edits);
        fixes += 1;
    }
    taken.sort_by_key(|e| (e.0, e.1));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (lo, hi, with) in taken {
        out.push_str(&text[at..lo]);
        out.push_str(with);
        at = hi;
    }
    out.push_str(&text[at..]);
    Applied { text: out, fixes }
}

/// A deletion that leaves only white space on its line takes the line (and
/// its line break) with it.
fn whole_line(text: &str, lo: usize, hi: usize) -> (usize, usize) {
    let start = text[..lo].rfind('\n').map_or(0, |i| i + 1);
    let end = text[hi..].find('\n').map_or(text.len(), |i| hi + i);
    let blank = |s: &str| s.chars().all(|c| c == ' ' || c == '\t' || c == '\r');
    if blank(&text[start..lo]) && blank(&text[hi..end]) {
        let end = if end < text.len() { end + 1 } else { end };
        return (start, end);
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Code, Diagnostic, Label};

    fn diag(file: FileId, lo: usize, hi: usize, with: &str) -> Diagnostic {
        let span = Span::new(file, lo, hi);
        Diagnostic::new(Code::TypeMismatch, "m", Label::new(span, "")).with_replacement(span, with, "fix")
    }

    #[test]
    fn applies_disjoint_edits_in_order_of_position() {
        let f = FileId(0);
        let d = [diag(f, 6, 7, "X"), diag(f, 0, 1, "Y")];
        let out = apply("abcdefgh", f, &d);
        assert_eq!(out.text, "YbcdefXh");
        assert_eq!(out.fixes, 2);
    }

    #[test]
    fn skips_overlaps_other_files_and_bad_spans() {
        let f = FileId(0);
        let d = [
            diag(f, 1, 4, "X"),
            diag(f, 3, 5, "Z"),
            diag(FileId(1), 0, 1, "W"),
            diag(f, 7, 99, "V"),
        ];
        let out = apply("abcdefgh", f, &d);
        assert_eq!(out.text, "aXefgh");
        assert_eq!(out.fixes, 1);
    }

    #[test]
    fn deleting_all_of_a_line_deletes_the_line() {
        let f = FileId(0);
        let text = "a {\n  jobs {\n    x\n  }\n}\n";
        let open = text.find("jobs {").unwrap_or(0);
        let close = text.rfind("  }").unwrap_or(0) + 2;
        let d = [diag(f, open, open + 6, ""), diag(f, close, close + 1, "")];
        assert_eq!(apply(text, f, &d).text, "a {\n    x\n}\n");
        // Not all of the line: only the text.
        let d = [diag(f, 1, 3, "")];
        assert_eq!(apply("a {;\n", f, &d).text, "a;\n");
    }

    #[test]
    fn maybe_incorrect_fixes_are_left() {
        let f = FileId(0);
        let span = Span::new(f, 0, 1);
        let d = Diagnostic::new(Code::TypeMismatch, "m", Label::new(span, ""))
            .with_fix(Fix::replace(span, "Q", "maybe").maybe());
        assert_eq!(apply("abc", f, [&d]).text, "abc");
    }
}
