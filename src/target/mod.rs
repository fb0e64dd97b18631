//! Target facts: what dvcc knows about the formats it generates, shared by
//! the checks (which report on them before anything is generated) and the
//! backends (which generate from them). Nothing here generates an artifact.
//!
//! - [`Target`]: the generated targets, their `--target` names and the
//!   directories whose generated files they own;
//! - [`paths`]: where every artifact lives;
//! - [`actions`]: the actions dvcc pins (deploy jobs and the stdlib);
//! - [`terraform`]: the pinned modules and provider, and the addresses an
//!   `infra` block declares;
//! - [`slo`]: the multi-window burn-rate table;
//! - [`promql`]: PromQL parsing, once per expression.
//!
//! **Boundary:** this module reads the model only; `check/` and `backend/`
//! read it, it reads neither.

pub mod actions;
pub mod gha;
pub mod handbook;
pub mod paths;
pub mod promql;
pub mod rollout;
pub mod slo;
pub mod terraform;

/// A generated target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Gha,
    Helm,
    Terraform,
    Prometheus,
    Docs,
}

impl Target {
    /// Every target, in `--target` order (and generation order).
    pub const ALL: [Target; 5] = [
        Target::Gha,
        Target::Helm,
        Target::Terraform,
        Target::Prometheus,
        Target::Docs,
    ];

    /// The `--target` name.
    pub fn name(self) -> &'static str {
        match self {
            Target::Gha => "gha",
            Target::Helm => "helm",
            Target::Terraform => "terraform",
            Target::Prometheus => "prometheus",
            Target::Docs => "docs",
        }
    }

    /// One line for `--help`.
    pub fn about(self) -> &'static str {
        match self {
            Target::Gha => "GitHub Actions workflows (.github/workflows/)",
            Target::Helm => "the project's Helm chart (deploy/charts/) and values per service (deploy/helm/)",
            Target::Terraform => "Terraform JSON per environment with infra (deploy/terraform/)",
            Target::Prometheus => "Prometheus rules and their promtool tests (deploy/prometheus/)",
            Target::Docs => {
                "the delivery handbook in Markdown (docs/delivery/; built by default when the project has `handbook { }`)"
            }
        }
    }

    /// Directories (relative to the output directory) where this target
    /// owns the files that carry dvcc's header (the handbook's is the
    /// project's `handbook { path }`, this when not set).
    pub fn owned_dirs(self) -> &'static [&'static str] {
        match self {
            Target::Gha => &[paths::WORKFLOW_DIR],
            Target::Helm => &[paths::HELM_DIR, paths::CHARTS_DIR],
            Target::Terraform => &[paths::TERRAFORM_DIR],
            Target::Prometheus => &[paths::PROMETHEUS_DIR],
            Target::Docs => &[paths::HANDBOOK_DIR],
        }
    }

    /// The target named `name` (`gha`, `helm`, ...).
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn names_round_trip() {
        for t in Target::ALL {
            assert_eq!(Target::from_name(t.name()), Some(t));
        }
        assert_eq!(Target::from_name("yaml"), None);
    }
}
