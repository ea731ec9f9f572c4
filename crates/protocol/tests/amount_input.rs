//! The one grammar of amounts people type (ADR 6): `tests/amounts/input_cases.json` lists
//! inputs with what [`Micros::parse_user`] makes of them, the normalized decimal or `null` for
//! refused. The app's `ui/src/lib/amount.ts` is tested against the same file, so the window
//! and the CLI accept exactly the same inputs. After changing the grammar, rewrite the
//! answers with `CENTIME_WRITE_AMOUNT_CASES=1 cargo test -p centime-protocol --test amount_input`
//! and read the diff.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use centime_protocol::Micros;
use serde_json::{Value, json};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/amounts/input_cases.json");

#[test]
fn the_amount_input_cases_are_what_the_protocol_parses() {
    let text = std::fs::read_to_string(CASES).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(cases.len() >= 40, "the table lost its cases");
    let answered: Vec<Value> = cases
        .iter()
        .map(|c| {
            let input = c["input"].as_str().expect("every case has an input");
            json!({ "input": input, "accepted": Micros::parse_user(input).ok().map(|m| m.to_string()) })
        })
        .collect();
    let accepted = answered.iter().filter(|c| c["accepted"].is_string()).count();
    assert!(accepted >= 10 && accepted + 10 <= answered.len(), "the table needs both accepted and refused inputs");
    let fresh = serde_json::to_string_pretty(&answered).unwrap() + "\n";
    if std::env::var_os("CENTIME_WRITE_AMOUNT_CASES").is_some() {
        std::fs::write(CASES, &fresh).unwrap();
    }
    assert!(
        text == fresh,
        "{CASES} does not say what Micros::parse_user answers: rewrite it with CENTIME_WRITE_AMOUNT_CASES=1 and check the diff"
    );
}
