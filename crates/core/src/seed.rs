//! `centime dev seed`: a large, real wallet for development and benchmarks.
//!
//! Everything is what the wallet itself would have written: authorizations signed by the
//! wallet's key, receipts by one key per merchant, credit notes by a development issuer the
//! wallet is told to trust, an HMAC chain over every row, balances and per-day sums equal to the
//! journal. `verify` passes on it. Rows are appended in bulk (one transaction per chunk,
//! prepared statements, signatures made on every core), which is the whole difference from
//! paying for real.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::{Asset, Micros, Network, PaymentId, PaymentRequired, ResourceInfo};
use serde::Serialize;

use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::journal::{self, Appender, NewEntry};
use crate::payments::{self, PaymentRow, Status};
use crate::sqlite;
use crate::wallet::{Issuer, Wallet};

mod generator;

use generator::{Generator, Outcome, Plan, PlannedPayment, Rng, Signed, TOPICS, site};

/// Changes whenever the same options would generate other data (benchmarks key their cached
/// wallets by it).
pub const SEED_VERSION: u32 = 1;
/// The development issuer whose credit notes top the seeded wallet up.
pub const SEED_NETWORK: &str = "centime:dev-seed";
/// Rows per transaction: bounded memory and WAL, progress between them.
const CHUNK: u64 = 20_000;
/// One top-up: 50.00 EUR.
const TOPUP: i64 = 50_000_000;
/// Prices a page may have, in micro-euros (0.005 to 0.25 EUR).
const PRICES: [i64; 6] = [5_000, 10_000, 20_000, 50_000, 100_000, 250_000];

/// What [`Wallet::seed`] generates.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// Journal rows to add (top-ups, payments and refunds together).
    pub entries: u64,
    /// Distinct sites the payments go to.
    pub sites: u32,
    /// Seed of the generator: the same seed gives the same sites, pages, prices and statuses.
    pub seed: u64,
    /// The entries are spread evenly over this many 30-day months ending at `end`.
    pub months: u32,
    /// Unix seconds of the last entry (normally now).
    pub end: i64,
    /// Add to a wallet that already has entries (otherwise refused).
    pub force: bool,
}

/// What [`Wallet::seed`] wrote, by kind and status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedReport {
    /// Journal rows written.
    pub entries: u64,
    /// Top-ups.
    pub credits: u64,
    /// Payments, whatever their status.
    pub payments: u64,
    /// Payments settled.
    pub settled: u64,
    /// Payments rejected (each with its refund).
    pub rejected: u64,
    /// Payments left unconfirmed.
    pub unconfirmed: u64,
    /// Refunds of the rejected payments.
    pub refunds: u64,
}

impl Wallet {
    /// Fills this wallet with `opts.entries` generated rows (see the module documentation).
    /// Refuses a wallet that already has entries unless `opts.force`. `progress` gets the
    /// number of rows written after each committed chunk.
    pub fn seed(&mut self, opts: &SeedOptions, progress: &mut dyn FnMut(u64)) -> Result<SeedReport> {
        if opts.sites == 0 || opts.months == 0 {
            return Err(Error::InvalidArgument("seeding needs at least one site and one month".into()));
        }
        let existing: i64 = self.conn.query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0))?;
        if existing > 0 && !opts.force {
            return Err(Error::InvalidArgument(format!(
                "this wallet already has {existing} entries; `dev seed` fills empty development wallets (add --force to append anyway)"
            )));
        }
        let network: Network = SEED_NETWORK.parse()?;
        let issuer =
            RingSigner::from_seed(&journal::sha256(format!("centime dev seed issuer {}", opts.seed).as_bytes()))?;
        let sites = (0..opts.sites).map(|i| site(i, opts.seed)).collect::<Result<Vec<_>>>()?;
        let key = *self.key();
        let wallet_id = self.id.to_string();
        self.add_issuer(&Issuer {
            network: network.clone(),
            public_key: issuer.public_key(),
            name: Some("Centime development seed".into()),
        })?;
        let span = i64::from(opts.months).saturating_mul(30 * 86_400);
        let start = opts.end.saturating_sub(span);
        let n = i64::try_from(opts.entries).unwrap_or(i64::MAX).max(1);
        let previous_cache: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        // The random payment ids land all over two indexes: keep them in memory while seeding.
        self.conn.pragma_update(None, "cache_size", -262_144)?;

        let mut g = Generator {
            // Appending (--force) to a seeded wallet must not draw the same payment ids again.
            rng: Rng(opts.seed
                ^ 0x5eed_5eed_5eed_5eed
                ^ u64::try_from(existing).unwrap_or(0).wrapping_mul(0x9e37_79b9)),
            sites,
            offers: HashMap::new(),
            network: network.clone(),
            wallet: &self.signer,
            issuer,
        };
        let mut report = SeedReport::default();
        let mut balance = Micros::from_micros(
            self.conn
                .query_row(
                    "SELECT COALESCE((SELECT balance FROM balances WHERE network = ?1 AND asset = 'EUR'), 0)",
                    [SEED_NETWORK],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap_or(0),
        );
        // Appending to a seeded wallet goes on from its highest seq, as a payment would.
        let mut next_seq = crate::payments::next_seq(&self.conn)?;
        let mut done = 0u64;
        while done < opts.entries {
            let count = CHUNK.min(opts.entries - done);
            // 1. Decide every row of the chunk.
            let mut plans: Vec<Plan> = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
            let mut i = done;
            while i < done + count {
                let at = start + (span.saturating_mul(i64::try_from(i).unwrap_or(0))) / n;
                let last_of_chunk = i + 1 == done + count;
                if balance.get() < PRICES[PRICES.len() - 1] || g.rng.chance(2) {
                    plans.push(Plan::Credit {
                        at,
                        credit_id: format!(
                            "seed-{}-{}",
                            opts.seed,
                            i64::try_from(i).unwrap_or(0).saturating_add(existing)
                        ),
                        issued_at: u64::try_from(at).unwrap_or(0),
                    });
                    balance = balance.checked_add(Micros::from_micros(TOPUP))?;
                    i += 1;
                    continue;
                }
                let site = usize::try_from(g.rng.skewed(u64::from(opts.sites))).unwrap_or(0);
                let price = usize::try_from(g.rng.below(PRICES.len() as u64)).unwrap_or(0);
                let (offer, _) = g.offer(site, price)?;
                let page = g.rng.skewed(400);
                let topic = TOPICS[usize::try_from(page).unwrap_or(0) % TOPICS.len()];
                let s = &g.sites[site];
                let request = PaymentRequired {
                    x402_version: 2,
                    error: None,
                    resource: ResourceInfo {
                        url: format!("{}/articles/{}-{page}", s.origin, topic.replace(' ', "-")),
                        description: Some(format!("{}{}, part {page}", topic[..1].to_uppercase(), &topic[1..])),
                        mime_type: Some("text/html".into()),
                        other: Default::default(),
                    },
                    accepts: vec![offer],
                    extensions: Default::default(),
                    other: Default::default(),
                };
                let roll = g.rng.below(1000);
                let outcome = if roll < 10 && !last_of_chunk {
                    Outcome::Rejected
                } else if roll < 15 {
                    Outcome::Unconfirmed
                } else {
                    Outcome::Settled { receipt: roll >= 45 }
                };
                let payment_id: PaymentId = format!("pay_{}", URL_SAFE_NO_PAD.encode(g.rng.bytes::<16>())).parse()?;
                let nonce = URL_SAFE_NO_PAD.encode(g.rng.bytes::<32>());
                let transaction = format!("tx_{}", URL_SAFE_NO_PAD.encode(g.rng.bytes::<12>()));
                balance = balance.checked_sub(Micros::from_micros(PRICES[price]))?;
                let reason = (outcome == Outcome::Rejected).then(|| {
                    ["the offer expired", "sold out", "the merchant refused the payment"]
                        [usize::try_from(g.rng.below(3)).unwrap_or(0)]
                });
                plans.push(Plan::Payment(Box::new(PlannedPayment {
                    at,
                    site,
                    price,
                    request,
                    payment_id,
                    nonce,
                    seq: next_seq,
                    outcome,
                    reason,
                    transaction,
                })));
                next_seq += 1;
                i += 1;
                if let Some(reason) = reason {
                    plans.push(Plan::Refund { at: at + 2, payment: plans.len() - 1, reason });
                    balance = balance.checked_add(Micros::from_micros(PRICES[price]))?;
                    i += 1;
                }
            }

            // 2. Sign on every core.
            let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8);
            let per = plans.len().div_ceil(threads).max(1);
            let signed: Vec<Signed> = std::thread::scope(|scope| {
                let g = &g;
                let plans = &plans;
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        scope.spawn(move || {
                            let lo = (t * per).min(plans.len());
                            let hi = ((t + 1) * per).min(plans.len());
                            plans[lo..hi].iter().map(|p| g.sign(p, plans)).collect::<Result<Vec<_>>>()
                        })
                    })
                    .collect();
                let mut out = Vec::with_capacity(plans.len());
                for h in handles {
                    out.extend(h.join().map_err(|_| Error::Integrity("a signing thread failed".into()))??);
                }
                Ok::<_, Error>(out)
            })?;

            // 3. Append, in one transaction.
            let tx = sqlite::immediate(&mut self.conn)?;
            let mut appender = Appender::new(&tx, &key)?;
            for (plan, docs) in plans.iter().zip(&signed) {
                match plan {
                    Plan::Credit { at, credit_id, .. } => {
                        let note = docs.credit.as_deref().unwrap_or_default();
                        let iss = g.issuer.public_key().to_string();
                        let jid = appender.append(
                            &tx,
                            &key,
                            &NewEntry {
                                at: *at,
                                kind: Kind::Credit,
                                network: SEED_NETWORK,
                                asset: Asset::EUR,
                                amount: Micros::from_micros(TOPUP),
                                site: None,
                                resource: None,
                                title: Some("Top-up"),
                                counterparty: Some(&iss),
                                payment_id: None,
                                reference: Some(credit_id),
                                doc_hash: Some(journal::sha256(note.as_bytes())),
                            },
                        )?;
                        tx.prepare_cached(
                            "INSERT INTO credits (network, credit_id, journal_id, note) VALUES (?1, ?2, ?3, ?4)",
                        )?
                        .execute(rusqlite::params![SEED_NETWORK, credit_id, jid, note])?;
                        report.credits += 1;
                    }
                    Plan::Payment(p) => {
                        let s = &g.sites[p.site];
                        let jid = appender.append(
                            &tx,
                            &key,
                            &NewEntry {
                                at: p.at,
                                kind: Kind::Payment,
                                network: SEED_NETWORK,
                                asset: Asset::EUR,
                                amount: Micros::from_micros(-PRICES[p.price]),
                                site: Some(&s.origin),
                                resource: Some(&p.request.resource.url),
                                title: p.request.resource.description.as_deref(),
                                counterparty: Some(&s.pay_to),
                                payment_id: Some(p.payment_id.as_str()),
                                reference: None,
                                doc_hash: Some(journal::payment_docs_hash(&docs.authorization, &docs.request_json)),
                            },
                        )?;
                        let (status, detail) = match p.outcome {
                            Outcome::Settled { .. } => (Status::Settled, None),
                            Outcome::Rejected => (Status::Rejected, None),
                            Outcome::Unconfirmed => {
                                (Status::Unconfirmed, Some("no answer from the merchant (generated)"))
                            }
                        };
                        let reason = p.reason.or(detail);
                        payments::insert_payment(
                            &tx,
                            &PaymentRow {
                                wallet_id: &wallet_id,
                                journal_id: jid,
                                payment_id: p.payment_id.as_str(),
                                request_json: &docs.request_json,
                                offer: 0,
                                authorization: &docs.authorization,
                                valid_before: p.at + 60,
                                seq: Some(p.seq),
                                status,
                                receipt: docs.receipt.as_deref(),
                                detail: reason,
                                at: p.at + 1,
                            },
                        )?;
                        let automatic = p.site % 3 != 0;
                        payments::add_event(
                            &tx,
                            jid,
                            p.at,
                            Status::Pending,
                            automatic.then_some("paid automatically"),
                        )?;
                        payments::add_event(&tx, jid, p.at + 1, status, reason)?;
                        report.payments += 1;
                        match p.outcome {
                            Outcome::Settled { .. } => report.settled += 1,
                            Outcome::Rejected => report.rejected += 1,
                            Outcome::Unconfirmed => report.unconfirmed += 1,
                        }
                    }
                    Plan::Refund { at, payment, reason } => {
                        let Some(Plan::Payment(p)) = plans.get(*payment) else {
                            return Err(Error::Integrity("a refund without its payment".into()));
                        };
                        let s = &g.sites[p.site];
                        appender.append(
                            &tx,
                            &key,
                            &NewEntry {
                                at: *at,
                                kind: Kind::Refund,
                                network: SEED_NETWORK,
                                asset: Asset::EUR,
                                amount: Micros::from_micros(PRICES[p.price]),
                                site: Some(&s.origin),
                                resource: Some(&p.request.resource.url),
                                title: Some(&format!("Refund: {reason}")),
                                counterparty: Some(&s.pay_to),
                                payment_id: None,
                                reference: Some(p.payment_id.as_str()),
                                doc_hash: None,
                            },
                        )?;
                        report.refunds += 1;
                    }
                }
            }
            appender.finish(&tx, &key)?;
            tx.commit()?;
            done += u64::try_from(plans.len()).unwrap_or(0);
            report.entries = done;
            progress(done);
        }
        self.conn.pragma_update(None, "cache_size", previous_cache)?;
        Ok(report)
    }
}
