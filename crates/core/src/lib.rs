//! The Centime wallet core: everything that protects the user's money.
//!
//! A [`Wallet`] is one SQLite database (an append-only, HMAC-chained journal with balances
//! kept beside it) and two secrets in a [`keystore::KeyStore`]. It redeems issuers' credit
//! notes, decides by the user's [`policy`] whether a payment is made, asked or refused, signs
//! payments only once their debit is committed, and answers history queries. The CLI and
//! the desktop app are thin shells over it; it knows nothing of either.

#![warn(missing_docs)]

pub mod backup;
pub mod contacts;
pub mod crash;
pub mod details;
mod doc_codec;
mod entry;
mod error;
pub mod export;
pub mod figures;
pub mod files;
pub mod history;
mod in_order;
mod integrity;
mod journal;
pub mod keystore;
pub mod links;
pub mod logfile;
mod mac;
mod migrate;
pub mod passphrase;
mod pay;
mod payments;
pub mod policy;
#[cfg(test)]
mod query_plans;
pub mod reason;
pub mod requests;
mod rules;
mod rules_store;
#[cfg(feature = "dev")]
pub mod seed;
mod settle;
pub mod sqlite;
pub mod sync;
mod topup;
pub mod transfers;
mod wallet;

pub use backup::{CheckedBackup, Restored};
pub use contacts::{Contact, ContactRule, parse_wallet_id, short_wallet_id};
pub use details::{Claim, EntryDetails, SignedDocument, StatusEvent};
pub use entry::{EntryStatus, Kind};
pub use error::{Error, ErrorClass, ErrorCode, Result};
pub use export::{ExportReader, Progress};
pub use figures::{Allowance, AssetTotal, Insights, SiteShare, Spending, Summary};
pub use integrity::VerifyReport;
pub use pay::{Approval, CertifiedMerchant, MAX_TIMEOUT_SECONDS, PayOptions, Payment, Quote};
pub use payments::Status;
pub use requests::{MadeRequest, RequestView};
pub use rules::{LimitsChange, SiteChange};
pub use sync::{
    AssetView, Discrepancy, FlaggedMerchant, HoldReason, PreparedSync, Revocation, SyncCounts, SyncHold, SyncResult,
};
pub use topup::{Topup, credit_from_input};
pub use transfers::{ReceiveInput, Received, Transfer, TransferStatus};
pub use wallet::{Balance, HOLD_SKEW_SECONDS, Issuer, Wallet, db_path};
