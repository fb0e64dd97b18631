//! GitHub's `schedule` cron: five fields (minute, hour, day of month, month,
//! day of week), operators `*` `,` `-` `/`, month names `JAN`–`DEC`, day
//! names `SUN`–`SAT`, days of the week 0–6. Hand-written so that each error
//! names and locates the offending field.

/// A problem: the field's byte range in the expression, and what is wrong.
#[derive(Debug, PartialEq, Eq)]
pub struct CronError {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

const FIELDS: [(&str, u32, u32); 5] = [
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 6),
];
const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

pub fn check(expr: &str) -> Result<(), CronError> {
    let fields: Vec<(usize, &str)> = split_fields(expr);
    if fields.len() != 5 {
        return Err(CronError {
            start: 0,
            end: expr.len(),
            message: format!(
                "a schedule has 5 fields (minute hour day-of-month month day-of-week), found {}",
                fields.len()
            ),
        });
    }
    for (i, (at, text)) in fields.iter().enumerate() {
        let (name, lo, hi) = FIELDS[i];
        field(text, i, lo, hi).map_err(|why| CronError {
            start: *at,
            end: at + text.len(),
            message: format!("the {name} field `{text}` {why}"),
        })?;
    }
    Ok(())
}

fn split_fields(expr: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in expr.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push((s, &expr[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &expr[s..]));
    }
    out
}

fn field(text: &str, index: usize, lo: u32, hi: u32) -> Result<(), String> {
    for item in text.split(',') {
        if item.is_empty() {
            return Err("has an empty list item".into());
        }
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        if let Some(s) = step {
            match s.parse::<u32>() {
                Ok(n) if n >= 1 && n <= hi.max(1) => {}
                _ => return Err(format!("has the step `/{s}`; a step is a number from 1 to {hi}")),
            }
        }
        if range == "*" {
            continue;
        }
        let (a, b) = match range.split_once('-') {
            Some((a, b)) => (value(a, index, lo, hi)?, Some(value(b, index, lo, hi)?)),
            None => (value(range, index, lo, hi)?, None),
        };
        if let Some(b) = b
            && a > b
        {
            return Err(format!("has the range `{range}`, whose start is after its end"));
        }
    }
    Ok(())
}

fn value(v: &str, index: usize, lo: u32, hi: u32) -> Result<u32, String> {
    let upper = v.to_ascii_uppercase();
    let named = match index {
        3 => MONTHS.iter().position(|m| *m == upper).map(|p| p as u32 + 1),
        4 => DAYS.iter().position(|d| *d == upper).map(|p| p as u32),
        _ => None,
    };
    if let Some(n) = named {
        return Ok(n);
    }
    match v.parse::<u32>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(n),
        Ok(7) if index == 4 => Err("uses 7; GitHub counts days of the week 0–6 (0 is Sunday)".into()),
        Ok(n) => Err(format!("has {n}, outside {lo}–{hi}")),
        Err(_) if v.is_empty() => Err("has an empty value".into()),
        Err(_) => Err(format!(
            "has `{v}`, which is not a number{}",
            match index {
                3 => " or a month name (JAN–DEC)",
                4 => " or a day name (SUN–SAT)",
                _ => "",
            }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_github_syntax() {
        for ok in [
            "0 3 * * 1",
            "*/15 * * * *",
            "30 2 * * 1-5",
            "0 0 1,15 * *",
            "0 12 * JAN-MAR MON",
            "5/10 * * * *",
            "0 0 * * SUN",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn locates_the_bad_field() {
        let e = check("0 25 * * *").unwrap_err();
        assert_eq!((e.start, e.end), (2, 4));
        assert!(e.message.contains("hour"), "{}", e.message);
        assert!(check("0 3 * * 7").unwrap_err().message.contains("0–6"));
        assert!(check("0 3 * *").unwrap_err().message.contains("5 fields"));
        assert!(check("@daily").is_err());
        assert!(check("*/0 * * * *").is_err());
        assert!(check("0 5-1 * * *").is_err());
        assert!(check("0 3 * FOO *").unwrap_err().message.contains("month name"));
    }
}
