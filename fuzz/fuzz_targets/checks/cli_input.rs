//! What the `centime` command line takes from the user, through the CLI's own parsers
//! (crates/cli/src/input.rs): `pay REQUEST` (a PAYMENT-REQUIRED value, a 402 JSON body or a
//! `centime://pay` link), amounts (`--max`, limits), `--payment-id`, `fetch --header K:V`,
//! `topup CREDIT`, `history --since/--until`. Every refusal is invalid input (exit 5) with a
//! printable message.

use super::{assert_printable, check_payment_required};
use centime_cli::{EXIT_INPUT, exit_code, input};
use centime_core::ErrorClass;
use centime_protocol::documents::CREDIT_TYP;
use centime_protocol::jws::Compact;
use centime_protocol::wire::PAYMENT_SIGNATURE;

fn refused(e: &anyhow::Error) {
    assert_eq!(exit_code(e), EXIT_INPUT, "{e:#}");
    assert_printable(&format!("{e:#}"));
}

/// The checks of one input.
pub fn check(data: &[u8]) {
    let Ok(s) = std::str::from_utf8(data) else { return };
    // `@FILE` reads a file: the fuzzer names none.
    if !s.starts_with('@') {
        match input::payment_request(s) {
            Ok((required, return_url)) => {
                check_payment_required(&required);
                if let Some(r) = return_url {
                    assert!(s.trim().starts_with("centime:"), "only a link has a return address");
                    assert!(matches!(r.scheme(), "http" | "https"));
                    assert!(r.username().is_empty() && r.password().is_none());
                }
            }
            Err(e) => refused(&e),
        }
        match centime_core::credit_from_input(s) {
            Ok(jws) if s.trim().starts_with("centime:") => {
                Compact::parse(&jws, CREDIT_TYP).expect("a topup link carries a credit-note JWS");
            }
            Ok(jws) => assert_eq!(jws, s.trim()),
            Err(e) => {
                assert_eq!(e.class(), ErrorClass::InvalidInput);
                assert_printable(&e.to_string());
            }
        }
    }
    match input::amount(s, "--max") {
        Ok(m) => {
            assert!(!m.is_negative());
            assert_eq!(input::amount(&m.to_string(), "again").expect("display parses as typed"), m);
        }
        Err(e) => refused(&e),
    }
    match input::payment_id(Some(s)) {
        Ok(id) => assert_eq!(id.expect("given").as_str(), s),
        Err(e) => refused(&e),
    }
    let lines: Vec<String> = s.lines().map(str::to_owned).collect();
    match input::headers(&lines) {
        Ok(map) => {
            assert_eq!(map.len(), lines.len());
            assert!(!map.contains_key(PAYMENT_SIGNATURE), "the user set PAYMENT-SIGNATURE");
        }
        Err(e) => refused(&e),
    }
    match centime_core::history::parse_time(s) {
        Ok(_) => {}
        Err(e) => {
            assert_eq!(e.class(), ErrorClass::InvalidInput);
            assert_printable(&e.to_string());
        }
    }
}
