//! What a merchant's HTTP answers say to centime-client (crates/client/src/answer.rs): a 402's
//! PAYMENT-REQUIRED header or JSON body, a refusal's code, a PAYMENT-RESPONSE, and a
//! `centime://pay` link checked against the site's own offer. The input is taken both as a
//! header value (when HTTP allows it) and as a body.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::client_answer::check(data));
