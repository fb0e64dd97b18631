//! YAML output: serde-saphyr, which quotes every scalar a YAML 1.1 reader
//! would read differently (`"on"`, `"no"`, `"0755"`, `"1e3"`, `"12:30"`,
//! `"~"`, dates, `<<`), writes multi-line strings as block scalars, and keeps
//! struct field order. Long single-line strings are never folded, and
//! sequences are indented under their key (yamllint's default style).

use serde::Serialize;

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

#[cfg(test)]
mod tests {
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
