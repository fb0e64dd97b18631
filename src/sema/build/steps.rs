//! Steps: `run` scripts and `uses` — an action as one step, a template
//! expanded in place — with the expressions each of their fields carries.

use std::collections::BTreeMap;

use super::{Builder, Scope};
use crate::diag::suggest::help_line;
use crate::diag::{Code, Diagnostic, Label};
use crate::model::Step;
use crate::schema::{ACTION_STEP_ATTRS, Attr, BlockId, Ty};
use crate::sema::tree::{CheckedBlock, Val};
use crate::syntax::ast::{BlockLabel, ValueKind};

impl<'a> Builder<'_, 'a, '_> {
    pub(super) fn run_step(&mut self, node: &CheckedBlock<'a>, scope: &Scope) -> Step {
        // Every expression that ends up in the script, however it got there
        // (written here, a template argument, a project field).
        let (script, exprs) = self.capture(|b| match node.block.labels.first() {
            Some(BlockLabel::Str(lit)) => b.interpolate(lit, scope),
            _ => String::new(),
        });
        let (env, env_exprs) = self.capture(|b| b.map(node.child(BlockId::StepEnv), scope));
        let ((name, condition, working_directory), other_exprs) = self.capture(|b| {
            (
                b.text(node.value(Attr::Name), scope),
                b.text(node.value(Attr::If), scope),
                b.text(node.value(Attr::WorkingDirectory), scope),
            )
        });
        let ((shell, id), literal) = self.capture(|b| {
            (
                b.text(node.value(Attr::Shell), scope),
                b.text(node.value(Attr::Id), scope),
            )
        });
        self.no_expressions(literal, "a step's `shell` and `id`");
        let outputs = match node.get(Attr::Outputs) {
            Some(v) => Some(self.texts(Some(v), scope)),
            None => crate::target::gha::written_outputs(&script),
        };
        Step::Run {
            name,
            id: id.filter(|i| !i.is_empty()),
            outputs,
            timeout: Self::optional_duration(node.value(Attr::Timeout)),
            script,
            condition,
            shell,
            working_directory,
            continue_on_error: Self::bool(node.value(Attr::ContinueOnError)),
            env,
            exprs,
            env_exprs,
            other_exprs,
            span: node.header_span(),
        }
    }

    /// Expands `uses`: an action becomes one step, a template its steps.
    pub(super) fn uses_step(
        &mut self,
        node: &CheckedBlock<'a>,
        scope: &Scope,
        stack: &mut Vec<String>,
        steps: &mut Vec<Step>,
        permissions: &mut BTreeMap<String, String>,
    ) {
        match node.block.labels.first() {
            Some(BlockLabel::Str(lit)) => {
                // GitHub evaluates no expression in `uses`, nor in the
                // version comment: literal text.
                let literal = Scope {
                    params: scope.params,
                    keep: scope.keep,
                    workflow: false,
                    in_project: scope.in_project,
                };
                let uses = self.interpolate(lit, &literal);
                let allowed: Vec<&str> = ACTION_STEP_ATTRS.iter().map(|a| a.as_str()).collect();
                for (k, a) in &node.attrs {
                    if !allowed.contains(k) {
                        self.diags.push(
                            Diagnostic::new(
                                Code::UnknownAttribute,
                                format!("an action step has no attribute `{k}`"),
                                Label::new(a.attr.name.span, "unknown here"),
                            )
                            .with_help(help_line(k, &allowed).unwrap_or_else(|| {
                                format!("pass action inputs in a `with` block: `with {{ {k} = ... }}`")
                            })),
                        );
                    }
                }
                let version = self.raw_text(node.get(Attr::Version), &literal);
                let ((name, condition), other_exprs) = self.capture(|b| {
                    (
                        b.raw_text(node.get(Attr::Name), scope),
                        b.raw_text(node.get(Attr::If), scope),
                    )
                });
                let (id, literal_exprs) = self.capture(|b| b.raw_text(node.get(Attr::Id), scope));
                self.no_expressions(literal_exprs, "a step's `id`");
                let timeout = match self.raw_typed(node.get(Attr::Timeout), &Ty::Duration, Attr::Timeout) {
                    Some(Val::Dur(d)) => Some(d),
                    _ => None,
                };
                let continue_on_error = matches!(
                    self.raw_typed(node.get(Attr::ContinueOnError), &Ty::Bool, Attr::ContinueOnError),
                    Some(Val::Bool(true))
                );
                // The version becomes a comment after the reference, the
                // name a step's name: one line each.
                for (attr, text) in [(Attr::Version, &version), (Attr::Name, &name)] {
                    if let (Some(text), Some(at)) = (text, node.value_span(attr))
                        && let Some(c) = text.chars().find(|c| c.is_control() && *c != '\t')
                    {
                        self.diags.push(crate::sema::shape::not_one_line(attr.as_str(), c, at));
                    }
                }
                let (with, with_exprs) = self.capture(|b| b.map(node.child(BlockId::With), scope));
                let (env, env_exprs) = self.capture(|b| b.map(node.child(BlockId::StepEnv), scope));
                steps.push(Step::Action {
                    name,
                    id: id.filter(|i| !i.is_empty()),
                    outputs: None,
                    timeout,
                    continue_on_error,
                    uses,
                    version,
                    condition,
                    with,
                    env,
                    with_exprs,
                    env_exprs,
                    other_exprs,
                    span: node.header_span(),
                });
            }
            Some(BlockLabel::Ident(t)) => self.expand(node, &t.name, t.span, scope, stack, steps, permissions),
            None => {}
        }
    }

    /// An action step's attribute of type `ty` (unchecked until now: a
    /// `uses` block takes a template's arguments too).
    fn raw_typed(&mut self, val: Option<&Val<'a>>, ty: &Ty, attr: Attr) -> Option<Val<'a>> {
        let Some(Val::Raw(v)) = val else { return None };
        let checked = self.shape.typed(v, ty, attr.as_str(), true);
        let shape = std::mem::take(&mut self.shape.diags);
        self.diags.append(shape);
        checked
    }

    /// An action step's attribute (unchecked until now: a `uses` block
    /// takes a template's arguments too) as text.
    fn raw_text(&mut self, val: Option<&Val<'a>>, scope: &Scope) -> Option<String> {
        match val? {
            Val::Raw(v) => match &v.kind {
                ValueKind::Str(lit) => Some(self.interpolate(lit, scope)),
                ValueKind::Number { text, .. } | ValueKind::Unit { text, .. } => Some(text.clone()),
                ValueKind::Bool(b) => Some(b.to_string()),
                _ => {
                    self.diags.push(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            format!("expected a string, but {} was given", crate::sema::shape::describe(v)),
                            Label::new(v.span, "not a string"),
                        )
                        .with_help("put the text in quotes"),
                    );
                    None
                }
            },
            other => self.text(Some(other), scope),
        }
    }
}
