//! Unconfirmed payments (the merchant's answer was lost or unreadable, or a crash left the
//! payment pending until its authorization expired) are sent to their merchant again in the
//! background, with the same authorization, as `centime resolve` does (ADR 11): each one soon
//! after it is found, then after waits that double from 5 s to an hour, and no more once it is
//! a day old (`centime_client::backoff`): a merchant that fails forever is asked a bounded
//! number of times, and the user is told the payment stays unconfirmed. The dashboard's
//! "unconfirmed payments" card promises it.
//!
//! The wallet's lock is taken to list the payments and for each record, never while a
//! merchant answers: a slow site must not freeze the window.

use std::sync::Arc;
use std::time::Duration;

use centime_app_models::events;
use centime_client::Resolved;
use centime_client::backoff::Backoff;
use tauri::{AppHandle, Emitter as _};

use crate::state::{AppState, SharedWallet};
use crate::texts;

/// The first check, once the window and the wallet are up.
const FIRST: Duration = Duration::from_secs(5);
/// Then this often; each payment is only sent again when its back-off says so. Each check
/// with nothing unresolved is one SQLite query.
const EVERY: Duration = Duration::from_secs(5);

/// Starts the background checks for the life of the app.
pub fn start(app: &AppHandle, state: Arc<AppState>) {
    let handle = app.clone();
    let every = interval();
    let locale = state.locale();
    let spawned = std::thread::Builder::new().name("centime-resolver".into()).spawn(move || {
        let app = handle;
        std::thread::sleep(FIRST.min(every));
        let mut backoff = Backoff::new();
        loop {
            check(&app, &state, &mut backoff);
            std::thread::sleep(every);
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the background resolver could not start");
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
fn check(app: &AppHandle, state: &Arc<AppState>, backoff: &mut Backoff) {
    // A locked or absent wallet has nothing to check yet (logged at debug: it is the state
    // of every round before the user unlocks).
    // Pending payments are left to the delivery working on them until they expire
    // (Wallet::unconfirmed_payments, Wallet::resolve_stale_pending).
    let (unresolved, now) = match state.with_wallet(|w| {
        w.resolve_stale_pending()?;
        Ok((w.unconfirmed_payments()?, w.now()))
    }) {
        Ok(u) => u,
        Err(e) => {
            tracing::debug!(error = %e, "background resolve skipped: no open wallet to read");
            return;
        }
    };
    if !unresolved.is_empty() {
        tracing::debug!(count = unresolved.len(), "background resolve round");
    }
    for p in backoff.newly_given_up(&unresolved, now) {
        tracing::warn!(payment_id = %p.payment_id, site = %p.origin, "no more background tries: the payment stays unconfirmed");
        crate::notify(app, &texts::gave_up(state.locale(), &p.amount, p.origin.as_str()));
    }
    // The wallet was closed or restored meanwhile: the next round starts again.
    let resolved = match state.client.resolve_due(&mut SharedWallet(state), &unresolved, backoff, now) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "background resolve round stopped; the next round starts again");
            return;
        }
    };
    let mut changed = false;
    for r in resolved {
        let p = &r.payment;
        match r.outcome {
            Resolved::Settled => {
                changed = true;
                crate::notify(app, &texts::confirmed(state.locale(), &p.amount, p.origin.as_str()));
            }
            Resolved::Refused { code } => {
                changed = true;
                crate::notify(app, &texts::refused(state.locale(), &p.amount, p.origin.as_str(), &code));
            }
            Resolved::Unconfirmed(_) => {}
        }
    }
    if changed {
        if let Err(e) = app.emit(events::WALLET_CHANGED, ()) {
            tracing::warn!(error = %e, "could not tell the window the wallet changed");
        }
        crate::tray::refresh(app);
    }
}
