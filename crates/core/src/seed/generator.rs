//! The generator behind `centime dev seed`: sites, pages and prices drawn from a seeded
//! random number generator, and each planned row's documents signed as their signers would.

use std::collections::HashMap;

use centime_protocol::documents::{self, AuthorizationClaims, CreditClaims, ReceiptClaims};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::{Amount, Asset, Micros, Network, PaymentId, PaymentRequired, PaymentRequirements};

use super::{PRICES, TOPUP};
use crate::error::{Error, Result};
use crate::journal;

/// SplitMix64: small, fast, and the same on every platform.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Skewed towards 0: a few sites and pages get most of the reading, as in life.
    pub(super) fn skewed(&mut self, n: u64) -> u64 {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b).min(self.below(n))
    }
    /// True with probability `per_mille` / 1000.
    pub(super) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
    pub(super) fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        out
    }
}

pub(super) const FIRST: [&str; 16] = [
    "daily", "morning", "open", "quiet", "green", "north", "city", "deep", "plain", "bright", "small", "long", "fresh",
    "local", "night", "slow",
];
pub(super) const SECOND: [&str; 20] = [
    "news", "review", "journal", "gazette", "science", "kitchen", "garden", "travel", "finance", "sports", "music",
    "cinema", "books", "health", "code", "maps", "weather", "history", "design", "letters",
];
pub(super) const TOPICS: [&str; 24] = [
    "the economics of small payments",
    "a week on the night train",
    "why bread needs time",
    "the river that moved",
    "notes on a quiet election",
    "how to read a balance sheet",
    "the last lighthouse keeper",
    "what the data says about sleep",
    "a recipe for winter soup",
    "the match nobody expected",
    "ten records from the seventies",
    "inside the new library",
    "learning to sail at fifty",
    "a map of forgotten railways",
    "the price of a page",
    "storms and how we name them",
    "a short history of the comma",
    "rebuilding the old bridge",
    "the case for slower cities",
    "an interview with a beekeeper",
    "the science of tides",
    "on writing letters again",
    "a guide to mountain huts",
    "what makes a good chair",
];

pub(super) struct Site {
    pub(super) origin: String,
    pub(super) name: String,
    pub(super) pay_to: String,
    pub(super) merchant: RingSigner,
    pub(super) entitlement: Option<u64>,
}

pub(super) fn site(i: u32, seed: u64) -> Result<Site> {
    let (a, b) = (FIRST[i as usize % FIRST.len()], SECOND[(i as usize / FIRST.len()) % SECOND.len()]);
    let round = i as usize / (FIRST.len() * SECOND.len());
    let host = if round == 0 { format!("{a}{b}") } else { format!("{a}{b}{round}") };
    let key = journal::sha256(format!("centime dev seed merchant {seed} {i}").as_bytes());
    Ok(Site {
        origin: format!("https://{host}.example"),
        name: format!("{}{} {}", a[..1].to_uppercase(), &a[1..], b),
        pay_to: format!("merchant-{host}"),
        merchant: RingSigner::from_seed(&key)?,
        entitlement: i.is_multiple_of(2).then_some(86_400),
    })
}

/// What one row will be, decided by the generator before anything is signed.
pub(super) enum Plan {
    Credit { at: i64, credit_id: String, issued_at: u64 },
    Payment(Box<PlannedPayment>),
    Refund { at: i64, payment: usize, reason: &'static str },
}

pub(super) struct PlannedPayment {
    pub(super) at: i64,
    pub(super) site: usize,
    pub(super) price: usize,
    pub(super) request: PaymentRequired,
    pub(super) payment_id: PaymentId,
    pub(super) nonce: String,
    /// The payment's `seq` (ADR 21), counted over the wallet's payments.
    pub(super) seq: u64,
    pub(super) outcome: Outcome,
    /// Why the merchant refused it, for a rejected payment.
    pub(super) reason: Option<&'static str>,
    pub(super) transaction: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Settled { receipt: bool },
    Rejected,
    Unconfirmed,
}

/// A planned row with its documents signed.
pub(super) struct Signed {
    pub(super) credit: Option<String>,
    pub(super) request_json: String,
    pub(super) authorization: String,
    pub(super) receipt: Option<String>,
}

pub(super) struct Generator<'a> {
    pub(super) rng: Rng,
    pub(super) sites: Vec<Site>,
    pub(super) offers: HashMap<(usize, usize), (PaymentRequirements, String)>,
    pub(super) network: Network,
    pub(super) wallet: &'a RingSigner,
    pub(super) issuer: RingSigner,
}

impl Generator<'_> {
    pub(super) fn offer(&mut self, site: usize, price: usize) -> Result<(PaymentRequirements, String)> {
        if let Some(o) = self.offers.get(&(site, price)) {
            return Ok(o.clone());
        }
        let s = &self.sites[site];
        let offer = PaymentRequirements::centime(
            &self.network,
            &s.pay_to,
            Amount::new(Micros::from_micros(PRICES[price]), Asset::EUR),
            60,
            &s.name,
            s.entitlement,
        )?;
        let hash = documents::accepted_hash(&offer.to_value()?)?;
        self.offers.insert((site, price), (offer.clone(), hash.clone()));
        Ok((offer, hash))
    }

    pub(super) fn sign(&self, plan: &Plan, plans: &[Plan]) -> Result<Signed> {
        match plan {
            Plan::Credit { credit_id, issued_at, .. } => {
                let claims = CreditClaims {
                    iss: self.issuer.public_key(),
                    network: self.network.clone(),
                    sub: self.wallet.public_key(),
                    credit_id: credit_id.clone(),
                    value: (TOPUP / 10_000).to_string(),
                    asset: Asset::EUR,
                    asset_scale: 2,
                    issued_at: *issued_at,
                };
                Ok(Signed {
                    credit: Some(documents::sign(&self.issuer, &claims)?),
                    request_json: String::new(),
                    authorization: String::new(),
                    receipt: None,
                })
            }
            Plan::Payment(p) => {
                let s = &self.sites[p.site];
                let (offer, accepted_hash) =
                    self.offers.get(&(p.site, p.price)).cloned().ok_or_else(|| Error::Integrity("offer".into()))?;
                let at = u64::try_from(p.at).unwrap_or(0);
                let claims = AuthorizationClaims {
                    from: self.wallet.public_key(),
                    to: s.pay_to.clone(),
                    value: offer.amount.clone(),
                    asset: Asset::EUR,
                    asset_scale: offer.terms()?.asset_scale,
                    network: self.network.clone(),
                    resource: p.request.resource.url.clone(),
                    valid_after: at,
                    valid_before: at + 60,
                    nonce: p.nonce.clone(),
                    accepted_hash,
                    payment_id: p.payment_id.clone(),
                    seq: p.seq,
                };
                let receipt = match p.outcome {
                    Outcome::Settled { receipt: true } => Some(documents::sign(
                        &s.merchant,
                        &ReceiptClaims {
                            iss: s.merchant.public_key(),
                            resource_url: p.request.resource.url.clone(),
                            payer: self.wallet.public_key(),
                            payment_id: p.payment_id.clone(),
                            value: claims.value.clone(),
                            asset: Asset::EUR,
                            asset_scale: claims.asset_scale,
                            issued_at: at + 1,
                            transaction: p.transaction.clone(),
                        },
                    )?),
                    _ => None,
                };
                Ok(Signed {
                    credit: None,
                    request_json: serde_json::to_string(&p.request).map_err(|e| Error::Integrity(e.to_string()))?,
                    authorization: documents::sign(self.wallet, &claims)?,
                    receipt,
                })
            }
            Plan::Refund { payment, .. } => match plans.get(*payment) {
                Some(Plan::Payment(_)) => Ok(Signed {
                    credit: None,
                    request_json: String::new(),
                    authorization: String::new(),
                    receipt: None,
                }),
                _ => Err(Error::Integrity("a refund without its payment".into())),
            },
        }
    }
}
