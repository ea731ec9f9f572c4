//! `PAYMENT-REQUIRED` header values and 402 JSON bodies (v2 and x402 v1 shapes).

use std::sync::Arc;

use super::{assert_printable, check_payment_required};
use centime_protocol::{FixedClock, PaymentRequired, Verifier};

/// The checks of one input.
pub fn check(data: &[u8]) {
    match PaymentRequired::from_json_body(data) {
        Ok(pr) => check_payment_required(&pr),
        Err(e) => assert_printable(&e.to_string()),
    }
    let Ok(s) = std::str::from_utf8(data) else { return };
    match PaymentRequired::from_header(s) {
        Ok(pr) => {
            check_payment_required(&pr);
            let usable = pr.accepts.iter().any(|r| r.terms().is_ok());
            // A merchant can verify against an offer only if it gives terms.
            if let Ok(v) = Verifier::new(pr.clone(), Arc::new(FixedClock::new(0))) {
                assert!(usable || pr.accepts.is_empty());
                assert_eq!(v.offered(), &pr);
            }
        }
        Err(e) => assert_printable(&e.to_string()),
    }
}
