//! The server: shared state, routes, security headers, and the ledger view.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use centime_protocol::{Clock, Network, SystemClock};
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::issuer::{self, Issuer};
use crate::keys;
use crate::ledger::Ledger;
use crate::magazine;
use crate::merchant::Merchant;

pub const NETWORK: &str = "centime:demo";
pub const ISSUER_NAME: &str = "Centime Demo Issuer";
pub const MERCHANT_NAME: &str = "The Centime Review";
pub const PAY_TO: &str = "demo-magazine";
pub const MAX_TIMEOUT_SECONDS: u64 = 120;
pub const ENTITLEMENT_SECONDS: u64 = 86_400;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
const PAYWALL_JS: &str = include_str!("../static/paywall.js");
const STYLE_CSS: &str = include_str!("../static/style.css");

pub struct AppState {
    /// Absolute base of every URL the server hands out, without a trailing slash.
    pub base_url: String,
    pub issuer: Issuer,
    pub merchant: Merchant,
    pub ledger: Ledger,
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl AppState {
    /// Opens (or creates) the data directory: `issuer.pk8`, `merchant.pk8`, `demo.sqlite3`.
    pub fn open(data_dir: &Path, base_url: String) -> Result<Self> {
        keys::ensure_dir(data_dir)?;
        let network: Network = NETWORK.parse()?;
        let issuer = Issuer {
            signer: keys::load_or_create(&data_dir.join("issuer.pk8"))?,
            network: network.clone(),
            name: ISSUER_NAME.into(),
        };
        let merchant = Merchant {
            signer: keys::load_or_create(&data_dir.join("merchant.pk8"))?,
            network,
            pay_to: PAY_TO.into(),
            name: MERCHANT_NAME.into(),
            max_timeout_seconds: MAX_TIMEOUT_SECONDS,
            entitlement_seconds: ENTITLEMENT_SECONDS,
        };
        let ledger = Ledger::open(&data_dir.join("demo.sqlite3"))?;
        Ok(AppState { base_url, issuer, merchant, ledger, clock: Arc::new(SystemClock) })
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(magazine::index))
        .route("/articles", get(magazine::catalogue))
        .route("/articles/{id}/{page}", get(magazine::page))
        .route("/issuer", get(issuer::get_issuer))
        .route("/issuer/topups", axum::routing::post(issuer::post_topup))
        .route("/topup", get(issuer::topup_page).post(issuer::topup_submit))
        .route("/merchant/ledger", get(ledger))
        .route("/static/paywall.js", get(|| async { asset("text/javascript; charset=utf-8", PAYWALL_JS) }))
        .route("/static/style.css", get(|| async { asset("text/css; charset=utf-8", STYLE_CSS) }))
        .fallback(|| async { ApiError::not_found("no such route") })
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    resp
}

/// `GET /merchant/ledger`: what the merchant would present to the issuer for settlement.
async fn ledger(State(s): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let state = s.clone();
    let (entries, totals) =
        tokio::task::spawn_blocking(move || -> Result<_> { Ok((state.ledger.entries()?, state.ledger.totals()?)) })
            .await
            .map_err(ApiError::internal)??;
    let mut by_asset = Map::new();
    for (asset, micros) in totals {
        by_asset.insert(asset.to_string(), Value::String(micros.to_string()));
    }
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            json!({
                "paymentId": e.payment_id,
                "payer": e.payer,
                "amount": e.micros,
                "asset": e.asset,
                "value": e.value,
                "assetScale": e.asset_scale,
                "resource": e.resource,
                "acceptedAt": e.accepted_at,
                "transaction": e.transaction,
                "authorization": e.authorization,
                "receipt": e.receipt,
            })
        })
        .collect();
    Ok(Json(json!({
        "merchant": s.merchant.pay_to,
        "network": s.merchant.network,
        "demo": true,
        "count": entries.len(),
        "totals": by_asset,
        "entries": entries,
    })))
}
