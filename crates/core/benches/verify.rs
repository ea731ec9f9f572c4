//! `verify` on the generated wallet of the history benchmark (1,000,000 entries by default,
//! `CENTIME_BENCH_ENTRIES` to change it), against floors measured in the same run: Ed25519
//! verification (ring) of as many signatures as `verify` checks, sequentially and on every
//! core, and a raw scan of the rows it reads.
//!
//! `cargo bench -p centime-core --bench verify`; figures go to BENCHMARKS.md ("verify").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, missing_docs)]

use std::time::{Duration, Instant};

use ring::signature::{self, Ed25519KeyPair, KeyPair as _};
use rusqlite::{Connection, OpenFlags};

mod seeded;

fn runs() -> usize {
    std::env::var("CENTIME_VERIFY_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

/// `n` Ed25519 signatures over messages of `len` bytes, verified on `threads` threads.
fn ring_floor(n: usize, len: usize, threads: usize) -> Duration {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let key = signature::UnparsedPublicKey::new(&signature::ED25519, pair.public_key().as_ref().to_vec());
    // A few distinct messages: verification costs the same whatever the bytes.
    let signed: Vec<(Vec<u8>, Vec<u8>)> = (0..64u8)
        .map(|i| {
            let m = vec![i; len];
            let s = pair.sign(&m).as_ref().to_vec();
            (m, s)
        })
        .collect();
    let t = Instant::now();
    std::thread::scope(|s| {
        for k in 0..threads {
            let (key, signed) = (&key, &signed);
            s.spawn(move || {
                for i in (k..n).step_by(threads) {
                    let (m, sig) = &signed[i % signed.len()];
                    key.verify(m, sig).unwrap();
                }
            });
        }
    });
    t.elapsed()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let (w, data) = seeded::wallet();
    let raw = Connection::open_with_flags(centime_core::db_path(&data), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let count = |sql: &str| -> usize { raw.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap().try_into().unwrap() };
    let receipts = count("SELECT COUNT(*) FROM payments WHERE receipt IS NOT NULL");
    let credits = count("SELECT COUNT(*) FROM credits");
    let signatures = receipts + credits;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    let mut times = Vec::new();
    let mut report = None;
    for _ in 0..runs() {
        let t = Instant::now();
        report = Some(w.verify().unwrap());
        times.push(t.elapsed());
    }
    let verify = median(times.clone());
    // A receipt is a few hundred bytes of JWS: its signing input is about that long.
    // Timed over a sample (100,000 unless CENTIME_VERIFY_FLOOR_SAMPLE says otherwise) and scaled:
    // verifications cost the same each, and the whole count would take minutes more.
    let sample = std::env::var("CENTIME_VERIFY_FLOOR_SAMPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000usize)
        .clamp(1, signatures.max(1));
    let scale = |d: Duration| {
        Duration::from_nanos(u64::try_from(d.as_nanos() * signatures as u128 / sample as u128).unwrap_or(u64::MAX))
    };
    let floor_one = scale(ring_floor(sample, 400, 1));
    let floor_all = scale(ring_floor(sample, 400, cores));
    // What verify reads, without checking it: the journal, then every payment with its row.
    let t = Instant::now();
    let mut scanned = 0u64;
    for sql in [
        "SELECT * FROM journal ORDER BY id",
        "SELECT p.*, j.* FROM payments p LEFT JOIN journal j ON j.id = p.journal_id",
    ] {
        let mut s = raw.prepare(sql).unwrap();
        let mut rows = s.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            let n = r.as_ref().column_count();
            scanned += (0..n).map(|i| u64::from(r.get_ref(i).is_ok())).sum::<u64>().min(1);
        }
    }
    let scan = t.elapsed();
    let report = report.unwrap();
    println!();
    println!(
        "verify on {} journal rows, {} payments, {receipts} receipts, {credits} credit notes, {cores} cores, load average {}",
        report.journal_rows,
        report.payments,
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!("  verify:                        {:.2?} (median of {}: {times:.2?})", verify, times.len());
    println!("  floor, ring Ed25519 x {signatures}, 1 thread:  {floor_one:.2?}");
    println!("  floor, ring Ed25519 x {signatures}, {cores} threads: {floor_all:.2?}");
    println!("  raw scan of journal, payments ({scanned} rows): {scan:.2?}");
    println!(
        "  load average after:            {}",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
}
