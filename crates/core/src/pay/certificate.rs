//! The merchant's certificate on an offer (ADR 21 §8, ADR 23): the trusted issuer's word for
//! the name, origins, `payTo` and receipt key, which the page's own `merchantName` is not.

use centime_protocol::certificate::MerchantCertificate;
use centime_protocol::wire::PaymentRequirements;
use centime_protocol::{Network, Origin, PublicKey, Terms, text};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

/// The offer's `extra` member that holds the certificate's compact JWS.
pub const EXTRA_CERTIFICATE: &str = "merchantCertificate";
/// The offer's `extra` member that may name the merchant's receipt key (optional: when it is
/// there, it must be the certified one).
pub const EXTRA_RECEIPT_KEY: &str = "receiptKey";

/// A merchant as the trusted issuer certified it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertifiedMerchant {
    /// The name the issuer registered, made inert: shown instead of the page's `merchantName`.
    pub name: String,
    /// The account the certificate is for (the offer's `payTo`).
    pub pay_to: String,
    /// The key the merchant's receipts must be signed by.
    pub receipt_key: PublicKey,
    /// Who vouches for it: the trusted issuer's name as the wallet stores it, else its network.
    pub issuer: String,
    /// The certificate is not valid from this Unix second on.
    pub not_after: i64,
}

/// What the trusted issuer says of one offer: certified, not certified at all (payable, shown
/// as unverified), or contradicted (unpayable: the reason, for a person).
pub(crate) enum Certification {
    Certified(CertifiedMerchant),
    Unverified,
    Contradicted(String),
}

/// Checks the offer's `extra.merchantCertificate`, if it has one, under `issuer_key` (the
/// sealed key trusted for the offer's network) at `now`: it must be the issuer's, unexpired,
/// for the offer's network and `payTo`, name the request's `origin`, and certify the receipt key
/// the offer names, if it names one.
pub(crate) fn certify(
    conn: &Connection,
    offer: &PaymentRequirements,
    terms: &Terms,
    origin: &Origin,
    issuer_key: &PublicKey,
    now: i64,
) -> Result<Certification> {
    let Some(jws) = offer.extra.get(EXTRA_CERTIFICATE) else { return Ok(Certification::Unverified) };
    let Value::String(jws) = jws else {
        return Ok(Certification::Contradicted(format!("extra.{EXTRA_CERTIFICATE} is not a string")));
    };
    let c = match MerchantCertificate::open_trusted(jws, issuer_key, u64::try_from(now).unwrap_or(0)) {
        Ok(c) => c,
        Err(centime_protocol::Error::UntrustedSigner { .. }) => {
            return Ok(Certification::Contradicted(format!(
                "the certificate is not signed by the issuer this wallet trusts for {}",
                terms.network
            )));
        }
        Err(e) => return Ok(Certification::Contradicted(format!("the certificate is refused: {e}"))),
    };
    if c.network != terms.network {
        return Ok(Certification::Contradicted(format!(
            "the certificate is for network {}, not {}",
            c.network, terms.network
        )));
    }
    if !c.covers_origin(origin.as_str()) {
        return Ok(Certification::Contradicted(format!(
            "the certificate names {}, not {origin}",
            c.origins.join(", ")
        )));
    }
    if c.pay_to != offer.pay_to {
        return Ok(Certification::Contradicted(format!(
            "the certificate is for payTo {:?}, not {:?}",
            c.pay_to, offer.pay_to
        )));
    }
    match offer.extra.get(EXTRA_RECEIPT_KEY) {
        None => {}
        Some(Value::String(k)) if k.parse::<PublicKey>().ok() == Some(c.receipt_key) => {}
        Some(other) => {
            let named = other.as_str().map_or_else(|| other.to_string(), str::to_owned);
            return Ok(Certification::Contradicted(format!(
                "the certificate's receipt key is {}, not the offer's {}",
                c.receipt_key,
                text::clean(&named, 64)
            )));
        }
    }
    Ok(Certification::Certified(CertifiedMerchant {
        name: text::clean(&c.name, text::MAX_MERCHANT_NAME),
        pay_to: c.pay_to,
        receipt_key: c.receipt_key,
        issuer: issuer_name(conn, &terms.network)?,
        not_after: i64::try_from(c.not_after).unwrap_or(i64::MAX),
    }))
}

/// The trusted issuer's name as the user gave it, else its network.
pub(crate) fn issuer_name(conn: &Connection, network: &Network) -> Result<String> {
    let name: Option<Option<String>> = conn
        .prepare_cached("SELECT name FROM issuers WHERE network = ?1")?
        .query_row(params![network.as_str()], |r| r.get(0))
        .optional()?;
    Ok(name.flatten().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| network.to_string()))
}

/// Records, in the payment's transaction, the merchant certified for the payment at journal row
/// `journal_id` (once: a trigger refuses to change it after).
pub(crate) fn record(conn: &Connection, journal_id: i64, m: &CertifiedMerchant) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE payments SET certified_name = ?1, certified_receipt_key = ?2, certified_until = ?3
             WHERE journal_id = ?4 AND certified_receipt_key IS NULL",
        )?
        .execute(params![m.name, m.receipt_key.to_string(), m.not_after, journal_id])?;
    if n != 1 {
        return Err(Error::Integrity(format!("payment row {journal_id} could not record its certified merchant")));
    }
    Ok(())
}
