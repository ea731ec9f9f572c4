//! One function per behaviour, run on each backend.

use std::collections::HashMap;
use std::sync::Arc;

use centime_protocol::certificate::MerchantCertificate;
use centime_protocol::documents;
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::revocation::RevocationReason;
use centime_protocol::settlement::{DEFAULT_SETTLEMENT_PERIOD_SECONDS, ForkProof, RefusalCode, SettlementOutcome};
use centime_protocol::statement::STATEMENT_REQUEST_TYP;
use centime_protocol::{Asset, Micros, PaymentId};
use reqwest::StatusCode;

use super::{Harness, code, eur};

fn wallet(seed: u8) -> RingSigner {
    RingSigner::from_seed(&[seed; 32]).unwrap()
}

fn seed(i: usize) -> u8 {
    u8::try_from(i).unwrap()
}

fn outcomes(a: &centime_protocol::settlement::SettlementAnswer) -> Vec<(SettlementOutcome, Option<RefusalCode>)> {
    a.results.iter().map(|r| (r.outcome, r.code)).collect()
}

const SETTLED: (SettlementOutcome, Option<RefusalCode>) = (SettlementOutcome::Settled, None);
const AGAIN: (SettlementOutcome, Option<RefusalCode>) = (SettlementOutcome::AlreadySettled, None);
fn refused(c: RefusalCode) -> (SettlementOutcome, Option<RefusalCode>) {
    (SettlementOutcome::Refused, Some(c))
}

pub fn a_batch_settles_and_the_same_batch_again_gets_the_same_answer(h: Harness) {
    let shop = h.merchant(10, "shop-a");
    let w = wallet(1);
    h.credit(&w, "1.00");
    let batch: Vec<String> = (1..=3).map(|seq| h.authorization(&w, "shop-a", 100_000 * seq as i64, seq, 300)).collect();
    let first = h.settle(&shop, &batch);
    assert_eq!(outcomes(&first), vec![SETTLED; 3]);
    assert!(first.results.iter().all(|r| r.settled_at == Some(h.now())));
    let settled_at = h.now();
    h.clock.set(settled_at + 60);
    let again = h.settle(&shop, &batch);
    assert_eq!(outcomes(&again), vec![AGAIN; 3]);
    // The same answer: the first settlement's time, the same payment ids.
    assert!(again.results.iter().all(|r| r.settled_at == Some(settled_at)));
    let ids: Vec<_> = again.results.iter().map(|r| r.payment_id.clone().unwrap()).collect();
    assert_eq!(ids, first.results.iter().map(|r| r.payment_id.clone().unwrap()).collect::<Vec<_>>());
    let s = h.statement(&w);
    assert_eq!(eur(&s), (1_000_000, 600_000));
    assert_eq!(s.settled.len(), 3);
    assert_eq!(s.highest_seq, 3);
    assert_eq!(s.settled.iter().map(|p| p.authorization.clone()).collect::<Vec<_>>(), batch);
    assert_eq!(h.issuer.store().merchant_totals("shop-a").unwrap(), vec![(Asset::EUR, Micros::from_micros(600_000))]);
}

pub fn another_merchants_authorization_is_refused(h: Harness) {
    let a = h.merchant(10, "shop-a");
    let b = h.merchant(11, "shop-b");
    let w = wallet(1);
    h.credit(&w, "1.00");
    let to_a = h.authorization(&w, "shop-a", 250_000, 1, 300);
    let answer = h.settle(&b, std::slice::from_ref(&to_a));
    assert_eq!(outcomes(&answer), vec![refused(RefusalCode::NotThisMerchant)]);
    assert_eq!(eur(&h.statement(&w)).1, 0);
    assert!(h.issuer.store().merchant_totals("shop-b").unwrap().is_empty());
    // Its own merchant still settles it.
    assert_eq!(outcomes(&h.settle(&a, &[to_a])), vec![SETTLED]);
}

pub fn forged_or_unsigned_requests_are_refused_and_change_nothing(h: Harness) {
    let shop = h.merchant(10, "shop-a");
    let w = wallet(1);
    h.credit(&w, "1.00");
    let auths: Vec<String> = (1..=2).map(|seq| h.authorization(&w, "shop-a", 100_000, seq, 300)).collect();
    let request = h.request(&shop, "forged-1", &auths);

    // Signed by a key that is not the one registered for shop-a.
    let thief = wallet(99);
    let mut by_thief = request.clone();
    by_thief.iss = thief.public_key();
    assert_eq!(
        code(h.post_settlement(documents::sign(&thief, &by_thief).unwrap())),
        (StatusCode::FORBIDDEN, "not_the_merchant_key".into())
    );
    // Signed by the merchant's key, then altered: the signature no longer verifies.
    let good = documents::sign(&shop.signer, &request).unwrap();
    let (head, sig) = good.rsplit_once('.').unwrap();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{head}.{flipped}{}", &sig[1..]);
    assert_eq!(code(h.post_settlement(tampered)), (StatusCode::UNAUTHORIZED, "invalid_request_signature".into()));
    // The claims with no signature at all, and the claims as bare JSON.
    assert_eq!(code(h.post_settlement(format!("{head}."))).1, "malformed_request");
    assert_eq!(code(h.post_settlement(serde_json::to_string(&request).unwrap())).1, "malformed_request");
    // A merchant nobody registered.
    let mut stranger = request.clone();
    stranger.pay_to = "shop-nobody".into();
    assert_eq!(
        code(h.post_settlement(documents::sign(&shop.signer, &stranger).unwrap())),
        (StatusCode::FORBIDDEN, "unknown_merchant".into())
    );
    // Nothing changed.
    let s = h.statement(&w);
    assert_eq!(eur(&s), (1_000_000, 0));
    assert!(s.settled.is_empty());
    assert!(h.issuer.store().merchant_totals("shop-a").unwrap().is_empty());
    assert!(h.revocations().revoked.is_empty());

    // In an honest batch, a forged item is refused alone.
    let forged = {
        let (head, sig) = auths[1].rsplit_once('.').unwrap();
        let flipped = if sig.starts_with('A') { "B" } else { "A" };
        format!("{head}.{flipped}{}", &sig[1..])
    };
    let answer = h.settle(&shop, &[auths[0].clone(), forged, "not a jws".into()]);
    assert_eq!(
        outcomes(&answer),
        vec![SETTLED, refused(RefusalCode::InvalidSignature), refused(RefusalCode::Malformed)]
    );
    assert_eq!(eur(&h.statement(&w)).1, 100_000);
}

pub fn past_the_deadline_is_refused(h: Harness) {
    let shop = h.merchant(10, "shop-a");
    let w = wallet(1);
    h.credit(&w, "1.00");
    let t0 = h.now();
    let early = h.authorization(&w, "shop-a", 100_000, 1, 300);
    let late = h.authorization(&w, "shop-a", 100_000, 2, 300);
    let deadline = t0 + 300 + DEFAULT_SETTLEMENT_PERIOD_SECONDS;
    assert_eq!(h.issuer.describe()["settlementPeriodSeconds"], 7 * 86_400);
    h.clock.set(deadline - 1);
    assert_eq!(outcomes(&h.settle(&shop, std::slice::from_ref(&early))), vec![SETTLED]);
    h.clock.set(deadline);
    assert_eq!(outcomes(&h.settle(&shop, &[early, late])), vec![AGAIN, refused(RefusalCode::PastDeadline)]);
    let s = h.statement(&w);
    assert_eq!(eur(&s).1, 100_000);
    assert_eq!(s.highest_seq, 1);
}

pub fn a_fork_is_proven_kept_and_revokes_the_key(h: Harness) {
    let a = h.merchant(10, "shop-a");
    let b = h.merchant(11, "shop-b");
    let w = wallet(1);
    h.credit(&w, "2.00");
    // A restored wallet signs seq 1 a second time.
    let first = h.authorization(&w, "shop-a", 500_000, 1, 300);
    let second = h.authorization(&w, "shop-b", 700_000, 1, 300);
    assert_eq!(outcomes(&h.settle(&a, std::slice::from_ref(&first))), vec![SETTLED]);
    assert!(h.revocations().revoked.is_empty());
    let revoked_at = h.now();
    // Covered by the credits and acceptable before any list could name the key: settled (ADR 21 §5).
    assert_eq!(outcomes(&h.settle(&b, std::slice::from_ref(&second))), vec![SETTLED]);

    let forks = h.issuer.store().forks(&w.public_key()).unwrap();
    assert_eq!(forks.len(), 1);
    assert_eq!((forks[0].first.as_str(), forks[0].second.as_str()), (first.as_str(), second.as_str()));
    let proven = ForkProof { first: forks[0].first.clone(), second: forks[0].second.clone() }.check().unwrap();
    assert_eq!((proven.wallet, proven.seq), (w.public_key(), 1));

    let list = h.revocations();
    assert_eq!(list.revoked.len(), 1);
    assert_eq!(list.revoked[0].wallet, w.public_key());
    assert_eq!(list.revoked[0].reason, RevocationReason::Fork);
    assert_eq!(list.revoked[0].revoked_at, revoked_at);
    assert_eq!(list.next_update, list.issued_at + h.issuer.config().revocation_refresh_seconds);

    // A merchant whose list was fetched just before the revocation keeps it for R seconds: what
    // it took then, however long its window, settles while the credits cover it.
    let cfg = h.issuer.config().clone();
    h.clock.set(revoked_at + cfg.revocation_refresh_seconds - 10);
    let good_faith = h.authorization(&w, "shop-a", 100_000, 2, 3_600);
    assert_eq!(outcomes(&h.settle(&a, &[good_faith])), vec![SETTLED]);
    // Signed after every list could name the key: refused, whatever its window.
    h.clock.set(revoked_at + cfg.revocation_refresh_seconds + cfg.skew_seconds + 1);
    let after = h.authorization(&w, "shop-a", 100_000, 3, 60);
    assert_eq!(outcomes(&h.settle(&a, &[after])), vec![refused(RefusalCode::RevokedPayer)]);
    let s = h.statement(&w);
    assert_eq!(eur(&s), (2_000_000, 1_300_000));
    assert_eq!(s.revoked.as_ref().map(|r| r.reason), Some(RevocationReason::Fork));
    // The fork is recorded once, however often its items come back.
    assert_eq!(outcomes(&h.settle(&b, &[second])), vec![AGAIN]);
    assert_eq!(h.issuer.store().forks(&w.public_key()).unwrap().len(), 1);
}

pub fn overdrawn_is_refused_and_revokes_the_key(h: Harness) {
    let shop = h.merchant(10, "shop-a");
    let w = wallet(1);
    h.credit(&w, "1.00");
    let one = h.authorization(&w, "shop-a", 600_000, 1, 300);
    let two = h.authorization(&w, "shop-a", 600_000, 2, 300);
    let answer = h.settle(&shop, &[one, two]);
    assert_eq!(outcomes(&answer), vec![SETTLED, refused(RefusalCode::Overdrawn)]);
    let list = h.revocations();
    assert_eq!(list.revoked.len(), 1);
    assert_eq!((list.revoked[0].wallet, list.revoked[0].reason), (w.public_key(), RevocationReason::Overdrawn));
    // Revoked: still covered and acceptable before a list named it, settled; beyond, refused.
    let covered = h.authorization(&w, "shop-a", 400_000, 3, 300);
    let cfg = h.issuer.config().clone();
    h.clock.set(h.now() + cfg.revocation_refresh_seconds + cfg.skew_seconds + 1);
    let later = h.authorization(&w, "shop-a", 10_000, 4, 300);
    assert_eq!(outcomes(&h.settle(&shop, &[covered, later])), vec![SETTLED, refused(RefusalCode::RevokedPayer)]);
    let s = h.statement(&w);
    assert_eq!(eur(&s), (1_000_000, 1_000_000));
    assert_eq!(s.revoked.map(|r| r.reason), Some(RevocationReason::Overdrawn));
    assert_eq!(h.issuer.store().merchant_totals("shop-a").unwrap(), vec![(Asset::EUR, Micros::from_micros(1_000_000))]);
}

pub fn payment_ids_and_nonces_are_unique_across_merchants(h: Harness) {
    let a = h.merchant(10, "shop-a");
    let b = h.merchant(11, "shop-b");
    let w = wallet(1);
    h.credit(&w, "1.00");
    let original = h.authorization(&w, "shop-a", 100_000, 1, 300);
    assert_eq!(outcomes(&h.settle(&a, std::slice::from_ref(&original))), vec![SETTLED]);
    let claims = centime_protocol::settlement::open_authorization(&original).unwrap();
    // Another authorization to another merchant reusing the paymentId, then the nonce.
    let other =
        centime_protocol::settlement::open_authorization(&h.authorization(&w, "shop-b", 100_000, 2, 300)).unwrap();
    let mut same_id = other.clone();
    same_id.payment_id = claims.payment_id.clone();
    let mut same_nonce = other.clone();
    same_nonce.seq = 3;
    same_nonce.payment_id = PaymentId::random().unwrap();
    same_nonce.nonce = claims.nonce.clone();
    let answer = h.settle(&b, &[documents::sign(&w, &same_id).unwrap(), documents::sign(&w, &same_nonce).unwrap()]);
    assert_eq!(outcomes(&answer), vec![refused(RefusalCode::PaymentIdConflict), refused(RefusalCode::NonceConflict)]);
    assert_eq!(eur(&h.statement(&w)).1, 100_000);
    assert!(h.issuer.store().merchant_totals("shop-b").unwrap().is_empty());
}

pub fn the_statement_is_for_the_keys_owner_only(h: Harness) {
    let shop = h.merchant(10, "shop-a");
    let w = wallet(1);
    let other = wallet(2);
    h.credit(&w, "3.00");
    h.credit(&w, "0.50");
    h.credit(&other, "1.00");
    let paid = h.authorization(&w, "shop-a", 1_250_000, 7, 300);
    assert_eq!(outcomes(&h.settle(&shop, std::slice::from_ref(&paid))), vec![SETTLED]);

    // Someone else's key naming the wallet.
    let request = h.statement_request(&w);
    assert_eq!(
        code(h.post_statement(
            centime_protocol::jws::sign(&other, STATEMENT_REQUEST_TYP, &serde_json::to_vec(&request).unwrap()).unwrap()
        )),
        (StatusCode::UNAUTHORIZED, "invalid_request_signature".into())
    );
    // A stale request, and a request replayed.
    let mut stale = h.statement_request(&w);
    stale.issued_at -= 1_000;
    assert_eq!(code(h.post_statement(documents::sign(&w, &stale).unwrap())).1, "stale_request");
    let once = documents::sign(&w, &request).unwrap();
    assert_eq!(h.post_statement(once.clone()).status(), StatusCode::OK);
    assert_eq!(code(h.post_statement(once)), (StatusCode::CONFLICT, "replayed_request".into()));

    let s = h.statement(&w);
    assert_eq!(s.wallet, w.public_key());
    assert_eq!(eur(&s), (3_500_000, 1_250_000));
    assert_eq!(s.credits.len(), 2);
    assert_eq!(s.highest_seq, 7);
    assert_eq!(s.settled.len(), 1);
    assert_eq!(s.settled[0].authorization, paid);
    assert_eq!(s.settled[0].pay_to, "shop-a");
    assert!(s.revoked.is_none());
    // The other wallet sees its own account only.
    let o = h.statement(&other);
    assert_eq!(eur(&o), (1_000_000, 0));
    assert!(o.settled.is_empty());
    assert_eq!(o.highest_seq, 0);
}

pub fn merchant_certificates_say_what_was_registered(h: Harness) {
    let shop = h.merchant(10, "shop-a");
    let r = h.http.get(format!("{}/issuer/merchants/shop-a/certificate", h.base)).send().unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cert = MerchantCertificate::open_trusted(&r.text().unwrap(), &h.issuer.public_key(), h.now()).unwrap();
    assert_eq!(cert.pay_to, "shop-a");
    assert_eq!(cert.receipt_key, shop.signer.public_key());
    assert_eq!(cert.origins, vec!["https://shop-a.example".to_owned()]);
    assert_eq!(cert.name, "Shop shop-a");
    assert!(cert.covers_origin("https://shop-a.example"));
    assert!(!cert.covers_origin("https://shop-b.example"));
    let r = h.http.get(format!("{}/issuer/merchants/shop-z/certificate", h.base)).send().unwrap();
    assert_eq!(code(r), (StatusCode::NOT_FOUND, "unknown_merchant".into()));
}

/// 8 merchants, each with two threads sending overlapping batches in opposite orders, all
/// settling the same 4 wallets at once: every authorization settled exactly once, every sum
/// exact. Each wallet is credited exactly what it spends, so a double settlement would also
/// show as a refusal.
pub fn concurrent_merchants_settle_each_authorization_exactly_once(h: Harness) {
    const MERCHANTS: usize = 8;
    const WALLETS: usize = 4;
    const PER_PAIR: usize = 12;
    let h = Arc::new(h);
    let merchants: Vec<_> = (0..MERCHANTS).map(|m| Arc::new(h.merchant(50 + seed(m), &format!("shop-{m}")))).collect();
    let wallets: Vec<RingSigner> = (0..WALLETS).map(|i| wallet(1 + seed(i))).collect();
    let mut per_merchant: Vec<Vec<String>> = vec![Vec::new(); MERCHANTS];
    let mut expected_merchant = [0_i64; MERCHANTS];
    let mut expected_wallet = [0_i64; WALLETS];
    for (wi, w) in wallets.iter().enumerate() {
        let mut seq = 0_u64;
        for k in 0..PER_PAIR {
            for (m, list) in per_merchant.iter_mut().enumerate() {
                seq += 1;
                let micros = 10_000 * (1 + ((k + m + wi) % 7) as i64);
                list.push(h.authorization(w, &format!("shop-{m}"), micros, seq, 600));
                expected_merchant[m] += micros;
                expected_wallet[wi] += micros;
            }
        }
    }
    for (wi, w) in wallets.iter().enumerate() {
        let euros = Micros::from_micros(expected_wallet[wi]).to_wire(2).unwrap();
        h.credit(w, &format!("{}.{}", &euros[..euros.len() - 2], &euros[euros.len() - 2..]));
        assert_eq!(eur(&h.statement(w)).0, expected_wallet[wi]);
    }
    let mut threads = Vec::new();
    for (m, list) in per_merchant.iter().enumerate() {
        for reverse in [false, true] {
            let (h, shop, list) = (h.clone(), merchants[m].clone(), list.clone());
            threads.push(std::thread::spawn(move || {
                // Windows of 8, every 4: each authorization in two batches of this thread.
                let mut windows: Vec<Vec<String>> =
                    (0..list.len()).step_by(4).map(|i| list[i..(i + 8).min(list.len())].to_vec()).collect();
                if reverse {
                    windows.reverse();
                }
                let mut seen = Vec::new();
                for batch in windows {
                    let answer = h.settle(&shop, &batch);
                    for r in answer.results {
                        seen.push((r.payment_id.unwrap().to_string(), r.outcome, r.code));
                    }
                }
                seen
            }));
        }
    }
    let mut settled: HashMap<String, usize> = HashMap::new();
    for t in threads {
        for (id, outcome, code) in t.join().unwrap() {
            assert_eq!(code, None, "{id} refused");
            let n = settled.entry(id).or_default();
            if outcome == SettlementOutcome::Settled {
                *n += 1;
            } else {
                assert_eq!(outcome, SettlementOutcome::AlreadySettled);
            }
        }
    }
    assert_eq!(settled.len(), MERCHANTS * WALLETS * PER_PAIR);
    assert!(settled.values().all(|&n| n == 1), "not settled exactly once: {settled:?}");
    for (wi, w) in wallets.iter().enumerate() {
        let s = h.statement(w);
        assert_eq!(eur(&s), (expected_wallet[wi], expected_wallet[wi]));
        assert_eq!(s.settled.len(), MERCHANTS * PER_PAIR);
        assert_eq!(s.highest_seq, (MERCHANTS * PER_PAIR) as u64);
        assert!(s.revoked.is_none());
    }
    for (m, expected) in expected_merchant.iter().enumerate() {
        assert_eq!(
            h.issuer.store().merchant_totals(&format!("shop-{m}")).unwrap(),
            vec![(Asset::EUR, Micros::from_micros(*expected))]
        );
    }
    assert!(h.revocations().revoked.is_empty());
}

/// `auth` signed again by `w` with another `paymentId`, `nonce` or `seq` (the others unchanged).
fn resigned(
    w: &RingSigner,
    auth: &str,
    edit: impl FnOnce(&mut centime_protocol::documents::AuthorizationClaims),
) -> String {
    let mut claims = centime_protocol::settlement::open_authorization(auth).unwrap();
    edit(&mut claims);
    documents::sign(w, &claims).unwrap()
}

pub fn the_items_of_one_batch_see_the_ones_before_them(h: Harness) {
    let shop = h.merchant(10, "shop-a");
    let (w1, w2) = (wallet(1), wallet(2));
    h.credit(&w1, "1.00");
    h.credit(&w2, "0.50");
    let first = h.authorization(&w1, "shop-a", 300_000, 1, 300);
    let fork = h.authorization(&w1, "shop-a", 400_000, 1, 300);
    let w2_first = h.authorization(&w2, "shop-a", 200_000, 1, 300);
    let first_id = centime_protocol::settlement::open_authorization(&first).unwrap().payment_id;
    let w2_nonce = centime_protocol::settlement::open_authorization(&w2_first).unwrap().nonce;
    let taken_id = resigned(&w2, &h.authorization(&w2, "shop-a", 10_000, 2, 300), |c| c.payment_id = first_id);
    let taken_nonce = resigned(&w2, &h.authorization(&w2, "shop-a", 10_000, 3, 300), |c| c.nonce = w2_nonce);
    let too_much = h.authorization(&w2, "shop-a", 400_000, 4, 300);
    let covered = h.authorization(&w2, "shop-a", 100_000, 5, 300);
    let batch = vec![first.clone(), first.clone(), w2_first, fork.clone(), taken_id, taken_nonce, too_much, covered];
    let answer = h.settle(&shop, &batch);
    let id_taken = refused(RefusalCode::PaymentIdConflict);
    let nonce_taken = refused(RefusalCode::NonceConflict);
    let overdrawn = refused(RefusalCode::Overdrawn);
    // Each item decided on what the earlier ones did: the copy answered as settled, the fork
    // proven against the first, the ids and nonces taken, the balance spent.
    assert_eq!(outcomes(&answer), vec![SETTLED, AGAIN, SETTLED, SETTLED, id_taken, nonce_taken, overdrawn, SETTLED]);
    let forks = h.issuer.store().forks(&w1.public_key()).unwrap();
    assert_eq!(forks.iter().map(|f| (f.first.clone(), f.second.clone())).collect::<Vec<_>>(), vec![(first, fork)]);
    let revoked: HashMap<_, _> = h.revocations().revoked.iter().map(|r| (r.wallet, r.reason)).collect();
    assert_eq!(
        revoked,
        HashMap::from([(w1.public_key(), RevocationReason::Fork), (w2.public_key(), RevocationReason::Overdrawn)])
    );
    let (s1, s2) = (h.statement(&w1), h.statement(&w2));
    assert_eq!((eur(&s1), s1.settled.len()), ((1_000_000, 700_000), 2));
    assert_eq!((eur(&s2), s2.settled.len()), ((500_000, 300_000), 2));
    assert_eq!(h.issuer.store().merchant_totals("shop-a").unwrap(), vec![(Asset::EUR, Micros::from_micros(1_000_000))]);
    // The same batch again: every settled item answered as before, the refusals the same,
    // nothing recorded twice.
    let again = h.settle(&shop, &batch);
    assert_eq!(outcomes(&again), vec![AGAIN, AGAIN, AGAIN, AGAIN, id_taken, nonce_taken, overdrawn, AGAIN]);
    assert_eq!(h.issuer.store().forks(&w1.public_key()).unwrap().len(), 1);
    assert_eq!(eur(&h.statement(&w2)), (500_000, 300_000));
}

pub fn a_payment_id_raced_by_two_wallets_is_settled_once(h: Harness) {
    const ROUNDS: usize = 12;
    const FILLER: usize = 20;
    let h = Arc::new(h);
    let shops = [Arc::new(h.merchant(10, "shop-a")), Arc::new(h.merchant(11, "shop-b"))];
    let wallets = [wallet(1), wallet(2)];
    for w in &wallets {
        h.credit(w, "10.00");
    }
    let mut seqs = [0_u64; 2];
    for round in 0..ROUNDS {
        // Each wallet's batch to its own merchant: filler, then one item with the shared id.
        let id = PaymentId::random().unwrap();
        let batches: Vec<Vec<String>> = (0..2)
            .map(|k| {
                let pay_to = ["shop-a", "shop-b"][k];
                let mut batch: Vec<String> = (0..FILLER)
                    .map(|_| {
                        seqs[k] += 1;
                        h.authorization(&wallets[k], pay_to, 10_000, seqs[k], 300)
                    })
                    .collect();
                seqs[k] += 1;
                let last = h.authorization(&wallets[k], pay_to, 10_000, seqs[k], 300);
                batch.push(resigned(&wallets[k], &last, |c| c.payment_id = id.clone()));
                batch
            })
            .collect();
        let threads: Vec<_> = batches
            .into_iter()
            .enumerate()
            .map(|(k, batch)| {
                let (h, shop) = (h.clone(), shops[k].clone());
                std::thread::spawn(move || outcomes(&h.settle(&shop, &batch)))
            })
            .collect();
        let answers: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        for a in &answers {
            assert_eq!(a[..FILLER], vec![SETTLED; FILLER], "round {round}");
        }
        let mut last: Vec<_> = answers.iter().map(|a| a[FILLER]).collect();
        last.sort_by_key(|o| o.1.is_some());
        assert_eq!(last, vec![SETTLED, refused(RefusalCode::PaymentIdConflict)], "round {round}");
    }
    // Every filler item and one of each round's pair, exactly: 0.01 each.
    let spent: i64 = wallets.iter().map(|w| eur(&h.statement(w)).1).sum();
    assert_eq!(spent, 10_000 * (ROUNDS * (2 * FILLER + 1)) as i64);
    assert!(h.revocations().revoked.is_empty());
}
