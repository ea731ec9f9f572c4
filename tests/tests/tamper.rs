//! The tamper suite: random single edits made with the `sqlite3` tool to a real wallet (built
//! over HTTP against centime-demo: top-ups, settled payments with receipts, a refused payment
//! and its refund, site rules, limits), each on a fresh copy, each checked by `verify`.
//!
//! The edits are what someone with the file and the `sqlite3` tool can do: change one cell of
//! a row (amounts, sites, signatures, documents, statuses, rules), delete a row, swap two rows
//! (reorder), duplicate a row, put in a row copied from another wallet, or put back rows from
//! an older copy of the same wallet (its rules, limits, trusted issuers and seals as they were
//! before the user changed them: genuine MACs under the same key, ADR 15). The append-only
//! triggers are dropped for the edit and put back after, as a careful forger would.
//!
//! Every edit to money-bearing data must be detected (100%); edits to the rest are counted.
//! `CENTIME_TAMPER_EDITS` (default 300; `make test-long` runs 2000) and `CENTIME_TAMPER_SEED` replay a run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, Result, bail, ensure};
use centime_core::keystore::{KeyStore, KeystoreKind, Secrets};
use centime_e2e::{Demo, Fault, Proxy, Rng, Wallet, count_from_env};
use centime_protocol::jws::{RingSigner, Signer as _};
use rusqlite::types::Value;

/// The wallet's secrets, read once: opening the file keystore for each of a thousand copies
/// would spend minutes in PBKDF2 and test nothing more.
#[derive(Debug)]
struct Unlocked(Vec<u8>);

impl KeyStore for Unlocked {
    fn kind(&self) -> KeystoreKind {
        KeystoreKind::File
    }
    fn load(&self, _account: &str) -> centime_core::Result<Option<Secrets>> {
        Secrets::decode(&self.0).map(Some)
    }
    fn save(&self, _account: &str, _secrets: &Secrets) -> centime_core::Result<()> {
        Err(centime_core::Error::InvalidArgument("read-only keystore".into()))
    }
    fn probe(&self) -> centime_core::Result<()> {
        Ok(())
    }
}

fn unlocked(w: &Wallet) -> Result<Unlocked> {
    let db = centime_core::db_path(w.dir());
    let account = centime_core::sqlite::peek_meta(&db, "account")?.context("no account")?;
    let ks = centime_core::keystore::FileKeyStore::new(
        w.dir(),
        centime_core::passphrase::Passphrase::new(centime_e2e::PASSPHRASE.to_owned()),
    );
    let secrets = ks.load(&account)?.context("no secrets")?;
    Ok(Unlocked(secrets.encode().to_vec()))
}

/// A wallet with every kind of row: credits, settled payments with receipts, a refused
/// payment and its refund, an unconfirmed one, site rules and limits. With `older`, a copy of
/// it is kept there after two payments, and then its rules, limits and issuers are changed.
fn rich_wallet(
    demo: &Demo,
    proxy: &Proxy,
    pages: &[(String, i64)],
    skip: usize,
    older: Option<&Path>,
) -> Result<Wallet> {
    let w = Wallet::funded(demo, "20.00")?;
    let note = demo.credit_note(w.id()?, "2.50", "EUR")?;
    w.json(&["topup", &note])?;
    let origin = pages[0].0.split('/').take(3).collect::<Vec<_>>().join("/");
    w.json(&["allow", &origin, "--budget", "2.00", "--per", "month", "--max-per-payment", "0.50", "--auto"])?;
    w.json(&["block", "https://spam.example"])?;
    w.json(&["limits", "--auto-pay-under", "0.20", "--daily-cap", "15.00"])?;
    for (i, (url, _)) in pages.iter().skip(skip).take(4).enumerate() {
        if i == 2
            && let Some(older) = older
        {
            // Every command has exited: the database file is whole (no WAL left).
            copy_dir(w.dir(), older)?;
            w.json(&["allow", &origin, "--budget", "3.00", "--per", "week", "--auto"])?;
            w.json(&["unblock", "https://spam.example"])?;
            w.json(&["allow", "https://other.example", "--auto"])?;
            w.json(&["limits", "--auto-pay-under", "0.10", "--daily-cap", "12.00"])?;
            let other = RingSigner::from_seed(&[42; 32])?;
            w.json(&["issuer", "add", "centime:other", &other.public_key().to_string(), "--name", "Other"])?;
        }
        w.run(&["fetch", url, "--yes"])?.ok()?;
    }
    proxy.inject(Fault::Tamper, 1)?;
    let refused = w.run(&["fetch", &pages[skip + 4].0, "--yes"])?;
    ensure!(refused.code != 0, "the tampered payment was refused: {refused}");
    proxy.inject(Fault::LoseAnswer, 3)?;
    let lost = w.run(&["fetch", &pages[skip + 5].0, "--yes", "--timeout", "5"])?;
    ensure!(lost.code != 0, "the payment whose answers were lost is unconfirmed: {lost}");
    proxy.inject(Fault::Tamper, 0)?;
    let v = w.json(&["verify"])?;
    ensure!(v["ok"] == true, "the untouched wallet verifies: {v}");
    Ok(w)
}

/// Tables whose every column carries money or the rules that move it, and the columns of
/// other tables that are bookkeeping (the status log, timestamps of the last change, the
/// merchant's free-text reason): edits there are counted, not required to be caught.
const MONEY_TABLES: &[&str] = &["journal", "balances", "payments", "credits", "sites", "limits", "issuers", "meta"];
const OTHER_TABLES: &[&str] = &["payment_events"];

fn money_bearing(table: &str, column: Option<&str>, meta_key: Option<&str>) -> bool {
    match (table, column) {
        // What the issuer's last statement said of a payment (docs/reliability.md, "Not sealed").
        ("payments", Some("updated_at" | "detail" | "issuer_settled_at" | "refund_final_at"))
        | ("sites", Some("updated_at")) => false,
        ("meta", _) => meta_key == Some("journal_head"),
        (t, _) => MONEY_TABLES.contains(&t),
    }
}

/// A payment's status carries money when the edit involves a refusal (its refund) or a
/// settlement proved by a receipt. Between pending, unconfirmed and a settlement without a
/// receipt the money has moved in every case and nothing proves either; such a change alters
/// what the wallet says it knows, not what it holds (docs/reliability.md, "Not sealed").
fn status_edit_is_money(t: &Table, vals: &[Value], new: &Value) -> bool {
    let col = |name: &str| t.columns.iter().position(|c| c == name);
    let has_receipt = col("receipt").is_some_and(|i| vals[i] != Value::Null);
    let unproved = |v: &Value| match v {
        Value::Text(s) => s == "pending" || s == "unconfirmed" || (s == "settled" && !has_receipt),
        _ => false,
    };
    let old = col("status").map(|i| &vals[i]);
    !(old.is_some_and(unproved) && unproved(new))
}

fn literal(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => format!("{r:?}"),
        Value::Text(t) => format!("'{}'", t.replace('\'', "''")),
        Value::Blob(b) => format!("X'{}'", b.iter().map(|x| format!("{x:02X}")).collect::<String>()),
    }
}

/// A changed value of the same kind, most of the time close to the original.
fn mutate(rng: &mut Rng, v: &Value, others: &[Value]) -> Value {
    let other = || others.iter().find(|o| *o != v).cloned();
    match v {
        Value::Integer(i) => match rng.below(6) {
            0 => Value::Integer(i.wrapping_add(1)),
            1 => Value::Integer(i.wrapping_sub(1)),
            2 => Value::Integer(i.wrapping_mul(10)),
            3 => Value::Integer(i.wrapping_neg()),
            4 => other().unwrap_or(Value::Integer(i.wrapping_add(7))),
            _ => Value::Integer(0),
        },
        Value::Text(t) => {
            let mut chars: Vec<char> = t.chars().collect();
            match rng.below(4) {
                0 if !chars.is_empty() => {
                    let k = rng.below(chars.len());
                    chars[k] = if chars[k] == 'A' { 'B' } else { 'A' };
                    Value::Text(chars.into_iter().collect())
                }
                1 => other().unwrap_or_else(|| Value::Text(format!("{t}x"))),
                2 if chars.len() > 1 => Value::Text(chars[..chars.len() - 1].iter().collect()),
                _ => Value::Text(format!("{t}0")),
            }
        }
        Value::Blob(b) => {
            let mut b = b.clone();
            if b.is_empty() || rng.below(4) == 0 {
                b.push(0);
            } else {
                let k = rng.below(b.len());
                b[k] ^= 1 << rng.below(8);
            }
            Value::Blob(b)
        }
        Value::Null => other().unwrap_or(Value::Integer(1)),
        // No column of the schema is REAL; a REAL would be a change of type.
        Value::Real(_) => Value::Integer(1),
    }
}

struct Table {
    name: String,
    columns: Vec<String>,
    /// The column that is the rowid (an `INTEGER PRIMARY KEY`), if any.
    alias: Option<usize>,
    rows: Vec<(i64, Vec<Value>)>,
}

fn read_table(db: &Path, name: &str) -> Result<Table> {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    let mut stmt = conn.prepare(&format!("SELECT rowid, * FROM {name} ORDER BY rowid"))?;
    let columns: Vec<String> = stmt.column_names().skip(1).map(str::to_owned).collect();
    let n = columns.len();
    let rows = stmt
        .query_map([], |r| {
            let id: i64 = r.get(0)?;
            let vals = (1..=n).map(|i| r.get::<_, Value>(i)).collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((id, vals))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let pk: Vec<(String, String)> = conn
        .prepare(&format!("SELECT name, type FROM pragma_table_info('{name}') WHERE pk > 0"))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let alias = match pk.as_slice() {
        [(col, ty)] if ty.eq_ignore_ascii_case("integer") => columns.iter().position(|c| c == col),
        _ => None,
    };
    Ok(Table { name: name.to_owned(), columns, alias, rows })
}

/// One edit: its description, whether it touches money-bearing data, and its SQL.
struct Edit {
    what: String,
    money: bool,
    sql: String,
}

fn insert_sql(t: &Table, rowid: Option<i64>, vals: &[Value]) -> String {
    let mut vals = vals.to_vec();
    // Where the rowid is a column, that column is the place of the row.
    if let (Some(i), Some(id)) = (t.alias, rowid) {
        vals[i] = Value::Integer(id);
    }
    let (mut cols, mut lits): (Vec<String>, Vec<String>) =
        t.columns.iter().zip(&vals).map(|(c, v)| (format!("\"{c}\""), literal(v))).unzip();
    if let (None, Some(id)) = (t.alias, rowid) {
        cols.insert(0, "rowid".into());
        lits.insert(0, id.to_string());
    }
    format!("INSERT OR REPLACE INTO {} ({}) VALUES ({});", t.name, cols.join(", "), lits.join(", "))
}

fn meta_key(t: &Table, vals: &[Value]) -> Option<String> {
    if t.name != "meta" {
        return None;
    }
    match &vals[0] {
        Value::Text(k) => Some(k.clone()),
        _ => None,
    }
}

fn make_edit(rng: &mut Rng, t: &Table, foreign: &Table) -> Option<Edit> {
    if t.rows.is_empty() {
        return None;
    }
    let (rowid, vals) = rng.pick(&t.rows).clone();
    let key = meta_key(t, &vals);
    let max_rowid = t.rows.iter().map(|r| r.0).max().unwrap_or(0);
    let edit = match rng.below(10) {
        // One cell changed.
        0..=5 => {
            let c = rng.below(t.columns.len());
            let column = &t.columns[c];
            if t.name == "meta" && column == "key" {
                return None;
            }
            let others: Vec<Value> = t.rows.iter().map(|r| r.1[c].clone()).collect();
            let new = mutate(rng, &vals[c], &others);
            let mut money = money_bearing(&t.name, Some(column), key.as_deref());
            if t.name == "payments" && column == "status" {
                money = status_edit_is_money(t, &vals, &new);
            }
            Edit {
                what: format!(
                    "{}.{column} changed{}",
                    t.name,
                    if column == "status" && t.name == "payments" && !money {
                        " (between unresolved states)"
                    } else {
                        ""
                    }
                ),
                money,
                sql: format!("UPDATE {} SET \"{column}\" = {} WHERE rowid = {rowid};", t.name, literal(&new)),
            }
        }
        // A row deleted.
        6 => Edit {
            what: format!("{} row deleted", t.name),
            money: money_bearing(&t.name, None, key.as_deref()),
            sql: format!("DELETE FROM {} WHERE rowid = {rowid};", t.name),
        },
        // Two rows swapped: same content, another order.
        7 => {
            let (other_id, other_vals) = rng.pick(&t.rows).clone();
            if other_id == rowid {
                return None;
            }
            Edit {
                what: format!("{} rows reordered", t.name),
                money: money_bearing(&t.name, None, key.as_deref())
                    || money_bearing(&t.name, None, meta_key(t, &other_vals).as_deref()),
                sql: format!(
                    "DELETE FROM {n} WHERE rowid IN ({rowid}, {other_id}); {} {}",
                    insert_sql(t, Some(rowid), &other_vals),
                    insert_sql(t, Some(other_id), &vals),
                    n = t.name
                ),
            }
        }
        // A row duplicated at the end.
        8 => Edit {
            what: format!("{} row duplicated", t.name),
            money: money_bearing(&t.name, None, key.as_deref()),
            sql: insert_sql(t, Some(max_rowid + 1), &vals),
        },
        // A row from another wallet put in (at the end, or over the row with its key).
        _ => {
            if foreign.rows.is_empty() {
                return None;
            }
            let (fid, fvals) = rng.pick(&foreign.rows).clone();
            let fkey = meta_key(foreign, &fvals);
            let append = rng.below(2) == 0;
            Edit {
                what: format!("{} row copied from another wallet", t.name),
                money: money_bearing(&t.name, None, fkey.as_deref()),
                sql: insert_sql(t, Some(if append { max_rowid + 1 } else { fid }), &fvals),
            }
        }
    };
    Some(edit)
}

/// The tables an older copy of the wallet differs in: its rules, limits, issuers and seals.
const RULE_TABLES: &[&str] = &["sites", "limits", "issuers", "meta"];

/// SQL that puts back the rows of `t` (from an older copy) that `keep` selects.
fn put_back(t: &Table, keep: impl Fn(&[Value]) -> bool) -> String {
    t.rows.iter().filter(|(_, v)| keep(v)).map(|(_, v)| insert_sql(t, None, v)).collect::<Vec<_>>().join(" ")
}

/// Rows of an older copy of the same wallet put back: one row, one table as it was, a table
/// with the seal kept beside it, or every rule with the journal's head. Always money-bearing:
/// the rules decide what is paid without asking, and the issuers what becomes money.
fn make_older_edit(rng: &mut Rng, older: &[Table]) -> Option<Edit> {
    let table = |name: &str| older.iter().find(|t| t.name == name);
    let whole = |name: &str| table(name).map(|t| format!("DELETE FROM {name}; {}", put_back(t, |_| true)));
    let seal = |key: &str| table("meta").map(|t| put_back(t, |v| meta_key(t, v).as_deref() == Some(key)));
    let (what, sql) = match rng.below(6) {
        0 | 1 => {
            let name: &&str = rng.pick(RULE_TABLES);
            let t = table(name)?;
            if t.rows.is_empty() {
                return None;
            }
            let (_, vals) = rng.pick(&t.rows);
            (format!("{} row from an older copy", t.name), insert_sql(t, None, vals))
        }
        2 => {
            let name = *rng.pick(RULE_TABLES);
            (format!("{name} table from an older copy"), whole(name)?)
        }
        3 => (
            "sites and their digest from an older copy".into(),
            format!("{} {}", whole("sites")?, seal("sites_digest")?),
        ),
        4 => ("limits and issuers from an older copy".into(), format!("{} {}", whole("limits")?, whole("issuers")?)),
        _ => (
            "every rule and the head from an older copy".into(),
            format!(
                "{} {} {} {} {}",
                whole("sites")?,
                seal("sites_digest")?,
                whole("limits")?,
                whole("issuers")?,
                seal("journal_head")?
            ),
        ),
    };
    Some(Edit { what, money: true, sql })
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        if e.file_type()?.is_file() {
            std::fs::copy(e.path(), to.join(e.file_name()))?;
        }
    }
    Ok(())
}

/// What the tables hold, as sorted rows: an edit that leaves it equal (same rows under other
/// rowids, a value replaced by itself) changed nothing a reader of the data could see.
fn content(db: &Path) -> Result<Vec<(String, Vec<String>)>> {
    let mut out = Vec::new();
    for name in MONEY_TABLES.iter().chain(OTHER_TABLES) {
        let t = read_table(db, name)?;
        let mut rows: Vec<String> =
            t.rows.iter().map(|(_, v)| v.iter().map(literal).collect::<Vec<_>>().join("|")).collect();
        rows.sort();
        out.push(((*name).to_owned(), rows));
    }
    Ok(out)
}

/// What `verify` (and opening the wallet) said of a copy.
fn detected(dir: &Path, ks: &Unlocked) -> std::result::Result<(), String> {
    let check = centime_core::Wallet::open(dir, ks).and_then(|w| w.verify());
    match check {
        Ok(_) => Err("verify passed".into()),
        Err(e) if e.class() == centime_core::ErrorClass::Integrity => Ok(()),
        Err(e) => Err(format!("not reported as an integrity failure: {e}")),
    }
}

#[derive(Default)]
struct Count {
    edits: usize,
    detected: usize,
}

#[test]
fn every_edit_to_money_bearing_data_is_detected() -> Result<()> {
    let edits = count_from_env("CENTIME_TAMPER_EDITS", 300)?;
    let (mut rng, seed) = Rng::from_env("CENTIME_TAMPER_SEED")?;
    eprintln!("tamper suite: {edits} edits, seed {seed} (replay with CENTIME_TAMPER_SEED={seed})");

    let proxy = Proxy::start()?;
    let demo = Demo::start_behind(&proxy.url())?;
    proxy.set_upstream(demo.addr())?;
    let pages = demo.pages()?;
    let older_a = tempfile::tempdir()?;
    let a = rich_wallet(&demo, &proxy, &pages, 0, Some(older_a.path()))?;
    let b = rich_wallet(&demo, &proxy, &pages, 6, None)?;
    let ks = unlocked(&a)?;
    let db_a = centime_core::db_path(a.dir());
    let db_b = centime_core::db_path(b.dir());
    let triggers: Vec<(String, String)> = {
        let conn = rusqlite::Connection::open(&db_a)?;
        let mut stmt = conn.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?
    };
    let mut tables = Vec::new();
    for name in MONEY_TABLES.iter().chain(OTHER_TABLES) {
        tables.push((read_table(&db_a, name)?, read_table(&db_b, name)?));
    }
    let older: Vec<Table> = RULE_TABLES
        .iter()
        .map(|name| read_table(&centime_core::db_path(older_a.path()), name))
        .collect::<Result<_>>()?;
    let original = content(&db_a)?;

    let scratch = tempfile::tempdir()?;
    let mut counts: BTreeMap<(bool, String), Count> = BTreeMap::new();
    let mut missed = Vec::new();
    let mut cli_checked = 0;
    let mut done = 0;
    let mut attempts = 0;
    while done < edits {
        attempts += 1;
        ensure!(attempts < edits * 20, "too few edits could be applied ({done} of {edits})");
        let edit = if rng.below(6) == 0 {
            make_older_edit(&mut rng, &older)
        } else {
            let (t, f) = rng.pick(&tables);
            make_edit(&mut rng, t, f)
        };
        let Some(edit) = edit else { continue };
        let dir = scratch.path().join(format!("copy-{attempts}"));
        copy_dir(a.dir(), &dir)?;
        let db = centime_core::db_path(&dir);
        let drops: String = triggers.iter().map(|(n, _)| format!("DROP TRIGGER IF EXISTS {n};")).collect();
        let puts: String = triggers.iter().map(|(_, sql)| format!("{sql};")).collect();
        let script = format!("BEGIN; {drops} {} {puts} COMMIT;", edit.sql);
        let out =
            Command::new("sqlite3").arg(&db).arg(&script).output().context("running sqlite3 (apt install sqlite3)")?;
        // An edit the schema's constraints refuse (CHECK, UNIQUE, NOT NULL) is no edit.
        if !out.status.success() || content(&db)? == original {
            std::fs::remove_dir_all(&dir)?;
            continue;
        }
        done += 1;
        let c = counts.entry((edit.money, edit.what.clone())).or_default();
        c.edits += 1;
        match detected(&dir, &ks) {
            Ok(()) => {
                c.detected += 1;
                // The CLI says so too, with exit 7, for a sample.
                if cli_checked < 5 {
                    cli_checked += 1;
                    let out = a.command(&["verify"])?.env("CENTIME_DATA_DIR", &dir).output()?;
                    ensure!(out.status.code() == Some(7), "centime verify after {}: {:?}", edit.what, out);
                }
            }
            Err(why) if edit.money => missed.push(format!("{} [{}]: {why}", edit.what, edit.sql)),
            Err(_) => {}
        }
        std::fs::remove_dir_all(&dir)?;
    }

    let (mut money, mut money_caught, mut other, mut other_caught) = (0, 0, 0, 0);
    eprintln!("tamper suite: detections per kind of edit");
    for ((is_money, what), c) in &counts {
        eprintln!(
            "  {:<48} {:>4} / {:<4} {}",
            what,
            c.detected,
            c.edits,
            if *is_money { "" } else { "(not money-bearing)" }
        );
        if *is_money {
            money += c.edits;
            money_caught += c.detected;
        } else {
            other += c.edits;
            other_caught += c.detected;
        }
    }
    eprintln!(
        "tamper suite: {money_caught} of {money} money-bearing edits detected; {other_caught} of {other} other edits; seed {seed}"
    );
    if !missed.is_empty() {
        bail!("{} money-bearing edit(s) not detected (seed {seed}):\n{}", missed.len(), missed.join("\n"));
    }
    Ok(())
}
