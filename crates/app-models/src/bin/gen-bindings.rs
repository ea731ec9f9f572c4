//! Writes the TypeScript bindings to the path given (ui/src/lib/backend/bindings.ts), or with
//! `--list` prints every vocabulary's words, one `Enum word` a line (scripts/vocab-check.sh).
#![allow(clippy::print_stderr, clippy::print_stdout)]

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: gen-bindings PATH | gen-bindings --list");
        return std::process::ExitCode::from(2);
    };
    if path == "--list" {
        for (name, words) in centime_app_models::vocabularies() {
            for w in words {
                println!("{name} {w}");
            }
        }
        return std::process::ExitCode::SUCCESS;
    }
    match std::fs::write(&path, centime_app_models::typescript()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("writing {path}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
