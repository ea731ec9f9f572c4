//! Harness for the end-to-end tests: start centime-demo, drive the centime CLI, and stand a small
//! HTTP proxy between them when a test needs the network to fail at a precise moment.
//!
//! The binaries are built once per test process (`cargo build -p centime-cli -p centime-demo`,
//! honouring `CARGO_TARGET_DIR`), since cargo builds no other package's binaries for an
//! integration test.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail, ensure};
use centime_protocol::{Micros, PaymentPayload};
use serde_json::Value;

/// The passphrase of every test wallet's file keystore.
pub const PASSPHRASE: &str = "correct horse battery staple";

// ---------------------------------------------------------------------------------------------
// Binaries

static BIN_DIR: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();

/// The directory holding `centime` and `centime-demo`, built on first use.
pub fn bin_dir() -> Result<PathBuf> {
    BIN_DIR.get_or_init(|| build_binaries().map_err(|e| format!("{e:#}"))).clone().map_err(|e| anyhow!(e))
}

/// target/<profile>/ of this test executable (which lives in target/<profile>/deps/).
fn profile_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the test executable")?;
    let deps = exe.parent().context("the test executable has no directory")?;
    let dir = if deps.file_name().is_some_and(|n| n == "deps") { deps.parent() } else { Some(deps) };
    dir.map(Path::to_path_buf).context("the test executable's directory has no parent")
}

fn build_binaries() -> Result<PathBuf> {
    let dir = profile_dir()?;
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().context("the crate has no parent directory")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace).args(["build", "--quiet", "-p", "centime-cli", "-p", "centime-demo"]);
    if dir.file_name().is_some_and(|n| n == "release") {
        cmd.arg("--release");
    }
    // Build into the very target directory this test runs from.
    if let Some(target) = dir.parent() {
        cmd.env("CARGO_TARGET_DIR", target);
    }
    let out = cmd.output().context("running cargo build for the centime and centime-demo binaries")?;
    ensure!(
        out.status.success(),
        "cargo build -p centime-cli -p centime-demo failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    for bin in ["centime", "centime-demo"] {
        let path = dir.join(format!("{bin}{}", std::env::consts::EXE_SUFFIX));
        ensure!(path.is_file(), "{} was not built", path.display());
    }
    Ok(dir)
}

fn bin(name: &str) -> Result<PathBuf> {
    Ok(bin_dir()?.join(format!("{name}{}", std::env::consts::EXE_SUFFIX)))
}

// ---------------------------------------------------------------------------------------------
// Money

/// A decimal amount as the CLI and the demo print it ("0.10", "-0.005") in micro-units.
pub fn micros(s: &str) -> Result<i64> {
    Ok(s.parse::<Micros>().map_err(|e| anyhow!("{s:?} is not an amount: {e}"))?.get())
}

/// The amount in a JSON string field.
pub fn micros_at(v: &Value, field: &str) -> Result<i64> {
    micros(v.get(field).and_then(Value::as_str).with_context(|| format!("no string {field:?} in {v}"))?)
}

// ---------------------------------------------------------------------------------------------
// The demo server

/// A running `centime-demo serve` on 127.0.0.1, with its own data directory. Killed on drop.
#[derive(Debug)]
pub struct Demo {
    child: Option<(Child, ChildStdout)>,
    data_dir: tempfile::TempDir,
    addr: SocketAddr,
    public_url: Option<String>,
    http: reqwest::blocking::Client,
}

impl Demo {
    /// Starts the demo on an ephemeral port.
    pub fn start() -> Result<Demo> {
        Self::start_with(None)
    }

    /// Starts the demo on an ephemeral port, handing out URLs under `public_url` (a proxy's).
    pub fn start_behind(public_url: &str) -> Result<Demo> {
        Self::start_with(Some(public_url.to_owned()))
    }

    fn start_with(public_url: Option<String>) -> Result<Demo> {
        let data_dir = tempfile::Builder::new().prefix("centime-demo-").tempdir()?;
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build()?;
        let any: SocketAddr = "127.0.0.1:0".parse()?;
        let (child, addr) = spawn_demo(any, data_dir.path(), public_url.as_deref())?;
        Ok(Demo { child: Some(child), data_dir, addr, public_url, http })
    }

    /// Where the server listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base of the URLs the server hands out (its origin, or the proxy's), no trailing slash.
    pub fn url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.addr))
    }

    /// The server's own address as a URL, bypassing any proxy.
    pub fn direct_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// SIGKILL: no graceful shutdown, whatever was in flight is lost.
    pub fn kill(&mut self) -> Result<()> {
        if let Some((mut child, _stdout)) = self.child.take() {
            child.kill().context("killing centime-demo")?;
            child.wait().context("reaping centime-demo")?;
        }
        Ok(())
    }

    /// Starts the server again on the same data directory, on the same port if it can be had
    /// within a few seconds, else on a new one. Returns whether the port is the same.
    pub fn restart(&mut self) -> Result<bool> {
        self.kill()?;
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut last = None;
        while Instant::now() < deadline {
            match spawn_demo(self.addr, self.data_dir.path(), self.public_url.as_deref()) {
                Ok((child, addr)) => {
                    self.child = Some(child);
                    self.addr = addr;
                    return Ok(true);
                }
                Err(e) => last = Some(e),
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let any: SocketAddr = "127.0.0.1:0".parse()?;
        let (child, addr) = spawn_demo(any, self.data_dir.path(), self.public_url.as_deref())
            .with_context(|| format!("restarting centime-demo (same port failed: {last:?})"))?;
        self.child = Some(child);
        self.addr = addr;
        Ok(false)
    }

    /// The server's log so far (its stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.data_dir.path().join("server.log")).unwrap_or_default()
    }

    /// GET a path of the server (directly) as JSON, expecting 2xx.
    pub fn get_json(&self, path: &str) -> Result<Value> {
        let url = format!("{}{path}", self.direct_url());
        let resp = self.http.get(&url).send().with_context(|| format!("GET {url}"))?;
        let status = resp.status();
        let body = resp.text()?;
        ensure!(status.is_success(), "GET {url}: {status}: {body}");
        serde_json::from_str(&body).with_context(|| format!("GET {url}: not JSON: {body}"))
    }

    /// The issuer's public key (`GET /issuer`).
    pub fn issuer_key(&self) -> Result<String> {
        let v = self.get_json("/issuer")?;
        ensure!(v["network"] == "centime:demo", "unexpected issuer: {v}");
        v["publicKey"].as_str().map(str::to_owned).with_context(|| format!("no publicKey in {v}"))
    }

    /// A credit note for `wallet` (`POST /issuer/topups`).
    pub fn credit_note(&self, wallet: &str, amount: &str, asset: &str) -> Result<String> {
        let url = format!("{}/issuer/topups", self.direct_url());
        let body = serde_json::json!({ "wallet": wallet, "amount": amount, "asset": asset });
        let resp = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .with_context(|| format!("POST {url}"))?;
        let status = resp.status();
        let text = resp.text()?;
        ensure!(status == reqwest::StatusCode::CREATED, "POST {url}: {status}: {text}");
        let v: Value = serde_json::from_str(&text)?;
        v["credit"].as_str().map(str::to_owned).with_context(|| format!("no credit in {v}"))
    }

    /// The merchant's ledger (`GET /merchant/ledger`).
    pub fn ledger(&self) -> Result<Value> {
        self.get_json("/merchant/ledger")
    }

    /// The ledger's entries.
    pub fn ledger_entries(&self) -> Result<Vec<Value>> {
        let v = self.ledger()?;
        let entries = v["entries"].as_array().cloned().with_context(|| format!("no entries in {v}"))?;
        ensure!(v["count"].as_u64() == Some(u64::try_from(entries.len())?), "count disagrees with entries: {v}");
        Ok(entries)
    }

    /// Every page of the catalogue: (url, price in micro-units).
    pub fn pages(&self) -> Result<Vec<(String, i64)>> {
        let v = self.get_json("/articles")?;
        let mut out = Vec::new();
        for a in v["articles"].as_array().context("no articles")? {
            for p in a["pages"].as_array().context("an article without pages")? {
                let url = p["url"].as_str().context("a page without url")?.to_owned();
                out.push((url, micros_at(p, "price")?));
            }
        }
        Ok(out)
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Some((mut child, _)) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts `centime-demo serve` and waits for its `listening on http://ADDR` line.
fn spawn_demo(
    addr: SocketAddr,
    data_dir: &Path,
    public_url: Option<&str>,
) -> Result<((Child, ChildStdout), SocketAddr)> {
    let log = std::fs::OpenOptions::new().create(true).append(true).open(data_dir.join("server.log"))?;
    let mut cmd = Command::new(bin("centime-demo")?);
    cmd.arg("serve").arg("--addr").arg(addr.to_string()).arg("--data-dir").arg(data_dir.join("data"));
    if let Some(u) = public_url {
        cmd.arg("--public-url").arg(u);
    }
    let mut child = cmd
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .context("starting centime-demo")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let r = reader.read_line(&mut line).map(|_| line);
        let _ = tx.send((r, reader.into_inner()));
    });
    let outcome = rx.recv_timeout(Duration::from_secs(20));
    let failed = |child: &mut Child, why: String| -> anyhow::Error {
        let _ = child.kill();
        let _ = child.wait();
        let log = std::fs::read_to_string(data_dir.join("server.log")).unwrap_or_default();
        let tail: String =
            log.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        anyhow!("centime-demo on {addr}: {why}\n{tail}")
    };
    let (line, stdout) = match outcome {
        Ok((Ok(line), stdout)) => (line, stdout),
        Ok((Err(e), _)) => return Err(failed(&mut child, format!("reading its stdout: {e}"))),
        Err(_) => return Err(failed(&mut child, "no `listening on` line within 20 s".into())),
    };
    let Some(bound) = line.trim().strip_prefix("listening on http://") else {
        return Err(failed(&mut child, format!("unexpected first line {line:?}")));
    };
    let bound: SocketAddr = bound.parse().with_context(|| format!("the address in {line:?}"))?;
    Ok(((child, stdout), bound))
}

// ---------------------------------------------------------------------------------------------
// The wallet (the centime CLI)

/// What one `centime` command did.
#[derive(Debug, Clone)]
pub struct Output {
    /// The exit code (-1 if killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// stdout as JSON.
    pub fn json(&self) -> Result<Value> {
        serde_json::from_str(self.stdout.trim()).with_context(|| format!("stdout is not JSON: {self}"))
    }

    /// The last line of stderr as JSON (fetch's summary or an error with `--json`).
    pub fn stderr_json(&self) -> Result<Value> {
        let last = self.stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
        serde_json::from_str(last).with_context(|| format!("stderr is not JSON: {self}"))
    }

    /// Fails unless the command exited with `code`.
    pub fn expect_code(self, code: i32) -> Result<Self> {
        ensure!(self.code == code, "expected exit {code}: {self}");
        Ok(self)
    }

    pub fn ok(self) -> Result<Self> {
        self.expect_code(0)
    }
}

impl From<std::process::Output> for Output {
    fn from(out: std::process::Output) -> Output {
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// A wallet in a temporary directory with the file keystore, driven through the CLI.
#[derive(Debug)]
pub struct Wallet {
    dir: tempfile::TempDir,
    id: Option<String>,
}

impl Wallet {
    /// A directory for a wallet; `init` creates it.
    pub fn new() -> Result<Wallet> {
        Ok(Wallet { dir: tempfile::Builder::new().prefix("centime-wallet-").tempdir()?, id: None })
    }

    /// `centime init --issuer centime:demo=KEY`, and remembers the wallet id.
    pub fn init(&mut self, issuer_key: &str) -> Result<Value> {
        let v = self.json(&["init", "--issuer", &format!("centime:demo={issuer_key}")])?;
        self.id = Some(v["wallet"].as_str().with_context(|| format!("no wallet id in {v}"))?.to_owned());
        Ok(v)
    }

    /// A wallet trusting the demo's issuer, topped up with `amount` EUR.
    pub fn funded(demo: &Demo, amount: &str) -> Result<Wallet> {
        let mut w = Wallet::new()?;
        w.init(&demo.issuer_key()?)?;
        let credit = demo.credit_note(w.id()?, amount, "EUR")?;
        let t = w.json(&["topup", &credit])?;
        ensure!(micros_at(&t, "amount")? == micros(amount)?, "top-up of {amount}: {t}");
        Ok(w)
    }

    pub fn id(&self) -> Result<&str> {
        self.id.as_deref().context("the wallet is not initialised")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `centime --json ARGS` with the file keystore and no terminal, not started yet (for tests
    /// that set more of its environment, feed its stdin or kill it).
    pub fn command(&self, args: &[&str]) -> Result<Command> {
        let mut cmd = Command::new(bin("centime")?);
        cmd.arg("--json")
            .args(args)
            .env("CENTIME_DATA_DIR", self.dir.path())
            .env("CENTIME_KEYSTORE", "file")
            .env("CENTIME_PASSPHRASE", PASSPHRASE)
            .env_remove("CENTIME_BACKUP_PASSPHRASE")
            .env_remove("CENTIME_CRASH_AT")
            .stdin(Stdio::null());
        Ok(cmd)
    }

    /// Runs `centime --json ARGS` with the file keystore, no terminal.
    pub fn run(&self, args: &[&str]) -> Result<Output> {
        let out = self.command(args)?.output().with_context(|| format!("running centime {args:?}"))?;
        Ok(Output::from(out))
    }

    /// Runs a command that must succeed and print JSON.
    pub fn json(&self, args: &[&str]) -> Result<Value> {
        let out = self.run(args)?;
        ensure!(out.code == 0, "centime {args:?} failed: {out}");
        out.json()
    }

    /// The EUR balance on centime:demo, in micro-units (0 before any top-up).
    pub fn balance(&self) -> Result<i64> {
        let v = self.json(&["balance"])?;
        let list = v["balances"].as_array().with_context(|| format!("no balances in {v}"))?;
        let mut found = 0;
        for b in list {
            if b["network"] == "centime:demo" && b["asset"] == "EUR" {
                found = micros_at(b, "amount")?;
            }
        }
        Ok(found)
    }

    /// Every history entry, newest first (following the pages).
    pub fn history(&self) -> Result<Vec<Value>> {
        let mut all = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut args = vec!["history", "--limit", "500"];
            if let Some(c) = &cursor {
                args.extend(["--cursor", c.as_str()]);
            }
            let v = self.json(&args)?;
            all.extend(v["entries"].as_array().with_context(|| format!("no entries in {v}"))?.iter().cloned());
            match v["next"].as_str() {
                Some(n) => cursor = Some(n.to_owned()),
                None => return Ok(all),
            }
        }
    }

    /// The history entries of one payment id (its payment, and any refund).
    pub fn entries_of(&self, payment_id: &str) -> Result<Vec<Value>> {
        Ok(self.history()?.into_iter().filter(|e| e["paymentId"] == payment_id).collect())
    }

    /// The wallet's signing key, read from its file keystore: what only the wallet holds. For
    /// tests that need a second, differently-built payment from the same payer.
    pub fn signer(&self) -> Result<centime_protocol::jws::RingSigner> {
        use centime_core::keystore::KeyStore as _;
        let db = centime_core::db_path(self.dir.path());
        let account = centime_core::sqlite::peek_meta(&db, "account")?.context("the wallet has no keystore account")?;
        let ks = centime_core::keystore::FileKeyStore::new(
            self.dir.path(),
            centime_core::passphrase::Passphrase::new(PASSPHRASE.to_owned()),
        );
        let secrets = ks.load(&account)?.context("no secrets in the keystore")?;
        Ok(secrets.signer()?)
    }
}

// ---------------------------------------------------------------------------------------------
// A faulty network: an HTTP/1.1 proxy that can lose answers or alter payments

/// What the proxy does to the next requests that carry a `PAYMENT-SIGNATURE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward the request, let the server answer it, then close the client's connection
    /// without a byte of the answer: the payment reached the merchant, the wallet never learns.
    LoseAnswer,
    /// Flip a character of the authorization's signature on the way.
    Tamper,
}

#[derive(Debug)]
struct ProxyState {
    upstream: Mutex<SocketAddr>,
    fault: Mutex<Option<(Fault, usize)>>,
    paid_requests: AtomicUsize,
    stop: AtomicBool,
}

/// A small HTTP/1.1 proxy on 127.0.0.1 in front of the demo. Every answer is relayed with
/// `connection: close`, one request per connection. When the upstream is down it answers 502.
#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    state: Arc<ProxyState>,
}

impl Proxy {
    /// Listens on an ephemeral port; `set_upstream` before use.
    pub fn start() -> Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let state = Arc::new(ProxyState {
            upstream: Mutex::new(addr),
            fault: Mutex::new(None),
            paid_requests: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let s = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let s = s.clone();
                std::thread::spawn(move || {
                    let _ = relay(&s, conn);
                });
            }
        });
        Ok(Proxy { addr, state })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set_upstream(&self, addr: SocketAddr) -> Result<()> {
        *self.state.upstream.lock().map_err(|_| anyhow!("poisoned"))? = addr;
        Ok(())
    }

    /// Applies `fault` to the next `times` paid requests.
    pub fn inject(&self, fault: Fault, times: usize) -> Result<()> {
        *self.state.fault.lock().map_err(|_| anyhow!("poisoned"))? = (times > 0).then_some((fault, times));
        Ok(())
    }

    /// Faults still to apply.
    pub fn pending_faults(&self) -> Result<usize> {
        Ok(self.state.fault.lock().map_err(|_| anyhow!("poisoned"))?.map_or(0, |(_, n)| n))
    }

    /// How many requests carrying a `PAYMENT-SIGNATURE` went through.
    pub fn paid_requests(&self) -> usize {
        self.state.paid_requests.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Reads one request (head and Content-Length body) from `conn`.
fn read_request(conn: &mut TcpStream) -> Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        ensure!(buf.len() < 64 * 1024, "request head too large");
        if conn.read(&mut byte)? == 0 {
            bail!("the client closed the connection");
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).context("request head is not UTF-8")?;
    let len = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.trim().parse::<usize>())
        .transpose()?
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    conn.read_exact(&mut body)?;
    Ok((head, body))
}

/// The request head with `connection: close` and the fault applied to its payment, if any.
fn rewrite_head(head: &str, fault: Option<Fault>) -> Result<String> {
    let mut out = String::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        let Some((k, v)) = line.split_once(':') else {
            out.push_str(line);
            out.push_str("\r\n");
            continue;
        };
        if k.trim().eq_ignore_ascii_case("connection") {
            continue;
        }
        if fault == Some(Fault::Tamper) && k.trim().eq_ignore_ascii_case("payment-signature") {
            out.push_str(&format!("{k}: {}\r\n", tamper(v.trim())?));
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    Ok(out)
}

/// The payload with one character of its signature changed (the JWS no longer verifies).
pub fn tamper(header: &str) -> Result<String> {
    let mut payload = PaymentPayload::from_header(header)?;
    let jws = &payload.payload.authorization;
    let dot = jws.rfind('.').context("not a compact JWS")?;
    let mut bytes = jws.clone().into_bytes();
    let i = dot + 10;
    ensure!(i < bytes.len(), "signature too short");
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    payload.payload.authorization = String::from_utf8(bytes)?;
    Ok(payload.to_header()?)
}

fn relay(state: &ProxyState, mut client: TcpStream) -> Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let (head, body) = read_request(&mut client)?;
    let paid = head.lines().any(|l| l.to_ascii_lowercase().starts_with("payment-signature:"));
    let fault = if paid {
        state.paid_requests.fetch_add(1, Ordering::SeqCst);
        let mut f = state.fault.lock().map_err(|_| anyhow!("poisoned"))?;
        match *f {
            Some((fault, n)) => {
                *f = (n > 1).then_some((fault, n - 1));
                Some(fault)
            }
            None => None,
        }
    } else {
        None
    };
    let upstream_addr = *state.upstream.lock().map_err(|_| anyhow!("poisoned"))?;
    let mut upstream = match TcpStream::connect_timeout(&upstream_addr, Duration::from_secs(2)) {
        Ok(s) => s,
        Err(_) => {
            let msg = "upstream down";
            write!(
                client,
                "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{msg}",
                msg.len()
            )?;
            return Ok(());
        }
    };
    upstream.set_read_timeout(Some(Duration::from_secs(30)))?;
    upstream.write_all(rewrite_head(&head, fault)?.as_bytes())?;
    upstream.write_all(&body)?;
    let mut answer = Vec::new();
    upstream.read_to_end(&mut answer)?;
    if fault == Some(Fault::LoseAnswer) {
        // The merchant has answered (and recorded the payment); the wallet gets nothing.
        let _ = client.shutdown(Shutdown::Both);
        return Ok(());
    }
    client.write_all(&close_answer(&answer))?;
    client.flush()?;
    let _ = client.shutdown(Shutdown::Write);
    Ok(())
}

/// The answer with `connection: close` in its head, so the client opens a new connection next.
fn close_answer(answer: &[u8]) -> Vec<u8> {
    let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else { return answer.to_vec() };
    let head = String::from_utf8_lossy(&answer[..end]);
    let mut out = String::new();
    for line in head.split("\r\n") {
        if line.split_once(':').is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("connection")) {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&answer[end + 4..]);
    bytes
}

// ---------------------------------------------------------------------------------------------
// Reconciliation

/// Checks that the wallet's settled payments equal the merchant ledger's entries from this
/// wallet, entry for entry (payment id and amount) and in total, that nothing is left pending
/// or unconfirmed, that the balance is credits minus what was settled, and that `verify` passes.
/// Returns the number of settled payments.
pub fn reconcile(wallet: &Wallet, demo: &Demo) -> Result<usize> {
    let payer = wallet.id()?;
    let history = wallet.history()?;
    let mut settled = std::collections::BTreeMap::new();
    let mut credits = 0i64;
    let mut refunds = 0i64;
    let mut rejected = 0i64;
    for e in &history {
        let amount = micros_at(e, "amount")?;
        match (e["kind"].as_str(), e["status"].as_str()) {
            (Some("payment"), Some("settled")) => {
                let id = e["paymentId"].as_str().with_context(|| format!("a payment without id: {e}"))?;
                ensure!(amount < 0, "a payment that is not a debit: {e}");
                ensure!(settled.insert(id.to_owned(), -amount).is_none(), "payment {id} twice in the history");
            }
            (Some("payment"), Some("rejected")) => rejected -= amount,
            (Some("payment"), other) => bail!("a payment left {other:?} at the end of the run: {e}"),
            (Some("credit"), _) => credits += amount,
            (Some("refund"), _) => refunds += amount,
            other => bail!("unexpected history entry {other:?}: {e}"),
        }
    }
    ensure!(refunds == rejected, "refunds ({refunds}) do not match the rejected payments ({rejected})");

    let mut ledger = std::collections::BTreeMap::new();
    let mut ledger_total = 0i64;
    let book = demo.ledger()?;
    for e in demo.ledger_entries()?.iter().filter(|e| e["payer"] == payer) {
        let id = e["paymentId"].as_str().with_context(|| format!("a ledger entry without id: {e}"))?;
        let amount = micros_at(e, "amount")?;
        ensure!(e["asset"] == "EUR", "a non-euro entry: {e}");
        ensure!(ledger.insert(id.to_owned(), amount).is_none(), "payment {id} twice in the merchant ledger");
        ledger_total += amount;
    }
    let only_payer = demo.ledger_entries()?.iter().all(|e| e["payer"] == payer);
    if only_payer {
        let total = book["totals"]["EUR"].as_str().map(micros).transpose()?.unwrap_or(0);
        ensure!(total == ledger_total, "the ledger's EUR total {total} is not the sum of its entries {ledger_total}");
    }
    let wallet_ids: Vec<_> = settled.keys().collect();
    let ledger_ids: Vec<_> = ledger.keys().collect();
    ensure!(wallet_ids == ledger_ids, "settled in the wallet: {wallet_ids:?}\nin the merchant ledger: {ledger_ids:?}");
    ensure!(settled == ledger, "amounts differ:\nwallet {settled:?}\nledger {ledger:?}");
    let wallet_total: i64 = settled.values().sum();
    ensure!(wallet_total == ledger_total, "totals differ: wallet {wallet_total}, ledger {ledger_total}");
    let balance = wallet.balance()?;
    ensure!(
        balance == credits - wallet_total,
        "balance {balance} is not credits {credits} minus settled payments {wallet_total}"
    );
    let v = wallet.json(&["verify"])?;
    ensure!(v["ok"] == true, "verify: {v}");
    Ok(settled.len())
}

// ---------------------------------------------------------------------------------------------
// Replayable randomness

/// A small, seedable generator (SplitMix64): the suites need replayable choices, not quality.
#[derive(Debug)]
pub struct Rng(u64);

impl Rng {
    /// The generator for the seed in `var`, else one from the clock; returns the seed too, for
    /// the suite to print so that a failure replays.
    pub fn from_env(var: &str) -> Result<(Rng, u64)> {
        let seed = match std::env::var(var) {
            Ok(s) => s.parse().with_context(|| format!("{var}={s:?} is not a number"))?,
            Err(_) => std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.subsec_nanos().into(),
        };
        Ok((Rng(seed), seed))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap_or(u64::MAX).max(1);
        usize::try_from(self.next_u64() % n).unwrap_or(0)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The number in `var`, else `default`.
pub fn count_from_env(var: &str, default: usize) -> Result<usize> {
    match std::env::var(var) {
        Ok(s) => s.parse().with_context(|| format!("{var}={s:?} is not a number")),
        Err(_) => Ok(default),
    }
}
