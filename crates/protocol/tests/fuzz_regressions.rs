//! Inputs the fuzz campaigns (fuzz/) found, each with the property it broke. The raw inputs sit
//! in tests/fuzz_crashes/ and, as kept-crash-* files, in the fuzz corpus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use centime_protocol::deeplink::{DeepLink, check_return_url};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::{Error, PaymentPayload, PaymentRequired, payment};

/// Error messages reach terminals and the app: printable and short, whatever the input.
fn assert_short(e: &Error) {
    let m = e.to_string();
    assert!(m.len() <= 1024, "a message of {} bytes: {}…", m.len(), &m[..200]);
    assert!(!m.chars().any(char::is_control), "{m:?}");
}

#[test]
fn a_link_with_a_long_path_is_refused_in_a_short_message() {
    // fuzz credit_note, crash-90520d35: `centime:` then 2 KB of control characters; the
    // "unexpected path" message quoted the whole (percent-encoded) path: 4.6 KB.
    let input = include_bytes!("fuzz_crashes/credit_note-90520d35");
    let e = DeepLink::parse(std::str::from_utf8(input).unwrap()).unwrap_err();
    assert!(matches!(e, Error::InvalidLink(_)), "{e}");
    assert_short(&e);
    for link in [
        format!("centime://pay/{}", "x".repeat(20_000)),
        format!("{}://pay?req=x", "a".repeat(20_000)),
        format!("centime://{}?req=x", "h".repeat(20_000)),
        format!("centime://pay?{0}=1&{0}=2", "k".repeat(10_000)),
        format!("centime://pay?{}=1", "k".repeat(20_000)),
    ] {
        assert_short(&DeepLink::parse(&link).unwrap_err());
    }
    assert_short(&check_return_url(&format!("{}://x/", "a".repeat(2_000))).unwrap_err());
}

#[test]
fn a_json_error_quotes_at_most_200_characters_of_the_input() {
    // serde quotes a whole string of the wrong type: a 12 KB value became a 12 KB message.
    let long = "\u{7}".repeat(3_000);
    let json = format!(r#"{{"x402Version":"{long}","resource":{{"url":"u"}},"accepts":[]}}"#);
    let e = PaymentRequired::from_header(&STANDARD.encode(&json)).unwrap_err();
    assert!(matches!(e, Error::Json { .. }), "{e}");
    assert_short(&e);
    let e = PaymentRequired::from_json_body(json.as_bytes()).unwrap_err();
    assert_short(&e);
    let e = PaymentPayload::from_header(&STANDARD.encode(json.replace("x402Version", "resource"))).unwrap_err();
    assert_short(&e);
}

#[test]
fn a_402_body_is_accepted_only_if_it_fits_in_a_header() {
    // fuzz payment_required, crash-ad17f835: a 14 KB body (bodies may be 64 KiB) decoded to a
    // request whose PAYMENT-REQUIRED encoding was 19 KB, which no header decoder accepts: the
    // wallet would have paid with a PAYMENT-SIGNATURE the merchant refuses unread.
    let body = include_bytes!("fuzz_crashes/payment_required-ad17f835");
    let e = PaymentRequired::from_json_body(body).unwrap_err();
    assert!(matches!(e, Error::TooLarge { what: "PAYMENT-REQUIRED", limit: 16_384, .. }), "{e}");
    assert_short(&e);

    let mut v: serde_json::Value = serde_json::from_str(
        r#"{"x402Version":2,"resource":{"url":"https://shop.example/a"},"accepts":[{"scheme":"exact",
        "network":"centime:demo","amount":"5","asset":"EUR","payTo":"shop","maxTimeoutSeconds":60,
        "extra":{"assetScale":2}}]}"#,
    )
    .unwrap();
    // The filler is a member Centime does not define, kept (and echoed) as it came: a
    // description no longer serves, as it is cut to 200 characters when read.
    v["resource"]["title"] = "d".repeat(11_000).into();
    let fits = PaymentRequired::from_json_body(v.to_string().as_bytes()).unwrap();
    assert!(fits.to_header().unwrap().len() <= 16_384);
    v["resource"]["title"] = "d".repeat(13_000).into();
    assert!(matches!(PaymentRequired::from_json_body(v.to_string().as_bytes()), Err(Error::TooLarge { .. })));
    v["resource"]["title"] = "t".into();
    v["resource"]["description"] = "d".repeat(13_000).into();
    let cut = PaymentRequired::from_json_body(v.to_string().as_bytes()).unwrap();
    assert_eq!(cut.resource.description.unwrap().chars().count(), 200);
}

#[test]
fn a_payment_is_never_signed_into_a_header_the_merchant_refuses_unread() {
    // The other half of crash-ad17f835: a request just under the header limit gives a
    // PAYMENT-SIGNATURE over it (the resource and offer are echoed, with the JWS): the wallet
    // refuses to make it (before any debit) rather than send what the merchant cannot read.
    // (The filler is an undefined member, echoed as it came; a description is cut when read.)
    let json = format!(
        r#"{{"x402Version":2,"resource":{{"url":"https://shop.example/a","title":"{}"}},
        "accepts":[{{"scheme":"exact","network":"centime:demo","amount":"5","asset":"EUR","payTo":"shop",
        "maxTimeoutSeconds":60,"extra":{{"assetScale":2}}}}]}}"#,
        "d".repeat(11_800)
    );
    let required = PaymentRequired::from_json_body(json.as_bytes()).unwrap();
    let s = RingSigner::from_seed(&[4; 32]).unwrap();
    let claims = payment::authorization_claims(
        s.public_key(),
        &required.resource,
        &required.accepts[0],
        "pay_regression_0000001".parse().unwrap(),
        1,
        1_767_225_600,
    )
    .unwrap();
    let payload =
        payment::sign_payload(&s, &required.resource, &required.accepts[0], &required.extensions, &claims).unwrap();
    let e = payload.to_header().unwrap_err();
    assert!(matches!(e, Error::TooLarge { what: "PAYMENT-SIGNATURE", limit: 16_384, .. }), "{e}");
}
