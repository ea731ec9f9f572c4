//! Payments between wallets at the issuer (docs/protocol.md §14): deposit, fetch, redeem and
//! inbox over HTTP through centime-client, the wallets' documents signed with real keys by the
//! protocol crate's signer, the ledger read back through signed statements.

use centime_protocol::documents::{self, CreditClaims};
use centime_protocol::jws::{RingSigner, Signer as _};
use centime_protocol::p2p::{
    InboxRequest, PaymentRequestDoc, Redeemed, RedemptionRequest, SignedTransfer, TRANSFER_SECONDS, TransferCode,
    TransferTerms, sign_transfer, wallet_account,
};
use centime_protocol::settlement::RefusalCode;
use centime_protocol::statement::Statement;
use centime_protocol::{Amount, Asset, Micros, PaymentId};
use reqwest::StatusCode;

use super::{Harness, code, eur, network};

fn client() -> centime_client::Client {
    centime_client::Client::new(std::time::Duration::from_secs(60)).unwrap()
}

fn wallet(seed: u8) -> RingSigner {
    RingSigner::from_seed(&[seed; 32]).unwrap()
}

fn euros(micros: i64) -> Amount {
    Amount::new(Micros::from_micros(micros), Asset::EUR)
}

/// A send of `micros` EUR from `payer` to `to`, its authorization valid from the issuer's now.
fn send(h: &Harness, payer: &RingSigner, to: &RingSigner, micros: i64, seq: u64) -> SignedTransfer {
    let terms = TransferTerms::send(to.public_key(), euros(micros), network(), Some("for the tickets")).unwrap();
    let claims = terms.authorization_claims(payer.public_key(), PaymentId::random().unwrap(), seq, h.now()).unwrap();
    sign_transfer(payer, &terms, &claims, h.now()).unwrap()
}

/// The payment of `request` by `payer`.
fn pay_request(h: &Harness, payer: &RingSigner, request: &PaymentRequestDoc, seq: u64) -> SignedTransfer {
    let terms = TransferTerms::for_request(request);
    let id = terms.required_payment_id().unwrap();
    let claims = terms.authorization_claims(payer.public_key(), id, seq, h.now()).unwrap();
    sign_transfer(payer, &terms, &claims, h.now()).unwrap()
}

fn redemption(h: &Harness, by: &RingSigner, which: Redeemed<'_>) -> String {
    let r = RedemptionRequest::new(by.public_key(), network(), h.now(), which).unwrap();
    documents::sign(by, &r).unwrap()
}

fn inbox(h: &Harness, of: &RingSigner) -> Vec<String> {
    let r = InboxRequest::new(of.public_key(), network(), h.now()).unwrap();
    client().inbox(&h.base, &documents::sign(of, &r).unwrap()).unwrap()
}

/// The issuer's refusal of a client call: its status and code.
fn refusal<T: std::fmt::Debug>(r: centime_client::Result<T>) -> (u16, String) {
    match r {
        Err(centime_client::Error::IssuerRefused { status, code, .. }) => (status, code),
        other => panic!("not a refusal: {other:?}"),
    }
}

/// What a statement says of the ledger: totals, credits and settled payments.
fn ledger(s: &Statement) -> (i64, i64, Vec<String>, Vec<(String, String)>) {
    let (credited, spent) = eur(s);
    (
        credited,
        spent,
        s.credits.iter().map(|c| c.credit_id.clone()).collect(),
        s.settled.iter().map(|p| (p.payment_id.to_string(), p.pay_to.clone())).collect(),
    )
}

/// Request → pay → redeem, and the issuer's ledger is exact: the payer's settled total, the
/// recipient's credit, both in their statements; the inbox empties.
pub fn a_paid_request_moves_the_money_once_it_is_redeemed(h: Harness) {
    let (alice, bob) = (wallet(1), wallet(2));
    h.credit(&alice, "10.00");
    let request =
        PaymentRequestDoc::new(bob.public_key(), network(), euros(3_000_000), "Dinner", h.now(), 3600).unwrap();
    let paid = pay_request(&h, &alice, &request, 1);
    let c = client();
    let deposit = c.deposit_transfer(&h.base, &paid.transfer).unwrap();
    let t = centime_protocol::p2p::TransferDoc::open(&paid.transfer).unwrap();
    assert_eq!(deposit.expires_at, t.claims.valid_before);
    assert_eq!(t.claims.valid_before - t.claims.valid_after, TRANSFER_SECONDS);
    assert_eq!(eur(&h.statement(&alice)), (10_000_000, 0), "deposited: nothing moved yet");
    assert_eq!(c.fetch_transfer(&h.base, &deposit.code).unwrap(), paid.transfer);
    assert_eq!(inbox(&h, &bob), vec![paid.transfer.clone()]);
    assert!(inbox(&h, &alice).is_empty(), "only the recipient's inbox lists it");

    let credit = c.redeem(&h.base, &redemption(&h, &bob, Redeemed::Code(&deposit.code))).unwrap();
    let claims: CreditClaims = documents::open(&credit).unwrap();
    assert_eq!(claims.iss, h.issuer.public_key());
    assert_eq!(claims.sub, bob.public_key());
    assert_eq!(claims.credit_id, format!("t_{}", request.payment_id()));
    assert_eq!((claims.value.as_str(), claims.asset_scale, claims.asset), ("3", 0, Asset::EUR));

    let (a, b) = (h.statement(&alice), h.statement(&bob));
    assert_eq!(eur(&a), (10_000_000, 3_000_000), "the payer's settled total");
    assert_eq!(a.settled.len(), 1);
    assert_eq!(a.settled[0].payment_id, request.payment_id());
    assert_eq!(a.settled[0].pay_to, wallet_account(&bob.public_key()));
    assert_eq!(a.settled[0].resource, format!("centime:request:{}", request.request_id));
    assert_eq!(a.settled[0].authorization, paid.authorization);
    assert_eq!(eur(&b), (3_000_000, 0), "the recipient's credit");
    assert_eq!(ledger(&b).2, vec![claims.credit_id.clone()]);
    assert!(b.settled.is_empty());
    assert!(inbox(&h, &bob).is_empty(), "a redeemed transfer leaves the inbox");
    assert_eq!(refusal(c.fetch_transfer(&h.base, &deposit.code)), (409, "already_redeemed".into()));
}

/// Redeemed twice, or by another wallet, or replayed: refused, and the ledger unchanged.
pub fn a_transfer_redeemed_twice_or_by_another_is_refused(h: Harness) {
    let (alice, bob, carol) = (wallet(1), wallet(2), wallet(3));
    h.credit(&alice, "5.00");
    let sent = send(&h, &alice, &bob, 2_500_000, 1);
    let c = client();
    let by_carol = redemption(&h, &carol, Redeemed::Transfer(&sent.transfer));
    assert_eq!(refusal(c.redeem(&h.base, &by_carol)), (403, "not_the_recipient".into()));
    assert_eq!(ledger(&h.statement(&alice)).1, 0);
    assert_eq!(ledger(&h.statement(&carol)), (0, 0, vec![], vec![]));

    // The offline form: never deposited, redeemed whole.
    let first = redemption(&h, &bob, Redeemed::Transfer(&sent.transfer));
    c.redeem(&h.base, &first).unwrap();
    let (a, b) = (ledger(&h.statement(&alice)), ledger(&h.statement(&bob)));
    assert_eq!((a.0, a.1, b.0), (5_000_000, 2_500_000, 2_500_000));

    assert_eq!(refusal(c.redeem(&h.base, &first)), (409, "replayed_request".into()));
    let again = redemption(&h, &bob, Redeemed::Transfer(&sent.transfer));
    assert_eq!(refusal(c.redeem(&h.base, &again)), (409, "already_redeemed".into()));
    assert_eq!(refusal(c.redeem(&h.base, &redemption(&h, &carol, Redeemed::Transfer(&sent.transfer)))).0, 403);
    // Deposited after its redemption: the same transfer, nothing waits.
    let code = c.deposit_transfer(&h.base, &sent.transfer).unwrap().code;
    assert_eq!(
        refusal(c.redeem(&h.base, &redemption(&h, &bob, Redeemed::Code(&code)))),
        (409, "already_redeemed".into())
    );
    assert!(inbox(&h, &bob).is_empty());
    assert_eq!(ledger(&h.statement(&alice)), a, "nothing changed");
    assert_eq!(ledger(&h.statement(&bob)), b, "nothing changed");
}

/// A request paid twice pays once: its paymentId is derived, so a second authorization of it
/// is a conflict, and the same one again is the same deposit.
pub fn a_request_paid_twice_pays_once(h: Harness) {
    let (alice, bob) = (wallet(1), wallet(2));
    h.credit(&alice, "10.00");
    let request = PaymentRequestDoc::new(bob.public_key(), network(), euros(1_500_000), "Book", h.now(), 600).unwrap();
    let c = client();
    let paid = pay_request(&h, &alice, &request, 1);
    let first = c.deposit_transfer(&h.base, &paid.transfer).unwrap();
    assert_eq!(c.deposit_transfer(&h.base, &paid.transfer).unwrap(), first, "the same payment again");
    let twice = pay_request(&h, &alice, &request, 2);
    assert_eq!(refusal(c.deposit_transfer(&h.base, &twice.transfer)), (409, "payment_id_conflict".into()));
    assert_eq!(
        refusal(c.redeem(&h.base, &redemption(&h, &bob, Redeemed::Transfer(&twice.transfer)))),
        (409, "payment_id_conflict".into())
    );
    c.redeem(&h.base, &redemption(&h, &bob, Redeemed::Code(&first.code))).unwrap();
    assert_eq!(
        refusal(c.redeem(&h.base, &redemption(&h, &bob, Redeemed::Transfer(&twice.transfer)))),
        (409, "payment_id_conflict".into())
    );
    assert_eq!(eur(&h.statement(&alice)), (10_000_000, 1_500_000), "paid once");
    assert_eq!(eur(&h.statement(&bob)), (1_500_000, 0), "credited once");
}

/// Past validBefore + skew the issuer never settles a transfer: the payer's sync can take it
/// back. Until then it is still redeemed.
pub fn an_expired_transfer_is_refused_at_redemption(h: Harness) {
    let (alice, bob) = (wallet(1), wallet(2));
    h.credit(&alice, "5.00");
    let c = client();
    let late = send(&h, &alice, &bob, 1_000_000, 1);
    let in_time = send(&h, &alice, &bob, 2_000_000, 2);
    let late_code = c.deposit_transfer(&h.base, &late.transfer).unwrap().code;
    let in_time_code = c.deposit_transfer(&h.base, &in_time.transfer).unwrap().code;
    let start = h.now();
    let skew = h.issuer.config().skew_seconds;
    h.clock.set(start + TRANSFER_SECONDS + skew - 1);
    assert_eq!(inbox(&h, &bob).len(), 2);
    c.redeem(&h.base, &redemption(&h, &bob, Redeemed::Code(&in_time_code))).unwrap();
    // Past validBefore, no deposit is taken: the payer may be taking it back already.
    assert_eq!(refusal(c.deposit_transfer(&h.base, &late.transfer)), (410, "transfer_expired".into()));

    h.clock.set(start + TRANSFER_SECONDS + skew);
    assert!(inbox(&h, &bob).is_empty(), "an expired transfer leaves the inbox");
    assert_eq!(
        refusal(c.redeem(&h.base, &redemption(&h, &bob, Redeemed::Code(&late_code)))),
        (410, "transfer_expired".into())
    );
    assert_eq!(
        refusal(c.redeem(&h.base, &redemption(&h, &bob, Redeemed::Transfer(&late.transfer)))),
        (410, "transfer_expired".into())
    );
    let a = h.statement(&alice);
    assert_eq!(eur(&a), (5_000_000, 2_000_000), "only the one redeemed in time is settled");
    assert_eq!(a.settled.len(), 1);
    assert_eq!(eur(&h.statement(&bob)), (2_000_000, 0));
}

/// A redemption the settlement item's checks refuse records what §13.2 records (here the
/// overdraft's revocation) and credits nothing.
pub fn an_overdrawn_transfer_is_refused_and_credits_nothing(h: Harness) {
    let (alice, bob) = (wallet(1), wallet(2));
    h.credit(&alice, "1.00");
    let c = client();
    let sent = send(&h, &alice, &bob, 2_000_000, 1);
    let code = c.deposit_transfer(&h.base, &sent.transfer).unwrap().code;
    assert_eq!(
        refusal(c.redeem(&h.base, &redemption(&h, &bob, Redeemed::Code(&code)))),
        (409, <&str>::from(RefusalCode::Overdrawn).to_owned())
    );
    let a = h.statement(&alice);
    assert_eq!(eur(&a), (1_000_000, 0));
    assert!(a.revoked.is_some(), "an overdraft revokes the payer, as any settlement's");
    assert_eq!(ledger(&h.statement(&bob)), (0, 0, vec![], vec![]));
}

/// What is not a good transfer for this issuer, or a request not signed for it, is refused
/// with its code; a wallet's account is no merchant's.
pub fn bad_transfers_and_requests_are_refused(h: Harness) {
    let (alice, bob) = (wallet(1), wallet(2));
    h.credit(&alice, "5.00");
    let c = client();
    assert_eq!(refusal(c.deposit_transfer(&h.base, "not.a.jws")), (400, "malformed_request".into()));
    let terms =
        TransferTerms::send(bob.public_key(), euros(1_000_000), "centime:other".parse().unwrap(), None).unwrap();
    let claims = terms.authorization_claims(alice.public_key(), PaymentId::random().unwrap(), 1, h.now()).unwrap();
    let foreign = sign_transfer(&alice, &terms, &claims, h.now()).unwrap();
    assert_eq!(refusal(c.deposit_transfer(&h.base, &foreign.transfer)), (400, "network_mismatch".into()));
    assert_eq!(refusal(c.fetch_transfer(&h.base, &TransferCode::random().unwrap())), (404, "unknown_transfer".into()));
    let r = h.http.get(format!("{}/issuer/transfers/not-a-code", h.base)).send().unwrap();
    assert_eq!(code(r), (StatusCode::NOT_FOUND, "unknown_transfer".into()));
    assert_eq!(
        refusal(c.redeem(&h.base, &redemption(&h, &bob, Redeemed::Code(&TransferCode::random().unwrap())))),
        (404, "unknown_transfer".into())
    );
    // Signed by another key than the one it names.
    let sent = send(&h, &alice, &bob, 1_000_000, 1);
    let r = RedemptionRequest::new(bob.public_key(), network(), h.now(), Redeemed::Transfer(&sent.transfer)).unwrap();
    let signed = documents::sign(&bob, &r).unwrap();
    let (head, _) = signed.rsplit_once('.').unwrap();
    let forged =
        format!("{head}.{}", base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, [7u8; 64]));
    assert_eq!(refusal(c.redeem(&h.base, &forged)), (401, "invalid_signature".into()));
    // Stale, and for another network.
    let mut stale =
        RedemptionRequest::new(bob.public_key(), network(), h.now(), Redeemed::Transfer(&sent.transfer)).unwrap();
    stale.issued_at -= 301;
    assert_eq!(refusal(c.redeem(&h.base, &documents::sign(&bob, &stale).unwrap())), (400, "stale_request".into()));
    let other = InboxRequest::new(bob.public_key(), "centime:other".parse().unwrap(), h.now()).unwrap();
    assert_eq!(refusal(c.inbox(&h.base, &documents::sign(&bob, &other).unwrap())), (400, "network_mismatch".into()));
    let once = documents::sign(&bob, &InboxRequest::new(bob.public_key(), network(), h.now()).unwrap()).unwrap();
    c.inbox(&h.base, &once).unwrap();
    assert_eq!(refusal(c.inbox(&h.base, &once)), (409, "replayed_request".into()));
    // A wallet's account cannot be registered as a merchant's, so no merchant settles a transfer.
    let m = centime_issuer::MerchantRecord {
        pay_to: wallet_account(&bob.public_key()),
        key: bob.public_key(),
        name: "Bob".into(),
        origins: vec!["https://bob.example".into()],
    };
    assert!(h.issuer.register_merchant(&m).is_err());
    let shop = h.merchant(10, "shop");
    let answer = h.settle(&shop, std::slice::from_ref(&sent.authorization));
    assert_eq!(answer.results[0].code, Some(RefusalCode::NotThisMerchant));
    assert_eq!(eur(&h.statement(&alice)), (5_000_000, 0), "nothing changed");
    assert_eq!(eur(&h.statement(&bob)), (0, 0));
}
