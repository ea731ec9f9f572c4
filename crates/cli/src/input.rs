//! Reading what users paste: payment requests, credit notes, amounts.

use anyhow::{Context as _, Result};
use centime_protocol::deeplink::DeepLink;
use centime_protocol::{Micros, PaymentId, PaymentRequired};

/// `@FILE` reads the file; anything else is the value itself.
pub fn value_or_file(s: &str) -> Result<String> {
    match s.strip_prefix('@') {
        Some(path) => {
            // A file the user names that cannot be read is invalid input (exit 5), not internal.
            let unreadable = |e: std::io::Error| crate::fail(crate::EXIT_INPUT, format!("reading {path}: {e}"));
            let meta = std::fs::metadata(path).map_err(unreadable)?;
            if meta.len() > 1 << 20 {
                return Err(crate::fail(crate::EXIT_INPUT, format!("{path} is too large to be a request")));
            }
            std::fs::read_to_string(path).map_err(unreadable)
        }
        None => Ok(s.to_owned()),
    }
}

/// A payment request as a PAYMENT-REQUIRED header value, its JSON, or a `centime://pay` link.
pub fn payment_request(s: &str) -> Result<(PaymentRequired, Option<url::Url>)> {
    let text = value_or_file(s)?;
    let t = text.trim();
    if t.starts_with("centime:") {
        return match DeepLink::parse(t)? {
            DeepLink::Pay { required, return_url } => Ok((*required, return_url)),
            DeepLink::Topup { .. } => Err(crate::fail(crate::EXIT_INPUT, "this is a top-up link; use `centime topup`")),
        };
    }
    if t.starts_with('{') {
        return Ok((PaymentRequired::from_json_body(t.as_bytes())?, None));
    }
    Ok((PaymentRequired::from_header(t)?, None))
}

pub fn amount(s: &str, what: &str) -> Result<Micros> {
    Micros::parse_user(s).with_context(|| what.to_owned())
}

pub fn opt_amount(s: Option<&str>, what: &str) -> Result<Option<Micros>> {
    s.map(|s| amount(s, what)).transpose()
}

pub fn payment_id(s: Option<&str>) -> Result<Option<PaymentId>> {
    Ok(s.map(str::parse).transpose()?)
}
