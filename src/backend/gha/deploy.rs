//! Deploy jobs: the GitHub environment (approvals), one deploy per
//! environment at a time, the OIDC login to the role the Terraform target
//! creates, `helm upgrade --install --atomic --wait` of each service's chart
//! with its environment's values (a step each, or one step looping over
//! [`LOOP_FROM`] or more alike services in a row), and the wait for the
//! service's rollout.
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
    let namespace = m.namespace(&d.environment);
    job.environment = Some(JobEnvironment {
        name: d.environment.clone(),
        url: env.and_then(|e| e.url.clone()),
    });
    job.concurrency = Some(Concurrency {
        group: deploy_concurrency(&d.environment),
        cancel_in_progress: false,
    });
    let rollouts = m.deploy_rollouts(d);
    let rollout_of = |svc: &str| rollouts.iter().map(|(r, _)| *r).find(|r| r.service == svc);
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
            if let Some(r) = rollout_of(svc).filter(|_| last) {
                steps.push(rollout_wait(r, svc, &namespace));
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
    // Services in a row that share a chart and how their image is tagged,
    // without a rollout to wait for: deployed by one step when there are
    // many (a loop, a log group each), else a step each.
    let plain = |svc: &str| rollout_of(svc).is_none();
    let mut at = 0;
    while at < d.services.len() {
        let svc = &d.services[at];
        let key = |s: &str| (chart_of(m, s), pinned(m, s, &d.environment));
        let run = d.services[at..]
            .iter()
            .take_while(|s| plain(s) && key(s) == key(svc))
            .count();
        if run >= LOOP_FROM {
            steps.push(deploy_many(m, &d.services[at..at + run], &d.environment, &namespace));
            at += run;
            continue;
        }
        steps.push(deploy_one(m, svc, &d.environment, &namespace));
        if let Some(r) = rollout_of(svc) {
            steps.push(rollout_wait(r, svc, &namespace));
        }
        at += 1;
    }
    job.steps = Some(steps);
}

/// From how many services in a row (same chart, no rollout) one step
/// deploys them all.
pub const LOOP_FROM: usize = 8;

/// The chart `svc` is installed from.
fn chart_of(m: &Model, svc: &str) -> String {
    paths::chart_of(&m.project.name, svc, m.service(svc).is_some_and(|s| s.own_chart))
}

/// Whether `svc`'s image in `env` is written with a tag or digest (then
/// deployed as written; any other is the one built from this commit,
/// tagged with its SHA).
fn pinned(m: &Model, svc: &str, env: &str) -> bool {
    m.service(svc)
        .map(|s| s.per_env.get(env).unwrap_or(&s.base))
        .and_then(|c| ImageRef::parse(&c.image).ok())
        .is_some_and(|i| i.is_pinned())
}

/// The `helm upgrade` of one release; `values` and `env_values` are the
/// shell words of its values files.
fn helm_upgrade(release: &str, values: &str, env_values: &str, pinned: bool, create_namespace: bool) -> String {
    let tag = if pinned {
        ""
    } else {
        "  --set-string image.tag=\"$IMAGE_TAG\" \\\n"
    };
    let create = if create_namespace { " --create-namespace" } else { "" };
    format!(
        "helm upgrade --install {release} \"$CHART\" \\\n  --namespace \"$NAMESPACE\"{create} \\\n  --values {values} --values {env_values} \\\n{tag}  --atomic --wait --timeout 10m\n"
    )
}

/// The step deploying one service.
fn deploy_one(m: &Model, svc: &str, environment: &str, namespace: &str) -> Step {
    let pinned = pinned(m, svc, environment);
    let mut env = IndexMap::from([
        ("RELEASE".to_string(), svc.to_string()),
        ("CHART".to_string(), chart_of(m, svc)),
        ("VALUES".to_string(), paths::values(svc)),
        ("ENV_VALUES".to_string(), paths::env_values(svc, environment)),
        ("NAMESPACE".to_string(), namespace.to_string()),
    ]);
    if !pinned {
        env.insert("IMAGE_TAG".to_string(), "${{ github.sha }}".to_string());
    }
    Step {
        name: Some(format!("Deploy {svc}")),
        env,
        run: Some(helm_upgrade(
            "\"$RELEASE\"",
            "\"$VALUES\"",
            "\"$ENV_VALUES\"",
            pinned,
            m.deploy_creates_namespace(environment),
        )),
        ..Step::default()
    }
}

/// The step deploying `services` (sharing a chart and a tagging) one after
/// the other, each in a log group; the first that fails stops it.
fn deploy_many(m: &Model, services: &[String], environment: &str, namespace: &str) -> Step {
    let first = &services[0];
    let pinned = pinned(m, first, environment);
    let mut env = IndexMap::from([
        ("SERVICES".to_string(), services.join(" ")),
        ("CHART".to_string(), chart_of(m, first)),
        ("ENVIRONMENT".to_string(), environment.to_string()),
        ("NAMESPACE".to_string(), namespace.to_string()),
    ]);
    if !pinned {
        env.insert("IMAGE_TAG".to_string(), "${{ github.sha }}".to_string());
    }
    // The values files, as `target::paths` names them, with the service
    // and the environment from the shell.
    let values = format!("\"{}\"", paths::values("$service"));
    let env_values = format!("\"{}\"", paths::env_values("$service", "$ENVIRONMENT"));
    let create_namespace = m.deploy_creates_namespace(environment);
    let upgrade: String = helm_upgrade("\"$service\"", &values, &env_values, pinned, create_namespace)
        .lines()
        .map(|l| format!("  {l}\n"))
        .collect();
    let run = format!(
        "for service in $SERVICES; do\n  echo \"::group::Deploy $service\"\n{upgrade}  echo \"::endgroup::\"\ndone\n"
    );
    Step {
        name: Some(format!(
            "Deploy {} services ({} to {})",
            services.len(),
            first,
            services[services.len() - 1]
        )),
        env,
        run: Some(run),
        ..Step::default()
    }
}

/// The step that waits for `svc`'s rollout: until it is healthy, or stops
/// where it waits for a person (then the job ends with a notice saying how
/// to promote), or fails; for as long as the rollout runs by itself
/// (`target::rollout::plan`) and a quarter of an hour more.
fn rollout_wait(r: &model::Rollout, svc: &str, namespace: &str) -> Step {
    let plan = crate::target::rollout::plan(r);
    let manual = match plan.manual {
        Some(crate::target::rollout::Manual::CanaryStep(i)) => format!("step:{i}"),
        Some(crate::target::rollout::Manual::BlueGreen) => "blue-green".to_string(),
        None => String::new(),
    };
    Step {
        name: Some(format!("Wait for the {} rollout of {svc}", r.name)),
        env: IndexMap::from([
            ("ROLLOUT".to_string(), svc.to_string()),
            ("NAMESPACE".to_string(), namespace.to_string()),
            (
                "TIMEOUT_SECONDS".to_string(),
                (plan.unattended.secs() + WAIT_MARGIN).to_string(),
            ),
            ("MANUAL".to_string(), manual),
        ]),
        run: Some(WAIT_SCRIPT.to_string()),
        ..Step::default()
    }
}

/// Beyond the rollout's own course: image pulls, pod start-up, the
/// controller's reconciliation.
const WAIT_MARGIN: u64 = 15 * 60;

/// Polls the rollout's phase. `MANUAL` names where it waits for promotion
/// (`step:N`, the Argo step index, or `blue-green`), if anywhere.
const WAIT_SCRIPT: &str = r#"deadline=$(( $(date +%s) + TIMEOUT_SECONDS ))
while :; do
  status=$(kubectl get "rollout/$ROLLOUT" --namespace "$NAMESPACE" \
    -o jsonpath='{.status.phase}|{.status.currentStepIndex}|{.status.pauseConditions[0].reason}')
  IFS='|' read -r phase step reason <<< "$status"
  case "$phase" in
    Healthy)
      echo "rollout $ROLLOUT is healthy"
      exit 0 ;;
    Degraded)
      echo "::error::rollout $ROLLOUT is degraded (aborted or failed); see: kubectl argo rollouts get rollout $ROLLOUT --namespace $NAMESPACE"
      exit 1 ;;
    Paused)
      if { [ "$MANUAL" = blue-green ] && [ "$reason" = BlueGreenPause ]; } || [ "$MANUAL" = "step:$step" ]; then
        message="rollout $ROLLOUT is paused for promotion: kubectl argo rollouts promote $ROLLOUT --namespace $NAMESPACE"
        echo "::notice::$message"
        echo "$message" >> "$GITHUB_STEP_SUMMARY"
        exit 0
      fi ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "::error::rollout $ROLLOUT did not finish within $TIMEOUT_SECONDS seconds"
    exit 1
  fi
  sleep 10
done
"#;

/// The GitHub concurrency group of deploys to `env`: one deploy per
/// environment at a time, never cancelled half-way.
fn deploy_concurrency(env: &str) -> String {
    format!("deploy-{env}")
}
