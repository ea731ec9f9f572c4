//! `verify`: proves the ledger is what Centime wrote.

use rusqlite::OptionalExtension as _;
use serde::Serialize;

use centime_protocol::Micros;
use centime_protocol::certificate::{MERCHANT_CERTIFICATE_TYP, MerchantCertificate};
use centime_protocol::documents::{self, AuthorizationClaims, CreditClaims, ReceiptClaims};
use centime_protocol::jws::Compact;
use centime_protocol::text;

use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::journal;
use crate::payments::Status;
use crate::wallet::Wallet;

/// What a successful [`Wallet::verify`] checked: the counts say the check was not of an empty
/// wallet by mistake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// Journal rows whose HMAC chain verified.
    pub journal_rows: i64,
    /// Balances (per network and asset) that equal the sum of their journal.
    pub balances: usize,
    /// Payments whose stored documents and states agree with the journal.
    pub payments: i64,
    /// Transfers to other wallets whose stored documents agree with their journal rows.
    pub transfers: i64,
    /// Site rules whose MACs verified.
    pub sites: usize,
}

impl Wallet {
    /// Checks the HMAC chain, that every balance equals the sum of its journal, that stored
    /// documents match the hashes the journal holds, that payment states agree with refunds,
    /// and that rules carry valid MACs. The first problem found is the error.
    pub fn verify(&self) -> Result<VerifyReport> {
        let checked = self.check_integrity();
        match &checked {
            Ok(r) => tracing::info!(journal_rows = r.journal_rows, payments = r.payments, "integrity verified"),
            Err(e) if e.class() == crate::ErrorClass::Integrity => {
                tracing::error!(error = %e, "integrity check failed")
            }
            Err(e) => tracing::warn!(error = %e, "integrity check could not run"),
        }
        checked
    }

    fn check_integrity(&self) -> Result<VerifyReport> {
        let key = self.key();
        let conn = &self.conn;
        let journal_rows = journal::verify_chain(conn, key)?;

        let mismatch: Option<(String, String, i64, i64)> = conn
            .query_row(
                "WITH sums AS (SELECT network, asset, SUM(amount) AS total FROM journal GROUP BY network, asset)
                 SELECT COALESCE(b.network, s.network), COALESCE(b.asset, s.asset),
                        COALESCE(b.balance, 0), COALESCE(s.total, 0)
                 FROM balances b FULL OUTER JOIN sums s ON b.network = s.network AND b.asset = s.asset
                 WHERE COALESCE(b.balance, 0) <> COALESCE(s.total, 0) LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map(Some)
            .or_else(|e| if matches!(e, rusqlite::Error::QueryReturnedNoRows) { Ok(None) } else { Err(e) })?;
        if let Some((network, asset, balance, total)) = mismatch {
            return Err(Error::Integrity(format!(
                "the {asset} balance on {network} is {} but its journal sums to {}",
                centime_protocol::Micros::from_micros(balance),
                centime_protocol::Micros::from_micros(total)
            )));
        }
        let balances: i64 = conn.query_row("SELECT COUNT(*) FROM balances", [], |r| r.get(0))?;

        // The spending sums the charts read are the journal's: per day against the journal,
        // then per month against the (now checked) days.
        // Set differences (sorted, n log n) both ways: a FULL OUTER JOIN against the CTE had no
        // index to use and grew with days x sites squared (hours at a million entries).
        let wrong_day: Option<(i64, String)> = conn
            .query_row(
                &format!(
                    "WITH sums AS (SELECT at / 86400 AS day, COALESCE(site, '') AS site, network, asset,
                                      SUM(CASE WHEN kind IN ('{payment}', '{sent}') THEN -amount ELSE 0 END) AS paid,
                                      SUM(CASE WHEN kind = '{refund}' THEN amount ELSE 0 END) AS refunded,
                                      SUM(kind IN ('{payment}', '{sent}')) AS payments
                               FROM journal WHERE kind IN ('{payment}', '{refund}', '{sent}')
                               GROUP BY at / 86400, COALESCE(site, ''), network, asset)
                 SELECT day, site FROM (SELECT * FROM sums EXCEPT
                     SELECT day, site, network, asset, paid, refunded, payments FROM spending_days)
                 UNION ALL
                 SELECT day, site FROM (SELECT day, site, network, asset, paid, refunded, payments FROM spending_days
                     EXCEPT SELECT * FROM sums)
                 LIMIT 1",
                    payment = Kind::Payment,
                    refund = Kind::Refund,
                    sent = Kind::TransferOut,
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let wrong_month: Option<(i64, String)> = conn
            .query_row(
                "WITH sums AS (SELECT CAST(strftime('%Y', day * 86400, 'unixepoch') AS INTEGER) * 12
                                      + CAST(strftime('%m', day * 86400, 'unixepoch') AS INTEGER) - 1 AS month,
                                      site, network, asset, SUM(paid) AS paid, SUM(refunded) AS refunded,
                                      SUM(payments) AS payments
                               FROM spending_days GROUP BY 1, site, network, asset)
                 SELECT month, site FROM (SELECT * FROM sums EXCEPT
                     SELECT month, site, network, asset, paid, refunded, payments FROM spending_months)
                 UNION ALL
                 SELECT month, site FROM (SELECT month, site, network, asset, paid, refunded, payments
                     FROM spending_months EXCEPT SELECT * FROM sums)
                 LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let when = wrong_day
            .map(|(d, site)| (crate::history::rfc3339(d.saturating_mul(86_400)).get(..10).map(str::to_owned), site))
            .or(wrong_month
                .map(|(m, site)| (Some(format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)), site)));
        if let Some((when, site)) = when {
            return Err(Error::Integrity(format!(
                "the spending total of {} for {} does not match the journal",
                when.unwrap_or_default(),
                if site.is_empty() { "no site" } else { site.as_str() }
            )));
        }

        // Every payment row belongs to its journal row, with the authorization it hashed. The
        // authorization is rebuilt from storage (compressed against the request, ADR 0010), so
        // an edit to either shows here.
        let (wallet, wallet_id) = (&self.id, self.id.to_string());
        let mut stmt = conn.prepare(&format!(
            "SELECT p.payment_id, p.status, j.doc_hash, j.payment_id, j.kind,
                    (SELECT COUNT(*) FROM journal r WHERE r.kind = '{}' AND r.ref = p.payment_id),
                    p.journal_id, p.valid_before, p.seq, j.ref, {}
             FROM payments p LEFT JOIN journal j ON j.id = p.journal_id",
            Kind::Refund,
            crate::payments::PAYMENT_COLUMNS,
        ))?;
        let mut rows = stmt.query([])?;
        let mut payments = 0i64;
        // Read here, on the connection's thread; checked on every core (the receipts' signatures
        // are most of verify's time), still reporting the first payment that fails.
        crate::in_order::check(
            || {
                let Some(r) = rows.next()? else { return Ok(None) };
                payments += 1;
                Ok(Some(PaymentRow {
                    id: r.get(0)?,
                    status: r.get(1)?,
                    hash: r.get(2)?,
                    journal_payment_id: r.get(3)?,
                    kind: r.get(4)?,
                    refunds: r.get(5)?,
                    journal_id: r.get(6)?,
                    valid_before: r.get(7)?,
                    seq: r.get(8)?,
                    reference: r.get(9)?,
                    columns: crate::payments::PaymentColumns::read(r, 10)?,
                }))
            },
            |row| check_payment(wallet, &wallet_id, row),
        )?;
        let orphans: i64 = conn.query_row(
            &format!(
                "SELECT COUNT(*) FROM journal j WHERE (j.kind = '{payment}' AND NOT EXISTS
                 (SELECT 1 FROM payments p WHERE p.journal_id = j.id))
              OR (j.kind = '{refund}' AND NOT EXISTS
                 (SELECT 1 FROM payments p WHERE p.payment_id = j.ref AND p.status = '{rejected}')
                 AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.payment_id = j.ref AND t.status = '{returned}'))
              OR (j.kind IN ('{credit}', '{received}') AND NOT EXISTS
                 (SELECT 1 FROM credits c WHERE c.journal_id = j.id))
              OR (j.kind = '{received}' AND NOT EXISTS
                 (SELECT 1 FROM received_transfers t WHERE t.journal_id = j.id))
              OR (j.kind = '{sent}' AND NOT EXISTS
                 (SELECT 1 FROM transfers t WHERE t.journal_id = j.id))",
                payment = Kind::Payment,
                refund = Kind::Refund,
                credit = Kind::Credit,
                received = Kind::TransferIn,
                sent = Kind::TransferOut,
                rejected = Status::Rejected,
                returned = crate::transfers::TransferStatus::Returned,
            ),
            [],
            |r| r.get(0),
        )?;
        if orphans > 0 {
            return Err(Error::Integrity(format!(
                "{orphans} journal row(s) lost their payment, refund or credit record"
            )));
        }
        let mut stmt = conn.prepare(
            "SELECT c.credit_id, c.note, j.doc_hash, c.network, j.network, j.ref, j.amount, j.asset
             FROM credits c JOIN journal j ON j.id = c.journal_id",
        )?;
        let mut rows = stmt.query([])?;
        crate::in_order::check(
            || {
                let Some(r) = rows.next()? else { return Ok(None) };
                Ok(Some(CreditRow {
                    id: r.get(0)?,
                    note: r.get(1)?,
                    hash: r.get(2)?,
                    network: r.get(3)?,
                    journal_network: r.get(4)?,
                    reference: r.get(5)?,
                    amount: r.get(6)?,
                    asset: r.get(7)?,
                }))
            },
            |row| check_credit(wallet, row),
        )?;
        let transfers = crate::transfers::verify_rows(conn, wallet)?;
        let sites = self.sites()?.len();
        self.limits()?;
        crate::contacts::all(conn, key)?;
        Ok(VerifyReport { journal_rows, balances: usize::try_from(balances).unwrap_or(0), payments, transfers, sites })
    }
}

/// A payment row and its journal row's columns, as `verify` reads them.
struct PaymentRow {
    id: String,
    status: String,
    hash: Option<Vec<u8>>,
    journal_payment_id: Option<String>,
    kind: Option<String>,
    refunds: i64,
    journal_id: i64,
    valid_before: i64,
    seq: Option<i64>,
    reference: Option<String>,
    columns: crate::payments::PaymentColumns,
}

/// Every payment row belongs to its journal row, with the authorization it hashed. The
/// authorization is rebuilt from storage (compressed against the request, ADR 0010), so an edit
/// to either shows here.
fn check_payment(wallet: &centime_protocol::PublicKey, wallet_id: &str, row: PaymentRow) -> Result<()> {
    let id = &row.id;
    if row.kind.and_then(|k| k.parse().ok()) != Some(crate::Kind::Payment)
        || row.journal_payment_id.as_deref() != Some(id.as_str())
    {
        return Err(Error::Integrity(format!("payment {id} does not match its journal row")));
    }
    let docs = row.columns.unpack_as(wallet_id);
    let intact = docs.as_ref().is_some_and(|(request, auth)| {
        let sealed = row.hash.as_deref();
        sealed == Some(journal::payment_docs_hash(auth, request).as_slice())
            || sealed == Some(journal::sha256(auth.as_bytes()).as_slice())
    });
    if !intact {
        return Err(Error::Integrity(format!(
            "the stored authorization of payment {id} (or the request it is stored with) was changed"
        )));
    }
    // The payment is decoded under the wallet id its row is stored with, as every reader does.
    let (request, authorization) = match docs {
        Some(d) if row.columns.wallet_id() == wallet_id => d,
        _ => row.columns.documents()?,
    };
    let p = crate::payments::decode_payment(row.journal_id, row.columns, request, authorization)?;
    check_documents(&p, wallet, row.valid_before, row.seq, row.reference.as_deref())?;
    let want_refunds = i64::from(row.status.parse().ok() == Some(crate::Status::Rejected));
    if row.refunds != want_refunds {
        return Err(Error::Integrity(format!(
            "payment {id} is {} but has {} refund(s) in the journal",
            row.status, row.refunds
        )));
    }
    Ok(())
}

/// A credit and its journal row's columns, as `verify` reads them.
struct CreditRow {
    id: String,
    note: String,
    hash: Option<Vec<u8>>,
    network: String,
    journal_network: String,
    reference: Option<String>,
    amount: i64,
    asset: String,
}

/// A stored credit note is the one its journal row hashed, and the row's keys are the note's.
fn check_credit(wallet: &centime_protocol::PublicKey, row: CreditRow) -> Result<()> {
    let CreditRow {
        id,
        note,
        hash,
        network,
        journal_network: jnetwork,
        reference: jref,
        amount: jamount,
        asset: jasset,
    } = row;
    if hash.as_deref() != Some(journal::sha256(note.as_bytes()).as_slice()) {
        return Err(Error::Integrity(format!("the stored credit note {id} was changed")));
    }
    // The row's keys are what stops a note being redeemed twice: they must be the note's.
    let changed = || Error::Integrity(format!("the record of credit note {id} was changed"));
    // Rebuilt from a statement (its issuer's signature checked then): the entry itself.
    if let Some(c) = crate::sync::recover::parse_recovered_credit(&note) {
        let micros = Micros::from_wire(&c.value, i64::from(c.asset_scale)).map_err(|_| changed())?;
        if c.credit_id != id
            || network != jnetwork
            || jref.as_deref() != Some(id.as_str())
            || micros.get() != jamount
            || c.asset.as_str() != jasset
        {
            return Err(changed());
        }
        return Ok(());
    }
    let claims: CreditClaims = documents::open(&note).map_err(|_| changed())?;
    let amount = claims.amount().map_err(|_| changed())?;
    if claims.credit_id != id
        || claims.network.as_str() != network
        || network != jnetwork
        || jref.as_deref() != Some(id.as_str())
        || amount.micros.get() != jamount
        || amount.asset.as_str() != jasset
        || claims.sub != *wallet
    {
        return Err(changed());
    }
    Ok(())
}

/// A payment's documents agree with each other and with its journal row: the authorization
/// names this wallet, payment, amount, payee, page, network, expiry and sequence number; the stored offer is the
/// one whose hash was signed; a receipt, if kept, verifies under its merchant's key and
/// describes this payment, which must then be settled.
fn check_documents(
    p: &crate::payments::StoredPayment,
    wallet: &centime_protocol::PublicKey,
    valid_before: i64,
    seq: Option<i64>,
    reference: Option<&str>,
) -> Result<()> {
    let bad = |what: &str| Error::Integrity(format!("payment {}: {what}", p.payment_id));
    // The authorization's bytes are sealed by the journal row's MAC'd `doc_hash` (checked
    // before this), and the wallet signed them itself: reading its claims is enough, and a
    // million signature checks are not spent proving what the MAC already proves.
    let claims: AuthorizationClaims = Compact::parse(&p.authorization, documents::AUTHORIZATION_TYP)
        .ok()
        .and_then(|c| serde_json::from_slice(c.payload()).ok())
        .ok_or_else(|| bad("its stored authorization is unreadable"))?;
    if claims.from != *wallet || claims.payment_id != p.payment_id {
        return Err(bad("its authorization names another payer or payment"));
    }
    let amount = claims.amount().map_err(|_| bad("its authorization's amount is unreadable"))?;
    if amount != p.amount || claims.network != p.network || claims.to != p.pay_to || claims.resource != p.resource {
        return Err(bad("its journal row does not match what was signed"));
    }
    if i64::try_from(claims.valid_before).ok() != Some(valid_before) {
        return Err(bad("its expiry differs from what was signed"));
    }
    // The column is where the next number is found: lowered, the wallet would sign a number
    // again, a fork proof against its own holder.
    if seq.and_then(|s| u64::try_from(s).ok()) != Some(claims.seq).filter(|s| *s > 0) {
        return Err(bad("its sequence number differs from what was signed"));
    }
    let offer = p.accepted()?.to_value()?;
    // A payment rebuilt from the issuer's statement carries a reconstructed request (marked in
    // its MAC'd journal row): its signed offer was never kept by this copy.
    let recovered = reference == Some(crate::sync::recover::RECOVERED_PAYMENT_REF);
    if !recovered && documents::accepted_hash(&offer)? != claims.accepted_hash {
        return Err(bad("its stored terms are not the ones that were signed"));
    }
    // The certified merchant is written beside the sealed request: it must be the one the
    // request's certificate names. Its signature was checked under the trusted issuer's key when
    // the payment was made, and the request is sealed: its claims are read, not verified again.
    if let Some(m) = &p.merchant {
        let c = p
            .accepted()?
            .extra
            .get(crate::pay::certificate::EXTRA_CERTIFICATE)
            .and_then(serde_json::Value::as_str)
            .and_then(|jws| Compact::parse(jws, MERCHANT_CERTIFICATE_TYP).ok())
            .and_then(|c| serde_json::from_slice::<MerchantCertificate>(c.payload()).ok())
            .ok_or_else(|| bad("it records a certified merchant but its offer carries no certificate"))?;
        if c.receipt_key != m.receipt_key
            || c.pay_to != p.pay_to
            || i64::try_from(c.not_after).ok() != Some(m.not_after)
            || text::clean(&c.name, text::MAX_MERCHANT_NAME) != m.name
        {
            return Err(bad("its certified merchant is not the one its offer's certificate names"));
        }
    }
    if let Some(receipt) = p.receipt()? {
        if p.status != crate::payments::Status::Settled {
            return Err(bad("it keeps a receipt but is not settled"));
        }
        let r: ReceiptClaims = documents::open(&receipt).map_err(|_| bad("its stored receipt does not verify"))?;
        if p.merchant.as_ref().is_some_and(|m| m.receipt_key != r.iss) {
            return Err(bad("its stored receipt is not signed by the merchant's certified key"));
        }
        let value =
            Micros::from_wire(&r.value, i64::from(r.asset_scale)).map_err(|_| bad("its receipt is unreadable"))?;
        if r.payer != *wallet
            || r.payment_id != p.payment_id
            || r.resource_url != p.resource
            || r.asset != p.amount.asset
            || value != p.amount.micros
        {
            return Err(bad("its receipt describes another payment"));
        }
    }
    Ok(())
}
