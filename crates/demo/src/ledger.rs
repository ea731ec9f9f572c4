//! The merchant's durable store (SQLite, WAL, `synchronous=FULL`): its ledger of accepted
//! authorizations and what the issuer decided for each when it was settled.
//!
//! The ledger is also the merchant's replay memory. A payment is accepted exactly when its row is
//! committed, and `(payer, nonce)` and `payment_id` are unique in that table, so a restart never
//! lets a nonce be used twice and an idempotent retry finds its first answer. Rows are never
//! deleted (they are what the merchant settles with), so nothing expires: the ledger remembers
//! more than the protocol requires (`validBefore` plus skew), never less.
//!
//! Settlement outcomes sit in their own table beside the append-only payments: an entry with no
//! outcome is unsettled, and the first outcome recorded for it is kept (the issuer answers a
//! retried item `already_settled`, with the same time, so there is nothing to change).
//!
//! Schema 1 also held the demo issuer's credit notes (`credits`); the issuer now keeps its own
//! ledger, and [`Ledger::legacy_credits`] hands those rows over to it once.
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use anyhow::{Context as _, Result, anyhow, bail};
use centime_protocol::settlement::{RefusalCode, SettlementOutcome};
use centime_protocol::{Asset, Micros, Rejection};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};
use serde::Serialize;

const SCHEMA_VERSION: i64 = 2;

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

/// Schema 2: what the issuer decided for each entry it was sent.
const SCHEMA_2: &str = "
CREATE TABLE settlements (
    payment_id  TEXT    PRIMARY KEY REFERENCES payments (payment_id),
    state       TEXT    NOT NULL CHECK (state IN ('settled', 'refused')),
    code        TEXT,
    settled_at  INTEGER,
    decided_at  INTEGER NOT NULL,
    request_id  TEXT    NOT NULL,
    CHECK ((state = 'refused') = (code IS NOT NULL)),
    CHECK ((state = 'settled') = (settled_at IS NOT NULL))
) STRICT;
";

/// Where an entry stands with the issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SettlementState {
    /// Not sent yet, or sent and left for a later batch.
    Unsettled,
    /// The issuer paid it (`settled` or `already_settled`).
    Settled,
    /// The issuer refused it, for good.
    Refused,
}

impl SettlementState {
    pub fn as_str(self) -> &'static str {
        match self {
            SettlementState::Unsettled => "unsettled",
            SettlementState::Settled => "settled",
            SettlementState::Refused => "refused",
        }
    }

    /// A stored state; no row at all is `Unsettled`.
    fn parse(stored: Option<&str>) -> Result<Self> {
        [SettlementState::Settled, SettlementState::Refused]
            .into_iter()
            .find(|st| Some(st.as_str()) == stored)
            .or(stored.is_none().then_some(SettlementState::Unsettled))
            .ok_or_else(|| anyhow!("a stored settlement state is unknown: {stored:?}"))
    }
}

/// What the issuer decided for an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub state: SettlementState,
    pub code: Option<RefusalCode>,
    pub settled_at: Option<u64>,
}

/// One issuer decision to record.
#[derive(Debug, Clone)]
pub struct Decided {
    pub payment_id: String,
    pub outcome: SettlementOutcome,
    pub code: Option<RefusalCode>,
    pub settled_at: Option<u64>,
}

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

#[derive(Debug)]
pub struct Ledger {
    conn: Mutex<Connection>,
    /// Entries waiting for the next group commit, and whether a caller is writing one now.
    queue: Mutex<Queue>,
    /// Signalled when a group commit has answered its callers.
    committed: Condvar,
    /// Reads of single entries, beside the writer (WAL): an idempotency lookup does not wait
    /// for a group commit's fsync.
    reader: Mutex<Connection>,
}

#[derive(Debug, Default)]
struct Queue {
    entries: Vec<(Entry, Ticket)>,
    leading: bool,
}

fn to_i64(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| anyhow!("{v} does not fit in the database"))
}

fn to_u64(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| anyhow!("negative time {v} in the database"))
}

/// Where a queued entry's answer is put.
type Ticket = Arc<Mutex<Option<Result<(), RecordError>>>>;

fn answer(t: &Ticket) -> Result<Option<Result<(), RecordError>>, RecordError> {
    Ok(t.lock().map_err(|_| RecordError::Store(anyhow!("a ledger ticket lock is poisoned")))?.take())
}

fn settle_ticket(t: &Ticket, a: Result<(), RecordError>) {
    if let Ok(mut slot) = t.lock() {
        *slot = Some(a);
    }
}

/// Writes `batch` in one transaction, one savepoint per entry (a refused or failed entry
/// leaves the others in), and commits; the answers in the batch's order. `Err`: the commit
/// failed and nothing of the batch is in the ledger.
fn write_batch(conn: &mut Connection, batch: &[(Entry, Ticket)]) -> Result<Vec<Result<(), RecordError>>> {
    let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut answers = Vec::with_capacity(batch.len());
    for (e, _) in batch {
        let mut sp = tx.savepoint()?;
        let a = insert(&sp, e);
        if a.is_ok() {
            sp.commit()?;
        } else {
            sp.rollback()?;
        }
        answers.push(a);
    }
    tx.commit()?;
    Ok(answers)
}

/// Inserts `e` unless its nonce or payment id is known.
fn insert(conn: &Connection, e: &Entry) -> Result<(), RecordError> {
    let store = |err: rusqlite::Error| RecordError::Store(err.into());
    let nonce_seen: bool = conn
        .prepare_cached("SELECT 1 FROM payments WHERE payer = ?1 AND nonce = ?2")
        .and_then(|mut st| st.query_row(params![e.payer, e.nonce], |_| Ok(())).optional())
        .map_err(store)?
        .is_some();
    if nonce_seen {
        return Err(RecordError::Replay(Rejection::ReplayedNonce));
    }
    let id_seen = conn
        .prepare_cached("SELECT 1 FROM payments WHERE payment_id = ?1")
        .and_then(|mut st| st.query_row(params![e.payment_id], |_| Ok(())).optional())
        .map_err(store)?
        .is_some();
    if id_seen {
        return Err(RecordError::Replay(Rejection::PaymentIdConflict));
    }
    let accepted_at = to_i64(e.accepted_at).map_err(RecordError::Store)?;
    let valid_before = to_i64(e.valid_before).map_err(RecordError::Store)?;
    conn.prepare_cached(
        "INSERT INTO payments (payment_id, digest, payer, nonce, micros, asset, value, asset_scale, resource,
                               accepted_at, valid_before, transaction_id, authorization, receipt)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )
    .and_then(|mut st| {
        st.execute(params![
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
        ])
    })
    .map_err(store)?;
    Ok(())
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
                tx.execute_batch(SCHEMA_2)?;
                tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
                tx.commit()?;
            }
            1 => {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.execute_batch(SCHEMA_2)?;
                tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
                tx.commit()?;
            }
            SCHEMA_VERSION => {}
            v if v > SCHEMA_VERSION => {
                bail!("{} was written by a newer centime-demo (schema {v}); refusing to open it", path.display())
            }
            v => bail!("{} has an unknown schema version {v}", path.display()),
        }
        let reader = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        reader.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(Ledger {
            conn: Mutex::new(conn),
            queue: Mutex::new(Queue::default()),
            committed: Condvar::new(),
            reader: Mutex::new(reader),
        })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| anyhow!("the ledger lock is poisoned"))
    }

    /// Records an accepted payment, atomically refusing a known nonce or payment id; returns
    /// once the commit holding its row is durable.
    ///
    /// Group commit: payments recorded at once share one commit (one fsync). Each caller queues
    /// its entry, then takes the connection; whoever gets it first writes every queued entry in
    /// one transaction, each checked against the ledger and the entries before it in the batch
    /// (so a nonce or payment id is still accepted at most once), commits, and hands each caller
    /// its answer. A caller whose entry was in that batch finds its answer when it gets the
    /// connection; nobody is answered before the commit that holds their row.
    pub fn record(&self, e: &Entry) -> Result<(), RecordError> {
        let poisoned = || RecordError::Store(anyhow!("the ledger queue lock is poisoned"));
        let ticket: Ticket = Arc::new(Mutex::new(None));
        let mut queue = self.queue.lock().map_err(|_| poisoned())?;
        queue.entries.push((e.clone(), ticket.clone()));
        // Followers wait for the leader's commit without holding the connection, so that a
        // committed caller is answered at once rather than after the next batch's fsync.
        while queue.leading {
            queue = self.committed.wait(queue).map_err(|_| poisoned())?;
            if let Some(done) = answer(&ticket)? {
                return done;
            }
        }
        queue.leading = true;
        let batch = std::mem::take(&mut queue.entries);
        drop(queue);
        let written = self.conn().and_then(|mut conn| write_batch(&mut conn, &batch));
        match written {
            Ok(answers) => {
                for ((_, t), a) in batch.iter().zip(answers) {
                    settle_ticket(t, a);
                }
            }
            Err(err) => {
                let message = format!("{err:#}");
                for (_, t) in &batch {
                    settle_ticket(t, Err(RecordError::Store(anyhow!("the ledger commit failed: {message}"))));
                }
            }
        }
        let mut queue = self.queue.lock().map_err(|_| poisoned())?;
        queue.leading = false;
        drop(queue);
        self.committed.notify_all();
        answer(&ticket)?.unwrap_or_else(|| Err(RecordError::Store(anyhow!("a payment was left out of its batch"))))
    }

    /// The entry for `payment_id`, if any.
    pub fn by_payment_id(&self, payment_id: &str) -> Result<Option<Entry>> {
        let conn = self.reader.lock().map_err(|_| anyhow!("the ledger reader lock is poisoned"))?;
        let mut st = conn.prepare_cached(&format!("{SELECT_ENTRY} WHERE payment_id = ?1"))?;
        let row = st.query_row(params![payment_id], read_row).optional()?;
        row.map(Entry::try_from).transpose()
    }

    /// Every entry, oldest first.
    #[cfg(test)]
    pub fn entries(&self) -> Result<Vec<Entry>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!("{SELECT_ENTRY} ORDER BY seq"))?;
        let rows = st.query_map([], read_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(Entry::try_from).collect()
    }

    /// Totals per asset, exact (integer micro-units summed by SQLite).
    #[cfg(test)]
    pub fn totals(&self) -> Result<Vec<(Asset, Micros)>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached("SELECT asset, SUM(micros) FROM payments GROUP BY asset ORDER BY asset")?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(a, m)| Ok((a.parse::<Asset>()?, Micros::from_micros(m)))).collect()
    }

    /// The credit notes schema 1 kept for the demo issuer, as `(creditId, JWS)`, oldest first.
    pub fn legacy_credits(&self) -> Result<Vec<(String, String)>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached("SELECT credit_id, credit FROM credits ORDER BY seq")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Up to `limit` entries with no outcome yet after ledger row `after`, oldest first:
    /// `(row, paymentId, authorization JWS)`.
    pub fn unsettled(&self, after: i64, limit: usize) -> Result<Vec<(i64, String, String)>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT p.seq, p.payment_id, p.authorization FROM payments p
             LEFT JOIN settlements s ON s.payment_id = p.payment_id
             WHERE s.payment_id IS NULL AND p.seq > ?1 ORDER BY p.seq LIMIT ?2",
        )?;
        let rows = st
            .query_map(params![after, i64::try_from(limit)?], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Records the issuer's decisions of one batch in one transaction. The first outcome of an
    /// entry is kept; a `refused` the merchant may retry later (`not_yet_valid`) is not recorded.
    pub fn record_outcomes(&self, decided: &[Decided], request_id: &str, now: u64) -> Result<usize> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut recorded = 0;
        for d in decided {
            let (state, code, settled_at) = match d.outcome {
                SettlementOutcome::Settled | SettlementOutcome::AlreadySettled => {
                    let at = d.settled_at.context("a settled outcome without its time")?;
                    (SettlementState::Settled, None, Some(to_i64(at)?))
                }
                SettlementOutcome::Refused if d.code == Some(RefusalCode::NotYetValid) => continue,
                SettlementOutcome::Refused => {
                    let code: &'static str = d.code.context("a refusal without its code")?.into();
                    (SettlementState::Refused, Some(code), None)
                }
            };
            recorded += tx
                .prepare_cached(
                    "INSERT INTO settlements (payment_id, state, code, settled_at, decided_at, request_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (payment_id) DO NOTHING",
                )?
                .execute(params![d.payment_id, state.as_str(), code, settled_at, to_i64(now)?, request_id])?;
        }
        tx.commit()?;
        Ok(recorded)
    }

    /// Every entry with where it stands, oldest first.
    pub fn entries_with_settlement(&self) -> Result<Vec<(Entry, Settlement)>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(&format!(
            "{SELECT_ENTRY_P}, s.state, s.code, s.settled_at FROM payments p
             LEFT JOIN settlements s ON s.payment_id = p.payment_id ORDER BY p.seq"
        ))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    read_row(r)?,
                    r.get::<_, Option<String>>(14)?,
                    r.get::<_, Option<String>>(15)?,
                    r.get::<_, Option<i64>>(16)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(row, state, code, at)| {
                let settlement = Settlement {
                    state: SettlementState::parse(state.as_deref())?,
                    code: code.map(|c| c.parse::<RefusalCode>()).transpose()?,
                    settled_at: at.map(to_u64).transpose()?,
                };
                Ok((Entry::try_from(row)?, settlement))
            })
            .collect()
    }

    /// Totals per asset and settlement state, exact (integer micro-units summed by SQLite).
    pub fn totals_by_state(&self) -> Result<Vec<(Asset, SettlementState, Micros)>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT p.asset, s.state, SUM(p.micros) FROM payments p
             LEFT JOIN settlements s ON s.payment_id = p.payment_id
             GROUP BY p.asset, s.state ORDER BY p.asset, s.state",
        )?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, i64>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(a, st, m)| Ok((a.parse::<Asset>()?, SettlementState::parse(st.as_deref())?, Micros::from_micros(m))))
            .collect()
    }
}

const SELECT_ENTRY: &str = "SELECT payment_id, digest, payer, nonce, micros, asset, value, asset_scale, resource,
        accepted_at, valid_before, transaction_id, authorization, receipt FROM payments";
const SELECT_ENTRY_P: &str = "SELECT p.payment_id, p.digest, p.payer, p.nonce, p.micros, p.asset, p.value,
        p.asset_scale, p.resource, p.accepted_at, p.valid_before, p.transaction_id, p.authorization, p.receipt";

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
    fn concurrent_records_share_commits_and_accept_each_nonce_and_payment_id_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let l = Arc::new(Ledger::open(&path).unwrap());
        // 48 threads: 16 payments, each recorded three times at once (twice the same row, once
        // its payment id with another nonce).
        let threads: Vec<_> = (0..48)
            .map(|i| {
                let l = l.clone();
                std::thread::spawn(move || {
                    let k = i % 16;
                    let e = match i / 16 {
                        0 | 1 => entry(&format!("p{k}"), &format!("n{k}"), 1_000),
                        _ => entry(&format!("p{k}"), &format!("other-n{k}"), 1_000),
                    };
                    (k, l.record(&e))
                })
            })
            .collect();
        let mut accepted = [0; 16];
        for t in threads {
            let (k, r) = t.join().unwrap();
            match r {
                Ok(()) => accepted[k] += 1,
                Err(RecordError::Replay(_)) => {}
                Err(RecordError::Store(e)) => panic!("{e:#}"),
            }
        }
        assert_eq!(accepted, [1; 16]);
        drop(l);
        let l = Ledger::open(&path).unwrap();
        assert_eq!(l.entries().unwrap().len(), 16);
        assert_eq!(l.totals().unwrap(), vec![(Asset::EUR, Micros::from_micros(16_000))]);
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
    fn a_schema_1_ledger_is_migrated_and_hands_over_its_credits_and_outcomes_are_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO credits (credit_id, wallet, micros, asset, issued_at, credit) VALUES ('cr_1', 'w', 5, 'EUR', 1, 'a.b.c')",
                [],
            )
            .unwrap();
        }
        let l = Ledger::open(&path).unwrap();
        assert_eq!(l.legacy_credits().unwrap(), vec![("cr_1".to_owned(), "a.b.c".to_owned())]);
        l.record(&entry("p1", "n1", 5_000)).unwrap();
        l.record(&entry("p2", "n2", 7_000)).unwrap();
        let rows = l.unsettled(0, 1000).unwrap();
        assert_eq!(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(), vec!["p1", "p2"]);
        assert_eq!(l.unsettled(rows[0].0, 1000).unwrap().len(), 1);
        let settled = |id: &str| Decided {
            payment_id: id.into(),
            outcome: SettlementOutcome::Settled,
            code: None,
            settled_at: Some(50),
        };
        let later = Decided {
            payment_id: "p2".into(),
            outcome: SettlementOutcome::Refused,
            code: Some(RefusalCode::NotYetValid),
            settled_at: None,
        };
        assert_eq!(l.record_outcomes(&[settled("p1"), later], "r1", 60).unwrap(), 1);
        // The same again, or another answer: the first one stays.
        let refused = Decided {
            payment_id: "p1".into(),
            outcome: SettlementOutcome::Refused,
            code: Some(RefusalCode::Overdrawn),
            settled_at: None,
        };
        assert_eq!(l.record_outcomes(&[settled("p1"), refused], "r2", 70).unwrap(), 0);
        let states: Vec<_> =
            l.entries_with_settlement().unwrap().into_iter().map(|(e, s)| (e.payment_id, s.state)).collect();
        assert_eq!(
            states,
            vec![("p1".to_owned(), SettlementState::Settled), ("p2".to_owned(), SettlementState::Unsettled)]
        );
        assert_eq!(
            l.totals_by_state().unwrap(),
            vec![
                (Asset::EUR, SettlementState::Unsettled, Micros::from_micros(7_000)),
                (Asset::EUR, SettlementState::Settled, Micros::from_micros(5_000)),
            ]
        );
        drop(l);
        let v: i64 = Connection::open(&path).unwrap().query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
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
