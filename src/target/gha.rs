//! GitHub Actions facts shared by the model builder, the checks and the
//! workflow backend.

/// GitHub's escape for text that must stay text: `${{` written as an
/// expression whose value is the string `${{`.
pub const ESCAPED_OPEN: &str = "${{ '${{' }}";

/// `text`, with every `${{` made to reach GitHub as literal text.
pub fn escape_literal(text: &str) -> String {
    text.replace("${{", ESCAPED_OPEN)
}

/// Whether `text` is exactly one `${{ ... }}` expression (white space
/// around it aside): a value GitHub computes at run time.
pub fn single_expression(text: &str) -> bool {
    let t = text.trim();
    t.starts_with("${{") && t.ends_with("}}") && t[3..].find("${{").is_none() && t.find("}}") == Some(t.len() - 2)
}

/// The outputs a `run` script writes to `$GITHUB_OUTPUT` itself
/// (`echo "NAME=VALUE" >> "$GITHUB_OUTPUT"`, `NAME<<EOF` blocks); `None`
/// when it does not name the file (it may still write outputs through a
/// script it calls).
pub fn written_outputs(script: &str) -> Option<Vec<String>> {
    if !script.contains("GITHUB_OUTPUT") {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for line in script.lines().filter(|l| l.contains("GITHUB_OUTPUT")) {
        // The text written: after `echo`/`printf`, up to the redirection.
        let Some(before) = line.split(">>").next() else {
            continue;
        };
        // A group, a command or a file written whole (`} >> ...`,
        // `./x.sh >> ...`): which names, not known.
        if !before.contains('=') && !before.contains("<<") {
            return None;
        }
        for word in before.split(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
            let name_end = word.find("<<").or_else(|| word.find('='));
            let Some(end) = name_end else { continue };
            let name = &word[..end];
            // A name built at run time (`"$KEY=..."`): not known.
            if name.starts_with('$') {
                return None;
            }
            let ok = !name.is_empty()
                && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if ok && !out.iter().any(|o| o == name) {
                out.push(name.to_string());
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn single_expressions() {
        assert!(super::single_expression("${{ fromJSON(needs.a.outputs.m) }}"));
        assert!(super::single_expression("  ${{ x }} "));
        assert!(!super::single_expression("${{ a }}-${{ b }}"));
        assert!(!super::single_expression("ubuntu"));
    }

    #[test]
    fn outputs_written_by_scripts() {
        let s = "v=$(cat VERSION)\necho \"version=$v\" >> \"$GITHUB_OUTPUT\"\necho tag=x >> $GITHUB_OUTPUT\n";
        assert_eq!(
            super::written_outputs(s),
            Some(vec!["version".to_string(), "tag".to_string()])
        );
        let heredoc = "{\n echo 'notes<<EOF'\n cat notes.md\n echo EOF\n} >> \"$GITHUB_OUTPUT\"\necho \"a=1\" >> \"$GITHUB_OUTPUT\"";
        assert_eq!(super::written_outputs(heredoc), None);
        assert_eq!(super::written_outputs("npm test"), None);
        assert_eq!(super::written_outputs("./write-outputs.sh >> \"$GITHUB_OUTPUT\""), None);
    }

    #[test]
    fn literal_openers_become_expressions_of_themselves() {
        assert_eq!(super::escape_literal("a ${{ b }}"), "a ${{ '${{' }} b }}");
        assert_eq!(super::escape_literal("${ {{"), "${ {{");
    }
}
