//! One function per subcommand.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use anyhow::Result;
use centime_cli::terminal;
use centime_core::history::{ExportFormat, HistoryFilter};
use centime_core::policy::{Period, SiteRule};
#[cfg(feature = "dev")]
use centime_core::seed::SeedOptions;
use centime_core::{Issuer, Kind, LimitsChange, PayOptions, Quote, SiteChange, Wallet};
use serde_json::json;

use crate::context;
use crate::input;
use crate::output::print;
#[cfg(feature = "dev")]
use centime_cli::args::DevCmd;
use centime_cli::args::{Cli, Command, ExportFormatArg, FilterArgs, HistoryArgs, IssuerCmd, PeriodArg};

pub fn run(cli: &Cli) -> Result<()> {
    match &cli.command {
        Command::Init { issuers } => init(cli, issuers),
        Command::Id => {
            let w = context::open(cli)?;
            print(cli.json, json!({ "wallet": w.id().to_string() }), || w.id().to_string());
            Ok(())
        }
        Command::Issuer(cmd) => issuer(cli, cmd),
        Command::Balance => balance(cli),
        Command::Topup { credit } => topup(cli, credit),
        Command::Pay { request, yes, max, batch: true, .. } => crate::batch::run(cli, request, *yes, max.as_deref()),
        Command::Pay { request, yes, max, payment_id: None, batch: false }
            if centime_core::requests::is_request(&input::value_or_file(request)?) =>
        {
            crate::p2p::pay(cli, &input::value_or_file(request)?, *yes, max.as_deref())
        }
        Command::Pay { request, yes, max, payment_id, batch: false } => {
            pay(cli, request, *yes, max.as_deref(), payment_id.as_deref())
        }
        Command::Request(args) => crate::p2p::request(cli, args),
        Command::Send(args) => crate::p2p::send(cli, args),
        Command::Receive { transfer, timeout } => crate::p2p::receive(cli, transfer, *timeout),
        Command::Contact(cmd) => crate::p2p::contact(cli, cmd),
        Command::Fetch(args) => crate::fetch::run(cli, args),
        Command::Sync(args) => crate::sync::run(cli, args),
        Command::Resolve { timeout } => crate::fetch::resolve(cli, *timeout),
        Command::Record { payment_id, response } => record(cli, payment_id, response),
        Command::History(args) => history(cli, args),
        Command::Sites => sites(cli),
        Command::Allow { origin, max_per_payment, budget, per, auto, ask } => {
            let budget = match (budget, per) {
                (Some(b), Some(p)) => Some(Some((input::amount(b, "budget")?, period(*p)))),
                _ => None,
            };
            let change = SiteChange {
                max_per_payment: input::opt_amount(max_per_payment.as_deref(), "max per payment")?.map(Some),
                budget,
                auto_pay: if *auto {
                    Some(true)
                } else if *ask {
                    Some(false)
                } else {
                    None
                },
                blocked: Some(false),
            };
            site_change(cli, origin, &change)
        }
        Command::Block { origin } => {
            site_change(cli, origin, &SiteChange { blocked: Some(true), ..Default::default() })
        }
        Command::Unblock { origin } => {
            site_change(cli, origin, &SiteChange { blocked: Some(false), ..Default::default() })
        }
        Command::Limits { auto_pay_under, daily_cap, max_per_payment } => {
            let change = LimitsChange {
                paused: None,
                auto_pay_under: input::opt_amount(auto_pay_under.as_deref(), "auto-pay ceiling")?,
                daily_cap: input::opt_amount(daily_cap.as_deref(), "daily cap")?,
                max_per_payment: input::opt_amount(max_per_payment.as_deref(), "max per payment")?,
            };
            limits(cli, &change)
        }
        Command::Pause => limits(cli, &LimitsChange { paused: Some(true), ..Default::default() }),
        Command::Resume => limits(cli, &LimitsChange { paused: Some(false), ..Default::default() }),
        Command::Export { format, out, filter } => export(cli, *format, out.as_deref(), filter),
        #[cfg(feature = "dev")]
        Command::Dev(DevCmd::Seed { entries, sites, seed, months, force }) => dev_seed(
            cli,
            &SeedOptions { entries: *entries, sites: *sites, seed: *seed, months: *months, end: 0, force: *force },
        ),
        Command::Completions { shell } => crate::completions::print(*shell),
        Command::Verify => {
            let w = context::open(cli)?;
            let r = w.verify()?;
            print(cli.json, json!({ "ok": true, "report": r }), || {
                format!(
                    "ok: {} journal rows chained, {} balances match their journal, {} payments, {} site rules",
                    r.journal_rows, r.balances, r.payments, r.sites
                )
            });
            Ok(())
        }
        Command::Backup { out } => {
            let w = context::open(cli)?;
            let pass = context::passphrase("CENTIME_BACKUP_PASSPHRASE", "Backup passphrase: ", true)?;
            w.backup(out, &pass)?;
            print(cli.json, json!({ "backup": out.display().to_string(), "wallet": w.id().to_string() }), || {
                format!("backup written to {}", out.display())
            });
            Ok(())
        }
        Command::Restore { from } => {
            let dir = context::data_dir(cli)?;
            let pass = context::passphrase("CENTIME_BACKUP_PASSPHRASE", "Backup passphrase: ", false)?;
            // A key file already there keeps its passphrase: it is asked for, not a new one.
            let new_keystore = !dir.join(centime_core::keystore::KEY_FILE).exists();
            let ks = context::keystore(cli, &dir, new_keystore)?;
            let restored = Wallet::check_backup(&dir, from, &pass, ks.as_ref())?.install(ks.as_ref())?;
            let w = restored.wallet;
            print(cli.json, json!({ "wallet": w.id().to_string(), "restored": true }), || {
                let mut text = format!("restored wallet {} into {}", w.id(), dir.display());
                if !restored.kept.is_empty() {
                    let kept: Vec<String> = restored.kept.iter().map(|p| p.display().to_string()).collect();
                    text.push_str(&format!("; the wallet that was there is kept as {}", kept.join(" and ")));
                }
                text
            });
            Ok(())
        }
    }
}

fn period(p: PeriodArg) -> Period {
    match p {
        PeriodArg::Day => Period::Day,
        PeriodArg::Week => Period::Week,
        PeriodArg::Month => Period::Month,
    }
}

fn parse_issuer(spec: &str) -> Result<Issuer> {
    let (network, key) = spec
        .split_once('=')
        .ok_or_else(|| crate::fail(crate::EXIT_INPUT, format!("{spec:?} is not NETWORK=PUBKEY")))?;
    Ok(Issuer { network: network.parse()?, public_key: key.parse()?, name: None })
}

fn init(cli: &Cli, issuers: &[String]) -> Result<()> {
    let issuers = issuers.iter().map(|s| parse_issuer(s)).collect::<Result<Vec<_>>>()?;
    let dir = context::data_dir(cli)?;
    let ks = context::keystore(cli, &dir, true)?;
    let w = Wallet::init(&dir, ks.as_ref(), &issuers)?;
    print(
        cli.json,
        json!({ "wallet": w.id().to_string(), "dataDir": dir.display().to_string(), "keystore": ks.kind().to_string() }),
        || format!("created wallet {} in {} (keys in the {} keystore)", w.id(), dir.display(), ks.kind()),
    );
    Ok(())
}

fn issuer(cli: &Cli, cmd: &IssuerCmd) -> Result<()> {
    let mut w = context::open(cli)?;
    match cmd {
        IssuerCmd::Add { network, pubkey, name, url } => {
            let i = Issuer { network: network.parse()?, public_key: pubkey.parse()?, name: name.clone() };
            // The address is checked before anything is trusted: a bad one changes nothing.
            if let Some(u) = url {
                centime_core::sync::check_issuer_url(u)?;
            }
            w.add_issuer(&i)?;
            if let Some(u) = url {
                w.set_issuer_url(&i.network, u)?;
            }
            let mut value = json!({ "added": i });
            if let Some(u) = w.issuer_url(&i.network)? {
                value["url"] = json!(u);
            }
            print(cli.json, value, || format!("trusting {} for {}", i.public_key, i.network));
        }
        IssuerCmd::Url { network, url } => {
            let network: centime_protocol::Network = network.parse()?;
            w.set_issuer_url(&network, url)?;
            let kept = w.issuer_url(&network)?;
            print(cli.json, json!({ "network": network, "url": kept }), || {
                format!("{network}'s issuer is reached at {}", kept.as_deref().unwrap_or(url))
            });
        }
        IssuerCmd::List => {
            let list = w.issuers()?;
            let mut rows = Vec::new();
            for i in &list {
                rows.push((i, w.issuer_url(&i.network)?));
            }
            let value: Vec<_> = rows
                .iter()
                .map(|(i, url)| {
                    let mut v = json!({ "network": i.network, "publicKey": i.public_key, "name": i.name });
                    if let Some(u) = url {
                        v["url"] = json!(u);
                    }
                    v
                })
                .collect();
            print(cli.json, json!({ "issuers": value }), || {
                rows.iter()
                    .map(|(i, url)| {
                        format!(
                            "{}  {}  {}  {}",
                            i.network,
                            i.public_key,
                            i.name.as_deref().unwrap_or(""),
                            url.as_deref().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        IssuerCmd::Remove { network } => {
            w.remove_issuer(&network.parse()?)?;
            print(cli.json, json!({ "removed": network }), || format!("no longer trusting {network}"));
        }
    }
    Ok(())
}

fn balance(cli: &Cli) -> Result<()> {
    let w = context::open(cli)?;
    let b = w.balances()?;
    let list: Vec<_> = b
        .iter()
        .map(|b| {
            json!({
                "network": b.network, "asset": b.asset, "amount": b.amount.to_string(), "held": b.held.to_string(),
                "heldUntil": b.held_until.map(centime_core::history::rfc3339),
            })
        })
        .collect();
    print(cli.json, json!({ "balances": list }), || {
        if b.is_empty() {
            return "no balance yet: top up with `centime topup`".into();
        }
        b.iter()
            .map(|b| {
                let held = match b.held_until {
                    Some(until) if b.held.get() > 0 => format!(
                        "; {} held until {} (refunds a refusing merchant could still settle)",
                        b.held,
                        centime_core::history::rfc3339(until)
                    ),
                    _ => String::new(),
                };
                format!("{} {}  ({}{held})", b.amount, b.asset, b.network)
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

fn topup(cli: &Cli, credit: &str) -> Result<()> {
    let text = input::value_or_file(credit)?;
    let mut w = context::open(cli)?;
    let t = w.topup(&text)?;
    print(
        cli.json,
        json!({
            "creditId": t.credit_id, "network": t.network, "asset": t.amount.asset,
            "amount": t.amount.micros.to_string(), "balance": t.balance.to_string(),
        }),
        || format!("credited {} ({}); balance {} {}", t.amount, t.network, t.balance, t.amount.asset),
    );
    Ok(())
}

/// Asks the person at the terminal; without one, the payment needs `--yes`.
pub fn confirm(q: &Quote, reason: &str) -> Result<bool> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(false);
    }
    let mut err = std::io::stderr();
    write!(err, "{}", terminal::prompt(q, reason))?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "oui"))
}

/// Applies the rules (asking at the terminal when they say so) and pays.
pub fn pay_with_rules(
    w: &mut Wallet,
    required: &centime_protocol::PaymentRequired,
    yes: bool,
    max: Option<centime_protocol::Micros>,
    payment_id: Option<centime_protocol::PaymentId>,
) -> Result<centime_core::Payment> {
    // What is already paid is read with its payment: nothing to ask.
    if payment_id.is_none()
        && let Some(p) = w.already_paid(&required.resource.url)?
    {
        return Ok(p);
    }
    let mut opts = PayOptions { approved: yes, max, payment_id, approval: None };
    if !yes && opts.payment_id.as_ref().is_none_or(|id| w.payment(id).is_err()) {
        let q = w.quote(required)?;
        // Paying after the question pays what the question showed.
        opts.approval = Some(q.approval.clone());
        // The wallet's own check, before asking: a refusal is never put as a question.
        if let Some(reason) = q.admit(max)? {
            if confirm(&q, &reason.to_string())? {
                opts.approved = true;
            } else if std::io::stdin().is_terminal() {
                return Err(crate::fail(crate::EXIT_APPROVAL, "declined"));
            } else {
                return Err(anyhow::Error::from(centime_core::Error::NeedsApproval(reason.clone()))
                    .context(centime_cli::NotAsked));
            }
        }
    }
    Ok(w.pay(required, &opts)?)
}

/// How long `pay` waits for the site a payment link names.
const LINK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What paying `given` means: a pasted request as it is; a `centime://pay` link only once the
/// site it names offers the same terms in its own 402 (any page can craft a link naming
/// someone else's site with its own payTo), and then the site's terms, not the link's copy.
pub fn confirmed_request(cli: &Cli, given: input::GivenRequest) -> Result<centime_protocol::PaymentRequired> {
    let (linked, return_url) = match given {
        input::GivenRequest::Request(r) => return Ok(r),
        input::GivenRequest::Link { required, return_url } => (required, return_url),
    };
    let client = context::client(cli, LINK_TIMEOUT).map_err(centime_cli::client_error)?;
    Ok(client.prepare_pay_link(&linked, return_url.as_ref()).map_err(centime_cli::client_error)?.required)
}

fn pay(cli: &Cli, request: &str, yes: bool, max: Option<&str>, payment_id: Option<&str>) -> Result<()> {
    let given = input::given_request(request)?;
    let max = input::opt_amount(max, "--max")?;
    let payment_id = input::payment_id(payment_id)?;
    let mut w = context::open(cli)?;
    // The wallet opens first: a link is confirmed over the network only for a wallet that can pay.
    let required = confirmed_request(cli, given)?;
    let p = pay_with_rules(&mut w, &required, yes, max, payment_id)?;
    print(
        cli.json,
        json!({
            "paymentId": p.payment_id, "header": p.header, "network": p.network, "asset": p.amount.asset,
            "amount": p.amount.micros.to_string(), "payTo": p.pay_to, "resource": p.resource,
            "reused": p.reused, "automatic": p.automatic,
            "certifiedMerchant": p.merchant.as_ref().map(|m| &m.name),
            "verifiedBy": p.merchant.as_ref().map(|m| &m.issuer),
        }),
        || p.header.clone(),
    );
    if !cli.json {
        let verified = match &p.merchant {
            Some(m) => format!("{} \u{2014} verified by {}", terminal::field(&m.name), terminal::field(&m.issuer)),
            None => "not verified by your issuer".to_owned(),
        };
        eprintln!(
            "{} {} to {}, {verified} (payment {}){}",
            if p.reused { "already paid" } else { "paid" },
            p.amount,
            p.origin,
            p.payment_id,
            if p.automatic { ", automatically by your rules" } else { "" }
        );
    }
    Ok(())
}

fn filter(f: &FilterArgs) -> Result<HistoryFilter> {
    Ok(HistoryFilter {
        since: f.since.as_deref().map(centime_core::history::parse_time).transpose()?,
        until: f.until.as_deref().map(centime_core::history::parse_time).transpose()?,
        site: f.site.clone(),
        kind: f
            .kind
            .as_deref()
            .map(|k| k.parse().map_err(|_| centime_core::Error::unknown_word::<Kind>("kind", k)))
            .transpose()?,
        status: f
            .status
            .as_deref()
            .map(|s| s.parse().map_err(|_| centime_core::Error::unknown_word::<centime_core::EntryStatus>("status", s)))
            .transpose()?,
        search: f.search.clone(),
    })
}

fn history(cli: &Cli, args: &HistoryArgs) -> Result<()> {
    let f = filter(&args.filter)?;
    let w = context::open(cli)?;
    if args.all {
        return history_all(cli, &w, &f, args.csv);
    }
    let page = w.history(&f, args.limit, args.cursor.as_deref())?;
    if args.csv {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", centime_core::history::CSV_COLUMNS.join(","))?;
        for e in &page.entries {
            writeln!(out, "{}", terminal::field(&centime_core::history::csv_row(e)))?;
        }
        return Ok(());
    }
    let total = if cli.json { Some(w.count(&f)?) } else { None };
    print(cli.json, json!({ "entries": page.entries, "next": page.next, "total": total }), || {
        let mut lines: Vec<String> = page.entries.iter().map(entry_line).collect();
        if lines.is_empty() {
            lines.push("no entries".into());
        }
        if let Some(n) = &page.next {
            lines.push(format!("more: --cursor {n}"));
        }
        lines.join("\n")
    });
    Ok(())
}

/// Every entry of `f`, newest first, page after page: memory stays flat on any wallet. With
/// `--json`, one object `{"total", "sums", "entries"}` whose row count and sums per asset are
/// what `centime export` writes for the same filter.
fn history_all(cli: &Cli, w: &Wallet, f: &HistoryFilter, csv: bool) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if csv {
        writeln!(out, "{}", centime_core::history::CSV_COLUMNS.join(","))?;
    } else if cli.json {
        out.write_all(b"{\"entries\":[")?;
    }
    let mut total = 0u64;
    let mut sums: std::collections::BTreeMap<String, centime_protocol::Micros> = Default::default();
    let mut cursor: Option<String> = None;
    loop {
        let page = w.history(f, centime_core::history::MAX_PAGE, cursor.as_deref())?;
        for e in &page.entries {
            let sum = sums.entry(e.asset.to_string()).or_default();
            *sum = sum.checked_add(e.amount)?;
            if csv {
                writeln!(out, "{}", terminal::field(&centime_core::history::csv_row(e)))?;
            } else if cli.json {
                if total > 0 {
                    out.write_all(b",")?;
                }
                out.write_all(b"\n")?;
                out.write_all(terminal::json(&serde_json::to_value(e)?).as_bytes())?;
            } else {
                writeln!(out, "{}", entry_line(e))?;
            }
            total += 1;
        }
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    if cli.json && !csv {
        let sums: Vec<_> = sums.iter().map(|(asset, amount)| json!({ "asset": asset, "amount": amount })).collect();
        write!(out, "\n],\"total\":{total},\"sums\":{}}}\n", serde_json::Value::Array(sums))?;
    } else if !csv && total == 0 {
        writeln!(out, "no entries")?;
    }
    out.flush()?;
    Ok(())
}

/// `centime record`: the merchant's answer, handed back by an integrator.
fn record(cli: &Cli, payment_id: &str, response: &str) -> Result<()> {
    let id = input::payment_id(Some(payment_id))?.ok_or_else(|| anyhow::anyhow!("a payment id is required"))?;
    let response = input::settlement_response(response)?;
    let mut w = context::open(cli)?;
    let status = w.record_settled(&id, &response)?;
    let receipt = response.receipt.is_some();
    print(cli.json, json!({ "paymentId": id.as_str(), "status": status, "receipt": receipt }), || match status {
        centime_core::Status::Settled if receipt => format!("payment {id} settled: the merchant's receipt is kept"),
        centime_core::Status::Settled => format!("payment {id} settled on the merchant's word: it sent no receipt"),
        _ => format!("payment {id}: the merchant says it did not take it; the money is credited back"),
    });
    Ok(())
}

/// One history entry on one line. Its description may be a merchant's text as an older wallet
/// stored it: shown inert (the CSV and JSON forms are too).
fn entry_line(e: &centime_core::history::Entry) -> String {
    // Only the merchant's word says it was taken: the line says so.
    let unproven = if e.settled_without_receipt { "  (no receipt: settled on the merchant's word)" } else { "" };
    format!(
        "{:>6}  {}  {:<7} {:<11} {:>12} {}  {}{unproven}",
        e.id,
        e.at,
        e.kind,
        e.status,
        e.amount.to_string(),
        e.asset,
        terminal::field(e.description.as_deref().or(e.site.as_deref()).unwrap_or(""))
    )
}

#[cfg(feature = "dev")]
fn dev_seed(cli: &Cli, opts: &SeedOptions) -> Result<()> {
    let mut w = context::open(cli)?;
    let started = std::time::Instant::now();
    let opts = SeedOptions {
        end: i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs())?,
        ..opts.clone()
    };
    let report = w.seed(&opts, &mut |n| {
        eprintln!("seeded {n} of {} entries ({} s)", opts.entries, started.elapsed().as_secs());
    })?;
    let secs = started.elapsed().as_secs();
    print(cli.json, json!({ "seeded": report, "seconds": secs }), || {
        format!(
            "{} entries in {secs} s: {} top-ups, {} payments ({} settled, {} rejected and refunded, {} unconfirmed)\n\
             a development wallet: do not put real money in it",
            report.entries, report.credits, report.payments, report.settled, report.rejected, report.unconfirmed
        )
    });
    Ok(())
}

fn rule_json(r: &SiteRule) -> serde_json::Value {
    json!({
        "origin": r.origin, "blocked": r.blocked, "autoPay": r.auto_pay,
        "maxPerPayment": r.max_per_payment.map(|m| m.to_string()),
        "budget": r.budget.map(|m| m.to_string()), "period": r.period.map(<&'static str>::from),
    })
}

fn rule_text(r: &SiteRule) -> String {
    let mut parts = vec![r.origin.to_string()];
    if r.blocked {
        parts.push("blocked".into());
    } else {
        parts.push(if r.auto_pay { "auto-pay".into() } else { "ask".into() });
        if let Some(m) = r.max_per_payment {
            parts.push(format!("max {m} per payment"));
        }
        if let (Some(b), Some(p)) = (r.budget, r.period) {
            parts.push(format!("budget {b} per {p}"));
        }
    }
    parts.join("  ")
}

fn sites(cli: &Cli) -> Result<()> {
    let w = context::open(cli)?;
    let list = w.sites()?;
    print(cli.json, json!({ "sites": list.iter().map(rule_json).collect::<Vec<_>>() }), || {
        if list.is_empty() {
            return "no site rules: every payment is asked".into();
        }
        list.iter().map(rule_text).collect::<Vec<_>>().join("\n")
    });
    Ok(())
}

fn site_change(cli: &Cli, origin: &str, change: &SiteChange) -> Result<()> {
    let mut w = context::open(cli)?;
    let r = w.update_site(origin, change)?;
    print(cli.json, rule_json(&r), || rule_text(&r));
    Ok(())
}

fn limits(cli: &Cli, change: &LimitsChange) -> Result<()> {
    let mut w = context::open(cli)?;
    let l = w.update_limits(change)?;
    print(
        cli.json,
        json!({
            "paused": l.paused, "autoPayUnder": l.auto_pay_under.to_string(),
            "dailyCap": l.daily_cap.to_string(), "maxPerPayment": l.max_per_payment.to_string(),
        }),
        || {
            format!(
                "payments {}\nauto-pay under   {}\ndaily cap        {}\nmax per payment  {}",
                if l.paused { "PAUSED" } else { "allowed" },
                l.auto_pay_under,
                l.daily_cap,
                l.max_per_payment
            )
        },
    );
    Ok(())
}

fn export(cli: &Cli, format: ExportFormatArg, out: Option<&std::path::Path>, f: &FilterArgs) -> Result<()> {
    let f = filter(f)?;
    let w = context::open(cli)?;
    let format = match format {
        ExportFormatArg::Csv => ExportFormat::Csv,
        ExportFormatArg::Json => ExportFormat::Json,
    };
    // A read connection of its own, one snapshot: a payment made meanwhile by another
    // process is not half in it.
    let reader = w.export_reader()?;
    // Progress for a person watching; nothing when stderr is a file or a pipe.
    let show = std::io::stderr().is_terminal();
    let mut progress = |p: centime_core::Progress| {
        if show && p.rows > 0 {
            eprint!("\rexported {} rows", p.rows);
        }
        std::ops::ControlFlow::Continue(())
    };
    let n = match out {
        // Written whole or not at all, readable by the user alone.
        Some(path) => reader.export_to_file(&f, format, path, &mut progress)?,
        // On a terminal, rows an older wallet stored raw are shown with escapes, not obeyed;
        // a pipe or a file gets the export exactly.
        None if std::io::stdout().is_terminal() => {
            let mut stdout = terminal::Inert::new(std::io::BufWriter::new(std::io::stdout().lock()));
            let n = reader.export_to(&f, format, &mut stdout, &mut progress)?;
            stdout.flush()?;
            n
        }
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            reader.export_to(&f, format, &mut stdout, &mut progress)?
        }
    };
    if show {
        eprintln!();
    }
    if let Some(path) = out {
        print(cli.json, json!({ "rows": n, "out": path.display().to_string() }), || {
            format!("{n} rows written to {}", path.display())
        });
    }
    Ok(())
}
