//! The standard library, compiled into the binary: the `.dvc` modules under
//! `stdlib/` (their templates are available to every pipeline; `import
//! "std/NAME"` names a module explicitly) and the Helm chart under
//! `stdlib/helm/` that every service's chart is made of.

/// (module name, source).
pub const MODULES: &[(&str, &str)] = &[
    ("cloud", include_str!("../stdlib/cloud.dvc")),
    ("deploy", include_str!("../stdlib/deploy.dvc")),
    ("docker", include_str!("../stdlib/docker.dvc")),
    ("github", include_str!("../stdlib/github.dvc")),
    ("languages", include_str!("../stdlib/languages.dvc")),
];

/// The module for `import "std/NAME"`.
pub fn module(name: &str) -> Option<&'static str> {
    MODULES.iter().find(|(n, _)| *n == name).map(|(_, src)| *src)
}

/// The path shown for a module's file (`std/github.dvc`).
pub fn display_name(name: &str) -> String {
    format!("std/{name}.dvc")
}

/// The bundled Helm chart's templates (`stdlib/helm/`): path under the
/// chart, contents.
pub const CHART_TEMPLATES: &[(&str, &str)] = &[
    (
        "templates/_helpers.tpl",
        include_str!("../stdlib/helm/templates/_helpers.tpl"),
    ),
    (
        "templates/analysistemplate.yaml",
        include_str!("../stdlib/helm/templates/analysistemplate.yaml"),
    ),
    (
        "templates/deployment.yaml",
        include_str!("../stdlib/helm/templates/deployment.yaml"),
    ),
    (
        "templates/externalsecret.yaml",
        include_str!("../stdlib/helm/templates/externalsecret.yaml"),
    ),
    ("templates/hpa.yaml", include_str!("../stdlib/helm/templates/hpa.yaml")),
    (
        "templates/httproute.yaml",
        include_str!("../stdlib/helm/templates/httproute.yaml"),
    ),
    (
        "templates/ingress.yaml",
        include_str!("../stdlib/helm/templates/ingress.yaml"),
    ),
    (
        "templates/networkpolicy.yaml",
        include_str!("../stdlib/helm/templates/networkpolicy.yaml"),
    ),
    ("templates/pdb.yaml", include_str!("../stdlib/helm/templates/pdb.yaml")),
    (
        "templates/persistentvolumeclaim.yaml",
        include_str!("../stdlib/helm/templates/persistentvolumeclaim.yaml"),
    ),
    (
        "templates/rollout.yaml",
        include_str!("../stdlib/helm/templates/rollout.yaml"),
    ),
    (
        "templates/service.yaml",
        include_str!("../stdlib/helm/templates/service.yaml"),
    ),
    (
        "templates/serviceaccount.yaml",
        include_str!("../stdlib/helm/templates/serviceaccount.yaml"),
    ),
    (
        "templates/servicemonitor.yaml",
        include_str!("../stdlib/helm/templates/servicemonitor.yaml"),
    ),
    (
        "templates/virtualservice.yaml",
        include_str!("../stdlib/helm/templates/virtualservice.yaml"),
    ),
];

/// The values schema every chart carries (JSON Schema draft 7).
pub const CHART_SCHEMA: &str = include_str!("../stdlib/helm/values.schema.json");
