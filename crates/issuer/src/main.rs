//! `centime-issuer serve`: the issuer alone over HTTP; `centime-issuer merchant add`: the
//! admin command that registers a merchant.

use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use centime_issuer::{Config, Issuer, MerchantRecord};
use centime_protocol::{Network, PublicKey, SystemClock};
use clap::{Parser, Subcommand};
use serde::Deserialize;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(name = "centime-issuer", version, about = "The issuer of a Centime network (demo money: top-ups are free)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the issuer's API over HTTP.
    Serve {
        /// Address to listen on; port 0 picks a free port (the first stdout line names it).
        #[arg(long, default_value = "127.0.0.1:8403")]
        addr: SocketAddr,
        /// The ledger: sqlite:PATH (created if missing) or postgres://user@host:port/db.
        #[arg(long, env = "CENTIME_ISSUER_DATABASE", default_value = "sqlite:centime-issuer.sqlite3")]
        database: String,
        /// The issuer's signing key (PKCS#8, created mode 0600 if missing).
        #[arg(long, default_value = "centime-issuer.pk8")]
        key: PathBuf,
        /// The network this issuer's money belongs to.
        #[arg(long, default_value = "centime:demo")]
        network: Network,
        /// The issuer's name.
        #[arg(long, default_value = "Centime Demo Issuer")]
        name: String,
        /// Merchants to register at start: a JSON file of [{payTo, key, name, origins}].
        #[arg(long)]
        merchants: Option<PathBuf>,
        /// How long after validBefore an authorization can be settled, in seconds.
        #[arg(long, default_value_t = centime_protocol::settlement::DEFAULT_SETTLEMENT_PERIOD_SECONDS)]
        settlement_period: u64,
        /// How often merchants are to refresh the revocation list, in seconds.
        #[arg(long, default_value_t = 300)]
        revocation_refresh: u64,
    },
    /// Manage the registered merchants.
    Merchant {
        #[command(subcommand)]
        command: MerchantCommand,
    },
}

#[derive(Debug, Subcommand)]
enum MerchantCommand {
    /// Register a merchant (or replace its registration).
    Add {
        /// The ledger, as for `serve`.
        #[arg(long, env = "CENTIME_ISSUER_DATABASE", default_value = "sqlite:centime-issuer.sqlite3")]
        database: String,
        /// The merchant's account.
        #[arg(long)]
        pay_to: String,
        /// The merchant's public key (base64url), which signs its receipts and settlements.
        // A base64url key may begin with '-': it is a value, not an option.
        #[arg(long, allow_hyphen_values = true)]
        key: PublicKey,
        /// The merchant's name.
        #[arg(long)]
        name: String,
        /// An origin the merchant sells from (scheme://host[:port]); repeat for several.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
        /// Replace the key of a payTo already registered with another one: settlement requests
        /// and receipts signed by the old key are refused from then on.
        #[arg(long)]
        replace_key: bool,
    },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MerchantFile {
    pay_to: String,
    key: PublicKey,
    name: String,
    origins: Vec<String>,
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match Cli::parse().command {
        Command::Serve { addr, database, key, network, name, merchants, settlement_period, revocation_refresh } => {
            let store = centime_issuer::open_store(&database).with_context(|| format!("opening {database}"))?;
            let signer = centime_issuer::keys::load_or_create(&key)?;
            let mut config = Config::demo(network, &name);
            config.settlement_period_seconds = settlement_period;
            config.revocation_refresh_seconds = revocation_refresh;
            let issuer = Issuer::new(signer, config, store, Arc::new(SystemClock));
            if let Some(path) = merchants {
                let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                let list: Vec<MerchantFile> = serde_json::from_str(&text)
                    .with_context(|| format!("{} is not a merchant list", path.display()))?;
                for m in list {
                    issuer.register_merchant(&MerchantRecord {
                        pay_to: m.pay_to,
                        key: m.key,
                        name: m.name,
                        origins: m.origins,
                    })?;
                }
            }
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(serve(addr, Arc::new(issuer)))
        }
        Command::Merchant { command: MerchantCommand::Add { database, pay_to, key, name, origins, replace_key } } => {
            // Checked before the ledger is opened: bad input creates no database either.
            let m = centime_issuer::issuer::check_merchant(&MerchantRecord { pay_to, key, name, origins })?;
            let store = centime_issuer::open_store(&database).with_context(|| format!("opening {database}"))?;
            if let Some(old) = store.merchant(&m.pay_to)?
                && old.key != m.key
                && !replace_key
            {
                anyhow::bail!(
                    "{} is already registered with another key ({}); pass --replace-key to replace it",
                    m.pay_to,
                    old.key
                );
            }
            store.register_merchant(&m)?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "registered {} ({})", m.pay_to, m.origins.join(" "))?;
            Ok(())
        }
    }
}

async fn serve(addr: SocketAddr, issuer: Arc<Issuer>) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let bound = listener.local_addr()?;
    // One machine-readable line first, so scripts and tests can start us on port 0.
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{bound}")?;
    out.flush()?;
    drop(out);
    tracing::info!(%bound, network = %issuer.config().network, "centime-issuer serving");
    axum::serve(listener, centime_issuer::http::router(issuer)).with_graceful_shutdown(shutdown()).await?;
    tracing::info!("centime-issuer stopped");
    Ok(())
}

async fn shutdown() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
