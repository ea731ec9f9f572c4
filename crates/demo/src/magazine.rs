//! The magazine's routes: the index, the catalogue as JSON, and priced pages behind a 402.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use centime_protocol::deeplink::{DeepLink, check_return_url};
use centime_protocol::jws::Signer as _;
use centime_protocol::wire::PAYMENT_SIGNATURE;
use centime_protocol::{Amount, Asset, Micros, PaymentRequired, Rejection};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::articles::{ARTICLES, Article, Page};
use crate::error::ApiError;
use crate::html;
use crate::merchant::{Outcome, refusal};

// `HeaderName::from_static` wants lower case; these are `wire::PAYMENT_REQUIRED`/`PAYMENT_RESPONSE`.
const PAYMENT_REQUIRED_LC: &str = "payment-required";
const PAYMENT_RESPONSE_LC: &str = "payment-response";

/// Every page is priced in euros.
pub const ASSET: Asset = Asset::EUR;

impl Article {
    pub fn price(&self) -> Amount {
        Amount::new(Micros::from_micros(self.price_micros), ASSET)
    }
}

pub fn find(id: &str) -> Option<&'static Article> {
    ARTICLES.iter().find(|a| a.id == id)
}

pub fn page_url(base: &str, article: &Article, n: usize) -> String {
    format!("{base}/articles/{}/{n}", article.id)
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
}

pub async fn index(State(s): State<Arc<AppState>>) -> Html<String> {
    Html(html::index(&s.base_url, &s.merchant.name))
}

/// `GET /articles`: the catalogue with each page's absolute URL and price.
pub async fn catalogue(State(s): State<Arc<AppState>>) -> Json<Value> {
    let articles: Vec<Value> = ARTICLES
        .iter()
        .map(|a| {
            let pages: Vec<Value> = (1..=a.pages.len())
                .map(|n| {
                    json!({
                        "page": n,
                        "url": page_url(&s.base_url, a, n),
                        "price": a.price().micros,
                        "asset": ASSET,
                    })
                })
                .collect();
            json!({ "id": a.id, "title": a.title, "summary": a.summary, "pages": pages })
        })
        .collect();
    Json(json!({
        "magazine": {
            "name": s.merchant.name,
            "payTo": s.merchant.pay_to,
            "network": s.merchant.network,
            "publicKey": s.merchant.signer.public_key(),
            "entitlementSeconds": s.merchant.entitlement_seconds,
            "demo": true,
        },
        "articles": articles,
    }))
}

/// `GET /articles/{id}/{page}`: 402 without a payment, the page with a valid one.
pub async fn page(
    State(s): State<Arc<AppState>>,
    Path((id, n)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let html = wants_html(&headers);
    let found = find(&id).and_then(|a| {
        let n: usize = n.parse().ok()?;
        let page = a.pages.get(n.checked_sub(1)?)?;
        Some((a, n, page))
    });
    let Some((article, n, page)) = found else {
        return Ok(if html {
            (StatusCode::NOT_FOUND, Html(html::not_found())).into_response()
        } else {
            ApiError::not_found("no such article or page").into_response()
        });
    };
    let url = page_url(&s.base_url, article, n);
    let description = format!("{} — page {n} of {}", article.title, article.pages.len());
    let offered = s.merchant.payment_required(&url, &description, article.price())?;

    let Some(signature) = headers.get(PAYMENT_SIGNATURE) else {
        return unpaid(&offered, article, n, html, None);
    };
    let Ok(signature) = signature.to_str().map(str::to_owned) else {
        return unpaid(
            &offered,
            article,
            n,
            html,
            Some((Rejection::Malformed, "the PAYMENT-SIGNATURE header is not text")),
        );
    };
    let state = s.clone();
    let offer = offered.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        state.merchant.accept(&state.ledger, state.clock.clone(), offer, &signature)
    })
    .await
    .map_err(ApiError::internal)?;
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "payment could not be recorded");
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ledger_unavailable",
                "the merchant could not record the payment; nothing was accepted, retry later",
            ));
        }
    };
    match outcome {
        Outcome::Refused { rejection, message } => {
            tracing::info!(code = %rejection, %url, "payment refused");
            unpaid(&offered, article, n, html, Some((rejection, &message)))
        }
        Outcome::Paid { entry, fresh } => {
            if !fresh {
                tracing::info!(payment_id = %entry.payment_id, %url, "served under an earlier payment");
            }
            let settlement = s.merchant.settlement(&entry).to_header()?;
            let mut resp = if html {
                Html(html::article_page(&s.base_url, article, n, page)).into_response()
            } else {
                Json(page_json(&s.base_url, article, n, page)).into_response()
            };
            resp.headers_mut().insert(HeaderName::from_static(PAYMENT_RESPONSE_LC), header_value(&settlement)?);
            no_store(&mut resp);
            Ok(resp)
        }
    }
}

fn page_json(base: &str, article: &Article, n: usize, page: &Page) -> Value {
    let next = (n < article.pages.len()).then(|| page_url(base, article, n + 1));
    json!({
        "article": article.id,
        "title": article.title,
        "page": n,
        "pages": article.pages.len(),
        "heading": page.heading,
        "text": page.paragraphs.join("\n\n"),
        "next": next,
    })
}

fn header_value(s: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(s).map_err(ApiError::internal)
}

fn no_store(resp: &mut Response) {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("Accept, PAYMENT-SIGNATURE"));
}

/// The 402: the offer in `PAYMENT-REQUIRED` and as the body (JSON, or a paywall for browsers).
/// With `error`, the header's `error` and the body's carry the rejection code.
fn unpaid(
    offered: &PaymentRequired,
    article: &Article,
    n: usize,
    html: bool,
    error: Option<(Rejection, &str)>,
) -> Result<Response, ApiError> {
    let (header, body) = match error {
        None => (offered.to_header()?, serde_json::to_value(offered).map_err(ApiError::internal)?),
        Some((rejection, message)) => refusal(offered.clone(), rejection, message)?,
    };
    let mut resp = if html {
        let link = pay_link(offered)?;
        let page = html::paywall(article, n, &offered.accepts[..], &link, error.map(|(_, m)| m));
        (StatusCode::PAYMENT_REQUIRED, Html(page)).into_response()
    } else {
        (StatusCode::PAYMENT_REQUIRED, Json(body)).into_response()
    };
    resp.headers_mut().insert(HeaderName::from_static(PAYMENT_REQUIRED_LC), header_value(&header)?);
    no_store(&mut resp);
    Ok(resp)
}

/// `centime://pay?req=<b64url PaymentRequired>&return=<this page>`.
fn pay_link(offered: &PaymentRequired) -> Result<String, ApiError> {
    let return_url = check_return_url(&offered.resource.url).ok();
    DeepLink::Pay { required: Box::new(offered.clone()), return_url }.to_link().map_err(ApiError::internal)
}
