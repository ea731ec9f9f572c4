//! The wallet's side of a payment: turning an accepted offer into a signed `PaymentPayload`.

use serde_json::{Map, Value};

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

/// Signs `claims` and wraps them as the `PAYMENT-SIGNATURE` payload, echoing the extensions
/// the merchant `declared` in its 402 that Centime speaks.
pub fn sign_payload(
    signer: &dyn Signer,
    resource: &ResourceInfo,
    accepted: &PaymentRequirements,
    declared: &Map<String, Value>,
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
    payload.echo_declared(declared);
    payload.set_extension_payment_id(&claims.payment_id);
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jws::RingSigner;
    use crate::money::{Amount, Micros};
    use crate::wire::{PAYMENT_IDENTIFIER, PaymentRequired};

    #[test]
    fn the_payment_identifier_echo_keeps_every_declared_field_and_sets_the_id() {
        let network: crate::ids::Network = "centime:demo".parse().unwrap();
        let price = Amount::new(Micros::from_micros(10_000), crate::money::Asset::EUR);
        let offer = PaymentRequirements::centime(&network, "shop", price, 60, "Shop", None).unwrap();
        let mut required = PaymentRequired {
            x402_version: 2,
            error: None,
            resource: ResourceInfo {
                url: "https://shop.example/a".into(),
                description: None,
                mime_type: None,
                other: Default::default(),
            },
            accepts: vec![offer],
            extensions: Map::new(),
            other: Map::new(),
        };
        let declared = serde_json::json!({
            "info": {"required": true, "version": "1"},
            "schema": {"type": "object", "properties": {"id": {"type": "string"}}},
        });
        required.extensions.insert(PAYMENT_IDENTIFIER.into(), declared);
        required.extensions.insert("bazaar".into(), serde_json::json!({"info": {}}));
        let signer = RingSigner::from_seed(&[7; 32]).unwrap();
        let id: PaymentId = "pay_echo_test_000001".parse().unwrap();
        let claims =
            authorization_claims(signer.public_key(), &required.resource, &required.accepts[0], id.clone(), 1, 1_000)
                .unwrap();
        let payload =
            sign_payload(&signer, &required.resource, &required.accepts[0], &required.extensions, &claims).unwrap();
        let echoed = &payload.extensions[PAYMENT_IDENTIFIER];
        assert_eq!(echoed["info"]["required"], Value::Bool(true));
        assert_eq!(echoed["info"]["version"], Value::from("1"));
        assert_eq!(echoed["info"]["id"], Value::from(id.as_str()));
        assert_eq!(echoed["schema"], required.extensions[PAYMENT_IDENTIFIER]["schema"]);
        // Only what Centime speaks is echoed.
        assert!(!payload.extensions.contains_key("bazaar"));
        assert_eq!(payload.extension_payment_id().unwrap(), Some(id));
    }
}
