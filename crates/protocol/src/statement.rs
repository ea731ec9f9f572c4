//! The wallet's statement (ADR 21 §7): the wallet-signed request and the issuer-signed answer
//! with its credits, its settled payments (each with its authorization) and its totals.

use serde::{Deserialize, Serialize};

use crate::documents::{self, Document};
use crate::error::{Error, Result};
use crate::ids::{Network, PaymentId, PublicKey};
use crate::money::Asset;
use crate::revocation::RevokedKey;
use crate::settlement::invalid;

/// The JWS `typ` of a statement request.
pub const STATEMENT_REQUEST_TYP: &str = "centime-statement-request+jws";
/// The JWS `typ` of a statement.
pub const STATEMENT_TYP: &str = "centime-statement+jws";
/// How far a statement request's `issuedAt` may be from the issuer's clock, either way.
pub const STATEMENT_REQUEST_MAX_SKEW_SECONDS: u64 = 300;
/// Longest statement read (about 1.5 KiB a settled payment, with its authorization).
pub const MAX_STATEMENT_LEN: usize = 64 * 1024 * 1024;

/// A wallet's signed request for its statement: only the key's owner can make one, and its
/// nonce and fresh `issuedAt` keep a recorded request from being replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementRequest {
    /// The wallet's key, which verifies the JWS.
    pub from: PublicKey,
    /// The issuer's network.
    pub network: Network,
    /// When the wallet signed it, in Unix seconds.
    pub issued_at: u64,
    /// 32 random bytes, base64url, never sent before.
    pub nonce: String,
}

impl Document for StatementRequest {
    const TYP: &'static str = STATEMENT_REQUEST_TYP;
    fn signer_key(&self) -> &PublicKey {
        &self.from
    }
}

impl StatementRequest {
    /// The checks that need no memory of earlier nonces: the network is `network`, `issuedAt`
    /// is within [`STATEMENT_REQUEST_MAX_SKEW_SECONDS`] of `now`, the nonce is well formed.
    pub fn check(&self, network: &Network, now: u64) -> Result<()> {
        if &self.network != network {
            return Err(invalid("statement request", "it is for another network"));
        }
        if self.issued_at.abs_diff(now) > STATEMENT_REQUEST_MAX_SKEW_SECONDS {
            return Err(invalid("statement request", "issuedAt is more than 300 s from the issuer's clock"));
        }
        if !crate::ids::check_nonce(&self.nonce) {
            return Err(invalid("statement request", "nonce must be 32 bytes in base64url"));
        }
        Ok(())
    }
}

/// Credited and spent per asset, at one `assetScale` (the smallest that writes both exactly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementTotal {
    /// The ISO 4217 currency.
    pub asset: Asset,
    /// The number of decimals of `credited` and `spent` (0..=6).
    pub asset_scale: u8,
    /// The sum of the credit notes, minor units as decimal digits.
    pub credited: String,
    /// The sum of the settled payments, minor units as decimal digits.
    pub spent: String,
}

/// A credit note the issuer signed for the wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementCredit {
    /// The credit note's `creditId`.
    pub credit_id: String,
    /// Its amount in minor units at `asset_scale`.
    pub value: String,
    /// The ISO 4217 currency.
    pub asset: Asset,
    /// The number of decimals of `value`.
    pub asset_scale: u8,
    /// When the issuer signed it.
    pub issued_at: u64,
}

/// A settled payment of the wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatementPayment {
    /// The authorization's `paymentId`.
    pub payment_id: PaymentId,
    /// The authorization's `seq`.
    pub seq: u64,
    /// The merchant it paid.
    pub pay_to: String,
    /// The signed `value`, minor units at `asset_scale`.
    pub value: String,
    /// The ISO 4217 currency.
    pub asset: Asset,
    /// The signed `assetScale`.
    pub asset_scale: u8,
    /// The resource paid for.
    pub resource: String,
    /// When the issuer settled it.
    pub settled_at: u64,
    /// The authorization JWS itself: a restored wallet checks it under its own key and rebuilds
    /// the payment from it.
    pub authorization: String,
}

/// The issuer's signed account of one wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Statement {
    /// The issuer's key, which verifies the JWS.
    pub iss: PublicKey,
    /// The issuer's network.
    pub network: Network,
    /// The wallet the statement is about.
    pub wallet: PublicKey,
    /// When the issuer signed it.
    pub issued_at: u64,
    /// The request's nonce: this statement answers that request and no other.
    pub request_nonce: String,
    /// The highest `seq` the issuer has settled for the wallet (0: none).
    pub highest_seq: u64,
    /// Per asset, in asset order.
    pub totals: Vec<StatementTotal>,
    /// Every credit note, in the order the issuer signed them.
    pub credits: Vec<StatementCredit>,
    /// Every settled payment, in the order the issuer settled them.
    pub settled: Vec<StatementPayment>,
    /// The key's revocation, if it is revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<RevokedKey>,
}

impl Document for Statement {
    const TYP: &'static str = STATEMENT_TYP;
    const MAX_LEN: usize = MAX_STATEMENT_LEN;
    fn signer_key(&self) -> &PublicKey {
        &self.iss
    }
}

impl Statement {
    /// Opens a statement signed by the trusted `issuer` in answer to `request`.
    pub fn open_for(jws: &str, issuer: &PublicKey, request: &StatementRequest) -> Result<Self> {
        let s: Statement = documents::open(jws)?;
        if &s.iss != issuer {
            return Err(Error::UntrustedSigner { what: "statement" });
        }
        if s.wallet != request.from || s.network != request.network || s.request_nonce != request.nonce {
            return Err(invalid("statement", "it answers another request"));
        }
        if s.revoked.as_ref().is_some_and(|r| r.wallet != s.wallet) {
            return Err(invalid("statement", "its revocation names another key"));
        }
        Ok(s)
    }
}
