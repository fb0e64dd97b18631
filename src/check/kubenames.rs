//! Names Kubernetes accepts: services (Helm releases and Services), Secret
//! names, namespaces.

use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::schema::BlockId;
use crate::sema::tree::{CheckedBlock, Val};

/// Whether `s` is a DNS-1035 label (service and release names).
fn dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 53 // Helm release names
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[b.len() - 1] != b'-'
}

/// Whether `s` is a DNS-1123 subdomain (Secret names).
fn dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            let b = part.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// Whether `s` is a DNS-1123 label (namespace names).
fn dns_1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

pub(super) fn run(user: &[CheckedBlock<'_>], diags: &mut Capped) {
    let namespaces = user
        .iter()
        .filter(|n| n.schema.id == BlockId::Environment)
        .filter_map(|e| e.attrs.get("namespace"));
    for a in namespaces {
        let Val::Str(lit) = &a.val else { continue };
        let Some(ns) = lit.as_plain() else { continue };
        if dns_1123_label(&ns) {
            continue;
        }
        let fixed = crate::model::names::dns_label_of(&ns);
        let mut d = Diagnostic::new(
            Code::InvalidKubernetesName,
            format!("`{ns}` cannot name a Kubernetes namespace"),
            Label::new(a.attr.value.span, "not a DNS label"),
        );
        d = if fixed.is_empty() {
            d.with_help("use at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit")
        } else {
            d.with_replacement(
                a.attr.value.span,
                format!("\"{fixed}\""),
                format!("namespaces are lowercase letters, digits and `-`: `\"{fixed}\"`"),
            )
        };
        diags.push(d);
    }
    for svc in user.iter().filter(|n| n.schema.id == BlockId::Service) {
        let name = svc.label();
        if !name.is_empty() && !dns_label(name) {
            diags.push(
                Diagnostic::new(
                    Code::InvalidKubernetesName,
                    format!("`{name}` cannot name a Helm release or a Kubernetes Service"),
                    Label::new(svc.label_span(), "not a DNS label"),
                )
                .with_help(format!(
                    "use lowercase letters, digits and `-`, starting with a letter, at most 53 characters: `{}`",
                    name.to_ascii_lowercase().replace('_', "-")
                )),
            );
        }
        let blocks = svc.children_of(BlockId::ServiceSecrets).chain(
            svc.children_of(BlockId::ServiceIn)
                .flat_map(|i| i.children_of(BlockId::ServiceSecrets)),
        );
        for block in blocks {
            for a in block.attrs.values() {
                if let Val::Secret(secret) = &a.val
                    && !dns_subdomain(secret)
                {
                    diags.push(
                        Diagnostic::new(
                            Code::InvalidKubernetesName,
                            format!("secret `{secret}` cannot name a Kubernetes Secret"),
                            Label::new(a.attr.value.span, "not a DNS subdomain"),
                        )
                        .with_help(format!(
                            "use lowercase letters, digits, `-` and `.`: `{}`",
                            secret.to_ascii_lowercase().replace('_', "-")
                        )),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn kubernetes_names() {
        assert!(super::dns_label("api"));
        assert!(super::dns_label("api-2"));
        assert!(!super::dns_label("api_gateway"));
        assert!(!super::dns_label("2api"));
        assert!(!super::dns_label("Api"));
        assert!(super::dns_subdomain("shop-db-url"));
        assert!(super::dns_subdomain("x.y"));
        assert!(!super::dns_subdomain("NPM_TOKEN"));
        assert!(!super::dns_subdomain("a..b"));
    }

    #[test]
    fn namespaces_become_labels() {
        assert!(super::dns_1123_label("shop-prod"));
        assert!(super::dns_1123_label("2shop"));
        assert!(!super::dns_1123_label("Shop_Prod"));
        assert_eq!(crate::model::names::dns_label_of("Shop_Prod"), "shop-prod");
    }
}
