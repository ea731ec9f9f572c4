//! Printing results: JSON for scripts, short text for people; neither with a character that
//! a terminal would obey rather than show (`centime_cli::terminal`).

use centime_cli::terminal;
use serde_json::Value;

pub fn print(json: bool, value: Value, text: impl FnOnce() -> String) {
    if json {
        println!("{}", terminal::json(&value));
    } else {
        let t = text();
        if !t.is_empty() {
            println!("{}", terminal::message(&t));
        }
    }
}
