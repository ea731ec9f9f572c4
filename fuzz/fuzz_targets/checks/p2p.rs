//! The documents of payments between wallets (docs/protocol.md §14): a payment request, a
//! transfer, a redemption and an inbox request, read from untrusted bytes.

use super::{NOW, assert_printable};
use centime_protocol::Network;
use centime_protocol::p2p::{InboxRequest, PaymentRequestDoc, RedemptionRequest, TransferCode, TransferDoc};

/// The checks of one input.
pub fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let network: Network = "centime:demo".parse().expect("a network");
    match PaymentRequestDoc::open(s, NOW) {
        Ok(r) => {
            r.check().expect("an opened request passes its checks");
            assert!(r.amount().expect("an amount").micros.is_positive());
            assert!(r.expires_at > NOW);
            assert_printable(&r.purpose_shown());
        }
        Err(e) => assert_printable(&e.to_string()),
    }
    match TransferDoc::open(s) {
        Ok(t) => {
            assert_ne!(t.doc.from, t.doc.to);
            assert_eq!(t.claims.from, t.doc.from);
            assert!(t.amount.micros.is_positive());
            assert!(t.credit_id().len() <= 128);
            if let Some(n) = t.note_shown() {
                assert_printable(&n);
            }
        }
        Err(e) => assert_printable(&e.to_string()),
    }
    match RedemptionRequest::open(s, &network, NOW) {
        Ok(r) => {
            r.which().expect("exactly one of transfer and code");
        }
        Err(e) => assert_printable(&e.to_string()),
    }
    if let Err(e) = InboxRequest::open(s, &network, NOW) {
        assert_printable(&e.to_string());
    }
    match s.parse::<TransferCode>() {
        Ok(c) => assert_eq!(c.as_str().parse::<TransferCode>().expect("parses again"), c),
        Err(e) => assert_printable(&e.to_string()),
    }
}
