//! The wallet syncs with every trusted issuer it knows the address of, in the background (ADR
//! 22): soon after it is open, then every [`EVERY_SECONDS`], every [`WHILE_HELD_SECONDS`] while
//! the network is held (a restored wallet must not wait ten minutes to pay again), after a
//! failure after waits that double from [`FIRST_RETRY_SECONDS`] up to [`EVERY_SECONDS`], and at
//! once on "Sync now". A restore asks for a sync at once too.
//!
//! The wallet's lock is taken for the core's two calls (the signed request, the statement
//! applied), never while the issuer answers: a slow issuer must not freeze the window. A failure
//! is logged and kept for the dashboard, never more.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use centime_app_models::{AppErrorDto, IssuerSyncDto, SyncStatusDto, events};
use centime_core::{SyncResult, Wallet};
use centime_protocol::Network;
use tauri::{AppHandle, Emitter as _};

use crate::convert;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::texts;

/// Between two syncs of a network that pays.
pub const EVERY_SECONDS: i64 = 600;
/// Between two syncs of a network held until a sync lifts it (restored, behind; a revoked one
/// waits the usual [`EVERY_SECONDS`]).
pub const WHILE_HELD_SECONDS: i64 = 60;
/// The wait after a first failure; each further failure doubles it, up to [`EVERY_SECONDS`].
pub const FIRST_RETRY_SECONDS: i64 = 30;
/// How often the background thread looks for a network due: also how soon after the wallet is
/// unlocked the first sync starts. Each look is a few SQLite reads.
const TICK: Duration = Duration::from_secs(3);

/// When each network syncs next, and how its last attempt went. Times are the wallet's clock
/// (Unix seconds), which the tests set.
#[derive(Debug, Default)]
pub struct Schedule {
    tracks: HashMap<Network, Track>,
}

#[derive(Debug, Clone, Default)]
struct Track {
    /// Due from then; 0 = at once.
    next_at: i64,
    /// Failures in a row.
    failures: u32,
    syncing: bool,
    last_error: Option<(AppErrorDto, i64)>,
}

impl Schedule {
    /// Whether `network` should sync at `now`: never synced by this process, or its time has
    /// come, and no sync of it is running.
    pub fn due(&self, network: &Network, now: i64) -> bool {
        self.tracks.get(network).is_none_or(|t| !t.syncing && now >= t.next_at)
    }

    /// Marks a sync of `network` started; false when one is running already.
    pub fn start(&mut self, network: &Network) -> bool {
        let t = self.tracks.entry(network.clone()).or_default();
        if t.syncing {
            return false;
        }
        t.syncing = true;
        true
    }

    /// The sync at `now` worked; `held`: the network is still held after it.
    pub fn succeeded(&mut self, network: &Network, now: i64, held: bool) {
        let t = self.tracks.entry(network.clone()).or_default();
        let wait = if held { WHILE_HELD_SECONDS } else { EVERY_SECONDS };
        *t = Track { next_at: now.saturating_add(wait), failures: 0, syncing: false, last_error: None };
    }

    /// The sync at `now` failed with `error`: the next waits twice as long as the last.
    pub fn failed(&mut self, network: &Network, now: i64, error: AppErrorDto) {
        let t = self.tracks.entry(network.clone()).or_default();
        t.failures = t.failures.saturating_add(1);
        t.next_at = now.saturating_add(retry_wait(t.failures));
        t.syncing = false;
        t.last_error = Some((error, now));
    }

    /// The sync did not run to an answer for a reason that is not the issuer's (the wallet
    /// was closed meanwhile): due again at the next look, nothing recorded.
    pub fn abandoned(&mut self, network: &Network) {
        if let Some(t) = self.tracks.get_mut(network) {
            t.syncing = false;
        }
    }

    /// Every network due at once ("Sync now", a restore).
    pub fn request_all(&mut self) {
        for t in self.tracks.values_mut() {
            t.next_at = 0;
        }
    }

    /// `network` due at once (its address just set): a new address deserves a fresh try, so
    /// the failures before it are forgotten too.
    pub fn request(&mut self, network: &Network) {
        if let Some(t) = self.tracks.get_mut(network) {
            t.next_at = 0;
            t.failures = 0;
        }
    }

    /// Forgets the networks no longer synced (an issuer removed).
    pub fn retain(&mut self, networks: &[Network]) {
        self.tracks.retain(|n, _| networks.contains(n));
    }

    /// When `network` syncs next: at `now` when this process has not synced it yet.
    pub fn next_at(&self, network: &Network, now: i64) -> i64 {
        self.tracks.get(network).map_or(now, |t| t.next_at.max(now))
    }

    pub fn syncing(&self, network: &Network) -> bool {
        self.tracks.get(network).is_some_and(|t| t.syncing)
    }

    pub fn last_error(&self, network: &Network) -> Option<(AppErrorDto, i64)> {
        self.tracks.get(network).and_then(|t| t.last_error.clone())
    }
}

/// The wait after `failures` failures in a row: 30 s, 60 s, 120 s, … at most [`EVERY_SECONDS`].
pub fn retry_wait(failures: u32) -> i64 {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_RETRY_SECONDS.saturating_mul(1_i64 << doublings).min(EVERY_SECONDS)
}

/// Starts the background syncs for the life of the app.
pub fn start(app: &AppHandle, state: Arc<AppState>) {
    let handle = app.clone();
    let locale = state.locale();
    let spawned = std::thread::Builder::new().name("centime-sync".into()).spawn(move || {
        loop {
            std::thread::sleep(TICK);
            round(&handle, &state, false);
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "the background sync could not start");
        crate::notify(app, &texts::no_background_checks(locale, &e.to_string()));
    }
}

/// "Sync now": every network at once (those syncing already are left to finish), then the
/// status, which carries each failure.
pub fn sync_now(app: &AppHandle, state: &AppState) -> AppResult<SyncStatusDto> {
    state.sync_schedule().request_all();
    round(app, state, true);
    status(state)
}

/// The networks the wallet syncs: trusted, with the issuer's address known.
fn syncable(w: &Wallet) -> AppResult<Vec<Network>> {
    let mut out = Vec::new();
    for i in w.issuers()? {
        if w.issuer_url(&i.network)?.is_some() {
            out.push(i.network);
        }
    }
    Ok(out)
}

/// One look: each network due (each one, with `all`) synced, the window told.
fn round(app: &AppHandle, state: &AppState, all: bool) {
    // A locked or absent wallet has nothing to sync yet: the state of every look before unlock.
    let Ok((now, networks)) = state.with_wallet(|w| Ok((w.now(), syncable(w)?))) else { return };
    let due: Vec<Network> = {
        let mut schedule = state.sync_schedule();
        schedule.retain(&networks);
        networks.into_iter().filter(|n| (all || schedule.due(n, now)) && schedule.start(n)).collect()
    };
    if due.is_empty() {
        return;
    }
    let mut changed = false;
    for network in &due {
        match sync_one(state, network) {
            Ok(result) => {
                changed |= result.done != centime_core::SyncCounts::default();
                // A revocation is for good: only a hold a sync can lift is worth asking about every minute.
                let held = state
                    .with_wallet(|w| {
                        Ok(w.sync_hold(network)?.is_some_and(|h| h.reason != centime_core::HoldReason::Revoked))
                    })
                    .unwrap_or(false);
                tracing::info!(network = %network, may_pay = result.may_pay, discrepancies = result.discrepancies.len(), "synced with the issuer");
                state.sync_schedule().succeeded(network, result.synced_at, held);
            }
            Err(AppError::Locked | AppError::NoWallet) => state.sync_schedule().abandoned(network),
            Err(e) => {
                tracing::warn!(network = %network, error = %e, "sync with the issuer failed; it is tried again later");
                let at = state.now().unwrap_or(now);
                state.sync_schedule().failed(network, at, e.dto());
            }
        }
    }
    if changed {
        if let Err(e) = app.emit(events::WALLET_CHANGED, ()) {
            tracing::warn!(error = %e, "could not tell the window the wallet changed");
        }
        crate::tray::refresh(app);
    }
    if let Err(e) = app.emit_to("main", events::SYNC_FINISHED, ()) {
        tracing::warn!(error = %e, "could not tell the window a sync ended");
    }
}

/// One network's sync: the request signed and the statement applied under the wallet's lock,
/// the issuer asked without it.
fn sync_one(state: &AppState, network: &Network) -> AppResult<SyncResult> {
    let (base, prepared) = state.with_wallet(|w| {
        let base = w
            .issuer_url(network)?
            .ok_or_else(|| AppError::Invalid(format!("the wallet does not know where {network}'s issuer is")))?;
        Ok((base, w.statement_request(network)?))
    })?;
    let fetched = state.client.fetch_statement(&base, &prepared)?;
    state.with_wallet(|w| Ok(w.apply_statement(&prepared, &fetched.jws, fetched.settlement_period_seconds)?))
}

/// Every trusted issuer's sync: the wallet's last results, holds and flagged merchants, with
/// this process's schedule.
pub fn status(state: &AppState) -> AppResult<SyncStatusDto> {
    state.with_wallet(|w| {
        let now = w.now();
        let syncs = w.last_syncs()?;
        let flagged = w.flagged_merchants()?;
        let mut issuers = Vec::new();
        for i in w.issuers()? {
            let n = &i.network;
            let url = w.issuer_url(n)?;
            let schedule = state.sync_schedule();
            let last_error = schedule.last_error(n);
            issuers.push(IssuerSyncDto {
                network: n.to_string(),
                issuer_name: i.name.clone(),
                last_sync: syncs.iter().find(|s| &s.network == n).map(convert::sync_result),
                hold: w.sync_hold(n)?.as_ref().map(convert::sync_hold),
                flagged: flagged
                    .iter()
                    .filter(|f| &f.network == n)
                    .map(|f| convert::flagged_merchant(f, w.payment(&f.payment_id).ok().as_ref()))
                    .collect(),
                syncing: schedule.syncing(n),
                next_sync_at: url.is_some().then(|| schedule.next_at(n, now)),
                last_error: last_error.as_ref().map(|(e, _)| e.clone()),
                last_error_at: last_error.map(|(_, at)| at),
                issuer_url: url,
            });
        }
        Ok(SyncStatusDto { issuers, now })
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use centime_app_models::ErrorCode;

    use super::*;

    fn net(s: &str) -> Network {
        s.parse().unwrap()
    }

    fn err() -> AppErrorDto {
        AppErrorDto { code: ErrorCode::Network, message: "the issuer did not answer".into() }
    }

    #[test]
    fn a_network_is_due_at_once_then_every_ten_minutes_or_every_minute_while_held() {
        let mut s = Schedule::default();
        let n = net("centime:demo");
        assert!(s.due(&n, 1_000), "never synced by this process: at once");
        assert_eq!(s.next_at(&n, 1_000), 1_000);
        assert!(s.start(&n));
        assert!(!s.due(&n, 1_000), "running");
        assert!(!s.start(&n), "one sync of a network at a time");
        s.succeeded(&n, 1_000, false);
        assert!(!s.due(&n, 1_000 + EVERY_SECONDS - 1));
        assert!(s.due(&n, 1_000 + EVERY_SECONDS));
        assert_eq!(s.next_at(&n, 1_001), 1_000 + EVERY_SECONDS);

        assert!(s.start(&n));
        s.succeeded(&n, 2_000, true);
        assert_eq!(s.next_at(&n, 2_000), 2_000 + WHILE_HELD_SECONDS, "held: soon again");
    }

    #[test]
    fn failures_wait_twice_as_long_each_time_up_to_the_normal_interval_and_a_success_resets() {
        assert_eq!((1..=7).map(retry_wait).collect::<Vec<_>>(), [30, 60, 120, 240, 480, 600, 600]);
        assert_eq!(retry_wait(u32::MAX), EVERY_SECONDS);
        let mut s = Schedule::default();
        let n = net("centime:demo");
        let mut now = 0;
        let mut waits = Vec::new();
        for _ in 0..4 {
            assert!(s.start(&n));
            s.failed(&n, now, err());
            waits.push(s.next_at(&n, now) - now);
            now = s.next_at(&n, now);
        }
        assert_eq!(waits, [30, 60, 120, 240]);
        assert_eq!(s.last_error(&n).map(|(e, at)| (e.code, at)), Some((ErrorCode::Network, 210)));
        assert!(s.start(&n));
        s.succeeded(&n, now, false);
        assert_eq!(s.last_error(&n), None, "a sync that works clears the failure");
        assert!(s.start(&n));
        s.failed(&n, now, err());
        assert_eq!(s.next_at(&n, now) - now, FIRST_RETRY_SECONDS, "the count starts again");
    }

    #[test]
    fn sync_now_makes_every_network_due_and_removed_issuers_are_forgotten() {
        let mut s = Schedule::default();
        let (a, b) = (net("centime:a"), net("centime:b"));
        for n in [&a, &b] {
            assert!(s.start(n));
            s.succeeded(n, 100, false);
        }
        assert!(!s.due(&a, 200) && !s.due(&b, 200));
        s.request_all();
        assert!(s.due(&a, 200) && s.due(&b, 200));
        s.retain(std::slice::from_ref(&a));
        assert!(s.start(&b), "b was forgotten: a new track");
        assert_eq!(s.next_at(&b, 300), 300);
    }

    #[test]
    fn a_new_address_makes_its_network_due_at_once_with_a_fresh_count() {
        let mut s = Schedule::default();
        let (a, b) = (net("centime:a"), net("centime:b"));
        for n in [&a, &b] {
            assert!(s.start(n));
            s.failed(n, 100, err());
            assert!(s.start(n));
            s.failed(n, 130, err());
        }
        s.request(&a);
        assert!(s.due(&a, 131), "the address just set is tried at once");
        assert!(!s.due(&b, 131), "the other network keeps its wait");
        assert!(s.start(&a));
        s.failed(&a, 131, err());
        assert_eq!(s.next_at(&a, 131) - 131, FIRST_RETRY_SECONDS, "the failures before the new address do not count");
        s.request(&net("centime:new"));
        assert!(s.due(&net("centime:new"), 0), "a network never synced is due anyway");
    }

    #[test]
    fn an_abandoned_sync_is_due_again_and_records_nothing() {
        let mut s = Schedule::default();
        let n = net("centime:demo");
        assert!(s.start(&n));
        s.abandoned(&n);
        assert!(s.due(&n, 0));
        assert_eq!(s.last_error(&n), None);
    }
}
