//! Inheritance, by attribute path: an environment takes, per attribute,
//! the value of the nearest environment up its `extends` chain that sets
//! it; a service in environment E takes, per attribute path (`image`,
//! `resources.cpu`, `env.LOG_LEVEL`), the nearest `in X { }` override along
//! E's chain, else the service's own value.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use indexmap::IndexMap;

use super::reuse::ServicePart;
use super::{Builder, Scope};
use crate::diag::Capped;
use crate::model::{Autoscale, Environment, Service, ServiceConfig};
use crate::schema::{Attr, BlockId, Namespace};
use crate::sema::names::Symbols;
use crate::sema::tree::{CheckedBlock, Val, default};

/// Where a service's value is written: an attribute of the service (or of
/// `in ENV`), an attribute of one of its blocks (`resources { cpu }`), or a
/// variable of `env { }` / `secrets { }`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Path<'a> {
    Own(Attr),
    Child(BlockId, Attr),
    Var(BlockId, &'a str),
    /// The block is written (an empty `readiness { }` still means one).
    Present(BlockId),
    /// An attribute of a named block (`volume data { mount }`).
    Named(BlockId, &'a str, Attr),
}

type Flat<'a> = BTreeMap<Path<'a>, Val<'a>>;

/// The environments' `extends` links, resolved once: each environment's
/// parent (when it names a declared environment) and its depth (1 for an
/// environment that extends nothing). Linear in the number of
/// environments, however long the chains.
#[derive(Clone, Debug, Default)]
pub struct Family {
    parent: HashMap<String, String>,
    depth: HashMap<String, usize>,
    /// Environments on an `extends` cycle (reported by the relations pass):
    /// they inherit nothing along it.
    cyclic: HashSet<String>,
}

impl Family {
    fn of<'n, 'a>(sym: &Symbols<'n, 'a>, envs: &[&CheckedBlock<'a>]) -> Family {
        let mut family = Family::default();
        for node in envs {
            if let Some(Val::Ref(i, _)) = node.get(Attr::Extends)
                && sym.get(Namespace::Environment, &i.name).is_some()
            {
                family.parent.insert(node.label().to_string(), i.name.clone());
            }
        }
        // Depths by walking up to a known depth, a root or a cycle, then
        // back down the path (each environment is walked once).
        let mut on_path: HashSet<&str> = HashSet::new();
        for node in envs {
            let mut path: Vec<&str> = Vec::new();
            let mut cur = node.label();
            let mut base = 0;
            loop {
                if let Some(d) = family.depth.get(cur) {
                    base = *d;
                    break;
                }
                if on_path.contains(cur) {
                    // A cycle: its members are as deep as it is long.
                    let at = path.iter().position(|p| *p == cur).unwrap_or(0);
                    let cycle: Vec<&str> = path.split_off(at);
                    base = cycle.len();
                    for c in cycle {
                        family.cyclic.insert(c.to_string());
                        family.depth.insert(c.to_string(), base);
                    }
                    break;
                }
                on_path.insert(cur);
                path.push(cur);
                match family.parent.get(cur) {
                    Some(p) => cur = p.as_str(),
                    None => break,
                }
            }
            for p in path.into_iter().rev() {
                base += 1;
                family.depth.insert(p.to_string(), base);
            }
            on_path.clear();
        }
        family
    }

    /// The environment `env` inherits from, unless it is on a cycle.
    fn parent(&self, env: &str) -> Option<&str> {
        if self.cyclic.contains(env) {
            return None;
        }
        self.parent.get(env).map(String::as_str)
    }

    fn depth(&self, env: &str) -> usize {
        self.depth.get(env).copied().unwrap_or(1)
    }
}

/// The environment attributes that inherit along `extends`.
const INHERITED: [Attr; 8] = [
    Attr::After,
    Attr::Approval,
    Attr::Cluster,
    Attr::Namespace,
    Attr::Region,
    Attr::Url,
    Attr::Prometheus,
    Attr::SecretStore,
];

/// The user and group id a container runs as unless the service says.
const DEFAULT_USER: u32 = 10001;

impl<'n, 'a> Builder<'n, 'a, '_> {
    pub(super) fn environments(&mut self, user: &'n [CheckedBlock<'a>]) {
        let scope = Scope::default();
        let envs: Vec<&CheckedBlock> = user.iter().filter(|n| n.is(BlockId::Environment)).collect();
        self.family = Family::of(self.sym, &envs);
        // Every environment after the one it extends (a deeper environment
        // after a shallower one); ties in source order (the sort is stable).
        let mut ordered = envs.clone();
        ordered.sort_by_key(|n| self.family.depth(n.label()));
        // Per attribute, the nearest value along the chain: an
        // environment's own, else its parent's (resolved before it).
        let mut resolved: HashMap<&str, [Option<Val<'a>>; 8]> = HashMap::with_capacity(envs.len());
        let mut built = Vec::with_capacity(envs.len());
        for node in ordered {
            let name = node.label();
            let parent = self.family.parent(name).and_then(|p| resolved.get(p));
            let values: [Option<Val<'a>>; 8] = std::array::from_fn(|i| {
                node.get(INHERITED[i])
                    .cloned()
                    .or_else(|| parent.and_then(|p| p[i].clone()))
            });
            // Else the registry's default.
            let [
                after,
                approval,
                cluster,
                namespace,
                region,
                url,
                prometheus,
                secret_store,
            ] = std::array::from_fn(|i| {
                values[i]
                    .clone()
                    .or_else(|| default(BlockId::Environment, INHERITED[i]).cloned())
            });
            resolved.insert(name, values);
            let extends = match node.get(Attr::Extends) {
                Some(Val::Ref(i, _)) => Some(i.name.clone()),
                _ => None,
            };
            built.push(Environment {
                name: name.to_string(),
                extends,
                after: self.text(after.as_ref(), &scope),
                approval: matches!(approval, Some(Val::Word(ref w)) if w == "required"),
                cluster: self.text(cluster.as_ref(), &scope),
                namespace: self.text(namespace.as_ref(), &scope),
                region: self.text(region.as_ref(), &scope),
                url: self.text(url.as_ref(), &scope),
                prometheus: self.text(prometheus.as_ref(), &scope),
                secret_store: self.text(secret_store.as_ref(), &scope),
                span: node.label_span(),
            });
        }
        self.model.environments = built;
    }

    /// The values a service (or an `in ENV` override) writes, by path.
    fn flat(node: &CheckedBlock<'a>, out: &mut Flat<'a>) {
        for (k, a) in &node.attrs {
            if let Some(attr) = Attr::from_name(k) {
                out.insert(Path::Own(attr), a.val.clone());
            }
        }
        for child in &node.children {
            if !child.is(BlockId::ServiceIn) {
                Self::flat_child(child, out);
            }
        }
    }

    /// A block of a service and the blocks in it (`ingress { annotations
    /// { } }`), by path.
    fn flat_child(child: &CheckedBlock<'a>, out: &mut Flat<'a>) {
        let id = child.schema.id;
        out.insert(Path::Present(id), Val::Bool(true));
        // The name of a named block, borrowed from the syntax tree.
        let label: Option<&'a str> = match child.block.labels.first() {
            Some(crate::syntax::ast::BlockLabel::Ident(i)) if child.schema.labels == crate::schema::Labels::Local => {
                Some(i.name.as_str())
            }
            _ => None,
        };
        for (k, a) in &child.attrs {
            let path = match (child.schema.free.is_some(), Attr::from_name(k), label) {
                (false, Some(attr), Some(label)) => Path::Named(id, label, attr),
                (false, Some(attr), None) => Path::Child(id, attr),
                _ => Path::Var(id, k),
            };
            out.insert(path, a.val.clone());
        }
        for grandchild in &child.children {
            Self::flat_child(grandchild, out);
        }
    }

    pub(super) fn services(&mut self, user: &'n [CheckedBlock<'a>]) {
        let env_names: Vec<String> = self.model.environments.iter().map(|e| e.name.clone()).collect();
        let nodes: Vec<&'n CheckedBlock<'a>> = user.iter().filter(|n| n.is(BlockId::Service)).collect();
        // Services are independent: built on every core, each part by a
        // builder of its own that reads what services may read (the
        // project, the environments' family), and merged back in order.
        let mut services = Vec::with_capacity(nodes.len());
        if self.plan.is_some() {
            self.services_reusing(&nodes, &env_names, &mut services);
        } else {
            let built = self.services_of(&nodes, &env_names, false);
            for part in built {
                services.push(part.service);
                self.diags.append(part.diags);
                self.model.interpolated.extend(part.interpolated);
                self.reported.extend(part.reported);
            }
        }
        services.sort_by(|a, b| a.name.cmp(&b.name));
        self.model.services = services;
        self.model.service_defaults = Some(self.config(&Flat::new()));
    }

    /// The services of `nodes` built, in order. Without `each`, a part
    /// builder's diagnostics, interpolations and reports come with the
    /// last service it built, none with the others.
    fn services_of(&self, nodes: &[&'n CheckedBlock<'a>], env_names: &[String], each: bool) -> Vec<ServicePart> {
        let (sym, project, environments, family) =
            (self.sym, &self.model.project, &self.model.environments, &self.family);
        let built = crate::par::map_parts(nodes, |part| {
            let mut shape = super::super::shape::Shape::new(super::super::registry());
            let mut b = Builder::new(sym, &mut shape);
            b.model.project = project.clone();
            b.model.environments = environments.clone();
            b.model.seal();
            b.family = family.clone();
            let mut out = Vec::with_capacity(part.len());
            for (i, node) in part.iter().enumerate() {
                let service = b.service(node, env_names);
                let last = i + 1 == part.len();
                out.push(ServicePart {
                    service,
                    diags: if each || last {
                        std::mem::take(&mut b.diags)
                    } else {
                        Capped::default()
                    },
                    interpolated: if each || last {
                        std::mem::take(&mut b.model.interpolated)
                    } else {
                        Vec::new()
                    },
                    reported: if each || last {
                        std::mem::take(&mut b.reported)
                    } else {
                        BTreeSet::new()
                    },
                });
            }
            out
        });
        built.into_iter().flatten().collect()
    }

    /// The services of `nodes` with a [`super::reuse::Plan`]: each taken
    /// back from the last analysis where it may be, else built, and each
    /// kept for the next.
    fn services_reusing(&mut self, nodes: &[&'n CheckedBlock<'a>], env_names: &[String], out: &mut Vec<Service>) {
        let Some(plan) = self.plan.as_deref_mut() else { return };
        let mut parts: Vec<Option<ServicePart>> = nodes.iter().map(|n| plan.service(n)).collect();
        let fresh: Vec<&'n CheckedBlock<'a>> = nodes
            .iter()
            .zip(&parts)
            .filter(|(_, p)| p.is_none())
            .map(|(n, _)| *n)
            .collect();
        let mut built = self.services_of(&fresh, env_names, true).into_iter();
        for p in &mut parts {
            if p.is_none() {
                *p = built.next();
            }
        }
        for (node, part) in nodes.iter().zip(parts) {
            let Some(part) = part else { continue };
            if let Some(plan) = self.plan.as_deref_mut() {
                plan.keep_service(node, &part);
            }
            out.push(part.service);
            self.diags.append(part.diags);
            self.model.interpolated.extend(part.interpolated);
            self.reported.extend(part.reported);
        }
    }

    /// One service: its configuration, and per environment its parent's
    /// with its own override on top.
    fn service(&mut self, node: &CheckedBlock<'a>, env_names: &[String]) -> Service {
        let mut base = Flat::new();
        Self::flat(node, &mut base);
        let mut overrides: BTreeMap<String, Flat<'a>> = BTreeMap::new();
        for o in node.children_of(BlockId::ServiceIn) {
            let mut m = Flat::new();
            Self::flat(o, &mut m);
            overrides.insert(o.label().to_string(), m);
        }
        // The escape hatches are the service's own, in every environment.
        let extra = |id: BlockId| node.child(id).map(|b| Box::new(super::kube::data_block(b.block)));
        let (pod, container) = (extra(BlockId::ExtraPod), extra(BlockId::ExtraContainer));
        let finish = |b: &mut Self, flat: &Flat<'a>| {
            let mut cfg = b.config(flat);
            cfg.extra_pod.clone_from(&pod);
            cfg.extra_container.clone_from(&container);
            Arc::new(cfg)
        };
        let base_cfg = finish(self, &base);
        let mut per_env = BTreeMap::new();
        // In environment order (parents first): an environment's values
        // are its parent's with its own override on top, so nearer
        // overrides win. Shared while no override differs.
        let mut merged: HashMap<&str, (std::rc::Rc<Flat<'a>>, Arc<ServiceConfig>)> =
            HashMap::with_capacity(env_names.len());
        let base = (std::rc::Rc::new(base), base_cfg.clone());
        for env in env_names {
            let (from, from_cfg) = self
                .family
                .parent(env)
                .and_then(|p| merged.get(p))
                .unwrap_or(&base)
                .clone();
            let mine = match overrides.get(env) {
                Some(m) => {
                    let mut own = (*from).clone();
                    own.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
                    let own = std::rc::Rc::new(own);
                    let cfg = finish(self, &own);
                    (own, cfg)
                }
                None => (from, from_cfg),
            };
            per_env.insert(env.clone(), mine.1.clone());
            merged.insert(env.as_str(), mine);
        }
        Service {
            source: String::new(),
            name: node.label().to_string(),
            base: base_cfg,
            per_env,
            own_chart: matches!(node.get(Attr::Chart), Some(Val::Word(w)) if w == "own"),
            span: node.label_span(),
        }
    }

    /// A service's configuration from its values by path; what is not
    /// written takes the registry's default.
    fn config(&mut self, m: &Flat<'a>) -> ServiceConfig {
        let scope = Scope::default();
        let own = |attr: Attr| m.get(&Path::Own(attr)).or_else(|| default(BlockId::Service, attr));
        let of = |block: BlockId, attr: Attr| m.get(&Path::Child(block, attr)).or_else(|| default(block, attr));
        let present = |id: BlockId| m.contains_key(&Path::Present(id));
        let vars = |id: BlockId| {
            m.iter().filter_map(move |(k, v)| match k {
                Path::Var(b, name) if *b == id => Some((*name, v)),
                _ => None,
            })
        };
        let health = self.text(own(Attr::Health), &scope);
        let mut env = IndexMap::new();
        let mut secrets = IndexMap::new();
        for (k, v) in m {
            match (k, v) {
                (Path::Var(BlockId::ServiceEnv, var), v) => {
                    if let Some(t) = self.text(Some(v), &scope) {
                        env.insert(var.to_string(), t);
                    }
                }
                (Path::Var(BlockId::ServiceSecrets, var), Val::Secret(s)) => {
                    secrets.insert(var.to_string(), s.clone());
                }
                _ => {}
            }
        }
        let autoscaled = m.keys().any(|k| matches!(k, Path::Child(BlockId::ServiceAutoscale, _)));
        let autoscale = autoscaled.then(|| {
            let min = Self::int(of(BlockId::ServiceAutoscale, Attr::Min))
                .unwrap_or_default()
                .max(1);
            let min = Self::count(min);
            Autoscale {
                min,
                // Without a maximum, the minimum: a fixed size.
                max: Self::int(of(BlockId::ServiceAutoscale, Attr::Max)).map_or(min, Self::count),
                cpu: match of(BlockId::ServiceAutoscale, Attr::Cpu) {
                    Some(Val::Pct(p)) => Some(*p),
                    _ => None,
                },
            }
        });
        ServiceConfig {
            image: self.text(own(Attr::Image), &scope).unwrap_or_default(),
            port: Self::int(own(Attr::Port)).and_then(|p| u16::try_from(p).ok()),
            health: health.clone(),
            replicas: Self::int(own(Attr::Replicas)).map_or(0, Self::count),
            command: self.texts(own(Attr::Command), &scope),
            team: self.text(own(Attr::Team), &scope),
            cpu: match of(BlockId::ServiceResources, Attr::Cpu) {
                Some(Val::Cpu(c)) => Some(*c),
                _ => None,
            },
            cpu_limit: match of(BlockId::ServiceResources, Attr::CpuLimit) {
                Some(Val::Cpu(c)) => Some(*c),
                _ => None,
            },
            memory: match of(BlockId::ServiceResources, Attr::Memory) {
                Some(Val::Mem(mem)) => Some(mem.clone()),
                _ => None,
            },
            ingress: m
                .get(&Path::Child(BlockId::ServiceIngress, Attr::Host))
                .and_then(|h| self.text(Some(h), &scope))
                .map(|host| {
                    Box::new(crate::model::Ingress {
                        host,
                        path: self
                            .text(of(BlockId::ServiceIngress, Attr::Path), &scope)
                            .unwrap_or_else(|| "/".to_string()),
                        class: self.text(of(BlockId::ServiceIngress, Attr::Class), &scope),
                        tls: self.text(of(BlockId::ServiceIngress, Attr::Tls), &scope),
                        annotations: self.text_map(vars(BlockId::IngressAnnotations)),
                    })
                }),
            metrics: match own(Attr::Metrics) {
                Some(Val::Bool(false)) => None,
                Some(Val::Bool(true)) | None => Some("/metrics".to_string()),
                other => self.text(other, &scope).or(Some("/metrics".to_string())),
            },
            run_as_user: Self::int(own(Attr::RunAsUser))
                .and_then(|u| u32::try_from(u).ok())
                .unwrap_or(DEFAULT_USER),
            memory_limit: match of(BlockId::ServiceResources, Attr::MemoryLimit) {
                Some(Val::Mem(mem)) => Some(mem.clone()),
                _ => None,
            },
            env,
            secrets,
            autoscale,
            args: self.texts(own(Attr::Args), &scope),
            service_type: self
                .text(own(Attr::ServiceType), &scope)
                .unwrap_or_else(|| "ClusterIP".to_string()),
            service_port: Self::int(own(Attr::ServicePort)).and_then(|p| u16::try_from(p).ok()),
            ports: m
                .iter()
                .filter_map(|(k, v)| match (k, v) {
                    (Path::Var(BlockId::ServicePorts, name), Val::Int(p)) => {
                        Some((name.to_string(), u16::try_from(*p).ok()?))
                    }
                    _ => None,
                })
                .collect(),
            node_selector: self.text_map(vars(BlockId::NodeSelector)),
            tolerations: self.texts(own(Attr::Tolerations), &scope),
            spread: self.texts(own(Attr::Spread), &scope),
            priority_class: self.text(own(Attr::PriorityClass), &scope),
            pod_annotations: self.text_map(vars(BlockId::PodAnnotations)),
            pod_labels: self.text_map(vars(BlockId::PodLabels)),
            account_annotations: self.text_map(vars(BlockId::AccountAnnotations)),
            readiness: self
                .probe(
                    BlockId::Readiness,
                    present(BlockId::Readiness),
                    health.as_deref(),
                    |a| m.get(&Path::Child(BlockId::Readiness, a)),
                )
                .map(Box::new),
            liveness: self
                .probe(BlockId::Liveness, present(BlockId::Liveness), health.as_deref(), |a| {
                    m.get(&Path::Child(BlockId::Liveness, a))
                })
                .map(Box::new),
            startup: self
                .probe(BlockId::Startup, present(BlockId::Startup), health.as_deref(), |a| {
                    m.get(&Path::Child(BlockId::Startup, a))
                })
                .map(Box::new),
            network_policy: self
                .network_policy(present(BlockId::NetworkPolicy), |a| {
                    m.get(&Path::Child(BlockId::NetworkPolicy, a))
                })
                .map(Box::new),
            route: m
                .get(&Path::Child(BlockId::ServiceRoute, Attr::Gateway))
                .and_then(|g| self.text(Some(g), &scope))
                .map(|gateway| {
                    let (gateway_namespace, gateway) = match gateway.split_once('/') {
                        Some((ns, name)) => (Some(ns.to_string()), name.to_string()),
                        None => (None, gateway),
                    };
                    Box::new(crate::model::Route {
                        gateway,
                        gateway_namespace,
                        host: self.text(of(BlockId::ServiceRoute, Attr::Host), &scope),
                        path: self
                            .text(of(BlockId::ServiceRoute, Attr::Path), &scope)
                            .unwrap_or_else(|| "/".to_string()),
                    })
                }),
            volumes: {
                let mut names: Vec<&str> = m
                    .keys()
                    .filter_map(|k| match k {
                        Path::Named(BlockId::Volume, name, _) => Some(*name),
                        _ => None,
                    })
                    .collect();
                names.dedup();
                names
                    .into_iter()
                    .map(|name| {
                        self.volume(name, |a| {
                            m.get(&Path::Named(BlockId::Volume, name, a))
                                .or_else(|| default(BlockId::Volume, a))
                        })
                    })
                    .collect()
            },
            // Set by the service, for every environment (see `services`).
            extra_pod: None,
            extra_container: None,
        }
    }
}
