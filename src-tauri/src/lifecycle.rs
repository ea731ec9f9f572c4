//! The wallet's life in the app: creating, unlocking and restoring it, and the status the
//! window starts from.

use std::path::Path;
use std::sync::Arc;

use centime_app_models::{AppStatus, CreateWalletArgs, KeystoreKindDto, WalletState};
use centime_core::keystore::{FileKeyStore, KeyStore, KeystoreKind, OsKeyStore};
use centime_core::passphrase::Passphrase;
use centime_core::{Issuer, Wallet};
use tauri::AppHandle;

use crate::error::{AppError, AppResult};
use crate::state::{self, AppState};

/// The status, for the main window (whose handle the app keeps for background work).
pub fn status_for(state: &AppState, app: &AppHandle) -> AppStatus {
    state.know_app(app);
    status(state)
}

pub fn status(state: &AppState) -> AppStatus {
    let stored = state.stored_keystore();
    let open = state.wallet();
    let wallet_id = open.as_ref().map(|w| w.id().to_string());
    let ready = open.is_some();
    drop(open);
    let probe = state::probe_os_keyring();
    AppStatus {
        state: match (ready, stored) {
            (true, _) => WalletState::Ready,
            (false, Some(_)) => WalletState::Locked,
            (false, None) => WalletState::NoWallet,
        },
        keystore: stored,
        os_keyring_available: probe.is_ok(),
        os_keyring_problem: probe.err().or_else(|| state.open_problem()),
        wallet_id,
        data_dir: state.data_dir.display().to_string(),
        demo: state.demo.clone(),
        integrity_warning: state.integrity_warning(),
    }
}

pub fn create(s: &AppState, args: &CreateWalletArgs) -> AppResult<AppStatus> {
    if s.stored_keystore().is_some() {
        return Err(AppError::AlreadyExists);
    }
    let ks: Arc<dyn KeyStore> = match args.keystore {
        KeystoreKindDto::Os => Arc::new(OsKeyStore::new()?),
        KeystoreKindDto::File => {
            let pass = Passphrase::new(args.passphrase.clone().unwrap_or_default());
            pass.check_new()?;
            Arc::new(FileKeyStore::new(&s.data_dir, pass))
        }
    };
    let mut issuers = Vec::new();
    if args.trust_demo_issuer
        && let Some(d) = &s.demo
    {
        issuers.push(Issuer {
            network: d.network.parse()?,
            public_key: d.public_key.parse()?,
            name: Some("Centime demo issuer".into()),
        });
    }
    let mut w = Wallet::init(&s.data_dir, ks.as_ref(), &issuers)?;
    crate::demo::remember_issuer_url(&mut w, s.demo.as_ref());
    *s.wallet() = Some(w);
    s.set_keystore(Some(ks));
    s.set_integrity_warning(None);
    Ok(status(s))
}

pub fn unlock(s: &Arc<AppState>, app: &AppHandle, passphrase: String) -> AppResult<AppStatus> {
    s.know_app(app);
    s.open_with(Arc::new(FileKeyStore::new(&s.data_dir, Passphrase::new(passphrase))))?;
    Ok(status(s))
}

pub fn restore(s: &AppState, path: &str, passphrase: String) -> AppResult<AppStatus> {
    // Restore into the keystore this wallet uses. The file keystore keeps its own
    // passphrase: the one that unlocked the open wallet; a locked one only if the backup's
    // passphrase is also the keystore's (the core refuses any other). A new install uses
    // the OS keyring when there is one, else a file keystore under the backup's passphrase.
    let ks: Arc<dyn KeyStore> = match s.stored_keystore() {
        Some(KeystoreKindDto::File) => match s.keystore() {
            Some(open) if open.kind() == KeystoreKind::File => open,
            _ => Arc::new(FileKeyStore::new(&s.data_dir, Passphrase::new(passphrase.clone()))),
        },
        Some(KeystoreKindDto::Os) => Arc::new(OsKeyStore::new()?),
        None if state::probe_os_keyring().is_ok() => Arc::new(OsKeyStore::new()?),
        None => Arc::new(FileKeyStore::new(&s.data_dir, Passphrase::new(passphrase.clone()))),
    };
    // Decrypted and verified while the current wallet stays open: a wrong passphrase or a
    // damaged backup leaves it as it was, still open.
    let checked = Wallet::check_backup(&s.data_dir, Path::new(path), &Passphrase::new(passphrase), ks.as_ref())
        .map_err(|e| match e {
            centime_core::Error::KeystorePassphraseKept(_) if s.keystore().is_none() => {
                AppError::Invalid("unlock the wallet first: a restore keeps the keystore's own passphrase".into())
            }
            other => other.into(),
        })?;
    let reopen_with = s.keystore();
    let installed = {
        let mut open = s.wallet();
        // Closed before its file is set aside; the lock is held until the restored wallet
        // (or, on failure, the current one again) is in its place.
        let was_open = open.take().is_some();
        match checked.install(ks.as_ref()) {
            Ok(restored) => {
                let mut w = restored.wallet;
                crate::demo::remember_issuer_url(&mut w, s.demo.as_ref());
                *open = Some(w);
                Ok(())
            }
            Err(e) => {
                // Everything was put back: the current wallet opens as it was.
                if was_open && let Some(k) = &reopen_with {
                    *open = Wallet::open(&s.data_dir, k.as_ref()).ok();
                }
                Err(e)
            }
        }
    };
    installed?;
    // The restored wallet is held until it has synced (ADR 22): at once, not at the next turn.
    s.sync_schedule().request_all();
    s.set_keystore(Some(ks));
    s.set_integrity_warning(None);
    Ok(status(s))
}
