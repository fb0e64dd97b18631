//! Pipelines: schedules (GitHub's cron), triggers that can never fire, and
//! deploy jobs without a cloud region to log in to.

use super::cron;
use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::{Model, Trigger};
use crate::schema::{Attr, BlockId};
use crate::sema::tree::{CheckedBlock, Val};
use crate::source::{SourceDb, Span};

pub(super) fn schedules(db: &SourceDb, model: &Model, diags: &mut Capped) {
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

pub(super) fn triggers(user: &[CheckedBlock<'_>], diags: &mut Capped) {
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

pub(super) fn regions(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    for p in user.iter().filter(|n| n.schema.id == BlockId::Pipeline) {
        for d in p.children_of(BlockId::Deploy) {
            let env = d.label();
            if model.environment(env).is_none() {
                continue;
            }
            // The built-in AWS login needs a region; a deploy run by its
            // own templates needs what they read.
            let own = d.child(BlockId::Uses).is_some();
            if !own
                && model.region(env).is_none()
                && model.deploy_cluster(env).is_some()
                && !flawed_chain(user, model, env, diags)
            {
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

/// Whether environment `env`, or one it extends, has an error in its own
/// block (a misspelt `extends` loses the region it would inherit: that
/// error says it, not a missing region).
fn flawed_chain(user: &[CheckedBlock<'_>], model: &Model, env: &str, diags: &Capped) -> bool {
    let mut name = Some(env);
    let mut seen = 0;
    while let Some(n) = name {
        seen += 1;
        let block = user
            .iter()
            .find(|b| b.schema.id == BlockId::Environment && b.label() == n);
        if block.is_none_or(|b| diags.explains(b.block.span)) || seen > 64 {
            return true;
        }
        name = model.environment(n).and_then(|e| e.extends.as_deref());
    }
    false
}

/// Events: a pipeline that nothing starts; deploy jobs that never run
/// because the pipeline starts only on pull requests (which never deploy
/// unless asked); reusable-workflow inputs of types GitHub does not take
/// there.
pub(super) fn events(user: &[CheckedBlock<'_>], diags: &mut Capped) {
    for node in user.iter().filter(|n| n.schema.id == BlockId::Pipeline) {
        let triggers: Vec<&CheckedBlock<'_>> = node.children.iter().filter(|c| c.block.kind.name == "on").collect();
        // A misspelt trigger (reported as such) is still a trigger written.
        let written = node.block.body.as_ref().is_some_and(|b| {
            b.items
                .iter()
                .any(|i| matches!(i, crate::syntax::ast::Item::Block(b) if b.kind.name == "on"))
        });
        if !written && !node.broken {
            diags.push(
                Diagnostic::new(
                    Code::PipelineWithoutTrigger,
                    format!("pipeline `{}` has no trigger, so nothing starts it", node.label()),
                    Label::new(node.label_span(), "no `on` block"),
                )
                .with_help("add a trigger: `on push { branches = [\"main\"] }`, `on pull_request`, `on schedule { cron = \"...\" }` or `on manual`"),
            );
        }
        let only_pull_requests = !triggers.is_empty() && triggers.iter().all(|t| t.is(BlockId::OnPullRequest));
        if only_pull_requests {
            for d in node.children_of(BlockId::Deploy) {
                if matches!(d.get(Attr::PullRequests), Some(Val::Bool(true))) {
                    continue;
                }
                diags.push(
                    Diagnostic::new(
                        Code::DeployNeverRuns,
                        format!(
                            "`deploy {}` never runs: pipeline `{}` starts only on pull requests, which do not deploy",
                            d.label(),
                            node.label()
                        ),
                        Label::new(d.label_span(), "skipped on every run"),
                    )
                    .with_label(Label::new(triggers[0].header_span(), "the only trigger"))
                    .with_help(format!(
                        "to deploy each pull request (a preview environment), add `pull_requests = true` to `deploy {}`; to deploy merges, add `on push {{ branches = [\"main\"] }}`",
                        d.label()
                    )),
                );
            }
        }
        for call in node.children_of(BlockId::OnCall) {
            for input in call.children_of(BlockId::ManualInput) {
                let Some(a) = input.attr(Attr::Type) else { continue };
                let Val::Word(ty) = &a.val else { continue };
                if crate::schema::CALL_INPUT_TYPES.contains(&ty.as_str()) {
                    continue;
                }
                diags.push(
                    Diagnostic::new(
                        Code::UnknownChoice,
                        format!("a reusable workflow's input cannot be of type `{ty}`"),
                        Label::new(a.attr.value.span, "a type of manual inputs only"),
                    )
                    .with_help("write `type = string` (or `boolean`, `number`); check the value in a step if it must be one of a list"),
                );
            }
        }
    }
}

/// A job that needs a deploy job in a
/// pipeline that also runs on pull requests: pull requests skip the deploy,
/// and GitHub skips what needs it, so the job silently never runs for them.
/// Said once per job, unless its `if` already speaks of the event.
pub(super) fn skipped_after_deploys(model: &Model, diags: &mut Capped) {
    for p in model.pipelines.iter().filter(|p| p.runs_on_pull_requests()) {
        let skipped: crate::hash::Map<&str, &str> = p
            .jobs
            .iter()
            .filter_map(|j| {
                j.deploy
                    .as_ref()
                    .filter(|d| !d.pull_requests)
                    .map(|d| (j.name.as_str(), d.environment.as_str()))
            })
            .collect();
        if skipped.is_empty() {
            continue;
        }
        // Direct needs only: a job after one that is reported is fixed
        // with it (once it says so, what follows it follows a choice).
        for j in &p.jobs {
            let Some((need, env)) = j
                .needs
                .iter()
                .find_map(|n| skipped.get(n.as_str()).map(|env| (n.as_str(), *env)))
            else {
                continue;
            };
            if j.deploy.is_some() {
                continue;
            }
            let says = j.condition.as_deref().is_some_and(|c| {
                let c = c.to_ascii_lowercase();
                c.contains("event_name") || c.contains("always()") || c.contains("!cancelled()")
            });
            if says {
                continue;
            }
            diags.push(
                Diagnostic::new(
                    Code::SkippedOnPullRequests,
                    format!(
                        "job `{}` never runs for pull requests: it runs after `deploy {env}`, which pull requests skip",
                        j.name
                    ),
                    Label::new(j.span, format!("needs `{need}`")),
                )
                .with_help(format!(
                    "if that is meant, say so: `if = \"github.event_name != 'pull_request'\"` on `{}`; to run it for pull requests, let it not need the deploy (or give the deploy `pull_requests = true`)",
                    j.name
                )),
            );
        }
    }
}
