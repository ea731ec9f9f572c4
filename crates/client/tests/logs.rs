//! What the wallet and the client log while a payment is decided, delivered (a server error,
//! a retry, the merchant's refusal) and refused by a rule: every decision and attempt, at the
//! most verbose level, and never the keys, the keystore's passphrase or the authorization.
//! The "merchant" is a small HTTP server in the test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use centime_core::keystore::{FileKeyStore, KeyStore as _};
use centime_core::passphrase::Passphrase;
use centime_core::{Error as CoreError, Issuer, PayOptions, SiteChange, Wallet};
use centime_protocol::documents::{self, CreditClaims};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::{Asset, Micros, PaymentPayload};
use common::{client, network, offer, required};
use reqwest::header::HeaderMap;

const PASSPHRASE: &str = "correct horse battery staple, never logged";

/// Answers the first request with a server error and every later one with a refusal.
fn merchant() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
                    break;
                }
            }
            let (status, body) = if n == 0 {
                ("500 Internal Server Error", String::new())
            } else {
                ("402 Payment Required", r#"{"x402Version":2,"error":"insufficient_funds","accepts":[]}"#.to_owned())
            };
            let resp = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(resp.as_bytes()).unwrap();
        }
    });
    base
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Every way a secret of `bytes` could be written out: hex and base64 of each.
fn renderings(bytes: &[u8]) -> Vec<String> {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    vec![
        hex.clone(),
        hex.to_uppercase(),
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
        format!("{bytes:?}"),
    ]
}

#[test]
fn a_payment_logs_its_decision_and_attempts_and_never_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let ks = FileKeyStore::new(dir.path(), Passphrase::new(PASSPHRASE.into()));
    let issuer = RingSigner::from_seed(&[7; 32]).unwrap();
    let trusted = Issuer { network: network(), public_key: issuer.public_key(), name: None };
    let url = format!("{}/articles/1", merchant());
    let origin = centime_protocol::Origin::of(&url).unwrap();

    let logs = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(logs.clone())
        .finish();
    let (paid, refused) = tracing::subscriber::with_default(subscriber, || {
        let mut w = Wallet::init(dir.path(), &ks, &[trusted]).unwrap();
        let credit = CreditClaims {
            iss: issuer.public_key(),
            network: network(),
            sub: w.id(),
            credit_id: "c1".into(),
            value: "500".into(),
            asset: Asset::EUR,
            asset_scale: 2,
            issued_at: 1,
        };
        w.topup(&documents::sign(&issuer, &credit).unwrap()).unwrap();
        drop(w);
        let mut w = Wallet::open(dir.path(), &ks).unwrap();
        w.update_site(origin.as_str(), &SiteChange { auto_pay: Some(true), ..Default::default() }).unwrap();
        let paid =
            w.pay(&required(&url, vec![offer("merchant", 100_000, 60, &network())]), &PayOptions::default()).unwrap();
        let delivered = client().with_retry_pause(std::time::Duration::from_millis(1)).deliver(
            &mut w,
            &url::Url::parse(&url).unwrap(),
            &HeaderMap::new(),
            &paid,
        );
        assert!(matches!(delivered, Err(centime_client::Error::RefusedByMerchant { .. })), "{delivered:?}");
        assert_eq!(w.balances().unwrap()[0].amount, Micros::from_micros(5_000_000), "credited back");

        w.update_site(origin.as_str(), &SiteChange { blocked: Some(true), ..Default::default() }).unwrap();
        let refused = w.pay(
            &required(&format!("{url}/2"), vec![offer("merchant", 100_000, 60, &network())]),
            &PayOptions::default(),
        );
        w.verify().unwrap();
        (paid, refused)
    });
    assert!(matches!(refused, Err(CoreError::Refused(_))), "{refused:?}");
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();

    // The decisions and each attempt, with the rule, the site and the amount.
    let line = |needle: &str| {
        text.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("no line with {needle:?} in:\n{text}"))
    };
    let line_with = |needles: &[&str]| {
        text.lines()
            .find(|l| needles.iter().all(|n| l.contains(n)))
            .unwrap_or_else(|| panic!("no line with {needles:?} in:\n{text}"))
    };
    let made = line("payment made");
    assert!(made.contains(" INFO "), "{made}");
    for part in [
        format!("payment_id={}", paid.payment_id),
        format!("site={origin}"),
        "amount=0.10 EUR".into(),
        "rule=auto_pay".into(),
    ] {
        assert!(made.contains(&part), "{part} missing from: {made}");
    }
    let blocked = line("payment refused by a rule");
    assert!(blocked.contains(" INFO ") && blocked.contains("rule=blocked"), "{blocked}");
    line_with(&["merchant answered", "attempt=1", "status=500"]);
    assert!(line("server error: retrying").contains(" DEBUG "), "{text}");
    line_with(&["delivering payment", "attempt=2"]);
    line_with(&["merchant answered", "attempt=2", "status=402"]);
    let merchant_refused = line("payment refused by the merchant");
    assert!(
        merchant_refused.contains(" WARN ") && merchant_refused.contains("insufficient_funds"),
        "{merchant_refused}"
    );
    assert!(line("top-up credited").contains(" INFO "), "{text}");
    assert!(line("integrity verified").contains(" INFO "), "{text}");

    // Never a secret: the passphrase, the signing key (its PKCS#8 and its seed), the journal's
    // MAC key, the PAYMENT-SIGNATURE header or the authorization inside it.
    let account = centime_core::sqlite::peek_meta(&centime_core::db_path(dir.path()), "account").unwrap().unwrap();
    let encoded = ks.load(&account).unwrap().unwrap().encode();
    let (pkcs8, mac_key) = encoded[6..].split_at(encoded.len() - 6 - 32);
    let seed = &pkcs8[16..48];
    let payload = PaymentPayload::from_header(&paid.header).unwrap();
    let authorization = payload.payload.authorization.clone();
    let signature = authorization.rsplit('.').next().unwrap().to_owned();
    let mut secrets = vec![PASSPHRASE.to_owned(), paid.header.clone(), authorization, signature];
    for bytes in [pkcs8, seed, mac_key] {
        secrets.extend(renderings(bytes));
    }
    for s in &secrets {
        assert!(!text.contains(s.as_str()), "a secret was logged: {s}");
    }
}

#[test]
fn each_resolver_failure_is_logged_with_its_reason() {
    // A port nothing listens on: the merchant cannot be reached.
    let gone = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/articles/1", gone.local_addr().unwrap());
    drop(gone);
    let mut setup = common::wallet();
    let paid = setup
        .wallet
        .pay(
            &required(&url, vec![offer("merchant", 100_000, 60, &network())]),
            &PayOptions { approved: true, ..Default::default() },
        )
        .unwrap();
    setup.wallet.mark_unconfirmed(&paid.payment_id, "the answer was lost").unwrap();
    let unresolved = setup.wallet.unresolved_payments().unwrap();

    let logs = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(logs.clone())
        .finish();
    let outcome = tracing::subscriber::with_default(subscriber, || {
        client()
            .with_retry_pause(std::time::Duration::from_millis(1))
            .resolve_payment(&mut setup.wallet, &unresolved[0])
    });
    assert!(matches!(outcome, Ok(centime_client::Resolved::Unconfirmed(_))), "{outcome:?}");
    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    let still = text.lines().find(|l| l.contains("still unconfirmed")).unwrap_or_else(|| panic!("{text}"));
    assert!(still.contains(&format!("payment_id={}", paid.payment_id)) && still.contains("reason="), "{still}");
    assert!(text.contains("delivery attempt failed"), "each failed attempt is logged: {text}");
    assert!(!text.contains(&paid.header), "{text}");
}
