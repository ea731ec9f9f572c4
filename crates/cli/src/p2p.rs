//! Paying other wallets from the command line: `request`, `send`, `receive`, `contact`, the
//! wallet requests `pay` accepts, and what `sync` collects from the issuer's inbox.
//!
//! The wallet signs and debits; this module carries the documents to the issuer (deposit,
//! redeem, inbox) with centime-client and prints what happened. A transfer that could not be
//! deposited stays debited and valid: its whole link is printed so it can still be handed over,
//! and the next `sync` deposits it again.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::time::Duration;

use anyhow::Result;
use centime_cli::{EXIT_APPROVAL, NotAsked, fail, input, terminal};
use centime_client::Client;
use centime_core::policy::Decision;
use centime_core::transfers::receive_input;
use centime_core::{ContactRule, ReceiveInput, Received, RequestView, Transfer, Wallet};
use centime_protocol::p2p::Redeemed;
use centime_protocol::{Asset, Network};
use serde_json::json;

use crate::context;
use crate::output::print;
use centime_cli::args::{Cli, ContactCmd, RequestArgs, SendArgs};

/// The network a command pays on: the one given, else the only trusted issuer's.
fn network_of(w: &Wallet, given: Option<&str>) -> Result<Network> {
    if let Some(n) = given {
        return Ok(n.trim().parse()?);
    }
    let issuers = w.issuers()?;
    match issuers.as_slice() {
        [one] => Ok(one.network.clone()),
        [] => Err(centime_core::Error::UntrustedIssuer("any network (no issuer is trusted)".into()).into()),
        _ => Err(fail(centime_cli::EXIT_INPUT, "several issuers are trusted: say which with --network")),
    }
}

fn asset_of(s: &str) -> Result<Asset> {
    s.trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| fail(centime_cli::EXIT_INPUT, format!("{s:?} is not a currency code such as EUR")))
}

/// `7d`, `12h`, `30m`, `90s` or plain seconds.
pub fn duration_secs(s: &str) -> Result<u64> {
    let t = s.trim();
    let (digits, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_lowercase()),
        _ => (t, 's'),
    };
    let bad = || fail(centime_cli::EXIT_INPUT, format!("--expires {s:?}: give seconds, or a number and s, m, h or d"));
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let per = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(per).filter(|s| *s > 0).ok_or_else(bad)
}

/// The issuer's address for `network`, or the error that says how to give it.
fn issuer_url(w: &Wallet, network: &Network) -> Result<String> {
    w.issuer_url(network)?.ok_or_else(|| centime_core::Error::NoIssuerUrl(network.to_string()).into())
}

/// A QR code of `text` for the terminal: two rows of modules per line, with its quiet zone.
pub fn qr(text: &str) -> Result<String> {
    use qrcode::render::unicode::Dense1x2;
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::L)
        .map_err(|e| fail(centime_cli::EXIT_INTERNAL, format!("the link does not fit a QR code: {e}")))?;
    Ok(code.render::<Dense1x2>().dark_color(Dense1x2::Light).light_color(Dense1x2::Dark).quiet_zone(true).build())
}

pub fn request(cli: &Cli, a: &RequestArgs) -> Result<()> {
    let amount = input::amount(&a.amount, "amount")?;
    let asset = asset_of(&a.asset)?;
    let expires = a.expires.as_deref().map(duration_secs).transpose()?;
    let mut w = context::open(cli)?;
    let network = network_of(&w, a.network.as_deref())?;
    let made = w.make_request(&network, amount, asset, &a.purpose, expires)?;
    let code = if a.no_qr || cli.json { None } else { Some(qr(&made.link)?) };
    print(
        cli.json,
        json!({
            "requestId": made.request_id, "link": made.link, "jws": made.jws, "network": network,
            "asset": asset, "amount": amount.to_string(),
            "expiresAt": centime_core::history::rfc3339(made.expires_at),
        }),
        || {
            let mut out = String::new();
            if let Some(q) = &code {
                out.push_str(q);
                out.push('\n');
            }
            out.push_str(&made.link);
            out
        },
    );
    if !cli.json {
        eprintln!(
            "request for {amount} {asset} ({}), payable until {}",
            terminal::field(a.purpose.trim()),
            centime_core::history::rfc3339(made.expires_at)
        );
    }
    Ok(())
}

/// Deposits `t` at its issuer and records the code; a failure is reported, not fatal: the
/// transfer is debited and valid, and its whole link works without the issuer's inbox.
fn deposit(w: &mut Wallet, client: &Client, t: Transfer) -> Result<(Transfer, Option<String>)> {
    let Some(url) = w.issuer_url(&t.network)? else {
        let why = format!("no address is known for the issuer of {}", t.network);
        return Ok((t, Some(why)));
    };
    match client.deposit_transfer(&url, &t.transfer_jws) {
        Ok(answer) => Ok((w.record_deposit(&t.payment_id, answer.code.as_str())?, None)),
        Err(e) => Ok((t, Some(e.to_string()))),
    }
}

fn transfer_json(t: &Transfer, short: Option<&str>, deposit_error: Option<&str>) -> serde_json::Value {
    json!({
        "paymentId": t.payment_id, "network": t.network, "asset": t.amount.asset,
        "amount": t.amount.micros.to_string(), "to": t.to.to_string(), "contact": t.contact_name,
        "note": t.note, "requestId": t.request_id, "status": t.status, "reused": t.reused,
        "automatic": t.automatic, "link": t.link, "shortLink": short, "code": t.code,
        "depositError": deposit_error,
        "validBefore": centime_core::history::rfc3339(t.valid_before),
    })
}

fn report_transfer(cli: &Cli, t: &Transfer, deposit_error: Option<&str>, what: &str) -> Result<()> {
    let short = t.short_link()?;
    print(cli.json, transfer_json(t, short.as_deref(), deposit_error), || {
        short.clone().unwrap_or_else(|| t.link.clone())
    });
    if !cli.json {
        let who = t.contact_name.clone().unwrap_or_else(|| centime_core::short_wallet_id(&t.to));
        eprintln!(
            "{what} {} to {} (payment {}), to be collected before {}",
            t.amount,
            terminal::field(&who),
            t.payment_id,
            centime_core::history::rfc3339(t.valid_before)
        );
        if let Some(e) = deposit_error {
            eprintln!(
                "not deposited at the issuer ({}): hand over the whole link above; `centime sync` deposits it again",
                terminal::field(e)
            );
        }
    }
    Ok(())
}

pub fn send(cli: &Cli, a: &SendArgs) -> Result<()> {
    let amount = input::amount(&a.amount, "amount")?;
    let asset = asset_of(&a.asset)?;
    let mut w = context::open(cli)?;
    let network = network_of(&w, a.network.as_deref())?;
    let to = match centime_core::parse_wallet_id(&a.to) {
        Ok(k) => k,
        Err(_) => w.contact(&a.to)?.wallet_id,
    };
    let client = context::client(cli, Duration::from_secs(a.timeout.max(1))).map_err(centime_cli::client_error)?;
    let t = w.make_transfer(&to, amount, asset, &network, a.note.as_deref())?;
    let (t, err) = if a.offline { (t, None) } else { deposit(&mut w, &client, t)? };
    if a.offline {
        // The whole transfer is the link: nothing at the issuer to shorten it.
        print(cli.json, transfer_json(&t, None, None), || t.link.clone());
        if !cli.json {
            eprintln!("sent {} (payment {}), not deposited: hand over the link above", t.amount, t.payment_id);
        }
        return Ok(());
    }
    report_transfer(cli, &t, err.as_deref(), "sent")
}

/// Redeems `input` (a receive link or a transfer) at its issuer and credits it.
pub fn receive_one(w: &mut Wallet, client: &Client, input_text: &str) -> Result<Received> {
    let jws = match receive_input(input_text)? {
        ReceiveInput::Transfer(jws) => jws,
        ReceiveInput::Code { network, code } => {
            let url = issuer_url(w, &network)?;
            client.fetch_transfer(&url, &code).map_err(centime_cli::client_error)?
        }
    };
    let opened = w.open_transfer(&jws)?;
    let url = issuer_url(w, &opened.doc.network)?;
    let req = w.redemption_request(&opened.doc.network, Redeemed::Transfer(&jws))?;
    let credit = client.redeem(&url, &req).map_err(centime_cli::client_error)?;
    Ok(w.receive(&jws, &credit)?)
}

pub fn receive(cli: &Cli, transfer: &str, timeout: u64) -> Result<()> {
    let text = input::value_or_file(transfer)?;
    let mut w = context::open(cli)?;
    let client = context::client(cli, Duration::from_secs(timeout.max(1))).map_err(centime_cli::client_error)?;
    let r = receive_one(&mut w, &client, &text)?;
    print(cli.json, received_json(&r), || {
        let who = r.contact_name.clone().unwrap_or_else(|| r.from_short.clone());
        let mut line = format!("received {} from {}", r.amount, terminal::field(&who));
        if let Some(n) = &r.note {
            line.push_str(&format!(": {}", terminal::field(n)));
        }
        line.push_str(&format!(" (balance {} {})", r.balance, r.amount.asset));
        line
    });
    Ok(())
}

fn received_json(r: &Received) -> serde_json::Value {
    json!({
        "creditId": r.credit, "paymentId": r.payment_id, "from": r.from.to_string(), "contact": r.contact_name,
        "network": r.network, "asset": r.amount.asset, "amount": r.amount.micros.to_string(), "note": r.note,
        "requestId": r.request_id, "balance": r.balance.to_string(),
    })
}

pub fn contact(cli: &Cli, cmd: &ContactCmd) -> Result<()> {
    let mut w = context::open(cli)?;
    let rule = |max: &Option<String>, cap: &Option<String>| -> Result<Option<ContactRule>> {
        Ok(match (max, cap) {
            (Some(m), Some(c)) => Some(ContactRule {
                max_per_request: input::amount(m, "--auto-max")?,
                monthly_cap: input::amount(c, "--monthly-cap")?,
            }),
            _ => None,
        })
    };
    let c = match cmd {
        ContactCmd::Add { name, wallet_id, auto_max, monthly_cap } => {
            let key = centime_core::parse_wallet_id(wallet_id)?;
            let r = rule(auto_max, monthly_cap)?;
            let c = w.add_contact(name, &key)?;
            match r {
                Some(r) => w.set_contact_rule(&c.name, Some(r))?,
                None => c,
            }
        }
        ContactCmd::Rule { name, auto_max, monthly_cap, ask } => {
            let r = rule(auto_max, monthly_cap)?;
            if r.is_none() && !ask {
                return Err(fail(centime_cli::EXIT_INPUT, "give --auto-max and --monthly-cap, or --ask"));
            }
            w.set_contact_rule(name, r)?
        }
        ContactCmd::List => {
            let all = w.contacts()?;
            print(cli.json, json!({ "contacts": all }), || {
                if all.is_empty() {
                    return "no contacts".to_owned();
                }
                all.iter().map(contact_line).collect::<Vec<_>>().join("\n")
            });
            return Ok(());
        }
        ContactCmd::Remove { name } => {
            w.remove_contact(name)?;
            print(cli.json, json!({ "removed": name.trim() }), || format!("removed {}", terminal::field(name.trim())));
            return Ok(());
        }
    };
    print(cli.json, json!({ "contact": c }), || contact_line(&c));
    Ok(())
}

fn contact_line(c: &centime_core::Contact) -> String {
    let rule = match &c.rule {
        Some(r) => format!("requests paid without asking up to {} each, {} a month", r.max_per_request, r.monthly_cap),
        None => "every request asked".to_owned(),
    };
    format!("{}  {}  {rule}", terminal::field(&c.name), c.wallet_id)
}

/// The question for a wallet's request, at the terminal: who asks (their contact name, or a
/// short form of their wallet id; never a site), for what and how much.
fn ask(v: &RequestView, reason: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(false);
    }
    let who = match &v.contact_name {
        Some(n) => terminal::field(n).to_string(),
        None => format!("wallet {} (not a contact)", v.requester_short),
    };
    let mut err = std::io::stderr();
    write!(
        err,
        "{who} asks to be paid {} for \u{ab}{}\u{bb} ({reason}).\nPay? [y/N] ",
        v.amount,
        terminal::field(&v.purpose)
    )?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "oui"))
}

/// Pays another wallet's request under the rules (asking at the terminal when they say so
/// and `prompt` allows it), deposits the transfer, and returns it with any deposit error.
pub fn pay_request(
    cli: &Cli,
    w: &mut Wallet,
    text: &str,
    yes: bool,
    max: Option<centime_protocol::Micros>,
    prompt: bool,
) -> Result<(Transfer, Option<String>)> {
    let view = w.open_request(text)?;
    if let Some(max) = max
        && view.amount.micros > max
        && view.paid.is_none()
    {
        return Err(centime_core::Error::OverMax { price: view.amount, max }.into());
    }
    let mut approved = yes;
    if view.paid.is_none()
        && let Decision::Ask(reason) = &view.decision
        && !yes
    {
        if prompt && ask(&view, &reason.to_string())? {
            approved = true;
        } else if prompt && std::io::stdin().is_terminal() {
            return Err(fail(EXIT_APPROVAL, "declined"));
        } else {
            return Err(anyhow::Error::from(centime_core::Error::NeedsApproval(reason.clone())).context(NotAsked));
        }
    }
    let t = w.pay_request(&view, approved)?;
    let client = context::client(cli, Duration::from_secs(30)).map_err(centime_cli::client_error)?;
    if t.code.is_some() {
        return Ok((t, None));
    }
    deposit(w, &client, t)
}

pub fn pay(cli: &Cli, text: &str, yes: bool, max: Option<&str>) -> Result<()> {
    let max = input::opt_amount(max, "--max")?;
    let mut w = context::open(cli)?;
    let (t, err) = pay_request(cli, &mut w, text, yes, max, true)?;
    report_transfer(cli, &t, err.as_deref(), if t.reused { "already paid" } else { "paid" })
}

/// The JSON line of a request paid in a batch.
pub fn batch_line(
    cli: &Cli,
    w: &mut Wallet,
    text: &str,
    yes: bool,
    max: Option<centime_protocol::Micros>,
) -> Result<(serde_json::Value, bool)> {
    let (t, err) = pay_request(cli, w, text, yes, max, false)?;
    let short = t.short_link()?;
    Ok((transfer_json(&t, short.as_deref(), err.as_deref()), t.reused))
}

/// What `sync` does for payments between wallets on `network`: deposits the sends not
/// deposited yet, then redeems and credits every transfer the inbox holds for this wallet.
/// Returns how many were received, and the problems met (each transfer's alone).
pub fn collect(w: &mut Wallet, client: &Client, network: &Network, url: &str) -> Result<(u64, Vec<String>)> {
    let mut problems = Vec::new();
    for t in w.undeposited_transfers()?.into_iter().filter(|t| &t.network == network) {
        if t.valid_before <= w.now() {
            continue;
        }
        match client.deposit_transfer(url, &t.transfer_jws) {
            Ok(a) => {
                w.record_deposit(&t.payment_id, a.code.as_str())?;
            }
            Err(e) => problems.push(format!("depositing {}: {e}", t.payment_id)),
        }
    }
    let req = w.inbox_request(network)?;
    let inbox = client.inbox(url, &req).map_err(centime_cli::client_error)?;
    let mut received = 0;
    for jws in inbox {
        let done = (|| -> Result<Received> {
            let opened = w.open_transfer(&jws)?;
            let req = w.redemption_request(&opened.doc.network, Redeemed::Transfer(&jws))?;
            let credit = client.redeem(url, &req).map_err(centime_cli::client_error)?;
            Ok(w.receive(&jws, &credit)?)
        })();
        match done {
            Ok(_) => received += 1,
            Err(e) => problems.push(format!("{e:#}")),
        }
    }
    Ok((received, problems))
}
