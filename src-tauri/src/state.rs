//! The one state object: where the wallet is, the open wallet, and prompts waiting for an answer.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use centime_app_models::{DemoDto, KeystoreKindDto, LocaleDto, events};
use centime_client::Ledger;
use centime_core::keystore::{KeyStore, KeystoreKind, OsKeyStore};
use centime_core::links::LinkPace;
use centime_core::{Status, Wallet};
use centime_protocol::{PaymentId, PaymentRequired, SettlementResponse};

use tauri::{AppHandle, Emitter as _};

use crate::error::{AppError, AppResult};

/// A payment request shown to the user and not yet answered.
#[derive(Debug, Clone)]
pub struct PendingPrompt {
    pub dto: centime_app_models::PromptDto,
    /// The site's own request (for links: after confirmation with the site).
    pub required: PaymentRequired,
    /// Where the site answered the 402 (the payment goes there and nowhere else).
    pub url: url::Url,
    pub return_url: Option<url::Url>,
    /// The offer the prompt shows: approving pays exactly it.
    pub approval: centime_core::Approval,
}

pub struct AppState {
    pub data_dir: PathBuf,
    pub demo: Option<DemoDto>,
    pub wallet: Mutex<Option<Wallet>>,
    /// The keystore the open wallet was opened with (for the file keystore: with the
    /// passphrase that unlocked it, which a restore keeps).
    pub keystore: Mutex<Option<Arc<dyn KeyStore>>>,
    pub prompts: Mutex<HashMap<String, PendingPrompt>>,
    /// For what the user opens; links go through `client.for_links()` (and are always checked
    /// that way by `prepare_pay_link`). Its plain-HTTP switch is the user's setting
    /// (`set_plain_http`).
    pub client: centime_client::Client,
    pub integrity_warning: Mutex<Option<String>>,
    /// Why opening the wallet at start failed, if it did (keyring missing...).
    pub open_problem: Mutex<Option<String>>,
    /// The running app, for events from background work; set by the first command the main
    /// window calls (`app_status`), see [`AppState::know_app`].
    pub app: OnceLock<AppHandle>,
    /// An export is running (one at a time).
    pub exporting: AtomicBool,
    /// Set by `cancel_export`; the running export stops at its next progress report.
    pub cancel_export: AtomicBool,
    /// The window's language, for notifications and the tray (`set_locale`).
    pub locale: Mutex<LocaleDto>,
    /// Links paid automatically in the last minute, per site.
    pub link_pace: Mutex<LinkPace>,
    /// When the main window was last brought forward for a prompt.
    pub last_raise: Mutex<Option<Instant>>,
    /// When each site was last named in a "too many requests" notice.
    pub refusal_notices: Mutex<HashMap<String, Instant>>,
    /// When each issuer is synced next, and how the last attempt went (`issuer_sync`).
    pub sync_schedule: Mutex<crate::issuer_sync::Schedule>,
    /// The browser extension's pairings and the requests waiting on a prompt (`browser`).
    pub browser: crate::browser::Bridge,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("data_dir", &self.data_dir).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves the data as it was at the last completed write
    // (every wallet change is a committed transaction), so carrying on is safe.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl AppState {
    /// `trusted`: origins a link may reach wherever they are (the demo's, see `demo.rs`).
    pub fn new(data_dir: PathBuf, demo: Option<DemoDto>, trusted: &[String]) -> AppResult<Self> {
        let browser = crate::browser::Bridge::new(&data_dir);
        Ok(AppState {
            data_dir,
            demo,
            wallet: Mutex::new(None),
            keystore: Mutex::new(None),
            prompts: Mutex::new(HashMap::new()),
            client: centime_client::Client::new(Duration::from_secs(20))?.trusting(trusted)?,
            integrity_warning: Mutex::new(None),
            open_problem: Mutex::new(None),
            app: OnceLock::new(),
            exporting: AtomicBool::new(false),
            cancel_export: AtomicBool::new(false),
            locale: Mutex::new(crate::texts::system_locale()),
            link_pace: Mutex::new(LinkPace::new()),
            last_raise: Mutex::new(None),
            refusal_notices: Mutex::new(HashMap::new()),
            sync_schedule: Mutex::new(crate::issuer_sync::Schedule::default()),
            browser,
        })
    }

    pub fn wallet(&self) -> MutexGuard<'_, Option<Wallet>> {
        lock(&self.wallet)
    }

    pub fn keystore(&self) -> Option<Arc<dyn KeyStore>> {
        lock(&self.keystore).clone()
    }

    pub fn set_keystore(&self, ks: Option<Arc<dyn KeyStore>>) {
        *lock(&self.keystore) = ks;
    }

    pub fn locale(&self) -> LocaleDto {
        *lock(&self.locale)
    }

    pub fn set_locale(&self, l: LocaleDto) {
        *lock(&self.locale) = l;
    }

    pub fn prompts(&self) -> MutexGuard<'_, HashMap<String, PendingPrompt>> {
        lock(&self.prompts)
    }

    /// Declines a waiting prompt (nothing if it is gone already); a browser waiting on it is
    /// told.
    pub fn decline_prompt(&self, id: &str) {
        self.prompts().remove(id);
        self.browser
            .answer(id, Ok(centime_bridge::messages::PayAnswer::bare(centime_bridge::messages::PayOutcome::Declined)));
    }

    pub fn sync_schedule(&self) -> MutexGuard<'_, crate::issuer_sync::Schedule> {
        lock(&self.sync_schedule)
    }

    pub fn link_pace(&self) -> MutexGuard<'_, LinkPace> {
        lock(&self.link_pace)
    }

    /// Whether the window may be brought forward at `now` (and if so, counts it).
    pub fn may_raise(&self, now: Instant, every: Duration) -> bool {
        let mut last = lock(&self.last_raise);
        if last.is_some_and(|t| now.duration_since(t) < every) {
            return false;
        }
        *last = Some(now);
        true
    }

    /// Whether a site's refused links may be reported at `now` (and if so, counts it): its
    /// first refusal always is, so that a burst shorter than the raise interval is still
    /// reported; then at most once per `every`, so that a flood is one notice, not one a link.
    pub fn may_report_refusal(&self, origin: &str, now: Instant, every: Duration) -> bool {
        let mut notices = lock(&self.refusal_notices);
        notices.retain(|_, t| now.duration_since(*t) < every);
        if notices.contains_key(origin) {
            return false;
        }
        notices.insert(origin.to_owned(), now);
        true
    }

    /// Keeps the app's handle for background work (the first call wins; they are all the same).
    pub fn know_app(&self, app: &AppHandle) {
        let _ = self.app.set(app.clone());
    }

    pub fn set_integrity_warning(&self, w: Option<String>) {
        *lock(&self.integrity_warning) = w;
    }

    pub fn integrity_warning(&self) -> Option<String> {
        lock(&self.integrity_warning).clone()
    }

    pub fn set_open_problem(&self, p: Option<String>) {
        *lock(&self.open_problem) = p;
    }

    pub fn open_problem(&self) -> Option<String> {
        lock(&self.open_problem).clone()
    }

    /// Runs `f` with the open wallet.
    pub fn with_wallet<T>(&self, f: impl FnOnce(&mut Wallet) -> AppResult<T>) -> AppResult<T> {
        let mut guard = self.wallet();
        match guard.as_mut() {
            Some(w) => f(w),
            None => Err(if self.stored_keystore().is_some() { AppError::Locked } else { AppError::NoWallet }),
        }
    }

    /// The open wallet's clock, Unix seconds: the shell reads none of its own, so prompts
    /// expire and links are paced by the time the core reckons figures and expiries by.
    pub fn now(&self) -> AppResult<i64> {
        self.with_wallet(|w| Ok(w.now()))
    }

    /// The keystore the wallet in the data dir was created with, if there is one.
    pub fn stored_keystore(&self) -> Option<KeystoreKindDto> {
        let path = centime_core::db_path(&self.data_dir);
        if !path.exists() {
            return None;
        }
        let kind = centime_core::sqlite::peek_meta(&path, "keystore").ok().flatten()?;
        match kind.parse().ok()? {
            KeystoreKind::Os => Some(KeystoreKindDto::Os),
            KeystoreKind::File => Some(KeystoreKindDto::File),
        }
    }

    /// Opens the wallet. Its integrity is checked in the background, on a connection of its
    /// own: `verify` reads every row and signature, which takes minutes on a million-entry
    /// wallet, and the wallet must not stay closed (or locked) meanwhile. A failed check is kept
    /// as a warning (the banner), as it was when the check ran before opening; the main window
    /// is told with `wallet-changed` when the check ends.
    pub fn open_with(self: &Arc<Self>, ks: Arc<dyn KeyStore>) -> AppResult<()> {
        let mut w = Wallet::open(&self.data_dir, ks.as_ref())?;
        crate::demo::remember_issuer_url(&mut w, self.demo.as_ref());
        self.set_open_problem(None);
        self.set_integrity_warning(None);
        *self.wallet() = Some(w);
        self.set_keystore(Some(Arc::clone(&ks)));
        let state = Arc::clone(self);
        std::thread::spawn(move || {
            let checked = Wallet::open(&state.data_dir, ks.as_ref()).and_then(|w| w.verify());
            state.set_integrity_warning(checked.err().map(|e| e.to_string()));
            if let Some(app) = state.app.get() {
                let _ = app.emit(events::WALLET_CHANGED, ());
            }
        });
        Ok(())
    }

    /// At start: opens a wallet kept in the OS keyring. A file-keystore wallet waits for
    /// its passphrase.
    pub fn open_at_start(self: &Arc<Self>) {
        if self.stored_keystore() == Some(KeystoreKindDto::Os) {
            let result = OsKeyStore::new().map_err(AppError::from).and_then(|ks| self.open_with(Arc::new(ks)));
            if let Err(e) = result {
                self.set_open_problem(Some(e.to_string()));
            }
        }
    }
}

/// The app's wallet as a [`Ledger`] for deliveries: locked for each record only, never while
/// a merchant answers, so a slow site does not freeze the window.
pub struct SharedWallet<'a>(pub &'a AppState);

impl SharedWallet<'_> {
    fn with<T>(&self, f: impl FnOnce(&mut Wallet) -> centime_core::Result<T>) -> centime_client::Result<T> {
        match self.0.wallet().as_mut() {
            Some(w) => Ok(f(w)?),
            None => Err(centime_client::Error::WalletClosed),
        }
    }
}

impl Ledger for SharedWallet<'_> {
    fn record_settled(&mut self, id: &PaymentId, response: &SettlementResponse) -> centime_client::Result<Status> {
        self.with(|w| w.record_settled(id, response))
    }
    fn record_rejected(&mut self, id: &PaymentId, reason: &str) -> centime_client::Result<Status> {
        self.with(|w| w.record_rejected(id, reason))
    }
    fn mark_unconfirmed(&mut self, id: &PaymentId, detail: &str) -> centime_client::Result<Status> {
        self.with(|w| w.mark_unconfirmed(id, detail))
    }
}

/// Probes the OS keyring: `Err(reason)` when it cannot be used.
pub fn probe_os_keyring() -> Result<(), String> {
    OsKeyStore::new().and_then(|k| k.probe()).map_err(|e| e.to_string())
}
