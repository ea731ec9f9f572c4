//! The issuer's suite on its PostgreSQL ledger, on the throwaway server of scripts/with-postgres.sh
//! (`make issuer-postgres`). Without it every test fails and says so.

#[macro_use]
mod suite;

use suite::Backend;

backend_suite!(
    Backend::Postgres,
    bodies::{
    a_batch_settles_and_the_same_batch_again_gets_the_same_answer,
    another_merchants_authorization_is_refused,
    forged_or_unsigned_requests_are_refused_and_change_nothing,
    past_the_deadline_is_refused,
    a_fork_is_proven_kept_and_revokes_the_key,
    overdrawn_is_refused_and_revokes_the_key,
    payment_ids_and_nonces_are_unique_across_merchants,
    the_statement_is_for_the_keys_owner_only,
    merchant_certificates_say_what_was_registered,
    concurrent_merchants_settle_each_authorization_exactly_once,
    the_items_of_one_batch_see_the_ones_before_them,
    a_payment_id_raced_by_two_wallets_is_settled_once,
    },
    wallets::{
        an_honest_restore_recovers_every_payment_at_sync,
        the_double_spend_drama,
        refused_but_settled_is_reversed_and_flagged,
        bad_statements_change_nothing,
    },
    transfers::{
        a_paid_request_moves_the_money_once_it_is_redeemed,
        a_transfer_redeemed_twice_or_by_another_is_refused,
        a_request_paid_twice_pays_once,
        an_expired_transfer_is_refused_at_redemption,
        an_overdrawn_transfer_is_refused_and_credits_nothing,
        bad_transfers_and_requests_are_refused,
    },
);

/// Another issuer process settles a `paymentId` while this one's batch, of another wallet, is
/// deciding it: the batch's write meets the other's uncommitted row at the unique index, waits,
/// loses, and the whole batch is decided again, now refusing that item and settling the rest.
#[test]
fn a_batch_that_loses_a_payment_id_to_a_concurrent_commit_is_decided_again() {
    use centime_protocol::jws::{RingSigner, Signer as _};
    use centime_protocol::settlement::{RefusalCode, SettlementOutcome, open_authorization};
    use std::time::{Duration, Instant};

    let h = std::sync::Arc::new(suite::Harness::start(Backend::Postgres));
    let shop = h.merchant(10, "shop-a");
    let (w1, w2) = (RingSigner::from_seed(&[1; 32]).unwrap(), RingSigner::from_seed(&[2; 32]).unwrap());
    h.credit(&w1, "1.00");
    h.credit(&w2, "1.00");
    let theirs = h.authorization(&w1, "shop-a", 100_000, 1, 300);
    let c = open_authorization(&theirs).unwrap();
    let mut taken = open_authorization(&h.authorization(&w2, "shop-a", 200_000, 2, 300)).unwrap();
    taken.payment_id = c.payment_id.clone();
    let batch =
        vec![h.authorization(&w2, "shop-a", 300_000, 1, 300), centime_protocol::documents::sign(&w2, &taken).unwrap()];

    // The other process: w1's settlement of the id, as the issuer writes it, left uncommitted.
    let mut other = postgres::Client::connect(&h.database, postgres::NoTls).unwrap();
    let mut tx = other.transaction().unwrap();
    let w1_key = w1.public_key().to_string();
    let now = i64::try_from(h.now()).unwrap();
    tx.execute("SELECT 1 FROM wallets WHERE key = $1 FOR UPDATE", &[&w1_key]).unwrap();
    tx.execute(
        "INSERT INTO settlements (payment_id, digest, wallet, nonce, seq, pay_to, micros, asset, value,
             asset_scale, resource, valid_before, settled_at, authorization_jws)
         VALUES ($1, $2, $3, $4, 1, $5, 100000, 'EUR', $6, $7, $8, $9, $10, $11)",
        &[
            &c.payment_id.to_string(),
            &centime_protocol::verify::authorization_digest(&theirs).as_slice(),
            &w1_key,
            &c.nonce,
            &c.to,
            &c.value,
            &i16::from(c.asset_scale),
            &c.resource,
            &i64::try_from(c.valid_before).unwrap(),
            &now,
            &theirs,
        ],
    )
    .unwrap();
    tx.execute("UPDATE balances SET spent = spent + 100000 WHERE wallet = $1 AND asset = 'EUR'", &[&w1_key]).unwrap();

    let settling = {
        let (h, batch) = (h.clone(), batch.clone());
        std::thread::spawn(move || h.settle(&shop, &batch))
    };
    // The batch's insert is waiting for the other transaction (a lock wait on its row).
    let mut watch = postgres::Client::connect(&h.database, postgres::NoTls).unwrap();
    let started = Instant::now();
    loop {
        let waiting: i64 = watch
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                   AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO settlements%'",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting > 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the batch never reached the other's row");
        std::thread::sleep(Duration::from_millis(20));
    }
    tx.commit().unwrap();

    let answer = settling.join().unwrap();
    let outcomes: Vec<_> = answer.results.iter().map(|r| (r.outcome, r.code)).collect();
    assert_eq!(
        outcomes,
        vec![(SettlementOutcome::Settled, None), (SettlementOutcome::Refused, Some(RefusalCode::PaymentIdConflict))]
    );
    assert_eq!(suite::eur(&h.statement(&w2)), (1_000_000, 300_000));
    let s1 = h.statement(&w1);
    assert_eq!((suite::eur(&s1), s1.settled.len()), ((1_000_000, 100_000), 1));
}
