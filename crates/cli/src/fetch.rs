//! `centime fetch`: an x402 client over `centime-client`. GET; on 402 apply the user's rules,
//! pay, retry with the payment, and record what the merchant answered.
//!
//! A payment is only ever sent to the origin that asked for it: redirects are followed
//! before paying (bounded), never after.

use std::io::Write as _;
use std::time::Duration;

use anyhow::{Context as _, Result};
use centime_cli::terminal;
use centime_client::{Outcome, Probe, Resolved};
use centime_core::{Status, Wallet};
use serde_json::json;

use crate::{EXIT_INPUT, EXIT_INTERNAL, context, fail, input};
use centime_cli::args::{Cli, FetchArgs};

fn deliver(a: &FetchArgs, body: &[u8]) -> Result<()> {
    match &a.output {
        Some(path) => std::fs::write(path, body).with_context(|| format!("writing {}", path.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(body)?;
            out.flush()?;
            Ok(())
        }
    }
}
fn summary(cli: &Cli, value: serde_json::Value, text: String) {
    if cli.json {
        eprintln!("{}", terminal::json(&value));
    } else {
        eprintln!("{}", terminal::message(&text));
    }
}

/// `receipt`: whether a checked receipt backs the outcome. A payment settled without one was
/// settled on the merchant's word alone, and the text says so.
fn report_paid(cli: &Cli, w: &Wallet, p: &centime_core::Payment, outcome: &Outcome) -> Result<()> {
    let receipt = matches!(outcome, Outcome::Settled { receipt: true });
    let on_word = matches!(outcome, Outcome::Settled { receipt: false });
    let outcome = match outcome {
        Outcome::Settled { .. } => Status::Settled.to_string(),
        Outcome::Unconfirmed(why) => format!("{}: {why}", Status::Unconfirmed),
    };
    let balance = w
        .balances()?
        .into_iter()
        .find(|b| b.network == p.network.as_str() && b.asset == p.amount.asset)
        .map(|b| b.amount)
        .unwrap_or_default();
    summary(
        cli,
        json!({
            "url": p.resource, "paid": !p.reused, "paymentId": p.payment_id, "amount": p.amount.micros.to_string(),
            "asset": p.amount.asset, "status": outcome, "receipt": receipt, "automatic": p.automatic,
            "balance": balance.to_string(),
        }),
        format!(
            "{} {} to {} — payment {} {outcome}{}{}; balance {balance} {}",
            if p.reused { "retried" } else { "paid" },
            p.amount,
            p.origin,
            p.payment_id,
            if on_word { " (no receipt: on the merchant's word)" } else { "" },
            if p.automatic { " (automatic, by your rules)" } else { "" },
            p.amount.asset
        ),
    );
    Ok(())
}

/// The client's errors with the CLI's exit codes and, for an unconfirmed payment, the command
/// that retries it.
fn cli_error(e: centime_client::Error, url: &url::Url) -> anyhow::Error {
    use centime_client::Error as E;
    match e {
        E::Wallet(w) => w.into(),
        E::Unconfirmed { payment_id, amount, reason } => fail(
            EXIT_INTERNAL,
            format!(
                "payment {payment_id} of {amount} is unconfirmed: {reason}. `centime resolve` asks the merchant \
                 again with the same payment (never charged twice); `centime fetch {url} --payment-id {payment_id}` \
                 also gets the page if the price is unchanged"
            ),
        ),
        other => centime_cli::client_error(other),
    }
}

pub fn run(cli: &Cli, a: &FetchArgs) -> Result<()> {
    let url = url::Url::parse(&a.url).map_err(|e| fail(EXIT_INPUT, format!("{:?} is not a URL ({e})", a.url)))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(fail(EXIT_INPUT, format!("{:?} is not an http(s) URL", a.url)));
    }
    let max = input::opt_amount(a.max.as_deref(), "--max")?;
    let payment_id = input::payment_id(a.payment_id.as_deref())?;
    let extra = input::headers(&a.headers)?;
    let mut w = context::open(cli)?;
    let client = context::client(cli, Duration::from_secs(a.timeout.max(1))).map_err(|e| cli_error(e, &url))?;

    let asked = url;
    let (url, required) = match client.probe(&asked, &extra).map_err(|e| cli_error(e, &asked))? {
        Probe::Free { url, body, .. } => {
            deliver(a, &body)?;
            summary(cli, json!({ "url": url.as_str(), "paid": false }), format!("{url}: free, nothing paid"));
            return Ok(());
        }
        Probe::Priced { url, required } => (url, *required),
    };
    // The headers were given for the address typed: after a redirect to another origin, the
    // page there is read and paid without them.
    let extra = centime_client::scoped_headers(&asked, &url, &extra);

    // A page paid earlier and still within its entitlement is shown again for free.
    if payment_id.is_none()
        && let Some(e) = client.read_entitled(&w, &url, &extra, &required).map_err(|e| cli_error(e, &url))?
    {
        deliver(a, &e.body)?;
        summary(
            cli,
            json!({ "url": url.as_str(), "paid": false, "entitledBy": e.payment.payment_id }),
            format!("{url}: already paid (payment {}), nothing charged", e.payment.payment_id),
        );
        return Ok(());
    }

    let p = crate::commands::pay_with_rules(&mut w, &required, a.yes, max, payment_id)?;
    let delivered = client.deliver(&mut w, &url, &extra, &p).map_err(|e| cli_error(e, &url))?;
    deliver(a, &delivered.body)?;
    report_paid(cli, &w, &p, &delivered.outcome)
}

/// `centime resolve`: every payment whose outcome is unknown, asked again of its merchant.
pub fn resolve(cli: &Cli, timeout: u64) -> Result<()> {
    let mut w = context::open(cli)?;
    let wallet_error = |e| centime_cli::client_error_by(e, centime_cli::Reporter::Resolve);
    let client = context::client(cli, Duration::from_secs(timeout.max(1))).map_err(wallet_error)?;
    let resolved = client.resolve(&mut w).map_err(wallet_error)?;
    let mut still_unknown = 0usize;
    let rows: Vec<serde_json::Value> = resolved
        .iter()
        .map(|r| {
            let (status, detail) = match &r.outcome {
                Resolved::Settled => (Status::Settled, None),
                Resolved::Refused { code } => (
                    Status::Rejected,
                    Some(format!("refused ({code}), credited back (held until its authorization expires)")),
                ),
                Resolved::Unconfirmed(why) => {
                    still_unknown += 1;
                    (Status::Unconfirmed, Some(terminal::field(why).into_owned()))
                }
            };
            json!({
                "paymentId": r.payment.payment_id, "origin": r.payment.origin, "resource": r.payment.resource,
                "amount": r.payment.amount.micros.to_string(), "asset": r.payment.amount.asset,
                "status": status, "detail": detail,
            })
        })
        .collect();
    crate::output::print(cli.json, json!({ "resolved": rows, "unconfirmed": still_unknown }), || {
        if rows.is_empty() {
            return "no payment with an unknown outcome".to_owned();
        }
        rows.iter()
            .map(|r| {
                format!(
                    "{} {} {} {}: {}{}",
                    r["paymentId"].as_str().unwrap_or_default(),
                    r["amount"].as_str().unwrap_or_default(),
                    r["asset"].as_str().unwrap_or_default(),
                    r["origin"].as_str().unwrap_or_default(),
                    r["status"].as_str().unwrap_or_default(),
                    r["detail"].as_str().map(|d| format!(" — {d}")).unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}
