//! The PostgreSQL backend, for an issuer that outgrows one machine or runs several processes.
//!
//! Isolation: READ COMMITTED with row locks. A batch's transaction first takes the rows of all
//! its wallets `FOR UPDATE`, in the keys' order, so the settlements, credits and revocation of
//! one wallet are decided one at a time across every connection and process; after the locks
//! each statement sees what the previous holders committed. What spans wallets (a `paymentId`
//! is unique across all of them) is held by unique indexes: the loser of such a race gets a
//! unique violation, its transaction is rolled back and the whole batch decided again, now
//! seeing the winner's row.
//!
//! A batch costs a handful of round trips, not a dozen per item: its reads are fetched in set
//! queries once the locks are held ([`Prefetched`]), `decide` runs over them in memory, and
//! its writes go back as set statements (`unnest` of one array per column), one commit.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};

use centime_protocol::revocation::RevokedKey;
use centime_protocol::{Asset, Micros, PublicKey};
use postgres::{Client, IsolationLevel, NoTls, Statement, Transaction};

use super::prefetched::Prefetched;
use centime_protocol::settlement::SettlementOutcome;

use super::{
    Account, CreditRecord, Decision, ForkRecord, Found, Item, MerchantRecord, Redemption, Rules, SettledRecord, Store,
    TransferRecord, asset, credit_id_taken, decide, key, payment_id_conflict, reason, to_i64, to_u8, to_u64,
};
use crate::error::{Error, Result};

const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE centime_issuer_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE merchants (
    pay_to   TEXT PRIMARY KEY,
    key      TEXT NOT NULL,
    name     TEXT NOT NULL,
    origins  TEXT NOT NULL
);

CREATE TABLE wallets (
    key            TEXT PRIMARY KEY,
    revoked_reason TEXT CHECK (revoked_reason IN ('fork', 'overdrawn')),
    revoked_at     BIGINT,
    CHECK ((revoked_reason IS NULL) = (revoked_at IS NULL))
);

CREATE TABLE balances (
    wallet   TEXT   NOT NULL REFERENCES wallets (key),
    asset    TEXT   NOT NULL,
    credited BIGINT NOT NULL CHECK (credited >= 0),
    spent    BIGINT NOT NULL CHECK (spent >= 0 AND spent <= credited),
    PRIMARY KEY (wallet, asset)
);

CREATE TABLE credits (
    id          BIGSERIAL PRIMARY KEY,
    credit_id   TEXT     NOT NULL UNIQUE,
    wallet      TEXT     NOT NULL REFERENCES wallets (key),
    micros      BIGINT   NOT NULL CHECK (micros > 0),
    asset       TEXT     NOT NULL,
    value       TEXT     NOT NULL,
    asset_scale SMALLINT NOT NULL,
    issued_at   BIGINT   NOT NULL,
    credit      TEXT     NOT NULL
);
CREATE INDEX credits_wallet ON credits (wallet, id);

CREATE TABLE settlements (
    id            BIGSERIAL PRIMARY KEY,
    payment_id    TEXT     NOT NULL UNIQUE,
    digest        BYTEA    NOT NULL CHECK (length(digest) = 32),
    wallet        TEXT     NOT NULL REFERENCES wallets (key),
    nonce         TEXT     NOT NULL,
    seq           BIGINT   NOT NULL CHECK (seq >= 1),
    pay_to        TEXT     NOT NULL,
    micros        BIGINT   NOT NULL CHECK (micros > 0),
    asset         TEXT     NOT NULL,
    value         TEXT     NOT NULL,
    asset_scale   SMALLINT NOT NULL,
    resource      TEXT     NOT NULL,
    valid_before  BIGINT   NOT NULL,
    settled_at    BIGINT   NOT NULL,
    authorization_jws TEXT     NOT NULL,
    UNIQUE (wallet, nonce)
);
CREATE INDEX settlements_seq ON settlements (wallet, seq);
CREATE INDEX settlements_pay_to ON settlements (pay_to);
CREATE FUNCTION settlements_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'settlements are append-only'; END $$;
CREATE TRIGGER settlements_append_only BEFORE UPDATE OR DELETE ON settlements
  FOR EACH ROW EXECUTE FUNCTION settlements_append_only();

CREATE TABLE forks (
    id       BIGSERIAL PRIMARY KEY,
    wallet   TEXT   NOT NULL,
    seq      BIGINT NOT NULL,
    first    TEXT   NOT NULL,
    second   TEXT   NOT NULL,
    found_at BIGINT NOT NULL,
    UNIQUE (wallet, seq, second)
);

CREATE TABLE statement_nonces (
    wallet  TEXT   NOT NULL,
    nonce   TEXT   NOT NULL,
    seen_at BIGINT NOT NULL,
    PRIMARY KEY (wallet, nonce)
);
";

/// Version 2: transfers between wallets (docs/protocol.md §14), as in the SQLite ledger.
const SCHEMA_2: &str = "
CREATE TABLE transfers (
    id           BIGSERIAL PRIMARY KEY,
    code         TEXT   NOT NULL UNIQUE,
    payment_id   TEXT   NOT NULL UNIQUE,
    digest       BYTEA  NOT NULL CHECK (length(digest) = 32),
    sender       TEXT   NOT NULL,
    recipient    TEXT   NOT NULL,
    valid_before BIGINT NOT NULL,
    deposited_at BIGINT NOT NULL,
    redeemed_at  BIGINT,
    transfer_jws TEXT   NOT NULL
);
CREATE INDEX transfers_recipient ON transfers (recipient, id);
";

/// Connections kept open at most.
const POOL_SIZE: usize = 16;
/// How often a batch lost to a concurrent transaction is decided again.
const RETRIES: usize = 5;

/// The PostgreSQL ledger: a small pool of blocking connections.
pub struct PgStore {
    config: postgres::Config,
    pool: Mutex<Pool>,
    returned: Condvar,
}

#[derive(Default)]
struct Pool {
    idle: Vec<Session>,
    open: usize,
}

/// A connection and the statements of an item's transaction prepared on it, each once: an
/// unprepared query costs the server a parse and the item a round trip more.
struct Session {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The configuration may hold a password: only where it points.
        f.debug_struct("PgStore").field("dbname", &self.config.get_dbname()).finish_non_exhaustive()
    }
}

/// A pooled connection, returned to the pool when dropped (unless it broke).
struct Conn<'a> {
    store: &'a PgStore,
    session: Option<Session>,
}

impl Conn<'_> {
    fn session(&mut self) -> Result<&mut Session> {
        self.session.as_mut().ok_or_else(|| Error::Store("a pooled connection is gone".into()))
    }

    fn client(&mut self) -> Result<&mut Client> {
        Ok(&mut self.session()?.client)
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        let Some(session) = self.session.take() else { return };
        if let Ok(mut p) = self.store.pool.lock() {
            if session.client.is_closed() {
                p.open = p.open.saturating_sub(1);
            } else {
                p.idle.push(session);
            }
            self.store.returned.notify_one();
        }
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`, or the key=value form) and creates the
    /// schema in an empty database. Blocking: call it off the async runtime.
    pub fn open(url: &str) -> Result<Self> {
        let config: postgres::Config =
            url.parse().map_err(|e| Error::Config(format!("not a PostgreSQL connection string: {e}")))?;
        let store = PgStore { config, pool: Mutex::new(Pool::default()), returned: Condvar::new() };
        store.migrate()?;
        Ok(store)
    }

    fn conn(&self) -> Result<Conn<'_>> {
        let lock_err = || Error::Store("the connection pool lock is poisoned".into());
        let mut p = self.pool.lock().map_err(|_| lock_err())?;
        loop {
            if let Some(c) = p.idle.pop() {
                return Ok(Conn { store: self, session: Some(c) });
            }
            if p.open < POOL_SIZE {
                p.open += 1;
                drop(p);
                return match self.config.connect(NoTls) {
                    Ok(client) => {
                        Ok(Conn { store: self, session: Some(Session { client, statements: HashMap::new() }) })
                    }
                    Err(e) => {
                        if let Ok(mut p) = self.pool.lock() {
                            p.open = p.open.saturating_sub(1);
                        }
                        Err(e.into())
                    }
                };
            }
            p = self.returned.wait(p).map_err(|_| lock_err())?;
        }
    }

    fn migrate(&self) -> Result<()> {
        let mut c = self.conn()?;
        let mut tx = c.client()?.transaction()?;
        // One issuer creating the schema at a time.
        tx.execute("SELECT pg_advisory_xact_lock(8402)", &[])?;
        let exists: bool = tx
            .query_one("SELECT to_regclass('centime_issuer_meta') IS NOT NULL", &[])?
            .try_get(0)
            .map_err(Error::from)?;
        if !exists {
            tx.batch_execute(SCHEMA)?;
            tx.batch_execute(SCHEMA_2)?;
            tx.execute(
                "INSERT INTO centime_issuer_meta (key, value) VALUES ('schema_version', $1)",
                &[&SCHEMA_VERSION.to_string()],
            )?;
        } else {
            let v: String = tx
                .query_one("SELECT value FROM centime_issuer_meta WHERE key = 'schema_version'", &[])?
                .try_get(0)
                .map_err(Error::from)?;
            if v == "1" {
                tx.batch_execute(SCHEMA_2)?;
                tx.execute(
                    "UPDATE centime_issuer_meta SET value = $1 WHERE key = 'schema_version'",
                    &[&SCHEMA_VERSION.to_string()],
                )?;
            } else if v != SCHEMA_VERSION.to_string() {
                return Err(Error::Store(format!(
                    "the database has schema version {v}, this centime-issuer knows {SCHEMA_VERSION}"
                )));
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Runs `f` in a READ COMMITTED transaction, again when it lost a race to a concurrent one.
    fn with_tx<T>(&self, mut f: impl FnMut(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        self.with_ledger_tx(|tx| f(tx.0))
    }

    /// [`PgStore::with_tx`] with the connection's prepared statements at hand.
    fn with_ledger_tx<T>(&self, mut f: impl FnMut(&mut Tx<'_, '_>) -> Result<T>) -> Result<T> {
        let mut c = self.conn()?;
        let mut attempt = 0;
        loop {
            let Session { client, statements } = c.session()?;
            let mut tx = client.build_transaction().isolation_level(IsolationLevel::ReadCommitted).start()?;
            let r = f(&mut Tx(&mut tx, statements)).and_then(|v| {
                tx.commit()?;
                Ok(v)
            });
            match r {
                Err(Error::Contention(why)) if attempt < RETRIES => {
                    attempt += 1;
                    tracing::debug!(%why, attempt, "lost a race to a concurrent transaction: deciding again");
                }
                other => return other,
            }
        }
    }
}

/// Creates the wallet's row if needed and locks it for the rest of the transaction.
fn lock_wallet(tx: &mut Tx<'_, '_>, wallet: &str) -> Result<()> {
    tx.execute("INSERT INTO wallets (key) VALUES ($1) ON CONFLICT DO NOTHING", &[&wallet])?;
    tx.query_one("SELECT 1 FROM wallets WHERE key = $1 FOR UPDATE", &[&wallet])?;
    Ok(())
}

/// Records a credit note and credits its wallet, the wallet's row locked.
fn insert_credit(tx: &mut Tx<'_, '_>, c: &CreditRecord) -> Result<()> {
    let wallet = c.wallet.to_string();
    if tx.query_opt("SELECT 1 FROM credits WHERE credit_id = $1", &[&c.credit_id])?.is_some() {
        return Err(credit_id_taken(&c.credit_id));
    }
    tx.execute(
        "INSERT INTO credits (credit_id, wallet, micros, asset, value, asset_scale, issued_at, credit)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &c.credit_id,
            &wallet,
            &c.micros.get(),
            &c.asset.as_str(),
            &c.value,
            &i16::from(c.asset_scale),
            &to_i64(c.issued_at)?,
            &c.credit,
        ],
    )?;
    tx.execute(
        "INSERT INTO balances (wallet, asset, credited, spent) VALUES ($1, $2, $3, 0)
         ON CONFLICT (wallet, asset) DO UPDATE SET credited = balances.credited + excluded.credited",
        &[&wallet, &c.asset.as_str(), &c.micros.get()],
    )?;
    Ok(())
}

fn insert_transfer(tx: &mut Tx<'_, '_>, t: &TransferRecord, redeemed_at: Option<u64>) -> Result<()> {
    tx.execute(
        "INSERT INTO transfers (code, payment_id, digest, sender, recipient, valid_before, deposited_at,
             redeemed_at, transfer_jws)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &t.code,
            &t.payment_id,
            &t.digest.as_slice(),
            &t.sender.to_string(),
            &t.recipient.to_string(),
            &to_i64(t.valid_before)?,
            &to_i64(t.deposited_at)?,
            &redeemed_at.map(to_i64).transpose()?,
            &t.transfer,
        ],
    )?;
    Ok(())
}

fn get<'a, T: postgres::types::FromSql<'a>>(row: &'a postgres::Row, i: usize) -> Result<T> {
    row.try_get(i).map_err(Error::from)
}

/// An item's transaction and its connection's prepared statements.
struct Tx<'a, 'b>(&'a mut Transaction<'b>, &'a mut HashMap<&'static str, Statement>);

impl Tx<'_, '_> {
    /// `sql` prepared on this connection, the first time only.
    fn statement(&mut self, sql: &'static str) -> Result<Statement> {
        if let Some(s) = self.1.get(sql) {
            return Ok(s.clone());
        }
        let s = self.0.prepare(sql)?;
        self.1.insert(sql, s.clone());
        Ok(s)
    }

    fn query_opt(
        &mut self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Option<postgres::Row>> {
        let st = self.statement(sql)?;
        Ok(self.0.query_opt(&st, params)?)
    }

    fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>> {
        let st = self.statement(sql)?;
        Ok(self.0.query(&st, params)?)
    }

    fn query_one(
        &mut self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<postgres::Row> {
        let st = self.statement(sql)?;
        Ok(self.0.query_one(&st, params)?)
    }

    fn execute(&mut self, sql: &'static str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<u64> {
        let st = self.statement(sql)?;
        Ok(self.0.execute(&st, params)?)
    }
}

/// The digest, settled_at and JWS of a settled row, from column `i` on.
fn found_at(row: &postgres::Row, i: usize) -> Result<Found> {
    Ok(Found { digest: get(row, i)?, settled_at: to_u64(get(row, i + 1)?)?, authorization: get(row, i + 2)? })
}

/// What a batch's prefetch asks for, as the arrays its set queries take.
struct BatchKeys {
    /// Every wallet of the batch, once each, sorted: the order their locks are taken in.
    wallets: Vec<String>,
    payment_ids: Vec<String>,
    /// Per item: its wallet, nonce and seq.
    item_wallets: Vec<String>,
    nonces: Vec<String>,
    seqs: Vec<i64>,
}

impl BatchKeys {
    fn of(items: &[Item]) -> Result<Self> {
        let item_wallets: Vec<String> = items.iter().map(|i| i.wallet.to_string()).collect();
        let mut wallets = item_wallets.clone();
        wallets.sort_unstable();
        wallets.dedup();
        Ok(BatchKeys {
            wallets,
            payment_ids: items.iter().map(|i| i.payment_id.clone()).collect(),
            item_wallets,
            nonces: items.iter().map(|i| i.nonce.clone()).collect(),
            seqs: items.iter().map(|i| to_i64(i.seq)).collect::<Result<_>>()?,
        })
    }
}

/// Locks the batch's wallets, creating the rows of new ones, and reads what `decide` will ask
/// about every item. The locks are taken in the keys' order, so that two batches naming some
/// of the same wallets wait for each other instead of deadlocking; once they are held, each
/// statement (READ COMMITTED) sees every commit made before, and no other transaction can
/// change these wallets' rows until this one ends.
fn prefetch(tx: &mut Tx<'_, '_>, k: &BatchKeys) -> Result<Prefetched> {
    let mut p = Prefetched::default();
    tx.execute(
        "INSERT INTO wallets (key) SELECT w FROM unnest($1::text[]) AS w ORDER BY w ON CONFLICT DO NOTHING",
        &[&k.wallets],
    )?;
    for r in tx.query(
        "SELECT key, revoked_reason, revoked_at FROM wallets WHERE key = ANY($1) ORDER BY key FOR UPDATE",
        &[&k.wallets],
    )? {
        if let (Some(why), Some(at)) = (get::<Option<String>>(&r, 1)?, get::<Option<i64>>(&r, 2)?) {
            p.revoked.insert(get(&r, 0)?, (reason(&why)?, to_u64(at)?));
        }
    }
    for r in tx.query(
        "SELECT payment_id, digest, settled_at, authorization_jws FROM settlements WHERE payment_id = ANY($1)",
        &[&k.payment_ids],
    )? {
        p.by_payment_id.insert(get(&r, 0)?, found_at(&r, 1)?);
    }
    for r in tx.query(
        "SELECT s.wallet, s.nonce FROM settlements s
         JOIN unnest($1::text[], $2::text[]) AS k(wallet, nonce) ON s.wallet = k.wallet AND s.nonce = k.nonce",
        &[&k.item_wallets, &k.nonces],
    )? {
        p.nonces.insert((get(&r, 0)?, get(&r, 1)?));
    }
    for r in tx.query(
        "SELECT DISTINCT ON (s.wallet, s.seq) s.wallet, s.seq, s.digest, s.settled_at, s.authorization_jws
         FROM settlements s JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::bigint[])) AS k(wallet, seq)
           ON s.wallet = k.wallet AND s.seq = k.seq
         ORDER BY s.wallet, s.seq, s.id",
        &[&k.item_wallets, &k.seqs],
    )? {
        p.by_seq.insert((get(&r, 0)?, get(&r, 1)?), found_at(&r, 2)?);
    }
    for r in tx.query("SELECT wallet, asset, credited, spent FROM balances WHERE wallet = ANY($1)", &[&k.wallets])? {
        p.balances.insert((get(&r, 0)?, asset(&get::<String>(&r, 1)?)?), (get(&r, 2)?, get(&r, 3)?));
    }
    Ok(p)
}

/// The batch's writes, a set statement each, the settlements in the items' order (their ids
/// are the order a statement lists them in). A `paymentId` another wallet's concurrent batch
/// took is a unique violation here: the whole batch is decided again, and then sees it.
fn write(tx: &mut Tx<'_, '_>, p: &Prefetched) -> Result<()> {
    if !p.settled.is_empty() {
        let mut c = SettledColumns::default();
        for (i, at) in &p.settled {
            c.push(i, *at)?;
        }
        tx.execute(
            "INSERT INTO settlements (payment_id, digest, wallet, nonce, seq, pay_to, micros, asset, value,
                 asset_scale, resource, valid_before, settled_at, authorization_jws)
             SELECT payment_id, digest, wallet, nonce, seq, pay_to, micros, asset, value,
                 asset_scale, resource, valid_before, settled_at, authorization_jws
             FROM unnest($1::text[], $2::bytea[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[],
                 $8::text[], $9::text[], $10::smallint[], $11::text[], $12::bigint[], $13::bigint[], $14::text[])
               WITH ORDINALITY AS t(payment_id, digest, wallet, nonce, seq, pay_to, micros, asset, value,
                 asset_scale, resource, valid_before, settled_at, authorization_jws, ord)
             ORDER BY ord",
            &[
                &c.payment_id,
                &c.digest,
                &c.wallet,
                &c.nonce,
                &c.seq,
                &c.pay_to,
                &c.micros,
                &c.asset,
                &c.value,
                &c.asset_scale,
                &c.resource,
                &c.valid_before,
                &c.settled_at,
                &c.authorization,
            ],
        )?;
        let mut wallets = Vec::with_capacity(p.spent.len());
        let mut assets = Vec::with_capacity(p.spent.len());
        let mut deltas = Vec::with_capacity(p.spent.len());
        for ((w, a), d) in &p.spent {
            wallets.push(w.as_str());
            assets.push(a.as_str());
            deltas.push(*d);
        }
        let n = tx.execute(
            "UPDATE balances AS b SET spent = b.spent + d.delta
             FROM unnest($1::text[], $2::text[], $3::bigint[]) AS d(wallet, asset, delta)
             WHERE b.wallet = d.wallet AND b.asset = d.asset",
            &[&wallets, &assets, &deltas],
        )?;
        if n != u64::try_from(deltas.len()).map_err(|_| Error::Store("too many balances".into()))? {
            return Err(Error::Store("settled without a balance row".into()));
        }
    }
    if !p.revocations.is_empty() {
        let wallets: Vec<&str> = p.revocations.iter().map(|(w, _, _)| w.as_str()).collect();
        let reasons: Vec<&str> = p.revocations.iter().map(|(_, r, _)| <&str>::from(*r)).collect();
        let at = p.revocations.iter().map(|(_, _, at)| to_i64(*at)).collect::<Result<Vec<_>>>()?;
        tx.execute(
            "UPDATE wallets AS w SET revoked_reason = d.reason, revoked_at = d.at
             FROM unnest($1::text[], $2::text[], $3::bigint[]) AS d(key, reason, at)
             WHERE w.key = d.key AND w.revoked_at IS NULL",
            &[&wallets, &reasons, &at],
        )?;
    }
    if !p.forks.is_empty() {
        let wallets: Vec<&str> = p.forks.iter().map(|f| f.wallet.as_str()).collect();
        let seqs: Vec<i64> = p.forks.iter().map(|f| f.seq).collect();
        let firsts: Vec<&str> = p.forks.iter().map(|f| f.first.as_str()).collect();
        let seconds: Vec<&str> = p.forks.iter().map(|f| f.second.as_str()).collect();
        let at = p.forks.iter().map(|f| to_i64(f.found_at)).collect::<Result<Vec<_>>>()?;
        tx.execute(
            "INSERT INTO forks (wallet, seq, first, second, found_at)
             SELECT wallet, seq, first, second, found_at
             FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[])
               WITH ORDINALITY AS t(wallet, seq, first, second, found_at, ord)
             ORDER BY ord
             ON CONFLICT DO NOTHING",
            &[&wallets, &seqs, &firsts, &seconds, &at],
        )?;
    }
    Ok(())
}

/// The settled items as one array per column, for `unnest`.
#[derive(Default)]
struct SettledColumns<'a> {
    payment_id: Vec<&'a str>,
    digest: Vec<&'a [u8]>,
    wallet: Vec<String>,
    nonce: Vec<&'a str>,
    seq: Vec<i64>,
    pay_to: Vec<&'a str>,
    micros: Vec<i64>,
    asset: Vec<&'a str>,
    value: Vec<&'a str>,
    asset_scale: Vec<i16>,
    resource: Vec<&'a str>,
    valid_before: Vec<i64>,
    settled_at: Vec<i64>,
    authorization: Vec<&'a str>,
}

impl<'a> SettledColumns<'a> {
    fn push(&mut self, i: &'a Item, at: u64) -> Result<()> {
        self.payment_id.push(&i.payment_id);
        self.digest.push(&i.digest);
        self.wallet.push(i.wallet.to_string());
        self.nonce.push(&i.nonce);
        self.seq.push(to_i64(i.seq)?);
        self.pay_to.push(&i.pay_to);
        self.micros.push(i.micros.get());
        self.asset.push(i.asset.as_str());
        self.value.push(&i.value);
        self.asset_scale.push(i16::from(i.asset_scale));
        self.resource.push(&i.resource);
        self.valid_before.push(to_i64(i.valid_before)?);
        self.settled_at.push(to_i64(at)?);
        self.authorization.push(&i.authorization);
        Ok(())
    }
}

impl Store for PgStore {
    fn register_merchant(&self, m: &MerchantRecord) -> Result<()> {
        let origins = serde_json::to_string(&m.origins).map_err(|e| Error::Store(e.to_string()))?;
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO merchants (pay_to, key, name, origins) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (pay_to) DO UPDATE SET key = excluded.key, name = excluded.name, origins = excluded.origins",
                &[&m.pay_to, &m.key.to_string(), &m.name, &origins],
            )?;
            Ok(())
        })
    }

    fn merchant(&self, pay_to: &str) -> Result<Option<MerchantRecord>> {
        let mut c = self.conn()?;
        let row = c.client()?.query_opt("SELECT key, name, origins FROM merchants WHERE pay_to = $1", &[&pay_to])?;
        row.map(|r| {
            let origins: String = get(&r, 2)?;
            Ok(MerchantRecord {
                pay_to: pay_to.to_owned(),
                key: key(&get::<String>(&r, 0)?)?,
                name: get(&r, 1)?,
                origins: serde_json::from_str(&origins).map_err(|e| Error::Store(e.to_string()))?,
            })
        })
        .transpose()
    }

    fn record_credit(&self, c: &CreditRecord) -> Result<()> {
        let wallet = c.wallet.to_string();
        self.with_ledger_tx(|tx| {
            lock_wallet(tx, &wallet)?;
            insert_credit(tx, c)
        })
    }

    fn settle(&self, items: &[Item], rules: &Rules) -> Result<Vec<Decision>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let keys = BatchKeys::of(items)?;
        self.with_ledger_tx(|tx| {
            let mut ledger = prefetch(tx, &keys)?;
            let decisions = items.iter().map(|i| decide(&mut ledger, i, rules)).collect::<Result<Vec<_>>>()?;
            write(tx, &ledger)?;
            Ok(decisions)
        })
    }

    fn revocations(&self) -> Result<Vec<RevokedKey>> {
        let mut c = self.conn()?;
        let rows = c.client()?.query(
            "SELECT key, revoked_reason, revoked_at FROM wallets WHERE revoked_at IS NOT NULL ORDER BY revoked_at, key",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(RevokedKey {
                    wallet: key(&get::<String>(r, 0)?)?,
                    reason: reason(&get::<String>(r, 1)?)?,
                    revoked_at: to_u64(get(r, 2)?)?,
                })
            })
            .collect()
    }

    fn account(&self, wallet: &PublicKey) -> Result<Account> {
        let w = wallet.to_string();
        let mut c = self.conn()?;
        // One snapshot for the three reads: a statement is a consistent view.
        let Session { client, statements } = c.session()?;
        let mut tx =
            client.build_transaction().isolation_level(IsolationLevel::RepeatableRead).read_only(true).start()?;
        let credits = tx
            .query(
                "SELECT credit_id, micros, asset, value, asset_scale, issued_at, credit FROM credits
                 WHERE wallet = $1 ORDER BY id",
                &[&w],
            )?
            .iter()
            .map(|r| {
                Ok(CreditRecord {
                    credit_id: get(r, 0)?,
                    wallet: *wallet,
                    micros: Micros::from_micros(get(r, 1)?),
                    asset: asset(&get::<String>(r, 2)?)?,
                    value: get(r, 3)?,
                    asset_scale: to_u8(i64::from(get::<i16>(r, 4)?))?,
                    issued_at: to_u64(get(r, 5)?)?,
                    credit: get(r, 6)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let settled = tx
            .query(
                "SELECT payment_id, seq, pay_to, micros, asset, value, asset_scale, resource, settled_at, authorization_jws
                 FROM settlements WHERE wallet = $1 ORDER BY id",
                &[&w],
            )?
            .iter()
            .map(|r| {
                Ok(SettledRecord {
                    payment_id: get(r, 0)?,
                    seq: to_u64(get(r, 1)?)?,
                    pay_to: get(r, 2)?,
                    micros: Micros::from_micros(get(r, 3)?),
                    asset: asset(&get::<String>(r, 4)?)?,
                    value: get(r, 5)?,
                    asset_scale: to_u8(i64::from(get::<i16>(r, 6)?))?,
                    resource: get(r, 7)?,
                    settled_at: to_u64(get(r, 8)?)?,
                    authorization: get(r, 9)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let revoked = Tx(&mut tx, statements)
            .query_opt(
                "SELECT revoked_reason, revoked_at FROM wallets WHERE key = $1 AND revoked_at IS NOT NULL",
                &[&w],
            )?
            .map(|r| {
                Ok::<_, Error>(RevokedKey {
                    wallet: *wallet,
                    reason: reason(&get::<String>(&r, 0)?)?,
                    revoked_at: to_u64(get(&r, 1)?)?,
                })
            })
            .transpose()?;
        tx.commit()?;
        Ok(Account { credits, settled, revoked })
    }

    fn use_statement_nonce(&self, wallet: &PublicKey, nonce: &str, at: u64) -> Result<bool> {
        let w = wallet.to_string();
        self.with_tx(|tx| {
            let n = tx.execute(
                "INSERT INTO statement_nonces (wallet, nonce, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                &[&w, &nonce, &to_i64(at)?],
            )?;
            Ok(n == 1)
        })
    }

    fn forks(&self, wallet: &PublicKey) -> Result<Vec<ForkRecord>> {
        let mut c = self.conn()?;
        let rows = c.client()?.query(
            "SELECT seq, first, second, found_at FROM forks WHERE wallet = $1 ORDER BY id",
            &[&wallet.to_string()],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ForkRecord {
                    wallet: *wallet,
                    seq: to_u64(get(r, 0)?)?,
                    first: get(r, 1)?,
                    second: get(r, 2)?,
                    found_at: to_u64(get(r, 3)?)?,
                })
            })
            .collect()
    }

    fn merchant_totals(&self, pay_to: &str) -> Result<Vec<(Asset, Micros)>> {
        let mut c = self.conn()?;
        // NUMERIC sums cannot overflow; cast back, refusing what no longer fits 64 bits.
        let rows = c.client()?.query(
            "SELECT asset, SUM(micros)::TEXT FROM settlements WHERE pay_to = $1 GROUP BY asset ORDER BY asset",
            &[&pay_to],
        )?;
        rows.iter()
            .map(|r| {
                let sum: String = get(r, 1)?;
                let micros: i64 = sum.parse().map_err(|_| Error::Store(format!("a total overflows: {sum}")))?;
                Ok((asset(&get::<String>(r, 0)?)?, Micros::from_micros(micros)))
            })
            .collect()
    }

    fn deposit_transfer(&self, t: &TransferRecord) -> Result<String> {
        // Two deposits of one paymentId race to the unique index: the loser is run again and
        // then finds the winner's row.
        self.with_ledger_tx(|tx| {
            if let Some(r) =
                tx.query_opt("SELECT code, digest FROM transfers WHERE payment_id = $1", &[&t.payment_id])?
            {
                let digest: Vec<u8> = get(&r, 1)?;
                return if digest == t.digest { get(&r, 0) } else { Err(payment_id_conflict(&t.payment_id)) };
            }
            if tx.query_opt("SELECT 1 FROM settlements WHERE payment_id = $1", &[&t.payment_id])?.is_some() {
                return Err(payment_id_conflict(&t.payment_id));
            }
            insert_transfer(tx, t, None)?;
            Ok(t.code.clone())
        })
    }

    fn transfer_by_code(&self, code: &str) -> Result<Option<(TransferRecord, Option<u64>)>> {
        let mut c = self.conn()?;
        let row = c.client()?.query_opt(
            "SELECT payment_id, digest, sender, recipient, valid_before, deposited_at, redeemed_at, transfer_jws
             FROM transfers WHERE code = $1",
            &[&code],
        )?;
        row.map(|r| {
            let digest: Vec<u8> = get(&r, 1)?;
            Ok((
                TransferRecord {
                    code: code.to_owned(),
                    payment_id: get(&r, 0)?,
                    digest: digest.try_into().map_err(|_| Error::Store("a stored digest is not 32 bytes".into()))?,
                    sender: key(&get::<String>(&r, 2)?)?,
                    recipient: key(&get::<String>(&r, 3)?)?,
                    valid_before: to_u64(get(&r, 4)?)?,
                    deposited_at: to_u64(get(&r, 5)?)?,
                    transfer: get(&r, 7)?,
                },
                get::<Option<i64>>(&r, 6)?.map(to_u64).transpose()?,
            ))
        })
        .transpose()
    }

    fn redeem_transfer(
        &self,
        t: &TransferRecord,
        item: &Item,
        credit: &CreditRecord,
        rules: &Rules,
    ) -> Result<Redemption> {
        let keys = BatchKeys::of(std::slice::from_ref(item))?;
        let mut wallets = [t.sender.to_string(), t.recipient.to_string()];
        wallets.sort_unstable();
        self.with_ledger_tx(|tx| {
            // Both wallets' locks, in the keys' order as every batch takes them: two redemptions
            // of one transfer are decided one after the other, the second seeing the first.
            for w in &wallets {
                lock_wallet(tx, w)?;
            }
            let known =
                tx.query_opt("SELECT digest, redeemed_at FROM transfers WHERE payment_id = $1", &[&t.payment_id])?;
            if let Some(r) = &known {
                if get::<Vec<u8>>(r, 0)? != t.digest {
                    return Ok(Redemption::PaymentIdConflict);
                }
                if get::<Option<i64>>(r, 1)?.is_some() {
                    return Ok(Redemption::AlreadyRedeemed);
                }
            }
            let mut ledger = prefetch(tx, &keys)?;
            let d = decide(&mut ledger, item, rules)?;
            write(tx, &ledger)?;
            Ok(match (d.outcome, d.code) {
                (SettlementOutcome::Settled, _) => {
                    insert_credit(tx, credit)?;
                    if known.is_some() {
                        tx.execute(
                            "UPDATE transfers SET redeemed_at = $2 WHERE payment_id = $1",
                            &[&t.payment_id, &to_i64(rules.now)?],
                        )?;
                    } else {
                        insert_transfer(tx, t, Some(rules.now))?;
                    }
                    Redemption::Redeemed
                }
                (SettlementOutcome::AlreadySettled, _) => Redemption::AlreadyRedeemed,
                (SettlementOutcome::Refused, Some(code)) => Redemption::Refused(code),
                (SettlementOutcome::Refused, None) => return Err(Error::Store("a refusal without its code".into())),
            })
        })
    }

    fn inbox(&self, wallet: &PublicKey, after: u64, limit: usize) -> Result<Vec<String>> {
        let mut c = self.conn()?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = c.client()?.query(
            "SELECT transfer_jws FROM transfers WHERE recipient = $1 AND redeemed_at IS NULL AND valid_before > $2
             ORDER BY id LIMIT $3",
            &[&wallet.to_string(), &to_i64(after)?, &limit],
        )?;
        rows.iter().map(|r| get(r, 0)).collect()
    }
}
