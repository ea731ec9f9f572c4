//! What the user typed is quoted short in an error (found by fuzz/ cli_input: the whole input
//! came back, however long).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use centime_core::ErrorClass;
use centime_core::history::parse_time;

#[test]
fn a_bad_time_is_quoted_in_40_characters() {
    let e = parse_time(&format!("2026-11-24{}", "x".repeat(10_000))).unwrap_err();
    assert_eq!(e.class(), ErrorClass::InvalidInput);
    assert!(e.to_string().len() < 200, "{e}");
    assert!(e.to_string().contains("2026-11-24xxx"), "{e}");
}
