//! `centime-issuer`: the issuer of a Centime network. It signs credit notes, settles the
//! authorizations merchants hold (each exactly once, never beyond the wallet's credits), proves
//! and revokes forked wallets, publishes the revocation list, certifies merchants and answers
//! each wallet with a signed statement (ADR 21, docs/protocol.md §13).
//!
//! - [`issuer`]: what the issuer checks and signs; [`http`]: its axum router.
//! - [`store`]: the ledger behind one trait, on SQLite or PostgreSQL.
//! - [`keys`]: key files.

#![warn(missing_docs)]

mod batch;
mod error;
pub mod http;
pub mod issuer;
pub mod keys;
mod parallel;
pub mod store;

pub use error::{Error, Result};
pub use issuer::{Config, Issued, Issuer};
pub use store::{MerchantRecord, Store};

use std::sync::Arc;

/// Opens the ledger named by `database`: `sqlite:PATH` (or a bare path) or `postgres://…`.
/// Blocking.
pub fn open_store(database: &str) -> Result<Arc<dyn Store>> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        Ok(Arc::new(store::postgres::PgStore::open(database)?))
    } else {
        let path = database.strip_prefix("sqlite:").unwrap_or(database);
        Ok(Arc::new(store::sqlite::SqliteStore::open(std::path::Path::new(path))?))
    }
}
