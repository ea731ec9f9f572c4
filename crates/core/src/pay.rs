//! Paying: choosing terms, applying the rules, and signing only what is durably debited.
//!
//! Sequence (docs/design.md §4): validate → in one `BEGIN IMMEDIATE` transaction: evaluate the rules
//! → debit → store the request and pending authorization → sign → commit; only then is the
//! payload returned. A signature never leaves without its debit committed.

use centime_protocol::documents::{self, ReceiptClaims};
use centime_protocol::payment::{authorization_claims, sign_payload};
use centime_protocol::wire::{AuthorizationEnvelope, PaymentRequirements, X402_VERSION};
use centime_protocol::{
    Amount, Micros, Network, PaymentId, PaymentPayload, PaymentRequired, SettlementResponse, Terms,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::doc_codec::{self, Stored};
use crate::error::{Error, Result};
use crate::journal::{self, Kind, NewEntry};
use crate::policy::{self, Decision, Evaluation};
use crate::rules_store;
use crate::sqlite;
use crate::wallet::Wallet;

/// Longest validity window the wallet will sign, whatever the merchant asks.
pub const MAX_TIMEOUT_SECONDS: u64 = 3600;

#[derive(Debug, Clone, Default)]
pub struct PayOptions {
    /// The user approved this payment (a prompt, or `--yes`). Never overrides a refusal.
    pub approved: bool,
    /// Refuse any price above this.
    pub max: Option<Micros>,
    /// Reuse this payment id: a retry returns the stored payment instead of paying again.
    pub payment_id: Option<PaymentId>,
    /// The offer the user approved ([`Quote::approval`]): paid exactly as shown, or refused
    /// with [`Error::QuoteChanged`], never another offer of the same request.
    pub approval: Option<Approval>,
}

/// The offer a prompt showed, pinned: paying after approval pays this offer of this request
/// and nothing else, even if a top-up or a refund since made another offer the first payable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    /// Index of the offer in the request's `accepts`.
    pub offer: usize,
    pub resource: String,
    pub pay_to: String,
    pub network: Network,
    pub amount: Amount,
    /// SHA-256 (base64url) of the offer's RFC 8785 form: every other term pinned too.
    pub offer_digest: String,
}

/// A signed payment, ready to send as `PAYMENT-SIGNATURE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    pub payment_id: PaymentId,
    pub header: String,
    pub network: Network,
    pub amount: Amount,
    pub pay_to: String,
    pub resource: String,
    pub origin: String,
    /// True when this is a stored payment returned again for the same payment id.
    pub reused: bool,
    /// Paid without asking, by the user's rules.
    pub automatic: bool,
    /// When it was signed and debited (Unix seconds).
    pub at: i64,
}

/// What paying would do, for the approval prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    pub origin: String,
    pub resource: String,
    pub description: Option<String>,
    pub merchant_name: Option<String>,
    pub pay_to: String,
    pub network: Network,
    pub amount: Amount,
    /// What can be spent now: the balance less refunds still held ([`Balance::held`]).
    pub balance: Micros,
    pub balance_after: Micros,
    /// Refunds of refused payments not yet spendable, and until when (Unix seconds).
    pub held: Micros,
    pub held_until: Option<i64>,
    pub evaluation: Evaluation,
    /// The offer shown, to pass back in [`PayOptions::approval`] once the user approves.
    pub approval: Approval,
    /// Until when an answer may pay it (Unix seconds, the wallet's clock): the chosen offer's
    /// `maxTimeoutSeconds` from now, within 1 s..1 h.
    pub expires_at: i64,
}

impl Quote {
    /// Whether this quote may be paid: a refusal (by the rules, or over `max`) is the error
    /// paying would return; `Some` is the question to put to the user first, `None` means the
    /// rules pay it. The same check as [`Wallet::pay`]'s, for a shell that asks before paying.
    pub fn admit(&self, max: Option<Micros>) -> Result<Option<&str>> {
        admit(self.amount, max, &self.evaluation.decision)
    }
}

/// The payer's own maximum, then the rules' decision: refused, a question, or paid.
fn admit(price: Amount, max: Option<Micros>, decision: &Decision) -> Result<Option<&str>> {
    if let Some(max) = max
        && price.micros > max
    {
        return Err(Error::OverMax { price, max });
    }
    match decision {
        Decision::Refuse(r) => Err(Error::Refused(r.clone())),
        Decision::Ask(r) => Ok(Some(r)),
        Decision::AutoPay => Ok(None),
    }
}

/// Where a payment stands. Its `Display`/`FromStr` form is the `status` column and the CLI's
/// JSON, byte for byte.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    serde::Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "PaymentStatus"))]
pub enum Status {
    Pending,
    Settled,
    Rejected,
    Unconfirmed,
}

/// Why one offer cannot be paid, or the spendable balance that pays it.
enum OfferCheck {
    Payable,
    Unpayable(String),
    Short { network: Network, price: Amount, spendable: Micros },
}

/// Whether this wallet can pay `terms` now: a window it will sign, a trusted issuer, and
/// enough spendable money (refunds still held do not count).
fn check_offer(conn: &Connection, terms: &Terms, now: i64) -> Result<OfferCheck> {
    if terms.max_timeout_seconds == 0 {
        return Ok(OfferCheck::Unpayable("the offer has already expired (maxTimeoutSeconds is 0)".into()));
    }
    if terms.max_timeout_seconds > MAX_TIMEOUT_SECONDS {
        return Ok(OfferCheck::Unpayable(format!(
            "the offer asks for a {}s window, over {MAX_TIMEOUT_SECONDS}s",
            terms.max_timeout_seconds
        )));
    }
    if Wallet::issuer_key(conn, &terms.network)?.is_none() {
        return Ok(OfferCheck::Unpayable(format!("network {} is not a trusted issuer", terms.network)));
    }
    let spendable = Wallet::spendable_of(conn, terms.network.as_str(), terms.price.asset.as_str(), now)?;
    if spendable < terms.price.micros {
        return Ok(OfferCheck::Short { network: terms.network.clone(), price: terms.price, spendable });
    }
    Ok(OfferCheck::Payable)
}

fn short_of(conn: &Connection, network: &Network, price: Amount, spendable: Micros, now: i64) -> Result<Error> {
    let held = Wallet::held_of(conn, network.as_str(), price.asset.as_str(), now)?;
    let held = match held {
        (h, Some(until)) if h.get() > 0 => Some((h, until)),
        _ => None,
    };
    Ok(Error::InsufficientFunds { needed: price, available: spendable, held })
}

/// Checks the request and returns the index and terms of the first offer this wallet can pay,
/// with its origin.
fn choose(conn: &Connection, required: &PaymentRequired, now: i64) -> Result<(usize, Terms, String)> {
    let origin = request_origin(required)?;
    let mut reasons = Vec::new();
    let mut short = None;
    for (i, req) in required.accepts.iter().enumerate() {
        let terms = match req.terms() {
            Ok(t) => t,
            Err(e) => {
                reasons.push(e.to_string());
                continue;
            }
        };
        match check_offer(conn, &terms, now)? {
            OfferCheck::Payable => return Ok((i, terms, origin)),
            OfferCheck::Unpayable(why) => reasons.push(why),
            OfferCheck::Short { network, price, spendable } => {
                short.get_or_insert((network, price, spendable));
            }
        }
    }
    if let Some((network, price, spendable)) = short {
        return Err(short_of(conn, &network, price, spendable, now)?);
    }
    Err(Error::NoPayableTerms(reasons.join("; ")))
}

fn request_origin(required: &PaymentRequired) -> Result<String> {
    let origin = policy::origin_of(&required.resource.url)
        .map_err(|e| Error::BadRequest(format!("the resource is not an http(s) URL: {e}")))?;
    if required.accepts.is_empty() {
        return Err(Error::BadRequest("the request offers no way to pay".into()));
    }
    Ok(origin)
}

/// SHA-256 (base64url) of an offer's RFC 8785 form.
fn offer_digest(offer: &PaymentRequirements) -> Result<String> {
    use base64::Engine as _;
    let canonical = documents::canonical_json(&offer.to_value()?)?;
    let d = ring::digest::digest(&ring::digest::SHA256, &canonical);
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d.as_ref()))
}

/// The approved offer of `required`, if it is still exactly what the prompt showed and this
/// wallet can still pay it.
fn approved_offer(
    conn: &Connection,
    required: &PaymentRequired,
    approval: &Approval,
    now: i64,
) -> Result<(usize, Terms, String)> {
    let origin = request_origin(required)?;
    let changed = |what: &str| Error::QuoteChanged(what.to_owned());
    if required.resource.url != approval.resource {
        return Err(changed("the request is for another page than the one approved"));
    }
    let offer = required.accepts.get(approval.offer).ok_or_else(|| changed("the approved offer is gone"))?;
    let terms = offer.terms()?;
    if terms.price != approval.amount {
        return Err(changed(&format!("the price is {}, not the {} approved", terms.price, approval.amount)));
    }
    if offer.pay_to != approval.pay_to {
        return Err(changed("the payment would go to another recipient than the one approved"));
    }
    if terms.network != approval.network {
        return Err(changed(&format!("the network is {}, not the {} approved", terms.network, approval.network)));
    }
    if offer_digest(offer)? != approval.offer_digest {
        return Err(changed("the offer's terms changed since they were approved"));
    }
    match check_offer(conn, &terms, now)? {
        OfferCheck::Payable => Ok((approval.offer, terms, origin)),
        OfferCheck::Unpayable(why) => Err(Error::NoPayableTerms(why)),
        OfferCheck::Short { network, price, spendable } => Err(short_of(conn, &network, price, spendable, now)?),
    }
}

impl Wallet {
    /// What paying `required` would cost and what the rules say, without paying.
    pub fn quote(&self, required: &PaymentRequired) -> Result<Quote> {
        // The trusted issuers decide which offers are payable: the seal over them and the
        // limits is checked first.
        let now = self.now();
        let limits = rules_store::load_limits(&self.conn, self.key())?;
        let (i, terms, origin) = choose(&self.conn, required, now)?;
        let evaluation = rules_store::evaluate(&self.conn, self.key(), limits, &origin, terms.price, now)?;
        let balance = Wallet::spendable_of(&self.conn, terms.network.as_str(), terms.price.asset.as_str(), now)?;
        let (held, held_until) = Wallet::held_of(&self.conn, terms.network.as_str(), terms.price.asset.as_str(), now)?;
        let offer = &required.accepts[i];
        let approval = Approval {
            offer: i,
            resource: required.resource.url.clone(),
            pay_to: offer.pay_to.clone(),
            network: terms.network.clone(),
            amount: terms.price,
            offer_digest: offer_digest(offer)?,
        };
        Ok(Quote {
            origin,
            resource: required.resource.url.clone(),
            description: required.resource.description.clone(),
            merchant_name: terms.merchant_name.clone(),
            pay_to: offer.pay_to.clone(),
            network: terms.network,
            amount: terms.price,
            balance,
            balance_after: balance.checked_sub(terms.price.micros)?,
            held,
            held_until,
            evaluation,
            approval,
            expires_at: now.saturating_add(i64::try_from(offer.max_timeout_seconds).unwrap_or(i64::MAX).clamp(1, 3600)),
        })
    }

    /// Pays `required` if the rules (and `opts.approved`) allow it.
    pub fn pay(&mut self, required: &PaymentRequired, opts: &PayOptions) -> Result<Payment> {
        let now = self.now();
        let key = *self.key();
        let wallet_id = self.id;
        let tx = sqlite::immediate(&mut self.conn)?;

        if let Some(id) = &opts.payment_id
            && let Some(p) = stored_payment(&tx, id)?
        {
            let stored = documents::canonical_json(&p.accepted()?.to_value()?)?;
            let mut same_terms = false;
            for offer in &required.accepts {
                same_terms |= documents::canonical_json(&offer.to_value()?)? == stored;
            }
            let same = same_terms && p.resource == required.resource.url;
            if !same {
                return Err(Error::PaymentIdConflict(id.to_string()));
            }
            tracing::debug!(payment_id = %id, "payment id already used for these terms: the same payment again");
            return p.into_payment(true);
        }
        // What is already paid is read with its payment, whatever path asked (ADR 16).
        if let Some(p) = already_paid_in(&tx, &required.resource.url, now)? {
            tracing::debug!(payment_id = %p.payment_id, site = %p.origin, "page already paid: its payment again");
            return p.into_payment(true);
        }

        let limits = rules_store::load_limits(&tx, &key)?;
        let (i, terms, origin) = match &opts.approval {
            Some(a) => approved_offer(&tx, required, a, now)?,
            None => choose(&tx, required, now)?,
        };
        let eval = rules_store::evaluate(&tx, &key, limits, &origin, terms.price, now)?;
        tracing::debug!(site = %origin, amount = %terms.price, decision = ?eval.decision, rule = %eval.reason.code, "spending rules evaluated");
        match &eval.decision {
            Decision::Refuse(_) => {
                tracing::info!(site = %origin, amount = %terms.price, rule = %eval.reason.code, "payment refused by a rule");
            }
            Decision::Ask(_) if !opts.approved => {
                tracing::info!(site = %origin, amount = %terms.price, rule = %eval.reason.code, "payment needs approval");
            }
            Decision::Ask(_) | Decision::AutoPay => {}
        }
        let automatic = match admit(terms.price, opts.max, &eval.decision)? {
            Some(r) if !opts.approved => return Err(Error::NeedsApproval(r.to_owned())),
            Some(_) => false,
            None => !opts.approved,
        };
        let accepted: &PaymentRequirements = &required.accepts[i];
        let payment_id = match &opts.payment_id {
            Some(id) => id.clone(),
            None => PaymentId::random()?,
        };
        let claims = authorization_claims(
            wallet_id,
            &required.resource,
            accepted,
            payment_id.clone(),
            u64::try_from(now).unwrap_or(0),
        )?;
        let payload = sign_payload(&self.signer, &required.resource, accepted, &claims)?;
        let header = payload.to_header()?;
        let authorization = &payload.payload.authorization;
        let debit = terms.price.micros.checked_neg()?;
        let request_json = serde_json::to_string(required).map_err(|e| Error::Integrity(e.to_string()))?;
        let jid = journal::append(
            &tx,
            &key,
            &NewEntry {
                at: now,
                kind: Kind::Payment,
                network: terms.network.as_str(),
                asset: terms.price.asset,
                amount: debit,
                site: Some(&origin),
                resource: Some(&required.resource.url),
                title: required.resource.description.as_deref(),
                counterparty: Some(&accepted.pay_to),
                payment_id: Some(payment_id.as_str()),
                reference: None,
                doc_hash: Some(journal::payment_docs_hash(authorization, &request_json)),
            },
        )?;
        insert_payment(
            &tx,
            &PaymentRow {
                wallet_id: &wallet_id.to_string(),
                journal_id: jid,
                payment_id: payment_id.as_str(),
                request_json: &request_json,
                offer: i,
                authorization,
                valid_before: i64::try_from(claims.valid_before).unwrap_or(i64::MAX),
                status: Status::Pending,
                receipt: None,
                detail: None,
                at: now,
            },
        )?;
        add_event(&tx, jid, now, Status::Pending, if automatic { Some("paid automatically") } else { None })?;
        crate::crash::point(crate::crash::PAY_BEFORE_COMMIT);
        tx.commit()?;
        crate::crash::point(crate::crash::PAY_AFTER_COMMIT);
        tracing::info!(
            payment_id = %payment_id,
            site = %origin,
            amount = %terms.price,
            rule = %eval.reason.code,
            decision = if automatic { "automatic" } else { "approved" },
            "payment made"
        );
        Ok(Payment {
            payment_id,
            header,
            network: terms.network,
            amount: terms.price,
            pay_to: accepted.pay_to.clone(),
            resource: required.resource.url.clone(),
            origin,
            reused: false,
            automatic,
            at: now,
        })
    }

    /// Records the merchant's acceptance, checking its receipt when there is one.
    pub fn record_settled(&mut self, payment_id: &PaymentId, response: &SettlementResponse) -> Result<Status> {
        if !response.success {
            let reason = response.error_reason.clone().unwrap_or_else(|| "the merchant refused the payment".into());
            tracing::warn!(payment_id = %payment_id, "the merchant answered with an unsuccessful settlement");
            return self.record_rejected(payment_id, &reason);
        }
        let now = self.now();
        let wallet_id = self.id;
        let tx = sqlite::immediate(&mut self.conn)?;
        let p = stored_payment(&tx, payment_id)?.ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))?;
        match p.status {
            Status::Settled => return Ok(Status::Settled),
            // Already refunded: a late success must not leave it settled with its refund.
            Status::Rejected => {
                return Err(Error::BadTransition {
                    id: payment_id.to_string(),
                    status: Status::Rejected,
                    to: Status::Settled,
                });
            }
            Status::Pending | Status::Unconfirmed => {}
        }
        if let Some(receipt) = &response.receipt {
            let claims: ReceiptClaims = documents::open(receipt).map_err(|e| Error::BadReceipt(e.to_string()))?;
            let paid = p.amount.micros;
            let value = Micros::from_wire(&claims.value, i64::from(claims.asset_scale))
                .map_err(|e| Error::BadReceipt(e.to_string()))?;
            if claims.payer != wallet_id
                || &claims.payment_id != payment_id
                || claims.resource_url != p.resource
                || claims.asset != p.amount.asset
                || value != paid
            {
                tracing::warn!(payment_id = %payment_id, "the merchant's receipt does not describe this payment");
                return Err(Error::BadReceipt("the receipt does not describe this payment".into()));
            }
        }
        let receipt = match &response.receipt {
            Some(r) => Some(p.pack_receipt(&wallet_id.to_string(), r)?),
            None => None,
        };
        set_status(&tx, p.journal_id, p.status, Status::Settled, receipt, None, now)?;
        crate::crash::point(crate::crash::SETTLE_BEFORE_COMMIT);
        tx.commit()?;
        tracing::info!(payment_id = %payment_id, site = %p.origin, receipt = response.receipt.is_some(), "payment settled");
        Ok(Status::Settled)
    }

    /// Records an explicit refusal by the merchant and credits the payment back.
    pub fn record_rejected(&mut self, payment_id: &PaymentId, reason: &str) -> Result<Status> {
        let now = self.now();
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        let p = stored_payment(&tx, payment_id)?.ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))?;
        match p.status {
            Status::Rejected => return Ok(Status::Rejected),
            Status::Settled => {
                return Err(Error::BadTransition {
                    id: payment_id.to_string(),
                    status: Status::Settled,
                    to: Status::Rejected,
                });
            }
            Status::Pending | Status::Unconfirmed => {}
        }
        let reason: String = reason.chars().filter(|c| !c.is_control()).take(200).collect();
        journal::append(
            &tx,
            &key,
            &NewEntry {
                at: now,
                kind: Kind::Refund,
                network: p.network.as_str(),
                asset: p.amount.asset,
                amount: p.amount.micros,
                site: Some(&p.origin),
                resource: Some(&p.resource),
                title: Some(&format!("Refund: {reason}")),
                counterparty: Some(&p.pay_to),
                payment_id: None,
                reference: Some(payment_id.as_str()),
                doc_hash: None,
            },
        )?;
        set_status(&tx, p.journal_id, p.status, Status::Rejected, None, Some(&reason), now)?;
        crate::crash::point(crate::crash::REFUND_BEFORE_COMMIT);
        tx.commit()?;
        tracing::warn!(payment_id = %payment_id, site = %p.origin, amount = %p.amount, reason = %reason, "payment refused by the merchant, credited back");
        Ok(Status::Rejected)
    }

    /// The merchant's answer is unknown (network failure after sending).
    pub fn mark_unconfirmed(&mut self, payment_id: &PaymentId, detail: &str) -> Result<Status> {
        let now = self.now();
        let tx = sqlite::immediate(&mut self.conn)?;
        let p = stored_payment(&tx, payment_id)?.ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))?;
        if p.status != Status::Pending {
            return Ok(p.status);
        }
        set_status(&tx, p.journal_id, p.status, Status::Unconfirmed, None, Some(detail), now)?;
        tx.commit()?;
        tracing::warn!(payment_id = %payment_id, site = %p.origin, detail, "payment unconfirmed: the merchant's answer is unknown");
        Ok(Status::Unconfirmed)
    }

    /// The stored payment for `payment_id`, as it would be sent again.
    pub fn payment(&self, payment_id: &PaymentId) -> Result<Payment> {
        stored_payment(&self.conn, payment_id)?
            .ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))?
            .into_payment(true)
    }

    /// Payments whose outcome the wallet does not know (pending or unconfirmed), oldest first:
    /// each can be sent again to its merchant with the same authorization, never a second debit.
    pub fn unresolved_payments(&self) -> Result<Vec<Payment>> {
        self.payments_where(
            "SELECT payment_id FROM payments WHERE status IN ('pending', 'unconfirmed') ORDER BY journal_id",
        )
    }

    /// The unresolved payments no delivery is working on: unconfirmed ones. A pending payment
    /// is being delivered by this process or another until its authorization expires
    /// ([`Wallet::resolve_stale_pending`] then makes it unconfirmed), so a background check
    /// leaves it to that delivery.
    pub fn unconfirmed_payments(&self) -> Result<Vec<Payment>> {
        self.payments_where("SELECT payment_id FROM payments WHERE status = 'unconfirmed' ORDER BY journal_id")
    }

    fn payments_where(&self, sql: &str) -> Result<Vec<Payment>> {
        let ids: Vec<String> = {
            let mut stmt = self.conn.prepare(sql)?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        ids.iter().map(|id| self.payment(&id.parse()?)).collect()
    }

    /// The latest settled payment for exactly `resource` whose entitlement (the offer's
    /// `entitlementSeconds`) still runs: re-sending it reads the page again for free.
    pub fn entitlement(&self, resource: &str) -> Result<Option<Payment>> {
        Ok(match already_paid_in(&self.conn, resource, self.now())? {
            Some(p) if p.status == Status::Settled => Some(p.into_payment(true)?),
            _ => None,
        })
    }

    /// The payment that already pays for `resource`, if any ([`already_paid_in`]): what every
    /// path (a typed address, a link, `fetch`, `pay`, a batch) reads the page with instead of
    /// paying again. [`Wallet::pay`] applies it itself; this lets a shell skip the prompt.
    pub fn already_paid(&self, resource: &str) -> Result<Option<Payment>> {
        already_paid_in(&self.conn, resource, self.now())?.map(|p| p.into_payment(true)).transpose()
    }

    /// Pending payments whose authorization has expired cannot still be in flight: their
    /// outcome is unknown, and they are listed as unconfirmed for the user. Done on open, and
    /// by a long-running process (the app) before it looks for unconfirmed payments: a crash
    /// followed by a quick restart leaves payments pending that expire later.
    pub fn resolve_stale_pending(&mut self) -> Result<()> {
        let now = self.now();
        let stale: Vec<i64> = {
            let mut stmt =
                self.conn.prepare("SELECT journal_id FROM payments WHERE status = 'pending' AND valid_before < ?1")?;
            stmt.query_map(params![now], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        if stale.is_empty() {
            return Ok(());
        }
        tracing::info!(count = stale.len(), "pending payments past their expiry are now unconfirmed");
        let tx = sqlite::immediate(&mut self.conn)?;
        for id in stale {
            set_status(
                &tx,
                id,
                Status::Pending,
                Status::Unconfirmed,
                None,
                Some("the wallet stopped before the merchant's answer was recorded"),
                now,
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// The payment that already pays for exactly `resource`: a settled one whose entitlement (its
/// offer's `entitlementSeconds`) still runs, or one still in flight (pending or unconfirmed,
/// its authorization not yet expired) for an offer that grants an entitlement. A resource
/// without an entitlement (an API call priced per call) is paid every time it is asked.
fn already_paid_in(conn: &Connection, resource: &str, now: i64) -> Result<Option<StoredPayment>> {
    let Ok(site) = policy::origin_of(resource) else { return Ok(None) };
    let rows: Vec<(i64, i64, String, i64)> = conn
        .prepare_cached(
            "SELECT p.journal_id, j.at, p.status, p.valid_before FROM journal j JOIN payments p ON p.journal_id = j.id
             WHERE j.resource = ?2 AND j.kind = 'payment' AND j.site = ?1 AND p.status <> 'rejected'
             ORDER BY j.id DESC LIMIT 16",
        )?
        .query_map(params![site, resource], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (journal_id, at, status, valid_before) in rows {
        let status = stored_status(&status)?;
        let in_flight = matches!(status, Status::Pending | Status::Unconfirmed);
        if in_flight && valid_before <= now {
            continue;
        }
        let Some(p) = stored_payment_at(conn, journal_id)? else { continue };
        let seconds = p.accepted()?.extra.get("entitlementSeconds").and_then(serde_json::Value::as_i64).unwrap_or(0);
        if seconds <= 0 {
            continue;
        }
        if in_flight || at.saturating_add(seconds) > now {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

pub(crate) fn add_event(
    conn: &Connection,
    journal_id: i64,
    at: i64,
    status: Status,
    detail: Option<&str>,
) -> Result<()> {
    conn.prepare_cached("INSERT INTO payment_events (journal_id, at, status, detail) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![journal_id, at, <&'static str>::from(status), detail])?;
    Ok(())
}

fn set_status(
    conn: &Connection,
    journal_id: i64,
    from: Status,
    to: Status,
    receipt: Option<Stored>,
    detail: Option<&str>,
    at: i64,
) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE payments SET status = ?1, receipt = COALESCE(?2, receipt), detail = ?3, updated_at = ?4
         WHERE journal_id = ?5 AND status = ?6",
        )?
        .execute(params![<&'static str>::from(to), receipt, detail, at, journal_id, <&'static str>::from(from)])?;
    if n != 1 {
        return Err(Error::BadTransition { id: format!("#{journal_id}"), status: from, to });
    }
    add_event(conn, journal_id, at, to, detail)
}

/// A payment row about to be written, its documents as they were signed and received.
#[derive(Debug, Clone)]
pub(crate) struct PaymentRow<'a> {
    /// The wallet's public key, base64url: part of what the documents are compressed against.
    pub wallet_id: &'a str,
    pub journal_id: i64,
    pub payment_id: &'a str,
    pub request_json: &'a str,
    /// Index of the accepted offer in the request's `accepts`.
    pub offer: usize,
    pub authorization: &'a str,
    pub valid_before: i64,
    pub status: Status,
    pub receipt: Option<&'a str>,
    pub detail: Option<&'a str>,
    pub at: i64,
}

/// Writes a payment row, each document once (ADR 0010). The caller appends its events.
pub(crate) fn insert_payment(conn: &Connection, row: &PaymentRow<'_>) -> Result<()> {
    let ctx = doc_codec::Context { wallet_id: row.wallet_id, payment_id: row.payment_id };
    let request = doc_codec::pack_request(row.request_json, ctx);
    let authorization = doc_codec::pack_jws(row.authorization, ctx, &[row.request_json.as_bytes()]);
    let receipt = row.receipt.map(|r| {
        let claims = doc_codec::jws_claims(row.authorization);
        doc_codec::pack_jws(r, ctx, &[row.request_json.as_bytes(), &claims])
    });
    conn.prepare_cached(
        "INSERT INTO payments (journal_id, payment_id, request, authorization, offer, valid_before, status, receipt,
                               detail, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        row.journal_id,
        row.payment_id,
        request,
        authorization,
        i64::try_from(row.offer).unwrap_or(i64::MAX),
        row.valid_before,
        <&'static str>::from(row.status),
        receipt,
        row.detail,
        row.at
    ])?;
    Ok(())
}

/// A payment as stored, its documents decoded.
pub(crate) struct StoredPayment {
    pub journal_id: i64,
    pub payment_id: PaymentId,
    /// The request JSON, exactly as stored.
    pub request_json: String,
    pub request: PaymentRequired,
    pub offer: usize,
    /// The compact authorization JWS.
    pub authorization: String,
    receipt: Option<Stored>,
    wallet_id: String,
    pub network: Network,
    pub amount: Amount,
    pub pay_to: String,
    pub resource: String,
    pub origin: String,
    pub status: Status,
    /// The debit's time.
    pub at: i64,
}

impl StoredPayment {
    /// The offer this payment accepted, verbatim from its request.
    pub fn accepted(&self) -> Result<&PaymentRequirements> {
        self.request.accepts.get(self.offer).ok_or_else(|| {
            Error::Integrity(format!("stored payment {} names an offer its request does not hold", self.payment_id))
        })
    }

    fn context(&self) -> doc_codec::Context<'_> {
        doc_codec::Context { wallet_id: &self.wallet_id, payment_id: self.payment_id.as_str() }
    }

    /// The merchant's receipt (compact JWS), when the payment settled with one.
    pub fn receipt(&self) -> Result<Option<String>> {
        let Some(r) = &self.receipt else { return Ok(None) };
        let claims = doc_codec::jws_claims(&self.authorization);
        doc_codec::unpack_jws(r, self.context(), &[self.request_json.as_bytes(), &claims])
            .map(Some)
            .ok_or_else(|| doc_codec::damaged("receipt", self.payment_id.as_str()))
    }

    fn pack_receipt(&self, wallet_id: &str, receipt: &str) -> Result<Stored> {
        let ctx = doc_codec::Context { wallet_id, payment_id: self.payment_id.as_str() };
        let claims = doc_codec::jws_claims(&self.authorization);
        Ok(doc_codec::pack_jws(receipt, ctx, &[self.request_json.as_bytes(), &claims]))
    }

    /// The `PAYMENT-SIGNATURE` header, rebuilt from the request, the offer and the
    /// authorization exactly as `sign_payload` first built it.
    pub fn header(&self) -> Result<String> {
        let accepted = self.accepted()?;
        let mut payload = PaymentPayload {
            x402_version: X402_VERSION,
            resource: self.request.resource.clone(),
            accepted: accepted.to_value()?,
            payload: AuthorizationEnvelope { authorization: self.authorization.clone(), other: Default::default() },
            extensions: Default::default(),
            other: Default::default(),
        };
        payload.set_extension_payment_id(&self.payment_id);
        Ok(payload.to_header()?)
    }

    fn into_payment(self, reused: bool) -> Result<Payment> {
        let header = self.header()?;
        Ok(Payment {
            payment_id: self.payment_id,
            header,
            network: self.network,
            amount: self.amount,
            pay_to: self.pay_to,
            resource: self.resource,
            origin: self.origin,
            reused,
            automatic: false,
            at: self.at,
        })
    }
}

/// A `status` column as read: anything but a status this version writes is damage.
pub(crate) fn stored_status(s: &str) -> Result<Status> {
    s.parse().map_err(|_| Error::Integrity(format!("unknown payment status {s:?}")))
}

pub(crate) fn stored_payment(conn: &Connection, id: &PaymentId) -> Result<Option<StoredPayment>> {
    let jid: Option<i64> = conn
        .prepare_cached("SELECT journal_id FROM payments WHERE payment_id = ?1")?
        .query_row(params![id.as_str()], |r| r.get(0))
        .optional()?;
    match jid {
        Some(jid) => stored_payment_at(conn, jid),
        None => Ok(None),
    }
}

/// The payment whose debit is journal row `journal_id`.
pub(crate) fn stored_payment_at(conn: &Connection, journal_id: i64) -> Result<Option<StoredPayment>> {
    let row = conn
        .prepare_cached(
            "SELECT p.payment_id, p.request, p.authorization, p.offer, p.status, p.receipt,
                    j.network, j.asset, j.amount, j.counterparty, j.resource, j.site,
                    (SELECT value FROM meta WHERE key = 'wallet_id'), j.at
             FROM payments p JOIN journal j ON j.id = p.journal_id WHERE p.journal_id = ?1",
        )?
        .query_row(params![journal_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Stored>(1)?,
                r.get::<_, Stored>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<Stored>>(5)?,
                (r.get::<_, String>(6)?, r.get::<_, String>(7)?, r.get::<_, i64>(8)?),
                (r.get::<_, Option<String>>(9)?, r.get::<_, Option<String>>(10)?, r.get::<_, Option<String>>(11)?),
                (r.get::<_, Option<String>>(12)?, r.get::<_, i64>(13)?),
            ))
        })
        .optional()?;
    let Some((id, request, authorization, offer, status, receipt, (network, asset, amount), texts, (wallet_id, at))) =
        row
    else {
        return Ok(None);
    };
    let (pay_to, resource, site) = texts;
    let bad = |what: &str| Error::Integrity(format!("stored payment {id} has an invalid {what}"));
    let payment_id: PaymentId = id.parse().map_err(|_| bad("payment id"))?;
    let wallet_id = wallet_id.unwrap_or_default();
    let ctx = doc_codec::Context { wallet_id: &wallet_id, payment_id: &id };
    let request_json = doc_codec::unpack_request(&request, ctx).ok_or_else(|| doc_codec::damaged("request", &id))?;
    let authorization = doc_codec::unpack_jws(&authorization, ctx, &[request_json.as_bytes()])
        .ok_or_else(|| doc_codec::damaged("authorization", &id))?;
    let request: PaymentRequired = serde_json::from_str(&request_json).map_err(|_| bad("request"))?;
    Ok(Some(StoredPayment {
        journal_id,
        payment_id,
        request_json,
        request,
        offer: usize::try_from(offer).map_err(|_| bad("offer"))?,
        authorization,
        receipt,
        wallet_id,
        network: network.parse().map_err(|_| bad("network"))?,
        amount: Amount::new(Micros::from_micros(amount).checked_neg()?, asset.parse().map_err(|_| bad("asset"))?),
        pay_to: pay_to.unwrap_or_default(),
        resource: resource.unwrap_or_default(),
        origin: site.unwrap_or_default(),
        status: stored_status(&status)?,
        at,
    }))
}
