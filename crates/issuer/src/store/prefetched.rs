//! A batch's ledger in memory: what [`decide`](super::decide) reads for every item of the batch,
//! fetched in a few set queries once the wallets are locked, and the writes it makes, kept in
//! order until they are written in a few set statements. Each write is applied to the reads at
//! once, so a later item of the batch sees what an earlier one did, as it would in the database.
//!
//! A backend fills the reads under the locks of every wallet of the batch: no other transaction
//! can change those wallets' rows meanwhile. What spans wallets (a `paymentId` another wallet
//! takes concurrently) is held by the unique index when the writes are made.

use std::collections::{HashMap, HashSet};

use centime_protocol::Asset;
use centime_protocol::revocation::RevocationReason;

use super::{Found, Item, LedgerTx};
use crate::error::{Error, Result};

/// A fork proof to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewFork {
    pub wallet: String,
    pub seq: i64,
    pub first: String,
    pub second: String,
    pub found_at: u64,
}

/// The reads (filled by the backend) and the writes (made by `decide`) of one batch.
#[derive(Debug, Default)]
pub(crate) struct Prefetched {
    /// Every settled row with a `paymentId` of the batch.
    pub by_payment_id: HashMap<String, Found>,
    /// Every settled `(wallet, nonce)` of the batch.
    pub nonces: HashSet<(String, String)>,
    /// The first settled row of every `(wallet, seq)` of the batch.
    pub by_seq: HashMap<(String, i64), Found>,
    /// The revoked wallets of the batch.
    pub revoked: HashMap<String, (RevocationReason, u64)>,
    /// Credited and spent of every `(wallet, asset)` of the batch's wallets.
    pub balances: HashMap<(String, Asset), (i64, i64)>,
    /// The items settled, in order, and when.
    pub settled: Vec<(Item, u64)>,
    /// What each `(wallet, asset)` spent in this batch.
    pub spent: HashMap<(String, Asset), i64>,
    /// The wallets revoked in this batch.
    pub revocations: Vec<(String, RevocationReason, u64)>,
    /// The fork proofs found in this batch, each once.
    pub forks: Vec<NewFork>,
}

impl LedgerTx for Prefetched {
    fn by_payment_id(&mut self, payment_id: &str) -> Result<Option<Found>> {
        Ok(self.by_payment_id.get(payment_id).cloned())
    }

    fn nonce_settled(&mut self, wallet: &str, nonce: &str) -> Result<bool> {
        Ok(self.nonces.contains(&(wallet.to_owned(), nonce.to_owned())))
    }

    fn by_seq(&mut self, wallet: &str, seq: i64) -> Result<Option<Found>> {
        Ok(self.by_seq.get(&(wallet.to_owned(), seq)).cloned())
    }

    fn revocation(&mut self, wallet: &str) -> Result<Option<(RevocationReason, u64)>> {
        Ok(self.revoked.get(wallet).copied())
    }

    fn revoke(&mut self, wallet: &str, reason: RevocationReason, at: u64) -> Result<()> {
        // As the database's `WHERE revoked_at IS NULL`: the first revocation stands.
        if !self.revoked.contains_key(wallet) {
            self.revoked.insert(wallet.to_owned(), (reason, at));
            self.revocations.push((wallet.to_owned(), reason, at));
        }
        Ok(())
    }

    fn record_fork(&mut self, wallet: &str, seq: i64, first: &str, second: &str, at: u64) -> Result<()> {
        // As the table's unique (wallet, seq, second): one proof per second authorization.
        if !self.forks.iter().any(|f| f.wallet == wallet && f.seq == seq && f.second == second) {
            self.forks.push(NewFork {
                wallet: wallet.to_owned(),
                seq,
                first: first.to_owned(),
                second: second.to_owned(),
                found_at: at,
            });
        }
        Ok(())
    }

    fn available(&mut self, wallet: &str, asset: Asset) -> Result<i64> {
        let (credited, spent) = self.balances.get(&(wallet.to_owned(), asset)).copied().unwrap_or((0, 0));
        credited.checked_sub(spent).ok_or_else(|| Error::Store("balance overflow".into()))
    }

    fn insert_settlement(&mut self, item: &Item, at: u64) -> Result<()> {
        let wallet = item.wallet.to_string();
        let micros = item.micros.get();
        let overflow = || Error::Store("balance overflow".into());
        let balance = self
            .balances
            .get_mut(&(wallet.clone(), item.asset))
            .ok_or_else(|| Error::Store("settled without a balance row".into()))?;
        balance.1 = balance.1.checked_add(micros).ok_or_else(overflow)?;
        let delta = self.spent.entry((wallet.clone(), item.asset)).or_insert(0);
        *delta = delta.checked_add(micros).ok_or_else(overflow)?;
        let found = Found { digest: item.digest.to_vec(), settled_at: at, authorization: item.authorization.clone() };
        // The first row of a seq stays the first: a later one is a fork of it.
        self.by_seq.entry((wallet.clone(), super::to_i64(item.seq)?)).or_insert_with(|| found.clone());
        self.by_payment_id.insert(item.payment_id.clone(), found);
        self.nonces.insert((wallet, item.nonce.clone()));
        self.settled.push((item.clone(), at));
        Ok(())
    }
}
