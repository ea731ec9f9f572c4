//! The wallet's side of a payment: turning an accepted offer into a signed `PaymentPayload`.

use crate::documents::{self, AuthorizationClaims};
use crate::error::{Error, Result};
use crate::ids::{PaymentId, random_nonce};
use crate::jws::Signer;
use crate::wire::{AuthorizationEnvelope, PaymentPayload, PaymentRequirements, ResourceInfo, X402_VERSION};

/// The claims the wallet will sign for `accepted`, valid from `now` for the offer's
/// `maxTimeoutSeconds`. Separate from signing so that the wallet can store them first. `seq` is
/// the wallet's next sequence number (ADR 21), assigned in the transaction that stores them.
pub fn authorization_claims(
    from: crate::ids::PublicKey,
    resource: &ResourceInfo,
    accepted: &PaymentRequirements,
    payment_id: PaymentId,
    seq: u64,
    now: u64,
) -> Result<AuthorizationClaims> {
    if seq == 0 {
        return Err(Error::Signing("seq starts at 1".into()));
    }
    let terms = accepted.terms()?;
    Ok(AuthorizationClaims {
        from,
        to: terms.pay_to,
        value: accepted.amount.clone(),
        asset: terms.price.asset,
        asset_scale: terms.asset_scale,
        network: terms.network,
        resource: resource.url.clone(),
        valid_after: now,
        valid_before: now.checked_add(terms.max_timeout_seconds).ok_or(Error::ArithmeticOverflow)?,
        nonce: random_nonce()?,
        accepted_hash: documents::accepted_hash(&accepted.to_value()?)?,
        payment_id,
        seq,
    })
}

/// Signs `claims` and wraps them as the `PAYMENT-SIGNATURE` payload.
pub fn sign_payload(
    signer: &dyn Signer,
    resource: &ResourceInfo,
    accepted: &PaymentRequirements,
    claims: &AuthorizationClaims,
) -> Result<PaymentPayload> {
    let authorization = documents::sign(signer, claims)?;
    let mut payload = PaymentPayload {
        x402_version: X402_VERSION,
        resource: resource.clone(),
        accepted: accepted.to_value()?,
        payload: AuthorizationEnvelope { authorization, other: Default::default() },
        extensions: Default::default(),
        other: Default::default(),
    };
    payload.set_extension_payment_id(&claims.payment_id);
    Ok(payload)
}
