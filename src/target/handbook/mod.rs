//! The delivery handbook: what pages there are, the data each is rendered
//! with ([`views`]) and the handlebars templates that render them — the
//! bundled ones (`stdlib/handbook/`) or the project's own (`handbook/` in
//! the project directory, same names).
//!
//! Shared by the check that reports a project template's errors
//! (`check::handbook`) and the backend that writes the pages
//! (`backend::docs`): both render through [`Renderer`].

pub mod markdown;
pub mod slo;
pub mod views;

use handlebars::Handlebars;
use serde_json::Value;

use crate::diagram::ProjectGraph;
use crate::model::Model;
use crate::source::FileId;
use crate::target::paths;

/// The bundled templates: name, text.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("index.md.hbs", include_str!("../../../stdlib/handbook/index.md.hbs")),
    (
        "service.md.hbs",
        include_str!("../../../stdlib/handbook/service.md.hbs"),
    ),
    (
        "environment.md.hbs",
        include_str!("../../../stdlib/handbook/environment.md.hbs"),
    ),
    ("alert.md.hbs", include_str!("../../../stdlib/handbook/alert.md.hbs")),
    ("slo.md.hbs", include_str!("../../../stdlib/handbook/slo.md.hbs")),
];

/// One page to write.
pub struct Page {
    /// Relative to the handbook's directory.
    pub path: String,
    /// The template that renders it (a name of [`TEMPLATES`]).
    pub template: &'static str,
    pub data: Value,
    /// The `.dvc` files it comes from (as loaded), for its header.
    pub sources: Vec<String>,
}

/// Every page of `model`'s handbook, in a fixed order: the index, then
/// services, environments, alerts and SLOs in model order.
pub fn pages(model: &Model) -> Vec<Page> {
    let graph = ProjectGraph::build(model);
    let published = model.project.handbook.as_ref().and_then(|h| h.url.as_deref());
    let common = |sources: &[String]| views::Common {
        project: markdown::text(&model.project.name),
        sources: sources.join(", "),
    };
    let all = model.project.sources.clone();
    let mut out = vec![Page {
        path: paths::HANDBOOK_INDEX.to_string(),
        template: "index.md.hbs",
        data: to_value(&views::index(model, &graph, common(&all))),
        sources: all.clone(),
    }];
    for s in &model.services {
        out.push(Page {
            path: paths::handbook_service(&s.name),
            template: "service.md.hbs",
            data: to_value(&views::service(model, &graph, s, common(&all))),
            sources: all.clone(),
        });
    }
    for e in &model.environments {
        out.push(Page {
            path: paths::handbook_environment(&e.name),
            template: "environment.md.hbs",
            data: to_value(&views::environment(model, e, common(&all))),
            sources: all.clone(),
        });
    }
    for a in &model.alerts {
        let notes = format!("runbooks/{}.md", a.name);
        let mut sources = vec![a.source.clone()];
        sources.extend(
            model
                .handbook_sources
                .iter()
                .filter(|s| s.name == notes)
                .map(|s| s.path.clone()),
        );
        out.push(Page {
            path: paths::handbook_alert(&a.name),
            template: "alert.md.hbs",
            data: to_value(&views::alert(model, a, published, common(&sources))),
            sources,
        });
    }
    for s in &model.slos {
        let sources = vec![s.source.clone()];
        out.push(Page {
            path: paths::handbook_slo(&s.name),
            template: "slo.md.hbs",
            data: to_value(&slo::slo(model, s, published, common(&sources))),
            sources,
        });
    }
    out
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// What went wrong in a project template: where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: FileId,
    /// 1-based, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// The templates of a project: the bundled ones, each replaced by the
/// project's file of the same name when there is one that compiles.
pub struct Renderer {
    registry: Handlebars<'static>,
    /// Template name → the project file that replaced it.
    replaced: Vec<(&'static str, FileId)>,
}

impl Renderer {
    /// The renderer of `model`'s project, and the problems of the project
    /// templates that do not compile (the bundled ones stand in).
    pub fn new(model: &Model) -> (Renderer, Vec<Problem>) {
        let mut registry = Handlebars::new();
        registry.register_escape_fn(handlebars::no_escape);
        registry.set_strict_mode(true);
        registry.set_prevent_indent(true);
        for (name, text) in TEMPLATES {
            // The bundled templates compile: tested.
            let _ = registry.register_template_string(name, text);
        }
        let mut problems = Vec::new();
        let mut replaced = Vec::new();
        for source in &model.handbook_sources {
            let Some(&(name, _)) = TEMPLATES.iter().find(|(n, _)| *n == source.name) else {
                continue;
            };
            if let Some(at) = partial(&source.text) {
                // A partial may include itself through another, which no
                // limit stops: not supported.
                let before = &source.text[..at];
                problems.push(Problem {
                    file: source.file,
                    line: Some(before.matches('\n').count() + 1),
                    column: Some(before.rsplit('\n').next().unwrap_or("").chars().count() + 1),
                    message: "partials (`{{> NAME}}`) are not supported: each page's template is one file".to_string(),
                });
                continue;
            }
            match registry.register_template_string(name, &source.text) {
                Ok(()) => replaced.push((name, source.file)),
                Err(e) => {
                    problems.push(Problem {
                        file: source.file,
                        line: e.pos().map(|(l, _)| l),
                        column: e.pos().map(|(_, c)| c),
                        message: match e.reason() {
                            handlebars::TemplateErrorReason::InvalidSyntax(_) => {
                                "invalid handlebars syntax (a block left open, or `{{` without `}}`?)".to_string()
                            }
                            other => other.to_string(),
                        },
                    });
                    let bundled = TEMPLATES.iter().find(|(n, _)| *n == name).map_or("", |(_, t)| *t);
                    let _ = registry.register_template_string(name, bundled);
                }
            }
        }
        (Renderer { registry, replaced }, problems)
    }

    /// The project file that replaced template `name`, if any.
    pub fn replaced(&self, name: &str) -> Option<FileId> {
        self.replaced.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// `page` rendered, or what went wrong in its (project) template.
    pub fn render(&self, page: &Page) -> Result<String, Problem> {
        self.registry.render(page.template, &page.data).map_err(|e| Problem {
            file: self.replaced(page.template).unwrap_or(FileId(0)),
            line: e.line_no,
            column: e.column_no,
            message: match e.reason() {
                handlebars::RenderErrorReason::MissingVariable(Some(field)) => {
                    format!("the page's data has no field `{field}`")
                }
                other => other.to_string(),
            },
        })
    }
}

/// Where `text` includes a partial (`{{> x}}`, `{{#> x}}`, `{{~> x}}`) or
/// defines one (`{{#*inline}}`), if it does.
fn partial(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = text[from..].find("{{") {
        let at = from + i;
        let rest = text[at + 2..].trim_start_matches(['{', '~', '#', ' ', '\t', '\n', '\r']);
        if rest.starts_with('>') || rest.starts_with("*inline") {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// Names a project's `handbook/` directory may hold: the templates, and
/// `runbooks/ALERT.md` for each alert.
pub fn known_source(model: &Model, name: &str) -> bool {
    TEMPLATES.iter().any(|(n, _)| *n == name)
        || name
            .strip_prefix("runbooks/")
            .and_then(|n| n.strip_suffix(".md"))
            .is_some_and(|alert| model.alert(alert).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partials_are_found() {
        assert_eq!(partial("a {{> x}}"), Some(2));
        assert_eq!(partial("{{~#> layout}}x{{/layout}}"), Some(0));
        assert_eq!(partial("{{#*inline \"a\"}}{{/inline}}"), Some(0));
        assert_eq!(partial("{{#if a}}>{{/if}} {{x}}"), None);
    }

    #[test]
    fn the_bundled_templates_compile() {
        for (name, text) in TEMPLATES {
            let mut r = Handlebars::new();
            r.set_strict_mode(true);
            assert!(r.register_template_string(name, text).is_ok(), "{name}");
        }
    }
}
