//! Integration tests of the wallet core through its public API: top-ups and their refusals,
//! payments and the rules, receipts and refunds, restarts, history, tamper evidence, backup.

// Helpers outside #[test] functions unwrap too: a panic is a failed assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use centime_core::history::{ExportFormat, GroupBy, HistoryFilter};
use centime_core::keystore::FileKeyStore;
use centime_core::passphrase::Passphrase;
use centime_core::policy::{Period, ReasonCode};
use centime_core::{EntryStatus, Error, ErrorCode, Kind, LimitsChange, PayOptions, SiteChange, Status, Wallet};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::{FixedClock, MemoryReplayCache, Micros, PaymentId, Verifier};
use common::*;
use serde_json::json;

fn approved() -> PayOptions {
    PayOptions { approved: true, ..PayOptions::default() }
}

fn with_id(id: &PaymentId) -> PayOptions {
    PayOptions { approved: true, payment_id: Some(id.clone()), ..PayOptions::default() }
}

fn m(micros: i64) -> Micros {
    Micros::from_micros(micros)
}

/// Runs `f`, expects it to fail, and checks that the database did not change.
fn refused<T: std::fmt::Debug>(fx: &mut Fx, f: impl FnOnce(&mut Wallet) -> centime_core::Result<T>) -> Error {
    let before = fx.snapshot();
    let balance = fx.balance();
    let err = f(&mut fx.w).expect_err("expected a refusal");
    assert_eq!(fx.snapshot(), before, "the database changed after {err:?}");
    assert_eq!(fx.balance(), balance);
    fx.w.verify().unwrap();
    err
}

// ---------------------------------------------------------------- top-ups

#[test]
fn topup_credits_once_and_balance_follows() {
    let mut fx = Fx::new();
    assert_eq!(fx.balance(), 0);
    let t = fx.topup(2_500_000);
    assert_eq!(t.amount, eur(2_500_000));
    assert_eq!(t.balance, m(2_500_000));
    assert_eq!(t.network, network());
    let t = fx.topup(10_000); // 0.01
    assert_eq!(t.balance, m(2_510_000));
    assert_eq!(fx.balance(), 2_510_000);
    let bal = fx.w.balances().unwrap();
    assert_eq!(bal.len(), 1);
    assert_eq!(bal[0].network, NETWORK);
    let report = fx.w.verify().unwrap();
    assert_eq!(report.journal_rows, 2);
    assert_eq!(report.balances, 1);
    assert_ledger_consistent(&fx.data_dir());

    // A top-up link works like the bare JWS.
    let note = credit_note(&fx.w.id(), "by-link", 1_000_000, T0);
    let link = centime_protocol::deeplink::DeepLink::Topup { credit: note }.to_link().unwrap();
    assert_eq!(fx.w.topup(&link).unwrap().balance, m(3_510_000));
}

#[test]
fn topup_at_the_future_skew_limit_is_accepted() {
    let mut fx = Fx::new();
    let note = credit_note(&fx.w.id(), "edge", 1_000_000, T0 + 300);
    fx.w.topup(&note).unwrap();
    assert_eq!(fx.balance(), 1_000_000);
}

#[test]
fn credit_note_refusals_change_nothing() {
    let mut fx = Fx::new();
    fx.topup(1_000_000);
    let me = fx.w.id();
    let other_wallet = RingSigner::from_seed(&[42; 32]).unwrap().public_key();
    let other_issuer = RingSigner::from_seed(&OTHER_ISSUER_SEED).unwrap();
    let redeemed = credit_note(&me, "already", 500_000, T0);
    fx.w.topup(&redeemed).unwrap();

    type Check = fn(&Error) -> bool;
    let mut cases: Vec<(&str, String, Check, &str)> = Vec::new();
    let mut add = |name: &'static str, input: String, check: Check, needle: &'static str| {
        cases.push((name, input, check, needle));
    };
    let credit_refused: Check = |e| matches!(e, Error::CreditRefused(_));
    let untrusted: Check = |e| matches!(e, Error::UntrustedIssuer(_));

    // Claims naming the trusted issuer, signed by another key.
    let forged = raw_credit_note(&other_issuer, &credit_json(&me, "forged", "100", "EUR", 2, T0));
    add("bad signature", forged, credit_refused, "signature");
    // A valid note whose signature was altered.
    let good = credit_note(&me, "tampered", 100_000, T0);
    let (head, sig) = good.rsplit_once('.').unwrap();
    let mut sig: Vec<char> = sig.chars().collect();
    sig[10] = if sig[10] == 'A' { 'B' } else { 'A' };
    add("altered signature", format!("{head}.{}", sig.iter().collect::<String>()), credit_refused, "signature");
    // A note from an issuer of a network this wallet does not trust.
    let mut foreign = credit_json(&me, "foreign", "100", "EUR", 2, T0);
    foreign["iss"] = json!(other_issuer.public_key());
    foreign["network"] = json!("centime:elsewhere");
    add("untrusted network", raw_credit_note(&other_issuer, &foreign), untrusted, "centime:elsewhere");
    // The trusted network, but a key that is not its issuer's.
    let mut impostor = credit_json(&me, "impostor", "100", "EUR", 2, T0);
    impostor["iss"] = json!(other_issuer.public_key());
    add("untrusted key", raw_credit_note(&other_issuer, &impostor), untrusted, "not the trusted key");
    add("other wallet", credit_note(&other_wallet, "not-mine", 100_000, T0), credit_refused, "issued to wallet");
    add("replayed", redeemed.clone(), |e| matches!(e, Error::AlreadyRedeemed(_)), "already");
    add(
        "replayed id, other amount",
        credit_note(&me, "already", 900_000, T0),
        |e| matches!(e, Error::AlreadyRedeemed(_)),
        "already",
    );
    add("future", credit_note(&me, "future", 100_000, T0 + 301), credit_refused, "future");
    add("far future", credit_note(&me, "future2", 100_000, T0 + 365 * DAY), credit_refused, "future");
    let raw = |id: &str, value: &str, asset: &str, scale: i64| {
        raw_credit_note(&issuer_signer(), &credit_json(&me, id, value, asset, scale, T0))
    };
    add("zero", raw("zero", "0", "EUR", 2), credit_refused, "zero");
    add("zero at scale 6", raw("zero6", "0", "EUR", 6), credit_refused, "zero");
    add("negative", raw("neg", "-100", "EUR", 2), credit_refused, "");
    add("scale 7", raw("scale7", "1", "EUR", 7), credit_refused, "");
    add("negative scale", raw("scale-1", "1", "EUR", -1), credit_refused, "");
    add("fractional value", raw("frac", "1.5", "EUR", 2), credit_refused, "");
    add("exponent value", raw("exp", "1e3", "EUR", 2), credit_refused, "");
    add("leading zero", raw("lead", "0100", "EUR", 2), credit_refused, "");
    add(
        "value as number",
        {
            let mut c = credit_json(&me, "num", "100", "EUR", 2, T0);
            c["value"] = json!(100);
            raw_credit_note(&issuer_signer(), &c)
        },
        credit_refused,
        "",
    );
    add("over the top-up limit", raw("huge", "1000001", "EUR", 2), credit_refused, "limit");
    add("overflowing value", raw("overflow", "9999999999999999999", "EUR", 0), credit_refused, "");
    add("lowercase asset", raw("lower", "100", "eur", 2), credit_refused, "");
    add("four-letter asset", raw("four", "100", "EURO", 2), credit_refused, "");
    add("empty asset", raw("empty", "100", "", 2), credit_refused, "");
    add("bad credit id", raw("bad id!", "100", "EUR", 2), credit_refused, "creditId");
    add("empty credit id", raw("", "100", "EUR", 2), credit_refused, "creditId");
    add("not a JWS", "hello".into(), credit_refused, "");
    add("empty input", "   ".into(), credit_refused, "");
    add(
        "a receipt, not a credit note",
        receipt(&me, &PaymentId::random().unwrap(), "https://x.example/", 1, T0),
        credit_refused,
        "",
    );
    let pay_link =
        centime_protocol::deeplink::DeepLink::Pay { required: Box::new(offer(NEWS, 100_000)), return_url: None }
            .to_link()
            .unwrap();
    add("a payment link", pay_link, credit_refused, "payment link");
    add(
        "a broken link",
        "centime://topup?nothing=1".into(),
        |e| matches!(e, Error::Protocol(centime_protocol::Error::InvalidLink(_))),
        "",
    );

    assert!(cases.len() >= 25, "{} cases", cases.len());
    for (name, input, check, needle) in cases {
        let err = refused(&mut fx, |w| w.topup(&input));
        assert!(check(&err), "{name}: unexpected error {err:?}");
        assert!(err.to_string().contains(needle), "{name}: {err} does not mention {needle:?}");
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{name}");
    }
    assert_eq!(fx.balance(), 1_500_000);
}

#[test]
fn removing_an_issuer_stops_its_notes() {
    let mut fx = Fx::new();
    fx.w.remove_issuer(&network()).unwrap();
    let note = credit_note(&fx.w.id(), "after-removal", 100_000, T0);
    let err = refused(&mut fx, |w| w.topup(&note));
    assert!(matches!(err, Error::UntrustedIssuer(_)), "{err:?}");
    fx.w.add_issuer(&test_issuer()).unwrap();
    fx.w.topup(&note).unwrap();
    assert_eq!(fx.w.issuers().unwrap(), vec![test_issuer()]);
}

// ---------------------------------------------------------------- payments

const NEWS: &str = "https://news.example/articles/1";

fn funded() -> Fx {
    let mut fx = Fx::new();
    fx.topup(10_000_000);
    fx
}

#[test]
fn default_rules_ask_and_do_not_debit() {
    let mut fx = funded();
    let req = offer(NEWS, 200_000);
    let q = fx.w.quote(&req).unwrap();
    assert!(matches!(q.evaluation.decision, centime_core::policy::Decision::Ask(_)));
    assert_eq!(q.balance_after, m(9_800_000));
    assert_eq!(q.origin, "https://news.example");
    let err = refused(&mut fx, |w| w.pay(&req, &PayOptions::default()));
    assert!(matches!(err, Error::NeedsApproval(_)), "{err:?}");
    assert_eq!(err.code(), ErrorCode::NeedsApproval);
}

#[test]
fn approved_payment_debits_and_verifies_for_the_merchant() {
    let mut fx = funded();
    let req = offer(NEWS, 200_000);
    let p = fx.w.pay(&req, &approved()).unwrap();
    assert!(!p.reused && !p.automatic);
    assert_eq!(p.amount, eur(200_000));
    assert_eq!(p.origin, "https://news.example");
    assert_eq!(p.pay_to, PAY_TO);
    assert_eq!(fx.balance(), 9_800_000);

    let verifier = Verifier::new(req.clone(), Arc::new(FixedClock::new(T0 + 1))).unwrap();
    let v = verifier.verify(&p.header, &MemoryReplayCache::new()).unwrap();
    assert_eq!(v.payer(), &fx.w.id());
    assert_eq!(v.payment_id(), &p.payment_id);
    assert_eq!(v.amount, eur(200_000));

    // The same payment id again: the same header, no second debit.
    let before = fx.snapshot();
    let again = fx.w.pay(&req, &with_id(&p.payment_id)).unwrap();
    assert!(again.reused);
    assert_eq!(again.header, p.header);
    assert_eq!(again.payment_id, p.payment_id);
    assert_eq!(fx.snapshot(), before);
    assert_eq!(fx.balance(), 9_800_000);
    // ... even without approval, and even after a restart.
    fx.reopen();
    let again = fx.w.pay(&req, &PayOptions { payment_id: Some(p.payment_id.clone()), ..Default::default() }).unwrap();
    assert_eq!(again.header, p.header);
    assert_eq!(fx.w.payment(&p.payment_id).unwrap().header, p.header);
    assert_eq!(fx.balance(), 9_800_000);

    // The same payment id for another request is a conflict.
    for other in [offer("https://news.example/articles/2", 200_000), offer(NEWS, 300_000)] {
        let err = refused(&mut fx, |w| w.pay(&other, &with_id(&p.payment_id)));
        assert!(matches!(err, Error::PaymentIdConflict(_)), "{err:?}");
    }
    fx.w.verify().unwrap();
    assert_ledger_consistent(&fx.data_dir());
}

#[test]
fn a_chosen_payment_id_is_used_and_signed() {
    let mut fx = funded();
    let id: PaymentId = "pay_chosen_by_the_caller_01".parse().unwrap();
    let req = offer(NEWS, 150_000);
    let p = fx.w.pay(&req, &with_id(&id)).unwrap();
    assert_eq!(p.payment_id, id);
    assert!(!p.reused);
    let v = Verifier::new(req, Arc::new(FixedClock::new(T0))).unwrap();
    assert_eq!(v.verify(&p.header, &MemoryReplayCache::new()).unwrap().payment_id(), &id);
}

/// ADR 21: every payment signs the next `seq`, counted over all of the wallet's payments and
/// kept across restarts; a retry sends the stored authorization, so its `seq`, again.
#[test]
fn every_payment_signs_the_next_seq_and_a_retry_keeps_its_own() {
    let seq_of = |header: &str| {
        let p = centime_protocol::PaymentPayload::from_header(header).unwrap();
        centime_protocol::settlement::open_authorization(&p.payload.authorization).unwrap().seq
    };
    let mut fx = funded();
    let a = fx.w.pay(&offer(NEWS, 100_000), &approved()).unwrap();
    let b = fx.w.pay(&offer("https://news.example/articles/2", 100_000), &approved()).unwrap();
    assert_eq!((seq_of(&a.header), seq_of(&b.header)), (1, 2));
    fx.reopen();
    let again = fx.w.pay(&offer(NEWS, 100_000), &with_id(&a.payment_id)).unwrap();
    assert!(again.reused);
    assert_eq!(seq_of(&again.header), 1);
    let c = fx.w.pay(&offer("https://news.example/articles/3", 100_000), &approved()).unwrap();
    assert_eq!(seq_of(&c.header), 3);
    fx.w.verify().unwrap();
}

#[test]
fn insufficient_funds_change_nothing() {
    let mut fx = Fx::new();
    fx.topup(1_000_000);
    let err = refused(&mut fx, |w| w.pay(&offer(NEWS, 2_000_000), &approved()));
    assert!(matches!(err, Error::InsufficientFunds { .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::InsufficientFunds);
    // An empty wallet too.
    let mut empty = Fx::new();
    let err = refused(&mut empty, |w| w.pay(&offer(NEWS, 1), &approved()));
    assert!(matches!(err, Error::InsufficientFunds { .. }), "{err:?}");
}

#[test]
fn bad_requests_change_nothing() {
    let mut fx = funded();
    let mut no_offers = offer(NEWS, 100_000);
    no_offers.accepts.clear();
    let mut ftp = offer(NEWS, 100_000);
    ftp.resource.url = "ftp://news.example/a".into();
    let mut other_net = offer(NEWS, 100_000);
    other_net.accepts[0].network = "centime:unknown".into();
    let mut scheme = offer(NEWS, 100_000);
    scheme.accepts[0].scheme = "upto".into();
    let expired = offer_with(NEWS, 100_000, 0);
    let too_long = offer_with(NEWS, 100_000, 3601);
    let mut zero = offer(NEWS, 100_000);
    zero.accepts[0].amount = "0".into();
    let mut precise = offer(NEWS, 100_000);
    precise.accepts[0].extra.insert("assetScale".into(), json!(7));
    type Case = (&'static str, centime_protocol::PaymentRequired, fn(&Error) -> bool);
    let cases: Vec<Case> = vec![
        ("no offers", no_offers, |e| matches!(e, Error::BadRequest(_))),
        ("non-http resource", ftp, |e| matches!(e, Error::BadRequest(_))),
        ("untrusted network", other_net, |e| matches!(e, Error::NoPayableTerms(_))),
        ("unknown scheme", scheme, |e| matches!(e, Error::NoPayableTerms(_))),
        ("expired", expired, |e| matches!(e, Error::NoPayableTerms(_))),
        ("window too long", too_long, |e| matches!(e, Error::NoPayableTerms(_))),
        ("zero amount", zero, |e| matches!(e, Error::NoPayableTerms(_))),
        ("scale 7", precise, |e| matches!(e, Error::NoPayableTerms(_))),
    ];
    for (name, req, check) in cases {
        let err = refused(&mut fx, |w| w.pay(&req, &approved()));
        assert!(check(&err), "{name}: {err:?}");
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{name}");
    }
}

#[test]
fn allowance_auto_pays_under_budget_and_refuses_over_it() {
    let mut fx = funded();
    let rule =
        fx.w.update_site(
            "https://news.example/any/page",
            &SiteChange { auto_pay: Some(true), budget: Some(Some((m(1_000_000), Period::Day))), ..Default::default() },
        )
        .unwrap();
    assert_eq!(rule.origin, "https://news.example");
    for i in 0..3 {
        let p = fx.w.pay(&offer(&format!("https://news.example/a/{i}"), 300_000), &PayOptions::default()).unwrap();
        assert!(p.automatic, "payment {i} should be automatic");
    }
    assert_eq!(fx.balance(), 9_100_000);
    // 0.90 spent of 1.00: 0.30 more is over budget, approved or not.
    for opts in [PayOptions::default(), approved()] {
        let err = refused(&mut fx, |w| w.pay(&offer("https://news.example/a/9", 300_000), &opts));
        assert!(matches!(err, Error::Refused(ref r) if r.code == ReasonCode::OverSiteBudget), "{err:?}");
        assert_eq!(err.code(), ErrorCode::Refused);
    }
    // 0.10 still fits.
    assert!(fx.w.pay(&offer("https://news.example/a/10", 100_000), &PayOptions::default()).unwrap().automatic);
    // An approved payment on an auto-pay site is not "automatic".
    fx.w.update_site(NEWS, &SiteChange { budget: Some(None), ..Default::default() }).unwrap();
    assert!(!fx.w.pay(&offer("https://news.example/a/11", 100_000), &approved()).unwrap().automatic);
    // Another site is still asked.
    let err = refused(&mut fx, |w| w.pay(&offer("https://blog.example/x", 100_000), &PayOptions::default()));
    assert!(matches!(err, Error::NeedsApproval(_)), "{err:?}");
    // Over the auto-pay ceiling (0.50 by default) is asked even on an auto-pay site.
    let err = refused(&mut fx, |w| w.pay(&offer("https://news.example/big", 600_000), &PayOptions::default()));
    assert!(matches!(err, Error::NeedsApproval(_)), "{err:?}");
    fx.w.pay(&offer("https://news.example/big", 600_000), &approved()).unwrap();
    // A refund gives the budget back.
    let mut fx2 = funded();
    fx2.w
        .update_site(
            NEWS,
            &SiteChange { auto_pay: Some(true), budget: Some(Some((m(500_000), Period::Week))), ..Default::default() },
        )
        .unwrap();
    let p = fx2.w.pay(&offer(NEWS, 500_000), &PayOptions::default()).unwrap();
    assert!(matches!(fx2.w.pay(&offer(NEWS, 100_000), &PayOptions::default()), Err(Error::Refused(_))));
    fx2.w.record_rejected(&p.payment_id, "no").unwrap();
    assert!(fx2.w.pay(&offer(NEWS, 100_000), &PayOptions::default()).unwrap().automatic);
}

#[test]
fn budgets_renew_with_their_period() {
    let mut fx = funded();
    fx.w.update_limits(&LimitsChange { daily_cap: Some(m(100_000_000)), ..Default::default() }).unwrap();
    fx.w.update_site(
        NEWS,
        &SiteChange { auto_pay: Some(true), budget: Some(Some((m(400_000), Period::Day))), ..Default::default() },
    )
    .unwrap();
    fx.w.pay(&offer(NEWS, 400_000), &PayOptions::default()).unwrap();
    assert!(matches!(fx.w.pay(&offer(NEWS, 100_000), &PayOptions::default()), Err(Error::Refused(_))));
    fx.clock.set(T0 + DAY);
    fx.w.pay(&offer(NEWS, 400_000), &PayOptions::default()).unwrap();
}

#[test]
fn hard_ceiling_pause_block_max_and_daily_cap_refuse_even_when_approved() {
    let mut fx = funded();
    fx.topup(10_000_000);
    fx.topup(10_000_000);
    // The default ceiling for one payment is 5.00.
    let err = refused(&mut fx, |w| w.pay(&offer(NEWS, 5_000_001), &approved()));
    assert!(matches!(err, Error::Refused(_)), "{err:?}");
    fx.w.update_site(NEWS, &SiteChange { auto_pay: Some(true), ..Default::default() }).unwrap();
    let err = refused(&mut fx, |w| w.pay(&offer(NEWS, 6_000_000), &approved()));
    assert!(matches!(err, Error::Refused(_)), "{err:?}");
    fx.w.pay(&offer(NEWS, 5_000_000), &approved()).unwrap();

    // A site's own per-payment maximum.
    fx.w.update_site(NEWS, &SiteChange { max_per_payment: Some(Some(m(200_000))), ..Default::default() }).unwrap();
    let err = refused(&mut fx, |w| w.pay(&offer(NEWS, 300_000), &approved()));
    assert!(matches!(err, Error::Refused(ref r) if r.code == ReasonCode::OverSiteMax), "{err:?}");
    fx.w.update_site(NEWS, &SiteChange { max_per_payment: Some(None), ..Default::default() }).unwrap();

    // Pause all.
    fx.w.update_limits(&LimitsChange { paused: Some(true), ..Default::default() }).unwrap();
    let err = refused(&mut fx, |w| w.pay(&offer(NEWS, 100_000), &approved()));
    assert!(matches!(err, Error::Refused(ref r) if r.code == ReasonCode::Paused), "{err:?}");
    fx.w.update_limits(&LimitsChange { paused: Some(false), ..Default::default() }).unwrap();

    // Blocked.
    fx.w.update_site(NEWS, &SiteChange { blocked: Some(true), ..Default::default() }).unwrap();
    let err = refused(&mut fx, |w| w.pay(&offer(NEWS, 100_000), &approved()));
    assert!(matches!(err, Error::Refused(ref r) if r.code == ReasonCode::Blocked), "{err:?}");
    fx.w.update_site(NEWS, &SiteChange { blocked: Some(false), ..Default::default() }).unwrap();

    // The caller's --max.
    let err = refused(&mut fx, |w| {
        w.pay(&offer(NEWS, 200_000), &PayOptions { approved: true, max: Some(m(100_000)), ..PayOptions::default() })
    });
    assert!(matches!(err, Error::OverMax { price, max } if price.micros == m(200_000) && max == m(100_000)), "{err:?}");
    fx.w.pay(&offer(NEWS, 100_000), &PayOptions { approved: true, max: Some(m(100_000)), ..PayOptions::default() })
        .unwrap();

    // The global daily cap (20.00 by default): 5.10 spent, 15.00 more would pass it.
    fx.w.update_limits(&LimitsChange { max_per_payment: Some(m(50_000_000)), ..Default::default() }).unwrap();
    let err = refused(&mut fx, |w| w.pay(&offer(NEWS, 15_000_000), &approved()));
    assert!(matches!(err, Error::Refused(ref r) if r.code == ReasonCode::OverDailyCap), "{err:?}");
    fx.w.pay(&offer(NEWS, 14_900_000), &approved()).unwrap();
    // The next day the cap starts again.
    fx.clock.set(T0 + DAY);
    fx.w.pay(&offer(NEWS, 100_000), &approved()).unwrap();
    fx.w.verify().unwrap();
}

#[test]
fn rule_changes_are_validated() {
    let mut fx = Fx::new();
    assert!(matches!(
        fx.w.update_site("ftp://x.example", &SiteChange { auto_pay: Some(true), ..Default::default() }),
        Err(Error::Protocol(centime_protocol::Error::InvalidOrigin {
            problem: centime_protocol::OriginProblem::NotHttp,
            ..
        }))
    ));
    assert!(matches!(
        fx.w.update_site(NEWS, &SiteChange { budget: Some(Some((m(0), Period::Day))), ..Default::default() }),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        fx.w.update_limits(&LimitsChange { daily_cap: Some(m(-1)), ..Default::default() }),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        fx.w.update_limits(&LimitsChange { auto_pay_under: Some(m(-1)), ..Default::default() }),
        Err(Error::InvalidArgument(_))
    ));
    let l = fx.w.limits().unwrap();
    assert!(!l.paused);
    assert!(fx.w.sites().unwrap().is_empty());
}

// ---------------------------------------------------------------- merchant responses

#[test]
fn settled_with_a_merchant_receipt() {
    let mut fx = funded();
    let me = fx.w.id();
    let p = fx.w.pay(&offer(NEWS, 250_000), &approved()).unwrap();
    let q = fx.w.pay(&offer("https://news.example/articles/2", 250_000), &approved()).unwrap();

    // A receipt for another payment, a wrong amount, another payer, garbage: refused.
    let bad = [
        receipt(&me, &q.payment_id, "https://news.example/articles/2", 250_000, T0),
        receipt(&me, &p.payment_id, NEWS, 200_000, T0),
        receipt(&me, &p.payment_id, "https://news.example/articles/2", 250_000, T0),
        receipt(&RingSigner::from_seed(&[1; 32]).unwrap().public_key(), &p.payment_id, NEWS, 250_000, T0),
        "not.a.receipt".into(),
        credit_note(&me, "a-credit", 250_000, T0),
    ];
    for r in bad {
        let err = refused(&mut fx, |w| w.record_settled(&p.payment_id, &settlement(&me, Some(r.clone()))));
        assert!(matches!(err, Error::BadReceipt(_)), "{err:?}");
    }
    let good = receipt(&me, &p.payment_id, NEWS, 250_000, T0);
    let good_for_p = good.clone();
    assert_eq!(fx.w.record_settled(&p.payment_id, &settlement(&me, Some(good.clone()))).unwrap(), Status::Settled);
    // Recording it again is harmless.
    assert_eq!(fx.w.record_settled(&p.payment_id, &settlement(&me, Some(good))).unwrap(), Status::Settled);
    // Stored compressed (ADR 0010): present in the row.
    let stored: rusqlite::types::Value = fx
        .db()
        .query_row("SELECT receipt FROM payments WHERE payment_id = ?1", [p.payment_id.as_str()], |r| r.get(0))
        .unwrap();
    assert_ne!(stored, rusqlite::types::Value::Null);
    // A settled payment cannot be refunded.
    let err = refused(&mut fx, |w| w.record_rejected(&p.payment_id, "too late"));
    assert!(matches!(err, Error::BadTransition { .. }), "{err:?}");
    // Settled without a receipt: on the merchant's word, and the history says so.
    assert_eq!(fx.w.record_settled(&q.payment_id, &settlement(&me, None)).unwrap(), Status::Settled);
    assert_eq!(fx.balance(), 9_500_000);
    let unproven = |fx: &Fx, id: &PaymentId| {
        let page = fx.w.history(&Default::default(), 50, None).unwrap();
        page.entries.iter().find(|e| e.payment_id.as_deref() == Some(id.as_str())).unwrap().settled_without_receipt
    };
    assert!(unproven(&fx, &q.payment_id));
    assert!(!unproven(&fx, &p.payment_id));
    // Its receipt, handed back later (an x402 client dropped it), is checked and kept.
    let late = receipt(&me, &q.payment_id, "https://news.example/articles/2", 250_000, T0);
    let err = refused(&mut fx, |w| w.record_settled(&q.payment_id, &settlement(&me, Some(good_for_p.clone()))));
    assert!(matches!(err, Error::BadReceipt(_)), "{err:?}");
    assert_eq!(fx.w.record_settled(&q.payment_id, &settlement(&me, Some(late))).unwrap(), Status::Settled);
    assert!(!unproven(&fx, &q.payment_id));
    assert_eq!(fx.balance(), 9_500_000);
    let unknown = PaymentId::random().unwrap();
    let err = refused(&mut fx, |w| w.record_settled(&unknown, &settlement(&me, None)));
    assert!(matches!(err, Error::UnknownPayment(_)), "{err:?}");
    fx.w.verify().unwrap();
}

#[test]
fn rejected_payment_is_refunded_once() {
    let mut fx = funded();
    let me = fx.w.id();
    let p = fx.w.pay(&offer(NEWS, 700_000), &approved()).unwrap();
    assert_eq!(fx.balance(), 9_300_000);
    assert_eq!(fx.w.record_rejected(&p.payment_id, "insufficient_funds\nat merchant").unwrap(), Status::Rejected);
    assert_eq!(fx.balance(), 10_000_000);
    let refunds: Vec<(i64, String)> = {
        let db = fx.db();
        let mut s = db.prepare("SELECT amount, ref FROM journal WHERE kind = 'refund'").unwrap();
        s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    };
    assert_eq!(refunds, vec![(700_000, p.payment_id.to_string())]);
    fx.w.verify().unwrap();
    // Again: no second refund.
    let before = fx.snapshot();
    assert_eq!(fx.w.record_rejected(&p.payment_id, "again").unwrap(), Status::Rejected);
    assert_eq!(fx.snapshot(), before);
    // A failed settlement response is a rejection too.
    let q = fx.w.pay(&offer("https://news.example/articles/3", 100_000), &approved()).unwrap();
    let mut failed = settlement(&me, None);
    failed.success = false;
    failed.error_reason = Some("expired".into());
    assert_eq!(fx.w.record_settled(&q.payment_id, &failed).unwrap(), Status::Rejected);
    assert_eq!(fx.balance(), 10_000_000);
    // Retrying the rejected payment id returns the stored payment; it does not pay again.
    let again = fx.w.pay(&offer(NEWS, 700_000), &with_id(&p.payment_id)).unwrap();
    assert!(again.reused);
    assert_eq!(fx.balance(), 10_000_000);
    fx.w.verify().unwrap();
    assert_ledger_consistent(&fx.data_dir());
}

#[test]
fn a_late_success_after_a_rejection_is_a_clear_error() {
    let mut fx = funded();
    let me = fx.w.id();
    let p = fx.w.pay(&offer(NEWS, 100_000), &approved()).unwrap();
    fx.w.record_rejected(&p.payment_id, "refused").unwrap();
    let err = refused(&mut fx, |w| w.record_settled(&p.payment_id, &settlement(&me, None)));
    assert!(matches!(err, Error::BadTransition { .. }), "{err:?}");
}

#[test]
fn unconfirmed_payments_can_still_be_resolved() {
    let mut fx = funded();
    let me = fx.w.id();
    let p = fx.w.pay(&offer(NEWS, 100_000), &approved()).unwrap();
    let q = fx.w.pay(&offer("https://news.example/b", 100_000), &approved()).unwrap();
    assert_eq!(fx.w.mark_unconfirmed(&p.payment_id, "timeout").unwrap(), Status::Unconfirmed);
    assert_eq!(fx.w.mark_unconfirmed(&q.payment_id, "timeout").unwrap(), Status::Unconfirmed);
    assert_eq!(fx.w.record_settled(&p.payment_id, &settlement(&me, None)).unwrap(), Status::Settled);
    assert_eq!(fx.w.record_rejected(&q.payment_id, "no").unwrap(), Status::Rejected);
    assert_eq!(fx.w.mark_unconfirmed(&q.payment_id, "late").unwrap(), Status::Rejected);
    assert_eq!(fx.balance(), 9_900_000);
    fx.w.verify().unwrap();
}

#[test]
fn unresolved_lists_pending_and_unconfirmed_and_unconfirmed_leaves_pending_to_its_delivery() {
    let mut fx = funded();
    let ids = |ps: Vec<centime_core::Payment>| ps.into_iter().map(|p| p.payment_id).collect::<Vec<_>>();
    let pending = fx.w.pay(&offer(NEWS, 100_000), &approved()).unwrap();
    let lost = fx.w.pay(&offer("https://news.example/b", 100_000), &approved()).unwrap();
    let settled = fx.w.pay(&offer("https://news.example/c", 100_000), &approved()).unwrap();
    fx.w.mark_unconfirmed(&lost.payment_id, "the answer was lost").unwrap();
    fx.w.record_settled(&settled.payment_id, &settlement(&fx.w.id(), None)).unwrap();
    assert_eq!(ids(fx.w.unresolved_payments().unwrap()), vec![pending.payment_id.clone(), lost.payment_id.clone()]);
    assert_eq!(ids(fx.w.unconfirmed_payments().unwrap()), vec![lost.payment_id.clone()]);
    // Once its authorization has expired, no delivery can still be working on the pending one.
    fx.clock.set(T0 + DAY);
    fx.w.resolve_stale_pending().unwrap();
    assert_eq!(ids(fx.w.unconfirmed_payments().unwrap()), vec![pending.payment_id, lost.payment_id]);
}

#[test]
fn stale_pending_payment_becomes_unconfirmed_on_restart() {
    let mut fx = funded();
    let real_now = {
        use centime_protocol::Clock as _;
        centime_protocol::SystemClock.now()
    };
    // Paid two hours ago with a one-minute window: it can no longer be in flight.
    fx.clock.set(real_now - 7200);
    let stale = fx.w.pay(&offer_with(NEWS, 100_000, 60), &approved()).unwrap();
    // Paid just now with an hour's window: still in flight.
    fx.clock.set(real_now);
    let fresh = fx.w.pay(&offer_with("https://news.example/b", 100_000, 3600), &approved()).unwrap();
    let status = |fx: &Fx, id: &PaymentId| -> String {
        fx.db().query_row("SELECT status FROM payments WHERE payment_id = ?1", [id.as_str()], |r| r.get(0)).unwrap()
    };
    assert_eq!(status(&fx, &stale.payment_id), "pending");

    // A restart: `open` uses the system clock.
    let dir = fx.data_dir();
    let w = Wallet::open(&dir, fx.ks.as_ref()).unwrap();
    assert_eq!(status(&fx, &stale.payment_id), "unconfirmed");
    assert_eq!(status(&fx, &fresh.payment_id), "pending");
    // Nothing was refunded: the outcome is unknown, the money stays debited.
    assert_eq!(balance_of(&w), 9_800_000);
    w.verify().unwrap();
    let page =
        w.history(&HistoryFilter { status: Some(EntryStatus::Unconfirmed), ..Default::default() }, 10, None).unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].payment_id.as_deref(), Some(stale.payment_id.as_str()));
    drop(w);
    fx.reopen();
    // The merchant's late answer still counts.
    fx.w.record_rejected(&stale.payment_id, "expired").unwrap();
    assert_eq!(fx.balance(), 9_900_000);
    fx.w.verify().unwrap();
}

// ---------------------------------------------------------------- keystores and identity

#[test]
fn file_keystore_wallet_survives_restarts_and_refuses_wrong_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("w");
    let ks = || FileKeyStore::new(&data, Passphrase::new("correct horse battery".into()));
    let id;
    {
        let mut w = Wallet::init(&data, &ks(), &[test_issuer()]).unwrap();
        id = w.id();
        w.set_clock(Arc::new(FixedClock::new(T0)));
        w.topup(&credit_note(&id, "file-1", 3_000_000, T0)).unwrap();
        let p = w.pay(&offer(NEWS, 1_000_000), &approved()).unwrap();
        assert_eq!(balance_of(&w), 2_000_000);
        assert!(!std::fs::read_to_string(data.join(centime_core::keystore::KEY_FILE)).unwrap().contains("BEGIN"));
        drop(p);
    }
    let w = Wallet::open(&data, &ks()).unwrap();
    assert_eq!(w.id(), id);
    assert_eq!(balance_of(&w), 2_000_000);
    w.verify().unwrap();
    drop(w);
    let wrong = FileKeyStore::new(&data, Passphrase::new("incorrect horse".into()));
    assert!(matches!(Wallet::open(&data, &wrong), Err(Error::WrongPassphrase(_))));
    // Another keystore kind, or a keystore without the key: a clear error, never a new identity.
    let mem = MemKeyStore::new();
    let err = Wallet::open(&data, mem.as_ref()).unwrap_err();
    assert!(matches!(err, Error::KeyMissing(_)), "{err:?}");
    std::fs::remove_file(data.join(centime_core::keystore::KEY_FILE)).unwrap();
    let err = Wallet::open(&data, &ks()).unwrap_err();
    assert!(matches!(err, Error::KeyMissing(_)), "{err:?}");
    assert_eq!(err.code(), ErrorCode::Keystore);
    assert!(matches!(Wallet::init(&data, &ks(), &[]), Err(Error::AlreadyInitialized(_))));
    assert!(matches!(Wallet::open(&dir.path().join("none"), &ks()), Err(Error::NotInitialized(_))));
}

#[test]
fn a_key_of_another_wallet_is_refused() {
    use centime_core::keystore::KeyStore as _;
    let a = Fx::new();
    let b = Fx::new();
    let account_a = a.ks.accounts().pop().unwrap();
    let account_b = b.ks.accounts().pop().unwrap();
    let secrets_b = b.ks.load(&account_b).unwrap().unwrap();
    a.ks.save(&account_a, &secrets_b).unwrap();
    let err = Wallet::open(&a.data_dir(), a.ks.as_ref()).unwrap_err();
    assert!(matches!(err, Error::KeyMismatch(_)), "{err:?}");
    assert_eq!(err.code(), ErrorCode::Keystore);
}

// ---------------------------------------------------------------- history

/// Day 0: a top-up and two news payments; day 1: a blog payment, rejected; day 40: a
/// settled news payment.
fn history_fixture() -> (Fx, Vec<PaymentId>) {
    let mut fx = Fx::new();
    let me = fx.w.id();
    fx.topup(20_000_000);
    let a = fx.w.pay(&offer("https://news.example/a", 200_000), &approved()).unwrap();
    let b = fx.w.pay(&offer("https://news.example/b", 300_000), &approved()).unwrap();
    fx.clock.set(T0 + DAY);
    let c = fx.w.pay(&offer("https://blog.example/x", 500_000), &approved()).unwrap();
    fx.w.record_rejected(&c.payment_id, "refused").unwrap();
    fx.clock.set(T0 + 40 * DAY);
    let d = fx.w.pay(&offer("https://news.example/c_100%", 1_000_000), &approved()).unwrap();
    fx.w.record_settled(&d.payment_id, &settlement(&me, None)).unwrap();
    (fx, vec![a.payment_id, b.payment_id, c.payment_id, d.payment_id])
}

/// What the security review's hostile merchant put in its 402: cursor moves, a line erase, a new line, a
/// bidi override and zero-width characters.
const HOSTILE: &str = "Article\u{1b}[2K\u{1b}[1A\nPrice 0.01 EUR\u{202E}RUE 00.5\u{202C}\u{200B}\u{2066}";

fn inert(s: &str) -> bool {
    !s.chars().any(|c| {
        c.is_control() || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}')
    })
}

#[test]
fn a_hostile_402_leaves_no_hidden_text_in_the_quote_or_the_history() {
    let mut fx = funded();
    let mut req = offer(NEWS, 200_000);
    req.resource.description = Some(HOSTILE.into());
    req.accepts[0].extra.insert("merchantName".into(), json!("News\u{202E}\u{2066}\u{200D}"));
    let sent = req.clone();
    // As a wallet receives it: a PAYMENT-REQUIRED header.
    let req = centime_protocol::PaymentRequired::from_header(&req.to_header().unwrap()).unwrap();
    let q = fx.w.quote(&req).unwrap();
    assert_eq!(q.description.as_deref(), Some("Article[2K[1A Price 0.01 EURRUE 00.5"));
    assert_eq!(q.merchant_name.as_deref(), Some("News"));
    let p = fx.w.pay(&req, &approved()).unwrap();
    let page = fx.w.history(&HistoryFilter::default(), 10, None).unwrap();
    let stored = page.entries[0].description.as_deref().unwrap();
    assert_eq!(page.entries[0].payment_id.as_deref(), Some(p.payment_id.as_str()));
    assert!(inert(stored), "stored title {stored:?}");
    assert_eq!(stored, "Article[2K[1A Price 0.01 EURRUE 00.5");
    // The merchant, verifying against the 402 it sent, still accepts the payment: what it
    // compares and hashes (the offer, the resource URL) was not touched.
    let verifier = Verifier::new(sent, Arc::new(FixedClock::new(T0 + 1))).unwrap();
    verifier.verify(&p.header, &MemoryReplayCache::new()).unwrap();
}

fn count(w: &Wallet, f: HistoryFilter) -> usize {
    w.history(&f, 1000, None).unwrap().entries.len()
}

#[test]
fn history_filters() {
    let (fx, ids) = history_fixture();
    let w = &fx.w;
    let all = w.history(&HistoryFilter::default(), 100, None).unwrap();
    assert_eq!(all.entries.len(), 6);
    assert!(all.next.is_none());
    assert!(all.entries.windows(2).all(|p| p[0].id > p[1].id), "newest first");
    assert_eq!(all.entries[0].payment_id.as_deref(), Some(ids[3].as_str()));
    assert_eq!(all.entries[0].amount, m(-1_000_000));
    assert_eq!(all.entries[0].status, EntryStatus::Settled);
    assert_eq!(all.entries[0].at, "2100-02-10T12:00:00Z");

    let f = |site: Option<&str>, kind: Option<Kind>, status: Option<&str>, search: Option<&str>| HistoryFilter {
        site: site.map(str::to_owned),
        kind,
        status: status.map(|s| s.parse().unwrap()),
        search: search.map(str::to_owned),
        ..Default::default()
    };
    assert_eq!(count(w, f(Some("https://news.example/anything"), None, None, None)), 3);
    assert_eq!(count(w, f(Some("https://blog.example"), None, None, None)), 2, "payment and refund");
    assert_eq!(count(w, f(Some("http://news.example"), None, None, None)), 0, "the scheme is part of the origin");
    assert_eq!(count(w, f(None, Some(Kind::Payment), None, None)), 4);
    assert_eq!(count(w, f(None, Some(Kind::Credit), None, None)), 1);
    assert_eq!(count(w, f(None, Some(Kind::Refund), None, None)), 1);
    assert_eq!(count(w, f(None, None, Some("settled"), None)), 1);
    assert_eq!(count(w, f(None, None, Some("rejected"), None)), 1);
    assert_eq!(count(w, f(None, None, Some("pending"), None)), 2);
    assert_eq!(count(w, f(None, None, Some("posted"), None)), 2);
    assert_eq!(count(w, f(Some(NEWS), Some(Kind::Payment), Some("pending"), None)), 2);
    assert_eq!(count(w, f(None, None, None, Some("blog"))), 2);
    assert_eq!(count(w, f(None, None, None, Some("Article at https://news.example/b"))), 1);
    assert_eq!(count(w, f(None, None, None, Some("c_100%"))), 1);
    assert_eq!(count(w, f(None, None, None, Some("%"))), 1, "LIKE wildcards are literal");
    assert_eq!(count(w, f(None, None, None, Some("_"))), 1);
    assert_eq!(count(w, f(None, None, None, Some("nothing like it"))), 0);
    let t = |since: Option<u64>, until: Option<u64>| HistoryFilter {
        since: since.map(|s| i64::try_from(s).unwrap()),
        until: until.map(|u| i64::try_from(u).unwrap()),
        ..Default::default()
    };
    assert_eq!(count(w, t(Some(T0 + DAY), None)), 3);
    assert_eq!(count(w, t(None, Some(T0 + DAY))), 3);
    assert_eq!(count(w, t(Some(T0 + DAY), Some(T0 + DAY + 1))), 2);
    assert_eq!(count(w, t(Some(T0 + 41 * DAY), None)), 0);
    let parsed = centime_core::history::parse_time("2100-01-02").unwrap();
    assert_eq!(count(w, t(Some(u64::try_from(parsed).unwrap()), None)), 3);
    // An unknown status cannot be a filter: it is refused where it is read, with the words that
    // would have been accepted.
    assert!("lost".parse::<EntryStatus>().is_err());
    let e = Error::unknown_word::<EntryStatus>("status", "lost");
    assert_eq!(e.to_string(), r#"unknown status "lost": use pending, settled, rejected, unconfirmed or posted"#);
    assert!(matches!(w.history(&HistoryFilter::default(), 10, Some("x")), Err(Error::InvalidArgument(_))));
}

#[test]
fn history_totals() {
    let (fx, _) = history_fixture();
    let by = |g| {
        fx.w.totals(&HistoryFilter::default(), g)
            .unwrap()
            .into_iter()
            .map(|t| (t.key, t.spent.get(), t.payments))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by(GroupBy::Site),
        vec![("https://blog.example".into(), 0, 1), ("https://news.example".into(), 1_500_000, 3)]
    );
    assert_eq!(
        by(GroupBy::Day),
        vec![("2100-01-01".into(), 500_000, 2), ("2100-01-02".into(), 0, 1), ("2100-02-10".into(), 1_000_000, 1)]
    );
    assert_eq!(by(GroupBy::Month), vec![("2100-01".into(), 500_000, 3), ("2100-02".into(), 1_000_000, 1)]);
    let news = fx.w.totals(&HistoryFilter { site: Some(NEWS.into()), ..Default::default() }, GroupBy::Month).unwrap();
    assert_eq!(news.len(), 2);
    assert_eq!(news[0].spent, m(500_000));
}

#[test]
fn history_keyset_pagination_has_no_gaps_or_duplicates() {
    let mut fx = Fx::new();
    for _ in 0..30 {
        fx.topup(1_000_000);
    }
    for i in 0..17 {
        fx.clock.set(T0 + i * 60);
        fx.w.pay(&offer(&format!("https://news.example/{i}"), 10_000), &approved()).unwrap();
    }
    let expected: Vec<i64> = (1..=47).rev().collect();
    for limit in [1, 7, 10, 46, 47, 48] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = fx.w.history(&HistoryFilter::default(), limit, cursor.as_deref()).unwrap();
            pages += 1;
            assert!(page.entries.len() <= limit);
            seen.extend(page.entries.iter().map(|e| e.id));
            match page.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, expected, "limit {limit}");
        assert_eq!(pages, expected.len().div_ceil(limit), "limit {limit}");
    }
    // With a filter, and new rows arriving between pages (they are newer: not in older pages).
    let f = HistoryFilter { kind: Some(Kind::Payment), ..Default::default() };
    let first = fx.w.history(&f, 5, None).unwrap();
    fx.w.pay(&offer("https://news.example/late", 10_000), &approved()).unwrap();
    let mut seen: Vec<i64> = first.entries.iter().map(|e| e.id).collect();
    let mut cursor = first.next;
    while let Some(c) = cursor {
        let page = fx.w.history(&f, 5, Some(&c)).unwrap();
        seen.extend(page.entries.iter().map(|e| e.id));
        cursor = page.next;
    }
    assert_eq!(seen, (31..=47).rev().collect::<Vec<_>>());
}

#[test]
fn export_csv_and_json() {
    let (fx, _) = history_fixture();
    let mut csv = Vec::new();
    let mut calls = Vec::new();
    let n =
        fx.w.export(&HistoryFilter::default(), ExportFormat::Csv, &mut csv, &mut |k| {
            calls.push(k);
            true
        })
        .unwrap();
    assert_eq!(n, 6);
    assert_eq!(calls.last(), Some(&6));
    let text = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(lines[0], centime_core::history::CSV_COLUMNS.join(","));
    assert!(lines[1].starts_with("1,2100-01-01T12:00:00Z,credit,posted,20.00,EUR,"), "{}", lines[1]);

    let mut json_out = Vec::new();
    let n =
        fx.w.export(
            &HistoryFilter { kind: Some(Kind::Payment), ..Default::default() },
            ExportFormat::Json,
            &mut json_out,
            &mut |_| true,
        )
        .unwrap();
    assert_eq!(n, 4);
    let v: serde_json::Value = serde_json::from_slice(&json_out).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["kind"] == "payment" && r["amount"].is_string()));
    assert!(rows.windows(2).all(|p| p[0]["id"].as_i64() < p[1]["id"].as_i64()), "oldest first");

    // Empty exports are well formed.
    let mut empty = Vec::new();
    let none = HistoryFilter { search: Some("nothing".into()), ..Default::default() };
    assert_eq!(fx.w.export(&none, ExportFormat::Json, &mut empty, &mut |_| true).unwrap(), 0);
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&empty).unwrap(), json!([]));
}

// ---------------------------------------------------------------- tamper evidence

/// A wallet with a few rows of each kind, then `sql` run on its file by another connection
/// with the protective triggers dropped.
fn tampered(sql: &str) -> (Fx, Error) {
    let mut fx = funded();
    let me = fx.w.id();
    fx.w.update_site(NEWS, &SiteChange { auto_pay: Some(true), ..Default::default() }).unwrap();
    let p = fx.w.pay(&offer(NEWS, 100_000), &approved()).unwrap();
    fx.w.record_settled(&p.payment_id, &settlement(&me, None)).unwrap();
    fx.topup(1_000_000);
    let q = fx.w.pay(&offer("https://news.example/2", 200_000), &approved()).unwrap();
    fx.w.record_rejected(&q.payment_id, "no").unwrap();
    fx.w.verify().unwrap();
    // Rows: 1 credit, 2 payment, 3 credit, 4 payment, 5 refund.
    let db = fx.db();
    db.execute_batch(
        "PRAGMA foreign_keys = OFF; DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete;
         DROP TRIGGER payments_documents_fixed;",
    )
    .unwrap();
    db.execute_batch(sql).unwrap();
    drop(db);
    let err = fx.w.verify().unwrap_err();
    assert_eq!(err.code(), ErrorCode::Integrity, "{err:?}");
    assert!(matches!(err, Error::Integrity(_)));
    (fx, err)
}

#[test]
fn verify_names_an_edited_journal_row() {
    let (fx, err) = tampered("UPDATE journal SET amount = -1 WHERE id = 2");
    assert!(err.to_string().contains("journal row 2 "), "{err}");
    // A reopened wallet says the same.
    let w = Wallet::open(&fx.data_dir(), fx.ks.as_ref()).unwrap();
    assert!(w.verify().unwrap_err().to_string().contains("journal row 2 "));
    for (sql, row) in [
        ("UPDATE journal SET amount = 2000000 WHERE id = 3", "journal row 3 "),
        ("UPDATE journal SET site = 'https://evil.example' WHERE id = 4", "journal row 4 "),
        ("UPDATE journal SET at = at + 1 WHERE id = 5", "journal row 5 "),
        ("UPDATE journal SET payment_id = 'pay_somebody_else_00' WHERE id = 2", "journal row 2 "),
    ] {
        let (_, err) = tampered(sql);
        assert!(err.to_string().contains(row), "{sql}: {err}");
    }
}

#[test]
fn verify_detects_balance_edits_and_deleted_rows() {
    let (_, err) = tampered("UPDATE balances SET balance = balance + 1");
    assert!(err.to_string().contains("balance"), "{err}");
    let (_, err) = tampered("DELETE FROM journal WHERE id = 3");
    assert!(err.to_string().contains("journal row 3 is missing"), "{err}");
    let (_, err) = tampered("DELETE FROM journal WHERE id = 5");
    assert!(err.to_string().contains("ends at row 4"), "{err}");
    let (_, err) = tampered("DELETE FROM journal WHERE id = 1");
    assert!(err.to_string().contains("journal row 1 is missing"), "{err}");
    // Moving a row: swap two payments' ids.
    let (_, err) = tampered("UPDATE journal SET id = 99 WHERE id = 2; UPDATE journal SET id = 2 WHERE id = 4;");
    assert!(err.to_string().contains("journal row"), "{err}");
}

#[test]
fn verify_detects_rule_limit_and_document_edits() {
    let (_, err) = tampered("UPDATE sites SET max_per_payment = 99000000");
    assert!(err.to_string().contains("rule for https://news.example"), "{err}");
    let (_, err) = tampered("UPDATE sites SET blocked = 1");
    assert!(err.to_string().contains("rule"), "{err}");
    let (_, err) = tampered("UPDATE limits SET daily_cap = 999000000");
    assert!(err.to_string().contains("spending limits"), "{err}");
    let (_, err) = tampered("UPDATE limits SET paused = 1");
    assert!(err.to_string().contains("spending limits"), "{err}");
    let (_, err) = tampered("UPDATE payments SET authorization = 'x.y.z' WHERE journal_id = 2");
    assert!(err.to_string().contains("stored authorization"), "{err}");
    let (_, err) = tampered("UPDATE credits SET note = 'x.y.z' WHERE journal_id = 1");
    assert!(err.to_string().contains("credit note"), "{err}");
    // A rejected payment with its refund row removed from the status side.
    let (_, err) =
        tampered("DROP TRIGGER payments_status_moves; UPDATE payments SET status = 'pending' WHERE journal_id = 4");
    assert!(err.to_string().contains("refund"), "{err}");
}

#[test]
fn a_rule_deleted_outside_centime_is_detected_and_not_obeyed() {
    // A blocked site whose rule is deleted must not become payable (it would only be "asked").
    let (_, err) = tampered("DELETE FROM sites");
    assert!(err.to_string().contains("added or deleted"), "{err}");
    let mut fx = funded();
    fx.w.update_site(NEWS, &SiteChange { blocked: Some(true), ..Default::default() }).unwrap();
    fx.db().execute("DELETE FROM sites", []).unwrap();
    let before = fx.snapshot();
    let err = fx.w.pay(&offer(NEWS, 100_000), &approved()).unwrap_err();
    assert!(matches!(err, Error::Integrity(ref r) if r.contains("added or deleted")), "{err:?}");
    assert_eq!(fx.snapshot(), before);
    // Removing a rule through the wallet keeps the set sealed.
    let mut fx = funded();
    fx.w.update_site(NEWS, &SiteChange { blocked: Some(true), ..Default::default() }).unwrap();
    fx.w.remove_site(NEWS).unwrap();
    fx.w.verify().unwrap();
}

#[test]
fn a_trusted_issuer_changed_outside_centime_is_detected_and_not_trusted() {
    // The attack: replace the demo issuer's key by one the forger holds, then redeem notes
    // signed by it. The key swap breaks the seal; no note of the forged key is credited.
    let forger = RingSigner::from_seed(&OTHER_ISSUER_SEED).unwrap();
    let swap = format!("UPDATE issuers SET public_key = '{}'", forger.public_key());
    let (_, err) = tampered(&swap);
    assert!(err.to_string().contains("trusted issuers were changed outside Centime"), "{err}");
    let mut fx = funded();
    fx.db().execute_batch(&swap).unwrap();
    let mut claims = credit_claims(&fx.w.id(), "forged", 5_000_000, T0);
    claims.iss = forger.public_key();
    let forged = centime_protocol::documents::sign(&forger, &claims).unwrap();
    let before = fx.snapshot();
    let err = fx.w.topup(&forged).unwrap_err();
    assert!(matches!(err, Error::Integrity(ref r) if r.contains("trusted issuers")), "{err:?}");
    let err = fx.w.pay(&offer(NEWS, 100_000), &approved()).unwrap_err();
    assert!(matches!(err, Error::Integrity(_)), "{err:?}");
    assert!(matches!(fx.w.issuers(), Err(Error::Integrity(_))));
    // Trusting through Centime does not bless the change either.
    assert!(matches!(fx.w.add_issuer(&test_issuer()), Err(Error::Integrity(_))));
    assert_eq!(fx.snapshot(), before);

    // A row added, deleted, renamed or re-dated is as visible as a key swapped.
    for sql in [
        "DELETE FROM issuers",
        "INSERT INTO issuers (network, public_key, name, added_at) SELECT 'centime:evil', public_key, name, added_at FROM issuers",
        "UPDATE issuers SET name = 'Someone else'",
        "UPDATE issuers SET added_at = added_at + 1",
    ] {
        let (_, err) = tampered(sql);
        assert!(err.to_string().contains("trusted issuers"), "{sql}: {err}");
    }
}

#[test]
fn issuers_changed_through_centime_stay_sealed() {
    let mut fx = funded();
    let other = RingSigner::from_seed(&OTHER_ISSUER_SEED).unwrap();
    let second: centime_protocol::Network = "centime:other".parse().unwrap();
    let issuer =
        |network, public_key, name: &str| centime_core::Issuer { network, public_key, name: Some(name.into()) };
    fx.w.add_issuer(&issuer(second.clone(), other.public_key(), "Other")).unwrap();
    fx.w.verify().unwrap();
    // Replacing the key trusted for a network (a rotation) is sealed as well.
    fx.w.add_issuer(&issuer(network(), other.public_key(), "Rotated")).unwrap();
    fx.w.verify().unwrap();
    fx.w.remove_issuer(&second).unwrap();
    fx.w.verify().unwrap();
    assert_eq!(fx.w.issuers().unwrap(), vec![issuer(network(), other.public_key(), "Rotated")]);
    // A refused removal changes nothing and leaves the seal intact.
    assert!(matches!(fx.w.remove_issuer(&second), Err(Error::InvalidArgument(_))));
    fx.w.verify().unwrap();
    fx.w.add_issuer(&test_issuer()).unwrap();
    fx.topup(1_000_000);
    fx.w.verify().unwrap();
}

#[test]
fn tampered_rules_are_not_obeyed() {
    let mut fx = funded();
    fx.w.update_site(NEWS, &SiteChange { max_per_payment: Some(Some(m(100_000))), ..Default::default() }).unwrap();
    fx.db().execute("UPDATE sites SET max_per_payment = 9000000", []).unwrap();
    let before = fx.snapshot();
    let err = fx.w.pay(&offer(NEWS, 200_000), &approved()).unwrap_err();
    assert!(matches!(err, Error::Integrity(ref r) if r.contains("changed outside Centime")), "{err:?}");
    assert_eq!(fx.snapshot(), before);
    fx.db().execute("UPDATE limits SET max_per_payment = 900000000", []).unwrap();
    let err = fx.w.pay(&offer("https://blog.example/", 200_000), &approved()).unwrap_err();
    assert!(matches!(err, Error::Integrity(ref r) if r.contains("limits")), "{err:?}");
    assert_eq!(fx.snapshot().journal, before.journal);
}

/// A wallet with rules, and a copy of its database taken before the user changed them and
/// the journal moved on (a `wallet.before-restore-*` file, a sync conflict's other side, a
/// snapshot): its rows carry genuine MACs under the same key.
fn rules_changed_since_an_older_copy(issuer_added: bool) -> (Fx, tempfile::TempDir) {
    let mut fx = funded();
    fx.w.update_site(NEWS, &SiteChange { auto_pay: Some(true), ..Default::default() }).unwrap();
    fx.w.update_site("https://blog.example", &SiteChange { auto_pay: Some(true), ..Default::default() }).unwrap();
    fx.w.update_limits(&LimitsChange { daily_cap: Some(m(15_000_000)), ..Default::default() }).unwrap();
    fx.w.pay(&offer(NEWS, 100_000), &PayOptions::default()).unwrap();
    let older = tempfile::tempdir().unwrap();
    fx.db().backup(rusqlite::MAIN_DB, older.path().join("older.sqlite3"), rusqlite::backup::NO_PROGRESS).unwrap();
    // Then the user tightens everything, and pays and tops up again.
    fx.w.update_site(NEWS, &SiteChange { blocked: Some(true), ..Default::default() }).unwrap();
    fx.w.remove_site("https://blog.example").unwrap();
    fx.w.update_limits(&LimitsChange { daily_cap: Some(m(300_000)), auto_pay_under: Some(m(0)), ..Default::default() })
        .unwrap();
    if issuer_added {
        let other = RingSigner::from_seed(&OTHER_ISSUER_SEED).unwrap();
        let issuer = centime_core::Issuer {
            network: "centime:other".parse().unwrap(),
            public_key: other.public_key(),
            name: Some("Other".into()),
        };
        fx.w.add_issuer(&issuer).unwrap();
    }
    fx.topup(1_000_000);
    fx.w.verify().unwrap();
    (fx, older)
}

#[test]
fn rules_put_back_from_an_older_copy_are_detected_and_not_obeyed() {
    let old = |sql: &str, older: &tempfile::TempDir| {
        format!("ATTACH '{}' AS old; {sql}", older.path().join("older.sqlite3").display())
    };
    let site = "DELETE FROM sites; INSERT INTO sites SELECT * FROM old.sites;";
    let site_digest = "UPDATE meta SET value = (SELECT value FROM old.meta WHERE key = 'sites_digest')
                       WHERE key = 'sites_digest';";
    let limits = "DELETE FROM limits; INSERT INTO limits SELECT * FROM old.limits;";
    let issuers = "DELETE FROM issuers; INSERT INTO issuers SELECT * FROM old.issuers;";
    let head = "UPDATE meta SET value = (SELECT value FROM old.meta WHERE key = 'journal_head')
                WHERE key = 'journal_head';";
    for (what, issuer_added, sql) in [
        ("the limits row", false, limits.to_owned()),
        ("the site rules with their digest", false, format!("{site} {site_digest}")),
        ("the limits row with the trusted issuers", true, format!("{limits} {issuers}")),
        ("every rule with the journal's head", true, format!("{site} {site_digest} {limits} {issuers} {head}")),
    ] {
        let (mut fx, older) = rules_changed_since_an_older_copy(issuer_added);
        fx.db().execute_batch(&old(&sql, &older)).unwrap();
        let err = fx.w.verify().unwrap_err();
        assert!(matches!(err, Error::Integrity(_)), "{what}: {err:?}");
        assert!(err.to_string().contains("older copy"), "{what}: {err}");
        // The older rules would auto-pay the blocked site: nothing is paid on them.
        let before = fx.snapshot();
        let err = fx.w.pay(&offer(NEWS, 100_000), &PayOptions::default()).unwrap_err();
        assert!(matches!(err, Error::Integrity(_)), "{what}: {err:?}");
        assert_eq!(fx.snapshot(), before, "{what}");
        // Nor are they sealed again by a change made through Centime, or by a new entry.
        let change = SiteChange { auto_pay: Some(false), ..Default::default() };
        assert!(matches!(fx.w.update_site("https://other.example", &change), Err(Error::Integrity(_))), "{what}");
        assert!(matches!(fx.w.update_limits(&LimitsChange::default()), Err(Error::Integrity(_))), "{what}");
        let note = credit_note(&fx.w.id(), "after-rollback", 1_000_000, fx.now());
        assert!(matches!(fx.w.topup(&note), Err(Error::Integrity(_))), "{what}");
        assert_eq!(fx.snapshot(), before, "{what}");
        fx.reopen();
        assert!(fx.w.verify().is_err(), "{what}: reopening blessed the older rules");
    }
}

#[test]
fn the_journal_refuses_updates_and_deletes() {
    let fx = funded();
    let db = fx.db();
    assert!(db.execute("UPDATE journal SET amount = 1", []).is_err());
    assert!(db.execute("DELETE FROM journal", []).is_err());
    assert!(db.execute("UPDATE balances SET balance = -1", []).is_err(), "CHECK (balance >= 0)");
    fx.w.verify().unwrap();
}

// ---------------------------------------------------------------- backup and restore

#[test]
fn backup_restore_round_trip_and_refusals() {
    let mut fx = funded();
    let me = fx.w.id();
    fx.w.update_site(NEWS, &SiteChange { auto_pay: Some(true), ..Default::default() }).unwrap();
    let p = fx.w.pay(&offer(NEWS, 400_000), &approved()).unwrap();
    fx.w.record_settled(&p.payment_id, &settlement(&me, None)).unwrap();
    let file = fx.dir.path().join("wallet.backup");
    let pass = Passphrase::new("backup passphrase".into());
    assert!(matches!(fx.w.backup(&file, &Passphrase::new("short".into())), Err(Error::WeakPassphrase(_))));
    fx.w.backup(&file, &pass).unwrap();
    let raw = std::fs::read_to_string(&file).unwrap();
    assert!(!raw.contains("news.example"), "the backup is encrypted");

    // Into a fresh directory with an empty keystore.
    let target = tempfile::tempdir().unwrap();
    let fresh = target.path().join("restored");
    let ks2 = MemKeyStore::new();
    let mut w = Wallet::restore(&fresh, &file, &pass, ks2.as_ref()).unwrap();
    assert_eq!(w.id(), me);
    assert_eq!(w.balances().unwrap(), fx.w.balances().unwrap());
    assert_eq!(w.verify().unwrap(), fx.w.verify().unwrap());
    assert_eq!(w.sites().unwrap(), fx.w.sites().unwrap());
    assert_eq!(w.payment(&p.payment_id).unwrap().header, p.header);
    // The restored wallet reopens from its keystore; it pays only after a sync with its
    // issuer (ADR 22), and that hold outlives a reopen.
    w.set_clock(fx.clock.clone());
    let refused = w.pay(&offer("https://news.example/after", 100_000), &approved()).unwrap_err();
    assert_eq!(refused.code(), centime_core::ErrorCode::SyncRequired, "{refused}");
    drop(w);
    let mut w = Wallet::open(&fresh, ks2.as_ref()).unwrap();
    w.set_clock(fx.clock.clone());
    let refused = w.pay(&offer("https://news.example/after", 100_000), &approved()).unwrap_err();
    assert_eq!(refused.code(), centime_core::ErrorCode::SyncRequired, "{refused}");
    assert_eq!(balance_of(&w), 9_600_000);
    w.verify().unwrap();

    // A wrong passphrase or a damaged file: the current wallet in the target is untouched.
    let existing = Fx::new();
    let mut existing = existing;
    existing.topup(1_230_000);
    let before = existing.snapshot();
    let files_before = list(&existing.data_dir());
    let wrong = Wallet::restore(
        &existing.data_dir(),
        &file,
        &Passphrase::new("not the passphrase".into()),
        existing.ks.as_ref(),
    );
    assert!(matches!(wrong, Err(Error::WrongPassphrase(_))), "{wrong:?}");
    let nowhere = target.path().join("never-created");
    assert!(matches!(
        Wallet::restore(&nowhere, &file, &Passphrase::new("not the passphrase".into()), ks2.as_ref()),
        Err(Error::WrongPassphrase(_))
    ));
    assert!(!nowhere.exists());

    let damaged = target.path().join("damaged.backup");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("not JSON", b"{not json".to_vec()),
        ("empty", Vec::new()),
        ("truncated", raw.as_bytes()[..raw.len() / 2].to_vec()),
        ("other format", raw.replace("centime-backup", "centime-other").into_bytes()),
        ("fewer iterations", raw.replace("\"iterations\":600000", "\"iterations\":1000").into_bytes()),
    ];
    for (name, bytes) in cases {
        std::fs::write(&damaged, &bytes).unwrap();
        let r = Wallet::restore(&existing.data_dir(), &damaged, &pass, existing.ks.as_ref());
        assert!(matches!(r, Err(Error::BadBackup(_))), "{name}: {r:?}");
    }
    // A flipped ciphertext byte: AES-GCM cannot tell it from a wrong passphrase.
    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let ct = v["ciphertext"].as_str().unwrap();
    let flipped_ct = format!("{}{}", if ct.starts_with('A') { "B" } else { "A" }, &ct[1..]);
    std::fs::write(&damaged, raw.replace(ct, &flipped_ct)).unwrap();
    let r = Wallet::restore(&existing.data_dir(), &damaged, &pass, existing.ks.as_ref());
    assert!(matches!(r, Err(Error::WrongPassphrase(_) | Error::BadBackup(_))), "{r:?}");

    assert_eq!(existing.snapshot(), before);
    assert_eq!(list(&existing.data_dir()), files_before);
    existing.reopen();
    assert_eq!(existing.balance(), 1_230_000);
    existing.w.verify().unwrap();
}

fn list(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with("-shm") && !n.ends_with("-wal"))
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------- entry details, count, totals at scale

#[test]
fn entry_details_show_each_document_as_signed() {
    let mut fx = funded();
    let me = fx.w.id();
    let p = fx.w.pay(&offer(NEWS, 250_000), &approved()).unwrap();
    let good = receipt(&me, &p.payment_id, NEWS, 250_000, T0);
    fx.w.record_settled(&p.payment_id, &settlement(&me, Some(good.clone()))).unwrap();
    let q = fx.w.pay(&offer("https://blog.example/x", 100_000), &approved()).unwrap();
    fx.w.record_rejected(&q.payment_id, "sold out").unwrap();
    let ids = |kind: Kind| -> Vec<i64> {
        let f = HistoryFilter { kind: Some(kind), ..Default::default() };
        fx.w.history(&f, 10, None).unwrap().entries.iter().map(|e| e.id).collect()
    };
    let (payments, refunds, credits) = (ids(Kind::Payment), ids(Kind::Refund), ids(Kind::Credit));

    // The settled payment: its request, its authorization and the merchant's receipt.
    let d = fx.w.entry_details(payments[1]).unwrap();
    assert_eq!(d.entry.payment_id.as_deref(), Some(p.payment_id.as_str()));
    assert_eq!(d.events.iter().map(|e| <&str>::from(e.status)).collect::<Vec<_>>(), ["pending", "settled"]);
    let request: serde_json::Value = serde_json::from_str(d.request.as_deref().unwrap()).unwrap();
    assert_eq!(request["resource"]["url"], NEWS);
    let auth = d.authorization.unwrap();
    assert!(auth.signature_valid);
    let header = base64_json(&p.header);
    assert_eq!(auth.compact, header["payload"]["authorization"].as_str().unwrap(), "the JWS that was sent");
    let names: Vec<&str> = auth.claims.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names[..3], ["from", "to", "value"], "in the signed order");
    assert!(auth.claims.iter().any(|c| c.name == "from" && c.value == me.to_string()));
    assert!(auth.header.iter().any(|c| c.name == "typ" && c.value == "centime-authorization+jws"));
    let r = d.receipt.unwrap();
    assert_eq!(r.compact, good);
    assert!(r.signature_valid);
    assert!(r.claims.iter().any(|c| c.name == "paymentId" && c.value == p.payment_id.as_str()));
    assert!(d.refund.is_none() && d.credit_note.is_none());
    // The header rebuilt from storage is the one sent the first time.
    assert_eq!(fx.w.payment(&p.payment_id).unwrap().header, p.header);

    // The rejected payment names its refund, and the refund its payment.
    let d = fx.w.entry_details(payments[0]).unwrap();
    assert!(d.receipt.is_none());
    assert_eq!(
        d.events.last().map(|e| (<&str>::from(e.status), e.detail.as_deref())),
        Some(("rejected", Some("sold out")))
    );
    assert_eq!(d.refund.as_ref().map(|e| e.id), Some(refunds[0]));
    let d = fx.w.entry_details(refunds[0]).unwrap();
    assert_eq!(d.refund_of.map(|e| e.id), Some(payments[0]));
    assert!(d.authorization.is_none() && d.events.is_empty());

    // A top-up: its credit note.
    let d = fx.w.entry_details(credits[0]).unwrap();
    let note = d.credit_note.unwrap();
    assert!(note.signature_valid);
    assert!(note.claims.iter().any(|c| c.name == "sub" && c.value == me.to_string()));
    let json = serde_json::to_value(fx.w.entry_details(credits[0]).unwrap()).unwrap();
    assert!(json["entry"]["amount"].is_string() && json["creditNote"]["signatureValid"] == true, "{json}");

    assert!(matches!(fx.w.entry_details(999), Err(Error::UnknownEntry(999))));
}

fn base64_json(header: &str) -> serde_json::Value {
    use base64::Engine as _;
    serde_json::from_slice(&base64::engine::general_purpose::STANDARD.decode(header).unwrap()).unwrap()
}

#[test]
fn count_and_export_agree_with_pages_and_exports_can_be_cancelled() {
    let (fx, _) = history_fixture();
    for f in [
        HistoryFilter::default(),
        HistoryFilter { kind: Some(Kind::Refund), ..Default::default() },
        HistoryFilter { status: Some(EntryStatus::Pending), ..Default::default() },
        HistoryFilter { site: Some(NEWS.into()), ..Default::default() },
        HistoryFilter { search: Some("blog".into()), ..Default::default() },
    ] {
        let n = fx.w.count(&f).unwrap();
        assert_eq!(n, u64::try_from(count(&fx.w, f.clone())).unwrap(), "{f:?}");
        assert_eq!(fx.w.export(&f, ExportFormat::Csv, &mut std::io::sink(), &mut |_| true).unwrap(), n, "{f:?}");
    }
    // Breaking in the last progress call cancels (the only call on a small wallet).
    let mut out = Vec::new();
    let err =
        fx.w.export_with_progress(&HistoryFilter::default(), ExportFormat::Json, &mut out, &mut |_| {
            std::ops::ControlFlow::Break(())
        })
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert_eq!(err.code(), ErrorCode::Cancelled);
}

#[test]
fn totals_from_the_day_sums_equal_totals_from_the_journal() {
    let (mut fx, _) = history_fixture();
    fx.clock.set(T0 + 41 * DAY);
    fx.w.pay(&offer("https://blog.example/y", 70_000), &approved()).unwrap();
    let rows = |f: &HistoryFilter, g| -> Vec<(String, Option<String>, i64, i64)> {
        fx.w.totals(f, g).unwrap().into_iter().map(|t| (t.key, t.site, t.spent.get(), t.payments)).collect()
    };
    // Whole UTC months are answered by `spending_months`, whole days by `spending_days`, a time
    // of day by the journal; the same range each way gives the same sums, for every kind.
    let midnight = i64::try_from(T0 - T0 % DAY).unwrap();
    let march = centime_core::history::parse_time("2100-03-01").unwrap();
    // A text every payment and refund matches sends the same filter to the journal.
    let journal = |f: &HistoryFilter| HistoryFilter { search: Some("example".into()), ..f.clone() };
    let hour = 3_600;
    for kind in [None, Some(Kind::Payment), Some(Kind::Refund), Some(Kind::Credit)] {
        for (since, until) in [
            (midnight, march),
            (midnight, midnight + 41 * 86_400),
            (midnight - hour, midnight + 41 * 86_400 - 1),
            (midnight + hour, midnight + 41 * 86_400 + 13 * hour),
            (midnight + 11 * hour, midnight + 13 * hour),
            (midnight + 11 * hour, midnight + 86_400 + 13 * hour),
        ] {
            let f = HistoryFilter { since: Some(since), until: Some(until), kind, ..Default::default() };
            for g in [GroupBy::Site, GroupBy::Day, GroupBy::Month, GroupBy::MonthSite] {
                assert_eq!(rows(&f, g), rows(&journal(&f), g), "{kind:?} {since}..{until} {g:?}");
            }
        }
    }
    let refunds = HistoryFilter { kind: Some(Kind::Refund), ..Default::default() };
    assert_eq!(rows(&refunds, GroupBy::Site), vec![("https://blog.example".into(), None, -500_000, 0)]);
    assert_eq!(
        rows(&HistoryFilter::default(), GroupBy::MonthSite),
        vec![
            ("2100-01".into(), Some("https://blog.example".into()), 0, 1),
            ("2100-01".into(), Some("https://news.example".into()), 500_000, 2),
            ("2100-02".into(), Some("https://blog.example".into()), 70_000, 1),
            ("2100-02".into(), Some("https://news.example".into()), 1_000_000, 1),
        ]
    );
    // A status filter sums the journal rows it selects.
    let settled = HistoryFilter { status: Some(EntryStatus::Settled), ..Default::default() };
    assert_eq!(rows(&settled, GroupBy::Month), vec![("2100-02".into(), None, 1_000_000, 1)]);
    fx.w.verify().unwrap();
}

#[test]
fn verify_detects_edited_day_sums_and_stored_requests() {
    for sql in [
        "UPDATE spending_days SET paid = paid + 1",
        "UPDATE spending_days SET refunded = refunded + 1 WHERE refunded > 0",
        "DELETE FROM spending_days",
        "UPDATE spending_months SET payments = payments + 1",
        "DELETE FROM spending_months",
    ] {
        let (_, err) = tampered(sql);
        assert!(err.to_string().contains("spending total"), "{sql}: {err}");
    }
    // The authorization is stored compressed against the request: editing either shows.
    let (_, err) = tampered("UPDATE payments SET request = request || X'00' WHERE journal_id = 2");
    assert!(err.to_string().contains("stored authorization"), "{err}");
    let (_, err) = tampered(
        "UPDATE payments SET authorization = substr(authorization, 1, length(authorization) - 1) || X'00'
         WHERE journal_id = 2",
    );
    assert!(err.to_string().contains("stored authorization"), "{err}");
}

#[test]
fn verify_names_the_first_bad_receipt_among_thousands() {
    // verify checks receipts on every core, hundreds per worker at a time: a bad signature in
    // the middle of that work is still reported as its own payment, and the earliest one wins.
    use centime_core::seed::SeedOptions;
    let mut fx = Fx::new();
    let end = i64::try_from(T0).unwrap();
    fx.w.seed(&SeedOptions { entries: 4_000, sites: 12, seed: 11, months: 3, end, force: false }, &mut |_| {}).unwrap();
    fx.w.verify().unwrap();
    let db = fx.db();
    let with_receipts: Vec<(i64, String)> = db
        .prepare("SELECT journal_id, payment_id FROM payments WHERE receipt IS NOT NULL ORDER BY rowid")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(with_receipts.len() > 1_500, "{}", with_receipts.len());
    db.execute_batch("DROP TRIGGER payments_receipt_once").unwrap();
    // A receipt whose signature is changed in one character, stored as text (as received).
    let break_receipt = |k: usize| {
        let (journal_id, payment_id) = &with_receipts[k];
        let compact = fx.w.entry_details(*journal_id).unwrap().receipt.unwrap().compact;
        let (signed, signature) = compact.rsplit_once('.').unwrap();
        let mut signature = signature.to_owned().into_bytes();
        let middle = signature.len() / 2;
        signature[middle] = if signature[middle] == b'A' { b'B' } else { b'A' };
        let bad = format!("{signed}.{}", String::from_utf8(signature).unwrap());
        db.execute("UPDATE payments SET receipt = ?1 WHERE journal_id = ?2", rusqlite::params![bad, journal_id])
            .unwrap();
        payment_id.clone()
    };
    let later = break_receipt(1_400);
    let err = fx.w.verify().unwrap_err();
    assert_eq!(err.to_string(), format!("integrity check failed: payment {later}: its stored receipt does not verify"));
    let first = break_receipt(1_000);
    break_receipt(1_001);
    let err = fx.w.verify().unwrap_err();
    assert!(matches!(err, Error::Integrity(_)), "{err:?}");
    assert_eq!(err.to_string(), format!("integrity check failed: payment {first}: its stored receipt does not verify"));
}

#[test]
fn a_seeded_wallet_is_real_and_verifies() {
    use centime_core::seed::{SEED_NETWORK, SeedOptions};
    let mut fx = Fx::new();
    let end = i64::try_from(T0).unwrap();
    let opts = SeedOptions { entries: 2_500, sites: 12, seed: 7, months: 3, end, force: false };
    let mut calls = Vec::new();
    let report = fx.w.seed(&opts, &mut |n| calls.push(n)).unwrap();
    assert_eq!(report.entries, 2_500);
    assert_eq!(calls.last(), Some(&2_500));
    assert_eq!(report.credits + report.payments + report.refunds, 2_500);
    assert_eq!(report.settled + report.rejected + report.unconfirmed, report.payments);
    assert_eq!(report.refunds, report.rejected);
    assert!(report.rejected > 0 && report.unconfirmed > 0 && report.credits > 0, "{report:?}");
    // Everything the wallet would check of its own rows holds.
    let v = fx.w.verify().unwrap();
    assert_eq!(v.journal_rows, 2_500);
    assert_ne!(fx.w.issuers().unwrap().iter().find(|i| i.network.as_str() == SEED_NETWORK), None);
    assert_eq!(fx.w.count(&HistoryFilter::default()).unwrap(), 2_500);
    let spent: i64 =
        fx.w.totals(&HistoryFilter::default(), GroupBy::Month).unwrap().iter().map(|t| t.spent.get()).sum();
    let by_site: i64 =
        fx.w.totals(&HistoryFilter::default(), GroupBy::MonthSite).unwrap().iter().map(|t| t.spent.get()).sum();
    assert_eq!(spent, by_site);
    let balance: i64 =
        fx.w.balances().unwrap().iter().filter(|b| b.network == SEED_NETWORK).map(|b| b.amount.get()).sum();
    let credited = i64::try_from(report.credits).unwrap() * 50_000_000;
    assert_eq!(balance, credited - spent, "balance = top-ups - net spending");
    // Real documents: a settled payment's receipt and authorization verify.
    let settled = HistoryFilter { status: Some(EntryStatus::Settled), ..Default::default() };
    let page = fx.w.history(&settled, 50, None).unwrap();
    let with_receipt = page
        .entries
        .iter()
        .map(|e| fx.w.entry_details(e.id).unwrap())
        .find(|d| d.receipt.is_some())
        .expect("a settled payment with a receipt");
    assert!(with_receipt.authorization.unwrap().signature_valid);
    assert!(with_receipt.receipt.unwrap().signature_valid);
    // A wallet with entries is not seeded again unless asked.
    let err = fx.w.seed(&opts, &mut |_| {}).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(ref m) if m.contains("--force")), "{err:?}");
    let more = fx.w.seed(&SeedOptions { entries: 100, force: true, ..opts }, &mut |_| {}).unwrap();
    assert_eq!(more.entries, 100);
    assert_eq!(fx.w.verify().unwrap().journal_rows, 2_600);
    // And it still pays for real afterwards.
    fx.reopen();
    fx.w.verify().unwrap();
}
