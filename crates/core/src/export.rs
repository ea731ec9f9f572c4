//! Exports of the history: every filtered entry streamed as CSV or JSON, to a writer or whole
//! to a private file, on a read connection of its own so that the wallet stays free meanwhile.

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::history::{Entry, HistoryFilter, SELECT, count_in, entry_from_row};
use crate::wallet::Wallet;

/// The two formats an export writes: the README's columns as CSV, or the same fields as a JSON
/// array of camelCase objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// A header line and one row per entry, text cells made inert for spreadsheets.
    Csv,
    /// One JSON array of objects.
    Json,
}

/// How often the export reports progress, in rows.
pub const EXPORT_PROGRESS_EVERY: u64 = 5_000;

/// Export columns, documented in the README.
pub const CSV_COLUMNS: [&str; 11] =
    ["id", "at", "kind", "status", "amount", "asset", "network", "site", "resource", "description", "payment_id"];

/// Where an export has got to: `rows` written of the `total` it will write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Rows written so far.
    pub rows: u64,
    /// Rows the export will write in all.
    pub total: u64,
}

/// A read-only connection to the wallet's database for one export. SQLite's WAL lets it read
/// one snapshot while the wallet's own connection writes: a million-entry export takes
/// seconds, and payments, top-ups and the window's reads go on meanwhile. It holds no secret.
#[derive(Debug)]
pub struct ExportReader {
    conn: Connection,
}

impl Wallet {
    /// A connection of its own for an export (see [`ExportReader`]); the wallet may be
    /// released (its lock, in the app) as soon as this returns.
    pub fn export_reader(&self) -> Result<ExportReader> {
        ExportReader::open(&crate::wallet::db_path(&self.data_dir))
    }

    /// Writes every filtered entry, oldest first (journal order). `progress` is called every
    /// [`EXPORT_PROGRESS_EVERY`] rows and at the end with the count so far; returning `false`
    /// cancels with [`Error::Cancelled`]. See [`Wallet::export_with_progress`].
    pub fn export(
        &self,
        filter: &HistoryFilter,
        format: ExportFormat,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64) -> bool,
    ) -> Result<u64> {
        self.export_with_progress(filter, format, out, &mut |n| {
            if progress(n) { ControlFlow::Continue(()) } else { ControlFlow::Break(()) }
        })
    }

    /// Writes every filtered entry, oldest first (journal order), on the wallet's own
    /// connection; [`ExportReader::export_to`] does the same beside it. See `write_rows` for
    /// `progress` and for what `out` holds after a cancel or an error.
    pub fn export_with_progress(
        &self,
        filter: &HistoryFilter,
        format: ExportFormat,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64) -> ControlFlow<()>,
    ) -> Result<u64> {
        write_rows(&self.conn, filter, format, out, progress)
    }
}

impl ExportReader {
    /// Opens the database at `path` read-only (it must exist, with its schema).
    pub fn open(path: &Path) -> Result<ExportReader> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(crate::sqlite::BUSY_TIMEOUT)?;
        conn.pragma_update(None, "trusted_schema", "OFF")?;
        Ok(ExportReader { conn })
    }

    /// Writes every filtered entry to `out`, as [`Wallet::export_with_progress`] does, from one
    /// snapshot of the database: `progress` is first told the total (with 0 rows), then every
    /// [`EXPORT_PROGRESS_EVERY`] rows and at the end; `ControlFlow::Break` cancels with
    /// [`Error::Cancelled`]. Entries written meanwhile by the wallet are not in this export.
    pub fn export_to(
        &self,
        filter: &HistoryFilter,
        format: ExportFormat,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(Progress) -> ControlFlow<()>,
    ) -> Result<u64> {
        // One read transaction: the count and the rows see the same snapshot, whatever
        // the wallet commits in between.
        let snapshot = self.conn.unchecked_transaction()?;
        let total = count_in(&snapshot, filter)?;
        if progress(Progress { rows: 0, total }).is_break() {
            return Err(Error::Cancelled);
        }
        let n = write_rows(&snapshot, filter, format, out, &mut |rows| progress(Progress { rows, total }))?;
        snapshot.commit()?;
        Ok(n)
    }

    /// Writes the export to `dest` whole or not at all (see [`crate::files::write_private`]):
    /// through a private file beside it, renamed over it once complete, so that a cancelled
    /// or failed export never leaves a file that looks complete.
    pub fn export_to_file(
        &self,
        filter: &HistoryFilter,
        format: ExportFormat,
        dest: &Path,
        progress: &mut dyn FnMut(Progress) -> ControlFlow<()>,
    ) -> Result<u64> {
        if dest.is_dir() {
            return Err(Error::InvalidArgument(format!("{} is a directory", dest.display())));
        }
        crate::files::write_private(dest, |file| {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            let n = self.export_to(filter, format, &mut out, progress)?;
            out.flush().map_err(|e| Error::io(format!("writing {}", dest.display()), e))?;
            Ok(n)
        })
    }
}

/// Writes every filtered entry, oldest first (journal order), one row at a time: memory
/// stays flat whatever the wallet's size. `progress` gets the number of rows written every
/// [`EXPORT_PROGRESS_EVERY`] rows and once at the end; `ControlFlow::Break` stops the
/// export with [`Error::Cancelled`]. Returns the number of rows written, which equals
/// [`Wallet::count`] for the same filter read in the same transaction.
///
/// On cancel or error, `out` holds a partial export with no closing `]` (JSON) and no
/// marker of incompleteness (CSV): [`ExportReader::export_to_file`] never lets it reach the
/// destination.
fn write_rows(
    conn: &Connection,
    filter: &HistoryFilter,
    format: ExportFormat,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64) -> ControlFlow<()>,
) -> Result<u64> {
    let (clause, args) = filter.where_clause()?;
    let sql = format!("{}{clause} ORDER BY j.id", *SELECT);
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    let io = |e| Error::io("writing the export", e);
    let mut n = 0u64;
    let mut line = String::with_capacity(256);
    match format {
        ExportFormat::Csv => writeln!(out, "{}", CSV_COLUMNS.join(",")).map_err(io)?,
        ExportFormat::Json => out.write_all(b"[").map_err(io)?,
    }
    while let Some(r) = rows.next()? {
        let e = entry_from_row(r)?;
        match format {
            ExportFormat::Csv => {
                line.clear();
                write_csv_row(&mut line, &e);
                line.push('\n');
                out.write_all(line.as_bytes()).map_err(io)?;
            }
            ExportFormat::Json => {
                if n > 0 {
                    out.write_all(b",").map_err(io)?;
                }
                out.write_all(b"\n").map_err(io)?;
                serde_json::to_writer(&mut *out, &e).map_err(|e| Error::Integrity(e.to_string()))?;
            }
        }
        n += 1;
        if n.is_multiple_of(EXPORT_PROGRESS_EVERY) && progress(n).is_break() {
            return Err(Error::Cancelled);
        }
    }
    if format == ExportFormat::Json {
        out.write_all(b"\n]\n").map_err(io)?;
    }
    out.flush().map_err(io)?;
    if progress(n).is_break() {
        return Err(Error::Cancelled);
    }
    Ok(n)
}

fn push_csv_field(out: &mut String, s: &str, text: bool) {
    // A spreadsheet runs cells starting with = + - @ as formulas; text from merchants must not.
    let guard = text && s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = s.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if guard {
        out.push('\'');
    }
    if quote {
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn write_csv_row(out: &mut String, e: &Entry) {
    use std::fmt::Write as _;
    let _ = write!(out, "{},", e.id);
    out.push_str(&e.at);
    out.push(',');
    out.push_str(e.kind.into());
    out.push(',');
    out.push_str(e.status.into());
    out.push(',');
    let _ = write!(out, "{},{},", e.amount, e.asset);
    push_csv_field(out, &e.network, true);
    for f in [&e.site, &e.resource, &e.description, &e.payment_id] {
        out.push(',');
        push_csv_field(out, f.as_deref().unwrap_or(""), true);
    }
}

/// One entry as a CSV line (no line ending), in [`CSV_COLUMNS`] order.
pub fn csv_row(e: &Entry) -> String {
    let mut s = String::new();
    write_csv_row(&mut s, e);
    s
}
