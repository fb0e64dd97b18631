//! Checks of infrastructure settings AWS or Terraform would reject at
//! apply time: the VPC range, RDS windows and monitoring interval, S3
//! lifecycle order, object lock without versioning, access logs to a
//! bucket that is not there, tags and outputs dvcc writes itself, and
//! variable defaults that read something; and steps that run Terraform in
//! a directory dvcc writes nothing to.

use crate::diag::suggest::did_you_mean;
use crate::diag::{Capped, Code, Diagnostic, Label};
use crate::model::{Model, Step};
use crate::schema::{Attr, BlockId};
use crate::sema::tree::{CheckedBlock, Val};
use crate::source::Span;
use crate::syntax::ast::{StrPart, ValueKind};
use crate::target::paths::TERRAFORM_DIR;
use crate::target::terraform::cidr_problem;

pub fn run(user: &[CheckedBlock<'_>], model: &Model, diags: &mut Capped) {
    for node in user.iter().filter(|n| n.is(BlockId::Infra)) {
        let Some(infra) = model.infra(node.label()) else {
            continue;
        };
        if let Some(net) = node.child(BlockId::Network)
            && let Some(a) = net.attr(Attr::Cidr)
            && let Some(why) = cidr_problem(&infra.network.cidr)
        {
            diags.push(invalid(
                a.attr.value.span,
                format!("`{}` cannot be the VPC's range: {why}", infra.network.cidr),
                "the VPC's range",
                "write a /16 to /20 private range from its first address: `10.0.0.0/16`, `172.16.0.0/16`".into(),
            ));
        }
        for db in node.children_of(BlockId::Database) {
            database(db, diags);
        }
        let buckets: Vec<&str> = node.children_of(BlockId::Bucket).map(|b| b.label()).collect();
        for b in node.children_of(BlockId::Bucket) {
            bucket(b, &buckets, diags);
        }
        if let Some(tags) = node.child(BlockId::InfraTags) {
            for (k, a) in &tags.attrs {
                if ["project", "environment", "managed-by"].contains(k) {
                    diags.push(invalid(
                        a.attr.name.span,
                        format!("the tag `{k}` is dvcc's"),
                        "dvcc tags every resource with it",
                        format!("name the tag otherwise; dvcc sets `{k}` from the project and environment"),
                    ));
                }
            }
        }
        // `provider = "aws.NAME"` in a raw resource names an alias.
        for res in node.children_of(BlockId::Resource) {
            let Some(body) = &res.block.body else { continue };
            for item in &body.items {
                let crate::syntax::ast::Item::Attribute(a) = item else {
                    continue;
                };
                let ValueKind::Str(s) = &a.value.kind else { continue };
                if a.name.name != "provider" {
                    continue;
                }
                let Some(text) = s.as_plain() else { continue };
                let known = text == "aws"
                    || text
                        .strip_prefix("aws.")
                        .is_some_and(|alias| infra.aliases.contains_key(alias));
                if !known {
                    let aliases: Vec<String> = infra.aliases.keys().map(|k| format!("`aws.{k}`")).collect();
                    diags.push(
                        Diagnostic::new(
                            Code::UndeclaredTerraformReference,
                            format!("`{text}` is not a provider of `infra {}`", node.label()),
                            Label::new(a.value.span, "no such provider"),
                        )
                        .with_help(if aliases.is_empty() {
                            format!("declare it in `infra {}`: `alias NAME {{ region = \"us-east-1\" }}`, then `provider = \"aws.NAME\"`", node.label())
                        } else {
                            format!("the providers here are `aws` and {}", aliases.join(", "))
                        }),
                    );
                }
            }
        }
        let generated = generated_outputs(infra);
        for o in node.children_of(BlockId::TfOutput) {
            if generated.iter().any(|g| g == o.label()) {
                diags.push(invalid(
                    o.label_span(),
                    format!("`output {}` is an output dvcc writes", o.label()),
                    "the same name as a generated output",
                    format!(
                        "name it otherwise; `{}` is already an output of `infra {}`",
                        o.label(),
                        node.label()
                    ),
                ));
            }
        }
        for v in node.children_of(BlockId::TfVariable) {
            let Some(d) = v.attr(Attr::Default) else { continue };
            if reads(&d.attr.value.kind) {
                diags.push(invalid(
                    d.attr.value.span,
                    format!("the default of `variable {}` reads something", v.label()),
                    "Terraform takes only a literal value here",
                    "write a literal default; compute values in a resource or with `terraform(\"...\")` where it is read".into(),
                ));
            }
        }
    }
}

fn invalid(span: Span, message: String, label: &str, help: String) -> Diagnostic {
    Diagnostic::new(Code::InvalidInfraSetting, message, Label::new(span, label)).with_help(help)
}

/// The outputs dvcc writes for `infra`.
fn generated_outputs(infra: &crate::model::Infra) -> Vec<String> {
    let mut out = vec!["deploy_role_arn".to_string()];
    for c in &infra.clusters {
        out.push(format!("cluster_{}_name", c.name));
        out.push(format!("cluster_{}_endpoint", c.name));
    }
    for b in &infra.buckets {
        out.push(format!("bucket_{}_name", b.name));
    }
    for d in &infra.databases {
        out.push(format!("database_{}_endpoint", d.name));
        out.push(format!("database_{}_secret_arn", d.name));
    }
    out
}

/// Whether a value holds an expression (`${...}`, a call).
fn reads(v: &ValueKind) -> bool {
    match v {
        ValueKind::Str(s) => s.parts.iter().any(|p| matches!(p, StrPart::Interp { .. })),
        ValueKind::Call { .. } | ValueKind::Ref(_) => true,
        ValueKind::List(items) => items.iter().any(|i| reads(&i.kind)),
        _ => false,
    }
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Minutes since the start of the week (`Mon:03:00`) or day (`03:00`).
fn minute_of(text: &str, weekly: bool) -> Option<u32> {
    let (day, time) = if weekly {
        let (d, t) = text.split_once(':')?;
        (DAYS.iter().position(|x| x.eq_ignore_ascii_case(d))? as u32, t)
    } else {
        (0, text)
    };
    let (h, m) = time.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(day * 1440 + h * 60 + m)
}

/// The length of a window `A-B` in minutes, if it is one.
fn window(text: &str, weekly: bool) -> Option<u32> {
    let (a, b) = text.split_once('-')?;
    let (a, b) = (minute_of(a, weekly)?, minute_of(b, weekly)?);
    let period = if weekly { 7 * 1440 } else { 1440 };
    Some((b + period - a) % period)
}

fn database(db: &CheckedBlock<'_>, diags: &mut Capped) {
    for (attr, weekly, shape) in [
        (
            Attr::MaintenanceWindow,
            true,
            "`ddd:hh:mm-ddd:hh:mm` in UTC, such as `Sun:23:00-Mon:01:30`",
        ),
        (Attr::BackupWindow, false, "`hh:mm-hh:mm` in UTC, such as `03:00-04:00`"),
    ] {
        let Some(a) = db.attr(attr) else { continue };
        let Val::Str(s) = &a.val else { continue };
        let Some(text) = s.as_plain() else { continue };
        match window(&text, weekly) {
            Some(len) if len >= 30 => {}
            Some(_) => diags.push(invalid(
                a.attr.value.span,
                format!(
                    "the {} window `{text}` is shorter than 30 minutes",
                    if weekly { "maintenance" } else { "backup" }
                ),
                "RDS needs at least 30 minutes",
                "make the window at least 30 minutes long".into(),
            )),
            None => diags.push(invalid(
                a.attr.value.span,
                format!("`{text}` is not a window RDS reads"),
                "not a window",
                format!("write {shape}"),
            )),
        }
    }
    if let Some(a) = db.attr(Attr::Monitoring)
        && let Val::Dur(d) = &a.val
        && (d.millis % 1000 != 0 || ![0, 1, 5, 10, 15, 30, 60].contains(&d.secs()))
    {
        diags.push(invalid(
            a.attr.value.span,
            format!("RDS monitors every 1, 5, 10, 15, 30 or 60 seconds, not every {d}"),
            "not an interval RDS offers",
            "write one of `1s`, `5s`, `10s`, `15s`, `30s`, `60s`, or `0s` for no enhanced monitoring".into(),
        ));
    }
}

fn bucket(b: &CheckedBlock<'_>, buckets: &[&str], diags: &mut Capped) {
    let days = |attr: Attr| match b.get(attr) {
        Some(Val::Dur(d)) => Some((
            d.secs().div_ceil(86_400).max(1),
            b.value_span(attr).unwrap_or(b.label_span()),
        )),
        _ => None,
    };
    let transition = days(Attr::TransitionAfter);
    let archive = days(Attr::ArchiveAfter);
    let expire = days(Attr::ExpireAfter);
    if let Some((t, span)) = transition
        && t < 30
    {
        diags.push(invalid(
            span,
            format!("objects move to infrequent access after {t} days; S3 needs 30 at least"),
            "S3 rejects the lifecycle rule",
            "write `transition_after = 30d` or more".into(),
        ));
    }
    if let (Some((t, _)), Some((a, span))) = (transition, archive)
        && a < t + 30
    {
        diags.push(invalid(
            span,
            format!(
                "objects move to Glacier {} days after infrequent access; S3 needs 30",
                a.saturating_sub(t)
            ),
            "S3 rejects the lifecycle rule",
            format!("write `archive_after = {}d` or more", t + 30),
        ));
    }
    if let Some((e, span)) = expire
        && let Some(last) = [transition, archive].into_iter().flatten().map(|(d, _)| d).max()
        && e <= last
    {
        diags.push(invalid(
            span,
            format!("objects expire after {e} days, before their last move after {last}"),
            "S3 rejects the lifecycle rule",
            format!("expire after more than {last} days, or remove the transition"),
        ));
    }
    if let Some(a) = b.attr(Attr::Lock)
        && matches!(b.value(Attr::Versioning), Some(Val::Bool(false)))
    {
        diags.push(invalid(
            a.attr.name.span,
            format!("`bucket {}` locks objects but keeps no versions", b.label()),
            "object lock needs versioning",
            "remove `versioning = false`: S3 locks object versions".into(),
        ));
    }
    if let Some(a) = b.attr(Attr::AccessLogs)
        && let Val::Str(s) = &a.val
        && let Some(target) = s.as_plain()
        && (target == b.label() || !buckets.contains(&target.as_str()))
    {
        let why = if target == b.label() {
            "a bucket that logs to itself logs its own log writes, without end".to_string()
        } else {
            format!("this infra has no bucket `{target}`")
        };
        diags.push(invalid(
            a.attr.value.span,
            format!("`bucket {}` sends its access logs to `{target}`", b.label()),
            &why,
            "name another bucket of this infra: `bucket logs { }`, `access_logs = \"logs\"`".into(),
        ));
    }
}

/// Steps that run in `deploy/terraform/ENV` (`terraform_apply`, or a step
/// of the team's own) where ENV has no `infra` block: dvcc writes nothing
/// there, so the directory is missing from the checkout (or holds only
/// what someone put there by hand). Once per job and directory.
pub fn terraform_dirs(model: &Model, diags: &mut Capped) {
    let with_infra: Vec<&str> = model.infra.iter().map(|i| i.environment.as_str()).collect();
    for p in &model.pipelines {
        for j in &p.jobs {
            let mechanism = j.deploy.iter().flat_map(|d| d.mechanism.iter().flat_map(|(_, s)| s));
            let mut reported: Vec<&str> = Vec::new();
            for s in j.steps.iter().chain(mechanism) {
                let Step::Run {
                    working_directory,
                    name,
                    span,
                    ..
                } = s
                else {
                    continue;
                };
                let Some(dir) = working_directory.as_deref().or(p.working_directory.as_deref()) else {
                    continue;
                };
                let Some(env) = terraform_env(dir) else { continue };
                if with_infra.contains(&env) || reported.contains(&env) {
                    continue;
                }
                reported.push(env);
                let step = name
                    .as_deref()
                    .map_or_else(|| "one of its steps".to_string(), |n| format!("its step `{n}`"));
                let help = if model.environment(env).is_some() {
                    format!(
                        "declare `infra {env} {{ ... }}` to have dvcc write its Terraform there; or, for Terraform of your own in that directory, allow it: `# dvcc-allow DVC0544: REASON`"
                    )
                } else {
                    match did_you_mean(env, with_infra.iter().copied()) {
                        Some(near) => format!(
                            "no environment is named `{env}`: did you mean `{}`?",
                            dir.replacen(&format!("{TERRAFORM_DIR}/{env}"), &format!("{TERRAFORM_DIR}/{near}"), 1)
                        ),
                        None => format!(
                            "no environment is named `{env}`: run Terraform in `{TERRAFORM_DIR}/ENV` of an environment with an `infra` block"
                        ),
                    }
                };
                diags.push(
                    Diagnostic::new(
                        Code::TerraformWithoutInfra,
                        format!("job `{}` runs Terraform in `{dir}`, where dvcc writes nothing", j.name),
                        Label::new(j.span, format!("{step} runs in `{dir}`")),
                    )
                    .with_label(Label::new(*span, "the step"))
                    .with_help(help),
                );
            }
        }
    }
}

/// `ENV` of a directory `deploy/terraform/ENV` (or one below it); `None`
/// for any other, or one GitHub computes (`${{ }}`).
fn terraform_env(dir: &str) -> Option<&str> {
    if dir.contains("${{") {
        return None;
    }
    let rest = dir
        .trim_start_matches("./")
        .strip_prefix(TERRAFORM_DIR)?
        .strip_prefix('/')?;
    rest.split('/').next().filter(|e| !e.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn windows() {
        assert_eq!(super::window("Sun:23:00-Mon:01:30", true), Some(150));
        assert_eq!(super::window("03:00-03:20", false), Some(20));
        assert_eq!(super::window("23:30-00:30", false), Some(60));
        assert_eq!(super::window("3:00-04:00", false), None);
        assert_eq!(super::window("Xyz:03:00-Mon:04:00", true), None);
    }

    #[test]
    fn terraform_directories() {
        use super::terraform_env as env;
        assert_eq!(env("deploy/terraform/production"), Some("production"));
        assert_eq!(env("./deploy/terraform/staging/modules"), Some("staging"));
        assert_eq!(env("deploy/terraform/"), None);
        assert_eq!(env("deploy/terraformer/x"), None);
        assert_eq!(env("infra/deploy/terraform/x"), None);
        assert_eq!(env("deploy/terraform/${{ matrix.env }}"), None);
    }
}
