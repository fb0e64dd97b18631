//! dvcc's SLO alerts beside a hand-written reference in Sloth's published
//! shape (`tests/fixtures/sloth-reference.rules.yml`), fed the same
//! series: when each fires, for 30-day and 14-day windows, fast, moderate
//! and slow burns. The table below is the finding; promtool checks every
//! row against both rule files.
//!
//! dvcc's default policy keeps the workbook's burn rates for every window
//! and waits `for` (2m, 15m, 1h, 3h) before firing; Sloth keeps the
//! workbook's budget shares (so on 14 days its slowest ticket burns at
//! 0.467) and fires at once.

use std::path::Path;

use serde_json::json;

use crate::support::{promtool, promtool_run, root};

const PROJECT: &str = r#"project shop {
  repo = "acme/shop"
}

service api {
  image = "ghcr.io/acme/api"
}

slo api30 {
  service   = api
  objective = 99.9%
  window    = 30d
  ratio {
    errors = `http_requests_total{job="api", code=~"5.."}`
    total  = `http_requests_total{job="api"}`
  }
}

slo api14 {
  service   = api
  objective = 99.9%
  window    = 14d
  ratio {
    errors = `http_requests_total{job="api", code=~"5.."}`
    total  = `http_requests_total{job="api"}`
  }
}
"#;

/// A steady share of failed requests (of 100 a second), from time 0.
struct Burn {
    name: &'static str,
    /// Failed requests per second out of 100: the error ratio in percent.
    errors: f64,
    hours: u64,
}

const FAST: Burn = Burn {
    name: "fast burn (2% errors, 20x the budget)",
    errors: 2.0,
    hours: 2,
};
const MODERATE: Burn = Burn {
    name: "moderate burn (0.2% errors, 2x)",
    errors: 0.2,
    hours: 5,
};
const SLOW: Burn = Burn {
    name: "slow burn (0.05% errors, 0.5x)",
    errors: 0.05,
    hours: 3,
};

/// Who fires what when: (burn, minute, rule set, window, page?, firing).
/// Rule sets: "dvcc" (the SLOs above), "dvcc-sloth" and "dvcc-pyrra" (the
/// same with `policy = sloth` or `pyrra`) and "sloth" (the reference).
const TABLE: &[(&Burn, u64, &str, u32, bool, bool)] = &[
    // A fast burn pages under both, for 30 and 14 days; Sloth at once,
    // dvcc after its 2-minute `for`.
    (&FAST, 2, "sloth", 30, true, true),
    (&FAST, 2, "dvcc", 30, true, false),
    (&FAST, 6, "dvcc", 30, true, true),
    (&FAST, 6, "dvcc", 14, true, true),
    (&FAST, 6, "sloth", 14, true, true),
    // Its ticket: Sloth opens one at once too; dvcc after an hour.
    (&FAST, 10, "sloth", 30, false, true),
    (&FAST, 10, "dvcc", 30, false, false),
    (&FAST, 70, "dvcc", 30, false, true),
    // A moderate burn (2x) pages nobody; it opens a ticket under both
    // (burn above 1 over 3 days), Sloth at once, dvcc after 3 hours.
    (&MODERATE, 60, "sloth", 30, true, false),
    (&MODERATE, 60, "dvcc", 30, true, false),
    (&MODERATE, 60, "sloth", 30, false, true),
    (&MODERATE, 60, "dvcc", 30, false, false),
    (&MODERATE, 200, "dvcc", 30, false, true),
    (&MODERATE, 200, "dvcc", 14, false, true),
    // A slow burn (0.5x: half the budget left at the end of the window)
    // never alerts under dvcc, whatever the window; Sloth's 14-day shares
    // open a ticket for it.
    (&SLOW, 170, "dvcc", 30, false, false),
    (&SLOW, 170, "dvcc", 14, false, false),
    (&SLOW, 170, "dvcc", 14, true, false),
    (&SLOW, 170, "sloth", 30, false, false),
    (&SLOW, 170, "sloth", 14, false, true),
    // `policy = sloth` reproduces the reference: at once, and the 14-day
    // ticket for a slow burn.
    (&FAST, 2, "dvcc-sloth", 30, true, true),
    (&FAST, 10, "dvcc-sloth", 30, false, true),
    (&MODERATE, 60, "dvcc-sloth", 30, false, true),
    (&SLOW, 170, "dvcc-sloth", 30, false, false),
    (&SLOW, 170, "dvcc-sloth", 14, false, true),
    // `policy = pyrra` (rates 14, 7, 2, 1 over windows scaled to the SLO's:
    // halved for 14 days): pages a fast burn, tickets a moderate one after
    // its 90-minute `for`, never alerts on a slow one.
    (&FAST, 6, "dvcc-pyrra", 14, true, true),
    (&MODERATE, 60, "dvcc-pyrra", 14, false, false),
    (&MODERATE, 200, "dvcc-pyrra", 14, false, true),
    (&SLOW, 170, "dvcc-pyrra", 14, false, false),
    (&SLOW, 170, "dvcc-pyrra", 14, true, false),
];

fn alert(set: &str, window: u32, page: bool) -> String {
    match (set, page) {
        (_, true) if set.starts_with("dvcc") => {
            format!("ALERTS{{alertname=\"api{window}_error_budget_burn\",severity=\"critical\",alertstate=\"firing\"}}")
        }
        (_, false) if set.starts_with("dvcc") => {
            format!("ALERTS{{alertname=\"api{window}_error_budget_burn\",severity=\"warning\",alertstate=\"firing\"}}")
        }
        (_, true) => format!("ALERTS{{alertname=\"SlothPageapi{window}\",alertstate=\"firing\"}}"),
        (_, false) => format!("ALERTS{{alertname=\"SlothTicketapi{window}\",alertstate=\"firing\"}}"),
    }
}

fn series(burn: &Burn) -> serde_json::Value {
    let minutes = burn.hours * 60 + 10;
    let per_minute = |per_second: f64| dvcc::model::units::number(per_second * 60.0);
    json!([
        {
            "series": "http_requests_total{job=\"api\",code=\"500\"}",
            "values": format!("0+{}x{minutes}", per_minute(burn.errors)),
        },
        {
            "series": "http_requests_total{job=\"api\",code=\"200\"}",
            "values": format!("0+{}x{minutes}", per_minute(100.0 - burn.errors)),
        },
    ])
}

/// The promtool test file of one rule set: a test per burn, a check per row.
fn test_file(rules: &str, set: &str) -> serde_json::Value {
    let mut tests = Vec::new();
    for burn in [&FAST, &MODERATE, &SLOW] {
        let checks: Vec<serde_json::Value> = TABLE
            .iter()
            .filter(|row| std::ptr::eq(row.0, burn) && row.2 == set)
            .map(|&(_, minute, _, window, page, firing)| {
                let selector = alert(set, window, page);
                if firing {
                    json!({
                        "expr": format!("count({selector}) > bool 0"),
                        "eval_time": format!("{minute}m"),
                        "exp_samples": [{ "labels": "{}", "value": 1 }],
                    })
                } else {
                    json!({
                        "expr": format!("count({selector}) or vector(0)"),
                        "eval_time": format!("{minute}m"),
                        "exp_samples": [{ "labels": "{}", "value": 0 }],
                    })
                }
            })
            .collect();
        tests.push(json!({
            "name": burn.name,
            "interval": "1m",
            "input_series": series(burn),
            "promql_expr_test": checks,
        }));
    }
    json!({ "rule_files": [rules], "evaluation_interval": "1m", "tests": tests })
}

#[test]
fn slo_alerts_fire_when_the_table_says_beside_sloth_s_shape() {
    if !promtool() {
        assert!(std::env::var_os("CI").is_none(), "CI must install promtool");
        eprintln!("skipped: no promtool");
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("slo-vs-sloth");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    for (set, policy) in [("dvcc", ""), ("dvcc-sloth", "sloth"), ("dvcc-pyrra", "pyrra")] {
        let text = if policy.is_empty() {
            PROJECT.to_string()
        } else {
            PROJECT.replace("  ratio {", &format!("  policy    = {policy}\n  ratio {{"))
        };
        let (loaded, diags) = crate::support::lint_bytes("slo.dvc", text.into_bytes());
        assert!(diags.is_empty(), "{set}: {diags:?}");
        let model = dvcc::analyze(&loaded, 0).model;
        let rules = dvcc::backend::yaml::to_string(&dvcc::backend::prometheus::rule_file(&model));
        std::fs::write(dir.join(format!("{set}.rules.yml")), rules).expect("write");
    }
    std::fs::copy(
        root().join("tests/fixtures/sloth-reference.rules.yml"),
        dir.join("sloth.rules.yml"),
    )
    .expect("copy");
    for set in ["dvcc", "dvcc-sloth", "dvcc-pyrra", "sloth"] {
        let file = format!("{set}.test.yml");
        let doc = test_file(&format!("{set}.rules.yml"), set);
        std::fs::write(dir.join(&file), dvcc::backend::yaml::to_string(&doc)).expect("write");
        let (ok, out) = promtool_run(&dir, &["test", "rules", &file]);
        assert!(ok, "{set}: {out}");
    }
}
