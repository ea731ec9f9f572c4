//! The magazine as a merchant: its offers (402s), payment acceptance through
//! `centime_protocol::Verifier`, signed receipts, and the settlement view of its ledger.

use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use centime_protocol::documents::{self, AuthorizationClaims, ReceiptClaims};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::{
    Amount, Clock, Network, PaymentId, PaymentRequired, PaymentRequirements, Rejection, ReplayCache, ResourceInfo,
    SettlementResponse, Verified, Verifier,
};
use serde_json::{Map, Value};

use crate::ledger::{Entry, Ledger, RecordError};

/// Who the magazine is, as a merchant of the demo issuer.
#[derive(Debug)]
pub struct Merchant {
    pub signer: RingSigner,
    pub network: Network,
    pub pay_to: String,
    pub name: String,
    pub max_timeout_seconds: u64,
    pub entitlement_seconds: u64,
}

/// What became of a `PAYMENT-SIGNATURE`.
#[derive(Debug)]
pub enum Outcome {
    /// Accepted now, or an idempotent retry of a payment accepted before that still entitles the
    /// payer to this page. `entry` is the ledger row (with the receipt).
    Paid { entry: Box<Entry>, fresh: bool },
    /// Refused, with the protocol's rejection code and a sentence.
    Refused { rejection: Rejection, message: String },
}

impl Merchant {
    /// The 402 for one priced resource, declaring the payment-identifier extension.
    pub fn payment_required(&self, url: &str, description: &str, price: Amount) -> Result<PaymentRequired> {
        let offer = PaymentRequirements::centime(
            &self.network,
            &self.pay_to,
            price,
            self.max_timeout_seconds,
            &self.name,
            Some(self.entitlement_seconds),
        )?;
        let mut pr = PaymentRequired {
            x402_version: centime_protocol::wire::X402_VERSION,
            error: None,
            resource: ResourceInfo {
                url: url.to_owned(),
                description: Some(description.to_owned()),
                mime_type: Some("application/json".into()),
                other: Map::new(),
            },
            accepts: vec![offer],
            extensions: Map::new(),
            other: Map::new(),
        };
        pr.declare_payment_identifier();
        Ok(pr)
    }

    /// Verifies `header` against `offered` and records the payment; blocking (SQLite).
    ///
    /// A payload already accepted (same payment id, same bytes) returns its first answer if it is
    /// for this resource and still inside its entitlement window; otherwise it is refused.
    pub fn accept(
        &self,
        ledger: &Ledger,
        clock: Arc<dyn Clock>,
        offered: PaymentRequired,
        header: &str,
    ) -> Result<Outcome> {
        let url = offered.resource.url.clone();
        let now = clock.now();
        let verifier = Verifier::new(offered, clock)?;
        let cache = Acceptance { merchant: self, ledger, recorded: Mutex::new(None), failure: Mutex::new(None) };
        let verified = match verifier.verify(header, &cache) {
            Ok(v) => v,
            Err(e) => {
                if let Some(failure) = take(&cache.failure) {
                    return Err(failure.context("recording a payment"));
                }
                let rejection = e.rejection();
                return Ok(Outcome::Refused { rejection, message: e.to_string() });
            }
        };
        if let Some(entry) = take(&cache.recorded) {
            return Ok(Outcome::Paid { entry: Box::new(entry), fresh: true });
        }
        // The verifier answered from the ledger: an idempotent retry of an earlier payment.
        let entry = ledger
            .by_payment_id(verified.payment_id().as_str())?
            .context("a payment the ledger returned is no longer in it")?;
        if entry.resource != url {
            return Ok(Outcome::Refused {
                rejection: Rejection::ResourceMismatch,
                message: "this payment was accepted for another page".into(),
            });
        }
        if now >= entry.accepted_at.saturating_add(self.entitlement_seconds) {
            return Ok(Outcome::Refused {
                rejection: Rejection::Expired,
                message: format!(
                    "this payment entitled its payer to the page for {} seconds, which have passed; pay again",
                    self.entitlement_seconds
                ),
            });
        }
        Ok(Outcome::Paid { entry: Box::new(entry), fresh: false })
    }

    /// The `PAYMENT-RESPONSE` for a ledger entry.
    pub fn settlement(&self, entry: &Entry) -> SettlementResponse {
        SettlementResponse {
            success: true,
            error_reason: None,
            transaction: entry.transaction.clone(),
            network: self.network.to_string(),
            payer: entry.payer.clone(),
            amount: Some(entry.value.clone()),
            receipt: Some(entry.receipt.clone()),
            other: Map::new(),
        }
    }

    fn receipt(&self, v: &Verified, transaction: &str, now: u64) -> Result<String> {
        let claims = ReceiptClaims {
            iss: self.signer.public_key(),
            resource_url: v.claims.resource.clone(),
            payer: v.claims.from,
            payment_id: v.claims.payment_id.clone(),
            value: v.claims.value.clone(),
            asset: v.claims.asset,
            asset_scale: v.claims.asset_scale,
            issued_at: now,
            transaction: transaction.to_owned(),
        };
        Ok(documents::sign(&self.signer, &claims)?)
    }
}

fn take<T>(m: &Mutex<Option<T>>) -> Option<T> {
    m.lock().ok().and_then(|mut g| g.take())
}

/// The verifier's replay cache for one request, backed by the durable ledger: recording a
/// payment *is* accepting it (ledger row and receipt in one transaction).
struct Acceptance<'a> {
    merchant: &'a Merchant,
    ledger: &'a Ledger,
    recorded: Mutex<Option<Entry>>,
    failure: Mutex<Option<anyhow::Error>>,
}

impl Acceptance<'_> {
    fn fail(&self, e: anyhow::Error) {
        tracing::error!(error = %format!("{e:#}"), "ledger failure while accepting a payment");
        if let Ok(mut f) = self.failure.lock() {
            *f = Some(e);
        }
    }

    fn entry(&self, v: &Verified, digest: [u8; 32], now: u64) -> Result<Entry> {
        let transaction = format!("tx_{}", random_id()?);
        let receipt = self.merchant.receipt(v, &transaction, now)?;
        Ok(Entry {
            payment_id: v.claims.payment_id.to_string(),
            digest,
            payer: v.claims.from.to_string(),
            nonce: v.claims.nonce.clone(),
            micros: v.amount.micros,
            asset: v.amount.asset,
            value: v.claims.value.clone(),
            asset_scale: v.claims.asset_scale,
            resource: v.claims.resource.clone(),
            accepted_at: now,
            valid_before: v.claims.valid_before,
            transaction,
            authorization: v.authorization.clone(),
            receipt,
        })
    }
}

impl ReplayCache for Acceptance<'_> {
    fn previous(&self, payment_id: &PaymentId, digest: &[u8; 32]) -> Option<Verified> {
        let entry = match self.ledger.by_payment_id(payment_id.as_str()) {
            Ok(Some(e)) if &e.digest == digest => e,
            Ok(_) => return None,
            Err(e) => {
                self.fail(e);
                return None;
            }
        };
        // The row was verified when it was recorded; reopen it to rebuild the verified claims.
        match documents::open::<AuthorizationClaims>(&entry.authorization).and_then(|claims| {
            Ok(Verified { amount: claims.amount()?, authorization: entry.authorization.clone(), claims })
        }) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(anyhow::Error::new(e).context("a stored authorization no longer opens"));
                None
            }
        }
    }

    fn record(&self, v: &Verified, digest: [u8; 32], _forget_after: u64, now: u64) -> Result<(), Rejection> {
        let entry = match self.entry(v, digest, now) {
            Ok(e) => e,
            Err(e) => {
                self.fail(e);
                return Err(Rejection::Malformed);
            }
        };
        match self.ledger.record(&entry) {
            Ok(()) => {
                tracing::info!(
                    payment_id = %entry.payment_id,
                    amount = %Amount::new(entry.micros, entry.asset),
                    resource = %entry.resource,
                    "payment accepted"
                );
                if let Ok(mut r) = self.recorded.lock() {
                    *r = Some(entry);
                }
                Ok(())
            }
            Err(RecordError::Replay(r)) => Err(r),
            Err(RecordError::Store(e)) => {
                self.fail(e);
                // Refuse: nothing was recorded, so nothing may be served. The handler sees the
                // failure and answers 503 rather than this code.
                Err(Rejection::Malformed)
            }
        }
    }
}

/// 16 random bytes, base64url: for transaction and credit ids.
pub fn random_id() -> Result<String> {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 16];
    ring::rand::SystemRandom::new().fill(&mut b).map_err(|_| anyhow::anyhow!("the system random generator failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(b))
}

/// The `PAYMENT-REQUIRED` value and JSON body of a refusal: the offer with `error` set to the
/// rejection code, plus a `message`.
pub fn refusal(mut offered: PaymentRequired, rejection: Rejection, message: &str) -> Result<(String, Value)> {
    offered.error = Some(rejection.code().to_owned());
    let header = offered.to_header()?;
    let mut body = serde_json::to_value(&offered)?;
    if let Value::Object(m) = &mut body {
        m.insert("message".into(), Value::from(message));
    }
    Ok((header, body))
}
