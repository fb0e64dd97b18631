//! Plaintext credentials. Every string of the user's files is scanned, and
//! so is every string after interpolation (a key split across `${...}` or
//! passed through a template's parameter), and every identifier. What is
//! found:
//!
//! - the known token formats (AWS, GitHub, GitLab, Slack, Stripe, Google,
//!   npm, PyPI, SendGrid, Twilio, Azure storage keys, JSON web tokens,
//!   Slack and Discord webhooks), private key blocks of every kind;
//! - every URL with a password, `password=...`-style assignments (names
//!   such as `DB_PASS` too), command-line passwords (`--password X`,
//!   `curl -u user:pass`, `sshpass -p X`);
//! - AWS secret keys beside an AWS key word, and long random-looking
//!   tokens;
//! - a plain value given to an attribute whose name says it is a secret.
//!
//! Each finding points at the exact substring. Commit SHAs (40 hex digits,
//! as in pinned actions) are not secrets and are never flagged: hex has at
//! most 4 bits of entropy per character. A value read from somewhere
//! (`$VAR`, `${VAR}`, `${{ secrets.X }}`, `<placeholder>`) is not a secret.
//!
//! The scan of the syntax trees and of what interpolation put together is
//! here; what counts as a credential in a text is in `find.rs`.

mod find;

pub use find::{Finding, find_all, secret_name};
use find::{known_token, read_from_elsewhere};

use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::source::{SourceDb, Span};
use crate::syntax::ast::{Block, BlockLabel, Ident, Item, StrLit, StrPart, Value, ValueKind};

/// Scans the strings and identifiers of one file's items.
pub fn scan(db: &SourceDb, items: &[Item], diags: &mut Capped) {
    for item in items {
        match item {
            Item::Attribute(a) => {
                ident(&a.name, diags);
                value(db, &a.value, Some(&a.name.name), diags);
            }
            Item::Block(b) => block(db, b, diags),
            Item::Import(_) | Item::Error(_) => {}
        }
    }
}

fn block(db: &SourceDb, b: &Block, diags: &mut Capped) {
    for l in &b.labels {
        match l {
            BlockLabel::Str(s) => string(db, s, None, diags),
            BlockLabel::Ident(i) => ident(i, diags),
        }
    }
    if let Some(body) = &b.body {
        scan(db, &body.items, diags);
    }
}

fn value(db: &SourceDb, v: &Value, name: Option<&str>, diags: &mut Capped) {
    match &v.kind {
        ValueKind::Str(s) => string(db, s, name, diags),
        ValueKind::List(items) => items.iter().for_each(|i| value(db, i, name, diags)),
        ValueKind::Ref(p) => p.segments.iter().for_each(|i| ident(i, diags)),
        // `secret("NAME")` names a secret: its argument is no value, but it
        // may still be one pasted by mistake.
        ValueKind::Call { args, .. } => args.iter().for_each(|a| value(db, a, None, diags)),
        _ => {}
    }
}

/// An identifier in a known token format (`service AKIA...`).
fn ident(i: &Ident, diags: &mut Capped) {
    if let Some(what) = known_token(&i.name) {
        diags.push(report(what, i.span, None));
    }
}

fn string(db: &SourceDb, s: &StrLit, name: Option<&str>, diags: &mut Capped) {
    let mut found = false;
    for part in &s.parts {
        let StrPart::Text { text, span } = part else { continue };
        for f in find_all(text) {
            diags.push(report(f.what, exact(db, *span, &text[f.start..f.end]), name));
            found = true;
        }
    }
    if found {
        return;
    }
    // A name that says "secret" with a literal (non-empty, interpolation-free)
    // value.
    if let Some(n) = name
        && secret_name(n)
        && let Some(text) = s.as_plain()
        && text.len() >= 6
        && !read_from_elsewhere(&text)
    {
        diags.push(report(&format!("`{n}` holds a literal value"), s.span, name));
    }
}

/// Scans a string as interpolation made it (written at `at`), for what no
/// single piece of it showed: a credential put together from parts.
pub fn scan_interpolated(text: &str, pieces: &[&str], at: Span, site: Option<Span>, diags: &mut Capped) {
    for f in find_all(text) {
        let matched = &text[f.start..f.end];
        if pieces.iter().any(|p| p.contains(matched)) {
            continue; // reported where it is written
        }
        let mut d = report(f.what, at, None);
        d.message = format!("{} once interpolated", d.message);
        if let Some(site) = site {
            d = d.with_label(Label::new(site, "it is put together here"));
        }
        diags.push(d);
    }
}

/// The span of `matched` inside the source of `span` (a block string's
/// dedented text still holds it verbatim), else the whole span.
fn exact(db: &SourceDb, span: Span, matched: &str) -> Span {
    match db.slice(span).find(matched) {
        Some(at) if !matched.is_empty() => Span {
            start: span.start + at as u32,
            end: span.start + (at + matched.len()) as u32,
            ..span
        },
        _ => span,
    }
}

fn report(what: &str, span: Span, name: Option<&str>) -> Diagnostic {
    let var = name.map(|n| n.to_string()).unwrap_or_else(|| "NAME".to_string());
    let secret = var.to_ascii_lowercase().replace('_', "-");
    Diagnostic::new(
        Code::PlaintextCredential,
        format!("this looks like a credential in plain text: {what}"),
        Label::new(span, "a secret value must not be written in a .dvc file"),
    )
    .with_help(format!(
        "keep it in your secret store and reference it: `{var} = secret(\"{secret}\")` (in a `secrets {{ }}` block for services); then rotate it, since it is in history now. If it is no secret, say why on the line above: `# dvcc-allow DVC0601: REASON`"
    ))
}
