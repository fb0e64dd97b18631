//! The index of names the analysis keeps for the editor: every declaration
//! and every reference that resolved to it, with its span.

use dvcc::Loaded;
use dvcc::schema::Namespace;
use dvcc::sema::index::Symbol;

use crate::support::root;

const SRC: &str = r#"project p { repo = "a/b" }
environment dev { cluster = "c"  region = "r" }
environment staging {
  extends = dev
  after   = dev
}
service api {
  image = "x"
  port  = 80
  in staging { replicas = 2 }
}
pipeline ci {
  job build { uses checkout }
  deploy dev     { needs = [build]  services = [api] }
  deploy staging { needs = [dev]    services = [api]  rollout = canary }
}
rollout canary {
  service = api
  canary { step { weight = 100% } }
}
"#;

fn symbol(ns: Namespace, scope: Option<&str>, name: &str) -> Symbol {
    Symbol {
        ns,
        scope: scope.map(str::to_string),
        name: name.to_string(),
    }
}

/// The line and the text of each span, to read the assertions easily.
fn sites(loaded: &Loaded, spans: &[dvcc::source::Span]) -> Vec<(usize, String)> {
    spans
        .iter()
        .map(|s| {
            let line = loaded.db.get(s.file).line_col(s.start as usize).line;
            (line, loaded.db.slice(*s).to_string())
        })
        .collect()
}

#[test]
fn references_keep_their_spans() {
    let loaded = Loaded::from_bytes("p.dvc", SRC.as_bytes().to_vec());
    let analysis = dvcc::meaning(&loaded, 0);
    assert!(analysis.diagnostics.is_empty(), "{:#?}", analysis.diagnostics);
    let index = &analysis.index;

    let dev = symbol(Namespace::Environment, None, "dev");
    let def = index.definition(&dev).expect("dev is declared");
    assert_eq!(sites(&loaded, &[def.span]), [(2, "dev".to_string())]);
    let at = |l: usize| (l, "dev".to_string());
    assert_eq!(sites(&loaded, index.references(&dev)), [at(4), at(5), at(14)]);

    // `needs = [dev]` names the deploy job `dev` of pipeline `ci`.
    let job = symbol(Namespace::Job, Some("ci"), "dev");
    assert_eq!(sites(&loaded, &[index.definition(&job).expect("a job").span]), [at(14)]);
    assert_eq!(sites(&loaded, index.references(&job)), [at(15)]);

    let api = symbol(Namespace::Service, None, "api");
    let refs: Vec<usize> = sites(&loaded, index.references(&api)).iter().map(|s| s.0).collect();
    assert_eq!(refs, [14, 15, 18]);
    let canary = symbol(Namespace::Rollout, None, "canary");
    assert_eq!(sites(&loaded, index.references(&canary)), [(15, "canary".to_string())]);

    // A stdlib template: declared in the stdlib, used here.
    let checkout = symbol(Namespace::Template, None, "checkout");
    assert!(index.definition(&checkout).is_some_and(|d| d.stdlib));
    assert_eq!(
        sites(&loaded, index.references(&checkout)),
        [(13, "checkout".to_string())]
    );
}

#[test]
fn the_symbol_under_the_cursor() {
    let loaded = Loaded::from_bytes("p.dvc", SRC.as_bytes().to_vec());
    let index = dvcc::meaning(&loaded, 0).index;
    let file = loaded.files[0];
    let offset = |needle: &str, plus: usize| (SRC.find(needle).expect("in the source") + plus) as u32;
    // Inside, at the start and just after a name.
    for o in [
        offset("extends = dev", 11),
        offset("extends = dev", 10),
        offset("extends = dev", 13),
    ] {
        let found = index.at(file, o);
        assert_eq!(found, [&symbol(Namespace::Environment, None, "dev")], "at {o}");
    }
    // A deploy job's label is the job and a reference to its environment.
    let found = index.at(file, offset("deploy dev", 8));
    assert_eq!(
        found,
        [
            &symbol(Namespace::Environment, None, "dev"),
            &symbol(Namespace::Job, Some("ci"), "dev"),
        ]
    );
    assert!(
        index.at(file, offset("image", 1)).is_empty(),
        "an attribute name is no symbol"
    );
    assert!(index.at(file, offset("\"x\"", 1)).is_empty());
}

/// On the examples, every definition and reference spans exactly the name.
#[test]
fn every_site_of_the_examples_spans_its_name() {
    for ex in ["examples/shop", "examples/platform"] {
        let loaded = dvcc::load_paths(&[root().join(ex)]);
        let index = dvcc::meaning(&loaded, 0).index;
        let mut references = 0;
        for symbol in index.symbols() {
            let def = index.definition(symbol).expect("symbols are declared");
            assert_eq!(loaded.db.slice(def.span), symbol.name, "{ex}: {symbol:?}");
            for r in index.references(symbol) {
                assert_eq!(loaded.db.slice(*r), symbol.name, "{ex}: {symbol:?}");
                assert!(index.at(r.file, r.start).contains(&symbol), "{ex}: {symbol:?}");
                references += 1;
            }
        }
        assert!(references > 20, "{ex}: only {references} references");
    }
}
