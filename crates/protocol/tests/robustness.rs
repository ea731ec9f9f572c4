//! Property tests: every decoder takes arbitrary input without panicking and answers with a
//! typed error; money round-trips exactly.

// Test code: a panic here is a failed assertion (clippy.toml allows it inside #[test] only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use centime_protocol::deeplink::DeepLink;
use centime_protocol::documents::{
    self, AUTHORIZATION_TYP, AuthorizationClaims, CREDIT_TYP, CreditClaims, ReceiptClaims,
};
use centime_protocol::jws::{self, Compact, RingSigner, Signer};
use centime_protocol::{
    Amount, Asset, Error, FixedClock, MemoryReplayCache, Micros, Network, PaymentPayload, PaymentRequired,
    PaymentRequirements, Rejection, ResourceInfo, SettlementResponse, Verifier, payment,
};
use proptest::prelude::*;
use serde_json::Map;
use strum::IntoEnumIterator;

const NOW: u64 = 1_767_225_600;

fn offered() -> PaymentRequired {
    let network: Network = "centime:demo".parse().unwrap();
    let price = Amount::new(Micros::from_micros(50_000), Asset::EUR);
    let req = PaymentRequirements::centime(&network, "magazine-0001", price, 300, "Mag", None).unwrap();
    PaymentRequired {
        x402_version: 2,
        error: None,
        resource: ResourceInfo {
            url: "https://magazine.example/a".into(),
            description: None,
            mime_type: None,
            other: Map::new(),
        },
        accepts: vec![req],
        extensions: Map::new(),
        other: Map::new(),
    }
}

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| Verifier::new(offered(), Arc::new(FixedClock::new(NOW))).unwrap())
}

/// A valid PAYMENT-SIGNATURE header for `offered()`, to mutate.
fn good_header() -> &'static String {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| {
        let s = RingSigner::from_seed(&[7; 32]).unwrap();
        let o = offered();
        let claims = payment::authorization_claims(
            s.public_key(),
            &o.resource,
            &o.accepts[0],
            "pay_robustness_000001".parse().unwrap(),
            1,
            NOW,
        )
        .unwrap();
        payment::sign_payload(&s, &o.resource, &o.accepts[0], &o.extensions, &claims).unwrap().to_header().unwrap()
    })
}

fn credit_jws() -> &'static String {
    static J: OnceLock<String> = OnceLock::new();
    J.get_or_init(|| {
        let s = RingSigner::from_seed(&[8; 32]).unwrap();
        let c = CreditClaims {
            iss: s.public_key(),
            network: "centime:demo".parse().unwrap(),
            sub: s.public_key(),
            credit_id: "c-1".into(),
            value: "100".into(),
            asset: Asset::EUR,
            asset_scale: 2,
            issued_at: NOW,
        };
        documents::sign(&s, &c).unwrap()
    })
}

/// Strings that look a little like what the decoders expect, so that they get past the first
/// checks more often than uniform noise does.
fn near_miss() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z0-9+/=]{0,200}",
        "[A-Za-z0-9_\\-.]{0,300}",
        "centime://(pay|topup)\\?(req|credit|return)=[A-Za-z0-9_\\-.%:/]{0,120}(&(req|return|credit)=[a-z:/.%]{0,40})?",
        "[-+ ,.0-9eE_']{0,30}",
    ]
}

fn b64_json(v: &serde_json::Value) -> String {
    STANDARD.encode(serde_json::to_vec(v).unwrap())
}

fn check_rejection_code(e: &Error) {
    // Every verification failure maps to one of the fifteen codes.
    assert!(Rejection::iter().any(|r| r == e.rejection()));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn header_decoders_never_panic(s in near_miss()) {
        let _ = PaymentRequired::from_header(&s);
        let _ = PaymentPayload::from_header(&s);
        let _ = SettlementResponse::from_header(&s);
        if let Err(e) = verifier().verify(&s, &MemoryReplayCache::new()) {
            check_rejection_code(&e);
        }
    }

    #[test]
    fn base64_of_arbitrary_bytes_never_panics(b in proptest::collection::vec(any::<u8>(), 0..600)) {
        let h = STANDARD.encode(&b);
        let _ = PaymentRequired::from_header(&h);
        let _ = PaymentPayload::from_header(&h);
        let _ = SettlementResponse::from_header(&h);
        let _ = PaymentRequired::from_json_body(&b);
        prop_assert!(verifier().verify(&h, &MemoryReplayCache::new()).is_err());
    }

    #[test]
    fn json_bodies_never_panic(s in any::<String>()) {
        let _ = PaymentRequired::from_json_body(s.as_bytes());
    }

    #[test]
    fn arbitrary_json_values_in_headers_never_panic(v in json_value()) {
        let h = b64_json(&v);
        let _ = PaymentRequired::from_header(&h);
        let _ = PaymentRequired::from_json_body(h.as_bytes());
        let _ = SettlementResponse::from_header(&h);
        prop_assert!(verifier().verify(&h, &MemoryReplayCache::new()).is_err());
    }

    #[test]
    fn jws_parsing_never_panics(s in near_miss(), typ in prop_oneof![Just(AUTHORIZATION_TYP), Just(CREDIT_TYP)]) {
        if let Ok(c) = Compact::parse(&s, typ) {
            let _ = c.verify(&RingSigner::from_seed(&[1; 32]).unwrap().public_key());
        }
        let _ = documents::open::<AuthorizationClaims>(&s);
        let _ = documents::open::<CreditClaims>(&s);
        let _ = documents::open::<ReceiptClaims>(&s);
    }

    #[test]
    fn jws_with_arbitrary_parts_never_panics(
        h in proptest::collection::vec(any::<u8>(), 0..80),
        p in proptest::collection::vec(any::<u8>(), 0..200),
        sig in proptest::collection::vec(any::<u8>(), 0..80),
    ) {
        let s = format!("{}.{}.{}", URL_SAFE_NO_PAD.encode(h), URL_SAFE_NO_PAD.encode(p), URL_SAFE_NO_PAD.encode(sig));
        let _ = Compact::parse(&s, AUTHORIZATION_TYP);
        prop_assert!(documents::open::<CreditClaims>(&s).is_err());
    }

    #[test]
    fn deep_links_never_panic(s in near_miss()) {
        if let Ok(link) = DeepLink::parse(&s) {
            // Whatever parses, prints, and parses back to the same link.
            let again = DeepLink::parse(&link.to_link().unwrap()).unwrap();
            prop_assert_eq!(again, link);
        }
    }

    #[test]
    fn amount_parsers_never_panic(s in near_miss(), scale in -3i64..10) {
        let _ = Micros::parse_user(&s);
        let _ = Micros::from_wire(&s, scale);
        let _ = s.parse::<Micros>();
        let _ = s.parse::<Asset>();
        let _ = s.parse::<Network>();
    }

    #[test]
    fn micros_display_parses_back(m in any::<i64>()) {
        let m = Micros::from_micros(m);
        prop_assert_eq!(m.to_string().parse::<Micros>().unwrap(), m);
        if m.get() >= 0 {
            prop_assert_eq!(Micros::parse_user(&m.to_string()).unwrap(), m);
        }
    }

    #[test]
    fn wire_round_trip_is_exact(m in 0i64..=i64::MAX, scale in 0u8..=6) {
        let m = Micros::from_micros(m);
        match m.to_wire(scale) {
            Ok(w) => prop_assert_eq!(Micros::from_wire(&w, i64::from(scale)).unwrap(), m),
            Err(Error::InexactAtScale { .. }) => {
                let factor = 10i64.pow(6 - u32::from(scale));
                prop_assert!(m.get() % factor != 0);
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
        let natural = m.natural_scale();
        prop_assert!(natural <= 6);
        prop_assert_eq!(Micros::from_wire(&m.to_wire(natural).unwrap(), i64::from(natural)).unwrap(), m);
    }

    #[test]
    fn mutated_payments_are_refused_with_a_code(pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        // Change one byte of a valid payment's JSON: anything other than a harmless change
        // (e.g. whitespace) is refused with one of the codes, never a panic.
        let json = STANDARD.decode(good_header()).unwrap();
        let mut bytes = json.clone();
        let i = pos.index(bytes.len());
        bytes[i] = byte;
        let h = STANDARD.encode(&bytes);
        match verifier().verify(&h, &MemoryReplayCache::new()) {
            Ok(v) => prop_assert!(bytes == json || v.amount.micros.get() >= 50_000),
            Err(e) => check_rejection_code(&e),
        }
    }

    #[test]
    fn mutated_credit_notes_do_not_open(pos in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let jws = credit_jws();
        let mut b = jws.clone().into_bytes();
        let i = pos.index(b.len());
        if b[i] == byte {
            return Ok(());
        }
        b[i] = byte;
        if let Ok(s) = String::from_utf8(b) {
            // base64url has no slack in the last character's unused bits (they must be zero),
            // so any change to the text is a change to the signed bytes or the signature.
            prop_assert!(documents::open::<CreditClaims>(&s).is_err(), "{s}");
        }
    }
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        "[a-zA-Z0-9:/._-]{0,20}".prop_map(Value::String),
        Just(Value::from(2)),
        Just(Value::from("exact")),
        Just(Value::from("centime:demo")),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let keys = prop_oneof![
            Just("x402Version".to_owned()),
            Just("resource".to_owned()),
            Just("url".to_owned()),
            Just("accepts".to_owned()),
            Just("accepted".to_owned()),
            Just("payload".to_owned()),
            Just("authorization".to_owned()),
            Just("extensions".to_owned()),
            Just("scheme".to_owned()),
            Just("amount".to_owned()),
            Just("extra".to_owned()),
            Just("assetScale".to_owned()),
            "[a-z]{1,8}",
        ];
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(keys, inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn a_valid_payment_verifies_once() {
    let cache = MemoryReplayCache::new();
    let v = verifier().verify(good_header(), &cache).unwrap();
    assert_eq!(v.amount.micros.get(), 50_000);
    // The same payload again: the first answer.
    assert_eq!(verifier().verify(good_header(), &cache).unwrap(), v);
}

#[test]
fn a_jws_signed_by_the_signer_round_trips() {
    let s = RingSigner::from_seed(&[9; 32]).unwrap();
    let t = jws::sign(&s, CREDIT_TYP, b"{}").unwrap();
    Compact::parse(&t, CREDIT_TYP).unwrap().verify(&s.public_key()).unwrap();
}
