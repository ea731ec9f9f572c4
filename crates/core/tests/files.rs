//! Files only the user can read: the data directory 0700; the database with its `-wal` and
//! `-shm`, the key file, backups, exports and the wallets a restore set aside 0600.
//!
//! The modes are checked against what the umask would otherwise allow (022 in most sessions
//! and CI: every file group- and world-readable).

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use centime_core::history::{ExportFormat, HistoryFilter};
use centime_core::keystore::{FileKeyStore, KEY_FILE};
use centime_core::passphrase::Passphrase;
use centime_core::{Error, Wallet, db_path};
use common::*;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).permissions().mode() & 0o777
}

fn side(db: &Path, suffix: &str) -> std::path::PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(suffix);
    p.into()
}

#[test]
fn a_wallet_and_what_it_writes_are_the_users_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("wallet");
    let ks = FileKeyStore::new(&dir, Passphrase::new("a long passphrase".into()));
    let mut w = Wallet::init(&dir, &ks, &[test_issuer()]).unwrap();
    w.set_clock(std::sync::Arc::new(centime_protocol::FixedClock::new(T0)));
    w.topup(&credit_note(&w.id(), "c1", 1_000_000, T0)).unwrap();
    let db = db_path(&dir);
    assert_eq!(mode(&dir), 0o700, "the data directory");
    assert_eq!(mode(&db), 0o600, "the database");
    assert_eq!(mode(&side(&db, "-wal")), 0o600, "the database's WAL");
    assert_eq!(mode(&side(&db, "-shm")), 0o600, "the database's shared memory");
    assert_eq!(mode(&dir.join(KEY_FILE)), 0o600, "the key file");

    let backup = tmp.path().join("wallet.backup");
    w.backup(&backup, &Passphrase::new("backup passphrase".into())).unwrap();
    assert_eq!(mode(&backup), 0o600, "the backup");

    let export = tmp.path().join("history.csv");
    let rows = centime_core::files::write_private(&export, |out| {
        w.export(&HistoryFilter::default(), ExportFormat::Csv, out, &mut |_| true)
    })
    .unwrap();
    assert_eq!(rows, 1);
    assert_eq!(mode(&export), 0o600, "the export");
    // Rewriting an export another program left readable makes it private too.
    std::fs::set_permissions(&export, std::fs::Permissions::from_mode(0o644)).unwrap();
    centime_core::files::write_private(&export, |out| {
        w.export(&HistoryFilter::default(), ExportFormat::Json, out, &mut |_| true)
    })
    .unwrap();
    assert_eq!(mode(&export), 0o600);
    drop(w);

    // The wallet restored over itself: the database set aside is private as well.
    let w = Wallet::restore(&dir, &backup, &Passphrase::new("backup passphrase".into()), &ks).unwrap();
    drop(w);
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    assert_eq!(mode(&dir), 0o700);
}

#[test]
fn a_wallet_left_readable_by_an_earlier_version_is_made_private_on_open() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("wallet");
    let ks = MemKeyStore::new();
    drop(Wallet::init(&dir, ks.as_ref(), &[test_issuer()]).unwrap());
    let db = db_path(&dir);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let w = Wallet::open(&dir, ks.as_ref()).unwrap();
    w.verify().unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&db), 0o600);
}

#[test]
fn an_export_that_fails_leaves_nothing_at_the_destination() {
    let tmp = tempfile::tempdir().unwrap();
    let fx = Fx::new();
    let export = tmp.path().join("history.csv");
    let r = centime_core::files::write_private(&export, |out| {
        fx.w.export(&HistoryFilter::default(), ExportFormat::Csv, out, &mut |_| false)
    });
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
