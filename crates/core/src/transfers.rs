//! Paying other wallets (issue 16, ADR 25 and 27): a transfer is an authorization that pays
//! `wallet:<recipient>`, debited and stored with its `transfer_out` row before it is signed out,
//! exactly like a payment; the recipient's wallet credits it as `transfer_in` once its issuer
//! redeemed it; the sender's sync marks it redeemed (the statement lists it among the settled
//! payments) or, past its redemption deadline and unlisted, returns it with a refund that is
//! final at once (the issuer never settles it after).

use centime_protocol::deeplink::DeepLink;
use centime_protocol::documents::{self, CreditClaims};
use centime_protocol::p2p::{self, OpenedTransfer, Redeemed, RequestId, TransferDoc, TransferTerms};
use centime_protocol::{Amount, Asset, Micros, Network, PaymentId, PublicKey};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::contacts::{self, short_wallet_id};
use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::journal::{self, NewEntry};
use crate::rules_store;
use crate::sqlite;
use crate::wallet::{HOLD_SKEW_SECONDS, Wallet};

/// Where a sent transfer stands. Its `Display` form is the `status` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::Display, strum::EnumString, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TransferStatus {
    /// Debited and signed; the recipient has not redeemed it (as far as the last sync knows).
    Pending,
    /// The recipient redeemed it at the issuer.
    Redeemed,
    /// Not redeemed in time: credited back by a refund.
    Returned,
}

/// A transfer this wallet signed (a send, or the payment of a request), debited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    /// Its payment id (for a request's payment, the one derived from the request).
    pub payment_id: PaymentId,
    /// The transfer JWS the recipient redeems.
    pub transfer_jws: String,
    /// `centime://receive?transfer=…`: the transfer whole (works without the issuer's inbox).
    pub link: String,
    /// The issuer's network.
    pub network: Network,
    /// What it pays.
    pub amount: Amount,
    /// The recipient's wallet id.
    pub to: PublicKey,
    /// The recipient's contact name, if it has one.
    pub contact_name: Option<String>,
    /// The note to the recipient, as signed.
    pub note: Option<String>,
    /// The request it pays.
    pub request_id: Option<RequestId>,
    /// The recipient must redeem it before this (Unix seconds; the issuer allows its skew more).
    pub valid_before: i64,
    /// Where it stands.
    pub status: TransferStatus,
    /// The short code, once deposited at the issuer.
    pub code: Option<String>,
    /// True when this is the stored transfer returned again (a request paid twice pays once).
    pub reused: bool,
    /// Paid without asking, by the contact's rule.
    pub automatic: bool,
    /// When it was signed and debited (Unix seconds).
    pub at: i64,
}

impl Transfer {
    /// The short link `centime://receive?network=…&code=…`, once deposited.
    pub fn short_link(&self) -> Result<Option<String>> {
        let Some(code) = &self.code else { return Ok(None) };
        let code = code.parse().map_err(|e: centime_protocol::Error| Error::Integrity(e.to_string()))?;
        Ok(Some(DeepLink::ReceiveCode { network: self.network.clone(), code }.to_link()?))
    }
}

/// A transfer from another wallet, credited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Received {
    /// The credit note's id: `t_<paymentId>`.
    pub credit: String,
    /// The sender's payment id.
    pub payment_id: PaymentId,
    /// The sender's wallet id.
    pub from: PublicKey,
    /// The sender's contact name, if it has one.
    pub contact_name: Option<String>,
    /// A short form of the sender's wallet id, for a sender without a name.
    pub from_short: String,
    /// The issuer's network.
    pub network: Network,
    /// What was credited.
    pub amount: Amount,
    /// The sender's note, made inert.
    pub note: Option<String>,
    /// The request of this wallet it paid.
    pub request_id: Option<RequestId>,
    /// The balance in that network and asset after the credit.
    pub balance: Micros,
}

/// What a receive link or pasted text names: a transfer whole, or a code at an issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiveInput {
    /// The transfer JWS.
    Transfer(String),
    /// A code to fetch the transfer with from `network`'s issuer.
    Code {
        /// The issuer's network.
        network: Network,
        /// The code.
        code: p2p::TransferCode,
    },
}

/// Reads a `centime://receive` link (either form) or a pasted transfer JWS.
pub fn receive_input(input: &str) -> Result<ReceiveInput> {
    let s = input.trim();
    if !s.starts_with("centime:") {
        return Ok(ReceiveInput::Transfer(s.to_owned()));
    }
    match DeepLink::parse(s)? {
        DeepLink::Receive { transfer } => Ok(ReceiveInput::Transfer(transfer)),
        DeepLink::ReceiveCode { network, code } => Ok(ReceiveInput::Code { network, code }),
        _ => Err(Error::TransferRefused("this link is not a centime://receive link".into())),
    }
}

fn refused(e: centime_protocol::Error) -> Error {
    Error::TransferRefused(e.to_string())
}

/// Signs `terms` as payment `payment_id`, in `tx`, after its debit: the journal row, the stored
/// transfer, then the signature (nothing signed leaves without its debit committed: the caller
/// commits before returning it).
pub(crate) fn sign_in(
    tx: &Transaction<'_>,
    key: [u8; 32],
    signer: &centime_protocol::jws::RingSigner,
    terms: &TransferTerms,
    payment_id: PaymentId,
    title: &str,
    now: i64,
) -> Result<(Transfer, i64)> {
    use centime_protocol::jws::Signer as _;
    let wallet_id = signer.public_key();
    let seq = crate::payments::next_seq(tx)?;
    let now_u = u64::try_from(now).unwrap_or(0);
    let claims = terms.authorization_claims(wallet_id, payment_id.clone(), seq, now_u).map_err(refused)?;
    let signed = p2p::sign_transfer(signer, terms, &claims, now_u)?;
    let amount = terms.amount().map_err(refused)?;
    let account = p2p::wallet_account(&terms.to);
    let jid = journal::append(
        tx,
        &key,
        &NewEntry {
            at: now,
            kind: Kind::TransferOut,
            network: terms.network.as_str(),
            asset: amount.asset,
            amount: amount.micros.checked_neg()?,
            site: None,
            resource: Some(&claims.resource),
            title: Some(title),
            counterparty: Some(&account),
            payment_id: Some(payment_id.as_str()),
            reference: terms.request_id.as_ref().map(RequestId::as_str),
            doc_hash: Some(journal::sha256(signed.transfer.as_bytes())),
        },
    )?;
    let valid_before = i64::try_from(claims.valid_before).unwrap_or(i64::MAX);
    tx.prepare_cached(
        "INSERT INTO transfers (journal_id, payment_id, seq, recipient, request_id, authorization, transfer,
                                valid_before, status, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        jid,
        payment_id.as_str(),
        i64::try_from(seq).map_err(|_| Error::Integrity("seq does not fit".into()))?,
        terms.to.to_string(),
        terms.request_id.as_ref().map(RequestId::as_str),
        signed.authorization,
        signed.transfer,
        valid_before,
        <&'static str>::from(TransferStatus::Pending),
        now
    ])?;
    let link = DeepLink::Receive { transfer: signed.transfer.clone() }.to_link()?;
    let contact_name = contacts::by_key(tx, &key, &terms.to)?.map(|c| c.name);
    Ok((
        Transfer {
            payment_id,
            transfer_jws: signed.transfer,
            link,
            network: terms.network.clone(),
            amount,
            to: terms.to,
            contact_name,
            note: terms.note.clone(),
            request_id: terms.request_id.clone(),
            valid_before,
            status: TransferStatus::Pending,
            code: None,
            reused: false,
            automatic: false,
            at: now,
        },
        jid,
    ))
}

/// The transfer this wallet signed as `payment_id`, if any.
pub(crate) fn stored(conn: &Connection, key: &[u8; 32], payment_id: &str) -> Result<Option<Transfer>> {
    let row: Option<(String, String, i64, String, Option<String>, i64)> = conn
        .prepare_cached(
            "SELECT t.transfer, t.status, t.valid_before, j.network, t.code, j.at
             FROM transfers t JOIN journal j ON j.id = t.journal_id WHERE t.payment_id = ?1",
        )?
        .query_row(params![payment_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))
        .optional()?;
    let Some((jws, status, valid_before, _network, code, at)) = row else { return Ok(None) };
    let bad = |what: &str| Error::Integrity(format!("the stored transfer {payment_id}: {what}"));
    // Signed by this wallet and sealed by its journal row: its claims are read, not trusted anew.
    let opened = TransferDoc::open(&jws).map_err(|_| bad("it no longer verifies"))?;
    let status = status.parse().map_err(|_| bad("unknown status"))?;
    let contact_name = contacts::by_key(conn, key, &opened.doc.to)?.map(|c| c.name);
    Ok(Some(Transfer {
        payment_id: opened.claims.payment_id.clone(),
        link: DeepLink::Receive { transfer: jws.clone() }.to_link()?,
        transfer_jws: jws,
        network: opened.doc.network.clone(),
        amount: opened.amount,
        to: opened.doc.to,
        contact_name,
        note: opened.doc.note.clone(),
        request_id: opened.doc.request_id.clone(),
        valid_before,
        status,
        code,
        reused: true,
        automatic: false,
        at,
    }))
}

/// The title a `transfer_out` row shows: to whom (a contact's name, else a short wallet id).
pub(crate) fn title_to(conn: &Connection, key: &[u8; 32], to: &PublicKey, request: bool) -> Result<String> {
    let who = contacts::by_key(conn, key, to)?.map_or_else(|| short_wallet_id(to), |c| c.name);
    Ok(if request { format!("Request paid to {who}") } else { format!("Sent to {who}") })
}

impl Wallet {
    /// Sends `amount` of `asset` on `network` to wallet `to`, with an optional note: debited
    /// and stored before the transfer is returned (deposit it at the issuer with the client,
    /// then [`Wallet::record_deposit`], or hand over [`Transfer::link`]). A send is the user's
    /// own act: it is not asked again, but paused payments, a sync hold and the balance refuse it.
    pub fn make_transfer(
        &mut self,
        to: &PublicKey,
        amount: Micros,
        asset: Asset,
        network: &Network,
        note: Option<&str>,
    ) -> Result<Transfer> {
        if *to == self.id {
            return Err(Error::InvalidArgument("a wallet cannot send to itself".into()));
        }
        if !amount.is_positive() {
            return Err(Error::InvalidArgument("the amount to send must be more than zero".into()));
        }
        let terms = TransferTerms::send(*to, Amount::new(amount, asset), network.clone(), note)
            .map_err(|e| Error::InvalidArgument(e.to_string()))?;
        let now = self.now();
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        let limits = rules_store::load_limits(&tx, &key)?;
        if Wallet::issuer_key(&tx, network)?.is_none() {
            return Err(Error::UntrustedIssuer(network.to_string()));
        }
        if limits.paused {
            return Err(Error::Refused(crate::policy::Reason::bare(crate::policy::ReasonCode::Paused)));
        }
        Wallet::check_may_pay(&tx, network)?;
        let spendable = Wallet::spendable_of(&tx, network.as_str(), asset.as_str(), now)?;
        if spendable < amount {
            return Err(Error::InsufficientFunds {
                needed: Amount::new(amount, asset),
                available: spendable,
                held: None,
            });
        }
        let title = title_to(&tx, &key, to, false)?;
        let (t, _) = sign_in(&tx, key, &self.signer, &terms, PaymentId::random()?, &title, now)?;
        crate::crash::point(crate::crash::PAY_BEFORE_COMMIT);
        tx.commit()?;
        tracing::info!(payment_id = %t.payment_id, amount = %t.amount, "transfer signed and debited");
        Ok(t)
    }

    /// Records the short code the issuer gave when the transfer `payment_id` was deposited.
    pub fn record_deposit(&mut self, payment_id: &PaymentId, code: &str) -> Result<Transfer> {
        let code: p2p::TransferCode =
            code.parse().map_err(|e: centime_protocol::Error| Error::TransferRefused(e.to_string()))?;
        let key = *self.key();
        let n = self
            .conn
            .prepare_cached("UPDATE transfers SET code = ?1 WHERE payment_id = ?2 AND (code IS NULL OR code = ?1)")?
            .execute(params![code.as_str(), payment_id.as_str()])?;
        if n != 1 {
            return Err(Error::UnknownPayment(payment_id.to_string()));
        }
        stored(&self.conn, &key, payment_id.as_str())?.ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))
    }

    /// The transfer this wallet signed as `payment_id`.
    pub fn transfer(&self, payment_id: &PaymentId) -> Result<Transfer> {
        stored(&self.conn, self.key(), payment_id.as_str())?
            .ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))
    }

    /// Every transfer this wallet signed, newest first.
    pub fn transfers(&self) -> Result<Vec<Transfer>> {
        let ids: Vec<String> = {
            let mut stmt = self.conn.prepare("SELECT payment_id FROM transfers ORDER BY journal_id DESC")?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        ids.iter().filter_map(|id| stored(&self.conn, self.key(), id).transpose()).collect()
    }

    /// Transfers still pending whose deposit at the issuer is not recorded (sent offline, or
    /// a deposit that failed): a shell may deposit them again, the same bytes each time.
    pub fn undeposited_transfers(&self) -> Result<Vec<Transfer>> {
        let ids: Vec<String> = {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT payment_id FROM transfers WHERE status = '{}' AND code IS NULL ORDER BY journal_id",
                TransferStatus::Pending
            ))?;
            stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        ids.iter().filter_map(|id| stored(&self.conn, self.key(), id).transpose()).collect()
    }

    /// A signed request to redeem a transfer at `network`'s issuer, whole or by its code.
    pub fn redemption_request(&self, network: &Network, which: Redeemed<'_>) -> Result<String> {
        let now = u64::try_from(self.now()).unwrap_or(0);
        let r = p2p::RedemptionRequest::new(self.id, network.clone(), now, which)?;
        Ok(documents::sign(&self.signer, &r)?)
    }

    /// A signed request for the transfers waiting for this wallet at `network`'s issuer.
    pub fn inbox_request(&self, network: &Network) -> Result<String> {
        let now = u64::try_from(self.now()).unwrap_or(0);
        let r = p2p::InboxRequest::new(self.id, network.clone(), now)?;
        Ok(documents::sign(&self.signer, &r)?)
    }

    /// Checks a transfer sent to this wallet without crediting it: who sent what, and whether
    /// it was received already.
    pub fn open_transfer(&self, transfer_jws: &str) -> Result<OpenedTransfer> {
        let opened = TransferDoc::open(transfer_jws.trim()).map_err(refused)?;
        if opened.doc.to != self.id {
            return Err(Error::TransferRefused(format!(
                "it pays wallet {}, not this one",
                short_wallet_id(&opened.doc.to)
            )));
        }
        rules_store::check_issuers(&self.conn, self.key())?;
        if Wallet::issuer_key(&self.conn, &opened.doc.network)?.is_none() {
            return Err(Error::UntrustedIssuer(opened.doc.network.to_string()));
        }
        Ok(opened)
    }

    /// Credits the transfer `transfer_jws` once its issuer redeemed it for this wallet with the
    /// credit note `credit_jws` (what [`centime_client`'s] `redeem` returns): both are checked
    /// (the transfer is for this wallet, the note is the trusted issuer's, to this wallet, of
    /// `t_<paymentId>` and of the transfer's amount), then one `transfer_in` row, once.
    pub fn receive(&mut self, transfer_jws: &str, credit_jws: &str) -> Result<Received> {
        let opened = self.open_transfer(transfer_jws)?;
        let network = opened.doc.network.clone();
        let claims: CreditClaims = documents::open(credit_jws.trim())
            .map_err(|e| Error::CreditRefused(format!("the issuer's credit note: {e}")))?;
        let issuer =
            Wallet::issuer_key(&self.conn, &network)?.ok_or_else(|| Error::UntrustedIssuer(network.to_string()))?;
        let credit_id = opened.credit_id();
        let amount = claims.amount().map_err(|e| Error::CreditRefused(e.to_string()))?;
        if claims.iss != issuer || claims.network != network {
            return Err(Error::UntrustedIssuer(format!("{network} (the credit note is not its trusted issuer's)")));
        }
        if claims.sub != self.id || claims.credit_id != credit_id || amount != opened.amount {
            return Err(Error::CreditRefused("the credit note is not this transfer's".into()));
        }
        let now = self.now();
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        let seen: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM credits WHERE network = ?1 AND credit_id = ?2)")?
            .query_row(params![network.as_str(), credit_id], |r| r.get(0))?;
        if seen {
            return Err(Error::AlreadyReceived(credit_id));
        }
        let from = opened.doc.from;
        let contact_name = contacts::by_key(&tx, &key, &from)?.map(|c| c.name);
        let who = contact_name.clone().unwrap_or_else(|| short_wallet_id(&from));
        let title = format!("Received from {who}");
        let account = p2p::wallet_account(&from);
        let jid = journal::append(
            &tx,
            &key,
            &NewEntry {
                at: now,
                kind: Kind::TransferIn,
                network: network.as_str(),
                asset: amount.asset,
                amount: amount.micros,
                site: None,
                resource: Some(&opened.claims.resource),
                title: Some(&title),
                counterparty: Some(&account),
                payment_id: None,
                reference: Some(&credit_id),
                doc_hash: Some(journal::sha256(credit_jws.trim().as_bytes())),
            },
        )?;
        tx.prepare_cached("INSERT INTO credits (network, credit_id, journal_id, note) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![network.as_str(), credit_id, jid, credit_jws.trim()])?;
        tx.prepare_cached(
            "INSERT INTO received_transfers (journal_id, payment_id, sender, request_id, transfer)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            jid,
            opened.payment_id().as_str(),
            from.to_string(),
            opened.doc.request_id.as_ref().map(RequestId::as_str),
            transfer_jws.trim()
        ])?;
        let balance = Wallet::balance_of(&tx, network.as_str(), amount.asset.as_str())?;
        tx.commit()?;
        tracing::info!(credit_id = %credit_id, amount = %amount, "transfer received");
        Ok(Received {
            credit: credit_id,
            payment_id: opened.payment_id().clone(),
            from,
            contact_name,
            from_short: short_wallet_id(&from),
            network,
            amount,
            note: opened.note_shown(),
            request_id: opened.doc.request_id.clone(),
            balance,
        })
    }
}

/// A sync's part for this wallet's sends on `network`: `listed` are the payment ids the
/// statement lists as settled (already matched by [`settled`]); every pending transfer not
/// among them whose redemption deadline had passed when the issuer signed the statement is
/// returned: a refund credits it back, final at once. Returns how many.
pub(crate) fn return_expired(
    tx: &Transaction<'_>,
    key: &[u8; 32],
    network: &Network,
    listed: &std::collections::HashSet<&str>,
    statement_at: u64,
    now: i64,
) -> Result<u64> {
    let rows: Vec<(i64, String, i64, String, i64, String)> = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT t.journal_id, t.payment_id, t.valid_before, j.asset, j.amount, j.counterparty
             FROM transfers t JOIN journal j ON j.id = t.journal_id
             WHERE t.status = '{}' AND j.network = ?1 ORDER BY t.journal_id",
            TransferStatus::Pending
        ))?;
        stmt.query_map(params![network.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    let statement_at = i64::try_from(statement_at).unwrap_or(i64::MAX);
    let mut n = 0;
    for (jid, pid, valid_before, asset, amount, counterparty) in rows {
        if listed.contains(pid.as_str()) || valid_before.saturating_add(HOLD_SKEW_SECONDS) > statement_at {
            continue;
        }
        let asset: Asset = asset.parse().map_err(|_| Error::Integrity(format!("transfer {pid}: a bad asset")))?;
        let back = Micros::from_micros(amount).checked_neg()?;
        journal::append(
            tx,
            key,
            &NewEntry {
                at: now,
                kind: Kind::Refund,
                network: network.as_str(),
                asset,
                amount: back,
                site: None,
                resource: None,
                title: Some("Returned: not collected in time"),
                counterparty: Some(&counterparty),
                payment_id: None,
                reference: Some(&pid),
                doc_hash: None,
            },
        )?;
        let changed = tx
            .prepare_cached("UPDATE transfers SET status = ?1, updated_at = ?2 WHERE journal_id = ?3 AND status = ?4")?
            .execute(params![
                <&'static str>::from(TransferStatus::Returned),
                now,
                jid,
                <&'static str>::from(TransferStatus::Pending)
            ])?;
        if changed != 1 {
            return Err(Error::Integrity(format!("transfer {pid} changed during the sync")));
        }
        tracing::info!(payment_id = %pid, "unredeemed transfer returned");
        n += 1;
    }
    Ok(n)
}

/// What a settled entry of the statement is for a transfer of this wallet.
pub(crate) enum Settled {
    /// Not a transfer of this wallet.
    NotMine,
    /// Marked redeemed now, or known so.
    Redeemed(bool),
    /// Settled under this payment id with another authorization: a fork.
    Forked,
    /// Settled after the wallet returned it.
    AfterReturn,
}

/// The statement's settled entry `payment_id` with `authorization`, against the transfers.
pub(crate) fn settled(
    tx: &Transaction<'_>,
    payment_id: &str,
    authorization: &str,
    settled_at: u64,
    now: i64,
) -> Result<Settled> {
    let row: Option<(i64, String, String, Option<i64>)> = tx
        .prepare_cached(
            "SELECT journal_id, status, authorization, issuer_settled_at FROM transfers WHERE payment_id = ?1",
        )?
        .query_row(params![payment_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((jid, status, mine, issuer_settled)) = row else { return Ok(Settled::NotMine) };
    if mine != authorization {
        return Ok(Settled::Forked);
    }
    if issuer_settled.is_some() {
        return Ok(Settled::Redeemed(false));
    }
    let at = i64::try_from(settled_at).unwrap_or(i64::MAX);
    match status.parse::<TransferStatus>() {
        Ok(TransferStatus::Pending) => {
            tx.prepare_cached(
                "UPDATE transfers SET status = ?1, issuer_settled_at = ?2, updated_at = ?3 WHERE journal_id = ?4",
            )?
            .execute(params![<&'static str>::from(TransferStatus::Redeemed), at, now, jid])?;
            Ok(Settled::Redeemed(true))
        }
        Ok(TransferStatus::Redeemed) => {
            tx.prepare_cached("UPDATE transfers SET issuer_settled_at = ?1 WHERE journal_id = ?2")?
                .execute(params![at, jid])?;
            Ok(Settled::Redeemed(false))
        }
        Ok(TransferStatus::Returned) => {
            tx.prepare_cached("UPDATE transfers SET issuer_settled_at = ?1 WHERE journal_id = ?2")?
                .execute(params![at, jid])?;
            Ok(Settled::AfterReturn)
        }
        Err(_) => Err(Error::Integrity(format!("transfer {payment_id}: unknown status {status:?}"))),
    }
}

/// A transfer's journal row as the LEFT JOIN reads it: kind, payment id, amount, asset,
/// network, document hash (all absent when the row is missing).
type JournalSide = (Option<String>, Option<String>, Option<i64>, Option<String>, Option<String>, Option<Vec<u8>>);

/// `verify`'s part: every sent transfer is its journal row's (a `transfer_out` of its payment
/// id, the JWS that row hashed, what its authorization signs), it is returned exactly when a
/// refund credits it back, and every received one keeps the transfer its credit was for.
pub(crate) fn verify_rows(conn: &Connection, wallet: &PublicKey) -> Result<i64> {
    let mut stmt = conn.prepare(&format!(
        "SELECT t.payment_id, t.seq, t.authorization, t.transfer, t.valid_before, t.status, t.recipient,
                j.kind, j.payment_id, j.amount, j.asset, j.network, j.doc_hash,
                (SELECT COUNT(*) FROM journal r WHERE r.kind = '{}' AND r.ref = t.payment_id)
         FROM transfers t LEFT JOIN journal j ON j.id = t.journal_id ORDER BY t.journal_id",
        Kind::Refund
    ))?;
    let mut rows = stmt.query([])?;
    let mut n = 0i64;
    while let Some(r) = rows.next()? {
        n += 1;
        let pid: String = r.get(0)?;
        let bad = |what: &str| Error::Integrity(format!("transfer {pid}: {what}"));
        let (seq, authorization, jws, valid_before, status, recipient): (i64, String, String, i64, String, String) =
            (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
        let (kind, jpid, amount, asset, network, hash): JournalSide =
            (r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?);
        let refunds: i64 = r.get(13)?;
        if kind.as_deref() != Some(<&'static str>::from(Kind::TransferOut)) || jpid.as_deref() != Some(pid.as_str()) {
            return Err(bad("it does not match its journal row"));
        }
        if hash.as_deref() != Some(journal::sha256(jws.as_bytes()).as_slice()) {
            return Err(bad("its stored transfer was changed"));
        }
        let opened = TransferDoc::open(&jws).map_err(|_| bad("its stored transfer does not verify"))?;
        let c = &opened.claims;
        if opened.doc.from != *wallet
            || c.payment_id.as_str() != pid
            || opened.doc.authorization != authorization
            || opened.doc.to.to_string() != recipient
            || i64::try_from(c.seq).ok() != Some(seq)
            || i64::try_from(c.valid_before).ok() != Some(valid_before)
            || amount.map(|a| a.saturating_neg()) != Some(opened.amount.micros.get())
            || asset.as_deref() != Some(opened.amount.asset.as_str())
            || network.as_deref() != Some(opened.doc.network.as_str())
        {
            return Err(bad("its journal row does not match what was signed"));
        }
        let returned =
            status.parse::<TransferStatus>().map_err(|_| bad("an unknown status"))? == TransferStatus::Returned;
        if refunds != i64::from(returned) {
            return Err(bad(&format!("it is {status} but has {refunds} refund(s) in the journal")));
        }
    }
    let mut stmt = conn.prepare(
        "SELECT t.payment_id, t.transfer, t.sender, j.ref FROM received_transfers t JOIN journal j ON j.id = t.journal_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (pid, jws, sender, reference): (String, String, String, Option<String>) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        let bad = || Error::Integrity(format!("the received transfer {pid} was changed"));
        let opened = TransferDoc::open(&jws).map_err(|_| bad())?;
        if opened.doc.to != *wallet
            || opened.payment_id().as_str() != pid
            || opened.doc.from.to_string() != sender
            || reference.as_deref() != Some(opened.credit_id().as_str())
        {
            return Err(bad());
        }
    }
    Ok(n)
}
