//! Multi-window, multi-burn-rate alerting for SLOs (the Google SRE
//! workbook's table), shared by the checks and the Prometheus target.
//!
//! Each row alerts on a burn rate: how many times faster than the steady
//! rate (the one that spends the budget exactly over the SLO's window) the
//! errors come. The workbook's rates for 30 days — 14.4, 6, 3 and 1, which
//! spend 2% of the budget in 1 hour, 5% in 6 hours, 10% in 1 day and 10% in
//! 3 days — are kept for every window: a burn below 1 never exhausts the
//! budget and never alerts, whatever the window. The share of the budget a
//! row spends in its long window follows: `rate × long / window` (14 days:
//! 4.3% in 1 hour, 10.7% in 6 hours, 21.4% in 1 day, 21.4% in 3 days).

use crate::model::units::Duration;

/// One alerting rule of an SLO.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BurnRate {
    pub severity: &'static str,
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

pub const BURN_RATES: [BurnRate; 4] = [
    BurnRate {
        severity: "critical",
        rate: 14.4,
        long: HOUR,
        short: 5 * MIN,
        for_secs: 2 * MIN,
    },
    BurnRate {
        severity: "critical",
        rate: 6.0,
        long: 6 * HOUR,
        short: 30 * MIN,
        for_secs: 15 * MIN,
    },
    BurnRate {
        severity: "warning",
        rate: 3.0,
        long: DAY,
        short: 2 * HOUR,
        for_secs: HOUR,
    },
    BurnRate {
        severity: "warning",
        rate: 1.0,
        long: 3 * DAY,
        short: 6 * HOUR,
        for_secs: 3 * HOUR,
    },
];

/// The windows the recording rules cover (plus the SLO's own window).
pub const STANDARD_WINDOWS: [u64; 7] = [5 * MIN, 30 * MIN, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY];

impl BurnRate {
    /// The burn-rate factor, the same for an SLO over any window.
    pub fn factor(&self, _window: &Duration) -> f64 {
        self.rate
    }

    /// The share of the budget this row spends within its long window, for
    /// an SLO over `window`.
    pub fn budget_share(&self, window: &Duration) -> f64 {
        match window.secs() {
            0 => 0.0,
            w => self.rate * self.long as f64 / w as f64,
        }
    }
}

/// The longest window an SLO's alerts read (3 days).
pub const LONGEST_ALERT_WINDOW: u64 = 3 * DAY;

/// Every window the rules of an SLO over `window` use, shortest first.
pub fn windows(window: &Duration) -> Vec<Duration> {
    let mut all: Vec<u64> = STANDARD_WINDOWS.to_vec();
    if window.secs() > 0 {
        all.push(window.secs());
    }
    all.sort_unstable();
    all.dedup();
    all.into_iter().map(Duration::from_secs).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_the_workbook_s_for_every_window() {
        let d30 = Duration::from_secs(30 * DAY);
        let shares: Vec<f64> = BURN_RATES.iter().map(|b| b.budget_share(&d30)).collect();
        for (a, b) in shares.iter().zip([0.02, 0.05, 0.10, 0.10]) {
            assert!((a - b).abs() < 1e-9, "{shares:?}");
        }
        for days in [7, 14, 28, 30, 90] {
            let w = Duration::from_secs(days * DAY);
            let rates: Vec<f64> = BURN_RATES.iter().map(|b| b.factor(&w)).collect();
            assert_eq!(rates, [14.4, 6.0, 3.0, 1.0], "{days}d");
            // A steady burn below 1 stays under every threshold.
            assert!(rates.iter().all(|r| *r >= 1.0));
        }
        // 14 days: the shares the docs table gives.
        let d14 = Duration::from_secs(14 * DAY);
        let shares: Vec<f64> = BURN_RATES
            .iter()
            .map(|b| (b.budget_share(&d14) * 1000.0).round() / 10.0)
            .collect();
        assert_eq!(shares, [4.3, 10.7, 21.4, 21.4]);
        let windows: Vec<(u64, u64)> = BURN_RATES.iter().map(|b| (b.long, b.short)).collect();
        assert_eq!(
            windows,
            [
                (HOUR, 5 * MIN),
                (6 * HOUR, 30 * MIN),
                (DAY, 2 * HOUR),
                (3 * DAY, 6 * HOUR)
            ]
        );
    }
}
