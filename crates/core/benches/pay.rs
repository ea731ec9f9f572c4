//! One payment (rules + sign + durable commit) against a floor measured in the same run:
//! one Ed25519 signature plus one durable single-row commit with the same database settings.
//!
//! `cargo bench -p centime-core --bench pay` prints criterion's figures, then the p50 of each
//! from an interleaved run and their ratio (goal: at most 1.2).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use centime_core::keystore::FileKeyStore;
use centime_core::passphrase::Passphrase;
use centime_core::{Issuer, LimitsChange, PayOptions, SiteChange, Wallet, sqlite};
use centime_protocol::documents::{self, CreditClaims};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::{
    Amount, Asset, FixedClock, Micros, Network, PaymentRequired, PaymentRequirements, ResourceInfo,
};
use criterion::{Criterion, criterion_group};
use rusqlite::Connection;

const T0: u64 = 1_795_608_000;
/// Each payment moves the wallet's clock on by this much, so that a day holds at most 96
/// payments: the rules sum today's spending, as they would for a heavy real user.
const STEP: u64 = 900;
const SITE: &str = "https://news.example";

struct Bench {
    wallet: Wallet,
    clock: Arc<FixedClock>,
    request: PaymentRequired,
    floor: Connection,
    floor_signer: RingSigner,
    message: Vec<u8>,
    paid: u64,
    floor_rows: i64,
}

impl Bench {
    fn new(dir: &Path) -> Bench {
        let issuer = RingSigner::from_seed(&[7; 32]).unwrap();
        let network: Network = "centime:bench".parse().unwrap();
        let data = dir.join("wallet");
        let ks = FileKeyStore::new(&data, Passphrase::new("benchmark passphrase".into()));
        let trusted = Issuer { network: network.clone(), public_key: issuer.public_key(), name: None };
        let mut wallet = Wallet::init(&data, &ks, &[trusted]).unwrap();
        let clock = Arc::new(FixedClock::new(T0));
        wallet.set_clock(clock.clone());
        // 100,000.00 EUR: far more than any run spends at 0.01 a payment.
        for i in 0..10 {
            let claims = CreditClaims {
                iss: issuer.public_key(),
                network: network.clone(),
                sub: wallet.id(),
                credit_id: format!("bench-{i}"),
                value: "1000000".into(),
                asset: Asset::EUR,
                asset_scale: 2,
                issued_at: T0,
            };
            wallet.topup(&documents::sign(&issuer, &claims).unwrap()).unwrap();
        }
        wallet
            .update_limits(&LimitsChange {
                daily_cap: Some(Micros::from_micros(1_000_000_000_000)),
                max_per_payment: Some(Micros::from_micros(1_000_000_000)),
                ..Default::default()
            })
            .unwrap();
        wallet.update_site(SITE, &SiteChange { auto_pay: Some(true), ..Default::default() }).unwrap();
        let price = Amount::new(Micros::from_micros(10_000), Asset::EUR);
        let request = PaymentRequired {
            x402_version: 2,
            error: None,
            resource: ResourceInfo {
                url: format!("{SITE}/articles/the-one-everybody-reads"),
                description: Some("The article everybody reads".into()),
                mime_type: Some("text/html".into()),
                other: Default::default(),
            },
            accepts: vec![PaymentRequirements::centime(&network, "merchant-news", price, 60, "News", None).unwrap()],
            extensions: Default::default(),
            other: Default::default(),
        };

        // The floor: same settings (WAL, synchronous=FULL, BEGIN IMMEDIATE), same directory.
        let mut floor = sqlite::open(&dir.join("floor.sqlite3"), true).unwrap();
        floor.execute_batch("CREATE TABLE floor (x INTEGER NOT NULL) STRICT").unwrap();
        let tx = sqlite::immediate(&mut floor).unwrap();
        tx.commit().unwrap();
        let floor_signer = RingSigner::from_seed(&[9; 32]).unwrap();
        // About the size of the authorization the wallet signs.
        let message = vec![b'x'; 720];
        Bench { wallet, clock, request, floor, floor_signer, message, paid: 0, floor_rows: 0 }
    }

    fn pay(&mut self) {
        self.paid += 1;
        self.clock.set(T0 + STEP * self.paid);
        let p = self.wallet.pay(&self.request, &PayOptions::default()).unwrap();
        assert!(p.automatic);
        black_box(p);
    }

    fn floor(&mut self) {
        self.floor_rows += 1;
        let sig = self.floor_signer.sign(&self.message).unwrap();
        let tx = sqlite::immediate(&mut self.floor).unwrap();
        tx.execute("INSERT INTO floor (x) VALUES (?1)", [self.floor_rows]).unwrap();
        tx.commit().unwrap();
        black_box(sig);
    }
}

fn p50(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

fn micros(d: Duration) -> String {
    format!("{}.{:01} µs", d.as_micros(), (d.as_nanos() % 1000) / 100)
}

fn bench(c: &mut Criterion) {
    // A directory on a real disk by default; CENTIME_BENCH_DIR=/dev/shm shows the CPU share
    // alone (tmpfs makes fsync free).
    let base = std::env::var_os("CENTIME_BENCH_DIR").map_or_else(std::env::temp_dir, std::path::PathBuf::from);
    let dir = tempfile::tempdir_in(base).unwrap();
    let mut b = Bench::new(dir.path());

    let mut g = c.benchmark_group("payment");
    g.sample_size(50).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(6));
    g.bench_function("wallet_pay", |bn| bn.iter(|| b.pay()));
    g.bench_function("floor_sign_and_commit", |bn| bn.iter(|| b.floor()));
    g.finish();

    // Interleaved, one at a time, so that both see the same disk and the same moment.
    let rounds = 600;
    let (mut pay, mut floor) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    for _ in 0..rounds {
        let t = Instant::now();
        b.pay();
        pay.push(t.elapsed());
        let t = Instant::now();
        b.floor();
        floor.push(t.elapsed());
    }
    let (pay, floor) = (p50(pay), p50(floor));
    let ratio_milli = pay.as_nanos() * 1000 / floor.as_nanos().max(1);
    println!();
    println!("p50 over {rounds} interleaved rounds, {} payments in the journal:", b.paid);
    println!("  payment (rules + sign + durable commit): {}", micros(pay));
    println!("  floor (Ed25519 sign + durable 1-row commit): {}", micros(floor));
    println!("  ratio: {}.{:03} (goal <= 1.200)", ratio_milli / 1000, ratio_milli % 1000);

    // Where a payment's time goes: its parts, each on its own.
    let (mut quote, mut sign, mut commit) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = Instant::now();
        black_box(b.wallet.quote(&b.request).unwrap());
        quote.push(t.elapsed());
        let t = Instant::now();
        black_box(b.floor_signer.sign(&b.message).unwrap());
        sign.push(t.elapsed());
        b.floor_rows += 1;
        let t = Instant::now();
        let tx = sqlite::immediate(&mut b.floor).unwrap();
        tx.execute("INSERT INTO floor (x) VALUES (?1)", [b.floor_rows]).unwrap();
        tx.commit().unwrap();
        commit.push(t.elapsed());
    }
    println!("breakdown (p50):");
    println!("  rules and terms alone (Wallet::quote, read-only): {}", micros(p50(quote)));
    println!("  Ed25519 signature alone: {}", micros(p50(sign)));
    println!("  durable 1-row commit alone: {}", micros(p50(commit)));
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
