//! The issuer's signed revocation list (ADR 21 §6) and its prepared form for a merchant's
//! [`crate::Verifier`].

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::documents::{self, Document};
use crate::error::{Error, Result};
use crate::ids::{Network, PublicKey};
use crate::settlement::invalid;

/// The JWS `typ` of a revocation list.
pub const REVOCATIONS_TYP: &str = "centime-revocations+jws";
/// Longest revocation list read (about 100 bytes a key).
pub const MAX_REVOCATIONS_LEN: usize = 8 * 1024 * 1024;

/// Why a key was revoked.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RevocationReason {
    /// The issuer holds a fork proof: two authorizations with one `seq`.
    Fork,
    /// The key's settled spending would have exceeded its credits.
    Overdrawn,
}

/// One revoked wallet key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokedKey {
    /// The wallet's public key.
    pub wallet: PublicKey,
    /// Why.
    pub reason: RevocationReason,
    /// When the issuer revoked it, in Unix seconds.
    pub revoked_at: u64,
}

/// `GET /issuer/revocations`: every key the issuer revoked, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevocationList {
    /// The issuer's key, which verifies the JWS.
    pub iss: PublicKey,
    /// The issuer's network: the list applies to authorizations of this network only.
    pub network: Network,
    /// When the issuer signed it, in Unix seconds.
    pub issued_at: u64,
    /// When the merchant should fetch the next list; the issuer's refresh interval is
    /// `nextUpdate - issuedAt`. A list past it still applies (it only ever grows).
    pub next_update: u64,
    /// The revoked keys, oldest revocation first.
    pub revoked: Vec<RevokedKey>,
}

impl Document for RevocationList {
    const TYP: &'static str = REVOCATIONS_TYP;
    const MAX_LEN: usize = MAX_REVOCATIONS_LEN;
    fn signer_key(&self) -> &PublicKey {
        &self.iss
    }
}

impl RevocationList {
    /// Opens a list signed by the trusted `issuer`: `nextUpdate` not before `issuedAt`, each
    /// key listed once.
    pub fn open_trusted(jws: &str, issuer: &PublicKey) -> Result<Self> {
        let l: RevocationList = documents::open(jws)?;
        if &l.iss != issuer {
            return Err(Error::UntrustedSigner { what: "revocation list" });
        }
        if l.next_update < l.issued_at {
            return Err(invalid("revocation list", "nextUpdate is before issuedAt"));
        }
        let mut seen = std::collections::HashSet::with_capacity(l.revoked.len());
        if !l.revoked.iter().all(|r| seen.insert(r.wallet)) {
            return Err(invalid("revocation list", "a key is listed twice"));
        }
        Ok(l)
    }
}

/// A revocation list prepared for lookups, what [`crate::Verifier::with_revocations`] takes.
#[derive(Debug, Clone)]
pub struct Revocations {
    network: Network,
    issued_at: u64,
    next_update: u64,
    keys: HashMap<PublicKey, RevokedKey>,
}

impl Revocations {
    /// From a list already opened with [`RevocationList::open_trusted`].
    pub fn new(list: RevocationList) -> Self {
        let keys = list.revoked.into_iter().map(|r| (r.wallet, r)).collect();
        Revocations { network: list.network, issued_at: list.issued_at, next_update: list.next_update, keys }
    }

    /// The revocation of `wallet` on `network`, if it is revoked.
    pub fn revoked(&self, network: &Network, wallet: &PublicKey) -> Option<&RevokedKey> {
        if network != &self.network {
            return None;
        }
        self.keys.get(wallet)
    }

    /// Past `nextUpdate`: time to fetch a newer list (this one still applies meanwhile).
    pub fn is_stale(&self, now: u64) -> bool {
        now >= self.next_update
    }

    /// When the list was signed.
    pub fn issued_at(&self) -> u64 {
        self.issued_at
    }

    /// How many keys are revoked.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// No key revoked.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}
