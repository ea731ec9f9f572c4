//! The smallest site that accepts Centime: one page at 0.02 EUR, verified offline with
//! `centime-protocol` inside an axum handler.
//!
//! Run it with `cargo run -p centime-demo --example accept`, then
//! `curl -i http://127.0.0.1:8403/article` to see the 402. A production site would keep its key
//! in a file or a secret store, record every accepted authorization durably (that is what it
//! settles with the issuer) and use a durable `ReplayCache`; `crates/demo/src/merchant.rs` does
//! all three with SQLite.
#![allow(clippy::print_stdout)]

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use centime_protocol::documents::{self, ReceiptClaims};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::wire::{PAYMENT_REQUIRED, PAYMENT_RESPONSE, PAYMENT_SIGNATURE};
use centime_protocol::{
    Amount, Asset, Clock as _, MemoryReplayCache, Micros, PaymentRequired, PaymentRequirements, ResourceInfo,
    SettlementResponse, SystemClock, Verifier,
};

struct Site {
    /// Signs receipts. Generated at each start here; keep yours.
    key: RingSigner,
    /// Remembers nonces and payment ids: refuses replays, answers retries.
    replay: MemoryReplayCache,
}

type Failure = (StatusCode, String);

fn fail(e: impl std::fmt::Display) -> Failure {
    (StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// What this page costs, as a 402 would say it.
fn offer() -> Result<PaymentRequired, centime_protocol::Error> {
    let price = Amount::new(Micros::from_micros(20_000), Asset::EUR); // 0.02 EUR
    let network = "centime:demo".parse()?; // the issuer whose money we take
    // Every offer at one scale (here 6, micro-units): x402 clients cap by the integer amount.
    let accepts = vec![PaymentRequirements::centime(&network, "my-site", price, 120, "My Site", None)?.with_scale(6)?];
    let resource = ResourceInfo {
        url: "http://127.0.0.1:8403/article".into(),
        description: Some("An article".into()),
        mime_type: Some("text/plain".into()),
        other: Default::default(),
    };
    let mut required = PaymentRequired {
        x402_version: 2,
        error: None,
        resource,
        accepts,
        extensions: Default::default(),
        other: Default::default(),
    };
    required.declare_payment_identifier();
    Ok(required)
}

async fn article(State(site): State<Arc<Site>>, headers: HeaderMap) -> Result<Response, Failure> {
    let mut offered = offer().map_err(fail)?;
    let Some(payment) = headers.get(PAYMENT_SIGNATURE).and_then(|v| v.to_str().ok()) else {
        let header = offered.to_header().map_err(fail)?;
        return Ok((StatusCode::PAYMENT_REQUIRED, [(PAYMENT_REQUIRED, header)], "payment required\n").into_response());
    };
    let verifier = Verifier::new(offered.clone(), Arc::new(SystemClock)).map_err(fail)?;
    let paid = match verifier.verify(payment, &site.replay) {
        Ok(paid) => paid,
        Err(e) => {
            // Refused: say why in the 402's `error` (replayed_nonce, amount_too_low, expired, ...).
            offered.error = Some(e.rejection().to_string());
            let header = offered.to_header().map_err(fail)?;
            return Ok((StatusCode::PAYMENT_REQUIRED, [(PAYMENT_REQUIRED, header)], format!("{e}\n")).into_response());
        }
    };
    // Accepted: `paid.authorization` is what we would present to the issuer for settlement.
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

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = RingSigner::from_pkcs8(&RingSigner::generate_pkcs8()?)?;
    let site = Arc::new(Site { key, replay: MemoryReplayCache::new() });
    let app = axum::Router::new().route("/article", get(article)).with_state(site);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8403").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
