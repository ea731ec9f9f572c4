//! The merchant's way to its issuer: in-process when `centime-demo serve` embeds it, over HTTP
//! (docs/protocol.md §13) for a merchant on its own. Either way the answers are the issuer's
//! signed JWS, and the caller checks them under the issuer key it trusts, the same way.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use centime_issuer::Issuer;
use centime_issuer::http::JOSE;
use centime_protocol::{Network, PublicKey};
use serde_json::Value;

pub enum IssuerLink {
    /// The issuer of this process.
    Embedded(Arc<Issuer>),
    /// An issuer at `base` (no trailing slash), e.g. `http://127.0.0.1:8403`.
    Remote { base: String, http: reqwest::Client },
}

impl std::fmt::Debug for IssuerLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IssuerLink::Embedded(_) => f.write_str("IssuerLink::Embedded"),
            IssuerLink::Remote { base, .. } => write!(f, "IssuerLink::Remote({base})"),
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> centime_issuer::Result<T> + Send + 'static) -> Result<T> {
    Ok(tokio::task::spawn_blocking(f).await.context("an issuer task failed")??)
}

impl IssuerLink {
    pub fn remote(base: &str) -> Result<Self> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
        Ok(IssuerLink::Remote { base: base.trim_end_matches('/').to_owned(), http })
    }

    /// The issuer's key and network as it describes itself (`GET /issuer`).
    pub async fn describe(&self) -> Result<(PublicKey, Network)> {
        let v = match self {
            IssuerLink::Embedded(i) => i.describe(),
            IssuerLink::Remote { base, http } => {
                let r =
                    http.get(format!("{base}/issuer")).send().await.with_context(|| format!("GET {base}/issuer"))?;
                if !r.status().is_success() {
                    bail!("GET {base}/issuer answered {}", r.status());
                }
                r.json::<Value>().await?
            }
        };
        let key = v["publicKey"].as_str().context("the issuer's description has no publicKey")?.parse()?;
        let network = v["network"].as_str().context("the issuer's description has no network")?.parse()?;
        Ok((key, network))
    }

    /// The merchant certificate of `pay_to` (JWS, not yet checked).
    pub async fn certificate(&self, pay_to: &str) -> Result<String> {
        match self {
            IssuerLink::Embedded(i) => {
                let (i, pay_to) = (i.clone(), pay_to.to_owned());
                blocking(move || i.certificate(&pay_to)).await
            }
            IssuerLink::Remote { base, http } => {
                let url = format!("{base}/issuer/merchants/{pay_to}/certificate");
                jws_answer(http.get(&url).send().await.with_context(|| format!("GET {url}"))?, &url).await
            }
        }
    }

    /// The revocation list (JWS, not yet checked).
    pub async fn revocations(&self) -> Result<String> {
        match self {
            IssuerLink::Embedded(i) => {
                let i = i.clone();
                blocking(move || i.revocation_list()).await
            }
            IssuerLink::Remote { base, http } => {
                let url = format!("{base}/issuer/revocations");
                jws_answer(http.get(&url).send().await.with_context(|| format!("GET {url}"))?, &url).await
            }
        }
    }

    /// Sends a signed settlement request; the issuer's settlement answer (JWS, not yet checked).
    pub async fn settle(&self, request: String) -> Result<String> {
        match self {
            IssuerLink::Embedded(i) => {
                let i = i.clone();
                blocking(move || i.settle(&request)).await
            }
            IssuerLink::Remote { base, http } => {
                let url = format!("{base}/issuer/settlements");
                let r = http
                    .post(&url)
                    .header(reqwest::header::CONTENT_TYPE, JOSE)
                    .body(request)
                    .send()
                    .await
                    .with_context(|| format!("POST {url}"))?;
                jws_answer(r, &url).await
            }
        }
    }
}

/// The body of a 200 answer, or the issuer's `{code, message}` as the error.
async fn jws_answer(r: reqwest::Response, url: &str) -> Result<String> {
    let status = r.status();
    let body = r.text().await.with_context(|| format!("reading the answer of {url}"))?;
    if !status.is_success() {
        let why = serde_json::from_str::<Value>(&body)
            .ok()
            .map(|v| format!("{}: {}", v["code"].as_str().unwrap_or("?"), v["message"].as_str().unwrap_or("")))
            .unwrap_or_else(|| body.chars().take(200).collect());
        bail!("{url} answered {status}: {why}");
    }
    Ok(body.trim().to_owned())
}
