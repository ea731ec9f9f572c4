//! One history entry in full: its status history and the signed documents behind it.

use std::sync::LazyLock;

use centime_protocol::documents::{AuthorizationClaims, CreditClaims, Document, ReceiptClaims};
use rusqlite::{OptionalExtension as _, params};
use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::history::{self, Entry};
use crate::payments;
use crate::wallet::Wallet;

/// Everything the wallet holds about one journal entry.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryDetails {
    /// The entry as the history lists it.
    pub entry: Entry,
    /// A payment's status changes, oldest first; empty for other entries.
    pub events: Vec<StatusEvent>,
    /// Whom a payment paid: the name its trusted issuer certified, else the page's own claim
    /// (`merchantName`), made inert.
    pub merchant_name: Option<String>,
    /// The merchant as its issuer certified it when the payment was made; `None`: not verified.
    pub certified: Option<crate::CertifiedMerchant>,
    /// A payment's request (the merchant's `PaymentRequired`), as JSON, as stored.
    pub request: Option<String>,
    /// A payment's signed authorization.
    pub authorization: Option<SignedDocument>,
    /// The merchant's receipt for a settled payment, when it sent one.
    pub receipt: Option<SignedDocument>,
    /// For a rejected payment: the refund that credited it back.
    pub refund: Option<Entry>,
    /// For a refund: the payment it compensates.
    pub refund_of: Option<Entry>,
    /// For a credit (top-up): the issuer's credit note.
    pub credit_note: Option<SignedDocument>,
}

/// One change of a payment's status, as the status history recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusEvent {
    /// RFC 3339, UTC.
    pub at: String,
    /// The status it took.
    pub status: crate::Status,
    /// Why, when the wallet noted it (a merchant's refusal, a lost answer).
    pub detail: Option<String>,
}

/// A compact JWS as stored, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedDocument {
    /// The compact JWS, exactly as signed.
    pub compact: String,
    /// The protected header's members, in the signed order.
    pub header: Vec<Claim>,
    /// The claims, in the signed order.
    pub claims: Vec<Claim>,
    /// The signature verifies under the key the document names (`from` or `iss`).
    pub signature_valid: bool,
}

/// One member of a signed JSON object: strings as they are, other values as JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claim {
    /// The member's name.
    pub name: String,
    /// Its value: a string as it is, anything else as JSON text.
    pub value: String,
}

/// A JSON object's members in document order (serde_json's map sorts them).
struct Ordered(Vec<Claim>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> std::result::Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((name, value)) = m.next_entry::<String, serde_json::Value>()? {
                    let value = match value {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    out.push(Claim { name, value });
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

// The kinds are in the statements' text, not bound: only a literal lets SQLite use the partial
// indexes `journal_refund` and `journal_payment`, and without them each is a scan of the journal.
pub(crate) static REFUND_OF: LazyLock<String> =
    LazyLock::new(|| format!("SELECT id FROM journal WHERE kind = '{}' AND ref = ?1", Kind::Refund));
pub(crate) static PAYMENT_OF: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT j.id FROM journal r JOIN journal j ON j.kind = '{}' AND j.payment_id = r.ref
                         WHERE r.id = ?1",
        Kind::Payment
    )
});
/// A returned transfer's `transfer_out` row (the partial index `journal_transfer_out`).
pub(crate) static TRANSFER_OF: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT j.id FROM journal r JOIN journal j ON j.kind = '{}' AND j.payment_id = r.ref
                         WHERE r.id = ?1",
        Kind::TransferOut
    )
});

fn members(b64: &str) -> Vec<Claim> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Ordered>(&bytes).ok())
        .map(|o| o.0)
        .unwrap_or_default()
}

fn signed<T: Document>(compact: String) -> SignedDocument {
    let mut parts = compact.split('.');
    let header = parts.next().map(members).unwrap_or_default();
    let claims = parts.next().map(members).unwrap_or_default();
    let signature_valid = centime_protocol::documents::open::<T>(&compact).is_ok();
    SignedDocument { compact, header, claims, signature_valid }
}

impl Wallet {
    /// One journal entry with its documents: for a payment its status history, request,
    /// authorization and receipt (and the refund, if it was rejected); for a refund the
    /// payment it compensates; for a credit its credit note. Stored documents that no longer
    /// decode are an integrity error, as in `verify`.
    pub fn entry_details(&self, journal_id: i64) -> Result<EntryDetails> {
        let entry = self.entry(journal_id)?.ok_or(Error::UnknownEntry(journal_id))?;
        let mut d = EntryDetails {
            entry,
            events: Vec::new(),
            merchant_name: None,
            certified: None,
            request: None,
            authorization: None,
            receipt: None,
            refund: None,
            refund_of: None,
            credit_note: None,
        };
        match d.entry.kind {
            crate::Kind::Payment => {
                let p = payments::stored_payment_at(&self.conn, journal_id)?.ok_or_else(|| {
                    Error::Integrity(format!("journal row {journal_id} is a payment without its payment record"))
                })?;
                let mut stmt = self.conn.prepare_cached(
                    "SELECT at, status, detail FROM payment_events WHERE journal_id = ?1 ORDER BY id",
                )?;
                d.events = stmt
                    .query_map(params![journal_id], |r| {
                        Ok(StatusEvent {
                            at: history::rfc3339(r.get(0)?),
                            status: crate::entry::word(r, 1)?,
                            detail: r.get(2)?,
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                d.receipt = p.receipt()?.map(signed::<ReceiptClaims>);
                d.authorization = Some(signed::<AuthorizationClaims>(p.authorization.clone()));
                let claimed = p.accepted().ok().and_then(|o| o.terms().ok()).and_then(|t| t.merchant_name);
                d.merchant_name = p.merchant.as_ref().map(|m| m.name.clone()).or(claimed);
                d.certified = p.merchant;
                d.request = Some(p.request_json);
                let refund: Option<i64> = self
                    .conn
                    .prepare_cached(&REFUND_OF)?
                    .query_row(params![p.payment_id.as_str()], |r| r.get(0))
                    .optional()?;
                d.refund = refund.map(|id| self.entry(id)).transpose()?.flatten();
            }
            crate::Kind::Refund => {
                let mut paid: Option<i64> =
                    self.conn.prepare_cached(&PAYMENT_OF)?.query_row(params![journal_id], |r| r.get(0)).optional()?;
                if paid.is_none() {
                    paid = self
                        .conn
                        .prepare_cached(&TRANSFER_OF)?
                        .query_row(params![journal_id], |r| r.get(0))
                        .optional()?;
                }
                d.refund_of = paid.map(|id| self.entry(id)).transpose()?.flatten();
            }
            crate::Kind::TransferOut => {
                // The authorization the recipient's issuer settles; the refund if it came back.
                let auth: Option<(String, String)> = self
                    .conn
                    .prepare_cached("SELECT authorization, payment_id FROM transfers WHERE journal_id = ?1")?
                    .query_row(params![journal_id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let (auth, pid) = auth.ok_or_else(|| {
                    Error::Integrity(format!("journal row {journal_id} is a transfer without its record"))
                })?;
                d.authorization = Some(signed::<AuthorizationClaims>(auth));
                let refund: Option<i64> =
                    self.conn.prepare_cached(&REFUND_OF)?.query_row(params![pid], |r| r.get(0)).optional()?;
                d.refund = refund.map(|id| self.entry(id)).transpose()?.flatten();
            }
            crate::Kind::Credit | crate::Kind::TransferIn => {
                let note: Option<String> = self
                    .conn
                    .prepare_cached("SELECT note FROM credits WHERE journal_id = ?1")?
                    .query_row(params![journal_id], |r| r.get(0))
                    .optional()?;
                d.credit_note = note.map(signed::<CreditClaims>);
            }
            _ => {}
        }
        Ok(d)
    }

    fn entry(&self, journal_id: i64) -> Result<Option<Entry>> {
        Ok(self
            .conn
            .prepare_cached(&format!("{} WHERE j.id = ?1", *history::SELECT))?
            .query_row(params![journal_id], history::entry_from_row)
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_keep_the_signed_order() {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"z":"1","a":2,"m":{"x":true}}"#);
        let m = members(&b64);
        let names: Vec<&str> = m.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["z", "a", "m"]);
        assert_eq!(m[0].value, "1");
        assert_eq!(m[1].value, "2");
        assert_eq!(m[2].value, r#"{"x":true}"#);
        assert!(members("not base64!").is_empty());
    }
}
