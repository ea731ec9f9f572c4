//! Settlement (ADR 21): the merchant's signed batch of authorizations, the issuer's signed
//! answer with one stable outcome per item, the settlement deadline, and the fork proof.

use serde::{Deserialize, Serialize};

use crate::documents::{self, AuthorizationClaims, Document};
use crate::error::{Error, Result};
use crate::ids::{Network, PaymentId, PublicKey};
use crate::jws::Compact;

/// The JWS `typ` of a settlement request.
pub const SETTLEMENT_REQUEST_TYP: &str = "centime-settlement-request+jws";
/// The JWS `typ` of the issuer's settlement answer.
pub const SETTLEMENT_TYP: &str = "centime-settlement+jws";
/// Most authorizations one settlement request carries.
pub const MAX_SETTLEMENT_ITEMS: usize = 1_000;
/// Longest settlement request: 1,000 authorizations of at most 8 KiB, base64url once more.
pub const MAX_SETTLEMENT_REQUEST_LEN: usize = 12 * 1024 * 1024;
/// Longest settlement answer (about 200 bytes an item).
pub const MAX_SETTLEMENT_LEN: usize = 1024 * 1024;
/// How long after its `validBefore` an authorization can still be settled (ADR 21 §4); an
/// issuer states its own in `GET /issuer` as `settlementPeriodSeconds`.
pub const DEFAULT_SETTLEMENT_PERIOD_SECONDS: u64 = 7 * 86_400;

/// The first Unix second at which an authorization valid before `valid_before` is refused
/// `past_deadline` by an issuer with this settlement period.
pub fn settlement_deadline(valid_before: u64, period_seconds: u64) -> Result<u64> {
    valid_before.checked_add(period_seconds).ok_or(Error::ArithmeticOverflow)
}

/// A merchant's batch of authorizations, signed by its registered key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettlementRequest {
    /// The merchant's key, registered at the issuer for `pay_to`; verifies the JWS.
    pub iss: PublicKey,
    /// The issuer's network.
    pub network: Network,
    /// The merchant's account: every authorization must pay it.
    pub pay_to: String,
    /// The merchant's id of this batch, echoed in the answer: 1-128 of `[A-Za-z0-9_-]`.
    pub request_id: String,
    /// When the merchant signed it, in Unix seconds.
    pub issued_at: u64,
    /// The authorization JWS as the wallets signed them, 1 to [`MAX_SETTLEMENT_ITEMS`].
    pub authorizations: Vec<String>,
}

impl Document for SettlementRequest {
    const TYP: &'static str = SETTLEMENT_REQUEST_TYP;
    const MAX_LEN: usize = MAX_SETTLEMENT_REQUEST_LEN;
    fn signer_key(&self) -> &PublicKey {
        &self.iss
    }
}

impl SettlementRequest {
    /// The checks of docs/protocol.md §13.2 that need nothing but the document.
    pub fn check(&self) -> Result<()> {
        if !is_id(&self.request_id) {
            return Err(invalid("settlement request", "requestId must be 1-128 of A-Z a-z 0-9 - _"));
        }
        if self.pay_to.is_empty() {
            return Err(invalid("settlement request", "payTo is empty"));
        }
        if self.authorizations.is_empty() || self.authorizations.len() > MAX_SETTLEMENT_ITEMS {
            return Err(invalid("settlement request", "a batch carries 1 to 1000 authorizations"));
        }
        Ok(())
    }
}

/// What became of one authorization of a batch.
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
pub enum SettlementOutcome {
    /// Settled now: the wallet's account paid the merchant's.
    Settled,
    /// This very authorization was settled before (by this batch or an earlier one): the same
    /// answer again, nothing moved.
    AlreadySettled,
    /// Not settled, for the reason in `code`; nothing moved.
    Refused,
}

/// Why the issuer refused to settle an authorization. Stable on the wire (snake_case).
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
pub enum RefusalCode {
    /// Not an authorization JWS, claims of the wrong shape, `seq` 0, a bad nonce or amount.
    Malformed,
    /// The signature does not verify under `from`.
    InvalidSignature,
    /// Signed for another issuer's network.
    NetworkMismatch,
    /// It pays another `payTo` than the batch's merchant.
    NotThisMerchant,
    /// An asset this issuer does not hold.
    UnsupportedAsset,
    /// `validAfter` is still ahead (beyond the skew).
    NotYetValid,
    /// At or after `validBefore` + the settlement period.
    PastDeadline,
    /// The key is revoked and the authorization could not have been accepted by a merchant
    /// with a fresh revocation list.
    RevokedPayer,
    /// Settling it would take the wallet's account below zero; the key is now revoked.
    Overdrawn,
    /// Another authorization with this `(from, nonce)` was settled.
    NonceConflict,
    /// Another authorization with this `paymentId` was settled.
    PaymentIdConflict,
}

/// The issuer's answer for one item, in the order of the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettlementResult {
    /// The item's 0-based position in `authorizations`.
    pub index: u32,
    /// The authorization's `paymentId`, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<PaymentId>,
    /// What became of it.
    pub outcome: SettlementOutcome,
    /// Why it was refused (only with `refused`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<RefusalCode>,
    /// When it was settled (with `settled` and `already_settled`: the first settlement's time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<u64>,
}

/// The issuer's signed answer to a settlement request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettlementAnswer {
    /// The issuer's key, which verifies the JWS.
    pub iss: PublicKey,
    /// The issuer's network.
    pub network: Network,
    /// The merchant that asked.
    pub pay_to: String,
    /// The request's `requestId`.
    pub request_id: String,
    /// When the issuer signed it, in Unix seconds.
    pub issued_at: u64,
    /// One result per authorization, `index` 0, 1, 2… in order.
    pub results: Vec<SettlementResult>,
}

impl Document for SettlementAnswer {
    const TYP: &'static str = SETTLEMENT_TYP;
    const MAX_LEN: usize = MAX_SETTLEMENT_LEN;
    fn signer_key(&self) -> &PublicKey {
        &self.iss
    }
}

impl SettlementAnswer {
    /// Opens an answer and checks that the trusted `issuer` signed it for `request` (same
    /// network, merchant and request id, one result per item in order, codes only on refusals).
    pub fn open_for(jws: &str, issuer: &PublicKey, request: &SettlementRequest) -> Result<Self> {
        let a: SettlementAnswer = documents::open(jws)?;
        if &a.iss != issuer {
            return Err(Error::UntrustedSigner { what: "settlement answer" });
        }
        if a.network != request.network || a.pay_to != request.pay_to || a.request_id != request.request_id {
            return Err(invalid("settlement answer", "it answers another request"));
        }
        if a.results.len() != request.authorizations.len() {
            return Err(invalid("settlement answer", "not one result per authorization"));
        }
        for (i, r) in a.results.iter().enumerate() {
            if usize::try_from(r.index).ok() != Some(i) {
                return Err(invalid("settlement answer", "results out of order"));
            }
            let coded = r.code.is_some();
            let dated = r.settled_at.is_some();
            let consistent = match r.outcome {
                SettlementOutcome::Refused => coded && !dated,
                SettlementOutcome::Settled | SettlementOutcome::AlreadySettled => !coded && dated,
            };
            if !consistent {
                return Err(invalid("settlement answer", "an outcome with a missing or stray code or time"));
            }
        }
        Ok(a)
    }
}

/// Two authorizations from one key with one `seq`: only a restored or copied wallet signs
/// them (ADR 21 §1). Anyone checks it with the wallet's public key alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForkProof {
    /// One authorization JWS.
    pub first: String,
    /// The other.
    pub second: String,
}

/// What a valid [`ForkProof`] proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fork {
    /// The wallet key that signed both.
    pub wallet: PublicKey,
    /// The sequence number it used twice.
    pub seq: u64,
}

impl ForkProof {
    /// Both JWS verify under the same `from`, carry the same `seq` (at least 1), and sign
    /// different claims.
    pub fn check(&self) -> Result<Fork> {
        let a = open_authorization(&self.first)?;
        let b = open_authorization(&self.second)?;
        if a.from != b.from {
            return Err(invalid("fork proof", "the two authorizations are from different keys"));
        }
        if a.seq != b.seq {
            return Err(invalid("fork proof", "the two authorizations carry different seq"));
        }
        if a == b {
            return Err(invalid("fork proof", "the two authorizations sign the same claims"));
        }
        Ok(Fork { wallet: a.from, seq: a.seq })
    }
}

/// Opens an authorization JWS under its `from` and checks its `seq`.
pub fn open_authorization(jws: &str) -> Result<AuthorizationClaims> {
    let claims: AuthorizationClaims = documents::open(jws)?;
    claims.check_seq()?;
    Ok(claims)
}

/// The claims of an authorization JWS, read without verifying its signature (to find what an
/// unverifiable item was about); `None` when it does not parse.
pub fn peek_authorization(jws: &str) -> Option<AuthorizationClaims> {
    let c = Compact::parse(jws, documents::AUTHORIZATION_TYP).ok()?;
    serde_json::from_slice(c.payload()).ok()
}

pub(crate) fn is_id(s: &str) -> bool {
    (1..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(crate) fn invalid(what: &'static str, detail: &str) -> Error {
    Error::InvalidDocument { what, detail: detail.to_owned() }
}
