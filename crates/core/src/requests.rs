//! Payment requests between wallets: making one (a signed `centime://pay?request=` link),
//! reading one from another wallet, and paying it under that wallet's contact rule.
//!
//! A request is never paid without asking unless the requester is a contact with a rule that
//! covers it (per request and per calendar month), within the global limits; the prompt shows
//! the contact's name, or a short form of the wallet id — a wallet has no site origin. Its
//! payment id is derived from the request (ADR 25), so paying it twice is the same payment.

use centime_protocol::deeplink::DeepLink;
use centime_protocol::p2p::{self, PaymentRequestDoc, RequestId, TransferTerms};
use centime_protocol::{Amount, Asset, Micros, Network, PaymentId, PublicKey};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::contacts::{self, Contact, short_wallet_id};
use crate::error::{Error, Result};
use crate::policy::{Decision, Period, Reason, ReasonCode};
use crate::reason::Param;
use crate::rules_store;
use crate::sqlite;
use crate::transfers::{self, Transfer};
use crate::wallet::Wallet;

/// A request this wallet made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MadeRequest {
    /// The signed request (compact JWS).
    pub jws: String,
    /// `centime://pay?request=…`.
    pub link: String,
    /// Its id.
    pub request_id: RequestId,
    /// Not payable from this Unix second on.
    pub expires_at: i64,
}

/// Another wallet's request, read and judged, for the prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestView {
    /// The request as received (compact JWS): what [`Wallet::pay_request`] pays.
    pub jws: String,
    /// Who asks to be paid: the wallet id.
    pub requester: PublicKey,
    /// The requester's contact name, if it has one.
    pub contact_name: Option<String>,
    /// A short form of the requester's wallet id, to show when it has no name.
    pub requester_short: String,
    /// What it is for, made inert.
    pub purpose: String,
    /// What it asks.
    pub amount: Amount,
    /// The issuer's network.
    pub network: Network,
    /// Its id.
    pub request_id: RequestId,
    /// Not payable from this Unix second on.
    pub expires_at: i64,
    /// The payment id of this wallet's payment of it, if it was paid already.
    pub paid: Option<PaymentId>,
    /// What the rules say: paid by the contact's rule, asked, or refused.
    pub decision: Decision,
}

/// Reads a `centime://pay?request=` link or a pasted request JWS.
pub fn request_from_input(input: &str) -> Result<String> {
    let s = input.trim();
    if !s.starts_with("centime:") {
        return Ok(s.to_owned());
    }
    match DeepLink::parse(s)? {
        DeepLink::PayRequest { request } => Ok(request),
        _ => Err(Error::RequestRefused("this link is not a payment request".into())),
    }
}

/// Whether `input` is a wallet's payment request (a link or a JWS), not a merchant's.
pub fn is_request(input: &str) -> bool {
    let s = input.trim();
    s.starts_with("centime://pay?request=")
        || centime_protocol::jws::Compact::parse(s, p2p::PAYMENT_REQUEST_TYP).is_ok()
}

/// What this wallet paid (net of refunds) to wallet `to` in `asset` since `since`.
fn paid_to_since(conn: &Connection, to: &PublicKey, asset: Asset, since: i64) -> Result<Micros> {
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT COALESCE(SUM(-j.amount), 0) FROM transfers t JOIN journal j ON j.id = t.journal_id
             WHERE t.recipient = ?1 AND j.asset = ?2 AND j.at >= ?3 AND t.status <> '{}'",
            transfers::TransferStatus::Returned
        ))?
        .query_row(params![to.to_string(), asset.as_str(), since], |r| r.get(0))?;
    Ok(Micros::from_micros(total))
}

/// The decision for paying `amount` to `contact`: refused while payments are paused; paid
/// without asking only under the contact's rule, within its cap for the month and the global
/// ceiling and daily cap; asked otherwise.
fn decide(conn: &Connection, key: &[u8; 32], contact: Option<&Contact>, amount: Amount, now: i64) -> Result<Decision> {
    let limits = rules_store::load_limits(conn, key)?;
    if limits.paused {
        return Ok(Decision::Refuse(Reason::bare(ReasonCode::Paused)));
    }
    let Some((c, rule)) = contact.and_then(|c| c.rule.map(|r| (c, r))) else {
        return Ok(Decision::Ask(Reason::bare(ReasonCode::NoRule)));
    };
    let price = amount.micros;
    let with = |code, params: Vec<Param>| Decision::Ask(Reason { code, params });
    if price > rule.max_per_request {
        return Ok(with(
            ReasonCode::OverSiteMax,
            vec![Param::Price(price), Param::Max(rule.max_per_request), Param::Asset(amount.asset)],
        ));
    }
    let spent = paid_to_since(conn, &c.wallet_id, amount.asset, Period::Month.start(now))?;
    if spent.checked_add(price)? > rule.monthly_cap {
        let left = Micros::from_micros(rule.monthly_cap.get().saturating_sub(spent.get()).max(0));
        return Ok(with(
            ReasonCode::OverSiteBudget,
            vec![
                Param::Price(price),
                Param::Budget(rule.monthly_cap),
                Param::Period(Period::Month),
                Param::Spent(spent),
                Param::Left(left),
                Param::Asset(amount.asset),
            ],
        ));
    }
    if price > limits.max_per_payment {
        return Ok(with(
            ReasonCode::OverMaxPerPayment,
            vec![Param::Price(price), Param::Max(limits.max_per_payment), Param::Asset(amount.asset)],
        ));
    }
    let today = rules_store::spent_since(conn, amount.asset.as_str(), None, Period::Day.start(now))?;
    let total = today.checked_add(price)?;
    if total > limits.daily_cap {
        return Ok(with(
            ReasonCode::OverDailyCap,
            vec![Param::Price(price), Param::Total(total), Param::Cap(limits.daily_cap), Param::Asset(amount.asset)],
        ));
    }
    Ok(Decision::AutoPay)
}

fn view_of(
    conn: &Connection,
    key: &[u8; 32],
    me: &PublicKey,
    jws: String,
    doc: &PaymentRequestDoc,
    now: i64,
) -> Result<RequestView> {
    if doc.from == *me {
        return Err(Error::RequestRefused("this is a request of this wallet: someone else pays it".into()));
    }
    rules_store::check_issuers(conn, key)?;
    if Wallet::issuer_key(conn, &doc.network)?.is_none() {
        return Err(Error::UntrustedIssuer(doc.network.to_string()));
    }
    let amount = doc.amount().map_err(|e| Error::RequestRefused(e.to_string()))?;
    let contact = contacts::by_key(conn, key, &doc.from)?;
    let payment_id = doc.payment_id();
    let paid: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM transfers WHERE payment_id = ?1)")?
        .query_row(params![payment_id.as_str()], |r| r.get(0))?;
    Ok(RequestView {
        jws,
        requester: doc.from,
        contact_name: contact.as_ref().map(|c| c.name.clone()),
        requester_short: short_wallet_id(&doc.from),
        purpose: doc.purpose_shown(),
        amount,
        network: doc.network.clone(),
        request_id: doc.request_id.clone(),
        expires_at: i64::try_from(doc.expires_at).unwrap_or(i64::MAX),
        paid: paid.then_some(payment_id),
        decision: decide(conn, key, contact.as_ref(), amount, now)?,
    })
}

impl Wallet {
    /// Makes a request to be paid `amount` of `asset` on `network` for `purpose`, payable for
    /// `expires_in_seconds` (default 7 days), kept to know when it is paid.
    pub fn make_request(
        &mut self,
        network: &Network,
        amount: Micros,
        asset: Asset,
        purpose: &str,
        expires_in_seconds: Option<u64>,
    ) -> Result<MadeRequest> {
        if !amount.is_positive() {
            return Err(Error::InvalidArgument("the amount to request must be more than zero".into()));
        }
        let expires_in = expires_in_seconds.unwrap_or(p2p::DEFAULT_REQUEST_SECONDS);
        if expires_in == 0 || expires_in > p2p::MAX_REQUEST_SECONDS {
            return Err(Error::InvalidArgument(format!(
                "a request expires within 1 s to {} days",
                p2p::MAX_REQUEST_SECONDS / 86_400
            )));
        }
        rules_store::check_issuers(&self.conn, self.key())?;
        if Wallet::issuer_key(&self.conn, network)?.is_none() {
            return Err(Error::UntrustedIssuer(network.to_string()));
        }
        let now = self.now();
        let now_u = u64::try_from(now).unwrap_or(0);
        let doc =
            PaymentRequestDoc::new(self.id, network.clone(), Amount::new(amount, asset), purpose, now_u, expires_in)
                .map_err(|e| Error::InvalidArgument(e.to_string()))?;
        let jws = doc.sign(&self.signer)?;
        let link = DeepLink::PayRequest { request: jws.clone() }.to_link()?;
        let expires_at = i64::try_from(doc.expires_at).unwrap_or(i64::MAX);
        self.conn
            .prepare_cached(
                "INSERT INTO requests (request_id, network, asset, amount, purpose, request, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                doc.request_id.as_str(),
                network.as_str(),
                asset.as_str(),
                amount.get(),
                doc.purpose,
                jws,
                now,
                expires_at
            ])?;
        tracing::info!(request_id = %doc.request_id, amount = %Amount::new(amount, asset), "payment request made");
        Ok(MadeRequest { jws, link, request_id: doc.request_id, expires_at })
    }

    /// Reads another wallet's request (a link or a JWS): checked (signature, expiry, a trusted
    /// network, not this wallet's own), with the requester's name, whether it was paid already
    /// and what the rules say.
    pub fn open_request(&self, link_or_jws: &str) -> Result<RequestView> {
        let jws = request_from_input(link_or_jws)?;
        let now = self.now();
        let doc = PaymentRequestDoc::open(&jws, u64::try_from(now).unwrap_or(0))
            .map_err(|e| Error::RequestRefused(e.to_string()))?;
        view_of(&self.conn, self.key(), &self.id, jws, &doc, now)
    }

    /// Pays the request `view` shows if the rules (and `approved`) allow it: the decision is
    /// made again on the request itself, in the payment's transaction. A request paid before
    /// is that payment again (`reused`), never a second debit.
    pub fn pay_request(&mut self, view: &RequestView, approved: bool) -> Result<Transfer> {
        let now = self.now();
        let key = *self.key();
        let doc = PaymentRequestDoc::open(&view.jws, u64::try_from(now).unwrap_or(0))
            .map_err(|e| Error::RequestRefused(e.to_string()))?;
        let payment_id = doc.payment_id();
        let tx = sqlite::immediate(&mut self.conn)?;
        if let Some(t) = transfers::stored(&tx, &key, payment_id.as_str())? {
            tracing::debug!(payment_id = %payment_id, "request already paid: its payment again");
            return Ok(t);
        }
        let fresh = view_of(&tx, &key, &self.id, view.jws.clone(), &doc, now)?;
        let automatic = match &fresh.decision {
            Decision::Refuse(r) => return Err(Error::Refused(r.clone())),
            Decision::Ask(r) if !approved => return Err(Error::NeedsApproval(r.clone())),
            Decision::Ask(_) => false,
            Decision::AutoPay => !approved,
        };
        Wallet::check_may_pay(&tx, &doc.network)?;
        let amount = fresh.amount;
        let spendable = Wallet::spendable_of(&tx, doc.network.as_str(), amount.asset.as_str(), now)?;
        if spendable < amount.micros {
            return Err(Error::InsufficientFunds { needed: amount, available: spendable, held: None });
        }
        let terms = TransferTerms::for_request(&doc);
        let title = transfers::title_to(&tx, &key, &doc.from, true)?;
        let (mut t, _) = transfers::sign_in(&tx, key, &self.signer, &terms, payment_id, &title, now)?;
        crate::crash::point(crate::crash::PAY_BEFORE_COMMIT);
        tx.commit()?;
        t.automatic = automatic;
        tracing::info!(payment_id = %t.payment_id, amount = %t.amount, automatic, "payment request paid");
        Ok(t)
    }

    /// The requests this wallet made, newest first, with the payment id that paid each (once
    /// received).
    pub fn my_requests(&self) -> Result<Vec<(MadeRequest, Option<PaymentId>)>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.request_id, r.request, r.expires_at,
                    (SELECT t.payment_id FROM received_transfers t WHERE t.request_id = r.request_id LIMIT 1)
             FROM requests r ORDER BY r.created_at DESC, r.request_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<String>>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, jws, expires_at, paid) = row?;
            let bad = || Error::Integrity(format!("the stored request {id} is invalid"));
            let link = DeepLink::PayRequest { request: jws.clone() }.to_link()?;
            out.push((
                MadeRequest { jws, link, request_id: id.parse().map_err(|_| bad())?, expires_at },
                paid.map(|p| p.parse()).transpose().map_err(|_| bad())?,
            ));
        }
        Ok(out)
    }
}
