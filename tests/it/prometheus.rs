//! The Prometheus target: burn-rate thresholds in the committed rules, and
//! generated promtool tests that pass on the rules and fail on broken ones
//! (promtool from Debian's prometheus package; required when `CI` is set).

use std::path::Path;
use std::process::Command;

use crate::support::root;

#[test]
fn burn_rate_thresholds_follow_the_window() {
    // shop: 99.9% over 30d → 14.4, 6, 3, 1 × 0.001.
    let shop =
        std::fs::read_to_string(root().join("examples/shop/deploy/prometheus/shop.rules.yml")).expect("committed");
    for t in ["0.0144", "0.006", "0.003", "0.001"] {
        assert!(shop.contains(&format!("> {t}\n")), "30d threshold {t} missing");
    }
    for w in [
        "ratio_rate1h",
        "ratio_rate5m",
        "ratio_rate6h",
        "ratio_rate30m",
        "ratio_rate1d",
        "ratio_rate2h",
        "ratio_rate3d",
        "ratio_rate6h",
    ] {
        assert!(shop.contains(w), "{w} missing");
    }
    // platform: web 99.5% over 28d → 13.44, 5.6, 2.8, 0.9333… × 0.005.
    let platform = std::fs::read_to_string(root().join("examples/platform/deploy/prometheus/platform.rules.yml"))
        .expect("committed");
    for t in ["0.0672", "0.028", "0.014", "0.004666667"] {
        assert!(platform.contains(&format!("> {t}\n")), "28d threshold {t} missing");
    }
    assert!(
        platform.contains("slo:sli_error:ratio_rate4w"),
        "the SLO's own window is recorded"
    );
}

fn promtool() -> bool {
    Command::new("promtool")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run_tests(dir: &Path, file: &str) -> (bool, String) {
    let o = Command::new("promtool")
        .args(["test", "rules", file])
        .current_dir(dir)
        .output()
        .expect("promtool runs");
    (
        o.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn generated_rule_tests_pass_and_catch_broken_rules() {
    if !promtool() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install promtool (.ci/install-validators)"
        );
        eprintln!("skipped: no promtool");
        return;
    }
    for ex in ["shop", "platform"] {
        let src = root().join("examples").join(ex).join("deploy/prometheus");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("promtool-{ex}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        for f in ["rules.yml", "rules.test.yml"] {
            std::fs::copy(src.join(format!("{ex}.{f}")), dir.join(format!("{ex}.{f}"))).expect("copy");
        }
        let (ok, out) = run_tests(&dir, &format!("{ex}.rules.test.yml"));
        assert!(ok, "{ex}: {out}");
        // Break every alert: a condition that can never hold.
        let rules = dir.join(format!("{ex}.rules.yml"));
        let text = std::fs::read_to_string(&rules).expect("read");
        let broken: String = text
            .lines()
            .map(|l| {
                if l.trim_start().starts_with("expr: ") && l.contains(" > ") {
                    format!("{l} > 1e300\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(&rules, broken).expect("write");
        let (ok, out) = run_tests(&dir, &format!("{ex}.rules.test.yml"));
        assert!(
            !ok && out.contains("FAILED"),
            "{ex}: the tests must catch alerts that never fire:\n{out}"
        );
    }
}
