//! Restoring never destroys: a backup that cannot be restored changes nothing and leaves the
//! wallet that was there open and usable; a restore that succeeds keeps every wallet it
//! replaced, under a name no earlier restore used; the file keystore keeps its own passphrase.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use centime_core::keystore::{FileKeyStore, KeyStore, KeystoreKind, Secrets};
use centime_core::passphrase::Passphrase;
use centime_core::{Error, PayOptions, Result, Wallet};
use centime_protocol::FixedClock;
use common::*;

const BACKUP_PASS: &str = "backup passphrase";
const NEWS: &str = "https://news.example/a";

fn approved() -> PayOptions {
    PayOptions { approved: true, ..PayOptions::default() }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with("-shm") && !n.ends_with("-wal"))
        .collect();
    v.sort();
    v
}

/// The files of `dir` with a hash of their contents (a wallet's database is compared by its
/// snapshot).
fn contents(dir: &Path) -> Vec<(String, u64)> {
    use std::hash::{Hash as _, Hasher as _};
    names(dir)
        .into_iter()
        .filter(|n| !n.starts_with("wallet.sqlite3"))
        .map(|n| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(dir.join(&n)).unwrap().hash(&mut h);
            (n, h.finish())
        })
        .collect()
}

fn aside(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    names(dir).into_iter().filter(|n| n.starts_with(prefix)).map(|n| dir.join(n)).collect()
}

/// A second wallet with its own money, backed up.
fn other_backup(dir: &Path) -> (Fx, PathBuf) {
    let mut b = Fx::new();
    b.topup(400_000);
    let file = dir.join("b.backup");
    b.w.backup(&file, &Passphrase::new(BACKUP_PASS.into())).unwrap();
    (b, file)
}

/// The wallet a restore would replace: its directory and keystore (the wallet is closed).
struct Current {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    ks: Arc<MemKeyStore>,
}

impl Current {
    fn new(micros: i64) -> Current {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("wallet");
        let ks = MemKeyStore::new();
        let mut w = Wallet::init(&dir, ks.as_ref(), &[test_issuer()]).unwrap();
        w.set_clock(Arc::new(FixedClock::new(T0)));
        w.topup(&credit_note(&w.id(), "current-1", micros, T0)).unwrap();
        Current { _tmp: tmp, dir, ks }
    }

    fn open(&self) -> Wallet {
        let mut w = Wallet::open(&self.dir, self.ks.as_ref()).unwrap();
        w.set_clock(Arc::new(FixedClock::new(T0)));
        w
    }

    /// What a failed restore must leave as it was.
    fn state(&self) -> (DbSnapshot, Vec<(String, u64)>) {
        (DbSnapshot::take(&self.dir), contents(&self.dir))
    }
}

/// The wallet works through `w` (a handle that may have been open during the restore), and
/// opens again.
fn still_usable(current: &Current, mut w: Wallet, balance: i64) {
    assert_eq!(balance_of(&w), balance);
    w.verify().unwrap();
    w.topup(&credit_note(&w.id(), "after-restore", 10_000, T0)).unwrap();
    assert_eq!(balance_of(&w), balance + 10_000);
    drop(w);
    let w = current.open();
    assert_eq!(balance_of(&w), balance + 10_000);
    w.verify().unwrap();
}

#[test]
fn a_wrong_passphrase_leaves_the_current_wallet_open_and_usable() {
    let scratch = tempfile::tempdir().unwrap();
    let (_b, file) = other_backup(scratch.path());
    let a = Current::new(1_230_000);
    let w = a.open();
    let before = a.state();
    let r = Wallet::restore(&a.dir, &file, &Passphrase::new("not the passphrase".into()), a.ks.as_ref());
    assert!(matches!(r, Err(Error::WrongPassphrase(_))), "{r:?}");
    assert_eq!(a.state(), before);
    still_usable(&a, w, 1_230_000);
}

#[test]
fn a_backup_that_does_not_verify_changes_nothing() {
    let scratch = tempfile::tempdir().unwrap();
    let mut b = Fx::new();
    b.topup(400_000);
    // Wallet B's balance edited outside Centime, then backed up: the backup holds a wallet
    // that does not verify, and must not replace a good one.
    b.db().execute("UPDATE balances SET balance = balance + 1000000", []).unwrap();
    assert!(b.w.verify().is_err());
    let file = scratch.path().join("bad.backup");
    b.w.backup(&file, &Passphrase::new(BACKUP_PASS.into())).unwrap();

    let a = Current::new(1_230_000);
    let w = a.open();
    let before = a.state();
    let r = Wallet::restore(&a.dir, &file, &Passphrase::new(BACKUP_PASS.into()), a.ks.as_ref());
    let err = r.unwrap_err();
    assert!(matches!(err, Error::BadBackup(_)), "{err:?}");
    assert!(err.to_string().contains("does not verify"), "{err}");
    assert_eq!(a.state(), before, "the current wallet was touched");
    assert!(aside(&a.dir, "wallet.before-restore-").is_empty());
    still_usable(&a, w, 1_230_000);

    // Nor is a data directory left behind where there was none.
    let nowhere = scratch.path().join("never-created");
    let r = Wallet::restore(&nowhere, &file, &Passphrase::new(BACKUP_PASS.into()), a.ks.as_ref());
    assert!(matches!(r, Err(Error::BadBackup(_))), "{r:?}");
    assert!(!nowhere.exists());
}

/// A keystore that accepts the keys it is given and then cannot find them: a keyring that
/// fails after the restored keys were handed to it.
#[derive(Debug)]
struct Forgetful(Arc<MemKeyStore>);

impl KeyStore for Forgetful {
    fn kind(&self) -> KeystoreKind {
        self.0.kind()
    }
    fn load(&self, account: &str) -> Result<Option<Secrets>> {
        self.0.load(account)
    }
    fn save(&self, _account: &str, _secrets: &Secrets) -> Result<()> {
        Ok(())
    }
    fn probe(&self) -> Result<()> {
        Ok(())
    }
}

/// A keyring that is locked when the restored keys are saved.
#[derive(Debug)]
struct Locked(Arc<MemKeyStore>);

impl KeyStore for Locked {
    fn kind(&self) -> KeystoreKind {
        self.0.kind()
    }
    fn load(&self, account: &str) -> Result<Option<Secrets>> {
        self.0.load(account)
    }
    fn save(&self, _account: &str, _secrets: &Secrets) -> Result<()> {
        Err(Error::KeyringLocked("locked for the test".into()))
    }
    fn probe(&self) -> Result<()> {
        Ok(())
    }
}

#[test]
fn a_keystore_failure_leaves_the_current_wallet_open_and_unchanged() {
    let scratch = tempfile::tempdir().unwrap();
    let (_b, file) = other_backup(scratch.path());
    let a = Current::new(1_230_000);
    let before = a.state();
    let pass = Passphrase::new(BACKUP_PASS.into());

    // The wallet still open elsewhere (another program, a handle not dropped): moving its file
    // from under it would split it in two, so the restore refuses before touching anything.
    let w = a.open();
    let r = Wallet::restore(&a.dir, &file, &pass, a.ks.as_ref());
    assert!(matches!(r, Err(Error::Busy(_))), "{r:?}");
    assert_eq!(a.state(), before);
    drop(w);

    let r = Wallet::restore(&a.dir, &file, &pass, &Locked(a.ks.clone()));
    assert!(matches!(r, Err(Error::KeyringLocked(_))), "{r:?}");
    assert_eq!(a.state(), before);

    // The keys are "saved" but the keystore cannot give them back: the restored wallet
    // cannot open, so the one that was there is put back.
    let r = Wallet::restore(&a.dir, &file, &pass, &Forgetful(a.ks.clone()));
    assert!(matches!(r, Err(Error::KeyMissing(_))), "{r:?}");
    assert_eq!(a.state(), before, "the current wallet was not put back");
    assert!(aside(&a.dir, "wallet.before-restore-").is_empty());
    still_usable(&a, a.open(), 1_230_000);
}

#[test]
fn two_restores_of_one_backup_keep_both_earlier_wallets() {
    let scratch = tempfile::tempdir().unwrap();
    let (b, file) = other_backup(scratch.path());
    let a = Current::new(1_230_000);
    let a_id = a.open().id();
    let pass = Passphrase::new(BACKUP_PASS.into());

    // B over A, then B paid once more, then B's backup again over that.
    let mut w = Wallet::restore(&a.dir, &file, &pass, a.ks.as_ref()).unwrap();
    assert_eq!(w.id(), b.w.id());
    w.set_clock(Arc::new(FixedClock::new(T0)));
    // A restored wallet pays only after a sync with its issuer (ADR 22); a top-up changes it.
    let refused = w.pay(&offer(NEWS, 100_000), &approved()).unwrap_err();
    assert_eq!(refused.code(), centime_core::ErrorCode::SyncRequired, "{refused}");
    w.topup(&credit_note(&w.id(), "after-first-restore", 100_000, T0)).unwrap();
    drop(w);
    let w = Wallet::restore(&a.dir, &file, &pass, a.ks.as_ref()).unwrap();
    assert_eq!(balance_of(&w), 400_000, "the backup as it was");
    drop(w);

    // Both wallets that were there are kept, whole, each under its own name.
    let kept = aside(&a.dir, "wallet.before-restore-");
    assert_eq!(kept.len(), 2, "{:?}", names(&a.dir));
    let mut found = Vec::new();
    for db in kept {
        let dir = scratch.path().join(format!("open-{}", found.len()));
        std::fs::create_dir(&dir).unwrap();
        std::fs::copy(&db, centime_core::db_path(&dir)).unwrap();
        let w = Wallet::open(&dir, a.ks.as_ref()).unwrap();
        w.verify().unwrap();
        found.push((w.id(), balance_of(&w)));
    }
    found.sort_by_key(|(_, balance)| *balance);
    assert_eq!(found, vec![(b.w.id(), 500_000), (a_id, 1_230_000)]);
}

#[test]
fn the_file_keystore_keeps_its_own_passphrase() {
    let scratch = tempfile::tempdir().unwrap();
    let (b, file) = other_backup(scratch.path());
    let dir = scratch.path().join("a");
    let own = Passphrase::new("the keystore's own passphrase".into());
    let a = Wallet::init(&dir, &FileKeyStore::new(&dir, own.clone()), &[test_issuer()]).unwrap();
    let a_id = a.id();
    drop(a);
    let pass = Passphrase::new(BACKUP_PASS.into());
    let before = contents(&dir);

    // Restoring with another keystore passphrase (here the backup's) would lock the user
    // out with the one they know: refused, nothing changed.
    let err = Wallet::restore(&dir, &file, &pass, &FileKeyStore::new(&dir, pass.clone())).unwrap_err();
    assert_eq!(err.class(), centime_core::ErrorClass::Keystore, "{err:?}");
    assert!(err.to_string().contains("keystore's own passphrase"), "{err}");
    assert_eq!(contents(&dir), before);
    assert_eq!(Wallet::open(&dir, &FileKeyStore::new(&dir, own.clone())).unwrap().id(), a_id);

    // With it, B comes in under that same passphrase, and A's keys are kept, still under it.
    let w = Wallet::restore(&dir, &file, &pass, &FileKeyStore::new(&dir, own.clone())).unwrap();
    assert_eq!(w.id(), b.w.id());
    drop(w);
    assert_eq!(Wallet::open(&dir, &FileKeyStore::new(&dir, own.clone())).unwrap().id(), b.w.id());
    assert!(matches!(Wallet::open(&dir, &FileKeyStore::new(&dir, pass.clone())), Err(Error::WrongPassphrase(_))));
    let keys = aside(&dir, "keys.before-restore-");
    let dbs = aside(&dir, "wallet.before-restore-");
    assert_eq!((keys.len(), dbs.len()), (1, 1), "{:?}", names(&dir));
    let back = scratch.path().join("a-again");
    std::fs::create_dir(&back).unwrap();
    std::fs::copy(&dbs[0], centime_core::db_path(&back)).unwrap();
    std::fs::copy(&keys[0], back.join(centime_core::keystore::KEY_FILE)).unwrap();
    let w = Wallet::open(&back, &FileKeyStore::new(&back, own)).unwrap();
    assert_eq!(w.id(), a_id);
    w.verify().unwrap();
}

/// An OS keyring as the core sees it: one entry per account, nothing in the data directory.
#[derive(Debug)]
struct Keyring {
    entries: Arc<MemKeyStore>,
    locked: bool,
}

impl KeyStore for Keyring {
    fn kind(&self) -> KeystoreKind {
        KeystoreKind::Os
    }
    fn load(&self, account: &str) -> Result<Option<Secrets>> {
        self.entries.load(account)
    }
    fn save(&self, account: &str, secrets: &Secrets) -> Result<()> {
        if self.locked {
            return Err(Error::KeyringLocked("locked for the test".into()));
        }
        self.entries.save(account, secrets)
    }
    fn probe(&self) -> Result<()> {
        Ok(())
    }
}

#[test]
fn an_os_keyring_wallet_is_left_open_on_failure_and_kept_on_success() {
    let scratch = tempfile::tempdir().unwrap();
    let (b, file) = other_backup(scratch.path());
    let entries = MemKeyStore::new();
    let ring = Keyring { entries: entries.clone(), locked: false };
    let dir = scratch.path().join("a");
    let mut w = Wallet::init(&dir, &ring, &[test_issuer()]).unwrap();
    w.set_clock(Arc::new(FixedClock::new(T0)));
    w.topup(&credit_note(&w.id(), "os-1", 1_230_000, T0)).unwrap();
    let a_id = w.id();
    let before = (DbSnapshot::take(&dir), contents(&dir));
    let pass = Passphrase::new(BACKUP_PASS.into());

    // A wrong passphrase: the open wallet is untouched and keeps working.
    let r = Wallet::restore(&dir, &file, &Passphrase::new("not the passphrase".into()), &ring);
    assert!(matches!(r, Err(Error::WrongPassphrase(_))), "{r:?}");
    assert_eq!((DbSnapshot::take(&dir), contents(&dir)), before);
    w.verify().unwrap();
    drop(w);

    // The keyring locked when the restored keys are saved: nothing changed.
    let r = Wallet::restore(&dir, &file, &pass, &Keyring { entries: entries.clone(), locked: true });
    assert!(matches!(r, Err(Error::KeyringLocked(_))), "{r:?}");
    assert_eq!((DbSnapshot::take(&dir), contents(&dir)), before);
    assert_eq!(balance_of(&Wallet::open(&dir, &ring).unwrap()), 1_230_000);

    // Restored: B in place, A kept beside it, and A's keys still in the keyring.
    let w = Wallet::restore(&dir, &file, &pass, &ring).unwrap();
    assert_eq!(w.id(), b.w.id());
    drop(w);
    let kept = aside(&dir, "wallet.before-restore-");
    assert_eq!(kept.len(), 1, "{:?}", names(&dir));
    let back = scratch.path().join("a-again");
    std::fs::create_dir(&back).unwrap();
    std::fs::copy(&kept[0], centime_core::db_path(&back)).unwrap();
    let w = Wallet::open(&back, &ring).unwrap();
    assert_eq!((w.id(), balance_of(&w)), (a_id, 1_230_000));
    w.verify().unwrap();
}
