//! The server: shared state, routes, security headers, and the ledger view.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use centime_protocol::{Clock, Network, SystemClock};

use serde_json::{Map, Value, json};

use centime_issuer::store::CreditRecord;
use centime_issuer::store::sqlite::SqliteStore;
use centime_issuer::{Config, Issuer, MerchantRecord, keys};
use centime_protocol::Origin;
use centime_protocol::documents::{self, CreditClaims};
use centime_protocol::jws::Signer as _;

use crate::error::ApiError;
use crate::ledger::{Ledger, SettlementState};
use crate::link::IssuerLink;
use crate::magazine;
use crate::merchant::Merchant;
use crate::settle::Settler;
use crate::topup;

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
    /// The origin of `base_url`, the one the magazine is registered and certified for.
    pub origin: String,
    pub issuer: Arc<Issuer>,
    pub merchant: Arc<Merchant>,
    pub ledger: Arc<Ledger>,
    /// The magazine's settlement with the issuer, in-process.
    pub settler: Settler,
    pub clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

/// The issuer's ledger in a data directory.
pub const ISSUER_DB: &str = "issuer.sqlite3";
/// The certificate the magazine serves, kept between starts.
pub const CERTIFICATE_FILE: &str = "merchant-certificate.jws";
/// The merchant's ledger in a data directory.
pub const MERCHANT_DB: &str = "demo.sqlite3";

/// Opens the issuer of a data directory: its key (`issuer.pk8`) and its ledger
/// (`issuer.sqlite3`). Blocking.
pub fn open_issuer(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<Arc<Issuer>> {
    keys::ensure_dir(data_dir)?;
    let network: Network = NETWORK.parse()?;
    let store = Arc::new(SqliteStore::open(&data_dir.join(ISSUER_DB))?);
    let signer = keys::load_or_create(&data_dir.join("issuer.pk8"))?;
    Ok(Arc::new(Issuer::new(signer, Config::demo(network, ISSUER_NAME), store, clock)))
}

/// Opens the merchant of a data directory: its key (`merchant.pk8`) and its ledger
/// (`demo.sqlite3`). Blocking.
pub fn open_merchant(data_dir: &Path) -> Result<(Arc<Merchant>, Arc<Ledger>)> {
    keys::ensure_dir(data_dir)?;
    let signer = keys::load_or_create(&data_dir.join("merchant.pk8"))?;
    let merchant = Merchant::new(signer, NETWORK.parse()?, PAY_TO, MERCHANT_NAME);
    let ledger = Ledger::open(&data_dir.join(MERCHANT_DB))?;
    Ok((Arc::new(merchant), Arc::new(ledger)))
}

impl AppState {
    /// Opens (or creates) the data directory: `issuer.pk8`, `merchant.pk8`, `issuer.sqlite3`,
    /// `demo.sqlite3`, and registers the magazine with its issuer for `base_url`'s origin (the
    /// same registration again on every start). Blocking.
    pub fn open(data_dir: &Path, base_url: String) -> Result<Self> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let issuer = open_issuer(data_dir, clock.clone())?;
        let (merchant, ledger) = open_merchant(data_dir)?;
        import_legacy_credits(&issuer, &ledger)?;
        let origin = Origin::of(&base_url)?.as_str().to_owned();
        issuer.register_merchant(&MerchantRecord {
            pay_to: merchant.pay_to.clone(),
            key: merchant.signer.public_key(),
            name: merchant.name.clone(),
            origins: vec![origin.clone()],
        })?;
        let settler = Settler {
            ledger: ledger.clone(),
            merchant: merchant.clone(),
            link: Arc::new(IssuerLink::Embedded(issuer.clone())),
            issuer_key: issuer.public_key(),
            clock: clock.clone(),
            certificate_file: Some(data_dir.join(CERTIFICATE_FILE)),
        };
        Ok(AppState { base_url, origin, issuer, merchant, ledger, settler, clock })
    }
}

/// A data directory of the demo from before the issuer had its own ledger kept the credit
/// notes beside the merchant's: the issuer takes them over, or settling those wallets'
/// payments would find no credits and refuse them `overdrawn`.
fn import_legacy_credits(issuer: &Issuer, ledger: &Ledger) -> Result<()> {
    let mut imported = 0;
    for (credit_id, jws) in ledger.legacy_credits()? {
        let c: CreditClaims = documents::open(&jws)?;
        if c.iss != issuer.public_key() || c.credit_id != credit_id {
            tracing::warn!(%credit_id, "a legacy credit note not signed by this issuer is left out");
            continue;
        }
        let record = CreditRecord {
            credit_id,
            wallet: c.sub,
            micros: c.amount()?.micros,
            asset: c.asset,
            value: c.value.clone(),
            asset_scale: c.asset_scale,
            issued_at: c.issued_at,
            credit: jws,
        };
        match issuer.store().record_credit(&record) {
            Ok(()) => imported += 1,
            // Taken over at an earlier start.
            Err(centime_issuer::Error::Refused { status: axum::http::StatusCode::CONFLICT, .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if imported > 0 {
        tracing::info!(imported, "credit notes of the former demo issuer taken over by the issuer's ledger");
    }
    Ok(())
}

/// The magazine's routes beside the issuer's (`centime_issuer::http::router`: `/issuer`,
/// `/issuer/topups`, settlements, revocations, statements, certificates).
pub fn router(state: Arc<AppState>) -> Router {
    let issuer = centime_issuer::http::router(state.issuer.clone());
    Router::new()
        .route("/", get(magazine::index))
        .route("/articles", get(magazine::catalogue))
        .route("/articles/{id}/{page}", get(magazine::page))
        .route("/topup", get(topup::topup_page).post(topup::topup_submit))
        .route("/merchant/ledger", get(ledger))
        .route("/merchant/settle", post(settle_now))
        .route("/static/paywall.js", get(|| async { asset("text/javascript; charset=utf-8", PAYWALL_JS) }))
        .route("/static/style.css", get(|| async { asset("text/css; charset=utf-8", STYLE_CSS) }))
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .with_state(state)
        .merge(issuer)
        .fallback(|| async { ApiError::not_found("no such route") })
        .layer(axum::middleware::map_response(security_headers))
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

/// `POST /merchant/settle`: settles now (what the background task does every minute) and
/// refreshes the revocation list; answers what the run did.
async fn settle_now(State(s): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let summary = s.settler.settle().await?;
    s.settler.refresh_revocations().await?;
    Ok(Json(serde_json::to_value(summary).map_err(ApiError::internal)?))
}

/// `GET /merchant/ledger`: every accepted payment and where it stands with the issuer, with
/// the totals per asset (all accepted, and split into settled, unsettled and refused).
async fn ledger(State(s): State<Arc<AppState>>) -> Result<Json<Value>, ApiError> {
    let state = s.clone();
    let (entries, totals) = tokio::task::spawn_blocking(move || -> Result<_> {
        Ok((state.ledger.entries_with_settlement()?, state.ledger.totals_by_state()?))
    })
    .await
    .map_err(ApiError::internal)??;
    let mut all: std::collections::BTreeMap<String, centime_protocol::Micros> = Default::default();
    let mut by_state: Map<String, Value> = Map::new();
    for st in [SettlementState::Settled, SettlementState::Unsettled, SettlementState::Refused] {
        by_state.insert(st.as_str().to_owned(), Value::Object(Map::new()));
    }
    for (asset, st, micros) in totals {
        let sum = all.entry(asset.to_string()).or_default();
        *sum = sum.checked_add(micros)?;
        if let Some(Value::Object(m)) = by_state.get_mut(st.as_str()) {
            m.insert(asset.to_string(), Value::String(micros.to_string()));
        }
    }
    let by_asset: Map<String, Value> = all.into_iter().map(|(a, m)| (a, Value::String(m.to_string()))).collect();
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|(e, st)| {
            let mut v = json!({
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
                "settlement": st.state,
            });
            if let Some(code) = st.code {
                v["refusal"] = json!(code);
            }
            if let Some(at) = st.settled_at {
                v["settledAt"] = json!(at);
            }
            v
        })
        .collect();
    let mut out = json!({
        "merchant": s.merchant.pay_to,
        "network": s.merchant.network,
        "demo": true,
        "count": entries.len(),
        "totals": by_asset,
        "entries": entries,
    });
    if let Value::Object(o) = &mut out {
        o.extend(by_state);
    }
    Ok(Json(out))
}
