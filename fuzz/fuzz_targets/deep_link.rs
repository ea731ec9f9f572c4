//! `centime://pay` and `centime://topup` links.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::deep_link::check(data));
