//! Backup and restore: one passphrase-encrypted file with a consistent database snapshot
//! (SQLite's online backup API) and the wallet's keys.

use std::path::{Path, PathBuf};

use centime_protocol::jws::Signer as _;
use rusqlite::{MAIN_DB, params};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::keystore::{KeyStore, Secrets, write_private_atomically};
use crate::sealed::{self, Passphrase, Sealed};
use crate::store;
use crate::wallet::{Wallet, db_path, meta};

const FORMAT: &str = "centime-backup";
const AAD: &[u8] = b"centime-backup/1";
/// Backups larger than this are refused when restoring.
const MAX_BACKUP_BYTES: u64 = 8 << 30;

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BackupFile {
    format: String,
    version: u32,
    wallet: String,
    created_at: i64,
    #[serde(flatten)]
    sealed: Sealed,
}

fn scratch(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.{}", std::process::id()))
}

fn remove_db_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

impl Wallet {
    /// Writes an encrypted backup of this wallet to `out`.
    pub fn backup(&self, out: &Path, pass: &Passphrase) -> Result<()> {
        pass.check_new()?;
        let snap = scratch(&self.data_dir, "backup-snapshot");
        remove_db_files(&snap);
        self.conn.backup(MAIN_DB, &snap, rusqlite::backup::NO_PROGRESS)?;
        let db = std::fs::read(&snap).map_err(|e| Error::io("reading the snapshot", e));
        remove_db_files(&snap);
        let db = Zeroizing::new(db?);
        let secrets = self.secrets().encode();
        let mut plain = Zeroizing::new(Vec::with_capacity(4 + secrets.len() + db.len()));
        plain.extend_from_slice(&u32::try_from(secrets.len()).unwrap_or(u32::MAX).to_be_bytes());
        plain.extend_from_slice(&secrets);
        plain.extend_from_slice(&db);
        let file = BackupFile {
            format: FORMAT.into(),
            version: 1,
            wallet: self.id.to_string(),
            created_at: self.now(),
            sealed: sealed::seal(pass, AAD, &plain)?,
        };
        let json = serde_json::to_vec(&file).map_err(|e| Error::Integrity(e.to_string()))?;
        write_private_atomically(out, &json)
    }

    /// Restores the backup at `from` into `data_dir`, saving its keys in `keystore`.
    ///
    /// Everything is decrypted and checked before anything is touched; a database already
    /// in `data_dir` is moved aside (never deleted).
    pub fn restore(data_dir: &Path, from: &Path, pass: &Passphrase, keystore: &dyn KeyStore) -> Result<Wallet> {
        let len = std::fs::metadata(from).map_err(|e| Error::io(format!("reading {}", from.display()), e))?.len();
        if len > MAX_BACKUP_BYTES {
            return Err(Error::BadBackup("the file is too large to be a Centime backup".into()));
        }
        let raw = std::fs::read(from).map_err(|e| Error::io(format!("reading {}", from.display()), e))?;
        let file: BackupFile = serde_json::from_slice(&raw)
            .map_err(|_| Error::BadBackup(format!("{} is not a Centime backup", from.display())))?;
        if file.format != FORMAT || file.version != 1 {
            return Err(Error::BadBackup(format!("{} is not a version 1 Centime backup", from.display())));
        }
        let plain = sealed::open(pass, AAD, &file.sealed).map_err(|e| match e {
            Error::DamagedKeystore(d) => Error::BadBackup(d),
            other => other,
        })?;
        let damaged = || Error::BadBackup("the backup's contents are damaged".into());
        let (len, rest) = plain.split_at_checked(4).ok_or_else(damaged)?;
        let len = usize::try_from(u32::from_be_bytes([len[0], len[1], len[2], len[3]])).map_err(|_| damaged())?;
        let (secrets, db) = rest.split_at_checked(len).ok_or_else(damaged)?;
        let secrets = Secrets::decode(secrets).map_err(|_| damaged())?;
        if secrets.signer()?.public_key().to_string() != file.wallet {
            return Err(damaged());
        }

        std::fs::create_dir_all(data_dir).map_err(|e| Error::io(format!("creating {}", data_dir.display()), e))?;
        let tmp = scratch(data_dir, "restore");
        remove_db_files(&tmp);
        write_private_atomically(&tmp, db)?;
        let checked = (|| -> Result<String> {
            let conn = store::open(&tmp, false)?;
            let id = meta(&conn, "wallet_id")?.ok_or_else(damaged)?;
            if id != file.wallet {
                return Err(damaged());
            }
            conn.execute("UPDATE meta SET value = ?1 WHERE key = 'keystore'", params![keystore.kind().as_str()])?;
            let account = meta(&conn, "account")?.ok_or_else(damaged)?;
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(account)
        })();
        let account = match checked {
            Ok(a) => a,
            Err(e) => {
                remove_db_files(&tmp);
                return Err(match e {
                    Error::NewerSchema { .. } => e,
                    _ => damaged(),
                });
            }
        };
        // The file keystore keeps one wallet's keys in the data directory: the current keys go
        // aside with the current database, or the wallet moved aside could never be opened again.
        let key_file = data_dir.join(crate::keystore::KEY_FILE);
        if keystore.kind() == crate::keystore::KeystoreKind::File && key_file.exists() {
            let aside = data_dir.join(format!("keys.before-restore-{}.centime", file.created_at.max(0)));
            std::fs::copy(&key_file, &aside)
                .map_err(|e| Error::io("keeping the current keys aside", e))
                .inspect_err(|_| remove_db_files(&tmp))?;
        }
        keystore.save(&account, &secrets).inspect_err(|_| remove_db_files(&tmp))?;

        let target = db_path(data_dir);
        if target.exists() {
            let aside = data_dir.join(format!("wallet.before-restore-{}.sqlite3", file.created_at.max(0)));
            if let Ok(c) = rusqlite::Connection::open(&target) {
                let _ = c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            }
            std::fs::rename(&target, &aside).map_err(|e| Error::io("moving the current wallet aside", e))?;
            remove_db_files(&target);
        }
        std::fs::rename(&tmp, &target).map_err(|e| Error::io("putting the restored wallet in place", e))?;
        remove_db_files(&tmp);
        let w = Wallet::open(data_dir, keystore)?;
        w.verify()?;
        Ok(w)
    }
}
