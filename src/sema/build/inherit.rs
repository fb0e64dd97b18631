//! Inheritance, by attribute path: an environment takes, per attribute,
//! the value of the nearest environment up its `extends` chain that sets
//! it; a service in environment E takes, per attribute path (`image`,
//! `resources.cpu`, `env.LOG_LEVEL`), the nearest `in X { }` override along
//! E's chain, else the service's own value.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use super::{Builder, Scope};
use crate::model::{Autoscale, Environment, Service, ServiceConfig};
use crate::schema::{Attr, BlockId, Namespace};
use crate::sema::tree::{CheckedBlock, Val, default};

/// Where a service's value is written: an attribute of the service (or of
/// `in ENV`), an attribute of one of its blocks (`resources { cpu }`), or a
/// variable of `env { }` / `secrets { }`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Path<'a> {
    Own(Attr),
    Child(BlockId, Attr),
    Var(BlockId, &'a str),
}

type Flat<'a> = BTreeMap<Path<'a>, Val<'a>>;

impl<'n, 'a> Builder<'n, 'a, '_> {
    /// The environment and the ones it extends, nearest first (stops at a
    /// cycle, which the relations pass reports).
    pub fn chain(&self, env: &str) -> Vec<String> {
        if let Some(c) = self.chains.get(env) {
            return c.clone();
        }
        let mut out: Vec<String> = Vec::new();
        let mut cur = Some(env.to_string());
        while let Some(name) = cur {
            if out.contains(&name) {
                break;
            }
            let next = self
                .sym
                .get(Namespace::Environment, &name)
                .and_then(|d| match d.node.get(Attr::Extends) {
                    Some(Val::Ref(i, _)) => Some(i.name.clone()),
                    _ => None,
                });
            out.push(name);
            cur = next;
        }
        out
    }

    pub(super) fn environments(&mut self, user: &'n [CheckedBlock<'a>]) {
        let scope = Scope::default();
        let envs: Vec<&CheckedBlock> = user.iter().filter(|n| n.is(BlockId::Environment)).collect();
        let chains: BTreeMap<String, Vec<String>> = envs
            .iter()
            .map(|n| (n.label().to_string(), self.chain(n.label())))
            .collect();
        self.chains = chains;
        let mut built = Vec::new();
        for node in &envs {
            let name = node.label().to_string();
            let chain = self.chain(&name);
            // Along the chain, else the registry's default.
            let inherited = |attr: Attr| -> Option<Val<'a>> {
                chain
                    .iter()
                    .find_map(|e| self.sym.get(Namespace::Environment, e).and_then(|d| d.node.get(attr)))
                    .or_else(|| default(BlockId::Environment, attr))
                    .cloned()
            };
            let [
                after,
                approval,
                cluster,
                namespace,
                region,
                url,
                prometheus,
                secret_store,
            ] = [
                Attr::After,
                Attr::Approval,
                Attr::Cluster,
                Attr::Namespace,
                Attr::Region,
                Attr::Url,
                Attr::Prometheus,
                Attr::SecretStore,
            ]
            .map(inherited);
            let extends = match node.get(Attr::Extends) {
                Some(Val::Ref(i, _)) => Some(i.name.clone()),
                _ => None,
            };
            built.push(Environment {
                name,
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
        // Every environment after the one it extends (a longer chain is a
        // deeper environment); ties in source order (the sort is stable).
        let mut ordered = built;
        ordered.sort_by_key(|e| self.chains.get(&e.name).map_or(0, Vec::len));
        self.model.environments = ordered;
    }

    /// The values a service (or an `in ENV` override) writes, by path.
    fn flat(node: &CheckedBlock<'a>, out: &mut Flat<'a>) {
        for (k, a) in &node.attrs {
            if let Some(attr) = Attr::from_name(k) {
                out.insert(Path::Own(attr), a.val.clone());
            }
        }
        for child in &node.children {
            if child.is(BlockId::ServiceIn) {
                continue;
            }
            for (k, a) in &child.attrs {
                let path = match (child.schema.free.is_some(), Attr::from_name(k)) {
                    (false, Some(attr)) => Path::Child(child.schema.id, attr),
                    _ => Path::Var(child.schema.id, k),
                };
                out.insert(path, a.val.clone());
            }
        }
    }

    pub(super) fn services(&mut self, user: &'n [CheckedBlock<'a>]) {
        let env_names: Vec<String> = self.model.environments.iter().map(|e| e.name.clone()).collect();
        let mut services = Vec::new();
        for node in user.iter().filter(|n| n.is(BlockId::Service)) {
            let mut base = Flat::new();
            Self::flat(node, &mut base);
            let mut overrides: BTreeMap<String, Flat<'a>> = BTreeMap::new();
            for o in node.children_of(BlockId::ServiceIn) {
                let mut m = Flat::new();
                Self::flat(o, &mut m);
                overrides.insert(o.label().to_string(), m);
            }
            let base_cfg = self.config(&base);
            let mut per_env = BTreeMap::new();
            for env in &env_names {
                let chain = self.chain(env);
                let mut merged = base.clone();
                // Farthest first, so nearer overrides win.
                for e in chain.iter().rev() {
                    if let Some(m) = overrides.get(e) {
                        merged.extend(m.iter().map(|(k, v)| (k.clone(), v.clone())));
                    }
                }
                per_env.insert(env.clone(), self.config(&merged));
            }
            services.push(Service {
                source: String::new(),
                name: node.label().to_string(),
                base: base_cfg,
                per_env,
                span: node.label_span(),
            });
        }
        services.sort_by(|a, b| a.name.cmp(&b.name));
        self.model.services = services;
    }

    /// A service's configuration from its values by path; what is not
    /// written takes the registry's default.
    fn config(&mut self, m: &Flat<'a>) -> ServiceConfig {
        let scope = Scope::default();
        let own = |attr: Attr| m.get(&Path::Own(attr)).or_else(|| default(BlockId::Service, attr));
        let of = |block: BlockId, attr: Attr| m.get(&Path::Child(block, attr)).or_else(|| default(block, attr));
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
                .max(1) as u32;
            Autoscale {
                min,
                // Without a maximum, the minimum: a fixed size.
                max: Self::int(of(BlockId::ServiceAutoscale, Attr::Max)).map_or(min, |v| v as u32),
                cpu: match of(BlockId::ServiceAutoscale, Attr::Cpu) {
                    Some(Val::Pct(p)) => Some(*p),
                    _ => None,
                },
            }
        });
        ServiceConfig {
            image: self.text(own(Attr::Image), &scope).unwrap_or_default(),
            port: Self::int(own(Attr::Port)).and_then(|p| u16::try_from(p).ok()),
            health: self.text(own(Attr::Health), &scope),
            replicas: Self::int(own(Attr::Replicas)).map_or(0, |r| r.max(0) as u32),
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
            env,
            secrets,
            autoscale,
        }
    }
}
