//! The demo issuer's HTML top-up form: the one thing of the issuer that stays in the demo. No
//! money moves; the only "card" it takes is the well-known test number 4242 4242 4242 4242, and
//! the credit note is signed by `centime_issuer::Issuer::issue`, as `POST /issuer/topups` does.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::response::{Html, IntoResponse, Response};
use centime_protocol::{Asset, Micros};
use serde::Deserialize;

use crate::app::AppState;
use crate::html;

/// The test card this demo accepts, digits only.
pub const TEST_CARD: &str = "4242424242424242";

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

fn limits(s: &AppState) -> (Micros, Micros) {
    (s.issuer.config().min_topup, s.issuer.config().max_topup)
}

pub async fn topup_page(State(s): State<Arc<AppState>>) -> Html<String> {
    Html(html::topup_form(&html::TopupFormValues::default(), limits(&s), None))
}

/// The HTML form's submission: the issuer's checks, plus the test card.
pub async fn topup_submit(State(s): State<Arc<AppState>>, Form(f): Form<TopupForm>) -> Response {
    let values = html::TopupFormValues {
        wallet: f.wallet.clone(),
        amount: f.amount.clone(),
        asset: f.asset.clone(),
        card: f.card.clone(),
    };
    let card: String = f.card.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    let result = if card != TEST_CARD {
        Err(centime_issuer::Error::bad_request(
            "card_refused",
            "this demo only takes the test card 4242 4242 4242 4242",
        ))
    } else {
        match (Micros::parse_user(&f.amount), f.asset.parse::<Asset>()) {
            (Err(e), _) => Err(centime_issuer::Error::bad_request("invalid_amount", e.to_string())),
            (_, Err(e)) => Err(centime_issuer::Error::bad_request("unsupported_asset", e.to_string())),
            (Ok(amount), Ok(asset)) => {
                let issuer = s.issuer.clone();
                tokio::task::spawn_blocking(move || issuer.issue(&f.wallet, amount, asset))
                    .await
                    .unwrap_or_else(|e| Err(centime_issuer::Error::Store(format!("a ledger task failed: {e}"))))
            }
        }
    };
    match result {
        Ok(issued) => Html(html::topup_result(&issued)).into_response(),
        Err(e) => (e.status(), Html(html::topup_form(&values, limits(&s), Some(&e.public_message())))).into_response(),
    }
}
