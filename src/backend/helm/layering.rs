//! Layering: a service's base values are its declaration plus what every
//! environment shares; each `values-<env>.yaml` holds exactly the
//! difference, so that Helm's merge ([`coalesce`]) of the two gives back
//! that environment's full values.
//!
//! With the shared chart, the chart's own `values.yaml` holds the values of
//! a service that sets nothing (the registry's defaults, [`chart_values`]),
//! and the service's `values.yaml` only what its base changes of them (a
//! `null` removes a default); a service with its own chart keeps its whole
//! base there. Either way Helm's merge of the chart's values, the
//! service's and an overlay gives back the environment's full values.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::values::values_with;
use crate::model::{Model, Rollout, Service, ServiceConfig};

/// A service's values as written: `values.yaml` and, per environment (in
/// model order), its overlay and the full values it stands for.
pub struct Layered {
    pub base: Value,
    /// What the service's `values.yaml` holds: `base`, or what it changes
    /// of the shared chart's values.
    pub file: Value,
    pub envs: Vec<(String, Value, Value)>,
}

/// The shared chart's own values: those of a service that sets nothing,
/// without a name or an image (every service has its own).
pub fn chart_values(model: &Model) -> Value {
    let Some(defaults) = &model.service_defaults else {
        return Value::Object(Map::new());
    };
    let nobody = Service {
        name: String::new(),
        source: String::new(),
        base: std::sync::Arc::new(defaults.clone()),
        per_env: Default::default(),
        own_chart: false,
        span: crate::source::Span::new(crate::source::FileId(0), 0, 0),
    };
    let mut v = to_value(&values_with(model, &nobody, None, None));
    if let Value::Object(m) = &mut v {
        m.shift_remove("name");
        if let Some(Value::Object(image)) = m.get_mut("image") {
            image.shift_remove("repository");
        }
    }
    v
}

pub fn layered(model: &Model, svc: &Service) -> Layered {
    let chart = (!svc.own_chart).then(|| chart_values(model));
    layered_with(model, svc, &model.rollout_index(), chart.as_ref())
}

/// `chart`: the shared chart's values, when the service uses it.
pub(super) fn layered_with(
    model: &Model,
    svc: &Service,
    rollouts: &HashMap<(&str, &str), &Rollout>,
    chart: Option<&Value>,
) -> Layered {
    // Environments that share the service's configuration and secret store
    // and have no rollout have the same values: computed once.
    let mut same: Vec<(&ServiceConfig, Option<String>, Value)> = Vec::new();
    let mut value_of = |env: Option<&str>, rollout: Option<&Rollout>| -> Value {
        if rollout.is_some() {
            return to_value(&values_with(model, svc, env, rollout));
        }
        let (cfg, store) = super::values::inputs(model, svc, env);
        if let Some((_, _, v)) = same.iter().find(|(c, s, _)| std::ptr::eq(*c, cfg) && *s == store) {
            return v.clone();
        }
        let v = to_value(&values_with(model, svc, env, None));
        same.push((cfg, store, v.clone()));
        v
    };
    let mut base = value_of(None, None);
    let full: Vec<(String, Value)> = model
        .environments
        .iter()
        .map(|e| {
            let rollout = rollouts.get(&(svc.name.as_str(), e.name.as_str())).copied();
            (e.name.clone(), value_of(Some(&e.name), rollout))
        })
        .collect();
    if let Some(common) = common(&full.iter().map(|(_, v)| v).collect::<Vec<_>>()) {
        base = coalesce(&base, &common);
    }
    let envs = full
        .into_iter()
        .map(|(name, v)| {
            let overlay = diff(&base, &v).unwrap_or_else(|| Value::Object(Map::new()));
            (name, overlay, v)
        })
        .collect();
    let file = match chart {
        Some(chart) => diff(chart, &base).unwrap_or_else(|| Value::Object(Map::new())),
        None => base.clone(),
    };
    Layered { base, file, envs }
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// What every value agrees on: maps key by key, anything else whole.
fn common(values: &[&Value]) -> Option<Value> {
    let first = values.first()?;
    if let Value::Object(m) = first
        && values.iter().all(|v| v.is_object())
    {
        let mut out = Map::new();
        for k in m.keys() {
            let children: Option<Vec<&Value>> = values.iter().map(|v| v.get(k)).collect();
            if let Some(c) = children.and_then(|c| common(&c)) {
                out.insert(k.clone(), c);
            }
        }
        return (!out.is_empty()).then_some(Value::Object(out));
    }
    values.iter().all(|v| v == first).then(|| (*first).clone())
}

/// Helm's merge of values files: maps merge key by key, a `null` removes
/// the key, anything else replaces.
pub fn coalesce(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            let mut out = b.clone();
            for (k, v) in o {
                if v.is_null() {
                    out.shift_remove(k);
                } else if let (Some(old), true) = (out.get(k), v.is_object()) {
                    let merged = coalesce(old, v);
                    out.insert(k.clone(), merged);
                } else {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Object(out)
        }
        _ => over.clone(),
    }
}

/// The overlay that turns `base` into `target` under [`coalesce`]; `None`
/// when they are equal.
fn diff(base: &Value, target: &Value) -> Option<Value> {
    if base == target {
        return None;
    }
    match (base, target) {
        (Value::Object(b), Value::Object(t)) => {
            let mut out = Map::new();
            for (k, tv) in t {
                match b.get(k) {
                    Some(bv) if bv.is_object() && tv.is_object() => {
                        if let Some(d) = diff(bv, tv) {
                            out.insert(k.clone(), d);
                        }
                    }
                    Some(bv) if bv == tv => {}
                    _ => {
                        out.insert(k.clone(), tv.clone());
                    }
                }
            }
            for k in b.keys().filter(|k| !t.contains_key(*k)) {
                out.insert(k.clone(), Value::Null);
            }
            Some(Value::Object(out))
        }
        _ => Some(target.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn overlays_merge_back_to_the_target() {
        let base = json!({"a": 1, "m": {"x": 1, "y": 2}, "l": [1, 2], "gone": {"k": 1}});
        let target = json!({"a": 1, "m": {"x": 1, "y": 3, "z": 4}, "l": [1]});
        let d = diff(&base, &target).expect("differs");
        assert_eq!(d, json!({"m": {"y": 3, "z": 4}, "l": [1], "gone": null}));
        assert_eq!(coalesce(&base, &d), target);
        assert_eq!(diff(&target, &target), None);
    }

    #[test]
    fn common_keeps_what_all_agree_on() {
        let a = json!({"x": 1, "m": {"p": 1, "q": 2}, "only": 1});
        let b = json!({"x": 1, "m": {"p": 1, "q": 3}});
        assert_eq!(common(&[&a, &b]), Some(json!({"x": 1, "m": {"p": 1}})));
    }
}
