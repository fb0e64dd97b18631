//! GitHub Actions expressions (`${{ ... }}`), parsed, and the taint of
//! their values: whether an outsider can choose the text an expression
//! evaluates to (an issue's title, a branch name of a fork, a commit
//! message). Contexts are case-insensitive, as GitHub reads them.
//!
//! Taint is decided by rule, not by a list of known-bad paths: every field
//! of `github.event` is untrusted unless it is one the event's sender cannot
//! choose freely (ids, numbers, commit SHAs, times, counts, flags, the
//! repository the workflow runs in); functions that pass text through
//! (`toJSON`, `fromJSON`, `format`, `join`) carry taint, functions and
//! operators that make booleans or hashes do not; `matrix.*` and `env.*`
//! are as tainted as the values they were given (see `Inputs`).

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A context path, lowercased: `github.event.issue.title`, with `*`
    /// for `[...]` and `.*` (any element).
    Path(Vec<String>),
    /// A literal (string, number, boolean, null).
    Literal,
    Call(String, Vec<Expr>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`: a boolean.
    Compare(Box<Expr>, Box<Expr>),
}

/// The most nesting an expression may have before it is read as untrusted
/// as a whole (it is never evaluated by dvcc).
const MAX_DEPTH: usize = 64;

/// Every `${{ ... }}` in `text`: (start, end) byte offsets of the whole
/// expression and its inner text. An expression ends at the first `}}`
/// outside a string literal; an unclosed one runs to the end of the text.
pub fn expressions(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    let b = text.as_bytes();
    // (A `$` found by `memchr`, then its braces: most texts hold none, and
    // a substring searcher's set-up cost more than the search.)
    let opening = |from: usize| {
        memchr::memchr_iter(b'$', &b[from..])
            .map(|i| from + i)
            .find(|&i| b[i..].starts_with(b"${{"))
    };
    while let Some(start) = opening(from) {
        let inner_start = start + 3;
        let mut i = inner_start;
        let mut quoted = false;
        let end = loop {
            match b.get(i) {
                None => break text.len(),
                Some(b'\'') => quoted = !quoted,
                Some(b'}') if !quoted && b.get(i + 1) == Some(&b'}') => break i + 2,
                _ => {}
            }
            i += 1;
        };
        let inner_end = if end >= inner_start + 2 && text[..end].ends_with("}}") {
            end - 2
        } else {
            end
        };
        out.push((start, end, &text[inner_start..inner_end.max(inner_start)]));
        from = end.max(start + 3);
    }
    out
}

/// Parses the inside of `${{ ... }}`; `None` when it is no expression
/// GitHub would accept (it is then read as untrusted as a whole).
pub fn parse(inner: &str) -> Option<Expr> {
    let tokens = tokenize(inner)?;
    let mut p = Parser {
        tokens,
        at: 0,
        depth: 0,
    };
    let e = p.or()?;
    (p.at == p.tokens.len()).then_some(e)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Literal,
    Dot,
    Star,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
    Not,
    And,
    Or,
    Compare,
}

fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'\'' => {
                // '' is a quote inside a string.
                i += 1;
                loop {
                    match b.get(i) {
                        None => return None,
                        Some(b'\'') if b.get(i + 1) == Some(&b'\'') => i += 2,
                        Some(b'\'') => break,
                        _ => i += 1,
                    }
                }
                i += 1;
                out.push(Tok::Literal);
            }
            b'.' if !b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                out.push(Tok::Dot);
                i += 1;
            }
            b'*' | b'[' | b']' | b'(' | b')' | b',' => {
                out.push(match c {
                    b'*' => Tok::Star,
                    b'[' => Tok::LBracket,
                    b']' => Tok::RBracket,
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    _ => Tok::Comma,
                });
                i += 1;
            }
            b'!' if b.get(i + 1) == Some(&b'=') => {
                out.push(Tok::Compare);
                i += 2;
            }
            b'!' => {
                out.push(Tok::Not);
                i += 1;
            }
            b'=' if b.get(i + 1) == Some(&b'=') => {
                out.push(Tok::Compare);
                i += 2;
            }
            b'<' | b'>' => {
                out.push(Tok::Compare);
                i += if b.get(i + 1) == Some(&b'=') { 2 } else { 1 };
            }
            b'&' if b.get(i + 1) == Some(&b'&') => {
                out.push(Tok::And);
                i += 2;
            }
            b'|' if b.get(i + 1) == Some(&b'|') => {
                out.push(Tok::Or);
                i += 2;
            }
            b'0'..=b'9' | b'-' | b'+' | b'.' => {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                    i += 1;
                }
                out.push(Tok::Literal);
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                    i += 1;
                }
                let word = s[start..i].to_ascii_lowercase();
                out.push(match word.as_str() {
                    "true" | "false" | "null" | "nan" | "infinity" => Tok::Literal,
                    _ => Tok::Ident(word),
                });
            }
            _ => return None,
        }
    }
    Some(out)
}

struct Parser {
    tokens: Vec<Tok>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == Some(t) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn nest(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn or(&mut self) -> Option<Expr> {
        self.nest()?;
        let mut e = self.and()?;
        while self.eat(&Tok::Or) {
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        self.depth -= 1;
        Some(e)
    }

    fn and(&mut self) -> Option<Expr> {
        let mut e = self.compare()?;
        while self.eat(&Tok::And) {
            e = Expr::And(Box::new(e), Box::new(self.compare()?));
        }
        Some(e)
    }

    fn compare(&mut self) -> Option<Expr> {
        let mut e = self.unary()?;
        while self.eat(&Tok::Compare) {
            e = Expr::Compare(Box::new(e), Box::new(self.unary()?));
        }
        Some(e)
    }

    fn unary(&mut self) -> Option<Expr> {
        if self.eat(&Tok::Not) {
            self.nest()?;
            let e = Expr::Not(Box::new(self.unary()?));
            self.depth -= 1;
            return Some(e);
        }
        self.primary()
    }

    fn primary(&mut self) -> Option<Expr> {
        let base = match self.peek()?.clone() {
            Tok::Literal => {
                self.at += 1;
                Expr::Literal
            }
            Tok::LParen => {
                self.at += 1;
                let e = self.or()?;
                self.eat(&Tok::RParen).then_some(())?;
                e
            }
            Tok::Ident(name) => {
                self.at += 1;
                if self.eat(&Tok::LParen) {
                    let mut args = Vec::new();
                    if !self.eat(&Tok::RParen) {
                        loop {
                            args.push(self.or()?);
                            if self.eat(&Tok::RParen) {
                                break;
                            }
                            self.eat(&Tok::Comma).then_some(())?;
                        }
                    }
                    Expr::Call(name, args)
                } else {
                    Expr::Path(vec![name])
                }
            }
            _ => return None,
        };
        self.postfix(base)
    }

    /// `.name`, `.*` and `[...]` after a value.
    fn postfix(&mut self, mut e: Expr) -> Option<Expr> {
        loop {
            if self.eat(&Tok::Dot) {
                let seg = match self.peek()?.clone() {
                    Tok::Ident(n) => n,
                    Tok::Star => "*".to_string(),
                    _ => return None,
                };
                self.at += 1;
                e = extend(e, seg);
            } else if self.eat(&Tok::LBracket) {
                // An index, a name in quotes or any other expression: read
                // as any element (`x['a']` as `x.*`, which is never safer).
                if !self.eat(&Tok::Star) {
                    self.or()?;
                }
                self.eat(&Tok::RBracket).then_some(())?;
                e = extend(e, "*".to_string());
            } else {
                return Some(e);
            }
        }
    }
}

/// `e` followed by one more path segment; a call's result indexed stays
/// the call (its taint is the call's).
fn extend(e: Expr, seg: String) -> Expr {
    match e {
        Expr::Path(mut p) => {
            p.push(seg);
            Expr::Path(p)
        }
        other => other,
    }
}

/// Where the values of `matrix.*` and `env.*` came from: for each name,
/// the untrusted context one of its values reads, if any.
pub struct Inputs<'a> {
    pub matrix: &'a dyn Fn(&str) -> Option<String>,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl Inputs<'_> {
    /// No matrix and no environment.
    pub fn none() -> Inputs<'static> {
        Inputs {
            matrix: &|_| None,
            env: &|_| None,
        }
    }
}

/// The untrusted context the value of `e` can carry as text, if any.
pub fn taint(e: &Expr, inputs: &Inputs<'_>) -> Option<String> {
    match e {
        Expr::Literal | Expr::Compare(..) | Expr::Not(_) => None,
        Expr::And(_, b) => taint(b, inputs),
        Expr::Or(a, b) => taint(a, inputs).or_else(|| taint(b, inputs)),
        Expr::Call(f, args) => match f.as_str() {
            // Booleans and hashes.
            "contains" | "startswith" | "endswith" | "hashfiles" | "success" | "always" | "failure" | "cancelled" => {
                None
            }
            // `toJSON`, `fromJSON`, `format`, `join` and anything unknown
            // pass their arguments' text on.
            _ => args.iter().find_map(|a| taint(a, inputs)),
        },
        Expr::Path(p) => path_taint(p, inputs),
    }
}

/// The taint of a context path.
fn path_taint(p: &[String], inputs: &Inputs<'_>) -> Option<String> {
    let dotted = || p.join(".");
    match p.first().map(String::as_str) {
        Some("github") => match p.get(1).map(String::as_str) {
            // `github` as a whole, `toJSON(github)`: the event is in it.
            None => Some(dotted()),
            Some("head_ref") => Some(dotted()),
            Some("event") => event_taint(&p[2..]).then(dotted),
            Some(_) => None,
        },
        Some("matrix") => match p.get(1) {
            Some(name) if name != "*" => (inputs.matrix)(name),
            _ => (inputs.matrix)("*"),
        },
        Some("env") => match p.get(1) {
            Some(name) if name != "*" => (inputs.env)(name),
            _ => (inputs.env)("*"),
        },
        _ => None,
    }
}

/// Whether `github.event.<rest>` can hold text an outsider chose.
fn event_taint(rest: &[String]) -> bool {
    // The event as a whole, or an object of it: it holds such text.
    let Some(last) = rest.last() else { return true };
    // The repository the workflow runs in belongs to its owners; inputs of
    // a manual run come from people who may run it.
    if matches!(rest.first().map(String::as_str), Some("repository" | "inputs")) {
        return false;
    }
    let safe = matches!(
        last.as_str(),
        "id" | "number"
            | "sha"
            | "before"
            | "after"
            | "size"
            | "draft"
            | "merged"
            | "locked"
            | "private"
            | "fork"
            | "site_admin"
            | "deleted"
            | "forced"
            | "created"
            | "additions"
            | "deletions"
            | "changed_files"
            | "run_number"
            | "run_attempt"
            | "ahead_by"
            | "behind_by"
            | "login"
    ) || last.ends_with("_at")
        || last.ends_with("_id")
        || last.ends_with("_count");
    !safe
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tainted(expr: &str) -> Option<String> {
        let found = expressions(expr);
        let (_, _, inner) = found.first().copied().expect("an expression");
        match parse(inner) {
            Some(e) => taint(&e, &Inputs::none()),
            None => Some("(unparsable)".into()),
        }
    }

    #[test]
    fn untrusted_event_fields_by_rule() {
        for bad in [
            "${{ github.event.issue.title }}",
            "${{ GITHUB.EVENT.ISSUE.TITLE }}",
            "${{ github.event['issue']['body'] }}",
            "${{ toJSON(github.event) }}",
            "${{ toJson(github) }}",
            "${{ github.event.head_commit.committer.name }}",
            "${{ github.event.discussion_comment.body }}",
            "${{ github.event.release.body }}",
            "${{ github.event.pull_request.head.ref }}",
            "${{ github.head_ref }}",
            "${{ join(github.event.commits.*.message, ' ') }}",
            "${{ format('{0}', github.event.comment.body) }}",
            "${{ github.event.pull_request.labels[0].name }}",
            "${{ false || github.event.issue.title }}",
            "${{ github.event.issue.title && 'x' }} is fine, this is not: ${{ 'x' && github.event.issue.title }}",
        ] {
            let found = expressions(bad);
            let any = found.iter().any(|(_, _, inner)| match parse(inner) {
                Some(e) => taint(&e, &Inputs::none()).is_some(),
                None => true,
            });
            assert!(any, "{bad}");
        }
    }

    #[test]
    fn safe_values() {
        for ok in [
            "${{ github.sha }}",
            "${{ github.event.pull_request.number }}",
            "${{ github.event.pull_request.head.sha }}",
            "${{ github.event.repository.name }}",
            "${{ github.event.sender.login }}",
            "${{ contains(github.event.issue.title, 'x') }}",
            "${{ github.event.issue.title == 'x' }}",
            "${{ !github.event.issue.title }}",
            "${{ hashFiles('**/x') }}",
            "${{ inputs.suite || 'smoke' }}",
            "${{ secrets.TOKEN }}",
            "${{ 'it''s' }}",
            "${{ matrix.node }}",
        ] {
            assert_eq!(tainted(ok), None, "{ok}");
        }
    }

    #[test]
    fn matrix_and_env_carry_their_values_taint() {
        let matrix = |k: &str| (k == "title" || k == "*").then(|| "github.event.issue.title".to_string());
        let inputs = Inputs {
            matrix: &matrix,
            env: &|_| None,
        };
        let e = parse(" matrix.title ").expect("parses");
        assert!(taint(&e, &inputs).is_some());
        let e = parse("toJSON(matrix)").expect("parses");
        assert!(taint(&e, &inputs).is_some());
        let e = parse("matrix.os").expect("parses");
        assert!(taint(&e, &inputs).is_none());
    }

    #[test]
    fn expressions_end_outside_strings() {
        let text = "a ${{ '}}' }} b ${{ x";
        let found = expressions(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].2, " '}}' ");
        assert_eq!(&text[found[0].0..found[0].1], "${{ '}}' }}");
        assert_eq!(found[1].2, " x");
        assert_eq!(parse("a.b("), None);
        assert_eq!(parse("'unterminated"), None);
    }
}
