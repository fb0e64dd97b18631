//! PromQL's functions over the steady series of [`super::eval`]: range
//! functions in closed form (Prometheus's extrapolation for `rate`,
//! `increase` and `delta`), instant functions, label rewriting,
//! `histogram_quantile` and calendar functions.

use std::collections::BTreeMap;

use promql_parser::parser::{Call, Expr};

use super::eval::{
    Ctx, Fail, Labels, R, RangeSeries, Sample, Value, absent_labels, distinct, map_values, without_name,
};
use super::math::{bucket_quantile, calendar, parse_float, quantile_linear};

impl Ctx<'_> {
    pub(super) fn call(&self, c: &Call, t: f64) -> R<Value> {
        let args = &c.args.args;
        let arg = |i: usize| -> R<&Expr> {
            args.get(i)
                .map(|a| a.as_ref())
                .ok_or_else(|| Fail::Unsupported(format!("`{}` without arguments", c.func.name)))
        };
        let name = c.func.name;
        // Range functions.
        let over = |f: &dyn Fn(&RangeSeries) -> Option<f64>, keep_name: bool| -> R<Value> {
            let rs = self.range(arg(0)?, t)?;
            distinct(
                rs.iter()
                    .filter_map(|r| {
                        f(r).map(|value| Sample {
                            labels: if keep_name {
                                r.labels.clone()
                            } else {
                                without_name(r.labels.clone())
                            },
                            value,
                        })
                    })
                    .collect(),
            )
        };
        match name {
            "rate" => over(&|r| r.extrapolated(true, true), false),
            "increase" => over(&|r| r.extrapolated(true, false), false),
            "delta" => over(&|r| r.extrapolated(false, false), false),
            "irate" | "deriv" => over(&|r| r.slope(), false),
            "idelta" => over(&|r| r.slope().map(|s| s * r.step), false),
            "changes" => over(&|r| Some(if r.first == r.last { 0.0 } else { (r.n - 1) as f64 }), false),
            "resets" => over(&|r| Some(if r.last < r.first { (r.n - 1) as f64 } else { 0.0 }), false),
            "avg_over_time" => over(&|r| Some((r.first + r.last) / 2.0), false),
            "min_over_time" => over(&|r| Some(r.first.min(r.last)), false),
            "max_over_time" => over(&|r| Some(r.first.max(r.last)), false),
            "sum_over_time" => over(&|r| Some((r.first + r.last) / 2.0 * r.n as f64), false),
            "count_over_time" => over(&|r| Some(r.n as f64), false),
            "last_over_time" => over(&|r| Some(r.last), true),
            "present_over_time" => over(&|_| Some(1.0), false),
            "stddev_over_time" | "stdvar_over_time" => over(
                &|r| {
                    let n = r.n as f64;
                    let d = r.slope().unwrap_or(0.0) * r.step;
                    let var = d * d * (n * n - 1.0) / 12.0;
                    Some(if name == "stddev_over_time" { var.sqrt() } else { var })
                },
                false,
            ),
            "quantile_over_time" => {
                let q = self.scalar(arg(0)?, t)?;
                let rs = self.range(arg(1)?, t)?;
                distinct(
                    rs.into_iter()
                        .map(|r| Sample {
                            value: quantile_linear(q, r.first, r.last),
                            labels: without_name(r.labels),
                        })
                        .collect(),
                )
            }
            "predict_linear" => {
                let d = self.scalar(arg(1)?, t)?;
                over(&|r| Some(r.last + r.slope().unwrap_or(0.0) * d), false)
            }
            "holt_winters" | "double_exponential_smoothing" => over(&|r| Some(r.last), false),
            "absent_over_time" => {
                let rs = self.range(arg(0)?, t)?;
                Ok(Value::Vector(if rs.is_empty() {
                    vec![absent_labels(arg(0)?)]
                } else {
                    Vec::new()
                }))
            }
            "absent" => {
                let v = self.vector(arg(0)?, t)?;
                Ok(Value::Vector(if v.is_empty() {
                    vec![absent_labels(arg(0)?)]
                } else {
                    Vec::new()
                }))
            }
            "time" => Ok(Value::Scalar(t)),
            "vector" => Ok(Value::Vector(vec![Sample {
                labels: Labels::new(),
                value: self.scalar(arg(0)?, t)?,
            }])),
            "scalar" => {
                let v = self.vector(arg(0)?, t)?;
                Ok(Value::Scalar(if v.len() == 1 { v[0].value } else { f64::NAN }))
            }
            "timestamp" => {
                let v = self.vector(arg(0)?, t)?;
                let ts = (t / self.interval).floor() * self.interval;
                map_values(v, |_| ts)
            }
            "abs" | "ceil" | "floor" | "exp" | "sqrt" | "ln" | "log2" | "log10" | "sgn" | "deg" | "rad" => {
                let f: fn(f64) -> f64 = match name {
                    "abs" => f64::abs,
                    "ceil" => f64::ceil,
                    "floor" => f64::floor,
                    "exp" => f64::exp,
                    "sqrt" => f64::sqrt,
                    "ln" => f64::ln,
                    "log2" => f64::log2,
                    "log10" => f64::log10,
                    "deg" => f64::to_degrees,
                    "rad" => f64::to_radians,
                    _ => |v: f64| if v == 0.0 || v.is_nan() { v } else { v.signum() },
                };
                map_values(self.vector(arg(0)?, t)?, f)
            }
            "round" => {
                let to = match args.get(1) {
                    Some(a) => self.scalar(a, t)?,
                    None => 1.0,
                };
                map_values(self.vector(arg(0)?, t)?, |v| (v / to + 0.5).floor() * to)
            }
            "clamp" | "clamp_min" | "clamp_max" => {
                let v = self.vector(arg(0)?, t)?;
                let a = self.scalar(arg(1)?, t)?;
                let b = match name {
                    "clamp" => self.scalar(arg(2)?, t)?,
                    _ => a,
                };
                map_values(v, |x| match name {
                    "clamp_min" => x.max(a),
                    "clamp_max" => x.min(a),
                    _ if a > b => f64::NAN,
                    _ => x.max(a).min(b),
                })
            }
            "sort" | "sort_desc" => self.eval(arg(0)?, t),
            "label_replace" => {
                let v = self.vector(arg(0)?, t)?;
                let dst = self.string(arg(1)?, t)?;
                let repl = self.string(arg(2)?, t)?;
                let src = self.string(arg(3)?, t)?;
                let re = regex::Regex::new(&format!("^(?s:{})$", self.string(arg(4)?, t)?))
                    .map_err(|_| Fail::Invalid("label_replace's regex does not compile"))?;
                distinct(
                    v.into_iter()
                        .map(|mut s| {
                            let value = s.labels.get(&src).cloned().unwrap_or_default();
                            if let Some(caps) = re.captures(&value) {
                                let mut out = String::new();
                                caps.expand(&repl, &mut out);
                                if out.is_empty() {
                                    s.labels.remove(&dst);
                                } else {
                                    s.labels.insert(dst.clone(), out);
                                }
                            }
                            s
                        })
                        .collect(),
                )
            }
            "label_join" => {
                let v = self.vector(arg(0)?, t)?;
                let dst = self.string(arg(1)?, t)?;
                let sep = self.string(arg(2)?, t)?;
                let mut srcs = Vec::new();
                for a in args.iter().skip(3) {
                    srcs.push(self.string(a, t)?);
                }
                distinct(
                    v.into_iter()
                        .map(|mut s| {
                            let joined: Vec<String> = srcs
                                .iter()
                                .map(|k| s.labels.get(k).cloned().unwrap_or_default())
                                .collect();
                            let joined = joined.join(&sep);
                            if joined.is_empty() {
                                s.labels.remove(&dst);
                            } else {
                                s.labels.insert(dst.clone(), joined);
                            }
                            s
                        })
                        .collect(),
                )
            }
            "histogram_quantile" => {
                let q = self.scalar(arg(0)?, t)?;
                let v = self.vector(arg(1)?, t)?;
                let mut groups: BTreeMap<Labels, Vec<(f64, f64)>> = BTreeMap::new();
                for s in v {
                    let Some(le) = s.labels.get("le").and_then(|l| parse_float(l)) else {
                        continue;
                    };
                    let mut key = without_name(s.labels);
                    key.remove("le");
                    groups.entry(key).or_default().push((le, s.value));
                }
                Ok(Value::Vector(
                    groups
                        .into_iter()
                        .map(|(labels, buckets)| Sample {
                            labels,
                            value: bucket_quantile(q, buckets),
                        })
                        .collect(),
                ))
            }
            "minute" | "hour" | "day_of_week" | "day_of_month" | "day_of_year" | "days_in_month" | "month" | "year" => {
                let times = match args.first() {
                    Some(a) => self.vector(a, t)?,
                    None => vec![Sample {
                        labels: Labels::new(),
                        value: t,
                    }],
                };
                map_values(times, |secs| calendar(name, secs))
            }
            other => Err(Fail::Unsupported(format!("`{other}`"))),
        }
    }
}
