//! What a merchant's HTTP answers say, read from their parts (header values as received, body
//! bytes) without any I/O, so that every byte a site sends reaches these functions the same way
//! in the client and in the fuzz targets (fuzz/fuzz_targets/client_answer.rs).

use centime_protocol::{Amount, Origin, PaymentRequired, PaymentRequirements, SettlementResponse};
use reqwest::header::HeaderValue;
use url::Url;

use crate::error::{Error, Result};

/// Longest rejection code kept from a merchant's answer, in characters.
pub const MAX_CODE_CHARS: usize = 64;

/// The requirements of a 402 answered at `url`: the `PAYMENT-REQUIRED` header when there is
/// one, else the JSON body. The resource they name must be on `url`'s origin: a site is only
/// ever paid for its own pages.
pub fn payment_required(url: &Url, header: Option<&HeaderValue>, body: Option<&[u8]>) -> Result<PaymentRequired> {
    let required = match (header, body) {
        (Some(h), _) => {
            let h = h.to_str().map_err(|_| Error::BadInput("the PAYMENT-REQUIRED header is not text".into()))?;
            PaymentRequired::from_header(h)?
        }
        (None, Some(body)) => PaymentRequired::from_json_body(body)?,
        (None, None) => return Err(Error::BadInput("a 402 without payment requirements".into())),
    };
    let asked_by = Origin::of_url(url)?;
    let named = Origin::of(&required.resource.url)
        .map_err(|_| Error::BadInput("the 402 names a resource that is not an http(s) URL".into()))?;
    if named != asked_by {
        return Err(Error::OriginMismatch { asked_by, named });
    }
    Ok(required)
}

/// A rejection code as the wallet records and shows it: printable ASCII, at most
/// [`MAX_CODE_CHARS`] characters (a merchant must not reach the terminal with escapes).
pub(crate) fn clean_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').take(MAX_CODE_CHARS).collect()
}

/// A header value a merchant chose, as the wallet may show it: printable ASCII, at most 200
/// characters.
pub fn printable(value: &HeaderValue) -> String {
    value.as_bytes().iter().filter(|b| b.is_ascii_graphic()).take(200).map(|b| char::from(*b)).collect()
}

/// What to tell the user when a merchant answers a paid request with a new 402 that gives no
/// refusal code: the price it asks now when it is not the one paid (a price changed between
/// the wallet's two requests), else that it asked again.
pub fn asked_again(url: &Url, header: Option<&HeaderValue>, body: Option<&[u8]>, paid: &Amount) -> String {
    let prices: Vec<Amount> = payment_required(url, header, body)
        .map(|r| r.accepts.iter().filter_map(|a| a.terms().ok()).map(|t| t.price).collect())
        .unwrap_or_default();
    match prices.first() {
        Some(now) if !prices.contains(paid) => {
            format!("the merchant now asks {now} instead of the {paid} paid; not paid again")
        }
        _ => "the merchant asked for payment again without saying why; not paid again".to_owned(),
    }
}

/// The rejection code in the `PAYMENT-REQUIRED` header a merchant sends with a 402 to a paid
/// request, if it carries one.
pub fn rejection_code_in_header(header: &HeaderValue) -> Option<String> {
    let h = header.to_str().ok()?;
    PaymentRequired::from_header(h).ok()?.error.map(|c| clean_code(&c))
}

/// The rejection code in the JSON body of that 402 (its `error` string), if any.
pub fn rejection_code_in_body(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get("error").and_then(|e| e.as_str()).map(clean_code)
}

/// The merchant's `PAYMENT-RESPONSE` to a paid request: `None` when absent or not text.
pub fn settlement(header: Option<&HeaderValue>) -> Result<Option<SettlementResponse>, centime_protocol::Error> {
    header.and_then(|h| h.to_str().ok()).map(SettlementResponse::from_header).transpose()
}

/// The return address of a `centime://pay` link must be on the site of the page it pays for.
/// Returns that site's origin.
pub fn check_link_return(linked: &PaymentRequired, return_url: Option<&Url>) -> Result<Origin> {
    let site = Origin::of(&linked.resource.url)
        .map_err(|_| Error::BadInput("the link names a page that is not an http(s) URL".into()))?;
    if let Some(r) = return_url
        && !site.holds(r)
    {
        return Err(Error::ReturnElsewhere(site));
    }
    Ok(site)
}

/// The same payee, price, asset, network and scheme.
fn same_terms(a: &PaymentRequirements, b: &PaymentRequirements) -> bool {
    a.scheme == b.scheme
        && a.network == b.network
        && a.pay_to == b.pay_to
        && a.asset == b.asset
        && match (a.terms(), b.terms()) {
            (Ok(x), Ok(y)) => x.price == y.price,
            _ => false,
        }
}

/// A payment link's request checked against the site's own 402 (answered at `answered`): the
/// site must offer terms the link names. Returns the site's request narrowed to those offers:
/// what is paid is what the site offers, never the link's own copy.
pub fn confirm_terms(linked: &PaymentRequired, site: PaymentRequired, answered: &Url) -> Result<PaymentRequired> {
    let confirmed = linked.accepts.iter().any(|l| site.accepts.iter().any(|s| same_terms(l, s)));
    if !confirmed {
        return Err(Error::SiteUnconfirmed(format!(
            "{} does not offer the payee, price, asset and network the link names",
            Origin::of_url(answered)?
        )));
    }
    let mut required = site;
    required.accepts.retain(|s| linked.accepts.iter().any(|l| same_terms(l, s)));
    Ok(required)
}
