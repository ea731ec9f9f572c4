//! The `centime` CLI contract through the real binary with the file
//! keystore: every command, its `--json` shape, and its exit codes.
// Helpers outside #[test] functions are test code too: a panic there is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::process::Command as StdCommand;

use centime_protocol::PaymentPayload;
use centime_protocol::jws::Signer as _;
use common::*;
use serde_json::{Value, json};

/// The keys of a JSON object.
fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

#[test]
fn init_id_and_issuers() {
    let w = TestWallet::new();
    // `init` has already run; its shape is checked on a second wallet.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("w2");
    let o = centime()
        .arg("--data-dir")
        .arg(&dir)
        .args(["--json", "init", "--issuer", &format!("{NETWORK}={}", issuer().public_key())])
        .output()
        .unwrap();
    expect_code(&o, 0, "init");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(keys(&v), set(&["wallet", "dataDir", "keystore"]));
    assert_eq!(v["keystore"], "file");
    assert_eq!(s(&v["wallet"]).len(), 43);
    assert!(dir.join("keys.centime").is_file());
    // A second init never replaces the wallet or its keys.
    let keys_before = std::fs::read(dir.join("keys.centime")).unwrap();
    let o = centime().arg("--data-dir").arg(&dir).arg("init").output().unwrap();
    expect_code(&o, 5, "second init");
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(std::fs::read(dir.join("keys.centime")).unwrap(), keys_before);
    // A malformed --issuer is invalid input, and creates nothing.
    let bad = tmp.path().join("w3");
    let o = centime().arg("--data-dir").arg(&bad).args(["init", "--issuer", "centime:demo"]).output().unwrap();
    expect_code(&o, 5, "init --issuer without =");
    assert!(stderr(&o).contains("is not NETWORK=PUBKEY"), "{}", stderr(&o));
    assert!(!bad.exists());

    // id
    let id = w.json(&["id"]);
    assert_eq!(id, json!({ "wallet": w.id }));
    let o = w.run(&["id"]);
    expect_code(&o, 0, "id");
    assert_eq!(stdout(&o).trim(), w.id);

    // issuer list / add / remove
    let list = w.json(&["issuer", "list"]);
    assert_eq!(keys(&list), set(&["issuers"]));
    let issuers = list["issuers"].as_array().unwrap();
    assert_eq!(issuers.len(), 1);
    assert_eq!(keys(&issuers[0]), set(&["network", "publicKey", "name"]));
    assert_eq!(issuers[0]["network"], NETWORK);
    assert_eq!(issuers[0]["publicKey"], issuer().public_key().to_string());

    let other = stranger().public_key().to_string();
    let added = w.json(&["issuer", "add", "centime:other", &other, "--name", "Other Bank"]);
    assert_eq!(added, json!({ "added": { "network": "centime:other", "publicKey": other, "name": "Other Bank" } }));
    let list = w.json(&["issuer", "list"]);
    let nets: Vec<&str> = list["issuers"].as_array().unwrap().iter().map(|i| s(&i["network"])).collect();
    assert_eq!(nets, ["centime:demo", "centime:other"]);

    assert_eq!(w.json(&["issuer", "remove", "centime:other"]), json!({ "removed": "centime:other" }));
    assert_eq!(w.json(&["issuer", "list"])["issuers"].as_array().unwrap().len(), 1);
    w.fails(&["issuer", "remove", "centime:other"], 5, "no trusted issuer for centime:other");
    w.fails(&["issuer", "add", "centime:x", "not-a-key"], 5, "is not an Ed25519 public key");
    w.fails(&["issuer", "add", "eip155:1", &other], 5, "is not a Centime network id");
    // Where an issuer is reached: checked before anything is trusted, only for a trusted network.
    w.fails(&["issuer", "add", "centime:other", &other, "--url", "ftp://bank.example"], 5, "must be an http(s) URL");
    assert_eq!(w.json(&["issuer", "list"])["issuers"].as_array().unwrap().len(), 1, "nothing trusted");
    let added = w.json(&["issuer", "add", "centime:other", &other, "--url", "https://bank.example/centime/"]);
    assert_eq!(added["url"], "https://bank.example/centime");
    w.fails(&["issuer", "url", "centime:nobody", "https://bank.example"], 5, "centime:nobody");
    w.fails(&["issuer", "url", "centime:other", "not a url"], 5, "is not a URL");
    let set = w.json(&["issuer", "url", "centime:other", "http://127.0.0.1:9"]);
    assert_eq!(set, json!({ "network": "centime:other", "url": "http://127.0.0.1:9" }));
    let list = w.json(&["issuer", "list"]);
    assert_eq!(list["issuers"][1]["url"], "http://127.0.0.1:9");
    assert!(list["issuers"][0].get("url").is_none(), "no address known: none listed");
    // Nothing listens there: a network error (1), and the wallet is unchanged.
    w.fails(&["sync", "--network", "centime:other"], 1, "127.0.0.1:9");
    w.fails(&["sync", "--issuer", "http://127.0.0.1:9"], 5, "--issuer needs --network");
    assert_eq!(w.json(&["issuer", "remove", "centime:other"]), json!({ "removed": "centime:other" }));
    w.fails(&["sync"], 5, "no trusted issuer has an address");

    // A command on a directory without a wallet.
    let o = centime().arg("--data-dir").arg(tmp.path().join("none")).arg("balance").output().unwrap();
    expect_code(&o, 5, "balance without a wallet");
    assert!(stderr(&o).contains("centime init"), "{}", stderr(&o));
}

#[test]
fn topup_every_form_and_balance() {
    let w = TestWallet::new();
    assert_eq!(w.json(&["balance"]), json!({ "balances": [] }));

    // A bare JWS.
    let t = w.topup("jws-1", 1_500_000);
    assert_eq!(keys(&t), set(&["creditId", "network", "asset", "amount", "balance"]));
    assert_eq!(
        t,
        json!({ "creditId": "jws-1", "network": NETWORK, "asset": "EUR", "amount": "1.50", "balance": "1.50" })
    );

    // A centime://topup link.
    let t = w.json(&["topup", &topup_link(&w.credit("link-1", 250_000))]);
    assert_eq!(t["creditId"], "link-1");
    assert_eq!(t["amount"], "0.25");
    assert_eq!(t["balance"], "1.75");

    // @FILE, with the surrounding whitespace a file usually has.
    let file = w.tmp.path().join("credit.jws");
    std::fs::write(&file, format!("{}\n", w.credit("file-1", 5_000))).unwrap();
    let t = w.json(&["topup", &format!("@{}", file.display())]);
    assert_eq!(t["creditId"], "file-1");
    assert_eq!(t["amount"], "0.005");
    assert_eq!(t["balance"], "1.755");

    // A link in a file, and text output.
    std::fs::write(&file, topup_link(&w.credit("file-2", 1_000_000))).unwrap();
    let o = w.run(&["topup", &format!("@{}", file.display())]);
    expect_code(&o, 0, "topup @FILE (link)");
    assert!(stdout(&o).contains("credited 1.00"), "{}", stdout(&o));
    assert!(stdout(&o).contains("balance 2.755 EUR"), "{}", stdout(&o));
    w.fails(&["topup", &format!("@{}", w.tmp.path().join("missing").display())], 5, "reading");

    let b = w.json(&["balance"]);
    assert_eq!(
        b,
        json!({ "balances": [{ "network": NETWORK, "asset": "EUR", "amount": "2.755", "held": "0.00", "heldUntil": null }] })
    );
    let o = w.run(&["balance"]);
    expect_code(&o, 0, "balance");
    assert_eq!(stdout(&o).trim(), "2.755 EUR  (centime:demo)");

    // Four credits, all posted, in the history.
    let h = w.history(&["--kind", "credit"]);
    assert_eq!(h.len(), 4);
    assert!(h.iter().all(|e| e["status"] == "posted" && e["kind"] == "credit"));
}

#[test]
fn pay_every_form_approval_max_and_retry() {
    let w = TestWallet::new();
    w.topup("c1", 3_000_000);
    let req = request(&format!("{NEWS}/a/1"), 200_000);

    // Without --yes and without a terminal: exit 3, the reason on stderr, nothing debited.
    let err = w.fails(&["pay", &header(&req)], 3, "needs your approval");
    assert!(err.contains("you have no rule for this site yet"), "{err}");
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(w.eur(), "3.00");

    // The header value.
    let p = w.json(&["pay", &header(&req), "--yes"]);
    for k in ["paymentId", "header", "network", "asset", "amount", "payTo", "resource"] {
        assert!(p.get(k).is_some(), "pay --json lacks {k}: {p}");
    }
    assert_eq!(p["network"], NETWORK);
    assert_eq!(p["asset"], "EUR");
    assert_eq!(p["amount"], "0.20");
    assert_eq!(p["payTo"], PAY_TO);
    assert_eq!(p["resource"], format!("{NEWS}/a/1"));
    assert_eq!(p["reused"], false);
    assert_eq!(p["automatic"], false);
    let payload = PaymentPayload::from_header(s(&p["header"])).unwrap();
    assert_eq!(payload.resource.url, format!("{NEWS}/a/1"));
    assert_eq!(payload.extension_payment_id().unwrap().unwrap().as_str(), s(&p["paymentId"]));
    assert_eq!(w.eur(), "2.80");

    // Its JSON.
    let req2 = request(&format!("{NEWS}/a/2"), 100_000);
    let p = w.json(&["pay", &serde_json::to_string(&req2).unwrap(), "--yes"]);
    assert_eq!(p["resource"], format!("{NEWS}/a/2"));
    assert_eq!(w.eur(), "2.70");

    // A centime://pay link: paid once the site it names offers the same terms (the test
    // merchant asks 0.20 for its pages; on this computer, so a link reaches it only trusted).
    let base = merchant();
    let req3 = request(&format!("{base}/a/3"), 200_000);
    let p = w.json(&["pay", &pay_link(&req3), "--yes", "--trust-origin", &base]);
    assert_eq!(p["resource"], format!("{base}/a/3"));
    assert_eq!(p["amount"], "0.20");
    assert_eq!(w.eur(), "2.50");

    // @FILE, in text mode: the header on stdout, a summary on stderr.
    let req4 = request(&format!("{NEWS}/a/4"), 10_000);
    let file = w.tmp.path().join("request.txt");
    std::fs::write(&file, format!("{}\n", header(&req4))).unwrap();
    let o = w.run(&["pay", &format!("@{}", file.display()), "--yes"]);
    expect_code(&o, 0, "pay @FILE");
    let printed = stdout(&o);
    let payload = PaymentPayload::from_header(printed.trim()).unwrap();
    assert_eq!(payload.resource.url, format!("{NEWS}/a/4"));
    assert!(stderr(&o).contains("paid 0.01"), "{}", stderr(&o));
    assert_eq!(w.eur(), "2.49");

    // --max: a price above it is refused (exit 3) even with --yes.
    let req5 = request(&format!("{NEWS}/a/5"), 300_000);
    w.fails(&["pay", &header(&req5), "--yes", "--max", "0.25"], 3, "over your --max of 0.25");
    w.fails(&["pay", &header(&req5), "--max", "0.25"], 3, "over your --max of 0.25");
    let p = w.json(&["pay", &header(&req5), "--yes", "--max", "0.30"]);
    assert_eq!(p["amount"], "0.30");
    assert_eq!(w.eur(), "2.19");

    // --payment-id: a retry returns the same header and never debits twice.
    let id = "pay_cli_retry_0000000001";
    let req6 = request(&format!("{NEWS}/a/6"), 400_000);
    let first = w.json(&["pay", &header(&req6), "--yes", "--payment-id", id]);
    assert_eq!(first["paymentId"], id);
    assert_eq!(first["reused"], false);
    assert_eq!(w.eur(), "1.79");
    let again = w.json(&["pay", &header(&req6), "--yes", "--payment-id", id]);
    assert_eq!(again["header"], first["header"]);
    assert_eq!(again["paymentId"], id);
    assert_eq!(again["reused"], true);
    // Without --yes too: the payment was approved the first time.
    let third = w.json(&["pay", &header(&req6), "--payment-id", id]);
    assert_eq!(third["header"], first["header"]);
    assert_eq!(w.eur(), "1.79");
    let debits: Vec<Value> = w.history(&["--kind", "payment"]).into_iter().filter(|e| e["paymentId"] == id).collect();
    assert_eq!(debits.len(), 1, "{debits:?}");
    assert_eq!(debits[0]["amount"], "-0.40");
    // The same id for another request is refused.
    w.fails(&["pay", &header(&req5), "--yes", "--payment-id", id], 5, "was already used for another request");
    w.fails(&["pay", &header(&req6), "--yes", "--payment-id", "short"], 5, "is not a payment id");
    assert_eq!(w.eur(), "1.79");

    // Six payments, one debit each; the ledger verifies.
    assert_eq!(w.history(&["--kind", "payment"]).len(), 6);
    assert_eq!(w.json(&["verify"])["ok"], true);
}

#[test]
fn history_filters_pages_and_csv() {
    let w = TestWallet::new();
    w.topup("h1", 2_000_000);
    w.topup("h2", 1_000_000);
    let mut news = request(&format!("{NEWS}/politics/1"), 100_000);
    news.resource.description = Some("Election night".into());
    w.json(&["pay", &header(&news), "--yes"]);
    let mut blog = request(&format!("{BLOG}/posts/rust"), 250_000);
    blog.resource.description = Some("Rust tips".into());
    w.json(&["pay", &header(&blog), "--yes"]);
    let mut news2 = request(&format!("{NEWS}/sport/2"), 5_000);
    news2.resource.description = Some("Match report".into());
    w.json(&["pay", &header(&news2), "--yes"]);

    let v = w.json(&["history"]);
    assert_eq!(keys(&v), set(&["entries", "next", "total"]));
    assert!(v["next"].is_null());
    assert_eq!(v["total"], 5);
    let all = v["entries"].as_array().unwrap().clone();
    assert_eq!(all.len(), 5);
    let entry_keys = set(&[
        "id",
        "at",
        "kind",
        "status",
        "amount",
        "asset",
        "network",
        "site",
        "resource",
        "description",
        "paymentId",
        "settledWithoutReceipt",
    ]);
    for e in &all {
        assert_eq!(keys(e), entry_keys, "{e}");
        // RFC 3339, UTC.
        let at = s(&e["at"]);
        assert!(at.len() >= 20 && at.ends_with('Z') && at.as_bytes()[10] == b'T', "{at}");
    }
    // Newest first; payments negative, credits positive.
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [5, 4, 3, 2, 1]);
    let amounts: Vec<&str> = all.iter().map(|e| s(&e["amount"])).collect();
    assert_eq!(amounts, ["-0.005", "-0.25", "-0.10", "1.00", "2.00"]);
    assert_eq!(all[0]["kind"], "payment");
    assert_eq!(all[0]["status"], "pending");
    assert_eq!(all[0]["site"], NEWS);
    assert_eq!(all[0]["resource"], format!("{NEWS}/sport/2"));
    assert_eq!(all[0]["description"], "Match report");
    assert_eq!(all[0]["network"], NETWORK);
    assert_eq!(all[0]["asset"], "EUR");
    assert!(s(&all[0]["paymentId"]).starts_with("pay_"));
    assert_eq!(all[4]["kind"], "credit");
    assert_eq!(all[4]["status"], "posted");
    assert!(all[4]["site"].is_null() && all[4]["paymentId"].is_null());

    let ids_of = |extra: &[&str]| -> Vec<i64> { w.history(extra).iter().map(|e| e["id"].as_i64().unwrap()).collect() };
    assert_eq!(ids_of(&["--site", NEWS]), [5, 3]);
    assert_eq!(ids_of(&["--site", &format!("{BLOG}/any/page?x=1")]), [4]);
    assert_eq!(ids_of(&["--kind", "payment"]), [5, 4, 3]);
    assert_eq!(ids_of(&["--kind", "credit"]), [2, 1]);
    assert_eq!(ids_of(&["--status", "pending"]), [5, 4, 3]);
    assert_eq!(ids_of(&["--status", "posted"]), [2, 1]);
    assert_eq!(ids_of(&["--status", "settled"]), Vec::<i64>::new());
    assert_eq!(ids_of(&["--search", "election"]), [3]);
    assert_eq!(ids_of(&["--search", "sport"]), [5]);
    assert_eq!(ids_of(&["--search", "blog.example"]), [4]);
    assert_eq!(ids_of(&["--search", "100%"]), Vec::<i64>::new());
    assert_eq!(ids_of(&["--since", "2000-01-01"]), [5, 4, 3, 2, 1]);
    assert_eq!(ids_of(&["--until", "2000-01-01"]), Vec::<i64>::new());
    assert_eq!(ids_of(&["--since", "2999-01-01T00:00:00Z"]), Vec::<i64>::new());
    assert_eq!(ids_of(&["--since", "2000-01-01", "--until", "2999-12-31T23:59:59+02:00"]), [5, 4, 3, 2, 1]);
    assert_eq!(ids_of(&["--site", NEWS, "--search", "match", "--kind", "payment"]), [5]);

    // Keyset pages of two: 5 4 | 3 2 | 1.
    let p1 = w.json(&["history", "--limit", "2"]);
    let page = |v: &Value| -> Vec<i64> {
        v["entries"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect()
    };
    assert_eq!(page(&p1), [5, 4]);
    let c1 = s(&p1["next"]).to_owned();
    let p2 = w.json(&["history", "--limit", "2", "--cursor", &c1]);
    assert_eq!(page(&p2), [3, 2]);
    let c2 = s(&p2["next"]).to_owned();
    let p3 = w.json(&["history", "--limit", "2", "--cursor", &c2]);
    assert_eq!(page(&p3), [1]);
    assert!(p3["next"].is_null());
    // Pages combine with filters.
    let f1 = w.json(&["history", "--kind", "payment", "--limit", "1"]);
    assert_eq!(page(&f1), [5]);
    let f2 = w.json(&["history", "--kind", "payment", "--limit", "1", "--cursor", s(&f1["next"])]);
    assert_eq!(page(&f2), [4]);
    w.fails(&["history", "--cursor", "abc"], 5, "is not a history cursor");
    w.fails(&["history", "--since", "yesterday"], 5, "is not a date");
    w.fails(&["history", "--kind", "gift"], 5, "gift");
    w.fails(&["history", "--status", "lost"], 5, "unknown status");
    w.fails(&["history", "--csv", "--json"], 2, "cannot be used with");

    // --csv: a header and one line per entry, filters applied.
    let o = w.run(&["history", "--csv"]);
    expect_code(&o, 0, "history --csv");
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "id,at,kind,status,amount,asset,network,site,resource,description,payment_id");
    assert_eq!(lines.len(), 6);
    assert!(lines[1].starts_with("5,") && lines[1].contains(",payment,pending,-0.005,EUR,centime:demo,"));
    assert!(lines[1].contains("Match report"));
    let o = w.run(&["history", "--csv", "--kind", "credit"]);
    assert_eq!(stdout(&o).lines().count(), 3);
    // Text output.
    let o = w.run(&["history", "--limit", "1"]);
    expect_code(&o, 0, "history");
    // The cursor is opaque (the time and id of the last entry shown).
    let text = stdout(&o);
    assert!(
        text.contains("Match report") && text.contains("more: --cursor ") && text.trim_end().ends_with(".5"),
        "{text}"
    );
}

#[test]
fn sites_allow_block_and_limits() {
    let w = TestWallet::new();
    w.topup("s1", 5_000_000);
    assert_eq!(w.json(&["sites"]), json!({ "sites": [] }));

    let r = w.json(&["allow", NEWS, "--max-per-payment", "0.40", "--budget", "1.00", "--per", "week", "--auto"]);
    assert_eq!(
        r,
        json!({ "origin": NEWS, "blocked": false, "autoPay": true, "maxPerPayment": "0.40",
                "budget": "1.00", "period": "week" })
    );
    // A URL of the site names the site: its origin.
    let r = w.json(&["allow", &format!("{NEWS}/some/page?q=1"), "--ask"]);
    assert_eq!(r["origin"], NEWS);
    assert_eq!(r["autoPay"], false);
    assert_eq!(r["maxPerPayment"], "0.40");
    let r = w.json(&["allow", NEWS, "--auto", "--budget", "0.50", "--per", "day"]);
    assert_eq!(
        (r["autoPay"].clone(), r["budget"].clone(), r["period"].clone()),
        (json!(true), json!("0.50"), json!("day"))
    );
    let r = w.json(&["allow", "http://localhost:8080"]);
    assert_eq!(
        r,
        json!({ "origin": "http://localhost:8080", "blocked": false, "autoPay": false,
                          "maxPerPayment": null, "budget": null, "period": null })
    );

    let list = w.json(&["sites"]);
    let sites = list["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 2);
    assert_eq!(keys(&sites[0]), set(&["origin", "blocked", "autoPay", "maxPerPayment", "budget", "period"]));
    let o = w.run(&["sites"]);
    expect_code(&o, 0, "sites");
    assert!(
        stdout(&o).contains("https://news.example  auto-pay  max 0.40 per payment  budget 0.50 per day"),
        "{}",
        stdout(&o)
    );

    // Auto-pay within the rules: no --yes needed.
    let p = w.json(&["pay", &header(&request(&format!("{NEWS}/1"), 200_000))]);
    assert_eq!(p["automatic"], true);
    // Over the site's per-payment maximum: refused even with --yes.
    w.fails(&["pay", &header(&request(&format!("{NEWS}/2"), 450_000)), "--yes"], 3, "over this site's limit of 0.40");
    // Over the remaining budget (0.30 left of 0.50 per day): refused.
    w.fails(&["pay", &header(&request(&format!("{NEWS}/3"), 350_000)), "--yes"], 3, "budget is 0.50 EUR per day");
    assert_eq!(w.eur(), "4.80");

    // block / unblock
    let r = w.json(&["block", NEWS]);
    assert_eq!(r["blocked"], true);
    assert_eq!(r["autoPay"], true);
    let err = w.fails(&["pay", &header(&request(&format!("{NEWS}/4"), 10_000)), "--yes"], 3, "is blocked");
    assert!(err.contains("refused by your rules"), "{err}");
    let o = w.run(&["sites"]);
    assert!(stdout(&o).contains("https://news.example  blocked"), "{}", stdout(&o));
    let r = w.json(&["unblock", NEWS]);
    assert_eq!(r["blocked"], false);
    let p = w.json(&["pay", &header(&request(&format!("{NEWS}/4"), 10_000))]);
    assert_eq!(p["automatic"], true);
    // Blocking a site with no rule yet creates one; `allow` lifts a block.
    assert_eq!(w.json(&["block", BLOG])["blocked"], true);
    w.fails(&["pay", &header(&request(&format!("{BLOG}/x"), 10_000)), "--yes"], 3, "https://blog.example is blocked");
    assert_eq!(w.json(&["allow", BLOG])["blocked"], false);
    w.json(&["pay", &header(&request(&format!("{BLOG}/x"), 10_000)), "--yes"]);

    // limits: show, then change.
    let l = w.json(&["limits"]);
    assert_eq!(l, json!({ "paused": false, "autoPayUnder": "0.50", "dailyCap": "20.00", "maxPerPayment": "5.00" }));
    let o = w.run(&["limits"]);
    assert!(stdout(&o).contains("daily cap        20.00"), "{}", stdout(&o));
    let l = w.json(&["limits", "--auto-pay-under", "0.05", "--daily-cap", "3", "--max-per-payment", "2,50"]);
    assert_eq!(l, json!({ "paused": false, "autoPayUnder": "0.05", "dailyCap": "3.00", "maxPerPayment": "2.50" }));
    assert_eq!(w.json(&["limits"]), l);
    // 0.10 is now over the auto-pay ceiling: asked, so refused without a terminal.
    w.fails(&["pay", &header(&request(&format!("{NEWS}/5"), 100_000))], 3, "over your auto-pay ceiling of 0.05");
    // 2.60 is over the new hard ceiling, whatever the approval.
    w.fails(&["pay", &header(&request(&format!("{BLOG}/big"), 2_600_000)), "--yes"], 3, "limit for a single payment");
    // The daily cap: 0.22 spent today, 2.80 more would pass 3.00.
    w.json(&["limits", "--max-per-payment", "5"]);
    w.fails(&["pay", &header(&request(&format!("{BLOG}/big"), 2_800_000)), "--yes"], 3, "over the daily cap of 3.00");
    assert_eq!(w.eur(), "4.78");
    assert_eq!(w.json(&["verify"])["ok"], true);
}

#[test]
fn pause_refuses_even_with_yes_until_resume() {
    let w = TestWallet::new();
    w.topup("p1", 1_000_000);
    w.json(&["allow", NEWS, "--auto"]);
    let l = w.json(&["pause"]);
    assert_eq!(l["paused"], true);
    assert_eq!(w.json(&["limits"])["paused"], true);
    let o = w.run(&["pause"]);
    expect_code(&o, 0, "pause (text)");
    assert!(stdout(&o).contains("PAUSED"), "{}", stdout(&o));
    let h = header(&request(&format!("{NEWS}/p"), 100_000));
    w.fails(&["pay", &h, "--yes"], 3, "payments are paused");
    w.fails(&["pay", &h], 3, "payments are paused");
    let o = w.cmd().args(["--json", "pay", &h, "--yes"]).output().unwrap();
    expect_code(&o, 3, "pay --json while paused");
    let e: Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(e["error"], "refused");
    assert_eq!(e["exit"], 3);
    assert!(s(&e["message"]).contains("paused"));
    assert_eq!(w.eur(), "1.00");
    assert_eq!(w.json(&["resume"])["paused"], false);
    let p = w.json(&["pay", &h]);
    assert_eq!(p["automatic"], true);
    assert_eq!(w.eur(), "0.90");
}

#[test]
fn export_csv_and_json() {
    let w = TestWallet::new();
    w.topup("e1", 1_000_000);
    for i in 0..3 {
        w.json(&["pay", &header(&request(&format!("{NEWS}/e/{i}"), 10_000)), "--yes"]);
    }
    w.json(&["pay", &header(&request(&format!("{BLOG}/e"), 10_000)), "--yes"]);

    let csv = w.tmp.path().join("out.csv");
    let v = w.json(&["export", "--format", "csv", "--out", csv.to_str().unwrap()]);
    assert_eq!(v, json!({ "rows": 5, "out": csv.display().to_string() }));
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0], "id,at,kind,status,amount,asset,network,site,resource,description,payment_id");
    // Oldest first.
    assert!(lines[1].starts_with("1,") && lines[1].contains(",credit,posted,1.00,EUR,"), "{}", lines[1]);
    assert!(lines[5].starts_with("5,") && lines[5].contains(",payment,pending,-0.01,EUR,"), "{}", lines[5]);

    let js = w.tmp.path().join("out.json");
    let v = w.json(&["export", "--format", "json", "--out", js.to_str().unwrap(), "--site", NEWS]);
    assert_eq!(v["rows"], 3);
    let rows: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&js).unwrap()).unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["site"] == NEWS && r["amount"] == "-0.01"));
    assert_eq!(rows[0]["id"], 2);

    // To stdout, and in text mode with --out.
    let o = w.run(&["export", "--format", "json", "--kind", "credit"]);
    expect_code(&o, 0, "export to stdout");
    let rows: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows.len(), 1);
    let o = w.run(&["export", "--format", "csv", "--out", csv.to_str().unwrap(), "--kind", "payment"]);
    expect_code(&o, 0, "export text");
    assert!(stdout(&o).contains("4 rows written to"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 5);
    w.fails(&["export", "--format", "xml"], 2, "invalid value");
}

/// The `sqlite3` command-line tool: required (installed by `make deps`), never skipped.
fn sqlite3(db: &std::path::Path, sql: &str) {
    let o = StdCommand::new("sqlite3").arg(db).arg(sql).output().unwrap_or_else(|e| {
        panic!("the sqlite3 command-line tool is needed for this test ({e}); install it with `make deps` (apt package sqlite3)")
    });
    assert!(o.status.success(), "sqlite3 {sql}: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn verify_detects_a_journal_row_edited_with_sqlite3() {
    let w = TestWallet::new();
    w.topup("v1", 1_000_000);
    w.json(&["pay", &header(&request(&format!("{NEWS}/v"), 100_000)), "--yes"]);
    w.json(&["allow", NEWS, "--auto"]);
    let v = w.json(&["verify"]);
    assert_eq!(keys(&v), set(&["ok", "report"]));
    assert_eq!(v["ok"], true);
    assert_eq!(v["report"], json!({ "journalRows": 2, "balances": 1, "payments": 1, "sites": 1, "transfers": 0 }));
    let o = w.run(&["verify"]);
    expect_code(&o, 0, "verify");
    assert!(stdout(&o).starts_with("ok: 2 journal rows chained"), "{}", stdout(&o));

    // The trigger is what stops an edit; without it, the MAC chain still catches one.
    let db = w.db();
    let o = StdCommand::new("sqlite3").arg(&db).arg("UPDATE journal SET amount = amount + 1 WHERE id = 1").output();
    if let Ok(o) = o {
        assert!(!o.status.success(), "the journal accepted an UPDATE");
        assert!(String::from_utf8_lossy(&o.stderr).contains("append-only"));
    }
    sqlite3(&db, "DROP TRIGGER journal_no_update; UPDATE journal SET amount = amount + 1 WHERE id = 1");
    let err = w.fails(&["verify"], 7, "journal row 1");
    assert!(err.contains("integrity check failed"), "{err}");
    let o = w.cmd().args(["--json", "verify"]).output().unwrap();
    expect_code(&o, 7, "verify --json");
    let e: Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(e["error"], "integrity");
    assert!(s(&e["message"]).contains("journal row 1"));
}

#[test]
fn verify_detects_an_edited_balance_and_site_rule() {
    let w = TestWallet::new();
    w.topup("v1", 1_000_000);
    w.json(&["allow", NEWS, "--auto"]);
    sqlite3(&w.db(), "UPDATE balances SET balance = balance + 1000000");
    w.fails(&["verify"], 7, "the EUR balance on centime:demo is 2.00 but its journal sums to 1.00");
    sqlite3(&w.db(), "UPDATE balances SET balance = balance - 1000000; UPDATE sites SET auto_pay = 0");
    w.fails(&["verify"], 7, "the rule for https://news.example was changed outside Centime");
}

#[test]
fn backup_and_restore_round_trip() {
    let w = TestWallet::new();
    w.topup("b1", 2_000_000);
    w.json(&["pay", &header(&request(&format!("{NEWS}/b"), 150_000)), "--yes"]);
    w.json(&["allow", NEWS, "--auto", "--max-per-payment", "0.30"]);
    w.json(&["limits", "--daily-cap", "7"]);
    let history = w.history(&[]);
    let backup = w.tmp.path().join("wallet.backup");

    // No passphrase and no terminal: refused, naming the variable to set; a weak one too.
    w.fails(&["backup", "--out", backup.to_str().unwrap()], 5, "set CENTIME_BACKUP_PASSPHRASE");
    let o = w.cmd().env("CENTIME_BACKUP_PASSPHRASE", "short").args(["backup", "--out"]).arg(&backup).output().unwrap();
    expect_code(&o, 5, "backup with a short passphrase");
    assert!(stderr(&o).contains("passphrase too short"), "{}", stderr(&o));
    assert!(!backup.exists());
    let o = w
        .cmd()
        .env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS)
        .args(["--json", "backup", "--out"])
        .arg(&backup)
        .output()
        .unwrap();
    expect_code(&o, 0, "backup");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v, json!({ "backup": backup.display().to_string(), "wallet": w.id }));
    let raw = std::fs::read_to_string(&backup).unwrap();
    assert!(!raw.contains("news.example"), "the backup is not encrypted");

    // Into a new data directory.
    let target = tempfile::tempdir().unwrap();
    let data2 = target.path().join("restored");
    let o = centime()
        .env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS)
        .arg("--data-dir")
        .arg(&data2)
        .args(["--json", "restore", "--from"])
        .arg(&backup)
        .output()
        .unwrap();
    expect_code(&o, 0, "restore");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v, json!({ "wallet": w.id, "restored": true }));
    let w2 = TestWallet { tmp: target, data: data2, id: w.id.clone() };
    assert_eq!(w2.json(&["id"]), json!({ "wallet": w.id }));
    assert_eq!(w2.balances(), w.balances());
    assert_eq!(w2.eur(), "1.85");
    assert_eq!(w2.history(&[]), history);
    assert_eq!(w2.json(&["sites"]), w.json(&["sites"]));
    assert_eq!(w2.json(&["limits"])["dailyCap"], "7.00");
    assert_eq!(w2.json(&["verify"])["ok"], true);
    // The restored wallet keeps working, apart from the original: it pays only once it has
    // synced with its issuer (exit 8 before; the sync itself is crates/issuer/tests/suite/
    // wallets.rs), and takes top-ups meanwhile.
    let e = w2.fails(&["--json", "pay", &header(&request(&format!("{NEWS}/after"), 100_000))], 8, "wait for a sync");
    assert!(e.contains("sync_required"), "{e}");
    w2.json(&["topup", &w.credit("b2", 100_000)]);
    assert_eq!(w2.eur(), "1.95");
    assert_eq!(w.eur(), "1.85");
    // A credit note redeemed before the backup stays redeemed.
    w2.fails(&["topup", &w.credit("b1", 2_000_000)], 5, "already redeemed");

    // A wrong passphrase: exit 5, and the target wallet is untouched.
    let snap = w2.snapshot();
    let before = files(&w2.data);
    let o = w2
        .cmd()
        .env("CENTIME_BACKUP_PASSPHRASE", "not the passphrase")
        .args(["restore", "--from"])
        .arg(&backup)
        .output()
        .unwrap();
    expect_code(&o, 5, "restore with a wrong passphrase");
    assert!(stderr(&o).contains("wrong passphrase"), "{}", stderr(&o));
    assert_eq!(files(&w2.data), before);
    assert_eq!(w2.snapshot(), snap);
    // Nor is a directory created for a wallet that does not exist.
    let nowhere = w2.tmp.path().join("nowhere");
    let o = centime()
        .env("CENTIME_BACKUP_PASSPHRASE", "not the passphrase")
        .arg("--data-dir")
        .arg(&nowhere)
        .args(["restore", "--from"])
        .arg(&backup)
        .output()
        .unwrap();
    expect_code(&o, 5, "restore with a wrong passphrase into a new dir");
    assert!(!nowhere.exists());
    // A damaged file: exit 5, untouched.
    let damaged = w2.tmp.path().join("damaged.backup");
    std::fs::write(&damaged, &raw[..raw.len() / 2]).unwrap();
    let o = w2
        .cmd()
        .env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS)
        .args(["restore", "--from"])
        .arg(&damaged)
        .output()
        .unwrap();
    expect_code(&o, 5, "restore a damaged file");
    assert!(stderr(&o).contains("is not a Centime backup"), "{}", stderr(&o));
    assert_eq!(files(&w2.data), before);
    assert_eq!(w2.eur(), "1.95");
}

#[test]
fn keystore_errors_never_create_a_new_identity() {
    let w = TestWallet::new();
    w.topup("k1", 1_000_000);

    // A wrong keystore passphrase: exit 6.
    let o = w.cmd().env("CENTIME_PASSPHRASE", "wrong horse battery staple").arg("balance").output().unwrap();
    expect_code(&o, 6, "wrong CENTIME_PASSPHRASE");
    assert!(stderr(&o).contains("wrong passphrase"), "{}", stderr(&o));
    // No passphrase and no terminal: exit 6, saying what to set.
    let o = w.cmd().env_remove("CENTIME_PASSPHRASE").arg("balance").output().unwrap();
    expect_code(&o, 6, "no CENTIME_PASSPHRASE");
    assert!(stderr(&o).contains("CENTIME_PASSPHRASE"), "{}", stderr(&o));
    // The OS keystore asked of a file-keystore wallet: exit 6 (without touching any keyring).
    let o = w.cmd().env("CENTIME_KEYSTORE", "os").arg("balance").output().unwrap();
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));

    // keys.centime missing: exit 6, and no new key file, no new identity.
    let key_file = w.data.join("keys.centime");
    let aside = w.tmp.path().join("keys.aside");
    std::fs::rename(&key_file, &aside).unwrap();
    let before = files(&w.data);
    for args in [&["id"][..], &["balance"], &["pay", &header(&request(&format!("{NEWS}/k"), 10_000)), "--yes"]] {
        let err = w.fails(args, 6, "missing from the file keystore");
        assert!(err.contains("centime restore"), "{err}");
    }
    // init refuses too: the wallet exists.
    w.fails(&["init"], 5, "already exists");
    assert!(!key_file.exists(), "a new key file was created");
    assert_eq!(files(&w.data), before);
    std::fs::rename(&aside, &key_file).unwrap();
    assert_eq!(w.json(&["id"]), json!({ "wallet": w.id }));
    assert_eq!(w.eur(), "1.00");
    assert_eq!(w.json(&["verify"])["ok"], true);

    // Another wallet's key file: exit 6.
    let other = TestWallet::new();
    std::fs::copy(other.data.join("keys.centime"), &key_file).unwrap();
    w.fails(&["balance"], 6, "another wallet");
}

#[test]
fn usage_errors_exit_2() {
    let w = TestWallet::new();
    for args in [
        &["frobnicate"][..],
        &["pay"],
        &["allow", NEWS, "--budget", "1"],
        &["allow", NEWS, "--per", "day"],
        &["allow", NEWS, "--auto", "--ask"],
        &["allow", NEWS, "--budget", "1", "--per", "year"],
        &["issuer"],
        &["export"],
    ] {
        let o = w.run(args);
        expect_code(&o, 2, &args.join(" "));
    }
    let o = w.run(&["--keystore", "cloud", "balance"]);
    expect_code(&o, 2, "--keystore cloud");
}

/// A tiny merchant on 127.0.0.1: `/free` is free; `/article` asks 0.20 and serves the page
/// with a signed receipt once paid; `/refuses` asks 0.30 and refuses every payment.
fn merchant() -> String {
    use std::io::{BufRead as _, BufReader, Write as _};

    use centime_protocol::documents::ReceiptClaims;
    use centime_protocol::{PaymentRequired, SettlementResponse};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let origin = base.clone();
    std::thread::spawn(move || {
        let key = centime_protocol::jws::RingSigner::from_seed(&[9; 32]).unwrap();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let mut signature = None;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap() == 0 || h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.trim().eq_ignore_ascii_case("payment-signature")
                {
                    signature = Some(v.trim().to_owned());
                }
            }
            let price = if path == "/refuses" { 300_000 } else { 200_000 };
            let url = format!("{origin}{path}");
            let (status, headers, body) = match (path.as_str(), signature) {
                ("/free", _) => ("200 OK", vec![], "free text".to_owned()),
                (_, None) => {
                    let h = header(&request(&url, price));
                    ("402 Payment Required", vec![("PAYMENT-REQUIRED", h)], "{}".to_owned())
                }
                ("/refuses", Some(_)) => {
                    let mut r: PaymentRequired = request(&url, price);
                    r.error = Some("invalid_signature".into());
                    ("402 Payment Required", vec![("PAYMENT-REQUIRED", header(&r))], "{}".to_owned())
                }
                (_, Some(sig)) => {
                    let p = PaymentPayload::from_header(&sig).unwrap();
                    let auth: centime_protocol::documents::AuthorizationClaims =
                        centime_protocol::documents::open(&p.payload.authorization).unwrap();
                    let receipt = centime_protocol::documents::sign(
                        &key,
                        &ReceiptClaims {
                            iss: key.public_key(),
                            resource_url: url.clone(),
                            payer: auth.from,
                            payment_id: auth.payment_id.clone(),
                            value: auth.value.clone(),
                            asset: auth.asset,
                            asset_scale: auth.asset_scale,
                            issued_at: now(),
                            transaction: "tx-1".into(),
                        },
                    )
                    .unwrap();
                    let s = SettlementResponse {
                        success: true,
                        error_reason: None,
                        transaction: "tx-1".into(),
                        network: NETWORK.into(),
                        payer: auth.from.to_string(),
                        amount: Some(auth.value),
                        receipt: Some(receipt),
                        other: Default::default(),
                    };
                    ("200 OK", vec![("PAYMENT-RESPONSE", s.to_header().unwrap())], "the article".to_owned())
                }
            };
            let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&body);
            let _ = stream.write_all(out.as_bytes());
        }
    });
    base
}

#[test]
fn fetch_pays_under_the_rules_and_records_the_answer() {
    let w = TestWallet::new();
    w.topup("f1", 1_000_000);
    let base = merchant();

    // Free: nothing paid.
    let o = w.cmd().args(["--json", "fetch", &format!("{base}/free")]).output().unwrap();
    expect_code(&o, 0, "fetch free");
    assert_eq!(stdout(&o), "free text");
    let summary: Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(summary["paid"], false);

    // A 402 with no rule for the site and no terminal: exit 3, nothing paid.
    w.fails(&["fetch", &format!("{base}/article")], 3, "needs your approval");
    assert_eq!(w.eur(), "1.00");

    // Paid with --yes: the page on stdout, the receipt checked, the payment settled.
    let out = w.tmp.path().join("page.txt");
    let o =
        w.cmd().args(["--json", "fetch", &format!("{base}/article"), "--yes", "--output"]).arg(&out).output().unwrap();
    expect_code(&o, 0, "fetch paid");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "the article");
    let summary: Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(summary["paid"], true);
    assert_eq!(summary["status"], "settled");
    assert_eq!(summary["amount"], "0.20");
    assert_eq!(summary["balance"], "0.80");
    let settled = w.history(&["--status", "settled"]);
    assert_eq!(settled.len(), 1);
    assert_eq!(settled[0]["resource"], format!("{base}/article"));

    // --max below the price: refused, exit 3.
    w.fails(&["fetch", &format!("{base}/article"), "--yes", "--max", "0.10"], 3, "over your --max of 0.10");

    // A merchant that refuses the payment: exit 5, the money credited back.
    let err = w.fails(&["fetch", &format!("{base}/refuses"), "--yes"], 5, "refused payment");
    assert!(err.contains("invalid_signature") && err.contains("credited back"), "{err}");
    assert_eq!(w.eur(), "0.80");
    assert_eq!(w.history(&["--status", "rejected"]).len(), 1);
    let refunds = w.history(&["--kind", "refund"]);
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount"], "0.30");

    // Bad URLs and unreachable servers.
    w.fails(&["fetch", "ftp://news.example/a"], 5, "is not an http(s) URL");
    w.fails(&["fetch", "not a url"], 5, "is not a URL");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    w.fails(&["fetch", &format!("http://{closed}/x"), "--timeout", "2"], 1, "could not connect");
    w.fails(&["fetch", &format!("{base}/free"), "--header", "PAYMENT-SIGNATURE: x"], 5, "set by centime");
    assert_eq!(w.json(&["verify"])["ok"], true);
}

#[test]
fn restore_over_another_wallet_keeps_it_recoverable() {
    let a = TestWallet::new();
    a.topup("a1", 1_250_000);
    let b = TestWallet::new();
    b.topup("b1", 400_000);
    let backup = b.tmp.path().join("b.backup");
    let o =
        b.cmd().env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS).args(["backup", "--out"]).arg(&backup).output().unwrap();
    expect_code(&o, 0, "backup b");

    // B's backup restored into A's directory: B is there now.
    let o = a
        .cmd()
        .env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS)
        .args(["restore", "--from"])
        .arg(&backup)
        .output()
        .unwrap();
    expect_code(&o, 0, "restore b over a");
    assert_eq!(a.json(&["id"])["wallet"], b.id.as_str());
    assert_eq!(a.eur(), "0.40");

    // A was moved aside, never deleted: its database and its keys, which still open it.
    let names: Vec<String> = files(&a.data).into_iter().map(|(n, _)| n).collect();
    let db = names.iter().find(|n| n.starts_with("wallet.before-restore-")).unwrap_or_else(|| panic!("{names:?}"));
    let keys = names.iter().find(|n| n.starts_with("keys.") && *n != "keys.centime");
    let keys = keys.unwrap_or_else(|| panic!("wallet A's keys were not kept: {names:?}"));
    let back = tempfile::tempdir().unwrap();
    std::fs::copy(a.data.join(db), back.path().join("wallet.sqlite3")).unwrap();
    std::fs::copy(a.data.join(keys), back.path().join("keys.centime")).unwrap();
    let recovered = TestWallet { data: back.path().to_owned(), tmp: back, id: a.id.clone() };
    assert_eq!(recovered.json(&["id"])["wallet"], a.id.as_str());
    assert_eq!(recovered.eur(), "1.25");
    assert_eq!(recovered.json(&["verify"])["ok"], true);
}

fn restore(w: &TestWallet, backup: &std::path::Path) -> std::process::Output {
    w.cmd().env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS).args(["restore", "--from"]).arg(backup).output().unwrap()
}

#[test]
fn two_restores_keep_both_earlier_wallets_under_the_keystores_own_passphrase() {
    let a = TestWallet::new();
    a.topup("a1", 1_250_000);
    let b = TestWallet::new();
    b.topup("b1", 400_000);
    let backup = b.tmp.path().join("b.backup");
    let o =
        b.cmd().env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS).args(["backup", "--out"]).arg(&backup).output().unwrap();
    expect_code(&o, 0, "backup b");

    // Another keystore passphrase than the one A's key file has: refused, nothing changed,
    // and A still works.
    let before = files(&a.data);
    let o = a
        .cmd()
        .env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS)
        .env("CENTIME_PASSPHRASE", "another keystore passphrase")
        .args(["restore", "--from"])
        .arg(&backup)
        .output()
        .unwrap();
    expect_code(&o, 6, "restore with another keystore passphrase");
    assert!(stderr(&o).contains("keystore's own passphrase"), "{}", stderr(&o));
    assert_eq!(files(&a.data), before);
    assert_eq!(a.eur(), "1.25");

    // B over A, B changes (a restored wallet pays only after a sync, exit 8: a top-up), then
    // B's backup over that: both wallets that were there are kept, with the keys that open
    // them, under the passphrase A's keystore always had.
    expect_code(&restore(&a, &backup), 0, "first restore");
    a.fails(&["pay", &header(&request(&format!("{NEWS}/between"), 100_000)), "--yes"], 8, "wait for a sync");
    a.json(&["topup", &b.credit("between", 100_000)]);
    assert_eq!(a.eur(), "0.50");
    let o = restore(&a, &backup);
    expect_code(&o, 0, "second restore");
    assert!(stdout(&o).contains("kept as"), "{}", stdout(&o));
    assert_eq!(a.eur(), "0.40");
    let names: Vec<String> = files(&a.data).into_iter().map(|(n, _)| n).collect();
    let mut dbs: Vec<&String> = names.iter().filter(|n| n.starts_with("wallet.before-restore-")).collect();
    let mut keys: Vec<&String> = names.iter().filter(|n| n.starts_with("keys.before-restore-")).collect();
    assert_eq!((dbs.len(), keys.len()), (2, 2), "{names:?}");
    dbs.sort();
    keys.sort();
    let mut found = Vec::new();
    for (db, key) in dbs.iter().zip(&keys) {
        let back = tempfile::tempdir().unwrap();
        std::fs::copy(a.data.join(db), back.path().join("wallet.sqlite3")).unwrap();
        std::fs::copy(a.data.join(key), back.path().join("keys.centime")).unwrap();
        let w = TestWallet { data: back.path().to_owned(), tmp: back, id: String::new() };
        assert_eq!(w.json(&["verify"])["ok"], true);
        found.push((w.json(&["id"])["wallet"].as_str().unwrap().to_owned(), w.eur()));
    }
    found.sort();
    let mut want = vec![(a.id.clone(), "1.25".to_owned()), (b.id.clone(), "0.50".to_owned())];
    want.sort();
    assert_eq!(found, want);
}

#[cfg(unix)]
#[test]
fn the_data_directory_and_every_file_written_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let w = TestWallet::new();
    w.topup("p1", 1_000_000);
    let out = w.tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let export = out.join("history.csv");
    w.json(&["export", "--format", "csv", "--out", export.to_str().unwrap()]);
    let backup = out.join("wallet.backup");
    let o =
        w.cmd().env("CENTIME_BACKUP_PASSPHRASE", BACKUP_PASS).args(["backup", "--out"]).arg(&backup).output().unwrap();
    expect_code(&o, 0, "backup");
    expect_code(&restore(&w, &backup), 0, "restore");
    assert_eq!(mode(&w.data), 0o700, "the data directory");
    for (name, _) in files(&w.data) {
        assert_eq!(mode(&w.data.join(&name)), 0o600, "{name}");
    }
    for p in [&export, &backup] {
        assert_eq!(mode(p), 0o600, "{}", p.display());
    }
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 2, "no temporary file left beside the export");
}

/// `n` copies of `centime --data-dir DATA --json <args>` started at once; their outputs.
fn concurrently(w: &TestWallet, n: usize, args: &[String]) -> Vec<std::process::Output> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            StdCommand::new(assert_cmd::cargo::cargo_bin("centime"))
                .env_remove("CENTIME_DATA_DIR")
                .env("CENTIME_KEYSTORE", "file")
                .env("CENTIME_PASSPHRASE", PASS)
                .arg("--data-dir")
                .arg(&w.data)
                .arg("--json")
                .args(args)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children.into_iter().map(|c| c.wait_with_output().unwrap()).collect()
}

#[test]
fn concurrent_processes_never_pay_twice_or_past_a_cap() {
    let w = TestWallet::new();
    w.topup("c1", 5_000_000);

    // Six processes, one payment id: one debit, six identical headers.
    let h = header(&request(&format!("{NEWS}/same"), 300_000));
    let args: Vec<String> =
        ["pay", &h, "--yes", "--payment-id", "pay_concurrent_000000001"].iter().map(|s| (*s).to_owned()).collect();
    let outs = concurrently(&w, 6, &args);
    let mut headers = BTreeSet::new();
    for o in &outs {
        expect_code(o, 0, "concurrent retry");
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        headers.insert(s(&v["header"]).to_owned());
    }
    assert_eq!(headers.len(), 1);
    assert_eq!(w.eur(), "4.70");
    assert_eq!(w.history(&["--kind", "payment"]).len(), 1);

    // A daily cap of 1.00 (0.30 spent): six payments of 0.30 at once, at most two pass.
    w.json(&["limits", "--daily-cap", "1"]);
    let outs =
        concurrently(&w, 6, &["pay".to_owned(), header(&request(&format!("{NEWS}/cap"), 300_000)), "--yes".to_owned()]);
    let paid = outs.iter().filter(|o| o.status.code() == Some(0)).count();
    for o in outs.iter().filter(|o| o.status.code() != Some(0)) {
        expect_code(o, 3, "over the cap");
        assert!(stderr(o).contains("daily cap"), "{}", stderr(o));
    }
    assert_eq!(paid, 2);
    assert_eq!(w.eur(), "4.10");
    assert_eq!(w.json(&["verify"])["ok"], true);
}

/// Micro-units of a decimal amount as the CLI prints it ("-0.05", "50.00").
fn micros_of(s: &str) -> i64 {
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let frac = format!("{frac:0<6}");
    let v = int.parse::<i64>().unwrap() * 1_000_000 + frac[..6].parse::<i64>().unwrap();
    if neg { -v } else { v }
}

#[test]
fn dev_seed_makes_a_wallet_that_verifies_and_history_agrees_with_export() {
    let w = TestWallet::new();
    let seeded = w.json(&["dev", "seed", "--entries", "3000", "--sites", "15", "--seed", "3", "--months", "2"]);
    assert_eq!(seeded["seeded"]["entries"], 3000);
    assert_eq!(w.json(&["verify"])["report"]["journalRows"], 3000);
    // Seeding again is refused without --force, and changes nothing.
    w.fails(&["dev", "seed", "--entries", "10"], 5, "--force");
    assert_eq!(w.json(&["verify"])["report"]["journalRows"], 3000);
    let help = stdout(&w.run(&["dev", "--help"]));
    assert!(help.contains("NOT for a wallet holding real money"), "{help}");

    let page = w.json(&["history", "--limit", "5"]);
    assert_eq!(page["total"], 3000);
    assert_eq!(page["entries"].as_array().unwrap().len(), 5);
    let site = page["entries"].as_array().unwrap().iter().find_map(|e| e["site"].as_str()).unwrap().to_owned();

    for filter in [vec![], vec!["--site", site.as_str()], vec!["--kind", "refund"], vec!["--search", "bread"]] {
        let all = w.json(&[&["history", "--all"][..], &filter].concat());
        let entries = all["entries"].as_array().unwrap();
        let total = all["total"].as_u64().unwrap();
        assert_eq!(entries.len() as u64, total, "{filter:?}");
        let sum: i64 = entries.iter().map(|e| micros_of(e["amount"].as_str().unwrap())).sum();
        let sums = all["sums"].as_array().unwrap();
        assert_eq!(sums.iter().map(|s| micros_of(s["amount"].as_str().unwrap())).sum::<i64>(), sum, "{filter:?}");
        if filter.is_empty() {
            assert_eq!(total, 3000);
        } else {
            assert!(total > 0 && total < 3000, "{filter:?}: {total}");
        }
        // The same filter exported: the same rows, the same sum.
        let out = w.tmp.path().join("export.csv");
        let exported = w.json(&[&["export", "--format", "csv", "--out", out.to_str().unwrap()][..], &filter].concat());
        assert_eq!(exported["rows"].as_u64(), Some(total), "{filter:?}");
        let csv = std::fs::read_to_string(&out).unwrap();
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        assert_eq!(rows.len() as u64, total, "{filter:?}");
        let csv_sum: i64 = rows.iter().map(|r| micros_of(r.split(',').nth(4).unwrap())).sum();
        assert_eq!(csv_sum, sum, "{filter:?}");
        let ids: std::collections::BTreeSet<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
        let csv_ids: std::collections::BTreeSet<i64> =
            rows.iter().map(|r| r.split(',').next().unwrap().parse().unwrap()).collect();
        assert_eq!(ids, csv_ids, "{filter:?}");
    }
    // No temporary export file is left behind.
    let left: Vec<_> = std::fs::read_dir(w.tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".centime-export-"))
        .collect();
    assert!(left.is_empty());
}

#[test]
fn verbose_logs_show_the_decision_and_never_a_secret() {
    let w = TestWallet::new();
    w.topup("c1", 1_000_000);
    let req = request(&format!("{NEWS}/logged/1"), 100_000);

    // Without -v or RUST_LOG, stderr carries no log lines.
    let quiet = w.cmd().env_remove("RUST_LOG").args(["pay", &header(&req), "--yes"]).output().unwrap();
    expect_code(&quiet, 0, "pay");
    assert!(!stderr(&quiet).contains("payment made"), "{}", stderr(&quiet));

    let req = request(&format!("{NEWS}/logged/2"), 100_000);
    let o = w.cmd().env_remove("RUST_LOG").args(["-vv", "--json", "pay", &header(&req), "--yes"]).output().unwrap();
    expect_code(&o, 0, "pay -vv");
    let logs = stderr(&o);
    let paid: Value = serde_json::from_slice(&o.stdout).unwrap();
    let made = logs.lines().find(|l| l.contains("payment made")).unwrap_or_else(|| panic!("{logs}"));
    assert!(made.contains(" INFO ") && made.contains("rule=no_rule") && made.contains("amount=0.10 EUR"), "{made}");
    assert!(made.contains(paid["paymentId"].as_str().unwrap()), "{made}");
    assert!(logs.contains("spending rules evaluated"), "-vv shows the steps: {logs}");
    let signature = paid["header"].as_str().unwrap();
    let authorization = PaymentPayload::from_header(signature).unwrap().payload.authorization;
    for secret in [PASS, signature, authorization.as_str(), authorization.rsplit('.').next().unwrap()] {
        assert!(!logs.contains(secret), "a secret was logged: {secret}\n{logs}");
    }
}

#[test]
fn record_hands_back_a_merchants_answer_checked() {
    use centime_protocol::documents::ReceiptClaims;
    use centime_protocol::{Asset, SettlementResponse};

    let w = TestWallet::new();
    w.topup("c1", 1_000_000);
    let p = w.json(&["pay", &header(&request(&format!("{NEWS}/a/1"), 100_000)), "--yes"]);
    let id = s(&p["paymentId"]).to_owned();
    let pending = w.history(&[]).into_iter().find(|e| e["paymentId"] == id.as_str()).unwrap();
    assert_eq!(pending["status"], "pending");

    let merchant = stranger();
    let receipt_for = |payment_id: &str, micros: &str| {
        let claims = ReceiptClaims {
            iss: merchant.public_key(),
            resource_url: format!("{NEWS}/a/1"),
            payer: w.key(),
            payment_id: payment_id.parse().unwrap(),
            value: micros.into(),
            asset: Asset::EUR,
            asset_scale: 6,
            issued_at: now(),
            transaction: "tx-1".into(),
        };
        centime_protocol::documents::sign(&merchant, &claims).unwrap()
    };
    let answer = |receipt: Option<String>| SettlementResponse {
        success: true,
        error_reason: None,
        transaction: "tx-1".into(),
        network: NETWORK.into(),
        payer: w.key().to_string(),
        amount: Some("100000".into()),
        receipt,
        other: Default::default(),
    };

    // Bad input changes nothing and says why: not a response, a receipt for less, an unknown id.
    let before = w.snapshot();
    w.fails(&["record", &id, "not base64 at all"], 5, "not a PAYMENT-RESPONSE");
    let short = answer(Some(receipt_for(&id, "50000"))).to_header().unwrap();
    w.fails(&["record", &id, &short], 5, "does not describe this payment");
    let other = "pay_0000000000000000000000";
    w.fails(&["record", other, &answer(None).to_header().unwrap()], 5, "not found");
    assert_eq!(w.snapshot(), before);

    // The header value: settled, its receipt kept.
    let good = answer(Some(receipt_for(&id, "100000")));
    let r = w.json(&["record", &id, &good.to_header().unwrap()]);
    assert_eq!((r["status"].as_str(), r["receipt"].as_bool()), (Some("settled"), Some(true)));
    let settled = w.history(&[]).into_iter().find(|e| e["paymentId"] == id.as_str()).unwrap();
    assert_eq!(
        (settled["status"].as_str(), settled["settledWithoutReceipt"].as_bool()),
        (Some("settled"), Some(false))
    );
    assert_eq!(w.eur(), "0.90");

    // Its JSON, for a payment settled on the merchant's word: the history says so.
    let p2 = w.json(&["pay", &header(&request(&format!("{NEWS}/a/2"), 100_000)), "--yes"]);
    let id2 = s(&p2["paymentId"]).to_owned();
    let r = w.json(&["record", &id2, &serde_json::to_string(&answer(None)).unwrap()]);
    assert_eq!(r["receipt"], false);
    let e = w.history(&[]).into_iter().find(|e| e["paymentId"] == id2.as_str()).unwrap();
    assert_eq!(e["settledWithoutReceipt"], true);
    let text = stdout(&w.run(&["history"]));
    assert!(text.contains("no receipt: settled on the merchant's word"), "{text}");
}

/// One table gives every command's exit code for a client's error, with one documented row:
/// `resolve` keeps exiting 1 for a client error that is not the wallet's (a bad trusted
/// origin, 5 for every other command), as it always has.
#[test]
fn a_bad_trusted_origin_is_input_except_for_resolve() {
    let w = TestWallet::new();
    let bad = "https://news.example/a/page";
    let err = w.fails(&["--trust-origin", bad, "resolve"], 1, "is not an origin");
    assert!(err.contains(bad), "{err}");
    w.fails(&["--trust-origin", bad, "fetch", "https://news.example/a"], 5, "is not an origin");
    let o = w.cmd().args(["--json", "--trust-origin", bad, "resolve"]).output().unwrap();
    let e: Value = serde_json::from_slice(&o.stderr).unwrap_or_else(|_| panic!("{}", stderr(&o)));
    assert_eq!((e["error"].as_str(), e["exit"].as_i64()), (Some("error"), Some(1)), "{e}");
}
