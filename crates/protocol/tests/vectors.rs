//! Test vectors: fixed seeds and inputs → the exact JWS strings, headers, hashes and JCS bytes,
//! plus one negative vector (at least) per rejection code.
//!
//! `CENTIME_WRITE_VECTORS=1 cargo test -p centime-protocol --test vectors` rewrites the files in
//! `tests/vectors/`; without it the test regenerates every vector in memory and requires each
//! string in it (JWS, header, hash, canonical JSON) to equal the stored one byte for byte. A
//! second test reads the stored files alone and runs every verification vector through
//! [`Verifier`]. `scripts/verify_vectors.py` checks the same files with an independent
//! implementation written from `docs/protocol.md`.

// Test code: a panic here is a failed assertion (clippy.toml allows it inside #[test] only).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use centime_protocol::certificate::MerchantCertificate;
use centime_protocol::deeplink::DeepLink;
use centime_protocol::documents::Document;
use centime_protocol::documents::{
    self, AUTHORIZATION_TYP, AuthorizationClaims, CREDIT_TYP, CreditClaims, RECEIPT_TYP, ReceiptClaims,
};
use centime_protocol::jws::{self, RingSigner, Signer};
use centime_protocol::revocation::{RevocationList, RevocationReason, Revocations, RevokedKey};
use centime_protocol::settlement::{
    Fork, ForkProof, RefusalCode, SettlementAnswer, SettlementOutcome, SettlementRequest, SettlementResult,
};
use centime_protocol::statement::{Statement, StatementCredit, StatementPayment, StatementRequest, StatementTotal};
use centime_protocol::verify::DEFAULT_SKEW_SECONDS;
use centime_protocol::wire::AuthorizationEnvelope;
use centime_protocol::{
    Amount, Asset, FixedClock, MemoryReplayCache, Micros, Network, PaymentPayload, PaymentRequired,
    PaymentRequirements, Rejection, ResourceInfo, SettlementResponse, Verifier,
};
use serde_json::{Map, Value, json};
use strum::IntoEnumIterator;

/// 2026-01-01T00:00:00Z.
const NOW: u64 = 1_767_225_600;
const WALLET_SEED: [u8; 32] = [0x11; 32];
const MERCHANT_SEED: [u8; 32] = [0x22; 32];
const ISSUER_SEED: [u8; 32] = [0x33; 32];
const ATTACKER_SEED: [u8; 32] = [0x44; 32];
const PAY_TO: &str = "magazine-0001";
const RESOURCE_URL: &str = "https://magazine.example/articles/42";
const PAYMENT_ID: &str = "pay_vector_0000000001";
const MAX_TIMEOUT: u64 = 300;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn signer(seed: &[u8; 32]) -> RingSigner {
    RingSigner::from_seed(seed).unwrap()
}

/// The fixed nonce of vector number `n`: 32 bytes counting up from `n`.
fn nonce(n: u8) -> String {
    let b: Vec<u8> = (0..32u8).map(|i| i.wrapping_add(n)).collect();
    URL_SAFE_NO_PAD.encode(b)
}

fn network() -> Network {
    "centime:demo".parse().unwrap()
}

fn resource() -> ResourceInfo {
    ResourceInfo {
        url: RESOURCE_URL.into(),
        description: Some("Article 42: the price of a page".into()),
        mime_type: Some("text/html".into()),
        other: Map::new(),
    }
}

/// The reference offer: 0.05 EUR to `pay_to`.
fn offer_to(pay_to: &str) -> PaymentRequirements {
    let price = Amount::new(Micros::parse_user("0.05").unwrap(), Asset::EUR);
    PaymentRequirements::centime(&network(), pay_to, price, MAX_TIMEOUT, "The Demo Magazine", Some(86_400)).unwrap()
}

/// A 402 for the page at `url` with these offers.
fn offered_for(url: &str, accepts: Vec<PaymentRequirements>) -> PaymentRequired {
    let mut pr = PaymentRequired {
        x402_version: 2,
        error: Some("payment required".into()),
        resource: ResourceInfo { url: url.into(), ..resource() },
        accepts,
        extensions: Map::new(),
        other: Map::new(),
    };
    pr.declare_payment_identifier();
    pr
}

fn offered() -> PaymentRequired {
    offered_for(RESOURCE_URL, vec![offer_to(PAY_TO)])
}

fn accepted() -> Value {
    offered().accepts[0].to_value().unwrap()
}

/// The claims of the reference authorization, built by hand (no random nonce).
fn claims(wallet: &RingSigner) -> AuthorizationClaims {
    AuthorizationClaims {
        from: wallet.public_key(),
        to: PAY_TO.into(),
        value: "5".into(),
        asset: Asset::EUR,
        asset_scale: 2,
        network: network(),
        resource: RESOURCE_URL.into(),
        valid_after: NOW,
        valid_before: NOW + MAX_TIMEOUT,
        nonce: nonce(0),
        accepted_hash: documents::accepted_hash(&accepted()).unwrap(),
        payment_id: PAYMENT_ID.parse().unwrap(),
        seq: 1,
    }
}

/// Wraps a JWS as a `PAYMENT-SIGNATURE` payload echoing `accepted`.
fn payload(accepted: Value, jws: String, payment_id: Option<&str>) -> PaymentPayload {
    let mut p = PaymentPayload {
        x402_version: 2,
        resource: resource(),
        accepted,
        payload: AuthorizationEnvelope { authorization: jws, other: Map::new() },
        extensions: Map::new(),
        other: Map::new(),
    };
    if let Some(id) = payment_id {
        p.set_extension_payment_id(&id.parse().unwrap());
    }
    p
}

/// Signs `claims` with the wallet key and wraps them with the offered `accepted`.
fn signed_header(c: &AuthorizationClaims) -> String {
    let jws = documents::sign(&signer(&WALLET_SEED), c).unwrap();
    payload(accepted(), jws, Some(c.payment_id.as_str())).to_header().unwrap()
}

/// The JSON inside a header, for readers of the vector; `null` when it is not base64 JSON.
fn decoded(header: &str) -> Value {
    STANDARD.decode(header).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(Value::Null)
}

struct Check {
    name: &'static str,
    description: &'static str,
    now: u64,
    /// When the prior headers were verified (default: `now`).
    prior_now: Option<u64>,
    prior: Vec<String>,
    header: String,
    claims: Option<Value>,
    /// `Ok(())` for an accepted payment, else the expected code.
    expect: Result<(), Rejection>,
}

fn check_vector(c: Check) -> (String, Value) {
    check_vector_for(c, &offered(), None)
}

/// A case verified by the merchant whose 402 is `offered`. With `prior_offered`, the prior
/// headers were verified by another verifier (another page, another payee) that shares the
/// replay cache, as a publisher with one verifier per page and one durable cache has.
fn check_vector_for(c: Check, offered: &PaymentRequired, prior_offered: Option<&PaymentRequired>) -> (String, Value) {
    let mut v = json!({
        "kind": "verification",
        "name": c.name,
        "description": c.description,
        "now": c.now,
        "skewSeconds": DEFAULT_SKEW_SECONDS,
        "paymentRequired": offered.to_header().unwrap(),
        "priorNow": c.prior_now.unwrap_or(c.now),
        "prior": c.prior,
        "paymentSignature": c.header,
        "paymentSignatureJson": decoded(&c.header),
    });
    if let Some(p) = prior_offered {
        v["priorPaymentRequired"] = Value::from(p.to_header().unwrap());
    }
    if let Some(claims) = c.claims {
        v["signedClaims"] = claims;
    }
    v["expected"] = match c.expect {
        Ok(()) => {
            let p = PaymentPayload::from_header(&c.header).unwrap();
            let jws = jws::Compact::parse(&p.payload.authorization, AUTHORIZATION_TYP).unwrap();
            let claims: AuthorizationClaims = serde_json::from_slice(jws.payload()).unwrap();
            let amount = claims.amount().unwrap();
            json!({
                "result": "accepted",
                "payer": claims.from.to_string(),
                "paymentId": claims.payment_id.as_str(),
                "micros": amount.micros.get().to_string(),
                "asset": amount.asset.to_string(),
            })
        }
        Err(r) => json!({ "result": "rejected", "code": r.to_string() }),
    };
    let file = match c.expect {
        Ok(()) => format!("accept_{}.json", c.name),
        Err(_) => format!("reject_{}.json", c.name),
    };
    (file, v)
}

fn authorization_vector() -> Value {
    let wallet = signer(&WALLET_SEED);
    let offered = offered();
    let accepted = accepted();
    let c = claims(&wallet);
    let claims_json = serde_json::to_string(&c).unwrap();
    let header_json = format!(r#"{{"alg":"Ed25519","typ":"{AUTHORIZATION_TYP}"}}"#);
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(&header_json), URL_SAFE_NO_PAD.encode(&claims_json));
    let sig = wallet.sign(signing_input.as_bytes()).unwrap();
    let jws = documents::sign(&wallet, &c).unwrap();
    assert_eq!(jws, format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig)));
    let jcs = documents::canonical_json(&accepted).unwrap();
    let pay = payload(accepted.clone(), jws.clone(), Some(PAYMENT_ID));
    let header = pay.to_header().unwrap();
    let link = DeepLink::Pay {
        required: Box::new(offered.clone()),
        return_url: Some("https://magazine.example/articles/42?via=link".parse().unwrap()),
    };
    let link_str = link.to_link().unwrap();
    assert_eq!(DeepLink::parse(&link_str).unwrap(), link);
    let offered_json = serde_json::to_string(&offered).unwrap();
    json!({
        "kind": "authorization",
        "description": "The reference payment: a 0.05 EUR page, the wallet's authorization and the PAYMENT-SIGNATURE header",
        "walletSeedHex": hex(&WALLET_SEED),
        "walletPublicKey": wallet.public_key().to_string(),
        "now": NOW,
        "paymentRequiredJson": offered_json,
        "paymentRequired": offered.to_header().unwrap(),
        "acceptedJcs": String::from_utf8(jcs.clone()).unwrap(),
        "acceptedHash": documents::accepted_hash(&accepted).unwrap(),
        "jwsHeaderJson": header_json,
        "claimsJson": claims_json,
        "signingInput": signing_input,
        "signatureHex": hex(&sig),
        "jws": jws,
        "paymentSignatureJson": serde_json::to_string(&pay).unwrap(),
        "paymentSignature": header,
        "payDeepLink": link_str,
        "payDeepLinkReqJson": offered_json,
    })
}

fn credit_vector() -> Value {
    let issuer = signer(&ISSUER_SEED);
    let wallet = signer(&WALLET_SEED);
    let c = CreditClaims {
        iss: issuer.public_key(),
        network: network(),
        sub: wallet.public_key(),
        credit_id: "credit-000001".into(),
        value: "1000".into(),
        asset: Asset::EUR,
        asset_scale: 2,
        issued_at: NOW - 3600,
    };
    c.check_credit_id().unwrap();
    let jws = documents::sign(&issuer, &c).unwrap();
    assert_eq!(documents::open::<CreditClaims>(&jws).unwrap(), c);
    let link = DeepLink::Topup { credit: jws.clone() }.to_link().unwrap();
    assert_eq!(DeepLink::parse(&link).unwrap(), DeepLink::Topup { credit: jws.clone() });
    json!({
        "kind": "credit_note",
        "description": "A 10.00 EUR top-up from the demo issuer, bound to the wallet key of the reference payment",
        "issuerSeedHex": hex(&ISSUER_SEED),
        "issuerPublicKey": issuer.public_key().to_string(),
        "jwsHeaderJson": format!(r#"{{"alg":"Ed25519","typ":"{CREDIT_TYP}"}}"#),
        "claimsJson": serde_json::to_string(&c).unwrap(),
        "jws": jws,
        "micros": c.amount().unwrap().micros.get().to_string(),
        "topupDeepLink": link,
    })
}

fn receipt_vector() -> Value {
    let merchant = signer(&MERCHANT_SEED);
    let wallet = signer(&WALLET_SEED);
    let c = ReceiptClaims {
        iss: merchant.public_key(),
        resource_url: RESOURCE_URL.into(),
        payer: wallet.public_key(),
        payment_id: PAYMENT_ID.parse().unwrap(),
        value: "5".into(),
        asset: Asset::EUR,
        asset_scale: 2,
        issued_at: NOW + 1,
        transaction: "txn_0000000001".into(),
    };
    let jws = documents::sign(&merchant, &c).unwrap();
    assert_eq!(documents::open::<ReceiptClaims>(&jws).unwrap(), c);
    let resp = SettlementResponse {
        success: true,
        error_reason: None,
        transaction: "txn_0000000001".into(),
        network: network().to_string(),
        payer: wallet.public_key().to_string(),
        amount: Some("5".into()),
        receipt: Some(jws.clone()),
        other: Map::new(),
    };
    let header = resp.to_header().unwrap();
    assert_eq!(SettlementResponse::from_header(&header).unwrap(), resp);
    json!({
        "kind": "receipt",
        "description": "The merchant's receipt for the reference payment and its PAYMENT-RESPONSE header",
        "merchantSeedHex": hex(&MERCHANT_SEED),
        "merchantPublicKey": merchant.public_key().to_string(),
        "jwsHeaderJson": format!(r#"{{"alg":"Ed25519","typ":"{RECEIPT_TYP}"}}"#),
        "claimsJson": serde_json::to_string(&c).unwrap(),
        "jws": jws,
        "paymentResponseJson": serde_json::to_string(&resp).unwrap(),
        "paymentResponse": header,
    })
}

fn claims_value(c: &AuthorizationClaims) -> Option<Value> {
    Some(serde_json::to_value(c).unwrap())
}

fn verification_vectors() -> Vec<(String, Value)> {
    let wallet = signer(&WALLET_SEED);
    let base = claims(&wallet);
    let good = signed_header(&base);
    let mut out = Vec::new();
    let mut add = |c: Check| out.push(check_vector(c));

    // --- accepted --------------------------------------------------------------------------
    add(Check {
        name: "reference",
        description: "The reference payment, verified at validAfter",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: good.clone(),
        claims: claims_value(&base),
        expect: Ok(()),
    });
    add(Check {
        name: "idempotent_retry",
        description: "The same payload sent twice: the second answer is the first one again",
        now: NOW + 10,
        prior_now: None,
        prior: vec![good.clone()],
        header: good.clone(),
        claims: claims_value(&base),
        expect: Ok(()),
    });
    add(Check {
        name: "within_skew",
        description: "Verified 10 s after validBefore: inside the 30 s skew",
        now: NOW + MAX_TIMEOUT + 10,
        prior_now: None,
        prior: vec![],
        header: good.clone(),
        claims: claims_value(&base),
        expect: Ok(()),
    });
    let mut c = base.clone();
    c.value = "60".into();
    c.asset_scale = 3;
    c.nonce = nonce(1);
    add(Check {
        name: "overpay_other_scale",
        description: "value 60 at assetScale 3 (0.060 EUR) pays for an offer of 5 at assetScale 2 (0.05 EUR)",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Ok(()),
    });
    let c = base.clone();
    let jws = documents::sign(&wallet, &c).unwrap();
    add(Check {
        name: "without_extension",
        description: "No payment-identifier extension: the signed paymentId alone is the idempotency key",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: payload(accepted(), jws, None).to_header().unwrap(),
        claims: claims_value(&c),
        expect: Ok(()),
    });

    let mut p = payload(accepted(), documents::sign(&wallet, &c).unwrap(), None);
    p.extensions.insert("payment-identifier".into(), serde_json::json!({"info": {"required": false}}));
    add(Check {
        name: "echoed_extension_without_id",
        description: "The merchant's payment-identifier declaration echoed without an id, as x402 clients send it: \
                      as if absent",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: p.to_header().unwrap(),
        claims: claims_value(&c),
        expect: Ok(()),
    });

    // --- malformed -------------------------------------------------------------------------
    add(Check {
        name: "malformed",
        description: "The header is not base64",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: "not base64!".into(),
        claims: None,
        expect: Err(Rejection::Malformed),
    });
    let mut p = PaymentPayload::from_header(&good).unwrap();
    p.payload.authorization = {
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"EdDSA","typ":"{AUTHORIZATION_TYP}"}}"#));
        let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&base).unwrap());
        let input = format!("{header}.{body}");
        let sig = wallet.sign(input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    };
    add(Check {
        name: "malformed_alg_eddsa",
        description: "A correctly signed JWS whose header says alg EdDSA: only Ed25519 is accepted",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: p.to_header().unwrap(),
        claims: claims_value(&base),
        expect: Err(Rejection::Malformed),
    });
    let mut c = base.clone();
    c.nonce = "c2hvcnQ".into();
    add(Check {
        name: "malformed_nonce",
        description: "A signed nonce that is not 32 bytes",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::Malformed),
    });
    let jws = documents::sign(&wallet, &base).unwrap();
    add(Check {
        name: "malformed_extension_id",
        description: "The payment-identifier extension carries another id than the signed paymentId",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: payload(accepted(), jws, Some("pay_vector_0000000999")).to_header().unwrap(),
        claims: claims_value(&base),
        expect: Err(Rejection::Malformed),
    });

    let mut p = payload(accepted(), documents::sign(&wallet, &base).unwrap(), None);
    p.extensions.insert("payment-identifier".into(), serde_json::json!({"info": {"required": false, "id": 42}}));
    add(Check {
        name: "malformed_extension_id_not_a_string",
        description: "The payment-identifier extension's info.id is a number, not a paymentId",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: p.to_header().unwrap(),
        claims: claims_value(&base),
        expect: Err(Rejection::Malformed),
    });

    // --- one per remaining code ------------------------------------------------------------
    let mut p = PaymentPayload::from_header(&good).unwrap();
    p.x402_version = 1;
    add(Check {
        name: "unsupported_version",
        description: "x402Version 1 in PAYMENT-SIGNATURE",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: p.to_header().unwrap(),
        claims: claims_value(&base),
        expect: Err(Rejection::UnsupportedVersion),
    });
    let mut acc = accepted();
    acc["scheme"] = json!("upto");
    let mut c = base.clone();
    c.accepted_hash = documents::accepted_hash(&acc).unwrap();
    let jws = documents::sign(&wallet, &c).unwrap();
    add(Check {
        name: "unsupported_scheme",
        description: "accepted.scheme is \"upto\" (signed and hashed consistently)",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: payload(acc, jws, Some(PAYMENT_ID)).to_header().unwrap(),
        claims: claims_value(&c),
        expect: Err(Rejection::UnsupportedScheme),
    });
    let attacker = signer(&ATTACKER_SEED);
    let forged = jws::sign(&attacker, AUTHORIZATION_TYP, &serde_json::to_vec(&base).unwrap()).unwrap();
    add(Check {
        name: "invalid_signature",
        description: "The reference claims (from = the wallet key) signed by another key",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: payload(accepted(), forged, Some(PAYMENT_ID)).to_header().unwrap(),
        claims: claims_value(&base),
        expect: Err(Rejection::InvalidSignature),
    });
    let mut acc = accepted();
    acc["amount"] = json!("4");
    let mut c = base.clone();
    c.value = "4".into();
    c.accepted_hash = documents::accepted_hash(&acc).unwrap();
    let jws = documents::sign(&wallet, &c).unwrap();
    add(Check {
        name: "terms_mismatch",
        description: "accepted was edited (amount 4): it equals no offered requirement",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: payload(acc, jws, Some(PAYMENT_ID)).to_header().unwrap(),
        claims: claims_value(&c),
        expect: Err(Rejection::TermsMismatch),
    });
    let mut c = base.clone();
    c.accepted_hash = URL_SAFE_NO_PAD.encode([0u8; 32]);
    add(Check {
        name: "terms_mismatch_hash",
        description: "accepted equals the offer but the signed acceptedHash does not match it",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::TermsMismatch),
    });
    let mut c = base.clone();
    c.to = "someone-else".into();
    add(Check {
        name: "recipient_mismatch",
        description: "to names another account than the offer's payTo",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::RecipientMismatch),
    });
    let mut c = base.clone();
    c.asset = Asset::USD;
    add(Check {
        name: "asset_mismatch",
        description: "asset USD signed for an EUR offer",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::AssetMismatch),
    });
    let mut c = base.clone();
    c.network = "centime:other".parse().unwrap();
    add(Check {
        name: "network_mismatch",
        description: "network centime:other signed for a centime:demo offer",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::NetworkMismatch),
    });
    let mut c = base.clone();
    c.resource = "https://magazine.example/articles/43".into();
    add(Check {
        name: "resource_mismatch",
        description: "the signed resource is another page of the same site",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::ResourceMismatch),
    });
    let mut c = base.clone();
    c.value = "4".into();
    add(Check {
        name: "amount_too_low",
        description: "value 4 at assetScale 2 (0.04 EUR) for a 0.05 EUR offer",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::AmountTooLow),
    });
    let mut c = base.clone();
    c.valid_after = NOW + 100;
    c.valid_before = NOW + 300;
    add(Check {
        name: "not_yet_valid",
        description: "validAfter is 100 s ahead of now, beyond the 30 s skew",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::NotYetValid),
    });
    add(Check {
        name: "expired",
        description: "now is validBefore + 30 s: the skew is exhausted",
        now: NOW + MAX_TIMEOUT + DEFAULT_SKEW_SECONDS,
        prior_now: None,
        prior: vec![],
        header: good.clone(),
        claims: claims_value(&base),
        expect: Err(Rejection::Expired),
    });
    add(Check {
        name: "expired_retry",
        description: "The reference payload accepted at validAfter, sent again once expired: no first answer any more",
        now: NOW + MAX_TIMEOUT + DEFAULT_SKEW_SECONDS,
        prior_now: Some(NOW),
        prior: vec![good.clone()],
        header: good.clone(),
        claims: claims_value(&base),
        expect: Err(Rejection::Expired),
    });
    let mut c = base.clone();
    c.valid_before = NOW + MAX_TIMEOUT + 1;
    add(Check {
        name: "window_too_long",
        description: "validBefore - validAfter is 301 s for maxTimeoutSeconds 300",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::WindowTooLong),
    });
    let mut c = base.clone();
    c.payment_id = "pay_vector_0000000002".parse().unwrap();
    add(Check {
        name: "replayed_nonce",
        description: "A second payment (other paymentId) reusing the reference payment's nonce",
        now: NOW + 5,
        prior_now: None,
        prior: vec![good.clone()],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::ReplayedNonce),
    });
    let mut c = base.clone();
    c.nonce = nonce(2);
    add(Check {
        name: "payment_id_conflict",
        description: "A different payload (fresh nonce) under the reference payment's paymentId",
        now: NOW + 5,
        prior_now: None,
        prior: vec![good.clone()],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::PaymentIdConflict),
    });
    let mut c = base.clone();
    c.seq = 0;
    add(Check {
        name: "malformed_seq_zero",
        description: "seq 0: sequence numbers start at 1 (ADR 21)",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: signed_header(&c),
        claims: claims_value(&c),
        expect: Err(Rejection::Malformed),
    });
    let (file, mut v) = check_vector(Check {
        name: "revoked_payer",
        description: "The reference payment verified with the issuer's revocation list naming the wallet's key \
                      (a list past its nextUpdate: it still applies)",
        now: NOW,
        prior_now: None,
        prior: vec![],
        header: good.clone(),
        claims: claims_value(&base),
        expect: Err(Rejection::RevokedPayer),
    });
    v["issuerPublicKey"] = json!(signer(&ISSUER_SEED).public_key().to_string());
    v["revocations"] = json!(revocation_jws());
    out.push((file, v));

    // --- the first answer is given only to the payment it answered --------------------------
    // The same authorization again skips the signature check and the replay cache, never the
    // checks of the unsigned wrapper and the signed claims against this verifier's offer.
    let page_43 = "https://magazine.example/articles/43";
    out.push(check_vector_for(
        Check {
            name: "shared_cache_other_resource",
            description: "The reference header, accepted for article 42, sent to article 43's verifier, which shares \
                          the replay cache: the first answer is not article 43's",
            now: NOW + 10,
            prior_now: None,
            prior: vec![good.clone()],
            header: good.clone(),
            claims: claims_value(&base),
            expect: Err(Rejection::ResourceMismatch),
        },
        &offered_for(page_43, vec![offer_to(PAY_TO)]),
        Some(&offered()),
    ));
    out.push(check_vector_for(
        Check {
            name: "shared_cache_other_pay_to",
            description: "The reference header sent to a verifier for the same page whose offer pays magazine-0002, \
                          sharing the replay cache: accepted is not its offer",
            now: NOW + 10,
            prior_now: None,
            prior: vec![good.clone()],
            header: good.clone(),
            claims: claims_value(&base),
            expect: Err(Rejection::TermsMismatch),
        },
        &offered_for(RESOURCE_URL, vec![offer_to("magazine-0002")]),
        Some(&offered()),
    ));
    let mut p = PaymentPayload::from_header(&good).unwrap();
    p.resource.url = page_43.into();
    add_retry(
        &mut out,
        "retry_rewrapped_resource",
        "The accepted reference authorization again, its unsigned resource.url changed to article 43",
        p,
        &base,
        Err(Rejection::ResourceMismatch),
        None,
    );
    let two_offers = offered_for(RESOURCE_URL, vec![offer_to(PAY_TO), offer_to("magazine-0002")]);
    let mut p = PaymentPayload::from_header(&good).unwrap();
    p.accepted = two_offers.accepts[1].to_value().unwrap();
    add_retry(
        &mut out,
        "retry_rewrapped_offer",
        "The accepted reference authorization again, accepted swapped for the merchant's other offer (payTo \
         magazine-0002), which acceptedHash does not match",
        p,
        &base,
        Err(Rejection::TermsMismatch),
        Some(&two_offers),
    );
    let mut p = PaymentPayload::from_header(&good).unwrap();
    p.set_extension_payment_id(&"pay_vector_0000000999".parse().unwrap());
    add_retry(
        &mut out,
        "retry_other_extension_id",
        "The accepted reference authorization again, its payment-identifier extension naming another id",
        p,
        &base,
        Err(Rejection::Malformed),
        None,
    );
    out
}

/// A case whose prior is the reference header, accepted by the same verifier (for `offered`,
/// else the reference 402), and whose header is `payload`: the same authorization, rewrapped.
fn add_retry(
    out: &mut Vec<(String, Value)>,
    name: &'static str,
    description: &'static str,
    payload: PaymentPayload,
    claims: &AuthorizationClaims,
    expect: Result<(), Rejection>,
    offered: Option<&PaymentRequired>,
) {
    let good = signed_header(claims);
    assert_eq!(PaymentPayload::from_header(&good).unwrap().payload, payload.payload, "{name}: another JWS");
    let c = Check {
        name,
        description,
        now: NOW + 10,
        prior_now: None,
        prior: vec![good],
        header: payload.to_header().unwrap(),
        claims: claims_value(claims),
        expect,
    };
    out.push(match offered {
        Some(o) => check_vector_for(c, o, None),
        None => check_vector(c),
    });
}

fn all_vectors() -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    m.insert("authorization.json".to_owned(), authorization_vector());
    m.insert("credit_note.json".to_owned(), credit_vector());
    m.insert("receipt.json".to_owned(), receipt_vector());
    for (file, v) in issuer_document_vectors() {
        assert!(m.insert(file.clone(), v).is_none(), "two vectors named {file}");
    }
    for (file, v) in wallet_to_wallet_vectors() {
        assert!(m.insert(file.clone(), v).is_none(), "two vectors named {file}");
    }
    for (file, v) in verification_vectors() {
        assert!(m.insert(file.clone(), v).is_none(), "two vectors named {file}");
    }
    m
}

/// The reference authorization's JWS (seq 1) and a second one, seq 2, to another page.
fn reference_jws() -> (String, String) {
    let wallet = signer(&WALLET_SEED);
    let first = documents::sign(&wallet, &claims(&wallet)).unwrap();
    let mut c = claims(&wallet);
    c.seq = 2;
    c.nonce = nonce(3);
    c.payment_id = "pay_vector_0000000003".parse().unwrap();
    c.value = "10".into();
    c.resource = "https://magazine.example/articles/43".into();
    (first, documents::sign(&wallet, &c).unwrap())
}

/// The issuer's revocation list of the vectors: the wallet's key, revoked for a fork. Its
/// `nextUpdate` is before the vectors' `now`: a stale list still applies.
fn revocation_list() -> RevocationList {
    let issuer = signer(&ISSUER_SEED);
    RevocationList {
        iss: issuer.public_key(),
        network: network(),
        issued_at: NOW - 600,
        next_update: NOW - 300,
        revoked: vec![
            RevokedKey {
                wallet: signer(&ATTACKER_SEED).public_key(),
                reason: RevocationReason::Overdrawn,
                revoked_at: NOW - 7200,
            },
            RevokedKey {
                wallet: signer(&WALLET_SEED).public_key(),
                reason: RevocationReason::Fork,
                revoked_at: NOW - 900,
            },
        ],
    }
}

fn revocation_jws() -> String {
    documents::sign(&signer(&ISSUER_SEED), &revocation_list()).unwrap()
}

/// A positive vector of one issuer document: seed, header, claims, JWS.
fn document_vector<T: Document + PartialEq + std::fmt::Debug>(
    kind: &str,
    description: &str,
    seed: &[u8; 32],
    claims: &T,
) -> (String, Value) {
    let s = signer(seed);
    let jws = documents::sign(&s, claims).unwrap();
    assert_eq!(&documents::open::<T>(&jws).unwrap(), claims);
    let v = json!({
        "kind": kind,
        "description": description,
        "typ": T::TYP,
        "signerSeedHex": hex(seed),
        "signerPublicKey": s.public_key().to_string(),
        "jwsHeaderJson": format!(r#"{{"alg":"Ed25519","typ":"{}"}}"#, T::TYP),
        "claimsJson": serde_json::to_string(claims).unwrap(),
        "jws": jws,
    });
    (format!("{kind}.json"), v)
}

fn issuer_document_vectors() -> Vec<(String, Value)> {
    let issuer = signer(&ISSUER_SEED);
    let merchant = signer(&MERCHANT_SEED);
    let wallet = signer(&WALLET_SEED);
    let (first, second) = reference_jws();
    let mut out = Vec::new();

    let cert = MerchantCertificate {
        iss: issuer.public_key(),
        network: network(),
        pay_to: PAY_TO.into(),
        origins: vec!["https://magazine.example".into()],
        receipt_key: merchant.public_key(),
        name: "The Demo Magazine".into(),
        issued_at: NOW - 86_400,
        not_after: NOW + 365 * 86_400,
    };
    cert.check().unwrap();
    out.push(document_vector(
        "merchant_certificate",
        "The issuer certifies magazine-0001: its origin, its receipt key and its name",
        &ISSUER_SEED,
        &cert,
    ));

    let request = SettlementRequest {
        iss: merchant.public_key(),
        network: network(),
        pay_to: PAY_TO.into(),
        request_id: "batch-000001".into(),
        issued_at: NOW + 3600,
        authorizations: vec![first.clone(), second.clone(), first.clone()],
    };
    request.check().unwrap();
    out.push(document_vector(
        "settlement_request",
        "magazine-0001 settles the reference authorization (seq 1), a second one (seq 2) and the first again",
        &MERCHANT_SEED,
        &request,
    ));

    let answer = SettlementAnswer {
        iss: issuer.public_key(),
        network: network(),
        pay_to: PAY_TO.into(),
        request_id: "batch-000001".into(),
        issued_at: NOW + 3601,
        results: vec![
            SettlementResult {
                index: 0,
                payment_id: Some(PAYMENT_ID.parse().unwrap()),
                outcome: SettlementOutcome::Settled,
                code: None,
                settled_at: Some(NOW + 3601),
            },
            SettlementResult {
                index: 1,
                payment_id: Some("pay_vector_0000000003".parse().unwrap()),
                outcome: SettlementOutcome::Refused,
                code: Some(RefusalCode::Overdrawn),
                settled_at: None,
            },
            SettlementResult {
                index: 2,
                payment_id: Some(PAYMENT_ID.parse().unwrap()),
                outcome: SettlementOutcome::AlreadySettled,
                code: None,
                settled_at: Some(NOW + 3601),
            },
        ],
    };
    let answer_jws = documents::sign(&issuer, &answer).unwrap();
    assert_eq!(SettlementAnswer::open_for(&answer_jws, &issuer.public_key(), &request).unwrap(), answer);
    out.push(document_vector(
        "settlement_answer",
        "The issuer's answer: the first settled, the second refused overdrawn, the repeat already settled",
        &ISSUER_SEED,
        &answer,
    ));

    let list = revocation_list();
    RevocationList::open_trusted(&revocation_jws(), &issuer.public_key()).unwrap();
    out.push(document_vector(
        "revocation_list",
        "Two revoked keys: the attacker's (overdrawn) and the reference wallet's (fork)",
        &ISSUER_SEED,
        &list,
    ));

    let sreq =
        StatementRequest { from: wallet.public_key(), network: network(), issued_at: NOW + 7200, nonce: nonce(9) };
    sreq.check(&network(), NOW + 7200).unwrap();
    out.push(document_vector("statement_request", "The reference wallet asks for its statement", &WALLET_SEED, &sreq));

    let statement = Statement {
        iss: issuer.public_key(),
        network: network(),
        wallet: wallet.public_key(),
        issued_at: NOW + 7201,
        request_nonce: nonce(9),
        highest_seq: 1,
        totals: vec![StatementTotal { asset: Asset::EUR, asset_scale: 2, credited: "1000".into(), spent: "5".into() }],
        credits: vec![StatementCredit {
            credit_id: "credit-000001".into(),
            value: "1000".into(),
            asset: Asset::EUR,
            asset_scale: 2,
            issued_at: NOW - 3600,
        }],
        settled: vec![StatementPayment {
            payment_id: PAYMENT_ID.parse().unwrap(),
            seq: 1,
            pay_to: PAY_TO.into(),
            value: "5".into(),
            asset: Asset::EUR,
            asset_scale: 2,
            resource: RESOURCE_URL.into(),
            settled_at: NOW + 3601,
            authorization: first.clone(),
        }],
        revoked: None,
    };
    let statement_jws = documents::sign(&issuer, &statement).unwrap();
    assert_eq!(Statement::open_for(&statement_jws, &issuer.public_key(), &sreq).unwrap(), statement);
    out.push(document_vector(
        "statement",
        "The issuer's statement for the reference wallet: one credit of 10.00 EUR, one settled payment of 0.05 EUR",
        &ISSUER_SEED,
        &statement,
    ));

    // A fork: the reference claims, and the same seq 1 signed again for another payment.
    let mut c = claims(&wallet);
    c.nonce = nonce(4);
    c.payment_id = "pay_vector_0000000004".parse().unwrap();
    let fork_second = documents::sign(&wallet, &c).unwrap();
    let proof = ForkProof { first: first.clone(), second: fork_second };
    assert_eq!(proof.check().unwrap(), Fork { wallet: wallet.public_key(), seq: 1 });
    assert!(ForkProof { first: first.clone(), second: first.clone() }.check().is_err());
    assert!(ForkProof { first, second }.check().is_err());
    out.push((
        "fork_proof.json".into(),
        json!({
            "kind": "fork_proof",
            "description": "Two different authorizations from the reference wallet, both with seq 1",
            "walletPublicKey": wallet.public_key().to_string(),
            "seq": 1,
            "proofJson": serde_json::to_string(&proof).unwrap(),
        }),
    ));
    out
}

/// §14: the four documents of payments between wallets. The reference wallet pays a request of
/// a second wallet (seed 0x55); the transfer's authorization is the wallet's seq 3.
fn wallet_to_wallet_vectors() -> Vec<(String, Value)> {
    use centime_protocol::p2p::{
        InboxRequest, PaymentRequestDoc, RedemptionRequest, TransferDoc, TransferTerms, sign_transfer,
    };
    const RECIPIENT_SEED: [u8; 32] = [0x55; 32];
    let (payer, recipient) = (signer(&WALLET_SEED), signer(&RECIPIENT_SEED));
    let request = PaymentRequestDoc {
        from: recipient.public_key(),
        network: network(),
        value: "300".into(),
        asset: Asset::EUR,
        asset_scale: 2,
        purpose: "Dinner on Friday".into(),
        request_id: "dmVjdG9yLXJlcXVlc3QwMQ".parse().unwrap(),
        issued_at: NOW,
        expires_at: NOW + 604_800,
    };
    request.check().unwrap();
    let terms = TransferTerms::for_request(&request);
    let mut claims =
        terms.authorization_claims(payer.public_key(), terms.required_payment_id().unwrap(), 3, NOW + 60).unwrap();
    claims.nonce = nonce(5);
    let signed = sign_transfer(&payer, &terms, &claims, NOW + 60).unwrap();
    let transfer: TransferDoc = documents::open(&signed.transfer).unwrap();
    assert_eq!(TransferDoc::open(&signed.transfer).unwrap().claims, claims);
    let redemption = RedemptionRequest {
        from: recipient.public_key(),
        network: network(),
        issued_at: NOW + 120,
        nonce: nonce(6),
        transfer: Some(signed.transfer.clone()),
        code: None,
    };
    redemption.check(&network(), NOW + 120).unwrap();
    let inbox =
        InboxRequest { from: recipient.public_key(), network: network(), issued_at: NOW + 120, nonce: nonce(7) };
    vec![
        document_vector("payment_request", "A second wallet asks for 3.00 EUR", &RECIPIENT_SEED, &request),
        document_vector(
            "transfer",
            "The reference wallet pays that request: an authorization to wallet:<recipient>, its paymentId derived",
            &WALLET_SEED,
            &transfer,
        ),
        document_vector(
            "redemption_request",
            "The recipient redeems the transfer given whole",
            &RECIPIENT_SEED,
            &redemption,
        ),
        document_vector("inbox_request", "The recipient asks for its inbox", &RECIPIENT_SEED, &inbox),
    ]
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn stored() -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    for entry in std::fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            m.insert(path.file_name().unwrap().to_string_lossy().into_owned(), read(&path));
        }
    }
    m
}

/// Regenerates every vector and compares it with the stored file (or rewrites the files).
#[test]
fn vectors_are_reproduced_byte_for_byte() {
    let generated = all_vectors();
    if std::env::var_os("CENTIME_WRITE_VECTORS").is_some_and(|v| v == "1") {
        for (file, v) in &generated {
            std::fs::write(dir().join(file), serde_json::to_string_pretty(v).unwrap() + "\n").unwrap();
        }
        for file in stored().keys() {
            if !generated.contains_key(file) {
                std::fs::remove_file(dir().join(file)).unwrap();
            }
        }
        return;
    }
    let stored = stored();
    assert_eq!(
        stored.keys().collect::<Vec<_>>(),
        generated.keys().collect::<Vec<_>>(),
        "vector files differ from the generated set; regenerate with CENTIME_WRITE_VECTORS=1"
    );
    for (file, want) in &generated {
        let got = &stored[file];
        // Every string (JWS, header, hash, canonical JSON) is compared exactly; the file's
        // own layout is not an artifact.
        assert_eq!(got, want, "{file} differs from what the code produces now");
    }
}

fn verify_case(v: &Value) -> Result<centime_protocol::Verified, Rejection> {
    let clock = Arc::new(FixedClock::new(v["now"].as_u64().unwrap()));
    let skew = v["skewSeconds"].as_u64().unwrap();
    let verifier_of = |header: &Value| {
        let required = PaymentRequired::from_header(header.as_str().unwrap()).unwrap();
        Verifier::new(required, clock.clone()).unwrap().with_skew(skew)
    };
    let mut verifier = verifier_of(&v["paymentRequired"]);
    if let Some(list) = v.get("revocations") {
        let issuer: centime_protocol::PublicKey = v["issuerPublicKey"].as_str().unwrap().parse().unwrap();
        let list = RevocationList::open_trusted(list.as_str().unwrap(), &issuer).unwrap();
        verifier = verifier.with_revocations(Arc::new(Revocations::new(list)));
    }
    // Another page's verifier, with the same replay cache.
    let other = v.get("priorPaymentRequired").map(verifier_of);
    let cache = MemoryReplayCache::new();
    clock.set(v["priorNow"].as_u64().unwrap());
    for prior in v["prior"].as_array().unwrap() {
        other
            .as_ref()
            .unwrap_or(&verifier)
            .verify(prior.as_str().unwrap(), &cache)
            .expect("a prior payment is accepted");
    }
    clock.set(v["now"].as_u64().unwrap());
    verifier.verify(v["paymentSignature"].as_str().unwrap(), &cache).map_err(|e| e.rejection())
}

/// Runs the stored verification vectors (read from disk alone) through the verifier.
#[test]
fn stored_vectors_verify_or_reject_with_their_code() {
    let mut n = 0;
    for (file, v) in stored() {
        if v["kind"] != "verification" {
            continue;
        }
        n += 1;
        let expected = &v["expected"];
        match (verify_case(&v), expected["result"].as_str().unwrap()) {
            (Ok(ok), "accepted") => {
                assert_eq!(ok.payer().to_string(), expected["payer"], "{file}");
                assert_eq!(ok.payment_id().as_str(), expected["paymentId"], "{file}");
                assert_eq!(ok.amount.micros.get().to_string(), expected["micros"], "{file}");
                assert_eq!(ok.amount.asset.to_string(), expected["asset"], "{file}");
            }
            (Err(code), "rejected") => assert_eq!(code.to_string(), expected["code"], "{file}"),
            (got, want) => panic!("{file}: expected {want}, got {got:?}"),
        }
    }
    assert!(n >= 20, "only {n} verification vectors found");
}

/// The documents in the stored positive vectors open with their keys and match their parts.
#[test]
fn stored_documents_open() {
    let s = stored();
    let a = &s["authorization.json"];
    let jws = a["jws"].as_str().unwrap();
    let claims = documents::open::<AuthorizationClaims>(jws).unwrap();
    assert_eq!(serde_json::to_string(&claims).unwrap(), a["claimsJson"]);
    assert_eq!(claims.from.to_string(), a["walletPublicKey"]);
    let accepted: Value = serde_json::from_str(a["acceptedJcs"].as_str().unwrap()).unwrap();
    assert_eq!(documents::accepted_hash(&accepted).unwrap(), a["acceptedHash"]);
    assert_eq!(claims.accepted_hash, a["acceptedHash"]);
    let p = PaymentPayload::from_header(a["paymentSignature"].as_str().unwrap()).unwrap();
    assert_eq!(p.payload.authorization, jws);

    let c = &s["credit_note.json"];
    let credit = documents::open::<CreditClaims>(c["jws"].as_str().unwrap()).unwrap();
    assert_eq!(credit.iss.to_string(), c["issuerPublicKey"]);
    assert_eq!(credit.sub.to_string(), a["walletPublicKey"]);
    match DeepLink::parse(c["topupDeepLink"].as_str().unwrap()).unwrap() {
        DeepLink::Topup { credit } => assert_eq!(credit, c["jws"]),
        other => panic!("{other:?}"),
    }

    let r = &s["receipt.json"];
    let resp = SettlementResponse::from_header(r["paymentResponse"].as_str().unwrap()).unwrap();
    let receipt = documents::open::<ReceiptClaims>(resp.receipt.as_deref().unwrap()).unwrap();
    assert_eq!(receipt.iss.to_string(), r["merchantPublicKey"]);
    assert_eq!(receipt.payment_id.as_str(), claims.payment_id.as_str());
}

/// Every rejection code has at least one negative vector on disk.
#[test]
fn every_rejection_code_has_a_negative_vector() {
    let covered: BTreeSet<String> = stored()
        .values()
        .filter(|v| v["kind"] == "verification" && v["expected"]["result"] == "rejected")
        .map(|v| v["expected"]["code"].as_str().unwrap().to_owned())
        .collect();
    for r in Rejection::iter() {
        assert!(covered.contains(<&str>::from(r)), "no negative vector for {r}");
    }
    assert_eq!(covered.len(), Rejection::iter().count(), "a vector names an unknown code: {covered:?}");
}

/// `docs/protocol.md` quotes the reference vectors (§11) and lists every verification case (§12).
#[test]
fn the_spec_quotes_the_vectors() {
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/protocol.md");
    let spec = std::fs::read_to_string(&spec_path).unwrap();
    let s = stored();
    let a = &s["authorization.json"];
    for key in [
        "walletPublicKey",
        "paymentRequiredJson",
        "paymentRequired",
        "acceptedJcs",
        "acceptedHash",
        "jwsHeaderJson",
        "claimsJson",
        "signingInput",
        "signatureHex",
        "jws",
        "paymentSignatureJson",
        "paymentSignature",
        "payDeepLink",
    ] {
        assert!(spec.contains(a[key].as_str().unwrap()), "docs/protocol.md lacks authorization.json {key}");
    }
    for (file, keys) in [
        ("credit_note.json", &["claimsJson", "jws", "topupDeepLink", "issuerPublicKey"][..]),
        ("receipt.json", &["claimsJson", "jws", "paymentResponseJson", "paymentResponse", "merchantPublicKey"][..]),
    ] {
        for key in keys {
            assert!(spec.contains(s[file][key].as_str().unwrap()), "docs/protocol.md lacks {file} {key}");
        }
    }
    for (file, v) in &s {
        if v["kind"] == "verification" {
            assert!(spec.contains(&format!("`{file}`")), "docs/protocol.md does not list {file}");
        }
    }
    for r in Rejection::iter() {
        assert!(spec.contains(&format!("`{r}`")), "docs/protocol.md does not name {r}");
    }
}
