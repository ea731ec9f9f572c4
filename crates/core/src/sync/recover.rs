//! Rebuilding what a wallet restored from an older copy forgot, from the issuer's statement:
//! each settled payment from its authorization (checked under the wallet's own key), each
//! credit from the statement's entry. Both are journal rows sealed like the others; the journal
//! row's `ref` marks a payment recovered, a credit's stored note is its statement entry.

use centime_protocol::documents::{self, AuthorizationClaims};
use centime_protocol::statement::{StatementCredit, StatementPayment};
use centime_protocol::wire::{PaymentRequirements, ResourceInfo, X402_VERSION};
use centime_protocol::{Micros, Network, Origin, PaymentRequired, PublicKey};
use rusqlite::{Transaction, params};

use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::journal::{self, NewEntry};
use crate::payments::{PaymentRow, Status, add_event, insert_payment};

/// The journal `ref` of a payment rebuilt from a statement: its request is a reconstruction
/// (the merchant's own was never kept by this copy), so its offer is not the signed one.
pub const RECOVERED_PAYMENT_REF: &str = "recovered-from-statement";
/// How a recovered credit's stored note begins: the statement's entry follows, as JSON.
pub const RECOVERED_CREDIT_PREFIX: &str = "centime-recovered-credit:";

/// What one settled payment of the statement turned out to be.
pub(crate) enum Recovered {
    /// Rebuilt as a settled payment (with its seq, or without when the wallet holds another
    /// authorization under that seq: a fork).
    Payment { forked: bool },
    /// Its authorization does not check: nothing written.
    Refused(String),
}

/// Rebuilds the settled payment `sp` the wallet did not have.
pub(crate) fn payment(
    tx: &Transaction<'_>,
    key: &[u8; 32],
    wallet: &PublicKey,
    network: &Network,
    sp: &StatementPayment,
    now: i64,
) -> Result<Recovered> {
    let claims: AuthorizationClaims = match documents::open(&sp.authorization) {
        Ok(c) => c,
        Err(e) => return Ok(Recovered::Refused(format!("its authorization does not verify: {e}"))),
    };
    let Ok(amount) = claims.amount() else {
        return Ok(Recovered::Refused("its authorization's amount is unreadable".into()));
    };
    let listed = Micros::from_wire(&sp.value, i64::from(sp.asset_scale)).ok();
    if claims.from != *wallet
        || &claims.network != network
        || claims.payment_id != sp.payment_id
        || claims.seq != sp.seq
        || claims.to != sp.pay_to
        || claims.resource != sp.resource
        || amount.asset != sp.asset
        || listed != Some(amount.micros)
        || claims.check_seq().is_err()
    {
        return Ok(Recovered::Refused("its authorization is not this wallet's, or not the payment listed".into()));
    }
    let Ok(origin) = Origin::of(&claims.resource) else {
        return Ok(Recovered::Refused("its resource is not a web address".into()));
    };
    let offer = PaymentRequirements::centime(network, &claims.to, amount, 60, "", None)?;
    let request = PaymentRequired {
        x402_version: X402_VERSION,
        error: None,
        resource: ResourceInfo {
            url: claims.resource.clone(),
            description: Some("Recovered from the issuer's statement".into()),
            mime_type: None,
            other: Default::default(),
        },
        accepts: vec![offer],
        extensions: Default::default(),
        other: Default::default(),
    };
    let request_json = serde_json::to_string(&request).map_err(|e| Error::Integrity(e.to_string()))?;
    let taken: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM payments WHERE seq = ?1)")?
        .query_row(params![i64::try_from(claims.seq).unwrap_or(i64::MAX)], |r| r.get(0))?;
    let at = i64::try_from(claims.valid_after).unwrap_or(now).min(now);
    let jid = journal::append(
        tx,
        key,
        &NewEntry {
            at,
            kind: Kind::Payment,
            network: network.as_str(),
            asset: amount.asset,
            amount: amount.micros.checked_neg()?,
            site: Some(origin.as_str()),
            resource: Some(&claims.resource),
            title: request.resource.description.as_deref(),
            counterparty: Some(&claims.to),
            payment_id: Some(claims.payment_id.as_str()),
            reference: Some(RECOVERED_PAYMENT_REF),
            doc_hash: Some(journal::payment_docs_hash(&sp.authorization, &request_json)),
        },
    )?;
    insert_payment(
        tx,
        &PaymentRow {
            wallet_id: &wallet.to_string(),
            journal_id: jid,
            payment_id: claims.payment_id.as_str(),
            request_json: &request_json,
            offer: 0,
            authorization: &sp.authorization,
            valid_before: i64::try_from(claims.valid_before).unwrap_or(i64::MAX),
            // Another authorization of this wallet holds the number: the fork is the issuer's to
            // prove; the money it moved is still this wallet's.
            seq: if taken { None } else { Some(claims.seq) },
            status: Status::Settled,
            receipt: None,
            detail: Some("recovered from the issuer's statement"),
            at: now,
        },
    )?;
    add_event(tx, jid, now, Status::Settled, Some("recovered from the issuer's statement"))?;
    mark_issuer_settled(tx, jid, sp.settled_at)?;
    Ok(Recovered::Payment { forked: taken })
}

/// Rebuilds the credit `c` the wallet did not have.
pub(crate) fn credit(
    tx: &Transaction<'_>,
    key: &[u8; 32],
    issuer: &PublicKey,
    network: &Network,
    c: &StatementCredit,
    now: i64,
) -> Result<()> {
    let micros = Micros::from_wire(&c.value, i64::from(c.asset_scale))
        .map_err(|e| Error::BadStatement(format!("credit {}: {e}", c.credit_id)))?;
    if !micros.is_positive() {
        return Err(Error::BadStatement(format!("credit {} is not positive", c.credit_id)));
    }
    let note = recovered_credit_note(c)?;
    let iss = issuer.to_string();
    let jid = journal::append(
        tx,
        key,
        &NewEntry {
            at: i64::try_from(c.issued_at).unwrap_or(now).min(now),
            kind: Kind::Credit,
            network: network.as_str(),
            asset: c.asset,
            amount: micros,
            site: None,
            resource: None,
            title: Some("Top-up (recovered from the issuer's statement)"),
            counterparty: Some(&iss),
            payment_id: None,
            reference: Some(&c.credit_id),
            doc_hash: Some(journal::sha256(note.as_bytes())),
        },
    )?;
    tx.prepare_cached("INSERT INTO credits (network, credit_id, journal_id, note) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![network.as_str(), c.credit_id, jid, note])?;
    Ok(())
}

pub(crate) fn recovered_credit_note(c: &StatementCredit) -> Result<String> {
    let json = serde_json::to_string(c).map_err(|e| Error::Integrity(e.to_string()))?;
    Ok(format!("{RECOVERED_CREDIT_PREFIX}{json}"))
}

/// The statement entry a recovered credit's note holds, if it is one.
pub(crate) fn parse_recovered_credit(note: &str) -> Option<StatementCredit> {
    serde_json::from_str(note.strip_prefix(RECOVERED_CREDIT_PREFIX)?).ok()
}

pub(crate) fn mark_issuer_settled(tx: &Transaction<'_>, journal_id: i64, settled_at: u64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE payments SET issuer_settled_at = ?1 WHERE journal_id = ?2 AND issuer_settled_at IS NULL",
    )?
    .execute(params![i64::try_from(settled_at).unwrap_or(i64::MAX), journal_id])?;
    Ok(())
}
