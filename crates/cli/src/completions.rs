//! `centime completions SHELL`: the script generated from the clap definition itself, so that
//! it can never drift from the commands it completes (the .deb ships bash's, zsh's and fish's).

use std::io::Write as _;

use anyhow::{Context as _, Result};
use centime_cli::args::Cli;
use clap::CommandFactory as _;

pub fn print(shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "centime", &mut out);
    out.flush().context("writing the completion script")
}
