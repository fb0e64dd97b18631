//! Property tests: arbitrary text and mutated repository files never make
//! the front end panic, the tree stays lossless, every span stays in bounds,
//! every renderer accepts the result, and the hand-written parser builds
//! exactly the tree pest's parser of `grammar/dvc.pest` builds. A seeded xorshift generator keeps
//! runs reproducible (set `DVCC_PROPTEST_CASES` to run more).

use dvcc::diag::render::{self, Format, HumanStyle};

use crate::roundtrip::check_lossless;
use crate::support::{Rng, repo_dvc_files, syntax_bytes};

fn cases() -> usize {
    std::env::var("DVCC_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500)
}

/// Pieces that exercise the grammar's corners.
const PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "\"",
    "\"\"\"",
    "`",
    "\\",
    "${",
    "${{",
    "}}",
    "$${",
    "#",
    "//",
    "/*",
    "*/",
    "=",
    ":",
    ",",
    ".",
    "..",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "import",
    "service",
    "api",
    "x",
    "-",
    "0",
    "5m",
    "99.9%",
    "true",
    "secret(\"A\")",
    "é",
    "🚀",
    "\u{FEFF}",
    "\0",
    "in",
    "\\u{",
    "\\u{D800}",
    "\"kubernetes.io/arch\"",
    "1..5",
    "10m",
];

fn random_text(rng: &mut Rng) -> String {
    let n = rng.below(60);
    (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s = text.to_string();
    for _ in 0..1 + rng.below(4) {
        let at = dvcc::source::floor_char_boundary(&s, rng.below(s.len() + 1));
        match rng.below(4) {
            0 => {
                let end = dvcc::source::floor_char_boundary(&s, at + rng.below(20));
                s.replace_range(at..end.max(at), "");
            }
            1 => s.insert_str(at, PIECES[rng.below(PIECES.len())]),
            2 => {
                let end = dvcc::source::floor_char_boundary(&s, at + rng.below(40));
                let copy = s[at..end.max(at)].to_string();
                s.insert_str(at, &copy);
            }
            _ => s.truncate(at),
        }
    }
    s
}

/// The two parsers of the grammar agree on `text`.
fn agree(text: &str, what: &str) {
    if let Some(diff) = dvcc::syntax::differs_from_grammar(text) {
        panic!("{what}: the parsers disagree on {text:?}:\n{diff}");
    }
}

fn check(text: &str, what: &str) {
    agree(text, what);
    check_lossless(text, what);
    let (loaded, diags) = syntax_bytes("p.dvc", text.as_bytes().to_vec());
    for format in [Format::Human, Format::Json, Format::Github, Format::Sarif] {
        let out = render::render(&loaded.db, &diags, format, HumanStyle::default(), 20);
        assert!(
            diags.is_empty() || !out.is_empty(),
            "{what}: {format:?} printed nothing"
        );
    }
}

#[test]
fn arbitrary_text_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..cases() {
        let text = random_text(&mut rng);
        check(&text, &format!("random case {i}: {text:?}"));
    }
}

/// Many short texts of grammar pieces against pest's parser alone (cheaper
/// than `check`, so ten times the cases).
#[test]
fn generated_text_agrees_with_the_grammar() {
    let mut rng = Rng(0x6A09_E667_F3BC_C908);
    for i in 0..cases() * 10 {
        let text: String = (0..1 + rng.below(24))
            .map(|_| PIECES[rng.below(PIECES.len())])
            .collect();
        agree(&text, &format!("generated case {i}"));
    }
}

#[test]
fn every_repository_file_agrees_with_the_grammar() {
    let files = repo_dvc_files();
    assert!(files.len() > 100, "found only {} files", files.len());
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        agree(&text, &path.display().to_string());
    }
}

/// Corners where the two parsers could part: comments after keywords,
/// values cut short, interpolations left open, quoted keys, stray braces.
#[test]
fn the_parsers_agree_on_hand_picked_corners() {
    for text in [
        "import   # note\n",
        "a = b c\n",
        "a = [1 2]\n",
        "a = [\n 1, # x\n 2,\n]\n",
        "a = f (1, 2)\n",
        "a = 1 .. 5\nb = 1m..2m\nc = -1..\n",
        "a = \"x ${y} ${z\" \n",
        "a = \"${{ github.sha }} ${{ x\"\n",
        "a = \"\"\"\n ${x}\n\"\"\"\n",
        "b \"x\" `y` {\n  c = 1 /* multi\nline */ d = 2\n}\n",
        "x : y\n",
        "\"kubernetes.io/arch\" = \"amd64\"\n",
        "a = \"\\u{110000}\\q\\\n",
        "s { @ { { \" } \" } } more\n",
        "truex = true\nx = truex\n",
        "",
        "}",
    ] {
        agree(text, "corner");
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for _ in 0..cases() {
        let bytes: Vec<u8> = (0..rng.below(200)).map(|_| rng.next() as u8).collect();
        let (loaded, diags) = syntax_bytes("b.dvc", bytes);
        let _ = render::render(&loaded.db, &diags, Format::Human, HumanStyle::default(), 5);
        let _ = render::render(&loaded.db, &diags, Format::Json, HumanStyle::default(), 5);
    }
}

#[test]
fn mutated_repository_files_never_panic() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let files: Vec<String> = repo_dvc_files()
        .iter()
        .filter_map(|p| String::from_utf8(std::fs::read(p).ok()?).ok())
        .collect();
    for i in 0..cases() {
        let base = &files[rng.below(files.len())];
        let text = mutate(&mut rng, base);
        check(&text, &format!("mutation {i}"));
    }
}

/// The whole checker, and the workflow backend when the result is clean, on
/// mutated repository files: no panic, spans in bounds.
#[test]
fn mutated_files_never_panic_the_checker_or_the_backend() {
    let mut rng = Rng(0x51_7CC1_B727_220A);
    let files: Vec<String> = repo_dvc_files()
        .iter()
        .filter_map(|p| String::from_utf8(std::fs::read(p).ok()?).ok())
        .collect();
    let ctx = dvcc::backend::Context::default();
    // The full pipeline costs more per case: a quarter of the cases.
    for i in 0..cases().div_ceil(4) {
        let base = &files[rng.below(files.len())];
        let text = if i % 5 == 0 {
            base.clone()
        } else {
            mutate(&mut rng, base)
        };
        let loaded = dvcc::Loaded::from_bytes("m.dvc", text.clone().into_bytes());
        let diags = dvcc::lint(&loaded);
        for d in &diags {
            for l in std::iter::once(&d.primary).chain(&d.secondary) {
                let len = loaded.db.text(l.span.file).len();
                assert!(l.span.end as usize <= len, "case {i}: span past the end: {d:?}");
            }
        }
        let _ = render::render(&loaded.db, &diags, Format::Human, HumanStyle::default(), 5);
        if !diags.iter().any(|d| d.is_error()) {
            let model = dvcc::analyze(&loaded, 0).model;
            for b in dvcc::backend::ALL {
                let _ = b.generate(&model, &ctx);
            }
            let _ = dvcc::diagram::ProjectGraph::build(&model).dot("p");
        }
    }
}

/// Random text of line breaks (`\n`, `\r\n`, lone `\r`) and characters of
/// every UTF-8 and UTF-16 width: every offset's editor position leads back
/// to it (offsets inside a character or a CRLF to where the editor can be),
/// and any position an editor sends lands on a character boundary.
#[test]
fn editor_positions_round_trip_on_random_text() {
    use dvcc::source::{LineIndex, Position, addressable};
    const ATOMS: &[&str] = &["a", " ", "\n", "\r\n", "\r", "é", "日", "🚀", "\t", "}"];
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    for _ in 0..cases() {
        let text: String = (0..rng.below(60)).map(|_| ATOMS[rng.below(ATOMS.len())]).collect();
        let index = LineIndex::new(&text);
        for offset in 0..=text.len() + 2 {
            let back = index.offset(&text, index.position(&text, offset));
            assert_eq!(back, addressable(&text, offset), "{text:?} at {offset}");
        }
        for _ in 0..10 {
            let p = Position {
                line: rng.below(index.line_count() + 2) as u32,
                character: rng.below(70) as u32,
            };
            let at = index.offset(&text, p);
            assert!(at <= text.len() && text.is_char_boundary(at), "{text:?} at {p:?}");
            assert!(index.position(&text, at) <= p, "{text:?}: {p:?} moved forward");
        }
    }
}
