//! Explains an error item: the text that no item alternative accepted.
//!
//! The item is parsed again alone with the strict `probe` rule; pest's
//! farthest failure position and the tokens it expected there give the label
//! ("expected `=` or `{`"). Habits from other formats get their own codes:
//! YAML's `name: value` (DVC0109), HCL's `name = { ... }` (DVC0113), and a
//! block's `{` on the next line (DVC0111).

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};
use pest::set_error_detail;
use std::sync::{Mutex, PoisonError};

use super::ast::Item;
use super::parser::{DvcParser, Rule};
use crate::diag::{Code, Diagnostic, Label};
use crate::source::Span;

pub fn diagnose(text: &str, span: Span, prev: Option<&Item>) -> Diagnostic {
    let item = text.get(span.range()).unwrap_or("");
    if let Some(d) = brace_on_next_line(text, span, item, prev) {
        return d;
    }
    let err = match probe(item) {
        Ok(_) => {
            return Diagnostic::new(
                Code::SyntaxError,
                "unexpected text",
                Label::new(span, "this is not an item here"),
            )
            .with_help("an item is a block `KIND LABEL* { ... }`, an attribute `NAME = VALUE` or an `import`");
        }
        Err(e) => e,
    };
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let pos = crate::source::floor_char_boundary(item, pos);
    // pest stops before white space; point at what follows it.
    let pos = pos + (item[pos..].len() - item[pos..].trim_start_matches([' ', '\t']).len());
    let (found, len) = describe(item, pos);
    let at = Span::new(span.file, span.start as usize + pos, span.start as usize + pos + len);
    let before = item[..pos].trim_end();
    let name = item
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .next()
        .unwrap_or("");

    if item[pos..].starts_with(':') && !name.is_empty() && before.chars().all(|c| c != '=') {
        return Diagnostic::new(
            Code::YamlStyleAttribute,
            format!("`{name}:` is YAML syntax, not dvcc"),
            Label::new(at, "dvcc does not use `:` here"),
        )
        .with_help(yaml_help(name, item[pos + 1..].trim()));
    }
    if item[pos..].starts_with('{') && before.ends_with('=') && !name.is_empty() {
        let eq = span.start as usize + before.len() - 1;
        return Diagnostic::new(
            Code::EqualsBeforeBlock,
            format!("`{name} = {{` puts `=` before a block"),
            Label::new(Span::new(span.file, eq, eq + 1), "a block takes no `=`"),
        )
        .with_help(format!("remove the `=`: write `{name} {{ ... }}`"));
    }
    let expected = expected(&err);
    let label = if expected.is_empty() {
        "not expected here".to_string()
    } else {
        format!("expected {expected}")
    };
    let mut d = Diagnostic::new(Code::SyntaxError, format!("unexpected {found}"), Label::new(at, label));
    if pos > 0 && !before.is_empty() {
        d = d.with_label(Label::new(
            Span::new(span.file, span.start as usize, span.start as usize + before.len()),
            "this item could not be parsed",
        ));
    }
    d.with_help(help_for(item, pos, &expected))
}

fn help_for(item: &str, pos: usize, expected: &str) -> &'static str {
    let rest = &item[pos..];
    let before = &item[..pos];
    let open_lists = before.matches(['[', '(']).count() > before.matches([']', ')']).count();
    if open_lists && expected.contains("`,`") {
        "separate the elements of a list, or the arguments of a call, with `,`"
    } else if expected == "a value" {
        "a value is a string, a number, `true`/`false`, a unit literal (`30s`, `512Mi`, `10%`), a range `2..10`, a list `[a, b]`, a reference (`api.port`) or a call (`secret(\"NAME\")`)"
    } else if rest.starts_with(';') || rest.starts_with(',') {
        "items are separated by white space or new lines; remove the separator"
    } else if pos == 0 && rest.starts_with(|c: char| c.is_ascii_digit()) {
        "an item starts with a name; give the value a name (`NAME = VALUE`) or join it to the value before as a list `[a, b]`"
    } else if pos == 0 {
        "an item is a block `KIND LABEL* { ... }`, an attribute `NAME = VALUE` or an `import \"...\"`"
    } else {
        "check the text at the label; `dvcc explain DVC0101` lists the forms of items and values"
    }
}

fn yaml_help(name: &str, value: &str) -> String {
    let value = value.lines().next().unwrap_or("").trim();
    if value.is_empty() || value.starts_with('{') {
        format!("write a block without `:`: `{name} {{ ... }}`")
    } else {
        format!("write an attribute with `=`: `{name} = {value}`")
    }
}

/// How many probes are parsing. pest's error-detail switch is process-wide
/// and read when a parse starts; probes run on several threads at once, so
/// the switch is on while any probe runs and the last one to finish turns
/// it off (both under this lock).
static ACTIVE: Mutex<usize> = Mutex::new(0);

/// Parses `item` with the strict `probe` rule, with pest's error detail
/// (the tokens tried at the farthest position) switched on for this parse
/// only: it makes every parse slower, and the chunk parses never need it.
fn probe(item: &str) -> Result<(), pest::error::Error<Rule>> {
    let enter = |delta: isize| {
        let mut n = ACTIVE.lock().unwrap_or_else(PoisonError::into_inner);
        *n = n.saturating_add_signed(delta);
        set_error_detail(*n > 0);
    };
    enter(1);
    let result = DvcParser::parse(Rule::probe, item).map(drop);
    enter(-1);
    result
}

/// `job build` then `{` on the next line.
pub(super) fn brace_on_next_line(text: &str, span: Span, item: &str, prev: Option<&Item>) -> Option<Diagnostic> {
    if !item.starts_with('{') {
        return None;
    }
    let Some(Item::Block(b)) = prev else { return None };
    if b.body.is_some() {
        return None;
    }
    let between = text.get(b.span.end as usize..span.start as usize)?;
    if between.trim().is_empty() && between.matches('\n').count() == 1 {
        let header = text.get(b.span.range()).unwrap_or("").trim_end();
        let open = Span {
            end: span.start + 1,
            ..span
        };
        return Some(
            Diagnostic::new(
                Code::BraceOnNextLine,
                format!("the `{{` of `{header}` must be on the same line"),
                Label::new(open, "this `{` starts a line of its own"),
            )
            .with_label(Label::new(b.span, "this block ends at the end of its line"))
            .with_replacement(
                Span {
                    start: b.span.end,
                    end: span.start,
                    ..span
                },
                " ",
                format!("move the `{{` up: `{header} {{`"),
            ),
        );
    }
    None
}

/// What is at `pos`, in words, and how many bytes to underline.
fn describe(item: &str, pos: usize) -> (String, usize) {
    let rest = &item[pos..];
    let Some(c) = rest.chars().next() else {
        return ("end of line".to_string(), 0);
    };
    if c.is_ascii_alphabetic() || c == '_' {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        return (format!("name `{}`", &rest[..len]), len);
    }
    if c.is_ascii_digit() {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '%'))
            .unwrap_or(rest.len());
        return (format!("`{}`", &rest[..len]), len);
    }
    if c == '"' || c == '`' {
        return ("string".to_string(), c.len_utf8());
    }
    let shown = if c.is_control() || c.is_whitespace() {
        format!("{:?}", c)
    } else {
        format!("`{c}`")
    };
    (format!("character {shown}"), c.len_utf8())
}

/// "`=`, `{` or a value", from pest's attempts at the farthest position.
fn expected(err: &pest::error::Error<Rule>) -> String {
    let mut words: Vec<&'static str> = Vec::new();
    // Where no string may stand, a `"` starts a quoted key (`"a/b" =`):
    // not a place to say "a string".
    let mut no_string = true;
    if let ErrorVariant::ParsingError { positives, .. } = &err.variant {
        for r in positives {
            words.extend(rule_word(*r));
        }
        let strings = positives
            .iter()
            .any(|r| matches!(r, Rule::string | Rule::raw_string | Rule::block_string));
        no_string = !strings;
    }
    if let Some(attempts) = err.parse_attempts() {
        for t in attempts.expected_tokens() {
            let t = t.to_string();
            if no_string && t == "\"" {
                continue;
            }
            words.extend(token_word(&t));
        }
    }
    words.sort_unstable();
    words.dedup();
    // Where a value may stand, "a value" says it all (names and strings are
    // values; `}` and the end of line come from the missing-value check).
    if words.contains(&"a value") {
        words.retain(|w| !matches!(*w, "a name" | "a string" | "`}`" | "end of line"));
    }
    // Names and values read best last.
    words.sort_by_key(|w| (w.starts_with('a'), *w));
    match words.len() {
        0 => String::new(),
        1 => words[0].to_string(),
        n => format!("{} or {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

fn rule_word(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::ident => "a name",
        Rule::body => "`{`",
        Rule::string | Rule::raw_string | Rule::block_string => "a string",
        Rule::number | Rule::unit_lit | Rule::boolean | Rule::list | Rule::call | Rule::range | Rule::reference => {
            "a value"
        }
        Rule::close_brace => "`}`",
        _ => return None,
    })
}

/// pest's expected tokens, by their display text (`=`, `0..9`).
fn token_word(t: &str) -> Option<&'static str> {
    Some(match t {
        "=" => "`=`",
        "{" => "`{`",
        "}" => "`}`",
        "[" | "-" | "true" | "false" => "a value",
        "]" => "`]`",
        "(" => "`(`",
        ")" => "`)`",
        "," => "`,`",
        ".." => "`..`",
        "\"" | "`" | "\"\"\"" => "a string",
        "\n" | "\r\n" | "\r" => "end of line",
        _ if t.len() == 4 && t.as_bytes()[1] == b'.' && t.as_bytes()[0].is_ascii_digit() => "a value",
        _ if t.len() == 4 && t.as_bytes()[1] == b'.' && t.as_bytes()[0].is_ascii_alphabetic() => "a name",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_detail_is_on_for_probes_only() {
        let err = probe("port: 8080").expect_err("not an item");
        assert!(err.parse_attempts().is_some(), "a probe collects the tokens it tried");
        // With no probe running (and none able to start while the lock is
        // held), other parses run without the detail.
        let n = ACTIVE.lock().unwrap_or_else(PoisonError::into_inner);
        if *n == 0 {
            let err = DvcParser::parse(Rule::probe, "port: 8080").expect_err("not an item");
            assert!(err.parse_attempts().is_none(), "detail left switched on");
        }
    }
}
