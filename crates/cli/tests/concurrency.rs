//! Many processes paying from one wallet at once: four `centime pay --batch`
//! processes, 2,000 payments against a daily cap, some sharing a payment id, then 800 more
//! against the balance. No negative balance, no cap exceeded, exactly one debit per payment
//! id, and never a "database is locked" reaching the user: writers queue on `BEGIN IMMEDIATE`
//! with a busy timeout instead of failing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::process::Stdio;

use common::*;
use serde_json::Value;

const PROCESSES: usize = 4;

/// What one batch line answered.
#[derive(Debug)]
enum Line {
    Paid { id: String, header: String, reused: bool },
    Failed { exit: i64, message: String },
}

/// Starts one `centime pay --batch -` per batch at once and returns every line's answer.
fn run_batches(w: &TestWallet, batches: &[Vec<String>]) -> Vec<Vec<Line>> {
    let children: Vec<_> = batches
        .iter()
        .map(|lines| {
            let mut child = w
                .std_cmd()
                .args(["pay", "--batch", "--yes", "-"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            let text = lines.join("\n");
            std::thread::spawn(move || stdin.write_all(text.as_bytes()).unwrap());
            child
        })
        .collect();
    children
        .into_iter()
        .zip(batches)
        .map(|(c, lines)| {
            let out = c.wait_with_output().unwrap();
            let stdout = String::from_utf8(out.stdout).unwrap();
            let stderr = String::from_utf8(out.stderr).unwrap();
            // Messages only: a payment's base64 header may spell anything.
            let lock = |text: &str| {
                let lower = text.to_lowercase();
                lower.contains("locked") || lower.contains("busy")
            };
            assert!(!lock(&stderr), "a lock reached the user: {stderr}");
            let answers: Vec<Line> = stdout
                .lines()
                .map(|l| {
                    let v: Value = serde_json::from_str(l).unwrap();
                    match v.get("error") {
                        None => Line::Paid {
                            id: s(&v["paymentId"]).to_owned(),
                            header: s(&v["header"]).to_owned(),
                            reused: v["reused"].as_bool().unwrap(),
                        },
                        Some(code) => {
                            let message = s(&v["message"]).to_owned();
                            assert!(code != "busy" && !lock(&message), "a lock reached the user: {message}");
                            Line::Failed { exit: v["exit"].as_i64().unwrap(), message }
                        }
                    }
                })
                .collect();
            assert_eq!(answers.len(), lines.len(), "one answer per line; stderr: {stderr}");
            let failed = answers.iter().any(|a| matches!(a, Line::Failed { .. }));
            match out.status.code() {
                Some(0) => assert!(!failed, "exit 0 with failed lines"),
                Some(3 | 4) => assert!(failed, "a failure exit without a failed line"),
                other => panic!("unexpected exit {other:?}: {stderr}"),
            }
            answers
        })
        .collect()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// Debits in the journal per payment id, read from the database itself.
fn debits(w: &TestWallet) -> BTreeMap<String, i64> {
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    let mut stmt =
        conn.prepare("SELECT payment_id, COUNT(*) FROM journal WHERE kind = 'payment' GROUP BY payment_id").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
}

/// Checks every answer and returns (new payments, reused answers, refusals by exit code).
fn tally(
    answers: &[Vec<Line>],
    shared: &mut BTreeMap<String, BTreeSet<String>>,
) -> (usize, usize, BTreeMap<i64, usize>) {
    let (mut paid, mut reused) = (0, 0);
    let mut refused = BTreeMap::new();
    for a in answers.iter().flatten() {
        match a {
            Line::Paid { id, header, reused: r } => {
                if *r {
                    reused += 1;
                } else {
                    paid += 1;
                }
                if id.starts_with("pay_shared_") {
                    shared.entry(id.clone()).or_default().insert(header.clone());
                }
            }
            Line::Failed { exit, message } => {
                match exit {
                    3 => assert!(message.contains("daily cap"), "{message}"),
                    4 => assert!(message.contains("insufficient") || message.contains("balance"), "{message}"),
                    other => panic!("unexpected failure (exit {other}): {message}"),
                }
                *refused.entry(*exit).or_default() += 1;
            }
        }
    }
    (paid, reused, refused)
}

#[test]
fn four_processes_pay_2000_times_without_a_double_debit_or_a_broken_cap() {
    let w = TestWallet::new();
    w.topup("c1", 5_000_000);
    w.topup("c2", 5_000_000);
    w.json(&["limits", "--daily-cap", "5.00"]);

    // Phase 1: 4 x 500 payments of 0.01 against a daily cap of 5.00 (1,925 distinct payments
    // attempted). Every 20th line of every process names one of 25 shared payment ids, with the
    // same request: one debit for each, whichever process gets there first.
    let batches: Vec<Vec<String>> = (0..PROCESSES)
        .map(|p| {
            (0..500)
                .map(|i| {
                    if i % 20 == 0 {
                        let j = i / 20;
                        format!("{}\tpay_shared_{j:09}", header(&request(&format!("{NEWS}/shared/{j}"), 10_000)))
                    } else {
                        header(&request(&format!("{NEWS}/p{p}/{i}"), 10_000))
                    }
                })
                .collect()
        })
        .collect();
    let answers = run_batches(&w, &batches);
    let mut shared = BTreeMap::new();
    let (paid, reused, refused) = tally(&answers, &mut shared);
    assert_eq!(paid + reused + refused.values().sum::<usize>(), 2_000);
    assert_eq!(paid, 500, "the cap of 5.00 holds exactly 500 payments of 0.01 (refused: {refused:?})");
    assert_eq!(w.eur(), "5.00");
    for (id, headers) in &shared {
        assert_eq!(headers.len(), 1, "payment id {id} answered with different authorizations");
    }
    let d = debits(&w);
    assert_eq!(d.len(), 500);
    assert!(d.values().all(|n| *n == 1), "a payment id with two debits");
    for id in shared.keys() {
        assert_eq!(d.get(id), Some(&1), "shared id {id}: one debit");
    }

    // Phase 2: the cap lifted, 4 x 200 payments of 0.03 against the 5.00 left: exactly 166 fit.
    w.json(&["limits", "--daily-cap", "100.00"]);
    let batches: Vec<Vec<String>> = (0..PROCESSES)
        .map(|p| (0..200).map(|i| header(&request(&format!("{BLOG}/p{p}/{i}"), 30_000))).collect())
        .collect();
    let answers = run_batches(&w, &batches);
    let (paid, reused, refused) = tally(&answers, &mut BTreeMap::new());
    assert_eq!((paid, reused), (166, 0), "refused: {refused:?}");
    assert_eq!(refused.get(&4), Some(&634));
    assert_eq!(w.eur(), "0.02");
    assert_eq!(debits(&w).len(), 666);
    assert_eq!(w.json(&["verify"])["ok"], true);
}
