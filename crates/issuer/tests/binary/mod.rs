//! The real `centime-issuer` binary, driven as an operator and its merchants drive it: spawned
//! with `serve` on a port the kernel picks, `merchant add` run beside it, everything else asked
//! over HTTP. Shared by the binary tests (tests/cli.rs) and the crash trials (tests/crash.rs,
//! tests/crash_postgres.rs).
// Helpers outside #[test] functions are test code too: a panic there is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr, dead_code)]

pub mod trials;

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, bail, ensure};
use centime_protocol::documents;
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::payment::{authorization_claims, sign_payload};
use centime_protocol::settlement::{SettlementAnswer, SettlementRequest};
use centime_protocol::statement::{Statement, StatementRequest};
use centime_protocol::{Amount, Asset, Micros, Network, PaymentId, PaymentRequirements, PublicKey, ResourceInfo};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

/// The binary cargo built for this package's integration tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_centime-issuer");

/// The variable scripts/with-postgres.sh sets.
pub const POSTGRES_VAR: &str = "CENTIME_TEST_POSTGRES";

pub fn network() -> Network {
    "centime:demo".parse().unwrap()
}

pub fn wall_clock() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// `sqlite:PATH` of a ledger file in `dir`.
pub fn sqlite(dir: &Path) -> String {
    format!("sqlite:{}", dir.join("issuer.sqlite3").display())
}

/// A fresh, empty database on the cluster scripts/with-postgres.sh started.
pub fn fresh_postgres() -> Result<String> {
    let Ok(base) = std::env::var(POSTGRES_VAR) else {
        bail!(
            "{POSTGRES_VAR} is not set: this test needs a PostgreSQL server; run it under \
             scripts/with-postgres.sh (make issuer-postgres)"
        );
    };
    let name = format!("centime_b_{}", centime_issuer::issuer::random_id()?.to_lowercase().replace('-', "_"));
    let mut admin = postgres::Client::connect(&base, postgres::NoTls)?;
    admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
    let (prefix, _) = base.rsplit_once('/').context("the server URL has no database")?;
    Ok(format!("{prefix}/{name}"))
}

/// `centime-issuer ARGS…` run to its end.
pub fn run(args: &[&str]) -> Result<Output> {
    Command::new(BIN).args(args).env_remove("CENTIME_ISSUER_DATABASE").output().context("running centime-issuer")
}

/// `centime-issuer merchant add` of `pay_to`, its key `key`, on `database`.
pub fn merchant_add(database: &str, pay_to: &str, key: &PublicKey, origins: &[&str], more: &[&str]) -> Result<Output> {
    let key = key.to_string();
    let mut args = vec!["merchant", "add", "--database", database, "--pay-to", pay_to, "--key", &key];
    args.extend(["--name", "A Test Shop"]);
    for o in origins {
        args.extend(["--origin", o]);
    }
    args.extend(more);
    run(&args)
}

/// A running `centime-issuer serve`. SIGKILLed on drop.
pub struct Server {
    child: Option<Child>,
    pub base: String,
    pub key: PublicKey,
    pub http: Client,
    dir: PathBuf,
    database: String,
}

impl Server {
    /// Starts the issuer on `database`, its key and log in `dir`, on a free port.
    pub fn start(dir: &Path, database: &str) -> Result<Server> {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("issuer.log"))?;
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--database", database, "--key"])
            .arg(dir.join("issuer.pk8"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .context("spawning centime-issuer serve")?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("no stdout")?).read_line(&mut line)?;
        let Some(base) = line.trim().strip_prefix("listening on ").map(str::to_owned) else {
            let _ = child.kill();
            let _ = child.wait();
            let log = std::fs::read_to_string(dir.join("issuer.log")).unwrap_or_default();
            bail!("centime-issuer serve did not start (first line {line:?}); its log:\n{log}");
        };
        let http = Client::builder().timeout(Duration::from_secs(300)).build()?;
        let about: Value = http.get(format!("{base}/issuer")).send()?.error_for_status()?.json()?;
        let key = about["publicKey"].as_str().context("GET /issuer names no key")?.parse()?;
        Ok(Server { child: Some(child), base, key, http, dir: dir.to_owned(), database: database.to_owned() })
    }

    /// The same issuer started again on the same ledger and key (on a new port).
    pub fn restart(&mut self) -> Result<()> {
        self.kill()?;
        let again = Server::start(&self.dir, &self.database)?;
        let key = again.key;
        ensure!(key == self.key, "the issuer came back with another key");
        *self = again;
        Ok(())
    }

    /// SIGKILL: no graceful shutdown; returns whether it was still running.
    pub fn kill(&mut self) -> Result<bool> {
        let Some(mut child) = self.child.take() else { return Ok(false) };
        let running = child.try_wait()?.is_none();
        child.kill()?;
        child.wait()?;
        Ok(running)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("issuer.log")).unwrap_or_default()
    }

    /// Tops the wallet up by `amount` EUR ("5.00").
    pub fn credit(&self, wallet: &PublicKey, amount: &str) -> Result<()> {
        let r = self
            .http
            .post(format!("{}/issuer/topups", self.base))
            .json(&json!({"wallet": wallet.to_string(), "amount": amount, "asset": "EUR"}))
            .send()?;
        ensure!(r.status() == StatusCode::CREATED, "top-up: {} {}", r.status(), r.text()?);
        Ok(())
    }

    /// Posts a signed settlement request and opens the issuer's answer to it.
    pub fn settle(&self, request: &SettlementRequest, jws: &str) -> Result<SettlementAnswer> {
        post_settlement(&self.http, &self.base, &self.key, request, jws)
    }

    /// The wallet's statement, asked with its own key and checked as the wallet checks it.
    pub fn statement(&self, wallet: &RingSigner) -> Result<Statement> {
        let request = StatementRequest {
            from: wallet.public_key(),
            network: network(),
            issued_at: wall_clock(),
            nonce: centime_protocol::ids::random_nonce()?,
        };
        let r = self
            .http
            .post(format!("{}/issuer/statements", self.base))
            .header("Content-Type", "application/jose")
            .body(documents::sign(wallet, &request)?)
            .send()?;
        ensure!(r.status() == StatusCode::OK, "statement: {} {}", r.status(), r.text()?);
        Ok(Statement::open_for(&r.text()?, &self.key, &request)?)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// Posts a signed settlement request to the issuer at `base` and opens its answer to it.
pub fn post_settlement(
    http: &Client,
    base: &str,
    issuer: &PublicKey,
    request: &SettlementRequest,
    jws: &str,
) -> Result<SettlementAnswer> {
    let r = http
        .post(format!("{base}/issuer/settlements"))
        .header("Content-Type", "application/jose")
        .body(jws.to_owned())
        .send()?;
    ensure!(r.status() == StatusCode::OK, "settlement: {} {}", r.status(), r.text()?);
    Ok(SettlementAnswer::open_for(&r.text()?, issuer, request)?)
}

/// An authorization of `micros` EUR from `wallet` to `pay_to` with `seq`, signed now as the
/// wallet signs it.
pub fn authorization(wallet: &RingSigner, pay_to: &str, micros: i64, seq: u64) -> Result<(PaymentId, String)> {
    let price = Amount::new(Micros::from_micros(micros), Asset::EUR);
    let offer = PaymentRequirements::centime(&network(), pay_to, price, 600, "Shop", None)?;
    let resource = ResourceInfo {
        url: format!("https://{pay_to}.example/page/{seq}"),
        description: None,
        mime_type: None,
        other: Default::default(),
    };
    let id = PaymentId::random()?;
    let claims = authorization_claims(wallet.public_key(), &resource, &offer, id.clone(), seq, wall_clock())?;
    Ok((id, sign_payload(wallet, &resource, &offer, &Default::default(), &claims)?.payload.authorization))
}

/// A settlement request of `auths` by the merchant `signer` for `pay_to`, and its JWS.
pub fn request(signer: &RingSigner, pay_to: &str, auths: &[String]) -> Result<(SettlementRequest, String)> {
    let request = SettlementRequest {
        iss: signer.public_key(),
        network: network(),
        pay_to: pay_to.to_owned(),
        request_id: format!("b_{}", centime_issuer::issuer::random_id()?),
        issued_at: wall_clock(),
        authorizations: auths.to_vec(),
    };
    let jws = documents::sign(signer, &request)?;
    Ok((request, jws))
}

/// Credited and spent in EUR, in micro-units, as the statement writes them.
pub fn eur(s: &Statement) -> Result<(i64, i64)> {
    let Some(t) = s.totals.iter().find(|t| t.asset == Asset::EUR) else { return Ok((0, 0)) };
    let unit = 10_i64.pow(6 - u32::from(t.asset_scale));
    Ok((
        t.credited.parse::<i64>()?.checked_mul(unit).context("overflow")?,
        t.spent.parse::<i64>()?.checked_mul(unit).context("overflow")?,
    ))
}
