//! YAML output: serde-saphyr, which quotes every scalar a YAML 1.1 reader
//! would read differently (`"on"`, `"no"`, `"0755"`, `"1e3"`, `"12:30"`,
//! `"~"`, dates, `<<`), writes multi-line strings as block scalars, and keeps
//! struct field order. Long single-line strings are never folded, and
//! sequences are indented under their key (yamllint's default style).

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// Serializes `value` as YAML. Our model types always serialize, so an
/// error here is a bug; it is reported in the output rather than panicking.
pub fn to_string<T: Serialize>(value: &T) -> String {
    // Sequences indented under their key, as yamllint's default expects.
    let options = serde_saphyr::ser_options! { folded_wrap_chars: 100_000, compact_list_indent: false };
    match serde_saphyr::to_string_with_options(value, options) {
        Ok(s) => s,
        Err(e) => format!("# dvcc could not serialize this file: {e}\n"),
    }
}

/// Whether `text` can be a block scalar that YAML linters accept: a line
/// ending in spaces or tabs would keep them (yamllint's `trailing-spaces`).
fn block_safe(text: &str) -> bool {
    !text.contains('\n') || !text.lines().any(|l| l.ends_with([' ', '\t']))
}

/// Free text (scripts, inputs, variables, annotations): a block scalar
/// when it has several lines, double-quoted when a block scalar would keep
/// trailing white space. Use with `#[serde(serialize_with = "...")]`.
pub fn text<S: Serializer>(value: &str, s: S) -> Result<S::Ok, S::Error> {
    if block_safe(value) {
        value.serialize(s)
    } else {
        serde_saphyr::DoubleQuoted(value).serialize(s)
    }
}

/// [`text`] for an optional value.
pub fn text_opt<S: Serializer>(value: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => text(v, s),
        None => s.serialize_none(),
    }
}

/// [`text`] for the values of a map.
pub fn text_map<K: Serialize, S: Serializer>(map: &indexmap::IndexMap<K, String>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(map.len()))?;
    for (k, v) in map {
        m.serialize_entry(k, &Text(v))?;
    }
    m.end()
}

/// A string serialized by [`text`].
pub struct Text<'a>(pub &'a str);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        text(self.0, s)
    }
}

/// A JSON tree (Helm values after layering) serialized with every string
/// as [`text`].
pub struct Tree<'a>(pub &'a Value);

impl Serialize for Tree<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::String(v) => text(v, s),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(&Tree(i))?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let mut m = s.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    m.serialize_entry(k, &Tree(v))?;
                }
                m.end()
            }
            other => other.serialize(s),
        }
    }
}

/// [`to_string`] of a [`Tree`]. Helm values are most of a large
/// project's output and their scalars are mostly names, sizes and numbers:
/// a tree whose every key and scalar is one of the forms [`plain`] knows
/// is written here directly, in the layout serde-saphyr gives it (byte for
/// byte, checked by the tests against serde-saphyr on random trees); any
/// other tree is written by serde-saphyr.
pub fn tree_to_string(value: &Value) -> String {
    let mut out = String::with_capacity(512);
    if document(value, &mut out).is_some() {
        out
    } else {
        to_string(&Tree(value))
    }
}

/// Writes `value` as a block-style document; `None` (and a partial `out`)
/// where a part of it is not a form written here.
fn document(value: &Value, out: &mut String) -> Option<()> {
    match value {
        Value::Object(map) if !map.is_empty() => entries(map, 0, false, out),
        Value::Array(items) if !items.is_empty() => items_at(items, 0, out),
        other => {
            inline(other, out)?;
            out.push('\n');
            Some(())
        }
    }
}

/// A map's entries at `indent`; with `first_inline`, the first entry goes
/// where the cursor is (after a sequence item's `- `).
fn entries(map: &Map<String, Value>, indent: usize, first_inline: bool, out: &mut String) -> Option<()> {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !first_inline {
            pad(indent, out);
        }
        out.push_str(plain(key)?);
        out.push(':');
        match value {
            Value::Object(m) if !m.is_empty() => {
                out.push('\n');
                entries(m, indent + 2, false, out)?;
            }
            // Sequences are indented under their key.
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                items_at(items, indent + 2, out)?;
            }
            other => {
                out.push(' ');
                inline(other, out)?;
                out.push('\n');
            }
        }
    }
    Some(())
}

/// A sequence's items at `indent`.
fn items_at(items: &[Value], indent: usize, out: &mut String) -> Option<()> {
    for item in items {
        pad(indent, out);
        out.push_str("- ");
        match item {
            Value::Object(m) if !m.is_empty() => entries(m, indent + 2, true, out)?,
            // (A sequence directly in a sequence: serde-saphyr's layout.)
            Value::Array(a) if !a.is_empty() => return None,
            other => {
                inline(other, out)?;
                out.push('\n');
            }
        }
    }
    Some(())
}

/// A scalar, or an empty map or sequence, on one line.
fn inline(value: &Value, out: &mut String) -> Option<()> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_i64() || n.is_u64() => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(plain(s)?),
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        // Floats, and anything else, are serde-saphyr's.
        _ => return None,
    }
    Some(())
}

fn pad(indent: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// `text` when every YAML reader (1.1 and 1.2) reads it back, written
/// plain, as this same string: letters, digits and `_ . / -`, starting
/// with a letter or `/` and no word YAML 1.1 reads as a boolean or
/// null, or with digits followed by letters only (`250m`, `30s`, `2Gi`;
/// never `0x`, `0o` or `0b`, which are numbers). `None` for anything else.
fn plain(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let first = *bytes.first()?;
    if !bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-'))
    {
        return None;
    }
    if first.is_ascii_digit() {
        let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        let rest = &bytes[digits..];
        let radix = first == b'0' && matches!(bytes.get(1), Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B'));
        return (!rest.is_empty() && rest.iter().all(u8::is_ascii_alphabetic) && !radix).then_some(text);
    }
    // (`nan` and `inf` are quoted too: some readers take them for floats.)
    const WORDS: [&str; 11] = [
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
    ];
    let word = WORDS.iter().any(|w| w.eq_ignore_ascii_case(text));
    ((first.is_ascii_alphabetic() || first == b'/') && !word).then_some(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn multi_line_text_with_trailing_spaces_is_quoted() {
        #[derive(serde::Serialize)]
        struct S {
            #[serde(serialize_with = "super::text")]
            run: String,
            #[serde(serialize_with = "super::text")]
            clean: String,
        }
        let out = super::to_string(&S {
            run: "echo a  \necho b\t\n".into(),
            clean: "echo a\necho b\n".into(),
        });
        assert_eq!(out, "run: \"echo a  \\necho b\\t\\n\"\nclean: |\n  echo a\n  echo b\n");
        assert!(out.lines().all(|l| !l.ends_with([' ', '\t'])));
    }

    /// A pseudo-random number (xorshift), the same run after run.
    fn next(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    /// A string: a known hard case, or random characters among those YAML
    /// treats specially.
    fn random_string(rng: &mut u64) -> String {
        const KNOWN: [&str; 40] = [
            "info",
            "ClusterIP",
            "/healthz",
            "ghcr.io/acme/api",
            "250m",
            "30s",
            "2Gi",
            "0x1f",
            "0o17",
            "0b101",
            "0755",
            "1e3",
            "1E3",
            "1_000",
            "12:30",
            "2001-12-14",
            ".inf",
            ".5",
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "N",
            "true",
            "False",
            "null",
            "Null",
            "~",
            "",
            "-",
            "-x",
            "x-",
            "a b",
            "x: y",
            "x #y",
            "<<",
            "=",
            "inf",
            "nan",
        ];
        if next(rng).is_multiple_of(2) {
            return KNOWN[(next(rng) % KNOWN.len() as u64) as usize].to_string();
        }
        const CHARS: &[u8] = b"aZy09_./-: #'\"{}[],&*!|>%@`~\n\tex";
        let len = next(rng) % 6;
        (0..len)
            .map(|_| CHARS[(next(rng) % CHARS.len() as u64) as usize] as char)
            .collect()
    }

    fn random_tree(rng: &mut u64, depth: usize) -> serde_json::Value {
        use serde_json::Value;
        let pick = next(rng) % if depth >= 4 { 6 } else { 9 };
        match pick {
            0 => Value::Null,
            1 => Value::Bool(next(rng).is_multiple_of(2)),
            2 => Value::from((next(rng) % 20_000) as i64 - 10_000),
            3 => Value::from(next(rng)),
            4 => Value::from((next(rng) % 1000) as f64 / 8.0),
            5 => Value::String(random_string(rng)),
            6 => Value::Array((0..next(rng) % 4).map(|_| random_tree(rng, depth + 1)).collect()),
            _ => Value::Object(
                (0..next(rng) % 5)
                    .map(|_| (random_string(rng), random_tree(rng, depth + 1)))
                    .collect(),
            ),
        }
    }

    /// Mostly the forms Helm values have: names, sizes, numbers, maps and
    /// lists of maps.
    fn values_like(rng: &mut u64, depth: usize) -> serde_json::Value {
        use serde_json::Value;
        const WORDS: [&str; 8] = [
            "api",
            "http",
            "ClusterIP",
            "/metrics",
            "256Mi",
            "500m",
            "10s",
            "LOG_LEVEL",
        ];
        let word = |rng: &mut u64| WORDS[(next(rng) % WORDS.len() as u64) as usize].to_string();
        match next(rng) % if depth >= 4 { 3 } else { 6 } {
            0 => Value::String(word(rng)),
            1 => Value::from((next(rng) % 100) as i64),
            2 => Value::Bool(next(rng).is_multiple_of(2)),
            3 => Value::Array((0..next(rng) % 3).map(|_| values_like(rng, depth + 1)).collect()),
            _ => Value::Object(
                (0..next(rng) % 4)
                    .map(|_| (word(rng), values_like(rng, depth + 1)))
                    .collect(),
            ),
        }
    }

    #[test]
    fn trees_written_directly_are_byte_for_byte_serde_saphyrs() {
        let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
        let (mut direct, mut total) = (0, 0);
        for i in 0..6000 {
            let tree = if i % 2 == 0 {
                random_tree(&mut rng, 0)
            } else {
                values_like(&mut rng, 0)
            };
            let saphyr = super::to_string(&super::Tree(&tree));
            let mut out = String::new();
            total += 1;
            if super::document(&tree, &mut out).is_some() {
                direct += 1;
                assert_eq!(out, saphyr, "for {tree}");
            }
            assert_eq!(super::tree_to_string(&tree), saphyr, "for {tree}");
        }
        // Both ways are taken, each often.
        assert!(
            direct > total / 3 && direct < total,
            "{direct} of {total} written directly"
        );
    }

    #[test]
    fn plain_strings_are_those_serde_saphyr_leaves_plain() {
        let mut rng = 0x2545_F491_4F6C_DD1D_u64;
        for _ in 0..20_000 {
            let s = random_string(&mut rng);
            let tree = serde_json::json!({ "k": s });
            let saphyr = super::to_string(&super::Tree(&tree));
            if let Some(p) = super::plain(&s) {
                assert_eq!(
                    saphyr,
                    format!("k: {p}\n"),
                    "`{s}` is written plain only where serde-saphyr does"
                );
            }
        }
        for word in [
            "yes", "No", "0x1f", "0755", "1e3", "1_000", "12:30", ".inf", "", "-x", "a b", "~",
        ] {
            assert_eq!(super::plain(word), None, "`{word}`");
        }
        for word in ["info", "250m", "ghcr.io/acme/api", "/healthz", "LOG_LEVEL"] {
            assert_eq!(super::plain(word), Some(word));
        }
    }

    use indexmap::IndexMap;

    #[test]
    fn yaml_1_1_ambiguities_are_quoted_and_scripts_are_blocks() {
        let mut m: IndexMap<&str, &str> = IndexMap::new();
        for (k, v) in [
            ("on", "off"),
            ("a", "yes"),
            ("b", "0755"),
            ("c", "1e3"),
            ("d", "12:30"),
            ("e", "~"),
        ] {
            m.insert(k, v);
        }
        m.insert("run", "npm ci\nnpm test\n");
        let long = "x ".repeat(200);
        m.insert("long", long.trim_end());
        let out = super::to_string(&m);
        for plain in ["on:", ": off", ": yes", ": 0755", ": 1e3", ": 12:30", ": ~"] {
            assert!(!out.contains(&format!("{plain}\n")), "{plain} left plain in:\n{out}");
        }
        assert!(out.contains("run: |"), "{out}");
        assert_eq!(out.lines().filter(|l| l.starts_with("long:")).count(), 1);
        assert!(!out.contains("long: >"), "{out}");
    }
}
