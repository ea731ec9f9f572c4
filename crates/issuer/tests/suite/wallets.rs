//! Real wallets (centime-core, on SQLite in a temporary directory) against the issuer over
//! HTTP, synced by centime-client as `centime sync` does: a restore recovers what it forgot, a
//! copied wallet that spends again is proven, revoked and refused at the merchants' door within
//! the ADR 21 §6 bound, a merchant that refuses and settles anyway is caught, and nothing a
//! hostile issuer or network sends changes the wallet. One clock (the harness's) for the wallet,
//! the issuer and the merchants' verifiers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use centime_core::keystore::{KeyStore, KeystoreKind, Secrets};
use centime_core::passphrase::Passphrase;
use centime_core::{Discrepancy, ErrorCode, HoldReason, Issuer as Trusted, PayOptions, Payment, Wallet};
use centime_protocol::documents::{self, ReceiptClaims};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::revocation::Revocations;
use centime_protocol::settlement::{RefusalCode, SettlementOutcome};
use centime_protocol::statement::Statement;
use centime_protocol::wire::PaymentPayload;
use centime_protocol::{
    Amount, Asset, MemoryReplayCache, Micros, PaymentRequired, PaymentRequirements, Rejection, ResourceInfo,
    SettlementResponse, Verifier,
};
use serde_json::Value;

use super::{Harness, Merchant, network};

const BACKUP_PASS: &str = "a backup passphrase";

/// A keystore in memory, shared by the copies of one wallet as the OS keyring would be.
#[derive(Debug, Default)]
struct MemKeyStore {
    entries: Mutex<HashMap<String, Vec<u8>>>,
}

impl KeyStore for MemKeyStore {
    fn kind(&self) -> KeystoreKind {
        KeystoreKind::File
    }
    fn load(&self, account: &str) -> centime_core::Result<Option<Secrets>> {
        match self.entries.lock().unwrap().get(account) {
            Some(b) => Secrets::decode(b).map(Some),
            None => Ok(None),
        }
    }
    fn save(&self, account: &str, secrets: &Secrets) -> centime_core::Result<()> {
        self.entries.lock().unwrap().insert(account.to_owned(), secrets.encode().to_vec());
        Ok(())
    }
    fn probe(&self) -> centime_core::Result<()> {
        Ok(())
    }
}

/// A wallet that trusts the harness's issuer and knows its address.
struct TestWallet {
    tmp: tempfile::TempDir,
    ks: Arc<MemKeyStore>,
    w: Wallet,
    pages: u64,
}

impl TestWallet {
    fn new(h: &Harness) -> TestWallet {
        let tmp = tempfile::tempdir().unwrap();
        let ks = Arc::new(MemKeyStore::default());
        let trusted =
            Trusted { network: network(), public_key: h.issuer.public_key(), name: Some("Test Issuer".into()) };
        let mut w = Wallet::init(&tmp.path().join("wallet"), ks.as_ref(), &[trusted]).unwrap();
        w.set_clock(h.clock.clone());
        w.set_issuer_url(&network(), &h.base).unwrap();
        TestWallet { tmp, ks, w, pages: 0 }
    }

    fn dir(&self) -> PathBuf {
        self.tmp.path().join("wallet")
    }

    /// The wallet in `dir` (a copy or a restore), with this one's keystore and the harness clock.
    fn open_at(h: &Harness, dir: &Path, ks: &Arc<MemKeyStore>) -> Wallet {
        let mut w = Wallet::open(dir, ks.as_ref()).unwrap();
        w.set_clock(h.clock.clone());
        w
    }

    /// Tops up `amount` EUR at the issuer and redeems the credit note; returns the note.
    fn credit(&mut self, h: &Harness, amount: &str) -> String {
        let r = h
            .http
            .post(format!("{}/issuer/topups", h.base))
            .json(&serde_json::json!({"wallet": self.w.id().to_string(), "amount": amount, "asset": "EUR"}))
            .send()
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
        let v: Value = r.json().unwrap();
        let note = v["credit"].as_str().unwrap().to_owned();
        self.w.topup(&note).unwrap();
        note
    }

    fn eur(&self) -> i64 {
        eur_of(&self.w)
    }
}

fn eur_of(w: &Wallet) -> i64 {
    w.balances().unwrap().iter().filter(|b| b.asset == Asset::EUR).map(|b| b.amount.get()).sum()
}

/// The page `n` of merchant `pay_to`: its 402, priced `micros` EUR for a 60 s window.
fn page(pay_to: &str, n: u64, micros: i64) -> PaymentRequired {
    let price = Amount::new(Micros::from_micros(micros), Asset::EUR);
    let accepts = vec![PaymentRequirements::centime(&network(), pay_to, price, 60, "Shop", None).unwrap()];
    PaymentRequired {
        x402_version: 2,
        error: None,
        resource: ResourceInfo {
            url: format!("https://{pay_to}.example/page/{n}"),
            description: None,
            mime_type: None,
            other: Default::default(),
        },
        accepts,
        extensions: Default::default(),
        other: Default::default(),
    }
}

/// Pays page `n` of `m` from `w`, approved by the user.
fn pay(w: &mut Wallet, m: &Merchant, n: u64, micros: i64) -> Payment {
    w.pay(&page(&m.pay_to, n, micros), &PayOptions { approved: true, ..PayOptions::default() }).unwrap()
}

fn authorization(p: &Payment) -> String {
    PaymentPayload::from_header(&p.header).unwrap().payload.authorization
}

/// The merchant's door: its verifier with the revocation list it last fetched.
fn door(h: &Harness, m: &Merchant, n: u64, micros: i64, list: Option<&Arc<Revocations>>) -> Verifier {
    let v = Verifier::new(page(&m.pay_to, n, micros), h.clock.clone()).unwrap();
    match list {
        Some(l) => v.with_revocations(l.clone()),
        None => v,
    }
}

/// The merchant accepts the payment and the wallet records its signed receipt.
fn served(h: &Harness, w: &mut Wallet, m: &Merchant, p: &Payment) {
    let micros = p.amount.micros;
    let scale = micros.natural_scale();
    let claims = ReceiptClaims {
        iss: m.signer.public_key(),
        resource_url: p.resource.clone(),
        payer: w.id(),
        payment_id: p.payment_id.clone(),
        value: micros.to_wire(scale).unwrap(),
        asset: Asset::EUR,
        asset_scale: scale,
        issued_at: h.now(),
        transaction: format!("tx-{}", p.payment_id),
    };
    let response = SettlementResponse {
        success: true,
        error_reason: None,
        transaction: format!("tx-{}", p.payment_id),
        network: network().to_string(),
        payer: w.id().to_string(),
        amount: None,
        receipt: Some(documents::sign(&m.signer, &claims).unwrap()),
        other: Default::default(),
    };
    w.record_settled(&p.payment_id, &response).unwrap();
}

fn client() -> centime_client::Client {
    centime_client::Client::new(std::time::Duration::from_secs(60)).unwrap()
}

fn revocations(h: &Harness) -> Arc<Revocations> {
    Arc::new(Revocations::new(h.revocations()))
}

/// What the merchants settled in total, in EUR micro-units.
fn merchants_total(h: &Harness, merchants: &[&Merchant]) -> i64 {
    merchants
        .iter()
        .flat_map(|m| h.issuer.store().merchant_totals(&m.pay_to).unwrap())
        .filter(|(a, _)| *a == Asset::EUR)
        .map(|(_, v)| v.get())
        .sum()
}

/// The issuer's EUR balance for the wallet, from its own statement.
fn issuer_balance(s: &Statement) -> i64 {
    let (credited, spent) = super::eur(s);
    credited - spent
}

/// A wallet restored from last week's backup has forgotten two payments and a credit; it
/// refuses to pay until it syncs, the sync rebuilds them from the statement, and then wallet,
/// issuer and merchants agree to the micro-unit. A credit note redeemed again after the
/// rollback is not counted twice, and the restored wallet's next payment is no fork.
pub fn an_honest_restore_recovers_every_payment_at_sync(h: Harness) {
    let shops: Vec<Merchant> = (0..5u8).map(|i| h.merchant(20 + i, &format!("shop-{i}"))).collect();
    let mut tw = TestWallet::new(&h);
    tw.credit(&h, "10.00");
    for (i, m) in shops.iter().take(3).enumerate() {
        let p = pay(&mut tw.w, m, 1, 100_000 * (i as i64 + 1));
        served(&h, &mut tw.w, m, &p);
        h.settle(m, &[authorization(&p)]);
    }
    let backup = tw.tmp.path().join("last-week.backup");
    tw.w.backup(&backup, &Passphrase::new(BACKUP_PASS.into())).unwrap();
    // After the backup: a credit and two payments, all known to the issuer.
    let late_note = tw.credit(&h, "1.50");
    for (m, micros) in [(&shops[3], 250_000), (&shops[0], 70_000)] {
        let p = pay(&mut tw.w, m, 2, micros);
        served(&h, &mut tw.w, m, &p);
        h.settle(m, &[authorization(&p)]);
    }
    let before_loss = tw.eur();
    assert_eq!(before_loss, 10_000_000 + 1_500_000 - 600_000 - 320_000);

    // The disk dies; the user restores last week's backup.
    let ks = tw.ks.clone();
    drop(tw.w);
    let restored_dir = tw.tmp.path().join("restored");
    let mut w = Wallet::restore(&restored_dir, &backup, &Passphrase::new(BACKUP_PASS.into()), ks.as_ref()).unwrap();
    w.set_clock(h.clock.clone());
    w.set_issuer_url(&network(), &h.base).unwrap();
    assert_eq!(eur_of(&w), 10_000_000 - 600_000, "the backup's balance");
    assert_eq!(w.sync_hold(&network()).unwrap().map(|h| h.reason), Some(HoldReason::Restored));
    let refused = w.pay(&page(&shops[4].pay_to, 1, 10_000), &PayOptions { approved: true, ..PayOptions::default() });
    assert_eq!(refused.unwrap_err().code(), ErrorCode::SyncRequired, "a restored wallet pays only after a sync");
    // The user redeems the late credit note again: the wallet had forgotten it.
    w.topup(&late_note).unwrap();

    let r = client().sync(&mut w, &network(), None).unwrap();
    assert_eq!(r.done.payments_recovered, 2, "{r:?}");
    assert_eq!(r.done.credits_recovered, 0, "the late note was redeemed again, not recovered twice: {r:?}");
    assert!(r.discrepancies.is_empty(), "{:?}", r.discrepancies);
    assert!(r.may_pay && w.sync_hold(&network()).unwrap().is_none());
    assert_eq!(eur_of(&w), before_loss, "the sync gave back what the restore forgot");
    w.verify().unwrap();
    // Reopened, the recovered rows still verify (they are MAC-chained like the others).
    drop(w);
    let mut w = TestWallet::open_at(&h, &restored_dir, &ks);
    w.verify().unwrap();
    assert_eq!(eur_of(&w), before_loss);

    // Its next payment continues far above every number the old copy used: no fork.
    let p = pay(&mut w, &shops[4], 3, 30_000);
    let answer = h.settle(&shops[4], &[authorization(&p)]);
    assert_eq!(answer.results[0].outcome, SettlementOutcome::Settled);
    assert!(h.revocations().revoked.is_empty(), "an honest restore is never revoked");
    let r = client().sync(&mut w, &network(), None).unwrap();
    assert!(r.discrepancies.is_empty() && r.may_pay, "{r:?}");
    let issuer = r.issuer_view.iter().find(|v| v.asset == Asset::EUR).unwrap();
    let credited = 10_000_000 + 1_500_000;
    let refs: Vec<&Merchant> = shops.iter().collect();
    assert_eq!(merchants_total(&h, &refs), 600_000 + 320_000 + 30_000);
    assert_eq!(issuer.credited.get(), credited);
    assert_eq!(issuer.balance.get(), credited - merchants_total(&h, &refs));
    assert_eq!(eur_of(&w), issuer.balance.get(), "wallet = issuer = credits - the merchants' sum");
}

/// The double-spend drama: a copy of the wallet taken at the backup spends again what the
/// original spent after it. The issuer proves the fork from the two authorizations with one
/// `seq`, revokes the key, and merchants that refresh their list every R seconds stop taking
/// the copy's payments within R + skew; what they took after the revocation is within the
/// bound (the copy's spend rate times R + skew), and everything is settled within the credits.
/// The honest restore from the same backup holds until its sync, which ends revoked.
// The measured exposure is printed for docs/reliability.md: a test checks, it never times.
#[allow(clippy::print_stderr)]
pub fn the_double_spend_drama(h: Harness) {
    let cfg = h.issuer.config().clone();
    let (refresh, skew) = (cfg.revocation_refresh_seconds, cfg.skew_seconds);
    let shops: Vec<Merchant> = (0..6u8).map(|i| h.merchant(30 + i, &format!("drama-{i}"))).collect();
    let mut tw = TestWallet::new(&h);
    tw.credit(&h, "20.00");
    for m in shops.iter().take(3) {
        let p = pay(&mut tw.w, m, 1, 500_000);
        door(&h, m, 1, 500_000, None).verify(&p.header, &MemoryReplayCache::new()).unwrap();
        served(&h, &mut tw.w, m, &p);
        h.settle(m, &[authorization(&p)]);
    }
    let backup = tw.tmp.path().join("wallet.backup");
    tw.w.backup(&backup, &Passphrase::new(BACKUP_PASS.into())).unwrap();
    // The attacker's copy: the wallet's files as they are now.
    let ks = tw.ks.clone();
    let dir = tw.dir();
    drop(tw.w);
    let copy_dir = tw.tmp.path().join("copy");
    copy_dir_all(&dir, &copy_dir);
    let mut original = TestWallet::open_at(&h, &dir, &ks);
    let mut copy = TestWallet::open_at(&h, &copy_dir, &ks);

    // The original pays on; the copy pays two other merchants with the same numbers.
    let mut settled_auths = Vec::new();
    for m in &shops[0..2] {
        let p = pay(&mut original, m, 2, 500_000);
        served(&h, &mut original, m, &p);
        settled_auths.push((m, authorization(&p)));
    }
    let mut copy_payments = Vec::new();
    for m in &shops[3..5] {
        let p = pay(&mut copy, m, 1, 500_000);
        door(&h, m, 1, 500_000, Some(&revocations(&h))).verify(&p.header, &MemoryReplayCache::new()).unwrap();
        served(&h, &mut copy, m, &p);
        copy_payments.push((m, authorization(&p)));
    }
    // Every merchant settles what it has; the first seq settled twice is the proof.
    for (m, a) in settled_auths.iter().chain(copy_payments.iter()) {
        h.settle(m, std::slice::from_ref(a));
    }
    let list = h.revocations();
    assert_eq!(list.revoked.len(), 1, "the fork revoked the key");
    assert_eq!(list.revoked[0].wallet, original.id());
    let revoked_at = list.revoked[0].revoked_at;
    let forks = h.issuer.store().forks(&original.id()).unwrap();
    assert!(!forks.is_empty(), "the issuer keeps both authorizations");

    // The exposure window: the copy goes on paying merchant 5, one 0.10 page every 10 s; the
    // merchant fetched its list just before the revocation and refreshes every R seconds.
    let (rate_micros, every) = (100_000_i64, 10_u64);
    let shop = &shops[5];
    // Its last fetch was just before the revocation: a list without the key, which it keeps
    // until revoked_at + R.
    let mut list_at_door = {
        let mut l = list.clone();
        l.revoked.clear();
        Some(Arc::new(Revocations::new(l)))
    };
    let mut fetched_at = revoked_at;
    let cache = MemoryReplayCache::new();
    let (mut accepted, mut refused_at_door, mut first_refusal) = (0_i64, 0u32, None);
    let mut accepted_auths = Vec::new();
    let start = h.now();
    let mut n = 10;
    while h.now() < start + refresh + skew + 120 {
        h.clock.set(h.now() + every);
        if h.now() >= fetched_at + refresh {
            list_at_door = Some(revocations(&h));
            fetched_at = h.now();
        }
        n += 1;
        let p = match copy
            .pay(&page(&shop.pay_to, n, rate_micros), &PayOptions { approved: true, ..PayOptions::default() })
        {
            Ok(p) => p,
            Err(e) => panic!("the copy does not know it is revoked and pays: {e}"),
        };
        match door(&h, shop, n, rate_micros, list_at_door.as_ref()).verify(&p.header, &cache) {
            Ok(_) => {
                accepted += rate_micros;
                accepted_auths.push(authorization(&p));
            }
            Err(e) => {
                assert_eq!(e.rejection(), Rejection::RevokedPayer);
                refused_at_door += 1;
                first_refusal.get_or_insert(h.now());
            }
        }
    }
    let first_refusal = first_refusal.expect("the merchant refused the revoked key once its list named it");
    assert!(first_refusal <= revoked_at + refresh + skew, "refused within R + skew of the revocation");
    let bound = rate_micros * i64::try_from((refresh + skew) / every + 1).unwrap();
    assert!(accepted <= bound, "accepted {accepted} after the revocation, bound {bound}");
    assert!(refused_at_door > 0);
    eprintln!(
        "exposure: R = {refresh} s, skew = {skew} s, 0.10 EUR every {every} s: {} EUR accepted after the \
         revocation, bound {} EUR; first refusal {} s after it",
        Micros::from_micros(accepted),
        Micros::from_micros(bound),
        first_refusal - revoked_at
    );
    // What the door took settles if the credits cover it and a fresh list could have allowed it.
    let answer = h.settle(shop, &accepted_auths);
    let settled_late: i64 =
        answer.results.iter().filter(|i| i.outcome == SettlementOutcome::Settled).count() as i64 * rate_micros;
    for i in &answer.results {
        assert!(i.outcome == SettlementOutcome::Settled || i.code == Some(RefusalCode::RevokedPayer), "{i:?}");
    }
    let refs: Vec<&Merchant> = shops.iter().collect();
    let total = merchants_total(&h, &refs);
    assert_eq!(settled_late, accepted, "everything a merchant took in good faith is settled: it is covered");
    assert_eq!(total, 3 * 500_000 + 2 * 500_000 + 2 * 500_000 + settled_late, "every merchant's sum");
    assert!(total <= 20_000_000, "the issuer never pays out more than the credits");

    // The honest restore from the same backup: held, and its sync says revoked.
    let restored_dir = tw.tmp.path().join("restored");
    let mut r = Wallet::restore(&restored_dir, &backup, &Passphrase::new(BACKUP_PASS.into()), ks.as_ref()).unwrap();
    r.set_clock(h.clock.clone());
    r.set_issuer_url(&network(), &h.base).unwrap();
    let e = r.pay(&page(&shops[0].pay_to, 99, 10_000), &PayOptions { approved: true, ..PayOptions::default() });
    assert_eq!(e.unwrap_err().code(), ErrorCode::SyncRequired);
    let res = client().sync(&mut r, &network(), None).unwrap();
    assert!(res.revoked.is_some() && !res.may_pay, "{res:?}");
    let e = r.pay(&page(&shops[0].pay_to, 99, 10_000), &PayOptions { approved: true, ..PayOptions::default() });
    assert_eq!(e.unwrap_err().code(), ErrorCode::PayerRevoked);
    // The original learns it too at its sync, and sees the copy's payments as forks.
    let res = client().sync(&mut original, &network(), None).unwrap();
    assert!(res.revoked.is_some() && !res.may_pay);
    assert!(res.discrepancies.iter().any(|d| matches!(d, Discrepancy::Forked { .. })), "{:?}", res.discrepancies);
}

/// A merchant answers "refused", keeps the authorization and settles it: the wallet credited
/// the refund, and its next sync reverses it with an adjustment and flags the merchant with
/// its refusal and the issuer's settlement. Another refusal, never settled, becomes final once
/// its deadline has passed, and the issuer refuses it after.
pub fn refused_but_settled_is_reversed_and_flagged(h: Harness) {
    let liar = h.merchant(40, "liar");
    let honest = h.merchant(41, "honest");
    let mut tw = TestWallet::new(&h);
    tw.credit(&h, "5.00");
    let lied = pay(&mut tw.w, &liar, 1, 400_000);
    tw.w.record_rejected(&lied.payment_id, "invalid_signature").unwrap();
    let refused = pay(&mut tw.w, &honest, 1, 300_000);
    tw.w.record_rejected(&refused.payment_id, "expired").unwrap();
    assert_eq!(tw.eur(), 5_000_000, "both refunded");
    h.settle(&liar, &[authorization(&lied)]);

    let r = client().sync(&mut tw.w, &network(), None).unwrap();
    assert_eq!(r.done.refunds_reversed, 1, "{r:?}");
    assert_eq!(tw.eur(), 5_000_000 - 400_000);
    let flagged = tw.w.flagged_merchants().unwrap();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0].pay_to, "liar");
    assert_eq!(flagged[0].payment_id, lied.payment_id);
    assert_eq!(flagged[0].refusal.as_deref(), Some("invalid_signature"));
    assert!(flagged[0].settlement.contains(&lied.payment_id.to_string()));
    // Synced again: nothing reversed twice.
    let again = client().sync(&mut tw.w, &network(), None).unwrap();
    assert_eq!(again.done.refunds_reversed, 0);
    assert_eq!(tw.eur(), 5_000_000 - 400_000);

    // A week and more later the honest refusal's refund is final, and stays so.
    h.clock.set(h.now() + h.issuer.config().settlement_period_seconds + 3_600);
    let r = client().sync(&mut tw.w, &network(), None).unwrap();
    assert_eq!(r.done.refunds_final, 1, "{r:?}");
    let late = h.settle(&honest, &[authorization(&refused)]);
    assert_eq!(late.results[0].code, Some(RefusalCode::PastDeadline));
    let r = client().sync(&mut tw.w, &network(), None).unwrap();
    assert_eq!((r.done.refunds_reversed, r.done.refunds_final), (0, 0));
    assert!(r.discrepancies.is_empty(), "{:?}", r.discrepancies);
    assert_eq!(tw.eur(), 5_000_000 - 400_000);
    tw.w.verify().unwrap();
}

/// What a hostile network or issuer hands the wallet as a statement changes nothing and says
/// why: garbage, a statement signed by another key, one answering another request (a replay),
/// one about another wallet; and an issuer address that answers an error.
pub fn bad_statements_change_nothing(h: Harness) {
    let shop = h.merchant(50, "shop");
    let mut tw = TestWallet::new(&h);
    tw.credit(&h, "3.00");
    let p = pay(&mut tw.w, &shop, 1, 200_000);
    served(&h, &mut tw.w, &shop, &p);
    h.settle(&shop, &[authorization(&p)]);
    let before = (tw.eur(), tw.w.last_sync(&network()).unwrap());
    let check_unchanged = |w: &Wallet| {
        assert_eq!((eur_of(w), w.last_sync(&network()).unwrap()), before);
        w.verify().unwrap();
    };

    let prepared = tw.w.statement_request(&network()).unwrap();
    let period = h.issuer.config().settlement_period_seconds;
    let genuine = client().fetch_statement(&h.base, &prepared).unwrap().jws;

    // Garbage and truncations.
    for bad in ["", "not a jws", "a.b.c", &genuine[..genuine.len() / 2]] {
        let e = tw.w.apply_statement(&prepared, bad, period).unwrap_err();
        assert_eq!(e.code(), ErrorCode::BadStatement, "{bad:?}: {e}");
        check_unchanged(&tw.w);
    }
    // The same claims signed by a stranger's key.
    let mut claims: Statement = documents::open(&genuine).unwrap();
    let stranger = RingSigner::from_seed(&[99; 32]).unwrap();
    claims.iss = stranger.public_key();
    let forged = documents::sign(&stranger, &claims).unwrap();
    let e = tw.w.apply_statement(&prepared, &forged, period).unwrap_err();
    assert_eq!(e.code(), ErrorCode::BadStatement, "{e}");
    check_unchanged(&tw.w);
    // A genuine statement that answers an earlier request: a replay.
    let later = tw.w.statement_request(&network()).unwrap();
    let e = tw.w.apply_statement(&later, &genuine, period).unwrap_err();
    assert_eq!(e.code(), ErrorCode::BadStatement, "{e}");
    assert!(e.to_string().contains("another request"), "{e}");
    check_unchanged(&tw.w);
    // Another wallet's statement, genuine and signed by the issuer.
    let mut other = TestWallet::new(&h);
    other.credit(&h, "1.00");
    let theirs = other.w.statement_request(&network()).unwrap();
    let their_statement = client().fetch_statement(&h.base, &theirs).unwrap().jws;
    let e = tw.w.apply_statement(&prepared, &their_statement, period).unwrap_err();
    assert_eq!(e.code(), ErrorCode::BadStatement, "{e}");
    check_unchanged(&tw.w);
    // An address that is not an issuer: an error, and nothing changes.
    tw.w.set_issuer_url(&network(), &format!("{}/nowhere", h.base)).unwrap();
    let e = client().sync(&mut tw.w, &network(), None).unwrap_err();
    assert!(matches!(e, centime_client::Error::Http { .. }), "{e}");
    check_unchanged(&tw.w);
    // An untrusted network has no address to keep, and no statement.
    let elsewhere: centime_protocol::Network = "centime:elsewhere".parse().unwrap();
    let e = tw.w.set_issuer_url(&elsewhere, &h.base).unwrap_err();
    assert!(matches!(e, centime_core::Error::UntrustedIssuer(_)), "{e}");
    let e = client().sync(&mut tw.w, &elsewhere, Some(&h.base)).unwrap_err();
    assert!(matches!(e, centime_client::Error::Wallet(centime_core::Error::UntrustedIssuer(_))), "{e}");
    check_unchanged(&tw.w);

    // The genuine one, at last, applies.
    tw.w.set_issuer_url(&network(), &h.base).unwrap();
    let r = tw.w.apply_statement(&prepared, &genuine, period).unwrap();
    assert_eq!(r.done.marked_settled, 0, "it was settled on the merchant's receipt already");
    assert!(r.discrepancies.is_empty() && r.may_pay);
    assert_eq!(tw.w.last_sync(&network()).unwrap().as_ref(), Some(&r));
}

fn copy_dir_all(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir_all(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}
