//! What the `centime` command line reads from the user, how it shows what others wrote, and
//! its exit codes, as a library: the binary (src/main.rs) runs on it, and the fuzz targets
//! (fuzz/) and tests reach the parsers without a process. Its clap definition (`args`) is here
//! too, for the man-page generator (src/bin/centime-manpages.rs).

pub mod args;
pub mod input;
pub mod terminal;

use centime_core::{Error as CoreError, ErrorClass};

/// An error the CLI itself raises, with its exit code.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

pub fn fail(code: u8, message: impl Into<String>) -> anyhow::Error {
    CliError { code, message: message.into() }.into()
}

pub const EXIT_INTERNAL: u8 = 1;
pub const EXIT_APPROVAL: u8 = 3;
pub const EXIT_FUNDS: u8 = 4;
pub const EXIT_INPUT: u8 = 5;
pub const EXIT_KEYSTORE: u8 = 6;
pub const EXIT_INTEGRITY: u8 = 7;
/// Paying on that network waits for a sync with its issuer, or the issuer revoked the key.
pub const EXIT_SYNC: u8 = 8;

/// The code of the CLI's own errors in its JSON output (`{"error": "error", …}`), beside the
/// wallet's [`centime_core::ErrorCode`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::Display, strum::IntoStaticStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub enum CliCode {
    /// An error of the CLI itself, or a client's that is not the wallet's.
    Error,
}

/// A question the rules put that could not be asked, there being no terminal: the context of
/// a [`CoreError::NeedsApproval`], which stays the error (exit 3, code `needs_approval`).
#[derive(Debug, Clone, Copy)]
pub struct NotAsked;

impl std::fmt::Display for NotAsked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("run on a terminal to be asked, or pass --yes")
    }
}

/// The command that reports a client's error, for the rows of the one table that differ by
/// command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reporter {
    /// Every command but those below.
    Any,
    /// `centime resolve`.
    Resolve,
}

/// The exit code of a client's error: the class's ([`exit_of`]), except one documented row.
pub fn client_exit(e: &centime_client::Error, by: Reporter) -> u8 {
    use centime_client::Error as E;
    match (by, e) {
        (_, E::Wallet(w)) => exit_of(w.class()),
        // `resolve` has always exited 1 for every client error but the wallet's (a bad
        // --trust-origin included, which is 5 elsewhere): scripts that retry it on 1 keep
        // working.
        (Reporter::Resolve, _) => EXIT_INTERNAL,
        (Reporter::Any, other) => exit_of(other.class()),
    }
}

/// The exit code of a class of errors: the one table, a contract scripts rely on.
pub fn exit_of(class: ErrorClass) -> u8 {
    match class {
        ErrorClass::Internal => EXIT_INTERNAL,
        ErrorClass::NeedsApproval | ErrorClass::Refused => EXIT_APPROVAL,
        ErrorClass::InsufficientFunds => EXIT_FUNDS,
        ErrorClass::InvalidInput => EXIT_INPUT,
        ErrorClass::Keystore => EXIT_KEYSTORE,
        ErrorClass::Integrity => EXIT_INTEGRITY,
        ErrorClass::SyncRequired => EXIT_SYNC,
    }
}

/// The exit code of an error.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    if let Some(c) = e.downcast_ref::<CliError>() {
        return c.code;
    }
    if let Some(c) = e.downcast_ref::<CoreError>() {
        return exit_of(c.class());
    }
    if e.downcast_ref::<centime_protocol::Error>().is_some() {
        return EXIT_INPUT;
    }
    EXIT_INTERNAL
}

/// A client's error as the CLI reports it: the wallet's own as it is, the rest with the exit
/// code of their class and the option that lifts a refusal.
pub fn client_error(e: centime_client::Error) -> anyhow::Error {
    client_error_by(e, Reporter::Any)
}

/// [`client_error`], as the command `by` reports it.
pub fn client_error_by(e: centime_client::Error, by: Reporter) -> anyhow::Error {
    use centime_client::Error as E;
    let hint = match &e {
        E::Wallet(_) => "",
        E::PrivateAddress { .. } => " (--trust-origin ORIGIN or CENTIME_TRUSTED_ORIGINS)",
        E::PlainHttp { .. } => "; --allow-http allows it",
        _ => "",
    };
    match e {
        E::Wallet(w) => w.into(),
        other => fail(client_exit(&other, by), format!("{other}{hint}")),
    }
}

/// The error's code in the CLI's JSON: the wallet's, or [`CliCode::Error`] for the CLI's own.
pub fn error_code(e: &anyhow::Error) -> String {
    e.downcast_ref::<CoreError>().map_or_else(|| CliCode::Error.to_string(), |c| c.code().to_string())
}

/// An error's message for the terminal: the wallet's words, then what to type about them (the
/// wallet names no command or option).
pub fn describe(e: &anyhow::Error) -> String {
    let Some(core) = e.downcast_ref::<CoreError>() else { return format!("{e:#}") };
    if let CoreError::OverMax { price, max } = core {
        return format!("refused by your rules: {price} is over your --max of {max}");
    }
    if let Some(not_asked) = e.downcast_ref::<NotAsked>() {
        return format!("{core}; {not_asked}");
    }
    format!("{e:#}{}", hint(core))
}

/// The command or option that acts on a wallet error, for its message.
fn hint(e: &CoreError) -> &'static str {
    use CoreError as E;
    match e {
        E::Corrupt(_) | E::KeyMissing(_) | E::DamagedKeystore(_) => " with `centime restore`",
        E::NotInitialized(_) => "; create one with `centime init`",
        E::KeyringUnavailable(_) => " (--keystore file)",
        E::KeystorePassphraseKept(_) => " (give it in CENTIME_PASSPHRASE)",
        E::PassphraseNeeded => ": set CENTIME_PASSPHRASE or run on a terminal",
        E::UntrustedIssuer(_) => "; add it with `centime issuer add`",
        _ => "",
    }
}
