//! Templates: `uses TEMPLATE { ARGS }` checked against the template's
//! typed parameters and expanded in place, with the permissions its steps
//! need. Mistakes inside the stdlib's templates are reported at the user's
//! `uses`.

use std::collections::BTreeMap;

use super::{Builder, Scope};
use crate::diag::suggest::help_line;
use crate::diag::{Code, Diagnostic, Label};
use crate::model::{Exprs, Step};
use crate::schema::{Attr, BlockId, Namespace, Ty, param_type};
use crate::sema::tree::{CheckedBlock, Val};
use crate::source::Span;
use crate::syntax::ast::Value;

/// The argument every template takes: the id of its step written
/// `id = "${id}"`, whose outputs the template declares.
pub(super) const ID_ARG: &str = "id";

/// The most templates one `uses` may expand through.
const MAX_TEMPLATE_DEPTH: usize = 16;

/// The most templates and steps one `uses` in a job may expand to (a
/// template using another twice per level doubles with each level).
pub(super) const MAX_EXPANSION: usize = 10_000;

/// The most templates and steps all the `uses` of one project may expand to.
pub(super) const MAX_PROJECT_EXPANSION: usize = 200_000;

/// What template expansion may still spend.
#[derive(Debug)]
pub(super) struct Expansion {
    /// For the `uses` of a job being expanded.
    site: usize,
    /// For the whole project.
    pub(super) project: usize,
    /// The job's `uses` whose budget ran out has been reported.
    reported: bool,
}

impl Default for Expansion {
    fn default() -> Expansion {
        Expansion {
            site: MAX_EXPANSION,
            project: MAX_PROJECT_EXPANSION,
            reported: false,
        }
    }
}

/// A template argument after checking.
#[derive(Clone, Debug)]
pub(super) enum Arg {
    /// Text, and the GitHub expressions written in it.
    Text(String, Exprs),
    Service(String),
    Environment(String),
    List(Vec<String>, Exprs),
    /// Missing or invalid (already reported): interpolates as empty text
    /// without a second report.
    Missing,
}

impl Arg {
    pub(super) fn text(&self) -> String {
        match self {
            Arg::Text(t, _) | Arg::Service(t) | Arg::Environment(t) => t.clone(),
            Arg::List(items, _) => items.join(","),
            Arg::Missing => String::new(),
        }
    }

    /// The GitHub expressions in the argument, where they were written.
    pub(super) fn exprs(&self) -> &[(String, Span)] {
        match self {
            Arg::Text(_, e) | Arg::List(_, e) => e,
            _ => &[],
        }
    }
}

impl<'a> Builder<'_, 'a, '_> {
    /// The steps of template `name`, used at `uses`, appended to `steps`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn expand(
        &mut self,
        uses: &CheckedBlock<'a>,
        name: &str,
        span: Span,
        scope: &Scope,
        stack: &mut Vec<String>,
        steps: &mut Vec<Step>,
        permissions: &mut BTreeMap<String, String>,
    ) {
        let Some(decl) = self.sym.get(Namespace::Template, name) else {
            return; // reported by the names pass
        };
        if stack.is_empty() {
            // A job's own `uses`: a budget of its own.
            self.expansion.site = MAX_EXPANSION;
            self.expansion.reported = false;
        }
        if self.expansion.site == 0 || self.expansion.project == 0 || stack.len() >= MAX_TEMPLATE_DEPTH {
            self.too_large(uses, name, stack, stack.len() >= MAX_TEMPLATE_DEPTH);
            return;
        }
        self.expansion.site -= 1;
        self.expansion.project -= 1;
        if stack.iter().any(|s| s == name) {
            let mut d = Diagnostic::new(
                Code::DependencyCycle,
                format!("template `{name}` uses itself through {}", stack.join(" → ")),
                Label::new(span, format!("`{name}` is used again here")),
            )
            .with_help("break the cycle: a template must not use itself, directly or through others");
            for s in stack.iter() {
                if let Some(t) = self.sym.get(Namespace::Template, s) {
                    d = d.with_label(Label::new(t.span, format!("`{s}` is part of the cycle")));
                }
            }
            self.diags.push(d);
            return;
        }
        let template = decl.node;
        self.sites.push((uses.header_span(), name.to_string(), decl.stdlib));
        let args = self.arguments(uses, template, name, scope);
        let first_step = steps.len();
        stack.push(name.to_string());
        let inner = Scope {
            params: Some(&args),
            workflow: scope.workflow,
            ..Scope::default()
        };
        if let Some(p) = template.child(BlockId::Permissions) {
            for (k, a) in &p.attrs {
                if let Val::Word(level) = &a.val {
                    let entry = permissions.entry((*k).to_string()).or_insert_with(|| level.clone());
                    if level == "write" {
                        *entry = level.clone();
                    }
                }
            }
        }
        for child in &template.children {
            match child.schema.id {
                BlockId::Run if self.expansion.site > 0 && self.expansion.project > 0 => {
                    self.expansion.site -= 1;
                    self.expansion.project -= 1;
                    steps.push(self.run_step(child, &inner));
                }
                BlockId::Run => self.too_large(child, name, stack, false),
                BlockId::Uses => self.uses_step(child, &inner, stack, steps, permissions),
                _ => {}
            }
        }
        // The step written `id = "${id}"` has the outputs the template declares.
        if let Some(Arg::Text(id, _)) = args.get(ID_ARG).filter(|a| !a.text().is_empty()) {
            let declared = template
                .get(Attr::Outputs)
                .map(|v| self.texts(Some(v), &Scope::default()));
            let mut found = false;
            for s in &mut steps[first_step..] {
                if s.id() == Some(id.as_str()) {
                    found = true;
                    match s {
                        Step::Run { outputs, .. } | Step::Action { outputs, .. } => {
                            if declared.is_some() {
                                outputs.clone_from(&declared);
                            }
                        }
                    }
                }
            }
            if !found
                && stack.len() == 1
                && let Some(a) = uses.attrs.get(ID_ARG)
            {
                self.diags.push(
                    Diagnostic::new(
                        Code::UnknownAttribute,
                        format!("template `{name}` has no step that takes an `id`"),
                        Label::new(a.attr.name.span, "no step of the template is given this id"),
                    )
                    .with_help(format!(
                        "remove `id`; or, in template `{name}`, write `id = \"${{id}}\"` on the step whose outputs are read"
                    )),
                );
            }
        }
        stack.pop();
        self.sites.pop();
    }

    /// Reports, once per job's `uses`, an expansion past the depth or size
    /// budget, naming the chain of templates it went through.
    fn too_large(&mut self, at: &CheckedBlock<'a>, name: &str, stack: &[String], too_deep: bool) {
        if std::mem::replace(&mut self.expansion.reported, true) {
            return;
        }
        let mut chain: Vec<&str> = stack.iter().map(String::as_str).collect();
        if chain.last() != Some(&name) {
            chain.push(name);
        }
        // The chain, its ends kept when it is long.
        let shown = if chain.len() > 8 {
            format!(
                "{} → … → {}",
                chain[..4].join(" → "),
                chain[chain.len() - 3..].join(" → ")
            )
        } else {
            chain.join(" → ")
        };
        let (message, help) = if too_deep {
            (
                format!("templates nest deeper than {MAX_TEMPLATE_DEPTH} levels: {shown}"),
                "flatten the templates: a template may use others, but not more than 16 deep".to_string(),
            )
        } else if self.expansion.project == 0 {
            (
                format!("the templates of this project expand to more than {MAX_PROJECT_EXPANSION} steps"),
                "use the templates in fewer jobs, or make them smaller".to_string(),
            )
        } else {
            (
                format!("this `uses` expands to more than {MAX_EXPANSION} steps, through {shown}"),
                "a template that uses another several times multiplies its steps at each level: use it once, or gather the steps into one larger template"
                    .to_string(),
            )
        };
        // At the job's own `uses` (the user's, when the chain runs through
        // the stdlib).
        let site = self.sites.first().map_or(at.header_span(), |s| s.0);
        let mut d = Diagnostic::new(Code::TemplateTooLarge, message, Label::new(site, "expanded here")).with_help(help);
        if let Some(t) = self.sym.get(Namespace::Template, name)
            && t.span != site
        {
            d = d.with_label(Label::new(t.span, format!("`{name}` is where expansion stopped")));
        }
        self.diags.push(d);
    }

    /// Checks the arguments of `uses` against the template's parameters.
    fn arguments(
        &mut self,
        uses: &CheckedBlock<'a>,
        template: &CheckedBlock<'a>,
        name: &str,
        scope: &Scope,
    ) -> BTreeMap<String, Arg> {
        let params: Vec<&CheckedBlock<'a>> = template.children_of(BlockId::Param).collect();
        let param_names: Vec<&str> = params.iter().map(|p| p.label()).collect();
        for (k, a) in &uses.attrs {
            if !param_names.contains(k) && *k != ID_ARG {
                let mut d = Diagnostic::new(
                    Code::UnknownAttribute,
                    format!("template `{name}` has no parameter `{k}`"),
                    Label::new(a.attr.name.span, "unknown parameter"),
                );
                d.help = help_line(k, &param_names).or_else(|| {
                    Some(if param_names.is_empty() {
                        format!("`{name}` takes no parameters")
                    } else {
                        format!("its parameters are {}", crate::sema::shape::quote_list(&param_names))
                    })
                });
                self.diags.push(d);
            }
        }
        let mut args = BTreeMap::new();
        for p in params {
            let pname = p.label().to_string();
            let kind = self.attr_text(p, Attr::Type).unwrap_or_default();
            let given: Option<&'a Value> = uses.attrs.get(pname.as_str()).map(|a| &a.attr.value);
            // A default is written in the template: text of the same kind
            // as the argument it stands for, which may read the parameters
            // declared before it (`${service.repository}`).
            // In a deploy job's template, the service and environment
            // being deployed.
            let implicit = match (&self.deploying, kind.as_str()) {
                (Some((Some(svc), _)), "service") => Some(Arg::Service(svc.clone())),
                (Some((_, env)), "environment") => Some(Arg::Environment(env.clone())),
                _ => None,
            };
            if given.is_none()
                && let Some(arg) = implicit
            {
                args.insert(pname, arg);
                continue;
            }
            // (The parameters so far are borrowed while the default is
            // read, and the argument is added after: no copy per parameter.)
            let (value, defaulted) = match (given, p.get(Attr::Default)) {
                (Some(v), _) => (Some(v), false),
                (None, Some(Val::Raw(d))) => (Some(*d), true),
                (None, _) => {
                    let about = self
                        .attr_text(p, Attr::Description)
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default();
                    self.diags.push(
                        Diagnostic::new(
                            Code::MissingAttribute,
                            format!("`uses {name}` is missing the argument `{pname}`"),
                            Label::new(uses.header_span(), format!("`{pname}` must be given here")),
                        )
                        .with_help(format!(
                            "add `{pname} = ...` in the braces: `uses {name} {{ {pname} = ... }}`{about}"
                        )),
                    );
                    args.insert(pname, Arg::Missing);
                    continue;
                }
            };
            let Some(value) = value else { continue };
            // A default that cannot be read is reported with the way around it.
            let defaulting = given.is_none().then(|| pname.clone());
            let before = std::mem::replace(&mut self.defaulting, defaulting);
            let default_scope = Scope {
                workflow: scope.workflow,
                params: Some(&args),
                ..Scope::default()
            };
            let value_scope = if defaulted { &default_scope } else { scope };
            let arg = self.argument(value, &kind, &pname, value_scope).unwrap_or(Arg::Missing);
            self.defaulting = before;
            args.insert(pname, arg);
        }
        // `id`: the id of the template's step written `id = "${id}"`.
        let id = match uses.attrs.get(ID_ARG) {
            Some(a) => self.argument(&a.attr.value, "string", ID_ARG, &Scope::default()),
            None => Some(Arg::Text(String::new(), Vec::new())),
        };
        args.insert(ID_ARG.to_string(), id.unwrap_or(Arg::Missing));
        args
    }

    /// One argument, checked against its parameter's type.
    fn argument(&mut self, v: &'a Value, kind: &str, name: &str, scope: &Scope) -> Option<Arg> {
        let ty = param_type(kind).unwrap_or(Ty::Scalar);
        let checked = self.shape.typed(v, &ty, name, true);
        let shape = std::mem::take(&mut self.shape.diags);
        self.diags.append(shape);
        Some(match checked? {
            Val::Ref(i, Namespace::Service) => Arg::Service(i.name.clone()),
            Val::Ref(i, Namespace::Environment) => Arg::Environment(i.name.clone()),
            Val::List(items) => {
                let (texts, exprs) = self.capture(|b| items.iter().filter_map(|x| b.text(Some(x), scope)).collect());
                Arg::List(texts, exprs)
            }
            other => {
                let (text, exprs) = self.capture(|b| b.text(Some(&other), scope));
                Arg::Text(text?, exprs)
            }
        })
    }
}
