//! Spending history: filtered pages and totals (exports are in [`crate::export`]).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use centime_protocol::{Asset, Micros, Origin};
use rusqlite::types::Value;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::entry::{EntryStatus, Kind};
use crate::error::{Error, Result};
use crate::journal::DAY;
use crate::payments::Status;
use crate::wallet::Wallet;

// Where they were before exports had a module of their own.
pub use crate::export::{CSV_COLUMNS, EXPORT_PROGRESS_EVERY, ExportFormat, csv_row};

/// The most entries one [`Wallet::history`] page holds; a larger limit is clamped to it.
pub const MAX_PAGE: usize = 1000;

/// Which entries a history page, total, summary or export covers; every condition given must
/// hold. The default selects everything.
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    /// Inclusive lower bound, Unix seconds.
    pub since: Option<i64>,
    /// Exclusive upper bound, Unix seconds.
    pub until: Option<i64>,
    /// A site (any URL of it, normalized to its origin).
    pub site: Option<String>,
    /// Only entries of this kind.
    pub kind: Option<Kind>,
    /// Only entries in this status.
    pub status: Option<EntryStatus>,
    /// Text the site, the page's title or its URL contains (ASCII case-insensitive, as SQLite's
    /// LIKE).
    pub search: Option<String>,
}

/// One journal entry as the history shows it. Money is in the entry's own asset, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// The journal's sequence number: its order of writing.
    pub id: i64,
    /// The entry's time, RFC 3339 UTC.
    pub at: String,
    /// The same time, Unix seconds, for sorting and filtering.
    #[serde(skip)]
    pub at_unix: i64,
    /// A credit, a payment, a refund or an adjustment.
    pub kind: Kind,
    /// A payment's status; `posted` for every other kind.
    pub status: EntryStatus,
    /// Signed: payments negative, credits and refunds positive.
    pub amount: Micros,
    /// The asset the amount is in.
    pub asset: Asset,
    /// The issuer's network the money belongs to.
    pub network: String,
    /// The merchant's origin, for payments and their refunds.
    pub site: Option<String>,
    /// The page or API URL paid for.
    pub resource: Option<String>,
    /// The page's title as the merchant gave it, made inert.
    pub description: Option<String>,
    /// The payment's idempotency key.
    pub payment_id: Option<String>,
    /// A settled payment the merchant's word alone confirms: its `PAYMENT-RESPONSE` said
    /// `success` without a signed receipt, so nothing proves what it took.
    pub settled_without_receipt: bool,
    /// A payment's merchant as its trusted issuer certified it when it was paid; `None`: not
    /// verified (the details then show the page's claimed name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certified_merchant: Option<String>,
}

/// One page of history, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    /// The page's entries, at most the limit asked.
    pub entries: Vec<Entry>,
    /// Cursor for the next (older) page, if any.
    pub next: Option<String>,
}

/// What [`Wallet::totals`] sums by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    /// The merchant's origin.
    Site,
    /// UTC days, `2026-11-24`.
    Day,
    /// UTC months, `2026-11`.
    Month,
    /// One total per month and site: `key` is the month, `site` the site.
    MonthSite,
}

/// Net spending in one asset for one site, day or month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Total {
    /// The site, day or month (for `MonthSite`, the month). Empty for entries without a site.
    pub key: String,
    /// For `MonthSite`: the site of this month's total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// The asset the total is in.
    pub asset: Asset,
    /// Net spent: payments minus refunds.
    pub spent: Micros,
    /// How many payments it counts.
    pub payments: i64,
}

/// A Unix time as RFC 3339 UTC (the number itself, should it be out of range).
pub fn rfc3339(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t).ok().and_then(|d| d.format(&Rfc3339).ok()).unwrap_or_else(|| t.to_string())
}

/// Parses an RFC 3339 time or a plain date (`2026-11-24`, midnight UTC).
pub fn parse_time(s: &str) -> Result<i64> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .map_err(|_| Error::InvalidArgument(format!("{:?} is not a date (2026-11-24) or an RFC 3339 time", clip(s))))
}

/// What the user typed, quoted in a message: at most 40 characters.
fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

pub(crate) static SELECT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT j.id, j.at, j.kind, COALESCE(p.status, '{posted}'), j.amount, j.asset, j.network, j.site,
        j.resource, j.title, j.payment_id, p.status = '{settled}' AND p.receipt IS NULL, p.certified_name
 FROM journal j LEFT JOIN payments p ON p.journal_id = j.id",
        posted = EntryStatus::Posted,
        settled = crate::payments::Status::Settled,
    )
});

fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('%');
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl HistoryFilter {
    /// The statement of one history page of at most `limit` entries (one more is read to know
    /// whether there is a next page), and its arguments.
    pub(crate) fn page_query(&self, limit: usize, cursor: Option<&str>) -> Result<(String, Vec<Value>)> {
        let (mut clause, mut args) = self.where_clause()?;
        if let Some(c) = cursor {
            let (at, id) = parse_cursor(c)?;
            args.push(Value::Integer(at));
            args.push(Value::Integer(id));
            clause.push_str(if clause.is_empty() { " WHERE " } else { " AND " });
            clause.push_str(&format!("(j.at, j.id) < (?{}, ?{})", args.len() - 1, args.len()));
        }
        args.push(Value::Integer(i64::try_from(limit + 1).unwrap_or(i64::MAX)));
        Ok((format!("{}{clause} ORDER BY j.at DESC, j.id DESC LIMIT ?{}", *SELECT, args.len()), args))
    }

    pub(crate) fn where_clause(&self) -> Result<(String, Vec<Value>)> {
        let mut conds: Vec<String> = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(s) = self.since {
            args.push(Value::Integer(s));
            conds.push(format!("j.at >= ?{}", args.len()));
        }
        if let Some(u) = self.until {
            args.push(Value::Integer(u));
            conds.push(format!("j.at < ?{}", args.len()));
        }
        if let Some(site) = &self.site {
            args.push(Value::Text(Origin::of(site)?.to_string()));
            conds.push(format!("j.site = ?{}", args.len()));
        }
        if let Some(k) = self.kind {
            args.push(Value::Text(k.to_string()));
            conds.push(format!("j.kind = ?{}", args.len()));
            if k != Kind::Payment {
                // The very condition of the partial index `journal_kind_at`, so that SQLite uses it.
                conds.push(format!("j.kind <> '{}'", Kind::Payment));
            }
        }
        if let Some(st) = self.status {
            match st {
                EntryStatus::Posted => conds.push("p.status IS NULL".into()),
                EntryStatus::Settled => conds.push(format!("p.status = '{}'", Status::Settled)),
                EntryStatus::Pending | EntryStatus::Rejected | EntryStatus::Unconfirmed => {
                    args.push(Value::Text(st.to_string()));
                    conds.push(format!("p.status = ?{}", args.len()));
                    // The condition of the partial index `payments_status`.
                    conds.push(format!("p.status <> '{}'", Status::Settled));
                }
            }
        }
        if let Some(q) = self.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            // A substring search (LIKE), not a full-text index: it reads the rows the other
            // conditions leave, newest first, and stops at a full page; its worst case (a rare
            // word) reads the whole journal (ADR 0012, BENCHMARKS.md).
            args.push(Value::Text(like_escape(q)));
            let n = args.len();
            conds.push(format!(
                "(j.site LIKE ?{n} ESCAPE '\\' OR j.title LIKE ?{n} ESCAPE '\\' OR j.resource LIKE ?{n} ESCAPE '\\')"
            ));
        }
        let clause = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
        Ok((clause, args))
    }

    /// The join to `payments`, only when a status condition needs it: SQLite keeps an unused
    /// LEFT JOIN, and a count over a busy site would look up every payment row (10,000 of them).
    fn payments_join(&self) -> &'static str {
        if self.status.is_some() { " LEFT JOIN payments p ON p.journal_id = j.id" } else { "" }
    }

    /// Which kept sums can answer totals for this filter: whole UTC months (bounds as month
    /// numbers), or days (the hours of a partial first or last day are then read from the
    /// journal); none when a condition is one the sums do not keep (status, text).
    fn sums_source(&self) -> Option<Sums> {
        let plain = self.status.is_none() && self.search.as_deref().is_none_or(|q| q.trim().is_empty());
        if !plain {
            return None;
        }
        let month = |t: Option<i64>| -> Option<Option<i64>> {
            match t {
                None => Some(None),
                Some(t) => {
                    let m = crate::journal::month_of(t);
                    (crate::journal::month_start(m) == Some(t)).then_some(Some(m))
                }
            }
        };
        match (month(self.since), month(self.until)) {
            (Some(s), Some(u)) => Some(Sums::Months(s, u)),
            _ => Some(Sums::Days),
        }
    }
}

fn ceil_day(t: i64) -> i64 {
    t.div_euclid(DAY) + i64::from(t.rem_euclid(DAY) != 0)
}

/// Where totals come from when not from the journal.
enum Sums {
    /// `spending_months`, between these month numbers.
    Months(Option<i64>, Option<i64>),
    /// `spending_days`, with the journal for partial days at the ends.
    Days,
}

pub(crate) fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let at: i64 = r.get(1)?;
    let asset: String = r.get(5)?;
    Ok(Entry {
        id: r.get(0)?,
        at: rfc3339(at),
        at_unix: at,
        kind: crate::entry::word(r, 2)?,
        status: crate::entry::word(r, 3)?,
        amount: Micros::from_micros(r.get(4)?),
        asset: asset.parse().unwrap_or(Asset::EUR),
        network: r.get(6)?,
        site: r.get(7)?,
        resource: r.get(8)?,
        description: r.get(9)?,
        payment_id: r.get(10)?,
        settled_without_receipt: r.get::<_, Option<bool>>(11)?.unwrap_or(false),
        certified_merchant: r.get(12)?,
    })
}

/// A history cursor: the time and id of the last entry of a page (`<at>.<id>`).
fn parse_cursor(c: &str) -> Result<(i64, i64)> {
    let bad = || Error::InvalidArgument(format!("{c:?} is not a history cursor"));
    let (at, id) = c.split_once('.').ok_or_else(bad)?;
    Ok((at.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
}

/// How many entries `filter` selects, on any connection to the wallet's database.
pub(crate) fn count_in(conn: &rusqlite::Connection, filter: &HistoryFilter) -> Result<u64> {
    let (clause, args) = filter.where_clause()?;
    let sql = format!("SELECT COUNT(*) FROM journal j{}{clause}", filter.payments_join());
    let n: i64 = conn.prepare_cached(&sql)?.query_row(rusqlite::params_from_iter(args), |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Unit (day or month number), site, asset, paid, refunded, number of payments.
type TotalRow = (Option<i64>, Option<String>, String, i64, i64, i64);

impl Wallet {
    /// One page of history, newest first (by time, then by journal order). `cursor` is a
    /// previous page's `next`.
    pub fn history(&self, filter: &HistoryFilter, limit: usize, cursor: Option<&str>) -> Result<Page> {
        let limit = limit.clamp(1, MAX_PAGE);
        let (sql, args) = filter.page_query(limit, cursor)?;
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut entries: Vec<Entry> =
            stmt.query_map(rusqlite::params_from_iter(args), entry_from_row)?.collect::<rusqlite::Result<_>>()?;
        let next = if entries.len() > limit {
            entries.truncate(limit);
            entries.last().map(|e| format!("{}.{}", e.at_unix, e.id))
        } else {
            None
        };
        Ok(Page { entries, next })
    }

    /// How many entries `filter` selects: what `history` pages through and `export` writes.
    pub fn count(&self, filter: &HistoryFilter) -> Result<u64> {
        count_in(&self.conn, filter)
    }

    /// Net spending (payments minus refunds) per site, day, month, or month and site, for the
    /// filtered entries, ordered by key, site and asset; days and months are UTC. Without a
    /// status or text condition they are answered from the sums kept beside the journal
    /// (`spending_months` for whole months, else `spending_days` plus the journal rows of a
    /// partial first or last day); with one, from the journal rows the filter selects (ADR 0012).
    pub fn totals(&self, filter: &HistoryFilter, by: GroupBy) -> Result<Vec<Total>> {
        let kinds_summed = matches!(filter.kind, None | Some(Kind::Payment) | Some(Kind::Refund));
        if !kinds_summed {
            return Ok(Vec::new());
        }
        let with_site = matches!(by, GroupBy::Site | GroupBy::MonthSite);
        let site_col = if with_site { "site" } else { "NULL" };
        // Rows of (unit, site, asset, paid, refunded, payments); a unit is a day or a month.
        let within_a_day = match (filter.since, filter.until) {
            (Some(s), Some(u)) => ceil_day(s) > u.div_euclid(DAY),
            _ => false,
        };
        let source = if within_a_day { None } else { filter.sums_source() };
        let (months, rows) = match source {
            Some(Sums::Months(since, until)) if by != GroupBy::Day => {
                let unit = if by == GroupBy::Site { "NULL" } else { "month" };
                (true, self.sum_rows("spending_months", "month", unit, site_col, since, until, filter)?)
            }
            Some(Sums::Months(..) | Sums::Days) => {
                // Whole days from the day sums; the hours before the first and after the last
                // whole day (a local midnight, say) from the journal.
                let (first, end) = (filter.since.map(ceil_day), filter.until.map(|u| u.div_euclid(DAY)));
                let unit = if by == GroupBy::Site { "NULL" } else { "day" };
                let mut rows = self.sum_rows("spending_days", "day", unit, site_col, first, end, filter)?;
                if let (Some(s), Some(first)) = (filter.since, first)
                    && s.rem_euclid(DAY) != 0
                {
                    let edge = HistoryFilter { until: Some(first.saturating_mul(DAY)), ..filter.clone() };
                    rows.extend(self.journal_sum_rows(&edge, by)?);
                }
                if let (Some(u), Some(end)) = (filter.until, end)
                    && u.rem_euclid(DAY) != 0
                {
                    let edge = HistoryFilter { since: Some(end.saturating_mul(DAY)), ..filter.clone() };
                    rows.extend(self.journal_sum_rows(&edge, by)?);
                }
                (false, rows)
            }
            None => (false, self.journal_sum_rows(filter, by)?),
        };
        // Fold days into the keys asked for (no date formatting per row in SQL).
        let mut folded: BTreeMap<(String, Option<String>, String), (Micros, i64)> = BTreeMap::new();
        for (unit, site, asset, paid, refunded, n) in rows {
            // A kind filter keeps only the groups that had rows of that kind, as the journal would.
            let absent = match filter.kind {
                Some(Kind::Payment) => n == 0,
                Some(_) => refunded == 0,
                None => false,
            };
            if absent {
                continue;
            }
            let key = match (by, unit) {
                (GroupBy::Site, _) => site.clone().unwrap_or_default(),
                (_, None) => String::new(),
                (GroupBy::Day, Some(d)) => rfc3339(d.saturating_mul(DAY)).get(..10).unwrap_or_default().to_owned(),
                (GroupBy::Month | GroupBy::MonthSite, Some(u)) => {
                    let m = if months { u } else { crate::journal::month_of(u.saturating_mul(DAY)) };
                    format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
                }
            };
            let site = if by == GroupBy::MonthSite { site } else { None };
            let (spent, count) = match filter.kind {
                Some(Kind::Payment) => (Micros::from_micros(paid), n),
                Some(_) => (Micros::from_micros(refunded).checked_neg()?, 0),
                None => (Micros::from_micros(paid).checked_sub(Micros::from_micros(refunded))?, n),
            };
            let slot = folded.entry((key, site, asset)).or_insert((Micros::ZERO, 0));
            slot.0 = slot.0.checked_add(spent)?;
            slot.1 = slot.1.saturating_add(count);
        }
        let mut out = Vec::with_capacity(folded.len());
        for ((key, site, asset), (spent, payments)) in folded {
            out.push(Total {
                key,
                site,
                asset: asset.parse().map_err(|_| Error::Integrity(format!("stored asset {asset:?} is invalid")))?,
                spent,
                payments,
            });
        }
        Ok(out)
    }

    /// The journal rows `filter` selects, summed per UTC day (or only per site) and asset.
    fn journal_sum_rows(&self, filter: &HistoryFilter, by: GroupBy) -> Result<Vec<TotalRow>> {
        let (clause, args) = filter.where_clause()?;
        let unit = if by == GroupBy::Site { "NULL" } else { "j.at / 86400" };
        let site = if matches!(by, GroupBy::Site | GroupBy::MonthSite) { "COALESCE(j.site, '')" } else { "NULL" };
        let kinds = if clause.is_empty() { " WHERE" } else { " AND" };
        let sql = format!(
            "SELECT {unit} AS u, {site} AS s, j.asset,
                    SUM(CASE WHEN j.kind IN ('{payment}', '{sent}') THEN -j.amount ELSE 0 END),
                    SUM(CASE WHEN j.kind = '{refund}' THEN j.amount ELSE 0 END), SUM(j.kind IN ('{payment}', '{sent}'))
             FROM journal j{}{clause}{kinds}
             j.kind IN ('{payment}', '{refund}', '{sent}') GROUP BY u, s, j.asset",
            filter.payments_join(),
            payment = Kind::Payment,
            refund = Kind::Refund,
            sent = Kind::TransferOut,
        );
        self.total_rows(&sql, args)
    }

    /// Sums from `table` (`spending_days` or `spending_months`) grouped by `unit` and `site`.
    #[allow(clippy::too_many_arguments)]
    fn sum_rows(
        &self,
        table: &str,
        column: &str,
        unit: &str,
        site: &str,
        since: Option<i64>,
        until: Option<i64>,
        filter: &HistoryFilter,
    ) -> Result<Vec<TotalRow>> {
        let mut conds = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(s) = since {
            args.push(Value::Integer(s));
            conds.push(format!("{column} >= ?{}", args.len()));
        }
        if let Some(u) = until {
            args.push(Value::Integer(u));
            conds.push(format!("{column} < ?{}", args.len()));
        }
        if let Some(s) = &filter.site {
            args.push(Value::Text(Origin::of(s)?.to_string()));
            conds.push(format!("site = ?{}", args.len()));
        }
        let clause = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
        let sql = format!(
            "SELECT {unit} AS u, {site} AS s, asset, SUM(paid), SUM(refunded), SUM(payments) FROM {table}{clause}
             GROUP BY u, s, asset"
        );
        self.total_rows(&sql, args)
    }

    fn total_rows(&self, sql: &str, args: Vec<Value>) -> Result<Vec<TotalRow>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
