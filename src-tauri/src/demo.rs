//! The demo issuer `make run` starts: found at `CENTIME_DEMO_URL` (default 127.0.0.1:8402).

use std::time::Duration;

use centime_app_models::DemoDto;

use crate::error::{AppError, AppResult};

pub const DEFAULT_DEMO_URL: &str = "http://127.0.0.1:8402";
pub const TEST_CARD: &str = "4242 4242 4242 4242";

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
