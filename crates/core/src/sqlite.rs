//! The SQLite file: connection settings and embedded, numbered migrations.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

/// Migrations in order; migration N (1-based) brings the schema to `user_version` N. A line
/// `-- centime:repack-payments` in a migration runs [`crate::migrate::repack_payments`] there
/// (work SQL alone cannot do, such as compressing documents).
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_ledger.sql"),
    include_str!("../migrations/0002_payments_once.sql"),
    include_str!("../migrations/0003_history_at_scale.sql"),
    include_str!("../migrations/0004_spending_months.sql"),
    include_str!("../migrations/0005_paid_resources.sql"),
    include_str!("../migrations/0006_payment_seq.sql"),
    include_str!("../migrations/0007_issuer_sync.sql"),
    include_str!("../migrations/0008_certified_merchants.sql"),
    include_str!("../migrations/0009_wallet_transfers.sql"),
];

const REPACK_PAYMENTS: &str = "-- centime:repack-payments";
/// A line in a migration that runs [`crate::migrate::widen_journal_kinds`] there.
const WIDEN_JOURNAL_KINDS: &str = "-- centime:widen-journal-kinds";

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a writer waits for another process's transaction before giving up. Long enough
/// that concurrent payments queue instead of failing with "database is locked".
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The database's file name in the data directory.
pub const DB_FILE: &str = "wallet.sqlite3";

/// Opens (creating if asked) the wallet database with Centime's settings and migrates it.
pub fn open(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
        // Created private before SQLite opens it: SQLite gives its `-wal` and `-shm` the main
        // file's mode, and would otherwise create all three as the umask allows (0644).
        match crate::files::create_new_private(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(format!("creating {}", path.display()), e)),
        }
    }
    let mut conn = Connection::open_with_flags(path, flags)?;
    configure(&conn)?;
    migrate(&mut conn)?;
    Ok(conn)
}

pub(crate) fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::Integrity(format!("could not switch the database to WAL mode (got {mode})")));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "trusted_schema", "OFF")?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = immediate(conn)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(Error::NewerSchema { found, known: SCHEMA_VERSION });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(found).unwrap_or(0)) {
        if let Some((before, after)) = sql.split_once(REPACK_PAYMENTS) {
            tx.execute_batch(before)?;
            crate::migrate::repack_payments(&tx)?;
            tx.execute_batch(after)?;
        } else if let Some((before, after)) = sql.split_once(WIDEN_JOURNAL_KINDS) {
            tx.execute_batch(before)?;
            crate::migrate::widen_journal_kinds(&tx)?;
            tx.execute_batch(after)?;
        } else {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", i64::try_from(i + 1).unwrap_or(i64::MAX))?;
    }
    tx.commit()?;
    Ok(())
}

/// `BEGIN IMMEDIATE`: every write takes the write lock up front, so the reads that decide
/// (balance, spent-in-period) cannot be overtaken by another process before the write.
pub fn immediate(conn: &mut Connection) -> Result<Transaction<'_>> {
    Ok(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
}

/// Reads one `meta` value without migrating or writing anything (to learn, before opening,
/// which keystore a wallet uses).
pub fn peek_meta(path: &Path, key: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension as _;
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrates_and_refuses_newer_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("w.db");
        let conn = open(&p, true).unwrap();
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let sync: i64 = conn.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        drop(conn);
        assert!(matches!(open(&p, false), Err(Error::NewerSchema { .. })));
    }

    #[test]
    fn refuses_to_create_when_not_asked() {
        let dir = tempfile::tempdir().unwrap();
        assert!(open(&dir.path().join("missing.db"), false).is_err());
    }
}
