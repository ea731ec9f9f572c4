//! Payment links are untrusted: each forged or unsafe link is refused before any prompt, and
//! nothing is debited. The "site" is a small HTTP server in the test answering its own 402.

// Helpers outside #[test] functions unwrap too: a panic there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;

use centime_client::Error;
use centime_core::Wallet;
use centime_protocol::deeplink::DeepLink;
use centime_protocol::{Micros, Network, PaymentRequired};
use common::{client, network, offer, required, wallet};

/// Serves `site` as the 402 of every GET; returns the base URL.
fn serve(site: impl Fn(&str) -> PaymentRequired + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let b = base.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let pr = site(&format!("{b}{path}"));
            let body = serde_json::to_string(&pr).unwrap();
            let resp = format!(
                "HTTP/1.1 402 Payment Required\r\nPAYMENT-REQUIRED: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                pr.to_header().unwrap(),
                body.len()
            );
            let _ = stream.write_all(resp.as_bytes());
        }
    });
    base
}

fn untouched(w: &Wallet) {
    assert_eq!(w.balances().unwrap()[0].amount, Micros::from_micros(5_000_000), "nothing may be debited");
    let page = w.history(&Default::default(), 10, None).unwrap();
    assert_eq!(page.entries.len(), 1, "only the top-up is in the journal");
}

#[test]
fn a_link_the_site_confirms_is_paid_on_the_site_own_terms() {
    let s = wallet();
    let base = serve(|url| required(url, vec![offer("merchant", 100_000, 60, &network())]));
    let link = required(&format!("{base}/page"), vec![offer("merchant", 100_000, 60, &network())]);
    let ret = url::Url::parse(&format!("{base}/page?back=1")).unwrap();
    // The site runs on this computer: a link reaches it only as a trusted origin.
    let req = client().trusting([&base]).unwrap().prepare_pay_link(&link, Some(&ret)).unwrap();
    assert_eq!(req.required.accepts.len(), 1);
    let quote = s.wallet.quote(&req.required).unwrap();
    assert_eq!(quote.amount.micros, Micros::from_micros(100_000));
    untouched(&s.wallet);
}

#[test]
fn forged_and_unsafe_links_are_refused_and_nothing_is_debited() {
    let s = wallet();
    let base = serve(|url| {
        let timeout = if url.contains("expired") { 0 } else { 60 };
        let net = if url.contains("foreign") { "centime:elsewhere".parse().unwrap() } else { network() };
        required(url, vec![offer("merchant", 100_000, timeout, &net)])
    });
    let page = format!("{base}/page");
    let c = client().trusting([&base]).unwrap();

    // Someone else's payTo for a real site.
    let forged = required(&page, vec![offer("attacker", 100_000, 60, &network())]);
    assert!(matches!(c.prepare_pay_link(&forged, None), Err(Error::SiteUnconfirmed(_))));
    // A price the site does not ask.
    let cheaper = required(&page, vec![offer("merchant", 10_000, 60, &network())]);
    assert!(matches!(c.prepare_pay_link(&cheaper, None), Err(Error::SiteUnconfirmed(_))));
    // A bad amount in the link.
    let mut bad_amount = required(&page, vec![offer("merchant", 100_000, 60, &network())]);
    bad_amount.accepts[0].amount = "1.5".into();
    assert!(matches!(c.prepare_pay_link(&bad_amount, None), Err(Error::SiteUnconfirmed(_))));
    // A return address on another origin.
    let good = required(&page, vec![offer("merchant", 100_000, 60, &network())]);
    let elsewhere = url::Url::parse("https://evil.example/collect").unwrap();
    assert!(matches!(c.prepare_pay_link(&good, Some(&elsewhere)), Err(Error::ReturnElsewhere(_))));
    // A javascript: return address never parses as a link.
    let js =
        format!("centime://pay?req={}&return=javascript%3Aalert(1)", base64_url(&serde_json::to_vec(&good).unwrap()));
    assert!(DeepLink::parse(&js).is_err());
    // An untrusted network: confirmed by the site, but this wallet cannot pay it.
    let foreign_page = format!("{base}/foreign");
    let foreign_net: Network = "centime:elsewhere".parse().unwrap();
    let foreign = required(&foreign_page, vec![offer("merchant", 100_000, 60, &foreign_net)]);
    let req = c.prepare_pay_link(&foreign, None).unwrap();
    assert!(matches!(s.wallet.quote(&req.required), Err(centime_core::Error::NoPayableTerms(_))));
    // An expired request (no time left to sign in).
    let expired_page = format!("{base}/expired");
    let expired = required(&expired_page, vec![offer("merchant", 100_000, 0, &network())]);
    let req = c.prepare_pay_link(&expired, None).unwrap();
    let err = s.wallet.quote(&req.required).unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");

    untouched(&s.wallet);
}

fn base64_url(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}
