//! Actions and scripts: action references well formed and pinned to a
//! commit, and untrusted `${{ ... }}` expressions kept out of `run`
//! scripts (expression injection).

use crate::diag::{Code, Diagnostic, Label};
use crate::model::{Model, Step};
use crate::source::Span;

pub(super) fn actions(model: &Model, diags: &mut Vec<Diagnostic>) {
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

pub(super) fn injection(model: &Model, diags: &mut Vec<Diagnostic>) {
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
