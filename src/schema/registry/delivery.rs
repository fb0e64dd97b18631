//! The registry: rollouts, alerts and SLOs.

use super::*;

/// The `labels` of an SLO's `page` or `ticket` block.
fn route_labels(id: BlockId) -> BlockSchema {
    block(id, "labels", Labels::None, "Labels of these alerts only.")
        .once()
        .free(Ty::Str)
        .keys(Keys::PrometheusLabel)
}

/// The attributes of an SLO's `page` and `ticket` blocks.
fn route_attrs(severity: &'static str) -> Vec<AttrSchema> {
    vec![
        opt(Attr::Severity, Ty::Enum(SEVERITIES), "routing severity").default(severity),
        opt(Attr::Runbook, Ty::Line, "runbook URL"),
        opt(
            Attr::For,
            Ty::Duration,
            "how long both windows must burn before these alerts fire (by default 2m and 15m for the page rows, 1h and 3h for the ticket rows)",
        ),
    ]
}

/// A pause: a duration, or `manual` (wait for promotion).
fn pause_ty() -> Ty {
    Ty::Either(Box::new(Ty::Duration), Box::new(Ty::Enum(&["manual"])))
}

/// What can split a canary's traffic.
pub const ROUTERS: &[&str] = &["istio", "nginx", "alb"];

pub(super) fn delivery() -> Vec<BlockSchema> {
    vec![
        block(
            BlockId::Rollout,
            "rollout",
            Labels::Declare(Ns::Rollout),
            "Progressive delivery for a service.",
        )
        .attrs(vec![
            req(Attr::Service, Ty::Ref(Ns::Service), "the service rolled out"),
            opt(
                Attr::Environments,
                list(Ty::Ref(Ns::Environment)),
                "environments where every deploy of the service uses it, named by the deploy or not",
            ),
            opt(
                Attr::AbortOn,
                list(Ty::Ref(Ns::Alert)),
                "alerts whose firing aborts and rolls back",
            ),
            opt(
                Attr::ProgressDeadline,
                Ty::Duration,
                "how long a step may take to make progress before the rollout aborts (Argo's 10 minutes unless set)",
            ),
            opt(
                Attr::AbortOnSlo,
                list(Ty::Ref(Ns::Slo)),
                "SLOs whose budget burning at their page rate over 5 minutes aborts and rolls back",
            ),
        ])
        .children(&[
            BlockId::Canary,
            BlockId::BlueGreen,
            BlockId::RolloutAnalysis,
            BlockId::RolloutGate,
            BlockId::RolloutTraffic,
            BlockId::RolloutCheck,
        ]),
        block(
            BlockId::RolloutCheck,
            "check",
            Labels::Local,
            "A container run as a step of the rollout (smoke tests, a load test): its failure aborts and rolls back.",
        )
        .attrs(vec![
            req(Attr::Image, Ty::Line, "the image that runs the check"),
            opt(Attr::Command, list(Ty::Str), "its command (the image's entrypoint unless set)"),
            opt(Attr::Args, list(Ty::Str), "its arguments"),
            opt(
                Attr::AfterStep,
                Ty::Int,
                "a canary's: run after this many steps (0, the default: before the first); a blue-green rollout's run before the switch",
            )
            .default("0")
            .bounds(Some(0.0), Some(100.0)),
            opt(Attr::Timeout, Ty::Duration, "how long it may run before it counts as failed").default("10m"),
        ]),
        block(
            BlockId::RolloutTraffic,
            "traffic",
            Labels::None,
            "Traffic routing: the canary's weights split requests at the mesh or load balancer, whatever the replica count.",
        )
        .once()
        .attrs(vec![
            req(
                Attr::Router,
                Ty::Enum(ROUTERS),
                "what splits the traffic: an Istio VirtualService (the chart creates it), the NGINX ingress controller or the AWS load balancer controller (both through the service's `ingress`)",
            ),
            opt(
                Attr::Gateways,
                list(Ty::Line),
                "Istio gateways the VirtualService is bound to (`istio-system/public`); the mesh only unless set",
            ),
            opt(
                Attr::Hosts,
                list(Ty::Line),
                "host names the VirtualService routes (the service's own name unless set)",
            ),
            opt(
                Attr::Header,
                Ty::Line,
                "A/B testing: requests with this header go to the new version from the first step (Istio and NGINX)",
            ),
            opt(Attr::HeaderValue, Ty::Line, "the value the header must have").default("\"always\""),
        ]),
        block(
            BlockId::RolloutGate,
            "gate",
            Labels::Local,
            "A condition on a PromQL query that every measurement must meet, else the rollout aborts.",
        )
        .attrs(vec![
            req(Attr::Query, Ty::Str, "PromQL query returning one value"),
            opt(Attr::Below, Ty::Number, "the value must stay below this"),
            opt(Attr::Above, Ty::Number, "the value must stay above this (a success rate: `above = 0.99`)"),
        ]),
        block(
            BlockId::RolloutAnalysis,
            "analysis",
            Labels::None,
            "How the `abort_on` alerts are measured while the rollout runs.",
        )
        .once()
        .attrs(vec![
            opt(Attr::Interval, Ty::Duration, "time between two measurements").default("1m"),
            opt(
                Attr::Count,
                Ty::Int,
                "measurements before the analysis succeeds (blue-green: 5 unless set; a canary's runs until the rollout ends unless set)",
            )
            .bounds(Some(1.0), Some(super::MAX_COUNT)),
            opt(
                Attr::FailureLimit,
                Ty::Int,
                "failed measurements tolerated before the rollout aborts",
            )
            .default("0")
            .bounds(Some(0.0), Some(super::MAX_COUNT)),
            opt(
                Attr::InitialDelay,
                Ty::Duration,
                "wait before the first measurement (lets the new version warm up)",
            ),
        ]),
        block(
            BlockId::Canary,
            "canary",
            Labels::None,
            "Shift traffic in steps: `step { }` blocks, or `step_weight` up to `max_weight` with a `pause` after each.",
        )
        .once()
        .attrs(vec![
            opt(
                Attr::StepWeight,
                Ty::Percent,
                "the shorthand: raise the weight by this much at each step (instead of `step` blocks)",
            )
            .bounds(Some(1.0), Some(100.0)),
            opt(
                Attr::MaxWeight,
                Ty::Percent,
                "the shorthand: the last weight before the whole traffic moves (100% unless set)",
            )
            .bounds(Some(1.0), Some(100.0)),
            opt(
                Attr::Pause,
                pause_ty(),
                "the shorthand: wait after each step; `manual` waits for promotion",
            ),
        ])
        .children(&[BlockId::CanaryStep]),
        block(BlockId::CanaryStep, "step", Labels::None, "One canary step.").attrs(vec![
            req(Attr::Weight, Ty::Percent, "share of traffic on the new version").bounds(Some(1.0), Some(100.0)),
            opt(
                Attr::Pause,
                pause_ty(),
                "wait before the next step; `manual` waits for promotion",
            ),
        ]),
        block(
            BlockId::BlueGreen,
            "blue_green",
            Labels::None,
            "Switch all traffic at once after a preview.",
        )
        .once()
        .attrs(vec![
            opt(Attr::Preview, Ty::Bool, "expose the new version on a preview service").default("true"),
            opt(Attr::AutoPromote, Ty::Bool, "promote without manual approval").default("false"),
            opt(
                Attr::ScaleDownDelay,
                Ty::Duration,
                "keep the old version this long after promotion",
            )
            .default("30s"),
            opt(
                Attr::PostPromotion,
                Ty::Bool,
                "measure the analysis again after the switch; a failure switches traffic back to the old version while it is kept (`scale_down_delay`)",
            )
            .default("false"),
        ]),
        block(
            BlockId::Alert,
            "alert",
            Labels::Declare(Ns::Alert),
            "A Prometheus alerting rule.",
        )
        .attrs(vec![
            opt(
                Attr::Service,
                Ty::Ref(Ns::Service),
                "the service the alert is about (none for alerts on the platform itself)",
            ),
            opt(
                Attr::Name,
                Ty::Line,
                "the alert's name in Prometheus (the block's name by default); several alerts may share one, at different severities",
            ),
            req(Attr::Expr, Ty::Str, "PromQL condition"),
            opt(Attr::For, Ty::Duration, "how long the condition must hold").default("0s"),
            opt(
                Attr::KeepFiringFor,
                Ty::Duration,
                "keep firing this long after it clears",
            ),
            opt(Attr::Severity, Ty::Enum(SEVERITIES), "routing severity").default("warning"),
            opt(Attr::Summary, Ty::Str, "one-line summary annotation"),
            opt(
                Attr::Description,
                Ty::Str,
                "description annotation; Prometheus templates allowed",
            ),
            opt(Attr::Runbook, Ty::Line, "runbook URL"),
            opt(
                Attr::Group,
                Ty::Ref(Ns::Group),
                "the rule group it is evaluated in (else a group per service)",
            ),
            opt(
                Attr::Team,
                Ty::Line,
                "owning team (defaults to the service's team, then the project owner)",
            ),
            opt(
                Attr::RoutingLabels,
                Ty::Bool,
                "add `team` and `service` labels for routing, to the series that lack them (never replacing their own)",
            )
            .default("true"),
        ])
        .children(&[BlockId::AlertLabels, BlockId::AlertAnnotations]),
        block(BlockId::AlertLabels, "labels", Labels::None, "Extra alert labels.")
            .once()
            .free(Ty::Str)
            .keys(Keys::PrometheusLabel),
        block(
            BlockId::AlertTest,
            "alert_test",
            Labels::Local,
            "A promtool unit test of an alert: input series, and when it fires (with which labels) or stays silent.",
        )
        .attrs(vec![
            req(Attr::Alert, Ty::Ref(Ns::Alert), "the alert tested"),
            opt(Attr::Interval, Ty::Duration, "time between the samples of the input series").default("1m"),
        ])
        .children(&[BlockId::TestInput, BlockId::TestFires, BlockId::TestSilent]),
        block(BlockId::TestInput, "input", Labels::None, "An input series and its samples.").attrs(vec![
            req(Attr::Series, Ty::Str, "the series: `` `metric{label=\"value\"}` ``"),
            req(
                Attr::Values,
                Ty::Line,
                "samples in promtool's notation: `0+10x20` (start, step, count), `1 2 3`, `_` (missing), `stale`",
            ),
        ]),
        block(
            BlockId::TestFires,
            "fires",
            Labels::None,
            "The alert fires at `at` for a series with these labels (besides those dvcc adds: `alertname`, `severity`, routing labels).",
        )
        .optional_body()
        .attrs(vec![req(Attr::At, Ty::Duration, "time from the start of the series")])
        .children(&[BlockId::TestFiresLabels]),
        block(BlockId::TestFiresLabels, "labels", Labels::None, "The firing alert's own labels.")
            .once()
            .free(Ty::Str)
            .keys(Keys::PrometheusLabel),
        block(BlockId::TestSilent, "silent", Labels::None, "The alert does not fire at `at`.")
            .attrs(vec![req(Attr::At, Ty::Duration, "time from the start of the series")]),
        block(
            BlockId::Group,
            "group",
            Labels::Declare(Ns::Group),
            "A Prometheus rule group: rules evaluated together, in order, at its interval.",
        )
        .optional_body()
        .attrs(vec![
            opt(Attr::Interval, Ty::Duration, "evaluation interval (Prometheus's global one when not set)"),
            opt(
                Attr::Limit,
                Ty::Int,
                "most alerts or series a rule of the group may produce (0: no limit)",
            )
            .bounds(Some(0.0), Some(super::MAX_COUNT)),
        ]),
        block(
            BlockId::Record,
            "record",
            Labels::Metric,
            "A recording rule: the expression's result stored as a new series, `record \"job:errors:rate5m\"`.",
        )
        .attrs(vec![
            req(Attr::Expr, Ty::Str, "PromQL expression to record"),
            opt(
                Attr::Group,
                Ty::Ref(Ns::Group),
                "the rule group it is evaluated in (else `<project>.rules`)",
            ),
        ])
        .children(&[BlockId::RecordLabels]),
        block(BlockId::RecordLabels, "labels", Labels::None, "Labels added to the recorded series.")
            .once()
            .free(Ty::Str)
            .keys(Keys::PrometheusLabel),
        block(
            BlockId::AlertAnnotations,
            "annotations",
            Labels::None,
            "More annotations (dashboards, links); Prometheus templates allowed.",
        )
        .once()
        .free(Ty::Str)
        .keys(Keys::PrometheusLabel),
        block(
            BlockId::Slo,
            "slo",
            Labels::Declare(Ns::Slo),
            "A service level objective with burn-rate alerts.",
        )
        .attrs(vec![
            req(Attr::Service, Ty::Ref(Ns::Service), "the service measured"),
            req(Attr::Objective, Ty::Percent, "target share of good events").bounds(Some(0.0), Some(100.0)),
            opt(Attr::Window, Ty::Duration, "compliance window").default("30d"),
            opt(
                Attr::Policy,
                Ty::Enum(&["workbook", "sloth", "pyrra"]),
                "burn-rate policy: the SRE workbook's rates for every window, Sloth's budget shares, or Pyrra's window-scaled table",
            )
            .default("workbook"),
            opt(
                Attr::Errors,
                Ty::Str,
                "PromQL rate of bad events; `${window}` is replaced per window (or a `ratio` or `latency` block)",
            ),
            opt(
                Attr::Total,
                Ty::Str,
                "PromQL rate of all events; `${window}` is replaced per window",
            ),
            opt(Attr::Description, Ty::Str, "what the SLO means"),
            opt(
                Attr::Team,
                Ty::Line,
                "owning team (defaults to the service's team, then the project owner)",
            ),
            opt(
                Attr::AlertName,
                Ty::Line,
                "name of its burn-rate alerts (`<slo>_error_budget_burn` by default)",
            ),
        ])
        .children(&[
            BlockId::SloRatio,
            BlockId::SloLatency,
            BlockId::SloLabels,
            BlockId::SloPage,
            BlockId::SloTicket,
        ]),
        block(
            BlockId::SloRatio,
            "ratio",
            Labels::None,
            "The indicator as two counters: bad events over all events (dvcc takes their rates).",
        )
        .once()
        .attrs(vec![
            req(
                Attr::Errors,
                Ty::Str,
                "selector of the counter of bad events: `http_requests_total{code=~\"5..\"}`",
            ),
            req(Attr::Total, Ty::Str, "selector of the counter of all events"),
        ]),
        block(
            BlockId::SloLatency,
            "latency",
            Labels::None,
            "The indicator as a latency histogram: events slower than the threshold are bad.",
        )
        .once()
        .attrs(vec![
            req(
                Attr::Histogram,
                Ty::Str,
                "the histogram: its name and matchers (`http_request_duration_seconds{job=\"api\"}`)",
            ),
            req(Attr::Threshold, Ty::Duration, "the latency a good event stays within"),
            opt(
                Attr::Buckets,
                list(Ty::Duration),
                "the histogram's bucket bounds, to check the threshold is one",
            ),
        ]),
        block(
            BlockId::SloLabels,
            "labels",
            Labels::None,
            "Labels of every rule of the SLO (recordings and alerts).",
        )
        .once()
        .free(Ty::Str)
        .keys(Keys::PrometheusLabel),
        block(
            BlockId::SloPage,
            "page",
            Labels::None,
            "The page alerts (fast burn): their severity, labels and runbook.",
        )
        .once()
        .attrs(route_attrs("critical"))
        .children(&[BlockId::SloPageLabels]),
        block(
            BlockId::SloTicket,
            "ticket",
            Labels::None,
            "The ticket alerts (slow burn): their severity, labels and runbook.",
        )
        .once()
        .attrs(route_attrs("warning"))
        .children(&[BlockId::SloTicketLabels]),
        route_labels(BlockId::SloPageLabels),
        route_labels(BlockId::SloTicketLabels),
    ]
}
