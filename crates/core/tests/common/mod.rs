//! Shared fixtures for the core's integration tests: an in-memory keystore, a test issuer
//! and merchant with fixed keys, request builders and a raw view of the database.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use centime_core::keystore::{KeyStore, KeystoreKind, Secrets};
use centime_core::{Error, Issuer, Result, Wallet};
use centime_protocol::documents::{self, CreditClaims, ReceiptClaims};
use centime_protocol::jws::{self, RingSigner, Signer as _};
use centime_protocol::{
    Amount, Asset, FixedClock, Micros, Network, PaymentId, PaymentRequired, PaymentRequirements, PublicKey,
    ResourceInfo, SettlementResponse,
};
use rusqlite::Connection;
use serde_json::json;

pub const NETWORK: &str = "centime:test";
pub const ISSUER_SEED: [u8; 32] = [7; 32];
pub const OTHER_ISSUER_SEED: [u8; 32] = [8; 32];
pub const MERCHANT_SEED: [u8; 32] = [9; 32];
pub const PAY_TO: &str = "merchant-news";

/// A keystore that lives in memory: fast, and shared between "processes" through an `Arc`.
#[derive(Debug, Default)]
pub struct MemKeyStore {
    entries: Mutex<HashMap<String, Vec<u8>>>,
}

impl MemKeyStore {
    pub fn new() -> Arc<Self> {
        Arc::new(MemKeyStore::default())
    }

    pub fn forget(&self, account: &str) {
        self.entries.lock().unwrap().remove(account);
    }

    pub fn accounts(&self) -> Vec<String> {
        self.entries.lock().unwrap().keys().cloned().collect()
    }
}

impl KeyStore for MemKeyStore {
    fn kind(&self) -> KeystoreKind {
        // Only the two real kinds exist; the tests stand in for the file keystore.
        KeystoreKind::File
    }

    fn load(&self, account: &str) -> Result<Option<Secrets>> {
        match self.entries.lock().unwrap().get(account) {
            Some(b) => Secrets::decode(b).map(Some),
            None => Ok(None),
        }
    }

    fn save(&self, account: &str, secrets: &Secrets) -> Result<()> {
        self.entries.lock().unwrap().insert(account.to_owned(), secrets.encode().to_vec());
        Ok(())
    }

    fn probe(&self) -> Result<()> {
        Ok(())
    }
}

pub fn network() -> Network {
    NETWORK.parse().unwrap()
}

pub fn issuer_signer() -> RingSigner {
    RingSigner::from_seed(&ISSUER_SEED).unwrap()
}

pub fn merchant_signer() -> RingSigner {
    RingSigner::from_seed(&MERCHANT_SEED).unwrap()
}

pub fn test_issuer() -> Issuer {
    Issuer { network: network(), public_key: issuer_signer().public_key(), name: Some("Test issuer".into()) }
}

/// The fixed "now" of the tests: 2100-01-01 12:00:00 UTC. It must stay ahead of the real
/// clock, which `Wallet::open` uses to find stale pending payments.
pub const T0: u64 = 4_102_488_000;
pub const DAY: u64 = 86_400;

pub fn eur(micros: i64) -> Amount {
    Amount::new(Micros::from_micros(micros), Asset::EUR)
}

/// A wallet in a temporary directory, with an in-memory keystore and a fixed clock.
pub struct Fx {
    pub dir: tempfile::TempDir,
    pub ks: Arc<MemKeyStore>,
    pub clock: Arc<FixedClock>,
    pub w: Wallet,
    next_credit: u64,
}

impl Fx {
    pub fn new() -> Fx {
        let dir = tempfile::tempdir().unwrap();
        let ks = MemKeyStore::new();
        let clock = Arc::new(FixedClock::new(T0));
        let mut w = Wallet::init(&dir.path().join("wallet"), ks.as_ref(), &[test_issuer()]).unwrap();
        w.set_clock(clock.clone());
        Fx { dir, ks, clock, w, next_credit: 0 }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("wallet")
    }

    pub fn now(&self) -> u64 {
        use centime_protocol::Clock as _;
        self.clock.now()
    }

    /// Opens the wallet again, as a new process would, and drops the old handle (a restart).
    pub fn reopen(&mut self) {
        let mut w = Wallet::open(&self.data_dir(), self.ks.as_ref()).unwrap();
        w.set_clock(self.clock.clone());
        self.w = w;
    }

    pub fn fresh_credit_id(&mut self) -> String {
        self.next_credit += 1;
        format!("credit-{:06}", self.next_credit)
    }

    /// Redeems a fresh credit note worth `micros` EUR.
    pub fn topup(&mut self, micros: i64) -> centime_core::Topup {
        let id = self.fresh_credit_id();
        let note = credit_note(&self.w.id(), &id, micros, self.now());
        self.w.topup(&note).unwrap()
    }

    pub fn balance(&self) -> i64 {
        balance_of(&self.w)
    }

    pub fn db(&self) -> Connection {
        raw_db(&self.data_dir())
    }

    pub fn snapshot(&self) -> DbSnapshot {
        DbSnapshot::take(&self.data_dir())
    }
}

pub fn balance_of(w: &Wallet) -> i64 {
    w.balances().unwrap().iter().filter(|b| b.network == NETWORK && b.asset == Asset::EUR).map(|b| b.amount.get()).sum()
}

/// Claims for a credit note from the test issuer.
pub fn credit_claims(sub: &PublicKey, credit_id: &str, micros: i64, issued_at: u64) -> CreditClaims {
    let m = Micros::from_micros(micros);
    let scale = m.natural_scale();
    CreditClaims {
        iss: issuer_signer().public_key(),
        network: network(),
        sub: *sub,
        credit_id: credit_id.into(),
        value: m.to_wire(scale).unwrap(),
        asset: Asset::EUR,
        asset_scale: scale,
        issued_at,
    }
}

pub fn credit_note(sub: &PublicKey, credit_id: &str, micros: i64, issued_at: u64) -> String {
    documents::sign(&issuer_signer(), &credit_claims(sub, credit_id, micros, issued_at)).unwrap()
}

/// Signs arbitrary JSON claims as a credit note (for values the typed claims cannot hold).
pub fn raw_credit_note(signer: &RingSigner, claims: &serde_json::Value) -> String {
    jws::sign(signer, documents::CREDIT_TYP, &serde_json::to_vec(claims).unwrap()).unwrap()
}

pub fn credit_json(
    sub: &PublicKey,
    credit_id: &str,
    value: &str,
    asset: &str,
    scale: i64,
    issued_at: u64,
) -> serde_json::Value {
    json!({
        "iss": issuer_signer().public_key(),
        "network": NETWORK,
        "sub": sub,
        "creditId": credit_id,
        "value": value,
        "asset": asset,
        "assetScale": scale,
        "issuedAt": issued_at,
    })
}

/// A merchant's 402 for `url` at `micros` EUR.
pub fn offer(url: &str, micros: i64) -> PaymentRequired {
    offer_with(url, micros, 60)
}

pub fn offer_with(url: &str, micros: i64, timeout: u64) -> PaymentRequired {
    let accepts = vec![PaymentRequirements::centime(&network(), PAY_TO, eur(micros), timeout, "News", None).unwrap()];
    PaymentRequired {
        x402_version: 2,
        error: None,
        resource: ResourceInfo {
            url: url.into(),
            description: Some(format!("Article at {url}")),
            mime_type: None,
            other: Default::default(),
        },
        accepts,
        extensions: Default::default(),
        other: Default::default(),
    }
}

/// The merchant's signed receipt for a payment.
pub fn receipt(payer: &PublicKey, payment_id: &PaymentId, resource: &str, micros: i64, issued_at: u64) -> String {
    let m = Micros::from_micros(micros);
    let scale = m.natural_scale();
    let claims = ReceiptClaims {
        iss: merchant_signer().public_key(),
        resource_url: resource.into(),
        payer: *payer,
        payment_id: payment_id.clone(),
        value: m.to_wire(scale).unwrap(),
        asset: Asset::EUR,
        asset_scale: scale,
        issued_at,
        transaction: format!("tx-{payment_id}"),
    };
    documents::sign(&merchant_signer(), &claims).unwrap()
}

pub fn settlement(payer: &PublicKey, receipt: Option<String>) -> SettlementResponse {
    SettlementResponse {
        success: true,
        error_reason: None,
        transaction: "tx-1".into(),
        network: NETWORK.into(),
        payer: payer.to_string(),
        amount: None,
        receipt,
        other: Default::default(),
    }
}

/// A second connection to the wallet's database, as another process or a curious user.
pub fn raw_db(data_dir: &Path) -> Connection {
    Connection::open(centime_core::db_path(data_dir)).unwrap()
}

/// id, at, kind, network, asset, amount, payment id, ref, MAC.
pub type JournalRow = (i64, i64, String, String, String, i64, Option<String>, Option<String>, Vec<u8>);

/// Everything that money depends on, to assert that a refusal changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbSnapshot {
    pub journal: Vec<JournalRow>,
    pub balances: Vec<(String, String, i64)>,
    pub credits: Vec<(String, String, i64)>,
    pub payments: Vec<(String, i64, String)>,
    pub events: i64,
    pub sites: Vec<(String, Vec<u8>)>,
    pub limits: Vec<u8>,
    pub head: Option<String>,
}

impl DbSnapshot {
    pub fn take(data_dir: &Path) -> DbSnapshot {
        let c = raw_db(data_dir);
        let journal = {
            let mut s = c
                .prepare("SELECT id, at, kind, network, asset, amount, payment_id, ref, mac FROM journal ORDER BY id")
                .unwrap();
            s.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?))
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
        };
        let balances = {
            let mut s = c.prepare("SELECT network, asset, balance FROM balances ORDER BY network, asset").unwrap();
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let credits = {
            let mut s = c.prepare("SELECT network, credit_id, journal_id FROM credits ORDER BY journal_id").unwrap();
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let payments = {
            let mut s = c.prepare("SELECT payment_id, journal_id, status FROM payments ORDER BY journal_id").unwrap();
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let events = c.query_row("SELECT COUNT(*) FROM payment_events", [], |r| r.get(0)).unwrap();
        let sites = {
            let mut s = c.prepare("SELECT origin, mac FROM sites ORDER BY origin").unwrap();
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<rusqlite::Result<_>>().unwrap()
        };
        let limits = c.query_row("SELECT mac FROM limits WHERE id = 1", [], |r| r.get(0)).unwrap();
        let head = c
            .query_row("SELECT value FROM meta WHERE key = 'journal_head'", [], |r| r.get(0))
            .map(Some)
            .unwrap_or(None);
        DbSnapshot { journal, balances, credits, payments, events, sites, limits, head }
    }
}

/// Checks, from outside the wallet, what `verify` promises: every balance is the sum of its
/// journal, none is negative, and each payment id has exactly one debit.
pub fn assert_ledger_consistent(data_dir: &Path) {
    let c = raw_db(data_dir);
    let bad: i64 = c
        .query_row(
            "WITH sums AS (SELECT network, asset, SUM(amount) AS total FROM journal GROUP BY network, asset)
             SELECT COUNT(*) FROM balances b FULL OUTER JOIN sums s ON b.network = s.network AND b.asset = s.asset
             WHERE COALESCE(b.balance, 0) <> COALESCE(s.total, 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0, "a balance differs from the sum of its journal");
    let negative: i64 = c.query_row("SELECT COUNT(*) FROM balances WHERE balance < 0", [], |r| r.get(0)).unwrap();
    assert_eq!(negative, 0, "a negative balance");
    let multi: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM (SELECT payment_id FROM journal WHERE kind = 'payment'
                                   GROUP BY payment_id HAVING COUNT(*) <> 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(multi, 0, "a payment id with more than one debit");
    let unmatched: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM payments p
             WHERE (SELECT COUNT(*) FROM journal j WHERE j.kind = 'payment' AND j.payment_id = p.payment_id) <> 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unmatched, 0, "a payment without exactly one debit");
}

pub fn err_name(e: &Error) -> String {
    format!("{e:?}").split(['(', ' ', '{']).next().unwrap_or_default().to_owned()
}
