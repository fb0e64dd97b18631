//! What counts as a credential in a text: the known token formats,
//! private keys, webhooks, URLs with a password, `password=...`
//! assignments, command-line passwords, AWS secret keys and long
//! random-looking tokens, each found at its exact byte range; and the
//! names that say they hold a secret.

use std::sync::LazyLock;

use memchr::memmem;

/// Something that looks like a credential: what, and its byte range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub what: &'static str,
    pub start: usize,
    pub end: usize,
}

/// Endings of names that say where a secret is, not that they hold one.
const NOT_SECRET_SUFFIXES: [&str; 10] = [
    "_file", "_path", "_dir", "_url", "_name", "_env", "_store", "_id", "_arn", "_ref",
];

/// Words (with `_` and `-` left out) of names that hold a secret.
const SECRET_WORDS: [&str; 8] = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "accesskey",
    "credential",
];

/// Whether a name says it holds a secret (`DB_PASSWORD`, `api-token`,
/// `clientSecret`, `DB_PASS`), not where one is (`_FILE`, `_URL`, ...).
pub fn secret_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let ends_with =
        |s: &str| bytes.len() >= s.len() && bytes[bytes.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes());
    if NOT_SECRET_SUFFIXES.iter().any(|s| ends_with(s)) {
        return false;
    }
    // The name lowercased without `_` and `-`, on the stack when short (it
    // is asked of every word beside an `=` or `:` the scan meets).
    let mut buf = [0u8; 64];
    let mut long = Vec::new();
    let squashed: &[u8] = if bytes.len() <= buf.len() {
        let mut n = 0;
        for &c in bytes.iter().filter(|c| !matches!(c, b'_' | b'-')) {
            buf[n] = c.to_ascii_lowercase();
            n += 1;
        }
        &buf[..n]
    } else {
        long.extend(
            bytes
                .iter()
                .filter(|c| !matches!(c, b'_' | b'-'))
                .map(u8::to_ascii_lowercase),
        );
        &long
    };
    if NEEDLES.secret_words.iter().any(|w| w.find(squashed).is_some()) {
        return true;
    }
    // Word parts: `DB_PASS`, `clientSecret`, `api-key`.
    let (mut api, mut key) = (false, false);
    let mut start = None;
    let mut prev_lower = false;
    for i in 0..=bytes.len() {
        let c = bytes.get(i).copied().unwrap_or(b' ');
        let boundary = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower);
        if boundary && let Some(s) = start.take() {
            let part = &bytes[s..i];
            if part.eq_ignore_ascii_case(b"pass") || part.eq_ignore_ascii_case(b"pwd") {
                return true;
            }
            api |= part.eq_ignore_ascii_case(b"api");
            key |= part.eq_ignore_ascii_case(b"key");
        }
        if c.is_ascii_alphanumeric() && start.is_none() {
            start = Some(i);
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    api && key
}

/// `$VAR`, `${VAR}`, `${{ ... }}`, `<placeholder>`, `%VAR%`: a value read
/// from elsewhere, not a secret.
pub(super) fn read_from_elsewhere(v: &str) -> bool {
    v.starts_with('$') || v.starts_with('{') || v.starts_with('<') || v.starts_with('%') || v.contains("${{")
}

static FOUND: crate::memo::Memo<String, Vec<Finding>> = crate::memo::Memo::new(65_536);

/// The credentials in `text`, in order, not overlapping; remembered per
/// text in a long-lived process (the language server scans every string
/// of a project on each keystroke; a one-shot command meets most once).
pub fn find_all(text: &str) -> Vec<Finding> {
    if crate::memo::is_long_lived() {
        FOUND.get_or(text, || find_all_in(text))
    } else {
        find_all_in(text)
    }
}

/// Every credential-like thing in `text`, in order, not overlapping.
fn find_all_in(text: &str) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut add = |what: &'static str, (start, end): (usize, usize)| {
        if end > start && !out.iter().any(|f| start < f.end && f.start < end) {
            out.push(Finding { what, start, end });
        }
    };
    let words = words(text);
    for r in private_keys(text) {
        add("a private key", r);
    }
    for r in webhooks(text) {
        add("a webhook URL with its secret", r);
    }
    for &(i, word) in &words {
        if let Some(what) = known_token(word) {
            add(what, (i, i + word.len()));
        }
    }
    for r in url_passwords(text) {
        add("a URL with a password", r);
    }
    for r in assignments(text, &words) {
        add("a `password=...`-style assignment", r);
    }
    for r in command_line(text, &words) {
        add("a password on a command line", r);
    }
    for r in aws_secret_keys(text, &words) {
        add("an AWS secret access key", r);
    }
    for &(i, word) in &words {
        if high_entropy(word) {
            add("a long random-looking token", (i, i + word.len()));
        }
    }
    out.sort_by_key(|f| f.start);
    out
}

/// The fixed strings every scanned text is searched for, each prepared
/// once: `str::find` prepares its needle on every call, and on the short
/// strings of a project that preparation was most of the scan.
struct Needles {
    begin: memmem::Finder<'static>,
    scheme: memmem::Finder<'static>,
    hosts: [memmem::Finder<'static>; 3],
    secret_words: [memmem::Finder<'static>; SECRET_WORDS.len()],
}

static NEEDLES: LazyLock<Needles> = LazyLock::new(|| Needles {
    begin: memmem::Finder::new("-----BEGIN "),
    scheme: memmem::Finder::new("://"),
    hosts: [
        "hooks.slack.com/services/",
        "discord.com/api/webhooks/",
        "discordapp.com/api/webhooks/",
    ]
    .map(memmem::Finder::new),
    secret_words: SECRET_WORDS.map(memmem::Finder::new),
});

/// Where `needle` (ASCII, so found only at a character boundary) first
/// occurs in `text`.
fn find(needle: &memmem::Finder<'_>, text: &str) -> Option<usize> {
    needle.find(text.as_bytes())
}

/// `-----BEGIN ... PRIVATE KEY-----` (RSA, EC, DSA, OpenSSH, encrypted,
/// PKCS#8) and `-----BEGIN PGP PRIVATE KEY BLOCK-----`: the header line.
fn private_keys(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = find(&NEEDLES.begin, &text[from..]) {
        let at = from + p;
        let line_end = text[at..].find(['\n', '\r']).map_or(text.len(), |e| at + e);
        // The header ends at its closing dashes (else at the line's end).
        let end = text[at + 11..line_end]
            .find("-----")
            .map_or(line_end, |e| at + 11 + e + 5);
        if text[at..end].contains("PRIVATE KEY") {
            out.push((at, end));
        }
        from = at + 11;
    }
    out
}

/// Slack incoming webhooks and Discord webhooks: the URL is the secret.
fn webhooks(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for needle in &NEEDLES.hosts {
        let host = needle.needle();
        let mut from = 0;
        while let Some(p) = find(needle, &text[from..]) {
            let at = from + p;
            let start = text[..at].rfind("https://").filter(|s| at - s <= 8).unwrap_or(at);
            let rest = &text[at + host.len()..];
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-')))
                .unwrap_or(rest.len());
            // The path holds the secret: at least two segments of it.
            if rest[..len].matches('/').count() >= 1 && len >= 20 {
                out.push((start, at + host.len() + len));
            }
            from = at + host.len();
        }
    }
    out
}

/// Runs of token characters, with their offsets.
fn words(text: &str) -> Vec<(usize, &str)> {
    let is_tok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-' | '.');
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_tok(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, text[s..i].trim_end_matches(['.', '='])));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text[s..].trim_end_matches(['.', '='])));
    }
    out
}

/// A token of a known format.
pub(super) fn known_token(w: &str) -> Option<&'static str> {
    // The shortest token below is 19 characters (`A3T` and 16); most words
    // and names are shorter.
    if w.len() < 19 {
        return None;
    }
    let charset = |s: &str, extra: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c));
    let upper_alnum = |s: &str| s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    for prefix in ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "ABIA", "ACCA", "A3T"] {
        if let Some(rest) = w.strip_prefix(prefix)
            && rest.len() >= 16
            && upper_alnum(&rest[..16])
        {
            return Some("an AWS access key ID");
        }
    }
    // How many characters of `s`, from its start, are of the token's set.
    let run = |s: &str, extra: &str| {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || extra.contains(*c))
            .count()
    };
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if w.strip_prefix(prefix).is_some_and(|r| run(r, "") >= 30) {
            return Some("a GitHub token");
        }
    }
    let rules: &[(&str, usize, &str, &str)] = &[
        // (prefix, least length after it, other characters, what)
        ("github_pat_", 40, "_", "a GitHub token"),
        ("glpat-", 20, "-_", "a GitLab token"),
        ("xoxb-", 15, "-", "a Slack token"),
        ("xoxp-", 15, "-", "a Slack token"),
        ("xoxa-", 15, "-", "a Slack token"),
        ("xoxr-", 15, "-", "a Slack token"),
        ("xoxs-", 15, "-", "a Slack token"),
        ("sk_live_", 16, "", "a Stripe key"),
        ("rk_live_", 16, "", "a Stripe key"),
        ("sk_test_", 16, "", "a Stripe key"),
        ("AIza", 35, "-_", "a Google API key"),
        ("npm_", 36, "", "an npm token"),
        ("pypi-AgEIcHlwaS5vcmc", 40, "-_", "a PyPI token"),
        ("SG.", 60, "-_.", "a SendGrid key"),
        ("dop_v1_", 60, "", "a DigitalOcean token"),
        ("shpat_", 32, "", "a Shopify token"),
        ("hvs.", 24, "-_", "a HashiCorp Vault token"),
    ];
    for (prefix, least, extra, what) in rules {
        if let Some(rest) = w.strip_prefix(prefix)
            && run(rest, extra) >= *least
        {
            return Some(what);
        }
    }
    // Twilio API keys: SK and 32 hex digits.
    if let Some(rest) = w.strip_prefix("SK")
        && rest.len() == 32
        && rest.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Some("a Twilio key");
    }
    // JSON web tokens: three base64url parts, the first two JSON objects.
    let parts: Vec<&str> = w.split('.').collect();
    if parts.len() == 3
        && parts[0].starts_with("eyJ")
        && parts[1].starts_with("eyJ")
        && parts.iter().all(|p| p.len() >= 10 && charset(p, "-_"))
    {
        return Some("a JSON web token");
    }
    None
}

/// `scheme://user:password@host`, every one in `text`.
fn url_passwords(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = find(&NEEDLES.scheme, &text[from..]) {
        let scheme = from + p;
        from = scheme + 3;
        let rest = &text[scheme + 3..];
        let end = rest
            .find(|c: char| c == '/' || c.is_whitespace() || matches!(c, '"' | '\'' | '`'))
            .unwrap_or(rest.len());
        let authority = &rest[..end];
        let Some(at) = authority.rfind('@') else { continue };
        let Some((user, pass)) = authority[..at].split_once(':') else {
            continue;
        };
        if !user.is_empty() && !pass.is_empty() && !read_from_elsewhere(pass) {
            out.push((scheme + 3 + user.len() + 1, scheme + 3 + at));
        }
    }
    out
}

/// The value after `=` or `:` at `from` in `text`, if it is a literal (not
/// read from elsewhere): its range.
fn literal_after(text: &str, from: usize, separators: &[char]) -> Option<(usize, usize)> {
    let rest = &text[from..];
    let trimmed = rest.trim_start_matches([' ', '\t']);
    let value = separators.iter().find_map(|s| trimmed.strip_prefix(*s))?;
    let value = value.trim_start_matches([' ', '\t']).trim_start_matches(['"', '\'']);
    let len = value
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '&' | ';' | ',' | ')' | '}'))
        .unwrap_or(value.len());
    let v = &value[..len];
    (v.len() >= 4 && !read_from_elsewhere(v)).then(|| {
        let start = text.len() - value.len();
        (start, start + len)
    })
}

/// `password=hunter2`, `DB_PASS: abc`, `token = "..."` (not `=$VAR`).
fn assignments(text: &str, words: &[(usize, &str)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // (An assignment has its `=` or `:`.)
    if !text.contains(['=', ':']) {
        return out;
    }
    for &(i, word) in words {
        let name = word.split(['=', ':']).next().unwrap_or("");
        // `$PWD:/src` reads a variable; it assigns nothing.
        if !secret_name(name) || text[..i].ends_with('$') || text[..i].ends_with("${") {
            continue;
        }
        if let Some(r) = literal_after(text, i + name.len(), &['=', ':']) {
            out.push(r);
        }
    }
    out
}

/// `--password X`, `--password=X`, `--token X`, `curl -u user:pass`,
/// `sshpass -p X`, `mysql -pX`.
fn command_line(text: &str, words: &[(usize, &str)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // (Every form below has a flag.)
    if !text.contains('-') {
        return out;
    }
    for (n, (i, w)) in words.iter().enumerate() {
        let flag = w.split('=').next().unwrap_or("");
        let takes_secret = matches!(
            flag,
            "--password"
                | "--passwd"
                | "--pass"
                | "--token"
                | "--api-key"
                | "--apikey"
                | "--secret"
                | "--client-secret"
        );
        let next = |k: usize| words.get(n + k).map(|(j, v)| (*j, *v));
        let literal = |(j, v): (usize, &str)| (v.len() >= 4 && !read_from_elsewhere(v)).then_some((j, j + v.len()));
        if takes_secret {
            if let Some((_, v)) = w.split_once('=') {
                if v.len() >= 4 && !read_from_elsewhere(v) {
                    out.push((i + flag.len() + 1, i + w.len()));
                }
            } else if let Some(r) = next(1).and_then(literal) {
                // The value must follow the flag with only white space.
                if text[i + w.len()..r.0].trim().is_empty() {
                    out.push(r);
                }
            }
        }
        // `curl -u user:pass`, `--user user:pass` (the whole argument, up
        // to white space or a quote).
        if matches!(*w, "-u" | "--user") {
            let after = i + w.len();
            let rest = &text[after..];
            let j = after + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
            let arg_len = text[j..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\''))
                .unwrap_or(text.len() - j);
            let arg = &text[j..j + arg_len];
            if j > after
                && let Some((user, pass)) = arg.split_once(':')
                && !user.is_empty()
                && pass.len() >= 4
                && !read_from_elsewhere(pass)
                && !read_from_elsewhere(user)
            {
                out.push((j + arg_len - pass.len(), j + arg_len));
            }
        }
        // `sshpass -p secret`.
        if *w == "sshpass"
            && let Some((_, "-p")) = next(1)
            && let Some(r) = next(2).and_then(literal)
        {
            out.push(r);
        }
    }
    out
}

/// 40 base64 characters beside an AWS key word (`aws_secret_access_key`,
/// `AWS_SECRET`): an AWS secret access key.
fn aws_secret_keys(text: &str, words: &[(usize, &str)]) -> Vec<(usize, usize)> {
    // (The key is 40 characters.)
    if text.len() < 40 {
        return Vec::new();
    }
    let lower = text.to_ascii_lowercase();
    if !(lower.contains("aws") && (lower.contains("secret") || lower.contains("key"))) {
        return Vec::new();
    }
    words
        .iter()
        .filter(|(_, w)| {
            w.len() == 40
                && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '+')
                && w.chars().any(|c| c.is_ascii_lowercase())
                && w.chars().any(|c| c.is_ascii_uppercase())
        })
        .map(|&(i, w)| (i, i + w.len()))
        .collect()
}

/// 32+ token characters, with upper and lower case letters and digits, and
/// more than 4.2 bits of entropy per character (hex SHAs stay below 4).
fn high_entropy(w: &str) -> bool {
    if w.len() < 32 || w.contains('/') && w.matches('/').count() > 2 {
        return false;
    }
    // A file name (`kustomize_v5.4.3_linux_amd64.tar.gz`): a release
    // artifact in a download URL, not a token.
    const EXTENSIONS: &[&str] = &[
        "gz", "tgz", "zip", "xz", "bz2", "zst", "tar", "deb", "rpm", "apk", "sh", "yml", "yaml", "json", "exe", "msi",
        "dmg", "pkg", "jar", "whl", "txt", "md", "sig", "asc", "pem", "sha256",
    ];
    if w.contains('.') && w.rsplit('.').next().is_some_and(|ext| EXTENSIONS.contains(&ext)) {
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

    fn found(s: &str) -> Vec<&str> {
        find_all(s).iter().map(|f| &s[f.start..f.end]).collect()
    }

    #[test]
    fn variables_read_are_not_assignments() {
        assert!(found("docker run -v \"$PWD:/src\" -w /src image").is_empty());
        assert!(found("echo ${PASSWORD:-default}").is_empty());
        assert!(!found("PWD=hunter2hunter2").is_empty());
    }

    #[test]
    fn release_file_names_are_not_tokens() {
        let url = "curl -sfLo k https://github.com/kubernetes-sigs/kustomize/releases/download/kustomize%2Fv5.4.3/kustomize_v5.4.3_linux_amd64.tar.gz";
        assert!(found(url).is_empty(), "{:?}", found(url));
        assert!(!found("token wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY1").is_empty());
    }

    #[test]
    fn finds_credentials() {
        for s in [
            "AKIAIOSFODNN7EXAMPLE",
            "key: AKIAIOSFODNN7EXAMPLE",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "-----BEGIN PGP PRIVATE KEY BLOCK-----",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----",
            "postgres://admin:s3cretpw@db:5432/shop",
            "see https://x.example and postgres://admin:s3cretpw@db/shop",
            "password=hunter22",
            "DB_PASS=hunter22",
            "export API_KEY: 'abcdefgh'",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "xoxb-1234-5678-abcdefghij",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE/Y",
            "mysql --password hunter22 shop",
            "deploy --token=abcd1234efgh",
            "curl -u admin:hunter22 https://x",
            "sshpass -p hunter22 ssh host",
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "AIzaSyA1234567890abcdefghijklmnopqrstuv",
            "npm_abcdefghijklmnopqrstuvwxyz0123456789",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        ] {
            assert!(!find_all(s).is_empty(), "{s}");
        }
        // The exact substring, and every occurrence.
        assert_eq!(
            found("a postgres://u:pw1234@h and redis://u:pw5678@h"),
            ["pw1234", "pw5678"]
        );
        assert_eq!(found("curl -u admin:hunter22 x"), ["hunter22"]);
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
            "curl -u \"$USER:$PASS\" https://x",
            "mysql --password \"$DB_PASSWORD\"",
            "docker login -u ${{ github.actor }} --password-stdin",
            "PASSWORD_FILE=/run/secrets/db",
        ] {
            assert_eq!(find_all(s), Vec::new(), "{s}");
        }
    }

    /// The first, allocating form of [`secret_name`]: the reference for its
    /// word parts (the lists are the same).
    fn secret_name_reference(name: &str) -> bool {
        let n = name.to_ascii_lowercase();
        if NOT_SECRET_SUFFIXES.iter().any(|s| n.ends_with(s)) {
            return false;
        }
        let mut parts: Vec<String> = Vec::new();
        let mut cur = String::new();
        let mut prev_lower = false;
        for c in name.chars() {
            let boundary = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower);
            if boundary && !cur.is_empty() {
                parts.push(std::mem::take(&mut cur));
            }
            if c.is_ascii_alphanumeric() {
                cur.push(c.to_ascii_lowercase());
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
        parts.push(cur);
        let part = |w: &str| parts.iter().any(|p| p == w);
        SECRET_WORDS.iter().any(|w| n.replace(['_', '-'], "").contains(w))
            || part("pass")
            || part("pwd")
            || (part("api") && part("key"))
    }

    #[test]
    fn secret_names_agree_with_the_reference() {
        let pieces = [
            "pass",
            "Pass",
            "PWD",
            "pwd",
            "api",
            "Api",
            "KEY",
            "key",
            "se",
            "cret",
            "_",
            "-",
            ".",
            "token",
            "Token",
            "word",
            "x",
            "X",
            "1",
            "é",
            "_file",
            "_ID",
            "credential",
            "access",
            "private",
            "db",
            "DB",
        ];
        let mut rng = crate::testing::Rng(0x2545_F491_4F6C_DD1D);
        let mut next = |n: usize| rng.below(n);
        for _ in 0..20_000 {
            // (Up to 14 pieces: some names pass the 64 bytes kept on the stack.)
            let name: String = (0..1 + next(14)).map(|_| pieces[next(pieces.len())]).collect();
            assert_eq!(secret_name(&name), secret_name_reference(&name), "{name}");
        }
    }

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "db_pass",
            "clientSecret",
            "api-key",
            "API_TOKEN",
            "npmToken",
            "PWD_ADMIN",
        ] {
            assert!(secret_name(n), "{n}");
        }
        for n in [
            "PASSWORD_FILE",
            "passenger",
            "token_url",
            "bypass",
            "compass",
            "keyspace",
            "SECRET_ID",
        ] {
            assert!(!secret_name(n), "{n}");
        }
    }
}
