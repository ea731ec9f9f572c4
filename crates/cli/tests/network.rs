//! Where `centime` connects, through the real binary: `fetch
//! --header` secrets never follow a redirect to another origin, a `centime://pay` link reaches
//! no local or private address unless its origin is trusted (`--trust-origin`,
//! `CENTIME_TRUSTED_ORIGINS`), and no merchant is paid over plain HTTP across the network
//! unless `--allow-http` says so. The merchants are servers on 127.0.0.1 (each port its own
//! origin); a merchant "across the network" is reached through an HTTP proxy in the test, as a
//! plain-HTTP request to a remote site would be.
// Helpers outside #[test] functions are test code too: a panic there is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod hostile;

use std::sync::{Arc, Mutex};

use common::*;
use hostile::{Merchant, Reply};

/// The headers of every request a route received.
type Log = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// `path` on `m` as a priced page that records each request's headers and serves the page,
/// with an honest receipt, to a payment.
fn priced_page(m: &Merchant, path: &str, log: &Log) -> String {
    let url = m.url(path);
    let (u, log) = (url.clone(), Arc::clone(log));
    m.route(path, move |req| {
        log.lock().unwrap().push(req.headers.clone());
        match &req.signature {
            None => hostile::payment_required(&header(&request(&u, 100_000))),
            Some(sig) => hostile::served_with_receipt(&u, sig, &hostile::merchant_key(), |_| {}),
        }
    });
    url
}

const SECRETS: [(&str, &str); 3] =
    [("authorization", "Bearer s3cret"), ("cookie", "session=abc"), ("x-api-key", "key-123")];

fn header_args() -> Vec<String> {
    SECRETS.iter().flat_map(|(k, v)| ["--header".to_owned(), format!("{k}: {v}")]).collect()
}

#[test]
fn fetch_headers_never_follow_a_redirect_to_another_origin() {
    let w = TestWallet::new();
    w.topup("c1", 1_000_000);
    let (a, b) = (Merchant::start(), Merchant::start());
    let (at_a, at_b): (Log, Log) = Default::default();
    let article = priced_page(&b, "/article", &at_b);
    let log = Arc::clone(&at_a);
    let start = a.route("/start", move |req| {
        log.lock().unwrap().push(req.headers.clone());
        Reply::Bytes(hostile::response("302 Found", &[("Location", article.as_bytes())], b""))
    });

    let mut args = vec!["--json".to_owned(), "fetch".to_owned(), start, "--yes".to_owned()];
    args.extend(header_args());
    let o = w.cmd().args(&args).output().unwrap();
    expect_code(&o, 0, "fetch through a redirect to another origin");
    assert_eq!(stdout(&o), "the article");
    assert_eq!(w.eur(), "0.90", "paid once at B");

    let at_a = at_a.lock().unwrap();
    assert_eq!(at_a.len(), 1);
    for (k, v) in SECRETS {
        assert!(at_a[0].contains(&(k.to_owned(), v.to_owned())), "{k} was given for A: {:?}", at_a[0]);
    }
    let at_b = at_b.lock().unwrap();
    assert_eq!(at_b.len(), 2, "B was asked for its price, then paid");
    for headers in at_b.iter() {
        for (k, _) in SECRETS {
            assert!(!headers.iter().any(|(name, _)| name == k), "{k} reached B: {headers:?}");
        }
    }
}

#[test]
fn fetch_headers_stay_on_a_same_origin_redirect() {
    let w = TestWallet::new();
    w.topup("c1", 1_000_000);
    let a = Merchant::start();
    let at_a: Log = Log::default();
    priced_page(&a, "/article", &at_a);
    let start = a.route("/start", |_| Reply::Bytes(hostile::response("302 Found", &[("Location", b"/article")], b"")));
    let mut args = vec!["fetch".to_owned(), start, "--yes".to_owned()];
    args.extend(header_args());
    let o = w.cmd().args(&args).output().unwrap();
    expect_code(&o, 0, "fetch through a same-origin redirect");
    let at_a = at_a.lock().unwrap();
    assert_eq!(at_a.len(), 2);
    for headers in at_a.iter() {
        for (k, v) in SECRETS {
            assert!(headers.contains(&(k.to_owned(), v.to_owned())), "{k} on A's own page: {headers:?}");
        }
    }
}

#[test]
fn a_link_to_a_local_site_is_refused_unless_its_origin_is_trusted() {
    let w = TestWallet::new();
    w.topup("c1", 1_000_000);
    let m = Merchant::start();
    let log = Log::default();
    let page = priced_page(&m, "/article", &log);
    let link = pay_link(&request(&page, 100_000));
    let before = w.snapshot();

    let err = w.fails(&["pay", &link, "--yes"], 5, "127.0.0.1 is a loopback address");
    assert!(err.contains("--trust-origin"), "the refusal says how to trust the site: {err}");
    let port = m.base.rsplit(':').next().unwrap();
    let by_name = pay_link(&request(&format!("http://localhost:{port}/article"), 100_000));
    w.fails(&["pay", &by_name, "--yes"], 5, "localhost names this computer");
    // Trust is per origin.
    w.fails(&["pay", &link, "--yes", "--trust-origin", "http://127.0.0.1:1"], 5, "loopback address");
    assert_eq!(m.connections(), 0, "a link made the wallet connect to a local site");
    assert_eq!(w.snapshot(), before, "nothing changed");

    let p = w.json(&["pay", &link, "--yes", "--trust-origin", &m.base]);
    assert_eq!(p["resource"], page);
    let page2 = priced_page(&m, "/article/2", &log);
    let link2 = pay_link(&request(&page2, 100_000));
    let o = w
        .cmd()
        .env("CENTIME_TRUSTED_ORIGINS", format!("https://demo.example,{}", m.base))
        .args(["pay", &link2, "--yes"])
        .output()
        .unwrap();
    expect_code(&o, 0, "pay a link of an origin trusted in CENTIME_TRUSTED_ORIGINS");
    assert_eq!(w.eur(), "0.80");
    w.fails(&["pay", &link2, "--trust-origin", "127.0.0.1"], 5, "is not an origin");
}

/// `fetch` with every plain-HTTP request going through `proxy`.
fn through_proxy(w: &TestWallet, proxy: &Merchant, args: &[&str]) -> std::process::Output {
    let mut c = w.cmd();
    for var in ["NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"] {
        c.env_remove(var);
    }
    c.env("HTTP_PROXY", &proxy.base).env("http_proxy", &proxy.base).args(args).output().unwrap()
}

#[test]
fn a_merchant_over_plain_http_across_the_network_is_refused_unless_allowed() {
    let w = TestWallet::new();
    w.topup("c1", 1_000_000);
    // The proxy stands for the network: it gets the request for the remote page and answers
    // as the merchant (the request line names the absolute URL).
    let proxy = Merchant::start();
    let log = Log::default();
    let remote = "http://news.example/article";
    let l = Arc::clone(&log);
    proxy.route(remote, move |req| {
        l.lock().unwrap().push(req.headers.clone());
        match &req.signature {
            None => hostile::payment_required(&header(&request(remote, 100_000))),
            Some(sig) => hostile::served_with_receipt(remote, sig, &hostile::merchant_key(), |_| {}),
        }
    });
    let before = w.snapshot();
    let o = through_proxy(&w, &proxy, &["fetch", remote, "--yes"]);
    expect_code(&o, 5, "fetch a plain-HTTP merchant");
    let err = stderr(&o);
    assert!(err.contains("plain HTTP") && err.contains("--allow-http"), "{err}");
    assert_eq!(log.lock().unwrap().len(), 1, "asked its price, never paid");
    assert_eq!(w.snapshot(), before, "nothing paid");

    let o = through_proxy(&w, &proxy, &["--json", "fetch", remote, "--yes", "--allow-http"]);
    expect_code(&o, 0, "fetch a plain-HTTP merchant with --allow-http");
    assert_eq!(stdout(&o), "the article");
    assert_eq!(w.eur(), "0.90");
}
