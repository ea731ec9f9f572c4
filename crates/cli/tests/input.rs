//! centime_cli::input, the parsers of what users type, called directly (crates/cli/tests/cli.rs
//! and bad_inputs.rs go through the binary). Regressions found by fuzzing sit here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use centime_cli::{EXIT_INPUT, exit_code, input};

#[test]
fn a_file_argument_is_bounded_even_without_a_length() {
    // `@/dev/zero` has no length to check: it used to be read until memory ran out (an
    // unbounded read never returns, so this test would hang rather than pass).
    let e = input::payment_request("@/dev/zero").unwrap_err();
    assert_eq!(exit_code(&e), EXIT_INPUT);
    assert!(e.to_string().contains("larger than"), "{e:#}");
}

#[test]
fn a_file_argument_must_be_utf8_text() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("req");
    std::fs::write(&f, b"\xff\xfe").unwrap();
    let e = input::value_or_file(&format!("@{}", f.display())).unwrap_err();
    assert_eq!(exit_code(&e), EXIT_INPUT);
    assert!(e.to_string().contains("not UTF-8"), "{e:#}");
    std::fs::write(&f, b"  value\n").unwrap();
    assert_eq!(input::value_or_file(&format!("@{}", f.display())).unwrap(), "  value\n");
    let e = input::value_or_file("@/nonexistent/centime-request").unwrap_err();
    assert_eq!(exit_code(&e), EXIT_INPUT);
}

#[test]
fn headers_refuse_payment_signature_in_any_case() {
    for h in ["PAYMENT-SIGNATURE: x", "payment-signature:x", " Payment-Signature : x"] {
        let e = input::headers(&[h.to_owned()]).unwrap_err();
        assert_eq!(exit_code(&e), EXIT_INPUT, "{h}");
    }
    let map = input::headers(&["Accept: text/html".into(), "X-A: 1".into(), "X-A: 2".into()]).unwrap();
    assert_eq!(map.get_all("x-a").iter().count(), 2);
    for bad in ["no colon", ": empty name", "X-A: a\u{1b}b", "bad name: x"] {
        let e = input::headers(&[bad.to_owned()]).unwrap_err();
        assert_eq!(exit_code(&e), EXIT_INPUT, "{bad}");
        assert!(!format!("{e:#}").chars().any(char::is_control), "{e:#}");
    }
}

#[test]
fn a_bad_header_is_quoted_short() {
    for bad in ["X".repeat(10_000), format!("{}: v", "é".repeat(5_000)), format!("X-A: {}\u{7}", "v".repeat(10_000))] {
        let e = input::headers(&[bad]).unwrap_err();
        assert_eq!(exit_code(&e), EXIT_INPUT);
        assert!(format!("{e:#}").len() < 200, "{e:#}");
    }
}
