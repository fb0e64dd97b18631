//! Actions and scripts: action references well formed and pinned to a
//! commit, and untrusted `${{ ... }}` expressions kept out of `run`
//! scripts (expression injection).

use super::expr;
use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::{Pipeline, Step};
use crate::source::Span;

/// The actions and reusable workflows of pipeline `p` (it reads nothing
/// else: see `super::carry`).
pub(super) fn actions(p: &Pipeline, diags: &mut Capped) {
    for j in &p.jobs {
        // A reusable workflow of another repository runs with this
        // job's permissions: pinned like an action.
        if let Some(call) = &j.call
            && !call.uses.starts_with("./")
        {
            match call.uses.split_once('@') {
                None => diags.push(invalid_action(&call.uses, call.span, "it has no `@REF`")),
                Some((path, reference)) => {
                    let pinned = reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit());
                    if !pinned {
                        diags.push(
                            Diagnostic::new(
                                Code::UnpinnedAction,
                                format!("reusable workflow `{}` is not pinned to a commit", call.uses),
                                Label::new(call.span, format!("`{reference}` can be moved to other code at any time")),
                            )
                            .with_help(format!(
                                "pin it to the full 40-character commit SHA of `{reference}`: `workflow = \"{path}@SHA\"`"
                            )),
                        );
                    }
                }
            }
        }
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
            let name_ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
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
            // Only a release of the major version written: another one
            // would change what the step does.
            let help = match crate::target::actions::pin_for(&owner_repo, reference) {
                Some((sha, v)) => {
                    format!("pin it to the commit of {v}: `uses \"{repo}@{sha}\" {{ version = \"{v}\" }}`")
                }
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

fn invalid_action(uses: &str, span: Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        Code::InvalidActionReference,
        format!("`{uses}` is not an action reference: {why}"),
        Label::new(span, "here"),
    )
    .with_help("write `uses \"owner/repo@SHA\" { version = \"vX.Y.Z\" }`, or use a template: `uses checkout`")
}

/// Inputs of well-known actions that run their text as a script.
const SCRIPT_INPUTS: &[(&str, &str, &str)] = &[
    ("actions/github-script", "script", "JavaScript"),
    ("azure/cli", "inlinescript", "a shell script"),
    ("azure/powershell", "inlinescript", "PowerShell"),
    ("appleboy/ssh-action", "script", "a remote shell script"),
];

/// The untrusted context an expression's value can carry, if any (for
/// tests and the language server; the check reads the job's matrix and
/// environment too).
pub fn untrusted(expr: &str) -> Option<String> {
    let (_, _, inner) = expr::expressions(expr).into_iter().next()?;
    match expr::parse(inner) {
        Some(e) => expr::taint(&e, &expr::Inputs::none()),
        None => Some(inner.trim().to_string()),
    }
}

/// The untrusted context read by the values of a map (`env`, `matrix`):
/// name → (context, the expression that reads it).
fn tainted_values<'m>(
    values: impl Iterator<Item = (&'m str, &'m str)>,
    inputs: &expr::Inputs<'_>,
) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (name, value) in values {
        for (start, end, inner) in expr::expressions(value) {
            let context = match expr::parse(inner) {
                Some(e) => expr::taint(&e, inputs),
                None => Some(inner.trim().to_string()),
            };
            if let Some(context) = context {
                out.push((name.to_ascii_lowercase(), context, value[start..end].to_string()));
            }
        }
    }
    out
}

/// Where `text` was written: the recorded site of the same expression, else
/// `fallback`.
fn site(exprs: &[(String, Span)], text: &str, fallback: Span) -> Span {
    exprs.iter().find(|(e, _)| e == text).map_or(fallback, |(_, s)| *s)
}

/// Untrusted input reaching the scripts of pipeline `p` (it reads nothing
/// else: see `super::carry`).
pub(super) fn injection(p: &Pipeline, diags: &mut Capped) {
    for j in &p.jobs {
        let matrix = tainted_values(
            j.matrix
                .iter()
                .flat_map(|(k, vs)| vs.iter().map(move |v| (k.as_str(), v.as_str()))),
            &expr::Inputs::none(),
        );
        let job_env = tainted_values(
            j.env.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            &expr::Inputs::none(),
        );
        for s in &j.steps {
            let (text, exprs, step_env, step_env_exprs, span, sink) = match s {
                Step::Run {
                    script,
                    exprs,
                    env,
                    env_exprs,
                    span,
                    ..
                } => (
                    script.as_str(),
                    exprs,
                    env,
                    env_exprs,
                    *span,
                    "a shell script".to_string(),
                ),
                Step::Action {
                    uses,
                    with,
                    with_exprs,
                    env,
                    env_exprs,
                    span,
                    ..
                } => {
                    let repo = uses.split('@').next().unwrap_or("").to_ascii_lowercase();
                    let Some((input, text, lang)) = SCRIPT_INPUTS.iter().find_map(|(r, input, lang)| {
                        (repo == *r)
                            .then(|| with.iter().find(|(k, _)| k.eq_ignore_ascii_case(input)))
                            .flatten()
                            .map(|(k, v)| (k, v, lang))
                    }) else {
                        continue;
                    };
                    let sink = format!("the `{input}` of `{repo}`, which runs it as {lang}");
                    (text.as_str(), with_exprs, env, env_exprs, *span, sink)
                }
            };
            let env = tainted_values(
                step_env.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                &expr::Inputs::none(),
            );
            let from = |list: &[(String, String, String)], name: &str| -> Option<String> {
                list.iter()
                    .find(|(k, _, _)| name == "*" || k == name)
                    .map(|(_, c, _)| c.clone())
            };
            let matrix_of = |name: &str| from(&matrix, name);
            let env_of = |name: &str| from(&env, name).or_else(|| from(&job_env, name));
            let inputs = expr::Inputs {
                matrix: &matrix_of,
                env: &env_of,
            };
            for (start, end, inner) in expr::expressions(text) {
                let whole = &text[start..end];
                let (context, route) = match expr::parse(inner) {
                    Some(e) => {
                        let direct = expr::taint(&e, &expr::Inputs::none());
                        match (direct, expr::taint(&e, &inputs)) {
                            (Some(c), _) => (c, None),
                            (None, Some(c)) => (c, Some(whole)),
                            (None, None) => continue,
                        }
                    }
                    None => (inner.trim().to_string(), None),
                };
                let at = site(exprs, whole, span);
                let origins = Origins {
                    values: env.iter().chain(&job_env).chain(&matrix).collect(),
                    sites: step_env_exprs
                        .iter()
                        .chain(&j.env_exprs)
                        .chain(&j.matrix_exprs)
                        .collect(),
                };
                diags.push(injection_diagnostic(&context, route, whole, at, span, &sink, &origins));
            }
        }
    }
}

/// Where the tainted `env` and `matrix` values of a step came from: (name,
/// context, expression) and where each expression was written.
struct Origins<'m> {
    values: Vec<&'m (String, String, String)>,
    sites: Vec<&'m (String, Span)>,
}

/// The report of `context` pasted into `sink` (through `route`, an
/// expression reading a tainted `matrix` or `env` value).
fn injection_diagnostic(
    context: &str,
    route: Option<&str>,
    whole: &str,
    at: Span,
    step: Span,
    sink: &str,
    origins: &Origins<'_>,
) -> Diagnostic {
    let var = context
        .rsplit('.')
        .next()
        .unwrap_or("VALUE")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect::<String>();
    let var = if var.is_empty() || var == "*" {
        "VALUE".to_string()
    } else {
        var
    };
    let message = match route {
        None => format!("`{context}` is pasted into {sink}, where its author can run commands"),
        Some(r) => format!("`{context}` reaches {sink} through `{r}`, where its author can run commands"),
    };
    let label = match sink {
        "a shell script" => "untrusted input in `run`",
        _ => "untrusted input in a script",
    };
    let mut d = Diagnostic::new(Code::ExpressionInjection, message, Label::new(at, label));
    // Written elsewhere (a template's argument, a project field): show the
    // step it reaches too.
    let inside = at.file == step.file && step.start <= at.start && at.end <= step.end;
    if !inside {
        d = d.with_label(Label::new(step, "pasted into this step"));
    }
    // Where a tainted `matrix` or `env` value was written.
    if route.is_some()
        && let Some((_, _, origin)) = origins.values.iter().find(|(_, c, _)| c == context)
        && let Some((_, span)) = origins.sites.iter().find(|(e, _)| e == origin)
    {
        d = d.with_label(Label::new(*span, format!("`{context}` is read here")));
    }
    // `${{ env.X }}` pasted back: read the variable from the shell instead.
    if let Some(name) = route.and_then(|r| {
        let inner = r.trim_start_matches("${{").trim_end_matches("}}").trim();
        inner
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("env."))
            .map(|_| inner[4..].to_string())
    }) {
        return d.with_help(format!(
            "read the variable in the script instead of pasting it: write \"${name}\" where `{whole}` is"
        ));
    }
    let read = if sink.contains("JavaScript") {
        format!("`process.env.{var}`")
    } else if sink.contains("PowerShell") {
        format!("`$env:{var}`")
    } else {
        format!("\"${var}\"")
    };
    d.with_help(format!(
        "pass it through the environment: add `env {{ {var} = \"{whole}\" }}` to the step and use {read} in the script"
    ))
}
