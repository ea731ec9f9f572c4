//! Property test: whatever the sequence of top-ups, payments, retries, merchant answers and
//! restarts, every balance is the sum of its journal, never negative, and each payment id is
//! debited exactly once.

// Helpers outside #[test] functions unwrap too: a panic is a failed assertion here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;

use centime_core::{Error, LimitsChange, PayOptions, Status};
use centime_protocol::{Micros, PaymentId, PaymentRequired};
use common::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Topup(i64),
    /// A new approved payment on one of a few sites; `own_id` lets the caller choose the id.
    Pay {
        site: u8,
        micros: i64,
        own_id: bool,
        /// Paid two hours ago with a one-minute window, so that a restart finds it stale.
        old: bool,
    },
    /// The same payment id again, with the same request.
    Retry(usize),
    /// The same payment id with another request.
    Conflict(usize),
    Reject(usize),
    Settle(usize),
    Unconfirmed(usize),
    /// A top-up note redeemed a second time.
    Replay(usize),
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1i64..=5_000_000).prop_map(Op::Topup),
        5 => (0u8..4, 1i64..=3_000_000, any::<bool>(), proptest::bool::weighted(0.2))
            .prop_map(|(site, micros, own_id, old)| Op::Pay { site, micros, own_id, old }),
        2 => any::<usize>().prop_map(Op::Retry),
        1 => any::<usize>().prop_map(Op::Conflict),
        2 => any::<usize>().prop_map(Op::Reject),
        2 => any::<usize>().prop_map(Op::Settle),
        1 => any::<usize>().prop_map(Op::Unconfirmed),
        1 => any::<usize>().prop_map(Op::Replay),
        1 => Just(Op::Restart),
    ]
}

#[derive(Debug)]
struct Paid {
    id: PaymentId,
    req: PaymentRequired,
    header: String,
    micros: i64,
    status: Status,
    stale: bool,
}

fn pick<T>(v: &[T], i: usize) -> Option<&T> {
    if v.is_empty() { None } else { v.get(i % v.len()) }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut fx = Fx::new();
    // Rules would refuse some sequences (daily cap); lift them so that payments happen.
    fx.w.update_limits(&LimitsChange {
        daily_cap: Some(Micros::from_micros(1_000_000_000)),
        max_per_payment: Some(Micros::from_micros(10_000_000)),
        ..Default::default()
    })
    .unwrap();
    let mut balance = 0i64;
    // Refunds of refused payments whose authorization could still be settled (ADR 16): part
    // of the balance, not spendable. At T0 a refund is held unless its payment was signed long
    // ago (`old`); at that long-ago time, while an old payment is made, every refund is.
    let mut held = 0i64;
    let mut held_stale = 0i64;
    let mut paid: Vec<Paid> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut counter = 0u32;
    let real_now = {
        use centime_protocol::Clock as _;
        centime_protocol::SystemClock.now()
    };
    assert!(real_now + 7200 < T0, "the fixture's clock must be ahead of the real one");

    for op in ops {
        match op {
            Op::Topup(micros) => {
                let id = fx.fresh_credit_id();
                let note = credit_note(&fx.w.id(), &id, micros, fx.now());
                let t = fx.w.topup(&note).unwrap();
                balance += micros;
                prop_assert_eq!(t.balance.get(), balance);
                notes.push(note);
            }
            Op::Pay { site, micros, own_id, old } => {
                counter += 1;
                let req = offer(&format!("https://site{site}.example/item/{counter}"), micros);
                let chosen = own_id.then(|| format!("pay_prop_{counter:012}").parse::<PaymentId>().unwrap());
                let opts = PayOptions { approved: true, payment_id: chosen.clone(), ..Default::default() };
                if old {
                    fx.clock.set(real_now - 7200);
                }
                let r = fx.w.pay(&req, &opts);
                fx.clock.set(T0);
                let held = if old { held + held_stale } else { held };
                match r {
                    Ok(p) => {
                        prop_assert!(micros <= balance - held, "paid {micros} with {balance}, {held} of it held");
                        prop_assert!(!p.reused);
                        if let Some(c) = chosen {
                            prop_assert_eq!(&p.payment_id, &c);
                        }
                        balance -= micros;
                        paid.push(Paid {
                            id: p.payment_id,
                            req,
                            header: p.header,
                            micros,
                            status: Status::Pending,
                            stale: old,
                        });
                    }
                    Err(Error::InsufficientFunds { .. }) => prop_assert!(micros > balance - held),
                    Err(e) => return Err(TestCaseError::fail(format!("pay: {e:?}"))),
                }
            }
            Op::Retry(i) => {
                if let Some(p) = pick(&paid, i) {
                    let opts = PayOptions { payment_id: Some(p.id.clone()), ..Default::default() };
                    let again = fx.w.pay(&p.req, &opts).unwrap();
                    prop_assert!(again.reused);
                    prop_assert_eq!(&again.header, &p.header);
                }
            }
            Op::Conflict(i) => {
                if let Some(p) = pick(&paid, i) {
                    let other = offer("https://other.example/x", p.micros);
                    let opts = PayOptions { approved: true, payment_id: Some(p.id.clone()), ..Default::default() };
                    let r = fx.w.pay(&other, &opts);
                    prop_assert!(matches!(r, Err(Error::PaymentIdConflict(_))), "{:?}", r);
                }
            }
            Op::Reject(i) => {
                let n = paid.len();
                if n > 0 {
                    let p = &mut paid[i % n];
                    let r = fx.w.record_rejected(&p.id, "refused by the merchant");
                    match p.status {
                        Status::Pending | Status::Unconfirmed => {
                            prop_assert_eq!(r.unwrap(), Status::Rejected);
                            balance += p.micros;
                            if p.stale {
                                held_stale += p.micros;
                            } else {
                                held += p.micros;
                            }
                            p.status = Status::Rejected;
                        }
                        Status::Rejected => prop_assert_eq!(r.unwrap(), Status::Rejected),
                        Status::Settled => prop_assert!(matches!(r, Err(Error::BadTransition { .. })), "{:?}", r),
                    }
                }
            }
            Op::Settle(i) => {
                let n = paid.len();
                if n > 0 {
                    let me = fx.w.id();
                    let p = &mut paid[i % n];
                    let url = p.req.resource.url.clone();
                    let r = fx.w.record_settled(&p.id, &settlement(&me, Some(receipt(&me, &p.id, &url, p.micros, T0))));
                    match p.status {
                        Status::Rejected => prop_assert!(matches!(r, Err(Error::BadTransition { .. })), "{:?}", r),
                        _ => {
                            prop_assert_eq!(r.unwrap(), Status::Settled);
                            p.status = Status::Settled;
                        }
                    }
                }
            }
            Op::Unconfirmed(i) => {
                let n = paid.len();
                if n > 0 {
                    let p = &mut paid[i % n];
                    let s = fx.w.mark_unconfirmed(&p.id, "no answer").unwrap();
                    if p.status == Status::Pending {
                        p.status = Status::Unconfirmed;
                    }
                    prop_assert_eq!(s, p.status);
                }
            }
            Op::Replay(i) => {
                if let Some(note) = pick(&notes, i) {
                    let r = fx.w.topup(note);
                    prop_assert!(matches!(r, Err(Error::AlreadyRedeemed(_))), "{:?}", r);
                }
            }
            Op::Restart => {
                fx.reopen();
                // A restart turns pending payments whose window has passed into unconfirmed
                // (checked against the database below), and refunds nothing.
                for p in &mut paid {
                    if p.status == Status::Pending && p.stale {
                        p.status = Status::Unconfirmed;
                    }
                }
            }
        }

        // After every operation.
        prop_assert_eq!(fx.balance(), balance);
        let shown_held: i64 = fx.w.balances().unwrap().iter().map(|b| b.held.get()).sum();
        prop_assert_eq!(shown_held, held);
        prop_assert!(balance >= 0);
        fx.w.verify().map_err(|e| TestCaseError::fail(format!("verify: {e}")))?;
        assert_ledger_consistent(&fx.data_dir());
        let db = fx.db();
        let debits: i64 =
            db.query_row("SELECT COUNT(*) FROM journal WHERE kind = 'payment'", [], |r| r.get(0)).unwrap();
        prop_assert_eq!(debits, i64::try_from(paid.len()).unwrap());
        let refunds: i64 =
            db.query_row("SELECT COUNT(*) FROM journal WHERE kind = 'refund'", [], |r| r.get(0)).unwrap();
        let rejected = paid.iter().filter(|p| p.status == Status::Rejected).count();
        prop_assert_eq!(refunds, i64::try_from(rejected).unwrap());
        let statuses: HashMap<String, String> = {
            let mut s = db.prepare("SELECT payment_id, status FROM payments").unwrap();
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap()
        };
        for p in &paid {
            prop_assert_eq!(statuses.get(p.id.as_str()).map(String::as_str), Some(<&str>::from(p.status)));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn ledger_stays_consistent(ops in proptest::collection::vec(op(), 1..=30)) {
        run(ops)?;
    }
}
