//! The network and the clusters: a VPC from the community module (private
//! subnets for nodes and databases), and an EKS cluster per `cluster`,
//! named as deploy jobs expect, which grants the deploy role access.

use serde_json::{Value, json};

use crate::model::Cluster;
use crate::model::names;
use crate::target::terraform::{EKS_MODULE, VPC_MODULE};

pub(super) fn vpc(prefix: &str, protected: bool, databases: bool) -> Value {
    let mut m = json!({
        "source": VPC_MODULE.0,
        "version": VPC_MODULE.1,
        "name": prefix,
        "cidr": "10.0.0.0/16",
        "azs": "${slice(data.aws_availability_zones.available.names, 0, 3)}",
        "private_subnets": ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
        "public_subnets": ["10.0.96.0/22", "10.0.100.0/22", "10.0.104.0/22"],
        "enable_nat_gateway": true,
        // One NAT gateway per zone where a zone failure must not cut egress.
        "single_nat_gateway": !protected,
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
    if databases && let Value::Object(o) = &mut m {
        o.insert(
            "database_subnets".into(),
            json!(["10.0.112.0/24", "10.0.113.0/24", "10.0.114.0/24"]),
        );
        o.insert("create_database_subnet_group".into(), json!(true));
    }
    m
}

pub(super) fn eks(project: &str, env: &str, c: &Cluster) -> Value {
    json!({
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
        "eks_managed_node_groups": { "default": {
            "min_size": c.min_nodes,
            "max_size": c.max_nodes,
            "desired_size": c.min_nodes,
            "instance_types": [c.instance],
        }},
        "access_entries": { "deploy": {
            "principal_arn": "${aws_iam_role.deploy.arn}",
            "policy_associations": { "cluster_admin": {
                "policy_arn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                "access_scope": { "type": "cluster" },
            }},
        }},
    })
}
