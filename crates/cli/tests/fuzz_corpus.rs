//! The committed fuzz corpus (fuzz/corpus/<target>/seed-* and kept-*) replayed on stable,
//! without libFuzzer, through the very checks the fuzz targets assert
//! (fuzz/fuzz_targets/checks/): every input a campaign kept stays a regression test.
//!
//! This crate is the one that reaches every parser the targets feed (protocol, core, client,
//! CLI), so the replay lives here.

// The checks are assertions: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../fuzz/fuzz_targets/checks/mod.rs"]
mod checks;

use std::path::PathBuf;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            // What is committed; a local campaign's own finds sit beside it.
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("seed-") || name.starts_with("kept-")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no committed corpus in {}", dir.display());
    for f in &files {
        let data = std::fs::read(f).unwrap();
        if let Err(e) = std::panic::catch_unwind(|| check(&data)) {
            let why = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()));
            panic!("{}: {}", f.display(), why.unwrap_or_default());
        }
    }
}

#[test]
fn amount() {
    replay("amount", checks::amount::check);
}

#[test]
fn cli_input() {
    replay("cli_input", checks::cli_input::check);
}

#[test]
fn client_answer() {
    replay("client_answer", checks::client_answer::check);
}

#[test]
fn credit_note() {
    replay("credit_note", checks::credit_note::check);
}

#[test]
fn deep_link() {
    replay("deep_link", checks::deep_link::check);
}

#[test]
fn p2p() {
    replay("p2p", checks::p2p::check);
}

#[test]
fn jws() {
    replay("jws", checks::jws::check);
}

#[test]
fn payment_required() {
    replay("payment_required", checks::payment_required::check);
}

#[test]
fn payment_signature() {
    replay("payment_signature", checks::payment_signature::check);
}
