//! Files only the user can read: the data directory (0700 on Unix) and everything Centime
//! writes in it or for the user — the database and its `-wal`/`-shm`, the key file, backups and
//! exports (0600) — each written whole or not at all.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};

/// Distinguishes the temporary files of one process (threads may write beside each other).
static NEXT_TMP: AtomicU64 = AtomicU64::new(0);

/// Attempts at a fresh name before giving up: only a directory already full of Centime's
/// own names gets that far.
const MAX_NAMES: u32 = 1000;

/// Creates `dir` and its parents, and makes `dir` private.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    set_mode(dir, 0o700);
    Ok(())
}

/// Makes an existing file or directory private (0600 for a file, 0700 for a directory) if it
/// is not already. Best effort: a file system without Unix modes, or a file of another owner,
/// is left as it is (the data directory's own mode still guards what is inside).
pub(crate) fn restrict(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            let want = if meta.is_dir() { 0o700 } else { 0o600 };
            if !meta.file_type().is_symlink() && meta.permissions().mode() & 0o777 != want {
                set_mode(path, want);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

/// The data directory, the database with its `-wal` and `-shm`, and the key file: private,
/// whatever an earlier version or the umask left them as.
pub(crate) fn restrict_wallet(data_dir: &Path) {
    restrict(data_dir);
    let db = crate::wallet::db_path(data_dir);
    for suffix in ["", "-wal", "-shm"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        restrict(Path::new(&p));
    }
    restrict(&data_dir.join(crate::keystore::KEY_FILE));
}

/// Creates `path`, which must not exist, as an empty private file. `create_new` (O_EXCL)
/// never follows a symbolic link planted at that name and never truncates another file.
pub(crate) fn create_new_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    opts.open(path)
}

/// Claims a name no one used in `dir`: `{stem}-{stamp}.{ext}`, else `{stem}-{stamp}-2.{ext}`,
/// `-3`… by creating it, empty and private. Two restores in the same second (or of the same
/// backup) get two names; nothing is ever renamed over a file this did not create.
pub(crate) fn reserve(dir: &Path, stem: &str, stamp: i64, ext: &str) -> Result<PathBuf> {
    for n in 1..=MAX_NAMES {
        let name = if n == 1 { format!("{stem}-{stamp}.{ext}") } else { format!("{stem}-{stamp}-{n}.{ext}") };
        let path = dir.join(name);
        match create_new_private(&path) {
            Ok(_) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(format!("creating {}", path.display()), e)),
        }
    }
    Err(Error::io(
        format!("finding a free name for {stem} in {}", dir.display()),
        std::io::Error::from(std::io::ErrorKind::AlreadyExists),
    ))
}

/// Writes `path` whole or not at all, readable by the user alone: `fill` writes into a new
/// private file beside it (created exclusively), which is synced and renamed over `path` only
/// once `fill` has succeeded; on any error it is removed and `path` is left as it was. The one
/// way Centime writes a file for the user (backups, exports) or for itself (the key file).
pub fn write_private<T, E: From<Error>>(
    path: &Path,
    fill: impl FnOnce(&mut dyn std::io::Write) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::InvalidArgument(format!("{} is not a file name", path.display())))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let (tmp, mut file) = temp_beside(dir, name)?;
    let written = fill(&mut file).and_then(|v| {
        file.sync_all().map_err(|e| Error::io(format!("syncing {}", tmp.display()), e))?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("replacing {}", path.display()), e))?;
        Ok(v)
    });
    match written {
        Ok(v) => {
            if let Ok(d) = std::fs::File::open(dir) {
                // Makes the rename durable; a failure here only weakens crash safety.
                let _ = d.sync_all();
            }
            Ok(v)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// [`write_private`] of bytes already in memory.
pub(crate) fn write_private_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_private(path, |out| out.write_all(bytes).map_err(|e| Error::io(format!("writing {}", path.display()), e)))
}

fn temp_beside(dir: &Path, name: &str) -> Result<(PathBuf, std::fs::File)> {
    let pid = std::process::id();
    for _ in 0..MAX_NAMES {
        let n = NEXT_TMP.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{pid}-{n}.tmp"));
        match create_new_private(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io(format!("creating {}", tmp.display()), e)),
        }
    }
    Err(Error::io(
        format!("finding a free temporary name in {}", dir.display()),
        std::io::Error::from(std::io::ErrorKind::AlreadyExists),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_failed_write_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, b"before").unwrap();
        let r: Result<()> = write_private(&path, |out| {
            out.write_all(b"half").map_err(|e| Error::io("writing", e))?;
            Err(Error::Cancelled)
        });
        assert!(matches!(r, Err(Error::Cancelled)));
        assert_eq!(std::fs::read(&path).unwrap(), b"before");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the temporary file was removed");
        write_private_atomically(&path, b"after").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"after");
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn the_temporary_file_sits_beside_the_destination_until_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("exports");
        std::fs::create_dir(&sub).unwrap();
        let path = sub.join("centime.csv");
        write_private(&path, |out| {
            let names: Vec<String> = std::fs::read_dir(&sub)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            // One file system, so the rename is atomic; hidden, and not yet at the destination.
            assert_eq!(names.len(), 1, "{names:?}");
            assert!(names[0].starts_with(".centime.csv.") && names[0].ends_with(".tmp"), "{names:?}");
            #[cfg(unix)]
            assert_eq!(mode(&sub.join(&names[0])), 0o600);
            out.write_all(b"a,b\n").map_err(|e| Error::io("writing", e))
        })
        .unwrap();
        let names: Vec<_> = std::fs::read_dir(&sub).unwrap().collect();
        assert_eq!(names.len(), 1);
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_planted_at_a_temporary_name_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"mine").unwrap();
        // Every name this process could pick next, planted as a link to the victim.
        let next = NEXT_TMP.load(Ordering::Relaxed);
        for n in next..next + 64 {
            let tmp = dir.path().join(format!(".out.{}-{n}.tmp", std::process::id()));
            std::os::unix::fs::symlink(&victim, tmp).unwrap();
        }
        write_private_atomically(&dir.path().join("out"), b"export").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"mine");
        assert_eq!(std::fs::read(dir.path().join("out")).unwrap(), b"export");
    }

    #[test]
    fn reserved_names_are_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = reserve(dir.path(), "wallet.before-restore", 7, "sqlite3").unwrap();
        let b = reserve(dir.path(), "wallet.before-restore", 7, "sqlite3").unwrap();
        assert_ne!(a, b);
        assert!(a.ends_with("wallet.before-restore-7.sqlite3"));
        assert!(b.ends_with("wallet.before-restore-7-2.sqlite3"));
        #[cfg(unix)]
        assert_eq!((mode(&a), mode(&b)), (0o600, 0o600));
    }
}
