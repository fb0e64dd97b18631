//! Deploy jobs: the GitHub environment (approvals), one deploy per
//! environment at a time, the OIDC login to the role the Terraform target
//! creates, `helm upgrade --install --atomic --wait` of each service's chart
//! with its environment's values, and the wait for the service's rollout.
//! Values reach the scripts through `env:`, never `${{ }}`.

use indexmap::IndexMap;

use super::{Concurrency, Job, JobEnvironment, Scalar, Step, Uses};
use crate::model::image::ImageRef;
use crate::model::{self, Model, names};
use crate::target::actions::{AWS_CREDENTIALS, CHECKOUT, SETUP_HELM};
use crate::target::paths;

/// A deploy job: environment, concurrency, OIDC login, Helm per service,
/// and the rollout wait.
pub(super) fn deploy(m: &Model, d: &model::Deploy, job: &mut Job) {
    let env = m.environment(&d.environment);
    let region = m.region(&d.environment);
    let cluster = m.deploy_cluster(&d.environment);
    let namespace = env
        .and_then(|e| e.namespace.clone())
        .unwrap_or_else(|| "default".to_string());
    job.environment = Some(JobEnvironment {
        name: d.environment.clone(),
        url: env.and_then(|e| e.url.clone()),
    });
    job.concurrency = Some(Concurrency {
        group: deploy_concurrency(&d.environment),
        cancel_in_progress: false,
    });
    let rollout = d.rollout.as_ref().and_then(|r| m.rollout(r));
    let checkout = Step {
        uses: Some(Uses::new(CHECKOUT.0)),
        with: IndexMap::from([("persist-credentials".to_string(), Scalar::Bool(false))]),
        ..Step::default()
    };
    if !d.mechanism.is_empty() {
        // The deploy's own template: its steps per service, then the wait
        // for the service's rollout.
        let mut permissions = IndexMap::from([("contents".to_string(), "read".to_string())]);
        super::widen(&mut permissions, &d.mechanism_permissions);
        job.permissions = Some(permissions);
        let mut steps = vec![checkout];
        for (i, (svc, mechanism)) in d.mechanism.iter().enumerate() {
            steps.extend(mechanism.iter().map(super::step));
            // After the service's last step.
            let last = !d.mechanism[i + 1..].iter().any(|(s, _)| s == svc);
            if let Some(r) = rollout.filter(|r| &r.service == svc && last) {
                steps.push(rollout_wait(&r.name, svc, &namespace));
            }
        }
        job.steps = Some(super::dedup_setup(steps));
        return;
    }
    job.permissions = Some(IndexMap::from([
        ("contents".to_string(), "read".to_string()),
        ("id-token".to_string(), "write".to_string()),
    ]));
    let role = format!(
        "arn:aws:iam::${{{{ vars.AWS_ACCOUNT_ID }}}}:role/{}",
        names::deploy_role(&m.project.name, &d.environment)
    );
    let mut steps = vec![
        checkout,
        Step {
            name: Some("Log in to AWS (OIDC)".to_string()),
            uses: Some(Uses::new(AWS_CREDENTIALS.0)),
            with: IndexMap::from([
                ("role-to-assume".to_string(), Scalar::Str(role)),
                (
                    "aws-region".to_string(),
                    Scalar::Str(region.clone().unwrap_or_default()),
                ),
            ]),
            ..Step::default()
        },
        Step {
            uses: Some(Uses::new(SETUP_HELM.0)),
            ..Step::default()
        },
        Step {
            name: Some("Connect to the cluster".to_string()),
            env: IndexMap::from([
                ("CLUSTER".to_string(), cluster.unwrap_or_default()),
                ("REGION".to_string(), region.unwrap_or_default()),
            ]),
            run: Some("aws eks update-kubeconfig --name \"$CLUSTER\" --region \"$REGION\"\n".to_string()),
            ..Step::default()
        },
    ];
    for svc in &d.services {
        let mut env = IndexMap::from([
            ("RELEASE".to_string(), svc.clone()),
            ("CHART".to_string(), paths::chart_dir(svc)),
            ("VALUES".to_string(), paths::values(svc)),
            ("ENV_VALUES".to_string(), paths::env_values(svc, &d.environment)),
            ("NAMESPACE".to_string(), namespace.clone()),
        ]);
        // An image written with a tag or digest is deployed as written;
        // any other is the one built from this commit, tagged with its SHA.
        let pinned = m
            .service(svc)
            .map(|s| s.per_env.get(&d.environment).unwrap_or(&s.base))
            .and_then(|c| ImageRef::parse(&c.image).ok())
            .is_some_and(|i| i.is_pinned());
        let run = if pinned {
            "helm upgrade --install \"$RELEASE\" \"$CHART\" \\\n  --namespace \"$NAMESPACE\" --create-namespace \\\n  --values \"$VALUES\" --values \"$ENV_VALUES\" \\\n  --atomic --wait --timeout 10m\n"
        } else {
            env.insert("IMAGE_TAG".to_string(), "${{ github.sha }}".to_string());
            "helm upgrade --install \"$RELEASE\" \"$CHART\" \\\n  --namespace \"$NAMESPACE\" --create-namespace \\\n  --values \"$VALUES\" --values \"$ENV_VALUES\" \\\n  --set-string image.tag=\"$IMAGE_TAG\" \\\n  --atomic --wait --timeout 10m\n"
        };
        steps.push(Step {
            name: Some(format!("Deploy {svc}")),
            env,
            run: Some(run.to_string()),
            ..Step::default()
        });
        if let Some(r) = rollout.filter(|r| &r.service == svc) {
            steps.push(rollout_wait(&r.name, svc, &namespace));
        }
    }
    job.steps = Some(steps);
}

/// The step that waits for `svc`'s rollout to become healthy.
fn rollout_wait(rollout: &str, svc: &str, namespace: &str) -> Step {
    Step {
        name: Some(format!("Wait for the {rollout} rollout of {svc}")),
        env: IndexMap::from([
            ("ROLLOUT".to_string(), svc.to_string()),
            ("NAMESPACE".to_string(), namespace.to_string()),
        ]),
        run: Some(
            "kubectl wait \"rollout/$ROLLOUT\" --namespace \"$NAMESPACE\" \\\n  --for=jsonpath='{.status.phase}'=Healthy --timeout=60m\n"
                .to_string(),
        ),
        ..Step::default()
    }
}

/// The GitHub concurrency group of deploys to `env`: one deploy per
/// environment at a time, never cancelled half-way.
fn deploy_concurrency(env: &str) -> String {
    format!("deploy-{env}")
}
