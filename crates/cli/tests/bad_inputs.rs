//! The bad-input catalogue: one table of named malformed inputs across every
//! entry point of the wallet — CLI arguments, `centime://` links, and the HTTP answers of a
//! hostile merchant — each run through the real `centime` binary with its expected exit code,
//! a piece of its specific message, and what it may do to the wallet: nothing at all (every
//! row of every table that holds money, documents or rules, read with rusqlite), or, for a
//! merchant that misbehaves after it was paid, exactly one debit of the price it asked first.
// Helpers outside #[test] functions are test code too: a panic there is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod hostile;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use centime_protocol::documents::CREDIT_TYP;
use centime_protocol::jws::Signer as _;
use centime_protocol::{Asset, PaymentRequired};
use common::*;
use hostile::{Merchant, Reply};
use serde_json::{Value, json};

const OK: i32 = 0;
const INTERNAL: i32 = 1;
const APPROVAL: i32 = 3;
const FUNDS: i32 = 4;
const INPUT: i32 = 5;

/// Where a bad input comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Entry {
    /// What a person or a script types: credit notes, payment requests, amounts, sites.
    Cli,
    /// A `centime://pay` or `centime://topup` link, as any web page can craft one.
    Link,
    /// The HTTP answers of a merchant `centime fetch` talks to.
    Merchant,
}

/// What a row may do to the wallet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Nothing: the database is byte-for-byte the same.
    Unchanged,
    /// One payment of this many EUR micro-units, sent and left unconfirmed (the merchant may
    /// hold it): debited once, never twice, never at another price.
    Unconfirmed(i64),
    /// One payment of this many micro-units, settled with a valid receipt.
    Settled(i64),
    /// One payment the merchant explicitly refused: credited back, the balance as before.
    Refunded,
}

struct Case {
    name: &'static str,
    entry: Entry,
    args: Vec<String>,
    code: i32,
    needle: String,
    effect: Effect,
}

/// The entry point a row's name announces (`link: …`, `merchant: …`, else the CLI).
fn entry_of(name: &str) -> Entry {
    if name.starts_with("link:") {
        Entry::Link
    } else if name.starts_with("merchant:") {
        Entry::Merchant
    } else {
        Entry::Cli
    }
}

fn case(name: &'static str, args: &[&str], code: i32, needle: &str) -> Case {
    assert_ne!(code, OK);
    Case {
        name,
        entry: entry_of(name),
        args: args.iter().map(|s| (*s).to_owned()).collect(),
        code,
        needle: needle.to_owned(),
        effect: Effect::Unchanged,
    }
}

/// A valid request for NEWS, as JSON, for a test to break.
fn request_json(micros: i64) -> Value {
    serde_json::to_value(request(&format!("{NEWS}/article"), micros)).unwrap()
}

/// `pay <header of v> --yes`: what fails is the request, never the approval.
fn pay_value(v: &Value) -> Vec<String> {
    vec!["pay".into(), header_of(v), "--yes".into()]
}

fn pay_case(name: &'static str, v: Value, code: i32, needle: &str) -> Case {
    Case {
        name,
        entry: entry_of(name),
        args: pay_value(&v),
        code,
        needle: needle.to_owned(),
        effect: Effect::Unchanged,
    }
}

fn with(mut v: Value, pointer: &str, new: Value) -> Value {
    *v.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer} in the request")) = new;
    v
}

fn cases(w: &TestWallet) -> Vec<Case> {
    let me = w.key();
    let good = |id: &str| credit_claims(&issuer(), me, id, 1_000_000, Asset::EUR);
    let good_jws = sign_credit(&issuer(), &good("fresh-1"));
    let raw_claims = |f: &dyn Fn(&mut Value)| {
        let mut v = serde_json::to_value(good("fresh-raw")).unwrap();
        f(&mut v);
        sign_raw_credit(&issuer(), &v)
    };
    let mut cases = Vec::new();

    // ---- credit notes (`topup`) -------------------------------------------------------------
    let parts: Vec<&str> = good_jws.split('.').collect();
    let mut sig: Vec<char> = parts[2].chars().collect();
    sig[10] = if sig[10] == 'A' { 'B' } else { 'A' };
    let forged = format!("{}.{}.{}", parts[0], parts[1], sig.into_iter().collect::<String>());
    cases.push(case("credit: bad signature", &["topup", &forged], INPUT, "its signature does not verify"));
    let mut tampered = good("fresh-1");
    tampered.value = "100000".into();
    let swapped = format!("{}.{}.{}", parts[0], b64url(&serde_json::to_vec(&tampered).unwrap()), parts[2]);
    cases.push(case("credit: claims changed after signing", &["topup", &swapped], INPUT, "signature does not verify"));
    let mut by_stranger = good("fresh-2");
    by_stranger.iss = stranger().public_key();
    cases.push(case(
        "credit: untrusted issuer key for a trusted network",
        &["topup", &sign_credit(&stranger(), &by_stranger)],
        INPUT,
        "(signed by E5j2LG0aRXxRumpLXz29L2n8qTIWIY3ImX5Ba9F9k8o, not the trusted key) is not trusted",
    ));
    let mut other_net = by_stranger.clone();
    other_net.network = "centime:other".parse().unwrap();
    cases.push(case(
        "credit: untrusted network",
        &["topup", &sign_credit(&stranger(), &other_net)],
        INPUT,
        "issuer centime:other is not trusted",
    ));
    let other_wallet = credit_claims(&issuer(), stranger().public_key(), "fresh-3", 1_000_000, Asset::EUR);
    cases.push(case(
        "credit: issued to another wallet",
        &["topup", &sign_credit(&issuer(), &other_wallet)],
        INPUT,
        "it was issued to wallet",
    ));
    cases.push(case(
        "credit: replayed creditId",
        &["topup", &w.credit("seed-eur", 6_000_000)],
        INPUT,
        "credit seed-eur was already redeemed",
    ));
    cases.push(case(
        "credit: replayed creditId with another amount",
        &["topup", &w.credit("seed-eur", 1_000)],
        INPUT,
        "already redeemed",
    ));
    cases.push(case(
        "credit: replayed creditId as a link",
        &["topup", &topup_link(&w.credit("seed-usd", 1_000))],
        INPUT,
        "already redeemed",
    ));
    let mut future = good("fresh-4");
    future.issued_at = now() + 600;
    cases.push(case(
        "credit: issuedAt 10 minutes ahead",
        &["topup", &sign_credit(&issuer(), &future)],
        INPUT,
        "dated in the future",
    ));
    let mut zero = good("fresh-5");
    zero.value = "0".into();
    cases.push(case("credit: zero amount", &["topup", &sign_credit(&issuer(), &zero)], INPUT, "its amount is zero"));
    let negative = raw_claims(&|v| v["value"] = json!("-5"));
    cases.push(case(
        "credit: negative-looking value \"-5\"",
        &["topup", &negative],
        INPUT,
        "\"-5\" is not a wire amount",
    ));
    let mut precise = good("fresh-6");
    precise.asset_scale = 7;
    precise.value = "10000000".into();
    cases.push(case(
        "credit: over-precise (assetScale 7)",
        &["topup", &sign_credit(&issuer(), &precise)],
        INPUT,
        "assetScale 7 is outside 0..=6",
    ));
    let lower = raw_claims(&|v| v["asset"] = json!("eur"));
    cases.push(case(
        "credit: wrong asset \"eur\"",
        &["topup", &lower],
        INPUT,
        "\"eur\" is not an ISO 4217 currency code",
    ));
    let number = raw_claims(&|v| v["value"] = json!(100));
    cases.push(case("credit: value as a JSON number", &["topup", &number], INPUT, "credit note refused"));
    let big = credit_claims(&issuer(), me, "fresh-7", 10_000_000_001, Asset::EUR);
    cases.push(case(
        "credit: over the top-up limit",
        &["topup", &sign_credit(&issuer(), &big)],
        INPUT,
        "limit for one top-up",
    ));
    cases.push(case("credit: garbage text", &["topup", "hello, give me money"], INPUT, "malformed JWS"));
    cases.push(case("credit: empty", &["topup", ""], INPUT, "malformed JWS"));
    let truncated = &good_jws[..good_jws.rfind('.').unwrap()];
    cases.push(case(
        "credit: truncated JWS (no signature)",
        &["topup", truncated],
        INPUT,
        "exactly three dot-separated parts",
    ));
    let short_sig = &good_jws[..good_jws.len() - 8];
    cases.push(case("credit: truncated signature", &["topup", short_sig], INPUT, "malformed JWS"));
    let none_header = b64url(format!(r#"{{"alg":"none","typ":"{CREDIT_TYP}"}}"#).as_bytes());
    let alg_none = format!("{none_header}.{}.", parts[1]);
    cases.push(case("credit: alg none", &["topup", &alg_none], INPUT, "JWS algorithm \"none\" refused"));
    let hs_header = b64url(format!(r#"{{"alg":"HS256","typ":"{CREDIT_TYP}"}}"#).as_bytes());
    cases.push(case(
        "credit: alg HS256",
        &["topup", &format!("{hs_header}.{}.{}", parts[1], parts[2])],
        INPUT,
        "JWS algorithm \"HS256\" refused",
    ));
    let receipt_header = b64url(br#"{"alg":"Ed25519","typ":"centime-receipt+jws"}"#);
    cases.push(case(
        "credit: another document type",
        &["topup", &format!("{receipt_header}.{}.{}", parts[1], parts[2])],
        INPUT,
        "JWS type \"centime-receipt+jws\"",
    ));
    let pay = pay_link(&request(&format!("{NEWS}/a"), 100_000));
    cases.push(case(
        "credit: a centime://pay link given to topup",
        &["topup", &pay],
        INPUT,
        "this is a payment link, not a top-up",
    ));
    cases.push(case(
        "credit: topup link with a bad JWS",
        &["topup", "centime://topup?credit=abc"],
        INPUT,
        "malformed JWS",
    ));
    let missing = w.tmp.path().join("no-such-file");
    cases.push(case(
        "credit: @FILE that does not exist",
        &["topup", &format!("@{}", missing.display())],
        INPUT,
        "reading",
    ));

    // ---- payment requests (`pay`) -------------------------------------------------------------
    let r = request_json(100_000);
    cases.push(case(
        "request: malformed base64",
        &["pay", "%%%not*base64%%%", "--yes"],
        INPUT,
        "PAYMENT-REQUIRED is not valid base64",
    ));
    cases.push(case(
        "request: base64 of non-JSON",
        &["pay", &STANDARD.encode("hello, merchant"), "--yes"],
        INPUT,
        "PAYMENT-REQUIRED is not valid JSON of the expected shape",
    ));
    cases.push(pay_case(
        "request: JSON of the wrong shape (header)",
        json!({ "accepts": "all of them" }),
        INPUT,
        "PAYMENT-REQUIRED is not valid JSON of the expected shape",
    ));
    cases.push(case(
        "request: JSON of the wrong shape (body)",
        &["pay", r#"{"x402Version":2,"resource":"https://news.example/a"}"#, "--yes"],
        INPUT,
        "402 body is not valid JSON of the expected shape",
    ));
    cases.push(case(
        "request: truncated JSON",
        &["pay", r#"{"x402Version":2,"#, "--yes"],
        INPUT,
        "402 body is not valid JSON",
    ));
    cases.push(pay_case(
        "request: unknown scheme",
        with(r.clone(), "/accepts/0/scheme", json!("upto")),
        INPUT,
        "scheme \"upto\" is not \"exact\"",
    ));
    cases.push(pay_case(
        "request: untrusted network",
        with(r.clone(), "/accepts/0/network", json!("centime:other")),
        INPUT,
        "network centime:other is not a trusted issuer",
    ));
    cases.push(pay_case(
        "request: a network that is not Centime's",
        with(r.clone(), "/accepts/0/network", json!("eip155:8453")),
        INPUT,
        "\"eip155:8453\" is not a Centime network id",
    ));
    cases.push(pay_case(
        "request: amount over the 5.00 hard ceiling",
        request_json(5_010_000),
        APPROVAL,
        "5.01 EUR is over the 5.00 EUR limit for a single payment",
    ));
    cases.push(pay_case(
        "request: ftp:// resource",
        with(r.clone(), "/resource/url", json!("ftp://news.example/a")),
        INPUT,
        "the resource is not an http(s) URL",
    ));
    cases.push(pay_case(
        "request: javascript: resource",
        with(r.clone(), "/resource/url", json!("javascript:alert(1)")),
        INPUT,
        "the resource is not an http(s) URL",
    ));
    cases.push(pay_case(
        "request: expired offer (maxTimeoutSeconds 0)",
        with(r.clone(), "/accepts/0/maxTimeoutSeconds", json!(0)),
        INPUT,
        "already expired",
    ));
    cases.push(pay_case(
        "request: validity window over an hour",
        with(r.clone(), "/accepts/0/maxTimeoutSeconds", json!(7200)),
        INPUT,
        "over 3600s",
    ));
    cases.push(pay_case(
        "request: x402Version 9",
        with(r.clone(), "/x402Version", json!(9)),
        INPUT,
        "unsupported x402Version 9",
    ));
    let mut huge: PaymentRequired = request(&format!("{NEWS}/huge"), 100_000);
    huge.resource.description = Some("x".repeat(17 * 1024));
    cases.push(case(
        "request: header over 16 KiB",
        &["pay", &header(&huge), "--yes"],
        INPUT,
        "over the limit of 16384",
    ));
    cases.push(pay_case("request: no offers", with(r.clone(), "/accepts", json!([])), INPUT, "offers no way to pay"));
    cases.push(pay_case(
        "request: zero price",
        with(r.clone(), "/accepts/0/amount", json!("0")),
        INPUT,
        "\"0\" is not a wire amount",
    ));
    cases.push(pay_case(
        "request: negative price",
        with(r.clone(), "/accepts/0/amount", json!("-10")),
        INPUT,
        "\"-10\" is not a wire amount",
    ));
    cases.push(pay_case(
        "request: price as a JSON number",
        with(r.clone(), "/accepts/0/amount", json!(10)),
        INPUT,
        "PAYMENT-REQUIRED is not valid JSON",
    ));
    cases.push(pay_case(
        "request: lower-case asset",
        with(r.clone(), "/accepts/0/asset", json!("eur")),
        INPUT,
        "\"eur\" is not an ISO 4217 currency code",
    ));
    cases.push(pay_case(
        "request: empty payTo",
        with(r.clone(), "/accepts/0/payTo", json!("")),
        INPUT,
        "payTo must be 1-128 printable characters",
    ));
    cases.push(case(
        "request: a topup link given to pay",
        &["pay", &topup_link(&w.credit("fresh-8", 1_000_000)), "--yes"],
        INPUT,
        "this is a top-up link",
    ));
    cases.push(case(
        "request: insufficient funds",
        &["pay", &header(&request_in(&format!("{NEWS}/usd"), 2_000_000, Asset::USD)), "--yes"],
        FUNDS,
        "insufficient funds: 2.00 USD needed, 1.00 available",
    ));
    let good_header = header(&request(&format!("{NEWS}/a"), 100_000));
    cases.push(case(
        "request: payment id too short",
        &["pay", &good_header, "--yes", "--payment-id", "abc"],
        INPUT,
        "\"abc\" is not a payment id",
    ));

    // ---- deep links (`pay`) ---------------------------------------------------------------------
    let link = pay_link(&request(&format!("{NEWS}/l"), 100_000));
    let query = link.split_once('?').unwrap().1.to_owned();
    cases.push(case(
        "link: unknown host centime://steal",
        &["pay", &format!("centime://steal?{query}"), "--yes"],
        INPUT,
        "unknown link kind \"steal\"",
    ));
    cases.push(case(
        "link: duplicate parameter",
        &["pay", &format!("{link}&{query}"), "--yes"],
        INPUT,
        "parameter \"req\" appears twice",
    ));
    cases.push(case(
        "link: return=javascript:",
        &["pay", &format!("{link}&return=javascript%3Aalert(document.cookie)"), "--yes"],
        INPUT,
        "return address refused: scheme \"javascript\"",
    ));
    cases.push(case(
        "link: return to a relative address",
        &["pay", &format!("{link}&return=/home"), "--yes"],
        INPUT,
        "return address refused",
    ));
    cases.push(case(
        "link: unknown parameter",
        &["pay", &format!("{link}&amount=0.01"), "--yes"],
        INPUT,
        "unknown parameter \"amount\"",
    ));
    cases.push(case(
        "link: pay link without req",
        &["pay", "centime://pay?return=https%3A%2F%2Fnews.example%2F", "--yes"],
        INPUT,
        "a pay link needs req",
    ));
    cases.push(case(
        "link: req is not base64url",
        &["pay", "centime://pay?req=***", "--yes"],
        INPUT,
        "link req is not valid base64",
    ));
    cases.push(case(
        "link: extra path",
        &["pay", &link.replacen("centime://pay?", "centime://pay/x?", 1), "--yes"],
        INPUT,
        "unexpected path",
    ));

    // ---- amounts typed by people ----------------------------------------------------------------
    cases.push(case("amount: empty daily cap", &["limits", "--daily-cap="], INPUT, "daily cap: no amount given"));
    cases.push(case(
        "amount: \"-1\" per-payment maximum",
        &["limits", "--max-per-payment=-1"],
        INPUT,
        "amounts cannot be negative: \"-1\"",
    ));
    cases.push(case(
        "amount: \"1e3\" auto-pay ceiling",
        &["limits", "--auto-pay-under=1e3"],
        INPUT,
        "exponents are not accepted in amounts",
    ));
    cases.push(case(
        "amount: \"0.0000001\" site maximum",
        &["allow", NEWS, "--max-per-payment=0.0000001"],
        INPUT,
        "has more than 6 decimal places",
    ));
    cases.push(case(
        "amount: \"1,000\" budget",
        &["allow", NEWS, "--budget=1,000", "--per=day"],
        INPUT,
        "\"1,000\" is ambiguous",
    ));
    cases.push(case(
        "amount: \"1.000,50\" daily cap",
        &["limits", "--daily-cap=1.000,50"],
        INPUT,
        "\"1.000,50\" uses thousands separators",
    ));
    cases.push(case(
        "amount: \"NaN\" --max",
        &["pay", &good_header, "--yes", "--max=NaN"],
        INPUT,
        "\"NaN\" is not a number",
    ));
    cases.push(case(
        "amount: \"12abc\" budget",
        &["allow", NEWS, "--budget=12abc", "--per=week"],
        INPUT,
        "\"12abc\" is not a number",
    ));
    cases.push(case(
        "amount: \"-1\" --max",
        &["pay", &good_header, "--yes", "--max=-1"],
        INPUT,
        "--max: amounts cannot be negative",
    ));
    cases.push(case(
        "amount: \"1 000\" daily cap",
        &["limits", "--daily-cap=1 000"],
        INPUT,
        "uses thousands separators",
    ));
    cases.push(case(
        "amount: zero daily cap",
        &["limits", "--daily-cap=0"],
        INPUT,
        "the daily cap must be more than zero",
    ));
    cases.push(case(
        "amount: zero site maximum",
        &["allow", NEWS, "--max-per-payment=0.00"],
        INPUT,
        "the per-payment maximum must be more than zero",
    ));
    cases.push(case(
        "amount: zero budget",
        &["allow", NEWS, "--budget=0", "--per=month"],
        INPUT,
        "the budget must be more than zero",
    ));
    cases.push(case("amount: too large", &["limits", "--daily-cap=99999999999999999999"], INPUT, "is too large"));

    // ---- sites ----------------------------------------------------------------------------------
    cases.push(case("site: ftp origin", &["allow", "ftp://news.example"], INPUT, "is not an http(s) site"));
    cases.push(case("site: javascript origin", &["block", "javascript:alert(1)"], INPUT, "is not an http(s) site"));
    cases.push(case("site: not a URL", &["unblock", "news.example"], INPUT, "is not an absolute URL"));
    cases
}

/// `centime fetch URL --yes` against the hostile merchant: `--yes` so that what fails is the
/// merchant's answer, never a missing approval; a short timeout keeps slow answers cheap.
fn fetch_args(url: &str, timeout: &str) -> Vec<String> {
    ["fetch", url, "--yes", "--timeout", timeout].iter().map(|s| (*s).to_owned()).collect()
}

/// A merchant row: `path` answers the wallet's first GET with `probe(url)` and its paid GET
/// with `paid(url, PAYMENT-SIGNATURE)`.
struct MerchantRow<'a> {
    m: &'a Merchant,
    cases: Vec<Case>,
}

impl MerchantRow<'_> {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        name: &'static str,
        probe: impl Fn(&str) -> Reply + Send + Sync + 'static,
        paid: impl Fn(&str, &str) -> Reply + Send + Sync + 'static,
        code: i32,
        needle: &str,
        effect: Effect,
    ) {
        self.add_with_timeout(name, "3", probe, paid, code, needle, effect);
    }

    #[allow(clippy::too_many_arguments)]
    fn add_with_timeout(
        &mut self,
        name: &'static str,
        timeout: &str,
        probe: impl Fn(&str) -> Reply + Send + Sync + 'static,
        paid: impl Fn(&str, &str) -> Reply + Send + Sync + 'static,
        code: i32,
        needle: &str,
        effect: Effect,
    ) {
        let path = format!("/case/{}", self.cases.len());
        let url = self.m.url(&path);
        let here = url.clone();
        self.m.route(&path, move |r| match &r.signature {
            None => probe(&here),
            Some(sig) => paid(&here, sig),
        });
        self.cases.push(Case {
            name,
            entry: entry_of(name),
            args: fetch_args(&url, timeout),
            code,
            needle: needle.to_owned(),
            effect,
        });
    }

    /// A row whose 402 is the honest one for its URL at `micros`, changed by `f` (as JSON).
    fn priced(
        &mut self,
        name: &'static str,
        f: impl Fn(Value) -> Value + Send + Sync + 'static,
        code: i32,
        needle: &str,
    ) {
        self.add(
            name,
            move |url| hostile::payment_required(&header_of(&f(serde_json::to_value(request(url, 100_000)).unwrap()))),
            never_paid,
            code,
            needle,
            Effect::Unchanged,
        );
    }
}

/// The paid GET of a row that must fail before paying.
fn never_paid(url: &str, _sig: &str) -> Reply {
    panic!("{url} was paid")
}

/// The honest paid answer: the page with a valid receipt.
fn honest(url: &str, sig: &str) -> Reply {
    hostile::served_with_receipt(url, sig, &hostile::merchant_key(), |_| {})
}

fn merchant_cases(m: &Merchant) -> Vec<Case> {
    let mut rows = MerchantRow { m, cases: Vec::new() };
    let r = |url: &str| request(url, 100_000);

    // ---- the 402 before any payment: nothing may change ----------------------------------------
    rows.add(
        "merchant: 1 MiB PAYMENT-REQUIRED header",
        |_| hostile::payment_required(&"A".repeat(1 << 20)),
        never_paid,
        INTERNAL,
        "the server's answer could not be read: message head is too large",
        Effect::Unchanged,
    );
    rows.add(
        "merchant: 64 KiB PAYMENT-REQUIRED header",
        |_| hostile::payment_required(&"A".repeat(64 * 1024)),
        never_paid,
        INPUT,
        "PAYMENT-REQUIRED is 65536 bytes, over the limit of 16384",
        Effect::Unchanged,
    );
    rows.add(
        "merchant: 402 body of 100,000 nested [",
        |_| hostile::payment_required_body(&vec![b'['; 100_000]),
        never_paid,
        INPUT,
        "the 402 body is 100000 bytes, over the limit of 65536",
        Effect::Unchanged,
    );
    rows.add(
        "merchant: 402 body nested 60,000 deep (under the size limit)",
        |_| hostile::payment_required_body(&vec![b'['; 60_000]),
        never_paid,
        INPUT,
        "recursion limit exceeded",
        Effect::Unchanged,
    );
    rows.add(
        "merchant: PAYMENT-REQUIRED with a field nested 5,000 deep",
        |url| {
            let json = serde_json::to_string(&request(url, 100_000)).unwrap();
            let deep = json.replacen('{', &format!("{{\"deep\":{}{},", "[".repeat(5000), "]".repeat(5000)), 1);
            hostile::payment_required(&STANDARD.encode(deep))
        },
        never_paid,
        INPUT,
        "PAYMENT-REQUIRED is not valid JSON of the expected shape: recursion limit exceeded",
        Effect::Unchanged,
    );
    rows.add(
        "merchant: 402 body of 100 MB",
        |_| Reply::Flood {
            head: b"HTTP/1.1 402 Payment Required\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n".to_vec(),
            len: 100_000_000,
        },
        never_paid,
        INPUT,
        "the 402 body is 100000000 bytes, over the limit of 65536",
        Effect::Unchanged,
    );
    rows.add(
        "merchant: 402 with no requirements at all",
        |_| hostile::payment_required_body(b""),
        never_paid,
        INPUT,
        "402 body is not valid JSON",
        Effect::Unchanged,
    );
    rows.add(
        "merchant: PAYMENT-REQUIRED not base64",
        |_| hostile::payment_required("{not base64}"),
        never_paid,
        INPUT,
        "PAYMENT-REQUIRED is not valid base64",
        Effect::Unchanged,
    );
    rows.add(
        "merchant: PAYMENT-REQUIRED not text (Latin-1 bytes)",
        |_| Reply::Bytes(hostile::response("402 Payment Required", &[("PAYMENT-REQUIRED", b"caf\xe9")], b"{}")),
        never_paid,
        INPUT,
        "the PAYMENT-REQUIRED header is not text",
        Effect::Unchanged,
    );
    rows.priced(
        "merchant: amount as a JSON number",
        |v| with(v, "/accepts/0/amount", json!(100_000)),
        INPUT,
        "PAYMENT-REQUIRED is not valid JSON of the expected shape: invalid type: integer `100000`, expected a string",
    );
    rows.priced(
        "merchant: accepts as an object",
        |v| {
            let offer = v["accepts"][0].clone();
            with(v, "/accepts", offer)
        },
        INPUT,
        "invalid type: map, expected a sequence",
    );
    rows.priced(
        "merchant: scheme missing",
        |mut v| {
            v["accepts"][0].as_object_mut().unwrap().remove("scheme");
            v
        },
        INPUT,
        "missing field `scheme`",
    );
    rows.priced(
        "merchant: network missing",
        |mut v| {
            v["accepts"][0].as_object_mut().unwrap().remove("network");
            v
        },
        INPUT,
        "missing field `network`",
    );
    rows.priced(
        "merchant: x402Version as a string",
        |v| with(v, "/x402Version", json!("2")),
        INPUT,
        "invalid type: string \"2\", expected u64",
    );
    rows.priced(
        "merchant: lying assetScale 18",
        |v| with(v, "/accepts/0/extra/assetScale", json!(18)),
        INPUT,
        "assetScale 18 is outside 0..=6",
    );
    rows.priced(
        "merchant: lying assetScale -1",
        |v| with(v, "/accepts/0/extra/assetScale", json!(-1)),
        INPUT,
        "assetScale -1 is outside 0..=6",
    );
    rows.priced(
        "merchant: assetScale as a string",
        |v| with(v, "/accepts/0/extra/assetScale", json!("1")),
        INPUT,
        "extra.assetScale must be an integer 0..=6",
    );
    rows.priced(
        "merchant: assetScale missing",
        |mut v| {
            v["accepts"][0]["extra"].as_object_mut().unwrap().remove("assetScale");
            v
        },
        INPUT,
        "extra.assetScale must be an integer 0..=6",
    );
    // "10" meant as 0.10 at scale 2, declared at scale 0: the wallet takes the merchant at its
    // word (10.00 EUR) and its ceiling refuses, even with --yes.
    rows.priced(
        "merchant: assetScale disagreeing with the amount (0.10 written as 10 at scale 0)",
        |v| with(with(v, "/accepts/0/amount", json!("10")), "/accepts/0/extra/assetScale", json!(0)),
        FUNDS,
        "insufficient funds: 10.00 EUR needed",
    );
    rows.priced(
        "merchant: amount 0",
        |v| with(v, "/accepts/0/amount", json!("0")),
        INPUT,
        "\"0\" is not a wire amount",
    );
    rows.priced(
        "merchant: negative amount",
        |v| with(v, "/accepts/0/amount", json!("-100000")),
        INPUT,
        "\"-100000\" is not a wire amount",
    );
    rows.priced(
        "merchant: amount with a decimal point",
        |v| with(v, "/accepts/0/amount", json!("0.10")),
        INPUT,
        "\"0.10\" is not a wire amount",
    );
    rows.priced(
        "merchant: amount overflowing i64 micro-units",
        |v| with(with(v, "/accepts/0/amount", json!("9223372036854775807")), "/accepts/0/extra/assetScale", json!(0)),
        INPUT,
        "\"9223372036854775807\" is too large",
    );
    rows.priced(
        "merchant: amount of 40 digits",
        |v| with(v, "/accepts/0/amount", json!("1".repeat(40))),
        INPUT,
        "is not a wire amount",
    );
    rows.priced(
        "merchant: unknown asset XAU",
        |v| with(v, "/accepts/0/asset", json!("XAU")),
        FUNDS,
        "insufficient funds: 0.10 XAU needed, 0.00 available",
    );
    rows.priced(
        "merchant: asset that is not a currency code",
        |v| with(v, "/accepts/0/asset", json!("€")),
        INPUT,
        "\"€\" is not an ISO 4217 currency code",
    );
    rows.priced(
        "merchant: payTo of 10 KB",
        |v| with(v, "/accepts/0/payTo", json!("m".repeat(10_000))),
        INPUT,
        "payTo must be 1-128 printable characters",
    );
    rows.priced(
        "merchant: payTo with terminal escapes",
        |v| with(v, "/accepts/0/payTo", json!("merchant\u{1b}[2J")),
        INPUT,
        "payTo must be 1-128 printable characters",
    );
    rows.priced(
        "merchant: merchantName with terminal escapes",
        |v| with(v, "/accepts/0/extra/merchantName", json!("News\u{1b}]0;pwned\u{7}")),
        INPUT,
        "extra.merchantName must be a string of at most 128 printable characters",
    );
    rows.priced(
        "merchant: untrusted network",
        |v| with(v, "/accepts/0/network", json!("centime:evil")),
        INPUT,
        "network centime:evil is not a trusted issuer",
    );
    rows.priced(
        "merchant: 33 offers",
        |v| {
            let offer = v["accepts"][0].clone();
            with(v, "/accepts", Value::Array(vec![offer; 33]))
        },
        INPUT,
        "more than 32 offers",
    );
    rows.priced(
        "merchant: a validity window of a day",
        |v| with(v, "/accepts/0/maxTimeoutSeconds", json!(86_400)),
        INPUT,
        "the offer asks for a 86400s window, over 3600s",
    );
    rows.priced(
        "merchant: 402 for a page of another site",
        |v| with(v, "/resource/url", json!("https://news.example/article")),
        INPUT,
        "asked to be paid for a page of https://news.example: refused",
    );
    rows.add(
        "merchant: redirect loop before any payment",
        |url| Reply::Bytes(hostile::response("302 Found", &[("Location", url.as_bytes())], b"")),
        never_paid,
        INTERNAL,
        "more than 5 redirects",
        Effect::Unchanged,
    );
    rows.add(
        "merchant: redirect to file:///etc/passwd",
        |_| Reply::Bytes(hostile::response("302 Found", &[("Location", b"file:///etc/passwd")], b"")),
        never_paid,
        INTERNAL,
        "a redirect to a non-http URL, refused",
        Effect::Unchanged,
    );
    rows.add_with_timeout(
        "merchant: slow-loris 402 (a byte every 200 ms)",
        "1",
        |_| Reply::Trickle,
        never_paid,
        INTERNAL,
        "the server did not answer in time",
        Effect::Unchanged,
    );
    rows.add(
        "merchant: free page of 100 MB",
        |_| Reply::Flood {
            head: b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\nConnection: close\r\n\r\n".to_vec(),
            len: 100_000_000,
        },
        never_paid,
        INTERNAL,
        "the response is larger than 64 MiB",
        Effect::Unchanged,
    );

    // ---- after the payment: one debit at the first price, at most ----------------------------
    // The price changes between the wallet's two GETs: the paid one is answered with a new 402
    // at five times the price and no refusal code. The first authorization was delivered, so
    // the merchant may hold it: it stays debited and unconfirmed; the new price is not paid.
    rows.add(
        "merchant: price raised between the probe and the paid request",
        move |url| hostile::payment_required(&header(&r(url))),
        |url, _| hostile::payment_required(&header(&request(url, 500_000))),
        INTERNAL,
        "now asks 0.50 EUR instead of the 0.10 EUR paid; not paid again",
        Effect::Unconfirmed(100_000),
    );
    // The same with a refusal code: the merchant says it did not take the payment.
    rows.add(
        "merchant: price raised with a refusal code",
        move |url| hostile::payment_required(&header(&r(url))),
        |url, _| {
            let mut again = request(url, 500_000);
            again.error = Some("amount_mismatch".into());
            hostile::payment_required(&header(&again))
        },
        INPUT,
        "refused payment",
        Effect::Refunded,
    );
    rows.add(
        "merchant: redirect to another origin after the payment",
        move |url| hostile::payment_required(&header(&r(url))),
        |_, _| Reply::Bytes(hostile::response("302 Found", &[("Location", b"https://evil.example/collect")], b"")),
        INTERNAL,
        "redirect to https://evil.example/collect, not followed",
        Effect::Unconfirmed(100_000),
    );
    rows.add(
        "merchant: PAYMENT-RESPONSE is garbage",
        move |url| hostile::payment_required(&header(&r(url))),
        |_, _| hostile::served("%%% not a settlement %%%"),
        OK,
        "unconfirmed: unreadable PAYMENT-RESPONSE",
        Effect::Unconfirmed(100_000),
    );
    rows.add(
        "merchant: page served without a PAYMENT-RESPONSE",
        move |url| hostile::payment_required(&header(&r(url))),
        |_, _| Reply::Bytes(hostile::response("200 OK", &[], b"the article")),
        OK,
        "unconfirmed: the merchant served the page without a receipt",
        Effect::Unconfirmed(100_000),
    );
    rows.add(
        "merchant: receipt for another payment",
        move |url| hostile::payment_required(&header(&r(url))),
        |url, sig| {
            hostile::served_with_receipt(url, sig, &hostile::merchant_key(), |c| {
                c.payment_id = "another_payment_0000000001".parse().unwrap();
            })
        },
        OK,
        "the receipt does not describe this payment",
        Effect::Unconfirmed(100_000),
    );
    rows.add(
        "merchant: receipt for a smaller amount",
        move |url| hostile::payment_required(&header(&r(url))),
        |url, sig| {
            hostile::served_with_receipt(url, sig, &hostile::merchant_key(), |c| {
                c.value = "1".into();
                c.asset_scale = 2;
            })
        },
        OK,
        "the receipt does not describe this payment",
        Effect::Unconfirmed(100_000),
    );
    rows.add(
        "merchant: receipt for another page",
        move |url| hostile::payment_required(&header(&r(url))),
        |url, sig| {
            hostile::served_with_receipt(url, sig, &hostile::merchant_key(), |c| {
                c.resource_url = format!("{}/another-page", c.resource_url);
            })
        },
        OK,
        "the receipt does not describe this payment",
        Effect::Unconfirmed(100_000),
    );
    // A refusal code in the JSON body only (x402 v1 servers): an explicit refusal, credited back.
    rows.add(
        "merchant: refusal code in the 402 body of the paid request",
        move |url| hostile::payment_required(&header(&r(url))),
        |_, _| hostile::payment_required_body(br#"{"x402Version":2,"error":"insufficient_funds"}"#),
        INPUT,
        "refused payment",
        Effect::Refunded,
    );
    rows.add(
        "merchant: receipt signed by a wrong key",
        move |url| hostile::payment_required(&header(&r(url))),
        |url, sig| hostile::served_with_receipt(url, sig, &stranger(), |_| {}),
        OK,
        "receipt refused: signature does not verify",
        Effect::Unconfirmed(100_000),
    );
    rows.add(
        "merchant: receipt of another document type",
        move |url| hostile::payment_required(&header(&r(url))),
        |url, sig| {
            let credit = credit_claims(&hostile::merchant_key(), hostile::authorization(sig).from, "c", 1, Asset::EUR);
            let _ = url;
            hostile::served(&hostile::settlement(sig, Some(sign_credit(&hostile::merchant_key(), &credit)), true))
        },
        OK,
        "JWS type \"centime-credit+jws\" where \"centime-receipt+jws\" was expected",
        Effect::Unconfirmed(100_000),
    );
    // A 200 that says the settlement failed: the merchant declares it did not take the money.
    rows.add(
        "merchant: page served with success false",
        move |url| hostile::payment_required(&header(&r(url))),
        |_, sig| hostile::served(&hostile::settlement(sig, None, false)),
        INPUT,
        "refused payment",
        Effect::Refunded,
    );
    rows.add(
        "merchant: paid page of 100 MB",
        move |url| hostile::payment_required(&header(&r(url))),
        |url, sig| {
            let Reply::Bytes(head) = honest(url, sig) else { unreachable!() };
            let end = head.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            let head = String::from_utf8(head[..end].to_vec())
                .unwrap()
                .replace("Content-Length: 11\r\n", "Content-Length: 100000000\r\n");
            Reply::Flood { head: head.into_bytes(), len: 100_000_000 }
        },
        INTERNAL,
        "the response is larger than 64 MiB",
        Effect::Settled(100_000),
    );
    rows.cases
}

/// A `centime://pay` link for `r`, returning to `ret`.
fn link_to(r: &PaymentRequired, ret: Option<&str>) -> String {
    let return_url = ret.map(|u| u.parse().unwrap());
    centime_protocol::deeplink::DeepLink::Pay { required: Box::new(r.clone()), return_url }.to_link().unwrap()
}

fn link_case(name: &'static str, link: &str, code: i32, needle: &str) -> Case {
    case(name, &["pay", link, "--yes"], code, needle)
}

/// `centime pay <link>` with links that name the hostile merchant's pages: any page can craft
/// a link, so the wallet asks the site itself before paying, and pays only the terms the
/// site's own 402 offers.
fn link_cases(m: &Merchant) -> Vec<Case> {
    let article = m.url("/link/article");
    let here = article.clone();
    m.route("/link/article", move |_| hostile::payment_required(&header(&request(&here, 100_000))));
    let free = m.route("/link/free", |_| Reply::Bytes(hostile::response("200 OK", &[], b"free")));
    let elsewhere = m.route("/link/elsewhere", |_| {
        hostile::payment_required(&header(&request("https://news.example/article", 100_000)))
    });
    let lying = m.url("/link/lying");
    let here = lying.clone();
    m.route("/link/lying", move |_| {
        let v = with(serde_json::to_value(request(&here, 100_000)).unwrap(), "/accepts/0/extra/assetScale", json!(18));
        hostile::payment_required(&header_of(&v))
    });
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();

    let mut forged = request(&article, 100_000);
    forged.accepts[0].pay_to = "attacker".into();
    let mut cheaper = request(&article, 10_000);
    cheaper.accepts[0].pay_to = PAY_TO.into();
    let mut other_network = request(&article, 100_000);
    other_network.accepts[0].network = "centime:evil".into();
    let mut js = request(&article, 100_000);
    js.resource.url = "javascript:alert(1)".into();
    let mut huge = request(&article, 100_000);
    huge.resource.description = Some("x".repeat(20 * 1024));
    let port = m.base.rsplit(':').next().unwrap();
    // Links naming this computer or the local network, none of them trusted: refused before
    // any connection (the merchant's own pages are trusted for the rows after these).
    let mut cases = vec![
        link_case(
            "link: a page on this computer, its origin not trusted",
            &link_to(&request(&article, 100_000), None),
            INPUT,
            "127.0.0.1 is a loopback address. A payment link may only make the wallet connect to public addresses",
        ),
        link_case(
            "link: a page at localhost",
            &link_to(&request(&format!("http://localhost:{port}/link/article"), 100_000), None),
            INPUT,
            "localhost names this computer",
        ),
        link_case(
            "link: a page on the IPv4-mapped loopback address",
            &link_to(&request(&format!("http://[::ffff:127.0.0.1]:{port}/link/article"), 100_000), None),
            INPUT,
            "::ffff:127.0.0.1 is a loopback address",
        ),
        link_case(
            "link: a page on a private address",
            &link_to(&request("http://192.168.1.1/admin", 100_000), None),
            INPUT,
            "192.168.1.1 is a private address",
        ),
        link_case(
            "link: a page on a unique-local address",
            &link_to(&request("http://[fd00::1]/admin", 100_000), None),
            INPUT,
            "fd00::1 is a unique-local address",
        ),
        link_case(
            "link: a page on a link-local address (cloud metadata)",
            &link_to(&request("http://169.254.169.254/latest/meta-data", 100_000), None),
            INPUT,
            "169.254.169.254 is a link-local address",
        ),
    ];
    let trusted =
        ["--trust-origin".to_owned(), m.base.clone(), "--trust-origin".to_owned(), format!("http://{closed}")];
    let mut rows = vec![
        link_case(
            "link: someone else's payTo for the merchant's page",
            &link_to(&forged, None),
            INPUT,
            "does not offer the payee, price, asset and network the link names",
        ),
        link_case(
            "link: a lower price than the site asks",
            &link_to(&cheaper, None),
            INPUT,
            "does not offer the payee, price, asset and network the link names",
        ),
        link_case(
            "link: another network than the site's",
            &link_to(&other_network, None),
            INPUT,
            "does not offer the payee, price, asset and network the link names",
        ),
        link_case(
            "link: the site's own 402 has a lying assetScale",
            &link_to(&request(&lying, 100_000), None),
            INPUT,
            "does not offer the payee, price, asset and network the link names",
        ),
        link_case(
            "link: a page the site serves for free",
            &link_to(&request(&free, 100_000), None),
            INPUT,
            "the page is free: nothing to pay",
        ),
        link_case(
            "link: the site answers for a page of another site",
            &link_to(&request(&elsewhere, 100_000), None),
            INPUT,
            "asked to be paid for a page of https://news.example: refused",
        ),
        link_case(
            "link: return to another origin",
            &link_to(&request(&article, 100_000), Some("https://evil.example/thanks")),
            INPUT,
            "the return address must be on the site that asked for payment",
        ),
        link_case(
            "link: a javascript: page",
            &link_to(&js, None),
            INPUT,
            "the link names a page that is not an http(s) URL",
        ),
        link_case(
            "link: a site that does not answer",
            &link_to(&request(&format!("http://{closed}/article"), 100_000), None),
            INTERNAL,
            "could not connect to the server",
        ),
        link_case("link: over 24 KiB", &link_to(&huge, None), INPUT, "over the limit of 24576"),
        link_case(
            "link: req of base64url non-JSON",
            &format!("centime://pay?req={}", b64url(b"hello, wallet")),
            INPUT,
            "link req is not valid JSON",
        ),
    ];
    for row in &mut rows {
        row.args.extend(trusted.iter().cloned());
    }
    cases.append(&mut rows);
    cases
}

/// The EUR balance on NETWORK, and every payment as (id, status, journal amount).
type Money = (i64, Vec<(String, String, i64)>);

/// The EUR balance on NETWORK and every payment's (status, journal amount), read directly.
fn money(db: &std::path::Path) -> Money {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE).unwrap();
    let eur: i64 = conn
        .query_row("SELECT balance FROM balances WHERE network = ?1 AND asset = 'EUR'", [NETWORK], |r| r.get(0))
        .unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT p.payment_id, p.status, j.amount FROM payments p JOIN journal j ON j.id = p.journal_id ORDER BY 1",
        )
        .unwrap();
    let payments = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();
    (eur, payments)
}

/// What a row did to the wallet, against what it may do; `None` when it did just that.
fn check_effect(effect: Effect, before: &(String, Money), w: &TestWallet) -> Option<String> {
    let (snap, (eur, payments)) = before;
    let (eur_after, payments_after) = money(&w.db());
    let new: Vec<_> = payments_after.iter().filter(|p| !payments.iter().any(|q| q.0 == p.0)).collect();
    let one = |status: &str, micros: i64| -> Option<String> {
        match new.as_slice() {
            [(_, s, amount)] if s == status && *amount == -micros => None,
            other => Some(format!("expected one {status} payment of {micros} micro-units, found {other:?}")),
        }
    };
    match effect {
        Effect::Unchanged => (w.snapshot() != *snap).then(|| "the database changed".to_owned()),
        Effect::Unconfirmed(m) | Effect::Settled(m) if eur_after != eur - m => {
            Some(format!("balance {eur} became {eur_after}, expected one debit of {m}"))
        }
        Effect::Unconfirmed(m) => one("unconfirmed", m),
        Effect::Settled(m) => one("settled", m),
        Effect::Refunded if eur_after != *eur => Some(format!("balance {eur} became {eur_after} after a refund")),
        Effect::Refunded => match new.as_slice() {
            [(_, s, _)] if s == "rejected" => None,
            other => Some(format!("expected one rejected payment, found {other:?}")),
        },
    }
}

#[test]
fn catalogue() {
    let started = Instant::now();
    let w = TestWallet::new();
    // A wallet with money on two assets, a payment, a rule and changed limits.
    w.topup("seed-eur", 6_000_000);
    let usd = sign_credit(&issuer(), &credit_claims(&issuer(), w.key(), "seed-usd", 1_000_000, Asset::USD));
    w.json(&["topup", &usd]);
    w.json(&["pay", &header(&request(&format!("{NEWS}/seed"), 500_000)), "--yes"]);
    w.json(&["allow", BLOG, "--max-per-payment", "0.50", "--budget", "2", "--per", "week"]);
    w.json(&["limits", "--daily-cap", "19"]);
    assert_eq!(w.eur(), "5.50");

    let m = Merchant::start();
    let mut cases = cases(&w);
    cases.extend(link_cases(&m));
    cases.extend(merchant_cases(&m));
    let names: BTreeSet<&str> = cases.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), cases.len(), "duplicate case names");
    let mut per_entry: BTreeMap<Entry, usize> = BTreeMap::new();
    for c in &cases {
        *per_entry.entry(c.entry).or_default() += 1;
    }
    assert!(cases.len() >= 100, "only {} cases", cases.len());
    assert!(per_entry[&Entry::Link] >= 15, "{per_entry:?}");
    assert!(per_entry[&Entry::Merchant] >= 25, "{per_entry:?}");

    let mut failures = Vec::new();
    let mut slowest = Vec::new();
    for c in &cases {
        let before = (w.snapshot(), money(&w.db()));
        let t = Instant::now();
        // No timing is asserted (a loaded machine is slow, not wrong); a hang still fails, on
        // the 60 s timeout every `centime` command of these tests runs under.
        let o = w.cmd().args(&c.args).output().unwrap();
        let took = t.elapsed();
        slowest.push((took, c.name));
        let err = stderr(&o);
        let what = format!("{} [{:?}]", c.name, c.entry);
        if o.status.code() != Some(c.code) {
            failures.push(format!("{what}: exit {:?}, expected {}; stderr: {err}", o.status.code(), c.code));
        } else if !err.contains(&c.needle) {
            failures.push(format!("{what}: stderr lacks {:?}: {err}", c.needle));
        } else if c.code != OK && !o.stdout.is_empty() {
            failures.push(format!("{what}: printed on stdout: {}", stdout(&o)));
        }
        if let Some(problem) = check_effect(c.effect, &before, &w) {
            failures.push(format!("{what}: {problem}"));
        }
    }
    slowest.sort();
    slowest.reverse();
    eprintln!("catalogue: {} rows {per_entry:?} in {:?}", cases.len(), started.elapsed());
    eprintln!("slowest rows: {:?}", &slowest[..5]);
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert_eq!(w.json(&["verify"])["ok"], true);
    // The wallet still works after all that.
    let before = w.eur();
    w.topup("after", 10_000);
    assert_ne!(w.eur(), before);
}

#[test]
fn bad_inputs_in_json_mode_give_the_error_as_json() {
    let w = TestWallet::new();
    w.topup("j1", 1_000_000);
    let before = w.snapshot();
    for (args, code, kind) in [
        (vec!["topup".to_owned(), w.credit("j1", 1_000_000)], INPUT, "invalid_input"),
        (
            vec!["pay".to_owned(), header(&request(&format!("{NEWS}/j"), 6_000_000)), "--yes".to_owned()],
            FUNDS,
            "insufficient_funds",
        ),
        (vec!["pay".to_owned(), header(&request(&format!("{NEWS}/j"), 100_000))], APPROVAL, "needs_approval"),
        (vec!["limits".to_owned(), "--daily-cap=1e3".to_owned()], INPUT, "error"),
    ] {
        let o = w.cmd().arg("--json").args(&args).output().unwrap();
        expect_code(&o, code, &args[0]);
        assert!(o.stdout.is_empty(), "{}", stdout(&o));
        let e: Value = serde_json::from_str(stderr(&o).trim()).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
        assert_eq!(e["error"], kind, "{e}");
        assert_eq!(e["exit"], code, "{e}");
        assert!(!e["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(w.snapshot(), before);
}

/// What the file keystore holds for a keystore case.
enum KeyState {
    /// The wallet's own key file, intact.
    Intact,
    Bytes(Vec<u8>),
    Deleted,
    Directory,
}

/// The wallet's key file with one character of a field's value changed.
fn flipped(key_file: &str, field: &str) -> Vec<u8> {
    let at = key_file.find(&format!("\"{field}\": \"")).unwrap() + field.len() + 6;
    let mut bytes = key_file.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    bytes
}

/// The file keystore failing every way it can: each failure has its own
/// message and exit 6; none creates a new identity or changes anything; restoring the backup
/// brings the wallet back, with its id, its balance and its history. (The OS keyring's
/// failures run against a real Secret Service in scripts/test-os-keystore.sh.)
#[test]
fn keystore_failures_are_named_and_a_backup_brings_the_wallet_back() {
    let w = TestWallet::new();
    w.topup("ks-1", 1_250_000);
    w.json(&["pay", &header(&request(&format!("{NEWS}/ks"), 250_000)), "--yes"]);
    let history = w.history(&[]);
    let backup = w.tmp.path().join("ks.backup");
    let o =
        w.cmd().env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS).args(["backup", "--out"]).arg(&backup).output().unwrap();
    expect_code(&o, 0, "backup");
    let key_file = w.data.join("keys.centime");
    let good = std::fs::read(&key_file).unwrap();
    let text = String::from_utf8(good.clone()).unwrap();
    let other = TestWallet::new();
    let others_keys = std::fs::read(other.data.join("keys.centime")).unwrap();

    // (name, the key file, an environment variable set for the run, the message expected)
    type KeystoreCase<'a> = (&'a str, KeyState, Option<(&'a str, &'a str)>, &'a str);
    let cases: Vec<KeystoreCase> = vec![
        (
            "wrong passphrase",
            KeyState::Intact,
            Some(("CENTIME_PASSPHRASE", "wrong horse battery staple")),
            "wrong passphrase: the passphrase does not open it",
        ),
        ("no passphrase and no terminal", KeyState::Intact, Some(("CENTIME_PASSPHRASE", "")), "set CENTIME_PASSPHRASE"),
        ("key file deleted", KeyState::Deleted, None, "the key of this wallet is missing from the file keystore"),
        ("key file empty", KeyState::Bytes(Vec::new()), None, "keys.centime is empty"),
        (
            "key file truncated",
            KeyState::Bytes(good[..good.len() / 2].to_vec()),
            None,
            "is not a keystore file: EOF while parsing",
        ),
        (
            "key file of the wrong JSON",
            KeyState::Bytes(br#"{"format":"centime-keystore"}"#.to_vec()),
            None,
            "is not a keystore file: missing field",
        ),
        ("key file of binary garbage", KeyState::Bytes(vec![0, 159, 146, 150, 255]), None, "is not a keystore file"),
        (
            "a byte flipped in the ciphertext",
            KeyState::Bytes(flipped(&text, "ciphertext")),
            None,
            "does not match its checksum",
        ),
        ("a byte flipped in the salt", KeyState::Bytes(flipped(&text, "salt")), None, "does not match its checksum"),
        (
            "a byte flipped in the account",
            KeyState::Bytes(flipped(&text, "account")),
            None,
            "does not match its checksum",
        ),
        ("another wallet's key file", KeyState::Bytes(others_keys), None, "belongs to another wallet"),
        ("a directory in place of the key file", KeyState::Directory, None, "cannot be read"),
        (
            "the OS keystore asked of a file-keystore wallet",
            KeyState::Intact,
            Some(("CENTIME_KEYSTORE", "os")),
            "this wallet uses the file keystore, not os",
        ),
    ];
    let snap = w.snapshot();
    let mut failures = Vec::new();
    for (name, state, env, needle) in &cases {
        match state {
            KeyState::Intact => std::fs::write(&key_file, &good).unwrap(),
            KeyState::Bytes(b) => std::fs::write(&key_file, b).unwrap(),
            KeyState::Deleted => std::fs::remove_file(&key_file).unwrap(),
            KeyState::Directory => {
                std::fs::remove_file(&key_file).unwrap();
                std::fs::create_dir(&key_file).unwrap();
            }
        }
        let files_before = files(&w.data);
        for args in [&["id"][..], &["pay", &header(&request(&format!("{NEWS}/ks2"), 10_000)), "--yes"]] {
            let mut cmd = w.cmd();
            match env {
                Some(("CENTIME_PASSPHRASE", "")) => {
                    cmd.env_remove("CENTIME_PASSPHRASE");
                }
                Some((k, v)) => {
                    cmd.env(k, v);
                }
                None => {}
            }
            let o = cmd.args(args).output().unwrap();
            let err = stderr(&o);
            if o.status.code() != Some(6) || !err.contains(needle) || !o.stdout.is_empty() {
                failures.push(format!("{name} ({}): exit {:?}, stderr {err}", args[0], o.status.code()));
            }
        }
        // No new identity: nothing created, replaced or removed in the data directory.
        if files(&w.data) != files_before {
            failures.push(format!("{name}: the data directory changed"));
        }
        if w.snapshot() != snap {
            failures.push(format!("{name}: the database changed"));
        }
        // `init` refuses too: the wallet exists.
        if !matches!(state, KeyState::Intact) {
            let o = w.run(&["init"]);
            if o.status.code() != Some(5) || !stderr(&o).contains("already exists") || files(&w.data) != files_before {
                failures.push(format!("{name}: init: exit {:?}, {}", o.status.code(), stderr(&o)));
            }
        }
        if matches!(state, KeyState::Directory) {
            std::fs::remove_dir(&key_file).unwrap();
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));

    // Restoring the backup over a damaged key file brings the same wallet back.
    std::fs::write(&key_file, flipped(&text, "ciphertext")).unwrap();
    let o = w
        .cmd()
        .env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS)
        .args(["restore", "--from"])
        .arg(&backup)
        .output()
        .unwrap();
    expect_code(&o, 0, "restore over a damaged key file");
    assert_eq!(w.json(&["id"])["wallet"], w.id.as_str());
    assert_eq!(w.eur(), "1.00");
    assert_eq!(w.history(&[]), history);
    assert_eq!(w.json(&["verify"])["ok"], true);

    // And with the key file gone and its passphrase forgotten: the backup's passphrase and a
    // new keystore passphrase bring it back; the old passphrase no longer opens it.
    std::fs::remove_file(&key_file).unwrap();
    let new_pass = "a new passphrase after the loss";
    let o = w
        .cmd()
        .env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS)
        .env("CENTIME_PASSPHRASE", new_pass)
        .args(["restore", "--from"])
        .arg(&backup)
        .output()
        .unwrap();
    expect_code(&o, 0, "restore with the key file deleted");
    let o = w.cmd().env("CENTIME_PASSPHRASE", new_pass).args(["--json", "balance"]).output().unwrap();
    expect_code(&o, 0, "balance with the new passphrase");
    assert!(stdout(&o).contains("\"1.00\""), "{}", stdout(&o));
    let o = w.cmd().env("CENTIME_PASSPHRASE", new_pass).args(["--json", "id"]).output().unwrap();
    assert!(stdout(&o).contains(&w.id), "{}", stdout(&o));
    w.fails(&["id"], 6, "wrong passphrase");
}
