//! `PAYMENT-SIGNATURE` header values through the merchant's verifier.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::payment_signature::check(data));
