//! The registry of diagnostic codes: one row per code with its number, a
//! kebab-case slug, its default severity, a one-line summary and its
//! documentation page (`docs/diagnostics/DVCnnnn.md`, compiled in so that
//! `dvcc explain` works offline).
//!
//! Numbers are append-only and never reused. Families: `DVC01xx` syntax,
//! `DVC02xx` names, `DVC03xx` types and units, `DVC04xx` graph, `DVC05xx`
//! target-specific, `DVC06xx` security, `DVC07xx` I/O and build.
//!
//! To add a code: add a row here, write its page (same sections as the
//! others: What it means / Example / How to fix / Related), and add a case
//! under `tests/cases/` that triggers it. Tests enforce all three.

use super::Severity;

macro_rules! codes {
    ($( $variant:ident = $code:literal, $slug:literal, $sev:ident, $summary:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant ),* }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant ),* ];

            /// `DVC0101`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code ),* }
            }

            /// `syntax-error`.
            pub fn slug(self) -> &'static str {
                match self { $( Code::$variant => $slug ),* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$sev ),* }
            }

            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary ),* }
            }

            /// The Markdown page shown by `dvcc explain`.
            pub fn doc(self) -> &'static str {
                match self {
                    $( Code::$variant => include_str!(concat!(
                        env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics/", $code, ".md"
                    )) ),*
                }
            }
        }
    };
}

codes! {
    SyntaxError = "DVC0101", "syntax-error", Error, "text that is not dvcc syntax";
    UnclosedBlock = "DVC0102", "unclosed-block", Error, "a block's `{` has no matching `}`";
    UnterminatedString = "DVC0103", "unterminated-string", Error, "a string without its closing quote";
    InvalidEscape = "DVC0104", "invalid-escape", Error, "an unknown escape sequence in a string";
    UnmatchedClosingBrace = "DVC0105", "unmatched-closing-brace", Error, "a `}` that closes no block";
    MissingValue = "DVC0106", "missing-value", Error, "an attribute with `=` but no value";
    NestingTooDeep = "DVC0107", "nesting-too-deep", Error, "blocks, lists or calls nested deeper than the limit";
    MalformedInterpolation = "DVC0108", "malformed-interpolation", Error, "a `${...}` or `${{ ... }}` that is not closed or not a reference";
    YamlStyleAttribute = "DVC0109", "yaml-style-attribute", Error, "`name: value` written as in YAML";
    UnterminatedComment = "DVC0110", "unterminated-comment", Error, "a `/*` comment that is never closed";
    BraceOnNextLine = "DVC0111", "brace-on-next-line", Error, "a block's `{` on the line after its header";
    IncompleteReference = "DVC0112", "incomplete-reference", Error, "a reference ending in `.`";
    EqualsBeforeBlock = "DVC0113", "equals-before-block", Error, "`name = { ... }` written as in HCL";
    InvalidSuppression = "DVC0114", "invalid-suppression", Error, "a `dvcc-allow` comment that cannot be applied";
    MissingEquals = "DVC0115", "missing-equals", Error, "an attribute's name and value without `=` between them";
    MixedIndentation = "DVC0116", "mixed-indentation", Warning, "tabs mixed with spaces in the indentation of a block string";
    SingleQuotedString = "DVC0117", "single-quoted-string", Error, "a string in single quotes";
    UnquotedText = "DVC0118", "unquoted-text", Error, "a path, image or URL written without quotes";
    UnknownBlockKind = "DVC0201", "unknown-block-kind", Error, "a block kind that is not allowed here";
    UnknownAttribute = "DVC0202", "unknown-attribute", Error, "an attribute the block kind does not have";
    UndefinedName = "DVC0203", "undefined-name", Error, "a reference to a name that is not declared";
    DuplicateName = "DVC0204", "duplicate-name", Error, "two declarations with the same name";
    UnusedDeclaration = "DVC0205", "unused-declaration", Warning, "a declaration that nothing uses";
    DuplicateAttribute = "DVC0206", "duplicate-attribute", Error, "an attribute or single block given twice";
    MalformedBlock = "DVC0207", "malformed-block", Error, "a block with the wrong labels or without its body";
    UnresolvedImport = "DVC0208", "unresolved-import", Error, "an import that names no stdlib module or file";
    UnusedSuppression = "DVC0209", "unused-suppression", Warning, "a `dvcc-allow` comment that allows nothing";
    QuotedAttribute = "DVC0210", "quoted-attribute", Error, "a quoted name where the block takes only its own attributes";
    MissingAttribute = "DVC0301", "missing-attribute", Error, "a required attribute that is not set";
    TypeMismatch = "DVC0302", "type-mismatch", Error, "a value of the wrong type";
    WrongUnit = "DVC0303", "wrong-unit", Error, "a unit literal of the wrong kind, or a missing unit";
    OutOfRange = "DVC0304", "out-of-range", Error, "a value outside the allowed bounds";
    UnknownChoice = "DVC0305", "unknown-choice", Error, "a word that is not one of the allowed choices";
    NotOneLine = "DVC0306", "not-one-line", Error, "a line break or control character in a value that must be one line";
    ImplausibleValue = "DVC0307", "implausible-value", Warning, "a value no real deployment uses, likely a slip of unit or scale";
    DependencyCycle = "DVC0401", "dependency-cycle", Error, "a cycle in `extends`, `after`, `needs` or templates";
    ImportCycle = "DVC0402", "import-cycle", Error, "files that import each other in a cycle";
    PromotionOrder = "DVC0403", "promotion-order", Error, "a deploy that skips the environment it must come after";
    DeployWithoutCluster = "DVC0404", "deploy-without-cluster", Error, "a deploy to an environment that has no cluster";
    DeployWithoutRegion = "DVC0405", "deploy-without-region", Error, "a deploy to an environment that has no cloud region";
    ClusterConflict = "DVC0406", "cluster-conflict", Error, "an environment that names a cluster other than the one its infra creates";
    TemplateTooLarge = "DVC0407", "template-too-large", Error, "a `uses` whose templates nest too deep or expand to too many steps";
    InvalidCron = "DVC0501", "invalid-cron", Error, "a schedule that is not a valid 5-field cron expression";
    InvalidActionReference = "DVC0502", "invalid-action-reference", Error, "a `uses` string that is not `owner/repo@REF`";
    UnpinnedAction = "DVC0503", "unpinned-action", Warning, "an action not pinned to a full commit SHA";
    UnreachableTrigger = "DVC0504", "unreachable-trigger", Error, "a trigger whose filters can never match";
    PromqlSyntax = "DVC0505", "promql-syntax", Error, "a PromQL expression that does not parse";
    AlertNotCondition = "DVC0506", "alert-not-condition", Warning, "an alert expression that is not a condition";
    BareRangeSelector = "DVC0507", "bare-range-selector", Warning, "a range selector that no function reduces";
    QuantileWithoutLe = "DVC0508", "quantile-without-le", Warning, "histogram_quantile over an aggregation that drops `le`";
    UnreachableSlo = "DVC0509", "unreachable-slo", Warning, "an SLO whose burn-rate alerts cannot fire meaningfully";
    CanaryWeightsNotIncreasing = "DVC0510", "canary-weights-not-increasing", Error, "canary weights that do not strictly increase";
    CanaryNotComplete = "DVC0511", "canary-not-complete", Error, "a canary whose last step does not reach 100%";
    AnalysisWithoutPrometheus = "DVC0512", "analysis-without-prometheus", Error, "a rollout with `abort_on` deployed where no Prometheus address is set";
    RolloutServiceNotDeployed = "DVC0513", "rollout-service-not-deployed", Warning, "a deploy's rollout for a service the deploy does not ship";
    DeployWithoutRolloutWait = "DVC0514", "deploy-without-rollout-wait", Warning, "a deploy that ships a rolled-out service without waiting for its rollout";
    ConflictingRollouts = "DVC0515", "conflicting-rollouts", Error, "one service rolled out two ways in the same environment";
    RolloutWithoutPort = "DVC0516", "rollout-without-port", Error, "a blue-green rollout of a service that has no port";
    InvalidKubernetesName = "DVC0517", "invalid-kubernetes-name", Error, "a service or secret name Kubernetes does not accept";
    UnknownEngineVersion = "DVC0518", "unknown-engine-version", Error, "a database engine version RDS does not offer";
    UndeclaredTerraformReference = "DVC0519", "undeclared-terraform-reference", Error, "a `${...}` in a raw resource that names nothing declared";
    InfraWithoutRegion = "DVC0520", "infra-without-region", Error, "an `infra` block with no AWS region";
    HealthWithoutPort = "DVC0521", "health-without-port", Warning, "a service with a health check but no port";
    InvalidAwsName = "DVC0522", "invalid-aws-name", Error, "a bucket, database, deploy role or cluster whose generated name AWS rejects";
    InvalidName = "DVC0523", "invalid-name", Error, "a name that cannot become part of a file name or a cloud resource's name";
    InvalidRawValue = "DVC0524", "invalid-raw-value", Error, "a value raw Terraform cannot take: a bare name, or a function it does not know";
    InvalidImage = "DVC0525", "invalid-image", Error, "an image that is not a container image reference";
    InvalidLabelName = "DVC0526", "invalid-label-name", Error, "a label, annotation or port name its consumer rejects";
    ExpressionNotAllowed = "DVC0527", "expression-not-allowed", Error, "a `${{ }}` expression where GitHub evaluates none";
    UnknownWorkflowReference = "DVC0528", "unknown-workflow-reference", Error, "a `${{ }}` reference to a step, output, input, matrix key or secret that is not declared";
    PipelineWithoutTrigger = "DVC0529", "pipeline-without-trigger", Error, "a pipeline with no `on` trigger";
    DeployNeverRuns = "DVC0530", "deploy-never-runs", Warning, "a deploy job in a pipeline that runs only on pull requests";
    SkippedOnPullRequests = "DVC0531", "skipped-on-pull-requests", Warning, "a job after a deploy, skipped for pull requests with it without saying so";
    UntestedAlert = "DVC0532", "untested-alert", Warning, "an alert dvcc cannot generate a test for, and no `alert_test` tests";
    InvalidLatencyIndicator = "DVC0533", "invalid-latency-indicator", Error, "a latency SLO whose histogram is not a metric selector, or whose threshold is not one of its buckets";
    RolloutOutlastsJob = "DVC0534", "rollout-outlasts-job", Warning, "a deploy job that times out before its rollout can finish";
    CanaryWeightInPods = "DVC0535", "canary-weight-in-pods", Warning, "a canary weight the replica count cannot run without traffic routing";
    InvalidPodSetting = "DVC0536", "invalid-pod-setting", Error, "a toleration, spread key, port, probe, route or volume Kubernetes rejects";
    ExtraFieldSetByDvcc = "DVC0537", "extra-field-set-by-dvcc", Error, "an `extra_pod` or `extra_container` field that dvcc writes itself";
    SharedClaim = "DVC0538", "shared-claim", Warning, "a persistent volume claim that several pods would mount";
    TrafficRoutingMismatch = "DVC0539", "traffic-routing-mismatch", Error, "traffic routing that the rollout or its service cannot use";
    InvalidInfraSetting = "DVC0540", "invalid-infra-setting", Error, "a network range, database window, lifecycle, bucket or output setting AWS or Terraform rejects";
    HandbookTemplateError = "DVC0541", "handbook-template-error", Error, "a handbook template in the project that does not compile or render";
    UnusedHandbookFile = "DVC0542", "unused-handbook-file", Warning, "a file in the project's `handbook/` directory that no page uses";
    InvalidHandbookPath = "DVC0543", "invalid-handbook-path", Error, "a handbook directory outside the output or in another target's directory";
    TerraformWithoutInfra = "DVC0544", "terraform-without-infra", Warning, "a step that runs in `deploy/terraform/ENV` where no `infra ENV` block has dvcc write anything";
    PlaintextCredential = "DVC0601", "plaintext-credential", Error, "a credential written in plain text";
    ExpressionInjection = "DVC0602", "expression-injection", Error, "untrusted `${{ }}` input pasted into a `run` script";
    UnreadablePath = "DVC0701", "unreadable-path", Error, "a file or directory that cannot be read";
    InvalidUtf8 = "DVC0702", "invalid-utf8", Error, "a file that is not valid UTF-8";
    NulByte = "DVC0703", "nul-byte", Error, "a file containing a NUL byte";
    NoDvcFiles = "DVC0704", "no-dvc-files", Error, "a directory without any `.dvc` file";
    FileTooLarge = "DVC0705", "file-too-large", Error, "a file larger than dvcc reads";
    UnownedFile = "DVC0706", "unowned-file", Error, "a file at a generated path that dvcc did not write";
    ForeignFile = "DVC0707", "foreign-file", Error, "a file at a generated path that dvcc generated for another project";
    NotARegularFile = "DVC0708", "not-a-regular-file", Error, "a symbolic link, directory or device where dvcc writes a file";
    PathOutsideOutput = "DVC0709", "path-outside-output", Error, "a generated path that would leave the output directory";
    UnprintableFileName = "DVC0710", "unprintable-file-name", Error, "a `.dvc` file whose name holds a line break or control character";
    NotADvcFile = "DVC0711", "not-a-dvc-file", Warning, "a file named on the command line that is not a `.dvc` file";
    WriteFailed = "DVC0712", "write-failed", Error, "an output or fixed file that cannot be written";
}

impl Code {
    /// Looks a code up by its text, case-insensitively (`dvc0101` works).
    pub fn parse(text: &str) -> Option<Code> {
        let text = text.trim();
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text) || c.slug() == text)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_sorted_unique_and_well_formed() {
        let mut prev = "";
        for c in Code::ALL {
            let s = c.as_str();
            assert!(s.len() == 7 && s.starts_with("DVC"), "{s}");
            assert!(s[3..].chars().all(|ch| ch.is_ascii_digit()), "{s}");
            assert!(s > prev, "{s} is out of order");
            prev = s;
        }
    }

    #[test]
    fn every_page_names_its_code_and_has_the_sections() {
        for c in Code::ALL {
            let doc = c.doc();
            let first = doc.lines().next().unwrap_or("");
            assert!(first.starts_with(&format!("# {}", c.as_str())), "{c}: {first}");
            for section in ["## What it means", "## Example", "## How to fix", "## Related"] {
                assert!(doc.contains(section), "{c} lacks {section}");
            }
            // A `.dvc` example (tested to trigger its code), or a console
            // transcript where the example needs files or bytes.
            assert!(
                doc.contains(&format!("```dvc {}", c.as_str())) || doc.contains("```console"),
                "{c}: the example block must be tagged ```dvc {c} (or be a console transcript)"
            );
        }
    }

    #[test]
    fn parse_accepts_code_and_slug() {
        assert_eq!(Code::parse("dvc0101"), Some(Code::SyntaxError));
        assert_eq!(Code::parse("unclosed-block"), Some(Code::UnclosedBlock));
        assert_eq!(Code::parse("DVC9999"), None);
    }
}
