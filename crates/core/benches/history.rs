//! History on a generated 1,000,000-entry wallet (docs/design.md §7): the first page of a
//! filtered history, month-by-site totals, a full CSV export (to a sink and to a file), and the
//! database's size per entry, each against a floor measured in the same run where one makes
//! sense (a raw SQLite query over the same rows).
//!
//! `cargo bench -p centime-core --bench history` builds the wallet once with `Wallet::seed`
//! (300 sites, 12 months) and caches it under the target directory, keyed by the generator and
//! schema versions; `CENTIME_BENCH_ENTRIES` changes its size. Figures go to BENCHMARKS.md.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, missing_docs)]

use std::hint::black_box;
use std::io::Write as _;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use centime_core::Wallet;
use centime_core::history::{ExportFormat, GroupBy, HistoryFilter};
use criterion::{Criterion, criterion_group};
use rusqlite::{Connection, OpenFlags};

// Shared with the verify benchmark, which uses more of it.
#[allow(dead_code)]
mod seeded;
use seeded::{cache_dir, wallet};

/// The busiest site and one from the long tail.
fn sites(w: &Wallet) -> (String, String) {
    let t = w.totals(&HistoryFilter::default(), GroupBy::Site).unwrap();
    let mut by = t.iter().filter(|t| !t.key.is_empty()).collect::<Vec<_>>();
    by.sort_by_key(|t| std::cmp::Reverse(t.payments));
    (by[0].key.clone(), by[by.len() - 1].key.clone())
}

fn time<T>(f: impl FnMut() -> T) -> Duration {
    median(f, 15)
}

fn median<T>(mut f: impl FnMut() -> T, n: usize) -> Duration {
    let mut v: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    v.sort_unstable();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    let us = d.as_micros();
    format!("{}.{:02} ms", us / 1000, (us % 1000) / 10)
}

fn ratio(a: Duration, b: Duration) -> String {
    let milli = a.as_nanos() * 1000 / b.as_nanos().max(1);
    format!("{}.{:02}", milli / 1000, (milli % 1000) / 10)
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn bench(c: &mut Criterion) {
    let (w, data) = wallet();
    let n = w.count(&HistoryFilter::default()).unwrap();
    let (busy, quiet) = sites(&w);
    let raw = Connection::open_with_flags(centime_core::db_path(&data), OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let site = |s: &str| HistoryFilter { site: Some(s.into()), ..Default::default() };
    let out_dir = tempfile::tempdir_in(cache_dir()).unwrap();

    let mut g = c.benchmark_group("history");
    g.sample_size(30).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    g.bench_function("first_page", |b| b.iter(|| w.history(&HistoryFilter::default(), 50, None).unwrap()));
    g.bench_function("first_page_busy_site", |b| b.iter(|| w.history(&site(&busy), 50, None).unwrap()));
    g.bench_function("first_page_quiet_site", |b| b.iter(|| w.history(&site(&quiet), 50, None).unwrap()));
    g.bench_function("totals_month_by_site", |b| {
        b.iter(|| w.totals(&HistoryFilter::default(), GroupBy::MonthSite).unwrap())
    });
    g.finish();
    let mut g = c.benchmark_group("export");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(20));
    g.bench_function("csv_to_sink", |b| {
        b.iter(|| {
            w.export_with_progress(&HistoryFilter::default(), ExportFormat::Csv, &mut std::io::sink(), &mut |_| {
                ControlFlow::Continue(())
            })
            .unwrap()
        })
    });
    g.finish();

    // Interleaved medians with their floors, printed for BENCHMARKS.md.
    let page = time(|| w.history(&HistoryFilter::default(), 50, None).unwrap());
    let page_busy = time(|| w.history(&site(&busy), 50, None).unwrap());
    let page_quiet = time(|| w.history(&site(&quiet), 50, None).unwrap());
    let page_search =
        time(|| w.history(&HistoryFilter { search: Some("bread".into()), ..Default::default() }, 50, None).unwrap());
    let page_search_none = median(
        || w.history(&HistoryFilter { search: Some("no such words".into()), ..Default::default() }, 50, None).unwrap(),
        3,
    );
    let count_busy = time(|| w.count(&site(&busy)).unwrap());
    let floor_page = time(|| {
        let mut s = raw.prepare_cached("SELECT * FROM journal ORDER BY id DESC LIMIT 51").unwrap();
        s.query_map([], |r| r.get::<_, i64>(0)).unwrap().count()
    });
    let floor_site = time(|| {
        let mut s = raw.prepare_cached("SELECT * FROM journal WHERE site = ?1 ORDER BY at DESC LIMIT 51").unwrap();
        s.query_map([&busy], |r| r.get::<_, i64>(0)).unwrap().count()
    });
    let month_site = time(|| w.totals(&HistoryFilter::default(), GroupBy::MonthSite).unwrap());
    let month_site_busy = time(|| w.totals(&site(&busy), GroupBy::MonthSite).unwrap());
    let by_day = time(|| w.totals(&HistoryFilter::default(), GroupBy::Day).unwrap());
    let month_site_journal = median(
        || {
            w.totals(
                &HistoryFilter { status: Some(centime_core::EntryStatus::Settled), ..Default::default() },
                GroupBy::MonthSite,
            )
            .unwrap()
        },
        3,
    );
    let floor_sum = median(
        || {
            raw.query_row("SELECT SUM(amount) FROM journal WHERE kind IN ('payment', 'refund')", [], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
        },
        3,
    );

    // Export: memory sampled every 5,000 rows, to a sink and to a file, against a raw scan.
    let (mut low, mut high) = (u64::MAX, 0u64);
    let t = Instant::now();
    let rows = w
        .export_with_progress(&HistoryFilter::default(), ExportFormat::Csv, &mut std::io::sink(), &mut |_| {
            let r = rss_kib();
            low = low.min(r);
            high = high.max(r);
            ControlFlow::Continue(())
        })
        .unwrap();
    let export_sink = t.elapsed();
    let file = out_dir.path().join("history.csv");
    let t = Instant::now();
    {
        let f = std::fs::File::create(&file).unwrap();
        let mut buf = std::io::BufWriter::with_capacity(256 * 1024, f);
        w.export(&HistoryFilter::default(), ExportFormat::Csv, &mut buf, &mut |_| true).unwrap();
        buf.flush().unwrap();
        buf.into_inner().unwrap().sync_all().unwrap();
    }
    let export_file = t.elapsed();
    let csv_bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let t = Instant::now();
    let json_rows = w
        .export_with_progress(&HistoryFilter::default(), ExportFormat::Json, &mut std::io::sink(), &mut |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    let export_json = t.elapsed();
    let floor_scan = median(
        || {
            let mut s = raw
                .prepare_cached(
                    "SELECT j.id, j.at, j.kind, p.status, j.amount, j.asset, j.network, j.site, j.resource, j.title,
                            j.payment_id FROM journal j LEFT JOIN payments p ON p.journal_id = j.id ORDER BY j.id",
                )
                .unwrap();
            let mut rows = s.query([]).unwrap();
            let mut k = 0u64;
            while let Some(r) = rows.next().unwrap() {
                k += u64::from(r.get_ref(0).is_ok());
            }
            k
        },
        3,
    );

    // Size.
    let db = centime_core::db_path(&data);
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    let (page_size, pages): (i64, i64) = (
        raw.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap(),
        raw.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap(),
    );
    let per_table: Vec<(String, i64)> = raw
        .prepare("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .unwrap_or_default();

    println!();
    println!("History on {n} entries ({busy}: busiest site, {quiet}: quietest), medians:");
    println!(
        "  first page, no filter:        {} (floor: raw 51-row query {}; ratio {})",
        ms(page),
        ms(floor_page),
        ratio(page, floor_page)
    );
    println!(
        "  first page, busiest site:     {} (floor: raw site query {}; ratio {})",
        ms(page_busy),
        ms(floor_site),
        ratio(page_busy, floor_site)
    );
    println!("  first page, quietest site:    {}", ms(page_quiet));
    println!("  first page, search \"bread\":   {}", ms(page_search));
    println!("  search matching nothing:      {} (reads every row: LIKE, no index)", ms(page_search_none));
    println!("  count, busiest site:          {}", ms(count_busy));
    println!(
        "  totals month x site:          {} (month sums; floor: raw SUM over the journal {}; ratio {})",
        ms(month_site),
        ms(floor_sum),
        ratio(month_site, floor_sum)
    );
    println!("  totals month x site, 1 site:  {}", ms(month_site_busy));
    println!("  totals per day:               {}", ms(by_day));
    println!("  totals month x site, settled: {} (a status filter sums the journal)", ms(month_site_journal));
    println!(
        "  export CSV to a sink:         {} for {rows} rows (floor: raw scan of the same columns {}; ratio {})",
        ms(export_sink),
        ms(floor_scan),
        ratio(export_sink, floor_scan)
    );
    println!("  export CSV to a file:         {} ({} MB, fsync'd)", ms(export_file), csv_bytes / 1_000_000);
    println!("  export JSON to a sink:        {} for {json_rows} rows", ms(export_json));
    println!("  RSS during the export:        {} to {} MiB", low / 1024, high / 1024);
    println!("  database: {} MB ({pages} pages of {page_size} B) = {} B per entry", size / 1_000_000, size / n.max(1));
    for (name, bytes) in per_table.iter().take(12) {
        println!("    {name:<28} {:>6} B per entry", u64::try_from(*bytes).unwrap_or(0) / n.max(1));
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
