//! `dvcc diff ENV_A ENV_B`: every resolved value that differs between two
//! environments (the environments' own settings, each service, the
//! infrastructure), with the `.dvc` place that sets each side — as text,
//! JSON or Markdown for a pull-request comment.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use serde_json::{Value, json};

use super::Cli;
use crate::model::Model;
use crate::model::diff::{self, Changes};
use crate::sema::provenance;
use crate::source::{SourceDb, Span};
use crate::syntax::ast;
use crate::target::handbook::markdown;

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The environment compared from.
    left: String,
    /// The environment compared to.
    right: String,
    /// A .dvc file or a project directory [default: .]
    path: Option<PathBuf>,
    /// Only this service's values.
    #[arg(long, value_name = "SERVICE")]
    service: Option<String>,
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// Exit 1 when something differs.
    #[arg(long)]
    exit_code: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// One line per value: `key: left → right`, and where each is set.
    Human,
    /// One JSON object: every change with both sides and their places.
    Json,
    /// A table per service (for a pull-request comment).
    Markdown,
}

/// One side of a change: the value (`None`: not set) and where it is set
/// (`None`: the default, or nowhere).
struct Side {
    value: Option<String>,
    site: Option<String>,
}

struct Row {
    kind: &'static str,
    name: String,
    key: String,
    left: Side,
    right: Side,
}

pub fn run(cli: &Cli, args: &DiffArgs) -> ExitCode {
    let (loaded, model) = match super::analysed(cli, args.path.clone(), "nothing compared") {
        Ok(found) => found,
        Err(code) => return code,
    };
    for env in [&args.left, &args.right] {
        if model.environment(env).is_none() {
            return unknown("environment", env, model.environments.iter().map(|e| e.name.as_str()));
        }
    }
    if let Some(s) = &args.service
        && model.service(s).is_none()
    {
        return unknown("service", s, model.services.iter().map(|s| s.name.as_str()));
    }
    let files: Vec<&ast::File> = loaded
        .projects
        .first()
        .map(|p| p.files.iter().filter_map(|f| loaded.ast(*f)).collect())
        .unwrap_or_default();
    let changes = diff::environments(&model, &args.left, &args.right, args.service.as_deref());
    let rows = located(&loaded.db, &files, &model, args, &changes);
    let text = match args.format {
        DiffFormat::Human => human(args, &rows),
        DiffFormat::Json => json_doc(args, &rows),
        DiffFormat::Markdown => markdown_doc(args, &rows),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    if args.exit_code && !rows.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn unknown<'a>(what: &str, name: &str, names: impl Iterator<Item = &'a str> + Clone) -> ExitCode {
    let known: Vec<&str> = names.clone().collect();
    let hint = match crate::diag::suggest::did_you_mean(name, names) {
        Some(n) => format!("did you mean `{n}`?"),
        None => format!("the project has {}", known.join(", ")),
    };
    eprintln!("error: no {what} is named `{name}`: {hint}");
    ExitCode::from(2)
}

/// Each change with where each side is set.
fn located(db: &SourceDb, files: &[&ast::File], model: &Model, args: &DiffArgs, changes: &[Changes]) -> Vec<Row> {
    let place = |span: Option<Span>| {
        span.map(|s| {
            let f = db.get(s.file);
            format!("{}:{}", f.name, f.line_col(s.start as usize).line)
        })
    };
    let site = |c: &Changes, env: &str, key: &str| match c.kind {
        "service" if key == diff::ROLLOUT => model.rollout_of(&c.name, env).map(|r| r.span),
        "service" => provenance::service_site(files, model, &c.name, env, key),
        "environment" => provenance::environment_site(files, model, env, key),
        _ => provenance::infra_site(files, env, key),
    };
    let mut out = Vec::new();
    for c in changes {
        for ch in &c.changes {
            let name = if c.kind == "service" {
                c.name.clone()
            } else {
                String::new()
            };
            out.push(Row {
                kind: c.kind,
                name,
                key: ch.key.clone(),
                left: Side {
                    site: ch.left.as_ref().and_then(|_| place(site(c, &args.left, &ch.key))),
                    value: ch.left.clone(),
                },
                right: Side {
                    site: ch.right.as_ref().and_then(|_| place(site(c, &args.right, &ch.key))),
                    value: ch.right.clone(),
                },
            });
        }
    }
    out
}

/// The heading of a row's group: `service api`, `environment`, `infra`.
fn group(r: &Row) -> String {
    if r.name.is_empty() {
        r.kind.to_string()
    } else {
        format!("{} {}", r.kind, r.name)
    }
}

fn shown(s: &Side) -> String {
    s.value.clone().unwrap_or_else(|| "(not set)".to_string())
}

fn place(s: &Side) -> String {
    match (&s.value, &s.site) {
        (None, _) => "—".to_string(),
        (Some(_), Some(site)) => site.clone(),
        (Some(_), None) => "default".to_string(),
    }
}

fn human(args: &DiffArgs, rows: &[Row]) -> String {
    if rows.is_empty() {
        return format!("{} and {} resolve to the same values\n", args.left, args.right);
    }
    let mut out = format!("{} → {}\n", args.left, args.right);
    let mut last = String::new();
    for r in rows {
        let g = group(r);
        if g != last {
            out.push_str(&format!("\n{g}\n"));
            last = g;
        }
        out.push_str(&format!(
            "  {}: {} → {}\n      {} → {}\n",
            r.key,
            shown(&r.left),
            shown(&r.right),
            place(&r.left),
            place(&r.right)
        ));
    }
    out
}

fn json_doc(args: &DiffArgs, rows: &[Row]) -> String {
    let side = |s: &Side| json!({ "value": s.value, "set_at": s.site });
    let list: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "kind": r.kind,
                "name": if r.name.is_empty() { Value::Null } else { Value::from(r.name.clone()) },
                "key": r.key,
                "left": side(&r.left),
                "right": side(&r.right),
            })
        })
        .collect();
    let doc = json!({
        "version": 1,
        "left": args.left,
        "right": args.right,
        "service": args.service,
        "differs": !rows.is_empty(),
        "changes": list,
    });
    format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default())
}

fn markdown_doc(args: &DiffArgs, rows: &[Row]) -> String {
    let (l, r) = (markdown::text(&args.left), markdown::text(&args.right));
    let mut out = format!("## What differs between {l} and {r}\n\n");
    if rows.is_empty() {
        out.push_str("Nothing: every resolved value is the same.\n");
        return out;
    }
    let mut last = String::new();
    for row in rows {
        let g = group(row);
        if g != last {
            if !last.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!(
                "### {}\n\n| Setting | {l} | {r} |\n|---|---|---|\n",
                markdown::text(&g)
            ));
            last = g;
        }
        let cell = |s: &Side| match &s.value {
            None => "(not set)".to_string(),
            Some(v) => format!("{} ({})", markdown::code(v), markdown::text(&place(s))),
        };
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            markdown::code(&row.key),
            cell(&row.left),
            cell(&row.right)
        ));
    }
    out
}
