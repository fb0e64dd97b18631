//! The standard library: `.dvc` modules under `stdlib/`, compiled into the
//! binary. Their templates are available to every pipeline; `import
//! "std/NAME"` names a module explicitly.

/// (module name, source).
pub const MODULES: &[(&str, &str)] = &[
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
