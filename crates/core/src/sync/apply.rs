//! A statement applied: everything it proves written in one transaction, or nothing.

use std::collections::{BTreeMap, HashSet};

use centime_protocol::statement::{Statement, StatementPayment};
use centime_protocol::{Asset, Micros, Network};
use rusqlite::{OptionalExtension, Transaction, params};

use super::recover::{self, Recovered};
use super::{AssetView, Discrepancy, HoldReason, PreparedSync, Revocation, SyncCounts, SyncResult};
use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::journal::{self, NewEntry};
use crate::payments::{Status, set_status, stored_payment_at};
use crate::sqlite;
use crate::wallet::Wallet;

pub(super) fn apply(w: &mut Wallet, prepared: &PreparedSync, jws: &str, period: u64) -> Result<SyncResult> {
    let statement = Statement::open_for(jws, &prepared.issuer, &prepared.request)
        .map_err(|e| Error::BadStatement(e.to_string()))?;
    let network = statement.network.clone();
    let now = w.now();
    let key = *w.key();
    let wallet = w.id;
    let tx = sqlite::immediate(&mut w.conn)?;
    crate::rules_store::check_issuers(&tx, &key)?;
    if Wallet::issuer_key(&tx, &network)? != Some(prepared.issuer) {
        return Err(Error::BadStatement("the trusted issuer changed since the request was made".into()));
    }
    let issuer_name: Option<String> = tx
        .query_row("SELECT name FROM issuers WHERE network = ?1", params![network.as_str()], |r| r.get(0))
        .optional()?
        .flatten();
    let mut done = SyncCounts::default();
    let mut discrepancies = Vec::new();
    let highest_before = highest_seq(&tx)?;

    let mut listed_credits = HashSet::new();
    for c in &statement.credits {
        listed_credits.insert(c.credit_id.as_str());
        let known: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM credits WHERE network = ?1 AND credit_id = ?2)")?
            .query_row(params![network.as_str(), c.credit_id], |r| r.get(0))?;
        if !known {
            recover::credit(&tx, &key, &prepared.issuer, &network, c, now)?;
            done.credits_recovered += 1;
        }
    }
    let mine: Vec<String> = {
        let mut stmt = tx.prepare_cached("SELECT credit_id FROM credits WHERE network = ?1 ORDER BY journal_id")?;
        stmt.query_map(params![network.as_str()], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
    };
    for id in mine.into_iter().filter(|id| !listed_credits.contains(id.as_str())) {
        discrepancies.push(Discrepancy::CreditUnknownToIssuer { credit_id: id });
    }

    let mut listed = HashSet::new();
    let mut unrecoverable = false;
    for sp in &statement.settled {
        listed.insert(sp.payment_id.as_str());
        // A transfer to another wallet, redeemed by its recipient.
        match crate::transfers::settled(&tx, sp.payment_id.as_str(), &sp.authorization, sp.settled_at, now)? {
            crate::transfers::Settled::NotMine => {}
            crate::transfers::Settled::Redeemed(marked) => {
                done.transfers_redeemed += u64::from(marked);
                continue;
            }
            crate::transfers::Settled::Forked => {
                discrepancies.push(Discrepancy::Forked { payment_id: sp.payment_id.clone(), seq: sp.seq });
                continue;
            }
            crate::transfers::Settled::AfterReturn => {
                discrepancies.push(Discrepancy::SettledAfterFinal { payment_id: sp.payment_id.clone() });
                continue;
            }
        }
        match settled_entry(&tx, &key, &wallet, &network, sp, now, &mut done)? {
            None => {}
            Some(d @ Discrepancy::Unrecoverable { .. }) => {
                unrecoverable = true;
                discrepancies.push(d);
            }
            Some(d) => discrepancies.push(d),
        }
    }
    done.refunds_final = make_refunds_final(&tx, &network, &listed, statement.issued_at, period, now)?;
    done.transfers_returned = crate::transfers::return_expired(&tx, &key, &network, &listed, statement.issued_at, now)?;

    // Found behind the issuer (or recovering a restore): the other copy may have signed numbers
    // no merchant settled yet, so the next payment continues far above every known one.
    let behind = statement.highest_seq > highest_before || done.payments_recovered > 0 || done.credits_recovered > 0;
    let restored = super::hold_of(&tx, &network)?.is_some_and(|h| h.reason == HoldReason::Restored);
    if behind || restored {
        super::raise_seq_floor(&tx)?;
    }
    let revoked = statement.revoked.as_ref().map(|r| Revocation { reason: r.reason, revoked_at: r.revoked_at });
    match (&revoked, unrecoverable) {
        (Some(r), _) => super::set_hold(&tx, network.as_str(), HoldReason::Revoked, Some(&r.reason.to_string()), now)?,
        (None, true) => super::set_hold(
            &tx,
            network.as_str(),
            HoldReason::Behind,
            Some("the issuer lists settled payments this wallet cannot rebuild"),
            now,
        )?,
        (None, false) => {
            tx.prepare_cached("DELETE FROM sync_holds WHERE network = ?1")?.execute(params![network.as_str()])?;
        }
    }

    let issuer_view = issuer_view(&statement)?;
    let wallet_view = wallet_view(&tx, &network)?;
    for iv in &issuer_view {
        let mine = wallet_view.iter().find(|v| v.asset == iv.asset);
        let unsettled = mine.and_then(|v| v.unsettled).unwrap_or(Micros::ZERO);
        let expected = iv.balance.checked_sub(unsettled)?;
        let have = mine.map_or(Micros::ZERO, |v| v.balance);
        if have != expected {
            discrepancies.push(Discrepancy::BalanceDiffers { asset: iv.asset, wallet: have, expected });
        }
    }
    let result = SyncResult {
        network: network.clone(),
        issuer_name,
        synced_at: now,
        statement_issued_at: statement.issued_at,
        done,
        issuer_view,
        issuer_highest_seq: statement.highest_seq,
        wallet_view,
        wallet_highest_seq: highest_seq(&tx)?,
        may_pay: super::hold_of(&tx, &network)?.is_none(),
        revoked,
        discrepancies,
    };
    let json = serde_json::to_string(&result).map_err(|e| Error::Integrity(e.to_string()))?;
    tx.prepare_cached(
        "INSERT INTO syncs (network, at, result) VALUES (?1, ?2, ?3)
         ON CONFLICT (network) DO UPDATE SET at = excluded.at, result = excluded.result",
    )?
    .execute(params![network.as_str(), now, json])?;
    tx.commit()?;
    tracing::info!(network = %network, done = ?result.done, discrepancies = result.discrepancies.len(), may_pay = result.may_pay, "statement applied");
    Ok(result)
}

/// A payment's row as a sync reads it: journal id, status, issuer_settled_at, refund_final_at,
/// the refusal's detail.
type LocalPayment = (i64, String, Option<i64>, Option<i64>, Option<String>);

/// One settled payment of the statement against the wallet's own record of it.
fn settled_entry(
    tx: &Transaction<'_>,
    key: &[u8; 32],
    wallet: &centime_protocol::PublicKey,
    network: &Network,
    sp: &StatementPayment,
    now: i64,
    done: &mut SyncCounts,
) -> Result<Option<Discrepancy>> {
    let local: Option<LocalPayment> = tx
        .prepare_cached(
            "SELECT journal_id, status, issuer_settled_at, refund_final_at, detail FROM payments WHERE payment_id = ?1",
        )?
        .query_row(params![sp.payment_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .optional()?;
    let Some((jid, status, issuer_settled, refund_final, detail)) = local else {
        return Ok(match recover::payment(tx, key, wallet, network, sp, now)? {
            Recovered::Payment { forked } => {
                done.payments_recovered += 1;
                forked.then(|| Discrepancy::Forked { payment_id: sp.payment_id.clone(), seq: sp.seq })
            }
            Recovered::Refused(why) => Some(Discrepancy::Unrecoverable { payment_id: sp.payment_id.clone(), why }),
        });
    };
    if issuer_settled.is_some() {
        return Ok(None);
    }
    let p = stored_payment_at(tx, jid)?.ok_or_else(|| Error::Integrity(format!("payment #{jid} vanished")))?;
    if p.authorization != sp.authorization {
        return Ok(Some(Discrepancy::Forked { payment_id: sp.payment_id.clone(), seq: sp.seq }));
    }
    let status = crate::payments::stored_status(&status)?;
    match status {
        Status::Pending | Status::Unconfirmed => {
            set_status(tx, jid, status, Status::Settled, None, Some("settled at the issuer"), now)?;
            done.marked_settled += 1;
        }
        Status::Settled => {}
        Status::Rejected if refund_final.is_some() => {
            recover::mark_issuer_settled(tx, jid, sp.settled_at)?;
            return Ok(Some(Discrepancy::SettledAfterFinal { payment_id: sp.payment_id.clone() }));
        }
        Status::Rejected => {
            // The refund was spent (ADR 16 releases it before the settlement deadline): the
            // balance says what is owed; nothing is marked, so a later sync retries.
            if Wallet::balance_of(tx, p.network.as_str(), p.amount.asset.as_str())? < p.amount.micros {
                return Ok(None);
            }
            let debit = p.amount.micros.checked_neg()?;
            journal::append(
                tx,
                key,
                &NewEntry {
                    at: now,
                    kind: Kind::Adjustment,
                    network: p.network.as_str(),
                    asset: p.amount.asset,
                    amount: debit,
                    site: Some(p.origin.as_str()),
                    resource: Some(&p.resource),
                    title: Some("Refund reversed: the merchant refused this payment but settled it"),
                    counterparty: Some(&p.pay_to),
                    payment_id: None,
                    reference: Some(p.payment_id.as_str()),
                    doc_hash: None,
                },
            )?;
            let entry = serde_json::to_string(sp).map_err(|e| Error::Integrity(e.to_string()))?;
            tx.prepare_cached(
                "INSERT INTO flagged_merchants (payment_id, network, pay_to, refusal, settlement, issuer_settled_at,
                                                flagged_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (payment_id) DO NOTHING",
            )?
            .execute(params![
                p.payment_id.as_str(),
                p.network.as_str(),
                p.pay_to,
                detail,
                entry,
                i64::try_from(sp.settled_at).unwrap_or(i64::MAX),
                now
            ])?;
            done.refunds_reversed += 1;
            tracing::warn!(payment_id = %p.payment_id, pay_to = %p.pay_to, "a merchant refused a payment and settled it: refund reversed, merchant flagged");
        }
    }
    recover::mark_issuer_settled(tx, jid, sp.settled_at)?;
    Ok(None)
}

/// Refunds of refused payments the statement does not list and whose settlement deadline had
/// passed when the issuer signed it: no merchant can settle them any more.
fn make_refunds_final(
    tx: &Transaction<'_>,
    network: &Network,
    listed: &HashSet<&str>,
    statement_at: u64,
    period: u64,
    now: i64,
) -> Result<u64> {
    let rows: Vec<(i64, String, i64)> = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT p.journal_id, p.payment_id, p.valid_before FROM payments p JOIN journal j ON j.id = p.journal_id
             WHERE p.status = '{}' AND p.refund_final_at IS NULL AND p.issuer_settled_at IS NULL AND j.network = ?1",
            Status::Rejected
        ))?;
        stmt.query_map(params![network.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut n = 0;
    for (jid, pid, valid_before) in rows {
        let deadline =
            centime_protocol::settlement::settlement_deadline(u64::try_from(valid_before).unwrap_or(0), period)?;
        if deadline <= statement_at && !listed.contains(pid.as_str()) {
            tx.prepare_cached("UPDATE payments SET refund_final_at = ?1 WHERE journal_id = ?2")?
                .execute(params![now, jid])?;
            n += 1;
        }
    }
    Ok(n)
}

fn highest_seq(conn: &rusqlite::Connection) -> Result<u64> {
    let h: Option<i64> = conn
        .prepare_cached(
            "SELECT MAX(s) FROM (SELECT MAX(seq) AS s FROM payments UNION ALL SELECT MAX(seq) FROM transfers)",
        )?
        .query_row([], |r| r.get(0))?;
    Ok(u64::try_from(h.unwrap_or(0)).unwrap_or(0))
}

fn issuer_view(s: &Statement) -> Result<Vec<AssetView>> {
    s.totals
        .iter()
        .map(|t| {
            let bad = |e: centime_protocol::Error| Error::BadStatement(format!("its {} totals: {e}", t.asset));
            let credited = Micros::from_wire(&t.credited, i64::from(t.asset_scale)).map_err(bad)?;
            let spent = Micros::from_wire(&t.spent, i64::from(t.asset_scale)).map_err(bad)?;
            Ok(AssetView { asset: t.asset, credited, spent, balance: credited.checked_sub(spent)?, unsettled: None })
        })
        .collect()
}

/// The wallet's account on `network`: credits, net spending (payments less refunds, plus
/// adjustments), balance, and the payments the issuer has not settled yet.
pub(super) fn wallet_view(conn: &rusqlite::Connection, network: &Network) -> Result<Vec<AssetView>> {
    let mut out: BTreeMap<String, (Micros, Micros, Micros)> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT asset, SUM(CASE WHEN kind IN ('{credit}', '{received}') THEN amount ELSE 0 END),
                SUM(CASE WHEN kind IN ('{credit}', '{received}') THEN 0 ELSE -amount END)
         FROM journal WHERE network = ?1 GROUP BY asset",
        credit = Kind::Credit,
        received = Kind::TransferIn
    ))?;
    let rows = stmt.query_map(params![network.as_str()], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
    })?;
    for row in rows {
        let (asset, credited, spent) = row?;
        out.insert(asset, (Micros::from_micros(credited), Micros::from_micros(spent), Micros::ZERO));
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT asset, COALESCE(SUM(owed), 0) FROM (
             SELECT j.asset, -j.amount AS owed FROM payments p JOIN journal j ON j.id = p.journal_id
             WHERE j.network = ?1 AND p.issuer_settled_at IS NULL AND p.status <> '{rejected}'
             UNION ALL
             -- Sends not redeemed yet: debited here, settled at the issuer only when redeemed.
             SELECT j.asset, -j.amount FROM transfers t JOIN journal j ON j.id = t.journal_id
             WHERE j.network = ?1 AND t.issuer_settled_at IS NULL AND t.status = '{pending}')
         GROUP BY asset",
        rejected = Status::Rejected,
        pending = crate::transfers::TransferStatus::Pending,
    ))?;
    let rows = stmt.query_map(params![network.as_str()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (asset, unsettled) = row?;
        out.entry(asset).or_insert((Micros::ZERO, Micros::ZERO, Micros::ZERO)).2 = Micros::from_micros(unsettled);
    }
    out.into_iter()
        .map(|(asset, (credited, spent, unsettled))| {
            let asset: Asset =
                asset.parse().map_err(|_| Error::Integrity(format!("stored asset {asset:?} is invalid")))?;
            Ok(AssetView { asset, credited, spent, balance: credited.checked_sub(spent)?, unsettled: Some(unsettled) })
        })
        .collect()
}
