//! `PAYMENT-REQUIRED` header values and 402 JSON bodies (v2 and x402 v1 shapes).
#![no_main]

use std::sync::Arc;

use centime_protocol::{FixedClock, PaymentRequired, Verifier};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let from_body = PaymentRequired::from_json_body(data);
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(pr) = PaymentRequired::from_header(s) {
            // What decodes encodes and decodes to the same value.
            let again = PaymentRequired::from_header(&pr.to_header().expect("encodes")).expect("decodes again");
            assert_eq!(again, pr);
            for req in &pr.accepts {
                let _ = req.terms();
            }
            let _ = Verifier::new(pr, Arc::new(FixedClock::new(0)));
        }
    }
    if let Ok(pr) = from_body {
        let _ = pr.accepts.iter().map(|r| r.terms()).count();
    }
});
