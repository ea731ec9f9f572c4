//! The spending rules as stored: site rules and limits in SQLite, each under its seal (a MAC
//! with the wallet's key), the set of rules and the trusted issuers sealed too and bound to
//! the journal's head (ADR 14, 15); and [`evaluate`], which reads what was spent and asks
//! [`decide`].
//!
//! Evaluation runs inside the payment's `BEGIN IMMEDIATE` transaction, so the spent-so-far
//! figures it reads cannot change before the debit is written.

use std::sync::LazyLock;

use centime_protocol::{Amount, Micros, Origin};
use rusqlite::{Connection, OptionalExtension, params};

use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::mac::{MacInput, verify_mac};
use crate::policy::{Evaluation, Limits, Period, SiteRule, decide};

impl SiteRule {
    fn mac_input(&self) -> MacInput {
        MacInput::default()
            .text(Some("centime-site-v1"))
            .text(Some(self.origin.as_str()))
            .int(i64::from(self.blocked))
            .int(i64::from(self.auto_pay))
            .int(self.max_per_payment.map_or(-1, Micros::get))
            .int(self.budget.map_or(-1, Micros::get))
            .text(self.period.map(<&'static str>::from))
            .int(self.updated_at)
    }
}

impl Limits {
    /// The limits' fields under a version tag.
    fn mac_fields(&self, tag: &str) -> MacInput {
        MacInput::default()
            .text(Some(tag))
            .int(i64::from(self.paused))
            .int(self.auto_pay_under.get())
            .int(self.daily_cap.get())
            .int(self.max_per_payment.get())
    }

    /// The seal of wallets written before the trusted issuers were sealed: the limits alone.
    /// Accepted once, on the first open by this version, which seals again (ADR 14).
    fn mac_input_v1(&self) -> MacInput {
        self.mac_fields("centime-limits-v1")
    }

    /// The limits and the digest of the trusted issuers under one MAC: a key swapped, added
    /// or removed in `issuers` outside Centime breaks it. The limits row always exists, so
    /// the seal cannot be dropped the way an optional meta value could.
    fn mac_input(&self, issuers: &[u8; 32]) -> MacInput {
        self.mac_fields("centime-limits-v2").bytes(Some(issuers))
    }
}

pub(crate) fn load_site(conn: &Connection, key: &[u8; 32], origin: &Origin) -> Result<Option<SiteRule>> {
    let row = conn
        .query_row(
            "SELECT origin, blocked, auto_pay, max_per_payment, budget, period, updated_at, mac
             FROM sites WHERE origin = ?1",
            params![origin.as_str()],
            site_from_row,
        )
        .optional()?;
    match row {
        None => Ok(None),
        Some((rule, mac)) => {
            check_site_mac(key, &rule, &mac)?;
            Ok(Some(rule))
        }
    }
}

pub(crate) fn site_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(SiteRule, Vec<u8>)> {
    let period: Option<String> = r.get(5)?;
    Ok((
        SiteRule {
            origin: stored_origin(r, 0)?,
            blocked: r.get::<_, i64>(1)? == 1,
            auto_pay: r.get::<_, i64>(2)? == 1,
            max_per_payment: r.get::<_, Option<i64>>(3)?.map(Micros::from_micros),
            budget: r.get::<_, Option<i64>>(4)?.map(Micros::from_micros),
            period: period.as_deref().and_then(|p| p.parse().ok()),
            updated_at: r.get(6)?,
        },
        r.get(7)?,
    ))
}

/// An origin read back from the wallet's tables: written canonical, so one that does not
/// parse was changed outside Centime.
pub(crate) fn stored_origin(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Origin> {
    let text: String = r.get(i)?;
    text.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

pub(crate) fn check_site_mac(key: &[u8; 32], rule: &SiteRule, mac: &[u8]) -> Result<()> {
    if verify_mac(key, &rule.mac_input(), mac) {
        Ok(())
    } else {
        Err(Error::Integrity(format!("the rule for {} was changed outside Centime", rule.origin)))
    }
}

pub(crate) fn save_site(conn: &Connection, key: &[u8; 32], rule: &SiteRule) -> Result<()> {
    let mac = rule.mac_input().mac(key);
    conn.prepare_cached(
        "INSERT INTO sites (origin, blocked, auto_pay, max_per_payment, budget, period, updated_at, mac)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (origin) DO UPDATE SET blocked = excluded.blocked, auto_pay = excluded.auto_pay,
           max_per_payment = excluded.max_per_payment, budget = excluded.budget, period = excluded.period,
           updated_at = excluded.updated_at, mac = excluded.mac",
    )?
    .execute(params![
        rule.origin.as_str(),
        i64::from(rule.blocked),
        i64::from(rule.auto_pay),
        rule.max_per_payment.map(Micros::get),
        rule.budget.map(Micros::get),
        rule.period.map(<&'static str>::from),
        rule.updated_at,
        mac.as_slice()
    ])?;
    seal_sites(conn, key)
}

/// The MAC over the whole set of site rules (origins and their MACs), kept in
/// `meta.sites_digest`: a rule deleted outside Centime (say, a block) is detected.
fn sites_mac(conn: &Connection, key: &[u8; 32]) -> Result<[u8; 32]> {
    let mut stmt = conn.prepare_cached("SELECT origin, mac FROM sites ORDER BY origin")?;
    let mut rows = stmt.query([])?;
    let mut input = MacInput::default().text(Some("centime-sites-v1"));
    while let Some(r) = rows.next()? {
        let origin: String = r.get(0)?;
        let mac: Vec<u8> = r.get(1)?;
        input = input.text(Some(&origin)).bytes(Some(&mac));
    }
    Ok(input.mac(key))
}

/// Records the digest of the current set of rules (after any change to it), and seals the
/// rules to the journal's head.
pub(crate) fn seal_sites(conn: &Connection, key: &[u8; 32]) -> Result<()> {
    let digest = crate::journal::hex(&sites_mac(conn, key)?);
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES ('sites_digest', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![digest])?;
    crate::journal::seal_head(conn, key)
}

/// Checks that no rule was added or removed outside Centime.
pub(crate) fn check_sites(conn: &Connection, key: &[u8; 32]) -> Result<()> {
    let stored: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'sites_digest'", [], |r| r.get(0)).optional()?;
    let empty = MacInput::default().text(Some("centime-sites-v1")).mac(key);
    let stored = stored.unwrap_or_else(|| crate::journal::hex(&empty));
    if stored != crate::journal::hex(&sites_mac(conn, key)?) {
        return Err(Error::Integrity("site rules were added or deleted outside Centime".into()));
    }
    Ok(())
}

/// The MAC over every trusted issuer row (network, key, name, when it was added), in order.
fn issuers_digest(conn: &Connection, key: &[u8; 32]) -> Result<[u8; 32]> {
    let mut stmt = conn.prepare_cached("SELECT network, public_key, name, added_at FROM issuers ORDER BY network")?;
    let mut rows = stmt.query([])?;
    let mut input = MacInput::default().text(Some("centime-issuers-v1"));
    while let Some(r) = rows.next()? {
        let network: String = r.get(0)?;
        let public_key: String = r.get(1)?;
        let name: Option<String> = r.get(2)?;
        input = input.text(Some(&network)).text(Some(&public_key)).text(name.as_deref()).int(r.get(3)?);
    }
    Ok(input.mac(key))
}

/// The limits row and its MAC, unchecked.
fn limits_row(conn: &Connection) -> Result<Option<(Limits, Vec<u8>)>> {
    Ok(conn
        .query_row("SELECT paused, auto_pay_under, daily_cap, max_per_payment, mac FROM limits WHERE id = 1", [], |r| {
            Ok((
                Limits {
                    paused: r.get::<_, i64>(0)? == 1,
                    auto_pay_under: Micros::from_micros(r.get(1)?),
                    daily_cap: Micros::from_micros(r.get(2)?),
                    max_per_payment: Micros::from_micros(r.get(3)?),
                },
                r.get::<_, Vec<u8>>(4)?,
            ))
        })
        .optional()?)
}

/// The limits, once their own seal (which covers the trusted issuers too) is checked.
fn sealed_limits(conn: &Connection, key: &[u8; 32]) -> Result<Limits> {
    match limits_row(conn)? {
        None => Err(Error::Integrity("the spending limits are missing".into())),
        Some((l, mac)) if verify_mac(key, &l.mac_input(&issuers_digest(conn, key)?), &mac) => Ok(l),
        Some(_) => {
            Err(Error::Integrity("the spending limits or the trusted issuers were changed outside Centime".into()))
        }
    }
}

/// The spending limits, once their seal (which covers the trusted issuers too) and the
/// journal's head (which covers every rule's seal, ADR 15) are checked: limits, rules or
/// issuers edited outside Centime, or put back from an older copy of this wallet, are refused.
pub(crate) fn load_limits(conn: &Connection, key: &[u8; 32]) -> Result<Limits> {
    let l = sealed_limits(conn, key)?;
    crate::journal::check_head(conn, key)?;
    Ok(l)
}

/// The seals each rule carries on its own: the set of site rules and the limits with the
/// issuers (each site row's MAC is checked where it is read). Not the head.
pub(crate) fn check_rule_seals(conn: &Connection, key: &[u8; 32]) -> Result<()> {
    check_sites(conn, key)?;
    sealed_limits(conn, key).map(|_| ())
}

/// What the journal's head seals of the rules: the limits row's MAC (over the limits and the
/// trusted issuers) and the MAC over the set of site rules. Each is genuine only if its own
/// seal holds (checked apart); this binds the ones in place to the journal's position, so an
/// older, genuinely sealed version of either no longer matches the head (ADR 15).
pub(crate) fn rules_digest(conn: &Connection, key: &[u8; 32]) -> Result<[u8; 32]> {
    let limits = limits_row(conn)?.map(|(_, mac)| mac);
    let input =
        MacInput::default().text(Some("centime-rules-v1")).bytes(limits.as_deref()).bytes(Some(&sites_mac(conn, key)?));
    // The contacts, once there are any: a wallet without them keeps the digest (and the head)
    // earlier versions wrote.
    Ok(match crate::contacts::digest_for_head(conn, key)? {
        None => input.mac(key),
        Some(contacts) => input.text(Some("centime-contacts")).bytes(Some(&contacts)).mac(key),
    })
}

/// Checks that the trusted issuers are the ones Centime wrote (their seal is the limits').
pub(crate) fn check_issuers(conn: &Connection, key: &[u8; 32]) -> Result<()> {
    load_limits(conn, key).map(|_| ())
}

/// Seals, once, a wallet written by an earlier version, in its own transaction: a limits MAC
/// of version 1 (before the issuers were sealed, ADR 14) is sealed again with the issuers,
/// then the rules are bound to the journal's head (ADR 15). Only a wallet whose head is one an
/// earlier version wrote for the journal as it is now is upgraded, and only over rules whose
/// own seals hold: a seal of neither version is left for `verify` and every payment to report
/// (opening still works, so the user can read the history and restore a backup). A wallet
/// this version has written never passes for an earlier one again: its head is of the new kind,
/// and an earlier head put back no longer matches a journal that has moved on.
pub(crate) fn upgrade_seal(conn: &mut Connection, key: &[u8; 32]) -> Result<()> {
    if crate::journal::head_holds(conn, key)? {
        return Ok(());
    }
    let tx = crate::sqlite::immediate(conn)?;
    if crate::journal::head_holds(&tx, key)? || !crate::journal::head_is_earlier(&tx, key)? {
        return Ok(());
    }
    if let Some((l, mac)) = limits_row(&tx)?
        && !verify_mac(key, &l.mac_input(&issuers_digest(&tx, key)?), &mac)
        && verify_mac(key, &l.mac_input_v1(), &mac)
    {
        write_limits(&tx, key, &l)?;
    }
    if check_rule_seals(&tx, key).is_ok() {
        crate::journal::seal_head(&tx, key)?;
    }
    tx.commit()?;
    Ok(())
}

/// Writes the limits sealed with the current set of trusted issuers, and seals the rules to the
/// journal's head: called after any change to either, in the same transaction, once the seals
/// were checked ([`load_limits`]).
pub(crate) fn save_limits(conn: &Connection, key: &[u8; 32], l: &Limits) -> Result<()> {
    write_limits(conn, key, l)?;
    crate::journal::seal_head(conn, key)
}

fn write_limits(conn: &Connection, key: &[u8; 32], l: &Limits) -> Result<()> {
    let mac = l.mac_input(&issuers_digest(conn, key)?).mac(key);
    conn.prepare_cached(
        "INSERT INTO limits (id, paused, auto_pay_under, daily_cap, max_per_payment, mac)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET paused = excluded.paused, auto_pay_under = excluded.auto_pay_under,
           daily_cap = excluded.daily_cap, max_per_payment = excluded.max_per_payment, mac = excluded.mac",
    )?
    .execute(params![
        i64::from(l.paused),
        l.auto_pay_under.get(),
        l.daily_cap.get(),
        l.max_per_payment.get(),
        mac.as_slice()
    ])?;
    Ok(())
}

// Built from the enum once, like every statement that names a kind, and cached as prepared
// statements by that text.
static SPENT_ON_SITE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT COALESCE(SUM(amount), 0) FROM journal
             WHERE site = ?1 AND at >= ?2 AND asset = ?3 AND kind IN ('{}', '{}')",
        Kind::Payment,
        Kind::Refund
    )
});
static SPENT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT COALESCE(SUM(amount), 0) FROM journal
             WHERE asset = ?1 AND at >= ?2 AND kind IN ('{}', '{}', '{}')",
        Kind::Payment,
        Kind::Refund,
        Kind::TransferOut
    )
});

/// Net spending (payments minus refunds) in `asset` since `since`, on one site or all (all
/// counts what was sent to other wallets too: the daily cap holds every way money leaves).
pub(crate) fn spent_since(conn: &Connection, asset: &str, site: Option<&str>, since: i64) -> Result<Micros> {
    let total: i64 = match site {
        Some(site) => conn.prepare_cached(&SPENT_ON_SITE)?.query_row(params![site, since, asset], |r| r.get(0))?,
        None => conn.prepare_cached(&SPENT)?.query_row(params![asset, since], |r| r.get(0))?,
    };
    // Payments are negative in the journal; a refund of an older payment can make the period
    // net positive, which counts as nothing spent.
    Ok(Micros::from_micros(total.checked_neg().unwrap_or(0).max(0)))
}

/// Evaluates the rules for paying `price` to `origin` at `now`, under `limits` (loaded with
/// [`load_limits`], which checked their seal and the trusted issuers').
pub(crate) fn evaluate(
    conn: &Connection,
    key: &[u8; 32],
    limits: Limits,
    origin: &Origin,
    price: Amount,
    now: i64,
) -> Result<Evaluation> {
    check_sites(conn, key)?;
    let rule = load_site(conn, key, origin)?;
    let asset = price.asset.as_str();
    let spent_today = spent_since(conn, asset, None, Period::Day.start(now))?;
    let (site_spent, allowance_left) = match rule.as_ref().and_then(|r| r.budget.zip(r.period)) {
        Some((budget, period)) => {
            let spent = spent_since(conn, asset, Some(origin.as_str()), period.start(now))?;
            (Some(spent), Some(Micros::from_micros(budget.get().saturating_sub(spent.get()).max(0))))
        }
        None => (None, None),
    };
    let decision = decide(&limits, rule.as_ref(), price, spent_today, site_spent, allowance_left)?;
    Ok(Evaluation {
        decision,
        origin: origin.clone(),
        rule,
        spent_today,
        site_spent_in_period: site_spent,
        allowance_left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A wallet of the previous version: issuers unsealed, the limits under a version 1 MAC.
    fn wallet_before_issuer_seal(key: &[u8; 32]) -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::sqlite::open(&dir.path().join("w.db"), true).unwrap();
        conn.execute("INSERT INTO issuers (network, public_key, name, added_at) VALUES ('demo', 'k', 'Demo', 1)", [])
            .unwrap();
        let l = Limits::default();
        conn.execute(
            "INSERT INTO limits (id, paused, auto_pay_under, daily_cap, max_per_payment, mac) VALUES (1, 0, ?1, ?2, ?3, ?4)",
            params![l.auto_pay_under.get(), l.daily_cap.get(), l.max_per_payment.get(), l.mac_input_v1().mac(key).as_slice()],
        )
        .unwrap();
        (dir, conn)
    }

    #[test]
    fn a_wallet_sealed_before_the_issuers_were_is_sealed_again_once() {
        let key = [9u8; 32];
        let (_dir, mut conn) = wallet_before_issuer_seal(&key);
        assert!(matches!(load_limits(&conn, &key), Err(Error::Integrity(_))));
        upgrade_seal(&mut conn, &key).unwrap();
        assert_eq!(load_limits(&conn, &key).unwrap(), Limits::default());
        // From then on the issuers are under the seal, and upgrading again changes nothing.
        upgrade_seal(&mut conn, &key).unwrap();
        conn.execute("UPDATE issuers SET public_key = 'forged'", []).unwrap();
        upgrade_seal(&mut conn, &key).unwrap();
        assert!(matches!(load_limits(&conn, &key), Err(Error::Integrity(r)) if r.contains("trusted issuers")));
    }

    #[test]
    fn a_seal_of_neither_version_is_left_for_verify() {
        let key = [9u8; 32];
        let (_dir, mut conn) = wallet_before_issuer_seal(&[1u8; 32]);
        upgrade_seal(&mut conn, &key).unwrap();
        let mac: Vec<u8> = conn.query_row("SELECT mac FROM limits", [], |r| r.get(0)).unwrap();
        assert_eq!(mac, Limits::default().mac_input_v1().mac(&[1u8; 32]).to_vec(), "not rewritten");
        assert!(matches!(load_limits(&conn, &key), Err(Error::Integrity(_))));
    }
}
