//! The documentation pages (Markdown) as a terminal shows them: headings,
//! code blocks indented, tables aligned, links reduced to their text, HTML
//! anchors dropped; bold and colour only on a terminal.

/// Renders `md`; `color` adds ANSI styles.
pub fn render(md: &str, color: bool) -> String {
    let style = |code: &str, text: &str| {
        if color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let mut in_code = false;
    let mut table: Vec<Vec<String>> = Vec::new();
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            flush_table(&mut table, &mut out, color);
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push_str("    ");
            out.push_str(&style("36", line));
            out.push('\n');
            continue;
        }
        let trimmed = line.trim();
        if trimmed.starts_with("<a ") && trimmed.ends_with("</a>") {
            continue;
        }
        if trimmed.starts_with('|') {
            // `|---|---|` separates the header from the rows.
            if !trimmed.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
                table.push(cells(trimmed));
            }
            continue;
        }
        flush_table(&mut table, &mut out, color);
        if let Some(rest) = trimmed.strip_prefix('#') {
            let title = inline(rest.trim_start_matches('#').trim(), false);
            out.push_str(&style("1;4", &title));
            out.push('\n');
            continue;
        }
        out.push_str(&inline(line, color));
        out.push('\n');
    }
    flush_table(&mut table, &mut out, color);
    out
}

/// The cells of a table row, `\|` kept as `|`.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                if let Some(s) = out.last_mut() {
                    s.push('|');
                }
            }
            '|' => out.push(String::new()),
            c => {
                if let Some(s) = out.last_mut() {
                    s.push(c)
                }
            }
        }
    }
    out.iter().map(|c| inline(c.trim(), false)).collect()
}

/// A table with its columns aligned (the last one left free).
fn flush_table(table: &mut Vec<Vec<String>>, out: &mut String, color: bool) {
    if table.is_empty() {
        return;
    }
    let columns = table.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            table
                .iter()
                .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (n, row) in table.iter().enumerate() {
        let mut line = String::from("  ");
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        let line = line.trim_end().to_string();
        if n == 0 && color {
            out.push_str(&format!("\u{1b}[1m{line}\u{1b}[0m"));
        } else {
            out.push_str(&line);
        }
        out.push('\n');
    }
    table.clear();
}

/// `[text](target)` → `text`; `` `code` `` styled on a terminal (kept in
/// backticks otherwise, so it stays distinguishable).
fn inline(line: &str, color: bool) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.find("](") else { break };
        let Some(end) = after[close + 2..].find(')') else { break };
        out.push_str(&rest[..open]);
        out.push_str(&after[..close]);
        rest = &after[close + 2 + end + 1..];
    }
    out.push_str(rest);
    if !color {
        return out;
    }
    let mut styled = String::new();
    for (i, part) in out.split('`').enumerate() {
        if i % 2 == 1 {
            styled.push_str(&format!("\u{1b}[36m{part}\u{1b}[0m"));
        } else {
            styled.push_str(part);
        }
    }
    styled
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages_read_as_plain_text() {
        let md = "<a id=\"x\"></a>\n## `service NAME`\n\nSee [the list](#list).\n\n```dvc\nservice a {}\n```\n\n| a | bb |\n|---|---|\n| `x` \\| y | z |\n";
        let out = super::render(md, false);
        assert_eq!(
            out,
            "`service NAME`\n\nSee the list.\n\n    service a {}\n\n  a        bb\n  `x` | y  z\n"
        );
        assert!(super::render(md, true).contains("\u{1b}[36mservice a {}"));
    }
}
