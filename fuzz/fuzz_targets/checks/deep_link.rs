//! `centime://pay`, `centime://topup` and `centime://receive` links.

use super::{assert_printable, check_payment_required};
use centime_protocol::deeplink::{DeepLink, check_return_url};
use centime_protocol::documents::CREDIT_TYP;
use centime_protocol::jws::Compact;
use centime_protocol::p2p;

/// The checks of one input.
pub fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    match check_return_url(s) {
        Ok(u) => {
            assert!(matches!(u.scheme(), "http" | "https"));
            assert!(u.host_str().is_some_and(|h| !h.is_empty()));
            assert!(u.username().is_empty() && u.password().is_none());
            // What a link's return address prints to passes the same check.
            if u.as_str().len() <= 2048 {
                assert_eq!(check_return_url(u.as_str()).expect("a checked URL checks again"), u);
            }
        }
        Err(e) => assert_printable(&e.to_string()),
    }
    match DeepLink::parse(s) {
        Ok(link) => {
            match &link {
                DeepLink::Pay { required, return_url } => {
                    check_payment_required(required);
                    if let Some(r) = return_url {
                        assert!(matches!(r.scheme(), "http" | "https"));
                        assert!(r.username().is_empty() && r.password().is_none());
                    }
                }
                DeepLink::Topup { credit } => {
                    Compact::parse(credit, CREDIT_TYP).expect("a topup link carries a credit-note JWS");
                }
                DeepLink::PayRequest { request } => {
                    Compact::parse(request, p2p::PAYMENT_REQUEST_TYP).expect("a request link carries its JWS");
                }
                DeepLink::Receive { transfer } => {
                    Compact::parse_limited(transfer, p2p::TRANSFER_TYP, p2p::MAX_TRANSFER_LEN)
                        .expect("a receive link carries a transfer JWS");
                }
                DeepLink::ReceiveCode { code, .. } => {
                    assert_eq!(code.as_str().len(), p2p::TRANSFER_CODE_LEN);
                    assert_eq!(code.as_str().parse::<p2p::TransferCode>().expect("a code parses again"), *code);
                }
            }
            // Whatever parses prints to a link that parses back to the same thing.
            let printed = link.to_link().expect("a parsed link prints");
            assert_eq!(DeepLink::parse(&printed).expect("a printed link parses"), link);
        }
        Err(e) => assert_printable(&e.to_string()),
    }
}
