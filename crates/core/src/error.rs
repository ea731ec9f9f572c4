//! The crate's one error type, and the classes the shells map to exit codes.

use centime_protocol::Error as ProtocolError;

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
    #[error("the wallet's database file is damaged ({0}); restore it from a backup with `centime restore`")]
    Corrupt(String),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error(
        "this wallet was written by a newer version of Centime (schema {found}, this build knows {known}); upgrade Centime"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("no wallet in {0}; create one with `centime init`")]
    NotInitialized(String),
    #[error("a wallet already exists in {0}")]
    AlreadyInitialized(String),

    // keystore
    #[error(
        "the OS keyring is not available: {0}. Start a Secret Service (e.g. gnome-keyring) or use the passphrase-protected file keystore (--keystore file)"
    )]
    KeyringUnavailable(String),
    #[error("the OS keyring is locked: {0}. Unlock it (log in to the desktop session) and try again")]
    KeyringLocked(String),
    #[error(
        "the key of this wallet is missing from the {0} keystore; restore it from a backup with `centime restore` (a new identity is never created silently)"
    )]
    KeyMissing(&'static str),
    #[error("the keystore holds a key for another wallet than this database ({0})")]
    KeyMismatch(String),
    #[error("wrong passphrase: {0}")]
    WrongPassphrase(String),
    #[error("the keystore is damaged: {0}; restore the wallet from a backup with `centime restore`")]
    DamagedKeystore(String),
    #[error(
        "the keystore passphrase given does not open {0}, the key file already there: a restore keeps the keystore's own passphrase, so give that one (CENTIME_PASSPHRASE). Nothing was changed; if it is lost, move that file out of the data directory first"
    )]
    KeystorePassphraseKept(String),
    #[error("this wallet uses the {stored} keystore, not {asked}")]
    KeystoreKindMismatch { stored: String, asked: String },
    #[error("a passphrase is needed for the file keystore: set CENTIME_PASSPHRASE or run on a terminal")]
    PassphraseNeeded,
    #[error("passphrase too short: use at least {0} characters")]
    WeakPassphrase(usize),

    // top-ups
    #[error("credit note refused: {0}")]
    CreditRefused(String),
    #[error("credit {0} was already redeemed")]
    AlreadyRedeemed(String),
    #[error("issuer {0} is not trusted; add it with `centime issuer add`")]
    UntrustedIssuer(String),

    // payments
    #[error("this wallet cannot pay any of the offered terms: {0}")]
    NoPayableTerms(String),
    #[error("payment request refused: {0}")]
    BadRequest(String),
    #[error("refused by your rules: {0}")]
    Refused(String),
    #[error("needs your approval: {0}")]
    NeedsApproval(String),
    #[error("insufficient funds: {needed} needed, {available} available")]
    InsufficientFunds { needed: String, available: String },
    #[error("payment {0} not found")]
    UnknownPayment(String),
    #[error("payment id {0} was already used for another request")]
    PaymentIdConflict(String),
    #[error("not paid: {0}; look at the new terms and approve them again")]
    QuoteChanged(String),
    #[error("payment {id} is {status}; it cannot become {to}")]
    BadTransition { id: String, status: String, to: String },
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
            Refused(_) => ErrorClass::Refused,
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

    /// A short stable code for JSON errors and the app.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Busy(_) => return "busy",
            Error::DiskFull => return "disk_full",
            Error::ReadOnly(_) => return "read_only",
            Error::DiskIo(_) => return "disk_io",
            Error::Cancelled => return "cancelled",
            _ => {}
        }
        match self.class() {
            ErrorClass::Internal => "internal",
            ErrorClass::NeedsApproval => "needs_approval",
            ErrorClass::Refused => "refused",
            ErrorClass::InsufficientFunds => "insufficient_funds",
            ErrorClass::InvalidInput => "invalid_input",
            ErrorClass::Keystore => "keystore",
            ErrorClass::Integrity => "integrity",
        }
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

pub type Result<T, E = Error> = std::result::Result<T, E>;
