//! The documents of payments between wallets: payment requests, transfers, redemption and
//! inbox requests, transfer codes.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::p2p::check(data));
