//! The merchant's certificate on an offer (ADR 21 §8, ADR 23): a certified offer pays and the
//! payment keeps the certified merchant; an offer its certificate contradicts is refused with
//! `certificate_mismatch` and changes nothing; a receipt not signed by the certified key is
//! refused; an offer without a certificate still pays, unverified. Real SQLite, real signatures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use centime_core::{Error, ErrorCode, PayOptions};
use centime_protocol::certificate::MerchantCertificate;
use centime_protocol::documents;
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::{Network, PaymentRequired};
use common::*;
use serde_json::Value;

const NEWS: &str = "https://news.example/a/1";

fn approved() -> PayOptions {
    PayOptions { approved: true, ..PayOptions::default() }
}

fn funded() -> Fx {
    let mut fx = Fx::new();
    fx.topup(10_000_000);
    fx
}

/// What the test issuer certifies for the test merchant, valid for a day from `T0`.
fn claims() -> MerchantCertificate {
    MerchantCertificate {
        iss: issuer_signer().public_key(),
        network: network(),
        pay_to: PAY_TO.into(),
        origins: vec!["https://www.news.example".into(), "https://news.example".into()],
        receipt_key: merchant_signer().public_key(),
        name: "The News Company".into(),
        issued_at: T0 - 60,
        not_after: T0 + DAY,
    }
}

fn signed(signer: &RingSigner, c: &MerchantCertificate) -> String {
    documents::sign(signer, c).unwrap()
}

/// The test offer for `url`, carrying `certificate` in its `extra`.
fn certified_offer(url: &str, micros: i64, certificate: Value) -> PaymentRequired {
    let mut req = offer(url, micros);
    req.accepts[0].extra.insert("merchantCertificate".into(), certificate);
    req
}

fn good_offer(micros: i64) -> PaymentRequired {
    certified_offer(NEWS, micros, signed(&issuer_signer(), &claims()).into())
}

/// A payment's id and certified name, receipt key and expiry, as stored.
type CertifiedRow = (String, Option<String>, Option<String>, Option<i64>);

/// The certified columns of every payment, to assert a refusal wrote none.
fn certified_rows(fx: &Fx) -> Vec<CertifiedRow> {
    let c = fx.db();
    let mut s = c
        .prepare(
            "SELECT payment_id, certified_name, certified_receipt_key, certified_until FROM payments
             ORDER BY journal_id",
        )
        .unwrap();
    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// Quoting and paying `req` both fail with `certificate_mismatch`, saying `why`, and the
/// wallet is unchanged.
fn assert_mismatch(fx: &mut Fx, req: &PaymentRequired, why: &str) {
    let before = fx.snapshot();
    let rows = certified_rows(fx);
    let balance = fx.balance();
    let quoted = fx.w.quote(req).expect_err("a contradicted offer is not quoted");
    let paid = fx.w.pay(req, &approved()).expect_err("a contradicted offer is not paid");
    for err in [quoted, paid] {
        assert!(matches!(err, Error::CertificateMismatch(_)), "{err:?}");
        assert_eq!(err.code(), ErrorCode::CertificateMismatch);
        assert!(err.to_string().contains(why), "{why:?} not in {err}");
    }
    assert_eq!(fx.snapshot(), before, "the database changed");
    assert_eq!(certified_rows(fx), rows);
    assert_eq!(fx.balance(), balance);
    fx.w.verify().unwrap();
}

#[test]
fn a_certified_offer_pays_and_the_payment_keeps_the_certified_merchant() {
    let mut fx = funded();
    let mut req = good_offer(200_000);
    // The page claims another name: the certificate's is the one shown.
    req.accepts[0].extra.insert("merchantName".into(), "Totally Not News".into());
    let q = fx.w.quote(&req).unwrap();
    assert_eq!(q.merchant_name.as_deref(), Some("Totally Not News"), "the page's claim, kept as such");
    let m = q.merchant.clone().expect("certified");
    assert_eq!(m.name, "The News Company");
    assert_eq!(m.issuer, "Test issuer", "the trusted issuer's name as the wallet stores it");
    assert_eq!(m.pay_to, PAY_TO);
    assert_eq!(m.receipt_key, merchant_signer().public_key());
    assert_eq!(m.not_after, i64::try_from(T0 + DAY).unwrap());

    let p = fx.w.pay(&req, &PayOptions { approval: Some(q.approval.clone()), ..approved() }).unwrap();
    assert_eq!(p.merchant.as_ref(), Some(&m));
    assert_eq!(fx.balance(), 9_800_000);
    let rows = certified_rows(&fx);
    assert_eq!(
        rows,
        vec![(
            p.payment_id.to_string(),
            Some("The News Company".into()),
            Some(merchant_signer().public_key().to_string()),
            Some(i64::try_from(T0 + DAY).unwrap())
        )]
    );
    // Read again, by a new process.
    fx.reopen();
    assert_eq!(fx.w.payment(&p.payment_id).unwrap().merchant, Some(m.clone()));

    // Its receipt, signed by the certified key, settles it; the details show the certified name.
    let r = receipt(&fx.w.id(), &p.payment_id, NEWS, 200_000, fx.now());
    fx.w.record_settled(&p.payment_id, &settlement(&fx.w.id(), Some(r))).unwrap();
    let listed = fx.w.history(&Default::default(), 10, None).unwrap().entries[0].clone();
    assert_eq!(listed.certified_merchant.as_deref(), Some("The News Company"), "the history lists the certified name");
    let d = fx.w.entry_details(listed.id).unwrap();
    assert_eq!(d.merchant_name.as_deref(), Some("The News Company"));
    assert_eq!(d.certified, Some(m));
    fx.w.verify().unwrap();

    // The certified merchant is written once.
    let c = fx.db();
    assert!(c.execute("UPDATE payments SET certified_receipt_key = 'x'", []).is_err());
    assert!(c.execute("UPDATE payments SET certified_name = 'Someone else'", []).is_err());
}

#[test]
fn an_edited_certified_merchant_fails_verify() {
    let mut fx = funded();
    let p = fx.w.pay(&good_offer(100_000), &approved()).unwrap();
    fx.w.verify().unwrap();
    let c = fx.db();
    c.execute_batch("DROP TRIGGER payments_certified_once").unwrap();
    c.execute(
        "UPDATE payments SET certified_receipt_key = ?1 WHERE payment_id = ?2",
        rusqlite::params![RingSigner::from_seed(&[42; 32]).unwrap().public_key().to_string(), p.payment_id.as_str()],
    )
    .unwrap();
    let err = fx.w.verify().unwrap_err();
    assert!(matches!(err, Error::Integrity(_)), "{err:?}");
    assert!(err.to_string().contains("certified merchant"), "{err}");
}

#[test]
fn each_contradiction_is_refused_and_changes_nothing() {
    let mut fx = funded();
    // Something already paid, so that "unchanged" means something.
    fx.w.pay(&good_offer(100_000), &approved()).unwrap();
    let issuer = issuer_signer();
    let other_issuer = RingSigner::from_seed(&OTHER_ISSUER_SEED).unwrap();
    let stranger = RingSigner::from_seed(&[42; 32]).unwrap();

    // Another origin: the page is not one the certificate names.
    let req = certified_offer("https://news.example.evil/a", 100_000, signed(&issuer, &claims()).into());
    assert_mismatch(
        &mut fx,
        &req,
        "the certificate names https://www.news.example, https://news.example, not https://news.example.evil",
    );
    // Another payTo.
    let mut req = good_offer(100_000);
    req.accepts[0].pay_to = "merchant-thief".into();
    assert_mismatch(&mut fx, &req, "the certificate is for payTo \"merchant-news\", not \"merchant-thief\"");
    // Another receipt key named by the offer.
    let mut req = good_offer(100_000);
    req.accepts[0].extra.insert("receiptKey".into(), stranger.public_key().to_string().into());
    assert_mismatch(
        &mut fx,
        &req,
        &format!(
            "the certificate's receipt key is {}, not the offer's {}",
            merchant_signer().public_key(),
            stranger.public_key()
        ),
    );
    // Expired.
    let expired = MerchantCertificate { issued_at: T0 - DAY, not_after: T0, ..claims() };
    assert_mismatch(&mut fx, &certified_offer(NEWS, 100_000, signed(&issuer, &expired).into()), "expired");
    // Signed by another issuer (whose claims say it is the trusted one's or its own).
    let foreign = MerchantCertificate { iss: other_issuer.public_key(), ..claims() };
    assert_mismatch(
        &mut fx,
        &certified_offer(NEWS, 100_000, signed(&other_issuer, &foreign).into()),
        "not signed by the issuer this wallet trusts for centime:test",
    );
    // Another network, by the trusted key itself.
    let other_net = MerchantCertificate { network: "centime:other".parse::<Network>().unwrap(), ..claims() };
    assert_mismatch(
        &mut fx,
        &certified_offer(NEWS, 100_000, signed(&issuer, &other_net).into()),
        "the certificate is for network centime:other, not centime:test",
    );
    // Garbage, a JWS of another type, and not a string at all.
    assert_mismatch(&mut fx, &certified_offer(NEWS, 100_000, "not.a.jws".into()), "the certificate is refused");
    let note = credit_note(&fx.w.id(), "credit-x", 1, T0);
    assert_mismatch(&mut fx, &certified_offer(NEWS, 100_000, note.into()), "the certificate is refused");
    assert_mismatch(
        &mut fx,
        &certified_offer(NEWS, 100_000, Value::from(7)),
        "extra.merchantCertificate is not a string",
    );
    // A forged signature: the trusted issuer's claims, re-signed by a stranger.
    let good = signed(&issuer, &claims());
    let forged = signed(&stranger, &MerchantCertificate { iss: stranger.public_key(), ..claims() });
    let spliced = format!("{}.{}", good.rsplit_once('.').unwrap().0, forged.rsplit_once('.').unwrap().1);
    assert_mismatch(&mut fx, &certified_offer(NEWS, 100_000, spliced.into()), "the certificate is refused");
}

#[test]
fn a_certificate_that_expires_after_the_prompt_refuses_the_approved_offer() {
    let mut fx = funded();
    let short = MerchantCertificate { not_after: T0 + 30, ..claims() };
    let req = certified_offer(NEWS, 100_000, signed(&issuer_signer(), &short).into());
    let q = fx.w.quote(&req).unwrap();
    assert!(q.merchant.is_some());
    fx.clock.set(T0 + 30);
    let before = fx.snapshot();
    let err = fx.w.pay(&req, &PayOptions { approval: Some(q.approval), ..approved() }).unwrap_err();
    assert_eq!(err.code(), ErrorCode::CertificateMismatch, "{err}");
    assert!(err.to_string().contains("expired"), "{err}");
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn a_receipt_not_signed_by_the_certified_key_is_refused() {
    let mut fx = funded();
    let p = fx.w.pay(&good_offer(200_000), &approved()).unwrap();
    // A receipt that describes the payment exactly and verifies under the key inside it, but
    // that key is not the one the issuer certified.
    let impostor = RingSigner::from_seed(&[42; 32]).unwrap();
    let mut claims: centime_protocol::documents::ReceiptClaims = {
        let jws = receipt(&fx.w.id(), &p.payment_id, NEWS, 200_000, fx.now());
        documents::open(&jws).unwrap()
    };
    claims.iss = impostor.public_key();
    let forged = documents::sign(&impostor, &claims).unwrap();
    let before = fx.snapshot();
    let err = fx.w.record_settled(&p.payment_id, &settlement(&fx.w.id(), Some(forged))).unwrap_err();
    assert!(matches!(err, Error::BadReceipt(_)), "{err:?}");
    assert!(err.to_string().contains("the receipt is not signed by the merchant's certified key"), "{err}");
    assert_eq!(fx.snapshot(), before, "nothing changed");
    assert_eq!(fx.w.unresolved_payments().unwrap().len(), 1, "still waiting for a receipt that proves it");
    fx.w.verify().unwrap();

    // The genuine receipt still settles it.
    let genuine = receipt(&fx.w.id(), &p.payment_id, NEWS, 200_000, fx.now());
    assert_eq!(
        fx.w.record_settled(&p.payment_id, &settlement(&fx.w.id(), Some(genuine))).unwrap(),
        centime_core::Status::Settled
    );
    fx.w.verify().unwrap();
}

#[test]
fn an_offer_without_a_certificate_still_pays_unverified() {
    let mut fx = funded();
    let req = offer(NEWS, 200_000);
    let q = fx.w.quote(&req).unwrap();
    assert_eq!(q.merchant, None, "not verified");
    assert_eq!(q.merchant_name.as_deref(), Some("News"));
    let p = fx.w.pay(&req, &approved()).unwrap();
    assert_eq!(p.merchant, None);
    assert_eq!(fx.balance(), 9_800_000);
    // Today's receipt check: any key that signs a receipt describing the payment.
    let impostor = RingSigner::from_seed(&[42; 32]).unwrap();
    let mut claims: centime_protocol::documents::ReceiptClaims =
        documents::open(&receipt(&fx.w.id(), &p.payment_id, NEWS, 200_000, fx.now())).unwrap();
    claims.iss = impostor.public_key();
    let r = documents::sign(&impostor, &claims).unwrap();
    fx.w.record_settled(&p.payment_id, &settlement(&fx.w.id(), Some(r))).unwrap();
    let listed = fx.w.history(&Default::default(), 10, None).unwrap().entries[0].clone();
    assert_eq!(listed.certified_merchant, None);
    let d = fx.w.entry_details(listed.id).unwrap();
    assert_eq!(d.merchant_name.as_deref(), Some("News"), "the page's claimed name");
    assert_eq!(d.certified, None);
    fx.w.verify().unwrap();
}

#[test]
fn a_contradicted_offer_beside_a_genuine_one_pays_the_genuine_one() {
    let mut fx = funded();
    let mut req = good_offer(100_000);
    let mut bad = req.accepts[0].clone();
    bad.pay_to = "merchant-thief".into();
    req.accepts.insert(0, bad);
    let p = fx.w.pay(&req, &approved()).unwrap();
    assert_eq!(p.pay_to, PAY_TO);
    assert!(p.merchant.is_some());
}
