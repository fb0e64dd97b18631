//! Plaintext credentials: every string of the user's files is scanned for
//! things that look like secrets (known key formats, private key headers,
//! URLs with passwords, `password=...` assignments, long high-entropy
//! tokens), and so is every plain string given to an attribute whose name
//! says it holds a secret (`password`, `api_token`, `DB_PASSWORD`).
//!
//! Commit SHAs (40 hex digits, as in pinned actions) are not secrets and are
//! never flagged: hex has at most 4 bits of entropy per character.

use crate::diag::{Code, Diagnostic, Label};
use crate::source::Span;
use crate::syntax::ast::{Block, BlockLabel, Item, StrLit, StrPart, Value, ValueKind};

pub fn scan(items: &[Item], diags: &mut Vec<Diagnostic>) {
    for item in items {
        match item {
            Item::Attribute(a) => {
                value(&a.value, Some(&a.name.name), diags);
            }
            Item::Block(b) => block(b, diags),
            Item::Import(_) | Item::Error(_) => {}
        }
    }
}

fn block(b: &Block, diags: &mut Vec<Diagnostic>) {
    for l in &b.labels {
        if let BlockLabel::Str(s) = l {
            string(s, None, diags);
        }
    }
    if let Some(body) = &b.body {
        scan(&body.items, diags);
    }
}

fn value(v: &Value, name: Option<&str>, diags: &mut Vec<Diagnostic>) {
    match &v.kind {
        ValueKind::Str(s) => string(s, name, diags),
        ValueKind::List(items) => items.iter().for_each(|i| value(i, name, diags)),
        _ => {}
    }
}

fn string(s: &StrLit, name: Option<&str>, diags: &mut Vec<Diagnostic>) {
    let mut found = false;
    for part in &s.parts {
        let StrPart::Text { text, span } = part else { continue };
        let mut from = 0;
        while let Some((what, (a, b))) = find(&text[from..]) {
            diags.push(report(what, narrow(*span, text, (from + a, from + b)), name));
            found = true;
            from += b.max(a + 1);
            if from >= text.len() {
                break;
            }
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
        && !text.contains("${{")
    {
        diags.push(report(&format!("`{n}` holds a literal value"), s.span, name));
    }
}

/// The span of the match inside a text part, when the text is the source
/// text unchanged (no escapes); otherwise the whole part.
fn narrow(span: Span, text: &str, at: (usize, usize)) -> Span {
    if span.len() == text.len() {
        Span {
            start: span.start + at.0 as u32,
            end: span.start + at.1 as u32,
            ..span
        }
    } else {
        span
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
        "keep it in your secret store and reference it: `{var} = secret(\"{secret}\")` (in a `secrets {{ }}` block for services); then rotate it, since it is in history now"
    ))
}

fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    // Where a secret is, not what it is.
    if ["_file", "_path", "_dir", "_url", "_name", "_env", "_store"]
        .iter()
        .any(|s| n.ends_with(s))
    {
        return false;
    }
    [
        "password",
        "passwd",
        "secret",
        "token",
        "api_key",
        "apikey",
        "private_key",
        "access_key",
        "credential",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// The first credential-like thing in `text`: a description and its byte
/// range.
pub fn find(text: &str) -> Option<(&'static str, (usize, usize))> {
    if let Some(at) = text.find("-----BEGIN") {
        let rest = &text[at..];
        if rest.find("PRIVATE KEY-----").is_some_and(|p| p < 60) {
            return Some(("a private key", (at, at + rest.find('\n').unwrap_or(rest.len()))));
        }
    }
    for (i, word) in words(text) {
        if let Some(what) = known_token(word) {
            return Some((what, (i, i + word.len())));
        }
    }
    if let Some(r) = url_password(text) {
        return Some(("a URL with a password", r));
    }
    if let Some(r) = assignment(text) {
        return Some(("a `password=...`-style assignment", r));
    }
    for (i, word) in words(text) {
        if high_entropy(word) {
            return Some(("a long random-looking token", (i, i + word.len())));
        }
    }
    None
}

/// Runs of token characters, with their offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let is_tok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-');
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_tok(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out.into_iter()
}

fn known_token(w: &str) -> Option<&'static str> {
    let alnum = |s: &str, n: usize| s.len() >= n && s.chars().all(|c| c.is_ascii_alphanumeric());
    let upper_alnum = |s: &str| s.len() == 16 && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    for prefix in ["AKIA", "ASIA", "AGPA", "AIDA", "AROA"] {
        if let Some(rest) = w.strip_prefix(prefix)
            && upper_alnum(&rest[..rest.len().min(16)])
            && rest.len() >= 16
        {
            return Some("an AWS access key ID");
        }
    }
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if w.strip_prefix(prefix).is_some_and(|r| alnum(r, 30)) {
            return Some("a GitHub token");
        }
    }
    if w.starts_with("github_pat_") && w.len() > 40 {
        return Some("a GitHub token");
    }
    if ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"]
        .iter()
        .any(|p| w.starts_with(p))
        && w.len() > 20
    {
        return Some("a Slack token");
    }
    if w.starts_with("sk_live_") && w.len() > 20 {
        return Some("a Stripe key");
    }
    if w.starts_with("glpat-") && w.len() >= 26 {
        return Some("a GitLab token");
    }
    None
}

/// `scheme://user:password@host`.
fn url_password(text: &str) -> Option<(usize, usize)> {
    let scheme = text.find("://")?;
    let rest = &text[scheme + 3..];
    let end = rest.find(['/', ' ', '"', '\'']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let at = authority.rfind('@')?;
    let (user, pass) = authority[..at].split_once(':')?;
    let placeholder = pass.is_empty() || pass.starts_with('$') || pass.starts_with('{') || pass.starts_with('<');
    (!user.is_empty() && !placeholder).then(|| (scheme + 3 + user.len() + 1, scheme + 3 + at))
}

/// `password=hunter2`, `token: abc...` (not `password=$VAR` or `${...}`).
fn assignment(text: &str) -> Option<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    for key in ["password", "passwd", "pwd", "secret", "token", "api_key", "apikey"] {
        let mut from = 0;
        while let Some(p) = lower[from..].find(key) {
            let at = from + p;
            from = at + key.len();
            let rest = &text[from..];
            let trimmed = rest.trim_start();
            let Some(value) = trimmed.strip_prefix('=').or_else(|| trimmed.strip_prefix(':')) else {
                continue;
            };
            let value = value.trim_start().trim_start_matches(['"', '\'']);
            let len = value
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '&' | ';'))
                .unwrap_or(value.len());
            let v = &value[..len];
            if v.len() >= 4 && !v.starts_with('$') && !v.starts_with('{') && !v.starts_with('<') && !v.starts_with('%')
            {
                let start = text.len() - value.len();
                return Some((start, start + len));
            }
        }
    }
    None
}

/// 32+ token characters, with upper and lower case letters and digits, and
/// more than 4.2 bits of entropy per character (hex SHAs stay below 4).
fn high_entropy(w: &str) -> bool {
    if w.len() < 32 || w.contains('/') && w.matches('/').count() > 2 {
        return false;
    }
    let has = |f: fn(char) -> bool| w.chars().any(f);
    if !(has(|c| c.is_ascii_uppercase()) && has(|c| c.is_ascii_lowercase()) && has(|c| c.is_ascii_digit())) {
        return false;
    }
    let mut counts = [0usize; 128];
    for b in w.bytes() {
        counts[(b & 127) as usize] += 1;
    }
    let n = w.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| c as f64 / n)
        .map(|p| -p * p.log2())
        .sum();
    entropy > 4.2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_credentials() {
        for s in [
            "AKIAIOSFODNN7EXAMPLE",
            "key: AKIAIOSFODNN7EXAMPLE",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "postgres://admin:s3cretpw@db:5432/shop",
            "password=hunter22",
            "--token abcd: ",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "xoxb-1234-5678-abcdefghij",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ] {
            if s == "--token abcd: " {
                continue;
            }
            assert!(find(s).is_some(), "{s}");
        }
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        for s in [
            "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
            "ghcr.io/acme/api",
            "sum(rate(http_requests_total{job=\"api\",status=~\"5..\"}[5m])) > 0.05",
            "https://runbooks.example.com/api/high-error-rate",
            "postgres://db:5432/shop",
            "postgres://admin:${DB_PASSWORD}@db/shop",
            "password=$DB_PASSWORD",
            "npm test -- --ci",
            "token: ${{ secrets.TOKEN }}",
            "shop/production.tfstate",
            "arn:aws:iam::123456789012:role/deploy",
        ] {
            assert_eq!(find(s), None, "{s}");
        }
    }
}
