//! From the core's types to the IPC models: money always as decimal strings.

use centime_app_models::{
    AssetViewDto, BalanceDto, DiscrepancyDto, EntryDto, FlaggedMerchantDto, HoldReasonDto, IssuerDto, LimitsDto,
    MoneyDto, PeriodDto, RevocationReasonDto, SiteDto, SyncCountsDto, SyncHoldDto, SyncResultDto, TopupDto,
};
use centime_core::history::Entry;
use centime_core::policy::{Limits, Period, SiteRule};
use centime_core::{
    AssetView, Balance, Discrepancy, FlaggedMerchant, HoldReason, Issuer, Payment, SyncHold, SyncResult, Topup,
};
use centime_protocol::revocation::RevocationReason;

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

pub fn issuer(i: &Issuer, url: Option<String>) -> IssuerDto {
    IssuerDto { network: i.network.to_string(), public_key: i.public_key.to_string(), name: i.name.clone(), url }
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

pub fn sync_hold(h: &SyncHold) -> SyncHoldDto {
    SyncHoldDto { reason: hold_reason(h.reason), detail: h.detail.clone(), since: h.since }
}

fn hold_reason(r: HoldReason) -> HoldReasonDto {
    match r {
        HoldReason::Restored => HoldReasonDto::Restored,
        HoldReason::Behind => HoldReasonDto::Behind,
        HoldReason::Revoked => HoldReasonDto::Revoked,
    }
}

fn revocation_reason(r: RevocationReason) -> RevocationReasonDto {
    match r {
        RevocationReason::Fork => RevocationReasonDto::Fork,
        RevocationReason::Overdrawn => RevocationReasonDto::Overdrawn,
    }
}

fn asset_view(v: &AssetView) -> AssetViewDto {
    AssetViewDto {
        asset: v.asset.to_string(),
        credited: v.credited.to_string(),
        spent: v.spent.to_string(),
        balance: v.balance.to_string(),
        unsettled: v.unsettled.map(|m| m.to_string()),
    }
}

fn discrepancy(d: &Discrepancy) -> DiscrepancyDto {
    match d {
        Discrepancy::BalanceDiffers { asset, wallet, expected } => DiscrepancyDto::BalanceDiffers {
            asset: asset.to_string(),
            wallet: wallet.to_string(),
            expected: expected.to_string(),
        },
        Discrepancy::Forked { payment_id, seq } => {
            DiscrepancyDto::Forked { payment_id: payment_id.to_string(), seq: seq.to_string() }
        }
        Discrepancy::Unrecoverable { payment_id, why } => {
            DiscrepancyDto::Unrecoverable { payment_id: payment_id.to_string(), why: why.clone() }
        }
        Discrepancy::SettledAfterFinal { payment_id } => {
            DiscrepancyDto::SettledAfterFinal { payment_id: payment_id.to_string() }
        }
        Discrepancy::CreditUnknownToIssuer { credit_id } => {
            DiscrepancyDto::CreditUnknownToIssuer { credit_id: credit_id.clone() }
        }
    }
}

pub fn sync_result(r: &SyncResult) -> SyncResultDto {
    let c = r.done;
    SyncResultDto {
        synced_at: r.synced_at,
        statement_issued_at: r.statement_issued_at,
        done: SyncCountsDto {
            marked_settled: c.marked_settled,
            refunds_reversed: c.refunds_reversed,
            refunds_final: c.refunds_final,
            payments_recovered: c.payments_recovered,
            credits_recovered: c.credits_recovered,
        },
        issuer_view: r.issuer_view.iter().map(asset_view).collect(),
        wallet_view: r.wallet_view.iter().map(asset_view).collect(),
        issuer_highest_seq: r.issuer_highest_seq.to_string(),
        wallet_highest_seq: r.wallet_highest_seq.to_string(),
        revoked: r.revoked.as_ref().map(|v| revocation_reason(v.reason)),
        revoked_at: r.revoked.as_ref().map(|v| v.revoked_at),
        discrepancies: r.discrepancies.iter().map(discrepancy).collect(),
        may_pay: r.may_pay,
    }
}

/// `payment`: the flagged payment as the wallet keeps it, for its site and amount.
pub fn flagged_merchant(f: &FlaggedMerchant, payment: Option<&Payment>) -> FlaggedMerchantDto {
    FlaggedMerchantDto {
        payment_id: f.payment_id.to_string(),
        pay_to: f.pay_to.clone(),
        site: payment.map(|p| p.origin.to_string()),
        amount: payment.map(|p| MoneyDto { amount: p.amount.micros.to_string(), asset: p.amount.asset.to_string() }),
        refusal: f.refusal.clone(),
        issuer_settled_at: f.issuer_settled_at,
        flagged_at: f.flagged_at,
    }
}
