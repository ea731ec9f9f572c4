//! `PAYMENT-SIGNATURE` header values through the merchant's verifier.

use std::sync::{Arc, OnceLock};

use super::{NOW, assert_printable, offer};
use centime_protocol::verify::Rejection;
use centime_protocol::{FixedClock, MemoryReplayCache, PaymentPayload, Verifier};

/// The merchant of the reference test vector, verifying at its `now`, so that the seeded
/// corpus reaches the deepest checks.
fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        Verifier::new(offer().clone(), Arc::new(FixedClock::new(NOW))).expect("the vector's offer is valid")
    })
}

/// The checks of one input.
pub fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Err(e) = PaymentPayload::from_header(s) {
        assert_printable(&e.to_string());
    }
    let cache = MemoryReplayCache::new();
    match verifier().verify(s, &cache) {
        Ok(first) => {
            // Whatever is accepted pays this merchant at least its price, for this page.
            let terms = offer().accepts[0].terms().expect("the vector's terms");
            assert_eq!(first.amount.asset, terms.price.asset);
            assert!(first.amount.micros >= terms.price.micros);
            assert_eq!(first.claims.to, terms.pay_to);
            assert_eq!(first.claims.network, terms.network);
            assert_eq!(first.claims.resource, offer().resource.url);
            assert_eq!(
                first.authorization,
                PaymentPayload::from_header(s).expect("accepted, so it decodes").payload.authorization
            );
            // Accepted once: the same header again is the first answer, never a second payment.
            assert_eq!(verifier().verify(s, &cache).expect("idempotent"), first);
        }
        Err(e) => {
            assert_eq!(e.rejection().to_string().parse::<Rejection>().ok(), Some(e.rejection()));
            assert_printable(&e.to_string());
        }
    }
}
