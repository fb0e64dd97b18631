//! The registry: pipelines (triggers, jobs, deploy jobs) and steps.

use super::*;

pub(super) fn pipelines() -> Vec<BlockSchema> {
    vec![
        block(
            BlockId::Pipeline,
            "pipeline",
            Labels::Declare(Ns::Pipeline),
            "A CI/CD pipeline: one GitHub Actions workflow.",
        )
        .children(&[
            BlockId::OnPush,
            BlockId::OnPullRequest,
            BlockId::OnSchedule,
            BlockId::OnTag,
            BlockId::OnManual,
            BlockId::Job,
            BlockId::Deploy,
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
            BlockId::ManualInput,
            "input",
            Labels::Local,
            "An input of a manual run.",
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
            opt(Attr::Needs, list(Ty::Ref(Ns::Job)), "jobs that must finish first"),
            opt(Attr::RunsOn, Ty::Line, "runner label").default("\"ubuntu-latest\""),
            opt(Attr::Timeout, Ty::Duration, "maximum run time").default("30m"),
            opt(Attr::If, Ty::Str, "GitHub Actions condition"),
        ])
        .children(&[
            BlockId::JobEnv,
            BlockId::JobMatrix,
            BlockId::JobServices,
            BlockId::Run,
            BlockId::Uses,
        ]),
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
            "Run the job once per combination of values.",
        )
        .once()
        .free(list(Ty::Scalar)),
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
            opt(Attr::If, Ty::Str, "GitHub Actions condition"),
            opt(Attr::Timeout, Ty::Duration, "maximum run time").default("30m"),
        ]),
        block(BlockId::Run, "run", Labels::Script, "A shell step: `run \"npm test\"`.")
            .optional_body()
            .attrs(vec![
                opt(Attr::Name, Ty::Line, "step name shown in the run log"),
                opt(Attr::If, Ty::Str, "GitHub Actions condition"),
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
        block(BlockId::With, "with", Labels::None, "Inputs of an action.")
            .once()
            .free(Ty::Scalar),
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
