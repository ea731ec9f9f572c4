//! The MACs that make the ledger tamper-evident: an unambiguous, length-prefixed encoding of
//! the fields a MAC covers, and HMAC-SHA256 over it with the journal's key (which lives only in
//! the keystore). The journal's rows and head and the rules' seals are all computed this way.

use ring::hmac;

use crate::journal::NewEntry;

/// Length-prefixed encoding of the MAC'd fields: unambiguous whatever the text holds.
#[derive(Default)]
pub(crate) struct MacInput(Vec<u8>);

impl MacInput {
    pub fn int(mut self, v: i64) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    pub fn text(self, v: Option<&str>) -> Self {
        self.bytes(v.map(str::as_bytes))
    }
    pub fn bytes(mut self, v: Option<&[u8]>) -> Self {
        match v {
            None => self.0.push(0),
            Some(b) => {
                self.0.push(1);
                self.0.extend_from_slice(&u64::try_from(b.len()).unwrap_or(u64::MAX).to_be_bytes());
                self.0.extend_from_slice(b);
            }
        }
        self
    }
    pub fn mac(&self, key: &[u8; 32]) -> [u8; 32] {
        let k = hmac::Key::new(hmac::HMAC_SHA256, key);
        let tag = hmac::sign(&k, &self.0);
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }
}

pub(crate) fn verify_mac(key: &[u8; 32], input: &MacInput, mac: &[u8]) -> bool {
    let k = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::verify(&k, &input.0, mac).is_ok()
}

/// A journal row as its MAC covers it: its own fields, its id and the MAC of the row before.
/// Appending computes it from a [`NewEntry`]; `verify` from the stored row.
pub(crate) struct ChainedRow<'a> {
    pub id: i64,
    pub prev: &'a [u8],
    pub at: i64,
    pub kind: &'a str,
    pub network: &'a str,
    pub asset: &'a str,
    pub amount: i64,
    pub site: Option<&'a str>,
    pub resource: Option<&'a str>,
    pub title: Option<&'a str>,
    pub counterparty: Option<&'a str>,
    pub payment_id: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub doc_hash: Option<&'a [u8]>,
}

impl<'a> ChainedRow<'a> {
    pub fn new(id: i64, prev: &'a [u8], e: &'a NewEntry<'a>) -> Self {
        ChainedRow {
            id,
            prev,
            at: e.at,
            kind: e.kind.into(),
            network: e.network,
            asset: e.asset.as_str(),
            amount: e.amount.get(),
            site: e.site,
            resource: e.resource,
            title: e.title,
            counterparty: e.counterparty,
            payment_id: e.payment_id,
            reference: e.reference,
            doc_hash: e.doc_hash.as_ref().map(|h| h.as_slice()),
        }
    }

    /// The encoding is the chain's format: its order and tag never change.
    pub fn mac_input(&self) -> MacInput {
        MacInput::default()
            .text(Some("centime-journal-v1"))
            .int(self.id)
            .bytes(Some(self.prev))
            .int(self.at)
            .text(Some(self.kind))
            .text(Some(self.network))
            .text(Some(self.asset))
            .int(self.amount)
            .text(self.site)
            .text(self.resource)
            .text(self.title)
            .text(self.counterparty)
            .text(self.payment_id)
            .text(self.reference)
            .bytes(self.doc_hash)
    }
}

/// The head: the last row (0 and 32 zero bytes for an empty journal) and the digest of the
/// rules' seals ([`crate::policy::rules_digest`]) as they were when it was written.
pub(crate) fn head_input(id: i64, mac: &[u8], rules: &[u8; 32]) -> MacInput {
    MacInput::default().text(Some("centime-journal-head-v2")).int(id).bytes(Some(mac)).bytes(Some(rules))
}

/// The head of wallets written before it covered the rules, accepted once by
/// [`crate::policy::upgrade_seal`]. Absent from an empty journal.
pub(crate) fn head_input_v1(id: i64, mac: &[u8]) -> MacInput {
    MacInput::default().text(Some("centime-journal-head-v1")).int(id).bytes(Some(mac))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::Kind;
    use centime_protocol::{Asset, Micros};

    fn hex(b: &[u8]) -> String {
        b.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Every wallet's chain is computed this way: a change of field order, tag or encoding
    /// would report every existing journal as tampered with.
    #[test]
    fn a_journal_row_mac_is_the_chain_format() {
        let e = NewEntry {
            at: 1_795_608_000,
            kind: Kind::Payment,
            network: "centime:test",
            asset: Asset::EUR,
            amount: Micros::from_micros(-100_000),
            site: Some("https://news.example"),
            resource: Some("https://news.example/a/1"),
            title: None,
            counterparty: Some("merchant-news"),
            payment_id: Some("pay_0123456789abcdefghijkl"),
            reference: None,
            doc_hash: Some([5; 32]),
        };
        let mac = ChainedRow::new(7, &[9; 32], &e).mac_input().mac(&[3; 32]);
        assert_eq!(hex(&mac), "7fee43d956f1248da3c95401eefb2154e24eb12f9f7a7266e1b79d4eb96a1398");
        assert!(verify_mac(&[3; 32], &ChainedRow::new(7, &[9; 32], &e).mac_input(), &mac));
        assert!(!verify_mac(&[4; 32], &ChainedRow::new(7, &[9; 32], &e).mac_input(), &mac));
        assert_eq!(
            hex(&head_input(7, &mac, &[1; 32]).mac(&[3; 32])).len(),
            64,
            "the head is a MAC over the last row and the rules"
        );
    }
}
