//! The issuer itself: what it signs (credit notes, settlement answers, revocation lists,
//! statements, merchant certificates) and the checks of docs/protocol.md §13 before it does.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::http::StatusCode;
use centime_protocol::certificate::MerchantCertificate;
use centime_protocol::documents::{self, AuthorizationClaims, CreditClaims};
use centime_protocol::jws::{Compact, RingSigner, Signer as _};
use centime_protocol::revocation::RevocationList;
use centime_protocol::settlement::{
    DEFAULT_SETTLEMENT_PERIOD_SECONDS, RefusalCode, SettlementAnswer, SettlementOutcome, SettlementRequest,
    SettlementResult,
};
use centime_protocol::statement::{Statement, StatementCredit, StatementPayment, StatementRequest, StatementTotal};
use centime_protocol::verify::{DEFAULT_SKEW_SECONDS, authorization_digest};
use centime_protocol::{Asset, Clock, Micros, Network, PublicKey};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::store::{CreditRecord, Item, MerchantRecord, Rules, Store};

mod transfers;

/// How long a merchant certificate the issuer signs is valid.
pub const CERTIFICATE_SECONDS: u64 = 30 * 86_400;
/// A minor unit of a top-up: whole cents.
const CENT: i64 = 10_000;
/// The longest `payTo`, in bytes (docs/protocol.md, the offer's fields).
const MAX_PAY_TO: usize = 128;

/// What the issuer is and how it settles.
#[derive(Debug, Clone)]
pub struct Config {
    /// Its network.
    pub network: Network,
    /// Its name.
    pub name: String,
    /// The assets it holds.
    pub assets: Vec<Asset>,
    /// Smallest top-up.
    pub min_topup: Micros,
    /// Largest top-up.
    pub max_topup: Micros,
    /// How long after `validBefore` an authorization can be settled.
    pub settlement_period_seconds: u64,
    /// How often merchants are to refresh the revocation list (its `nextUpdate − issuedAt`).
    pub revocation_refresh_seconds: u64,
    /// The clock skew allowed.
    pub skew_seconds: u64,
    /// A demonstration issuer (its notes are not backed by money): said in `GET /issuer`.
    pub demo: bool,
    /// Verify a settlement batch's signatures in one batch verification before the items
    /// (crate::batch), each on its own only when that fails. Off by default: it is faster
    /// (BENCHMARKS.md), and gives the same answers for every signature but one its key's holder
    /// crafted with a small-order component, which ring refuses and the batch may accept.
    pub batch_verify: bool,
}

impl Config {
    /// The demo's issuer: EUR and USD, top-ups of 0.01 to 100.00, the protocol's defaults.
    pub fn demo(network: Network, name: &str) -> Self {
        Config {
            network,
            name: name.to_owned(),
            assets: vec![Asset::EUR, Asset::USD],
            min_topup: Micros::from_micros(10_000),
            max_topup: Micros::from_micros(100_000_000),
            settlement_period_seconds: DEFAULT_SETTLEMENT_PERIOD_SECONDS,
            revocation_refresh_seconds: 300,
            skew_seconds: DEFAULT_SKEW_SECONDS,
            demo: true,
            batch_verify: false,
        }
    }
}

/// The issuer: its key, its configuration, its ledger and its clock.
pub struct Issuer {
    signer: RingSigner,
    config: Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("public_key", &self.signer.public_key())
            .field("network", &self.config.network)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// A credit note just issued.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issued {
    /// The credit note JWS.
    pub credit: String,
    /// Its `centime://topup` link.
    pub link: String,
    /// Its id.
    pub credit_id: String,
    /// The amount.
    pub amount: Micros,
    /// The currency.
    pub asset: Asset,
    /// The issuer's network.
    pub network: String,
    /// The issuer's key.
    pub issuer: PublicKey,
    /// The wallet credited.
    pub wallet: PublicKey,
    /// Whether this is a demo issuer.
    pub demo: bool,
}

impl Issuer {
    /// An issuer signing with `signer`, keeping its ledger in `store`.
    pub fn new(signer: RingSigner, config: Config, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Issuer { signer, config, store, clock }
    }

    /// The issuer's public key.
    pub fn public_key(&self) -> PublicKey {
        self.signer.public_key()
    }

    /// Its configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Its ledger.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Its clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// `GET /issuer`.
    pub fn describe(&self) -> Value {
        let mut v = serde_json::json!({
            "network": self.config.network,
            "publicKey": self.signer.public_key(),
            "name": self.config.name,
            "demo": self.config.demo,
            "limits": {
                "assets": self.config.assets,
                "minPerTopup": self.config.min_topup,
                "maxPerTopup": self.config.max_topup,
                "assetScale": 2,
            },
            "settlementPeriodSeconds": self.config.settlement_period_seconds,
            "revocationRefreshSeconds": self.config.revocation_refresh_seconds,
            "skewSeconds": self.config.skew_seconds,
        });
        if self.config.demo {
            v["notice"] = Value::from("A demonstration issuer: its credit notes are not backed by money.");
        }
        v
    }

    /// Registers (or re-registers) a merchant, its origins in their canonical form
    /// ([`check_merchant`]).
    pub fn register_merchant(&self, m: &MerchantRecord) -> Result<()> {
        self.store.register_merchant(&check_merchant(m)?)
    }

    /// Checks a top-up and signs its credit note, recorded before it is handed out.
    pub fn issue(&self, wallet: &str, amount: Micros, asset: Asset) -> Result<Issued> {
        let wallet: PublicKey = wallet.trim().parse().map_err(|_| {
            Error::bad_request(
                "invalid_wallet",
                "the wallet id must be the wallet's Ed25519 public key: 43 characters of base64url",
            )
        })?;
        if !self.config.assets.contains(&asset) {
            let held: Vec<&str> = self.config.assets.iter().map(|a| a.as_str()).collect();
            return Err(Error::bad_request(
                "unsupported_asset",
                format!("this issuer sells {}, not {asset}", held.join(" and ")),
            ));
        }
        if amount.is_negative() {
            return Err(Error::bad_request("invalid_amount", "a top-up cannot be negative"));
        }
        if amount.get() % CENT != 0 {
            return Err(Error::bad_request("invalid_amount", "top-ups are in whole cents (at most 2 decimals)"));
        }
        if amount < self.config.min_topup || amount > self.config.max_topup {
            return Err(Error::refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                "amount_out_of_limits",
                format!("a top-up is between {} and {} {asset}", self.config.min_topup, self.config.max_topup),
            ));
        }
        let credit_id = format!("cr_{}", random_id()?);
        let issued_at = self.clock.now();
        let claims = CreditClaims {
            iss: self.signer.public_key(),
            network: self.config.network.clone(),
            sub: wallet,
            credit_id: credit_id.clone(),
            value: amount.to_wire(2)?,
            asset,
            asset_scale: 2,
            issued_at,
        };
        let credit = documents::sign(&self.signer, &claims)?;
        let link = centime_protocol::deeplink::DeepLink::Topup { credit: credit.clone() }.to_link()?;
        self.store.record_credit(&CreditRecord {
            credit_id: credit_id.clone(),
            wallet,
            micros: amount,
            asset,
            value: claims.value.clone(),
            asset_scale: 2,
            issued_at,
            credit: credit.clone(),
        })?;
        tracing::info!(%credit_id, amount = %amount, %asset, "credit note issued");
        Ok(Issued {
            credit,
            link,
            credit_id,
            amount,
            asset,
            network: self.config.network.to_string(),
            issuer: self.signer.public_key(),
            wallet,
            demo: self.config.demo,
        })
    }

    /// `POST /issuer/settlements`: §13.2. Blocking (the ledger).
    pub fn settle(&self, jws: &str) -> Result<String> {
        let request = self.open_request::<SettlementRequest>(jws, "settlement request")?;
        request.check().map_err(|e| Error::bad_request("malformed_request", e.to_string()))?;
        self.check_network(&request.network)?;
        let merchant = self.store.merchant(&request.pay_to)?.ok_or_else(|| {
            Error::refused(
                StatusCode::FORBIDDEN,
                "unknown_merchant",
                format!("{} is not a registered merchant", request.pay_to),
            )
        })?;
        if merchant.key != request.iss {
            return Err(Error::refused(
                StatusCode::FORBIDDEN,
                "not_the_merchant_key",
                "the request is not signed by the key registered for this payTo",
            ));
        }
        let pay_to = request.pay_to.as_str();
        // §13.2 steps 1–5 of every item before any ledger work: with the ledger a few round trips
        // per batch, the signatures are most of a batch's time, and they spread over the cores.
        // With batch verification on, every signature in one batch verification first; when it
        // fails (or is off), each item is verified on its own, and a bad one gets its refusal.
        let batch_verified = self.config.batch_verify.then(|| {
            let read: Vec<_> = request.authorizations.iter().map(|a| read_item(a)).collect();
            let signed = read.iter().filter_map(|r| r.as_ref().ok()).map(Read::signed).collect::<Option<Vec<_>>>();
            signed.is_some_and(|s| !s.is_empty() && crate::batch::all_verify(&s)).then_some(read)
        });
        let checked: Vec<std::result::Result<Item, Refusal>> = match batch_verified.flatten() {
            Some(read) => read.into_iter().map(|r| r.and_then(|r| self.check_item(r, true, pay_to))).collect(),
            None => crate::parallel::map(&request.authorizations, |a| {
                read_item(a).and_then(|r| self.check_item(r, false, pay_to))
            }),
        };
        // The items that reach the ledger, decided in one transaction; the others keep their
        // refusal. `plan` holds, per request item, its place among the decided ones.
        let mut items = Vec::with_capacity(checked.len());
        let plan: Vec<std::result::Result<usize, Refusal>> = checked
            .into_iter()
            .map(|c| {
                c.map(|item| {
                    items.push(item);
                    items.len() - 1
                })
            })
            .collect();
        let rules = Rules {
            now: self.clock.now(),
            refresh_seconds: self.config.revocation_refresh_seconds,
            skew_seconds: self.config.skew_seconds,
        };
        // Committed, on disk, before anything is answered: nothing a crash could still undo.
        let decisions = self.store.settle(&items, &rules)?;
        if decisions.len() != items.len() {
            return Err(Error::Store(format!("{} decisions for {} items", decisions.len(), items.len())));
        }
        let mut results = Vec::with_capacity(plan.len());
        for (i, p) in plan.into_iter().enumerate() {
            let index = u32::try_from(i).map_err(|_| Error::bad_request("malformed_request", "too many items"))?;
            results.push(match p {
                Err((payment_id, code)) => SettlementResult {
                    index,
                    payment_id,
                    outcome: SettlementOutcome::Refused,
                    code: Some(code),
                    settled_at: None,
                },
                Ok(k) => {
                    let (item, d) = (&items[k], &decisions[k]);
                    SettlementResult {
                        index,
                        payment_id: item.payment_id.parse().ok(),
                        outcome: d.outcome,
                        code: d.code,
                        settled_at: d.settled_at,
                    }
                }
            });
        }
        let settled = results.iter().filter(|r| r.outcome == SettlementOutcome::Settled).count();
        tracing::info!(pay_to = %request.pay_to, request_id = %request.request_id, items = results.len(), settled, "settlement batch");
        let answer = SettlementAnswer {
            iss: self.signer.public_key(),
            network: self.config.network.clone(),
            pay_to: request.pay_to,
            request_id: request.request_id,
            issued_at: self.clock.now(),
            results,
        };
        Ok(documents::sign(&self.signer, &answer)?)
    }

    /// §13.2 item steps 2–5 on an item [`read_item`] read, and 7–8 kept for after step 6.
    /// `verified`: its signature (step 2) was verified in the batch already.
    fn check_item(&self, read: Read<'_>, verified: bool, pay_to: &str) -> std::result::Result<Item, Refusal> {
        let Read { jws, compact, claims, micros } = read;
        let id = Some(claims.payment_id.clone());
        if !verified {
            compact.verify(&claims.from).map_err(|_| (id.clone(), RefusalCode::InvalidSignature))?;
        }
        if claims.network != self.config.network {
            return Err((id, RefusalCode::NetworkMismatch));
        }
        if claims.to != pay_to {
            return Err((id, RefusalCode::NotThisMerchant));
        }
        if !self.config.assets.contains(&claims.asset) {
            return Err((id, RefusalCode::UnsupportedAsset));
        }
        let now = self.clock.now();
        let deadline = claims.valid_before.saturating_add(self.config.settlement_period_seconds);
        let timing = if claims.valid_after > now.saturating_add(self.config.skew_seconds) {
            Some(RefusalCode::NotYetValid)
        } else if now >= deadline {
            Some(RefusalCode::PastDeadline)
        } else {
            None
        };
        Ok(Item {
            wallet: claims.from,
            payment_id: claims.payment_id.to_string(),
            nonce: claims.nonce,
            seq: claims.seq,
            pay_to: claims.to,
            micros,
            asset: claims.asset,
            value: claims.value,
            asset_scale: claims.asset_scale,
            resource: claims.resource,
            valid_after: claims.valid_after,
            valid_before: claims.valid_before,
            digest: authorization_digest(jws),
            authorization: jws.to_owned(),
            timing,
        })
    }

    /// `GET /issuer/revocations`: §13.4, signed now.
    pub fn revocation_list(&self) -> Result<String> {
        let now = self.clock.now();
        let list = RevocationList {
            iss: self.signer.public_key(),
            network: self.config.network.clone(),
            issued_at: now,
            next_update: now.saturating_add(self.config.revocation_refresh_seconds),
            revoked: self.store.revocations()?,
        };
        Ok(documents::sign(&self.signer, &list)?)
    }

    /// `POST /issuer/statements`: §13.5.
    pub fn statement(&self, jws: &str) -> Result<String> {
        let request = self.open_request::<StatementRequest>(jws, "statement request")?;
        self.check_network(&request.network)?;
        let now = self.clock.now();
        request.check(&self.config.network, now).map_err(|e| Error::bad_request("stale_request", e.to_string()))?;
        if !self.store.use_statement_nonce(&request.from, &request.nonce, now)? {
            return Err(Error::refused(
                StatusCode::CONFLICT,
                "replayed_request",
                "this statement request was received before; sign a new one with a fresh nonce",
            ));
        }
        let account = self.store.account(&request.from)?;
        let mut sums: BTreeMap<&str, (Asset, Micros, Micros)> = BTreeMap::new();
        for c in &account.credits {
            let e = sums.entry(c.asset.as_str()).or_insert((c.asset, Micros::ZERO, Micros::ZERO));
            e.1 = e.1.checked_add(c.micros)?;
        }
        for s in &account.settled {
            let e = sums.entry(s.asset.as_str()).or_insert((s.asset, Micros::ZERO, Micros::ZERO));
            e.2 = e.2.checked_add(s.micros)?;
        }
        let totals = sums
            .into_values()
            .map(|(asset, credited, spent)| {
                let scale = credited.natural_scale().max(spent.natural_scale());
                Ok(StatementTotal {
                    asset,
                    asset_scale: scale,
                    credited: credited.to_wire(scale)?,
                    spent: spent.to_wire(scale)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let highest_seq = account.settled.iter().map(|s| s.seq).max().unwrap_or(0);
        let statement = Statement {
            iss: self.signer.public_key(),
            network: self.config.network.clone(),
            wallet: request.from,
            issued_at: now,
            request_nonce: request.nonce,
            highest_seq,
            totals,
            credits: account
                .credits
                .into_iter()
                .map(|c| StatementCredit {
                    credit_id: c.credit_id,
                    value: c.value,
                    asset: c.asset,
                    asset_scale: c.asset_scale,
                    issued_at: c.issued_at,
                })
                .collect(),
            settled: account
                .settled
                .into_iter()
                .map(|s| {
                    Ok(StatementPayment {
                        payment_id: s
                            .payment_id
                            .parse()
                            .map_err(|_| Error::Store(format!("a stored paymentId is invalid: {}", s.payment_id)))?,
                        seq: s.seq,
                        pay_to: s.pay_to,
                        value: s.value,
                        asset: s.asset,
                        asset_scale: s.asset_scale,
                        resource: s.resource,
                        settled_at: s.settled_at,
                        authorization: s.authorization,
                    })
                })
                .collect::<Result<Vec<_>>>()?,
            revoked: account.revoked,
        };
        Ok(documents::sign(&self.signer, &statement)?)
    }

    /// `GET /issuer/merchants/{payTo}/certificate`: §13.6, signed now.
    pub fn certificate(&self, pay_to: &str) -> Result<String> {
        let m = self.store.merchant(pay_to)?.ok_or_else(|| {
            Error::refused(StatusCode::NOT_FOUND, "unknown_merchant", format!("{pay_to} is not a registered merchant"))
        })?;
        let now = self.clock.now();
        let cert = MerchantCertificate {
            iss: self.signer.public_key(),
            network: self.config.network.clone(),
            pay_to: m.pay_to,
            origins: m.origins,
            receipt_key: m.key,
            name: m.name,
            issued_at: now,
            not_after: now.saturating_add(CERTIFICATE_SECONDS),
        };
        cert.check()?;
        Ok(documents::sign(&self.signer, &cert)?)
    }

    /// Opens a request JWS under the key it names; `what` names it in the refusal.
    fn open_request<T: documents::Document>(&self, jws: &str, what: &str) -> Result<T> {
        let jws = jws.trim();
        let compact = Compact::parse_limited(jws, T::TYP, T::MAX_LEN)
            .map_err(|e| Error::bad_request("malformed_request", format!("the {what} is not one: {e}")))?;
        if !compact.payload().trim_ascii_start().starts_with(b"{") {
            return Err(Error::bad_request("malformed_request", format!("the {what}'s claims are not an object")));
        }
        let claims: T = serde_json::from_slice(compact.payload())
            .map_err(|e| Error::bad_request("malformed_request", format!("the {what}'s claims: {e}")))?;
        compact.verify(claims.signer_key()).map_err(|_| {
            Error::refused(
                StatusCode::UNAUTHORIZED,
                "invalid_request_signature",
                format!("the {what} does not verify under the key it names"),
            )
        })?;
        Ok(claims)
    }

    fn check_network(&self, network: &Network) -> Result<()> {
        if network != &self.config.network {
            return Err(Error::bad_request(
                centime_protocol::settlement::RefusalCode::NetworkMismatch.into(),
                format!("this issuer is {}, not {network}", self.config.network),
            ));
        }
        Ok(())
    }
}

/// The checks of a merchant's registration, shared by [`Issuer::register_merchant`] and the
/// `merchant add` command, which has no issuer key to build an [`Issuer`] with. Returns the
/// record with its origins canonical (lowercase, default port dropped) and each named once, as
/// the certificate will name them: a wallet compares them with the page's origin.
pub fn check_merchant(m: &MerchantRecord) -> Result<MerchantRecord> {
    use centime_protocol::certificate::MAX_CERTIFICATE_ORIGINS;
    use centime_protocol::text::{MAX_MERCHANT_NAME, is_hidden};
    let invalid = |message: String| Error::bad_request("invalid_merchant", message);
    // payTo is signed into every authorization as `to`, so it is refused rather than cleaned.
    if m.pay_to.is_empty() || m.pay_to.len() > MAX_PAY_TO || m.pay_to.chars().any(is_hidden) {
        return Err(invalid(format!("payTo {:?} is not 1-{MAX_PAY_TO} bytes of printable characters", m.pay_to)));
    }
    // A wallet's account is settled only by its own redemptions (§14), never by a merchant.
    if m.pay_to.starts_with(centime_protocol::p2p::WALLET_ACCOUNT_PREFIX) {
        return Err(invalid(format!("payTo {:?} is a wallet's account, not a merchant's", m.pay_to)));
    }
    let name = m.name.trim();
    if name.is_empty() || name.chars().count() > MAX_MERCHANT_NAME || name.chars().any(is_hidden) {
        return Err(invalid(format!("the name must be 1-{MAX_MERCHANT_NAME} printable characters")));
    }
    let mut origins: Vec<String> = Vec::with_capacity(m.origins.len());
    for o in &m.origins {
        let origin: centime_protocol::Origin =
            o.parse().map_err(|e: centime_protocol::Error| invalid(format!("origin {e}")))?;
        if !origins.iter().any(|known| known == origin.as_str()) {
            origins.push(origin.as_str().to_owned());
        }
    }
    if origins.is_empty() || origins.len() > MAX_CERTIFICATE_ORIGINS {
        return Err(invalid(format!("a merchant sells from 1 to {MAX_CERTIFICATE_ORIGINS} origins")));
    }
    Ok(MerchantRecord { pay_to: m.pay_to.clone(), key: m.key, name: name.to_owned(), origins })
}

/// An item's refusal: its `paymentId` when it could be read, and the code.
type Refusal = (Option<centime_protocol::PaymentId>, RefusalCode);

/// An authorization whose structure and claims passed §13.2 item step 1, its signature not yet
/// verified.
struct Read<'a> {
    jws: &'a str,
    compact: Compact<'a>,
    claims: AuthorizationClaims,
    micros: Micros,
}

impl Read<'_> {
    /// What batch verification needs of it; `None` when the JWS does not split as it parsed.
    fn signed(&self) -> Option<crate::batch::Signed<'_>> {
        use base64::Engine as _;
        let (input, sig) = self.jws.rsplit_once('.')?;
        let signature = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sig).ok()?.try_into().ok()?;
        Some(crate::batch::Signed { key: &self.claims.from, input: input.as_bytes(), signature })
    }
}

/// §13.2 item step 1: the JWS, its claims, their form.
fn read_item(jws: &str) -> std::result::Result<Read<'_>, Refusal> {
    let compact = Compact::parse(jws, documents::AUTHORIZATION_TYP).map_err(|_| (None, RefusalCode::Malformed))?;
    let claims: AuthorizationClaims =
        serde_json::from_slice(compact.payload()).map_err(|_| (None, RefusalCode::Malformed))?;
    if !compact.payload().trim_ascii_start().starts_with(b"{") {
        return Err((None, RefusalCode::Malformed));
    }
    let id = Some(claims.payment_id.clone());
    let amount = claims.amount().map_err(|_| (id.clone(), RefusalCode::Malformed))?;
    if claims.seq == 0 || !centime_protocol::ids::check_nonce(&claims.nonce) || !amount.micros.is_positive() {
        return Err((id, RefusalCode::Malformed));
    }
    Ok(Read { jws, compact, claims, micros: amount.micros })
}

/// 16 random bytes, base64url: credit ids.
pub fn random_id() -> Result<String> {
    use base64::Engine as _;
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| Error::Config("the system's random number generator failed".into()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}
