//! The crate's one error type, and the classes the shells map to exit codes.

use centime_protocol::{Amount, Error as ProtocolError, Micros};

use crate::payments::Status;
use crate::reason::Reason;

/// Every code an error is reported under: the wallet's (from [`Error::code`]), its client's
/// and its shells'. The CLI's JSON errors and the app carry its snake_case form.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ErrorCode {
    // The wallet's classes (`ErrorClass`).
    /// A bug or an environment failure ([`ErrorClass::Internal`]).
    Internal,
    /// A rule asks for approval and none was given.
    NeedsApproval,
    /// A rule refuses the payment; approval cannot override it.
    Refused,
    /// The balance cannot cover the payment.
    InsufficientFunds,
    /// Malformed, expired, untrusted, foreign or already redeemed input.
    InvalidInput,
    /// The keystore is unavailable, locked, damaged, or misses the wallet's key.
    Keystore,
    /// The ledger does not verify.
    Integrity,
    // Storage failures the user can act on.
    /// The database stayed locked by another program.
    Busy,
    /// The disk is full or a file size limit was reached.
    DiskFull,
    /// The wallet's files cannot be written.
    ReadOnly,
    /// The disk failed a write.
    DiskIo,
    /// An export stopped at the user's request.
    Cancelled,
    // The client's.
    /// A merchant or issuer could not be reached.
    Network,
    /// The site did not confirm a link's price.
    SiteUnconfirmed,
    /// The merchant refused the payment; it was credited back.
    RefusedByMerchant,
    /// The merchant's answer never came: the payment stays unconfirmed.
    Unconfirmed,
    /// The wallet was closed before the merchant's answer could be recorded: unconfirmed.
    WalletClosed,
    /// A link named this computer or the local network.
    PrivateAddress,
    /// A merchant over http:// across the network, plain HTTP not allowed.
    PlainHttp,
    // The app's.
    /// No wallet in the data directory yet.
    NoWallet,
    /// The wallet is locked until its passphrase is entered.
    Locked,
    /// A payment request expired or is no longer waiting.
    Expired,
    /// A site has as many payment requests waiting as it may; its later links are refused.
    TooManyPrompts,
    // Settlement's (ADR 21, 22).
    /// The wallet may not pay on this network before a sync with its issuer.
    SyncRequired,
    /// The issuer revoked this wallet's key on this network.
    PayerRevoked,
    /// An issuer's statement that is malformed, foreign or not signed by the trusted issuer.
    BadStatement,
    /// An offer, or its receipt, contradicts the merchant's certificate.
    CertificateMismatch,
}

/// What kind of failure this is, for exit codes and UI treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// A bug or an environment failure nobody could fix by changing the input.
    Internal,
    /// A rule asks for approval and none was given.
    NeedsApproval,
    /// A rule refuses the payment; approval cannot override it.
    Refused,
    /// The wallet cannot pay: its balance is short in the charged asset.
    InsufficientFunds,
    /// Malformed, expired, untrusted, foreign or already redeemed input.
    InvalidInput,
    /// The keystore is unavailable, locked, or misses the wallet's key.
    Keystore,
    /// The ledger does not verify.
    Integrity,
    /// The wallet may not pay on a network before it syncs with its issuer, or its key is
    /// revoked there.
    SyncRequired,
}

/// Everything the wallet can fail with. Each variant's message is for a person and names no
/// shell's command or option: the CLI and the app add their own hint from [`Error::code`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A wire message, signature, amount or link that the protocol refuses.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),

    /// Any other SQLite failure.
    #[error("database error: {0}")]
    Db(rusqlite::Error),
    /// The database stayed locked for this many seconds, the busy timeout.
    #[error(
        "the wallet's database is in use by another program and stayed locked for {0} s: nothing was changed. Close that program, or try again"
    )]
    Busy(u64),
    /// The disk is full, or a file size limit was reached.
    #[error(
        "the disk holding the wallet is full, or a file size limit was reached: nothing was written. Free some space and try again"
    )]
    DiskFull,
    /// The database or its directory cannot be written: permissions, a read-only mount.
    #[error("the wallet's data cannot be written ({0}): nothing was changed. Check the data directory's permissions")]
    ReadOnly(String),
    /// SQLite's write failed at the disk.
    #[error(
        "the wallet's database could not be written ({0}): the disk may be full or failing. Nothing was committed; free some space or check the disk, then try again"
    )]
    DiskIo(String),
    /// SQLite found the database file damaged, or not a database at all.
    #[error("the wallet's database file is damaged ({0}); restore it from a backup")]
    Corrupt(String),
    /// A file operation failed; `context` says which one.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, and to which file.
        context: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The database's schema is newer than this build knows.
    #[error(
        "this wallet was written by a newer version of Centime (schema {found}, this build knows {known}); upgrade Centime"
    )]
    NewerSchema {
        /// The database's schema version.
        found: i64,
        /// The newest version this build migrates to.
        known: i64,
    },
    /// No wallet in this data directory.
    #[error("no wallet in {0}")]
    NotInitialized(String),
    /// `init` on a data directory that already holds a wallet.
    #[error("a wallet already exists in {0}")]
    AlreadyInitialized(String),

    // keystore
    /// The OS keyring (Secret Service) cannot be reached.
    #[error(
        "the OS keyring is not available: {0}. Start a Secret Service (e.g. gnome-keyring) or use the passphrase-protected file keystore"
    )]
    KeyringUnavailable(String),
    /// The OS keyring is there but locked.
    #[error("the OS keyring is locked: {0}. Unlock it (log in to the desktop session) and try again")]
    KeyringLocked(String),
    /// The keystore (named by its kind) holds no key for this wallet.
    #[error(
        "the key of this wallet is missing from the {0} keystore (a new identity is never created silently); restore it from a backup"
    )]
    KeyMissing(&'static str),
    /// The keystore's key is another wallet's than the database's.
    #[error("the keystore holds a key for another wallet than this database ({0})")]
    KeyMismatch(String),
    /// The passphrase does not open the key file or the backup.
    #[error("wrong passphrase: {0}")]
    WrongPassphrase(String),
    /// The key file fails its checksum, or its contents are unreadable.
    #[error("the keystore is damaged: {0}; restore the wallet from a backup")]
    DamagedKeystore(String),
    /// A restore's passphrase does not open the key file already in the data directory.
    #[error(
        "the keystore passphrase given does not open {0}, the key file already there: a restore keeps the keystore's own passphrase, so give that one. Nothing was changed; if it is lost, move that file out of the data directory first"
    )]
    KeystorePassphraseKept(String),
    /// The wallet was created with one keystore kind and opened with another.
    #[error("this wallet uses the {stored} keystore, not {asked}")]
    KeystoreKindMismatch {
        /// The kind recorded in the wallet.
        stored: String,
        /// The kind the caller asked for.
        asked: String,
    },
    /// The file keystore was chosen but no passphrase was given.
    #[error("a passphrase is needed for the file keystore")]
    PassphraseNeeded,
    /// A new passphrase is shorter than the minimum given.
    #[error("passphrase too short: use at least {0} characters")]
    WeakPassphrase(usize),

    // top-ups
    /// The issuer's credit note does not verify, or is not for this wallet.
    #[error("credit note refused: {0}")]
    CreditRefused(String),
    /// The credit note (named by its id) was redeemed before.
    #[error("credit {0} was already redeemed")]
    AlreadyRedeemed(String),
    /// The credit note's issuer (named by its network) is not among the trusted ones.
    #[error("issuer {0} is not trusted")]
    UntrustedIssuer(String),

    // payments
    /// None of the merchant's offers is in a trusted network and an asset this wallet can pay.
    #[error("this wallet cannot pay any of the offered terms: {0}")]
    NoPayableTerms(String),
    /// The merchant's payment request is malformed or inconsistent.
    #[error("payment request refused: {0}")]
    BadRequest(String),
    /// The user's rules refuse the payment, by this rule.
    #[error("refused by your rules: {0}")]
    Refused(Reason),
    /// Over the most the payer said this one payment may cost ([`crate::PayOptions::max`]).
    #[error("refused: {price} is over the most you allowed for this payment ({max})")]
    OverMax {
        /// What the payment would cost.
        price: Amount,
        /// The most the payer allowed, in the price's asset.
        max: Micros,
    },
    /// The user's rules ask for approval, by this rule, and none was given.
    #[error("needs your approval: {0}")]
    NeedsApproval(Reason),
    /// The balance cannot cover the payment.
    #[error("insufficient funds: {needed} needed, {}", available_text(*.available, *.held))]
    InsufficientFunds {
        /// The payment's price.
        needed: Amount,
        /// Spendable now, in `needed`'s asset.
        available: Micros,
        /// Refunds of refused payments not spendable yet, and when they become so (Unix seconds).
        held: Option<(Micros, i64)>,
    },
    /// No payment with this id.
    #[error("payment {0} not found")]
    UnknownPayment(String),
    /// The payment id names a payment made for another request.
    #[error("payment id {0} was already used for another request")]
    PaymentIdConflict(String),
    /// An approved quote's terms changed before paying: nothing was debited.
    #[error("not paid: {0}; look at the new terms and approve them again")]
    QuoteChanged(String),
    /// A payment status change the lifecycle does not allow (ADR 2): a bug, never input.
    #[error("payment {id} is {status}; it cannot become {to}")]
    BadTransition {
        /// The payment's id.
        id: String,
        /// Its status now.
        status: Status,
        /// The status it was asked to take.
        to: Status,
    },
    /// The merchant's receipt does not verify, or is not for this payment.
    #[error("receipt refused: {0}")]
    BadReceipt(String),

    // rules and input
    /// A rule, a limit, a filter or an option the caller gave is not valid.
    #[error("{0}")]
    InvalidArgument(String),

    // history
    /// No history entry with this id.
    #[error("no history entry {0}")]
    UnknownEntry(i64),
    /// The caller's progress callback asked to stop (an export).
    #[error("cancelled")]
    Cancelled,

    // integrity
    /// The ledger, its balances or the rules' seals do not verify.
    #[error("integrity check failed: {0}")]
    Integrity(String),

    // settlement
    /// Payments on this network wait for a sync with its issuer (restored from a backup, or
    /// behind the issuer's statement): paying now could sign a number already used.
    #[error("payments on {network} wait for a sync with its issuer: {why}")]
    SyncRequired {
        /// The issuer's network.
        network: String,
        /// Why, for a person.
        why: String,
    },
    /// The issuer revoked this wallet's key on this network: merchants refuse its payments.
    #[error("the issuer of {network} revoked this wallet's key ({reason}): its merchants refuse its payments")]
    PayerRevoked {
        /// The issuer's network.
        network: String,
        /// The revocation's reason.
        reason: String,
    },
    /// An issuer's statement refused: malformed, for another wallet or request, or not signed by
    /// the trusted issuer. Nothing was changed.
    #[error("statement refused: {0}; nothing was changed")]
    BadStatement(String),
    /// The offer (or a receipt) contradicts the merchant's certificate.
    #[error("the merchant's certificate contradicts it: {0}")]
    CertificateMismatch(String),
    /// No address is known for this network's issuer.
    #[error("no address is known for the issuer of {0}")]
    NoIssuerUrl(String),

    // wallets paying wallets
    /// No contact by that name or wallet id.
    #[error("no contact {0:?}")]
    UnknownContact(String),
    /// The name or the wallet id is another contact's already.
    #[error("{0}")]
    ContactExists(String),
    /// A payment request from another wallet that is malformed, expired, untrusted or not
    /// payable by this wallet.
    #[error("payment request refused: {0}")]
    RequestRefused(String),
    /// A transfer (or its credit note) that is malformed, not for this wallet or not what it says.
    #[error("transfer refused: {0}")]
    TransferRefused(String),
    /// A transfer this wallet already received.
    #[error("this transfer was already received ({0})")]
    AlreadyReceived(String),

    // backup
    /// A backup file is malformed, damaged or not a Centime backup.
    #[error("backup refused: {0}")]
    BadBackup(String),
}

impl Error {
    /// What kind of failure this is: the shells map it to an exit code and a treatment.
    pub fn class(&self) -> ErrorClass {
        use Error::*;
        match self {
            Protocol(_)
            | CreditRefused(_)
            | AlreadyRedeemed(_)
            | UntrustedIssuer(_)
            | NoPayableTerms(_)
            | BadRequest(_)
            | PaymentIdConflict(_)
            | QuoteChanged(_)
            | BadReceipt(_)
            | InvalidArgument(_)
            | BadBackup(_)
            | WrongPassphrase(_)
            | WeakPassphrase(_)
            | UnknownPayment(_)
            | UnknownEntry(_)
            | Cancelled
            | AlreadyInitialized(_)
            | BadStatement(_)
            | CertificateMismatch(_)
            | NoIssuerUrl(_)
            | UnknownContact(_)
            | ContactExists(_)
            | RequestRefused(_)
            | TransferRefused(_)
            | AlreadyReceived(_)
            | NotInitialized(_) => ErrorClass::InvalidInput,
            SyncRequired { .. } | PayerRevoked { .. } => ErrorClass::SyncRequired,
            Refused(_) | OverMax { .. } => ErrorClass::Refused,
            NeedsApproval(_) => ErrorClass::NeedsApproval,
            InsufficientFunds { .. } => ErrorClass::InsufficientFunds,
            KeyringUnavailable(_)
            | KeyringLocked(_)
            | KeyMissing(_)
            | KeyMismatch(_)
            | DamagedKeystore(_)
            | KeystorePassphraseKept(_)
            | KeystoreKindMismatch { .. }
            | PassphraseNeeded => ErrorClass::Keystore,
            Integrity(_) | Corrupt(_) => ErrorClass::Integrity,
            Db(_)
            | Busy(_)
            | DiskFull
            | ReadOnly(_)
            | DiskIo(_)
            | Io { .. }
            | NewerSchema { .. }
            | BadTransition { .. } => ErrorClass::Internal,
        }
    }

    /// The stable code of this error, for JSON errors and the app.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Busy(_) => return ErrorCode::Busy,
            Error::DiskFull => return ErrorCode::DiskFull,
            Error::ReadOnly(_) => return ErrorCode::ReadOnly,
            Error::DiskIo(_) => return ErrorCode::DiskIo,
            Error::Cancelled => return ErrorCode::Cancelled,
            Error::SyncRequired { .. } => return ErrorCode::SyncRequired,
            Error::PayerRevoked { .. } => return ErrorCode::PayerRevoked,
            Error::BadStatement(_) => return ErrorCode::BadStatement,
            Error::CertificateMismatch(_) => return ErrorCode::CertificateMismatch,
            _ => {}
        }
        match self.class() {
            ErrorClass::Internal => ErrorCode::Internal,
            ErrorClass::NeedsApproval => ErrorCode::NeedsApproval,
            ErrorClass::Refused => ErrorCode::Refused,
            ErrorClass::InsufficientFunds => ErrorCode::InsufficientFunds,
            ErrorClass::InvalidInput => ErrorCode::InvalidInput,
            ErrorClass::Keystore => ErrorCode::Keystore,
            ErrorClass::Integrity => ErrorCode::Integrity,
            ErrorClass::SyncRequired => ErrorCode::SyncRequired,
        }
    }

    /// An unknown word for a vocabulary read from a person (a CLI option, a filter): names
    /// the words that would have been accepted.
    pub fn unknown_word<T>(what: &str, word: &str) -> Self
    where
        T: strum::IntoEnumIterator + std::fmt::Display,
    {
        let words: Vec<String> = T::iter().map(|w| w.to_string()).collect();
        let list = match words.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        };
        Error::InvalidArgument(format!("unknown {what} {word:?}: use {list}"))
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }
}

/// SQLite's failures that the user can act on get their own message; the rest stay `Db`.
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        let rusqlite::Error::SqliteFailure(f, _) = &e else { return Error::Db(e) };
        match f.code {
            C::DatabaseBusy | C::DatabaseLocked => Error::Busy(crate::sqlite::BUSY_TIMEOUT.as_secs()),
            C::DiskFull => Error::DiskFull,
            C::ReadOnly | C::CannotOpen | C::PermissionDenied => Error::ReadOnly(e.to_string()),
            C::SystemIoFailure => Error::DiskIo(e.to_string()),
            C::DatabaseCorrupt | C::NotADatabase => Error::Corrupt(e.to_string()),
            _ => Error::Db(e),
        }
    }
}

fn available_text(available: Micros, held: Option<(Micros, i64)>) -> String {
    match held {
        Some((h, until)) => {
            format!(
                "{available} available ({h} more held until {} from refused payments)",
                crate::history::rfc3339(until)
            )
        }
        None => format!("{available} available"),
    }
}

/// The crate's result type, with [`Error`] as its default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
