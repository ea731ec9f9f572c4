//! Exports on a read connection of their own: the wallet pays and reads while one runs, the
//! export keeps the snapshot it started with, and its file is written whole or not at all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::ops::ControlFlow;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use centime_core::history::{ExportFormat, HistoryFilter};
use centime_core::{Error, PayOptions, Progress, Wallet};
use common::*;

fn approved() -> PayOptions {
    PayOptions { approved: true, ..PayOptions::default() }
}

/// The wallet's lock, as the app takes it for each command, or `None` after `within`: an
/// export holding it would make a command wait for the whole export.
fn lock_within(w: &Mutex<Wallet>, within: Duration) -> Option<MutexGuard<'_, Wallet>> {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if let Ok(g) = w.try_lock() {
            return Some(g);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

fn seeded(payments: usize) -> Fx {
    let mut fx = Fx::new();
    fx.topup(50_000_000);
    for i in 0..payments {
        fx.w.pay(&offer(&format!("https://news.example/{i}"), 10_000), &approved()).unwrap();
    }
    fx
}

#[test]
fn the_wallet_pays_and_reads_while_an_export_runs() {
    let fx = seeded(40);
    let mut app_wallet = Wallet::open(&fx.data_dir(), fx.ks.as_ref()).unwrap();
    app_wallet.set_clock(fx.clock.clone());
    let shared = Arc::new(Mutex::new(app_wallet));
    let all = HistoryFilter::default();
    let before = fx.w.count(&all).unwrap();
    let dest = fx.dir.path().join("history.csv");

    let (started_tx, started) = mpsc::channel::<u64>();
    let (paid, paid_rx) = mpsc::channel::<()>();
    let exporter = {
        let shared = Arc::clone(&shared);
        let dest = dest.clone();
        std::thread::spawn(move || {
            // The lock only while the connection opens, as the app's export command does.
            let reader = shared.lock().unwrap().export_reader()?;
            reader.export_to_file(&HistoryFilter::default(), ExportFormat::Csv, &dest, &mut |p: Progress| {
                if p.rows == 0 {
                    started_tx.send(p.total).unwrap();
                    // Mid-export until the payment is made beside it.
                    paid_rx.recv_timeout(Duration::from_secs(10)).expect("no payment was made while the export ran");
                }
                ControlFlow::Continue(())
            })
        })
    };
    assert_eq!(started.recv_timeout(Duration::from_secs(10)).unwrap(), before);
    {
        let mut w = lock_within(&shared, Duration::from_secs(5)).expect("the export holds the wallet");
        let p = w.pay(&offer("https://news.example/during-the-export", 10_000), &approved()).unwrap();
        assert_eq!(p.origin, "https://news.example");
        assert_eq!(w.count(&all).unwrap(), before + 1, "the wallet reads its own new entry");
        assert_eq!(
            w.history(&all, 1, None).unwrap().entries[0].resource.as_deref(),
            Some("https://news.example/during-the-export")
        );
    }
    paid.send(()).unwrap();
    let rows = exporter.join().unwrap().unwrap();

    // The export is the snapshot it started from: the payment made meanwhile is not in it.
    assert_eq!(rows, before);
    let text = std::fs::read_to_string(&dest).unwrap();
    assert_eq!(text.lines().count(), usize::try_from(before).unwrap() + 1, "the header and every row");
    assert!(!text.contains("during-the-export"));
    assert!(text.contains("https://news.example/39"));
    assert_ledger_consistent(&fx.data_dir());
}

#[test]
fn a_cancelled_export_leaves_nothing_and_a_finished_one_replaces_the_file() {
    let fx = seeded(3);
    let dest = fx.dir.path().join("history.json");
    std::fs::write(&dest, "an older export").unwrap();
    let reader = fx.w.export_reader().unwrap();
    let all = HistoryFilter::default();
    let err = reader.export_to_file(&all, ExportFormat::Json, &dest, &mut |_| ControlFlow::Break(())).unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "an older export");
    assert_eq!(std::fs::read_dir(fx.dir.path()).unwrap().count(), 2, "no temporary file is left beside it");

    let mut seen = Vec::new();
    let n = reader
        .export_to_file(&all, ExportFormat::Json, &dest, &mut |p| {
            seen.push(p);
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(n, 4);
    assert_eq!(seen, [Progress { rows: 0, total: 4 }, Progress { rows: 4, total: 4 }]);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&dest).unwrap()).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(4));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&dest).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let err =
        reader.export_to_file(&all, ExportFormat::Csv, fx.dir.path(), &mut |_| ControlFlow::Continue(())).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
}
