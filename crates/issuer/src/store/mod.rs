//! The issuer's ledger behind one trait, [`Store`], with two backends: SQLite (embedded, the
//! default) and PostgreSQL. The decision of a settlement item (docs/protocol.md §13.2 steps
//! 6 and 9–13) is written once, in [`decide`], over the few reads and writes a backend's
//! transaction offers ([`LedgerTx`]); each backend runs it over a whole batch inside one
//! transaction that holds the lock of every wallet the batch names.

pub mod postgres;
mod prefetched;
pub mod sqlite;

use centime_protocol::revocation::{RevocationReason, RevokedKey};
use centime_protocol::settlement::{RefusalCode, SettlementOutcome};
use centime_protocol::{Asset, Micros, PublicKey};

use crate::error::{Error, Result};

/// A merchant registered at the issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantRecord {
    /// Its account, the `payTo` of its offers.
    pub pay_to: String,
    /// The key that signs its settlement requests and receipts.
    pub key: PublicKey,
    /// Its name, as certified.
    pub name: String,
    /// The origins it sells from.
    pub origins: Vec<String>,
}

/// A credit note the issuer signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRecord {
    /// Its `creditId`, unique.
    pub credit_id: String,
    /// The wallet credited.
    pub wallet: PublicKey,
    /// The amount.
    pub micros: Micros,
    /// The currency.
    pub asset: Asset,
    /// The signed `value` and `assetScale`.
    pub value: String,
    /// The signed `assetScale`.
    pub asset_scale: u8,
    /// When it was signed.
    pub issued_at: u64,
    /// The credit note JWS.
    pub credit: String,
}

/// An authorization that passed the checks that need no ledger (§13.2 steps 1–5).
#[derive(Debug, Clone)]
pub struct Item {
    /// The wallet.
    pub wallet: PublicKey,
    /// The signed `paymentId`.
    pub payment_id: String,
    /// The signed nonce.
    pub nonce: String,
    /// The signed `seq`.
    pub seq: u64,
    /// The merchant paid.
    pub pay_to: String,
    /// The signed amount.
    pub micros: Micros,
    /// The currency.
    pub asset: Asset,
    /// The signed `value`.
    pub value: String,
    /// The signed `assetScale`.
    pub asset_scale: u8,
    /// The signed resource.
    pub resource: String,
    /// The signed `validAfter`.
    pub valid_after: u64,
    /// The signed `validBefore`.
    pub valid_before: u64,
    /// SHA-256 of the JWS.
    pub digest: [u8; 32],
    /// The JWS as received.
    pub authorization: String,
    /// The refusal of the steps that need only the clock (7, 8), decided after step 6.
    pub timing: Option<RefusalCode>,
}

/// What [`decide`] needs to know besides the item.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// The issuer's clock, now.
    pub now: u64,
    /// How often merchants refresh the revocation list.
    pub refresh_seconds: u64,
    /// The clock skew allowed.
    pub skew_seconds: u64,
}

/// What became of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The outcome.
    pub outcome: SettlementOutcome,
    /// The refusal code, with `refused`.
    pub code: Option<RefusalCode>,
    /// When it was (first) settled.
    pub settled_at: Option<u64>,
}

impl Decision {
    fn refused(code: RefusalCode) -> Self {
        Decision { outcome: SettlementOutcome::Refused, code: Some(code), settled_at: None }
    }
}

/// A settled authorization, as the ledger keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettledRecord {
    /// The signed `paymentId`.
    pub payment_id: String,
    /// The signed `seq`.
    pub seq: u64,
    /// The merchant paid.
    pub pay_to: String,
    /// The amount.
    pub micros: Micros,
    /// The currency.
    pub asset: Asset,
    /// The signed `value`.
    pub value: String,
    /// The signed `assetScale`.
    pub asset_scale: u8,
    /// The signed resource.
    pub resource: String,
    /// When it was settled.
    pub settled_at: u64,
    /// The JWS.
    pub authorization: String,
}

/// A wallet's account at the issuer, for its statement.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// Its credit notes, in issue order.
    pub credits: Vec<CreditRecord>,
    /// Its settled payments, in settlement order.
    pub settled: Vec<SettledRecord>,
    /// Its revocation.
    pub revoked: Option<RevokedKey>,
}

/// A fork the issuer holds the proof of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkRecord {
    /// The wallet.
    pub wallet: PublicKey,
    /// The seq used twice.
    pub seq: u64,
    /// The authorization settled first.
    pub first: String,
    /// The other.
    pub second: String,
    /// When the issuer found it.
    pub found_at: u64,
}

/// A transfer between wallets as the issuer keeps it (docs/protocol.md §14): deposited for a
/// short code, or first seen at its redemption (the offline form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRecord {
    /// Its short code (Crockford base32, canonical).
    pub code: String,
    /// Its authorization's `paymentId`, unique among transfers.
    pub payment_id: String,
    /// SHA-256 of its authorization JWS: the same authorization is the same transfer.
    pub digest: [u8; 32],
    /// The payer.
    pub sender: PublicKey,
    /// The recipient.
    pub recipient: PublicKey,
    /// Its authorization's `validBefore`.
    pub valid_before: u64,
    /// When the issuer first saw it.
    pub deposited_at: u64,
    /// The transfer JWS.
    pub transfer: String,
}

/// What became of a redemption, decided in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// Settled to the recipient's account and credited to it.
    Redeemed,
    /// This transfer was redeemed before: nothing changed.
    AlreadyRedeemed,
    /// Another transfer holds this `paymentId`: nothing changed.
    PaymentIdConflict,
    /// The settlement item's refusal (§13.2): only what it records (a fork, a revocation)
    /// changed.
    Refused(RefusalCode),
}

/// The issuer's ledger. Every method is one transaction: it happens entirely or not at all.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Registers a merchant, or replaces its registration (key, name, origins).
    fn register_merchant(&self, m: &MerchantRecord) -> Result<()>;
    /// The merchant with this `payTo`.
    fn merchant(&self, pay_to: &str) -> Result<Option<MerchantRecord>>;
    /// Records a credit note and credits its wallet; a `creditId` already recorded is refused.
    fn record_credit(&self, c: &CreditRecord) -> Result<()>;
    /// Decides a batch's items in order, in one transaction holding the lock of every wallet
    /// they name: a later item sees what an earlier one wrote, and the batch is on disk, whole,
    /// or not at all once this returns. One decision per item, in the items' order.
    fn settle(&self, items: &[Item], rules: &Rules) -> Result<Vec<Decision>>;
    /// Every revoked key, oldest revocation first.
    fn revocations(&self) -> Result<Vec<RevokedKey>>;
    /// The wallet's credits, settled payments and revocation.
    fn account(&self, wallet: &PublicKey) -> Result<Account>;
    /// Remembers a statement request's nonce: `false` when it was seen before.
    fn use_statement_nonce(&self, wallet: &PublicKey, nonce: &str, at: u64) -> Result<bool>;
    /// The fork proofs held against a wallet.
    fn forks(&self, wallet: &PublicKey) -> Result<Vec<ForkRecord>>;
    /// What was settled to a merchant, per asset.
    fn merchant_totals(&self, pay_to: &str) -> Result<Vec<(Asset, Micros)>>;
    /// Keeps a deposited transfer and returns its code: the code it already has when its
    /// authorization was deposited before; `payment_id_conflict` when another transfer, or a
    /// settled payment, holds its `paymentId`.
    fn deposit_transfer(&self, t: &TransferRecord) -> Result<String>;
    /// The transfer with this code, and when it was redeemed.
    fn transfer_by_code(&self, code: &str) -> Result<Option<(TransferRecord, Option<u64>)>>;
    /// Redeems `t` in one transaction: unless it was redeemed before or its `paymentId` is
    /// another transfer's, `item` (its authorization, paying `wallet:<recipient>`) is decided
    /// as a settlement item and, settled, `credit` is recorded for the recipient and the
    /// transfer marked redeemed.
    fn redeem_transfer(
        &self,
        t: &TransferRecord,
        item: &Item,
        credit: &CreditRecord,
        rules: &Rules,
    ) -> Result<Redemption>;
    /// The transfers waiting for `wallet`: unredeemed, with `validBefore > after`, oldest
    /// first, at most `limit`.
    fn inbox(&self, wallet: &PublicKey, after: u64, limit: usize) -> Result<Vec<String>>;
}

/// A settled row as [`LedgerTx`] finds it.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub digest: Vec<u8>,
    pub settled_at: u64,
    pub authorization: String,
}

/// The reads and writes of an item in its batch's transaction, the wallet's lock held.
pub(crate) trait LedgerTx {
    fn by_payment_id(&mut self, payment_id: &str) -> Result<Option<Found>>;
    fn nonce_settled(&mut self, wallet: &str, nonce: &str) -> Result<bool>;
    fn by_seq(&mut self, wallet: &str, seq: i64) -> Result<Option<Found>>;
    fn revocation(&mut self, wallet: &str) -> Result<Option<(RevocationReason, u64)>>;
    fn revoke(&mut self, wallet: &str, reason: RevocationReason, at: u64) -> Result<()>;
    fn record_fork(&mut self, wallet: &str, seq: i64, first: &str, second: &str, at: u64) -> Result<()>;
    /// Credited minus spent in `asset`, in micro-units.
    fn available(&mut self, wallet: &str, asset: Asset) -> Result<i64>;
    fn insert_settlement(&mut self, item: &Item, at: u64) -> Result<()>;
}

/// §13.2 steps 6 and 9–13 for one item, inside the transaction `tx`.
pub(crate) fn decide(tx: &mut dyn LedgerTx, item: &Item, rules: &Rules) -> Result<Decision> {
    let wallet = item.wallet.to_string();
    let seq = to_i64(item.seq)?;
    // 6. The very same authorization again: the first answer.
    let same_id = tx.by_payment_id(&item.payment_id)?;
    if let Some(f) = &same_id
        && f.digest == item.digest
    {
        return Ok(Decision { outcome: SettlementOutcome::AlreadySettled, code: None, settled_at: Some(f.settled_at) });
    }
    // 7, 8: decided by the caller from the clock alone, answered after 6.
    if let Some(code) = item.timing {
        return Ok(Decision::refused(code));
    }
    // 9. Unique across all merchants.
    if tx.nonce_settled(&wallet, &item.nonce)? {
        return Ok(Decision::refused(RefusalCode::NonceConflict));
    }
    // Read once, at step 6: another wallet's item with this paymentId committed since is caught
    // by the unique index at step 13, and the item decided again (PostgreSQL) sees it.
    if same_id.is_some() {
        return Ok(Decision::refused(RefusalCode::PaymentIdConflict));
    }
    // 10. The same seq with other bytes: a fork, proven by the two JWS.
    let mut revocation = tx.revocation(&wallet)?;
    if let Some(first) = tx.by_seq(&wallet, seq)? {
        tx.record_fork(&wallet, seq, &first.authorization, &item.authorization, rules.now)?;
        if revocation.is_none() {
            tx.revoke(&wallet, RevocationReason::Fork, rules.now)?;
            tracing::warn!(%wallet, seq = item.seq, "fork proven: two authorizations with one seq; key revoked");
            revocation = Some((RevocationReason::Fork, rules.now));
        }
    }
    // 11. Revoked: settled only if a merchant with a fresh list could have accepted it. A list
    // fetched just before the revocation is fresh until revokedAt + R, and a verifier takes an
    // authorization from validAfter - skew on: validAfter decides, not validBefore, which a
    // window longer than the skew puts past the bound for a payment taken in good faith.
    if let Some((_, revoked_at)) = revocation {
        let last = revoked_at.saturating_add(rules.refresh_seconds).saturating_add(rules.skew_seconds);
        if item.valid_after > last {
            return Ok(Decision::refused(RefusalCode::RevokedPayer));
        }
    }
    // 12. Never more than the credits: the merchant bears an overdraft (ADR 21 §5).
    if tx.available(&wallet, item.asset)? < item.micros.get() {
        if revocation.is_none() {
            tx.revoke(&wallet, RevocationReason::Overdrawn, rules.now)?;
            tracing::warn!(%wallet, "overdrawn: key revoked");
        }
        return Ok(Decision::refused(RefusalCode::Overdrawn));
    }
    // 13.
    tx.insert_settlement(item, rules.now)?;
    Ok(Decision { outcome: SettlementOutcome::Settled, code: None, settled_at: Some(rules.now) })
}

pub(crate) fn to_i64(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|_| Error::Store(format!("{v} does not fit in the database")))
}

pub(crate) fn to_u64(v: i64) -> Result<u64> {
    u64::try_from(v).map_err(|_| Error::Store(format!("negative value {v} in the database")))
}

pub(crate) fn to_u8(v: i64) -> Result<u8> {
    u8::try_from(v).map_err(|_| Error::Store(format!("assetScale {v} in the database")))
}

pub(crate) fn key(s: &str) -> Result<PublicKey> {
    s.parse().map_err(|_| Error::Store(format!("a stored key is not a key: {s:?}")))
}

pub(crate) fn asset(s: &str) -> Result<Asset> {
    s.parse().map_err(|_| Error::Store(format!("a stored asset is not an asset: {s:?}")))
}

pub(crate) fn reason(s: &str) -> Result<RevocationReason> {
    s.parse().map_err(|_| Error::Store(format!("a stored revocation reason is unknown: {s:?}")))
}

pub(crate) fn payment_id_conflict(payment_id: &str) -> Error {
    Error::refused(
        axum::http::StatusCode::CONFLICT,
        RefusalCode::PaymentIdConflict.into(),
        format!("paymentId {payment_id} is another payment's"),
    )
}

pub(crate) fn credit_id_taken(credit_id: &str) -> Error {
    Error::refused(
        axum::http::StatusCode::CONFLICT,
        "credit_id_taken",
        format!("creditId {credit_id} is already recorded"),
    )
}
