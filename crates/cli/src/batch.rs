//! `centime pay --batch`: many payments from one process, one request per line. A script that
//! pays per API call keeps one wallet open instead of unlocking the keystore for every call.
//!
//! Each line is a request as `centime pay` takes it, optionally followed by a tab and a
//! payment id; empty lines and lines starting with `#` are skipped. Every line gets one JSON
//! line on stdout, a payment or an error with its exit code; the rules are never prompted for
//! (a line they would ask about fails with exit 3 unless `--yes`).

use std::io::{BufRead as _, Write as _};

use anyhow::{Context as _, Result};
use centime_cli::{describe, error_code, exit_code, fail, input};
use centime_core::PayOptions;
use serde_json::json;

use crate::context;
use centime_cli::args::Cli;

/// The largest line read: a request is a few KB; a runaway file is refused, not buffered.
const MAX_LINE: usize = 1 << 20;

pub fn run(cli: &Cli, source: &str, yes: bool, max: Option<&str>) -> Result<()> {
    let max = input::opt_amount(max, "--max")?;
    let reader: Box<dyn std::io::BufRead> = if source == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let path = source.strip_prefix('@').unwrap_or(source);
        Box::new(std::io::BufReader::new(
            std::fs::File::open(path).map_err(|e| fail(centime_cli::EXIT_INPUT, format!("reading {path}: {e}")))?,
        ))
    };
    let mut w = context::open(cli)?;
    let mut out = std::io::stdout().lock();
    let (mut paid, mut reused, mut failed) = (0u64, 0u64, 0u64);
    let mut first_failure: Option<u8> = None;
    let mut n = 0u64;
    for line in reader.split(b'\n') {
        n += 1;
        let line = line.context("reading the batch")?;
        if line.len() > MAX_LINE {
            return Err(fail(centime_cli::EXIT_INPUT, format!("line {n} is longer than {MAX_LINE} bytes")));
        }
        let line =
            String::from_utf8(line).map_err(|_| fail(centime_cli::EXIT_INPUT, format!("line {n} is not UTF-8")))?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        // Another wallet's request is paid by a transfer, under its contact's rule.
        let result = if centime_core::requests::is_request(line) {
            crate::p2p::batch_line(cli, &mut w, line.trim(), yes, max)
        } else {
            pay_line(cli, &mut w, line, yes, max).map(|p| {
                let reused = p.reused;
                (
                    json!({
                        "paymentId": p.payment_id, "header": p.header, "network": p.network,
                        "asset": p.amount.asset, "amount": p.amount.micros.to_string(), "payTo": p.pay_to,
                        "resource": p.resource, "reused": p.reused, "automatic": p.automatic,
                    }),
                    reused,
                )
            })
        };
        let value = match result {
            Ok((mut v, was_reused)) => {
                if was_reused {
                    reused += 1;
                } else {
                    paid += 1;
                }
                if let Some(o) = v.as_object_mut() {
                    o.insert("line".into(), json!(n));
                }
                v
            }
            Err(e) => {
                failed += 1;
                let code = exit_code(&e);
                first_failure.get_or_insert(code);
                json!({ "line": n, "error": error_code(&e), "message": describe(&e), "exit": code })
            }
        };
        writeln!(out, "{}", centime_cli::terminal::json(&value))?;
        out.flush()?;
    }
    eprintln!("{paid} paid, {reused} already paid, {failed} failed");
    match first_failure {
        Some(code) => {
            Err(fail(code, format!("{failed} of {} payment(s) failed; see each line's error", paid + reused + failed)))
        }
        None => Ok(()),
    }
}

fn pay_line(
    cli: &Cli,
    w: &mut centime_core::Wallet,
    line: &str,
    yes: bool,
    max: Option<centime_protocol::Micros>,
) -> Result<centime_core::Payment> {
    let (request, id) = match line.split_once('\t') {
        Some((r, id)) => (r, Some(id.trim())),
        None => (line, None),
    };
    // A link is paid only once its site confirms the terms, as by `centime pay`.
    let required = crate::commands::confirmed_request(cli, input::given_request(request.trim())?)?;
    let payment_id = input::payment_id(id)?;
    Ok(w.pay(&required, &PayOptions { approved: yes, max, payment_id, approval: None })?)
}
