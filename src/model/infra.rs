//! The resolved infrastructure of an environment (`infra ENV { }`): what
//! the Terraform target writes.

use indexmap::IndexMap;
use serde::Serialize;

use super::{Duration, Memory};
use crate::source::Span;

#[derive(Clone, Debug, Serialize)]
pub struct Infra {
    pub environment: String,
    /// The `.dvc` file that declares it (as loaded).
    #[serde(skip)]
    pub source: String,
    pub region: Option<String>,
    pub backend: Option<StateBackend>,
    pub clusters: Vec<Cluster>,
    pub buckets: Vec<Bucket>,
    pub databases: Vec<Database>,
    pub resources: Vec<RawResource>,
    /// Tags of every resource, besides dvcc's.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, String>,
    /// More AWS providers: alias → region.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub aliases: IndexMap<String, String>,
    pub network: Network,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<TfOutput>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<TfVariable>,
    /// More subjects the deploy role trusts.
    pub trust: Trust,
    /// `deploy_role { cluster_admin = true }`: the deploy role administers
    /// the cluster, instead of deploying into its environment's namespace
    /// only ([`super::Model::managed_namespace`]).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub cluster_admin: bool,
    #[serde(skip)]
    pub span: Span,
}

/// The VPC's layout.
#[derive(Clone, Debug, Serialize)]
pub struct Network {
    pub cidr: String,
    pub zones: u32,
    /// Else one per zone where the environment needs approval.
    pub single_nat: Option<bool>,
    /// Intra subnets for the clusters' control plane.
    pub intra: bool,
}

impl Default for Network {
    fn default() -> Network {
        Network {
            cidr: "10.0.0.0/16".into(),
            zones: 3,
            single_nat: None,
            intra: false,
        }
    }
}

/// `output NAME { value description sensitive }`, as Terraform JSON.
#[derive(Clone, Debug, Serialize)]
pub struct TfOutput {
    pub name: String,
    pub body: serde_json::Value,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
}

/// `variable NAME { type default description sensitive }`.
#[derive(Clone, Debug, Serialize)]
pub struct TfVariable {
    pub name: String,
    /// A Terraform type expression (`string`, `list(string)`).
    pub ty: String,
    pub default: Option<serde_json::Value>,
    pub description: Option<String>,
    pub sensitive: bool,
}

/// Workflows, besides the environment's deploy jobs, that may assume the
/// deploy role.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Trust {
    pub branches: Vec<String>,
    pub tags: Vec<String>,
    pub pull_request: bool,
}

#[derive(Clone, Debug, Serialize)]
/// Where Terraform keeps its state (`backend s3 { }`).
pub struct StateBackend {
    pub bucket: String,
    pub key: String,
    pub region: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Cluster {
    pub name: String,
    pub kind: String,
    pub version: String,
    pub min_nodes: u32,
    pub max_nodes: u32,
    pub instance: String,
    /// `on_demand` or `spot`.
    pub capacity: String,
    pub disk: Option<Memory>,
    pub addons: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Bucket {
    pub name: String,
    pub versioning: bool,
    pub expire_after: Option<Duration>,
    pub transition_after: Option<Duration>,
    pub archive_after: Option<Duration>,
    /// Object lock retention (governance mode).
    pub lock: Option<Duration>,
    /// The bucket of this infra that receives the access logs.
    pub access_logs: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Database {
    pub name: String,
    pub engine: String,
    pub version: String,
    pub size: String,
    pub storage: Memory,
    pub backups: Duration,
    /// Else where the environment needs approval.
    pub multi_az: Option<bool>,
    pub maintenance_window: Option<String>,
    pub backup_window: Option<String>,
    /// Enhanced monitoring interval in seconds (0: none).
    pub monitoring: u32,
    /// More engine parameters.
    pub parameters: IndexMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RawResource {
    pub ty: String,
    pub name: String,
    /// The body as JSON (lists, nested blocks as objects): literal text
    /// escaped for Terraform, expressions as `${...}`.
    pub body: serde_json::Value,
    /// The secrets its `secret("NAME")` values read (each a data source of
    /// the document).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<String>,
    #[serde(skip)]
    pub span: Span,
}
