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
//!
//! The issuer's side of a wallet is `sync` (statements) and `transfer` (payments between
//! wallets: deposit, fetch, redeem, inbox), both at the address the wallet keeps for its issuer.
//!
//! Where requests may go is [`reach`]'s: headers the caller gives for an origin stay on it
//! across redirects; a link reaches no local or private address unless its origin is trusted
//! ([`Client::trusting`]); no merchant is paid over plain HTTP across the network unless the
//! user allowed it ([`Client::allow_plain_http`]); an https page never redirects to http.

pub mod answer;
pub mod backoff;
mod error;
pub mod reach;
mod sync;
mod transfer;

use std::io::Read as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use centime_core::{Payment, Status, Wallet};
use centime_protocol::wire::MAX_BODY_LEN as MAX_402_BODY;
use centime_protocol::wire::{PAYMENT_REQUIRED, PAYMENT_RESPONSE, PAYMENT_SIGNATURE, SettlementCode};
use centime_protocol::{Origin, PaymentId, PaymentRequired, Rejection, SettlementResponse};
use reqwest::StatusCode;
use reqwest::blocking::Response;
use reqwest::header::{ACCEPT, HeaderMap, LOCATION};
use url::Url;

pub use centime_protocol::p2p::DepositAnswer;
pub use error::{Error, Result};
pub use reach::Reach;
pub use reqwest::header;
pub use sync::FetchedStatement;

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
    /// Accepted: with a receipt the wallet checked, or (`receipt: false`) on the merchant's
    /// word alone, a `PAYMENT-RESPONSE` saying success without one.
    Settled {
        /// Whether a checked receipt backs it.
        receipt: bool,
    },
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
/// bounded bodies, and [`reach`]'s rules on where requests go.
#[derive(Debug, Clone)]
pub struct Client {
    /// For addresses the user chose, and trusted origins: the system's resolver (and proxy).
    http: reqwest::blocking::Client,
    /// For addresses a web page chose: a resolver that keeps public addresses only, and no
    /// proxy (a proxy would resolve the name itself, past the check).
    public_http: reqwest::blocking::Client,
    reach: Reach,
    /// Origins (ASCII serialization) a link may reach wherever they are.
    trusted: Arc<[Origin]>,
    /// The user's "allow plain HTTP", shared by the client's clones (a setting can change it).
    plain_http: Arc<AtomicBool>,
    retry_pause: Duration,
}

/// The headers in `extra`, given for `given_for`'s origin, that may go to `to`: all of them on
/// that origin, none anywhere else. (A redirect to another site must not carry a token or a
/// cookie meant for the first, as curl does without `--location-trusted`.)
pub fn scoped_headers(given_for: &Url, to: &Url, extra: &HeaderMap) -> HeaderMap {
    if given_for.origin() == to.origin() { extra.clone() } else { HeaderMap::new() }
}

/// Where a redirect from `from` to `location` goes: an http(s) URL, never from https down to
/// plain http (whatever comes back over it could be read and changed on the way).
fn next_hop(from: &Url, location: &str) -> Result<Url> {
    let next = from.join(location).map_err(|_| http_err(from, "a redirect to a bad URL"))?;
    if !matches!(next.scheme(), "http" | "https") {
        return Err(http_err(from, "a redirect to a non-http URL, refused"));
    }
    if from.scheme() == "https" && next.scheme() == "http" {
        return Err(http_err(
            from,
            format!("a redirect from https down to plain http ({}), refused", clip(next.as_str())),
        ));
    }
    Ok(next)
}

fn clip(s: &str) -> String {
    s.chars().take(200).collect()
}

fn describe(e: &reqwest::Error) -> String {
    if let Some(b) = reach::blocked_in(e) {
        return format!("refused: {b}");
    }
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
    // A code of another merchant's own vocabulary is a plain refusal.
    match code.parse::<Rejection>() {
        Ok(Rejection::ReplayedNonce | Rejection::PaymentIdConflict) => true,
        Ok(Rejection::Expired) => sent_before,
        _ => false,
    }
}

fn build_http(timeout: Duration, public_only: bool) -> Result<reqwest::blocking::Client> {
    let mut b = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("centime/", env!("CARGO_PKG_VERSION")))
        .dns_resolver(Arc::new(reach::Resolver { public_only }));
    if public_only {
        b = b.no_proxy();
    }
    b.build().map_err(|e| Error::Http { url: String::new(), detail: format!("starting the HTTP client: {e}") })
}

/// `s` as an origin the user trusts: `scheme://host[:port]`, http(s), nothing else.
fn trusted_origin(s: &str) -> Result<Origin> {
    s.parse().map_err(|_| Error::BadInput(format!("{:?} is not an origin (scheme://host[:port])", clip(s))))
}

impl Client {
    /// A client for addresses the user chose, trusting no origin, plain HTTP only to this
    /// computer.
    pub fn new(timeout: Duration) -> Result<Self> {
        Ok(Client {
            http: build_http(timeout, false)?,
            public_http: build_http(timeout, true)?,
            reach: Reach::Anywhere,
            trusted: Arc::from(Vec::new()),
            plain_http: Arc::new(AtomicBool::new(false)),
            retry_pause: Duration::from_millis(500),
        })
    }

    /// The pause before a delivery's second try (doubled for each further one).
    pub fn with_retry_pause(mut self, pause: Duration) -> Self {
        self.retry_pause = pause;
        self
    }

    /// Also trusts `origins` (`scheme://host[:port]`): a link may reach them wherever they
    /// are (a local demo or development site the user runs).
    pub fn trusting<S: AsRef<str>>(mut self, origins: impl IntoIterator<Item = S>) -> Result<Self> {
        let mut list = self.trusted.to_vec();
        for o in origins {
            let o = trusted_origin(o.as_ref())?;
            if !list.contains(&o) {
                list.push(o);
            }
        }
        self.trusted = Arc::from(list);
        Ok(self)
    }

    /// The user's choice to pay merchants over plain HTTP across the network. Shared by this
    /// client's clones, so that a setting changed while the client runs applies at once.
    pub fn allow_plain_http(&self, allowed: bool) {
        self.plain_http.store(allowed, Ordering::SeqCst);
    }

    pub fn plain_http_allowed(&self) -> bool {
        self.plain_http.load(Ordering::SeqCst)
    }

    /// The same client for requests a web page chose (a link's payment): public addresses
    /// only, except trusted origins. [`Client::confirm_link`] always checks a link this way.
    pub fn for_links(&self) -> Client {
        Client { reach: Reach::PublicOnly, ..self.clone() }
    }

    pub fn reach(&self) -> Reach {
        self.reach
    }

    /// Whether the user trusts `url`'s origin.
    pub fn trusts(&self, url: &Url) -> bool {
        self.trusted.iter().any(|o| o.holds(url))
    }

    /// The HTTP client a request to `url` goes through under `reach`, or why it may not go.
    fn route(&self, url: &Url, reach: Reach) -> Result<&reqwest::blocking::Client> {
        if reach == Reach::Anywhere || self.trusts(url) {
            return Ok(&self.http);
        }
        if let Some(why) = reach::refused_host(url) {
            return Err(self.private_address(url, why));
        }
        Ok(&self.public_http)
    }

    fn private_address(&self, url: &Url, detail: String) -> Error {
        Error::PrivateAddress { url: clip(url.as_str()), origin: clip(&url.origin().ascii_serialization()), detail }
    }

    /// A request's failure: the resolver's refusal as such, else what went wrong.
    fn send_error(&self, url: &Url, e: &reqwest::Error) -> Error {
        match reach::blocked_in(e) {
            Some(b) => self.private_address(url, b.to_string()),
            None => http_err(url, describe(e)),
        }
    }

    /// Refuses to pay `url` over plain HTTP across the network, unless the user allowed it.
    fn check_transport(&self, url: &Url) -> Result<()> {
        if reach::is_plain_http(url) && !self.plain_http_allowed() {
            return Err(Error::PlainHttp { url: clip(url.as_str()) });
        }
        Ok(())
    }

    /// GET `url`, following at most 5 redirects (only ever before a payment). `extra` is
    /// given for `url`'s origin and goes nowhere else.
    pub fn probe(&self, url: &Url, extra: &HeaderMap) -> Result<Probe> {
        self.probe_reaching(url, extra, self.reach)
    }

    fn probe_reaching(&self, start: &Url, extra: &HeaderMap, reach: Reach) -> Result<Probe> {
        if !matches!(start.scheme(), "http" | "https") {
            return Err(Error::BadInput(format!("{start} is not an http(s) URL")));
        }
        let mut url = start.clone();
        for _ in 0..=MAX_REDIRECTS {
            let resp = self
                .route(&url, reach)?
                .get(url.clone())
                .headers(scoped_headers(start, &url, extra))
                .header(ACCEPT, "application/json, text/plain;q=0.9, */*;q=0.8")
                .send()
                .map_err(|e| self.send_error(&url, &e))?;
            let status = resp.status();
            tracing::debug!(origin = %url.origin().ascii_serialization(), status = status.as_u16(), "probed");
            if status.is_redirection() {
                let loc = resp
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| http_err(&url, "a redirect without a Location"))?;
                url = next_hop(&url, loc)?;
                continue;
            }
            if status == StatusCode::PAYMENT_REQUIRED {
                self.check_transport(&url)?;
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
    /// request (what will be paid) and the URL that answered. A link is a web page's choice:
    /// it reaches public addresses only (every hop), unless its origin is trusted.
    pub fn confirm_link(&self, linked: &PaymentRequired) -> Result<(Url, PaymentRequired)> {
        let url = Url::parse(&linked.resource.url)
            .map_err(|_| Error::SiteUnconfirmed("the link names no valid page".into()))?;
        let (answered, site) = match self.probe_reaching(&url, &HeaderMap::new(), Reach::PublicOnly)? {
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
        self.check_transport(url)?;
        let resp = self
            .route(url, self.reach)?
            .get(url.clone())
            .headers(extra.clone())
            .header(PAYMENT_SIGNATURE, &p.header)
            .send()
            .map_err(|e| self.send_error(url, &e))?;
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
        let asked_by = Origin::of_url(url)?;
        if asked_by != p.origin {
            return Err(Error::OriginMismatch { asked_by, named: p.origin.clone() });
        }
        // Checked before the payment leaves, not only at the 402 (a caller may deliver
        // without probing, as `resolve` does): a refusal here means nothing was sent.
        let http = match self.check_transport(url).and_then(|()| self.route(url, self.reach)) {
            Ok(http) => http,
            Err(e) => {
                tracing::warn!(payment_id = %p.payment_id, site = %p.origin, error = %e, "payment not sent");
                let why = format!("not sent: {e}");
                wallet.mark_unconfirmed(&p.payment_id, &why)?;
                return Err(Error::Unconfirmed { payment_id: p.payment_id.to_string(), amount: p.amount, reason: why });
            }
        };
        let mut last_problem = String::new();
        for attempt in 0..SEND_ATTEMPTS {
            if attempt > 0 {
                std::thread::sleep(self.retry_pause * (1 << attempt));
            }
            tracing::debug!(payment_id = %p.payment_id, site = %p.origin, attempt = attempt + 1, "delivering payment");
            let resp = match http.get(url.clone()).headers(extra.clone()).header(PAYMENT_SIGNATURE, &p.header).send() {
                Ok(r) => r,
                Err(e) => {
                    last_problem = describe(&e);
                    tracing::debug!(payment_id = %p.payment_id, attempt = attempt + 1, problem = %last_problem, "delivery attempt failed");
                    if reach::blocked_in(&e).is_some() {
                        break;
                    }
                    continue;
                }
            };
            centime_core::crash::point(centime_core::crash::DELIVER_ANSWERED);
            let status = resp.status();
            tracing::debug!(payment_id = %p.payment_id, attempt = attempt + 1, status = status.as_u16(), "merchant answered");
            if status.is_success() {
                let settlement = answer::settlement(resp.headers().get(PAYMENT_RESPONSE));
                let outcome = match settlement {
                    Ok(Some(s)) => match wallet.record_settled(&p.payment_id, &s) {
                        Ok(Status::Settled) => Outcome::Settled { receipt: s.receipt.is_some() },
                        // `success: false`: the merchant says it did not take the payment, and
                        // the wallet has credited it back; reporting the page as paid would lie.
                        Ok(_) => {
                            return Err(Error::RefusedByMerchant {
                                origin: p.origin.clone(),
                                payment_id: p.payment_id.to_string(),
                                code: answer::clean_code(
                                    s.error_reason.as_deref().unwrap_or(SettlementCode::SettlementFailed.into()),
                                ),
                                amount: p.amount,
                            });
                        }
                        Err(e) => {
                            tracing::warn!(payment_id = %p.payment_id, site = %p.origin, error = %e, "the merchant's receipt was refused");
                            let why = format!("the merchant's receipt was refused: {e}");
                            wallet.mark_unconfirmed(&p.payment_id, &why)?;
                            Outcome::Unconfirmed(why)
                        }
                    },
                    Ok(None) => {
                        tracing::warn!(payment_id = %p.payment_id, site = %p.origin, "the merchant served the page without a receipt");
                        let why = "the merchant served the page without a receipt".to_owned();
                        wallet.mark_unconfirmed(&p.payment_id, &why)?;
                        Outcome::Unconfirmed(why)
                    }
                    Err(e) => {
                        tracing::warn!(payment_id = %p.payment_id, site = %p.origin, error = %e, "unreadable PAYMENT-RESPONSE");
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
                        tracing::warn!(payment_id = %p.payment_id, site = %p.origin, code = %code, "ambiguous refusal of a payment the merchant may already hold");
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
                            amount: p.amount,
                        });
                    }
                    // A new 402 with no refusal: the merchant may hold the authorization it was
                    // sent, so it stays debited; a new price is never paid without a new approval.
                    None => {
                        tracing::warn!(payment_id = %p.payment_id, site = %p.origin, "the merchant asked for payment again");
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
                tracing::warn!(payment_id = %p.payment_id, site = %p.origin, "the merchant answered the payment with a redirect");
                break;
            }
            last_problem = format!("the server answered {status}");
            if !status.is_server_error() {
                break;
            }
            tracing::debug!(payment_id = %p.payment_id, status = status.as_u16(), "server error: retrying with the same payment");
        }
        tracing::warn!(payment_id = %p.payment_id, site = %p.origin, problem = %last_problem, "delivery left unconfirmed");
        wallet.mark_unconfirmed(&p.payment_id, &last_problem)?;
        Err(Error::Unconfirmed { payment_id: p.payment_id.to_string(), amount: p.amount, reason: last_problem })
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
                tracing::debug!(payment_id = %p.payment_id, "not due yet for another try");
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
        tracing::debug!(payment_id = %p.payment_id, site = %p.origin, "resolving a payment of unknown outcome");
        let resolved = self.try_resolve(ledger, p);
        match &resolved {
            Ok(Resolved::Settled) => tracing::info!(payment_id = %p.payment_id, site = %p.origin, "resolved: settled"),
            Ok(Resolved::Refused { code }) => {
                tracing::info!(payment_id = %p.payment_id, site = %p.origin, code = %code, "resolved: refused, credited back");
            }
            Ok(Resolved::Unconfirmed(why)) => {
                tracing::info!(payment_id = %p.payment_id, site = %p.origin, reason = %why, "resolve: still unconfirmed");
            }
            Err(e) => {
                tracing::error!(payment_id = %p.payment_id, error = %e, "resolve: the answer could not be recorded")
            }
        }
        resolved
    }

    /// The client that sends a payment again to `url`. A host name is held to public
    /// addresses (unless its origin is trusted): it may have been rebound to the user's network
    /// since the payment was first sent, and a link's payment must never probe it. An IP
    /// literal or a `localhost` name cannot be rebound by anyone else, and goes where it went
    /// the first time. (A payment the user made to a name on their own network is resent only
    /// once they trust its origin.)
    fn for_resend(&self, url: &Url) -> Client {
        match url.host() {
            Some(url::Host::Domain(d)) if !reach::is_localhost_name(d) => self.for_links(),
            _ => self.clone(),
        }
    }

    fn try_resolve<L: Ledger + ?Sized>(&self, ledger: &mut L, p: &Payment) -> Result<Resolved> {
        Ok(match Url::parse(&p.resource) {
            Err(e) => Resolved::Unconfirmed(format!("its page address is not a URL: {e}")),
            Ok(url) => match self.for_resend(&url).deliver(ledger, &url, &HeaderMap::new(), p) {
                Ok(d) => match d.outcome {
                    Outcome::Settled { .. } => Resolved::Settled,
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn an_https_page_never_redirects_to_plain_http() {
        let https = Url::parse("https://news.example/a").unwrap();
        for to in ["http://news.example/a", "http://127.0.0.1:8402/a", "HTTP://cdn.example/x"] {
            let err = next_hop(&https, to).unwrap_err();
            assert!(err.to_string().contains("a redirect from https down to plain http"), "{to}: {err}");
        }
        assert_eq!(next_hop(&https, "//cdn.example/x").unwrap().as_str(), "https://cdn.example/x");
        assert_eq!(next_hop(&https, "/b").unwrap().as_str(), "https://news.example/b");
        let http = Url::parse("http://127.0.0.1:8402/a").unwrap();
        assert_eq!(next_hop(&http, "https://news.example/").unwrap().scheme(), "https");
        assert_eq!(next_hop(&http, "/b").unwrap().as_str(), "http://127.0.0.1:8402/b");
        assert!(next_hop(&http, "ftp://news.example/").unwrap_err().to_string().contains("non-http"));
    }

    #[test]
    fn the_resolver_refusal_reaches_the_caller_as_a_private_address() {
        let c = Client::new(Duration::from_secs(5)).unwrap();
        // The name check is skipped here (`public_http` directly): this is the resolver's own.
        let url = Url::parse("http://localhost:9/").unwrap();
        let e = c.public_http.get(url.clone()).send().unwrap_err();
        let err = c.send_error(&url, &e);
        assert!(matches!(err, Error::PrivateAddress { .. }), "{err:?}");
        assert!(err.to_string().contains("localhost names this computer"), "{err}");
    }
}
