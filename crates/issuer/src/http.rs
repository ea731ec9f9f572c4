//! The issuer's HTTP API (docs/protocol.md §13): an axum router that `centime-issuer serve`
//! serves alone and `centime-demo serve` mounts beside its magazine.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use centime_protocol::p2p::{MAX_REDEMPTION_REQUEST_LEN, MAX_TRANSFER_LEN};
use centime_protocol::settlement::MAX_SETTLEMENT_REQUEST_LEN;
use centime_protocol::{Asset, Micros};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::issuer::Issuer;

/// The media type of a compact JWS body.
pub const JOSE: &str = "application/jose";
/// The body limit of every route but settlements.
const SMALL_BODY: usize = 64 * 1024;

/// `/issuer`, `/issuer/topups`, `/issuer/settlements`, `/issuer/revocations`,
/// `/issuer/statements`, `/issuer/merchants/{payTo}/certificate`, and the transfers between
/// wallets of §14: `/issuer/transfers`, `/issuer/transfers/{code}`, `/issuer/redemptions`,
/// `/issuer/inbox`.
pub fn router(issuer: Arc<Issuer>) -> Router {
    Router::new()
        .route("/issuer", get(describe))
        .route("/issuer/topups", post(topup).layer(DefaultBodyLimit::max(SMALL_BODY)))
        .route("/issuer/settlements", post(settlements).layer(DefaultBodyLimit::max(MAX_SETTLEMENT_REQUEST_LEN + 1024)))
        .route("/issuer/revocations", get(revocations))
        .route("/issuer/statements", post(statements).layer(DefaultBodyLimit::max(SMALL_BODY)))
        .route("/issuer/merchants/{pay_to}/certificate", get(certificate))
        .route("/issuer/transfers", post(deposit).layer(DefaultBodyLimit::max(MAX_TRANSFER_LEN + 1024)))
        .route("/issuer/transfers/{code}", get(transfer))
        .route("/issuer/redemptions", post(redeem).layer(DefaultBodyLimit::max(MAX_REDEMPTION_REQUEST_LEN + 1024)))
        .route("/issuer/inbox", post(inbox).layer(DefaultBodyLimit::max(SMALL_BODY)))
        .with_state(issuer)
}

fn jose(jws: String) -> Response {
    ([(header::CONTENT_TYPE, JOSE), (header::CACHE_CONTROL, "no-store")], jws).into_response()
}

/// Runs blocking ledger work off the async runtime.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| Error::Store(format!("a ledger task failed: {e}")))?
}

fn text(body: &Bytes) -> Result<String> {
    String::from_utf8(body.to_vec()).map_err(|_| Error::bad_request("malformed_request", "the body is not UTF-8"))
}

async fn describe(State(i): State<Arc<Issuer>>) -> Json<Value> {
    Json(i.describe())
}

/// `POST /issuer/topups {wallet, amount, asset}`: `amount` is a decimal string ("5.00").
async fn topup(State(i): State<Arc<Issuer>>, body: Bytes) -> Result<Response> {
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| Error::bad_request("invalid_json", format!("the body is not JSON: {e}")))?;
    let field =
        |name: &str| v.get(name).ok_or_else(|| Error::bad_request("missing_field", format!("{name} is required")));
    let wallet = field("wallet")?
        .as_str()
        .ok_or_else(|| Error::bad_request("invalid_wallet", "wallet must be a string"))?
        .to_owned();
    let amount = match field("amount")? {
        Value::String(s) => s
            .parse::<Micros>()
            .map_err(|e| Error::bad_request("invalid_amount", format!("amount: {e}; write it like \"5.00\"")))?,
        Value::Number(_) => {
            return Err(Error::bad_request(
                "money_not_a_string",
                "amount must be a decimal string such as \"5.00\", never a JSON number",
            ));
        }
        _ => return Err(Error::bad_request("invalid_amount", "amount must be a decimal string such as \"5.00\"")),
    };
    let asset = field("asset")?
        .as_str()
        .ok_or_else(|| Error::bad_request("unsupported_asset", "asset must be a string such as \"EUR\""))?
        .parse::<Asset>()
        .map_err(|e| Error::bad_request("unsupported_asset", e.to_string()))?;
    let issued = blocking(move || i.issue(&wallet, amount, asset)).await?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

async fn settlements(State(i): State<Arc<Issuer>>, body: Bytes) -> Result<Response> {
    let jws = text(&body)?;
    Ok(jose(blocking(move || i.settle(&jws)).await?))
}

async fn revocations(State(i): State<Arc<Issuer>>) -> Result<Response> {
    Ok(jose(blocking(move || i.revocation_list()).await?))
}

async fn statements(State(i): State<Arc<Issuer>>, body: Bytes) -> Result<Response> {
    let jws = text(&body)?;
    Ok(jose(blocking(move || i.statement(&jws)).await?))
}

async fn certificate(State(i): State<Arc<Issuer>>, Path(pay_to): Path<String>) -> Result<Response> {
    Ok(jose(blocking(move || i.certificate(&pay_to)).await?))
}

async fn deposit(State(i): State<Arc<Issuer>>, body: Bytes) -> Result<Response> {
    let jws = text(&body)?;
    let answer = blocking(move || i.deposit_transfer(&jws)).await?;
    Ok((StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response())
}

async fn transfer(State(i): State<Arc<Issuer>>, Path(code): Path<String>) -> Result<Response> {
    Ok(jose(blocking(move || i.transfer(&code)).await?))
}

async fn redeem(State(i): State<Arc<Issuer>>, body: Bytes) -> Result<Response> {
    let jws = text(&body)?;
    let answer = blocking(move || i.redeem(&jws)).await?;
    Ok((StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response())
}

async fn inbox(State(i): State<Arc<Issuer>>, body: Bytes) -> Result<Response> {
    let jws = text(&body)?;
    let answer = blocking(move || i.inbox(&jws)).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(answer)).into_response())
}
