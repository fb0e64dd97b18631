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

/// The starter project `dvcc init` writes (`stdlib/init/`): file name and
/// text, with `__NAME__` standing for the project's name.
pub const STARTER: &[(&str, &str)] = &[
    ("project.dvc", include_str!("../stdlib/init/project.dvc")),
    ("services.dvc", include_str!("../stdlib/init/services.dvc")),
    ("pipelines.dvc", include_str!("../stdlib/init/pipelines.dvc")),
    ("observability.dvc", include_str!("../stdlib/init/observability.dvc")),
    ("infra.dvc", include_str!("../stdlib/init/infra.dvc")),
];

/// The starter project's files for a project named `name` (a DNS label;
/// see [`project_name`]).
pub fn starter(name: &str) -> Vec<(&'static str, String)> {
    STARTER
        .iter()
        .map(|(file, text)| (*file, text.replace("__NAME__", name)))
        .collect()
}

/// A project name every target accepts, made from `wanted` (a directory's
/// name, say): lowercase letters, digits and `-`, starting with a letter,
/// at most 30 characters (it prefixes namespaces, images and buckets).
pub fn project_name(wanted: &str) -> String {
    let mut name = String::new();
    for c in wanted.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            name.push(c);
        } else if !name.ends_with('-') && !name.is_empty() {
            name.push('-');
        }
    }
    let mut name: String = name.trim_matches('-').chars().take(30).collect();
    name = name.trim_end_matches('-').to_string();
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name = format!("app{}{name}", if name.is_empty() { "" } else { "-" });
    }
    name
}

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

#[cfg(test)]
mod starter_tests {
    #[test]
    fn project_names_are_dns_labels() {
        assert_eq!(super::project_name("My Shop_2"), "my-shop-2");
        assert_eq!(super::project_name("2fast"), "app-2fast");
        assert_eq!(super::project_name("..."), "app");
        assert_eq!(super::project_name("shop"), "shop");
        assert!(super::starter("shop").iter().all(|(_, t)| !t.contains("__NAME__")));
    }
}
