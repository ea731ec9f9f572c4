//! Shared helpers for the `centime` CLI tests: a wallet in a temporary data directory with the
//! file keystore, driven through the real binary, and the documents (credit notes, payment
//! requests, links) a test hands it.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use assert_cmd::Command;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use centime_protocol::deeplink::DeepLink;
use centime_protocol::documents::{self, CREDIT_TYP, CreditClaims};
use centime_protocol::jws::{self, RingSigner, Signer as _};
use centime_protocol::{Amount, Asset, Micros, PaymentRequired, PaymentRequirements, PublicKey, ResourceInfo};
use serde_json::Value;
use tempfile::TempDir;

/// The file keystore's passphrase in every test.
pub const PASS: &str = "correct horse battery staple";
/// The backup passphrase.
pub const BACKUP_PASS: &str = "backup horse battery staple";
/// The network whose issuer every test wallet trusts.
pub const NETWORK: &str = "centime:demo";
pub const NEWS: &str = "https://news.example";
pub const BLOG: &str = "https://blog.example";
pub const PAY_TO: &str = "merchant-news";

/// The trusted issuer's key (a fixed seed: tests only).
pub fn issuer() -> RingSigner {
    RingSigner::from_seed(&[7; 32]).unwrap()
}

/// A key nobody trusts.
pub fn stranger() -> RingSigner {
    RingSigner::from_seed(&[8; 32]).unwrap()
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// `centime` with the file keystore, no data dir from the environment, stdin not a terminal.
pub fn centime() -> Command {
    let mut c = Command::cargo_bin("centime").unwrap();
    c.env_remove("CENTIME_DATA_DIR")
        .env_remove("CENTIME_BACKUP_PASSPHRASE")
        .env("CENTIME_KEYSTORE", "file")
        .env("CENTIME_PASSPHRASE", PASS)
        .write_stdin("")
        .timeout(Duration::from_secs(60));
    c
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code, with stdout and stderr in the message when it is not `want`.
pub fn expect_code(o: &Output, want: i32, what: &str) {
    assert_eq!(
        o.status.code(),
        Some(want),
        "{what}: exit {:?}, expected {want}\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

/// A wallet in a temporary directory, created with `init --issuer NETWORK=<issuer key>`.
pub struct TestWallet {
    pub tmp: TempDir,
    pub data: PathBuf,
    pub id: String,
}

impl TestWallet {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("wallet");
        let o = centime()
            .arg("--data-dir")
            .arg(&data)
            .args(["--json", "init", "--issuer", &format!("{NETWORK}={}", issuer().public_key())])
            .output()
            .unwrap();
        expect_code(&o, 0, "init");
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        let id = v["wallet"].as_str().unwrap().to_owned();
        TestWallet { tmp, data, id }
    }

    pub fn key(&self) -> PublicKey {
        self.id.parse().unwrap()
    }

    pub fn db(&self) -> PathBuf {
        centime_core::db_path(&self.data)
    }

    /// `centime --data-dir DATA <args>`.
    pub fn cmd(&self) -> Command {
        let mut c = centime();
        c.arg("--data-dir").arg(&self.data);
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().unwrap()
    }

    /// `centime --data-dir DATA` as a plain std Command, for tests that act while it runs
    /// (feed its stdin, start several at once, kill it).
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("centime"));
        c.env_remove("CENTIME_DATA_DIR")
            .env_remove("CENTIME_BACKUP_PASSPHRASE")
            .env("CENTIME_KEYSTORE", "file")
            .env("CENTIME_PASSPHRASE", PASS)
            .arg("--data-dir")
            .arg(&self.data)
            .stdin(std::process::Stdio::null());
        c
    }

    /// Runs `--json <args>`, expects success, returns the JSON printed.
    pub fn json(&self, args: &[&str]) -> Value {
        let o = self.cmd().arg("--json").args(args).output().unwrap();
        expect_code(&o, 0, &args.join(" "));
        serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{}: stdout is not JSON ({e}): {}", args.join(" "), stdout(&o)))
    }

    /// Runs `<args>`, expects exit `code` with `needle` in stderr; returns stderr.
    pub fn fails(&self, args: &[&str], code: i32, needle: &str) -> String {
        let o = self.run(args);
        expect_code(&o, code, &args.join(" "));
        let err = stderr(&o);
        assert!(err.contains(needle), "{}: stderr lacks {needle:?}: {err}", args.join(" "));
        err
    }

    /// A credit note from the trusted issuer to this wallet.
    pub fn credit(&self, credit_id: &str, micros: i64) -> String {
        sign_credit(&issuer(), &credit_claims(&issuer(), self.key(), credit_id, micros, Asset::EUR))
    }

    /// Tops up `micros` EUR; returns the `topup --json` answer.
    pub fn topup(&self, credit_id: &str, micros: i64) -> Value {
        self.json(&["topup", &self.credit(credit_id, micros)])
    }

    /// `balance --json` as (network, asset, amount) triples.
    pub fn balances(&self) -> Vec<(String, String, String)> {
        let v = self.json(&["balance"]);
        v["balances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    b["network"].as_str().unwrap().to_owned(),
                    b["asset"].as_str().unwrap().to_owned(),
                    b["amount"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// The EUR balance on NETWORK as a decimal string ("0.00" when none).
    pub fn eur(&self) -> String {
        self.balances()
            .into_iter()
            .find(|(n, a, _)| n == NETWORK && a == "EUR")
            .map_or_else(|| "0.00".to_owned(), |(_, _, m)| m)
    }

    /// Every history entry, newest first.
    pub fn history(&self, extra: &[&str]) -> Vec<Value> {
        let mut args = vec!["history", "--limit", "1000"];
        args.extend_from_slice(extra);
        let v = self.json(&args);
        assert!(v["next"].is_null(), "more than one page: {v}");
        v["entries"].as_array().unwrap().clone()
    }

    /// Every row of every table that holds money or rules, read with rusqlite directly.
    pub fn snapshot(&self) -> String {
        snapshot(&self.db())
    }
}

/// Claims for a credit note of `micros` in `asset` (written at scale 2 when exact, else 6).
pub fn credit_claims(iss: &RingSigner, sub: PublicKey, credit_id: &str, micros: i64, asset: Asset) -> CreditClaims {
    let m = Micros::from_micros(micros);
    let scale = m.natural_scale().max(2);
    CreditClaims {
        iss: iss.public_key(),
        network: NETWORK.parse().unwrap(),
        sub,
        credit_id: credit_id.into(),
        value: m.to_wire(scale).unwrap(),
        asset,
        asset_scale: scale,
        issued_at: now(),
    }
}

pub fn sign_credit(signer: &RingSigner, claims: &CreditClaims) -> String {
    documents::sign(signer, claims).unwrap()
}

/// Signs arbitrary claims JSON as a credit note (for claims the typed struct cannot hold).
pub fn sign_raw_credit(signer: &RingSigner, claims: &Value) -> String {
    jws::sign(signer, CREDIT_TYP, &serde_json::to_vec(claims).unwrap()).unwrap()
}

pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn topup_link(credit: &str) -> String {
    DeepLink::Topup { credit: credit.to_owned() }.to_link().unwrap()
}

/// A v2 payment request for `url`, priced `micros` of `asset` on NETWORK.
pub fn request_in(url: &str, micros: i64, asset: Asset) -> PaymentRequired {
    let req = PaymentRequirements::centime(
        &NETWORK.parse().unwrap(),
        PAY_TO,
        Amount::new(Micros::from_micros(micros), asset),
        300,
        "News Example",
        None,
    )
    .unwrap();
    PaymentRequired {
        x402_version: 2,
        error: None,
        resource: ResourceInfo {
            url: url.into(),
            description: Some(format!("Article {url}")),
            mime_type: None,
            other: Default::default(),
        },
        accepts: vec![req],
        extensions: Default::default(),
        other: Default::default(),
    }
}

pub fn request(url: &str, micros: i64) -> PaymentRequired {
    request_in(url, micros, Asset::EUR)
}

/// The PAYMENT-REQUIRED header value of a request.
pub fn header(r: &PaymentRequired) -> String {
    r.to_header().unwrap()
}

/// A PAYMENT-REQUIRED header value built from arbitrary JSON.
pub fn header_of(v: &Value) -> String {
    centime_protocol::wire::encode_header(v).unwrap()
}

pub fn pay_link(r: &PaymentRequired) -> String {
    DeepLink::Pay { required: Box::new(r.clone()), return_url: None }.to_link().unwrap()
}

/// Every row of the tables that hold money, documents and rules, in a stable order. (Opened
/// read-write without creating: a read-only connection cannot open a WAL database whose
/// `-shm` file is gone.)
pub fn snapshot(db: &Path) -> String {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE).unwrap();
    let mut out = String::new();
    for table in ["meta", "issuers", "journal", "balances", "payments", "payment_events", "credits", "sites", "limits"]
    {
        let mut stmt = conn.prepare(&format!("SELECT * FROM {table} ORDER BY 1")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        out.push_str(&format!("== {table}\n"));
        while let Some(r) = rows.next().unwrap() {
            let cells: Vec<String> =
                (0..n).map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap())).collect();
            out.push_str(&cells.join("|"));
            out.push('\n');
        }
    }
    out
}

/// The files of a directory (name, contents), sorted: to prove a directory was not touched.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = if e.path().is_file() { std::fs::read(e.path()).unwrap() } else { Vec::new() };
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    v.sort();
    v
}
