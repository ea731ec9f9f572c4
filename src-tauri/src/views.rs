//! What the window reads and changes in the wallet beyond the history: the dashboard, the sites
//! with their allowances, the limits and the trusted issuers. The figures come from the core
//! (`centime_core::figures`); this parses the window's input and converts the answers.

use centime_app_models::{
    Dashboard, IssuerDto, LimitsChangeDto, LimitsDto, MoneyDto, SiteChangeDto, SiteDto, TopupDto,
};
use centime_core::history::HistoryFilter;
use centime_core::policy::{Period, SiteRule};
use centime_core::{Issuer, LimitsChange, SiteChange, Wallet};
use centime_protocol::{Amount, Micros};

use crate::convert;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

fn amount(s: &str) -> AppResult<Micros> {
    Ok(Micros::parse_user(s)?)
}

/// An optional amount field: absent is no change, empty clears it.
fn opt_amount(s: Option<&String>) -> AppResult<Option<Option<Micros>>> {
    match s.map(|s| s.trim()) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(s) => Ok(Some(Some(amount(s)?))),
    }
}

fn money(a: &Amount) -> MoneyDto {
    MoneyDto { amount: a.micros.to_string(), asset: a.asset.to_string() }
}

pub fn dashboard(w: &Wallet) -> AppResult<Dashboard> {
    let spending = w.spending()?;
    let recent = w.history(&HistoryFilter::default(), 10, None)?;
    let unconfirmed = w.history(
        &HistoryFilter { status: Some(centime_core::EntryStatus::Unconfirmed), ..Default::default() },
        50,
        None,
    )?;
    Ok(Dashboard {
        balances: w.balances()?.iter().map(convert::balance).collect(),
        spent_today: spending.today.iter().map(money).collect(),
        spent_this_month: spending.this_month.iter().map(money).collect(),
        recent: recent.entries.iter().map(convert::entry).collect(),
        unconfirmed: unconfirmed.entries.iter().map(convert::entry).collect(),
        paused: w.limits()?.paused,
    })
}

pub fn set_paused(w: &mut Wallet, paused: bool) -> AppResult<Dashboard> {
    w.update_limits(&LimitsChange { paused: Some(paused), ..Default::default() })?;
    dashboard(w)
}

fn site(w: &Wallet, r: &SiteRule) -> AppResult<SiteDto> {
    let a = w.allowance(r)?;
    Ok(convert::site(r, a.spent.iter().map(money).collect(), a.left.iter().map(money).collect()))
}

pub fn sites(w: &Wallet) -> AppResult<Vec<SiteDto>> {
    w.sites()?.iter().map(|r| site(w, r)).collect()
}

pub fn update_site(w: &mut Wallet, change: &SiteChangeDto) -> AppResult<SiteDto> {
    let budget = match opt_amount(change.budget.as_ref())? {
        None => None,
        Some(None) => Some(None),
        Some(Some(b)) => Some(Some((b, change.period.map_or(Period::Month, convert::period_in)))),
    };
    let c = SiteChange {
        max_per_payment: opt_amount(change.max_per_payment.as_ref())?,
        budget,
        auto_pay: change.auto_pay,
        blocked: change.blocked,
    };
    let r = w.update_site(&change.origin, &c)?;
    site(w, &r)
}

pub fn update_limits(w: &mut Wallet, change: &LimitsChangeDto) -> AppResult<LimitsDto> {
    let c = LimitsChange {
        paused: None,
        auto_pay_under: change.auto_pay_under.as_deref().map(amount).transpose()?,
        daily_cap: change.daily_cap.as_deref().map(amount).transpose()?,
        max_per_payment: change.max_per_payment.as_deref().map(amount).transpose()?,
    };
    Ok(convert::limits(&w.update_limits(&c)?))
}

pub fn issuers(w: &Wallet) -> AppResult<Vec<IssuerDto>> {
    Ok(w.issuers()?.iter().map(convert::issuer).collect())
}

pub fn add_issuer(w: &mut Wallet, issuer: &IssuerDto) -> AppResult<Vec<IssuerDto>> {
    let i = Issuer {
        network: issuer.network.trim().parse()?,
        public_key: issuer.public_key.trim().parse()?,
        name: issuer.name.clone().filter(|n| !n.trim().is_empty()),
    };
    w.add_issuer(&i)?;
    issuers(w)
}

pub fn remove_issuer(w: &mut Wallet, network: &str) -> AppResult<Vec<IssuerDto>> {
    w.remove_issuer(&network.parse()?)?;
    issuers(w)
}

/// Buys demo credit for the wallet and redeems it. The wallet is not locked while the demo
/// issuer answers.
pub fn topup_demo(s: &AppState, amount: &str, asset: &str) -> AppResult<TopupDto> {
    let demo = s.demo.clone().ok_or_else(|| AppError::Demo("no demo issuer is running".into()))?;
    let id = s.with_wallet(|w| Ok(w.id().to_string()))?;
    let credit = crate::demo::buy_credit(&demo, &id, amount, asset)?;
    s.with_wallet(|w| Ok(convert::topup(&w.topup(&credit)?)))
}
