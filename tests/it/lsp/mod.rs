//! `dvcc lsp` over the protocol: a process started as an editor starts it,
//! spoken to in JSON-RPC (see `client.rs`).

pub mod client;
mod reuse;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use client::{Client, uri};

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_dvcc"))
}

/// A fresh copy of `examples/shop` (its `.dvc` files) in a scratch directory.
fn shop(tag: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lsp").join(tag);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the scratch directory can be made");
    let example = crate::support::root().join("examples/shop");
    for entry in std::fs::read_dir(&example).expect("the example is there") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_some_and(|x| x == "dvc") {
            let name = path.file_name().expect("a file name");
            std::fs::copy(&path, dir.join(name)).expect("the example can be copied");
        }
    }
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("the file is readable")
}

fn start(dir: &Path) -> Client {
    Client::start(&binary(), dir, &[])
}

/// The 0-based line and UTF-16 character of the first `needle` in `text`
/// (plus `plus` characters).
fn pos(text: &str, needle: &str, plus: usize) -> Value {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` is in the text")) + plus;
    let before = &text[..at];
    let line = before.matches('\n').count();
    let col: usize = before
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .chars()
        .map(char::len_utf16)
        .sum();
    json!({ "line": line, "character": col })
}

fn at(uri: &str, text: &str, needle: &str, plus: usize) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": pos(text, needle, plus) })
}

fn codes(diags: &[Value]) -> Vec<String> {
    diags
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn hover_text(v: &Value) -> String {
    v["contents"]["value"].as_str().unwrap_or("").to_string()
}

fn labels(completion: &Value) -> Vec<String> {
    let items = completion
        .as_array()
        .or_else(|| completion["items"].as_array())
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn diagnostics_are_pushed_with_codes_and_cleared_when_fixed() {
    let dir = shop("diagnostics");
    let path = dir.join("services.dvc");
    let clean = read(&path);
    let broken = clean.replace("replicas = 2", "replicas = \"two\"");
    let u = uri(&path);
    let mut c = start(&dir);
    c.open(&u, &broken);
    let diags = c.diagnostics(&u);
    assert_eq!(codes(&diags), ["DVC0302"], "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "dvcc");
    assert_eq!(d["codeDescription"]["href"], "https://dvcc.dev/diagnostics/DVC0302");
    assert_eq!(d["range"]["start"], pos(&broken, "\"two\"", 0));
    assert!(d["message"].as_str().unwrap_or("").contains("help:"), "{d}");
    c.change(&u, 2, &clean);
    assert_eq!(c.diagnostics(&u), Vec::<Value>::new());
    assert!(c.shutdown().success(), "exit code 0 after shutdown");
}

#[test]
fn secondary_labels_become_related_information() {
    let dir = shop("related");
    let path = dir.join("services.dvc");
    let text = read(&path) + "\nservice api {\n  image = \"ghcr.io/acme/api2\"\n}\n";
    let u = uri(&path);
    let mut c = start(&dir);
    c.open(&u, &text);
    let diags = c.diagnostics(&u);
    let dup = diags
        .iter()
        .find(|d| d["code"] == "DVC0204")
        .expect("a duplicate-name diagnostic");
    let related = dup["relatedInformation"].as_array().expect("related information");
    assert_eq!(related[0]["location"]["uri"], u.as_str());
    assert_eq!(related[0]["location"]["range"]["start"], pos(&text, "service api", 8));
}

#[test]
fn rapid_edits_end_with_the_diagnostics_of_the_last() {
    let dir = shop("rapid");
    let path = dir.join("services.dvc");
    let clean = read(&path);
    let u = uri(&path);
    let mut c = start(&dir);
    c.open(&u, &clean);
    c.diagnostics(&u);
    c.clear();
    // Twenty edits without waiting; the last one has an error.
    for version in 2..=21 {
        let text = if version == 21 {
            clean.replace("replicas = 2", "replicas = true")
        } else {
            clean.replace("replicas = 2", &format!("replicas = {version}"))
        };
        c.change(&u, version, &text);
    }
    // Whatever was skipped, the diagnostics of version 21 arrive, and a
    // request sees that version.
    let mut last = Vec::new();
    for _ in 0..21 {
        let d = c.diagnostics(&u);
        if !d.is_empty() {
            last = d;
            break;
        }
    }
    assert_eq!(codes(&last), ["DVC0302"], "{last:?}");
    let h = hover_text(&c.request("textDocument/hover", at(&u, &clean, "replicas = 2", 2)));
    assert!(h.contains("| production | `5` |"), "{h}");
    let published = c
        .notifications
        .iter()
        .filter(|n| n["method"] == "textDocument/publishDiagnostics")
        .count();
    assert!(
        published < 20,
        "stale edits are not all analysed: {published} more publications"
    );
}

#[test]
fn the_unsaved_buffer_is_analysed_not_the_disk() {
    let dir = shop("overlay");
    let path = dir.join("services.dvc");
    let clean = read(&path);
    // The disk is broken, the buffer clean: nothing to report.
    std::fs::write(&path, clean.replace("port     = 8080", "port     = \"http\"")).expect("writable");
    let u = uri(&path);
    let mut c = start(&dir);
    c.open(&u, &clean);
    assert_eq!(c.diagnostics(&u), Vec::<Value>::new());
    // And the other way round.
    std::fs::write(&path, &clean).expect("writable");
    c.change(&u, 2, &clean.replace("replicas = 2", "replicas = -1"));
    assert!(!c.diagnostics(&u).is_empty());
}

#[test]
fn an_edit_in_one_file_changes_the_diagnostics_of_another() {
    let dir = shop("multi");
    let services = dir.join("services.dvc");
    let observability = dir.join("observability.dvc");
    let (su, ou) = (uri(&services), uri(&observability));
    let text = read(&services);
    let mut c = start(&dir);
    c.open(&su, &text);
    assert_eq!(c.diagnostics(&su), Vec::<Value>::new());
    assert_eq!(
        c.diagnostics(&ou),
        Vec::<Value>::new(),
        "the project's other files are published too"
    );
    c.clear();
    // Renaming the service in one file breaks the references in another.
    let renamed = text.replacen("service api {", "service web {", 1);
    c.change(&su, 2, &renamed);
    let other = c.diagnostics(&ou);
    assert!(!other.is_empty(), "observability.dvc refers to `api`");
    assert!(
        other
            .iter()
            .all(|d| d["message"].as_str().unwrap_or("").contains("api")),
        "{other:?}"
    );
    c.clear();
    c.change(&su, 3, &text);
    assert_eq!(c.diagnostics(&ou), Vec::<Value>::new(), "cleared once fixed");
}

#[test]
fn hover_shows_docs_declarations_and_values_per_environment() {
    let dir = shop("hover");
    let services = dir.join("services.dvc");
    let text = read(&services);
    let u = uri(&services);
    let mut c = start(&dir);
    c.open(&u, &text);
    c.diagnostics(&u);
    // An attribute inherited and overridden: its value in each environment.
    let h = hover_text(&c.request("textDocument/hover", at(&u, &text, "replicas = 2", 2)));
    assert!(h.contains("whole number"), "{h}");
    assert!(h.contains("| dev | `2` |"), "{h}");
    assert!(h.contains("| staging | `2` |"), "{h}");
    assert!(
        h.contains("| production | `5` | in this environment (services.dvc:"),
        "{h}"
    );
    // A nested attribute set only in the service.
    let h = hover_text(&c.request("textDocument/hover", at(&u, &text, "memory = 512Mi", 1)));
    assert!(
        h.contains("| production | `512Mi` | the service's (services.dvc:6)"),
        "{h}"
    );
    // A block kind: the schema's documentation.
    let h = hover_text(&c.request("textDocument/hover", at(&u, &text, "rollout api_canary", 1)));
    assert!(h.contains("rollout NAME"), "{h}");
    // A reference: the declaration it resolves to.
    let project = dir.join("project.dvc");
    let ptext = read(&project);
    let pu = uri(&project);
    c.open(&pu, &ptext);
    c.diagnostics(&pu);
    let h = hover_text(&c.request("textDocument/hover", at(&pu, &ptext, "extends   = dev", 13)));
    assert!(h.contains("environment dev"), "{h}");
    assert!(h.contains("| `cluster` | `dev-cluster` |"), "{h}");
    // An environment's attribute, inherited along `extends`.
    let h = hover_text(&c.request("textDocument/hover", at(&pu, &ptext, "region    = \"us-east-1\"", 1)));
    assert!(h.contains("| production | `\"us-east-1\"` | from `dev`"), "{h}");
}

#[test]
fn completion_offers_what_fits_here() {
    let dir = shop("completion");
    let pipelines = dir.join("pipelines.dvc");
    let text = read(&pipelines);
    let u = uri(&pipelines);
    let mut c = start(&dir);
    // An empty line in a job, `needs = [` in a deploy, a unit, a label.
    let edited = text
        .replacen("    needs = [build]\n", "    needs = [build]\n    \n", 1)
        .replacen("deploy staging { needs = [test]", "deploy staging { needs = [te", 1)
        + "\nservice extra {\n  resources {\n    memory = 512\n  }\n}\npipeline other {\n  job x {\n    uses \n  }\n}\n";
    c.open(&u, &edited);
    c.diagnostics(&u);
    let blank = pos(
        &edited,
        "    needs = [build]\n    \n",
        "    needs = [build]\n    ".len(),
    );
    let items = labels(&c.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": u }, "position": blank }),
    ));
    for want in ["runs_on", "timeout", "run", "uses", "matrix"] {
        assert!(items.iter().any(|i| i == want), "{want} in {items:?}");
    }
    assert!(
        !items.iter().any(|i| i == "needs"),
        "`needs` is written already: {items:?}"
    );
    let items = labels(&c.request(
        "textDocument/completion",
        at(&u, &edited, "needs = [te", "needs = [te".len()),
    ));
    assert!(
        items.contains(&"test".to_string()) && items.contains(&"build".to_string()),
        "{items:?}"
    );
    assert!(
        !items.contains(&"x".to_string()),
        "jobs of another pipeline are not offered: {items:?}"
    );
    let items = labels(&c.request(
        "textDocument/completion",
        at(&u, &edited, "memory = 512\n", "memory = 512".len()),
    ));
    assert!(
        items.contains(&"512Mi".to_string()) && items.contains(&"512Gi".to_string()),
        "{items:?}"
    );
    let items = labels(&c.request(
        "textDocument/completion",
        at(&u, &edited, "    uses \n", "    uses ".len()),
    ));
    assert!(
        items.contains(&"checkout".to_string()) && items.contains(&"docker_build".to_string()),
        "{items:?}"
    );
    // Template parameters inside `uses T { }`, and a parameter's type.
    let items = labels(&c.request(
        "textDocument/completion",
        at(&u, &edited, "docker_build { ", "docker_build { ".len()),
    ));
    assert!(
        items.contains(&"dockerfile".to_string()) && !items.contains(&"service".to_string()),
        "{items:?}"
    );
    let items = labels(&c.request(
        "textDocument/completion",
        at(&u, &edited, "{ service = api", "{ service = ".len()),
    ));
    assert!(items.contains(&"api".to_string()), "{items:?}");
    // Stdlib modules after `import "`.
    let with_import = format!("import \"std/\n{edited}");
    c.change(&u, 2, &with_import);
    c.diagnostics(&u);
    let import_at = json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 12 } });
    let items = labels(&c.request("textDocument/completion", import_at));
    assert!(
        items.contains(&"std/docker".to_string()) && items.contains(&"std/deploy".to_string()),
        "{items:?}"
    );
    c.change(&u, 3, &edited);
    c.diagnostics(&u);
    // The top level: block kinds.
    let top = json!({ "textDocument": { "uri": u }, "position": { "line": 0, "character": 0 } });
    let items = labels(&c.request("textDocument/completion", top));
    for want in ["service", "environment", "pipeline", "alert", "import"] {
        assert!(items.iter().any(|i| i == want), "{want} in {items:?}");
    }
}

#[test]
fn definition_references_and_rename() {
    let dir = shop("names");
    let services = dir.join("services.dvc");
    let pipelines = dir.join("pipelines.dvc");
    let stext = read(&services);
    let ptext = read(&pipelines);
    let (su, pu) = (uri(&services), uri(&pipelines));
    let mut c = start(&dir);
    c.open(&pu, &ptext);
    c.diagnostics(&pu);
    // `api` in `services = [api]` leads to `service api` in another file.
    let def = c.request("textDocument/definition", at(&pu, &ptext, "services = [api]", 12));
    assert_eq!(def["uri"], su.as_str());
    assert_eq!(def["range"]["start"], pos(&stext, "service api", 8));
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": pu }, "position": pos(&ptext, "services = [api]", 12), "context": { "includeDeclaration": true } }),
    );
    let files: std::collections::BTreeSet<String> = refs
        .as_array()
        .expect("a list")
        .iter()
        .map(|l| l["uri"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        files.len() >= 3,
        "declaration and references in several files: {files:?}"
    );
    // Rename: every site, in every file.
    let prep = c.request("textDocument/prepareRename", at(&pu, &ptext, "services = [api]", 12));
    assert_eq!(prep["placeholder"], "api");
    let edit = c.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": pu }, "position": pos(&ptext, "services = [api]", 12), "newName": "web" }),
    );
    let changes = edit["changes"].as_object().expect("changes by file");
    let count: usize = changes.values().map(|e| e.as_array().map_or(0, Vec::len)).sum();
    assert_eq!(count, refs.as_array().map_or(0, Vec::len));
    assert!(
        changes
            .values()
            .flat_map(|e| e.as_array().cloned().unwrap_or_default())
            .all(|e| e["newText"] == "web")
    );
    // Refused: an invalid name, a taken one, a stdlib template.
    let bad = c.request_raw(
        "textDocument/rename",
        json!({ "textDocument": { "uri": pu }, "position": pos(&ptext, "services = [api]", 12), "newName": "9 lives" }),
    );
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("not a valid name"),
        "{bad}"
    );
    let taken = c.request_raw(
        "textDocument/rename",
        json!({ "textDocument": { "uri": pu }, "position": pos(&ptext, "needs = [staging]", 9), "newName": "dev" }),
    );
    assert!(
        taken["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("already an environment `dev`"),
        "{taken}"
    );
    let std = c.request_raw("textDocument/prepareRename", at(&pu, &ptext, "uses checkout", 6));
    assert!(
        std["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("standard library"),
        "{std}"
    );
    // A deploy job is named after its environment: renaming the
    // environment renames the job and the needs naming it.
    let edit = c.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": pu }, "position": pos(&ptext, "needs = [staging]", 9), "newName": "preprod" }),
    );
    let pipeline_edits = edit["changes"][pu.as_str()].as_array().cloned().unwrap_or_default();
    assert_eq!(
        pipeline_edits.len(),
        2,
        "the deploy label and the need: {pipeline_edits:?}"
    );
    assert!(
        edit["changes"][uri(&dir.join("project.dvc")).as_str()].is_array(),
        "the environment itself"
    );
}

#[test]
fn symbols_folding_and_semantic_tokens() {
    let dir = shop("symbols");
    let services = dir.join("services.dvc");
    let text = read(&services);
    let u = uri(&services);
    let mut c = start(&dir);
    c.open(&u, &text);
    c.diagnostics(&u);
    let doc = json!({ "textDocument": { "uri": u } });
    let symbols = c.request("textDocument/documentSymbol", doc.clone());
    let names: Vec<&str> = symbols
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, ["service api", "rollout api_canary"]);
    let children: Vec<&str> = symbols[0]["children"]
        .as_array()
        .expect("children")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(
        children.contains(&"replicas") && children.contains(&"in production"),
        "{children:?}"
    );
    let found = c.request("workspace/symbol", json!({ "query": "canary" }));
    assert_eq!(found[0]["name"], "api_canary");
    let folds = c.request("textDocument/foldingRange", doc.clone());
    assert!(
        folds.as_array().expect("a list").iter().any(|f| f["startLine"] == 0),
        "{folds}"
    );
    let tokens = c.request("textDocument/semanticTokens/full", doc);
    let data = tokens["data"].as_array().expect("data");
    assert_eq!(data.len() % 5, 0);
    // The first token is the keyword `service` at 0:0, 7 long.
    assert_eq!(&data[..5], &[json!(0), json!(0), json!(7), json!(0), json!(0)]);
}

#[test]
fn code_actions_apply_fixes_and_formatting_uses_fmt() {
    let dir = shop("actions");
    let services = dir.join("services.dvc");
    let clean = read(&services);
    let broken = clean.replace("memory = 512Mi", "memory = 512MB");
    let u = uri(&services);
    let mut c = start(&dir);
    c.open(&u, &broken);
    let diags = c.diagnostics(&u);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": u }, "range": diags[0]["range"], "context": { "diagnostics": diags } }),
    );
    let quick = actions
        .as_array()
        .expect("a list")
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .expect("a quick fix")
        .clone();
    let edits = quick["edit"]["changes"][u.as_str()].as_array().cloned().expect("edits");
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["newText"], "512Mi");
    let all = actions
        .as_array()
        .expect("a list")
        .iter()
        .find(|a| a["kind"] == "source.fixAll")
        .cloned()
        .expect("fix all");
    assert_eq!(all["edit"]["changes"][u.as_str()][0]["newText"], clean.as_str());
    // Formatting: `dvcc fmt`'s layout, as one edit.
    c.change(&u, 2, &clean.replace("  port     = 8080", "port=8080"));
    c.diagnostics(&u);
    let edits = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(edits[0]["newText"], clean.as_str());
    c.change(&u, 3, &clean);
    c.diagnostics(&u);
    let none = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(none, json!([]));
}

#[test]
fn positions_are_utf16_code_units() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lsp").join("utf16");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    let path = dir.join("main.dvc");
    let text = "service api { image = \"ghcr.io/a/api\"  port = 8080 } /* 😀 é */ service b { replicas = \"x\" }\n";
    let u = uri(&path);
    let mut c = start(&dir);
    c.open(&u, text);
    let diags = c.diagnostics(&u);
    let d = diags.iter().find(|d| d["code"] == "DVC0302").expect("the type error");
    // `😀` is two UTF-16 units, `é` one.
    assert_eq!(d["range"]["start"], pos(text, "\"x\"", 0));
    assert_eq!(
        d["range"]["start"]["character"],
        text[..text.find("\"x\"").expect("x")]
            .chars()
            .map(char::len_utf16)
            .sum::<usize>()
    );
}

#[test]
fn a_panic_in_a_request_is_reported_and_the_server_keeps_serving() {
    let dir = shop("panic");
    let services = dir.join("services.dvc");
    let text = read(&services);
    let u = uri(&services);
    let mut c = Client::start(&binary(), &dir, &[("DVCC_LSP_TEST_PANIC", "1")]);
    c.open(&u, &text);
    c.diagnostics(&u);
    let crashed = c.request_raw("dvcc/debugPanic", json!({ "textDocument": { "uri": u } }));
    assert_eq!(crashed["error"]["code"], -32603, "{crashed}");
    assert!(
        crashed["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("a bug in dvcc")
    );
    let h = c.request("textDocument/hover", at(&u, &text, "replicas = 2", 2));
    assert!(hover_text(&h).contains("whole number"));
    // Unknown requests are errors, not crashes.
    let unknown = c.request_raw("textDocument/nothing", json!({ "textDocument": { "uri": u } }));
    assert_eq!(unknown["error"]["code"], -32601);
    assert!(c.shutdown().success());
}

/// Re-parsing with the chunks (and lowered parts) of the previous parse
/// gives exactly what a parse from scratch gives (trees and diagnostics),
/// over every `.dvc` file of the repository and a series of edits of each:
/// insertions that break and repair items, deletions across chunk
/// boundaries, comments that open, close or trail, and the file's id
/// changing between parses (another load order).
#[test]
fn reparsing_with_cached_chunks_equals_a_fresh_parse() {
    use dvcc::source::FileId;
    use dvcc::syntax::{ChunkCache, parse_text, parse_text_with};
    let mut rng = crate::support::Rng(0x9e37_79b9_7f4a_7c15);
    let mut next = move |n: usize| rng.below(n);
    let mut checked = 0;
    for path in crate::support::repo_dvc_files() {
        let Ok(mut text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let mut cache = ChunkCache::default();
        for step in 0..12 {
            let file = FileId(3 + (step / 5) as u32);
            let fresh = parse_text(file, &text);
            let cached = parse_text_with(file, &text, &mut cache);
            // (As the language server does once its answer is out; every
            // third parse, the next parse lowers the whole file instead.)
            if step % 3 != 2 {
                cache.settle(&cached.ast);
            }
            assert_eq!(cached.ast, fresh.ast, "{} after {step} edits", path.display());
            assert_eq!(format!("{:?}", cached.diagnostics), format!("{:?}", fresh.diagnostics));
            checked += 1;
            // The next edit, at a character boundary.
            let mut at = next(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match step % 6 {
                0 => text.insert(at, 'x'),
                1 => text.insert_str(at, "\n}\nservice z {\n"),
                2 => {
                    let mut end = (at + next(200)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                }
                3 => text.insert_str(at, "\"unclosed "),
                // A comment running to the end, closed again two edits on.
                4 => text.insert_str(at, " /* "),
                _ => match text.find("/* ") {
                    Some(open) => text.replace_range(open..open + 3, "# \n"),
                    None => text.insert_str(at, " # trailing\n"),
                },
            }
        }
        assert!(!cache.is_empty() || text.trim().is_empty());
    }
    assert!(checked > 100, "{checked} parses compared");
}

/// A buffer never saved (`untitled:`) is a project of its own; closing it
/// clears its diagnostics.
#[test]
fn an_untitled_buffer_is_checked_alone_and_cleared_on_close() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("lsp").join("untitled");
    let _ = std::fs::create_dir_all(&dir);
    let mut c = start(&dir);
    let u = "untitled:Untitled-1";
    c.open(
        u,
        "service api {\n  image = \"ghcr.io/a/api\"\n  replicas = \"two\"\n}\n",
    );
    let diags = c.diagnostics(u);
    assert!(codes(&diags).contains(&"DVC0302".to_string()), "{diags:?}");
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": u }, "position": { "line": 2, "character": 3 } }),
    );
    assert!(hover_text(&h).contains("whole number"), "{h}");
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": u } }));
    assert_eq!(c.diagnostics(u), Vec::<Value>::new());
}

#[test]
fn a_handbook_template_error_is_published_on_the_template() {
    let dir = shop("handbook");
    let template = dir.join("handbook/service.md.hbs");
    std::fs::create_dir_all(template.parent().expect("parent")).expect("mkdir");
    std::fs::write(&template, "# {{name}}\n\nOwned by {{owner}}.\n").expect("write");
    let services = dir.join("services.dvc");
    let mut c = start(&dir);
    c.open(&uri(&services), &read(&services));
    assert_eq!(c.diagnostics(&uri(&services)), Vec::<Value>::new());
    let on_template = c.diagnostics(&uri(&template));
    assert_eq!(on_template.len(), 1, "{on_template:?}");
    assert_eq!(on_template[0]["code"], "DVC0541");
    assert_eq!(on_template[0]["range"]["start"], json!({"line": 2, "character": 9}));
    // Fixed on disk: the watched-file event re-analyses the project.
    c.clear();
    std::fs::write(&template, "# {{name}}\n\nOwned by {{team}}.\n").expect("write");
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&template), "type": 2 }] }),
    );
    assert_eq!(
        c.diagnostics(&uri(&template)),
        Vec::<Value>::new(),
        "cleared once fixed"
    );
}
