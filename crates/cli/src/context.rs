//! Where the wallet is and how to unlock it: data directory, keystore, passphrases.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use centime_client::Client;
use centime_core::keystore::{FileKeyStore, KeyStore, KeystoreKind, OsKeyStore};
use centime_core::passphrase::Passphrase;
use centime_core::{Error as CoreError, Wallet};

use centime_cli::args::{Cli, KeystoreArg};

/// The HTTP client, with the origins the user trusts (`--trust-origin`) and their choice on
/// plain HTTP (`--allow-http`).
pub fn client(cli: &Cli, timeout: std::time::Duration) -> centime_client::Result<Client> {
    let trusted = cli.trusted_origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty());
    let client = Client::new(timeout)?.trusting(trusted)?;
    client.allow_plain_http(cli.allow_http);
    Ok(client)
}

pub fn data_dir(cli: &Cli) -> Result<PathBuf> {
    if let Some(d) = &cli.data_dir {
        return Ok(d.clone());
    }
    directories::ProjectDirs::from("org", "Centime", "Centime")
        .map(|p| p.data_dir().to_path_buf())
        .context("no data directory: pass --data-dir or set CENTIME_DATA_DIR")
}

/// The keystore kind: the flag, else what the wallet was created with, else the OS keyring.
fn kind(cli: &Cli, dir: &Path) -> KeystoreKind {
    match cli.keystore {
        Some(KeystoreArg::Os) => KeystoreKind::Os,
        Some(KeystoreArg::File) => KeystoreKind::File,
        None => stored_kind(dir).unwrap_or(KeystoreKind::Os),
    }
}

fn stored_kind(dir: &Path) -> Option<KeystoreKind> {
    let path = centime_core::db_path(dir);
    if !path.exists() {
        return None;
    }
    let kind = centime_core::sqlite::peek_meta(&path, "keystore").ok().flatten()?;
    kind.parse().ok()
}

/// A passphrase from `var`, else from the terminal (twice when `confirm`).
pub fn passphrase(var: &str, prompt: &str, confirm: bool) -> Result<Passphrase> {
    if let Ok(p) = std::env::var(var) {
        return Ok(Passphrase::new(p));
    }
    if !std::io::stdin().is_terminal() {
        if var != "CENTIME_PASSPHRASE" {
            return Err(crate::fail(
                crate::EXIT_INPUT,
                format!("a passphrase is needed: set {var} or run on a terminal"),
            ));
        }
        return Err(CoreError::PassphraseNeeded.into());
    }
    let p = rpassword::prompt_password(prompt).context("reading the passphrase")?;
    if confirm {
        let again = rpassword::prompt_password("Again: ").context("reading the passphrase")?;
        if again != p {
            return Err(CoreError::InvalidArgument("the two passphrases differ".into()).into());
        }
    }
    Ok(Passphrase::new(p))
}

pub fn keystore(cli: &Cli, dir: &Path, creating: bool) -> Result<Box<dyn KeyStore>> {
    Ok(match kind(cli, dir) {
        KeystoreKind::Os => Box::new(OsKeyStore::new()?),
        KeystoreKind::File => {
            let prompt = if creating { "New keystore passphrase: " } else { "Keystore passphrase: " };
            Box::new(FileKeyStore::new(dir, passphrase("CENTIME_PASSPHRASE", prompt, creating)?))
        }
    })
}

pub fn open(cli: &Cli) -> Result<Wallet> {
    let dir = data_dir(cli)?;
    if !centime_core::db_path(&dir).exists() {
        return Err(CoreError::NotInitialized(dir.display().to_string()).into());
    }
    let ks = keystore(cli, &dir, false)?;
    Wallet::open(&dir, ks.as_ref()).map_err(|e| match e {
        // The keystore's passphrase does not open it: the keystore is locked (exit 6). The same
        // error from a backup file is invalid input (exit 5), so the class is decided here.
        CoreError::WrongPassphrase(_) => {
            crate::fail(crate::EXIT_KEYSTORE, format!("{e}; the keystore passphrase comes from CENTIME_PASSPHRASE"))
        }
        other => other.into(),
    })
}
