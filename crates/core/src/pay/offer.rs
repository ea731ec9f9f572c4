//! Which offer of a request is paid: the first this wallet can pay, or exactly the one the
//! user approved.

use centime_protocol::documents;
use centime_protocol::wire::PaymentRequirements;
use centime_protocol::{Amount, Micros, Network, Origin, PaymentRequired, Terms};
use rusqlite::Connection;

use super::{Approval, MAX_TIMEOUT_SECONDS};
use crate::error::{Error, Result};
use crate::wallet::Wallet;

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
pub(super) fn choose(conn: &Connection, required: &PaymentRequired, now: i64) -> Result<(usize, Terms, Origin)> {
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

fn request_origin(required: &PaymentRequired) -> Result<Origin> {
    let origin = Origin::of(&required.resource.url)
        .map_err(|e| Error::BadRequest(format!("the resource is not an http(s) URL: {e}")))?;
    if required.accepts.is_empty() {
        return Err(Error::BadRequest("the request offers no way to pay".into()));
    }
    Ok(origin)
}

/// SHA-256 (base64url) of an offer's RFC 8785 form.
pub(super) fn offer_digest(offer: &PaymentRequirements) -> Result<String> {
    use base64::Engine as _;
    let canonical = documents::canonical_json(&offer.to_value()?)?;
    let d = ring::digest::digest(&ring::digest::SHA256, &canonical);
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(d.as_ref()))
}

/// The approved offer of `required`, if it is still exactly what the prompt showed and this
/// wallet can still pay it.
pub(super) fn approved_offer(
    conn: &Connection,
    required: &PaymentRequired,
    approval: &Approval,
    now: i64,
) -> Result<(usize, Terms, Origin)> {
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
