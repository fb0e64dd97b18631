//! The registry: pipelines (triggers, jobs, deploy jobs) and steps.

use super::*;

/// The activity types of `pull_request` events.
const PULL_REQUEST_TYPES: &[&str] = &[
    "assigned",
    "unassigned",
    "labeled",
    "unlabeled",
    "opened",
    "edited",
    "closed",
    "reopened",
    "synchronize",
    "converted_to_draft",
    "ready_for_review",
    "locked",
    "unlocked",
    "review_requested",
    "review_request_removed",
    "auto_merge_enabled",
    "auto_merge_disabled",
    "milestoned",
    "demilestoned",
    "enqueued",
    "dequeued",
];

pub(super) fn pipelines() -> Vec<BlockSchema> {
    vec![
        block(
            BlockId::Pipeline,
            "pipeline",
            Labels::Declare(Ns::Pipeline),
            "A CI/CD pipeline: one GitHub Actions workflow.",
        )
        .attrs(vec![
            opt(Attr::Name, Ty::Line, "name shown in GitHub's Actions tab (the pipeline's name by default)"),
            opt(
                Attr::RunName,
                Ty::Line,
                "name of each run; GitHub evaluates `${{ }}` in it (`\"Deploy ${{ inputs.env }}\"`)",
            ),
            opt(
                Attr::Timeout,
                Ty::Duration,
                "maximum run time of each job that sets none (GitHub's default, 6h, when not set here or on the project)",
            ),
        ])
        .children(&[
            BlockId::OnPush,
            BlockId::OnPullRequest,
            BlockId::OnSchedule,
            BlockId::OnTag,
            BlockId::OnManual,
            BlockId::OnCall,
            BlockId::OnWorkflowRun,
            BlockId::Permissions,
            BlockId::PipelineEnv,
            BlockId::PipelineDefaults,
            BlockId::Concurrency,
            BlockId::Job,
            BlockId::Deploy,
        ]),
        block(
            BlockId::PipelineEnv,
            "env",
            Labels::None,
            "Environment variables of every job (`secret(\"NAME\")` allowed).",
        )
        .once()
        .free(scalar_or_secret()),
        block(
            BlockId::PipelineDefaults,
            "defaults",
            Labels::None,
            "Defaults of every `run` step: shell and working directory.",
        )
        .once()
        .attrs(vec![
            opt(Attr::Shell, Ty::Line, "shell to run scripts with"),
            opt(Attr::WorkingDirectory, Ty::Line, "directory to run scripts in"),
        ]),
        block(
            BlockId::Permissions,
            "permissions",
            Labels::None,
            "`GITHUB_TOKEN` permissions: exactly these on a pipeline (`permissions { }` for none); on a job or template, what its steps need.",
        )
        .once()
        .free(Ty::Enum(PERMISSION_LEVELS))
        .keys(Keys::OneOf(PERMISSION_SCOPES)),
        block(
            BlockId::Concurrency,
            "concurrency",
            Labels::None,
            "At most one run (pipeline) or job of the group at a time.",
        )
        .once()
        .attrs(vec![
            req(Attr::Group, Ty::Line, "group name; GitHub evaluates `${{ }}` in it"),
            opt(
                Attr::CancelInProgress,
                Ty::Bool,
                "cancel the run in progress when a new one starts (else the new one waits)",
            )
            .default("false"),
        ]),
        block(BlockId::OnPush, "on", Labels::Variant, "Run on pushes to branches.")
            .variant("push")
            .optional_body()
            .attrs(vec![
                opt(Attr::Branches, list(Ty::Line), "branch patterns"),
                opt(Attr::Paths, list(Ty::Line), "run only when these paths change"),
                opt(
                    Attr::PathsIgnore,
                    list(Ty::Line),
                    "do not run when only these paths change",
                ),
            ]),
        block(BlockId::OnPullRequest, "on", Labels::Variant, "Run on pull requests.")
            .variant("pull_request")
            .optional_body()
            .attrs(vec![
                opt(Attr::Branches, list(Ty::Line), "target branch patterns"),
                opt(
                    Attr::Types,
                    list(Ty::Enum(PULL_REQUEST_TYPES)),
                    "activity types (GitHub's default: `opened`, `synchronize`, `reopened`)",
                ),
                opt(Attr::Paths, list(Ty::Line), "run only when these paths change"),
                opt(
                    Attr::PathsIgnore,
                    list(Ty::Line),
                    "do not run when only these paths change",
                ),
            ]),
        block(BlockId::OnSchedule, "on", Labels::Variant, "Run on a schedule.")
            .variant("schedule")
            .attrs(vec![req(Attr::Cron, Ty::Str, "five-field cron expression, in UTC")]),
        block(BlockId::OnTag, "on", Labels::Variant, "Run when a tag is pushed.")
            .variant("tag")
            .attrs(vec![req(Attr::Pattern, Ty::Line, "tag pattern, such as `v*`")]),
        block(
            BlockId::OnManual,
            "on",
            Labels::Variant,
            "Run by hand (workflow_dispatch).",
        )
        .variant("manual")
        .optional_body()
        .children(&[BlockId::ManualInput]),
        block(
            BlockId::OnCall,
            "on",
            Labels::Variant,
            "Run when another workflow calls this one (a reusable workflow, `workflow_call`).",
        )
        .variant("workflow_call")
        .optional_body()
        .children(&[BlockId::ManualInput, BlockId::CallSecret, BlockId::CallOutput]),
        block(
            BlockId::OnWorkflowRun,
            "on",
            Labels::Variant,
            "Run when another workflow of the repository runs (`workflow_run`).",
        )
        .variant("workflow_run")
        .attrs(vec![
            req(Attr::Workflows, list(Ty::Line), "names of the workflows to follow"),
            opt(
                Attr::Types,
                list(Ty::Enum(&["completed", "requested", "in_progress"])),
                "activity types",
            ),
            opt(Attr::Branches, list(Ty::Line), "branches of the followed runs"),
        ]),
        block(
            BlockId::CallSecret,
            "secret",
            Labels::Local,
            "A secret the calling workflow passes (`${{ secrets.NAME }}`).",
        )
        .optional_body()
        .attrs(vec![
            opt(Attr::Description, Ty::Str, "what the secret is for"),
            opt(Attr::Required, Ty::Bool, "whether callers must pass it").default("false"),
        ]),
        block(
            BlockId::CallOutput,
            "output",
            Labels::Local,
            "An output of the reusable workflow, read from a job's output.",
        )
        .attrs(vec![
            req(Attr::Value, Ty::Line, "`\"${{ jobs.JOB.outputs.NAME }}\"`"),
            opt(Attr::Description, Ty::Str, "what the output is"),
        ]),
        block(
            BlockId::ManualInput,
            "input",
            Labels::Local,
            "An input of a manual run or of a reusable workflow (`${{ inputs.NAME }}`).",
        )
        .attrs(vec![
            opt(Attr::Description, Ty::Str, "shown in the run form"),
            opt(Attr::Type, Ty::Enum(INPUT_TYPES), "input type").default("string"),
            opt(Attr::Default, Ty::Scalar, "default value"),
            opt(Attr::Required, Ty::Bool, "whether a value must be given").default("false"),
            opt(Attr::Options, list(Ty::Line), "choices, for `type = choice`"),
        ]),
        block(
            BlockId::Job,
            "job",
            Labels::Declare(Ns::Job),
            "A job: steps on one runner.",
        )
        .attrs(vec![
            opt(Attr::Name, Ty::Line, "name shown in the run (the job's name by default); GitHub evaluates `${{ }}` in it"),
            opt(Attr::Needs, list(Ty::Ref(Ns::Job)), "jobs that must finish first"),
            opt(Attr::RunsOn, Ty::Line, "runner label").default("\"ubuntu-latest\""),
            opt(
                Attr::Timeout,
                Ty::Duration,
                "maximum run time (else the pipeline's or project's, else GitHub's 6h)",
            ),
            opt(Attr::If, Ty::Str, "GitHub Actions condition"),
            opt(
                Attr::Environment,
                Ty::Ref(Ns::Environment),
                "GitHub environment the job runs in (its approvals and secrets)",
            ),
            opt(
                Attr::ContinueOnError,
                Ty::Bool,
                "let the run succeed if this job fails",
            )
            .default("false"),
            opt(
                Attr::Workflow,
                Ty::Line,
                "call a reusable workflow instead of running steps: `./.github/workflows/X.yml` or `owner/repo/.github/workflows/X.yml@SHA`",
            ),
            opt(
                Attr::InheritSecrets,
                Ty::Bool,
                "pass every secret of this workflow to the called workflow",
            )
            .default("false"),
        ])
        .children(&[
            BlockId::Permissions,
            BlockId::Concurrency,
            BlockId::JobEnv,
            BlockId::JobMatrix,
            BlockId::JobServices,
            BlockId::JobServiceContainer,
            BlockId::JobContainer,
            BlockId::JobOutputs,
            BlockId::With,
            BlockId::JobSecrets,
            BlockId::Run,
            BlockId::Uses,
        ]),
        block(
            BlockId::JobOutputs,
            "outputs",
            Labels::None,
            "Outputs other jobs read as `${{ needs.JOB.outputs.NAME }}`: NAME = \"${{ steps.ID.outputs.X }}\".",
        )
        .once()
        .free(Ty::Line),
        block(
            BlockId::JobContainer,
            "container",
            Labels::None,
            "Run the job's steps in a container.",
        )
        .once()
        .attrs(vec![
            req(Attr::Image, Ty::Line, "container image"),
            opt(Attr::Options, Ty::Line, "`docker create` options"),
        ])
        .children(&[BlockId::StepEnv]),
        block(
            BlockId::JobServiceContainer,
            "service_container",
            Labels::Local,
            "A service container with ports, options and environment (`services { NAME = IMAGE }` for an image alone).",
        )
        .attrs(vec![
            req(Attr::Image, Ty::Line, "container image"),
            opt(Attr::Ports, list(Ty::Line), "ports to publish, `HOST:CONTAINER` (needed when the job runs on the runner itself)"),
            opt(Attr::Options, Ty::Line, "`docker create` options, such as a health check"),
        ])
        .children(&[BlockId::StepEnv]),
        block(
            BlockId::JobSecrets,
            "secrets",
            Labels::None,
            "Secrets passed to the called reusable workflow: NAME = secret(\"X\") (or an expression such as `\"${{ github.token }}\"`).",
        )
        .once()
        .free(scalar_or_secret()),
        block(
            BlockId::JobEnv,
            "env",
            Labels::None,
            "Environment variables for every step (`secret(\"NAME\")` allowed).",
        )
        .once()
        .free(scalar_or_secret()),
        block(
            BlockId::JobMatrix,
            "matrix",
            Labels::None,
            "Run the job once per combination of values: KEY = [VALUES], or a run-time list `KEY = \"${{ fromJSON(...) }}\"`.",
        )
        .once()
        .free(Ty::Either(Box::new(list(Ty::Scalar)), Box::new(Ty::Str)))
        .attrs(vec![
            opt(
                Attr::From,
                Ty::Line,
                "the whole matrix computed at run time: `\"${{ fromJSON(needs.JOB.outputs.NAME) }}\"`",
            ),
            opt(Attr::FailFast, Ty::Bool, "cancel the other combinations when one fails").default("true"),
            opt(Attr::MaxParallel, Ty::Int, "most combinations running at once").bounds(Some(1.0), Some(256.0)),
        ])
        .children(&[BlockId::MatrixInclude, BlockId::MatrixExclude]),
        block(
            BlockId::MatrixInclude,
            "include",
            Labels::None,
            "A combination to add, or values to add to the combinations it matches.",
        )
        .free(Ty::Scalar),
        block(
            BlockId::MatrixExclude,
            "exclude",
            Labels::None,
            "Combinations to leave out: those matching every value given.",
        )
        .free(Ty::Scalar),
        block(
            BlockId::JobServices,
            "services",
            Labels::None,
            "Service containers: NAME = image.",
        )
        .once()
        .free(Ty::Line),
        block(
            BlockId::Deploy,
            "deploy",
            Labels::Refer(Ns::Environment),
            "Deploy services to an environment.",
        )
        .attrs(vec![
            opt(Attr::Needs, list(Ty::Ref(Ns::Job)), "jobs that must finish first"),
            req(Attr::Services, list(Ty::Ref(Ns::Service)), "services to deploy"),
            opt(
                Attr::Rollout,
                Ty::Ref(Ns::Rollout),
                "progressive delivery strategy to wait for",
            ),
            opt(
                Attr::Rollouts,
                list(Ty::Ref(Ns::Rollout)),
                "several rollouts, one per service (besides those bound to this environment)",
            ),
            opt(Attr::If, Ty::Str, "GitHub Actions condition"),
            opt(
                Attr::Timeout,
                Ty::Duration,
                "maximum run time (else the pipeline's or project's, else GitHub's 6h)",
            ),
            opt(
                Attr::PullRequests,
                Ty::Bool,
                "deploy on pull-request events too (preview environments); else never",
            )
            .default("false"),
        ])
        .children(&[BlockId::Uses]),
        block(BlockId::Run, "run", Labels::Script, "A shell step: `run \"npm test\"`.")
            .optional_body()
            .attrs(vec![
                opt(Attr::Name, Ty::Line, "step name shown in the run log"),
                opt(Attr::Id, Ty::Line, "step id: later steps read `${{ steps.ID.outputs.NAME }}`"),
                opt(
                    Attr::Outputs,
                    list(Ty::Line),
                    "the outputs the script writes to `$GITHUB_OUTPUT` (found in the script when not given)",
                ),
                opt(Attr::If, Ty::Str, "GitHub Actions condition"),
                opt(Attr::Timeout, Ty::Duration, "maximum run time of the step"),
                opt(Attr::Shell, Ty::Line, "shell to run the script with"),
                opt(Attr::WorkingDirectory, Ty::Line, "directory to run in"),
                opt(Attr::ContinueOnError, Ty::Bool, "let the job go on if this step fails").default("false"),
            ])
            .children(&[BlockId::StepEnv]),
        block(
            BlockId::Uses,
            "uses",
            Labels::Uses,
            "A template (`uses checkout`) or an action (`uses \"owner/repo@SHA\"`).",
        )
        .optional_body()
        .free(Ty::Any)
        .children(&[BlockId::With, BlockId::StepEnv]),
        block(
            BlockId::With,
            "with",
            Labels::None,
            "Inputs of an action or of a called workflow (`secret(\"NAME\")` allowed).",
        )
        .once()
        .free(scalar_or_secret()),
        block(
            BlockId::StepEnv,
            "env",
            Labels::None,
            "Environment variables of one step (`secret(\"NAME\")` allowed).",
        )
        .once()
        .free(scalar_or_secret()),
    ]
}
