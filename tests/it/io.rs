//! Loading and encodings: the `DVC07xx` codes, byte order marks, CRLF, and
//! what a directory means. Each diagnostic is snapshotted (human and JSON).

use std::path::PathBuf;

use dvcc::Loaded;
use dvcc::diag::Code;
use dvcc::load;

use crate::support::{codes, report_at, syntax_bytes};

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("io");
    std::fs::create_dir_all(&dir).expect("the target tmp dir is writable");
    dir.join(name)
}

fn snapshot(name: &str, source: &str, loaded: &Loaded, diags: &[dvcc::diag::Diagnostic]) {
    let tmpdir = env!("CARGO_TARGET_TMPDIR").replace('\\', "/");
    let text = report_at(source, &loaded.db, diags, 1000).replace(&tmpdir, "<tmp>");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/diagnostics");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(format!("io__{name}"), text));
}

fn lint_paths(paths: &[PathBuf]) -> (Loaded, Vec<dvcc::diag::Diagnostic>) {
    let loaded = dvcc::load_paths(paths);
    let diags = dvcc::lint(&loaded);
    (loaded, diags)
}

#[test]
fn invalid_utf8_names_file_and_position() {
    let bytes = b"project shop {\n  owner = \"caf\xe9\"\n}\n".to_vec();
    let (loaded, diags) = syntax_bytes("latin1.dvc", bytes);
    assert_eq!(codes(&diags), ["DVC0702"]);
    let d = &diags[0];
    assert!(d.message.contains("line 2, column 15"), "{}", d.message);
    snapshot(
        "invalid_utf8",
        "project shop {\\n  owner = \"caf\\xe9\"\\n}\\n",
        &loaded,
        &diags,
    );
}

#[test]
fn nul_byte_is_reported() {
    let (loaded, diags) = syntax_bytes("utf16.dvc", b"p\0r\0o\0j\0".to_vec());
    assert_eq!(codes(&diags), ["DVC0703"]);
    assert_eq!(diags[0].primary.span.start, 1);
    snapshot("nul_byte", "p\\0r\\0o\\0j\\0", &loaded, &diags);
}

#[test]
fn bom_and_crlf_are_accepted() {
    let text = "\u{FEFF}service api {\r\n  port = 8080\r\n  run = \"\"\"\r\n    a\r\n    b\r\n  \"\"\"\r\n}\r\n";
    let (loaded, diags) = syntax_bytes("windows.dvc", text.as_bytes().to_vec());
    assert!(diags.is_empty(), "{diags:?}");
    let file = loaded.files[0];
    let parse = dvcc::syntax::parse_text(file, loaded.db.text(file));
    // The tree still prints back to the text (without the BOM, kept aside).
    assert!(loaded.db.get(file).bom);
    assert_eq!(
        parse.cst.expect("parse_text keeps the CST").print(loaded.db.text(file)),
        &text[3..]
    );
}

#[test]
fn crlf_errors_point_at_the_right_column() {
    let text = "service api {\r\n  port: 8080\r\n}\r\n";
    let (loaded, diags) = syntax_bytes("crlf.dvc", text.as_bytes().to_vec());
    assert_eq!(codes(&diags), ["DVC0109"]);
    let at = loaded
        .db
        .get(diags[0].primary.span.file)
        .line_col(diags[0].primary.span.start as usize);
    assert_eq!((at.line, at.column), (2, 7));
}

#[test]
fn missing_path() {
    let (loaded, diags) = lint_paths(&[PathBuf::from("tests/does-not-exist.dvc")]);
    assert_eq!(codes(&diags), ["DVC0701"]);
    assert!(loaded.has_io_failure());
    snapshot("missing_path", "", &loaded, &diags);
}

#[test]
fn directory_without_dvc_files() {
    let (loaded, diags) = lint_paths(&[PathBuf::from("docs/diagnostics")]);
    assert_eq!(codes(&diags), ["DVC0704"]);
    snapshot("no_dvc_files", "", &loaded, &diags);
}

#[test]
fn file_too_large_is_not_read() {
    let path = tmp("huge.dvc");
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(load::MAX_FILE_BYTES + 1).expect("a sparse file");
    let (loaded, diags) = lint_paths(std::slice::from_ref(&path));
    assert_eq!(codes(&diags), ["DVC0705"]);
    snapshot("file_too_large", "", &loaded, &diags);
    let _ = std::fs::remove_file(path);
}

#[test]
fn a_directory_is_every_dvc_file_in_it_in_name_order() {
    let (loaded, diags) = lint_paths(&[PathBuf::from("examples/shop")]);
    assert!(diags.is_empty(), "{diags:?}");
    let names: Vec<&str> = loaded.files.iter().map(|f| loaded.db.get(*f).name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(names.len() >= 4, "{names:?}");
}

/// The I/O codes that the tests above trigger (for the coverage test).
pub fn codes_triggered() -> Vec<Code> {
    let mut out = Vec::new();
    out.extend(syntax_bytes("a.dvc", b"\xff".to_vec()).1.iter().map(|d| d.code));
    out.extend(syntax_bytes("a.dvc", b"\0".to_vec()).1.iter().map(|d| d.code));
    out.extend(
        lint_paths(&[PathBuf::from("tests/does-not-exist.dvc")])
            .1
            .iter()
            .map(|d| d.code),
    );
    out.extend(
        lint_paths(&[PathBuf::from("docs/diagnostics")])
            .1
            .iter()
            .map(|d| d.code),
    );
    let odd = Loaded::from_files(&[("pipelines\nname: evil.dvc", b"project p {}".to_vec())]);
    out.extend(dvcc::lint(&odd).iter().map(|d| d.code));
    let path = tmp("huge-coverage.dvc");
    if let Ok(f) = std::fs::File::create(&path) {
        let _ = f.set_len(load::MAX_FILE_BYTES + 1);
        out.extend(lint_paths(std::slice::from_ref(&path)).1.iter().map(|d| d.code));
        let _ = std::fs::remove_file(path);
    }
    // A file named on the command line that is not `.dvc`.
    let roots = load::lint_roots(&load::Disk, &[PathBuf::from("Cargo.toml")]);
    let foreign = dvcc::driver::load_roots(&load::Disk, &roots, &[]);
    out.extend(dvcc::lint(&foreign).iter().map(|d| d.code));
    // An output directory that cannot be written (the binary reports it).
    let blocker = tmp("write-failed");
    let _ = std::fs::write(&blocker, "a file");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_dvcc"))
        .args(["build", "examples/shop", "--out"])
        .arg(blocker.join("out"))
        .current_dir(crate::support::root())
        .output();
    if let Ok(o) = o
        && String::from_utf8_lossy(&o.stderr).starts_with("error[DVC0712]")
    {
        out.push(Code::WriteFailed);
    }
    out
}

#[test]
fn relative_imports_load_and_errors_point_into_the_imported_file() {
    let base = tmp("imports");
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(base.join("app")).expect("mkdir");
    // A repository: imports may read anywhere in it.
    std::fs::create_dir_all(base.join(".git")).expect("mkdir");
    std::fs::create_dir_all(base.join("lib")).expect("mkdir");
    std::fs::write(
        base.join("app/main.dvc"),
        "import \"../lib/steps.dvc\"\nproject p { repo = \"a/b\" }\npipeline ci { on manual { }  job t { uses greet } }\n",
    )
    .expect("write");
    std::fs::write(
        base.join("lib/steps.dvc"),
        "template greet {\n  run \"echo hi\"\n  colour = 1\n}\n",
    )
    .expect("write");
    let loaded = dvcc::load_paths(&[base.join("app")]);
    let diags = dvcc::lint(&loaded);
    assert_eq!(codes(&diags), ["DVC0202"], "{diags:#?}");
    let file = &loaded.db.get(diags[0].primary.span.file).name;
    assert!(file.ends_with("lib/steps.dvc"), "{file}");
    assert_eq!(loaded.projects[0].files.len(), 2);

    // A cycle between files on disk.
    std::fs::write(
        base.join("lib/steps.dvc"),
        "import \"../app/main.dvc\"\ntemplate greet { run \"echo hi\" }\n",
    )
    .expect("write");
    let loaded = dvcc::load_paths(&[base.join("app")]);
    let diags = dvcc::lint(&loaded);
    assert_eq!(codes(&diags), ["DVC0402"], "{diags:#?}");
    assert_eq!(diags[0].secondary.len(), 1, "both imports are labelled");
}

/// Imports read regular `.dvc` files of the project (its directory, its
/// git work tree, `--import-root`) and nothing else: not a device, a FIFO,
/// a file outside (directly or through a link), a file of another kind or
/// an oversized one. None of them is read, so none can hang or be echoed.
#[cfg(unix)]
#[test]
fn imports_read_only_project_dvc_files() {
    // Outside any git repository.
    let base = std::env::temp_dir().join(format!("dvcc-imports-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(base.join("p")).expect("mkdir");
    std::fs::create_dir_all(base.join("outside")).expect("mkdir");
    std::fs::write(base.join("outside/x.dvc"), "template shared { run \"echo x\" }\n").expect("write");
    std::fs::write(base.join("p/notes.txt"), "SECRET=hunter2\n").expect("write");
    std::os::unix::fs::symlink(base.join("outside/x.dvc"), base.join("p/link.dvc")).expect("symlink");
    let fifo = base.join("p/fifo.dvc");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let big = std::fs::File::create(base.join("p/big.dvc")).expect("create");
    big.set_len(load::MAX_FILE_BYTES + 1).expect("a sparse file");
    let imports = [
        "/dev/zero",
        "/dev/zero.dvc",
        "fifo.dvc",
        "../outside/x.dvc",
        "link.dvc",
        "notes.txt",
        "big.dvc",
    ];
    let mut main = String::new();
    for i in imports {
        main.push_str(&format!("import \"{i}\"\n"));
    }
    main.push_str("project p { repo = \"a/b\" }\n");
    std::fs::write(base.join("p/main.dvc"), &main).expect("write");

    let loaded = dvcc::load_paths(&[base.join("p/main.dvc")]);
    let diags = dvcc::driver::syntax_diagnostics(&loaded);
    let messages: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {}", d.code.as_str(), d.message))
        .collect();
    let outside = load::display(&base.join("outside/x.dvc"));
    let p = load::display(&base.join("p"));
    assert_eq!(
        messages,
        [
            "DVC0208 cannot import `/dev/zero`: only `.dvc` files can be imported".to_string(),
            "DVC0208 cannot import `/dev/zero.dvc`: `/dev/zero.dvc` is outside the project".to_string(),
            format!("DVC0208 cannot import `fifo.dvc`: `{p}/fifo.dvc` is not a regular file"),
            format!("DVC0208 cannot import `../outside/x.dvc`: `{outside}` is outside the project"),
            format!("DVC0208 cannot import `link.dvc`: `{p}/link.dvc` is outside the project"),
            "DVC0208 cannot import `notes.txt`: only `.dvc` files can be imported".to_string(),
            format!("DVC0208 cannot import `big.dvc`: `{p}/big.dvc` is larger than 64 MiB"),
        ],
    );
    assert_eq!(loaded.files.len(), 1, "only main.dvc was read");
    let out = crate::support::human(&loaded.db, &diags);
    assert!(!out.contains("hunter2") && !out.contains("echo x"), "{out}");

    // An import root allows the directory outside, and the link into it.
    let loaded = dvcc::driver::load_allowing(&load::Disk, &[base.join("p/main.dvc")], &[base.join("outside")]);
    let diags = dvcc::driver::syntax_diagnostics(&loaded);
    assert_eq!(diags.len(), 5, "{diags:#?}");
    assert_eq!(
        loaded.files.len(),
        2,
        "main.dvc and outside/x.dvc (once, by both paths)"
    );
    let _ = std::fs::remove_dir_all(&base);
}

/// An in-memory project resolves its imports among its own files: the disk
/// is read only when the project was loaded from the disk.
#[test]
fn in_memory_projects_do_not_read_the_disk() {
    // `examples/shop/services.dvc` exists on disk, beside this name.
    let loaded = Loaded::from_files(&[(
        "examples/shop/main.dvc",
        b"import \"./services.dvc\"\nproject p { repo = \"a/b\" }\n".to_vec(),
    )]);
    let diags = dvcc::lint(&loaded);
    assert_eq!(codes(&diags), ["DVC0208"], "{diags:#?}");
    assert_eq!(loaded.projects[0].files.len(), 1);

    // With the imported file in memory too, it resolves.
    let loaded = Loaded::from_files(&[
        (
            "examples/shop/main.dvc",
            b"import \"./lib/services.dvc\"\nproject p { repo = \"a/b\" }\n".to_vec(),
        ),
        ("examples/shop/lib/services.dvc", b"".to_vec()),
    ]);
    assert!(dvcc::lint(&loaded).is_empty());
    assert_eq!(loaded.projects[0].files.len(), 2);
}

/// A file name with a line break would split the header of every file
/// generated from it: such a file is reported and not read.
#[test]
fn file_names_with_line_breaks_are_not_read() {
    let loaded = Loaded::from_files(&[
        ("p.dvc", b"project p { repo = \"a/b\" }".to_vec()),
        (
            "pipelines\nname: evil.dvc",
            b"pipeline ci { on manual { }  job t { run \"x\" } }".to_vec(),
        ),
    ]);
    let diags = dvcc::lint(&loaded);
    assert_eq!(codes(&diags), ["DVC0710"], "{diags:#?}");
    assert!(
        diags[0].message.contains("pipelines\\nname: evil.dvc"),
        "{}",
        diags[0].message
    );
    assert_eq!(loaded.projects[0].files.len(), 1, "the file is not read");
}
