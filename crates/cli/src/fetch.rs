//! `centime fetch`: an x402 client. GET; on 402 apply the user's rules, pay, retry with the
//! payment, and record what the merchant answered.
//!
//! A payment is only ever sent to the origin that asked for it: redirects are followed
//! before paying (bounded), never after.

use std::io::{Read as _, Write as _};
use std::time::Duration;

use anyhow::{Context as _, Result};
use centime_core::Wallet;
use centime_core::policy::origin_of;
use centime_protocol::wire::{PAYMENT_REQUIRED, PAYMENT_RESPONSE, PAYMENT_SIGNATURE};
use centime_protocol::{PaymentRequired, SettlementResponse};
use reqwest::blocking::{Client, Response};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::json;

use crate::args::{Cli, FetchArgs};
use crate::{EXIT_INPUT, EXIT_INTERNAL, context, fail, input};

const MAX_REDIRECTS: usize = 5;
const MAX_BODY: u64 = 64 << 20;
/// Attempts to deliver a payment before it is left unconfirmed.
const SEND_ATTEMPTS: u32 = 3;

fn headers(list: &[String]) -> Result<HeaderMap> {
    let mut map = HeaderMap::new();
    for h in list {
        let (k, v) = h.split_once(':').ok_or_else(|| fail(EXIT_INPUT, format!("--header {h:?} is not K:V")))?;
        let name = HeaderName::from_bytes(k.trim().as_bytes())
            .map_err(|_| fail(EXIT_INPUT, format!("{:?} is not a header name", k.trim())))?;
        if name.as_str().eq_ignore_ascii_case(PAYMENT_SIGNATURE) {
            return Err(fail(EXIT_INPUT, "PAYMENT-SIGNATURE is set by centime, not by --header"));
        }
        let value = HeaderValue::from_str(v.trim())
            .map_err(|_| fail(EXIT_INPUT, format!("the value of {:?} is not a valid header value", k.trim())))?;
        map.append(name, value);
    }
    Ok(map)
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the server did not answer in time".into()
    } else if e.is_connect() {
        "could not connect to the server".into()
    } else {
        format!("{e}")
    }
}

/// GET, following same- or cross-origin redirects before any payment, at most 5.
fn get_following(client: &Client, mut url: url::Url, extra: &HeaderMap) -> Result<(url::Url, Response)> {
    for _ in 0..=MAX_REDIRECTS {
        let resp = client
            .get(url.clone())
            .headers(extra.clone())
            .header(reqwest::header::ACCEPT, "application/json, text/plain;q=0.9, */*;q=0.8")
            .send()
            .map_err(|e| fail(EXIT_INTERNAL, format!("{url}: {}", describe(&e))))?;
        if resp.status().is_redirection() {
            let loc = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| fail(EXIT_INTERNAL, format!("{url}: a redirect without a Location")))?;
            let next = url.join(loc).map_err(|_| fail(EXIT_INTERNAL, format!("{url}: redirect to a bad URL")))?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(fail(EXIT_INTERNAL, format!("{url}: redirect to a non-http URL refused")));
            }
            url = next;
            continue;
        }
        return Ok((url, resp));
    }
    Err(fail(EXIT_INTERNAL, format!("more than {MAX_REDIRECTS} redirects")))
}

fn read_body(resp: Response) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    resp.take(MAX_BODY + 1).read_to_end(&mut body).context("reading the response")?;
    if u64::try_from(body.len()).unwrap_or(u64::MAX) > MAX_BODY {
        return Err(fail(EXIT_INTERNAL, "the response is larger than 64 MiB"));
    }
    Ok(body)
}

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

/// The requirements of a 402: the header if present, else the JSON body.
fn requirements(resp: Response) -> Result<PaymentRequired> {
    if let Some(h) = resp.headers().get(PAYMENT_REQUIRED) {
        let h = h.to_str().map_err(|_| fail(EXIT_INPUT, "the PAYMENT-REQUIRED header is not text"))?;
        return Ok(PaymentRequired::from_header(h)?);
    }
    let body = read_body(resp)?;
    PaymentRequired::from_json_body(&body).context("the 402 carries no PAYMENT-REQUIRED header and its body is not one")
}

/// The rejection code a merchant gives with a 402 to a paid request, if any.
fn rejection_code(resp: Response) -> Option<String> {
    if let Some(code) = resp
        .headers()
        .get(PAYMENT_REQUIRED)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| PaymentRequired::from_header(h).ok())
        .and_then(|p| p.error)
    {
        return Some(code);
    }
    let body = read_body(resp).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&body).ok()?;
    v.get("error").and_then(|e| e.as_str()).map(str::to_owned)
}

fn summary(cli: &Cli, value: serde_json::Value, text: String) {
    if cli.json {
        eprintln!("{value}");
    } else {
        eprintln!("{text}");
    }
}

pub fn run(cli: &Cli, a: &FetchArgs) -> Result<()> {
    let url = url::Url::parse(&a.url).map_err(|e| fail(EXIT_INPUT, format!("{:?} is not a URL ({e})", a.url)))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(fail(EXIT_INPUT, format!("{:?} is not an http(s) URL", a.url)));
    }
    let max = input::opt_amount(a.max.as_deref(), "--max")?;
    let payment_id = input::payment_id(a.payment_id.as_deref())?;
    let extra = headers(&a.headers)?;
    let mut w = context::open(cli)?;
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(a.timeout.max(1)))
        .connect_timeout(Duration::from_secs(a.timeout.clamp(1, 10)))
        .user_agent(concat!("centime/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("starting the HTTP client")?;

    let (url, resp) = get_following(&client, url, &extra)?;
    let status = resp.status();
    if status != reqwest::StatusCode::PAYMENT_REQUIRED {
        if !status.is_success() {
            return Err(fail(EXIT_INTERNAL, format!("{url}: the server answered {status}")));
        }
        let body = read_body(resp)?;
        deliver(a, &body)?;
        summary(cli, json!({ "url": url.as_str(), "paid": false }), format!("{url}: free, nothing paid"));
        return Ok(());
    }

    let required = requirements(resp)?;
    let asked_by = origin_of(url.as_str())?;
    let named = origin_of(&required.resource.url)
        .map_err(|_| fail(EXIT_INPUT, "the 402 names a resource that is not an http(s) URL"))?;
    if named != asked_by {
        return Err(fail(EXIT_INPUT, format!("{asked_by} asked to be paid for a page of {named}: refused")));
    }

    // A page paid earlier and still within its entitlement is shown again for free.
    if payment_id.is_none()
        && let Some(p) = w.entitlement(&required.resource.url)?
    {
        let resp = client
            .get(url.clone())
            .headers(extra.clone())
            .header(PAYMENT_SIGNATURE, &p.header)
            .send()
            .map_err(|e| fail(EXIT_INTERNAL, format!("{url}: {}", describe(&e))))?;
        if resp.status().is_success() {
            let body = read_body(resp)?;
            deliver(a, &body)?;
            summary(
                cli,
                json!({ "url": url.as_str(), "paid": false, "entitledBy": p.payment_id }),
                format!("{url}: already paid (payment {}), nothing charged", p.payment_id),
            );
            return Ok(());
        }
    }

    let p = crate::commands::pay_with_rules(&mut w, &required, a.yes, max, payment_id)?;
    let mut last_problem = String::new();
    for attempt in 0..SEND_ATTEMPTS {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(500 << attempt));
        }
        let resp = match client.get(url.clone()).headers(extra.clone()).header(PAYMENT_SIGNATURE, &p.header).send() {
            Ok(r) => r,
            Err(e) => {
                last_problem = describe(&e);
                continue;
            }
        };
        let status = resp.status();
        if status.is_success() {
            let settlement = resp
                .headers()
                .get(PAYMENT_RESPONSE)
                .and_then(|h| h.to_str().ok())
                .map(SettlementResponse::from_header)
                .transpose();
            let outcome = match settlement {
                Ok(Some(s)) => w.record_settled(&p.payment_id, &s).map(|_| "settled".to_owned()).or_else(|e| {
                    w.mark_unconfirmed(&p.payment_id, &format!("the merchant's receipt was refused: {e}"))
                        .map(|_| format!("unconfirmed: receipt refused ({e})"))
                })?,
                Ok(None) => {
                    w.mark_unconfirmed(&p.payment_id, "the merchant served the page without a receipt")?;
                    "unconfirmed: no receipt".to_owned()
                }
                Err(e) => {
                    w.mark_unconfirmed(&p.payment_id, &format!("unreadable PAYMENT-RESPONSE: {e}"))?;
                    "unconfirmed: unreadable receipt".to_owned()
                }
            };
            let body = read_body(resp)?;
            deliver(a, &body)?;
            report_paid(cli, &w, &p, &outcome)?;
            return Ok(());
        }
        if status == reqwest::StatusCode::PAYMENT_REQUIRED {
            match rejection_code(resp) {
                Some(code) => {
                    w.record_rejected(&p.payment_id, &code)?;
                    return Err(fail(
                        EXIT_INPUT,
                        format!("{} refused payment {} ({code}); {} credited back", p.origin, p.payment_id, p.amount),
                    ));
                }
                None => {
                    last_problem = "the merchant asked for payment again without saying why".into();
                    break;
                }
            }
        }
        last_problem = format!("the server answered {status}");
        if !status.is_server_error() {
            break;
        }
    }
    w.mark_unconfirmed(&p.payment_id, &last_problem)?;
    Err(fail(
        EXIT_INTERNAL,
        format!(
            "payment {} of {} is unconfirmed: {last_problem}. Retry with `centime fetch {url} --payment-id {}` \
             (never charged twice); see `centime history --status unconfirmed`",
            p.payment_id, p.amount, p.payment_id
        ),
    ))
}

fn report_paid(cli: &Cli, w: &Wallet, p: &centime_core::Payment, outcome: &str) -> Result<()> {
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
            "asset": p.amount.asset, "status": outcome, "automatic": p.automatic, "balance": balance.to_string(),
        }),
        format!(
            "{} {} to {} — payment {} {outcome}{}; balance {balance} {}",
            if p.reused { "retried" } else { "paid" },
            p.amount,
            p.origin,
            p.payment_id,
            if p.automatic { " (automatic, by your rules)" } else { "" },
            p.amount.asset
        ),
    );
    Ok(())
}
