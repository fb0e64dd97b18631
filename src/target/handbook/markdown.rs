//! Model text made safe for Markdown: what a handbook page shows is what
//! the `.dvc` files say, never markup that a name or a summary happens to
//! contain.

/// `s` as literal inline Markdown text: markup characters escaped, line
/// breaks as spaces; safe in a table cell.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// `s` as an inline code span (safe in a table cell): fenced with more
/// backticks than it holds in a row, line breaks as spaces. Empty: `—`.
pub fn code(s: &str) -> String {
    if s.is_empty() {
        return NONE.to_string();
    }
    let flat = s.replace(['\n', '\r', '\t'], " ").replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in flat.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') || flat.starts_with(' ') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// A fenced code block's fence for `s`: more backticks than any run of
/// them at a line's start in it (at least three).
pub fn fence(s: &str) -> String {
    let longest = s
        .lines()
        .map(|l| l.trim_start().chars().take_while(|c| *c == '`').count())
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// A link to `target` (a relative page path or an address) shown as
/// `label` (literal text).
pub fn link(label: &str, target: &str) -> String {
    let target = target.replace(' ', "%20").replace('(', "%28").replace(')', "%29");
    format!("[{}]({target})", text(label))
}

/// What an empty cell shows.
pub const NONE: &str = "—";

/// `v` as text, or [`NONE`].
pub fn or_none(v: Option<&str>) -> String {
    match v {
        Some(s) if !s.is_empty() => text(s),
        _ => NONE.to_string(),
    }
}

/// `v` as code, or [`NONE`].
pub fn code_or_none(v: Option<&str>) -> String {
    v.map_or_else(|| NONE.to_string(), code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_and_table_pipes() {
        assert_eq!(text("a|b *c* <d>\nx"), "a\\|b \\*c\\* \\<d\\> x");
        assert_eq!(text("[x](y)"), "\\[x\\](y)");
    }

    #[test]
    fn code_spans_outlast_the_backticks_inside() {
        assert_eq!(code("rate(x[5m])"), "`rate(x[5m])`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a`"), "`` `a` ``");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code(""), NONE);
    }

    #[test]
    fn fences_outlast_fences_inside() {
        assert_eq!(fence("up == 0"), "```");
        assert_eq!(fence("x\n````\ny"), "`````");
    }

    #[test]
    fn links_escape_their_label_and_spaces() {
        assert_eq!(link("a_b", "services/a b.md"), "[a\\_b](services/a%20b.md)");
    }
}
