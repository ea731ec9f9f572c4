//! The app's log: `<data dir>/logs/centime.log`, rotated by size and private like every file
//! of the wallet (`centime_core::logfile`). Payment decisions, deliveries, the background
//! resolver and integrity checks are logged by the core and the client; `RUST_LOG` changes
//! what is kept (by default Centime's own lines from `info` up, other crates' warnings).

use std::path::Path;
use std::sync::Mutex;

use centime_core::logfile::LogFile;
use tracing_subscriber::EnvFilter;

/// What is logged without `RUST_LOG`.
const DEFAULT_FILTER: &str = "warn,centime_core=info,centime_client=info,centime_app=info";

/// Starts logging to the data directory's log file, else (a read-only or full disk) to
/// stderr, where a terminal that started the app still shows it.
pub fn start(data_dir: &Path) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_target(true);
    let started = match LogFile::open(data_dir) {
        Ok(file) => builder.with_writer(Mutex::new(file)).try_init(),
        Err(e) => {
            let started = builder.with_writer(std::io::stderr).try_init();
            tracing::warn!(error = %e, "no log file; logging to stderr");
            started
        }
    };
    if started.is_ok() {
        tracing::info!(version = env!("CARGO_PKG_VERSION"), "centime-app started");
    }
}
