//! A merchant that answers 500, or `expired`, forever: the background resolver backs off and
//! gives up after a day, so it is asked a bounded number of times. Time is
//! simulated (the wallet's clock and the rounds' `now`); the requests are real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use centime_client::backoff::{Backoff, GIVE_UP_AFTER_SECONDS};
use centime_core::{PayOptions, Status};
use centime_protocol::FixedClock;
use common::{client, network, offer, required, wallet};

/// Answers every request with `status` and `body`, counting them.
fn merchant(status: &'static str, headers: &'static str, body: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            seen.fetch_add(1, Ordering::SeqCst);
            let resp = format!(
                "HTTP/1.1 {status}\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(resp.as_bytes());
        }
    });
    (base, count)
}

/// Runs the resolver's rounds every 5 s of simulated time for two days; returns how many
/// requests reached the merchant and how many times the payment was reported given up.
fn two_days_against(base: &str, count: &AtomicUsize) -> (usize, usize) {
    let t0: i64 = 4_102_488_000;
    let clock = Arc::new(FixedClock::new(u64::try_from(t0).unwrap()));
    let mut setup = wallet();
    setup.wallet.set_clock(clock.clone());
    let url = format!("{base}/articles/1");
    let req = required(&url, vec![offer("shop", 10_000, 60, &network())]);
    let p = setup.wallet.pay(&req, &PayOptions { approved: true, ..Default::default() }).unwrap();
    setup.wallet.mark_unconfirmed(&p.payment_id, "the answer was lost").unwrap();
    let client = client().with_retry_pause(Duration::from_millis(1));
    let mut backoff = Backoff::new();
    let mut given_up = 0;
    let mut now = t0;
    while now < t0 + 2 * GIVE_UP_AFTER_SECONDS {
        clock.set(u64::try_from(now).unwrap());
        let unresolved = setup.wallet.unconfirmed_payments().unwrap();
        given_up += backoff.newly_given_up(&unresolved, now).len();
        client.resolve_due(&mut setup.wallet, &unresolved, &mut backoff, now).unwrap();
        now += 5;
    }
    // Still unconfirmed and still debited: giving up asks no more, it decides nothing.
    assert_eq!(setup.wallet.unconfirmed_payments().unwrap().len(), 1);
    assert_eq!(setup.wallet.payment(&p.payment_id).unwrap().amount, p.amount);
    let status = setup.wallet.unresolved_payments().unwrap();
    assert_eq!(status.len(), 1);
    let _ = Status::Unconfirmed;
    (count.load(Ordering::SeqCst), given_up)
}

/// Tries in a day with waits of 5 s doubling to an hour: 10 to reach the hour, then one an hour.
const MAX_TRIES: usize = 10 + 24;

#[test]
fn a_merchant_answering_500_forever_is_asked_a_bounded_number_of_times() {
    let (base, count) = merchant("500 Internal Server Error", "", "");
    let (requests, given_up) = two_days_against(&base, &count);
    // Each try is one delivery of at most three sends (a 500 is retried within it).
    assert!(requests <= 3 * MAX_TRIES, "{requests} requests to a merchant that always fails");
    assert!(requests >= 3 * 20, "only {requests} requests: the resolver gave up too soon");
    assert_eq!(given_up, 1, "the payment is reported given up once");
}

#[test]
fn a_merchant_answering_expired_forever_is_asked_a_bounded_number_of_times() {
    let (base, count) = merchant(
        "402 Payment Required",
        "content-type: application/json\r\n",
        r#"{"x402Version":2,"error":"expired","accepts":[]}"#,
    );
    let (requests, given_up) = two_days_against(&base, &count);
    assert!(requests <= MAX_TRIES, "{requests} requests to a merchant that always says expired");
    assert!(requests >= 20, "only {requests} requests: the resolver gave up too soon");
    assert_eq!(given_up, 1);
}
