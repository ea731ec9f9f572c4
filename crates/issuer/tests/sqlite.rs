//! The issuer's suite on its embedded SQLite ledger.

#[macro_use]
mod suite;

use suite::Backend;

backend_suite!(
    Backend::Sqlite,
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
