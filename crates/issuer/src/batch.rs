//! Batch verification of a settlement's signatures (ed25519-dalek's `verify_batch`): one
//! multi-scalar multiplication for the whole batch instead of one verification per item.
//!
//! It only ever answers "all of them verify": a batch that fails says that at least one does
//! not, and the caller then verifies each on its own with ring, as a single authorization is
//! verified everywhere else, so that each bad item keeps its refusal code. `verify_batch` rejects
//! a batch holding any invalid signature except with negligible probability (random 128-bit
//! coefficients, derived from a transcript of every key, message and signature).
//!
//! Where it can disagree with ring (docs/protocol.md's verification is cofactorless, ring's): a
//! signature whose `R` or key has a small-order component is refused by ring, and by the batch
//! unless the coefficients happen to cancel that component, which the key's holder can arrange
//! by trying about eight times (the coefficients are a deterministic function of the batch).
//! Keys of small order, for which anyone could forge, are kept out of the batch.

use centime_protocol::PublicKey;

/// One item: the key it claims, its JWS signing input and its signature.
pub(crate) struct Signed<'a> {
    pub key: &'a PublicKey,
    pub input: &'a [u8],
    pub signature: [u8; 64],
}

/// Whether every item's signature verifies, in one call. `false` when one does not, or when a
/// key cannot take part (not a point, or of small order): verify each on its own then.
pub(crate) fn all_verify(items: &[Signed<'_>]) -> bool {
    let mut keys = Vec::with_capacity(items.len());
    for i in items {
        match ed25519_dalek::VerifyingKey::from_bytes(&i.key.0) {
            Ok(k) if !k.is_weak() => keys.push(k),
            _ => return false,
        }
    }
    let signatures: Vec<ed25519_dalek::Signature> =
        items.iter().map(|i| ed25519_dalek::Signature::from_bytes(&i.signature)).collect();
    let messages: Vec<&[u8]> = items.iter().map(|i| i.input).collect();
    ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use centime_protocol::jws::{RingSigner, Signer as _};

    use super::*;

    fn signed(n: u8) -> Vec<(PublicKey, Vec<u8>, [u8; 64])> {
        (0..n)
            .map(|i| {
                let s = RingSigner::from_seed(&[i.wrapping_add(1); 32]).unwrap();
                let msg = format!("authorization {i}").into_bytes();
                let sig = s.sign(&msg).unwrap();
                (s.public_key(), msg, sig)
            })
            .collect()
    }

    fn items(v: &[(PublicKey, Vec<u8>, [u8; 64])]) -> Vec<Signed<'_>> {
        v.iter().map(|(key, input, signature)| Signed { key, input, signature: *signature }).collect()
    }

    #[test]
    fn a_good_batch_verifies() {
        assert!(all_verify(&items(&signed(20))));
    }

    #[test]
    fn one_bad_signature_fails_the_batch() {
        for bad in [0, 7, 19] {
            let mut v = signed(20);
            v[bad].2[5] ^= 1;
            assert!(!all_verify(&items(&v)), "signature {bad} altered");
            let mut v = signed(20);
            v[bad].1.push(b'!');
            assert!(!all_verify(&items(&v)), "message {bad} altered");
            let mut v = signed(20);
            v[bad].0 = v[(bad + 1) % 20].0;
            assert!(!all_verify(&items(&v)), "key {bad} swapped");
        }
    }

    #[test]
    fn a_small_order_key_is_left_to_one_by_one_verification() {
        let mut v = signed(3);
        // The identity point: every signature "verifies" under it with the right R.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        v[1].0 = PublicKey(identity);
        assert!(!all_verify(&items(&v)));
    }
}
