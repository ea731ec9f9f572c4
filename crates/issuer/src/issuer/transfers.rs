//! The issuer's part of payments between wallets (docs/protocol.md §14, ADR 25): it keeps
//! deposited transfers for their short codes, and settles one only when its recipient redeems
//! it, as a settlement item paying `wallet:<recipient>` (every check of §13.2) together with
//! the recipient's credit note, in one transaction.

use axum::http::StatusCode;
use centime_protocol::documents::{self, CreditClaims};
use centime_protocol::jws::Signer as _;
use centime_protocol::p2p::{
    DepositAnswer, InboxAnswer, InboxRequest, MAX_INBOX_TRANSFERS, OpenedTransfer, Problem, Redeemed, RedemptionAnswer,
    RedemptionRequest, TransferCode, TransferDoc, wallet_account,
};
use centime_protocol::verify::authorization_digest;

use super::{Issuer, read_item};
use crate::error::{Error, Result};
use crate::store::{CreditRecord, Redemption, Rules, TransferRecord};

/// A §14 refusal: its status and its stable code (the [`Problem`]'s).
fn refused(problem: Problem, message: impl Into<String>) -> Error {
    let status = match problem {
        Problem::InvalidSignature => StatusCode::UNAUTHORIZED,
        Problem::NotTheRecipient => StatusCode::FORBIDDEN,
        Problem::UnknownTransfer => StatusCode::NOT_FOUND,
        Problem::AlreadyRedeemed => StatusCode::CONFLICT,
        Problem::TransferExpired => StatusCode::GONE,
        _ => StatusCode::BAD_REQUEST,
    };
    let code = match problem {
        // The issuer's word for a body it cannot read, as on every other route.
        Problem::Malformed => "malformed_request",
        p => p.into(),
    };
    Error::refused(status, code, message)
}

/// A protocol error met on a wallet's document, as the issuer answers it.
fn from_protocol(e: centime_protocol::Error) -> Error {
    match e.p2p_problem() {
        Some(p) => refused(p, e.to_string()),
        None => refused(Problem::Malformed, e.to_string()),
    }
}

impl Issuer {
    /// A transfer opened and checked against this issuer: its network, an asset held, and
    /// still redeemable at `now` (not past `validBefore` + skew).
    fn open_transfer(&self, jws: &str, now: u64) -> Result<OpenedTransfer> {
        let t = TransferDoc::open(jws.trim()).map_err(from_protocol)?;
        if t.doc.network != self.config.network {
            return Err(refused(
                Problem::NetworkMismatch,
                format!("this issuer is {}, not {}", self.config.network, t.doc.network),
            ));
        }
        if !self.config.assets.contains(&t.amount.asset) {
            return Err(Error::bad_request(
                centime_protocol::settlement::RefusalCode::UnsupportedAsset.into(),
                format!("this issuer does not hold {}", t.amount.asset),
            ));
        }
        t.check_unexpired(now, self.config.skew_seconds).map_err(from_protocol)?;
        Ok(t)
    }

    fn transfer_record(&self, t: &OpenedTransfer, jws: &str, code: TransferCode, now: u64) -> TransferRecord {
        TransferRecord {
            code: code.as_str().to_owned(),
            payment_id: t.payment_id().to_string(),
            digest: authorization_digest(&t.doc.authorization),
            sender: t.doc.from,
            recipient: t.doc.to,
            valid_before: t.claims.valid_before,
            deposited_at: now,
            transfer: jws.trim().to_owned(),
        }
    }

    /// `POST /issuer/transfers`: keeps a transfer for its recipient and answers its code.
    /// Nothing is settled. The same authorization deposited again gets the same code.
    pub fn deposit_transfer(&self, jws: &str) -> Result<DepositAnswer> {
        let now = self.clock.now();
        let t = self.open_transfer(jws, now)?;
        // A deposit is the payer's: past validBefore its own sync takes the money back.
        if now >= t.claims.valid_before {
            return Err(refused(Problem::TransferExpired, "the transfer's authorization has expired"));
        }
        let record = self.transfer_record(&t, jws, TransferCode::random()?, now);
        let code = self.store.deposit_transfer(&record)?;
        let code: TransferCode =
            code.parse().map_err(|_| Error::Store(format!("a stored code is invalid: {code:?}")))?;
        tracing::info!(payment_id = %t.payment_id(), amount = %t.amount, "transfer deposited");
        Ok(DepositAnswer { code, expires_at: t.claims.valid_before })
    }

    /// `GET /issuer/transfers/{code}`: the transfer deposited under `code`, until redeemed.
    pub fn transfer(&self, code: &str) -> Result<String> {
        let unknown = || refused(Problem::UnknownTransfer, "no transfer waits under this code");
        let code: TransferCode = code.parse().map_err(|_| unknown())?;
        match self.store.transfer_by_code(code.as_str())? {
            None => Err(unknown()),
            Some((_, Some(_))) => Err(refused(Problem::AlreadyRedeemed, "this transfer was redeemed")),
            Some((t, None)) => Ok(t.transfer),
        }
    }

    /// `POST /issuer/redemptions`: settles a transfer to its recipient and signs its credit
    /// note, in one transaction. A refusal changes nothing but what §13.2 records.
    pub fn redeem(&self, jws: &str) -> Result<RedemptionAnswer> {
        let now = self.clock.now();
        let request = RedemptionRequest::open(jws.trim(), &self.config.network, now).map_err(from_protocol)?;
        if !self.store.use_statement_nonce(&request.from, &request.nonce, now)? {
            return Err(Error::refused(
                StatusCode::CONFLICT,
                "replayed_request",
                "this redemption request was received before; sign a new one with a fresh nonce",
            ));
        }
        let (transfer_jws, code) = match request.which().map_err(from_protocol)? {
            Redeemed::Transfer(t) => (t.to_owned(), None),
            Redeemed::Code(c) => {
                let unknown = || refused(Problem::UnknownTransfer, "no transfer waits under this code");
                let (t, _) = self.store.transfer_by_code(c.as_str())?.ok_or_else(unknown)?;
                (t.transfer, Some(c.clone()))
            }
        };
        let t = TransferDoc::open(transfer_jws.trim()).map_err(from_protocol)?;
        if t.doc.to != request.from {
            return Err(refused(Problem::NotTheRecipient, "this transfer is for another wallet"));
        }
        let t = self.open_transfer(&transfer_jws, now)?;
        let account = wallet_account(&t.doc.to);
        let item = read_item(&t.doc.authorization).and_then(|r| self.check_item(r, false, &account)).map_err(
            |(_, code)| Error::refused(StatusCode::CONFLICT, code.into(), format!("settlement refused: {code}")),
        )?;
        let credit_id = t.credit_id();
        let claims = CreditClaims {
            iss: self.signer.public_key(),
            network: self.config.network.clone(),
            sub: t.doc.to,
            credit_id: credit_id.clone(),
            value: t.claims.value.clone(),
            asset: t.claims.asset,
            asset_scale: t.claims.asset_scale,
            issued_at: now,
        };
        let credit = documents::sign(&self.signer, &claims)?;
        let record = CreditRecord {
            credit_id: credit_id.clone(),
            wallet: t.doc.to,
            micros: t.amount.micros,
            asset: t.amount.asset,
            value: claims.value.clone(),
            asset_scale: claims.asset_scale,
            issued_at: now,
            credit: credit.clone(),
        };
        let code = match code {
            Some(c) => c,
            None => TransferCode::random()?,
        };
        let transfer = self.transfer_record(&t, &transfer_jws, code, now);
        let rules = Rules {
            now,
            refresh_seconds: self.config.revocation_refresh_seconds,
            skew_seconds: self.config.skew_seconds,
        };
        match self.store.redeem_transfer(&transfer, &item, &record, &rules)? {
            Redemption::Redeemed => {
                tracing::info!(payment_id = %t.payment_id(), amount = %t.amount, "transfer redeemed");
                Ok(RedemptionAnswer { credit, credit_id })
            }
            Redemption::AlreadyRedeemed => Err(refused(Problem::AlreadyRedeemed, "this transfer was redeemed before")),
            Redemption::PaymentIdConflict => Err(crate::store::payment_id_conflict(t.payment_id().as_str())),
            Redemption::Refused(code) => {
                tracing::info!(payment_id = %t.payment_id(), %code, "transfer refused at redemption");
                Err(Error::refused(
                    StatusCode::CONFLICT,
                    code.into(),
                    format!("the payer's authorization is refused: {code}"),
                ))
            }
        }
    }

    /// `POST /issuer/inbox`: the transfers deposited for the wallet that signed the request,
    /// unredeemed and still redeemable, oldest first.
    pub fn inbox(&self, jws: &str) -> Result<InboxAnswer> {
        let now = self.clock.now();
        let request = InboxRequest::open(jws.trim(), &self.config.network, now).map_err(from_protocol)?;
        if !self.store.use_statement_nonce(&request.from, &request.nonce, now)? {
            return Err(Error::refused(
                StatusCode::CONFLICT,
                "replayed_request",
                "this inbox request was received before; sign a new one with a fresh nonce",
            ));
        }
        // Redeemable while now < validBefore + skew.
        let after = now.saturating_sub(self.config.skew_seconds);
        Ok(InboxAnswer { transfers: self.store.inbox(&request.from, after, MAX_INBOX_TRANSFERS)? })
    }
}
