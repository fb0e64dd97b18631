//! YAML output: serde-saphyr, which quotes every scalar a YAML 1.1 reader
//! would read differently (`"on"`, `"no"`, `"0755"`, `"1e3"`, `"12:30"`,
//! `"~"`, dates, `<<`), writes multi-line strings as block scalars, and keeps
//! struct field order. Long single-line strings are never folded, and
//! sequences are indented under their key (yamllint's default style).

use serde::{Serialize, Serializer};

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
pub struct Tree<'a>(pub &'a serde_json::Value);

impl Serialize for Tree<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        use serde_json::Value;
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
