//! The embedded backend: one SQLite file in WAL mode with `synchronous=FULL`, one connection,
//! every write in a `BEGIN IMMEDIATE` transaction (the database's write lock is the wallets'
//! lock, and everyone else's: one issuer process, one writer). A settlement batch is one such
//! transaction: its items decided in order, each seeing the ones before, one commit.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use centime_protocol::revocation::{RevocationReason, RevokedKey};
use centime_protocol::{Asset, Micros, PublicKey};
use rusqlite::{Connection, OptionalExtension as _, Transaction, TransactionBehavior, params};

use centime_protocol::settlement::SettlementOutcome;

use super::{
    Account, CreditRecord, Decision, ForkRecord, Found, Item, LedgerTx, MerchantRecord, Redemption, Rules,
    SettledRecord, Store, TransferRecord, asset, credit_id_taken, decide, key, payment_id_conflict, reason, to_i64,
    to_u8, to_u64,
};
use crate::error::{Error, Result};

const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE merchants (
    pay_to   TEXT PRIMARY KEY,
    key      TEXT NOT NULL,
    name     TEXT NOT NULL,
    origins  TEXT NOT NULL
) STRICT;

CREATE TABLE wallets (
    key            TEXT PRIMARY KEY,
    revoked_reason TEXT CHECK (revoked_reason IN ('fork', 'overdrawn')),
    revoked_at     INTEGER,
    CHECK ((revoked_reason IS NULL) = (revoked_at IS NULL))
) STRICT;

CREATE TABLE balances (
    wallet   TEXT    NOT NULL REFERENCES wallets (key),
    asset    TEXT    NOT NULL,
    credited INTEGER NOT NULL CHECK (credited >= 0),
    spent    INTEGER NOT NULL CHECK (spent >= 0 AND spent <= credited),
    PRIMARY KEY (wallet, asset)
) STRICT;

CREATE TABLE credits (
    id          INTEGER PRIMARY KEY,
    credit_id   TEXT    NOT NULL UNIQUE,
    wallet      TEXT    NOT NULL REFERENCES wallets (key),
    micros      INTEGER NOT NULL CHECK (micros > 0),
    asset       TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    asset_scale INTEGER NOT NULL,
    issued_at   INTEGER NOT NULL,
    credit      TEXT    NOT NULL
) STRICT;
CREATE INDEX credits_wallet ON credits (wallet, id);

CREATE TABLE settlements (
    id            INTEGER PRIMARY KEY,
    payment_id    TEXT    NOT NULL UNIQUE,
    digest        BLOB    NOT NULL CHECK (length(digest) = 32),
    wallet        TEXT    NOT NULL REFERENCES wallets (key),
    nonce         TEXT    NOT NULL,
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    pay_to        TEXT    NOT NULL,
    micros        INTEGER NOT NULL CHECK (micros > 0),
    asset         TEXT    NOT NULL,
    value         TEXT    NOT NULL,
    asset_scale   INTEGER NOT NULL,
    resource      TEXT    NOT NULL,
    valid_before  INTEGER NOT NULL,
    settled_at    INTEGER NOT NULL,
    authorization_jws TEXT    NOT NULL,
    UNIQUE (wallet, nonce)
) STRICT;
CREATE INDEX settlements_seq ON settlements (wallet, seq);
CREATE INDEX settlements_pay_to ON settlements (pay_to);
CREATE TRIGGER settlements_append_only_update BEFORE UPDATE ON settlements
BEGIN SELECT RAISE(ABORT, 'settlements are append-only'); END;
CREATE TRIGGER settlements_append_only_delete BEFORE DELETE ON settlements
BEGIN SELECT RAISE(ABORT, 'settlements are append-only'); END;

CREATE TABLE forks (
    id       INTEGER PRIMARY KEY,
    wallet   TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    first    TEXT    NOT NULL,
    second   TEXT    NOT NULL,
    found_at INTEGER NOT NULL,
    UNIQUE (wallet, seq, second)
) STRICT;

CREATE TABLE statement_nonces (
    wallet  TEXT    NOT NULL,
    nonce   TEXT    NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (wallet, nonce)
) STRICT;
";

/// Version 2: transfers between wallets (docs/protocol.md §14). A transfer's settlement is an
/// ordinary row of `settlements`; this table holds what waits for its recipient.
const SCHEMA_2: &str = "
CREATE TABLE transfers (
    id           INTEGER PRIMARY KEY,
    code         TEXT    NOT NULL UNIQUE,
    payment_id   TEXT    NOT NULL UNIQUE,
    digest       BLOB    NOT NULL CHECK (length(digest) = 32),
    sender       TEXT    NOT NULL,
    recipient    TEXT    NOT NULL,
    valid_before INTEGER NOT NULL,
    deposited_at INTEGER NOT NULL,
    redeemed_at  INTEGER,
    transfer_jws TEXT    NOT NULL
) STRICT;
CREATE INDEX transfers_recipient ON transfers (recipient, id);
";

/// The SQLite ledger.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating and migrating) the ledger at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(Error::Store(format!("{} could not be switched to WAL ({mode})", path.display())));
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        match version {
            0 | 1 => {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                if version == 0 {
                    tx.execute_batch(SCHEMA)?;
                }
                tx.execute_batch(SCHEMA_2)?;
                tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
                tx.commit()?;
            }
            SCHEMA_VERSION => {}
            v => {
                return Err(Error::Store(format!(
                    "{} has schema version {v}, this centime-issuer knows {SCHEMA_VERSION}; refusing to open it",
                    path.display()
                )));
            }
        }
        Ok(SqliteStore { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| Error::Store("the ledger lock is poisoned".into()))
    }
}

/// Records a credit note and credits its wallet, inside `tx`.
fn insert_credit(tx: &Transaction<'_>, c: &CreditRecord) -> Result<()> {
    let wallet = c.wallet.to_string();
    ensure_wallet(tx, &wallet)?;
    let taken = tx
        .prepare_cached("SELECT 1 FROM credits WHERE credit_id = ?1")?
        .query_row([&c.credit_id], |_| Ok(()))
        .optional()?
        .is_some();
    if taken {
        return Err(credit_id_taken(&c.credit_id));
    }
    tx.prepare_cached(
        "INSERT INTO credits (credit_id, wallet, micros, asset, value, asset_scale, issued_at, credit)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        c.credit_id,
        wallet,
        c.micros.get(),
        c.asset.as_str(),
        c.value,
        c.asset_scale,
        to_i64(c.issued_at)?,
        c.credit
    ])?;
    tx.prepare_cached(
        "INSERT INTO balances (wallet, asset, credited, spent) VALUES (?1, ?2, ?3, 0)
         ON CONFLICT (wallet, asset) DO UPDATE SET credited = credited + excluded.credited",
    )?
    .execute(params![wallet, c.asset.as_str(), c.micros.get()])?;
    Ok(())
}

/// The stored transfer with this `paymentId`: its digest and when it was redeemed.
fn transfer_by_payment_id(tx: &Transaction<'_>, payment_id: &str) -> Result<Option<(Vec<u8>, Option<i64>)>> {
    Ok(tx
        .prepare_cached("SELECT digest, redeemed_at FROM transfers WHERE payment_id = ?1")?
        .query_row([payment_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn insert_transfer(tx: &Transaction<'_>, t: &TransferRecord, redeemed_at: Option<u64>) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO transfers (code, payment_id, digest, sender, recipient, valid_before, deposited_at,
             redeemed_at, transfer_jws)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        t.code,
        t.payment_id,
        t.digest.as_slice(),
        t.sender.to_string(),
        t.recipient.to_string(),
        to_i64(t.valid_before)?,
        to_i64(t.deposited_at)?,
        redeemed_at.map(to_i64).transpose()?,
        t.transfer,
    ])?;
    Ok(())
}

fn ensure_wallet(tx: &Transaction<'_>, wallet: &str) -> Result<()> {
    tx.prepare_cached("INSERT INTO wallets (key) VALUES (?1) ON CONFLICT DO NOTHING")?.execute([wallet])?;
    Ok(())
}

struct Tx<'a, 'b>(&'a Transaction<'b>);

impl LedgerTx for Tx<'_, '_> {
    fn by_payment_id(&mut self, payment_id: &str) -> Result<Option<Found>> {
        let row = self
            .0
            .prepare_cached("SELECT digest, settled_at, authorization_jws FROM settlements WHERE payment_id = ?1")?
            .query_row([payment_id], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))
            .optional()?;
        row.map(|(digest, at, authorization)| Ok(Found { digest, settled_at: to_u64(at)?, authorization })).transpose()
    }

    fn nonce_settled(&mut self, wallet: &str, nonce: &str) -> Result<bool> {
        Ok(self
            .0
            .prepare_cached("SELECT 1 FROM settlements WHERE wallet = ?1 AND nonce = ?2")?
            .query_row([wallet, nonce], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn by_seq(&mut self, wallet: &str, seq: i64) -> Result<Option<Found>> {
        let row = self
            .0
            .prepare_cached(
                "SELECT digest, settled_at, authorization_jws FROM settlements WHERE wallet = ?1 AND seq = ?2
                 ORDER BY id LIMIT 1",
            )?
            .query_row(params![wallet, seq], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?))
            })
            .optional()?;
        row.map(|(digest, at, authorization)| Ok(Found { digest, settled_at: to_u64(at)?, authorization })).transpose()
    }

    fn revocation(&mut self, wallet: &str) -> Result<Option<(RevocationReason, u64)>> {
        let row = self
            .0
            .prepare_cached("SELECT revoked_reason, revoked_at FROM wallets WHERE key = ?1 AND revoked_at IS NOT NULL")?
            .query_row([wallet], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .optional()?;
        row.map(|(r, at)| Ok((reason(&r)?, to_u64(at)?))).transpose()
    }

    fn revoke(&mut self, wallet: &str, why: RevocationReason, at: u64) -> Result<()> {
        self.0
            .prepare_cached(
                "UPDATE wallets SET revoked_reason = ?2, revoked_at = ?3 WHERE key = ?1 AND revoked_at IS NULL",
            )?
            .execute(params![wallet, <&str>::from(why), to_i64(at)?])?;
        Ok(())
    }

    fn record_fork(&mut self, wallet: &str, seq: i64, first: &str, second: &str, at: u64) -> Result<()> {
        self.0
            .prepare_cached(
                "INSERT INTO forks (wallet, seq, first, second, found_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![wallet, seq, first, second, to_i64(at)?])?;
        Ok(())
    }

    fn available(&mut self, wallet: &str, asset: Asset) -> Result<i64> {
        let row: Option<(i64, i64)> = self
            .0
            .prepare_cached("SELECT credited, spent FROM balances WHERE wallet = ?1 AND asset = ?2")?
            .query_row([wallet, asset.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (credited, spent) = row.unwrap_or((0, 0));
        credited.checked_sub(spent).ok_or_else(|| Error::Store("balance overflow".into()))
    }

    fn insert_settlement(&mut self, i: &Item, at: u64) -> Result<()> {
        let wallet = i.wallet.to_string();
        self.0
            .prepare_cached(
                "INSERT INTO settlements (payment_id, digest, wallet, nonce, seq, pay_to, micros, asset, value,
                     asset_scale, resource, valid_before, settled_at, authorization_jws)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                i.payment_id,
                i.digest.as_slice(),
                wallet,
                i.nonce,
                to_i64(i.seq)?,
                i.pay_to,
                i.micros.get(),
                i.asset.as_str(),
                i.value,
                i.asset_scale,
                i.resource,
                to_i64(i.valid_before)?,
                to_i64(at)?,
                i.authorization,
            ])?;
        let n = self
            .0
            .prepare_cached("UPDATE balances SET spent = spent + ?3 WHERE wallet = ?1 AND asset = ?2")?
            .execute(params![wallet, i.asset.as_str(), i.micros.get()])?;
        if n != 1 {
            return Err(Error::Store("settled without a balance row".into()));
        }
        Ok(())
    }
}

impl Store for SqliteStore {
    fn register_merchant(&self, m: &MerchantRecord) -> Result<()> {
        let origins = serde_json::to_string(&m.origins).map_err(|e| Error::Store(e.to_string()))?;
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO merchants (pay_to, key, name, origins) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (pay_to) DO UPDATE SET key = excluded.key, name = excluded.name, origins = excluded.origins",
            params![m.pay_to, m.key.to_string(), m.name, origins],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn merchant(&self, pay_to: &str) -> Result<Option<MerchantRecord>> {
        let conn = self.conn()?;
        let row = conn
            .prepare_cached("SELECT key, name, origins FROM merchants WHERE pay_to = ?1")?
            .query_row([pay_to], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
            .optional()?;
        row.map(|(k, name, origins)| {
            Ok(MerchantRecord {
                pay_to: pay_to.to_owned(),
                key: key(&k)?,
                name,
                origins: serde_json::from_str(&origins).map_err(|e| Error::Store(e.to_string()))?,
            })
        })
        .transpose()
    }

    fn record_credit(&self, c: &CreditRecord) -> Result<()> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_credit(&tx, c)?;
        tx.commit()?;
        Ok(())
    }

    fn settle(&self, items: &[Item], rules: &Rules) -> Result<Vec<Decision>> {
        let mut conn = self.conn()?;
        // The write lock, taken first, is every wallet's; the statements are prepared once and
        // run in-process, so the batch costs its items' reads and writes and one sync of the log.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut decisions = Vec::with_capacity(items.len());
        for item in items {
            ensure_wallet(&tx, &item.wallet.to_string())?;
            decisions.push(decide(&mut Tx(&tx), item, rules)?);
        }
        tx.commit()?;
        Ok(decisions)
    }

    fn revocations(&self) -> Result<Vec<RevokedKey>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT key, revoked_reason, revoked_at FROM wallets WHERE revoked_at IS NOT NULL
             ORDER BY revoked_at, key",
        )?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(k, r, at)| Ok(RevokedKey { wallet: key(&k)?, reason: reason(&r)?, revoked_at: to_u64(at)? }))
            .collect()
    }

    fn account(&self, wallet: &PublicKey) -> Result<Account> {
        let w = wallet.to_string();
        let mut conn = self.conn()?;
        // One snapshot for the three reads: a statement is a consistent view.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let credits = tx
            .prepare_cached(
                "SELECT credit_id, micros, asset, value, asset_scale, issued_at, credit FROM credits
                 WHERE wallet = ?1 ORDER BY id",
            )?
            .query_map([&w], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(credit_id, micros, a, value, scale, at, credit)| {
                Ok(CreditRecord {
                    credit_id,
                    wallet: *wallet,
                    micros: Micros::from_micros(micros),
                    asset: asset(&a)?,
                    value,
                    asset_scale: to_u8(scale)?,
                    issued_at: to_u64(at)?,
                    credit,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let settled = tx
            .prepare_cached(
                "SELECT payment_id, seq, pay_to, micros, asset, value, asset_scale, resource, settled_at, authorization_jws
                 FROM settlements WHERE wallet = ?1 ORDER BY id",
            )?
            .query_map([&w], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, String>(7)?,
                    r.get::<_, i64>(8)?,
                    r.get::<_, String>(9)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .map(|(payment_id, seq, pay_to, micros, a, value, scale, resource, at, authorization)| {
                Ok(SettledRecord {
                    payment_id,
                    seq: to_u64(seq)?,
                    pay_to,
                    micros: Micros::from_micros(micros),
                    asset: asset(&a)?,
                    value,
                    asset_scale: to_u8(scale)?,
                    resource,
                    settled_at: to_u64(at)?,
                    authorization,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let revoked =
            Tx(&tx).revocation(&w)?.map(|(reason, revoked_at)| RevokedKey { wallet: *wallet, reason, revoked_at });
        tx.commit()?;
        Ok(Account { credits, settled, revoked })
    }

    fn use_statement_nonce(&self, wallet: &PublicKey, nonce: &str, at: u64) -> Result<bool> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx
            .prepare_cached(
                "INSERT INTO statement_nonces (wallet, nonce, seen_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            )?
            .execute(params![wallet.to_string(), nonce, to_i64(at)?])?;
        tx.commit()?;
        Ok(n == 1)
    }

    fn forks(&self, wallet: &PublicKey) -> Result<Vec<ForkRecord>> {
        let conn = self.conn()?;
        let mut st =
            conn.prepare_cached("SELECT seq, first, second, found_at FROM forks WHERE wallet = ?1 ORDER BY id")?;
        let rows = st
            .query_map([wallet.to_string()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(seq, first, second, at)| {
                Ok(ForkRecord { wallet: *wallet, seq: to_u64(seq)?, first, second, found_at: to_u64(at)? })
            })
            .collect()
    }

    fn merchant_totals(&self, pay_to: &str) -> Result<Vec<(Asset, Micros)>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT asset, SUM(micros) FROM settlements WHERE pay_to = ?1 GROUP BY asset ORDER BY asset",
        )?;
        let rows = st
            .query_map([pay_to], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter().map(|(a, m)| Ok((asset(&a)?, Micros::from_micros(m)))).collect()
    }

    fn deposit_transfer(&self, t: &TransferRecord) -> Result<String> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let known: Option<(String, Vec<u8>)> = tx
            .prepare_cached("SELECT code, digest FROM transfers WHERE payment_id = ?1")?
            .query_row([&t.payment_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((code, digest)) = known {
            return if digest == t.digest { Ok(code) } else { Err(payment_id_conflict(&t.payment_id)) };
        }
        if Tx(&tx).by_payment_id(&t.payment_id)?.is_some() {
            return Err(payment_id_conflict(&t.payment_id));
        }
        insert_transfer(&tx, t, None)?;
        tx.commit()?;
        Ok(t.code.clone())
    }

    fn transfer_by_code(&self, code: &str) -> Result<Option<(TransferRecord, Option<u64>)>> {
        let conn = self.conn()?;
        let row = conn
            .prepare_cached(
                "SELECT payment_id, digest, sender, recipient, valid_before, deposited_at, redeemed_at, transfer_jws
                 FROM transfers WHERE code = ?1",
            )?
            .query_row([code], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                    r.get::<_, String>(7)?,
                ))
            })
            .optional()?;
        row.map(|(payment_id, digest, sender, recipient, valid_before, deposited_at, redeemed_at, transfer)| {
            Ok((
                TransferRecord {
                    code: code.to_owned(),
                    payment_id,
                    digest: digest.try_into().map_err(|_| Error::Store("a stored digest is not 32 bytes".into()))?,
                    sender: key(&sender)?,
                    recipient: key(&recipient)?,
                    valid_before: to_u64(valid_before)?,
                    deposited_at: to_u64(deposited_at)?,
                    transfer,
                },
                redeemed_at.map(to_u64).transpose()?,
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
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let known = transfer_by_payment_id(&tx, &t.payment_id)?;
        match &known {
            Some((digest, _)) if digest.as_slice() != t.digest => return Ok(Redemption::PaymentIdConflict),
            Some((_, Some(_))) => return Ok(Redemption::AlreadyRedeemed),
            _ => {}
        }
        ensure_wallet(&tx, &item.wallet.to_string())?;
        let d = decide(&mut Tx(&tx), item, rules)?;
        let outcome = match (d.outcome, d.code) {
            (SettlementOutcome::Settled, _) => {
                insert_credit(&tx, credit)?;
                match known {
                    Some(_) => {
                        tx.prepare_cached("UPDATE transfers SET redeemed_at = ?2 WHERE payment_id = ?1")?
                            .execute(params![t.payment_id, to_i64(rules.now)?])?;
                    }
                    None => insert_transfer(&tx, t, Some(rules.now))?,
                }
                Redemption::Redeemed
            }
            (SettlementOutcome::AlreadySettled, _) => Redemption::AlreadyRedeemed,
            (SettlementOutcome::Refused, Some(code)) => Redemption::Refused(code),
            (SettlementOutcome::Refused, None) => return Err(Error::Store("a refusal without its code".into())),
        };
        // A refusal keeps what §13.2 recorded (a fork proof, a revocation), nothing else.
        tx.commit()?;
        Ok(outcome)
    }

    fn inbox(&self, wallet: &PublicKey, after: u64, limit: usize) -> Result<Vec<String>> {
        let conn = self.conn()?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut st = conn.prepare_cached(
            "SELECT transfer_jws FROM transfers WHERE recipient = ?1 AND redeemed_at IS NULL AND valid_before > ?2
             ORDER BY id LIMIT ?3",
        )?;
        let rows = st
            .query_map(params![wallet.to_string(), to_i64(after)?, limit], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
