//! Reading what users type or paste: payment requests, credit notes, amounts, payment ids and
//! `--header` values. Every refusal is invalid input (exit 5) with its own message.

use std::io::Read as _;

use anyhow::{Context as _, Result};
use centime_client::header::{HeaderMap, HeaderName, HeaderValue};
use centime_protocol::deeplink::DeepLink;
use centime_protocol::wire::PAYMENT_SIGNATURE;
use centime_protocol::{Micros, PaymentId, PaymentRequired, SettlementResponse};

use crate::{EXIT_INPUT, fail};

/// Largest file `@FILE` reads: a request or a credit note is a few KiB.
pub const MAX_INPUT_FILE: u64 = 1 << 20;

/// `@FILE` reads the file (at most [`MAX_INPUT_FILE`] bytes of UTF-8); anything else is the
/// value itself.
pub fn value_or_file(s: &str) -> Result<String> {
    let Some(path) = s.strip_prefix('@') else { return Ok(s.to_owned()) };
    // A file the user names that cannot be read is invalid input (exit 5), not internal.
    let unreadable = |e: std::io::Error| fail(EXIT_INPUT, format!("reading {path}: {e}"));
    let too_large = || fail(EXIT_INPUT, format!("{path} is larger than {MAX_INPUT_FILE} bytes: not a request"));
    let file = std::fs::File::open(path).map_err(unreadable)?;
    if file.metadata().map_err(unreadable)?.len() > MAX_INPUT_FILE {
        return Err(too_large());
    }
    // A pipe or a device (`@/dev/stdin`, `@/dev/zero`) has no length to check: read one byte
    // past the limit at most.
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_FILE + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_INPUT_FILE {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|_| fail(EXIT_INPUT, format!("{path} is not UTF-8 text")))
}

/// A merchant's `PAYMENT-RESPONSE` as the user gave it: the header value, its JSON, or @FILE.
pub fn settlement_response(s: &str) -> Result<SettlementResponse> {
    let text = value_or_file(s)?;
    let text = text.trim();
    let parsed = if text.starts_with('{') {
        serde_json::from_str(text).map_err(|e| format!("not a PAYMENT-RESPONSE: {e}"))
    } else {
        SettlementResponse::from_header(text).map_err(|e| format!("not a PAYMENT-RESPONSE header value: {e}"))
    };
    parsed.map_err(|m| fail(EXIT_INPUT, m))
}

/// A payment request as the user gave it.
#[derive(Debug)]
pub enum GivenRequest {
    /// A PAYMENT-REQUIRED header value or its JSON, copied from a merchant's answer.
    Request(PaymentRequired),
    /// A `centime://pay` link: any web page can craft one, so its terms are only paid once the
    /// site it names confirms them (centime-client's `prepare_pay_link`).
    Link { required: PaymentRequired, return_url: Option<url::Url> },
}

/// A payment request as a PAYMENT-REQUIRED header value, its JSON, or a `centime://pay` link.
pub fn given_request(s: &str) -> Result<GivenRequest> {
    let text = value_or_file(s)?;
    let t = text.trim();
    if t.starts_with("centime:") {
        return match DeepLink::parse(t)? {
            DeepLink::Pay { required, return_url } => Ok(GivenRequest::Link { required: *required, return_url }),
            DeepLink::Topup { .. } => Err(fail(EXIT_INPUT, "this is a top-up link; use `centime topup`")),
            DeepLink::PayRequest { .. } => Err(fail(EXIT_INPUT, "this is another wallet's payment request")),
            DeepLink::Receive { .. } | DeepLink::ReceiveCode { .. } => {
                Err(fail(EXIT_INPUT, "this is a transfer from another wallet, to receive"))
            }
        };
    }
    if t.starts_with('{') {
        return Ok(GivenRequest::Request(PaymentRequired::from_json_body(t.as_bytes())?));
    }
    Ok(GivenRequest::Request(PaymentRequired::from_header(t)?))
}

/// [`given_request`] as the request and, for a link, its return address.
pub fn payment_request(s: &str) -> Result<(PaymentRequired, Option<url::Url>)> {
    Ok(match given_request(s)? {
        GivenRequest::Request(r) => (r, None),
        GivenRequest::Link { required, return_url } => (required, return_url),
    })
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

/// What the user typed, quoted in a message: at most 40 characters.
fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// `centime fetch --header K:V`, each given once or more; PAYMENT-SIGNATURE is centime's own.
pub fn headers(list: &[String]) -> Result<HeaderMap> {
    let mut map = HeaderMap::new();
    for h in list {
        let (k, v) = h.split_once(':').ok_or_else(|| fail(EXIT_INPUT, format!("--header {:?} is not K:V", clip(h))))?;
        let name = HeaderName::from_bytes(k.trim().as_bytes())
            .map_err(|_| fail(EXIT_INPUT, format!("{:?} is not a header name", clip(k.trim()))))?;
        if name.as_str().eq_ignore_ascii_case(PAYMENT_SIGNATURE) {
            return Err(fail(EXIT_INPUT, "PAYMENT-SIGNATURE is set by centime, not by --header"));
        }
        let value = HeaderValue::from_str(v.trim())
            .map_err(|_| fail(EXIT_INPUT, format!("the value of {:?} is not a valid header value", clip(k.trim()))))?;
        map.append(name, value);
    }
    Ok(map)
}
