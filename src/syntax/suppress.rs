//! Suppressions: a comment `# dvcc-allow CODE: REASON` on the line above an
//! item, or at the end of its line, allows that code's diagnostics inside
//! the item (a block with everything in it, or one attribute). Every
//! warning can be allowed, and so can a plaintext-credential report
//! (DVC0601: a throwaway password is not a credential); other errors
//! cannot. A reason is required; `dvcc lint` lists what was allowed and
//! why, and reports a suppression that allows nothing.

use super::ast::{Comment, File, Item};
use crate::diag::{Code, Diagnostic, Label, Severity};
use crate::source::Span;

/// The word that starts a suppression comment.
pub const DIRECTIVE: &str = "dvcc-allow";

/// One suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub codes: Vec<Code>,
    pub reason: String,
    /// What it covers: the item it is attached to.
    pub region: Span,
    /// The comment.
    pub directive: Span,
}

/// Whether a diagnostic of `code` may be allowed.
pub fn allowable(code: Code) -> bool {
    code.default_severity() == Severity::Warning || code == Code::PlaintextCredential
}

/// The suppressions of a file (`text` is its text), and the reports of
/// malformed ones.
pub fn suppressions(file: &File, text: &str) -> (Vec<Suppression>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    // A directive names itself: a text without the word has none (found
    // by a vectorised search, not by walking every item's comments).
    if memchr::memmem::find(text.as_bytes(), DIRECTIVE.as_bytes()).is_none() {
        return (out, diags);
    }
    // Past a block that is never closed (DVC0102), a directive may have
    // lost its item to the recovery: not a second problem.
    let quiet = unclosed(&file.items);
    items(&file.items, text, quiet, &mut out, &mut diags);
    if !quiet {
        for c in &file.dangling {
            dangling(c, text, &mut diags);
        }
    }
    (out, diags)
}

/// Whether some block among `items` is never closed.
fn unclosed(items: &[Item]) -> bool {
    items.iter().any(|i| match i {
        Item::Block(b) => b
            .body
            .as_ref()
            .is_some_and(|body| body.close.is_none() || unclosed(&body.items)),
        _ => false,
    })
}

fn items(items: &[Item], text: &str, quiet: bool, out: &mut Vec<Suppression>, diags: &mut Vec<Diagnostic>) {
    for item in items {
        let comments = item.comments();
        // Above it, at the end of its line, or inside its header (a block
        // without a body takes the comment at the end of its line so).
        for c in comments.leading.iter().chain(&comments.trailing).chain(&comments.inner) {
            if let Some(parsed) = parse(c, text, diags) {
                out.push(Suppression {
                    codes: parsed.0,
                    reason: parsed.1,
                    region: item.span(),
                    directive: c.span,
                });
            }
        }
        if let Item::Block(b) = item
            && let Some(body) = &b.body
        {
            self::items(&body.items, text, quiet, out, diags);
            if !quiet {
                for c in &body.dangling {
                    dangling(c, text, diags);
                }
            }
        }
    }
}

/// A directive attached to no item.
fn dangling(c: &Comment, text: &str, diags: &mut Vec<Diagnostic>) {
    let mut ignore = Vec::new();
    if parse(c, text, &mut ignore).is_some() {
        diags.push(
            Diagnostic::new(
                Code::InvalidSuppression,
                "this suppression allows nothing: no item follows it",
                Label::new(c.span, "not on the line above an item, nor at the end of its line"),
            )
            .with_help("put it on the line just above the attribute or block it is about"),
        );
    }
}

/// The codes and reason of a directive comment (reporting what is wrong
/// with it); `None` when it is no directive or unusable.
fn parse(c: &Comment, text: &str, diags: &mut Vec<Diagnostic>) -> Option<(Vec<Code>, String)> {
    let body = text.get(c.span.range())?;
    let body = body
        .trim_start_matches('#')
        .trim_start_matches("//")
        .trim_start_matches("/*")
        .trim_end_matches("*/")
        .trim();
    let rest = body.strip_prefix(DIRECTIVE)?;
    if !rest.starts_with([' ', '\t', ':']) && !rest.is_empty() {
        return None; // `dvcc-allowed`, a word of prose
    }
    let (codes_text, reason) = match rest.split_once(':') {
        Some((codes, reason)) => (codes, reason.trim()),
        None => (rest, ""),
    };
    let bad = |message: String, help: &str| {
        Diagnostic::new(
            Code::InvalidSuppression,
            message,
            Label::new(c.span, "this suppression is not applied"),
        )
        .with_help(help.to_string())
    };
    let mut codes = Vec::new();
    for word in codes_text.split([' ', ',', '\t']).filter(|w| !w.is_empty()) {
        match Code::parse(word) {
            Some(code) if allowable(code) => codes.push(code),
            Some(code) => {
                diags.push(bad(
                    format!("{} is an error, which cannot be allowed", code.as_str()),
                    "fix what it reports; only warnings and DVC0601 (a value that is no credential) can be allowed",
                ));
                return None;
            }
            None => {
                diags.push(bad(
                    format!("`{word}` is not a dvcc diagnostic code"),
                    "write the code the diagnostic shows, such as `DVC0601`; `dvcc explain --list` lists them",
                ));
                return None;
            }
        }
    }
    if codes.is_empty() {
        diags.push(bad(
            "this suppression names no code".to_string(),
            "write `# dvcc-allow CODE: REASON`, such as `# dvcc-allow DVC0601: a temporary keychain's password`",
        ));
        return None;
    }
    if reason.is_empty() {
        diags.push(bad(
            "this suppression gives no reason".to_string(),
            "say why after a colon, so reviewers can judge it: `# dvcc-allow DVC0601: a temporary keychain's password`",
        ));
        return None;
    }
    Some((codes, reason.to_string()))
}

/// What applying suppressions gave: the diagnostics kept, the ones
/// allowed (with the suppression's reason), and the suppressions that
/// allowed nothing.
#[derive(Debug, Default)]
pub struct Applied {
    pub kept: Vec<Diagnostic>,
    pub allowed: Vec<(Diagnostic, Suppression)>,
    pub unused: Vec<Suppression>,
}

/// Applies `suppressions` to `diags`: a diagnostic whose code a suppression
/// names and whose primary span lies in its region is allowed.
pub fn apply(diags: Vec<Diagnostic>, suppressions: &[Suppression]) -> Applied {
    let mut used = vec![false; suppressions.len()];
    let mut out = Applied::default();
    for d in diags {
        let span = d.primary.span;
        let by = suppressions.iter().position(|s| {
            s.codes.contains(&d.code)
                && s.region.file == span.file
                && s.region.start <= span.start
                && span.end <= s.region.end
        });
        match by {
            Some(i) => {
                used[i] = true;
                out.allowed.push((d, suppressions[i].clone()));
            }
            None => out.kept.push(d),
        }
    }
    out.unused = suppressions
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(s, _)| s.clone())
        .collect();
    out
}

/// The warning for a suppression that allowed nothing.
pub fn unused(s: &Suppression) -> Diagnostic {
    let codes: Vec<&str> = s.codes.iter().map(|c| c.as_str()).collect();
    Diagnostic::new(
        Code::UnusedSuppression,
        format!("this suppression of {} allows nothing", codes.join(", ")),
        Label::new(s.directive, "no such diagnostic in the item it is attached to"),
    )
    .with_help("remove it: what it was for is gone, or it is attached to another item")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    fn parsed(src: &str) -> (Vec<Suppression>, Vec<Code>) {
        let p = crate::syntax::parse_text(FileId(0), src);
        let (s, d) = suppressions(&p.ast, src);
        (s, d.iter().map(|d| d.code).collect())
    }

    #[test]
    fn directives_attach_to_their_item() {
        let src = "job t {\n  # dvcc-allow DVC0601: a temporary keychain's password\n  run \"x\"\n  run \"y\" // dvcc-allow DVC0205, DVC0601: two reasons in one\n}\n";
        let (s, bad) = parsed(src);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(s.len(), 2);
        assert_eq!(&src[s[0].region.range()], "run \"x\"");
        assert_eq!(s[0].reason, "a temporary keychain's password");
        assert_eq!(s[1].codes, [Code::UnusedDeclaration, Code::PlaintextCredential]);
    }

    #[test]
    fn malformed_directives_are_reported() {
        for src in [
            "# dvcc-allow DVC0203: an error\nx = 1\n",
            "# dvcc-allow DVC9999: no such code\nx = 1\n",
            "# dvcc-allow DVC0601\nx = 1\n",
            "# dvcc-allow: no code\nx = 1\n",
            "x = 1\n# dvcc-allow DVC0601: after everything\n",
        ] {
            let (s, bad) = parsed(src);
            assert!(s.is_empty(), "{src}");
            assert_eq!(bad, [Code::InvalidSuppression], "{src}");
        }
        let (s, bad) = parsed("# dvcc-allowed words of prose\nx = 1\n");
        assert!(s.is_empty() && bad.is_empty());
    }
}
