//! Help computed from the user's value: a wrong-type or wrong-unit value
//! gets the value it most likely meant, as a fix (`"5m"` → `5m`, `50` →
//! `50%`, `0.999` → `99.9%`, `512MB` → `512Mi`, `5min` → `5m`, `"main"` →
//! `["main"]`), and the habit it comes from named where one is known (YAML
//! quoting every scalar, Kubernetes' decimal units).

use crate::diag::{Code, Diagnostic, Edit, Fix, Label};
use crate::model::units::{Cpu, Duration, Memory, describe_unit};
use crate::schema::Ty;
use crate::sema::tree::Val;
use crate::source::Span;
use crate::syntax::ast::{Value, ValueKind};
use crate::syntax::is_ident;

/// What the caller found out about a mismatched value by trying it as
/// something close to `ty`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tried {
    /// `ty` is a list and the value type-checks as one element of it.
    pub as_element: bool,
    /// The value is a list of one element that type-checks as `ty`.
    pub single_element: bool,
    /// The value is a string whose text type-checks as `ty` unquoted.
    pub unquoted: bool,
}

/// "a string", "an environment name", "one of `a`, `b`", "a list of job
/// names": `ty` with the article English wants.
pub fn a(ty: &Ty) -> String {
    match ty {
        Ty::Enum(_) | Ty::Any => ty.to_string(),
        Ty::List(t) => format!("a list of {}", plural(t)),
        Ty::Either(x, y) => format!("{} or {}", a(x), a(y)),
        other => {
            let text = other.to_string();
            // By sound: "an SLO", "a one-line string".
            let vowel = (text.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U'])
                && !text.starts_with("one"))
                || text.starts_with("SLO");
            format!("{} {text}", if vowel { "an" } else { "a" })
        }
    }
}

/// The plural of an element type ("one-line strings", "job names").
fn plural(ty: &Ty) -> String {
    match ty {
        Ty::Str => "strings".into(),
        Ty::Line => "one-line strings".into(),
        Ty::Int => "whole numbers".into(),
        Ty::Number => "numbers".into(),
        Ty::Bool => "booleans".into(),
        Ty::Duration => "durations".into(),
        Ty::Cpu => "CPU quantities".into(),
        Ty::Memory => "memory quantities".into(),
        Ty::Percent => "percentages".into(),
        Ty::Scalar => "strings, numbers or booleans".into(),
        Ty::Ref(ns) => format!("{} names", ns.noun()),
        Ty::Secret => "secret references".into(),
        Ty::Enum(words) => {
            let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
            format!("words among {}", quoted.join(", "))
        }
        Ty::List(t) => format!("lists of {}", plural(t)),
        Ty::Range(t) => format!("ranges of {t}"),
        Ty::Either(x, y) => format!("{} or {}", plural(x), plural(y)),
        Ty::Any => "values".into(),
    }
}

fn unit_ty(ty: &Ty) -> bool {
    match ty {
        Ty::Duration | Ty::Cpu | Ty::Memory | Ty::Percent => true,
        Ty::Either(a, b) => unit_ty(a) || unit_ty(b),
        _ => false,
    }
}

/// Whether the text of a string would type-check as `ty` written without
/// quotes (a duration, a quantity, a number, a name, a choice).
pub fn reads_unquoted(text: &str, ty: &Ty) -> bool {
    let (number, unit) = split_number(text);
    match ty {
        Ty::Duration => Duration::parse(text).is_some(),
        Ty::Cpu => number.is_some_and(|n| Cpu::parse(n, unit).is_some()),
        Ty::Memory => number.is_some_and(|n| Memory::parse(n, unit).is_some()),
        Ty::Percent => number.is_some() && unit == "%",
        Ty::Int => text.parse::<i64>().is_ok(),
        Ty::Number => text.parse::<f64>().is_ok_and(f64::is_finite),
        Ty::Bool => matches!(text, "true" | "false"),
        Ty::Ref(_) => is_ident(text),
        Ty::Enum(words) => words.contains(&text),
        Ty::Either(a, b) => reads_unquoted(text, a) || reads_unquoted(text, b),
        _ => false,
    }
}

/// `512Mi` → (512, "Mi").
fn split_number(text: &str) -> (Option<f64>, &str) {
    let end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && c == '-')))
        .map_or(text.len(), |(i, _)| i);
    (text[..end].parse().ok(), &text[end..])
}

/// A number as dvcc writes it: `99.9`, `50`, not `99.899999`.
fn number_text(n: f64) -> String {
    let text = format!("{:.6}", n);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// A wrong-type or wrong-unit diagnostic for `v` where `ty` was expected,
/// with the fix the value suggests.
pub fn mismatch(v: &Value, ty: &Ty, name: &str, tried: Tried) -> Diagnostic {
    let found = describe(v);
    let is_unit_value = matches!(v.kind, ValueKind::Unit { .. } | ValueKind::Number { .. });
    if let (Ty::Duration, ValueKind::Unit { unit, text, .. }) = (ty, &v.kind)
        && describe_unit(unit) == "a duration"
    {
        return Diagnostic::new(
            Code::WrongUnit,
            format!("`{text}` is not a valid duration for `{name}`"),
            Label::new(v.span, "not a duration dvcc can read"),
        )
        .with_help(
            "durations are whole numbers with units `ms s m h d w y`, largest first: `90m` or `1h30m`, not `1.5h`",
        );
    }
    if unit_ty(ty) && is_unit_value {
        let d = Diagnostic::new(
            Code::WrongUnit,
            format!("`{name}` takes {}, but {found} was given", a(ty)),
            Label::new(v.span, format!("{found}, not {}", short(ty))),
        );
        return match unit_fix(v, ty) {
            Some(fix) => d.with_fix(fix),
            None => d.with_help(unit_help(ty)),
        };
    }
    let d = Diagnostic::new(
        Code::TypeMismatch,
        format!("`{name}` expects {}, but {found} was given", a(ty)),
        Label::new(v.span, format!("{found}, not {}", short(ty))),
    );
    if let Some(fix) = type_fix(v, ty, name, tried) {
        return d.with_fix(fix);
    }
    let help = match (ty, &v.kind) {
        (Ty::List(_), _) => format!("write a list, even of one element: `{name} = [...]`"),
        (Ty::Secret, _) => format!("reference a secret: `{name} = secret(\"NAME\")`"),
        (Ty::Ref(ns), ValueKind::Str(_)) => format!("write the {} name without quotes", ns.noun()),
        (Ty::Str | Ty::Line, ValueKind::Ref(_)) => "put the text in quotes: `\"...\"`".to_string(),
        (Ty::Int, ValueKind::Number { .. }) => "write a whole number".to_string(),
        (Ty::Enum(words), ValueKind::Bool(_)) => format!(
            "`{name}` is a choice, not a switch: write {}",
            words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(" or ")
        ),
        _ => format!("write {}", a(ty)),
    };
    d.with_help(help)
}

fn unit_help(ty: &Ty) -> String {
    match ty {
        Ty::Duration => "write a duration such as `30s`, `5m`, `2h` or `1h30m` (no fractions)".to_string(),
        Ty::Cpu => "write CPU as millicores (`500m`) or cores (`2`)".to_string(),
        Ty::Memory => "write memory with a binary suffix such as `512Mi` or `2Gi`".to_string(),
        Ty::Percent => "write a percentage such as `10%`".to_string(),
        _ => format!("write {}", a(ty)),
    }
}

/// A number or unit literal with the unit `ty` wants.
fn unit_fix(v: &Value, ty: &Ty) -> Option<Fix> {
    let (value, unit) = match &v.kind {
        ValueKind::Number { value, .. } => (*value, ""),
        ValueKind::Unit { value, unit, .. } => (*value, unit.as_str()),
        _ => return None,
    };
    let n = number_text(value);
    match ty {
        Ty::Percent if unit.is_empty() => {
            // A fraction (`0.999`) is a ratio; a larger number a percentage.
            let pct = if value > 0.0 && value < 1.0 {
                value * 100.0
            } else {
                value
            };
            let with = format!("{}%", number_text(pct));
            Some(Fix::replace(
                v.span,
                with.clone(),
                format!("write a percentage: `{with}`"),
            ))
        }
        Ty::Memory => {
            let binary = match unit {
                "" => "Mi",
                "mi" | "MB" | "Mb" | "mb" | "MiB" | "m" => "Mi",
                "gi" | "GB" | "Gb" | "gb" | "GiB" | "g" => "Gi",
                "ki" | "KB" | "Kb" | "kb" | "KiB" | "K" => "Ki",
                "ti" | "TB" | "Tb" | "tb" | "TiB" | "t" => "Ti",
                _ => return None,
            };
            let with = format!("{n}{binary}");
            let why = if unit.is_empty() {
                "a number alone would be bytes".to_string()
            } else {
                format!("Kubernetes spells it `{binary}`, not `{unit}`")
            };
            Some(Fix::replace(v.span, with.clone(), format!("write `{with}`: {why}")))
        }
        Ty::Duration => {
            let short = match unit {
                "" => {
                    return Some(
                        Fix::replace(
                            v.span,
                            format!("{n}m"),
                            format!("durations need a unit: `{n}s`, `{n}m`, `{n}h` or `{n}d` (`{n}m` if minutes)"),
                        )
                        .maybe(),
                    );
                }
                "sec" | "secs" | "second" | "seconds" | "S" => "s",
                "min" | "mins" | "minute" | "minutes" | "M" => "m",
                "hr" | "hrs" | "hour" | "hours" | "H" => "h",
                "day" | "days" | "D" => "d",
                "week" | "weeks" | "W" => "w",
                "year" | "years" | "Y" => "y",
                _ => return None,
            };
            let with = format!("{n}{short}");
            Some(Fix::replace(
                v.span,
                with.clone(),
                format!("write `{with}`: dvcc's units are `ms s m h d w y`"),
            ))
        }
        Ty::Cpu if unit.eq_ignore_ascii_case("m") || unit == "millicores" => {
            let with = format!("{n}m");
            Some(Fix::replace(v.span, with.clone(), format!("write `{with}`")))
        }
        Ty::Either(x, y) => unit_fix(v, x).or_else(|| unit_fix(v, y)),
        _ => None,
    }
}

/// Quotes removed, a list made or unmade, a name quoted.
fn type_fix(v: &Value, ty: &Ty, name: &str, tried: Tried) -> Option<Fix> {
    if tried.unquoted
        && let ValueKind::Str(s) = &v.kind
        && let Some(text) = s.as_plain()
    {
        return Some(Fix::replace(
            v.span,
            text.clone(),
            format!("remove the quotes: `{name} = {text}` (a YAML habit: dvcc quotes only text)"),
        ));
    }
    if tried.as_element {
        let at = |p: u32| Span {
            start: p,
            end: p,
            ..v.span
        };
        return Some(Fix::edits(
            vec![
                Edit {
                    span: at(v.span.start),
                    replacement: "[".into(),
                },
                Edit {
                    span: at(v.span.end),
                    replacement: "]".into(),
                },
            ],
            format!("write a list, even of one element: `{name} = [...]`"),
        ));
    }
    if tried.single_element
        && let ValueKind::List(items) = &v.kind
        && let [only] = items.as_slice()
    {
        let cut = |lo: u32, hi: u32| Edit {
            span: Span {
                start: lo,
                end: hi,
                ..v.span
            },
            replacement: String::new(),
        };
        return Some(Fix::edits(
            vec![cut(v.span.start, only.span.start), cut(only.span.end, v.span.end)],
            format!("`{name}` takes one value: remove the brackets"),
        ));
    }
    match (ty, &v.kind) {
        (Ty::Str | Ty::Line, ValueKind::Ref(p)) => {
            let with = format!("\"{}\"", p.dotted());
            Some(Fix::replace(
                v.span,
                with.clone(),
                format!("put the text in quotes: `{with}`"),
            ))
        }
        (Ty::Enum(words), ValueKind::Bool(b)) => choice_for_switch(words, *b).map(|w| {
            Fix::replace(
                v.span,
                w,
                format!(
                    "`{name}` is a choice, not a switch: write `{w}` (or {})",
                    others(words, w)
                ),
            )
        }),
        (Ty::Secret, ValueKind::Str(_)) => {
            let secret = crate::model::names::dns_label_of(name);
            let with = format!("secret(\"{secret}\")");
            Some(
                Fix::replace(
                    v.span,
                    with.clone(),
                    format!("keep the value in your secret store and reference it: `{name} = {with}`"),
                )
                .maybe(),
            )
        }
        _ => None,
    }
}

/// The choice a YAML switch (`true`, `yes`, `on`) most likely stands for
/// in a two-way choice whose other word is an "off" word.
pub fn choice_for_switch<'w>(words: &[&'w str], on: bool) -> Option<&'w str> {
    const OFF: [&str; 5] = ["none", "off", "disabled", "never", "false"];
    let [x, y] = words else { return None };
    let (off, other) = if OFF.contains(x) {
        (*x, *y)
    } else if OFF.contains(y) {
        (*y, *x)
    } else {
        return None;
    };
    Some(if on { other } else { off })
}

fn others(words: &[&str], but: &str) -> String {
    let rest: Vec<String> = words.iter().filter(|w| **w != but).map(|w| format!("`{w}`")).collect();
    rest.join(", ")
}

/// A short type name with its article, for labels ("a duration", "a
/// list", "a CPU quantity or a choice").
fn short(ty: &Ty) -> String {
    match ty {
        Ty::Duration => "a duration".into(),
        Ty::Cpu => "a CPU quantity".into(),
        Ty::Memory => "a memory quantity".into(),
        Ty::Percent => "a percentage".into(),
        Ty::Range(_) => "a range".into(),
        Ty::List(_) => "a list".into(),
        Ty::Either(a, b) => format!("{} or {}", short(a), short(b)),
        Ty::Enum(_) => "a choice".into(),
        other => a(other),
    }
}

/// "`a`, `b` or `c`".
pub fn or_list(words: &[&str]) -> String {
    let q: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match q.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// `yes` where `required` or `none` was expected: the YAML switch named,
/// the choice it stands for given; else the nearest choice.
pub fn unknown_choice(w: &str, words: &[&str], name: &str, span: Span) -> Diagnostic {
    let d = Diagnostic::new(
        Code::UnknownChoice,
        format!("`{w}` is not a choice for `{name}`"),
        Label::new(span, format!("expected {}", or_list(words))),
    );
    let switch = match w.to_ascii_lowercase().as_str() {
        "yes" | "y" | "on" | "enabled" | "enable" => Some(true),
        "no" | "n" | "off" | "disabled" | "disable" => Some(false),
        _ => None,
    };
    if let Some(on) = switch
        && let Some(choice) = choice_for_switch(words, on)
    {
        return d.with_replacement(
            span,
            choice,
            format!(
                "`{w}` is a YAML switch; `{name}` takes {}: write `{choice}`",
                or_list(words)
            ),
        );
    }
    // Words other tools use for the same choice (PagerDuty's `page`).
    const SYNONYMS: [(&str, &str); 9] = [
        ("page", "critical"),
        ("error", "critical"),
        ("fatal", "critical"),
        ("high", "critical"),
        ("warn", "warning"),
        ("medium", "warning"),
        ("low", "info"),
        ("informational", "info"),
        ("notice", "info"),
    ];
    if let Some((_, meant)) = SYNONYMS
        .iter()
        .find(|(other, meant)| other.eq_ignore_ascii_case(w) && words.contains(meant))
    {
        let fix = crate::diag::Fix::replace(
            span,
            *meant,
            format!("`{name}` takes {}: `{w}` is closest to `{meant}`", or_list(words)),
        );
        return d.with_fix(fix.maybe());
    }
    if let Some(near) = crate::diag::suggest::did_you_mean(w, words.iter().copied()) {
        let fix = crate::diag::Fix::replace(span, near, format!("did you mean `{near}`?"));
        let fix = if near.eq_ignore_ascii_case(w) { fix } else { fix.maybe() };
        return d.with_fix(fix);
    }
    d.with_help(format!("use {}", or_list(words)))
}

/// Most CPU cores a pod plausibly asks for without a unit (larger nodes
/// exist; pods that large are written as such deliberately, and rarely).
pub const MAX_PLAIN_CORES: f64 = 64.0;

/// Fewest bytes of memory a container plausibly runs in.
pub const MIN_MEMORY_BYTES: u64 = 4 << 20;

/// Most replicas of one service a cluster plausibly runs.
pub const MAX_REPLICAS: i64 = 1000;

/// A warning for a well-typed value no real deployment uses, with the value
/// likely meant.
pub fn implausible(name: &str, val: &Val<'_>, v: &Value) -> Option<Diagnostic> {
    let warn = |message: String, label: &str| {
        Diagnostic::new(Code::ImplausibleValue, message, Label::new(v.span, label.to_string()))
    };
    match (val, &v.kind) {
        (Val::Cpu(_), ValueKind::Number { value, text }) if *value > MAX_PLAIN_CORES => {
            let with = format!("{text}m");
            Some(
                warn(
                    format!("`{name} = {text}` asks for {text} CPU cores per pod"),
                    "a number without unit counts whole cores",
                )
                .with_replacement(v.span, with.clone(), format!("for millicores write `{with}` ({} of a core)", number_text(value / 1000.0))),
            )
        }
        (Val::Mem(m), ValueKind::Unit { value, unit, .. }) if m.bytes < MIN_MEMORY_BYTES => {
            let d = warn(
                format!("`{name} = {}` is too little memory for any container", m.text),
                "a process needs several MiB",
            );
            Some(if matches!(unit.as_str(), "k" | "Ki") {
                let with = format!("{}Mi", number_text(*value));
                d.with_replacement(v.span, with.clone(), format!("write `{with}` for mebibytes"))
            } else {
                d.with_help("give at least 16Mi (most services need 128Mi or more)")
            })
        }
        (Val::Int(n), _) if name == "replicas" && *n > MAX_REPLICAS => Some(
            warn(
                format!("{n} replicas of one service is more than real clusters run"),
                "far above what a deployment uses",
            )
            .with_help(format!(
                "for load, autoscale instead: `autoscale {{ min = 2  max = {MAX_REPLICAS} }}`; if {n} is meant, say why: `# dvcc-allow DVC0307: REASON`"
            )),
        ),
        (Val::Pct(p), _) if name == "objective" && *p >= 100.0 => Some(
            warn(
                format!("an objective of {}% leaves no error budget", number_text(*p)),
                "every single error breaches it",
            )
            .with_fix(
                Fix::replace(v.span, "99.9%", "SLOs are below 100%: write `99.9%` (43 minutes of errors a month), or what your users need")
                    .maybe(),
            ),
        ),
        _ => None,
    }
}

/// "a string", "the duration `5h`", "a list".
pub fn describe(v: &Value) -> String {
    match &v.kind {
        ValueKind::Str(_) => "a string".into(),
        ValueKind::Number { text, .. } => format!("the number `{text}`"),
        ValueKind::Bool(b) => format!("`{b}`"),
        ValueKind::Unit { unit, text, .. } => {
            let what = describe_unit(unit);
            if what.starts_with("a unit") {
                format!("`{text}` (an unknown unit)")
            } else {
                format!("{what} `{text}`")
            }
        }
        ValueKind::Range(..) => "a range".into(),
        ValueKind::List(_) => "a list".into(),
        ValueKind::Ref(p) => format!("the name `{}`", p.dotted()),
        ValueKind::Call { name, .. } => format!("a call to `{}`", name.name),
        ValueKind::Error => "an invalid value".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Namespace;

    #[test]
    fn types_read_as_english() {
        assert_eq!(a(&Ty::Ref(Namespace::Environment)), "an environment name");
        assert_eq!(a(&Ty::Enum(&["required", "none"])), "one of `required`, `none`");
        assert_eq!(a(&Ty::List(Box::new(Ty::Line))), "a list of one-line strings");
        assert_eq!(a(&Ty::Ref(Namespace::Slo)), "an SLO name");
        assert_eq!(a(&Ty::Int), "a whole number");
    }

    #[test]
    fn unquoted_text_is_read_by_type() {
        assert!(reads_unquoted("5m", &Ty::Duration));
        assert!(reads_unquoted("500m", &Ty::Cpu));
        assert!(reads_unquoted("512Mi", &Ty::Memory));
        assert!(reads_unquoted("8080", &Ty::Int));
        assert!(!reads_unquoted("8080x", &Ty::Int));
        assert!(reads_unquoted("critical", &Ty::Enum(&["critical", "warning"])));
        assert_eq!(number_text(0.999 * 100.0), "99.9");
        assert_eq!(choice_for_switch(&["required", "none"], true), Some("required"));
        assert_eq!(choice_for_switch(&["a", "b"], true), None);
        assert_eq!(crate::model::names::dns_label_of("DATABASE_URL"), "database-url");
    }
}
