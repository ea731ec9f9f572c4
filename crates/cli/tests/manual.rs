//! `centime completions SHELL` and `centime-manpages DIR`, what the .deb installs: generated
//! from the clap definition, through the real binaries, touching no wallet.
// Helpers outside #[test] functions are test code too: a panic there is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;

#[test]
fn completions_for_bash_zsh_and_fish_name_the_subcommands_and_open_no_wallet() {
    let dir = tempfile::tempdir().unwrap();
    let wallet = dir.path().join("wallet");
    for (shell, marker) in [("bash", "_centime()"), ("zsh", "#compdef centime"), ("fish", "complete -c centime")] {
        let o = centime().env("CENTIME_DATA_DIR", &wallet).args(["completions", shell]).output().unwrap();
        expect_code(&o, 0, shell);
        let script = stdout(&o);
        assert!(script.contains(marker), "{shell}: no {marker:?} in\n{script}");
        for sub in ["pay", "fetch", "topup", "completions"] {
            assert!(script.contains(sub), "{shell}: {sub} is not completed");
        }
    }
    assert!(!wallet.exists(), "completions created a wallet directory");
    let o = centime().args(["completions", "tcsh"]).output().unwrap();
    expect_code(&o, 2, "an unknown shell");
    assert!(stderr(&o).contains("tcsh"), "{}", stderr(&o));
}

#[test]
fn man_pages_one_per_command_and_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let o = assert_cmd::Command::cargo_bin("centime-manpages").unwrap().arg(&out).output().unwrap();
    expect_code(&o, 0, "centime-manpages");
    let page = std::fs::read_to_string(out.join("centime.1")).unwrap();
    assert!(page.contains(".TH centime 1"), "not a man page:\n{page}");
    assert!(page.contains("Centime: a wallet for micropayments"), "{page}");
    assert!(page.contains("centime\\-pay(1)"), "centime.1 does not refer to centime-pay(1):\n{page}");
    for name in
        ["centime-pay.1", "centime-fetch.1", "centime-issuer.1", "centime-issuer-add.1", "centime-completions.1"]
    {
        assert!(out.join(name).is_file(), "no {name}");
    }
    let pay = std::fs::read_to_string(out.join("centime-pay.1")).unwrap();
    assert!(pay.contains("\\-\\-max"), "centime-pay.1 lacks --max:\n{pay}");
    assert!(!out.join("centime-help.1").exists(), "a page for `help`");
    let o = assert_cmd::Command::cargo_bin("centime-manpages").unwrap().output().unwrap();
    expect_code(&o, 1, "centime-manpages without DIR");
}
