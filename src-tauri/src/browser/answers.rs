//! The answers to the extension's authenticated requests: status, site, pay, pause.

use std::sync::Arc;

use centime_app_models::events;
use centime_bridge::messages::{
    Action, Balance, PauseAnswer, Request, RuleMode, SiteAnswer, SitePayment, SiteRule, StatusAnswer, answer_err,
    answer_ok,
};
use centime_core::history::HistoryFilter;
use tauri::{AppHandle, Emitter as _};

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::{convert, payments, views};

/// How many of a site's payments `site` lists.
const SITE_PAYMENTS: usize = 5;

/// The answer's body (JSON text) to `request`.
pub fn answer(app: &AppHandle, state: &Arc<AppState>, request: &Request) -> String {
    let id = request.id;
    let body = match &request.action {
        Action::Status => status(state).and_then(|a| json(id, &a)),
        Action::Site { url } => site(state, url).and_then(|a| json(id, &a)),
        Action::Pay { url, kind } => {
            let r = payments::for_browser(app, state, url, *kind);
            crate::tray::refresh(app);
            r.and_then(|a| json(id, &a))
        }
        Action::Pause => pause(app, state).and_then(|a| json(id, &a)),
    };
    body.unwrap_or_else(|e| {
        answer_err(id, e.code(), e.message()).unwrap_or_else(|_| format!("{{\"id\":{id},\"ok\":false}}"))
    })
}

fn json(id: u64, fields: &impl serde::Serialize) -> AppResult<String> {
    answer_ok(id, fields).map_err(|e| AppError::Internal(e.to_string()))
}

fn status(state: &AppState) -> AppResult<StatusAnswer> {
    match state.with_wallet(|w| Ok((w.balances()?, w.limits()?.paused))) {
        Ok((balances, paused)) => Ok(StatusAnswer {
            balances: balances
                .iter()
                .map(|b| Balance {
                    network: b.network.clone(),
                    asset: b.asset.to_string(),
                    amount: b.amount.to_string(),
                })
                .collect(),
            paused,
            locked: false,
        }),
        Err(AppError::Locked) => Ok(StatusAnswer { balances: Vec::new(), paused: false, locked: true }),
        Err(e) => Err(e),
    }
}

fn site(state: &AppState, url: &str) -> AppResult<SiteAnswer> {
    let parsed = url::Url::parse(url.trim()).map_err(|e| AppError::Invalid(format!("{url:?} is not a URL ({e})")))?;
    let origin = centime_protocol::Origin::of_url(&parsed)?.to_string();
    state.with_wallet(|w| {
        let sites = views::sites(w)?;
        let rule = match sites.iter().find(|s| s.origin == origin) {
            Some(s) => SiteRule {
                mode: if s.blocked {
                    RuleMode::Blocked
                } else if s.auto_pay {
                    RuleMode::AutoPay
                } else {
                    RuleMode::Ask
                },
                budget: s.budget.clone(),
                period: s.period.and_then(|p| serde_json::to_value(p).ok()).and_then(|v| v.as_str().map(str::to_owned)),
                spent: s.spent_in_period.first().map(|m| m.amount.clone()),
            },
            None => SiteRule { mode: RuleMode::Ask, budget: None, period: None, spent: None },
        };
        let filter =
            HistoryFilter { site: Some(origin.clone()), kind: Some(centime_core::Kind::Payment), ..Default::default() };
        let payments = w
            .history(&filter, SITE_PAYMENTS, None)?
            .entries
            .iter()
            .map(convert::entry)
            .map(|e| SitePayment {
                payment_id: e.payment_id,
                resource: e.resource,
                description: e.description,
                amount: e.amount,
                asset: e.asset,
                at: e.at,
                status: e.status.to_string(),
            })
            .collect();
        Ok(SiteAnswer { origin: origin.clone(), rule, payments })
    })
}

/// Pauses every payment (resuming is done in the app).
fn pause(app: &AppHandle, state: &AppState) -> AppResult<PauseAnswer> {
    let paused = state.with_wallet(|w| Ok(views::set_paused(w, true)?.paused))?;
    let _ = app.emit(events::WALLET_CHANGED, ());
    crate::tray::refresh(app);
    Ok(PauseAnswer { paused })
}
