//! Compact JWS parsing and the three signed documents.
#![no_main]

use centime_protocol::PublicKey;
use centime_protocol::documents::{
    self, AUTHORIZATION_TYP, AuthorizationClaims, CREDIT_TYP, CreditClaims, RECEIPT_TYP, ReceiptClaims,
};
use centime_protocol::jws::Compact;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    for typ in [AUTHORIZATION_TYP, CREDIT_TYP, RECEIPT_TYP] {
        if let Ok(c) = Compact::parse(s, typ) {
            let _ = c.payload();
            let _ = c.verify(&PublicKey([0; 32]));
        }
    }
    if let Ok(a) = documents::open::<AuthorizationClaims>(s) {
        let _ = a.amount();
    }
    let _ = documents::open::<CreditClaims>(s);
    let _ = documents::open::<ReceiptClaims>(s);
});
