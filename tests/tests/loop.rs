//! The whole loop over real HTTP on 127.0.0.1: the centime CLI (file keystore) against
//! centime-demo (issuer + priced magazine), including a SIGKILL and restart of the server, a
//! lost answer, a tampered payment and replays; at the end the wallet and the merchant agree
//! entry for entry and to the micro-unit.

// Test helpers may unwrap: a panic there is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use anyhow::{Context as _, Result, ensure};
use centime_e2e::{Demo, Fault, Output, Proxy, Wallet, micros, micros_at, reconcile};
use centime_protocol::documents::{self, AuthorizationClaims};
use centime_protocol::payment::{authorization_claims, sign_payload};
use centime_protocol::wire::{PAYMENT_REQUIRED, PAYMENT_RESPONSE, PAYMENT_SIGNATURE};
use centime_protocol::{PaymentId, PaymentPayload, PaymentRequired, SettlementResponse};
use serde_json::Value;

const EXIT_INTERNAL: i32 = 1;
const EXIT_APPROVAL: i32 = 3;
const EXIT_INPUT: i32 = 5;

/// The catalogue's pages, by article.
struct Pages(Vec<(String, i64)>);

impl Pages {
    fn of(demo: &Demo) -> Result<Pages> {
        Ok(Pages(demo.pages()?))
    }

    /// Page `n` (1-based) of the article whose pages cost `price` micro-units.
    fn at(&self, price: i64, n: usize) -> String {
        self.0.iter().filter(|(_, p)| *p == price).nth(n - 1).map(|(u, _)| u.clone()).unwrap()
    }
}

/// What the wallet holds: balance and number of history rows.
fn snapshot(w: &Wallet) -> Result<(i64, usize)> {
    Ok((w.balance()?, w.history()?.len()))
}

/// The page body a paid fetch printed is the page at `url`.
fn assert_is_page(out: &Output, url: &str) {
    let body: Value = out.json().unwrap();
    let mut parts = url.rsplit('/');
    let n: u64 = parts.next().unwrap().parse().unwrap();
    let article = parts.next().unwrap();
    assert_eq!(body["article"], article, "{out}");
    assert_eq!(body["page"], n, "{out}");
    assert!(!body["heading"].as_str().unwrap().is_empty(), "{out}");
    assert!(body["text"].as_str().unwrap().len() > 100, "a page has real text: {out}");
}

/// `fetch URL ARGS`, which must pay for the page: returns the summary's payment id.
fn fetch_paid(w: &Wallet, url: &str, args: &[&str], price: i64) -> Result<String> {
    let before = w.balance()?;
    let mut all = vec!["fetch", url];
    all.extend_from_slice(args);
    let out = w.run(&all)?.ok()?;
    assert_is_page(&out, url);
    let s = out.stderr_json()?;
    ensure!(s["paid"] == true && s["status"] == "settled", "not paid and settled: {out}");
    ensure!(micros(s["amount"].as_str().unwrap_or_default())? == price, "{out}");
    let id = s["paymentId"].as_str().context("no paymentId")?.to_owned();
    ensure!(w.balance()? == before - price, "debited once, exactly the price: {out}");
    let rows = w.entries_of(&id)?;
    ensure!(rows.len() == 1, "one journal row for {id}: {rows:?}");
    ensure!(rows[0]["kind"] == "payment" && rows[0]["status"] == "settled", "{rows:?}");
    ensure!(micros_at(&rows[0], "amount")? == -price && rows[0]["resource"] == url, "{rows:?}");
    Ok(id)
}

/// `fetch URL ARGS`, which must fail with `code` without touching the wallet.
fn fetch_refused(w: &Wallet, demo: &Demo, url: &str, args: &[&str], code: i32) -> Result<Output> {
    let before = snapshot(w)?;
    let ledger_before = demo.ledger_entries().map(|e| e.len()).ok();
    let mut all = vec!["fetch", url];
    all.extend_from_slice(args);
    let out = w.run(&all)?.expect_code(code)?;
    ensure!(out.stdout.is_empty(), "no page is printed: {out}");
    ensure!(snapshot(w)? == before, "the balance and the journal are unchanged: {out}");
    if let Some(n) = ledger_before {
        ensure!(demo.ledger_entries()?.len() == n, "the merchant recorded nothing");
    }
    Ok(out)
}

/// A second fetch of a page paid earlier: served again, nothing charged or recorded.
fn reread_free(w: &Wallet, demo: &Demo, url: &str, paid_by: &str) -> Result<()> {
    let before = snapshot(w)?;
    let ledger_before = demo.ledger_entries()?.len();
    let out = w.run(&["fetch", url])?.ok()?;
    assert_is_page(&out, url);
    let s = out.stderr_json()?;
    ensure!(s["paid"] == false && s["entitledBy"] == paid_by, "{out}");
    ensure!(snapshot(w)? == before, "nothing charged: {out}");
    ensure!(demo.ledger_entries()?.len() == ledger_before, "nothing recorded by the merchant");
    Ok(())
}

/// The rejection code of a 402 answered to a paid request, from its header and its body.
fn rejection(resp: reqwest::blocking::Response) -> Result<String> {
    ensure!(resp.status() == reqwest::StatusCode::PAYMENT_REQUIRED, "not a 402: {}", resp.status());
    let header = resp.headers().get(PAYMENT_REQUIRED).context("no PAYMENT-REQUIRED")?.to_str()?.to_owned();
    let from_header = PaymentRequired::from_header(&header)?.error.context("no error in PAYMENT-REQUIRED")?;
    let body: Value = serde_json::from_str(&resp.text()?)?;
    ensure!(body["error"] == from_header.as_str(), "header and body disagree: {body}");
    Ok(from_header)
}

fn get_with(http: &reqwest::blocking::Client, url: &str, signature: &str) -> Result<reqwest::blocking::Response> {
    Ok(http.get(url).header("accept", "application/json").header(PAYMENT_SIGNATURE, signature).send()?)
}

/// A new authorization from the same wallet for `url`: its own nonce and payment id unless told.
fn forge(w: &Wallet, required: &PaymentRequired, nonce: Option<&str>, payment_id: Option<PaymentId>) -> Result<String> {
    use centime_protocol::jws::Signer as _;
    let signer = w.signer()?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let accepted = &required.accepts[0];
    let id = match payment_id {
        Some(id) => id,
        None => PaymentId::random()?,
    };
    let mut claims = authorization_claims(signer.public_key(), &required.resource, accepted, id, 1, now)?;
    if let Some(n) = nonce {
        claims.nonce = n.to_owned();
    }
    Ok(sign_payload(&signer, &required.resource, accepted, &required.extensions, &claims)?.to_header()?)
}

#[test]
fn the_whole_loop_over_real_http() -> Result<()> {
    let mut demo = Demo::start()?;
    let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build()?;

    // A wallet with the file keystore, trusting the demo issuer, topped up with 5.00 EUR.
    let w = Wallet::funded(&demo, "5.00")?;
    assert_eq!(w.balance()?, 5_000_000);
    let issuers = w.json(&["issuer", "list"])?;
    assert_eq!(issuers["issuers"][0]["publicKey"], demo.issuer_key()?.as_str());
    let origin = demo.url();
    let pages = Pages::of(&demo)?;
    let (tenth, twentieth, fiftieth, hundredth, half_cent) = (100_000, 50_000, 20_000, 10_000, 5_000);

    // No rule for the site yet: without --yes nothing is paid (exit 3), nothing debited.
    let out = fetch_refused(&w, &demo, &pages.at(tenth, 1), &[], EXIT_APPROVAL)?;
    assert_eq!(out.stderr_json()?["error"], "needs_approval", "{out}");

    // An allowance: 0.30 a day, paid without asking. Three 0.10 pages go through automatically...
    let rule = w.json(&["allow", &origin, "--budget", "0.30", "--per", "day", "--auto"])?;
    assert_eq!(rule["autoPay"], true);
    let mut auto = Vec::new();
    for n in 1..=3 {
        let url = pages.at(tenth, n);
        let id = fetch_paid(&w, &url, &[], tenth)?;
        auto.push((url, id));
    }
    assert_eq!(w.balance()?, 4_700_000);
    // ...then the budget is spent: refused, even with --yes, nothing debited.
    let out = fetch_refused(&w, &demo, &pages.at(twentieth, 1), &[], EXIT_APPROVAL)?;
    assert_eq!(out.stderr_json()?["error"], "refused", "{out}");
    assert!(out.stderr.contains("budget"), "{out}");
    fetch_refused(&w, &demo, &pages.at(twentieth, 1), &["--yes"], EXIT_APPROVAL)?;

    // A larger budget, each payment asked: --yes approves.
    w.json(&["allow", &origin, "--budget", "10.00", "--per", "day", "--ask"])?;
    fetch_refused(&w, &demo, &pages.at(twentieth, 1), &[], EXIT_APPROVAL)?;
    let b1 = fetch_paid(&w, &pages.at(twentieth, 1), &["--yes"], twentieth)?;
    fetch_paid(&w, &pages.at(twentieth, 2), &["--yes", "--max", "0.05"], twentieth)?;
    fetch_paid(&w, &pages.at(half_cent, 1), &["--yes"], half_cent)?; // a sub-cent price, exact
    assert_eq!(w.balance()?, 4_595_000);

    // Over --max: refused before anything is signed or debited.
    let out = fetch_refused(&w, &demo, &pages.at(twentieth, 3), &["--yes", "--max", "0.02"], EXIT_APPROVAL)?;
    assert!(out.stderr.contains("--max"), "{out}");

    // A page paid earlier is read again for free, under its first payment.
    reread_free(&w, &demo, &auto[0].0, &auto[0].1)?;

    // A captured PAYMENT-SIGNATURE, replayed with curl semantics.
    let c1 = pages.at(fiftieth, 1);
    let resp = http.get(&c1).header("accept", "application/json").send()?;
    assert_eq!(resp.status(), reqwest::StatusCode::PAYMENT_REQUIRED);
    let required_header = resp.headers()[PAYMENT_REQUIRED].to_str()?.to_owned();
    let required = PaymentRequired::from_header(&required_header)?;
    let paid = w.json(&["pay", &required_header, "--yes"])?;
    let header = paid["header"].as_str().unwrap().to_owned();
    let c1_id = paid["paymentId"].as_str().unwrap().to_owned();
    assert_eq!(w.balance()?, 4_575_000, "pay debits before anything is sent");
    let ledger_before = demo.ledger_entries()?.len();

    // Before it is ever used, the header with its payment-identifier extension changed is refused.
    let mut altered = PaymentPayload::from_header(&header)?;
    altered.set_extension_payment_id(&PaymentId::random()?);
    assert_eq!(rejection(get_with(&http, &c1, &altered.to_header()?)?)?, "malformed");
    assert_eq!(demo.ledger_entries()?.len(), ledger_before);

    let first = get_with(&http, &c1, &header)?;
    assert_eq!(first.status(), reqwest::StatusCode::OK);
    let settlement = SettlementResponse::from_header(first.headers()[PAYMENT_RESPONSE].to_str()?)?;
    assert_eq!(demo.ledger_entries()?.len(), ledger_before + 1);
    // The same header again is the same payment: the first answer, not a second charge.
    let again = get_with(&http, &c1, &header)?;
    assert_eq!(again.status(), reqwest::StatusCode::OK);
    let again = SettlementResponse::from_header(again.headers()[PAYMENT_RESPONSE].to_str()?)?;
    assert_eq!((again.transaction, again.receipt), (settlement.transaction.clone(), settlement.receipt.clone()));
    assert_eq!(demo.ledger_entries()?.len(), ledger_before + 1, "a replay is never recorded twice");
    // For another page, it is refused.
    let c2 = pages.at(fiftieth, 2);
    assert_eq!(rejection(get_with(&http, &c2, &header)?)?, "resource_mismatch");
    // Tampered, it is refused.
    assert_eq!(rejection(get_with(&http, &c1, &centime_e2e::tamper(&header)?)?)?, "invalid_signature");
    // Re-signed by the wallet's own key: a new payment id with the used nonce, or the used
    // payment id with a new nonce, are refused as replays.
    let payload = PaymentPayload::from_header(&header)?;
    let claims = documents::open::<AuthorizationClaims>(&payload.payload.authorization)?;
    let same_nonce = forge(&w, &required, Some(&claims.nonce), None)?;
    assert_eq!(rejection(get_with(&http, &c1, &same_nonce)?)?, "replayed_nonce");
    let same_id = forge(&w, &required, None, Some(claims.payment_id.clone()))?;
    assert_eq!(rejection(get_with(&http, &c1, &same_id)?)?, "payment_id_conflict");
    assert_eq!(demo.ledger_entries()?.len(), ledger_before + 1, "no refused payment is recorded");
    // The wallet learns the outcome by retrying its own payment id: no second debit.
    let out = w.run(&["fetch", &c1, "--payment-id", &c1_id])?.ok()?;
    assert_is_page(&out, &c1);
    let s = out.stderr_json()?;
    assert_eq!(
        (s["paymentId"].as_str(), s["status"].as_str(), s["paid"].as_bool()),
        (Some(&*c1_id), Some("settled"), Some(false))
    );
    assert_eq!(w.balance()?, 4_575_000);
    assert_eq!(w.entries_of(&c1_id)?.len(), 1);
    assert_eq!(demo.ledger_entries()?.len(), ledger_before + 1);

    // SIGKILL the server. A fetch while it is down fails clearly, before paying: nothing debited.
    let before_kill = demo.ledger_entries()?.len();
    demo.kill()?;
    let c3 = pages.at(fiftieth, 3);
    let out = fetch_refused(&w, &demo, &c3, &["--yes"], EXIT_INTERNAL)?;
    assert!(out.stderr.contains("could not connect"), "{out}");
    assert!(w.history()?.iter().all(|e| e["status"] != "unconfirmed" && e["status"] != "pending"));

    // Restart on the same data directory: the ledger and the replay memory survived.
    let same_port = demo.restart()?;
    assert_eq!(demo.ledger_entries()?.len(), before_kill, "accepted payments survive a SIGKILL");
    let pages = if same_port { pages } else { Pages::of(&demo)? };
    if same_port {
        let after = get_with(&http, &c1, &header)?;
        assert_eq!(after.status(), reqwest::StatusCode::OK, "the first answer, after a restart too");
        assert_eq!(rejection(get_with(&http, &c1, &same_nonce)?)?, "replayed_nonce");
        reread_free(&w, &demo, &pages.at(twentieth, 1), &b1)?;
    } else {
        let origin = demo.url();
        w.json(&["allow", &origin, "--budget", "10.00", "--per", "day", "--ask"])?;
    }
    fetch_paid(&w, &pages.at(fiftieth, 3), &["--yes"], fiftieth)?;
    fetch_paid(&w, &pages.at(hundredth, 1), &["--yes"], hundredth)?;
    fetch_paid(&w, &pages.at(half_cent, 2), &["--yes", "--max", "0.005"], half_cent)?;
    assert_eq!(demo.ledger_entries()?.len(), before_kill + 3);

    // The wallet's settled payments are the merchant's ledger, entry for entry and in total.
    let n = reconcile(&w, &demo)?;
    assert_eq!(n, 10);
    let spent = 3 * tenth + 2 * twentieth + 2 * half_cent + 2 * fiftieth + hundredth;
    assert_eq!(w.balance()?, 5_000_000 - spent);

    // The magazine settles with its issuer; the wallet's sync then finds the issuer's view the
    // same as its own, to the micro-unit: `make run`'s walkthrough, checked.
    let settled = http.post(format!("{}/merchant/settle", demo.direct_url())).send()?;
    ensure!(settled.status().is_success(), "settle: {}", settled.text()?);
    w.json(&["issuer", "url", "centime:demo", &demo.direct_url()])?;
    let listed = w.json(&["issuer", "list"])?;
    assert_eq!(listed["issuers"][0]["url"], demo.direct_url().trim_end_matches('/'));
    let synced = w.json(&["sync"])?;
    let sync = &synced["syncs"][0];
    assert_eq!(sync["network"], "centime:demo", "{synced}");
    assert_eq!(sync["mayPay"], true, "{synced}");
    assert_eq!(sync["discrepancies"].as_array().map(Vec::len), Some(0), "{synced}");
    let issuer = sync["issuerView"].as_array().unwrap().iter().find(|v| v["asset"] == "EUR").unwrap();
    assert_eq!(micros_at(issuer, "credited")?, 5_000_000, "{synced}");
    assert_eq!(micros_at(issuer, "spent")?, spent, "every payment settled at the issuer: {synced}");
    assert_eq!(micros_at(issuer, "balance")?, w.balance()?, "{synced}");
    assert_eq!(sync["issuerHighestSeq"], sync["walletHighestSeq"], "{synced}");
    // Synced again: nothing to change.
    let again = w.json(&["sync"])?;
    let done = again["syncs"][0]["done"].as_object().unwrap();
    assert!(!done.is_empty() && done.values().all(|v| v == 0), "{again}");
    Ok(())
}

/// Behind a proxy that loses answers and alters payments: a payment whose answer is lost is
/// retried with the same payment id (never a second debit), left `unconfirmed` when it cannot
/// be settled, settled by `fetch --payment-id` after a server restart; a payment the merchant
/// rejects is credited back with a visible refund.
#[test]
fn lost_answers_restart_and_rejections_never_debit_twice() -> Result<()> {
    let proxy = Proxy::start()?;
    let mut demo = Demo::start_behind(&proxy.url())?;
    proxy.set_upstream(demo.addr())?;
    let w = Wallet::funded(&demo, "1.00")?;
    let pages = Pages::of(&demo)?;
    assert!(pages.0.iter().all(|(u, _)| u.starts_with(&proxy.url())), "pages are served through the proxy");

    // One lost answer: the wallet retries the same payment and gets the first answer.
    proxy.inject(Fault::LoseAnswer, 1)?;
    let p1 = pages.at(50_000, 1);
    let id1 = fetch_paid(&w, &p1, &["--yes"], 50_000)?;
    assert_eq!(proxy.paid_requests(), 2, "sent twice");
    let ledger = demo.ledger_entries()?;
    assert_eq!(ledger.len(), 1, "accepted once");
    assert_eq!(ledger[0]["paymentId"], id1.as_str());

    // Every answer lost: debited once, left unconfirmed, the merchant has it.
    proxy.inject(Fault::LoseAnswer, 3)?;
    let p2 = pages.at(20_000, 1);
    let out = w.run(&["fetch", &p2, "--yes"])?.expect_code(EXIT_INTERNAL)?;
    assert!(out.stdout.is_empty(), "{out}");
    assert!(out.stderr.contains("unconfirmed") && out.stderr.contains("--payment-id"), "{out}");
    assert_eq!(proxy.pending_faults()?, 0);
    assert_eq!(w.balance()?, 1_000_000 - 50_000 - 20_000, "debited once");
    let unconfirmed = w.json(&["history", "--status", "unconfirmed"])?;
    let entries = unconfirmed["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{unconfirmed}");
    let id2 = entries[0]["paymentId"].as_str().unwrap().to_owned();
    assert_eq!(entries[0]["resource"], p2.as_str());
    assert_eq!(demo.ledger_entries()?.len(), 2);

    // The server dies. Retrying now fails before anything is sent, and changes nothing.
    demo.kill()?;
    let before = snapshot(&w)?;
    let out = w.run(&["fetch", &p2, "--payment-id", &id2])?.expect_code(EXIT_INTERNAL)?;
    assert!(out.stderr.contains("502"), "{out}");
    assert_eq!(snapshot(&w)?, before);

    // Back up (same data directory): the retry settles the payment, without a second debit.
    demo.restart()?;
    proxy.set_upstream(demo.addr())?;
    let out = w.run(&["fetch", &p2, "--payment-id", &id2])?.ok()?;
    assert_is_page(&out, &p2);
    let s = out.stderr_json()?;
    assert_eq!((s["status"].as_str(), s["paid"].as_bool()), (Some("settled"), Some(false)), "{out}");
    assert_eq!(snapshot(&w)?, before, "no second debit, no new row");
    let rows = w.entries_of(&id2)?;
    assert_eq!((rows.len(), rows[0]["status"].as_str()), (1, Some("settled")), "{rows:?}");
    assert_eq!(demo.ledger_entries()?.len(), 2);

    // A payment altered on the way is rejected by the merchant: credited back, visibly.
    proxy.inject(Fault::Tamper, 1)?;
    let p3 = pages.at(10_000, 1);
    let before = w.balance()?;
    let out = w.run(&["fetch", &p3, "--yes"])?.expect_code(EXIT_INPUT)?;
    assert!(out.stderr.contains("invalid_signature") && out.stderr.contains("credited back"), "{out}");
    assert_eq!(w.balance()?, before, "the balance is restored");
    let history = w.history()?;
    let payment = history.iter().find(|e| e["kind"] == "payment" && e["resource"] == p3.as_str()).unwrap();
    assert_eq!(payment["status"], "rejected", "{payment}");
    let id3 = payment["paymentId"].as_str().unwrap();
    let refund = history.iter().find(|e| e["kind"] == "refund").unwrap_or_else(|| panic!("no refund in {history:?}"));
    assert_eq!(micros_at(refund, "amount")?, 10_000, "{refund}");
    assert!(refund["paymentId"] == id3 || refund["resource"] == p3.as_str(), "the refund names its payment: {refund}");
    assert!(demo.ledger_entries()?.iter().all(|e| e["paymentId"] != id3));

    // The page can still be bought, honestly this time.
    fetch_paid(&w, &p3, &["--yes"], 10_000)?;

    assert_eq!(reconcile(&w, &demo)?, 3);
    assert_eq!(w.balance()?, 1_000_000 - 50_000 - 20_000 - 10_000);
    Ok(())
}
