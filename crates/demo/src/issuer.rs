//! The demo issuer: sells (pretend) top-ups as signed credit notes bound to one wallet key.
//!
//! No money moves. The only "card" it takes is the well-known test number 4242 4242 4242 4242.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use centime_protocol::deeplink::DeepLink;
use centime_protocol::documents::{self, CreditClaims};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::{Asset, Micros, Network, PublicKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::AppState;
use crate::error::ApiError;
use crate::html;
use crate::ledger::Credit;
use crate::merchant::random_id;

/// Smallest and largest top-up, in micro-units; top-ups are in whole cents.
pub const MIN_TOPUP: Micros = Micros::from_micros(10_000);
pub const MAX_TOPUP: Micros = Micros::from_micros(100_000_000);
const CENT: i64 = 10_000;
pub const ASSETS: [Asset; 2] = [Asset::EUR, Asset::USD];
/// The test card this demo accepts, digits only.
pub const TEST_CARD: &str = "4242424242424242";

#[derive(Debug)]
pub struct Issuer {
    pub signer: RingSigner,
    pub network: Network,
    pub name: String,
}

/// A credit note just issued.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issued {
    pub credit: String,
    pub link: String,
    pub credit_id: String,
    pub amount: Micros,
    pub asset: Asset,
    pub network: String,
    pub issuer: PublicKey,
    pub wallet: PublicKey,
    pub demo: bool,
}

impl Issuer {
    pub fn describe(&self) -> Value {
        serde_json::json!({
            "network": self.network,
            "publicKey": self.signer.public_key(),
            "name": self.name,
            "demo": true,
            "notice": "A demonstration issuer: its credit notes are not backed by money.",
            "limits": {
                "assets": ASSETS,
                "minPerTopup": MIN_TOPUP,
                "maxPerTopup": MAX_TOPUP,
                "assetScale": 2,
            },
        })
    }

    /// Checks the request and signs a credit note for it.
    pub fn issue(&self, state: &AppState, wallet: &str, amount: Micros, asset: Asset) -> Result<Issued, ApiError> {
        let wallet: PublicKey = wallet.trim().parse().map_err(|_| {
            ApiError::bad_request(
                "invalid_wallet",
                "the wallet id must be the wallet's Ed25519 public key: 43 characters of base64url",
            )
        })?;
        if !ASSETS.contains(&asset) {
            return Err(ApiError::bad_request(
                "unsupported_asset",
                format!("this issuer sells EUR and USD, not {asset}"),
            ));
        }
        if amount.is_negative() {
            return Err(ApiError::bad_request("invalid_amount", "a top-up cannot be negative"));
        }
        if amount.get() % CENT != 0 {
            return Err(ApiError::bad_request("invalid_amount", "top-ups are in whole cents (at most 2 decimals)"));
        }
        if amount < MIN_TOPUP || amount > MAX_TOPUP {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "amount_out_of_limits",
                format!("a top-up is between {MIN_TOPUP} and {MAX_TOPUP} {asset}"),
            ));
        }
        let credit_id = format!("cr_{}", random_id()?);
        let issued_at = state.clock.now();
        let claims = CreditClaims {
            iss: self.signer.public_key(),
            network: self.network.clone(),
            sub: wallet,
            credit_id: credit_id.clone(),
            value: amount.to_wire(2).map_err(ApiError::internal)?,
            asset,
            asset_scale: 2,
            issued_at,
        };
        let credit = documents::sign(&self.signer, &claims).map_err(ApiError::internal)?;
        let link = DeepLink::Topup { credit: credit.clone() }.to_link().map_err(ApiError::internal)?;
        let wallet_text = wallet.to_string();
        let record =
            Credit { credit_id: &credit_id, wallet: &wallet_text, micros: amount, asset, issued_at, credit: &credit };
        state.ledger.record_credit(&record)?;
        tracing::info!(%credit_id, amount = %amount, %asset, "credit note issued");
        Ok(Issued {
            credit,
            link,
            credit_id,
            amount,
            asset,
            network: self.network.to_string(),
            issuer: self.signer.public_key(),
            wallet,
            demo: true,
        })
    }
}

pub async fn get_issuer(State(s): State<Arc<AppState>>) -> Json<Value> {
    Json(s.issuer.describe())
}

/// `POST /issuer/topups {wallet, amount, asset}`: `amount` is a decimal string ("5.00").
pub async fn post_topup(State(s): State<Arc<AppState>>, body: Bytes) -> Result<Response, ApiError> {
    let v: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("invalid_json", format!("the body is not JSON: {e}")))?;
    let field =
        |name: &str| v.get(name).ok_or_else(|| ApiError::bad_request("missing_field", format!("{name} is required")));
    let wallet =
        field("wallet")?.as_str().ok_or_else(|| ApiError::bad_request("invalid_wallet", "wallet must be a string"))?;
    let amount = match field("amount")? {
        Value::String(s) => s
            .parse::<Micros>()
            .map_err(|e| ApiError::bad_request("invalid_amount", format!("amount: {e}; write it like \"5.00\"")))?,
        Value::Number(_) => {
            return Err(ApiError::bad_request(
                "money_not_a_string",
                "amount must be a decimal string such as \"5.00\", never a JSON number",
            ));
        }
        _ => return Err(ApiError::bad_request("invalid_amount", "amount must be a decimal string such as \"5.00\"")),
    };
    let asset = field("asset")?
        .as_str()
        .ok_or_else(|| ApiError::bad_request("unsupported_asset", "asset must be a string such as \"EUR\""))?
        .parse::<Asset>()
        .map_err(|e| ApiError::bad_request("unsupported_asset", e.to_string()))?;
    let issued = s.issuer.issue(&s, wallet, amount, asset)?;
    Ok((StatusCode::CREATED, Json(issued)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct TopupForm {
    #[serde(default)]
    wallet: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    asset: String,
    #[serde(default)]
    card: String,
}

pub async fn topup_page() -> Html<String> {
    Html(html::topup_form(&html::TopupFormValues::default(), None))
}

/// The HTML form's submission: same checks as the API, plus the test card.
pub async fn topup_submit(State(s): State<Arc<AppState>>, Form(f): Form<TopupForm>) -> Response {
    let values = html::TopupFormValues {
        wallet: f.wallet.clone(),
        amount: f.amount.clone(),
        asset: f.asset.clone(),
        card: f.card.clone(),
    };
    let card: String = f.card.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    let result = if card != TEST_CARD {
        Err(ApiError::bad_request("card_refused", "this demo only takes the test card 4242 4242 4242 4242"))
    } else {
        match (Micros::parse_user(&f.amount), f.asset.parse::<Asset>()) {
            (Err(e), _) => Err(ApiError::bad_request("invalid_amount", e.to_string())),
            (_, Err(e)) => Err(ApiError::bad_request("unsupported_asset", e.to_string())),
            (Ok(amount), Ok(asset)) => s.issuer.issue(&s, &f.wallet, amount, asset),
        }
    };
    match result {
        Ok(issued) => Html(html::topup_result(&issued)).into_response(),
        Err(e) => (e.status, Html(html::topup_form(&values, Some(&e.message)))).into_response(),
    }
}
