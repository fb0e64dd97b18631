//! What a rollout does once deployed, as the checks and the targets need to
//! know it: how long it runs by itself, where it stops for a person, and
//! how many pods a canary weight becomes without traffic routing.
//!
//! Argo Rollouts' semantics: a canary's steps run in order (a timed pause
//! waits, a pause without duration waits for `promote`); its background
//! analysis runs until the rollout ends. A blue-green rollout switches the
//! active service only after its pre-promotion analysis succeeds, which an
//! analysis without `count` never does; so dvcc gives it one (5 unless set).
//! Without `autoPromotionEnabled` it then waits for `promote`.

use crate::model::units::Duration;
use crate::model::{Pause, Rollout, Strategy};

/// Measurements of a blue-green pre-promotion analysis unless set.
pub const PRE_PROMOTION_COUNT: u32 = 5;
/// Time allowed per step for pods to start and become ready.
const STEP_READY: u64 = 60;

/// Where a rollout waits for promotion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manual {
    /// At this index of the Argo canary steps (`status.currentStepIndex`).
    CanaryStep(usize),
    /// Before switching the active service.
    BlueGreen,
}

/// A rollout's course.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// How long it runs by itself until it completes or first waits for
    /// promotion: timed pauses, analysis before promotion and its initial
    /// delay, and a minute per step for pods to become ready.
    pub unattended: Duration,
    /// Where it first waits for promotion, if it does.
    pub manual: Option<Manual>,
}

/// The measurements of a rollout's analysis: its own `count`, else none
/// for a canary (background analysis ends with the rollout) and
/// [`PRE_PROMOTION_COUNT`] for a blue-green switch (which waits for it).
pub fn analysis_count(r: &Rollout) -> Option<u32> {
    match r.strategy {
        Strategy::BlueGreen { .. } => Some(r.analysis.count.unwrap_or(PRE_PROMOTION_COUNT)),
        Strategy::Canary { .. } => r.analysis.count,
    }
}

pub fn plan(r: &Rollout) -> Plan {
    let mut secs = 0;
    let mut manual = None;
    match &r.strategy {
        Strategy::Canary { steps } => {
            // Argo's steps: `setWeight` for each, then its pause if any,
            // after Istio's header route when there is one.
            let header_route = r
                .traffic
                .as_ref()
                .is_some_and(|t| t.router == "istio" && t.header.is_some());
            let mut index = usize::from(header_route);
            // Checks are steps too: each may run for its whole timeout.
            let checks = |after: usize, index: &mut usize, secs: &mut u64| {
                for c in r.checks.iter().filter(|c| {
                    c.after_step as usize == after || (after == steps.len() && c.after_step as usize > after)
                }) {
                    *index += 1;
                    *secs += c.timeout.secs();
                }
            };
            checks(0, &mut index, &mut secs);
            for (i, s) in steps.iter().enumerate() {
                index += 1;
                secs += STEP_READY;
                match &s.pause {
                    Pause::None => {}
                    Pause::For(d) => {
                        secs += d.secs();
                        index += 1;
                    }
                    Pause::Manual => {
                        manual = Some(Manual::CanaryStep(index));
                        break;
                    }
                }
                checks(i + 1, &mut index, &mut secs);
            }
        }
        Strategy::BlueGreen {
            auto_promote,
            post_promotion,
            ..
        } => {
            secs += STEP_READY;
            // Checks run beside the analysis before the switch.
            let checks = r.checks.iter().map(|c| c.timeout.secs()).max().unwrap_or(0);
            if r.analysed() {
                // Before the switch, and again after it when asked.
                let once = r.analysis.initial_delay.as_ref().map_or(0, Duration::secs)
                    + u64::from(analysis_count(r).unwrap_or(0)) * r.analysis.interval.secs();
                secs += once.max(checks);
                if *post_promotion && *auto_promote {
                    secs += once;
                }
            } else {
                secs += checks;
            }
            if !auto_promote {
                manual = Some(Manual::BlueGreen);
            }
        }
    }
    Plan {
        unattended: Duration::from_secs(secs),
        manual,
    }
}

/// Pods of the canary and of the stable version at `weight`% of
/// `replicas` without traffic routing (Argo scales the canary to
/// `ceil(replicas × weight)` and keeps at least one stable pod until 100%),
/// and the share of pods the canary gets.
pub fn pods_at(replicas: u32, weight: f64) -> (u32, u32, f64) {
    let replicas = replicas.max(1);
    let canary = ((f64::from(replicas) * weight / 100.0).ceil() as u32).clamp(1, replicas);
    let stable = if weight >= 100.0 { 0 } else { (replicas - canary).max(1) };
    (canary, stable, f64::from(canary) * 100.0 / f64::from(canary + stable))
}

/// The fewest replicas that run every weight exactly as pods.
pub fn replicas_for(weights: &[f64]) -> u32 {
    fn gcd(a: u32, b: u32) -> u32 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    weights
        .iter()
        .filter(|w| **w < 100.0 && w.fract() == 0.0)
        .map(|w| 100 / gcd(*w as u32, 100))
        .fold(1, |acc, n| acc / gcd(acc, n) * n)
}

/// The Argo success condition of a gate: the value stays below (or above)
/// its bound; no value (no traffic) passes, NaN (0/0) too.
pub fn gate_condition(below: Option<f64>, above: Option<f64>) -> String {
    let mut parts = Vec::new();
    if let Some(b) = below {
        parts.push(format!("result[0] < {}", crate::model::units::number(b)));
    }
    if let Some(a) = above {
        parts.push(format!("result[0] > {}", crate::model::units::number(a)));
    }
    format!("len(result) == 0 || isNaN(result[0]) || ({})", parts.join(" && "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_approximate_weights_without_routing() {
        // One replica at 20% runs one canary pod beside one stable pod.
        assert_eq!(pods_at(1, 20.0), (1, 1, 50.0));
        assert_eq!(pods_at(5, 20.0), (1, 4, 20.0));
        assert_eq!(pods_at(3, 50.0), (2, 1, 2.0 * 100.0 / 3.0));
        assert_eq!(pods_at(4, 100.0).1, 0);
        assert_eq!(replicas_for(&[10.0, 25.0, 50.0, 100.0]), 20);
        assert_eq!(replicas_for(&[20.0, 50.0]), 10);
    }
}
