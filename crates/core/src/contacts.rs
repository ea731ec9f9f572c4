//! Contacts: a name for another wallet's key, sealed like the rules, with an optional rule
//! for that wallet's payment requests (paid without asking up to a maximum each and a cap a
//! month; without a rule, every request is asked).
//!
//! Each row carries a MAC over its name, key and rule; the set of rows a MAC kept in
//! `meta.contacts_digest`, which the rules' digest (and so the journal's head, ADR 15) covers
//! once there is a contact. A key swapped under a friend's name, a rule raised, a contact
//! removed or put back from an older copy of the wallet is refused before anything is paid.

use centime_protocol::{Micros, PublicKey};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::mac::{MacInput, verify_mac};
use crate::sqlite;
use crate::wallet::Wallet;

/// The longest contact name, in characters.
pub const MAX_CONTACT_NAME: usize = 64;

/// The account a wallet is paid into at its issuer: `wallet:` and its key (p2p-spec).
pub const WALLET_ACCOUNT_PREFIX: &str = "wallet:";

/// A contact's rule for its requests: each one at most `max_per_request` and all of a calendar
/// month (UTC) at most `monthly_cap` are paid without asking. The global limits still apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRule {
    /// The most one request may ask to be paid without asking.
    pub max_per_request: Micros,
    /// The most this contact's requests may be paid without asking in a calendar month.
    pub monthly_cap: Micros,
}

/// A name for another wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// The name, as the user gave it (1–64 printable characters, unique whatever the case).
    pub name: String,
    /// The wallet's public key: its id, and its account `wallet:<key>` at the issuer.
    pub wallet_id: PublicKey,
    /// The rule for its requests; `None`: every request is asked.
    pub rule: Option<ContactRule>,
    /// When it was added (Unix seconds).
    pub added_at: i64,
    /// When it last changed (Unix seconds).
    pub updated_at: i64,
}

impl Contact {
    fn mac_input(&self) -> MacInput {
        MacInput::default()
            .text(Some("centime-contact-v1"))
            .text(Some(&self.name))
            .text(Some(&self.wallet_id.to_string()))
            .int(i64::from(self.rule.is_some()))
            .int(self.rule.map_or(-1, |r| r.max_per_request.get()))
            .int(self.rule.map_or(-1, |r| r.monthly_cap.get()))
            .int(self.added_at)
            .int(self.updated_at)
    }
}

/// A short form of a wallet id for people who have no name for it: its first and last six
/// characters (never a site's origin: a wallet has none).
pub fn short_wallet_id(key: &PublicKey) -> String {
    let s = key.to_string();
    match (s.get(..6), s.get(s.len().saturating_sub(6)..)) {
        (Some(a), Some(b)) if s.len() > 12 => format!("{a}…{b}"),
        _ => s,
    }
}

/// A name checked: trimmed, 1–64 characters, no control or format characters (nothing that
/// could reorder or hide what a prompt shows).
pub(crate) fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_CONTACT_NAME {
        return Err(Error::InvalidArgument(format!(
            "a contact name is 1 to {MAX_CONTACT_NAME} characters; got {}",
            name.chars().count()
        )));
    }
    if name.chars().any(centime_protocol::text::is_hidden) {
        return Err(Error::InvalidArgument("a contact name cannot hold control or invisible characters".into()));
    }
    if name.parse::<PublicKey>().is_ok() {
        return Err(Error::InvalidArgument("a contact name cannot be a wallet id".into()));
    }
    Ok(name.to_owned())
}

fn folded(name: &str) -> String {
    name.to_lowercase()
}

/// Reads a wallet id as the user typed or pasted it: the bare key, or `wallet:<key>`.
pub fn parse_wallet_id(s: &str) -> Result<PublicKey> {
    let s = s.trim();
    let key = s.strip_prefix(WALLET_ACCOUNT_PREFIX).unwrap_or(s);
    key.parse()
        .map_err(|_| Error::InvalidArgument(format!("{:?} is not a wallet id (43 characters of base64url)", inert(s))))
}

fn inert(s: &str) -> String {
    centime_protocol::text::clean(s, 64)
}

type Row = (Contact, Vec<u8>);

fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let key: String = r.get(1)?;
    let wallet_id = key
        .parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?;
    let rule = match (r.get::<_, i64>(2)?, r.get::<_, Option<i64>>(3)?, r.get::<_, Option<i64>>(4)?) {
        (1, Some(max), Some(cap)) => {
            Some(ContactRule { max_per_request: Micros::from_micros(max), monthly_cap: Micros::from_micros(cap) })
        }
        _ => None,
    };
    Ok((Contact { name: r.get(0)?, wallet_id, rule, added_at: r.get(5)?, updated_at: r.get(6)? }, r.get(7)?))
}

const COLUMNS: &str = "name, wallet_key, auto_pay, max_per_request, monthly_cap, added_at, updated_at, mac";

fn checked(key: &[u8; 32], (c, mac): Row) -> Result<Contact> {
    if verify_mac(key, &c.mac_input(), &mac) {
        Ok(c)
    } else {
        Err(Error::Integrity(format!("the contact {:?} was changed outside Centime", inert(&c.name))))
    }
}

/// The MAC over the set of contacts (each name and row MAC, in order): a row added or removed
/// outside Centime changes it.
fn set_mac(conn: &Connection, key: &[u8; 32]) -> Result<Option<[u8; 32]>> {
    let mut stmt = conn.prepare_cached("SELECT folded, mac FROM contacts ORDER BY folded")?;
    let mut rows = stmt.query([])?;
    let mut input = MacInput::default().text(Some("centime-contacts-v1"));
    let mut any = false;
    while let Some(r) = rows.next()? {
        any = true;
        let folded: String = r.get(0)?;
        let mac: Vec<u8> = r.get(1)?;
        input = input.text(Some(&folded)).bytes(Some(&mac));
    }
    Ok(any.then(|| input.mac(key)))
}

/// What the rules' digest (and so the journal's head) seals of the contacts: nothing while
/// there are none (a wallet without contacts keeps the head it had), else the stored digest,
/// which must be the set's own.
pub(crate) fn digest_for_head(conn: &Connection, key: &[u8; 32]) -> Result<Option<[u8; 32]>> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'contacts_digest'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let actual = set_mac(conn, key)?;
    Ok(match (stored, actual) {
        (None, None) => None,
        // The digest is what the head covers: one that is not the set's own makes the head
        // fail, and `check` names the contacts.
        (Some(s), _) => Some(crate::journal::sha256(s.as_bytes())),
        (None, Some(a)) => Some(crate::journal::sha256(&a)),
    })
}

/// Checks that no contact was added or removed outside Centime.
pub(crate) fn check(conn: &Connection, key: &[u8; 32]) -> Result<()> {
    let stored: Option<String> =
        conn.query_row("SELECT value FROM meta WHERE key = 'contacts_digest'", [], |r| r.get(0)).optional()?;
    let actual = set_mac(conn, key)?.map(|m| crate::journal::hex(&m));
    if stored != actual {
        return Err(Error::Integrity("contacts were added or removed outside Centime".into()));
    }
    Ok(())
}

/// Seals the set as it is now, and the rules with it to the journal's head.
fn seal(conn: &Connection, key: &[u8; 32]) -> Result<()> {
    match set_mac(conn, key)? {
        Some(m) => {
            conn.prepare_cached(
                "INSERT INTO meta (key, value) VALUES ('contacts_digest', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![crate::journal::hex(&m)])?;
        }
        None => {
            conn.prepare_cached("DELETE FROM meta WHERE key = 'contacts_digest'")?.execute([])?;
        }
    }
    crate::journal::seal_head(conn, key)
}

fn save(conn: &Connection, key: &[u8; 32], c: &Contact) -> Result<()> {
    let mac = c.mac_input().mac(key);
    conn.prepare_cached(
        "INSERT INTO contacts (folded, name, wallet_key, auto_pay, max_per_request, monthly_cap, added_at, updated_at, mac)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (folded) DO UPDATE SET name = excluded.name, wallet_key = excluded.wallet_key,
           auto_pay = excluded.auto_pay, max_per_request = excluded.max_per_request,
           monthly_cap = excluded.monthly_cap, updated_at = excluded.updated_at, mac = excluded.mac",
    )?
    .execute(params![
        folded(&c.name),
        c.name,
        c.wallet_id.to_string(),
        i64::from(c.rule.is_some()),
        c.rule.map(|r| r.max_per_request.get()),
        c.rule.map(|r| r.monthly_cap.get()),
        c.added_at,
        c.updated_at,
        mac.as_slice()
    ])?;
    seal(conn, key)
}

/// The contact named `name` (whatever its case), its seal checked.
pub(crate) fn by_name(conn: &Connection, key: &[u8; 32], name: &str) -> Result<Option<Contact>> {
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM contacts WHERE folded = ?1"))?
        .query_row(params![folded(name.trim())], from_row)
        .optional()?;
    row.map(|r| checked(key, r)).transpose()
}

/// The contact for wallet `wallet`, its seal and the set's checked (what a prompt shows and
/// a rule pays by).
pub(crate) fn by_key(conn: &Connection, key: &[u8; 32], wallet: &PublicKey) -> Result<Option<Contact>> {
    check(conn, key)?;
    let row = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM contacts WHERE wallet_key = ?1"))?
        .query_row(params![wallet.to_string()], from_row)
        .optional()?;
    row.map(|r| checked(key, r)).transpose()
}

/// Every contact, checked (`verify`'s part).
pub(crate) fn all(conn: &Connection, key: &[u8; 32]) -> Result<Vec<Contact>> {
    check(conn, key)?;
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM contacts ORDER BY folded"))?;
    let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(|r| checked(key, r)).collect()
}

impl Wallet {
    /// Adds `name` for wallet `wallet_id`. The name (whatever its case) and the key are each
    /// given to one contact only; the wallet's own key is no contact.
    pub fn add_contact(&mut self, name: &str, wallet_id: &PublicKey) -> Result<Contact> {
        let name = check_name(name)?;
        if *wallet_id == self.id {
            return Err(Error::InvalidArgument("this is this wallet's own id".into()));
        }
        let now = self.now();
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        // Never re-seal over rules or contacts changed outside Centime.
        crate::rules_store::load_limits(&tx, &key)?;
        check(&tx, &key)?;
        if let Some(c) = by_name(&tx, &key, &name)? {
            return Err(Error::ContactExists(format!("{:?} is already a contact ({})", inert(&c.name), c.wallet_id)));
        }
        if let Some(c) = by_key(&tx, &key, wallet_id)? {
            return Err(Error::ContactExists(format!(
                "wallet {wallet_id} is already the contact {:?}",
                inert(&c.name)
            )));
        }
        let c = Contact { name, wallet_id: *wallet_id, rule: None, added_at: now, updated_at: now };
        save(&tx, &key, &c)?;
        tx.commit()?;
        tracing::info!(wallet = %wallet_id, "contact added");
        Ok(c)
    }

    /// Every contact, by name.
    pub fn contacts(&self) -> Result<Vec<Contact>> {
        all(&self.conn, self.key())
    }

    /// The contact named `name` or holding wallet id `name_or_id`.
    pub fn contact(&self, name_or_id: &str) -> Result<Contact> {
        check(&self.conn, self.key())?;
        if let Ok(k) = parse_wallet_id(name_or_id)
            && let Some(c) = by_key(&self.conn, self.key(), &k)?
        {
            return Ok(c);
        }
        by_name(&self.conn, self.key(), name_or_id)?.ok_or_else(|| Error::UnknownContact(inert(name_or_id.trim())))
    }

    /// The contact's name for wallet `wallet`, if it has one.
    pub fn contact_name(&self, wallet: &PublicKey) -> Result<Option<String>> {
        Ok(by_key(&self.conn, self.key(), wallet)?.map(|c| c.name))
    }

    /// Removes the contact named `name` (its rule with it).
    pub fn remove_contact(&mut self, name: &str) -> Result<()> {
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        crate::rules_store::load_limits(&tx, &key)?;
        check(&tx, &key)?;
        let Some(c) = by_name(&tx, &key, name)? else {
            return Err(Error::UnknownContact(inert(name.trim())));
        };
        tx.prepare_cached("DELETE FROM contacts WHERE folded = ?1")?.execute(params![folded(&c.name)])?;
        seal(&tx, &key)?;
        tx.commit()?;
        tracing::info!(wallet = %c.wallet_id, "contact removed");
        Ok(())
    }

    /// Sets (or with `None` removes) the rule for the requests of the contact named `name`.
    pub fn set_contact_rule(&mut self, name: &str, rule: Option<ContactRule>) -> Result<Contact> {
        if let Some(r) = rule
            && (!r.max_per_request.is_positive() || !r.monthly_cap.is_positive())
        {
            return Err(Error::InvalidArgument("a contact's maximum and monthly cap are more than zero".into()));
        }
        let now = self.now();
        let key = *self.key();
        let tx = sqlite::immediate(&mut self.conn)?;
        crate::rules_store::load_limits(&tx, &key)?;
        check(&tx, &key)?;
        let Some(mut c) = by_name(&tx, &key, name)? else {
            return Err(Error::UnknownContact(inert(name.trim())));
        };
        c.rule = rule;
        c.updated_at = now.max(c.updated_at);
        save(&tx, &key, &c)?;
        tx.commit()?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("  Alice ").is_ok_and(|n| n == "Alice"));
        assert!(check_name("").is_err());
        assert!(check_name(&"x".repeat(65)).is_err());
        assert!(check_name("a\u{202e}b").is_err());
        assert!(check_name("a\nb").is_err());
        assert!(check_name(&"A".repeat(43)).is_err(), "a name that reads as a wallet id");
    }

    #[test]
    fn a_short_wallet_id_keeps_both_ends() {
        let k: PublicKey = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo".parse().unwrap();
        assert_eq!(short_wallet_id(&k), "11qYAY…PcHURo");
    }
}
