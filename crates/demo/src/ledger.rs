//! The demo's durable store (SQLite, WAL, `synchronous=FULL`): the merchant's ledger of accepted
//! authorizations and the issuer's register of credit notes.
//!
//! The ledger is also the merchant's replay memory. A payment is accepted exactly when its row is
//! committed, and `(payer, nonce)` and `payment_id` are unique in that table, so a restart never
//! lets a nonce be used twice and an idempotent retry finds its first answer. Rows are never
//! deleted (they are what the merchant settles with), so nothing expires: the ledger remembers
//! more than the protocol requires (`validBefore` plus skew), never less.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use anyhow::{Context as _, Result, anyhow, bail};
use centime_protocol::{Asset, Micros, Rejection};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE payments (
    seq           INTEGER PRIMARY KEY,
    payment_id    TEXT    NOT NULL UNIQUE,
    digest        BLOB    NOT NULL CHECK (length(digest) = 32),
    payer         TEXT    NOT NULL,
    nonce         TEXT    NOT NULL,
    micros        INTEGER NOT NULL CHECK (micros > 0),
    asset         TEXT    NOT NULL,
    value         TEXT    NOT NULL,
    asset_scale   INTEGER NOT NULL CHECK (asset_scale BETWEEN 0 AND 6),
    resource      TEXT    NOT NULL,
    accepted_at   INTEGER NOT NULL,
    valid_before  INTEGER NOT NULL,
    transaction_id TEXT   NOT NULL UNIQUE,
    authorization TEXT    NOT NULL,
    receipt       TEXT    NOT NULL,
    UNIQUE (payer, nonce)
) STRICT;

CREATE TABLE credits (
    seq        INTEGER PRIMARY KEY,
    credit_id  TEXT    NOT NULL UNIQUE,
    wallet     TEXT    NOT NULL,
    micros     INTEGER NOT NULL CHECK (micros > 0),
    asset      TEXT    NOT NULL,
    issued_at  INTEGER NOT NULL,
    credit     TEXT    NOT NULL
) STRICT;

CREATE TRIGGER payments_append_only_update BEFORE UPDATE ON payments
BEGIN SELECT RAISE(ABORT, 'the merchant ledger is append-only'); END;
CREATE TRIGGER payments_append_only_delete BEFORE DELETE ON payments
BEGIN SELECT RAISE(ABORT, 'the merchant ledger is append-only'); END;
";

/// One accepted authorization, as the merchant keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub payment_id: String,
    pub digest: [u8; 32],
    pub payer: String,
    pub nonce: String,
    pub micros: Micros,
    pub asset: Asset,
    /// The signed `value` (minor units at `asset_scale`), as the wallet wrote it.
    pub value: String,
    pub asset_scale: u8,
    pub resource: String,
    pub accepted_at: u64,
    pub valid_before: u64,
    pub transaction: String,
    pub authorization: String,
    pub receipt: String,
}

/// Why an entry could not be recorded.
#[derive(Debug)]
pub enum RecordError {
    /// The payment is a replay: its nonce or its payment id is already in the ledger.
    Replay(Rejection),
    /// The database failed; nothing was recorded.
    Store(anyhow::Error),
}

/// A credit note the issuer signed.
#[derive(Debug, Clone)]
pub struct Credit<'a> {
    pub credit_id: &'a str,
    pub wallet: &'a str,
    pub micros: Micros,
    pub asset: Asset,
    pub issued_at: u64,
    pub credit: &'a str,
}

#[derive(Debug)]
pub struct Ledger {
    conn: Mutex<Connection>,
}

fn to_i64(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| anyhow!("{v} does not fit in the database"))
}

fn to_u64(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| anyhow!("negative time {v} in the database"))
}

impl Ledger {
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            bail!("{} could not be switched to WAL (journal_mode is {mode})", path.display());
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        match version {
            0 => {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.execute_batch(SCHEMA)?;
                tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
                tx.commit()?;
            }
            SCHEMA_VERSION => {}
            v if v > SCHEMA_VERSION => {
                bail!("{} was written by a newer centime-demo (schema {v}); refusing to open it", path.display())
            }
            v => bail!("{} has an unknown schema version {v}", path.display()),
        }
        Ok(Ledger { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| anyhow!("the ledger lock is poisoned"))
    }

    /// Records an accepted payment, atomically refusing a known nonce or payment id.
    pub fn record(&self, e: &Entry) -> Result<(), RecordError> {
        let store = |err: rusqlite::Error| RecordError::Store(err.into());
        let mut conn = self.conn().map_err(RecordError::Store)?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(store)?;
        let nonce_seen: bool = tx
            .query_row("SELECT 1 FROM payments WHERE payer = ?1 AND nonce = ?2", params![e.payer, e.nonce], |_| Ok(()))
            .optional()
            .map_err(store)?
            .is_some();
        if nonce_seen {
            return Err(RecordError::Replay(Rejection::ReplayedNonce));
        }
        let id_seen = tx
            .query_row("SELECT 1 FROM payments WHERE payment_id = ?1", params![e.payment_id], |_| Ok(()))
            .optional()
            .map_err(store)?
            .is_some();
        if id_seen {
            return Err(RecordError::Replay(Rejection::PaymentIdConflict));
        }
        let accepted_at = to_i64(e.accepted_at).map_err(RecordError::Store)?;
        let valid_before = to_i64(e.valid_before).map_err(RecordError::Store)?;
        tx.execute(
            "INSERT INTO payments (payment_id, digest, payer, nonce, micros, asset, value, asset_scale, resource,
                                   accepted_at, valid_before, transaction_id, authorization, receipt)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                e.payment_id,
                e.digest.as_slice(),
                e.payer,
                e.nonce,
                e.micros.get(),
                e.asset.as_str(),
                e.value,
                e.asset_scale,
                e.resource,
                accepted_at,
                valid_before,
                e.transaction,
                e.authorization,
                e.receipt,
            ],
        )
        .map_err(store)?;
        tx.commit().map_err(store)
    }

    /// The entry for `payment_id`, if any.
    pub fn by_payment_id(&self, payment_id: &str) -> Result<Option<Entry>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!("{SELECT_ENTRY} WHERE payment_id = ?1"))?;
        let row = st.query_row(params![payment_id], read_row).optional()?;
        row.map(Entry::try_from).transpose()
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> Result<Vec<Entry>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!("{SELECT_ENTRY} ORDER BY seq"))?;
        let rows = st.query_map([], read_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(Entry::try_from).collect()
    }

    /// Totals per asset, exact (integer micro-units summed by SQLite).
    pub fn totals(&self) -> Result<Vec<(Asset, Micros)>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached("SELECT asset, SUM(micros) FROM payments GROUP BY asset ORDER BY asset")?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(a, m)| Ok((a.parse::<Asset>()?, Micros::from_micros(m)))).collect()
    }

    /// Registers a credit note the issuer signed.
    pub fn record_credit(&self, c: &Credit<'_>) -> Result<()> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO credits (credit_id, wallet, micros, asset, issued_at, credit) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![c.credit_id, c.wallet, c.micros.get(), c.asset.as_str(), to_i64(c.issued_at)?, c.credit],
        )?;
        tx.commit()?;
        Ok(())
    }
}

const SELECT_ENTRY: &str = "SELECT payment_id, digest, payer, nonce, micros, asset, value, asset_scale, resource,
        accepted_at, valid_before, transaction_id, authorization, receipt FROM payments";

type Row = (String, Vec<u8>, String, String, i64, String, String, i64, String, i64, i64, String, String, String);

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
    ))
}

impl TryFrom<Row> for Entry {
    type Error = anyhow::Error;
    fn try_from(r: Row) -> Result<Self> {
        let (payment_id, digest, payer, nonce, micros, asset, value, scale, resource, at, before, tx, auth, receipt) =
            r;
        Ok(Entry {
            payment_id,
            digest: digest.try_into().map_err(|_| anyhow!("a stored digest is not 32 bytes"))?,
            payer,
            nonce,
            micros: Micros::from_micros(micros),
            asset: asset.parse()?,
            value,
            asset_scale: u8::try_from(scale)?,
            resource,
            accepted_at: to_u64(at)?,
            valid_before: to_u64(before)?,
            transaction: tx,
            authorization: auth,
            receipt,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, nonce: &str, micros: i64) -> Entry {
        Entry {
            payment_id: id.into(),
            digest: [1; 32],
            payer: "payer".into(),
            nonce: nonce.into(),
            micros: Micros::from_micros(micros),
            asset: Asset::EUR,
            value: "1".into(),
            asset_scale: 2,
            resource: "http://x/a".into(),
            accepted_at: 10,
            valid_before: 100,
            transaction: format!("tx-{id}"),
            authorization: "a.b.c".into(),
            receipt: "r.s.t".into(),
        }
    }

    #[test]
    fn replays_are_refused_and_totals_are_exact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let l = Ledger::open(&path).unwrap();
        l.record(&entry("p1", "n1", 5_000)).unwrap();
        l.record(&entry("p2", "n2", 100_000)).unwrap();
        assert!(matches!(l.record(&entry("p3", "n1", 1)), Err(RecordError::Replay(Rejection::ReplayedNonce))));
        assert!(matches!(l.record(&entry("p1", "n9", 1)), Err(RecordError::Replay(Rejection::PaymentIdConflict))));
        assert_eq!(l.totals().unwrap(), vec![(Asset::EUR, Micros::from_micros(105_000))]);
        drop(l);
        let l = Ledger::open(&path).unwrap();
        assert_eq!(l.entries().unwrap().len(), 2);
        assert_eq!(l.by_payment_id("p2").unwrap().unwrap(), entry("p2", "n2", 100_000));
        assert!(matches!(l.record(&entry("p4", "n2", 1)), Err(RecordError::Replay(Rejection::ReplayedNonce))));
        let conn = l.conn().unwrap();
        assert!(conn.execute("DELETE FROM payments", []).is_err());
    }

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        drop(Ledger::open(&path).unwrap());
        Connection::open(&path).unwrap().pragma_update(None, "user_version", 99).unwrap();
        assert!(Ledger::open(&path).is_err());
    }
}
