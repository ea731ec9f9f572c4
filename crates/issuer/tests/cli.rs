//! `centime-issuer merchant add`, the real binary: good input registers a merchant whose
//! certificate `serve` then hands out over HTTP; bad input exits non-zero, says what is wrong,
//! and changes nothing (not even creating the ledger).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod binary;

use binary::{Server, merchant_add, sqlite};
use centime_issuer::MerchantRecord;
use centime_protocol::PublicKey;
use centime_protocol::certificate::MerchantCertificate;
use centime_protocol::jws::{RingSigner, Signer as _};

fn key(seed: u8) -> PublicKey {
    RingSigner::from_seed(&[seed; 32]).unwrap().public_key()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn registered(database: &str, pay_to: &str) -> Option<MerchantRecord> {
    centime_issuer::open_store(database).unwrap().merchant(pay_to).unwrap()
}

#[test]
fn a_merchant_added_is_certified_by_the_running_issuer() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path());
    let out =
        merchant_add(&db, "shop-1", &key(1), &["HTTPS://Shop.Example:443", "http://localhost:8080"], &[]).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "registered shop-1 (https://shop.example http://localhost:8080)\n"
    );
    let server = Server::start(dir.path(), &db).unwrap();
    // One registered while the issuer runs is certified at once too.
    let out = merchant_add(&db, "shop-2", &key(2), &["https://two.example"], &[]).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for (pay_to, seed, origins) in [
        ("shop-1", 1, vec!["https://shop.example", "http://localhost:8080"]),
        ("shop-2", 2, vec!["https://two.example"]),
    ] {
        let r = server.http.get(format!("{}/issuer/merchants/{pay_to}/certificate", server.base)).send().unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/jose");
        let now = binary::wall_clock();
        let cert = MerchantCertificate::open_trusted(&r.text().unwrap(), &server.key, now).unwrap();
        assert_eq!(cert.pay_to, pay_to);
        assert_eq!(cert.receipt_key, key(seed));
        assert_eq!(cert.name, "A Test Shop");
        assert_eq!(cert.origins, origins);
    }
    let r = server.http.get(format!("{}/issuer/merchants/shop-3/certificate", server.base)).send().unwrap();
    assert_eq!(r.status(), 404);
}

#[test]
fn a_key_beginning_with_a_dash_is_a_key_not_an_option() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path());
    let dashed = (0..=255u8).map(key).find(|k| k.to_string().starts_with('-')).unwrap();
    let out = merchant_add(&db, "shop-1", &dashed, &["https://shop.example"], &[]).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(registered(&db, "shop-1").unwrap().key, dashed);
}

#[test]
fn bad_input_is_refused_says_why_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path());
    let long = "p".repeat(129);
    let cases: &[(&str, &[&str], &str)] = &[
        ("", &["https://shop.example"], "payTo \"\" is not 1-128 bytes"),
        ("shop\u{202e}1", &["https://shop.example"], "is not 1-128 bytes of printable characters"),
        (&long, &["https://shop.example"], "is not 1-128 bytes"),
        ("shop-1", &["shop.example"], "origin \"shop.example\" is not an absolute URL"),
        ("shop-1", &["ftp://shop.example"], "is not an http(s) site"),
        ("shop-1", &["https://shop.example/articles"], "has a path, query or fragment"),
        ("shop-1", &["https://user@shop.example"], "names a user or a password"),
    ];
    for (pay_to, origins, message) in cases {
        let out = merchant_add(&db, pay_to, &key(1), origins, &[]).unwrap();
        assert!(!out.status.success(), "{pay_to:?} {origins:?} was accepted");
        assert!(stderr(&out).contains(message), "{pay_to:?} {origins:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("invalid_merchant"), "{}", stderr(&out));
    }
    let seventeen: Vec<String> = (0..17).map(|i| format!("https://s{i}.example")).collect();
    let seventeen: Vec<&str> = seventeen.iter().map(String::as_str).collect();
    let out = merchant_add(&db, "shop-1", &key(1), &seventeen, &[]).unwrap();
    assert!(stderr(&out).contains("from 1 to 16 origins"), "{}", stderr(&out));
    let out = binary::run(&[
        "merchant",
        "add",
        "--database",
        &db,
        "--pay-to",
        "shop-1",
        "--key",
        "not-a-key",
        "--name",
        "Shop",
        "--origin",
        "https://shop.example",
    ])
    .unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("is not an Ed25519 public key"), "{}", stderr(&out));
    let out = binary::run(&[
        "merchant",
        "add",
        "--database",
        &db,
        "--pay-to",
        "shop-1",
        "--key",
        &key(1).to_string(),
        "--name",
        " ",
        "--origin",
        "https://shop.example",
    ])
    .unwrap();
    assert!(stderr(&out).contains("the name must be 1-128 printable characters"), "{}", stderr(&out));
    // Refused before the ledger is opened: no database was created.
    assert!(!dir.path().join("issuer.sqlite3").exists());
}

#[test]
fn a_payto_registered_with_another_key_is_not_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite(dir.path());
    assert!(merchant_add(&db, "shop-1", &key(1), &["https://shop.example"], &[]).unwrap().status.success());
    let first = registered(&db, "shop-1").unwrap();
    let out = merchant_add(&db, "shop-1", &key(2), &["https://evil.example"], &[]).unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains(&format!("shop-1 is already registered with another key ({})", key(1))),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--replace-key"), "{}", stderr(&out));
    assert_eq!(registered(&db, "shop-1").unwrap(), first);
    // The same key again updates the name and origins.
    let out = merchant_add(&db, "shop-1", &key(1), &["https://shop.example", "https://www.shop.example"], &[]).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(registered(&db, "shop-1").unwrap().origins, ["https://shop.example", "https://www.shop.example"]);
    // A key replaced on purpose.
    let out = merchant_add(&db, "shop-1", &key(2), &["https://shop.example"], &["--replace-key"]).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(registered(&db, "shop-1").unwrap().key, key(2));
}
