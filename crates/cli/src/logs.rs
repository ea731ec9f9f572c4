//! Logs on stderr, for a person watching a command: `-v` shows what the wallet decided (a
//! payment made or refused, by which rule), `-vv` every step (each delivery attempt, each
//! answer), and `RUST_LOG` any filter. Without either, nothing: stderr stays the one-line
//! summaries and messages scripts read. The CLI keeps no log file, so that a command leaves
//! the data directory as the wallet alone changed it.

use tracing_subscriber::EnvFilter;

/// Starts the subscriber for `-v` counted `verbose` times, else `RUST_LOG`, else none.
pub fn start(verbose: u8) {
    let directives = match verbose {
        0 => match std::env::var("RUST_LOG") {
            Ok(v) if !v.trim().is_empty() => v,
            _ => return,
        },
        1 => "warn,centime_core=info,centime_client=info,centime=info".to_owned(),
        2 => "warn,centime_core=debug,centime_client=debug,centime=debug".to_owned(),
        _ => "warn,centime_core=trace,centime_client=trace,centime=trace".to_owned(),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::new(directives))
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
