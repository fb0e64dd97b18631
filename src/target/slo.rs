//! Multi-window, multi-burn-rate alerting for SLOs (the Google SRE
//! workbook's table), shared by the checks and the Prometheus target.
//!
//! Each row spends a share of the error budget within its long window: for a
//! 30-day SLO, 2% in 1 hour is a burn rate of 0.02 × 720 h / 1 h = 14.4.
//! Other windows scale the same way (28 days: 13.44).

use crate::model::units::Duration;

/// One alerting rule of an SLO.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BurnRate {
    pub severity: &'static str,
    /// Share of the error budget spent within `long`.
    pub budget: f64,
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
        budget: 0.02,
        long: HOUR,
        short: 5 * MIN,
        for_secs: 2 * MIN,
    },
    BurnRate {
        severity: "critical",
        budget: 0.05,
        long: 6 * HOUR,
        short: 30 * MIN,
        for_secs: 15 * MIN,
    },
    BurnRate {
        severity: "warning",
        budget: 0.10,
        long: DAY,
        short: 2 * HOUR,
        for_secs: HOUR,
    },
    BurnRate {
        severity: "warning",
        budget: 0.10,
        long: 3 * DAY,
        short: 6 * HOUR,
        for_secs: 3 * HOUR,
    },
];

/// The windows the recording rules cover (plus the SLO's own window).
pub const STANDARD_WINDOWS: [u64; 7] = [5 * MIN, 30 * MIN, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY];

impl BurnRate {
    /// The burn-rate factor for an SLO over `window`.
    pub fn factor(&self, window: &Duration) -> f64 {
        self.budget * window.secs() as f64 / self.long as f64
    }
}

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
    fn factors_match_the_table_for_30_and_28_days() {
        let d30 = Duration::from_secs(30 * DAY);
        let f30: Vec<f64> = BURN_RATES.iter().map(|b| b.factor(&d30)).collect();
        let expect30 = [14.4, 6.0, 3.0, 1.0];
        for (a, b) in f30.iter().zip(expect30) {
            assert!((a - b).abs() < 1e-9, "{f30:?}");
        }
        let d28 = Duration::from_secs(28 * DAY);
        let f28: Vec<f64> = BURN_RATES.iter().map(|b| b.factor(&d28)).collect();
        for (a, b) in f28.iter().zip([13.44, 5.6, 2.8, 0.1 * 28.0 / 3.0]) {
            assert!((a - b).abs() < 1e-9, "{f28:?}");
        }
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
