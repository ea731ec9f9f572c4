//! The magazine as a merchant: its offers (402s, with the issuer's certificate), payment
//! acceptance through `centime_protocol::Verifier` (with the issuer's revocation list), and
//! signed receipts.

use std::sync::{Arc, Mutex, RwLock};

use anyhow::{Context as _, Result};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use centime_protocol::certificate::MerchantCertificate;
use centime_protocol::documents::{self, AuthorizationClaims, ReceiptClaims};
use centime_protocol::jws::{Compact, RingSigner, Signer as _};
use centime_protocol::revocation::{RevocationList, Revocations};
use centime_protocol::{
    Amount, Clock, Network, PaymentId, PaymentPayload, PaymentRequired, PaymentRequirements, Rejection, ReplayCache,
    ResourceInfo, SettlementResponse, Verified, Verifier,
};
use serde_json::{Map, Value};

use crate::ledger::{Entry, Ledger, RecordError};

/// The one scale of every offer, whatever its asset or price: micro-units, so that an x402
/// client capping spending by the integer `amount` compares the same money on every page.
pub const OFFER_SCALE: u8 = 6;

/// Where the certificate goes in each offer (ADR 21 §8, docs/protocol.md §13.6).
pub const EXTRA_CERTIFICATE: &str = "merchantCertificate";

/// Who the magazine is, as a merchant of the demo issuer.
#[derive(Debug)]
pub struct Merchant {
    pub signer: RingSigner,
    pub network: Network,
    pub pay_to: String,
    pub name: String,
    pub max_timeout_seconds: u64,
    pub entitlement_seconds: u64,
    /// The issuer's certificate of this merchant, checked, served in every offer.
    certificate: RwLock<Option<Certified>>,
    /// The one served before it: payments signed against its offers are still taken.
    previous_certificate: RwLock<Option<Certified>>,
    /// The issuer's latest revocation list, checked, applied to every new payment, with its
    /// `nextUpdate`.
    revocations: RwLock<Option<(Arc<Revocations>, u64)>>,
}

/// A certificate as served (the JWS) and as read.
#[derive(Debug, Clone)]
pub struct Certified {
    pub jws: String,
    pub claims: MerchantCertificate,
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
    pub fn new(signer: RingSigner, network: Network, pay_to: &str, name: &str) -> Self {
        Merchant {
            signer,
            network,
            pay_to: pay_to.to_owned(),
            name: name.to_owned(),
            max_timeout_seconds: crate::app::MAX_TIMEOUT_SECONDS,
            entitlement_seconds: crate::app::ENTITLEMENT_SECONDS,
            certificate: RwLock::new(None),
            previous_certificate: RwLock::new(None),
            revocations: RwLock::new(None),
        }
    }

    /// The certificate served now, if any.
    pub fn certificate(&self) -> Option<Certified> {
        self.certificate.read().ok().and_then(|c| c.clone())
    }

    pub fn set_certificate(&self, c: Certified) {
        if let Ok(mut slot) = self.certificate.write() {
            let replaced = slot.replace(c);
            if let Some(old) = replaced.filter(|old| slot.as_ref().is_some_and(|new| new.jws != old.jws))
                && let Ok(mut previous) = self.previous_certificate.write()
            {
                *previous = Some(old);
            }
        }
    }

    /// `offered` as it was written with the previous certificate, while that one is valid.
    fn with_previous_certificate(&self, offered: &PaymentRequired, now: u64) -> Option<PaymentRequired> {
        let previous = self.previous_certificate.read().ok()?.clone().filter(|c| now < c.claims.not_after)?;
        let mut offered = offered.clone();
        for offer in &mut offered.accepts {
            offer.extra.insert(EXTRA_CERTIFICATE.into(), Value::String(previous.jws.clone()));
        }
        Some(offered)
    }

    /// The revocation list applied now, if any.
    pub fn revocations(&self) -> Option<Arc<Revocations>> {
        self.revocations.read().ok().and_then(|r| r.as_ref().map(|(l, _)| l.clone()))
    }

    /// When the list held is due for a refresh (`None`: no list yet).
    pub fn revocations_next_update(&self) -> Option<u64> {
        self.revocations.read().ok().and_then(|r| r.as_ref().map(|(_, next)| *next))
    }

    /// Takes `list` (checked) unless the one held was signed later (a list only ever grows).
    pub fn set_revocations(&self, list: RevocationList) {
        let next_update = list.next_update;
        let list = Revocations::new(list);
        if let Ok(mut slot) = self.revocations.write()
            && slot.as_ref().is_none_or(|(held, _)| held.issued_at() <= list.issued_at())
        {
            *slot = Some((Arc::new(list), next_update));
        }
    }

    /// The 402 for one priced resource, declaring the payment-identifier extension.
    pub fn payment_required(&self, url: &str, description: &str, price: Amount) -> Result<PaymentRequired> {
        let mut offer = PaymentRequirements::centime(
            &self.network,
            &self.pay_to,
            price,
            self.max_timeout_seconds,
            &self.name,
            Some(self.entitlement_seconds),
        )?
        .with_scale(OFFER_SCALE)?;
        if let Some(c) = self.certificate() {
            offer.extra.insert(EXTRA_CERTIFICATE.into(), Value::String(c.jws));
        }
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
    /// Entitlement: a header carrying an authorization this merchant already accepted for this
    /// very page (byte-identical JWS, found by its payment id, in a wrapper that names this page
    /// and its offer) gets the page again, with the first receipt, for `entitlement_seconds`
    /// after it was accepted. Nothing is charged or recorded again. Everything else goes
    /// through the protocol's `Verifier`.
    ///
    /// A payment signed against the offer as it was with the previous certificate (the offer
    /// changed under it when the certificate was renewed) is taken as one against this offer.
    pub fn accept(
        &self,
        ledger: &Ledger,
        clock: Arc<dyn Clock>,
        offered: PaymentRequired,
        header: &str,
    ) -> Result<Outcome> {
        let now = clock.now();
        let outcome = self.accept_offer(ledger, clock.clone(), offered.clone(), header)?;
        if let Outcome::Refused { rejection: Rejection::TermsMismatch, .. } = &outcome
            && let Some(before) = self.with_previous_certificate(&offered, now)
        {
            let retried = self.accept_offer(ledger, clock, before, header)?;
            if matches!(retried, Outcome::Paid { .. }) {
                return Ok(retried);
            }
        }
        Ok(outcome)
    }

    fn accept_offer(
        &self,
        ledger: &Ledger,
        clock: Arc<dyn Clock>,
        offered: PaymentRequired,
        header: &str,
    ) -> Result<Outcome> {
        let url = offered.resource.url.clone();
        let now = clock.now();
        let mut verifier = Verifier::new(offered, clock)?;
        if let Some(list) = self.revocations() {
            verifier = verifier.with_revocations(list);
        }
        if let Some(outcome) = self.earlier_payment(ledger, &verifier, header, &url, now)? {
            return Ok(outcome);
        }
        let cache = Acceptance { merchant: self, ledger, recorded: Mutex::new(None), failure: Mutex::new(None) };
        let verified = match verifier.verify(header, &cache) {
            Ok(v) => v,
            Err(e) => {
                if let Some(failure) = take(&cache.failure) {
                    return Err(failure.context("recording a payment"));
                }
                let rejection = e.rejection();
                // The same authorization sent again before its first copy was committed lost
                // the race to the ledger: now that the first copy is in, it is that payment's
                // retry, and gets the page like any later retry.
                if matches!(rejection, Rejection::ReplayedNonce | Rejection::PaymentIdConflict)
                    && let Some(outcome) = self.earlier_payment(ledger, &verifier, header, &url, now)?
                {
                    return Ok(outcome);
                }
                return Ok(Outcome::Refused { rejection, message: e.to_string() });
            }
        };
        if let Some(entry) = take(&cache.recorded) {
            return Ok(Outcome::Paid { entry: Box::new(entry), fresh: true });
        }
        // The verifier answered from the ledger: the idempotent retry of an earlier payment
        // (normally caught above; this covers a payload that differs only outside the JWS).
        let entry = ledger
            .by_payment_id(verified.payment_id().as_str())?
            .context("a payment the ledger returned is no longer in it")?;
        Ok(self.entitlement(entry, &url, now))
    }

    /// The answer for a payload whose authorization is already in the ledger, if it is.
    fn earlier_payment(
        &self,
        ledger: &Ledger,
        verifier: &Verifier,
        header: &str,
        url: &str,
        now: u64,
    ) -> Result<Option<Outcome>> {
        let Ok(payload) = PaymentPayload::from_header(header) else { return Ok(None) };
        let jws = &payload.payload.authorization;
        // Unverified claims, used only to find the row; the row must hold the very same JWS.
        let Ok(compact) = Compact::parse(jws, documents::AUTHORIZATION_TYP) else { return Ok(None) };
        let Ok(claims) = serde_json::from_slice::<AuthorizationClaims>(compact.payload()) else { return Ok(None) };
        match ledger.by_payment_id(claims.payment_id.as_str())? {
            Some(entry) if entry.authorization == *jws => {
                // The signed part is the one accepted; the unsigned wrapper must still name
                // this page and one of its offers, with the verifier's own codes if it does not.
                if let Err(e) = verifier.check_wrapper(&payload, &claims) {
                    return Ok(Some(Outcome::Refused { rejection: e.rejection(), message: e.to_string() }));
                }
                Ok(Some(self.entitlement(entry, url, now)))
            }
            _ => Ok(None),
        }
    }

    fn entitlement(&self, entry: Entry, url: &str, now: u64) -> Outcome {
        if entry.resource != url {
            return Outcome::Refused {
                rejection: Rejection::ResourceMismatch,
                message: "this payment was accepted for another page".into(),
            };
        }
        if now >= entry.accepted_at.saturating_add(self.entitlement_seconds) {
            return Outcome::Refused {
                rejection: Rejection::Expired,
                message: format!(
                    "this payment entitled its payer to the page for {} seconds, which have passed; pay again",
                    self.entitlement_seconds
                ),
            };
        }
        Outcome::Paid { entry: Box::new(entry), fresh: false }
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
    offered.error = Some(rejection.to_string());
    let header = offered.to_header()?;
    let mut body = serde_json::to_value(&offered)?;
    if let Value::Object(m) = &mut body {
        m.insert("message".into(), Value::from(message));
    }
    Ok((header, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use centime_protocol::payment::{authorization_claims, sign_payload};
    use centime_protocol::{Asset, FixedClock, Micros};

    fn merchant() -> Merchant {
        let mut m = Merchant::new(
            RingSigner::from_seed(&[9; 32]).unwrap(),
            "centime:demo".parse().unwrap(),
            "demo-magazine",
            "Test",
        );
        m.entitlement_seconds = 1_000;
        m
    }

    #[test]
    fn an_accepted_payment_entitles_its_payer_for_a_while_then_not() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l.db")).unwrap();
        let m = merchant();
        let t0 = 1_800_000_000;
        let clock = Arc::new(FixedClock::new(t0));
        let url = "http://127.0.0.1:1/articles/a/1";
        let offered = m.payment_required(url, "a", Amount::new(Micros::from_micros(5_000), Asset::EUR)).unwrap();
        let wallet = RingSigner::from_seed(&[1; 32]).unwrap();
        let accepted = &offered.accepts[0];
        let claims =
            authorization_claims(wallet.public_key(), &offered.resource, accepted, PaymentId::random().unwrap(), 1, t0)
                .unwrap();
        let header = sign_payload(&wallet, &offered.resource, accepted, &offered.extensions, &claims)
            .unwrap()
            .to_header()
            .unwrap();

        let Outcome::Paid { entry: first, fresh: true } =
            m.accept(&ledger, clock.clone(), offered.clone(), &header).unwrap()
        else {
            panic!("not accepted")
        };
        let receipt = documents::open::<ReceiptClaims>(&first.receipt).unwrap();
        assert_eq!(receipt.iss, m.signer.public_key());
        assert_eq!(receipt.issued_at, t0);

        // Long after the authorization expired, but inside the entitlement: the first answer.
        clock.set(t0 + 999);
        let Outcome::Paid { entry, fresh: false } = m.accept(&ledger, clock.clone(), offered.clone(), &header).unwrap()
        else {
            panic!("not entitled")
        };
        assert_eq!(entry, first);

        clock.set(t0 + 1_000);
        match m.accept(&ledger, clock.clone(), offered.clone(), &header).unwrap() {
            Outcome::Refused { rejection, .. } => assert_eq!(rejection, Rejection::Expired),
            other => panic!("{other:?}"),
        }
        assert_eq!(ledger.entries().unwrap().len(), 1);
    }

    /// One ledger behind every page, as the magazine runs: the shared replay cache the security review tested.
    /// The payment for page A opens page A again, and nothing else: not page B, not its own
    /// authorization rewrapped with another offer or another payment-identifier extension.
    #[test]
    fn a_payment_for_one_page_opens_no_other_page_and_no_rewrapped_copy() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l.db")).unwrap();
        let m = merchant();
        let t0 = 1_800_000_000;
        let clock = Arc::new(FixedClock::new(t0));
        let price = Amount::new(Micros::from_micros(5_000), Asset::EUR);
        let page_a = m.payment_required("http://127.0.0.1:1/articles/a/1", "a", price).unwrap();
        let page_b = m.payment_required("http://127.0.0.1:1/articles/a/2", "b", price).unwrap();
        let wallet = RingSigner::from_seed(&[1; 32]).unwrap();
        let accepted = &page_a.accepts[0];
        let claims =
            authorization_claims(wallet.public_key(), &page_a.resource, accepted, PaymentId::random().unwrap(), 1, t0)
                .unwrap();
        let payload = sign_payload(&wallet, &page_a.resource, accepted, &page_a.extensions, &claims).unwrap();
        let header = payload.to_header().unwrap();
        let Outcome::Paid { fresh: true, .. } = m.accept(&ledger, clock.clone(), page_a.clone(), &header).unwrap()
        else {
            panic!("not accepted")
        };
        let refused =
            |offered: &PaymentRequired, header: &str| match m.accept(&ledger, clock.clone(), offered.clone(), header) {
                Ok(Outcome::Refused { rejection, .. }) => rejection,
                other => panic!("{other:?}"),
            };

        clock.set(t0 + 5);
        assert_eq!(refused(&page_b, &header), Rejection::ResourceMismatch);
        let mut other_id = payload.clone();
        other_id.set_extension_payment_id(&PaymentId::random().unwrap());
        assert_eq!(refused(&page_a, &other_id.to_header().unwrap()), Rejection::Malformed);
        let mut other_offer = payload.clone();
        other_offer.accepted["payTo"] = Value::from("someone-else");
        assert_eq!(refused(&page_a, &other_offer.to_header().unwrap()), Rejection::TermsMismatch);
        let mut other_page = payload.clone();
        other_page.resource.url = page_b.resource.url.clone();
        assert_eq!(refused(&page_b, &other_page.to_header().unwrap()), Rejection::ResourceMismatch);

        // The payment itself still opens its page.
        let Outcome::Paid { fresh: false, .. } = m.accept(&ledger, clock.clone(), page_a.clone(), &header).unwrap()
        else {
            panic!("the paid page is not open again")
        };
        assert_eq!(ledger.entries().unwrap().len(), 1);
    }

    fn certified(m: &Merchant, jws: &str, not_after: u64) -> Certified {
        Certified {
            jws: jws.into(),
            claims: MerchantCertificate {
                iss: RingSigner::from_seed(&[8; 32]).unwrap().public_key(),
                network: m.network.clone(),
                pay_to: m.pay_to.clone(),
                origins: vec!["http://127.0.0.1:1".into()],
                receipt_key: m.signer.public_key(),
                name: m.name.clone(),
                issued_at: 1,
                not_after,
            },
        }
    }

    /// The offer carries the certificate and the payment signs the offer: a renewed
    /// certificate must not void what was signed against the one before.
    #[test]
    fn payments_signed_before_the_certificate_was_renewed_are_still_taken() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&dir.path().join("l.db")).unwrap();
        let m = merchant();
        let t0 = 1_800_000_000;
        let clock = Arc::new(FixedClock::new(t0));
        let price = Amount::new(Micros::from_micros(5_000), Asset::EUR);
        let url = "http://127.0.0.1:1/articles/a/1";
        m.set_certificate(certified(&m, "old.certificate.jws", t0 + 10_000));
        let old_offer = m.payment_required(url, "a", price).unwrap();
        assert_eq!(old_offer.accepts[0].extra[EXTRA_CERTIFICATE], "old.certificate.jws");
        let wallet = RingSigner::from_seed(&[1; 32]).unwrap();
        let sign = |seq| {
            let accepted = &old_offer.accepts[0];
            let claims = authorization_claims(
                wallet.public_key(),
                &old_offer.resource,
                accepted,
                PaymentId::random().unwrap(),
                seq,
                t0,
            )
            .unwrap();
            sign_payload(&wallet, &old_offer.resource, accepted, &old_offer.extensions, &claims)
                .unwrap()
                .to_header()
                .unwrap()
        };
        let (paid_before, in_flight) = (sign(1), sign(2));
        let accept = |offered: &PaymentRequired, h: &str| m.accept(&ledger, clock.clone(), offered.clone(), h).unwrap();
        assert!(matches!(accept(&old_offer, &paid_before), Outcome::Paid { fresh: true, .. }));

        m.set_certificate(certified(&m, "new.certificate.jws", t0 + 20_000));
        let new_offer = m.payment_required(url, "a", price).unwrap();
        assert_eq!(new_offer.accepts[0].extra[EXTRA_CERTIFICATE], "new.certificate.jws");
        assert!(matches!(accept(&new_offer, &paid_before), Outcome::Paid { fresh: false, .. }));
        assert!(matches!(accept(&new_offer, &in_flight), Outcome::Paid { fresh: true, .. }));

        // Once the old certificate has expired, its offers are no longer this page's.
        clock.set(t0 + 10_000);
        match accept(&new_offer, &sign(3)) {
            Outcome::Refused { rejection, .. } => assert_eq!(rejection, Rejection::TermsMismatch),
            other => panic!("{other:?}"),
        }
        assert_eq!(ledger.entries().unwrap().len(), 2);
    }

    #[test]
    fn a_refusal_carries_the_code_in_header_and_body() {
        let m = merchant();
        let offered =
            m.payment_required("http://x/a", "a", Amount::new(Micros::from_micros(100_000), Asset::EUR)).unwrap();
        let (header, body) = refusal(offered, Rejection::AmountTooLow, "too little").unwrap();
        assert_eq!(PaymentRequired::from_header(&header).unwrap().error.as_deref(), Some("amount_too_low"));
        assert_eq!(body["error"], "amount_too_low");
        assert_eq!(body["message"], "too little");
        // 0.10 EUR at the one scale of every offer, micro-units.
        assert_eq!(body["accepts"][0]["amount"], "100000");
        assert_eq!(body["accepts"][0]["extra"]["assetScale"], OFFER_SCALE);
    }
}
