//! The three signed documents of a payment: authorization, credit note, receipt, and the
//! [`Document`] trait every signed document of the protocol implements (the issuer's are in
//! `settlement`, `statement`, `revocation` and `certificate`).
//!
//! Each names its signer's public key in a claim (`from` or `iss`), so [`open`] verifies the
//! signature with that key. Whether the key is *acceptable* (a trusted issuer, the expected
//! merchant) is the caller's decision, made after `open` returns.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::ids::{Network, PaymentId, PublicKey};
use crate::jws::{self, Compact, Signer};
use crate::money::{Amount, Asset, Micros};

/// The JWS `typ` of a payment authorization.
pub const AUTHORIZATION_TYP: &str = "centime-authorization+jws";
/// The JWS `typ` of a credit note.
pub const CREDIT_TYP: &str = "centime-credit+jws";
/// The JWS `typ` of a receipt.
pub const RECEIPT_TYP: &str = "centime-receipt+jws";

/// A document signed by the key it names.
pub trait Document: Serialize + DeserializeOwned {
    /// The JWS `typ` this document is signed under.
    const TYP: &'static str;
    /// The longest compact JWS of this type that is read at all.
    const MAX_LEN: usize = jws::MAX_JWS_LEN;
    /// The key that must have signed it (its `from` or `iss`).
    fn signer_key(&self) -> &PublicKey;
}

/// The wallet's signed promise to pay: EIP-3009 names where they exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationClaims {
    /// The wallet's public key, which verifies the JWS.
    pub from: PublicKey,
    /// The merchant's account at the issuer (`payTo`).
    pub to: String,
    /// The amount in minor units at `asset_scale`, as decimal digits.
    pub value: String,
    /// The ISO 4217 currency.
    pub asset: Asset,
    /// The number of decimals of `value` (0..=6).
    pub asset_scale: u8,
    /// The issuer whose money pays.
    pub network: Network,
    /// The URL of the page or call paid for.
    pub resource: String,
    /// Not valid before this Unix second.
    pub valid_after: u64,
    /// Not valid from this Unix second on.
    pub valid_before: u64,
    /// 32 random bytes, base64url: with `from`, what the merchant's replay cache remembers.
    pub nonce: String,
    /// Base64url SHA-256 of the RFC 8785 form of the accepted offer.
    pub accepted_hash: String,
    /// The idempotency key: a retry with the same id is the same payment.
    pub payment_id: PaymentId,
    /// The wallet's sequence number of this payment (ADR 21): at least 1, strictly increasing
    /// over all of the key's payments. Two different authorizations with one `seq` prove a fork.
    pub seq: u64,
}

impl Document for AuthorizationClaims {
    const TYP: &'static str = AUTHORIZATION_TYP;
    fn signer_key(&self) -> &PublicKey {
        &self.from
    }
}

impl AuthorizationClaims {
    /// `value` at `asset_scale` as an exact amount.
    pub fn amount(&self) -> Result<Amount> {
        Ok(Amount::new(Micros::from_wire(&self.value, i64::from(self.asset_scale))?, self.asset))
    }

    /// `seq` starts at 1: 0 is what a wallet that never numbered its payments would send.
    pub fn check_seq(&self) -> Result<()> {
        if self.seq >= 1 {
            Ok(())
        } else {
            Err(Error::Json { what: "authorization", detail: "seq must be at least 1".into() })
        }
    }
}

/// An issuer's top-up, bound to one wallet key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreditClaims {
    /// The issuer's public key, which verifies the JWS.
    pub iss: PublicKey,
    /// The issuer's network the money belongs to.
    pub network: Network,
    /// The wallet the credit is for.
    pub sub: PublicKey,
    /// The issuer's id of this credit: a wallet redeems it once.
    pub credit_id: String,
    /// The amount in minor units at `asset_scale`, as decimal digits.
    pub value: String,
    /// The ISO 4217 currency.
    pub asset: Asset,
    /// The number of decimals of `value` (0..=6).
    pub asset_scale: u8,
    /// When the issuer signed it, in Unix seconds.
    pub issued_at: u64,
}

impl Document for CreditClaims {
    const TYP: &'static str = CREDIT_TYP;
    fn signer_key(&self) -> &PublicKey {
        &self.iss
    }
}

impl CreditClaims {
    /// `value` at `asset_scale` as an exact amount.
    pub fn amount(&self) -> Result<Amount> {
        Ok(Amount::new(Micros::from_wire(&self.value, i64::from(self.asset_scale))?, self.asset))
    }

    /// Credit ids are chosen by the issuer: 1-128 of `[A-Za-z0-9_-]`.
    pub fn check_credit_id(&self) -> Result<()> {
        let ok = (1..=128).contains(&self.credit_id.len())
            && self.credit_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(())
        } else {
            Err(Error::Json { what: "credit note", detail: "creditId must be 1-128 of A-Z a-z 0-9 - _".into() })
        }
    }
}

/// A merchant's signed acknowledgement of a payment it accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptClaims {
    /// The merchant's public key, which verifies the JWS.
    pub iss: PublicKey,
    /// The URL of the page or call paid for.
    pub resource_url: String,
    /// The wallet that paid.
    pub payer: PublicKey,
    /// The payment this receipt acknowledges.
    pub payment_id: PaymentId,
    /// The amount in minor units at `asset_scale`, as decimal digits.
    pub value: String,
    /// The ISO 4217 currency.
    pub asset: Asset,
    /// The number of decimals of `value` (0..=6).
    pub asset_scale: u8,
    /// When the merchant signed it, in Unix seconds.
    pub issued_at: u64,
    /// The merchant's reference for the settlement.
    pub transaction: String,
}

impl Document for ReceiptClaims {
    const TYP: &'static str = RECEIPT_TYP;
    fn signer_key(&self) -> &PublicKey {
        &self.iss
    }
}

/// Signs `claims`; the signer must hold the key the claims name.
pub fn sign<T: Document>(signer: &dyn Signer, claims: &T) -> Result<String> {
    if &signer.public_key() != claims.signer_key() {
        return Err(Error::Signing("the claims name another key than the signer's".into()));
    }
    let payload = serde_json::to_vec(claims).map_err(|e| Error::Signing(e.to_string()))?;
    jws::sign(signer, T::TYP, &payload)
}

/// Parses `jws` as a `T` and verifies it under the key the claims name.
pub fn open<T: Document>(jws: &str) -> Result<T> {
    let c = Compact::parse_limited(jws, T::TYP, T::MAX_LEN)?;
    let claims: T = jws::from_json_object(c.payload()).map_err(|e| Error::json("signed claims", e))?;
    c.verify(claims.signer_key())?;
    Ok(claims)
}

/// base64url(SHA-256(JCS(accepted))): binds the authorization to the exact offer accepted.
pub fn accepted_hash(accepted: &Value) -> Result<String> {
    let canonical = serde_json_canonicalizer::to_vec(accepted).map_err(|e| Error::json("accepted", e))?;
    Ok(URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, &canonical)))
}

/// The RFC 8785 canonical form of a JSON value, as bytes.
pub fn canonical_json(v: &Value) -> Result<Vec<u8>> {
    serde_json_canonicalizer::to_vec(v).map_err(|e| Error::json("value", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jws::RingSigner;

    #[test]
    fn jcs_matches_rfc_8785_examples() {
        // RFC 8785 §3.2.2 (sorting and whitespace) and §3.2.2.3 (numbers), reduced to what
        // serde_json can hold exactly.
        let v: Value = serde_json::from_str(
            r#"{ "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
                 "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
                 "literals": [null, true, false] }"#,
        )
        .unwrap();
        let c = String::from_utf8(canonical_json(&v).unwrap()).unwrap();
        assert_eq!(
            c,
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
        // §3.2.3: keys sort by UTF-16 code units.
        let v: Value = serde_json::from_str(
            r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#,
        )
        .unwrap();
        let c = String::from_utf8(canonical_json(&v).unwrap()).unwrap();
        assert_eq!(
            c,
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
    }

    #[test]
    fn documents_open_only_with_their_type_and_key() {
        let s = RingSigner::from_seed(&[3; 32]).unwrap();
        let claims = CreditClaims {
            iss: s.public_key(),
            network: "centime:demo".parse().unwrap(),
            sub: PublicKey([9; 32]),
            credit_id: "c1".into(),
            value: "500".into(),
            asset: Asset::EUR,
            asset_scale: 2,
            issued_at: 1_700_000_000,
        };
        let jws = sign(&s, &claims).unwrap();
        assert_eq!(open::<CreditClaims>(&jws).unwrap(), claims);
        assert!(matches!(open::<ReceiptClaims>(&jws), Err(Error::WrongType { .. })));
        let mut forged = claims.clone();
        forged.iss = PublicKey([1; 32]);
        assert!(sign(&s, &forged).is_err());
        assert_eq!(claims.amount().unwrap().micros.get(), 5_000_000);
    }
}
