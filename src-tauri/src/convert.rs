//! From the core's types to the IPC models: money always as decimal strings.

use centime_app_models::{BalanceDto, EntryDto, IssuerDto, LimitsDto, MoneyDto, PeriodDto, SiteDto, TopupDto};
use centime_core::history::Entry;
use centime_core::policy::{Limits, Period, SiteRule};
use centime_core::{Balance, Issuer, Topup};

pub fn period(p: Period) -> PeriodDto {
    match p {
        Period::Day => PeriodDto::Day,
        Period::Week => PeriodDto::Week,
        Period::Month => PeriodDto::Month,
    }
}

pub fn period_in(p: PeriodDto) -> Period {
    match p {
        PeriodDto::Day => Period::Day,
        PeriodDto::Week => Period::Week,
        PeriodDto::Month => Period::Month,
    }
}

pub fn balance(b: &Balance) -> BalanceDto {
    BalanceDto {
        network: b.network.clone(),
        amount: b.amount.to_string(),
        asset: b.asset.to_string(),
        held: b.held.to_string(),
        held_until: b.held_until,
    }
}

pub fn entry(e: &Entry) -> EntryDto {
    EntryDto {
        id: e.id,
        at: e.at.clone(),
        kind: e.kind,
        status: e.status,
        amount: e.amount.to_string(),
        asset: e.asset.to_string(),
        network: e.network.clone(),
        site: e.site.clone(),
        resource: e.resource.clone(),
        description: e.description.clone(),
        payment_id: e.payment_id.clone(),
        settled_without_receipt: e.settled_without_receipt,
    }
}

pub fn topup(t: &Topup) -> TopupDto {
    TopupDto {
        credit_id: t.credit_id.clone(),
        network: t.network.to_string(),
        amount: t.amount.micros.to_string(),
        asset: t.amount.asset.to_string(),
        balance: t.balance.to_string(),
    }
}

pub fn limits(l: &Limits) -> LimitsDto {
    LimitsDto {
        paused: l.paused,
        auto_pay_under: l.auto_pay_under.to_string(),
        daily_cap: l.daily_cap.to_string(),
        max_per_payment: l.max_per_payment.to_string(),
    }
}

pub fn issuer(i: &Issuer) -> IssuerDto {
    IssuerDto { network: i.network.to_string(), public_key: i.public_key.to_string(), name: i.name.clone() }
}

pub fn site(r: &SiteRule, spent: Vec<MoneyDto>, remaining: Vec<MoneyDto>) -> SiteDto {
    SiteDto {
        origin: r.origin.to_string(),
        blocked: r.blocked,
        auto_pay: r.auto_pay,
        max_per_payment: r.max_per_payment.map(|m| m.to_string()),
        budget: r.budget.map(|m| m.to_string()),
        period: r.period.map(period),
        spent_in_period: spent,
        remaining,
    }
}
