//! Credit notes (top-ups) as the wallet receives them, bare or in a `centime://topup` link.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::credit_note::check(data));
