//! What GitHub expressions read, checked against what the pipeline
//! declares: `steps.ID.outputs.NAME` (a step of this job, before this one,
//! and an output it has), `needs.JOB.outputs.NAME` (a job this one needs,
//! and an output it declares), `inputs.NAME` (a manual or reusable-workflow
//! input), `matrix.KEY` (a key of this job's matrix), `secrets.NAME` in a
//! reusable workflow (a secret it declares), `jobs.JOB.outputs.NAME` in a
//! reusable workflow's outputs. Reported where the expression was written,
//! with did-you-mean; outputs of stdlib templates are declared in the
//! templates, so a reference through a template is checked too.

use crate::diag::suggest::did_you_mean;
use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::{Job, Pipeline, Trigger};
use crate::source::{SourceDb, Span};

use super::expr;

/// A dotted reference in an expression: each segment, lowercased, with its
/// byte range in the expression's text.
#[derive(Debug, PartialEq)]
struct Reference {
    segments: Vec<(String, usize, usize)>,
}

/// Every context reference in `text` (the inside of `${{ }}`, at `base` in
/// the whole expression): `a.b.c`, `a['b']`, `a.*.c`. String literals and
/// function names are skipped.
fn references(text: &str, base: usize) -> Vec<Reference> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let ident = |i: usize| {
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'-') {
            j += 1;
        }
        j
    };
    while i < b.len() {
        let c = b[i];
        if c == b'\'' {
            i += 1;
            while i < b.len() {
                if b[i] == b'\'' && b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else if b[i] == b'\'' {
                    break;
                } else {
                    i += 1;
                }
            }
            i += 1;
            continue;
        }
        let starts = (c.is_ascii_alphabetic() || c == b'_')
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.' || b[i - 1] == b'_'));
        if !starts {
            i += 1;
            continue;
        }
        let end = ident(i);
        let mut segments = vec![(text[i..end].to_ascii_lowercase(), base + i, base + end)];
        let mut j = end;
        loop {
            if b.get(j) == Some(&b'.') {
                if b.get(j + 1) == Some(&b'*') {
                    segments.push(("*".to_string(), base + j + 1, base + j + 2));
                    j += 2;
                    continue;
                }
                let e = ident(j + 1);
                if e == j + 1 {
                    break;
                }
                segments.push((text[j + 1..e].to_ascii_lowercase(), base + j + 1, base + e));
                j = e;
            } else if b.get(j) == Some(&b'[') {
                // `['name']`: a name; any other index ends the chain.
                let rest = &text[j + 1..];
                let trimmed = rest.trim_start();
                let lead = rest.len() - trimmed.len();
                if let Some(lit) = trimmed.strip_prefix('\'')
                    && let Some(close) = lit.find('\'')
                    && lit[close + 1..].trim_start().starts_with(']')
                {
                    let start = j + 1 + lead + 1;
                    segments.push((lit[..close].to_ascii_lowercase(), base + start, base + start + close));
                    let after = &lit[close + 1..];
                    j = start + close + 1 + (after.len() - after.trim_start().len()) + 1;
                } else {
                    break;
                }
            } else {
                break;
            }
        }
        // A function call is not a context.
        let call = text[j..].trim_start().starts_with('(') && segments.len() == 1;
        if !call {
            out.push(Reference { segments });
        }
        i = j.max(i + 1);
    }
    out
}

/// Where a reference is read from.
#[derive(Clone, Copy)]
enum Place {
    /// A field of step `n` of the job.
    Step(usize),
    /// A field of the job itself (its outputs see every step).
    Job,
    /// The pipeline's own fields (run name, env, concurrency).
    Pipeline,
    /// The outputs of a reusable workflow.
    CallOutputs,
}

/// The expressions of pipeline `p` (it reads nothing else: see `super::carry`).
pub(super) fn run(db: &SourceDb, p: &Pipeline, diags: &mut Capped) {
    for (text, span) in &p.exprs {
        let place = if call_output(p, text) {
            Place::CallOutputs
        } else {
            Place::Pipeline
        };
        check(db, p, None, place, text, *span, diags);
    }
    for j in &p.jobs {
        for (text, span) in j.exprs.iter().chain(&j.env_exprs).chain(&j.matrix_exprs) {
            check(db, p, Some(j), Place::Job, text, *span, diags);
        }
        let mechanism = j.deploy.iter().flat_map(|d| d.mechanism.iter().flat_map(|(_, s)| s));
        let steps: Vec<&crate::model::Step> = j.steps.iter().chain(mechanism).collect();
        for (n, s) in steps.iter().enumerate() {
            for (text, span) in s.exprs() {
                check(db, p, Some(j), Place::Step(n), text, *span, diags);
            }
            // An `if` is an expression even without `${{ }}`.
            if let Some(c) = bare(s.condition()) {
                check(db, p, Some(j), Place::Step(n), &c, s.span(), diags);
            }
        }
        if let Some(c) = bare(j.condition.as_deref()) {
            check(db, p, Some(j), Place::Job, &c, j.span, diags);
        }
    }
}

/// A condition written without `${{ }}`, as the expression GitHub reads.
fn bare(condition: Option<&str>) -> Option<String> {
    condition
        .filter(|c| !c.contains("${{"))
        .map(|c| format!("${{{{ {c} }}}}"))
}

/// Whether `text` is the value of one of the pipeline's reusable-workflow outputs.
fn call_output(p: &Pipeline, text: &str) -> bool {
    p.triggers.iter().any(|t| match t {
        Trigger::Call { outputs, .. } => outputs.iter().any(|o| o.value.contains(text)),
        _ => false,
    })
}

/// The source span of bytes `start..end` of expression `text` written at `span`.
fn at(db: &SourceDb, span: Span, text: &str, start: usize, end: usize) -> Span {
    if db.slice(span) == text {
        Span {
            start: span.start + start as u32,
            end: span.start + end as u32,
            ..span
        }
    } else {
        span
    }
}

fn check(db: &SourceDb, p: &Pipeline, job: Option<&Job>, place: Place, text: &str, span: Span, diags: &mut Capped) {
    for (start, _, inner) in expr::expressions(text) {
        let base = start + 3;
        for r in references(inner, base) {
            if let Some(d) = reference(db, p, job, place, &r, text, span) {
                diags.push(d);
            }
        }
    }
}

/// The report on one reference, if it names nothing.
fn reference(
    db: &SourceDb,
    p: &Pipeline,
    job: Option<&Job>,
    place: Place,
    r: &Reference,
    text: &str,
    span: Span,
) -> Option<Diagnostic> {
    let seg = |i: usize| r.segments.get(i).map(|(s, _, _)| s.as_str());
    let site = |i: usize| {
        let (_, s, e) = &r.segments[i];
        at(db, span, text, *s, *e)
    };
    let unknown = |i: usize, what: String, known: Vec<String>, help_else: String| {
        let name = seg(i).unwrap_or_default();
        let help = match did_you_mean(name, known.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None if known.is_empty() => help_else,
            None => format!("{help_else}; declared here: {}", quoted(&known)),
        };
        Some(
            Diagnostic::new(
                Code::UnknownWorkflowReference,
                what,
                Label::new(site(i), "names nothing declared"),
            )
            .with_help(help),
        )
    };
    // `…JOB.outputs.NAME`: an output the job declares (a called workflow's
    // are not known here).
    let job_output = |target: &Job| -> Option<Diagnostic> {
        let out = seg(3).filter(|o| seg(2) == Some("outputs") && *o != "*")?;
        if target.call.is_some() || target.outputs.keys().any(|o| o.eq_ignore_ascii_case(out)) {
            return None;
        }
        unknown(
            3,
            format!("job `{}` has no output `{out}`", target.name),
            target.outputs.keys().cloned().collect(),
            format!(
                "declare it in job `{}`: `outputs {{ {out} = \"${{{{ steps.ID.outputs.{out} }}}}\" }}`",
                target.name
            ),
        )
    };
    match (seg(0)?, seg(1)) {
        ("steps", Some(id)) if id != "*" => {
            let j = job?;
            let steps: Vec<&crate::model::Step> = j
                .steps
                .iter()
                .chain(j.deploy.iter().flat_map(|d| d.mechanism.iter().flat_map(|(_, s)| s)))
                .collect();
            let visible: Vec<&crate::model::Step> = match place {
                Place::Step(n) => steps[..n.min(steps.len())].to_vec(),
                Place::Job => steps.clone(),
                _ => Vec::new(),
            };
            let step = visible
                .iter()
                .find(|s| s.id().is_some_and(|i| i.eq_ignore_ascii_case(id)));
            let Some(step) = step else {
                let later = steps.iter().any(|s| s.id().is_some_and(|i| i.eq_ignore_ascii_case(id)));
                let ids: Vec<String> = visible.iter().filter_map(|s| s.id()).map(str::to_string).collect();
                return if later {
                    Some(
                        Diagnostic::new(
                            Code::UnknownWorkflowReference,
                            format!("step `{id}` runs after the step that reads its outputs"),
                            Label::new(site(1), "not run yet here"),
                        )
                        .with_help("a step reads only the steps before it: move this step after it"),
                    )
                } else {
                    unknown(
                        1,
                        format!("job `{}` has no step with id `{id}`", j.name),
                        ids,
                        format!("give the step an id: `id = \"{id}\"`"),
                    )
                };
            };
            if seg(2) == Some("outputs")
                && let Some(name) = seg(3)
                && let Some(outputs) = step.outputs()
                && name != "*"
                && !outputs.iter().any(|o| o.eq_ignore_ascii_case(name))
            {
                return unknown(
                    3,
                    format!("step `{id}` has no output `{name}`"),
                    outputs.to_vec(),
                    "its outputs are listed in its template or found in its script".to_string(),
                );
            }
            None
        }
        ("needs", Some(need)) if need != "*" => {
            let j = job?;
            if !j.needs.iter().any(|n| n.eq_ignore_ascii_case(need)) {
                let exists = p.jobs.iter().any(|o| o.name.eq_ignore_ascii_case(need));
                return if exists {
                    Some(
                        Diagnostic::new(
                            Code::UnknownWorkflowReference,
                            format!("job `{}` reads `needs.{need}` but does not need `{need}`", j.name),
                            Label::new(site(1), "not in `needs`"),
                        )
                        .with_help(format!("add `{need}` to the job's `needs`")),
                    )
                } else {
                    unknown(
                        1,
                        format!("job `{}` needs no job `{need}`", j.name),
                        j.needs.clone(),
                        "`needs.JOB` names a job of this job's `needs`".to_string(),
                    )
                };
            }
            job_output(p.jobs.iter().find(|o| o.name.eq_ignore_ascii_case(need))?)
        }
        ("jobs", Some(name)) if name != "*" && matches!(place, Place::CallOutputs) => {
            let Some(target) = p.jobs.iter().find(|o| o.name.eq_ignore_ascii_case(name)) else {
                return unknown(
                    1,
                    format!("pipeline `{}` has no job `{name}`", p.name),
                    p.jobs.iter().map(|j| j.name.clone()).collect(),
                    "`jobs.JOB` names a job of this pipeline".to_string(),
                );
            };
            job_output(target)
        }
        ("inputs", Some(name)) if name != "*" => input(p, name, 1, &unknown),
        ("github", Some("event")) if seg(2) == Some("inputs") => match seg(3) {
            Some(name) if name != "*" => input(p, name, 3, &unknown),
            _ => None,
        },
        ("matrix", Some(key)) if key != "*" => {
            let j = job?;
            if j.strategy.from.is_some() || matches!(place, Place::Pipeline | Place::CallOutputs) {
                return None;
            }
            let mut keys: Vec<String> = j.matrix.keys().cloned().collect();
            for combo in &j.strategy.include {
                keys.extend(combo.keys().cloned());
            }
            if keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                return None;
            }
            let what = if keys.is_empty() {
                format!("job `{}` has no matrix, so `matrix.{key}` is empty", j.name)
            } else {
                format!("the matrix of job `{}` has no key `{key}`", j.name)
            };
            unknown(
                1,
                what,
                keys,
                format!("add `{key} = [...]` to the job's `matrix {{ }}`"),
            )
        }
        ("secrets", Some(name)) if name != "*" => {
            // Only a reusable workflow declares its secrets; repository
            // secrets are not known to dvcc.
            let declared: Vec<String> = p
                .triggers
                .iter()
                .filter_map(|t| match t {
                    Trigger::Call { secrets, .. } => Some(secrets.iter().map(|s| s.name.clone())),
                    _ => None,
                })
                .flatten()
                .collect();
            let only_called = !p.triggers.is_empty() && p.triggers.iter().all(|t| matches!(t, Trigger::Call { .. }));
            if !only_called || name == "github_token" || declared.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                return None;
            }
            unknown(
                1,
                format!("reusable workflow `{}` declares no secret `{name}`", p.name),
                declared,
                format!("declare it: `on workflow_call {{ secret {name} {{ required = true }} }}`"),
            )
        }
        _ => None,
    }
}

/// A reference to input `name` (segment `i`).
fn input(
    p: &Pipeline,
    name: &str,
    i: usize,
    unknown: &dyn Fn(usize, String, Vec<String>, String) -> Option<Diagnostic>,
) -> Option<Diagnostic> {
    let inputs: Vec<String> = p.inputs().map(|x| x.name.clone()).collect();
    if inputs.iter().any(|x| x.eq_ignore_ascii_case(name)) {
        return None;
    }
    let has_form = p
        .triggers
        .iter()
        .any(|t| matches!(t, Trigger::Manual { .. } | Trigger::Call { .. }));
    let what = if has_form {
        format!("pipeline `{}` has no input `{name}`", p.name)
    } else {
        format!("pipeline `{}` takes no inputs, so `inputs.{name}` is empty", p.name)
    };
    unknown(
        i,
        what,
        inputs,
        format!("declare it: `on manual {{ input {name} {{ ... }} }}` (or in `on workflow_call`)"),
    )
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        references(text, 0)
            .into_iter()
            .map(|r| r.segments.iter().map(|s| s.0.as_str()).collect::<Vec<_>>().join("."))
            .collect()
    }

    #[test]
    fn references_are_read_as_github_does() {
        assert_eq!(names(" steps.Build.outputs.digest "), ["steps.build.outputs.digest"]);
        assert_eq!(
            names("fromJSON(needs.plan.outputs['matrix']) && 'steps.x' == inputs.env"),
            ["needs.plan.outputs.matrix", "inputs.env"]
        );
        assert_eq!(
            names("github.event.pull_request.*.x"),
            ["github.event.pull_request.*.x"]
        );
        assert_eq!(names("matrix[inputs.k]"), ["matrix", "inputs.k"]);
        let r = &references("a.bc", 10)[0];
        assert_eq!(r.segments[1], ("bc".to_string(), 12, 14));
    }
}
