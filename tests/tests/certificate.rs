//! The demo magazine's real 402 carries its issuer's certificate, which the centime CLI checks:
//! the payment names the certified merchant and its issuer, the receipt is signed by the
//! certified key (the fetch settles), and the same offer altered (another payTo, another
//! origin) is refused with `certificate_mismatch`, nothing debited. Over real HTTP.

// Test helpers may unwrap: a panic there is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use anyhow::{Context as _, Result, ensure};
use centime_e2e::{Demo, Wallet};
use centime_protocol::PaymentRequired;
use centime_protocol::wire::PAYMENT_REQUIRED;

const EXIT_INPUT: i32 = 5;

/// The magazine's 402 for `url`, as it sent it.
fn required_of(url: &str) -> Result<PaymentRequired> {
    let http = reqwest::blocking::Client::new();
    let resp = http.get(url).header("accept", "application/json").send()?;
    ensure!(resp.status() == reqwest::StatusCode::PAYMENT_REQUIRED, "not a 402: {}", resp.status());
    let header = resp.headers().get(PAYMENT_REQUIRED).context("no PAYMENT-REQUIRED")?.to_str()?;
    Ok(PaymentRequired::from_header(header)?)
}

/// `pay` of an altered request: refused with `certificate_mismatch`, saying `why`, and the
/// wallet unchanged.
fn refused(w: &Wallet, required: &PaymentRequired, why: &str) -> Result<()> {
    let (balance, rows) = (w.balance()?, w.history()?.len());
    let out = w.run(&["pay", &required.to_header()?, "--yes"])?.expect_code(EXIT_INPUT)?;
    let e = out.stderr_json()?;
    ensure!(e["error"] == "certificate_mismatch", "{out}");
    ensure!(e["message"].as_str().unwrap_or_default().contains(why), "{why:?} not said: {out}");
    ensure!(w.balance()? == balance && w.history()?.len() == rows, "nothing debited or written: {out}");
    Ok(())
}

#[test]
fn the_magazines_certificate_is_checked_by_the_wallet() -> Result<()> {
    let demo = Demo::start()?;
    let w = Wallet::funded(&demo, "5.00")?;
    let pages = demo.pages()?;
    let (first, second) = (&pages[0], &pages[1]);

    // The real 402, pasted: paid, to the merchant the issuer certified.
    let required = required_of(&first.0)?;
    ensure!(required.accepts[0].extra.contains_key("merchantCertificate"), "the demo serves its certificate");
    let paid = w.json(&["pay", &required.to_header()?, "--yes"])?;
    ensure!(paid["certifiedMerchant"] == "The Centime Review", "{paid}");
    ensure!(paid["verifiedBy"] == "centime:demo", "the issuer has no name here, its network says who: {paid}");
    ensure!(w.balance()? == 5_000_000 - first.1, "debited once");

    // Fetched through the magazine: paid, and its receipt, signed by the certified key, settles it.
    let out = w.run(&["fetch", &second.0, "--yes"])?.ok()?;
    let s = out.stderr_json()?;
    ensure!(s["paid"] == true && s["status"] == "settled", "{out}");

    // The same offer altered on the way: another payTo, another origin.
    let mut other_pay_to = required_of(&pages[2].0)?;
    other_pay_to.accepts[0].pay_to = "someone-else".into();
    refused(&w, &other_pay_to, "the certificate is for payTo")?;
    let mut other_origin = required_of(&pages[2].0)?;
    let origin = demo.url();
    let moved = other_origin.resource.url.replacen("127.0.0.1", "localhost", 1);
    other_origin.resource.url = moved;
    refused(&w, &other_origin, &format!("the certificate names {origin}, not http://localhost:"))?;
    Ok(())
}
