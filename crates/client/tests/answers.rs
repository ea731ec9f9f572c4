//! centime_client::answer: what a merchant's answers say, read without I/O. Regressions found by
//! fuzzing (fuzz/fuzz_targets/client_answer.rs) sit here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use centime_client::Error;
use centime_client::answer::{self, MAX_CODE_CHARS};
use centime_client::header::HeaderValue;
use centime_protocol::{Amount, Asset, Micros, Network, PaymentRequired, PaymentRequirements, ResourceInfo};
use serde_json::Map;
use url::Url;

fn offer(url: &str) -> PaymentRequired {
    let network: Network = "centime:test".parse().unwrap();
    let price = Amount::new(Micros::from_micros(20_000), Asset::EUR);
    PaymentRequired {
        x402_version: 2,
        error: None,
        resource: ResourceInfo { url: url.into(), description: None, mime_type: None, other: Map::new() },
        accepts: vec![PaymentRequirements::centime(&network, "shop", price, 60, "Shop", None).unwrap()],
        extensions: Map::new(),
        other: Map::new(),
    }
}

#[test]
fn a_rejection_code_in_a_header_is_cleaned_like_one_in_a_body() {
    // A merchant's PAYMENT-REQUIRED `error` reached the terminal and the ledger as sent:
    // escape sequences and all, at any length.
    let mut pr = offer("https://shop.example/a");
    pr.error = Some(format!("\u{1b}]0;owned\u{7}\u{1b}[2Jinvalid_signature{}", "x".repeat(500)));
    let h = HeaderValue::from_str(&pr.to_header().unwrap()).unwrap();
    let code = answer::rejection_code_in_header(&h).unwrap();
    assert!(code.chars().all(|c| c.is_ascii_graphic() || c == ' '), "{code:?}");
    assert_eq!(code.chars().count(), MAX_CODE_CHARS);
    assert!(code.starts_with("]0;owned[2Jinvalid_signature"));
    let body = br#"{"error":"\u001b[31mreplayed_nonce\u0000"}"#;
    assert_eq!(answer::rejection_code_in_body(body).unwrap(), "[31mreplayed_nonce");
    assert_eq!(answer::rejection_code_in_body(b"{\"error\":1}"), None);
}

#[test]
fn a_402_names_a_page_of_the_site_that_answered() {
    let at = Url::parse("https://shop.example/a").unwrap();
    let h = HeaderValue::from_str(&offer("https://shop.example/other").to_header().unwrap()).unwrap();
    assert!(answer::payment_required(&at, Some(&h), None).is_ok());
    let body = serde_json::to_vec(&offer("https://evil.example/a")).unwrap();
    assert!(matches!(answer::payment_required(&at, None, Some(&body)), Err(Error::OriginMismatch { .. })));
    assert!(matches!(answer::payment_required(&at, None, None), Err(Error::BadInput(_))));
    let not_text = HeaderValue::from_bytes(b"\xe9t\xe9").unwrap();
    assert!(matches!(answer::payment_required(&at, Some(&not_text), None), Err(Error::BadInput(_))));
}

#[test]
fn a_settlement_header_that_is_not_text_is_no_receipt() {
    assert_eq!(answer::settlement(None), Ok(None));
    assert_eq!(answer::settlement(Some(&HeaderValue::from_bytes(b"\xff").unwrap())), Ok(None));
    assert!(answer::settlement(Some(&HeaderValue::from_static("not base64 json"))).is_err());
}

#[test]
fn confirmed_terms_are_the_sites_own() {
    let at = Url::parse("https://shop.example/a").unwrap();
    let site = offer("https://shop.example/a");
    let mut linked = site.clone();
    linked.accepts[0].extra.insert("merchantName".into(), "Someone else".into());
    let paid = answer::confirm_terms(&linked, site.clone(), &at).unwrap();
    assert_eq!(paid, site);
    linked.accepts[0].pay_to = "thief".into();
    assert!(matches!(answer::confirm_terms(&linked, site, &at), Err(Error::SiteUnconfirmed(_))));
}

#[test]
fn a_foreign_site_is_named_short() {
    // A host can be kilobytes long; the refusal quotes at most 100 characters of its origin.
    let at = Url::parse("https://shop.example/a").unwrap();
    let far = format!("https://{}.example/a", "a".repeat(5_000));
    let body = serde_json::to_vec(&offer(&far)).unwrap();
    let e = answer::payment_required(&at, None, Some(&body)).unwrap_err();
    assert!(matches!(e, Error::OriginMismatch { .. }));
    assert!(e.to_string().len() < 300, "{e}");
    let linked = offer(&far);
    let back = Url::parse("https://elsewhere.example/").unwrap();
    let e = answer::check_link_return(&linked, Some(&back)).unwrap_err();
    assert!(matches!(e, Error::ReturnElsewhere(_)));
    assert!(e.to_string().len() < 300, "{e}");
}
