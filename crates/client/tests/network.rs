//! Where the client's requests may go: secrets given for one origin
//! stay on it across redirects; a payment link reaches no loopback or private address unless
//! its origin is trusted; a payment is never sent over plain HTTP across the network. The sites
//! are small HTTP servers in the test, each on its own port of 127.0.0.1 (another port is
//! another origin), recording every connection and the headers of every request.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use centime_client::header::{HeaderMap, HeaderName, HeaderValue};
use centime_client::{Error, Probe};
use centime_core::PayOptions;
use centime_protocol::PaymentRequired;
use common::{client, network, offer, required, wallet};

/// One request a site received: its path and headers (names in lower case).
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    headers: HashMap<String, String>,
}

type Answer = Box<dyn Fn(&str) -> String + Send + Sync>;

/// A site on its own port that records what reaches it and answers each path with
/// `answer(path)`, a whole HTTP response.
struct Site {
    base: String,
    connections: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Site {
    fn start(answer: impl Fn(&str, &str) -> String + Send + Sync + 'static) -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (c, s, b) = (Arc::clone(&connections), Arc::clone(&seen), base.clone());
        let answer: Answer = Box::new(move |path| answer(&b, path));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                c.fetch_add(1, Ordering::SeqCst);
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    continue;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let mut headers = HashMap::new();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                    }
                }
                s.lock().unwrap().push(Seen { path: path.clone(), headers });
                let _ = stream.write_all(answer(&path).as_bytes());
            }
        });
        Site { base, connections, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn response(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut out = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    out
}

fn redirect(to: &str) -> String {
    response("302 Found", &[("location", to)], "")
}

fn page() -> String {
    response("200 OK", &[("content-type", "text/plain")], "the page")
}

/// The 402 of `url` at the test merchant's price.
fn priced(url: &str) -> String {
    response("402 Payment Required", &[("PAYMENT-REQUIRED", &ask(url).to_header().unwrap())], "{}")
}

fn ask(url: &str) -> PaymentRequired {
    required(url, vec![offer("merchant", 100_000, 60, &network())])
}

/// What `centime fetch --header` sends: a bearer token, a cookie and an API key.
fn secrets() -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in [("authorization", "Bearer s3cret"), ("cookie", "session=abc"), ("x-api-key", "key-123")] {
        h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
    }
    h
}

const SECRET_NAMES: [&str; 3] = ["authorization", "cookie", "x-api-key"];

// ---- point 6: secrets stay on their origin ----------------------------------------------------

#[test]
fn headers_given_for_one_origin_are_dropped_when_a_redirect_leaves_it() {
    let b = Site::start(|_, _| page());
    let to_b = b.url("/landing");
    let a = Site::start(move |_, _| redirect(&to_b));
    let got = client().probe(&a.url("/start").parse().unwrap(), &secrets()).unwrap();
    assert!(matches!(got, Probe::Free { .. }), "{got:?}");

    let at_a = a.seen();
    assert_eq!(at_a.len(), 1);
    for name in SECRET_NAMES {
        assert!(at_a[0].headers.contains_key(name), "{name} was given for A and goes to A");
    }
    let at_b = b.seen();
    assert_eq!(at_b.len(), 1, "the redirect was followed");
    for name in SECRET_NAMES {
        assert!(!at_b[0].headers.contains_key(name), "{name} reached B: {:?}", at_b[0].headers);
    }
}

#[test]
fn a_redirect_within_the_origin_keeps_the_headers() {
    let a = Site::start(|_, path| if path == "/start" { redirect("/next") } else { page() });
    client().probe(&a.url("/start").parse().unwrap(), &secrets()).unwrap();
    let seen = a.seen();
    assert_eq!(seen.iter().map(|s| s.path.as_str()).collect::<Vec<_>>(), ["/start", "/next"]);
    for name in SECRET_NAMES {
        assert_eq!(seen[1].headers.get(name), seen[0].headers.get(name), "{name} after a same-origin redirect");
        assert!(seen[1].headers.contains_key(name));
    }
}

#[test]
fn headers_scoped_to_their_origin() {
    let a: url::Url = "http://127.0.0.1:4000/start".parse().unwrap();
    let same: url::Url = "http://127.0.0.1:4000/elsewhere?x=1".parse().unwrap();
    assert_eq!(centime_client::scoped_headers(&a, &same, &secrets()).len(), 3);
    for other in ["http://127.0.0.1:4001/start", "https://127.0.0.1:4000/start", "http://localhost:4000/start"] {
        let other: url::Url = other.parse().unwrap();
        assert!(centime_client::scoped_headers(&a, &other, &secrets()).is_empty(), "{other}");
    }
}

// ---- point 7: no probing of the user's network ------------------------------------------------

#[test]
fn a_link_to_an_untrusted_loopback_site_is_refused_before_any_connection() {
    let site = Site::start(|base, path| priced(&format!("{base}{path}")));
    let err = client().prepare_pay_link(&ask(&site.url("/page")), None).unwrap_err();
    assert!(matches!(err, Error::PrivateAddress { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("127.0.0.1 is a loopback address"), "{text}");
    assert!(text.contains(&format!("unless you trust {}", site.base)), "{text}");
    assert_eq!(site.connections(), 0, "the wallet connected to a site a link named");
}

#[test]
fn a_link_naming_localhost_is_refused_before_any_connection() {
    let site = Site::start(|base, path| priced(&format!("{base}{path}")));
    let port = site.base.rsplit(':').next().unwrap().to_owned();
    let err = client().prepare_pay_link(&ask(&format!("http://localhost:{port}/page")), None).unwrap_err();
    assert!(matches!(err, Error::PrivateAddress { .. }), "{err:?}");
    assert!(err.to_string().contains("localhost names this computer"), "{err}");
    assert_eq!(site.connections(), 0);
}

#[test]
fn a_link_to_a_trusted_origin_may_be_local() {
    let site = Site::start(|base, path| priced(&format!("{base}{path}")));
    let c = client().trusting([site.base.as_str()]).unwrap();
    let req = c.prepare_pay_link(&ask(&site.url("/page")), None).unwrap();
    assert_eq!(req.url.as_str(), site.url("/page"));
    // Trust is per origin: another port of the same address is another site.
    let other = Site::start(|base, path| priced(&format!("{base}{path}")));
    assert!(matches!(c.prepare_pay_link(&ask(&other.url("/page")), None), Err(Error::PrivateAddress { .. })));
    assert_eq!(other.connections(), 0);
}

#[test]
fn a_trusted_site_redirecting_a_link_to_an_untrusted_local_one_is_refused_at_the_redirect() {
    let hidden = Site::start(|base, path| priced(&format!("{base}{path}")));
    let to = hidden.url("/admin");
    let trusted = Site::start(move |_, _| redirect(&to));
    let c = client().trusting([trusted.base.as_str()]).unwrap();
    let err = c.prepare_pay_link(&ask(&trusted.url("/page")), None).unwrap_err();
    assert!(matches!(err, Error::PrivateAddress { .. }), "{err:?}");
    assert_eq!(trusted.seen().len(), 1);
    assert_eq!(hidden.connections(), 0, "the redirect reached an untrusted local site");
}

#[test]
fn an_address_the_user_chose_may_be_local() {
    let site = Site::start(|base, path| priced(&format!("{base}{path}")));
    let got = client().probe(&site.url("/page").parse().unwrap(), &HeaderMap::new()).unwrap();
    assert!(matches!(got, Probe::Priced { .. }), "{got:?}");
    // And a payment for a page the user opened is delivered there.
    let mut s = wallet();
    let p = s.wallet.pay(&ask(&site.url("/page")), &PayOptions { approved: true, ..Default::default() }).unwrap();
    let _ = client().deliver(&mut s.wallet, &site.url("/page").parse().unwrap(), &HeaderMap::new(), &p);
    assert_eq!(site.seen().len(), 2, "the paid request went to the page the user opened");
}

#[test]
fn trusted_origins_must_be_origins() {
    for bad in ["127.0.0.1:8402", "ftp://127.0.0.1", "http://127.0.0.1:8402/issuer", "http://user@127.0.0.1", ""] {
        let err = client().trusting([bad]).unwrap_err();
        assert!(err.to_string().contains("is not an origin"), "{bad}: {err}");
    }
    client().trusting(["http://127.0.0.1:8402", "https://demo.example/"]).unwrap();
}

// ---- point 8: no silent plain HTTP -------------------------------------------------------------

#[test]
fn a_payment_is_never_sent_over_plain_http_across_the_network() {
    let mut s = wallet();
    let url = "http://news.example/article";
    let p = s.wallet.pay(&ask(url), &PayOptions { approved: true, ..Default::default() }).unwrap();
    let err = client().deliver(&mut s.wallet, &url.parse().unwrap(), &HeaderMap::new(), &p).unwrap_err();
    let Error::Unconfirmed { reason, .. } = &err else { panic!("{err:?}") };
    assert!(reason.contains("plain HTTP"), "{reason}");
}

#[test]
fn plain_http_is_fine_on_this_computer_and_when_allowed() {
    let site = Site::start(|base, path| priced(&format!("{base}{path}")));
    // Loopback: nothing crosses the network.
    assert!(matches!(client().probe(&site.url("/page").parse().unwrap(), &HeaderMap::new()), Ok(Probe::Priced { .. })));
    assert!(centime_client::reach::is_plain_http(&"http://news.example/a".parse().unwrap()));
    let c = client();
    assert!(!c.plain_http_allowed());
    c.allow_plain_http(true);
    assert!(c.clone().plain_http_allowed(), "the setting is shared by the client's clones");
}
