//! `centime`: the Centime wallet on the command line. A thin shell over centime-core; the
//! exit codes are a contract scripts rely on (see `exit_code`).

// This binary's job is to print: stdout carries results, stderr carries messages.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod batch;
mod commands;
mod completions;
mod context;
mod fetch;
mod logs;
mod output;
mod p2p;
mod sync;

use std::process::ExitCode;

use centime_cli::args;
use centime_cli::{
    EXIT_APPROVAL, EXIT_INPUT, EXIT_INTERNAL, EXIT_KEYSTORE, describe, error_code, exit_code, fail, input, terminal,
};
use clap::Parser as _;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    logs::start(cli.verbose);
    match commands::run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = exit_code(&e);
            // A message may quote a merchant, a link or a file: printed inert.
            if cli.json {
                let value = serde_json::json!({ "error": error_code(&e), "message": describe(&e), "exit": code });
                eprintln!("{}", terminal::json(&value));
            } else {
                eprintln!("centime: {}", terminal::message(&describe(&e)));
            }
            ExitCode::from(code)
        }
    }
}
