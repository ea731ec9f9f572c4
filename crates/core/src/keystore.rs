//! Where the wallet's secrets live: the OS keyring (default) or a passphrase-encrypted file.
//!
//! Two secrets: the Ed25519 signing key (PKCS#8 v2) and the journal's HMAC key. They exist
//! only in the keystore and, while the wallet is open, in zeroizing buffers.

use std::fmt;
use std::path::{Path, PathBuf};

use centime_protocol::jws::RingSigner;
use ring::rand::SecureRandom as _;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::files::write_private_atomically;
use crate::passphrase::{self, Passphrase, Sealed};

/// The keyring service name under which wallets are stored.
pub const SERVICE: &str = "org.centime.wallet";
/// The file keystore's name in the data directory.
pub const KEY_FILE: &str = "keys.centime";

/// Where the wallet's keys are kept. Its `Display`/`FromStr` form is the `keystore` meta value.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::Display, strum::EnumString, strum::IntoStaticStr, strum::EnumIter,
)]
#[strum(serialize_all = "lowercase")]
pub enum KeystoreKind {
    /// The OS keyring ([`OsKeyStore`]).
    Os,
    /// A passphrase-encrypted file in the data directory ([`FileKeyStore`]).
    File,
}

/// The wallet's secrets. `Debug` never shows them.
pub struct Secrets {
    signing_pkcs8: Zeroizing<Vec<u8>>,
    mac_key: Zeroizing<[u8; 32]>,
}

const SECRETS_MAGIC: &[u8; 4] = b"CTS1";

impl Secrets {
    /// New secrets from the system's random generator, for a new wallet.
    pub fn generate() -> Result<Self> {
        let signing_pkcs8 = Zeroizing::new(RingSigner::generate_pkcs8()?);
        let mut mac_key = Zeroizing::new([0u8; 32]);
        ring::rand::SystemRandom::new()
            .fill(mac_key.as_mut())
            .map_err(|_| Error::Integrity("system random generator failed".into()))?;
        Ok(Secrets { signing_pkcs8, mac_key })
    }

    /// The wallet's Ed25519 signer, for payments and for its id.
    pub fn signer(&self) -> Result<RingSigner> {
        Ok(RingSigner::from_pkcs8(&self.signing_pkcs8)?)
    }

    pub(crate) fn mac_key(&self) -> &[u8; 32] {
        &self.mac_key
    }

    /// `CTS1 | u16 len | pkcs8 | mac key`.
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(4 + 2 + self.signing_pkcs8.len() + 32));
        out.extend_from_slice(SECRETS_MAGIC);
        let len = u16::try_from(self.signing_pkcs8.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&self.signing_pkcs8);
        out.extend_from_slice(self.mac_key.as_ref());
        out
    }

    /// Reads [`Secrets::encode`]'s form; anything else is a damaged keystore, never a new key.
    pub fn decode(b: &[u8]) -> Result<Self> {
        let damaged = || Error::DamagedKeystore("the stored secrets are not in Centime's format".into());
        let rest = b.strip_prefix(SECRETS_MAGIC).ok_or_else(damaged)?;
        let (len, rest) = rest.split_at_checked(2).ok_or_else(damaged)?;
        let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
        let (pkcs8, mac) = rest.split_at_checked(len).ok_or_else(damaged)?;
        let mac: [u8; 32] = mac.try_into().map_err(|_| damaged())?;
        let s = Secrets { signing_pkcs8: Zeroizing::new(pkcs8.to_vec()), mac_key: Zeroizing::new(mac) };
        s.signer().map_err(|_| damaged())?;
        Ok(s)
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secrets(<redacted>)")
    }
}

/// A home for one wallet's secrets, named by an account string.
pub trait KeyStore: fmt::Debug + Send + Sync {
    /// Which kind of store this is, recorded in the wallet so that it is reopened with the same.
    fn kind(&self) -> KeystoreKind;
    /// `Ok(None)` when the store works but holds nothing for `account`.
    fn load(&self, account: &str) -> Result<Option<Secrets>>;
    /// Stores `secrets` under `account`, replacing what was there.
    fn save(&self, account: &str, secrets: &Secrets) -> Result<()>;
    /// Checks the store can be used at all, before anything is created in it.
    fn probe(&self) -> Result<()>;
    /// Checks, before a restore saves the backup's keys here, that they would stay under the
    /// protection the user already has: a store with its own secret (the file keystore's
    /// passphrase) refuses one that does not open what it holds now. Nothing to check for a
    /// store without one (the OS keyring unlocks with the session).
    fn check_before_restore(&self) -> Result<()> {
        Ok(())
    }
}

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
#[derive(Debug, Default)]
pub struct OsKeyStore;

/// True when this build has a real keyring backend for this platform. Without one, keyring 3
/// falls back to an in-memory mock that would lose the wallet's key at exit: refuse instead.
pub const OS_KEYRING_BUILT_IN: bool = cfg!(all(
    feature = "os-keystore",
    any(target_os = "linux", target_os = "freebsd", target_os = "macos", target_os = "windows")
));

impl OsKeyStore {
    /// The OS keyring, or [`Error::KeyringUnavailable`] when this build has no backend for it.
    pub fn new() -> Result<Self> {
        if !OS_KEYRING_BUILT_IN {
            return Err(Error::KeyringUnavailable("this build of Centime has no OS keyring backend".into()));
        }
        Ok(OsKeyStore)
    }

    fn entry(account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(SERVICE, account).map_err(map_keyring)
    }

    /// Another secret of the app's, beside the wallet's (the browser's pairing keys), under
    /// `account`: `Ok(None)` when there is none.
    pub fn load_bytes(&self, account: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
        match Self::entry(account)?.get_secret() {
            Ok(bytes) => Ok(Some(Zeroizing::new(bytes))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring(e)),
        }
    }

    /// Stores `bytes` under `account` and reads them back, as [`KeyStore::save`] does.
    pub fn save_bytes(&self, account: &str, bytes: &[u8]) -> Result<()> {
        Self::entry(account)?.set_secret(bytes).map_err(map_keyring)?;
        match self.load_bytes(account)? {
            Some(back) if back.as_slice() == bytes => Ok(()),
            _ => Err(Error::KeyringUnavailable("the keyring did not keep the secret it was given".into())),
        }
    }
}

fn map_keyring(e: keyring::Error) -> Error {
    let text = e.to_string();
    match e {
        keyring::Error::NoStorageAccess(_) => {
            if text.to_ascii_lowercase().contains("lock") {
                Error::KeyringLocked(text)
            } else {
                Error::KeyringUnavailable(text)
            }
        }
        keyring::Error::PlatformFailure(_) => {
            let lower = text.to_ascii_lowercase();
            if lower.contains("locked") {
                Error::KeyringLocked(text)
            } else if lower.contains("serviceunknown") || lower.contains("service_unknown") {
                Error::KeyringUnavailable(format!("no Secret Service is running on the session bus ({text})"))
            } else if lower.contains("autolaunch") || lower.contains("dbus") || lower.contains("d-bus") {
                Error::KeyringUnavailable(format!("no D-Bus session bus ({text})"))
            } else {
                Error::KeyringUnavailable(text)
            }
        }
        keyring::Error::BadEncoding(_) => Error::DamagedKeystore("the keyring entry is not Centime's".into()),
        _ => Error::KeyringUnavailable(text),
    }
}

impl KeyStore for OsKeyStore {
    fn kind(&self) -> KeystoreKind {
        KeystoreKind::Os
    }

    fn load(&self, account: &str) -> Result<Option<Secrets>> {
        match Self::entry(account)?.get_secret() {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                Secrets::decode(&bytes).map(Some)
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_keyring(e)),
        }
    }

    fn save(&self, account: &str, secrets: &Secrets) -> Result<()> {
        let entry = Self::entry(account)?;
        entry.set_secret(&secrets.encode()).map_err(map_keyring)?;
        // Read it back: a keyring that accepts writes but does not keep them must not be
        // mistaken for a home for the only copy of a key.
        match self.load(account)? {
            Some(back) if back.encode() == secrets.encode() => Ok(()),
            _ => Err(Error::KeyringUnavailable("the keyring did not keep the secret it was given".into())),
        }
    }

    fn probe(&self) -> Result<()> {
        self.load("centime-probe").map(|_| ())
    }
}

/// A passphrase-encrypted file in the data directory, for machines without a keyring.
pub struct FileKeyStore {
    path: PathBuf,
    passphrase: Passphrase,
}

impl fmt::Debug for FileKeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileKeyStore").field("path", &self.path).finish_non_exhaustive()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct KeyFile {
    format: String,
    version: u32,
    account: String,
    #[serde(flatten)]
    sealed: Sealed,
    /// SHA-256 (base64) of this file's JSON without this field: a file damaged on disk (a
    /// flipped bit, a bad sector) is reported as damaged, not as a wrong passphrase or another
    /// wallet's keys. Not a defence against a deliberate edit, which AES-GCM refuses anyway.
    /// Absent from files written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digest: Option<String>,
}

impl KeyFile {
    fn compute_digest(&self) -> Result<String> {
        let copy = KeyFile {
            format: self.format.clone(),
            version: self.version,
            account: self.account.clone(),
            sealed: self.sealed.clone(),
            digest: None,
        };
        let json = serde_json::to_vec(&copy).map_err(|e| Error::Integrity(e.to_string()))?;
        Ok(base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            ring::digest::digest(&ring::digest::SHA256, &json),
        ))
    }
}

const KEY_FILE_FORMAT: &str = "centime-keystore";

impl FileKeyStore {
    /// The key file in `data_dir`, opened with `passphrase` when it is read or written.
    pub fn new(data_dir: &Path, passphrase: Passphrase) -> Self {
        FileKeyStore { path: data_dir.join(KEY_FILE), passphrase }
    }

    fn aad(account: &str) -> Vec<u8> {
        format!("{KEY_FILE_FORMAT}/1/{account}").into_bytes()
    }
}

impl KeyStore for FileKeyStore {
    fn kind(&self) -> KeystoreKind {
        KeystoreKind::File
    }

    fn load(&self, account: &str) -> Result<Option<Secrets>> {
        let path = self.path.display();
        let text = match std::fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            // The keystore is there but unusable (a directory, no permission): a keystore
            // failure (exit 6), not an internal one.
            Err(e) => return Err(Error::DamagedKeystore(format!("{path} cannot be read: {e}"))),
        };
        if text.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::DamagedKeystore(format!("{path} is empty")));
        }
        let file: KeyFile = serde_json::from_slice(&text)
            .map_err(|e| Error::DamagedKeystore(format!("{path} is not a keystore file: {e}")))?;
        if let Some(d) = &file.digest
            && *d != file.compute_digest()?
        {
            return Err(Error::DamagedKeystore(format!(
                "{path} does not match its checksum: it was changed or corrupted"
            )));
        }
        if file.format != KEY_FILE_FORMAT || file.version != 1 {
            return Err(Error::DamagedKeystore(format!("{path} is not a Centime keystore file")));
        }
        if file.account != account {
            return Err(Error::KeyMismatch(format!("{} belongs to another wallet", self.path.display())));
        }
        let plain = passphrase::open(&self.passphrase, &Self::aad(account), &file.sealed)?;
        Secrets::decode(&plain).map(Some)
    }

    fn save(&self, account: &str, secrets: &Secrets) -> Result<()> {
        self.passphrase.check_new()?;
        let sealed = passphrase::seal(&self.passphrase, &Self::aad(account), &secrets.encode())?;
        let mut file =
            KeyFile { format: KEY_FILE_FORMAT.into(), version: 1, account: account.into(), sealed, digest: None };
        file.digest = Some(file.compute_digest()?);
        let json = serde_json::to_vec_pretty(&file).map_err(|e| Error::Integrity(e.to_string()))?;
        write_private_atomically(&self.path, &json)
    }

    fn probe(&self) -> Result<()> {
        Ok(())
    }

    /// The passphrase must open the key file already here, whichever wallet it belongs to:
    /// the restored keys are sealed under it, and the user keeps the passphrase they know. A
    /// file that cannot be read as a key file at all (damaged, emptied, not Centime's) cannot
    /// say what its passphrase was: it is set aside by the restore, which is its remedy.
    fn check_before_restore(&self) -> Result<()> {
        let Ok(text) = std::fs::read(&self.path) else { return Ok(()) };
        let Ok(file) = serde_json::from_slice::<KeyFile>(&text) else { return Ok(()) };
        let intact = file.format == KEY_FILE_FORMAT
            && file.digest.as_ref().is_none_or(|d| file.compute_digest().is_ok_and(|c| c == *d));
        if !intact {
            return Ok(());
        }
        match passphrase::open(&self.passphrase, &Self::aad(&file.account), &file.sealed) {
            Err(Error::WrongPassphrase(_)) => Err(Error::KeystorePassphraseKept(self.path.display().to_string())),
            Ok(_) | Err(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_round_trip_and_stay_hidden() {
        let s = Secrets::generate().unwrap();
        let back = Secrets::decode(&s.encode()).unwrap();
        assert_eq!(back.encode(), s.encode());
        assert_eq!(format!("{s:?}"), "Secrets(<redacted>)");
        assert!(Secrets::decode(b"CTS1\x00").is_err());
    }

    #[test]
    fn file_keystore_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let ks = FileKeyStore::new(dir.path(), Passphrase::new("a long passphrase".into()));
        assert!(ks.load("acct").unwrap().is_none());
        let s = Secrets::generate().unwrap();
        ks.save("acct", &s).unwrap();
        assert_eq!(ks.load("acct").unwrap().unwrap().encode(), s.encode());
        let wrong = FileKeyStore::new(dir.path(), Passphrase::new("another passphrase".into()));
        assert!(matches!(wrong.load("acct"), Err(Error::WrongPassphrase(_))));
        let good = std::fs::read_to_string(dir.path().join(KEY_FILE)).unwrap();
        // Damage on disk: a changed character anywhere in the sealed fields or the account.
        for field in ["\"salt\": \"", "\"ciphertext\": \"", "\"account\": \""] {
            let at = good.find(field).unwrap() + field.len() + 2;
            let mut bytes = good.clone().into_bytes();
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            std::fs::write(dir.path().join(KEY_FILE), &bytes).unwrap();
            let e = ks.load("acct").unwrap_err();
            assert!(e.to_string().contains("does not match its checksum"), "{field}: {e}");
        }
        // A deliberate edit with the checksum recomputed: the right passphrase names the damage.
        let mut file: KeyFile = serde_json::from_str(&good).unwrap();
        file.sealed.ciphertext = file.sealed.ciphertext.replacen(|c: char| c.is_ascii_alphanumeric(), "0", 1);
        file.digest = Some(file.compute_digest().unwrap());
        std::fs::write(dir.path().join(KEY_FILE), serde_json::to_vec(&file).unwrap()).unwrap();
        let e = ks.load("acct").unwrap_err();
        assert!(
            matches!(e, Error::DamagedKeystore(_)) && e.to_string().contains("encrypted contents were changed"),
            "{e}"
        );
        assert!(matches!(wrong.load("acct"), Err(Error::WrongPassphrase(_))));
        for (bytes, needle) in
            [(&b""[..], "is empty"), (b"{not json", "is not a keystore file"), (b"[1, 2]", "is not a keystore file")]
        {
            std::fs::write(dir.path().join(KEY_FILE), bytes).unwrap();
            let e = ks.load("acct").unwrap_err();
            assert!(matches!(e, Error::DamagedKeystore(_)) && e.to_string().contains(needle), "{e}");
        }
        std::fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
        std::fs::create_dir(dir.path().join(KEY_FILE)).unwrap();
        let e = ks.load("acct").unwrap_err();
        assert!(matches!(e, Error::DamagedKeystore(_)) && e.to_string().contains("cannot be read"), "{e}");
        let short = FileKeyStore::new(dir.path(), Passphrase::new("short".into()));
        assert!(matches!(short.save("acct", &s), Err(Error::WeakPassphrase(_))));
    }
}
