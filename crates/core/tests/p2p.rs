//! Wallets paying wallets, in the core: contacts, requests and their rules, transfers and
//! their receipt, with real SQLite and the real documents (the issuer's credit note signed by
//! the test issuer's key, as `/issuer/redemptions` would sign it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use centime_core::policy::{Decision, ReasonCode};
use centime_core::{ContactRule, Error, Kind, TransferStatus};
use centime_protocol::Micros;
use centime_protocol::p2p::transfer_credit_id;
use common::*;

/// The credit note the issuer signs when `to` redeems transfer `t`.
fn redeemed(to: &centime_core::Wallet, t: &centime_core::Transfer, at: u64) -> String {
    credit_note(&to.id(), &transfer_credit_id(&t.payment_id), t.amount.micros.get(), at)
}

fn asset() -> centime_protocol::Asset {
    centime_protocol::Asset::EUR
}

#[test]
fn contacts_are_unique_sealed_and_named_in_requests() {
    let mut a = Fx::new();
    let b = Fx::new();
    let c = a.w.add_contact("Bob", &b.w.id()).unwrap();
    assert_eq!(c.rule, None);
    assert!(matches!(a.w.add_contact("bob", &Fx::new().w.id()), Err(Error::ContactExists(_))), "case-insensitive");
    assert!(matches!(a.w.add_contact("Robert", &b.w.id()), Err(Error::ContactExists(_))), "one name per key");
    assert!(matches!(a.w.add_contact("Me", &a.w.id()), Err(Error::InvalidArgument(_))));
    assert!(matches!(a.w.add_contact("", &Fx::new().w.id()), Err(Error::InvalidArgument(_))));
    assert_eq!(a.w.contacts().unwrap().len(), 1);
    assert_eq!(a.w.contact("BOB").unwrap().wallet_id, b.w.id());
    assert_eq!(a.w.contact(&b.w.id().to_string()).unwrap().name, "Bob");
    a.w.verify().unwrap();

    // A key swapped under the name outside Centime is refused before anything is paid by it.
    let other = Fx::new();
    a.db().execute("UPDATE contacts SET wallet_key = ?1", [other.w.id().to_string()]).unwrap();
    assert!(matches!(a.w.contact_name(&other.w.id()), Err(Error::Integrity(_))));
    assert!(matches!(a.w.verify(), Err(Error::Integrity(_))));
    a.db().execute("UPDATE contacts SET wallet_key = ?1", [b.w.id().to_string()]).unwrap();
    a.w.verify().unwrap();

    // Removed outside Centime: the set's seal no longer holds.
    let mut z = Fx::new();
    z.w.add_contact("Bob", &b.w.id()).unwrap();
    z.db().execute("DELETE FROM contacts", []).unwrap();
    assert!(matches!(z.w.contacts(), Err(Error::Integrity(_))));

    a.w.remove_contact("bob").unwrap();
    assert!(a.w.contacts().unwrap().is_empty());
    assert!(matches!(a.w.remove_contact("bob"), Err(Error::UnknownContact(_))));
    a.w.verify().unwrap();
}

#[test]
fn a_request_is_paid_once_and_received_once() {
    let mut payer = Fx::new();
    let mut requester = Fx::new();
    payer.topup(10_000_000);
    let made = requester.w.make_request(&network(), Micros::from_micros(3_000_000), asset(), "Dinner", None).unwrap();
    assert!(made.link.starts_with("centime://pay?request="));

    let view = payer.w.open_request(&made.link).unwrap();
    assert_eq!(view.amount, eur(3_000_000));
    assert_eq!(view.purpose, "Dinner");
    assert_eq!(view.contact_name, None);
    assert_eq!(view.paid, None);
    // No contact rule: asked, and not paid without approval.
    assert!(matches!(&view.decision, Decision::Ask(r) if r.code == ReasonCode::NoRule));
    let before = payer.snapshot();
    assert!(matches!(payer.w.pay_request(&view, false), Err(Error::NeedsApproval(_))));
    assert_eq!(payer.snapshot(), before, "a refused payment changes nothing");

    let t = payer.w.pay_request(&view, true).unwrap();
    assert_eq!(payer.balance(), 7_000_000);
    assert!(!t.reused);
    assert_eq!(t.request_id.as_ref(), Some(&made.request_id));
    // Paid twice pays once: the same transfer again, no second debit.
    let again = payer.w.pay_request(&payer.w.open_request(&made.jws).unwrap(), true).unwrap();
    assert!(again.reused);
    assert_eq!((again.payment_id.clone(), again.transfer_jws.clone()), (t.payment_id.clone(), t.transfer_jws.clone()));
    assert_eq!(payer.balance(), 7_000_000);
    assert_eq!(payer.w.open_request(&made.link).unwrap().paid, Some(t.payment_id.clone()));

    // The requester credits it with the issuer's note, once.
    let note = redeemed(&requester.w, &t, requester.now());
    let r = requester.w.receive(&t.transfer_jws, &note).unwrap();
    assert_eq!(r.amount, eur(3_000_000));
    assert_eq!(r.request_id.as_ref(), Some(&made.request_id));
    assert_eq!(requester.balance(), 3_000_000);
    let before = requester.snapshot();
    assert!(matches!(requester.w.receive(&t.transfer_jws, &note), Err(Error::AlreadyReceived(_))));
    assert_eq!(requester.snapshot(), before);
    let mine = requester.w.my_requests().unwrap();
    assert_eq!(mine[0].1.as_ref(), Some(&t.payment_id));

    // The history shows both sides with their kinds.
    let kinds = |f: &Fx| -> Vec<Kind> {
        f.w.history(&Default::default(), 100, None).unwrap().entries.iter().map(|e| e.kind).collect()
    };
    assert!(kinds(&payer).contains(&Kind::TransferOut));
    assert!(kinds(&requester).contains(&Kind::TransferIn));
    payer.w.verify().unwrap();
    requester.w.verify().unwrap();
}

#[test]
fn a_contact_rule_pays_within_its_limits_and_asks_beyond() {
    let mut payer = Fx::new();
    let mut requester = Fx::new();
    payer.topup(10_000_000);
    payer.w.add_contact("Alice", &requester.w.id()).unwrap();
    let rule =
        ContactRule { max_per_request: Micros::from_micros(2_000_000), monthly_cap: Micros::from_micros(3_000_000) };
    payer.w.set_contact_rule("alice", Some(rule)).unwrap();

    let small = requester.w.make_request(&network(), Micros::from_micros(1_500_000), asset(), "Coffee", None).unwrap();
    let view = payer.w.open_request(&small.link).unwrap();
    assert_eq!(view.contact_name.as_deref(), Some("Alice"));
    assert_eq!(view.decision, Decision::AutoPay);
    let t = payer.w.pay_request(&view, false).unwrap();
    assert!(t.automatic);

    let big = requester.w.make_request(&network(), Micros::from_micros(2_500_000), asset(), "Cinema", None).unwrap();
    let view = payer.w.open_request(&big.link).unwrap();
    assert!(matches!(&view.decision, Decision::Ask(r) if r.code == ReasonCode::OverSiteMax));
    // Within the maximum but over the month's cap (1.50 paid, 2.00 more > 3.00).
    let second = requester.w.make_request(&network(), Micros::from_micros(2_000_000), asset(), "Taxi", None).unwrap();
    let view = payer.w.open_request(&second.link).unwrap();
    assert!(matches!(&view.decision, Decision::Ask(r) if r.code == ReasonCode::OverSiteBudget));
    assert!(matches!(payer.w.pay_request(&view, false), Err(Error::NeedsApproval(_))));
    assert_eq!(payer.balance(), 8_500_000);
    payer.w.verify().unwrap();
}

#[test]
fn a_transfer_is_debited_before_it_leaves_and_refused_where_it_does_not_belong() {
    let mut sender = Fx::new();
    let mut recipient = Fx::new();
    let mut stranger = Fx::new();
    sender.topup(5_000_000);

    // Not enough money: refused, nothing written.
    let before = sender.snapshot();
    let e = sender.w.make_transfer(&recipient.w.id(), Micros::from_micros(6_000_000), asset(), &network(), None);
    assert!(matches!(e, Err(Error::InsufficientFunds { .. })), "{e:?}");
    assert_eq!(sender.snapshot(), before);

    let t = sender
        .w
        .make_transfer(&recipient.w.id(), Micros::from_micros(2_500_000), asset(), &network(), Some("merci"))
        .unwrap();
    assert_eq!(sender.balance(), 2_500_000);
    assert_eq!(t.status, TransferStatus::Pending);
    assert_eq!(sender.w.transfer(&t.payment_id).unwrap().transfer_jws, t.transfer_jws);

    // Someone else cannot credit it, even with a note made out to them.
    let note = redeemed(&stranger.w, &t, stranger.now());
    assert!(matches!(stranger.w.receive(&t.transfer_jws, &note), Err(Error::TransferRefused(_))));
    // A note of another amount or id is not this transfer's.
    let wrong = credit_note(&recipient.w.id(), &transfer_credit_id(&t.payment_id), 9_000_000, recipient.now());
    assert!(matches!(recipient.w.receive(&t.transfer_jws, &wrong), Err(Error::CreditRefused(_))));
    let before = recipient.snapshot();
    assert_eq!(recipient.balance(), 0);
    let r = recipient.w.receive(&t.transfer_jws, &redeemed(&recipient.w, &t, recipient.now())).unwrap();
    assert_eq!(r.note.as_deref(), Some("merci"));
    assert_eq!(recipient.balance(), 2_500_000);
    assert_ne!(recipient.snapshot(), before);

    // The stored transfer cannot be edited behind verify's back.
    sender.w.verify().unwrap();
    // (An attacker with the file drops the trigger that keeps the documents fixed.)
    sender
        .db()
        .execute_batch(&format!(
            "DROP TRIGGER transfers_documents_fixed; UPDATE transfers SET recipient = '{}'",
            stranger.w.id()
        ))
        .unwrap();
    assert!(matches!(sender.w.verify(), Err(Error::Integrity(_))));
    recipient.w.verify().unwrap();
    stranger.w.verify().unwrap();
}
