//! The issuer's documents refuse what they must: another signer, a stale or replayed request,
//! an answer to another request, a proof that proves nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use centime_protocol::certificate::MerchantCertificate;
use centime_protocol::documents::{self, AuthorizationClaims};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::revocation::{RevocationList, RevocationReason, Revocations, RevokedKey};
use centime_protocol::settlement::{
    ForkProof, RefusalCode, SettlementAnswer, SettlementOutcome, SettlementRequest, SettlementResult,
};
use centime_protocol::statement::{Statement, StatementRequest};
use centime_protocol::{Amount, Asset, Error, FixedClock, MemoryReplayCache, Micros, Network, Rejection, Verifier};

const NOW: u64 = 1_767_225_600;

fn key(seed: u8) -> RingSigner {
    RingSigner::from_seed(&[seed; 32]).unwrap()
}

fn network() -> Network {
    "centime:demo".parse().unwrap()
}

fn authorization(wallet: &RingSigner, seq: u64, nonce_byte: u8) -> (AuthorizationClaims, String) {
    let price = Amount::new(Micros::from_micros(50_000), Asset::EUR);
    let offer = centime_protocol::PaymentRequirements::centime(&network(), "shop", price, 300, "Shop", None).unwrap();
    let resource = centime_protocol::ResourceInfo {
        url: "https://shop.example/a".into(),
        description: None,
        mime_type: None,
        other: Default::default(),
    };
    let mut c = centime_protocol::payment::authorization_claims(
        wallet.public_key(),
        &resource,
        &offer,
        format!("pay_issuer_docs_{nonce_byte:06}").parse().unwrap(),
        seq,
        NOW,
    )
    .unwrap();
    c.nonce = base64_nonce(nonce_byte);
    let jws = documents::sign(wallet, &c).unwrap();
    (c, jws)
}

fn base64_nonce(b: u8) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([b; 32])
}

#[test]
fn a_fork_proof_needs_one_key_one_seq_and_two_different_claims() {
    let w = key(1);
    let (_, a) = authorization(&w, 7, 1);
    let (_, b) = authorization(&w, 7, 2);
    let fork = ForkProof { first: a.clone(), second: b.clone() }.check().unwrap();
    assert_eq!((fork.wallet, fork.seq), (w.public_key(), 7));
    // The same authorization twice (an honest retry) proves nothing.
    assert!(ForkProof { first: a.clone(), second: a.clone() }.check().is_err());
    // Other seq, or another key's authorization, prove nothing either.
    let (_, c) = authorization(&w, 8, 3);
    assert!(ForkProof { first: a.clone(), second: c }.check().is_err());
    let (_, d) = authorization(&key(2), 7, 2);
    assert!(ForkProof { first: a.clone(), second: d }.check().is_err());
    // A forged second signature does not verify.
    let mut forged = b.clone();
    forged.replace_range(forged.len() - 4.., "AAAA");
    assert!(ForkProof { first: a, second: forged }.check().is_err());
}

#[test]
fn a_revocation_list_is_taken_only_from_the_trusted_issuer_and_applies_when_stale() {
    let issuer = key(3);
    let wallet = key(1);
    let list = RevocationList {
        iss: issuer.public_key(),
        network: network(),
        issued_at: NOW - 600,
        next_update: NOW - 300,
        revoked: vec![RevokedKey {
            wallet: wallet.public_key(),
            reason: RevocationReason::Fork,
            revoked_at: NOW - 900,
        }],
    };
    let jws = documents::sign(&issuer, &list).unwrap();
    assert!(matches!(RevocationList::open_trusted(&jws, &key(4).public_key()), Err(Error::UntrustedSigner { .. })));
    let mut twice = list.clone();
    twice.revoked.push(twice.revoked[0].clone());
    let twice = documents::sign(&issuer, &twice).unwrap();
    assert!(RevocationList::open_trusted(&twice, &issuer.public_key()).is_err());

    let revocations = Arc::new(Revocations::new(RevocationList::open_trusted(&jws, &issuer.public_key()).unwrap()));
    assert!(revocations.is_stale(NOW));
    let price = Amount::new(Micros::from_micros(50_000), Asset::EUR);
    let offer = centime_protocol::PaymentRequirements::centime(&network(), "shop", price, 300, "Shop", None).unwrap();
    let required = centime_protocol::PaymentRequired {
        x402_version: 2,
        error: None,
        resource: centime_protocol::ResourceInfo {
            url: "https://shop.example/a".into(),
            description: None,
            mime_type: None,
            other: Default::default(),
        },
        accepts: vec![offer.clone()],
        extensions: Default::default(),
        other: Default::default(),
    };
    let pay = |signer: &RingSigner| {
        let claims = centime_protocol::payment::authorization_claims(
            signer.public_key(),
            &required.resource,
            &offer,
            centime_protocol::PaymentId::random().unwrap(),
            1,
            NOW,
        )
        .unwrap();
        centime_protocol::payment::sign_payload(signer, &required.resource, &offer, &required.extensions, &claims)
            .unwrap()
            .to_header()
            .unwrap()
    };
    let verifier =
        Verifier::new(required.clone(), Arc::new(FixedClock::new(NOW))).unwrap().with_revocations(revocations);
    let cache = MemoryReplayCache::new();
    let err = verifier.verify(&pay(&wallet), &cache).unwrap_err();
    assert_eq!(err.rejection(), Rejection::RevokedPayer);
    assert!(cache.is_empty(), "a refused payment is not remembered");
    verifier.verify(&pay(&key(5)), &cache).unwrap();
}

#[test]
fn statements_answer_their_own_request_only() {
    let issuer = key(3);
    let wallet = key(1);
    let req =
        StatementRequest { from: wallet.public_key(), network: network(), issued_at: NOW, nonce: base64_nonce(9) };
    req.check(&network(), NOW + 300).unwrap();
    assert!(req.check(&network(), NOW + 301).is_err(), "stale");
    assert!(req.check(&network(), NOW - 301).is_err(), "from the future");
    assert!(req.check(&"centime:other".parse().unwrap(), NOW).is_err());
    let bad_nonce = StatementRequest { nonce: "short".into(), ..req.clone() };
    assert!(bad_nonce.check(&network(), NOW).is_err());

    let statement = Statement {
        iss: issuer.public_key(),
        network: network(),
        wallet: wallet.public_key(),
        issued_at: NOW,
        request_nonce: req.nonce.clone(),
        highest_seq: 0,
        totals: vec![],
        credits: vec![],
        settled: vec![],
        revoked: None,
    };
    let jws = documents::sign(&issuer, &statement).unwrap();
    assert_eq!(Statement::open_for(&jws, &issuer.public_key(), &req).unwrap(), statement);
    assert!(matches!(Statement::open_for(&jws, &key(4).public_key(), &req), Err(Error::UntrustedSigner { .. })));
    let other = StatementRequest { nonce: base64_nonce(10), ..req.clone() };
    assert!(Statement::open_for(&jws, &issuer.public_key(), &other).is_err());
    let foreign = StatementRequest { from: key(2).public_key(), ..req };
    assert!(Statement::open_for(&jws, &issuer.public_key(), &foreign).is_err());
}

#[test]
fn a_settlement_answer_must_answer_the_request_item_by_item() {
    let issuer = key(3);
    let merchant = key(2);
    let (_, a) = authorization(&key(1), 1, 1);
    let request = SettlementRequest {
        iss: merchant.public_key(),
        network: network(),
        pay_to: "shop".into(),
        request_id: "r1".into(),
        issued_at: NOW,
        authorizations: vec![a],
    };
    request.check().unwrap();
    let good = SettlementResult {
        index: 0,
        payment_id: None,
        outcome: SettlementOutcome::Settled,
        code: None,
        settled_at: Some(NOW),
    };
    let answer = |results: Vec<SettlementResult>, request_id: &str| {
        let a = SettlementAnswer {
            iss: issuer.public_key(),
            network: network(),
            pay_to: "shop".into(),
            request_id: request_id.into(),
            issued_at: NOW,
            results,
        };
        documents::sign(&issuer, &a).unwrap()
    };
    SettlementAnswer::open_for(&answer(vec![good.clone()], "r1"), &issuer.public_key(), &request).unwrap();
    for (results, id) in [
        (vec![good.clone()], "r2"),
        (vec![], "r1"),
        (vec![SettlementResult { index: 1, ..good.clone() }], "r1"),
        (vec![SettlementResult { code: Some(RefusalCode::Overdrawn), ..good.clone() }], "r1"),
        (vec![SettlementResult { outcome: SettlementOutcome::Refused, ..good.clone() }], "r1"),
    ] {
        assert!(SettlementAnswer::open_for(&answer(results, id), &issuer.public_key(), &request).is_err());
    }
    let empty = SettlementRequest { authorizations: vec![], ..request.clone() };
    assert!(empty.check().is_err());
    let too_many = SettlementRequest { authorizations: vec![String::new(); 1001], ..request };
    assert!(too_many.check().is_err());
}

#[test]
fn a_certificate_is_checked_for_its_issuer_its_origins_and_its_time() {
    let issuer = key(3);
    let cert = MerchantCertificate {
        iss: issuer.public_key(),
        network: network(),
        pay_to: "shop".into(),
        origins: vec!["https://shop.example".into()],
        receipt_key: key(2).public_key(),
        name: "Shop".into(),
        issued_at: NOW,
        not_after: NOW + 100,
    };
    let jws = documents::sign(&issuer, &cert).unwrap();
    let opened = MerchantCertificate::open_trusted(&jws, &issuer.public_key(), NOW + 99).unwrap();
    assert!(opened.covers_origin("https://shop.example") && !opened.covers_origin("https://evil.example"));
    assert!(MerchantCertificate::open_trusted(&jws, &issuer.public_key(), NOW + 100).is_err(), "expired");
    assert!(MerchantCertificate::open_trusted(&jws, &key(4).public_key(), NOW).is_err());
    let no_origin = documents::sign(&issuer, &MerchantCertificate { origins: vec![], ..cert }).unwrap();
    assert!(MerchantCertificate::open_trusted(&no_origin, &issuer.public_key(), NOW).is_err());
}
