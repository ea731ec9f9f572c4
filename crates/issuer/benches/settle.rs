//! Settlement throughput per backend against a floor measured in the same run: raw Ed25519
//! verification of the same 1,000 authorizations, one by one with ring (as centime-protocol
//! verifies) and in one call with ed25519-dalek's `verify_batch`.
//!
//! Each batch is 1,000 fresh authorizations from 100 wallets (credited enough) to one registered
//! merchant, in a request signed by the merchant's key, given to `Issuer::settle` in-process: what
//! the `POST /issuer/settlements` handler calls, without the HTTP. SQLite is a temporary file (WAL,
//! `synchronous=FULL`, as shipped); PostgreSQL is a fresh database on the server
//! `CENTIME_TEST_POSTGRES` names (run under scripts/with-postgres.sh), skipped without it.
//!
//! `cargo bench -p centime-issuer --bench settle`
//! `scripts/with-postgres.sh cargo bench -p centime-issuer --bench settle`

// A benchmark reports on stdout and may unwrap its fixed inputs.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]
// Rates and their ratio are timing statistics, nowhere near money.
#![allow(clippy::float_arithmetic)]

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use centime_issuer::{Config, Issuer, MerchantRecord};
use centime_protocol::documents;
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::payment::{authorization_claims, sign_payload};
use centime_protocol::settlement::{SettlementAnswer, SettlementOutcome, SettlementRequest};
use centime_protocol::{
    Amount, Asset, Clock as _, FixedClock, Micros, Network, PaymentId, PaymentRequirements, ResourceInfo,
};
use criterion::{BatchSize, Criterion, SamplingMode, Throughput};

const BATCH: usize = 1_000;
const WALLETS: usize = 100;
/// 0.01 EUR a payment.
const PRICE: i64 = 10_000;
const PAY_TO: &str = "merchant-bench";
const POSTGRES_VAR: &str = "CENTIME_TEST_POSTGRES";

fn network() -> Network {
    "centime:bench".parse().unwrap()
}

/// One issuer on one backend, its merchant and its wallets with their next `seq`.
struct Bench {
    /// Verifies a batch's signatures in one `verify_batch` first (`Config::batch_verify`).
    issuer: Issuer,
    /// The same issuer and ledger, verifying each signature on its own with ring (the default).
    one_by_one: Arc<Issuer>,
    clock: Arc<FixedClock>,
    merchant: RingSigner,
    wallets: Vec<(RingSigner, u64)>,
    offer: PaymentRequirements,
    batches: u64,
}

/// The 1,000 signed authorizations of one batch, the signed request carrying them, and what the
/// floors verify: each one's key, signing input and signature.
struct Batch {
    request: SettlementRequest,
    jws: String,
    raw: Vec<([u8; 32], Vec<u8>, [u8; 64])>,
}

impl Bench {
    fn new(database: &str, dir: &Path) -> Bench {
        let store = centime_issuer::open_store(database).unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let clock = Arc::new(FixedClock::new(now));
        let key = dir.join("issuer.pk8");
        let config = Config::demo(network(), "Bench Issuer");
        let issuer = Issuer::new(
            centime_issuer::keys::load_or_create(&key).unwrap(),
            Config { batch_verify: true, ..config.clone() },
            store.clone(),
            clock.clone(),
        );
        let one_by_one = Arc::new(Issuer::new(
            centime_issuer::keys::load_or_create(&key).unwrap(),
            Config { batch_verify: false, ..config },
            store,
            clock.clone(),
        ));
        let merchant = RingSigner::from_seed(&[0x4d; 32]).unwrap();
        issuer
            .register_merchant(&MerchantRecord {
                pay_to: PAY_TO.into(),
                key: merchant.public_key(),
                name: "Bench Shop".into(),
                origins: vec!["https://shop.example".into()],
            })
            .unwrap();
        let wallets = (0..WALLETS)
            .map(|i| {
                let mut seed = [0x57; 32];
                seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
                let w = RingSigner::from_seed(&seed).unwrap();
                // 5 × 100.00 EUR: 50,000 payments of 0.01, far more than any run settles.
                for _ in 0..5 {
                    issuer.issue(&w.public_key().to_string(), Micros::from_micros(100_000_000), Asset::EUR).unwrap();
                }
                (w, 1)
            })
            .collect();
        let price = Amount::new(Micros::from_micros(PRICE), Asset::EUR);
        let offer = PaymentRequirements::centime(&network(), PAY_TO, price, 300, "Bench Shop", None).unwrap();
        Bench { issuer, one_by_one, clock, merchant, wallets, offer, batches: 0 }
    }

    /// A batch nobody settled yet: ten payments from each wallet, in `seq` order.
    fn batch(&mut self) -> Batch {
        self.batches += 1;
        let now = self.clock.now();
        let mut auths = Vec::with_capacity(BATCH);
        let mut raw = Vec::with_capacity(BATCH);
        for i in 0..BATCH {
            let (wallet, seq) = &mut self.wallets[i % WALLETS];
            let resource = ResourceInfo {
                url: format!("https://shop.example/articles/{}/{i}", self.batches),
                description: None,
                mime_type: None,
                other: Default::default(),
            };
            let claims = authorization_claims(
                wallet.public_key(),
                &resource,
                &self.offer,
                PaymentId::random().unwrap(),
                *seq,
                now,
            )
            .unwrap();
            *seq += 1;
            let jws = sign_payload(wallet, &resource, &self.offer, &Default::default(), &claims)
                .unwrap()
                .payload
                .authorization;
            let (input, sig) = jws.rsplit_once('.').unwrap();
            let sig: [u8; 64] = URL_SAFE_NO_PAD.decode(sig).unwrap().try_into().unwrap();
            raw.push((wallet.public_key().0, input.as_bytes().to_vec(), sig));
            auths.push(jws);
        }
        let request = SettlementRequest {
            iss: self.merchant.public_key(),
            network: network(),
            pay_to: PAY_TO.into(),
            request_id: format!("bench-{}", self.batches),
            issued_at: now,
            authorizations: auths,
        };
        let jws = documents::sign(&self.merchant, &request).unwrap();
        Batch { request, jws, raw }
    }

    /// Settles the batch (its signatures verified in one batch or one by one) and checks that
    /// every item was settled.
    fn settle(&self, b: &Batch, batch_verify: bool) {
        let issuer = if batch_verify { &self.issuer } else { &self.one_by_one };
        let answer = issuer.settle(black_box(&b.jws)).unwrap();
        let answer = SettlementAnswer::open_for(&answer, &self.issuer.public_key(), &b.request).unwrap();
        assert!(answer.results.iter().all(|r| r.outcome == SettlementOutcome::Settled), "{:?}", answer.results[0]);
    }
}

/// `one_by_one` behind its axum router on 127.0.0.1, as `centime-issuer serve` runs it: the
/// address to post to. The server lives as long as the process.
fn serve(issuer: Arc<Issuer>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = centime_issuer::http::router(issuer);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(l, router).await.unwrap();
        });
    });
    base
}

/// `POST /issuer/settlements` of the batch, and the same checks as [`Bench::settle`].
fn settle_http(http: &reqwest::blocking::Client, base: &str, bench: &Bench, b: &Batch) {
    let r = http
        .post(format!("{base}/issuer/settlements"))
        .header("Content-Type", "application/jose")
        .body(b.jws.clone())
        .send()
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let answer = SettlementAnswer::open_for(&r.text().unwrap(), &bench.issuer.public_key(), &b.request).unwrap();
    assert!(answer.results.iter().all(|r| r.outcome == SettlementOutcome::Settled), "{:?}", answer.results[0]);
}

/// The floor: ring's Ed25519 verification of each authorization, one by one.
fn floor_ring(b: &Batch) {
    for (key, input, sig) in &b.raw {
        ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, black_box(key))
            .verify(black_box(input), black_box(sig))
            .unwrap();
    }
}

/// The same signatures in one `verify_batch` call, keys and signatures decoded inside.
fn floor_dalek_batch(b: &Batch) {
    let keys: Vec<ed25519_dalek::VerifyingKey> =
        b.raw.iter().map(|(k, _, _)| ed25519_dalek::VerifyingKey::from_bytes(k).unwrap()).collect();
    let sigs: Vec<ed25519_dalek::Signature> =
        b.raw.iter().map(|(_, _, s)| ed25519_dalek::Signature::from_bytes(s)).collect();
    let msgs: Vec<&[u8]> = b.raw.iter().map(|(_, m, _)| m.as_slice()).collect();
    ed25519_dalek::verify_batch(black_box(&msgs), &sigs, &keys).unwrap();
}

fn rate(d: Duration) -> f64 {
    BATCH as f64 / d.as_secs_f64()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

/// Fresh PostgreSQL database on the server the variable names, as the issuer's test suite makes.
fn fresh_postgres(base: &str) -> String {
    let name =
        format!("centime_bench_{}", centime_issuer::issuer::random_id().unwrap().to_lowercase().replace('-', "_"));
    let mut admin = postgres::Client::connect(base, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let (prefix, _) = base.rsplit_once('/').unwrap();
    format!("{prefix}/{name}")
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    let dir = tempfile::tempdir().unwrap();
    let mut backends = vec![("sqlite", format!("sqlite:{}", dir.path().join("issuer.sqlite3").display()))];
    match std::env::var(POSTGRES_VAR) {
        Ok(base) => backends.push(("postgres", fresh_postgres(&base))),
        Err(_) => println!("PostgreSQL: skipped ({POSTGRES_VAR} not set)"),
    }
    let mut benches: Vec<(&str, Bench)> = backends
        .iter()
        .map(|(name, db)| {
            let d = dir.path().join(name);
            std::fs::create_dir_all(&d).unwrap();
            (*name, Bench::new(db, &d))
        })
        .collect();

    // The end-to-end figure for one backend: PostgreSQL when it runs, else SQLite.
    let http_backend = benches.len() - 1;
    let base = serve(benches[http_backend].1.one_by_one.clone());
    let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(300)).build().unwrap();
    {
        let mut g = c.benchmark_group("settle");
        g.throughput(Throughput::Elements(BATCH as u64));
        // A batch takes up to seconds on a loaded disk: ten samples of the same few iterations.
        g.sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(5));
        let floor = benches[0].1.batch();
        g.bench_function("floor_ring_ed25519_1000", |bn| bn.iter(|| floor_ring(&floor)));
        g.bench_function("floor_dalek_verify_batch_1000", |bn| bn.iter(|| floor_dalek_batch(&floor)));
        for (name, b) in &mut benches {
            let b = std::cell::RefCell::new(b);
            for (how, batch_verify) in [("batch_verify", true), ("one_by_one", false)] {
                g.bench_function(format!("issuer_settle_1000_{name}_{how}"), |bn| {
                    bn.iter_batched(
                        || b.borrow_mut().batch(),
                        |batch| b.borrow().settle(&batch, batch_verify),
                        BatchSize::PerIteration,
                    )
                });
            }
        }
        g.finish();
    }
    c.final_summary();
    if quick {
        return;
    }

    // Interleaved: each round settles a fresh batch on each backend and verifies the same
    // signatures both ways right after, so that the settlement and its floor see the same machine.
    let rounds: usize = std::env::var("CENTIME_BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(9);
    let mut ring_t = Vec::new();
    let mut dalek_t = Vec::new();
    let mut settle_t: Vec<[Vec<Duration>; 2]> = vec![[Vec::new(), Vec::new()]; benches.len()];
    let mut http_t = Vec::new();
    for _ in 0..rounds {
        for (i, (_, b)) in benches.iter_mut().enumerate() {
            let batch = b.batch();
            let t = Instant::now();
            b.settle(&batch, true);
            settle_t[i][0].push(t.elapsed());
            let batch = b.batch();
            let t = Instant::now();
            b.settle(&batch, false);
            settle_t[i][1].push(t.elapsed());
            if i == http_backend {
                let batch = b.batch();
                let t = Instant::now();
                settle_http(&http, &base, b, &batch);
                http_t.push(t.elapsed());
            }
            let t = Instant::now();
            floor_ring(&batch);
            ring_t.push(t.elapsed());
            let t = Instant::now();
            floor_dalek_batch(&batch);
            dalek_t.push(t.elapsed());
        }
    }
    let (ring_t, dalek_t) = (median(ring_t), median(dalek_t));
    println!();
    println!("medians over {rounds} interleaved rounds of {BATCH} authorizations from {WALLETS} wallets:");
    println!("  floor, ring Ed25519 one by one:      {:>9.0} items/s", rate(ring_t));
    println!(
        "  floor, dalek verify_batch:           {:>9.0} items/s  ({:.2}x ring)",
        rate(dalek_t),
        rate(dalek_t) / rate(ring_t)
    );
    for ((name, b), [batched, single]) in benches.iter().zip(settle_t) {
        for (how, t) in [("batch verify", batched), ("one by one", single)] {
            let t = median(t);
            println!(
                "  Issuer::settle, {name:<8} {how:<12} (in-process): {:>9.0} items/s  settle/ring floor {:.3}",
                rate(t),
                rate(t) / rate(ring_t),
            );
        }
        println!("  ({} batches of {BATCH} signed on {name})", b.batches);
    }
    let t = median(http_t);
    println!(
        "  POST /issuer/settlements, {} one by one (axum on 127.0.0.1): {:>9.0} items/s  settle/ring floor {:.3}",
        benches[http_backend].0,
        rate(t),
        rate(t) / rate(ring_t),
    );
}
