//! Paying: choosing terms, applying the rules, and signing only what is durably debited.
//!
//! Sequence (docs/design.md §4): validate → in one `BEGIN IMMEDIATE` transaction: evaluate the rules
//! → debit → store the request and pending authorization → sign → commit; only then is the
//! payload returned. A signature never leaves without its debit committed.

use centime_protocol::documents;
use centime_protocol::payment::{authorization_claims, sign_payload};
use centime_protocol::wire::PaymentRequirements;
use centime_protocol::{Amount, Micros, Network, Origin, PaymentId, PaymentRequired};
use serde::Serialize;

use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::journal::{self, NewEntry};
use crate::payments::{PaymentRow, Status, add_event, already_paid_in, insert_payment, stored_payment};
use crate::policy::{Decision, Evaluation, Reason};
use crate::rules_store;
use crate::sqlite;
use crate::wallet::Wallet;

pub(crate) mod certificate;
mod offer;

pub use certificate::CertifiedMerchant;
use offer::{Chosen, approved_offer, choose, offer_digest};

/// Longest validity window the wallet will sign, whatever the merchant asks.
pub const MAX_TIMEOUT_SECONDS: u64 = 3600;

/// How to pay: what the user approved, the most they allow, and the payment id to reuse.
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
    /// The page or API URL the request is for.
    pub resource: String,
    /// The merchant's account the offer pays.
    pub pay_to: String,
    /// The issuer's network of the offer.
    pub network: Network,
    /// The offer's price.
    pub amount: Amount,
    /// SHA-256 (base64url) of the offer's RFC 8785 form: every other term pinned too.
    pub offer_digest: String,
}

/// A signed payment, ready to send as `PAYMENT-SIGNATURE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    /// The payment's idempotency key: a retry with it is the same payment.
    pub payment_id: PaymentId,
    /// The `PAYMENT-SIGNATURE` header value: base64 of the signed payload's JSON.
    pub header: String,
    /// The issuer's network the money was debited in.
    pub network: Network,
    /// What was paid.
    pub amount: Amount,
    /// The merchant's account it pays.
    pub pay_to: String,
    /// The page or API URL paid for.
    pub resource: String,
    /// The site that asked for it: the only one it is ever sent to.
    pub origin: Origin,
    /// True when this is a stored payment returned again for the same payment id.
    pub reused: bool,
    /// Paid without asking, by the user's rules.
    pub automatic: bool,
    /// When it was signed and debited (Unix seconds).
    pub at: i64,
    /// The merchant the trusted issuer certified for it; `None`: the offer carried no
    /// certificate, and only the page vouches for whom it paid.
    pub merchant: Option<CertifiedMerchant>,
}

/// What paying would do, for the approval prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quote {
    /// The site that asked.
    pub origin: Origin,
    /// The page or API URL the request is for.
    pub resource: String,
    /// The page's title as the merchant gave it, made inert.
    pub description: Option<String>,
    /// The merchant's name as it gave it, made inert: only the page's claim.
    pub merchant_name: Option<String>,
    /// The merchant as the trusted issuer certifies it (show its name, "verified by" its
    /// issuer); `None` when the offer carries no certificate: not verified.
    pub merchant: Option<CertifiedMerchant>,
    /// The merchant's account the chosen offer pays.
    pub pay_to: String,
    /// The issuer's network of the chosen offer.
    pub network: Network,
    /// The chosen offer's price.
    pub amount: Amount,
    /// What can be spent now: the balance less refunds still held ([`crate::Balance::held`]).
    pub balance: Micros,
    /// What can be spent after paying: [`Quote::balance`] less the price (negative when short).
    pub balance_after: Micros,
    /// Refunds of refused payments not yet spendable, and until when (Unix seconds).
    pub held: Micros,
    /// When the last held refund becomes spendable (Unix seconds).
    pub held_until: Option<i64>,
    /// What the rules say, and by which rule.
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
    pub fn admit(&self, max: Option<Micros>) -> Result<Option<&Reason>> {
        admit(self.amount, max, &self.evaluation.decision)
    }
}

/// The payer's own maximum, then the rules' decision: refused, a question, or paid.
fn admit(price: Amount, max: Option<Micros>, decision: &Decision) -> Result<Option<&Reason>> {
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

impl Wallet {
    /// What paying `required` would cost and what the rules say, without paying.
    pub fn quote(&self, required: &PaymentRequired) -> Result<Quote> {
        // The trusted issuers decide which offers are payable: the seal over them and the
        // limits is checked first.
        let now = self.now();
        let limits = rules_store::load_limits(&self.conn, self.key())?;
        let Chosen { index: i, terms, origin, merchant } = choose(&self.conn, required, now)?;
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
            merchant,
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
        let Chosen { index: i, terms, origin, merchant } = match &opts.approval {
            Some(a) => approved_offer(&tx, required, a, now)?,
            None => choose(&tx, required, now)?,
        };
        // A restored wallet, one behind its issuer or one revoked does not sign (ADR 22).
        Wallet::check_may_pay(&tx, &terms.network)?;
        let eval = rules_store::evaluate(&tx, &key, limits, &origin, terms.price, now)?;
        tracing::debug!(site = %origin, amount = %terms.price, decision = ?eval.decision, rule = %eval.decision.reason().code, "spending rules evaluated");
        match &eval.decision {
            Decision::Refuse(_) => {
                tracing::info!(site = %origin, amount = %terms.price, rule = %eval.decision.reason().code, "payment refused by a rule");
            }
            Decision::Ask(_) if !opts.approved => {
                tracing::info!(site = %origin, amount = %terms.price, rule = %eval.decision.reason().code, "payment needs approval");
            }
            Decision::Ask(_) | Decision::AutoPay => {}
        }
        let automatic = match admit(terms.price, opts.max, &eval.decision)? {
            Some(r) if !opts.approved => return Err(Error::NeedsApproval(r.clone())),
            Some(_) => false,
            None => !opts.approved,
        };
        let accepted: &PaymentRequirements = &required.accepts[i];
        let payment_id = match &opts.payment_id {
            Some(id) => id.clone(),
            None => PaymentId::random()?,
        };
        let seq = crate::payments::next_seq(&tx)?;
        let claims = authorization_claims(
            wallet_id,
            &required.resource,
            accepted,
            payment_id.clone(),
            seq,
            u64::try_from(now).unwrap_or(0),
        )?;
        let payload = sign_payload(&self.signer, &required.resource, accepted, &required.extensions, &claims)?;
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
                site: Some(origin.as_str()),
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
                seq: Some(seq),
                status: Status::Pending,
                receipt: None,
                detail: None,
                at: now,
            },
        )?;
        if let Some(m) = &merchant {
            certificate::record(&tx, jid, m)?;
        }
        add_event(&tx, jid, now, Status::Pending, if automatic { Some("paid automatically") } else { None })?;
        crate::crash::point(crate::crash::PAY_BEFORE_COMMIT);
        tx.commit()?;
        crate::crash::point(crate::crash::PAY_AFTER_COMMIT);
        tracing::info!(
            payment_id = %payment_id,
            site = %origin,
            amount = %terms.price,
            rule = %eval.decision.reason().code,
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
            merchant,
        })
    }
}
