//! Inputs the fuzz campaigns (fuzz/) found, each with the property it broke. The raw inputs sit
//! in tests/fuzz_crashes/ and, as kept-crash-* files, in the fuzz corpus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use centime_protocol::deeplink::{DeepLink, check_return_url};
use centime_protocol::{Error, PaymentPayload, PaymentRequired};

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
