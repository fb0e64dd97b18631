//! `${...}` in strings: `${project.FIELD}`, a template's `${PARAM}` and
//! `${PARAM.FIELD}` of service and environment parameters, and roots a
//! later stage substitutes (`${window}` in SLO queries).
//!
//! The fields of each root are one table each ([`PROJECT_FIELDS`],
//! [`SERVICE_FIELDS`], [`ENVIRONMENT_FIELDS`]): lookups, did-you-mean and
//! the help lines all read it, and a test holds `docs/language.md` to it.

use super::templates::Arg;
use super::{Builder, Scope};
use crate::diag::suggest::help_line;
use crate::diag::{Code, Diagnostic, Label};
use crate::model::{Environment, Interpolated, Model, Project, Service};
use crate::schema::Attr;
use crate::sema::tree::Val;
use crate::syntax::ast::{StrLit, StrPart};
use crate::target::gha::escape_literal;

/// A field of an interpolation root: its name and how to read it, knowing
/// the rest of the model (`None` when it is not set).
pub struct Field<T> {
    pub name: &'static str,
    pub read: fn(&T, &Model) -> Option<String>,
}

const fn field<T>(name: &'static str, read: fn(&T, &Model) -> Option<String>) -> Field<T> {
    Field { name, read }
}

/// `${project.FIELD}`.
pub const PROJECT_FIELDS: &[Field<Project>] = &[
    field("name", |p, _| Some(p.name.clone())),
    field("repo", |p, _| Some(p.repo.clone())),
    field("registry", |p, _| p.registry.clone()),
    // `ghcr.io/acme` → `ghcr.io`: what `docker login` wants.
    field("registry_host", |p, _| {
        p.registry
            .as_ref()
            .map(|r| r.split('/').next().unwrap_or(r).to_string())
    }),
    field("owner", |p, _| p.owner.clone()),
    field("prometheus", |p, _| p.prometheus.clone()),
    field("description", |p, _| p.description.clone()),
];

/// `${PARAM.FIELD}` of a `service` parameter (the service's own values,
/// before any environment's override).
pub const SERVICE_FIELDS: &[Field<Service>] = &[
    field("name", |s, _| Some(s.name.clone())),
    field("image", |s, _| Some(s.base.image.clone())),
    // The image without its tag or digest: what builds push new tags to.
    field("repository", |s, _| {
        Some(
            crate::model::image::ImageRef::parse(&s.base.image).map_or_else(|_| s.base.image.clone(), |r| r.repository),
        )
    }),
    field("port", |s, _| s.base.port.map(|p| p.to_string())),
    field("health", |s, _| s.base.health.clone()),
    // `true` when the image is written with a tag or digest (deployed as
    // written), `false` when dvcc builds it and deploys it at the SHA.
    // The chart directory it is installed from: the project's shared chart,
    // or its own (`chart = own`).
    field("chart", |s, m| {
        Some(crate::target::paths::chart_of(&m.project.name, &s.name, s.own_chart))
    }),
    field("pinned", |s, _| {
        Some(
            crate::model::image::ImageRef::parse(&s.base.image)
                .is_ok_and(|r| r.is_pinned())
                .to_string(),
        )
    }),
];

/// `${PARAM.FIELD}` of an `environment` parameter.
pub const ENVIRONMENT_FIELDS: &[Field<Environment>] = &[
    field("name", |e, _| Some(e.name.clone())),
    // Kubernetes' own default when the environment sets none.
    field("namespace", |e, m| Some(m.namespace(&e.name))),
    // The cluster deploys connect to: the one `infra ENV` creates, by its
    // full name, else the environment's `cluster`.
    field("cluster", |e, m| m.deploy_cluster(&e.name)),
    field("region", |e, m| m.region(&e.name)),
    // `false` where Terraform creates the namespace and the deploy role may
    // not (`Model::deploy_creates_namespace`).
    field("create_namespace", |e, m| {
        Some(m.deploy_creates_namespace(&e.name).to_string())
    }),
];

fn field_names<T>(fields: &[Field<T>]) -> Vec<&'static str> {
    fields.iter().map(|f| f.name).collect()
}

/// "`a`, `b` and `c`".
fn listed<T>(fields: &[Field<T>]) -> String {
    crate::sema::shape::quote_list(&field_names(fields))
}

impl<'a> Builder<'_, 'a, '_> {
    /// The text of `lit`, its `${...}` resolved in `scope`; each one that
    /// names nothing is reported once.
    pub(super) fn interpolate(&mut self, lit: &StrLit, scope: &Scope) -> String {
        let mut out = String::new();
        // The pieces are kept for the credential scan of what interpolation
        // puts together: only where something is interpolated.
        let interpolates = lit.parts.iter().any(|p| matches!(p, StrPart::Interp { .. }));
        let mut pieces: Vec<String> = Vec::new();
        for part in &lit.parts {
            match part {
                // Literal text stays text, in a workflow too: a `${{` in it
                // (written `$${{` or `\u{24}{{`) is escaped for GitHub.
                StrPart::Text { text, .. } if scope.workflow => {
                    if interpolates {
                        pieces.push(text.clone());
                    }
                    if text.contains("${{") {
                        out.push_str(&escape_literal(text));
                    } else {
                        out.push_str(text);
                    }
                }
                StrPart::Text { text, .. } => {
                    if interpolates {
                        pieces.push(text.clone());
                    }
                    out.push_str(text);
                }
                StrPart::Gha { text, span } => {
                    if scope.workflow {
                        self.emitted.push((text.clone(), *span));
                    }
                    out.push_str(text);
                }
                StrPart::Interp { path, span } => {
                    let names: Vec<&str> = path.segments.iter().map(|s| s.name.as_str()).collect();
                    match self.lookup(&names, scope) {
                        Ok(v) => {
                            out.push_str(&v);
                            pieces.push(v);
                        }
                        Err(_) if !self.reported.insert(*span) => {}
                        Err(help) => {
                            let d = match self.sites.iter().find(|s| s.2) {
                                // Inside the stdlib: point at the user's `uses`.
                                Some(_) => {
                                    let (site, name, _) = &self.sites[0];
                                    Diagnostic::new(
                                        Code::UndefinedName,
                                        format!("`uses {name}` needs `${{{}}}`, which is not set", path.dotted()),
                                        Label::new(*site, format!("`{name}` cannot be expanded here")),
                                    )
                                    .with_label(Label::new(*span, "the stdlib template uses it here"))
                                }
                                None => Diagnostic::new(
                                    Code::UndefinedName,
                                    format!("`${{{}}}` does not name anything here", path.dotted()),
                                    Label::new(*span, "cannot be resolved"),
                                ),
                            };
                            // The default of a parameter of the template the user wrote.
                            let help = match (&self.defaulting, self.sites.as_slice()) {
                                (Some(param), [(_, name, _)]) => {
                                    format!("{help}; or give it yourself: `uses {name} {{ {param} = ... }}`")
                                }
                                _ => help,
                            };
                            if let Some(first) = &mut self.first_reports {
                                first.push((*span, self.diags.kept.len()));
                            }
                            self.diags.push(d.with_help(help));
                        }
                    }
                }
            }
        }
        if interpolates {
            self.model.interpolated.push(Interpolated {
                text: out.clone(),
                pieces,
                span: lit.span,
                site: self.sites.first().map(|s| s.0),
            });
        }
        out
    }

    /// The value of `${a.b}` in `scope`, or a help line.
    fn lookup(&mut self, names: &[&str], scope: &Scope) -> Result<String, String> {
        let root = names.first().copied().unwrap_or("");
        if scope.keep.contains(&root) {
            return Ok(format!("${{{}}}", names.join(".")));
        }
        // Values that are data, not expressions: a `${{` in them stays text.
        let data = |v: String| if scope.workflow { escape_literal(&v) } else { v };
        if root == "project" {
            let name = names.get(1).copied().unwrap_or("");
            // In a workflow, a project field is its own text again, so its
            // `${{ ... }}` stay expressions, followed to where they were
            // written.
            if scope.workflow && !scope.in_project && names.len() == 2 {
                let written = name.strip_suffix("_host").unwrap_or(name);
                let lit = Attr::from_name(written)
                    .and_then(|attr| {
                        // Only the project's own attributes (`name` is its label).
                        self.sym
                            .project
                            .filter(|p| p.schema.attr_schema(attr).is_some())
                            .and_then(|p| p.get(attr))
                    })
                    .and_then(|v| match v {
                        Val::Str(lit) => Some(*lit),
                        _ => None,
                    });
                if let Some(lit) = lit {
                    let inner = Scope {
                        workflow: true,
                        in_project: true,
                        ..Scope::default()
                    };
                    let text = self.interpolate(lit, &inner);
                    return Ok(match name {
                        // `ghcr.io/acme` → `ghcr.io`: what `docker login` wants.
                        "registry_host" => text.split('/').next().unwrap_or(&text).to_string(),
                        _ => text,
                    });
                }
            }
            let Some(field) = PROJECT_FIELDS.iter().find(|f| f.name == name) else {
                return Err(help_line(name, field_names(PROJECT_FIELDS))
                    .unwrap_or_else(|| format!("the project's fields are {}", listed(PROJECT_FIELDS))));
            };
            return (field.read)(&self.known().project, self.known())
                .filter(|_| names.len() == 2)
                .map(data)
                .ok_or_else(|| format!("set `{}` in the `project` block", name.trim_end_matches("_host")));
        }
        if let Some(params) = scope.params {
            match (params.get(root), names.get(1)) {
                (Some(Arg::Missing), _) => return Ok(String::new()),
                (Some(arg), None) => {
                    // An argument is workflow text already; its expressions
                    // are written where the argument was.
                    if scope.workflow {
                        self.emitted.extend(arg.exprs().iter().cloned());
                    }
                    return Ok(arg.text());
                }
                (Some(Arg::Service(s)), Some(name)) if names.len() == 2 => {
                    self.read_service(s);
                    let svc = self.known().service(s).ok_or_else(|| format!("no service `{s}`"))?;
                    let Some(field) = SERVICE_FIELDS.iter().find(|f| f.name == *name) else {
                        return Err(format!("a service has {}, not `{name}`", listed(SERVICE_FIELDS)));
                    };
                    return (field.read)(svc, self.known()).map(data).ok_or_else(|| match *name {
                        "health" => format!("`{s}` sets no health path"),
                        _ => format!("`{s}` sets no {name}"),
                    });
                }
                (Some(Arg::Environment(e)), Some(name)) if names.len() == 2 => {
                    let env = self
                        .known()
                        .environment(e)
                        .ok_or_else(|| format!("no environment `{e}`"))?;
                    let Some(field) = ENVIRONMENT_FIELDS.iter().find(|f| f.name == *name) else {
                        return Err(format!(
                            "an environment has {}, not `{name}`",
                            listed(ENVIRONMENT_FIELDS)
                        ));
                    };
                    return (field.read)(env, self.known())
                        .map(data)
                        .ok_or_else(|| format!("environment `{e}` sets no `{name}`"));
                }
                _ => {}
            }
            let mut roots: Vec<&str> = params.keys().map(String::as_str).collect();
            roots.push("project");
            return Err(help_line(root, &roots).unwrap_or_else(|| {
                format!(
                    "in a template, `${{...}}` names a parameter ({}) or `project.FIELD`",
                    roots.join(", ")
                )
            }));
        }
        Err(help_line(root, ["project"]).unwrap_or_else(|| "here `${...}` can name `project.FIELD`".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/language.md` names exactly the fields each root has.
    #[test]
    fn the_language_reference_lists_every_field() {
        let doc = include_str!("../../../docs/language.md");
        let section = doc
            .split("### Interpolation")
            .nth(1)
            .and_then(|s| s.split("\n### ").next())
            .unwrap_or("");
        let flat = section.split_whitespace().collect::<Vec<_>>().join(" ");
        for name in field_names(PROJECT_FIELDS)
            .iter()
            .chain(&field_names(SERVICE_FIELDS))
            .chain(&field_names(ENVIRONMENT_FIELDS))
        {
            assert!(
                flat.contains(&format!("`{name}`")),
                "docs/language.md does not list `{name}`"
            );
        }
    }
}
