//! Compact JWS parsing and the three signed documents.

use std::sync::OnceLock;

use super::assert_printable;
use centime_protocol::PublicKey;
use centime_protocol::documents::{
    self, AUTHORIZATION_TYP, AuthorizationClaims, CREDIT_TYP, CreditClaims, RECEIPT_TYP, ReceiptClaims,
};
use centime_protocol::jws::{self, Compact, RingSigner, Signer as _};

fn signer() -> &'static RingSigner {
    static S: OnceLock<RingSigner> = OnceLock::new();
    S.get_or_init(|| RingSigner::from_seed(&[5; 32]).expect("a seed is a key"))
}

fn other_key() -> PublicKey {
    static K: OnceLock<PublicKey> = OnceLock::new();
    *K.get_or_init(|| RingSigner::from_seed(&[6; 32]).expect("a seed is a key").public_key())
}

/// The checks of one input.
pub fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let mut types = 0;
    for typ in [AUTHORIZATION_TYP, CREDIT_TYP, RECEIPT_TYP] {
        match Compact::parse(s, typ) {
            Ok(c) => {
                types += 1;
                // Not asserted: the all-zero key is a point of small order, under which a
                // signature can verify by chance (no Ed25519 key a wallet or issuer holds).
                let _ = c.verify(&PublicKey([0; 32]));
                // The same payload signed by a known key parses back and verifies under it only.
                let resigned = jws::sign(signer(), typ, c.payload()).expect("signs");
                let back = Compact::parse(&resigned, typ).expect("a signed JWS parses");
                assert_eq!(back.payload(), c.payload());
                back.verify(&signer().public_key()).expect("verifies under its signer");
                assert!(back.verify(&other_key()).is_err(), "verifies under another key");
            }
            Err(e) => assert_printable(&e.to_string()),
        }
    }
    // A JWS is of one type at most.
    assert!(types <= 1);
    let mut opened = 0;
    match documents::open::<AuthorizationClaims>(s) {
        Ok(a) => {
            opened += 1;
            Compact::parse(s, AUTHORIZATION_TYP).expect("opened, so it parses").verify(&a.from).expect("and verifies");
            if let Ok(amount) = a.amount() {
                assert_eq!(amount.micros.to_wire(a.asset_scale).expect("exact"), a.value);
            }
        }
        Err(e) => assert_printable(&e.to_string()),
    }
    match documents::open::<CreditClaims>(s) {
        Ok(c) => {
            opened += 1;
            Compact::parse(s, CREDIT_TYP).expect("opened, so it parses").verify(&c.iss).expect("and verifies");
        }
        Err(e) => assert_printable(&e.to_string()),
    }
    match documents::open::<ReceiptClaims>(s) {
        Ok(r) => {
            opened += 1;
            Compact::parse(s, RECEIPT_TYP).expect("opened, so it parses").verify(&r.iss).expect("and verifies");
        }
        Err(e) => assert_printable(&e.to_string()),
    }
    assert!(opened <= 1);
}
