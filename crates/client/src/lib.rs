//! Centime's x402 client, shared by the `centime` CLI and the desktop app.
//!
//! [`Client::probe`] GETs a URL (following redirects before any payment) and returns the page
//! or the site's payment request; [`Client::confirm_link`] checks a `centime://pay` link's terms
//! against the site's own 402; [`Client::deliver`] sends a payment the wallet has committed and
//! records what the merchant answered: settled with its receipt, refused and credited back, or
//! unconfirmed. A payment is only ever sent to the origin that asked for it. Answers are
//! recorded through a [`Ledger`]: the wallet itself, or (in the desktop app) a handle that
//! reaches the shared wallet only for the moment of each record, never while a merchant
//! takes its time to answer.

pub mod answer;
pub mod backoff;
mod error;

use std::io::Read as _;
use std::time::Duration;

use centime_core::policy::origin_of;
use centime_core::{Payment, Status, Wallet};
use centime_protocol::wire::MAX_BODY_LEN as MAX_402_BODY;
use centime_protocol::wire::{PAYMENT_REQUIRED, PAYMENT_RESPONSE, PAYMENT_SIGNATURE};
use centime_protocol::{PaymentId, PaymentRequired, SettlementResponse};
use reqwest::StatusCode;
use reqwest::blocking::Response;
use reqwest::header::{ACCEPT, HeaderMap, LOCATION};
use url::Url;

pub use error::{Error, Result};
pub use reqwest::header;

const MAX_REDIRECTS: usize = 5;
/// Largest response body read.
pub const MAX_BODY: u64 = 64 << 20;
/// Attempts to deliver a payment before it is left unconfirmed.
const SEND_ATTEMPTS: u32 = 3;

/// What a URL answered before any payment.
#[derive(Debug)]
pub enum Probe {
    /// Not priced (or a non-402 success): the body.
    Free { url: Url, body: Vec<u8>, content_type: Option<String> },
    /// A 402 with the site's own requirements; `url` is where it was answered (after redirects).
    Priced { url: Url, required: Box<PaymentRequired> },
}

/// What became of a delivered payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted with a receipt the wallet checked.
    Settled,
    /// Served, but the answer could not be confirmed (no or bad receipt): the reason.
    Unconfirmed(String),
}

/// A page read again for free on the strength of an earlier payment.
#[derive(Debug)]
pub struct Entitled {
    pub payment: Payment,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
}

#[derive(Debug)]
pub struct Delivered {
    pub outcome: Outcome,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
}

/// What [`Client::resolve`] learnt of one payment.
#[derive(Debug)]
pub struct Resolution {
    pub payment: Payment,
    pub outcome: Resolved,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The merchant holds it (now recorded, with its receipt).
    Settled,
    /// The merchant said it never took it: credited back.
    Refused { code: String },
    /// Still unknown: why.
    Unconfirmed(String),
}

/// Where a delivery records what the merchant answered. [`Wallet`] is one; the desktop app
/// implements it over its shared wallet so that its lock is taken per record, not for the
/// length of a network exchange.
pub trait Ledger {
    fn record_settled(&mut self, payment_id: &PaymentId, response: &SettlementResponse) -> Result<Status>;
    fn record_rejected(&mut self, payment_id: &PaymentId, reason: &str) -> Result<Status>;
    fn mark_unconfirmed(&mut self, payment_id: &PaymentId, detail: &str) -> Result<Status>;
}

impl Ledger for Wallet {
    fn record_settled(&mut self, payment_id: &PaymentId, response: &SettlementResponse) -> Result<Status> {
        Ok(Wallet::record_settled(self, payment_id, response)?)
    }
    fn record_rejected(&mut self, payment_id: &PaymentId, reason: &str) -> Result<Status> {
        Ok(Wallet::record_rejected(self, payment_id, reason)?)
    }
    fn mark_unconfirmed(&mut self, payment_id: &PaymentId, detail: &str) -> Result<Status> {
        Ok(Wallet::mark_unconfirmed(self, payment_id, detail)?)
    }
}

/// A payment link checked against its site: what to pay, where, and where to go after.
#[derive(Debug, Clone)]
pub struct LinkRequest {
    /// Where the site answered its 402: the payment goes there and nowhere else.
    pub url: Url,
    /// The site's own request, narrowed to the offers the link named.
    pub required: PaymentRequired,
    pub return_url: Option<Url>,
}

/// An HTTP client with Centime's limits: bounded redirects (before paying only), timeouts,
/// bounded bodies.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::blocking::Client,
    retry_pause: Duration,
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the server did not answer in time".into()
    } else if e.is_connect() {
        "could not connect to the server".into()
    } else {
        // reqwest's own text ("error sending request for url (…)") hides why; the innermost
        // cause says it, e.g. hyper's "message head is too large" for a megabyte of headers.
        let mut cause: &dyn std::error::Error = e;
        while let Some(next) = cause.source() {
            cause = next;
        }
        format!("the server's answer could not be read: {cause}")
    }
}

fn http_err(url: &Url, detail: impl Into<String>) -> Error {
    Error::Http { url: url.to_string(), detail: detail.into() }
}

fn content_type(resp: &Response) -> Option<String> {
    resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

fn read_body(url: &Url, resp: Response) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    resp.take(MAX_BODY + 1).read_to_end(&mut body).map_err(|e| http_err(url, format!("reading the response: {e}")))?;
    if u64::try_from(body.len()).unwrap_or(u64::MAX) > MAX_BODY {
        return Err(http_err(url, "the response is larger than 64 MiB"));
    }
    Ok(body)
}

/// The body of a 402, which carries at most a payment request: read up to the protocol's
/// limit, not the 64 MiB a page may have.
fn read_402_body(url: &Url, resp: Response) -> Result<Vec<u8>> {
    let declared = resp.content_length();
    let limit = MAX_402_BODY as u64;
    let mut body = Vec::new();
    resp.take(limit + 1).read_to_end(&mut body).map_err(|e| http_err(url, format!("reading the response: {e}")))?;
    if body.len() > MAX_402_BODY {
        return Err(Error::BadInput(match declared {
            Some(n) => format!("the 402 body is {n} bytes, over the limit of {MAX_402_BODY}"),
            None => format!("the 402 body is over the limit of {MAX_402_BODY} bytes"),
        }));
    }
    Ok(body)
}

/// Whether a refusal leaves open that the merchant holds the payment: a replayed nonce or a
/// reused payment id always does (the authorization was seen before); an expiry does when this
/// authorization may have been sent before.
fn refusal_is_ambiguous(code: &str, sent_before: bool) -> bool {
    match code {
        "replayed_nonce" | "payment_id_conflict" => true,
        "expired" => sent_before,
        _ => false,
    }
}

impl Client {
    pub fn new(timeout: Duration) -> Result<Self> {
        let http = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("centime/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Http { url: String::new(), detail: format!("starting the HTTP client: {e}") })?;
        Ok(Client { http, retry_pause: Duration::from_millis(500) })
    }

    /// The pause before a delivery's second try (doubled for each further one).
    pub fn with_retry_pause(mut self, pause: Duration) -> Self {
        self.retry_pause = pause;
        self
    }

    /// GET `url`, following at most 5 redirects (only ever before a payment).
    pub fn probe(&self, url: &Url, extra: &HeaderMap) -> Result<Probe> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::BadInput(format!("{url} is not an http(s) URL")));
        }
        let mut url = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let resp = self
                .http
                .get(url.clone())
                .headers(extra.clone())
                .header(ACCEPT, "application/json, text/plain;q=0.9, */*;q=0.8")
                .send()
                .map_err(|e| http_err(&url, describe(&e)))?;
            let status = resp.status();
            if status.is_redirection() {
                let loc = resp
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| http_err(&url, "a redirect without a Location"))?;
                let next = url.join(loc).map_err(|_| http_err(&url, "a redirect to a bad URL"))?;
                if !matches!(next.scheme(), "http" | "https") {
                    return Err(http_err(&url, "a redirect to a non-http URL, refused"));
                }
                url = next;
                continue;
            }
            if status == StatusCode::PAYMENT_REQUIRED {
                let header = resp.headers().get(PAYMENT_REQUIRED).cloned();
                let body = if header.is_none() { Some(read_402_body(&url, resp)?) } else { None };
                let required = answer::payment_required(&url, header.as_ref(), body.as_deref())?;
                return Ok(Probe::Priced { url, required: Box::new(required) });
            }
            if !status.is_success() {
                return Err(http_err(&url, format!("the server answered {status}")));
            }
            let content_type = content_type(&resp);
            let body = read_body(&url, resp)?;
            return Ok(Probe::Free { url, body, content_type });
        }
        Err(http_err(&url, format!("more than {MAX_REDIRECTS} redirects")))
    }

    /// Checks a payment link's request against the site's own 402 for `resource.url`: the
    /// site must offer the same payTo, amount, asset and network. Returns the site's own
    /// request (what will be paid) and the URL that answered.
    pub fn confirm_link(&self, linked: &PaymentRequired) -> Result<(Url, PaymentRequired)> {
        let url = Url::parse(&linked.resource.url)
            .map_err(|_| Error::SiteUnconfirmed("the link names no valid page".into()))?;
        let (answered, site) = match self.probe(&url, &HeaderMap::new())? {
            Probe::Priced { url, required } => (url, *required),
            Probe::Free { .. } => return Err(Error::SiteUnconfirmed("the page is free: nothing to pay".into())),
        };
        let required = answer::confirm_terms(linked, site, &answered)?;
        Ok((answered, required))
    }

    /// Checks a `centime://pay` link: its return address must be on the page's origin, and the
    /// site's own 402 must offer the terms the link names ([`Client::confirm_link`]).
    pub fn prepare_pay_link(&self, linked: &PaymentRequired, return_url: Option<&Url>) -> Result<LinkRequest> {
        answer::check_link_return(linked, return_url)?;
        let (url, required) = self.confirm_link(linked)?;
        Ok(LinkRequest { url, required, return_url: return_url.cloned() })
    }

    /// Re-sends a settled payment still within its entitlement; `Some(body)` when the site
    /// serves the page for it.
    pub fn read_entitled(
        &self,
        wallet: &Wallet,
        url: &Url,
        extra: &HeaderMap,
        required: &PaymentRequired,
    ) -> Result<Option<Entitled>> {
        let Some(p) = wallet.entitlement(&required.resource.url)? else { return Ok(None) };
        let resp = self
            .http
            .get(url.clone())
            .headers(extra.clone())
            .header(PAYMENT_SIGNATURE, &p.header)
            .send()
            .map_err(|e| http_err(url, describe(&e)))?;
        if !resp.status().is_success() {
            return Ok(None);
        }
        let ct = content_type(&resp);
        let body = read_body(url, resp)?;
        Ok(Some(Entitled { payment: p, body, content_type: ct }))
    }

    /// Sends a committed payment to `url` (no redirects) and records the merchant's answer.
    /// Network failures are retried with the same payment (never a second debit); if the
    /// answer stays unknown the payment is left unconfirmed.
    pub fn deliver<L: Ledger + ?Sized>(
        &self,
        wallet: &mut L,
        url: &Url,
        extra: &HeaderMap,
        p: &Payment,
    ) -> Result<Delivered> {
        if origin_of(url.as_str())? != p.origin {
            return Err(Error::OriginMismatch { asked_by: origin_of(url.as_str())?, named: p.origin.clone() });
        }
        let mut last_problem = String::new();
        for attempt in 0..SEND_ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(self.retry_pause * (1 << attempt));
            }
            let resp =
                match self.http.get(url.clone()).headers(extra.clone()).header(PAYMENT_SIGNATURE, &p.header).send() {
                    Ok(r) => r,
                    Err(e) => {
                        last_problem = describe(&e);
                        continue;
                    }
                };
            centime_core::crash::point(centime_core::crash::DELIVER_ANSWERED);
            let status = resp.status();
            if status.is_success() {
                let settlement = answer::settlement(resp.headers().get(PAYMENT_RESPONSE));
                let outcome = match settlement {
                    Ok(Some(s)) => match wallet.record_settled(&p.payment_id, &s) {
                        Ok(Status::Settled) => Outcome::Settled,
                        // `success: false`: the merchant says it did not take the payment, and
                        // the wallet has credited it back; reporting the page as paid would lie.
                        Ok(_) => {
                            return Err(Error::RefusedByMerchant {
                                origin: p.origin.clone(),
                                payment_id: p.payment_id.to_string(),
                                code: answer::clean_code(s.error_reason.as_deref().unwrap_or("settlement_failed")),
                                amount: p.amount.to_string(),
                            });
                        }
                        Err(e) => {
                            let why = format!("the merchant's receipt was refused: {e}");
                            wallet.mark_unconfirmed(&p.payment_id, &why)?;
                            Outcome::Unconfirmed(why)
                        }
                    },
                    Ok(None) => {
                        let why = "the merchant served the page without a receipt".to_owned();
                        wallet.mark_unconfirmed(&p.payment_id, &why)?;
                        Outcome::Unconfirmed(why)
                    }
                    Err(e) => {
                        let why = format!("unreadable PAYMENT-RESPONSE: {e}");
                        wallet.mark_unconfirmed(&p.payment_id, &why)?;
                        Outcome::Unconfirmed(why)
                    }
                };
                let content_type = content_type(&resp);
                let body = read_body(url, resp)?;
                return Ok(Delivered { outcome, body, content_type });
            }
            if status == StatusCode::PAYMENT_REQUIRED {
                // The rejection code in the header, else in the body (read only then).
                let header = resp.headers().get(PAYMENT_REQUIRED).cloned();
                let header_code = header.as_ref().and_then(answer::rejection_code_in_header);
                let body = if header_code.is_none() { read_402_body(url, resp).ok() } else { None };
                let code = header_code.or_else(|| body.as_deref().and_then(answer::rejection_code_in_body));
                match code {
                    // This authorization may have reached the merchant before (a retry, a lost
                    // answer, a crash): "already seen" or "too late" then says nothing about
                    // whether the first send was accepted, so nothing is credited back.
                    Some(code) if refusal_is_ambiguous(&code, p.reused || attempt > 0) => {
                        last_problem = format!(
                            "the merchant answered `{code}` to a payment it may already have accepted; \
                             ask {} about payment {}",
                            p.origin, p.payment_id
                        );
                        break;
                    }
                    Some(code) => {
                        wallet.record_rejected(&p.payment_id, &code)?;
                        return Err(Error::RefusedByMerchant {
                            origin: p.origin.clone(),
                            payment_id: p.payment_id.to_string(),
                            code,
                            amount: p.amount.to_string(),
                        });
                    }
                    // A new 402 with no refusal: the merchant may hold the authorization it was
                    // sent, so it stays debited; a new price is never paid without a new approval.
                    None => {
                        last_problem = answer::asked_again(url, header.as_ref(), body.as_deref(), &p.amount);
                        break;
                    }
                }
            }
            if status.is_redirection() {
                // Never followed: a payment goes only to the origin that asked for it.
                let to = resp.headers().get(LOCATION).map(answer::printable);
                last_problem = format!(
                    "the merchant answered the payment with a redirect to {}, not followed",
                    to.as_deref().unwrap_or("nowhere")
                );
                break;
            }
            last_problem = format!("the server answered {status}");
            if !status.is_server_error() {
                break;
            }
        }
        wallet.mark_unconfirmed(&p.payment_id, &last_problem)?;
        Err(Error::Unconfirmed {
            payment_id: p.payment_id.to_string(),
            amount: p.amount.to_string(),
            reason: last_problem,
        })
    }

    /// Sends every payment whose outcome the wallet does not know (pending, e.g. after a crash,
    /// or unconfirmed) to its merchant again, with the same authorization, and records each
    /// answer. The merchant answers a known authorization with its first answer, so this never
    /// pays twice; one payment's trouble does not stop the others.
    pub fn resolve(&self, wallet: &mut Wallet) -> Result<Vec<Resolution>> {
        let mut out = Vec::new();
        for p in wallet.unresolved_payments()? {
            let outcome = self.resolve_payment(wallet, &p)?;
            out.push(Resolution { payment: p, outcome });
        }
        Ok(out)
    }

    /// One round of background resolving: each of `unresolved` that `backoff` says is due is
    /// sent again ([`Client::resolve_payment`]) and its next try scheduled; the others wait.
    /// Only a failure to record stops the round.
    pub fn resolve_due<L: Ledger + ?Sized>(
        &self,
        ledger: &mut L,
        unresolved: &[Payment],
        backoff: &mut backoff::Backoff,
        now: i64,
    ) -> Result<Vec<Resolution>> {
        let mut out = Vec::new();
        for p in unresolved {
            if !backoff.due(p, now) {
                continue;
            }
            let outcome = self.resolve_payment(ledger, p)?;
            match outcome {
                Resolved::Unconfirmed(_) => backoff.unanswered(&p.payment_id, now),
                Resolved::Settled | Resolved::Refused { .. } => backoff.resolved(&p.payment_id),
            }
            out.push(Resolution { payment: p.clone(), outcome });
        }
        Ok(out)
    }

    /// [`Client::resolve`] for one payment (from [`Wallet::unresolved_payments`]). Only a
    /// failure to record is an error; the merchant's trouble is an unconfirmed outcome.
    pub fn resolve_payment<L: Ledger + ?Sized>(&self, ledger: &mut L, p: &Payment) -> Result<Resolved> {
        Ok(match Url::parse(&p.resource) {
            Err(e) => Resolved::Unconfirmed(format!("its page address is not a URL: {e}")),
            Ok(url) => match self.deliver(ledger, &url, &HeaderMap::new(), p) {
                Ok(d) => match d.outcome {
                    Outcome::Settled => Resolved::Settled,
                    Outcome::Unconfirmed(why) => Resolved::Unconfirmed(why),
                },
                Err(Error::RefusedByMerchant { code, .. }) => Resolved::Refused { code },
                Err(Error::Unconfirmed { reason, .. }) => Resolved::Unconfirmed(reason),
                Err(e @ (Error::Wallet(_) | Error::WalletClosed)) => return Err(e),
                Err(e) => Resolved::Unconfirmed(e.to_string()),
            },
        })
    }
}
