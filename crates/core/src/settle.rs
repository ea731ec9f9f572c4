//! What became of a payment once sent: the merchant's acceptance (its receipt checked), its
//! refusal (credited back), no answer, or an authorization expired before an answer was kept.

use centime_protocol::documents::{self, ReceiptClaims};
use centime_protocol::{Micros, PaymentId, SettlementResponse};
use rusqlite::params;

use crate::entry::Kind;
use crate::error::{Error, Result};
use crate::journal::{self, NewEntry};
use crate::payments::{Status, set_status, stored_payment};
use crate::sqlite;
use crate::wallet::Wallet;

impl Wallet {
    /// Records the merchant's acceptance, checking its receipt when there is one.
    pub fn record_settled(&mut self, payment_id: &PaymentId, response: &SettlementResponse) -> Result<Status> {
        if !response.success {
            let reason = response.error_reason.clone().unwrap_or_else(|| "the merchant refused the payment".into());
            tracing::warn!(payment_id = %payment_id, "the merchant answered with an unsuccessful settlement");
            return self.record_rejected(payment_id, &reason);
        }
        let now = self.now();
        let wallet_id = self.id;
        let tx = sqlite::immediate(&mut self.conn)?;
        let p = stored_payment(&tx, payment_id)?.ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))?;
        match p.status {
            // Settled before on the merchant's word alone: a receipt given now is checked and
            // kept (an integrator handing back the PAYMENT-RESPONSE its x402 client dropped).
            Status::Settled if !p.has_receipt() && response.receipt.is_some() => {}
            Status::Settled => return Ok(Status::Settled),
            // Already refunded: a late success must not leave it settled with its refund.
            Status::Rejected => {
                return Err(Error::BadTransition {
                    id: payment_id.to_string(),
                    status: Status::Rejected,
                    to: Status::Settled,
                });
            }
            Status::Pending | Status::Unconfirmed => {}
        }
        if let Some(receipt) = &response.receipt {
            let claims: ReceiptClaims = documents::open(receipt).map_err(|e| Error::BadReceipt(e.to_string()))?;
            // `open` verified it under the key the receipt names itself, which any key can be:
            // for a certified merchant only the key its issuer certified proves anything.
            if let Some(m) = &p.merchant
                && claims.iss != m.receipt_key
            {
                tracing::warn!(payment_id = %payment_id, "the receipt is not signed by the merchant's certified key");
                return Err(Error::BadReceipt("the receipt is not signed by the merchant's certified key".into()));
            }
            let paid = p.amount.micros;
            let value = Micros::from_wire(&claims.value, i64::from(claims.asset_scale))
                .map_err(|e| Error::BadReceipt(e.to_string()))?;
            if claims.payer != wallet_id
                || &claims.payment_id != payment_id
                || claims.resource_url != p.resource
                || claims.asset != p.amount.asset
                || value != paid
            {
                tracing::warn!(payment_id = %payment_id, "the merchant's receipt does not describe this payment");
                return Err(Error::BadReceipt("the receipt does not describe this payment".into()));
            }
        }
        let receipt = match &response.receipt {
            Some(r) => Some(p.pack_receipt(&wallet_id.to_string(), r)?),
            None => None,
        };
        set_status(&tx, p.journal_id, p.status, Status::Settled, receipt, None, now)?;
        crate::crash::point(crate::crash::SETTLE_BEFORE_COMMIT);
        tx.commit()?;
        tracing::info!(payment_id = %payment_id, site = %p.origin, receipt = response.receipt.is_some(), "payment settled");
        Ok(Status::Settled)
    }

    /// Records an explicit refusal by the merchant and credits the payment back.
    pub fn record_rejected(&mut self, payment_id: &PaymentId, reason: &str) -> Result<Status> {
        let now = self.now();
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        let p = stored_payment(&tx, payment_id)?.ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))?;
        match p.status {
            Status::Rejected => return Ok(Status::Rejected),
            Status::Settled => {
                return Err(Error::BadTransition {
                    id: payment_id.to_string(),
                    status: Status::Settled,
                    to: Status::Rejected,
                });
            }
            Status::Pending | Status::Unconfirmed => {}
        }
        let reason: String = reason.chars().filter(|c| !c.is_control()).take(200).collect();
        journal::append(
            &tx,
            &key,
            &NewEntry {
                at: now,
                kind: Kind::Refund,
                network: p.network.as_str(),
                asset: p.amount.asset,
                amount: p.amount.micros,
                site: Some(p.origin.as_str()),
                resource: Some(&p.resource),
                title: Some(&format!("Refund: {reason}")),
                counterparty: Some(&p.pay_to),
                payment_id: None,
                reference: Some(payment_id.as_str()),
                doc_hash: None,
            },
        )?;
        set_status(&tx, p.journal_id, p.status, Status::Rejected, None, Some(&reason), now)?;
        crate::crash::point(crate::crash::REFUND_BEFORE_COMMIT);
        tx.commit()?;
        tracing::warn!(payment_id = %payment_id, site = %p.origin, amount = %p.amount, reason = %reason, "payment refused by the merchant, credited back");
        Ok(Status::Rejected)
    }

    /// The merchant's answer is unknown (network failure after sending).
    pub fn mark_unconfirmed(&mut self, payment_id: &PaymentId, detail: &str) -> Result<Status> {
        let now = self.now();
        let tx = sqlite::immediate(&mut self.conn)?;
        let p = stored_payment(&tx, payment_id)?.ok_or_else(|| Error::UnknownPayment(payment_id.to_string()))?;
        if p.status != Status::Pending {
            return Ok(p.status);
        }
        set_status(&tx, p.journal_id, p.status, Status::Unconfirmed, None, Some(detail), now)?;
        tx.commit()?;
        tracing::warn!(payment_id = %payment_id, site = %p.origin, detail, "payment unconfirmed: the merchant's answer is unknown");
        Ok(Status::Unconfirmed)
    }

    /// Pending payments whose authorization has expired cannot still be in flight: their
    /// outcome is unknown, and they are listed as unconfirmed for the user. Done on open, and
    /// by a long-running process (the app) before it looks for unconfirmed payments: a crash
    /// followed by a quick restart leaves payments pending that expire later.
    pub fn resolve_stale_pending(&mut self) -> Result<()> {
        let now = self.now();
        let stale: Vec<i64> = {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT journal_id FROM payments WHERE status = '{}' AND valid_before < ?1",
                Status::Pending
            ))?;
            stmt.query_map(params![now], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?
        };
        if stale.is_empty() {
            return Ok(());
        }
        tracing::info!(count = stale.len(), "pending payments past their expiry are now unconfirmed");
        let tx = sqlite::immediate(&mut self.conn)?;
        for id in stale {
            set_status(
                &tx,
                id,
                Status::Pending,
                Status::Unconfirmed,
                None,
                Some("the wallet stopped before the merchant's answer was recorded"),
                now,
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}
