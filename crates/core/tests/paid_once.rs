//! The attacks issue's money rules in the core: what is already paid is never paid again,
//! approval pays exactly the offer shown, and refunds a merchant may still settle are held.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use centime_core::{Error, PayOptions, Status};
use centime_protocol::PaymentRequired;
use centime_protocol::wire::PaymentRequirements;
use common::*;

const PAGE: &str = "https://news.example/articles/1";

fn approved() -> PayOptions {
    PayOptions { approved: true, ..PayOptions::default() }
}

fn funded(micros: i64) -> Fx {
    let mut fx = Fx::new();
    fx.topup(micros);
    fx
}

/// A 402 whose offer grants `entitlement` seconds of reading (a priced page, not an API call).
fn page(url: &str, micros: i64, entitlement: Option<u64>) -> PaymentRequired {
    let mut r = offer(url, micros);
    r.accepts = vec![PaymentRequirements::centime(&network(), PAY_TO, eur(micros), 60, "News", entitlement).unwrap()];
    r
}

fn settle(fx: &mut Fx, p: &centime_core::Payment, micros: i64) {
    let me = fx.w.id();
    let r = receipt(&me, &p.payment_id, &p.resource, micros, fx.now());
    assert_eq!(fx.w.record_settled(&p.payment_id, &settlement(&me, Some(r))).unwrap(), Status::Settled);
}

#[test]
fn a_page_inside_its_entitlement_is_read_with_the_first_payment() {
    let mut fx = funded(1_000_000);
    let req = page(PAGE, 100_000, Some(3_600));
    let first = fx.w.pay(&req, &approved()).unwrap();
    assert!(!first.reused);
    settle(&mut fx, &first, 100_000);
    // Three more asks (a link fired three times, a batch, a fetch): one debit.
    for _ in 0..3 {
        let again = fx.w.pay(&req, &approved()).unwrap();
        assert!(again.reused, "paid twice for a page already paid");
        assert_eq!(again.payment_id, first.payment_id);
        assert_eq!(again.header, first.header);
    }
    assert_eq!(fx.balance(), 900_000);
    assert_eq!(fx.w.already_paid(PAGE).unwrap().unwrap().payment_id, first.payment_id);
    // Once the entitlement has run out, the page is paid again.
    fx.clock.set(fx.now() + 3_601);
    assert!(fx.w.already_paid(PAGE).unwrap().is_none());
    let later = fx.w.pay(&req, &approved()).unwrap();
    assert!(!later.reused);
    assert_eq!(fx.balance(), 800_000);
    fx.w.verify().unwrap();
}

#[test]
fn a_page_whose_payment_is_still_in_flight_is_not_paid_again() {
    let mut fx = funded(1_000_000);
    let req = page(PAGE, 100_000, Some(3_600));
    let first = fx.w.pay(&req, &approved()).unwrap();
    // Pending (being delivered), then unconfirmed (the answer was lost): the same payment.
    assert_eq!(fx.w.pay(&req, &approved()).unwrap().payment_id, first.payment_id);
    fx.w.mark_unconfirmed(&first.payment_id, "timeout").unwrap();
    assert_eq!(fx.w.pay(&req, &approved()).unwrap().payment_id, first.payment_id);
    assert_eq!(fx.balance(), 900_000);
    // A refused payment pays nothing: the page may be paid anew.
    fx.w.record_rejected(&first.payment_id, "amount_too_low").unwrap();
    assert!(fx.w.already_paid(PAGE).unwrap().is_none());
}

#[test]
fn a_resource_without_entitlement_is_paid_every_time() {
    // An API call priced per call: each ask is a new payment.
    let mut fx = funded(1_000_000);
    let req = page("https://api.example/v1/quote", 10_000, None);
    let a = fx.w.pay(&req, &approved()).unwrap();
    settle(&mut fx, &a, 10_000);
    let b = fx.w.pay(&req, &approved()).unwrap();
    assert_ne!(a.payment_id, b.payment_id);
    assert_eq!(fx.balance(), 980_000);
}

/// Two offers: the first pricier, in another currency the wallet lacks at first.
fn two_offers() -> PaymentRequired {
    let mut r = offer(PAGE, 100_000);
    let dear = PaymentRequirements::centime(&network(), "merchant-dear", eur(400_000), 60, "News", None).unwrap();
    let cheap = PaymentRequirements::centime(&network(), PAY_TO, eur(100_000), 60, "News", None).unwrap();
    r.accepts = vec![dear, cheap];
    r
}

#[test]
fn approval_pays_the_offer_shown_even_after_a_topup_made_another_payable() {
    let mut fx = funded(200_000);
    let req = two_offers();
    let q = fx.w.quote(&req).unwrap();
    assert_eq!(q.approval.offer, 1, "only the cheap offer is affordable");
    assert_eq!(q.amount, eur(100_000));
    // A top-up lands while the prompt is open: the dear offer is now the first payable.
    fx.topup(1_000_000);
    let p =
        fx.w.pay(&req, &PayOptions { approved: true, approval: Some(q.approval.clone()), ..Default::default() })
            .unwrap();
    assert_eq!(p.amount, eur(100_000));
    assert_eq!(p.pay_to, PAY_TO);
    assert_eq!(fx.balance(), 1_100_000);
}

#[test]
fn approval_refuses_changed_terms_and_changes_nothing() {
    let mut fx = funded(1_000_000);
    let req = offer(PAGE, 100_000);
    let q = fx.w.quote(&req).unwrap();
    let with = |a: centime_core::Approval| PayOptions { approved: true, approval: Some(a), ..Default::default() };
    let changed: Vec<(&str, PaymentRequired)> = vec![
        ("price", offer(PAGE, 200_000)),
        ("page", offer("https://news.example/articles/2", 100_000)),
        ("payTo", {
            let mut r = offer(PAGE, 100_000);
            r.accepts[0].pay_to = "someone-else".into();
            r
        }),
        ("window", offer_with(PAGE, 100_000, 120)),
        ("offer gone", {
            let mut r = offer(PAGE, 100_000);
            r.accepts.clear();
            r
        }),
    ];
    for (what, req2) in changed {
        let before = fx.snapshot();
        let err = fx.w.pay(&req2, &with(q.approval.clone())).expect_err(what);
        assert!(matches!(err, Error::QuoteChanged(_) | Error::BadRequest(_)), "{what}: {err:?}");
        assert_eq!(fx.snapshot(), before, "{what}: the database changed");
    }
    // The network is pinned too.
    let mut a = q.approval.clone();
    a.network = "centime:other".parse().unwrap();
    assert!(matches!(fx.w.pay(&req, &with(a)), Err(Error::QuoteChanged(_))));
    // Unchanged terms pay.
    fx.w.pay(&req, &with(q.approval)).unwrap();
    assert_eq!(fx.balance(), 900_000);
}

#[test]
fn a_refund_is_held_until_the_refused_authorization_expires() {
    let mut fx = funded(100_000);
    let req = offer(PAGE, 100_000); // a 60 s window
    let p = fx.w.pay(&req, &approved()).unwrap();
    fx.w.record_rejected(&p.payment_id, "amount_too_low").unwrap();
    // Credited back, but held: the merchant could still settle it until validBefore + skew.
    let b = fx.w.balances().unwrap().into_iter().find(|b| b.network == NETWORK).unwrap();
    assert_eq!(b.amount.get(), 100_000);
    assert_eq!(b.held.get(), 100_000);
    let until = b.held_until.unwrap();
    assert_eq!(until, i64::try_from(fx.now()).unwrap() + 60 + centime_core::HOLD_SKEW_SECONDS);
    let other = offer("https://news.example/articles/2", 100_000);
    let err = fx.w.pay(&other, &approved()).expect_err("spent a held refund");
    assert!(
        matches!(&err, Error::InsufficientFunds { available, held: Some((held, at)), .. }
            if available.get() == 0 && held.get() == 100_000 && *at == until),
        "{err:?}"
    );
    assert!(err.to_string().contains("held until"), "{err}");
    // The prompt shows what can be spent, and what is held.
    fx.topup(50_000);
    let q = fx.w.quote(&offer("https://news.example/articles/3", 10_000)).unwrap();
    assert_eq!(q.balance.get(), 50_000);
    assert_eq!(q.balance_after.get(), 40_000);
    assert_eq!(q.held.get(), 100_000);
    // Once it can no longer be settled, it is spendable.
    fx.clock.set(u64::try_from(until).unwrap());
    let b = fx.w.balances().unwrap().into_iter().find(|b| b.network == NETWORK).unwrap();
    assert_eq!(b.held.get(), 0);
    assert_eq!(b.held_until, None);
    fx.w.pay(&other, &approved()).unwrap();
    assert_eq!(fx.balance(), 50_000);
    fx.w.verify().unwrap();
}
