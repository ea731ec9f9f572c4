//! The crash suite: a stream of top-ups, paid fetches, retries and refusals against
//! centime-demo, with the wallet process killed at random moments, including inside its money
//! transactions and between its commit and the merchant's answer (debug-build crash points,
//! `centime_core::crash`). After every kill the wallet is reopened, asked to resolve what it
//! does not know (`centime resolve`), and checked:
//!
//! - `verify` passes: the HMAC chain holds, every balance equals the sum of its journal and is
//!   never negative, every payment row has its debit and every debit its payment;
//! - no payment is left pending: each is settled or refused-and-credited;
//! - the wallet's settled payments and the merchant's ledger are the same set, to the
//!   micro-unit (every authorization the merchant accepted has exactly one debit);
//! - every credit note issued was credited exactly once, retries included.
//!
//! `CENTIME_CRASH_TRIALS` (default 20; `make test-long` runs 200) sets the number of trials and
//! `CENTIME_CRASH_SEED` the seed; the seed is printed so that a failure replays exactly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use centime_e2e::{Demo, Fault, Output, Proxy, Rng, Wallet, count_from_env, micros, micros_at, reconcile};

/// How the wallet process dies in a trial.
#[derive(Debug, Clone)]
enum Kill {
    /// At a named crash point, if the command reaches it.
    At(&'static str),
    /// SIGKILL after this long, if the command still runs.
    After(Duration),
    /// Not at all: the command runs to its end.
    Never,
}

/// What a trial asks the wallet to do.
#[derive(Debug, Clone, Copy)]
enum Op {
    /// Fetch a page not paid yet.
    Fetch,
    /// Fetch with the payment's signature altered in transit: the merchant refuses it.
    FetchTampered,
    /// Fetch with the first answer lost: the client retries the same payment.
    FetchLostAnswer,
    /// Redeem a new credit note.
    Topup,
}

const OPS: &[Op] = &[Op::Fetch, Op::Fetch, Op::Fetch, Op::FetchTampered, Op::FetchLostAnswer, Op::Topup];

fn pick_kill(rng: &mut Rng, op: Op) -> Kill {
    use centime_core::crash::*;
    let points: &[&'static str] = match op {
        Op::Topup => &[TOPUP_BEFORE_COMMIT],
        Op::FetchTampered => &[PAY_BEFORE_COMMIT, PAY_AFTER_COMMIT, DELIVER_ANSWERED, REFUND_BEFORE_COMMIT],
        Op::Fetch | Op::FetchLostAnswer => {
            &[PAY_BEFORE_COMMIT, PAY_AFTER_COMMIT, DELIVER_ANSWERED, SETTLE_BEFORE_COMMIT]
        }
    };
    match rng.below(10) {
        0..=4 => Kill::At(points[rng.below(points.len())]),
        5..=8 => Kill::After(Duration::from_millis(rng.next_u64() % 400)),
        _ => Kill::Never,
    }
}

/// Runs `cmd`, killing it as `kill` says. Returns its output (code -1 when killed).
fn run_killed(mut cmd: std::process::Command, kill: &Kill) -> Result<Output> {
    if let Kill::At(point) = kill {
        cmd.env("CENTIME_CRASH_AT", point);
    }
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    if let Kill::After(delay) = kill {
        let deadline = Instant::now() + *delay;
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        if child.try_wait()?.is_none() {
            child.kill()?; // SIGKILL
        }
    }
    Ok(Output::from(child.wait_with_output()?))
}

/// One wallet's run: the pages it has not paid yet and the credit notes issued to it.
struct Run {
    wallet: Wallet,
    unpaid: Vec<String>,
    /// Credit note -> amount, every note ever handed to this wallet.
    notes: BTreeMap<String, i64>,
}

impl Run {
    fn new(demo: &Demo, pages: &[(String, i64)]) -> Result<Run> {
        let mut wallet = Wallet::new()?;
        wallet.init(&demo.issuer_key()?)?;
        let mut run = Run { wallet, unpaid: pages.iter().map(|(u, _)| u.clone()).collect(), notes: BTreeMap::new() };
        let note = demo.credit_note(run.wallet.id()?, "50.00", "EUR")?;
        run.wallet.json(&["topup", &note])?;
        run.notes.insert(note, micros("50.00")?);
        // Fetches pass --yes and the cap is far: the crash suite is about what survives, not rules.
        run.wallet.json(&["limits", "--daily-cap", "1000.00"])?;
        Ok(run)
    }
}

/// The checks after every trial (see the module's documentation).
fn check(run: &Run, demo: &Demo) -> Result<()> {
    let w = &run.wallet;
    let v = w.json(&["verify"])?;
    ensure!(v["ok"] == true, "verify: {v}");
    let history = w.history()?;
    for e in &history {
        ensure!(e["status"] != "pending", "a payment is still pending after resolve: {e}");
    }
    ensure!(w.balance()? >= 0, "a negative balance");
    let credits: i64 = history.iter().filter(|e| e["kind"] == "credit").map(|e| micros_at(e, "amount").unwrap()).sum();
    let issued: i64 = run.notes.values().sum();
    ensure!(credits == issued, "credits in the wallet {credits} differ from the notes issued {issued}");
    reconcile(w, demo).context("wallet and merchant ledger")?;
    Ok(())
}

/// Runs one trial; returns how the process was to die and whether it did.
fn trial(rng: &mut Rng, run: &mut Run, demo: &Demo, proxy: &Proxy) -> Result<(String, bool)> {
    let op = *rng.pick(OPS);
    let kill = pick_kill(rng, op);
    let what = format!("{op:?}, kill {kill:?}");
    let label = match &kill {
        Kill::At(p) => (*p).to_owned(),
        Kill::After(_) => "SIGKILL at a random time".to_owned(),
        Kill::Never => "no kill".to_owned(),
    };
    let out = match op {
        Op::Topup => {
            let note = demo.credit_note(run.wallet.id()?, "1.00", "EUR")?;
            run.notes.insert(note.clone(), micros("1.00")?);
            let out = run_killed(run.wallet.command(&["topup", &note])?, &kill)?;
            // The user, unsure whether it went through, redeems the same note again: credited
            // once whatever happened.
            let again = run.wallet.run(&["topup", &note])?;
            ensure!(
                again.code == 0 || again.stderr.contains("already"),
                "redeeming a note again after a crash: {again}"
            );
            out
        }
        Op::Fetch | Op::FetchTampered | Op::FetchLostAnswer => {
            let i = rng.below(run.unpaid.len());
            let url = run.unpaid.swap_remove(i);
            match op {
                Op::FetchTampered => proxy.inject(Fault::Tamper, 1)?,
                Op::FetchLostAnswer => proxy.inject(Fault::LoseAnswer, 1)?,
                _ => proxy.inject(Fault::Tamper, 0)?,
            }
            let out = run_killed(run.wallet.command(&["fetch", &url, "--yes", "--timeout", "10"])?, &kill)?;
            proxy.inject(Fault::Tamper, 0)?;
            out
        }
    };
    // Killed by a signal (SIGKILL, or SIGABRT at a crash point): no exit code.
    let died = out.code == -1;
    if !died {
        // A command that ran to its end: success, or a clear refusal for a tampered payment.
        let fine = out.code == 0 || (matches!(op, Op::FetchTampered) && out.stderr.contains("refused"));
        ensure!(fine, "{what}: the command failed without being killed: {out}");
    }
    // Restart: the next command opens the wallet, and `resolve` asks the merchant.
    let resolved = run.wallet.run(&["resolve", "--timeout", "10"])?;
    ensure!(resolved.code == 0, "{what}: resolve failed: {resolved}");
    check(run, demo).with_context(|| format!("after {what} (exit {})", out.code))?;
    Ok((label, died))
}

#[test]
fn the_wallet_survives_being_killed_anywhere() -> Result<()> {
    let trials = count_from_env("CENTIME_CRASH_TRIALS", 20)?;
    let (mut rng, seed) = Rng::from_env("CENTIME_CRASH_SEED")?;
    eprintln!("crash suite: {trials} trials, seed {seed} (replay with CENTIME_CRASH_SEED={seed})");
    let proxy = Proxy::start()?;
    let demo = Demo::start_behind(&proxy.url())?;
    proxy.set_upstream(demo.addr())?;
    let pages = demo.pages()?;
    let mut run = Run::new(&demo, &pages)?;
    let mut kills = BTreeMap::<String, (usize, usize)>::new();
    let mut wallets = 1usize;
    for t in 0..trials {
        if run.unpaid.len() < 2 {
            run = Run::new(&demo, &pages)?;
            wallets += 1;
        }
        let (label, died) = match trial(&mut rng, &mut run, &demo, &proxy) {
            Ok(r) => r,
            Err(e) => bail!("trial {t} (seed {seed}) failed: {e:#}"),
        };
        let counts = kills.entry(label).or_default();
        counts.0 += 1;
        counts.1 += usize::from(died);
    }
    let died: usize = kills.values().map(|c| c.1).sum();
    eprintln!("crash suite: {trials} trials on {wallets} wallet(s), {died} processes killed, 0 failures");
    for (label, (n, d)) in &kills {
        eprintln!("  {label}: {n} trials, {d} killed");
    }
    Ok(())
}
