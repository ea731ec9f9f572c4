//! Credit notes (top-ups) as the wallet receives them, bare or in a `centime://topup` link.

use super::assert_printable;
use centime_core::credit_from_input;
use centime_protocol::documents::{self, CREDIT_TYP, CreditClaims};
use centime_protocol::jws::Compact;

/// The checks of one input.
pub fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    // What `centime topup` and the app take: a pasted JWS or a topup link.
    match credit_from_input(s) {
        Ok(jws) if s.trim().starts_with("centime:") => {
            Compact::parse(&jws, CREDIT_TYP).expect("a topup link carries a credit-note JWS");
        }
        Ok(jws) => assert_eq!(jws, s.trim()),
        Err(e) => {
            assert_eq!(e.class(), centime_core::ErrorClass::InvalidInput);
            assert_printable(&e.to_string());
        }
    }
    match documents::open::<CreditClaims>(s) {
        Ok(c) => {
            if c.check_credit_id().is_ok() {
                assert!(c.credit_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            }
            if let Ok(a) = c.amount() {
                assert!(!a.micros.is_negative());
                assert_eq!(a.micros.to_wire(c.asset_scale).expect("exact at its scale"), c.value);
                assert_eq!(a.asset, c.asset);
            }
        }
        Err(e) => assert_printable(&e.to_string()),
    }
}
