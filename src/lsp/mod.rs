//! `dvcc lsp`: the language server, on standard input and output.
//!
//! One main loop owns every piece of state (open documents, analysed
//! snapshots) and never analyses: edits go to a worker thread as jobs
//! tagged with the project's edit generation, the worker drops jobs a newer
//! edit made stale (before it starts and between loading and checking), and
//! sends back snapshots, which the loop installs and publishes. Requests on
//! a project whose latest edit is not analysed yet wait in a queue for its
//! snapshot, so an answer always reflects the text the editor sent.
//!
//! **Invariant:** nothing but protocol messages is written to standard
//! output; a panic while answering a request or analysing is caught,
//! answered as an error (or shown as a message) and the server keeps
//! serving.

mod actions;
mod complete;
pub mod convert;
mod hover;
mod locate;
mod nav;
mod tokens;
pub mod world;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use crossbeam_channel::{Receiver, Sender, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use serde_json::Value;

use crate::driver::ParseCache;
use world::{Document, ProjectKey, Snapshot};

/// Runs the server on standard input and output until the client exits;
/// the process's exit code (0 after `shutdown`, 1 without).
pub fn run_stdio() -> i32 {
    // A long-lived process: every keystroke meets the same expressions.
    crate::memo::long_lived(true);
    let (connection, io_threads) = Connection::stdio();
    let code = match serve(&connection) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("dvcc lsp: {e}");
            1
        }
    };
    // (The connection must be dropped before joining, or the writer never ends.)
    drop(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("dvcc lsp: {e}");
    }
    code
}

/// What the server offers.
pub fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
            will_save: None,
            will_save_wait_until: None,
            save: None,
        })),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![" ".into(), "=".into(), "\"".into(), "[".into(), ",".into()]),
            ..Default::default()
        }),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
        folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(lsp::SemanticTokensServerCapabilities::SemanticTokensOptions(
            lsp::SemanticTokensOptions {
                legend: tokens::legend(),
                full: Some(lsp::SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: Default::default(),
            },
        )),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
            code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX, lsp::CodeActionKind::SOURCE_FIX_ALL]),
            ..Default::default()
        })),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        ..Default::default()
    }
}

/// The protocol from `initialize` to `exit`.
pub fn serve(connection: &Connection) -> Result<i32, String> {
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    let init = serde_json::json!({
        "capabilities": caps,
        "serverInfo": { "name": "dvcc", "version": env!("CARGO_PKG_VERSION") },
    });
    let (id, _params) = connection.initialize_start().map_err(|e| e.to_string())?;
    connection.initialize_finish(id, init).map_err(|e| e.to_string())?;
    let (jobs_tx, jobs_rx) = crossbeam_channel::unbounded::<Job>();
    let (done_tx, done_rx) = crossbeam_channel::unbounded::<Done>();
    let latest: Latest = Arc::new(Mutex::new(HashMap::new()));
    let (janitor, garbage) = Janitor::new();
    let worker = {
        let latest = latest.clone();
        std::thread::Builder::new()
            .name("dvcc-analysis".into())
            .spawn(move || work(&jobs_rx, &garbage, &done_tx, &latest))
            .map_err(|e| e.to_string())?
    };
    let mut server = Server {
        sender: connection.sender.clone(),
        jobs: jobs_tx,
        latest,
        docs: BTreeMap::new(),
        snapshots: HashMap::new(),
        generations: HashMap::new(),
        pending: Vec::new(),
        published: HashMap::new(),
        failed: HashMap::new(),
        janitor,
        shutdown: false,
    };
    let code = loop {
        select! {
            recv(connection.receiver) -> msg => {
                let Ok(msg) = msg else { break 1 };
                if let Some(code) = server.on_message(msg) {
                    break code;
                }
            }
            recv(done_rx) -> done => {
                if let Ok(done) = done {
                    server.on_done(done);
                }
            }
        }
    };
    // Dropping the job sender ends the worker.
    drop(server);
    let _ = worker.join();
    Ok(code)
}

/// The latest edit generation of each project, shared with the worker so it
/// can tell stale work.
type Latest = Arc<Mutex<HashMap<ProjectKey, u64>>>;

/// Analyse `key` as of edit `generation`, with these documents.
struct Job {
    key: ProjectKey,
    generation: u64,
    docs: Vec<Document>,
}

enum Done {
    Analysed(Arc<Snapshot>),
    Failed {
        key: ProjectKey,
        generation: u64,
        message: String,
    },
}

fn is_stale(latest: &Latest, key: &ProjectKey, generation: u64) -> bool {
    latest
        .lock()
        .map(|m| m.get(key).is_some_and(|&g| g > generation))
        .unwrap_or(false)
}

/// The worker: the newest job per project, analysed unless stale. Between
/// jobs it frees what the loop hands back ([`Janitor`]).
fn work(jobs: &Receiver<Job>, garbage: &Receiver<Garbage>, done: &Sender<Done>, latest: &Latest) {
    // What the last analysis of each project parsed, for the next one.
    let mut caches: HashMap<ProjectKey, ParseCache> = HashMap::new();
    while let Some(first) = next_job(jobs, garbage) {
        let mut batch: BTreeMap<ProjectKey, Job> = BTreeMap::new();
        batch.insert(first.key.clone(), first);
        while let Ok(more) = jobs.try_recv() {
            batch.insert(more.key.clone(), more);
        }
        for (key, job) in batch {
            if is_stale(latest, &key, job.generation) {
                continue;
            }
            let stale = || is_stale(latest, &key, job.generation);
            let cache = caches.entry(key.clone()).or_default();
            let result = catch_unwind(AssertUnwindSafe(|| {
                Snapshot::analyse(job.key.clone(), job.generation, &job.docs, cache, &stale)
            }));
            if result.is_err() {
                // (What a panic left behind is not trusted.)
                caches.remove(&key);
            }
            let mut analysed = None;
            let message = match result {
                Ok(Some(snapshot)) => {
                    let snapshot = Arc::new(snapshot);
                    analysed = Some(snapshot.clone());
                    Done::Analysed(snapshot)
                }
                Ok(None) => continue,
                Err(panic) => Done::Failed {
                    key: key.clone(),
                    generation: job.generation,
                    message: panic_message(&panic),
                },
            };
            if done.send(message).is_err() {
                return;
            }
            // The loop, woken by that message, is queued on this thread's
            // core (the one the wake came from) behind what follows: it
            // waited 1–2 ms to publish the diagnostics on the 2-core
            // machine, while the caches settled. Letting it run first
            // (`cargo bench --bench lsp`: from 9.3–13.9 ms to 8.0–9.5 ms,
            // three interleaved runs each).
            std::thread::yield_now();
            // The answer is out: now what the next edit's parse and
            // analysis reuse is copied, and the replaced trees freed.
            if let Some(cache) = caches.get_mut(&key) {
                cache.settle();
                if let Some(snapshot) = analysed {
                    snapshot.warm();
                    cache.settle_analyses(&snapshot.linted);
                }
                drop(cache.take_garbage());
            }
        }
    }
}

/// What the loop hands back to be freed.
type Garbage = Box<dyn Send>;

/// Hands what an analysis replaced (the last snapshot) back to the worker,
/// which frees it between jobs: on the thread that made it. Freed on
/// another thread, its memory went back to the worker's allocator as a
/// list the worker collected during its next analysis, which cost that
/// analysis 0.5–0.8 ms of the 5,000-line bench file's 6–7 ms (in process,
/// three runs each); freed at once, as the answer went out, it held the
/// writing of the answer back.
#[derive(Clone)]
struct Janitor(Sender<Garbage>);

impl Janitor {
    /// The janitor, and what the worker frees from.
    fn new() -> (Janitor, Receiver<Garbage>) {
        let (tx, rx) = crossbeam_channel::unbounded();
        (Janitor(tx), rx)
    }

    /// Frees `garbage` soon (at once if the worker is gone).
    fn later(&self, garbage: impl Send + 'static) {
        // (A send fails only once the worker is gone: the value comes back
        // in the error and is dropped here.)
        let _ = self.0.send(Box::new(garbage));
    }
}

/// The next job, freeing `garbage` while none waits (a job that waits goes
/// first); `None` once the jobs' sender is gone.
fn next_job<J>(jobs: &Receiver<J>, garbage: &Receiver<Garbage>) -> Option<J> {
    loop {
        match jobs.try_recv() {
            Ok(job) => return Some(job),
            Err(crossbeam_channel::TryRecvError::Disconnected) => return None,
            Err(crossbeam_channel::TryRecvError::Empty) => {}
        }
        select! {
            recv(jobs) -> job => return job.ok(),
            recv(garbage) -> g => drop(g),
        }
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

struct Server {
    sender: Sender<Message>,
    jobs: Sender<Job>,
    latest: Latest,
    /// Open documents by URI.
    docs: BTreeMap<String, Document>,
    snapshots: HashMap<ProjectKey, Arc<Snapshot>>,
    /// Each project's latest edit.
    generations: HashMap<ProjectKey, u64>,
    /// Requests waiting for their project's current snapshot.
    pending: Vec<(ProjectKey, Request)>,
    /// The URIs each project last published diagnostics for.
    published: HashMap<ProjectKey, BTreeSet<String>>,
    /// The generation whose analysis failed, per project.
    failed: HashMap<ProjectKey, u64>,
    janitor: Janitor,
    shutdown: bool,
}

impl Server {
    /// Handles one message; `Some(exit code)` on `exit`.
    fn on_message(&mut self, msg: Message) -> Option<i32> {
        match msg {
            Message::Request(req) => {
                if self.shutdown {
                    self.reply_err(req.id, ErrorCode::InvalidRequest, "the server is shutting down".into());
                } else if req.method == "shutdown" {
                    self.shutdown = true;
                    self.send(Response::new_ok(req.id, Value::Null).into());
                } else {
                    self.on_request(req);
                }
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Some(if self.shutdown { 0 } else { 1 });
                }
                self.on_notification(n);
            }
            Message::Response(_) => {}
        }
        None
    }

    fn send(&self, msg: Message) {
        // (A closed channel means the client is gone; the loop ends on its own.)
        let _ = self.sender.send(msg);
    }

    fn reply_err(&self, id: RequestId, code: ErrorCode, message: String) {
        self.send(Response::new_err(id, code as i32, message).into());
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.send(Notification::new(method.into(), params).into());
    }

    fn on_notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params) {
                    let doc = Document {
                        uri: p.text_document.uri,
                        version: p.text_document.version,
                        text: p.text_document.text,
                    };
                    let key = world::project_of(&doc.uri);
                    self.docs.insert(doc.uri.as_str().to_string(), doc);
                    self.schedule(key);
                }
            }
            "textDocument/didChange" => {
                if let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    if let Some(doc) = self.docs.get_mut(uri.as_str()) {
                        doc.version = p.text_document.version;
                        for change in p.content_changes {
                            apply_change(&mut doc.text, change);
                        }
                        self.schedule(world::project_of(&uri));
                    }
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    self.docs.remove(uri.as_str());
                    let key = world::project_of(&uri);
                    if matches!(key, ProjectKey::Alone(_)) {
                        // Nothing else shows it: clear its diagnostics.
                        self.forget(&key);
                    } else {
                        self.schedule(key);
                    }
                }
            }
            "workspace/didChangeWatchedFiles" => {
                if let Ok(p) = serde_json::from_value::<lsp::DidChangeWatchedFilesParams>(n.params) {
                    let keys: BTreeSet<ProjectKey> = p.changes.iter().map(|c| world::project_of(&c.uri)).collect();
                    for key in keys {
                        if self.snapshots.contains_key(&key) || self.generations.contains_key(&key) {
                            self.schedule(key);
                        }
                    }
                }
            }
            "$/cancelRequest" => {
                if let Ok(p) = serde_json::from_value::<lsp::CancelParams>(n.params) {
                    let id: RequestId = match p.id {
                        lsp::NumberOrString::Number(n) => n.into(),
                        lsp::NumberOrString::String(s) => s.into(),
                    };
                    if let Some(i) = self.pending.iter().position(|(_, r)| r.id == id) {
                        let (_, req) = self.pending.remove(i);
                        self.reply_err(req.id, ErrorCode::RequestCanceled, "canceled".into());
                    }
                }
            }
            _ => {}
        }
    }

    /// A new edit of `key`: a new generation, analysed by the worker.
    fn schedule(&mut self, key: ProjectKey) {
        let generation = self.generations.get(&key).map_or(1, |g| g + 1);
        self.generations.insert(key.clone(), generation);
        if let Ok(mut latest) = self.latest.lock() {
            latest.insert(key.clone(), generation);
        }
        let docs: Vec<Document> = self
            .docs
            .values()
            .filter(|d| world::project_of(&d.uri) == key)
            .cloned()
            .collect();
        let _ = self.jobs.send(Job { key, generation, docs });
    }

    fn forget(&mut self, key: &ProjectKey) {
        self.snapshots.remove(key);
        self.generations.remove(key);
        if let Some(uris) = self.published.remove(key) {
            for uri in uris {
                if let Ok(uri) = uri.parse::<lsp::Uri>() {
                    self.publish(uri, Vec::new(), None);
                }
            }
        }
    }

    /// The snapshot of `key`'s latest edit (or the last good one, when the
    /// analysis of the latest failed).
    fn current(&self, key: &ProjectKey) -> Option<&Arc<Snapshot>> {
        let snapshot = self.snapshots.get(key)?;
        let latest = self.generations.get(key);
        (latest == Some(&snapshot.generation) || latest.is_some() && latest == self.failed.get(key)).then_some(snapshot)
    }

    fn on_done(&mut self, done: Done) {
        match done {
            Done::Analysed(snapshot) => {
                let key = snapshot.key.clone();
                if self.generations.get(&key) != Some(&snapshot.generation) {
                    return;
                }
                self.publish_all(&snapshot);
                if let Some(old) = self.snapshots.insert(key.clone(), snapshot) {
                    self.janitor.later(old);
                }
                self.serve_pending(&key);
            }
            Done::Failed {
                key,
                generation,
                message,
            } => {
                eprintln!("dvcc lsp: analysis failed: {message}");
                self.notify(
                    "window/showMessage",
                    lsp::ShowMessageParams {
                        typ: lsp::MessageType::ERROR,
                        message: format!("dvcc could not analyse this project (a bug in dvcc): {message}"),
                    },
                );
                if self.generations.get(&key) == Some(&generation) {
                    // Requests are answered from the last good snapshot, if any.
                    self.failed.insert(key.clone(), generation);
                    self.serve_pending(&key);
                    for req in self.take_pending(&key) {
                        self.reply_err(req.id, ErrorCode::InternalError, format!("analysis failed: {message}"));
                    }
                }
            }
        }
    }

    fn take_pending(&mut self, key: &ProjectKey) -> Vec<Request> {
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|(k, _)| k == key);
        self.pending = rest;
        mine.into_iter().map(|(_, r)| r).collect()
    }

    fn serve_pending(&mut self, key: &ProjectKey) {
        if self.current(key).is_none() {
            return;
        }
        for req in self.take_pending(key) {
            self.on_request(req);
        }
    }

    fn publish_all(&mut self, snapshot: &Snapshot) {
        let mut now: BTreeSet<String> = BTreeSet::new();
        for (uri, diagnostics) in snapshot.diagnostics() {
            let version = self.docs.get(uri.as_str()).map(|d| d.version);
            now.insert(uri.as_str().to_string());
            self.publish(uri, diagnostics, version);
        }
        let before = self
            .published
            .insert(snapshot.key.clone(), now.clone())
            .unwrap_or_default();
        for gone in before.difference(&now) {
            if let Ok(uri) = gone.parse::<lsp::Uri>() {
                self.publish(uri, Vec::new(), None);
            }
        }
    }

    fn publish(&self, uri: lsp::Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        self.notify(
            "textDocument/publishDiagnostics",
            lsp::PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        );
    }

    fn on_request(&mut self, req: Request) {
        if req.method == "workspace/symbol" {
            let snapshots: Vec<Arc<Snapshot>> = self.snapshots.values().cloned().collect();
            self.answer(req, |_, params| {
                let p: lsp::WorkspaceSymbolParams = serde_json::from_value(params).map_err(bad_params)?;
                to_value(nav::workspace_symbols(&snapshots, &p.query))
            });
            return;
        }
        let Some(uri) = request_uri(&req) else {
            self.reply_err(
                req.id,
                ErrorCode::MethodNotFound,
                format!("unknown request `{}`", req.method),
            );
            return;
        };
        let key = world::project_of(&uri);
        let Some(snapshot) = self.current(&key).cloned() else {
            if !self.generations.contains_key(&key) {
                // A file no editor buffer opened: analyse it from the disk.
                self.schedule(key.clone());
            }
            self.pending.push((key, req));
            return;
        };
        self.answer(req, |method, params| handle(&snapshot, &uri, method, params));
    }

    /// Runs a handler, catching a panic: the client gets an error, the
    /// server goes on.
    fn answer(&self, req: Request, handler: impl FnOnce(&str, Value) -> Result<Value, (ErrorCode, String)>) {
        let Request { id, method, params } = req;
        let response = match catch_unwind(AssertUnwindSafe(|| handler(&method, params))) {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(panic) => {
                let message = panic_message(&panic);
                eprintln!("dvcc lsp: `{method}` panicked: {message}");
                Response::new_err(
                    id,
                    ErrorCode::InternalError as i32,
                    format!("dvcc failed on `{method}` (a bug in dvcc): {message}"),
                )
            }
        };
        self.send(response.into());
    }
}

fn bad_params(e: serde_json::Error) -> (ErrorCode, String) {
    (ErrorCode::InvalidParams, e.to_string())
}

fn to_value(v: impl serde::Serialize) -> Result<Value, (ErrorCode, String)> {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

/// The document a request is about.
fn request_uri(req: &Request) -> Option<lsp::Uri> {
    let uri = req.params.get("textDocument")?.get("uri")?.as_str()?;
    uri.parse().ok()
}

/// The requests on one document, answered from its project's snapshot.
fn handle(snapshot: &Snapshot, uri: &lsp::Uri, method: &str, params: Value) -> Result<Value, (ErrorCode, String)> {
    let Some(file) = snapshot.file(uri) else {
        return to_value(Value::Null);
    };
    macro_rules! params {
        ($t:ty) => {
            serde_json::from_value::<$t>(params).map_err(bad_params)?
        };
    }
    match method {
        "textDocument/hover" => {
            let p = params!(lsp::HoverParams);
            to_value(hover::hover(snapshot, file, p.text_document_position_params.position))
        }
        "textDocument/completion" => {
            let p = params!(lsp::CompletionParams);
            to_value(complete::complete(snapshot, file, p.text_document_position.position))
        }
        "textDocument/definition" => {
            let p = params!(lsp::GotoDefinitionParams);
            to_value(nav::definition(
                snapshot,
                file,
                p.text_document_position_params.position,
            ))
        }
        "textDocument/references" => {
            let p = params!(lsp::ReferenceParams);
            to_value(nav::references(
                snapshot,
                file,
                p.text_document_position.position,
                p.context.include_declaration,
            ))
        }
        "textDocument/prepareRename" => {
            let p = params!(lsp::TextDocumentPositionParams);
            nav::prepare_rename(snapshot, file, p.position).and_then(to_value)
        }
        "textDocument/rename" => {
            let p = params!(lsp::RenameParams);
            nav::rename(snapshot, file, p.text_document_position.position, &p.new_name).and_then(to_value)
        }
        "textDocument/documentSymbol" => to_value(nav::document_symbols(snapshot, file)),
        "textDocument/foldingRange" => to_value(tokens::folding(snapshot, file)),
        "textDocument/semanticTokens/full" => to_value(tokens::semantic(snapshot, file)),
        "textDocument/codeAction" => {
            let p = params!(lsp::CodeActionParams);
            to_value(actions::code_actions(snapshot, file, &p))
        }
        "textDocument/formatting" => to_value(actions::format(snapshot, file)),
        "dvcc/debugPanic" if std::env::var_os("DVCC_LSP_TEST_PANIC").is_some() => {
            panic!("a panic asked for by the test suite")
        }
        other => Err((ErrorCode::MethodNotFound, format!("unknown request `{other}`"))),
    }
}

/// Applies one `didChange` content change to `text` (a range, or the whole
/// text when there is none).
fn apply_change(text: &mut String, change: lsp::TextDocumentContentChangeEvent) {
    let Some(range) = change.range else {
        *text = change.text;
        return;
    };
    let lines = crate::source::LineIndex::new(text);
    let at = |p: lsp::Position| {
        lines.offset(
            text,
            crate::source::Position {
                line: p.line,
                character: p.character,
            },
        )
    };
    let (start, end) = (at(range.start), at(range.end));
    let (start, end) = (start.min(end), start.max(end));
    text.replace_range(start..end, &change.text);
}

#[cfg(test)]
mod tests {
    use super::{Janitor, next_job};

    /// Runs its closure when dropped.
    struct OnDrop<F: FnMut()>(F);

    impl<F: FnMut()> Drop for OnDrop<F> {
        fn drop(&mut self) {
            (self.0)()
        }
    }

    /// What the janitor is handed is freed by the thread waiting for jobs,
    /// all of it, while it waits; a job that waits is taken first; the
    /// wait ends when the jobs' sender is gone.
    #[test]
    fn the_worker_frees_what_the_janitor_is_given_between_jobs() {
        let (janitor, garbage) = Janitor::new();
        let (jobs_tx, jobs_rx) = crossbeam_channel::unbounded::<u32>();
        let (freed_tx, freed_rx) = crossbeam_channel::unbounded();
        // A job waiting beside garbage goes first.
        jobs_tx.send(7).expect("open");
        let early = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = early.clone();
        janitor.later(OnDrop(move || flag.store(true, std::sync::atomic::Ordering::SeqCst)));
        assert_eq!(next_job(&jobs_rx, &garbage), Some(7));
        assert!(
            !early.load(std::sync::atomic::Ordering::SeqCst),
            "freed before the waiting job"
        );
        let worker = std::thread::spawn(move || {
            let mut got = Vec::new();
            while let Some(job) = next_job(&jobs_rx, &garbage) {
                got.push(job);
            }
            got
        });
        let worker_id = worker.thread().id();
        for i in 0..100 {
            let tx = freed_tx.clone();
            janitor.later(vec![OnDrop(move || {
                let _ = tx.send((i, std::thread::current().id()));
            })]);
        }
        drop(freed_tx);
        let mut freed = Vec::new();
        for _ in 0..100 {
            freed.push(freed_rx.recv().expect("freed while waiting"));
        }
        jobs_tx.send(1).expect("open");
        drop(jobs_tx);
        assert_eq!(worker.join().expect("no panic"), vec![1]);
        assert!(freed.iter().all(|(_, on)| *on == worker_id), "freed on the worker");
        let mut order: Vec<u32> = freed.into_iter().map(|(i, _)| i).collect();
        order.sort_unstable();
        assert_eq!(order, (0..100).collect::<Vec<_>>());
    }
}
