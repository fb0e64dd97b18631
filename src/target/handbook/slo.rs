//! An SLO's page: what it measures, its error budget, the burn-rate alerts
//! it compiles to (the rows `target::slo` gives its policy, with the
//! windows, rates and the budget each spends before it fires), where they
//! go, and the rollouts it gates. The page its burn-rate alerts link to.

use serde::Serialize;

use super::markdown::{NONE, code, fence, link, or_none, text};
use crate::model::units::{Duration, number};
use crate::model::{BurnPolicy, Model, Slo, SloRoute};
use crate::target::paths;

/// The error budget of `s`: minutes of full outage per window.
pub fn budget(s: &Slo) -> String {
    let minutes = (1.0 - s.objective / 100.0) * s.window.millis as f64 / 60_000.0;
    format!("{} min per {}", number((minutes * 10.0).round() / 10.0), s.window)
}

#[derive(Serialize)]
pub struct SloPage {
    #[serde(flatten)]
    pub common: super::views::Common,
    pub name: String,
    pub service: String,
    pub team: String,
    pub description: Option<String>,
    pub objective: String,
    pub window: String,
    pub budget: String,
    /// The burn-rate table it follows: `workbook`, `sloth` or `pyrra`.
    pub policy: String,
    pub alert_name: String,
    /// The error and total queries, raw PromQL (`${window}` in place), and
    /// the code fence each needs.
    pub errors: String,
    pub errors_fence: String,
    pub total: String,
    pub total_fence: String,
    pub burn_rates: Vec<BurnRow>,
    /// Where the fast and the slow burns go.
    pub page: RouteRow,
    pub ticket: RouteRow,
    /// Rollouts that abort when it burns (`abort_on`), linked.
    pub gates: Vec<String>,
    /// Its service's alerts, linked.
    pub alerts: Vec<String>,
}

#[derive(Serialize)]
pub struct BurnRow {
    /// `page` or `ticket`.
    pub kind: String,
    pub severity: String,
    /// Times the steady rate (the one that spends the budget exactly over
    /// the window).
    pub rate: String,
    pub long: String,
    pub short: String,
    /// How long both windows burn before it fires (`0s`: at once).
    pub pending: String,
    /// The share of the budget spent within the long window at that rate.
    pub spent: String,
}

#[derive(Serialize)]
pub struct RouteRow {
    pub severity: String,
    pub runbook: String,
    pub labels: String,
}

/// `own`: this page's published address (a runbook that is this page is
/// said so, not linked).
fn route(r: &SloRoute, own: Option<&str>) -> RouteRow {
    RouteRow {
        severity: text(&r.severity),
        runbook: match r.runbook.as_deref() {
            None => NONE.to_string(),
            Some(u) if Some(u) == own => "this page".to_string(),
            Some(u) => link(u, u),
        },
        labels: if r.labels.is_empty() {
            NONE.to_string()
        } else {
            r.labels
                .iter()
                .map(|(k, v)| code(&format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(", ")
        },
    }
}

/// The page of `s`; `published`: the handbook's address, if set.
pub fn slo(model: &Model, s: &Slo, published: Option<&str>, common: super::views::Common) -> SloPage {
    let own = published.map(|url| paths::published(url, &paths::handbook_slo(&s.name)));
    let rows = crate::target::slo::rows(s.policy, &s.window);
    let burn_rates = rows
        .iter()
        .map(|b| {
            let r = if b.page { &s.page } else { &s.ticket };
            let pending = r.for_.clone().unwrap_or_else(|| Duration::from_secs(b.for_secs));
            BurnRow {
                kind: if b.page { "page" } else { "ticket" }.to_string(),
                severity: text(&r.severity),
                rate: format!("{}×", number((b.rate * 100.0).round() / 100.0)),
                long: Duration::from_secs(b.long).to_string(),
                short: Duration::from_secs(b.short).to_string(),
                pending: pending.to_string(),
                spent: format!("{}%", number((b.budget_share(&s.window) * 1000.0).round() / 10.0)),
            }
        })
        .collect();
    SloPage {
        common,
        name: text(&s.name),
        service: super::views::service_link(&s.service, 1),
        team: or_none(s.team.as_deref()),
        description: s.description.as_deref().map(text),
        objective: format!("{}%", number(s.objective)),
        window: s.window.to_string(),
        budget: budget(s),
        policy: match s.policy {
            BurnPolicy::Workbook => "workbook",
            BurnPolicy::Sloth => "sloth",
            BurnPolicy::Pyrra => "pyrra",
        }
        .to_string(),
        alert_name: code(&s.alert_name),
        errors_fence: fence(&s.errors),
        errors: s.errors.trim_end().to_string(),
        total_fence: fence(&s.total),
        total: s.total.trim_end().to_string(),
        burn_rates,
        page: route(&s.page, own.as_deref()),
        ticket: route(&s.ticket, own.as_deref()),
        gates: model
            .rollouts
            .iter()
            .filter(|r| r.abort_on_slo.contains(&s.name))
            .map(|r| format!("{} of {}", code(&r.name), super::views::service_link(&r.service, 1)))
            .collect(),
        alerts: model
            .alerts
            .iter()
            .filter(|a| !s.service.is_empty() && a.service == s.service)
            .map(|a| super::views::alert_link(&a.name, 1))
            .collect(),
    }
}
