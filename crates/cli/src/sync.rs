//! `centime sync`: asks each issuer for the wallet's signed statement and applies it (ADR 22),
//! then says what changed, what the issuer sees and what the two disagree on.

use std::time::Duration;

use anyhow::Result;
use centime_core::{Discrepancy, SyncResult};
use centime_protocol::Network;
use serde_json::json;

use crate::context;
use crate::output::print;
use centime_cli::args::{Cli, SyncArgs};

pub fn run(cli: &Cli, args: &SyncArgs) -> Result<()> {
    if args.issuer.is_some() && args.network.is_none() {
        return Err(crate::fail(crate::EXIT_INPUT, "--issuer needs --network: which issuer is at that address?"));
    }
    let mut w = context::open(cli)?;
    let client = context::client(cli, Duration::from_secs(args.timeout.max(1))).map_err(centime_cli::client_error)?;
    let networks: Vec<Network> = match &args.network {
        Some(n) => vec![n.parse()?],
        None => {
            let mut with_url = Vec::new();
            for i in w.issuers()? {
                if w.issuer_url(&i.network)?.is_some() {
                    with_url.push(i.network);
                }
            }
            if with_url.is_empty() {
                return Err(crate::fail(
                    crate::EXIT_INPUT,
                    "no trusted issuer has an address to sync with: give one with `centime issuer url NETWORK URL` \
                     (or `centime sync --network NETWORK --issuer URL`)",
                ));
            }
            with_url
        }
    };
    let mut results = Vec::new();
    let mut inbox_problems = Vec::new();
    for network in &networks {
        let mut r = client.sync(&mut w, network, args.issuer.as_deref()).map_err(centime_cli::client_error)?;
        // Then what other wallets sent: deposited sends, and the inbox redeemed and credited.
        let url = match &args.issuer {
            Some(u) => Some(u.clone()),
            None => w.issuer_url(network)?,
        };
        if let Some(url) = url {
            match crate::p2p::collect(&mut w, &client, network, &url) {
                Ok((received, problems)) => {
                    r.done.transfers_received = received;
                    inbox_problems.extend(problems.into_iter().map(|p| format!("{network}: {p}")));
                }
                Err(e) => inbox_problems.push(format!("{network}: the inbox: {}", centime_cli::describe(&e))),
            }
        }
        results.push(r);
    }
    for p in &inbox_problems {
        eprintln!("centime: {}", centime_cli::terminal::message(p));
    }
    let value = json!({ "syncs": results, "inboxProblems": inbox_problems });
    print(cli.json, value, || results.iter().map(describe).collect::<Vec<_>>().join("\n\n"));
    // A sync that leaves the wallet unable to pay succeeded, but a script that goes on to pay
    // needs to know: the exit and error code a payment would get (8, sync_required or
    // payer_revoked).
    for r in results.iter().filter(|r| !r.may_pay) {
        w.may_pay_on(&r.network)?;
    }
    Ok(())
}

/// One network's sync, for a person.
fn describe(r: &SyncResult) -> String {
    let who = match &r.issuer_name {
        Some(n) => format!("{} ({n})", r.network),
        None => r.network.to_string(),
    };
    let mut out = vec![format!(
        "{who}: synced at {}, statement signed at {}",
        centime_core::history::rfc3339(r.synced_at),
        centime_core::history::rfc3339(i64::try_from(r.statement_issued_at).unwrap_or(i64::MAX)),
    )];
    for i in &r.issuer_view {
        let mine = r.wallet_view.iter().find(|v| v.asset == i.asset);
        let mut line =
            format!("  {}  issuer: credited {}, settled {}, balance {}", i.asset, i.credited, i.spent, i.balance);
        if let Some(m) = mine {
            line.push_str(&format!("; wallet: balance {}", m.balance));
            if let Some(u) = m.unsettled.filter(|u| u.get() > 0) {
                line.push_str(&format!(" ({u} not settled by merchants yet)"));
            }
        }
        out.push(line);
    }
    let d = &r.done;
    let changes: Vec<String> = [
        (d.marked_settled, "payment(s) confirmed settled"),
        (d.refunds_reversed, "refund(s) reversed: the merchant refused and settled anyway"),
        (d.refunds_final, "refund(s) now final"),
        (d.payments_recovered, "forgotten payment(s) recovered"),
        (d.credits_recovered, "forgotten credit(s) recovered"),
        (d.transfers_received, "transfer(s) from other wallets received"),
        (d.transfers_redeemed, "transfer(s) you sent collected by their recipient"),
        (d.transfers_returned, "transfer(s) you sent returned: not collected in time"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    out.push(if changes.is_empty() { "  nothing to change".to_owned() } else { format!("  {}", changes.join(", ")) });
    if let Some(rev) = &r.revoked {
        out.push(format!(
            "  REVOKED at {} ({}): this wallet's key no longer pays on {}",
            centime_core::history::rfc3339(i64::try_from(rev.revoked_at).unwrap_or(i64::MAX)),
            rev.reason,
            r.network
        ));
    }
    for d in &r.discrepancies {
        out.push(format!("  discrepancy: {}", discrepancy(d)));
    }
    out.push(if r.may_pay { "  payments: allowed".to_owned() } else { "  payments: paused".to_owned() });
    out.join("\n")
}

fn discrepancy(d: &Discrepancy) -> String {
    match d {
        Discrepancy::BalanceDiffers { asset, wallet, expected } => {
            format!("{asset} balance is {wallet} in the wallet but {expected} by the issuer's account")
        }
        Discrepancy::Forked { payment_id, seq } => format!(
            "the issuer settled payment {payment_id} (seq {seq}) as signed differently by another copy of this wallet"
        ),
        Discrepancy::Unrecoverable { payment_id, why } => {
            format!("settled payment {payment_id} could not be recovered: {why}")
        }
        Discrepancy::SettledAfterFinal { payment_id } => {
            format!("payment {payment_id} was settled after its refund had become final")
        }
        Discrepancy::CreditUnknownToIssuer { credit_id } => {
            format!("credit {credit_id} is in the wallet but not at the issuer")
        }
    }
}
