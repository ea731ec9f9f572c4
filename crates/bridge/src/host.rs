//! The native messaging host: the browser's end of the bridge. It connects to the app (starting
//! it when nothing listens), says who the browser named as its caller, and relays frames both
//! ways; it checks their sizes and nothing else.

use std::io::{Read, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::frame::{read_frame, write_frame, write_json};
use crate::messages::{Control, VERSION};
use crate::socket;

/// Names the app's binary (else `centime-app` beside the host, or on `PATH`).
pub const APP_ENV: &str = "CENTIME_APP";
/// How long the host waits for a started app to listen.
pub const START_WAIT: Duration = Duration::from_secs(15);

/// The app to start: `CENTIME_APP`, else `centime-app` beside `host_exe`, else on `PATH`.
pub fn app_binary(env: Option<std::ffi::OsString>, host_exe: Option<&Path>) -> PathBuf {
    if let Some(p) = env.filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(beside) = host_exe.and_then(Path::parent).map(|d| d.join("centime-app")).filter(|p| p.is_file()) {
        return beside;
    }
    PathBuf::from("centime-app")
}

/// Connects to the app on `path` and checks it runs as this user.
pub fn connect(path: &Path) -> Result<UnixStream> {
    let s = UnixStream::connect(path)?;
    socket::check_peer(&s)?;
    Ok(s)
}

/// Connects, starting `app --background` when nothing listens, and waits up to [`START_WAIT`].
pub fn connect_or_start(path: &Path, app: &Path) -> Result<UnixStream> {
    match connect(path) {
        Ok(s) => return Ok(s),
        // Someone else's listener is refused, never waited out.
        Err(e @ Error::ForeignPeer { .. }) => return Err(e),
        Err(_) => {}
    }
    // Its output must not reach the browser: the host's stdout is the native messaging pipe.
    Command::new(app)
        .arg("--background")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| Error::StartApp { app: app.display().to_string(), reason: e.to_string() })?;
    let start = Instant::now();
    loop {
        match connect(path) {
            Ok(s) => return Ok(s),
            Err(e @ Error::ForeignPeer { .. }) => return Err(e),
            Err(_) if start.elapsed() < START_WAIT => std::thread::sleep(Duration::from_millis(100)),
            Err(_) => {
                return Err(Error::AppDidNotStart { path: path.display().to_string(), secs: START_WAIT.as_secs() });
            }
        }
    }
}

/// Copies frames from `from` to `to` until `from` ends; a frame over the limit ends it too.
pub fn pump(from: &mut impl Read, to: &mut impl Write) -> Result<()> {
    while let Some(frame) = read_frame(from)? {
        write_frame(to, &frame)?;
    }
    Ok(())
}

/// Says hello for `caller`, then relays until either side closes.
pub fn run(
    stream: UnixStream,
    caller: &str,
    browser_in: impl Read + Send + 'static,
    browser_out: &mut impl Write,
) -> Result<()> {
    let mut to_app = stream.try_clone()?;
    write_json(&mut to_app, &Control::Hello { v: VERSION, caller: Some(caller.to_owned()), session: None })?;
    let (done, upstream) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut input = browser_in;
        let r = pump(&mut input, &mut to_app);
        // The browser is gone (or sent too much): the app sees the end and closes its side.
        let _ = to_app.shutdown(Shutdown::Write);
        let _ = done.send(r);
    });
    let mut from_app = stream;
    let down = pump(&mut from_app, browser_out);
    // The app closed: the host exits, whatever the browser still sends; the browser's side is
    // asked why only when it ended first (a frame over the limit is worth saying).
    if let Ok(r) = upstream.recv_timeout(Duration::from_millis(200)) {
        r?;
    }
    down
}
