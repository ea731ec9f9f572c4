//! The shell completions and man pages, generated from the clap definition itself so that they
//! can never drift from the commands they describe (the .deb ships what these write).

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result};
use clap::CommandFactory as _;

use crate::args::Cli;

pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut cmd, "centime", &mut out);
    out.flush().context("writing the completion script")?;
    Ok(())
}

/// centime.1, then centime-SUBCOMMAND.1 for every visible subcommand, nested ones included
/// (centime-issuer-add.1); hidden commands (this one) get none.
pub fn man_pages(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    clap_mangen::generate_to(Cli::command(), dir)
        .with_context(|| format!("writing the man pages into {}", dir.display()))
}
