//! The merchant's side of settlement (ADR 21): it sends what it accepted to the issuer in
//! signed batches and records each outcome, keeps the issuer's certificate fresh for its
//! offers, and keeps the revocation list its verifier applies fresh.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use centime_protocol::certificate::MerchantCertificate;
use centime_protocol::jws::Signer as _;
use centime_protocol::revocation::RevocationList;
use centime_protocol::settlement::{MAX_SETTLEMENT_ITEMS, SettlementAnswer, SettlementOutcome, SettlementRequest};
use centime_protocol::{Clock, PublicKey, documents};
use serde::Serialize;

use crate::ledger::{Decided, Ledger};
use crate::link::IssuerLink;
use crate::merchant::{Certified, Merchant, random_id};

/// When a certificate is fetched again: with a tenth of its life left, well before `notAfter`.
fn certificate_due(c: &MerchantCertificate) -> u64 {
    let life = c.not_after.saturating_sub(c.issued_at);
    c.not_after.saturating_sub(life / 10)
}

/// What one settlement run did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Requests sent.
    pub batches: usize,
    /// Authorizations sent.
    pub sent: usize,
    /// Settled now or before (`settled`, `already_settled`).
    pub settled: usize,
    /// Refused for good.
    pub refused: usize,
    /// Refused for now (`not_yet_valid`): sent again next time.
    pub later: usize,
}

/// Everything a settlement run needs.
#[derive(Clone)]
pub struct Settler {
    pub ledger: Arc<Ledger>,
    pub merchant: Arc<Merchant>,
    pub link: Arc<IssuerLink>,
    /// The issuer key the merchant trusts: every answer must verify under it.
    pub issuer_key: PublicKey,
    pub clock: Arc<dyn Clock>,
    /// Where the certificate served is kept between starts.
    pub certificate_file: Option<std::path::PathBuf>,
}

/// Writes `text` to `path` through a temporary file and a rename: a crash leaves the old file
/// or the new one, never half of one.
fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

impl std::fmt::Debug for Settler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settler")
            .field("link", &self.link)
            .field("issuer_key", &self.issuer_key)
            .finish_non_exhaustive()
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.context("a ledger task failed")?
}

impl Settler {
    /// Sends every unsettled entry, in batches of at most [`MAX_SETTLEMENT_ITEMS`], oldest
    /// first, and records the outcomes. A batch cut short (a crash, a lost answer) is simply
    /// sent again: the issuer answers `already_settled` for what it settled, recorded as settled.
    pub async fn settle(&self) -> Result<Summary> {
        let mut summary = Summary::default();
        let mut after = 0;
        loop {
            let ledger = self.ledger.clone();
            let batch = blocking(move || ledger.unsettled(after, MAX_SETTLEMENT_ITEMS)).await?;
            let Some(last) = batch.last() else { break };
            after = last.0;
            let request = SettlementRequest {
                iss: self.merchant.signer.public_key(),
                network: self.merchant.network.clone(),
                pay_to: self.merchant.pay_to.clone(),
                request_id: format!("st_{}", random_id()?),
                issued_at: self.clock.now(),
                authorizations: batch.iter().map(|(_, _, jws)| jws.clone()).collect(),
            };
            let signed = documents::sign(&self.merchant.signer, &request)?;
            let answer = self.link.settle(signed).await?;
            let answer = SettlementAnswer::open_for(&answer, &self.issuer_key, &request)
                .context("the issuer's settlement answer")?;
            let mut decided = Vec::with_capacity(batch.len());
            for ((_, payment_id, _), r) in batch.iter().zip(&answer.results) {
                if r.payment_id.as_ref().is_some_and(|id| id.as_str() != payment_id) {
                    bail!("the issuer's answer {} names another payment at index {}", answer.request_id, r.index);
                }
                match r.outcome {
                    SettlementOutcome::Settled | SettlementOutcome::AlreadySettled => summary.settled += 1,
                    SettlementOutcome::Refused
                        if r.code == Some(centime_protocol::settlement::RefusalCode::NotYetValid) =>
                    {
                        summary.later += 1
                    }
                    SettlementOutcome::Refused => {
                        summary.refused += 1;
                        tracing::warn!(%payment_id, code = ?r.code, "the issuer refused to settle a payment");
                    }
                }
                decided.push(Decided {
                    payment_id: payment_id.clone(),
                    outcome: r.outcome,
                    code: r.code,
                    settled_at: r.settled_at,
                });
            }
            let (ledger, request_id, now) = (self.ledger.clone(), request.request_id.clone(), self.clock.now());
            blocking(move || ledger.record_outcomes(&decided, &request_id, now)).await?;
            summary.batches += 1;
            summary.sent += batch.len();
        }
        if summary.batches > 0 {
            tracing::info!(?summary, "settled with the issuer");
        }
        Ok(summary)
    }

    /// Checks a certificate: signed by the trusted issuer, valid now, and naming this
    /// merchant's network, `payTo`, receipt key and `origin`.
    fn check_certificate(&self, jws: &str, origin: &str) -> Result<MerchantCertificate> {
        let c = MerchantCertificate::open_trusted(jws, &self.issuer_key, self.clock.now())
            .context("the issuer's certificate of this merchant")?;
        if c.network != self.merchant.network
            || c.pay_to != self.merchant.pay_to
            || c.receipt_key != self.merchant.signer.public_key()
        {
            bail!("the issuer certifies another merchant (payTo {}, receipt key {})", c.pay_to, c.receipt_key);
        }
        if !c.covers_origin(origin) {
            bail!("the issuer certifies {:?}, not this merchant's origin {origin}", c.origins);
        }
        Ok(c)
    }

    /// Installs the certificate kept in [`Settler::certificate_file`] if it still holds and is
    /// not due; otherwise fetches a new one. The offers carry the certificate and a payment
    /// signs its offer, so the same certificate across a restart keeps the payments signed
    /// before it (a page re-read within its entitlement, a retry) valid.
    pub async fn load_or_refresh_certificate(&self, origin: &str) -> Result<()> {
        if let Some(path) = &self.certificate_file
            && let Ok(jws) = std::fs::read_to_string(path)
        {
            match self.check_certificate(jws.trim(), origin) {
                Ok(c) if self.clock.now() < certificate_due(&c) => {
                    self.merchant.set_certificate(Certified { jws: jws.trim().to_owned(), claims: c });
                    return Ok(());
                }
                Ok(_) => {}
                Err(e) => tracing::info!(error = %format!("{e:#}"), "the kept certificate no longer holds"),
            }
        }
        self.refresh_certificate(origin).await
    }

    /// Fetches, checks, installs and keeps the merchant's certificate.
    pub async fn refresh_certificate(&self, origin: &str) -> Result<()> {
        let jws = self.link.certificate(&self.merchant.pay_to).await?;
        let c = self.check_certificate(&jws, origin)?;
        if let Some(path) = &self.certificate_file {
            write_atomically(path, &jws).with_context(|| format!("keeping the certificate in {}", path.display()))?;
        }
        tracing::info!(not_after = c.not_after, "merchant certificate installed");
        self.merchant.set_certificate(Certified { jws, claims: c });
        Ok(())
    }

    /// Fetches, checks and installs the revocation list.
    pub async fn refresh_revocations(&self) -> Result<()> {
        let jws = self.link.revocations().await?;
        let list = RevocationList::open_trusted(&jws, &self.issuer_key).context("the issuer's revocation list")?;
        if list.network != self.merchant.network {
            bail!("the revocation list is for {}, not {}", list.network, self.merchant.network);
        }
        tracing::debug!(revoked = list.revoked.len(), next_update = list.next_update, "revocation list refreshed");
        self.merchant.set_revocations(list);
        Ok(())
    }

    /// When the certificate or the revocation list is next due, in Unix seconds: the list at its
    /// `nextUpdate`, the certificate when a tenth of its life is left.
    fn next_due(&self) -> u64 {
        let now = self.clock.now();
        let list = self.merchant.revocations_next_update().unwrap_or(now);
        let cert = self.merchant.certificate().map_or(now, |c| certificate_due(&c.claims));
        list.min(cert)
    }

    /// Keeps the certificate and the revocation list fresh, for ever. A failure keeps what is
    /// held (a list past `nextUpdate` still applies; a certificate is good until `notAfter`) and
    /// is tried again shortly.
    pub async fn keep_fresh(self, origin: String) {
        const RETRY: u64 = 10;
        loop {
            let now = self.clock.now();
            let mut failed = false;
            if self.merchant.revocations_next_update().is_none_or(|next| now >= next)
                && let Err(e) = self.refresh_revocations().await
            {
                tracing::warn!(error = %format!("{e:#}"), "could not refresh the revocation list");
                failed = true;
            }
            if self.merchant.certificate().is_none_or(|c| now >= certificate_due(&c.claims))
                && let Err(e) = self.refresh_certificate(&origin).await
            {
                tracing::warn!(error = %format!("{e:#}"), "could not refresh the merchant certificate");
                failed = true;
            }
            let wait = if failed { RETRY } else { self.next_due().saturating_sub(self.clock.now()).clamp(1, 300) };
            tokio::time::sleep(Duration::from_secs(wait)).await;
        }
    }

    /// Settles every `every`, for ever, then refreshes the revocation list (a batch may have
    /// made the issuer revoke a key).
    pub async fn settle_periodically(self, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            self.settle_and_refresh().await;
        }
    }

    /// One settlement run and a revocation refresh, failures logged.
    pub async fn settle_and_refresh(&self) -> Option<Summary> {
        let summary = match self.settle().await {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "settlement failed; the entries stay unsettled");
                None
            }
        };
        if let Err(e) = self.refresh_revocations().await {
            tracing::warn!(error = %format!("{e:#}"), "could not refresh the revocation list");
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use centime_issuer::store::sqlite::SqliteStore;
    use centime_issuer::{Config, Issuer, MerchantRecord};
    use centime_protocol::jws::RingSigner;
    use centime_protocol::payment::{authorization_claims, sign_payload};
    use centime_protocol::{Amount, Asset, FixedClock, Micros, PaymentId};

    use crate::ledger::SettlementState;
    use crate::merchant::Outcome;

    #[tokio::test]
    async fn more_than_a_batch_goes_in_batches_of_at_most_the_protocols_limit_each_settled_once() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = 1_800_000_000;
        let clock = Arc::new(FixedClock::new(t0));
        let network: centime_protocol::Network = "centime:demo".parse().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("i.db")).unwrap());
        let issuer = Arc::new(Issuer::new(
            RingSigner::from_seed(&[3; 32]).unwrap(),
            Config::demo(network.clone(), "Test issuer"),
            store,
            clock.clone(),
        ));
        let merchant = Arc::new(Merchant::new(RingSigner::from_seed(&[4; 32]).unwrap(), network, "shop", "Shop"));
        issuer
            .register_merchant(&MerchantRecord {
                pay_to: "shop".into(),
                key: merchant.signer.public_key(),
                name: "Shop".into(),
                origins: vec!["http://127.0.0.1:1".into()],
            })
            .unwrap();
        let ledger = Arc::new(Ledger::open(&dir.path().join("m.db")).unwrap());
        let wallet = RingSigner::from_seed(&[5; 32]).unwrap();
        issuer.issue(&wallet.public_key().to_string(), Micros::from_micros(5_000_000), Asset::EUR).unwrap();

        let n = MAX_SETTLEMENT_ITEMS + 1;
        let offered = merchant
            .payment_required("http://127.0.0.1:1/a", "a", Amount::new(Micros::from_micros(1_000), Asset::EUR))
            .unwrap();
        let accepted = &offered.accepts[0];
        for seq in 1..=u64::try_from(n).unwrap() {
            let claims = authorization_claims(
                wallet.public_key(),
                &offered.resource,
                accepted,
                PaymentId::random().unwrap(),
                seq,
                t0,
            )
            .unwrap();
            let header = sign_payload(&wallet, &offered.resource, accepted, &offered.extensions, &claims)
                .unwrap()
                .to_header()
                .unwrap();
            let outcome = merchant.accept(&ledger, clock.clone(), offered.clone(), &header).unwrap();
            assert!(matches!(outcome, Outcome::Paid { fresh: true, .. }), "{outcome:?}");
        }

        let settler = Settler {
            ledger: ledger.clone(),
            merchant,
            link: Arc::new(IssuerLink::Embedded(issuer.clone())),
            issuer_key: issuer.public_key(),
            clock,
            certificate_file: None,
        };
        let summary = settler.settle().await.unwrap();
        assert_eq!(summary, Summary { batches: 2, sent: n, settled: n, refused: 0, later: 0 });
        assert_eq!(settler.settle().await.unwrap(), Summary::default());
        let totals = ledger.totals_by_state().unwrap();
        assert_eq!(totals, vec![(Asset::EUR, SettlementState::Settled, Micros::from_micros(1_001_000))]);
        assert_eq!(issuer.store().merchant_totals("shop").unwrap(), vec![(Asset::EUR, Micros::from_micros(1_001_000))]);
    }
}
