//! Numbers as PromQL computes them: comparison and arithmetic operators,
//! label values of floats, quantiles (of a linear range, of a sample set,
//! of classic histogram buckets) and calendar functions of Unix times.

use super::eval::{Fail, R};

pub(super) fn compare(op: &str, a: f64, b: f64) -> bool {
    match op {
        "==" => a == b,
        "!=" => a != b,
        ">" => a > b,
        "<" => a < b,
        ">=" => a >= b,
        "<=" => a <= b,
        _ => false,
    }
}

pub(super) fn arith(op: &str, a: f64, b: f64) -> R<f64> {
    Ok(match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" => a / b,
        "%" => a % b,
        "^" => a.powf(b),
        "atan2" => a.atan2(b),
        other => return Err(Fail::Unsupported(format!("`{other}`"))),
    })
}

pub(super) fn parse_float(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" | "inf" | "+inf" => Some(f64::INFINITY),
        _ => s.parse().ok(),
    }
}

/// A value as Prometheus prints it in a label (`count_values`).
pub(super) fn format_value(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    format!("{v}")
}

pub(super) fn quantile_linear(q: f64, first: f64, last: f64) -> f64 {
    if q.is_nan() {
        return f64::NAN;
    }
    first + q.clamp(0.0, 1.0) * (last - first)
}

pub(super) fn quantile_sorted(q: f64, sorted: &[f64]) -> f64 {
    if sorted.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    let rank = q * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let w = rank - lo as f64;
    sorted[lo] * (1.0 - w) + sorted[hi] * w
}

/// Prometheus's `histogram_quantile` over classic buckets (upper bound,
/// cumulative count).
pub(super) fn bucket_quantile(q: f64, mut buckets: Vec<(f64, f64)>) -> f64 {
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    buckets.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    if buckets.len() < 2 || buckets.last().is_none_or(|b| !b.0.is_infinite()) {
        return f64::NAN;
    }
    // Counts are cumulative; a smaller count after a larger one is lifted.
    for i in 1..buckets.len() {
        if buckets[i].1 < buckets[i - 1].1 {
            buckets[i].1 = buckets[i - 1].1;
        }
    }
    let total = buckets[buckets.len() - 1].1;
    if total == 0.0 || total.is_nan() {
        return f64::NAN;
    }
    let mut rank = q * total;
    let b = buckets
        .iter()
        .position(|(_, c)| *c >= rank)
        .unwrap_or(buckets.len() - 1);
    if b == buckets.len() - 1 {
        return buckets[buckets.len() - 2].0;
    }
    if b == 0 && buckets[0].0 <= 0.0 {
        return buckets[0].0;
    }
    let (start, mut count) = if b == 0 {
        (0.0, buckets[0].1)
    } else {
        rank -= buckets[b - 1].1;
        (buckets[b - 1].0, buckets[b].1 - buckets[b - 1].1)
    };
    if count == 0.0 {
        count = 1.0;
    }
    start + (buckets[b].0 - start) * (rank / count)
}

/// Calendar functions of a Unix time (UTC).
pub(super) fn calendar(name: &str, secs: f64) -> f64 {
    let days = (secs / 86_400.0).floor() as i64;
    let of_day = secs - days as f64 * 86_400.0;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy_march = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy_march + 2) / 153;
    let day = doy_march - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let day_of_year: i64 = month_days[..(month - 1) as usize].iter().sum::<i64>() + day;
    (match name {
        "minute" => ((of_day / 60.0).floor() as i64) % 60,
        "hour" => (of_day / 3600.0).floor() as i64,
        "day_of_week" => (days + 4).rem_euclid(7),
        "day_of_month" => day,
        "day_of_year" => day_of_year,
        "days_in_month" => month_days[(month - 1) as usize],
        "month" => month,
        _ => year,
    }) as f64
}
