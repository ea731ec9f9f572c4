//! The `payments` table: each payment's request, authorization, receipt and status, and the
//! reads of them (a payment sent again, the unresolved ones, what already pays for a page).

use std::sync::LazyLock;

use centime_protocol::wire::{AuthorizationEnvelope, PaymentRequirements, X402_VERSION};
use centime_protocol::{Amount, Micros, Network, Origin, PaymentId, PaymentPayload, PaymentRequired};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::doc_codec::{self, Stored};
use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::pay::{CertifiedMerchant, Payment};
use crate::wallet::Wallet;

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
    /// Debited and signed; the merchant's answer is not recorded yet.
    Pending,
    /// The merchant accepted it and, when it sent one, its receipt is stored.
    Settled,
    /// The merchant refused it; a refund credited it back.
    Rejected,
    /// The merchant's answer is unknown: asked again with the same authorization, never paid twice.
    Unconfirmed,
}

impl Wallet {
    /// The stored payment for `payment_id`, as it would be sent again.
    pub fn payment(&self, payment_id: &PaymentId) -> Result<Payment> {
        stored_payment(&self.conn, payment_id)?
            .ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))?
            .into_payment(true)
    }

    /// Payments whose outcome the wallet does not know (pending or unconfirmed), oldest first:
    /// each can be sent again to its merchant with the same authorization, never a second debit.
    pub fn unresolved_payments(&self) -> Result<Vec<Payment>> {
        self.payments_where(&format!(
            "SELECT payment_id FROM payments WHERE status IN ('{}', '{}') ORDER BY journal_id",
            Status::Pending,
            Status::Unconfirmed
        ))
    }

    /// The unresolved payments no delivery is working on: unconfirmed ones. A pending payment
    /// is being delivered by this process or another until its authorization expires
    /// ([`Wallet::resolve_stale_pending`] then makes it unconfirmed), so a background check
    /// leaves it to that delivery.
    pub fn unconfirmed_payments(&self) -> Result<Vec<Payment>> {
        self.payments_where(&format!(
            "SELECT payment_id FROM payments WHERE status = '{}' ORDER BY journal_id",
            Status::Unconfirmed
        ))
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

    /// The payment that already pays for `resource`, if any (`already_paid_in`): what every
    /// path (a typed address, a link, `fetch`, `pay`, a batch) reads the page with instead of
    /// paying again. [`Wallet::pay`] applies it itself; this lets a shell skip the prompt.
    pub fn already_paid(&self, resource: &str) -> Result<Option<Payment>> {
        already_paid_in(&self.conn, resource, self.now())?.map(|p| p.into_payment(true)).transpose()
    }
}

/// The payment that already pays for exactly `resource`: a settled one whose entitlement (its
/// offer's `entitlementSeconds`) still runs, or one still in flight (pending or unconfirmed,
/// its authorization not yet expired) for an offer that grants an entitlement. A resource
/// without an entitlement (an API call priced per call) is paid every time it is asked.
// The kind is in the statement's text, not bound: only a literal lets SQLite use the partial
// index `journal_paid_resource`, and without it this is a scan of the site's entries.
pub(crate) static PAID_IN: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT p.journal_id, j.at, p.status, p.valid_before FROM journal j JOIN payments p ON p.journal_id = j.id
             WHERE j.resource = ?2 AND j.kind = '{payment}' AND j.site = ?1 AND p.status <> '{rejected}'
             ORDER BY j.id DESC LIMIT 16",
        payment = Kind::Payment,
        rejected = Status::Rejected,
    )
});

pub(crate) fn already_paid_in(conn: &Connection, resource: &str, now: i64) -> Result<Option<StoredPayment>> {
    let Ok(site) = Origin::of(resource) else { return Ok(None) };
    let rows: Vec<(i64, i64, String, i64)> = conn
        .prepare_cached(&PAID_IN)?
        .query_map(params![site.as_str(), resource], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
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

pub(crate) fn set_status(
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
    /// The authorization's `seq` (ADR 21); `None` only for payments signed before it.
    pub seq: Option<u64>,
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
    // Without a seq the column is not named: migration 0002 repacks older payments through here
    // before migration 0006 adds it.
    let sql = if row.seq.is_some() {
        "INSERT INTO payments (journal_id, payment_id, request, authorization, offer, valid_before, status, receipt,
                               detail, updated_at, seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    } else {
        "INSERT INTO payments (journal_id, payment_id, request, authorization, offer, valid_before, status, receipt,
                               detail, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    };
    let seq = row.seq.map(i64::try_from).transpose().map_err(|_| Error::Integrity("seq does not fit".into()))?;
    let mut stmt = conn.prepare_cached(sql)?;
    let common = params![
        row.journal_id,
        row.payment_id,
        request,
        authorization,
        i64::try_from(row.offer).unwrap_or(i64::MAX),
        row.valid_before,
        <&'static str>::from(row.status),
        receipt,
        row.detail,
        row.at,
    ];
    match seq {
        Some(seq) => {
            let mut all = common.to_vec();
            all.push(&seq);
            stmt.execute(all.as_slice())?
        }
        None => stmt.execute(common)?,
    };
    Ok(())
}

/// The `seq` the next payment signs (ADR 21): one more than the highest any payment of this
/// wallet carries. Read in the payment's own `BEGIN IMMEDIATE` transaction, so no two payments
/// get one number; payments are never deleted, so no number comes back.
pub(crate) fn next_seq(conn: &Connection) -> Result<u64> {
    let highest: Option<i64> =
        // Transfers to other wallets sign from the same sequence (they are payments to the issuer).
        conn.prepare_cached(
            "SELECT MAX(s) FROM (SELECT MAX(seq) AS s FROM payments WHERE seq IS NOT NULL
                                 UNION ALL SELECT MAX(seq) FROM transfers)",
        )?
        .query_row([], |r| r.get(0))?;
    let highest = u64::try_from(highest.unwrap_or(0)).map_err(|_| Error::Integrity("a negative seq".into()))?;
    // A restore (or a sync that found the wallet behind) set a floor far above every number an
    // older copy may have signed (ADR 22).
    let floor: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'seq_floor'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let floor = floor.map_or(Ok(0), |f| f.parse::<u64>()).map_err(|_| Error::Integrity("a bad seq floor".into()))?;
    let highest = highest.max(floor);
    highest.checked_add(1).ok_or_else(|| Error::Integrity("seq overflowed".into()))
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
    pub origin: Origin,
    pub status: Status,
    /// The debit's time.
    pub at: i64,
    /// The merchant certified when it was paid: its receipt must be signed by `receipt_key`.
    pub merchant: Option<CertifiedMerchant>,
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

    /// Whether a receipt is stored with this payment.
    pub fn has_receipt(&self) -> bool {
        self.receipt.is_some()
    }

    /// The merchant's receipt (compact JWS), when the payment settled with one.
    pub fn receipt(&self) -> Result<Option<String>> {
        let Some(r) = &self.receipt else { return Ok(None) };
        let claims = doc_codec::jws_claims(&self.authorization);
        doc_codec::unpack_jws(r, self.context(), &[self.request_json.as_bytes(), &claims])
            .map(Some)
            .ok_or_else(|| doc_codec::damaged("receipt", self.payment_id.as_str()))
    }

    pub(crate) fn pack_receipt(&self, wallet_id: &str, receipt: &str) -> Result<Stored> {
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
        payload.echo_declared(&self.request.extensions);
        payload.set_extension_payment_id(&self.payment_id);
        Ok(payload.to_header()?)
    }

    pub(crate) fn into_payment(self, reused: bool) -> Result<Payment> {
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
            merchant: self.merchant,
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

/// The columns a [`StoredPayment`] is decoded from, in [`PaymentColumns::read`]'s order; `p` is
/// the payment, `j` its journal row.
pub(crate) const PAYMENT_COLUMNS: &str = "p.payment_id, p.request, p.authorization, p.offer, p.status, p.receipt,
    j.network, j.asset, j.amount, j.counterparty, j.resource, j.site,
    (SELECT value FROM meta WHERE key = 'wallet_id'), j.at,
    p.certified_name, p.certified_receipt_key, p.certified_until,
    (SELECT name FROM issuers i WHERE i.network = j.network)";

/// A payment row as read, before decoding: `verify` reads it on the connection's thread and
/// decodes it on another.
pub(crate) struct PaymentColumns {
    id: String,
    request: Stored,
    authorization: Stored,
    offer: i64,
    status: String,
    receipt: Option<Stored>,
    /// The journal row's; `None` when it is missing (a `LEFT JOIN`).
    debit: Option<(String, String, i64, i64)>,
    texts: (Option<String>, Option<String>, Option<String>),
    wallet_id: Option<String>,
    certified: (Option<String>, Option<String>, Option<i64>, Option<String>),
}

impl PaymentColumns {
    /// Reads [`PAYMENT_COLUMNS`] starting at column `at`.
    pub(crate) fn read(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Self> {
        let debit = match r.get::<_, Option<String>>(at + 6)? {
            None => None,
            Some(network) => Some((network, r.get(at + 7)?, r.get(at + 8)?, r.get(at + 13)?)),
        };
        Ok(PaymentColumns {
            id: r.get(at)?,
            request: r.get(at + 1)?,
            authorization: r.get(at + 2)?,
            offer: r.get(at + 3)?,
            status: r.get(at + 4)?,
            receipt: r.get(at + 5)?,
            debit,
            texts: (r.get(at + 9)?, r.get(at + 10)?, r.get(at + 11)?),
            wallet_id: r.get(at + 12)?,
            certified: (r.get(at + 14)?, r.get(at + 15)?, r.get(at + 16)?, r.get(at + 17)?),
        })
    }

    /// The stored request and authorization, unpacked as documents of wallet `wallet_id`.
    pub(crate) fn unpack_as(&self, wallet_id: &str) -> Option<(String, String)> {
        let ctx = doc_codec::Context { wallet_id, payment_id: &self.id };
        let request = doc_codec::unpack_request(&self.request, ctx)?;
        let authorization = doc_codec::unpack_jws(&self.authorization, ctx, &[request.as_bytes()])?;
        Some((request, authorization))
    }

    /// The wallet id the payment row is stored under (the `meta` table's).
    pub(crate) fn wallet_id(&self) -> &str {
        self.wallet_id.as_deref().unwrap_or_default()
    }

    /// The stored request and authorization, unpacked.
    pub(crate) fn documents(&self) -> Result<(String, String)> {
        let wallet_id = self.wallet_id();
        let ctx = doc_codec::Context { wallet_id, payment_id: &self.id };
        let request_json =
            doc_codec::unpack_request(&self.request, ctx).ok_or_else(|| doc_codec::damaged("request", &self.id))?;
        let authorization = doc_codec::unpack_jws(&self.authorization, ctx, &[request_json.as_bytes()])
            .ok_or_else(|| doc_codec::damaged("authorization", &self.id))?;
        Ok((request_json, authorization))
    }
}

/// The payment whose debit is journal row `journal_id`.
pub(crate) fn stored_payment_at(conn: &Connection, journal_id: i64) -> Result<Option<StoredPayment>> {
    let cols = conn
        .prepare_cached(&format!(
            "SELECT {PAYMENT_COLUMNS} FROM payments p JOIN journal j ON j.id = p.journal_id WHERE p.journal_id = ?1"
        ))?
        .query_row(params![journal_id], |r| PaymentColumns::read(r, 0))
        .optional()?;
    let Some(cols) = cols else { return Ok(None) };
    let (request_json, authorization) = cols.documents()?;
    decode_payment(journal_id, cols, request_json, authorization).map(Some)
}

/// The payment of journal row `journal_id` from its columns and its unpacked documents (see
/// [`PaymentColumns::documents`]).
pub(crate) fn decode_payment(
    journal_id: i64,
    cols: PaymentColumns,
    request_json: String,
    authorization: String,
) -> Result<StoredPayment> {
    let PaymentColumns { id, offer, status, receipt, debit, texts, wallet_id, certified, .. } = cols;
    let (certified_name, certified_key, certified_until, issuer_name) = certified;
    let Some((network, asset, amount, at)) = debit else {
        return Err(Error::Integrity(format!("payment row {journal_id} has no journal row")));
    };
    let (pay_to, resource, site) = texts;
    let bad = |what: &str| Error::Integrity(format!("stored payment {id} has an invalid {what}"));
    let payment_id: PaymentId = id.parse().map_err(|_| bad("payment id"))?;
    let wallet_id = wallet_id.unwrap_or_default();
    let request: PaymentRequired = serde_json::from_str(&request_json).map_err(|_| bad("request"))?;
    let network: Network = network.parse().map_err(|_| bad("network"))?;
    let pay_to = pay_to.unwrap_or_default();
    let merchant = match (certified_name, certified_key, certified_until) {
        (None, None, None) => None,
        (Some(name), Some(key), Some(not_after)) => Some(CertifiedMerchant {
            name,
            pay_to: pay_to.clone(),
            receipt_key: key.parse().map_err(|_| bad("certified receipt key"))?,
            issuer: issuer_name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| network.to_string()),
            not_after,
        }),
        _ => return Err(bad("certified merchant")),
    };
    Ok(StoredPayment {
        journal_id,
        payment_id,
        request_json,
        request,
        offer: usize::try_from(offer).map_err(|_| bad("offer"))?,
        authorization,
        receipt,
        wallet_id,
        network,
        amount: Amount::new(Micros::from_micros(amount).checked_neg()?, asset.parse().map_err(|_| bad("asset"))?),
        pay_to,
        resource: resource.unwrap_or_default(),
        origin: site.as_deref().unwrap_or_default().parse().map_err(|_| bad("site"))?,
        status: stored_status(&status)?,
        at,
        merchant,
    })
}
