//! Between dvcc's data and the protocol's: `file:` URIs and paths, byte
//! offsets and UTF-16 positions, diagnostics and fixes.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types as lsp;

use crate::diag::render::human::DOCS_URL;
use crate::diag::{Diagnostic, Severity};
use crate::source::{Position, SourceDb, SourceFile, Span};

/// The path a `file:` URI names (`None` for other schemes). Percent escapes
/// are decoded; on Windows a drive letter loses its leading `/`.
pub fn uri_to_path(uri: &lsp::Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    // `file://host/path`: only the local host (empty or `localhost`).
    let path = if rest.starts_with('/') {
        rest
    } else {
        rest.strip_prefix("localhost")?
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    if cfg!(windows) {
        let trimmed = decoded.strip_prefix('/').unwrap_or(&decoded);
        return Some(PathBuf::from(trimmed.replace('/', "\\")));
    }
    Some(PathBuf::from(decoded))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `file:` URI of an absolute path, with every byte outside the
/// unreserved set and `/` percent-encoded (as VS Code writes them).
pub fn path_to_uri(path: &Path) -> Option<lsp::Uri> {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    lsp::Uri::from_str(&out).ok()
}

pub fn position(file: &SourceFile, offset: usize) -> lsp::Position {
    let p = file.position(offset);
    lsp::Position::new(p.line, p.character)
}

pub fn offset(file: &SourceFile, position: lsp::Position) -> usize {
    file.offset(Position {
        line: position.line,
        character: position.character,
    })
}

pub fn range(file: &SourceFile, start: usize, end: usize) -> lsp::Range {
    lsp::Range::new(position(file, start), position(file, end))
}

/// `services.dvc:5`: a span's file name (without its directories) and line,
/// as hovers and completion details name a place.
pub fn short_place(db: &SourceDb, span: Span) -> String {
    let file = db.get(span.file);
    let name = Path::new(&file.name)
        .file_name()
        .map_or_else(|| file.name.clone(), |n| n.to_string_lossy().into_owned());
    format!("{name}:{}", file.line_col(span.start as usize).line)
}

pub fn span_range(db: &SourceDb, span: Span) -> lsp::Range {
    range(db.get(span.file), span.start as usize, span.end as usize)
}

/// A location in a file of `db` (`None` when the file has no path: a
/// stdlib module).
pub fn location(
    db: &SourceDb,
    span: Span,
    uri_of: &dyn Fn(crate::source::FileId) -> Option<lsp::Uri>,
) -> Option<lsp::Location> {
    Some(lsp::Location::new(uri_of(span.file)?, span_range(db, span)))
}

/// A dvcc diagnostic as the protocol shows it: severity, the code linking
/// to its page, the help and notes appended to the message, secondary
/// labels as related information.
pub fn diagnostic(
    db: &SourceDb,
    d: &Diagnostic,
    uri_of: &dyn Fn(crate::source::FileId) -> Option<lsp::Uri>,
) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    let primary = &d.primary;
    if !primary.message.is_empty() && !d.message.contains(&primary.message) {
        message.push_str(&format!(" ({})", primary.message));
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    for note in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(note);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            Some(lsp::DiagnosticRelatedInformation {
                location: location(db, l.span, uri_of)?,
                message: if l.message.is_empty() {
                    "related".into()
                } else {
                    l.message.clone()
                },
            })
        })
        .collect();
    let code = d.code.to_string();
    lsp::Diagnostic {
        range: span_range(db, primary.span),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code_description: lsp::Uri::from_str(&format!("{DOCS_URL}{code}"))
            .ok()
            .map(|href| lsp::CodeDescription { href }),
        code: Some(lsp::NumberOrString::String(code)),
        source: Some("dvcc".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip_with_escapes() {
        let path = PathBuf::from("/tmp/my project/ünï#1.dvc");
        let uri = path_to_uri(&path).expect("a valid URI");
        assert_eq!(uri.as_str(), "file:///tmp/my%20project/%C3%BCn%C3%AF%231.dvc");
        assert_eq!(uri_to_path(&uri), Some(path));
    }

    #[test]
    fn other_schemes_and_hosts_have_no_path() {
        let untitled = lsp::Uri::from_str("untitled:Untitled-1").expect("a URI");
        assert_eq!(uri_to_path(&untitled), None);
        let remote = lsp::Uri::from_str("file://server/share/a.dvc").expect("a URI");
        assert_eq!(uri_to_path(&remote), None);
        let local = lsp::Uri::from_str("file://localhost/tmp/a.dvc").expect("a URI");
        assert_eq!(uri_to_path(&local), Some(PathBuf::from("/tmp/a.dvc")));
    }

    #[test]
    fn positions_count_utf16_units() {
        let mut db = SourceDb::new();
        let f = db.add("a.dvc", "x = \"😀\" # é\r\ny", crate::source::Origin::User);
        let file = db.get(f);
        let y = file.text.find('y').expect("y");
        assert_eq!(position(file, y), lsp::Position::new(1, 0));
        let hash = file.text.find('#').expect("#");
        assert_eq!(position(file, hash), lsp::Position::new(0, 9));
        assert_eq!(offset(file, lsp::Position::new(0, 9)), hash);
    }
}
