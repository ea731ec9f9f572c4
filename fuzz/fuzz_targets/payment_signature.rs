//! `PAYMENT-SIGNATURE` header values through the merchant's verifier.
#![no_main]

use std::sync::{Arc, OnceLock};

use centime_protocol::verify::Rejection;
use centime_protocol::{FixedClock, MemoryReplayCache, PaymentPayload, PaymentRequired, Verifier};
use libfuzzer_sys::fuzz_target;

/// The offer of the reference test vector (crates/protocol/tests/vectors/authorization.json),
/// verified at its `now`, so that the seeded corpus reaches the deepest checks.
const OFFER: &str = "eyJ4NDAyVmVyc2lvbiI6MiwiZXJyb3IiOiJwYXltZW50IHJlcXVpcmVkIiwicmVzb3VyY2UiOnsidXJsIjoiaHR0cHM6Ly9tYWdhemluZS5leGFtcGxlL2FydGljbGVzLzQyIiwiZGVzY3JpcHRpb24iOiJBcnRpY2xlIDQyOiB0aGUgcHJpY2Ugb2YgYSBwYWdlIiwibWltZVR5cGUiOiJ0ZXh0L2h0bWwifSwiYWNjZXB0cyI6W3sic2NoZW1lIjoiZXhhY3QiLCJuZXR3b3JrIjoiY2VudGltZTpkZW1vIiwiYW1vdW50IjoiNSIsImFzc2V0IjoiRVVSIiwicGF5VG8iOiJtYWdhemluZS0wMDAxIiwibWF4VGltZW91dFNlY29uZHMiOjMwMCwiZXh0cmEiOnsiYXNzZXRTY2FsZSI6MiwiZW50aXRsZW1lbnRTZWNvbmRzIjo4NjQwMCwibWVyY2hhbnROYW1lIjoiVGhlIERlbW8gTWFnYXppbmUifX1dLCJleHRlbnNpb25zIjp7InBheW1lbnQtaWRlbnRpZmllciI6eyJpbmZvIjp7InJlcXVpcmVkIjpmYWxzZX19fX0=";
const NOW: u64 = 1_767_225_600;

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let offer = PaymentRequired::from_header(OFFER).expect("the vector's offer decodes");
        Verifier::new(offer, Arc::new(FixedClock::new(NOW))).expect("the vector's offer is valid")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let _ = PaymentPayload::from_header(s);
    let cache = MemoryReplayCache::new();
    match verifier().verify(s, &cache) {
        Ok(first) => {
            // Accepted once: the same header again is the first answer, never a second payment.
            assert_eq!(verifier().verify(s, &cache).expect("idempotent"), first);
        }
        Err(e) => assert!(Rejection::ALL.contains(&e.rejection())),
    }
});
