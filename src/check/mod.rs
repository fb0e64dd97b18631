//! Target checks on the resolved model and the checked tree, reported on
//! the `.dvc` spans: plaintext credentials, cron syntax, action references,
//! expression injection in scripts, triggers that can never fire, deploys
//! without a region, PromQL and SLO maths, the Helm and Terraform targets'
//! rules. They run after meaning (`crate::sema`) and before any backend,
//! so backends never see a model with errors.
//!
//! **Boundary:** checks read target facts (`crate::target`), never an
//! emitter (`crate::backend`).

pub mod credentials;
pub mod cron;
pub mod helm;
pub mod promql;
pub mod terraform;

use crate::diag::{Code, Diagnostic, Label};
use crate::model::{Model, Step, Trigger};
use crate::schema::{Attr, BlockId};
use crate::sema::tree::{CheckedBlock, Val};
use crate::source::{FileId, SourceDb, Span};
use crate::syntax::ast;

/// Every target check of a project: `files` are its syntax trees (for the
/// credential scan), `user` its checked tree, `model` what was built.
pub fn run(
    db: &SourceDb,
    files: &[(FileId, &ast::File)],
    user: &[CheckedBlock<'_>],
    model: &Model,
    diags: &mut Vec<Diagnostic>,
) {
    // Files are independent here: scan them on all cores, keep the order.
    for found in crate::par::map(files, |(_, file)| {
        let mut out = Vec::new();
        credentials::scan(&file.items, &mut out);
        out
    }) {
        diags.extend(found);
    }
    schedules(db, model, diags);
    actions(model, diags);
    injection(model, diags);
    triggers(user, diags);
    regions(user, model, diags);
    alerts(db, model, diags);
    slos(db, model, diags);
    helm::run(user, model, diags);
    terraform::run(user, model, diags);
}

/// The source span of bytes `start..end` of `text`, the value of a string
/// literal at `lit`; the whole literal when the source is not `text` verbatim
/// (escapes or interpolation changed it).
fn inside(db: &SourceDb, lit: Span, text: &str, start: usize, end: usize) -> Span {
    let src = db.slice(lit);
    if src.len() == text.len() + 2 && &src[1..src.len() - 1] == text {
        Span {
            start: lit.start + 1 + start as u32,
            end: lit.start + 1 + end.max(start) as u32,
            ..lit
        }
    } else {
        lit
    }
}

fn promql_diag(kind: promql::Kind, span: Span, message: &str, whose: &str) -> Diagnostic {
    use promql::Kind;
    let (code, title, help) = match kind {
        Kind::Syntax => (
            Code::PromqlSyntax,
            format!("{whose} is not valid PromQL: {message}"),
            "fix the expression; `promtool` and Prometheus would reject it at load time",
        ),
        Kind::NotCondition => (
            Code::AlertNotCondition,
            format!("{whose}: {message}"),
            "compare it with a threshold (`... > 0.05`), or use `absent(...)`",
        ),
        Kind::BareRange => (
            Code::BareRangeSelector,
            format!("{whose}: {message}"),
            "reduce it with a function: `rate(x[5m])`, `increase(x[1h])` or `avg_over_time(x[10m])`",
        ),
        Kind::QuantileWithoutLe => (
            Code::QuantileWithoutLe,
            format!("{whose}: {message}"),
            "keep the buckets: `histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))`",
        ),
    };
    let label = match kind {
        Kind::Syntax => message.to_string(),
        Kind::NotCondition => "returns every series it selects".to_string(),
        Kind::BareRange => "a range of samples, not a value".to_string(),
        Kind::QuantileWithoutLe => "its buckets are summed together".to_string(),
    };
    Diagnostic::new(code, title, Label::new(span, label)).with_help(help)
}

fn alerts(db: &SourceDb, model: &Model, diags: &mut Vec<Diagnostic>) {
    // An empty expression is a missing one, reported already.
    for a in model.alerts.iter().filter(|a| !a.expr.is_empty()) {
        for f in promql::check_alert(&a.expr) {
            let span = inside(db, a.expr_span, &a.expr, f.start, f.end);
            diags.push(promql_diag(
                f.kind,
                span,
                &f.message,
                &format!("the expression of alert `{}`", a.name),
            ));
        }
    }
}

fn slos(db: &SourceDb, model: &Model, diags: &mut Vec<Diagnostic>) {
    for s in &model.slos {
        for (what, query, span) in [("errors", &s.errors, s.errors_span), ("total", &s.total, s.total_span)] {
            if query.is_empty() {
                continue;
            }
            // Each window the rules use; the first failure is enough.
            for w in crate::target::slo::windows(&s.window) {
                let (text, back) = promql::substitute_window(query, &w.to_string());
                if let Err(f) = promql::parse(&text) {
                    let at = inside(db, span, query, back(f.start), back(f.end));
                    let whose = format!("`{what}` of SLO `{}` (with `${{window}}` = {w})", s.name);
                    diags.push(promql_diag(f.kind, at, &f.message, &whose));
                    break;
                }
            }
        }
        let budget = 1.0 - s.objective / 100.0;
        let short_window = "use a window of at least 7 days (30d is usual), or a lower objective";
        let mut problems: Vec<(String, &str)> = Vec::new();
        if s.window.millis == 0 {
            problems.push(("its window is zero".to_string(), short_window));
        }
        for b in &crate::target::slo::BURN_RATES {
            let factor = b.factor(&s.window);
            if factor * budget >= 1.0 {
                problems.push((
                    format!(
                        "burning {factor:.2}× its {:.4}% budget needs an error ratio above 100%",
                        budget * 100.0
                    ),
                    "raise the objective: an error budget this large cannot be burnt fast enough to page",
                ));
                break;
            }
        }
        if let Some(page) = crate::target::slo::BURN_RATES.first()
            && s.window.millis > 0
            && page.factor(&s.window) < 1.0
        {
            problems.push((
                format!(
                    "over {} the paging burn rate is {:.2}×, below the budget's steady burn",
                    s.window,
                    page.factor(&s.window)
                ),
                short_window,
            ));
        }
        if let Some((p, help)) = problems.first() {
            diags.push(
                Diagnostic::new(
                    Code::UnreachableSlo,
                    format!("SLO `{}` cannot page meaningfully: {p}", s.name),
                    Label::new(s.objective_span, format!("{}% over {}", s.objective, s.window)),
                )
                .with_help(*help),
            );
        }
    }
}

fn schedules(db: &SourceDb, model: &Model, diags: &mut Vec<Diagnostic>) {
    for p in &model.pipelines {
        for t in &p.triggers {
            let Trigger::Schedule { cron, span } = t else { continue };
            if let Err(e) = cron::check(cron) {
                // Point at the field when the source is the plain string.
                let src = db.slice(*span);
                let at = if src.len() == cron.len() + 2 && &src[1..src.len() - 1] == cron {
                    Span {
                        start: span.start + 1 + e.start as u32,
                        end: span.start + 1 + e.end as u32,
                        ..*span
                    }
                } else {
                    *span
                };
                diags.push(
                    Diagnostic::new(Code::InvalidCron, format!("invalid schedule: {}", e.message), Label::new(at, "not a valid value for this field"))
                        .with_help("GitHub's cron has five fields: minute (0–59) hour (0–23) day-of-month (1–31) month (1–12 or JAN–DEC) day-of-week (0–6 or SUN–SAT), e.g. `0 3 * * 1`"),
                );
            }
        }
    }
}

fn actions(model: &Model, diags: &mut Vec<Diagnostic>) {
    let known = crate::target::actions::known();
    for p in &model.pipelines {
        for j in &p.jobs {
            for s in &j.steps {
                let Step::Action { uses, span, .. } = s else { continue };
                if uses.starts_with("docker://") || uses.starts_with("./") {
                    continue;
                }
                let Some((repo, reference)) = uses.split_once('@') else {
                    diags.push(invalid_action(uses, *span, "it has no `@REF`"));
                    continue;
                };
                let parts: Vec<&str> = repo.split('/').collect();
                let name_ok =
                    |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
                if parts.len() < 2 || !parts.iter().all(|p| name_ok(p)) || reference.is_empty() {
                    diags.push(invalid_action(
                        uses,
                        *span,
                        "it is not `owner/repo@REF` (or `owner/repo/path@REF`)",
                    ));
                    continue;
                }
                let pinned = reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit());
                if pinned {
                    continue;
                }
                let owner_repo = parts[..2].join("/");
                let help = match known.iter().find(|k| k.0 == owner_repo) {
                    Some((r, sha, v)) => format!("pin it to a commit: `uses \"{r}@{sha}\" {{ version = \"{v}\" }}`"),
                    None => format!(
                        "pin it to the full 40-character commit SHA of `{reference}`: `uses \"{repo}@SHA\" {{ version = \"{reference}\" }}`"
                    ),
                };
                diags.push(
                    Diagnostic::new(
                        Code::UnpinnedAction,
                        format!("`{uses}` is not pinned to a commit"),
                        Label::new(*span, format!("`{reference}` can be moved to other code at any time")),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

fn invalid_action(uses: &str, span: Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidActionReference,
        format!("`{uses}` is not an action reference: {why}"),
        Label::new(span, "here"),
    )
    .with_help("write `uses \"owner/repo@SHA\" { version = \"vX.Y.Z\" }`, or use a template: `uses checkout`")
}

/// Contexts whose values an outsider controls (GitHub's list in "Security
/// hardening for GitHub Actions"); `*` is any one segment.
const UNTRUSTED: &[&str] = &[
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.email",
    "github.event.commits.*.author.name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author.email",
    "github.event.workflow_run.head_commit.author.name",
    "github.event.workflow_run.pull_requests.*.head.ref",
    "github.head_ref",
];

/// The untrusted context an expression reads, if any.
pub fn untrusted(expr: &str) -> Option<String> {
    let body = expr.trim_start_matches("${{").trim_end_matches("}}");
    let mut path = String::new();
    let mut paths = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' | '.' => path.push(c),
            '[' => {
                // `x[0]` and `x['y']` are one more segment.
                for n in chars.by_ref() {
                    if n == ']' {
                        break;
                    }
                }
                path.push_str(".*");
            }
            '*' => path.push('*'),
            _ => paths.push(std::mem::take(&mut path)),
        }
    }
    paths.push(path);
    for p in paths.iter().filter(|p| p.starts_with("github.")) {
        let segs: Vec<&str> = p.split('.').collect();
        for pattern in UNTRUSTED {
            let pat: Vec<&str> = pattern.split('.').collect();
            let matches = segs.len() >= pat.len()
                && pat
                    .iter()
                    .zip(&segs)
                    .all(|(a, b)| *a == "*" || *b == "*" || a.eq_ignore_ascii_case(b));
            if matches {
                return Some(p.clone());
            }
        }
    }
    None
}

fn injection(model: &Model, diags: &mut Vec<Diagnostic>) {
    for p in &model.pipelines {
        for j in &p.jobs {
            for s in &j.steps {
                let Step::Run { exprs, .. } = s else { continue };
                for (expr, span) in exprs {
                    let Some(context) = untrusted(expr) else { continue };
                    let var = context
                        .rsplit('.')
                        .next()
                        .unwrap_or("VALUE")
                        .to_ascii_uppercase()
                        .replace('-', "_");
                    diags.push(
                        Diagnostic::new(
                            Code::ExpressionInjection,
                            format!("`{context}` is pasted into a shell script, where its author can run commands"),
                            Label::new(*span, "untrusted input in `run`"),
                        )
                        .with_help(format!(
                            "pass it through the environment: add `env {{ {var} = \"{expr}\" }}` to the step and use \"${var}\" in the script"
                        )),
                    );
                }
            }
        }
    }
}

fn triggers(user: &[CheckedBlock<'_>], diags: &mut Vec<Diagnostic>) {
    for p in user.iter().filter(|n| n.schema.id == BlockId::Pipeline) {
        for t in &p.children {
            let list = |name: &str| -> Option<(Vec<String>, Span)> {
                let a = t.attrs.get(name)?;
                let Val::List(items) = &a.val else { return None };
                let texts = items
                    .iter()
                    .filter_map(|v| match v {
                        Val::Str(s) => s.as_plain(),
                        _ => None,
                    })
                    .collect();
                Some((texts, a.attr.value.span))
            };
            let mut never = |span: Span, why: String, help: &str| {
                diags.push(
                    Diagnostic::new(
                        Code::UnreachableTrigger,
                        format!("`{}` can never start the pipeline: {why}", t.header()),
                        Label::new(span, "here"),
                    )
                    .with_help(help.to_string()),
                );
            };
            match t.schema.id {
                BlockId::OnPush | BlockId::OnPullRequest => {
                    if let Some((b, span)) = list("branches") {
                        if b.is_empty() {
                            never(
                                span,
                                "its branch list is empty".into(),
                                "list the branches, or remove `branches` to run on every branch",
                            );
                        } else if b.iter().all(|x| x.starts_with('!')) {
                            never(
                                span,
                                "it has only negated branch patterns".into(),
                                "add a pattern to match, e.g. `[\"**\", \"!release/**\"]`",
                            );
                        } else if let Some(r) = b.iter().find(|x| x.starts_with("refs/")) {
                            never(
                                span,
                                format!("`{r}` is a full ref, but GitHub matches branch names"),
                                "write the branch name without `refs/heads/`",
                            );
                        }
                    }
                    let paths = list("paths");
                    if let Some((ignored, span)) = list("paths_ignore") {
                        if ignored.iter().any(|x| x == "**" || x == "*" || x == "**/*") {
                            never(
                                span,
                                "it ignores every path".into(),
                                "ignore specific paths, such as `[\"docs/**\"]`",
                            );
                        } else if paths.is_some() {
                            never(
                                span,
                                "GitHub rejects `paths` and `paths_ignore` together".into(),
                                "keep one of them; negate paths inside `paths` with `!` instead",
                            );
                        }
                    }
                    if let Some((p, span)) = paths
                        && p.is_empty()
                    {
                        never(
                            span,
                            "its path list is empty".into(),
                            "list the paths, or remove `paths`",
                        );
                    }
                }
                BlockId::OnTag => {
                    if let Some(a) = t.attr(Attr::Pattern)
                        && let Val::Str(s) = &a.val
                        && s.as_plain().is_some_and(|p| p.is_empty())
                    {
                        never(
                            a.attr.value.span,
                            "its tag pattern is empty".into(),
                            "write a pattern such as `\"v*\"`",
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

fn regions(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Vec<Diagnostic>) {
    for p in user.iter().filter(|n| n.schema.id == BlockId::Pipeline) {
        for d in p.children_of(BlockId::Deploy) {
            let env = d.label();
            if model.environment(env).is_none() {
                continue;
            }
            if model.region(env).is_none() && model.deploy_cluster(env).is_some() {
                diags.push(
                    Diagnostic::new(
                        Code::DeployWithoutRegion,
                        format!("`deploy {env}` has no cloud region to log in to"),
                        Label::new(d.label_span(), format!("`{env}` has no `region`")),
                    )
                    .with_help(format!("set `region = \"...\"` on environment `{env}` (or one it extends), or `provider aws {{ region = ... }}` in `infra {env}`")),
                );
            }
        }
    }
}
