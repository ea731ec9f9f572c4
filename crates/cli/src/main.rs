//! `centime`: the Centime wallet on the command line. A thin shell over centime-core; the
//! exit codes are a contract scripts rely on (see `exit_code`).

// This binary's job is to print: stdout carries results, stderr carries messages.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod args;
mod commands;
mod context;
mod fetch;
mod input;
mod output;

use std::process::ExitCode;

use centime_core::{Error as CoreError, ErrorClass};
use clap::Parser as _;

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

fn exit_code(e: &anyhow::Error) -> u8 {
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

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = exit_code(&e);
            if cli.json {
                let kind = e.downcast_ref::<CoreError>().map_or("error", CoreError::code);
                eprintln!("{}", serde_json::json!({ "error": kind, "message": format!("{e:#}"), "exit": code }));
            } else {
                eprintln!("centime: {e:#}");
            }
            ExitCode::from(code)
        }
    }
}
