//! What the `centime` command line reads from the user, how it shows what others wrote, and
//! its exit codes, as a library: the binary (src/main.rs) runs on it, and the fuzz targets
//! (fuzz/) and tests reach the parsers without a process.

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

/// The exit code of an error: a contract scripts rely on.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    if let Some(c) = e.downcast_ref::<CliError>() {
        return c.code;
    }
    if let Some(c) = e.downcast_ref::<CoreError>() {
        return match c.class() {
            ErrorClass::Internal => EXIT_INTERNAL,
            ErrorClass::NeedsApproval | ErrorClass::Refused => EXIT_APPROVAL,
            ErrorClass::InsufficientFunds => EXIT_FUNDS,
            ErrorClass::InvalidInput => EXIT_INPUT,
            ErrorClass::Keystore => EXIT_KEYSTORE,
            ErrorClass::Integrity => EXIT_INTEGRITY,
        };
    }
    if e.downcast_ref::<centime_protocol::Error>().is_some() {
        return EXIT_INPUT;
    }
    EXIT_INTERNAL
}
