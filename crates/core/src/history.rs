//! Spending history: filtered pages, totals, and streamed export.

use std::io::Write;

use centime_protocol::{Asset, Micros};
use rusqlite::types::Value;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, Result};
use crate::journal::Kind;
use crate::wallet::Wallet;

pub const MAX_PAGE: usize = 1000;

#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    /// Inclusive lower bound, Unix seconds.
    pub since: Option<i64>,
    /// Exclusive upper bound, Unix seconds.
    pub until: Option<i64>,
    /// A site (any URL of it, normalized to its origin).
    pub site: Option<String>,
    pub kind: Option<Kind>,
    /// `pending`, `settled`, `rejected`, `unconfirmed`, or `posted` (credits and refunds).
    pub status: Option<String>,
    pub search: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: i64,
    pub at: String,
    #[serde(skip)]
    pub at_unix: i64,
    pub kind: String,
    pub status: String,
    pub amount: Micros,
    pub asset: Asset,
    pub network: String,
    pub site: Option<String>,
    pub resource: Option<String>,
    pub description: Option<String>,
    pub payment_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub entries: Vec<Entry>,
    /// Cursor for the next (older) page, if any.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Site,
    Day,
    Month,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Total {
    pub key: String,
    pub asset: Asset,
    /// Net spent: payments minus refunds.
    pub spent: Micros,
    pub payments: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
}

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
        .map_err(|_| Error::InvalidArgument(format!("{s:?} is not a date (2026-11-24) or an RFC 3339 time")))
}

const SELECT: &str = "SELECT j.id, j.at, j.kind, COALESCE(p.status, 'posted'), j.amount, j.asset, j.network, j.site,
        j.resource, j.title, j.payment_id
 FROM journal j LEFT JOIN payments p ON p.journal_id = j.id";

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
    fn where_clause(&self) -> Result<(String, Vec<Value>)> {
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
            args.push(Value::Text(crate::policy::origin_of(site)?));
            conds.push(format!("j.site = ?{}", args.len()));
        }
        if let Some(k) = self.kind {
            args.push(Value::Text(k.as_str().into()));
            conds.push(format!("j.kind = ?{}", args.len()));
        }
        if let Some(st) = &self.status {
            match st.as_str() {
                "posted" => conds.push("p.status IS NULL".into()),
                "pending" | "settled" | "rejected" | "unconfirmed" => {
                    args.push(Value::Text(st.clone()));
                    conds.push(format!("p.status = ?{}", args.len()));
                }
                other => {
                    return Err(Error::InvalidArgument(format!(
                        "unknown status {other:?}: use pending, settled, rejected, unconfirmed or posted"
                    )));
                }
            }
        }
        if let Some(q) = self.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            args.push(Value::Text(like_escape(q)));
            let n = args.len();
            conds.push(format!(
                "(j.site LIKE ?{n} ESCAPE '\\' OR j.title LIKE ?{n} ESCAPE '\\' OR j.resource LIKE ?{n} ESCAPE '\\')"
            ));
        }
        let clause = if conds.is_empty() { String::new() } else { format!(" WHERE {}", conds.join(" AND ")) };
        Ok((clause, args))
    }
}

fn entry_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let at: i64 = r.get(1)?;
    let asset: String = r.get(5)?;
    Ok(Entry {
        id: r.get(0)?,
        at: rfc3339(at),
        at_unix: at,
        kind: r.get(2)?,
        status: r.get(3)?,
        amount: Micros::from_micros(r.get(4)?),
        asset: asset.parse().unwrap_or(Asset::EUR),
        network: r.get(6)?,
        site: r.get(7)?,
        resource: r.get(8)?,
        description: r.get(9)?,
        payment_id: r.get(10)?,
    })
}

impl Wallet {
    /// One page of history, newest first. `cursor` is a previous page's `next`.
    pub fn history(&self, filter: &HistoryFilter, limit: usize, cursor: Option<&str>) -> Result<Page> {
        let limit = limit.clamp(1, MAX_PAGE);
        let (mut clause, mut args) = filter.where_clause()?;
        if let Some(c) = cursor {
            let before: i64 =
                c.parse().map_err(|_| Error::InvalidArgument(format!("{c:?} is not a history cursor")))?;
            args.push(Value::Integer(before));
            clause.push_str(if clause.is_empty() { " WHERE " } else { " AND " });
            clause.push_str(&format!("j.id < ?{}", args.len()));
        }
        args.push(Value::Integer(i64::try_from(limit + 1).unwrap_or(i64::MAX)));
        let sql = format!("{SELECT}{clause} ORDER BY j.id DESC LIMIT ?{}", args.len());
        let mut stmt = self.conn.prepare(&sql)?;
        let mut entries: Vec<Entry> =
            stmt.query_map(rusqlite::params_from_iter(args), entry_from_row)?.collect::<rusqlite::Result<_>>()?;
        let next = if entries.len() > limit {
            entries.truncate(limit);
            entries.last().map(|e| e.id.to_string())
        } else {
            None
        };
        Ok(Page { entries, next })
    }

    /// Net spending per site, day or month for the filtered entries.
    pub fn totals(&self, filter: &HistoryFilter, by: GroupBy) -> Result<Vec<Total>> {
        let (clause, args) = filter.where_clause()?;
        let key = match by {
            GroupBy::Site => "j.site",
            GroupBy::Day => "strftime('%Y-%m-%d', j.at, 'unixepoch')",
            GroupBy::Month => "strftime('%Y-%m', j.at, 'unixepoch')",
        };
        let kinds = if clause.is_empty() { " WHERE" } else { " AND" };
        let sql = format!(
            "SELECT {key} AS k, j.asset, -SUM(j.amount), SUM(j.kind = 'payment')
             FROM journal j LEFT JOIN payments p ON p.journal_id = j.id{clause}{kinds}
             j.kind IN ('payment', 'refund') GROUP BY k, j.asset ORDER BY k"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (k, asset, spent, n) = row?;
            out.push(Total {
                key: k.unwrap_or_default(),
                asset: asset.parse().map_err(|_| Error::Integrity(format!("stored asset {asset:?} is invalid")))?,
                spent: Micros::from_micros(spent),
                payments: n,
            });
        }
        Ok(out)
    }

    /// Writes every filtered entry, oldest first, one row at a time. `progress` is called
    /// every 1,000 rows with the count so far; returning `false` cancels.
    pub fn export(
        &self,
        filter: &HistoryFilter,
        format: ExportFormat,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64) -> bool,
    ) -> Result<u64> {
        let (clause, args) = filter.where_clause()?;
        let sql = format!("{SELECT}{clause} ORDER BY j.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
        let io = |e| Error::io("writing the export", e);
        let mut n = 0u64;
        match format {
            ExportFormat::Csv => writeln!(out, "{}", CSV_COLUMNS.join(",")).map_err(io)?,
            ExportFormat::Json => out.write_all(b"[").map_err(io)?,
        }
        while let Some(r) = rows.next()? {
            let e = entry_from_row(r)?;
            match format {
                ExportFormat::Csv => writeln!(out, "{}", csv_row(&e)).map_err(io)?,
                ExportFormat::Json => {
                    if n > 0 {
                        out.write_all(b",").map_err(io)?;
                    }
                    out.write_all(b"\n").map_err(io)?;
                    serde_json::to_writer(&mut *out, &e).map_err(|e| Error::Integrity(e.to_string()))?;
                }
            }
            n += 1;
            if n.is_multiple_of(1000) && !progress(n) {
                return Err(Error::InvalidArgument("export cancelled".into()));
            }
        }
        if format == ExportFormat::Json {
            out.write_all(b"\n]\n").map_err(io)?;
        }
        out.flush().map_err(io)?;
        progress(n);
        Ok(n)
    }
}

/// Export columns, documented in the README.
pub const CSV_COLUMNS: [&str; 11] =
    ["id", "at", "kind", "status", "amount", "asset", "network", "site", "resource", "description", "payment_id"];

fn csv_field(s: &str, text: bool) -> String {
    // A spreadsheet runs cells starting with = + - @ as formulas; text from merchants must not.
    let guarded = if text && s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if guarded.contains([',', '"', '\n', '\r']) { format!("\"{}\"", guarded.replace('"', "\"\"")) } else { guarded }
}

pub fn csv_row(e: &Entry) -> String {
    let t = |s: &Option<String>| csv_field(s.as_deref().unwrap_or(""), true);
    [
        e.id.to_string(),
        e.at.clone(),
        e.kind.clone(),
        e.status.clone(),
        e.amount.to_string(),
        e.asset.to_string(),
        csv_field(&e.network, true),
        t(&e.site),
        t(&e.resource),
        t(&e.description),
        t(&e.payment_id),
    ]
    .join(",")
}
