//! The crate's one error type, and the classes the shells map to exit codes.

use centime_protocol::{Amount, Error as ProtocolError, Micros};

use crate::payments::Status;

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
    Internal,
    NeedsApproval,
    Refused,
    InsufficientFunds,
    InvalidInput,
    Keystore,
    Integrity,
    // Storage failures the user can act on.
    Busy,
    DiskFull,
    ReadOnly,
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
    WalletClosed,
    /// A link named this computer or the local network.
    PrivateAddress,
    /// A merchant over http:// across the network, plain HTTP not allowed.
    PlainHttp,
    // The app's.
    NoWallet,
    Locked,
    /// A payment request expired or is no longer waiting.
    Expired,
    TooManyPrompts,
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
    InsufficientFunds,
    /// Malformed, expired, untrusted, foreign or already redeemed input.
    InvalidInput,
    /// The keystore is unavailable, locked, or misses the wallet's key.
    Keystore,
    /// The ledger does not verify.
    Integrity,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Protocol(#[from] ProtocolError),

    #[error("database error: {0}")]
    Db(rusqlite::Error),
    #[error(
        "the wallet's database is in use by another program and stayed locked for {0} s: nothing was changed. Close that program, or try again"
    )]
    Busy(u64),
    #[error(
        "the disk holding the wallet is full, or a file size limit was reached: nothing was written. Free some space and try again"
    )]
    DiskFull,
    #[error("the wallet's data cannot be written ({0}): nothing was changed. Check the data directory's permissions")]
    ReadOnly(String),
    #[error(
        "the wallet's database could not be written ({0}): the disk may be full or failing. Nothing was committed; free some space or check the disk, then try again"
    )]
    DiskIo(String),
    #[error("the wallet's database file is damaged ({0}); restore it from a backup")]
    Corrupt(String),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error(
        "this wallet was written by a newer version of Centime (schema {found}, this build knows {known}); upgrade Centime"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("no wallet in {0}")]
    NotInitialized(String),
    #[error("a wallet already exists in {0}")]
    AlreadyInitialized(String),

    // keystore
    #[error(
        "the OS keyring is not available: {0}. Start a Secret Service (e.g. gnome-keyring) or use the passphrase-protected file keystore"
    )]
    KeyringUnavailable(String),
    #[error("the OS keyring is locked: {0}. Unlock it (log in to the desktop session) and try again")]
    KeyringLocked(String),
    #[error(
        "the key of this wallet is missing from the {0} keystore (a new identity is never created silently); restore it from a backup"
    )]
    KeyMissing(&'static str),
    #[error("the keystore holds a key for another wallet than this database ({0})")]
    KeyMismatch(String),
    #[error("wrong passphrase: {0}")]
    WrongPassphrase(String),
    #[error("the keystore is damaged: {0}; restore the wallet from a backup")]
    DamagedKeystore(String),
    #[error(
        "the keystore passphrase given does not open {0}, the key file already there: a restore keeps the keystore's own passphrase, so give that one. Nothing was changed; if it is lost, move that file out of the data directory first"
    )]
    KeystorePassphraseKept(String),
    #[error("this wallet uses the {stored} keystore, not {asked}")]
    KeystoreKindMismatch { stored: String, asked: String },
    #[error("a passphrase is needed for the file keystore")]
    PassphraseNeeded,
    #[error("passphrase too short: use at least {0} characters")]
    WeakPassphrase(usize),

    // top-ups
    #[error("credit note refused: {0}")]
    CreditRefused(String),
    #[error("credit {0} was already redeemed")]
    AlreadyRedeemed(String),
    #[error("issuer {0} is not trusted")]
    UntrustedIssuer(String),

    // payments
    #[error("this wallet cannot pay any of the offered terms: {0}")]
    NoPayableTerms(String),
    #[error("payment request refused: {0}")]
    BadRequest(String),
    #[error("refused by your rules: {0}")]
    Refused(String),
    /// Over the most the payer said this one payment may cost ([`crate::PayOptions::max`]).
    #[error("refused: {price} is over the most you allowed for this payment ({max})")]
    OverMax { price: Amount, max: Micros },
    #[error("needs your approval: {0}")]
    NeedsApproval(String),
    #[error("insufficient funds: {needed} needed, {}", available_text(*.available, *.held))]
    InsufficientFunds {
        needed: Amount,
        /// Spendable now, in `needed`'s asset.
        available: Micros,
        /// Refunds of refused payments not spendable yet, and when they become so (Unix seconds).
        held: Option<(Micros, i64)>,
    },
    #[error("payment {0} not found")]
    UnknownPayment(String),
    #[error("payment id {0} was already used for another request")]
    PaymentIdConflict(String),
    #[error("not paid: {0}; look at the new terms and approve them again")]
    QuoteChanged(String),
    #[error("payment {id} is {status}; it cannot become {to}")]
    BadTransition { id: String, status: Status, to: Status },
    #[error("receipt refused: {0}")]
    BadReceipt(String),

    // rules and input
    #[error("{0}")]
    InvalidArgument(String),

    // history
    #[error("no history entry {0}")]
    UnknownEntry(i64),
    /// The caller's progress callback asked to stop (an export).
    #[error("cancelled")]
    Cancelled,

    // integrity
    #[error("integrity check failed: {0}")]
    Integrity(String),

    // backup
    #[error("backup refused: {0}")]
    BadBackup(String),
}

impl Error {
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
            | NotInitialized(_) => ErrorClass::InvalidInput,
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

pub type Result<T, E = Error> = std::result::Result<T, E>;
