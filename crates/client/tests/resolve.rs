//! Resolving a payment of unknown outcome through a shared wallet (the desktop app's case):
//! the wallet is free while the merchant takes its time, and the answer is recorded once it
//! comes. The "merchant" is a small HTTP server in the test that holds its answer until told.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::Mutex;
use std::sync::mpsc;

use centime_client::{Ledger, Resolved};
use centime_core::{PayOptions, Status, Wallet};
use centime_protocol::{Micros, PaymentId, SettlementResponse};
use common::{client, network, offer, required, wallet};

/// A wallet behind a lock, taken for each record only (as the app's is).
struct Shared<'a>(&'a Mutex<Wallet>);

impl Ledger for Shared<'_> {
    fn record_settled(&mut self, id: &PaymentId, r: &SettlementResponse) -> centime_client::Result<Status> {
        Ok(self.0.lock().unwrap().record_settled(id, r)?)
    }
    fn record_rejected(&mut self, id: &PaymentId, reason: &str) -> centime_client::Result<Status> {
        Ok(self.0.lock().unwrap().record_rejected(id, reason)?)
    }
    fn mark_unconfirmed(&mut self, id: &PaymentId, detail: &str) -> centime_client::Result<Status> {
        Ok(self.0.lock().unwrap().mark_unconfirmed(id, detail)?)
    }
}

/// Answers the first paid request with a refusal once `go` says so; reports on `arrived`
/// the payment header it received.
fn merchant(arrived: mpsc::Sender<String>, go: mpsc::Receiver<()>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut signature = String::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
                break;
            }
            if let Some((name, value)) = h.split_once(':')
                && name.eq_ignore_ascii_case("payment-signature")
            {
                signature = value.trim().to_owned();
            }
        }
        arrived.send(signature).unwrap();
        go.recv().unwrap();
        let body = r#"{"x402Version":2,"error":"insufficient_funds","accepts":[]}"#;
        let resp = format!(
            "HTTP/1.1 402 Payment Required\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(resp.as_bytes()).unwrap();
    });
    base
}

fn balance(w: &Wallet) -> Micros {
    w.balances().unwrap()[0].amount
}

#[test]
fn a_shared_wallet_is_free_while_the_merchant_answers_and_the_answer_is_recorded() {
    let (arrived_tx, arrived_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel();
    let base = merchant(arrived_tx, go_rx);
    let url = format!("{base}/articles/1");

    let mut setup = wallet();
    let paid = setup
        .wallet
        .pay(
            &required(&url, vec![offer("merchant", 100_000, 60, &network())]),
            &PayOptions { approved: true, ..Default::default() },
        )
        .unwrap();
    setup.wallet.mark_unconfirmed(&paid.payment_id, "the answer was lost").unwrap();
    let unresolved = setup.wallet.unresolved_payments().unwrap();
    assert_eq!(unresolved.len(), 1);
    let shared = Mutex::new(setup.wallet);

    std::thread::scope(|s| {
        let resolving = s.spawn(|| client().resolve_payment(&mut Shared(&shared), &unresolved[0]));
        // The merchant holds the same authorization the wallet signed at the first send.
        assert_eq!(arrived_rx.recv().unwrap(), paid.header);
        {
            let w = shared.try_lock().expect("the wallet is not locked while the merchant answers");
            assert_eq!(balance(&w), Micros::from_micros(4_900_000), "still debited while unknown");
        }
        go_tx.send(()).unwrap();
        let outcome = resolving.join().unwrap().unwrap();
        assert_eq!(outcome, Resolved::Refused { code: "insufficient_funds".into() });
    });

    let w = shared.into_inner().unwrap();
    assert_eq!(balance(&w), Micros::from_micros(5_000_000), "a clear refusal is credited back");
    let entries = w.history(&Default::default(), 10, None).unwrap().entries;
    assert_eq!(entries.len(), 3, "top-up, payment and its refund: {entries:?}");
    assert!(w.unresolved_payments().unwrap().is_empty());
    w.verify().unwrap();
}

/// This machine's own host name, if it resolves only to non-public addresses (Debian's
/// /etc/hosts maps it to 127.0.1.1, a container's to its private address): a stand-in for a
/// merchant's public name rebound to the user's network after the payment was first sent.
fn own_name_resolving_privately() -> String {
    use std::net::ToSocketAddrs as _;
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap().trim().to_owned();
    let addrs: Vec<_> = (name.as_str(), 0).to_socket_addrs().unwrap().collect();
    assert!(
        !addrs.is_empty() && addrs.iter().all(|a| centime_client::reach::private_kind(a.ip()).is_some()),
        "this test needs the host name {name} to resolve to non-public addresses only: {addrs:?}"
    );
    name
}

/// A listener on every address, counting the connections it is offered.
fn counting_listener() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (port, count)
}

#[test]
fn a_payment_whose_host_name_now_resolves_to_the_users_network_is_not_sent_there_again() {
    use std::sync::atomic::Ordering;
    let name = own_name_resolving_privately();
    let (port, connections) = counting_listener();
    let url = format!("http://{name}:{port}/articles/1");
    let mut setup = wallet();
    let paid = setup
        .wallet
        .pay(
            &required(&url, vec![offer("merchant", 100_000, 60, &network())]),
            &PayOptions { approved: true, ..Default::default() },
        )
        .unwrap();
    setup.wallet.mark_unconfirmed(&paid.payment_id, "the answer was lost").unwrap();
    let unresolved = setup.wallet.unresolved_payments().unwrap();

    // Plain HTTP allowed, so that only where the name leads is in question (a test server
    // has no certificate).
    let c = client();
    c.allow_plain_http(true);
    let outcome = c.resolve_payment(&mut setup.wallet, &unresolved[0]).unwrap();
    match &outcome {
        Resolved::Unconfirmed(why) => assert!(why.contains("resolves to"), "{why}"),
        other => panic!("the payment was resolved through a private address: {other:?}"),
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(connections.load(Ordering::SeqCst), 0, "the resend connected to the user's network");
    assert_eq!(setup.wallet.unconfirmed_payments().unwrap().len(), 1, "still listed as unconfirmed");

    // Once the user trusts the origin, it is sent there again.
    let trusted = c.clone().trusting([format!("http://{name}:{port}")]).unwrap();
    let again = trusted.resolve_payment(&mut setup.wallet, &unresolved[0]).unwrap();
    assert!(matches!(again, Resolved::Unconfirmed(_)), "{again:?}");
    assert!(connections.load(Ordering::SeqCst) >= 1, "a trusted origin is reached wherever it is");
}
