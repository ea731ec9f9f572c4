//! `PAYMENT-REQUIRED` header values and 402 JSON bodies (v2 and x402 v1 shapes).
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::payment_required::check(data));
