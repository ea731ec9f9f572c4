//! Storage faults: a full disk, a file size limit, a read-only data
//! directory, the WAL deleted under a running wallet, and the database locked by another
//! program. Each fails with a clear message and changes nothing, and the wallet works again
//! once the fault is gone.
//!
//! A full disk and a read-only filesystem need a mount (a small tmpfs), which needs root; CI
//! runs as root. Without root those two cases say so on stderr and the RLIMIT_FSIZE case (any
//! user) still runs the same checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr)]

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use centime_protocol::jws::Signer as _;
use common::*;
use serde_json::Value;

fn is_root() -> bool {
    StdCommand::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A tmpfs of `size` mounted on a fresh directory; unmounted on drop.
struct Tmpfs {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        if !is_root() {
            eprintln!("not root: the tmpfs cases (disk full, read-only filesystem) are skipped");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_owned();
        let ok = StdCommand::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "centime-test"])
            .arg(&path)
            .status()
            .unwrap()
            .success();
        assert!(ok, "mounting a tmpfs as root failed");
        Some(Tmpfs { _dir: dir, path })
    }

    fn remount(&self, mode: &str) {
        let ok = StdCommand::new("mount").args(["-o", &format!("remount,{mode}")]).arg(&self.path).status().unwrap();
        assert!(ok.success(), "remount {mode}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = StdCommand::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// A wallet created in `data` (a directory that need not exist yet).
fn wallet_in(data: &Path) -> TestWallet {
    let o = centime()
        .arg("--data-dir")
        .arg(data)
        .args(["--json", "init", "--issuer", &format!("{NETWORK}={}", issuer().public_key())])
        .output()
        .unwrap();
    expect_code(&o, 0, "init");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    TestWallet {
        tmp: tempfile::tempdir().unwrap(),
        data: data.to_owned(),
        id: v["wallet"].as_str().unwrap().to_owned(),
    }
}

fn pay_args(n: usize) -> Vec<String> {
    vec!["pay".into(), header(&request(&format!("{NEWS}/fault/{n}"), 20_000)), "--yes".into()]
}

/// The wallet's state as the CLI and the database see it.
fn state(w: &TestWallet) -> (String, String) {
    (w.eur(), w.snapshot())
}

#[test]
fn a_full_disk_fails_cleanly_and_the_wallet_works_once_space_returns() {
    let Some(fs) = Tmpfs::mount("4m") else { return };
    let w = wallet_in(&fs.path.join("wallet"));
    w.topup("c1", 2_000_000);
    let before = state(&w);
    // Fill the filesystem to the last byte.
    let filler = fs.path.join("filler");
    let o = StdCommand::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", filler.display()))
        .arg("bs=64k")
        .output()
        .unwrap();
    assert!(!o.status.success(), "dd stops at a full disk");

    for (args, what) in [
        (pay_args(1), "a payment"),
        (vec!["topup".into(), w.credit("c2", 1_000_000)], "a top-up"),
        (vec!["allow".into(), "https://news.example".into(), "--auto".into()], "a site rule"),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = w.run(&args);
        assert_ne!(o.status.code(), Some(0), "{what} on a full disk: {}", stdout(&o));
        let err = stderr(&o);
        assert!(err.contains("disk") && err.contains("full"), "{what}: a clear message: {err}");
        assert!(!err.to_lowercase().contains("database error"), "{what}: no raw SQLite text: {err}");
    }
    std::fs::remove_file(&filler).unwrap();
    assert_eq!(state(&w), before, "nothing was half-written");
    assert_eq!(w.json(&["verify"])["ok"], true);

    // Space is back: everything works, and the failed top-up's note is still good.
    let args = pay_args(1);
    let o = w.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    expect_code(&o, 0, "pay after space returned");
    w.topup("c2", 1_000_000);
    assert_eq!(w.eur(), "2.98");
    assert_eq!(w.json(&["verify"])["ok"], true);
}

#[test]
fn a_file_size_limit_fails_cleanly_for_any_user() {
    let w = TestWallet::new();
    w.topup("c1", 2_000_000);
    let before = state(&w);
    // RLIMIT_FSIZE of 8 KiB: the WAL cannot take a transaction. SIGXFSZ is ignored (the shell's
    // trap is inherited through exec), so the write fails with EFBIG as on a full disk.
    let limited = |args: &[String]| {
        let bin = assert_cmd::cargo::cargo_bin("centime");
        let mut script =
            format!("trap '' XFSZ; exec prlimit --fsize=8192 {} --data-dir {}", bin.display(), w.data.display());
        for a in args {
            script.push_str(&format!(" '{a}'"));
        }
        StdCommand::new("sh")
            .arg("-c")
            .arg(script)
            .env("CENTIME_KEYSTORE", "file")
            .env("CENTIME_PASSPHRASE", PASS)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let o = limited(&pay_args(1));
    assert_ne!(o.status.code(), Some(0), "paid despite the limit: {}", stdout(&o));
    let err = stderr(&o);
    assert!(
        (err.contains("disk") && err.contains("full")) || err.contains("could not be read or written"),
        "a clear message: {err}"
    );
    let o = limited(&["topup".into(), w.credit("c2", 1_000_000)]);
    assert_ne!(o.status.code(), Some(0), "topped up despite the limit: {}", stdout(&o));
    assert_eq!(state(&w), before, "nothing was half-written");
    let args = pay_args(1);
    expect_code(&w.run(&args.iter().map(String::as_str).collect::<Vec<_>>()), 0, "pay without the limit");
    w.topup("c2", 1_000_000);
    assert_eq!(w.eur(), "2.98");
    assert_eq!(w.json(&["verify"])["ok"], true);
}

#[test]
fn a_read_only_data_directory_fails_cleanly() {
    let Some(fs) = Tmpfs::mount("8m") else { return };
    let w = wallet_in(&fs.path.join("wallet"));
    w.topup("c1", 1_000_000);
    let before = state(&w);
    fs.remount("ro");
    for args in [pay_args(1), vec!["balance".into()], vec!["topup".into(), w.credit("c2", 1_000_000)]] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = w.run(&args);
        // Reading may work (SQLite can read a WAL database it cannot write); writing must not.
        if args[0] != "balance" {
            assert_ne!(o.status.code(), Some(0), "{args:?} on a read-only filesystem: {}", stdout(&o));
        }
        if o.status.code() != Some(0) {
            let err = stderr(&o);
            assert!(err.contains("cannot be written") || err.contains("read-only"), "{args:?}: a clear message: {err}");
        }
    }
    fs.remount("rw");
    assert_eq!(state(&w), before);
    let args = pay_args(1);
    expect_code(&w.run(&args.iter().map(String::as_str).collect::<Vec<_>>()), 0, "pay once writable");
    assert_eq!(w.json(&["verify"])["ok"], true);
}

#[test]
fn deleting_the_wal_under_a_running_wallet_loses_nothing() {
    let w = TestWallet::new();
    w.topup("c1", 5_000_000);
    let mut child = w
        .std_cmd()
        .args(["pay", "--batch", "--yes", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let wal = w.data.join(format!("{}-wal", centime_core::sqlite::DB_FILE));
    let mut paid = 0;
    for n in 0..40 {
        writeln!(stdin, "{}", header(&request(&format!("{NEWS}/wal/{n}"), 10_000))).unwrap();
        stdin.flush().unwrap();
        let line: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        assert!(line.get("error").is_none(), "{line}");
        paid += 1;
        if n == 19 {
            assert!(wal.exists(), "the running wallet has a WAL");
            std::fs::remove_file(&wal).unwrap();
        }
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(paid, 40);
    assert_eq!(w.history(&["--kind", "payment"]).len(), 40, "every payment survived");
    assert_eq!(w.eur(), "4.60");
    assert_eq!(w.json(&["verify"])["ok"], true);
}

#[test]
fn a_database_locked_by_another_program_is_waited_for() {
    let w = TestWallet::new();
    w.topup("c1", 1_000_000);
    // Another program holds the write lock (an open write transaction in the sqlite3 shell).
    let mut other = StdCommand::new("sqlite3")
        .arg(w.db())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sqlite3 (apt install sqlite3)");
    let mut sql = other.stdin.take().unwrap();
    writeln!(sql, "BEGIN IMMEDIATE; UPDATE meta SET value = value WHERE key = 'created_at'; SELECT 'locked';").unwrap();
    sql.flush().unwrap();
    let mut out = BufReader::new(other.stdout.take().unwrap()).lines();
    assert_eq!(out.next().unwrap().unwrap(), "locked");

    let args = pay_args(1);
    let mut pay = w.std_cmd().args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_secs(2));
    assert!(pay.try_wait().unwrap().is_none(), "the payment waits for the lock instead of failing");
    writeln!(sql, "ROLLBACK;").unwrap();
    drop(sql);
    let o = pay.wait_with_output().unwrap();
    expect_code(&o, 0, "pay once the other program let go");
    other.wait().unwrap();
    assert_eq!(w.eur(), "0.98");
}
