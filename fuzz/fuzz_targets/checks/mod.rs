//! What each fuzz target asserts of one input, in plain functions: the fuzz targets
//! (fuzz/fuzz_targets/*.rs) call them under libFuzzer, and crates/cli/tests/fuzz_corpus.rs
//! replays the committed corpus through them on stable, without libFuzzer.
#![allow(dead_code)]

pub mod amount;
pub mod cli_input;
pub mod client_answer;
pub mod credit_note;
pub mod deep_link;
pub mod jws;
pub mod p2p;
pub mod payment_required;
pub mod payment_signature;

use std::sync::OnceLock;

use centime_protocol::{PaymentRequired, text};

/// The offer of the reference test vector (crates/protocol/tests/vectors/authorization.json):
/// `https://magazine.example/articles/42`, 0.05 EUR to `magazine-0001` on `centime:demo`.
pub const OFFER: &str = "eyJ4NDAyVmVyc2lvbiI6MiwiZXJyb3IiOiJwYXltZW50IHJlcXVpcmVkIiwicmVzb3VyY2UiOnsidXJsIjoiaHR0cHM6Ly9tYWdhemluZS5leGFtcGxlL2FydGljbGVzLzQyIiwiZGVzY3JpcHRpb24iOiJBcnRpY2xlIDQyOiB0aGUgcHJpY2Ugb2YgYSBwYWdlIiwibWltZVR5cGUiOiJ0ZXh0L2h0bWwifSwiYWNjZXB0cyI6W3sic2NoZW1lIjoiZXhhY3QiLCJuZXR3b3JrIjoiY2VudGltZTpkZW1vIiwiYW1vdW50IjoiNSIsImFzc2V0IjoiRVVSIiwicGF5VG8iOiJtYWdhemluZS0wMDAxIiwibWF4VGltZW91dFNlY29uZHMiOjMwMCwiZXh0cmEiOnsiYXNzZXRTY2FsZSI6MiwiZW50aXRsZW1lbnRTZWNvbmRzIjo4NjQwMCwibWVyY2hhbnROYW1lIjoiVGhlIERlbW8gTWFnYXppbmUifX1dLCJleHRlbnNpb25zIjp7InBheW1lbnQtaWRlbnRpZmllciI6eyJpbmZvIjp7InJlcXVpcmVkIjpmYWxzZX19fX0=";
/// The vector's `now`.
pub const NOW: u64 = 1_767_225_600;

pub fn offer() -> &'static PaymentRequired {
    static O: OnceLock<PaymentRequired> = OnceLock::new();
    O.get_or_init(|| PaymentRequired::from_header(OFFER).expect("the vector's offer decodes"))
}

/// An error message is shown on a terminal or in the app: no control characters (no escape
/// sequences a merchant or a link could smuggle in), and at most 1 KiB whatever the input.
pub fn assert_printable(message: &str) {
    assert!(!message.chars().any(char::is_control), "control character in an error message: {message:?}");
    assert!(message.len() <= 1024, "an error message of {} bytes", message.len());
}

/// What decodes as a PAYMENT-REQUIRED value encodes and decodes to the same value, and every
/// offer that gives terms states its amount exactly at its scale.
pub fn check_payment_required(pr: &PaymentRequired) {
    let again = PaymentRequired::from_header(&pr.to_header().expect("encodes")).expect("decodes again");
    assert_eq!(&again, pr);
    // Text meant for people is inert and bounded, whatever the merchant wrote.
    let inert = |t: &str, max: usize| !t.chars().any(text::is_hidden) && t.chars().count() <= max;
    assert!(pr.resource.description.as_deref().is_none_or(|t| inert(t, text::MAX_DESCRIPTION)));
    assert!(pr.resource.mime_type.as_deref().is_none_or(|t| inert(t, text::MAX_MIME_TYPE)));
    assert!(pr.error.as_deref().is_none_or(|t| inert(t, text::MAX_REASON)));
    for req in &pr.accepts {
        if let Ok(t) = req.terms() {
            assert!(t.merchant_name.as_deref().is_none_or(|n| inert(n, text::MAX_MERCHANT_NAME)));
            assert!(!t.pay_to.chars().any(text::is_hidden));
            assert!(t.price.micros.is_positive());
            assert_eq!(t.price.micros.to_wire(t.asset_scale).expect("exact at its scale"), req.amount);
            assert_eq!(t.network.as_str(), req.network);
            assert_eq!(t.price.asset.as_str(), req.asset);
            assert!(!t.pay_to.is_empty() && t.pay_to.len() <= 128 && !t.pay_to.chars().any(char::is_control));
        }
    }
}
