//! The GitHub Actions dvcc pins: the ones its deploy jobs use, and the ones
//! the stdlib templates use (read from the stdlib's own source, so a pin is
//! written once). Checks suggest these pins for unpinned references; the
//! workflow backend writes their versions as comments.

/// `actions/checkout`, used by every generated deploy job.
pub const CHECKOUT: (&str, &str) = ("actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8", "v5.0.0");
/// `aws-actions/configure-aws-credentials`: the deploy jobs' OIDC login.
pub const AWS_CREDENTIALS: (&str, &str) = (
    "aws-actions/configure-aws-credentials@a03048d87541d1d9fcf2ecf528a4a65ba9bd7838",
    "v5.0.0",
);
/// `azure/setup-helm`: Helm for the deploy jobs.
pub const SETUP_HELM: (&str, &str) = ("azure/setup-helm@1a275c3b69536ee54be43f2070a358922e12c8d4", "v4.3.1");

/// The actions the generated deploy jobs use: (`owner/repo@SHA`, version).
pub const DEPLOY_ACTIONS: [(&str, &str); 3] = [CHECKOUT, AWS_CREDENTIALS, SETUP_HELM];

/// Actions dvcc knows the pinned form of (the stdlib's and the deploy
/// jobs'): (repository, full SHA, version), one per repository.
pub fn known() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut out = Vec::new();
    for (_, module) in crate::stdlib::MODULES {
        let mut lines = module.lines().peekable();
        while let Some(line) = lines.next() {
            let Some(reference) = line
                .trim_start()
                .strip_prefix("uses \"")
                .and_then(|r| r.split('"').next())
            else {
                continue;
            };
            let version = lines
                .peek()
                .and_then(|l| l.trim_start().strip_prefix("version = \""))
                .and_then(|v| v.split('"').next());
            if let (Some((repo, sha)), Some(version)) = (reference.split_once('@'), version) {
                out.push((repo, sha, version));
            }
        }
    }
    for (reference, version) in DEPLOY_ACTIONS {
        if let Some((repo, sha)) = reference.split_once('@') {
            out.push((repo, sha, version));
        }
    }
    out.sort_unstable();
    out.dedup_by_key(|a| a.0);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_known_action_is_pinned_to_a_full_sha() {
        let known = super::known();
        assert!(known.iter().any(|(r, _, _)| *r == "actions/checkout"));
        for (repo, sha, version) in known {
            assert_eq!(sha.len(), 40, "{repo}");
            assert!(sha.bytes().all(|b| b.is_ascii_hexdigit()), "{repo}");
            assert!(!version.is_empty(), "{repo}");
        }
    }
}
