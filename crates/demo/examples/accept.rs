//! The smallest site that accepts Centime: one page at 0.02 EUR, verified offline with
//! `centime-protocol` inside an axum handler, as a registered merchant of a stand-alone issuer.
//! Besides answering payments it does the three things a merchant owes its issuer (ADR 21):
//! it serves the issuer's certificate in its 402, applies the issuer's revocation list, and
//! settles what it accepted.
//!
//! 1. An issuer: `cargo run -p centime-issuer -- serve` (http://127.0.0.1:8403).
//! 2. `cargo run -p centime-demo --example accept`: creates the site's key (`my-site.pk8`) and,
//!    while the issuer does not know the site, prints the `centime-issuer merchant add` command
//!    that registers it. Run that command, then this example again.
//! 3. `curl -i http://127.0.0.1:8404/article` shows the 402.
//!
//! Settings (environment): `CENTIME_ISSUER` (the issuer's URL), `CENTIME_ADDR` (where to
//! listen), `CENTIME_KEY` (the key file), `CENTIME_SETTLE_EVERY` (seconds, default 60).
//!
//! A production site would keep what it accepted durably (it is what it is paid for; here a
//! restart forgets it) and use a durable `ReplayCache`; `crates/demo/src/merchant.rs`,
//! `ledger.rs` and `settle.rs` do both with SQLite.
#![allow(clippy::print_stdout)]

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use centime_protocol::certificate::MerchantCertificate;
use centime_protocol::documents::{self, ReceiptClaims};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::revocation::{RevocationList, Revocations};
use centime_protocol::settlement::{MAX_SETTLEMENT_ITEMS, RefusalCode, SettlementAnswer, SettlementRequest};
use centime_protocol::wire::{PAYMENT_REQUIRED, PAYMENT_RESPONSE, PAYMENT_SIGNATURE};
use centime_protocol::{
    Amount, Asset, Clock as _, MemoryReplayCache, Micros, Network, PaymentRequired, PaymentRequirements, PublicKey,
    ResourceInfo, SettlementResponse, SystemClock, Verifier,
};

/// Our account at the issuer: the `payTo` of our offers.
const PAY_TO: &str = "my-site";
const NAME: &str = "My Site";

struct Site {
    /// Signs receipts and settlement requests; registered at the issuer for `PAY_TO`.
    key: RingSigner,
    url: String,
    issuer: String,
    /// The issuer's key: every document from it must verify under it. (Read from the issuer at
    /// start here; pin it in your configuration.)
    issuer_key: PublicKey,
    network: Network,
    http: reqwest::Client,
    /// Remembers nonces and payment ids: refuses replays, answers retries.
    replay: MemoryReplayCache,
    /// The issuer's certificate of this site (JWS), put in every offer, and its `notAfter`.
    certificate: RwLock<(String, u64)>,
    /// The issuer's revocation list, applied to every payment, and its `nextUpdate`.
    revocations: RwLock<(Arc<Revocations>, u64)>,
    /// What we accepted and have not settled yet.
    unsettled: Mutex<Vec<String>>,
}

type Failure = (StatusCode, String);

fn fail(e: impl std::fmt::Display) -> Failure {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// What this page costs, as a 402 says it, with the issuer's certificate.
fn offer(site: &Site) -> Result<PaymentRequired, centime_protocol::Error> {
    let price = Amount::new(Micros::from_micros(20_000), Asset::EUR); // 0.02 EUR
    // Every offer at one scale (here 6, micro-units): x402 clients cap by the integer amount.
    let mut accept = PaymentRequirements::centime(&site.network, PAY_TO, price, 120, NAME, None)?.with_scale(6)?;
    let certificate = site.certificate.read().map(|c| c.0.clone()).unwrap_or_default();
    accept.extra.insert("merchantCertificate".into(), certificate.into());
    let resource = ResourceInfo {
        url: site.url.clone(),
        description: Some("An article".into()),
        mime_type: Some("text/plain".into()),
        other: Default::default(),
    };
    let mut required = PaymentRequired {
        x402_version: 2,
        error: None,
        resource,
        accepts: vec![accept],
        extensions: Default::default(),
        other: Default::default(),
    };
    required.declare_payment_identifier();
    Ok(required)
}

async fn article(State(site): State<Arc<Site>>, headers: HeaderMap) -> Result<Response, Failure> {
    let mut offered = offer(&site).map_err(fail)?;
    let Some(payment) = headers.get(PAYMENT_SIGNATURE).and_then(|v| v.to_str().ok()) else {
        let header = offered.to_header().map_err(fail)?;
        return Ok((StatusCode::PAYMENT_REQUIRED, [(PAYMENT_REQUIRED, header)], "payment required\n").into_response());
    };
    let revoked = site.revocations.read().map_err(fail)?.0.clone();
    let verifier = Verifier::new(offered.clone(), Arc::new(SystemClock)).map_err(fail)?.with_revocations(revoked);
    let paid = match verifier.verify(payment, &site.replay) {
        Ok(paid) => paid,
        Err(e) => {
            // Refused: say why in the 402's `error` (replayed_nonce, revoked_payer, expired, ...).
            offered.error = Some(e.rejection().to_string());
            let header = offered.to_header().map_err(fail)?;
            return Ok((StatusCode::PAYMENT_REQUIRED, [(PAYMENT_REQUIRED, header)], format!("{e}\n")).into_response());
        }
    };
    site.unsettled.lock().map_err(fail)?.push(paid.authorization.clone());
    let transaction = format!("tx-{}", paid.payment_id());
    let receipt = ReceiptClaims {
        iss: site.key.public_key(),
        resource_url: paid.claims.resource.clone(),
        payer: paid.claims.from,
        payment_id: paid.claims.payment_id.clone(),
        value: paid.claims.value.clone(),
        asset: paid.claims.asset,
        asset_scale: paid.claims.asset_scale,
        issued_at: SystemClock.now(),
        transaction: transaction.clone(),
    };
    let settlement = SettlementResponse {
        success: true,
        error_reason: None,
        transaction,
        network: paid.claims.network.to_string(),
        payer: paid.payer().to_string(),
        amount: Some(paid.claims.value.clone()),
        receipt: Some(documents::sign(&site.key, &receipt).map_err(fail)?),
        other: Default::default(),
    };
    let header = settlement.to_header().map_err(fail)?;
    Ok(([(PAYMENT_RESPONSE, header)], "Thank you for reading. Here is the article.\n").into_response())
}

/// A signed document from the issuer (`GET`, or `POST` of a signed request).
async fn issuer_jws(http: &reqwest::Client, url: String, body: Option<String>) -> Result<String> {
    let request = match body {
        Some(b) => http.post(&url).header("content-type", "application/jose").body(b),
        None => http.get(&url),
    };
    let answer = request.send().await.with_context(|| url.clone())?;
    let status = answer.status();
    let text = answer.text().await?;
    if !status.is_success() {
        bail!("{url}: {status} {text}");
    }
    Ok(text)
}

/// The certificate, checked: the trusted issuer's, about us, for our key.
async fn fetch_certificate(
    http: &reqwest::Client,
    issuer: &str,
    key: &PublicKey,
    issuer_key: &PublicKey,
) -> Result<(String, u64)> {
    let jws = issuer_jws(http, format!("{issuer}/issuer/merchants/{PAY_TO}/certificate"), None).await?;
    let c = MerchantCertificate::open_trusted(&jws, issuer_key, SystemClock.now())?;
    if c.pay_to != PAY_TO || &c.receipt_key != key {
        bail!("the issuer certifies another merchant or key");
    }
    Ok((jws, c.not_after))
}

/// The revocation list, checked: the trusted issuer's, for its network.
async fn fetch_revocations(site: &Site) -> Result<()> {
    let jws = issuer_jws(&site.http, format!("{}/issuer/revocations", site.issuer), None).await?;
    let list = RevocationList::open_trusted(&jws, &site.issuer_key)?;
    if list.network != site.network {
        bail!("a revocation list for another network");
    }
    let next_update = list.next_update;
    *site.revocations.write().map_err(|_| anyhow::anyhow!("poisoned"))? =
        (Arc::new(Revocations::new(list)), next_update);
    Ok(())
}

/// Sends what we accepted, in batches of at most 1,000. Whatever is not answered (a network
/// failure) or refused for now (`not_yet_valid`) is kept for the next round: sending an
/// authorization twice is harmless, the issuer answers `already_settled`.
async fn settle(site: &Site) -> Result<()> {
    loop {
        let batch: Vec<String> = {
            let mut held = site.unsettled.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
            let n = held.len().min(MAX_SETTLEMENT_ITEMS);
            held.drain(..n).collect()
        };
        if batch.is_empty() {
            return Ok(());
        }
        let request = SettlementRequest {
            iss: site.key.public_key(),
            network: site.network.clone(),
            pay_to: PAY_TO.into(),
            request_id: format!("batch-{}", SystemClock.now()),
            issued_at: SystemClock.now(),
            authorizations: batch.clone(),
        };
        let signed = documents::sign(&site.key, &request)?;
        let answer = match issuer_jws(&site.http, format!("{}/issuer/settlements", site.issuer), Some(signed)).await {
            Ok(jws) => SettlementAnswer::open_for(&jws, &site.issuer_key, &request)?,
            Err(e) => {
                site.unsettled.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.extend(batch);
                return Err(e);
            }
        };
        for (jws, r) in batch.into_iter().zip(answer.results) {
            println!("settlement: {:?} {} {:?}", r.payment_id.map(|p| p.to_string()), r.outcome, r.code);
            if r.code == Some(RefusalCode::NotYetValid) {
                site.unsettled.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.push(jws);
            }
        }
    }
}

/// Settles every `every`; refreshes the revocation list then too and at least at its
/// `nextUpdate`, and the certificate a day before its `notAfter`.
async fn upkeep(site: Arc<Site>, every: u64) {
    loop {
        let next_update = site.revocations.read().map(|r| r.1).unwrap_or(0);
        let wait = next_update.saturating_sub(SystemClock.now()).clamp(1, every.max(1));
        tokio::time::sleep(Duration::from_secs(wait)).await;
        if let Err(e) = settle(&site).await {
            println!("settlement failed, kept for later: {e:#}");
        }
        if let Err(e) = fetch_revocations(&site).await {
            println!("revocation list not refreshed (the old one still applies): {e:#}");
        }
        let not_after = site.certificate.read().map(|c| c.1).unwrap_or(0);
        if SystemClock.now() + 86_400 >= not_after {
            match fetch_certificate(&site.http, &site.issuer, &site.key.public_key(), &site.issuer_key).await {
                Ok(c) => *site.certificate.write().unwrap_or_else(|e| e.into_inner()) = c,
                Err(e) => println!("certificate not refreshed: {e:#}"),
            }
        }
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let issuer = env("CENTIME_ISSUER", "http://127.0.0.1:8403").trim_end_matches('/').to_owned();
    let key_file = env("CENTIME_KEY", "my-site.pk8");
    let every: u64 = env("CENTIME_SETTLE_EVERY", "60").parse()?;
    // Created (mode 0600) at the first start, then kept: the issuer knows us by this key.
    let key = centime_issuer::keys::load_or_create(std::path::Path::new(&key_file))?;
    let listener = tokio::net::TcpListener::bind(env("CENTIME_ADDR", "127.0.0.1:8404")).await?;
    let url = format!("http://{}/article", listener.local_addr()?);

    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let about: serde_json::Value =
        http.get(format!("{issuer}/issuer")).send().await?.error_for_status()?.json().await?;
    let issuer_key: PublicKey = about["publicKey"].as_str().context("no publicKey")?.parse()?;
    let network: Network = about["network"].as_str().context("no network")?.parse()?;
    let certificate = match fetch_certificate(&http, &issuer, &key.public_key(), &issuer_key).await {
        Ok(c) => c,
        Err(e) => {
            println!("The issuer does not certify this site yet ({e:#}). Register it at the issuer:");
            println!(
                "  centime-issuer merchant add --database sqlite:centime-issuer.sqlite3 --pay-to {PAY_TO} --key {} --name '{NAME}' --origin http://{}",
                key.public_key(),
                listener.local_addr()?
            );
            std::process::exit(2);
        }
    };
    let placeholder =
        RevocationList { iss: issuer_key, network: network.clone(), issued_at: 0, next_update: 0, revoked: vec![] };
    let site = Arc::new(Site {
        key,
        url,
        issuer,
        issuer_key,
        network,
        http,
        replay: MemoryReplayCache::new(),
        certificate: RwLock::new(certificate),
        revocations: RwLock::new((Arc::new(Revocations::new(placeholder)), 0)),
        unsettled: Mutex::new(Vec::new()),
    });
    fetch_revocations(&site).await?;
    tokio::spawn(upkeep(site.clone(), every));

    let app = axum::Router::new().route("/article", get(article)).with_state(site.clone());
    println!("listening on http://{}", listener.local_addr()?);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    // Best effort: settle what is left before going.
    settle(&site).await
}
