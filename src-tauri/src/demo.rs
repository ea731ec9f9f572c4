//! The demo issuer `make run` starts: found at `CENTIME_DEMO_URL` (in a debug build, by default
//! at 127.0.0.1:8402).

use std::time::Duration;

use centime_app_models::DemoDto;
use centime_core::Wallet;
use centime_protocol::Network;

use crate::error::{AppError, AppResult};

pub const DEFAULT_DEMO_URL: &str = "http://127.0.0.1:8402";
pub const TEST_CARD: &str = "4242 4242 4242 4242";

/// Where to look for a demo issuer: `configured` (`CENTIME_DEMO_URL`); else, in a debug build
/// only, the default address. A release build offers nothing that merely answers on a local
/// port: whatever listens on 127.0.0.1:8402 would otherwise be offered as an issuer to trust,
/// and its origin trusted by links.
pub fn url_to_probe(configured: Option<String>, debug_build: bool) -> Option<String> {
    match configured {
        Some(u) if !u.trim().is_empty() => Some(u),
        _ => debug_build.then(|| DEFAULT_DEMO_URL.to_owned()),
    }
}

/// The origins a link may reach wherever they are: the demo's (its issuer and magazine share
/// it), when one is configured (`CENTIME_DEMO_URL`) or was found, and those the developer
/// names in `CENTIME_TRUSTED_ORIGINS` (comma-separated).
pub fn trusted_origins(configured: Option<&str>, found: Option<&DemoDto>, listed: Option<&str>) -> Vec<String> {
    let origin = |u: &str| url::Url::parse(u.trim()).ok().map(|u| u.origin().ascii_serialization());
    let mut out: Vec<String> =
        configured.into_iter().chain(found.map(|d| d.base_url.as_str())).filter_map(origin).collect();
    out.extend(listed.unwrap_or_default().split(',').map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned));
    out.dedup();
    out
}

fn http() -> AppResult<reqwest::blocking::Client> {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Asks the demo issuer who it is; `None` when it is not running.
pub fn discover(base: &str) -> Option<DemoDto> {
    let v: serde_json::Value = http().ok()?.get(format!("{base}/issuer")).send().ok()?.json().ok()?;
    if v.get("demo").and_then(serde_json::Value::as_bool) != Some(true) {
        return None;
    }
    Some(DemoDto {
        base_url: base.to_owned(),
        network: v.get("network")?.as_str()?.to_owned(),
        public_key: v.get("publicKey")?.as_str()?.to_owned(),
        test_card: TEST_CARD.into(),
        assets: v
            .pointer("/limits/assets")
            .and_then(|a| a.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_else(|| vec!["EUR".to_owned()]),
    })
}

/// Gives `w` the demo issuer's address when it trusts the demo's key and knows no address for
/// its network, so that the background sync reaches it (a wallet made before the app kept
/// addresses gets it at its next open). An address the user set is left alone; a failure only
/// means no sync, and is logged.
pub fn remember_issuer_url(w: &mut Wallet, demo: Option<&DemoDto>) {
    let Some(d) = demo else { return };
    let Ok(network) = d.network.parse::<Network>() else { return };
    let trusted =
        w.issuers().map(|is| is.iter().any(|i| i.network == network && i.public_key.to_string() == d.public_key));
    let known = w.issuer_url(&network).map(|u| u.is_some());
    match (trusted, known) {
        (Ok(true), Ok(false)) => {
            if let Err(e) = w.set_issuer_url(&network, &d.base_url) {
                tracing::warn!(error = %e, "could not keep the demo issuer's address");
            }
        }
        (Err(e), _) | (_, Err(e)) => tracing::warn!(error = %e, "could not read the wallet's issuers"),
        _ => {}
    }
}

/// Buys a credit note from the demo issuer with its test card.
pub fn buy_credit(demo: &DemoDto, wallet: &str, amount: &str, asset: &str) -> AppResult<String> {
    let resp = http()?
        .post(format!("{}/issuer/topups", demo.base_url))
        .json(&serde_json::json!({ "wallet": wallet, "amount": amount, "asset": asset }))
        .send()
        .map_err(|e| AppError::Demo(e.to_string()))?;
    let ok = resp.status().is_success();
    let v: serde_json::Value = resp.json().map_err(|e| AppError::Demo(e.to_string()))?;
    if !ok {
        let msg = v.get("message").and_then(|m| m.as_str()).unwrap_or("the issuer refused the top-up");
        return Err(AppError::Invalid(msg.to_owned()));
    }
    v.get("credit")
        .and_then(|c| c.as_str())
        .map(str::to_owned)
        .ok_or_else(|| AppError::Demo("the issuer answered without a credit note".into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_release_build_looks_for_a_demo_only_where_it_is_told() {
        assert_eq!(url_to_probe(None, false), None, "a release build probes no local port on its own");
        assert_eq!(url_to_probe(Some("".into()), false), None);
        assert_eq!(url_to_probe(Some("http://127.0.0.1:9000".into()), false).as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(url_to_probe(None, true).as_deref(), Some(DEFAULT_DEMO_URL));
        assert_eq!(url_to_probe(Some("http://127.0.0.1:9000".into()), true).as_deref(), Some("http://127.0.0.1:9000"));
    }

    #[test]
    fn the_demo_origin_is_trusted_once_configured_or_found() {
        let found = DemoDto {
            base_url: "http://127.0.0.1:8402".into(),
            network: "centime:demo".into(),
            public_key: "k".into(),
            test_card: TEST_CARD.into(),
            assets: vec![],
        };
        assert_eq!(trusted_origins(None, None, None), Vec::<String>::new());
        assert_eq!(trusted_origins(None, Some(&found), None), ["http://127.0.0.1:8402"]);
        assert_eq!(trusted_origins(Some("http://127.0.0.1:9000/"), None, None), ["http://127.0.0.1:9000"]);
        assert_eq!(
            trusted_origins(None, None, Some(" http://localhost:5173 ,, https://dev.example")),
            ["http://localhost:5173", "https://dev.example"]
        );
    }
}
