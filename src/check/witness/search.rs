//! The search for scenarios: the variables a scenario sets (levels, trends,
//! buckets, shared labels, copies), the test's shape (interval, warm-up,
//! samples), and the search nearest a base for a scenario that fires or
//! stays silent, turned into promtool's input series.

use promql_parser::parser::{Expr, Offset};

use super::eval::{Ctx, Fail, Input, Kind, Labels, Value};
use super::slots::Slot;
use super::{NoWitness, Scenario};

/// Several series of one selector.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Copies {
    pub(super) n: usize,
    /// All at the slot's level, or the first at it and the others at 0.
    pub(super) alike: bool,
    /// The labels in which copies differ besides `instance`: the groups
    /// they fall in.
    pub(super) vary: Vec<String>,
}

/// What a variable of the search sets.
#[derive(Clone, Debug)]
pub(super) enum What {
    /// The series' value (gauge) or rate per second (counter); `None`: no
    /// such series.
    Level(Vec<Option<f64>>),
    /// A gauge's change per second.
    Slope(Vec<f64>),
    /// The bucket index the observations fall in; `None`: no histogram.
    Bucket(Vec<Option<usize>>, Vec<f64>),
    /// Whether the series carries the equality labels of the others.
    Inherit,
    Copies(Vec<Copies>),
}

#[derive(Clone, Debug)]
pub(super) struct Var {
    pub(super) slot: usize,
    pub(super) what: What,
}

impl Var {
    pub(super) fn choices(&self) -> usize {
        match &self.what {
            What::Level(c) => c.len(),
            What::Slope(c) => c.len(),
            What::Bucket(c, _) => c.len(),
            What::Inherit => 2,
            What::Copies(c) => c.len(),
        }
    }
}

pub(super) fn push_unique(out: &mut Vec<f64>, v: f64) {
    if v.is_finite() && !out.contains(&v) {
        out.push(v);
    }
}

pub(super) fn variables(slots: &[Slot], numbers: &[f64], mentioned: &[String]) -> Vec<Var> {
    let mut vars = Vec::new();
    // Candidate levels: 1, 0 and a hundred, then the expression's numbers
    // and what lies just past them, their halves and products.
    let mut levels: Vec<f64> = vec![1.0, 0.0, 100.0];
    for n in numbers {
        push_unique(&mut levels, n * 2.0 + 1.0);
    }
    for n in numbers {
        push_unique(&mut levels, n / 2.0);
        push_unique(&mut levels, *n);
    }
    for (i, a) in numbers.iter().enumerate() {
        for b in &numbers[i + 1..] {
            push_unique(&mut levels, a * b);
        }
    }
    levels.truncate(24);
    for (i, s) in slots.iter().enumerate() {
        if s.bucket {
            let mut bounds: Vec<f64> = numbers
                .iter()
                .filter(|n| **n > 0.0 && **n < 1e9)
                .flat_map(|n| [n / 2.0, n * 2.0])
                .collect();
            if bounds.is_empty() {
                bounds = vec![0.1, 1.0, 10.0];
            }
            bounds.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            bounds.dedup();
            // The lowest and the highest: observations beyond every
            // threshold must stay possible.
            if bounds.len() > 8 {
                bounds.drain(4..bounds.len() - 4);
            }
            bounds.push(f64::INFINITY);
            let mut choices: Vec<Option<usize>> = (0..bounds.len()).map(Some).collect();
            choices.push(None);
            vars.push(Var {
                slot: i,
                what: What::Bucket(choices, bounds),
            });
        } else {
            let mut choices: Vec<Option<f64>> = levels.iter().copied().map(Some).collect();
            if !s.counter {
                for n in numbers {
                    let v = -(n * 2.0 + 1.0);
                    if v.is_finite() && !choices.contains(&Some(v)) {
                        choices.push(Some(v));
                    }
                }
            }
            choices.push(None);
            vars.push(Var {
                slot: i,
                what: What::Level(choices),
            });
        }
        if s.trend {
            vars.push(Var {
                slot: i,
                what: What::Slope(vec![0.0, 1.0, -1.0, 0.001, -0.001]),
            });
        }
        if !s.inherit.is_empty() {
            vars.push(Var {
                slot: i,
                what: What::Inherit,
            });
        }
        if s.aggregated {
            let mut ns = vec![2, 3];
            for n in numbers {
                if n.fract() == 0.0 && *n >= 1.0 && *n <= 20.0 {
                    ns.extend([*n as usize, *n as usize + 1]);
                }
            }
            ns.push(6);
            let mut seen = Vec::new();
            ns.retain(|c| {
                let new = *c > 1 && !seen.contains(c);
                seen.push(*c);
                new
            });
            let mut groupings: Vec<Vec<String>> = vec![Vec::new()];
            let free: Vec<String> = mentioned
                .iter()
                .filter(|l| s.free_of.iter().all(|c| c != *l))
                .cloned()
                .collect();
            for l in &free {
                groupings.push(vec![l.clone()]);
            }
            if free.len() > 1 {
                groupings.push(free.clone());
            }
            let mut choices = vec![Copies {
                n: 1,
                alike: true,
                vary: Vec::new(),
            }];
            for n in ns {
                for vary in &groupings {
                    for alike in [true, false] {
                        choices.push(Copies {
                            n,
                            alike,
                            vary: vary.clone(),
                        });
                    }
                }
            }
            vars.push(Var {
                slot: i,
                what: What::Copies(choices),
            });
        }
    }
    vars
}

/// What an expression reads: its ranges, offsets and instant selectors.
pub(super) struct Shape {
    pub(super) reads: Vec<Read>,
    /// Calendar functions read.
    pub(super) calendar: Option<&'static str>,
    pub(super) offset: bool,
}

/// One selector.
pub(super) struct Read {
    /// Seconds of history needed before it, from enclosing subqueries
    /// (range, how many of its steps the test needs, offset).
    pub(super) before: Vec<(u64, u64, u64)>,
    pub(super) offset: u64,
    /// Its range (none: an instant selector).
    pub(super) range: Option<u64>,
    /// How many times one evaluation reads it (subquery steps).
    pub(super) times: u64,
}

pub(super) const CALENDAR: &[&str] = &[
    "minute",
    "hour",
    "day_of_week",
    "day_of_month",
    "day_of_year",
    "days_in_month",
    "month",
    "year",
];

/// Samples a range must hold for the test to read it: ranges need not be
/// full (the evaluator extrapolates as Prometheus does), only hold this
/// many.
pub(super) const SAMPLES_PER_RANGE: u64 = 4;

impl Shape {
    pub(super) fn of(e: &Expr) -> Shape {
        let mut s = Shape {
            reads: Vec::new(),
            calendar: None,
            offset: false,
        };
        s.walk(e, &mut Vec::new(), 1);
        s
    }

    pub(super) fn walk(&mut self, e: &Expr, before: &mut Vec<(u64, u64, u64)>, times: u64) {
        let mut offset = |o: &Option<Offset>| match o {
            Some(Offset::Pos(d)) => {
                self.offset = true;
                d.as_secs()
            }
            Some(Offset::Neg(_)) => {
                self.offset = true;
                0
            }
            None => 0,
        };
        match e {
            Expr::VectorSelector(v) => {
                let offset = offset(&v.offset);
                self.reads.push(Read {
                    before: before.clone(),
                    offset,
                    range: None,
                    times,
                });
            }
            Expr::MatrixSelector(m) => {
                let offset = offset(&m.vs.offset);
                self.reads.push(Read {
                    before: before.clone(),
                    offset,
                    range: Some(m.range.as_secs()),
                    times,
                });
            }
            Expr::Subquery(s) => {
                let o = offset(&s.offset);
                let r = s.range.as_secs();
                let step = s.step.map_or(60, |d| d.as_secs()).max(1);
                before.push((r, step, o));
                self.walk(&s.expr, before, times * (r / step + 1));
                before.pop();
            }
            Expr::Call(c) => {
                if let Some(f) = CALENDAR.iter().find(|f| **f == c.func.name) {
                    self.calendar = Some(f);
                }
                c.args.args.iter().for_each(|a| self.walk(a, before, times))
            }
            Expr::Aggregate(a) => self.walk(&a.expr, before, times),
            Expr::Binary(b) => {
                self.walk(&b.lhs, before, times);
                self.walk(&b.rhs, before, times);
            }
            Expr::Paren(p) => self.walk(&p.expr, before, times),
            Expr::Unary(u) => self.walk(&u.expr, before, times),
            _ => {}
        }
    }

    /// The sample interval: a minute, or less where a range is shorter than
    /// three minutes (every range must hold three samples or more,
    /// whichever boundary the Prometheus version uses).
    pub(super) fn interval(&self) -> Result<u64, NoWitness> {
        let shortest = self.reads.iter().filter_map(|r| r.range).min();
        [60, 30, 15, 10, 5]
            .into_iter()
            .find(|i| shortest.is_none_or(|s| s >= 3 * i))
            .ok_or(NoWitness::Ranges)
    }

    /// How long before every selector reads enough samples: offsets in
    /// full, ranges up to a few samples.
    pub(super) fn warm_up(&self, interval: u64) -> u64 {
        self.reads
            .iter()
            .map(|r| {
                let own = r.range.map_or(0, |range| range.min(SAMPLES_PER_RANGE * interval));
                let outer: u64 = r
                    .before
                    .iter()
                    .map(|(range, step, offset)| (*range).min(SAMPLES_PER_RANGE * step) + offset)
                    .sum();
                own + r.offset + outer
            })
            .max()
            .unwrap_or(0)
    }

    /// Samples one evaluation at `eval` loads, with `series` series per
    /// selector.
    pub(super) fn samples(&self, interval: u64, eval: u64, series: u64) -> u64 {
        self.reads
            .iter()
            .map(|r| (r.range.map_or(0, |range| range.min(eval)) / interval + 1) * r.times)
            .sum::<u64>()
            * series
    }

    pub(super) fn never_fires(&self) -> NoWitness {
        match (self.calendar, self.offset) {
            (Some(f), _) => NoWitness::Calendar(f),
            (None, true) => NoWitness::Past,
            _ => NoWitness::NeverFires,
        }
    }
}

pub(super) struct Search<'a> {
    pub(super) expr: &'a Expr,
    pub(super) slots: &'a [Slot],
    pub(super) vars: &'a [Var],
    pub(super) interval: f64,
    pub(super) times: Vec<u64>,
}

/// Scenarios tried at most per search.
pub(super) const BUDGET: usize = 6_000;
/// Work allowed per search: series × selectors summed over the scenarios
/// evaluated, so that a hostile expression (hundreds of selectors, many
/// copies) ends the search early rather than late.
pub(super) const WORK: usize = 20_000_000;
/// Selectors beyond which no test is generated.
pub(super) const MAX_SLOTS: usize = 48;

impl Search<'_> {
    pub(super) fn inputs(&self, assign: &[usize]) -> Vec<Input> {
        let mut out: Vec<Input> = Vec::new();
        for (i, slot) in self.slots.iter().enumerate() {
            let mut copies = Copies {
                n: 1,
                alike: true,
                vary: Vec::new(),
            };
            let mut level = Some(1.0);
            let mut slope = 0.0;
            let mut inherit = false;
            let mut bucket: Option<(usize, &[f64])> = None;
            let mut present = true;
            for (v, a) in self.vars.iter().zip(assign).filter(|(v, _)| v.slot == i) {
                match &v.what {
                    What::Level(c) => {
                        level = c[*a];
                        present &= level.is_some();
                    }
                    What::Slope(c) => slope = c[*a],
                    What::Bucket(c, bounds) => match c[*a] {
                        Some(b) => bucket = Some((b, bounds)),
                        None => present = false,
                    },
                    What::Inherit => inherit = *a == 1,
                    What::Copies(c) => copies = c[*a].clone(),
                }
            }
            if !present {
                continue;
            }
            let mut labels = slot.labels.clone();
            if inherit {
                for (k, v) in &slot.inherit {
                    labels.insert(k.clone(), v.clone());
                }
            }
            let copy_label = if slot.labels.contains_key("instance") && !copies.vary.iter().any(|l| l == "instance") {
                "dvcc_replica"
            } else {
                "instance"
            };
            for n in 0..copies.n {
                let mut labels = labels.clone();
                if copies.n > 1 {
                    labels.insert(copy_label.into(), format!("dvcc-{n}"));
                    for l in &copies.vary {
                        labels.insert(l.clone(), format!("dvcc-{n}"));
                    }
                }
                let level = if copies.alike || n == 0 {
                    level.unwrap_or(0.0)
                } else {
                    0.0
                };
                let mut push = |labels: Labels, kind: Kind| {
                    if !out.iter().any(|o| o.labels == labels) {
                        out.push(Input { labels, kind });
                    }
                };
                match bucket {
                    Some((observed, bounds)) => {
                        for (b, le) in bounds.iter().enumerate() {
                            let mut labels = labels.clone();
                            labels.insert("le".into(), format_le(*le));
                            let rate = if b >= observed { 1.0 } else { 0.0 };
                            push(labels, Kind::counter(rate));
                        }
                    }
                    None if slot.counter => push(labels, Kind::counter(level)),
                    None => push(labels, Kind { start: level, slope }),
                }
            }
        }
        out
    }

    /// Whether the scenario fires (`Some(true)`), stays silent
    /// (`Some(false)`) or does neither throughout.
    pub(super) fn outcome(&self, assign: &[usize], want: bool, work: &mut usize) -> Result<Option<bool>, NoWitness> {
        let inputs = self.inputs(assign);
        *work = work.saturating_sub((inputs.len() + 1) * (self.slots.len() + 1) * 6);
        let mut seen: Option<bool> = None;
        for closed in [true, false] {
            let ctx = Ctx {
                inputs: &inputs,
                interval: self.interval,
                closed,
            };
            for t in &self.times {
                let fires = match ctx.eval(self.expr, *t as f64) {
                    Ok(Value::Vector(v)) => !v.is_empty(),
                    Ok(_) => return Err(NoWitness::Unsupported("a result that is not a vector".into())),
                    Err(Fail::Unsupported(what)) => return Err(NoWitness::Unsupported(what)),
                    Err(Fail::Invalid(_)) => return Ok(None),
                };
                if fires != want {
                    return Ok(Some(fires).filter(|_| seen.is_none()));
                }
                seen = Some(fires);
            }
        }
        Ok(seen)
    }

    /// The first scenario, nearest `base`, that fires (or stays silent).
    pub(super) fn find(&self, base: &[usize], fire: bool) -> Result<Option<Vec<usize>>, NoWitness> {
        let mut budget = (BUDGET, WORK);
        for distance in 0..=self.vars.len().min(3) {
            let mut assign = base.to_vec();
            if let Some(found) = self.around(&mut assign, base, 0, distance, fire, &mut budget)? {
                return Ok(Some(found));
            }
            if budget.0 == 0 || budget.1 == 0 {
                break;
            }
        }
        Ok(None)
    }

    /// Scenarios differing from `base` in exactly `left` more variables,
    /// from variable `from` on.
    pub(super) fn around(
        &self,
        assign: &mut Vec<usize>,
        base: &[usize],
        from: usize,
        left: usize,
        fire: bool,
        budget: &mut (usize, usize),
    ) -> Result<Option<Vec<usize>>, NoWitness> {
        if left == 0 {
            if budget.0 == 0 || budget.1 == 0 {
                return Ok(None);
            }
            budget.0 -= 1;
            return Ok((self.outcome(assign, fire, &mut budget.1)? == Some(fire)).then(|| assign.clone()));
        }
        for v in from..self.vars.len() {
            for c in 0..self.vars[v].choices() {
                if c == base[v] {
                    continue;
                }
                assign[v] = c;
                if let Some(found) = self.around(assign, base, v + 1, left - 1, fire, budget)? {
                    return Ok(Some(found));
                }
                if budget.0 == 0 || budget.1 == 0 {
                    return Ok(None);
                }
            }
            assign[v] = base[v];
        }
        Ok(None)
    }

    pub(super) fn scenario(&self, assign: &[usize], length: u64) -> Scenario {
        let mut series = Vec::new();
        for input in self.inputs(assign) {
            let name = input.labels.get("__name__").cloned().unwrap_or_default();
            let labels: Vec<String> = input
                .labels
                .iter()
                .filter(|(k, _)| *k != "__name__")
                .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            let step = input.kind.slope * self.interval;
            let values = if step == 0.0 {
                format!("{}x{length}", number(input.kind.start))
            } else if step > 0.0 {
                format!("{}+{}x{length}", number(input.kind.start), number(step))
            } else {
                format!("{}-{}x{length}", number(input.kind.start), number(-step))
            };
            series.push((format!("{name}{{{}}}", labels.join(",")), values));
        }
        Scenario { series }
    }
}

pub(super) fn format_le(le: f64) -> String {
    if le.is_infinite() { "+Inf".into() } else { number(le) }
}

/// A number as promtool's series notation and Prometheus labels take it.
pub fn number(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
