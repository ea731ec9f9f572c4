//! The one state object: where the wallet is, the open wallet, and prompts waiting for an answer.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use centime_app_models::{DemoDto, KeystoreKindDto};
use centime_core::Wallet;
use centime_core::keystore::{KeyStore, OsKeyStore};
use centime_protocol::PaymentRequired;

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
}

pub struct AppState {
    pub data_dir: PathBuf,
    pub demo: Option<DemoDto>,
    pub wallet: Mutex<Option<Wallet>>,
    pub prompts: Mutex<HashMap<String, PendingPrompt>>,
    pub client: centime_client::Client,
    pub integrity_warning: Mutex<Option<String>>,
    /// Why opening the wallet at start failed, if it did (keyring missing...).
    pub open_problem: Mutex<Option<String>>,
    /// An export is running (one at a time).
    pub exporting: AtomicBool,
    /// Set by `cancel_export`; the running export stops at its next progress report.
    pub cancel_export: AtomicBool,
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
    pub fn new(data_dir: PathBuf, demo: Option<DemoDto>) -> AppResult<Self> {
        Ok(AppState {
            data_dir,
            demo,
            wallet: Mutex::new(None),
            prompts: Mutex::new(HashMap::new()),
            client: centime_client::Client::new(Duration::from_secs(20))?,
            integrity_warning: Mutex::new(None),
            open_problem: Mutex::new(None),
            exporting: AtomicBool::new(false),
            cancel_export: AtomicBool::new(false),
        })
    }

    pub fn wallet(&self) -> MutexGuard<'_, Option<Wallet>> {
        lock(&self.wallet)
    }

    pub fn prompts(&self) -> MutexGuard<'_, HashMap<String, PendingPrompt>> {
        lock(&self.prompts)
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

    /// The keystore the wallet in the data dir was created with, if there is one.
    pub fn stored_keystore(&self) -> Option<KeystoreKindDto> {
        let path = centime_core::db_path(&self.data_dir);
        if !path.exists() {
            return None;
        }
        match centime_core::store::peek_meta(&path, "keystore").ok().flatten().as_deref() {
            Some("os") => Some(KeystoreKindDto::Os),
            Some("file") => Some(KeystoreKindDto::File),
            _ => None,
        }
    }

    /// Opens the wallet and checks its integrity; a failed check is kept as a warning.
    pub fn open_with(&self, ks: &dyn KeyStore) -> AppResult<()> {
        let w = Wallet::open(&self.data_dir, ks)?;
        self.set_integrity_warning(w.verify().err().map(|e| e.to_string()));
        self.set_open_problem(None);
        *self.wallet() = Some(w);
        Ok(())
    }

    /// At start: opens a wallet kept in the OS keyring. A file-keystore wallet waits for
    /// its passphrase.
    pub fn open_at_start(&self) {
        if self.stored_keystore() == Some(KeystoreKindDto::Os) {
            let result = OsKeyStore::new().map_err(AppError::from).and_then(|ks| self.open_with(&ks));
            if let Err(e) = result {
                self.set_open_problem(Some(e.to_string()));
            }
        }
    }
}

/// Probes the OS keyring: `Err(reason)` when it cannot be used.
pub fn probe_os_keyring() -> Result<(), String> {
    OsKeyStore::new().and_then(|k| k.probe()).map_err(|e| e.to_string())
}
