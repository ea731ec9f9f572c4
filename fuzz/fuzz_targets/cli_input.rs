//! What the `centime` command line takes from the user, through the CLI's own parsers
//! (crates/cli/src/input.rs): `pay REQUEST` (a PAYMENT-REQUIRED value, a 402 JSON body or a
//! `centime://pay` link), amounts (`--max`, limits), `--payment-id`, `fetch --header K:V`,
//! `topup CREDIT`, `history --since/--until`. Every refusal is invalid input (exit 5) with a
//! printable message.
#![no_main]

mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::cli_input::check(data));
