//! Kubernetes notations the model keeps as written: taints in `kubectl
//! taint`'s form.

/// The effects a taint (and so a toleration) may have.
pub const TAINT_EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// A toleration written as `kubectl taint` writes a taint: `KEY=VALUE:EFFECT`,
/// `KEY:EFFECT` (any value), `KEY=VALUE` or `KEY` (any effect).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: Option<String>,
    pub effect: Option<String>,
}

impl Taint {
    /// The taint `text` names, or what is wrong with it.
    pub fn parse(text: &str) -> Result<Taint, String> {
        let (rest, effect) = match text.rsplit_once(':') {
            Some((rest, effect)) => {
                if !TAINT_EFFECTS.contains(&effect) {
                    return Err(
                        match crate::diag::suggest::did_you_mean(effect, TAINT_EFFECTS.iter().copied()) {
                            Some(near) => format!("`{effect}` is not a taint effect: did you mean `{near}`?"),
                            None => format!(
                                "`{effect}` is not a taint effect (`NoSchedule`, `PreferNoSchedule` or `NoExecute`)"
                            ),
                        },
                    );
                }
                (rest, Some(effect.to_string()))
            }
            None => (text, None),
        };
        let (key, value) = match rest.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (rest, None),
        };
        if !crate::schema::kubernetes_key(key) {
            return Err(format!(
                "`{key}` is not a taint key (a label key: `dedicated`, `example.com/gpu`)"
            ));
        }
        if let Some(v) = value
            && !label_value(v)
        {
            return Err(format!(
                "`{v}` is not a taint value (at most 63 letters, digits, `-`, `_` and `.`)"
            ));
        }
        Ok(Taint {
            key: key.to_string(),
            value: value.map(str::to_string),
            effect,
        })
    }
}

/// A Kubernetes label value: empty, or at most 63 letters, digits, `-`,
/// `_` and `.`, starting and ending alphanumeric.
pub fn label_value(v: &str) -> bool {
    v.is_empty()
        || (v.len() <= 63
            && v.starts_with(|c: char| c.is_ascii_alphanumeric())
            && v.ends_with(|c: char| c.is_ascii_alphanumeric())
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taints_read_as_kubectl_writes_them() {
        let t = |s: &str| Taint::parse(s).map(|t| (t.key, t.value, t.effect));
        assert_eq!(
            t("dedicated=gpu:NoSchedule"),
            Ok(("dedicated".into(), Some("gpu".into()), Some("NoSchedule".into())))
        );
        assert_eq!(t("spot:NoExecute"), Ok(("spot".into(), None, Some("NoExecute".into()))));
        assert_eq!(t("example.com/gpu"), Ok(("example.com/gpu".into(), None, None)));
        assert!(t("dedicated=gpu:NoSchedul").is_err());
        assert!(t("bad key:NoSchedule").is_err());
        assert!(t("k=v v").is_err());
    }
}
