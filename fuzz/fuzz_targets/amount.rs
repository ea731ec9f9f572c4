//! Amounts: what people type, wire integers at a scale, and the JSON machine form.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::amount::check(data));
