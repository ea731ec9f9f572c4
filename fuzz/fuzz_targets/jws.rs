//! Compact JWS parsing and the three signed documents.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::jws::check(data));
