//! A service's Kubernetes details: probes, volumes, network policy and the
//! `extra_pod { }` / `extra_container { }` escape hatches, from the values
//! written by path (see [`super::inherit`]).

use indexmap::IndexMap;

use super::{Builder, Scope};
use crate::model::{NetworkPolicy, Probe, ProbeCheck, Volume, VolumeSource};
use crate::schema::{Attr, BlockId};
use crate::sema::tree::{Val, default};
use crate::syntax::ast::{Block, StrPart, Value, ValueKind};

impl<'n, 'a> Builder<'n, 'a, '_> {
    /// A probe, when the service writes its block (`readiness { }`), or
    /// `health` stands for it (readiness and liveness). `get` reads an
    /// attribute of the probe's block as resolved in this environment.
    pub(super) fn probe<'v>(
        &mut self,
        id: BlockId,
        written: bool,
        health: Option<&str>,
        get: impl Fn(Attr) -> Option<&'v Val<'a>>,
    ) -> Option<Probe>
    where
        'a: 'v,
    {
        let scope = Scope::default();
        let of = |attr: Attr| get(attr).or_else(|| default(id, attr));
        if !written && (health.is_none() || id == BlockId::Startup) {
            return None;
        }
        let check = if matches!(of(Attr::Grpc), Some(Val::Bool(true))) {
            ProbeCheck::Grpc
        } else if matches!(of(Attr::Tcp), Some(Val::Bool(true))) {
            ProbeCheck::Tcp
        } else {
            match self
                .text(get(Attr::Path), &scope)
                .or_else(|| health.map(str::to_string))
            {
                Some(path) => ProbeCheck::Http(path),
                // Neither a path nor `health`: the port answers, at least.
                None => ProbeCheck::Tcp,
            }
        };
        let secs = |v: Option<&Val<'a>>| match v {
            Some(Val::Dur(d)) => Some(u32::try_from(d.secs().max(1)).unwrap_or(u32::MAX)),
            _ => None,
        };
        Some(Probe {
            check,
            port: Self::int(get(Attr::Port)).and_then(|p| u16::try_from(p).ok()),
            // `health` alone: liveness waits 10s, as before probe blocks.
            initial_delay_seconds: secs(get(Attr::InitialDelay))
                .or((!written && id == BlockId::Liveness).then_some(10)),
            period_seconds: secs(of(Attr::Period)).unwrap_or(10),
            timeout_seconds: secs(of(Attr::Timeout)).unwrap_or(1),
            failure_threshold: Self::int(of(Attr::Failures)).map_or(3, Self::count),
        })
    }

    pub(super) fn network_policy<'v>(
        &mut self,
        written: bool,
        get: impl Fn(Attr) -> Option<&'v Val<'a>>,
    ) -> Option<NetworkPolicy>
    where
        'a: 'v,
    {
        let scope = Scope::default();
        written.then(|| NetworkPolicy {
            from: self.texts(get(Attr::From), &scope),
            namespaces: self.texts(get(Attr::Namespaces), &scope),
        })
    }

    /// A volume named `name`.
    pub(super) fn volume<'v>(&mut self, name: &str, get: impl Fn(Attr) -> Option<&'v Val<'a>>) -> Volume
    where
        'a: 'v,
    {
        let scope = Scope::default();
        let source = if let Some(Val::Mem(size)) = get(Attr::Size) {
            VolumeSource::Claim {
                size: size.clone(),
                class: self.text(get(Attr::Class), &scope),
            }
        } else if let Some(map) = self.text(get(Attr::ConfigMap), &scope) {
            VolumeSource::ConfigMap(map)
        } else if let Some(Val::Secret(s)) = get(Attr::Files) {
            VolumeSource::Secret(s.clone())
        } else {
            VolumeSource::Empty
        };
        Volume {
            name: name.to_string(),
            mount: self.text(get(Attr::Mount), &scope).unwrap_or_default(),
            source,
            read_only: matches!(get(Attr::ReadOnly), Some(Val::Bool(true))),
        }
    }

    /// Text of a free-form block's values (`node_selector { }`).
    pub(super) fn text_map<'v>(
        &mut self,
        entries: impl Iterator<Item = (&'v str, &'v Val<'a>)>,
    ) -> IndexMap<String, String>
    where
        'a: 'v,
    {
        let scope = Scope::default();
        let mut out = IndexMap::new();
        for (k, v) in entries {
            if let Some(t) = self.text(Some(v), &scope) {
                out.insert(k.to_string(), t);
            }
        }
        out
    }
}

/// The fields of a pod spec and a container (at any depth) that Kubernetes
/// types as lists of objects: a nested block of one of these names is a
/// list item even when it is the only one.
const LIST_FIELDS: &[&str] = &[
    "containers",
    "env",
    "envFrom",
    "ephemeralContainers",
    "hostAliases",
    "imagePullSecrets",
    "initContainers",
    "options",
    "ports",
    "readinessGates",
    "resizePolicy",
    "resourceClaims",
    "schedulingGates",
    "sysctls",
    "tolerations",
    "topologySpreadConstraints",
    "volumeDevices",
    "volumeMounts",
    "volumes",
];

/// An escape-hatch block as JSON: attributes become fields, nested blocks
/// objects (a list of objects when repeated, or when Kubernetes types the
/// field as a list), strings stay as written (Kubernetes reads no `${...}`).
pub fn data_block(block: &Block) -> serde_json::Value {
    super::infra::data_object(block, &mut data_value, &|field| LIST_FIELDS.contains(&field))
}

fn data_value(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match &v.kind {
        ValueKind::Str(lit) => J::String(
            lit.parts
                .iter()
                .map(|p| match p {
                    StrPart::Text { text, .. } | StrPart::Gha { text, .. } => text.clone(),
                    StrPart::Interp { path, .. } => format!("${{{}}}", path.dotted()),
                })
                .collect(),
        ),
        ValueKind::Number { value, text } => {
            if value.fract() == 0.0 && value.abs() < 9e15 {
                J::from(*value as i64)
            } else {
                serde_json::Number::from_f64(*value).map_or(J::String(text.clone()), J::Number)
            }
        }
        ValueKind::Bool(b) => J::Bool(*b),
        ValueKind::List(items) => J::Array(items.iter().map(data_value).collect()),
        ValueKind::Unit { text, .. } => J::String(text.clone()),
        ValueKind::Range(a, b) => J::Array(vec![data_value(a), data_value(b)]),
        ValueKind::Call { .. } | ValueKind::Ref(_) | ValueKind::Error => J::Null,
    }
}
