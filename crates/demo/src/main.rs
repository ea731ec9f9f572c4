//! `centime-demo`: a demo issuer (`centime-issuer`, embedded) and a small priced magazine, its
//! registered merchant, so that the whole loop (top up, pay, receipt, settlement) runs on one
//! machine.

mod app;
mod articles;
mod error;
mod html;
mod ledger;
mod link;
mod magazine;
mod merchant;
mod settle;
mod topup;

use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use centime_protocol::{Clock, SystemClock};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(name = "centime-demo", version, about = "Demo issuer and priced magazine for Centime (no real money)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the demo issuer and magazine over HTTP.
    Serve {
        /// Address to listen on; port 0 picks a free port (the first stdout line names it).
        #[arg(long, default_value = "127.0.0.1:8402")]
        addr: SocketAddr,
        /// Where the keys and the ledger live (created if missing).
        #[arg(long, env = "CENTIME_DEMO_DATA_DIR", default_value = "centime-demo-data")]
        data_dir: PathBuf,
        /// Base URL the pages are reached at, if not http://<bound address> (e.g. behind a proxy).
        #[arg(long)]
        public_url: Option<String>,
        /// Settle with the issuer every this many seconds (0: only at shutdown and on
        /// `POST /merchant/settle`).
        #[arg(long, default_value_t = 60)]
        settle_every: u64,
    },
    /// Settle the magazine's unsettled payments with the issuer now, and print what happened.
    Settle {
        /// The data directory of the magazine (its key and ledger).
        #[arg(long, env = "CENTIME_DEMO_DATA_DIR", default_value = "centime-demo-data")]
        data_dir: PathBuf,
        /// The issuer's base URL (e.g. http://127.0.0.1:8402): settle over HTTP. Without it,
        /// in-process with the issuer of the data directory.
        #[arg(long)]
        issuer: Option<String>,
    },
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { addr, data_dir, public_url, settle_every } => {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(serve(addr, data_dir, public_url, settle_every))
        }
        Command::Settle { data_dir, issuer } => {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(settle_once(data_dir, issuer))
        }
    }
}

/// `centime-demo settle`: one run, its summary as JSON on stdout.
async fn settle_once(data_dir: PathBuf, issuer: Option<String>) -> Result<()> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (merchant, ledger, link) = tokio::task::spawn_blocking({
        let clock = clock.clone();
        move || -> Result<_> {
            // Settling never creates an identity: the keys must be the ones that served.
            let needed: &[&str] = if issuer.is_some() { &["merchant.pk8"] } else { &["merchant.pk8", "issuer.pk8"] };
            if let Some(missing) = needed.iter().find(|k| !data_dir.join(k).is_file()) {
                bail!("{} is not a data directory of centime-demo serve: it has no {missing}", data_dir.display());
            }
            let (merchant, ledger) = app::open_merchant(&data_dir)?;
            let link = match issuer {
                Some(url) => link::IssuerLink::remote(&url)?,
                None => link::IssuerLink::Embedded(app::open_issuer(&data_dir, clock)?),
            };
            Ok((merchant, ledger, link))
        }
    })
    .await??;
    let (issuer_key, network) = link.describe().await?;
    if network != merchant.network {
        bail!("the issuer is on {network}, the magazine on {}", merchant.network);
    }
    let settler = settle::Settler { ledger, merchant, link: Arc::new(link), issuer_key, clock, certificate_file: None };
    let summary = settler.settle().await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string(&summary)?)?;
    Ok(())
}

async fn serve(addr: SocketAddr, data_dir: PathBuf, public_url: Option<String>, settle_every: u64) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    let bound = listener.local_addr()?;
    let base_url = match public_url {
        Some(u) => {
            let u = u.trim_end_matches('/').to_owned();
            if centime_protocol::deeplink::check_return_url(&u).is_err() {
                bail!("--public-url must be an absolute http(s) URL, got {u:?}");
            }
            u
        }
        None => {
            let mut shown = bound;
            if shown.ip().is_unspecified() {
                shown.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            format!("http://{shown}")
        }
    };
    let state = tokio::task::spawn_blocking({
        let base_url = base_url.clone();
        move || app::AppState::open(&data_dir, base_url)
    })
    .await??;
    let state = Arc::new(state);
    // The certificate goes into every offer: have it before the first one.
    state.settler.load_or_refresh_certificate(&state.origin).await?;
    state.settler.refresh_revocations().await?;
    let upkeep = tokio::spawn(state.settler.clone().keep_fresh(state.origin.clone()));
    let periodic = (settle_every > 0)
        .then(|| tokio::spawn(state.settler.clone().settle_periodically(Duration::from_secs(settle_every))));

    // One machine-readable line first, so scripts and tests can start us on port 0.
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{bound}")?;
    out.flush()?;
    drop(out);
    tracing::info!(%bound, %base_url, "centime-demo serving (demo issuer network {})", app::NETWORK);

    axum::serve(listener, app::router(state.clone())).with_graceful_shutdown(shutdown_signal()).await?;
    upkeep.abort();
    if let Some(p) = periodic {
        p.abort();
    }
    // Best effort: what is not settled now is settled at the next start or by `settle`.
    match tokio::time::timeout(Duration::from_secs(10), state.settler.settle()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(error = %format!("{e:#}"), "settlement at shutdown failed"),
        Err(_) => tracing::warn!("settlement at shutdown took too long; left for later"),
    }
    tracing::info!("centime-demo stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C: shutting down"),
        () = terminate => tracing::info!("SIGTERM: shutting down"),
    }
}
