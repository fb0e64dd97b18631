//! Container image references, parsed once for every consumer (the Helm
//! values, the deploy jobs, the build templates): `[HOST[:PORT]/]PATH[:TAG][@DIGEST]`
//! as the distribution reference grammar gives it.

use std::fmt;

/// An image reference, split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (when written) and path, without tag or digest.
    pub repository: String,
    pub tag: Option<String>,
    /// `ALGORITHM:HEX`.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parses `text`, or says what is wrong with it.
    pub fn parse(text: &str) -> Result<ImageRef, String> {
        if text.is_empty() {
            return Err("it is empty".into());
        }
        if text.len() > 255 + 128 + 80 {
            return Err("it is longer than a registry accepts".into());
        }
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => {
                check_digest(digest)?;
                (rest, Some(digest.to_string()))
            }
            None => (text, None),
        };
        // A tag follows the last `:` after the last `/` (a `:` before it
        // is a registry port).
        let slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match rest[slash..].rfind(':') {
            Some(i) => {
                let tag = &rest[slash + i + 1..];
                check_tag(tag)?;
                (&rest[..slash + i], Some(tag.to_string()))
            }
            None => (rest, None),
        };
        check_repository(repository)?;
        Ok(ImageRef {
            repository: repository.to_string(),
            tag,
            digest,
        })
    }

    /// Whether the reference names one image version (a tag or a digest
    /// is written): deployed as written, never re-tagged.
    pub fn is_pinned(&self) -> bool {
        self.tag.is_some() || self.digest.is_some()
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// `[\w][\w.-]{0,127}`.
fn check_tag(tag: &str) -> Result<(), String> {
    let ok = tag.len() <= 128
        && tag
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the tag `{tag}` is not 1 to 128 letters, digits, `_`, `.` and `-` (not starting with `.` or `-`)"
        ))
    }
}

/// `ALGORITHM:HEX`, with at least 32 hex digits.
fn check_digest(digest: &str) -> Result<(), String> {
    let ok = digest.split_once(':').is_some_and(|(algo, hex)| {
        algo.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && algo
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '_' | '-'))
            && hex.len() >= 32
            && hex.chars().all(|c| c.is_ascii_hexdigit())
    });
    if ok {
        Ok(())
    } else {
        Err(format!("the digest `{digest}` is not `sha256:` and 64 hex digits"))
    }
}

/// `[HOST[:PORT]/]COMPONENT(/COMPONENT)*`: a host has a `.` or a `:`, or
/// is `localhost`; path components are lowercase letters and digits
/// joined by `.`, `_`, `__` or dashes.
fn check_repository(repository: &str) -> Result<(), String> {
    let mut parts: Vec<&str> = repository.split('/').collect();
    let first = parts[0];
    if parts.len() > 1 && (first.contains(['.', ':']) || first == "localhost") {
        let (host, port) = first.split_once(':').unwrap_or((first, ""));
        let host_ok = !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            });
        let port_ok = first.contains(':') != port.is_empty() && port.chars().all(|c| c.is_ascii_digit());
        if !host_ok || !port_ok {
            return Err(format!("`{first}` is not a registry host"));
        }
        parts.remove(0);
    }
    for part in parts {
        if !path_component(part) {
            return Err(if part.is_empty() {
                "it has an empty path component".to_string()
            } else if part.chars().any(|c| c.is_ascii_uppercase()) {
                format!("`{part}` has upper-case letters (repository paths are lowercase)")
            } else {
                format!("`{part}` is not a repository path component")
            });
        }
    }
    Ok(())
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn path_component(part: &str) -> bool {
    let b = part.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator run: `.`, `_`, `__` or one or more `-`.
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &part[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-')) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> (String, Option<String>, Option<String>) {
        let r = ImageRef::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(r.to_string(), text, "round trip");
        (r.repository, r.tag, r.digest)
    }

    #[test]
    fn references_split_like_docker() {
        let digest = format!("sha256:{}", "a".repeat(64));
        assert_eq!(ok("nginx"), ("nginx".into(), None, None));
        assert_eq!(
            ok("ghcr.io/acme/api:1.2"),
            ("ghcr.io/acme/api".into(), Some("1.2".into()), None)
        );
        assert_eq!(ok("localhost:5000/api"), ("localhost:5000/api".into(), None, None));
        assert_eq!(
            ok("localhost:5000/team/api:v2"),
            ("localhost:5000/team/api".into(), Some("v2".into()), None)
        );
        assert_eq!(
            ok(&format!("r.io/api@{digest}")),
            ("r.io/api".into(), None, Some(digest.clone()))
        );
        assert_eq!(
            ok(&format!("r.io/api:1.0@{digest}")),
            ("r.io/api".into(), Some("1.0".into()), Some(digest))
        );
        assert_eq!(ok("a/b__c/d-e/f.g"), ("a/b__c/d-e/f.g".into(), None, None));
        assert!(ImageRef::parse("ghcr.io/acme/api").is_ok_and(|r| !r.is_pinned()));
        assert!(ImageRef::parse("ghcr.io/acme/api:1").is_ok_and(|r| r.is_pinned()));
    }

    #[test]
    fn malformed_references_say_why() {
        for (text, why) in [
            ("", "empty"),
            ("ghcr.io/Acme/api", "upper-case"),
            ("api:", "tag ``"),
            ("api:-x", "tag `-x`"),
            ("api@sha256:abc", "digest"),
            ("a//b", "empty path component"),
            ("a/b:1:2", "`b:1` is not a repository path component"),
            ("bad_host:x/api", "registry host"),
            ("a/b..c", "not a repository path component"),
            ("a b", "not a repository path component"),
        ] {
            let e = ImageRef::parse(text).expect_err(text);
            assert!(e.contains(why), "{text}: {e}");
        }
    }
}
