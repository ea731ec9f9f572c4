//! Payments between wallets (docs/protocol.md §14, ADR 25): the payment request a wallet signs
//! to be paid, the transfer a wallet signs to pay another, and the two requests a recipient
//! signs to collect at the issuer (redeem one transfer, list its inbox).
//!
//! A transfer wraps an ordinary authorization (§6.1) that pays the account `wallet:<key>`: the
//! issuer settles it only when the recipient redeems, so what moves is what the payer already
//! debited, and what the recipient is credited is a credit note. Every check here needs the
//! documents alone; the issuer adds its ledger's (asset held, unredeemed, not overdrawn).

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::documents::{self, AuthorizationClaims, Document};
use crate::error::{Error, Result, clip_detail};
use crate::ids::{Network, PaymentId, PublicKey, check_nonce, random_bytes};
use crate::money::{Amount, Asset, Micros};
use crate::text;

/// The JWS `typ` of a payment request.
pub const PAYMENT_REQUEST_TYP: &str = "centime-payment-request+jws";
/// The JWS `typ` of a transfer.
pub const TRANSFER_TYP: &str = "centime-transfer+jws";
/// The JWS `typ` of a redemption request.
pub const REDEMPTION_REQUEST_TYP: &str = "centime-redemption-request+jws";
/// The JWS `typ` of an inbox request.
pub const INBOX_REQUEST_TYP: &str = "centime-inbox-request+jws";

/// A transfer's authorization window (`validBefore − validAfter`): the 7 days the recipient
/// has to collect it before the payer's sync takes it back.
pub const TRANSFER_SECONDS: u64 = 7 * 86_400;
/// A payment request's default life (`expiresAt − issuedAt`).
pub const DEFAULT_REQUEST_SECONDS: u64 = 7 * 86_400;
/// The longest life a payment request may claim.
pub const MAX_REQUEST_SECONDS: u64 = 366 * 86_400;
/// Longest `purpose` of a request, in characters.
pub const MAX_PURPOSE_CHARS: usize = 140;
/// Longest `note` of a transfer, in characters.
pub const MAX_NOTE_CHARS: usize = 140;
/// Longest transfer JWS read (it carries an authorization of at most 8 KiB).
pub const MAX_TRANSFER_LEN: usize = 16 * 1024;
/// Longest redemption request read (it may carry a transfer).
pub const MAX_REDEMPTION_REQUEST_LEN: usize = 24 * 1024;
/// How far a redemption or inbox request's `issuedAt` may be from the issuer's clock.
pub const REQUEST_MAX_SKEW_SECONDS: u64 = crate::statement::STATEMENT_REQUEST_MAX_SKEW_SECONDS;
/// Longest `paymentId` of a transfer: its credit note's id is `t_` + it, and credit ids are at
/// most 128 characters.
pub const MAX_TRANSFER_PAYMENT_ID: usize = 126;

/// Most transfers one inbox answer lists (the oldest first); the rest wait for the next.
pub const MAX_INBOX_TRANSFERS: usize = 100;
/// Longest inbox answer read: its transfers and their JSON.
pub const MAX_INBOX_LEN: usize = MAX_INBOX_TRANSFERS * (MAX_TRANSFER_LEN + 8) + 64;
/// Longest answer to a deposit or a redemption read (a credit note and its id).
pub const MAX_ANSWER_LEN: usize = 16 * 1024;

/// The prefix of a wallet's account at its issuer.
pub const WALLET_ACCOUNT_PREFIX: &str = "wallet:";
/// The `resource` prefix of a send's authorization (followed by its `paymentId`).
pub const TRANSFER_RESOURCE_PREFIX: &str = "centime:transfer:";
/// The `resource` prefix of a request's payment (followed by the `requestId`).
pub const REQUEST_RESOURCE_PREFIX: &str = "centime:request:";
/// The prefix of the `creditId` of a redeemed transfer's credit note (followed by its
/// `paymentId`).
pub const TRANSFER_CREDIT_PREFIX: &str = "t_";

/// Why a wallet-to-wallet document or link was refused. Stable on the wire and in the app
/// (snake_case, the same string for serde and `Display`).
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
pub enum Problem {
    /// Not decodable, or a member of the wrong shape (requestId, nonce, code, seq).
    Malformed,
    /// A signature that does not verify under the key the document names.
    InvalidSignature,
    /// A `purpose` empty, longer than 140 characters or with control characters.
    BadPurpose,
    /// A `note` longer than 140 characters or with control characters.
    BadNote,
    /// A `value` of zero or not a wire amount.
    BadAmount,
    /// `expiresAt` not after `issuedAt`, or too far after it.
    BadExpiry,
    /// A payment request at or past its `expiresAt`.
    RequestExpired,
    /// Signed for another network than the one expected.
    NetworkMismatch,
    /// A transfer from a wallet to itself.
    SelfTransfer,
    /// The transfer's authorization does not say what the transfer says (payer, recipient,
    /// network, resource, window, terms, or a request's derived paymentId).
    AuthorizationMismatch,
    /// A transfer whose authorization's `validBefore` (with the skew) has passed.
    TransferExpired,
    /// A redemption or inbox request not fresh (`issuedAt` too far from the clock).
    StaleRequest,
    /// A redemption request with both or neither of `transfer` and `code`.
    TransferOrCode,
    // The issuer's, answered to the HTTP calls of §14 (the document was well formed).
    /// No transfer has this code at the issuer.
    UnknownTransfer,
    /// A redemption signed by another wallet than the transfer's recipient.
    NotTheRecipient,
    /// The transfer was redeemed before.
    AlreadyRedeemed,
}

fn refuse(problem: Problem, detail: impl Into<String>) -> Error {
    Error::P2p { problem, detail: clip_detail(detail.into()) }
}

/// Maps what [`documents::open`] says into this module's problems.
fn opened<T>(r: Result<T>) -> Result<T> {
    r.map_err(|e| match e {
        Error::BadSignature => refuse(Problem::InvalidSignature, "the signature does not verify"),
        Error::P2p { .. } => e,
        other => refuse(Problem::Malformed, other.to_string()),
    })
}

// --- identifiers ------------------------------------------------------------------------------

/// A payment request's id: base64url (no padding) of 16 random bytes, 22 characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct RequestId(String);

impl RequestId {
    /// A fresh random request id.
    pub fn random() -> Result<Self> {
        Ok(RequestId(URL_SAFE_NO_PAD.encode(random_bytes::<16>()?)))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 16 bytes it encodes.
    pub fn bytes(&self) -> [u8; 16] {
        let mut out = [0u8; 16];
        if let Ok(v) = URL_SAFE_NO_PAD.decode(&self.0)
            && v.len() == 16
        {
            out.copy_from_slice(&v);
        }
        out
    }
}

impl FromStr for RequestId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        // Decoding and re-encoding refuses the non-canonical spellings of the last character.
        match URL_SAFE_NO_PAD.decode(s) {
            Ok(v) if v.len() == 16 && s.len() == 22 && URL_SAFE_NO_PAD.encode(&v) == s => Ok(RequestId(s.to_owned())),
            _ => Err(refuse(Problem::Malformed, format!("{:?} is not a requestId (16 bytes in base64url)", clip(s)))),
        }
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

/// The payer's `paymentId` for a request: `rq_` + the first 32 characters of
/// base64url(SHA-256(requester key's 32 bytes ‖ requestId's 16 bytes)). Every payment of one
/// request has this id, so a second is the same payment (ADR 25).
pub fn request_payment_id(requester: &PublicKey, request_id: &RequestId) -> PaymentId {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(requester.as_bytes());
    ctx.update(&request_id.bytes());
    let b64 = URL_SAFE_NO_PAD.encode(ctx.finish());
    // 35 characters of [A-Za-z0-9_-]: always a payment id.
    PaymentId::from_known_good(format!("rq_{}", &b64[..32]))
}

/// A wallet's account at its issuer: `wallet:` + its key.
pub fn wallet_account(key: &PublicKey) -> String {
    format!("{WALLET_ACCOUNT_PREFIX}{key}")
}

/// The key of a wallet account (`wallet:<key>`), `None` for any other account.
pub fn wallet_of_account(account: &str) -> Option<PublicKey> {
    account.strip_prefix(WALLET_ACCOUNT_PREFIX)?.parse().ok()
}

/// The creditId of a redeemed transfer's credit note.
pub fn transfer_credit_id(payment_id: &PaymentId) -> String {
    format!("{TRANSFER_CREDIT_PREFIX}{payment_id}")
}

/// The short code of a deposited transfer: 16 characters of Crockford base32, 80 random bits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransferCode(String);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a code.
pub const TRANSFER_CODE_LEN: usize = 16;

impl TransferCode {
    /// A fresh random code.
    pub fn random() -> Result<Self> {
        let bytes = random_bytes::<10>()?;
        let mut bits: u128 = 0;
        for b in bytes {
            bits = (bits << 8) | u128::from(b);
        }
        let mut s = String::with_capacity(TRANSFER_CODE_LEN);
        for i in (0..TRANSFER_CODE_LEN).rev() {
            let idx = usize::try_from((bits >> (5 * i)) & 31).unwrap_or(0);
            s.push(char::from(CROCKFORD[idx]));
        }
        Ok(TransferCode(s))
    }

    /// The code as text, in its canonical (upper-case) form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TransferCode {
    type Err = Error;
    /// Accepts what a person copies or types: lower case, and `I`/`L` for `1`, `O` for `0`
    /// (Crockford's reading rules); the code is kept in its canonical form.
    fn from_str(s: &str) -> Result<Self> {
        let bad =
            || refuse(Problem::Malformed, format!("{:?} is not a transfer code (16 of Crockford base32)", clip(s)));
        if s.len() != TRANSFER_CODE_LEN {
            return Err(bad());
        }
        let mut out = String::with_capacity(TRANSFER_CODE_LEN);
        for c in s.chars() {
            let c = match c.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            if !c.is_ascii() || !CROCKFORD.contains(&(c as u8)) {
                return Err(bad());
            }
            out.push(c);
        }
        Ok(TransferCode(out))
    }
}

impl fmt::Display for TransferCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A code is a bearer secret until redeemed: it is not printed by `Debug`.
impl fmt::Debug for TransferCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransferCode(…)")
    }
}

impl Serialize for TransferCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TransferCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

// --- text -------------------------------------------------------------------------------------

fn check_words(s: &str, max: usize) -> bool {
    s.chars().count() <= max && !s.chars().any(char::is_control)
}

fn positive_amount(value: &str, asset: Asset, scale: u8) -> Result<Amount> {
    let micros = Micros::from_wire(value, i64::from(scale)).map_err(|e| refuse(Problem::BadAmount, e.to_string()))?;
    if !micros.is_positive() {
        return Err(refuse(Problem::BadAmount, "the amount is zero"));
    }
    Ok(Amount::new(micros, asset))
}

// --- payment request --------------------------------------------------------------------------

/// A wallet's signed request to be paid (`centime://pay?request=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequestDoc {
    /// The requester's key, who is paid; verifies the JWS.
    pub from: PublicKey,
    /// The issuer whose money pays.
    pub network: Network,
    /// The amount in minor units at `asset_scale`, as decimal digits.
    pub value: String,
    /// The ISO 4217 currency.
    pub asset: Asset,
    /// The number of decimals of `value` (0..=6).
    pub asset_scale: u8,
    /// What the payment is for: 1–140 characters, no control characters. Written by the
    /// requester: shown only through [`PaymentRequestDoc::purpose_shown`].
    pub purpose: String,
    /// The request's id: with `from`, it derives the payment's id.
    pub request_id: RequestId,
    /// When it was signed, in Unix seconds.
    pub issued_at: u64,
    /// Not payable from this Unix second on.
    pub expires_at: u64,
}

impl Document for PaymentRequestDoc {
    const TYP: &'static str = PAYMENT_REQUEST_TYP;
    fn signer_key(&self) -> &PublicKey {
        &self.from
    }
}

impl PaymentRequestDoc {
    /// A request from `from` for `amount` (written at its natural scale), valid from `now` for
    /// `expires_in` seconds, with a fresh requestId; checked before it is returned.
    pub fn new(
        from: PublicKey,
        network: Network,
        amount: Amount,
        purpose: &str,
        now: u64,
        expires_in: u64,
    ) -> Result<Self> {
        let scale = amount.micros.natural_scale();
        let doc = PaymentRequestDoc {
            from,
            network,
            value: amount.micros.to_wire(scale)?,
            asset: amount.asset,
            asset_scale: scale,
            purpose: purpose.trim().to_owned(),
            request_id: RequestId::random()?,
            issued_at: now,
            expires_at: now.checked_add(expires_in).ok_or(Error::ArithmeticOverflow)?,
        };
        doc.check()?;
        Ok(doc)
    }

    /// The checks that need no clock: the amount is positive, the purpose 1–140 characters
    /// without control characters, `issuedAt < expiresAt ≤ issuedAt + MAX_REQUEST_SECONDS`.
    pub fn check(&self) -> Result<()> {
        self.amount()?;
        if self.purpose.trim().is_empty() || !check_words(&self.purpose, MAX_PURPOSE_CHARS) {
            return Err(refuse(Problem::BadPurpose, "purpose must be 1-140 characters without control characters"));
        }
        if self.expires_at <= self.issued_at || self.expires_at - self.issued_at > MAX_REQUEST_SECONDS {
            return Err(refuse(Problem::BadExpiry, "expiresAt must be after issuedAt, by at most 366 days"));
        }
        Ok(())
    }

    /// `value` at `asset_scale`, positive.
    pub fn amount(&self) -> Result<Amount> {
        positive_amount(&self.value, self.asset, self.asset_scale)
    }

    /// The purpose made inert for display.
    pub fn purpose_shown(&self) -> String {
        text::clean(&self.purpose, MAX_PURPOSE_CHARS)
    }

    /// The paymentId every payment of this request carries.
    pub fn payment_id(&self) -> PaymentId {
        request_payment_id(&self.from, &self.request_id)
    }

    /// Signs it; the signer must hold `from`.
    pub fn sign(&self, signer: &dyn crate::jws::Signer) -> Result<String> {
        self.check()?;
        documents::sign(signer, self)
    }

    /// Opens a request JWS: it verifies under its `from`, passes [`Self::check`], and is not
    /// expired at `now` (`request_expired`). Which network the payer accepts is its decision.
    pub fn open(jws: &str, now: u64) -> Result<Self> {
        let doc: PaymentRequestDoc = opened(documents::open(jws))?;
        doc.check()?;
        if now >= doc.expires_at {
            return Err(refuse(Problem::RequestExpired, "the request has expired"));
        }
        Ok(doc)
    }
}

// --- transfer ---------------------------------------------------------------------------------

/// What a transfer pays, as its `acceptedHash` binds it: the hash is of the RFC 8785 form of
/// `{asset, assetScale, network, note?, requestId?, to, value}` with `to` the recipient's
/// account `wallet:<key>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferTerms {
    /// The recipient's key.
    pub to: PublicKey,
    /// The amount in minor units at `asset_scale`.
    pub value: String,
    /// The ISO 4217 currency.
    pub asset: Asset,
    /// The number of decimals of `value`.
    pub asset_scale: u8,
    /// The issuer whose money pays.
    pub network: Network,
    /// The payer's note to the recipient (≤ 140 characters).
    pub note: Option<String>,
    /// The request it pays, if it pays one.
    pub request_id: Option<RequestId>,
}

impl TransferTerms {
    /// A send of `amount` (written at its natural scale) to `to`.
    pub fn send(to: PublicKey, amount: Amount, network: Network, note: Option<&str>) -> Result<Self> {
        let scale = amount.micros.natural_scale();
        let terms = TransferTerms {
            to,
            value: amount.micros.to_wire(scale)?,
            asset: amount.asset,
            asset_scale: scale,
            network,
            note: note.map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned),
            request_id: None,
        };
        terms.check()?;
        Ok(terms)
    }

    /// The payment of `request`, with its exact value and scale.
    pub fn for_request(request: &PaymentRequestDoc) -> Self {
        TransferTerms {
            to: request.from,
            value: request.value.clone(),
            asset: request.asset,
            asset_scale: request.asset_scale,
            network: request.network.clone(),
            note: None,
            request_id: Some(request.request_id.clone()),
        }
    }

    /// A positive amount and a note within bounds.
    pub fn check(&self) -> Result<()> {
        self.amount()?;
        if let Some(n) = &self.note
            && !check_words(n, MAX_NOTE_CHARS)
        {
            return Err(refuse(Problem::BadNote, "note must be at most 140 characters without control characters"));
        }
        Ok(())
    }

    /// `value` at `asset_scale`, positive.
    pub fn amount(&self) -> Result<Amount> {
        positive_amount(&self.value, self.asset, self.asset_scale)
    }

    /// The terms object whose hash is the authorization's `acceptedHash`.
    pub fn to_value(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("asset".into(), self.asset.as_str().into());
        m.insert("assetScale".into(), self.asset_scale.into());
        m.insert("network".into(), self.network.as_str().into());
        if let Some(n) = &self.note {
            m.insert("note".into(), n.as_str().into());
        }
        if let Some(r) = &self.request_id {
            m.insert("requestId".into(), r.as_str().into());
        }
        m.insert("to".into(), wallet_account(&self.to).into());
        m.insert("value".into(), self.value.as_str().into());
        serde_json::Value::Object(m)
    }

    /// base64url(SHA-256(JCS(terms))).
    pub fn hash(&self) -> Result<String> {
        documents::accepted_hash(&self.to_value())
    }

    /// The authorization's `resource`: `centime:request:<requestId>` for a request's payment,
    /// `centime:transfer:<paymentId>` for a send.
    pub fn resource(&self, payment_id: &PaymentId) -> String {
        match &self.request_id {
            Some(r) => format!("{REQUEST_RESOURCE_PREFIX}{r}"),
            None => format!("{TRANSFER_RESOURCE_PREFIX}{payment_id}"),
        }
    }

    /// The `paymentId` a request's payment must carry (`None` for a send, whose id is the
    /// payer's choice, e.g. [`PaymentId::random`]).
    pub fn required_payment_id(&self) -> Option<PaymentId> {
        self.request_id.as_ref().map(|r| request_payment_id(&self.to, r))
    }

    /// The authorization the payer signs for these terms, valid from `now` for
    /// [`TRANSFER_SECONDS`]. Separate from signing so that the wallet stores it (and its debit)
    /// first. A request's payment must carry [`Self::required_payment_id`].
    pub fn authorization_claims(
        &self,
        from: PublicKey,
        payment_id: PaymentId,
        seq: u64,
        now: u64,
    ) -> Result<AuthorizationClaims> {
        self.check()?;
        if seq == 0 {
            return Err(Error::Signing("seq starts at 1".into()));
        }
        if from == self.to {
            return Err(refuse(Problem::SelfTransfer, "a wallet cannot pay itself"));
        }
        if payment_id.as_str().len() > MAX_TRANSFER_PAYMENT_ID {
            return Err(refuse(Problem::Malformed, "a transfer's paymentId is at most 126 characters"));
        }
        if self.required_payment_id().is_some_and(|p| p != payment_id) {
            return Err(refuse(Problem::AuthorizationMismatch, "a request's payment carries its derived paymentId"));
        }
        Ok(AuthorizationClaims {
            from,
            to: wallet_account(&self.to),
            value: self.value.clone(),
            asset: self.asset,
            asset_scale: self.asset_scale,
            network: self.network.clone(),
            resource: self.resource(&payment_id),
            valid_after: now,
            valid_before: now.checked_add(TRANSFER_SECONDS).ok_or(Error::ArithmeticOverflow)?,
            nonce: crate::ids::random_nonce()?,
            accepted_hash: self.hash()?,
            payment_id,
            seq,
        })
    }
}

/// A wallet's signed transfer to another (`centime://receive?transfer=`, or deposited at the
/// issuer for a short code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferDoc {
    /// The payer's key; verifies the JWS and the authorization.
    pub from: PublicKey,
    /// The recipient's key.
    pub to: PublicKey,
    /// The issuer whose money pays.
    pub network: Network,
    /// The §6.1 authorization JWS paying `wallet:<to>`.
    pub authorization: String,
    /// The payer's note (≤ 140 characters; shown only through [`OpenedTransfer::note_shown`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The request it pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// When it was signed, in Unix seconds.
    pub issued_at: u64,
}

impl Document for TransferDoc {
    const TYP: &'static str = TRANSFER_TYP;
    const MAX_LEN: usize = MAX_TRANSFER_LEN;
    fn signer_key(&self) -> &PublicKey {
        &self.from
    }
}

/// The two signatures of a transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTransfer {
    /// The authorization JWS (what the issuer settles; the wallet stores it with its debit).
    pub authorization: String,
    /// The transfer JWS (what the recipient receives).
    pub transfer: String,
}

/// Signs `claims` (from [`TransferTerms::authorization_claims`]) and the transfer that carries
/// them. The signer must hold `claims.from`.
pub fn sign_transfer(
    signer: &dyn crate::jws::Signer,
    terms: &TransferTerms,
    claims: &AuthorizationClaims,
    issued_at: u64,
) -> Result<SignedTransfer> {
    let authorization = documents::sign(signer, claims)?;
    let doc = TransferDoc {
        from: claims.from,
        to: terms.to,
        network: terms.network.clone(),
        authorization: authorization.clone(),
        note: terms.note.clone(),
        request_id: terms.request_id.clone(),
        issued_at,
    };
    // What the recipient and the issuer will check, checked before it leaves.
    doc.check_authorization(&documents::open::<AuthorizationClaims>(&authorization)?)?;
    let transfer = documents::sign(signer, &doc)?;
    Ok(SignedTransfer { authorization, transfer })
}

/// A transfer whose signatures and consistency were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedTransfer {
    /// The transfer's claims.
    pub doc: TransferDoc,
    /// Its authorization's claims.
    pub claims: AuthorizationClaims,
    /// What it pays.
    pub amount: Amount,
}

impl OpenedTransfer {
    /// The payment's id.
    pub fn payment_id(&self) -> &PaymentId {
        &self.claims.payment_id
    }

    /// The note made inert for display.
    pub fn note_shown(&self) -> Option<String> {
        text::clean_opt(self.doc.note.as_deref(), MAX_NOTE_CHARS)
    }

    /// The creditId the recipient's credit note carries.
    pub fn credit_id(&self) -> String {
        transfer_credit_id(&self.claims.payment_id)
    }

    /// The first Unix second at which it can no longer be redeemed: `validBefore + skew`.
    pub fn redeem_deadline(&self, skew: u64) -> u64 {
        self.claims.valid_before.saturating_add(skew)
    }

    /// Still redeemable at `now` (`transfer_expired` otherwise).
    pub fn check_unexpired(&self, now: u64, skew: u64) -> Result<()> {
        if now >= self.redeem_deadline(skew) {
            return Err(refuse(Problem::TransferExpired, "the transfer's authorization has expired"));
        }
        Ok(())
    }
}

impl TransferDoc {
    /// Opens a transfer JWS: it and its authorization verify under `from`, and the
    /// authorization says what the transfer says ([`TransferDoc::check_authorization`]).
    /// Expiry is the caller's ([`OpenedTransfer::check_unexpired`]): a wallet shows an expired
    /// transfer as such rather than as garbage.
    pub fn open(jws: &str) -> Result<OpenedTransfer> {
        let doc: TransferDoc = opened(documents::open(jws))?;
        let claims: AuthorizationClaims = opened(documents::open(&doc.authorization))?;
        let amount = doc.check_authorization(&claims)?;
        Ok(OpenedTransfer { doc, claims, amount })
    }

    /// The transfer's claims and its authorization's agree: same payer and network, the
    /// authorization pays `wallet:<to>` for the resource and window of §14, its acceptedHash
    /// is the terms', a request's payment carries the derived paymentId; the amount is positive,
    /// the note within bounds, the nonce and seq well formed, payer and recipient differ.
    pub fn check_authorization(&self, claims: &AuthorizationClaims) -> Result<Amount> {
        let mismatch = |what: &str| Err(refuse(Problem::AuthorizationMismatch, what.to_owned()));
        if self.from == self.to {
            return Err(refuse(Problem::SelfTransfer, "a wallet cannot pay itself"));
        }
        if !check_nonce(&claims.nonce) || claims.seq == 0 {
            return Err(refuse(Problem::Malformed, "the authorization's nonce or seq is malformed"));
        }
        if claims.payment_id.as_str().len() > MAX_TRANSFER_PAYMENT_ID {
            return Err(refuse(Problem::Malformed, "a transfer's paymentId is at most 126 characters"));
        }
        let terms = TransferTerms {
            to: self.to,
            value: claims.value.clone(),
            asset: claims.asset,
            asset_scale: claims.asset_scale,
            network: self.network.clone(),
            note: self.note.clone(),
            request_id: self.request_id.clone(),
        };
        terms.check()?;
        if claims.from != self.from {
            return mismatch("the authorization is signed by another key than the transfer");
        }
        if claims.network != self.network {
            return mismatch("the authorization is for another network than the transfer");
        }
        if claims.to != wallet_account(&self.to) {
            return mismatch("the authorization pays another account than the transfer's recipient");
        }
        if claims.resource != terms.resource(&claims.payment_id) {
            return mismatch("the authorization's resource is not the transfer's");
        }
        if claims.valid_before.checked_sub(claims.valid_after) != Some(TRANSFER_SECONDS) {
            return mismatch("the authorization's window is not the 7 days of a transfer");
        }
        if terms.required_payment_id().is_some_and(|p| p != claims.payment_id) {
            return mismatch("a request's payment does not carry its derived paymentId");
        }
        if claims.accepted_hash != terms.hash()? {
            return mismatch("the authorization's acceptedHash is not the transfer's terms");
        }
        terms.amount()
    }
}

// --- the issuer's answers -------------------------------------------------------------------

/// `POST /issuer/transfers`' answer (201): the short code and when it stops being redeemable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepositAnswer {
    /// The code the recipient collects it with.
    pub code: TransferCode,
    /// The authorization's `validBefore`: after it (and the skew) the issuer refuses to
    /// redeem, and the payer's sync takes it back.
    pub expires_at: u64,
}

/// `POST /issuer/redemptions`' answer (201): the recipient's credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedemptionAnswer {
    /// The credit note JWS (§6.2) for the recipient.
    pub credit: String,
    /// Its `creditId`, `t_` + the transfer's paymentId.
    pub credit_id: String,
}

/// `POST /issuer/inbox`' answer (200): the transfers waiting for the wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InboxAnswer {
    /// Transfer JWS, oldest deposit first, at most [`MAX_INBOX_TRANSFERS`].
    pub transfers: Vec<String>,
}

// --- collecting at the issuer -----------------------------------------------------------------

/// A recipient's signed request to redeem one transfer, given whole or by its code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedemptionRequest {
    /// The recipient's key; verifies the JWS.
    pub from: PublicKey,
    /// The issuer's network.
    pub network: Network,
    /// When it was signed, in Unix seconds.
    pub issued_at: u64,
    /// 32 random bytes, base64url, never sent before.
    pub nonce: String,
    /// The transfer JWS (the offline form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<String>,
    /// The short code the issuer gave at deposit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<TransferCode>,
}

impl Document for RedemptionRequest {
    const TYP: &'static str = REDEMPTION_REQUEST_TYP;
    const MAX_LEN: usize = MAX_REDEMPTION_REQUEST_LEN;
    fn signer_key(&self) -> &PublicKey {
        &self.from
    }
}

/// Which transfer a redemption names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed<'a> {
    /// Given whole.
    Transfer(&'a str),
    /// Given by its code.
    Code(&'a TransferCode),
}

impl RedemptionRequest {
    /// A fresh request (new nonce) for `from` at `now`.
    pub fn new(from: PublicKey, network: Network, now: u64, which: Redeemed<'_>) -> Result<Self> {
        let (transfer, code) = match which {
            Redeemed::Transfer(t) => (Some(t.to_owned()), None),
            Redeemed::Code(c) => (None, Some(c.clone())),
        };
        Ok(RedemptionRequest { from, network, issued_at: now, nonce: crate::ids::random_nonce()?, transfer, code })
    }

    /// The transfer or code it names: exactly one of them.
    pub fn which(&self) -> Result<Redeemed<'_>> {
        match (&self.transfer, &self.code) {
            (Some(t), None) => Ok(Redeemed::Transfer(t)),
            (None, Some(c)) => Ok(Redeemed::Code(c)),
            _ => Err(refuse(Problem::TransferOrCode, "a redemption names exactly one of transfer and code")),
        }
    }

    /// The checks that need no memory of earlier nonces: exactly one of transfer and code, the
    /// network, freshness within 300 s, a well-formed nonce.
    pub fn check(&self, network: &Network, now: u64) -> Result<()> {
        self.which()?;
        check_fresh(&self.network, self.issued_at, &self.nonce, network, now)
    }

    /// Opens and [`Self::check`]s it.
    pub fn open(jws: &str, network: &Network, now: u64) -> Result<Self> {
        let r: RedemptionRequest = opened(documents::open(jws))?;
        r.check(network, now)?;
        Ok(r)
    }
}

/// A wallet's signed request for the transfers waiting for it at the issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxRequest {
    /// The wallet's key; verifies the JWS.
    pub from: PublicKey,
    /// The issuer's network.
    pub network: Network,
    /// When it was signed, in Unix seconds.
    pub issued_at: u64,
    /// 32 random bytes, base64url, never sent before.
    pub nonce: String,
}

impl Document for InboxRequest {
    const TYP: &'static str = INBOX_REQUEST_TYP;
    fn signer_key(&self) -> &PublicKey {
        &self.from
    }
}

impl InboxRequest {
    /// A fresh request (new nonce) for `from` at `now`.
    pub fn new(from: PublicKey, network: Network, now: u64) -> Result<Self> {
        Ok(InboxRequest { from, network, issued_at: now, nonce: crate::ids::random_nonce()? })
    }

    /// The network, freshness within 300 s, a well-formed nonce.
    pub fn check(&self, network: &Network, now: u64) -> Result<()> {
        check_fresh(&self.network, self.issued_at, &self.nonce, network, now)
    }

    /// Opens and [`Self::check`]s it.
    pub fn open(jws: &str, network: &Network, now: u64) -> Result<Self> {
        let r: InboxRequest = opened(documents::open(jws))?;
        r.check(network, now)?;
        Ok(r)
    }
}

fn check_fresh(signed: &Network, issued_at: u64, nonce: &str, network: &Network, now: u64) -> Result<()> {
    if signed != network {
        return Err(refuse(Problem::NetworkMismatch, "it is for another network"));
    }
    if !check_nonce(nonce) {
        return Err(refuse(Problem::Malformed, "nonce must be 32 bytes in base64url"));
    }
    if issued_at.abs_diff(now) > REQUEST_MAX_SKEW_SECONDS {
        return Err(refuse(Problem::StaleRequest, "issuedAt is more than 300 s from the issuer's clock"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jws::{RingSigner, Signer as _};
    use strum::IntoEnumIterator;

    const NOW: u64 = 1_800_000_000;

    fn net() -> Network {
        "centime:demo".parse().unwrap()
    }

    fn eur(micros: i64) -> Amount {
        Amount::new(Micros::from_micros(micros), Asset::EUR)
    }

    fn problem<T: fmt::Debug>(r: Result<T>) -> Problem {
        match r {
            Err(e) => e.p2p_problem().unwrap_or_else(|| panic!("not a p2p problem: {e}")),
            Ok(v) => panic!("accepted: {v:?}"),
        }
    }

    fn send(payer: &RingSigner, to: PublicKey, micros: i64, note: Option<&str>) -> SignedTransfer {
        let terms = TransferTerms::send(to, eur(micros), net(), note).unwrap();
        let claims = terms.authorization_claims(payer.public_key(), PaymentId::random().unwrap(), 1, NOW).unwrap();
        sign_transfer(payer, &terms, &claims, NOW).unwrap()
    }

    #[test]
    fn every_problem_code_is_one_string_on_the_wire_and_in_text() {
        for p in Problem::iter() {
            let wire = serde_json::to_value(p).unwrap_or_default();
            assert_eq!(wire.as_str(), Some(<&'static str>::from(p)), "{p:?}");
            assert_eq!(p.to_string().parse::<Problem>().ok(), Some(p));
        }
    }

    #[test]
    fn request_round_trip_and_checks() {
        let alice = RingSigner::from_seed(&[1; 32]).unwrap();
        let doc = PaymentRequestDoc::new(alice.public_key(), net(), eur(3_000_000), " Lunch ", NOW, 3600).unwrap();
        assert_eq!((doc.value.as_str(), doc.asset_scale, doc.purpose.as_str()), ("3", 0, "Lunch"));
        let jws = doc.sign(&alice).unwrap();
        assert_eq!(PaymentRequestDoc::open(&jws, NOW + 3599).unwrap(), doc);
        assert_eq!(problem(PaymentRequestDoc::open(&jws, NOW + 3600)), Problem::RequestExpired);
        let other = RingSigner::from_seed(&[2; 32]).unwrap();
        assert!(doc.sign(&other).is_err());
        // A request signed by another key than its `from` does not open.
        let (h, rest) = jws.split_once('.').unwrap();
        let (p, _) = rest.split_once('.').unwrap();
        let forged = format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode([0u8; 64]));
        assert_eq!(problem(PaymentRequestDoc::open(&forged, NOW)), Problem::InvalidSignature);
        assert_eq!(problem(PaymentRequestDoc::open("x.y.z", NOW)), Problem::Malformed);

        for (purpose, want) in [("", Problem::BadPurpose), ("a\u{1b}[1A", Problem::BadPurpose)] {
            let mut d = doc.clone();
            d.purpose = purpose.into();
            assert_eq!(problem(d.check()), want, "{purpose:?}");
        }
        let mut d = doc.clone();
        d.purpose = "é".repeat(140);
        d.check().unwrap();
        d.purpose.push('é');
        assert_eq!(problem(d.check()), Problem::BadPurpose);
        let mut d = doc.clone();
        d.value = "0".into();
        assert_eq!(problem(d.check()), Problem::BadAmount);
        d.value = "03".into();
        assert_eq!(problem(d.check()), Problem::BadAmount);
        let mut d = doc.clone();
        d.expires_at = d.issued_at;
        assert_eq!(problem(d.check()), Problem::BadExpiry);
        d.expires_at = d.issued_at + MAX_REQUEST_SECONDS + 1;
        assert_eq!(problem(d.check()), Problem::BadExpiry);
        assert_eq!(
            PaymentRequestDoc { purpose: "x\u{202e}y".into(), ..doc.clone() }.purpose_shown(),
            "xy",
            "shown inert"
        );
    }

    #[test]
    fn request_ids_and_derived_payment_ids() {
        let r = RequestId::random().unwrap();
        assert_eq!(r.as_str().len(), 22);
        assert_eq!(r.as_str().parse::<RequestId>().unwrap(), r);
        for bad in ["", "short", "AAAAAAAAAAAAAAAAAAAAAB", "AAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAAA"] {
            assert!(bad.parse::<RequestId>().is_err(), "{bad}");
        }
        let k = PublicKey([7; 32]);
        let id = request_payment_id(&k, &r);
        assert!(id.as_str().starts_with("rq_") && id.as_str().len() == 35);
        assert_eq!(request_payment_id(&k, &r), id);
        assert_ne!(request_payment_id(&PublicKey([8; 32]), &r), id);
        assert_ne!(request_payment_id(&k, &RequestId::random().unwrap()), id);
    }

    #[test]
    fn transfer_round_trip() {
        let alice = RingSigner::from_seed(&[1; 32]).unwrap();
        let bob = RingSigner::from_seed(&[2; 32]).unwrap();
        let signed = send(&alice, bob.public_key(), 2_500_000, Some("for the\u{202e} book"));
        let t = TransferDoc::open(&signed.transfer).unwrap();
        assert_eq!(t.amount, eur(2_500_000));
        assert_eq!(t.doc.authorization, signed.authorization);
        assert_eq!(t.claims.to, wallet_account(&bob.public_key()));
        assert_eq!(t.claims.resource, format!("centime:transfer:{}", t.payment_id()));
        assert_eq!(t.note_shown().as_deref(), Some("for the book"));
        assert_eq!(t.credit_id(), format!("t_{}", t.payment_id()));
        t.check_unexpired(NOW + TRANSFER_SECONDS + 29, 30).unwrap();
        assert_eq!(problem(t.check_unexpired(NOW + TRANSFER_SECONDS + 30, 30)), Problem::TransferExpired);
        assert_eq!(wallet_of_account(&t.claims.to), Some(bob.public_key()));
        assert_eq!(wallet_of_account("shop"), None);
    }

    #[test]
    fn a_request_s_payment_carries_its_derived_id() {
        let alice = RingSigner::from_seed(&[1; 32]).unwrap();
        let bob = RingSigner::from_seed(&[2; 32]).unwrap();
        let req = PaymentRequestDoc::new(bob.public_key(), net(), eur(1_230_000), "Tickets", NOW, 600).unwrap();
        let terms = TransferTerms::for_request(&req);
        let pid = terms.required_payment_id().unwrap();
        assert_eq!(pid, req.payment_id());
        assert_eq!(
            problem(terms.authorization_claims(alice.public_key(), PaymentId::random().unwrap(), 1, NOW)),
            Problem::AuthorizationMismatch
        );
        let claims = terms.authorization_claims(alice.public_key(), pid.clone(), 4, NOW).unwrap();
        assert_eq!(claims.resource, format!("centime:request:{}", req.request_id));
        let signed = sign_transfer(&alice, &terms, &claims, NOW).unwrap();
        let t = TransferDoc::open(&signed.transfer).unwrap();
        assert_eq!(t.doc.request_id, Some(req.request_id.clone()));
        assert_eq!((t.claims.value.as_str(), t.claims.asset_scale), (req.value.as_str(), req.asset_scale));
        // Paying one's own request is refused.
        assert_eq!(problem(terms.authorization_claims(bob.public_key(), pid, 1, NOW)), Problem::SelfTransfer);
    }

    /// A transfer whose authorization disagrees with it in any member does not open.
    #[test]
    fn mismatched_authorizations_are_refused() {
        let alice = RingSigner::from_seed(&[1; 32]).unwrap();
        let bob = RingSigner::from_seed(&[2; 32]).unwrap();
        let carol = RingSigner::from_seed(&[3; 32]).unwrap();
        let terms = TransferTerms::send(bob.public_key(), eur(1_000_000), net(), Some("hi")).unwrap();
        let good = terms.authorization_claims(alice.public_key(), PaymentId::random().unwrap(), 1, NOW).unwrap();
        let wrap = |signer: &RingSigner, claims: &AuthorizationClaims, doc: TransferDoc| {
            let authorization = documents::sign(signer, claims).unwrap();
            let doc = TransferDoc { authorization, ..doc };
            documents::sign(&alice, &doc).unwrap()
        };
        let base = TransferDoc {
            from: alice.public_key(),
            to: bob.public_key(),
            network: net(),
            authorization: String::new(),
            note: Some("hi".into()),
            request_id: None,
            issued_at: NOW,
        };
        let cases: Vec<(&str, AuthorizationClaims, TransferDoc, Problem)> = vec![
            (
                "pays carol",
                AuthorizationClaims { to: wallet_account(&carol.public_key()), ..good.clone() },
                base.clone(),
                Problem::AuthorizationMismatch,
            ),
            (
                "a merchant",
                AuthorizationClaims { to: "shop".into(), ..good.clone() },
                base.clone(),
                Problem::AuthorizationMismatch,
            ),
            (
                "other network",
                AuthorizationClaims { network: "centime:other".parse().unwrap(), ..good.clone() },
                base.clone(),
                Problem::AuthorizationMismatch,
            ),
            (
                "other resource",
                AuthorizationClaims { resource: "https://shop.example/".into(), ..good.clone() },
                base.clone(),
                Problem::AuthorizationMismatch,
            ),
            (
                "short window",
                AuthorizationClaims { valid_before: NOW + 60, ..good.clone() },
                base.clone(),
                Problem::AuthorizationMismatch,
            ),
            (
                "other value",
                AuthorizationClaims { value: "2".into(), ..good.clone() },
                base.clone(),
                Problem::AuthorizationMismatch,
            ),
            ("zero value", AuthorizationClaims { value: "0".into(), ..good.clone() }, base.clone(), Problem::BadAmount),
            (
                "other note",
                good.clone(),
                TransferDoc { note: Some("ho".into()), ..base.clone() },
                Problem::AuthorizationMismatch,
            ),
            ("no note", good.clone(), TransferDoc { note: None, ..base.clone() }, Problem::AuthorizationMismatch),
            (
                "a request",
                good.clone(),
                TransferDoc { request_id: Some(RequestId::random().unwrap()), ..base.clone() },
                Problem::AuthorizationMismatch,
            ),
            ("seq 0", AuthorizationClaims { seq: 0, ..good.clone() }, base.clone(), Problem::Malformed),
            ("bad nonce", AuthorizationClaims { nonce: "x".into(), ..good.clone() }, base.clone(), Problem::Malformed),
            (
                "long id",
                AuthorizationClaims { payment_id: "p".repeat(127).parse().unwrap(), ..good.clone() },
                base.clone(),
                Problem::Malformed,
            ),
            (
                "to self",
                AuthorizationClaims { to: wallet_account(&alice.public_key()), ..good.clone() },
                TransferDoc { to: alice.public_key(), ..base.clone() },
                Problem::SelfTransfer,
            ),
        ];
        for (what, claims, doc, want) in cases {
            assert_eq!(problem(TransferDoc::open(&wrap(&alice, &claims, doc))), want, "{what}");
        }
        // The authorization signed by another key than the transfer's.
        let claims = AuthorizationClaims { from: carol.public_key(), ..good.clone() };
        assert_eq!(problem(TransferDoc::open(&wrap(&carol, &claims, base.clone()))), Problem::AuthorizationMismatch);
        // An authorization whose signature does not verify.
        let mut doc = base.clone();
        let a = documents::sign(&alice, &good).unwrap();
        doc.authorization = format!("{}{}", &a[..a.len() - 2], if a.ends_with("AA") { "BA" } else { "AA" });
        assert_eq!(problem(TransferDoc::open(&documents::sign(&alice, &doc).unwrap())), Problem::InvalidSignature);
        // The good one opens.
        TransferDoc::open(&wrap(&alice, &good, base)).unwrap();
    }

    #[test]
    fn codes() {
        let c = TransferCode::random().unwrap();
        assert_eq!(c.as_str().len(), 16);
        assert_eq!(c.as_str().parse::<TransferCode>().unwrap(), c);
        assert_eq!(c.as_str().to_lowercase().parse::<TransferCode>().unwrap(), c);
        assert_eq!("0123456789abcdef".parse::<TransferCode>().unwrap().as_str(), "0123456789ABCDEF");
        assert_eq!("oIlL000000000000".parse::<TransferCode>().unwrap().as_str(), "0111000000000000");
        for bad in ["", "0123456789ABCDE", "0123456789ABCDEFG", "0123456789ABCDEU", "0123456789ABCDé"] {
            assert!(bad.parse::<TransferCode>().is_err(), "{bad}");
        }
        assert!(!format!("{c:?}").contains(c.as_str()));
        assert_ne!(TransferCode::random().unwrap(), c);
    }

    #[test]
    fn redemption_and_inbox_requests() {
        let bob = RingSigner::from_seed(&[2; 32]).unwrap();
        let code = TransferCode::random().unwrap();
        let r = RedemptionRequest::new(bob.public_key(), net(), NOW, Redeemed::Code(&code)).unwrap();
        let jws = documents::sign(&bob, &r).unwrap();
        assert_eq!(RedemptionRequest::open(&jws, &net(), NOW + 300).unwrap(), r);
        assert_eq!(problem(RedemptionRequest::open(&jws, &net(), NOW + 301)), Problem::StaleRequest);
        assert_eq!(
            problem(RedemptionRequest::open(&jws, &"centime:x".parse().unwrap(), NOW)),
            Problem::NetworkMismatch
        );
        let both = RedemptionRequest { transfer: Some("a.b.c".into()), ..r.clone() };
        assert_eq!(problem(both.check(&net(), NOW)), Problem::TransferOrCode);
        let neither = RedemptionRequest { code: None, ..r.clone() };
        assert_eq!(problem(neither.check(&net(), NOW)), Problem::TransferOrCode);
        let bad_nonce = RedemptionRequest { nonce: "n".into(), ..r.clone() };
        assert_eq!(problem(bad_nonce.check(&net(), NOW)), Problem::Malformed);

        let i = InboxRequest::new(bob.public_key(), net(), NOW).unwrap();
        let jws = documents::sign(&bob, &i).unwrap();
        assert_eq!(InboxRequest::open(&jws, &net(), NOW - 300).unwrap(), i);
        assert_eq!(problem(InboxRequest::open(&jws, &net(), NOW - 301)), Problem::StaleRequest);
        // A request of one type does not open as another.
        assert_eq!(problem(RedemptionRequest::open(&jws, &net(), NOW)), Problem::Malformed);
    }
}
