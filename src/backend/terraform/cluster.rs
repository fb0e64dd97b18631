//! The network and the clusters: a VPC from the community module (private
//! subnets for nodes and databases), and an EKS cluster per `cluster`,
//! named as deploy jobs expect; the one deploys connect to lets the deploy
//! role in (`super::access`).

use serde_json::{Value, json};

use crate::model::names;
use crate::model::{Cluster, Network};
use crate::target::terraform::{EKS_MODULE, VPC_MODULE, subnets};

pub(super) fn vpc(prefix: &str, network: &Network, protected: bool, databases: bool) -> Value {
    // (A bad range was reported; it is not built.)
    let [private, public, database, intra] = subnets(&network.cidr, network.zones).unwrap_or_default();
    let mut m = json!({
        "source": VPC_MODULE.0,
        "version": VPC_MODULE.1,
        "name": prefix,
        "cidr": network.cidr,
        "azs": format!("${{slice(data.aws_availability_zones.available.names, 0, {})}}", network.zones),
        "private_subnets": private,
        "public_subnets": public,
        "enable_nat_gateway": true,
        // One NAT gateway per zone where a zone failure must not cut egress.
        "single_nat_gateway": network.single_nat.unwrap_or(!protected),
        "enable_dns_hostnames": true,
        "enable_flow_log": true,
        "create_flow_log_cloudwatch_log_group": true,
        "create_flow_log_cloudwatch_iam_role": true,
        "manage_default_security_group": true,
        "default_security_group_ingress": [],
        "default_security_group_egress": [],
        "public_subnet_tags": { "kubernetes.io/role/elb": "1" },
        "private_subnet_tags": { "kubernetes.io/role/internal-elb": "1" },
    });
    if network.intra
        && let Value::Object(o) = &mut m
    {
        o.insert("intra_subnets".into(), json!(intra));
    }
    if databases && let Value::Object(o) = &mut m {
        o.insert("database_subnets".into(), json!(database));
        o.insert("create_database_subnet_group".into(), json!(true));
    }
    m
}

/// The EKS module of cluster `c`; `deploy_access` is the access entry of
/// the deploy role, for the cluster deploys connect to.
pub(super) fn eks(project: &str, env: &str, c: &Cluster, intra: bool, deploy_access: Option<Value>) -> Value {
    let mut group = json!({
        "min_size": c.min_nodes,
        "max_size": c.max_nodes,
        "desired_size": c.min_nodes,
        "instance_types": [c.instance],
        "capacity_type": if c.capacity == "spot" { "SPOT" } else { "ON_DEMAND" },
    });
    // The module's node groups use a launch template: the disk is its
    // block device (encrypted gp3).
    if let (Some(disk), Value::Object(g)) = (&c.disk, &mut group) {
        g.insert(
            "block_device_mappings".into(),
            json!({ "xvda": {
                "device_name": "/dev/xvda",
                "ebs": {
                    "volume_size": disk.bytes.div_ceil(1 << 30).max(1),
                    "volume_type": "gp3",
                    "encrypted": true,
                    "delete_on_termination": true,
                },
            }}),
        );
    }
    let mut m = json!({
        "source": EKS_MODULE.0,
        "version": EKS_MODULE.1,
        "cluster_name": names::cluster_name(project, env, &c.name),
        "cluster_version": c.version,
        "vpc_id": "${module.vpc.vpc_id}",
        "subnet_ids": "${module.vpc.private_subnets}",
        // Deploy jobs run on GitHub's runners and reach the API over the
        // internet, authenticated by IAM.
        "cluster_endpoint_public_access": true,
        "enable_irsa": true,
        "enable_cluster_creator_admin_permissions": true,
        "cluster_enabled_log_types": ["api", "audit", "authenticator"],
        "eks_managed_node_groups": { "default": group },
    });
    if let (Some(entry), Value::Object(o)) = (deploy_access, &mut m) {
        o.insert("access_entries".into(), json!({ "deploy": entry }));
    }
    // The control plane's network interfaces in the intra subnets, which
    // reach nothing outside the VPC.
    if intra && let Value::Object(o) = &mut m {
        o.insert("control_plane_subnet_ids".into(), json!("${module.vpc.intra_subnets}"));
    }
    if !c.addons.is_empty()
        && let Value::Object(o) = &mut m
    {
        let addons: serde_json::Map<String, Value> = c
            .addons
            .iter()
            .map(|a| (a.clone(), json!({ "most_recent": true })))
            .collect();
        o.insert("cluster_addons".into(), Value::Object(addons));
    }
    m
}
