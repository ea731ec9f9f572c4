//! The parts of migrations SQL cannot do alone.

use centime_protocol::PaymentRequired;
use centime_protocol::documents::canonical_json;
use rusqlite::Transaction;

use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::payments::{self, PaymentRow};

/// Migration 0002: copies each `payments_v1` row into `payments`, each document once.
///
/// The accepted offer is found again in the request by its canonical JSON (version 1 stored
/// it beside the request); the `PAYMENT-SIGNATURE` header is dropped (it is rebuilt from the
/// request, the offer and the authorization). A row whose offer cannot be found stops the
/// migration: the wallet then stays at version 1, untouched, and says why.
pub(crate) fn repack_payments(tx: &Transaction<'_>) -> Result<()> {
    let wallet_id: String =
        tx.query_row("SELECT COALESCE((SELECT value FROM meta WHERE key = 'wallet_id'), '')", [], |r| r.get(0))?;
    let mut stmt = tx.prepare(
        "SELECT payment_id, journal_id, request, accepted, authorization, valid_before, status, receipt, detail,
                updated_at
         FROM payments_v1 ORDER BY journal_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let payment_id: String = r.get(0)?;
        let request_json: String = r.get(2)?;
        let accepted: String = r.get(3)?;
        let bad = |what: &str| Error::Integrity(format!("cannot migrate payment {payment_id}: {what}"));
        let request: PaymentRequired =
            serde_json::from_str(&request_json).map_err(|_| bad("its stored request is not a payment request"))?;
        let accepted: serde_json::Value =
            serde_json::from_str(&accepted).map_err(|_| bad("its accepted offer is not JSON"))?;
        let accepted = canonical_json(&accepted)?;
        let mut offer = None;
        for (i, o) in request.accepts.iter().enumerate() {
            if canonical_json(&o.to_value()?)? == accepted {
                offer = Some(i);
                break;
            }
        }
        let offer = offer.ok_or_else(|| bad("its accepted offer is not among its request's offers"))?;
        let status: String = r.get(6)?;
        let authorization: String = r.get(4)?;
        let receipt: Option<String> = r.get(7)?;
        let detail: Option<String> = r.get(8)?;
        payments::insert_payment(
            tx,
            &PaymentRow {
                wallet_id: &wallet_id,
                journal_id: r.get(1)?,
                payment_id: &payment_id,
                request_json: &request_json,
                offer,
                authorization: &authorization,
                valid_before: r.get(5)?,
                seq: None,
                status: payments::stored_status(&status)?,
                receipt: receipt.as_deref(),
                detail: detail.as_deref(),
                at: r.get(9)?,
            },
        )?;
    }
    Ok(())
}

/// The journal's two CHECK constraints as version 1 wrote them, and as migration 0009 widens
/// them for [`Kind::TransferOut`] (negative, like a payment) and [`Kind::TransferIn`]. The new
/// words are the enum's own, so the constraint and the code cannot spell a kind differently.
fn journal_checks() -> [(&'static str, String); 2] {
    let (out, inn) = (Kind::TransferOut, Kind::TransferIn);
    [
        (
            "CHECK (kind IN ('credit', 'payment', 'refund', 'adjustment'))",
            format!("CHECK (kind IN ('credit', 'payment', 'refund', 'adjustment', '{out}', '{inn}'))"),
        ),
        (
            "CHECK ((kind = 'payment') = (amount < 0) OR kind = 'adjustment')",
            format!("CHECK ((kind IN ('payment', '{out}')) = (amount < 0) OR kind = 'adjustment')"),
        ),
    ]
}

/// Migration 0009: widens the journal's CHECK constraints in place, the procedure SQLite
/// documents for loosening a constraint (its "other kinds of table schema changes"): every
/// existing row already satisfies the wider one, the file format does not change, and the
/// schema version is bumped so that every connection reads the new text. A table whose text is
/// not exactly the one version 1 wrote stops the migration (nothing is guessed).
pub(crate) fn widen_journal_kinds(tx: &Transaction<'_>) -> Result<()> {
    let sql: String =
        tx.query_row("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'journal'", [], |r| r.get(0))?;
    let mut widened = sql.clone();
    for (old, new) in journal_checks() {
        if widened.matches(old).count() != 1 {
            return Err(Error::Integrity(format!("cannot migrate the journal: its table lacks {old}")));
        }
        widened = widened.replace(old, &new);
    }
    let version: i64 = tx.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    tx.pragma_update(None, "writable_schema", true)?;
    let changed = tx.execute(
        "UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = 'journal' AND sql = ?2",
        rusqlite::params![widened, sql],
    );
    tx.pragma_update(None, "writable_schema", false)?;
    if changed? != 1 {
        return Err(Error::Integrity("cannot migrate the journal: its table changed during the migration".into()));
    }
    tx.pragma_update(None, "schema_version", version.checked_add(1).unwrap_or(version))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use centime_protocol::documents::{self, ReceiptClaims};
    use centime_protocol::jws::{RingSigner, Signer as _};
    use centime_protocol::payment::{authorization_claims, sign_payload};
    use centime_protocol::{Amount, Asset, Micros, Network, PaymentId, PaymentRequirements, ResourceInfo};
    use rusqlite::{Connection, params};

    use crate::{journal, payments, sqlite};

    const T0: i64 = 1_795_608_000;

    #[test]
    fn a_version_1_wallet_keeps_every_document_and_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.db");
        let me = RingSigner::from_seed(&[5; 32]).unwrap();
        let merchant = RingSigner::from_seed(&[6; 32]).unwrap();
        let network: Network = "centime:demo".parse().unwrap();
        let offer = |micros, to: &str| {
            PaymentRequirements::centime(
                &network,
                to,
                Amount::new(Micros::from_micros(micros), Asset::EUR),
                60,
                "News",
                Some(86_400),
            )
            .unwrap()
        };
        let resource = ResourceInfo {
            url: "https://news.example/a".into(),
            description: Some("A page".into()),
            mime_type: None,
            other: Default::default(),
        };
        let request = centime_protocol::PaymentRequired {
            x402_version: 2,
            error: None,
            resource: resource.clone(),
            accepts: vec![offer(20_000, "other"), offer(10_000, "merchant-news")],
            extensions: Default::default(),
            other: Default::default(),
        };
        let pid = PaymentId::random().unwrap();
        let claims = authorization_claims(
            me.public_key(),
            &resource,
            &request.accepts[1],
            pid.clone(),
            1,
            u64::try_from(T0).unwrap(),
        )
        .unwrap();
        let payload = sign_payload(&me, &resource, &request.accepts[1], &request.extensions, &claims).unwrap();
        let header = payload.to_header().unwrap();
        let auth = payload.payload.authorization.clone();
        let receipt = documents::sign(
            &merchant,
            &ReceiptClaims {
                iss: merchant.public_key(),
                resource_url: resource.url.clone(),
                payer: me.public_key(),
                payment_id: pid.clone(),
                value: "1".into(),
                asset: Asset::EUR,
                asset_scale: 2,
                issued_at: u64::try_from(T0).unwrap(),
                transaction: "tx_1".into(),
            },
        )
        .unwrap();

        // A version 1 database, written as version 1 wrote it.
        let c = Connection::open(&path).unwrap();
        c.execute_batch(include_str!("../migrations/0001_ledger.sql")).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
        c.execute("INSERT INTO meta (key, value) VALUES ('wallet_id', ?1)", [me.public_key().to_string()]).unwrap();
        c.execute(
            "INSERT INTO journal (id, at, kind, network, asset, amount, site, resource, payment_id, doc_hash, mac)
             VALUES (1, ?1, 'payment', 'centime:demo', 'EUR', -10000, 'https://news.example', ?2, ?3, ?4, X'00')",
            params![T0, resource.url, pid.as_str(), journal::sha256(auth.as_bytes()).as_slice()],
        )
        .unwrap();
        c.execute(
            "INSERT INTO payments (payment_id, journal_id, request, accepted, authorization, header, valid_before,
                                   status, receipt, updated_at)
             VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, 'settled', ?7, ?6)",
            params![
                pid.as_str(),
                serde_json::to_string(&request).unwrap(),
                serde_json::to_string(&request.accepts[1].to_value().unwrap()).unwrap(),
                auth,
                header,
                T0 + 60,
                receipt
            ],
        )
        .unwrap();
        for s in ["pending", "settled"] {
            c.execute(
                "INSERT INTO payment_events (payment_id, at, status) VALUES (?1, ?2, ?3)",
                params![pid.as_str(), T0, s],
            )
            .unwrap();
        }
        drop(c);

        let c = sqlite::open(&path, false).unwrap();
        let v: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, sqlite::SCHEMA_VERSION);
        let p = payments::stored_payment(&c, &pid).unwrap().unwrap();
        assert_eq!(p.offer, 1);
        assert_eq!(p.authorization, auth);
        assert_eq!(p.header().unwrap(), header, "the header is rebuilt byte for byte");
        assert_eq!(p.receipt().unwrap().as_deref(), Some(receipt.as_str()));
        let (kind, size): (String, i64) = c
            .query_row("SELECT typeof(authorization), length(authorization) FROM payments", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(kind, "blob");
        assert!(usize::try_from(size).unwrap() < auth.len() / 2, "{size} bytes for {}", auth.len());
        let events: i64 =
            c.query_row("SELECT COUNT(*) FROM payment_events WHERE journal_id = 1", [], |r| r.get(0)).unwrap();
        assert_eq!(events, 2);
        // The rebuilt tables keep their guards.
        assert!(c.execute("UPDATE payments SET authorization = X'00'", []).is_err());
        assert!(c.execute("UPDATE payments SET receipt = X'00'", []).is_err());
        assert!(c.execute("DELETE FROM payments", []).is_err());
        assert!(c.execute("DELETE FROM payment_events", []).is_err());
        let left: i64 =
            c.query_row("SELECT COUNT(*) FROM sqlite_schema WHERE name LIKE '%_v1'", [], |r| r.get(0)).unwrap();
        assert_eq!(left, 0);
    }
}
