//! The fixed vectors h-ext's TypeScript checks too: both sides compute the same MACs and code.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use centime_bridge::auth::{self, Direction};

fn vectors() -> serde_json::Value {
    serde_json::from_str(include_str!("vectors.json")).unwrap()
}

fn bytes(v: &serde_json::Value, len: usize) -> Vec<u8> {
    auth::unb64(v.as_str().unwrap(), len, "vector").unwrap()
}

#[test]
fn macs_match_the_vectors() {
    let v = vectors();
    let key = bytes(&v["key"], auth::KEY_LEN);
    let session = v["session"].as_str().unwrap();
    let macs = v["macs"].as_array().unwrap();
    assert_eq!(macs.len(), 3);
    for m in macs {
        let direction = if m["direction"] == "req" { Direction::Req } else { Direction::Res };
        let (seq, body, mac) = (m["seq"].as_u64().unwrap(), m["body"].as_str().unwrap(), m["mac"].as_str().unwrap());
        assert_eq!(auth::mac(&key, direction, session, seq, body), mac);
        assert!(auth::verify(&key, direction, session, seq, body, mac));
        assert!(!auth::verify(&key, direction, session, seq + 1, body, mac));
    }
}

#[test]
fn the_pairing_code_matches_the_vector() {
    let p = &vectors()["pairing"];
    let code = auth::pairing_code(
        &bytes(&p["session"], auth::SESSION_LEN),
        &bytes(&p["extNonce"], auth::NONCE_LEN),
        &bytes(&p["appNonce"], auth::NONCE_LEN),
    );
    assert_eq!(code, p["code"].as_str().unwrap());
}
