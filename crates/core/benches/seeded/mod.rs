//! The generated wallet the history and verify benchmarks share: built once with
//! `Wallet::seed` (300 sites, 12 months) and cached under the target directory, keyed by its
//! size (`CENTIME_BENCH_ENTRIES`) and the generator and schema versions.

use std::path::{Path, PathBuf};
use std::time::Instant;

use centime_core::keystore::FileKeyStore;
use centime_core::passphrase::Passphrase;
use centime_core::seed::{SEED_VERSION, SeedOptions};
use centime_core::{Wallet, sqlite};

pub const PASSPHRASE: &str = "benchmark passphrase";
/// The wallet's last entry: a fixed date, so that every build of the cache is the same.
const END: i64 = 1_795_608_000;

pub fn entries() -> u64 {
    std::env::var("CENTIME_BENCH_ENTRIES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000)
}

/// `<target>/centime-bench/history-<entries>-g<generator>-s<schema>`.
pub fn cache_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // <target>/release/deps/history-<hash>
    let target = exe.parent().and_then(Path::parent).and_then(Path::parent).unwrap().to_path_buf();
    target.join("centime-bench").join(format!("history-{}-g{SEED_VERSION}-s{}", entries(), sqlite::SCHEMA_VERSION))
}

fn keystore(data: &Path) -> FileKeyStore {
    FileKeyStore::new(data, Passphrase::new(PASSPHRASE.into()))
}

pub fn wallet() -> (Wallet, PathBuf) {
    let dir = cache_dir();
    let data = dir.join("wallet");
    let done = dir.join("complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut w = Wallet::init(&data, &keystore(&data), &[]).unwrap();
        let started = Instant::now();
        let n = entries();
        w.seed(&SeedOptions { entries: n, sites: 300, seed: 1, months: 12, end: END, force: false }, &mut |k| {
            if k % 100_000 == 0 || k == n {
                println!("seeding: {k} of {n} entries, {:.0?}", started.elapsed());
            }
        })
        .unwrap();
        let seeded = started.elapsed();
        drop(w);
        // Fold the WAL into the file so that its size is the database's.
        let c = sqlite::open(&centime_core::db_path(&data), false).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
        drop(c);
        std::fs::write(&done, format!("seeded {n} entries in {seeded:.1?}\n")).unwrap();
    }
    print!("{}", std::fs::read_to_string(&done).unwrap_or_default());
    let w = Wallet::open(&data, &keystore(&data)).unwrap();
    (w, data)
}
