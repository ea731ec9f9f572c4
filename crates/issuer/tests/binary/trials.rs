//! The crash trials: the `centime-issuer serve` process SIGKILLed while two merchants' batches
//! settle, restarted on the same ledger, the batches retried (one of them changed to carry the
//! other merchant's items too), and the ledger checked: every authorization settled exactly
//! once, every sum exact to the micro-unit, nothing revoked, every statement equal to the ledger,
//! and each batch, one transaction, found settled whole or not at all after the kill.
//!
//! `CENTIME_ISSUER_CRASH_TRIALS` (default 10; `make long-suites` runs 100) trials of two batches
//! of `CENTIME_ISSUER_CRASH_BATCH` authorizations each (default 200; the long run 990, B's retry
//! carrying 10 of A's items too within the request's 1,000);
//! `CENTIME_ISSUER_CRASH_SEED` replays a run (the seed is printed).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::settlement::{RefusalCode, SettlementAnswer, SettlementOutcome};
use centime_protocol::{Asset, Micros, PaymentId};
use reqwest::blocking::Client;

use super::{Server, authorization, eur, merchant_add, request};

/// Wallets paying each trial's two merchants.
const WALLETS: usize = 4;
/// What each wallet is credited, "20.00" EUR: far above what a trial spends (≤ 0.02 an item).
const CREDIT: &str = "20.00";
const CREDIT_MICROS: i64 = 20_000_000;
/// A's items also posted in B's retried batch.
const OVERLAP: usize = 10;

/// A small, seedable generator (SplitMix64): replayable choices, not quality.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    fn key(&mut self) -> RingSigner {
        let mut seed = [0u8; 32];
        for chunk in seed.chunks_mut(8) {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        RingSigner::from_seed(&seed).unwrap()
    }
}

fn env_number(var: &str, default: u64) -> Result<u64> {
    match std::env::var(var) {
        Ok(s) => s.parse().with_context(|| format!("{var}={s:?} is not a number")),
        Err(_) => Ok(default),
    }
}

struct Shop {
    signer: RingSigner,
    pay_to: String,
}

struct Payment {
    wallet: usize,
    id: PaymentId,
    micros: i64,
    jws: String,
}

/// What the trials did, for docs/reliability.md.
#[derive(Debug, Default)]
pub struct Figures {
    /// Trials run, the first (not killed) included.
    pub trials: u64,
    /// Trials whose issuer was killed.
    pub kills: u64,
    /// Kills before both batches were answered.
    pub unanswered: u64,
    /// Kills that fell between the two batches' commits: one settled (whole), the other not.
    pub between_batches: u64,
    pub items: u64,
    pub settled_before_kill: u64,
    pub settled_on_retry: u64,
    pub already_settled_on_retry: u64,
    pub refused_other_merchant: u64,
}

/// Runs the trials against the binary on `database`, its files in `dir`.
pub fn run(database: &str, dir: &Path, backend: &str) -> Result<Figures> {
    let trials = env_number("CENTIME_ISSUER_CRASH_TRIALS", 10)?;
    let batch = usize::try_from(env_number("CENTIME_ISSUER_CRASH_BATCH", 200)?)?;
    // B's retried batch carries OVERLAP of A's items too, and a request at most 1,000.
    let most = 1000 - OVERLAP;
    ensure!(
        (OVERLAP..=most).contains(&batch),
        "CENTIME_ISSUER_CRASH_BATCH is {OVERLAP} to {most} (the request's limit)"
    );
    let seed = match std::env::var("CENTIME_ISSUER_CRASH_SEED") {
        Ok(s) => s.parse().with_context(|| format!("CENTIME_ISSUER_CRASH_SEED={s:?} is not a number"))?,
        Err(_) => u64::from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.subsec_nanos()),
    };
    eprintln!(
        "issuer crash trials ({backend}): {trials} trials of 2 × {batch} authorizations, seed {seed} \
         (replay with CENTIME_ISSUER_CRASH_SEED={seed})"
    );
    let mut rng = Rng(seed);
    let mut server = Server::start(dir, database)?;
    let mut figures = Figures::default();
    // The first trial is not killed: it times a whole run of both batches, and the kills of the
    // others fall anywhere in 0 to 1.25 times that, most of them mid-batch.
    let mut whole = None;
    for t in 0..=trials {
        let r = trial(&mut rng, &mut server, database, batch, t, whole, &mut figures)
            .with_context(|| format!("trial {t} ({backend}, seed {seed}); the issuer's log:\n{}", server.log()));
        match r {
            Ok(took) => whole = whole.or(Some(took)),
            Err(e) => bail!("{e:#}"),
        }
    }
    figures.trials = trials + 1;
    eprintln!(
        "issuer crash trials ({backend}): {} trials, {} SIGKILLs, {} before both batches were answered, {} \
         between the two batches' commits; {} items: {} settled before the kill, {} settled by the retry, {} \
         already settled on retry, {} of another merchant refused; 0 failures",
        figures.trials,
        figures.kills,
        figures.unanswered,
        figures.between_batches,
        figures.items,
        figures.settled_before_kill,
        figures.settled_on_retry,
        figures.already_settled_on_retry,
        figures.refused_other_merchant,
    );
    Ok(figures)
}

/// The outcomes of an answer and how many of each, for a failure's message.
fn counts(a: &SettlementAnswer) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for r in &a.results {
        *m.entry(format!("{:?} {:?}", r.outcome, r.code)).or_insert(0) += 1;
    }
    m
}

/// One trial; returns how long its batches took when nothing killed them.
#[allow(clippy::too_many_arguments)]
fn trial(
    rng: &mut Rng,
    server: &mut Server,
    database: &str,
    batch: usize,
    t: u64,
    whole: Option<Duration>,
    figures: &mut Figures,
) -> Result<Duration> {
    let shops: Vec<Shop> =
        ["a", "b"].iter().map(|s| Shop { signer: rng.key(), pay_to: format!("crash-{t}-{s}") }).collect();
    for s in &shops {
        let origin = format!("https://{}.example", s.pay_to);
        let out = merchant_add(database, &s.pay_to, &s.signer.public_key(), &[&origin], &[])?;
        ensure!(out.status.success(), "merchant add: {}", String::from_utf8_lossy(&out.stderr));
    }
    let wallets: Vec<RingSigner> = (0..WALLETS).map(|_| rng.key()).collect();
    for w in &wallets {
        server.credit(&w.public_key(), CREDIT)?;
    }
    // Each wallet's seq rises over its payments to both merchants, interleaved as they come.
    let mut seqs = [0u64; WALLETS];
    let mut batches: [Vec<Payment>; 2] = [Vec::new(), Vec::new()];
    while batches.iter().any(|b| b.len() < batch) {
        let m = if batches[0].len() == batch {
            1
        } else if batches[1].len() == batch {
            0
        } else {
            usize::from(rng.below(2) == 1)
        };
        let wallet = usize::try_from(rng.below(WALLETS as u64))?;
        seqs[wallet] += 1;
        // Micro-units, most of them not whole cents: sums are checked to the micro-unit.
        let micros = i64::try_from(1 + rng.below(20_000))?;
        let (id, jws) = authorization(&wallets[wallet], &shops[m].pay_to, micros, seqs[wallet])?;
        batches[m].push(Payment { wallet, id, micros, jws });
    }
    let requests: Vec<_> = (0..2)
        .map(|m| {
            request(&shops[m].signer, &shops[m].pay_to, &batches[m].iter().map(|p| p.jws.clone()).collect::<Vec<_>>())
        })
        .collect::<Result<_>>()?;
    figures.items += 2 * batch as u64;

    // Both batches at once, the process killed at a random moment.
    let started = Instant::now();
    let posts: Vec<_> = requests
        .iter()
        .map(|(req, jws)| {
            let (base, key, req, jws) = (server.base.clone(), server.key, req.clone(), jws.clone());
            std::thread::spawn(move || super::post_settlement(&Client::new(), &base, &key, &req, &jws))
        })
        .collect();
    let killed = match whole {
        None => None,
        Some(whole) => {
            let max = u64::try_from(whole.as_millis() * 5 / 4).unwrap_or(u64::MAX).max(1);
            std::thread::sleep(Duration::from_millis(rng.below(max)));
            Some(server.kill()?)
        }
    };
    let answers: Vec<Result<SettlementAnswer>> = posts.into_iter().map(|p| p.join().unwrap()).collect();
    let took = started.elapsed();
    if killed.is_none() {
        for a in &answers {
            let a = a.as_ref().map_err(|e| anyhow::anyhow!("{e:#}"))?;
            ensure!(a.results.iter().all(|r| r.outcome == SettlementOutcome::Settled), "{:?}", counts(a));
        }
    }
    // An answer that came back before the kill says settled, each item.
    for a in answers.iter().flatten() {
        ensure!(a.results.iter().all(|r| r.outcome == SettlementOutcome::Settled), "{:?}", counts(a));
    }

    // What the ledger holds after the kill, read as the restarted issuer will read it.
    let before: Vec<u64> = {
        let store = centime_issuer::open_store(database)?;
        let mut n = vec![0u64; 2];
        for w in &wallets {
            for s in store.account(&w.public_key())?.settled {
                let m = shops.iter().position(|shop| shop.pay_to == s.pay_to).context("a payment to no shop")?;
                n[m] += 1;
            }
        }
        n
    };
    // A batch is one transaction: the kill left each of them settled whole or not at all.
    ensure!(before.iter().all(|&n| n == 0 || n == batch as u64), "a batch partly settled after the kill: {before:?}");
    if killed.is_some() {
        figures.kills += 1;
        figures.unanswered += u64::from(answers.iter().any(Result::is_err));
        if before.iter().filter(|&&n| n > 0).count() == 1 {
            figures.between_batches += 1;
        }
    }
    figures.settled_before_kill += before.iter().sum::<u64>();
    if killed.is_some() {
        server.restart()?;
    }

    // The same batch of A again: each item settled now or already, never twice.
    let mut settled_now = 0u64;
    let already_before = figures.already_settled_on_retry;
    let again = server.settle(&requests[0].0, &requests[0].1)?;
    for (r, p) in again.results.iter().zip(&batches[0]) {
        ensure!(r.payment_id.as_ref() == Some(&p.id), "result {} answers another payment", r.index);
        match r.outcome {
            SettlementOutcome::Settled => settled_now += 1,
            SettlementOutcome::AlreadySettled => figures.already_settled_on_retry += 1,
            SettlementOutcome::Refused => bail!("A's retried item {} refused {:?}", r.index, r.code),
        }
    }
    // B retries in a new batch that also carries some of A's authorizations: refused, A's
    // settlements untouched.
    let mut b_again: Vec<String> = batches[1].iter().map(|p| p.jws.clone()).collect();
    b_again.extend(batches[0].iter().take(OVERLAP).map(|p| p.jws.clone()));
    let (req_b, jws_b) = request(&shops[1].signer, &shops[1].pay_to, &b_again)?;
    let answer_b = server.settle(&req_b, &jws_b)?;
    for r in &answer_b.results {
        match (usize::try_from(r.index)? < batch, r.outcome, r.code) {
            (true, SettlementOutcome::Settled, None) => settled_now += 1,
            (true, SettlementOutcome::AlreadySettled, None) => figures.already_settled_on_retry += 1,
            (false, SettlementOutcome::Refused, Some(RefusalCode::NotThisMerchant)) => {
                figures.refused_other_merchant += 1;
            }
            other => bail!("B's retried item {}: {other:?}", r.index),
        }
    }
    figures.settled_on_retry += settled_now;
    let total = 2 * batch as u64;
    ensure!(
        before.iter().sum::<u64>() + settled_now == total,
        "{before:?} settled before the kill and {settled_now} after, of {total}"
    );
    ensure!(
        figures.already_settled_on_retry - already_before == before.iter().sum::<u64>(),
        "the retry answered already_settled {} times for {before:?} settled before the kill",
        figures.already_settled_on_retry - already_before
    );
    // A third time: every item already settled.
    let third = server.settle(&requests[0].0, &requests[0].1)?;
    ensure!(third.results.iter().all(|r| r.outcome == SettlementOutcome::AlreadySettled), "{:?}", counts(&third));

    check(server, database, &shops, &wallets, &batches, &seqs)?;
    Ok(took)
}

/// The ledger after a trial: each authorization once, sums exact, nothing revoked, each
/// statement equal to the ledger.
fn check(
    server: &Server,
    database: &str,
    shops: &[Shop],
    wallets: &[RingSigner],
    batches: &[Vec<Payment>; 2],
    seqs: &[u64; WALLETS],
) -> Result<()> {
    let store = centime_issuer::open_store(database)?;
    for (m, shop) in shops.iter().enumerate() {
        let sum: i64 = batches[m].iter().map(|p| p.micros).sum();
        let totals = store.merchant_totals(&shop.pay_to)?;
        ensure!(totals == vec![(Asset::EUR, Micros::from_micros(sum))], "{}: {totals:?}, expected {sum}", shop.pay_to);
    }
    let revoked = store.revocations()?;
    for (i, w) in wallets.iter().enumerate() {
        let key = w.public_key();
        ensure!(!revoked.iter().any(|r| r.wallet == key), "wallet {i} revoked: {revoked:?}");
        ensure!(store.forks(&key)?.is_empty(), "a fork invented for wallet {i}");
        let expected: BTreeSet<String> =
            batches.iter().flatten().filter(|p| p.wallet == i).map(|p| p.id.to_string()).collect();
        let spent: i64 = batches.iter().flatten().filter(|p| p.wallet == i).map(|p| p.micros).sum();
        let s = server.statement(w)?;
        ensure!(s.revoked.is_none(), "wallet {i}'s statement says revoked");
        let listed: Vec<String> = s.settled.iter().map(|p| p.payment_id.to_string()).collect();
        ensure!(
            listed.len() == expected.len(),
            "wallet {i}: {} settled entries for {} payments",
            listed.len(),
            expected.len()
        );
        ensure!(listed.iter().cloned().collect::<BTreeSet<_>>() == expected, "wallet {i}: other payments settled");
        ensure!(s.highest_seq == seqs[i], "wallet {i}: highest seq {} for {}", s.highest_seq, seqs[i]);
        ensure!(
            eur(&s)? == (CREDIT_MICROS, spent),
            "wallet {i}: statement totals {:?}, expected spent {spent}",
            eur(&s)?
        );
        // The totals are the sum of the entries the statement lists.
        let mut listed_sum = 0i64;
        for p in &s.settled {
            let unit = 10_i64.pow(6 - u32::from(p.asset_scale));
            listed_sum = listed_sum
                .checked_add(p.value.parse::<i64>()?.checked_mul(unit).context("overflow")?)
                .context("overflow")?;
        }
        ensure!(listed_sum == spent, "wallet {i}: the entries sum to {listed_sum}, the totals say {spent}");
        let account = store.account(&key)?;
        ensure!(account.settled.len() == expected.len(), "wallet {i}: the ledger holds {} rows", account.settled.len());
    }
    Ok(())
}
