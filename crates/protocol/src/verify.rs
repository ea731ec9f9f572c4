//! Merchant-side verification of a `PAYMENT-SIGNATURE`: offline, no database, no network.
//!
//! Every way a payment can be refused has its own [`Rejection`] code, stable on the wire.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::documents::{self, AuthorizationClaims};
use crate::error::{Error, Result};
use crate::ids::{PaymentId, PublicKey};
use crate::jws::Compact;
use crate::money::{Amount, Micros};
use crate::revocation::Revocations;
use crate::wire::{PaymentPayload, PaymentRequired, SCHEME_EXACT, Terms};

/// Why a payment was refused. Its `Display`/`FromStr`/`&'static str` form (snake_case) is the
/// stable wire name, the same string serde writes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Rejection {
    /// Not decodable, or a field of the wrong shape.
    Malformed,
    /// An `x402Version` other than 2.
    UnsupportedVersion,
    /// A scheme other than `exact`.
    UnsupportedScheme,
    /// The JWS does not verify under `from`.
    InvalidSignature,
    /// `accepted` is not one of the offers, or `acceptedHash` does not name it.
    TermsMismatch,
    /// `to` is not the offer's `payTo`.
    RecipientMismatch,
    /// Another asset than offered.
    AssetMismatch,
    /// Another network than offered.
    NetworkMismatch,
    /// Another resource than this page.
    ResourceMismatch,
    /// Less than the price.
    AmountTooLow,
    /// Before `validAfter`.
    NotYetValid,
    /// At or after `validBefore` (with the skew).
    Expired,
    /// A validity window longer than `maxTimeoutSeconds`.
    WindowTooLong,
    /// This `(from, nonce)` was seen before.
    ReplayedNonce,
    /// This payment id came with another authorization.
    PaymentIdConflict,
    /// The issuer's revocation list names the payer's key (ADR 21).
    RevokedPayer,
}

/// Unix seconds, from the system or fixed for tests.
pub trait Clock: Send + Sync {
    /// The current Unix second.
    fn now(&self) -> u64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> u64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
    }
}

/// A clock that says what it is told; for tests and vectors.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicU64);

impl FixedClock {
    /// A clock at `t`.
    pub fn new(t: u64) -> Self {
        FixedClock(AtomicU64::new(t))
    }
    /// Moves the clock to `t`.
    pub fn set(&self, t: u64) {
        self.0.store(t, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A payment the merchant accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The signed claims.
    pub claims: AuthorizationClaims,
    /// What was paid.
    pub amount: Amount,
    /// The authorization JWS, what the merchant presents to the issuer to settle.
    pub authorization: String,
}

impl Verified {
    /// The wallet that paid.
    pub fn payer(&self) -> &PublicKey {
        &self.claims.from
    }
    /// The payment's id.
    pub fn payment_id(&self) -> &PaymentId {
        &self.claims.payment_id
    }
}

/// Remembers `(from, nonce)` pairs and payment ids until their authorization expires.
///
/// `record` must be atomic: two requests carrying the same nonce at once must not both pass.
pub trait ReplayCache: Send + Sync {
    /// The first answer for `payment_id`, if it was given for the same `digest`: the SHA-256 of
    /// the authorization JWS (the signed payment; see [`authorization_digest`]).
    fn previous(&self, payment_id: &PaymentId, digest: &[u8; 32]) -> Option<Verified>;
    /// Records an accepted payment, or says why it is a replay.
    fn record(&self, verified: &Verified, digest: [u8; 32], forget_after: u64, now: u64) -> Result<(), Rejection>;
}

#[derive(Default)]
struct MemoryState {
    nonces: HashMap<(PublicKey, String), u64>,
    payments: HashMap<PaymentId, ([u8; 32], Verified, u64)>,
}

/// An in-memory [`ReplayCache`] that forgets entries once their `validBefore` has passed.
#[derive(Default)]
pub struct MemoryReplayCache {
    state: Mutex<MemoryState>,
}

impl fmt::Debug for MemoryReplayCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.state.lock().map(|s| s.nonces.len()).unwrap_or(0);
        f.debug_struct("MemoryReplayCache").field("entries", &n).finish()
    }
}

impl MemoryReplayCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many nonces are remembered (for tests of expiry).
    pub fn len(&self) -> usize {
        self.state.lock().map(|s| s.nonces.len()).unwrap_or(0)
    }

    /// No nonce remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ReplayCache for MemoryReplayCache {
    fn previous(&self, payment_id: &PaymentId, digest: &[u8; 32]) -> Option<Verified> {
        let s = self.state.lock().ok()?;
        s.payments.get(payment_id).filter(|(d, _, _)| d == digest).map(|(_, v, _)| v.clone())
    }

    fn record(&self, v: &Verified, digest: [u8; 32], forget_after: u64, now: u64) -> Result<(), Rejection> {
        // A poisoned lock means another request panicked mid-update; refuse rather than guess.
        let mut s = self.state.lock().map_err(|_| Rejection::ReplayedNonce)?;
        s.nonces.retain(|_, exp| *exp >= now);
        s.payments.retain(|_, (_, _, exp)| *exp >= now);
        let key = (v.claims.from, v.claims.nonce.clone());
        if s.nonces.contains_key(&key) {
            return Err(Rejection::ReplayedNonce);
        }
        if s.payments.contains_key(&v.claims.payment_id) {
            return Err(Rejection::PaymentIdConflict);
        }
        s.nonces.insert(key, forget_after);
        s.payments.insert(v.claims.payment_id.clone(), (digest, v.clone(), forget_after));
        Ok(())
    }
}

/// Default tolerance between the wallet's clock and the merchant's.
pub const DEFAULT_SKEW_SECONDS: u64 = 30;

/// Checks payments against what one resource offered.
pub struct Verifier {
    offered: PaymentRequired,
    offers: Vec<Offer>,
    clock: Arc<dyn Clock>,
    skew: u64,
    revocations: Option<Arc<Revocations>>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier").field("resource", &self.offered.resource.url).field("skew", &self.skew).finish()
    }
}

/// One offered requirement, prepared once: its JSON, RFC 8785 form, acceptedHash and terms.
struct Offer {
    value: serde_json::Value,
    canonical: Vec<u8>,
    hash: String,
    terms: Terms,
}

fn reject<T>(reason: Rejection, detail: impl Into<String>) -> Result<T> {
    Err(Error::reject(reason, detail))
}

impl Verifier {
    /// `offered` is the 402 this merchant sent for the resource; every offer must be a valid
    /// Centime offer.
    pub fn new(offered: PaymentRequired, clock: Arc<dyn Clock>) -> Result<Self> {
        let mut offers = Vec::with_capacity(offered.accepts.len());
        for req in &offered.accepts {
            let terms = req.terms()?;
            let value = req.to_value()?;
            let canonical = documents::canonical_json(&value)?;
            let hash = URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, &canonical));
            offers.push(Offer { value, canonical, hash, terms });
        }
        Ok(Verifier { offered, offers, clock, skew: DEFAULT_SKEW_SECONDS, revocations: None })
    }

    /// Accepts clocks this many seconds apart ([`DEFAULT_SKEW_SECONDS`] otherwise).
    pub fn with_skew(mut self, seconds: u64) -> Self {
        self.skew = seconds;
        self
    }

    /// Refuses `revoked_payer` for a payment from a key on `revocations` (for its network). A
    /// list past its `nextUpdate` still applies: the merchant fetches a newer one, and until
    /// then the old one is the best it knows.
    pub fn with_revocations(mut self, revocations: Arc<Revocations>) -> Self {
        self.revocations = Some(revocations);
        self
    }

    /// The 402 this verifier checks payments against.
    pub fn offered(&self) -> &PaymentRequired {
        &self.offered
    }

    /// Verifies a `PAYMENT-SIGNATURE` header value. On refusal the error's
    /// [`Error::rejection`] is the code to send back.
    pub fn verify(&self, header: &str, cache: &dyn ReplayCache) -> Result<Verified> {
        let now = self.clock.now();
        let payload = PaymentPayload::from_header(header).map_err(|e| match e {
            Error::UnsupportedVersion(v) => Error::reject(Rejection::UnsupportedVersion, format!("x402Version {v}")),
            other => Error::reject(Rejection::Malformed, other.to_string()),
        })?;
        let jws = &payload.payload.authorization;
        let compact = Compact::parse(jws, documents::AUTHORIZATION_TYP)
            .map_err(|e| Error::reject(Rejection::Malformed, e.to_string()))?;
        let claims: AuthorizationClaims = crate::jws::from_json_object(compact.payload())
            .map_err(|e| Error::reject(Rejection::Malformed, format!("authorization claims: {e}")))?;

        let digest = authorization_digest(jws);
        // The same signed bytes as a payment this cache accepted: the signature is known good
        // and the payment is not recorded again. Everything else is checked as for a new
        // payment, for the cache may be shared by the verifiers of other pages and payees, and
        // the wrapper (resource, `accepted`, extensions) is not signed: the first answer is
        // given only to the payment it answered, here. Once expired, step 18 refuses it.
        if let Some(first) = cache.previous(&claims.payment_id, &digest) {
            let terms = self.check_wrapper(&payload, &claims)?;
            self.check_claims(&claims, terms, now)?;
            return Ok(first);
        }

        compact
            .verify(&claims.from)
            .map_err(|_| Error::reject(Rejection::InvalidSignature, "the signature does not verify under `from`"))?;
        if let Some(r) = self.revocations.as_ref().and_then(|l| l.revoked(&claims.network, &claims.from)) {
            return reject(
                Rejection::RevokedPayer,
                format!("the issuer revoked this wallet's key ({}) at {}", r.reason, r.revoked_at),
            );
        }
        let terms = self.check_wrapper(&payload, &claims)?;
        let value = self.check_claims(&claims, terms, now)?;
        let verified = Verified { amount: Amount::new(value, claims.asset), authorization: jws.clone(), claims };
        cache
            .record(&verified, digest, verified.claims.valid_before.saturating_add(self.skew), now)
            .map_err(|r| Error::reject(r, "already used"))?;
        Ok(verified)
    }

    /// Steps 7–14 of docs/protocol.md §8: the payment-identifier extension carries the signed
    /// id, `accepted` is one of this verifier's offers and the one the signature hashed, and the
    /// signed claims pay that offer's payee, asset and network for this verifier's resource.
    /// Returns the offer's terms. For a merchant that answers a payment it already holds without
    /// the verifier (e.g. a paid page served again within its entitlement), this is what
    /// decides whether the payment is for this page and offer at all.
    pub fn check_wrapper(&self, payload: &PaymentPayload, claims: &AuthorizationClaims) -> Result<&Terms> {
        let ext_id = payload.extension_payment_id().map_err(|e| Error::reject(Rejection::Malformed, e.to_string()))?;
        if ext_id.is_some_and(|id| id != claims.payment_id) {
            return reject(Rejection::Malformed, "the payment-identifier extension and the signed paymentId differ");
        }
        if payload.accepted.get("scheme").and_then(|s| s.as_str()) != Some(SCHEME_EXACT) {
            return reject(Rejection::UnsupportedScheme, "only the exact scheme is accepted");
        }
        // `accepted` must be an offer: equal RFC 8785 forms. Equal JSON values have equal
        // canonical forms, so the common case needs no canonicalization here; only a value
        // that differs (e.g. `300.0` for `300`) is canonicalized to decide.
        let index = match self.offers.iter().position(|o| o.value == payload.accepted) {
            Some(i) => Some(i),
            None => {
                let accepted_canonical = documents::canonical_json(&payload.accepted)?;
                self.offers.iter().position(|o| o.canonical == accepted_canonical)
            }
        };
        let Some(offer) = index.map(|i| &self.offers[i]) else {
            return reject(Rejection::TermsMismatch, "`accepted` is not one of the offered requirements");
        };
        // Same canonical bytes, same hash: the offer's, computed once.
        if offer.hash != claims.accepted_hash {
            return reject(Rejection::TermsMismatch, "acceptedHash does not match `accepted`");
        }
        let terms = &offer.terms;
        if claims.to != terms.pay_to {
            return reject(Rejection::RecipientMismatch, "the authorization pays someone else");
        }
        if claims.asset != terms.price.asset {
            return reject(Rejection::AssetMismatch, format!("{} offered, {} signed", terms.price.asset, claims.asset));
        }
        if claims.network != terms.network {
            return reject(Rejection::NetworkMismatch, format!("{} offered, {} signed", terms.network, claims.network));
        }
        if claims.resource != self.offered.resource.url || payload.resource.url != self.offered.resource.url {
            return reject(Rejection::ResourceMismatch, "the authorization is for another resource");
        }
        Ok(terms)
    }

    /// Steps 15–20: the signed amount covers the price, the validity window holds at `now`
    /// and fits the offer, the nonce is well formed. Returns the signed value.
    fn check_claims(&self, claims: &AuthorizationClaims, terms: &Terms, now: u64) -> Result<Micros> {
        let value = Micros::from_wire(&claims.value, i64::from(claims.asset_scale))
            .map_err(|e| Error::reject(Rejection::Malformed, e.to_string()))?;
        if value < terms.price.micros {
            return reject(Rejection::AmountTooLow, format!("{value} signed, {} asked", terms.price.micros));
        }
        if claims.valid_after > now.saturating_add(self.skew) {
            return reject(Rejection::NotYetValid, "validAfter is in the future");
        }
        if now >= claims.valid_before.saturating_add(self.skew) {
            return reject(Rejection::Expired, "validBefore has passed");
        }
        if claims.valid_before.saturating_sub(claims.valid_after) > terms.max_timeout_seconds
            || claims.valid_before < claims.valid_after
        {
            return reject(Rejection::WindowTooLong, "the validity window exceeds maxTimeoutSeconds");
        }
        if !crate::ids::check_nonce(&claims.nonce) {
            return reject(Rejection::Malformed, "nonce must be 32 bytes in base64url");
        }
        if claims.seq == 0 {
            return reject(Rejection::Malformed, "seq must be at least 1");
        }
        Ok(value)
    }
}

/// The idempotency digest of a payment: SHA-256 of its authorization JWS, as received.
pub fn authorization_digest(jws: &str) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, jws.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    /// serde (the wire) and strum (`Display`/`FromStr`) name each code the same way.
    #[test]
    fn every_rejection_code_is_one_string_on_the_wire_and_in_text() {
        for r in Rejection::iter() {
            let wire = serde_json::to_value(r).unwrap_or_default();
            assert_eq!(wire.as_str(), Some(<&'static str>::from(r)), "{r:?}");
            assert_eq!(r.to_string().parse::<Rejection>().ok(), Some(r));
        }
    }
}
