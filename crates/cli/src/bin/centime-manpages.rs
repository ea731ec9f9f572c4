//! `centime-manpages DIR`: writes centime.1 and one page per subcommand (centime-pay.1,
//! centime-issuer-add.1, …) into DIR, generated from the clap definition; scripts/package.sh
//! puts them in the .deb. A program of its own rather than a hidden `centime` subcommand,
//! which shell completions would still offer.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use centime_cli::args::Cli;
use clap::CommandFactory as _;

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1);
    let (Some(dir), None) = (args.next(), args.next()) else {
        anyhow::bail!("usage: centime-manpages DIR");
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    clap_mangen::generate_to(Cli::command(), &dir)
        .with_context(|| format!("writing the man pages into {}", dir.display()))
}
