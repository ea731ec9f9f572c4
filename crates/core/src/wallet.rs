//! The wallet: opening and creating it, its identity, issuers and balances.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::verify::{Clock, SystemClock};
use centime_protocol::{Asset, Micros, Network, PublicKey};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::files;
use crate::keystore::{KeyStore, Secrets};
use crate::payments::Status;
use crate::policy::Limits;
use crate::rules_store;
use crate::sqlite;

/// An open wallet: one SQLite connection and the secrets from the keystore.
pub struct Wallet {
    pub(crate) conn: Connection,
    pub(crate) secrets: Secrets,
    pub(crate) signer: RingSigner,
    pub(crate) id: PublicKey,
    pub(crate) data_dir: PathBuf,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet").field("id", &self.id).field("data_dir", &self.data_dir).finish_non_exhaustive()
    }
}

/// A trusted issuer: the key whose credit notes top up `network`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issuer {
    /// The issuer's network, e.g. `centime:demo`.
    pub network: Network,
    /// The key its credit notes are signed with.
    pub public_key: PublicKey,
    /// A name for people, as the user gave it.
    pub name: Option<String>,
}

/// What the wallet holds in one network and asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Balance {
    /// The issuer's network.
    pub network: String,
    /// The asset.
    pub asset: Asset,
    /// Everything credited less everything debited, held refunds included.
    pub amount: Micros,
    /// Refunds of refused payments the merchant could still settle (until their
    /// authorization's `validBefore` plus the merchants' clock skew): not spendable yet.
    pub held: Micros,
    /// When the last of them becomes spendable (Unix seconds).
    pub held_until: Option<i64>,
}

/// How long after an authorization's `validBefore` a merchant may still accept it: the
/// protocol's tolerance between clocks. A refused payment's refund is held until then.
pub const HOLD_SKEW_SECONDS: i64 = centime_protocol::verify::DEFAULT_SKEW_SECONDS as i64;

// Built from the enum once, like every statement that names a status, and cached as a prepared
// statement by that text.
static HELD: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT COALESCE(SUM(-j.amount), 0), MAX(p.valid_before)
                 FROM payments p JOIN journal j ON j.id = p.journal_id
                 WHERE p.status = '{}' AND p.issuer_settled_at IS NULL AND p.valid_before > ?1 AND j.network = ?2 AND j.asset = ?3",
        Status::Rejected
    )
});

pub(crate) fn meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row(params![key], |r| r.get(0))
        .optional()?)
}

fn random_account() -> Result<String> {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 12];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| Error::Integrity("system random generator failed".into()))?;
    Ok(format!("wallet-{}", crate::journal::hex(&b)))
}

/// Where the wallet's database is in `data_dir`.
pub fn db_path(data_dir: &Path) -> PathBuf {
    data_dir.join(sqlite::DB_FILE)
}

impl Wallet {
    /// Creates a wallet in `data_dir` with fresh keys saved in `keystore`.
    pub fn init(data_dir: &Path, keystore: &dyn KeyStore, issuers: &[Issuer]) -> Result<Wallet> {
        files::create_private_dir(data_dir)?;
        let path = db_path(data_dir);
        if path.exists() {
            let conn = sqlite::open(&path, false)?;
            if meta(&conn, "wallet_id")?.is_some() {
                return Err(Error::AlreadyInitialized(data_dir.display().to_string()));
            }
        }
        keystore.probe()?;
        let secrets = Secrets::generate()?;
        let signer = secrets.signer()?;
        let id = signer.public_key();
        let account = random_account()?;
        keystore.save(&account, &secrets)?;

        let mut conn = sqlite::open(&path, true)?;
        let now = SystemClock.now();
        let tx = sqlite::immediate(&mut conn)?;
        for (k, v) in [
            ("wallet_id", id.to_string()),
            ("keystore", keystore.kind().to_string()),
            ("account", account),
            ("created_at", now.to_string()),
        ] {
            tx.prepare_cached("INSERT INTO meta (key, value) VALUES (?1, ?2)")?.execute(params![k, v])?;
        }
        for i in issuers {
            insert_issuer(&tx, i, i64::try_from(now).unwrap_or(i64::MAX))?;
        }
        // After the issuers: the limits' seal covers them.
        rules_store::save_limits(&tx, secrets.mac_key(), &Limits::default())?;
        tx.commit()?;
        files::restrict_wallet(data_dir);
        tracing::info!(wallet = %id, keystore = %keystore.kind(), "wallet created");
        Ok(Wallet { conn, secrets, signer, id, data_dir: data_dir.to_owned(), clock: Arc::new(SystemClock) })
    }

    /// Opens the wallet in `data_dir`. Never creates keys: a missing key is an error.
    pub fn open(data_dir: &Path, keystore: &dyn KeyStore) -> Result<Wallet> {
        let path = db_path(data_dir);
        if !path.exists() {
            return Err(Error::NotInitialized(data_dir.display().to_string()));
        }
        files::restrict_wallet(data_dir);
        let conn = sqlite::open(&path, false)?;
        let id: PublicKey = meta(&conn, "wallet_id")?
            .ok_or_else(|| Error::NotInitialized(data_dir.display().to_string()))?
            .parse()
            .map_err(|_| Error::Integrity("the wallet id in the database is not a public key".into()))?;
        let kind = meta(&conn, "keystore")?.unwrap_or_default();
        if kind != <&str>::from(keystore.kind()) {
            return Err(Error::KeystoreKindMismatch { stored: kind, asked: keystore.kind().to_string() });
        }
        let account =
            meta(&conn, "account")?.ok_or_else(|| Error::Integrity("the keystore account is missing".into()))?;
        let secrets = keystore.load(&account)?.ok_or(Error::KeyMissing(keystore.kind().into()))?;
        let signer = secrets.signer()?;
        if signer.public_key() != id {
            return Err(Error::KeyMismatch(format!("the keystore key is {}, the wallet is {id}", signer.public_key())));
        }
        let mut w = Wallet { conn, secrets, signer, id, data_dir: data_dir.to_owned(), clock: Arc::new(SystemClock) };
        rules_store::upgrade_seal(&mut w.conn, w.secrets.mac_key())?;
        w.resolve_stale_pending()?;
        tracing::debug!(wallet = %w.id, keystore = %keystore.kind(), "wallet opened");
        Ok(w)
    }

    /// Replaces the clock (tests, and simulations of time passing).
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    /// The wallet's clock, Unix seconds: what its figures, holds and expiries are reckoned by.
    /// The shells use it rather than a clock of their own, so that a simulated time (see
    /// [`Wallet::set_clock`]) reaches every figure.
    pub fn now(&self) -> i64 {
        i64::try_from(self.clock.now()).unwrap_or(i64::MAX)
    }

    /// The wallet's public key: its identity for issuers and merchants.
    pub fn id(&self) -> PublicKey {
        self.id
    }

    /// The directory holding the database, the key file and the logs.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub(crate) fn key(&self) -> &[u8; 32] {
        self.secrets.mac_key()
    }

    pub(crate) fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// Trusts `issuer`'s key for its network (replacing any key trusted for it before).
    pub fn add_issuer(&mut self, issuer: &Issuer) -> Result<()> {
        let now = self.now();
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        // Never re-seal a set changed outside Centime: it would bless the change.
        let limits = rules_store::load_limits(&tx, &key)?;
        insert_issuer(&tx, issuer, now)?;
        rules_store::save_limits(&tx, &key, &limits)?;
        tx.commit()?;
        Ok(())
    }

    /// Stops trusting `network`'s issuer: its credit notes are refused from then on.
    pub fn remove_issuer(&mut self, network: &Network) -> Result<()> {
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        let limits = rules_store::load_limits(&tx, &key)?;
        let n = tx.prepare_cached("DELETE FROM issuers WHERE network = ?1")?.execute(params![network.as_str()])?;
        if n == 0 {
            return Err(Error::InvalidArgument(format!("no trusted issuer for {network}")));
        }
        // Its address goes with it: trusting another key for the network later starts afresh.
        tx.prepare_cached("DELETE FROM issuer_endpoints WHERE network = ?1")?.execute(params![network.as_str()])?;
        rules_store::save_limits(&tx, &key, &limits)?;
        tx.commit()?;
        Ok(())
    }

    /// The trusted issuers, once their seal is checked.
    pub fn issuers(&self) -> Result<Vec<Issuer>> {
        rules_store::check_issuers(&self.conn, self.key())?;
        let mut stmt = self.conn.prepare("SELECT network, public_key, name FROM issuers ORDER BY network")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (n, k, name) = row?;
            out.push(Issuer {
                network: n.parse().map_err(|_| Error::Integrity(format!("stored network {n:?} is invalid")))?,
                public_key: k.parse().map_err(|_| Error::Integrity(format!("stored issuer key {k:?} is invalid")))?,
                name,
            });
        }
        Ok(out)
    }

    /// The key trusted for `network`, unchecked: callers check the seal first
    /// ([`rules_store::check_issuers`], or [`rules_store::load_limits`] which does it).
    pub(crate) fn issuer_key(conn: &Connection, network: &Network) -> Result<Option<PublicKey>> {
        let k: Option<String> = conn
            .query_row("SELECT public_key FROM issuers WHERE network = ?1", params![network.as_str()], |r| r.get(0))
            .optional()?;
        k.map(|k| k.parse().map_err(|_| Error::Integrity("stored issuer key is invalid".into()))).transpose()
    }

    /// Every balance per network and asset, with what of it is held and until when.
    pub fn balances(&self) -> Result<Vec<Balance>> {
        let now = self.now();
        let mut stmt = self.conn.prepare("SELECT network, asset, balance FROM balances ORDER BY network, asset")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (network, asset, amount) = row?;
            let (held, held_until) = Wallet::held_of(&self.conn, &network, &asset, now)?;
            out.push(Balance {
                asset: asset.parse().map_err(|_| Error::Integrity(format!("stored asset {asset:?} is invalid")))?,
                network,
                amount: Micros::from_micros(amount),
                held,
                held_until,
            });
        }
        Ok(out)
    }

    /// Refunds of refused payments still held (ADR 16): a merchant that refused may be lying
    /// and still settle the authorization until it expires, so the money it gave back is not
    /// spent again before then. Their sum and when the last one is released.
    pub(crate) fn held_of(conn: &Connection, network: &str, asset: &str, now: i64) -> Result<(Micros, Option<i64>)> {
        let (sum, until): (i64, Option<i64>) = conn
            .prepare_cached(&HELD)?
            .query_row(params![now.saturating_sub(HOLD_SKEW_SECONDS), network, asset], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        Ok((Micros::from_micros(sum), until.map(|u| u.saturating_add(HOLD_SKEW_SECONDS))))
    }

    /// The balance less the refunds still held: what a payment may spend now.
    pub(crate) fn spendable_of(conn: &Connection, network: &str, asset: &str, now: i64) -> Result<Micros> {
        let (held, _) = Wallet::held_of(conn, network, asset, now)?;
        let balance = Wallet::balance_of(conn, network, asset)?;
        Ok(balance.checked_sub(held)?.max(Micros::ZERO))
    }

    pub(crate) fn balance_of(conn: &Connection, network: &str, asset: &str) -> Result<Micros> {
        let b: Option<i64> = conn
            .query_row("SELECT balance FROM balances WHERE network = ?1 AND asset = ?2", params![network, asset], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(Micros::from_micros(b.unwrap_or(0)))
    }
}

pub(crate) fn insert_issuer(conn: &Connection, i: &Issuer, now: i64) -> Result<()> {
    if let Some(name) = &i.name
        && (name.chars().count() > 64 || name.chars().any(char::is_control))
    {
        return Err(Error::InvalidArgument("an issuer name is at most 64 printable characters".into()));
    }
    conn.prepare_cached(
        "INSERT INTO issuers (network, public_key, name, added_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (network) DO UPDATE SET public_key = excluded.public_key, name = excluded.name,
           added_at = excluded.added_at",
    )?
    .execute(params![i.network.as_str(), i.public_key.to_string(), i.name, now])?;
    Ok(())
}
