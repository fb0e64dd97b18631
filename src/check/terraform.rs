//! Checks of the Terraform target: database engine versions, references
//! between raw resources, and a region for every `infra`.

use crate::diag::suggest::{Budget, did_you_mean_within};
use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::Model;
use crate::schema::{Attr, BlockId};
use crate::sema::tree::CheckedBlock;
use crate::source::Span;
use crate::syntax::ast::{Block, Item, StrPart, Value, ValueKind};

/// The major versions RDS offers per engine (a version may add a minor:
/// `16.4`, `8.0.39`).
pub const ENGINE_VERSIONS: &[(&str, &[&str])] = &[
    ("postgres", &["12", "13", "14", "15", "16", "17"]),
    ("mysql", &["5.7", "8.0", "8.4"]),
    ("mariadb", &["10.5", "10.6", "10.11", "11.4"]),
];

/// The major version `version` belongs to, if `engine` has it.
fn known_version(engine: &str, version: &str) -> Option<bool> {
    let (_, majors) = ENGINE_VERSIONS.iter().find(|(e, _)| *e == engine)?;
    Some(majors.iter().any(|m| {
        version == *m
            || version
                .strip_prefix(m)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|minor| {
                    !minor.is_empty()
                        && minor
                            .split('.')
                            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                })
    }))
}

pub fn run(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    role_and_cluster_names(user, model, diags);
    for node in user.iter().filter(|n| n.schema.id == BlockId::Infra) {
        let env = node.label();
        let Some(infra) = model.infra(env) else { continue };
        if model.region(env).is_none() {
            diags.push(
                Diagnostic::new(
                    Code::InfraWithoutRegion,
                    format!("`infra {env}` has no AWS region"),
                    Label::new(node.label_span(), "no `provider aws { region = ... }` here"),
                )
                .with_help(format!(
                    "add `provider aws {{ region = \"us-east-1\" }}` to `infra {env}`, or `region = \"...\"` on environment `{env}`"
                )),
            );
        }
        for (kind, child) in node
            .children_of(BlockId::Bucket)
            .map(|c| ("bucket", c))
            .chain(node.children_of(BlockId::Database).map(|c| ("database", c)))
        {
            let project = &model.project.name;
            let (name, why) = if kind == "bucket" {
                let n = crate::model::names::bucket_name(project, env, child.label());
                let why = bucket_name_problem(&n);
                (n, why)
            } else {
                let n = crate::model::names::db_identifier(project, env, child.label());
                let why = db_identifier_problem(&n);
                (n, why)
            };
            if let Some(why) = why {
                diags.push(
                    Diagnostic::new(
                        Code::InvalidAwsName,
                        format!("the {kind} `{}` would be named \"{name}\", which AWS rejects: {why}", child.label()),
                        Label::new(child.label_span(), "the generated name ends with this one"),
                    )
                    .with_help("shorten the project, environment or resource name, and keep to letters, digits and single `_` or `-`"),
                );
            }
        }
        for db in node.children_of(BlockId::Database) {
            let (Some(engine), Some(version)) = (db.attr(Attr::Engine), db.attr(Attr::Version)) else {
                continue;
            };
            let engine_name = infra
                .databases
                .iter()
                .find(|d| d.name == db.label())
                .map(|d| (d.engine.clone(), d.version.clone()));
            let Some((engine_name, version_text)) = engine_name else {
                continue;
            };
            if known_version(&engine_name, &version_text) == Some(false) {
                let majors = ENGINE_VERSIONS
                    .iter()
                    .find(|(e, _)| *e == engine_name)
                    .map(|(_, m)| m.join(", "))
                    .unwrap_or_default();
                diags.push(
                    Diagnostic::new(
                        Code::UnknownEngineVersion,
                        format!("RDS has no {engine_name} version \"{version_text}\""),
                        Label::new(version.attr.value.span, format!("not a {engine_name} version")),
                    )
                    .with_label(Label::new(engine.attr.value.span, "the engine"))
                    .with_help(format!(
                        "{engine_name} versions are {majors} (optionally with a minor: `{}.1`)",
                        majors.split(", ").last().unwrap_or("")
                    )),
                );
            }
        }
        // A raw resource named as one dvcc writes would replace it in the
        // document (the deploy role's trust policy, say), silently.
        let generated = crate::target::terraform::generated(infra);
        for res in node.children_of(BlockId::Resource) {
            let (Some((ty, _)), Some((name, span))) = (res.labels.first(), res.labels.get(1)) else {
                continue;
            };
            let address = format!("{ty}.{name}");
            if generated.binary_search(&address).is_ok() {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateName,
                        format!("`{address}` is a resource dvcc writes for `infra {env}` itself"),
                        Label::new(*span, "this name is taken by a generated resource"),
                    )
                    .with_help(format!(
                        "rename it (`resource {ty} {name}_extra {{ ... }}`); dvcc's own stays, and raw resources may refer to it (`${{{address}.id}}`)"
                    )),
                );
            }
        }
        let declared = crate::target::terraform::with_raw(generated, infra);
        let mut budget = Budget::default();
        for res in node
            .children_of(BlockId::Resource)
            .chain(node.children_of(BlockId::TfOutput))
        {
            let mut refs = Vec::new();
            interpolations(res.block, &mut refs, diags);
            for (path, span) in refs {
                if let Some(why) = undeclared(&path, &declared) {
                    let mut d = Diagnostic::new(
                        Code::UndeclaredTerraformReference,
                        format!("`${{{}}}` refers to {why}", path.join(".")),
                        Label::new(span, "not declared in this infra block"),
                    );
                    let target = path
                        .iter()
                        .take(if path[0] == "data" { 3 } else { 2 })
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(".");
                    d = match did_you_mean_within(&target, declared.iter().map(String::as_str), &mut budget) {
                        Some(s) => d.with_help(format!("did you mean `{s}`?")),
                        None if ["module", "data", "var", "local"].contains(&path[0].as_str()) => {
                            let prefix = format!("{}.", path[0]);
                            let mut same = declared
                                .iter()
                                .filter(|n| n.starts_with(&prefix))
                                .map(String::as_str)
                                .peekable();
                            d.with_help(if same.peek().is_none() {
                                format!("`infra {env}` declares no `{prefix}*`; use a resource instead")
                            } else {
                                format!("`infra {env}` declares {}", crate::sema::shape::quote_first(same))
                            })
                        }
                        None => d.with_help(format!(
                            "declare it with `resource TYPE NAME {{ }}` in `infra {env}`, or fix the name"
                        )),
                    };
                    diags.push(d);
                }
            }
        }
    }
}

/// The deploy role of every environment that is deployed to or has infra
/// (`<project>-<env>-deploy`, IAM allows 64 characters) and every infra
/// cluster (`<project>-<env>-<cluster>`, EKS allows 100): never cut, since
/// two cut names could be one role.
fn role_and_cluster_names(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    use crate::model::names::{MAX_CLUSTER_NAME, MAX_ROLE_NAME, cluster_name, deploy_role};
    let project = &model.project.name;
    let mut envs: Vec<&str> = model
        .deploys()
        .map(|(_, d)| d.environment.as_str())
        .chain(model.infra.iter().map(|i| i.environment.as_str()))
        .collect();
    envs.sort_unstable();
    envs.dedup();
    let too_long = |what: &str, name: &str, max: usize, at: crate::source::Span, parts: &str| {
        Diagnostic::new(
            Code::InvalidAwsName,
            format!(
                "the {what} would be named \"{name}\", which AWS rejects: {} characters, where at most {max} are allowed",
                name.chars().count()
            ),
            Label::new(at, "this name is part of it"),
        )
        .with_help(format!(
            "shorten the {parts} name (dvcc never cuts names: two cut names could be one)"
        ))
    };
    for env in envs {
        let Some(e) = model.environment(env) else { continue };
        let role = deploy_role(project, env);
        if role.chars().count() > MAX_ROLE_NAME {
            diags.push(too_long(
                &format!("deploy role of `{env}`"),
                &role,
                MAX_ROLE_NAME,
                e.span,
                "project or environment",
            ));
        }
    }
    for node in user.iter().filter(|n| n.is(BlockId::Infra)) {
        for c in node.children_of(BlockId::Cluster) {
            let name = cluster_name(project, node.label(), c.label());
            if name.chars().count() > MAX_CLUSTER_NAME {
                diags.push(too_long(
                    &format!("cluster `{}`", c.label()),
                    &name,
                    MAX_CLUSTER_NAME,
                    c.label_span(),
                    "project, environment or cluster",
                ));
            }
        }
    }
}

/// Why AWS would reject `name` as an S3 bucket name.
fn bucket_name_problem(name: &str) -> Option<String> {
    if !(3..=63).contains(&name.len()) {
        return Some(format!("{} characters, where 3 to 63 are allowed", name.len()));
    }
    let b = name.as_bytes();
    if !b
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'.')
    {
        return Some("only lowercase letters, digits, `-` and `.` are allowed".into());
    }
    if !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return Some("it must begin and end with a letter or digit".into());
    }
    None
}

/// Why RDS would reject `name` as an instance identifier.
fn db_identifier_problem(name: &str) -> Option<String> {
    let b = name.as_bytes();
    if b.is_empty() || b.len() > 63 {
        return Some(format!("{} characters, where at most 63 are allowed", name.len()));
    }
    if !b[0].is_ascii_lowercase() {
        return Some("it must begin with a letter".into());
    }
    if !b
        .iter()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    {
        return Some("only letters, digits and `-` are allowed".into());
    }
    if name.contains("--") || name.ends_with('-') {
        return Some("it may not contain two hyphens in a row or end with one".into());
    }
    None
}

/// Why `path` names nothing declared, or `None` when it does (or when it is
/// not a reference Terraform resolves from this module).
fn undeclared(path: &[String], declared: &[String]) -> Option<String> {
    let first = path.first()?.as_str();
    let key = match first {
        // Built-in objects and iteration variables.
        "path" | "terraform" | "count" | "each" | "self" => return None,
        "data" if path.len() >= 3 => format!("data.{}.{}", path[1], path[2]),
        "module" | "var" | "local" if path.len() >= 2 => format!("{first}.{}", path[1]),
        _ if path.len() >= 2 => format!("{first}.{}", path[1]),
        _ => return Some(format!("`{first}`, which is not a resource reference")),
    };
    (!declared.contains(&key)).then(|| format!("`{key}`, which is not declared"))
}

/// Every `${...}` in the strings of a raw block: its path segments and span.
/// Every reference of a raw block: `${...}` in its strings and the
/// references of its `terraform("EXPR")` expressions, with their spans;
/// values raw Terraform cannot take are reported into `diags`.
fn interpolations(block: &Block, out: &mut Vec<(Vec<String>, Span)>, diags: &mut Capped) {
    let Some(body) = &block.body else { return };
    for item in &body.items {
        match item {
            Item::Attribute(a) => value(&a.value, out, diags),
            Item::Block(b) => interpolations(b, out, diags),
            _ => {}
        }
    }
}

fn value(v: &Value, out: &mut Vec<(Vec<String>, Span)>, diags: &mut Capped) {
    match &v.kind {
        ValueKind::Str(lit) => {
            for part in &lit.parts {
                if let StrPart::Interp { path, span } = part {
                    out.push((path.segments.iter().map(|s| s.name.clone()).collect(), *span));
                }
            }
        }
        ValueKind::List(items) => items.iter().for_each(|x| value(x, out, diags)),
        ValueKind::Range(a, b) => {
            value(a, out, diags);
            value(b, out, diags);
        }
        ValueKind::Ref(p) => {
            let dotted = p.dotted();
            diags.push(
                Diagnostic::new(
                    Code::InvalidRawValue,
                    format!("`{dotted}` is a bare name in raw Terraform: neither text nor an expression"),
                    Label::new(v.span, "a bare name"),
                )
                .with_help(if p.segments.len() > 1 {
                    format!("write the reference as `\"${{{dotted}}}\"`, or the text in quotes: `\"{dotted}\"`")
                } else {
                    format!("write the text in quotes: `\"{dotted}\"`")
                }),
            );
        }
        ValueKind::Call { name, args } => {
            let arg = crate::sema::build::plain_argument(args);
            match (name.name.as_str(), arg) {
                ("secret", Some(_)) => {}
                ("terraform", Some(expr)) => {
                    let at = args.first().map_or(v.span, |a| a.span);
                    out.extend(references(&expr).into_iter().map(|r| (r, at)));
                }
                (f @ ("secret" | "terraform"), None) => diags.push(
                    Diagnostic::new(
                        Code::InvalidRawValue,
                        format!("`{f}(...)` takes one plain string"),
                        Label::new(v.span, "not one string without `${...}`"),
                    )
                    .with_help(if f == "secret" {
                        "name the secret: `secret(\"shop/db-password\")`"
                    } else {
                        "write the Terraform expression as one string: `terraform(\"module.vpc.private_subnets[0]\")`"
                    }),
                ),
                (other, _) => diags.push(
                    Diagnostic::new(
                        Code::InvalidRawValue,
                        format!("raw Terraform has no function `{other}`"),
                        Label::new(name.span, "unknown here"),
                    )
                    .with_help(
                        "raw Terraform takes `secret(\"NAME\")` (a secret from Secrets Manager) and `terraform(\"EXPR\")` (any Terraform expression)",
                    ),
                ),
            }
        }
        _ => {}
    }
}

/// The references of a Terraform expression: dotted names outside string
/// literals that are not function calls (`var.cidr` and `aws_s3_bucket.x`
/// in `cidrsubnet(var.cidr, 4, 1) == aws_s3_bucket.x.id`).
fn references(expr: &str) -> Vec<Vec<String>> {
    let b = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-' | b'.' | b'*')) {
                    i += 1;
                }
                let word = expr[start..i].trim_end_matches('.');
                let call = b.get(i) == Some(&b'(');
                let segments: Vec<String> = word.split('.').map(str::to_string).collect();
                if !call && segments.len() >= 2 {
                    out.push(segments);
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::known_version;

    #[test]
    fn references_of_expressions() {
        assert_eq!(
            super::references("cidrsubnet(var.cidr, 4, 1) == aws_s3_bucket.x.id"),
            [vec!["var", "cidr"], vec!["aws_s3_bucket", "x", "id"]]
        );
        assert_eq!(
            super::references("\"a.b\" != module.vpc.ids[0]"),
            [vec!["module", "vpc", "ids"]]
        );
        assert!(super::references("true").is_empty());
    }

    #[test]
    fn aws_names() {
        assert_eq!(super::bucket_name_problem("shop-production-assets"), None);
        assert!(super::bucket_name_problem(&"a".repeat(64)).is_some());
        assert!(super::bucket_name_problem("shop-prod-").is_some());
        assert_eq!(super::db_identifier_problem("shop-production-orders"), None);
        assert!(super::db_identifier_problem("2shop-prod-db").is_some());
        assert!(super::db_identifier_problem("shop-prod--db").is_some());
    }

    #[test]
    fn engine_versions() {
        assert_eq!(known_version("postgres", "16"), Some(true));
        assert_eq!(known_version("postgres", "16.4"), Some(true));
        assert_eq!(known_version("postgres", "8.0"), Some(false));
        assert_eq!(known_version("postgres", "16."), Some(false));
        assert_eq!(known_version("mysql", "8.0.39"), Some(true));
        assert_eq!(known_version("mysql", "8"), Some(false));
        assert_eq!(known_version("mariadb", "10.11"), Some(true));
        assert_eq!(known_version("mariadb", "10.1"), Some(false));
        assert_eq!(known_version("oracle", "19"), None);
    }
}
