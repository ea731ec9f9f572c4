//! Paying: choosing terms, applying the rules, and signing only what is durably debited.
//!
//! Sequence (DESIGN §4): validate → in one `BEGIN IMMEDIATE` transaction: evaluate the rules
//! → debit → store the request and pending authorization → sign → commit; only then is the
//! payload returned. A signature never leaves without its debit committed.

use centime_protocol::documents::{self, ReceiptClaims};
use centime_protocol::payment::{authorization_claims, sign_payload};
use centime_protocol::wire::PaymentRequirements;
use centime_protocol::{Amount, Micros, Network, PaymentId, PaymentRequired, SettlementResponse, Terms};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::journal::{self, Kind, NewEntry};
use crate::policy::{self, Decision, Evaluation};
use crate::store;
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
    pub balance: Micros,
    pub balance_after: Micros,
    pub evaluation: Evaluation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Settled,
    Rejected,
    Unconfirmed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Settled => "settled",
            Status::Rejected => "rejected",
            Status::Unconfirmed => "unconfirmed",
        }
    }
}

/// Checks the request and returns the index and terms of the offer to pay, with its origin.
fn choose(conn: &Connection, required: &PaymentRequired) -> Result<(usize, Terms, String)> {
    let origin = policy::origin_of(&required.resource.url)
        .map_err(|e| Error::BadRequest(format!("the resource is not an http(s) URL: {e}")))?;
    if required.accepts.is_empty() {
        return Err(Error::BadRequest("the request offers no way to pay".into()));
    }
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
        if terms.max_timeout_seconds == 0 {
            reasons.push("the offer has already expired (maxTimeoutSeconds is 0)".into());
            continue;
        }
        if terms.max_timeout_seconds > MAX_TIMEOUT_SECONDS {
            reasons.push(format!(
                "the offer asks for a {}s window, over {MAX_TIMEOUT_SECONDS}s",
                terms.max_timeout_seconds
            ));
            continue;
        }
        if Wallet::issuer_key(conn, &terms.network)?.is_none() {
            reasons.push(format!("network {} is not a trusted issuer", terms.network));
            continue;
        }
        let balance = Wallet::balance_of(conn, terms.network.as_str(), terms.price.asset.as_str())?;
        if balance < terms.price.micros {
            short.get_or_insert((terms.price, balance));
            continue;
        }
        return Ok((i, terms, origin));
    }
    if let Some((price, balance)) = short {
        return Err(Error::InsufficientFunds { needed: price.to_string(), available: balance.to_string() });
    }
    Err(Error::NoPayableTerms(reasons.join("; ")))
}

impl Wallet {
    /// What paying `required` would cost and what the rules say, without paying.
    pub fn quote(&self, required: &PaymentRequired) -> Result<Quote> {
        let (i, terms, origin) = choose(&self.conn, required)?;
        let evaluation = policy::evaluate(&self.conn, self.key(), &origin, terms.price, self.now())?;
        let balance = Wallet::balance_of(&self.conn, terms.network.as_str(), terms.price.asset.as_str())?;
        Ok(Quote {
            origin,
            resource: required.resource.url.clone(),
            description: required.resource.description.clone(),
            merchant_name: terms.merchant_name.clone(),
            pay_to: required.accepts[i].pay_to.clone(),
            network: terms.network,
            amount: terms.price,
            balance,
            balance_after: balance.checked_sub(terms.price.micros)?,
            evaluation,
        })
    }

    /// Pays `required` if the rules (and `opts.approved`) allow it.
    pub fn pay(&mut self, required: &PaymentRequired, opts: &PayOptions) -> Result<Payment> {
        let now = self.now();
        let key = *self.key();
        let wallet_id = self.id;
        let tx = store::immediate(&mut self.conn)?;

        if let Some(id) = &opts.payment_id
            && let Some(p) = stored_payment(&tx, id)?
        {
            let stored: serde_json::Value = serde_json::from_str(&p.accepted)
                .map_err(|e| Error::Integrity(format!("stored accepted terms are not JSON: {e}")))?;
            let stored = documents::canonical_json(&stored)?;
            let mut same_terms = false;
            for offer in &required.accepts {
                same_terms |= documents::canonical_json(&offer.to_value()?)? == stored;
            }
            let same = same_terms && p.resource == required.resource.url;
            if !same {
                return Err(Error::PaymentIdConflict(id.to_string()));
            }
            return p.into_payment(true);
        }

        let (i, terms, origin) = choose(&tx, required)?;
        if let Some(max) = opts.max
            && terms.price.micros > max
        {
            return Err(Error::Refused(format!("{} is over your --max of {max}", terms.price)));
        }
        let eval = policy::evaluate(&tx, &key, &origin, terms.price, now)?;
        let automatic = match &eval.decision {
            Decision::Refuse(r) => return Err(Error::Refused(r.clone())),
            Decision::Ask(r) if !opts.approved => return Err(Error::NeedsApproval(r.clone())),
            Decision::Ask(_) => false,
            Decision::AutoPay => !opts.approved,
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
                doc_hash: Some(journal::sha256(authorization.as_bytes())),
            },
        )?;
        let request_json = serde_json::to_string(required).map_err(|e| Error::Integrity(e.to_string()))?;
        let accepted_json =
            serde_json::to_string(&accepted.to_value()?).map_err(|e| Error::Integrity(e.to_string()))?;
        tx.prepare_cached(
            "INSERT INTO payments (payment_id, journal_id, request, accepted, authorization, header, valid_before,
                                   status, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8)",
        )?
        .execute(params![
            payment_id.as_str(),
            jid,
            request_json,
            accepted_json,
            authorization,
            header,
            i64::try_from(claims.valid_before).unwrap_or(i64::MAX),
            now
        ])?;
        add_event(
            &tx,
            payment_id.as_str(),
            now,
            Status::Pending,
            if automatic { Some("paid automatically") } else { None },
        )?;
        crate::crash::point(crate::crash::PAY_BEFORE_COMMIT);
        tx.commit()?;
        crate::crash::point(crate::crash::PAY_AFTER_COMMIT);
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
        })
    }

    /// Records the merchant's acceptance, checking its receipt when there is one.
    pub fn record_settled(&mut self, payment_id: &PaymentId, response: &SettlementResponse) -> Result<Status> {
        if !response.success {
            let reason = response.error_reason.clone().unwrap_or_else(|| "the merchant refused the payment".into());
            return self.record_rejected(payment_id, &reason);
        }
        let now = self.now();
        let wallet_id = self.id;
        let tx = store::immediate(&mut self.conn)?;
        let p = stored_payment(&tx, payment_id)?.ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))?;
        match p.status {
            Status::Settled => return Ok(Status::Settled),
            // Already refunded: a late success must not leave it settled with its refund.
            Status::Rejected => {
                return Err(Error::BadTransition {
                    id: payment_id.to_string(),
                    status: "rejected".into(),
                    to: "settled".into(),
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
                return Err(Error::BadReceipt("the receipt does not describe this payment".into()));
            }
        }
        set_status(&tx, payment_id.as_str(), p.status, Status::Settled, response.receipt.as_deref(), None, now)?;
        crate::crash::point(crate::crash::SETTLE_BEFORE_COMMIT);
        tx.commit()?;
        Ok(Status::Settled)
    }

    /// Records an explicit refusal by the merchant and credits the payment back.
    pub fn record_rejected(&mut self, payment_id: &PaymentId, reason: &str) -> Result<Status> {
        let now = self.now();
        let key = *self.key();
        let tx = store::immediate(&mut self.conn)?;
        let p = stored_payment(&tx, payment_id)?.ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))?;
        match p.status {
            Status::Rejected => return Ok(Status::Rejected),
            Status::Settled => {
                return Err(Error::BadTransition {
                    id: payment_id.to_string(),
                    status: "settled".into(),
                    to: "rejected".into(),
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
        set_status(&tx, payment_id.as_str(), p.status, Status::Rejected, None, Some(&reason), now)?;
        crate::crash::point(crate::crash::REFUND_BEFORE_COMMIT);
        tx.commit()?;
        Ok(Status::Rejected)
    }

    /// The merchant's answer is unknown (network failure after sending).
    pub fn mark_unconfirmed(&mut self, payment_id: &PaymentId, detail: &str) -> Result<Status> {
        let now = self.now();
        let tx = store::immediate(&mut self.conn)?;
        let p = stored_payment(&tx, payment_id)?.ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))?;
        if p.status != Status::Pending {
            return Ok(p.status);
        }
        set_status(&tx, payment_id.as_str(), p.status, Status::Unconfirmed, None, Some(detail), now)?;
        tx.commit()?;
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
        let ids: Vec<String> = {
            let mut stmt = self.conn.prepare(
                "SELECT payment_id FROM payments WHERE status IN ('pending', 'unconfirmed') ORDER BY journal_id",
            )?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        ids.iter().map(|id| self.payment(&id.parse()?)).collect()
    }

    /// The latest settled payment for exactly `resource` whose entitlement (the offer's
    /// `entitlementSeconds`) still runs: re-sending it reads the page again for free.
    pub fn entitlement(&self, resource: &str) -> Result<Option<Payment>> {
        let Ok(site) = policy::origin_of(resource) else { return Ok(None) };
        let row: Option<(String, String, i64)> = self
            .conn
            .query_row(
                "SELECT p.payment_id, p.accepted, j.at FROM journal j JOIN payments p ON p.journal_id = j.id
                 WHERE j.site = ?1 AND j.resource = ?2 AND j.kind = 'payment' AND p.status = 'settled'
                 ORDER BY j.id DESC LIMIT 1",
                params![site, resource],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((id, accepted, at)) = row else { return Ok(None) };
        let accepted: serde_json::Value =
            serde_json::from_str(&accepted).map_err(|e| Error::Integrity(format!("stored terms: {e}")))?;
        let seconds = accepted.pointer("/extra/entitlementSeconds").and_then(serde_json::Value::as_i64).unwrap_or(0);
        if at.saturating_add(seconds) <= self.now() {
            return Ok(None);
        }
        let id: PaymentId = id.parse()?;
        self.payment(&id).map(Some)
    }

    /// Pending payments whose authorization has expired cannot still be in flight: their
    /// outcome is unknown, and they are listed as unconfirmed for the user.
    pub(crate) fn resolve_stale_pending(&mut self) -> Result<()> {
        let now = self.now();
        let stale: Vec<String> = {
            let mut stmt =
                self.conn.prepare("SELECT payment_id FROM payments WHERE status = 'pending' AND valid_before < ?1")?;
            stmt.query_map(params![now], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        if stale.is_empty() {
            return Ok(());
        }
        let tx = store::immediate(&mut self.conn)?;
        for id in stale {
            set_status(
                &tx,
                &id,
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

fn add_event(conn: &Connection, id: &str, at: i64, status: Status, detail: Option<&str>) -> Result<()> {
    conn.prepare_cached("INSERT INTO payment_events (payment_id, at, status, detail) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![id, at, status.as_str(), detail])?;
    Ok(())
}

fn set_status(
    conn: &Connection,
    id: &str,
    from: Status,
    to: Status,
    receipt: Option<&str>,
    detail: Option<&str>,
    at: i64,
) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE payments SET status = ?1, receipt = COALESCE(?2, receipt), detail = ?3, updated_at = ?4
         WHERE payment_id = ?5 AND status = ?6",
        )?
        .execute(params![to.as_str(), receipt, detail, at, id, from.as_str()])?;
    if n != 1 {
        return Err(Error::BadTransition { id: id.into(), status: from.as_str().into(), to: to.as_str().into() });
    }
    add_event(conn, id, at, to, detail)
}

pub(crate) struct StoredPayment {
    pub payment_id: PaymentId,
    pub header: String,
    pub accepted: String,
    pub network: Network,
    pub amount: Amount,
    pub pay_to: String,
    pub resource: String,
    pub origin: String,
    pub status: Status,
}

impl StoredPayment {
    fn into_payment(self, reused: bool) -> Result<Payment> {
        Ok(Payment {
            payment_id: self.payment_id,
            header: self.header,
            network: self.network,
            amount: self.amount,
            pay_to: self.pay_to,
            resource: self.resource,
            origin: self.origin,
            reused,
            automatic: false,
        })
    }
}

pub(crate) fn parse_status(s: &str) -> Result<Status> {
    match s {
        "pending" => Ok(Status::Pending),
        "settled" => Ok(Status::Settled),
        "rejected" => Ok(Status::Rejected),
        "unconfirmed" => Ok(Status::Unconfirmed),
        other => Err(Error::Integrity(format!("unknown payment status {other:?}"))),
    }
}

pub(crate) fn stored_payment(conn: &Connection, id: &PaymentId) -> Result<Option<StoredPayment>> {
    let row = conn
        .query_row(
            "SELECT p.header, p.accepted, p.status, j.network, j.asset, j.amount, j.counterparty, j.resource, j.site
             FROM payments p JOIN journal j ON j.id = p.journal_id WHERE p.payment_id = ?1",
            params![id.as_str()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            },
        )
        .optional()?;
    let Some((header, accepted, status, network, asset, amount, pay_to, resource, site)) = row else {
        return Ok(None);
    };
    let bad = |what: &str| Error::Integrity(format!("stored payment {id} has an invalid {what}"));
    Ok(Some(StoredPayment {
        payment_id: id.clone(),
        header,
        accepted,
        network: network.parse().map_err(|_| bad("network"))?,
        amount: Amount::new(Micros::from_micros(amount).checked_neg()?, asset.parse().map_err(|_| bad("asset"))?),
        pay_to: pay_to.unwrap_or_default(),
        resource: resource.unwrap_or_default(),
        origin: site.unwrap_or_default(),
        status: parse_status(&status)?,
    }))
}
