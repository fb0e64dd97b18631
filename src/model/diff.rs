//! What differs between two environments: every resolved value of a
//! service, of the environments themselves and of their infrastructure,
//! compared as the backends see them (after `extends` and `in ENV`).
//!
//! Values are flattened into dotted keys named like the attributes that
//! set them (`replicas`, `env.LOG_LEVEL`, `autoscale.max`,
//! `clusters.main.instance`): lists of named things are keyed by name, so
//! that a reordering is no change; other lists are one value.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use super::Model;

/// The key of the rollout a service's deploys use in an environment.
pub const ROLLOUT: &str = "rollout";

/// One value that differs: `None` on a side where it is not set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub key: String,
    pub left: Option<String>,
    pub right: Option<String>,
}

/// The changes of one thing (a service, the environment, its infra).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// `service`, `environment` or `infra`.
    pub kind: &'static str,
    /// The service's name; the environment's name for the others.
    pub name: String,
    pub changes: Vec<Change>,
}

/// Everything that differs between environments `left` and `right`, in
/// order: the environments' own settings, each service (in name order;
/// only `service` when given; with the rollout its deploys use, as
/// [`ROLLOUT`]), then infrastructure. Things without a
/// change are left out.
pub fn environments(model: &Model, left: &str, right: &str, service: Option<&str>) -> Vec<Changes> {
    let mut out = Vec::new();
    let env = |name: &str| {
        model.environment(name).map(|e| {
            let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                // Where it inherits from is not a value it has.
                m.remove("name");
                m.remove("extends");
            }
            v
        })
    };
    if service.is_none() {
        push(&mut out, "environment", right, &env(left), &env(right));
    }
    for s in &model.services {
        if service.is_some_and(|only| only != s.name) {
            continue;
        }
        // Its values, and the rollout its deploys there use.
        let config = |name: &str| {
            s.per_env.get(name).map(|c| {
                let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
                if let (Value::Object(m), Some(r)) = (&mut v, model.rollout_of(&s.name, name)) {
                    m.insert(ROLLOUT.to_string(), Value::from(r.name.clone()));
                }
                v
            })
        };
        push(&mut out, "service", &s.name, &config(left), &config(right));
    }
    if service.is_none() {
        let infra = |name: &str| {
            model.infra(name).map(|i| {
                let mut v = serde_json::to_value(i).unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    m.remove("environment");
                }
                v
            })
        };
        push(&mut out, "infra", right, &infra(left), &infra(right));
    }
    out
}

fn push(out: &mut Vec<Changes>, kind: &'static str, name: &str, left: &Option<Value>, right: &Option<Value>) {
    let changes = values(left.as_ref(), right.as_ref());
    if !changes.is_empty() {
        out.push(Changes {
            kind,
            name: name.to_string(),
            changes,
        });
    }
}

/// The keys whose values differ between `left` and `right`, in the order
/// the left side has them, then those only the right side has.
pub fn values(left: Option<&Value>, right: Option<&Value>) -> Vec<Change> {
    let flat = |v: Option<&Value>| {
        let mut out = IndexMap::new();
        if let Some(v) = v {
            flatten(v, "", &mut out);
        }
        out
    };
    let (l, r) = (flat(left), flat(right));
    let mut out = Vec::new();
    for (key, lv) in &l {
        let rv = r.get(key);
        if rv != Some(lv) {
            out.push(Change {
                key: key.clone(),
                left: Some(lv.clone()),
                right: rv.cloned(),
            });
        }
    }
    for (key, rv) in r.iter().filter(|(k, _)| !l.contains_key(*k)) {
        out.push(Change {
            key: key.clone(),
            left: None,
            right: Some(rv.clone()),
        });
    }
    out
}

/// `value`'s scalars by dotted key; nulls, empty lists and empty maps are
/// "not set".
pub fn flatten(value: &Value, prefix: &str, out: &mut IndexMap<String, String>) {
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match value {
        Value::Null => {}
        Value::Object(m) => {
            for (k, v) in m {
                flatten(v, &key(k), out);
            }
        }
        Value::Array(items) if items.is_empty() => {}
        Value::Array(items) if items.iter().all(named) => {
            for item in items {
                let name = item.get("name").and_then(Value::as_str).unwrap_or_default();
                let mut rest = item.clone();
                if let Value::Object(m) = &mut rest {
                    m.remove("name");
                }
                let at = key(name);
                let before = out.len();
                flatten(&rest, &at, out);
                if out.len() == before {
                    // Nothing but a name: its presence is the value.
                    out.insert(at, "yes".to_string());
                }
            }
        }
        Value::Array(items) => {
            let shown: Vec<String> = items.iter().map(scalar).collect();
            out.insert(prefix.to_string(), format!("[{}]", shown.join(", ")));
        }
        other => {
            out.insert(prefix.to_string(), scalar(other));
        }
    }
}

/// An object with a string `name`.
fn named(v: &Value) -> bool {
    v.get("name").is_some_and(Value::is_string)
}

/// A value as one line: strings as they are, the rest as JSON.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattens_named_lists_by_name_and_others_whole() {
        let mut out = IndexMap::new();
        flatten(
            &json!({
                "replicas": 2,
                "env": {"LOG_LEVEL": "info"},
                "command": ["a", "b"],
                "clusters": [{"name": "main", "instance": "t3"}],
                "none": null,
                "empty": [],
            }),
            "",
            &mut out,
        );
        let got: Vec<(&str, &str)> = out.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            got,
            [
                ("replicas", "2"),
                ("env.LOG_LEVEL", "info"),
                ("command", "[a, b]"),
                ("clusters.main.instance", "t3")
            ]
        );
    }

    #[test]
    fn values_report_changes_additions_and_removals() {
        let l = json!({"replicas": 1, "env": {"A": "x"}});
        let r = json!({"replicas": 3, "autoscale": {"max": 4}});
        let changes = values(Some(&l), Some(&r));
        let keys: Vec<(&str, Option<&str>, Option<&str>)> = changes
            .iter()
            .map(|c| (c.key.as_str(), c.left.as_deref(), c.right.as_deref()))
            .collect();
        assert_eq!(
            keys,
            [
                ("replicas", Some("1"), Some("3")),
                ("env.A", Some("x"), None),
                ("autoscale.max", None, Some("4")),
            ]
        );
        assert!(values(Some(&l), Some(&l)).is_empty());
    }
}
