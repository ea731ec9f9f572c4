//! The figures the shells show, computed by the core on the wallet's clock: spending today and
//! this month, a site's allowance, history summaries and the insights' ranking and shares.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use centime_core::history::{HistoryFilter, Total};
use centime_core::policy::Period;
use centime_core::{PayOptions, SiteChange};
use centime_protocol::{Amount, Asset, Micros, PaymentRequired, PaymentRequirements};
use common::*;

fn m(micros: i64) -> Micros {
    Micros::from_micros(micros)
}

fn approved() -> PayOptions {
    PayOptions { approved: true, ..PayOptions::default() }
}

fn usd(micros: i64) -> Amount {
    Amount::new(m(micros), Asset::USD)
}

/// A merchant's 402 for `url` at `micros` USD.
fn usd_offer(url: &str, micros: i64) -> PaymentRequired {
    let mut r = offer(url, micros);
    r.accepts = vec![PaymentRequirements::centime(&network(), PAY_TO, usd(micros), 60, "News", None).unwrap()];
    r
}

/// A wallet holding `micros` USD only.
fn usd_wallet(micros: i64) -> Fx {
    let mut fx = Fx::new();
    let value = Micros::from_micros(micros);
    let scale = value.natural_scale();
    let claims = credit_json(&fx.w.id(), "credit-usd", &value.to_wire(scale).unwrap(), "USD", scale.into(), fx.now());
    fx.w.topup(&raw_credit_note(&issuer_signer(), &claims)).unwrap();
    fx
}

#[test]
fn a_usd_site_never_paid_has_its_budget_left_in_usd() {
    let mut fx = usd_wallet(5_000_000);
    let r =
        fx.w.update_site(
            "https://us.example",
            &SiteChange { budget: Some(Some((m(2_000_000), Period::Month))), ..Default::default() },
        )
        .unwrap();
    let a = fx.w.allowance(&r).unwrap();
    assert_eq!(a.spent, vec![]);
    assert_eq!(a.left, vec![usd(2_000_000)], "the budget is left in the asset the wallet holds, not in euros");
}

#[test]
fn a_usd_site_paid_in_an_earlier_period_has_its_whole_budget_left_in_usd() {
    let mut fx = usd_wallet(5_000_000);
    fx.w.pay(&usd_offer("https://us.example/a", 300_000), &approved()).unwrap();
    // Euros too, so that the wallet's assets alone could not give the answer.
    fx.topup(1_000_000);
    let r =
        fx.w.update_site(
            "https://us.example",
            &SiteChange { budget: Some(Some((m(1_000_000), Period::Day))), ..Default::default() },
        )
        .unwrap();
    assert_eq!(fx.w.allowance(&r).unwrap().left, vec![usd(700_000)]);
    fx.clock.set(fx.now() + DAY);
    let a = fx.w.allowance(&r).unwrap();
    assert_eq!(a.since, i64::try_from(T0 + DAY).unwrap() - 12 * 3600, "the period starts at midnight UTC");
    assert_eq!(a.spent, vec![]);
    assert_eq!(a.left, vec![usd(1_000_000)]);
}

#[test]
fn an_allowance_is_spent_per_asset_and_never_below_zero() {
    let mut fx = usd_wallet(5_000_000);
    fx.topup(5_000_000);
    fx.w.pay(&offer("https://news.example/a", 300_000), &approved()).unwrap();
    fx.w.pay(&offer("https://news.example/b", 300_000), &approved()).unwrap();
    fx.w.pay(&usd_offer("https://news.example/c", 100_000), &approved()).unwrap();
    // Lowered below what was spent since.
    let r =
        fx.w.update_site(
            "https://news.example",
            &SiteChange { budget: Some(Some((m(400_000), Period::Week))), ..Default::default() },
        )
        .unwrap();
    let a = fx.w.allowance(&r).unwrap();
    assert_eq!(a.spent, vec![eur(600_000), usd(100_000)]);
    assert_eq!(a.left, vec![eur(0), usd(300_000)]);

    let free =
        fx.w.update_site("https://free.example", &SiteChange { auto_pay: Some(true), ..Default::default() }).unwrap();
    assert_eq!(fx.w.allowance(&free).unwrap().left, vec![], "no budget, nothing left to show");
}

#[test]
fn spending_today_and_this_month_follow_the_wallet_clock() {
    let mut fx = Fx::new();
    fx.topup(5_000_000);
    fx.w.pay(&offer("https://news.example/a", 200_000), &approved()).unwrap();
    let s = fx.w.spending().unwrap();
    assert_eq!((s.today, s.this_month), (vec![eur(200_000)], vec![eur(200_000)]));
    fx.clock.set(T0 + DAY);
    let s = fx.w.spending().unwrap();
    assert_eq!((s.today, s.this_month), (vec![], vec![eur(200_000)]));
    fx.clock.set(T0 + 31 * DAY);
    let s = fx.w.spending().unwrap();
    assert_eq!((s.today, s.this_month), (vec![], vec![]));
}

/// Four sites paid 0.50, 0.30, 0.15 and 0.05 EUR (one refund on the way), and one USD site.
fn insights_fixture() -> Fx {
    let mut fx = usd_wallet(1_000_000);
    fx.topup(5_000_000);
    for (site, prices) in [
        ("https://b.example", &[200_000, 100_000][..]),
        ("https://a.example", &[300_000, 200_000][..]),
        ("https://d.example", &[50_000][..]),
        ("https://c.example", &[150_000][..]),
    ] {
        for (i, p) in prices.iter().enumerate() {
            fx.w.pay(&offer(&format!("{site}/{i}"), *p), &approved()).unwrap();
        }
    }
    fx.w.pay(&usd_offer("https://us.example/0", 400_000), &approved()).unwrap();
    fx
}

#[test]
fn insights_rank_sites_by_spending_with_exact_shares_per_asset() {
    let fx = insights_fixture();
    let i = fx.w.insights(&HistoryFilter::default()).unwrap();
    let ranked: Vec<(&str, String, u32)> = i
        .by_site
        .iter()
        .map(|s| (s.total.key.as_str(), Amount::new(s.total.spent, s.total.asset).to_string(), s.share_bp))
        .collect();
    assert_eq!(
        ranked,
        [
            ("https://a.example", "0.50 EUR".to_owned(), 5_000),
            ("https://us.example", "0.40 USD".to_owned(), 10_000),
            ("https://b.example", "0.30 EUR".to_owned(), 3_000),
            ("https://c.example", "0.15 EUR".to_owned(), 1_500),
            ("https://d.example", "0.05 EUR".to_owned(), 500),
        ]
    );
    let eur_shares: u32 = i.by_site.iter().filter(|s| s.total.asset == Asset::EUR).map(|s| s.share_bp).sum();
    assert_eq!(eur_shares, 10_000);
    let months: Vec<&Total> = i.by_month.iter().collect();
    assert_eq!(months.len(), 2, "one month, two assets: {months:?}");
    assert_eq!(i.by_day.len(), 2);
}

#[test]
fn sites_with_the_same_spending_are_ranked_by_name() {
    let mut fx = Fx::new();
    fx.topup(5_000_000);
    for site in ["https://z.example", "https://m.example", "https://a.example"] {
        fx.w.pay(&offer(&format!("{site}/x"), 100_000), &approved()).unwrap();
    }
    let i = fx.w.insights(&HistoryFilter::default()).unwrap();
    let order: Vec<(&str, u32)> = i.by_site.iter().map(|s| (s.total.key.as_str(), s.share_bp)).collect();
    assert_eq!(order, [("https://a.example", 3_333), ("https://m.example", 3_333), ("https://z.example", 3_333)]);
}

#[test]
fn a_summary_counts_the_filter_and_totals_it_per_asset() {
    let fx = insights_fixture();
    let all = fx.w.summary(&HistoryFilter::default()).unwrap();
    // Two credits and seven payments.
    assert_eq!(all.count, 9);
    let totals: Vec<(Asset, Micros, i64)> = all.totals.iter().map(|t| (t.asset, t.spent, t.payments)).collect();
    assert_eq!(totals, [(Asset::EUR, m(1_000_000), 6), (Asset::USD, m(400_000), 1)]);
    let one = fx.w.summary(&HistoryFilter { site: Some("https://a.example".into()), ..Default::default() }).unwrap();
    assert_eq!(one.count, 2);
    assert_eq!(one.totals.iter().map(|t| t.spent).collect::<Vec<_>>(), [m(500_000)]);
}

#[test]
fn known_sites_are_those_paid_and_those_with_a_rule_once_each() {
    let mut fx = insights_fixture();
    fx.w.update_site("https://a.example", &SiteChange { auto_pay: Some(true), ..Default::default() }).unwrap();
    fx.w.update_site("https://rule-only.example", &SiteChange { blocked: Some(true), ..Default::default() }).unwrap();
    assert_eq!(
        fx.w.known_sites().unwrap(),
        [
            "https://a.example",
            "https://b.example",
            "https://c.example",
            "https://d.example",
            "https://rule-only.example",
            "https://us.example"
        ]
    );
}

#[test]
fn a_quote_expires_after_the_chosen_offers_timeout_on_the_wallet_clock() {
    let mut fx = Fx::new();
    fx.topup(5_000_000);
    let at = i64::try_from(T0).unwrap();
    assert_eq!(fx.w.quote(&offer_with("https://news.example/a", 100_000, 90)).unwrap().expires_at, at + 90);
    assert_eq!(fx.w.quote(&offer_with("https://news.example/a", 100_000, 3600)).unwrap().expires_at, at + 3600);
    fx.clock.set(T0 + 10);
    assert_eq!(fx.w.quote(&offer_with("https://news.example/a", 100_000, 90)).unwrap().expires_at, at + 100);
}
