//! A hostile merchant on 127.0.0.1 for the bad-input catalogue: one path per case, each with a
//! scripted answer to the wallet's first GET (no payment) and to its paid GET (with
//! `PAYMENT-SIGNATURE`). Plain `std::net`, one thread per connection, so that a slow answer on
//! one path never delays another.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use centime_protocol::documents::{self, AuthorizationClaims, RECEIPT_TYP, ReceiptClaims};
use centime_protocol::jws::{self, RingSigner, Signer as _};
use centime_protocol::{PaymentPayload, SettlementResponse};

use crate::common::*;

/// What the wallet sent: its payment, if any, and every header (names in lower case).
pub struct Req {
    pub signature: Option<String>,
    pub headers: Vec<(String, String)>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// An answer, written as raw bytes so that it may be anything a hostile server can send.
pub enum Reply {
    /// A whole HTTP response.
    Bytes(Vec<u8>),
    /// A status line, then one byte of a header every 200 ms until the wallet hangs up.
    Trickle,
    /// A response head, then `len` bytes of body as fast as the wallet reads them.
    Flood { head: Vec<u8>, len: u64 },
}

type Script = Box<dyn Fn(&Req) -> Reply + Send + Sync>;

pub struct Merchant {
    pub base: String,
    routes: Arc<Mutex<HashMap<String, Script>>>,
    connections: Arc<AtomicUsize>,
}

/// The merchant's receipt key (a fixed seed: tests only).
pub fn merchant_key() -> RingSigner {
    RingSigner::from_seed(&[9; 32]).unwrap()
}

impl Merchant {
    pub fn start() -> Merchant {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<Mutex<HashMap<String, Script>>> = Arc::default();
        let shared = Arc::clone(&routes);
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                counted.fetch_add(1, Ordering::SeqCst);
                let routes = Arc::clone(&shared);
                std::thread::spawn(move || serve(stream, &routes));
            }
        });
        Merchant { base, routes, connections }
    }

    /// How many connections the merchant has accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Scripts `path`; returns its URL.
    pub fn route(&self, path: &str, script: impl Fn(&Req) -> Reply + Send + Sync + 'static) -> String {
        let old = self.routes.lock().unwrap().insert(path.to_owned(), Box::new(script));
        assert!(old.is_none(), "{path} scripted twice");
        self.url(path)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn serve(stream: TcpStream, routes: &Mutex<HashMap<String, Script>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half.take(64 * 1024));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut signature = None;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_owned());
            if k == "payment-signature" {
                signature = Some(v.clone());
            }
            headers.push((k, v));
        }
    }
    let reply = match routes.lock().unwrap().get(path.as_str()) {
        Some(script) => script(&Req { signature, headers }),
        None => Reply::Bytes(response("404 Not Found", &[], b"no such case")),
    };
    let mut out = stream;
    // The wallet hanging up early is part of several cases: write errors end the answer.
    match reply {
        Reply::Bytes(bytes) => {
            let _ = out.write_all(&bytes);
        }
        Reply::Trickle => {
            let _ = out.write_all(b"HTTP/1.1 402 Payment Required\r\n");
            for b in b"PAYMENT-REQUIRED: ".iter().cycle().take(10_000) {
                std::thread::sleep(Duration::from_millis(200));
                if out.write_all(&[*b]).and_then(|()| out.flush()).is_err() {
                    break;
                }
            }
        }
        Reply::Flood { head, len } => {
            if out.write_all(&head).is_err() {
                return;
            }
            let chunk = vec![b'x'; 256 * 1024];
            let mut left = len;
            while left > 0 {
                let n = usize::try_from(left.min(chunk.len() as u64)).unwrap();
                if out.write_all(&chunk[..n]).is_err() {
                    break;
                }
                left -= n as u64;
            }
        }
    }
}

/// An HTTP/1.1 response with a Content-Length and `Connection: close`.
pub fn response(status: &str, headers: &[(&str, &[u8])], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len()).into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// A 402 carrying `header` as its PAYMENT-REQUIRED value.
pub fn payment_required(header: &str) -> Reply {
    Reply::Bytes(response("402 Payment Required", &[("PAYMENT-REQUIRED", header.as_bytes())], b"{}"))
}

/// A 402 whose requirements are only in the JSON body.
pub fn payment_required_body(body: &[u8]) -> Reply {
    Reply::Bytes(response("402 Payment Required", &[("Content-Type", b"application/json")], body))
}

/// The authorization the wallet sent with a paid request.
pub fn authorization(signature: &str) -> AuthorizationClaims {
    let p = PaymentPayload::from_header(signature).unwrap();
    documents::open(&p.payload.authorization).unwrap()
}

/// The honest receipt for the payment in `signature`, for a page at `url`.
pub fn receipt_claims(url: &str, signature: &str) -> ReceiptClaims {
    let auth = authorization(signature);
    ReceiptClaims {
        iss: merchant_key().public_key(),
        resource_url: url.to_owned(),
        payer: auth.from,
        payment_id: auth.payment_id,
        value: auth.value,
        asset: auth.asset,
        asset_scale: auth.asset_scale,
        issued_at: now(),
        transaction: "tx-hostile".into(),
    }
}

/// A `PAYMENT-RESPONSE` value carrying `receipt` for the payment in `signature`.
pub fn settlement(signature: &str, receipt: Option<String>, success: bool) -> String {
    let auth = authorization(signature);
    SettlementResponse {
        success,
        error_reason: (!success).then(|| "settlement_failed".to_owned()),
        transaction: "tx-hostile".into(),
        network: NETWORK.into(),
        payer: auth.from.to_string(),
        amount: Some(auth.value),
        receipt,
        other: Default::default(),
    }
    .to_header()
    .unwrap()
}

/// The page, served with `payment_response` as its PAYMENT-RESPONSE header.
pub fn served(payment_response: &str) -> Reply {
    Reply::Bytes(response("200 OK", &[("PAYMENT-RESPONSE", payment_response.as_bytes())], b"the article"))
}

/// The page with a receipt built from the honest one by `tweak`, signed by `signer`.
pub fn served_with_receipt(
    url: &str,
    signature: &str,
    signer: &RingSigner,
    tweak: impl Fn(&mut ReceiptClaims),
) -> Reply {
    let mut claims = receipt_claims(url, signature);
    tweak(&mut claims);
    // Signed raw: `documents::sign` refuses claims that name another key than the signer's,
    // which is the forgery one case needs.
    let receipt = jws::sign(signer, RECEIPT_TYP, &serde_json::to_vec(&claims).unwrap()).unwrap();
    served(&settlement(signature, Some(receipt), true))
}
