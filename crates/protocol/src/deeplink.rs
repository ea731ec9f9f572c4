//! `centime://` links: per-fee payment links, top-up links, and the links of payments between
//! wallets (a payment request to pay, a transfer to receive whole or by its short code).
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
    /// `centime://pay?request=<payment-request JWS>`: another wallet asks to be paid. The JWS
    /// has passed §5's structural checks only; [`crate::p2p::PaymentRequestDoc::open`] checks
    /// the rest.
    PayRequest {
        /// The payment request's JWS.
        request: String,
    },
    /// `centime://receive?transfer=<transfer JWS>`: a transfer handed over whole (the offline
    /// form). [`crate::p2p::TransferDoc::open`] checks it.
    Receive {
        /// The transfer's JWS.
        transfer: String,
    },
    /// `centime://receive?network=<network>&code=<code>`: a transfer deposited at the issuer
    /// of `network`, collected with its short code.
    ReceiveCode {
        /// The issuer the transfer waits at.
        network: crate::ids::Network,
        /// Its code.
        code: crate::p2p::TransferCode,
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
            Some("pay") if take("request").is_some() => {
                if take("req").is_some() {
                    return Err(bad("a pay link carries req or request, not both"));
                }
                allow_only(&["request"])?;
                let request = take("request").unwrap_or_default();
                crate::jws::Compact::parse(request, crate::p2p::PAYMENT_REQUEST_TYP)?;
                Ok(DeepLink::PayRequest { request: request.to_owned() })
            }
            Some("pay") => {
                allow_only(&["req", "return"])?;
                let req = take("req").ok_or_else(|| bad("a pay link needs req or request"))?;
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
            Some("receive") if take("transfer").is_some() => {
                allow_only(&["transfer"])?;
                let transfer = take("transfer").unwrap_or_default();
                crate::jws::Compact::parse_limited(transfer, crate::p2p::TRANSFER_TYP, crate::p2p::MAX_TRANSFER_LEN)?;
                Ok(DeepLink::Receive { transfer: transfer.to_owned() })
            }
            Some("receive") => {
                allow_only(&["network", "code"])?;
                let (Some(network), Some(code)) = (take("network"), take("code")) else {
                    return Err(bad("a receive link needs transfer, or network and code"));
                };
                Ok(DeepLink::ReceiveCode { network: network.parse()?, code: code.parse()? })
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
            DeepLink::PayRequest { request } => {
                u.set_host(Some("pay")).map_err(|e| bad(e.to_string()))?;
                u.query_pairs_mut().append_pair("request", request);
            }
            DeepLink::Receive { transfer } => {
                u.set_host(Some("receive")).map_err(|e| bad(e.to_string()))?;
                u.query_pairs_mut().append_pair("transfer", transfer);
            }
            DeepLink::ReceiveCode { network, code } => {
                u.set_host(Some("receive")).map_err(|e| bad(e.to_string()))?;
                u.query_pairs_mut().append_pair("network", network.as_str()).append_pair("code", code.as_str());
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
            "centime://pay?req=a&request=b.c.d",
            "centime://pay?request=a.b.c&return=https://x.example/",
            "centime://pay?request=not-a-jws",
            "centime://receive",
            "centime://receive?code=0123456789ABCDEF",
            "centime://receive?network=centime:demo",
            "centime://receive?network=demo&code=0123456789ABCDEF",
            "centime://receive?network=centime:demo&code=0123456789ABCDEU",
            "centime://receive?network=centime:demo&code=0123456789ABCDEF&x=1",
            "centime://receive?transfer=a.b.c&code=0123456789ABCDEF",
            "centime://receive?transfer=a.b",
        ] {
            assert!(DeepLink::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wallet_to_wallet_links_round_trip() {
        use crate::jws::{RingSigner, Signer as _};
        use crate::money::{Amount, Asset, Micros};
        use crate::p2p::{PaymentRequestDoc, TransferCode, TransferDoc, TransferTerms, sign_transfer};
        let net: crate::ids::Network = "centime:demo".parse().unwrap();
        let alice = RingSigner::from_seed(&[1; 32]).unwrap();
        let bob = RingSigner::from_seed(&[2; 32]).unwrap();
        let eur = Amount::new(Micros::from_micros(3_000_000), Asset::EUR);
        let req = PaymentRequestDoc::new(bob.public_key(), net.clone(), eur, "Dinner & drinks", 1_000, 60).unwrap();
        let jws = req.sign(&bob).unwrap();
        let link = DeepLink::PayRequest { request: jws.clone() }.to_link().unwrap();
        assert!(link.starts_with("centime://pay?request="), "{link}");
        let DeepLink::PayRequest { request } = DeepLink::parse(&link).unwrap() else { panic!("{link}") };
        assert_eq!(PaymentRequestDoc::open(&request, 1_000).unwrap(), req);

        let terms = TransferTerms::send(bob.public_key(), eur, net.clone(), Some("merci & à+")).unwrap();
        let claims =
            terms.authorization_claims(alice.public_key(), crate::ids::PaymentId::random().unwrap(), 1, 1_000).unwrap();
        let signed = sign_transfer(&alice, &terms, &claims, 1_000).unwrap();
        let link = DeepLink::Receive { transfer: signed.transfer.clone() }.to_link().unwrap();
        let DeepLink::Receive { transfer } = DeepLink::parse(&link).unwrap() else { panic!("{link}") };
        assert_eq!(TransferDoc::open(&transfer).unwrap().doc.note.as_deref(), Some("merci & à+"));

        let code = TransferCode::random().unwrap();
        let link = DeepLink::ReceiveCode { network: net.clone(), code: code.clone() }.to_link().unwrap();
        assert!(link.len() <= 70, "one SMS: {link}");
        assert_eq!(DeepLink::parse(&link).unwrap(), DeepLink::ReceiveCode { network: net, code });
        // A code typed in lower case is the same code.
        let lower = link.replace(&link[link.len() - 16..], &link[link.len() - 16..].to_lowercase());
        assert!(matches!(DeepLink::parse(&lower).unwrap(), DeepLink::ReceiveCode { .. }));
    }
}
