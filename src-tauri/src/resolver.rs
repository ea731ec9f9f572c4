//! Unconfirmed payments (the merchant's answer was lost or unreadable, or a crash left the
//! payment pending until its authorization expired) are sent to their merchant again in the
//! background, with the same authorization, as `centime resolve` does (ADR 11): shortly after
//! start, then every few minutes while the app runs. The dashboard's "unconfirmed payments"
//! card promises it.
//!
//! The wallet's lock is taken to list the payments and for each record, never while a
//! merchant answers: a slow site must not freeze the window.

use std::sync::Arc;
use std::time::Duration;

use centime_app_models::events;
use centime_client::Resolved;
use tauri::{AppHandle, Emitter as _};

use crate::state::{AppState, SharedWallet};
use crate::texts;

/// The first check, once the window and the wallet are up.
const FIRST: Duration = Duration::from_secs(5);
/// Then this often. Each check with nothing unresolved is one SQLite query.
const EVERY: Duration = Duration::from_secs(120);

/// Starts the background checks for the life of the app.
pub fn start(app: &AppHandle, state: Arc<AppState>) {
    let handle = app.clone();
    let every = interval();
    let locale = state.locale();
    let spawned = std::thread::Builder::new().name("centime-resolver".into()).spawn(move || {
        let app = handle;
        std::thread::sleep(FIRST.min(every));
        loop {
            check(&app, &state);
            std::thread::sleep(every);
        }
    });
    if let Err(e) = spawned {
        crate::notify(app, &texts::no_background_checks(locale, &e.to_string()));
    }
}

/// `CENTIME_RESOLVE_EVERY_SECS` shortens the interval for the end-to-end tests.
fn interval() -> Duration {
    std::env::var("CENTIME_RESOLVE_EVERY_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .map_or(EVERY, Duration::from_secs)
}

/// One round: every unresolved payment sent again; the user told of each one settled or
/// refused (still-unknown ones wait for the next round quietly).
fn check(app: &AppHandle, state: &Arc<AppState>) {
    // A locked or absent wallet has nothing to check yet.
    // Pending payments are left to the delivery working on them until they expire
    // (Wallet::unconfirmed_payments, Wallet::resolve_stale_pending).
    let Ok(unresolved) = state.with_wallet(|w| {
        w.resolve_stale_pending()?;
        Ok(w.unconfirmed_payments()?)
    }) else {
        return;
    };
    let mut changed = false;
    for p in unresolved {
        match state.client.resolve_payment(&mut SharedWallet(state), &p) {
            Ok(Resolved::Settled) => {
                changed = true;
                crate::notify(app, &texts::confirmed(state.locale(), &p.amount, &p.origin));
            }
            Ok(Resolved::Refused { code }) => {
                changed = true;
                crate::notify(app, &texts::refused(state.locale(), &p.amount, &p.origin, &code));
            }
            Ok(Resolved::Unconfirmed(_)) => {}
            // The wallet was closed or restored meanwhile: the next round starts again.
            Err(_) => break,
        }
    }
    if changed {
        let _ = app.emit(events::WALLET_CHANGED, ());
        crate::tray::refresh(app);
    }
}
