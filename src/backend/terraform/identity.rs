//! Identity: GitHub's OIDC provider and the deploy role, whose trust
//! policy allows exactly `repo:<repo>:environment:<env>`.

use serde_json::{Value, json};

use super::{GITHUB_OIDC, policy};
use crate::model::names;
use crate::model::{Infra, Model, Trust};

/// The trust policy's condition: the audience, and the subjects of this
/// environment's deploy jobs and of the workflows `deploy_role { }` names
/// (patterns such as `release/*` matched as IAM's `StringLike` does).
fn trust_condition(repo: &str, env: &str, trust: &Trust) -> Value {
    let mut subjects = vec![names::trusted_subject(repo, env)];
    subjects.extend(trust.branches.iter().map(|b| format!("repo:{repo}:ref:refs/heads/{b}")));
    subjects.extend(trust.tags.iter().map(|t| format!("repo:{repo}:ref:refs/tags/{t}")));
    if trust.pull_request {
        subjects.push(format!("repo:{repo}:pull_request"));
    }
    let audience = json!({ format!("{GITHUB_OIDC}:aud"): "sts.amazonaws.com" });
    if subjects.len() == 1 {
        let mut cond = audience;
        cond[format!("{GITHUB_OIDC}:sub")] = json!(subjects[0]);
        return json!({ "StringEquals": cond });
    }
    json!({
        "StringEquals": audience,
        "StringLike": { format!("{GITHUB_OIDC}:sub"): subjects },
    })
}

/// GitHub's OIDC provider and the deploy role that trusts exactly this
/// repository's `env` environment.
pub(super) fn github(model: &Model, env: &str, infra: &Infra, add: &mut impl FnMut(&str, &str, Value)) {
    add(
        "aws_iam_openid_connect_provider",
        "github",
        json!({
            "count": "${var.create_github_oidc_provider ? 1 : 0}",
            "url": format!("https://{GITHUB_OIDC}"),
            "client_id_list": ["sts.amazonaws.com"],
        }),
    );
    add(
        "aws_iam_role",
        "deploy",
        json!({
            "name": names::deploy_role(&model.project.name, env),
            "description": format!("Assumed by the GitHub Actions deploy jobs of {} to {env}", model.project.repo),
            "max_session_duration": 3600,
            "assume_role_policy": policy(&json!([{
                "Effect": "Allow",
                "Principal": { "Federated": "${local.github_oidc_provider_arn}" },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": trust_condition(&model.project.repo, env, &infra.trust),
            }])),
        }),
    );
    // Only the cluster its deploys connect to.
    if let Some(c) = model.target_cluster(infra) {
        let arns = [format!("${{module.eks_{}.cluster_arn}}", c.name)];
        add(
            "aws_iam_role_policy",
            "deploy",
            json!({
                "name": "connect-to-cluster",
                "role": "${aws_iam_role.deploy.id}",
                "policy": policy(&json!([{
                    "Effect": "Allow",
                    "Action": ["eks:DescribeCluster"],
                    "Resource": arns,
                }])),
            }),
        );
    }
}
