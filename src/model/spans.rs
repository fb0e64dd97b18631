//! Every span of the model's declarations, visited ([`Spans`]): what moves
//! a declaration built by an earlier analysis to where its text is now.
//! Each implementation names every field (no `..`), so that a field added
//! to a declaration must be considered here.

use super::pipeline::{Deploy, Input, Job, Pipeline, Step, Trigger, WorkflowCall};
use super::{
    Alert, AlertTest, CanaryStep, Check, Gate, Interpolated, Record, Rollout, RuleGroup, Service, Slo, Strategy,
    Traffic,
};
use crate::source::{Span, Spans};

type Visit<'f> = &'f mut dyn FnMut(&mut Span);

impl Spans for Pipeline {
    fn spans(&mut self, f: Visit) {
        let Pipeline {
            name: _,
            display_name: _,
            run_name: _,
            source: _,
            triggers,
            permissions: _,
            env: _,
            shell: _,
            working_directory: _,
            concurrency: _,
            jobs,
            exprs,
            span,
        } = self;
        triggers.spans(f);
        jobs.spans(f);
        exprs.spans(f);
        f(span);
    }
}

impl Spans for Trigger {
    fn spans(&mut self, f: Visit) {
        match self {
            Trigger::Schedule { cron: _, span } => f(span),
            Trigger::Manual { inputs }
            | Trigger::Call {
                inputs,
                secrets: _,
                outputs: _,
            } => inputs.spans(f),
            Trigger::Push {
                branches: _,
                paths: _,
                paths_ignore: _,
            }
            | Trigger::PullRequest {
                branches: _,
                paths: _,
                paths_ignore: _,
                types: _,
            }
            | Trigger::Tag { pattern: _ }
            | Trigger::WorkflowRun {
                workflows: _,
                types: _,
                branches: _,
            } => {}
        }
    }
}

impl Spans for Input {
    fn spans(&mut self, f: Visit) {
        let Input {
            name: _,
            description: _,
            ty: _,
            default: _,
            required: _,
            options: _,
            span,
        } = self;
        f(span);
    }
}

impl Spans for Job {
    fn spans(&mut self, f: Visit) {
        let Job {
            name: _,
            display_name: _,
            deploy,
            needs: _,
            runs_on: _,
            timeout: _,
            condition: _,
            environment: _,
            continue_on_error: _,
            concurrency: _,
            env: _,
            matrix: _,
            strategy: _,
            containers: _,
            container: _,
            outputs: _,
            call,
            steps,
            permissions: _,
            own_permissions: _,
            exprs,
            env_exprs,
            matrix_exprs,
            span,
        } = self;
        deploy.spans(f);
        call.spans(f);
        steps.spans(f);
        exprs.spans(f);
        env_exprs.spans(f);
        matrix_exprs.spans(f);
        f(span);
    }
}

impl Spans for WorkflowCall {
    fn spans(&mut self, f: Visit) {
        let WorkflowCall {
            uses: _,
            with: _,
            secrets: _,
            inherit_secrets: _,
            span,
        } = self;
        f(span);
    }
}

impl Spans for Deploy {
    fn spans(&mut self, f: Visit) {
        let Deploy {
            environment: _,
            services: _,
            rollouts: _,
            pull_requests: _,
            mechanism,
            mechanism_permissions: _,
            span,
            rollout_spans,
        } = self;
        for (_, steps) in mechanism {
            steps.spans(f);
        }
        f(span);
        rollout_spans.spans(f);
    }
}

impl Spans for Step {
    fn spans(&mut self, f: Visit) {
        match self {
            Step::Run {
                name: _,
                id: _,
                outputs: _,
                timeout: _,
                script: _,
                condition: _,
                shell: _,
                working_directory: _,
                continue_on_error: _,
                env: _,
                exprs,
                env_exprs,
                other_exprs,
                span,
            } => {
                exprs.spans(f);
                env_exprs.spans(f);
                other_exprs.spans(f);
                f(span);
            }
            Step::Action {
                name: _,
                id: _,
                outputs: _,
                timeout: _,
                continue_on_error: _,
                uses: _,
                version: _,
                condition: _,
                with: _,
                env: _,
                with_exprs,
                env_exprs,
                other_exprs,
                span,
            } => {
                with_exprs.spans(f);
                env_exprs.spans(f);
                other_exprs.spans(f);
                f(span);
            }
        }
    }
}

impl Spans for Rollout {
    fn spans(&mut self, f: Visit) {
        let Rollout {
            name: _,
            source: _,
            service: _,
            environments: _,
            strategy,
            abort_on: _,
            abort_on_slo: _,
            gates,
            progress_deadline: _,
            analysis: _,
            traffic,
            checks,
            span,
        } = self;
        strategy.spans(f);
        gates.spans(f);
        traffic.spans(f);
        checks.spans(f);
        f(span);
    }
}

impl Spans for Strategy {
    fn spans(&mut self, f: Visit) {
        match self {
            Strategy::Canary { steps } => steps.spans(f),
            Strategy::BlueGreen {
                preview: _,
                auto_promote: _,
                scale_down_delay: _,
                post_promotion: _,
            } => {}
        }
    }
}

impl Spans for CanaryStep {
    fn spans(&mut self, f: Visit) {
        let CanaryStep {
            weight: _,
            pause: _,
            span,
        } = self;
        f(span);
    }
}

impl Spans for Gate {
    fn spans(&mut self, f: Visit) {
        let Gate {
            name: _,
            query: _,
            below: _,
            above: _,
            span,
            query_span,
        } = self;
        f(span);
        f(query_span);
    }
}

impl Spans for Traffic {
    fn spans(&mut self, f: Visit) {
        let Traffic {
            router: _,
            gateways: _,
            hosts: _,
            header: _,
            span,
        } = self;
        f(span);
    }
}

impl Spans for Check {
    fn spans(&mut self, f: Visit) {
        let Check {
            name: _,
            image: _,
            command: _,
            args: _,
            after_step: _,
            timeout: _,
            span,
        } = self;
        f(span);
    }
}

impl Spans for Alert {
    fn spans(&mut self, f: Visit) {
        let Alert {
            name: _,
            alert_name: _,
            service: _,
            expr: _,
            for_: _,
            keep_firing_for: _,
            severity: _,
            summary: _,
            description: _,
            runbook: _,
            team: _,
            labels: _,
            routing_labels: _,
            annotations: _,
            group: _,
            source: _,
            expr_span,
            span,
        } = self;
        f(expr_span);
        f(span);
    }
}

impl Spans for Slo {
    fn spans(&mut self, f: Visit) {
        let Slo {
            name: _,
            service: _,
            objective: _,
            window: _,
            policy: _,
            errors: _,
            total: _,
            description: _,
            team: _,
            alert_name: _,
            labels: _,
            page: _,
            ticket: _,
            source: _,
            errors_span,
            total_span,
            objective_span,
            span,
        } = self;
        f(errors_span);
        f(total_span);
        f(objective_span);
        f(span);
    }
}

impl Spans for Record {
    fn spans(&mut self, f: Visit) {
        let Record {
            metric: _,
            expr: _,
            labels: _,
            group: _,
            source: _,
            expr_span,
            span,
        } = self;
        f(expr_span);
        f(span);
    }
}

impl Spans for RuleGroup {
    fn spans(&mut self, f: Visit) {
        let RuleGroup {
            name: _,
            interval: _,
            limit: _,
            span,
        } = self;
        f(span);
    }
}

impl Spans for AlertTest {
    fn spans(&mut self, f: Visit) {
        let AlertTest {
            name: _,
            alert: _,
            interval: _,
            inputs: _,
            expects: _,
            series_spans,
            span,
        } = self;
        series_spans.spans(f);
        f(span);
    }
}

impl Spans for Interpolated {
    fn spans(&mut self, f: Visit) {
        let Interpolated {
            text: _,
            pieces: _,
            span,
            site,
        } = self;
        f(span);
        site.spans(f);
    }
}

/// A service's configurations hold no span (they are shared between
/// environments): only where it is declared.
impl Spans for Service {
    fn spans(&mut self, f: Visit) {
        let Service {
            name: _,
            source: _,
            base: _,
            per_env: _,
            own_chart: _,
            span,
        } = self;
        f(span);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    /// Every span a declaration holds is visited: a pipeline with a
    /// trigger, a job with a deploy and steps, and each of their
    /// expressions, all given distinct spans, come back shifted.
    #[test]
    fn every_span_of_a_pipeline_is_visited() {
        let at = |n: u32| Span {
            file: FileId(1),
            start: n,
            end: n + 1,
        };
        let step = Step::Run {
            name: None,
            id: None,
            outputs: None,
            timeout: None,
            script: String::new(),
            condition: None,
            shell: None,
            working_directory: None,
            continue_on_error: false,
            env: Default::default(),
            exprs: vec![("a".into(), at(1))],
            env_exprs: vec![("b".into(), at(2))],
            other_exprs: vec![("c".into(), at(3))],
            span: at(4),
        };
        let job = Job {
            name: "deploy".into(),
            display_name: None,
            deploy: Some(Deploy {
                environment: "staging".into(),
                services: Vec::new(),
                rollouts: Vec::new(),
                pull_requests: false,
                mechanism: vec![("api".into(), vec![step.clone()])],
                mechanism_permissions: Default::default(),
                span: at(5),
                rollout_spans: vec![at(6)],
            }),
            needs: Vec::new(),
            runs_on: String::new(),
            timeout: None,
            condition: None,
            environment: None,
            continue_on_error: false,
            concurrency: None,
            env: Default::default(),
            matrix: Default::default(),
            strategy: Default::default(),
            containers: Default::default(),
            container: None,
            outputs: Default::default(),
            call: None,
            steps: vec![step],
            permissions: Default::default(),
            own_permissions: None,
            exprs: vec![("d".into(), at(7))],
            env_exprs: vec![("e".into(), at(8))],
            matrix_exprs: vec![("f".into(), at(9))],
            span: at(10),
        };
        let mut p = Pipeline {
            name: "ci".into(),
            display_name: None,
            run_name: None,
            source: String::new(),
            triggers: vec![Trigger::Schedule {
                cron: String::new(),
                span: at(11),
            }],
            permissions: None,
            env: Default::default(),
            shell: None,
            working_directory: None,
            concurrency: None,
            jobs: vec![job],
            exprs: vec![("g".into(), at(12))],
            span: at(13),
        };
        let mut seen = Vec::new();
        p.spans(&mut |s| {
            seen.push(s.start);
            s.start += 100;
        });
        seen.sort_unstable();
        // The step inside the deploy's mechanism and the job's own step.
        assert_eq!(seen, [1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
        assert_eq!(p.span.start, 113);
        assert_eq!(p.jobs[0].steps[0].span().start, 104);
    }
}
