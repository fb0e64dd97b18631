//! Multi-window, multi-burn-rate alerting for SLOs, shared by the checks
//! and the Prometheus target, under three policies.
//!
//! Each row alerts on a burn rate: how many times faster than the steady
//! rate (the one that spends the budget exactly over the SLO's window) the
//! errors come, over a long window and a short one.
//!
//! - `workbook` (the default): the Google SRE workbook's rates for 30 days
//!   — 14.4, 6, 3 and 1 over 1h, 6h, 1d and 3d, which spend 2%, 5%, 10% and
//!   10% of a 30-day budget — kept for every window: a burn below 1 never
//!   exhausts the budget and never alerts, whatever the window. The share
//!   a row spends follows: `rate × long / window`.
//! - `sloth`: Sloth's reading of the same table: the budget shares (2%, 5%,
//!   10%, 10%) are kept, so the rates scale with the window (`share ×
//!   window / long`): the same as the workbook's for 30 days, lower for
//!   shorter windows (for 28 days the slowest ticket alerts at 0.93, a burn
//!   that would not exhaust the budget), higher for longer ones; Sloth's
//!   alerts have no `for`.
//! - `pyrra`: Pyrra's table: rates 14, 7, 2 and 1 over windows scaled to
//!   the SLO's window (for 28 days: 1h/5m, 6h/30m, 1d/2h, 4d/6h, `for`
//!   2m, 15m, 1h, 3h), each a fixed fraction of it, rounded to the minute.

use crate::model::BurnPolicy;
use crate::model::units::Duration;

/// One alerting rule of an SLO.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BurnRate {
    /// A fast burn that pages (else a slow one that makes a ticket).
    pub page: bool,
    /// The burn rate: times the steady rate.
    pub rate: f64,
    pub long: u64,
    pub short: u64,
    /// How long both windows must burn before the alert fires.
    pub for_secs: u64,
}

const MIN: u64 = 60;
const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

/// The workbook's rows (and Sloth's windows).
const WORKBOOK: [BurnRate; 4] = [
    BurnRate {
        page: true,
        rate: 14.4,
        long: HOUR,
        short: 5 * MIN,
        for_secs: 2 * MIN,
    },
    BurnRate {
        page: true,
        rate: 6.0,
        long: 6 * HOUR,
        short: 30 * MIN,
        for_secs: 15 * MIN,
    },
    BurnRate {
        page: false,
        rate: 3.0,
        long: DAY,
        short: 2 * HOUR,
        for_secs: HOUR,
    },
    BurnRate {
        page: false,
        rate: 1.0,
        long: 3 * DAY,
        short: 6 * HOUR,
        for_secs: 3 * HOUR,
    },
];

/// Sloth's budget shares, row by row.
const SLOTH_SHARES: [f64; 4] = [0.02, 0.05, 0.10, 0.10];

/// Pyrra's rows for a 28-day window: (rate, long, short, for, page); other
/// windows scale every duration by `window / 28d`.
const PYRRA_28D: [(f64, u64, u64, u64, bool); 4] = [
    (14.0, HOUR, 5 * MIN, 2 * MIN, true),
    (7.0, 6 * HOUR, 30 * MIN, 15 * MIN, true),
    (2.0, DAY, 2 * HOUR, HOUR, false),
    (1.0, 4 * DAY, 6 * HOUR, 3 * HOUR, false),
];

/// The rows of `policy` for an SLO over `window`.
pub fn rows(policy: BurnPolicy, window: &Duration) -> Vec<BurnRate> {
    let w = window.secs();
    match policy {
        BurnPolicy::Workbook => WORKBOOK.to_vec(),
        BurnPolicy::Sloth => WORKBOOK
            .iter()
            .zip(SLOTH_SHARES)
            .map(|(b, share)| BurnRate {
                rate: share * w as f64 / b.long as f64,
                for_secs: 0,
                ..*b
            })
            .collect(),
        BurnPolicy::Pyrra => {
            // Scaled and rounded to the minute, at least a minute.
            let scale = |d: u64| -> u64 {
                let secs = d as f64 * w as f64 / (28 * DAY) as f64;
                ((secs / 60.0).round() as u64).max(1) * 60
            };
            PYRRA_28D
                .iter()
                .map(|(rate, long, short, for_, page)| BurnRate {
                    page: *page,
                    rate: *rate,
                    long: scale(*long),
                    short: scale(*short),
                    for_secs: scale(*for_),
                })
                .collect()
        }
    }
}

impl BurnRate {
    /// The share of the budget this row spends within its long window, for
    /// an SLO over `window`.
    pub fn budget_share(&self, window: &Duration) -> f64 {
        match window.secs() {
            0 => 0.0,
            w => self.rate * self.long as f64 / w as f64,
        }
    }
}

/// The longest window the alerts of `policy` read.
pub fn longest_alert_window(policy: BurnPolicy, window: &Duration) -> u64 {
    rows(policy, window).iter().map(|b| b.long).max().unwrap_or(0)
}

/// Every window the rules of an SLO use (its rows' and its own), shortest
/// first.
pub fn windows(policy: BurnPolicy, window: &Duration) -> Vec<Duration> {
    let mut all: Vec<u64> = vec![5 * MIN];
    for b in rows(policy, window) {
        all.extend([b.long, b.short]);
    }
    if window.secs() > 0 {
        all.push(window.secs());
    }
    all.sort_unstable();
    all.dedup();
    all.into_iter().map(Duration::from_secs).collect()
}

/// Whether `w` is one of the alert windows (not the SLO's own period).
pub fn is_alert_window(policy: BurnPolicy, window: &Duration, w: u64) -> bool {
    w == 5 * MIN || rows(policy, window).iter().any(|b| b.long == w || b.short == w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(d: u64) -> Duration {
        Duration::from_secs(d * DAY)
    }

    #[test]
    fn the_workbook_s_rates_for_every_window() {
        let shares: Vec<f64> = rows(BurnPolicy::Workbook, &days(30))
            .iter()
            .map(|b| b.budget_share(&days(30)))
            .collect();
        for (a, b) in shares.iter().zip([0.02, 0.05, 0.10, 0.10]) {
            assert!((a - b).abs() < 1e-9, "{shares:?}");
        }
        for d in [7, 14, 28, 30, 90] {
            let rates: Vec<f64> = rows(BurnPolicy::Workbook, &days(d)).iter().map(|b| b.rate).collect();
            assert_eq!(rates, [14.4, 6.0, 3.0, 1.0], "{d}d");
        }
        // 14 days: the shares the docs table gives.
        let shares: Vec<f64> = rows(BurnPolicy::Workbook, &days(14))
            .iter()
            .map(|b| (b.budget_share(&days(14)) * 1000.0).round() / 10.0)
            .collect();
        assert_eq!(shares, [4.3, 10.7, 21.4, 21.4]);
    }

    #[test]
    fn sloth_keeps_the_shares_so_rates_scale() {
        let rate = |d: u64| -> Vec<f64> {
            rows(BurnPolicy::Sloth, &days(d))
                .iter()
                .map(|b| (b.rate * 1000.0).round() / 1000.0)
                .collect()
        };
        assert_eq!(rate(30), [14.4, 6.0, 3.0, 1.0]);
        assert_eq!(rate(28), [13.44, 5.6, 2.8, 0.933]);
        assert_eq!(rate(14), [6.72, 2.8, 1.4, 0.467]);
        assert!(rows(BurnPolicy::Sloth, &days(30)).iter().all(|b| b.for_secs == 0));
    }

    #[test]
    fn pyrra_scales_its_windows() {
        let r = rows(BurnPolicy::Pyrra, &days(28));
        let table: Vec<(f64, u64, u64, u64)> = r.iter().map(|b| (b.rate, b.long, b.short, b.for_secs)).collect();
        assert_eq!(
            table,
            [
                (14.0, HOUR, 5 * MIN, 2 * MIN),
                (7.0, 6 * HOUR, 30 * MIN, 15 * MIN),
                (2.0, DAY, 2 * HOUR, HOUR),
                (1.0, 4 * DAY, 6 * HOUR, 3 * HOUR)
            ]
        );
        // 14 days: every window halved.
        let r = rows(BurnPolicy::Pyrra, &days(14));
        assert_eq!(r[0].long, 30 * MIN);
        assert_eq!(r[3].long, 2 * DAY);
        assert_eq!(r[0].for_secs, MIN);
        // A burn below 1 never alerts under Pyrra or the workbook.
        for p in [BurnPolicy::Workbook, BurnPolicy::Pyrra] {
            for d in [7, 14, 28, 30, 90] {
                assert!(rows(p, &days(d)).iter().all(|b| b.rate >= 1.0), "{p:?} {d}d");
            }
        }
    }
}
