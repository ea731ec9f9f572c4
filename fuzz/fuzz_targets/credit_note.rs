//! Credit notes (top-ups) as the wallet receives them, bare or in a `centime://topup` link.
#![no_main]

use centime_protocol::documents::{self, CreditClaims};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(c) = documents::open::<CreditClaims>(s) {
        let _ = c.check_credit_id();
        let _ = c.amount();
    }
});
