//! Which offer of a request is paid: the first this wallet can pay, or exactly the one the
//! user approved.

use centime_protocol::documents;
use centime_protocol::wire::PaymentRequirements;
use centime_protocol::{Amount, Micros, Network, Origin, PaymentRequired, Terms};
use rusqlite::Connection;

use super::certificate::{Certification, CertifiedMerchant, certify};
use super::{Approval, MAX_TIMEOUT_SECONDS};
use crate::error::{Error, Result};
use crate::wallet::Wallet;

/// Why one offer cannot be paid, or the spendable balance that pays it.
enum OfferCheck {
    /// Payable, with the merchant its certificate names (`None`: the offer carries none).
    Payable(Option<CertifiedMerchant>),
    Unpayable(String),
    /// Its certificate contradicts it (or is not the trusted issuer's, or is expired).
    Contradicted(String),
    Short {
        network: Network,
        price: Amount,
        spendable: Micros,
    },
}

/// Whether this wallet can pay `offer` (its `terms`) for `origin` now: a window it will sign,
/// a trusted issuer, a certificate (if the offer carries one) that agrees with it, and enough
/// spendable money (refunds still held do not count).
fn check_offer(
    conn: &Connection,
    offer: &PaymentRequirements,
    terms: &Terms,
    origin: &Origin,
    now: i64,
) -> Result<OfferCheck> {
    if terms.max_timeout_seconds == 0 {
        return Ok(OfferCheck::Unpayable("the offer has already expired (maxTimeoutSeconds is 0)".into()));
    }
    if terms.max_timeout_seconds > MAX_TIMEOUT_SECONDS {
        return Ok(OfferCheck::Unpayable(format!(
            "the offer asks for a {}s window, over {MAX_TIMEOUT_SECONDS}s",
            terms.max_timeout_seconds
        )));
    }
    let Some(issuer_key) = Wallet::issuer_key(conn, &terms.network)? else {
        return Ok(OfferCheck::Unpayable(format!("network {} is not a trusted issuer", terms.network)));
    };
    // Before the balance: a contradicted offer is refused as such, whatever the wallet holds.
    let merchant = match certify(conn, offer, terms, origin, &issuer_key, now)? {
        Certification::Certified(m) => Some(m),
        Certification::Unverified => None,
        Certification::Contradicted(why) => return Ok(OfferCheck::Contradicted(why)),
    };
    let spendable = Wallet::spendable_of(conn, terms.network.as_str(), terms.price.asset.as_str(), now)?;
    if spendable < terms.price.micros {
        return Ok(OfferCheck::Short { network: terms.network.clone(), price: terms.price, spendable });
    }
    Ok(OfferCheck::Payable(merchant))
}

fn short_of(conn: &Connection, network: &Network, price: Amount, spendable: Micros, now: i64) -> Result<Error> {
    let held = Wallet::held_of(conn, network.as_str(), price.asset.as_str(), now)?;
    let held = match held {
        (h, Some(until)) if h.get() > 0 => Some((h, until)),
        _ => None,
    };
    Ok(Error::InsufficientFunds { needed: price, available: spendable, held })
}

/// The offer of a request that will be paid.
pub(super) struct Chosen {
    /// Its index in the request's `accepts`.
    pub index: usize,
    pub terms: Terms,
    /// The request's origin.
    pub origin: Origin,
    /// The merchant its certificate names; `None` when it carries none (unverified).
    pub merchant: Option<CertifiedMerchant>,
}

/// Checks the request and returns the first offer this wallet can pay. When none can, an offer
/// its certificate contradicts is the reason given first ([`Error::CertificateMismatch`]): it is
/// the one that says someone is lying.
pub(super) fn choose(conn: &Connection, required: &PaymentRequired, now: i64) -> Result<Chosen> {
    let origin = request_origin(required)?;
    let mut reasons = Vec::new();
    let mut contradicted = Vec::new();
    let mut short = None;
    for (i, req) in required.accepts.iter().enumerate() {
        let terms = match req.terms() {
            Ok(t) => t,
            Err(e) => {
                reasons.push(e.to_string());
                continue;
            }
        };
        match check_offer(conn, req, &terms, &origin, now)? {
            OfferCheck::Payable(merchant) => return Ok(Chosen { index: i, terms, origin, merchant }),
            OfferCheck::Unpayable(why) => reasons.push(why),
            OfferCheck::Contradicted(why) => contradicted.push(why),
            OfferCheck::Short { network, price, spendable } => {
                short.get_or_insert((network, price, spendable));
            }
        }
    }
    if !contradicted.is_empty() {
        return Err(Error::CertificateMismatch(contradicted.join("; ")));
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
) -> Result<Chosen> {
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
    match check_offer(conn, offer, &terms, &origin, now)? {
        OfferCheck::Payable(merchant) => Ok(Chosen { index: approval.offer, terms, origin, merchant }),
        OfferCheck::Unpayable(why) => Err(Error::NoPayableTerms(why)),
        OfferCheck::Contradicted(why) => Err(Error::CertificateMismatch(why)),
        OfferCheck::Short { network, price, spendable } => Err(short_of(conn, &network, price, spendable, now)?),
    }
}
