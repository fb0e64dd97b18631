//! Human output: miette's graphical report.
//!
//! miette renders one source per diagnostic (zkat/miette#193), so labels in
//! the primary file are drawn in place and labels in other files become
//! `related` reports. miette is handed only a window of the file around the
//! labels (with line numbers shifted back), so a report on a 10 MB file costs
//! the size of the window, not of the file.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use crate::diag::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceDb, floor_char_boundary};

/// How to draw reports.
#[derive(Clone, Copy, Debug)]
pub struct HumanStyle {
    pub color: bool,
    pub width: usize,
}

impl Default for HumanStyle {
    fn default() -> Self {
        HumanStyle {
            color: false,
            width: 100,
        }
    }
}

/// Where the page of each code is published (`docs/diagnostics/` of the
/// repository, served under this address).
pub const DOCS_URL: &str = "https://dvcc.dev/diagnostics/";

/// One report, headed as rustc heads its own: `error[DVC0203]: message`,
/// and closed by where to read more about the code.
pub fn render(db: &SourceDb, diag: &Diagnostic, style: HumanStyle) -> String {
    let mut theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // miette draws the severity as an icon before the message; the icon
    // becomes the header's severity word and code.
    let code = diag.code.as_str();
    theme.characters.error = format!("error[{code}]:");
    theme.characters.warning = format!("warning[{code}]:");
    // Labels in other files are drawn as related reports of severity
    // "advice": a note, as rustc calls them.
    theme.characters.advice = "note:".to_string();
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_urls(false)
        .with_footer(format!("see `dvcc explain {code}` or {DOCS_URL}{code}"));
    let report = Report::new(db, diag);
    let mut text = String::new();
    // A fmt::Write into a String cannot fail, and miette reports its own
    // source errors inline.
    let _ = handler.render_report(&mut text, &report);
    // The header starts the line, as compilers print it; miette's word
    // before each related report says nothing the note does not.
    let text = text.replace("\nAdvice: \n", "\n");
    match text.strip_prefix("  ") {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// A window of one file, as miette reads it.
struct Window<'a> {
    name: &'a str,
    text: &'a str,
    /// Offset of `text` in the file, and the 0-based line it starts on.
    base: usize,
    base_line: usize,
    /// Characters of the first line left out before `text` (clipped lines).
    base_column: usize,
    /// The part of each label that is drawn, in the order of the labels.
    clips: Vec<std::ops::Range<usize>>,
}

impl SourceCode for Window<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = SourceSpan::new(span.offset().saturating_sub(self.base).into(), span.len());
        let inner = self.text.read_span(&local, before, after)?;
        let shifted = SourceSpan::new((inner.span().offset() + self.base).into(), inner.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            shifted,
            inner.line() + self.base_line,
            inner.column() + if inner.line() == 0 { self.base_column } else { 0 },
            inner.line_count(),
        )))
    }
}

struct Report<'a> {
    diag: &'a Diagnostic,
    message: String,
    window: Window<'a>,
    labels: Vec<&'a Label>,
    related: Vec<Report<'a>>,
}

impl<'a> Report<'a> {
    fn new(db: &'a SourceDb, diag: &'a Diagnostic) -> Report<'a> {
        let file = diag.primary.span.file;
        let mut labels = vec![&diag.primary];
        let mut others: Vec<&Label> = Vec::new();
        for l in &diag.secondary {
            if l.span.file == file {
                labels.push(l)
            } else {
                others.push(l)
            }
        }
        let related = others
            .into_iter()
            .map(|l| Report {
                diag,
                message: l.message.clone(),
                window: window(db, l.span.file, &[l]),
                labels: vec![l],
                related: Vec::new(),
            })
            .collect();
        let message = if diag.notes.is_empty() {
            diag.message.clone()
        } else {
            let notes: Vec<String> = diag.notes.iter().map(|n| format!("note: {n}")).collect();
            format!("{}\n{}", diag.message, notes.join("\n"))
        };
        Report {
            diag,
            message,
            window: window(db, file, &labels),
            labels,
            related,
        }
    }

    fn is_related(&self) -> bool {
        self.related.is_empty() && !std::ptr::eq(self.labels[0], &self.diag.primary)
    }
}

/// Longest line shown whole; past it, the line is clipped around the labels.
const MAX_SHOWN_LINE: usize = 400;

/// Most lines a label is drawn over; a longer span is drawn to there.
const MAX_SHOWN_LINES: usize = 12;

/// The lines around the labels, two lines of context on each side. When all
/// labels sit on one very long line, only the part around them is shown;
/// a span longer than [`MAX_SHOWN_LINE`] bytes on one line or
/// [`MAX_SHOWN_LINES`] lines is drawn over its start only.
fn window<'a>(db: &'a SourceDb, file: FileId, labels: &[&Label]) -> Window<'a> {
    let f = db.get(file);
    // What is drawn of each label: its start, up to a length.
    let clips: Vec<std::ops::Range<usize>> = labels
        .iter()
        .map(|l| {
            let (lo, hi) = (l.span.start as usize, l.span.end as usize);
            let lo_line = f.lines.line_of(lo);
            let hi_line = f.lines.line_of(hi);
            let hi = if hi_line > lo_line + MAX_SHOWN_LINES {
                f.lines.line_start(lo_line + MAX_SHOWN_LINES + 1).saturating_sub(1)
            } else if hi_line == lo_line {
                floor_char_boundary(&f.text, hi.min(lo + MAX_SHOWN_LINE))
            } else {
                hi
            };
            lo..hi
        })
        .collect();
    let lo = clips.iter().map(|c| c.start).min().unwrap_or(0);
    let hi = clips.iter().map(|c| c.end).max().unwrap_or(0);
    let line_end = |line: usize| {
        if line + 1 >= f.lines.line_count() {
            f.text.len()
        } else {
            f.lines.line_start(line + 1)
        }
    };
    let (lo_line, hi_line) = (f.lines.line_of(lo), f.lines.line_of(hi));
    if lo_line == hi_line && line_end(lo_line) - f.lines.line_start(lo_line) > MAX_SHOWN_LINE {
        let start = floor_char_boundary(
            &f.text,
            lo.saturating_sub(MAX_SHOWN_LINE / 2).max(f.lines.line_start(lo_line)),
        );
        let end = floor_char_boundary(&f.text, (hi + MAX_SHOWN_LINE / 2).min(line_end(lo_line)));
        return Window {
            name: &f.name,
            text: f.text.get(start..end).unwrap_or(""),
            base: start,
            base_line: lo_line,
            base_column: f.line_col(start).column - 1,
            clips,
        };
    }
    let first = lo_line.saturating_sub(2);
    let last = (hi_line + 3).min(f.lines.line_count());
    let base = f.lines.line_start(first);
    let end = if last >= f.lines.line_count() {
        f.text.len()
    } else {
        f.lines.line_start(last)
    };
    Window {
        name: &f.name,
        text: f.text.get(base..end).unwrap_or(""),
        base,
        base_line: first,
        base_column: 0,
        clips,
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    /// The code is in the header (see [`render`]), not on a line of its own.
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        None
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match (self.is_related(), self.diag.severity) {
            (true, _) => miette::Severity::Advice,
            (false, Severity::Error) => miette::Severity::Error,
            (false, Severity::Warning) => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.is_related() {
            return None;
        }
        self.diag.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.window)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = self.labels.first().map(|l| l.span);
        Some(Box::new(self.labels.iter().zip(&self.window.clips).map(
            move |(l, clip)| {
                let span = SourceSpan::new(clip.start.into(), clip.end - clip.start);
                let text = (!l.message.is_empty()).then(|| l.message.clone());
                if Some(l.span) == primary {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                }
            },
        )))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}
