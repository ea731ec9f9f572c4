//! centime-demo over real HTTP: the built binary on an ephemeral 127.0.0.1 port.
// Helpers outside #[test] functions are test code too: a panic there is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use centime_protocol::deeplink::DeepLink;
use centime_protocol::documents::{self, AuthorizationClaims, CreditClaims, ReceiptClaims};
use centime_protocol::ids::random_nonce;
use centime_protocol::jws::{RingSigner, Signer};
use centime_protocol::payment::{authorization_claims, sign_payload};
use centime_protocol::wire::{PAYMENT_REQUIRED, PAYMENT_RESPONSE, PAYMENT_SIGNATURE};
use centime_protocol::{PaymentId, PaymentPayload, PaymentRequired, PublicKey, SettlementResponse};
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};
use serde_json::{Value, json};

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(dir: &Path) -> Server {
        Self::start_on(dir, "127.0.0.1:0")
    }

    fn start_on(dir: &Path, addr: &str) -> Server {
        Self::start_with(dir, addr, &[])
    }

    fn start_with(dir: &Path, addr: &str, extra: &[&str]) -> Server {
        // These wallets pay without credits: a settlement would refuse them `overdrawn` and
        // revoke them. The tests of settlement (tests/settlement.rs) settle when they mean to.
        let mut child = Command::new(env!("CARGO_BIN_EXE_centime-demo"))
            .args(["serve", "--settle-every", "0", "--addr", addr, "--data-dir"])
            .arg(dir)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let base =
            line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("first line: {line:?}")).to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        Server { child, base }
    }

    fn addr(&self) -> &str {
        self.base.strip_prefix("http://").unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client() -> Client {
    Client::builder().timeout(Duration::from_secs(20)).build().unwrap()
}

fn json_of(r: Response) -> Value {
    serde_json::from_slice(&r.bytes().unwrap()).unwrap()
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn wallet(seed: u8) -> RingSigner {
    RingSigner::from_seed(&[seed; 32]).unwrap()
}

fn get_json(url: &str) -> Value {
    let r = client().get(url).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}");
    json_of(r)
}

/// The pages of the catalogue: (url, price, article id).
fn pages(s: &Server) -> Vec<(String, String, String)> {
    let cat = get_json(&s.url("/articles"));
    let mut out = Vec::new();
    for a in cat["articles"].as_array().unwrap() {
        for p in a["pages"].as_array().unwrap() {
            out.push((
                p["url"].as_str().unwrap().to_owned(),
                p["price"].as_str().unwrap().to_owned(),
                a["id"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

fn page_priced(s: &Server, price: &str, nth: usize) -> String {
    pages(s).into_iter().filter(|(_, p, _)| p == price).nth(nth).unwrap().0
}

fn offer(url: &str) -> PaymentRequired {
    let r = client().get(url).header("Accept", "application/json").send().unwrap();
    assert_eq!(r.status(), StatusCode::PAYMENT_REQUIRED);
    PaymentRequired::from_header(r.headers()[PAYMENT_REQUIRED].to_str().unwrap()).unwrap()
}

/// Claims for the page's offer, changed by `edit`, signed by `signer`, as a header value.
fn pay_with(
    signer: &RingSigner,
    url: &str,
    edit: impl FnOnce(&mut AuthorizationClaims),
) -> (String, AuthorizationClaims) {
    let pr = offer(url);
    let accepted = &pr.accepts[0];
    let mut claims =
        authorization_claims(signer.public_key(), &pr.resource, accepted, PaymentId::random().unwrap(), 1, now())
            .unwrap();
    edit(&mut claims);
    let header = sign_payload(signer, &pr.resource, accepted, &pr.extensions, &claims).unwrap().to_header().unwrap();
    (header, claims)
}

fn send(url: &str, header: &str) -> Response {
    client().get(url).header(PAYMENT_SIGNATURE, header).header("Accept", "application/json").send().unwrap()
}

fn settlement(r: &Response) -> SettlementResponse {
    SettlementResponse::from_header(r.headers()[PAYMENT_RESPONSE].to_str().unwrap()).unwrap()
}

/// Asserts a 402 refusal with `code` in the body and in the header's `error`.
fn assert_refused(r: Response, code: &str) {
    assert_eq!(r.status(), StatusCode::PAYMENT_REQUIRED, "expected {code}");
    assert!(r.headers().get(PAYMENT_RESPONSE).is_none());
    let pr = PaymentRequired::from_header(r.headers()[PAYMENT_REQUIRED].to_str().unwrap()).unwrap();
    assert_eq!(pr.error.as_deref(), Some(code));
    let body: Value = json_of(r);
    assert_eq!(body["error"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert_eq!(body["x402Version"], 2);
    assert!(body["accepts"].as_array().is_some_and(|a| a.len() == 1));
}

fn ledger(s: &Server) -> Value {
    get_json(&s.url("/merchant/ledger"))
}

#[test]
fn an_unpaid_page_answers_402_with_its_offer() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let all = pages(&s);
    assert!(all.len() >= 10);
    let articles: std::collections::BTreeSet<_> = all.iter().map(|p| p.2.clone()).collect();
    assert!(articles.len() >= 5);
    let prices: std::collections::BTreeSet<_> = all.iter().map(|p| p.1.clone()).collect();
    assert!(prices.contains("0.10") && prices.contains("0.02") && prices.contains("0.005"), "{prices:?}");

    let url = page_priced(&s, "0.005", 0);
    let r = client().get(&url).header("Accept", "application/json").send().unwrap();
    assert_eq!(r.status(), StatusCode::PAYMENT_REQUIRED);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let from_header = PaymentRequired::from_header(r.headers()[PAYMENT_REQUIRED].to_str().unwrap()).unwrap();
    let body = r.bytes().unwrap();
    assert_eq!(PaymentRequired::from_json_body(&body).unwrap(), from_header);
    let pr = from_header;
    assert_eq!(pr.x402_version, 2);
    assert_eq!(pr.error, None);
    assert_eq!(pr.resource.url, url);
    assert_eq!(pr.extensions["payment-identifier"], json!({"info": {"required": false}}));
    let a = &pr.accepts[0];
    assert_eq!((a.scheme.as_str(), a.network.as_str(), a.pay_to.as_str()), ("exact", "centime:demo", "demo-magazine"));
    assert_eq!((a.amount.as_str(), a.asset.as_str(), a.max_timeout_seconds), ("5000", "EUR", 120));
    assert_eq!(a.extra["assetScale"], 6);
    assert_eq!(a.extra["merchantName"], "The Centime Review");
    assert_eq!(a.extra["entitlementSeconds"], 86_400);
    let terms = a.terms().unwrap();
    assert_eq!(terms.price.micros.get(), 5_000);

    // No Accept header at all: still the JSON body.
    let r = client().get(&url).send().unwrap();
    assert_eq!(r.status(), StatusCode::PAYMENT_REQUIRED);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));

    // Browsers get a paywall with a per-fee link back to this page, under a strict CSP.
    let r = client().get(&url).header("Accept", "text/html,application/xhtml+xml").send().unwrap();
    assert_eq!(r.status(), StatusCode::PAYMENT_REQUIRED);
    assert!(r.headers().contains_key(PAYMENT_REQUIRED));
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    let html = r.text().unwrap();
    assert!(html.contains("0.005 EUR"));
    assert!(html.contains(r#"<script src="/static/paywall.js" defer>"#));
    assert!(!html.contains("<script>") && !html.contains("style="));
    let start = html.find("centime://pay?").unwrap();
    let link = html[start..html[start..].find('"').unwrap() + start].replace("&amp;", "&");
    match DeepLink::parse(&link).unwrap() {
        DeepLink::Pay { required, return_url } => {
            assert_eq!(required.accepts, pr.accepts);
            assert_eq!(return_url.unwrap().as_str(), url);
        }
        other => panic!("{other:?}"),
    }
    let js = client().get(s.url("/static/paywall.js")).send().unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(js.text().unwrap().contains("PAYMENT-SIGNATURE"));

    let index = client().get(s.url("/")).send().unwrap().text().unwrap();
    assert!(index.contains("The Centime Review") && index.contains("Demo"));

    for missing in ["/articles/nope/1", "/articles/the-page-is-the-unit/0", "/articles/the-page-is-the-unit/99"] {
        assert_eq!(client().get(s.url(missing)).send().unwrap().status(), StatusCode::NOT_FOUND, "{missing}");
    }
}

#[test]
fn a_valid_payment_gets_the_page_a_receipt_and_one_ledger_entry() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let merchant_key: PublicKey =
        get_json(&s.url("/articles"))["magazine"]["publicKey"].as_str().unwrap().parse().unwrap();
    let w = wallet(1);
    let url = page_priced(&s, "0.10", 0);
    let (header, claims) = pay_with(&w, &url, |_| {});

    let r = send(&url, &header);
    assert_eq!(r.status(), StatusCode::OK);
    let first = settlement(&r);
    let page: Value = json_of(r);
    assert_eq!(page["title"], "The Page Is the Unit");
    assert_eq!(page["page"], 1);
    assert!(page["text"].as_str().unwrap().len() > 500);

    assert!(first.success);
    assert_eq!(first.network, "centime:demo");
    assert_eq!(first.payer, w.public_key().to_string());
    assert_eq!(first.amount.as_deref(), Some("100000"));
    let receipt = documents::open::<ReceiptClaims>(first.receipt.as_deref().unwrap()).unwrap();
    assert_eq!(receipt.iss, merchant_key);
    assert_eq!(receipt.payer, w.public_key());
    assert_eq!(receipt.payment_id, claims.payment_id);
    assert_eq!(receipt.resource_url, url);
    assert_eq!((receipt.value.as_str(), receipt.asset_scale), ("100000", 6));
    assert_eq!(receipt.transaction, first.transaction);

    // The same payload again: the first answer, not a second entry.
    let again = send(&url, &header);
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(settlement(&again), first);

    // A browser with the same header gets the page as HTML.
    let r = client().get(&url).header(PAYMENT_SIGNATURE, &header).header("Accept", "text/html").send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().unwrap().contains("What we actually read"));

    // An authorization for this page does not open another one.
    let other = page_priced(&s, "0.10", 1);
    assert_refused(send(&other, &header), "resource_mismatch");
    // Nor does it, rewrapped: its unsigned extension naming another payment id.
    let mut rewrapped = PaymentPayload::from_header(&header).unwrap();
    rewrapped.set_extension_payment_id(&PaymentId::random().unwrap());
    assert_refused(send(&url, &rewrapped.to_header().unwrap()), "malformed");

    let l = ledger(&s);
    assert_eq!(l["count"], 1);
    assert_eq!(l["totals"], json!({"EUR": "0.10"}));
    let e = &l["entries"][0];
    assert_eq!(e["paymentId"], claims.payment_id.as_str());
    assert_eq!(e["payer"], w.public_key().to_string());
    assert_eq!((e["amount"].as_str(), e["asset"].as_str()), (Some("0.10"), Some("EUR")));
    assert_eq!(e["resource"], url);
    assert_eq!(e["transaction"], first.transaction);
    let auth = documents::open::<AuthorizationClaims>(e["authorization"].as_str().unwrap()).unwrap();
    assert_eq!(auth, claims);
    assert!(e["acceptedAt"].as_u64().unwrap() >= claims.valid_after);
}

#[test]
fn refused_payments_say_why_and_leave_no_entry() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let w = wallet(2);
    let url = page_priced(&s, "0.005", 1);

    let (good, claims) = pay_with(&w, &url, |_| {});
    assert_eq!(send(&url, &good).status(), StatusCode::OK);

    // The same nonce under a new payment id is a replay.
    let nonce = claims.nonce.clone();
    let (replay, _) = pay_with(&w, &url, |c| c.nonce = nonce);
    assert_refused(send(&url, &replay), "replayed_nonce");

    // The same payment id with other content is a conflict.
    let id = claims.payment_id.clone();
    let (conflict, _) = pay_with(&w, &url, |c| c.payment_id = id);
    assert_refused(send(&url, &conflict), "payment_id_conflict");

    // A flipped signature character.
    let (fresh, _) = pay_with(&w, &url, |_| {});
    let mut payload: Value = serde_json::from_slice(&base64_decode(&fresh)).unwrap();
    let jws = payload["payload"]["authorization"].as_str().unwrap().to_owned();
    let (signing_input, sig) = jws.rsplit_once('.').unwrap();
    let mut sig: Vec<char> = sig.chars().collect();
    sig[10] = if sig[10] == 'A' { 'B' } else { 'A' };
    payload["payload"]["authorization"] = Value::from(format!("{signing_input}.{}", sig.iter().collect::<String>()));
    let tampered = base64_encode(&serde_json::to_vec(&payload).unwrap());
    assert_refused(send(&url, &tampered), "invalid_signature");
    assert_refused(send(&url, "not base64 at all!"), "malformed");

    let (under, _) = pay_with(&w, &url, |c| c.value = "4".into());
    assert_refused(send(&url, &under), "amount_too_low");

    let t = now();
    let (expired, _) = pay_with(&w, &url, |c| {
        c.valid_after = t - 600;
        c.valid_before = t - 500;
    });
    assert_refused(send(&url, &expired), "expired");

    let (misdirected, _) = pay_with(&w, &url, |c| c.to = "someone-else".into());
    assert_refused(send(&url, &misdirected), "recipient_mismatch");

    // A browser sees the refusal on the paywall, with the code in the header.
    let r = client().get(&url).header(PAYMENT_SIGNATURE, &misdirected).header("Accept", "text/html").send().unwrap();
    assert_eq!(r.status(), StatusCode::PAYMENT_REQUIRED);
    let pr = PaymentRequired::from_header(r.headers()[PAYMENT_REQUIRED].to_str().unwrap()).unwrap();
    assert_eq!(pr.error.as_deref(), Some("recipient_mismatch"));
    assert!(r.text().unwrap().contains("The payment was refused"));

    let l = ledger(&s);
    assert_eq!(l["count"], 1);
    assert_eq!(l["totals"], json!({"EUR": "0.005"}));
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn base64_encode(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[test]
fn the_ledger_totals_are_exact_per_asset() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let w = wallet(3);
    for url in [page_priced(&s, "0.10", 0), page_priced(&s, "0.005", 0), page_priced(&s, "0.005", 1)] {
        let (h, _) = pay_with(&w, &url, |_| {});
        assert_eq!(send(&url, &h).status(), StatusCode::OK);
    }
    let other = wallet(4);
    let url = page_priced(&s, "0.02", 2);
    let (h, _) = pay_with(&other, &url, |_| {});
    assert_eq!(send(&url, &h).status(), StatusCode::OK);

    let l = ledger(&s);
    assert_eq!(l["count"], 4);
    assert_eq!(l["totals"], json!({"EUR": "0.13"}));
    let entries = l["entries"].as_array().unwrap();
    let ids: std::collections::BTreeSet<_> = entries.iter().map(|e| e["transaction"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 4);
}

#[test]
fn topups_are_validated_and_signed_by_the_issuer() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let issuer = get_json(&s.url("/issuer"));
    assert_eq!(issuer["network"], "centime:demo");
    assert_eq!(issuer["demo"], true);
    assert_eq!(issuer["limits"]["maxPerTopup"], "100.00");
    let issuer_key: PublicKey = issuer["publicKey"].as_str().unwrap().parse().unwrap();
    let w = wallet(5).public_key().to_string();

    let post = |body: Value| {
        client()
            .post(s.url("/issuer/topups"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap()
    };
    let refused = |body: Value, status: StatusCode, code: &str| {
        let r = post(body.clone());
        assert_eq!(r.status(), status, "{body}");
        let e: Value = json_of(r);
        assert_eq!(e["code"], code, "{body}");
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()));
    };
    let bad = StatusCode::BAD_REQUEST;
    refused(json!({"wallet": w, "amount": 5, "asset": "EUR"}), bad, "money_not_a_string");
    refused(json!({"wallet": w, "amount": 5.5, "asset": "EUR"}), bad, "money_not_a_string");
    refused(json!({"wallet": w, "amount": "5,00", "asset": "EUR"}), bad, "invalid_amount");
    refused(json!({"wallet": w, "amount": "1e3", "asset": "EUR"}), bad, "invalid_amount");
    refused(json!({"wallet": w, "amount": "-5.00", "asset": "EUR"}), bad, "invalid_amount");
    refused(json!({"wallet": w, "amount": "0.005", "asset": "EUR"}), bad, "invalid_amount");
    refused(
        json!({"wallet": w, "amount": "0.00", "asset": "EUR"}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "amount_out_of_limits",
    );
    refused(
        json!({"wallet": w, "amount": "100.01", "asset": "EUR"}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "amount_out_of_limits",
    );
    refused(json!({"wallet": "someone", "amount": "5.00", "asset": "EUR"}), bad, "invalid_wallet");
    refused(json!({"wallet": w, "amount": "5.00", "asset": "JPY"}), bad, "unsupported_asset");
    refused(json!({"wallet": w, "amount": "5.00", "asset": "eur"}), bad, "unsupported_asset");
    refused(json!({"amount": "5.00", "asset": "EUR"}), bad, "missing_field");
    let r = client().post(s.url("/issuer/topups")).body("{not json").send().unwrap();
    assert_eq!(r.status(), bad);
    assert_eq!(json_of(r)["code"], "invalid_json");

    let mut ids = Vec::new();
    for amount in ["5.00", "100.00", "0.01"] {
        let r = post(json!({"wallet": w, "amount": amount, "asset": "EUR"}));
        assert_eq!(r.status(), StatusCode::CREATED);
        let t: Value = json_of(r);
        assert_eq!((t["amount"].as_str(), t["asset"].as_str()), (Some(amount), Some("EUR")));
        let credit = documents::open::<CreditClaims>(t["credit"].as_str().unwrap()).unwrap();
        assert_eq!(credit.iss, issuer_key);
        assert_eq!(credit.sub.to_string(), w);
        assert_eq!(credit.network.as_str(), "centime:demo");
        assert_eq!(credit.amount().unwrap().micros, amount.parse().unwrap());
        assert_eq!(credit.credit_id, t["creditId"].as_str().unwrap());
        credit.check_credit_id().unwrap();
        assert_eq!(
            DeepLink::parse(t["link"].as_str().unwrap()).unwrap(),
            DeepLink::Topup { credit: t["credit"].as_str().unwrap().to_owned() }
        );
        ids.push(credit.credit_id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);

    // The HTML form: the test card only.
    let form = client().get(s.url("/topup")).send().unwrap().text().unwrap();
    assert!(form.contains("4242 4242 4242 4242") && form.contains("test card"));
    let submit = |card: &str, amount: &str| {
        client()
            .post(s.url("/topup"))
            .form(&[("wallet", w.as_str()), ("amount", amount), ("asset", "EUR"), ("card", card)])
            .send()
            .unwrap()
    };
    let r = submit("4000 0000 0000 0002", "5.00");
    assert_eq!(r.status(), bad);
    assert!(r.text().unwrap().contains("test card"));
    let r = submit("4242 4242 4242 4242", "500");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = submit("4242 4242 4242 4242", "2,50");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().unwrap();
    assert!(html.contains("centime://topup?credit="));
    assert!(html.contains("2.50 EUR"));
}

#[test]
fn a_restart_keeps_the_keys_the_ledger_and_the_replay_memory() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let issuer_key = get_json(&s.url("/issuer"))["publicKey"].clone();
    let merchant_key = get_json(&s.url("/articles"))["magazine"]["publicKey"].clone();
    let w = wallet(6);
    let url = page_priced(&s, "0.02", 0);
    let (header, claims) = pay_with(&w, &url, |_| {});
    let r = send(&url, &header);
    assert_eq!(r.status(), StatusCode::OK);
    let first = settlement(&r);
    let addr = s.addr().to_owned();
    s.kill(); // SIGKILL: no chance to flush anything that was not already durable

    let s = Server::start_on(dir.path(), &addr);
    assert_eq!(get_json(&s.url("/issuer"))["publicKey"], issuer_key);
    assert_eq!(get_json(&s.url("/articles"))["magazine"]["publicKey"], merchant_key);
    assert_eq!(s.url("/articles/x/1").replace("/articles/x/1", ""), format!("http://{addr}"));

    // An idempotent retry still gets its first answer, within the entitlement window.
    let r = send(&url, &header);
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(settlement(&r), first);
    // The nonce is still spent.
    let nonce = claims.nonce.clone();
    let (replay, _) = pay_with(&w, &url, |c| c.nonce = nonce);
    assert_refused(send(&url, &replay), "replayed_nonce");
    let id = claims.payment_id.clone();
    let (conflict, _) = pay_with(&w, &url, |c| {
        c.payment_id = id;
        c.nonce = random_nonce().unwrap();
    });
    assert_refused(send(&url, &conflict), "payment_id_conflict");

    let l = ledger(&s);
    assert_eq!(l["count"], 1);
    assert_eq!(l["totals"], json!({"EUR": "0.02"}));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for key in ["issuer.pk8", "merchant.pk8"] {
            let mode = std::fs::metadata(dir.path().join(key)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{key}");
        }
    }
}

#[test]
fn a_public_url_names_every_resource() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start_with(dir.path(), "127.0.0.1:0", &["--public-url", "https://magazine.example/"]);
    let all = pages(&s);
    assert!(all.iter().all(|(u, _, _)| u.starts_with("https://magazine.example/articles/")), "{all:?}");
    let local = all[0].0.replace("https://magazine.example", &s.base);
    assert_eq!(offer(&local).resource.url, all[0].0);
    let r = client().get(s.url("/no/such/route")).send().unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(json_of(r)["code"], "not_found");
}

#[test]
fn concurrent_replays_of_one_nonce_pay_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let w = wallet(7);
    let url = page_priced(&s, "0.01", 0);
    let (_, claims) = pay_with(&w, &url, |_| {});
    // Eight different payments (new payment ids) sharing one nonce, sent at once.
    let headers: Vec<String> = (0..8)
        .map(|_| {
            let nonce = claims.nonce.clone();
            pay_with(&w, &url, |c| c.nonce = nonce).0
        })
        .collect();
    let statuses: Vec<StatusCode> = std::thread::scope(|scope| {
        let handles: Vec<_> = headers.iter().map(|h| scope.spawn(|| send(&url, h).status())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::PAYMENT_REQUIRED));
    assert_eq!(ledger(&s)["count"], 1);
}

#[test]
fn one_authorization_sent_at_once_on_many_connections_is_one_payment() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let w = wallet(8);
    let url = page_priced(&s, "0.01", 0);
    // Other payments at the same moment, so that the copies land in shared commits.
    let others: Vec<String> = (0..8).map(|_| pay_with(&w, &url, |_| {}).0).collect();
    let (header, claims) = pay_with(&w, &url, |_| {});
    let answers: Vec<(StatusCode, Option<String>)> = std::thread::scope(|scope| {
        let copies: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    let r = send(&url, &header);
                    let tx = r.headers().get(PAYMENT_RESPONSE).map(|_| settlement(&r).transaction);
                    (r.status(), tx)
                })
            })
            .collect();
        let rest: Vec<_> = others.iter().map(|h| scope.spawn(|| send(&url, h).status())).collect();
        for r in rest {
            assert_eq!(r.join().unwrap(), StatusCode::OK);
        }
        copies.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // Every copy is served (the retry of an accepted payment), all under one transaction.
    assert!(answers.iter().all(|(st, _)| *st == StatusCode::OK), "{answers:?}");
    let txs: std::collections::BTreeSet<_> = answers.iter().map(|(_, tx)| tx.clone().unwrap()).collect();
    assert_eq!(txs.len(), 1, "{txs:?}");
    let l = ledger(&s);
    assert_eq!(l["count"], 9);
    let rows: Vec<&Value> =
        l["entries"].as_array().unwrap().iter().filter(|e| e["paymentId"] == claims.payment_id.as_str()).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["transaction"], txs.iter().next().unwrap().as_str());
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Server::start(dir.path());
    assert_eq!(client().get(s.url("/issuer")).send().unwrap().status(), StatusCode::OK);
    let pid = s.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "the server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

// --- The magazine as a merchant of its issuer: certificate, settlement, revocation. ---

fn issuer_key(s: &Server) -> PublicKey {
    get_json(&s.url("/issuer"))["publicKey"].as_str().unwrap().parse().unwrap()
}

/// Credits `w` with `amount` EUR at the embedded issuer.
fn top_up(s: &Server, w: &RingSigner, amount: &str) {
    let body = json!({"wallet": w.public_key().to_string(), "amount": amount, "asset": "EUR"});
    let r = client()
        .post(s.url("/issuer/topups"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

/// `centime-demo settle` on the data directory (over HTTP to `issuer`, or in-process).
fn settle_cli(dir: &Path, issuer: Option<&str>) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_centime-demo"));
    cmd.args(["settle", "--data-dir"]).arg(dir).env("RUST_LOG", "warn");
    if let Some(url) = issuer {
        cmd.args(["--issuer", url]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn statement(s: &Server, w: &RingSigner) -> centime_protocol::statement::Statement {
    use centime_protocol::statement::{Statement, StatementRequest};
    let request = StatementRequest {
        from: w.public_key(),
        network: "centime:demo".parse().unwrap(),
        issued_at: now(),
        nonce: random_nonce().unwrap(),
    };
    let jws = documents::sign(w, &request).unwrap();
    let r =
        client().post(s.url("/issuer/statements")).header("content-type", "application/jose").body(jws).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    Statement::open_for(&r.text().unwrap(), &issuer_key(s), &request).unwrap()
}

#[test]
fn every_offer_carries_the_issuers_certificate_of_the_magazine() {
    use centime_protocol::certificate::MerchantCertificate;
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let magazine: PublicKey = get_json(&s.url("/articles"))["magazine"]["publicKey"].as_str().unwrap().parse().unwrap();
    let issuer = issuer_key(&s);
    for url in [page_priced(&s, "0.10", 0), page_priced(&s, "0.005", 2)] {
        let pr = offer(&url);
        let jws = pr.accepts[0].extra["merchantCertificate"].as_str().unwrap();
        let c = MerchantCertificate::open_trusted(jws, &issuer, now()).unwrap();
        assert_eq!((c.pay_to.as_str(), c.name.as_str()), ("demo-magazine", "The Centime Review"));
        assert_eq!(c.origins, vec![s.base.clone()]);
        assert_eq!(c.receipt_key, magazine);
        assert_eq!(c.network.as_str(), "centime:demo");
        assert!(c.not_after > now());
        // Not signed by anyone else: the certificate says nothing under another key.
        assert!(MerchantCertificate::open_trusted(jws, &magazine, now()).is_err());
    }
    // A payment against the certified offer is accepted as before.
    let w = wallet(20);
    let url = page_priced(&s, "0.02", 1);
    let (h, _) = pay_with(&w, &url, |_| {});
    assert_eq!(send(&url, &h).status(), StatusCode::OK);

    // A restart registers the magazine again, the same: one certificate, same names.
    let addr = s.addr().to_owned();
    s.kill();
    let s = Server::start_on(dir.path(), &addr);
    let pr = offer(&url);
    let c =
        MerchantCertificate::open_trusted(pr.accepts[0].extra["merchantCertificate"].as_str().unwrap(), &issuer, now())
            .unwrap();
    assert_eq!((c.receipt_key, c.origins), (magazine, vec![s.base.clone()]));
}

#[test]
fn a_paid_page_is_settled_once_and_the_issuer_lists_it_for_the_wallet() {
    use centime_protocol::settlement::{RefusalCode, SettlementAnswer, SettlementOutcome, SettlementRequest};
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let w = wallet(21);
    top_up(&s, &w, "1.00");
    let url = page_priced(&s, "0.10", 0);
    let (h, claims) = pay_with(&w, &url, |c| c.seq = 1);
    assert_eq!(send(&url, &h).status(), StatusCode::OK);
    let url2 = page_priced(&s, "0.005", 0);
    let (h2, claims2) = pay_with(&w, &url2, |c| c.seq = 2);
    assert_eq!(send(&url2, &h2).status(), StatusCode::OK);
    // A wallet the issuer never credited: its payment is accepted offline, refused at settlement.
    let broke = wallet(22);
    let (h3, claims3) = pay_with(&broke, &url, |_| {});
    assert_eq!(send(&url, &h3).status(), StatusCode::OK);

    let l = ledger(&s);
    assert_eq!(l["totals"], json!({"EUR": "0.205"}));
    assert_eq!(l["unsettled"], json!({"EUR": "0.205"}));
    assert_eq!((&l["settled"], &l["refused"]), (&json!({}), &json!({})));
    assert!(l["entries"].as_array().unwrap().iter().all(|e| e["settlement"] == "unsettled"));
    assert!(statement(&s, &w).settled.is_empty());

    // Over HTTP, as a merchant on its own would.
    let summary = settle_cli(dir.path(), Some(&s.base));
    assert_eq!(summary, json!({"batches": 1, "sent": 3, "settled": 2, "refused": 1, "later": 0}));
    let l = ledger(&s);
    assert_eq!(l["totals"], json!({"EUR": "0.205"}));
    assert_eq!(l["settled"], json!({"EUR": "0.105"}));
    assert_eq!(l["refused"], json!({"EUR": "0.10"}));
    assert_eq!(l["unsettled"], json!({}));
    let by_id = |id: &str| l["entries"].as_array().unwrap().iter().find(|e| e["paymentId"] == id).unwrap().clone();
    let e = by_id(claims.payment_id.as_str());
    assert_eq!(e["settlement"], "settled");
    assert!(e["settledAt"].as_u64().unwrap() >= e["acceptedAt"].as_u64().unwrap());
    assert_eq!(by_id(claims2.payment_id.as_str())["settlement"], "settled");
    let refused = by_id(claims3.payment_id.as_str());
    assert_eq!((refused["settlement"].as_str(), refused["refusal"].as_str()), (Some("refused"), Some("overdrawn")));

    let st = statement(&s, &w);
    let ids: Vec<&str> = st.settled.iter().map(|p| p.payment_id.as_str()).collect();
    assert_eq!(ids, vec![claims.payment_id.as_str(), claims2.payment_id.as_str()]);
    assert!(st.settled.iter().all(|p| p.pay_to == "demo-magazine"));
    assert_eq!(st.highest_seq, 2);
    // 1.00 credited, 0.105 spent: at scale 3, the smallest that writes both.
    let t = &st.totals[0];
    assert_eq!((t.asset_scale, t.credited.as_str(), t.spent.as_str()), (3, "1000", "105"));

    // Again, in-process and over HTTP: nothing is left to send, nothing changes.
    assert_eq!(settle_cli(dir.path(), None)["sent"], 0);
    assert_eq!(settle_cli(dir.path(), Some(&s.base))["sent"], 0);
    let summary = json_of(client().post(s.url("/merchant/settle")).send().unwrap());
    assert_eq!(summary["sent"], 0);
    assert_eq!(ledger(&s), l);

    // A batch the merchant sent but whose answer it lost (a crash) is sent again: the issuer
    // answers `already_settled`, nothing is counted twice.
    let key = std::fs::read(dir.path().join("merchant.pk8")).unwrap();
    let magazine = RingSigner::from_pkcs8(&key).unwrap();
    let entries = l["entries"].as_array().unwrap();
    let request = SettlementRequest {
        iss: magazine.public_key(),
        network: "centime:demo".parse().unwrap(),
        pay_to: "demo-magazine".into(),
        request_id: "retried-batch".into(),
        issued_at: now(),
        authorizations: entries.iter().map(|e| e["authorization"].as_str().unwrap().to_owned()).collect(),
    };
    let r = client()
        .post(s.url("/issuer/settlements"))
        .header("content-type", "application/jose")
        .body(documents::sign(&magazine, &request).unwrap())
        .send()
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let answer = SettlementAnswer::open_for(&r.text().unwrap(), &issuer_key(&s), &request).unwrap();
    let outcomes: Vec<_> = answer.results.iter().map(|r| (r.outcome, r.code)).collect();
    assert_eq!(
        outcomes,
        vec![
            (SettlementOutcome::AlreadySettled, None),
            (SettlementOutcome::AlreadySettled, None),
            (SettlementOutcome::Refused, Some(RefusalCode::Overdrawn)),
        ]
    );
    let again = statement(&s, &w);
    assert_eq!((again.settled.len(), &again.totals), (2, &st.totals));
}

#[test]
fn a_revoked_payer_is_refused_revoked_payer() {
    use centime_protocol::revocation::{RevocationList, RevocationReason};
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let w = wallet(23);
    top_up(&s, &w, "1.00");
    // A restored copy of the wallet signs seq 7 again, for another page: a fork.
    let (url_a, url_b) = (page_priced(&s, "0.02", 0), page_priced(&s, "0.02", 1));
    let (a, _) = pay_with(&w, &url_a, |c| c.seq = 7);
    let (b, _) = pay_with(&w, &url_b, |c| c.seq = 7);
    assert_eq!(send(&url_a, &a).status(), StatusCode::OK);
    assert_eq!(send(&url_b, &b).status(), StatusCode::OK);
    let honest = wallet(24);
    top_up(&s, &honest, "1.00");

    // The magazine settles both; the issuer holds the fork proof and revokes the key; the
    // magazine refreshes its list.
    let summary = json_of(client().post(s.url("/merchant/settle")).send().unwrap());
    assert_eq!(summary["sent"], 2);
    let list = client().get(s.url("/issuer/revocations")).send().unwrap();
    assert_eq!(list.headers()["content-type"], "application/jose");
    let list = RevocationList::open_trusted(&list.text().unwrap(), &issuer_key(&s)).unwrap();
    assert_eq!(list.revoked.len(), 1);
    assert_eq!((list.revoked[0].wallet, list.revoked[0].reason), (w.public_key(), RevocationReason::Fork));

    let url = page_priced(&s, "0.01", 0);
    let (next, _) = pay_with(&w, &url, |c| c.seq = 8);
    assert_refused(send(&url, &next), "revoked_payer");
    // Others still pay.
    let (h, _) = pay_with(&honest, &url, |c| c.seq = 1);
    assert_eq!(send(&url, &h).status(), StatusCode::OK);
    // The page paid before the revocation stays open to its payer for the entitlement.
    assert_eq!(send(&url_a, &a).status(), StatusCode::OK);
    assert_eq!(ledger(&s)["count"], 3);

    // After a restart the magazine fetches the list again before its first offer.
    let addr = s.addr().to_owned();
    s.kill();
    let _restarted = Server::start_on(dir.path(), &addr);
    let (next, _) = pay_with(&w, &url, |c| c.seq = 9);
    assert_refused(send(&url, &next), "revoked_payer");
}

/// Waits for `done` to hold, for at most 60 seconds (a background task's next round).
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within 60 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// examples/accept.rs, the publishers' minimal merchant, against the issuer's HTTP API.
#[test]
fn the_example_site_is_a_certified_merchant_that_settles_and_applies_revocations() {
    use centime_protocol::certificate::MerchantCertificate;
    let example = Path::new(env!("CARGO_BIN_EXE_centime-demo")).with_file_name("examples").join("accept");
    assert!(example.exists(), "{} is built by `cargo test -p centime-demo` (not with --test)", example.display());
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path());
    let key_file = dir.path().join("my-site.pk8");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let run = || {
        let mut cmd = Command::new(&example);
        cmd.env("CENTIME_ISSUER", &s.base)
            .env("CENTIME_KEY", &key_file)
            .env("CENTIME_ADDR", &addr)
            .env("CENTIME_SETTLE_EVERY", "1");
        cmd
    };

    // Not registered yet: it says how, and stops.
    let out = run().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let site_key = centime_issuer::keys::load_or_create(&key_file).unwrap().public_key();
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.contains("centime-issuer merchant add") && said.contains(&site_key.to_string()), "{said}");

    // What `centime-issuer merchant add` does, on the issuer's ledger.
    let store = centime_issuer::open_store(&format!("sqlite:{}", dir.path().join("issuer.sqlite3").display())).unwrap();
    store
        .register_merchant(&centime_issuer::MerchantRecord {
            pay_to: "my-site".into(),
            key: site_key,
            name: "My Site".into(),
            origins: vec![format!("http://{addr}")],
        })
        .unwrap();
    drop(store);
    let mut child = run().stdout(Stdio::piped()).spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    // It reports each settled item on stdout: keep reading, or its next line finds no reader.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _site = Kill(child);
    assert_eq!(line.trim(), format!("listening on http://{addr}"));
    let url = format!("http://{addr}/article");

    let pr = offer(&url);
    let c = MerchantCertificate::open_trusted(
        pr.accepts[0].extra["merchantCertificate"].as_str().unwrap(),
        &issuer_key(&s),
        now(),
    )
    .unwrap();
    assert_eq!((c.pay_to.as_str(), c.receipt_key, c.origins), ("my-site", site_key, vec![format!("http://{addr}")]));

    let w = wallet(25);
    top_up(&s, &w, "1.00");
    let (h, claims) = pay_with(&w, &url, |c| c.seq = 1);
    assert_eq!(send(&url, &h).status(), StatusCode::OK);
    eventually("the site settles the payment", || {
        statement(&s, &w).settled.iter().any(|p| p.payment_id == claims.payment_id && p.pay_to == "my-site")
    });

    // The wallet forks at the magazine; the magazine's settlement makes the issuer revoke it,
    // and the site refuses it once it has the new list.
    let (a, b) = (page_priced(&s, "0.02", 0), page_priced(&s, "0.02", 1));
    for page in [&a, &b] {
        let (h, _) = pay_with(&w, page, |c| c.seq = 5);
        assert_eq!(send(page, &h).status(), StatusCode::OK);
    }
    assert_eq!(json_of(client().post(s.url("/merchant/settle")).send().unwrap())["sent"], 2);
    let mut seq = 5;
    eventually("the site refuses the revoked payer", || {
        seq += 1;
        let (h, _) = pay_with(&w, &url, |c| c.seq = seq);
        let r = send(&url, &h);
        r.status() == StatusCode::PAYMENT_REQUIRED
            && PaymentRequired::from_header(r.headers()[PAYMENT_REQUIRED].to_str().unwrap()).unwrap().error.as_deref()
                == Some("revoked_payer")
    });
}

#[test]
fn settle_refuses_a_directory_that_never_served_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for issuer in [None, Some("http://127.0.0.1:9")] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_centime-demo"));
        cmd.args(["settle", "--data-dir"]).arg(dir.path());
        if let Some(url) = issuer {
            cmd.args(["--issuer", url]);
        }
        let out = cmd.output().unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("merchant.pk8"), "{out:?}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
