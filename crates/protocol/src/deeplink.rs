//! `centime://` links: per-fee payment links and top-up links.
//!
//! A link is untrusted input from any web page. Parsing refuses anything but the two known
//! forms, each parameter at most once, bounded sizes, and return addresses that are not
//! absolute http(s) URLs.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use url::Url;

use crate::error::{Error, Result};
use crate::wire::PaymentRequired;

/// The URL scheme of Centime's links.
pub const SCHEME: &str = "centime";
/// Longest link accepted, in bytes.
pub const MAX_LINK_LEN: usize = 24 * 1024;
const MAX_RETURN_LEN: usize = 2048;

/// A `centime://` link, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub enum DeepLink {
    /// `centime://pay?req=<b64url PaymentRequired JSON>&return=<http(s) URL>`
    Pay {
        /// The payment the link asks for (to be confirmed with its site before any prompt).
        required: Box<PaymentRequired>,
        /// Where to go once paid, on the resource's origin.
        return_url: Option<Url>,
    },
    /// `centime://topup?credit=<credit-note JWS>`
    Topup {
        /// The credit note's JWS.
        credit: String,
    },
}

fn bad(why: impl Into<String>) -> Error {
    Error::InvalidLink(why.into())
}

/// A part of the link quoted in a message: at most 40 characters (a link may be 24 KiB).
fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Checks a return address: absolute, http or https, with a host, bounded.
pub fn check_return_url(s: &str) -> Result<Url> {
    if s.len() > MAX_RETURN_LEN {
        return Err(Error::InvalidReturnUrl(format!("longer than {MAX_RETURN_LEN} bytes")));
    }
    let u = Url::parse(s).map_err(|e| Error::InvalidReturnUrl(format!("not an absolute URL ({e})")))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(Error::InvalidReturnUrl(format!("scheme {:?} is not http or https", clip(u.scheme()))));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(Error::InvalidReturnUrl("no host".into()));
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err(Error::InvalidReturnUrl("credentials in the URL".into()));
    }
    Ok(u)
}

impl DeepLink {
    /// Parses and checks a `centime://pay` or `centime://topup` link; anything else is refused.
    pub fn parse(link: &str) -> Result<Self> {
        if link.len() > MAX_LINK_LEN {
            return Err(Error::TooLarge { what: "link", len: link.len(), limit: MAX_LINK_LEN });
        }
        let u = Url::parse(link.trim()).map_err(|e| bad(format!("not a URL ({e})")))?;
        if u.scheme() != SCHEME {
            return Err(bad(format!("scheme {:?} is not centime", clip(u.scheme()))));
        }
        if !u.username().is_empty() || u.password().is_some() || u.port().is_some() || u.fragment().is_some() {
            return Err(bad("unexpected user, port or fragment"));
        }
        if !matches!(u.path(), "" | "/") {
            return Err(bad(format!("unexpected path {:?}", clip(u.path()))));
        }
        let mut params: Vec<(String, String)> = Vec::new();
        for (k, v) in u.query_pairs() {
            if params.iter().any(|(seen, _)| *seen == k) {
                return Err(bad(format!("parameter {:?} appears twice", clip(&k))));
            }
            params.push((k.into_owned(), v.into_owned()));
        }
        let take = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let allow_only = |names: &[&str]| match params.iter().find(|(k, _)| !names.contains(&k.as_str())) {
            Some((k, _)) => Err(bad(format!("unknown parameter {:?}", clip(k)))),
            None => Ok(()),
        };
        match u.host_str() {
            Some("pay") => {
                allow_only(&["req", "return"])?;
                let req = take("req").ok_or_else(|| bad("a pay link needs req"))?;
                let json = URL_SAFE_NO_PAD
                    .decode(req.trim_end_matches('='))
                    .map_err(|e| Error::Base64 { what: "link req", detail: e.to_string() })?;
                // The request is read like a 402 body, but the error must name the link's
                // `req`: the user was handed a link, not a merchant's answer.
                let required = PaymentRequired::from_json_body(&json).map_err(|e| match e {
                    Error::Json { detail, .. } => Error::Json { what: "link req", detail },
                    Error::TooLarge { len, limit, .. } => Error::TooLarge { what: "link req", len, limit },
                    other => other,
                })?;
                let return_url = take("return").map(check_return_url).transpose()?;
                Ok(DeepLink::Pay { required: Box::new(required), return_url })
            }
            Some("topup") => {
                allow_only(&["credit"])?;
                let credit = take("credit").ok_or_else(|| bad("a topup link needs credit"))?;
                crate::jws::Compact::parse(credit, crate::documents::CREDIT_TYP)?;
                Ok(DeepLink::Topup { credit: credit.to_owned() })
            }
            other => Err(bad(format!("unknown link kind {:?}", clip(other.unwrap_or(""))))),
        }
    }

    /// Writes the link back as a `centime://` URL (what a page puts in its `href`).
    pub fn to_link(&self) -> Result<String> {
        let mut u = Url::parse("centime://x").map_err(|e| bad(e.to_string()))?;
        match self {
            DeepLink::Pay { required, return_url } => {
                u.set_host(Some("pay")).map_err(|e| bad(e.to_string()))?;
                let json = serde_json::to_vec(required).map_err(|e| Error::json("link req", e))?;
                let mut q = u.query_pairs_mut();
                q.append_pair("req", &URL_SAFE_NO_PAD.encode(json));
                if let Some(r) = return_url {
                    q.append_pair("return", r.as_str());
                }
            }
            DeepLink::Topup { credit } => {
                u.set_host(Some("topup")).map_err(|e| bad(e.to_string()))?;
                u.query_pairs_mut().append_pair("credit", credit);
            }
        }
        Ok(u.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_urls() {
        assert!(check_return_url("https://news.example/a?b=1").is_ok());
        for bad in
            ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "/relative", "ftp://x/", "https://u:p@x/"]
        {
            assert!(check_return_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refuses_foreign_or_odd_links() {
        for bad in [
            "https://pay?req=x",
            "centime://steal?req=x",
            "centime://pay?req=a&req=b",
            "centime://pay?req=a&other=1",
            "centime://topup?credit=a.b.c&x=1",
            "centime://pay",
            "centime://pay/extra?req=a",
        ] {
            assert!(DeepLink::parse(bad).is_err(), "{bad}");
        }
    }
}
