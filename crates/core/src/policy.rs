//! Spending rules: per-site allowances and global limits, and their evaluation.
//!
//! Evaluation runs inside the payment's `BEGIN IMMEDIATE` transaction, so the spent-so-far
//! figures it reads cannot change before the debit is written.

use std::fmt;

use centime_protocol::{Amount, Micros};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use time::{Duration, OffsetDateTime, Time};

use crate::error::{Error, Result};
use crate::journal::{MacInput, verify_mac};

/// Defaults chosen for a new wallet (ADR 0003): ask for every payment, auto-pay nothing
/// until the user allows a site, refuse any single payment over 5.00 and spend at most
/// 20.00 a day.
pub const DEFAULT_AUTO_PAY_UNDER: Micros = Micros::from_micros(500_000);
pub const DEFAULT_DAILY_CAP: Micros = Micros::from_micros(20_000_000);
pub const DEFAULT_MAX_PER_PAYMENT: Micros = Micros::from_micros(5_000_000);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "day" => Ok(Period::Day),
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            other => Err(Error::InvalidArgument(format!("unknown period {other:?}: use day, week or month"))),
        }
    }

    /// Start (UTC, Unix seconds) of the period containing `now`. Weeks start on Monday.
    pub fn start(self, now: i64) -> i64 {
        let Ok(t) = OffsetDateTime::from_unix_timestamp(now) else { return now };
        let day = t.replace_time(Time::MIDNIGHT);
        let start = match self {
            Period::Day => day,
            Period::Week => day - Duration::days(i64::from(t.weekday().number_days_from_monday())),
            Period::Month => day.replace_day(1).unwrap_or(day),
        };
        start.unix_timestamp()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Normalizes a site to its origin (`scheme://host[:port]`); only http and https.
pub fn origin_of(s: &str) -> Result<String> {
    let u = url::Url::parse(s.trim())
        .map_err(|e| Error::InvalidArgument(format!("{:?} is not an absolute URL ({e})", clip(s))))?;
    if !matches!(u.scheme(), "http" | "https") {
        return Err(Error::InvalidArgument(format!("{:?} is not an http(s) site", clip(s))));
    }
    match u.origin() {
        o @ url::Origin::Tuple(..) => Ok(o.ascii_serialization()),
        url::Origin::Opaque(_) => Err(Error::InvalidArgument(format!("{:?} has no origin", clip(s)))),
    }
}

fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

/// A site's allowance. Amounts apply in the unit of whatever asset the site charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteRule {
    pub origin: String,
    pub blocked: bool,
    pub auto_pay: bool,
    pub max_per_payment: Option<Micros>,
    pub budget: Option<Micros>,
    pub period: Option<Period>,
    pub updated_at: i64,
}

impl SiteRule {
    pub fn new(origin: String) -> Self {
        SiteRule {
            origin,
            blocked: false,
            auto_pay: false,
            max_per_payment: None,
            budget: None,
            period: None,
            updated_at: 0,
        }
    }

    fn mac_input(&self) -> MacInput {
        MacInput::default()
            .text(Some("centime-site-v1"))
            .text(Some(&self.origin))
            .int(i64::from(self.blocked))
            .int(i64::from(self.auto_pay))
            .int(self.max_per_payment.map_or(-1, Micros::get))
            .int(self.budget.map_or(-1, Micros::get))
            .text(self.period.map(Period::as_str))
            .int(self.updated_at)
    }
}

/// Global limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    pub paused: bool,
    /// Payments at or under this may be made without asking, on sites allowed to auto-pay.
    pub auto_pay_under: Micros,
    /// Total spent per asset per UTC day, beyond which everything is refused.
    pub daily_cap: Micros,
    /// Hard ceiling for any single payment, approved or not.
    pub max_per_payment: Micros,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            paused: false,
            auto_pay_under: DEFAULT_AUTO_PAY_UNDER,
            daily_cap: DEFAULT_DAILY_CAP,
            max_per_payment: DEFAULT_MAX_PER_PAYMENT,
        }
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

/// What the rules say about one payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", content = "reason", rename_all = "camelCase")]
pub enum Decision {
    AutoPay,
    Ask(String),
    Refuse(String),
}

/// A decision with the figures behind it, for the approval prompt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub decision: Decision,
    pub reason: Reason,
    pub origin: String,
    pub rule: Option<SiteRule>,
    pub spent_today: Micros,
    pub site_spent_in_period: Option<Micros>,
    /// What is left of the site's budget before this payment, if it has one.
    pub allowance_left: Option<Micros>,
}

pub(crate) fn load_site(conn: &Connection, key: &[u8; 32], origin: &str) -> Result<Option<SiteRule>> {
    let row = conn
        .query_row(
            "SELECT origin, blocked, auto_pay, max_per_payment, budget, period, updated_at, mac
             FROM sites WHERE origin = ?1",
            params![origin],
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
            origin: r.get(0)?,
            blocked: r.get::<_, i64>(1)? == 1,
            auto_pay: r.get::<_, i64>(2)? == 1,
            max_per_payment: r.get::<_, Option<i64>>(3)?.map(Micros::from_micros),
            budget: r.get::<_, Option<i64>>(4)?.map(Micros::from_micros),
            period: period.as_deref().map(Period::parse).transpose().unwrap_or(None),
            updated_at: r.get(6)?,
        },
        r.get(7)?,
    ))
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
        rule.origin,
        i64::from(rule.blocked),
        i64::from(rule.auto_pay),
        rule.max_per_payment.map(Micros::get),
        rule.budget.map(Micros::get),
        rule.period.map(Period::as_str),
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
    Ok(MacInput::default()
        .text(Some("centime-rules-v1"))
        .bytes(limits.as_deref())
        .bytes(Some(&sites_mac(conn, key)?))
        .mac(key))
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

/// Net spending (payments minus refunds) in `asset` since `since`, on one site or all.
pub(crate) fn spent_since(conn: &Connection, asset: &str, site: Option<&str>, since: i64) -> Result<Micros> {
    let total: i64 = match site {
        Some(site) => conn
            .prepare_cached(
                "SELECT COALESCE(SUM(amount), 0) FROM journal
             WHERE site = ?1 AND at >= ?2 AND asset = ?3 AND kind IN ('payment', 'refund')",
            )?
            .query_row(params![site, since, asset], |r| r.get(0))?,
        None => conn
            .prepare_cached(
                "SELECT COALESCE(SUM(amount), 0) FROM journal
             WHERE asset = ?1 AND at >= ?2 AND kind IN ('payment', 'refund')",
            )?
            .query_row(params![asset, since], |r| r.get(0))?,
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
    origin: &str,
    price: Amount,
    now: i64,
) -> Result<Evaluation> {
    check_sites(conn, key)?;
    let rule = load_site(conn, key, origin)?;
    let asset = price.asset.as_str();
    let spent_today = spent_since(conn, asset, None, Period::Day.start(now))?;
    let (site_spent, allowance_left) = match rule.as_ref().and_then(|r| r.budget.zip(r.period)) {
        Some((budget, period)) => {
            let spent = spent_since(conn, asset, Some(origin), period.start(now))?;
            (Some(spent), Some(Micros::from_micros(budget.get().saturating_sub(spent.get()).max(0))))
        }
        None => (None, None),
    };
    let p = price.micros;
    let (decision, reason) = decide(&limits, rule.as_ref(), p, price, spent_today, site_spent, allowance_left)?;
    Ok(Evaluation {
        decision,
        reason,
        origin: origin.to_owned(),
        rule,
        spent_today,
        site_spent_in_period: site_spent,
        allowance_left,
    })
}

/// Why the rules decided as they did, in a form a UI can translate: a stable code and its
/// parameters (amounts as decimal strings, in `asset`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// `paused`, `blocked`, `over_max_per_payment`, `over_daily_cap`, `over_site_max`,
    /// `over_site_budget`, `over_auto_pay`, `ask_each_payment`, `no_rule`, `auto_pay`;
    /// `link_pace` for a link over its site's pace ([`crate::links::LinkPace`]).
    pub code: &'static str,
    pub params: Vec<(&'static str, String)>,
}

fn ask(code: &'static str, text: String, params: Vec<(&'static str, String)>) -> (Decision, Reason) {
    (Decision::Ask(text), Reason { code, params })
}

fn refuse(code: &'static str, text: String, params: Vec<(&'static str, String)>) -> (Decision, Reason) {
    (Decision::Refuse(text), Reason { code, params })
}

fn decide(
    limits: &Limits,
    rule: Option<&SiteRule>,
    p: Micros,
    price: Amount,
    spent_today: Micros,
    site_spent: Option<Micros>,
    allowance_left: Option<Micros>,
) -> Result<(Decision, Reason)> {
    let asset = price.asset;
    let a = asset.to_string();
    if limits.paused {
        return Ok(refuse("paused", "payments are paused".into(), vec![]));
    }
    if let Some(r) = rule
        && r.blocked
    {
        return Ok(refuse("blocked", format!("{} is blocked", r.origin), vec![("origin", r.origin.clone())]));
    }
    if p > limits.max_per_payment {
        return Ok(refuse(
            "over_max_per_payment",
            format!("{price} is over the {} {asset} limit for a single payment", limits.max_per_payment),
            vec![("price", p.to_string()), ("max", limits.max_per_payment.to_string()), ("asset", a)],
        ));
    }
    let total = spent_today.checked_add(p)?;
    if total > limits.daily_cap {
        return Ok(refuse(
            "over_daily_cap",
            format!(
                "it would take today's spending to {total} {asset}, over the daily cap of {} {asset}",
                limits.daily_cap
            ),
            vec![("total", total.to_string()), ("cap", limits.daily_cap.to_string()), ("asset", a)],
        ));
    }
    if let Some(r) = rule {
        if let Some(max) = r.max_per_payment.filter(|m| p > *m) {
            return Ok(refuse(
                "over_site_max",
                format!("{price} is over this site's limit of {max} {asset} per payment"),
                vec![("price", p.to_string()), ("max", max.to_string()), ("asset", a)],
            ));
        }
        if let (Some(left), Some(spent), Some(budget), Some(period)) = (allowance_left, site_spent, r.budget, r.period)
            && p > left
        {
            return Ok(refuse(
                "over_site_budget",
                format!(
                    "this site's budget is {budget} {asset} per {period}; {spent} {asset} already spent, {left} {asset} left"
                ),
                vec![
                    ("budget", budget.to_string()),
                    ("period", period.to_string()),
                    ("spent", spent.to_string()),
                    ("left", left.to_string()),
                    ("asset", a),
                ],
            ));
        }
        if r.auto_pay {
            if p <= limits.auto_pay_under {
                return Ok((Decision::AutoPay, Reason { code: "auto_pay", params: vec![] }));
            }
            return Ok(ask(
                "over_auto_pay",
                format!("{price} is over your auto-pay ceiling of {} {asset}", limits.auto_pay_under),
                vec![("price", p.to_string()), ("ceiling", limits.auto_pay_under.to_string()), ("asset", a)],
            ));
        }
        return Ok(ask(
            "ask_each_payment",
            format!("{} may charge you only after you approve each payment", r.origin),
            vec![("origin", r.origin.clone())],
        ));
    }
    Ok(ask("no_rule", "you have no rule for this site yet: each payment is asked".into(), vec![]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use centime_protocol::Asset;

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

    #[test]
    fn period_starts() {
        // 2026-11-25 (Wednesday) 15:30:00 UTC
        let now = 1_795_620_600;
        assert_eq!(Period::Day.start(now), 1_795_564_800);
        assert_eq!(Period::Week.start(now), 1_795_564_800 - 2 * 86_400);
        assert_eq!(Period::Month.start(now), 1_793_491_200);
    }

    #[test]
    fn origins() {
        assert_eq!(origin_of("https://news.example/a/b?c").unwrap(), "https://news.example");
        assert_eq!(origin_of("http://127.0.0.1:8402/x").unwrap(), "http://127.0.0.1:8402");
        assert_eq!(origin_of("https://news.example:443/").unwrap(), "https://news.example");
        assert!(origin_of("ftp://x/").is_err());
        assert!(origin_of("news.example").is_err());
    }

    fn eur(m: i64) -> Amount {
        Amount::new(Micros::from_micros(m), Asset::EUR)
    }

    #[test]
    fn decisions() {
        let l = Limits::default();
        let d = |rule: Option<&SiteRule>, p: i64, spent: i64| {
            decide(&l, rule, Micros::from_micros(p), eur(p), Micros::from_micros(spent), None, None).unwrap().0
        };
        assert!(matches!(d(None, 100_000, 0), Decision::Ask(_)));
        let mut r = SiteRule::new("https://a.example".into());
        r.auto_pay = true;
        assert_eq!(d(Some(&r), 100_000, 0), Decision::AutoPay);
        assert!(matches!(d(Some(&r), 600_000, 0), Decision::Ask(_)));
        assert!(matches!(d(Some(&r), 6_000_000, 0), Decision::Refuse(_)));
        assert!(matches!(d(Some(&r), 100_000, 19_950_000), Decision::Refuse(_)));
        r.blocked = true;
        assert!(matches!(d(Some(&r), 1, 0), Decision::Refuse(_)));
        let paused = Limits { paused: true, ..l };
        assert!(matches!(
            decide(&paused, None, Micros::from_micros(1), eur(1), Micros::ZERO, None, None).unwrap().0,
            Decision::Refuse(_)
        ));
    }
}
