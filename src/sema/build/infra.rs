//! Infrastructure per environment (`infra ENV { }`), and raw Terraform
//! `resource` blocks passed through as JSON.

use indexmap::IndexMap;

use super::Builder;
use crate::model::{Bucket, Cluster, Database, Infra, Network, RawResource, StateBackend, TfOutput, TfVariable, Trust};
use crate::schema::{Attr, BlockId};
use crate::sema::tree::{CheckedBlock, Val};
use crate::syntax::ast::{Block, Item, StrPart, Value, ValueKind};
use crate::target::terraform::{escape_literal, secret_expression};

impl<'n, 'a> Builder<'n, 'a, '_> {
    pub(super) fn infra(&mut self, user: &'n [CheckedBlock<'a>]) {
        let mut out = Vec::new();
        for node in user.iter().filter(|n| n.is(BlockId::Infra)) {
            let provider = node.child(BlockId::AwsProvider);
            let backend = node.child(BlockId::S3Backend).map(|b| StateBackend {
                bucket: self.attr_text(b, Attr::Bucket).unwrap_or_default(),
                key: self.attr_text(b, Attr::Key).unwrap_or_default(),
                region: self.attr_text(b, Attr::Region),
            });
            let mut infra = Infra {
                source: String::new(),
                environment: node.label().to_string(),
                region: provider.and_then(|p| self.attr_text(p, Attr::Region)),
                backend,
                clusters: Vec::new(),
                buckets: Vec::new(),
                databases: Vec::new(),
                resources: Vec::new(),
                tags: IndexMap::new(),
                aliases: IndexMap::new(),
                network: Network::default(),
                outputs: Vec::new(),
                variables: Vec::new(),
                trust: Trust::default(),
                cluster_admin: false,
                span: node.label_span(),
            };
            for child in &node.children {
                match child.schema.id {
                    BlockId::Cluster => {
                        let (min, max) = match child.value(Attr::Nodes) {
                            Some(Val::Range(lo, hi)) => match (lo.as_ref(), hi.as_ref()) {
                                (Val::Int(a), Val::Int(b)) => (Self::count(*a), Self::count(*b)),
                                _ => (0, 0),
                            },
                            _ => (0, 0),
                        };
                        infra.clusters.push(Cluster {
                            name: child.label().to_string(),
                            kind: self.attr_text(child, Attr::Kind).unwrap_or_default(),
                            version: self.attr_text(child, Attr::Version).unwrap_or_default(),
                            min_nodes: min,
                            max_nodes: max,
                            instance: self.attr_text(child, Attr::Instance).unwrap_or_default(),
                            capacity: self.attr_text(child, Attr::Capacity).unwrap_or_default(),
                            disk: match child.value(Attr::Disk) {
                                Some(Val::Mem(m)) => Some(m.clone()),
                                _ => None,
                            },
                            addons: self.attr_texts(child, Attr::Addons),
                        });
                    }
                    BlockId::Bucket => infra.buckets.push(Bucket {
                        name: child.label().to_string(),
                        versioning: Self::bool(child.value(Attr::Versioning)),
                        expire_after: Self::optional_duration(child.value(Attr::ExpireAfter)),
                        transition_after: Self::optional_duration(child.value(Attr::TransitionAfter)),
                        archive_after: Self::optional_duration(child.value(Attr::ArchiveAfter)),
                        lock: Self::optional_duration(child.value(Attr::Lock)),
                        access_logs: self.attr_text(child, Attr::AccessLogs),
                    }),
                    BlockId::Database => infra.databases.push(Database {
                        name: child.label().to_string(),
                        engine: self.attr_text(child, Attr::Engine).unwrap_or_default(),
                        version: self.attr_text(child, Attr::Version).unwrap_or_default(),
                        size: self.attr_text(child, Attr::Size).unwrap_or_default(),
                        storage: match child.value(Attr::Storage) {
                            Some(Val::Mem(m)) => m.clone(),
                            _ => Default::default(),
                        },
                        backups: Self::duration(child.value(Attr::Backups)),
                        multi_az: match child.get(Attr::MultiAz) {
                            Some(Val::Bool(b)) => Some(*b),
                            _ => None,
                        },
                        maintenance_window: self.attr_text(child, Attr::MaintenanceWindow),
                        backup_window: self.attr_text(child, Attr::BackupWindow),
                        monitoring: Self::optional_duration(child.value(Attr::Monitoring))
                            .map_or(60, |d| u32::try_from(d.secs()).unwrap_or(u32::MAX)),
                        parameters: child
                            .child(BlockId::DatabaseParameters)
                            .map_or_else(IndexMap::new, |p| {
                                let mut out = IndexMap::new();
                                for (k, a) in &p.attrs {
                                    if let Some(t) = self.text(Some(&a.val), &Default::default()) {
                                        out.insert(k.to_string(), t);
                                    }
                                }
                                out
                            }),
                    }),
                    BlockId::InfraTags => {
                        for (k, a) in &child.attrs {
                            if let Some(t) = self.text(Some(&a.val), &Default::default()) {
                                infra.tags.insert(k.to_string(), t);
                            }
                        }
                    }
                    BlockId::ProviderAlias => {
                        let region = self.attr_text(child, Attr::Region).unwrap_or_default();
                        infra.aliases.insert(child.label().to_string(), region);
                    }
                    BlockId::Network => {
                        infra.network = Network {
                            cidr: self.attr_text(child, Attr::Cidr).unwrap_or_default(),
                            zones: Self::int(child.value(Attr::Zones)).map_or(3, Self::count),
                            single_nat: match child.get(Attr::SingleNat) {
                                Some(Val::Bool(b)) => Some(*b),
                                _ => None,
                            },
                            intra: Self::bool(child.value(Attr::Intra)),
                        };
                    }
                    BlockId::TfOutput => {
                        let (body, secrets) = raw_body(child.block);
                        infra.outputs.push(TfOutput {
                            name: child.label().to_string(),
                            body,
                            secrets,
                        });
                    }
                    BlockId::TfVariable => {
                        let ty = self.attr_text(child, Attr::Type).unwrap_or_default();
                        let (body, _) = raw_body(child.block);
                        infra.variables.push(TfVariable {
                            name: child.label().to_string(),
                            ty: match ty.as_str() {
                                "list" => "list(string)".to_string(),
                                "map" => "map(string)".to_string(),
                                _ => ty,
                            },
                            default: body.get("default").cloned(),
                            description: self.attr_text(child, Attr::Description),
                            sensitive: Self::bool(child.value(Attr::Sensitive)),
                        });
                    }
                    BlockId::DeployRole => {
                        infra.trust = Trust {
                            branches: self.attr_texts(child, Attr::Branches),
                            tags: self.attr_texts(child, Attr::Tags),
                            pull_request: Self::bool(child.value(Attr::PullRequest)),
                        };
                        infra.cluster_admin = Self::bool(child.value(Attr::ClusterAdmin));
                    }
                    BlockId::Resource => {
                        let labels = &child.labels;
                        let (body, secrets) = raw_body(child.block);
                        infra.resources.push(RawResource {
                            ty: labels.first().map(|l| l.0.clone()).unwrap_or_default(),
                            name: labels.get(1).map(|l| l.0.clone()).unwrap_or_default(),
                            body,
                            secrets,
                            span: child.header_span(),
                        });
                    }
                    _ => {}
                }
            }
            out.push(infra);
        }
        let order: Vec<String> = self.model.environments.iter().map(|e| e.name.clone()).collect();
        out.sort_by_key(|i| order.iter().position(|e| e == &i.environment).unwrap_or(usize::MAX));
        self.model.infra = out;
    }
}

/// A raw Terraform body as JSON, and the secrets it reads. Literal text is
/// escaped for Terraform (`${` and `%{` stay text); expressions are written
/// explicitly: `${a.b}` is a reference, `terraform("EXPR")` any expression,
/// `secret("NAME")` the data source that reads the secret. Nested blocks
/// become objects (lists of objects when repeated). Values raw Terraform
/// cannot take (a bare name, another function) are reported by
/// `check::terraform` and become `null` here.
pub fn raw_body(block: &Block) -> (serde_json::Value, Vec<String>) {
    let mut secrets = Vec::new();
    let body = raw_block(block, &mut secrets);
    secrets.sort();
    secrets.dedup();
    (body, secrets)
}

fn raw_block(block: &Block, secrets: &mut Vec<String>) -> serde_json::Value {
    data_object(block, &mut |v| raw_value(v, secrets), &|_| false)
}

/// A block of data as a JSON object: attributes become fields (their values
/// by `value`), nested blocks objects, a list of them when repeated or when
/// `list` says the field is one.
pub(super) fn data_object(
    block: &Block,
    value: &mut dyn FnMut(&Value) -> serde_json::Value,
    list: &dyn Fn(&str) -> bool,
) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    let Some(body) = &block.body else {
        return serde_json::Value::Object(map);
    };
    let mut nested: IndexMap<String, Vec<serde_json::Value>> = IndexMap::new();
    for item in &body.items {
        match item {
            Item::Attribute(a) => {
                map.insert(a.name.name.clone(), value(&a.value));
            }
            Item::Block(b) => {
                let object = data_object(b, value, list);
                nested.entry(b.kind.name.clone()).or_default().push(object);
            }
            _ => {}
        }
    }
    for (k, mut v) in nested {
        let one = v.len() == 1 && !list(&k);
        map.insert(k, if one { v.remove(0) } else { serde_json::Value::Array(v) });
    }
    serde_json::Value::Object(map)
}

fn raw_value(v: &Value, secrets: &mut Vec<String>) -> serde_json::Value {
    use serde_json::Value as J;
    match &v.kind {
        ValueKind::Str(lit) => {
            let mut s = String::new();
            for p in &lit.parts {
                match p {
                    StrPart::Text { text, .. } | StrPart::Gha { text, .. } => s.push_str(&escape_literal(text)),
                    StrPart::Interp { path, .. } => s.push_str(&format!("${{{}}}", path.dotted())),
                }
            }
            J::String(s)
        }
        ValueKind::Number { value, text } => {
            if value.fract() == 0.0 && value.abs() < 9e15 {
                J::from(*value as i64)
            } else {
                serde_json::Number::from_f64(*value).map_or(J::String(text.clone()), J::Number)
            }
        }
        ValueKind::Bool(b) => J::Bool(*b),
        ValueKind::List(items) => J::Array(items.iter().map(|i| raw_value(i, secrets)).collect()),
        ValueKind::Unit { text, .. } => J::String(text.clone()),
        ValueKind::Range(a, b) => J::Array(vec![raw_value(a, secrets), raw_value(b, secrets)]),
        ValueKind::Call { name, args } => match (name.name.as_str(), plain_argument(args)) {
            ("secret", Some(secret)) => {
                let expression = secret_expression(&secret);
                secrets.push(secret);
                J::String(expression)
            }
            ("terraform", Some(expr)) => J::String(format!("${{{expr}}}")),
            _ => J::Null,
        },
        ValueKind::Ref(_) | ValueKind::Error => J::Null,
    }
}

/// The one plain string argument of a call, if that is what it has.
pub fn plain_argument(args: &[Value]) -> Option<String> {
    match args {
        [
            Value {
                kind: ValueKind::Str(s),
                ..
            },
        ] => s.as_plain().filter(|t| !t.is_empty()),
        _ => None,
    }
}
