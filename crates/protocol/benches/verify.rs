//! Merchant verification of one authorization against raw ring Ed25519 verification of the same
//! signature, measured in the same run; prints the ratio (verify rate / raw rate, goal ≥ 0.8).
//!
//! `cargo bench -p centime-protocol --bench verify`

// A benchmark reports on stdout and may unwrap its fixed inputs.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Rates and their ratio are timing statistics, nowhere near money.
#![allow(clippy::float_arithmetic)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use centime_protocol::jws::{RingSigner, Signer};
use centime_protocol::verify::ReplayCache;
use centime_protocol::{
    Amount, Asset, FixedClock, Micros, Network, PaymentId, PaymentPayload, PaymentRequired, PaymentRequirements,
    Rejection, ResourceInfo, Verified, Verifier, payment,
};
use criterion::{Criterion, Throughput};
use serde_json::Map;

const NOW: u64 = 1_767_225_600;

/// A cache that remembers nothing, so that the same authorization can be verified again and
/// again without tripping replay detection: what is measured is decoding and checking.
struct NoCache;

impl ReplayCache for NoCache {
    fn previous(&self, _: &PaymentId, _: &[u8; 32]) -> Option<Verified> {
        None
    }
    fn record(&self, _: &Verified, _: [u8; 32], _: u64, _: u64) -> Result<(), Rejection> {
        Ok(())
    }
}

struct Fixture {
    verifier: Verifier,
    header: String,
    key: [u8; 32],
    signing_input: Vec<u8>,
    signature: Vec<u8>,
}

fn fixture() -> Fixture {
    let network: Network = "centime:demo".parse().unwrap();
    let price = Amount::new(Micros::from_micros(50_000), Asset::EUR);
    let req =
        PaymentRequirements::centime(&network, "magazine-0001", price, 300, "The Demo Magazine", Some(86_400)).unwrap();
    let mut offered = PaymentRequired {
        x402_version: 2,
        error: Some("payment required".into()),
        resource: ResourceInfo {
            url: "https://magazine.example/articles/42".into(),
            description: Some("Article 42".into()),
            mime_type: Some("text/html".into()),
            other: Map::new(),
        },
        accepts: vec![req],
        extensions: Map::new(),
        other: Map::new(),
    };
    offered.declare_payment_identifier();
    let wallet = RingSigner::from_seed(&[0x11; 32]).unwrap();
    let claims = payment::authorization_claims(
        wallet.public_key(),
        &offered.resource,
        &offered.accepts[0],
        "pay_bench_000000000001".parse().unwrap(),
        1,
        NOW,
    )
    .unwrap();
    let payload =
        payment::sign_payload(&wallet, &offered.resource, &offered.accepts[0], &offered.extensions, &claims).unwrap();
    let header = payload.to_header().unwrap();
    let jws = PaymentPayload::from_header(&header).unwrap().payload.authorization;
    let (signing_input, sig) = jws.rsplit_once('.').unwrap();
    let verifier = Verifier::new(offered, Arc::new(FixedClock::new(NOW))).unwrap();
    verifier.verify(&header, &NoCache).expect("the fixture verifies");
    Fixture {
        verifier,
        header,
        key: wallet.public_key().0,
        signing_input: signing_input.as_bytes().to_vec(),
        signature: URL_SAFE_NO_PAD.decode(sig).unwrap(),
    }
}

fn raw(f: &Fixture) {
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, black_box(&f.key))
        .verify(black_box(&f.signing_input), black_box(&f.signature))
        .unwrap();
}

fn merchant(f: &Fixture) {
    black_box(f.verifier.verify(black_box(&f.header), &NoCache).unwrap());
}

/// Per-operation time of `op`, as the median of `rounds` batches interleaved with `other`'s so
/// that both see the same machine state (frequency, other load).
fn interleaved(f: &Fixture, rounds: usize, batch: usize) -> (Duration, Duration) {
    let mut a = Vec::with_capacity(rounds);
    let mut b = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..batch {
            merchant(f);
        }
        a.push(t.elapsed() / u32::try_from(batch).unwrap());
        let t = Instant::now();
        for _ in 0..batch {
            raw(f);
        }
        b.push(t.elapsed() / u32::try_from(batch).unwrap());
    }
    a.sort();
    b.sort();
    (a[rounds / 2], b[rounds / 2])
}

fn main() {
    let f = fixture();
    let mut c = Criterion::default().configure_from_args();
    {
        let mut g = c.benchmark_group("verify");
        g.throughput(Throughput::Elements(1));
        g.bench_function("raw_ring_ed25519", |b| b.iter(|| raw(&f)));
        g.bench_function("merchant_verify", |b| b.iter(|| merchant(&f)));
        g.finish();
    }
    c.final_summary();

    // `cargo test --benches` and `cargo bench -- --test` run each benchmark once: no ratio.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let (verify, raw_t) = interleaved(&f, 41, 400);
    let verify_rate = 1.0e9 / verify.as_nanos() as f64;
    let raw_rate = 1.0e9 / raw_t.as_nanos() as f64;
    println!();
    println!("merchant verification: {:>8.2} µs/op  {:>8.0} op/s", verify.as_nanos() as f64 / 1e3, verify_rate);
    println!("raw ring Ed25519:      {:>8.2} µs/op  {:>8.0} op/s", raw_t.as_nanos() as f64 / 1e3, raw_rate);
    println!("ratio (verify rate / raw rate): {:.3}  (goal ≥ 0.80)", verify_rate / raw_rate);
}
