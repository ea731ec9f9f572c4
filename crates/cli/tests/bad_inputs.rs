//! Bad inputs through the real `centime` binary: each named case gives its exit code and its
//! specific message, and leaves the database exactly as it was (every row of every table that
//! holds money, documents or rules, read with rusqlite).
// Helpers outside #[test] functions are test code too: a panic there is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use centime_protocol::documents::CREDIT_TYP;
use centime_protocol::jws::Signer as _;
use centime_protocol::{Asset, PaymentRequired};
use common::*;
use serde_json::{Value, json};

const OK: i32 = 0;
const APPROVAL: i32 = 3;
const FUNDS: i32 = 4;
const INPUT: i32 = 5;

struct Case {
    name: &'static str,
    args: Vec<String>,
    code: i32,
    needle: String,
}

fn case(name: &'static str, args: &[&str], code: i32, needle: &str) -> Case {
    assert_ne!(code, OK);
    Case { name, args: args.iter().map(|s| (*s).to_owned()).collect(), code, needle: needle.to_owned() }
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
    Case { name, args: pay_value(&v), code, needle: needle.to_owned() }
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

#[test]
fn bad_inputs_change_nothing() {
    let w = TestWallet::new();
    // A wallet with money on two assets, a payment, a rule and changed limits.
    w.topup("seed-eur", 6_000_000);
    let usd = sign_credit(&issuer(), &credit_claims(&issuer(), w.key(), "seed-usd", 1_000_000, Asset::USD));
    w.json(&["topup", &usd]);
    w.json(&["pay", &header(&request(&format!("{NEWS}/seed"), 500_000)), "--yes"]);
    w.json(&["allow", BLOG, "--max-per-payment", "0.50", "--budget", "2", "--per", "week"]);
    w.json(&["limits", "--daily-cap", "19"]);
    assert_eq!(w.eur(), "5.50");

    let cases = cases(&w);
    assert!(cases.len() >= 30, "only {} cases", cases.len());
    let names: BTreeSet<&str> = cases.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), cases.len(), "duplicate case names");

    let balances = w.json(&["balance"]);
    let history = w.json(&["history"]);
    let before = w.snapshot();
    let mut failures = Vec::new();
    for c in &cases {
        let o = w.cmd().args(&c.args).output().unwrap();
        let err = stderr(&o);
        if o.status.code() != Some(c.code) {
            failures.push(format!("{}: exit {:?}, expected {}; stderr: {err}", c.name, o.status.code(), c.code));
        } else if !err.contains(&c.needle) {
            failures.push(format!("{}: stderr lacks {:?}: {err}", c.name, c.needle));
        } else if !o.stdout.is_empty() {
            failures.push(format!("{}: printed on stdout: {}", c.name, stdout(&o)));
        }
        if w.snapshot() != before {
            failures.push(format!("{}: the database changed", c.name));
            break;
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert_eq!(w.json(&["balance"]), balances);
    assert_eq!(w.json(&["history"]), history);
    assert_eq!(w.json(&["verify"])["ok"], true);
    // The wallet still works after all that.
    w.topup("after", 10_000);
    assert_eq!(w.eur(), "5.51");
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
