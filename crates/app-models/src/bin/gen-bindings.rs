//! Writes the TypeScript bindings to the path given (ui/src/lib/backend/bindings.ts).
#![allow(clippy::print_stderr)]

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: gen-bindings PATH");
        return std::process::ExitCode::from(2);
    };
    match std::fs::write(&path, centime_app_models::typescript()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("writing {path}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
