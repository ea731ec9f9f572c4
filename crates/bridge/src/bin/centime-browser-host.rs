//! `centime-browser-host`: the native messaging host the browser starts for Centime's extension
//! (docs/browser.md). Its stdout is the browser's pipe: it never prints anything else there.

use anyhow::Context as _;
use centime_bridge::{caller, host, socket};

fn main() {
    if let Err(e) = run() {
        // stderr goes to the browser's log.
        #[allow(clippy::print_stderr)]
        {
            eprintln!("centime-browser-host: {e:#}");
        }
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let caller = caller::from_args(&args).context(
        "started without the browser's caller: the browser starts this host for Centime's extension (docs/browser.md)",
    )?;
    let path = socket::socket_path()?;
    let exe = std::env::current_exe().ok();
    let app = host::app_binary(std::env::var_os(host::APP_ENV), exe.as_deref());
    let stream =
        host::connect_or_start(&path, &app).with_context(|| format!("reaching the app on {}", path.display()))?;
    host::run(stream, &caller, std::io::stdin(), &mut std::io::stdout().lock())?;
    Ok(())
}
