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

use serde::Serialize;
use serde_json::{Map, Value};

use super::values::values_with;
use crate::model::{Model, Rollout, Service, ServiceConfig};

/// A service's values as written: `values.yaml` and, per environment (in
/// model order), its overlay.
pub struct Layered {
    pub base: Value,
    /// What the service's `values.yaml` holds: `base`, or what it changes
    /// of the shared chart's values.
    pub file: Value,
    pub envs: Vec<(String, Value)>,
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
    rollouts: &crate::hash::Map<(&str, &str), &Rollout>,
    chart: Option<&Value>,
) -> Layered {
    // Environments that share the service's configuration and secret store
    // and have no rollout have the same values: computed once, and so are
    // their overlays.
    let mut computed: Vec<Value> = Vec::new();
    let mut same: Vec<(&ServiceConfig, Option<String>, usize)> = Vec::new();
    let mut value_of = |env: Option<&str>, rollout: Option<&Rollout>| -> usize {
        if rollout.is_some() {
            computed.push(to_value(&values_with(model, svc, env, rollout)));
            return computed.len() - 1;
        }
        let (cfg, store) = super::values::inputs(model, svc, env);
        if let Some((_, _, i)) = same.iter().find(|(c, s, _)| std::ptr::eq(*c, cfg) && *s == store) {
            return *i;
        }
        computed.push(to_value(&values_with(model, svc, env, None)));
        same.push((cfg, store, computed.len() - 1));
        computed.len() - 1
    };
    let base_at = value_of(None, None);
    let full: Vec<(&str, usize)> = model
        .environments
        .iter()
        .map(|e| {
            let rollout = rollouts.get(&(svc.name.as_str(), e.name.as_str())).copied();
            (e.name.as_str(), value_of(Some(&e.name), rollout))
        })
        .collect();
    let mut distinct: Vec<usize> = full.iter().map(|(_, i)| *i).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let mut base = computed[base_at].clone();
    if distinct.contains(&base_at) {
        // What the base shares with every environment is the base's own:
        // merging it in only removes what is null everywhere.
        let others: Vec<&Value> = distinct
            .iter()
            .filter(|i| **i != base_at)
            .map(|i| &computed[*i])
            .collect();
        drop_shared_nulls(&mut base, &others);
    } else if let Some(common) = common(&distinct.iter().map(|i| &computed[*i]).collect::<Vec<_>>()) {
        coalesce_into(&mut base, common);
    }
    let overlays: Vec<(usize, Value)> = distinct
        .iter()
        .map(|i| {
            (
                *i,
                diff(&base, &computed[*i]).unwrap_or_else(|| Value::Object(Map::new())),
            )
        })
        .collect();
    let envs = full
        .into_iter()
        .map(|(name, i)| {
            let overlay = overlays.iter().find(|(j, _)| *j == i).map(|(_, o)| o.clone());
            (name.to_string(), overlay.unwrap_or_else(|| Value::Object(Map::new())))
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

/// `coalesce(base, common([base, others...]))`, without building the
/// common part: every value there is the base's own, so merging it only
/// removes keys null in all of them (within maps all of them have).
fn drop_shared_nulls(base: &mut Value, others: &[&Value]) {
    let Value::Object(b) = base else {
        return;
    };
    if !others.iter().all(|o| o.is_object()) {
        return;
    }
    b.retain(|k, v| !(v.is_null() && others.iter().all(|o| o.get(k).is_some_and(Value::is_null))));
    for (k, v) in b.iter_mut() {
        if v.is_object() {
            let children: Option<Vec<&Value>> = others.iter().map(|o| o.get(k)).collect();
            if let Some(children) = children {
                drop_shared_nulls(v, &children);
            }
        }
    }
}

/// Helm's merge of values files: maps merge key by key, a `null` removes
/// the key, anything else replaces.
pub fn coalesce(base: &Value, over: &Value) -> Value {
    let mut out = base.clone();
    coalesce_into(&mut out, over.clone());
    out
}

/// [`coalesce`] in place.
fn coalesce_into(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    b.shift_remove(&k);
                } else if let (Some(old), true) = (b.get_mut(&k), v.is_object()) {
                    coalesce_into(old, v);
                } else {
                    b.insert(k, v);
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// The overlay that turns `base` into `target` under [`coalesce`]; `None`
/// when they are equal.
fn diff(base: &Value, target: &Value) -> Option<Value> {
    match (base, target) {
        (Value::Object(b), Value::Object(t)) => {
            let mut out = Map::new();
            // Values made from the same structs list their keys in the
            // same order: the two are walked side by side, and a key is
            // looked up (hashed) only once the orders part. (Comparing the
            // whole trees first, then each subtree again while recursing,
            // hashed every key once per level above it.)
            let mut side = b.iter();
            let mut aligned = true;
            for (k, tv) in t {
                let bv = match side.next().filter(|(bk, _)| aligned && *bk == k) {
                    Some((_, bv)) => Some(bv),
                    None => {
                        aligned = false;
                        b.get(k)
                    }
                };
                match bv {
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
            // Every key of the base was met in order: none is gone.
            if !(aligned && b.len() == t.len()) {
                for k in b.keys().filter(|k| !t.contains_key(*k)) {
                    out.insert(k.clone(), Value::Null);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        _ => (base != target).then(|| target.clone()),
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

    /// The overlay of every pair of a family of trees (keys in the same
    /// order, in other orders, missing, added; values equal, changed, of
    /// another kind) is what the plain definition gives, and merges back
    /// to the target.
    #[test]
    fn overlays_equal_the_plain_definition_whatever_the_key_order() {
        fn plain(base: &Value, target: &Value) -> Option<Value> {
            if base == target {
                return None;
            }
            match (base, target) {
                (Value::Object(b), Value::Object(t)) => {
                    let mut out = Map::new();
                    for (k, tv) in t {
                        match b.get(k) {
                            Some(bv) if bv.is_object() && tv.is_object() => {
                                if let Some(d) = plain(bv, tv) {
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
        let trees = [
            json!({"a": 1, "m": {"x": 1, "y": 2}, "l": [1, 2], "s": "v"}),
            json!({"a": 1, "m": {"x": 1, "y": 2}, "l": [1, 2], "s": "w"}),
            json!({"m": {"y": 2, "x": 1}, "a": 1, "s": "v", "l": [1, 2]}),
            json!({"a": 1, "m": {"x": 1}, "l": [1, 2], "s": "v"}),
            json!({"a": 1, "m": {"x": 1, "y": 2, "z": 3}, "l": [1, 2], "s": "v", "t": true}),
            json!({"a": 1, "l": [1, 2], "s": "v"}),
            json!({"a": 2, "m": "flat", "l": [2], "s": null}),
            json!({"a": 1, "m": {"x": 1, "y": {"deep": [1]}}, "l": [1, 2], "s": "v"}),
            json!({"z": 1, "a": 1}),
            json!({}),
            json!([1]),
            json!(null),
        ];
        for base in &trees {
            for target in &trees {
                let got = diff(base, target);
                assert_eq!(got, plain(base, target), "{base} → {target}");
                // (A null in the target merges as a removal, as in Helm.)
                if base.is_object() && target.is_object() && !target.to_string().contains("null") {
                    let merged = got.map_or_else(|| base.clone(), |d| coalesce(base, &d));
                    assert_eq!(&merged, target, "{base} → {target}");
                }
            }
        }
    }

    #[test]
    fn dropping_shared_nulls_is_merging_the_common_part() {
        let trees = [
            json!({"a": null, "m": {"x": null, "y": 1, "n": {"z": null}}, "l": [null], "s": "v"}),
            json!({"a": null, "m": {"x": null, "y": 2, "n": {"z": null, "w": 1}}, "l": [null], "s": null}),
            json!({"a": 1, "m": {"x": null, "n": null}, "s": {"t": null}}),
            json!({"m": "text", "a": null}),
            json!({"a": null, "m": {}, "e": {}}),
            json!({}),
            json!(null),
            json!([1, null]),
        ];
        for base in &trees {
            for others in [
                vec![],
                vec![0],
                vec![1],
                vec![0, 1],
                vec![2],
                vec![1, 3],
                vec![4, 0],
                vec![5, 6],
                vec![7],
            ] {
                let others: Vec<&Value> = others.iter().map(|i| &trees[*i]).collect();
                let mut all = vec![base];
                all.extend(others.iter().copied());
                let expected = match common(&all) {
                    Some(c) => coalesce(base, &c),
                    None => base.clone(),
                };
                let mut got = base.clone();
                drop_shared_nulls(&mut got, &others);
                assert_eq!(got, expected, "{base} with {others:?}");
            }
        }
    }

    #[test]
    fn common_keeps_what_all_agree_on() {
        let a = json!({"x": 1, "m": {"p": 1, "q": 2}, "only": 1});
        let b = json!({"x": 1, "m": {"p": 1, "q": 3}});
        assert_eq!(common(&[&a, &b]), Some(json!({"x": 1, "m": {"p": 1}})));
    }
}
