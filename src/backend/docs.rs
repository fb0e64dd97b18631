//! The `docs` target: the delivery handbook as Markdown pages, rendered
//! from the views of `target::handbook` with the project's templates or
//! the bundled ones.
//!
//! Built by default when the project has `handbook { }`; `--target docs`
//! builds it anyway (in `docs/delivery/`).

use super::{Artifact, Backend, Context};
use crate::model::Model;
use crate::target::Target;
use crate::target::handbook::{self, Renderer};
use crate::target::paths;

pub struct Docs;

/// The handbook's directory, relative to the output directory.
fn dir(model: &Model) -> String {
    model
        .project
        .handbook
        .as_ref()
        .map_or(paths::HANDBOOK_DIR, |h| h.path.as_str())
        .trim_end_matches('/')
        .to_string()
}

impl Backend for Docs {
    fn target(&self) -> Target {
        Target::Docs
    }

    fn by_default(&self, model: &Model) -> bool {
        model.project.handbook.is_some()
    }

    fn owned_dirs(&self, model: &Model) -> Vec<String> {
        vec![dir(model)]
    }

    fn generate(&self, model: &Model, ctx: &Context<'_>) -> Vec<Artifact> {
        let (renderer, _) = Renderer::new(model);
        let dir = dir(model);
        handbook::pages(model)
            .into_iter()
            .map(|mut page| {
                if let Some(file) = renderer.replaced(page.template) {
                    let template = model.handbook_sources.iter().filter(|s| s.file == file);
                    page.sources.extend(template.map(|s| s.path.clone()));
                }
                // The project's templates were rendered by the checks: a
                // template that fails is reported there, and nothing is
                // generated.
                let body = renderer.render(&page).unwrap_or_default();
                Artifact {
                    path: format!("{dir}/{}", page.path),
                    contents: format!("{}\n{body}", ctx.header(&page.sources).html_comment()),
                }
            })
            .collect()
    }
}
