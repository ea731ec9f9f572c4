//! Top-ups: redeeming an issuer's credit note.

use centime_protocol::deeplink::DeepLink;
use centime_protocol::documents::{self, CreditClaims};
use centime_protocol::{Amount, Micros, Network};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::journal::{self, NewEntry};
use crate::rules_store;
use crate::sqlite;
use crate::wallet::Wallet;

/// A credit note may be dated at most this far ahead of the wallet's clock.
pub const MAX_FUTURE_SKEW: i64 = 300;
/// Largest single top-up accepted: 10,000 units of any asset.
pub const MAX_TOPUP: Micros = Micros::from_micros(10_000_000_000);

/// A redeemed credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Topup {
    /// The credit note's id, redeemable once.
    pub credit_id: String,
    /// The issuer's network the money belongs to.
    pub network: Network,
    /// What was credited.
    pub amount: Amount,
    /// The balance in that network and asset after the credit.
    pub balance: Micros,
}

/// Extracts the credit-note JWS from a pasted JWS or a `centime://topup` link.
pub fn credit_from_input(input: &str) -> Result<String> {
    let s = input.trim();
    if s.starts_with("centime:") {
        match DeepLink::parse(s)? {
            DeepLink::Topup { credit } => Ok(credit),
            DeepLink::Pay { .. } | DeepLink::PayRequest { .. } => {
                Err(Error::CreditRefused("this is a payment link, not a top-up".into()))
            }
            DeepLink::Receive { .. } | DeepLink::ReceiveCode { .. } => {
                Err(Error::CreditRefused("this is a transfer from another wallet, not a top-up".into()))
            }
        }
    } else {
        Ok(s.to_owned())
    }
}

impl Wallet {
    /// Checks a credit note and credits it, once.
    pub fn topup(&mut self, input: &str) -> Result<Topup> {
        let done = self.redeem(input);
        match &done {
            Ok(t) => {
                tracing::info!(network = %t.network, amount = %t.amount, credit_id = %t.credit_id, "top-up credited")
            }
            Err(e) => tracing::warn!(error = %e, "credit note refused"),
        }
        done
    }

    fn redeem(&mut self, input: &str) -> Result<Topup> {
        let jws = credit_from_input(input)?;
        let claims: CreditClaims = documents::open(&jws).map_err(|e| match e {
            centime_protocol::Error::BadSignature => Error::CreditRefused("its signature does not verify".into()),
            other => Error::CreditRefused(other.to_string()),
        })?;
        rules_store::check_issuers(&self.conn, self.key())?;
        match Wallet::issuer_key(&self.conn, &claims.network)? {
            None => return Err(Error::UntrustedIssuer(claims.network.to_string())),
            Some(k) if k != claims.iss => {
                return Err(Error::UntrustedIssuer(format!(
                    "{} (signed by {}, not the trusted key)",
                    claims.network, claims.iss
                )));
            }
            Some(_) => {}
        }
        if claims.sub != self.id {
            return Err(Error::CreditRefused(format!("it was issued to wallet {}, not this one", claims.sub)));
        }
        claims.check_credit_id().map_err(|e| Error::CreditRefused(e.to_string()))?;
        let amount = claims.amount().map_err(|e| Error::CreditRefused(e.to_string()))?;
        if !amount.micros.is_positive() {
            return Err(Error::CreditRefused("its amount is zero".into()));
        }
        if amount.micros > MAX_TOPUP {
            return Err(Error::CreditRefused(format!("{amount} is over the {MAX_TOPUP} limit for one top-up")));
        }
        let now = self.now();
        let issued = i64::try_from(claims.issued_at).unwrap_or(i64::MAX);
        if issued > now.saturating_add(MAX_FUTURE_SKEW) {
            return Err(Error::CreditRefused("it is dated in the future; check this computer's clock".into()));
        }
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        let seen: Option<i64> = tx
            .query_row(
                "SELECT journal_id FROM credits WHERE network = ?1 AND credit_id = ?2",
                params![claims.network.as_str(), claims.credit_id],
                |r| r.get(0),
            )
            .optional()?;
        if seen.is_some() {
            return Err(Error::AlreadyRedeemed(claims.credit_id));
        }
        let iss = claims.iss.to_string();
        let jid = journal::append(
            &tx,
            &key,
            &NewEntry {
                at: now,
                kind: Kind::Credit,
                network: claims.network.as_str(),
                asset: amount.asset,
                amount: amount.micros,
                site: None,
                resource: None,
                title: Some("Top-up"),
                counterparty: Some(&iss),
                payment_id: None,
                reference: Some(&claims.credit_id),
                doc_hash: Some(journal::sha256(jws.as_bytes())),
            },
        )?;
        tx.prepare_cached("INSERT INTO credits (network, credit_id, journal_id, note) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![claims.network.as_str(), claims.credit_id, jid, jws])?;
        let balance = Wallet::balance_of(&tx, claims.network.as_str(), amount.asset.as_str())?;
        crate::crash::point(crate::crash::TOPUP_BEFORE_COMMIT);
        tx.commit()?;
        Ok(Topup { credit_id: claims.credit_id, network: claims.network, amount, balance })
    }
}
