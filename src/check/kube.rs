//! Checks of a service's pod settings: tolerations, spread keys, ports,
//! probes, volumes and the `extra_pod { }` / `extra_container { }` escape
//! hatches, which must not set what dvcc sets.

use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::{Model, Taint, VolumeSource};
use crate::schema::{Attr, BlockId, kubernetes_key};
use crate::sema::tree::{CheckedBlock, Val};
use crate::source::Span;
use crate::syntax::ast::{Item, ValueKind};

pub fn run(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    for node in user.iter().filter(|n| n.is(BlockId::Service)) {
        for block in std::iter::once(node).chain(node.children_of(BlockId::ServiceIn)) {
            notations(block, diags);
            ports(block, diags);
            probes(block, diags);
            volumes(block, diags);
            route(block, diags);
        }
        extras(node, diags);
    }
    claims(user, model, diags);
}

fn invalid(span: Span, message: String, label: &str, help: String) -> Diagnostic {
    Diagnostic::new(Code::InvalidPodSetting, message, Label::new(span, label)).with_help(help)
}

/// The items of a list attribute, with their spans, when they are strings.
fn items(block: &CheckedBlock<'_>, attr: Attr) -> Vec<(String, Span)> {
    let Some(a) = block.attr(attr) else { return Vec::new() };
    match &a.attr.value.kind {
        ValueKind::List(items) => items
            .iter()
            .filter_map(|v| match &v.kind {
                ValueKind::Str(s) => s.as_plain().map(|t| (t, v.span)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Tolerations in `kubectl taint`'s notation, and spread topology keys.
fn notations(block: &CheckedBlock<'_>, diags: &mut Capped) {
    for (text, span) in items(block, Attr::Tolerations) {
        if let Err(why) = Taint::parse(&text) {
            diags.push(invalid(
                span,
                format!("`{text}` is not a toleration"),
                "Kubernetes rejects the pod",
                format!("{why}; write `KEY=VALUE:EFFECT`, `KEY:EFFECT` or `KEY`, as `kubectl taint` does"),
            ));
        }
    }
    for (text, span) in items(block, Attr::Spread) {
        if !kubernetes_key(&text) {
            diags.push(invalid(
                span,
                format!("`{text}` is not a topology key"),
                "a node label key is expected",
                "spread across a node label: `topology.kubernetes.io/zone` or `kubernetes.io/hostname`".to_string(),
            ));
        }
    }
}

/// Named ports: `http` is the service's own port; numbers appear once.
fn ports(block: &CheckedBlock<'_>, diags: &mut Capped) {
    let Some(ports) = block.child(BlockId::ServicePorts) else {
        return;
    };
    let main = match block.get(Attr::Port) {
        Some(Val::Int(p)) => Some(*p),
        _ => None,
    };
    let mut seen: Vec<(i64, &str)> = Vec::new();
    for (name, a) in &ports.attrs {
        let Val::Int(n) = a.val else { continue };
        if *name == "http" {
            diags.push(invalid(
                a.attr.name.span,
                "`http` names the service's own port".to_string(),
                "taken by `port`",
                "set the service's port with `port = ...`, and give this one another name (`web`, `grpc`)".to_string(),
            ));
        } else if !(1..=65535).contains(&n) {
            diags.push(
                Diagnostic::new(
                    Code::OutOfRange,
                    format!("port `{name}` is {n}, not a port number"),
                    Label::new(a.attr.value.span, "ports are 1 to 65535"),
                )
                .with_help("write a port between 1 and 65535"),
            );
        } else if main == Some(n) || seen.iter().any(|(p, _)| *p == n) {
            let other = if main == Some(n) {
                "`port`".to_string()
            } else {
                format!("`{}`", seen.iter().find(|(p, _)| *p == n).map_or("", |(_, o)| *o))
            };
            diags.push(invalid(
                a.attr.value.span,
                format!("port {n} is given twice"),
                "the container already listens on it",
                format!("{other} already names port {n}: remove `{name}` or give it another number"),
            ));
        }
        seen.push((n, name));
    }
}

/// A probe does one thing: an HTTP path, gRPC, or a TCP connection.
fn probes(block: &CheckedBlock<'_>, diags: &mut Capped) {
    for id in [BlockId::Readiness, BlockId::Liveness, BlockId::Startup] {
        let Some(p) = block.child(id) else { continue };
        let on = |attr: Attr| matches!(p.get(attr), Some(Val::Bool(true)));
        let mut ways: Vec<&str> = Vec::new();
        if p.attr(Attr::Path).is_some() {
            ways.push("`path`");
        }
        if on(Attr::Grpc) {
            ways.push("`grpc`");
        }
        if on(Attr::Tcp) {
            ways.push("`tcp`");
        }
        if ways.len() > 1 {
            diags.push(invalid(
                p.header_span(),
                format!("`{}` probes {} at once", p.block.kind.name, ways.join(" and ")),
                "a probe checks one way",
                "keep one of them: an HTTP `path`, `grpc = true` or `tcp = true`".to_string(),
            ));
        }
    }
}

/// Volume names, mount paths, and where the files come from.
fn volumes(block: &CheckedBlock<'_>, diags: &mut Capped) {
    let mut mounts: Vec<(String, Span)> = Vec::new();
    for v in block.children_of(BlockId::Volume) {
        let name = v.label();
        if !dns_label(name) || name.len() > 61 {
            diags.push(invalid(
                v.label_span(),
                format!("`{name}` cannot name a volume"),
                "Kubernetes names volumes with lowercase letters, digits and `-`",
                format!(
                    "write a name of at most 61 lowercase letters, digits and `-`: `volume {} {{`",
                    name.to_ascii_lowercase().replace('_', "-")
                ),
            ));
        }
        let sources: Vec<&str> = [
            (Attr::Size, "`size`"),
            (Attr::ConfigMap, "`config_map`"),
            (Attr::Files, "`files`"),
        ]
        .iter()
        .filter(|(a, _)| v.attr(*a).is_some())
        .map(|(_, w)| *w)
        .collect();
        if sources.len() > 1 {
            diags.push(invalid(
                v.header_span(),
                format!("`volume {name}` takes its files from {}", sources.join(" and ")),
                "a volume has one source",
                "keep one: `size` (a persistent claim), `config_map` or `files = secret(...)`".to_string(),
            ));
        }
        if let Some(class) = v.attr(Attr::Class)
            && v.attr(Attr::Size).is_none()
        {
            diags.push(invalid(
                class.attr.name.span,
                format!("`volume {name}` has a storage class but no claim"),
                "only a persistent claim has a storage class",
                "set `size` to claim a persistent volume of that class, or remove `class`".to_string(),
            ));
        }
        let Some(mount) = v.attr(Attr::Mount) else { continue };
        let Some(path) = block_text(&mount.val) else { continue };
        let span = mount.attr.value.span;
        if !path.starts_with('/') {
            diags.push(invalid(
                span,
                format!("`{path}` is not an absolute path"),
                "Kubernetes mounts at absolute paths",
                format!("write `/{}`", path.trim_start_matches("./")),
            ));
        } else if path.trim_end_matches('/') == "/tmp" {
            diags.push(invalid(
                span,
                "`/tmp` is already mounted".to_string(),
                "dvcc mounts scratch space at `/tmp` (the root file system is read-only)",
                "mount the volume elsewhere, or write to `/tmp` without a volume".to_string(),
            ));
        } else if let Some((_, first)) = mounts.iter().find(|(m, _)| m == &path) {
            diags.push(
                invalid(
                    span,
                    format!("two volumes are mounted at `{path}`"),
                    "mounted again here",
                    "mount each volume at its own path".to_string(),
                )
                .with_label(Label::new(*first, "first mounted here")),
            );
        } else {
            mounts.push((path, span));
        }
    }
}

/// An HTTPRoute's Gateway (`NAME` or `NAMESPACE/NAME`), host and path.
fn route(block: &CheckedBlock<'_>, diags: &mut Capped) {
    let Some(r) = block.child(BlockId::ServiceRoute) else {
        return;
    };
    if let Some(a) = r.attr(Attr::Gateway)
        && let Some(text) = block_text(&a.val)
    {
        let ok = match text.split_once('/') {
            Some((ns, name)) => dns_label(ns) && dns_subdomain(name),
            None => dns_subdomain(&text),
        };
        if !ok {
            diags.push(invalid(
                a.attr.value.span,
                format!("`{text}` does not name a Gateway"),
                "Kubernetes names are lowercase letters, digits, `-` and `.`",
                "write the Gateway's name, or `NAMESPACE/NAME` for one in another namespace: `infra/public`".into(),
            ));
        }
    }
    if let Some(a) = r.attr(Attr::Host)
        && let Some(text) = block_text(&a.val)
        && !dns_subdomain(text.strip_prefix("*.").unwrap_or(&text))
    {
        diags.push(invalid(
            a.attr.value.span,
            format!("`{text}` is not a host name"),
            "an HTTPRoute's hostname",
            "write a lowercase host name without scheme or port: `api.example.com` (or `*.example.com`)".into(),
        ));
    }
    if let Some(a) = r.attr(Attr::Path)
        && let Some(text) = block_text(&a.val)
        && !text.starts_with('/')
    {
        diags.push(invalid(
            a.attr.value.span,
            format!("`{text}` is not a path from the root"),
            "an HTTPRoute's path prefix",
            format!("write `/{}`", text.trim_start_matches("./")),
        ));
    }
    if block.is(BlockId::Service)
        && block.attr(Attr::Port).is_none()
        && !block
            .children_of(BlockId::ServiceIn)
            .any(|i| i.attr(Attr::Port).is_some())
    {
        diags.push(
            Diagnostic::new(
                Code::MissingAttribute,
                format!("`{}` has a route but no port to route to", block.header()),
                Label::new(r.header_span(), "routes to nothing"),
            )
            .with_help("set `port` on the service"),
        );
    }
}

/// A DNS-1123 subdomain (object names).
fn dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(dns_label)
}

fn block_text(v: &Val<'_>) -> Option<String> {
    match v {
        Val::Str(s) => s.as_plain(),
        _ => None,
    }
}

/// The pod spec fields dvcc writes, and what to write instead.
const POD_FIELDS: &[(&str, &str)] = &[
    ("containers", "the service is the pod's container"),
    ("securityContext", "set `run_as_user`"),
    (
        "serviceAccountName",
        "each service has its own account; annotate it with `account_annotations { }`",
    ),
    ("automountServiceAccountToken", "dvcc keeps the token unmounted"),
    ("volumes", "declare a `volume NAME { }`"),
    ("nodeSelector", "write `node_selector { }`"),
    ("tolerations", "write `tolerations = [...]`"),
    ("topologySpreadConstraints", "write `spread = [...]`"),
    ("priorityClassName", "write `priority_class = \"...\"`"),
];

/// The container fields dvcc writes.
const CONTAINER_FIELDS: &[(&str, &str)] = &[
    ("name", "the container is named after the chart"),
    ("image", "set the service's `image`"),
    ("imagePullPolicy", "dvcc pulls when the tag is new"),
    ("command", "set `command = [...]`"),
    ("args", "set `args = [...]`"),
    ("ports", "set `port`, and more in `ports { }`"),
    ("env", "write `env { }` and `secrets { }`"),
    ("readinessProbe", "write `readiness { }`"),
    ("livenessProbe", "write `liveness { }`"),
    ("startupProbe", "write `startup { }`"),
    ("resources", "write `resources { }`"),
    ("securityContext", "set `run_as_user`"),
    ("volumeMounts", "declare a `volume NAME { }`"),
];

/// The escape hatches add fields; they never replace dvcc's.
fn extras(node: &CheckedBlock<'_>, diags: &mut Capped) {
    for (id, owned) in [
        (BlockId::ExtraPod, POD_FIELDS),
        (BlockId::ExtraContainer, CONTAINER_FIELDS),
    ] {
        let Some(extra) = node.child(id) else { continue };
        let Some(body) = &extra.block.body else { continue };
        for item in &body.items {
            let (name, span) = match item {
                Item::Attribute(a) => (a.name.name.as_str(), a.name.span),
                Item::Block(b) => (b.kind.name.as_str(), b.kind.span),
                _ => continue,
            };
            if let Some((_, instead)) = owned.iter().find(|(f, _)| *f == name) {
                diags.push(
                    Diagnostic::new(
                        Code::ExtraFieldSetByDvcc,
                        format!("`{name}` in `{}` is a field dvcc sets", extra.block.kind.name),
                        Label::new(span, "dvcc writes this field itself"),
                    )
                    .with_help(format!(
                        "{instead}; the escape hatch only adds fields dvcc does not write"
                    )),
                );
            }
        }
    }
}

/// A persistent claim is `ReadWriteOnce`: one node mounts it. Several
/// pods (replicas, autoscaling, a rollout's two versions) on other nodes
/// wait for it forever.
fn claims(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    let nodes: crate::hash::Map<&str, &CheckedBlock<'_>> = user
        .iter()
        .filter(|n| n.is(BlockId::Service))
        .map(|n| (n.label(), n))
        .collect();
    for svc in &model.services {
        let Some(node) = nodes.get(svc.name.as_str()) else {
            continue;
        };
        for (env, cfg) in &svc.per_env {
            let most = cfg.autoscale.as_ref().map_or(cfg.replicas, |a| a.max.max(a.min));
            for v in &cfg.volumes {
                if !matches!(v.source, VolumeSource::Claim { .. }) || most <= 1 {
                    continue;
                }
                let span = node
                    .children_of(BlockId::Volume)
                    .find(|b| b.label() == v.name)
                    .map_or(node.label_span(), |b| b.header_span());
                diags.push(
                    Diagnostic::new(
                        Code::SharedClaim,
                        format!(
                            "`volume {}` of `{}` is one disk, but `{env}` runs up to {most} pods",
                            v.name, svc.name
                        ),
                        Label::new(span, "a persistent claim mounts on one node at a time"),
                    )
                    .with_help(format!(
                        "run one replica in `{env}` (`replicas = 1`, no autoscaling), or keep the data elsewhere (a database, a bucket)"
                    )),
                );
                break;
            }
        }
    }
}

/// A DNS-1123 label.
fn dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}
