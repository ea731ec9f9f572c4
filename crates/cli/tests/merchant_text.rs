//! Text a merchant writes never reaches the terminal as written: the
//! description, merchant name and refusal text of a 402 are cleaned when the wallet reads them,
//! and whatever the CLI prints of stored text (which a wallet written before that may hold
//! raw) is printed inert, in every output form of `centime history`.
// Helpers outside #[test] functions are test code too: a panic there is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod hostile;

use common::*;
use hostile::Merchant;
use serde_json::Value;

/// The security review's description: erase the line, move up, a new line with a fake price,
/// a right-to-left override that reverses the real one, zero-width characters.
const HOSTILE: &str = "Article\u{1b}[2K\u{1b}[1A\nPrice 0.01 EUR\u{202E}RUE 00.5\u{202C}\u{200B}\u{2066}\u{9b}2J";
/// What the wallet keeps of it.
const CLEANED: &str = "Article[2K[1A Price 0.01 EURRUE 00.52J";

/// A character that changes what a terminal shows besides itself; `\n` ends the CLI's own lines.
fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}')
        || matches!(c, '\u{061C}' | '\u{FEFF}' | '\u{00AD}')
}

fn assert_inert(what: &str, out: &str) {
    let bad: Vec<String> = out.chars().filter(|c| hidden(*c)).map(|c| format!("U+{:04X}", u32::from(c))).collect();
    assert!(bad.is_empty(), "{what} prints {bad:?}: {out:?}");
}

/// Every form of `centime history`, each checked for hidden characters; returns the text form.
fn history_everywhere(w: &TestWallet) -> String {
    let mut text = String::new();
    for args in [
        &["history"][..],
        &["history", "--all"],
        &["history", "--csv"],
        &["history", "--all", "--csv"],
        &["--json", "history"],
        &["--json", "history", "--all"],
    ] {
        let o = w.run(args);
        expect_code(&o, 0, &args.join(" "));
        let out = stdout(&o);
        assert_inert(&args.join(" "), &out);
        if args == ["history"] {
            text = out;
        }
    }
    text
}

#[test]
fn a_hostile_description_never_reaches_the_terminal() {
    let w = TestWallet::new();
    w.topup("t1", 1_000_000);
    let m = Merchant::start();
    let url = m.url("/hostile");
    let here = url.clone();
    m.route("/hostile", move |r| match &r.signature {
        None => {
            let mut req = request(&here, 100_000);
            req.resource.description = Some(HOSTILE.into());
            req.resource.mime_type = Some("text/html\u{1b}]0;pwned\u{7}".into());
            req.accepts[0].extra.insert("merchantName".into(), Value::from("News\u{202E}\u{200D}"));
            hostile::payment_required(&header(&req))
        }
        Some(sig) => hostile::served_with_receipt(&here, sig, &hostile::merchant_key(), |_| {}),
    });

    let o = w.run(&["fetch", &url, "--yes"]);
    expect_code(&o, 0, "fetch");
    assert_inert("fetch", &stderr(&o));
    let text = history_everywhere(&w);
    assert!(text.lines().next().unwrap().ends_with(CLEANED), "{text}");
    let stored = &w.history(&[])[0];
    assert_eq!(stored["description"], CLEANED);
    assert_eq!(w.json(&["verify"])["ok"], true);
}

#[test]
fn raw_text_kept_by_an_older_wallet_is_printed_inert() {
    let w = TestWallet::new();
    w.topup("t1", 1_000_000);
    let mut req = request(&format!("{NEWS}/older"), 100_000);
    req.resource.description = Some("An article".into());
    w.json(&["pay", &header(&req), "--yes"]);
    // A wallet from before the wallet cleaned what it reads holds the merchant's bytes as they
    // came: put them there (the journal is append-only, so its guard is lifted for the test).
    let db = rusqlite::Connection::open(w.db()).unwrap();
    db.execute_batch("DROP TRIGGER journal_no_update").unwrap();
    let n = db.execute("UPDATE journal SET title = ?1 WHERE kind = 'payment'", [HOSTILE]).unwrap();
    assert_eq!(n, 1);
    drop(db);
    let text = history_everywhere(&w);
    assert!(text.contains("Article[2K[1A Price 0.01 EURRUE 00.52J"), "{text}");
}

#[test]
fn a_look_alike_host_is_shown_in_its_ascii_form() {
    let w = TestWallet::new();
    w.topup("t1", 1_000_000);
    // Cyrillic 'а' (U+0430) in place of the Latin 'a' of paypal.com.
    let mut req = request("https://p\u{430}ypal.com/invoice", 100_000);
    req.resource.description = None;
    let o = w.run(&["pay", &header(&req), "--yes"]);
    expect_code(&o, 0, "pay");
    let err = stderr(&o);
    // The whole host, then the wallet's own words: nothing of the look-alike is left.
    assert!(err.contains("to https://xn--pypal-4ve.com, not verified by your issuer "), "{err}");
    assert!(!err.contains('\u{430}'), "{err}");
    let text = history_everywhere(&w);
    assert!(text.lines().next().unwrap().ends_with("  https://xn--pypal-4ve.com"), "{text}");
    assert_eq!(w.history(&[])[0]["site"], "https://xn--pypal-4ve.com");
}
