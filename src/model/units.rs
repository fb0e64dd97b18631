//! Unit literals: durations, CPU, memory and percentages, parsed exactly as
//! their consumers read them (Prometheus durations, Kubernetes quantities).

use std::fmt;

use serde::{Serialize, Serializer};

/// A number as PromQL, Prometheus labels and people write it: no float
/// noise (`0.0144`, `14.4`, `0.3`, `30`).
pub fn number(x: f64) -> String {
    let rounded = (x * 1e9).round() / 1e9;
    let s = format!("{rounded}");
    if s.contains('e') {
        format!("{rounded:.12}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        s
    }
}

/// A duration in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    pub millis: u64,
}

impl Duration {
    pub fn from_secs(secs: u64) -> Duration {
        Duration { millis: secs * 1000 }
    }

    pub fn secs(&self) -> u64 {
        self.millis / 1000
    }

    /// Whole minutes, rounded up (GitHub's `timeout-minutes`).
    pub fn minutes_ceil(&self) -> u64 {
        self.millis.div_ceil(60_000)
    }

    /// Parses Prometheus' duration syntax: `[0-9]+` followed by one of
    /// `y w d h m s ms`, units in that order, each at most once (`1h30m`).
    pub fn parse(text: &str) -> Option<Duration> {
        const UNITS: [(&str, u64); 7] = [
            ("y", 365 * 86_400_000),
            ("w", 7 * 86_400_000),
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1000),
            ("ms", 1),
        ];
        if text.is_empty() {
            return None;
        }
        let mut rest = text;
        let mut next_unit = 0;
        let mut millis: u64 = 0;
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if digits == 0 {
                return None;
            }
            let n: u64 = rest[..digits].parse().ok()?;
            rest = &rest[digits..];
            // `ms` before `m`: try the longest unit at this point.
            let (idx, len, factor) = UNITS
                .iter()
                .enumerate()
                .filter(|(_, (u, _))| rest.starts_with(u))
                .map(|(i, (u, f))| (i, u.len(), *f))
                .max_by_key(|&(_, len, _)| len)?;
            if idx < next_unit {
                return None;
            }
            next_unit = idx + 1;
            millis = millis.checked_add(n.checked_mul(factor)?)?;
            rest = &rest[len..];
        }
        Some(Duration { millis })
    }
}

impl fmt::Display for Duration {
    /// One unit, the largest that divides exactly: `30d`, `90m`, `1500ms`
    /// (valid Prometheus and readable; `0` is `0s`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.millis == 0 {
            return f.write_str("0s");
        }
        for (unit, factor) in [
            ("y", 365 * 86_400_000u64),
            ("w", 7 * 86_400_000),
            ("d", 86_400_000),
            ("h", 3_600_000),
            ("m", 60_000),
            ("s", 1000),
        ] {
            if self.millis.is_multiple_of(factor) {
                return write!(f, "{}{unit}", self.millis / factor);
            }
        }
        write!(f, "{}ms", self.millis)
    }
}

/// CPU in millicores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cpu {
    pub millis: u64,
}

impl Cpu {
    /// `500m`, or a number of cores (`2`, `0.5`).
    pub fn parse(number: f64, unit: &str) -> Option<Cpu> {
        let millis = match unit {
            "m" => number,
            "" => number * 1000.0,
            _ => return None,
        };
        (millis >= 0.0 && millis.fract() == 0.0 && millis < 1e12).then_some(Cpu { millis: millis as u64 })
    }
}

impl fmt::Display for Cpu {
    /// Kubernetes' quantity: whole cores as `2`, else millicores `500m`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.millis.is_multiple_of(1000) {
            write!(f, "{}", self.millis / 1000)
        } else {
            write!(f, "{}m", self.millis)
        }
    }
}

/// Memory in bytes, with the unit it was written in (kept for output).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Memory {
    pub bytes: u64,
    pub text: String,
}

impl Memory {
    /// Kubernetes' binary and decimal suffixes: `Ki Mi Gi Ti`, `k M G T`.
    pub fn parse(number: f64, unit: &str) -> Option<Memory> {
        let factor: u64 = match unit {
            "Ki" => 1 << 10,
            "Mi" => 1 << 20,
            "Gi" => 1 << 30,
            "Ti" => 1 << 40,
            "k" => 1000,
            "M" => 1_000_000,
            "G" => 1_000_000_000,
            "T" => 1_000_000_000_000,
            _ => return None,
        };
        let bytes = number * factor as f64;
        (number >= 0.0 && number.fract() == 0.0 && bytes < 1e18).then(|| Memory {
            bytes: bytes as u64,
            text: format!("{number}{unit}"),
        })
    }
}

impl fmt::Display for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

macro_rules! serialize_as_text {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    )*};
}
serialize_as_text!(Duration, Cpu, Memory);

/// What a unit suffix usually means, for "wrong unit" messages.
pub fn describe_unit(unit: &str) -> &'static str {
    match unit {
        "ms" | "s" | "m" | "h" | "d" | "w" | "y" => "a duration",
        "Ki" | "Mi" | "Gi" | "Ti" | "k" | "M" | "G" | "T" => "a memory quantity",
        "%" => "a percentage",
        _ if Duration::parse(&format!("1{unit}")).is_some() => "a duration",
        _ => "a unit dvcc does not know",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_prometheus() {
        assert_eq!(Duration::parse("5m").map(|d| d.millis), Some(300_000));
        assert_eq!(Duration::parse("1h30m").map(|d| d.millis), Some(5_400_000));
        assert_eq!(Duration::parse("100ms").map(|d| d.millis), Some(100));
        assert_eq!(Duration::parse("1m100ms").map(|d| d.millis), Some(60_100));
        assert_eq!(Duration::parse("0s").map(|d| d.millis), Some(0));
        for bad in [
            "",
            "5",
            "m",
            "1.5h",
            "5M",
            "30m1h",
            "1h1h",
            "5 m",
            "99999999999999999999d",
        ] {
            assert_eq!(Duration::parse(bad), None, "{bad}");
        }
        assert_eq!(Duration { millis: 5_400_000 }.to_string(), "90m");
        assert_eq!(
            Duration {
                millis: 30 * 86_400_000
            }
            .to_string(),
            "30d"
        );
        assert_eq!(
            Duration {
                millis: 28 * 86_400_000
            }
            .to_string(),
            "4w"
        );
        assert_eq!(Duration { millis: 1500 }.to_string(), "1500ms");
        assert_eq!(Duration { millis: 0 }.to_string(), "0s");
        assert_eq!(Duration { millis: 90_000 }.minutes_ceil(), 2);
    }

    #[test]
    fn cpu_and_memory() {
        assert_eq!(Cpu::parse(500.0, "m"), Some(Cpu { millis: 500 }));
        assert_eq!(Cpu::parse(0.5, ""), Some(Cpu { millis: 500 }));
        assert_eq!(Cpu::parse(2.0, "").map(|c| c.to_string()), Some("2".to_string()));
        assert_eq!(Cpu::parse(5.0, "h"), None);
        assert_eq!(Cpu::parse(0.5, "m"), None);
        assert_eq!(Memory::parse(512.0, "Mi").map(|m| m.bytes), Some(512 << 20));
        assert_eq!(Memory::parse(1.5, "Gi"), None);
        assert_eq!(Memory::parse(512.0, "MiB"), None);
        assert_eq!(describe_unit("h"), "a duration");
        assert_eq!(describe_unit("%"), "a percentage");
    }
}
