//! The wallet's side of settlement (ADR 21 §7, ADR 22): the signed request for a statement,
//! the statement applied in one sealed transaction, the holds that stop paying until a sync,
//! and the last sync's result. Pure of HTTP: `centime_client` carries the documents.

use centime_protocol::statement::StatementRequest;
use centime_protocol::{Asset, Micros, Network, PaymentId, PublicKey};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::sqlite;
use crate::wallet::Wallet;

mod apply;
pub(crate) mod recover;

/// How far above every number it knows a restored wallet (or one found behind its issuer)
/// continues `seq`: the payments an older copy signed that no merchant settled yet are invisible
/// to the issuer, and reusing one of their numbers would be a fork proof against the honest user.
pub const SEQ_RESTORE_GAP: u64 = 1 << 32;

/// Why paying on a network waits for a sync.
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
pub enum HoldReason {
    /// The wallet was restored from a backup: it may have forgotten payments.
    Restored,
    /// The issuer's statement knows payments or credits the wallet could not recover.
    Behind,
    /// The issuer revoked the wallet's key.
    Revoked,
}

/// A network the wallet does not pay on until a sync lifts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncHold {
    /// The issuer's network.
    pub network: Network,
    /// Why.
    pub reason: HoldReason,
    /// More, for a person.
    pub detail: Option<String>,
    /// Since when (Unix seconds).
    pub since: i64,
}

/// A signed request for a statement, kept to check the answer against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedSync {
    /// The request's claims: the answer must name its wallet, network and nonce.
    pub request: StatementRequest,
    /// The request as sent: a compact JWS signed by the wallet's key.
    pub jws: String,
    /// The issuer key the answer must be signed by (the trusted one, sealed).
    pub issuer: PublicKey,
}

/// What a sync changed in the wallet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncCounts {
    /// Pending or unconfirmed payments the issuer settled, now settled.
    pub marked_settled: u64,
    /// Refunds of payments the merchant refused and settled anyway, reversed by an adjustment.
    pub refunds_reversed: u64,
    /// Refunds whose settlement deadline passed unsettled: final.
    pub refunds_final: u64,
    /// Settled payments the wallet had forgotten, rebuilt from their authorization.
    pub payments_recovered: u64,
    /// Credits the wallet had forgotten, rebuilt from the statement.
    pub credits_recovered: u64,
    /// Transfers to other wallets the issuer lists as redeemed, now marked so.
    #[serde(default)]
    pub transfers_redeemed: u64,
    /// Transfers not redeemed before their deadline, credited back (final at once).
    #[serde(default)]
    pub transfers_returned: u64,
    /// Transfers from other wallets collected from the issuer's inbox and credited (the shell's
    /// count: the inbox is collected beside the statement).
    #[serde(default)]
    pub transfers_received: u64,
}

/// One asset's account, as the issuer or the wallet sees it. Money as decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetView {
    /// The asset.
    pub asset: Asset,
    /// Every credit.
    pub credited: Micros,
    /// The issuer's: the payments it settled. The wallet's: its payments less refunds and
    /// adjustments, whether settled at the issuer or not.
    pub spent: Micros,
    /// `credited - spent`.
    pub balance: Micros,
    /// The wallet's only: its payments the issuer has not settled yet (merchants settle later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsettled: Option<Micros>,
}

/// The issuer's revocation of this wallet's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Revocation {
    /// `fork` or `overdrawn`.
    pub reason: centime_protocol::revocation::RevocationReason,
    /// When (Unix seconds).
    pub revoked_at: u64,
}

/// Something the wallet and the issuer disagree on, which the sync could not settle alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Discrepancy {
    /// The wallet's balance is not the issuer's less the payments it has not settled yet.
    BalanceDiffers {
        /// The asset.
        asset: Asset,
        /// The wallet's balance.
        wallet: Micros,
        /// The issuer's balance less the wallet's unsettled payments.
        expected: Micros,
    },
    /// The issuer settled, under one of the wallet's payment ids or seqs, an authorization the
    /// wallet holds differently: another copy of this wallet signed it (a fork).
    Forked {
        /// The payment id.
        payment_id: PaymentId,
        /// Its seq.
        seq: u64,
    },
    /// A settled payment whose authorization does not check under this wallet's key and claims.
    Unrecoverable {
        /// The payment id.
        payment_id: PaymentId,
        /// Why.
        why: String,
    },
    /// The issuer settled a payment whose refund was already final (past its deadline).
    SettledAfterFinal {
        /// The payment id.
        payment_id: PaymentId,
    },
    /// A credit the wallet redeemed that the issuer does not list.
    CreditUnknownToIssuer {
        /// The credit note's id.
        credit_id: String,
    },
}

/// What a sync found and did, as shown after it and kept as the "last sync".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncResult {
    /// The issuer's network.
    pub network: Network,
    /// The issuer's name as the user gave it.
    pub issuer_name: Option<String>,
    /// When the wallet applied the statement (Unix seconds, the wallet's clock).
    pub synced_at: i64,
    /// When the issuer signed it.
    pub statement_issued_at: u64,
    /// What changed.
    pub done: SyncCounts,
    /// The issuer's view, per asset.
    pub issuer_view: Vec<AssetView>,
    /// The highest `seq` the issuer settled.
    pub issuer_highest_seq: u64,
    /// The wallet's view after the sync, per asset.
    pub wallet_view: Vec<AssetView>,
    /// The highest `seq` the wallet knows, recovered payments included.
    pub wallet_highest_seq: u64,
    /// The issuer revoked the wallet's key: it does not pay on this network any more.
    pub revoked: Option<Revocation>,
    /// What the sync could not settle.
    pub discrepancies: Vec<Discrepancy>,
    /// Whether the wallet pays on this network after the sync.
    pub may_pay: bool,
}

/// A merchant that answered "refused", kept the authorization and settled it anyway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlaggedMerchant {
    /// The payment it refused and settled.
    pub payment_id: PaymentId,
    /// The issuer's network.
    pub network: Network,
    /// The merchant's account.
    pub pay_to: String,
    /// Its refusal, as the wallet stored it.
    pub refusal: Option<String>,
    /// The statement's entry of the settlement (JSON, as signed by the issuer).
    pub settlement: String,
    /// When the issuer settled it.
    pub issuer_settled_at: i64,
    /// When the wallet found out.
    pub flagged_at: i64,
}

impl Wallet {
    /// Where `network`'s issuer is reached (its base URL), if known.
    pub fn issuer_url(&self, network: &Network) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT url FROM issuer_endpoints WHERE network = ?1")?
            .query_row(params![network.as_str()], |r| r.get(0))
            .optional()?)
    }

    /// Sets where `network`'s issuer is reached: an `http(s)://` base URL. Not sealed (see
    /// migration 0007): a wrong URL can only make a sync fail.
    pub fn set_issuer_url(&mut self, network: &Network, url: &str) -> Result<()> {
        check_issuer_url(url)?;
        if Wallet::issuer_key(&self.conn, network)?.is_none() {
            return Err(Error::UntrustedIssuer(network.to_string()));
        }
        let now = self.now();
        self.conn
            .prepare_cached(
                "INSERT INTO issuer_endpoints (network, url, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (network) DO UPDATE SET url = excluded.url, updated_at = excluded.updated_at",
            )?
            .execute(params![network.as_str(), url.trim_end_matches('/'), now])?;
        Ok(())
    }

    /// A fresh statement request for `network`, signed by the wallet's key, with the trusted
    /// issuer's key to check the answer under.
    pub fn statement_request(&self, network: &Network) -> Result<PreparedSync> {
        crate::rules_store::check_issuers(&self.conn, self.key())?;
        let issuer =
            Wallet::issuer_key(&self.conn, network)?.ok_or_else(|| Error::UntrustedIssuer(network.to_string()))?;
        let request = StatementRequest {
            from: self.id,
            network: network.clone(),
            issued_at: u64::try_from(self.now()).unwrap_or(0),
            nonce: centime_protocol::ids::random_nonce()?,
        };
        let jws = centime_protocol::documents::sign(&self.signer, &request)?;
        Ok(PreparedSync { request, jws, issuer })
    }

    /// Applies the issuer's answer `statement_jws` to `prepared`, in one transaction sealed like
    /// every journal write. `settlement_period_seconds` is the issuer's (from `GET /issuer`, or
    /// [`centime_protocol::settlement::DEFAULT_SETTLEMENT_PERIOD_SECONDS`]). A statement that is
    /// malformed, foreign or signed by another key changes nothing and is
    /// [`Error::BadStatement`].
    pub fn apply_statement(
        &mut self,
        prepared: &PreparedSync,
        statement_jws: &str,
        settlement_period_seconds: u64,
    ) -> Result<SyncResult> {
        apply::apply(self, prepared, statement_jws, settlement_period_seconds)
    }

    /// The last sync's result for `network`, without asking the issuer.
    pub fn last_sync(&self, network: &Network) -> Result<Option<SyncResult>> {
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT result FROM syncs WHERE network = ?1")?
            .query_row(params![network.as_str()], |r| r.get(0))
            .optional()?;
        json.map(|j| serde_json::from_str(&j).map_err(|e| Error::Integrity(format!("a stored sync result: {e}"))))
            .transpose()
    }

    /// The last sync of every network synced at least once, by network.
    pub fn last_syncs(&self) -> Result<Vec<SyncResult>> {
        let mut stmt = self.conn.prepare("SELECT result FROM syncs ORDER BY network")?;
        let rows: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        rows.iter()
            .map(|j| serde_json::from_str(j).map_err(|e| Error::Integrity(format!("a stored sync result: {e}"))))
            .collect()
    }

    /// What keeps the wallet from paying on `network`, if anything.
    pub fn sync_hold(&self, network: &Network) -> Result<Option<SyncHold>> {
        hold_of(&self.conn, network)
    }

    /// Every network the wallet does not pay on until a sync.
    pub fn sync_holds(&self) -> Result<Vec<SyncHold>> {
        let mut stmt = self.conn.prepare("SELECT network FROM sync_holds ORDER BY network")?;
        let rows: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for n in rows {
            let n: Network = n.parse().map_err(|_| Error::Integrity(format!("a stored network {n:?} is invalid")))?;
            out.extend(hold_of(&self.conn, &n)?);
        }
        Ok(out)
    }

    /// Merchants that refused a payment and settled it anyway, newest first.
    pub fn flagged_merchants(&self) -> Result<Vec<FlaggedMerchant>> {
        let mut stmt = self.conn.prepare(
            "SELECT payment_id, network, pay_to, refusal, settlement, issuer_settled_at, flagged_at
             FROM flagged_merchants ORDER BY flagged_at DESC, payment_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (pid, network, pay_to, refusal, settlement, issuer_settled_at, flagged_at) = row?;
            let bad = || Error::Integrity("a flagged merchant's record is invalid".into());
            out.push(FlaggedMerchant {
                payment_id: pid.parse().map_err(|_| bad())?,
                network: network.parse().map_err(|_| bad())?,
                pay_to,
                refusal,
                settlement,
                issuer_settled_at,
                flagged_at,
            });
        }
        Ok(out)
    }

    /// Holds every trusted network until a sync, and continues `seq` [`SEQ_RESTORE_GAP`] above
    /// everything known: what [`Wallet::restore`] does to the wallet it put in place.
    pub fn hold_until_synced(&mut self, reason: HoldReason, detail: &str) -> Result<()> {
        let now = self.now();
        let tx = sqlite::immediate(&mut self.conn)?;
        let networks: Vec<String> = {
            let mut stmt = tx.prepare("SELECT network FROM issuers")?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        for n in networks {
            set_hold(&tx, &n, reason, Some(detail), now)?;
        }
        raise_seq_floor(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// Whether the wallet pays on `network` now: `Err` with the hold's typed error
    /// (`SyncRequired` or `PayerRevoked`) while a hold is on it.
    pub fn may_pay_on(&self, network: &Network) -> Result<()> {
        Wallet::check_may_pay(&self.conn, network)
    }

    /// Refuses to pay on `network` while a hold is on it: the typed error of the hold.
    pub(crate) fn check_may_pay(conn: &rusqlite::Connection, network: &Network) -> Result<()> {
        let Some(h) = hold_of(conn, network)? else { return Ok(()) };
        Err(match h.reason {
            HoldReason::Revoked => Error::PayerRevoked {
                network: network.to_string(),
                reason: h.detail.unwrap_or_else(|| "revoked".into()),
            },
            HoldReason::Restored | HoldReason::Behind => Error::SyncRequired {
                network: network.to_string(),
                why: h.detail.unwrap_or_else(|| h.reason.to_string()),
            },
        })
    }
}

/// Refuses what cannot be an issuer's base URL: `http(s)://host…`, at most 2048 bytes.
pub fn check_issuer_url(url: &str) -> Result<()> {
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::InvalidArgument(format!("the issuer's address {url:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() || url.len() > 2048 {
        return Err(Error::InvalidArgument(format!("the issuer's address {url:?} must be an http(s) URL")));
    }
    Ok(())
}

fn hold_of(conn: &rusqlite::Connection, network: &Network) -> Result<Option<SyncHold>> {
    let row: Option<(String, Option<String>, i64)> = conn
        .prepare_cached("SELECT reason, detail, since FROM sync_holds WHERE network = ?1")?
        .query_row(params![network.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    row.map(|(reason, detail, since)| {
        Ok(SyncHold {
            network: network.clone(),
            reason: reason.parse().map_err(|_| Error::Integrity(format!("unknown hold reason {reason:?}")))?,
            detail,
            since,
        })
    })
    .transpose()
}

pub(crate) fn set_hold(
    conn: &rusqlite::Connection,
    network: &str,
    reason: HoldReason,
    detail: Option<&str>,
    now: i64,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_holds (network, reason, detail, since) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (network) DO UPDATE SET reason = excluded.reason, detail = excluded.detail",
    )?
    .execute(params![network, <&'static str>::from(reason), detail, now])?;
    Ok(())
}

/// The `seq` floor (meta `seq_floor`): the next payment signs above it. Raised to
/// [`SEQ_RESTORE_GAP`] above the highest number known.
pub(crate) fn raise_seq_floor(conn: &rusqlite::Connection) -> Result<()> {
    let next = crate::payments::next_seq(conn)?;
    let floor = next.checked_add(SEQ_RESTORE_GAP).ok_or_else(|| Error::Integrity("seq overflowed".into()))?;
    let floor = i64::try_from(floor).map_err(|_| Error::Integrity("seq overflowed".into()))?;
    conn.prepare_cached(
        "INSERT INTO meta (key, value) VALUES ('seq_floor', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![floor.to_string()])?;
    Ok(())
}
