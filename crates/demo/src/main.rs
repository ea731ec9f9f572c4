//! `centime-demo`: a demo issuer and a small priced magazine that accept Centime payments, so
//! the whole loop (top up, pay, receipt, settlement ledger) runs on one machine.

mod app;
mod articles;
mod error;
mod html;
mod issuer;
mod keys;
mod ledger;
mod magazine;
mod merchant;

use std::io::{IsTerminal as _, Write as _};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
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
        Command::Serve { addr, data_dir, public_url } => {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(serve(addr, data_dir, public_url))
        }
    }
}

async fn serve(addr: SocketAddr, data_dir: PathBuf, public_url: Option<String>) -> Result<()> {
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

    // One machine-readable line first, so scripts and tests can start us on port 0.
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{bound}")?;
    out.flush()?;
    drop(out);
    tracing::info!(%bound, %base_url, "centime-demo serving (demo issuer network {})", app::NETWORK);

    axum::serve(listener, app::router(state)).with_graceful_shutdown(shutdown_signal()).await?;
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
