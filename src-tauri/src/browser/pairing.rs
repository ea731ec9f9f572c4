//! The browser's pairings: their keys in the OS keyring (never in a file), the list Settings
//! shows, and the pairing requests waiting in the dialog.

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Mutex, MutexGuard};

use centime_app_models::{AppErrorDto, BrowserPairingDto, PairingRequestDto};
use centime_bridge::auth;
use centime_bridge::messages::PayAnswer;
use centime_core::keystore::OsKeyStore;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{AppError, AppResult};

/// One paired extension, as kept in the keyring (the whole list is one secret). Every copy is
/// wiped when dropped: the list is cloned to be changed and saved.
#[derive(Clone, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
#[serde(rename_all = "camelCase")]
struct Stored {
    id: String,
    caller: String,
    label: String,
    created: i64,
    last_used: Option<i64>,
    /// base64url of the 32-byte key.
    key: String,
}

impl Stored {
    fn dto(&self) -> BrowserPairingDto {
        BrowserPairingDto {
            id: self.id.clone(),
            caller: self.caller.clone(),
            label: self.label.clone(),
            created: self.created,
            last_used: self.last_used,
        }
    }
}

type Waiter = Sender<Result<PayAnswer, AppErrorDto>>;

/// What the browser path keeps in the app's state.
pub struct Bridge {
    account: String,
    /// Read from the keyring at first need.
    pairings: Mutex<Option<Vec<Stored>>>,
    /// Pairing requests shown in the dialog, by id, with where the user's answer goes.
    pending: Mutex<HashMap<String, (PairingRequestDto, Sender<bool>)>>,
    /// Browser requests waiting on a prompt, by prompt id.
    waiters: Mutex<HashMap<String, Vec<Waiter>>>,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge").field("account", &self.account).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A label as the dialog may show it: the extension's words, short and printable.
pub fn clean_label(label: &str) -> String {
    let clean: String = label.chars().filter(|c| !c.is_control()).take(40).collect();
    let clean = clean.trim();
    if clean.is_empty() { "Browser".to_owned() } else { clean.to_owned() }
}

impl Bridge {
    /// The pairings of the wallet in `data_dir` (each data directory has its own).
    pub fn new(data_dir: &Path) -> Self {
        Bridge {
            account: format!("browser-pairings:{}", data_dir.display()),
            pairings: Mutex::new(None),
            pending: Mutex::new(HashMap::new()),
            waiters: Mutex::new(HashMap::new()),
        }
    }

    fn keyring() -> AppResult<OsKeyStore> {
        Ok(OsKeyStore::new()?)
    }

    /// The list, read from the keyring the first time.
    fn loaded(&self) -> AppResult<MutexGuard<'_, Option<Vec<Stored>>>> {
        let mut guard = lock(&self.pairings);
        if guard.is_none() {
            let list = match Self::keyring()?.load_bytes(&self.account)? {
                Some(bytes) => serde_json::from_slice(&bytes)
                    .map_err(|e| AppError::Internal(format!("the browser pairings in the keyring are damaged: {e}")))?,
                None => Vec::new(),
            };
            *guard = Some(list);
        }
        Ok(guard)
    }

    fn save(&self, list: &[Stored]) -> AppResult<()> {
        let bytes = Zeroizing::new(serde_json::to_vec(list).map_err(|e| AppError::Internal(e.to_string()))?);
        Self::keyring()?.save_bytes(&self.account, &bytes)?;
        Ok(())
    }

    /// Whether pairing is possible at all (a keyring to keep the key in).
    pub fn can_pair(&self) -> AppResult<()> {
        self.loaded().map(|_| ())
    }

    pub fn list(&self) -> AppResult<Vec<BrowserPairingDto>> {
        let guard = self.loaded()?;
        Ok(guard.as_deref().unwrap_or_default().iter().map(Stored::dto).collect())
    }

    /// The key of pairing `id`, if the app has it (a removed or forged id has none).
    pub fn key(&self, id: &str) -> Option<Zeroizing<Vec<u8>>> {
        let guard = self.loaded().ok()?;
        let p = guard.as_deref()?.iter().find(|p| p.id == id)?;
        auth::unb64(&p.key, auth::KEY_LEN, "pairing key").ok().map(Zeroizing::new)
    }

    /// Creates a pairing (the user clicked Pair): its id and key, the key kept in the keyring.
    pub fn create(&self, caller: &str, label: &str) -> AppResult<(String, Zeroizing<Vec<u8>>)> {
        let id = auth::b64(&auth::random::<{ auth::PAIRING_ID_LEN }>().map_err(|e| AppError::Internal(e.to_string()))?);
        let key = Zeroizing::new(
            auth::random::<{ auth::KEY_LEN }>().map_err(|e| AppError::Internal(e.to_string()))?.to_vec(),
        );
        let mut guard = self.loaded()?;
        let mut list = guard.clone().unwrap_or_default();
        list.push(Stored {
            id: id.clone(),
            caller: caller.to_owned(),
            label: label.to_owned(),
            created: now(),
            last_used: None,
            key: auth::b64(&key),
        });
        self.save(&list)?;
        *guard = Some(list);
        Ok((id, key))
    }

    /// Removes pairing `id`: its extension is unpaired from its next message on.
    pub fn remove(&self, id: &str) -> AppResult<Vec<BrowserPairingDto>> {
        let mut guard = self.loaded()?;
        let list: Vec<Stored> = guard.clone().unwrap_or_default().into_iter().filter(|p| p.id != id).collect();
        self.save(&list)?;
        *guard = Some(list);
        drop(guard);
        self.list()
    }

    /// Notes that pairing `id` was used (once per connection).
    pub fn touch(&self, id: &str) {
        let Ok(mut guard) = self.loaded() else { return };
        let mut list = guard.clone().unwrap_or_default();
        let Some(p) = list.iter_mut().find(|p| p.id == id) else { return };
        p.last_used = Some(now());
        if self.save(&list).is_ok() {
            *guard = Some(list);
        }
    }

    /// Keeps a pairing request for the dialog; the receiver gets the user's answer. One at a
    /// time: a program asking again and again cannot pile dialogs up (`None` meanwhile).
    pub fn ask(&self, request: PairingRequestDto) -> Option<Receiver<bool>> {
        let mut pending = lock(&self.pending);
        let t = now();
        pending.retain(|_, (r, _)| r.expires_at > t);
        if !pending.is_empty() {
            return None;
        }
        let (tx, rx) = channel();
        pending.insert(request.id.clone(), (request, tx));
        Some(rx)
    }

    /// Whether a pairing request is waiting for the user already.
    pub fn pairing_waiting(&self) -> bool {
        let t = now();
        lock(&self.pending).values().any(|(r, _)| r.expires_at > t)
    }

    /// The user's answer to pairing request `id` (nothing if it is gone).
    pub fn answer_pairing(&self, id: &str, accept: bool) -> AppResult<()> {
        let (_, tx) = lock(&self.pending).remove(id).ok_or(AppError::Expired)?;
        let _ = tx.send(accept);
        Ok(())
    }

    pub fn end_pairing(&self, id: &str) {
        lock(&self.pending).remove(id);
    }

    pub fn pending_pairings(&self) -> Vec<PairingRequestDto> {
        let t = now();
        lock(&self.pending).values().filter(|(r, _)| r.expires_at > t).map(|(r, _)| r.clone()).collect()
    }

    /// A browser request waits for prompt `prompt_id`'s answer.
    pub fn wait_for(&self, prompt_id: &str) -> Receiver<Result<PayAnswer, AppErrorDto>> {
        let (tx, rx) = channel();
        lock(&self.waiters).entry(prompt_id.to_owned()).or_default().push(tx);
        rx
    }

    /// Answers every browser request waiting for prompt `prompt_id`.
    pub fn answer(&self, prompt_id: &str, answer: Result<PayAnswer, AppErrorDto>) {
        for tx in lock(&self.waiters).remove(prompt_id).unwrap_or_default() {
            let _ = tx.send(answer.clone());
        }
    }

    pub fn forget(&self, prompt_id: &str) {
        lock(&self.waiters).remove(prompt_id);
    }
}
