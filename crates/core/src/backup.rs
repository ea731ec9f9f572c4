//! Backup and restore: one passphrase-encrypted file with a consistent database snapshot
//! (SQLite's online backup API) and the wallet's keys.
//!
//! Restoring never destroys. The backup is decrypted and its wallet verified in a file of its
//! own ([`Wallet::check_backup`]) while the current wallet stays open; only then is the current
//! wallet closed and set aside, database and key file each under a name no earlier restore
//! used ([`CheckedBackup::install`]). A step that fails puts everything back as it was.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use centime_protocol::PublicKey;
use centime_protocol::jws::Signer as _;
use centime_protocol::verify::{Clock as _, SystemClock};
use rusqlite::{MAIN_DB, OpenFlags, params};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::files::{self, write_private_atomically};
use crate::keystore::{KEY_FILE, KeyStore, KeystoreKind, Secrets};
use crate::passphrase::{self, Passphrase, Sealed};
use crate::sqlite;
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

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn remove_db_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(with_suffix(path, suffix));
    }
}

fn now() -> i64 {
    i64::try_from(SystemClock.now()).unwrap_or(i64::MAX)
}

impl Wallet {
    /// Writes an encrypted backup of this wallet to `out`.
    pub fn backup(&self, out: &Path, pass: &Passphrase) -> Result<()> {
        pass.check_new()?;
        // The snapshot holds the whole database in clear for a moment: a private file of a
        // name of its own (never one another backup is writing).
        let snap = files::reserve(&self.data_dir, ".backup-snapshot", now(), "sqlite3")?;
        let copied = self.conn.backup(MAIN_DB, &snap, rusqlite::backup::NO_PROGRESS);
        let db = copied
            .map_err(Error::from)
            .and_then(|()| std::fs::read(&snap).map_err(|e| Error::io("reading the snapshot", e)).map(Zeroizing::new));
        remove_db_files(&snap);
        let db = db?;
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
            sealed: passphrase::seal(pass, AAD, &plain)?,
        };
        let json = serde_json::to_vec(&file).map_err(|e| Error::Integrity(e.to_string()))?;
        write_private_atomically(out, &json)
    }

    /// Restores the backup at `from` into `data_dir`, saving its keys in `keystore`:
    /// [`Wallet::check_backup`], then [`CheckedBackup::install`]. The wallet in `data_dir`, if
    /// any, must not be open (in this process or another): it is set aside, never deleted.
    pub fn restore(data_dir: &Path, from: &Path, pass: &Passphrase, keystore: &dyn KeyStore) -> Result<Wallet> {
        Ok(Wallet::check_backup(data_dir, from, pass, keystore)?.install(keystore)?.wallet)
    }

    /// Decrypts the backup at `from` and verifies the wallet it holds, in a file of its own in
    /// `data_dir`, touching nothing else: the current wallet may stay open meanwhile. Refuses
    /// a wrong passphrase, a damaged file, a wallet that does not verify, and (file keystore) a
    /// keystore passphrase that does not open the key file already in `data_dir`.
    pub fn check_backup(
        data_dir: &Path,
        from: &Path,
        pass: &Passphrase,
        keystore: &dyn KeyStore,
    ) -> Result<CheckedBackup> {
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
        let plain = passphrase::open(pass, AAD, &file.sealed).map_err(|e| match e {
            Error::DamagedKeystore(d) => Error::BadBackup(d),
            other => other,
        })?;
        let (len, rest) = plain.split_at_checked(4).ok_or_else(damaged)?;
        let len = usize::try_from(u32::from_be_bytes([len[0], len[1], len[2], len[3]])).map_err(|_| damaged())?;
        let (secrets, db) = rest.split_at_checked(len).ok_or_else(damaged)?;
        let secrets = Secrets::decode(secrets).map_err(|_| damaged())?;
        let signer = secrets.signer()?;
        let id = signer.public_key();
        if id.to_string() != file.wallet {
            return Err(damaged());
        }
        keystore.check_before_restore()?;

        let created_dir = !data_dir.exists();
        files::create_private_dir(data_dir)?;
        let mut checked = CheckedBackup {
            data_dir: data_dir.to_owned(),
            db: None,
            account: String::new(),
            kind: keystore.kind(),
            secrets: None,
            wallet: id,
            created_dir,
        };
        let tmp = files::reserve(data_dir, ".restore", now(), "sqlite3")?;
        checked.db = Some(tmp.clone());
        let written = std::fs::OpenOptions::new()
            .write(true)
            .open(&tmp)
            .and_then(|mut f| f.write_all(db).and_then(|()| f.sync_all()))
            .map_err(|e| Error::io(format!("writing {}", tmp.display()), e));
        written?;
        let conn = sqlite::open(&tmp, false).map_err(as_damage)?;
        (|| {
            if meta(&conn, "wallet_id")?.as_deref() != Some(file.wallet.as_str()) {
                return Err(damaged());
            }
            conn.execute("UPDATE meta SET value = ?1 WHERE key = 'keystore'", params![keystore.kind().to_string()])?;
            checked.account = meta(&conn, "account")?.ok_or_else(damaged)?;
            Ok(())
        })()
        .map_err(as_damage)?;
        let mut w = Wallet { conn, secrets, signer, id, data_dir: data_dir.to_owned(), clock: Arc::new(SystemClock) };
        // As opening would: a backup of an earlier version is sealed as this one seals.
        crate::rules_store::upgrade_seal(&mut w.conn, w.secrets.mac_key()).map_err(as_damage)?;
        w.verify().map_err(|e| {
            Error::BadBackup(format!("the wallet in this backup does not verify ({e}); nothing was restored"))
        })?;
        w.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let Wallet { conn, secrets, .. } = w;
        conn.close().map_err(|(_, e)| Error::from(e))?;
        checked.secrets = Some(secrets);
        Ok(checked)
    }
}

fn damaged() -> Error {
    Error::BadBackup("the backup's contents are damaged".into())
}

/// What goes wrong reading the backup's database is damage in the backup, except what the
/// user must act on here: a newer schema, a full or read-only disk.
fn as_damage(e: Error) -> Error {
    match e {
        Error::NewerSchema { .. } | Error::DiskFull | Error::ReadOnly(_) | Error::DiskIo(_) | Error::Io { .. } => e,
        _ => damaged(),
    }
}

/// A backup decrypted and verified, beside the wallet it will replace. Dropping it without
/// [`CheckedBackup::install`] removes it and leaves everything as it was.
#[derive(Debug)]
pub struct CheckedBackup {
    data_dir: PathBuf,
    /// The verified database, until it is put in place.
    db: Option<PathBuf>,
    account: String,
    kind: KeystoreKind,
    secrets: Option<Secrets>,
    wallet: PublicKey,
    created_dir: bool,
}

/// A restored wallet, and where the wallet it replaced was kept.
#[derive(Debug)]
pub struct Restored {
    /// The restored wallet, open.
    pub wallet: Wallet,
    /// The earlier database and key file, set aside (empty when there was none).
    pub kept: Vec<PathBuf>,
}

/// How far [`CheckedBackup::install`] got, to undo it if a later step fails.
#[derive(Default)]
struct Progress {
    /// A copy of the earlier key file (file keystore), and its bytes.
    keys_copy: Option<(PathBuf, Zeroizing<Vec<u8>>)>,
    /// The name reserved for the earlier database.
    db_aside: Option<PathBuf>,
    /// The file keystore's key file may now hold the restored keys.
    keys_saved: bool,
    /// The earlier database is at `db_aside`.
    db_moved: bool,
    /// The restored database is in place.
    restored: bool,
}

impl CheckedBackup {
    /// The wallet this backup holds.
    pub fn wallet_id(&self) -> PublicKey {
        self.wallet
    }

    /// Puts the checked wallet in place of the current one and opens it. The current wallet
    /// must be closed first (in this process: drop it; another program holding it open makes
    /// this refuse). Its database and key file are kept beside it under new names; if any step
    /// fails, they are put back and the current wallet opens as it was.
    pub fn install(mut self, keystore: &dyn KeyStore) -> Result<Restored> {
        let (Some(tmp), Some(secrets)) = (self.db.clone(), self.secrets.take()) else {
            return Err(Error::InvalidArgument("this backup was already restored".into()));
        };
        if keystore.kind() != self.kind {
            return Err(Error::KeystoreKindMismatch {
                stored: self.kind.to_string(),
                asked: keystore.kind().to_string(),
            });
        }
        let mut done = Progress::default();
        match self.put_in_place(&tmp, &secrets, keystore, &mut done) {
            Ok(wallet) => {
                self.db = None;
                self.created_dir = false;
                let kept = done.db_aside.into_iter().chain(done.keys_copy.map(|(p, _)| p)).collect();
                Ok(Restored { wallet, kept })
            }
            Err(e) => {
                self.put_back(&tmp, done);
                Err(e)
            }
        }
    }

    fn put_in_place(
        &self,
        tmp: &Path,
        secrets: &Secrets,
        keystore: &dyn KeyStore,
        done: &mut Progress,
    ) -> Result<Wallet> {
        let dir = &self.data_dir;
        let target = db_path(dir);
        let key_file = dir.join(KEY_FILE);
        let stamp = now();
        let current = target.exists();
        if current {
            settle(&target)?;
        }
        match keystore.kind() {
            // The file keystore holds one wallet's keys, in the data directory: the current ones
            // go aside with the current database, or that wallet could never be opened again.
            KeystoreKind::File if key_file.exists() => {
                let bytes = Zeroizing::new(
                    std::fs::read(&key_file).map_err(|e| Error::io(format!("reading {}", key_file.display()), e))?,
                );
                let copy = files::reserve(dir, "keys.before-restore", stamp, "centime")?;
                let written = write_private_atomically(&copy, &bytes);
                done.keys_copy = Some((copy, bytes));
                written?;
            }
            KeystoreKind::File => {}
            // A keyring keeps each wallet under its own account: only the restored wallet's own
            // keys may be there already, never another's (they would be overwritten).
            KeystoreKind::Os => {
                if let Some(there) = keystore.load(&self.account)?
                    && there.encode() != secrets.encode()
                {
                    return Err(Error::KeyMismatch(format!(
                        "the keyring already holds other keys under the account {} of the wallet being restored; nothing was changed",
                        self.account
                    )));
                }
            }
        }
        if current {
            done.db_aside = Some(files::reserve(dir, "wallet.before-restore", stamp, "sqlite3")?);
        }
        done.keys_saved = keystore.kind() == KeystoreKind::File;
        keystore.save(&self.account, secrets)?;
        if let Some(kept) = &done.db_aside {
            std::fs::rename(&target, kept).map_err(|e| Error::io("moving the current wallet aside", e))?;
            done.db_moved = true;
            move_sides(&target, kept).map_err(|e| Error::io("moving the current wallet aside", e))?;
            files::restrict(kept);
        }
        std::fs::rename(tmp, &target).map_err(|e| Error::io("putting the restored wallet in place", e))?;
        done.restored = true;
        let mut w = Wallet::open(dir, keystore)?;
        // The backup may have forgotten payments made since: no payment before a sync, and
        // numbers far above any it may have signed (ADR 22). Here, so that every way to restore
        // holds, and a failure puts the current wallet back like any other step's.
        w.hold_until_synced(
            crate::sync::HoldReason::Restored,
            "restored from a backup, it may have forgotten payments",
        )?;
        Ok(w)
    }

    /// Undoes what [`Self::put_in_place`] did, last step first: renames back, and the key file
    /// rewritten as it was, so the current wallet opens again as it was.
    fn put_back(&self, tmp: &Path, done: Progress) {
        let target = db_path(&self.data_dir);
        if done.restored {
            // Back to its scratch name, which dropping `self` removes.
            let _ = std::fs::rename(&target, tmp);
        }
        if let Some(kept) = &done.db_aside {
            if done.db_moved {
                if std::fs::rename(kept, &target).is_ok() {
                    let _ = move_sides(kept, &target);
                }
            } else {
                let _ = std::fs::remove_file(kept);
            }
        }
        if done.keys_saved {
            let key_file = self.data_dir.join(KEY_FILE);
            let _ = match &done.keys_copy {
                Some((_, bytes)) => write_private_atomically(&key_file, bytes),
                None => std::fs::remove_file(&key_file).map_err(|e| Error::io("removing the restored keys", e)),
            };
        }
        if let Some((copy, _)) = &done.keys_copy {
            let _ = std::fs::remove_file(copy);
        }
    }
}

impl Drop for CheckedBackup {
    fn drop(&mut self) {
        if let Some(tmp) = self.db.take() {
            remove_db_files(&tmp);
        }
        if self.created_dir {
            // Only if still empty: nothing else was ever put there.
            let _ = std::fs::remove_dir(&self.data_dir);
        }
    }
}

/// Folds the database's WAL into its main file, so the file alone is the whole wallet, and
/// checks no one else has it open: SQLite removes the WAL when its last connection closes,
/// so a WAL still there belongs to another connection (another program, or a handle this
/// process did not drop), and moving the file from under it would split the wallet in two.
/// A file SQLite cannot read at all is not refused: setting it aside is the remedy (with
/// whatever WAL it has, see [`move_sides`]).
fn settle(db: &Path) -> Result<()> {
    let checkpoint = || -> Result<i64> {
        let conn = rusqlite::Connection::open_with_flags(
            db,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(sqlite::BUSY_TIMEOUT)?;
        let busy = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        conn.close().map_err(|(_, e)| Error::from(e))?;
        Ok(busy)
    };
    match checkpoint() {
        Ok(0) if !with_suffix(db, "-wal").exists() => Ok(()),
        Ok(_) => Err(Error::Busy(sqlite::BUSY_TIMEOUT.as_secs())),
        Err(Error::Corrupt(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Renames a database's `-wal` and `-shm` after it, if it has them (only a database SQLite
/// could not read still has them here).
fn move_sides(from: &Path, to: &Path) -> std::io::Result<()> {
    for suffix in ["-wal", "-shm"] {
        let side = with_suffix(from, suffix);
        if side.exists() {
            std::fs::rename(side, with_suffix(to, suffix))?;
        }
    }
    Ok(())
}
