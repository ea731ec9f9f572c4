//! What the magazine can serve: 64 keep-alive connections against the built `centime-demo`
//! on 127.0.0.1, for (a) the unpaid 402, (b) a paid page with a fresh authorization (verify,
//! receipt, durable ledger row that is also the replay record), (c) an entitled re-read (the
//! same authorization again). The floor, measured in the same run before and after: raw ring
//! Ed25519 verification on every core. Prints requests/s, p50/p99 and the ratio (b) / floor
//! (goal ≥ 0.5).
//!
//! `cargo bench -p centime-demo --bench serve` (`CENTIME_BENCH_DIR` puts the ledger elsewhere,
//! e.g. /dev/shm for CPU only; `CENTIME_BENCH_SECONDS` sets each case's length, default 5).
//! `cargo test --benches` / `cargo bench -- --test` run each case on two connections for 0.3 s.

// A benchmark reports on stdout and may unwrap its fixed inputs.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Rates and ratios are timing statistics, nowhere near money.
#![allow(clippy::float_arithmetic, clippy::cast_precision_loss)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::payment::{authorization_claims, sign_payload};
use centime_protocol::wire::{PAYMENT_REQUIRED, PAYMENT_SIGNATURE};
use centime_protocol::{PaymentId, PaymentPayload, PaymentRequired};
use reqwest::StatusCode;
use serde_json::Value;

const CONNECTIONS: usize = 64;

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(dir: &std::path::Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_centime-demo"))
            .args(["serve", "--settle-every", "0", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let base =
            line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("first line: {line:?}")).to_owned();
        Server { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// One signature and its input, to time raw verification on.
struct Raw {
    key: [u8; 32],
    input: Vec<u8>,
    signature: Vec<u8>,
}

fn raw_of(header: &str, key: [u8; 32]) -> Raw {
    let jws = PaymentPayload::from_header(header).unwrap().payload.authorization;
    let (input, sig) = jws.rsplit_once('.').unwrap();
    Raw { key, input: input.as_bytes().to_vec(), signature: URL_SAFE_NO_PAD.decode(sig).unwrap() }
}

/// Raw ring Ed25519 verifications per second, one thread per core, for `length`.
fn floor(raw: &Arc<Raw>, length: Duration) -> u64 {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (raw, done) = (raw.clone(), done.clone());
            std::thread::spawn(move || {
                let key = ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, raw.key);
                let mut n = 0u64;
                while start.elapsed() < length {
                    for _ in 0..64 {
                        key.verify(std::hint::black_box(&raw.input), std::hint::black_box(&raw.signature)).unwrap();
                    }
                    n += 64;
                }
                done.fetch_add(n, Ordering::Relaxed);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    per_second(done.load(Ordering::Relaxed), start.elapsed())
}

fn per_second(n: u64, elapsed: Duration) -> u64 {
    u64::try_from(u128::from(n) * 1_000_000 / elapsed.as_micros().max(1)).unwrap()
}

/// What one case measured.
struct Stats {
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    /// Requests sent, per connection.
    sent: Vec<usize>,
}

impl Stats {
    fn rate(&self) -> u64 {
        per_second(u64::try_from(self.requests).unwrap(), self.elapsed)
    }

    fn percentile(&self, p: usize) -> Duration {
        self.latencies[(self.latencies.len() * p / 100).min(self.latencies.len() - 1)]
    }
}

/// One connection per list, each its own client (so its own keep-alive
/// connection), each sending its list of headers (`None`: no payment) in order, cycling when
/// `cycle`, until the list ends or `length` has passed. Every answer must be `expect`.
async fn drive(url: &str, lists: Vec<Vec<Option<String>>>, cycle: bool, length: Duration, expect: StatusCode) -> Stats {
    let start = Instant::now();
    let tasks: Vec<_> = lists
        .into_iter()
        .map(|list| {
            let url = url.to_owned();
            tokio::spawn(async move {
                let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
                let mut latencies = Vec::with_capacity(list.len());
                let mut i = 0;
                while start.elapsed() < length && (cycle || i < list.len()) {
                    let header = &list[i % list.len()];
                    i += 1;
                    let mut req = client.get(&url).header("Accept", "application/json");
                    if let Some(h) = header {
                        req = req.header(PAYMENT_SIGNATURE, h);
                    }
                    let t = Instant::now();
                    let resp = req.send().await.unwrap();
                    let status = resp.status();
                    let body = resp.bytes().await.unwrap();
                    latencies.push(t.elapsed());
                    assert_eq!(status, expect, "{}", String::from_utf8_lossy(&body));
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut sent = Vec::new();
    for t in tasks {
        let l = t.await.unwrap();
        sent.push(l.len());
        latencies.extend(l);
    }
    let elapsed = start.elapsed();
    latencies.sort();
    Stats { requests: latencies.len(), elapsed, latencies, sent }
}

fn print(name: &str, s: &Stats) {
    println!(
        "{name:<28} {:>7} req  {:>8} req/s  p50 {:>9.2} ms  p99 {:>9.2} ms",
        s.requests,
        s.rate(),
        s.percentile(50).as_secs_f64() * 1e3,
        s.percentile(99).as_secs_f64() * 1e3
    );
}

/// `count` fresh authorizations of `offer`, each by its own wallet (so that no two share a
/// nonce sequence), signed now.
fn sign(offer: &PaymentRequired, wallets: &[RingSigner], count: usize) -> Vec<String> {
    let accepted = &offer.accepts[0];
    (0..count)
        .map(|i| {
            let w = &wallets[i % wallets.len()];
            let seq = u64::try_from(i / wallets.len() + 1).unwrap();
            let claims = authorization_claims(
                w.public_key(),
                &offer.resource,
                accepted,
                PaymentId::random().unwrap(),
                seq,
                now(),
            )
            .unwrap();
            sign_payload(w, &offer.resource, accepted, &offer.extensions, &claims).unwrap().to_header().unwrap()
        })
        .collect()
}

fn split(headers: &[String], conns: usize) -> Vec<Vec<Option<String>>> {
    let mut lists = vec![Vec::new(); conns];
    for (i, h) in headers.iter().enumerate() {
        lists[i % conns].push(Some(h.clone()));
    }
    lists
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing, and
    // `cargo bench -- --test` asks for the quick run too.
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--test") || !args.iter().any(|a| a == "--bench");
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let seconds: u64 = std::env::var("CENTIME_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let (conns, length, paid_per_conn) =
        if quick { (2, Duration::from_millis(300), 2) } else { (CONNECTIONS, Duration::from_secs(seconds), 400) };
    let dir = match std::env::var_os("CENTIME_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d),
        None => tempfile::tempdir(),
    }
    .unwrap();
    let server = Server::start(dir.path());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let http = reqwest::blocking::Client::new();

    let catalogue: Value = http.get(format!("{}/articles", server.base)).send().unwrap().json().unwrap();
    let url = catalogue["articles"][0]["pages"][0]["url"].as_str().unwrap().to_owned();
    let r = http.get(&url).header("Accept", "application/json").send().unwrap();
    assert_eq!(r.status(), StatusCode::PAYMENT_REQUIRED);
    let offer = PaymentRequired::from_header(r.headers()[PAYMENT_REQUIRED].to_str().unwrap()).unwrap();
    let wallets: Vec<RingSigner> =
        (0..conns).map(|i| RingSigner::from_seed(&[u8::try_from(i + 1).unwrap(); 32]).unwrap()).collect();

    let warm = sign(&offer, &wallets[..1], 1);
    let raw = Arc::new(raw_of(&warm[0], wallets[0].public_key().0));
    let floor_length = if quick { Duration::from_millis(50) } else { Duration::from_secs(2) };
    let floor_before = floor(&raw, floor_length);

    println!();
    println!("centime-demo serve, {conns} connections, {url}; load average {}", load_average());
    let a = rt.block_on(drive(&url, vec![vec![None]; conns], true, length, StatusCode::PAYMENT_REQUIRED));
    print("(a) unpaid 402", &a);

    // Signed outside the timing, and just before it: each is valid for the offer's
    // maxTimeoutSeconds.
    let fresh = sign(&offer, &wallets, conns * paid_per_conn);
    let b = rt.block_on(drive(&url, split(&fresh, conns), false, length, StatusCode::OK));
    print("(b) paid, fresh", &b);

    // Re-read with what (b) got to send (each connection sends its list in order): accepted.
    let reread: Vec<Vec<Option<String>>> =
        split(&fresh, conns).into_iter().zip(&b.sent).map(|(list, &n)| list[..n].to_vec()).collect();
    let c = rt.block_on(drive(&url, reread, true, length, StatusCode::OK));
    print("(c) entitled re-read", &c);

    let floor_after = floor(&raw, floor_length);
    let floor = (floor_before + floor_after) / 2;
    let ledger: Value = http.get(format!("{}/merchant/ledger", server.base)).send().unwrap().json().unwrap();
    assert_eq!(ledger["count"].as_u64(), Some(u64::try_from(b.requests).unwrap()), "one ledger row per paid request");
    println!(
        "floor: raw ring Ed25519 on all cores {floor} verifications/s (before {floor_before}, after {floor_after}); load average {}",
        load_average()
    );
    println!(
        "ratio to the floor: (a) {:.3}  (b) {:.3} (goal ≥ 0.5)  (c) {:.3}",
        a.rate() as f64 / floor as f64,
        b.rate() as f64 / floor as f64,
        c.rate() as f64 / floor as f64
    );
}
