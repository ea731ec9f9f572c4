//! The append-only journal, its HMAC chain and the balances kept beside it.
//!
//! Row N's MAC covers its own fields and row N-1's MAC, keyed by a secret that lives only in
//! the keystore. Editing, deleting, reordering or copying rows from another wallet breaks the
//! chain at the first affected row; the signed head (`meta.journal_head`) catches a truncated
//! tail, and binds the rules' seals to the journal's position (ADR 15): rules put back from an
//! older copy of the wallet no longer match it once the journal has moved on.

use std::collections::HashMap;

use centime_protocol::{Asset, Micros};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::entry::Kind;
use crate::error::{Error, Result};
// Re-exported for the rules' seals, which use the same encoding.
use crate::mac::verify_mac;
use crate::mac::{ChainedRow, head_input, head_input_v1};

/// A row about to be appended.
#[derive(Debug, Clone)]
pub(crate) struct NewEntry<'a> {
    pub at: i64,
    pub kind: Kind,
    pub network: &'a str,
    pub asset: Asset,
    pub amount: Micros,
    pub site: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub title: Option<&'a str>,
    pub counterparty: Option<&'a str>,
    pub payment_id: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub doc_hash: Option<[u8; 32]>,
}

/// The last row's id and MAC; 0 and 32 zero bytes (the chain's start) for an empty journal.
fn last_row(conn: &Connection) -> Result<(i64, Vec<u8>)> {
    Ok(conn
        .prepare_cached("SELECT id, mac FROM journal ORDER BY id DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, vec![0u8; 32])))
}

fn stored_head(conn: &Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'journal_head'")?
        .query_row([], |r| r.get(0))
        .optional()?)
}

fn head_value(key: &[u8; 32], id: i64, mac: &[u8], rules: &[u8; 32]) -> String {
    format!("{id}:{}", hex(&head_input(id, mac, rules).mac(key)))
}

/// Writes the head over row `id` (MAC `mac`) and the rules as they are now. Callers check the
/// head first ([`check_head`]): writing it over a state changed outside Centime would bless it.
fn write_head(conn: &Connection, key: &[u8; 32], id: i64, mac: &[u8]) -> Result<()> {
    let head = head_value(key, id, mac, &crate::rules_store::rules_digest(conn, key)?);
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES ('journal_head', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![head])?;
    Ok(())
}

/// Seals the rules as they are now to the journal as it is now: after any change to the limits,
/// the site rules or the trusted issuers, in the same transaction.
pub(crate) fn seal_head(conn: &Connection, key: &[u8; 32]) -> Result<()> {
    let (id, mac) = last_row(conn)?;
    write_head(conn, key, id, &mac)
}

/// True when the stored head is the one Centime wrote for the journal's last row and the rules
/// as they are.
pub(crate) fn head_holds(conn: &Connection, key: &[u8; 32]) -> Result<bool> {
    let (id, mac) = last_row(conn)?;
    head_holds_at(conn, key, id, &mac)
}

fn head_holds_at(conn: &Connection, key: &[u8; 32], id: i64, mac: &[u8]) -> Result<bool> {
    let want = head_value(key, id, mac, &crate::rules_store::rules_digest(conn, key)?);
    Ok(stored_head(conn)?.is_some_and(|h| h == want))
}

/// True when the head is one an earlier version wrote for the journal as it is (or there is no
/// head over an empty journal, as earlier versions left it): the wallet was last written
/// before the head covered the rules.
pub(crate) fn head_is_earlier(conn: &Connection, key: &[u8; 32]) -> Result<bool> {
    let (id, mac) = last_row(conn)?;
    Ok(match stored_head(conn)? {
        None => id == 0,
        Some(h) => h == format!("{id}:{}", hex(&head_input_v1(id, &mac).mac(key))),
    })
}

/// Checks the head against the journal's last row and the rules: rows removed from the end,
/// and rules (or the head) put back from an older copy of this wallet, are reported here.
pub(crate) fn check_head(conn: &Connection, key: &[u8; 32]) -> Result<()> {
    let (id, mac) = last_row(conn)?;
    check_head_at(conn, key, id, &mac)
}

fn check_head_at(conn: &Connection, key: &[u8; 32], last: i64, mac: &[u8]) -> Result<()> {
    if head_holds_at(conn, key, last, mac)? {
        return Ok(());
    }
    let said = stored_head(conn)?.and_then(|h| h.split_once(':').and_then(|(n, _)| n.parse::<i64>().ok()));
    if said != Some(last) {
        return Err(Error::Integrity(format!(
            "the journal ends at row {last} but its signed head says otherwise: rows were removed from the end, or the head was put back from an older copy of this wallet"
        )));
    }
    // The head names the last row, so what it no longer matches is the rules. A seal of their
    // own that fails says which; if they all hold, each is genuine but not the latest.
    crate::rules_store::check_rule_seals(conn, key)?;
    Err(Error::Integrity(
        "the spending limits, a site rule or the trusted issuers are not the ones Centime last sealed: they were put back from an older copy of this wallet (or the journal's head was changed)".into(),
    ))
}

/// Appends `e`, moves its balance, the day's spending and the chain head, all inside the
/// caller's transaction. Returns the new row id.
pub(crate) fn append(tx: &Transaction<'_>, key: &[u8; 32], e: &NewEntry<'_>) -> Result<i64> {
    let mut a = Appender::new(tx, key)?;
    let id = a.append(tx, key, e)?;
    a.finish(tx, key)?;
    Ok(id)
}

/// Appends many rows in one transaction: the chain's last MAC and the balances are kept in
/// memory and written once, by [`Appender::finish`] (the bulk path of `centime dev seed`).
pub(crate) struct Appender {
    last: Option<(i64, Vec<u8>)>,
    balances: HashMap<(String, Asset), Micros>,
}

impl Appender {
    /// Refuses to append to a journal whose head does not hold: the new head would bless rows
    /// removed from the end, or rules put back from an older copy.
    pub fn new(tx: &Transaction<'_>, key: &[u8; 32]) -> Result<Self> {
        check_head(tx, key)?;
        let last = tx
            .prepare_cached("SELECT id, mac FROM journal ORDER BY id DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        Ok(Appender { last, balances: HashMap::new() })
    }

    pub fn append(&mut self, tx: &Transaction<'_>, key: &[u8; 32], e: &NewEntry<'_>) -> Result<i64> {
        let (id, prev) = match self.last.take() {
            Some((id, mac)) => (id.checked_add(1).ok_or(Error::Integrity("journal full".into()))?, mac),
            None => (1, vec![0u8; 32]),
        };
        let mac = ChainedRow::new(id, &prev, e).mac_input().mac(key);
        tx.prepare_cached(
            "INSERT INTO journal (id, at, kind, network, asset, amount, site, resource, title, counterparty,
                                  payment_id, ref, doc_hash, mac)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(params![
            id,
            e.at,
            <&'static str>::from(e.kind),
            e.network,
            e.asset.as_str(),
            e.amount.get(),
            e.site,
            e.resource,
            e.title,
            e.counterparty,
            e.payment_id,
            e.reference,
            e.doc_hash.as_ref().map(|h| h.as_slice()),
            mac.as_slice()
        ])?;
        let slot = (e.network.to_owned(), e.asset);
        let current = match self.balances.get(&slot) {
            Some(b) => *b,
            None => Micros::from_micros(
                tx.prepare_cached("SELECT balance FROM balances WHERE network = ?1 AND asset = ?2")?
                    .query_row(params![e.network, e.asset.as_str()], |r| r.get(0))
                    .optional()?
                    .unwrap_or(0),
            ),
        };
        let new_balance = current.checked_add(e.amount)?;
        if new_balance.is_negative() {
            return Err(Error::InsufficientFunds {
                needed: centime_protocol::Amount::new(e.amount.checked_neg()?, e.asset),
                available: current,
                held: None,
            });
        }
        self.balances.insert(slot, new_balance);
        if matches!(e.kind, Kind::Payment | Kind::Refund | Kind::TransferOut) {
            // Payments are negative in the journal, refunds positive; the sums keep both positive.
            // Money sent to a wallet counts as spent (the daily cap holds it too), under no site.
            let (paid, refunded, count) = match e.kind {
                Kind::Payment | Kind::TransferOut => (e.amount.checked_neg()?.get(), 0, 1),
                _ => (0, e.amount.get(), 0),
            };
            let site = e.site.unwrap_or("");
            for (table, unit) in [("spending_days", e.at.div_euclid(DAY)), ("spending_months", month_of(e.at))] {
                tx.prepare_cached(&format!(
                    "INSERT INTO {table} VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT DO UPDATE SET paid = paid + excluded.paid, refunded = refunded + excluded.refunded,
                                               payments = payments + excluded.payments"
                ))?
                .execute(params![unit, site, e.network, e.asset.as_str(), paid, refunded, count])?;
            }
        }
        self.last = Some((id, mac.to_vec()));
        Ok(id)
    }

    /// Writes the balances and the chain head. Call once, before the commit.
    pub fn finish(self, tx: &Transaction<'_>, key: &[u8; 32]) -> Result<()> {
        for ((network, asset), balance) in &self.balances {
            tx.prepare_cached(
                "INSERT INTO balances (network, asset, balance) VALUES (?1, ?2, ?3)
                 ON CONFLICT (network, asset) DO UPDATE SET balance = excluded.balance",
            )?
            .execute(params![network, asset.as_str(), balance.get()])?;
        }
        if let Some((id, mac)) = &self.last {
            write_head(tx, key, *id, mac)?;
        }
        Ok(())
    }
}

/// Seconds in a UTC day: `spending_days.day` is `at` divided by this.
pub(crate) const DAY: i64 = 86_400;

/// `spending_months.month` of a time: year * 12 + month - 1, in UTC.
pub(crate) fn month_of(at: i64) -> i64 {
    let d = time::OffsetDateTime::from_unix_timestamp(at).map_or(time::OffsetDateTime::UNIX_EPOCH, |d| d);
    i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1
}

/// The first second of month `m` (as [`month_of`] numbers it).
pub(crate) fn month_start(m: i64) -> Option<i64> {
    let year = i32::try_from(m.div_euclid(12)).ok()?;
    let month = time::Month::try_from(u8::try_from(m.rem_euclid(12) + 1).ok()?).ok()?;
    Some(time::Date::from_calendar_date(year, month, 1).ok()?.midnight().assume_utc().unix_timestamp())
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(crate) fn sha256(b: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, b);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// What a payment's journal row seals of its documents: the authorization and the whole request
/// it answered (description and offers included), each length-prefixed. Rows written before
/// this seal hold SHA-256 of the authorization alone; `verify` accepts either, and no one without
/// the MAC key can turn one into the other.
pub(crate) fn payment_docs_hash(authorization: &str, request_json: &str) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(b"centime-payment-docs-v2\0");
    for part in [authorization.as_bytes(), request_json.as_bytes()] {
        ctx.update(&u64::try_from(part.len()).unwrap_or(u64::MAX).to_be_bytes());
        ctx.update(part);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// A journal row as stored, with the MAC of the row before it.
struct StoredRow {
    /// The id the row must have: ids run 1, 2, 3… without gaps.
    expected_id: i64,
    id: i64,
    at: i64,
    kind: String,
    network: String,
    asset: String,
    amount: i64,
    texts: [Option<String>; 6],
    doc_hash: Option<Vec<u8>>,
    mac: Vec<u8>,
    prev: Vec<u8>,
}

fn check_row(key: &[u8; 32], row: StoredRow) -> Result<()> {
    let StoredRow { expected_id, id, kind, .. } = &row;
    if id != expected_id {
        return Err(Error::Integrity(format!(
            "journal row {expected_id} is missing (next row is {id}): rows were deleted or renumbered"
        )));
    }
    let [site, resource, title, counterparty, payment_id, reference] = row.texts.each_ref().map(Option::as_deref);
    let input = ChainedRow {
        id: *id,
        prev: &row.prev,
        at: row.at,
        kind,
        network: &row.network,
        asset: &row.asset,
        amount: row.amount,
        site,
        resource,
        title,
        counterparty,
        payment_id,
        reference,
        doc_hash: row.doc_hash.as_deref(),
    }
    .mac_input();
    if !verify_mac(key, &input, &row.mac) {
        return Err(Error::Integrity(format!(
            "journal row {id} ({kind}) does not match its MAC: it was edited, moved or copied from another wallet"
        )));
    }
    Ok(())
}

/// Walks the chain; returns the number of rows checked or names the first broken one.
pub(crate) fn verify_chain(conn: &rusqlite::Connection, key: &[u8; 32]) -> Result<i64> {
    let mut stmt = conn.prepare(
        "SELECT id, at, kind, network, asset, amount, site, resource, title, counterparty, payment_id, ref,
                doc_hash, mac FROM journal ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_id = 1i64;
    let mut prev = vec![0u8; 32];
    // Each row's MAC covers the stored MAC of the row before, so the rows can be checked apart:
    // read here, on the connection's thread, and checked on every core.
    crate::in_order::check(
        || {
            let Some(r) = rows.next()? else { return Ok(None) };
            let row = StoredRow {
                expected_id,
                id: r.get(0)?,
                at: r.get(1)?,
                kind: r.get(2)?,
                network: r.get(3)?,
                asset: r.get(4)?,
                amount: r.get(5)?,
                texts: [r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?],
                doc_hash: r.get(12)?,
                mac: r.get(13)?,
                prev: std::mem::take(&mut prev),
            };
            prev.clone_from(&row.mac);
            expected_id += 1;
            Ok(Some(row))
        },
        |row| check_row(key, row),
    )?;
    let last = expected_id - 1;
    check_head_at(conn, key, last, &prev)?;
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Limits, SiteRule};
    use crate::rules_store;

    const KEY: [u8; 32] = [3; 32];

    fn credit(reference: &str) -> NewEntry<'_> {
        NewEntry {
            at: 1_795_608_000,
            kind: Kind::Credit,
            network: "centime:test",
            asset: Asset::EUR,
            amount: Micros::from_micros(1_000_000),
            site: None,
            resource: None,
            title: Some("Top-up"),
            counterparty: None,
            payment_id: None,
            reference: Some(reference),
            doc_hash: None,
        }
    }

    fn head_v1(conn: &Connection) -> String {
        let (id, mac) = last_row(conn).unwrap();
        format!("{id}:{}", hex(&head_input_v1(id, &mac).mac(&KEY)))
    }

    fn set_head(conn: &Connection, head: &str) {
        conn.execute("UPDATE meta SET value = ?1 WHERE key = 'journal_head'", params![head]).unwrap();
    }

    /// A wallet as the version before ADR 15 left it: each rule sealed on its own, and a head
    /// over the last row alone.
    fn earlier_wallet(dir: &std::path::Path) -> Connection {
        let mut conn = crate::sqlite::open(&dir.join("w.db"), true).unwrap();
        let tx = crate::sqlite::immediate(&mut conn).unwrap();
        rules_store::save_limits(&tx, &KEY, &Limits::default()).unwrap();
        let mut rule = SiteRule::new(centime_protocol::Origin::of("https://a.example").unwrap());
        rule.auto_pay = true;
        rules_store::save_site(&tx, &KEY, &rule).unwrap();
        append(&tx, &KEY, &credit("c1")).unwrap();
        tx.commit().unwrap();
        let head = head_v1(&conn);
        set_head(&conn, &head);
        conn
    }

    #[test]
    fn an_earlier_head_is_sealed_again_once_and_never_after() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = earlier_wallet(dir.path());
        assert!(check_head(&conn, &KEY).is_err());
        let earlier_head = head_v1(&conn);
        rules_store::upgrade_seal(&mut conn, &KEY).unwrap();
        check_head(&conn, &KEY).unwrap();
        assert_eq!(verify_chain(&conn, &KEY).unwrap(), 1);
        assert_ne!(stored_head(&conn).unwrap().as_deref(), Some(earlier_head.as_str()));

        // The rule changes and the journal moves on; then the rule of then and the head of
        // then are put back. That head no longer matches the journal: nothing is sealed again.
        let older = dir.path().join("older.sqlite3");
        conn.backup(rusqlite::MAIN_DB, &older, rusqlite::backup::NO_PROGRESS).unwrap();
        let tx = crate::sqlite::immediate(&mut conn).unwrap();
        rules_store::save_site(&tx, &KEY, &SiteRule::new(centime_protocol::Origin::of("https://a.example").unwrap()))
            .unwrap();
        append(&tx, &KEY, &credit("c2")).unwrap();
        tx.commit().unwrap();
        conn.execute_batch(&format!(
            "ATTACH '{}' AS old; DELETE FROM sites; INSERT INTO sites SELECT * FROM old.sites;
             UPDATE meta SET value = (SELECT value FROM old.meta WHERE key = 'sites_digest') WHERE key = 'sites_digest';
             DETACH old;",
            older.display()
        ))
        .unwrap();
        set_head(&conn, &earlier_head);
        rules_store::upgrade_seal(&mut conn, &KEY).unwrap();
        assert!(check_head(&conn, &KEY).is_err());
        assert!(verify_chain(&conn, &KEY).is_err());
        let tx = conn.transaction().unwrap();
        assert!(matches!(Appender::new(&tx, &KEY), Err(Error::Integrity(_))), "an append would bless it");
    }

    #[test]
    fn an_earlier_wallet_with_rules_changed_outside_is_left_for_verify() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = earlier_wallet(dir.path());
        conn.execute("DELETE FROM sites", []).unwrap();
        let head = stored_head(&conn).unwrap();
        rules_store::upgrade_seal(&mut conn, &KEY).unwrap();
        assert_eq!(stored_head(&conn).unwrap(), head, "not sealed again");
        let e = verify_chain(&conn, &KEY).unwrap_err();
        assert!(e.to_string().contains("added or deleted"), "{e}");
    }

    #[test]
    fn a_truncated_journal_takes_no_new_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::sqlite::open(&dir.path().join("w.db"), true).unwrap();
        let tx = crate::sqlite::immediate(&mut conn).unwrap();
        rules_store::save_limits(&tx, &KEY, &Limits::default()).unwrap();
        append(&tx, &KEY, &credit("c1")).unwrap();
        append(&tx, &KEY, &credit("c2")).unwrap();
        tx.commit().unwrap();
        conn.execute_batch("DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE id = 2;").unwrap();
        let tx = crate::sqlite::immediate(&mut conn).unwrap();
        let e = append(&tx, &KEY, &credit("c3")).unwrap_err();
        assert!(e.to_string().contains("ends at row 1"), "{e}");
    }
}
