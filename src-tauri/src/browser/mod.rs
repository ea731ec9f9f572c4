//! The app's end of the browser path (docs/browser.md): a listener on the private socket, and
//! per connection the same-user check, the caller's allow-list, the session, pairing (confirmed
//! in the app's dialog) and the authenticated requests. Every rule is the wallet's: this module
//! only reads, checks and answers.

mod answers;
mod pairing;

use std::io::Write as _;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use centime_app_models::{PairingRequestDto, events};
use centime_bridge::frame::{read_frame, write_json};
use centime_bridge::messages::{Control, Envelope, Incoming};
use centime_bridge::session::{Refusal, Session};
use centime_bridge::{BridgeErrorCode, socket};
use tauri::{AppHandle, Emitter as _, Manager as _};

pub use pairing::Bridge;

use crate::state::AppState;

/// How long a pairing request waits for the user.
pub const PAIRING_WAIT: Duration = Duration::from_secs(120);

/// Starts listening, unless the bridge is off (no runtime directory) or another Centime of
/// this user already listens; either is logged, and the app works on without the browser.
pub fn start(app: &AppHandle, state: Arc<AppState>) {
    let path = match socket::socket_path() {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "browser bridge off");
            return;
        }
    };
    let listener = match socket::listen(&path) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, path = %path.display(), "browser bridge off");
            return;
        }
    };
    tracing::info!(path = %path.display(), "browser bridge listening");
    let app = app.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (app, state) = (app.clone(), Arc::clone(&state));
            std::thread::spawn(move || serve(&app, &state, stream));
        }
    });
}

type Writer = Arc<Mutex<UnixStream>>;

fn send(writer: &Writer, value: &impl serde::Serialize) -> bool {
    let mut w = writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    write_json(&mut *w, value).is_ok()
}

/// One connection, until it closes (or has been refused too often).
fn serve(app: &AppHandle, state: &Arc<AppState>, stream: UnixStream) {
    // Another user's program is not answered at all.
    if let Err(e) = socket::check_peer(&stream) {
        tracing::warn!(error = %e, "browser bridge: connection refused");
        return;
    }
    let Ok(write_half) = stream.try_clone() else { return };
    let writer: Writer = Arc::new(Mutex::new(write_half));
    let mut reader = stream;
    let Ok(Some(first)) = read_frame(&mut reader) else { return };
    let mut session = match Session::start(&first) {
        Ok((session, hello)) => {
            if !send(&writer, &hello) {
                return;
            }
            session
        }
        Err(refusal) => {
            send(&writer, &refusal.to_control());
            return;
        }
    };
    let mut touched = false;
    loop {
        let frame = match read_frame(&mut reader) {
            Ok(Some(f)) => f,
            Ok(None) => return,
            Err(e) => {
                send(&writer, &Control::error(BridgeErrorCode::BadRequest, e.to_string()));
                return;
            }
        };
        let refusal = match Incoming::parse(&frame) {
            Err(e) => Some(Refusal::new(BridgeErrorCode::BadRequest, e.to_string())),
            Ok(Incoming::Control(Control::Pair { nonce, label })) => {
                pair(app, state, &session, &writer, &nonce, &label)
            }
            Ok(Incoming::Control(_)) => {
                Some(Refusal::new(BridgeErrorCode::BadRequest, "not a message the extension sends"))
            }
            Ok(Incoming::Envelope(env)) => {
                let key = state.browser.key(&env.pairing_id);
                match session.open(&env, key.as_deref().map(Vec::as_slice)) {
                    Ok(request) => {
                        if !touched {
                            state.browser.touch(&env.pairing_id);
                            touched = true;
                        }
                        let (app, state, writer) = (app.clone(), Arc::clone(state), Arc::clone(&writer));
                        let sealer = SealFor {
                            pairing_id: env.pairing_id.clone(),
                            session: session.id().to_owned(),
                            seq: env.seq,
                        };
                        let key = key.unwrap_or_default();
                        // Each request on its own thread: a payment waiting on its prompt must
                        // not hold up the status the popup asks for meanwhile.
                        std::thread::spawn(move || {
                            let body = answers::answer(&app, &state, &request);
                            send(&writer, &sealer.seal(&key, body));
                        });
                        None
                    }
                    Err(r) => Some(r),
                }
            }
        };
        if let Some(r) = refusal {
            tracing::info!(code = %r.code, message = %r.message, "browser bridge: frame refused");
            if !send(&writer, &r.to_control()) || session.refused() {
                if let Ok(mut w) = writer.lock() {
                    let _ = w.flush();
                    let _ = w.shutdown(std::net::Shutdown::Both);
                }
                return;
            }
        }
    }
}

/// What an answer's MAC covers besides its body.
struct SealFor {
    pairing_id: String,
    session: String,
    seq: u64,
}

impl SealFor {
    fn seal(&self, key: &[u8], body: String) -> Envelope {
        let mac = centime_bridge::auth::mac(key, centime_bridge::auth::Direction::Res, &self.session, self.seq, &body);
        Envelope { pairing_id: self.pairing_id.clone(), seq: self.seq, body, mac }
    }
}

/// The extension asks to pair: the code at once, then the dialog's answer (Pair creates the
/// key), or a refusal when the user declines, closes it, or lets it expire.
fn pair(
    app: &AppHandle,
    state: &Arc<AppState>,
    session: &Session,
    writer: &Writer,
    nonce: &str,
    label: &str,
) -> Option<Refusal> {
    if let Err(e) = state.browser.can_pair() {
        return Some(Refusal::new(BridgeErrorCode::PairingUnavailable, format!("pairing needs the OS keyring: {e}")));
    }
    if state.browser.pairing_waiting() {
        send(
            writer,
            &Control::error(BridgeErrorCode::PairingDeclined, "another pairing is waiting for an answer in Centime"),
        );
        return None;
    }
    let (reply, code) = match session.pairing(nonce) {
        Ok(r) => r,
        Err(e) => return Some(Refusal::new(BridgeErrorCode::BadRequest, e.to_string())),
    };
    if !send(writer, &reply) {
        return None;
    }
    let id = match centime_protocol::PaymentId::random() {
        Ok(id) => id.to_string(),
        Err(e) => return Some(Refusal::new(BridgeErrorCode::PairingUnavailable, e.to_string())),
    };
    let label = pairing::clean_label(label);
    let expires_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .saturating_add(i64::try_from(PAIRING_WAIT.as_secs()).unwrap_or(0));
    let request = PairingRequestDto {
        id: id.clone(),
        caller: session.caller().to_owned(),
        label: label.clone(),
        code,
        expires_at,
    };
    let Some(answer) = state.browser.ask(request.clone()) else {
        send(
            writer,
            &Control::error(BridgeErrorCode::PairingDeclined, "another pairing is waiting for an answer in Centime"),
        );
        return None;
    };
    show_main(app);
    let _ = app.emit_to("main", events::PAIRING_REQUEST, request);
    let accepted = answer.recv_timeout(PAIRING_WAIT).unwrap_or(false);
    state.browser.end_pairing(&id);
    let _ = app.emit_to("main", events::PAIRING_ENDED, id);
    if !accepted {
        // Not counted as a bad frame: declining is the user's answer, not an attack.
        send(writer, &Control::error(BridgeErrorCode::PairingDeclined, "the pairing was declined in Centime"));
        return None;
    }
    match state.browser.create(session.caller(), &label) {
        Ok((pairing_id, key)) => {
            send(writer, &Control::Paired { pairing_id, key: centime_bridge::auth::b64(&key) });
            None
        }
        Err(e) => Some(Refusal::new(BridgeErrorCode::PairingUnavailable, e.message())),
    }
}

/// Shows the main window (started with `--background`, it may be hidden).
pub fn show_main(app: &AppHandle) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}
